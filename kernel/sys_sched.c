/*
 * The scheduling system calls: nice values (getpriority(2), setpriority(2)),
 * policies and real-time priorities (sched_setscheduler(2) and its
 * family), CPU affinity (sched_setaffinity(2), sched_getaffinity(2)) and
 * getcpu(2). What the values mean to the scheduler is in kernel/sched.c.
 *
 * Permissions follow Linux, with euid 0 standing for CAP_SYS_NICE: a task
 * may change another only if its euid is the target's uid or euid; lowering
 * a nice value needs 20 - nice <= RLIMIT_NICE of the target (EACCES from
 * setpriority, EPERM from sched_setscheduler); a real-time policy needs
 * RLIMIT_RTPRIO (EPERM), and leaving SCHED_IDLE needs the nice rule.
 * nice and the policy belong to each thread, as on Linux: PRIO_PROCESS and
 * the sched_* calls name one thread by its tid (a pid names the main
 * thread); PRIO_PGRP and PRIO_USER reach every thread of the matching
 * processes.
 *
 * Locks: tasklist_lock and process->lock to find and judge a target, then
 * the run-queue locks inside sched_set_attr()/sched_set_affinity()
 * (tasklist_lock -> process->lock -> run-queue lock, kernel/locking.md).
 */
#include "kernel.h"
#include "sched.h"
#include "task.h"
#include "cpu.h"
#include "uaccess.h"
#include "uapi/errno.h"
#include "uapi/resource.h"
#include "uapi/sched.h"

#define NSEC_PER_SEC	1000000000ULL

struct sched_param_user {
	int sched_priority;
};

/* The live thread @tid (0: current) of some process, referenced, or NULL. */
static struct task *task_lookup(pid_t tid)
{
	struct task *found = NULL, *t;

	if (tid == 0) {
		task_get(current);
		return current;
	}
	spin_lock(&tasklist_lock);
	struct process *p = process_find(tid);

	for (struct process *q = p ? p : init_process; q && !found;
	     q = p ? NULL : process_tree_next(init_process, q)) {
		if (q->state != PROC_ALIVE)
			continue;
		spin_lock(&q->lock);
		list_for_each_entry(t, &q->threads, thread_link)
			if (t->tid == tid && t->state != TASK_DEAD) {
				found = t;
				task_get(t);
				break;
			}
		spin_unlock(&q->lock);
	}
	spin_unlock(&tasklist_lock);
	return found;
}

/* Is @pid a zombie not yet reaped (a process whose threads are gone)? */
static bool zombie_leader(pid_t pid)
{
	spin_lock(&tasklist_lock);
	struct process *p = process_find(pid);
	bool z = p && p->state == PROC_ZOMBIE;

	spin_unlock(&tasklist_lock);
	return z;
}

static bool privileged(void)
{
	return current->proc->euid == 0;
}

/* Linux's set_one_prio_perm()/check_same_owner(): the caller's euid is
 * the target's uid or euid, or the caller is privileged. @locked: the
 * caller holds @t's process lock (else it is taken here). */
static bool may_change(struct task *t, bool locked)
{
	struct process *p = t->proc;
	uid_t euid = current->proc->euid;
	bool same;

	if (privileged())
		return true;
	if (!locked)
		spin_lock(&p->lock);
	same = p->uid == euid || p->euid == euid;
	if (!locked)
		spin_unlock(&p->lock);
	return same;
}

/* Linux's can_nice(): may @t's nice value become @nice (RLIMIT_NICE of
 * the target: 20 - nice must not pass it)? @locked as for may_change(). */
static bool can_nice(struct task *t, int nice, bool locked)
{
	struct process *p = t->proc;
	u64 lim;

	if (privileged())
		return true;
	if (!locked)
		spin_lock(&p->lock);
	lim = p->rlim[RLIMIT_NICE].cur;
	if (!locked)
		spin_unlock(&p->lock);
	return (u64)(20 - nice) <= lim;
}

static u64 task_rlimit(struct task *t, int resource)
{
	struct process *p = t->proc;
	u64 v;

	spin_lock(&p->lock);
	v = p->rlim[resource].cur;
	spin_unlock(&p->lock);
	return v;
}

/* setpriority's work on one thread: Linux's set_one_prio(). *@err starts
 * as -ESRCH and becomes 0 at the first success, or the first error. */
