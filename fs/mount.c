/*
 * Mounts: mount(2) and umount2(2) for tmpfs, proc and devtmpfs, the mount
 * table behind /proc/mounts, and the mounts made at boot (/proc and
 * /dev/shm), so that every program, including the one `./sprout run`
 * starts, finds them.
 *
 * A mount links two inodes: the mount point's ->mounted names the root of
 * the mounted filesystem and that root's ->covered names the mount point,
 * both counted and changed under [p] (vfs_parent_lock). The path walk
 * crosses from the one to the other (fs/vfs.c).
 *
 * umount2 always detaches at once (as MNT_DETACH does): files still open in
 * the filesystem stay usable until closed, and a tmpfs's names are removed
 * so its memory comes back when the last user lets go.
 *
 * Locks: mount_lock (a mutex) guards the table; order mount_lock ->
 * vfs_rename_lock -> inode locks -> [p].
 */
#include "internal.h"
#include "kmalloc.h"
#include "task.h"
#include "uaccess.h"

#define MS_RDONLY	0x1
#define MS_NOSUID	0x2
#define MS_NODEV	0x4
#define MS_NOEXEC	0x8
#define MS_REMOUNT	0x20
#define MS_BIND		0x1000
#define MS_MOVE		0x2000
#define MS_SILENT	0x8000
#define MS_RELATIME	0x200000
#define MS_MGC_VAL	0xc0ed0000u	/* old magic in the top half: ignored */
#define MS_MGC_MSK	0xffff0000u
#define MS_ACCEPTED	(MS_NOSUID | MS_NODEV | MS_NOEXEC | MS_SILENT | MS_RELATIME)

#define MNT_FORCE	1
#define MNT_DETACH	2
#define MNT_EXPIRE	4
#define UMOUNT_NOFOLLOW	8

#define FSTYPE_MAX	16
#define SOURCE_MAX	64

struct mount {
	struct list_head link;		/* [mount_lock] */
	struct inode *root;		/* counted */
	struct inode *point;		/* counted */
	char type[FSTYPE_MAX];
	char source[SOURCE_MAX];
	u32 flags;			/* MS_* shown in /proc/mounts */
};

static struct mutex mount_lock;
static struct list_head mounts = LIST_HEAD_INIT(mounts);	/* [mount_lock] */
static u32 next_minor = TMPFS_DEV_MINOR + 1;			/* [a] */

/* A new empty tmpfs instance (root directory, counted). */
static struct inode *tmpfs_new_root(u32 perm)
{
	struct inode *root = inode_alloc(S_IFDIR | perm, 0, 0);

	if (!root)
		return NULL;
	root->nlink = 2;
	root->dev_minor = __atomic_fetch_add(&next_minor, 1, __ATOMIC_RELAXED);
	return root;
}

/* The root of a new instance of @type, or an errno. */
static int fs_instance(const char *type, struct inode **out)
{
	struct inode *root;

	if (!strcmp(type, "proc"))
		root = procfs_new_root();
	else if (!strcmp(type, "tmpfs"))
		root = tmpfs_new_root(01777);
	else if (!strcmp(type, "devtmpfs"))
		root = tmpfs_new_root(0755);
	else
		return -ENODEV;
	if (!root)
		return -ENOMEM;
	if (!strcmp(type, "devtmpfs"))
		chrdev_populate(root);
	*out = root;
	return 0;
}

/* Attach @root over directory @point. Requires mount_lock. */
static int attach(struct inode *point, struct inode *root, const char *type, const char *source,
		  u32 flags)
{
	struct mount *m = kzalloc(sizeof(*m));

	if (!m)
		return -ENOMEM;
	strlcpy(m->type, type, sizeof(m->type));
	strlcpy(m->source, source, sizeof(m->source));
	m->flags = flags;
	inode_get(point);
	inode_get(root);
	m->point = point;
	m->root = root;
	inode_get(point);
	inode_get(root);
	spin_lock(&vfs_parent_lock);
	point->mounted = root;
	root->covered = point;
	spin_unlock(&vfs_parent_lock);
	list_add_tail(&m->link, &mounts);
	return 0;
}

/*
 * Remove every name of the tmpfs tree under @root, bottom up, so that the
 * entries' references on their inodes (and the inodes' on their parents) go.
 * Open files keep their own inodes. Iterative: trees may be deep.
 */
