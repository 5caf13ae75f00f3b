/*
 * The swap cache: pages that have a copy in a swap slot, found by their swap
 * entry. It is what keeps one page one page across swap:
 *   - going out, reclaim (mm/reclaim.c) caches a page from the moment its new
 *     slot is taken until it is written, so that a read-ahead of the slot
 *     finds the page rather than the unwritten slot; a page that came back
 *     unchanged and is still cached goes out without a write, its slot's copy
 *     being current;
 *   - coming back, the first fault reads the slot into a cached page and
 *     every other sharer's fault finds that same page, so a page shared by a
 *     parent and child before swap-out is one page after swap-in, with the
 *     same reference counts (one per mapping table).
 * A cached page has the contents of its slot and is never mapped writable;
 * the first write (cow_break()) takes it out of the cache when no swap entry
 * needs it any more, or copies it.
 *
 * Locks: swap_lock [S] (include/swap.h) guards the hash chains, PG_SWAPCACHE
 * and a cached page's priv (its entry). The cache holds one reference on the
 * page and one on the slot.
 */
#include "kernel.h"
#include "page.h"
#include "swap.h"
#include "list.h"
#include "lib/swapmap.h"
#include "uapi/errno.h"

#define CACHE_BUCKETS	256

static struct list_head buckets[CACHE_BUCKETS];	/* [S] struct page by list */
static u64 nr_cached;				/* [S] */

/* swap_cache_init - see include/swap.h. */
void swap_cache_init(void)
{
	for (int i = 0; i < CACHE_BUCKETS; i++)
		list_init(&buckets[i]);
}

static struct list_head *bucket(u64 entry)
{
	return &buckets[(entry ^ (entry >> 8) ^ (entry >> 32)) % CACHE_BUCKETS];
}

static u64 page_entry(const struct page *pg)
{
	return (u64)(uintptr_t)pg->priv;
}

/* swap_cache_lookup_locked - see include/swap.h. */
struct page *swap_cache_lookup_locked(u64 entry)
{
	struct list_head *b = bucket(entry);
	struct page *pg;

	list_for_each_entry(pg, b, list)
		if (page_entry(pg) == entry)
			return pg;
	return NULL;
}

/* swap_cache_remove_locked - see include/swap.h: unhash @pg; the caller
 * drops the cache's slot and page references. */
void swap_cache_remove_locked(struct page *pg)
{
	list_del(&pg->list);
	list_init(&pg->list);
	pg->flags &= ~PG_SWAPCACHE;
	pg->priv = NULL;
	nr_cached--;
}

/* swap_cache_find - see include/swap.h. */
struct page *swap_cache_find(u64 entry)
{
	spin_lock(&swap_lock);
	struct page *pg = swap_cache_lookup_locked(entry);

	if (pg)
		page_get(pg);
	spin_unlock(&swap_lock);
	return pg;
}

/* swap_cache_add - see include/swap.h. */
void swap_cache_add(struct page *pg, u64 entry)
{
	page_get(pg);
	spin_lock(&swap_lock);
	pg->priv = (void *)(uintptr_t)entry;
	pg->flags |= PG_SWAPCACHE;
	list_add(&pg->list, bucket(entry));
	nr_cached++;
	spin_unlock(&swap_lock);
}

/* swap_cache_alloc_add - see include/swap.h. */
int swap_cache_alloc_add(struct page *pg, u64 *entry)
{
	int err;

	page_get(pg);
	spin_lock(&swap_lock);
	err = swap_entry_alloc_locked(entry);
	if (!err) {
		swap_entry_dup_locked(*entry);
		pg->priv = (void *)(uintptr_t)*entry;
		pg->flags |= PG_SWAPCACHE;
		list_add(&pg->list, bucket(*entry));
		nr_cached++;
	}
	spin_unlock(&swap_lock);
	if (err)
		page_put(pg);
	return err;
}

/* swap_cache_add_used - see include/swap.h. */
int swap_cache_add_used(struct page *pg, u64 entry)
{
	int err = 0;

	page_get(pg);
	spin_lock(&swap_lock);
	if (!swap_entry_count_locked(entry) || swap_entry_count_locked(entry) >= SWAPMAP_MAX)
		err = -ENOENT;
	else if (swap_cache_lookup_locked(entry))
		err = -EEXIST;
	if (!err) {
		swap_entry_dup_locked(entry);
		pg->priv = (void *)(uintptr_t)entry;
		pg->flags |= PG_SWAPCACHE;
		list_add(&pg->list, bucket(entry));
		nr_cached++;
	}
	spin_unlock(&swap_lock);
	if (err)
		page_put(pg);
	return err;
}

