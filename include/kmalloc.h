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
/* kfree - release memory from kmalloc()/kzalloc(); NULL is ignored. */
void kfree(void *p);

void kmalloc_init(void);
/* kmalloc_page_count - pages the heap holds now: slabs of the size classes and
 * the blocks of larger requests (/proc/meminfo's Slab). Sleeps: no. */
u64 kmalloc_page_count(void);
/* kmalloc_slabinfo - /proc/slabinfo (version 2.1, as Linux's SLUB writes it) into @buf
 * (@cap bytes): each size class as a cache "kmalloc-N" with its objects and slabs.
 * Returns the bytes written. Takes each class lock in turn. Sleeps: no. */
size_t kmalloc_slabinfo(char *buf, size_t cap);

#endif
