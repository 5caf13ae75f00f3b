/*
 * User address spaces: struct mm, its VMAs and its page table.
 *
 * A VMA describes a range of user addresses with one set of permissions and
 * one backing: anonymous (demand-zero) or a file (filled from the file's
 * pages on first touch, zero past file_vend). Pages arrive lazily through
 * page faults (mm/fault.c). fork() shares every private page copy-on-write
 * (mm_fork()); the first write copies the page, or takes it back when the
 * writer is the last sharer.
 *
 * Locks:
 *   [m] mm->lock, a mutex: the VMA list, the page table, brk and counters.
 *       Never held across copy_to_user()/copy_from_user() (a fault on the
 *       same mm would deadlock). Order: mm->lock -> inode lock -> zone lock.
 *   [a] atomic
 */
#ifndef SPROUT_MM_H
#define SPROUT_MM_H

#include "types.h"
#include "list.h"
#include "mutex.h"
#include "arch.h"

struct inode;

#define VMA_SHARED	0x1	/* MAP_SHARED: fork shares the pages, no COW */
#define VMA_STACK	0x2	/* the main thread's stack */
#define VMA_HEAP	0x4	/* the brk heap */

struct vma;

/* Hooks of a VMA whose object counts its mappings (SysV shared memory). */
struct vma_ops {
	void (*open)(struct vma *v);	/* @v is a new copy (fork, split) */
	void (*close)(struct vma *v);	/* @v goes away (munmap, exec, exit) */
};

struct vma {
	u64 start, end;		/* [m] page-aligned user addresses, end exclusive */
	u32 prot;		/* [m] MMU_READ | MMU_WRITE | MMU_EXEC */
	u32 flags;		/* [m] VMA_* */
	struct inode *file;	/* [m] backing file (referenced) or NULL */
	u64 file_off;		/* [m] file offset (bytes) that maps to start */
	u64 file_vend;		/* [m] file data stops here; zero-filled beyond */
	struct list_head link;	/* [m] mm->vmas, sorted by start */
	const struct vma_ops *ops;	/* [m] NULL or the object's hooks */
	void *priv;		/* [m] the object of ops */
};

#define USER_STACK_TOP		USER_TOP
#define USER_STACK_SIZE		(8UL << 20)	/* RLIMIT_STACK default */
#define USER_MMAP_TOP		(USER_STACK_TOP - USER_STACK_SIZE - (64UL << 20))

struct mm {
	u32 refcount;		/* [a] tasks using it (threads, vfork) */
	struct mutex lock;
	u64 pt_root;		/* [m] physical address of the top-level page table */
	struct list_head vmas;	/* [m] struct vma, sorted, non-overlapping */
	u64 brk_start, brk;	/* [m] heap: initial and current break (bytes) */
	u64 rss_pages;		/* [m] pages mapped (resident set) */
	u64 hiwater_rss;	/* [m] maximum rss_pages seen */
	u64 arg_start, arg_end, env_start, env_end;	/* [m] /proc cmdline, environ */
	u64 minflt;		/* [m] page faults resolved */
	u64 cpumask;		/* [a] bit i: CPU i has this page table loaded
				 * (set/cleared by mm_activate() on that CPU) */
	struct inode *exe_inode;	/* [I] the executable, counted and write-denied
					 * (ETXTBSY) while the mm lives, or NULL */
};

/* mm_create - an empty address space (refcount 1) or NULL on ENOMEM. Sleeps: no. */
struct mm *mm_create(void);
/* mm_get/mm_put - references; the last put unmaps everything, releases
 * every page (page refcounts drop) and frees the page table. May sleep. */
void mm_get(struct mm *mm);
void mm_put(struct mm *mm);

/*
 * mm_fork - a copy of @parent for fork(): every VMA is duplicated; private
 * pages become shared copy-on-write (both PTEs write-protected, refcount +1),
 * VMA_SHARED pages stay writable and shared. Returns the new mm or NULL
 * (ENOMEM; nothing leaks). Takes @parent's lock. Sleeps: may.
 * POSIX.1-2017 fork(): the child's memory is a copy of the parent's.
 */
