/*
 * tmpfs regular files: data kept in whole pages (one struct page per 4 KiB,
 * allocated zeroed on first write, so unwritten ranges are holes that read
 * as zeroes), and the file operations of an open regular file.
 *
 * Invariant: bytes of the last page beyond the file size are zero, so
 * growing a file (write past the end, truncate up) exposes only zeroes.
 *
 * The inode lock is never held while user memory is touched: a fault on a
 * mapping of the same file would take it again. Reads take a page reference
 * under the lock and copy after dropping it; writes copy user data into a
 * kernel bounce page first.
 */
#include "internal.h"
#include "kmalloc.h"
#include "page.h"
#include "mm.h"
#include "rmap.h"
#include "swap.h"
#include "uaccess.h"
#include "task.h"
#include "cpu.h"
#include "uapi/resource.h"
#include "uapi/signal.h"

/* Make room for @need page slots; ino's lock held. */
static int pages_reserve(struct inode *ino, u64 need)
{
	struct page **slots;
	u64 cap;

	if (need <= ino->npages)
		return 0;
	cap = MAX(need, MAX(ino->npages * 2, 8UL));
	slots = kvzalloc(cap * sizeof(*slots));
	if (!slots)
		return -ENOMEM;
	if (ino->npages)
		memcpy(slots, ino->pages, ino->npages * sizeof(*slots));
	kfree(ino->pages);
	ino->pages = slots;
	ino->npages = cap;
	return 0;
}

/*
 * Give slot @pgoff (empty) a zeroed page, charged to the file system's
 * size= limit. 0, -ENOSPC (tmpfs(5): the instance is full) or -ENOMEM.
 * ino's lock held.
 */
/* Data pages of every tmpfs file, named or not (/proc/meminfo Shmem). */
static u64 tmpfs_pages;		/* [a] */

/* tmpfs_page_count - see fs/internal.h. */
u64 tmpfs_page_count(void)
{
	return __atomic_load_n(&tmpfs_pages, __ATOMIC_RELAXED);
}

/* tmpfs_pages_add - see include/mm.h. */
void tmpfs_pages_add(long delta)
{
	__atomic_add_fetch(&tmpfs_pages, (u64)delta, __ATOMIC_RELAXED);
}

/* A new page is user memory like any other (user_page_alloc(): with swap
 * on, refused below the min watermark so that reclaim runs first), and it
 * joins the reclaim clock: tmpfs pages are swappable (mm/shmem_swap.c). */
static int page_new(struct inode *ino, u64 pgoff)
{
	int err = sb_charge(ino->sb, 1, 0);

	if (err)
		return err;
	ino->pages[pgoff] = user_page_alloc(true);
	if (!ino->pages[pgoff]) {
		sb_uncharge(ino->sb, 1, 0);
		return -ENOMEM;
	}
	__atomic_add_fetch(&tmpfs_pages, 1, __ATOMIC_RELAXED);
	lru_add_file(ino->pages[pgoff], ino, pgoff);
	return 0;
}

/*
 * Make slot @pgoff resident: a page in swap is read back. 0, -ENOMEM or
 * -EIO. ino's lock held.
 */
static int slot_resident(struct inode *ino, u64 pgoff)
{
	if (pgoff < ino->npages && shmem_slot_is_swap(ino->pages[pgoff]))
		return shmem_swap_in(ino, pgoff);
	return 0;
}

/*
 * A page for the file could not be had (-ENOMEM) with its lock held: free
 * some by reclaim, with no lock held, before trying again. False when that
 * is hopeless (no swap, nothing freed and memory still short): the caller
 * fails with ENOMEM. Sleeps.
 */
static bool reclaim_for_retry(int *tries)
{
	if (!swap_active() || ++*tries > 16)
		return false;
	return mm_reclaim(32) > 0 || !reclaim_below_min();
}

/* The slot's page or swap entry goes: its reference is dropped, its
 * mapping forgotten. Returns whether it was resident. ino's lock held (or
 * the last reference). */
