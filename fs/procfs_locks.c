/*
 * /proc/locks: every advisory lock held (fcntl record locks, OFD locks, flock locks;
 * fs/lock.c), one line each in Linux's format, which util-linux's lslocks reads.
 *
 * A held lock always belongs to a file some process has open (POSIX locks go with
 * their owner's close, OFD and flock locks with the description's last close), so
 * the files of every process's descriptors are where the locked inodes are found;
 * each inode is listed once.
 *
 * Locks: the descriptor tables' and the process list's, one at a time (through
 * procfs_next_pid/procfs_next_fd/procfs_fd_inode), then file_lock_lock per inode.
 */
#include "internal.h"
#include "kmalloc.h"
#include "procfs.h"

#define LOCKED_INODES_MAX	1024	/* distinct locked files listed */

/* procfs_locks_show - see fs/internal.h. */
size_t procfs_locks_show(char *buf, size_t cap)
{
	struct inode **seen = kmalloc(LOCKED_INODES_MAX * sizeof(*seen));
	size_t len = 0;
	int nseen = 0, id = 0;

	if (!seen || !cap)
		goto out;
	buf[0] = '\0';
	for (pid_t pid = procfs_next_pid(1); pid > 0; pid = procfs_next_pid(pid + 1)) {
		for (int fd = procfs_next_fd(pid, 0); fd >= 0; fd = procfs_next_fd(pid, fd + 1)) {
			struct inode *ino = procfs_fd_inode(pid, fd);
			bool dup = false;

			if (!ino)
				continue;
			for (int i = 0; i < nseen && !dup; i++)
				dup = seen[i] == ino;
			if (dup || list_empty(&ino->file_locks) || nseen == LOCKED_INODES_MAX) {
				inode_put(ino);
				continue;
			}
			seen[nseen++] = ino;	/* the reference is dropped below */
			len += locks_show_inode(ino, buf + len, cap - len, &id);
		}
	}
	while (nseen > 0)
		inode_put(seen[--nseen]);
out:
	kfree(seen);
	return len;
}
