/*
 * Page reclaim: when free frames run short, user pages that have not been
 * used lately go to swap and their frames are freed.
 *
 * Who runs it: kswapd0, a kernel thread under kthreadd, checks ten times a
 * second and whenever a fault sees free frames below the low watermark, and
 * reclaims until they are above the high one; a fault that finds no frame
 * for user memory above the min watermark (user_page_alloc()) reclaims
 * directly (mm_reclaim() from mm_handle_fault()) before the OOM killer is
 * asked, so the frames below it stay for the kernel, reclaim included.
 *
 * What it takes: a clock over the user pages themselves (mm/lru.c). The
 * hand takes the next page and finds every PTE that maps it through the
 * reverse map (include/rmap.h): an anonymous page's anon_vma names the few
 * VMAs that can map it, a tmpfs page's inode the VMAs that map the file. A
 * page with an accessed bit set in any of them gets them cleared (a second
 * chance: it was used since the hand last passed), one with none set goes:
 *   - anonymous: every PTE becomes the swap entry of one slot (the slot it
 *     already has if it came back from swap unchanged and is still cached,
 *     else a new one), the TLBs are flushed, the page is written and its
 *     frame freed at once;
 *   - tmpfs (mm/shmem_swap.c): the PTEs are cleared (the next access finds
 *     the page through the file, as a first touch would), the page is
 *     written and the file's slot holds the swap entry.
 * A leaf table shared by several address spaces since fork (mm/ptshare.c)
 * is changed in place: its one PTE serves all of them, so the change is
 * made with every sharer's lock held, which the table's own count of
 * address spaces checks. So nothing is allocated to free a page.
 * A page is skipped when anything else holds it (its count must be exactly
 * its mappings, the swap cache's and the file's), when a VMA that maps it is
 * mlock(2)ed, or when an address space that maps it is busy.
 *
 * Locks: reclaim_lock (a mutex) lets one reclaimer scan at a time and guards
 * the batch below; address spaces are taken with mutex_trylock() only, so
 * reclaim never waits for a task that holds its mm lock (a fault of that
 * task may be what asked for the memory), and a file's lock the same way.
 * Order: reclaim_lock -> (trylock) mm->lock -> anon_vma->lock / mm_rmap_lock
 * / swap_lock. Up to HELD_MAX address spaces are held at once, across the
 * writes of a batch of pages, so that their TLBs are flushed once a batch.
 */
#include "kernel.h"
#include "mm.h"
#include "page.h"
#include "rmap.h"
#include "swap.h"
#include "fs.h"
#include "task.h"
#include "cpu.h"
#include "sched.h"
#include "mutex.h"
#include "kmalloc.h"
#include "uapi/errno.h"

#define SCAN_BATCH	1024	/* kswapd0's unit of work: it frees SCAN_BATCH / 8 at a time */
#define KSWAPD_PERIOD_NS	(100 * 1000 * 1000ULL)
#define MAP_MAX		64	/* mappings of one page reclaim handles; more: it stays */
#define HELD_MAX	16	/* address spaces locked at once: with reclaim_lock and a
				 * file's lock, 18 of the MUTEX_MAX_HELD (24) mutexes a
				 * task may hold, leaving 6 to a caller (a fault in a pipe
				 * read or a file write reclaims directly) */
#define OUT_BATCH	16	/* pages unmapped before one flush and their writes */

static struct mutex reclaim_lock = MUTEX_INIT(reclaim_lock, "reclaim");
static struct task *kswapd_task;	/* [I] */
static struct wait_queue kswapd_wait;
static u64 min_wmark, low_wmark, high_wmark;	/* [I] after kswapd_start(): frames */

/* Where a page may be mapped, as the reverse map says: referenced mm. */
struct cand {
	struct mm *mm;
	u64 va;
};

