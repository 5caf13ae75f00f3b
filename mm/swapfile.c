/*
 * Swap areas: swapon(2), swapoff(2), their slots and their I/O.
 *
 * An area is a block device whose first page holds Linux's swap-area header
 * (lib/swapmap.c); slot n is the n-th 4 KiB page of the device. Each area has
 * a priority: new pages go to the highest-priority area with room (areas
 * given none get -2, -3, ... in order, as on Linux). /proc/swaps lists them.
 *
 * Locks: swap_lock [S] guards every area's slot map and the totals;
 * swapon_lock [O] serialises swapon/swapoff. An area's device and inode do
 * not change while it is active; swapoff frees them only once no slot of it
 * is referenced (every in-flight read or write holds a reference).
 */
#include "kernel.h"
#include "mm.h"
#include "page.h"
#include "swap.h"
#include "rmap.h"
#include "blkdev.h"
#include "fs.h"
#include "kmalloc.h"
#include "mutex.h"
#include "spinlock.h"
#include "task.h"
#include "cpu.h"
#include "lib/swapmap.h"
#include "uapi/errno.h"

#define SECTORS_PER_PAGE	(PAGE_SIZE / BLK_SECTOR_SIZE)
#define SWAP_SLOTS_MAX		(1u << 20)	/* 4 GiB per area: its map fits one page block */

struct swap_area {
	bool active;		/* [S] set from swapon until swapoff completes */
	bool writeok;		/* [S] takes new pages (cleared first by swapoff) */
	int prio;		/* [S] */
	struct blkdev *dev;	/* [O] */
	struct inode *ino;	/* [O] the block special file, referenced */
	struct swapmap map;	/* [S] */
	u32 usable;		/* [S] slots that may hold a page (Linux's si->pages) */
};

struct spinlock swap_lock = SPINLOCK_INIT("swap");
static struct mutex swapon_lock = MUTEX_INIT(swapon_lock, "swapon");
static struct swap_area areas[SWAP_AREAS_MAX];	/* [S]/[O] by type */
static int least_priority = -1;			/* [O] the last default priority */
static bool any_writeok;			/* [S] some area takes pages */
static bool any_active;				/* [S] some area is on */

static void refresh_writeok(void)
{
	bool any = false, on = false;

	for (int i = 0; i < SWAP_AREAS_MAX; i++) {
		any |= areas[i].active && areas[i].writeok;
		on |= areas[i].active;
	}
	__atomic_store_n(&any_writeok, any, __ATOMIC_RELEASE);
	__atomic_store_n(&any_active, on, __ATOMIC_RELEASE);
}

/* swap_configured - see include/swap.h. */
bool swap_configured(void)
{
	return __atomic_load_n(&any_active, __ATOMIC_ACQUIRE);
}

/* swap_active - see include/swap.h. */
bool swap_active(void)
{
	return __atomic_load_n(&any_writeok, __ATOMIC_ACQUIRE);
}

/* swap_total_pages - see include/swap.h. */
u64 swap_total_pages(void)
{
	u64 n = 0;

	spin_lock(&swap_lock);
	for (int i = 0; i < SWAP_AREAS_MAX; i++)
		if (areas[i].active)
			n += areas[i].usable;
	spin_unlock(&swap_lock);
	return n;
}

/* swap_free_pages - see include/swap.h. */
u64 swap_free_pages(void)
{
	u64 n = 0;

	spin_lock(&swap_lock);
	for (int i = 0; i < SWAP_AREAS_MAX; i++)
		if (areas[i].active)
			n += areas[i].map.nfree;
	spin_unlock(&swap_lock);
	return n;
}

/* The area and slot of @e if it names a slot of an active area, else NULL. [S] held. */
static struct swap_area *area_of(u64 e)
{
	unsigned type = swp_type(e);

	if (type >= SWAP_AREAS_MAX || !areas[type].active || swp_slot(e) == 0 ||
	    swp_slot(e) >= areas[type].map.nslots)
		return NULL;
	return &areas[type];
}

