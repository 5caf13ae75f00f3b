/*
 * The data-transfer file syscalls: read, write, pread64, pwrite64, readv,
 * writev, lseek, ioctl and sendfile. They check the descriptor's access
 * mode, take the file-position lock of seekable files (so threads sharing a
 * description see whole transfers) and call the file's operations.
 */
#include "internal.h"
#include "fsnotify.h"
#include "cpu.h"
#include "kmalloc.h"
#include "task.h"
#include "uaccess.h"
#include "uapi/ioctl.h"

#define MAX_RW_COUNT	0x7ffff000UL	/* Linux's cap on one transfer, bytes */

static bool file_readable(struct file *f)
{
	u32 fl = file_flags(f);

	return !(fl & O_PATH) && ((fl & O_ACCMODE) == O_RDONLY || (fl & O_ACCMODE) == O_RDWR);
}

static bool file_writable(struct file *f)
{
	u32 fl = file_flags(f);

	return !(fl & O_PATH) && ((fl & O_ACCMODE) == O_WRONLY || (fl & O_ACCMODE) == O_RDWR);
}

/* A transfer of @r bytes on @f happened: IN_ACCESS or IN_MODIFY (inotify(7)). */
static void rw_notify(struct file *f, long r, bool write)
{
	if (r > 0 && f->inode)
		fsnotify_inode(f->inode, write ? IN_MODIFY : IN_ACCESS);
}

/* Run the vector at *@pos; stops at the first short transfer (readv(2)). */
static ssize_t rw_iov(struct file *f, const struct linux_iovec *iov, int cnt, u64 *pos,
		      bool write)
{
	ssize_t total = 0, n;
	int i;

	for (i = 0; i < cnt; i++) {
		void __user *base = (void __user *)iov[i].iov_base;
		size_t len = iov[i].iov_len;

		if (!len)
			continue;
		n = write ? f->ops->write(f, io_src_user(base), len, pos)
			  : f->ops->read(f, base, len, pos);
		if (n < 0)
			return total ? total : n;
		total += n;
		if ((size_t)n < len)
			break;
	}
	return total;
}

/*
 * One transfer on @f: at @offset (pread/pwrite; not the file position) when
 * @offset >= 0, else at and updating the file position.
 */
static ssize_t rw_file(struct file *f, const struct linux_iovec *iov, int cnt, s64 offset,
		       bool write)
{
	u64 pos = 0;
	ssize_t r;

	if (write ? !file_writable(f) : !file_readable(f))
		return -EBADF;
	if (write ? !f->ops->write : !f->ops->read)
		return -EINVAL;
	if (offset >= 0) {
		if (!f->ops->seekable)
			return -ESPIPE;
		pos = (u64)offset;
		return rw_iov(f, iov, cnt, &pos, write);
	}
	if (!f->ops->seekable)
		return rw_iov(f, iov, cnt, &pos, write);
	mutex_lock(&f->pos_lock);
	r = rw_iov(f, iov, cnt, &f->pos, write);
	mutex_unlock(&f->pos_lock);
	return r;
}

static long rw_one(int fd, void __user *buf, size_t n, s64 offset, bool write)
{
	struct linux_iovec iov = { .iov_base = (u64)buf, .iov_len = MIN(n, MAX_RW_COUNT) };
	struct file *f = fd_get(fd);
	long r;

	if (!f)
		return -EBADF;
	/* The whole count must fit in user space, before the cap shortens it
	 * (Linux's vfs_read()/vfs_write(): access_ok(buf, count) comes first). */
	if (n && !uaccess_ok(iov.iov_base, n))
		r = -EFAULT;
	else
		r = rw_file(f, &iov, 1, offset, write);
	rw_notify(f, r, write);
	file_put(f);
	return r;
}

/* read - read(2): up to @n bytes from @fd into user @buf. Bytes read (0 at end of file)
 * or -EBADF, -EFAULT, -EISDIR, -EAGAIN, -ERESTARTSYS. May sleep. */
long sys_read(int fd, void __user *buf, size_t n)
{
	return rw_one(fd, buf, n, -1, false);
}

/* write - write(2): up to @n bytes of user @buf to @fd. Bytes written or -EBADF,
 * -EFAULT, -EFBIG, -ENOSPC/-ENOMEM. May sleep. */
long sys_write(int fd, const void __user *buf, size_t n)
{
	return rw_one(fd, (void __user *)buf, n, -1, true);
}

/* pread64 - pread(2): read at byte @offset without moving the file position.
 * -EINVAL for a negative offset, -ESPIPE on unseekable files. May sleep. */
long sys_pread64(int fd, void __user *buf, size_t n, s64 offset)
{
	if (offset < 0)
		return -EINVAL;
	return rw_one(fd, buf, n, offset, false);
}

