/*
 * The signal system calls a process uses on its own signal state:
 * rt_sigaction(2) (actions), rt_sigprocmask(2) and rt_sigpending(2) (the
 * mask and what it holds back), rt_sigsuspend(2), pause(2) and
 * rt_sigtimedwait(2) (waiting for a signal), rt_sigreturn(2) (back from a
 * handler), sigaltstack(2) (the alternate stack) and restart_syscall(2).
 *
 * Generation, pending sets and delivery are in kernel/signal.c; sending to
 * other processes is in kernel/kill.c. The helpers shared with signal.c are
 * declared in kernel/signal_internal.h.
 *
 * Locks: pending sets [P] process->lock; actions sighand->lock (a leaf,
 * taken under process->lock). A task's mask and alternate stack are [c],
 * its own (include/task.h).
 */
#include "kernel.h"
#include "task.h"
#include "cpu.h"
#include "uaccess.h"
#include "uapi/errno.h"
#include "uapi/signal.h"
#include "signal_internal.h"

/* The sa_flags bits Linux's x86-64 rt_sigaction keeps (its UAPI_SA_FLAGS). */
#define SA_KNOWN_FLAGS	(SA_NOCLDSTOP | SA_NOCLDWAIT | SA_SIGINFO | SA_EXPOSE_TAGBITS | \
			 SA_RESTORER | SA_ONSTACK | SA_RESTART | SA_NODEFER | SA_RESETHAND)

/*
 * sys_rt_sigaction - rt_sigaction(2): read and/or set @sig's action. Setting
 * SIG_IGN (or SIG_DFL for a default-ignored signal) discards pending
 * instances (POSIX). Returns 0, -EINVAL (bad signal, SIGKILL/SIGSTOP,
 * sigsetsize != 8) or -EFAULT. Takes process->lock, sighand->lock.
 */
long sys_rt_sigaction(int sig, const struct k_sigaction __user *act,
		      struct k_sigaction __user *oact, size_t sigsetsize)
{
	struct process *p = current->proc;
	struct k_sigaction new, old;

	if (sigsetsize != sizeof(sigset_t) || !sig_valid(sig))
		return -EINVAL;
	if (act && (sig == SIGKILL || sig == SIGSTOP))
		return -EINVAL;
	if (act && copy_from_user(&new, act, sizeof(new)))
		return -EFAULT;
	/* Unknown flag bits are dropped, so that a program can tell which ones
	 * this kernel knows by reading them back (sigaction(2), SA_UNSUPPORTED). */
	if (act)
		new.flags &= SA_KNOWN_FLAGS;
	spin_lock(&p->lock);
	spin_lock(&p->sighand->lock);
	old = p->sighand->action[sig - 1];
	if (act) {
		new.mask &= ~unblockable;
		p->sighand->action[sig - 1] = new;
	}
	spin_unlock(&p->sighand->lock);
	if (act && handler_ignores(new.handler, sig))
		sig_discard_everywhere(p, SIGBIT(sig));
	spin_unlock(&p->lock);
	if (oact && copy_to_user(oact, &old, sizeof(old)))
		return -EFAULT;
	return 0;
}

/* sys_rt_sigprocmask - rt_sigprocmask(2). 0, -EINVAL or -EFAULT. SIGKILL and
 * SIGSTOP are silently left unblocked. */
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

/* sys_rt_sigpending - rt_sigpending(2): pending signals that are blocked.
 * 0, -EINVAL or -EFAULT. */
long sys_rt_sigpending(sigset_t __user *set, size_t sigsetsize)
{
	struct task *t = current;
	struct process *p = t->proc;
	sigset_t s;

	if (sigsetsize > sizeof(sigset_t))
		return -EINVAL;
	spin_lock(&p->lock);
	s = (t->pending | p->shared_pending) & t->blocked;
	spin_unlock(&p->lock);
	return copy_to_user(set, &s, sigsetsize) ? -EFAULT : 0;
}

/*
 * sys_rt_sigsuspend - rt_sigsuspend(2): wait with @mask as the signal mask
 * until a signal is delivered; the old mask comes back after its handler.
 * Always -EINTR to the caller (through -ERESTARTNOHAND), or -EINVAL/-EFAULT.
 */
long sys_rt_sigsuspend(const sigset_t __user *mask, size_t sigsetsize)
{
	struct task *t = current;
	sigset_t m;

	if (sigsetsize != sizeof(sigset_t))
		return -EINVAL;
	if (copy_from_user(&m, mask, sizeof(m)))
		return -EFAULT;
	t->saved_sigmask = t->blocked;
	t->restore_sigmask = true;
	t->blocked = m & ~unblockable;
	while (!signal_pending_current())
		sleep_ns(~0UL >> 2, NULL);
	return -ERESTARTNOHAND;
}

/* sys_pause - pause(2): sleep until a signal is delivered. -EINTR. */
long sys_pause(void)
{
	while (!signal_pending_current())
		sleep_ns(~0UL >> 2, NULL);
	return -ERESTARTNOHAND;
}

struct k_timespec {
	s64 tv_sec, tv_nsec;
};

/* Is one of @set pending for @t (its own or its process's)? Takes p->lock. */
static bool awaited_pending(struct task *t, sigset_t set)
{
	struct process *p = t->proc;
	bool any;

	spin_lock(&p->lock);
	any = ((t->pending | p->shared_pending) & set) != 0;
	spin_unlock(&p->lock);
	return any;
}

