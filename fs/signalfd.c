/*
 * signalfd(2) and signalfd4(2): pending signals of the reader as a file.
 * read(2) dequeues signals of the descriptor's mask that are pending for
 * the calling thread or its process, one struct signalfd_siginfo (128
 * bytes) each, waiting when none is (signals in the mask are normally
 * blocked, so they stay pending for it). poll says readable while one is.
 * signalfd_notify(), called when a signal becomes pending, wakes the
 * readers and pollers.
 *
 * Locks: sfd->lock guards the mask; the pending sets are read and taken
 * under process->lock (kernel/signal.c's rules).
 */
#include "internal.h"
#include "cpu.h"
#include "kmalloc.h"
#include "sched.h"
#include "task.h"
#include "uaccess.h"
#include "uapi/poll.h"
#include "uapi/signal.h"
#include "uapi/socket.h"
#include "../kernel/signal_internal.h"

#define SIG_UNBLOCKABLE	((1UL << (9 - 1)) | (1UL << (19 - 1)))	/* SIGKILL, SIGSTOP */

struct signalfd {
	struct spinlock lock;
	sigset_t mask;			/* [lock] */
};

static struct wait_queue signalfd_wait = WAIT_QUEUE_INIT(signalfd_wait, "signalfd_wait");

/* signalfd_notify - see include/fs.h. */
void signalfd_notify(void)
{
	wake_up(&signalfd_wait);
}

static sigset_t sfd_mask(struct signalfd *s)
{
	sigset_t m;

	spin_lock(&s->lock);
	m = s->mask;
	spin_unlock(&s->lock);
	return m;
}

static bool sfd_pending(struct signalfd *s)
{
	struct process *p = current->proc;
	sigset_t m = sfd_mask(s);
	bool r;

	spin_lock(&p->lock);
	r = ((current->pending | p->shared_pending) & m) != 0;
	spin_unlock(&p->lock);
	return r;
}

static void to_sfd_info(const struct linux_siginfo *i, struct linux_signalfd_siginfo *o)
{
	memset(o, 0, sizeof(*o));
	o->ssi_signo = (u32)i->si_signo;
	o->ssi_errno = i->si_errno;
	o->ssi_code = i->si_code;
	o->ssi_pid = (u32)i->proc.pid;
	o->ssi_uid = i->proc.uid;
	o->ssi_status = i->proc.status;
	o->ssi_int = (s32)i->proc.value;
	o->ssi_ptr = i->proc.value;
	o->ssi_utime = (u64)i->proc.utime;
	o->ssi_stime = (u64)i->proc.stime;
}

static ssize_t sfd_read(struct file *f, void __user *buf, size_t n, u64 *pos)
{
	struct signalfd *s = f->priv;
	struct process *p = current->proc;
	struct linux_signalfd_siginfo out;
	struct linux_siginfo info;
	size_t done = 0;
	int sig, err;

	if (n < sizeof(out))
		return -EINVAL;
	while (done + sizeof(out) <= n) {
		spin_lock(&p->lock);
		sig = sig_dequeue(current, ~sfd_mask(s), &info);
		spin_unlock(&p->lock);
		if (!sig) {
			if (done)
				break;
			if (file_flags(f) & O_NONBLOCK)
				return -EAGAIN;
			err = wait_event_interruptible(&signalfd_wait, sfd_pending(s));
			if (err)
				return err;
			continue;
		}
		to_sfd_info(&info, &out);
		if (copy_to_user((char __user *)buf + done, &out, sizeof(out)))
			return done ? (ssize_t)done : -EFAULT;
		done += sizeof(out);
	}
	return (ssize_t)done;
}

static unsigned sfd_poll(struct file *f, struct poll_table *pt)
{
	struct signalfd *s = f->priv;

	poll_wait(pt, &signalfd_wait);
	return sfd_pending(s) ? POLLIN | POLLRDNORM : 0;
}

static void sfd_release(struct file *f)
{
	kfree(f->priv);
}

static const struct file_ops signalfd_ops = {
	.read = sfd_read,
	.poll = sfd_poll,
	.release = sfd_release,
	.anon_name = "[signalfd]",
};

/*
 * signalfd4 - signalfd4(2): with @fd -1 a new signalfd for the signals in
 * user mask @umask (@size bytes, 8), flags SFD_NONBLOCK, SFD_CLOEXEC; with
 * an existing signalfd @fd, replace its mask. The descriptor, or -EINVAL
 * (flags, size, @fd not a signalfd), -EBADF, -EFAULT, -EMFILE, -ENOMEM.
 */
long sys_signalfd4(int fd, const sigset_t __user *umask, u64 size, int flags)
{
	struct signalfd *s;
	struct file *f;
	sigset_t m;
	int nfd;

	if (flags & ~(SFD_NONBLOCK | SFD_CLOEXEC))
		return -EINVAL;
	if (size != sizeof(sigset_t))
		return -EINVAL;
	if (copy_from_user(&m, umask, sizeof(m)))
		return -EFAULT;
	m &= ~SIG_UNBLOCKABLE;
	if (fd != -1) {
		f = fd_get(fd);
		if (!f)
			return -EBADF;
		if (f->ops != &signalfd_ops) {
			file_put(f);
			return -EINVAL;
		}
		s = f->priv;
		spin_lock(&s->lock);
		s->mask = m;
		spin_unlock(&s->lock);
		file_put(f);
		wake_up(&signalfd_wait);
		return fd;
	}
	s = kzalloc(sizeof(*s));
	if (!s)
		return -ENOMEM;
	spin_init(&s->lock, "signalfd");
	s->mask = m;
	f = file_alloc(NULL, &signalfd_ops, O_RDWR | (flags & SFD_NONBLOCK), s);
	if (!f) {
		kfree(s);
		return -ENOMEM;
	}
	nfd = fd_install(f, 0, flags & SFD_CLOEXEC);
	if (nfd < 0)
		file_put(f);
	return nfd;
}

/* signalfd - signalfd(2): signalfd4() without flags. */
long sys_signalfd(int fd, const sigset_t __user *umask, u64 size)
{
	return sys_signalfd4(fd, umask, size, 0);
}