static void set_one_prio(struct task *t, int nice, long *err, bool locked)
{
	if (!may_change(t, locked)) {
		*err = -EPERM;
		return;
	}
	if (nice < t->nice && !can_nice(t, nice, locked)) {
		*err = -EACCES;
		return;
	}
	if (*err == -ESRCH)
		*err = 0;
	sched_set_attr(t, t->policy | (t->sched_reset_on_fork ? SCHED_RESET_ON_FORK : 0),
		       t->rt_priority, nice);
}

/* Does process @p match (@which, @who) for PRIO_PGRP/PRIO_USER? @who is
 * already resolved (0 replaced). Caller holds tasklist_lock. */
static bool prio_match(struct process *p, int which, int who)
{
	if (p->state != PROC_ALIVE)
		return false;
	if (which == PRIO_PGRP)
		return p->pgid == who;
	return (int)p->uid == who;
}

/*
 * For each thread of the processes that (@which, @who) names, call
 * @fn(thread, @arg). Caller holds tasklist_lock; each process's lock is
 * held around its threads. Returns how many threads were visited.
 */
static int prio_for_each(int which, int who, void (*fn)(struct task *, void *), void *arg)
{
	int n = 0;

	for (struct process *q = init_process; q; q = process_tree_next(init_process, q)) {
		struct task *t;

		if (!prio_match(q, which, who))
			continue;
		spin_lock(&q->lock);
		list_for_each_entry(t, &q->threads, thread_link) {
			if (t->state == TASK_DEAD)
				continue;
			fn(t, arg);
			n++;
		}
		spin_unlock(&q->lock);
	}
	return n;
}

/* Resolve who = 0 for PRIO_PGRP/PRIO_USER; -EINVAL for a bad @which. */
static int prio_who(int which, int who)
{
	if (which == PRIO_PGRP)
		return who ? who : current->proc->pgid;
	return who ? who : (int)current->proc->uid;
}

static void max_prio(struct task *t, void *arg)
{
	long *best = arg;

	if (20 - t->nice > *best)
		*best = 20 - t->nice;
}

/*
 * sys_getpriority - getpriority(2), the system call's form: 20 - nice
 * (1..40) of the thread (PRIO_PROCESS), or the best of every thread of a
 * process group (PRIO_PGRP) or of a real user's processes (PRIO_USER);
 * @who 0 names the caller's. Returns that value, -EINVAL (@which) or
 * -ESRCH (nothing matched). Takes tasklist_lock. Sleeps: no.
 */
long sys_getpriority(int which, int who)
{
	long best = 0;

	if (which < PRIO_PROCESS || which > PRIO_USER)
		return -EINVAL;
	if (which == PRIO_PROCESS) {
		struct task *t = task_lookup(who);

		if (!t)
			return -ESRCH;
		best = 20 - t->nice;
		task_put(t);
		return best;
	}
	spin_lock(&tasklist_lock);
	prio_for_each(which, prio_who(which, who), max_prio, &best);
	spin_unlock(&tasklist_lock);
	return best ? best : -ESRCH;
}

struct setprio_arg {
	int nice;
	long err;
};

static void set_prio_cb(struct task *t, void *arg)
{
	struct setprio_arg *a = arg;

	set_one_prio(t, a->nice, &a->err, true);
}

/*
 * sys_setpriority - setpriority(2): nice value @nice (clamped to -20..19)
 * for the threads (@which, @who) names, as getpriority. Returns 0,
 * -EINVAL, -ESRCH, -EPERM (another user's task) or -EACCES (lowering the
 * nice value beyond RLIMIT_NICE); with several targets the first error
 * wins but the others are still changed. Takes tasklist_lock, process
 * locks and run-queue locks. Sleeps: no.
 */
long sys_setpriority(int which, int who, int nice)
{
	struct setprio_arg a = { .nice = MIN(MAX(nice, NICE_MIN), NICE_MAX), .err = -ESRCH };

	if (which < PRIO_PROCESS || which > PRIO_USER)
		return -EINVAL;
	if (which == PRIO_PROCESS) {
		struct task *t = task_lookup(who);

		if (!t)
			return -ESRCH;
		set_one_prio(t, a.nice, &a.err, false);
		task_put(t);
		return a.err;
	}
	spin_lock(&tasklist_lock);
	prio_for_each(which, prio_who(which, who), set_prio_cb, &a);
	spin_unlock(&tasklist_lock);
	return a.err;
}

static bool policy_valid(int policy)
{
	return policy == SCHED_OTHER || policy == SCHED_FIFO || policy == SCHED_RR ||
	       policy == SCHED_BATCH || policy == SCHED_IDLE;
}

