/*
 * The reverse map of files: every VMA that maps a file is on the file's
 * list (inode->mappings), so that truncating a file can take the pages past
 * its new end out of every address space that maps them.
 *
 * Changing PTEs needs the address space's lock, a mutex taken before
 * mm_rmap_lock, so the truncation cannot hold the list while it unmaps: it
 * takes a snapshot of the address spaces (each with a reference, so none is
 * freed meanwhile), lets the list go, and unmaps in each under its lock.
 * A fork of one of them between the snapshot and its unmapping copies the
 * stale entries into a child the snapshot does not name; so the snapshot is
 * taken again until a round finds nothing left to unmap. A page reached
 * through a stale entry in that window is still counted by it, so nothing is
 * ever freed under a mapping.
 *
 * Locks: mm_rmap_lock [r] (a spinlock) guards every inode->mappings and
 * vma->file_link; order mm->lock -> mm_rmap_lock.
 */
#include "kernel.h"
#include "mm.h"
#include "rmap.h"
#include "fs.h"
#include "kmalloc.h"
#include "spinlock.h"
#include "uapi/errno.h"

static struct spinlock mm_rmap_lock = SPINLOCK_INIT("mm_rmap");

/* mm_rmap_link - see include/mm.h. */
void mm_rmap_link(struct vma *v)
{
	spin_lock(&mm_rmap_lock);
	list_add_tail(&v->file_link, &v->file->mappings);
	spin_unlock(&mm_rmap_lock);
}

/* mm_rmap_walk_begin/end - see include/rmap.h. */
void mm_rmap_walk_begin(void)
{
	spin_lock(&mm_rmap_lock);
}

void mm_rmap_walk_end(void)
{
	spin_unlock(&mm_rmap_lock);
}

/* mm_rmap_unlink - see include/mm.h. */
void mm_rmap_unlink(struct vma *v)
{
	spin_lock(&mm_rmap_lock);
	list_del(&v->file_link);
	spin_unlock(&mm_rmap_lock);
}

/* mm_tryget - see include/rmap.h. */
bool mm_tryget(struct mm *mm)
{
	u32 n = __atomic_load_n(&mm->refcount, __ATOMIC_RELAXED);

	while (n) {
		if (__atomic_compare_exchange_n(&mm->refcount, &n, n + 1, false, __ATOMIC_ACQUIRE,
						__ATOMIC_RELAXED))
			return true;
	}
	return false;
}

/*
 * Referenced address spaces mapping @ino, each once, into a kmalloc'd array
 * in *@out. Returns how many (0: none, *@out NULL) or -ENOMEM.
 */
static long snapshot_mms(struct inode *ino, struct mm ***out)
{
	struct mm **mms = NULL;
	long cap = 0;

	for (;;) {
		long n = 0, need = 0;
		struct vma *v;

		spin_lock(&mm_rmap_lock);
		list_for_each_entry(v, &ino->mappings, file_link)
			need++;
		if (need <= cap) {
			list_for_each_entry(v, &ino->mappings, file_link) {
				bool seen = false;

				/* A process maps a file a few times at most. */
				for (long i = 0; i < n && !seen; i++)
					seen = mms[i] == v->mm;
				if (!seen && mm_tryget(v->mm))
					mms[n++] = v->mm;
			}
			spin_unlock(&mm_rmap_lock);
			if (!n) {
				kfree(mms);
				mms = NULL;
			}
			*out = mms;
			return n;
		}
		spin_unlock(&mm_rmap_lock);
		kfree(mms);
		cap = need + 8;
		mms = kmalloc(cap * sizeof(*mms));
		if (!mms)
			return -ENOMEM;
	}
}

/* Is any page of [start, end) of @mm present or swapped out? Caller holds the lock. */
static bool range_populated(struct mm *mm, u64 start, u64 end)
{
	for (u64 va = start; va < end;) {
		pte_t *pte = arch_pt_walk(mm->pt_root, va, false);

		if (!pte) {
			va = arch_pt_next_populated(mm->pt_root, va, end);
			continue;
		}
		if (pte_present(*pte) || pte_is_swap(*pte))
			return true;
		va += PAGE_SIZE;
	}
	return false;
}

/* Unmap the pages of @ino at file page @pgoff and beyond from @mm. Returns
 * whether any was mapped. */
static bool zap_mm(struct mm *mm, struct inode *ino, u64 pgoff)
{
	bool found = false;
	struct vma *v;

	mutex_lock(&mm->lock);
	list_for_each_entry(v, &mm->vmas, link) {
		if (v->file != ino)
			continue;
		u64 first = v->file_off >> PAGE_SHIFT;
		u64 pages = (v->end - v->start) >> PAGE_SHIFT;

		if (first + pages <= pgoff)
			continue;
		u64 start = first >= pgoff ? v->start : v->start + ((pgoff - first) << PAGE_SHIFT);

		if (range_populated(mm, start, v->end)) {
			mm_pt_release(mm, start, v->end);
			found = true;
		}
	}
	mutex_unlock(&mm->lock);
	return found;
}

/* mm_file_shrunk - see include/mm.h. */
void mm_file_shrunk(struct inode *ino, u64 size)
{
	u64 pgoff = (size + PAGE_SIZE - 1) >> PAGE_SHIFT;
	bool again = true;

	while (again) {
		struct mm **mms;
		long n = snapshot_mms(ino, &mms);

		/* Out of memory for the snapshot: the stale entries keep their
		 * pages counted, so what is lost is a SIGBUS, not memory. */
		if (n < 0) {
			printk("mm: truncate of inode %lu: no memory to unmap its pages\n",
			       (unsigned long)ino->ino);
			return;
		}
		again = false;
		for (long i = 0; i < n; i++) {
			if (zap_mm(mms[i], ino, pgoff))
				again = true;
			mm_put(mms[i]);
		}
		kfree(mms);
	}
}

/* mm_file_writably_mapped - see include/mm.h. */
bool mm_file_writably_mapped(struct inode *ino)
{
	struct vma *v;
	bool found = false;

	spin_lock(&mm_rmap_lock);
	list_for_each_entry(v, &ino->mappings, file_link)
		if ((v->flags & VMA_SHARED) && (v->flags & VMA_MAYWRITE))
			found = true;
	spin_unlock(&mm_rmap_lock);
	return found;
}
