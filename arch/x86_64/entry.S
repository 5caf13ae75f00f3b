/*
 * Kernel entry and exit: the 256 IDT stubs and their common path, the
 * syscall instruction's entry, the return-to-user path (sysretq or iretq),
 * the kernel-stack switch under arch_switch() and the first-run trampolines
 * of new tasks. Register frames are struct trapframe (arch_impl.h); the
 * offsets are in x86_asm.h and checked in trap.c.
 *
 * GS: in the kernel GS base is this CPU's struct cpu; in user mode it is the
 * user's. Every entry from user mode and every exit to it does swapgs
 * (AMD64 APM vol. 2 4.8.6; Intel SDM vol. 3A 5.8.8 for syscall/sysret).
 */
#include "x86_asm.h"

/* Unwind information for debuggers only (.eh_frame is discarded at link):
 * the entry paths mark the return address undefined, so a backtrace ends
 * at the user/kernel boundary instead of wandering into user frames. */
	.cfi_sections .debug_frame

#define GDT_KCODE	0x08
#define GDT_UDATA	0x2b
#define GDT_UCODE	0x33
#define SYSCALL_VECTOR	0x100

/* Push the general registers so that r15 ends at the lowest address. */
.macro PUSH_REGS
	pushq %rax
	pushq %rbx
	pushq %rcx
	pushq %rdx
	pushq %rsi
	pushq %rdi
	pushq %rbp
	pushq %r8
	pushq %r9
	pushq %r10
	pushq %r11
	pushq %r12
	pushq %r13
	pushq %r14
	pushq %r15
.endm

.macro POP_REGS
	popq %r15
	popq %r14
	popq %r13
	popq %r12
	popq %r11
	popq %r10
	popq %r9
	popq %r8
	popq %rbp
	popq %rdi
	popq %rsi
	popq %rdx
	popq %rcx
	popq %rbx
	popq %rax
.endm

/* With SMAP on, the kernel must run with RFLAGS.AC clear whatever the
 * interrupted code had; clac is #UD on CPUs without SMAP, hence the test. */
.macro CLAC_IF_SMAP
	testb $1, x86_smap_enabled(%rip)
	jz 9f
	clac
9:
.endm

	.text

/*
 * One 16-byte stub per vector. The CPU pushes an error code only for
 * vectors 8, 10-14, 17, 21, 29 and 30 (Intel SDM vol. 3A 6.15); the others
 * get a zero so every frame has the same shape.
 */
	.p2align 4
	.globl x86_trap_stubs
x86_trap_stubs:
	.set vec, 0
	.rept 256
	.p2align 4
	.if (vec == 8) || (vec == 10) || (vec == 11) || (vec == 12) || (vec == 13) || \
		(vec == 14) || (vec == 17) || (vec == 21) || (vec == 29) || (vec == 30)
	.else
	pushq $0
	.endif
	pushq $vec
	.if vec == 1
	jmp x86_debug_entry
	.else
	jmp x86_trap_common
	.endif
	.set vec, vec + 1
	.endr

/*
 * #DB can come in kernel mode with the user's GS base still loaded: QEMU
 * reports a data breakpoint hit that coincides with a single-step trap as a
 * second #DB on the first instruction of the first one's handler, before its
 * swapgs. That #DB returns at once (a trap: nothing is repeated); the outer
 * handler reads DR6, which holds both causes. A #DB in kernel mode with the
 * kernel's GS base (a watched user address touched by copy_to_user) and one
 * from user mode take the common path (debugreg.c decides).
 */
x86_debug_entry:
	testb $3, 24(%rsp)
	jnz x86_trap_common
	pushq %rax
	pushq %rcx
	pushq %rdx
	movl $0xc0000101, %ecx			/* MSR_GS_BASE */
	rdmsr
	testl %edx, %edx			/* a kernel address: the upper half's sign */
	popq %rdx
	popq %rcx
	popq %rax
	js x86_trap_common
	addq $16, %rsp				/* vector, error */
	iretq

x86_trap_common:
	.cfi_startproc
	.cfi_undefined rip
	/* cs of the interrupted context sits above vector, error and rip. */
	testb $3, 24(%rsp)
	jz 1f
	swapgs
1:	PUSH_REGS
	cld
	CLAC_IF_SMAP
	movq %rsp, %rdi
	call trap_dispatch
	testb $3, TF_CS(%rsp)
	jnz x86_ret_to_user
	POP_REGS
	addq $16, %rsp			/* vector, error */
	iretq
	.cfi_endproc

