/*
 * Memory locks: mlock(2), mlock2(2), munlock(2), mlockall(2), munlockall(2),
 * mmap's MAP_LOCKED, and the RLIMIT_MEMLOCK accounting behind them and
 * behind /proc/PID/status VmLck.
 *
 * A locked VMA carries VMA_LOCKED (and VMA_LOCKONFAULT for mlock2's
 * MLOCK_ONFAULT and mlockall's MCL_ONFAULT); mm->locked_vm counts the pages
 * of locked VMAs, whether present or not, as Linux's locked_vm does. Locking
 * faults the pages in at once (unless on-fault), so a locked range never
 * waits for a page fault later; Sprout reclaims no user page yet, so a
 * present page stays present until it is unmapped. Locks belong to one
 * address space: fork does not copy them, exec drops them.
 *
 * Locks: mm->lock around everything (the [m] fields of include/mm.h).
 */
#include "kernel.h"
#include "mm.h"
#include "task.h"
#include "cpu.h"
#include "uapi/errno.h"
#include "uapi/mman.h"
#include "uapi/resource.h"

#define MCL_CURRENT	1
#define MCL_FUTURE	2
#define MCL_ONFAULT	4
#define MLOCK_ONFAULT	1

#define VMA_LOCK_MASK	(VMA_LOCKED | VMA_LOCKONFAULT)

/* Privileged callers stand for CAP_IPC_LOCK (Sprout has no capabilities). */
static bool ipc_lock_capable(void)
{
	return current->proc->euid == 0;
}

/* mm_memlock_capable - see include/mm.h. Linux's can_do_mlock(). */
bool mm_memlock_capable(void)
{
	return rlimit_cur(RLIMIT_MEMLOCK) != 0 || ipc_lock_capable();
}

/* mm_memlock_allows - see include/mm.h. */
bool mm_memlock_allows(struct mm *mm, u64 pages)
{
	u64 lim = rlimit_cur(RLIMIT_MEMLOCK);

	if (lim == RLIM_INFINITY || ipc_lock_capable())
		return true;
	return mm->locked_vm + pages <= lim / PAGE_SIZE;
}

/* mm_populate_range - see include/mm.h. */
int mm_populate_range(struct mm *mm, u64 start, u64 end)
{
	for (struct vma *v = vma_lower_bound(mm, start); v && v->start < end;
	     v = v->link.next == &mm->vmas ? NULL : list_entry(v->link.next, struct vma, link)) {
		/* A private writable page is written now, so no COW copy is
		 * left for later; an inaccessible range is not touched. */
		bool write = (v->prot & MMU_WRITE) && !(v->flags & VMA_SHARED);

		if (!(v->prot & (MMU_READ | MMU_WRITE | MMU_EXEC)))
			continue;
		for (u64 va = MAX(v->start, start); va < MIN(v->end, end); va += PAGE_SIZE) {
			pte_t *pte = arch_pt_walk(mm->pt_root, va, false);
			int err;

			if (pte && pte_present(*pte) && (!write || pte_write(*pte)))
				continue;
			err = mm_fault_locked(mm, va, write ? FAULT_WRITE | FAULT_USER : FAULT_USER);
			if (err)
				return err;
		}
	}
	return 0;
}

/* Pages of [start, end) in VMAs that are already locked. */
static u64 locked_pages_in(struct mm *mm, u64 start, u64 end)
{
	u64 pages = 0;

	for (struct vma *v = vma_lower_bound(mm, start); v && v->start < end;
	     v = v->link.next == &mm->vmas ? NULL : list_entry(v->link.next, struct vma, link))
		if (v->flags & VMA_LOCKED)
			pages += (MIN(v->end, end) - MAX(v->start, start)) / PAGE_SIZE;
	return pages;
}

