/*
 * copy_file_range(2): copy bytes between two regular files inside the
 * kernel, at explicit offsets or at the files' own positions. tmpfs keeps
 * its data in memory pages, so the copy is a read into a kernel page and a
 * write from it, page by page, through the destination's write operation
 * (which applies RLIMIT_FSIZE and the file's seals and limits as write(2)).
 *
 * Locks: each file-position mutex on its own, never both; the inode locks
 * inside tmpfs's read and write.
 */
#include "internal.h"
#include "kmalloc.h"

#define COPY_MAX	0x7ffff000UL	/* Linux's MAX_RW_COUNT: one call's most */

static bool readable(struct file *f)
{
	u32 fl = file_flags(f);

	return !(fl & O_PATH) && (fl & O_ACCMODE) != O_WRONLY;
}

static bool writable(struct file *f)
{
	u32 fl = file_flags(f);

	return !(fl & O_PATH) && (fl & O_ACCMODE) != O_RDONLY;
}

/* An offset from user space (@u non-NULL) or the file's position. */
static long get_offset(struct file *f, s64 __user *u, u64 *out)
{
	s64 v;

	if (!u) {
		mutex_lock(&f->pos_lock);
		*out = f->pos;
		mutex_unlock(&f->pos_lock);
		return 0;
	}
	if (copy_from_user(&v, u, sizeof(v)))
		return -EFAULT;
	if (v < 0)
		return -EOVERFLOW;	/* as Linux 6: the range would wrap */
	*out = (u64)v;
	return 0;
}

static long put_offset(struct file *f, s64 __user *u, u64 v)
{
	if (u)
		return put_user_u64(u, v) ? -EFAULT : 0;
	mutex_lock(&f->pos_lock);
	f->pos = v;
	mutex_unlock(&f->pos_lock);
	return 0;
}

/* The checks of Linux's generic_copy_file_checks(): 0 or a negative errno. */
static long copy_checks(struct file *in, struct file *out, u64 pin, u64 pout, size_t len)
{
	if (!readable(in) || !writable(out) || (file_flags(out) & O_APPEND))
		return -EBADF;
	if (!in->inode || !out->inode)
		return -EINVAL;
	if (inode_is_dir(in->inode) || inode_is_dir(out->inode))
		return -EISDIR;
	if (!inode_is_reg(in->inode) || !inode_is_reg(out->inode) ||
	    in->ops != &tmpfs_reg_ops || out->ops != &tmpfs_reg_ops)
		return -EINVAL;
	if (pin + len < pin || pout + len < pout)
		return -EOVERFLOW;
	/* The same file: the ranges may not overlap. */
	if (in->inode == out->inode && pin < pout + len && pout < pin + len)
		return -EINVAL;
	return 0;
}

/*
 * sys_copy_file_range - copy_file_range(2): copy up to @len bytes from
 * @fd_in at *@off_in (or its position when @off_in is NULL) to @fd_out at
 * *@off_out (or its position); the offsets used advance by the count.
 * Returns the bytes copied (0 at the end of @fd_in), or -EINVAL (@flags,
 * not regular files, overlapping ranges in one file), -EBADF (not open for
 * reading / writing, O_APPEND output), -EISDIR, -EOVERFLOW (a negative
 * offset, a range that wraps), -EFAULT, -EFBIG, -ENOSPC, -ENOMEM. May sleep.
 */
long sys_copy_file_range(int fd_in, s64 __user *off_in, int fd_out, s64 __user *off_out,
			 size_t len, unsigned flags)
{
	struct file *in, *out = NULL;
	u64 pin, pout;
	char *kbuf = NULL;
	ssize_t done = 0;
	long r;

	if (flags)
		return -EINVAL;
	in = fd_get(fd_in);
	if (!in)
		return -EBADF;
	out = fd_get(fd_out);
	if (!out) {
		r = -EBADF;
		goto out_put;
	}
	r = get_offset(in, off_in, &pin);
	if (!r)
		r = get_offset(out, off_out, &pout);
	len = MIN(len, COPY_MAX);
	if (!r)
		r = copy_checks(in, out, pin, pout, len);
	if (r)
		goto out_put;
	kbuf = kmalloc(PAGE_SIZE);
	if (!kbuf) {
		r = -ENOMEM;
		goto out_put;
	}
	while ((size_t)done < len) {
		size_t chunk = MIN(PAGE_SIZE - (pin & (PAGE_SIZE - 1)), len - (size_t)done);
		ssize_t got = tmpfs_read(in->inode, pin, kbuf, chunk, false), w;
		u64 at = pout;

		if (got <= 0) {
			r = got;
			break;
		}
		w = out->ops->write(out, io_src_kernel(kbuf), (size_t)got, &at);
		if (w <= 0) {
			r = w;
			break;
		}
		done += w;
		pin += (u64)w;
		pout += (u64)w;
		if (w < got)
			break;
	}
	if (done) {
		r = done;
		if (put_offset(in, off_in, pin) || put_offset(out, off_out, pout))
			r = -EFAULT;
	}
out_put:
	kfree(kbuf);
	if (out)
		file_put(out);
	file_put(in);
	return r;
}
