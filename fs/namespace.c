/*
 * Operations that change the name space of the tmpfs tree: creating a name
 * (files, directories, symlinks, device nodes), removing one (unlink, rmdir)
 * and moving one (rename). The callers have walked to the last component
 * (struct vfs_last); these functions lock the directory, re-check the name
 * under the lock and change the entries.
 *
 * Semantics: mkdir(2), mknod(2), symlink(2), link(2), unlink(2), rmdir(2),
 * rename(2) and renameat2(2) (RENAME_NOREPLACE, RENAME_EXCHANGE); the sticky
 * bit of a directory restricts removal as in Linux's inode(7) "S_ISVTX".
 */
#include "internal.h"
#include "kmalloc.h"
#include "fsnotify.h"

/* The directory of @last must be a directory we may write into. */
static int dir_writable(struct inode *dir)
{
	if (!inode_is_dir(dir))
		return -ENOTDIR;
	if (dir->iops)
		return -EACCES;	/* synthetic directories have fixed contents */
	return inode_permission(dir, W_OK | X_OK, false);
}

/*
 * In a sticky directory (S_ISVTX, like /tmp) only the owner of an entry, the
 * owner of the directory or root may remove or rename it: -EPERM otherwise.
 */
static int sticky_check(struct inode *dir, struct inode *child)
{
	uid_t uid;
	gid_t gid;

	if (!(__atomic_load_n(&dir->mode, __ATOMIC_RELAXED) & S_ISVTX))
		return 0;
	fs_cred(&uid, &gid, false);
	if (uid == 0 || uid == dir->uid || uid == child->uid)
		return 0;
	return -EPERM;
}

int vfs_mknod(struct vfs_last *last, u32 mode, const char *target, u32 major, u32 minor,
	      struct inode **out)
{
	struct inode *dir = last->dir, *ino;
	uid_t uid;
	gid_t gid;
	int err;

	if (!last->len || last->dot)
		return -EEXIST;
	if (dir->iops)
		return -ENOENT;	/* as Linux's /proc: no new names */
	err = dir_writable(dir);
	if (err)
		return err;
	if (last->slash && !S_ISDIR(mode))
		return -ENOENT;
	fs_cred(&uid, &gid, false);
	/* A set-group-ID directory hands its group to what is made in it, and its bit to
	 * subdirectories; a set-group-ID executable made there by someone outside that
	 * group (and not root) loses the bit (Linux's inode_init_owner()). */
	if (__atomic_load_n(&dir->mode, __ATOMIC_RELAXED) & S_ISGID) {
		bool member = gid == dir->gid || uid == 0;

		gid = dir->gid;
		if (S_ISDIR(mode))
			mode |= S_ISGID;
		else if ((mode & (S_ISGID | S_IXGRP)) == (S_ISGID | S_IXGRP) && !member)
			mode &= ~(u32)S_ISGID;
	}
	ino = inode_alloc(mode, uid, gid);
	if (!ino)
		return -ENOMEM;
	ino->dev_minor = dir->dev_minor;
	if (S_ISDIR(mode)) {
		ino->nlink = 1;	/* its "."; the entry in @dir adds the second */
		ino->size = 2 * TMPFS_DIRENT_SIZE;
	}
	if (S_ISCHR(mode) || S_ISBLK(mode)) {
		ino->rdev_major = major;
		ino->rdev_minor = minor;
	}
	if (S_ISLNK(mode)) {
		size_t len = strlen(target);

		ino->target = kmalloc(len + 1);
		if (!ino->target) {
			err = -ENOMEM;
			goto out_put;
		}
		memcpy(ino->target, target, len + 1);
		ino->size = len;
	}
	mutex_lock(&dir->lock);
	if (tmpfs_dir_find(dir, last->name, last->len))
		err = -EEXIST;
	else if (!(err = inode_attach_sb(ino, dir->sb)))	/* tmpfs(5) nr_inodes: ENOSPC */
		err = tmpfs_dir_add(dir, last->name, last->len, ino);
	mutex_unlock(&dir->lock);
	if (!err)
		fsnotify_name(dir, IN_CREATE | (S_ISDIR(mode) ? IN_ISDIR : 0), last->name,
			      last->len, 0);
	if (!err && out) {
		*out = ino;	/* the allocation's reference goes to the caller */
		return 0;
	}
out_put:
	inode_put(ino);
	return err;
}

