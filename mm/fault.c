/*
 * Page faults on user addresses: demand-zero, filling from a file, and
 * copy-on-write.
 *
 * The decision for a write to a present, write-protected page in a writable
 * private VMA (the COW fault):
 *   refcount == 1  -> the writer is the last sharer: make the PTE writable,
 *                     no copy (the page is taken back);
 *   refcount  > 1  -> copy the page into a new frame, map the copy writable,
 *                     drop one reference on the shared frame.
 * The count cannot rise under us: only a fork of this mm (which holds the
 * same mm lock) could add a mapping of a page this mm maps privately, or a
 * swap-in elsewhere could find it in the swap cache -- but then the cache's
 * own reference keeps the count above 1 until cow_break() has taken the page
 * out of the cache (mm/swap_cache.c), after which no one can find it.
 *
 * A fault on a PTE holding a swap entry brings the page back (mm/swapin.c).
 */
#include "kernel.h"
#include "mm.h"
#include "page.h"
#include "fs.h"
#include "swap.h"
#include "rmap.h"
#include "cpu.h"
#include "task.h"
#include "trace.h"
#include "uapi/errno.h"

/* Fill a new private page for @va of file-backed @v. */
static struct page *file_fill_page(struct vma *v, u64 va)
{
	struct page *pg = user_page_alloc(true);

	if (!pg)
		return NULL;
	pg->flags |= PG_ANON;
	if (va >= v->file_vend)
		return pg;

	u64 pgoff_bytes = v->file_off + (va - v->start);
	struct page *src;

	/* A file page in swap comes back first (mm/shmem_swap.c). */
	if (inode_find_page(v->file, pgoff_bytes >> PAGE_SHIFT, &src)) {
		page_put(pg);
		return NULL;
	}
	if (src) {
		size_t n = MIN(PAGE_SIZE, v->file_vend - va);

		/* file_off is page-aligned for every VMA we create, so the file
		 * page lines up with the user page. */
		memcpy(page_address(pg), page_address(src), n);
		page_put(src);
	}
	return pg;
}

/*
 * A private file mapping's page that is read (or executed) before it is
 * written can be the file's own page, mapped read-only: no copy, the same
 * frame for every process running the program (as Linux maps its page
 * cache). The first write copies it (cow_break(): the file holds a reference
 * too, so the count is above 1). Only whole pages of file data qualify: a
 * page that ends in .bss must be copied so its tail can be zeroed. Returns
 * the referenced page and the PTE permissions, or NULL to copy instead.
 */
static struct page *file_share_page(struct vma *v, u64 va, unsigned flags, u32 *prot)
{
	if ((flags & FAULT_WRITE) || va + PAGE_SIZE > v->file_vend)
		return NULL;

	struct page *pg;

	/* Out of memory for a page in swap: the copy below fails the same way. */
	if (inode_find_page(v->file, (v->file_off + (va - v->start)) >> PAGE_SHIFT, &pg))
		return NULL;
	if (pg)
		*prot = v->prot & ~MMU_WRITE;
	return pg;
}

static bool access_allowed(struct vma *v, unsigned flags)
{
	if (flags & FAULT_WRITE)
		return v->prot & MMU_WRITE;
	if (flags & FAULT_EXEC)
		return v->prot & MMU_EXEC;
	return v->prot & (MMU_READ | MMU_WRITE | MMU_EXEC);
}

/* Resolve the write to a present read-only PTE (see the top of the file). */
static int cow_break(struct mm *mm, struct vma *v, u64 va, pte_t *pte)
{
	struct page *old = phys_to_page(pte_phys(*pte));

	/* Taking the page back only adds the write right: no TLB anywhere can
	 * hold a translation that allows more than the new PTE, so no flush
	 * (a stale read-only entry faults once more and lands below). */
	/* A page back from swap may still be cached for its slot: when no
	 * swap entry names the slot any more, the cache lets it go, and the
	 * writer may be its last user. */
	if (old->flags & PG_SWAPCACHE)
		swap_cache_try_release(old);
	if (v->flags & VMA_SHARED) {
		*pte = pte_mkwrite(*pte);
	} else if (page_refcount(old) == 1) {
		*pte = pte_mkwrite(*pte);
		trace_cow_fault(va, false);
	} else {
		struct page *copy;

		if (anon_vma_prepare(v))
			return -ENOMEM;
		copy = user_page_alloc(false);
		if (!copy)
			return -ENOMEM;
		copy->flags |= PG_ANON;
		memcpy(page_address(copy), phys_to_virt(pte_phys(*pte)), PAGE_SIZE);
		/* A file page read before the write becomes an anonymous copy. */
		if (!(old->flags & PG_ANON)) {
			mm_rss_account(mm, old, false, -1);
			mm_rss_account(mm, copy, false, 1);
		}
		*pte = pte_mk(page_to_phys(copy), v->prot | MMU_USER) | PTE_D;
		page_anon_set(copy, v, va);
		/* The frame changed: another thread of this mm on another CPU
		 * may still read the old frame through its TLB and miss writes
		 * made to the copy. Flush everywhere before the old frame's
		 * reference goes (it may be freed and reused at once). */
		mm_flush_page(mm, va);
		page_put(old);
		trace_cow_fault(va, true);
	}
	return 0;
}

