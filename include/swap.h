/*
 * Swap: areas on block devices that hold anonymous pages while their frames
 * are given to others (mm/swapfile.c), the swap cache that joins the sharers
 * of a page while it goes out or comes back (mm/swap_cache.c), the way in
 * (mm/swapin.c) and out (mm/reclaim.c, kswapd), swapoff's way back
 * (mm/swapoff.c). docs/swap.md follows one page through all of it.
 *
 * A swap entry names one slot: (area type + 1) << 32 | slot number, so 0 is
 * never an entry. A PTE holds one as a non-present entry (pte_mk_swap()).
 * Each slot counts its references: every PTE holding the entry, and the swap
 * cache while a page for it is cached. A page in the swap cache has the
 * same contents as its slot and is never mapped writable.
 *
 * Locks:
 *   [S] swap_lock, a spinlock (mm/swapfile.c): the areas' slot maps and
 *       counters, the swap cache (its hash chains, PG_SWAPCACHE and a cached
 *       page's priv). Order: mm->lock -> swapin_lock (mutex) -> swap_lock ->
 *       zone lock. Never held across I/O.
 *   [O] swapon_lock, a mutex: swapon/swapoff, an area's life.
 */
#ifndef SPROUT_SWAP_H
#define SPROUT_SWAP_H

#include "types.h"
#include "spinlock.h"

extern struct spinlock swap_lock;

struct page;
struct mm;
struct vma;

#define SWAP_AREAS_MAX		8
#define SWAP_FLAG_PREFER	0x8000	/* swapon(2) flags */
#define SWAP_FLAG_PRIO_MASK	0x7fff
#define SWAP_FLAGS_VALID	0x7ffff	/* PRIO_MASK | PREFER | the DISCARD ones (no effect) */

static inline u64 swp_entry(unsigned type, u32 slot) { return (u64)(type + 1) << 32 | slot; }
static inline unsigned swp_type(u64 e) { return (unsigned)(e >> 32) - 1; }
static inline u32 swp_slot(u64 e) { return (u32)e; }

/* ---- Areas and slots (mm/swapfile.c) ---- */

/*
 * sys_swapon/sys_swapoff - swapon(2)/swapoff(2): root only (-EPERM); a block
 * device holding a valid swap-area header (-EINVAL otherwise, also for
 * regular files, which Sprout does not swap to); -EISDIR for a directory;
 * -EBUSY when already in use; swapoff of something that is not an area
 * -EINVAL, and -ENOMEM when its pages do not fit in memory (the area stays
 * in use). May sleep.
 */
long sys_swapon(const char __user *path, long flags);
long sys_swapoff(const char __user *path);

/*
 * swap_boot_enable - the kernel command line's swap=@path (/dev/NAME of a
 * registered disk): write a fresh swap-area header on it (as mkswap(8)) and
 * swapon it at the default priority. 0 or a negative errno (logged).
 * Needs no file-system context (kswapd0 calls it). Sleeps.
 */
int swap_boot_enable(const char *path);

/* Totals in pages (/proc/meminfo, sysinfo, the OOM killer's scale). [S] */
u64 swap_total_pages(void);
u64 swap_free_pages(void);
/* swap_active - some area takes new pages. No lock (a snapshot). */
bool swap_active(void);
/* swap_configured - some area is on (maybe being switched off). No lock. */
bool swap_configured(void);

/*
 * swap_entry_alloc - a free slot of the highest-priority area with room,
 * its count 1 (the caller's reference), in *@entry. 0 or -ENOSPC. [S]
 * swap_entry_dup - one more reference on @entry: 0 or -ENOMEM (saturated).
 * swap_entry_put - drop one reference; returns the references left.
 * swap_entry_count - the references on @entry (0 if free or invalid).
 * Take swap_lock. Sleep: no.
 */
int swap_entry_alloc(u64 *entry);
int swap_entry_dup(u64 entry);
u32 swap_entry_put(u64 entry);
u32 swap_entry_count(u64 entry);
/* The same with swap_lock held. */
u32 swap_entry_put_locked(u64 entry);
void swap_entry_dup_locked(u64 entry);
/* swap_entry_writeok_locked - @entry's area takes new references (not
 * being switched off). swap_area_in_use_locked - slots of area @type in use. */
bool swap_entry_writeok_locked(u64 entry);
u64 swap_area_in_use_locked(unsigned type);
u32 swap_entry_count_locked(u64 entry);
/* swap_entry_alloc_locked - swap_entry_alloc() with swap_lock held. */
int swap_entry_alloc_locked(u64 *entry);