int vfs_unlink(struct inode *root, struct vfs_last *last, bool rmdir)
{
	struct inode *dir = last->dir, *child = NULL;
	struct tmpfs_dirent *de;
	int err;

	if (rmdir) {
		if (!last->len)
			return -EBUSY;
		if (last->dot)
			return last->len == 1 ? -EINVAL : -ENOTEMPTY;
	} else if (!last->len || last->dot) {
		return -EISDIR;
	}
	err = dir_writable(dir);
	if (err)
		return err;
	mutex_lock(&dir->lock);
	de = tmpfs_dir_find(dir, last->name, last->len);
	if (!de) {
		err = -ENOENT;
		goto out_unlock;
	}
	if (rmdir && !inode_is_dir(de->inode)) {
		err = -ENOTDIR;
		goto out_unlock;
	}
	if (!rmdir && inode_is_dir(de->inode)) {
		err = -EISDIR;
		goto out_unlock;
	}
	if (!rmdir && last->slash) {
		err = -ENOTDIR;
		goto out_unlock;
	}
	if (de->inode == root || de->inode == vfs_root || de->inode->mounted) {
		err = -EBUSY;
		goto out_unlock;
	}
	err = sticky_check(dir, de->inode);
	if (err)
		goto out_unlock;
	err = tmpfs_dir_remove(dir, de, &child);
out_unlock:
	mutex_unlock(&dir->lock);
	if (child) {
		/* inotify(7), in Linux's order: the link count, the inode's end, the name. */
		if (!rmdir)
			fsnotify_child(NULL, NULL, 0, child, IN_ATTRIB);
		fsnotify_unlinked(child);
		fsnotify_name(dir, IN_DELETE | (rmdir ? IN_ISDIR : 0), last->name, last->len, 0);
		inode_put(child);
	}
	return err;
}

/* Lock the two directories of a rename: an ancestor first, else by address. */
static void lock_two(struct inode *a, struct inode *b)
{
	if (a == b) {
		mutex_lock(&a->lock);
		return;
	}
	if (vfs_is_ancestor(b, a) || (!vfs_is_ancestor(a, b) && b < a)) {
		struct inode *t = a;

		a = b;
		b = t;
	}
	mutex_lock(&a->lock);
	mutex_lock(&b->lock);
}

static void unlock_two(struct inode *a, struct inode *b)
{
	mutex_unlock(&a->lock);
	if (a != b)
		mutex_unlock(&b->lock);
}

/* Checks of rename(2) once both entries are known; both directory locks held. */
static int rename_check(struct inode *root, struct vfs_last *from, struct vfs_last *to,
			struct inode *src, struct inode *victim)
{
	int err;

	if (!inode_is_dir(src) && (from->slash || to->slash))
		return -ENOTDIR;
	if (src == root || src == vfs_root || src->mounted)
		return -EBUSY;
	/* A directory cannot move below itself. */
	if (inode_is_dir(src) && vfs_is_ancestor(src, to->dir))
		return -EINVAL;
	/* A directory changing parent rewrites its "..": it must be writable. */
	if (inode_is_dir(src) && from->dir != to->dir) {
		err = inode_permission(src, W_OK, false);
		if (err)
			return err;
	}
	err = sticky_check(from->dir, src);
	if (err)
		return err;
	if (!victim)
		return 0;
	if (inode_is_dir(src) && !inode_is_dir(victim))
		return -ENOTDIR;
	if (!inode_is_dir(src) && inode_is_dir(victim))
		return -EISDIR;
	if (victim == root || victim == vfs_root || victim->mounted)
		return -EBUSY;
	/*
	 * A victim above the source is not empty; say so before its lock is
	 * taken, which would invert the ancestor-first lock order.
	 */
	if (vfs_is_ancestor(victim, from->dir))
		return -ENOTEMPTY;
	return sticky_check(to->dir, victim);
}

