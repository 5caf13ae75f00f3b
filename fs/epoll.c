/*
 * epoll(7): epoll_create(2), epoll_create1(2), epoll_ctl(2), epoll_wait(2),
 * epoll_pwait(2) and epoll_pwait2(2).
 *
 * An epoll instance is a file holding an interest list of items (a file
 * and descriptor number, the events wanted, user data). Each item puts a
 * callback entry on the wait queues its file's poll operation names
 * (wait_add_callback()); a wake-up there puts the item on the instance's
 * ready list and wakes the waiters, so epoll_wait() looks only at items
 * that may have changed. Level-triggered items go back on the ready list
 * after they are reported (so they are asked again next time),
 * edge-triggered ones only on the next wake-up, EPOLLONESHOT ones not at
 * all until EPOLL_CTL_MOD re-arms them. EPOLLEXCLUSIVE is accepted where
 * Linux accepts it and every instance watching the file is woken, which
 * epoll(7) allows ("one or more"). An item goes away with EPOLL_CTL_DEL,
 * with the instance, or when its file's last reference is dropped
 * (epoll_file_release()).
 *
 * Locks: epoll_mutex (global) serialises changes to interest lists and to
 * every file's epoll_links; ep->mtx keeps items in place while epoll_wait
 * reports them; ep->lock (spinlock) guards the ready list and the items'
 * armed state; it is taken inside wait-queue locks (from the callback).
 * Order: epoll_mutex -> ep->mtx -> (file's poll locks) -> wait-queue lock ->
 * ep->lock -> wait-queue lock (nested) -> run-queue lock.
 */
#include "internal.h"
#include "cpu.h"
#include "kmalloc.h"
#include "sched.h"
#include "task.h"
#include "uaccess.h"
#include "uapi/poll.h"
#include "uapi/socket.h"

#define EP_MAX_EVENTS	(0x7fffffff / (int)sizeof(struct linux_epoll_event))
#define EP_MAX_NESTS	4
#define EP_WAITS	2	/* wait queues one file may name */
#define EP_ALWAYS	(EPOLLERR | EPOLLHUP)
#define EP_EXCL_OK	(EPOLLIN | EPOLLOUT | EPOLLERR | EPOLLHUP | EPOLLWAKEUP | EPOLLET | \
			 EPOLLEXCLUSIVE | EPOLLRDNORM | EPOLLRDBAND | EPOLLWRNORM | EPOLLWRBAND)
#define NSEC_PER_SEC	1000000000ULL

static struct mutex epoll_mutex = MUTEX_INIT(epoll_mutex, "epoll");

struct eventpoll {
	struct mutex mtx;
	struct spinlock lock;
	struct list_head items;		/* [epoll_mutex] struct epitem by link */
	struct list_head ready;		/* [lock] struct epitem by rdlink */
	struct wait_queue wq;		/* epoll_wait() callers */
	struct wait_queue poll_wq;	/* poll(2) on the epoll descriptor itself */
};

struct epitem;

struct ep_wait {
	struct wait_entry we;
	struct wait_queue *wq;
	struct epitem *epi;
};

struct epitem {
	struct list_head link;		/* [epoll_mutex] in ep->items */
	struct list_head flink;		/* [epoll_mutex] in file->epoll_links */
	struct list_head rdlink;	/* [lock] in ep->ready, or empty */
	struct eventpoll *ep;		/* [I] */
	struct file *file;		/* [I] not counted: removed before it goes */
	int fd;				/* [I] */
	u32 events;			/* [lock] wanted; 0 once a one-shot fired */
	u64 data;			/* [lock] */
	u32 nwait;			/* [epoll_mutex] */
	struct ep_wait wait[EP_WAITS];
};

static const struct file_ops epoll_ops;

static bool is_epoll(struct file *f)
{
	return f && f->ops == &epoll_ops;
}

/* A file's wait queue announced a change: @epi may be ready. */
static void ep_callback(struct wait_entry *e)
{
	struct ep_wait *w = container_of(e, struct ep_wait, we);
	struct epitem *epi = w->epi;
	struct eventpoll *ep = epi->ep;
	bool woke = false;

	spin_lock(&ep->lock);
	if ((epi->events & ~(EPOLLET | EPOLLONESHOT | EPOLLEXCLUSIVE | EPOLLWAKEUP)) &&
	    list_empty(&epi->rdlink)) {
		list_add_tail(&epi->rdlink, &ep->ready);
		woke = true;
	}
	spin_unlock(&ep->lock);
	if (woke) {
		wake_up_nested(&ep->wq);
		wake_up_nested(&ep->poll_wq);
	}
}

