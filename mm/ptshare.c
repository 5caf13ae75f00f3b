/*
 * Leaf page tables shared copy-on-write between address spaces.
 *
 * fork() does not copy page table entries: the child's page directory points
 * at the parent's leaf tables, and both directory entries lose their write
 * bit. Each leaf table's struct page counts the address spaces that use it.
 * So fork costs one step per 2 MiB region instead of one per page, and the
 * rest of the copy happens only where someone writes (or faults a page in,
 * or changes a mapping).
 *
 * The invariant that keeps page counts exact: a data page's refcount counts
 * the distinct leaf tables whose entries map it (plus kernel users). A shared
 * table counts once, however many address spaces use it.
 *
 * Making a table private (pt_unshare), when its refcount is above 1: copy
 * its 512 entries into a new table, take one more reference on every page
 * they map (a second table now maps it), write-protect and mark COW every
 * writable entry in both tables (the pages are now shared by two tables),
 * point our directory entry at the copy with the write bit, and drop our
 * reference on the old table. When the refcount is 1 the table is ours
 * alone: the directory entry just gets its write bit back.
 *
 * Locks: the caller holds the mm lock of the address space it changes. The
 * table refcount is atomic; it can only grow through a fork of an address
 * space that uses the table, which holds that address space's lock, so a
 * count of 1 seen under our lock stays 1.
 */
#include "kernel.h"
#include "mm.h"
#include "page.h"
#include "swap.h"
#include "uapi/errno.h"
#include "trace.h"

/*
 * The next address to look at after @va when @pde (the directory entry of
 * @va, or NULL when an upper level is absent) has no leaf table.
 */
static u64 skip_hole(struct mm *mm, u64 va, const pte_t *pde, u64 end)
{
	if (!pde)
		return arch_pt_next_populated(mm->pt_root, va, end);
	return (va & ~(PT_REGION_SIZE - 1)) + PT_REGION_SIZE;
}

/*
 * Drop one address space's reference on leaf table @tp; the last one releases
 * the pages its entries map and frees the table.
 */
static void pt_table_put(struct page *tp)
{
	if (__atomic_sub_fetch(&tp->refcount, 1, __ATOMIC_ACQ_REL) != 0)
		return;

	pte_t *t = page_address(tp);

	/* Present entries drop their page (and its swap slot when only the
	 * swap cache held it); swap entries their slot. Both are non-zero,
	 * found eight entries at a time. */
	for (unsigned i = pt_next_used(t, 0, PT_ENTRIES_PER_TABLE); i < PT_ENTRIES_PER_TABLE;
	     i = pt_next_used(t, i + 1, PT_ENTRIES_PER_TABLE)) {
		if (pte_present(t[i])) {
			struct page *pg = phys_to_page(pte_phys(t[i]));

			if (pg->flags & PG_SWAPCACHE)
				swap_cache_try_release(pg);
			page_put(pg);
		} else if (pte_is_swap(t[i])) {
			swap_pte_gone(pte_swap_entry(t[i]));
		}
	}
	tp->refcount = 1;	/* back to the page allocator's own convention */
	page_put(tp);
}

/* Make the leaf table behind @pde private to @mm (see the top of the file). */
static int pt_unshare(struct mm *mm, pte_t *pde)
{
	struct page *tp = phys_to_page(pde_table_phys(*pde));
	pte_t *old = page_address(tp);

	if (page_refcount(tp) == 1) {
		/* Only a right is added: a stale read-only translation faults
		 * once more and is dropped then (mm_fault_locked()). */
		*pde = pde_mkwrite(*pde);
		return 0;
	}

	/* Cleared (sixteen bytes a store, arch_clear_page()): only the used
	 * entries are copied below, and a table is mostly empty. */
	struct page *np = page_alloc(0, true);

	if (!np)
		return -ENOMEM;
	pte_t *new = page_address(np);

	/* A second table will name every slot: one more reference each
	 * (refused only past 65534 sharers of one slot). */
	for (int i = pt_next_used(old, 0, PT_ENTRIES_PER_TABLE); i < PT_ENTRIES_PER_TABLE;
	     i = pt_next_used(old, i + 1, PT_ENTRIES_PER_TABLE)) {
		if (pte_is_swap(old[i]) && swap_entry_dup(pte_swap_entry(old[i]))) {
			while (i-- > 0)
				if (pte_is_swap(old[i]))
					swap_entry_put(pte_swap_entry(old[i]));
			page_put(np);
			return -ENOMEM;
		}
	}
	/* The used entries, found eight at a time, copied: present ones made
	 * copy-on-write on both sides and counted, the others as they are. */
	for (unsigned i = pt_next_used(old, 0, PT_ENTRIES_PER_TABLE); i < PT_ENTRIES_PER_TABLE;
	     i = pt_next_used(old, i + 1, PT_ENTRIES_PER_TABLE)) {
		pte_t e = old[i];

		if (pte_present(e)) {
			if (pte_write(e)) {
				e = pte_wrprotect_cow(e);
				old[i] = e;
			}
			page_get(phys_to_page(pte_phys(e)));
		}
		new[i] = e;
	}
	*pde = pde_mk_table(page_to_phys(np));
	/* Every CPU running this mm must forget the old table (x86 caches
	 * directory entries too) before our reference on it goes: it may be
	 * the last one, and the frame would be reused. */
	mm_flush_all(mm);
	pt_table_put(tp);
	return 0;
}

