/*
 * The memory-mapping system calls: mmap, munmap, mprotect, brk.
 * brk and mmap share one VMA model, so a MAP_FIXED mapping may land inside
 * the heap (musl's malloc puts a PROT_NONE guard page there).
 *
 * Shared anonymous memory (MAP_SHARED|MAP_ANONYMOUS, and MAP_SHARED of
 * /dev/zero) is an unlinked tmpfs file of the mapping's size, as Linux's
 * shmem: pages come on first touch, fork shares them through the file.
 */
#include "kernel.h"
#include "mm.h"
#include "swap.h"
#include "uapi/resource.h"
#include "page.h"
#include "fs.h"
#include "cpu.h"
#include "task.h"
#include "uapi/errno.h"
#include "uapi/mman.h"
#include "uapi/fcntl.h"
#include "uapi/mount.h"

/* /dev/zero (Linux Documentation/admin-guide/devices.txt): its mappings are
 * anonymous memory. */
#define MEM_MAJOR	1
#define ZERO_MINOR	5

static bool inode_is_dev_zero(const struct inode *ino)
{
	return S_ISCHR(ino->mode) && ino->rdev_major == MEM_MAJOR && ino->rdev_minor == ZERO_MINOR;
}

/*
 * The object behind @fd for mmap(2) with @prot (PROT_*) and MAP_SHARED when
 * @shared: a regular file, referenced in *@out, or /dev/zero (*@out stays
 * NULL: anonymous memory). The descriptor must be open for reading, and for
 * writing too when a shared mapping is to be writable; *@vflags loses the
 * rights the mapping may never gain (VMA_MAYWRITE of a shared mapping of a
 * descriptor not open for writing, VMA_MAYEXEC on a noexec mount), as
 * mmap(2) and Linux's do_mmap decide them. Returns 0, -EBADF, -EACCES,
 * -EPERM (PROT_EXEC on a noexec mount) or -ENODEV. May sleep.
 */
static int mmap_file(int fd, unsigned long prot, bool shared, struct inode **out, u32 *vflags)
{
	struct file *f = fd_get(fd);
	u32 mode;
	int err = 0;

	if (!f)
		return -EBADF;
	mode = file_flags(f) & O_ACCMODE;
	if (!f->inode || !(inode_is_reg(f->inode) || inode_is_dev_zero(f->inode))) {
		err = -ENODEV;
	} else if (mode == O_WRONLY) {
		err = -EACCES;
	} else if (shared && mode != O_RDWR) {
		if (prot & PROT_WRITE)
			err = -EACCES;
		*vflags &= ~VMA_MAYWRITE;
	}
	/* A memfd sealed against writing: no writable shared mapping, now or
	 * by mprotect later (Linux clears VM_MAYWRITE). */
	if (!err && shared && (__atomic_load_n(&f->inode->seals, __ATOMIC_RELAXED) &
			       (F_SEAL_WRITE | F_SEAL_FUTURE_WRITE))) {
		if (prot & PROT_WRITE)
			err = -EPERM;
		*vflags &= ~VMA_MAYWRITE;
	}
	if (!err && inode_on_noexec_mount(f->inode)) {
		if (prot & PROT_EXEC)
			err = -EPERM;
		*vflags &= ~VMA_MAYEXEC;
	}
	if (!err && inode_is_reg(f->inode)) {
		inode_get(f->inode);
		*out = f->inode;
	}
	file_put(f);
	return err;
}

static u32 prot_to_mmu(unsigned long prot)
{
	u32 p = 0;

	if (prot & PROT_READ)
		p |= MMU_READ;
	if (prot & PROT_WRITE)
		p |= MMU_WRITE | MMU_READ;	/* x86 cannot map write-only */
	if (prot & PROT_EXEC)
		p |= MMU_EXEC | MMU_READ;
	return p;
}

/*
 * MAP_POPULATE: fault in the pages of [start, end), mapped with MMU_* @prot
 * and VMA_* @vflags, as far as possible. As on Linux, a private writable
 * mapping is written (its copies made now), any other read, a PROT_NONE one
 * left alone, and a failure (no memory, past the end of the file) only ends
 * the prefetch early: mmap(2) succeeds all the same.
 */
static void populate_locked(struct mm *mm, u64 start, u64 end, u32 prot, u32 vflags)
{
	unsigned flags = FAULT_USER;

	if (!(prot & (MMU_READ | MMU_WRITE | MMU_EXEC)))
		return;
	if ((prot & MMU_WRITE) && !(vflags & VMA_SHARED))
		flags |= FAULT_WRITE;
	for (u64 va = start; va < end; va += PAGE_SIZE) {
		if (mm_fault_locked(mm, va, flags))
			return;
	}
}