static bool policy_rt(int policy)
{
	return policy == SCHED_FIFO || policy == SCHED_RR;
}

/*
 * Linux's __sched_setscheduler() for @t: @policy (-1: keep the current
 * one; may carry SCHED_RESET_ON_FORK) with real-time priority @prio.
 * 0, -EINVAL or -EPERM.
 */
static long set_scheduler(struct task *t, int policy, int prio)
{
	bool reset = false;

	if (policy < 0) {
		policy = t->policy;
		reset = t->sched_reset_on_fork;
	} else {
		reset = (policy & SCHED_RESET_ON_FORK) != 0;
		policy &= ~SCHED_RESET_ON_FORK;
		if (!policy_valid(policy))
			return -EINVAL;
	}
	if (prio < 0 || prio > RT_PRIO_MAX || policy_rt(policy) != (prio != 0))
		return -EINVAL;
	if (!privileged()) {
		if (policy_rt(policy)) {
			u64 lim = task_rlimit(t, RLIMIT_RTPRIO);

			if (policy != t->policy && !lim)
				return -EPERM;
			if (prio > t->rt_priority && (u64)prio > lim)
				return -EPERM;
		}
		if (t->policy == SCHED_IDLE && policy != SCHED_IDLE && !can_nice(t, t->nice, false))
			return -EPERM;
		if (!may_change(t, false))
			return -EPERM;
		if (t->sched_reset_on_fork && !reset)
			return -EPERM;
	}
	sched_set_attr(t, policy | (reset ? SCHED_RESET_ON_FORK : 0), prio, t->nice);
	return 0;
}

/* The common front of sched_setscheduler and sched_setparam. */
static long setscheduler_common(pid_t pid, int policy, const struct sched_param_user __user *up)
{
	struct sched_param_user sp;
	struct task *t;
	long r;

	if (!up || pid < 0)
		return -EINVAL;
	if (copy_from_user(&sp, up, sizeof(sp)))
		return -EFAULT;
	t = task_lookup(pid);
	if (!t)
		return -ESRCH;
	r = set_scheduler(t, policy, sp.sched_priority);
	task_put(t);
	return r;
}

/*
 * sys_sched_setscheduler - sched_setscheduler(2): @policy (SCHED_OTHER,
 * BATCH, IDLE, FIFO, RR, maybe | SCHED_RESET_ON_FORK) and the real-time
 * priority in *@param (1..99 for FIFO/RR, 0 otherwise) for thread @pid
 * (0: the caller). Returns 0, -EINVAL, -EFAULT, -ESRCH or -EPERM
 * (real-time beyond RLIMIT_RTPRIO, leaving SCHED_IDLE, another user's
 * task). Sleeps: no.
 */
long sys_sched_setscheduler(pid_t pid, int policy, const struct sched_param_user __user *param)
{
	if (policy < 0)
		return -EINVAL;
	return setscheduler_common(pid, policy, param);
}

/* sys_sched_setparam - sched_setparam(2): the priority alone, the policy
 * kept. Errors as sys_sched_setscheduler(). */
long sys_sched_setparam(pid_t pid, const struct sched_param_user __user *param)
{
	return setscheduler_common(pid, -1, param);
}

/* sys_sched_getscheduler - sched_getscheduler(2): the policy of thread
 * @pid, with SCHED_RESET_ON_FORK if set. -EINVAL (@pid < 0) or -ESRCH. */
long sys_sched_getscheduler(pid_t pid)
{
	struct task *t;
	long r;

	if (pid < 0)
		return -EINVAL;
	t = task_lookup(pid);
	if (!t)
		return -ESRCH;
	r = t->policy | (t->sched_reset_on_fork ? SCHED_RESET_ON_FORK : 0);
	task_put(t);
	return r;
}

/* sys_sched_getparam - sched_getparam(2): the real-time priority of @pid
 * into *@param (0 for the normal policies). 0, -EINVAL, -ESRCH, -EFAULT. */
long sys_sched_getparam(pid_t pid, struct sched_param_user __user *param)
{
	struct sched_param_user sp;
	struct task *t;

	if (!param || pid < 0)
		return -EINVAL;
	t = task_lookup(pid);
	if (!t)
		return -ESRCH;
	sp.sched_priority = t->rt_priority;
	task_put(t);
	return copy_to_user(param, &sp, sizeof(sp)) ? -EFAULT : 0;
}

