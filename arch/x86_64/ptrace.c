/*
 * The register views of ptrace(2) on x86-64: struct user_regs_struct
 * (<sys/user.h>) read from and written to a stopped tracee's trapframe and
 * thread state, the FXSAVE image of PTRACE_GETFPREGS, and single-stepping
 * with RFLAGS.TF (Intel SDM vol. 3B 17.3.1.4: a #DB after each instruction,
 * which trap.c turns into SIGTRAP with TRAP_TRACE).
 */
#include "x86.h"
#include "x86_asm.h"
#include "task.h"
#include "kernel.h"
#include "ptrace.h"
#include "uapi/errno.h"

/* Words of struct user_regs_struct. */
enum {
	R_R15, R_R14, R_R13, R_R12, R_RBP, R_RBX, R_R11, R_R10, R_R9, R_R8, R_RAX, R_RCX,
	R_RDX, R_RSI, R_RDI, R_ORIG_RAX, R_RIP, R_CS, R_EFLAGS, R_RSP, R_SS, R_FS_BASE,
	R_GS_BASE, R_DS, R_ES, R_FS, R_GS,
};

/* Linux's TASK_SIZE_MAX: the FS/GS base must lie below it (putreg). */
#define BASE_LIMIT	0x00007ffffffff000UL
/* The flags a tracer may change (Linux's FLAG_MASK). */
#define FLAG_MASK	0x50dd5UL

_Static_assert(R_GS + 1 == PTRACE_NREGS, "user_regs_struct has 27 words");

/* arch_ptrace_get_regs - see include/ptrace.h. orig_rax: the system call
 * the tracee is in (or returned from), -1 after a trap or interrupt. */
void arch_ptrace_get_regs(struct task *t, u64 *regs)
{
	const struct trapframe *tf = arch_task_trapframe(t);

	arch_core_regs(t, tf, t->syscall_nr, regs);
	regs[R_GS_BASE] = t->arch.gs_base;
}

/* A data selector Linux would load: null or RPL 3 (invalid_selector()). */
static bool data_selector_ok(u64 v)
{
	return v == 0 || v == GDT_UDATA;
}

/* arch_ptrace_set_reg - see include/ptrace.h. Sprout runs 64-bit user code
 * only, with fixed selectors (Linux's): cs and ss must name the 64-bit
 * user segments, the data selectors null or the user data segment; the
 * values read back are the real ones, so GETREGS/SETREGS round-trips. */
int arch_ptrace_set_reg(struct task *t, int idx, u64 v)
{
	struct trapframe *tf = arch_task_trapframe(t);

	switch (idx) {
	case R_R15: tf->r15 = v; return 0;
	case R_R14: tf->r14 = v; return 0;
	case R_R13: tf->r13 = v; return 0;
	case R_R12: tf->r12 = v; return 0;
	case R_RBP: tf->rbp = v; return 0;
	case R_RBX: tf->rbx = v; return 0;
	case R_R11: tf->r11 = v; return 0;
	case R_R10: tf->r10 = v; return 0;
	case R_R9: tf->r9 = v; return 0;
	case R_R8: tf->r8 = v; return 0;
	case R_RAX: tf->rax = v; return 0;
	case R_RCX: tf->rcx = v; return 0;
	case R_RDX: tf->rdx = v; return 0;
	case R_RSI: tf->rsi = v; return 0;
	case R_RDI: tf->rdi = v; return 0;
	case R_ORIG_RAX: t->syscall_nr = (long)v; return 0;
	/* A non-canonical rip is stored as Linux stores it: the return to
	 * user mode then faults (SIGSEGV), on Linux by iret's #GP. */
	case R_RIP: tf->rip = v; return 0;
	case R_CS:
		if (v != GDT_UCODE)
			return -EIO;
		return 0;
	case R_SS:
		if (v != GDT_UDATA)
			return -EIO;
		return 0;
	case R_EFLAGS:
		tf->rflags = (tf->rflags & ~FLAG_MASK) | (v & FLAG_MASK);
		return 0;
	case R_RSP: tf->rsp = v; return 0;
	case R_FS_BASE:
		if (v >= BASE_LIMIT)
			return -EIO;
		t->arch.fs_base = v;	/* loaded by arch_switch() */
		return 0;
	case R_GS_BASE:
		if (v >= BASE_LIMIT)
			return -EIO;
		t->arch.gs_base = v;
		return 0;
	case R_DS: case R_ES: case R_FS: case R_GS:
		/* 64-bit mode ignores them; only a loadable value is accepted. */
		return data_selector_ok(v) ? 0 : -EIO;
	default:
		return -EIO;
	}
}

