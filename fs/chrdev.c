/*
 * Character devices: the table from device numbers to file operations, the
 * memory devices /dev/null and /dev/zero (null(4), zero(4)), and the /dev
 * nodes created at boot when the initramfs did not bring them.
 * Numbers: Linux Documentation/admin-guide/devices.txt (1:3 null, 1:5 zero,
 * 5:0 tty, 5:1 console).
 */
#include "internal.h"
#include "uaccess.h"

struct inode *console_inode;

static ssize_t null_read(struct file *f, void __user *buf, size_t n, u64 *pos)
{
	return 0;
}

static ssize_t null_write(struct file *f, const void __user *buf, size_t n, u64 *pos)
{
	return (ssize_t)n;
}

static ssize_t zero_read(struct file *f, void __user *buf, size_t n, u64 *pos)
{
	return clear_user(buf, n) ? -EFAULT : (ssize_t)n;
}

static const struct file_ops null_ops = {
	.read = null_read,
	.write = null_write,
	.seekable = true,	/* lseek on /dev/null succeeds and means nothing */
};

static const struct file_ops zero_ops = {
	.read = zero_read,
	.write = null_write,
	.seekable = true,
};

static const struct {
	u32 major, minor;
	const struct file_ops *ops;
	const char *name;
	u32 perm;
} chrdevs[] = {
	{ 1, 3, &null_ops, "null", 0666 },
	{ 1, 5, &zero_ops, "zero", 0666 },
	{ 5, 0, &console_file_ops, "tty", 0666 },
	{ 5, 1, &console_file_ops, "console", 0620 },
};

const struct file_ops *chrdev_ops(u32 major, u32 minor)
{
	size_t i;

	for (i = 0; i < ARRAY_SIZE(chrdevs); i++)
		if (chrdevs[i].major == major && chrdevs[i].minor == minor)
			return chrdevs[i].ops;
	return NULL;
}

/* Create @path (absolute) as @mode unless it exists; a counted inode in *@out. */
static int create_node(const char *path, u32 mode, u32 major, u32 minor, struct inode **out)
{
	struct vfs_last last;
	int err;

	err = vfs_resolve_last(vfs_root, vfs_root, path, &last);
	if (err)
		return err;
	err = vfs_mknod(&last, mode, NULL, major, minor, out);
	inode_put(last.dir);
	if (err == -EEXIST && out)
		err = vfs_resolve(vfs_root, vfs_root, path, 0, out);
	return err;
}

void chrdev_create_nodes(void)
{
	char path[32];
	struct inode *ino = NULL;
	size_t i;
	int err;

	err = create_node("/dev", S_IFDIR | 0755, 0, 0, NULL);
	if (err && err != -EEXIST)
		printk("fs: cannot create /dev: %d\n", err);
	for (i = 0; i < ARRAY_SIZE(chrdevs); i++) {
		snprintf(path, sizeof(path), "/dev/%s", chrdevs[i].name);
		err = create_node(path, S_IFCHR | chrdevs[i].perm, chrdevs[i].major,
				  chrdevs[i].minor, NULL);
		if (err && err != -EEXIST)
			printk("fs: cannot create %s: %d\n", path, err);
	}
	/* The console inode every process's descriptors 0-2 refer to. */
	err = create_node("/dev/console", S_IFCHR | 0620, 5, 1, &ino);
	if (!err && !(S_ISCHR(ino->mode) && ino->rdev_major == 5 && ino->rdev_minor == 1)) {
		inode_put(ino);
		err = -EEXIST;
	}
	if (err) {
		/* Something else sits at /dev/console: use an unnamed node. */
		ino = inode_alloc(S_IFCHR | 0620, 0, 0);
		if (!ino)
			panic("fs: no memory for the console inode");
		ino->rdev_major = 5;
		ino->rdev_minor = 1;
	}
	console_inode = ino;
}