/* sys_sched_get_priority_max/min - sched_get_priority_max(2): 99 and 1
 * for FIFO/RR, 0 for the others, -EINVAL for an unknown policy. */
long sys_sched_get_priority_max(int policy)
{
	if (!policy_valid(policy))
		return -EINVAL;
	return policy_rt(policy) ? RT_PRIO_MAX : 0;
}

long sys_sched_get_priority_min(int policy)
{
	if (!policy_valid(policy))
		return -EINVAL;
	return policy_rt(policy) ? RT_PRIO_MIN : 0;
}

struct timespec_user {
	s64 tv_sec;
	s64 tv_nsec;
};

/*
 * sys_sched_rr_get_interval - sched_rr_get_interval(2): the time slice of
 * thread @pid: 100 ms for SCHED_RR, 0 (unbounded) for SCHED_FIFO, one tick
 * for the others (the tick decides whether a waiting task runs before
 * them). 0, -EINVAL (@pid < 0), -ESRCH or -EFAULT.
 */
long sys_sched_rr_get_interval(pid_t pid, struct timespec_user __user *tp)
{
	struct timespec_user ts = { 0, 0 };
	struct task *t;
	u64 ns;

	if (pid < 0)
		return -EINVAL;
	t = task_lookup(pid);
	if (!t)
		return -ESRCH;
	if (t->policy == SCHED_RR)
		ns = 100 * 1000000ULL;
	else if (t->policy == SCHED_FIFO)
		ns = 0;
	else
		ns = NSEC_PER_SEC / HZ;
	task_put(t);
	ts.tv_sec = (s64)(ns / NSEC_PER_SEC);
	ts.tv_nsec = (s64)(ns % NSEC_PER_SEC);
	return copy_to_user(tp, &ts, sizeof(ts)) ? -EFAULT : 0;
}

static u64 online_mask(void)
{
	int n = __atomic_load_n(&ncpus, __ATOMIC_ACQUIRE);

	return n >= 64 ? ~0ULL : (1ULL << n) - 1;
}

/*
 * sys_sched_setaffinity - sched_setaffinity(2): let thread @pid (0: the
 * caller) run only on the CPUs of the @len-byte mask at @umask (bytes past
 * Sprout's MAX_CPUS bits are ignored, missing ones are zero). The thread
 * moves at once if its CPU is no longer allowed. Returns 0, -EFAULT,
 * -ESRCH, -EPERM (another user's task) or -EINVAL (no online CPU in the
 * mask). Sleeps: no.
 */
long sys_sched_setaffinity(pid_t pid, size_t len, const void __user *umask)
{
	u64 mask = 0;
	struct task *t;
	long r = 0;

	if (copy_from_user(&mask, umask, MIN(len, sizeof(mask))))
		return -EFAULT;
	mask &= (MAX_CPUS >= 64) ? ~0ULL : (1ULL << MAX_CPUS) - 1;
	t = task_lookup(pid);
	if (!t)
		return -ESRCH;
	if (!may_change(t, false))
		r = -EPERM;
	else if (!(mask & online_mask()))
		r = -EINVAL;
	else
		sched_set_affinity(t, mask);
	task_put(t);
	return r;
}

/*
 * sys_sched_getaffinity - sched_getaffinity(2) of thread @pid (0: the
 * caller): its mask restricted to the online CPUs. Writes the mask's size
 * (the CPU count in bits, rounded up to whole longs) or @len if smaller
 * and leaves the rest of the buffer alone. Returns the bytes written,
 * -EINVAL (@len shorter than the CPU count in bits, or not a multiple of
 * 8), -ESRCH or -EFAULT.
 */
long sys_sched_getaffinity(pid_t pid, size_t len, void __user *umask)
{
	size_t size = (((size_t)ncpus + 63) / 64) * sizeof(u64);
	struct task *t;
	u64 mask;

	if (len * 8 < (size_t)ncpus || (len & (sizeof(u64) - 1)))
		return -EINVAL;
	if (pid < 0)
		return -ESRCH;
	t = task_lookup(pid);
	if (t) {
		mask = __atomic_load_n(&t->cpus_allowed, __ATOMIC_RELAXED) & online_mask();
		task_put(t);
	} else if (zombie_leader(pid)) {
		mask = online_mask();	/* its threads are gone; Linux still answers */
	} else {
		return -ESRCH;
	}
	size = MIN(size, len);
	if (copy_to_user(umask, &mask, MIN(size, sizeof(mask))))
		return -EFAULT;
	return (long)size;
}

