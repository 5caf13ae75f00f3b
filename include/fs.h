/*
 * The file-system layer as the rest of the kernel sees it: inodes, open file
 * descriptions, descriptor tables, the filesystem context, and the calls
 * exec, fork and exit make. Internals (tmpfs, console, path walk, the file
 * syscalls) live in fs/; fs/ may extend this header.
 *
 * Locks:
 *   [a] atomic
 *   [i] inode->lock (a mutex: data and directory contents; may sleep)
 *   [f] files->lock (a spinlock: the descriptor array)
 *   [I] immutable after creation
 *   [p] vfs_parent_lock (a spinlock, fs/vfs.c): every inode's parent pointer
 *   [l] fs_context->lock (a spinlock: cwd, root, umask)
 *
 * Lock order: vfs_rename_lock (mutex) -> directory inode locks (an ancestor
 * before its descendants; unrelated directories in address order) -> the
 * locks of inodes named in them -> spinlocks ([f], [l], [p], wait queues).
 * Nothing sleeps under a spinlock and no inode lock is held across a
 * copy_to_user/copy_from_user (a fault may need the same inode).
 */
#ifndef SPROUT_FS_H
#define SPROUT_FS_H

#include "types.h"
#include "list.h"
#include "uaccess.h"
#include "mutex.h"
#include "spinlock.h"
#include "uapi/fcntl.h"
#include "uapi/stat.h"

struct page;
struct boot_info;
struct file;
struct inode;
struct poll_table;
struct wait_queue;
struct inode_ops;

/* Open file description: shared by dup() and by fork() (one offset). */
struct file_ops {
	/* read: @buf is a user address; write: @src is user memory or a kernel
	 * buffer (include/uaccess.h); *@pos is the offset to use and update. */
	ssize_t (*read)(struct file *f, void __user *buf, size_t n, u64 *pos);
	ssize_t (*write)(struct file *f, struct io_src src, size_t n, u64 *pos);
	long (*ioctl)(struct file *f, unsigned cmd, u64 arg);
	void (*release)(struct file *f);
	bool seekable;
	/* poll: the POLL* readiness mask of @f now; registers the wait queues
	 * that announce a change with poll_wait(@pt, ...). @pt may be NULL (no
	 * registration). Must not sleep. NULL means "always readable and
	 * writable" (regular files, poll(2)'s DEFAULT_POLLMASK). */
	unsigned (*poll)(struct file *f, struct poll_table *pt);
};

struct file {
	u32 refcount;			/* [a] descriptors and other holders */
	struct inode *inode;		/* [I] may be NULL for anonymous objects */
	const struct file_ops *ops;	/* [I] */
	u32 flags;			/* O_ACCMODE | O_APPEND | O_NONBLOCK ... */
	u64 pos;			/* [pos_lock] file offset */
	struct mutex pos_lock;
	void *priv;			/* [I] the object's own state */
};

/* file_get/file_put - reference an open file description; the last put
 * calls ops->release and drops the inode. */
void file_get(struct file *f);
void file_put(struct file *f);

/*
 * file_alloc - a new open file description (refcount 1) for @inode (a
 * reference is taken; may be NULL), with @ops, open flags @flags (O_ACCMODE,
 * O_APPEND, O_NONBLOCK, ...) and private data @priv. Returns NULL when out of
 * memory. Sleeps: no.
 */
struct file *file_alloc(struct inode *inode, const struct file_ops *ops, u32 flags, void *priv);

/* file_flags - a snapshot of f->flags (changed atomically by fcntl F_SETFL). */
static inline u32 file_flags(const struct file *f)
{
	return __atomic_load_n(&f->flags, __ATOMIC_RELAXED);
}

/* ---- Readiness (fs/poll.c) ---- */

/*
 * poll_wait - from a file's poll operation: have the poll(2)/select(2) in
 * progress sleep on @wq as well, so a wake_up(@wq) makes it look again. Does
 * nothing when @pt is NULL. Locks: takes @wq's lock. Sleeps: no.
 */
void poll_wait(struct poll_table *pt, struct wait_queue *wq);

/* ---- Pipes (fs/pipe.c) ---- */

/*
 * pipe_fcntl - fcntl(2) F_SETPIPE_SZ (@arg bytes, rounded up to a power of
 * two pages) and F_GETPIPE_SZ on pipe @f. Returns the capacity in bytes,
 * -EBADF when @f is not a pipe, -EINVAL, -EBUSY (more data buffered than
 * the new size), -EPERM (growing past pipe-max-size or a pipe-user-pages
 * limit, unprivileged; fs/pipe_acct.c), -ENOMEM. Sleeps: no.
 */
long pipe_fcntl(struct file *f, unsigned cmd, u64 arg);

/* ---- Inodes (fs/inode.c) ---- */

/* Seconds and nanoseconds since the Unix epoch. */
struct fs_time {
	s64 sec;
	s64 nsec;
};