/* /proc/sys/vm/overcommit_memory (proc_sys_vm(5)): 0 heuristic, 1 always,
 * 2 strict. [a] */
static int overcommit_mode;

#define OVERCOMMIT_RATIO	50	/* percent of RAM: Linux's overcommit_ratio */

/* vm_overcommit_get/set - see include/mm.h. */
long vm_overcommit_get(void)
{
	return __atomic_load_n(&overcommit_mode, __ATOMIC_RELAXED);
}

int vm_overcommit_set(long mode)
{
	if (mode < 0 || mode > 2)
		return -EINVAL;
	__atomic_store_n(&overcommit_mode, (int)mode, __ATOMIC_RELAXED);
	return 0;
}

/*
 * RLIMIT_AS and RLIMIT_DATA (getrlimit(2)), and the overcommit policy: may
 * @len more bytes be mapped, counting as data when @data (private, writable,
 * not stack: what Linux's data_vm counts and what it accounts as committed
 * memory)? Overcommit mode 0 refuses one request larger than all of RAM
 * and swap, mode 1 never refuses, mode 2 refuses when this address space's
 * committed (data) memory would pass overcommit_ratio percent of RAM plus
 * the swap (Linux's CommitLimit). @noreserve: MAP_NORESERVE, which modes 0 and 1 do not account (as
 * Linux's VM_NORESERVE). Returns 0 or -ENOMEM. Caller holds the mm lock.
 */
static int vm_limits_allow(struct mm *mm, u64 len, bool data, bool noreserve)
{
	u64 as = rlimit_cur(RLIMIT_AS), dl = rlimit_cur(RLIMIT_DATA);
	u64 ram = (u64)page_total_count() * PAGE_SIZE;
	u64 swap = swap_total_pages() * PAGE_SIZE;
	int mode = __atomic_load_n(&overcommit_mode, __ATOMIC_RELAXED);
	u64 total = 0, data_vm = 0;
	struct vma *v;

	if (data && !noreserve && mode == 0 && len > ram + swap)
		return -ENOMEM;
	if (as == RLIM_INFINITY && (!data || (dl == RLIM_INFINITY && mode != 2)))
		return 0;
	list_for_each_entry(v, &mm->vmas, link) {
		total += v->end - v->start;
		if ((v->prot & MMU_WRITE) && !(v->flags & (VMA_SHARED | VMA_STACK)))
			data_vm += v->end - v->start;
	}
	if (as != RLIM_INFINITY && total + len > as)
		return -ENOMEM;
	if (data && dl != RLIM_INFINITY && data_vm + len > dl)
		return -ENOMEM;
	if (data && mode == 2 && data_vm + len > ram / 100 * OVERCOMMIT_RATIO + swap)
		return -ENOMEM;
	return 0;
}

/*
 * sys_mmap - mmap(2): anonymous private and shared mappings, private and
 * shared mappings of regular files and of /dev/zero, MAP_FIXED,
 * MAP_FIXED_NOREPLACE and MAP_POPULATE. Returns the address or a negative
 * errno (-EINVAL for bad flags, lengths or offsets, -EBADF, -EACCES, -EPERM,
 * -ENODEV, -ENOMEM, -EEXIST). Takes current's mm lock. May sleep.
 */
