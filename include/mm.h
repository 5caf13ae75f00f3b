/*
 * User address spaces: struct mm, its VMAs and its page table.
 *
 * A VMA describes a range of user addresses with one set of permissions and
 * one backing: anonymous (demand-zero) or a file (filled from the file's
 * pages on first touch; past the end of the file, zero for a program's
 * segments, SIGBUS for mmap(2)). Shared anonymous memory is backed by an
 * unlinked tmpfs file of its own. Pages arrive lazily through page faults
 * (mm/fault.c). fork() shares the parent's leaf page tables, write-protected
 * (mm_fork(), mm/ptshare.c); the first write to a region gives the writer its
 * own table, whose private pages are then shared copy-on-write, and the first
 * write to such a page copies it, or takes it back when the writer is the
 * last sharer.
 *
 * Locks:
 *   [m] mm->lock, a mutex: the VMA list, the page table, brk and counters.
 *       Never held across copy_to_user()/copy_from_user() (a fault on the
 *       same mm would deadlock). Order: mm->lock -> inode lock -> zone lock.
 *   [a] atomic
 *   [r] mm_rmap_lock, a spinlock (mm/rmap.c): every file's list of the
 *       VMAs that map it. Taken under mm->lock, never the other way round.
 *   [A] anon_vma->lock, a spinlock (include/rmap.h): an anon_vma's VMAs.
 *   [I] immutable after creation
 */
#ifndef SPROUT_MM_H
#define SPROUT_MM_H

#include "types.h"
#include "list.h"
#include "mutex.h"
#include "arch.h"

struct inode;
struct page;

#define VMA_SHARED	0x1	/* MAP_SHARED: fork shares the pages, no COW */
#define VMA_STACK	0x2	/* the main thread's stack */
#define VMA_HEAP	0x4	/* the brk heap */
#define VMA_LOCKED	0x2000	/* mlock(2): pages faulted in and kept (VM_LOCKED) */
#define VMA_LOCKONFAULT	0x4000	/* with VMA_LOCKED: lock pages as they fault in */
#define VMA_GROWSDOWN	0x8000	/* MAP_GROWSDOWN: a fault just below extends it */

/*
 * What a VMA may ever become (Linux's VM_MAY*): set when it is created from
 * the open mode of the file and its mount's noexec; mprotect(2) moves prot
 * only within it (EACCES otherwise). Anonymous memory may become anything.
 */
