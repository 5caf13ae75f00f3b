/*
 * POSIX message queues, their messages: mq_timedsend(2), mq_timedreceive(2)
 * and mq_notify(2) (mq_overview(7)). The queues themselves (names, limits,
 * opening, attributes, the file ops) are in ipc/mqueue.c; what both files
 * share is in ipc/mqueue_internal.h.
 *
 * A sender that finds the queue full and a receiver that finds it empty
 * sleep on the queue's wait queue until it changes, a signal arrives or
 * their absolute CLOCK_REALTIME timeout passes. User memory is copied
 * outside every lock: into a kernel message before queueing it, out of it
 * after dequeuing.
 *
 * Locks: the legend and their order are in ipc/mqueue_internal.h.
 */
#include "arch.h"
#include "cpu.h"
#include "kmalloc.h"
#include "sched.h"
#include "task.h"
#include "uaccess.h"
#include "uapi/errno.h"
#include "uapi/mqueue.h"
#include "mqueue_internal.h"

#define NSEC_PER_SEC		1000000000ULL

/* Epoch nanoseconds of CLOCK_REALTIME at monotonic time 0 (clock_gettime(2)'s view). */
static u64 mq_realtime_base(void)
{
	for (;;) {
		u64 m1 = arch_clock_ns(), s = arch_rtc_seconds(), m2 = arch_clock_ns();

		/* arch_rtc_seconds() counts whole monotonic seconds since boot. */
		if (m1 / NSEC_PER_SEC == m2 / NSEC_PER_SEC)
			return (s - m1 / NSEC_PER_SEC) * NSEC_PER_SEC;
	}
}

/*
 * Read an absolute CLOCK_REALTIME timeout from user @uts into the monotonic
 * deadline *@deadline (0 for none: @uts NULL; 1 when it has passed). 0,
 * -EFAULT, or -EINVAL for a negative or non-normalised timespec, which
 * Linux refuses before looking at the queue.
 */
static int mq_timeout_in(const struct linux_timespec __user *uts, u64 *deadline)
{
	struct linux_timespec ts;
	u64 abs, base;

	*deadline = 0;
	if (!uts)
		return 0;
	if (copy_from_user(&ts, uts, sizeof(ts)))
		return -EFAULT;
	if (ts.tv_sec < 0 || ts.tv_nsec < 0 || ts.tv_nsec >= (s64)NSEC_PER_SEC)
		return -EINVAL;
	if ((u64)ts.tv_sec >= UINT64_MAX / NSEC_PER_SEC - 1) {
		*deadline = UINT64_MAX;
		return 0;
	}
	abs = (u64)ts.tv_sec * NSEC_PER_SEC + (u64)ts.tv_nsec;
	base = mq_realtime_base();
	*deadline = abs > base + 1 ? abs - base : 1;
	return 0;
}

/* Queue @m after the messages of its priority and above. [q] held. */
static void mq_insert(struct mqueue *q, struct mq_msg *m)
{
	struct list_head *pos = q->messages.prev;

	/* From the tail: sends of one priority are the common case, O(1). */
	while (pos != &q->messages && list_entry(pos, struct mq_msg, link)->prio < m->prio)
		pos = pos->prev;
	list_add(&m->link, pos);
	__atomic_store_n(&q->curmsgs, q->curmsgs + 1, __ATOMIC_RELEASE);
}

/*
 * After a send made @q non-empty with nobody waiting to receive: take the
 * notification registration away (it fires once) and return its owner for
 * signalling, or NULL. [q] held. mq_notify(3).
 */
static struct process *mq_notify_take(struct mqueue *q, int *signo)
{
	struct process *owner = q->notify_owner;

	if (!owner || q->curmsgs != 1 || q->rwaiting)
		return NULL;
	q->notify_owner = NULL;
	*signo = q->notify_kind == LINUX_SIGEV_SIGNAL ? q->notify_signo : 0;
	return owner;
}

/* Deliver a notification taken by mq_notify_take(); drops the owner reference. */
static void mq_notify_fire(struct process *owner, int signo)
{
	if (signo) {
		spin_lock(&tasklist_lock);
		send_signal_process(owner, signo);
		spin_unlock(&tasklist_lock);
	}
	process_put(owner);
}

