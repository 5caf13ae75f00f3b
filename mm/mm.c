/*
 * Address spaces: creation, teardown, the VMA list and fork's copy.
 *
 * The VMA list is sorted by address and never has overlapping entries. Pages
 * are counted exactly: every present user PTE holds one reference on its
 * frame, so unmapping a PTE drops one (page_put), and fork's sharing adds one.
 */
#include "kernel.h"
#include "mm.h"
#include "page.h"
#include "rmap.h"
#include "kmalloc.h"
#include "fs.h"
#include "cpu.h"
#include "task.h"
#include "uapi/errno.h"

/* mm_create - see include/mm.h. */
struct mm *mm_create(void)
{
	struct mm *mm = kzalloc(sizeof(*mm));

	if (!mm)
		return NULL;
	mm->pt_root = arch_pt_create();
	if (!mm->pt_root) {
		kfree(mm);
		return NULL;
	}
	mm->refcount = 1;
	mm->mmap_base = USER_MMAP_TOP;
	mutex_init(&mm->lock, "mm");
	list_init(&mm->vmas);
	return mm;
}

void mm_get(struct mm *mm)
{
	__atomic_add_fetch(&mm->refcount, 1, __ATOMIC_RELAXED);
}

static struct vma *vma_alloc(void)
{
	struct vma *v = kzalloc(sizeof(*v));

	if (v)
		list_init(&v->link);
	return v;
}

static void vma_free(struct vma *v)
{
	if (v->ops && v->ops->close)
		v->ops->close(v);
	if (v->anon_vma)
		anon_vma_unlink(v);
	if (v->file) {
		mm_rmap_unlink(v);
		inode_put(v->file);
	}
	kfree(v);
}

/* mm_put - see include/mm.h. */
void mm_put(struct mm *mm)
{
	if (__atomic_sub_fetch(&mm->refcount, 1, __ATOMIC_ACQ_REL) != 0)
		return;

	struct vma *v, *tmp;

	/* Last reference: nobody else can take the lock any more, and no CPU
	 * has the table loaded (exit and exec switch away before the put). */
	KASSERT(__atomic_load_n(&mm->cpumask, __ATOMIC_ACQUIRE) == 0);
	list_for_each_entry_safe(v, tmp, &mm->vmas, link) {
		list_del(&v->link);
		vma_free(v);
	}
	mm->vma_root = NULL;	/* the tree named the VMAs just freed */
	mm->vma_cache = NULL;
	mm->map_count = 0;
	/* Detach every leaf table (shared ones only lose a reference), then
	 * free the upper levels. */
	mm_pt_release(mm, 0, ALIGN_UP(USER_TOP, PT_REGION_SIZE));
	arch_pt_free_user(mm->pt_root, true);
	if (mm->exe_inode)
		inode_exe_put(mm->exe_inode);
	kfree(mm);
}

/* vm_max_map_count - see include/mm.h. Linux's DEFAULT_MAX_MAP_COUNT. */
int vm_max_map_count = 65530;

static u32 max_map_count(void)
{
	return (u32)__atomic_load_n(&vm_max_map_count, __ATOMIC_RELAXED);
}

/* vm_set_max_map_count - see include/mm.h. */
int vm_set_max_map_count(long value)
{
	if (value < 0 || value > 0x7fffffff)
		return -EINVAL;
	__atomic_store_n(&vm_max_map_count, (int)value, __ATOMIC_RELAXED);
	return 0;
}

/* mm_find_vma - see include/mm.h. O(log n) through the VMA tree. */
struct vma *mm_find_vma(struct mm *mm, u64 addr)
{
	struct vma *v = mm->vma_cache;

	/* VMAs never overlap: one that holds @addr is the answer. */
	if (v && v->start <= addr && addr < v->end)
		return v;
	v = vma_lower_bound(mm, addr);
	if (!v || v->start > addr)
		return NULL;
	mm->vma_cache = v;
	return v;
}

/* Link @nv (not overlapping any VMA) into the list and the tree of @mm. */
static void vma_insert(struct mm *mm, struct vma *nv)
{
	struct vma *next = vma_lower_bound(mm, nv->start);

	list_add_tail(&nv->link, next ? &next->link : &mm->vmas);
	vma_tree_insert(mm, nv);
	mm->map_count++;
	if (nv->flags & VMA_LOCKED)
		mm->locked_vm += (nv->end - nv->start) / PAGE_SIZE;
}

/* Unlink @v from @mm (the caller frees it). */
static void vma_remove(struct mm *mm, struct vma *v)
{
	struct vma *next = v->link.next == &mm->vmas ? NULL :
			   list_entry(v->link.next, struct vma, link);

	list_del(&v->link);
	vma_tree_remove(mm, v, next);
	mm->map_count--;
	if (v->flags & VMA_LOCKED)
		mm->locked_vm -= (v->end - v->start) / PAGE_SIZE;
}

