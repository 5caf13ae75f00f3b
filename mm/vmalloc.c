/*
 * The kernel mapped area: memory that is contiguous in kernel virtual addresses but made of
 * single frames, as Linux's vmalloc. Under memory pressure free frames stay scattered (reclaim
 * frees whichever page the clock reaches), so a request for several physically contiguous
 * frames can fail while plenty of single frames are free or can be reclaimed. Large kernel
 * buffers that are only touched through their kernel addresses (pipe buffers, /proc output,
 * kernel stacks) come from here when the buddy allocator cannot give a block (kvmalloc).
 *
 * The area [KMAP_BASE, KMAP_BASE + KMAP_SIZE) is cut into 4 KiB slots tracked by a bitmap.
 * Each allocation is followed by one unmapped guard slot, so running off the end of a buffer
 * (or a kernel stack) faults instead of corrupting its neighbour. The first frame's struct
 * page keeps the allocation's length in pages (priv), so vfree() needs no size.
 *
 * Freeing unmaps the pages and frees the frames at once but only flushes this CPU's TLB:
 * other CPUs may keep stale entries for the slots, which nothing reads (the memory is gone),
 * so the slots stay reserved ("lazy") until a purge has flushed every CPU's TLB. A purge needs
 * a shootdown, which must not be made while holding a spinlock, so only vmalloc() purges,
 * when the area fills or VM_LAZY_MAX slots are lazy. Linux's lazy vunmap. Searches go on
 * from the last allocation and start again from the bottom after a purge, so the part of the
 * area in use (and the page tables made for it, which are kept) stays small.
 *
 * Locks: vm_lock (a spinlock, taken inside any other lock, never held across a page
 * allocation) guards the bitmaps and counts; vm_purge_mutex serialises purges.
 */
#include "kernel.h"
#include "kmalloc.h"
#include "page.h"
#include "arch.h"
#include "spinlock.h"
#include "mutex.h"
#include "swap.h"

#define VM_SLOTS	(KMAP_SIZE >> PAGE_SHIFT)
#define VM_WORDS	(VM_SLOTS / 64)
/* Purge before this many slots (32 MiB) wait for a flush: a purge is one shootdown, and the
 * slots in use stay low in the area, so few of its page tables are ever made. */
#define VM_LAZY_MAX	8192

static struct spinlock vm_lock = SPINLOCK_INIT("vmalloc");
static u64 vm_used[VM_WORDS];		/* [vm_lock] slot allocated, a guard, or lazy */
static u64 vm_lazy[2][VM_WORDS];	/* [vm_lock] freed slots waiting for a flush, by generation */
static unsigned vm_gen;			/* [vm_lock] generation vfree() adds to */
static u64 vm_lazy_slots;		/* [vm_lock] slots set in vm_lazy[] */
static u64 vm_hint;			/* [vm_lock] slot where the next search starts */
static u64 vm_pages;			/* [atomic] frames mapped in the area (VmallocUsed) */
static struct mutex vm_purge_mutex;	/* serialises purges; taken before vm_lock */
static bool vm_ready;

/* vmalloc_init - set up the area's locks; once at boot, after kmalloc_init(). */
void vmalloc_init(void)
{
	mutex_init(&vm_purge_mutex, "vmalloc_purge");
	vm_ready = true;
}

/* Set (@on) or clear bits [@start, @start + @n) of @map. */
static void bits_put(u64 *map, u64 start, u64 n, bool on)
{
	for (u64 i = start; i < start + n; i++) {
		if (on)
			map[i / 64] |= 1ull << (i % 64);
		else
			map[i / 64] &= ~(1ull << (i % 64));
	}
}

/* The first slot of @len free slots in a row, first fit from vm_hint with one wrap, or -1.
 * Caller holds vm_lock. */
static long run_find(u64 len)
{
	u64 i = vm_hint, run = 0, first = 0;

	for (u64 seen = 0; seen < VM_SLOTS + len; ) {
		if (i >= VM_SLOTS) {
			i = 0;
			run = 0;
		}
		u64 w = vm_used[i / 64];

		if (i % 64 == 0 && (w == ~0ull || w == 0)) {
			if (w) {
				run = 0;
			} else {
				if (!run)
					first = i;
				run += 64;
				if (run >= len)
					return (long)first;
			}
			i += 64;
			seen += 64;
			continue;
		}
		if (w & (1ull << (i % 64))) {
			run = 0;
		} else {
			if (!run)
				first = i;
			if (++run == len)
				return (long)first;
		}
		i++;
		seen++;
	}
	return -1;
}

/*
 * Flush every CPU's TLB of the slots freed so far, and make those slots free again. The
 * generation is switched first, so a vfree() racing with the shootdown waits for the next
 * purge. Caller holds no spinlock. Sleeps: yes (the purge mutex).
 */
static void vm_purge(void)
{
	unsigned old;

	mutex_lock(&vm_purge_mutex);
	spin_lock(&vm_lock);
	old = vm_gen;
	vm_gen ^= 1;
	spin_unlock(&vm_lock);

	arch_tlb_shootdown(~0ull);
	arch_tlb_flush_all();

	spin_lock(&vm_lock);
	for (u64 w = 0; w < VM_WORDS; w++) {
		u64 bits = vm_lazy[old][w];

		if (!bits)
			continue;
		vm_used[w] &= ~bits;
		vm_lazy[old][w] = 0;
		vm_lazy_slots -= (u64)__builtin_popcountll(bits);
	}
	vm_hint = 0;
	spin_unlock(&vm_lock);
	mutex_unlock(&vm_purge_mutex);
}

