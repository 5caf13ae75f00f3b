/*
 * Swap-in: a fault on a PTE that holds a swap entry.
 *
 * The page is looked up in the swap cache first (a sharer brought it in
 * already, or read-ahead did); otherwise it is read from its slot into a new
 * frame, which joins the cache so that every other holder of the entry
 * finds the same page. The neighbours of the slot (an aligned window of
 * 2^page-cluster slots, /proc/sys/vm/page-cluster, Linux's default 3) that
 * are in use are read into the cache too, on the bet that they will be
 * wanted next. The PTE then maps the page: writable only if no one else
 * maps it and no swap entry still names its slot (the cache lets it go
 * then), read-only copy-on-write otherwise, exactly as before swap-out.
 * A read from disk makes the fault a major fault (ru_majflt, pgmajfault).
 *
 * Locks: the caller holds the faulting mm's lock. swapin_lock (a mutex,
 * after mm->lock) makes looking up, reading and caching one step, so two
 * address spaces faulting on one shared entry read it once.
 */
#include "kernel.h"
#include "mm.h"
#include "page.h"
#include "swap.h"
#include "rmap.h"
#include "mutex.h"
#include "uapi/errno.h"

static struct mutex swapin_lock = MUTEX_INIT(swapin_lock, "swapin");
static int page_cluster = 3;	/* [a] log2 of the slots read together */

/* swap_page_cluster_get - see include/swap.h. */
long swap_page_cluster_get(void)
{
	return __atomic_load_n(&page_cluster, __ATOMIC_RELAXED);
}

/* swap_page_cluster_set - see include/swap.h (Linux bounds it 0..31). */
int swap_page_cluster_set(long v)
{
	if (v < 0 || v > 31)
		return -EINVAL;
	__atomic_store_n(&page_cluster, (int)v, __ATOMIC_RELAXED);
	return 0;
}

/* Read slot @entry into a new cached page; the caller's reference in *@out.
 * Caller holds swapin_lock. 0, -ENOMEM or -EIO. */
static int read_into_cache(u64 entry, struct page **out)
{
	struct page *pg = user_page_alloc(false);
	int err;

	if (!pg)
		return -ENOMEM;
	pg->flags |= PG_ANON;
	err = swap_io(entry, pg, false);
	if (!err && swap_entry_dup(entry))	/* the cache's reference */
		err = -ENOMEM;
	if (err) {
		page_put(pg);
		return err;
	}
	swap_cache_add(pg, entry);
	*out = pg;
	return 0;
}

/* Read the slots of @entries into @pages together and cache those still wanted; the
 * pages' references are dropped (the cache keeps its own). */
static void read_ahead_batch(u64 *entries, struct page **pages, int n)
{
	int errs[SWAP_IO_MANY_MAX];

	swap_io_many(entries, pages, n, false, errs);
	for (int i = 0; i < n; i++) {
		if (!errs[i])
			swap_cache_add_used(pages[i], entries[i]);
		page_put(pages[i]);
	}
}

/* Read-ahead around @entry: its in-use, uncached neighbours join the cache,
 * while memory is not short, their reads overlapping. Caller holds swapin_lock. */
static void read_ahead(u64 entry)
{
	u32 window = 1u << MIN(swap_page_cluster_get(), 8L);
	u32 first = swp_slot(entry) & ~(window - 1);
	u64 entries[SWAP_IO_MANY_MAX];
	struct page *pages[SWAP_IO_MANY_MAX];
	int n = 0;

	if (window < 2)
		return;
	for (u32 s = MAX(first, 1u); s < first + window; s++) {
		u64 e = swp_entry(swp_type(entry), s);
		struct page *pg;

		if (e == entry || !swap_entry_count(e))
			continue;
		if (page_free_count() < page_total_count() / 16)
			break;
		pg = swap_cache_find(e);
		if (pg) {
			page_put(pg);
			continue;
		}
		pg = user_page_alloc(false);
		if (!pg)
			break;
		pg->flags |= PG_ANON;
		entries[n] = e;
		pages[n++] = pg;
		if (n == SWAP_IO_MANY_MAX) {
			read_ahead_batch(entries, pages, n);
			n = 0;
		}
	}
	if (n)
		read_ahead_batch(entries, pages, n);
}

/* swap_in_locked - see include/swap.h. */
int swap_in_locked(struct mm *mm, struct vma *v, u64 va, pte_t *pte, unsigned flags)
{
	u64 entry = pte_swap_entry(*pte);
	bool major = false;
	struct page *pg;
	/* PROT_NONE keeps the page but not the user's access (mm/mmap.c). */
	u32 prot = v->prot & (MMU_READ | MMU_WRITE | MMU_EXEC) ? v->prot | MMU_USER : v->prot;

	if (anon_vma_prepare(v))
		return -ENOMEM;
	mutex_lock(&swapin_lock);
	pg = swap_cache_find(entry);
	if (!pg) {
		int err = read_into_cache(entry, &pg);

		if (err) {
			mutex_unlock(&swapin_lock);
			return err;
		}
		major = true;
		read_ahead(entry);
	}
	mutex_unlock(&swapin_lock);

	/* Our reference on the page becomes the PTE's; the PTE's reference on
	 * the slot goes. A page read, not written, stays cached with its slot
	 * while swap is less than half full (Linux's vm_swap_full()): unchanged,
	 * it can go out again without a write. Else the cache lets it go when
	 * its hold on the slot is the last. */
	swap_entry_put(entry);
	mm->swap_ents--;
	if ((flags & FAULT_WRITE) || swap_free_pages() < swap_total_pages() / 2)
		swap_cache_try_release(pg);
	if (page_refcount(pg) == 1 && !(pg->flags & PG_SWAPCACHE)) {
		*pte = pte_mk(page_to_phys(pg), prot);
		if (prot & MMU_WRITE)
			*pte |= PTE_D;
	} else {
		*pte = pte_mk(page_to_phys(pg), prot);
		if (prot & MMU_WRITE)
			*pte = pte_wrprotect_cow(*pte);
	}
	page_anon_set(pg, v, va);
	mm_rss_account(mm, pg, false, 1);
	if (major) {
		mm->majflt++;
		vm_event_inc(VM_PGMAJFAULT);
	} else {
		mm->minflt++;
	}
	return 0;
}
