/*
 * Advice about and questions on ranges of an address space: madvise(2),
 * msync(2) and mincore(2).
 *
 * madvise(MADV_DONTNEED) and MADV_FREE drop the page-table entries of the
 * range (mm_pt_release()), so the next touch faults again: private
 * anonymous memory comes back zero-filled, a private file mapping is
 * refetched from the file (a private copy made by a write is lost), a
 * shared mapping finds the file's page again. Sprout frees MADV_FREE pages
 * at once instead of when memory runs short, which is one of the outcomes
 * Linux allows. The access-pattern hints (NORMAL, RANDOM, SEQUENTIAL,
 * WILLNEED, HUGEPAGE, NOHUGEPAGE) change nothing here: every page is read
 * on demand and all pages are 4 KiB. DONTFORK/DOFORK and DONTDUMP/DODUMP
 * are accepted and checked like Linux but not recorded: fork and core
 * dumps treat every private mapping alike.
 *
 * msync(2): file mappings map tmpfs's own pages, so there is nothing to
 * write back; the call checks its arguments and the range as Linux does.
 * mincore(2): a page is resident if its PTE is present or, for a file
 * mapping, the file holds the page.
 *
 * Locks: mm->lock around every walk (the [m] fields of include/mm.h); the
 * mincore vector is built in a kernel buffer and copied out unlocked.
 */
#include "kernel.h"
#include "mm.h"
#include "fs.h"
#include "page.h"
#include "task.h"
#include "cpu.h"
#include "uapi/errno.h"

#define MADV_NORMAL		0
#define MADV_RANDOM		1
#define MADV_SEQUENTIAL		2
#define MADV_WILLNEED		3
#define MADV_DONTNEED		4
#define MADV_FREE		8
#define MADV_DONTFORK		10
#define MADV_DOFORK		11
#define MADV_HUGEPAGE		14
#define MADV_NOHUGEPAGE		15
#define MADV_DONTDUMP		16
#define MADV_DODUMP		17

#define MS_ASYNC	1
#define MS_INVALIDATE	2
#define MS_SYNC		4

static struct vma *vma_next(struct mm *mm, struct vma *v)
{
	return v->link.next == &mm->vmas ? NULL : list_entry(v->link.next, struct vma, link);
}

static bool advice_known(int advice)
{
	switch (advice) {
	case MADV_NORMAL: case MADV_RANDOM: case MADV_SEQUENTIAL: case MADV_WILLNEED:
	case MADV_DONTNEED: case MADV_FREE: case MADV_DONTFORK: case MADV_DOFORK:
	case MADV_HUGEPAGE: case MADV_NOHUGEPAGE: case MADV_DONTDUMP: case MADV_DODUMP:
		return true;
	}
	return false;
}

/* Apply @advice to [start, end) inside VMA @v. 0 or -EINVAL. Caller holds mm->lock. */
static int advise_vma(struct mm *mm, struct vma *v, u64 start, u64 end, int advice)
{
	switch (advice) {
	case MADV_DONTNEED:
		/* Linux: locked pages cannot be dropped (MADV_DONTNEED_LOCKED can). */
		if (v->flags & VMA_LOCKED)
			return -EINVAL;
		mm_pt_release(mm, start, end);
		return 0;
	case MADV_FREE:
		/* Only private anonymous memory may be freed lazily. */
		if (v->file || (v->flags & (VMA_LOCKED | VMA_SHARED)))
			return -EINVAL;
		mm_pt_release(mm, start, end);
		return 0;
	default:
		return 0;
	}
}

/*
 * sys_madvise - madvise(2): advice @advice for [addr, addr + len) (len
 * rounded up to pages). Returns 0, -EINVAL (unknown advice, @addr not page
 * aligned, the range wraps, DONTNEED on a locked mapping, FREE on one that
 * is not private anonymous) or -ENOMEM (part of the range is not mapped;
 * the mapped parts still get the advice, as on Linux). Takes the mm lock.
 * May sleep.
 */
