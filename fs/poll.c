/*
 * Waiting for several descriptors at once: poll(2), ppoll(2), select(2) and
 * pselect6(2).
 *
 * One scan asks every file for its readiness (file_ops.poll); the files
 * register the wait queues that announce a change through poll_wait(), which
 * puts the caller on each of them (prepare_to_wait(), so it is marked
 * sleeping before the readiness is read: a change in between is not lost).
 * When nothing is ready the caller sleeps until one of those queues, its
 * timeout or a signal wakes it, drops every registration and scans again.
 * The caller's own private queue is always registered first, so it sleeps
 * even when no file has a queue (poll(NULL, 0, timeout) is a sleep).
 *
 * Locks: none of its own; the poll table belongs to the calling task.
 */
#include "internal.h"
#include "cpu.h"
#include "kmalloc.h"
#include "sched.h"
#include "task.h"
#include "uaccess.h"
#include "uapi/poll.h"
#include "uapi/resource.h"

#define POLL_DEFAULT_MASK	(POLLIN | POLLOUT | POLLRDNORM | POLLWRNORM)
#define POLL_QUEUES_PER_FD	2	/* wait queues one file may register */
#define NSEC_PER_SEC		1000000000UL

/* poll_wait - see include/fs.h. */
void poll_wait(struct poll_table *pt, struct wait_queue *wq)
{
	struct poll_entry *e;

	if (pt && pt->queue) {
		pt->queue(pt, wq);
		return;
	}
	if (!pt || !pt->registering || pt->n == pt->max)
		return;
	e = &pt->entries[pt->n++];
	e->wq = wq;
	prepare_to_wait(wq, &e->we);
}

static void poll_unregister(struct poll_table *pt)
{
	while (pt->n) {
		struct poll_entry *e = &pt->entries[--pt->n];

		finish_wait(e->wq, &e->we);
	}
}

/* The readiness of @fd, limited to @events plus the always-reported bits. */
static unsigned poll_one(int fd, unsigned events, struct poll_table *pt)
{
	struct file *f;
	unsigned mask;

	if (fd < 0)
		return 0;
	f = fd_get(fd);
	if (!f)
		return POLLNVAL;
	mask = f->ops && f->ops->poll ? f->ops->poll(f, pt) : POLL_DEFAULT_MASK;
	file_put(f);
	return mask & (events | POLLERR | POLLHUP);
}

/*
 * Scan @fds until one is ready, the monotonic @deadline_ns passes (0: none;
 * @no_wait: do not wait at all) or a signal arrives. Fills revents. Returns
 * the number of ready entries or -ERESTARTSYS / -ENOMEM.
 */
static int poll_wait_fds(struct linux_pollfd *fds, u32 nfds, u64 deadline_ns, bool no_wait)
{
	struct wait_queue self_wq;
	struct poll_entry self;
	struct poll_table pt = { .max = nfds * POLL_QUEUES_PER_FD };
	int ready = 0;

	pt.entries = kmalloc(MAX(pt.max, 1U) * sizeof(*pt.entries));
	if (!pt.entries)
		return -ENOMEM;
	wait_queue_init(&self_wq, "poll_self");
	if (deadline_ns)
		sched_timer_arm(deadline_ns);
	for (;;) {
		pt.registering = !no_wait;
		if (!no_wait)
			prepare_to_wait(&self_wq, &self.we);
		ready = 0;
		for (u32 i = 0; i < nfds; i++) {
			fds[i].revents = (s16)poll_one(fds[i].fd, (u16)fds[i].events, &pt);
			if (fds[i].revents) {
				ready++;
				pt.registering = false;
			}
		}
		if (ready || no_wait || sched_deadline_passed(deadline_ns))
			break;
		if (signal_pending_current()) {
			ready = -ERESTARTSYS;
			break;
		}
		schedule();
		poll_unregister(&pt);
		finish_wait(&self_wq, &self.we);
	}
	poll_unregister(&pt);
	if (!no_wait)
		finish_wait(&self_wq, &self.we);
	if (deadline_ns)
		sched_timer_disarm();
	kfree(pt.entries);
	return ready;
}

