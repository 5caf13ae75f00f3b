/*
 * Page reclaim: when free frames run short, anonymous pages that have not
 * been used lately go to swap and their frames are freed.
 *
 * Who runs it: kswapd0, a kernel thread under kthreadd, checks ten times a
 * second and whenever a fault sees free frames below the low watermark, and
 * reclaims until they are above the high one; a fault that finds no frame
 * for user memory above the min watermark (user_page_alloc()) reclaims
 * directly (mm_reclaim() from mm_handle_fault()) before the OOM killer is
 * asked, so the frames below it stay for the kernel, reclaim included.
 *
 * What it takes: a clock over the address spaces' page tables. Each address
 * space is visited in turn (round-robin by pid) and a batch of its private
 * anonymous pages is looked at from where the last visit stopped: a page
 * whose accessed bit is set gets it cleared (a second chance, it was used
 * since the hand last passed), one whose bit is still clear is swapped out.
 * So the pages that go are those not touched for a whole turn of the clock,
 * an approximation of least recently used.
 *
 * Sprout reaches a page's mappings through the address spaces rather than a
 * reverse map from the page: the swap cache (mm/swap_cache.c) joins them.
 * A page mapped by one table is written to a new slot and freed at once; a
 * page shared copy-on-write by several tables (after fork) is written once,
 * cached, and each table's entry becomes the swap entry as the clock reaches
 * it; the frame goes when the last one has (or when the cache is shrunk).
 * Tables shared between address spaces after fork (mm/ptshare.c) are made
 * private first, as a write would, since the entry changes.
 *
 * Locks: reclaim_lock (a mutex) lets one reclaimer scan at a time; address
 * spaces are taken with mutex_trylock() only, so reclaim never waits for a
 * task that holds its mm lock (a fault of that task may be what asked for
 * the memory). Order: reclaim_lock -> mm->lock -> swap_lock. The scan
 * position of an address space is its mm->reclaim_va [m].
 */
#include "kernel.h"
#include "mm.h"
#include "page.h"
#include "swap.h"
#include "task.h"
#include "cpu.h"
#include "sched.h"
#include "mutex.h"
#include "uapi/errno.h"

#define SCAN_BATCH	1024	/* PTEs looked at per visit of an address space */
#define KSWAPD_PERIOD_NS	(100 * 1000 * 1000ULL)

static struct mutex reclaim_lock = MUTEX_INIT(reclaim_lock, "reclaim");
static pid_t scan_cursor = 1;		/* [reclaim_lock] next pid to visit */
static struct task *kswapd_task;	/* [I] */
static struct wait_queue kswapd_wait;
static u64 min_wmark, low_wmark, high_wmark;	/* [I] after kswapd_start(): frames */

/* Is @v's memory ours to swap: private, not locked (mlock(2) keeps pages in). */
static bool vma_reclaimable(const struct vma *v)
{
	return !(v->flags & (VMA_SHARED | VMA_LOCKED));
}

/*
 * Pages on their way out, unmapped but not yet written: their PTEs already
 * hold the swap entries, so one TLB flush for the whole batch makes their
 * contents stable (no CPU can write through a stale entry any more) before
 * they are written. A flush interrupts every CPU running the address space,
 * so this is one interruption per batch instead of one per page.
 */
#define OUT_BATCH	16

struct out_batch {
	int n;
	struct {
		u64 va;
		struct page *pg;	/* the PTE's reference, still held */
		u64 entry;		/* the PTE's reference on the slot */
		pte_t old;		/* to restore if the write fails */
		bool cached;		/* already in the swap cache (written) */
	} e[OUT_BATCH];
};

/*
 * Unmap the page at @va of @mm into batch @b: its PTE becomes a swap entry
 * (the page's slot if it is cached, else a new one). 0, or a negative errno
 * (-EBUSY: not now, -ENOSPC: swap full). Caller holds @mm->lock and
 * reclaim_lock; swap_out_finish() completes it.
 */
static int swap_out_prepare(struct mm *mm, u64 va, struct out_batch *b)
{
	pte_t *pte = mm_pte_modify(mm, va, false);
	struct page *pg;
	bool cached;
	u64 entry;
	pte_t e;

	if (!pte)
		return -ENOMEM;
	e = *pte;
	if (!pte_present(e))
		return -EBUSY;
	pg = phys_to_page(pte_phys(e));
	if (!(pg->flags & PG_ANON) || (pte_write(e) && page_refcount(pg) != 1))
		return -EBUSY;
	cached = !swap_cache_dup(pg, &entry);
	if (!cached && swap_entry_alloc(&entry))
		return -ENOSPC;
	b->e[b->n].va = va;
	b->e[b->n].pg = pg;
	b->e[b->n].entry = entry;
	b->e[b->n].old = e;
	b->e[b->n].cached = cached;
	b->n++;
	*pte = pte_mk_swap(entry);
	mm_rss_account(mm, pg, false, -1);
	mm->swap_ents++;
	return 0;
}

/*
 * Flush @mm's TLBs once, write the batch's uncached pages to their slots
 * (a page whose write fails gets its PTE back), let the swap cache hold
 * them and drop the PTEs' page references. Returns the frames freed.
 */