static bool slot_release(struct inode *ino, u64 pgoff)
{
	struct page *pg = ino->pages[pgoff];

	ino->pages[pgoff] = NULL;
	if (shmem_slot_is_swap(pg)) {
		shmem_swap_free(ino, shmem_slot_entry(pg));
		return false;
	}
	lru_forget_file(pg);
	page_put(pg);
	return true;
}

ssize_t tmpfs_read(struct inode *ino, u64 off, void *buf, size_t n, bool user)
{
	size_t done = 0;

	int tries = 0;

	while (done < n) {
		u64 in = off & (PAGE_SIZE - 1), pgoff = off >> PAGE_SHIFT;
		struct page *pg = NULL;
		size_t chunk;
		int err = 0;

		mutex_lock(&ino->lock);
		if (off >= ino->size) {
			mutex_unlock(&ino->lock);
			break;
		}
		chunk = MIN(PAGE_SIZE - in, MIN(n - done, ino->size - off));
		err = slot_resident(ino, pgoff);
		if (err) {
			mutex_unlock(&ino->lock);
			if (err == -ENOMEM && reclaim_for_retry(&tries))
				continue;
			return done ? (ssize_t)done : err;
		}
		if (pgoff < ino->npages && ino->pages[pgoff]) {
			pg = ino->pages[pgoff];
			page_get(pg);
		}
		mutex_unlock(&ino->lock);

		if (pg) {
			const char *src = (const char *)page_address(pg) + in;

			if (user)
				err = copy_to_user((char __user *)buf + done, src, chunk);
			else
				memcpy((char *)buf + done, src, chunk);
			page_put(pg);
		} else if (user) {
			err = clear_user((char __user *)buf + done, chunk);
		} else {
			memset((char *)buf + done, 0, chunk);
		}
		if (err)
			return done ? (ssize_t)done : err;
		done += chunk;
		off += chunk;
	}
	return done;
}

/*
 * Copy @len kernel bytes to offset @off, allocating pages as needed and
 * growing the size. ino's lock held. Returns bytes stored (short only when
 * memory ran out) or -ENOMEM when nothing was stored.
 */
static ssize_t write_locked(struct inode *ino, u64 off, const char *src, size_t len)
{
	size_t done = 0;
	int err = pages_reserve(ino, (off + len + PAGE_SIZE - 1) >> PAGE_SHIFT);

	if (err)
		return err;
	while (done < len) {
		u64 in = off & (PAGE_SIZE - 1), pgoff = off >> PAGE_SHIFT;
		size_t chunk = MIN(PAGE_SIZE - in, len - done);

		err = slot_resident(ino, pgoff);
		if (!err && !ino->pages[pgoff])
			err = page_new(ino, pgoff);
		if (err)
			break;
		memcpy((char *)page_address(ino->pages[pgoff]) + in, src + done, chunk);
		done += chunk;
		off += chunk;
		if (off > ino->size)
			__atomic_store_n(&ino->size, off, __ATOMIC_RELAXED);
	}
	if (done)
		ino->mtime = ino->ctime = fs_now();
	return done ? (ssize_t)done : err;
}

