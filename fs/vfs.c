/*
 * The path walk: turns a path name into an inode, one component at a time,
 * from the process root (absolute paths) or a start directory (relative
 * paths). Handles ".", "..", repeated and trailing slashes, symlinks (at most
 * SYMLINK_MAX followed per walk, nested at most SYMLINK_NEST_MAX deep),
 * component and path length limits. Also the reverse direction (an inode's
 * path, for getcwd and /proc/pid/exe) and vfs_open_exec for execve.
 *
 * Semantics: path_resolution(7). Every directory lock is held only while one
 * entry is looked up, so a walk never holds two inode locks.
 */
#include "internal.h"
#include "kmalloc.h"

struct inode *vfs_root;
struct spinlock vfs_parent_lock = SPINLOCK_INIT("vfs_parent");
struct mutex vfs_rename_lock;

struct walk {
	struct inode *root;	/* ".." stops here; held by the caller */
	int links;		/* symlinks followed so far */
	int depth;		/* symlinks being followed inside symlinks */
};

struct inode *vfs_parent_get(struct inode *ino)
{
	struct inode *p;

	spin_lock(&vfs_parent_lock);
	p = ino->parent;
	if (p)
		inode_get(p);
	spin_unlock(&vfs_parent_lock);
	return p;
}

bool vfs_is_ancestor(struct inode *a, struct inode *d)
{
	bool found = false;

	/* Every inode on the chain is pinned by its child's parent reference. */
	spin_lock(&vfs_parent_lock);
	for (; d; d = d->parent) {
		if (d == a) {
			found = true;
			break;
		}
	}
	spin_unlock(&vfs_parent_lock);
	return found;
}

static bool is_dot(const char *name, size_t len)
{
	return (len == 1 && name[0] == '.') || (len == 2 && name[0] == '.' && name[1] == '.');
}

/* vfs_lookup_child - see fs/internal.h. */
int vfs_lookup_child(struct inode *dir, const char *name, size_t len, struct inode **out)
{
	struct tmpfs_dirent *de;
	struct inode *child = NULL;

	if (dir->iops)
		return dir->iops->lookup ? dir->iops->lookup(dir, name, len, out) : -ENOENT;
	mutex_lock(&dir->lock);
	de = tmpfs_dir_find(dir, name, len);
	if (de) {
		child = de->inode;
		inode_get(child);
	}
	mutex_unlock(&dir->lock);
	if (!child)
		return -ENOENT;
	*out = child;
	return 0;
}

/* vfs_cross_mounts - see fs/internal.h. Sleeps: no. */
void vfs_cross_mounts(struct inode **ino)
{
	struct inode *m;

	for (;;) {
		spin_lock(&vfs_parent_lock);
		m = (*ino)->mounted;
		if (m)
			inode_get(m);
		spin_unlock(&vfs_parent_lock);
		if (!m)
			return;
		inode_put(*ino);
		*ino = m;
	}
}

/* ".." of @dir: the parent, seen through mounts (a mounted root's ".." is
 * that of the directory it covers). Counted; @dir itself at the walk's root. */
static struct inode *dotdot(struct walk *w, struct inode *dir)
{
	struct inode *cur = dir, *up;

	inode_get(cur);
	for (;;) {
		if (cur == w->root)
			return cur;
		spin_lock(&vfs_parent_lock);
		up = cur->covered;
		if (up)
			inode_get(up);
		spin_unlock(&vfs_parent_lock);
		if (!up)
			break;
		inode_put(cur);
		cur = up;
	}
	up = vfs_parent_get(cur);
	if (!up)
		return cur;	/* ".." of the root is the root itself */
	inode_put(cur);
	vfs_cross_mounts(&up);
	return up;
}

/* Look @name up in @dir without following symlinks; *@out is counted. */
static int step(struct walk *w, struct inode *dir, const char *name, size_t len,
		struct inode **out)
{
	int err;

