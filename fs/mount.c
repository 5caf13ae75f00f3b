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

#define MS_MNT_FLAGS	(MS_NOSUID | MS_NODEV | MS_NOEXEC | MS_RELATIME)
#define MS_ACCEPTED	(MS_MNT_FLAGS | MS_SILENT | MS_REMOUNT)

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
};

static struct mutex mount_lock;
static struct list_head mounts = LIST_HEAD_INIT(mounts);	/* [mount_lock] */
static u32 next_minor = TMPFS_DEV_MINOR + 1;			/* [a] */

static bool is_tmpfs(const char *type)
{
	return !strcmp(type, "tmpfs") || !strcmp(type, "devtmpfs");
}

/* The root directory's default mode of a new instance of @type. */
static u32 default_mode(const char *type)
{
	return strcmp(type, "devtmpfs") ? 01777 : 0755;
}

/* The root (counted) of a new instance of @type with mount flags @flags and
 * tmpfs options @opts (NULL: the defaults), or an errno. */
static int fs_instance(const char *type, u32 flags, const struct tmpfs_opts *opts,
		       struct inode **out)
{
	struct superblock *sb;
	struct inode *root;
	int err;

	if (!strcmp(type, "proc")) {
		root = procfs_new_root();
		sb = sb_new(PROC_SUPER_MAGIC_NR, PROC_DEV_MINOR, false);
	} else if (is_tmpfs(type)) {
		root = inode_alloc(S_IFDIR | default_mode(type), 0, 0);
		if (root) {
			root->nlink = 2;
			root->size = 2 * TMPFS_DIRENT_SIZE;
		}
		sb = sb_new(TMPFS_MAGIC_NR, __atomic_fetch_add(&next_minor, 1, __ATOMIC_RELAXED),
			    true);
	} else {
		return -ENODEV;
	}
	err = root && sb ? inode_attach_sb(root, sb) : -ENOMEM;
	if (!err) {
		sb->flags = flags & MS_MNT_FLAGS;
		if (opts)
			err = tmpfs_opts_apply(root, opts, false);
	}
	sb_put(sb);
	if (err) {
		if (root)
			inode_put(root);
		return err;
	}
	if (!strcmp(type, "devtmpfs"))
		chrdev_populate(root);
	*out = root;
	return 0;
}

