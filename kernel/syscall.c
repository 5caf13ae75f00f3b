/*
 * System call dispatch: the table generated from kernel/syscalls.tbl maps
 * Linux x86-64 numbers to handlers; a small hand-written one below maps
 * Sprout's private range (include/uapi/sprout.h). A handler returns a value
 * or a negative errno; this is the only place that stores it into the
 * user's rax.
 */
#include "kernel.h"
#include "arch.h"
#include "sched.h"
#include "task.h"
#include "cpu.h"
#include "ptrace.h"
#include "uapi/errno.h"
#include "uapi/sprout.h"

typedef long (*syscall_fn)(u64, u64, u64, u64, u64, u64);

#define SYSCALL_TABLE_DEFINE
#define SYSCALL_NAMES_DEFINE
#include "syscall_table.h"

/*
 * Sprout's private system calls, numbered from SPROUT_SYSCALL_BASE
 * (include/uapi/sprout.h lists them); written by hand, as there are few.
 * Index: number - SPROUT_SYSCALL_BASE.
 */
extern long sys_sprout_send();
extern long sys_sprout_receive();
extern long sys_sprout_sendrec();
static const syscall_fn sprout_syscall_table[SPROUT_SYSCALL_COUNT] = {
	[SPROUT_SYS_SEND - SPROUT_SYSCALL_BASE] = (syscall_fn)sys_sprout_send,
	[SPROUT_SYS_RECEIVE - SPROUT_SYSCALL_BASE] = (syscall_fn)sys_sprout_receive,
	[SPROUT_SYS_SENDREC - SPROUT_SYSCALL_BASE] = (syscall_fn)sys_sprout_sendrec,
};

/* The handler of syscall @nr, from the Linux table or the private one; NULL if none. */
static syscall_fn syscall_lookup(long nr)
{
	if (nr >= 0 && nr < SYSCALL_MAX)
		return syscall_table[nr];
	if (nr >= SPROUT_SYSCALL_BASE && nr < SPROUT_SYSCALL_BASE + SPROUT_SYSCALL_COUNT)
		return sprout_syscall_table[nr - SPROUT_SYSCALL_BASE];
	return NULL;
}

/*
 * Unimplemented calls are logged once per (syscall number, program name):
 * enough to see what a program is missing, while no program can flood the
 * log by calling one in a loop. The table is bounded; once it is full one
 * last line says so and later misses go unlogged (prctl(PR_SET_NAME) could
 * otherwise mint new names forever).
 * Locks: enosys_lock guards enosys_seen and enosys_used.
 */
#define ENOSYS_LOG_MAX	256

struct enosys_entry {
	long nr;
	char comm[TASK_COMM_LEN];
};

static struct spinlock enosys_lock = SPINLOCK_INIT("enosys");
static struct enosys_entry enosys_seen[ENOSYS_LOG_MAX];	/* [enosys_lock] */
static u32 enosys_used;					/* [enosys_lock] */

/* Is (@nr, @comm) new? Records it; false once the table is full. */
static bool enosys_first(long nr, const char *comm, bool *full)
{
	bool first = true;

	*full = false;
	spin_lock(&enosys_lock);
	for (u32 i = 0; i < enosys_used && first; i++)
		if (enosys_seen[i].nr == nr &&
		    !strncmp(enosys_seen[i].comm, comm, TASK_COMM_LEN))
			first = false;
	if (first && enosys_used < ENOSYS_LOG_MAX) {
		enosys_seen[enosys_used].nr = nr;
		memcpy(enosys_seen[enosys_used].comm, comm, TASK_COMM_LEN);
		if (++enosys_used == ENOSYS_LOG_MAX)
			*full = true;
	} else if (first) {
		first = false;
	}
	spin_unlock(&enosys_lock);
	return first;
}

static long syscall_enosys(long nr)
{
	const char *name = "?";
	char comm[TASK_COMM_LEN];
	bool full;

	memcpy(comm, current->comm, TASK_COMM_LEN);
	comm[TASK_COMM_LEN - 1] = '\0';
	if (nr >= 0 && (u64)nr < ARRAY_SIZE(syscall_names) && syscall_names[nr])
		name = syscall_names[nr];
	if (!enosys_first(nr, comm, &full))
		return -ENOSYS;
	printk("sprout: unimplemented syscall %s (%ld) by pid %d (%s): -ENOSYS\n", name, nr,
	       current->proc ? current->proc->pid : 0, comm);
	if (full)
		printk("sprout: further unimplemented syscalls are not logged\n");
	return -ENOSYS;
}

/*
 * The less travelled way through syscall_dispatch(): a call traced with PTRACE_SYSCALL or an
 * unknown number. Out of line so that the usual way saves and restores fewer registers.
 */
static __attribute__((noinline)) void syscall_dispatch_slow(struct trapframe *tf,
							     struct task *t, long nr)
{
	syscall_fn fn = syscall_lookup(nr);
	long ret;
	bool skipped = false;

	/* Traced with PTRACE_SYSCALL: the syscall-entry stop, where the tracer
	 * may change the number and arguments or skip the call (-1). */
	if (t->ptrace & PT_SYSCALL) {
		nr = ptrace_syscall_entry(tf);
		skipped = nr == -1;
		fn = skipped ? NULL : syscall_lookup(nr);
	}
	if (fn)
		ret = fn(tf_syscall_arg(tf, 0), tf_syscall_arg(tf, 1), tf_syscall_arg(tf, 2),
			 tf_syscall_arg(tf, 3), tf_syscall_arg(tf, 4), tf_syscall_arg(tf, 5));
	else if (skipped)
		ret = tf_get_return(tf);	/* skipped: rax as the tracer left it */
	else
		ret = syscall_enosys(nr);
	/* An -ERESTART* code stays in rax for the return path: signal
	 * delivery turns it into -EINTR or restarts the call (kernel/signal.c). */
	tf_set_return(tf, ret);
	signal_syscall_done(t, nr, ret);
	if (t->ptrace & PT_SYSCALL)
		ptrace_syscall_exit(tf);
}

/* syscall_dispatch - see include/arch.h. */
void syscall_dispatch(struct trapframe *tf)
{
	struct task *t = current;
	long nr = tf_syscall_nr(tf);
	syscall_fn fn = (unsigned long)nr < SYSCALL_MAX ? syscall_table[nr] : NULL;
	long ret;

	t->syscall_nr = nr;
	/* Untraced and a Linux number with a handler, this is one predictable branch; the
	 * rest (Sprout's own numbers among them) goes the slow way. */
	if (unlikely(t->ptrace & PT_SYSCALL))
		goto slow;
	/* Two tests, two branches: folded into one (setcc, or) they cost more. */
	__asm__ volatile("");
	if (unlikely(!fn))
		goto slow;
	ret = fn(tf_syscall_arg(tf, 0), tf_syscall_arg(tf, 1), tf_syscall_arg(tf, 2),
		 tf_syscall_arg(tf, 3), tf_syscall_arg(tf, 4), tf_syscall_arg(tf, 5));
	/* An -ERESTART* code stays in rax for the return path: signal
	 * delivery turns it into -EINTR or restarts the call (kernel/signal.c). */
	tf_set_return(tf, ret);
	signal_syscall_done(t, nr, ret);
	/* PTRACE_SYSCALL set while the call ran (a tracer attached): the exit stop. */
	if (unlikely(t->ptrace & PT_SYSCALL))
		ptrace_syscall_exit(tf);
	return;
slow:
	syscall_dispatch_slow(tf, t, nr);
}
