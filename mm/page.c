/*
 * Physical page frames: the page array and the zone that hands frames out.
 *
 * At boot every frame of usable RAM gets a struct page; frames used by the
 * kernel image, the boot tables, the initramfs and the page array itself stay
 * reserved, the rest goes to the buddy allocator (mm/buddy.c). One zone covers
 * the span from the lowest to the highest usable frame; holes are reserved.
 *
 * Single frames, the usual request, go through a cache of free frames (as
 * Linux's per-CPU page lists): taking one is a list pop where the buddy
 * allocator would split a larger block, and freeing one a push where it
 * would merge buddies. The cache is refilled a block of 2^PAGE_CACHE_ORDER
 * frames at a time and holds at most PAGE_CACHE_MAX; past that, freed frames
 * go back to the buddy lists. Its frames count as free, and a larger request
 * that finds no block first gives them all back to the buddy lists.
 *
 * Locks: zone.lock (a spinlock) guards the buddy state and the cache.
 * Reference counts are atomic; the frame is free again when its count drops
 * to 0.
 */
#include "kernel.h"
#include "page.h"
#include "rmap.h"
#include "arch.h"
#include "spinlock.h"

#define PAGE_CACHE_ORDER	4	/* the cache takes 16 frames at a time */
#define PAGE_CACHE_MAX		256	/* frames it keeps at most (1 MiB) */

static struct {
	struct spinlock lock;
	struct buddy buddy;	/* [lock] */
	struct list_head cache;	/* [lock] free single frames, through page->list */
	u64 ncached;		/* [lock] frames on it (page_free_count() reads it unlocked) */
	u64 total;		/* [I] frames handed to the allocator at boot */
} zone = { .lock = SPINLOCK_INIT("zone"), .cache = LIST_HEAD_INIT(zone.cache) };

/*
 * Memory is short (under 1/16 of it free in the buddy lists): frames go straight to and from
 * the buddy lists, as without the cache, so that freed frames merge into the blocks larger
 * allocations need (a tmpfs file's slot array, a /proc buffer) instead of staying scattered
 * in the cache while reclaim frees them one by one. [lock]
 */
static bool cache_bypassed(void)
{
	return zone.buddy.nfree < zone.total / 16;
}

/* One free frame from the cache, refilling it from the buddy lists when empty. [lock] */
static struct page *cache_take(void)
{
	struct page *p;

	if (list_empty(&zone.cache)) {
		if (cache_bypassed())
			return buddy_alloc(&zone.buddy, 0);
		p = buddy_alloc(&zone.buddy, PAGE_CACHE_ORDER);
		if (!p)		/* no such block: a single frame may still be free */
			return buddy_alloc(&zone.buddy, 0);
		/* The block's other frames carry no flags and count 0, as free ones here. */
		for (int i = 1; i < (1 << PAGE_CACHE_ORDER); i++)
			list_add_tail(&p[i].list, &zone.cache);
		zone.ncached += (1 << PAGE_CACHE_ORDER) - 1;
		return p;
	}
	p = list_first_entry(&zone.cache, struct page, list);
	list_del(&p->list);
	zone.ncached--;
	return p;
}

/* Give every cached frame back to the buddy lists, where they merge. [lock] */
static void cache_drain(void)
{
	struct page *p, *tmp;

	list_for_each_entry_safe(p, tmp, &zone.cache, list) {
		list_del(&p->list);
		buddy_free(&zone.buddy, p, 0);
	}
	zone.ncached = 0;
}

/* phys_to_page()/page_to_phys() of include/page.h. */
struct page *page_array;
u64 page_array_base_pfn, page_array_npages;

static bool range_overlaps(u64 a0, u64 a1, u64 b0, u64 b1)
{
	return a0 < b1 && b0 < a1;
}

/*
 * mm_page_init - build the page array and free all usable RAM not used by
 * the kernel image, its boot tables, the initramfs or the array itself.
 * Called once on the boot CPU before any allocation. Panics without RAM.
 */
