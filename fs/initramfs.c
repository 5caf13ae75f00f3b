/*
 * Start-up of the file-system layer: create the root tmpfs, unpack the
 * initramfs (cpio "newc" archives, possibly several concatenated) into it
 * and add the /dev nodes the archive did not bring.
 *
 * Unpacking rules (as Linux's init/initramfs.c applies them): names lose a
 * leading "./" or "/"; "." and the TRAILER!!! entries are skipped; missing
 * parent directories are created; a later entry replaces an earlier
 * non-directory of the same path; an existing directory only takes the new
 * mode. Bad entries are logged and skipped; a malformed header ends the
 * unpacking, keeping what was unpacked so far.
 */
#include "internal.h"
#include "arch.h"
#include "kmalloc.h"
#include "lib/cpio.h"

/* Set ownership and modification time from the archive. */
static void apply_attrs(struct inode *ino, const struct cpio_entry *e)
{
	mutex_lock(&ino->lock);
	ino->uid = e->uid;
	ino->gid = e->gid;
	ino->mtime = (struct fs_time){ .sec = (s64)e->mtime, .nsec = 0 };
	mutex_unlock(&ino->lock);
}

/* Remove a non-directory at @last so that a new entry can take its name. */
static int clear_name(struct vfs_last *last)
{
	struct inode *old;
	bool is_dir;
	int err;

	err = vfs_resolve(vfs_root, last->dir, last->name, 0, &old);
	if (err == -ENOENT)
		return 0;
	if (err)
		return err;
	is_dir = inode_is_dir(old);
	inode_put(old);
	if (is_dir)
		return -EISDIR;
	return vfs_unlink(vfs_root, last, false);
}

/* Create each missing directory on the way to the last component of @path. */
static void make_parents(char *path)
{
	struct vfs_last last;
	char *slash;

	for (slash = strchr(path, '/'); slash; slash = strchr(slash + 1, '/')) {
		*slash = '\0';
		if (!vfs_resolve_last(vfs_root, vfs_root, path, &last)) {
			vfs_mknod(&last, S_IFDIR | 0755, NULL, 0, 0, NULL);
			inode_put(last.dir);
		}
		*slash = '/';
	}
}

static int unpack_dir(struct vfs_last *last, const struct cpio_entry *e, char *path)
{
	struct inode *ino;
	int err;

	err = vfs_mknod(last, S_IFDIR | (e->mode & 07777), NULL, 0, 0, &ino);
	if (err == -EEXIST) {
		err = vfs_resolve(vfs_root, vfs_root, path, 0, &ino);
		if (err)
			return err;
		if (!inode_is_dir(ino)) {
			inode_put(ino);
			return -EEXIST;
		}
		mutex_lock(&ino->lock);
		ino->mode = S_IFDIR | (e->mode & 07777);
		mutex_unlock(&ino->lock);
	}
	if (err)
		return err;
	apply_attrs(ino, e);
	inode_put(ino);
	return 0;
}

static int unpack_other(struct vfs_last *last, const struct cpio_entry *e)
{
	u32 type = e->mode & S_IFMT, perm = e->mode & 07777;
	struct inode *ino;
	char *target = NULL;
	u64 off = 0;
	ssize_t n;
	int err;

	err = clear_name(last);
	if (err)
		return err;
	if (type == S_IFLNK) {
		if (!e->size || e->size >= PATH_MAX)
			return -EINVAL;
		target = kmalloc(e->size + 1);
		if (!target)
			return -ENOMEM;
		memcpy(target, e->data, e->size);
		target[e->size] = '\0';
		if (strlen(target) != e->size) {
			kfree(target);
			return -EINVAL;
		}
	}
	err = vfs_mknod(last, type | perm, target, e->rdevmajor, e->rdevminor, &ino);
	kfree(target);
	if (err)
		return err;
	if (type == S_IFREG && e->size) {
		n = tmpfs_write(ino, &off, io_src_kernel(e->data), e->size, false, false);
		if (n != (ssize_t)e->size)
			err = n < 0 ? (int)n : -ENOSPC;
	}
	apply_attrs(ino, e);
	inode_put(ino);
	return err;
}

static int unpack_entry(const struct cpio_entry *e, char *path)
{
	const char *name = e->name;
	size_t len = strnlen(e->name, e->namelen);
	u32 type = e->mode & S_IFMT;
	struct vfs_last last;
	int err;

	for (;;) {
		if (len >= 2 && name[0] == '.' && name[1] == '/') {
			name += 2;
			len -= 2;
		} else if (len >= 1 && name[0] == '/') {
			name++;
			len--;
		} else {
			break;
		}
	}
	if (!len || (len == 1 && name[0] == '.'))
		return 0;
	if (len >= PATH_MAX)
		return -ENAMETOOLONG;
	if (type != S_IFDIR && type != S_IFREG && type != S_IFLNK && type != S_IFCHR &&
	    type != S_IFBLK)
		return -EOPNOTSUPP;	/* FIFOs, sockets: not on tmpfs yet */
	memcpy(path, name, len);
	path[len] = '\0';
	make_parents(path);
	err = vfs_resolve_last(vfs_root, vfs_root, path, &last);
	if (err)
		return err;
	if (type == S_IFDIR)
		err = unpack_dir(&last, e, path);
	else
		err = unpack_other(&last, e);
	inode_put(last.dir);
	return err;
}

static void initramfs_unpack(const void *buf, size_t len)
{
	char *path = kmalloc(PATH_MAX);
	struct cpio_entry e;
	size_t off = 0, files = 0;
	int r, err;

	if (!path) {
		printk("initramfs: out of memory\n");
		return;
	}
	while ((r = cpio_next(buf, len, &off, &e)) == 1) {
		if (e.trailer)
			continue;
		err = unpack_entry(&e, path);
		if (err) {
			char shown[64];

			memcpy(shown, e.name, MIN(e.namelen, sizeof(shown) - 1));
			shown[MIN(e.namelen, sizeof(shown) - 1)] = '\0';
			printk("initramfs: skipping %s: error %d\n", shown, err);
		} else {
			files++;
		}
	}
	if (r < 0)
		printk("initramfs: malformed archive at byte %zu: %d\n", off, r);
	printk("initramfs: %zu entries unpacked from %zu bytes\n", files, len);
	kfree(path);
}

/*
 * fs_init - see include/fs.h. Called once at boot on the boot CPU, after the
 * page allocator, kmalloc and the per-CPU current task exist (inode mutexes
 * are taken, uncontended). Panics if the root cannot be created.
 */
void fs_init(struct boot_info *bi)
{
	mutex_init(&vfs_rename_lock, "vfs_rename");
	vfs_root = inode_alloc(S_IFDIR | 0755, 0, 0);
	if (!vfs_root)
		panic("fs_init: no memory for the root directory");
	vfs_root->nlink = 2;
	if (bi && bi->initrd_len)
		initramfs_unpack(phys_to_virt(bi->initrd_phys), bi->initrd_len);
	else
		printk("initramfs: none\n");
	chrdev_create_nodes();
	fs_mount_boot();
}
