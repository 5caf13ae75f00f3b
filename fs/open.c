/*
 * open(2): from a path and flags to an open file description. Creation with
 * O_CREAT (following a final symlink to create its target, as Linux does),
 * O_EXCL, O_TRUNC, O_DIRECTORY, O_NOFOLLOW, O_PATH, O_TMPFILE, and the choice of file
 * operations by inode type.
 */
#include "internal.h"
#include "fsnotify.h"

/* Status flags an open file description keeps (F_GETFL reports them). */
#define FILE_KEPT_FLAGS	(O_ACCMODE | O_APPEND | O_NONBLOCK | O_DSYNC | O_SYNC | O_DIRECT | \
			 O_ASYNC | O_NOATIME | O_DIRECTORY | O_NOFOLLOW | O_PATH)

/* O_PATH descriptors: no operations at all (read/write give EBADF). */
static const struct file_ops path_ops = { .seekable = false };

/* Does opening @ino with @flags make a writer of a regular file? */
static bool open_writes(struct inode *ino, u32 flags)
{
	u32 acc = flags & O_ACCMODE;

	return inode_is_reg(ino) && !(flags & O_PATH) && (acc == O_WRONLY || acc == O_RDWR);
}

int vfs_open_inode(struct inode *ino, u32 flags, struct file **out)
{
	const struct file_ops *ops;
	struct file *f;

	if (!(flags & O_PATH) && ino->iops && ino->iops->open && !inode_is_dir(ino))
		return ino->iops->open(ino, flags, out);
	if (!(flags & O_PATH) && !ino->iops && S_ISFIFO(ino->mode))
		return fifo_open(ino, flags, out);
	if (!(flags & O_PATH) && S_ISCHR(ino->mode) && ino->rdev_major == 1 &&
	    ino->rdev_minor == 11)
		return kmsg_open(ino, flags, out);
	if (flags & O_PATH)
		ops = &path_ops;
	else if (inode_is_reg(ino))
		ops = &tmpfs_reg_ops;
	else if (inode_is_dir(ino))
		ops = &tmpfs_dir_ops;
	else if (S_ISCHR(ino->mode))
		ops = chrdev_ops(ino->rdev_major, ino->rdev_minor);
	else if (S_ISBLK(ino->mode))
		return blkdev_file_open(ino, flags, (flags & FILE_KEPT_FLAGS) | LINUX_O_LARGEFILE,
					out);
	else
		ops = NULL;
	if (!ops)
		return -ENXIO;
	if (ops == &tty_file_ops && !(flags & O_PATH)) {
		int err = tty_open(ino->rdev_major, ino->rdev_minor, flags);

		if (err)
			return err;
	}
	/* open(2) ETXTBSY: no writer while the file is being executed. */
	if (open_writes(ino, flags)) {
		int err = inode_get_write_access(ino);

		if (err)
			return err;
	}
	/* 64-bit Linux always reports O_LARGEFILE (force_o_largefile). */
	f = file_alloc(ino, ops, (flags & FILE_KEPT_FLAGS) | LINUX_O_LARGEFILE, NULL);
	if (!f) {
		if (open_writes(ino, flags))
			inode_put_write_access(ino);
		return -ENOMEM;
	}
	f->writer = open_writes(ino, flags);
	*out = f;
	return 0;
}

/* Checks of an existing (or just created) inode against the open flags. */
static int open_check(struct inode *ino, u32 flags, bool created)
{
	u32 acc = flags & O_ACCMODE;
	int mask = 0;

	if ((flags & O_DIRECTORY) && !inode_is_dir(ino))
		return -ENOTDIR;
	if (flags & O_PATH)
		return 0;
	if (inode_is_lnk(ino))
		return -ELOOP;	/* O_NOFOLLOW met a symlink */
	if (acc == O_RDONLY || acc == O_RDWR)
		mask |= R_OK;
	if (acc == O_WRONLY || acc == O_RDWR || (flags & O_TRUNC))
		mask |= W_OK;
	if (inode_is_dir(ino) && ((mask & W_OK) || (flags & O_CREAT)))
		return -EISDIR;
	/* open(2) EACCES: a device node on a nodev mount. */
	if ((S_ISCHR(ino->mode) || S_ISBLK(ino->mode)) && (inode_mount_flags(ino) & MS_NODEV))
		return -EACCES;
	if (created)
		return 0;	/* the creator may open its new file whatever the mode */
	return inode_permission(ino, mask, false);
}

