/*
 * A map of small integer ids (pids) with Linux's allocation order: ids grow
 * from the last one handed out, wrap to @wrap_to after @max - 1, and skip ids
 * in use. Pure logic over a caller-supplied bitmap; the caller locks.
 */
#ifndef SPROUT_LIB_IDMAP_H
#define SPROUT_LIB_IDMAP_H

#include "../types.h"

struct idmap {
	u64 *bits;		/* cap bits, 1 = in use */
	u32 cap;		/* size of the bitmap: no id is ever >= cap */
	u32 max;		/* new ids are < max (pid_max), max <= cap */
	u32 min;		/* first id ever handed out (1 for pids) */
	u32 wrap_to;		/* after wrapping, search restarts here (300 for pids) */
	u32 last;		/* last id handed out (0 before the first) */
	u32 used;		/* ids in use */
};

/* idmap_words - u64 words needed for a map of @max ids. */
static inline size_t idmap_words(u32 max) { return (max + 63) / 64; }

/* idmap_init - empty map of capacity @cap handing out ids below @max;
 * @bits must hold idmap_words(cap) words. */
void idmap_init(struct idmap *m, u64 *bits, u32 cap, u32 max, u32 min, u32 wrap_to);

/*
 * idmap_set_max - new ids stay below @max from now on (pid_max); ids already
 * in use at or above it stay valid until freed. 0, or -EINVAL when @max is
 * above the capacity or not above the wrap point.
 */
int idmap_set_max(struct idmap *m, u32 max);

/* idmap_next_used - the smallest id in use that is >= @from, or -1. */
int idmap_next_used(const struct idmap *m, u32 from);

/*
 * idmap_alloc - the next free id after the last one handed out, wrapping as
 * described above. Returns the id, or -EAGAIN when every id is in use.
 */
int idmap_alloc(struct idmap *m);

/* idmap_reserve - mark @id (< max) used (e.g. pid 1); -EEXIST if it already is. */
int idmap_reserve(struct idmap *m, u32 id);

/* idmap_free - release @id (any id below the capacity). */
void idmap_free(struct idmap *m, u32 id);

/* idmap_in_use - @id is allocated. */
bool idmap_in_use(const struct idmap *m, u32 id);

#endif
