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
 *   [s] superblock->lock (a spinlock, fs/super.c: limits, usage, mount flags)
 *   [k] file_lock_lock (a spinlock, fs/lock.c: every inode's lock list)
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
struct superblock;
struct inotify_mark;

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
	/* anon_name: what /proc/PID/fd shows for a file without an inode
	 * ("anon_inode:[name]"), e.g. "eventpoll"; NULL: "file". */
	const char *anon_name;
	/* llseek: lseek(2) of an object with positions of its own (/dev/kmsg's
	 * records); the new position or a negative errno. NULL: the generic
	 * lseek of a byte stream (seekable says whether there is one). */
	s64 (*llseek)(struct file *f, s64 off, unsigned whence);
};

struct file {
	u32 refcount;			/* [a] descriptors and other holders */
	struct inode *inode;		/* [I] may be NULL for anonymous objects */
	const struct file_ops *ops;	/* [I] */
	u32 flags;			/* O_ACCMODE | O_APPEND | O_NONBLOCK ... */
	bool writer;			/* [I] holds write access to inode (ETXTBSY) */
	u64 pos;			/* [pos_lock] file offset */
	struct mutex pos_lock;
	void *priv;			/* [I] the object's own state */
	struct list_head epoll_links;	/* [epoll_mutex] struct epitem watching it (fs/epoll.c) */
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

/*
 * inode_new_anon - an inode that names no file, of type and permission
 * @mode, owned by the caller's effective ids: what sockets stand on (fstat(2)
 * says S_IFSOCK, /proc/PID/fd says socket:[ino]). Counted, or NULL when out
 * of memory. Sleeps: no.
 */
struct inode *inode_new_anon(u32 mode);

/*
 * epoll_file_release - @f's last reference is going: drop it from every
 * epoll set that watches it (epoll(7): "closing a file descriptor removes
 * it from all epoll interest lists" once no descriptor refers to the open
 * file description). Called by file_put() before ops->release. Takes
 * epoll_mutex when @f is watched. May sleep. (fs/epoll.c)
 */
void epoll_file_release(struct file *f);

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

/* F_SEAL_* of fcntl(2) "File Sealing" (fs/memfd.c enforces them in tmpfs). */
#define F_SEAL_SEAL		0x0001
#define F_SEAL_SHRINK		0x0002
#define F_SEAL_GROW		0x0004
#define F_SEAL_WRITE		0x0008
#define F_SEAL_FUTURE_WRITE	0x0010
#define F_SEAL_EXEC		0x0020

/* memfd_fcntl - fcntl(2) F_ADD_SEALS/F_GET_SEALS on @f (fs/memfd.c): the
 * seals, 0, or -EINVAL (not a memfd, unknown seals), -EPERM (sealed
 * against sealing, or @f not open for writing), -EBUSY (F_SEAL_WRITE with a
 * writable shared mapping). Takes the inode lock. */
long memfd_fcntl(struct file *f, unsigned cmd, u64 arg);

/* kmsg_open - open /dev/kmsg (char 1:11, kernel/kmsg.c) as @ino with open
 * flags @flags: a reader positioned at the oldest record kept. 0 and the
 * file in *@out, or -ENOMEM. Sleeps: no. */
int kmsg_open(struct inode *ino, u32 flags, struct file **out);

/* ---- Pipes (fs/pipe.c) ---- */
struct pipe;

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
	struct pipe *fifo;		/* [fifo_lock] a named pipe's buffer while it is
					 * open (fs/pipe.c), else NULL */
	bool memfd;			/* [I] made by memfd_create(2) (fs/memfd.c) */
	u32 seals;			/* [i] a memfd's F_SEAL_* bits */
	u64 size;			/* [i] bytes (symlink: target length); atomic reads */
	struct fs_time atime, mtime, ctime;	/* [i] */
	struct mutex lock;		/* [i] */
	struct inode *parent;		/* [p] directory last linked into (counted) */

	/* Regular files: one slot per 4 KiB page of data, NULL for a hole, or
	 * the swap entry of a page in swap (include/swap.h shmem_slot_*). */
	struct page **pages;		/* [i] */
	u64 npages;			/* [i] slots in pages */
	u64 swapped;			/* [i] slots holding a swap entry */
	struct list_head swap_link;	/* [shmem_swaplist_lock] while swapped: on the
					 * list swapoff brings back (mm/shmem_swap.c) */
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
	struct superblock *sb;		/* [I] its file system (counted), NULL for internal
					 * objects (pipes, SysV shm): no limits, no flags */
	s32 writecount;			/* [a] > 0: open for writing; < 0: write denied
					 * (being executed), as Linux's i_writecount */
	struct list_head file_locks;	/* [k] record, OFD and flock locks (fs/lock.c) */
	struct inotify_mark *inotify;	/* [inotify_lock] the inotify(7) watches on it, each
					 * counted (fs/inotify.c); hooks read it unlocked */
};