/* mm_pte_lookup - see include/mm.h. */
pte_t *mm_pte_lookup(struct mm *mm, u64 va, bool *own)
{
	pte_t *pde = arch_pt_walk_pde(mm->pt_root, va, false);
	pte_t *t;

	*own = false;
	if (!pde || !pde_table_present(*pde))
		return NULL;
	*own = pde_write(*pde);
	t = phys_to_virt(pde_table_phys(*pde));
	return &t[(va >> PAGE_SHIFT) & (PT_ENTRIES_PER_TABLE - 1)];
}

/* mm_pte_modify - see include/mm.h. */
pte_t *mm_pte_modify(struct mm *mm, u64 va, bool alloc)
{
	pte_t *pde = arch_pt_walk_pde(mm->pt_root, va, alloc);

	if (!pde)
		return NULL;
	if (pde_table_present(*pde) && !pde_write(*pde)) {
		bool copy = page_refcount(phys_to_page(pde_table_phys(*pde))) > 1;

		if (pt_unshare(mm, pde))
			return NULL;
		trace_pt_unshare(va, copy);
	}
	/* The leaf table is known from its directory entry: no second walk. */
	if (pde_table_present(*pde)) {
		pte_t *t = phys_to_virt(pde_table_phys(*pde));

		return &t[(va >> PAGE_SHIFT) & (PT_ENTRIES_PER_TABLE - 1)];
	}
	return arch_pt_walk(mm->pt_root, va, alloc);
}

/*
 * The directory entries of one page directory are contiguous: from the entry
 * of @va, the following ones cover the next regions up to the end of the
 * directory (a 512-region, 1 GiB boundary on x86-64). Walking them in place
 * costs one top-down walk per directory instead of one per region.
 */
static u64 dir_end(u64 va)
{
	const u64 dir_span = PT_REGION_SIZE * PT_ENTRIES_PER_TABLE;

	return (va & ~(dir_span - 1)) + dir_span;
}

/* mm_pt_share - see include/mm.h. */
int mm_pt_share(struct mm *parent, struct mm *child)
{
	for (u64 va = 0; va < USER_TOP;) {
		pte_t *ppde = arch_pt_walk_pde(parent->pt_root, va, false);

		if (!ppde) {
			va = skip_hole(parent, va, NULL, USER_TOP);
			continue;
		}
		pte_t *cdir = NULL;	/* the child's entry for cdir_va */
		u64 cdir_va = 0;
		u64 end = MIN(dir_end(va), USER_TOP);

		for (; va < end; va = (va & ~(PT_REGION_SIZE - 1)) + PT_REGION_SIZE, ppde++) {
			if (!pte_present(*ppde)) {
				/* A run of absent entries: skipped in one sweep. */
				u64 region = va & ~(PT_REGION_SIZE - 1);
				unsigned left = (end - region + PT_REGION_SIZE - 1) / PT_REGION_SIZE;
				unsigned k = pt_next_present(ppde, 0, left);

				if (k == left) {
					va = end;
					break;
				}
				ppde += k;
				va = region + (u64)k * PT_REGION_SIZE;
			}
			if (!pde_table_present(*ppde))
				continue;
			if (!cdir) {
				cdir = arch_pt_walk_pde(child->pt_root, va, true);
				if (!cdir)
					return -ENOMEM;
				cdir_va = va & ~(PT_REGION_SIZE - 1);
			}
			pte_t *cpde = cdir + ((va & ~(PT_REGION_SIZE - 1)) - cdir_va) / PT_REGION_SIZE;

			*ppde = pde_wrprotect(*ppde);
			*cpde = *ppde;
			page_get(phys_to_page(pde_table_phys(*ppde)));
		}
	}
	child->rss_pages = parent->rss_pages;
	child->rss_anon = parent->rss_anon;
	child->rss_shmem = parent->rss_shmem;
	child->swap_ents = parent->swap_ents;
	mm_flush_all(parent);
	return 0;
}

/*
 * Frames unmapped by mm_pt_release() but not released yet: a frame (or a
 * table) may go back to the allocator only after every CPU that has the mm
 * loaded has dropped its translations (an "mmu gather").
 */