/* A relative timeout of @ns nanoseconds as a monotonic deadline (never 0). */
static u64 deadline_after(u64 ns)
{
	u64 now = arch_clock_ns();

	return ns > UINT64_MAX - now - 1 ? UINT64_MAX : now + ns + 1;
}

/* Time left until @deadline_ns, for the timeout write-back (0 once passed). */
static u64 time_left(u64 deadline_ns)
{
	u64 now = arch_clock_ns();

	return deadline_ns > now ? deadline_ns - now : 0;
}

/* Copy in @nfds pollfds, wait, copy the revents back. */
static long do_poll(struct linux_pollfd __user *ufds, u64 nfds, u64 deadline_ns, bool no_wait)
{
	struct linux_pollfd *fds;
	long r;

	if (nfds > rlimit_cur(RLIMIT_NOFILE))
		return -EINVAL;	/* poll(2): nfds exceeds RLIMIT_NOFILE */
	fds = kmalloc(MAX(nfds, 1UL) * sizeof(*fds));
	if (!fds)
		return -ENOMEM;
	if (copy_from_user(fds, ufds, nfds * sizeof(*fds))) {
		kfree(fds);
		return -EFAULT;
	}
	r = poll_wait_fds(fds, (u32)nfds, deadline_ns, no_wait);
	if (r >= 0) {
		for (u64 i = 0; i < nfds; i++)
			if (put_user_u32((char __user *)&ufds[i] + 4,
					 (u16)fds[i].events | ((u32)(u16)fds[i].revents << 16))) {
				r = -EFAULT;
				break;
			}
	}
	kfree(fds);
	return r;
}

/*
 * poll - poll(2): wait up to @timeout_ms milliseconds (negative: forever, 0:
 * just look) for one of @nfds descriptors in user @ufds to become ready.
 * Returns the number of entries with non-zero revents, 0 on timeout, or
 * -EFAULT, -EINVAL (@nfds over the descriptor limit), -ENOMEM, -EINTR. May
 * sleep.
 */
long sys_poll(struct linux_pollfd __user *ufds, u64 nfds, int timeout_ms)
{
	u64 deadline = timeout_ms > 0 ? deadline_after((u64)timeout_ms * 1000000) : 0;

	return do_poll(ufds, nfds, deadline, timeout_ms == 0);
}

/* Swap current's signal mask for the user's @umask for the duration of a wait. */
static int mask_swap_in(const sigset_t __user *umask, u64 size, sigset_t *saved)
{
	sigset_t m;

	if (!umask)
		return 0;
	if (size != sizeof(sigset_t))
		return -EINVAL;
	if (copy_from_user(&m, umask, sizeof(m)))
		return -EFAULT;
	*saved = current->blocked;
	/* SIGKILL and SIGSTOP cannot be blocked (signal(7)). */
	current->blocked = m & ~((1UL << (9 - 1)) | (1UL << (19 - 1)));
	return 1;
}

/* Read a relative user timespec into a deadline; *@no_wait for zero. */
static int timespec_deadline(const struct linux_timespec __user *uts, u64 *deadline,
			     bool *no_wait)
{
	struct linux_timespec ts;

	*deadline = 0;
	*no_wait = false;
	if (!uts)
		return 0;
	if (copy_from_user(&ts, uts, sizeof(ts)))
		return -EFAULT;
	if (ts.tv_sec < 0 || ts.tv_nsec < 0 || ts.tv_nsec >= (s64)NSEC_PER_SEC)
		return -EINVAL;
	if (!ts.tv_sec && !ts.tv_nsec) {
		*no_wait = true;
		return 0;
	}
	if ((u64)ts.tv_sec > UINT64_MAX / NSEC_PER_SEC - 1)
		*deadline = UINT64_MAX;
	else
		*deadline = deadline_after((u64)ts.tv_sec * NSEC_PER_SEC + (u64)ts.tv_nsec);
	return 0;
}

