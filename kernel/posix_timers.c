/*
 * POSIX per-process timers: timer_create(2), timer_settime(2), timer_gettime(2),
 * timer_getoverrun(2) and timer_delete(2). coreutils' timeout arms one on
 * CLOCK_REALTIME; glibc's SIGEV_THREAD timers are SIGEV_THREAD_ID ones to a helper
 * thread.
 *
 * A timer counts on CLOCK_REALTIME, CLOCK_MONOTONIC, CLOCK_BOOTTIME (kept as a
 * deadline on the monotonic clock: Sprout's real-time clock is the monotonic one
 * shifted, and never set) or CLOCK_PROCESS_CPUTIME_ID (the process's CPU ticks).
 * At expiry it queues its signal (si_code SI_TIMER, with the timer's id, overrun and
 * sigev_value) to the process, or to one thread with SIGEV_THREAD_ID, or nothing with
 * SIGEV_NONE. While that signal is still pending, later expiries only count as
 * overruns (timer_getoverrun). The scheduler tick on the boot CPU drives them
 * (itimer.c's signal_timer_tick), so the resolution is one tick, as for setitimer.
 * A process's timers go at its exit and at execve, as on Linux.
 *
 * Locks: posix_timer_lock guards the list of every timer and each timer's
 * deadline, interval and overrun counts; it is taken before process->lock (the
 * signal is sent under it, from the tick).
 */
#include "kernel.h"
#include "kmalloc.h"
#include "task.h"
#include "cpu.h"
#include "uaccess.h"
#include "uapi/errno.h"
#include "uapi/signal.h"

#define CLOCK_REALTIME			0
#define CLOCK_MONOTONIC			1
#define CLOCK_PROCESS_CPUTIME_ID	2
#define CLOCK_THREAD_CPUTIME_ID		3
#define CLOCK_BOOTTIME			7
#define CLOCK_TAI			11
#define CLOCK_MAX			16

#define SIGEV_SIGNAL		0
#define SIGEV_NONE		1
#define SIGEV_THREAD		2
#define SIGEV_THREAD_ID		4
#define SI_TIMER		(-2)
#define TIMER_ABSTIME		1

#define NS_PER_S		1000000000ULL
#define NS_PER_TICK		(NS_PER_S / HZ)
#define TIMERS_PER_PROCESS	4096	/* beyond: EAGAIN */
#define DELAYTIMER_MAX		0x7fffffff

struct posix_timer {
	struct list_head link;	/* [posix_timer_lock] in timers */
	struct process *proc;	/* [I] owner; the timer goes before the process does */
	int id;			/* [I] the timer_t the owner knows it by */
	int clock;		/* [I] */
	int notify;		/* [I] SIGEV_SIGNAL, SIGEV_NONE or SIGEV_THREAD_ID */
	int signo;		/* [I] */
	pid_t tid;		/* [I] SIGEV_THREAD_ID: the thread signalled */
	u64 value;		/* [I] sigev_value, handed back in si_value */
	u64 deadline;		/* [posix_timer_lock] ns on its base clock; 0: disarmed */
	u64 interval;		/* [posix_timer_lock] ns; 0: one shot */
	int overrun;		/* [posix_timer_lock] expiries while its signal was pending */
};

struct k_sigevent {
	u64 sigev_value;
	int sigev_signo;
	int sigev_notify;
	int sigev_tid;
	int pad[11];
};

struct k_timespec {
	s64 tv_sec;
	s64 tv_nsec;
};

struct k_itimerspec {
	struct k_timespec it_interval, it_value;
};

static struct spinlock posix_timer_lock = SPINLOCK_INIT("posix_timer");
static struct list_head timers = LIST_HEAD_INIT(timers);	/* [posix_timer_lock] */

static u64 realtime_ns(void)
{
	return arch_rtc_seconds() * NS_PER_S + arch_clock_ns() % NS_PER_S;
}