/* One PTE that maps the page being taken, found with its mm locked. */
struct found {
	struct mm *mm;
	pte_t *pte;
	pte_t old;		/* to restore if the write fails */
	bool first;		/* the first record of this PTE (a shared table's
				 * PTE is reached once per sharer) */
	bool shared;		/* a MAP_SHARED VMA (file pages' RssShmem) */
};

/* The address spaces reclaim holds locked, each with a reference. [reclaim_lock] */
static struct {
	struct mm *mm[HELD_MAX];
	bool changed[HELD_MAX];		/* a PTE changed: flush before the writes */
	int n;
} held;

/* Anonymous pages unmapped, waiting for the flush and their writes. [reclaim_lock] */
static struct {
	int n, nfound;
	struct {
		struct page *pg;	/* our reference */
		u64 entry;		/* one slot reference per distinct PTE */
		bool cached;		/* was in the swap cache: its slot holds it already
					 * (else it is cached until written) */
		int first, count;	/* its records in found[] */
	} page[OUT_BATCH];
	struct found found[OUT_BATCH * MAP_MAX];
} batch;

/* Where the page being taken may be mapped, and its PTEs there (file pages; anonymous ones
 * go into the batch). Not on the stack: MAP_MAX of each would be too much there, and one
 * reclaimer runs at a time. [reclaim_lock] */
static struct cand cands[MAP_MAX];
static struct found file_found[MAP_MAX];

/* The page just looked at was left because a lock it needed was busy. [reclaim_lock] */
static bool last_busy;

/* Pages in a row left for a busy lock before kswapd0's scan gives up for now: the task that
 * holds it (often the one address space that has pages to give, waiting for a swap-in read
 * with its lock held) must run first, and a scan of the whole clock would only find it busy. */
#define BUSY_GIVE_UP	128

static int held_index(struct mm *mm)
{
	for (int i = 0; i < held.n; i++)
		if (held.mm[i] == mm)
			return i;
	return -1;
}

/* The leaf table page that holds @pte. */
static struct page *pte_table(pte_t *pte)
{
	return phys_to_page(virt_to_phys((void *)((u64)pte & ~(PAGE_SIZE - 1))));
}

/* Flush the changed address spaces, write the batch's pages (a page whose
 * write fails gets its PTEs back), free their frames, and let every address
 * space go. Returns the frames freed. */
static u64 batch_finish(void)
{
	u64 freed = 0, entries[OUT_BATCH];
	struct page *pages[OUT_BATCH];
	int errs[OUT_BATCH], nio = 0;

	for (int i = 0; i < held.n; i++)
		if (held.changed[i])
			mm_flush_all(held.mm[i]);
	/* The writes go to the disk together. */
	for (int b = 0; b < batch.n; b++) {
		if (!batch.page[b].cached) {
			entries[nio] = batch.page[b].entry;
			pages[nio++] = batch.page[b].pg;
		}
	}
	swap_io_many(entries, pages, nio, true, errs);
	nio = 0;
	for (int b = 0; b < batch.n; b++) {
		struct page *pg = batch.page[b].pg;
		u64 entry = batch.page[b].entry;
		struct found *f = &batch.found[batch.page[b].first];
		int n = batch.page[b].count;
		int err = batch.page[b].cached ? 0 : errs[nio++];

		for (int i = 0; i < n; i++) {
			if (err) {
				/* Still ours under the lock: the PTE comes back, with
				 * the rights it had (no flush needed). */
				if (f[i].first) {
					*f[i].pte = f[i].old;
					swap_entry_put(entry);
				}
				mm_rss_account(f[i].mm, pg, false, 1);
				f[i].mm->swap_ents--;
			} else if (f[i].first) {
				page_put(pg);	/* the PTE's reference */
			}
		}
		/* Written (or not): the cache lets go, and the slot stays with
		 * the PTEs; the frame goes with our reference. */
		swap_cache_uncache(pg);
		if (!err && page_refcount(pg) == 1)
			freed++;
		page_put(pg);
	}
	batch.n = batch.nfound = 0;
	for (int i = 0; i < held.n; i++) {
		mutex_unlock(&held.mm[i]->lock);
		mm_put(held.mm[i]);
	}
	held.n = 0;
	return freed;
}

