/*
 * Writing file data back: fsync(2), fdatasync(2), sync(2) and syncfs(2).
 *
 * Every Sprout file system keeps its data in memory (tmpfs, procfs, the
 * device nodes), so for their files there is nothing dirty to write: the
 * calls check their descriptor as Linux does and return. A disk opened as a
 * block special file has its write cache flushed. Which descriptors accept
 * fsync follows Linux: files and directories of tmpfs (shmem's noop_fsync)
 * and block devices do; pipes, sockets, terminals, character devices and
 * synthetic files, whose file operations have no fsync, give -EINVAL;
 * syncfs accepts any open descriptor, as every object belongs to some file
 * system.
 *
 * Locks: none beyond the descriptor table's (fd_get()).
 */
#include "internal.h"
#include "task.h"
#include "cpu.h"
#include "blkdev.h"

/* One flush per disk for sync(2): the names first, as the list lock is a spinlock. */
#define SYNC_DISKS_MAX	32

/* Can @f be fsync'd: a tmpfs regular file or directory. */
static bool file_syncable(struct file *f)
{
	struct inode *ino = f->inode;

	return ino && !ino->iops && (inode_is_reg(ino) || inode_is_dir(ino));
}

/* The common part of fsync and fdatasync: 0, -EBADF, -EINVAL or -EIO. */
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
	else
		r = file_syncable(f) ? 0 : -EINVAL;
	file_put(f);
	return r;
}

/*
 * sys_fsync - fsync(2): @fd's data and metadata are on stable storage once
 * it returns; tmpfs's are by construction, a disk's write cache is flushed.
 * Returns 0, -EBADF (not open, or an O_PATH descriptor), -EINVAL (an object
 * without fsync: pipe, socket, terminal, character device, /proc file) or
 * -EIO (the disk failed). May sleep (uninterruptibly, while a disk flushes).
 */
long sys_fsync(int fd)
{
	return do_fsync(fd);
}

/* sys_fdatasync - fdatasync(2): as sys_fsync(). */
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

/* sys_sync - sync(2): nothing is ever dirty in memory-only file systems;
 * every disk's write cache is flushed (disks are never unregistered, so the
 * pointers stay valid). Always 0, as Linux's sync. May sleep. */
long sys_sync(void)
{
	struct blkdev *disks[SYNC_DISKS_MAX] = { NULL };

	blkdev_for_each(collect, disks);
	for (int i = 0; i < SYNC_DISKS_MAX && disks[i]; i++)
		blkdev_flush(disks[i]);
	return 0;
}

/*
 * sys_syncfs - syncfs(2): write back the file system holding @fd. Returns
 * 0 or -EBADF (not open, or O_PATH). Sleeps: no.
 */
long sys_syncfs(int fd)
{
	struct file *f = fd_get(fd);
	long r;

	if (!f)
		return -EBADF;
	r = (file_flags(f) & O_PATH) ? -EBADF : 0;
	file_put(f);
	return r;
}