ssize_t tmpfs_write(struct inode *ino, u64 *offp, struct io_src src, size_t n, bool user,
		    bool append)
{
	char *bounce = NULL;
	u64 off = *offp;
	size_t done = 0;
	ssize_t err = 0;
	int tries = 0;

	if (!src.kernel && n) {
		bounce = kmalloc(PAGE_SIZE);
		if (!bounce)
			return -ENOMEM;
	}
	while (done < n) {
		size_t chunk = MIN(PAGE_SIZE, n - done);
		const char *from = (const char *)src.base + done;
		ssize_t w;

		if (!src.kernel) {
			err = io_src_copy(bounce, src, done, chunk);
			if (err)
				break;
			from = bounce;
		}
		mutex_lock(&ino->lock);
		/* O_APPEND: every chunk goes to the end as it is now (write(2)). */
		if (append)
			off = ino->size;
		/* A user write stops at RLIMIT_FSIZE: SIGXFSZ and EFBIG once
		 * nothing more fits (setrlimit(2), write(2)). */
		u64 limit = user ? MIN((u64)TMPFS_MAX_SIZE, rlimit_cur(RLIMIT_FSIZE)) : TMPFS_MAX_SIZE;

		if (off >= limit) {
			mutex_unlock(&ino->lock);
			/* Only a write that can write nothing is refused. */
			if (user && limit < TMPFS_MAX_SIZE && done == 0)
				send_signal_process(current->proc, SIGXFSZ);
			err = -EFBIG;
			break;
		}
		chunk = MIN(chunk, limit - off);
		/* A memfd's seals (fcntl(2) F_ADD_SEALS): no writing at all, or
		 * no growing past the end. */
		if (ino->seals & (F_SEAL_WRITE | F_SEAL_FUTURE_WRITE | F_SEAL_GROW) &&
		    ((ino->seals & (F_SEAL_WRITE | F_SEAL_FUTURE_WRITE)) ||
		     off + chunk > ino->size)) {
			mutex_unlock(&ino->lock);
			err = -EPERM;
			break;
		}
		w = write_locked(ino, off, from, chunk);
		mutex_unlock(&ino->lock);
		if (w == -ENOMEM && reclaim_for_retry(&tries))
			continue;
		if (w < 0) {
			err = w;
			break;
		}
		done += w;
		off += w;
		tries = 0;
		/* Out of memory or space: the next round says which (and with
		 * swap on, memory is reclaimed for it), or the next write. */
		if ((size_t)w < chunk && !swap_active())
			break;
	}
	kfree(bounce);
	*offp = off;
	return done ? (ssize_t)done : err;
}

/* tmpfs_fallocate - see fs/internal.h. */
int tmpfs_fallocate(struct inode *ino, u64 off, u64 len, bool keep_size)
{
	u64 end = off + len, first = off >> PAGE_SHIFT, last = (end + PAGE_SIZE - 1) >> PAGE_SHIFT;
	u64 pg, missing = 0;
	int err;

	if (end > TMPFS_MAX_SIZE || end < off)
		return -EFBIG;
	mutex_lock(&ino->lock);
	if (!keep_size && end > ino->size && (ino->seals & F_SEAL_GROW)) {
		mutex_unlock(&ino->lock);
		return -EPERM;	/* a sealed memfd */
	}
	err = pages_reserve(ino, last);
	/* All or nothing for the size= limit: ENOSPC before any page is taken. */
	for (pg = first; !err && pg < last; pg++)
		missing += !ino->pages[pg];
	if (!err && missing) {
		err = sb_charge(ino->sb, missing, 0);
		if (!err)
			sb_uncharge(ino->sb, missing, 0);
	}
	for (pg = first; !err && pg < last; pg++)
		if (!ino->pages[pg])
			err = page_new(ino, pg);
	if (!err) {
		if (!keep_size && end > ino->size)
			__atomic_store_n(&ino->size, end, __ATOMIC_RELAXED);
		ino->mtime = ino->ctime = fs_now();
	}
	mutex_unlock(&ino->lock);
	return err;
}