/* poll_wait() of an item's file while it is being added. */
static struct epitem *queue_target;

static void ep_queue(struct poll_table *pt, struct wait_queue *wq)
{
	struct epitem *epi = queue_target;	/* set under epoll_mutex */
	struct ep_wait *w;

	if (!epi || epi->nwait == EP_WAITS)
		return;
	w = &epi->wait[epi->nwait++];
	w->wq = wq;
	w->epi = epi;
	list_init(&w->we.link);
	wait_add_callback(wq, &w->we, ep_callback);
}

/* The file's readiness now, limited to what @events asks for. */
static unsigned item_poll(struct file *f, u32 events, struct poll_table *pt)
{
	unsigned mask = f->ops->poll ? f->ops->poll(f, pt)
				     : (POLLIN | POLLOUT | POLLRDNORM | POLLWRNORM);

	return mask & (events | EP_ALWAYS);
}

/* Take @epi out of everything. epoll_mutex and ep->mtx held. */
static void item_remove(struct epitem *epi)
{
	struct eventpoll *ep = epi->ep;

	for (u32 i = 0; i < epi->nwait; i++)
		wait_del(epi->wait[i].wq, &epi->wait[i].we);
	list_del(&epi->link);
	list_del(&epi->flink);
	spin_lock(&ep->lock);
	if (!list_empty(&epi->rdlink))
		list_del(&epi->rdlink);
	spin_unlock(&ep->lock);
	kfree(epi);
}

/* epoll_file_release - see include/fs.h. */
void epoll_file_release(struct file *f)
{
	mutex_lock(&epoll_mutex);
	while (!list_empty(&f->epoll_links)) {
		struct epitem *epi = list_first_entry(&f->epoll_links, struct epitem, flink);
		struct eventpoll *ep = epi->ep;

		mutex_lock(&ep->mtx);
		item_remove(epi);
		mutex_unlock(&ep->mtx);
	}
	mutex_unlock(&epoll_mutex);
}

static unsigned epoll_poll(struct file *f, struct poll_table *pt)
{
	struct eventpoll *ep = f->priv;
	unsigned mask;

	poll_wait(pt, &ep->poll_wq);
	spin_lock(&ep->lock);
	mask = list_empty(&ep->ready) ? 0 : POLLIN | POLLRDNORM;
	spin_unlock(&ep->lock);
	return mask;
}

static void epoll_release(struct file *f)
{
	struct eventpoll *ep = f->priv;

	mutex_lock(&epoll_mutex);
	mutex_lock(&ep->mtx);
	while (!list_empty(&ep->items))
		item_remove(list_first_entry(&ep->items, struct epitem, link));
	mutex_unlock(&ep->mtx);
	mutex_unlock(&epoll_mutex);
	kfree(ep);
}

static const struct file_ops epoll_ops = {
	.poll = epoll_poll,
	.release = epoll_release,
	.anon_name = "[eventpoll]",
};

/*
 * epoll_create1 - epoll_create1(2): a new epoll instance; @flags may be
 * EPOLL_CLOEXEC. The descriptor, or -EINVAL, -EMFILE, -ENOMEM. May sleep.
 */
long sys_epoll_create1(int flags)
{
	struct eventpoll *ep;
	struct file *f;
	int fd;

	if (flags & ~EPOLL_CLOEXEC)
		return -EINVAL;
	ep = kzalloc(sizeof(*ep));
	if (!ep)
		return -ENOMEM;
	mutex_init(&ep->mtx, "epoll_ep");
	spin_init(&ep->lock, "epoll_ready");
	list_init(&ep->items);
	list_init(&ep->ready);
	wait_queue_init(&ep->wq, "epoll_wait");
	wait_queue_init(&ep->poll_wq, "epoll_poll");
	f = file_alloc(NULL, &epoll_ops, O_RDWR, ep);
	if (!f) {
		kfree(ep);
		return -ENOMEM;
	}
	fd = fd_install(f, 0, flags & EPOLL_CLOEXEC);
	if (fd < 0)
		file_put(f);
	return fd;
}