/*
 * sys_rt_sigtimedwait - rt_sigtimedwait(2): take a pending signal of @uset
 * (which should be blocked) without running a handler, waiting up to
 * @uts (NULL: forever). Returns the signal number with *@uinfo filled,
 * -EAGAIN on timeout, -EINTR when another signal arrives, -EINVAL, -EFAULT.
 */
long sys_rt_sigtimedwait(const sigset_t __user *uset, struct linux_siginfo __user *uinfo,
			 const struct k_timespec __user *uts, size_t sigsetsize)
{
	struct task *t = current;
	struct process *p = t->proc;
	struct linux_siginfo info;
	sigset_t set;
	u64 deadline = 0;		/* arch_clock_ns() time; 0: none */
	struct wait_queue wq;
	int sig;

	if (sigsetsize != sizeof(sigset_t))
		return -EINVAL;
	wait_queue_init(&wq, "sigtimedwait");
	if (copy_from_user(&set, uset, sizeof(set)))
		return -EFAULT;
	set &= ~unblockable;
	if (uts) {
		struct k_timespec ts;

		if (copy_from_user(&ts, uts, sizeof(ts)))
			return -EFAULT;
		if (ts.tv_sec < 0 || ts.tv_nsec < 0 || ts.tv_nsec >= 1000000000)
			return -EINVAL;
		/* A timeout past ~292 years cannot expire: none (no wrap-around). */
		if ((u64)ts.tv_sec < (1UL << 62) / 1000000000UL)
			deadline = arch_clock_ns() + (u64)ts.tv_sec * 1000000000UL +
				   (u64)ts.tv_nsec;
	}
	for (;;) {
		spin_lock(&p->lock);
		sig = sig_dequeue(t, ~set, &info);
		/* Senders wake this thread for @set although it blocks them. */
		t->sigwait_set = sig ? 0 : set;
		spin_unlock(&p->lock);
		if (sig)
			break;
		/* Woken by a sender (wake_for) or the deadline; nobody else uses
		 * this queue. */
		int r = wait_event_interruptible_deadline(&wq, awaited_pending(t, set), deadline);

		if (r) {
			spin_lock(&p->lock);
			t->sigwait_set = 0;
			spin_unlock(&p->lock);
			return r == -ERESTARTSYS ? -EINTR : -EAGAIN;
		}
	}
	if (uinfo && copy_to_user(uinfo, &info, sizeof(info)))
		return -EFAULT;
	return sig;
}

/* sys_rt_sigreturn - rt_sigreturn(2): back from a handler. Restores every
 * register, the FPU state, the mask and the alternate stack from the frame;
 * a bad frame kills with SIGSEGV. Returns the restored rax. */
long sys_rt_sigreturn(void)
{
	struct task *t = current;
	struct trapframe *tf = arch_task_trapframe(t);
	struct linux_stack ss;
	sigset_t mask;

	t->syscall_nr = -1;	/* nothing to restart: rax is the user's again */
	if (arch_signal_restore(tf, &mask, &ss) != 0) {
		signal_force_fault(SIGSEGV, SI_KERNEL, 0);
		return (long)tf_get_return(tf);
	}
	t->blocked = mask & ~unblockable;
	/* Like Linux's restore_altstack: a bad uc_stack is ignored. */
	if (!on_altstack(t, tf_sp(tf))) {
		if (ss.ss_flags & SS_DISABLE) {
			t->altstack_sp = 0, t->altstack_size = 0, t->altstack_flags = SS_DISABLE;
		} else if (ss.ss_size >= MINSIGSTKSZ && !(ss.ss_flags & ~(SS_AUTODISARM |
								      SS_ONSTACK))) {
			t->altstack_sp = ss.ss_sp;
			t->altstack_size = ss.ss_size;
			t->altstack_flags = (u32)ss.ss_flags & SS_AUTODISARM;
		}
	}
	return (long)tf_get_return(tf);
}

/*
 * sys_sigaltstack - sigaltstack(2). Returns 0, -EPERM (changing it while on
 * it), -EINVAL (bad flags), -ENOMEM (smaller than MINSIGSTKSZ) or -EFAULT.
 */
long sys_sigaltstack(const struct linux_stack __user *uss, struct linux_stack __user *uoss)
{
	struct task *t = current;
	u64 sp = tf_sp(arch_task_trapframe(t));
	struct linux_stack old, ss;

	altstack_to_user(t, sp, &old);
	if (uss) {
		if (copy_from_user(&ss, uss, sizeof(ss)))
			return -EFAULT;
		if (on_altstack(t, sp))
			return -EPERM;
		u32 mode = (u32)ss.ss_flags & ~SS_AUTODISARM;

		if (mode != 0 && mode != SS_DISABLE && mode != SS_ONSTACK)
			return -EINVAL;
		if (mode == SS_DISABLE) {
			t->altstack_sp = 0, t->altstack_size = 0, t->altstack_flags = SS_DISABLE;
		} else {
			if (ss.ss_size < MINSIGSTKSZ)
				return -ENOMEM;
			t->altstack_sp = ss.ss_sp;
			t->altstack_size = ss.ss_size;
			t->altstack_flags = (u32)ss.ss_flags & SS_AUTODISARM;
		}
	}
	if (uoss && copy_to_user(uoss, &old, sizeof(old)))
		return -EFAULT;
	return 0;
}

/* sys_restart_syscall - restart_syscall(2): resume an interrupted
 * nanosleep with the time it had left. */
long sys_restart_syscall(void)
{
	struct task *t = current;
	u64 now = arch_clock_ns();
	u64 left = t->restart_deadline_ns > now ? t->restart_deadline_ns - now : 0;

	return nanosleep_resume(left, t->restart_rem);
}
