/*
 * Signals, the part the lifecycle needs now: sigaction and the signal mask
 * are recorded; kill(2) makes signals pending; a pending signal whose action
 * is the default "terminate" (or SIGKILL) ends the process on its way back to
 * user mode, and the parent sees WIFSIGNALED. Ignored signals are discarded
 * when sent, as Linux does. Running user handlers, stop/continue and queued
 * siginfo come with the signals work; until then a signal with a handler
 * stays pending and does not interrupt sleeps.
 *
 * Locks: pending sets are guarded by process->lock; actions by sighand->lock.
 */
#include "kernel.h"
#include "task.h"
#include "cpu.h"
#include "uaccess.h"
#include "uapi/errno.h"
#include "uapi/signal.h"
#include "uapi/wait.h"

#define SIGBIT(sig)	(1UL << ((sig) - 1))

/* Signals whose default action is to be ignored (signal(7)). */
static const sigset_t default_ignore = SIGBIT(SIGCHLD) | SIGBIT(SIGURG) | SIGBIT(SIGWINCH) |
					SIGBIT(SIGCONT);
/* Signals whose default action is to stop (handled with job control). */
static const sigset_t default_stop = SIGBIT(SIGSTOP) | SIGBIT(SIGTSTP) | SIGBIT(SIGTTIN) |
				      SIGBIT(SIGTTOU);
static const sigset_t unblockable = SIGBIT(SIGKILL) | SIGBIT(SIGSTOP);

static u64 action_handler(struct process *p, int sig)
{
	return p->sighand->action[sig - 1].handler;
}

/* Signals of @p whose action right now is "terminate the process". */
static sigset_t fatal_set(struct process *p)
{
	sigset_t fatal = SIGBIT(SIGKILL);

	for (int sig = 1; sig <= NSIG; sig++) {
		sigset_t bit = SIGBIT(sig);

		if ((bit & (default_ignore | default_stop)) || sig == SIGKILL)
			continue;
		if (action_handler(p, sig) == SIG_DFL)
			fatal |= bit;
	}
	return fatal;
}

static sigset_t deliverable(struct task *t)
{
	struct process *p = t->proc;

	if (!p->sighand)
		return 0;
	return (t->pending | p->shared_pending) & ~(t->blocked & ~unblockable) & fatal_set(p);
}

/* send_signal_process - see include/task.h. Any context but interrupts. */
void send_signal_process(struct process *p, int sig)
{
	struct task *t;

	if (sig <= 0 || sig > NSIG || p->state != PROC_ALIVE || !p->sighand)
		return;
	u64 h = action_handler(p, sig);

	/* Generation-time discard of ignored signals (signal(7)). */
	if (sig != SIGKILL && (h == SIG_IGN || (h == SIG_DFL && (SIGBIT(sig) & default_ignore))))
		return;
	spin_lock(&p->lock);
	p->shared_pending |= SIGBIT(sig);
	list_for_each_entry(t, &p->threads, thread_link)
		sched_wake_task(t);
	spin_unlock(&p->lock);
}

/* signal_pending_current - see include/sched.h. */
bool signal_pending_current(void)
{
	struct task *t = current;

	return t->proc && (deliverable(t) != 0 || task_group_exit_pending(t));
}

/* task_has_user_work - see include/sched.h. Interrupts disabled. */
bool task_has_user_work(struct task *t)
{
	return t->set_child_tid || (t->proc && t->mm && deliverable(t)) ||
	       (t->mm && task_group_exit_pending(t));
}

/* task_do_user_work - see include/sched.h. */
void task_do_user_work(struct trapframe *tf)
{
	struct task *t = current;

	task_group_exit_check();	/* another thread's exit_group or execve */
	if (t->set_child_tid) {
		u64 addr = t->set_child_tid;

		t->set_child_tid = 0;
		put_user_u32((void *)addr, (u32)t->tid);
	}
	sigset_t d = deliverable(t);

	if (d) {
		int sig = __builtin_ctzl(d) + 1;

		if (d & SIGBIT(SIGKILL))
			sig = SIGKILL;
		do_exit_group(wait_status_signaled(sig, 0));
	}
}

/* signal_reset_on_exec - see include/task.h. */
void signal_reset_on_exec(struct process *p)
{
	spin_lock(&p->sighand->lock);
	for (int i = 0; i < NSIG; i++) {
		struct k_sigaction *a = &p->sighand->action[i];

		if (a->handler != SIG_IGN)
			memset(a, 0, sizeof(*a));
	}
	spin_unlock(&p->sighand->lock);
}

/*
 * sys_rt_sigaction - rt_sigaction(2): record a signal action. Returns 0,
 * -EINVAL (bad signal, SIGKILL/SIGSTOP, sigsetsize != 8) or -EFAULT.
 */