/* epoll_create - epoll_create(2): @size must be positive (and is unused). */
long sys_epoll_create(int size)
{
	return size <= 0 ? -EINVAL : sys_epoll_create1(0);
}

static struct epitem *item_find(struct eventpoll *ep, struct file *f, int fd)
{
	struct epitem *epi;

	list_for_each_entry(epi, &ep->items, link)
		if (epi->file == f && epi->fd == fd)
			return epi;
	return NULL;
}

/* Would watching epoll file @tf from @ep close a loop or nest too deep?
 * epoll_mutex held. */
static bool ep_loops(struct eventpoll *ep, struct file *tf, int depth)
{
	struct eventpoll *t = tf->priv;
	struct epitem *epi;

	if (t == ep || depth > EP_MAX_NESTS)
		return true;
	list_for_each_entry(epi, &t->items, link)
		if (is_epoll(epi->file) && ep_loops(ep, epi->file, depth + 1))
			return true;
	return false;
}

static int ep_insert(struct eventpoll *ep, struct file *tf, int fd, struct linux_epoll_event *ev)
{
	struct poll_table pt = { .queue = ep_queue };
	struct epitem *epi = kzalloc(sizeof(*epi));
	unsigned mask;

	if (!epi)
		return -ENOMEM;
	epi->ep = ep;
	epi->file = tf;
	epi->fd = fd;
	epi->events = ev->events;
	epi->data = ev->data;
	list_init(&epi->rdlink);
	list_add_tail(&epi->link, &ep->items);
	list_add_tail(&epi->flink, &tf->epoll_links);
	queue_target = epi;
	mask = item_poll(tf, epi->events, &pt);
	queue_target = NULL;
	if (mask) {
		spin_lock(&ep->lock);
		if (list_empty(&epi->rdlink))
			list_add_tail(&epi->rdlink, &ep->ready);
		spin_unlock(&ep->lock);
		wake_up(&ep->wq);
		wake_up(&ep->poll_wq);
	}
	return 0;
}

static int ep_modify(struct eventpoll *ep, struct epitem *epi, struct linux_epoll_event *ev)
{
	unsigned mask;

	spin_lock(&ep->lock);
	epi->events = ev->events;
	epi->data = ev->data;
	spin_unlock(&ep->lock);
	mask = item_poll(epi->file, ev->events, NULL);
	if (mask) {
		spin_lock(&ep->lock);
		if (list_empty(&epi->rdlink))
			list_add_tail(&epi->rdlink, &ep->ready);
		spin_unlock(&ep->lock);
		wake_up(&ep->wq);
		wake_up(&ep->poll_wq);
	}
	return 0;
}

/*
 * epoll_ctl - epoll_ctl(2): add (EPOLL_CTL_ADD), change (EPOLL_CTL_MOD) or
 * remove (EPOLL_CTL_DEL) descriptor @fd in the interest list of @epfd, with
 * the events and data of user @uev. -EBADF, -EPERM (@fd cannot be polled),
 * -EINVAL (not an epoll descriptor, @fd is @epfd, bad op or flags),
 * -EEXIST, -ENOENT, -ELOOP, -EFAULT, -ENOMEM. May sleep.
 */