void mm_page_init(struct boot_info *bi)
{
	u64 lo = ~0UL, hi = 0;
	u64 initrd_lo = PAGE_ALIGN_DOWN(bi->initrd_phys);
	u64 initrd_hi = PAGE_ALIGN_UP(bi->initrd_phys + bi->initrd_len);

	for (int i = 0; i < bi->nmem; i++) {
		u64 s = PAGE_ALIGN_UP(bi->mem[i].base);
		u64 e = PAGE_ALIGN_DOWN(bi->mem[i].base + bi->mem[i].len);

		if (s >= e)
			continue;
		lo = MIN(lo, s);
		hi = MAX(hi, e);
	}
	if (lo >= hi)
		panic("mm_page_init: no usable RAM");

	u64 npages = (hi - lo) >> PAGE_SHIFT;
	u64 array_bytes = PAGE_ALIGN_UP(npages * sizeof(struct page));
	u64 kend = PAGE_ALIGN_UP(bi->kernel_phys_end);
	u64 array_phys = 0;

	/* Place the page array in the first usable region after the kernel
	 * that does not collide with the initramfs. */
	for (int i = 0; i < bi->nmem && !array_phys; i++) {
		u64 s = PAGE_ALIGN_UP(MAX(bi->mem[i].base, kend));
		u64 e = PAGE_ALIGN_DOWN(bi->mem[i].base + bi->mem[i].len);

		if (bi->initrd_len && range_overlaps(s, s + array_bytes, initrd_lo, initrd_hi))
			s = MAX(s, initrd_hi);
		if (s + array_bytes <= e)
			array_phys = s;
	}
	if (!array_phys)
		panic("mm_page_init: no room for the page array (%lu bytes)", array_bytes);

	struct page *pages = phys_to_virt(array_phys);
	memset(pages, 0, npages * sizeof(struct page));
	buddy_init(&zone.buddy, pages, lo >> PAGE_SHIFT, npages);
	page_array = pages;
	page_array_base_pfn = lo >> PAGE_SHIFT;
	page_array_npages = npages;

	/* Free every usable frame except the reserved ranges. */
	for (int i = 0; i < bi->nmem; i++) {
		u64 s = PAGE_ALIGN_UP(bi->mem[i].base);
		u64 e = PAGE_ALIGN_DOWN(bi->mem[i].base + bi->mem[i].len);

		for (u64 p = s; p < e;) {
			u64 next = e;
			u64 skip_to = 0;
			u64 rs[3][2] = {
				{ PAGE_ALIGN_DOWN(bi->kernel_phys_start), kend },
				{ array_phys, array_phys + array_bytes },
				{ initrd_lo, initrd_hi },
			};

			/* Frame 0 and the legacy area below 1 MiB stay reserved. */
			if (p < 0x100000) {
				p = MIN(e, (u64)0x100000);
				continue;
			}
			for (int r = 0; r < 3; r++) {
				if (rs[r][0] == rs[r][1])
					continue;
				if (p >= rs[r][0] && p < rs[r][1])
					skip_to = MAX(skip_to, rs[r][1]);
				else if (rs[r][0] > p && rs[r][0] < next)
					next = rs[r][0];
			}
			if (skip_to) {
				p = skip_to;
				continue;
			}
			buddy_free_range(&zone.buddy, p >> PAGE_SHIFT, (next - p) >> PAGE_SHIFT);
			zone.total += (next - p) >> PAGE_SHIFT;
			p = next;
		}
	}
	printk("mm: %lu MiB usable, %lu frames free, page array %lu KiB at %lx\n",
	       (zone.total << PAGE_SHIFT) >> 20, zone.buddy.nfree, array_bytes >> 10, array_phys);
}

/*
 * page_alloc - see include/page.h. The head page gets refcount 1.
 */
struct page *page_alloc(unsigned order, bool zero)
{
	struct page *p;

	spin_lock(&zone.lock);
	if (order == 0) {
		p = cache_take();
	} else {
		p = buddy_alloc(&zone.buddy, order);
		if (!p && zone.ncached) {
			cache_drain();
			p = buddy_alloc(&zone.buddy, order);
		}
	}
	spin_unlock(&zone.lock);

	if (!p)
		return NULL;
	p->refcount = 1;
	p->flags = 0;
	p->priv = NULL;
	p->mapping = NULL;
	list_init(&p->list);
	if (zero) {
		char *va = page_address(p);

		for (u64 i = 0; i < (1ull << order); i++)
			arch_clear_page(va + i * PAGE_SIZE);
	}
	return p;
}

/*
 * page_put_order - drop a reference; free the block at zero. A count that
 * goes below zero is a kernel bug (a double free) and panics.
 */
void page_put_order(struct page *p, unsigned order)
{
	u32 old = __atomic_fetch_sub(&p->refcount, 1, __ATOMIC_ACQ_REL);

	if (unlikely(old == 0))
		panic("page_put: refcount underflow, pfn %lx", buddy_pfn(&zone.buddy, p));
	if (old != 1)
		return;
	/* A user page leaves the reclaim clock and its reverse map. */
	if (p->on_lru || p->mapping)
		rmap_page_freed(p);
	spin_lock(&zone.lock);
	if (order == 0 && zone.ncached < PAGE_CACHE_MAX && !cache_bypassed()) {
		p->flags = 0;
		p->priv = NULL;
		list_add(&p->list, &zone.cache);
		zone.ncached++;
	} else {
		buddy_free(&zone.buddy, p, order);
	}
	spin_unlock(&zone.lock);
}


void *page_address(const struct page *p)
{
	return phys_to_virt(page_to_phys(p));
}

/* page_alloc_va - one frame as a direct-map pointer, or NULL. */
void *page_alloc_va(bool zero)
{
	struct page *p = page_alloc(0, zero);

	return p ? page_address(p) : NULL;
}

/* page_free_va - release a frame from page_alloc_va(). */
void page_free_va(void *va)
{
	page_put(phys_to_page(virt_to_phys(va)));
}

/* page_free_count - frames currently free. Read without the zone lock: one aligned 64-bit
 * load sees the count as some allocation or free left it, which is all that taking the lock
 * and dropping it again before returning gave (every fault asks, for the watermarks). */
u64 page_free_count(void)
{
	return __atomic_load_n(&zone.buddy.nfree, __ATOMIC_RELAXED) +
	       __atomic_load_n(&zone.ncached, __ATOMIC_RELAXED);
}

/* page_total_count - frames the allocator manages. */
u64 page_total_count(void)
{
	return zone.total;
}

/* page_pfn_range - see include/page.h. */
void page_pfn_range(u64 *first, u64 *end)
{
	*first = zone.buddy.base_pfn;
	*end = zone.buddy.base_pfn + zone.buddy.npages;
}
