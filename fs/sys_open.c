/*
 * Descriptor syscalls: open, openat, close, dup, dup2, dup3 and fcntl.
 * Semantics: open(2), close(2), dup(2), fcntl(2) (Linux flavour: F_GETFL
 * reports O_LARGEFILE; F_SETFL changes only O_APPEND and O_NONBLOCK).
 */
#include "internal.h"
#include "task.h"
#include "uapi/resource.h"

/*
 * openat - openat(2): open @path (relative to @dirfd or the cwd) with @flags
 * (O_CREAT: creation @mode less the umask). Returns the lowest free
 * descriptor or -ENOENT, -EEXIST, -EISDIR, -ENOTDIR, -ELOOP, -EACCES (also
 * a device on a nodev mount), -ETXTBSY (writing a file being executed),
 * -ENOSPC (tmpfs limits), -ENAMETOOLONG, -EFAULT, -EMFILE, -ENXIO, -ENOMEM.
 * May sleep.
 */
long sys_openat(int dirfd, const char __user *path, int flags, mode_t mode)
{
	struct upath up;
	struct file *f;
	long r;

	r = upath_get(&up, dirfd, path, false);
	if (r)
		return r;
	r = vfs_open(up.root, up.start, up.path, (u32)flags, mode, &f);
	if (!r) {
		r = fd_install(f, 0, flags & O_CLOEXEC);
		if (r < 0)
			file_put(f);
	}
	upath_put(&up);
	return r;
}

/* open - open(2): openat(AT_FDCWD, ...). May sleep. */
long sys_open(const char __user *path, int flags, mode_t mode)
{
	return sys_openat(AT_FDCWD, path, flags, mode);
}

/* close - close(2): 0 or -EBADF. The description goes with its last reference.
 * Locks: the table spinlock, released before the file is put. May sleep. */
long sys_close(int fd)
{
	return fd_close(fd);
}

/* dup - dup(2): the lowest free descriptor for @fd's description, FD_CLOEXEC
 * clear. -EBADF, -EMFILE. Sleeps: no. */
long sys_dup(int fd)
{
	struct file *f = fd_get(fd);
	long r;

	if (!f)
		return -EBADF;
	r = fd_install(f, 0, false);
	if (r < 0)
		file_put(f);
	return r;
}

/* dup2 - dup2(2): @newfd becomes a copy of @oldfd (closing it first); when they
 * are equal and @oldfd is open, nothing happens. -EBADF. May sleep. */
long sys_dup2(int oldfd, int newfd)
{
	struct file *f;

	if (oldfd == newfd) {
		f = fd_get(oldfd);
		if (!f)
			return -EBADF;
		file_put(f);
		return newfd;
	}
	return fd_dup_to(oldfd, newfd, false);
}

/* dup3 - dup3(2): as dup2 with @flags O_CLOEXEC; -EINVAL when the descriptors
 * are equal or other flags are given. May sleep. */
long sys_dup3(int oldfd, int newfd, int flags)
{
	if (oldfd == newfd || (flags & ~O_CLOEXEC))
		return -EINVAL;
	return fd_dup_to(oldfd, newfd, flags & O_CLOEXEC);
}

/*
 * fcntl - fcntl(2): F_DUPFD, F_DUPFD_CLOEXEC (lowest free descriptor >= @arg),
 * F_GETFD, F_SETFD, F_GETFL, F_SETFL, F_SETPIPE_SZ/F_GETPIPE_SZ (pipes), and
 * the record locks F_GETLK, F_SETLK, F_SETLKW, F_OFD_GETLK, F_OFD_SETLK,
 * F_OFD_SETLKW (fs/lock.c). -EBADF, -EINVAL (unknown command, @arg out of
 * range), -EMFILE, and the lock errors of fcntl_lock(). F_SETLKW and
 * F_OFD_SETLKW may sleep; the rest do not.
 */
long sys_fcntl(int fd, unsigned cmd, u64 arg)
{
	struct file *f = fd_get(fd);
	long r;

	if (!f)
		return -EBADF;
	switch (cmd) {
	case F_DUPFD:
	case F_DUPFD_CLOEXEC:
		if (arg >= 0x7fffffff || arg >= rlimit_cur(RLIMIT_NOFILE)) {
			r = -EINVAL;
			break;
		}
		file_get(f);	/* the new descriptor's reference */
		r = fd_install(f, (int)arg, cmd == F_DUPFD_CLOEXEC);
		if (r < 0)
			file_put(f);
		break;
	case F_GETFD:
		r = fd_cloexec_get(fd);
		r = r > 0 ? FD_CLOEXEC : r;
		break;
	case F_SETFD:
		r = fd_cloexec_set(fd, arg & FD_CLOEXEC);
		break;
	case F_GETFL:
		r = file_flags(f);
		break;
	case F_SETFL:
		file_set_flags(f, O_APPEND | O_NONBLOCK, (u32)arg);
		r = 0;
		break;
	case F_GETLK:
	case F_SETLK:
	case F_SETLKW:
	case 36:	/* F_OFD_GETLK */
	case 37:	/* F_OFD_SETLK */
	case 38:	/* F_OFD_SETLKW */
		r = fcntl_lock(f, cmd, (void __user *)arg);
		break;
	case 1033:	/* F_ADD_SEALS */
	case 1034:	/* F_GET_SEALS */
		r = memfd_fcntl(f, cmd, arg);
		break;
	case 1031:	/* F_SETPIPE_SZ */
	case 1032:	/* F_GETPIPE_SZ */
		r = pipe_fcntl(f, cmd, arg);
		break;
	default:
		r = -EINVAL;
		break;
	}
	file_put(f);
	return r;
}
