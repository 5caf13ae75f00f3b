/*
 * Path arguments of the file syscalls: copying a user path into the kernel
 * (PATH_MAX bytes, -ENAMETOOLONG/-EFAULT) and choosing where its walk starts
 * -- the root for an absolute path, the cwd for AT_FDCWD, or the directory
 * of a descriptor (openat(2) "dirfd" rules, AT_EMPTY_PATH).
 */
#include "internal.h"
#include "kmalloc.h"
#include "uaccess.h"

int upath_get(struct upath *up, int dirfd, const char __user *upath, bool empty_ok)
{
	struct inode *cwd;
	struct file *f;
	long len;
	int err;

	up->root = up->start = NULL;
	up->path = kmalloc(PATH_MAX);
	if (!up->path)
		return -ENOMEM;
	len = strncpy_from_user(up->path, upath, PATH_MAX);
	if (len < 0) {
		err = (int)len;
		goto out_free;
	}
	if (!len && !empty_ok) {
		err = -ENOENT;
		goto out_free;
	}
	fs_current_root_cwd(&up->root, &cwd);
	if (up->path[0] == '/' || dirfd == AT_FDCWD) {
		up->start = up->path[0] == '/' ? up->root : cwd;
		inode_get(up->start);
		inode_put(cwd);
		return 0;
	}
	inode_put(cwd);
	f = fd_get(dirfd);
	if (!f) {
		err = -EBADF;
		goto out_root;
	}
	if (!f->inode || (len && !inode_is_dir(f->inode))) {
		err = f->inode ? -ENOTDIR : -EBADF;
		file_put(f);
		goto out_root;
	}
	up->start = f->inode;
	inode_get(up->start);
	file_put(f);
	return 0;
out_root:
	inode_put(up->root);
	up->root = NULL;
out_free:
	kfree(up->path);
	up->path = NULL;
	return err;
}

void upath_put(struct upath *up)
{
	if (up->start)
		inode_put(up->start);
	if (up->root)
		inode_put(up->root);
	kfree(up->path);
	up->path = NULL;
	up->root = up->start = NULL;
}

int upath_lookup(int dirfd, const char __user *path, int flags, struct inode **out)
{
	struct upath up;
	int r;

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

/*
 * vfs_exec_path_at - see include/fs.h. execveat(2): @upath from @dirfd, with
 * AT_EMPTY_PATH (the descriptor's own file) and AT_SYMLINK_NOFOLLOW (a final
 * symlink gives -ELOOP). The file must be a regular file the caller may
 * execute (-EACCES). Its absolute path goes to @abspath; a file without a
 * name (unlinked) gives -ENOENT. May sleep.
 */
int vfs_exec_path_at(int dirfd, const char __user *upath, int flags, char *abspath, size_t size)
{
	struct inode *ino, *root, *cwd;
	int err;

	if (flags & ~(AT_EMPTY_PATH | AT_SYMLINK_NOFOLLOW))
		return -EINVAL;
	err = upath_lookup(dirfd, upath, flags, &ino);
	if (err)
		return err;
	if (inode_is_lnk(ino))
		err = -ELOOP;
	else if (!inode_is_reg(ino) || inode_permission(ino, X_OK, false))
		err = -EACCES;
	if (!err) {
		fs_current_root_cwd(&root, &cwd);
		if (vfs_inode_path(root, ino, abspath, size) < 0)
			err = -ENOENT;
		inode_put(cwd);
		inode_put(root);
	}
	inode_put(ino);
	return err;
}

/* vfs_upath_lookup - see include/fs.h. */
int vfs_upath_lookup(const char __user *upath, struct inode **out)
{
	return upath_lookup(AT_FDCWD, upath, 0, out);
}

/* vfs_path_name - see include/fs.h. */
int vfs_path_name(struct inode *ino, char *buf, size_t size)
{
	struct inode *root, *cwd;
	int n;

	fs_current_root_cwd(&root, &cwd);
	n = vfs_inode_path(root, ino, buf, size);
	inode_put(cwd);
	inode_put(root);
	return n;
}