/* swap_entry_alloc_locked - see include/swap.h. */
int swap_entry_alloc_locked(u64 *entry)
{
	int best = -1;

	for (int i = 0; i < SWAP_AREAS_MAX; i++) {
		struct swap_area *a = &areas[i];

		if (a->active && a->writeok && a->map.nfree && (best < 0 || a->prio > areas[best].prio))
			best = i;
	}
	if (best >= 0) {
		u32 slot = swapmap_alloc(&areas[best].map);

		*entry = swp_entry((unsigned)best, slot);
	}
	return best >= 0 ? 0 : -ENOSPC;
}

/* swap_entry_alloc - see include/swap.h. */
int swap_entry_alloc(u64 *entry)
{
	spin_lock(&swap_lock);
	int err = swap_entry_alloc_locked(entry);

	spin_unlock(&swap_lock);
	return err;
}

/* swap_entry_writeok_locked - see include/swap.h. */
bool swap_entry_writeok_locked(u64 entry)
{
	struct swap_area *a = area_of(entry);

	return a && a->writeok;
}

/* swap_area_in_use_locked - see include/swap.h. */
u64 swap_area_in_use_locked(unsigned type)
{
	struct swap_area *a = &areas[type];

	return a->active ? a->usable - a->map.nfree : 0;
}

/* swap_entry_dup_locked - see include/swap.h: the caller checked the count. */
void swap_entry_dup_locked(u64 entry)
{
	struct swap_area *a = area_of(entry);

	if (!a || swapmap_dup(&a->map, swp_slot(entry)))
		panic("swap: dup of entry %lx failed", (unsigned long)entry);
}

/* swap_entry_dup - see include/swap.h. */
int swap_entry_dup(u64 entry)
{
	int err = -ENOMEM;

	spin_lock(&swap_lock);
	struct swap_area *a = area_of(entry);

	if (a && swapmap_count(&a->map, swp_slot(entry)) != 0)
		err = swapmap_dup(&a->map, swp_slot(entry));
	spin_unlock(&swap_lock);
	return err;
}

/* swap_entry_put_locked - see include/swap.h. */
u32 swap_entry_put_locked(u64 entry)
{
	struct swap_area *a = area_of(entry);
	u32 c;

	if (!a)
		panic("swap: put of entry %lx of no area", (unsigned long)entry);
	c = swapmap_count(&a->map, swp_slot(entry));
	if (c == 0 || c == SWAPMAP_BAD)
		panic("swap: put of free slot %u of area %u", swp_slot(entry), swp_type(entry));
	return swapmap_put(&a->map, swp_slot(entry));
}

/* swap_entry_put - see include/swap.h. */
u32 swap_entry_put(u64 entry)
{
	spin_lock(&swap_lock);
	u32 left = swap_entry_put_locked(entry);

	spin_unlock(&swap_lock);
	return left;
}

/* swap_entry_count_locked - see include/swap.h. */
u32 swap_entry_count_locked(u64 entry)
{
	struct swap_area *a = area_of(entry);
	u32 c = a ? swapmap_count(&a->map, swp_slot(entry)) : 0;

	return c == SWAPMAP_BAD ? 0 : c;
}

/* swap_entry_count - see include/swap.h. */
u32 swap_entry_count(u64 entry)
{
	spin_lock(&swap_lock);
	u32 c = swap_entry_count_locked(entry);

	spin_unlock(&swap_lock);
	return c;
}

/* swap_pte_gone - see include/swap.h. */
void swap_pte_gone(u64 entry)
{
	struct page *drop = NULL;

	spin_lock(&swap_lock);
	if (swap_entry_put_locked(entry) == 1) {
		/* Only the cache may hold it now: an unmapped cached page is
		 * of no use to anyone. */
		struct page *pg = swap_cache_lookup_locked(entry);

		if (pg && page_refcount(pg) == 1) {
			swap_cache_remove_locked(pg);
			swap_entry_put_locked(entry);
			drop = pg;
		}
	}
	spin_unlock(&swap_lock);
	if (drop)
		page_put(drop);
}

