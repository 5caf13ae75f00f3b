/*
 * Directory and name syscalls: getdents64, getcwd, chdir, fchdir, mkdir,
 * mkdirat, rmdir, unlink, unlinkat, rename, renameat, renameat2, symlink,
 * symlinkat, link and linkat.
 * Semantics: getdents64(2), getcwd(2), chdir(2), mkdir(2), rmdir(2),
 * unlink(2), rename(2), symlink(2), link(2).
 */
#include "internal.h"
#include "fsnotify.h"
#include "kmalloc.h"
#include "uaccess.h"

/*
 * getdents64 - getdents64(2): fill user @dirp (@count bytes) with struct
 * linux_dirent64 records of directory @fd from its position on. Bytes
 * filled, 0 at the end, or -EBADF, -ENOTDIR, -EINVAL (buffer too small),
 * -EFAULT, -ENOENT (removed directory). Locks: the file-position mutex, the
 * directory's lock. May sleep.
 */
long sys_getdents64(int fd, void __user *dirp, unsigned count)
{
	struct file *f = fd_get(fd);
	long r;

	if (!f)
		return -EBADF;
	if (file_flags(f) & O_PATH)
		r = -EBADF;
	else if (!f->inode || !inode_is_dir(f->inode))
		r = -ENOTDIR;
	else {
		mutex_lock(&f->pos_lock);
		if (f->inode->iops)
			r = f->inode->iops->getdents(f->inode, &f->pos, dirp, count);
		else
			r = tmpfs_getdents(f->inode, &f->pos, dirp, count);
		mutex_unlock(&f->pos_lock);
		/* inotify(7): reading a directory, to its end too, is an access (iterate_dir()). */
		if (r >= 0)
			fsnotify_inode(f->inode, IN_ACCESS);
	}
	file_put(f);
	return r;
}

/*
 * getcwd - getcwd(2) (the system call): copy the absolute path of the cwd
 * with its NUL to user @buf of @size bytes. Returns the length including the
 * NUL, or -ERANGE (too small), -ENOENT (cwd removed), -EFAULT. May sleep.
 */
long sys_getcwd(char __user *buf, unsigned long size)
{
	struct inode *root, *cwd;
	char *kbuf = kmalloc(PATH_MAX);
	long r;

	if (!kbuf)
		return -ENOMEM;
	fs_current_root_cwd(&root, &cwd);
	r = vfs_inode_path(root, cwd, kbuf, PATH_MAX);
	inode_put(cwd);
	inode_put(root);
	if (r >= 0) {
		if ((unsigned long)r + 1 > size)
			r = -ERANGE;
		else if (copy_to_user(buf, kbuf, (size_t)r + 1))
			r = -EFAULT;
		else
			r = r + 1;
	}
	kfree(kbuf);
	return r;
}

/* Make @dir (counted, consumed) the cwd if it is a searchable directory. */
static long set_cwd(struct inode *dir)
{
	long r = 0;

	if (!inode_is_dir(dir))
		r = -ENOTDIR;
	else
		r = inode_permission(dir, X_OK, false);
	if (r) {
		inode_put(dir);
		return r;
	}
	fs_set_cwd(dir);
	return 0;
}

/* chdir - chdir(2): 0 or -ENOENT, -ENOTDIR, -EACCES, -ELOOP, -EFAULT. May sleep. */
long sys_chdir(const char __user *path)
{
	struct inode *dir;
	struct upath up;
	long r;

	r = upath_get(&up, AT_FDCWD, path, false);
	if (r)
		return r;
	r = vfs_resolve(up.root, up.start, up.path, VFS_FOLLOW, &dir);
	upath_put(&up);
	return r ? r : set_cwd(dir);
}