/*
 * swap_pte_gone - a PTE holding @entry was cleared (munmap, exit, a table
 * freed): drop its reference, and the cached page of the slot when nothing
 * else uses either. Takes swap_lock. Sleeps: no.
 */
void swap_pte_gone(u64 entry);

/* swap_io - read or write @pg at the slot of @entry and wait: 0 or -EIO
 * (logged). Counts pswpin/pswpout. Sleeps. */
int swap_io(u64 entry, struct page *pg, bool write);
/* swap_io_many - the same for @n (at most SWAP_IO_MANY_MAX) pages at once, their
 * transfers overlapping: @errs[i] gets 0 or -EIO for @pages[i] at @entries[i]. Sleeps. */
#define SWAP_IO_MANY_MAX	16
void swap_io_many(const u64 *entries, struct page *const *pages, int n, bool write, int *errs);

/* swaps_show - /proc/swaps in Linux's format into @buf (@size bytes); its
 * length. May sleep (names the devices). */
int swaps_show(char *buf, size_t size);

/* ---- tmpfs pages in swap (mm/shmem_swap.c), as Linux's shmem ---- */

/*
 * A tmpfs file's page slot (inode->pages[]) holds its page, NULL (a hole),
 * or, with the low bit set, the swap entry of its page while that is in
 * swap. The slot holds the entry's only reference; no PTE ever names it
 * (reclaim clears a file page's PTEs, and the next access faults the page
 * back through the file).
 */
static inline bool shmem_slot_is_swap(const struct page *slot)
{
	return (uintptr_t)slot & 1;
}
static inline u64 shmem_slot_entry(const struct page *slot)
{
	return (uintptr_t)slot >> 1;
}
static inline struct page *shmem_swap_slot(u64 entry)
{
	return (struct page *)(uintptr_t)(entry << 1 | 1);
}

/*
 * shmem_swap_in - slot @pgoff of tmpfs file @ino holds a swap entry: read
 *   the page into a new frame, which takes the slot (and joins the reclaim
 *   clock); the swap slot is freed. 0, -ENOMEM (no frame above the min
 *   watermark: reclaim and retry) or -EIO. Caller holds ino's lock. Sleeps.
 * shmem_swap_out - reclaim wrote page @pg, slot @pgoff of @ino, to @entry
 *   (one reference, now the slot's): the slot takes the entry and the file's
 *   page reference goes. Caller holds ino's lock. Sleeps: no.
 * shmem_swap_free - the slot holding @entry goes (truncate, the file's
 *   end): the slot's reference is dropped. Caller holds ino's lock or the
 *   last inode reference. Sleeps: no.
 * shmem_unuse - swapoff: bring every tmpfs page of area @type back in. 0,
 *   -ENOMEM or -EIO. No lock held. Sleeps.
 */
struct inode;
int shmem_swap_in(struct inode *ino, u64 pgoff);
void shmem_swap_out(struct inode *ino, u64 pgoff, struct page *pg, u64 entry);
void shmem_swap_free(struct inode *ino, u64 entry);
int shmem_unuse(unsigned type);

/* ---- The swap cache (mm/swap_cache.c) ---- */

/*
 * swap_cache_find - the cached page of @entry with a reference taken, or NULL.
 * swap_cache_add - cache @pg (not cached) for @entry, which holds a reference
 *   the cache now owns; the cache takes a page reference.
 * swap_cache_try_release - if @pg is cached and its slot has no user but the
 *   cache, drop it from the cache (slot freed, page reference dropped).
 *   Returns whether it did.
 * swap_cache_shrink - free up to @max cached pages no one maps; how many.
 * swap_cache_drop_area - drop every cached page of area @type that no PTE
 *   needs (swapoff); how many remain.
 * swap_cache_drop_area - drop every cached page of area @type whose slot
 *   only the cache holds (swapoff); returns the cached pages of the area
 *   left plus its slots still in use (0: the area is empty).
 * swap_cache_pages - pages in the cache (SwapCached).
 * All take swap_lock. Sleep: no.
 */
/*
 * swap_cache_dup - if @pg is cached, one more reference on its entry for a
 *   new swap PTE, the entry in *@entry: 0, -ENOENT (not cached), -ENOMEM.
 * swap_cache_uncache - if @pg is cached, take it out: the cache's slot and
 *   page references go (reclaim, once the PTEs hold the slot instead).
 */