static void tmpfs_clear_tree(struct inode *root)
{
	struct inode *cur = root, *child, *parent;
	struct tmpfs_dirent *de;

	inode_get(cur);
	mutex_lock(&vfs_rename_lock);
	for (;;) {
		child = NULL;
		mutex_lock(&cur->lock);
		de = list_empty(&cur->entries) ? NULL :
			list_first_entry(&cur->entries, struct tmpfs_dirent, link);
		if (de && inode_is_dir(de->inode) && !de->inode->iops) {
			mutex_lock(&de->inode->lock);
			if (!tmpfs_dir_empty(de->inode)) {
				/* Go down first: a directory is removed once empty. */
				child = de->inode;
				inode_get(child);
			}
			mutex_unlock(&de->inode->lock);
		}
		if (child) {
			mutex_unlock(&cur->lock);
			inode_put(cur);
			cur = child;
			continue;
		}
		if (de) {
			if (tmpfs_dir_remove(cur, de, &child) == 0) {
				mutex_unlock(&cur->lock);
				inode_put(child);
			} else {
				mutex_unlock(&cur->lock);
			}
			continue;
		}
		mutex_unlock(&cur->lock);
		if (cur == root)
			break;
		parent = vfs_parent_get(cur);
		inode_put(cur);
		if (!parent)
			break;
		cur = parent;
	}
	mutex_unlock(&vfs_rename_lock);
	inode_put(cur);
}

/* Detach mount @m (requires mount_lock) and free it. */
static void detach(struct mount *m)
{
	spin_lock(&vfs_parent_lock);
	m->point->mounted = NULL;
	m->root->covered = NULL;
	spin_unlock(&vfs_parent_lock);
	list_del(&m->link);
	/* The two link references, then the table's. */
	inode_put(m->point);
	inode_put(m->root);
	if (!m->root->iops)
		tmpfs_clear_tree(m->root);
	inode_put(m->point);
	inode_put(m->root);
	kfree(m);
}

static int copy_string(const char __user *u, char *buf, size_t size)
{
	long n;

	if (!u) {
		buf[0] = '\0';
		return 0;
	}
	n = strncpy_from_user(buf, u, size);
	if (n < 0)
		return (int)n;
	if ((size_t)n >= size)
		return -ENODEV;	/* no type or source name is that long */
	return 0;
}

static bool caller_is_root(void)
{
	uid_t uid;
	gid_t gid;

	fs_cred(&uid, &gid, false);
	return uid == 0;
}

/*
 * sys_mount - mount(2) of a new proc, tmpfs or devtmpfs instance on
 * directory @target. @source is only recorded; @data is ignored (no mount
 * options are supported). Returns 0 or -EPERM (not root), -ENODEV (unknown
 * type), -EINVAL (MS_BIND, MS_MOVE, MS_REMOUNT, other flags), -ENOENT,
 * -ENOTDIR, -EFAULT, -ENOMEM. Locks: mount_lock, then [p]. May sleep.
 */
long sys_mount(const char __user *source, const char __user *target,
	       const char __user *fstype, unsigned long flags, const void __user *data)
{
	char type[FSTYPE_MAX], src[SOURCE_MAX];
	struct inode *point, *root;
	struct upath up;
	long err;

	if (!caller_is_root())
		return -EPERM;
	if ((flags & MS_MGC_MSK) == MS_MGC_VAL)
		flags &= ~(unsigned long)MS_MGC_MSK;
	if (flags & ~(unsigned long)MS_ACCEPTED)
		return -EINVAL;
	err = copy_string(fstype, type, sizeof(type));
	if (!err)
		err = copy_string(source, src, sizeof(src));
	if (err)
		return err;
	err = upath_get(&up, AT_FDCWD, target, false);
	if (err)
		return err;
	err = vfs_resolve(up.root, up.start, up.path, VFS_FOLLOW, &point);
	upath_put(&up);
	if (err)
		return err;
	if (!inode_is_dir(point)) {
		inode_put(point);
		return -ENOTDIR;
	}
	err = fs_instance(type, &root);
	if (!err) {
		mutex_lock(&mount_lock);
		err = attach(point, root, type, src[0] ? src : type, (u32)flags);
		mutex_unlock(&mount_lock);
		inode_put(root);
	}
	inode_put(point);
	return err;
}

/* A mount has another one below the root of @m's filesystem: busy. */
static bool has_submounts(struct mount *m)
{
	struct mount *o;

	list_for_each_entry(o, &mounts, link)
		if (o != m && o->point->dev_minor == m->root->dev_minor)
			return true;
	return false;
}

/*
 * sys_umount2 - umount2(2): detach the filesystem whose root @target names.
 * @flags: MNT_FORCE, MNT_DETACH (always the behaviour here), MNT_EXPIRE
 * (-EAGAIN, as on a first call), UMOUNT_NOFOLLOW. Returns 0 or -EPERM,
 * -EINVAL (not a mount point, bad flags), -EBUSY (something is mounted
 * inside it), -ENOENT, -EFAULT. May sleep.
 */