/* pwrite64 - pwrite(2): write at byte @offset without moving the file position
 * (Linux appends anyway under O_APPEND). May sleep. */
long sys_pwrite64(int fd, const void __user *buf, size_t n, s64 offset)
{
	if (offset < 0)
		return -EINVAL;
	return rw_one(fd, (void __user *)buf, n, offset, true);
}

static long rw_vector(int fd, const struct linux_iovec __user *uiov, int cnt, bool write)
{
	struct linux_iovec *iov;
	struct file *f;
	u64 total = 0;
	long r;
	int i;

	if (cnt < 0 || cnt > IOV_MAX)
		return -EINVAL;
	f = fd_get(fd);
	if (!f)
		return -EBADF;
	iov = kmalloc(MAX(cnt, 1) * sizeof(*iov));
	if (!iov) {
		r = -ENOMEM;
		goto out_put;
	}
	if (copy_from_user(iov, uiov, cnt * sizeof(*iov))) {
		r = -EFAULT;
		goto out_free;
	}
	for (i = 0; i < cnt; i++) {
		/* readv(2): EINVAL when the sum of the lengths overflows ssize_t. */
		if (iov[i].iov_len > (u64)INT64_MAX - total) {
			r = -EINVAL;
			goto out_free;
		}
		total += iov[i].iov_len;
		if (iov[i].iov_len && !uaccess_ok(iov[i].iov_base, iov[i].iov_len)) {
			r = -EFAULT;
			goto out_free;
		}
	}
	r = rw_file(f, iov, cnt, -1, write);
	rw_notify(f, r, write);
out_free:
	kfree(iov);
out_put:
	file_put(f);
	return r;
}

/* readv - readv(2): scatter into @cnt (<= IOV_MAX) user buffers. Bytes read or
 * -EINVAL (bad count or total), -EFAULT, -EBADF. May sleep. */
long sys_readv(int fd, const struct linux_iovec __user *iov, int cnt)
{
	return rw_vector(fd, iov, cnt, false);
}

/* writev - writev(2): gather from @cnt (<= IOV_MAX) user buffers. May sleep. */
long sys_writev(int fd, const struct linux_iovec __user *iov, int cnt)
{
	return rw_vector(fd, iov, cnt, true);
}

/*
 * lseek - lseek(2): move @fd's position by @off from SEEK_SET/CUR/END (and
 * SEEK_DATA/SEEK_HOLE: the whole file is data). Returns the new position or
 * -EBADF, -ESPIPE (console, pipes), -EINVAL (bad whence or negative result),
 * -ENXIO (DATA/HOLE past the end). Locks: the file-position mutex. May sleep.
 */
long sys_lseek(int fd, s64 off, unsigned whence)
{
	struct file *f = fd_get(fd);
	s64 base, size, res;
	long r;

	if (!f)
		return -EBADF;
	if (file_flags(f) & O_PATH) {
		r = -EBADF;
		goto out_put;
	}
	if (f->ops->llseek) {
		r = f->ops->llseek(f, off, whence);
		goto out_put;
	}
	if (!f->ops->seekable) {
		r = -ESPIPE;
		goto out_put;
	}
	/* A directory's size counts its entries, not offsets in it: SEEK_END is its start. */
	size = f->inode && !inode_is_dir(f->inode) ? (s64)inode_size(f->inode) : 0;
	if (blkdev_file_is(f))
		size = (s64)blkdev_file_size(f);	/* a disk's end is its capacity */
	mutex_lock(&f->pos_lock);
	switch (whence) {
	case SEEK_SET:
		base = 0;
		break;
	case SEEK_CUR:
		base = (s64)f->pos;
		break;
	case SEEK_END:
		base = size;
		break;
	case SEEK_DATA:
	case SEEK_HOLE:
		if (off < 0 || off >= size) {
			r = -ENXIO;
			goto out_unlock;
		}
		base = 0;
		if (whence == SEEK_HOLE)
			off = size;
		break;
	default:
		r = -EINVAL;
		goto out_unlock;
	}
	if (__builtin_add_overflow(base, off, &res) || res < 0) {
		r = -EINVAL;
		goto out_unlock;
	}
	f->pos = (u64)res;
	r = res;
out_unlock:
	mutex_unlock(&f->pos_lock);
out_put:
	file_put(f);
	return r;
}

/* Set or clear status flags @bits of @f atomically (fcntl F_SETFL, FIONBIO). */
void file_set_flags(struct file *f, u32 bits, u32 values)
{
	u32 old = file_flags(f), new;

	do {
		new = (old & ~bits) | (values & bits);
	} while (!__atomic_compare_exchange_n(&f->flags, &old, new, false, __ATOMIC_RELAXED,
					      __ATOMIC_RELAXED));
}