/*
 * syscall: rcx = user rip, r11 = user rflags, rsp still the user's, IF/DF/
 * TF/AC already cleared by SFMASK. Build a full trapframe on the task's
 * kernel stack so the core sees the same frame as for any trap.
 */
	.p2align 4
	.globl x86_syscall_entry
x86_syscall_entry:
	.cfi_startproc
	.cfi_undefined rip
	swapgs
	movq %rsp, %gs:CPU_USER_RSP
	movq %gs:CPU_KSTACK_TOP, %rsp
	pushq $GDT_UDATA			/* ss */
	pushq %gs:CPU_USER_RSP			/* rsp */
	pushq %r11				/* rflags */
	pushq $GDT_UCODE			/* cs */
	pushq %rcx				/* rip */
	pushq $0				/* error */
	pushq $SYSCALL_VECTOR			/* vector */
	PUSH_REGS
	movq %rsp, %rdi
	sti
	call syscall_dispatch
	/* fall through */

/*
 * Return to user mode through the trapframe at %rsp (the top of the task's
 * kernel stack). Pending work (reschedule, signals) runs with interrupts on;
 * the final check and the register restore run with them off so nothing can
 * slip in between.
 */
	.globl x86_ret_to_user
x86_ret_to_user:
	cli
1:	call user_work_pending
	testb %al, %al
	jz 2f
	sti
	movq %rsp, %rdi
	call user_return_work
	cli
	jmp 1b

	/* The core may have rewritten the frame (exec, sigreturn): never let it
	 * carry kernel selectors, IOPL/NT/VM or a non-canonical rip, which would
	 * fault in ring 0 with the user's GS loaded. rax = the rflags to return
	 * with, rcx = rip; both registers come back from the frame below. */
2:	movq TF_RFLAGS(%rsp), %rax
	andq $RFLAGS_USER_MASK, %rax
	orq $(RFLAGS_IF | RFLAGS_FIXED), %rax
	movq TF_RIP(%rsp), %rcx
	movq %rcx, %rdx
	shrq $47, %rdx
	jnz 5f

	/* sysretq restores rip from rcx and rflags from r11 and loads the user
	 * selectors itself; usable only when the frame says rcx and r11 hold
	 * exactly those values. Not with TF or RF: sysretq cannot restore RF,
	 * and with TF it traps before the next user instruction runs, where
	 * iretq traps after it -- a single-stepping SIGTRAP handler would
	 * otherwise be entered again and again at the same rip (the instruction
	 * after a syscall, or a frame whose rcx/r11 happen to match). */
	cmpq TF_RCX(%rsp), %rcx
	jne 4f
	cmpq TF_R11(%rsp), %rax
	jne 4f
	testq $(RFLAGS_TF | RFLAGS_RF), %rax
	jnz 4f
	POP_REGS
	movq TF_RSP - TF_VECTOR(%rsp), %rsp
	swapgs
	sysretq

4:	movq %rax, TF_RFLAGS(%rsp)
	movq $GDT_UCODE, TF_CS(%rsp)
	movq $GDT_UDATA, TF_SS(%rsp)
	POP_REGS
	addq $16, %rsp
	swapgs
	iretq

5:	movq $0, TF_RIP(%rsp)			/* faults at once: SIGSEGV */
	jmp 4b
	.cfi_endproc

/*
 * x86_switch_stack(save_rsp, new_rsp): save the callee-saved registers on
 * this stack, store rsp in *save_rsp, load new_rsp and pop the next task's.
 * New tasks start with a frame whose return address is a trampoline below.
 */
	.p2align 4
	.globl x86_switch_stack
x86_switch_stack:
	pushq %rbp
	pushq %rbx
	pushq %r12
	pushq %r13
	pushq %r14
	pushq %r15
	movq %rsp, (%rdi)
	movq %rsi, %rsp
	popq %r15
	popq %r14
	popq %r13
	popq %r12
	popq %rbx
	popq %rbp
	ret

/* First run of a kernel thread: rbx = fn, r12 = arg (set by thread.c). */
	.globl x86_kthread_start
x86_kthread_start:
	call sched_tail
	sti
	movq %r12, %rdi
	call *%rbx
	call task_exit_kernel
	ud2

/* First run of a user task: rsp is its trapframe at the top of the stack. */
	.globl x86_uthread_start
x86_uthread_start:
	call sched_tail
	jmp x86_ret_to_user

	.section .note.GNU-stack, "", @progbits
