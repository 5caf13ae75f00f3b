/*
 * wait4(2), waitid(2) and the resource-usage calls: collecting a child's
 * exit (reaping the zombie), stop or continue, and accounting.
 *
 * A waiting parent sleeps on its own child_exit wait queue; a child wakes it
 * when it becomes a zombie (kernel/exit.c). The search looks only at the
 * caller's children list, never the whole process table, and a wait for one
 * pid finds that child directly in the pid hash. A zombie is claimed
 * by switching its state to PROC_DEAD under tasklist_lock, so exactly one
 * waiter reaps it even when several wait at once.
 */
#include "kernel.h"
#include "task.h"
#include "cpu.h"
#include "mm.h"
#include "uaccess.h"
#include "trace.h"
#include "ptrace.h"
#include "uapi/errno.h"
#include "uapi/wait.h"
#include "uapi/resource.h"
#include "uapi/signal.h"

/* What a wait looks for and what it found (wait4(2), waitid(2)). */
struct wait_opts {
	int idtype;		/* P_ALL, P_PID or P_PGID */
	pid_t id;		/* the pid or the process group (resolved) */
	int options;		/* WEXITED, WSTOPPED, WCONTINUED, WNOHANG, WNOWAIT, __W* */
	/* Result, when a child was reported */
	pid_t pid;
	int status;		/* wait4 encoding (include/uapi/wait.h) */
	int code;		/* CLD_* for waitid's si_code */
	int si_status;		/* exit code or signal number */
	uid_t uid;		/* the child's real uid */
	struct rusage_acc ru;	/* the child's usage and its reaped children's */
};

/* Is @c a child this wait may report? Caller holds tasklist_lock. */
static bool wait_eligible(const struct wait_opts *wo, struct process *c)
{
	int opt = wo->options;

	if (wo->idtype == P_PID && c->pid != wo->id)
		return false;
	if (wo->idtype == P_PGID && c->pgid != wo->id)
		return false;
	/* A "clone" child reports with a signal other than SIGCHLD: only
	 * __WCLONE waits see it, and only plain waits see the others. */
	if (!(opt & __WALL) && ((c->exit_signal != SIGCHLD) != !!(opt & __WCLONE)))
		return false;
	/* __WNOTHREAD: only children of the calling thread. */
	if ((opt & __WNOTHREAD) && c->creator_tid != current->tid)
		return false;
	return true;
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
	out->ru_nvcsw = ru->nvcsw;
	out->ru_nivcsw = ru->nivcsw;
}

/* Add @t's CPU time and context switches to @acc. */
static void thread_usage_add(struct rusage_acc *acc, struct task *t)
{
	acc->utime_ticks += t->utime_ticks;
	acc->stime_ticks += t->stime_ticks;
	acc->nvcsw += __atomic_load_n(&t->nvcsw, __ATOMIC_RELAXED);
	acc->nivcsw += __atomic_load_n(&t->nivcsw, __ATOMIC_RELAXED);
}

static void rusage_add(struct rusage_acc *a, const struct rusage_acc *b)
{
	a->utime_ticks += b->utime_ticks;
	a->stime_ticks += b->stime_ticks;
	a->minflt += b->minflt;
	a->majflt += b->majflt;
	a->nvcsw += b->nvcsw;
	a->nivcsw += b->nivcsw;
	a->maxrss_kb = MAX(a->maxrss_kb, b->maxrss_kb);
}

/* The usage of @c and of its reaped descendants ("RUSAGE_BOTH"), counting
 * its live threads' CPU time. Caller holds tasklist_lock. */
static void child_usage(struct process *c, struct rusage_acc *out)
{
	struct task *t;

	spin_lock(&c->lock);
	*out = c->self;
	list_for_each_entry(t, &c->threads, thread_link)
		thread_usage_add(out, t);
	spin_unlock(&c->lock);
	rusage_add(out, &c->children_ru);
}

/* Fill @wo's result for an exit with wait status @st. */
static void report_exit_status(struct wait_opts *wo, int st)
{
	wo->status = st;
	if (st & 0x7f) {
		wo->code = (st & 0x80) ? CLD_DUMPED : CLD_KILLED;
		wo->si_status = st & 0x7f;
	} else {
		wo->code = CLD_EXITED;
		wo->si_status = (st >> 8) & 0xff;
	}
}

static void report_zombie(struct wait_opts *wo, struct process *c)
{
	report_exit_status(wo, c->exit_code);
}

