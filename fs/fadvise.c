/*
 * posix_fadvise(2) (the fadvise64 system call): the application's hint about how it
 * will read a file.
 *
 * Every file Sprout can open keeps its data in memory (tmpfs, procfs, device nodes),
 * like a Linux file system without a backing device (shmem, whose files Linux's
 * generic_fadvise leaves alone): there is no read-ahead to tune and no page cache to
 * drop, so a valid hint changes nothing. What the call does check is Linux's: the
 * descriptor (EBADF, also for O_PATH), a pipe or FIFO (ESPIPE), the advice and a
 * negative length (EINVAL).
 *
 * Locks: none beyond the descriptor table's (fd_get()).
 */
#include "internal.h"

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
