/*
 * Binary buddy allocator over one contiguous range of page frames.
 *
 * A free block of order k is 2^k frames whose first pfn is a multiple of
 * 2^k (counted from pfn 0, not from the start of the range, so blocks are
 * physically aligned as large pages need). Only its head page carries
 * PG_FREE and the order; the other frames of the block have no flags.
 * The buddy of the block at pfn is the one at pfn ^ 2^k; two free buddies
 * of the same order merge into one block of order k + 1.
 *
 * Pure logic: no locks (mm/page.c holds the zone lock around every call) and
 * no memory of its own, so tests/unit/test_buddy.c drives it on the host.
 * Design after Knuth, TAOCP vol. 1, 2.5 ("buddy system").
 */
#include "kernel.h"
#include "page.h"

static inline struct page *buddy_page(struct buddy *b, u64 pfn)
{
	return &b->pages[pfn - b->base_pfn];
}

static inline bool buddy_in_range(const struct buddy *b, u64 pfn)
{
	return pfn >= b->base_pfn && pfn - b->base_pfn < b->npages;
}

static void buddy_push(struct buddy *b, u64 pfn, unsigned order)
{
	struct page *p = buddy_page(b, pfn);

	p->flags = PG_FREE;
	p->order = (u8)order;
	list_add(&p->list, &b->free[order]);
}

static void buddy_unlink(struct page *p)
{
	list_del(&p->list);
	p->flags &= ~PG_FREE;
	p->order = 0;
}

/*
 * Put the block at @pfn of @order on the free lists, merging upwards while
 * its buddy is a free block of the same order inside the range. The caller
 * has already counted the block's frames in nfree.
 */
static void buddy_insert(struct buddy *b, u64 pfn, unsigned order)
{
	while (order < BUDDY_MAX_ORDER) {
		u64 bud = pfn ^ (1ULL << order);
		struct page *bp;

		if (!buddy_in_range(b, bud))
			break;
		bp = buddy_page(b, bud);
		if (!(bp->flags & PG_FREE) || bp->order != order)
			break;
		buddy_unlink(bp);
		pfn &= ~(1ULL << order);
		order++;
	}
	buddy_push(b, pfn, order);
}

/*
 * buddy_init - describe @npages frames starting at physical frame @base_pfn
 * with the page array @pages (one struct page per frame, caller-owned).
 * Every frame starts PG_RESERVED with refcount 0; nothing is free until
 * buddy_free_range(). Locks: none needed (not yet shared). Sleeps: no.
 */
void buddy_init(struct buddy *b, struct page *pages, u64 base_pfn, u64 npages)
{
	b->pages = pages;
	b->base_pfn = base_pfn;
	b->npages = npages;
	b->nfree = 0;
	for (unsigned i = 0; i <= BUDDY_MAX_ORDER; i++)
		list_init(&b->free[i]);
	for (u64 i = 0; i < npages; i++) {
		pages[i].refcount = 0;
		pages[i].flags = PG_RESERVED;
		pages[i].order = 0;
		pages[i].on_lru = 0;
		list_init(&pages[i].list);
		pages[i].priv = NULL;
		pages[i].mapping = NULL;
		pages[i].index = 0;
		list_init(&pages[i].lru);
	}
}

/*
 * buddy_free_range - give the reserved frames [@pfn, @pfn + @count) (frame
 * numbers, not byte addresses) to the allocator, as the largest aligned
 * blocks that fit; they merge with free neighbours. The range must lie in
 * the allocator's range and not be free already (panics otherwise: a
 * broken boot memory map is a kernel bug). Locks: zone lock. Sleeps: no.
 */
void buddy_free_range(struct buddy *b, u64 pfn, u64 count)
{
	u64 end = pfn + count;

	if (count == 0)
		return;
	KASSERT(end >= pfn && buddy_in_range(b, pfn) && end - b->base_pfn <= b->npages);
	while (pfn < end) {
		unsigned order = 0;

		while (order < BUDDY_MAX_ORDER && !(pfn & (1ULL << order)) &&
		       end - pfn >= (2ULL << order))
			order++;
		for (u64 i = 0; i < (1ULL << order); i++) {
			struct page *p = buddy_page(b, pfn + i);

			KASSERT(!(p->flags & PG_FREE));
			p->flags = 0;
			p->refcount = 0;
		}
		b->nfree += 1ULL << order;
		buddy_insert(b, pfn, order);
		pfn += 1ULL << order;
	}
}

/*
 * buddy_alloc - take a block of 2^@order frames, splitting a larger one when
 * needed (the upper halves go back on the free lists).
 * Returns the head page with flags cleared and refcount 0 (the caller sets
 * the count), or NULL when no block of that order can be found or @order >
 * BUDDY_MAX_ORDER. Locks: zone lock. Sleeps: no.
 */
struct page *buddy_alloc(struct buddy *b, unsigned order)
{
	unsigned k = order;
	struct page *p;
	u64 pfn;

	if (order > BUDDY_MAX_ORDER)
		return NULL;
	while (k <= BUDDY_MAX_ORDER && list_empty(&b->free[k]))
		k++;
	if (k > BUDDY_MAX_ORDER)
		return NULL;
	p = list_first_entry(&b->free[k], struct page, list);
	KASSERT((p->flags & PG_FREE) && p->order == k);
	buddy_unlink(p);
	pfn = buddy_pfn(b, p);
	while (k > order) {
		k--;
		buddy_push(b, pfn + (1ULL << k), k);
	}
	b->nfree -= 1ULL << order;
	p->flags = 0;
	p->refcount = 0;
	return p;
}

/*
 * buddy_free - return the block of 2^@order frames headed by @p, which
 * buddy_alloc(@order) handed out, merging it with free buddies. Its frames
 * lose all flags. Panics on a double free or a misaligned head (both are
 * kernel bugs). Locks: zone lock. Sleeps: no.
 */
void buddy_free(struct buddy *b, struct page *p, unsigned order)
{
	u64 pfn = buddy_pfn(b, p);

	KASSERT(order <= BUDDY_MAX_ORDER);
	KASSERT(buddy_in_range(b, pfn) && (pfn & ((1ULL << order) - 1)) == 0);
	KASSERT(pfn - b->base_pfn + (1ULL << order) <= b->npages);
	if (p->flags & PG_FREE)
		panic("buddy_free: double free of pfn 0x%lx", (unsigned long)pfn);
	p->flags = 0;
	p->refcount = 0;
	p->priv = NULL;
	b->nfree += 1ULL << order;
	buddy_insert(b, pfn, order);
}
