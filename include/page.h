/*
 * Physical page frames.
 *
 * Every frame of usable RAM has one struct page (the page array, indexed by
 * pfn - base_pfn). A page in use has an exact reference count: one per PTE
 * that maps it, plus one per kernel user (page cache, kernel stack, ...).
 * The page is returned to the buddy allocator when the count drops to zero.
 *
 * Locks:
 *   [a] atomic operations only
 *   [z] the zone lock (page_zone.lock) -- free lists and buddy state
 *   [o] owned by whoever holds a reference (no lock)
 *   [L] lru_lock, a spinlock (mm/lru.c): the reclaim clock's list of user pages
 */
#ifndef SPROUT_PAGE_H
#define SPROUT_PAGE_H

#include "types.h"
#include "list.h"
#include "kernel.h"

#define BUDDY_MAX_ORDER	10	/* largest block: 2^10 pages = 4 MiB */

#define PG_FREE		0x1	/* [z] on a buddy free list; order is valid */
#define PG_RESERVED	0x2	/* [z] not RAM or used by the kernel image */
#define PG_KMALLOC	0x4	/* [o] owned by a kmalloc size class */
#define PG_ANON		0x8	/* [o] an anonymous page of user memory (demand-zero or a
				 * private copy), counted as RssAnon where mapped */
#define PG_SWAPCACHE	0x10	/* [swap_lock] in the swap cache: priv is its swap entry,
				 * list its hash chain (mm/swap_cache.c) */

struct page {
	u32 refcount;		/* [a] users of this frame; 0 when free */
	u16 flags;		/* [z]/[o] PG_* */
	u8 order;		/* [z] block order while PG_FREE (head page only) */
	u8 on_lru;		/* [L] on the reclaim clock's list (lru) */
	struct list_head list;	/* [z] free list link; [o] owner's list */
	void *priv;		/* [o] owner's data (kmalloc: its size class) */
	/*
	 * The reverse map (mm/anon_vma.c, mm/lru.c): who maps a user page.
	 * PG_ANON: its struct anon_vma (referenced), set once when it is
	 * first mapped, kept until the frame is freed. Otherwise the tmpfs
	 * inode whose data page it is, cleared [L] when it leaves the file.
	 */
	void *mapping;		/* [o]/[L] */
	u64 index;		/* [o] PG_ANON: the linear page index of its VMA
				 * (vma->pgoff based); a file page: its page offset */
	struct list_head lru;	/* [L] the clock's list, while on_lru */
};

/*
 * A buddy allocator over one contiguous range of frames. Pure logic with no
 * locking and no kernel state, so the host unit tests can drive it; the
 * kernel wraps it with the zone lock in mm/page.c.
 */
struct buddy {
	struct page *pages;	/* one per frame in [base_pfn, base_pfn + npages) */
	u64 base_pfn;
	u64 npages;
	struct list_head free[BUDDY_MAX_ORDER + 1];
	u64 nfree;		/* free frames, all orders (page_free_count() reads it unlocked) */
};

/* buddy_init - every frame of the range starts reserved (PG_RESERVED). */
void buddy_init(struct buddy *b, struct page *pages, u64 base_pfn, u64 npages);
/* buddy_free_range - hand frames [pfn, pfn + count) to the allocator. */
void buddy_free_range(struct buddy *b, u64 pfn, u64 count);
/* buddy_alloc - a block of 2^order frames (head page returned, refcount 0,
 * flags cleared) or NULL when no block that large is free. */
struct page *buddy_alloc(struct buddy *b, unsigned order);
/* buddy_free - return a block allocated with buddy_alloc(@order); merges
 * with free buddies. */
void buddy_free(struct buddy *b, struct page *p, unsigned order);

static inline u64 buddy_pfn(const struct buddy *b, const struct page *p)
{
	return b->base_pfn + (u64)(p - b->pages);
}

/* ---- Kernel page API (mm/page.c) ---- */

/*
 * page_alloc - allocate 2^@order contiguous frames, zero-filled when @zero.
 * Returns the head page with refcount 1, or NULL when memory is exhausted.
 * Locks: takes the zone lock. Sleeps: no.
 */
struct page *page_alloc(unsigned order, bool zero);

/* page_get - take one more reference on a page in use. */
static inline void page_get(struct page *p)
{
	__atomic_add_fetch(&p->refcount, 1, __ATOMIC_RELAXED);
}

/* page_refcount - the current count (a snapshot; exact only when the caller
 * excludes concurrent get/put, e.g. COW under the mm lock). */
static inline u32 page_refcount(const struct page *p)
{
	return __atomic_load_n(&p->refcount, __ATOMIC_ACQUIRE);
}

/*
 * page_put - drop one reference to a page allocated with @order; the block
 * goes back to the allocator when it was the last. Panics on underflow.
 */
void page_put_order(struct page *p, unsigned order);
static inline void page_put(struct page *p) { page_put_order(p, 0); }

/* Conversions between struct page, physical and direct-map addresses. The page array and
 * the frame number of its first entry, [I] once mm_page_init() has run; inline because every
 * fault converts several times. */
extern struct page *page_array;
extern u64 page_array_base_pfn, page_array_npages;

static inline struct page *phys_to_page(u64 phys)
{
	u64 idx = (phys >> PAGE_SHIFT) - page_array_base_pfn;

	KASSERT(idx < page_array_npages);
	return &page_array[idx];
}

static inline u64 page_to_phys(const struct page *p)
{
	return ((u64)(p - page_array) + page_array_base_pfn) << PAGE_SHIFT;
}

void *page_address(const struct page *p);	/* direct-map address */

/* Allocate/free one zeroed frame, as a direct-map pointer (page tables, ...). */
void *page_alloc_va(bool zero);
void page_free_va(void *va);

/* Counters for /proc/meminfo, sysinfo and the leak tests: frames. */
u64 page_free_count(void);
u64 page_total_count(void);

/* page_pfn_range - the frames with a struct page: [*@first, *@end). Sleeps: no. */
void page_pfn_range(u64 *first, u64 *end);

/* mm_page_init - build the page array and free all RAM not in use. */
struct boot_info;
void mm_page_init(struct boot_info *bi);

#endif
