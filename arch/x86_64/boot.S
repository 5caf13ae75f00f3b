/*
 * First instructions of the kernel: the PVH entry point.
 *
 * QEMU (-kernel with an ELF carrying XEN_ELFNOTE_PHYS32_ENTRY) starts us in
 * 32-bit protected mode with paging off, flat segments and %ebx holding the
 * physical address of struct hvm_start_info (Xen public arch-x86/hvm/
 * start_info.h). We build boot page tables, enter long mode (Intel SDM
 * vol. 3A 9.8.5), jump to the higher-half kernel and call x86_boot_main().
 *
 * Boot page tables (also the kernel root for the life of the system):
 *   PML4[0]   -> identity 0..4 GiB (2 MiB pages), dropped once in C
 *   PML4[256] -> DIRECT_MAP_BASE + 0..4 GiB (the same PDPT and PDs)
 *   PML4[511] -> PDPT[510]: KERNEL_VIRT_BASE + 0..1 GiB (the first PD)
 */
#include "x86_asm.h"

#define PA(sym)		((sym) - KERNEL_VIRT_BASE)
#define XEN_ELFNOTE_PHYS32_ENTRY	18

	.section .note.pvh, "a", @note
	.p2align 2
	.long 4				/* namesz: "Xen\0" */
	.long 8				/* descsz */
	.long XEN_ELFNOTE_PHYS32_ENTRY
	.asciz "Xen"
	.p2align 2
	.quad pvh_start32
	.p2align 2

	.section .bootmem, "aw", @nobits
	.p2align 12
	.globl boot_pml4
boot_pml4:	.skip 4096
boot_pdpt_low:	.skip 4096
boot_pdpt_high:	.skip 4096
	.globl boot_pd
boot_pd:	.skip 4 * 4096
boot_pt_end:
	.p2align 4
	.globl boot_stack
boot_stack:	.skip BOOT_STACK_SIZE
	.globl boot_stack_top
boot_stack_top:

	.section .boot.text, "ax"
	.code32
	.globl pvh_start32
pvh_start32:
	cli
	cld
	movl %ebx, %esi			/* hvm_start_info: survives cpuid below */

	/* Clear the tables: .bootmem is NOLOAD, nobody promised zeroes. */
	movl $PA(boot_pml4), %edi
	movl $(PA(boot_pt_end) - PA(boot_pml4)) / 4, %ecx
	xorl %eax, %eax
	rep stosl

	/* 2048 PDEs: 2 MiB pages, present + writable, 0..4 GiB. */
	movl $PA(boot_pd), %edi
	movl $0x83, %eax
	movl $2048, %ecx
1:	movl %eax, (%edi)
	addl $0x200000, %eax
	addl $8, %edi
	loop 1b

	movl $PA(boot_pdpt_low), %edi
	movl $PA(boot_pd) + 3, %eax
	movl %eax, 0(%edi)
	addl $4096, %eax
	movl %eax, 8(%edi)
	addl $4096, %eax
	movl %eax, 16(%edi)
	addl $4096, %eax
	movl %eax, 24(%edi)

	movl $PA(boot_pd) + 3, PA(boot_pdpt_high) + 510 * 8
	movl $PA(boot_pdpt_low) + 3, PA(boot_pml4)
	movl $PA(boot_pdpt_low) + 3, PA(boot_pml4) + 256 * 8
	movl $PA(boot_pdpt_high) + 3, PA(boot_pml4) + 511 * 8

	movl %cr4, %eax
	orl $0x20, %eax			/* PAE */
	movl %eax, %cr4
	movl $PA(boot_pml4), %eax
	movl %eax, %cr3

	/* EFER.NXE only when CPUID has NX, or setting it faults. */
	xorl %edi, %edi
	movl $0x80000000, %eax
	cpuid
	cmpl $0x80000001, %eax
	jb 2f
	movl $0x80000001, %eax
	cpuid
	btl $20, %edx
	jnc 2f
	movl $0x800, %edi
2:	movl $0xc0000080, %ecx
	rdmsr
	orl $0x100, %eax		/* LME */
	orl %edi, %eax
	wrmsr

	movl %cr0, %eax
	orl $0x80010001, %eax		/* PG | WP | PE */
	movl %eax, %cr0

	lgdt boot_gdt_ptr
	ljmp $0x08, $start64_low

	.code64
start64_low:
	movl $0x10, %eax
	movl %eax, %ds
	movl %eax, %es
	movl %eax, %ss
	xorl %eax, %eax
	movl %eax, %fs
	movl %eax, %gs
	movabsq $start64_high, %rax
	jmp *%rax

	.p2align 3
boot_gdt:
	.quad 0
	.quad 0x00af9a000000ffff	/* 0x08: 64-bit code */
	.quad 0x00cf92000000ffff	/* 0x10: data */
boot_gdt_ptr:
	.word boot_gdt_ptr - boot_gdt - 1
	.long boot_gdt

	.text
start64_high:
	leaq boot_stack_top(%rip), %rsp
	xorl %ebp, %ebp			/* ends backtraces */

	/* Zero .bss: QEMU zero-fills p_memsz, but nothing obliges it to. */
	leaq __bss_start(%rip), %rdi
	leaq __bss_end(%rip), %rcx
	subq %rdi, %rcx
	xorl %eax, %eax
	rep stosb

	movl %esi, %edi			/* zero-extends: the start_info address */
	call x86_boot_main
3:	cli
	hlt
	jmp 3b