long sys_mmap(u64 addr, u64 len, unsigned long prot, unsigned long flags, int fd, u64 off)
{
	struct mm *mm = current->mm;
	unsigned type = flags & MAP_TYPE;
	struct inode *file = NULL;
	u32 vflags = VMA_MAY_RWX;
	u64 file_vend = 0;
	long ret;

	if (!len || (off & (PAGE_SIZE - 1)))
		return -EINVAL;
	if (type != MAP_PRIVATE && type != MAP_SHARED && type != MAP_SHARED_VALIDATE)
		return -EINVAL;
	if (prot & ~(u64)(PROT_READ | PROT_WRITE | PROT_EXEC))
		return -EINVAL;
	if (len > USER_TOP)
		return -ENOMEM;
	len = PAGE_ALIGN_UP(len);
	if (type != MAP_PRIVATE)
		vflags |= VMA_SHARED | VMA_MAYSHARE;
	if (flags & MAP_GROWSDOWN)
		vflags |= VMA_GROWSDOWN;
	if (!(flags & MAP_ANONYMOUS)) {
		/* A shared file mapping maps the file's own pages (mm/fault.c). */
		ret = mmap_file(fd, prot, vflags & VMA_SHARED, &file, &vflags);
		if (ret)
			return ret;
		if (file) {
			vflags |= VMA_EOF_SIGBUS;
			file_vend = ~0UL;	/* the file's size decides, at each fault */
		}
	}
	if (flags & (MAP_FIXED | MAP_FIXED_NOREPLACE)) {
		if (addr & (PAGE_SIZE - 1)) {
			ret = -EINVAL;
			goto out_put_file;
		}
		if (addr < USER_BASE || addr > USER_TOP || len > USER_TOP - addr) {
			ret = -ENOMEM;
			goto out_put_file;
		}
	}
	if (!file && (vflags & VMA_SHARED)) {
		/* Shared anonymous memory: its own unlinked file (Linux's
		 * shmem_zero_setup), which may be larger than memory. */
		ret = tmpfs_anon_create(len, 0777, &file);
		if (ret) {
			ret = ret == -EFBIG ? -ENOMEM : ret;
			goto out_put_file;
		}
		off = 0;
		file_vend = ~0UL;
	}

	mutex_lock(&mm->lock);
	if (flags & MAP_FIXED_NOREPLACE) {
		struct vma *v;

		list_for_each_entry(v, &mm->vmas, link) {
			if (v->start < addr + len && addr < v->end) {
				ret = -EEXIST;
				goto out_unlock;
			}
		}
	} else if (!(flags & MAP_FIXED)) {
		addr = mm_find_free(mm, len);
		if (!addr) {
			ret = -ENOMEM;
			goto out_unlock;
		}
	}
	ret = vm_limits_allow(mm, len, (prot & PROT_WRITE) && !(vflags & VMA_SHARED),
			      flags & MAP_NORESERVE);
	if (ret)
		goto out_unlock;
	ret = mm_mmap_lock_flags(mm, flags, len, &vflags);
	if (ret)
		goto out_unlock;
	ret = mm_map_locked(mm, addr, len, prot_to_mmu(prot), vflags, file, off, file_vend);
	if (ret)
		goto out_unlock;
	if (flags & MAP_POPULATE)
		populate_locked(mm, addr, addr + len, prot_to_mmu(prot), vflags);
	/* A locked mapping is faulted in now; like Linux, failing to is no error. */
	if ((vflags & VMA_LOCKED) && !(vflags & VMA_LOCKONFAULT))
		(void)mm_populate_range(mm, addr, addr + len);
	ret = (long)addr;
out_unlock:
	mutex_unlock(&mm->lock);
out_put_file:
	if (file)
		inode_put(file);
	return ret;
}

/* sys_munmap - munmap(2). Returns 0 or -EINVAL. Takes the mm lock. */
long sys_munmap(u64 addr, u64 len)
{
	struct mm *mm = current->mm;
	int err;

	if ((addr & (PAGE_SIZE - 1)) || !len || addr >= USER_TOP || len > USER_TOP - addr)
		return -EINVAL;
	len = PAGE_ALIGN_UP(len);
	mutex_lock(&mm->lock);
	err = mm_unmap_locked(mm, addr, len);
	mutex_unlock(&mm->lock);
	return err;
}

/* Apply new permissions to the present PTEs of [start, end). */
static int protect_ptes(struct mm *mm, u64 start, u64 end, u32 prot)
{
	for (u64 va = start; va < end;) {
		pte_t *pte = arch_pt_walk(mm->pt_root, va, false);

		if (!pte) {
			va = arch_pt_next_populated(mm->pt_root, va, end);
			continue;
		}
		if (pte_present(*pte)) {
			/* Changing the entry needs a table of our own. */
			pte = mm_pte_modify(mm, va, false);
			if (!pte)
				return -ENOMEM;
			/* Write permission is never granted here: the next write
			 * faults and cow_break() decides between copy and reuse. */
			bool keep_write = pte_write(*pte) && (prot & MMU_WRITE);
			/* PROT_NONE keeps the frame mapped (the PTE holds its
			 * reference) but drops the user bit, so any access faults. */
			u32 user = (prot & (MMU_READ | MMU_WRITE | MMU_EXEC)) ? MMU_USER : 0;
			pte_t np = pte_mk(pte_phys(*pte), (prot & ~MMU_WRITE) | user);

			if (keep_write)
				np |= PTE_W;
			if (pte_cow(*pte))
				np |= PTE_SW_COW;
			*pte = np;
		}
		va += PAGE_SIZE;
	}
	return 0;
}