	if (!inode_is_dir(dir))
		return -ENOTDIR;
	err = inode_permission(dir, X_OK, false);
	if (err)
		return err;
	if (len == 1 && name[0] == '.') {
		inode_get(dir);
		*out = dir;
		return 0;
	}
	if (len == 2 && name[0] == '.' && name[1] == '.') {
		*out = dotdot(w, dir);
		return 0;
	}
	err = vfs_lookup_child(dir, name, len, out);
	if (!err)
		vfs_cross_mounts(out);
	return err;
}

static int resolve_from(struct walk *w, struct inode *start, const char *path, bool follow,
			struct inode **out);

/* Follow symlink @link found in @dir as a directory on the way (nested walk). */
static int follow_inner(struct walk *w, struct inode *dir, struct inode *link,
			struct inode **out)
{
	int err;

	if (++w->links > SYMLINK_MAX || w->depth >= SYMLINK_NEST_MAX)
		return -ELOOP;
	err = procfs_magic_link(link, out);
	if (err <= 0)
		return err;
	w->depth++;
	err = resolve_from(w, dir, link->target, true, out);
	w->depth--;
	return err;
}

/*
 * Walk every component of @path but the last, starting at *@dirp (counted;
 * replaced as the walk advances) and describe the last one in @last.
 */
static int walk_prefix(struct walk *w, struct inode **dirp, const char *path,
		       struct vfs_last *last)
{
	const char *p = path;

	if (*p == '/') {
		inode_get(w->root);
		inode_put(*dirp);
		*dirp = w->root;
		while (*p == '/')
			p++;
	}
	for (;;) {
		const char *end = p, *next;
		struct inode *child, *target;
		size_t len;
		int err;

		while (*end && *end != '/')
			end++;
		len = (size_t)(end - p);
		next = end;
		while (*next == '/')
			next++;
		if (len > NAME_MAX)
			return -ENAMETOOLONG;
		if (!*next) {
			last->name = p;
			last->len = len;
			last->dot = is_dot(p, len);
			last->slash = end != next;
			return 0;
		}
		err = step(w, *dirp, p, len, &child);
		if (err)
			return err;
		if (inode_is_lnk(child)) {
			err = follow_inner(w, *dirp, child, &target);
			inode_put(child);
			if (err)
				return err;
			child = target;
		}
		inode_put(*dirp);
		*dirp = child;
		p = next;
	}
}

/*
 * Resolve @path from @start (not consumed). Symlinks in the last position
 * are followed iteratively, so a chain of them does not nest on the stack.
 */
static int resolve_from(struct walk *w, struct inode *start, const char *path, bool follow,
			struct inode **out)
{
	struct inode *dir = start, *held = NULL, *child;
	struct vfs_last last;
	int err;

	inode_get(dir);
	for (;;) {
		err = walk_prefix(w, &dir, path, &last);
		if (err)
			break;
		if (!last.len) {
			/* "/" or a path ending in "/": the directory itself. */
			err = inode_is_dir(dir) ? 0 : -ENOTDIR;
			if (!err) {
				inode_get(dir);
				*out = dir;
			}
			break;
		}
		err = step(w, dir, last.name, last.len, &child);
		if (err)
			break;
		if (inode_is_lnk(child) && (follow || last.slash)) {
			struct inode *magic;

			if (++w->links > SYMLINK_MAX) {
				inode_put(child);
				err = -ELOOP;
				break;
			}
			err = procfs_magic_link(child, &magic);
			if (err <= 0) {
				inode_put(child);
				if (err < 0)
					break;
				child = magic;
				goto found;
			}
			/* Keep the link alive while its target string is walked. */
			if (held)
				inode_put(held);
			held = child;
			path = child->target;
			continue;
		}
found:
		if (last.slash && !inode_is_dir(child)) {
			inode_put(child);
			err = -ENOTDIR;
			break;
		}
		*out = child;
		break;
	}
	inode_put(dir);
	if (held)
		inode_put(held);
	return err;
}

int vfs_resolve(struct inode *root, struct inode *start, const char *path, unsigned flags,
		struct inode **out)
{
	struct walk w = { .root = root };

	if (!*path)
		return -ENOENT;
	if (strnlen(path, PATH_MAX) >= PATH_MAX)
		return -ENAMETOOLONG;
	return resolve_from(&w, start, path, flags & VFS_FOLLOW, out);
}

