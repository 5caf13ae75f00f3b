/*
 * Interfaces shared by the files of fs/ only: tmpfs data and directory
 * entries, the path walk, the name-space operations, devices, and the path
 * arguments of the file syscalls. The rest of the kernel sees include/fs.h.
 * Lock letters are those of the legend in include/fs.h.
 */
#ifndef SPROUT_FS_INTERNAL_H
#define SPROUT_FS_INTERNAL_H

#include "fs.h"
#include "kernel.h"
#include "spinlock.h"
#include "uapi/errno.h"
#include "uapi/fcntl.h"
#include "uapi/stat.h"
#include "uapi/mount.h"

#define TMPFS_DEV_MAJOR		0
#define TMPFS_DEV_MINOR		16
#define TMPFS_MAX_SIZE		(1UL << 30)	/* bytes: keeps the page array small */
/* A tmpfs directory's st_size: this much per entry, twice it for "." and "..", as
 * Linux's shmem (BOGO_DIRENT_SIZE) reports, so `ls -l` prints the sizes Linux does. */
#define TMPFS_DIRENT_SIZE	20
#define SYMLINK_MAX		40	/* symlinks followed in one walk */
#define SYMLINK_NEST_MAX	8	/* symlinks inside symlinks (stack depth) */

/* ---- Superblocks: one per file-system instance (fs/super.c) ---- */

/*
 * A file-system instance: its statfs(2) identity, the mount flags (each mount
 * is its own instance, so the flags of the one mount are the instance's) and,
 * for tmpfs, the size= and nr_inodes= limits with what is in use. A limit of
 * 0 means none (tmpfs "size=0", and proc).
 */
struct superblock {
	u32 refcount;			/* [a] the mount and every inode */
	u64 magic;			/* [I] statfs f_type */
	u32 dev_minor;			/* [I] st_dev minor of its inodes */
	struct spinlock lock;		/* [s] */
	u32 flags;			/* [s] MS_NOSUID|MS_NODEV|MS_NOEXEC|MS_RELATIME; atomic reads */
	u64 max_pages;			/* [s] size= in pages */
	u64 max_inodes;			/* [s] nr_inodes= */
	u64 used_pages;			/* [s] data pages held by its files */
	u64 used_inodes;		/* [s] inodes alive (open unlinked files count) */
};

/* sb_new - a new instance with @magic, device minor @dev_minor and, when
 * @limited, tmpfs's default limits (half of RAM in pages, and as many
 * inodes). Counted, or NULL. */
struct superblock *sb_new(u64 magic, u32 dev_minor, bool limited);
void sb_get(struct superblock *sb);
void sb_put(struct superblock *sb);
/* sb_charge - account @pages data pages and @inodes inodes to @sb (NULL:
 * nothing); 0 or -ENOSPC past a limit (nothing charged). Takes [s]. */
int sb_charge(struct superblock *sb, u64 pages, u64 inodes);
/* sb_uncharge - give back what sb_charge() counted. Takes [s]. */
void sb_uncharge(struct superblock *sb, u64 pages, u64 inodes);
/* inode_attach_sb - make new inode @ino one of @sb's (NULL: none), taking a
 * reference and charging one inode; st_dev follows. 0 or -ENOSPC. */
int inode_attach_sb(struct inode *ino, struct superblock *sb);
/* sb_default_pages - tmpfs's default size= and nr_inodes=: half of RAM. */
u64 sb_default_pages(void);

/* tmpfs mount options (fs/tmpfs_opts.c). */
struct tmpfs_opts {
	bool has_size, has_inodes, has_mode, has_uid, has_gid;
	u64 pages;			/* size= in pages (0: no limit) */
	u64 inodes;			/* nr_inodes= (0: no limit) */
	u32 mode;			/* mode= of the root directory */
	uid_t uid;
	gid_t gid;
};
/* tmpfs_opts_parse - parse mount(2)'s @data (a kernel string, modified) into
 * @o. 0 or -EINVAL (unknown option, bad number). */