struct mm *mm_fork(struct mm *parent);

/*
 * mm_map - create a mapping of [start, start + len) (page-aligned) in @mm,
 * replacing whatever was there (the caller has chosen the range). @file
 * (may be NULL) is referenced by the new VMA. Returns 0 or -ENOMEM.
 * Caller holds @mm->lock.
 */
int mm_map_locked(struct mm *mm, u64 start, u64 len, u32 prot, u32 flags,
		  struct inode *file, u64 file_off, u64 file_vend);

/* mm_unmap_locked - remove every mapping in [start, start + len), splitting
 * VMAs at the edges and releasing pages. Returns 0 or -ENOMEM (split). */
int mm_unmap_locked(struct mm *mm, u64 start, u64 len);

int mm_vma_split(struct vma *v, u64 addr);

/* mm_find_vma - the VMA containing @addr, or NULL. Caller holds the lock. */
struct vma *mm_find_vma(struct mm *mm, u64 addr);

/* mm_find_free - a free range of @len bytes, searched top-down below
 * USER_MMAP_TOP; 0 if none. Caller holds the lock. */
u64 mm_find_free(struct mm *mm, u64 len);

/*
 * mm_populate_write - copy @len bytes of kernel @src to user address @dst
 * of @mm, which need not be the active address space (exec builds the new
 * stack this way). Faults the pages in. Returns 0 or -ENOMEM/-EFAULT.
 * Caller holds @mm->lock.
 */
int mm_populate_write(struct mm *mm, u64 dst, const void *src, size_t len);

/*
 * mm_fault_locked - the fault resolution of mm_handle_fault() for @mm with
 * its lock held: fill a missing page or break COW for a write.
 * Returns 0, -EFAULT (no mapping or not permitted) or -ENOMEM.
 */
int mm_fault_locked(struct mm *mm, u64 addr, unsigned flags);

/*
 * mm_activate - load @mm's page table (or the kernel's when NULL) on this
 * CPU and move this CPU's bit from the previously loaded mm's cpumask to
 * @mm's. Called by the scheduler's switch, exec and exit; interrupts off or
 * at least no switch possible. Sleeps: no.
 */
void mm_activate(struct mm *mm);

/*
 * mm_flush_page - drop stale TLB entries for @va of @mm after a PTE lost
 * rights or changed frame, on every CPU that has @mm loaded: invlpg here,
 * a shootdown IPI (arch_tlb_shootdown) for the others, waiting for them.
 * mm_flush_all - the same for every address of @mm.
 * Caller holds @mm->lock (or holds the last reference, when no CPU can have
 * @mm loaded). Sleeps: no, but spins for remote CPUs.
 */
void mm_flush_page(struct mm *mm, u64 va);
void mm_flush_all(struct mm *mm);

/*
 * Shared leaf page tables (mm/ptshare.c).
 * mm_pte_modify - the leaf PTE for @va in a table private to @mm, copying a
 * table shared with other address spaces first; with @alloc, missing tables
 * are created. NULL when absent (!alloc) or out of memory. Every change of a
 * user PTE goes through it. Caller holds @mm->lock.
 * mm_pt_share - fork: make @child use @parent's leaf tables, write-protected
 * in both. 0 or -ENOMEM. Caller holds @parent->lock.
 * mm_pt_release - unmap [start, end) (page-aligned): drop the PTEs, or whole
 * tables, and their page references. Caller holds @mm->lock.
 */
pte_t *mm_pte_modify(struct mm *mm, u64 va, bool alloc);
int mm_pt_share(struct mm *parent, struct mm *child);
void mm_pt_release(struct mm *mm, u64 start, u64 end);

/* VMA totals for /proc and rlimits: bytes mapped. */
u64 mm_total_vm(struct mm *mm);

#endif
