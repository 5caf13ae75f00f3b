/*
 * A map of small integer ids (pids) with Linux's allocation order: ids grow
 * from the last one handed out, wrap to @wrap_to after @max - 1, and skip ids
 * in use. Pure logic over a caller-supplied bitmap; the caller locks.
 */
#ifndef SPROUT_LIB_IDMAP_H
#define SPROUT_LIB_IDMAP_H

#include "../types.h"

struct idmap {
	u64 *bits;		/* max bits, 1 = in use */
	u32 max;		/* ids are < max (pid_max) */
	u32 min;		/* first id ever handed out (1 for pids) */
	u32 wrap_to;		/* after wrapping, search restarts here (300 for pids) */
	u32 last;		/* last id handed out (0 before the first) */
	u32 used;		/* ids in use */
};

/* idmap_words - u64 words needed for a map of @max ids. */
static inline size_t idmap_words(u32 max) { return (max + 63) / 64; }

/* idmap_init - empty map; @bits must hold idmap_words(max) words. */
void idmap_init(struct idmap *m, u64 *bits, u32 max, u32 min, u32 wrap_to);

/*
 * idmap_alloc - the next free id after the last one handed out, wrapping as
 * described above. Returns the id, or -EAGAIN when every id is in use.
 */
int idmap_alloc(struct idmap *m);

/* idmap_reserve - mark @id used (e.g. pid 1); -EEXIST if it already is. */
int idmap_reserve(struct idmap *m, u32 id);

/* idmap_free - release @id (must be in use). */
void idmap_free(struct idmap *m, u32 id);

/* idmap_in_use - @id is allocated. */
bool idmap_in_use(const struct idmap *m, u32 id);

#endif