int tmpfs_opts_parse(char *data, struct tmpfs_opts *o);
/* tmpfs_opts_apply - apply @o to the instance whose root is @root: a new one,
 * or with @remount a mounted one (size= and nr_inodes= only; -EINVAL to
 * limit an unlimited instance or go below what is in use). Takes [s], then
 * root's lock. */
int tmpfs_opts_apply(struct inode *root, const struct tmpfs_opts *o, bool remount);
/* tmpfs_opts_show - the options of @root's instance that differ from the
 * defaults (mode @default_mode), as ",size=...k,nr_inodes=..." into @buf
 * (@size bytes, at least 1). Returns the length. */
size_t tmpfs_opts_show(struct inode *root, u32 default_mode, char *buf, size_t size);

/* ---- Synthetic filesystems (procfs) and mounts ---- */

/*
 * Operations of an inode that is not tmpfs's. Directories answer lookup and
 * getdents; regular files answer open. Every inode a lookup returns is new
 * (counted, holding a reference on @dir as its parent), so its contents are
 * always those of the moment.
 */
struct inode_ops {
	/* lookup - the child @name (@len bytes) of @dir, counted; -ENOENT. */
	int (*lookup)(struct inode *dir, const char *name, size_t len, struct inode **out);
	/* getdents - as tmpfs_getdents(). */
	long (*getdents)(struct inode *dir, u64 *pos, void __user *buf, size_t count);
	/* open - a new file description for @ino opened with @flags. */
	int (*open)(struct inode *ino, u32 flags, struct file **out);
};

#define PROC_DEV_MINOR		3	/* /proc: Linux gives it 0:3 or so */

/* vfs_lookup_child - @name in directory @dir (no symlink following, no
 * mount crossing), counted in *@out. 0 or -ENOENT, -ENOMEM. Takes dir's lock
 * for tmpfs. May sleep. */
int vfs_lookup_child(struct inode *dir, const char *name, size_t len, struct inode **out);
/* vfs_cross_mounts - replace counted *@ino by the root of what is mounted on
 * it, repeatedly. Takes [p]. */
void vfs_cross_mounts(struct inode **ino);

/*
 * Pipe limits (fs/pipe_acct.c, pipe(7) "/proc files"). pipe_round_size - a
 * capacity as Linux rounds it: a power of two pages, 0 above 2 GiB. The
 * get/set pairs are /proc/sys/fs/pipe-max-size (bytes) and
 * pipe-user-pages-soft/hard (pages, 0 = no limit); setters return 0 or
 * -EINVAL. pipe_acct_change - move @uid's charge from @old_pages to
 * @new_pages; returns the user's new total. pipe_acct_over_soft/hard - is a
 * total over that limit? pipe_acct_privileged - may current ignore them?
 * Take only the accounting spinlock (a leaf). Sleep: no.
 */
/* fifo_open - open named pipe (S_IFIFO node of tmpfs) @ino with open flags
 * @flags (access mode, O_NONBLOCK), blocking for the other end as fifo(7)
 * says. 0 and the file in *@out, or -ENXIO (O_WRONLY|O_NONBLOCK, no
 * reader), -ERESTARTSYS, -ENOMEM, -ENFILE. May sleep. */
int fifo_open(struct inode *ino, u32 flags, struct file **out);
u32 pipe_round_size(u64 size);
long pipe_max_size_get(void);
int pipe_max_size_set(u32 bytes);
long pipe_user_pages_soft_get(void);
int pipe_user_pages_soft_set(long pages);
long pipe_user_pages_hard_get(void);
int pipe_user_pages_hard_set(long pages);
u64 pipe_acct_change(uid_t uid, u32 old_pages, u32 new_pages);
bool pipe_acct_over_soft(u64 pages);
bool pipe_acct_over_hard(u64 pages);
bool pipe_acct_privileged(void);