/* swap_io - see include/swap.h. The caller's reference keeps the area. */
int swap_io(u64 entry, struct page *pg, bool write)
{
	struct blkdev *dev;
	int err;

	spin_lock(&swap_lock);
	struct swap_area *a = area_of(entry);

	dev = a ? a->dev : NULL;
	spin_unlock(&swap_lock);
	if (!dev)
		return -EIO;
	err = blkdev_rw(dev, (u64)swp_slot(entry) * SECTORS_PER_PAGE, page_address(pg),
			SECTORS_PER_PAGE, write);
	if (err)
		printk("swap: %s of slot %u on %s failed (%d)\n", write ? "write" : "read",
		       swp_slot(entry), dev->name, err);
	else
		vm_event_inc(write ? VM_PSWPOUT : VM_PSWPIN);
	return err;
}

/* swap_io_many - see include/swap.h. The requests go to the disk together, so their
 * transfers overlap (the driver keeps several in flight), and are then waited for. */
void swap_io_many(const u64 *entries, struct page *const *pages, int n, bool write, int *errs)
{
	struct blk_request rq[SWAP_IO_MANY_MAX];
	bool sent[SWAP_IO_MANY_MAX];

	KASSERT(n <= SWAP_IO_MANY_MAX);
	for (int i = 0; i < n; i++) {
		spin_lock(&swap_lock);
		struct swap_area *a = area_of(entries[i]);
		struct blkdev *dev = a ? a->dev : NULL;

		spin_unlock(&swap_lock);
		sent[i] = dev != NULL;
		errs[i] = -EIO;
		if (!dev)
			continue;
		memset(&rq[i], 0, sizeof(rq[i]));
		rq[i].dev = dev;
		rq[i].sector = (u64)swp_slot(entries[i]) * SECTORS_PER_PAGE;
		rq[i].nsect = SECTORS_PER_PAGE;
		rq[i].write = write;
		rq[i].buf = page_address(pages[i]);
		wait_queue_init(&rq[i].wait, "blk_request");
		blkdev_submit(&rq[i]);
	}
	for (int i = 0; i < n; i++) {
		if (!sent[i])
			continue;
		errs[i] = blk_request_wait(&rq[i]);
		if (errs[i])
			printk("swap: %s of slot %u on %s failed (%d)\n", write ? "write" : "read",
			       swp_slot(entries[i]), rq[i].dev->name, errs[i]);
		else
			vm_event_inc(write ? VM_PSWPOUT : VM_PSWPIN);
	}
}

/* The block device behind block special file @ino, or NULL. */
static struct blkdev *blkdev_of(struct inode *ino)
{
	if (!S_ISBLK(ino->mode))
		return NULL;
	return blkdev_find_devt(ino->rdev_major, ino->rdev_minor);
}

/*
 * Activate an area on @dev, named by @ino (a referenced inode, kept by the
 * area on success; NULL for the boot option) with swapon(2) @flags; with
 * @format, write a fresh header first (the boot option). Caller holds
 * swapon_lock.
 */
