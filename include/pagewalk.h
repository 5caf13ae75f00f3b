/*
 * Walking one VMA's pages for /proc (smaps, pagemap): what each mapped page
 * is and how many address spaces share it, computed from the page tables
 * and the page reference counts (mm/pagewalk.c).
 *
 * Locks: the caller holds the address space's mm->lock for the whole walk;
 * the walk takes the lock of a mapped file's inode (order mm -> inode).
 */
#ifndef SPROUT_PAGEWALK_H
#define SPROUT_PAGEWALK_H

#include "types.h"

struct mm;
struct vma;

/* One mapped (or swapped-out) page of a VMA, as the walk reports it. */
struct mm_page_info {
	u64 va;			/* user virtual address of the page */
	bool present;		/* mapped to frame pfn */
	bool swapped;		/* a swap entry instead of a frame (swap_entry) */
	u64 pfn;		/* physical frame number, when present */
	u64 swap_entry;		/* arch-independent swap slot, when swapped */
	bool writable;		/* the PTE allows writes now */
	bool dirty;		/* the PTE's dirty bit */
	bool young;		/* the PTE's accessed bit */
	bool cow;		/* write-protected for copy-on-write */
	bool anon;		/* not a page of a file's cache (anonymous memory, or the
				 * private copy of a file page) */
	u32 mapcount;		/* address spaces that map this frame, >= 1 */
	u32 page_refs;		/* the frame's reference count */
	u32 table_refs;		/* address spaces sharing the leaf table (mm/ptshare.c) */
};

/*
 * mm_walk_vma_pages - call @fn(@info, @arg) for every page of @v in
 * [@start, @end) (page-aligned user addresses inside @v) that is mapped or
 * swapped out, in address order; unpopulated ranges are skipped whole. A
 * non-zero return from @fn stops the walk and is returned; else 0.
 * Caller holds @mm->lock; @v belongs to @mm. Sleeps: may (inode locks).
 */
int mm_walk_vma_pages(struct mm *mm, struct vma *v, u64 start, u64 end,
		      int (*fn)(const struct mm_page_info *info, void *arg), void *arg);

/*
 * page_map_estimate - /proc/kpagecount's figure for frame @pfn: 0 for a
 * free, reserved or kernel-owned frame, else its reference count (mappings
 * by distinct leaf tables plus kernel users such as the page cache).
 * Returns -1 when @pfn is not RAM. Any context; a snapshot. Sleeps: no.
 */
long page_map_estimate(u64 pfn);

#endif
