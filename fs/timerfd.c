/*
 * timerfd_create(2), timerfd_settime(2), timerfd_gettime(2): a timer as a
 * file. read(2) returns (8 bytes) how many times it expired since the last
 * read, waiting for the first expiry; poll says readable once it expired.
 * Clocks: CLOCK_REALTIME, CLOCK_MONOTONIC, CLOCK_BOOTTIME (Sprout's
 * monotonic clock counts suspended time too: there is no suspend).
 *
 * Expiries are counted when looked at (read, poll, gettime) from the
 * armed deadline and interval; the timer tick (timerfd_tick()) only wakes
 * the waiters of timers whose deadline passed.
 *
 * Locks: tfd_lock (spinlock) guards every timer's state and the list of
 * armed ones; taken from the tick, before wait-queue locks.
 */
#include "internal.h"
#include "cpu.h"
#include "kmalloc.h"
#include "sched.h"
#include "task.h"
#include "uaccess.h"
#include "uapi/poll.h"
#include "uapi/socket.h"

#define CLOCK_REALTIME_ID	0
#define CLOCK_MONOTONIC_ID	1
#define CLOCK_BOOTTIME_ID	7
#define NSEC_PER_SEC		1000000000ULL
#define ERR_TFD			((struct timerfd *)1)	/* tfd_get: not a timerfd */

struct linux_itimerspec {
	struct linux_timespec it_interval;
	struct linux_timespec it_value;
};

struct timerfd {
	int clockid;			/* [I] */
	u64 expiry;			/* [tfd_lock] monotonic ns of the next expiry, 0 = disarmed */
	u64 interval;			/* [tfd_lock] ns, 0 = one-shot */
	u64 ticks;			/* [tfd_lock] expiries not yet read */
	struct list_head link;		/* [tfd_lock] in armed */
	struct wait_queue wait;
};

static struct spinlock tfd_lock = SPINLOCK_INIT("timerfd");
static LIST_HEAD(armed);		/* [tfd_lock] */

/* Wall-clock minus monotonic time, ns (as clock_gettime(2) computes them). */
static u64 realtime_offset(void)
{
	u64 mono = arch_clock_ns();

	return arch_rtc_seconds() * NSEC_PER_SEC + mono % NSEC_PER_SEC - mono;
}

/* Count expiries up to @now. tfd_lock held. */
static void tfd_update(struct timerfd *t, u64 now)
{
	if (!t->expiry || now < t->expiry)
		return;
	if (t->interval) {
		u64 n = (now - t->expiry) / t->interval + 1;

		t->ticks += n;
		t->expiry += n * t->interval;
	} else {
		t->ticks++;
		t->expiry = 0;
		list_del(&t->link);
		list_init(&t->link);
	}
}

/*
 * timerfd_tick - from the timer interrupt of CPU 0 at monotonic @now: wake
 * the readers and pollers of every timer that expired. Takes tfd_lock.
 */
void timerfd_tick(u64 now)
{
	struct timerfd *t, *tmp;

	spin_lock(&tfd_lock);
	list_for_each_entry_safe(t, tmp, &armed, link) {
		if (now >= t->expiry) {
			tfd_update(t, now);
			wake_up(&t->wait);
		}
	}
	spin_unlock(&tfd_lock);
}

static bool tfd_ready(struct timerfd *t)
{
	bool r;

	spin_lock(&tfd_lock);
	tfd_update(t, arch_clock_ns());
	r = t->ticks != 0;
	spin_unlock(&tfd_lock);
	return r;
}

static ssize_t tfd_read(struct file *f, void __user *buf, size_t n, u64 *pos)
{
	struct timerfd *t = f->priv;
	u64 v;
	int err;

	if (n < 8)
		return -EINVAL;
	for (;;) {
		spin_lock(&tfd_lock);
		tfd_update(t, arch_clock_ns());
		v = t->ticks;
		t->ticks = 0;
		spin_unlock(&tfd_lock);
		if (v)
			break;
		if (file_flags(f) & O_NONBLOCK)
			return -EAGAIN;
		err = wait_event_interruptible(&t->wait, tfd_ready(t));
		if (err)
			return err;
	}
	return copy_to_user(buf, &v, 8) ? -EFAULT : 8;
}

static unsigned tfd_poll(struct file *f, struct poll_table *pt)
{
	struct timerfd *t = f->priv;

	poll_wait(pt, &t->wait);
	return tfd_ready(t) ? POLLIN | POLLRDNORM : 0;
}

static void tfd_release(struct file *f)
{
	struct timerfd *t = f->priv;

	spin_lock(&tfd_lock);
	if (!list_empty(&t->link))
		list_del(&t->link);
	spin_unlock(&tfd_lock);
	kfree(t);
}

static const struct file_ops timerfd_ops = {
	.read = tfd_read,
	.poll = tfd_poll,
	.release = tfd_release,
	.anon_name = "[timerfd]",
};

/*
 * timerfd_create - timerfd_create(2) on @clockid with @flags TFD_NONBLOCK,
 * TFD_CLOEXEC. The descriptor, or -EINVAL (clock or flags), -EMFILE,
 * -ENOMEM. Sleeps: no.
 */
