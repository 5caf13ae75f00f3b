/*
 * Process groups and sessions: setpgid, getpgid, getpgrp, setsid, getsid
 * with Linux's rules, and orphaned process groups (POSIX.1-2017 3.269: a
 * group none of whose members has a parent in another group of the same
 * session). When an exit orphans a group that has stopped members, the
 * group gets SIGHUP then SIGCONT so it is not left stopped for ever.
 *
 * Locks: pgid and sid are [T] tasklist_lock fields (include/task.h); every
 * function here takes it or expects it held.
 */
#include "kernel.h"
#include "task.h"
#include "cpu.h"
#include "uapi/errno.h"
#include "uapi/signal.h"

/* Is group @pgid orphaned, not counting member @ignore? Holds tasklist_lock. */
static bool pgrp_orphaned(pid_t pgid, struct process *ignore)
{
	for (struct process *p = init_process; p; p = process_tree_next(init_process, p)) {
		if (p == ignore || p->pgid != pgid || p->state != PROC_ALIVE)
			continue;
		struct process *parent = p->parent;

		if (parent && parent != init_process && parent->pgid != pgid &&
		    parent->sid == p->sid)
			return false;
	}
	return true;
}

static bool pgrp_has_stopped(pid_t pgid)
{
	for (struct process *p = init_process; p; p = process_tree_next(init_process, p))
		if (p->pgid == pgid && p->state == PROC_ALIVE && p->stopped)
			return true;
	return false;
}

/* pgrp_hangup_if_orphaned - see include/task.h. */
void pgrp_hangup_if_orphaned(pid_t pgid, struct process *ignore)
{
	if (pgid <= 0 || !pgrp_orphaned(pgid, ignore) || !pgrp_has_stopped(pgid))
		return;
	signal_send_pgrp(pgid, SIGHUP);
	signal_send_pgrp(pgid, SIGCONT);
}

/* pgrp_orphaned_current - see include/task.h. */
bool pgrp_orphaned_current(void)
{
	spin_lock(&tasklist_lock);
	bool orphaned = pgrp_orphaned(current->proc->pgid, NULL);

	spin_unlock(&tasklist_lock);
	return orphaned;
}

/* sys_getpgid - getpgid(2): process group of @pid (0: the caller); -ESRCH. */
long sys_getpgid(pid_t pid)
{
	long ret;

	spin_lock(&tasklist_lock);
	struct process *p = pid ? process_find(pid) : current->proc;

	ret = p && p->state != PROC_DEAD ? p->pgid : -ESRCH;
	spin_unlock(&tasklist_lock);
	return ret;
}

/* sys_getpgrp - getpgrp(2): the caller's process group. */
long sys_getpgrp(void) { return sys_getpgid(0); }

/* sys_getsid - getsid(2): session of @pid (0: the caller); -ESRCH. */
long sys_getsid(pid_t pid)
{
	long ret;

	spin_lock(&tasklist_lock);
	struct process *p = pid ? process_find(pid) : current->proc;

	ret = p && p->state != PROC_DEAD ? p->sid : -ESRCH;
	spin_unlock(&tasklist_lock);
	return ret;
}

/*
 * sys_setpgid - setpgid(2), Linux's rules: @pid (0: the caller) must be the
 * caller or one of its children (-ESRCH); a child must not have exec'd
 * (-EACCES) and must share the caller's session (-EPERM); a session leader
 * cannot move (-EPERM); @pgid (0: @pid) must be @pid itself or an existing
 * group of the caller's session (-EPERM); negative @pgid is -EINVAL.
 */
long sys_setpgid(pid_t pid, pid_t pgid)
{
	struct process *self = current->proc;
	long ret = 0;

	if (pid < 0 || pgid < 0)
		return -EINVAL;
	spin_lock(&tasklist_lock);
	struct process *p = pid ? process_find(pid) : self;

	if (!p || p->state == PROC_DEAD || (p != self && p->parent != self)) {
		ret = -ESRCH;
		goto out;
	}
	if (p != self) {
		if (p->sid != self->sid) {
			ret = -EPERM;
			goto out;
		}
		if (p->did_exec) {
			ret = -EACCES;
			goto out;
		}
	}
	if (p->pid == p->sid) {
		ret = -EPERM;
		goto out;
	}
	if (!pgid)
		pgid = p->pid;
	if (pgid != p->pid) {
		bool exists = false;

		for (struct process *q = init_process; q; q = process_tree_next(init_process, q))
			if (q->pgid == pgid && q->sid == self->sid && q->state != PROC_DEAD) {
				exists = true;
				break;
			}
		if (!exists) {
			ret = -EPERM;
			goto out;
		}
	}
	p->pgid = pgid;
out:
	spin_unlock(&tasklist_lock);
	return ret;
}

/*
 * sys_setsid - setsid(2): the caller becomes leader of a new session and of
 * a new process group, both named by its pid. Returns the new sid, or
 * -EPERM when the caller already leads a group or its pid names one.
 */
long sys_setsid(void)
{
	struct process *self = current->proc;
	long ret;

	spin_lock(&tasklist_lock);
	ret = self->pid;
	for (struct process *q = init_process; q; q = process_tree_next(init_process, q))
		if (q->pgid == self->pid && q->state != PROC_DEAD) {
			ret = -EPERM;
			break;
		}
	if (ret > 0) {
		self->pgid = self->pid;
		self->sid = self->pid;
	}
	spin_unlock(&tasklist_lock);
	return ret;
}
