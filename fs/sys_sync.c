/*
 * fsync(2), fdatasync(2), sync(2): making written data durable. tmpfs keeps everything in
 * memory, so for its files there is nothing to write (Linux's shmem uses noop_fsync); a disk
 * opened as a block special file has its write cache flushed. Other files (pipes, terminals,
 * character devices, /proc) have no fsync operation on Linux: EINVAL.
 */
#include "internal.h"
#include "blkdev.h"

/* One flush per disk for sync(2): the names first, as the list lock is a spinlock. */
#define SYNC_DISKS_MAX	32

static long do_fsync(int fd)
{
	struct file *f = fd_get(fd);
	long r;

	if (!f)
		return -EBADF;
	if (file_flags(f) & O_PATH)
		r = -EBADF;
	else if (blkdev_file_is(f))
		r = blkdev_file_fsync(f);
	else if (f->ops == &tmpfs_reg_ops || f->ops == &tmpfs_dir_ops)
		r = 0;
	else
		r = -EINVAL;
	file_put(f);
	return r;
}

/* fsync - fsync(2): 0, -EBADF, -EINVAL (no such operation), -EIO (the disk failed). May
 * sleep (uninterruptibly, while a disk flushes). */
long sys_fsync(int fd)
{
	return do_fsync(fd);
}

/* fdatasync - fdatasync(2): as fsync; Sprout keeps no metadata on disks to skip. */
long sys_fdatasync(int fd)
{
	return do_fsync(fd);
}

static void collect(struct blkdev *dev, void *arg)
{
	struct blkdev **disks = arg;

	for (int i = 0; i < SYNC_DISKS_MAX; i++) {
		if (!disks[i]) {
			disks[i] = dev;
			return;
		}
	}
}

/* sync - sync(2): flush every disk's write cache (disks are never unregistered, so the
 * pointers stay valid). Always 0. May sleep. */
long sys_sync(void)
{
	struct blkdev *disks[SYNC_DISKS_MAX] = { NULL };

	blkdev_for_each(collect, disks);
	for (int i = 0; i < SYNC_DISKS_MAX && disks[i]; i++)
		blkdev_flush(disks[i]);
	return 0;
}