/* mm_fault_locked - see include/mm.h. */
int mm_fault_locked(struct mm *mm, u64 addr, unsigned flags)
{
	u64 va = PAGE_ALIGN_DOWN(addr);
	struct vma *v = mm_find_vma(mm, addr);

	if (!v)
		v = mm_expand_stack(mm, addr);
	if (!v || !access_allowed(v, flags))
		return -EFAULT;

	/* One walk; a second (mm_pte_modify()) only when the leaf table is
	 * missing or shared since a fork. */
	bool own;
	pte_t *pte = mm_pte_lookup(mm, va, &own);

	if (pte && pte_present(*pte)) {
		if (!(flags & FAULT_WRITE)) {
			/* Already resolved (another thread got here first), or a
			 * stale TLB entry: make this CPU see the current PTE. */
			mm_flush_page(mm, va);
			return 0;
		}
		/* A write: the table must be ours (it may be shared since a
		 * fork), then the page itself may need its COW break. */
		if (!own && !(pte = mm_pte_modify(mm, va, false)))
			return -ENOMEM;
		mm->minflt++;
		if (!pte_write(*pte))
			return cow_break(mm, v, va, pte);
		mm_flush_page(mm, va);
		return 0;
	}
	/* mmap(2): a page wholly past the end of the file is an error, and
	 * the size is read under our lock, which a truncation takes after
	 * changing it to unmap the pages past the end (mm/rmap.c). */
	if ((v->flags & VMA_EOF_SIGBUS) &&
	    ((v->file_off + (va - v->start)) >> PAGE_SHIFT) >=
	    (inode_size(v->file) + PAGE_SIZE - 1) >> PAGE_SHIFT)
		return -EIO;
	if (!own && !(pte = mm_pte_modify(mm, va, true)))
		return -ENOMEM;
	if (pte_is_swap(*pte))
		return swap_in_locked(mm, v, va, pte, flags);

	struct page *pg;
	u32 prot = v->prot;
	bool cow = false;

	if (v->file && !(v->flags & VMA_SHARED) &&
	    (pg = file_share_page(v, va, flags, &prot)) != NULL) {
		cow = v->prot & MMU_WRITE;	/* a later write must copy */
	} else if (v->file && (v->flags & VMA_SHARED)) {
		/* MAP_SHARED of a file: map the file's own page, no copy. */
		int err = inode_get_page_shared(v->file, (v->file_off + (va - v->start)) >>
						PAGE_SHIFT, &pg);

		/* Truncated since the check above: past the end all the same. */
		if (err == -EFAULT && (v->flags & VMA_EOF_SIGBUS))
			err = -EIO;
		if (err)
			return err;
	} else {
		if (anon_vma_prepare(v))
			return -ENOMEM;
		pg = v->file ? file_fill_page(v, va) : user_page_alloc(true);
		if (!pg)
			return -ENOMEM;
		pg->flags |= PG_ANON;
	}
	*pte = pte_mk(page_to_phys(pg), prot | MMU_USER);
	if (pg->flags & PG_ANON)
		page_anon_set(pg, v, va);
	if (cow)
		*pte = pte_wrprotect_cow(*pte);
	mm_rss_account(mm, pg, v->flags & VMA_SHARED, 1);
	mm->minflt++;
	return 0;
}

/* mm_handle_fault - see include/arch.h. */
int mm_handle_fault(u64 addr, unsigned flags)
{
	struct task *t = current;
	struct mm *mm = t ? t->mm : NULL;
	int err;

	if (!mm || addr >= USER_TOP)
		return -EFAULT;
	vm_event_inc(VM_PGFAULT);
	for (;;) {
		mutex_lock(&mm->lock);
		err = mm_fault_locked(mm, addr, flags);
		mutex_unlock(&mm->lock);
		reclaim_check(page_free_count());
		if (err != -ENOMEM)
			return err;
		/* Dying already (an OOM victim): let the kill be taken. */
		if (fatal_signal_pending())
			return (flags & FAULT_USER) ? 0 : -ENOMEM;
		/* No frame: reclaim some here (mm/reclaim.c) and try again. */
		if (swap_active()) {
			u64 n = mm_reclaim(32);

			for (u64 i = 0; i < n; i++)
				vm_event_inc(VM_PGSTEAL_DIRECT);
			/* Others may have freed frames meanwhile (an exit, kswapd0). */
			if (n || !reclaim_below_min())
				continue;
		}
		/* No page: the OOM killer frees some (mm/oom.c), and the fault
		 * is tried again; never SIGSEGV. When current itself is the one
		 * to die, a user-mode fault reports success so the trap returns
		 * and the kill is taken; a kernel access (uaccess) fails. */
		int oom = mm_out_of_memory();

		if (oom == OOM_KILLED_SELF)
			return (flags & FAULT_USER) ? 0 : -ENOMEM;
		/* Nothing killable: a user access waits and retries (killable),
		 * a kernel one fails rather than wait under the caller's locks. */
		if (oom == OOM_NO_VICTIM && !(flags & FAULT_USER))
			return -ENOMEM;
	}
}
