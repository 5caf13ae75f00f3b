/*
 * tmpfs pages in swap, as Linux's shmem: the data pages of tmpfs files
 * (named files, shared anonymous memory, SysV segments, memfds) are
 * swappable like anonymous memory.
 *
 * Reclaim (mm/reclaim.c) takes a file page with the file's lock held: it
 * clears every PTE that maps the page (the file's mappings list names the
 * VMAs, include/rmap.h), writes the page to a new slot and puts the swap
 * entry in the file's slot for that page (shmem_swap_out()). Every way to
 * the page goes through the file under its lock -- read(2), write(2), a
 * fault of a mapping (inode_find_page(), inode_get_page_shared()) -- and
 * reads it back there (shmem_swap_in()). So no PTE ever holds a tmpfs
 * page's swap entry, and the swap cache is not needed: the file's slot is
 * the one place that names it.
 *
 * swapoff finds the files with pages in swap on shmem_swaplist.
 *
 * Locks: a file's slots and swapped count are under its inode lock [i];
 * shmem_swaplist_lock (a spinlock) guards the list and every
 * inode->swap_link, taken under the inode lock (a leaf).
 */
#include "kernel.h"
#include "mm.h"
#include "page.h"
#include "rmap.h"
#include "swap.h"
#include "fs.h"
#include "kmalloc.h"
#include "spinlock.h"
#include "uapi/errno.h"

static struct spinlock shmem_swaplist_lock = SPINLOCK_INIT("shmem_swaplist");
static struct list_head shmem_swaplist = LIST_HEAD_INIT(shmem_swaplist);

static void swapped_inc(struct inode *ino)
{
	if (ino->swapped++ == 0) {
		spin_lock(&shmem_swaplist_lock);
		list_add_tail(&ino->swap_link, &shmem_swaplist);
		spin_unlock(&shmem_swaplist_lock);
	}
}

static void swapped_dec(struct inode *ino)
{
	if (--ino->swapped == 0) {
		spin_lock(&shmem_swaplist_lock);
		list_del(&ino->swap_link);
		list_init(&ino->swap_link);
		spin_unlock(&shmem_swaplist_lock);
	}
}

/* shmem_swap_in - see include/swap.h. */
int shmem_swap_in(struct inode *ino, u64 pgoff)
{
	u64 entry = shmem_slot_entry(ino->pages[pgoff]);
	struct page *pg = user_page_alloc(false);
	int err;

	if (!pg)
		return -ENOMEM;
	err = swap_io(entry, pg, false);
	if (err) {
		page_put(pg);
		return err;
	}
	swap_entry_put(entry);
	ino->pages[pgoff] = pg;
	swapped_dec(ino);
	tmpfs_pages_add(1);
	lru_add_file(pg, ino, pgoff);
	return 0;
}

/* shmem_swap_out - see include/swap.h. */
void shmem_swap_out(struct inode *ino, u64 pgoff, struct page *pg, u64 entry)
{
	ino->pages[pgoff] = shmem_swap_slot(entry);
	swapped_inc(ino);
	tmpfs_pages_add(-1);
	lru_forget_file(pg);
	page_put(pg);		/* the file's reference */
}

/* shmem_swap_free - see include/swap.h. */
void shmem_swap_free(struct inode *ino, u64 entry)
{
	swap_entry_put(entry);
	swapped_dec(ino);
}

/* The files with pages in swap, each referenced, into a kmalloc'd array in
 * *@out. How many, or -ENOMEM. */
static long snapshot_files(struct inode ***out)
{
	struct inode **files = NULL;
	long cap = 0;

	for (;;) {
		long n = 0, need = 0;
		struct inode *ino;

		spin_lock(&shmem_swaplist_lock);
		list_for_each_entry(ino, &shmem_swaplist, swap_link)
			need++;
		if (need <= cap) {
			list_for_each_entry(ino, &shmem_swaplist, swap_link) {
				/* A file being freed lets its slots go itself. */
				u32 r = __atomic_load_n(&ino->refcount, __ATOMIC_RELAXED);

				while (r && !__atomic_compare_exchange_n(&ino->refcount, &r, r + 1,
									 false, __ATOMIC_ACQUIRE,
									 __ATOMIC_RELAXED))
					;
				if (r)
					files[n++] = ino;
			}
			spin_unlock(&shmem_swaplist_lock);
			*out = files;
			return n;
		}
		spin_unlock(&shmem_swaplist_lock);
		kfree(files);
		cap = need + 8;
		files = kvmalloc(cap * sizeof(*files));
		if (!files)
			return -ENOMEM;
	}
}

/* shmem_unuse - see include/swap.h. The area takes no new pages meanwhile,
 * so one pass over the files that have pages in swap finds them all. */
int shmem_unuse(unsigned type)
{
	struct inode **files;
	long n = snapshot_files(&files);
	int err = 0;

	if (n < 0)
		return (int)n;
	for (long i = 0; i < n; i++) {
		struct inode *ino = files[i];

		mutex_lock(&ino->lock);
		for (u64 pgoff = 0; pgoff < ino->npages && ino->swapped && !err; pgoff++) {
			struct page *slot = ino->pages[pgoff];

			if (shmem_slot_is_swap(slot) && swp_type(shmem_slot_entry(slot)) == type)
				err = shmem_swap_in(ino, pgoff);
		}
		mutex_unlock(&ino->lock);
		inode_put(ino);
	}
	kfree(files);
	return err;
}