long sys_epoll_ctl(int epfd, int op, int fd, struct linux_epoll_event __user *uev)
{
	struct linux_epoll_event ev = { 0, 0 };
	struct file *ef, *tf = NULL;
	struct eventpoll *ep;
	struct epitem *epi;
	long r;

	if (op != EPOLL_CTL_DEL && copy_from_user(&ev, uev, sizeof(ev)))
		return -EFAULT;
	ef = fd_get(epfd);
	if (!ef)
		return -EBADF;
	tf = fd_get(fd);
	r = -EBADF;
	if (!tf)
		goto out;
	r = -EPERM;
	if (!tf->ops || !tf->ops->poll)
		goto out;	/* epoll_ctl(2): the file does not support epoll */
	r = -EINVAL;
	if (!is_epoll(ef) || ef == tf)
		goto out;
	if (op != EPOLL_CTL_DEL && (ev.events & EPOLLEXCLUSIVE)) {
		if (op == EPOLL_CTL_MOD || is_epoll(tf) || (ev.events & ~EP_EXCL_OK))
			goto out;
	}
	if (op != EPOLL_CTL_ADD && op != EPOLL_CTL_MOD && op != EPOLL_CTL_DEL)
		goto out;
	ep = ef->priv;
	mutex_lock(&epoll_mutex);
	mutex_lock(&ep->mtx);
	epi = item_find(ep, tf, fd);
	switch (op) {
	case EPOLL_CTL_ADD:
		if (epi)
			r = -EEXIST;
		else if (is_epoll(tf) && ep_loops(ep, tf, 1))
			r = -ELOOP;
		else
			r = ep_insert(ep, tf, fd, &ev);
		break;
	case EPOLL_CTL_MOD:
		if (!epi)
			r = -ENOENT;
		else if (epi->events & EPOLLEXCLUSIVE)
			r = -EINVAL;
		else
			r = ep_modify(ep, epi, &ev);
		break;
	default:
		if (!epi) {
			r = -ENOENT;
		} else {
			item_remove(epi);
			r = 0;
		}
	}
	mutex_unlock(&ep->mtx);
	mutex_unlock(&epoll_mutex);
out:
	if (tf)
		file_put(tf);
	file_put(ef);
	return r;
}

/* Report up to @max ready items into user @uev; returns how many or -EFAULT. */
static long ep_harvest(struct eventpoll *ep, struct linux_epoll_event __user *uev, int max)
{
	LIST_HEAD(tx);
	LIST_HEAD(again);
	long n = 0;

	mutex_lock(&ep->mtx);
	spin_lock(&ep->lock);
	while (!list_empty(&ep->ready)) {
		struct epitem *epi = list_first_entry(&ep->ready, struct epitem, rdlink);

		list_del(&epi->rdlink);
		list_add_tail(&epi->rdlink, &tx);
	}
	spin_unlock(&ep->lock);
	while (n < max) {
		struct linux_epoll_event ev;
		struct epitem *epi;
		u32 events;
		unsigned mask;

		spin_lock(&ep->lock);
		if (list_empty(&tx)) {
			spin_unlock(&ep->lock);
			break;
		}
		epi = list_first_entry(&tx, struct epitem, rdlink);
		list_del(&epi->rdlink);	/* leaves it empty: a wake-up may requeue it */
		events = epi->events;
		spin_unlock(&ep->lock);
		mask = item_poll(epi->file, events, NULL);
		if (!mask || !(events & ~(EPOLLET | EPOLLONESHOT | EPOLLEXCLUSIVE | EPOLLWAKEUP)))
			continue;
		ev.events = mask;
		ev.data = epi->data;
		if (copy_to_user(&uev[n], &ev, sizeof(ev))) {
			spin_lock(&ep->lock);
			if (list_empty(&epi->rdlink))
				list_add_tail(&epi->rdlink, &again);
			spin_unlock(&ep->lock);
			if (!n)
				n = -EFAULT;
			break;
		}
		n++;
		spin_lock(&ep->lock);
		if (events & EPOLLONESHOT)
			epi->events &= EPOLLET | EPOLLONESHOT | EPOLLWAKEUP;
		else if (!(events & EPOLLET) && list_empty(&epi->rdlink))
			list_add_tail(&epi->rdlink, &again);
		spin_unlock(&ep->lock);
	}
	spin_lock(&ep->lock);
	/* Not yet reported ones first, then the level-triggered to ask again. */
	while (!list_empty(&tx)) {
		struct epitem *epi = list_entry(tx.prev, struct epitem, rdlink);

		list_del(&epi->rdlink);
		list_add(&epi->rdlink, &ep->ready);
	}
	while (!list_empty(&again)) {
		struct epitem *epi = list_first_entry(&again, struct epitem, rdlink);

		list_del(&epi->rdlink);
		list_add_tail(&epi->rdlink, &ep->ready);
	}
	spin_unlock(&ep->lock);
	mutex_unlock(&ep->mtx);
	return n;
}

static bool ep_has_ready(struct eventpoll *ep)
{
	bool r;

	spin_lock(&ep->lock);
	r = !list_empty(&ep->ready);
	spin_unlock(&ep->lock);
	return r;
}

