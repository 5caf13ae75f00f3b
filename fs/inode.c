/*
 * Inodes: allocation, reference counting and freeing, timestamps, status
 * (stat) and permission checks. The data an inode holds (pages, directory
 * entries, symlink target) is managed by tmpfs.c and tmpfs_dir.c; this file
 * only frees it when the last reference goes.
 */
#include "internal.h"
#include "fsnotify.h"
#include "arch.h"
#include "cpu.h"
#include "kmalloc.h"
#include "page.h"
#include "swap.h"
#include "task.h"

static u64 next_ino = 1;	/* [a] inode numbers, never reused */
static s64 boot_wall_ns;	/* wall clock at arch_clock_ns() == 0; 0 until first use */

struct fs_time fs_now(void)
{
	s64 base = __atomic_load_n(&boot_wall_ns, __ATOMIC_RELAXED);
	s64 now;

	/* Derive the time from the monotonic clock so timestamps never go back. */
	if (!base) {
		base = (s64)arch_rtc_seconds() * 1000000000 - (s64)arch_clock_ns();
		__atomic_store_n(&boot_wall_ns, base, __ATOMIC_RELAXED);
	}
	now = base + (s64)arch_clock_ns();
	return (struct fs_time){ .sec = now / 1000000000, .nsec = now % 1000000000 };
}

struct inode *inode_alloc(u32 mode, uid_t uid, gid_t gid)
{
	struct inode *ino = kzalloc(sizeof(*ino));

	if (!ino)
		return NULL;
	ino->refcount = 1;
	ino->ino = __atomic_fetch_add(&next_ino, 1, __ATOMIC_RELAXED);
	ino->mode = mode;
	ino->uid = uid;
	ino->gid = gid;
	ino->atime = ino->mtime = ino->ctime = fs_now();
	mutex_init_nestable(&ino->lock, "inode");
	list_init(&ino->entries);
	list_init(&ino->mappings);
	list_init(&ino->swap_link);
	list_init(&ino->file_locks);
	ino->next_off = 2;	/* 0 and 1 are "." and ".." */
	ino->dev_minor = TMPFS_DEV_MINOR;
	return ino;
}

/*
 * inode_get - take a reference on @ino. Locks: none (atomic). Sleeps: no.
 */
void inode_get(struct inode *ino)
{
	__atomic_add_fetch(&ino->refcount, 1, __ATOMIC_RELAXED);
}

static void inode_free(struct inode *ino)
{
	KASSERT(list_empty(&ino->entries));
	KASSERT(list_empty(&ino->file_locks));
	tmpfs_free_data(ino);
	sb_uncharge(ino->sb, 0, 1);
	sb_put(ino->sb);
	kfree(ino->target);
	kfree(ino);
}

/*
 * inode_put - drop a reference on @ino; the last one frees the inode and its
 * data, then drops the reference it held on its parent directory (iteratively:
 * a chain of removed directories can be long). Locks: none held on entry; the
 * inode is unreachable once its count is zero. Sleeps: no.
 */
void inode_put(struct inode *ino)
{
	while (ino) {
		struct inode *parent;
		u32 left = __atomic_sub_fetch(&ino->refcount, 1, __ATOMIC_ACQ_REL);

		if (left + 1 == 0)
			panic("inode_put: refcount underflow on inode %lu",
			      (unsigned long)ino->ino);
		if (left) {
			/* Last put: nothing may follow that uses @ino. */
			fsnotify_inode_put(ino, left);
			return;
		}
		/* Nobody else can see ino now, so its parent pointer is stable. */
		parent = ino->parent;
		inode_free(ino);
		ino = parent;
	}
}

/*
 * inode_size - the size of @ino in bytes (a snapshot, read without the lock).
 * Sleeps: no.
 */
u64 inode_size(struct inode *ino)
{
	return __atomic_load_n(&ino->size, __ATOMIC_RELAXED);
}

/*
 * inode_read - see include/fs.h. Reads regular files only (-EISDIR for a
 * directory, -EINVAL otherwise). Takes ino's lock per page. May sleep.
 */
ssize_t inode_read(struct inode *ino, u64 off, void *buf, size_t n)
{
	if (inode_is_dir(ino))
		return -EISDIR;
	if (!inode_is_reg(ino))
		return -EINVAL;
	return tmpfs_read(ino, off, buf, n, false);
}

