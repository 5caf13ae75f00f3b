/*
 * Character devices: the table from device numbers to file operations, the
 * memory devices (null(4), zero(4), full(4), random(4)), and the /dev nodes
 * created at boot when the initramfs did not bring them (also the contents
 * of a devtmpfs mount), disks included (fs/blkdev_file.c). The terminal
 * devices (console, ttyS0, tty) are the line discipline's (fs/tty.c).
 * Numbers: Linux Documentation/admin-guide/devices.txt (1:3 null, 1:5 zero,
 * 1:7 full, 1:8 random, 1:9 urandom, 4:64 ttyS0, 5:0 tty, 5:1 console).
 */
#include "internal.h"
#include "arch.h"
#include "uaccess.h"

struct inode *console_inode;

static ssize_t null_read(struct file *f, void __user *buf, size_t n, u64 *pos)
{
	return 0;
}

static ssize_t null_write(struct file *f, struct io_src src, size_t n, u64 *pos)
{
	return (ssize_t)n;
}

static ssize_t zero_read(struct file *f, void __user *buf, size_t n, u64 *pos)
{
	return clear_user(buf, n) ? -EFAULT : (ssize_t)n;
}

/* /dev/full: reads like /dev/zero, every write fails with ENOSPC. */
static ssize_t full_write(struct file *f, struct io_src src, size_t n, u64 *pos)
{
	return n ? -ENOSPC : 0;
}

/* /dev/random and /dev/urandom: the CPU's random source, never blocking. */
static ssize_t random_read(struct file *f, void __user *buf, size_t n, u64 *pos)
{
	size_t done = 0;

	while (done < n) {
		u64 r = arch_random_u64();
		size_t chunk = MIN(sizeof(r), n - done);

		if (copy_to_user((char __user *)buf + done, &r, chunk))
			return done ? (ssize_t)done : -EFAULT;
		done += chunk;
	}
	return (ssize_t)done;
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

static const struct file_ops full_ops = {
	.read = zero_read,
	.write = full_write,
	.seekable = true,
};

static const struct file_ops random_ops = {
	.read = random_read,
	.write = null_write,	/* mixing user data into the pool: accepted */
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
	{ 1, 7, &full_ops, "full", 0666 },
	{ 1, 8, &random_ops, "random", 0666 },
	{ 1, 9, &random_ops, "urandom", 0666 },
	{ 4, 64, &tty_file_ops, "ttyS0", 0620 },
	{ 5, 0, &tty_file_ops, "tty", 0666 },
	{ 5, 1, &tty_file_ops, "console", 0620 },
};

const struct file_ops *chrdev_ops(u32 major, u32 minor)
{
	size_t i;

	for (i = 0; i < ARRAY_SIZE(chrdevs); i++)
		if (chrdevs[i].major == major && chrdevs[i].minor == minor)
			return chrdevs[i].ops;
	return NULL;
}

/* Create @name in directory @dir as @mode unless it exists; counted in *@out. */
static int create_in(struct inode *dir, const char *name, u32 mode, u32 major, u32 minor,
		     struct inode **out)
{
	struct vfs_last last = { .dir = dir, .name = name, .len = strlen(name) };
	int err;

	err = vfs_mknod(&last, mode, NULL, major, minor, out);
	if (err == -EEXIST && out)
		err = vfs_lookup_child(dir, name, last.len, out);
	return err;
}

/* chrdev_populate - see fs/internal.h. */
void chrdev_populate(struct inode *dir)
{
	struct inode *shm = NULL;
	size_t i;
	int err;

	for (i = 0; i < ARRAY_SIZE(chrdevs); i++) {
		err = create_in(dir, chrdevs[i].name, S_IFCHR | chrdevs[i].perm,
				chrdevs[i].major, chrdevs[i].minor, NULL);
		if (err && err != -EEXIST)
			printk("fs: cannot create /dev/%s: %d\n", chrdevs[i].name, err);
	}
	err = create_in(dir, "shm", S_IFDIR | 01777, 0, 0, &shm);
	if (!err)
		inode_put(shm);
	blkdev_populate(dir);
}

void chrdev_create_nodes(void)
{
	struct inode *dev = NULL, *ino = NULL;
	int err;

	err = create_in(vfs_root, "dev", S_IFDIR | 0755, 0, 0, &dev);
	if (err || !inode_is_dir(dev)) {
		printk("fs: cannot create /dev: %d\n", err);
		if (dev)
			inode_put(dev);
		dev = NULL;
	} else {
		chrdev_populate(dev);
		/* The console inode every process's descriptors 0-2 refer to. */
		err = create_in(dev, "console", S_IFCHR | 0620, 5, 1, &ino);
	}
	if (!dev || err || !(S_ISCHR(ino->mode) && ino->rdev_major == 5 && ino->rdev_minor == 1)) {
		if (ino)
			inode_put(ino);
		/* Something else sits at /dev/console: use an unnamed node. */
		ino = inode_alloc(S_IFCHR | 0620, 0, 0);
		if (!ino)
			panic("fs: no memory for the console inode");
		ino->rdev_major = 5;
		ino->rdev_minor = 1;
	}
	if (dev)
		inode_put(dev);
	console_inode = ino;
}
