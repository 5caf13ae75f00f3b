/*
 * The file a core dump is written to (core(5)): created or reused at a path
 * relative to the dumping process's working directory, with the checks
 * Linux makes so a dump can never be steered into someone else's file.
 * The dump itself is assembled by kernel/coredump.c.
 */
#include "internal.h"
#include "task.h"

/* vfs_core_open - see include/fs.h. */
int vfs_core_open(const char *path, struct file **out)
{
	struct inode *root, *cwd, *ino;
	uid_t fsuid;
	gid_t fsgid;
	struct file *f;
	int err;

	fs_current_root_cwd(&root, &cwd);
	err = vfs_open(root, path[0] == '/' ? root : cwd, path,
		       O_CREAT | O_WRONLY | O_NOFOLLOW, 0600, &f);
	inode_put(cwd);
	inode_put(root);
	if (err)
		return err;
	ino = f->inode;
	fs_cred(&fsuid, &fsgid, false);
	/* Only a regular tmpfs file of our own with a single link: a link to
	 * another file, or a file someone else prepared, is never written. */
	if (!ino || f->ops != &tmpfs_reg_ops)
		err = -EINVAL;
	else if (__atomic_load_n(&ino->nlink, __ATOMIC_RELAXED) > 1)
		err = -EMLINK;
	else if (ino->uid != fsuid)
		err = -EPERM;
	else
		err = tmpfs_truncate(ino, 0);
	if (err) {
		file_put(f);
		return err;
	}
	*out = f;
	return 0;
}

/* vfs_core_write - see include/fs.h. */
int vfs_core_write(struct file *f, u64 off, const void *buf, size_t n)
{
	ssize_t w = tmpfs_write(f->inode, &off, io_src_kernel(buf), n, false, false);

	if (w < 0)
		return (int)w;
	return (size_t)w == n ? 0 : -ENOSPC;
}

/* vfs_core_set_size - see include/fs.h. */
int vfs_core_set_size(struct file *f, u64 size)
{
	return tmpfs_truncate(f->inode, size);
}

/* vfs_core_path - see include/fs.h. */
int vfs_core_path(struct inode *ino, char *buf, size_t size)
{
	struct inode *root, *cwd;
	int n;

	fs_current_root_cwd(&root, &cwd);
	n = vfs_inode_path(root, ino, buf, size);
	inode_put(cwd);
	inode_put(root);
	return n;
}
