/*
 * How much memory an address space's page tables take: /proc/PID/status
 * VmPTE, which Linux reports as mm_pgtables_bytes() -- every table below
 * the top level (leaf tables, page directories, page-directory-pointer
 * tables), 4 KiB each. Tables are found by walking the VMAs in address
 * order, so the count costs one lookup per 2 MiB of mapped address space.
 * A leaf table shared with a forked relative (mm/ptshare.c) counts in
 * each address space that uses it, as Linux counts per mm.
 *
 * Locks: the caller's mm->lock.
 */
#include "kernel.h"
#include "mm.h"

#define PD_SPAN		(PT_REGION_SIZE * 512)	/* bytes one page directory covers */
#define PDPT_SPAN	(PD_SPAN * 512)		/* bytes one pointer table covers */

/* mm_pgtable_bytes - see include/mm.h. */
u64 mm_pgtable_bytes(struct mm *mm)
{
	u64 tables = 0, last_leaf = ~0ULL, last_pd = ~0ULL, last_pdpt = ~0ULL;
	struct vma *v;

	list_for_each_entry(v, &mm->vmas, link) {
		for (u64 r = v->start & ~(PT_REGION_SIZE - 1); r < v->end; r += PT_REGION_SIZE) {
			pte_t *pde;

			if (r == last_leaf)
				continue;
			last_leaf = r;
			pde = arch_pt_walk_pde(mm->pt_root, r, false);
			if (!pde)
				continue;
			/* The directory holding this entry exists, and so does its parent. */
			if ((r & ~(PD_SPAN - 1)) != last_pd) {
				last_pd = r & ~(PD_SPAN - 1);
				tables++;
			}
			if ((r & ~(PDPT_SPAN - 1)) != last_pdpt) {
				last_pdpt = r & ~(PDPT_SPAN - 1);
				tables++;
			}
			if (pde_table_present(*pde))
				tables++;
		}
	}
	return tables * PAGE_SIZE;
}