/*
 * sys_getcpu - getcpu(2): the CPU the caller runs on (a snapshot: it may
 * move right after) and its NUMA node (always 0) into @cpu and @node,
 * either may be NULL; @tcache is unused since Linux 2.6.24. 0 or -EFAULT.
 */
long sys_getcpu(unsigned __user *cpu, unsigned __user *node, void __user *tcache)
{
	u32 id = (u32)this_cpu()->id;

	(void)tcache;
	if (cpu && put_user_u32(cpu, id))
		return -EFAULT;
	if (node && put_user_u32(node, 0))
		return -EFAULT;
	return 0;
}

/* struct sched_attr of sched_getattr(2): its first version is 48 bytes, the one with
 * the utilisation clamps (Linux 5.3) 56. */
struct sched_attr_user {
	u32 size;
	u32 sched_policy;
	u64 sched_flags;
	s32 sched_nice;
	u32 sched_priority;
	u64 sched_runtime, sched_deadline, sched_period;	/* SCHED_DEADLINE only */
	u32 sched_util_min, sched_util_max;
};

#define SCHED_ATTR_SIZE_VER0		48
#define SCHED_FLAG_RESET_ON_FORK	0x01
#define SCHED_CAPACITY_SCALE		1024	/* an unclamped task's util_max */

/*
 * sys_sched_getattr - sched_getattr(2): the policy, flags, nice value and real-time
 * priority of thread @pid (0: the caller) into *@uattr, @usize bytes (48 up to a page;
 * bytes past this kernel's 56-byte struct are zeroed, and size says what was filled).
 * @flags must be 0. Returns 0, -EINVAL, -ESRCH or -EFAULT. Sleeps: no.
 */
long sys_sched_getattr(pid_t pid, void __user *uattr, unsigned int usize, unsigned int flags)
{
	struct sched_attr_user ka = { 0 };
	static const u8 zeros[64];
	struct task *t;
	size_t n, done;

	if (!uattr || pid < 0 || usize > PAGE_SIZE || usize < SCHED_ATTR_SIZE_VER0 || flags)
		return -EINVAL;
	t = task_lookup(pid);
	if (!t)
		return -ESRCH;
	ka.sched_policy = (u32)t->policy;
	if (t->sched_reset_on_fork)
		ka.sched_flags |= SCHED_FLAG_RESET_ON_FORK;
	if (policy_rt(t->policy))
		ka.sched_priority = (u32)t->rt_priority;
	else
		ka.sched_nice = t->nice;
	ka.sched_util_max = SCHED_CAPACITY_SCALE;
	task_put(t);
	n = MIN((size_t)usize, sizeof(ka));
	ka.size = (u32)n;
	if (copy_to_user(uattr, &ka, n))
		return -EFAULT;
	for (done = n; done < usize; done += MIN(sizeof(zeros), usize - done))
		if (copy_to_user((u8 __user *)uattr + done, zeros, MIN(sizeof(zeros), usize - done)))
			return -EFAULT;
	return 0;
}

/* ---- I/O priorities: ioprio_set(2), ioprio_get(2) ----
 *
 * Every Sprout disk request is served in arrival order, so the priority is kept and
 * reported (ionice) and inherited across fork, without reordering any I/O: the same
 * as Linux with a scheduler that ignores priorities (none, mq-deadline for most).
 */

#define IOPRIO_WHO_PROCESS	1
#define IOPRIO_WHO_USER		3
#define IOPRIO_CLASS_NONE	0
#define IOPRIO_CLASS_RT		1
#define IOPRIO_CLASS_BE		2
#define IOPRIO_CLASS_IDLE	3
#define IOPRIO_NR_LEVELS	8
#define IOPRIO_CLASS(v)		(((v) >> 13) & 0x7)
#define IOPRIO_LEVEL(v)		((v) & 0x7)
#define IOPRIO_DEFAULT		((IOPRIO_CLASS_BE << 13) | 4)	/* best effort, level 4 */

/* Linux's ioprio_check_cap(): class and level valid, real time only for root. */
static long ioprio_check(int ioprio)
{
	if (ioprio < 0 || ioprio > 0xffff)
		return -EINVAL;
	switch (IOPRIO_CLASS(ioprio)) {
	case IOPRIO_CLASS_RT:
		if (!privileged())
			return -EPERM;
		__attribute__((fallthrough));
	case IOPRIO_CLASS_BE:
		return IOPRIO_LEVEL(ioprio) < IOPRIO_NR_LEVELS ? 0 : -EINVAL;
	case IOPRIO_CLASS_IDLE:
		return 0;
	case IOPRIO_CLASS_NONE:
		return IOPRIO_LEVEL(ioprio) ? -EINVAL : 0;
	default:
		return -EINVAL;
	}
}

