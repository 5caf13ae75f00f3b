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
 * Swap out the page mapped at @va of @mm. Returns 1 when its PTE became a
 * swap entry and its frame was freed, 0 when the entry changed but the frame
 * is still mapped elsewhere (it stays in the swap cache), else a negative
 * errno (-EBUSY: not now). Caller holds @mm->lock and reclaim_lock.
 */
static int swap_out_pte(struct mm *mm, u64 va)
{
	pte_t *pte = mm_pte_modify(mm, va, false);
	struct page *pg;
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
	if (swap_cache_dup(pg, &entry)) {
		/* Not cached yet: write it to a new slot. Its contents must not
		 * change meanwhile: another mapping of it is read-only (COW),
		 * and ours becomes so. */
		int err = swap_entry_alloc(&entry);

		if (err)
			return err;
		if (pte_write(e)) {
			*pte = pte_wrprotect(e);
			mm_flush_page(mm, va);
		}
		err = swap_io(entry, pg, true);
		if (err) {
			swap_entry_put(entry);
			return err;
		}
		/* The new slot's reference goes to the cache, one more to the PTE. */
		swap_cache_add(pg, entry);
		if (swap_entry_dup(entry)) {
			swap_cache_reclaim_page(pg);
			return -EBUSY;
		}
	}
	*pte = pte_mk_swap(entry);
	mm_flush_page(mm, va);
	mm_rss_account(mm, pg, false, -1);
	mm->swap_ents++;
	page_put(pg);			/* the PTE's reference; the cache still holds one */
	return swap_cache_reclaim_page(pg);	/* and lets it go when no one maps it */
}

/* Look at up to SCAN_BATCH pages of @mm from its clock hand, adding them to
 * *@scanned; frames freed. */
static u64 scan_mm(struct mm *mm, u64 want, u64 *scanned)
{
	u64 done = 0, seen = 0;
	u64 va = mm->reclaim_va;
	struct vma *v = vma_lower_bound(mm, va);

	if (!v) {
		va = 0;
		v = vma_lower_bound(mm, 0);
	}
	while (v && seen < SCAN_BATCH && done < want) {
		if (!vma_reclaimable(v)) {
			v = v->link.next == &mm->vmas ? NULL :
			    list_entry(v->link.next, struct vma, link);
			continue;
		}
		va = MAX(va, v->start);
		while (va < v->end && seen < SCAN_BATCH && done < want) {
			pte_t *pte = arch_pt_walk(mm->pt_root, va, false);

			if (!pte) {
				va = arch_pt_next_populated(mm->pt_root, va, v->end);
				continue;
			}
			if (pte_present(*pte)) {
				seen++;
				vm_event_inc(current == kswapd_task ? VM_PGSCAN_KSWAPD :
					     VM_PGSCAN_DIRECT);
				if (pte_test_and_clear_young(pte)) {
					/* Used since the hand last passed: a second chance. */
				} else if (swap_out_pte(mm, va) == 1) {
					done++;
				}
			}
			va += PAGE_SIZE;
		}
		if (va >= v->end)
			v = v->link.next == &mm->vmas ? NULL :
			    list_entry(v->link.next, struct vma, link);
	}
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
