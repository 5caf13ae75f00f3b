/*
 * Filesystem contexts (struct fs_context): a task's root and current
 * directory and its umask, shared by CLONE_FS and copied by fork. The
 * spinlock guards the three fields; inode references are dropped after it is
 * released. Semantics: chdir(2), umask(2) (default 022).
 */
#include "internal.h"
#include "cpu.h"
#include "kmalloc.h"
#include "task.h"

static struct fs_context *cur_fs(void)
{
	struct task *t = current;

	return t ? t->fs : NULL;
}

/*
 * fs_context_new - see include/fs.h. Requires fs_init() to have created the
 * root. Sleeps: no.
 */
struct fs_context *fs_context_new(void)
{
	struct fs_context *fs = kzalloc(sizeof(*fs));

	KASSERT(vfs_root);
	if (!fs)
		return NULL;
	fs->refcount = 1;
	spin_init(&fs->lock, "fs_context");
	inode_get(vfs_root);
	inode_get(vfs_root);
	fs->root = vfs_root;
	fs->cwd = vfs_root;
	fs->umask = 022;
	return fs;
}

/* fs_context_dup - see include/fs.h (fork(2) copies cwd, root and umask). */
struct fs_context *fs_context_dup(struct fs_context *old)
{
	struct fs_context *fs = kzalloc(sizeof(*fs));

	if (!fs)
		return NULL;
	fs->refcount = 1;
	spin_init(&fs->lock, "fs_context");
	spin_lock(&old->lock);
	fs->root = old->root;
	fs->cwd = old->cwd;
	fs->umask = old->umask;
	inode_get(fs->root);
	inode_get(fs->cwd);
	spin_unlock(&old->lock);
	return fs;
}

/* fs_context_get - one more sharer (clone(2) CLONE_FS). Atomic. */
void fs_context_get(struct fs_context *fs)
{
	__atomic_add_fetch(&fs->refcount, 1, __ATOMIC_RELAXED);
}

/* fs_context_put - drop a sharer; the last drops root and cwd. Sleeps: no. */
void fs_context_put(struct fs_context *fs)
{
	u32 left = __atomic_sub_fetch(&fs->refcount, 1, __ATOMIC_ACQ_REL);

	if (left + 1 == 0)
		panic("fs_context_put: refcount underflow");
	if (left)
		return;
	inode_put(fs->root);
	inode_put(fs->cwd);
	kfree(fs);
}

void fs_current_root_cwd(struct inode **root, struct inode **cwd)
{
	struct fs_context *fs = cur_fs();

	if (!fs) {
		inode_get(vfs_root);
		inode_get(vfs_root);
		*root = *cwd = vfs_root;
		return;
	}
	spin_lock(&fs->lock);
	*root = fs->root;
	*cwd = fs->cwd;
	inode_get(*root);
	inode_get(*cwd);
	spin_unlock(&fs->lock);
}

mode_t fs_current_umask(void)
{
	struct fs_context *fs = cur_fs();

	return fs ? __atomic_load_n(&fs->umask, __ATOMIC_RELAXED) : 022;
}

/* Put @dir (a reference handed over) in the current task's cwd or root slot, chosen by
 * @root; the old directory's reference goes. */
static void fs_set_dir(struct inode *dir, bool root)
{
	struct fs_context *fs = cur_fs();
	struct inode *old;

	if (!fs) {
		inode_put(dir);
		return;
	}
	spin_lock(&fs->lock);
	struct inode **slot = root ? &fs->root : &fs->cwd;

	old = *slot;
	*slot = dir;
	spin_unlock(&fs->lock);
	inode_put(old);
}

void fs_set_cwd(struct inode *dir)
{
	fs_set_dir(dir, false);
}

void fs_set_root(struct inode *dir)
{
	fs_set_dir(dir, true);
}

mode_t fs_umask_swap(mode_t mask)
{
	struct fs_context *fs = cur_fs();
	mode_t old;

	if (!fs)
		return 022;
	spin_lock(&fs->lock);
	old = fs->umask;
	fs->umask = mask;
	spin_unlock(&fs->lock);
	return old;
}
