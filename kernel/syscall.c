/*
 * System call dispatch: the table generated from kernel/syscalls.tbl maps
 * Linux x86-64 numbers to handlers. A handler returns a value or a negative
 * errno; this is the only place that stores it into the user's rax.
 */
#include "kernel.h"
#include "arch.h"
#include "sched.h"
#include "task.h"
#include "cpu.h"
#include "uapi/errno.h"

typedef long (*syscall_fn)(u64, u64, u64, u64, u64, u64);

#define SYSCALL_TABLE_DEFINE
#define SYSCALL_NAMES_DEFINE
#include "syscall_table.h"

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
	long ret;

	current->syscall_nr = nr;
	if (nr >= 0 && nr < SYSCALL_MAX && syscall_table[nr])
		ret = syscall_table[nr](tf_syscall_arg(tf, 0), tf_syscall_arg(tf, 1),
					tf_syscall_arg(tf, 2), tf_syscall_arg(tf, 3),
					tf_syscall_arg(tf, 4), tf_syscall_arg(tf, 5));
	else
		ret = syscall_enosys(nr);
	/* An -ERESTART* code stays in rax for the return path: signal
	 * delivery turns it into -EINTR or restarts the call (kernel/signal.c). */
	tf_set_return(tf, ret);
	signal_syscall_done(current, nr, ret);
}