/*
 * Lock every address space of @c[0..@n): those not held yet with
 * mutex_trylock(), after finishing the batch when they would be too many.
 * False when one is busy. *@freed adds what a finished batch freed.
 */
static bool lock_mms(struct cand *c, int n, u64 *freed)
{
	int distinct = 0, need = 0;

	for (int i = 0; i < n; i++) {
		bool seen = false;

		for (int j = 0; j < i && !seen; j++)
			seen = c[j].mm == c[i].mm;
		distinct += !seen;
		need += !seen && held_index(c[i].mm) < 0;
	}
	/* A finished batch lets every address space go: then all are needed. */
	if (distinct > HELD_MAX)
		return false;
	if (held.n + need > HELD_MAX)
		*freed += batch_finish();
	for (int i = 0; i < n; i++) {
		if (held_index(c[i].mm) >= 0)
			continue;
		if (!mutex_trylock(&c[i].mm->lock)) {
			last_busy = true;
			return false;
		}
		mm_get(c[i].mm);
		held.changed[held.n] = false;
		held.mm[held.n++] = c[i].mm;
	}
	return true;
}

static void put_cands(struct cand *c, int n)
{
	for (int i = 0; i < n; i++)
		mm_put(c[i].mm);
}

/*
 * If page @index of the object VMA @v maps from page @first on falls inside @v, add @v's
 * address space (referenced) and the page's address there to @c[*@n]. Read without the
 * VMA's mm lock: checked again under it. False when @c is full (MAP_MAX) and @v was wanted.
 */
static bool cand_add(struct cand *c, int *n, struct vma *v, u64 index, u64 first)
{
	u64 pages = (v->end - v->start) / PAGE_SIZE;

	if (index < first || index - first >= pages)
		return true;
	if (*n == MAP_MAX)
		return false;
	/* An address space being torn down unmaps its pages itself. */
	if (!mm_tryget(v->mm))
		return true;
	c[*n].mm = v->mm;
	c[*n].va = v->start + (index - first) * PAGE_SIZE;
	(*n)++;
	return true;
}

/* The VMAs of @pg's anon_vma where it may be mapped, into @c (referenced).
 * The count, or -1 when there are more than MAP_MAX. */
static int anon_cands(struct page *pg, struct cand *c)
{
	struct anon_vma *av = pg->mapping;
	struct vma *v;
	int n = 0;
	bool over = false;

	spin_lock(&av->lock);
	list_for_each_entry(v, &av->vmas, anon_link)
		if (!cand_add(c, &n, v, pg->index, v->pgoff)) {
			over = true;
			break;
		}
	spin_unlock(&av->lock);
	if (over) {
		put_cands(c, n);
		return -1;
	}
	return n;
}

/*
 * With every address space of @c locked: the PTEs of @c that map @pg, into
 * @f (from @c's VMAs whose anon_vma is @av, or whose file is @ino). Clears
 * their accessed bits. Returns how many, or -1 when the page must stay: it
 * was used lately, a VMA is mlock(2)ed, or a table shared with an address
 * space not in @c maps it. *@distinct gets the number of distinct PTEs.
 */
static int find_ptes(struct page *pg, struct cand *c, int n, struct anon_vma *av,
		     struct inode *ino, struct found *f, int *distinct)
{
	bool young = false;
	int k = 0;

