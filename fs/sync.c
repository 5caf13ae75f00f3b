/*
 * Writing file data back: fsync(2), fdatasync(2), sync(2) and syncfs(2).
 *
 * Every Sprout file system keeps its data in memory (tmpfs, procfs, the
 * device nodes), so there is never anything dirty to write: the calls check
 * their descriptor as Linux does and return. Which descriptors accept
 * fsync follows Linux: files and directories of tmpfs (shmem's noop_fsync)
 * do; pipes, sockets, terminals, device nodes and synthetic files, whose
 * file operations have no fsync, give -EINVAL; syncfs accepts any open
 * descriptor, as every object belongs to some file system.
 *
 * Locks: none beyond the descriptor table's (fd_get()).
 */
#include "internal.h"
#include "task.h"
#include "cpu.h"

/* Can @f be fsync'd: a tmpfs regular file or directory. */
static bool file_syncable(struct file *f)
{
	struct inode *ino = f->inode;

	return ino && !ino->iops && (inode_is_reg(ino) || inode_is_dir(ino));
}

/* The common part of fsync and fdatasync: 0, -EBADF or -EINVAL. */
static long do_fsync(int fd)
{
	struct file *f = fd_get(fd);
	long r;

	if (!f)
		return -EBADF;
	if (file_flags(f) & O_PATH)
		r = -EBADF;
	else
		r = file_syncable(f) ? 0 : -EINVAL;
	file_put(f);
	return r;
}

/*
 * sys_fsync - fsync(2): @fd's data and metadata are on stable storage once
 * it returns; tmpfs's are by construction. Returns 0, -EBADF (not open, or
 * an O_PATH descriptor) or -EINVAL (an object without fsync: pipe,
 * socket, terminal, device, /proc file). Sleeps: no.
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

/* sys_sync - sync(2): nothing is ever dirty in memory-only file systems;
 * always succeeds (Linux's sync never fails either). */
long sys_sync(void)
{
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