/* procfs_new_root - the root of a new proc instance (counted) or NULL. */
struct inode *procfs_new_root(void);
/* procfs_times_set / procfs_times_apply - keep the times utimensat(2) set on
 * a procfs node for its later inodes (fs/procfs_times.c). */
int procfs_times_set(struct inode *ino);
void procfs_times_apply(struct inode *ino);
/*
 * locks_show_inode - the /proc/locks lines (Linux's format: "N: POSIX  ADVISORY  WRITE
 * pid 00:dev:ino start end|EOF") of the locks held on @ino into @buf (@cap bytes),
 * numbered from *@id + 1 (advanced past them); a line that does not fit is left out.
 * Returns the bytes written. Takes file_lock_lock. Sleeps: no.
 */
size_t locks_show_inode(struct inode *ino, char *buf, size_t cap, int *id);
/* procfs_locks_show - /proc/locks into @buf (@cap bytes): the locks of every file
 * some process has open (fs/procfs_locks.c). Returns the bytes written. May sleep. */
size_t procfs_locks_show(char *buf, size_t cap);
/* procfs_fd_inode - the inode of descriptor @fd of process @pid, counted, or NULL. */
struct inode *procfs_fd_inode(pid_t pid, int fd);
/* procfs_name_of - the name of procfs inode @ino, like tmpfs_name_of(). */
int procfs_name_of(struct inode *ino, char *buf, size_t size);
/*
 * procfs_magic_link - what following symlink @link leads to when it is one of /proc's
 * "magic" links (proc(5)): /proc/PID/fd/N is the open file's own inode (so an unnamed
 * pipe reopens, as bash's <(...) needs through /dev/fd/N), cwd and root the directories
 * themselves. Returns 0 with *@out counted, 1 when @link is followed by its text like
 * any symlink, or -ENOENT (the process or descriptor is gone). Sleeps: no.
 */
int procfs_magic_link(struct inode *link, struct inode **out);
/* dirent_emit - append one linux_dirent64 record for @name to @kbuf (@cap
 * bytes, *@used filled); false when it does not fit. */
bool dirent_emit(char *kbuf, size_t cap, size_t *used, const char *name, size_t len, u64 ino,
		 u8 type, u64 next);
/* fs_mount_boot - mount proc on /proc and a tmpfs on /dev/shm at boot. */
void fs_mount_boot(void);
/* fs_mounts_show - /proc/mounts text into @buf (@size bytes); length. */
size_t fs_mounts_show(char *buf, size_t size);

/* tty_session_nr - the device number ((major << 8) | minor, as in
 * /proc/<pid>/stat) of the controlling terminal of session @sid and its
 * foreground process group in *@tpgid; 0 and -1 when it has none. */
u32 tty_session_nr(pid_t sid, pid_t *tpgid);

/* ---- fs/poll.c: the registrations of one poll(2) or epoll item ---- */

struct poll_entry {
	struct wait_queue *wq;
	struct wait_entry we;
};

struct poll_table {
	struct poll_entry *entries;	/* [c] */
	u32 n, max;			/* [c] used and allocated entries */
	bool registering;		/* [c] false once something is ready */
	/* When set, poll_wait() hands each queue to it instead (epoll). */
	void (*queue)(struct poll_table *pt, struct wait_queue *wq);
};

/* ---- fs/inode.c ---- */

/* inode_alloc - a new unlinked inode (refcount 1, nlink 0) of type and
 * permission @mode, owned by @uid/@gid, timestamps now. NULL if out of memory. */
struct inode *inode_alloc(u32 mode, uid_t uid, gid_t gid);
/* fs_now - the wall-clock time for timestamps. */
struct fs_time fs_now(void);
/* inode_fill_stat - @ino's status for stat(2). Takes ino's lock. May sleep. */
void inode_fill_stat(struct inode *ino, struct linux_stat *st);
/* inode_permission - may the caller's (@real: real, else effective) ids access
 * @ino for @mask (R_OK|W_OK|X_OK)? 0 or -EACCES. Reads mode without the lock. */