/* Store the time left before @deadline into user @uts (Linux updates it). */
static void timespec_write_left(struct linux_timespec __user *uts, u64 deadline, bool no_wait)
{
	u64 left = no_wait ? 0 : time_left(deadline);
	struct linux_timespec ts = { (s64)(left / NSEC_PER_SEC), (s64)(left % NSEC_PER_SEC) };

	if (uts && (deadline || no_wait))
		copy_to_user(uts, &ts, sizeof(ts));
}

/*
 * ppoll - ppoll(2): poll() with a timespec timeout @uts (NULL: forever),
 * which is updated with the time left, and signal mask @umask
 * (@sigsetsize bytes, 8) in force while waiting. Returns as poll(), plus
 * -EINVAL for a bad timespec or mask size. May sleep.
 */
long sys_ppoll(struct linux_pollfd __user *ufds, u64 nfds, struct linux_timespec __user *uts,
	       const sigset_t __user *umask, u64 sigsetsize)
{
	sigset_t saved = 0;
	bool no_wait;
	u64 deadline;
	long r;
	int swapped;

	r = timespec_deadline(uts, &deadline, &no_wait);
	if (r)
		return r;
	swapped = mask_swap_in(umask, sigsetsize, &saved);
	if (swapped < 0)
		return swapped;
	r = do_poll(ufds, nfds, deadline, no_wait);
	if (swapped)
		current->blocked = saved;
	timespec_write_left(uts, deadline, no_wait);
	return r == -ERESTARTSYS ? -EINTR : r;
}

/* ---- select ---- */

#define SEL_IN	(POLLIN | POLLRDNORM | POLLRDBAND | POLLHUP | POLLERR)
#define SEL_OUT	(POLLOUT | POLLWRNORM | POLLWRBAND | POLLERR)
#define SEL_EX	(POLLPRI)

/* The three sets of one select, n bits each (n at most the table's size). */
struct fd_sets {
	u64 *in, *out, *ex;
	size_t words;		/* per set */
};

static int set_get(u64 *k, const u64 __user *u, int n)
{
	memset(k, 0, ALIGN_UP((u64)n, 64) / 8);
	if (!u)
		return 0;
	return copy_from_user(k, u, ALIGN_UP((u64)n, 64) / 8) ? -EFAULT : 0;
}

static int set_put(u64 __user *u, const u64 *k, int n)
{
	if (!u)
		return 0;
	return copy_to_user(u, k, ALIGN_UP((u64)n, 64) / 8) ? -EFAULT : 0;
}

static bool bit(const u64 *set, int fd)
{
	return set[fd / 64] & (1UL << (fd % 64));
}

/* select() over poll_wait_fds(): descriptors in any set become pollfds. */
static long do_select(int n, u64 __user *uin, u64 __user *uout, u64 __user *uex,
		      u64 deadline, bool no_wait)
{
	struct fd_sets sets = { .words = MAX(ALIGN_UP((u64)n, 64) / 64, 1UL) }, *s = &sets;
	u64 *bits = kvzalloc(3 * sets.words * sizeof(u64));
	struct linux_pollfd *fds = NULL;
	u32 nfds = 0;
	long r;

	if (!bits)
		return -ENOMEM;
	s->in = bits;
	s->out = bits + s->words;
	s->ex = bits + 2 * s->words;
	if ((r = set_get(s->in, uin, n)) || (r = set_get(s->out, uout, n)) ||
	    (r = set_get(s->ex, uex, n)))
		goto out;
	fds = kmalloc(MAX(n, 1) * sizeof(*fds));
	if (!fds) {
		r = -ENOMEM;
		goto out;
	}
	for (int fd = 0; fd < n; fd++) {
		short ev = (bit(s->in, fd) ? SEL_IN : 0) | (bit(s->out, fd) ? SEL_OUT : 0) |
			   (bit(s->ex, fd) ? SEL_EX : 0);
		struct file *f;

		if (!ev)
			continue;
		f = fd_get(fd);
		if (!f) {
			r = -EBADF;	/* select(2): an invalid descriptor in a set */
			goto out;
		}
		file_put(f);
		fds[nfds++] = (struct linux_pollfd){ .fd = fd, .events = ev };
	}
	r = poll_wait_fds(fds, nfds, deadline, no_wait);
	if (r < 0)
		goto out;
	memset(bits, 0, 3 * s->words * sizeof(u64));
	r = 0;
	for (u32 i = 0; i < nfds; i++) {
		int fd = fds[i].fd;
		unsigned got = (u16)fds[i].revents, want = (u16)fds[i].events;

		if ((want & POLLIN) && (got & SEL_IN))
			s->in[fd / 64] |= 1UL << (fd % 64), r++;
		if ((want & POLLOUT) && (got & SEL_OUT))
			s->out[fd / 64] |= 1UL << (fd % 64), r++;
		if ((want & POLLPRI) && (got & SEL_EX))
			s->ex[fd / 64] |= 1UL << (fd % 64), r++;
	}
	if (set_put(uin, s->in, n) || set_put(uout, s->out, n) || set_put(uex, s->ex, n))
		r = -EFAULT;
out:
	kfree(fds);
	kfree(bits);
	return r;
}

