/*
 * Start-up of the file-system layer: create the root tmpfs, unpack the
 * initramfs (cpio "newc" archives, possibly several concatenated, each one
 * as is or gzip-compressed) into it and add the /dev nodes the archive did
 * not bring.
 *
 * Archives are read as a stream, as Linux's init/initramfs.c does it: a
 * compressed archive is larger than any one allocation once decompressed,
 * so the decompressor hands over 32 KiB at a time and the reader below
 * keeps just the current header and name, writing file data straight into
 * the new file. Between archives the image may hold NUL padding; a gzip
 * member holds one or more archives of its own.
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
#include "lib/inflate.h"

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

/*
 * Create the non-directory @e at @last. A regular file is created empty and, with @reg
 * non-NULL, handed back referenced in *@reg for the data to be written as it arrives;
 * a symlink's target is @e's data.
 */
static int unpack_other(struct vfs_last *last, const struct cpio_entry *e, struct inode **reg)
{
	u32 type = e->mode & S_IFMT, perm = e->mode & 07777;
	struct inode *ino;
	char *target = NULL;
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
	if (type == S_IFREG && reg) {
		*reg = ino;
		return 0;
	}
	apply_attrs(ino, e);
	inode_put(ino);
	return 0;
}

/* Unpack entry @e (see unpack_other() for @reg) using @path (PATH_MAX bytes) as scratch. */
static int unpack_entry(const struct cpio_entry *e, char *path, struct inode **reg)
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
		err = unpack_other(&last, e, reg);
	inode_put(last.dir);
	return err;
}

/* The streaming archive reader: where it is in the current entry. */
enum unpack_state { U_HEADER, U_NAME, U_DATA };

struct unpacker {
	enum unpack_state state;
	u64 pos;		/* bytes of this archive stream read: padding counts from 0 */
	char hdr[CPIO_HDR_LEN];
	size_t have;		/* bytes of hdr[] or of the name collected */
	u32 namesize;		/* name bytes with the NUL */
	u64 skip;		/* padding bytes still to pass over before the next part */
	u64 data_left;		/* data bytes of the current entry still to come */
	struct cpio_entry e;
	char *name;		/* PATH_MAX + 1 bytes: the current entry's name */
	char *path;		/* PATH_MAX bytes of scratch for unpack_entry() */
	char *link;		/* a symlink's target being collected, or NULL */
	struct inode *file;	/* the regular file being filled, or NULL */
	u64 file_off;
	int entry_err;		/* the current entry failed: its data is passed over */
	bool trailer;		/* the last entry read was TRAILER!!! */
	size_t files;
};

static void report_skip(struct unpacker *u, int err)
{
	printk("initramfs: skipping %s: error %d\n", u->name, err);
}

/* The current entry's data is all there: finish the file or symlink. */
static void entry_done(struct unpacker *u)
{
	if (u->file) {
		apply_attrs(u->file, &u->e);
		inode_put(u->file);
		u->file = NULL;
		if (!u->entry_err)
			u->files++;
	} else if (u->link) {
		if (!u->entry_err) {
			u->e.data = u->link;
			u->entry_err = unpack_entry(&u->e, u->path, NULL);
			if (u->entry_err)
				report_skip(u, u->entry_err);
			else
				u->files++;
		}
		kfree(u->link);
		u->link = NULL;
	}
	u->state = U_HEADER;
	u->have = 0;
	u->skip = (-u->pos) & 3;
}

/* The name is complete: create what can be created now. Returns -EINVAL if malformed. */
static int name_done(struct unpacker *u)
{
	u32 type = u->e.mode & S_IFMT;

	if (u->namesize <= PATH_MAX && u->name[u->namesize - 1] != '\0')
		return -EINVAL;
	u->e.name = u->name;
	u->e.data = NULL;
	u->e.trailer = u->e.namelen == 10 && !memcmp(u->name, "TRAILER!!!", 10);
	u->trailer = u->e.trailer;
	u->entry_err = 0;
	u->state = U_DATA;
	u->data_left = u->e.size;
	u->file_off = 0;
	u->skip = (-u->pos) & 3;
	if (u->trailer)
		return 0;
	if (u->namesize > PATH_MAX)
		u->entry_err = -ENAMETOOLONG;
	else if (type == S_IFLNK) {
		if (!u->e.size || u->e.size >= PATH_MAX)
			u->entry_err = -EINVAL;
		else if (!(u->link = kmalloc(u->e.size)))
			u->entry_err = -ENOMEM;
	} else {
		u->entry_err = unpack_entry(&u->e, u->path, type == S_IFREG ? &u->file : NULL);
		if (!u->entry_err && !u->file)
			u->files++;
	}
	if (u->entry_err)
		report_skip(u, u->entry_err);
	return 0;
}

/* Take @n data bytes of the current entry. */
static void entry_data(struct unpacker *u, const u8 *p, size_t n)
{
	u64 at = u->e.size - u->data_left;

	if (u->entry_err)
		return;
	if (u->link) {
		memcpy(u->link + at, p, n);
	} else if (u->file) {
		ssize_t w = tmpfs_write(u->file, &u->file_off, io_src_kernel(p), n, false, false);

		if (w != (ssize_t)n) {
			u->entry_err = w < 0 ? (int)w : -ENOSPC;
			report_skip(u, u->entry_err);
		}
	}
}

/*
 * Read @len bytes of archive stream into the tree. With @stop_at_trailer, returns after the
 * first TRAILER!!! entry (so the caller can look for compressed data next). Returns the
 * bytes consumed, or -EINVAL for a malformed header.
 */