/*
 * chroot - chroot(2): make directory @path the root of current's path walks (its
 * sharers' too, as they share the fs context). The cwd stays where it is, as on Linux.
 * 0 or -ENOENT, -ENOTDIR, -EACCES (not searchable), -EPERM (not root: CAP_SYS_CHROOT),
 * -ELOOP, -ENAMETOOLONG, -EFAULT. May sleep.
 */
long sys_chroot(const char __user *path)
{
	struct inode *dir;
	struct upath up;
	uid_t uid;
	gid_t gid;
	long r;

	r = upath_get(&up, AT_FDCWD, path, false);
	if (r)
		return r;
	r = vfs_resolve(up.root, up.start, up.path, VFS_FOLLOW, &dir);
	upath_put(&up);
	if (r)
		return r;
	if (!inode_is_dir(dir))
		r = -ENOTDIR;
	else
		r = inode_permission(dir, X_OK, false);
	fs_cred(&uid, &gid, false);
	if (!r && uid != 0)
		r = -EPERM;
	if (r) {
		inode_put(dir);
		return r;
	}
	fs_set_root(dir);
	return 0;
}

/* fchdir - fchdir(2): chdir to @fd's directory. -EBADF, -ENOTDIR. May sleep. */
long sys_fchdir(int fd)
{
	struct file *f = fd_get(fd);
	struct inode *dir;

	if (!f)
		return -EBADF;
	dir = f->inode;
	if (dir)
		inode_get(dir);
	file_put(f);
	return dir ? set_cwd(dir) : -ENOTDIR;
}

/*
 * mkdirat - mkdirat(2): create directory @path (relative to @dirfd) with
 * @mode & 01777 less the umask. 0 or -EEXIST, -ENOENT, -ENOTDIR, -EACCES,
 * -ENAMETOOLONG, -ENOMEM, -EFAULT. May sleep.
 */
long sys_mkdirat(int dirfd, const char __user *path, mode_t mode)
{
	struct vfs_last last;
	struct upath up;
	long r;

	r = upath_get(&up, dirfd, path, false);
	if (r)
		return r;
	r = vfs_resolve_last(up.root, up.start, up.path, &last);
	if (!r) {
		mode = (mode & 01777) & ~fs_current_umask();
		r = vfs_mknod(&last, S_IFDIR | mode, NULL, 0, 0, NULL);
		inode_put(last.dir);
	}
	upath_put(&up);
	return r;
}

/*
 * mknodat - mknodat(2): create @path (relative to @dirfd) as a regular file
 * (S_IFREG or type 0), a named pipe (S_IFIFO, mkfifo(3)) or, for root only,
 * a character device @dev (Linux's dev_t encoding), with @mode's permission
 * bits less the umask. Block devices and sockets are node types this tmpfs
 * does not support: -EPERM, as mknod(2) says. 0 or -EINVAL (a directory or unknown type),
 * -EPERM, -EEXIST, -ENOENT, -ENOTDIR, -EACCES, -ENOSPC, -ENOMEM, -EFAULT.
 * May sleep.
 */
long sys_mknodat(int dirfd, const char __user *path, mode_t mode, unsigned dev)
{
	u32 type = mode & S_IFMT, major = 0, minor = 0;
	struct vfs_last last;
	struct upath up;
	uid_t uid;
	gid_t gid;
	long r;

	if (type == 0)
		type = S_IFREG;
	if (type == S_IFCHR) {
		fs_cred(&uid, &gid, false);
		if (uid != 0)
			return -EPERM;	/* CAP_MKNOD */
		major = linux_major(dev);
		minor = linux_minor(dev);
	} else if (type == S_IFBLK || type == S_IFSOCK) {
		return -EPERM;
	} else if (type == S_IFIFO) {
		/* A named pipe: anyone may make one (fs/pipe.c opens it). */
	} else if (type != S_IFREG) {
		return -EINVAL;
	}
	r = upath_get(&up, dirfd, path, false);
	if (r)
		return r;
	r = vfs_resolve_last(up.root, up.start, up.path, &last);
	if (!r) {
		mode = (mode & 07777) & ~fs_current_umask();
		r = vfs_mknod(&last, type | mode, NULL, major, minor, NULL);
		inode_put(last.dir);
	}
	upath_put(&up);
	return r;
}