int inode_permission(struct inode *ino, int mask, bool real);
/* fs_cred - the caller's credentials (root when there is no process). */
void fs_cred(uid_t *uid, gid_t *gid, bool real);
/* inode_dtype - DT_* value for getdents64. */
u8 inode_dtype(const struct inode *ino);

/* ---- fs/tmpfs.c: file data ---- */

/* tmpfs_read - copy up to @n bytes at @off into @buf (user memory when
 * @user). Returns bytes copied, 0 at EOF, or -EFAULT. Takes ino's lock per
 * page, never across the copy. May sleep. */
ssize_t tmpfs_read(struct inode *ino, u64 off, void *buf, size_t n, bool user);
/* tmpfs_write - write @n bytes of @src at *@off, or at the end of file when
 * @append; advances *@off. @user: a write on behalf of a user call, which
 * RLIMIT_FSIZE bounds. Returns bytes written (short only after a fault or
 * ENOSPC) or -EFAULT, -ENOMEM, -EFBIG. Takes ino's lock; may sleep. */
ssize_t tmpfs_write(struct inode *ino, u64 *off, struct io_src src, size_t n, bool user,
		    bool append);
/* tmpfs_truncate - set the size of regular file @ino to @size bytes, freeing
 * pages past it. 0 or -EFBIG/-ENOMEM. Takes ino's lock. */
int tmpfs_truncate(struct inode *ino, u64 size);
/* tmpfs_fallocate - give regular file @ino zeroed pages for bytes [@off, @off + @len)
 * where it has none (fallocate(2)), and make it that long unless @keep_size. 0,
 * -EFBIG, -EPERM (a memfd sealed against growing), -ENOSPC (size=), -ENOMEM.
 * Takes ino's lock. Sleeps: may. */
int tmpfs_fallocate(struct inode *ino, u64 off, u64 len, bool keep_size);
/* tmpfs_free_data - release the data of an inode nobody references. */
void tmpfs_free_data(struct inode *ino);
/* tmpfs_blocks - 512-byte blocks allocated to @ino; ino's lock held. */
u64 tmpfs_blocks(struct inode *ino);

extern const struct file_ops tmpfs_reg_ops;

/* ---- fs/tmpfs_dir.c: directory entries ---- */

struct tmpfs_dirent {
	struct list_head link;		/* [i] of the directory */
	struct inode *inode;		/* counted */
	u64 off;			/* getdents cookie, >= 2, increasing along the list */
	u16 namelen;
	char name[];			/* NUL-terminated */
};

/* tmpfs_dir_find - the entry @name (@len bytes) of @dir or NULL. Requires
 * dir's lock. */
struct tmpfs_dirent *tmpfs_dir_find(struct inode *dir, const char *name, size_t len);
/* tmpfs_dir_add - link @child into @dir as @name: takes a reference on
 * @child, counts the link and makes @dir its parent. 0 or -ENOMEM, -ENOENT
 * (@dir was removed). Requires dir's lock; takes child's lock (order [i]
 * parent -> child) and [p]. */
int tmpfs_dir_add(struct inode *dir, const char *name, size_t len, struct inode *child);
/* tmpfs_dir_remove - unlink @de from @dir, dropping the link count; a
 * directory must be empty (-ENOTEMPTY, checked under its lock). The child
 * reference the entry held is returned in *@child: put it after unlocking.
 * Requires dir's lock; takes the child's lock. */
int tmpfs_dir_remove(struct inode *dir, struct tmpfs_dirent *de, struct inode **child);
/* tmpfs_dir_move - move entry @de of @from to @to as @name (rename(2)),
 * first removing @to's entry @victim (may be NULL) as tmpfs_dir_remove does,
 * whose reference comes back in *@victim_ino. All or nothing: 0, -ENOMEM or
 * -ENOTEMPTY. Requires both directories' locks; takes the victim's. */
