/*
 * Walking a VMA's pages for /proc/PID/smaps and /proc/PID/pagemap.
 *
 * How many address spaces map a frame (its mapcount) follows from the two
 * reference counts mm/ptshare.c keeps exact: a data page's count is the
 * number of distinct leaf tables that map it plus its kernel users (the
 * page cache, for a file's own page), and a leaf table's count is the number
 * of address spaces using it. So from one address space's view:
 *
 *   mapcount = table_refs + (page_refs - kernel_refs - 1)
 *
 * our table counts for every address space sharing it, and each other table
 * mapping the page is taken to be one address space's own. That is exact
 * after fork, after any COW break and after any unshare, which is every way
 * Sprout makes a page shared; it would overcount only a table shared by
 * several address spaces that are not ours, which needs a page to be shared
 * between two unrelated fork trees -- something only a file's cache page
 * can be, and those are counted from the file's side (kernel_refs).
 *
 * Swap: a PTE holding a swap entry (mm/reclaim.c) is reported as swapped,
 * its mapcount counted the same way from the slot's references: one per
 * distinct PTE that holds the entry, so a slot in a leaf table shared by N
 * address spaces has one reference and mapcount N.
 *
 * Locks: mm->lock held by the caller; the inode lock of a mapped file is
 * taken to compare a frame with the file's cached page (order mm -> inode).
 */
#include "kernel.h"
#include "mm.h"
#include "page.h"
#include "fs.h"
#include "pagewalk.h"
#include "swap.h"

/* Is @pg the page @v's file caches for @va (so the cache holds a reference)? */
static bool is_cache_page(struct vma *v, u64 va, struct page *pg)
{
	struct page *c;

	if (!v->file)
		return false;
	c = inode_get_page(v->file, (v->file_off + (va - v->start)) >> PAGE_SHIFT);
	if (!c)
		return false;
	page_put(c);
	return c == pg;
}

static int walk_table(struct vma *v, pte_t *table, u32 table_refs, u64 va, u64 end,
		      int (*fn)(const struct mm_page_info *, void *), void *arg)
{
	for (; va < end; va += PAGE_SIZE) {
		pte_t e = table[(va >> PAGE_SHIFT) & (PT_ENTRIES_PER_TABLE - 1)];
		struct mm_page_info pi;
		int ret;

		if (!pte_present(e)) {
			u32 slot_refs;

			if (!pte_is_swap(e))
				continue;
			memset(&pi, 0, sizeof(pi));
			pi.va = va;
			pi.swapped = true;
			pi.swap_entry = pte_swap_entry(e);
			pi.anon = true;
			pi.table_refs = table_refs ? table_refs : 1;
			slot_refs = swap_entry_count(pi.swap_entry);
			pi.mapcount = pi.table_refs + (slot_refs > 1 ? slot_refs - 1 : 0);
			ret = fn(&pi, arg);
			if (ret)
				return ret;
			continue;
		}
		memset(&pi, 0, sizeof(pi));
		struct page *pg = phys_to_page(pte_phys(e));
		bool cache = is_cache_page(v, va, pg);
		u32 refs = page_refcount(pg);
		u32 others = refs > (u32)cache + 1 ? refs - (u32)cache - 1 : 0;

		pi.va = va;
		pi.present = true;
		pi.pfn = pte_phys(e) >> PAGE_SHIFT;
		pi.writable = pte_write(e);
		pi.dirty = pte_dirty(e);
		pi.young = pte_young(e);
		pi.cow = pte_cow(e);
		pi.anon = !cache;
		pi.page_refs = refs;
		pi.table_refs = table_refs ? table_refs : 1;
		pi.mapcount = pi.table_refs + others;
		ret = fn(&pi, arg);
		if (ret)
			return ret;
	}
	return 0;
}

/* mm_walk_vma_pages - see include/pagewalk.h. */
int mm_walk_vma_pages(struct mm *mm, struct vma *v, u64 start, u64 end,
		      int (*fn)(const struct mm_page_info *info, void *arg), void *arg)
{
	u64 va = start;

	while (va < end) {
		pte_t *pde = arch_pt_walk_pde(mm->pt_root, va, false);
		u64 region_end = (va & ~(PT_REGION_SIZE - 1)) + PT_REGION_SIZE;

		if (!pde) {
			va = arch_pt_next_populated(mm->pt_root, va, end);
			continue;
		}
		if (region_end > end || region_end < va)
			region_end = end;
		if (pde_table_present(*pde)) {
			struct page *tp = phys_to_page(pde_table_phys(*pde));
			int ret = walk_table(v, page_address(tp), page_refcount(tp), va,
					     region_end, fn, arg);

			if (ret)
				return ret;
		}
		va = region_end;
	}
	return 0;
}

/* page_map_estimate - see include/pagewalk.h. */
long page_map_estimate(u64 pfn)
{
	u64 first, end;

	page_pfn_range(&first, &end);
	if (pfn >= end)
		return -1;
	if (pfn < first)
		return 0;

	struct page *pg = phys_to_page(pfn << PAGE_SHIFT);
	u16 flags = __atomic_load_n(&pg->flags, __ATOMIC_RELAXED);

	if (flags & (PG_FREE | PG_RESERVED | PG_KMALLOC))
		return 0;
	return page_refcount(pg);
}
