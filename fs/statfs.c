/*
 * statfs(2) and fstatfs(2): the status of the file system a file is on --
 * its type (f_type magic), block and inode counts from the instance's limits
 * and usage (tmpfs(5): size= and nr_inodes=; 0 for proc, which has none),
 * and the mount flags as ST_* bits in f_flags.
 */
#include "internal.h"
#include "uaccess.h"

#define NAME_MAX_LEN	255
#define ANON_INODE_FS_MAGIC_NR	0x09041934

/* Fill @st for @ino (NULL: an object of no file system, e.g. an eventfd). */
static void statfs_fill(struct inode *ino, struct linux_statfs *st)
{
	struct superblock *sb = ino ? ino->sb : NULL;
	u32 fl;

	memset(st, 0, sizeof(*st));
	st->f_bsize = st->f_frsize = PAGE_SIZE;
	st->f_namelen = NAME_MAX_LEN;
	st->f_flags = ST_VALID_BIT;
	if (!sb) {
		/* Internal objects: pipes are pipefs's, SysV segments (and other
		 * unnamed regular files) live on the kernel's own tmpfs. */
		if (ino && S_ISFIFO(ino->mode))
			st->f_type = PIPEFS_MAGIC_NR;
		else if (ino)
			st->f_type = TMPFS_MAGIC_NR;
		else
			st->f_type = ANON_INODE_FS_MAGIC_NR;
		return;
	}
	st->f_type = (s64)sb->magic;
	st->f_fsid[0] = (s32)linux_makedev(TMPFS_DEV_MAJOR, sb->dev_minor);
	spin_lock(&sb->lock);
	fl = sb->flags;
	if (sb->max_pages) {
		st->f_blocks = sb->max_pages;
		st->f_bfree = st->f_bavail = sb->max_pages - sb->used_pages;
	}
	if (sb->max_inodes) {
		st->f_files = sb->max_inodes;
		st->f_ffree = sb->max_inodes - sb->used_inodes;
	}
	spin_unlock(&sb->lock);
	if (fl & MS_NOSUID)
		st->f_flags |= ST_NOSUID;
	if (fl & MS_NODEV)
		st->f_flags |= ST_NODEV;
	if (fl & MS_NOEXEC)
		st->f_flags |= ST_NOEXEC;
	if (fl & MS_RELATIME)
		st->f_flags |= ST_RELATIME;
}

static long statfs_to_user(struct inode *ino, struct linux_statfs __user *buf)
{
	struct linux_statfs st;

	statfs_fill(ino, &st);
	return copy_to_user(buf, &st, sizeof(st)) ? -EFAULT : 0;
}

/*
 * sys_statfs - statfs(2): the status of the file system holding @path
 * (symlinks followed) into user @buf. 0 or -ENOENT, -ENOTDIR, -ELOOP,
 * -ENAMETOOLONG, -EACCES, -EFAULT. Takes [s]. May sleep.
 */
long sys_statfs(const char __user *path, struct linux_statfs __user *buf)
{
	struct inode *ino;
	long r = upath_lookup(AT_FDCWD, path, 0, &ino);

	if (r)
		return r;
	r = statfs_to_user(ino, buf);
	inode_put(ino);
	return r;
}

/*
 * sys_fstatfs - fstatfs(2): statfs(2) of the file open as @fd (O_PATH
 * descriptors included). 0 or -EBADF, -EFAULT. Takes [s]. Sleeps: no.
 */
long sys_fstatfs(int fd, struct linux_statfs __user *buf)
{
	struct file *f = fd_get(fd);
	long r;

	if (!f)
		return -EBADF;
	r = statfs_to_user(f->inode, buf);
	file_put(f);
	return r;
}