/* Set @v's lock bits to @lock, keeping mm->locked_vm exact. */
static void vma_set_lock(struct mm *mm, struct vma *v, u32 lock)
{
	u64 pages = (v->end - v->start) / PAGE_SIZE;

	if (v->flags & VMA_LOCKED)
		mm->locked_vm -= pages;
	v->flags = (v->flags & ~VMA_LOCK_MASK) | lock;
	if (v->flags & VMA_LOCKED)
		mm->locked_vm += pages;
}

/*
 * Give every VMA of [start, end) the lock bits @lock, splitting VMAs at the
 * edges. -ENOMEM when part of the range is unmapped (nothing changed) or a
 * split fails (Linux's apply_vma_lock_flags()).
 */
static int apply_lock(struct mm *mm, u64 start, u64 end, u32 lock)
{
	struct vma *v;
	int err;

	for (u64 a = start; a < end; a = v->end) {
		v = mm_find_vma(mm, a);
		if (!v)
			return -ENOMEM;
	}
	v = mm_find_vma(mm, start);
	if (v->start < start) {
		if ((v->flags & VMA_LOCK_MASK) != lock && (err = mm_vma_split(mm, v, start)))
			return err;
		if (v->end <= start)
			v = list_entry(v->link.next, struct vma, link);
	}
	while (v && v->start < end) {
		struct vma *next;

		if ((v->flags & VMA_LOCK_MASK) != lock) {
			if (v->end > end && (err = mm_vma_split(mm, v, end)))
				return err;
			vma_set_lock(mm, v, lock);
		}
		next = v->link.next == &mm->vmas ? NULL :
		       list_entry(v->link.next, struct vma, link);
		v = next;
	}
	return 0;
}

/* Page-aligned [*start, *end) of a user range; -EINVAL if it wraps. */
static int lock_range(u64 addr, u64 len, u64 *start, u64 *end)
{
	u64 off = addr & (PAGE_SIZE - 1);

	if (len > ~0UL - off - PAGE_SIZE)
		return -EINVAL;
	*start = addr - off;
	*end = *start + PAGE_ALIGN_UP(len + off);
	if (*end < *start)
		return -EINVAL;
	return 0;
}

/* mlock(2)/mlock2(2) with the lock bits @lock. */
static long do_mlock(u64 addr, u64 len, u32 lock)
{
	struct mm *mm = current->mm;
	u64 start, end, lim = rlimit_cur(RLIMIT_MEMLOCK);
	long err;

	if (!mm_memlock_capable())
		return -EPERM;
	if ((err = lock_range(addr, len, &start, &end)))
		return err;
	if (start == end)
		return 0;
	mutex_lock(&mm->lock);
	/* Pages already locked in the range do not count twice. */
	if (!mm_memlock_allows(mm, (end - start) / PAGE_SIZE) &&
	    mm->locked_vm + (end - start) / PAGE_SIZE - locked_pages_in(mm, start, end) >
	    lim / PAGE_SIZE) {
		err = -ENOMEM;
		goto out;
	}
	err = apply_lock(mm, start, end, lock);
	if (!err && !(lock & VMA_LOCKONFAULT)) {
		/* Linux's error mapping for the populate step (mlock(2)):
		 * no page -> EAGAIN, a range it cannot fault -> ENOMEM. */
		err = mm_populate_range(mm, start, end);
		if (err == -ENOMEM)
			err = -EAGAIN;
		else if (err)
			err = -ENOMEM;
	}
out:
	mutex_unlock(&mm->lock);
	return err;
}

/*
 * sys_mlock - mlock(2): lock the pages of [addr, addr + len) (rounded out
 * to pages) and fault them in. Returns 0, -EPERM (RLIMIT_MEMLOCK is 0 and
 * the caller unprivileged), -ENOMEM (over RLIMIT_MEMLOCK, or part of the
 * range unmapped), -EAGAIN (no memory for the pages) or -EINVAL. Takes the
 * mm lock. May sleep.
 */
long sys_mlock(u64 addr, u64 len)
{
	return do_mlock(addr, len, VMA_LOCKED);
}

