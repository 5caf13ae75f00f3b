/*
 * What the two signal files share, private to kernel/: kernel/signal.c
 * (generation, pending sets, delivery) and kernel/sys_signal.c (the signal
 * system calls a process uses on itself). Signal bits, the default-action
 * sets both consult, the alternate-stack tests, and the two pending-set
 * operations the system calls need. Everything else stays static in its file.
 *
 * Locks: as in kernel/signal.c -- pending sets and queues [P] process->lock;
 * actions sighand->lock (a leaf, taken under process->lock). A task's mask
 * and alternate stack are [c], its own (include/task.h).
 */
#ifndef SPROUT_KERNEL_SIGNAL_INTERNAL_H
#define SPROUT_KERNEL_SIGNAL_INTERNAL_H

#include "kernel.h"
#include "task.h"
#include "uapi/signal.h"

#define SIGBIT(sig)	(1UL << ((sig) - 1))

/* Default actions (signal(7)): the ones both files use; the rest are in signal.c. */
static const sigset_t default_ignore = SIGBIT(SIGCHLD) | SIGBIT(SIGURG) | SIGBIT(SIGWINCH) |
					SIGBIT(SIGCONT);
static const sigset_t unblockable = SIGBIT(SIGKILL) | SIGBIT(SIGSTOP);

static inline bool sig_valid(int sig) { return sig >= 1 && sig <= NSIG; }

static inline bool handler_ignores(u64 handler, int sig)
{
	return handler == SIG_IGN || (handler == SIG_DFL && (SIGBIT(sig) & default_ignore));
}

static inline bool on_altstack(struct task *t, u64 sp)
{
	return t->altstack_size && sp > t->altstack_sp && sp <= t->altstack_sp + t->altstack_size;
}

static inline void altstack_to_user(struct task *t, u64 sp, struct linux_stack *ss)
{
	ss->ss_sp = t->altstack_sp;
	ss->ss_size = t->altstack_size;
	ss->_pad = 0;
	if (t->altstack_flags & SS_DISABLE)
		ss->ss_flags = SS_DISABLE;
	else
		ss->ss_flags = (on_altstack(t, sp) ? SS_ONSTACK : 0) |
			       (int)(t->altstack_flags & SS_AUTODISARM);
}

/*
 * sig_discard_everywhere - discard @mask from the process set and every
 * thread's: every pending instance of those signals, with its queued
 * siginfo records, goes. Holds p->lock (the caller does). Sleeps: no.
 * Used where POSIX.1-2017 2.4.3 discards pending signals (SIGCONT versus
 * stop signals, an action set to ignore).
 */
void sig_discard_everywhere(struct process *p, sigset_t mask);

/*
 * sig_dequeue - dequeue the next signal of @t not in @mask: thread set
 * first (but a process-wide SIGKILL before other thread signals; SIGKILL
 * and synchronous faults first within a set). Returns the signal number with
 * its siginfo in *@info, or 0 when none is pending outside @mask. Holds
 * p->lock (the caller holds @t->proc->lock). Sleeps: no. signal(7).
 */
int sig_dequeue(struct task *t, sigset_t mask, struct linux_siginfo *info);

#endif