/*
 * swap_cache_alloc_add - a new slot for @pg, cached at once (one step under swap_lock,
 *   so a read-ahead never reads the slot before the page is written): the slot's count
 *   is 2 (the caller's reference and the cache's), the cache takes a page reference.
 *   0 or -ENOSPC.
 */
int swap_cache_alloc_add(struct page *pg, u64 *entry);
/*
 * swap_cache_add_used - cache @pg, just read from @entry's slot, if the slot is still in
 *   use and has no cached page yet (a read-ahead's page: the slot may have been freed, or
 *   cached by someone else, while it was read): the cache takes a slot and a page
 *   reference. 0, -ENOENT or -EEXIST.
 */
int swap_cache_add_used(struct page *pg, u64 entry);
int swap_cache_dup(struct page *pg, u64 *entry);
void swap_cache_uncache(struct page *pg);
struct page *swap_cache_find(u64 entry);
void swap_cache_add(struct page *pg, u64 entry);
bool swap_cache_try_release(struct page *pg);
u64 swap_cache_shrink(u64 max);
u64 swap_cache_drop_area(unsigned type);
u64 swap_cache_pages(void);

/* swap_cache_init - empty hash chains. Boot, once. */
void swap_cache_init(void);

/* Lookups for swap_cache_try_release() and swap_pte_gone(), [S] held. */
struct page *swap_cache_lookup_locked(u64 entry);
void swap_cache_remove_locked(struct page *pg);

/* ---- Swap-in (mm/swapin.c) ---- */

/*
 * swap_in_locked - a fault of @mm at @va (in @v) found the swap entry in
 * *@pte (a table private to @mm): bring the page in (from the swap cache,
 * or the disk with read-ahead of up to 2^page-cluster neighbours), map it
 * (writable only when no one else shares it), drop the entry's reference.
 * Returns 0, -ENOMEM or -EIO. Caller holds @mm->lock. Sleeps.
 */
int swap_in_locked(struct mm *mm, struct vma *v, u64 va, u64 *pte, unsigned flags);

/* /proc/sys/vm/page-cluster: log2 of the pages read together, 0..31. */
long swap_page_cluster_get(void);
int swap_page_cluster_set(long v);

/* ---- Reclaim (mm/reclaim.c) ---- */

/*
 * kswapd_start - create kswapd0 under kthreadd; with @dev (the command
 *   line's swap=/dev/vda, or NULL) it first formats that disk and enables
 *   swap on it (swap_boot_enable()), then makes @held (init, not yet
 *   runnable; or NULL) runnable. Boot, once. Sleeps: no.
 * reclaim_check - page_alloc() saw @nfree free frames: wake kswapd0 below
 *   the low watermark (when swap is on). Any context. Sleeps: no.
 * mm_reclaim - free up to @target frames now by swapping out pages nobody
 *   used lately; how many were freed. No lock held. Sleeps.
 */
struct task;
void kswapd_start(const char *dev, struct task *held);
/*
 * user_page_alloc - a frame for user memory (a fault, a swap-in): with swap
 *   on, refused (NULL) while free frames are below the min watermark, so
 *   that reclaim runs (directly, from the fault) before the last frames go,
 *   which the kernel's own allocations (page tables, the reclaim path
 *   itself) keep. Linux's min watermark. Sleeps: no.
 */
struct page *user_page_alloc(bool zero);
/* reclaim_below_min - free frames are below the min watermark (a snapshot). */
bool reclaim_below_min(void);
void reclaim_check(u64 nfree);
u64 mm_reclaim(u64 target);

/*
 * kmalloc_reclaim - kmalloc(@size bytes) for a caller that may sleep and holds no spinlock:
 * when the allocation fails with swap on, reclaim directly and try again, a few times,
 * before giving up (NULL), as Linux's GFP_KERNEL allocations do. A larger block (a pipe's
 * 64 KiB buffer) needs free frames to merge, which swap pressure otherwise leaves
 * scattered. Sleeps. (mm/reclaim.c)
 */
void *kmalloc_reclaim(size_t size);
/* page_alloc_reclaim - page_alloc(@order, @zero) with kmalloc_reclaim()'s retries after
 * direct reclaim. Caller may sleep and holds no spinlock. Sleeps. (mm/reclaim.c) */
struct page *page_alloc_reclaim(unsigned order, bool zero);

/* swap_unuse - swapoff: bring every page of area @type back in. 0 or -ENOMEM.
 * No lock held. Sleeps. (mm/swapoff.c) */
int swap_unuse(unsigned type);

#endif
