/*
 * mremap(2): grow, shrink or move a mapping. A move carries the page-table
 * entries over to the new addresses -- the pages themselves (and swap
 * entries, COW marks, dirty state) stay where they are -- so moving a large
 * block costs one PTE copy per present page, never a page copy; glibc's
 * realloc of mmap'ed blocks relies on this.
 *
 * Growing tries the addresses right after the mapping first; with
 * MREMAP_MAYMOVE it moves when they are taken. MREMAP_FIXED moves to a
 * chosen address (replacing what was there); MREMAP_DONTUNMAP moves the
 * pages but leaves the old range mapped and empty, so touching it again
 * gives zero-filled pages (private anonymous) or the file's pages. An old
 * size of 0 on a shared mapping makes a second mapping of the same pages.
 *
 * Locks: mm->lock around everything (the [m] fields of include/mm.h).
 */
#include "kernel.h"
#include "mm.h"
#include "rmap.h"
#include "fs.h"
#include "task.h"
#include "cpu.h"
#include "uapi/errno.h"
#include "uapi/resource.h"

#define MREMAP_MAYMOVE		1
#define MREMAP_FIXED		2
#define MREMAP_DONTUNMAP	4

static u64 page_align(u64 n)
{
	return (n + PAGE_SIZE - 1) & ~(PAGE_SIZE - 1);
}

static struct vma *vma_after(struct mm *mm, struct vma *v)
{
	return v->link.next == &mm->vmas ? NULL : list_entry(v->link.next, struct vma, link);
}

/* Growing @v by @delta bytes: RLIMIT_AS, and RLIMIT_MEMLOCK for a locked
 * mapping (Linux's vma_to_resize()). 0, -ENOMEM or -EAGAIN. */
static long growth_allowed(struct mm *mm, struct vma *v, u64 delta)
{
	u64 as = rlimit_cur(RLIMIT_AS);

	if ((v->flags & VMA_LOCKED) && !mm_memlock_allows(mm, delta / PAGE_SIZE))
		return -EAGAIN;
	if (as != RLIM_INFINITY && mm_total_vm(mm) + delta > as)
		return -ENOMEM;
	return 0;
}

/* Extend @v, which ends at its end, by @delta bytes in place if the
 * addresses are free: 0, or -ENOMEM when something is mapped there. */
static long grow_in_place(struct mm *mm, struct vma *v, u64 delta)
{
	struct vma *next = vma_after(mm, v);
	u64 end = v->end + delta;

	if (end < v->end || end > USER_TOP || (next && next->start < end))
		return -ENOMEM;
	v->end = end;
	vma_tree_changed(mm, v);
	if (v->flags & VMA_LOCKED) {
		mm->locked_vm += delta / PAGE_SIZE;
		if (!(v->flags & VMA_LOCKONFAULT))
			mm_populate_range(mm, end - delta, end);
	}
	return 0;
}

/*
 * Make PTEs of [@from, @from + @len) movable: their leaf tables private to
 * @mm (not shared with a forked relative) and a table ready at each
 * destination. Nothing is moved yet, so a failure leaves no trace but empty
 * tables. 0 or -ENOMEM.
 */
static long prepare_move(struct mm *mm, u64 from, u64 to, u64 len)
{
	for (u64 off = 0; off < len; off += PAGE_SIZE) {
		pte_t *pte = arch_pt_walk(mm->pt_root, from + off, false);

		if (!pte || !*pte)
			continue;
		if (!mm_pte_modify(mm, from + off, false) || !mm_pte_modify(mm, to + off, true))
			return -ENOMEM;
	}
	return 0;
}

/* Carry every non-empty PTE of [@from, +@len) to [@to, +@len). Cannot fail
 * after prepare_move(). */
static void move_ptes(struct mm *mm, u64 from, u64 to, u64 len)
{
	for (u64 off = 0; off < len; off += PAGE_SIZE) {
		pte_t *src = mm_pte_modify(mm, from + off, false), *dst;

		if (!src || !*src)
			continue;
		dst = mm_pte_modify(mm, to + off, true);
		*dst = *src;
		*src = 0;
	}
	mm_flush_all(mm);
}

/*
 * Move [@addr, @addr + @old_len) of @v to a new mapping of @new_len bytes
 * at @to (chosen free, or MREMAP_FIXED's, replacing what is there). Returns
 * @to or a negative errno; on failure the old mapping is untouched.
 */