/* Checks of renameat2(2) RENAME_EXCHANGE of @a (in from) and @b (in to). */
static int exchange_check(struct inode *root, struct vfs_last *from, struct vfs_last *to,
			  struct inode *a, struct inode *b)
{
	int err;

	if ((from->slash && !inode_is_dir(a)) || (to->slash && !inode_is_dir(b)))
		return -ENOTDIR;
	if (a == root || a == vfs_root || a->mounted || b == root || b == vfs_root || b->mounted)
		return -EBUSY;
	/* Neither may end up below itself. */
	if ((inode_is_dir(a) && vfs_is_ancestor(a, to->dir)) ||
	    (inode_is_dir(b) && vfs_is_ancestor(b, from->dir)))
		return -EINVAL;
	if (from->dir != to->dir) {
		if (inode_is_dir(a) && (err = inode_permission(a, W_OK, false)))
			return err;
		if (inode_is_dir(b) && (err = inode_permission(b, W_OK, false)))
			return err;
	}
	err = sticky_check(from->dir, a);
	return err ? err : sticky_check(to->dir, b);
}

/*
 * inotify(7) for a rename of @src from @from to @to (one direction of an
 * exchange): IN_MOVED_FROM and IN_MOVED_TO with one cookie, IN_ATTRIB for the
 * replaced @victim (may be NULL) and IN_MOVE_SELF, as Linux's fsnotify_move().
 */
static void rename_notify(struct vfs_last *from, struct vfs_last *to, struct inode *src,
			  struct inode *victim)
{
	u32 isdir = inode_is_dir(src) ? IN_ISDIR : 0;
	u32 cookie = 0;

	if (__atomic_load_n(&from->dir->inotify, __ATOMIC_RELAXED) ||
	    __atomic_load_n(&to->dir->inotify, __ATOMIC_RELAXED))
		cookie = fsnotify_cookie();
	fsnotify_name(from->dir, IN_MOVED_FROM | isdir, from->name, from->len, cookie);
	fsnotify_name(to->dir, IN_MOVED_TO | isdir, to->name, to->len, cookie);
	if (victim)
		fsnotify_child(NULL, NULL, 0, victim, IN_ATTRIB);
	fsnotify_child(NULL, NULL, 0, src, IN_MOVE_SELF);
}

