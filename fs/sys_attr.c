/*
 * Syscalls that change what an inode records about itself rather than its
 * name: the size (truncate, ftruncate), the owner and group (chown, fchown,
 * lchown, fchownat) and the timestamps (utimensat, which is also futimens).
 * Each checks the caller's credentials first, then changes the inode under
 * its lock, so a concurrent stat sees the old or the new attributes, never
 * half of each.
 *
 * Semantics: truncate(2), chown(2), utimensat(2).
 */
#include "internal.h"
#include "uaccess.h"
#include "fsnotify.h"

/* ---- size ---- */

/* Truncate @ino to @length bytes; the checks common to both calls are done. */
static long truncate_inode(struct inode *ino, s64 length)
{
	long r;

	if (inode_is_dir(ino))
		return -EISDIR;
	if (!inode_is_reg(ino) || ino->iops)
		return -EINVAL;
	r = tmpfs_truncate(ino, (u64)length);
	if (!r)
		fsnotify_inode(ino, IN_MODIFY);
	return r;
}

/*
 * truncate - truncate(2): set the size of the regular file @path (following
 * symlinks) to @length bytes. Growing leaves a hole that reads as zeroes;
 * shrinking frees the pages past the end and takes them out of every mapping
 * (an access there then raises SIGBUS, mm_file_shrunk()). 0 or -EINVAL
 * (negative length, not a regular file), -EISDIR, -EACCES (no write
 * permission), -ETXTBSY (the file is being executed), -EFBIG, -ENOENT,
 * -ENOTDIR, -ELOOP, -EFAULT, -ENOMEM. Takes the inode's lock. May sleep.
 */
long sys_truncate(const char __user *path, s64 length)
{
	struct inode *ino;
	long r;

	if (length < 0)
		return -EINVAL;
	r = upath_lookup(AT_FDCWD, path, 0, &ino);
	if (r)
		return r;
	if (inode_is_dir(ino))
		r = -EISDIR;
	else
		r = inode_permission(ino, W_OK, false);
	/* truncate(2) ETXTBSY: the file is being executed. */
	if (!r && !(r = inode_get_write_access(ino))) {
		r = truncate_inode(ino, length);
		inode_put_write_access(ino);
	}
	inode_put(ino);
	return r;
}

/*
 * ftruncate - ftruncate(2): truncate(2) of @fd's file, which must be open for
 * writing (Linux: -EINVAL otherwise, as for a file that is not regular).
 * -EBADF for a bad or O_PATH descriptor. May sleep.
 */
long sys_ftruncate(int fd, s64 length)
{
	struct file *f;
	u32 fl;
	long r;

	if (length < 0)
		return -EINVAL;
	f = fd_get(fd);
	if (!f)
		return -EBADF;
	fl = file_flags(f);
	if (fl & O_PATH)
		r = -EBADF;
	else if (!f->inode || !inode_is_reg(f->inode) ||
		 ((fl & O_ACCMODE) != O_WRONLY && (fl & O_ACCMODE) != O_RDWR))
		r = -EINVAL;
	else
		r = truncate_inode(f->inode, length);
	file_put(f);
	return r;
}

/* ---- owner ---- */

/*
 * chown(2) on @ino: @uid/@gid of -1 leave that id alone. Root may set
 * anything; the owner may only set the group to their own effective group
 * (no supplementary groups yet). A change clears S_ISUID, and S_ISGID when
 * group execution is allowed, of a non-directory (chown(2) NOTES).
 */
static long chown_inode(struct inode *ino, uid_t uid, gid_t gid)
{
	uid_t me;
	gid_t mygid;
	long r = 0;

	if (ino->iops)
		return -EPERM;	/* procfs owners follow the processes */
	fs_cred(&me, &mygid, false);
	mutex_lock(&ino->lock);
	if (me != 0) {
		if (uid != (uid_t)-1 && uid != ino->uid)
			r = -EPERM;
		else if (gid != (gid_t)-1 && (me != ino->uid || (gid != ino->gid && gid != mygid)))
			r = -EPERM;
		else if (uid != (uid_t)-1 && me != ino->uid)
			r = -EPERM;
	}
	if (!r) {
		if (uid != (uid_t)-1)
			ino->uid = uid;
		if (gid != (gid_t)-1)
			ino->gid = gid;
		if ((uid != (uid_t)-1 || gid != (gid_t)-1) && !inode_is_dir(ino)) {
			u32 kill = S_ISUID | ((ino->mode & S_IXGRP) ? S_ISGID : 0);

			__atomic_store_n(&ino->mode, ino->mode & ~kill, __ATOMIC_RELAXED);
		}
		ino->ctime = fs_now();
	}
	mutex_unlock(&ino->lock);
	if (!r)
		fsnotify_inode(ino, IN_ATTRIB);
	return r;
}

/*
 * fchownat - fchownat(2): change the owner and group of @path (from @dirfd).
 * @flags: AT_SYMLINK_NOFOLLOW (a final symlink itself), AT_EMPTY_PATH. 0 or
 * -EPERM, -EINVAL (flags), -ENOENT, -ENOTDIR, -ELOOP, -EBADF, -EFAULT.
 * Takes the inode's lock. May sleep.
 */