/* Put @m on @q, waiting for room unless @nonblock. 0, -EAGAIN, -ETIMEDOUT, -ERESTARTSYS. */
static int mq_send_msg(struct mqueue *q, struct mq_msg *m, bool nonblock, u64 deadline)
{
	struct process *owner = NULL;
	int signo = 0, err;

	for (;;) {
		spin_lock(&q->lock);
		if (q->curmsgs < q->maxmsg)
			break;
		spin_unlock(&q->lock);
		if (nonblock)
			return -EAGAIN;
		err = wait_event_interruptible_deadline(&q->wait, mq_has_room(q), deadline);
		if (err)
			return err;
	}
	mq_insert(q, m);
	owner = mq_notify_take(q, &signo);
	spin_unlock(&q->lock);
	wake_up(&q->wait);
	if (owner)
		mq_notify_fire(owner, signo);
	return 0;
}

/*
 * mq_timedsend - mq_timedsend(2): queue @len bytes at user @ubuf with
 * priority @prio on the queue of descriptor @fd, waiting while it is full
 * unless O_NONBLOCK, at most until the absolute CLOCK_REALTIME time at user
 * @uts (NULL: no limit). Returns 0, or -EBADF (not a queue open for
 * writing), -EMSGSIZE (@len over mq_msgsize), -EINVAL (@prio >=
 * MQ_PRIO_MAX, bad timespec), -EFAULT, -EAGAIN, -ETIMEDOUT, -ERESTARTSYS,
 * -ENOMEM. May sleep.
 */
long sys_mq_timedsend(int fd, const char __user *ubuf, u64 len, u32 prio,
		      const struct linux_timespec __user *uts)
{
	struct mqueue *q;
	struct mq_msg *m;
	struct file *f;
	u64 deadline;
	long r;

	r = mq_timeout_in(uts, &deadline);
	if (r)
		return r;
	if (prio >= LINUX_MQ_PRIO_MAX)
		return -EINVAL;
	r = mq_fd(fd, &f, &q);
	if (r)
		return r;
	if ((file_flags(f) & O_ACCMODE) == O_RDONLY) {
		r = -EBADF;
		goto out;
	}
	if (len > q->msgsize) {
		r = -EMSGSIZE;
		goto out;
	}
	m = kmalloc(sizeof(*m) + len);
	if (!m) {
		r = -ENOMEM;
		goto out;
	}
	m->prio = prio;
	m->len = len;
	if (copy_from_user(m->text, ubuf, len)) {
		kfree(m);
		r = -EFAULT;
		goto out;
	}
	r = mq_send_msg(q, m, file_flags(f) & O_NONBLOCK, deadline);
	if (r)
		kfree(m);
out:
	file_put(f);
	return r;
}

/* Take the first message of @q, waiting unless @nonblock. 0 and *@out, or an errno. */
static int mq_receive_msg(struct mqueue *q, bool nonblock, u64 deadline, struct mq_msg **out)
{
	struct mq_msg *m;
	int err;

	for (;;) {
		spin_lock(&q->lock);
		if (q->curmsgs)
			break;
		if (nonblock) {
			spin_unlock(&q->lock);
			return -EAGAIN;
		}
		q->rwaiting++;	/* a send now wakes us instead of notifying */
		spin_unlock(&q->lock);
		err = wait_event_interruptible_deadline(&q->wait, mq_has_msg(q), deadline);
		spin_lock(&q->lock);
		q->rwaiting--;
		spin_unlock(&q->lock);
		if (err)
			return err;
	}
	m = list_first_entry(&q->messages, struct mq_msg, link);
	list_del(&m->link);
	__atomic_store_n(&q->curmsgs, q->curmsgs - 1, __ATOMIC_RELEASE);
	spin_unlock(&q->lock);
	wake_up(&q->wait);
	*out = m;
	return 0;
}