/* mknod - mknod(2): mknodat(AT_FDCWD, ...). May sleep. */
long sys_mknod(const char __user *path, mode_t mode, unsigned dev)
{
	return sys_mknodat(AT_FDCWD, path, mode, dev);
}

/* mkdir - mkdir(2): mkdirat(AT_FDCWD, ...). May sleep. */
long sys_mkdir(const char __user *path, mode_t mode)
{
	return sys_mkdirat(AT_FDCWD, path, mode);
}

/*
 * unlinkat - unlinkat(2): remove the name @path; with AT_REMOVEDIR as
 * rmdir(2). An open file lives on until its last close. 0 or -ENOENT,
 * -EISDIR, -ENOTDIR, -ENOTEMPTY, -EBUSY, -EINVAL (flags, "."), -EACCES.
 * May sleep.
 */
long sys_unlinkat(int dirfd, const char __user *path, int flags)
{
	struct vfs_last last;
	struct upath up;
	long r;

	if (flags & ~AT_REMOVEDIR)
		return -EINVAL;
	r = upath_get(&up, dirfd, path, false);
	if (r)
		return r;
	r = vfs_resolve_last(up.root, up.start, up.path, &last);
	if (!r) {
		r = vfs_unlink(up.root, &last, flags & AT_REMOVEDIR);
		inode_put(last.dir);
	}
	upath_put(&up);
	return r;
}

/* unlink - unlink(2). May sleep. */
long sys_unlink(const char __user *path)
{
	return sys_unlinkat(AT_FDCWD, path, 0);
}

/* rmdir - rmdir(2): remove an empty directory. May sleep. */
long sys_rmdir(const char __user *path)
{
	return sys_unlinkat(AT_FDCWD, path, AT_REMOVEDIR);
}

/*
 * renameat2 - renameat2(2): move @oldpath (from @olddirfd) to @newpath (from
 * @newdirfd), atomically replacing a file there (or an empty directory, when
 * moving a directory). @flags: RENAME_NOREPLACE (-EEXIST if @newpath
 * exists), RENAME_EXCHANGE (swap the two, both must exist). 0 or -ENOENT,
 * -EEXIST, -EISDIR, -ENOTDIR, -ENOTEMPTY, -EINVAL (into itself, bad flags),
 * -EBUSY, -EXDEV, -EACCES, -EPERM, -ENOMEM. Locks: vfs_rename_lock, then both
 * directories. May sleep.
 */
long sys_renameat2(int olddirfd, const char __user *oldpath, int newdirfd,
		   const char __user *newpath, unsigned flags)
{
	struct vfs_last from, to;
	struct upath uold, unew;
	long r;

	r = upath_get(&uold, olddirfd, oldpath, false);
	if (r)
		return r;
	r = upath_get(&unew, newdirfd, newpath, false);
	if (r)
		goto out_old;
	r = vfs_resolve_last(uold.root, uold.start, uold.path, &from);
	if (r)
		goto out_new;
	r = vfs_resolve_last(unew.root, unew.start, unew.path, &to);
	if (r)
		goto out_from;
	r = vfs_rename(uold.root, &from, &to, flags);
	inode_put(to.dir);
out_from:
	inode_put(from.dir);
out_new:
	upath_put(&unew);
out_old:
	upath_put(&uold);
	return r;
}

/* renameat - renameat(2): renameat2() without flags. May sleep. */
long sys_renameat(int olddirfd, const char __user *oldpath, int newdirfd,
		  const char __user *newpath)
{
	return sys_renameat2(olddirfd, oldpath, newdirfd, newpath, 0);
}