	*distinct = 0;
	for (int i = 0; i < n; i++) {
		struct vma *v = mm_find_vma(c[i].mm, c[i].va);
		pte_t *pte;

		if (!v || (av && v->anon_vma != av) || (ino && v->file != ino))
			continue;
		if (v->flags & VMA_LOCKED)
			return -1;
		pte = arch_pt_walk(c[i].mm->pt_root, c[i].va, false);
		if (!pte || !pte_present(*pte) || pte_phys(*pte) != page_to_phys(pg))
			continue;
		if (pte_test_and_clear_young(pte))
			young = true;
		f[k].mm = c[i].mm;
		f[k].pte = pte;
		f[k].old = *pte;
		f[k].shared = v->flags & VMA_SHARED;
		f[k].first = true;
		for (int j = 0; j < k; j++)
			if (f[j].pte == pte)
				f[k].first = false;
		*distinct += f[k].first;
		k++;
	}
	if (young)
		return -1;
	/* Every address space using a table that maps the page must be
	 * ours: a shared table's count is the number of its users. */
	for (int i = 0; i < k; i++) {
		int users = 0;

		if (!f[i].first)
			continue;
		for (int j = 0; j < k; j++)
			users += f[j].pte == f[i].pte;
		if (page_refcount(pte_table(f[i].pte)) != (u32)users)
			return -1;
	}
	return k;
}

static void mark_changed(struct mm *mm)
{
	held.changed[held_index(mm)] = true;
}

/*
 * Take anonymous page @pg (our reference in hand): unmap it from every PTE
 * into the batch, which keeps the reference, or leave it. *@freed adds the
 * frames a batch finished on the way freed.
 */
static void reclaim_anon(struct page *pg, u64 *freed)
{
	struct anon_vma *av = pg->mapping;
	struct cand *c = cands;
	struct found *f = &batch.found[batch.nfound];
	int n = anon_cands(pg, c), k, distinct;
	bool cached;
	u64 entry;

	if (n <= 0) {
		page_put(pg);	/* mapped nowhere (the swap cache or an exit has it), or too widely */
		return;
	}
	if (!lock_mms(c, n, freed))
		goto out;
	f = &batch.found[batch.nfound];		/* a finished batch starts over */
	k = find_ptes(pg, c, n, av, NULL, f, &distinct);
	if (k <= 0)
		goto out;
	/* Nothing but its PTEs, the swap cache and us may hold the page. */
	cached = pg->flags & PG_SWAPCACHE;
	if (page_refcount(pg) != (u32)distinct + cached + 1)
		goto out;
	/* One slot reference per distinct PTE: the cached page's slot (whose
	 * copy is current: a cached page is never writable), else a new one. */
	if (cached) {
		if (swap_cache_dup(pg, &entry))
			goto out;	/* its area is being switched off */
	} else if (swap_cache_alloc_add(pg, &entry)) {
		/* A new slot, and the swap cache holds the page until it is
		 * written, so that a read-ahead of the slot meanwhile (mm/swapin.c)
		 * finds the page instead of reading the unwritten slot. */
		goto out;
	}
	for (int i = 1; i < distinct; i++) {
		if (swap_entry_dup(entry)) {
			while (i-- > 0)
				swap_entry_put(entry);
			if (!cached)
				swap_cache_uncache(pg);
			goto out;
		}
	}
	for (int i = 0; i < k; i++) {
		if (f[i].first)
			*f[i].pte = pte_mk_swap(entry);
		mm_rss_account(f[i].mm, pg, false, -1);
		f[i].mm->swap_ents++;
		mark_changed(f[i].mm);
	}
	batch.page[batch.n].pg = pg;
	batch.page[batch.n].entry = entry;
	batch.page[batch.n].cached = cached;
	batch.page[batch.n].first = batch.nfound;
	batch.page[batch.n].count = k;
	batch.n++;
	batch.nfound += k;
	put_cands(c, n);
	if (batch.n == OUT_BATCH)
		*freed += batch_finish();
	return;
out:
	put_cands(c, n);
	page_put(pg);
}

/* The VMAs of @ino's mappings where file page @pg may be mapped, into @c
 * (referenced). The count, or -1 when there are more than MAP_MAX. */