long sys_umount2(const char __user *target, int flags)
{
	struct inode *ino;
	struct mount *m, *found = NULL;
	struct upath up;
	long err;

	if (flags & ~(MNT_FORCE | MNT_DETACH | MNT_EXPIRE | UMOUNT_NOFOLLOW))
		return -EINVAL;
	if ((flags & MNT_EXPIRE) && (flags & (MNT_FORCE | MNT_DETACH)))
		return -EINVAL;
	if (!caller_is_root())
		return -EPERM;
	err = upath_get(&up, AT_FDCWD, target, false);
	if (err)
		return err;
	err = vfs_resolve(up.root, up.start, up.path, (flags & UMOUNT_NOFOLLOW) ? 0 : VFS_FOLLOW,
			  &ino);
	upath_put(&up);
	if (err)
		return err;
	mutex_lock(&mount_lock);
	list_for_each_entry(m, &mounts, link) {
		if (m->root == ino)
			found = m;
	}
	if (!found)
		err = -EINVAL;
	else if (__atomic_load_n(&ino->mounted, __ATOMIC_RELAXED) || has_submounts(found))
		err = -EBUSY;
	else if (flags & MNT_EXPIRE)
		err = -EAGAIN;
	else
		detach(found);
	mutex_unlock(&mount_lock);
	inode_put(ino);
	return err;
}

/*
 * inode_on_noexec_mount - see include/fs.h. Every mounted instance has a
 * device number of its own (no bind mounts), so the instance names the
 * mount.
 */
bool inode_on_noexec_mount(const struct inode *ino)
{
	struct mount *m;
	bool noexec = false;

	mutex_lock(&mount_lock);
	list_for_each_entry(m, &mounts, link) {
		if (m->root->dev_minor == ino->dev_minor && (m->flags & MS_NOEXEC)) {
			noexec = true;
			break;
		}
	}
	mutex_unlock(&mount_lock);
	return noexec;
}

size_t fs_mounts_show(char *buf, size_t size)
{
	char *path = kmalloc(PATH_MAX);
	struct mount *m;
	size_t len = 0;
	int n;

	if (!path || size < 2) {
		kfree(path);
		return 0;
	}
	n = snprintf(buf, size, "rootfs / tmpfs rw 0 0\n");
	len = MIN((size_t)n, size - 1);
	mutex_lock(&mount_lock);
	list_for_each_entry(m, &mounts, link) {
		if (vfs_inode_path(vfs_root, m->point, path, PATH_MAX) < 0)
			continue;
		n = snprintf(buf + len, size - len, "%s %s %s rw%s%s%s%s 0 0\n", m->source, path,
			     m->type, (m->flags & MS_NOSUID) ? ",nosuid" : "",
			     (m->flags & MS_NODEV) ? ",nodev" : "",
			     (m->flags & MS_NOEXEC) ? ",noexec" : "",
			     (m->flags & MS_RELATIME) ? ",relatime" : "");
		len = MIN(len + (size_t)MAX(n, 0), size - 1);
	}
	mutex_unlock(&mount_lock);
	kfree(path);
	return len;
}

/* Mount @type at absolute @path, creating the directory when missing. */
static void boot_mount(const char *type, const char *path, u32 flags)
{
	struct inode *point = NULL, *root;
	struct vfs_last last;
	int err;

	err = vfs_resolve_last(vfs_root, vfs_root, path, &last);
	if (!err) {
		err = vfs_mknod(&last, S_IFDIR | 0755, NULL, 0, 0, NULL);
		inode_put(last.dir);
	}
	err = vfs_resolve(vfs_root, vfs_root, path, VFS_FOLLOW, &point);
	if (!err && !inode_is_dir(point))
		err = -ENOTDIR;
	if (!err)
		err = fs_instance(type, &root);
	if (!err) {
		mutex_lock(&mount_lock);
		err = attach(point, root, type, type, flags);
		mutex_unlock(&mount_lock);
		inode_put(root);
	}
	if (point)
		inode_put(point);
	if (err)
		printk("fs: cannot mount %s on %s: %d\n", type, path, err);
}

void fs_mount_boot(void)
{
	mutex_init(&mount_lock, "mount");
	boot_mount("proc", "/proc", MS_NOSUID | MS_NODEV | MS_NOEXEC | MS_RELATIME);
	boot_mount("tmpfs", "/dev/shm", MS_NOSUID | MS_NODEV);
}
