/*
 * Process descriptors (pidfds, Linux 5.3+): a file descriptor that names one
 * process for as long as it is open, so a later signal or wait cannot hit
 * another process that reuses the pid. pidfd_open(2) makes one,
 * pidfd_send_signal(2) signals through it, pidfd_getfd(2) copies one of the
 * process's descriptors, waitid(P_PIDFD) (kernel/wait.c) waits for it, and
 * poll(2) reports it readable once the process has exited (become a zombie).
 *
 * The file holds a reference on struct process; the process's state says
 * whether it still lives (PROC_ALIVE), is a zombie, or was reaped
 * (PROC_DEAD: signals give ESRCH).
 *
 * Locks: tasklist_lock for the process's state and tree; process->lock for
 * its threads; the exit_wq wait queue (woken by exit_notify()) for pollers.
 */
#include "kernel.h"
#include "fs.h"
#include "sched.h"
#include "task.h"
#include "cpu.h"
#include "uapi/errno.h"
#include "uapi/poll.h"
#include "uapi/signal.h"

#define PIDFD_NONBLOCK	O_NONBLOCK

/* Is @tid a live thread that does not lead its process? pidfd_open(2) says
 * ENOENT then (Linux 6.9 on; EINVAL before, when there was no PIDFD_THREAD). */
static bool tid_is_thread(pid_t tid)
{
	bool hit = false;

	spin_lock(&tasklist_lock);
	for (struct process *p = init_process; p && !hit; p = process_tree_next(init_process, p)) {
		struct task *t;

		spin_lock(&p->lock);
		list_for_each_entry(t, &p->threads, thread_link)
			if (t->tid == tid)
				hit = true;
		spin_unlock(&p->lock);
	}
	spin_unlock(&tasklist_lock);
	return hit;
}

static unsigned pidfd_poll(struct file *f, struct poll_table *pt)
{
	struct process *p = f->priv;

	poll_wait(pt, &p->exit_wq);
	return __atomic_load_n(&p->state, __ATOMIC_ACQUIRE) != PROC_ALIVE ?
	       POLLIN | POLLRDNORM : 0;
}

static void pidfd_release(struct file *f)
{
	process_put(f->priv);
}

static ssize_t pidfd_read(struct file *f, void __user *buf, size_t n, u64 *pos)
{
	(void)f; (void)buf; (void)n; (void)pos;
	return -EINVAL;
}

static ssize_t pidfd_write(struct file *f, struct io_src src, size_t n, u64 *pos)
{
	(void)f; (void)src; (void)n; (void)pos;
	return -EINVAL;
}

static const struct file_ops pidfd_ops = {
	.read = pidfd_read,
	.write = pidfd_write,
	.release = pidfd_release,
	.poll = pidfd_poll,
};

/* pidfd_process - see include/task.h. */
int pidfd_process(int fd, struct process **out, bool *nonblock)
{
	struct file *f = fd_get(fd);
	int r = 0;

	if (!f)
		return -EBADF;
	if (f->ops != &pidfd_ops) {
		r = -EBADF;	/* Linux's pidfd_pid() for any other file */
	} else {
		*out = f->priv;
		process_get(*out);
		if (nonblock)
			*nonblock = (file_flags(f) & O_NONBLOCK) != 0;
	}
	file_put(f);
	return r;
}

/* pidfd_create - see include/task.h. */
int pidfd_create(struct process *p)
{
	struct file *f;
	int fd;

	process_get(p);
	f = file_alloc(NULL, &pidfd_ops, O_RDWR, p);
	if (!f) {
		process_put(p);
		return -ENOMEM;
	}
	fd = fd_install(f, 0, true);
	if (fd < 0)
		file_put(f);
	return fd;
}

/*
 * sys_pidfd_open - pidfd_open(2): a close-on-exec descriptor for process
 * @pid (a zombie not yet reaped counts), non-blocking with PIDFD_NONBLOCK.
 * Returns it, or -EINVAL (other flags, @pid <= 0), -ENOENT (@pid a thread
 * that does not lead its group), -ESRCH, -EMFILE or -ENOMEM. Takes
 * tasklist_lock. Sleeps: no.
 */
long sys_pidfd_open(pid_t pid, unsigned flags)
{
	struct process *p;
	struct file *f;
	long r;

	if (flags & ~(unsigned)PIDFD_NONBLOCK)
		return -EINVAL;
	if (pid <= 0)
		return -EINVAL;
	spin_lock(&tasklist_lock);
	p = process_find(pid);
	if (p && p->state != PROC_DEAD)
		process_get(p);
	else
		p = NULL;
	spin_unlock(&tasklist_lock);
	if (!p)
		return tid_is_thread(pid) ? -ENOENT : -ESRCH;
	f = file_alloc(NULL, &pidfd_ops, O_RDWR | (flags & PIDFD_NONBLOCK), p);
	if (!f) {
		process_put(p);
		return -ENOMEM;
	}
	r = fd_install(f, 0, true);
	if (r < 0)
		file_put(f);
	return r;
}