/* swap_cache_try_release - see include/swap.h. */
bool swap_cache_try_release(struct page *pg)
{
	bool done = false;

	spin_lock(&swap_lock);
	if (pg->flags & PG_SWAPCACHE) {
		u64 entry = page_entry(pg);

		/* The cache's own reference is the slot's last: no PTE holds
		 * the entry, so the copy on disk is of no further use. */
		if (swap_entry_count_locked(entry) == 1) {
			swap_cache_remove_locked(pg);
			swap_entry_put_locked(entry);
			done = true;
		}
	}
	spin_unlock(&swap_lock);
	if (done)
		page_put(pg);
	return done;
}

/* swap_cache_dup - see include/swap.h. */
int swap_cache_dup(struct page *pg, u64 *entry)
{
	int err = -ENOENT;

	spin_lock(&swap_lock);
	if ((pg->flags & PG_SWAPCACHE) && !swap_entry_writeok_locked(page_entry(pg))) {
		err = -EBUSY;	/* its area is being switched off: no new entries */
	} else if (pg->flags & PG_SWAPCACHE) {
		*entry = page_entry(pg);
		err = swap_entry_count_locked(*entry) < SWAPMAP_MAX ? 0 : -ENOMEM;
		if (!err)
			swap_entry_dup_locked(*entry);
	}
	spin_unlock(&swap_lock);
	return err;
}

/* swap_cache_uncache - see include/swap.h. */
void swap_cache_uncache(struct page *pg)
{
	bool done = false;

	spin_lock(&swap_lock);
	if (pg->flags & PG_SWAPCACHE) {
		u64 entry = page_entry(pg);

		swap_cache_remove_locked(pg);
		swap_entry_put_locked(entry);
		done = true;
	}
	spin_unlock(&swap_lock);
	if (done)
		page_put(pg);
}

/* swap_cache_shrink - see include/swap.h. */
u64 swap_cache_shrink(u64 max)
{
	u64 freed = 0;

	for (int i = 0; i < CACHE_BUCKETS && freed < max; i++) {
		struct page *batch[16];
		int n = 0;

		spin_lock(&swap_lock);
		struct list_head *b = &buckets[i];
		struct page *pg, *tmp;

		list_for_each_entry_safe(pg, tmp, b, list) {
			if (n == 16 || freed + (u64)n >= max)
				break;
			/* Mapped by no one: only the cache holds the frame. */
			if (page_refcount(pg) != 1)
				continue;
			swap_entry_put_locked(page_entry(pg));
			swap_cache_remove_locked(pg);
			batch[n++] = pg;
		}
		spin_unlock(&swap_lock);
		for (int k = 0; k < n; k++)
			page_put(batch[k]);
		freed += (u64)n;
	}
	return freed;
}

/* swap_cache_drop_area - see include/swap.h. */
u64 swap_cache_drop_area(unsigned type)
{
	u64 left = 0;

	for (int i = 0; i < CACHE_BUCKETS; i++) {
		struct page *batch[16];
		int n = 0;
		bool more = true;

		while (more) {
			struct page *pg, *tmp;

			more = false;
			n = 0;
			spin_lock(&swap_lock);
			list_for_each_entry_safe(pg, tmp, &buckets[i], list) {
				u64 entry = page_entry(pg);

				if (swp_type(entry) != type)
					continue;
				if (n == 16) {
					more = true;
					break;
				}
				/* Only the cache may hold the slot now: a PTE that
				 * still names it is seen by the next pass. */
				if (swap_entry_count_locked(entry) != 1)
					continue;
				swap_cache_remove_locked(pg);
				swap_entry_put_locked(entry);
				batch[n++] = pg;
			}
			spin_unlock(&swap_lock);
			for (int k = 0; k < n; k++)
				page_put(batch[k]);
		}
	}
	spin_lock(&swap_lock);
	for (int i = 0; i < CACHE_BUCKETS; i++) {
		struct page *pg;

		list_for_each_entry(pg, &buckets[i], list)
			left += swp_type(page_entry(pg)) == type;
	}
	left += swap_area_in_use_locked(type);
	spin_unlock(&swap_lock);
	return left;
}

/* swap_cache_pages - see include/swap.h. */
u64 swap_cache_pages(void)
{
	return __atomic_load_n(&nr_cached, __ATOMIC_RELAXED);
}
