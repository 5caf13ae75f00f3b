/*
 * Syscalls about a file's attributes: stat, fstat, lstat, newfstatat,
 * access, faccessat, faccessat2, readlink, readlinkat, chmod, fchmod, umask.
 * Semantics: stat(2), access(2), readlink(2), chmod(2), umask(2).
 */
#include "internal.h"
#include "uaccess.h"

/* The inode @path names from @dirfd (@flags: AT_SYMLINK_NOFOLLOW, AT_EMPTY_PATH). */
static long lookup_at(int dirfd, const char __user *path, int flags, struct inode **out)
{
	struct upath up;
	long r;

	r = upath_get(&up, dirfd, path, flags & AT_EMPTY_PATH);
	if (r)
		return r;
	if (!up.path[0]) {
		*out = up.start;	/* AT_EMPTY_PATH: the descriptor's own file */
		inode_get(*out);
	} else {
		r = vfs_resolve(up.root, up.start, up.path,
				(flags & AT_SYMLINK_NOFOLLOW) ? 0 : VFS_FOLLOW, out);
	}
	upath_put(&up);
	return r;
}

static long stat_to_user(struct inode *ino, struct linux_stat __user *ust)
{
	struct linux_stat st;

	if (ino) {
		inode_fill_stat(ino, &st);
	} else {
		memset(&st, 0, sizeof(st));
		st.st_blksize = PAGE_SIZE;
	}
	return copy_to_user(ust, &st, sizeof(st)) ? -EFAULT : 0;
}

/*
 * newfstatat - fstatat(2): status of @path from @dirfd into the 144-byte
 * user struct @st. @flags: AT_SYMLINK_NOFOLLOW, AT_EMPTY_PATH,
 * AT_NO_AUTOMOUNT (ignored); others -EINVAL. 0 or -ENOENT, -ENOTDIR,
 * -ELOOP, -EBADF, -EFAULT, -ENAMETOOLONG. May sleep.
 */
long sys_newfstatat(int dirfd, const char __user *path, struct linux_stat __user *st,
		    int flags)
{
	struct inode *ino;
	long r;

	if (flags & ~(AT_SYMLINK_NOFOLLOW | AT_EMPTY_PATH | AT_NO_AUTOMOUNT))
		return -EINVAL;
	r = lookup_at(dirfd, path, flags, &ino);
	if (r)
		return r;
	r = stat_to_user(ino, st);
	inode_put(ino);
	return r;
}

/* stat - stat(2): status of @path, following symlinks. May sleep. */
long sys_stat(const char __user *path, struct linux_stat __user *st)
{
	return sys_newfstatat(AT_FDCWD, path, st, 0);
}

/* lstat - lstat(2): status of @path, a final symlink itself. May sleep. */
long sys_lstat(const char __user *path, struct linux_stat __user *st)
{
	return sys_newfstatat(AT_FDCWD, path, st, AT_SYMLINK_NOFOLLOW);
}

/* fstat - fstat(2): status of @fd's file. 0, -EBADF or -EFAULT. May sleep. */
long sys_fstat(int fd, struct linux_stat __user *st)
{
	struct file *f = fd_get(fd);
	long r;

	if (!f)
		return -EBADF;
	r = stat_to_user(f->inode, st);
	file_put(f);
	return r;
}

/*
 * faccessat2 - faccessat(2) with flags: may the caller access @path for
 * @mode (F_OK or R_OK|W_OK|X_OK), judged by the real ids unless AT_EACCESS?
 * @flags: AT_EACCESS, AT_SYMLINK_NOFOLLOW, AT_EMPTY_PATH. 0 or -EACCES,
 * -ENOENT, -EINVAL, ... May sleep.
 */
long sys_faccessat2(int dirfd, const char __user *path, int mode, int flags)
{
	struct inode *ino;
	long r;

	if (mode & ~(R_OK | W_OK | X_OK))
		return -EINVAL;
	if (flags & ~(AT_EACCESS | AT_SYMLINK_NOFOLLOW | AT_EMPTY_PATH))
		return -EINVAL;
	r = lookup_at(dirfd, path, flags & ~AT_EACCESS, &ino);
	if (r)
		return r;
	if (mode != F_OK)
		r = inode_permission(ino, mode, !(flags & AT_EACCESS));
	inode_put(ino);
	return r;
}

/* faccessat - faccessat(2) as the system call has it (no flags). May sleep. */
long sys_faccessat(int dirfd, const char __user *path, int mode)
{
	return sys_faccessat2(dirfd, path, mode, 0);
}

/* access - access(2): faccessat(AT_FDCWD, @path, @mode). May sleep. */
long sys_access(const char __user *path, int mode)
{
	return sys_faccessat2(AT_FDCWD, path, mode, 0);
}

/*
 * readlinkat - readlinkat(2): copy the target of symlink @path (not
 * NUL-terminated, truncated to @size bytes) to user @buf. Returns the bytes
 * copied or -EINVAL (@size <= 0, not a symlink), -ENOENT, -EFAULT. May sleep.
 */
long sys_readlinkat(int dirfd, const char __user *path, char __user *buf, int size)
{
	struct inode *ino;
	size_t n;
	long r;

	if (size <= 0)
		return -EINVAL;
	r = lookup_at(dirfd, path, AT_SYMLINK_NOFOLLOW, &ino);
	if (r)
		return r;
	if (!inode_is_lnk(ino)) {
		r = -EINVAL;
	} else {
		/* The target is immutable: no lock needed to read it. */
		n = MIN((size_t)size, (size_t)ino->size);
		r = copy_to_user(buf, ino->target, n) ? -EFAULT : (long)n;
	}
	inode_put(ino);
	return r;
}

/* readlink - readlink(2): readlinkat(AT_FDCWD, ...). May sleep. */
long sys_readlink(const char __user *path, char __user *buf, int size)
{
	return sys_readlinkat(AT_FDCWD, path, buf, size);
}

/* Change the permission bits of @ino (owner or root only). */
static long chmod_inode(struct inode *ino, mode_t mode)
{
	uid_t uid;
	gid_t gid;

	fs_cred(&uid, &gid, false);
	if (uid != 0 && uid != ino->uid)
		return -EPERM;
	mutex_lock(&ino->lock);
	ino->mode = (ino->mode & S_IFMT) | (mode & 07777);
	ino->ctime = fs_now();
	mutex_unlock(&ino->lock);
	return 0;
}

/* chmod - chmod(2): set the permission bits of @path (following symlinks)
 * to @mode & 07777. 0 or -EPERM, -ENOENT, ... May sleep. */
long sys_chmod(const char __user *path, mode_t mode)
{
	struct inode *ino;
	long r;

	r = lookup_at(AT_FDCWD, path, 0, &ino);
	if (r)
		return r;
	r = chmod_inode(ino, mode);
	inode_put(ino);
	return r;
}

/* fchmod - fchmod(2): chmod of @fd's file. -EBADF (also O_PATH). May sleep. */
long sys_fchmod(int fd, mode_t mode)
{
	struct file *f = fd_get(fd);
	long r;

	if (!f)
		return -EBADF;
	if (!f->inode || (file_flags(f) & O_PATH))
		r = -EBADF;
	else
		r = chmod_inode(f->inode, mode);
	file_put(f);
	return r;
}

/* umask - umask(2): set the creation mask to @mask & 0777, return the old
 * one. Never fails. Locks: the fs context spinlock. */
long sys_umask(mode_t mask)
{
	return fs_umask_swap(mask & 0777);
}
