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

/* One bit per syscall number already reported as unimplemented. */
static u64 enosys_logged[(ARRAY_SIZE(syscall_names) + 63) / 64 + 1];

static long syscall_enosys(long nr)
{
	const char *name = "?";

	if (nr >= 0 && (u64)nr < ARRAY_SIZE(syscall_names) && syscall_names[nr])
		name = syscall_names[nr];
	if (nr >= 0 && (u64)nr < ARRAY_SIZE(syscall_names)) {
		u64 bit = 1UL << (nr % 64);
		u64 *word = &enosys_logged[nr / 64];

		if (__atomic_fetch_or(word, bit, __ATOMIC_RELAXED) & bit)
			return -ENOSYS;
	}
	printk("sprout: unimplemented syscall %s (%ld): -ENOSYS\n", name, nr);
	return -ENOSYS;
}

/* syscall_dispatch - see include/arch.h. */
void syscall_dispatch(struct trapframe *tf)
{
	long nr = tf_syscall_nr(tf);
	syscall_fn fn = syscall_lookup(nr);
	long ret;

	current->syscall_nr = nr;
	if (fn)
		ret = fn(tf_syscall_arg(tf, 0), tf_syscall_arg(tf, 1), tf_syscall_arg(tf, 2),
			 tf_syscall_arg(tf, 3), tf_syscall_arg(tf, 4), tf_syscall_arg(tf, 5));
	else
		ret = syscall_enosys(nr);
	/* An -ERESTART* code stays in rax for the return path: signal
	 * delivery turns it into -EINTR or restarts the call (kernel/signal.c). */
	tf_set_return(tf, ret);
	signal_syscall_done(current, nr, ret);
}