/*
 * select - select(2): wait for descriptors below @n in user sets @in, @out,
 * @ex (any may be NULL) to be ready for reading, writing or an exceptional
 * condition, up to the timeval @utv (NULL: forever; updated with the time
 * left, as Linux does). The sets are replaced with the ready descriptors.
 * Returns how many bits are set, 0 on timeout, -EBADF, -EINVAL (negative @n,
 * bad timeval), -EFAULT, -ENOMEM, -EINTR. May sleep.
 */
long sys_select(int n, u64 __user *in, u64 __user *out, u64 __user *ex,
		struct linux_timeval __user *utv)
{
	struct linux_timeval tv;
	u64 deadline = 0, left;
	bool no_wait = false;
	long r;

	if (n < 0)
		return -EINVAL;
	n = (int)MIN((u32)n, files_size(current->files));	/* Linux: max_fds */
	if (utv) {
		if (copy_from_user(&tv, utv, sizeof(tv)))
			return -EFAULT;
		if (tv.tv_sec < 0 || tv.tv_usec < 0 || tv.tv_usec >= 1000000)
			return -EINVAL;
		if (!tv.tv_sec && !tv.tv_usec)
			no_wait = true;
		else if ((u64)tv.tv_sec > UINT64_MAX / NSEC_PER_SEC - 1)
			deadline = UINT64_MAX;
		else
			deadline = deadline_after((u64)tv.tv_sec * NSEC_PER_SEC +
						  (u64)tv.tv_usec * 1000);
	}
	r = do_select(n, in, out, ex, deadline, no_wait);
	if (utv) {
		left = no_wait ? 0 : time_left(deadline);
		tv.tv_sec = (s64)(left / NSEC_PER_SEC);
		tv.tv_usec = (s64)(left % NSEC_PER_SEC / 1000);
		copy_to_user(utv, &tv, sizeof(tv));
	}
	return r == -ERESTARTSYS ? -EINTR : r;
}

/*
 * pselect6 - pselect(2) as Linux's syscall: select() with a timespec @uts
 * (updated with the time left) and a user pair {const sigset_t *mask;
 * size_t size} at @usig for the mask in force while waiting. May sleep.
 */
long sys_pselect6(int n, u64 __user *in, u64 __user *out, u64 __user *ex,
		  struct linux_timespec __user *uts, const u64 __user *usig)
{
	u64 sig[2] = { 0, 0 }, deadline;
	sigset_t saved = 0;
	bool no_wait;
	int swapped = 0;
	long r;

	if (n < 0)
		return -EINVAL;
	n = (int)MIN((u32)n, files_size(current->files));	/* Linux: max_fds */
	r = timespec_deadline(uts, &deadline, &no_wait);
	if (r)
		return r;
	if (usig && copy_from_user(sig, usig, sizeof(sig)))
		return -EFAULT;
	swapped = mask_swap_in((const sigset_t __user *)sig[0], sig[1], &saved);
	if (swapped < 0)
		return swapped;
	r = do_select(n, in, out, ex, deadline, no_wait);
	if (swapped)
		current->blocked = saved;
	timespec_write_left(uts, deadline, no_wait);
	return r == -ERESTARTSYS ? -EINTR : r;
}
