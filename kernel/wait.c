/*
 * wait4(2) and the resource-usage calls: collecting a zombie child's wait
 * status and accounting.
 *
 * A waiting parent sleeps on its own child_exit wait queue; a child wakes it
 * when it becomes a zombie (kernel/exit.c). The search looks only at the
 * caller's children list, never the whole process table. A zombie is claimed
 * by switching its state to PROC_DEAD under tasklist_lock, so exactly one
 * waiter reaps it even when several wait at once.
 */
#include "kernel.h"
#include "task.h"
#include "cpu.h"
#include "mm.h"
#include "uaccess.h"
#include "trace.h"
#include "uapi/errno.h"
#include "uapi/wait.h"
#include "uapi/resource.h"

static bool wait_matches(struct process *self, struct process *c, pid_t pid)
{
	if (pid > 0)
		return c->pid == pid;
	if (pid == -1)
		return true;
	if (pid == 0)
		return c->pgid == self->pgid;
	return c->pgid == -pid;
}

static void ticks_to_timeval(u64 ticks, struct linux_timeval *tv)
{
	tv->tv_sec = ticks / HZ;
	tv->tv_usec = (ticks % HZ) * (1000000 / HZ);
}

static void fill_rusage(const struct rusage_acc *ru, struct linux_rusage *out)
{
	memset(out, 0, sizeof(*out));
	ticks_to_timeval(ru->utime_ticks, &out->ru_utime);
	ticks_to_timeval(ru->stime_ticks, &out->ru_stime);
	out->ru_maxrss = ru->maxrss_kb;
	out->ru_minflt = ru->minflt;
	out->ru_majflt = ru->majflt;
}

/* Add a reaped child's usage (its own and its reaped descendants') to @self. */
static void account_child(struct process *self, struct process *c)
{
	struct rusage_acc *a = &self->children_ru;

	a->utime_ticks += c->self.utime_ticks + c->children_ru.utime_ticks;
	a->stime_ticks += c->self.stime_ticks + c->children_ru.stime_ticks;
	a->minflt += c->self.minflt + c->children_ru.minflt;
	a->majflt += c->self.majflt + c->children_ru.majflt;
	a->maxrss_kb = MAX(a->maxrss_kb, MAX(c->self.maxrss_kb, c->children_ru.maxrss_kb));
}

/*
 * Look for a zombie child matching @pid. Returns the claimed zombie (unlinked,
 * its pid freed) with *@found set when any child matched. Caller holds
 * tasklist_lock.
 */
static struct process *reap_find(struct process *self, pid_t pid, bool *found)
{
	struct process *c;

	*found = false;
	list_for_each_entry(c, &self->children, sibling) {
		if (!wait_matches(self, c, pid))
			continue;
		*found = true;
		if (c->state != PROC_ZOMBIE)
			continue;
		c->state = PROC_DEAD;	/* claimed: no other waiter sees it */
		list_del(&c->sibling);
		process_hash_remove(c);
		pid_free_locked(c->pid);
		account_child(self, c);
		trace_reap(self, c);
		return c;
	}
	return NULL;
}

/*
 * do_wait4 - wait4(2) on kernel values: wait for a child matching @pid
 * (> 0 that child, -1 any, 0 the caller's process group, < -1 group -pid) to
 * exit. Fills *@status and *@ru for the reaped child. Returns its pid, 0 with
 * WNOHANG when matching children still run, -ECHILD when none match, or
 * -ERESTARTSYS when a signal interrupted the sleep. May sleep.
 * Takes tasklist_lock and the caller's child_exit wait-queue lock.
 */
long do_wait4(pid_t pid, int *status, struct linux_rusage *ru, int options)
{
	struct process *self = current->proc;
	struct wait_entry we;
	bool found;

	for (;;) {
		spin_lock(&tasklist_lock);
		struct process *c = reap_find(self, pid, &found);

		if (c) {
			spin_unlock(&tasklist_lock);
			pid_t cpid = c->pid;

			sched_wait_tasks_gone(c);

			*status = c->exit_code;
			fill_rusage(&c->self, ru);
			process_put(c);
			return cpid;
		}
		if (!found) {
			spin_unlock(&tasklist_lock);
			return -ECHILD;
		}
		if (options & WNOHANG) {
			spin_unlock(&tasklist_lock);
			return 0;
		}
		/* Queue before dropping the lock: a child exiting right after
		 * will find us on the queue and wake us. */
		prepare_to_wait(&self->child_exit, &we);
		spin_unlock(&tasklist_lock);
		if (signal_pending_current()) {
			finish_wait(&self->child_exit, &we);
			return -ERESTARTSYS;
		}
		schedule();
		finish_wait(&self->child_exit, &we);
	}
}

/* sys_wait4 - wait4(2). Returns the pid, 0, -ECHILD, -EINVAL, -EFAULT or
 * -EINTR (through the syscall layer). */
long sys_wait4(pid_t pid, int __user *ustatus, int options, struct linux_rusage __user *uru)
{
	struct linux_rusage ru;
	int status = 0;
	long ret;

	if (options & ~(WNOHANG | WUNTRACED | WCONTINUED | __WNOTHREAD | __WALL | __WCLONE))
		return -EINVAL;
	if (pid == -2147483647 - 1)	/* -INT_MIN has no group: Linux says ESRCH */
		return -ESRCH;
	ret = do_wait4(pid, &status, &ru, options);
	if (ret <= 0)
		return ret;
	if (ustatus && put_user_u32(ustatus, (u32)status))
		return -EFAULT;
	if (uru && copy_to_user(uru, &ru, sizeof(ru)))
		return -EFAULT;
	return ret;
}

/* sys_getrusage - getrusage(2): RUSAGE_SELF, RUSAGE_CHILDREN, RUSAGE_THREAD. */
long sys_getrusage(int who, struct linux_rusage __user *uru)
{
	struct task *t = current;
	struct process *p = t->proc;
	struct rusage_acc acc;
	struct linux_rusage ru;

	switch (who) {
	case RUSAGE_SELF:
	case RUSAGE_THREAD:
		spin_lock(&p->lock);
		acc = p->self;
		spin_unlock(&p->lock);
		acc.utime_ticks += t->utime_ticks;
		acc.stime_ticks += t->stime_ticks;
		if (t->mm) {
			acc.minflt += t->mm->minflt;
			acc.maxrss_kb = MAX(acc.maxrss_kb, t->mm->hiwater_rss * (PAGE_SIZE / 1024));
		}
		break;
	case RUSAGE_CHILDREN:
		spin_lock(&tasklist_lock);
		acc = p->children_ru;
		spin_unlock(&tasklist_lock);
		break;
	default:
		return -EINVAL;
	}
	fill_rusage(&acc, &ru);
	return copy_to_user(uru, &ru, sizeof(ru)) ? -EFAULT : 0;
}

/* sys_times - times(2): clock ticks (HZ) since boot; fills struct tms. */
long sys_times(struct linux_tms __user *ubuf)
{
	struct task *t = current;
	struct process *p = t->proc;
	struct linux_tms tms;

	spin_lock(&tasklist_lock);
	tms.tms_utime = p->self.utime_ticks + t->utime_ticks;
	tms.tms_stime = p->self.stime_ticks + t->stime_ticks;
	tms.tms_cutime = p->children_ru.utime_ticks;
	tms.tms_cstime = p->children_ru.stime_ticks;
	spin_unlock(&tasklist_lock);
	if (ubuf && copy_to_user(ubuf, &tms, sizeof(tms)))
		return -EFAULT;
	return (long)(arch_clock_ns() / (1000000000UL / HZ));
}
