/*
 * Hardware breakpoints and watchpoints for ptrace(2): the debug registers of
 * struct user's u_debugreg[8] (<sys/user.h>), which a tracer reads and
 * writes with PTRACE_PEEKUSER/POKEUSER (gdb's "watch" and "hbreak").
 *
 * A task's DR0-DR3 (addresses) and its DR7 (which of them are on, for what
 * access and length) are kept as the tracer wrote them in struct
 * arch_thread and loaded into the CPU when the task is switched in; a CPU
 * whose DR7 is on clears it when it switches to a task without breakpoints.
 * When one fires in user mode (#DB, a trap after the access; a fault before
 * the instruction for an execute breakpoint), the task's virtual DR6 records
 * which, and the task gets SIGTRAP with TRAP_HWBKPT, so its tracer sees a
 * signal-delivery-stop and reads DR6 to learn which watchpoint it was.
 * A hit in kernel mode (the kernel copying to or from a watched user
 * address) is passed over without a signal, as on Linux.
 *
 * Semantics: Linux's arch/x86/kernel/ptrace.c (ptrace_get_debugreg,
 * ptrace_set_debugreg, ptrace_write_dr7) and hw_breakpoint.c; the register
 * layouts: Intel SDM vol. 3B 17.2.
 *
 * Locks: the fields are the task's own while it runs ([c]) and its tracer's
 * while it is in a tracing stop (the tracer's requests require that stop).
 */
#include "x86.h"
#include "x86_asm.h"
#include "task.h"
#include "kernel.h"
#include "cpu.h"
#include "ptrace.h"
#include "uapi/errno.h"

#define DR_TRAP_BITS	0xfUL		/* DR6 B0-B3: which breakpoint fired */
#define DR_STEP		0x4000UL	/* DR6 BS: a single-step trap */
#define DR6_RESERVED	0xffff0ff0UL	/* DR6 bits that read as 1 (Linux's polarity flip) */
#define DR7_LE		0x100UL		/* exact data breakpoints (Linux sets it too) */
#define DR7_FIXED	0x400UL		/* bit 10 reads as 1 */
#define RW_EXECUTE	0
#define RW_IO		2
/* Linux's TASK_SIZE_MAX: a breakpoint must lie wholly below it. */
#define BP_LIMIT	0x00007ffffffff000UL

static u64 read_dr6(void)
{
	u64 v;

	__asm__ volatile("mov %%db6, %0" : "=r"(v));
	return v;
}

static void write_dr(int n, u64 v)
{
	switch (n) {
	case 0: __asm__ volatile("mov %0, %%db0" : : "r"(v)); break;
	case 1: __asm__ volatile("mov %0, %%db1" : : "r"(v)); break;
	case 2: __asm__ volatile("mov %0, %%db2" : : "r"(v)); break;
	case 3: __asm__ volatile("mov %0, %%db3" : : "r"(v)); break;
	case 6: __asm__ volatile("mov %0, %%db6" : : "r"(v)); break;
	case 7: __asm__ volatile("mov %0, %%db7" : : "r"(v)); break;
	}
}

/* Is slot @i on in @dr7 (its local or global enable bit)? */
static bool slot_on(u64 dr7, int i)
{
	return (dr7 >> (2 * i)) & 3;
}

static unsigned slot_rw(u64 dr7, int i)
{
	return (dr7 >> (16 + 4 * i)) & 3;
}

/* Bytes covered by slot @i: LEN 00 1, 01 2, 11 4, 10 8. */
static u64 slot_len(u64 dr7, int i)
{
	static const u8 bytes[4] = { 1, 2, 8, 4 };

	return bytes[(dr7 >> (18 + 4 * i)) & 3];
}

/* Can slot @i of @dr7 watch @addr? 0 or -EINVAL (ptrace_write_dr7's checks:
 * no I/O breakpoints, execute ones one byte long, aligned, in user space). */
