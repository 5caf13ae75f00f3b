/*
 * eventfd(2) and eventfd2(2): a 64-bit counter as a file. write(2) adds to
 * it (waiting while the sum would pass 0xfffffffffffffffe), read(2) takes it
 * all -- or one, with EFD_SEMAPHORE -- waiting while it is zero. Both move
 * exactly 8 bytes. Pollable: readable when non-zero, writable while one
 * more can be added.
 *
 * Locks: efd->lock (spinlock) guards the counter; taken before the wait
 * queue's lock.
 */
#include "internal.h"
#include "cpu.h"
#include "kmalloc.h"
#include "sched.h"
#include "task.h"
#include "uaccess.h"
#include "uapi/poll.h"
#include "uapi/socket.h"

#define EFD_MAX	0xfffffffffffffffeULL

struct eventfd {
	struct spinlock lock;
	u64 count;			/* [lock] */
	bool semaphore;			/* [I] */
	struct wait_queue wait;
};

static bool efd_check(struct eventfd *e, bool rd, u64 add)
{
	bool r;

	spin_lock(&e->lock);
	r = rd ? e->count > 0 : EFD_MAX - e->count >= add;
	spin_unlock(&e->lock);
	return r;
}

static ssize_t efd_read(struct file *f, void __user *buf, size_t n, u64 *pos)
{
	struct eventfd *e = f->priv;
	u64 v;
	int err;

	if (n < 8)
		return -EINVAL;
	for (;;) {
		spin_lock(&e->lock);
		if (e->count) {
			v = e->semaphore ? 1 : e->count;
			e->count -= v;
			spin_unlock(&e->lock);
			break;
		}
		spin_unlock(&e->lock);
		if (file_flags(f) & O_NONBLOCK)
			return -EAGAIN;
		err = wait_event_interruptible(&e->wait, efd_check(e, true, 0));
		if (err)
			return err;
	}
	wake_up(&e->wait);
	if (copy_to_user(buf, &v, 8)) {
		/* Put it back: the value must not be lost to a bad buffer. */
		spin_lock(&e->lock);
		e->count += v;
		spin_unlock(&e->lock);
		return -EFAULT;
	}
	return 8;
}

static ssize_t efd_write(struct file *f, struct io_src src, size_t n, u64 *pos)
{
	struct eventfd *e = f->priv;
	u64 v;
	int err;

	if (n < 8)
		return -EINVAL;
	if (io_src_copy(&v, src, 0, 8))
		return -EFAULT;
	if (v == ~0ULL)
		return -EINVAL;
	for (;;) {
		spin_lock(&e->lock);
		if (EFD_MAX - e->count >= v) {
			e->count += v;
			spin_unlock(&e->lock);
			break;
		}
		spin_unlock(&e->lock);
		if (file_flags(f) & O_NONBLOCK)
			return -EAGAIN;
		err = wait_event_interruptible(&e->wait, efd_check(e, false, v));
		if (err)
			return err;
	}
	wake_up(&e->wait);
	return 8;
}

static unsigned efd_poll(struct file *f, struct poll_table *pt)
{
	struct eventfd *e = f->priv;
	unsigned mask = 0;

	poll_wait(pt, &e->wait);
	spin_lock(&e->lock);
	if (e->count)
		mask |= POLLIN | POLLRDNORM;
	if (e->count < EFD_MAX)
		mask |= POLLOUT | POLLWRNORM;
	spin_unlock(&e->lock);
	return mask;
}

static void efd_release(struct file *f)
{
	kfree(f->priv);
}

static const struct file_ops eventfd_ops = {
	.read = efd_read,
	.write = efd_write,
	.poll = efd_poll,
	.release = efd_release,
	.anon_name = "[eventfd]",
};

/*
 * eventfd2 - eventfd2(2): a new eventfd with counter @initval and @flags
 * EFD_SEMAPHORE, EFD_NONBLOCK, EFD_CLOEXEC. The descriptor, or -EINVAL,
 * -EMFILE, -ENOMEM. Sleeps: no.
 */
long sys_eventfd2(unsigned initval, int flags)
{
	struct eventfd *e;
	struct file *f;
	int fd;

	if (flags & ~(EFD_SEMAPHORE | EFD_NONBLOCK | EFD_CLOEXEC))
		return -EINVAL;
	e = kzalloc(sizeof(*e));
	if (!e)
		return -ENOMEM;
	spin_init(&e->lock, "eventfd");
	wait_queue_init(&e->wait, "eventfd_wait");
	e->count = initval;
	e->semaphore = flags & EFD_SEMAPHORE;
	f = file_alloc(NULL, &eventfd_ops, O_RDWR | (flags & EFD_NONBLOCK), e);
	if (!f) {
		kfree(e);
		return -ENOMEM;
	}
	fd = fd_install(f, 0, flags & EFD_CLOEXEC);
	if (fd < 0)
		file_put(f);
	return fd;
}

/* eventfd - eventfd(2) without flags. */
long sys_eventfd(unsigned initval)
{
	return sys_eventfd2(initval, 0);
}
