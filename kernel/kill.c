/*
 * Sending signals from user space: kill(2) to a process, a process group,
 * or everyone; tkill(2)/tgkill(2) to one thread; rt_sigqueueinfo(2) and
 * rt_tgsigqueueinfo(2) with the caller's siginfo. Each checks permission
 * (cred_may_signal, kernel/cred.c) and hands the signal to signal_send_info
 * (kernel/signal.c). Also the tree walk that finds process groups.
 *
 * Locks: tasklist_lock for every lookup and walk; process->lock to look at
 * a process's threads.
 */
#include "kernel.h"
#include "task.h"
#include "cpu.h"
#include "uapi/errno.h"
#include "uapi/signal.h"
#include "uaccess.h"

static void info_user(struct linux_siginfo *info, int sig, int code)
{
	struct process *self = current->proc;

	memset(info, 0, sizeof(*info));
	info->si_signo = sig;
	info->si_code = code;
	info->proc.pid = self ? self->pid : 0;
	info->proc.uid = self ? self->uid : 0;
}

/* process_tree_next - see include/task.h. */
struct process *process_tree_next(struct process *root, struct process *p)
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

/* One process of a kill walk: count it, check permission, send. */
static void kill_one(struct process *p, struct process *self, const struct linux_siginfo *info,
		     bool check_perm, int *found, int *sent)
{
	(*found)++;
	if (check_perm && !cred_may_signal(self, p, info->si_signo))
		return;
	(*sent)++;
	if (info->si_signo && p->state == PROC_ALIVE)
		signal_send_info(p, NULL, info);
}

/*
 * Signal every process of process group @pgid (its member list only; a
 * zombie member counts as found and signalled, without effect, as on Linux,
 * where it stays in its group until reaped), or, with @pgid 0, every live
 * one of the tree except init and @self (kill(-1, ...)). Returns how many
 * matched; *@sent says how many could be signalled. Caller holds
 * tasklist_lock. Iterative: trees can be deep.
 */
static int kill_walk(pid_t pgid, struct process *self, const struct linux_siginfo *info,
		     bool check_perm, int *sent)
{
	int found = 0;
	struct process *p;

	*sent = 0;
	if (pgid) {
		struct pgrp *g = pgrp_find(pgid);

		if (g)
			list_for_each_entry(p, &g->members, pgrp_link)
				if (p->state != PROC_DEAD)
					kill_one(p, self, info, check_perm, &found, sent);
		return found;
	}
	for (p = init_process; p; p = process_tree_next(init_process, p)) {
		if (p->state != PROC_ALIVE || p->pid == 1 || p == self)
			continue;
		kill_one(p, self, info, check_perm, &found, sent);
	}
	return found;
}

/* signal_send_pgrp - see include/task.h. */
int signal_send_pgrp(pid_t pgid, int sig)
{
	struct linux_siginfo info;
	int sent;

	memset(&info, 0, sizeof(info));
	info.si_signo = sig;
	info.si_code = SI_KERNEL;
	return pgid > 0 ? kill_walk(pgid, NULL, &info, false, &sent) : 0;
}

/* Send @info to @pid's meaning for kill(2). Takes tasklist_lock. */
static long kill_info(pid_t pid, const struct linux_siginfo *info)
{
	struct process *self = current->proc;
	long ret;

	spin_lock(&tasklist_lock);
	if (pid > 0) {
		struct process *p = process_find(pid);

		if (!p || p->state == PROC_DEAD) {
			ret = -ESRCH;
		} else if (!cred_may_signal(self, p, info->si_signo)) {
			ret = -EPERM;
		} else {
			/* A zombie exists: kill succeeds without effect. */
			ret = 0;
			if (info->si_signo && p->state == PROC_ALIVE)
				ret = signal_send_info(p, NULL, info);	/* -EAGAIN */
		}
	} else {
		int sent;
		pid_t pgid = pid == 0 ? self->pgid : -pid;
		int found = kill_walk(pid == -1 ? 0 : pgid, self, info, true, &sent);

		ret = !found ? -ESRCH : !sent ? -EPERM : 0;
	}
	spin_unlock(&tasklist_lock);
	return ret;
}

/*
 * sys_kill - kill(2): @pid > 0 one process, 0 the caller's process group,
 * -1 every process the caller may signal but init and itself, < -1 the group
 * -pid. Signal 0 checks existence and permission. Returns 0, -EINVAL,
 * -ESRCH or -EPERM (another user's process, unprivileged).
 */