#define VMA_MAYREAD	0x100
#define VMA_MAYWRITE	0x200
#define VMA_MAYEXEC	0x400
#define VMA_MAYSHARE	0x800	/* created MAP_SHARED; unlike Linux, VMA_SHARED stays
				 * set when the descriptor was read-only (the mapping
				 * maps the file's own pages and can never write) */
#define VMA_MAY_RWX	(VMA_MAYREAD | VMA_MAYWRITE | VMA_MAYEXEC)
/* mmap(2) of a file: a page wholly past the file's current end is not
 * filled but raises SIGBUS (the fault returns -EIO), as on Linux. */
#define VMA_EOF_SIGBUS	0x1000

struct vma;

/* Hooks of a VMA whose object counts its mappings (SysV shared memory). */
struct vma_ops {
	void (*open)(struct vma *v);	/* @v is a new copy (fork, split) */
	void (*close)(struct vma *v);	/* @v goes away (munmap, exec, exit) */
};

struct vma {
	struct mm *mm;		/* [I] the address space it belongs to */
	u64 start, end;		/* [m] page-aligned user addresses, end exclusive */
	u32 prot;		/* [m] MMU_READ | MMU_WRITE | MMU_EXEC */
	u32 flags;		/* [m] VMA_* */
	struct inode *file;	/* [m] backing file (referenced) or NULL */
	struct list_head file_link;	/* [r] file->mappings, when file is set */
	u64 file_off;		/* [m] file offset (bytes) that maps to start */
	u64 file_vend;		/* [m] file data stops here; zero-filled beyond
				 * (~0 for mmap(2): the file's size decides) */
	u64 pgoff;		/* [m] linear page index of start: file_off's page for a
				 * file, start's page number for anonymous memory at
				 * creation; kept by split, mremap and stack growth, so an
				 * anonymous page's index names one address (include/rmap.h) */
	struct anon_vma *anon_vma;	/* [m] set of VMAs its anonymous pages name, or
					 * NULL before the first one (include/rmap.h) */
	struct list_head anon_link;	/* [A] anon_vma->vmas, while anon_vma is set */
	struct list_head link;	/* [m] mm->vmas, sorted by start */
	const struct vma_ops *ops;	/* [m] NULL or the object's hooks */
	void *priv;		/* [m] the object of ops */
	struct vma *tree_left, *tree_right;	/* [m] mm->vma_root, by start (mm/vma_tree.c) */
	u64 subtree_gap;	/* [m] largest free gap below a VMA of this subtree (bytes) */
	int tree_height;	/* [m] AVL height of this subtree */
};

#define USER_STACK_TOP		USER_TOP
#define USER_STACK_SIZE		(8UL << 20)	/* RLIMIT_STACK default */
#define USER_MMAP_TOP		(USER_STACK_TOP - USER_STACK_SIZE - (64UL << 20))

struct mm {
	u32 refcount;		/* [a] tasks using it (threads, vfork) */
	struct mutex lock;
	u64 pt_root;		/* [m] physical address of the top-level page table */
	struct list_head vmas;	/* [m] struct vma, sorted, non-overlapping */
	struct vma *vma_root;	/* [m] the same VMAs as a tree (mm/vma_tree.c) */
	struct vma *vma_cache;	/* [m] the VMA mm_find_vma() found last (faults come in
				 * runs within one VMA), NULL; leaves the tree with it */
	u32 map_count;		/* [m] number of VMAs (vm_max_map_count bounds it) */
	u32 def_flags;		/* [m] VMA_LOCKED|VMA_LOCKONFAULT for new mappings
				 * after mlockall(MCL_FUTURE) */
	u64 locked_vm;		/* [m] pages in VMA_LOCKED VMAs (VmLck, RLIMIT_MEMLOCK) */
	u64 brk_start, brk;	/* [m] heap: initial and current break (bytes) */
	u64 mmap_base;		/* [m] top of the mmap area (mm_find_free searches
				 * below it): USER_MMAP_TOP, lowered by a random
				 * amount at exec */
	u64 rss_pages;		/* [m] pages mapped (resident set): the sum of the next two
				 * and the file pages (RssFile = rss_pages - anon - shmem) */
	u64 rss_anon;		/* [m] of them, anonymous pages (private, PG_ANON) */
	u64 rss_shmem;		/* [m] of them, file pages mapped MAP_SHARED */
	u64 swap_ents;		/* [m] PTEs holding a swap entry (VmSwap) */
	u64 hiwater_rss;	/* [m] maximum rss_pages seen */
	u64 arg_start, arg_end, env_start, env_end;	/* [m] /proc cmdline, environ */
	u64 minflt;		/* [m] page faults resolved */
	u64 majflt;		/* [m] of them, faults that waited for a disk read */
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
 * mm_fork - a copy of @parent for fork(): every VMA is duplicated (file
 * references and vma_ops->open taken), brk and the argument/environment
 * bounds copied. No page table entry is copied: the child's page directory
 * points at the parent's leaf tables, write-protected in both
 * (mm_pt_share(), mm/ptshare.c); a table is copied, and its writable private
 * entries become copy-on-write, only when one side first writes, faults a
 * page in or changes a mapping in its range. VMA_SHARED pages stay shared.
 * Returns the new mm or NULL (ENOMEM; nothing leaks). Takes @parent's lock.
 * Sleeps: may.
 * POSIX.1-2017 fork(): the child's memory is a copy of the parent's.
 */
struct mm *mm_fork(struct mm *parent);

/*
 * mm_map - create a mapping of [start, start + len) (page-aligned) in @mm,
 * replacing whatever was there (the caller has chosen the range). @flags
 * are VMA_* including the VMA_MAY* set the mapping may ever have. @file
 * (may be NULL) is referenced by the new VMA. Returns 0 or -ENOMEM.
 * Caller holds @mm->lock.
 */
int mm_map_locked(struct mm *mm, u64 start, u64 len, u32 prot, u32 flags,
		  struct inode *file, u64 file_off, u64 file_vend);

/* mm_unmap_locked - remove every mapping in [start, start + len), splitting
 * VMAs at the edges and releasing pages. Returns 0 or -ENOMEM (split). */
int mm_unmap_locked(struct mm *mm, u64 start, u64 len);

/*
 * mm_vma_split - split @v of @mm at @addr (page-aligned, strictly inside
 * @v); the upper half becomes a new VMA right after @v. Returns 0, or
 * -ENOMEM (no memory, or @mm already holds vm_max_map_count VMAs, as
 * Linux's split_vma()). Caller holds @mm->lock.
 */
int mm_vma_split(struct mm *mm, struct vma *v, u64 addr);

/*
 * vm_max_map_count - the most VMAs one address space may hold (Linux's
 * vm.max_map_count, default 65530): mmap/brk past it and splits that would
 * pass it fail with -ENOMEM. Read without a lock (an int: a racing change
 * takes effect at the next check). Written only through
 * vm_set_max_map_count(), for /proc/sys/vm/max_map_count: 0 or -EINVAL
 * for a negative value (Linux's proc_dointvec_minmax with minimum 0).
 */
extern int vm_max_map_count;
int vm_set_max_map_count(long value);

/*
 * The VMA index (mm/vma_tree.c), O(log n) each; caller holds @mm->lock.
 * vma_tree_insert - add @v, already linked into @mm->vmas at its place.
 * vma_tree_remove - remove @v, already unlinked; @next was its successor.
 * vma_tree_changed - @v's start moved (a stack grew): refresh the gaps.
 * vma_lower_bound - the lowest VMA whose end is above @addr, or NULL.
 * vma_tree_find_gap - the highest address a with [a, a + @len) free,
 *   a >= USER_BASE and a + @len <= @top (bytes); 0 if there is none.
 */
void vma_tree_insert(struct mm *mm, struct vma *v);
void vma_tree_remove(struct mm *mm, struct vma *v, struct vma *next);
void vma_tree_changed(struct mm *mm, struct vma *v);
struct vma *vma_lower_bound(struct mm *mm, u64 addr);
u64 vma_tree_find_gap(struct mm *mm, u64 len, u64 top);

/* mm_find_vma - the VMA containing @addr, or NULL. Caller holds the lock. */
struct vma *mm_find_vma(struct mm *mm, u64 addr);

/* mm_find_free - a free range of @len bytes, searched top-down below
 * mm->mmap_base; 0 if none. Caller holds the lock. */
u64 mm_find_free(struct mm *mm, u64 len);

/*
 * mm_populate_write - copy @len bytes of kernel @src to user address @dst
 * of @mm, which need not be the active address space (exec builds the new
 * stack this way). Faults the pages in. Returns 0 or -ENOMEM/-EFAULT.
 * Caller holds @mm->lock.
 */
int mm_populate_write(struct mm *mm, u64 dst, const void *src, size_t len);

/* mm_access_remote - another process's memory (ptrace(2), process_vm_readv(2));
 * see mm/remote.c. Returns bytes copied or -EFAULT. Takes @mm->lock. */
long mm_access_remote(struct mm *mm, u64 addr, void *buf, size_t len, bool write, bool force);

/*
 * mm_fault_locked - the fault resolution of mm_handle_fault() for @mm with
 * its lock held: fill a missing page or break COW for a write.
 * Returns 0, -EFAULT (no mapping or not permitted), -EIO (a page of an
 * mmap(2) file mapping wholly past the end of the file: SIGBUS) or -ENOMEM.
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
 * mm_pte_lookup - the leaf PTE for @va in one walk, NULL when it has no leaf
 * table; *@own says the table is private to @mm, when the PTE may be changed
 * as mm_pte_modify() would return it. Caller holds @mm->lock.
 * mm_pt_share - fork: make @child use @parent's leaf tables, write-protected
 * in both. 0 or -ENOMEM. Caller holds @parent->lock.
 * mm_pt_release - unmap [start, end) (page-aligned): drop the PTEs, or whole
 * tables, and their page references. Caller holds @mm->lock.
 */
pte_t *mm_pte_modify(struct mm *mm, u64 va, bool alloc);
pte_t *mm_pte_lookup(struct mm *mm, u64 va, bool *own);
int mm_pt_share(struct mm *parent, struct mm *child);
void mm_pt_release(struct mm *mm, u64 start, u64 end);

/*
 * Reverse map of files (mm/rmap.c): which VMAs map a file.
 * mm_rmap_link/mm_rmap_unlink - add @v (with v->file set) to its file's
 * list / take it off; every VMA with a file is on the list from creation
 * (mm_map_locked, split, fork) to vma_free. Caller holds v->mm->lock or the
 * last reference on it. Takes [r]. Sleeps: no.
 */
void mm_rmap_link(struct vma *v);
void mm_rmap_unlink(struct vma *v);
/* mm_file_writably_mapped - does a shared mapping that may write (VMA_SHARED
 * and VMA_MAYWRITE) map @ino (F_SEAL_WRITE's EBUSY)? Takes [r]. Sleeps: no. */
bool mm_file_writably_mapped(struct inode *ino);

/*
 * mm_file_shrunk - regular file @ino was truncated to @size bytes: remove
 * every page wholly past the new end from every address space that maps
 * it, the file's own pages and private copies alike (Linux's truncate does
 * the same), so that the next access faults again and, in an mmap(2)
 * mapping, raises SIGBUS. Call after the size changed, with no lock held:
 * takes [r] and each mapping mm's lock. May sleep. truncate(2), mmap(2).
 */
void mm_file_shrunk(struct inode *ino, u64 size);

/*
 * mm_expand_stack - a fault at @addr just below a VMA_GROWSDOWN mapping:
 * extend it down to @addr's page (RLIMIT_STACK, RLIMIT_AS, the 256-page
 * stack guard gap to an accessible mapping below, Linux's expand_stack()).
 * Returns the grown VMA or NULL. Caller holds @mm->lock (@mm is current's).
 */
struct vma *mm_expand_stack(struct mm *mm, u64 addr);

/*
 * Memory locks (mm/mlock.c), mlock(2).
 * mm_memlock_allows - may @mm lock @pages more pages: within RLIMIT_MEMLOCK
 *   counting mm->locked_vm, or the caller is privileged (euid 0, standing
 *   for CAP_IPC_LOCK). Caller holds @mm->lock (@mm is current's).
 * mm_memlock_capable - the caller may lock memory at all: RLIMIT_MEMLOCK is
 *   not 0, or it is privileged (Linux's can_do_mlock()).
 * mm_populate_range - fault in the pages of [start, end) that the VMAs
 *   there allow (read, or write for writable private ones), as mlock and
 *   MAP_LOCKED/MAP_POPULATE do. 0 or -ENOMEM. Caller holds @mm->lock.
 */
/*
 * mm_mmap_lock_flags - the lock bits of a new mapping of @len bytes made
 *   with mmap flags @mflags: MAP_LOCKED, and mlockall(MCL_FUTURE)'s
 *   mm->def_flags, are added to *@vflags. Returns 0, -EPERM (MAP_LOCKED
 *   and no right to lock) or -EAGAIN (over RLIMIT_MEMLOCK), as Linux's
 *   do_mmap(). Caller holds @mm->lock.
 */
int mm_mmap_lock_flags(struct mm *mm, unsigned long mflags, u64 len, u32 *vflags);
bool mm_memlock_allows(struct mm *mm, u64 pages);
bool mm_memlock_capable(void);
int mm_populate_range(struct mm *mm, u64 start, u64 end);

/*
 * The OOM killer (mm/oom.c), Linux's heuristic.
 * mm_out_of_memory - current found no page even after reclaim: choose the
 *   process with the highest badness and SIGKILL it, logging "Out of
 *   memory: Killed process ...". Returns OOM_KILLED_SELF (current's process
 *   is dying: give up the fault, the kill is taken on the way out),
 *   OOM_WAIT (another process was chosen, or an earlier victim is still
 *   exiting: a short wait was made, retry) or OOM_NO_VICTIM (nothing may be
 *   killed; a short wait was made). Call with no lock held. Sleeps.
 * oom_badness_of - the badness of a process using @u with oom_score_adj
 *   @adj out of @total_pages (RAM + swap): its pages plus adj/1000 of the
 *   total, or OOM_UNKILLABLE for adj -1000.
 * mm_oom_usage - @mm's counters in pages; with @locked (caller holds
 *   @mm->lock) also its page-table pages and size, else those are 0.
 * oom_total_pages - RAM and swap pages, the scale of badness.
 * oom_score_of - /proc/PID/oom_score: 1000 + badness in thousandths of the
 *   total (0..2000), 0 for what is never chosen. 0 or -ESRCH. May sleep.
 * oom_score_adj_get/oom_score_adj_set - /proc/PID/oom_score_adj: -1000..
 *   1000 (else -EINVAL); an unprivileged writer may not go below the last
 *   value root set (-EACCES). 0 or -ESRCH. Take the process lock.
 *   proc_pid_oom_score_adj(5).
 */
#define OOM_SCORE_ADJ_MIN	(-1000)
#define OOM_SCORE_ADJ_MAX	1000
#define OOM_UNKILLABLE		(-0x7fffffffffffffffL - 1)
enum { OOM_KILLED_SELF, OOM_WAIT, OOM_NO_VICTIM };

struct oom_usage {
	u64 rss, anon, file, shmem, swap, pt_pages, total_vm;	/* pages */
};

int mm_out_of_memory(void);
long oom_badness_of(const struct oom_usage *u, int adj, u64 total_pages);
void mm_oom_usage(struct mm *mm, bool locked, struct oom_usage *u);
u64 oom_total_pages(void);
int oom_score_of(pid_t pid, unsigned long *score);
int oom_score_adj_get(pid_t pid, int *adj);
int oom_score_adj_set(pid_t pid, long adj);

/*
 * mm_rss_account - @delta pages (+1 mapped, -1 unmapped) of @pg in @mm: the
 * resident set and its kind (RssAnon for PG_ANON pages, RssShmem for file
 * pages mapped through a MAP_SHARED VMA (@shared), RssFile otherwise), and
 * the high-water mark. Caller holds @mm->lock. Sleeps: no.
 */
void mm_rss_account(struct mm *mm, const struct page *pg, bool shared, long delta);

/*
 * Memory events since boot (mm/vmstat.c), /proc/vmstat.
 * vm_event_inc - count one @e. vm_event_read - the count. Atomic; no lock.
 * vmstat_show - the text of /proc/vmstat into @buf (@size bytes); its length
 *   as snprintf. Sleeps: no.
 */
enum vm_event {
	VM_PGFAULT, VM_PGMAJFAULT, VM_PSWPIN, VM_PSWPOUT, VM_PGSTEAL_KSWAPD, VM_PGSTEAL_DIRECT,
	VM_PGSCAN_KSWAPD, VM_PGSCAN_DIRECT, VM_OOM_KILL, VM_EVENT_COUNT
};
void vm_event_inc(enum vm_event e);
u64 vm_event_read(enum vm_event e);
int vmstat_show(char *buf, size_t size);

/* tmpfs_page_count - data pages held by tmpfs files now, shared memory and
 * memfds included (/proc/meminfo Shmem, part of Cached; sysinfo(2)
 * sharedram). fs/tmpfs.c. Atomic; any context. */
u64 tmpfs_page_count(void);
/* tmpfs_pages_add - @delta pages joined (+) or left (-) tmpfs files' memory
 * (mm/shmem_swap.c: a page goes to swap or comes back). Atomic. */
void tmpfs_pages_add(long delta);

/* mm_pgtable_bytes - bytes of page tables below the top level that @mm
 * uses (/proc/PID/status VmPTE, Linux's mm_pgtables_bytes()). Caller holds
 * @mm->lock. Sleeps: no. */
u64 mm_pgtable_bytes(struct mm *mm);

/* VMA totals for /proc and rlimits: bytes mapped. */
u64 mm_total_vm(struct mm *mm);

/*
 * vm_overcommit_get/vm_overcommit_set - /proc/sys/vm/overcommit_memory
 * (proc_sys_vm(5)), 0..2, honoured by mmap(2) and brk(2) for private
 * writable memory (mm/mmap.c); the setter returns 0 or -EINVAL. Atomic;
 * no lock. Sleeps: no.
 */
long vm_overcommit_get(void);
int vm_overcommit_set(long mode);

#endif