/*
 * Report @c if it has something @wo asks for: an exit (a zombie), a stop or
 * a continue not yet reported. Without WNOWAIT the report is consumed; a
 * zombie is claimed by moving it to PROC_DEAD, which only one waiter can do,
 * and unlinked (*@reaped set: the caller drops the tree's reference).
 * Returns true when something was reported. Caller holds tasklist_lock.
 */
static bool wait_report(struct wait_opts *wo, struct process *self, struct process *c,
			bool *reaped)
{
	bool consume = !(wo->options & WNOWAIT);

	/* A tracer that is not the parent collects the exit first (ptrace(2)). */
	if (c->state == PROC_ZOMBIE && c->ptrace_zombie_tracer)
		return false;
	if (c->state == PROC_ZOMBIE && (wo->options & WEXITED)) {
		report_zombie(wo, c);
	} else if (c->state == PROC_ALIVE && (wo->options & WSTOPPED) && c->stopped &&
		   c->report == CLD_STOPPED) {
		wo->status = wait_status_stopped(c->stop_signal);
		wo->code = CLD_STOPPED;
		wo->si_status = c->stop_signal;
		if (consume)
			c->report = 0;
	} else if (c->state == PROC_ALIVE && (wo->options & WCONTINUED) &&
		   c->report == CLD_CONTINUED) {
		wo->status = wait_status_continued();
		wo->code = CLD_CONTINUED;
		wo->si_status = SIGCONT;
		if (consume)
			c->report = 0;
	} else {
		return false;
	}
	wo->pid = c->pid;
	wo->uid = c->uid;
	child_usage(c, &wo->ru);
	if (c->state == PROC_ZOMBIE && consume) {
		c->state = PROC_DEAD;	/* claimed: no other waiter sees it */
		list_del(&c->sibling);
		process_hash_remove(c);
		pid_free_locked(c->pid);
		rusage_add(&self->children_ru, &wo->ru);
		trace_reap(self, c);
		*reaped = true;
	}
	return true;
}

/* Does a traced thread's exit (@tid, in group @pgid) match wait_opts @arg? */
static bool thread_exit_matches(pid_t tid, pid_t pgid, void *arg)
{
	const struct wait_opts *wo = arg;

	return !(wo->idtype == P_PID && tid != wo->id) && !(wo->idtype == P_PGID && pgid != wo->id);
}

/*
 * What a tracer may collect from its tracees (ptrace(2)): a tracing stop,
 * reported as (code << 8) | 0x7f whether or not WUNTRACED was asked, or the
 * exit of a traced process whose parent is another process (handed on to
 * that parent once collected). *@found is set when a tracee matches.
 * Returns the reported task's tid or pid, 0 if none. Caller holds
 * tasklist_lock.
 */
static pid_t wait_ptraced(struct wait_opts *wo, struct process *self, bool *found)
{
	bool consume = !(wo->options & WNOWAIT);
	struct task *t;
	struct process *z;
	uid_t uid;
	int st;

	list_for_each_entry(t, &self->ptraced, ptrace_link) {
		if (wo->idtype == P_PID && t->tid != wo->id)
			continue;
		if (wo->idtype == P_PGID && t->proc->pgid != wo->id)
			continue;
		*found = true;
		if (!t->ptrace_stopped || !t->ptrace_report)
			continue;
		wo->status = (t->ptrace_code << 8) | 0x7f;
		wo->code = CLD_TRAPPED;
		wo->si_status = t->ptrace_code;
		wo->pid = t->tid;
		wo->uid = t->proc->uid;
		child_usage(t->proc, &wo->ru);
		if (consume)
			t->ptrace_report = false;
		return t->tid;
	}
	list_for_each_entry(z, &self->ptrace_zombies, ptrace_zombie_link) {
		if (wo->idtype == P_PID && z->pid != wo->id)
			continue;
		if (wo->idtype == P_PGID && z->pgid != wo->id)
			continue;
		*found = true;
		if (!(wo->options & WEXITED))
			continue;
		report_zombie(wo, z);
		wo->pid = z->pid;
		wo->uid = z->uid;
		child_usage(z, &wo->ru);
		if (consume)
			ptrace_release_zombie(z);	/* z may be gone now */
		return wo->pid;
	}
	/* A traced thread other than a leader has ended. */
	if (!list_empty(&self->ptrace_thread_exits) &&
	    ptrace_thread_exit_take(self, thread_exit_matches, wo, false, &wo->pid, &st, &uid)) {
		*found = true;
		if (!(wo->options & WEXITED))
			return 0;
		ptrace_thread_exit_take(self, thread_exit_matches, wo, consume, &wo->pid, &st,
					&uid);
		report_exit_status(wo, st);
		wo->uid = uid;
		memset(&wo->ru, 0, sizeof(wo->ru));	/* a thread's time is its process's */
		return wo->pid;
	}
	return 0;
}

