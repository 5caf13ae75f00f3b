/*
 * Per-thread machine state: the context switch (callee-saved registers,
 * FXSAVE area, FS base, kernel stack for entries from user mode), the
 * initial frames of new kernel and user threads, and the register set-up
 * for fork, exec and arch_prctl(ARCH_SET_FS).
 */
#include "x86.h"
#include "cpu.h"
#include "task.h"
#include "kernel.h"
#include "ptrace.h"

/* What x86_switch_stack() pops, lowest address first. */
struct switch_frame {
	u64 r15, r14, r13, r12, rbx, rbp;
	u64 rip;
};

/* FXSAVE image (Intel SDM vol. 1 10.5.1): the fields we initialise. */
#define FXSAVE_FCW	0
#define FXSAVE_MXCSR	24
#define FCW_DEFAULT	0x037f		/* fninit: all x87 exceptions masked */
#define MXCSR_DEFAULT	0x1f80		/* all SSE exceptions masked, round to nearest */

/* Save the live FPU/SSE/AVX registers into a task's area (64-byte aligned), or load them:
 * XSAVE/XRSTOR of the components XCR0 has on, FXSAVE/FXRSTOR without AVX. */
static inline void fxsave(u8 *area)
{
	u64 m = x86_cpu.xcr0;

	if (m)
		__asm__ volatile("xsave64 %0" : "=m"(*(u8 (*)[ARCH_FPU_AREA_SIZE])area)
				 : "a"((u32)m), "d"((u32)(m >> 32)));
	else
		__asm__ volatile("fxsave64 %0" : "=m"(*(u8 (*)[512])area));
}

static inline void fxrstor(const u8 *area)
{
	u64 m = x86_cpu.xcr0;

	if (m)
		__asm__ volatile("xrstor64 %0" : : "m"(*(const u8 (*)[ARCH_FPU_AREA_SIZE])area),
				 "a"((u32)m), "d"((u32)(m >> 32)));
	else
		__asm__ volatile("fxrstor64 %0" : : "m"(*(const u8 (*)[512])area));
}

static void fpu_clean_image(u8 *area)
{
	/* With XSAVE a zero header (XSTATE_BV 0) makes XRSTOR put every component in its
	 * initial state; MXCSR is still read from the image. */
	memset(area, 0, ARCH_FPU_AREA_SIZE);
	*(u16 *)(area + FXSAVE_FCW) = FCW_DEFAULT;
	*(u32 *)(area + FXSAVE_MXCSR) = MXCSR_DEFAULT;
}

static inline u64 kstack_top(const struct task *t)
{
	return (u64)t->kstack + KSTACK_SIZE;
}

/* arch_task_trapframe - see include/arch.h. Sleeps: no. */
struct trapframe *arch_task_trapframe(struct task *t)
{
	return (struct trapframe *)kstack_top(t) - 1;
}

/*
 * The first switch frame sits just below the trapframe slot, so that after
 * its ret the stack pointer is the (16-byte aligned) trapframe itself.
 */
static struct switch_frame *initial_frame(struct task *t)
{
	return (struct switch_frame *)arch_task_trapframe(t) - 1;
}

/* arch_thread_init_kernel - see include/arch.h. Sleeps: no. */
void arch_thread_init_kernel(struct task *t, void (*fn)(void *), void *arg)
{
	struct switch_frame *f = initial_frame(t);

	memset(f, 0, sizeof(*f));
	f->rbx = (u64)fn;
	f->r12 = (u64)arg;
	f->rip = (u64)x86_kthread_start;
	t->arch.rsp = (u64)f;
	fpu_clean_image(t->arch.fpu);
}

/* arch_thread_init_user - see include/arch.h. Leaves the FPU image alone:
 * arch_fork_frame() or arch_exec_regs() owns it. Sleeps: no. */
void arch_thread_init_user(struct task *t)
{
	struct switch_frame *f = initial_frame(t);

	memset(f, 0, sizeof(*f));
	f->rip = (u64)x86_uthread_start;
	t->arch.rsp = (u64)f;
}

/* arch_fork_frame - see include/arch.h. When @parent is running here its
 * live FPU registers are newer than its saved area, so save them straight
 * into the child. Sleeps: no. */
void arch_fork_frame(struct task *child, const struct task *parent,
		     const struct trapframe *parent_tf, u64 new_sp)
{
	struct trapframe *tf = arch_task_trapframe(child);

	*tf = *parent_tf;
	tf->rax = 0;
	if (new_sp)
		tf->rsp = new_sp;
	if (parent == current_task())
		fxsave(child->arch.fpu);
	else
		memcpy(child->arch.fpu, parent->arch.fpu, sizeof(child->arch.fpu));
	child->arch.fs_base = parent->arch.fs_base;
	child->arch.gs_base = parent->arch.gs_base;
	/* A new task starts without its parent's hardware breakpoints (Linux's
	 * copy_thread). */
	arch_ptrace_clear_debugregs(child);
}

/* arch_exec_regs - see include/arch.h. Source: System V AMD64 ABI 3.4.1
 * (initial process state). Sleeps: no. */
