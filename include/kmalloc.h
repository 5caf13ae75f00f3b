/*
 * Kernel heap: power-of-two size classes from 16 bytes to 2 KiB carved out
 * of pages, larger requests as whole page blocks. Memory is not zeroed
 * unless kzalloc() is used. Locks: one spinlock per size class. Sleeps: no.
 */
#ifndef SPROUT_KMALLOC_H
#define SPROUT_KMALLOC_H

#include "types.h"

/* kmalloc - @size bytes, 16-byte aligned; NULL when memory is exhausted. */
void *kmalloc(size_t size);
/* kzalloc - kmalloc() and zero-fill. */
void *kzalloc(size_t size);
/* kfree - release memory from kmalloc(), kzalloc(), kvmalloc() or vmalloc(); NULL is
 * ignored. Any context (a vmalloc block is unmapped without a shootdown). Sleeps: no. */
void kfree(void *p);

/*
 * The kernel mapped area (mm/vmalloc.c), Linux's vmalloc: blocks contiguous in kernel
 * virtual addresses, made of single frames, each followed by an unmapped guard page. For
 * large buffers used only through their kernel addresses; never for DMA (virt_to_dma).
 *
 * vmalloc - @size bytes (rounded up to pages), page-aligned, not zeroed; NULL when the area
 * or memory is exhausted (after direct reclaim if swap is on). Caller holds no spinlock.
 * Sleeps: yes.
 */
void *vmalloc(size_t size);
/* vfree - release a vmalloc() block (kfree() does too); NULL is ignored. Any context.
 * Sleeps: no. */
void vfree(void *p);
/* is_vmalloc_addr - @p lies in the kernel mapped area. Sleeps: no. */
bool is_vmalloc_addr(const void *p);
/*
 * kvmalloc - @size bytes for a caller that may sleep and holds no spinlock: up to a page
 * from kmalloc (with direct reclaim), larger requests from a physically contiguous block
 * when the buddy allocator has one free, else from vmalloc(), so that a large buffer does
 * not fail only because free frames are scattered. Linux's kvmalloc(GFP_KERNEL). NULL when
 * memory is exhausted or @size is above kmalloc's largest block (4 MiB). Free with kfree().
 * Sleeps: yes.
 */
void *kvmalloc(size_t size);
/* kvzalloc - kvmalloc() and zero-fill. Sleeps: yes. */
void *kvzalloc(size_t size);
/*
 * kvmalloc_order - 2^@order pages, page-aligned, for a kernel stack: a buddy block when one
 * is free, else vmalloc() (whose guard page then catches an overflow). Not heap memory
 * (Slab). Free with kvfree_order(). Caller may sleep and holds no spinlock. Sleeps: yes.
 */
void *kvmalloc_order(unsigned order);
/* kvfree_order - release a kvmalloc_order() block of 2^@order pages. Any context.
 * Sleeps: no. */
void kvfree_order(void *p, unsigned order);
/* kvmalloc_contig - [atomic] 1 (default): kvmalloc() and kvmalloc_order() try a
 * contiguous block first; 0: they always use vmalloc() (/proc/sys/vm/sprout_kvmalloc_contig,
 * for tests). */
extern int kvmalloc_contig;
/* vmalloc_used_pages - frames mapped in the kernel mapped area now (VmallocUsed). */
u64 vmalloc_used_pages(void);
void vmalloc_init(void);

void kmalloc_init(void);
/* kmalloc_page_count - pages the heap holds now: slabs of the size classes and
 * the blocks of larger requests (/proc/meminfo's Slab). Sleeps: no. */
u64 kmalloc_page_count(void);
/* kmalloc_slabinfo - /proc/slabinfo (version 2.1, as Linux's SLUB writes it) into @buf
 * (@cap bytes): each size class as a cache "kmalloc-N" with its objects and slabs.
 * Returns the bytes written. Takes each class lock in turn. Sleeps: no. */
size_t kmalloc_slabinfo(char *buf, size_t cap);

#endif