/*
 * procfs_tgid_dir - the pid @ino names when it is a /proc/PID directory (not a
 * task/TID one), else 0: pidfd_send_signal(2) takes such a descriptor as a pidfd.
 */
pid_t procfs_tgid_dir(struct inode *ino);

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
 * inode_find_page - as inode_get_page(), but a page of the file that is in
 * swap is read back first: 0 with the referenced page (or NULL: a hole,
 * beyond EOF) in *@out, or -ENOMEM / -EIO (the page could not come back).
 * Locks: takes ino's lock. May sleep.
 */
int inode_find_page(struct inode *ino, u64 pgoff, struct page **out);

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
 * EPERM, mprotect(2) EACCES). No lock; sleeps: no.
 */
bool inode_on_noexec_mount(const struct inode *ino);

/* ---- Mount flags and write access (fs/super.c) ---- */

/*
 * inode_mount_flags - the MS_NOSUID, MS_NODEV, MS_NOEXEC (and MS_RDONLY,
 * MS_RELATIME) flags of the mount @ino is on (uapi/mount.h); 0 for an inode
 * of no mount. Reads them atomically, no lock. Sleeps: no.
 */
u32 inode_mount_flags(const struct inode *ino);

/*
 * inode_get_write_access / inode_put_write_access - count one more (one
 * fewer) open-for-writing user of @ino. get fails with -ETXTBSY while the
 * file is being executed (Linux get_write_access()).
 * inode_deny_write_access / inode_allow_write_access - the same for an
 * executing user: deny fails with -ETXTBSY while the file is open for
 * writing (execve(2) ETXTBSY, open(2) ETXTBSY). Atomic, no lock, no sleep.
 */
int inode_get_write_access(struct inode *ino);
void inode_put_write_access(struct inode *ino);
int inode_deny_write_access(struct inode *ino);
void inode_allow_write_access(struct inode *ino);
/* inode_exe_get - one more reference to executable @ino, whose write access
 * an executing holder already denies, denying it once more (a forked mm);
 * returns @ino. inode_exe_put - allow write access and put @ino. No sleep. */
struct inode *inode_exe_get(struct inode *ino);
void inode_exe_put(struct inode *ino);

/* ---- Descriptor tables (fs/fdtable.c) ---- */

#define FD_MAX		1024	/* descriptors a new table has room for (RLIMIT_NOFILE default) */
#define FD_CHUNK	512	/* descriptors per chunk: one page of pointers */
#define NR_OPEN_DEFAULT	1048576	/* fs.nr_open: Linux's default */
#define NR_OPEN_MIN	64	/* Linux's bounds for fs.nr_open (BITS_PER_LONG ... */
#define NR_OPEN_MAX	2147483584	/* ... INT_MAX rounded down to a multiple of 64) */

/*
 * A descriptor table grows in chunks of FD_CHUNK descriptors as high
 * descriptors are used, up to RLIMIT_NOFILE and fs.nr_open (Linux's
 * expand_files()); a chunk's page of pointers is allocated when the chunk
 * is first used.
 */
struct fd_chunk {
	struct file **fd;		/* [f] FD_CHUNK slots, or NULL: none used yet */
	u64 cloexec[FD_CHUNK / 64];	/* [f] FD_CLOEXEC bits */
	u32 used;			/* [f] open descriptors in the chunk */
};

struct files {
	u32 refcount;			/* [a] tasks sharing the table (CLONE_FILES) */
	struct spinlock lock;		/* [f] */
	u32 nchunks;			/* [f] chunks in @chunks: room for nchunks * FD_CHUNK */
	struct fd_chunk *chunks;	/* [f] chunk_init, or a kmalloc'd array once grown */
	struct fd_chunk chunk_init[FD_MAX / FD_CHUNK];	/* [f] */
};

/*
 * fs.nr_open (/proc/sys/fs/nr_open): the most descriptors a table may hold,
 * so the ceiling of RLIMIT_NOFILE. nr_open_get - its value. nr_open_set -
 * set it to @v: 0, or -EINVAL outside [NR_OPEN_MIN, NR_OPEN_MAX] (a value
 * is taken as a whole; tables already larger keep their descriptors).
 * Atomic; no lock. Sleeps: no.
 */
