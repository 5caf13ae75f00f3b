/*
 * Block special files (/dev/vda): a disk as a seekable file of bytes, as Linux presents one.
 * Reads and writes go straight to the device through a bounce buffer of whole sectors (no
 * cache: a write has reached the device, or its cache, when write(2) returns); a write that
 * covers a sector only partly reads it first. fsync(2) flushes the device's write cache.
 * A read at or past the end returns 0, a write there ENOSPC; device errors are EIO.
 * Semantics: Linux's block devices (read(2), write(2), lseek(2) SEEK_END gives the device's
 * size, ioctl BLKGETSIZE64/BLKGETSIZE/BLKSSZGET from <linux/fs.h>).
 */
#include "internal.h"
#include "blkdev.h"
#include "page.h"
#include "uaccess.h"
#include "kmalloc.h"

#define BOUNCE_ORDER	4			/* 64 KiB per device request */
#define BOUNCE_BYTES	(PAGE_SIZE << BOUNCE_ORDER)

/* ioctl numbers of <linux/fs.h>: _IO(0x12, 96), _IO(0x12, 104), _IOR(0x12, 114, size_t). */
#define BLKGETSIZE	0x1260
#define BLKSSZGET	0x1268
#define BLKGETSIZE64	0x80081272

static struct blkdev *file_disk(struct file *f)
{
	return f->priv;
}

/* blkdev_file_size - see fs/internal.h. */
u64 blkdev_file_size(struct file *f)
{
	return file_disk(f)->nr_sectors << BLK_SECTOR_SHIFT;
}

static ssize_t blk_file_read(struct file *f, void __user *buf, size_t n, u64 *pos)
{
	struct blkdev *dev = file_disk(f);
	u64 size = dev->nr_sectors << BLK_SECTOR_SHIFT;
	struct page *pg;
	size_t done = 0;
	u8 *bounce;
	int err = 0;

	if (*pos >= size || !n)
		return 0;
	n = MIN(n, size - *pos);
	pg = page_alloc(BOUNCE_ORDER, false);
	if (!pg)
		return -ENOMEM;
	bounce = page_address(pg);
	while (done < n) {
		u64 p = *pos + done;
		size_t off = p & (BLK_SECTOR_SIZE - 1);
		size_t chunk = MIN(n - done, BOUNCE_BYTES - off);
		u32 nsect = (u32)((off + chunk + BLK_SECTOR_SIZE - 1) >> BLK_SECTOR_SHIFT);

		err = blkdev_rw(dev, p >> BLK_SECTOR_SHIFT, bounce, nsect, false);
		if (err)
			break;
		if (copy_to_user((u8 __user *)buf + done, bounce + off, chunk)) {
			err = -EFAULT;
			break;
		}
		done += chunk;
	}
	page_put_order(pg, BOUNCE_ORDER);
	*pos += done;
	return done ? (ssize_t)done : err;
}

static ssize_t blk_file_write(struct file *f, struct io_src src, size_t n, u64 *pos)
{
	struct blkdev *dev = file_disk(f);
	u64 size = dev->nr_sectors << BLK_SECTOR_SHIFT;
	struct page *pg;
	size_t done = 0;
	u8 *bounce;
	int err = 0;

	if (!n)
		return 0;
	if (*pos >= size)
		return -ENOSPC;
	n = MIN(n, size - *pos);
	pg = page_alloc(BOUNCE_ORDER, false);
	if (!pg)
		return -ENOMEM;
	bounce = page_address(pg);
	while (done < n) {
		u64 p = *pos + done;
		size_t off = p & (BLK_SECTOR_SIZE - 1);
		size_t chunk = MIN(n - done, BOUNCE_BYTES - off);
		u32 nsect = (u32)((off + chunk + BLK_SECTOR_SIZE - 1) >> BLK_SECTOR_SHIFT);
		u64 sector = p >> BLK_SECTOR_SHIFT;

		/* Partly covered sectors at either end keep their other bytes. */
		if (off || ((off + chunk) & (BLK_SECTOR_SIZE - 1))) {
			if (off || nsect == 1)
				err = blkdev_rw(dev, sector, bounce, 1, false);
			if (!err && nsect > 1 && ((off + chunk) & (BLK_SECTOR_SIZE - 1)))
				err = blkdev_rw(dev, sector + nsect - 1,
						bounce + (size_t)(nsect - 1) * BLK_SECTOR_SIZE, 1,
						false);
			if (err)
				break;
		}
		if (io_src_copy(bounce + off, src, done, chunk)) {
			err = -EFAULT;
			break;
		}
		err = blkdev_rw(dev, sector, bounce, nsect, true);
		if (err)
			break;
		done += chunk;
	}
	page_put_order(pg, BOUNCE_ORDER);
	*pos += done;
	return done ? (ssize_t)done : err;
}