int vfs_rename(struct inode *root, struct vfs_last *from, struct vfs_last *to, unsigned flags)
{
	struct inode *fd = from->dir, *td = to->dir, *victim_ino = NULL, *src = NULL, *dst = NULL;
	struct tmpfs_dirent *ode, *nde;
	int err;

	if ((flags & ~(RENAME_NOREPLACE | RENAME_EXCHANGE)) ||
	    (flags & RENAME_NOREPLACE && flags & RENAME_EXCHANGE))
		return -EINVAL;
	if (!from->len || from->dot)
		return -EBUSY;
	if (!to->len || to->dot)
		return (flags & RENAME_NOREPLACE) ? -EEXIST : -EBUSY;
	err = dir_writable(fd);
	if (!err)
		err = dir_writable(td);
	if (err)
		return err;
	if (fd->dev_minor != td->dev_minor)
		return -EXDEV;
	/* The rename lock keeps the tree's shape (ancestry) still while we look. */
	mutex_lock(&vfs_rename_lock);
	lock_two(fd, td);
	ode = tmpfs_dir_find(fd, from->name, from->len);
	if (!ode) {
		err = -ENOENT;
		goto out_unlock;
	}
	nde = tmpfs_dir_find(td, to->name, to->len);
	if (flags & RENAME_NOREPLACE && nde) {
		err = -EEXIST;
		goto out_unlock;
	}
	if (flags & RENAME_EXCHANGE && !nde) {
		err = -ENOENT;
		goto out_unlock;
	}
	if (nde == ode)
		goto out_unlock;
	if (nde && nde->inode == ode->inode) {
		/* Two names of one file: POSIX says do nothing. */
		goto out_unlock;
	}
	if (flags & RENAME_EXCHANGE) {
		err = exchange_check(root, from, to, ode->inode, nde->inode);
		if (!err) {
			src = ode->inode;
			dst = nde->inode;
			inode_get(src);
			inode_get(dst);
			tmpfs_dir_exchange(fd, ode, td, nde);
		}
		goto out_unlock;
	}
	err = rename_check(root, from, to, ode->inode, nde ? nde->inode : NULL);
	if (!err) {
		src = ode->inode;
		inode_get(src);
		err = tmpfs_dir_move(fd, ode, td, nde, to->name, to->len, &victim_ino);
	}
out_unlock:
	unlock_two(fd, td);
	mutex_unlock(&vfs_rename_lock);
	if (!err && src) {
		rename_notify(from, to, src, victim_ino);
		if (dst)
			rename_notify(to, from, dst, NULL);
		if (victim_ino)
			fsnotify_unlinked(victim_ino);
	}
	if (src)
		inode_put(src);
	if (dst)
		inode_put(dst);
	if (victim_ino)
		inode_put(victim_ino);
	return err;
}

/*
 * Linux's fs.protected_hardlinks (default 1, proc_sys_fs(5)): an unprivileged
 * user may link only a file it owns, or a regular file it may read and
 * write that is neither set-user-ID nor executable set-group-ID. -EPERM
 * otherwise, so nobody pins another user's file or a set-ID program in a
 * directory of their own.
 */
static int hardlink_allowed(struct inode *src)
{
	u32 mode = __atomic_load_n(&src->mode, __ATOMIC_RELAXED);
	uid_t uid;
	gid_t gid;

	fs_cred(&uid, &gid, false);
	if (uid == 0 || uid == src->uid)
		return 0;
	if (!S_ISREG(mode) || (mode & S_ISUID) || ((mode & S_ISGID) && (mode & S_IXGRP)))
		return -EPERM;
	return inode_permission(src, R_OK | W_OK, false) ? -EPERM : 0;
}

int vfs_link(struct inode *src, struct vfs_last *last)
{
	struct inode *dir = last->dir;
	int err;

	if (!last->len || last->dot)
		return -EEXIST;
	if (inode_is_dir(src))
		return -EPERM;
	if (!inode_is_dir(dir))
		return -ENOTDIR;
	if (dir->iops || src->iops || dir->dev_minor != src->dev_minor)
		return -EXDEV;
	err = hardlink_allowed(src);
	if (!err)
		err = dir_writable(dir);
	if (err)
		return err;
	if (last->slash)
		return -ENOENT;
	mutex_lock(&dir->lock);
	if (tmpfs_dir_find(dir, last->name, last->len)) {
		err = -EEXIST;
		goto out_unlock;
	}
	/*
	 * An unlinked file may not come back (link(2) ENOENT), except an
	 * O_TMPFILE file opened without O_EXCL (open(2) "O_TMPFILE").
	 */
	mutex_lock(&src->lock);
	if (!src->nlink && !src->tmpfile_linkable)
		err = -ENOENT;
	else
		src->tmpfile_linkable = false;
	mutex_unlock(&src->lock);
	if (!err)
		err = tmpfs_dir_add(dir, last->name, last->len, src);
out_unlock:
	mutex_unlock(&dir->lock);
	if (!err) {
		fsnotify_child(NULL, NULL, 0, src, IN_ATTRIB);
		fsnotify_name(dir, IN_CREATE, last->name, last->len, 0);
	}
	return err;
}