#define GATHER_MAX	32	/* 512 bytes of stack */

struct pt_gather {
	struct page *pages[GATHER_MAX];	/* data pages: one reference each */
	struct page *tables[GATHER_MAX];	/* detached leaf tables: one reference each */
	int npages, ntables;
};

static void gather_release(struct mm *mm, struct pt_gather *g)
{
	if (!g->npages && !g->ntables)
		return;
	mm_flush_all(mm);
	for (int i = 0; i < g->npages; i++) {
		/* A page kept in the swap cache after a read (mm/swapin.c) needs
		 * its slot no more once it is unmapped for good. */
		if (g->pages[i]->flags & PG_SWAPCACHE)
			swap_cache_try_release(g->pages[i]);
		page_put(g->pages[i]);
	}
	for (int i = 0; i < g->ntables; i++)
		pt_table_put(g->tables[i]);
	g->npages = g->ntables = 0;
}

/* Is @va in a MAP_SHARED mapping of @mm? *@v caches the VMA looked up last. */
static bool va_shared(struct mm *mm, u64 va, struct vma **v)
{
	if (!*v || va < (*v)->start || va >= (*v)->end)
		*v = mm_find_vma(mm, va);
	return *v && ((*v)->flags & VMA_SHARED);
}

/* The pages and swap entries of leaf table @t, whose region starts at @va,
 * leave @mm's resident set and swap count. */
static void unaccount_table(struct mm *mm, const pte_t *t, u64 va, struct vma **v)
{
	for (unsigned i = pt_next_used(t, 0, PT_ENTRIES_PER_TABLE); i < PT_ENTRIES_PER_TABLE;
	     i = pt_next_used(t, i + 1, PT_ENTRIES_PER_TABLE)) {
		u64 a = va + (u64)i * PAGE_SIZE;

		if (pte_present(t[i]))
			mm_rss_account(mm, phys_to_page(pte_phys(t[i])), va_shared(mm, a, v), -1);
		else if (pte_is_swap(t[i]) && mm->swap_ents)
			mm->swap_ents--;
	}
}

/* mm_pt_release - see include/mm.h. */
void mm_pt_release(struct mm *mm, u64 start, u64 end)
{
	struct pt_gather gather = { .npages = 0, .ntables = 0 };
	struct pt_gather *g = &gather;
	const int cap = GATHER_MAX;
	struct vma *v = NULL;
	/* The last reference gone (mm_put()): the counters die with @mm, and
	 * its detached tables need not be unaccounted entry by entry. */
	bool dying = __atomic_load_n(&mm->refcount, __ATOMIC_ACQUIRE) == 0;

	for (u64 va = start; va < end && va < USER_TOP;) {
		pte_t *pde = arch_pt_walk_pde(mm->pt_root, va, false);

		if (!pde) {
			va = skip_hole(mm, va, NULL, end);
			continue;
		}
		u64 stop = MIN(dir_end(va), end);

		while (va < stop) {
			u64 region = va & ~(PT_REGION_SIZE - 1);
			u64 region_end = region + PT_REGION_SIZE;

			if (!pte_present(*pde)) {
				/* A run of absent entries: skipped in one sweep. */
				unsigned left = (stop - region + PT_REGION_SIZE - 1) / PT_REGION_SIZE;
				unsigned k = pt_next_present(pde, 0, left);

				if (k == left) {
					va = stop;
					break;
				}
				pde += k;
				va = region + (u64)k * PT_REGION_SIZE;
				continue;
			}
			if (!pde_table_present(*pde)) {
				va = region_end;
				pde++;
				continue;
			}
			if (va == region && region_end <= end) {
				/* The whole region goes: detach the table. */
				struct page *tp = phys_to_page(pde_table_phys(*pde));

				if (!dying)
					unaccount_table(mm, page_address(tp), region, &v);
				g->tables[g->ntables++] = tp;
				*pde = 0;
				if (g->ntables == cap)
					gather_release(mm, g);
				va = region_end;
				pde++;
				continue;
			}
			/* Part of a region: clear its PTEs one by one. */
			for (; va < MIN(region_end, end); va += PAGE_SIZE) {
				pte_t *pte = mm_pte_modify(mm, va, false);

				if (pte && pte_present(*pte)) {
					struct page *pg = phys_to_page(pte_phys(*pte));

					g->pages[g->npages++] = pg;
					*pte = 0;
					mm_rss_account(mm, pg, va_shared(mm, va, &v), -1);
					if (g->npages == cap)
						gather_release(mm, g);
				} else if (pte && pte_is_swap(*pte)) {
					/* No TLB holds a non-present entry. */
					swap_pte_gone(pte_swap_entry(*pte));
					*pte = 0;
					mm->swap_ents--;
				}
			}
			pde++;
		}
	}
	gather_release(mm, g);
}
