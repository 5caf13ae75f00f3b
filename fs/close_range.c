/*
 * close_range(2): close, or mark close-on-exec, every open descriptor in
 * [first, last], optionally after taking a private copy of a descriptor
 * table shared with other threads or processes (CLONE_FILES).
 *
 * The walk asks the table for the next open descriptor each time, so its
 * cost follows the descriptors open, not the width of the range (last is
 * often ~0U, "everything from first on").
 *
 * Locks: the descriptor table's, per step (fd_close(), fd_cloexec_set());
 * current's process lock while the table pointer is swapped, as exec does.
 */
#include "internal.h"
#include "task.h"
#include "cpu.h"

#define CLOSE_RANGE_UNSHARE	(1U << 1)
#define CLOSE_RANGE_CLOEXEC	(1U << 2)

/* Give current a private copy of its descriptor table: 0 or -ENOMEM. */
static long files_unshare(void)
{
	struct task *t = current;
	struct files *old = t->files, *copy;

	if (__atomic_load_n(&old->refcount, __ATOMIC_ACQUIRE) == 1)
		return 0;
	copy = files_dup(old);
	if (!copy)
		return -ENOMEM;
	spin_lock(&t->proc->lock);
	t->files = copy;
	spin_unlock(&t->proc->lock);
	files_put(old);
	return 0;
}

/*
 * sys_close_range - close_range(2): close every open descriptor from
 * @first to @last inclusive, or with CLOSE_RANGE_CLOEXEC set their
 * close-on-exec flag instead; CLOSE_RANGE_UNSHARE first unshares the
 * table. Returns 0, -EINVAL (unknown flags, @first > @last) or -ENOMEM
 * (unsharing). Closing drops record locks as close(2) does. May sleep.
 */
long sys_close_range(unsigned first, unsigned last, unsigned flags)
{
	long r;

	if (flags & ~(CLOSE_RANGE_UNSHARE | CLOSE_RANGE_CLOEXEC))
		return -EINVAL;
	if (first > last)
		return -EINVAL;
	if (flags & CLOSE_RANGE_UNSHARE) {
		r = files_unshare();
		if (r)
			return r;
	}
	if (first > (unsigned)0x7fffffff)
		return 0;
	for (int fd = (int)first;;) {
		fd = files_next_fd(current->files, fd);
		if (fd < 0 || (unsigned)fd > last)
			break;
		if (flags & CLOSE_RANGE_CLOEXEC)
			fd_cloexec_set(fd, true);
		else
			fd_close(fd);
		if (fd == 0x7fffffff)
			break;
		fd++;
	}
	return 0;
}