int tmpfs_dir_move(struct inode *from, struct tmpfs_dirent *de, struct inode *to,
		   struct tmpfs_dirent *victim, const char *name, size_t len,
		   struct inode **victim_ino);
/* tmpfs_dir_exchange - swap the inodes that entries @a of @from and @b of
 * @to name (renameat2(2) RENAME_EXCHANGE); cannot fail. Requires both
 * directories' locks. */
void tmpfs_dir_exchange(struct inode *from, struct tmpfs_dirent *a, struct inode *to,
			struct tmpfs_dirent *b);
/* tmpfs_dir_empty - @dir has no entries. Requires dir's lock. */
bool tmpfs_dir_empty(struct inode *dir);
/* tmpfs_getdents - fill user @buf (@count bytes) with linux_dirent64 records
 * from cookie *@pos on. Bytes written, 0 at the end, -EINVAL (@buf too small
 * for one record), -ENOENT (removed directory), -EFAULT, -ENOMEM. */
long tmpfs_getdents(struct inode *dir, u64 *pos, void __user *buf, size_t count);
/* tmpfs_name_of - copy the name under which @dir links @child into @buf
 * (@size bytes, NUL-terminated). Returns its length, or -ENOENT. Takes
 * dir's lock. */
int tmpfs_name_of(struct inode *dir, struct inode *child, char *buf, size_t size);
extern const struct file_ops tmpfs_dir_ops;

/* ---- fs/vfs.c: the path walk ---- */

extern struct inode *vfs_root;		/* [I] after fs_init: the tmpfs root */
extern struct spinlock vfs_parent_lock;	/* [p] */
extern struct mutex vfs_rename_lock;	/* serialises renames (tree shape) */

#define VFS_FOLLOW	0x1	/* follow a symlink in the last component */

/* The result of a walk that stops before the last component. */
struct vfs_last {
	struct inode *dir;	/* counted: the directory holding the last component */
	const char *name;	/* points into the walked path, not NUL-terminated */
	size_t len;		/* 0 when the path names a directory itself ("/", "a/.") */
	bool dot;		/* the last component is "." or ".." */
	bool slash;		/* the path ends with '/' */
};

/* vfs_resolve - walk @path (kernel string) from @start (or @root for an
 * absolute path); @root bounds "..". Returns 0 and a counted inode in *@out,
 * or -ENOENT, -ENOTDIR, -ELOOP, -ENAMETOOLONG, -EACCES. May sleep. */
int vfs_resolve(struct inode *root, struct inode *start, const char *path, unsigned flags,
		struct inode **out);
/* vfs_resolve_last - walk all but the last component of @path; see struct
 * vfs_last. The caller puts last->dir. Same errors as vfs_resolve. */
int vfs_resolve_last(struct inode *root, struct inode *start, const char *path,
		     struct vfs_last *last);
/* vfs_follow_link_last - continue a create-style walk through the symlink
 * @link found as @last: re-resolve @last against @link's target, counting
 * *@links (-ELOOP past SYMLINK_MAX). Replaces last->dir. */
int vfs_follow_link_last(struct inode *root, struct inode *link, struct vfs_last *last,
			 int *links);
/* vfs_parent_get - @ino's parent, counted, or NULL for the tmpfs root. */
struct inode *vfs_parent_get(struct inode *ino);
/* vfs_is_ancestor - @a is @d or one of its ancestors. Takes [p]. */
bool vfs_is_ancestor(struct inode *a, struct inode *d);
/* vfs_inode_path - the absolute path of @ino as seen from @root, into @buf
 * (@size bytes). Returns the length, -ENOENT (unlinked), -ENAMETOOLONG. */
int vfs_inode_path(struct inode *root, struct inode *ino, char *buf, size_t size);