/*
 * ioctl - ioctl(2): FIOCLEX, FIONCLEX and FIONBIO for any descriptor, the
 * rest by the file's ioctl operation; -ENOTTY when it has none, -EBADF for a
 * bad or O_PATH descriptor. May sleep.
 */
long sys_ioctl(int fd, unsigned cmd, u64 arg)
{
	struct file *f = fd_get(fd);
	u32 v;
	long r;

	if (!f)
		return -EBADF;
	if (file_flags(f) & O_PATH) {
		r = -EBADF;
		goto out_put;
	}
	switch (cmd) {
	case FIOCLEX:
	case FIONCLEX:
		r = fd_cloexec_set(fd, cmd == FIOCLEX);
		break;
	case FIONBIO:
		r = get_user_u32(&v, (const void __user *)arg);
		if (!r)
			file_set_flags(f, O_NONBLOCK, v ? O_NONBLOCK : 0);
		break;
	default:
		r = f->ops->ioctl ? f->ops->ioctl(f, cmd, arg) : -ENOTTY;
		break;
	}
out_put:
	file_put(f);
	return r;
}

/* One write of @n bytes of kernel @kbuf to @out at *@pos, as write(2) does it. */
static ssize_t write_kernel(struct file *out, const void *kbuf, size_t n, u64 *pos)
{
	return out->ops->write(out, io_src_kernel(kbuf), n, pos);
}

/* Copy up to @count bytes of regular file @in from *@pos to @out; advances *@pos. */
static ssize_t sendfile_copy(struct file *in, struct file *out, u64 *pos, size_t count)
{
	char *kbuf = kmalloc(PAGE_SIZE);
	ssize_t done = 0, r = 0;

	if (!kbuf)
		return -ENOMEM;
	while ((size_t)done < count) {
		size_t chunk = MIN(PAGE_SIZE - (*pos & (PAGE_SIZE - 1)), count - (size_t)done);
		ssize_t got = tmpfs_read(in->inode, *pos, kbuf, chunk, false), w;

		if (got <= 0) {
			r = got;
			break;
		}
		if (out->ops->seekable) {
			mutex_lock(&out->pos_lock);
			w = write_kernel(out, kbuf, (size_t)got, &out->pos);
			mutex_unlock(&out->pos_lock);
		} else {
			u64 unused = 0;

			w = write_kernel(out, kbuf, (size_t)got, &unused);
		}
		if (w <= 0) {
			r = w;
			break;
		}
		done += w;
		*pos += (u64)w;
		if (w < got)
			break;
	}
	kfree(kbuf);
	return done ? done : r;
}

/*
 * sendfile - sendfile(2): copy up to @count bytes from regular file @in_fd to
 * @out_fd (any file open for writing: a file, a pipe, the terminal). With
 * @offset (user s64) the copy starts there, *@offset is advanced and @in_fd's
 * position is untouched; without it the copy starts at and advances the
 * position. Returns the bytes copied (0 at end of file) or -EBADF (not
 * readable / writable), -EINVAL (@in_fd not a regular file, @out_fd
 * O_APPEND, negative offset), -EFAULT, -EAGAIN, -EPIPE, -ENOMEM. Locks: each
 * file-position mutex on its own, never both. May sleep.
 */
long sys_sendfile(int out_fd, int in_fd, s64 __user *offset, size_t count)
{
	struct file *in, *out = NULL;
	u64 pos;
	long r;

	in = fd_get(in_fd);
	if (!in)
		return -EBADF;
	out = fd_get(out_fd);
	if (!out || !file_readable(in) || !file_writable(out)) {
		r = -EBADF;
		goto out_put;
	}
	if (!in->inode || in->ops != &tmpfs_reg_ops || (file_flags(out) & O_APPEND) ||
	    !out->ops->write) {
		r = -EINVAL;
		goto out_put;
	}
	if (offset) {
		s64 off;

		if (copy_from_user(&off, offset, sizeof(off))) {
			r = -EFAULT;
			goto out_put;
		}
		if (off < 0) {
			r = -EINVAL;
			goto out_put;
		}
		pos = (u64)off;
	} else {
		mutex_lock(&in->pos_lock);
		pos = in->pos;
		mutex_unlock(&in->pos_lock);
	}
	r = sendfile_copy(in, out, &pos, MIN(count, MAX_RW_COUNT));
	if (offset) {
		if (r >= 0 && put_user_u64(offset, pos))
			r = -EFAULT;
	} else if (r > 0) {
		mutex_lock(&in->pos_lock);
		in->pos = pos;
		mutex_unlock(&in->pos_lock);
	}
out_put:
	if (out)
		file_put(out);
	file_put(in);
	return r;
}