/* Now on the base clock of @tm: the monotonic clock, or the process's CPU time. */
static u64 base_now(const struct posix_timer *tm)
{
	if (tm->clock == CLOCK_PROCESS_CPUTIME_ID)
		return __atomic_load_n(&tm->proc->cpu_ticks, __ATOMIC_RELAXED) * NS_PER_TICK;
	return arch_clock_ns();
}

/* Current's timer @id, or NULL. Holds posix_timer_lock. */
static struct posix_timer *find_locked(int id)
{
	struct posix_timer *tm;

	list_for_each_entry(tm, &timers, link)
		if (tm->proc == current->proc && tm->id == id)
			return tm;
	return NULL;
}

/* The signal of @tm still waits to be delivered. Takes the owner's lock. */
static bool signal_waiting(struct posix_timer *tm, struct task *t)
{
	struct process *p = tm->proc;
	bool pending;

	spin_lock(&p->lock);
	pending = (t ? t->pending : p->shared_pending) & (1UL << (tm->signo - 1));
	spin_unlock(&p->lock);
	return pending;
}

/* The live thread @tid of @p, referenced, or NULL. */
static struct task *thread_of(struct process *p, pid_t tid)
{
	struct task *t, *found = NULL;

	spin_lock(&p->lock);
	list_for_each_entry(t, &p->threads, thread_link)
		if (t->tid == tid && t->state != TASK_DEAD) {
			task_get(t);
			found = t;
			break;
		}
	spin_unlock(&p->lock);
	return found;
}

/* @tm expired, @missed whole periods late: its signal, or, while the last one is still
 * pending, more overruns. Holds posix_timer_lock. */
static void fire_locked(struct posix_timer *tm, u64 missed)
{
	struct linux_siginfo info;
	struct task *t = NULL;

	if (tm->notify == SIGEV_NONE)
		return;
	if (tm->notify == SIGEV_THREAD_ID)
		t = thread_of(tm->proc, tm->tid);	/* gone: the process takes it */
	if (signal_waiting(tm, t)) {
		tm->overrun = (int)MIN((u64)tm->overrun + 1 + missed, (u64)DELAYTIMER_MAX);
	} else {
		tm->overrun = (int)MIN(missed, (u64)DELAYTIMER_MAX);
		memset(&info, 0, sizeof(info));
		info.si_signo = tm->signo;
		info.si_code = SI_TIMER;
		info.proc.pid = tm->id;		/* si_timerid */
		info.proc.uid = (unsigned)tm->overrun;	/* si_overrun */
		info.proc.value = tm->value;	/* si_value */
		signal_send_info(tm->proc, t, &info);
	}
	if (t)
		task_put(t);
}

/* posix_timers_tick - see include/task.h. */
void posix_timers_tick(void)
{
	struct posix_timer *tm;

	spin_lock(&posix_timer_lock);
	list_for_each_entry(tm, &timers, link) {
		u64 now, missed = 0;

		if (!tm->deadline)
			continue;
		now = base_now(tm);
		if (tm->deadline > now)
			continue;
		if (tm->interval) {
			tm->deadline += tm->interval;
			if (tm->deadline <= now) {
				/* Periods missed whole, as Linux's hrtimer_forward counts them. */
				missed = (now - tm->deadline) / tm->interval + 1;
				tm->deadline += missed * tm->interval;
			}
		} else {
			tm->deadline = 0;
		}
		fire_locked(tm, missed);
	}
	spin_unlock(&posix_timer_lock);
}

/* posix_timers_exit - see include/task.h. */
void posix_timers_exit(struct process *p)
{
	struct posix_timer *tm, *tmp;

	spin_lock(&posix_timer_lock);
	list_for_each_entry_safe(tm, tmp, &timers, link)
		if (tm->proc == p) {
			list_del(&tm->link);
			kfree(tm);
		}
	spin_unlock(&posix_timer_lock);
}