long sys_fchownat(int dirfd, const char __user *path, uid_t uid, gid_t gid, int flags)
{
	struct inode *ino;
	long r;

	if (flags & ~(AT_SYMLINK_NOFOLLOW | AT_EMPTY_PATH))
		return -EINVAL;
	r = upath_lookup(dirfd, path, flags, &ino);
	if (r)
		return r;
	r = chown_inode(ino, uid, gid);
	inode_put(ino);
	return r;
}

/* chown - chown(2): fchownat(AT_FDCWD, @path, ..., 0). May sleep. */
long sys_chown(const char __user *path, uid_t uid, gid_t gid)
{
	return sys_fchownat(AT_FDCWD, path, uid, gid, 0);
}

/* lchown - lchown(2): chown of a final symlink itself. May sleep. */
long sys_lchown(const char __user *path, uid_t uid, gid_t gid)
{
	return sys_fchownat(AT_FDCWD, path, uid, gid, AT_SYMLINK_NOFOLLOW);
}

/* fchown - fchown(2): chown of @fd's file; -EBADF (also O_PATH). May sleep. */
long sys_fchown(int fd, uid_t uid, gid_t gid)
{
	struct file *f = fd_get(fd);
	long r;

	if (!f)
		return -EBADF;
	if (!f->inode || (file_flags(f) & O_PATH))
		r = -EBADF;
	else
		r = chown_inode(f->inode, uid, gid);
	file_put(f);
	return r;
}

/* ---- timestamps ---- */

static bool utime_valid(const struct linux_timespec *t)
{
	return t->tv_nsec == UTIME_NOW || t->tv_nsec == UTIME_OMIT ||
	       (t->tv_nsec >= 0 && t->tv_nsec < 1000000000);
}

/*
 * Set @ino's access and modification times from @ts (NULL: both now).
 * utimensat(2) "Permissions requirements": setting both to the current time
 * needs ownership or write permission (-EACCES); any other change needs
 * ownership (-EPERM); root may do either.
 */
static long utimes_inode(struct inode *ino, const struct linux_timespec *ts)
{
	bool all_now = !ts || (ts[0].tv_nsec == UTIME_NOW && ts[1].tv_nsec == UTIME_NOW);
	struct fs_time now;
	uid_t uid;
	gid_t gid;

	if (ts && ts[0].tv_nsec == UTIME_OMIT && ts[1].tv_nsec == UTIME_OMIT)
		return 0;
	fs_cred(&uid, &gid, false);
	if (uid != 0 && uid != ino->uid) {
		if (!all_now)
			return -EPERM;
		if (inode_permission(ino, W_OK, false))
			return -EACCES;
	}
	now = fs_now();
	mutex_lock(&ino->lock);
	if (!ts || ts[0].tv_nsec == UTIME_NOW)
		ino->atime = now;
	else if (ts[0].tv_nsec != UTIME_OMIT)
		ino->atime = (struct fs_time){ ts[0].tv_sec, ts[0].tv_nsec };
	if (!ts || ts[1].tv_nsec == UTIME_NOW)
		ino->mtime = now;
	else if (ts[1].tv_nsec != UTIME_OMIT)
		ino->mtime = (struct fs_time){ ts[1].tv_sec, ts[1].tv_nsec };
	ino->ctime = now;
	mutex_unlock(&ino->lock);
	fsnotify_inode(ino, IN_ATTRIB);
	/* A procfs inode is made per lookup: the node keeps the times. */
	return ino->iops ? procfs_times_set(ino) : 0;
}

/*
 * utimensat - utimensat(2): set the access and modification times of @path
 * (from @dirfd) to @times[0] and @times[1] (user array of two timespecs;
 * NULL means both now; tv_nsec UTIME_NOW or UTIME_OMIT). A NULL @path is
 * futimens(3): @dirfd's own file (-EFAULT with AT_FDCWD, -EBADF for a bad or
 * O_PATH descriptor). @flags: AT_SYMLINK_NOFOLLOW, AT_EMPTY_PATH. 0 or
 * -EINVAL (flags, tv_nsec out of range), -EPERM, -EACCES, -ENOENT, -ENOTDIR,
 * -ELOOP, -EFAULT. Takes the inode's lock. May sleep.
 */
long sys_utimensat(int dirfd, const char __user *path,
		   const struct linux_timespec __user *times, int flags)
{
	struct linux_timespec ts[2];
	struct inode *ino;
	struct file *f;
	long r;

	if (flags & ~(AT_SYMLINK_NOFOLLOW | AT_EMPTY_PATH))
		return -EINVAL;
	if (times) {
		if (copy_from_user(ts, times, sizeof(ts)))
			return -EFAULT;
		if (!utime_valid(&ts[0]) || !utime_valid(&ts[1]))
			return -EINVAL;
	}
	if (path) {
		r = upath_lookup(dirfd, path, flags, &ino);
		if (r)
			return r;
	} else {
		if (dirfd == AT_FDCWD)
			return -EFAULT;
		f = fd_get(dirfd);
		if (!f)
			return -EBADF;
		ino = (file_flags(f) & O_PATH) ? NULL : f->inode;
		if (ino)
			inode_get(ino);
		file_put(f);
		if (!ino)
			return -EBADF;
	}
	r = utimes_inode(ino, times ? ts : NULL);
	inode_put(ino);
	return r;
}