/* sys_mlock2 - mlock2(2): mlock(2), with MLOCK_ONFAULT locking pages only as
 * they fault in. -EINVAL for unknown flags; otherwise as sys_mlock(). */
long sys_mlock2(u64 addr, u64 len, unsigned long flags)
{
	if (flags & ~(unsigned long)MLOCK_ONFAULT)
		return -EINVAL;
	return do_mlock(addr, len, VMA_LOCKED | ((flags & MLOCK_ONFAULT) ? VMA_LOCKONFAULT : 0));
}

/* sys_munlock - munlock(2): unlock [addr, addr + len). Returns 0, -ENOMEM
 * (part of the range unmapped) or -EINVAL. Takes the mm lock. */
long sys_munlock(u64 addr, u64 len)
{
	struct mm *mm = current->mm;
	u64 start, end;
	long err;

	if ((err = lock_range(addr, len, &start, &end)))
		return err;
	if (start == end)
		return 0;
	mutex_lock(&mm->lock);
	err = apply_lock(mm, start, end, 0);
	mutex_unlock(&mm->lock);
	return err;
}

/*
 * sys_mlockall - mlockall(2): MCL_CURRENT locks (and faults in) every
 * mapping, MCL_FUTURE every later one, MCL_ONFAULT makes either lock pages
 * as they fault. Returns 0, -EINVAL (bad flags), -EPERM (RLIMIT_MEMLOCK 0,
 * unprivileged) or -ENOMEM (MCL_CURRENT with more mapped than
 * RLIMIT_MEMLOCK). Takes the mm lock. May sleep.
 */
long sys_mlockall(unsigned long flags)
{
	struct mm *mm = current->mm;
	u64 lim = rlimit_cur(RLIMIT_MEMLOCK);
	u32 lock = VMA_LOCKED | ((flags & MCL_ONFAULT) ? VMA_LOCKONFAULT : 0);
	struct vma *v;
	long err = 0;

	if (!flags || (flags & ~(unsigned long)(MCL_CURRENT | MCL_FUTURE | MCL_ONFAULT)) ||
	    flags == MCL_ONFAULT)
		return -EINVAL;
	if (!mm_memlock_capable())
		return -EPERM;
	mutex_lock(&mm->lock);
	if ((flags & MCL_CURRENT) && lim != RLIM_INFINITY && !ipc_lock_capable() &&
	    mm_total_vm(mm) > lim) {
		err = -ENOMEM;
		goto out;
	}
	mm->def_flags = (flags & MCL_FUTURE) ? lock : 0;
	if (flags & MCL_CURRENT) {
		list_for_each_entry(v, &mm->vmas, link)
			vma_set_lock(mm, v, lock);
		/* As Linux, a page that cannot be faulted in is no error here. */
		if (!(flags & MCL_ONFAULT))
			(void)mm_populate_range(mm, USER_BASE, USER_TOP);
	}
out:
	mutex_unlock(&mm->lock);
	return err;
}

/* sys_munlockall - munlockall(2): unlock every mapping, stop locking new
 * ones. Returns 0. Takes the mm lock. */
long sys_munlockall(void)
{
	struct mm *mm = current->mm;
	struct vma *v;

	mutex_lock(&mm->lock);
	mm->def_flags = 0;
	list_for_each_entry(v, &mm->vmas, link)
		vma_set_lock(mm, v, 0);
	mutex_unlock(&mm->lock);
	return 0;
}

/* mm_mmap_lock_flags - see include/mm.h. */
int mm_mmap_lock_flags(struct mm *mm, unsigned long mflags, u64 len, u32 *vflags)
{
	if (mflags & MAP_LOCKED) {
		if (!mm_memlock_capable())
			return -EPERM;
		*vflags |= VMA_LOCKED;
	}
	*vflags |= mm->def_flags;
	if ((*vflags & VMA_LOCKED) && !mm_memlock_allows(mm, len / PAGE_SIZE))
		return -EAGAIN;
	return 0;
}