long sys_timerfd_create(int clockid, int flags)
{
	struct timerfd *t;
	struct file *f;
	int fd;

	if (clockid != CLOCK_REALTIME_ID && clockid != CLOCK_MONOTONIC_ID &&
	    clockid != CLOCK_BOOTTIME_ID)
		return -EINVAL;
	if (flags & ~(TFD_NONBLOCK | TFD_CLOEXEC))
		return -EINVAL;
	t = kzalloc(sizeof(*t));
	if (!t)
		return -ENOMEM;
	t->clockid = clockid;
	list_init(&t->link);
	wait_queue_init(&t->wait, "timerfd_wait");
	f = file_alloc(NULL, &timerfd_ops, O_RDWR | (flags & TFD_NONBLOCK), t);
	if (!f) {
		kfree(t);
		return -ENOMEM;
	}
	fd = fd_install(f, 0, flags & TFD_CLOEXEC);
	if (fd < 0)
		file_put(f);
	return fd;
}

static struct timerfd *tfd_get(int fd, struct file **fp)
{
	struct file *f = fd_get(fd);

	*fp = f;
	if (f && f->ops != &timerfd_ops) {
		file_put(f);
		*fp = NULL;
		return ERR_TFD;
	}
	return f ? f->priv : NULL;
}

static void ns_to_ts(u64 ns, struct linux_timespec *ts)
{
	ts->tv_sec = (s64)(ns / NSEC_PER_SEC);
	ts->tv_nsec = (s64)(ns % NSEC_PER_SEC);
}

static bool ts_valid(const struct linux_timespec *ts)
{
	return ts->tv_sec >= 0 && ts->tv_nsec >= 0 && ts->tv_nsec < (s64)NSEC_PER_SEC;
}

/* A valid timespec in ns, saturating far beyond any uptime (no overflow later). */
static u64 ts_ns(const struct linux_timespec *ts)
{
	if ((u64)ts->tv_sec >= (1ULL << 62) / NSEC_PER_SEC)
		return 1ULL << 62;
	return (u64)ts->tv_sec * NSEC_PER_SEC + (u64)ts->tv_nsec;
}

/* The current setting of @t: time left and interval. tfd_lock held. */
static void tfd_current(struct timerfd *t, struct linux_itimerspec *cur)
{
	u64 now = arch_clock_ns();

	tfd_update(t, now);
	ns_to_ts(t->expiry ? t->expiry - now : 0, &cur->it_value);
	ns_to_ts(t->interval, &cur->it_interval);
}

/*
 * timerfd_settime - timerfd_settime(2): arm timer @fd with user @unew
 * (it_value 0 disarms; TFD_TIMER_ABSTIME in @flags: an absolute time on
 * the timer's clock), the old setting into @uold when given. 0, -EBADF,
 * -EINVAL (not a timerfd, bad flags or timespec), -EFAULT. Sleeps: no.
 */
long sys_timerfd_settime(int fd, int flags, const struct linux_itimerspec __user *unew,
			 struct linux_itimerspec __user *uold)
{
	struct linux_itimerspec nv, old;
	struct timerfd *t;
	struct file *f;
	u64 value, now;

	if (flags & ~(TFD_TIMER_ABSTIME | TFD_TIMER_CANCEL_ON_SET))
		return -EINVAL;
	if (copy_from_user(&nv, unew, sizeof(nv)))
		return -EFAULT;
	if (!ts_valid(&nv.it_value) || !ts_valid(&nv.it_interval))
		return -EINVAL;
	t = tfd_get(fd, &f);
	if (!f)
		return t == ERR_TFD ? -EINVAL : -EBADF;
	value = ts_ns(&nv.it_value);
	spin_lock(&tfd_lock);
	tfd_current(t, &old);
	now = arch_clock_ns();
	t->ticks = 0;
	t->interval = ts_ns(&nv.it_interval);
	if (!value) {
		t->expiry = 0;
	} else if (flags & TFD_TIMER_ABSTIME) {
		u64 off = t->clockid == CLOCK_REALTIME_ID ? realtime_offset() : 0;

		t->expiry = value > off ? value - off : 1;
		if (!t->expiry)
			t->expiry = 1;
	} else {
		t->expiry = now + value;
	}
	if (!list_empty(&t->link))
		list_del(&t->link);
	list_init(&t->link);
	if (t->expiry)
		list_add_tail(&t->link, &armed);
	spin_unlock(&tfd_lock);
	wake_up(&t->wait);
	file_put(f);
	if (uold && copy_to_user(uold, &old, sizeof(old)))
		return -EFAULT;
	return 0;
}

/*
 * timerfd_gettime - timerfd_gettime(2): time left to the next expiry and
 * the interval of timer @fd into user @ucur. 0, -EBADF, -EINVAL, -EFAULT.
 */
long sys_timerfd_gettime(int fd, struct linux_itimerspec __user *ucur)
{
	struct linux_itimerspec cur;
	struct timerfd *t;
	struct file *f;

	t = tfd_get(fd, &f);
	if (!f)
		return t == ERR_TFD ? -EINVAL : -EBADF;
	spin_lock(&tfd_lock);
	tfd_current(t, &cur);
	spin_unlock(&tfd_lock);
	file_put(f);
	return copy_to_user(ucur, &cur, sizeof(cur)) ? -EFAULT : 0;
}