/*
 * sys_timer_create - timer_create(2): a disarmed timer on @clock that will notify as
 * *@uevent says (NULL: SIGALRM with the timer's id as si_value); its id goes to
 * *@uid. Returns 0, -EINVAL (an unknown clock or notification, a bad signal, a
 * SIGEV_THREAD_ID thread not in the caller's process), -EOPNOTSUPP (a clock that
 * has no timers here: the raw and coarse ones, a thread's CPU time), -EAGAIN (too
 * many timers), -EFAULT. Sleeps: may (allocates).
 */
long sys_timer_create(int clock, const struct k_sigevent __user *uevent, int __user *uid)
{
	struct posix_timer *tm, *other;
	struct k_sigevent ev;
	int count = 0, id = 0;
	struct task *t;

	if (clock < 0 || clock >= CLOCK_MAX)
		return -EINVAL;
	if (clock != CLOCK_REALTIME && clock != CLOCK_MONOTONIC && clock != CLOCK_BOOTTIME &&
	    clock != CLOCK_PROCESS_CPUTIME_ID && clock != CLOCK_TAI)
		return -EOPNOTSUPP;
	if (uevent) {
		if (copy_from_user(&ev, uevent, sizeof(ev)))
			return -EFAULT;
	} else {
		memset(&ev, 0, sizeof(ev));
		ev.sigev_notify = SIGEV_SIGNAL;
		ev.sigev_signo = SIGALRM;
	}
	switch (ev.sigev_notify) {
	case SIGEV_NONE:
		break;
	case SIGEV_THREAD_ID:
		t = thread_of(current->proc, ev.sigev_tid);
		if (!t)
			return -EINVAL;
		task_put(t);
		__attribute__((fallthrough));
	case SIGEV_SIGNAL:
		if (ev.sigev_signo < 1 || ev.sigev_signo > NSIG)
			return -EINVAL;
		break;
	default:
		return -EINVAL;	/* SIGEV_THREAD is the C library's, never the kernel's */
	}
	tm = kzalloc(sizeof(*tm));
	if (!tm)
		return -EAGAIN;
	tm->proc = current->proc;
	tm->clock = clock;
	tm->notify = ev.sigev_notify;
	tm->signo = ev.sigev_signo;
	tm->tid = ev.sigev_tid;
	spin_lock(&posix_timer_lock);
	/* The lowest id the process does not use, as Linux hands them out from 0. */
	for (bool taken = true; taken; ) {
		taken = false;
		count = 0;
		list_for_each_entry(other, &timers, link)
			if (other->proc == tm->proc) {
				count++;
				if (other->id == id) {
					taken = true;
					id++;
				}
			}
	}
	if (count >= TIMERS_PER_PROCESS) {
		spin_unlock(&posix_timer_lock);
		kfree(tm);
		return -EAGAIN;
	}
	tm->id = id;
	tm->value = uevent ? ev.sigev_value : (u64)id;
	list_add_tail(&tm->link, &timers);
	spin_unlock(&posix_timer_lock);
	if (put_user_u32(uid, (u32)id)) {
		spin_lock(&posix_timer_lock);
		list_del(&tm->link);
		spin_unlock(&posix_timer_lock);
		kfree(tm);
		return -EFAULT;
	}
	return 0;
}

static bool ts_valid(const struct k_timespec *ts)
{
	return ts->tv_sec >= 0 && ts->tv_nsec >= 0 && (u64)ts->tv_nsec < NS_PER_S;
}

static u64 ts_ns(const struct k_timespec *ts)
{
	u64 sec = (u64)ts->tv_sec;

	return sec >= (~0ULL - NS_PER_S) / NS_PER_S ? ~0ULL / 2 : sec * NS_PER_S +
	       (u64)ts->tv_nsec;
}

static void ns_ts(u64 ns, struct k_timespec *ts)
{
	ts->tv_sec = (s64)(ns / NS_PER_S);
	ts->tv_nsec = (s64)(ns % NS_PER_S);
}