/*
 * An in-memory tmpfs inode. Its reference count covers every holder: open
 * files, cwd/root of fs contexts, the directory entries that name it (so
 * nlink is only what stat reports) and the parent pointers of its children.
 * It is freed on the last inode_put(), so an unlinked file lives on until its
 * last close.
 */
struct inode {
	u32 refcount;			/* [a] */
	u64 ino;			/* [I] inode number */
	u32 mode;			/* type bits [I], permission bits [i] */
	u32 nlink;			/* [i] links (directories: 2 + subdirectories) */
	bool tmpfile_linkable;		/* [i] O_TMPFILE without O_EXCL: linkat may name it */
	uid_t uid;			/* [i] */
	gid_t gid;			/* [i] */
	u32 rdev_major, rdev_minor;	/* [I] device number of a S_IFCHR node */
	u64 size;			/* [i] bytes (symlink: target length); atomic reads */
	struct fs_time atime, mtime, ctime;	/* [i] */
	struct mutex lock;		/* [i] */
	struct inode *parent;		/* [p] directory last linked into (counted) */

	/* Regular files: one slot per 4 KiB page of data, NULL for a hole. */
	struct page **pages;		/* [i] */
	u64 npages;			/* [i] slots in pages */
	/* The VMAs that map it (struct vma by file_link), under mm_rmap_lock
	 * (include/mm.h): truncate finds the pages to unmap through them. */
	struct list_head mappings;
	/* Directories: struct tmpfs_dirent by link, in creation order. */
	struct list_head entries;	/* [i] */
	u64 next_off;			/* [i] getdents cookie of the next entry added */
	/* Symlinks: the target, NUL-terminated. */
	char *target;			/* [I] */

	/* Which filesystem instance the inode belongs to, and mounts. */
	const struct inode_ops *iops;	/* [I] NULL for tmpfs; else the synthetic fs's ops */
	u32 dev_minor;			/* [I] st_dev is 0:dev_minor (one per instance) */
	u64 priv;			/* [I] the synthetic fs's own data (procfs: node) */
	struct inode *mounted;		/* [p] root of the fs mounted on this dir (counted) */
	struct inode *covered;		/* [p] of a mounted root: its mount point (counted) */
};

static inline u32 inode_type(const struct inode *ino) { return ino->mode & S_IFMT; }
static inline bool inode_is_dir(const struct inode *ino) { return S_ISDIR(ino->mode); }
static inline bool inode_is_reg(const struct inode *ino) { return S_ISREG(ino->mode); }
static inline bool inode_is_lnk(const struct inode *ino) { return S_ISLNK(ino->mode); }

/*
 * inode_get/inode_put - reference counting; the last put of an unlinked
 * inode frees its data pages.
 */
void inode_get(struct inode *ino);
void inode_put(struct inode *ino);

/* inode_size - current size in bytes. */
u64 inode_size(struct inode *ino);

/*
 * inode_read - copy up to @n bytes at byte offset @off of regular file @ino
 * into kernel buffer @buf. Returns bytes read (0 at EOF) or a negative errno.
 * Locks: takes ino's lock. May sleep.
 */
ssize_t inode_read(struct inode *ino, u64 off, void *buf, size_t n);

/*
 * inode_get_page - the page holding bytes [pgoff * PAGE_SIZE, +PAGE_SIZE) of
 * regular file @ino, with a reference taken for the caller (page_put() it),
 * or NULL for a hole or beyond EOF (the caller maps zeroes).
 * Locks: takes ino's lock. May sleep.
 */
struct page *inode_get_page(struct inode *ino, u64 pgoff);

/*
 * inode_get_page_shared - the page holding page @pgoff of regular file @ino
 * for a MAP_SHARED mapping, allocated (zeroed) when it is a hole, with a
 * reference for the caller. Returns 0, -EFAULT (beyond the end of the file:
 * SIGBUS territory) or -ENOMEM. Locks: takes ino's lock. May sleep.
 */
int inode_get_page_shared(struct inode *ino, u64 pgoff, struct page **out);

/*
 * tmpfs_anon_create - an unlinked tmpfs regular file of @size bytes (all
 * holes) and permission bits @mode, for SysV shared memory. 0 and a
 * referenced inode in *@out, or -ENOMEM / -EFBIG. May sleep.
 */
int tmpfs_anon_create(u64 size, u32 mode, struct inode **out);

/*
 * inode_on_noexec_mount - does @ino belong to a filesystem mounted noexec
 * (mount(2) MS_NOEXEC)? Its mappings may then never be executable (mmap(2)
 * EPERM, mprotect(2) EACCES). Locks: takes mount_lock (fs/mount.c); call
 * with no mm or inode lock held. May sleep.
 */
bool inode_on_noexec_mount(const struct inode *ino);

/* ---- Descriptor tables (fs/fdtable.c) ---- */

