/*
 * Interval timers and CPU-time limits: alarm(2), setitimer(2), getitimer(2)
 * (ITIMER_REAL counts wall time and sends SIGALRM, ITIMER_VIRTUAL user CPU
 * time and sends SIGVTALRM, ITIMER_PROF user+system CPU time and sends
 * SIGPROF) and RLIMIT_CPU (SIGXCPU at the soft limit and every second after,
 * SIGKILL at the hard limit). Everything is driven by the scheduler tick
 * (signal_timer_tick), so resolution is one tick (1/HZ s).
 *
 * Locks: itimer_lock guards the list of armed real timers and their
 * it_real_* fields; it is taken before process->lock (signals are sent
 * under it). The CPU timers are [P] process->lock fields.
 */
#include "kernel.h"
#include "task.h"
#include "cpu.h"
#include "uaccess.h"
#include "uapi/errno.h"
#include "uapi/signal.h"
#include "uapi/resource.h"
#include "uapi/sched.h"

#define ITIMER_REAL	0
#define ITIMER_VIRTUAL	1
#define ITIMER_PROF	2
#define NS_PER_S	1000000000UL
#define NS_PER_TICK	(NS_PER_S / HZ)

static struct spinlock itimer_lock = SPINLOCK_INIT("itimer");
static struct list_head real_timers = LIST_HEAD_INIT(real_timers);	/* [itimer_lock] */

struct k_itimerval {
	struct linux_timeval it_interval, it_value;
};

static u64 tv_to_ns(const struct linux_timeval *tv)
{
	return (u64)tv->tv_sec * NS_PER_S + (u64)tv->tv_usec * 1000;
}

static void ns_to_tv(u64 ns, struct linux_timeval *tv)
{
	tv->tv_sec = (s64)(ns / NS_PER_S);
	tv->tv_usec = (s64)((ns % NS_PER_S) / 1000);
}

static void real_arm_locked(struct process *p, u64 value_ns, u64 interval_ns)
{
	list_del(&p->it_real_link);
	list_init(&p->it_real_link);
	p->it_real_interval_ns = interval_ns;
	p->it_real_deadline_ns = value_ns ? arch_clock_ns() + value_ns : 0;
	if (value_ns)
		list_add_tail(&p->it_real_link, &real_timers);
}

/* Time left on @p's real timer, ns (0 = disarmed). Holds itimer_lock. */
static u64 real_left_locked(struct process *p)
{
	u64 now = arch_clock_ns();

	if (!p->it_real_deadline_ns)
		return 0;
	/* Expired but not yet seen by the tick: report the smallest non-zero. */
	return p->it_real_deadline_ns > now ? p->it_real_deadline_ns - now : 1000;
}

/* itimer_exit - see include/task.h. */
void itimer_exit(struct process *p)
{
	spin_lock(&itimer_lock);
	list_del(&p->it_real_link);
	list_init(&p->it_real_link);
	p->it_real_deadline_ns = 0;
	spin_unlock(&itimer_lock);
	posix_timers_exit(p);
}

static u64 ticks_from_ns(u64 ns) { return (ns + NS_PER_TICK - 1) / NS_PER_TICK; }

/* CPU timer countdown for one tick. Holds p->lock. Returns true on expiry. */
static bool cpu_timer_tick(u64 *value, u64 interval)
{
	if (!*value)
		return false;
	if (--*value)
		return false;
	*value = interval;
	return true;
}

/*
 * RLIMIT_RTTIME (setrlimit(2)): microseconds a real-time task may run without
 * blocking. Counts this tick for real-time task @t and returns the signal it
 * has earned: SIGKILL at the hard limit, SIGXCPU at the soft one and once a
 * second after, else 0. The count restarts when the task sleeps
 * (kernel/sched.c). Caller holds @t's process lock.
 */
static int rttime_tick(struct task *t, struct k_rlimit lim)
{
	u64 ticks = __atomic_add_fetch(&t->rt_run_ticks, 1, __ATOMIC_RELAXED);
	u64 us = ticks * (1000000 / HZ);

	if (lim.max != RLIM_INFINITY && us >= lim.max)
		return SIGKILL;
	if (lim.cur == RLIM_INFINITY || us < lim.cur)
		return 0;
	if (ticks < __atomic_load_n(&t->rt_xcpu_next, __ATOMIC_RELAXED))
		return 0;
	__atomic_store_n(&t->rt_xcpu_next, ticks + HZ, __ATOMIC_RELAXED);
	return SIGXCPU;
}