long sys_madvise(u64 addr, u64 len, int advice)
{
	struct mm *mm = current->mm;
	u64 end, next;
	int err = 0;
	bool hole = false;

	if (!advice_known(advice) || (addr & (PAGE_SIZE - 1)))
		return -EINVAL;
	end = addr + ((len + PAGE_SIZE - 1) & ~(PAGE_SIZE - 1));
	if ((len && end == addr) || end < addr)
		return -EINVAL;
	if (end == addr)
		return 0;
	mutex_lock(&mm->lock);
	next = addr;
	for (struct vma *v = vma_lower_bound(mm, addr); v && v->start < end; v = vma_next(mm, v)) {
		if (v->start > next)
			hole = true;
		err = advise_vma(mm, v, MAX(v->start, addr), MIN(v->end, end), advice);
		if (err)
			break;
		next = v->end;
	}
	if (next < end)
		hole = true;
	mutex_unlock(&mm->lock);
	if (err)
		return err;
	return hole ? -ENOMEM : 0;
}

/*
 * sys_msync - msync(2) of [addr, addr + len): MS_ASYNC, MS_SYNC (not both)
 * and MS_INVALIDATE. tmpfs pages are the file's own, so nothing is written.
 * Returns 0, -EINVAL (unknown flags, both ASYNC and SYNC, @addr not page
 * aligned), -ENOMEM (the range wraps or is not wholly mapped) or -EBUSY
 * (MS_INVALIDATE of a locked mapping). Takes the mm lock. May sleep.
 */
long sys_msync(u64 addr, u64 len, int flags)
{
	struct mm *mm = current->mm;
	u64 end, next;
	long err = 0;

	if (flags & ~(MS_ASYNC | MS_INVALIDATE | MS_SYNC))
		return -EINVAL;
	if (addr & (PAGE_SIZE - 1))
		return -EINVAL;
	if ((flags & MS_ASYNC) && (flags & MS_SYNC))
		return -EINVAL;
	end = addr + ((len + PAGE_SIZE - 1) & ~(PAGE_SIZE - 1));
	if (end < addr || (len && end == addr))
		return -ENOMEM;
	if (end == addr)
		return 0;
	mutex_lock(&mm->lock);
	next = addr;
	for (struct vma *v = vma_lower_bound(mm, addr); v && v->start < end; v = vma_next(mm, v)) {
		if (v->start > next)
			err = -ENOMEM;
		if ((flags & MS_INVALIDATE) && (v->flags & VMA_LOCKED)) {
			err = -EBUSY;
			break;
		}
		next = v->end;
	}
	if (!err && next < end)
		err = -ENOMEM;
	mutex_unlock(&mm->lock);
	return err;
}

/* Is the page at @va of VMA @v resident? Caller holds mm->lock. */
static bool page_resident(struct mm *mm, struct vma *v, u64 va)
{
	pte_t *pte = arch_pt_walk(mm->pt_root, va, false);

	if (pte && pte_present(*pte))
		return true;
	if (v->file && inode_is_reg(v->file)) {
		u64 off = v->file_off + (va - v->start);
		struct page *pg;

		if (off >= v->file_vend)
			return false;
		pg = inode_get_page(v->file, off / PAGE_SIZE);
		if (pg) {
			page_put(pg);
			return true;
		}
	}
	return false;
}

#define MINCORE_CHUNK	256	/* pages per pass: the vector is copied out between passes */

/*
 * sys_mincore - mincore(2): one byte per page of [addr, addr + len) into
 * user @vec, bit 0 set when the page is resident. Returns 0, -EINVAL
 * (@addr not page aligned), -ENOMEM (the range is outside user space or
 * not wholly mapped) or -EFAULT (@vec). Takes the mm lock per pass of
 * MINCORE_CHUNK pages, never across the copy-out. May sleep.
 */
long sys_mincore(u64 addr, u64 len, u8 __user *vec)
{
	struct mm *mm = current->mm;
	u8 buf[MINCORE_CHUNK];
	u64 pages, done = 0;

	if (addr & (PAGE_SIZE - 1))
		return -EINVAL;
	if (addr >= USER_TOP || len > USER_TOP - addr)
		return -ENOMEM;
	pages = (len + PAGE_SIZE - 1) / PAGE_SIZE;
	while (done < pages) {
		u64 n = MIN(pages - done, (u64)MINCORE_CHUNK), va = addr + done * PAGE_SIZE;
		long err = 0;

		mutex_lock(&mm->lock);
		for (u64 i = 0; i < n; i++, va += PAGE_SIZE) {
			struct vma *v = mm_find_vma(mm, va);

			if (!v) {
				err = -ENOMEM;
				break;
			}
			buf[i] = page_resident(mm, v, va) ? 1 : 0;
		}
		mutex_unlock(&mm->lock);
		if (err)
			return err;
		if (copy_to_user(vec + done, buf, n))
			return -EFAULT;
		done += n;
	}
	return 0;
}