/* Wait until something is reported, @deadline (0: none) or a signal. */
static long ep_wait(int epfd, struct linux_epoll_event __user *uev, int max, u64 deadline,
		    bool no_wait)
{
	struct eventpoll *ep;
	struct wait_entry we;
	struct file *f;
	long r;

	if (max <= 0 || max > EP_MAX_EVENTS)
		return -EINVAL;
	if (!uaccess_ok((u64)uev, (size_t)max * sizeof(*uev)))
		return -EFAULT;
	f = fd_get(epfd);
	if (!f)
		return -EBADF;
	if (!is_epoll(f)) {
		file_put(f);
		return -EINVAL;
	}
	ep = f->priv;
	if (deadline)
		sched_timer_arm(deadline);
	for (;;) {
		prepare_to_wait(&ep->wq, &we);
		if (ep_has_ready(ep)) {
			finish_wait(&ep->wq, &we);
			r = ep_harvest(ep, uev, max);
			if (r)
				break;
			continue;
		}
		if (no_wait || sched_deadline_passed(deadline)) {
			r = 0;
			break;
		}
		if (signal_pending_current()) {
			r = -EINTR;
			break;
		}
		schedule();
		finish_wait(&ep->wq, &we);
	}
	finish_wait(&ep->wq, &we);
	if (deadline)
		sched_timer_disarm();
	file_put(f);
	return r;
}

static u64 ms_deadline(int timeout_ms)
{
	return timeout_ms > 0 ? arch_clock_ns() + (u64)timeout_ms * 1000000ULL : 0;
}

/*
 * epoll_wait - epoll_wait(2): wait up to @timeout_ms milliseconds
 * (negative: for ever, 0: just look) for events of @epfd, at most @max of
 * them into user @uev. Returns how many, 0 on timeout, -EBADF, -EINVAL,
 * -EFAULT, -EINTR. May sleep.
 */
long sys_epoll_wait(int epfd, struct linux_epoll_event __user *uev, int max, int timeout_ms)
{
	return ep_wait(epfd, uev, max, ms_deadline(timeout_ms), timeout_ms == 0);
}

/* Run ep_wait() with the signal mask at user @umask (@size bytes) in force. */
static long ep_pwait(int epfd, struct linux_epoll_event __user *uev, int max, u64 deadline,
		     bool no_wait, const sigset_t __user *umask, u64 size)
{
	sigset_t saved = current->blocked, m;
	long r;

	if (umask) {
		if (size != sizeof(sigset_t))
			return -EINVAL;
		if (copy_from_user(&m, umask, sizeof(m)))
			return -EFAULT;
		/* SIGKILL and SIGSTOP cannot be blocked (signal(7)). */
		current->blocked = m & ~((1UL << (9 - 1)) | (1UL << (19 - 1)));
	}
	r = ep_wait(epfd, uev, max, deadline, no_wait);
	if (umask)
		current->blocked = saved;
	return r;
}

/* epoll_pwait - epoll_pwait(2): epoll_wait() with signal mask @umask. */
long sys_epoll_pwait(int epfd, struct linux_epoll_event __user *uev, int max, int timeout_ms,
		     const sigset_t __user *umask, u64 size)
{
	return ep_pwait(epfd, uev, max, ms_deadline(timeout_ms), timeout_ms == 0, umask, size);
}

/* epoll_pwait2 - epoll_pwait2(2): epoll_pwait() with a timespec timeout
 * @uts (NULL: for ever). -EINVAL for a bad timespec. */
long sys_epoll_pwait2(int epfd, struct linux_epoll_event __user *uev, int max,
		      const struct linux_timespec __user *uts, const sigset_t __user *umask,
		      u64 size)
{
	struct linux_timespec ts;
	u64 deadline = 0;
	bool no_wait = false;

	if (uts) {
		if (copy_from_user(&ts, uts, sizeof(ts)))
			return -EFAULT;
		if (ts.tv_sec < 0 || ts.tv_nsec < 0 || ts.tv_nsec >= (s64)NSEC_PER_SEC)
			return -EINVAL;
		if (!ts.tv_sec && !ts.tv_nsec)
			no_wait = true;
		else
			deadline = arch_clock_ns() + (u64)ts.tv_sec * NSEC_PER_SEC +
				   (u64)ts.tv_nsec;
	}
	return ep_pwait(epfd, uev, max, deadline, no_wait, umask, size);
}