static long move_mapping(struct mm *mm, struct vma *v, u64 addr, u64 old_len, u64 to,
			 u64 new_len, bool keep_old)
{
	u32 flags = v->flags & ~(VMA_HEAP | VMA_STACK);
	u64 move = MIN(old_len, new_len), file_off = v->file_off + (addr - v->start);
	u32 prot = v->prot;
	struct inode *file = v->file;
	const struct vma_ops *ops = v->ops;
	void *priv = v->priv;
	u64 vend = v->file_vend;
	u64 pgoff = v->pgoff + (addr - v->start) / PAGE_SIZE;
	struct vma *nv;
	long err;

	if (file)
		inode_get(file);	/* @v may go while the destination is cleared */
	err = mm_map_locked(mm, to, new_len, prot, flags, file, file_off, vend);
	if (file)
		inode_put(file);
	if (err)
		return err;
	nv = mm_find_vma(mm, to);
	nv->ops = ops;
	nv->priv = priv;
	/* The moved pages keep their index and anon_vma (include/rmap.h). */
	nv->pgoff = pgoff;
	if (v->anon_vma) {
		nv->anon_vma = v->anon_vma;
		anon_vma_link_copy(nv);
	}
	if (ops && ops->open)
		ops->open(nv);
	err = prepare_move(mm, addr, to, move);
	if (err) {
		mm_unmap_locked(mm, to, new_len);
		return err;
	}
	move_ptes(mm, addr, to, move);
	if (!keep_old)
		mm_unmap_locked(mm, addr, old_len);
	if ((flags & VMA_LOCKED) && !(flags & VMA_LOCKONFAULT) && new_len > move)
		mm_populate_range(mm, to + move, to + new_len);
	return (long)to;
}

/*
 * sys_mremap - mremap(2): resize the mapping at @addr from @old_len to
 * @new_len bytes (both rounded up to pages), moving it when allowed
 * (MREMAP_MAYMOVE), to @new_addr with MREMAP_FIXED, leaving the old range
 * mapped with MREMAP_DONTUNMAP. Returns the mapping's (new) address, or
 * -EINVAL (flags or their combinations, an unaligned address, a new size
 * of 0, overlapping ranges, an old size of 0 on a private mapping),
 * -EFAULT (@addr not mapped, or the old range not within one mapping),
 * -ENOMEM (no room to grow or to move, RLIMIT_AS), -EAGAIN (RLIMIT_MEMLOCK
 * of a locked mapping). Takes the mm lock. May sleep.
 */
long sys_mremap(u64 addr, u64 old_len, u64 new_len, unsigned long flags, u64 new_addr)
{
	struct mm *mm = current->mm;
	struct vma *v;
	long r;

	if (flags & ~(unsigned long)(MREMAP_MAYMOVE | MREMAP_FIXED | MREMAP_DONTUNMAP))
		return -EINVAL;
	if ((flags & MREMAP_FIXED) && !(flags & MREMAP_MAYMOVE))
		return -EINVAL;
	if ((flags & MREMAP_DONTUNMAP) && (!(flags & MREMAP_MAYMOVE) || old_len != new_len))
		return -EINVAL;
	if (addr & (PAGE_SIZE - 1))
		return -EINVAL;
	old_len = page_align(old_len);
	new_len = page_align(new_len);
	if (!new_len)
		return -EINVAL;
	mutex_lock(&mm->lock);
	v = mm_find_vma(mm, addr);
	if (!v) {
		r = -EFAULT;
		goto out;
	}
	if (flags & (MREMAP_FIXED | MREMAP_DONTUNMAP)) {
		if (flags & MREMAP_FIXED) {
			if ((new_addr & (PAGE_SIZE - 1)) || new_len > USER_TOP ||
			    new_addr > USER_TOP - new_len || new_addr < USER_BASE) {
				r = -EINVAL;
				goto out;
			}
			if (new_addr < addr + MAX(old_len, 1) && addr < new_addr + new_len) {
				r = -EINVAL;
				goto out;
			}
		}
	}
	if (!old_len && !(v->flags & VMA_SHARED)) {
		r = -EINVAL;
		goto out;
	}
	if (old_len > v->end - addr) {
		r = -EFAULT;
		goto out;
	}
	if (!(flags & (MREMAP_FIXED | MREMAP_DONTUNMAP)) && old_len && new_len <= old_len) {
		/* Shrinking in place. */
		r = new_len < old_len ? mm_unmap_locked(mm, addr + new_len, old_len - new_len) : 0;
		if (!r)
			r = (long)addr;
		goto out;
	}
	if (new_len > old_len) {
		r = growth_allowed(mm, v, new_len - old_len);
		if (r)
			goto out;
	}
	if (!(flags & (MREMAP_FIXED | MREMAP_DONTUNMAP)) && old_len &&
	    addr + old_len == v->end && !grow_in_place(mm, v, new_len - old_len)) {
		r = (long)addr;
		goto out;
	}
	if (!(flags & MREMAP_MAYMOVE)) {
		r = -ENOMEM;
		goto out;
	}
	if (!(flags & MREMAP_FIXED)) {
		new_addr = mm_find_free(mm, new_len);
		if (!new_addr) {
			r = -ENOMEM;
			goto out;
		}
	}
	r = move_mapping(mm, v, addr, old_len, new_addr, new_len,
			 (flags & MREMAP_DONTUNMAP) || !old_len);
out:
	mutex_unlock(&mm->lock);
	return r;
}