static long blk_file_ioctl(struct file *f, unsigned cmd, u64 arg)
{
	struct blkdev *dev = file_disk(f);
	u64 v64;
	unsigned long vl;
	int vi;

	switch (cmd) {
	case BLKGETSIZE64:
		v64 = dev->nr_sectors << BLK_SECTOR_SHIFT;
		return copy_to_user((void __user *)arg, &v64, sizeof(v64)) ? -EFAULT : 0;
	case BLKGETSIZE:
		vl = dev->nr_sectors;
		return copy_to_user((void __user *)arg, &vl, sizeof(vl)) ? -EFAULT : 0;
	case BLKSSZGET:
		vi = BLK_SECTOR_SIZE;
		return copy_to_user((void __user *)arg, &vi, sizeof(vi)) ? -EFAULT : 0;
	default:
		return -ENOTTY;
	}
}

static const struct file_ops blkdev_file_ops = {
	.read = blk_file_read,
	.write = blk_file_write,
	.ioctl = blk_file_ioctl,
	.seekable = true,
};

/* blkdev_file_open - see fs/internal.h. */
int blkdev_file_open(struct inode *ino, u32 flags, u32 kept_flags, struct file **out)
{
	struct blkdev *dev = blkdev_find_devt(ino->rdev_major, ino->rdev_minor);
	struct file *f;

	if (!dev)
		return -ENXIO;
	/* blkdev_get_by_dev(): a read-only disk cannot be opened for writing. */
	if (dev->read_only && (flags & O_ACCMODE) != O_RDONLY)
		return -EACCES;
	f = file_alloc(ino, &blkdev_file_ops, kept_flags, dev);
	if (!f)
		return -ENOMEM;
	*out = f;
	return 0;
}

/* blkdev_file_fsync - see fs/internal.h. */
int blkdev_file_fsync(struct file *f)
{
	return blkdev_flush(file_disk(f));
}

/* blkdev_file_is - see fs/internal.h. */
bool blkdev_file_is(const struct file *f)
{
	return f->ops == &blkdev_file_ops;
}

struct disk_node {
	char name[BLKDEV_NAME_MAX];
	u32 major, minor;
};

#define DISK_NODES_MAX	32

static void collect_disk(struct blkdev *dev, void *arg)
{
	struct disk_node *nodes = arg;

	for (int i = 0; i < DISK_NODES_MAX; i++) {
		if (!nodes[i].name[0]) {
			strlcpy(nodes[i].name, dev->name, sizeof(nodes[i].name));
			nodes[i].major = dev->major;
			nodes[i].minor = dev->minor;
			return;
		}
	}
}

/* blkdev_populate - see fs/internal.h. */
void blkdev_populate(struct inode *dir)
{
	struct disk_node *nodes = kzalloc(sizeof(*nodes) * DISK_NODES_MAX);

	if (!nodes)
		return;
	/* Names first (the list lock is a spinlock), then the nodes (which may sleep). */
	blkdev_for_each(collect_disk, nodes);
	for (int i = 0; i < DISK_NODES_MAX && nodes[i].name[0]; i++) {
		struct vfs_last last = { .dir = dir, .name = nodes[i].name,
					 .len = strlen(nodes[i].name) };
		/* brw-rw---- as udev leaves a disk (group disk is root's group here). */
		int err = vfs_mknod(&last, S_IFBLK | 0660, NULL, nodes[i].major, nodes[i].minor,
				    NULL);

		if (err && err != -EEXIST)
			printk("fs: cannot create /dev/%s: %d\n", nodes[i].name, err);
	}
	kfree(nodes);
}