static int file_cands(struct page *pg, struct inode *ino, struct cand *c)
{
	int n = 0;
	bool over = false;
	struct vma *v;

	mm_rmap_walk_begin();
	list_for_each_entry(v, &ino->mappings, file_link)
		if (!cand_add(c, &n, v, pg->index, v->file_off / PAGE_SIZE)) {
			over = true;
			break;
		}
	mm_rmap_walk_end();
	if (over) {
		put_cands(c, n);
		return -1;
	}
	return n;
}

/*
 * Take tmpfs page @pg of @ino (our references on both in hand; the page's
 * is dropped here): clear every PTE that maps it, write it to a new slot
 * and leave the entry in the file's slot (mm/shmem_swap.c). Returns the
 * frames freed. The batch is empty (no address space held).
 */
static u64 reclaim_file(struct page *pg, struct inode *ino)
{
	struct cand *c = cands;
	struct found *f = file_found;
	u64 idx = pg->index, entry, freed = 0;
	int n = 0, k = 0, distinct = 0;

	if (!mutex_trylock(&ino->lock)) {
		last_busy = true;
		goto out_page;
	}
	/* Still the file's page there (not truncated, not swapped already). */
	if (idx >= ino->npages || ino->pages[idx] != pg)
		goto out;
	n = file_cands(pg, ino, c);
	if (n < 0) {
		n = 0;
		goto out;
	}
	if (n) {
		if (!lock_mms(c, n, &freed))
			goto out;
		k = find_ptes(pg, c, n, NULL, ino, f, &distinct);
		if (k < 0)
			goto out;
	}
	/* Nothing but the file, its PTEs and us may hold the page. */
	if (page_refcount(pg) != (u32)distinct + 2 || swap_entry_alloc(&entry))
		goto out;
	for (int i = 0; i < k; i++) {
		if (f[i].first)
			*f[i].pte = 0;
		mm_rss_account(f[i].mm, pg, f[i].shared, -1);
		mark_changed(f[i].mm);
	}
	freed += batch_finish();	/* the flush; the address spaces go */
	for (int i = 0; i < k; i++)
		if (f[i].first)
			page_put(pg);	/* the PTE's reference */
	/* Unmapped, and the file's lock keeps new users out: the contents
	 * are stable. A failed write leaves the page in the file. */
	if (swap_io(entry, pg, true)) {
		swap_entry_put(entry);
		goto out;
	}
	shmem_swap_out(ino, idx, pg, entry);
	freed += page_refcount(pg) == 1;
out:
	freed += batch_finish();
	put_cands(c, n);
	mutex_unlock(&ino->lock);
out_page:
	page_put(pg);
	return freed;
}

/*
 * Give the CPU up when the tick or a wake-up asks for it. The kernel is not
 * preemptible, and a scan that writes nothing never sleeps: without this,
 * kswapd0 could keep the CPU while the task whose mm lock it keeps failing
 * to take (one woken from a swap-in read, say) waits to run. The batch is
 * finished first: no address space stays locked across the switch.
 * Sleeps: yes.
 */
static u64 reclaim_yield(void)
{
	u64 freed = 0;

	if (__atomic_load_n(&this_cpu()->need_resched, __ATOMIC_RELAXED)) {
		freed = batch_finish();
		schedule();
	}
	return freed;
}

/* mm_reclaim - see include/swap.h. The hand may have to pass every page
 * twice (the first pass may only clear accessed bits): that bounds the scan,
 * and so do a full swap (pages already in the swap cache could still go,
 * but the OOM killer will free more, sooner) and, for kswapd0, a run of
 * BUSY_GIVE_UP pages whose locks were all busy. */