/*
 * mq_timedreceive - mq_timedreceive(2): take the oldest message of the
 * highest priority from the queue of descriptor @fd into user @ubuf (@len
 * bytes, at least mq_msgsize) and its priority into user @uprio (if not
 * NULL), waiting while the queue is empty unless O_NONBLOCK, at most until
 * the absolute CLOCK_REALTIME time at user @uts. Returns the message's
 * length, or -EBADF, -EMSGSIZE, -EINVAL, -EFAULT (the message is lost, as
 * on Linux), -EAGAIN, -ETIMEDOUT, -ERESTARTSYS. May sleep.
 */
long sys_mq_timedreceive(int fd, char __user *ubuf, u64 len, u32 __user *uprio,
			 const struct linux_timespec __user *uts)
{
	struct mqueue *q;
	struct mq_msg *m;
	struct file *f;
	u64 deadline;
	long r;

	r = mq_timeout_in(uts, &deadline);
	if (r)
		return r;
	r = mq_fd(fd, &f, &q);
	if (r)
		return r;
	if ((file_flags(f) & O_ACCMODE) == O_WRONLY) {
		r = -EBADF;
		goto out;
	}
	if (len < q->msgsize) {
		r = -EMSGSIZE;
		goto out;
	}
	r = mq_receive_msg(q, file_flags(f) & O_NONBLOCK, deadline, &m);
	if (r)
		goto out;
	r = (long)m->len;
	if ((uprio && put_user_u32(uprio, m->prio)) || copy_to_user(ubuf, m->text, m->len))
		r = -EFAULT;
	kfree(m);
out:
	file_put(f);
	return r;
}

/* Validate a sigevent for mq_notify: 0 or -EINVAL. */
static int mq_sigevent_check(const struct linux_sigevent *ev)
{
	switch (ev->sigev_notify) {
	case LINUX_SIGEV_NONE:
		return 0;
	case LINUX_SIGEV_SIGNAL:
		/* Linux's valid_signal(): 0 .. _NSIG; 0 registers but sends nothing. */
		return (u32)ev->sigev_signo <= NSIG ? 0 : -EINVAL;
	default:
		/* SIGEV_THREAD needs a netlink socket, which Sprout does not have. */
		return -EINVAL;
	}
}

/*
 * mq_notify - mq_notify(2): with user @uev, register the caller's process
 * to be told, once, when a message arrives on the empty queue of descriptor
 * @fd while no receiver waits (SIGEV_SIGNAL: send_signal_process() of
 * sigev_signo; SIGEV_NONE: nothing, the registration just ends); with @uev
 * NULL, drop the caller's registration. A registration whose owner has
 * exited no longer counts (Linux drops it when the owner closes the queue).
 * Returns 0, or -EBADF, -EBUSY (another registration exists), -EINVAL
 * (SIGEV_THREAD, bad signal), -EFAULT. Sleeps: no (but copies from user).
 */
long sys_mq_notify(int fd, const struct linux_sigevent __user *uev)
{
	struct process *self = current->proc, *drop = NULL;
	struct linux_sigevent ev;
	struct mqueue *q;
	struct file *f;
	long r;

	if (uev) {
		if (copy_from_user(&ev, uev, sizeof(ev)))
			return -EFAULT;
		r = mq_sigevent_check(&ev);
		if (r)
			return r;
	}
	r = mq_fd(fd, &f, &q);
	if (r)
		return r;
	spin_lock(&q->lock);
	if (q->notify_owner &&
	    __atomic_load_n(&q->notify_owner->state, __ATOMIC_ACQUIRE) != PROC_ALIVE) {
		drop = q->notify_owner;
		q->notify_owner = NULL;
	}
	if (!uev) {
		if (q->notify_owner == self) {
			drop = self;
			q->notify_owner = NULL;
		}
	} else if (q->notify_owner) {
		r = -EBUSY;
	} else {
		process_get(self);
		q->notify_owner = self;
		q->notify_kind = ev.sigev_notify;
		q->notify_signo = ev.sigev_signo;
	}
	spin_unlock(&q->lock);
	if (drop)
		process_put(drop);
	file_put(f);
	return r;
}
