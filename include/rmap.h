/*
 * The reverse map: from a user page to every page-table entry that maps it,
 * and the reclaim clock's list of those pages.
 *
 * Anonymous pages (PG_ANON) name a struct anon_vma in page->mapping: the
 * set of VMAs that may map the page, all descended by fork (and split,
 * mremap) from the VMA it was first mapped in, which share one anon_vma.
 * The page's page->index is the linear page index vma->pgoff gives it, so
 * in each VMA of the set the page can sit at one address only:
 *   va = vma->start + (page->index - vma->pgoff) * PAGE_SIZE.
 * Data pages of tmpfs files (shared anonymous memory and SysV segments
 * included) name their inode, whose mappings list (mm/rmap.c) holds the
 * VMAs that may map them at
 *   va = vma->start + page->index * PAGE_SIZE - vma->file_off.
 * A leaf table shared by several address spaces after fork (mm/ptshare.c)
 * holds one PTE for all of them; reclaim changes it in place only with
 * every sharer's mm->lock held, which it checks by counting the sharers it
 * reached against the table's own count of address spaces.
 *
 * Locks:
 *   [A] anon_vma->lock, a spinlock: the anon_vma's list of VMAs and each
 *       VMA's anon_link. Taken under mm->lock (fork, split, mremap, unmap),
 *       never the other way round; nothing else is taken under it but
 *       mm references (atomic).
 *   [L] lru_lock, a spinlock (mm/lru.c): the clock's list, page->on_lru,
 *       and a file page's page->mapping while it is cleared. A leaf.
 *   [a] atomic
 */
#ifndef SPROUT_RMAP_H
#define SPROUT_RMAP_H

#include "types.h"
#include "list.h"
#include "spinlock.h"

struct page;
struct vma;
struct inode;

struct anon_vma {
	u32 refcount;		/* [a] VMAs on the list + pages naming it */
	struct spinlock lock;
	struct list_head vmas;	/* [A] struct vma by anon_link */
};

/*
 * anon_vma_prepare - give @v an anon_vma of its own if it has none yet (the
 *   first anonymous page of a VMA). 0 or -ENOMEM. Caller holds v->mm->lock.
 * anon_vma_link_copy - @nv, a copy of @v (fork, split, the new VMA of a
 *   mremap move) whose anon_vma field was copied from @v: join @v's set.
 *   Caller holds the lock of @nv's mm (and @v's when it differs).
 * anon_vma_unlink - @v goes away: leave its set (the last reference frees
 *   it). Caller holds v->mm->lock or the mm's last reference.
 * page_anon_set - @pg, an anonymous page now mapped at @va of @v (which has
 *   an anon_vma), names @v's anon_vma and index unless it names one
 *   already, and joins the clock. Caller holds v->mm->lock.
 * Sleep: no.
 */
int anon_vma_prepare(struct vma *v);
void anon_vma_link_copy(struct vma *nv);
void anon_vma_unlink(struct vma *v);
void page_anon_set(struct page *pg, struct vma *v, u64 va);

/* mm_tryget - a reference on @mm unless its last one is already gone (it is
 * being torn down: its VMAs leave every list without anyone's help).
 * Atomic; any context. (mm/rmap.c) */
struct mm;
bool mm_tryget(struct mm *mm);

/* mm_rmap_walk_begin/mm_rmap_walk_end - hold / let go of mm_rmap_lock, so
 * that inode->mappings can be walked (reclaim). Sleeps: no. (mm/rmap.c) */
void mm_rmap_walk_begin(void);
void mm_rmap_walk_end(void);

/* vma_page_index - the linear page index of @va in @v (the value page->index
 * of an anonymous page mapped there holds). */
u64 vma_page_index(const struct vma *v, u64 va);

/*
 * The clock (mm/lru.c).
 * lru_add_anon - @pg (its mapping set) joins the clock, once swap has been on.
 * lru_add_file - @pg, data page @index of tmpfs file @ino, joins the clock.
 *   Caller holds the inode lock.
 * lru_del - @pg leaves the clock (its frame is being freed).
 * lru_forget_file - @pg leaves its file (truncate, swap-out, the file's end):
 *   its mapping is cleared under [L], so reclaim no longer reaches the
 *   inode through it.
 * lru_next - the page under the clock's hand, with a reference taken, moved
 *   behind the hand; for a file page also a reference on its inode in
 *   *@ino (else NULL). NULL when the clock is empty.
 * lru_pages - pages on the clock.
 * rmap_page_freed - page_put() of @pg's last reference: it leaves the
 *   clock and drops its anon_vma. Sleeps: no.
 * All take [L]. Sleep: no.
 */
void lru_add_anon(struct page *pg);
/*
 * lru_anon_start - from now on anonymous pages join the clock (lru_add_anon() does nothing
 * before), and every one already mapped joins it now: a walk over all frames. Called by
 * swapon before its area is active. Takes [L]; sleeps: no.
 */
void lru_anon_start(void);
void lru_add_file(struct page *pg, struct inode *ino, u64 index);
void lru_del(struct page *pg);
void lru_forget_file(struct page *pg);
struct page *lru_next(struct inode **ino);
u64 lru_pages(void);
void rmap_page_freed(struct page *pg);

#endif
