/*
 * Extended attributes: the getxattr(2), setxattr(2), listxattr(2) and
 * removexattr(2) families, each by path, by path without following a
 * final symlink (l*) and by descriptor (f*).
 *
 * No Sprout file system stores extended attributes. The calls answer as
 * Linux does for a file system without xattr handlers, after the same
 * checks in the same order: flags (EINVAL), the name (ERANGE when empty or
 * longer than XATTR_NAME_MAX), the value size (E2BIG), then the VFS's
 * namespace rules (a "user." attribute exists only on regular files and
 * directories: ENODATA to read elsewhere, EPERM to write; "trusted." needs
 * privilege) and the file permission, and finally EOPNOTSUPP from the file
 * system. Listing gives an empty list (0 bytes), as Linux does without a
 * security module to add names. So `ls -l` and `cp -a` see "no ACL, no
 * label" and go on. Semantics: xattr(7), getxattr(2), listxattr(2).
 *
 * Locks: none of their own (path lookup and the descriptor table's).
 */
#include "internal.h"
#include "task.h"
#include "cpu.h"

#define XATTR_NAME_MAX	255
#define XATTR_SIZE_MAX	65536
#define XATTR_CREATE	1
#define XATTR_REPLACE	2

/* Copy in the attribute name: its length, -ERANGE (empty or too long) or -EFAULT. */
static long xattr_name_get(char *buf, const char __user *name)
{
	long n = strncpy_from_user(buf, name, XATTR_NAME_MAX + 1);

	if (n == 0 || n == -ENAMETOOLONG)
		return -ERANGE;
	return n;
}

static bool has_prefix(const char *s, const char *p)
{
	return !strncmp(s, p, strlen(p));
}

/* The VFS's namespace and permission rules (Linux's xattr_permission()). */
static long xattr_permission(struct inode *ino, const char *name, bool write)
{
	if (has_prefix(name, "trusted.") && current->proc->euid != 0)
		return write ? -EPERM : -ENODATA;
	if (has_prefix(name, "user.")) {
		if (!inode_is_reg(ino) && !inode_is_dir(ino))
			return write ? -EPERM : -ENODATA;
		return inode_permission(ino, write ? W_OK : R_OK, false);
	}
	return 0;
}

/* getxattr on @ino: everything after the lookup. */
static long do_getxattr(struct inode *ino, const char __user *name)
{
	char kname[XATTR_NAME_MAX + 1];
	long r = xattr_name_get(kname, name);

	if (r < 0)
		return r;
	r = xattr_permission(ino, kname, false);
	return r ? r : -EOPNOTSUPP;
}

/* setxattr on @ino: everything after the lookup. */
static long do_setxattr(struct inode *ino, const char __user *name, size_t size, int flags)
{
	char kname[XATTR_NAME_MAX + 1];
	long r;

	if (flags & ~(XATTR_CREATE | XATTR_REPLACE))
		return -EINVAL;
	r = xattr_name_get(kname, name);
	if (r < 0)
		return r;
	if (size > XATTR_SIZE_MAX)
		return -E2BIG;
	r = xattr_permission(ino, kname, true);
	return r ? r : -EOPNOTSUPP;
}

/* removexattr on @ino: everything after the lookup. */
static long do_removexattr(struct inode *ino, const char __user *name)
{
	char kname[XATTR_NAME_MAX + 1];
	long r = xattr_name_get(kname, name);

	if (r < 0)
		return r;
	r = xattr_permission(ino, kname, true);
	return r ? r : -EOPNOTSUPP;
}

/* The inode of a path (@follow: follow a final symlink): 0 or a lookup error. */
static long path_inode(const char __user *path, bool follow, struct inode **out)
{
	return upath_lookup(AT_FDCWD, path, follow ? 0 : AT_SYMLINK_NOFOLLOW, out);
}

/* The inode of descriptor @fd, referenced: 0 or -EBADF (not open, O_PATH). */
static long fd_inode(int fd, struct inode **out)
{
	struct file *f = fd_get(fd);
	long r = 0;

	if (!f)
		return -EBADF;
	if ((file_flags(f) & O_PATH) || !f->inode)
		r = -EBADF;
	else
		inode_get(*out = f->inode);
	file_put(f);
	return r;
}

enum xattr_op { XA_GET, XA_SET, XA_LIST, XA_REMOVE };

