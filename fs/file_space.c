/*
 * What a program says about a file's data and space: posix_fadvise(2) (the fadvise64
 * system call), its hint about how it will read the file, and fallocate(2), which
 * reserves the file's space ahead of the writes.
 *
 * Every file Sprout can open keeps its data in memory (tmpfs, procfs, device nodes),
 * like a Linux file system without a backing device (shmem, whose files Linux's
 * generic_fadvise leaves alone): there is no read-ahead to tune and no page cache to
 * drop, so a valid hint changes nothing. What the call does check is Linux's: the
 * descriptor (EBADF, also for O_PATH), a pipe or FIFO (ESPIPE), the advice and a
 * negative length (EINVAL). fallocate gives a tmpfs file its zeroed pages at once
 * (tmpfs_fallocate()), charged to the instance's size= limit.
 *
 * Locks: none beyond the descriptor table's (fd_get()).
 */
#include "internal.h"
#include "fsnotify.h"

/* The advice values of <fcntl.h> (x86-64: DONTNEED 4, NOREUSE 5). */
#define POSIX_FADV_NORMAL	0
#define POSIX_FADV_NOREUSE	5

/*
 * fadvise64 - posix_fadvise(2) of @len bytes (0: to the end) at byte @offset of @fd
 * with @advice (POSIX_FADV_NORMAL .. POSIX_FADV_NOREUSE). Returns 0, -EBADF, -ESPIPE
 * (a pipe or FIFO), -EINVAL (unknown advice, @len < 0). Sleeps: no.
 */
long sys_fadvise64(int fd, s64 offset, s64 len, int advice)
{
	struct file *f = fd_get(fd);
	long r = 0;

	(void)offset;	/* any offset is accepted, as on Linux */
	if (!f)
		return -EBADF;
	if (file_flags(f) & O_PATH)
		r = -EBADF;
	else if (f->inode && S_ISFIFO(f->inode->mode))
		r = -ESPIPE;
	else if (len < 0 || advice < POSIX_FADV_NORMAL || advice > POSIX_FADV_NOREUSE)
		r = -EINVAL;
	file_put(f);
	return r;
}

#define FALLOC_FL_KEEP_SIZE	0x01
#define FALLOC_FL_PUNCH_HOLE	0x02
#define FALLOC_FL_KNOWN		0x7f	/* every mode bit Linux defines */

/*
 * fallocate - fallocate(2): allocate the bytes [@offset, @offset + @len) of the tmpfs
 * file open for writing at @fd, which grows to cover them unless @mode has
 * FALLOC_FL_KEEP_SIZE. The other modes (punching holes, zeroing, collapsing and
 * inserting ranges) are not offered: -EOPNOTSUPP, as from a file system without them.
 * Returns 0, -EBADF (not open for writing, O_PATH), -EINVAL (@offset < 0, @len <= 0),
 * -EOPNOTSUPP (another mode; a hole punched without KEEP_SIZE), -ESPIPE (a pipe or
 * FIFO), -EISDIR, -ENODEV (not a regular file), -EFBIG, -EPERM (a sealed memfd),
 * -ENOSPC, -ENOMEM. Sleeps: may.
 */
long sys_fallocate(int fd, int mode, s64 offset, s64 len)
{
	struct file *f;
	struct inode *ino;
	long r;

	if (offset < 0 || len <= 0)
		return -EINVAL;
	if ((u32)mode & ~(u32)FALLOC_FL_KNOWN)
		return -EOPNOTSUPP;
	if ((mode & FALLOC_FL_PUNCH_HOLE) && !(mode & FALLOC_FL_KEEP_SIZE))
		return -EOPNOTSUPP;	/* as Linux's vfs_fallocate() */
	f = fd_get(fd);
	if (!f)
		return -EBADF;
	ino = f->inode;
	if ((file_flags(f) & O_PATH) || (file_flags(f) & O_ACCMODE) == O_RDONLY)
		r = -EBADF;
	else if (!ino || S_ISFIFO(ino->mode))
		r = -ESPIPE;
	else if (inode_is_dir(ino))
		r = -EISDIR;
	else if (!inode_is_reg(ino) && !S_ISBLK(ino->mode))
		r = -ENODEV;
	else if ((u64)offset + (u64)len > TMPFS_MAX_SIZE)
		r = -EFBIG;
	else if (f->ops != &tmpfs_reg_ops || (mode & ~FALLOC_FL_KEEP_SIZE))
		r = -EOPNOTSUPP;
	else
		r = tmpfs_fallocate(ino, (u64)offset, (u64)len, mode & FALLOC_FL_KEEP_SIZE);
	if (!r)
		fsnotify_inode(ino, IN_MODIFY);	/* as Linux's vfs_fallocate() */
	file_put(f);
	return r;
}