/* rename - rename(2): renameat2(AT_FDCWD, @oldpath, AT_FDCWD, @newpath, 0). May sleep. */
long sys_rename(const char __user *oldpath, const char __user *newpath)
{
	return sys_renameat2(AT_FDCWD, oldpath, AT_FDCWD, newpath, 0);
}

/*
 * symlinkat - symlinkat(2): create @linkpath (from @newdirfd) as a symlink
 * holding @target (stored as given, not checked). 0 or -EEXIST, -ENOENT
 * (empty target or missing directory), -ENAMETOOLONG, -EACCES, -EFAULT,
 * -ENOMEM. May sleep.
 */
long sys_symlinkat(const char __user *target, int newdirfd, const char __user *linkpath)
{
	struct vfs_last last;
	struct upath up;
	char *ktarget;
	long r;

	ktarget = kmalloc(PATH_MAX);
	if (!ktarget)
		return -ENOMEM;
	r = strncpy_from_user(ktarget, target, PATH_MAX);
	if (r == 0)
		r = -ENOENT;
	if (r < 0)
		goto out_free;
	r = upath_get(&up, newdirfd, linkpath, false);
	if (r)
		goto out_free;
	r = vfs_resolve_last(up.root, up.start, up.path, &last);
	if (!r) {
		r = vfs_mknod(&last, S_IFLNK | 0777, ktarget, 0, 0, NULL);
		inode_put(last.dir);
	}
	upath_put(&up);
out_free:
	kfree(ktarget);
	return r;
}

/* symlink - symlink(2): symlinkat(@target, AT_FDCWD, @linkpath). May sleep. */
long sys_symlink(const char __user *target, const char __user *linkpath)
{
	return sys_symlinkat(target, AT_FDCWD, linkpath);
}

/*
 * linkat - linkat(2): make @newpath (from @newdirfd) another name of the file
 * @oldpath names (from @olddirfd; a final symlink is linked itself unless
 * AT_SYMLINK_FOLLOW). With AT_EMPTY_PATH and an empty @oldpath, @olddirfd's
 * own file, which may be an O_TMPFILE file (root only, as Linux requires
 * CAP_DAC_READ_SEARCH: -ENOENT otherwise). 0 or -EEXIST, -ENOENT, -EPERM (a
 * directory), -EXDEV, -ENOTDIR, -EACCES, -EINVAL (flags), -EFAULT, -ENOMEM.
 * May sleep.
 */
long sys_linkat(int olddirfd, const char __user *oldpath, int newdirfd,
		const char __user *newpath, int flags)
{
	struct vfs_last last;
	struct inode *src;
	struct upath up;
	uid_t uid;
	gid_t gid;
	long r;

	if (flags & ~(AT_SYMLINK_FOLLOW | AT_EMPTY_PATH))
		return -EINVAL;
	if (flags & AT_EMPTY_PATH) {
		fs_cred(&uid, &gid, false);
		if (uid != 0)
			flags &= ~AT_EMPTY_PATH;
	}
	r = upath_lookup(olddirfd, oldpath,
			 (flags & AT_EMPTY_PATH) | ((flags & AT_SYMLINK_FOLLOW) ? 0 :
						    AT_SYMLINK_NOFOLLOW), &src);
	if (r)
		return r;
	r = upath_get(&up, newdirfd, newpath, false);
	if (r)
		goto out_src;
	r = vfs_resolve_last(up.root, up.start, up.path, &last);
	if (!r) {
		r = vfs_link(src, &last);
		inode_put(last.dir);
	}
	upath_put(&up);
out_src:
	inode_put(src);
	return r;
}

/* link - link(2): linkat(AT_FDCWD, @oldpath, AT_FDCWD, @newpath, 0). May sleep. */
long sys_link(const char __user *oldpath, const char __user *newpath)
{
	return sys_linkat(AT_FDCWD, oldpath, AT_FDCWD, newpath, 0);
}