/* Attach @root over directory @point. Requires mount_lock. */
static int attach(struct inode *point, struct inode *root, const char *type, const char *source)
{
	struct mount *m = kzalloc(sizeof(*m));

	if (!m)
		return -ENOMEM;
	strlcpy(m->type, type, sizeof(m->type));
	strlcpy(m->source, source, sizeof(m->source));
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

/* The mount whose root is @ino, or NULL. Requires mount_lock. */
static struct mount *mount_of_root(struct inode *ino)
{
	struct mount *m;

	list_for_each_entry(m, &mounts, link)
		if (m->root == ino)
			return m;
	return NULL;
}

/* Copy mount(2)'s @data (a string of at most a page; NULL: none) into a new
 * kernel buffer in *@out. 0, -EFAULT, -EINVAL (no end in a page), -ENOMEM. */
static int copy_options(const void __user *data, char **out)
{
	char *buf = kmalloc(PAGE_SIZE);
	long n;

	if (!buf)
		return -ENOMEM;
	buf[0] = '\0';
	if (data) {
		n = strncpy_from_user(buf, data, PAGE_SIZE);
		if (n < 0 || n >= (long)PAGE_SIZE) {
			kfree(buf);
			return n < 0 ? (int)n : -EINVAL;
		}
	}
	*out = buf;
	return 0;
}

/* MS_REMOUNT of the mount whose root is @root: new mount flags, and the
 * size= and nr_inodes= of a tmpfs. Requires mount_lock. */
static int remount(struct inode *root, u32 flags, char *options)
{
	struct mount *m = mount_of_root(root);
	struct tmpfs_opts opts;
	int err;

	if (!m)
		return -EINVAL;	/* mount(2): not a mount point */
	if (is_tmpfs(m->type)) {
		err = tmpfs_opts_parse(options, &opts);
		if (!err)
			err = tmpfs_opts_apply(root, &opts, true);
		if (err)
			return err;
	}
	__atomic_store_n(&root->sb->flags, flags & MS_MNT_FLAGS, __ATOMIC_RELAXED);
	return 0;
}

/*
 * sys_mount - mount(2) of a new proc, tmpfs or devtmpfs instance on
 * directory @target, or with MS_REMOUNT new flags and options for the mount
 * at @target. Mount flags: MS_NOSUID, MS_NODEV, MS_NOEXEC (enforced by exec,
 * open and mmap), MS_RELATIME, MS_SILENT. @source is only recorded. @data:
 * tmpfs(5) options (size=, nr_blocks=, nr_inodes=, mode=, uid=, gid=);
 * ignored for proc. Returns 0 or -EPERM (not root), -ENODEV (unknown type),
 * -EINVAL (MS_BIND, MS_MOVE, MS_RDONLY, other flags, a bad option, a
 * remount of no mount point or below the usage), -ENOENT, -ENOTDIR, -EFAULT,
 * -ENOMEM. Locks: mount_lock, then [s], [p]. May sleep.
 */
long sys_mount(const char __user *source, const char __user *target,
	       const char __user *fstype, unsigned long flags, const void __user *data)
{
	char type[FSTYPE_MAX], src[SOURCE_MAX];
	struct tmpfs_opts opts;
	struct inode *point, *root;
	char *options = NULL;
	struct upath up;
	long err;

	if (!caller_is_root())
		return -EPERM;
	if ((flags & MS_MGC_MSK_HI) == MS_MGC_VAL_HI)
		flags &= ~(unsigned long)MS_MGC_MSK_HI;
	if (flags & ~(unsigned long)MS_ACCEPTED)
		return -EINVAL;
	err = 0;
	if (!(flags & MS_REMOUNT)) {
		err = copy_string(fstype, type, sizeof(type));
		if (!err)
			err = copy_string(source, src, sizeof(src));
	}
	if (!err)
		err = copy_options(data, &options);
	if (err)
		return err;
	err = upath_get(&up, AT_FDCWD, target, false);
	if (err)
		goto out_options;
	err = vfs_resolve(up.root, up.start, up.path, VFS_FOLLOW, &point);
	upath_put(&up);
	if (err)
		goto out_options;
	if (flags & MS_REMOUNT) {
		mutex_lock(&mount_lock);
		err = remount(point, (u32)flags, options);
		mutex_unlock(&mount_lock);
	} else if (!inode_is_dir(point)) {
		err = -ENOTDIR;
	} else {
		err = is_tmpfs(type) ? tmpfs_opts_parse(options, &opts) : 0;
		if (!err)
			err = fs_instance(type, (u32)flags, is_tmpfs(type) ? &opts : NULL, &root);
		if (!err) {
			mutex_lock(&mount_lock);
			err = attach(point, root, type, src[0] ? src : type);
			mutex_unlock(&mount_lock);
			inode_put(root);
		}
	}
	inode_put(point);
out_options:
	kfree(options);
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
	struct mount *found;
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
	found = mount_of_root(ino);
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

/* inode_on_noexec_mount - see include/fs.h: the mount's flags, read without a lock. */
bool inode_on_noexec_mount(const struct inode *ino)
{
	return inode_mount_flags(ino) & MS_NOEXEC;
}

size_t fs_mounts_show(char *buf, size_t size)
{
	char *path = kmalloc(PATH_MAX);
	char opts[96];
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
		u32 fl = inode_mount_flags(m->root);

		if (vfs_inode_path(vfs_root, m->point, path, PATH_MAX) < 0)
			continue;
		opts[0] = '\0';
		if (is_tmpfs(m->type))
			tmpfs_opts_show(m->root, default_mode(m->type), opts, sizeof(opts));
		n = snprintf(buf + len, size - len, "%s %s %s rw%s%s%s%s%s 0 0\n", m->source, path,
			     m->type, (fl & MS_NOSUID) ? ",nosuid" : "",
			     (fl & MS_NODEV) ? ",nodev" : "", (fl & MS_NOEXEC) ? ",noexec" : "",
			     (fl & MS_RELATIME) ? ",relatime" : "", opts);
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
		err = fs_instance(type, flags, NULL, &root);
	if (!err) {
		mutex_lock(&mount_lock);
		err = attach(point, root, type, type);
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