/* The O_CREAT walk: find or create the last component, through symlinks. */
static int open_create(struct inode *root, struct inode *start, const char *path, u32 flags,
		       u32 mode, struct inode **out, bool *created)
{
	struct inode *held = NULL, *ino = NULL, *magic;
	struct vfs_last last;
	int links = 0, err;

	err = vfs_resolve_last(root, start, path, &last);
	if (err)
		return err;
	for (;;) {
		if (!last.len || last.dot) {
			err = -EISDIR;
			break;
		}
		if (!inode_is_dir(last.dir)) {
			err = -ENOTDIR;
			break;
		}
		err = vfs_lookup_child(last.dir, last.name, last.len, &ino);
		if (err && err != -ENOENT)
			break;
		if (ino)
			vfs_cross_mounts(&ino);
		if (!ino) {
			if (last.slash) {
				err = -EISDIR;
				break;
			}
			err = vfs_mknod(&last, S_IFREG | mode, NULL, 0, 0, &ino);
			if (err == -EEXIST && !(flags & O_EXCL))
				continue;	/* lost a race with another creator: open theirs */
			*created = !err;
			break;
		}
		if (flags & O_EXCL) {
			err = -EEXIST;
			break;
		}
		if (!inode_is_lnk(ino))
			break;
		if (flags & O_NOFOLLOW) {
			err = -ELOOP;
			break;
		}
		/* /proc/PID/fd/N and the like lead to the object itself. */
		err = procfs_magic_link(ino, &magic);
		if (err <= 0) {
			inode_put(ino);
			ino = err ? NULL : magic;
			break;
		}
		/* Keep the link: last.name points into its target from now on. */
		if (held)
			inode_put(held);
		held = ino;
		ino = NULL;
		err = vfs_follow_link_last(root, held, &last, &links);
		if (err)
			break;
	}
	if (!err && last.slash && !inode_is_dir(ino))
		err = -ENOTDIR;
	if (err && ino) {
		inode_put(ino);
		ino = NULL;
	}
	inode_put(last.dir);
	if (held)
		inode_put(held);
	*out = ino;
	return err;
}

/*
 * O_TMPFILE: an unnamed regular file in the directory @path names, which
 * nothing can reach but the new description (and linkat(2) AT_EMPTY_PATH
 * unless O_EXCL). open(2): the access mode must allow writing and O_CREAT
 * must not be given (-EINVAL).
 */
static int open_tmpfile(struct inode *root, struct inode *start, const char *path, u32 flags,
			u32 mode, struct file **out)
{
	u32 acc = flags & O_ACCMODE;
	struct inode *dir, *ino;
	uid_t uid;
	gid_t gid;
	int err;

	if ((flags & (O_TMPFILE | O_CREAT | O_PATH)) != O_TMPFILE ||
	    (acc != O_WRONLY && acc != O_RDWR))
		return -EINVAL;
	err = vfs_resolve(root, start, path, VFS_FOLLOW, &dir);
	if (err)
		return err;
	if (!inode_is_dir(dir))
		err = -ENOTDIR;
	else if (dir->iops)
		err = -EOPNOTSUPP;	/* procfs has no unnamed files */
	else
		err = inode_permission(dir, W_OK | X_OK, false);
	if (err)
		goto out_dir;
	fs_cred(&uid, &gid, false);
	ino = inode_alloc(S_IFREG | ((mode & 07777) & ~fs_current_umask()), uid, gid);
	if (!ino) {
		err = -ENOMEM;
		goto out_dir;
	}
	ino->dev_minor = dir->dev_minor;
	err = inode_attach_sb(ino, dir->sb);
	if (err) {
		inode_put(ino);
		goto out_dir;
	}
	ino->tmpfile_linkable = !(flags & O_EXCL);
	/* Nobody can see the new inode yet, so [p] is not needed. */
	inode_get(dir);
	ino->parent = dir;
	err = vfs_open_inode(ino, flags & ~O_TMPFILE, out);
	inode_put(ino);
out_dir:
	inode_put(dir);
	return err;
}

int vfs_open(struct inode *root, struct inode *start, const char *path, u32 flags, u32 mode,
	     struct file **out)
{
	struct inode *ino;
	bool created = false;
	int err;

	if (flags & (O_TMPFILE & ~O_DIRECTORY))
		return open_tmpfile(root, start, path, flags, mode, out);
	if (flags & O_PATH)
		flags &= O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC;
	if (flags & O_CREAT) {
		mode = (mode & 07777) & ~fs_current_umask();
		err = open_create(root, start, path, flags, mode, &ino, &created);
	} else {
		err = vfs_resolve(root, start, path, (flags & O_NOFOLLOW) ? 0 : VFS_FOLLOW, &ino);
	}
	if (err)
		return err;
	err = open_check(ino, flags, created);
	if (!err && (flags & O_TRUNC) && inode_is_reg(ino) && !created) {
		/* Hold write access across the truncation: ETXTBSY comes first. */
		err = inode_get_write_access(ino);
		if (!err) {
			err = tmpfs_truncate(ino, 0);
			if (!err)
				err = vfs_open_inode(ino, flags, out);
			inode_put_write_access(ino);
		}
		/* inotify(7): the open, then the truncation, as Linux's do_open(). */
		if (!err) {
			fsnotify_inode(ino, IN_OPEN);
			fsnotify_inode(ino, IN_MODIFY);
		}
	} else if (!err) {
		err = vfs_open_inode(ino, flags, out);
		if (!err && !(flags & O_PATH))
			fsnotify_inode(ino, IN_OPEN);
	}
	inode_put(ino);
	return err;
}
