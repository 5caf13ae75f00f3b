/*
 * Id allocation with Linux's pid order (see include/lib/idmap.h): ids are
 * handed out cyclically, so a freed pid is not reused until the counter has
 * gone all the way round. That makes stale pids in user space (a pid read
 * from /proc, a waitpid on a reaped child) very unlikely to name a new process.
 *
 * The search scans 64 ids per step with find-first-zero on whole words.
 */
#include "kernel.h"
#include "uapi/errno.h"
#include "lib/idmap.h"

static inline bool idmap_test(const struct idmap *m, u32 id)
{
	return (m->bits[id / 64] >> (id % 64)) & 1;
}

/* The first clear bit in [from, to), or @to when there is none. */
static u32 idmap_find_zero(const struct idmap *m, u32 from, u32 to)
{
	u32 id = from;

	while (id < to) {
		u64 free = ~m->bits[id / 64] & (~0ULL << (id % 64));

		if (free) {
			u32 hit = (id & ~63u) + (u32)__builtin_ctzll(free);

			return hit < to ? hit : to;
		}
		id = (id & ~63u) + 64;
	}
	return to;
}

/*
 * idmap_init - set up an empty map of ids [0, @cap) over @bits, which holds
 * idmap_words(@cap) u64 words (caller-owned memory), handing out ids below
 * @max (<= @cap). Ids below @min are never handed out; after the first wrap
 * the search restarts at @wrap_to. Locks: the caller's. Sleeps: no.
 */
void idmap_init(struct idmap *m, u64 *bits, u32 cap, u32 max, u32 min, u32 wrap_to)
{
	memset(bits, 0, idmap_words(cap) * sizeof(u64));
	m->bits = bits;
	m->cap = cap;
	m->max = max < cap ? max : cap;
	m->min = min;
	m->wrap_to = wrap_to < min ? min : wrap_to;
	m->last = 0;
	m->used = 0;
}

/*
 * idmap_set_max - lower or raise the bound of new ids, as a write to
 * /proc/sys/kernel/pid_max does: ids in use at or above the new bound keep
 * working (and are freed normally); the cursor restarts below it. Returns 0
 * or -EINVAL (@max above the capacity, or not above @wrap_to).
 * Locks: the caller's. Sleeps: no.
 */
int idmap_set_max(struct idmap *m, u32 max)
{
	if (max > m->cap || max <= m->wrap_to)
		return -EINVAL;
	m->max = max;
	if (m->last >= max)
		m->last = max - 1;	/* the next search wraps at once */
	return 0;
}

/*
 * idmap_next_used - the smallest id in use that is >= @from, or -1 (also
 * for @from >= cap). Scans 64 ids per step. Locks: the caller's.
 */
int idmap_next_used(const struct idmap *m, u32 from)
{
	u32 id = from;

	while (id < m->cap) {
		u64 used = m->bits[id / 64] & (~0ULL << (id % 64));

		if (used)
			return (int)((id & ~63u) + (u32)__builtin_ctzll(used));
		id = (id & ~63u) + 64;
	}
	return -1;
}

/*
 * idmap_alloc - take the next free id after the last one handed out.
 * Like Linux's alloc_pid() (idr_alloc_cyclic between RESERVED_PIDS and
 * pid_max): ids below @wrap_to are only used before the counter has first
 * passed @wrap_to. Returns the id, or -EAGAIN when no id is free (fork(2)
 * reports EAGAIN then). Locks: the caller's. Sleeps: no.
 */
int idmap_alloc(struct idmap *m)
{
	u32 next = m->last + 1;
	u32 lo = next > m->wrap_to ? m->wrap_to : m->min;
	u32 start = next < lo ? lo : next;
	u32 id;

	if (lo >= m->max)
		return -EAGAIN;
	if (start >= m->max)
		start = lo;
	id = idmap_find_zero(m, start, m->max);
	if (id == m->max) {
		id = idmap_find_zero(m, lo, start);
		if (id == start)
			return -EAGAIN;
	}
	m->bits[id / 64] |= 1ULL << (id % 64);
	m->used++;
	m->last = id;
	return (int)id;
}

/*
 * idmap_reserve - mark @id in use without moving the allocation cursor
 * (pid 1 for init, pid 0 for the idle tasks). Returns 0, -EEXIST when @id
 * is already in use, or -EINVAL when @id >= max. Locks: the caller's.
 */
int idmap_reserve(struct idmap *m, u32 id)
{
	if (id >= m->max)
		return -EINVAL;
	if (idmap_test(m, id))
		return -EEXIST;
	m->bits[id / 64] |= 1ULL << (id % 64);
	m->used++;
	return 0;
}

/*
 * idmap_free - release @id. Freeing an id that is not in use (or out of
 * range) changes nothing, so the count of used ids stays exact.
 * Locks: the caller's. Sleeps: no.
 */
void idmap_free(struct idmap *m, u32 id)
{
	if (id >= m->cap || !idmap_test(m, id))
		return;
	m->bits[id / 64] &= ~(1ULL << (id % 64));
	m->used--;
}

/*
 * idmap_in_use - whether @id is allocated (false for ids >= cap).
 * Locks: the caller's. Sleeps: no.
 */
bool idmap_in_use(const struct idmap *m, u32 id)
{
	return id < m->cap && idmap_test(m, id);
}
