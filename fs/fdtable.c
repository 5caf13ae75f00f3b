/*
 * Descriptor tables (struct files): the array from descriptor numbers to
 * open file descriptions plus the close-on-exec bits, shared by CLONE_FILES
 * threads and copied by fork. The spinlock guards only the array and bits;
 * files are put (which may sleep) after it is released.
 * Semantics: open(2) "lowest-numbered descriptor not currently open", dup(2),
 * fcntl(2) F_GETFD/F_SETFD, execve(2) close-on-exec.
 */
#include "internal.h"
#include "cpu.h"
#include "kmalloc.h"
#include "task.h"
#include "uapi/resource.h"

static inline bool cloexec_test(struct files *t, int fd)
{
	return t->cloexec[fd / 64] & (1UL << (fd % 64));
}

static inline void cloexec_assign(struct files *t, int fd, bool on)
{
	if (on)
		t->cloexec[fd / 64] |= 1UL << (fd % 64);
	else
		t->cloexec[fd / 64] &= ~(1UL << (fd % 64));
}

static struct files *cur_files(void)
{
	return current->files;
}

struct files *files_new(void)
{
	struct files *t = kzalloc(sizeof(*t));

	if (!t)
		return NULL;
	t->refcount = 1;
	spin_init(&t->lock, "files");
	return t;
}

struct files *files_dup(struct files *f)
{
	struct files *t = files_new();
	int i;

	if (!t)
		return NULL;
	spin_lock(&f->lock);
	for (i = 0; i < FD_MAX; i++) {
		t->fd[i] = f->fd[i];
		if (t->fd[i])
			file_get(t->fd[i]);
	}
	memcpy(t->cloexec, f->cloexec, sizeof(t->cloexec));
	spin_unlock(&f->lock);
	return t;
}

void files_get(struct files *f)
{
	__atomic_add_fetch(&f->refcount, 1, __ATOMIC_RELAXED);
}

void files_put(struct files *f)
{
	u32 left = __atomic_sub_fetch(&f->refcount, 1, __ATOMIC_ACQ_REL);
	int i;

	if (left + 1 == 0)
		panic("files_put: refcount underflow");
	if (left)
		return;
	/* Last user: nobody else can reach the table, so no lock. */
	for (i = 0; i < FD_MAX; i++) {
		if (f->fd[i]) {
			locks_remove_posix(f->fd[i], f);
			file_put(f->fd[i]);
		}
	}
	kfree(f);
}

void files_close_on_exec(struct files *f)
{
	struct file *batch[64];
	int w, b, n;

	/* One word of bits at a time: take the files out, then put them unlocked. */
	for (w = 0; w < FD_MAX / 64; w++) {
		n = 0;
		spin_lock(&f->lock);
		for (b = 0; b < 64; b++) {
			int fd = w * 64 + b;

			if (cloexec_test(f, fd) && f->fd[fd]) {
				batch[n++] = f->fd[fd];
				f->fd[fd] = NULL;
			}
		}
		f->cloexec[w] = 0;
		spin_unlock(&f->lock);
		while (n) {
			locks_remove_posix(batch[--n], f);
			file_put(batch[n]);
		}
	}
}

int files_open_console(struct files *t)
{
	struct file *f, *old[3];
	int err, i;

	err = vfs_open_inode(console_inode, O_RDWR, &f);
	if (err)
		return err;
	/* One open file description for all three, as init's dup(0) would give. */
	file_get(f);
	file_get(f);
	spin_lock(&t->lock);
	for (i = 0; i < 3; i++) {
		old[i] = t->fd[i];
		t->fd[i] = f;
		cloexec_assign(t, i, false);
	}
	spin_unlock(&t->lock);
	for (i = 0; i < 3; i++)
		if (old[i])
			file_put(old[i]);
	return 0;
}

int fd_install(struct file *f, int min, bool cloexec)
{
	struct files *t = cur_files();
	int fd;

	/* RLIMIT_NOFILE bounds descriptor numbers (getrlimit(2)): -EMFILE. */
	int limit = (int)MIN(rlimit_cur(RLIMIT_NOFILE), (u64)FD_MAX);

	if (min < 0 || min >= FD_MAX)
		return -EINVAL;
	spin_lock(&t->lock);
	for (fd = min; fd < limit && t->fd[fd]; fd++)
		;
	if (fd < limit) {
		t->fd[fd] = f;
		cloexec_assign(t, fd, cloexec);
	} else {
		fd = -EMFILE;
	}
	spin_unlock(&t->lock);
	return fd;
}

struct file *fd_get(int fd)
{
	struct files *t = cur_files();
	struct file *f = NULL;

	if (fd < 0 || fd >= FD_MAX)
		return NULL;
	spin_lock(&t->lock);
	f = t->fd[fd];
	if (f)
		file_get(f);
	spin_unlock(&t->lock);
	return f;
}

int fd_close(int fd)
{
	struct files *t = cur_files();
	struct file *f;

	if (fd < 0 || fd >= FD_MAX)
		return -EBADF;
	spin_lock(&t->lock);
	f = t->fd[fd];
	t->fd[fd] = NULL;
	cloexec_assign(t, fd, false);
	spin_unlock(&t->lock);
	if (!f)
		return -EBADF;
	locks_remove_posix(f, t);
	file_put(f);
	return 0;
}

int fd_dup_to(int oldfd, int newfd, bool cloexec)
{
	struct files *t = cur_files();
	struct file *f, *old;

	if (oldfd < 0 || oldfd >= FD_MAX || newfd < 0 || newfd >= FD_MAX ||
	    (u64)newfd >= rlimit_cur(RLIMIT_NOFILE))
		return -EBADF;
	spin_lock(&t->lock);
	f = t->fd[oldfd];
	if (!f) {
		spin_unlock(&t->lock);
		return -EBADF;
	}
	file_get(f);
	old = t->fd[newfd];
	t->fd[newfd] = f;
	cloexec_assign(t, newfd, cloexec);
	spin_unlock(&t->lock);
	if (old) {
		locks_remove_posix(old, t);
		file_put(old);
	}
	return newfd;
}

int fd_cloexec_get(int fd)
{
	struct files *t = cur_files();
	int ret = -EBADF;

	if (fd < 0 || fd >= FD_MAX)
		return -EBADF;
	spin_lock(&t->lock);
	if (t->fd[fd])
		ret = cloexec_test(t, fd) ? 1 : 0;
	spin_unlock(&t->lock);
	return ret;
}

int fd_cloexec_set(int fd, bool on)
{
	struct files *t = cur_files();
	int ret = -EBADF;

	if (fd < 0 || fd >= FD_MAX)
		return -EBADF;
	spin_lock(&t->lock);
	if (t->fd[fd]) {
		cloexec_assign(t, fd, on);
		ret = 0;
	}
	spin_unlock(&t->lock);
	return ret;
}
