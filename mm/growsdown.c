/*
 * Stacks that grow down (mmap(2) MAP_GROWSDOWN): a fault below such a
 * mapping, in the free gap under it, extends the mapping down to the page
 * of the fault, as Linux's expand_stack() does, within RLIMIT_STACK and
 * RLIMIT_AS, and never closer than the stack guard gap (256 pages) to an
 * accessible mapping below.
 */
#include "kernel.h"
#include "mm.h"
#include "task.h"
#include "uapi/resource.h"

#define STACK_GUARD_GAP	(256UL * PAGE_SIZE)	/* Linux's stack_guard_gap default */

/*
 * mm_expand_stack - see include/mm.h. Returns the grown VMA, or NULL when
 * @addr is not below a growable mapping or the growth is refused.
 */
struct vma *mm_expand_stack(struct mm *mm, u64 addr)
{
	struct vma *v = vma_lower_bound(mm, addr), *prev = NULL;
	u64 new_start = PAGE_ALIGN_DOWN(addr), grow, stack = rlimit_cur(RLIMIT_STACK);
	u64 as = rlimit_cur(RLIMIT_AS);

	if (!v || !(v->flags & VMA_GROWSDOWN) || addr >= v->start || new_start < USER_BASE)
		return NULL;
	if (v->link.prev != &mm->vmas)
		prev = list_entry(v->link.prev, struct vma, link);
	/* A growsdown neighbour may be met directly; anything else that can be
	 * touched keeps the guard gap (Linux's acct_stack_growth()). */
	if (prev && !(prev->flags & VMA_GROWSDOWN) &&
	    (prev->prot & (MMU_READ | MMU_WRITE | MMU_EXEC)) &&
	    new_start - prev->end < STACK_GUARD_GAP)
		return NULL;
	grow = v->start - new_start;
	if (stack != RLIM_INFINITY && v->end - new_start > stack)
		return NULL;
	if (as != RLIM_INFINITY && mm_total_vm(mm) + grow > as)
		return NULL;
	if (v->file) {
		if (v->file_off < grow)
			return NULL;
		v->file_off -= grow;
	}
	if (v->flags & VMA_LOCKED) {
		if (!mm_memlock_allows(mm, grow / PAGE_SIZE))
			return NULL;
		mm->locked_vm += grow / PAGE_SIZE;
	}
	/* The pages already there keep their index (include/rmap.h). */
	v->pgoff -= grow / PAGE_SIZE;
	v->start = new_start;
	vma_tree_changed(mm, v);
	return v;
}
