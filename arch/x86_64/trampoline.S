/*
 * The application processors' way from real mode to the kernel.
 *
 * A started AP (INIT, then STARTUP with vector TRAMPOLINE_PHYS >> 12) runs
 * in 16-bit real mode at CS:IP = TRAMPOLINE_PHYS >> 4 : 0 with paging off
 * (Intel SDM vol. 3A 8.4.4, 9.1). smp.c copies this blob to
 * TRAMPOLINE_PHYS, below 1 MiB, and fills the parameter block at its end;
 * the code here enters protected mode, then long mode with the page table
 * named there (an identity map of the low 4 GiB beside the kernel half), and
 * jumps to the higher-half entry with rdi = the struct cpu to bring up.
 *
 * Everything is addressed as TRAMPOLINE_PHYS + (label - x86_trampoline_start)
 * because the blob does not run where it was linked.
 */
#include "x86_asm.h"

#define TR(label)	(TRAMPOLINE_PHYS + ((label) - x86_trampoline_start))

	.section .rodata
	.p2align 4
	.globl x86_trampoline_start
x86_trampoline_start:
	.code16
	cli
	cld
	movw %cs, %ax
	movw %ax, %ds
	lgdtl (tr_gdt_ptr - x86_trampoline_start)
	movl %cr0, %eax
	orl $1, %eax			/* PE */
	movl %eax, %cr0
	ljmpl $0x08, $TR(tr_pm32)

	.code32
tr_pm32:
	movl $0x10, %eax
	movl %eax, %ds
	movl %eax, %es
	movl %eax, %ss
	movl %cr4, %eax
	orl $0x20, %eax			/* PAE */
	movl %eax, %cr4
	movl TR(tr_cr3), %eax
	movl %eax, %cr3
	movl $0xc0000080, %ecx		/* EFER: LME, and NXE when the BSP has it */
	rdmsr
	orl TR(tr_efer), %eax
	wrmsr
	movl %cr0, %eax
	orl $0x80010001, %eax		/* PG | WP | PE */
	movl %eax, %cr0
	ljmpl $0x18, $TR(tr_lm64)

	.code64
tr_lm64:
	movl $0x10, %eax
	movl %eax, %ds
	movl %eax, %es
	movl %eax, %ss
	movq TR(tr_stack), %rsp
	movq TR(tr_cpu), %rdi
	xorl %ebp, %ebp			/* ends backtraces */
	movq TR(tr_entry), %rax
	jmp *%rax

	.p2align 3
tr_gdt:
	.quad 0
	.quad 0x00cf9a000000ffff	/* 0x08: 32-bit code */
	.quad 0x00cf92000000ffff	/* 0x10: data */
	.quad 0x00af9a000000ffff	/* 0x18: 64-bit code */
tr_gdt_ptr:
	.word tr_gdt_ptr - tr_gdt - 1
	.long TR(tr_gdt)

	/* Parameter block, filled by smp.c (layout: struct trampoline_params). */
	.p2align 3
	.globl x86_trampoline_params
x86_trampoline_params:
tr_cr3:		.quad 0
tr_efer:	.quad 0
tr_stack:	.quad 0
tr_cpu:		.quad 0
tr_entry:	.quad 0
	.globl x86_trampoline_end
x86_trampoline_end:

	.section .note.GNU-stack, "", @progbits