/* Reserve @len slots; the first slot's index, or -1 when the area is full even after a
 * purge. Sleeps: yes. */
static long vm_reserve(u64 len)
{
	for (int pass = 0; pass < 2; pass++) {
		long s;
		bool purge;

		spin_lock(&vm_lock);
		purge = vm_lazy_slots > VM_LAZY_MAX;
		s = purge ? -1 : run_find(len);
		if (s >= 0) {
			bits_put(vm_used, (u64)s, len, true);
			vm_hint = (u64)s + len;
		}
		purge = s < 0 && vm_lazy_slots;
		spin_unlock(&vm_lock);
		if (s >= 0)
			return s;
		if (!purge)
			return -1;
		vm_purge();
	}
	return -1;
}

/* is_vmalloc_addr - see include/kmalloc.h. */
bool is_vmalloc_addr(const void *p)
{
	u64 va = (u64)p;

	return va >= KMAP_BASE && va - KMAP_BASE < KMAP_SIZE;
}

/*
 * Unmap and free the first @mapped pages of the allocation at slot @slot of @len slots
 * (guard included), then leave all @len slots to the next purge. Any context but a held
 * spinlock that another CPU may wait for with a shootdown pending is fine: no shootdown here.
 */
static void vm_release(u64 slot, u64 len, u64 mapped)
{
	u64 va = KMAP_BASE + (slot << PAGE_SHIFT);

	for (u64 i = 0; i < mapped; i++, va += PAGE_SIZE) {
		u64 phys = arch_kmap_phys(va);

		arch_kmap_set(va, 0);
		arch_tlb_flush_page(va);
		if (phys) {
			struct page *pg = phys_to_page(phys);

			pg->priv = NULL;
			page_put(pg);
		}
	}
	__atomic_sub_fetch(&vm_pages, mapped, __ATOMIC_RELAXED);
	spin_lock(&vm_lock);
	bits_put(vm_lazy[vm_gen], slot, len, true);
	vm_lazy_slots += len;
	spin_unlock(&vm_lock);
}

/* vmalloc - see include/kmalloc.h. */
void *vmalloc(size_t size)
{
	u64 npages = PAGE_ALIGN_UP(MAX(size, (size_t)1)) >> PAGE_SHIFT;
	long slot;
	u64 va;

	KASSERT(vm_ready);
	spin_assert_none_held("vmalloc");
	if (npages >= VM_SLOTS / 4)
		return NULL;
	slot = vm_reserve(npages + 1);	/* + the guard slot */
	if (slot < 0)
		return NULL;
	va = KMAP_BASE + ((u64)slot << PAGE_SHIFT);
	for (u64 i = 0; i < npages; i++) {
		struct page *pg = page_alloc_reclaim(0, false);

		if (!pg || !arch_kmap_set(va + (i << PAGE_SHIFT), page_to_phys(pg))) {
			if (pg)
				page_put(pg);
			vm_release((u64)slot, npages + 1, i);
			return NULL;
		}
		__atomic_add_fetch(&vm_pages, 1, __ATOMIC_RELAXED);
		if (i == 0)
			pg->priv = (void *)(uintptr_t)npages;
	}
	return (void *)va;
}

/* vfree - see include/kmalloc.h. */
void vfree(void *p)
{
	u64 va = (u64)p, phys;

	if (!p)
		return;
	KASSERT(is_vmalloc_addr(p) && !(va & (PAGE_SIZE - 1)));
	phys = arch_kmap_phys(va);
	KASSERT(phys);
	vm_release((va - KMAP_BASE) >> PAGE_SHIFT,
		   (u64)(uintptr_t)phys_to_page(phys)->priv + 1,
		   (u64)(uintptr_t)phys_to_page(phys)->priv);
}

int kvmalloc_contig = 1;

static bool contig_ok(void)
{
	return __atomic_load_n(&kvmalloc_contig, __ATOMIC_RELAXED) != 0;
}

/* kvmalloc - see include/kmalloc.h. */
void *kvmalloc(size_t size)
{
	void *p;

	if (size <= PAGE_SIZE)
		return kmalloc_reclaim(size);
	/* No larger than kmalloc's largest block: what a user can ask for (a /proc file's
	 * buffer grows with the VMAs it lists) stays bounded as it was. */
	if (size > (PAGE_SIZE << BUDDY_MAX_ORDER))
		return NULL;
	p = contig_ok() ? kmalloc(size) : NULL;
	return p ? p : vmalloc(size);
}

/* kvmalloc_order - see include/kmalloc.h. */
void *kvmalloc_order(unsigned order)
{
	struct page *pg = contig_ok() ? page_alloc(order, false) : NULL;

	return pg ? page_address(pg) : vmalloc(PAGE_SIZE << order);
}

/* kvfree_order - see include/kmalloc.h. */
void kvfree_order(void *p, unsigned order)
{
	if (is_vmalloc_addr(p))
		vfree(p);
	else if (p)
		page_put_order(phys_to_page(virt_to_phys(p)), order);
}

/* kvzalloc - kvmalloc() then zero-fill. */
void *kvzalloc(size_t size)
{
	void *p = kvmalloc(size);

	if (p)
		memset(p, 0, size);
	return p;
}

/* vmalloc_used_pages - see include/kmalloc.h. */
u64 vmalloc_used_pages(void)
{
	return __atomic_load_n(&vm_pages, __ATOMIC_RELAXED);
}