/*
 * do_wait - the common core of wait4(2) and waitid(2): wait until a child
 * matching @wo has an exit, stop or continue to report (as @wo->options
 * ask), and fill @wo's result. Returns the child's pid; 0 with WNOHANG when
 * matching children have nothing to report; -ECHILD when no child matches;
 * -ERESTARTSYS when a signal interrupted the sleep. May sleep. Takes
 * tasklist_lock, then the caller's child_exit wait-queue lock.
 */
static long do_wait(struct wait_opts *wo)
{
	struct process *self = current->proc;
	struct wait_entry we;

	for (;;) {
		struct process *c, *hit = NULL;
		bool found = false, reaped = false;

		spin_lock(&tasklist_lock);
		if (wo->idtype == P_PID) {
			/* One child: found by pid, not by walking the children. */
			c = process_find(wo->id);
			if (c && c->parent == self && c->state != PROC_DEAD &&
			    wait_eligible(wo, c)) {
				found = true;
				if (wait_report(wo, self, c, &reaped))
					hit = c;
			}
		} else {
			list_for_each_entry(c, &self->children, sibling) {
				if (!wait_eligible(wo, c))
					continue;
				found = true;
				if (wait_report(wo, self, c, &reaped)) {
					hit = c;
					break;
				}
			}
		}
		if (!hit && unlikely(!list_empty(&self->ptraced) ||
				     !list_empty(&self->ptrace_zombies) ||
				     !list_empty(&self->ptrace_thread_exits)) &&
		    wait_ptraced(wo, self, &found)) {
			spin_unlock(&tasklist_lock);
			return wo->pid;
		}
		if (hit) {
			spin_unlock(&tasklist_lock);
			if (reaped) {
				/* Its last task may still be switching out on
				 * another CPU: its memory must be back first. */
				sched_wait_tasks_gone(hit);
				process_put(hit);	/* the tree's reference */
			}
			return wo->pid;
		}
		if (!found || (wo->options & WNOHANG)) {
			spin_unlock(&tasklist_lock);
			return found ? 0 : -ECHILD;
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

/*
 * do_wait4 - wait4(2) on kernel values: wait for a child matching @pid
 * (> 0 that child, -1 any, 0 the caller's process group, < -1 group -pid) to
 * exit, or with WUNTRACED/WCONTINUED to stop or continue. Fills *@status and
 * *@ru. Returns its pid, 0 with WNOHANG when matching children have nothing
 * to report, -ECHILD when none match, or -ERESTARTSYS. May sleep.
 */
long do_wait4(pid_t pid, int *status, struct linux_rusage *ru, int options)
{
	struct wait_opts wo = { .options = options | WEXITED };
	long ret;

	if (pid > 0) {
		wo.idtype = P_PID;
		wo.id = pid;
	} else if (pid == -1) {
		wo.idtype = P_ALL;
	} else {
		wo.idtype = P_PGID;
		if (pid == 0) {
			spin_lock(&tasklist_lock);
			wo.id = current->proc->pgid;
			spin_unlock(&tasklist_lock);
		} else {
			wo.id = -pid;
		}
	}
	ret = do_wait(&wo);
	if (ret > 0) {
		*status = wo.status;
		fill_rusage(&wo.ru, ru);
	}
	return ret;
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

/* The part of the x86-64 siginfo_t that waitid(2) fills (sigaction(2)). */
struct waitid_info {
	s32 si_signo;
	s32 si_errno;
	s32 si_code;
	s32 pad;
	s32 si_pid;
	u32 si_uid;
	s32 si_status;
};

/*
 * sys_waitid - waitid(2) (and Linux's fifth argument, a struct rusage):
 * @which P_ALL, P_PID (@upid > 0), P_PGID (@upid >= 0, 0 = the caller's
 * group) or P_PIDFD (@upid a pidfd: its process, -EBADF otherwise;
 * -EAGAIN rather than sleeping for a PIDFD_NONBLOCK one); @options at least one of WEXITED, WSTOPPED, WCONTINUED, plus
 * WNOHANG, WNOWAIT, __WNOTHREAD, __WCLONE, __WALL. Fills *@infop with
 * si_signo SIGCHLD, si_code CLD_*, si_pid, si_uid and si_status, or zeroes
 * them when WNOHANG found nothing. Returns 0, -ECHILD, -EINVAL, -EFAULT or
 * -ERESTARTSYS. May sleep.
 */
long sys_waitid(int which, pid_t upid, struct waitid_info __user *infop, int options,
		struct linux_rusage __user *uru)
{
	struct wait_opts wo = { .options = options };
	struct waitid_info info = { 0 };
	struct linux_rusage ru;
	bool nonblock = false;
	long ret;

	if (options & ~(WNOHANG | WNOWAIT | WEXITED | WSTOPPED | WCONTINUED | __WNOTHREAD |
			__WALL | __WCLONE))
		return -EINVAL;
	if (!(options & (WEXITED | WSTOPPED | WCONTINUED)))
		return -EINVAL;
	switch (which) {
	case P_ALL:
		wo.idtype = P_ALL;
		break;
	case P_PID:
		if (upid <= 0)
			return -EINVAL;
		wo.idtype = P_PID;
		wo.id = upid;
		break;
	case P_PGID:
		if (upid < 0)
			return -EINVAL;
		wo.idtype = P_PGID;
		spin_lock(&tasklist_lock);
		wo.id = upid ? upid : current->proc->pgid;
		spin_unlock(&tasklist_lock);
		break;
	case P_PIDFD: {
		struct process *p;

		if (upid < 0)
			return -EINVAL;
		ret = pidfd_process(upid, &p, &nonblock);
		if (ret)
			return ret;
		wo.idtype = P_PID;
		wo.id = p->pid;
		process_put(p);
		/* A PIDFD_NONBLOCK descriptor: -EAGAIN instead of sleeping. */
		if (nonblock)
			wo.options |= WNOHANG;
		break;
	}
	default:
		return -EINVAL;
	}
	ret = do_wait(&wo);
	if (ret == 0 && nonblock && !(options & WNOHANG))
		return -EAGAIN;
	if (ret < 0)
		return ret;
	if (ret > 0) {
		info.si_signo = SIGCHLD;
		info.si_code = wo.code;
		info.si_pid = wo.pid;
		info.si_uid = wo.uid;
		info.si_status = wo.si_status;
		if (uru) {
			fill_rusage(&wo.ru, &ru);
			if (copy_to_user(uru, &ru, sizeof(ru)))
				return -EFAULT;
		}
	}
	if (infop && copy_to_user(infop, &info, sizeof(info)))
		return -EFAULT;
	return 0;
}

/* Usage of @p's live threads' CPU time plus what its ended threads left. */
static void process_usage(struct process *p, struct rusage_acc *acc)
{
	struct task *t;

	spin_lock(&p->lock);
	*acc = p->self;
	list_for_each_entry(t, &p->threads, thread_link)
		thread_usage_add(acc, t);
	spin_unlock(&p->lock);
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
		process_usage(p, &acc);
		if (t->mm) {
			acc.minflt += t->mm->minflt;
			acc.majflt += t->mm->majflt;
			acc.maxrss_kb = MAX(acc.maxrss_kb, t->mm->hiwater_rss * (PAGE_SIZE / 1024));
		}
		break;
	case RUSAGE_THREAD:
		/* Faults are counted per address space, not per thread. */
		memset(&acc, 0, sizeof(acc));
		thread_usage_add(&acc, t);
		if (t->mm)
			acc.maxrss_kb = t->mm->hiwater_rss * (PAGE_SIZE / 1024);
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

	struct rusage_acc acc;

	process_usage(p, &acc);
	tms.tms_utime = acc.utime_ticks;
	tms.tms_stime = acc.stime_ticks;
	spin_lock(&tasklist_lock);
	tms.tms_cutime = p->children_ru.utime_ticks;
	tms.tms_cstime = p->children_ru.stime_ticks;
	spin_unlock(&tasklist_lock);
	if (ubuf && copy_to_user(ubuf, &tms, sizeof(tms)))
		return -EFAULT;
	return (long)(arch_clock_ns() / (1000000000UL / HZ));
}
