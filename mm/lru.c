/*
 * The reclaim clock's list: every user page reclaim may take (anonymous
 * pages once mapped, tmpfs data pages), in the order the hand meets them.
 * mm/reclaim.c takes the page under the hand and moves it behind it; a page
 * used since the hand last passed (an accessed bit set in some PTE that maps
 * it) gets its bits cleared and stays, one whose bits are all clear goes to
 * swap. New pages join just behind the hand, so they get a whole turn.
 *
 * Locks: lru_lock [L] (include/rmap.h), a leaf spinlock: the list, each
 * page's on_lru, and the clearing of a file page's mapping, so that
 * lru_next() can take a reference on the inode it names.
 */
#include "kernel.h"
#include "page.h"
#include "rmap.h"
#include "fs.h"
#include "spinlock.h"

static struct spinlock lru_lock = SPINLOCK_INIT("lru");
static struct list_head lru_list = LIST_HEAD_INIT(lru_list);	/* [L] */
static u64 nr_lru;		/* [L] */

static void add_locked(struct page *pg)
{
	if (!pg->on_lru) {
		list_add_tail(&pg->lru, &lru_list);
		pg->on_lru = 1;
		nr_lru++;
	}
}

/*
 * Anonymous pages join the clock only once some swap area has been on: without swap
 * reclaim has nowhere to put them, and the list would cost every fault a lock for nothing.
 * The first swapon sets this and puts every anonymous page already mapped on the clock
 * (lru_anon_start()); it is never cleared. [a]
 */
static bool anon_on_clock;

/* lru_add_anon - see include/rmap.h. */
void lru_add_anon(struct page *pg)
{
	/* Pairs with lru_anon_start(): either it sees this page's mapping, or this sees the
	 * flag (the page's mapping was stored before). */
	__atomic_thread_fence(__ATOMIC_SEQ_CST);
	if (!__atomic_load_n(&anon_on_clock, __ATOMIC_RELAXED))
		return;
	spin_lock(&lru_lock);
	add_locked(pg);
	spin_unlock(&lru_lock);
}

/* lru_add_file - see include/rmap.h. */
void lru_add_file(struct page *pg, struct inode *ino, u64 index)
{
	spin_lock(&lru_lock);
	pg->mapping = ino;
	pg->index = index;
	add_locked(pg);
	spin_unlock(&lru_lock);
}

/* lru_forget_file - see include/rmap.h. */
void lru_forget_file(struct page *pg)
{
	spin_lock(&lru_lock);
	pg->mapping = NULL;
	spin_unlock(&lru_lock);
}

/* lru_del - see include/rmap.h. */
void lru_del(struct page *pg)
{
	spin_lock(&lru_lock);
	if (pg->on_lru) {
		list_del(&pg->lru);
		pg->on_lru = 0;
		nr_lru--;
	}
	spin_unlock(&lru_lock);
}

/* A reference on @pg unless its last one is already gone (it is being freed:
 * page_put() takes it off the list). */
static bool page_tryget(struct page *pg)
{
	u32 n = __atomic_load_n(&pg->refcount, __ATOMIC_RELAXED);

	while (n) {
		if (__atomic_compare_exchange_n(&pg->refcount, &n, n + 1, false,
						__ATOMIC_ACQUIRE, __ATOMIC_RELAXED))
			return true;
	}
	return false;
}

/* lru_anon_start - see include/rmap.h. */
void lru_anon_start(void)
{
	u64 first, end;

	if (__atomic_load_n(&anon_on_clock, __ATOMIC_RELAXED))
		return;
	__atomic_store_n(&anon_on_clock, true, __ATOMIC_RELAXED);
	__atomic_thread_fence(__ATOMIC_SEQ_CST);
	page_pfn_range(&first, &end);
	for (u64 pfn = first; pfn < end; pfn++) {
		struct page *pg = phys_to_page(pfn << PAGE_SHIFT);

		if (!(__atomic_load_n(&pg->flags, __ATOMIC_RELAXED) & PG_ANON) ||
		    !__atomic_load_n(&pg->mapping, __ATOMIC_RELAXED) || !page_tryget(pg))
			continue;
		/* Held: not freed meanwhile; an anonymous page with its anon_vma still. */
		if ((pg->flags & PG_ANON) && pg->mapping) {
			spin_lock(&lru_lock);
			add_locked(pg);
			spin_unlock(&lru_lock);
		}
		page_put(pg);
	}
}

/* The same for an inode (a file being freed lets its pages go). */
static bool inode_tryget(struct inode *ino)
{
	u32 n = __atomic_load_n(&ino->refcount, __ATOMIC_RELAXED);

	while (n) {
		if (__atomic_compare_exchange_n(&ino->refcount, &n, n + 1, false,
						__ATOMIC_ACQUIRE, __ATOMIC_RELAXED))
			return true;
	}
	return false;
}

/* lru_next - see include/rmap.h. */
struct page *lru_next(struct inode **ino)
{
	struct page *pg = NULL;

	*ino = NULL;
	spin_lock(&lru_lock);
	for (u64 tries = nr_lru; tries && !pg; tries--) {
		struct page *p = list_first_entry(&lru_list, struct page, lru);

		list_del(&p->lru);
		list_add_tail(&p->lru, &lru_list);
		if (!page_tryget(p))
			continue;
		if (!(p->flags & PG_ANON) && p->mapping) {
			if (!inode_tryget(p->mapping)) {
				/* Dropped under the lock would free a page that is
				 * still on the list: its last put is ours later. */
				spin_unlock(&lru_lock);
				page_put(p);
				spin_lock(&lru_lock);
				continue;
			}
			*ino = p->mapping;
		}
		pg = p;
	}
	spin_unlock(&lru_lock);
	return pg;
}

/* lru_pages - see include/rmap.h. */
u64 lru_pages(void)
{
	return __atomic_load_n(&nr_lru, __ATOMIC_RELAXED);
}