static int area_enable(struct blkdev *dev, struct inode *ino, long flags, bool format)
{
	struct swap_header h;
	struct page *hp;
	u64 dev_pages;
	u16 *count = NULL;
	u32 *bad = NULL;
	int type = -1, err;

	if (!dev)
		return -EINVAL;
	if (dev->read_only)
		return -EPERM;
	for (int i = 0; i < SWAP_AREAS_MAX; i++) {
		if (areas[i].active && areas[i].dev == dev)
			return -EBUSY;
		if (!areas[i].active && type < 0)
			type = i;
	}
	if (type < 0)
		return -EPERM;	/* Linux: too many swap files */
	dev_pages = dev->nr_sectors / SECTORS_PER_PAGE;
	hp = page_alloc(0, true);
	if (!hp)
		return -ENOMEM;
	if (format) {
		u8 uuid[16];
		u64 r0 = arch_random_u64(), r1 = arch_random_u64();

		memcpy(uuid, &r0, 8);
		memcpy(uuid + 8, &r1, 8);
		uuid[6] = (uuid[6] & 0x0f) | 0x40;	/* a version 4 UUID, as mkswap's */
		uuid[8] = (uuid[8] & 0x3f) | 0x80;
		err = swap_header_format(page_address(hp), MIN(dev_pages, (u64)SWAP_SLOTS_MAX),
					 uuid, "");
		if (!err)
			err = blkdev_rw(dev, 0, page_address(hp), SECTORS_PER_PAGE, true);
		if (err)
			goto out;
	}
	err = blkdev_rw(dev, 0, page_address(hp), SECTORS_PER_PAGE, false);
	if (err)
		goto out;
	err = swap_header_parse(page_address(hp), dev_pages, &h);
	if (err)
		goto out;
	if (h.last_page >= SWAP_SLOTS_MAX)
		h.last_page = SWAP_SLOTS_MAX - 1;
	count = kvmalloc((h.last_page + 1) * sizeof(*count));
	bad = kmalloc(MAX(h.nr_badpages, 1u) * sizeof(*bad));
	if (!count || !bad) {
		err = -ENOMEM;
		goto out;
	}
	memcpy(bad, (u8 *)page_address(hp) + SWAP_HDR_BADPAGES_OFF, h.nr_badpages * sizeof(*bad));
	for (u32 i = 0; i < h.nr_badpages; i++) {
		if (bad[i] > h.last_page) {	/* cut off with the device's end */
			err = -EINVAL;
			goto out;
		}
	}

	struct swap_area *a = &areas[type];

	lru_anon_start();	/* anonymous pages become reclaimable, before the area is on */
	spin_lock(&swap_lock);
	swapmap_init(&a->map, count, &h, bad);
	a->usable = swapmap_usable(&a->map);
	a->dev = dev;
	a->ino = ino;
	a->prio = (flags & SWAP_FLAG_PREFER) ? (int)(flags & SWAP_FLAG_PRIO_MASK)
					     : --least_priority;
	a->writeok = true;
	a->active = true;
	refresh_writeok();
	spin_unlock(&swap_lock);
	count = NULL;
	printk("Adding %luk swap on %s.  Priority:%d extents:1 across:%luk\n",
	       (unsigned long)a->usable * (PAGE_SIZE / 1024), dev->name, a->prio,
	       (unsigned long)a->usable * (PAGE_SIZE / 1024));
out:
	kfree(count);
	kfree(bad);
	page_put(hp);
	return err;
}

/* sys_swapon - see include/swap.h. swapon(2). */
long sys_swapon(const char __user *path, long flags)
{
	struct inode *ino;
	int err;

	if (current->proc->euid != 0)
		return -EPERM;
	if (flags & ~(long)SWAP_FLAGS_VALID)
		return -EINVAL;
	err = vfs_upath_lookup(path, &ino);
	if (err)
		return err;
	if (S_ISDIR(ino->mode)) {	/* Linux opens it for writing first */
		inode_put(ino);
		return -EISDIR;
	}
	mutex_lock(&swapon_lock);
	err = area_enable(blkdev_of(ino), ino, flags, false);
	mutex_unlock(&swapon_lock);
	if (err)
		inode_put(ino);
	return err;
}

/* swap_boot_enable - see include/swap.h. */
int swap_boot_enable(const char *path)
{
	struct blkdev *dev = NULL;
	int err;

	if (!strncmp(path, "/dev/", 5))
		dev = blkdev_find(path + 5);
	mutex_lock(&swapon_lock);
	err = dev ? area_enable(dev, NULL, 0, true) : -ENODEV;
	mutex_unlock(&swapon_lock);
	if (err)
		printk("swap: swap=%s: not enabled (%d)\n", path, err);
	return err;
}