u32 nr_open_get(void);
int nr_open_set(u64 v);

/* files_lookup - the file at descriptor @fd of table @t, counted, or NULL.
 * files_next_fd - the lowest open descriptor >= @from in @t, or -1.
 * files_size - descriptors @t has room for now (/proc/PID/status FDSize).
 * All take [f]. Sleeps: no. */
struct file *files_lookup(struct files *t, int fd);
int files_next_fd(struct files *t, int from);
u32 files_size(struct files *t);

/*
 * fd_install - put @f (the caller's reference moves into the table) at the
 * lowest free descriptor >= @min of current's table, FD_CLOEXEC when
 * @cloexec. Returns the descriptor, -EMFILE when none is free below
 * RLIMIT_NOFILE and fs.nr_open, -ENOMEM when the table cannot grow, -EINVAL
 * when @min < 0. Locks: takes [f]. Sleeps: no. POSIX "lowest available".
 */
int fd_install(struct file *f, int min, bool cloexec);

/*
 * fd_get - the file at descriptor @fd of current's table with a reference
 * taken (file_put() it), or NULL if @fd is not open. Locks: takes [f].
 */
struct file *fd_get(int fd);

/* fd_close - close @fd of current's table: 0 or -EBADF. Takes [f]; the
 * file is put after. May sleep. */
int fd_close(int fd);

/* files_new - an empty table (refcount 1), or NULL. */
struct files *files_new(void);
/* files_dup - a copy of @f sharing every open file description (fork), or
 * NULL when out of memory. */
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

/* ---- Readiness files (fs/timerfd.c, fs/signalfd.c) ---- */

/* timerfd_tick - CPU 0's timer tick at monotonic @now (ns): wake the
 * waiters of expired timerfds. Interrupt context; takes tfd_lock. */
void timerfd_tick(u64 now);

/* signalfd_notify - a signal became pending somewhere: signalfd readers
 * and pollers look again. Any context; takes a wait-queue lock. */
void signalfd_notify(void);

/* ---- Socket names (fs/sockname.c) ---- */

/*
 * vfs_mksock - bind(2) of a unix(7) pathname: create @path (kernel string,
 * relative to current's cwd) as a socket inode with permission bits @mode
 * less the umask. 0 and the counted inode in *@out, or -EEXIST (the name
 * exists: bind says EADDRINUSE), -ENOENT, -ENOTDIR, -EACCES, -ELOOP,
 * -ENAMETOOLONG, -ENOMEM. May sleep.
 */
int vfs_mksock(const char *path, mode_t mode, struct inode **out);

/*
 * vfs_find_sock - connect(2)'s lookup of a unix(7) pathname: the socket
 * inode @path names (symlinks followed), counted in *@out, which the caller
 * may write to. -ENOENT, -ENOTDIR, -ELOOP, -ECONNREFUSED (not a socket),
 * -EACCES (no write permission). May sleep.
 */
int vfs_find_sock(const char *path, struct inode **out);

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

/*
 * Core dump files (core(5); fs/corefile.c, used by kernel/coredump.c).
 * vfs_core_open - create @path (relative to current's cwd unless absolute)
 * mode 0600 less the umask, or reuse it: never through a final symlink, and
 * only a regular file owned by current's filesystem uid with one link, which
 * is then truncated. Returns 0 with *@out counted, or a negative errno.
 * vfs_core_write - write @n kernel bytes at offset @off; 0 or -errno.
 * vfs_core_set_size - the file's size (a hole at the end reads as zeros).
 * All may sleep.
 */
int vfs_core_open(const char *path, struct file **out);
int vfs_core_write(struct file *f, u64 off, const void *buf, size_t n);
int vfs_core_set_size(struct file *f, u64 size);
/* vfs_core_path - the absolute path of @ino seen from current's root, into
 * @buf of @size bytes; its length, or -ENOENT (unlinked) / -ENAMETOOLONG. */
int vfs_core_path(struct inode *ino, char *buf, size_t size);

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

/*
 * tty_console_input_escaped - the console's input is an escaped byte stream from a pipe
 * (boot option console_input=escaped): 0xff 0xff is the byte 0xff, 0xff 0x00 ends the input,
 * after which reads return what is queued and then 0 (end of file). Input bytes are taken
 * as they are (no CR-to-NL). Called once at boot. Locks: the tty's. Sleeps: no.
 */
void tty_console_input_escaped(void);

#endif