static u64 swap_out_finish(struct mm *mm, struct out_batch *b)
{
	u64 freed = 0;

	if (!b->n)
		return 0;
	mm_flush_all(mm);
	for (int i = 0; i < b->n; i++) {
		struct page *pg = b->e[i].pg;
		u64 entry = b->e[i].entry;

		if (!b->e[i].cached) {
			int err = swap_io(entry, pg, true);

			/* The cache's own reference on the new slot. */
			if (!err && swap_entry_dup(entry))
				err = -ENOMEM;
			if (err) {
				/* Still ours under the lock: the PTE comes back, with
				 * at most the rights it had (no flush needed). */
				*arch_pt_walk(mm->pt_root, b->e[i].va, false) = b->e[i].old;
				swap_entry_put(entry);
				mm_rss_account(mm, pg, false, 1);
				mm->swap_ents--;
				continue;
			}
			swap_cache_add(pg, entry);
		}
		page_put(pg);		/* the PTE's reference; the cache holds one */
		freed += swap_cache_reclaim_page(pg);	/* gone if no one maps it */
	}
	b->n = 0;
	return freed;
}

/* Look at up to SCAN_BATCH pages of @mm from its clock hand, adding them to
 * *@scanned; frames freed. */
static u64 scan_mm(struct mm *mm, u64 want, u64 *scanned)
{
	u64 done = 0, seen = 0;
	u64 va = mm->reclaim_va;
	struct vma *v = vma_lower_bound(mm, va);
	struct out_batch batch = { .n = 0 };

	if (!v) {
		va = 0;
		v = vma_lower_bound(mm, 0);
	}
	while (v && seen < SCAN_BATCH && done + batch.n < want) {
		if (!vma_reclaimable(v)) {
			v = v->link.next == &mm->vmas ? NULL :
			    list_entry(v->link.next, struct vma, link);
			continue;
		}
		va = MAX(va, v->start);
		while (va < v->end && seen < SCAN_BATCH && done + batch.n < want) {
			pte_t *pte = arch_pt_walk(mm->pt_root, va, false);

			if (!pte) {
				va = arch_pt_next_populated(mm->pt_root, va, v->end);
				continue;
			}
			if (pte_present(*pte)) {
				seen++;
				vm_event_inc(current == kswapd_task ? VM_PGSCAN_KSWAPD :
					     VM_PGSCAN_DIRECT);
				/* Used since the hand last passed: a second chance. */
				if (!pte_test_and_clear_young(pte) &&
				    !swap_out_prepare(mm, va, &batch) && batch.n == OUT_BATCH)
					done += swap_out_finish(mm, &batch);
			}
			va += PAGE_SIZE;
		}
		if (va >= v->end)
			v = v->link.next == &mm->vmas ? NULL :
			    list_entry(v->link.next, struct vma, link);
	}
	done += swap_out_finish(mm, &batch);
	mm->reclaim_va = v ? va : 0;
	*scanned += seen;
	return done;
}

/* The address space of the next process from the cursor, referenced; NULL
 * at the end of the pids (the cursor wraps). Caller holds reclaim_lock. */
static struct mm *next_mm(void)
{
	struct mm *mm = NULL;

	spin_lock(&tasklist_lock);
	for (pid_t pid = pid_next_in_use(scan_cursor); pid > 0 && !mm;
	     pid = pid_next_in_use(pid + 1)) {
		struct process *p = process_find(pid);
		struct task *t;

		scan_cursor = pid + 1;
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
	if (!mm)
		scan_cursor = 1;
	spin_unlock(&tasklist_lock);
	return mm;
}

/*
 * Give the CPU up between two address spaces when the tick or a wake-up asks
 * for it. The kernel is not preemptible, and a scan that writes nothing never
 * sleeps: without this, kswapd0 could keep the CPU for the whole scan while
 * the task whose mm lock it keeps failing to take (one woken from a swap-in
 * read, say) waits to run, and only that address space had pages to give.
 * Caller holds no spinlock (reclaim_lock is a mutex). Sleeps: yes.
 */
static void reclaim_yield(void)
{
	if (__atomic_load_n(&this_cpu()->need_resched, __ATOMIC_RELAXED))
		schedule();
}

/* mm_reclaim - see include/swap.h. The hand may have to pass every page
 * twice (the first pass may only clear accessed bits): that bounds the scan,
 * and so do a turn of the clock that finds no page at all and a full swap
 * (pages already in the swap cache could still go, but the OOM killer will
 * free more, sooner). */
u64 mm_reclaim(u64 target)
{
	u64 freed, scanned = 0, turn_scanned = 0;
	u64 limit = 2 * page_total_count() + SCAN_BATCH;
	bool whole_turn = false;	/* turn_scanned counts a turn from the first pid */

	mutex_lock(&reclaim_lock);
	freed = swap_cache_shrink(target);
	while (freed < target && swap_active() && scanned < limit && swap_free_pages()) {
		struct mm *mm = next_mm();

		if (!mm) {
			if (whole_turn && !turn_scanned)
				break;	/* nothing anywhere to look at */
			whole_turn = true;
			turn_scanned = 0;
			continue;
		}
		if (mutex_trylock(&mm->lock)) {
			u64 before = scanned;

			freed += scan_mm(mm, target - freed, &scanned);
			turn_scanned += scanned - before;
			mutex_unlock(&mm->lock);
		}
		mm_put(mm);
		reclaim_yield();
	}
	freed += swap_cache_shrink(target > freed ? target - freed : 0);
	mutex_unlock(&reclaim_lock);
	return freed;
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