/* ---- fs/namespace.c: creating and removing names ---- */

/* vfs_mknod - create @last (a new name) as an inode of @mode (the umask is
 * already applied), symlink target @target for S_IFLNK, device @major:@minor
 * for S_IFCHR. With @out, a counted reference to the new inode is returned
 * there. 0 or -EEXIST, -ENOENT, -ENOMEM, -ENOTDIR, -EACCES. */
int vfs_mknod(struct vfs_last *last, u32 mode, const char *target, u32 major, u32 minor,
	      struct inode **out);
/* vfs_unlink - remove @last; @rmdir selects rmdir(2) semantics. */
int vfs_unlink(struct inode *root, struct vfs_last *last, bool rmdir);
/* vfs_rename - renameat2(2) from @from to @to with @flags RENAME_NOREPLACE or
 * RENAME_EXCHANGE (-EINVAL for others or both). 0 or -ENOENT, -EEXIST,
 * -EISDIR, -ENOTDIR, -ENOTEMPTY, -EINVAL, -EBUSY, -EXDEV, -EACCES, -EPERM
 * (sticky directory), -ENOMEM. Takes vfs_rename_lock, then both directories. */
int vfs_rename(struct inode *root, struct vfs_last *from, struct vfs_last *to, unsigned flags);
/* vfs_link - link(2): a new name @last for the existing non-directory @src.
 * 0 or -EEXIST, -EPERM (a directory; another user's file the caller may not
 * read and write, or a set-ID one: protected_hardlinks), -EXDEV, -ENOENT (unlinked @src, missing
 * directory), -ENOTDIR, -EACCES, -ENOMEM. Takes the directory's lock, then
 * @src's. May sleep. */
int vfs_link(struct inode *src, struct vfs_last *last);

/* ---- fs/open.c ---- */

/* vfs_open - open(2) of @path from @start with @flags and creation @mode
 * (umask not yet applied). 0 and a new file description in *@out, or a
 * negative errno. May sleep. */
int vfs_open(struct inode *root, struct inode *start, const char *path, u32 flags, u32 mode,
	     struct file **out);
/* vfs_open_inode - an open file description for @ino with @flags (already
 * looked up and permission-checked). */
int vfs_open_inode(struct inode *ino, u32 flags, struct file **out);

/* ---- fs/blkdev_file.c: block special files ---- */

/* blkdev_file_open - open block device node @ino (@flags as given to open, @kept_flags the
 * status flags the description keeps): -ENXIO when no such disk, -EACCES to write a read-only
 * one. May sleep. */
int blkdev_file_open(struct inode *ino, u32 flags, u32 kept_flags, struct file **out);
/* blkdev_file_is - @f is an open block device. blkdev_file_size - its size in bytes.
 * blkdev_file_fsync - flush its write cache: 0 or -EIO. May sleep. */
bool blkdev_file_is(const struct file *f);
u64 blkdev_file_size(struct file *f);
int blkdev_file_fsync(struct file *f);
/* blkdev_populate - a node in directory @dir (a devtmpfs, /dev) for every disk, where missing.
 * May sleep. */
void blkdev_populate(struct inode *dir);

/* ---- fs/chrdev.c, fs/tty.c ---- */

/* chrdev_ops - the operations of character device @major:@minor or NULL. */
const struct file_ops *chrdev_ops(u32 major, u32 minor);
extern const struct file_ops tty_file_ops;
extern struct inode *console_inode;	/* [I] after fs_init */
/* chrdev_create_nodes - /dev and its standard nodes, where missing. */
void chrdev_create_nodes(void);
/* chrdev_populate - the standard device nodes and shm/ in directory @dir
 * (a devtmpfs), where missing. May sleep. */
void chrdev_populate(struct inode *dir);
/* tty_open - the terminal part of open(2) for device @major:@minor: /dev/tty
 * is the caller's controlling terminal (-ENXIO without one); a session
 * leader without one acquires the console unless @flags has O_NOCTTY.
 * 0 or -ENXIO. */