struct ioprio_arg {
	int ioprio;
	long err;	/* -ESRCH until a thread matched; the first error, else 0 */
	bool locked;
};

/* Linux's set_task_ioprio(): the target's uid must be the caller's uid or euid. */
static void set_ioprio_cb(struct task *t, void *arg)
{
	struct ioprio_arg *a = arg;
	struct process *p = t->proc;
	bool same;

	if (!a->locked)
		spin_lock(&p->lock);
	same = p->uid == current->proc->euid || p->uid == current->proc->uid;
	if (!a->locked)
		spin_unlock(&p->lock);
	if (!same && !privileged()) {
		a->err = -EPERM;
		return;
	}
	__atomic_store_n(&t->ioprio, (u16)a->ioprio, __ATOMIC_RELAXED);
	if (a->err == -ESRCH)
		a->err = 0;
}

/* Linux's ioprio_best(): a thread without a class counts as the default. */
static void best_ioprio_cb(struct task *t, void *arg)
{
	struct ioprio_arg *a = arg;
	int v = __atomic_load_n(&t->ioprio, __ATOMIC_RELAXED);

	if (a->err == -ESRCH) {
		a->err = 0;
		a->ioprio = v;
		return;
	}
	if (IOPRIO_CLASS(v) == IOPRIO_CLASS_NONE)
		v = IOPRIO_DEFAULT;
	if (IOPRIO_CLASS(a->ioprio) == IOPRIO_CLASS_NONE)
		a->ioprio = IOPRIO_DEFAULT;
	a->ioprio = MIN(a->ioprio, v);
}

/*
 * sys_ioprio_set - ioprio_set(2): I/O class and level @ioprio for thread @who
 * (IOPRIO_WHO_PROCESS), every thread of process group @who (IOPRIO_WHO_PGRP) or of
 * user @who's processes (IOPRIO_WHO_USER); @who 0 names the caller's. Returns 0,
 * -EINVAL (@which, a bad class or level), -EPERM (real-time class without privilege,
 * another user's thread) or -ESRCH. Takes tasklist_lock and process locks. Sleeps: no.
 */
long sys_ioprio_set(int which, int who, int ioprio)
{
	struct ioprio_arg a = { .ioprio = ioprio, .err = -ESRCH };
	long r;

	if (which < IOPRIO_WHO_PROCESS || which > IOPRIO_WHO_USER)
		return -EINVAL;
	r = ioprio_check(ioprio);
	if (r)
		return r;
	if (which == IOPRIO_WHO_PROCESS) {
		struct task *t = task_lookup(who);

		if (!t)
			return -ESRCH;
		set_ioprio_cb(t, &a);
		task_put(t);
		return a.err;
	}
	a.locked = true;
	spin_lock(&tasklist_lock);
	prio_for_each(which - 1, prio_who(which - 1, who), set_ioprio_cb, &a);
	spin_unlock(&tasklist_lock);
	return a.err;
}

/*
 * sys_ioprio_get - ioprio_get(2): the I/O priority of thread @who, or the best of a
 * process group's or a user's threads (@which, @who as ioprio_set). A thread that never
 * set one reports 0 (class NONE), as on Linux. Returns the value, -EINVAL or -ESRCH.
 * Takes tasklist_lock and process locks. Sleeps: no.
 */
long sys_ioprio_get(int which, int who)
{
	struct ioprio_arg a = { .err = -ESRCH };

	if (which < IOPRIO_WHO_PROCESS || which > IOPRIO_WHO_USER)
		return -EINVAL;
	if (which == IOPRIO_WHO_PROCESS) {
		struct task *t = task_lookup(who);

		if (!t)
			return -ESRCH;
		a.ioprio = __atomic_load_n(&t->ioprio, __ATOMIC_RELAXED);
		task_put(t);
		return a.ioprio;
	}
	spin_lock(&tasklist_lock);
	prio_for_each(which - 1, prio_who(which - 1, who), best_ioprio_cb, &a);
	spin_unlock(&tasklist_lock);
	return a.err ? a.err : a.ioprio;
}
