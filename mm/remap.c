/*
 * remap_file_pages(2) as Linux has emulated it since 4.0: the pages of a
 * shared file mapping are made to show other pages of the same file by
 * mapping the file again, MAP_FIXED, over that range (one new VMA per call,
 * so the call costs a VMA where the old nonlinear mappings did not).
 */
#include "kernel.h"
#include "mm.h"
#include "fs.h"
#include "task.h"
#include "cpu.h"
#include "uapi/errno.h"

/* The VMA after @v in @mm, or NULL. */
static struct vma *vma_next(struct mm *mm, struct vma *v)
{
	return v->link.next == &mm->vmas ? NULL : list_entry(v->link.next, struct vma, link);
}

/*
 * sys_remap_file_pages - remap_file_pages(2): show file pages from page
 * @pgoff on at [start, start + size) (both rounded down to pages) of a
 * shared file mapping, populated at once. @prot must be 0; @flags other
 * than MAP_NONBLOCK are ignored, as in Linux's emulation. The range must
 * lie in one shared file mapping (or contiguous ones of the same file and
 * flags). Returns 0, -EINVAL or -ENOMEM. Takes the mm lock. May sleep.
 */
long sys_remap_file_pages(u64 start, u64 size, unsigned long prot, u64 pgoff,
			  unsigned long flags)
{
	struct mm *mm = current->mm;
	struct inode *file;
	struct vma *v, *w;
	u64 end, off, fsize;
	u32 vprot, vflags;
	long err = -EINVAL;

	(void)flags;
	if (prot)
		return -EINVAL;
	start = PAGE_ALIGN_DOWN(start);
	size = PAGE_ALIGN_DOWN(size);
	end = start + size;
	if (end <= start || end > USER_TOP)
		return -EINVAL;
	if (pgoff > (~0UL >> PAGE_SHIFT) - (size >> PAGE_SHIFT))
		return -EINVAL;
	off = pgoff << PAGE_SHIFT;

	mutex_lock(&mm->lock);
	v = mm_find_vma(mm, start);
	/* Only plain shared file mappings: SysV segments (ops) are not files. */
	if (!v || !(v->flags & VMA_SHARED) || !v->file || v->ops)
		goto out;
	for (w = v; w->end < end;) {
		struct vma *n = vma_next(mm, w);

		if (!n || n->start != w->end || n->file != v->file || n->flags != v->flags)
			goto out;
		w = n;
	}
	file = v->file;
	vprot = v->prot;
	/* What the mapping is and may become carries over; what it is
	 * used as (stack, heap) does not, as Linux's do_mmap() of the file. */
	vflags = v->flags & ~(VMA_STACK | VMA_HEAP | VMA_GROWSDOWN);
	inode_get(file);	/* the old VMAs' references go in the remap */
	fsize = inode_size(file);
	err = mm_map_locked(mm, start, size, vprot, vflags, file, off,
			    (vflags & VMA_EOF_SIGBUS) ? ~0UL
						      : start + (fsize > off ? fsize - off : 0));
	if (!err)
		(void)mm_populate_range(mm, start, end);	/* MAP_POPULATE */
	inode_put(file);
out:
	mutex_unlock(&mm->lock);
	return err;
}