/* signal_timer_tick - see include/task.h. Interrupts disabled. */
void signal_timer_tick(struct task *t, bool user)
{
	struct process *p = t ? t->proc : NULL;
	int send[3], n = 0;

	if (p && t->mm && p->state == PROC_ALIVE && p->sighand) {
		spin_lock(&p->lock);
		p->cpu_ticks++;
		if (user && cpu_timer_tick(&p->it_virt_value, p->it_virt_interval))
			send[n++] = SIGVTALRM;
		if (cpu_timer_tick(&p->it_prof_value, p->it_prof_interval))
			send[n++] = SIGPROF;
		struct k_rlimit cpu = p->rlim[RLIMIT_CPU];

		if (cpu.max != RLIM_INFINITY && p->cpu_ticks >= cpu.max * HZ) {
			send[n++] = SIGKILL;
		} else if (cpu.cur != RLIM_INFINITY && p->cpu_ticks >= cpu.cur * HZ &&
			   p->cpu_ticks >= p->xcpu_next_ticks) {
			send[n++] = SIGXCPU;
			p->xcpu_next_ticks = p->cpu_ticks + HZ;
		}
		if (t->policy == SCHED_FIFO || t->policy == SCHED_RR) {
			int sig = rttime_tick(t, p->rlim[RLIMIT_RTTIME]);

			if (sig)
				send[n++] = sig;
		}
		spin_unlock(&p->lock);
		for (int i = 0; i < n; i++)
			send_signal_process(p, send[i]);
	}
	if (this_cpu()->id != 0)
		return;
	/* Real timers: only the boot CPU scans them. */
	u64 now = arch_clock_ns();
	struct process *q, *tmp;

	spin_lock(&itimer_lock);
	list_for_each_entry_safe(q, tmp, &real_timers, it_real_link) {
		if (q->it_real_deadline_ns > now)
			continue;
		if (q->it_real_interval_ns) {
			q->it_real_deadline_ns += q->it_real_interval_ns;
			if (q->it_real_deadline_ns <= now)
				q->it_real_deadline_ns = now + q->it_real_interval_ns;
		} else {
			q->it_real_deadline_ns = 0;
			list_del(&q->it_real_link);
			list_init(&q->it_real_link);
		}
		send_signal_process(q, SIGALRM);
	}
	spin_unlock(&itimer_lock);
	posix_timers_tick();
}

static void cpu_timer_get(struct process *p, int which, u64 *value_ns, u64 *interval_ns)
{
	u64 v = which == ITIMER_VIRTUAL ? p->it_virt_value : p->it_prof_value;
	u64 i = which == ITIMER_VIRTUAL ? p->it_virt_interval : p->it_prof_interval;

	*value_ns = v * NS_PER_TICK;
	*interval_ns = i * NS_PER_TICK;
}

/* Read and optionally set timer @which. Returns 0 or -EINVAL. */
static long itimer_swap(int which, const u64 *new_value, const u64 *new_interval,
			u64 *old_value, u64 *old_interval)
{
	struct process *p = current->proc;

	switch (which) {
	case ITIMER_REAL:
		spin_lock(&itimer_lock);
		*old_value = real_left_locked(p);
		*old_interval = p->it_real_interval_ns;
		if (new_value)
			real_arm_locked(p, *new_value, *new_interval);
		spin_unlock(&itimer_lock);
		return 0;
	case ITIMER_VIRTUAL:
	case ITIMER_PROF:
		spin_lock(&p->lock);
		cpu_timer_get(p, which, old_value, old_interval);
		if (new_value) {
			u64 v = ticks_from_ns(*new_value), i = ticks_from_ns(*new_interval);

			if (which == ITIMER_VIRTUAL)
				p->it_virt_value = v, p->it_virt_interval = i;
			else
				p->it_prof_value = v, p->it_prof_interval = i;
		}
		spin_unlock(&p->lock);
		return 0;
	default:
		return -EINVAL;
	}
}

/* sys_getitimer - getitimer(2). 0, -EINVAL or -EFAULT. */
long sys_getitimer(int which, struct k_itimerval __user *ucur)
{
	struct k_itimerval cur;
	u64 v, i;
	long ret = itimer_swap(which, NULL, NULL, &v, &i);

	if (ret)
		return ret;
	ns_to_tv(v, &cur.it_value);
	ns_to_tv(i, &cur.it_interval);
	return copy_to_user(ucur, &cur, sizeof(cur)) ? -EFAULT : 0;
}

/* sys_setitimer - setitimer(2): a zero it_value disarms. 0, -EINVAL
 * (bad which or timeval), -EFAULT. */
long sys_setitimer(int which, const struct k_itimerval __user *unew,
		   struct k_itimerval __user *uold)
{
	struct k_itimerval nv, ov;
	u64 v = 0, i = 0, ovv, oi;
	long ret;

	if (unew) {
		if (copy_from_user(&nv, unew, sizeof(nv)))
			return -EFAULT;
		if (nv.it_value.tv_sec < 0 || nv.it_value.tv_usec < 0 ||
		    nv.it_value.tv_usec >= 1000000 || nv.it_interval.tv_sec < 0 ||
		    nv.it_interval.tv_usec < 0 || nv.it_interval.tv_usec >= 1000000)
			return -EINVAL;
		v = tv_to_ns(&nv.it_value);
		i = tv_to_ns(&nv.it_interval);
	}
	ret = itimer_swap(which, unew ? &v : NULL, &i, &ovv, &oi);
	if (ret)
		return ret;
	if (uold) {
		ns_to_tv(ovv, &ov.it_value);
		ns_to_tv(oi, &ov.it_interval);
		if (copy_to_user(uold, &ov, sizeof(ov)))
			return -EFAULT;
	}
	return 0;
}

/* sys_alarm - alarm(2): SIGALRM after @seconds (0 cancels). Returns the
 * seconds left on the previous alarm, rounded to the nearest, at least 1
 * when one was pending. */
long sys_alarm(unsigned seconds)
{
	u64 v = (u64)seconds * NS_PER_S, i = 0, ov, oi;

	itimer_swap(ITIMER_REAL, &v, &i, &ov, &oi);
	if (!ov)
		return 0;
	u64 secs = (ov + NS_PER_S / 2) / NS_PER_S;

	return secs ? (long)secs : 1;
}
