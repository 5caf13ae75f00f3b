/*
 * tmpfs directories: a list of named entries per directory inode, each
 * holding a reference on the inode it names, plus the getdents64(2) reader.
 * "." and ".." are not stored; the walk and getdents synthesise them.
 *
 * getdents positions are cookies: 0 is ".", 1 is "..", and every stored
 * entry has a cookie >= 2 that grows along the list, so a reader resumes
 * correctly even when entries before its position are removed.
 */
#include "internal.h"
#include "kmalloc.h"
#include "uaccess.h"

#define GETDENTS_BUF_MAX	(64 * 1024)	/* bytes of records built per call */

struct tmpfs_dirent *tmpfs_dir_find(struct inode *dir, const char *name, size_t len)
{
	struct tmpfs_dirent *de;

	list_for_each_entry(de, &dir->entries, link)
		if (de->namelen == len && !memcmp(de->name, name, len))
			return de;
	return NULL;
}

bool tmpfs_dir_empty(struct inode *dir)
{
	return list_empty(&dir->entries);
}

static struct tmpfs_dirent *dirent_new(const char *name, size_t len)
{
	struct tmpfs_dirent *de = kmalloc(sizeof(*de) + len + 1);

	if (!de)
		return NULL;
	memcpy(de->name, name, len);
	de->name[len] = '\0';
	de->namelen = (u16)len;
	list_init(&de->link);
	return de;
}

/* Make @dir the parent of @child; returns the old parent for the caller to put. */
static struct inode *set_parent(struct inode *child, struct inode *dir)
{
	struct inode *old;

	inode_get(dir);
	spin_lock(&vfs_parent_lock);
	old = child->parent;
	child->parent = dir;
	spin_unlock(&vfs_parent_lock);
	return old;
}

int tmpfs_dir_add(struct inode *dir, const char *name, size_t len, struct inode *child)
{
	struct tmpfs_dirent *de;
	struct inode *old_parent;

	KASSERT(mutex_held(&dir->lock));
	if (dir->nlink == 0)
		return -ENOENT;
	de = dirent_new(name, len);
	if (!de)
		return -ENOMEM;
	inode_get(child);
	de->inode = child;
	de->off = dir->next_off++;
	list_add_tail(&de->link, &dir->entries);
	dir->size += TMPFS_DIRENT_SIZE;

	mutex_lock(&child->lock);
	child->nlink++;
	child->ctime = fs_now();
	mutex_unlock(&child->lock);
	if (inode_is_dir(child))
		dir->nlink++;	/* the child's ".." */
	dir->mtime = dir->ctime = fs_now();
	old_parent = set_parent(child, dir);
	if (old_parent)
		inode_put(old_parent);
	return 0;
}

int tmpfs_dir_remove(struct inode *dir, struct tmpfs_dirent *de, struct inode **childp)
{
	struct inode *child = de->inode;

	KASSERT(mutex_held(&dir->lock));
	mutex_lock(&child->lock);
	if (inode_is_dir(child)) {
		/* Checked under the child's lock, which creators in it take too. */
		if (!tmpfs_dir_empty(child)) {
			mutex_unlock(&child->lock);
			return -ENOTEMPTY;
		}
		/* An empty directory loses its name and its "." at once. */
		child->nlink = 0;
		dir->nlink--;
	} else {
		child->nlink--;
	}
	child->ctime = fs_now();
	mutex_unlock(&child->lock);
	list_del(&de->link);
	kfree(de);
	dir->size -= TMPFS_DIRENT_SIZE;
	dir->mtime = dir->ctime = fs_now();
	/* child->parent stays: an open unlinked file still pins its old directory. */
	*childp = child;
	return 0;
}

/*
 * tmpfs_dir_move - see fs/internal.h; rename(2). The moved inode keeps its
 * link count; directory link counts follow its ".." entry. Requires both
 * directories' locks (one if the same); takes the victim's lock. Sleeps: may.
 */
int tmpfs_dir_move(struct inode *from, struct tmpfs_dirent *de, struct inode *to,
		   struct tmpfs_dirent *victim, const char *name, size_t len,
		   struct inode **victim_ino)
{
	struct tmpfs_dirent *nde = dirent_new(name, len);
	struct inode *child = de->inode, *old_parent;
	int err;

	*victim_ino = NULL;
	if (!nde)
		return -ENOMEM;
	if (victim) {
		err = tmpfs_dir_remove(to, victim, victim_ino);
		if (err) {
			kfree(nde);
			return err;
		}
	}
	/* Point of no return: nothing below can fail. */
	nde->inode = child;	/* the entry's reference moves with it */
	nde->off = to->next_off++;
	list_del(&de->link);
	kfree(de);
	list_add_tail(&nde->link, &to->entries);
	from->size -= TMPFS_DIRENT_SIZE;
	to->size += TMPFS_DIRENT_SIZE;
	if (inode_is_dir(child) && from != to) {
		from->nlink--;
		to->nlink++;
	}
	from->mtime = from->ctime = to->mtime = to->ctime = fs_now();
	old_parent = set_parent(child, to);
	if (old_parent)
		inode_put(old_parent);
	return 0;
}