/* arch_ptrace_get_fpregs - see include/ptrace.h: the image arch_switch()
 * saved when the tracee last switched out. */
void arch_ptrace_get_fpregs(struct task *t, u8 *area)
{
	arch_core_fpregs(t, area);
}

#define FXSAVE_MXCSR		24
#define FXSAVE_MXCSR_MASK	28

_Static_assert(ARCH_XSTATE_MAX >= ARCH_FPU_AREA_SIZE, "an XSAVE image fits the regset buffer");

/* arch_ptrace_xstate_size - see include/ptrace.h. */
u32 arch_ptrace_xstate_size(void)
{
	return x86_cpu.xcr0 ? x86_cpu.xsave_size : 0;
}

/* arch_ptrace_get_xstate - see include/ptrace.h. */
void arch_ptrace_get_xstate(struct task *t, u8 *area)
{
	/* The FXSAVE image's software-reserved bytes (464..511) as Linux fills them for
	 * ptrace (xstate_fx_sw_bytes): XCR0 in the first word, where gdb reads it, the rest 0. */
	arch_core_fpregs_xstate(t, area);
	memset(area + 464, 0, 48);
	memcpy(area + 464, &x86_cpu.xcr0, 8);
}

/* arch_ptrace_set_xstate - see include/ptrace.h. */
int arch_ptrace_set_xstate(struct task *t, const u8 *area, size_t len)
{
	u8 img[ARCH_FPU_AREA_SIZE] __aligned(64);
	u64 hdr[8];

	memcpy(img, t->arch.fpu, sizeof(img));
	memcpy(img, area, MIN(len, (size_t)x86_cpu.xsave_size));
	memcpy(hdr, img + XSAVE_HEADER, sizeof(hdr));
	if (hdr[0] & ~x86_cpu.xcr0)
		return -EINVAL;
	for (int i = 1; i < 8; i++)
		if (hdr[i])
			return -EINVAL;
	arch_ptrace_set_fpregs(t, img);	/* the legacy part, MXCSR checked */
	memcpy(t->arch.fpu + 512, img + 512, x86_cpu.xsave_size - 512);
	memcpy(t->arch.fpu + XSAVE_HEADER, &hdr[0], 8);
	return 0;
}

/* arch_ptrace_set_fpregs - see include/ptrace.h. MXCSR bits the CPU does
 * not support are cleared (fxrstor would #GP on them), as Linux does. */
void arch_ptrace_set_fpregs(struct task *t, const u8 *area)
{
	u8 probe[PTRACE_FPREGS_SIZE] __aligned(16);
	u32 mask, mxcsr;

	memset(probe, 0, sizeof(probe));
	__asm__ volatile("fxsave64 %0" : "=m"(*(u8 (*)[PTRACE_FPREGS_SIZE])probe));
	mask = *(u32 *)(probe + FXSAVE_MXCSR_MASK);
	if (!mask)
		mask = 0xffbf;
	memcpy(t->arch.fpu, area, PTRACE_FPREGS_SIZE);
	memcpy(&mxcsr, t->arch.fpu + FXSAVE_MXCSR, 4);
	mxcsr &= mask;
	memcpy(t->arch.fpu + FXSAVE_MXCSR, &mxcsr, 4);
	memcpy(t->arch.fpu + FXSAVE_MXCSR_MASK, &mask, 4);
	if (x86_cpu.xcr0) {
		u64 bv;		/* XRSTOR takes x87 and SSE from the image just written */

		memcpy(&bv, t->arch.fpu + XSAVE_HEADER, 8);
		bv |= 3;
		memcpy(t->arch.fpu + XSAVE_HEADER, &bv, 8);
	}
}

/* arch_ptrace_single_step - see include/ptrace.h. */
void arch_ptrace_single_step(struct task *t, bool on)
{
	struct trapframe *tf = arch_task_trapframe(t);

	if (on)
		tf->rflags |= RFLAGS_TF;
	else
		tf->rflags &= ~RFLAGS_TF;
}
