/*
 * Open file descriptions (struct file): what open(2) creates and dup(2) and
 * fork(2) share -- the operations, the access mode and status flags, and one
 * file offset. Freed, with the inode reference it holds, on the last put.
 */
#include "internal.h"
#include "kmalloc.h"
#include "fsnotify.h"

struct file *file_alloc(struct inode *inode, const struct file_ops *ops, u32 flags, void *priv)
{
	struct file *f = kzalloc(sizeof(*f));

	if (!f)
		return NULL;
	f->refcount = 1;
	f->inode = inode;
	if (inode)
		inode_get(inode);
	f->ops = ops;
	f->flags = flags;
	f->priv = priv;
	mutex_init(&f->pos_lock, "file_pos");
	list_init(&f->epoll_links);
	return f;
}

/* inode_new_anon - see include/fs.h. */
struct inode *inode_new_anon(u32 mode)
{
	uid_t uid;
	gid_t gid;

	fs_cred(&uid, &gid, false);
	return inode_alloc(mode, uid, gid);
}

/*
 * file_get - take a reference on @f (a descriptor, an mmap, a syscall in
 * progress). Locks: none (atomic). Sleeps: no.
 */
void file_get(struct file *f)
{
	__atomic_add_fetch(&f->refcount, 1, __ATOMIC_RELAXED);
}

/*
 * file_put - drop a reference on @f; the last one calls ops->release and
 * drops the inode (close(2): "the last close of an open file description
 * releases it"). Locks: none may be held that release needs; no spinlock
 * (release may sleep). Sleeps: may.
 */
void file_put(struct file *f)
{
	u32 left = __atomic_sub_fetch(&f->refcount, 1, __ATOMIC_ACQ_REL);

	if (left + 1 == 0)
		panic("file_put: refcount underflow");
	if (left)
		return;
	fsnotify_close(f);
	locks_remove_file(f);
	if (!list_empty(&f->epoll_links))
		epoll_file_release(f);
	if (f->ops && f->ops->release)
		f->ops->release(f);
	if (f->writer)
		inode_put_write_access(f->inode);
	if (f->inode)
		inode_put(f->inode);
	kfree(f);
}
