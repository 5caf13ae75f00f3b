/*
 * Access to another process's memory: ptrace(2) PEEK/POKE and
 * process_vm_readv(2)/process_vm_writev(2). The pages are faulted in
 * through the address space's own fault path and reached through the
 * direct map, so the target need not be running (nor its page table
 * loaded anywhere).
 *
 * A debugger's write goes where the program itself could not write
 * (Linux's FOLL_FORCE): a breakpoint into read-only text. In a private
 * mapping this writes a private copy of the page, mapped with the
 * mapping's own (read-only) rights, so the file and other processes
 * sharing the page are untouched; shared read-only mappings stay refused.
 */
#include "kernel.h"
#include "mm.h"
#include "page.h"
#include "mutex.h"
#include "uapi/errno.h"

/* Make the page of @va (in private @v, not writable) private to @mm so a
 * forced write can go there. Returns its PTE or NULL. Holds mm->lock. */
static pte_t *force_private(struct mm *mm, struct vma *v, u64 va)
{
	pte_t *pte = mm_pte_modify(mm, va, false);

	if (!pte || !pte_present(*pte))
		return NULL;
	struct page *old = phys_to_page(pte_phys(*pte));

	if (page_refcount(old) == 1)
		return pte;	/* already this mm's own copy */
	struct page *copy = page_alloc(0, false);

	if (!copy)
		return NULL;
	memcpy(page_address(copy), page_address(old), PAGE_SIZE);
	*pte = pte_mk(page_to_phys(copy), v->prot | MMU_USER);
	mm_flush_page(mm, va);
	page_put(old);
	return pte;
}

/* The PTE of @va ready for the access, or NULL (unmapped, refused, no memory). */
static pte_t *remote_page(struct mm *mm, u64 va, bool write, bool force)
{
	struct vma *v = mm_find_vma(mm, va);

	if (!v)
		return NULL;
	if (write && (v->prot & MMU_WRITE)) {
		if (mm_fault_locked(mm, va, FAULT_WRITE | FAULT_USER))
			return NULL;
	} else if (write) {
		if (!force || (v->flags & VMA_SHARED) ||
		    mm_fault_locked(mm, va, FAULT_USER))
			return NULL;
		return force_private(mm, v, va);
	} else if (mm_fault_locked(mm, va, FAULT_USER)) {
		return NULL;
	}
	pte_t *pte = arch_pt_walk(mm->pt_root, va, false);

	return pte && pte_present(*pte) ? pte : NULL;
}

/*
 * mm_access_remote - copy @len bytes between kernel @buf and user address
 * @addr of @mm (@write: into @mm), faulting pages in; with @force a write
 * may go to a private read-only mapping (ptrace's POKETEXT). Returns the
 * bytes copied (short at the first inaccessible page), or -EFAULT when
 * none could be. Takes @mm->lock. Sleeps: yes.
 */
long mm_access_remote(struct mm *mm, u64 addr, void *buf, size_t len, bool write, bool force)
{
	size_t done = 0;

	mutex_lock(&mm->lock);
	while (done < len) {
		u64 va = addr + done;
		size_t off = va & (PAGE_SIZE - 1);
		size_t chunk = MIN(len - done, PAGE_SIZE - off);

		if (va < addr || va >= USER_TOP)
			break;
		pte_t *pte = remote_page(mm, PAGE_ALIGN_DOWN(va), write, force);

		if (!pte)
			break;
		char *kva = (char *)phys_to_virt(pte_phys(*pte)) + off;

		if (write)
			memcpy(kva, (char *)buf + done, chunk);
		else
			memcpy((char *)buf + done, kva, chunk);
		done += chunk;
	}
	mutex_unlock(&mm->lock);
	return done ? (long)done : -EFAULT;
}