/*
 * inode_get_page - see include/fs.h. Locks: takes ino's lock. May sleep.
 */
struct page *inode_get_page(struct inode *ino, u64 pgoff)
{
	struct page *pg = NULL;

	if (!inode_is_reg(ino))
		return NULL;
	mutex_lock(&ino->lock);
	if (pgoff < ino->npages && pgoff * PAGE_SIZE < ino->size) {
		pg = ino->pages[pgoff];
		/* A page in swap is not resident (mincore(2)). */
		if (shmem_slot_is_swap(pg))
			pg = NULL;
		if (pg)
			page_get(pg);
	}
	mutex_unlock(&ino->lock);
	return pg;
}

/*
 * inode_find_page - see include/fs.h. Locks: takes ino's lock. May sleep.
 */
int inode_find_page(struct inode *ino, u64 pgoff, struct page **out)
{
	int err = 0;

	*out = NULL;
	if (!inode_is_reg(ino))
		return 0;
	mutex_lock(&ino->lock);
	if (pgoff < ino->npages && pgoff * PAGE_SIZE < ino->size) {
		if (shmem_slot_is_swap(ino->pages[pgoff]))
			err = shmem_swap_in(ino, pgoff);
		if (!err && ino->pages[pgoff]) {
			*out = ino->pages[pgoff];
			page_get(*out);
		}
	}
	mutex_unlock(&ino->lock);
	return err;
}

u8 inode_dtype(const struct inode *ino)
{
	switch (inode_type(ino)) {
	case S_IFREG: return DT_REG;
	case S_IFDIR: return DT_DIR;
	case S_IFLNK: return DT_LNK;
	case S_IFCHR: return DT_CHR;
	case S_IFBLK: return DT_BLK;
	case S_IFIFO: return DT_FIFO;
	case S_IFSOCK: return DT_SOCK;
	default: return DT_UNKNOWN;
	}
}

static struct linux_timespec ts_of(struct fs_time t)
{
	return (struct linux_timespec){ .tv_sec = t.sec, .tv_nsec = t.nsec };
}

void inode_fill_stat(struct inode *ino, struct linux_stat *st)
{
	memset(st, 0, sizeof(*st));
	mutex_lock(&ino->lock);
	st->st_dev = linux_makedev(TMPFS_DEV_MAJOR, ino->dev_minor);
	st->st_ino = ino->ino;
	st->st_nlink = ino->nlink;
	st->st_mode = ino->mode;
	st->st_uid = ino->uid;
	st->st_gid = ino->gid;
	if (S_ISCHR(ino->mode) || S_ISBLK(ino->mode))
		st->st_rdev = linux_makedev(ino->rdev_major, ino->rdev_minor);
	st->st_size = (s64)ino->size;
	st->st_blksize = PAGE_SIZE;
	st->st_blocks = (s64)tmpfs_blocks(ino);
	st->st_atim = ts_of(ino->atime);
	st->st_mtim = ts_of(ino->mtime);
	st->st_ctim = ts_of(ino->ctime);
	mutex_unlock(&ino->lock);
}

void fs_cred(uid_t *uid, gid_t *gid, bool real)
{
	struct task *t = current;
	struct process *p = t ? t->proc : NULL;

	if (!p) {
		*uid = 0;
		*gid = 0;
		return;
	}
	/* File access uses the filesystem ids (setfsuid(2)), which follow
	 * the effective ids unless set on their own. */
	*uid = real ? p->uid : p->fsuid;
	*gid = real ? p->gid : p->fsgid;
}

int inode_permission(struct inode *ino, int mask, bool real)
{
	u32 mode = __atomic_load_n(&ino->mode, __ATOMIC_RELAXED);
	uid_t uid;
	gid_t gid;
	u32 bits;

	fs_cred(&uid, &gid, real);
	if (uid == 0) {
		/* root may do anything but execute a file nobody may execute. */
		if ((mask & X_OK) && !S_ISDIR(mode) && !(mode & (S_IXUSR | S_IXGRP | S_IXOTH)))
			return -EACCES;
		return 0;
	}
	if (uid == ino->uid)
		bits = (mode >> 6) & 7;
	else if (gid == ino->gid)
		bits = (mode >> 3) & 7;
	else
		bits = mode & 7;
	return (bits & (u32)mask) == (u32)mask ? 0 : -EACCES;
}
