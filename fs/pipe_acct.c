/*
 * What pipes may use: /proc/sys/fs/pipe-max-size (the largest capacity an
 * unprivileged F_SETPIPE_SZ may ask for, and the cap on a new pipe's size)
 * and the per-user count of pipe buffer pages that pipe-user-pages-soft and
 * pipe-user-pages-hard bound (pipe(7) "/proc files"). Like Linux, each user
 * is charged the pages of every pipe it created; over the soft limit a new
 * pipe gets 2 pages instead of 16, over the hard limit pipe(2) fails, and
 * over either F_SETPIPE_SZ may not grow a pipe -- unless the caller is
 * privileged (euid 0; Linux: CAP_SYS_RESOURCE or CAP_SYS_ADMIN).
 *
 * Locks: acct_lock (spinlock, a leaf) guards the user table; the limits are
 * [a]. A user's row is freed when its count drops to 0; the table holds
 * PIPE_ACCT_USERS users with pipes at once, and a user beyond that is
 * charged in a shared overflow row (so limits stay conservative, never lax).
 */
#include "internal.h"
#include "cpu.h"
#include "task.h"

#define PIPE_ACCT_USERS		64
#define PIPE_MAX_SIZE_DEF	(1U << 20)	/* bytes: Linux's pipe-max-size default */
#define PIPE_USER_SOFT_DEF	16384		/* pages: 1024 pipes of 16 pages */

static struct spinlock acct_lock = SPINLOCK_INIT("pipe_acct");
static struct {
	uid_t uid;
	u64 pages;			/* [acct_lock] 0: the row is free */
} acct[PIPE_ACCT_USERS + 1];		/* the last row: users that found no room */

static u32 pipe_max_size = PIPE_MAX_SIZE_DEF;		/* [a] bytes */
static int pipe_user_soft = PIPE_USER_SOFT_DEF;		/* [a] pages, 0: none */
static int pipe_user_hard;				/* [a] pages, 0: none */

/* round_pipe_size: 0 above 2 GiB, else a power of two pages. */
u32 pipe_round_size(u64 size)
{
	u64 r = PAGE_SIZE;

	if (size > (1ULL << 31))
		return 0;
	while (r < size)
		r <<= 1;
	return (u32)r;
}

long pipe_max_size_get(void)
{
	return __atomic_load_n(&pipe_max_size, __ATOMIC_RELAXED);
}

int pipe_max_size_set(u32 bytes)
{
	u32 r = pipe_round_size(bytes);

	if (!r)
		return -EINVAL;
	__atomic_store_n(&pipe_max_size, r, __ATOMIC_RELAXED);
	return 0;
}

long pipe_user_pages_soft_get(void)
{
	return __atomic_load_n(&pipe_user_soft, __ATOMIC_RELAXED);
}

int pipe_user_pages_soft_set(long pages)
{
	if (pages < 0 || pages > 0x7fffffffL)
		return -EINVAL;
	__atomic_store_n(&pipe_user_soft, (int)pages, __ATOMIC_RELAXED);
	return 0;
}

long pipe_user_pages_hard_get(void)
{
	return __atomic_load_n(&pipe_user_hard, __ATOMIC_RELAXED);
}

int pipe_user_pages_hard_set(long pages)
{
	if (pages < 0 || pages > 0x7fffffffL)
		return -EINVAL;
	__atomic_store_n(&pipe_user_hard, (int)pages, __ATOMIC_RELAXED);
	return 0;
}

/* The row of @uid (a free one if it has none). [acct_lock] held. */
static int acct_row(uid_t uid)
{
	int free_row = -1;

	for (int i = 0; i < PIPE_ACCT_USERS; i++) {
		if (acct[i].pages && acct[i].uid == uid)
			return i;
		if (!acct[i].pages && free_row < 0)
			free_row = i;
	}
	if (free_row < 0)
		return PIPE_ACCT_USERS;
	acct[free_row].uid = uid;
	return free_row;
}

u64 pipe_acct_change(uid_t uid, u32 old_pages, u32 new_pages)
{
	u64 total;
	int i;

	spin_lock(&acct_lock);
	i = acct_row(uid);
	acct[i].pages = acct[i].pages - old_pages + new_pages;
	total = acct[i].pages;
	spin_unlock(&acct_lock);
	return total;
}

bool pipe_acct_over_soft(u64 pages)
{
	u64 soft = (u64)__atomic_load_n(&pipe_user_soft, __ATOMIC_RELAXED);

	return soft && pages > soft;
}

bool pipe_acct_over_hard(u64 pages)
{
	u64 hard = (u64)__atomic_load_n(&pipe_user_hard, __ATOMIC_RELAXED);

	return hard && pages > hard;
}

bool pipe_acct_privileged(void)
{
	return current->proc->euid == 0;
}