/*
 * tmpfs_dir_exchange - see fs/internal.h. Each entry keeps its name and its
 * getdents cookie; only the inodes trade places, each with its reference.
 * A directory moving between parents carries one parent link with it.
 * Requires both directories' locks; takes [p]. Sleeps: no.
 */
void tmpfs_dir_exchange(struct inode *from, struct tmpfs_dirent *a, struct inode *to,
			struct tmpfs_dirent *b)
{
	struct inode *ia = a->inode, *ib = b->inode, *old_a, *old_b;
	struct fs_time now = fs_now();

	a->inode = ib;
	b->inode = ia;
	if (from != to) {
		if (inode_is_dir(ia)) {
			from->nlink--;
			to->nlink++;
		}
		if (inode_is_dir(ib)) {
			to->nlink--;
			from->nlink++;
		}
	}
	from->mtime = from->ctime = to->mtime = to->ctime = now;
	old_a = set_parent(ia, to);
	old_b = set_parent(ib, from);
	if (old_a)
		inode_put(old_a);
	if (old_b)
		inode_put(old_b);
}

int tmpfs_name_of(struct inode *dir, struct inode *child, char *buf, size_t size)
{
	struct tmpfs_dirent *de;
	int ret = -ENOENT;

	if (dir->iops)
		return procfs_name_of(child, buf, size);
	mutex_lock(&dir->lock);
	list_for_each_entry(de, &dir->entries, link) {
		if (de->inode == child) {
			if (de->namelen + 1u > size) {
				ret = -ENAMETOOLONG;
				break;
			}
			memcpy(buf, de->name, de->namelen + 1u);
			ret = de->namelen;
			break;
		}
	}
	mutex_unlock(&dir->lock);
	return ret;
}

/* dirent_emit - see fs/internal.h. Sleeps: no. */
bool dirent_emit(char *kbuf, size_t cap, size_t *used, const char *name, size_t len, u64 ino,
		 u8 type, u64 next)
{
	size_t reclen = ALIGN_UP(offsetof(struct linux_dirent64, d_name) + len + 1, (size_t)8);
	struct linux_dirent64 *d = (struct linux_dirent64 *)(kbuf + *used);

	if (*used + reclen > cap)
		return false;
	memset(d, 0, reclen);
	d->d_ino = ino;
	d->d_off = (s64)next;
	d->d_reclen = (u16)reclen;
	d->d_type = type;
	memcpy(d->d_name, name, len);
	*used += reclen;
	return true;
}

long tmpfs_getdents(struct inode *dir, u64 *pos, void __user *buf, size_t count)
{
	size_t cap = MIN(count, (size_t)GETDENTS_BUF_MAX), used = 0;
	struct tmpfs_dirent *de;
	struct inode *parent;
	bool full = false;
	u64 p = *pos;
	char *kbuf;
	long ret;

	kbuf = kvmalloc(cap ? cap : 1);
	if (!kbuf)
		return -ENOMEM;
	parent = vfs_parent_get(dir);
	mutex_lock(&dir->lock);
	if (dir->nlink == 0) {
		ret = -ENOENT;
		goto unlock;
	}
	if (p == 0) {
		full = !dirent_emit(kbuf, cap, &used, ".", 1, dir->ino, DT_DIR, 1);
		if (!full)
			p = 1;
	}
	if (p == 1 && !full) {
		full = !dirent_emit(kbuf, cap, &used, "..", 2, parent ? parent->ino : dir->ino, DT_DIR, 2);
		if (!full)
			p = 2;
	}
	list_for_each_entry(de, &dir->entries, link) {
		if (full)
			break;
		if (de->off < p)
			continue;
		full = !dirent_emit(kbuf, cap, &used, de->name, de->namelen, de->inode->ino,
			     inode_dtype(de->inode), de->off + 1);
		if (!full)
			p = de->off + 1;
	}
	dir->atime = fs_now();
	ret = (full && used == 0) ? -EINVAL : (long)used;
unlock:
	mutex_unlock(&dir->lock);
	if (parent)
		inode_put(parent);
	if (ret > 0) {
		if (copy_to_user(buf, kbuf, used))
			ret = -EFAULT;
		else
			*pos = p;
	}
	kfree(kbuf);
	return ret;
}

static ssize_t dir_read(struct file *f, void __user *buf, size_t n, u64 *pos)
{
	return -EISDIR;
}

static ssize_t dir_write(struct file *f, struct io_src src, size_t n, u64 *pos)
{
	return -EISDIR;
}

const struct file_ops tmpfs_dir_ops = {
	.read = dir_read,
	.write = dir_write,
	.seekable = true,
};
