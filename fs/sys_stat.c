/*
 * Syscalls about a file's attributes: stat, fstat, lstat, newfstatat, statx,
 * access, faccessat, faccessat2, readlink, readlinkat, chmod, fchmod,
 * fchmodat, umask.
 * Semantics: stat(2), statx(2), access(2), readlink(2), chmod(2), umask(2).
 */
#include "internal.h"
#include "fsnotify.h"
#include "uaccess.h"

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
	r = upath_lookup(dirfd, path, flags, &ino);
	if (r)
		return r;
	r = stat_to_user(ino, st);
	inode_put(ino);
	return r;
}

/* The statx timestamp of @t. */
static struct linux_statx_timestamp stx_time(struct fs_time t)
{
	return (struct linux_statx_timestamp){ .tv_sec = t.sec, .tv_nsec = (u32)t.nsec };
}

/*
 * statx - statx(2): status of @path (from @dirfd) into the 256-byte user
 * struct @buf. @flags: AT_SYMLINK_NOFOLLOW, AT_EMPTY_PATH, AT_NO_AUTOMOUNT
 * and one AT_STATX_* sync type (all the same here: tmpfs is always in sync).
 * @mask (STATX_*) is a wish: every basic field is filled and stx_mask says
 * so; -EINVAL for STATX__RESERVED. 0 or -EINVAL, -ENOENT, -ENOTDIR, -ELOOP,
 * -EBADF, -EFAULT, -ENAMETOOLONG. May sleep.
 */
long sys_statx(int dirfd, const char __user *path, int flags, unsigned mask,
	       struct linux_statx __user *buf)
{
	struct linux_statx stx;
	struct linux_stat st;
	struct inode *ino;
	long r;

	if (flags & ~(AT_SYMLINK_NOFOLLOW | AT_EMPTY_PATH | AT_NO_AUTOMOUNT |
		      AT_STATX_SYNC_TYPE))
		return -EINVAL;
	if ((flags & AT_STATX_SYNC_TYPE) == AT_STATX_SYNC_TYPE || (mask & STATX__RESERVED))
		return -EINVAL;
	r = upath_lookup(dirfd, path, flags, &ino);
	if (r)
		return r;
	inode_fill_stat(ino, &st);
	memset(&stx, 0, sizeof(stx));
	stx.stx_mask = STATX_BASIC_STATS;
	stx.stx_blksize = (u32)st.st_blksize;
	stx.stx_nlink = (u32)st.st_nlink;
	stx.stx_uid = st.st_uid;
	stx.stx_gid = st.st_gid;
	stx.stx_mode = (u16)st.st_mode;
	stx.stx_ino = st.st_ino;
	stx.stx_size = (u64)st.st_size;
	stx.stx_blocks = (u64)st.st_blocks;
	stx.stx_atime = stx_time((struct fs_time){ st.st_atim.tv_sec, st.st_atim.tv_nsec });
	stx.stx_mtime = stx_time((struct fs_time){ st.st_mtim.tv_sec, st.st_mtim.tv_nsec });
	stx.stx_ctime = stx_time((struct fs_time){ st.st_ctim.tv_sec, st.st_ctim.tv_nsec });
	stx.stx_rdev_major = linux_major(st.st_rdev);
	stx.stx_rdev_minor = linux_minor(st.st_rdev);
	stx.stx_dev_major = linux_major(st.st_dev);
	stx.stx_dev_minor = linux_minor(st.st_dev);
	inode_put(ino);
	return copy_to_user(buf, &stx, sizeof(stx)) ? -EFAULT : 0;
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
	r = upath_lookup(dirfd, path, flags & ~AT_EACCESS, &ino);
	if (r)
		return r;
	/* access(2): a regular file on a noexec mount is not executable. */
	if ((mode & X_OK) && inode_is_reg(ino) && (inode_mount_flags(ino) & MS_NOEXEC))
		r = -EACCES;
	else if (mode != F_OK)
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
	r = upath_lookup(dirfd, path, AT_SYMLINK_NOFOLLOW, &ino);
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
	/* chmod(2): an unprivileged caller outside the file's group loses S_ISGID. */
	if (uid != 0 && gid != ino->gid)
		mode &= ~(mode_t)S_ISGID;
	mutex_lock(&ino->lock);
	/* A memfd sealed with F_SEAL_EXEC keeps its execute bits (fs/memfd.c). */
	if ((ino->seals & F_SEAL_EXEC) && ((ino->mode ^ mode) & 0111)) {
		mutex_unlock(&ino->lock);
		return -EPERM;
	}
	ino->mode = (ino->mode & S_IFMT) | (mode & 07777);
	ino->ctime = fs_now();
	mutex_unlock(&ino->lock);
	fsnotify_inode(ino, IN_ATTRIB);
	return 0;
}

/* fchmodat - fchmodat(2) as the system call has it (no flags): set the
 * permission bits of @path (from @dirfd, following symlinks) to @mode & 07777.
 * 0 or -EPERM (not the owner), -ENOENT, -ENOTDIR, -EBADF, ... May sleep. */
long sys_fchmodat(int dirfd, const char __user *path, mode_t mode)
{
	struct inode *ino;
	long r;

	r = upath_lookup(dirfd, path, 0, &ino);
	if (r)
		return r;
	r = chmod_inode(ino, mode);
	inode_put(ino);
	return r;
}

/* chmod - chmod(2): fchmodat(AT_FDCWD, @path, @mode). May sleep. */
long sys_chmod(const char __user *path, mode_t mode)
{
	return sys_fchmodat(AT_FDCWD, path, mode);
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