/* Time left and interval of @tm. Holds posix_timer_lock. */
static void get_locked(struct posix_timer *tm, struct k_itimerspec *cur)
{
	u64 now = base_now(tm), left = 0;

	if (tm->deadline)
		left = tm->deadline > now ? tm->deadline - now : 1;	/* due at the next tick */
	ns_ts(left, &cur->it_value);
	ns_ts(tm->interval, &cur->it_interval);
}

/*
 * sys_timer_settime - timer_settime(2): arm timer @id to expire after *@unew's
 * it_value (at it, on the timer's clock, with TIMER_ABSTIME in @flags; a time
 * already past expires at once) and every it_interval after; a zero it_value
 * disarms. The previous setting goes to *@uold when it is not NULL. Returns 0,
 * -EINVAL (no such timer, a bad timespec, no @unew), -EFAULT. Sleeps: no.
 */
long sys_timer_settime(int id, int flags, const struct k_itimerspec __user *unew,
		       struct k_itimerspec __user *uold)
{
	struct k_itimerspec nv, ov;
	struct posix_timer *tm;
	u64 value, interval, now;

	if (!unew)
		return -EINVAL;
	if (copy_from_user(&nv, unew, sizeof(nv)))
		return -EFAULT;
	if (!ts_valid(&nv.it_value) || !ts_valid(&nv.it_interval))
		return -EINVAL;
	value = ts_ns(&nv.it_value);
	interval = ts_ns(&nv.it_interval);
	spin_lock(&posix_timer_lock);
	tm = find_locked(id);
	if (!tm) {
		spin_unlock(&posix_timer_lock);
		return -EINVAL;
	}
	get_locked(tm, &ov);
	now = base_now(tm);
	tm->overrun = 0;
	tm->interval = value ? interval : 0;
	if (!value) {
		tm->deadline = 0;
	} else if (!(flags & TIMER_ABSTIME)) {
		tm->deadline = now + value;
	} else if (tm->clock == CLOCK_REALTIME || tm->clock == CLOCK_TAI) {
		u64 rt = realtime_ns();

		tm->deadline = value > rt ? now + (value - rt) : now;
	} else {
		tm->deadline = value;
	}
	if (!tm->deadline && value)
		tm->deadline = 1;	/* "at time 0" of an absolute clock: long past */
	spin_unlock(&posix_timer_lock);
	if (uold && copy_to_user(uold, &ov, sizeof(ov)))
		return -EFAULT;
	return 0;
}

/* sys_timer_gettime - timer_gettime(2): the time left on timer @id (0: disarmed)
 * and its interval into *@ucur. 0, -EINVAL (no such timer), -EFAULT. Sleeps: no. */
long sys_timer_gettime(int id, struct k_itimerspec __user *ucur)
{
	struct k_itimerspec cur;
	struct posix_timer *tm;

	spin_lock(&posix_timer_lock);
	tm = find_locked(id);
	if (tm)
		get_locked(tm, &cur);
	spin_unlock(&posix_timer_lock);
	if (!tm)
		return -EINVAL;
	return copy_to_user(ucur, &cur, sizeof(cur)) ? -EFAULT : 0;
}

/* sys_timer_getoverrun - timer_getoverrun(2): the expiries of timer @id that found
 * its signal still pending (at most DELAYTIMER_MAX). -EINVAL: no such timer. */
long sys_timer_getoverrun(int id)
{
	struct posix_timer *tm;
	long r;

	spin_lock(&posix_timer_lock);
	tm = find_locked(id);
	r = tm ? tm->overrun : -EINVAL;
	spin_unlock(&posix_timer_lock);
	return r;
}

/* sys_timer_delete - timer_delete(2): disarm and free timer @id; a signal it queued
 * stays pending. 0 or -EINVAL (no such timer). Sleeps: no. */
long sys_timer_delete(int id)
{
	struct posix_timer *tm;

	spin_lock(&posix_timer_lock);
	tm = find_locked(id);
	if (tm)
		list_del(&tm->link);
	spin_unlock(&posix_timer_lock);
	if (!tm)
		return -EINVAL;
	kfree(tm);
	return 0;
}