/* One of the calls once the inode is known. Drops @ino. */
static long xattr_on(struct inode *ino, enum xattr_op op, const char __user *name,
		     size_t size, int flags)
{
	long r;

	switch (op) {
	case XA_GET:
		r = do_getxattr(ino, name);
		break;
	case XA_SET:
		r = do_setxattr(ino, name, size, flags);
		break;
	case XA_REMOVE:
		r = do_removexattr(ino, name);
		break;
	default:
		r = 0;	/* an empty list */
		break;
	}
	inode_put(ino);
	return r;
}

static long xattr_path(const char __user *path, bool follow, enum xattr_op op,
		       const char __user *name, size_t size, int flags)
{
	struct inode *ino;
	long r = path_inode(path, follow, &ino);

	return r ? r : xattr_on(ino, op, name, size, flags);
}

static long xattr_fd(int fd, enum xattr_op op, const char __user *name, size_t size, int flags)
{
	struct inode *ino;
	long r = fd_inode(fd, &ino);

	return r ? r : xattr_on(ino, op, name, size, flags);
}

/*
 * sys_getxattr, sys_lgetxattr, sys_fgetxattr - getxattr(2): the value of
 * attribute @name. Never found: -ENODATA ("user." on a file that is neither
 * regular nor a directory, "trusted." unprivileged) or -EOPNOTSUPP, after
 * -ERANGE/-EFAULT for the name, -EACCES, and the lookup's errors (-ENOENT,
 * -EBADF, ...). @value and @size are not used since nothing is returned.
 * May sleep (lookup).
 */
long sys_getxattr(const char __user *path, const char __user *name, void __user *value,
		  size_t size)
{
	(void)value; (void)size;
	return xattr_path(path, true, XA_GET, name, 0, 0);
}

long sys_lgetxattr(const char __user *path, const char __user *name, void __user *value,
		   size_t size)
{
	(void)value; (void)size;
	return xattr_path(path, false, XA_GET, name, 0, 0);
}

long sys_fgetxattr(int fd, const char __user *name, void __user *value, size_t size)
{
	(void)value; (void)size;
	return xattr_fd(fd, XA_GET, name, 0, 0);
}

/*
 * sys_setxattr, sys_lsetxattr, sys_fsetxattr - setxattr(2): -EINVAL (flags
 * other than XATTR_CREATE/XATTR_REPLACE), -ERANGE, -E2BIG (@size over
 * 64 KiB), -EPERM/-EACCES (namespace rules, write permission), otherwise
 * -EOPNOTSUPP: no file system here stores attributes. May sleep.
 */
long sys_setxattr(const char __user *path, const char __user *name, const void __user *value,
		  size_t size, int flags)
{
	(void)value;
	return xattr_path(path, true, XA_SET, name, size, flags);
}

long sys_lsetxattr(const char __user *path, const char __user *name, const void __user *value,
		   size_t size, int flags)
{
	(void)value;
	return xattr_path(path, false, XA_SET, name, size, flags);
}

long sys_fsetxattr(int fd, const char __user *name, const void __user *value, size_t size,
		   int flags)
{
	(void)value;
	return xattr_fd(fd, XA_SET, name, size, flags);
}

/*
 * sys_listxattr, sys_llistxattr, sys_flistxattr - listxattr(2): the names
 * of the file's attributes; there are none, so 0 bytes, after the lookup's
 * errors. May sleep.
 */
long sys_listxattr(const char __user *path, char __user *list, size_t size)
{
	(void)list; (void)size;
	return xattr_path(path, true, XA_LIST, NULL, 0, 0);
}

long sys_llistxattr(const char __user *path, char __user *list, size_t size)
{
	(void)list; (void)size;
	return xattr_path(path, false, XA_LIST, NULL, 0, 0);
}

long sys_flistxattr(int fd, char __user *list, size_t size)
{
	(void)list; (void)size;
	return xattr_fd(fd, XA_LIST, NULL, 0, 0);
}

/* sys_removexattr, sys_lremovexattr, sys_fremovexattr - removexattr(2):
 * as setxattr without flags or value. May sleep. */
long sys_removexattr(const char __user *path, const char __user *name)
{
	return xattr_path(path, true, XA_REMOVE, name, 0, 0);
}

long sys_lremovexattr(const char __user *path, const char __user *name)
{
	return xattr_path(path, false, XA_REMOVE, name, 0, 0);
}

long sys_fremovexattr(int fd, const char __user *name)
{
	return xattr_fd(fd, XA_REMOVE, name, 0, 0);
}
