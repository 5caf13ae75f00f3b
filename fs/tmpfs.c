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
	slots = kzalloc(cap * sizeof(*slots));
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

static int page_new(struct inode *ino, u64 pgoff)
{
	int err = sb_charge(ino->sb, 1, 0);

	if (err)
		return err;
	ino->pages[pgoff] = page_alloc(0, true);
	if (!ino->pages[pgoff]) {
		sb_uncharge(ino->sb, 1, 0);
		return -ENOMEM;
	}
	__atomic_add_fetch(&tmpfs_pages, 1, __ATOMIC_RELAXED);
	return 0;
}

ssize_t tmpfs_read(struct inode *ino, u64 off, void *buf, size_t n, bool user)
{
	size_t done = 0;

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

		if (!ino->pages[pgoff]) {
			err = page_new(ino, pgoff);
			if (err)
				break;
		}
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
		if (w < 0) {
			err = w;
			break;
		}
		done += w;
		off += w;
		if ((size_t)w < chunk)
			break;	/* out of memory or space: the next write says which */
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
		/* Pages wholly past the new end go; the tail of the last one is zeroed. */
		keep = (size + PAGE_SIZE - 1) >> PAGE_SHIFT;
		for (i = keep; i < ino->npages; i++) {
			if (ino->pages[i]) {
				page_put(ino->pages[i]);
				ino->pages[i] = NULL;
				freed++;
			}
		}
		sb_uncharge(ino->sb, freed, 0);
		__atomic_sub_fetch(&tmpfs_pages, freed, __ATOMIC_RELAXED);
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
	u64 i, freed = 0;

	for (i = 0; i < ino->npages; i++) {
		if (ino->pages[i]) {
			page_put(ino->pages[i]);
			freed++;
		}
	}
	sb_uncharge(ino->sb, freed, 0);
	__atomic_sub_fetch(&tmpfs_pages, freed, __ATOMIC_RELAXED);
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