/* Split @v at @addr whatever the VMA count (munmap may pass the limit by one). */
static int vma_split(struct mm *mm, struct vma *v, u64 addr)
{
	struct vma *hi = vma_alloc();

	if (!hi)
		return -ENOMEM;
	*hi = *v;
	list_init(&hi->link);
	hi->start = addr;
	hi->pgoff = v->pgoff + (addr - v->start) / PAGE_SIZE;
	if (hi->anon_vma)
		anon_vma_link_copy(hi);
	if (hi->file) {
		hi->file_off = v->file_off + (addr - v->start);
		inode_get(hi->file);
		mm_rmap_link(hi);
	}
	if (hi->ops && hi->ops->open)
		hi->ops->open(hi);
	v->end = addr;
	list_add(&hi->link, &v->link);
	vma_tree_insert(mm, hi);
	mm->map_count++;
	return 0;
}

/* mm_vma_split - see include/mm.h. */
int mm_vma_split(struct mm *mm, struct vma *v, u64 addr)
{
	if (mm->map_count >= max_map_count())
		return -ENOMEM;
	return vma_split(mm, v, addr);
}

/* mm_unmap_locked - see include/mm.h. Starts at the first VMA the range
 * touches (found in the tree), so it costs O(log n) plus the VMAs removed. */
int mm_unmap_locked(struct mm *mm, u64 start, u64 len)
{
	u64 end = start + len;
	struct vma *v = vma_lower_bound(mm, start), *tmp;

	if (!v)
		return 0;
	/* Punching a hole adds a VMA: refused at the limit, as Linux's munmap does,
	 * though the two splits on the way may pass it by one for a moment. */
	if (v->start < start && end < v->end && mm->map_count >= max_map_count())
		return -ENOMEM;
	for (tmp = list_entry(v->link.next, struct vma, link); &v->link != &mm->vmas;
	     v = tmp, tmp = list_entry(tmp->link.next, struct vma, link)) {
		if (v->start >= end)
			break;
		if (v->start < start) {
			if (vma_split(mm, v, start))
				return -ENOMEM;
			tmp = list_entry(v->link.next, struct vma, link);
			continue;
		}
		if (v->end > end) {
			if (vma_split(mm, v, end))
				return -ENOMEM;
			tmp = list_entry(v->link.next, struct vma, link);
		}
		mm_pt_release(mm, v->start, v->end);
		vma_remove(mm, v);
		vma_free(v);
	}
	/* mm_pt_release() flushed the TLBs before releasing each frame. */
	return 0;
}

/* mm_map_locked - see include/mm.h. */
int mm_map_locked(struct mm *mm, u64 start, u64 len, u32 prot, u32 flags,
		  struct inode *file, u64 file_off, u64 file_vend)
{
	struct vma *nv;
	int err;

	/* Linux's do_mmap()/do_brk_flags() test: one over the limit is refused. */
	if (mm->map_count > max_map_count())
		return -ENOMEM;
	nv = vma_alloc();
	if (!nv)
		return -ENOMEM;
	err = mm_unmap_locked(mm, start, len);
	if (err) {
		kfree(nv);
		return err;
	}
	nv->mm = mm;
	nv->start = start;
	nv->end = start + len;
	nv->prot = prot;
	nv->flags = flags;
	nv->file = file;
	nv->file_off = file_off;
	nv->file_vend = file_vend;
	nv->pgoff = (file ? file_off : start) / PAGE_SIZE;
	if (file) {
		inode_get(file);
		mm_rmap_link(nv);
	}
	vma_insert(mm, nv);
	return 0;
}

/* mm_find_free - see include/mm.h. Top-down first fit, a descent of the
 * VMA tree (mm/vma_tree.c). */
u64 mm_find_free(struct mm *mm, u64 len)
{
	return vma_tree_find_gap(mm, len, mm->mmap_base);
}

/* mm_fork - see include/mm.h. */
struct mm *mm_fork(struct mm *parent)
{
	struct mm *child = mm_create();
	struct vma *v;
	int err = 0;

	if (!child)
		return NULL;
	if (parent->exe_inode)
		child->exe_inode = inode_exe_get(parent->exe_inode);
	mutex_lock(&parent->lock);
	list_for_each_entry(v, &parent->vmas, link) {
		struct vma *nv = vma_alloc();

		if (!nv) {
			err = -ENOMEM;
			break;
		}
		*nv = *v;
		nv->mm = child;
		list_init(&nv->link);
		list_init(&nv->file_link);	/* linked once the child is whole */
		/* Its pages are the parent's until written: the same set. */
		if (nv->anon_vma)
			anon_vma_link_copy(nv);
		/* Memory locks are not inherited (mlock(2)). */
		nv->flags &= ~(VMA_LOCKED | VMA_LOCKONFAULT);
		if (nv->file)
			inode_get(nv->file);
		if (nv->ops && nv->ops->open)
			nv->ops->open(nv);
		list_add_tail(&nv->link, &child->vmas);
		vma_tree_insert(child, nv);
		child->map_count++;
	}
	/* The page tables themselves are shared copy-on-write (mm/ptshare.c):
	 * the cost of fork does not grow with the memory the parent touched. */
	if (!err)
		err = mm_pt_share(parent, child);
	/* Only now may a truncation find the child (mm/rmap.c), and before
	 * the parent's lock goes: one that unmapped the parent before this
	 * fork left nothing stale to copy, a later one sees the child. */
	if (!err) {
		list_for_each_entry(v, &child->vmas, link)
			if (v->file)
				mm_rmap_link(v);
	}
	child->brk_start = parent->brk_start;
	child->mmap_base = parent->mmap_base;
	child->brk = parent->brk;
	child->arg_start = parent->arg_start;
	child->arg_end = parent->arg_end;
	child->env_start = parent->env_start;
	child->env_end = parent->env_end;
	child->hiwater_rss = child->rss_pages;
	mutex_unlock(&parent->lock);
	if (err) {
		/* Pages already shared stay COW in the parent, which is harmless:
		 * its next write takes them back (refcount 1 again). */
		mm_put(child);
		return NULL;
	}
	return child;
}

