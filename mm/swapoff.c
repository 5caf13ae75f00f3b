/*
 * swapoff(2)'s way back: every page of an area that is being switched off
 * is brought in. Each address space is visited with its lock held, and each
 * PTE that names a slot of the area is swapped in as a fault would (the
 * swap cache keeps pages shared by several tables one page); then the
 * cached pages of the area leave the cache (still mapped where they were,
 * read-only copy-on-write until written). The area takes no new pages
 * meanwhile (sys_swapoff() cleared its writeok first), so a few passes
 * reach every slot unless memory runs out: then -ENOMEM, and the area
 * stays on, as on Linux.
 *
 * Locks: tasklist_lock briefly to find the next address space, then its
 * mm->lock (a plain mutex_lock: swapoff holds no other lock).
 */
#include "kernel.h"
#include "mm.h"
#include "page.h"
#include "swap.h"
#include "task.h"
#include "uapi/errno.h"

/* The address space of the first live process with a pid >= *@cursor,
 * referenced; *@cursor moves past it. NULL when there is none. */
static struct mm *mm_from(pid_t *cursor)
{
	struct mm *mm = NULL;

	spin_lock(&tasklist_lock);
	for (pid_t pid = pid_next_in_use(*cursor); pid > 0 && !mm; pid = pid_next_in_use(pid + 1)) {
		struct process *p = process_find(pid);
		struct task *t;

		*cursor = pid + 1;
		if (!p || p->state != PROC_ALIVE)
			continue;
		spin_lock(&p->lock);
		list_for_each_entry(t, &p->threads, thread_link) {
			if (t->mm) {
				mm = t->mm;
				mm_get(mm);
				break;
			}
		}
		spin_unlock(&p->lock);
	}
	spin_unlock(&tasklist_lock);
	return mm;
}

/* Swap in every entry of area @type in @mm. 0 or -ENOMEM/-EIO. */
static int unuse_mm(struct mm *mm, unsigned type)
{
	struct vma *v;
	int err = 0;

	mutex_lock(&mm->lock);
	list_for_each_entry(v, &mm->vmas, link) {
		for (u64 va = v->start; va < v->end && !err;) {
			pte_t *pte = arch_pt_walk(mm->pt_root, va, false);

			if (!pte) {
				va = arch_pt_next_populated(mm->pt_root, va, v->end);
				continue;
			}
			if (pte_is_swap(*pte) && swp_type(pte_swap_entry(*pte)) == type) {
				pte = mm_pte_modify(mm, va, false);	/* a table of our own */
				if (!pte)
					err = -ENOMEM;
				else if (pte_is_swap(*pte))
					err = swap_in_locked(mm, v, va, pte, 0);
			}
			va += PAGE_SIZE;
		}
		if (err)
			break;
	}
	mutex_unlock(&mm->lock);
	return err;
}

/* swap_unuse - see include/swap.h. */
int swap_unuse(unsigned type)
{
	for (int pass = 0; pass < 3; pass++) {
		pid_t cursor = 1;
		struct mm *mm;
		/* tmpfs pages first: their slots are the files' (mm/shmem_swap.c). */
		int err = shmem_unuse(type);

		if (err)
			return err;

		while ((mm = mm_from(&cursor)) != NULL) {
			int err = unuse_mm(mm, type);

			mm_put(mm);
			if (err)
				return err;
		}
		if (swap_cache_drop_area(type) == 0)
			return 0;
	}
	return -ENOMEM;
}