int tty_open(u32 major, u32 minor, u32 flags);

/* ---- fs/lock.c: record, OFD and flock locks ---- */

/* locks_remove_posix - a descriptor of @f's file was closed by descriptor
 * table @owner: drop every POSIX record lock @owner holds on the file
 * (fcntl(2): any close releases them). Takes [k]. Sleeps: no. */
void locks_remove_posix(struct file *f, struct files *owner);
/* locks_remove_file - the last close of @f: drop its OFD and flock locks.
 * Takes [k]. Sleeps: no. */
void locks_remove_file(struct file *f);
/* fcntl_lock - fcntl(2) record-lock command @cmd on @f with user struct
 * flock @arg. 0 or -EBADF (O_PATH; lock type against the access mode),
 * -EFAULT, -EINVAL, -EOVERFLOW, -EAGAIN (F_SETLK conflict), -EDEADLK,
 * -ERESTARTSYS (signal while waiting), -ENOMEM. Takes [k]. May sleep. */
long fcntl_lock(struct file *f, unsigned cmd, void __user *arg);

/* ---- fs/fs_context.c, and path arguments of syscalls (fs/sys_path.c) ---- */

/* fs_current_root_cwd - counted references to current's root and cwd (the
 * tmpfs root when current has no fs context). Takes [l]. */
void fs_current_root_cwd(struct inode **root, struct inode **cwd);
/* fs_current_umask - current's umask. */
mode_t fs_current_umask(void);

/* fs_set_cwd - make @dir (a counted reference, consumed) current's cwd. */
void fs_set_cwd(struct inode *dir);
/* fs_set_root - make @dir (a counted reference, consumed) current's root (chroot(2)). */
void fs_set_root(struct inode *dir);
/* fs_umask_swap - set current's umask to @mask; returns the old one. */
mode_t fs_umask_swap(mode_t mask);

/* ---- fs/fdtable.c: descriptor operations on current's table ---- */

/* fd_dup_to - make @newfd refer to @oldfd's file (dup2/dup3), closing what
 * @newfd held; returns @newfd or -EBADF. Takes [f]. */
int fd_dup_to(int oldfd, int newfd, bool cloexec);
/* fd_cloexec_get - 1 or 0, or -EBADF. fd_cloexec_set - 0 or -EBADF. */
int fd_cloexec_get(int fd);
int fd_cloexec_set(int fd, bool on);

/* file_set_flags - atomically replace status flags @bits of @f with @values. */
void file_set_flags(struct file *f, u32 bits, u32 values);

/* A user path copied in, with the inodes a walk starts from. */
struct upath {
	char *path;		/* kmalloc'd PATH_MAX bytes */
	struct inode *root;	/* counted */
	struct inode *start;	/* counted: cwd, the dirfd's inode, or root */
};

/* upath_get - copy @upath from user memory and pick the start inode for
 * @dirfd (AT_FDCWD or a directory descriptor). With @empty_ok an empty path
 * names @dirfd's own file (AT_EMPTY_PATH). 0 or -EFAULT, -ENAMETOOLONG,
 * -ENOENT (empty path), -EBADF, -ENOTDIR, -ENOMEM. */
int upath_get(struct upath *up, int dirfd, const char __user *upath, bool empty_ok);
/* upath_put - release what upath_get() took. */
void upath_put(struct upath *up);
/* upath_lookup - the inode (counted, in *@out) that user path @path names
 * from @dirfd; @flags: AT_SYMLINK_NOFOLLOW (a final symlink itself),
 * AT_EMPTY_PATH (an empty path names @dirfd's file). Errors of upath_get()
 * and vfs_resolve(). May sleep. */
int upath_lookup(int dirfd, const char __user *path, int flags, struct inode **out);

#endif