/* mm_populate_write - see include/mm.h. */
int mm_populate_write(struct mm *mm, u64 dst, const void *src, size_t len)
{
	const char *s = src;

	while (len) {
		u64 off = dst & (PAGE_SIZE - 1);
		size_t chunk = MIN(len, PAGE_SIZE - off);
		int err = mm_fault_locked(mm, dst, FAULT_WRITE | FAULT_USER);

		if (err)
			return err;
		pte_t *pte = arch_pt_walk(mm->pt_root, dst, false);

		KASSERT(pte && pte_present(*pte) && pte_write(*pte));
		memcpy((char *)phys_to_virt(pte_phys(*pte)) + off, s, chunk);
		s += chunk;
		dst += chunk;
		len -= chunk;
	}
	return 0;
}

/*
 * mm_activate - see include/mm.h. The order matters for the shootdown: the
 * new mm's bit is set before its table is loaded, so a CPU changing a PTE
 * of it either sees the bit (and flushes us) or changed the PTE before our
 * CR3 load (which then reads the new PTE). The old mm's bit is cleared only
 * after the CR3 write has dropped its entries from this TLB.
 */
void mm_activate(struct mm *mm)
{
	struct cpu *c = this_cpu();
	struct mm *old = c->active_mm;
	u64 bit = 1ul << c->id;

	if (mm && mm != old)
		__atomic_fetch_or(&mm->cpumask, bit, __ATOMIC_SEQ_CST);
	arch_pt_activate(mm ? mm->pt_root : arch_pt_kernel_root());
	if (old && old != mm)
		__atomic_fetch_and(&old->cpumask, ~bit, __ATOMIC_RELEASE);
	c->active_mm = mm;
}

/*
 * Which CPUs need a flush after a PTE of @mm changed. The PTE store must
 * be ordered before the read of the mask (see mm_activate()); the full
 * fence does it. Interrupts may be enabled: the kernel is not preemptible,
 * so this_cpu() stays right, and an interrupt never switches mm.
 */
static u64 mm_flush_targets(struct mm *mm)
{
	KASSERT(mutex_held(&mm->lock) || mm->cpumask == 0);
	__atomic_thread_fence(__ATOMIC_SEQ_CST);
	return __atomic_load_n(&mm->cpumask, __ATOMIC_RELAXED);
}

/*
 * mm_flush_page - see include/mm.h. Where a flush can be skipped:
 *  - @mm loaded on no CPU (exec's new image before the switch, exit's and
 *    exec's old one after it, a fork child before it first runs): the next
 *    CR3 load starts with an empty TLB, so nothing at all is sent;
 *  - @mm loaded on this CPU only (every single-threaded process): a local
 *    invlpg, no IPI;
 *  - a PTE that only gained rights (a COW page taken back writable) needs
 *    no flush anywhere: a stale read-only entry at worst causes a spurious
 *    fault, which mm_fault_locked() resolves by a local flush. Callers skip
 *    those (mm/fault.c).
 */
void mm_flush_page(struct mm *mm, u64 va)
{
	u64 mask = mm_flush_targets(mm);
	u64 self = 1ul << this_cpu()->id;

	if (mask & self)
		arch_tlb_flush_page(va);
	if (mask & ~self)
		arch_tlb_shootdown(mask);
}

/* mm_flush_all - see include/mm.h and mm_flush_page() for the skips. */
void mm_flush_all(struct mm *mm)
{
	u64 mask = mm_flush_targets(mm);
	u64 self = 1ul << this_cpu()->id;

	if (mask & self)
		arch_tlb_flush_all();
	if (mask & ~self)
		arch_tlb_shootdown(mask);
}

/* mm_rss_account - see include/mm.h. */
void mm_rss_account(struct mm *mm, const struct page *pg, bool shared, long delta)
{
	mm->rss_pages += delta;
	if (pg->flags & PG_ANON)
		mm->rss_anon += delta;
	else if (shared)
		mm->rss_shmem += delta;
	if (mm->rss_pages > mm->hiwater_rss)
		mm->hiwater_rss = mm->rss_pages;
}

/* mm_total_vm - bytes covered by VMAs. Caller holds the lock. */
u64 mm_total_vm(struct mm *mm)
{
	struct vma *v;
	u64 total = 0;

	list_for_each_entry(v, &mm->vmas, link)
		total += v->end - v->start;
	return total;
}