#define FD_MAX	1024	/* RLIMIT_NOFILE default */

struct files {
	u32 refcount;			/* [a] tasks sharing the table (CLONE_FILES) */
	struct spinlock lock;		/* [f] */
	struct file *fd[FD_MAX];	/* [f] each holds one file reference */
	u64 cloexec[FD_MAX / 64];	/* [f] FD_CLOEXEC bits */
};

/*
 * fd_install - put @f (the caller's reference moves into the table) at the
 * lowest free descriptor >= @min of current's table, FD_CLOEXEC when
 * @cloexec. Returns the descriptor, -EMFILE when none is free, -EINVAL when
 * @min >= FD_MAX. Locks: takes [f]. Sleeps: no. POSIX "lowest available".
 */
int fd_install(struct file *f, int min, bool cloexec);

/*
 * fd_get - the file at descriptor @fd of current's table with a reference
 * taken (file_put() it), or NULL if @fd is not open. Locks: takes [f].
 */
struct file *fd_get(int fd);

/* files_new - an empty table (refcount 1), or NULL. */
struct files *files_new(void);
/* files_dup - a copy of @f sharing every open file description (fork). */
struct files *files_dup(struct files *f);
/* files_get/files_put - the last put closes every descriptor. */
void files_get(struct files *f);
void files_put(struct files *f);
/* files_close_on_exec - close every FD_CLOEXEC descriptor (execve). */
void files_close_on_exec(struct files *f);
/* files_open_console - open the console as descriptors 0, 1 and 2 of @f (one
 * shared open file description, O_RDWR). 0 or -ENOMEM. Requires fs_init(). */
int files_open_console(struct files *f);

/* ---- Filesystem context: cwd, root, umask (fs/fs_context.c) ---- */

struct fs_context {
	u32 refcount;			/* [a] tasks sharing it (CLONE_FS) */
	struct spinlock lock;		/* [l] */
	struct inode *root;		/* [l] counted */
	struct inode *cwd;		/* [l] counted */
	mode_t umask;			/* [l] */
};

/* fs_context_new - root and cwd at the tmpfs root, umask 022; NULL if out
 * of memory. fs_context_dup - a copy of @fs (fork without CLONE_FS).
 * fs_context_get/put - references (CLONE_FS shares one context). */
struct fs_context *fs_context_new(void);
struct fs_context *fs_context_dup(struct fs_context *fs);
void fs_context_get(struct fs_context *fs);
void fs_context_put(struct fs_context *fs);

/* ---- Exec support ---- */

/*
 * vfs_open_exec - look @path up relative to current's cwd and check it can be
 * executed. Returns 0 and a referenced inode in *@out, or -ENOENT, -ENOTDIR,
 * -ELOOP, -ENAMETOOLONG, -EACCES (a directory, not a regular file, or no
 * execute permission). Also stores the absolute path in @abspath (@size bytes).
 * May sleep.
 */
int vfs_open_exec(const char *path, struct inode **out, char *abspath, size_t size);

/* vfs_exec_path_at - execveat(2)'s lookup: the absolute path (into @abspath,
 * @size bytes) of the executable user path @upath names from @dirfd with
 * @flags AT_EMPTY_PATH / AT_SYMLINK_NOFOLLOW. 0, -EINVAL, -EBADF, -ENOTDIR,
 * -ENOENT, -ELOOP, -EACCES, -EFAULT. May sleep. (fs/sys_path.c) */
int vfs_exec_path_at(int dirfd, const char __user *upath, int flags, char *abspath, size_t size);

/*
 * vfs_upath_lookup - the inode (referenced, in *@out) that user string
 * @upath names from current's cwd, following symlinks. 0, -EFAULT,
 * -ENAMETOOLONG, -ENOENT, -ENOTDIR, -ELOOP, -ENOMEM. vfs_path_name - the
 * absolute path of @ino from current's root into @buf (@size bytes): its
 * length, or -ENOENT (unlinked), -ENAMETOOLONG. Both may sleep.
 * (fs/sys_path.c; swapon(2) uses them.)
 */
int vfs_upath_lookup(const char __user *upath, struct inode **out);
int vfs_path_name(struct inode *ino, char *buf, size_t size);

/* ---- Start-up ---- */

/* fs_init - mount the root tmpfs and unpack the initramfs (@bi's initrd)
 * into it. Panics only if the root cannot be created. */
void fs_init(struct boot_info *bi);

/*
 * tty_session_leader_exit - the leader of session @sid is exiting: if the
 * console is the session's controlling terminal, its foreground process
 * group gets SIGHUP and SIGCONT and the terminal is released (POSIX.1-2017
 * _exit(): "controlling process"). Call with no locks held. Sleeps: no.
 */
void tty_session_leader_exit(pid_t sid);

/* console_rx is declared in arch.h (the UART interrupt feeds it). */

#endif