u64 mm_reclaim(u64 target)
{
	u64 freed, scanned = 0, busy_run = 0;
	u64 limit = 2 * lru_pages() + 32;
	/* Only kswapd0 gives up on busy locks: a direct reclaim that finds
	 * nothing is followed by the OOM killer. */
	u64 busy_limit = current == kswapd_task ? BUSY_GIVE_UP : ~0ULL;

	mutex_lock(&reclaim_lock);
	freed = swap_cache_shrink(target);
	while (freed + (u64)batch.n < target && scanned < limit && swap_active() &&
	       swap_free_pages() && busy_run < busy_limit) {
		struct inode *ino;
		struct page *pg = lru_next(&ino);

		if (!pg)
			break;
		scanned++;
		last_busy = false;
		vm_event_inc(current == kswapd_task ? VM_PGSCAN_KSWAPD : VM_PGSCAN_DIRECT);
		if (ino) {
			freed += batch_finish();
			freed += reclaim_file(pg, ino);
			inode_put(ino);
		} else if ((pg->flags & PG_ANON) && pg->mapping) {
			reclaim_anon(pg, &freed);	/* takes our reference */
		} else {
			page_put(pg);
		}
		busy_run = last_busy ? busy_run + 1 : 0;
		freed += reclaim_yield();
	}
	freed += batch_finish();
	freed += swap_cache_shrink(target > freed ? target - freed : 0);
	mutex_unlock(&reclaim_lock);
	return freed;
}

/* After a failed allocation: reclaim directly and say to try again, at most 8 times
 * (*@tries counts them), while swap is on. Sleeps. */
static bool reclaim_retry(int *tries)
{
	if (!swap_active() || (*tries)++ == 8)
		return false;
	mm_reclaim(SCAN_BATCH / 8);
	return true;
}

/* kmalloc_reclaim - see include/swap.h. */
void *kmalloc_reclaim(size_t size)
{
	int tries = 0;
	void *p;

	while (!(p = kmalloc(size)) && reclaim_retry(&tries))
		;
	return p;
}

/* page_alloc_reclaim - see include/swap.h. */
struct page *page_alloc_reclaim(unsigned order, bool zero)
{
	int tries = 0;
	struct page *p;

	while (!(p = page_alloc(order, zero)) && reclaim_retry(&tries))
		;
	return p;
}

/* user_page_alloc - see include/swap.h. */
struct page *user_page_alloc(bool zero)
{
	if (swap_configured() && page_free_count() < min_wmark)
		return NULL;
	return page_alloc(0, zero);
}

/* reclaim_below_min - see include/swap.h. */
bool reclaim_below_min(void)
{
	return page_free_count() < min_wmark;
}

/* reclaim_check - see include/swap.h. */
void reclaim_check(u64 nfree)
{
	if (nfree < low_wmark && swap_active())
		wake_up(&kswapd_wait);
}

static const char *boot_dev;		/* [I] swap=, or NULL */
static struct task *boot_held;		/* [I] init, held until boot swap is on */

static void kswapd_main(void *arg)
{
	struct wait_entry we = { .task = current };

	if (boot_dev)
		swap_boot_enable(boot_dev);
	if (boot_held)
		sched_add_new(boot_held);

	for (;;) {
		prepare_to_wait(&kswapd_wait, &we);
		if (!(swap_active() && page_free_count() < low_wmark))
			schedule_deadline(arch_clock_ns() + KSWAPD_PERIOD_NS);
		finish_wait(&kswapd_wait, &we);
		while (swap_active() && page_free_count() < high_wmark) {
			u64 n = mm_reclaim(SCAN_BATCH / 8);

			for (u64 i = 0; i < n; i++)
				vm_event_inc(VM_PGSTEAL_KSWAPD);
			if (!n)
				break;
		}
	}
}

/* kswapd_start - see include/swap.h. Linux's watermarks scale with memory
 * too; these are 1/64 (min), 2/64 (low) and 3/64 (high) of it. */
void kswapd_start(const char *dev, struct task *held)
{
	u64 total = page_total_count();

	swap_cache_init();
	min_wmark = MAX(total / 64, (u64)32);
	low_wmark = min_wmark * 2;
	high_wmark = min_wmark * 3;
	wait_queue_init(&kswapd_wait, "kswapd");
	boot_dev = dev;
	boot_held = held;
	kswapd_task = kthread_create("kswapd0", kswapd_main, NULL);
	if (!kswapd_task)
		panic("kswapd_start: no kswapd0");
}