void arch_exec_regs(struct trapframe *tf, u64 entry, u64 sp)
{
	struct task *t = current_task();
	u64 vector = tf->vector;

	memset(tf, 0, sizeof(*tf));
	tf->vector = vector;
	tf->rip = entry;
	tf->rsp = sp;
	tf->cs = GDT_UCODE;
	tf->ss = GDT_UDATA;
	tf->rflags = RFLAGS_IF | RFLAGS_FIXED;
	if (t) {
		fpu_clean_image(t->arch.fpu);
		fxrstor(t->arch.fpu);
		t->arch.fs_base = 0;
		t->arch.gs_base = 0;
		arch_ptrace_clear_debugregs(t);	/* Linux's flush_ptrace_hw_breakpoint */
		unsigned long flags = arch_irq_save();

		if (this_cpu()->arch.dr7_loaded)
			x86_debugreg_switch(this_cpu(), t);	/* off for the new program */
		arch_irq_restore(flags);
	}
	wrmsr(MSR_FS_BASE, 0);
	wrmsr(MSR_KERNEL_GS_BASE, 0);	/* the user's GS base, swapped in on return */
}

/*
 * arch_set_fs_base - see include/arch.h. The caller (arch_prctl) rejects
 * addresses outside user space; a non-canonical one reaching here would
 * make wrmsr fault in ring 0, so it is stored as 0 instead. Sleeps: no.
 */
void arch_set_fs_base(u64 base)
{
	struct task *t = current_task();

	if (!x86_canonical(base))
		base = 0;
	t->arch.fs_base = base;
	wrmsr(MSR_FS_BASE, base);
}

/* arch_get_fs_base - the current task's FS base. Sleeps: no. */
u64 arch_get_fs_base(void)
{
	return current_task()->arch.fs_base;
}

/*
 * arch_set_gs_base - see include/arch.h. In the kernel the user's GS base
 * sits in MSR_KERNEL_GS_BASE (swapgs exchanges the two on every entry and
 * exit). Like arch_set_fs_base, a non-canonical base is stored as 0.
 * Sleeps: no.
 */
void arch_set_gs_base(u64 base)
{
	struct task *t = current_task();

	if (!x86_canonical(base))
		base = 0;
	t->arch.gs_base = base;
	wrmsr(MSR_KERNEL_GS_BASE, base);
}

/* arch_get_gs_base - the current task's user GS base. Sleeps: no. */
u64 arch_get_gs_base(void)
{
	return current_task()->arch.gs_base;
}

/*
 * arch_switch - see include/arch.h. The kernel never touches x87/SSE
 * (-mno-sse), so saving prev's FPU state and loading next's may both happen
 * before the stack switch. t->arch.fs_base and gs_base are authoritative (user code
 * cannot change FS base: CR4.FSGSBASE is off), so it is only written.
 * Interrupts disabled, run-queue lock held. Sleeps: no (it is the switch).
 */
void arch_switch(struct task *prev, struct task *next)
{
	struct cpu *c = this_cpu();

	fxsave(prev->arch.fpu);
	fxrstor(next->arch.fpu);
	wrmsr(MSR_FS_BASE, next->arch.fs_base);
	wrmsr(MSR_KERNEL_GS_BASE, next->arch.gs_base);
	if (unlikely(next->arch.dr7 | c->arch.dr7_loaded))
		x86_debugreg_switch(c, next);
	if (next->kstack)
		x86_set_kernel_stack(c, kstack_top(next));
	x86_switch_stack(&prev->arch.rsp, next->arch.rsp);
}

/* arch_core_regs - see include/arch.h. The order is that of Linux's x86-64
 * struct user_regs_struct (asm/user_64.h), which GDB and readelf expect;
 * orig_rax is -1 unless the frame is a system call's. The data segment
 * registers are 0 in 64-bit user mode, as on Linux. */
void arch_core_regs(const struct task *t, const struct trapframe *tf, long orig_syscall,
		    u64 *regs)
{
	u64 r[ARCH_CORE_NREGS] = {
		tf->r15, tf->r14, tf->r13, tf->r12, tf->rbp, tf->rbx, tf->r11, tf->r10,
		tf->r9, tf->r8, tf->rax, tf->rcx, tf->rdx, tf->rsi, tf->rdi,
		tf->vector == SYSCALL_VECTOR ? (u64)orig_syscall : (u64)-1,
		tf->rip, tf->cs, tf->rflags, tf->rsp, tf->ss,
		t->arch.fs_base, 0, 0, 0, 0, 0,
	};

	memcpy(regs, r, sizeof(r));
}

/* arch_core_fpregs_xstate - see include/arch.h. */
void arch_core_fpregs_xstate(const struct task *t, u8 *area)
{
	if (t == current_task()) {
		memset(area + XSAVE_HEADER, 0, 64);	/* XSAVE writes only XSTATE_BV */
		fxsave(area);
	} else {
		memcpy(area, t->arch.fpu, ARCH_FPU_AREA_SIZE);
	}
}

/* arch_core_fpregs - see include/arch.h. The kernel uses no FPU/SSE
 * registers, so current's are still the user's; others' are in arch.fpu. */
void arch_core_fpregs(const struct task *t, u8 *area)
{
	u8 img[ARCH_FPU_AREA_SIZE] __aligned(64);

	if (t == current_task())
		fxsave(img);
	else
		memcpy(img, t->arch.fpu, sizeof(img));
	memcpy(area, img, ARCH_CORE_FPREGS_SIZE);
}