static int slot_check(u64 dr7, int i, u64 addr)
{
	u64 len = slot_len(dr7, i);

	if (slot_rw(dr7, i) == RW_IO)
		return -EINVAL;
	if (slot_rw(dr7, i) == RW_EXECUTE && len != 1)
		return -EINVAL;
	if ((addr & (len - 1)) || addr >= BP_LIMIT || addr + len > BP_LIMIT)
		return -EINVAL;
	return 0;
}

/* The DR7 to load for @dr7 as ptrace wrote it: the local enable bit of each
 * slot that is on, with its access type and length. */
static u64 hw_dr7(u64 dr7)
{
	u64 hw = 0;

	for (int i = 0; i < 4; i++)
		if (slot_on(dr7, i))
			hw |= (1UL << (2 * i)) | (0xfUL << (16 + 4 * i) & dr7);
	return hw ? hw | DR7_LE | DR7_FIXED : 0;
}

/* x86_debugreg_switch - see x86.h. */
void x86_debugreg_switch(struct cpu *c, struct task *next)
{
	u64 hw = hw_dr7(next->arch.dr7);

	if (hw) {
		write_dr(7, 0);
		for (int i = 0; i < 4; i++)
			write_dr(i, next->arch.dr[i]);
	}
	write_dr(7, hw);
	c->arch.dr7_loaded = hw;
}

/* x86_debug_trap - see x86.h. */
int x86_debug_trap(struct trapframe *tf)
{
	struct task *t = current_task();
	u64 dr6 = read_dr6() ^ DR6_RESERVED;	/* positive polarity, as Linux keeps it */
	u64 hits = 0;

	write_dr(6, DR6_RESERVED);
	if (t)
		for (int i = 0; i < 4; i++)
			if ((dr6 & (1UL << i)) && slot_on(t->arch.dr7, i))
				hits |= 1UL << i;
	if (!tf_user_mode(tf))
		return hits ? -1 : -2;	/* -1: a watched user address touched by the kernel */
	if (!(dr6 & DR_STEP) && !hits && (dr6 & DR_TRAP_BITS)) {
		/* A breakpoint this task no longer has (its tracer went away while
		 * it ran): load what it has now and go on without a signal. */
		x86_debugreg_switch(this_cpu(), t);
		return -1;
	}
	if (t)
		t->arch.dr6 = (dr6 & DR_STEP) | hits;
	for (int i = 0; i < 4; i++)
		if ((hits & (1UL << i)) && slot_rw(t->arch.dr7, i) == RW_EXECUTE)
			tf->rflags |= RFLAGS_RF;	/* do not fault on it again */
	return (dr6 & DR_STEP) ? TRAP_TRACE : hits ? TRAP_HWBKPT : TRAP_BRKPT;
}

/* arch_ptrace_get_debugreg - see include/ptrace.h. */
u64 arch_ptrace_get_debugreg(struct task *t, int n)
{
	if (n < 4)
		return t->arch.dr[n];
	if (n == 6)
		return t->arch.dr6 ^ DR6_RESERVED;
	if (n == 7)
		return t->arch.dr7;
	return 0;
}

/* arch_ptrace_set_debugreg - see include/ptrace.h. */
int arch_ptrace_set_debugreg(struct task *t, int n, u64 v)
{
	if (n < 4) {
		if (v >= BP_LIMIT)
			return -EINVAL;
		if (slot_on(t->arch.dr7, n) && slot_check(t->arch.dr7, n, v))
			return -EINVAL;
		t->arch.dr[n] = v;
		return 0;
	}
	if (n == 6) {
		t->arch.dr6 = v ^ DR6_RESERVED;
		return 0;
	}
	if (n == 7) {
		for (int i = 0; i < 4; i++)
			if (slot_on(v, i) && slot_check(v, i, t->arch.dr[i]))
				return -EINVAL;
		t->arch.dr7 = v;
		return 0;
	}
	return -EIO;
}

/* arch_ptrace_clear_debugregs - see include/ptrace.h. */
void arch_ptrace_clear_debugregs(struct task *t)
{
	for (int i = 0; i < 4; i++)
		t->arch.dr[i] = 0;
	t->arch.dr6 = 0;
	t->arch.dr7 = 0;
}