int tmpfs_truncate(struct inode *ino, u64 size)
{
	u64 keep, i, freed = 0;
	bool shrunk;

	if (size > TMPFS_MAX_SIZE)
		return -EFBIG;
	mutex_lock(&ino->lock);
	if ((size < ino->size && (ino->seals & F_SEAL_SHRINK)) ||
	    (size > ino->size && (ino->seals & F_SEAL_GROW))) {
		mutex_unlock(&ino->lock);
		return -EPERM;	/* a sealed memfd */
	}
	shrunk = size < ino->size;
	if (shrunk) {
		u64 resident = 0;

		/* Pages wholly past the new end go; the tail of the last one is zeroed. */
		keep = (size + PAGE_SIZE - 1) >> PAGE_SHIFT;
		/* That last one must be in memory for it (-ENOMEM: nothing done). */
		if ((size & (PAGE_SIZE - 1)) && slot_resident(ino, keep - 1)) {
			mutex_unlock(&ino->lock);
			return -ENOMEM;
		}
		for (i = keep; i < ino->npages; i++) {
			if (ino->pages[i]) {
				resident += slot_release(ino, i);
				freed++;
			}
		}
		sb_uncharge(ino->sb, freed, 0);
		__atomic_sub_fetch(&tmpfs_pages, resident, __ATOMIC_RELAXED);
		if ((size & (PAGE_SIZE - 1)) && keep - 1 < ino->npages && ino->pages[keep - 1]) {
			char *p = page_address(ino->pages[keep - 1]);
			u64 in = size & (PAGE_SIZE - 1);

			memset(p + in, 0, PAGE_SIZE - in);
		}
	}
	__atomic_store_n(&ino->size, size, __ATOMIC_RELAXED);
	ino->mtime = ino->ctime = fs_now();
	mutex_unlock(&ino->lock);
	/* Mappings lose the pages past the end too (SIGBUS there now). */
	if (shrunk)
		mm_file_shrunk(ino, size);
	return 0;
}

void tmpfs_free_data(struct inode *ino)
{
	u64 i, freed = 0, resident = 0;

	for (i = 0; i < ino->npages; i++) {
		if (ino->pages[i]) {
			resident += slot_release(ino, i);
			freed++;
		}
	}
	sb_uncharge(ino->sb, freed, 0);
	__atomic_sub_fetch(&tmpfs_pages, resident, __ATOMIC_RELAXED);
	kfree(ino->pages);
	ino->pages = NULL;
	ino->npages = 0;
}

u64 tmpfs_blocks(struct inode *ino)
{
	u64 i, n = 0;

	for (i = 0; i < ino->npages; i++)
		if (ino->pages[i])
			n++;
	return n * (PAGE_SIZE / 512);
}

/* ---- open regular files ---- */

static ssize_t reg_read(struct file *f, void __user *buf, size_t n, u64 *pos)
{
	ssize_t r = tmpfs_read(f->inode, *pos, (void __force *)buf, n, true);

	if (r > 0)
		*pos += r;
	return r;
}

static ssize_t reg_write(struct file *f, struct io_src src, size_t n, u64 *pos)
{
	return tmpfs_write(f->inode, pos, src, n, true, file_flags(f) & O_APPEND);
}

const struct file_ops tmpfs_reg_ops = {
	.read = reg_read,
	.write = reg_write,
	.seekable = true,
};

/*
 * inode_get_page_shared - see include/fs.h. A MAP_SHARED mapping maps the
 * file's own page, so a hole gets its page now: stores through the mapping
 * and write(2) then meet in the same frame.
 */
int inode_get_page_shared(struct inode *ino, u64 pgoff, struct page **out)
{
	struct page *pg;
	int err = 0;

	if (!inode_is_reg(ino))
		return -EFAULT;
	mutex_lock(&ino->lock);
	if (pgoff >= (ino->size + PAGE_SIZE - 1) >> PAGE_SHIFT) {
		err = -EFAULT;
		goto out;
	}
	err = pages_reserve(ino, pgoff + 1);
	if (!err)
		err = slot_resident(ino, pgoff);
	if (err)
		goto out;
	if (!ino->pages[pgoff]) {
		err = page_new(ino, pgoff);
		if (err)
			goto out;
	}
	pg = ino->pages[pgoff];
	page_get(pg);
	*out = pg;
out:
	mutex_unlock(&ino->lock);
	return err;
}

/* tmpfs_anon_create - see include/fs.h. */
int tmpfs_anon_create(u64 size, u32 mode, struct inode **out)
{
	struct inode *ino;
	uid_t uid;
	gid_t gid;
	int err;

	fs_cred(&uid, &gid, false);
	ino = inode_alloc(S_IFREG | (mode & 0777), uid, gid);
	if (!ino)
		return -ENOMEM;
	err = tmpfs_truncate(ino, size);
	if (err) {
		inode_put(ino);
		return err;
	}
	*out = ino;
	return 0;
}