/* May @v ever have the rights PROT_* @prot asks for? (mprotect(2) EACCES) */
static bool prot_within_may(const struct vma *v, unsigned long prot)
{
	if ((prot & PROT_READ) && !(v->flags & VMA_MAYREAD))
		return false;
	if ((prot & PROT_WRITE) && !(v->flags & VMA_MAYWRITE))
		return false;
	if ((prot & PROT_EXEC) && !(v->flags & VMA_MAYEXEC))
		return false;
	return true;
}

/*
 * sys_mprotect - mprotect(2): change the permissions of whole pages in
 * [addr, addr + len). Returns 0, -EINVAL (misaligned, bad prot), -ENOMEM
 * (part of the range unmapped) or -EACCES (a right the mapping may never
 * have: writing a file opened read-only through a shared mapping, executing
 * from a noexec mount; nothing is changed then). Takes the mm lock.
 */
long sys_mprotect(u64 addr, u64 len, unsigned long prot)
{
	struct mm *mm = current->mm;
	struct vma *v, *tmp;
	u64 end;
	long ret = 0;

	if ((addr & (PAGE_SIZE - 1)) || (prot & ~(u64)(PROT_READ | PROT_WRITE | PROT_EXEC)))
		return -EINVAL;
	len = PAGE_ALIGN_UP(len);
	if (addr >= USER_TOP || len > USER_TOP - addr)
		return -ENOMEM;
	if (!len)
		return 0;
	end = addr + len;
	u32 mprot = prot_to_mmu(prot);

	mutex_lock(&mm->lock);
	/* The whole range must be mapped, and allowed what is asked. */
	for (u64 a = addr; a < end;) {
		v = mm_find_vma(mm, a);
		if (!v) {
			ret = -ENOMEM;
			goto out;
		}
		if (!prot_within_may(v, prot)) {
			ret = -EACCES;
			goto out;
		}
		a = v->end;
	}
	/* Split at the edges (by unmapping nothing: reuse the split logic). */
	list_for_each_entry_safe(v, tmp, &mm->vmas, link) {
		if (v->end <= addr)
			continue;
		if (v->start >= end)
			break;
		if (v->start < addr || v->end > end) {
			struct vma *piece = v;
			u64 s = MAX(v->start, addr), e = MIN(v->end, end);

			/* Carve [s, e) out as its own VMA. */
			if (v->start < s) {
				if ((ret = mm_vma_split(mm, v, s)))
					goto out;
				piece = list_entry(v->link.next, struct vma, link);
			}
			if (piece->end > e && (ret = mm_vma_split(mm, piece, e)))
				goto out;
			v = piece;
			tmp = list_entry(v->link.next, struct vma, link);
		}
		v->prot = mprot;
		ret = protect_ptes(mm, v->start, v->end, mprot);
		if (ret)
			break;
	}
	mm_flush_all(mm);
out:
	mutex_unlock(&mm->lock);
	return ret;
}

/*
 * sys_brk - brk(2), Linux flavour: returns the new break, or the old one when
 * the request is refused (below the start, overlapping another mapping, out
 * of memory). Takes the mm lock.
 */
long sys_brk(u64 new_brk)
{
	struct mm *mm = current->mm;
	u64 ret;

	mutex_lock(&mm->lock);
	ret = mm->brk;
	if (new_brk < mm->brk_start || new_brk >= USER_MMAP_TOP)
		goto out;
	u64 old_end = PAGE_ALIGN_UP(mm->brk), new_end = PAGE_ALIGN_UP(new_brk);

	if (new_end > old_end) {
		struct vma *v;

		list_for_each_entry(v, &mm->vmas, link) {
			if (v->start < new_end && old_end < v->end)
				goto out;
		}
		if (vm_limits_allow(mm, new_end - old_end, true, false))
			goto out;
		/* After mlockall(MCL_FUTURE) the heap grows locked (Linux's brk). */
		if ((mm->def_flags & VMA_LOCKED) &&
		    !mm_memlock_allows(mm, (new_end - old_end) / PAGE_SIZE))
			goto out;
		if (mm_map_locked(mm, old_end, new_end - old_end, MMU_READ | MMU_WRITE,
				  VMA_HEAP | VMA_MAY_RWX | mm->def_flags, NULL, 0, 0))
			goto out;
		if ((mm->def_flags & VMA_LOCKED) && !(mm->def_flags & VMA_LOCKONFAULT))
			(void)mm_populate_range(mm, old_end, new_end);
	} else if (new_end < old_end) {
		if (mm_unmap_locked(mm, new_end, old_end - new_end))
			goto out;
	}
	mm->brk = new_brk;
	ret = new_brk;
out:
	mutex_unlock(&mm->lock);
	return (long)ret;
}