long sys_kill(pid_t pid, int sig)
{
	struct linux_siginfo info;

	if (sig < 0 || sig > NSIG)
		return -EINVAL;
	if (pid == -2147483647 - 1)
		return -ESRCH;
	info_user(&info, sig, SI_USER);
	return kill_info(pid, &info);
}

/* The process holding thread @tid: the pid hash for a leader, the tid hash
 * for any other thread. Caller holds tasklist_lock. */
static struct process *process_find_by_tid(pid_t tid)
{
	struct process *p = process_find(tid);
	struct task *t;

	if (p)
		return p;
	t = thread_find(tid);
	return t ? t->proc : NULL;
}

/* Thread-directed send for tkill/tgkill/rt_tgsigqueueinfo. */
static long thread_send(pid_t tgid, pid_t tid, const struct linux_siginfo *info)
{
	struct process *self = current->proc;
	long ret = -ESRCH;

	if (tid <= 0 || (tgid != -1 && tgid <= 0) || info->si_signo < 0 || info->si_signo > NSIG)
		return -EINVAL;
	spin_lock(&tasklist_lock);
	struct process *p = tgid == -1 ? process_find_by_tid(tid) : process_find(tgid);

	if (p && p->state == PROC_ALIVE) {
		spin_lock(&p->lock);
		struct task *t, *target = NULL;

		list_for_each_entry(t, &p->threads, thread_link)
			if (t->tid == tid)
				target = t;
		spin_unlock(&p->lock);
		if (target) {
			ret = 0;
			if (!cred_may_signal(self, p, info->si_signo))
				ret = -EPERM;
			else if (info->si_signo)
				ret = signal_send_info(p, target, info);	/* -EAGAIN */
		}
	}
	spin_unlock(&tasklist_lock);
	return ret;
}

/* sys_tkill - tkill(2): signal one thread. 0, -EINVAL, -ESRCH, -EPERM. */
long sys_tkill(pid_t tid, int sig)
{
	struct linux_siginfo info;

	info_user(&info, sig, SI_TKILL);
	return thread_send(-1, tid, &info);
}

/* sys_tgkill - tgkill(2): signal thread @tid of process @tgid. */
long sys_tgkill(pid_t tgid, pid_t tid, int sig)
{
	struct linux_siginfo info;

	if (tgid <= 0)
		return -EINVAL;
	info_user(&info, sig, SI_TKILL);
	return thread_send(tgid, tid, &info);
}

/* Copy a caller-built siginfo; only negative si_codes are allowed to a
 * process other than the caller (rt_sigqueueinfo(2): -EPERM). */
static long queueinfo_in(pid_t pid, int sig, const struct linux_siginfo __user *uinfo,
			 struct linux_siginfo *info)
{
	if (copy_from_user(info, uinfo, sizeof(*info)))
		return -EFAULT;
	if ((info->si_code >= 0 || info->si_code == SI_TKILL) && pid != current->proc->pid)
		return -EPERM;
	info->si_signo = sig;
	return 0;
}

/* sys_rt_sigqueueinfo - rt_sigqueueinfo(2) (sigqueue(3)): a signal with the
 * caller's siginfo to process @pid. 0, -EINVAL, -ESRCH, -EPERM, -EFAULT, or
 * -EAGAIN (a real-time signal over the receiver's RLIMIT_SIGPENDING). */
long sys_rt_sigqueueinfo(pid_t pid, int sig, const struct linux_siginfo __user *uinfo)
{
	struct linux_siginfo info;
	long err;

	if (sig < 0 || sig > NSIG)
		return -EINVAL;
	if (pid <= 0)
		return -ESRCH;
	if ((err = queueinfo_in(pid, sig, uinfo, &info)))
		return err;
	return kill_info(pid, &info);
}

/* sys_rt_tgsigqueueinfo - rt_tgsigqueueinfo(2): the same to one thread. */
long sys_rt_tgsigqueueinfo(pid_t tgid, pid_t tid, int sig,
			   const struct linux_siginfo __user *uinfo)
{
	struct linux_siginfo info;
	long err;

	if (sig < 0 || sig > NSIG || tgid <= 0)
		return -EINVAL;
	if ((err = queueinfo_in(tgid, sig, uinfo, &info)))
		return err;
	return thread_send(tgid, tid, &info);
}