/* sys_swapoff - see include/swap.h. swapoff(2). */
long sys_swapoff(const char __user *path)
{
	struct inode *ino;
	struct blkdev *dev;
	int type = -1, err;

	if (current->proc->euid != 0)
		return -EPERM;
	err = vfs_upath_lookup(path, &ino);
	if (err)
		return err;
	dev = blkdev_of(ino);
	err = S_ISDIR(ino->mode) ? -EISDIR : 0;
	inode_put(ino);
	if (err)
		return err;
	mutex_lock(&swapon_lock);
	spin_lock(&swap_lock);
	for (int i = 0; i < SWAP_AREAS_MAX && dev; i++)
		if (areas[i].active && areas[i].dev == dev)
			type = i;
	if (type >= 0) {
		areas[type].writeok = false;	/* no new pages go there */
		refresh_writeok();
	}
	spin_unlock(&swap_lock);
	if (type < 0) {
		mutex_unlock(&swapon_lock);
		return -EINVAL;
	}
	err = swap_unuse((unsigned)type);
	spin_lock(&swap_lock);
	struct swap_area *a = &areas[type];

	if (!err && a->map.nfree + (a->map.nslots - a->usable) != a->map.nslots)
		err = -ENOMEM;	/* something still holds a slot */
	if (err) {
		a->writeok = true;	/* as Linux: the area stays in use */
		refresh_writeok();
		spin_unlock(&swap_lock);
		mutex_unlock(&swapon_lock);
		/* The pages brought in filled memory: give the kernel room again. */
		for (int i = 0; i < 64 && page_free_count() < page_total_count() / 16; i++)
			if (!mm_reclaim(64))
				break;
		return err;
	}
	a->active = false;
	refresh_writeok();
	u16 *count = a->map.count;
	struct inode *aino = a->ino;

	a->map.count = NULL;
	a->ino = NULL;
	a->dev = NULL;
	spin_unlock(&swap_lock);
	mutex_unlock(&swapon_lock);
	kfree(count);
	if (aino)
		inode_put(aino);
	return 0;
}

/* swaps_show - see include/swap.h. The columns of Linux's swap_show(). */
int swaps_show(char *buf, size_t size)
{
	char *name = kmalloc(PATH_MAX);
	size_t len = 0;

	if (!name)
		return 0;
	len += (size_t)snprintf(buf, size, "Filename\t\t\t\tType\t\tSize\t\tUsed\t\tPriority\n");
	mutex_lock(&swapon_lock);
	for (int i = 0; i < SWAP_AREAS_MAX && len < size; i++) {
		unsigned long kb, used_kb;
		int prio, n;

		spin_lock(&swap_lock);
		if (!areas[i].active) {
			spin_unlock(&swap_lock);
			continue;
		}
		kb = areas[i].usable * (PAGE_SIZE / 1024);
		used_kb = (areas[i].usable - areas[i].map.nfree) * (PAGE_SIZE / 1024);
		prio = areas[i].prio;
		spin_unlock(&swap_lock);
		n = areas[i].ino ? vfs_path_name(areas[i].ino, name, PATH_MAX) : -ENOENT;
		if (n < 0)
			n = snprintf(name, PATH_MAX, "/dev/%s", areas[i].dev->name);
		len += (size_t)snprintf(buf + len, size - len, "%s%*s%s\t%lu\t%s%lu\t%s%d\n", name,
					n < 40 ? 40 - n : 1, " ", "partition", kb,
					kb < 10000000 ? "\t" : "", used_kb,
					used_kb < 10000000 ? "\t" : "", prio);
	}
	mutex_unlock(&swapon_lock);
	kfree(name);
	return (int)MIN(len, size ? size - 1 : 0);
}
