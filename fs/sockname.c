/*
 * Socket names in the file system (unix(7) "pathname" addresses): bind(2)
 * creates a socket inode (S_IFSOCK) under a new name, connect(2) and
 * sendto(2) look one up. The socket layer (net/) keeps which socket is
 * bound to which inode; here is only the path walk.
 */
#include "internal.h"

/* vfs_mksock - see include/fs.h. */
int vfs_mksock(const char *path, mode_t mode, struct inode **out)
{
	struct inode *root, *cwd;
	struct vfs_last last;
	int err;

	fs_current_root_cwd(&root, &cwd);
	err = vfs_resolve_last(root, cwd, path, &last);
	if (!err) {
		err = vfs_mknod(&last, S_IFSOCK | ((mode & 0777) & ~fs_current_umask()), NULL,
				0, 0, out);
		inode_put(last.dir);
	}
	inode_put(cwd);
	inode_put(root);
	return err;
}

/* vfs_find_sock - see include/fs.h. */
int vfs_find_sock(const char *path, struct inode **out)
{
	struct inode *root, *cwd, *ino;
	int err;

	fs_current_root_cwd(&root, &cwd);
	err = vfs_resolve(root, cwd, path, VFS_FOLLOW, &ino);
	inode_put(cwd);
	inode_put(root);
	if (err)
		return err;
	if (!S_ISSOCK(ino->mode)) {
		inode_put(ino);
		return -ECONNREFUSED;
	}
	err = inode_permission(ino, W_OK, false);
	if (err) {
		inode_put(ino);
		return err;
	}
	*out = ino;
	return 0;
}