/* The process of a /proc/PID directory descriptor @fd (pidfd_send_signal(2)
 * accepts one in place of a pidfd; psmisc's killall signals through them),
 * referenced; -EBADF for any other descriptor, -ESRCH once the pid is gone. */
static int proc_dir_process(int fd, struct process **out)
{
	struct file *f = fd_get(fd);
	pid_t pid;

	if (!f)
		return -EBADF;
	pid = procfs_tgid_dir(f->inode);
	file_put(f);
	if (!pid)
		return -EBADF;
	spin_lock(&tasklist_lock);
	*out = process_find(pid);
	if (*out && (*out)->state != PROC_DEAD)
		process_get(*out);
	else
		*out = NULL;
	spin_unlock(&tasklist_lock);
	return *out ? 0 : -ESRCH;
}

/*
 * sys_pidfd_send_signal - pidfd_send_signal(2): send @sig to the process of
 * @pidfd (or of a /proc/PID directory descriptor), with the siginfo at
 * @uinfo (NULL: as kill(2) would). Returns 0, or -EINVAL (@flags, a bad
 * signal, si_signo not @sig), -EBADF (neither a pidfd nor a /proc/PID one),
 * -EFAULT, -ESRCH (the process was reaped), -EPERM (no right to signal it,
 * or a kernel-reserved si_code for another process), -EAGAIN (queue full).
 * A zombie accepts the signal without effect, as kill(2). Sleeps: no.
 */
long sys_pidfd_send_signal(int pidfd, int sig, const struct linux_siginfo __user *uinfo,
			   unsigned flags)
{
	struct process *p, *self = current->proc;
	struct linux_siginfo info;
	long r;

	if (flags)
		return -EINVAL;
	if (sig < 0 || sig > NSIG)
		return -EINVAL;
	r = pidfd_process(pidfd, &p, NULL);
	if (r == -EBADF)
		r = proc_dir_process(pidfd, &p);
	if (r)
		return r;
	if (uinfo) {
		if (copy_from_user(&info, uinfo, sizeof(info))) {
			r = -EFAULT;
			goto out;
		}
		if (info.si_signo != sig) {
			r = -EINVAL;
			goto out;
		}
		/* Only the kernel may claim codes >= 0 or SI_TKILL for others. */
		if ((info.si_code >= 0 || info.si_code == SI_TKILL) && p != self) {
			r = -EPERM;
			goto out;
		}
	} else {
		memset(&info, 0, sizeof(info));
		info.si_signo = sig;
		info.si_code = SI_USER;
		info.proc.pid = self->pid;
		info.proc.uid = self->uid;
	}
	spin_lock(&tasklist_lock);
	if (p->state == PROC_DEAD)
		r = -ESRCH;
	else if (!cred_may_signal(self, p, sig))
		r = -EPERM;
	else if (sig && p->state == PROC_ALIVE)
		r = signal_send_info(p, NULL, &info);
	spin_unlock(&tasklist_lock);
out:
	process_put(p);
	return r;
}

/*
 * sys_pidfd_getfd - pidfd_getfd(2): a close-on-exec duplicate, in the
 * caller, of descriptor @targetfd of the process of @pidfd (the same open
 * file description). Needs the right to look inside the process
 * (cred_may_inspect(), standing for ptrace's PTRACE_MODE_ATTACH). Returns
 * the new descriptor, or -EINVAL (@flags), -EBADF (@pidfd not a pidfd, or
 * @targetfd not open), -ESRCH (the process has exited), -EPERM, -EMFILE.
 * Sleeps: no.
 */
long sys_pidfd_getfd(int pidfd, int targetfd, unsigned flags)
{
	struct process *p;
	struct files *files = NULL;
	struct file *f;
	struct task *t;
	long r;

	if (flags)
		return -EINVAL;
	r = pidfd_process(pidfd, &p, NULL);
	if (r)
		return r;
	spin_lock(&tasklist_lock);
	if (p->state != PROC_ALIVE) {
		r = -ESRCH;
	} else if (!cred_may_inspect(p)) {
		r = -EPERM;
	} else {
		spin_lock(&p->lock);
		list_for_each_entry(t, &p->threads, thread_link)
			if (t->files) {
				files = t->files;
				files_get(files);
				break;
			}
		spin_unlock(&p->lock);
		if (!files)
			r = -ESRCH;
	}
	spin_unlock(&tasklist_lock);
	process_put(p);
	if (r)
		return r;
	f = targetfd >= 0 ? files_lookup(files, targetfd) : NULL;
	files_put(files);
	if (!f)
		return -EBADF;
	r = fd_install(f, 0, true);
	if (r < 0)
		file_put(f);
	return r;
}