int vfs_resolve_last(struct inode *root, struct inode *start, const char *path,
		     struct vfs_last *last)
{
	struct walk w = { .root = root };
	struct inode *dir = start;
	int err;

	if (!*path)
		return -ENOENT;
	if (strnlen(path, PATH_MAX) >= PATH_MAX)
		return -ENAMETOOLONG;
	inode_get(dir);
	err = walk_prefix(&w, &dir, path, last);
	if (err) {
		inode_put(dir);
		return err;
	}
	last->dir = dir;
	return 0;
}

int vfs_follow_link_last(struct inode *root, struct inode *link, struct vfs_last *last,
			 int *links)
{
	struct walk w = { .root = root, .links = *links };
	struct inode *dir = last->dir;
	int err;

	if (++w.links > SYMLINK_MAX)
		return -ELOOP;
	/* last->dir's reference is handed to the walk and comes back updated. */
	err = walk_prefix(&w, &dir, link->target, last);
	*links = w.links;
	last->dir = dir;
	return err;
}

int vfs_inode_path(struct inode *root, struct inode *ino, char *buf, size_t size)
{
	char *tmp = kmalloc(PATH_MAX), *name = kmalloc(NAME_MAX + 1);
	struct inode *cur = ino, *parent;
	size_t pos = PATH_MAX - 1, len;
	int err = 0, n;

	if (!tmp || !name) {
		err = -ENOMEM;
		goto out_free;
	}
	tmp[pos] = '\0';
	inode_get(cur);
	while (cur != root) {
		spin_lock(&vfs_parent_lock);
		parent = cur->covered;
		if (parent)
			inode_get(parent);
		spin_unlock(&vfs_parent_lock);
		if (parent) {
			/* A mounted root is named by its mount point. */
			inode_put(cur);
			cur = parent;
			continue;
		}
		parent = vfs_parent_get(cur);
		if (!parent)
			break;	/* the tmpfs root seen from outside a chroot-like root */
		n = tmpfs_name_of(parent, cur, name, NAME_MAX + 1);
		inode_put(cur);
		cur = parent;
		if (n < 0) {
			err = n;	/* unlinked: no path names it any more */
			break;
		}
		if ((size_t)n + 1 > pos) {
			err = -ENAMETOOLONG;
			break;
		}
		pos -= (size_t)n;
		memcpy(tmp + pos, name, (size_t)n);
		tmp[--pos] = '/';
	}
	inode_put(cur);
	if (err)
		goto out_free;
	if (pos == PATH_MAX - 1)
		tmp[--pos] = '/';
	len = PATH_MAX - 1 - pos;
	if (len + 1 > size) {
		err = -ERANGE;
		goto out_free;
	}
	memcpy(buf, tmp + pos, len + 1);
	err = (int)len;
out_free:
	kfree(name);
	kfree(tmp);
	return err;
}

/*
 * vfs_open_exec - see include/fs.h; execve(2) EACCES rules: the file must be
 * a regular file with an execute bit the caller may use. The path of a
 * directory or other non-regular file also gives -EACCES.
 * Locks: takes directory locks one at a time. May sleep.
 */
int vfs_open_exec(const char *path, struct inode **out, char *abspath, size_t size)
{
	struct inode *root, *cwd, *ino;
	int err;

	fs_current_root_cwd(&root, &cwd);
	err = vfs_resolve(root, cwd, path, VFS_FOLLOW, &ino);
	if (err)
		goto out_put;
	/* mount(2) MS_NOEXEC: execve(2) EACCES. */
	if (!inode_is_reg(ino) || inode_permission(ino, X_OK, false) ||
	    (inode_mount_flags(ino) & MS_NOEXEC)) {
		inode_put(ino);
		err = -EACCES;
		goto out_put;
	}
	if (abspath && size && vfs_inode_path(root, ino, abspath, size) < 0)
		strlcpy(abspath, path, size);
	*out = ino;
out_put:
	inode_put(cwd);
	inode_put(root);
	return err;
}