long sys_rt_sigaction(int sig, const struct k_sigaction __user *act,
		      struct k_sigaction __user *oact, size_t sigsetsize)
{
	struct process *p = current->proc;
	struct k_sigaction new, old;

	if (sigsetsize != sizeof(sigset_t) || sig < 1 || sig > NSIG)
		return -EINVAL;
	if (act && (sig == SIGKILL || sig == SIGSTOP))
		return -EINVAL;
	if (act && copy_from_user(&new, act, sizeof(new)))
		return -EFAULT;
	spin_lock(&p->sighand->lock);
	old = p->sighand->action[sig - 1];
	if (act) {
		new.mask &= ~unblockable;
		p->sighand->action[sig - 1] = new;
	}
	spin_unlock(&p->sighand->lock);
	if (act && (new.handler == SIG_IGN ||
		    (new.handler == SIG_DFL && (SIGBIT(sig) & default_ignore)))) {
		/* Setting SIG_IGN discards a pending instance (POSIX). */
		spin_lock(&p->lock);
		p->shared_pending &= ~SIGBIT(sig);
		current->pending &= ~SIGBIT(sig);
		spin_unlock(&p->lock);
	}
	if (oact && copy_to_user(oact, &old, sizeof(old)))
		return -EFAULT;
	return 0;
}

/* sys_rt_sigprocmask - rt_sigprocmask(2). 0, -EINVAL or -EFAULT. */
long sys_rt_sigprocmask(int how, const sigset_t __user *set, sigset_t __user *oset,
			size_t sigsetsize)
{
	struct task *t = current;
	sigset_t old = t->blocked, new;

	if (sigsetsize != sizeof(sigset_t))
		return -EINVAL;
	if (set) {
		if (copy_from_user(&new, set, sizeof(new)))
			return -EFAULT;
		switch (how) {
		case SIG_BLOCK:
			new = old | new;
			break;
		case SIG_UNBLOCK:
			new = old & ~new;
			break;
		case SIG_SETMASK:
			break;
		default:
			return -EINVAL;
		}
		t->blocked = new & ~unblockable;
	}
	if (oset && copy_to_user(oset, &old, sizeof(old)))
		return -EFAULT;
	return 0;
}

/* Next process after @p in a depth-first walk of @root's subtree, or NULL. */
static struct process *tree_next(struct process *root, struct process *p)
{
	if (!list_empty(&p->children))
		return list_first_entry(&p->children, struct process, sibling);
	while (p != root) {
		struct process *parent = p->parent;

		if (p->sibling.next != &parent->children)
			return list_entry(p->sibling.next, struct process, sibling);
		p = parent;
	}
	return NULL;
}

/*
 * Signal every live process of @root's subtree in process group @pgid, or,
 * with @pgid 0, every one except init and @self (kill(-1, ...)). Returns how
 * many matched. Caller holds tasklist_lock. Iterative: trees can be deep.
 */
static int kill_walk(struct process *root, pid_t pgid, struct process *self, int sig)
{
	int found = 0;

	for (struct process *p = root; p; p = tree_next(root, p)) {
		if (p->state != PROC_ALIVE)
			continue;
		if (pgid ? p->pgid != pgid : (p->pid == 1 || p == self))
			continue;
		found++;
		send_signal_process(p, sig);
	}
	return found;
}

/* signal_send_pgrp - see include/task.h. */
int signal_send_pgrp(pid_t pgid, int sig)
{
	return pgid > 0 ? kill_walk(init_process, pgid, NULL, sig) : 0;
}

/*
 * sys_kill - kill(2): @pid > 0 one process, 0 the caller's process group,
 * -1 every process but init and the caller, < -1 the group -pid. Signal 0
 * checks existence. Returns 0, -EINVAL or -ESRCH. Credentials are root for
 * now, so -EPERM does not arise yet.
 */
long sys_kill(pid_t pid, int sig)
{
	struct process *self = current->proc;
	struct process *p;
	int found = 0;

	if (sig < 0 || sig > NSIG)
		return -EINVAL;
	spin_lock(&tasklist_lock);
	if (pid > 0) {
		p = process_find(pid);
		if (p && p->state == PROC_ALIVE) {
			found = 1;
			send_signal_process(p, sig);
		} else if (p) {
			found = 1;	/* a zombie exists: kill succeeds, no effect */
		}
	} else {
		pid_t pgid = pid == 0 ? self->pgid : -pid;

		/* Walk the tree from init: every user process descends from it. */
		found = kill_walk(init_process, pid == -1 ? 0 : pgid, self, sig);
	}
	spin_unlock(&tasklist_lock);
	return found ? 0 : -ESRCH;
}