static ssize_t unpack_feed(struct unpacker *u, const u8 *p, size_t len, bool stop_at_trailer)
{
	size_t i = 0;

	while (i < len) {
		size_t n;

		if (u->skip) {
			n = MIN(u->skip, len - i);
			u->skip -= n;
		} else if (u->state == U_HEADER) {
			if (u->have == 0 && p[i] == 0) {
				n = 1;	/* NUL padding between archives */
			} else {
				n = MIN(CPIO_HDR_LEN - u->have, len - i);
				memcpy(u->hdr + u->have, p + i, n);
				u->have += n;
			}
			if (u->have == CPIO_HDR_LEN) {
				if (cpio_header(u->hdr, &u->e, &u->namesize))
					return -EINVAL;
				u->state = U_NAME;
				u->have = 0;
			}
		} else if (u->state == U_NAME) {
			n = MIN(u->namesize - u->have, len - i);
			if (u->have < PATH_MAX)
				memcpy(u->name + u->have, p + i, MIN(n, PATH_MAX - u->have));
			u->have += n;
		} else {
			n = MIN(u->data_left, len - i);
			entry_data(u, p + i, n);
			u->data_left -= n;
		}
		i += n;
		u->pos += n;
		if (u->state == U_NAME && u->have == u->namesize) {
			u->name[MIN(u->namesize, PATH_MAX)] = '\0';
			if (name_done(u))
				return -EINVAL;
		}
		if (u->state == U_DATA && u->data_left == 0 && (!u->trailer || !u->skip)) {
			bool trailer = u->trailer;

			entry_done(u);
			if (trailer && stop_at_trailer) {
				u->trailer = false;
				return (ssize_t)i;
			}
		}
	}
	return (ssize_t)i;
}

/* An archive stream ended: anything half read is dropped (the file keeps what came). */
static void unpack_end(struct unpacker *u)
{
	if (u->state != U_HEADER || u->have)
		printk("initramfs: archive ends inside an entry\n");
	if (u->state == U_DATA)
		entry_done(u);
	u->state = U_HEADER;
	u->have = 0;
	u->skip = 0;
	u->pos = 0;
}

static int gunzip_sink(void *ctx, const u8 *data, size_t len)
{
	ssize_t r = unpack_feed(ctx, data, len, false);

	return r < 0 ? (int)r : 0;
}

/*
 * Unpack the whole initramfs image @buf (@len bytes): archives as they are and gzip members,
 * in any order, with NUL padding between them. A malformed archive or member ends the
 * unpacking; what was unpacked so far stays.
 */
static void initramfs_unpack(const u8 *buf, size_t len)
{
	struct unpacker u = { .state = U_HEADER };
	struct inflate_state *st = NULL;
	size_t off = 0, gz = 0;

	u.name = kmalloc(PATH_MAX + 1);
	u.path = kmalloc(PATH_MAX);
	if (!u.name || !u.path) {
		printk("initramfs: out of memory\n");
		goto out;
	}
	while (off < len) {
		if (buf[off] == 0) {
			off++;
			continue;
		}
		if (gzip_magic(buf + off, len - off)) {
			size_t used = 0;
			int err;

			if (!st && !(st = kmalloc(sizeof(*st)))) {
				printk("initramfs: out of memory for decompression\n");
				break;
			}
			u.pos = 0;	/* a compressed archive's padding counts from its start */
			err = gunzip(buf + off, len - off, &used, st, gunzip_sink, &u);
			unpack_end(&u);
			if (err) {
				printk("initramfs: bad gzip data at byte %zu: %d\n", off, err);
				break;
			}
			off += used;
			gz++;
			continue;
		}
		/*
		 * Padding counts from the archive's own start, as cpio(1) wrote it: the same as
		 * Linux's count from the image's start whenever the archive starts 4-aligned
		 * there, and still right when it follows a gzip member of any length.
		 */
		u.pos = 0;
		ssize_t n = unpack_feed(&u, buf + off, len - off, true);

		if (n < 0) {
			printk("initramfs: malformed archive near byte %zu\n", off);
			unpack_end(&u);
			break;
		}
		off += (size_t)n;
		if (off >= len)
			unpack_end(&u);
	}
	printk("initramfs: %zu entries unpacked from %zu bytes (%zu gzip members)\n", u.files,
	       len, gz);
out:
	kfree(st);
	kfree(u.name);
	kfree(u.path);
}

/*
 * fs_init - see include/fs.h. Called once at boot on the boot CPU, after the
 * page allocator, kmalloc and the per-CPU current task exist (inode mutexes
 * are taken, uncontended). Panics if the root cannot be created.
 */
void fs_init(struct boot_info *bi)
{
	struct superblock *sb;

	mutex_init(&vfs_rename_lock, "vfs_rename");
	vfs_root = inode_alloc(S_IFDIR | 0755, 0, 0);
	if (!vfs_root)
		panic("fs_init: no memory for the root directory");
	vfs_root->nlink = 2;
	vfs_root->size = 2 * TMPFS_DIRENT_SIZE;
	/* rootfs is a tmpfs of the default size (Linux's rootfs on tmpfs). */
	sb = sb_new(TMPFS_MAGIC_NR, TMPFS_DEV_MINOR, true);
	if (!sb || inode_attach_sb(vfs_root, sb))
		panic("fs_init: no memory for the root file system");
	sb_put(sb);
	if (bi && bi->initrd_len)
		initramfs_unpack(phys_to_virt(bi->initrd_phys), bi->initrd_len);
	else
		printk("initramfs: none\n");
	chrdev_create_nodes();
	fs_mount_boot();
}
