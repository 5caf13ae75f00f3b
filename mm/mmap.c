/*
 * The memory-mapping system calls: mmap, munmap, mprotect, brk.
 * brk and mmap share one VMA model, so a MAP_FIXED mapping may land inside
 * the heap (musl's malloc puts a PROT_NONE guard page there).
 */
#include "kernel.h"
#include "mm.h"
#include "uapi/resource.h"
#include "page.h"
#include "fs.h"
#include "cpu.h"
#include "task.h"
#include "uapi/errno.h"
#include "uapi/mman.h"
#include "uapi/fcntl.h"
#include "uapi/mount.h"

/* The referenced inode behind @fd for a file mapping: a regular file open
 * for reading, and for writing too when a shared mapping may write it
 * (@shared_write). Returns 0, -EBADF, -EACCES or -ENODEV. */
static int fd_get_inode(int fd, struct inode **out, bool shared_write)
{
	struct file *f = fd_get(fd);
	int err = 0;

	if (!f)
		return -EBADF;
	if ((file_flags(f) & O_ACCMODE) == O_WRONLY)
		err = -EACCES;
	else if (shared_write && (file_flags(f) & O_ACCMODE) != O_RDWR)
		err = -EACCES;
	else if (!f->inode || !inode_is_reg(f->inode))
		err = -ENODEV;
	else {
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

/* Fault in every page of a shared anonymous mapping so fork shares frames. */
static int populate_locked(struct mm *mm, u64 start, u64 end)
{
	for (u64 va = start; va < end; va += PAGE_SIZE) {
		int err = mm_fault_locked(mm, va, FAULT_WRITE | FAULT_USER);

		if (err)
			return err;
	}
	return 0;
}

/*
 * RLIMIT_AS and RLIMIT_DATA (getrlimit(2)): may @len more bytes be mapped,
 * counting as data when @data (private, writable, not stack: what Linux's
 * data_vm counts)? Returns 0 or -ENOMEM. Caller holds the mm lock.
 */
static int vm_limits_allow(struct mm *mm, u64 len, bool data)
{
	u64 as = rlimit_cur(RLIMIT_AS), dl = rlimit_cur(RLIMIT_DATA);
	u64 total = 0, data_vm = 0;
	struct vma *v;

	if (as == RLIM_INFINITY && (!data || dl == RLIM_INFINITY))
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
	return 0;
}

/*
 * sys_mmap - mmap(2): anonymous private and shared mappings, private file
 * mappings, MAP_FIXED and MAP_FIXED_NOREPLACE. Returns the address or a
 * negative errno (-EINVAL for bad flags, lengths or offsets, -EBADF,
 * -EACCES, -ENOMEM, -EEXIST). Takes current's mm lock. May sleep.
 */
long sys_mmap(u64 addr, u64 len, unsigned long prot, unsigned long flags, int fd, u64 off)
{
	struct mm *mm = current->mm;
	unsigned type = flags & MAP_TYPE;
	struct inode *file = NULL;
	u32 vflags = 0;
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
		vflags |= VMA_SHARED;
	if (!(flags & MAP_ANONYMOUS)) {
		/* A shared file mapping maps the file's own pages (mm/fault.c). */
		ret = fd_get_inode(fd, &file, (vflags & VMA_SHARED) && (prot & PROT_WRITE));
		if (ret)
			return ret;
		/* mmap(2) EPERM: PROT_EXEC of a file on a noexec mount. */
		if ((prot & PROT_EXEC) && (inode_mount_flags(file) & MS_NOEXEC)) {
			ret = -EPERM;
			goto out_put_file;
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
	ret = vm_limits_allow(mm, len, (prot & PROT_WRITE) && !(vflags & VMA_SHARED));
	if (ret)
		goto out_unlock;
	ret = mm_map_locked(mm, addr, len, prot_to_mmu(prot), vflags, file, off,
			    file ? addr + (inode_size(file) > off ? inode_size(file) - off : 0) : 0);
	if (ret)
		goto out_unlock;
	if (((vflags & VMA_SHARED) && !file) || (flags & MAP_POPULATE)) {
		ret = populate_locked(mm, addr, addr + len);
		if (ret) {
			mm_unmap_locked(mm, addr, len);
			goto out_unlock;
		}
	}
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

/*
 * sys_mprotect - mprotect(2): change the permissions of whole pages in
 * [addr, addr + len). Returns 0, -EINVAL (misaligned, bad prot) or -ENOMEM
 * (part of the range unmapped). Takes the mm lock.
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
	/* The whole range must be mapped. */
	for (u64 a = addr; a < end;) {
		v = mm_find_vma(mm, a);
		if (!v) {
			ret = -ENOMEM;
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
				if ((ret = mm_vma_split(v, s)))
					goto out;
				piece = list_entry(v->link.next, struct vma, link);
			}
			if (piece->end > e && (ret = mm_vma_split(piece, e)))
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
		if (vm_limits_allow(mm, new_end - old_end, true))
			goto out;
		if (mm_map_locked(mm, old_end, new_end - old_end, MMU_READ | MMU_WRITE, VMA_HEAP,
				  NULL, 0, 0))
			goto out;
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
