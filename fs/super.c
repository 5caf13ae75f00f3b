/*
 * Superblocks: what one file-system instance shares among its inodes -- its
 * statfs(2) identity, its mount flags, and tmpfs's size= and nr_inodes=
 * limits with the pages and inodes in use, so that one user cannot fill all
 * of memory with files (tmpfs(5): the default size is half of RAM, and as
 * many inodes). Also the write-access count of an inode, which keeps a file
 * that is being executed from being opened for writing and the other way
 * round (execve(2), open(2) ETXTBSY).
 *
 * Locks: [s] superblock->lock, a spinlock taken alone (nothing nests inside).
 */
#include "internal.h"
#include "kmalloc.h"
#include "page.h"
#include "uapi/mount.h"

u64 sb_default_pages(void)
{
	return page_total_count() / 2;
}

struct superblock *sb_new(u64 magic, u32 dev_minor, bool limited)
{
	struct superblock *sb = kzalloc(sizeof(*sb));

	if (!sb)
		return NULL;
	sb->refcount = 1;
	sb->magic = magic;
	sb->dev_minor = dev_minor;
	spin_init(&sb->lock, "superblock");
	if (limited)
		sb->max_pages = sb->max_inodes = sb_default_pages();
	return sb;
}

void sb_get(struct superblock *sb)
{
	__atomic_add_fetch(&sb->refcount, 1, __ATOMIC_RELAXED);
}

void sb_put(struct superblock *sb)
{
	u32 left;

	if (!sb)
		return;
	left = __atomic_sub_fetch(&sb->refcount, 1, __ATOMIC_ACQ_REL);
	if (left + 1 == 0)
		panic("sb_put: refcount underflow");
	if (!left)
		kfree(sb);
}

int sb_charge(struct superblock *sb, u64 pages, u64 inodes)
{
	int err = 0;

	if (!sb)
		return 0;
	spin_lock(&sb->lock);
	if (sb->max_pages && sb->used_pages + pages > sb->max_pages)
		err = -ENOSPC;
	else if (sb->max_inodes && sb->used_inodes + inodes > sb->max_inodes)
		err = -ENOSPC;
	if (!err) {
		sb->used_pages += pages;
		sb->used_inodes += inodes;
	}
	spin_unlock(&sb->lock);
	return err;
}

void sb_uncharge(struct superblock *sb, u64 pages, u64 inodes)
{
	if (!sb)
		return;
	spin_lock(&sb->lock);
	KASSERT(sb->used_pages >= pages && sb->used_inodes >= inodes);
	sb->used_pages -= pages;
	sb->used_inodes -= inodes;
	spin_unlock(&sb->lock);
}

int inode_attach_sb(struct inode *ino, struct superblock *sb)
{
	int err;

	KASSERT(!ino->sb);
	if (!sb)
		return 0;
	err = sb_charge(sb, 0, 1);
	if (err)
		return err;
	sb_get(sb);
	ino->sb = sb;
	ino->dev_minor = sb->dev_minor;
	return 0;
}

/* inode_mount_flags - see include/fs.h. */
u32 inode_mount_flags(const struct inode *ino)
{
	return ino->sb ? __atomic_load_n(&ino->sb->flags, __ATOMIC_RELAXED) : 0;
}

/*
 * Write access: writecount > 0 counts writers, < 0 counts executors; a
 * compare-and-swap moves it only away from the other side's territory.
 */
int inode_get_write_access(struct inode *ino)
{
	s32 c = __atomic_load_n(&ino->writecount, __ATOMIC_RELAXED);

	do {
		if (c < 0)
			return -ETXTBSY;
	} while (!__atomic_compare_exchange_n(&ino->writecount, &c, c + 1, false,
					      __ATOMIC_ACQ_REL, __ATOMIC_RELAXED));
	return 0;
}

void inode_put_write_access(struct inode *ino)
{
	s32 left = __atomic_sub_fetch(&ino->writecount, 1, __ATOMIC_ACQ_REL);

	KASSERT(left >= 0);
}

int inode_deny_write_access(struct inode *ino)
{
	s32 c = __atomic_load_n(&ino->writecount, __ATOMIC_RELAXED);

	do {
		if (c > 0)
			return -ETXTBSY;
	} while (!__atomic_compare_exchange_n(&ino->writecount, &c, c - 1, false,
					      __ATOMIC_ACQ_REL, __ATOMIC_RELAXED));
	return 0;
}

void inode_allow_write_access(struct inode *ino)
{
	s32 left = __atomic_add_fetch(&ino->writecount, 1, __ATOMIC_ACQ_REL);

	KASSERT(left <= 0);
}

struct inode *inode_exe_get(struct inode *ino)
{
	int err = inode_deny_write_access(ino);

	KASSERT(!err);	/* the holder's denial keeps writers out */
	inode_get(ino);
	return ino;
}

void inode_exe_put(struct inode *ino)
{
	inode_allow_write_access(ino);
	inode_put(ino);
}
