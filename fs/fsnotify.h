/*
 * The file-system event hooks (Linux's fsnotify): the VFS calls these where a
 * file is opened, read, written, closed, changes attributes, or where a name
 * is created, removed or moved; fs/inotify.c turns them into the inotify(7)
 * events of the watches on the inodes concerned.
 *
 * Cost: a hook whose inode nobody watches is one load of inode->inotify (and,
 * for the events a watched directory reports about its children, one load of
 * the count of watched directories); everything else is out of line.
 *
 * Locks: inotify_lock (a spinlock, fs/inotify.c) guards every inode's
 * inode->inotify list; the hooks take it and the instances' queue locks only.
 * fsnotify_inode() and fsnotify_close() may also take the parent directory's
 * inode lock to learn the child's name, so they are called with no inode lock
 * and no spinlock held; the name hooks never sleep.
 */
#ifndef SPROUT_FS_FSNOTIFY_H
#define SPROUT_FS_FSNOTIFY_H

#include "fs.h"
#include "uapi/inotify.h"

/* Watches on directories anywhere [a]: non-zero makes child events look up. */
extern u32 inotify_dir_watches;

/* __fsnotify_inode - fsnotify_inode()'s slow path. */
void __fsnotify_inode(struct inode *ino, u32 mask);
/* __fsnotify_name - fsnotify_name()'s slow path. */
void __fsnotify_name(struct inode *dir, u32 mask, const char *name, size_t len, u32 cookie);
/* __fsnotify_child - fsnotify_child()'s slow path. */
void __fsnotify_child(struct inode *dir, const char *name, size_t len, struct inode *ino,
		      u32 mask);
/* __fsnotify_unlinked - fsnotify_unlinked()'s slow path. */
void __fsnotify_unlinked(struct inode *ino);

/*
 * fsnotify_inode - event @mask (one IN_* bit: IN_ACCESS, IN_MODIFY, IN_ATTRIB,
 * IN_OPEN, IN_CLOSE_*, IN_MOVE_SELF) happened to @ino (counted by the
 * caller): the watches on @ino get it, and for the events of a file those on
 * its directory, with its name. IN_ISDIR is added for a directory. Takes
 * inotify_lock, the parent's inode lock (watched parent only). May sleep.
 */
static inline void fsnotify_inode(struct inode *ino, u32 mask)
{
	if (__atomic_load_n(&ino->inotify, __ATOMIC_RELAXED) ||
	    __atomic_load_n(&inotify_dir_watches, __ATOMIC_RELAXED))
		__fsnotify_inode(ino, mask);
}

/*
 * fsnotify_name - event @mask (IN_CREATE, IN_DELETE, IN_MOVED_FROM or
 * IN_MOVED_TO, with IN_ISDIR when the entry is a directory) about the entry
 * @name (@len bytes) of directory @dir, counted by the caller; @cookie pairs
 * the two halves of a rename (0 otherwise). Takes inotify_lock. Sleeps: no.
 */
static inline void fsnotify_name(struct inode *dir, u32 mask, const char *name, size_t len,
				 u32 cookie)
{
	if (__atomic_load_n(&dir->inotify, __ATOMIC_RELAXED))
		__fsnotify_name(dir, mask, name, len, cookie);
}

/*
 * fsnotify_child - fsnotify_inode() when the caller knows the directory @dir
 * and the name @name (@len bytes) of @ino (all counted), or with @dir NULL an
 * event for @ino's own watches only: link(2), unlink(2) and rename(2) report
 * the link count change (IN_ATTRIB) and IN_MOVE_SELF this way, as Linux's
 * fsnotify_link_count(). Takes inotify_lock. Sleeps: no.
 */
static inline void fsnotify_child(struct inode *dir, const char *name, size_t len,
				  struct inode *ino, u32 mask)
{
	if (__atomic_load_n(&ino->inotify, __ATOMIC_RELAXED) ||
	    (dir && __atomic_load_n(&dir->inotify, __ATOMIC_RELAXED)))
		__fsnotify_child(dir, name, len, ino, mask);
}

/*
 * fsnotify_unlinked - @ino (counted once by the caller) lost a name: when it
 * has none left and nothing but the caller and its watches holds it, its
 * watches get IN_DELETE_SELF and go (IN_IGNORED), dropping the references
 * they held; otherwise that waits for the last other holder to go
 * (fsnotify_inode_put()). Takes inotify_lock; the references are put after.
 * Sleeps: no.
 */
static inline void fsnotify_unlinked(struct inode *ino)
{
	if (__atomic_load_n(&ino->inotify, __ATOMIC_RELAXED))
		__fsnotify_unlinked(ino);
}

/* __fsnotify_inode_put - fsnotify_inode_put()'s slow path. */
void __fsnotify_inode_put(struct inode *ino, u32 left);

/*
 * fsnotify_inode_put - inode_put() left @left references on @ino: when @ino
 * has no name and only its watches hold it now, the last user of the
 * unlinked file is gone (an open file closed, a cwd moved away) and its
 * watches get IN_DELETE_SELF and go, as Linux does when the last dentry
 * reference of an unlinked inode is dropped. Takes inotify_lock. Sleeps: no.
 */
static inline void fsnotify_inode_put(struct inode *ino, u32 left)
{
	if (__atomic_load_n(&ino->inotify, __ATOMIC_RELAXED))
		__fsnotify_inode_put(ino, left);
}

/* fsnotify_cookie - a new cookie for the two events of one rename. Atomic. */
u32 fsnotify_cookie(void);

/*
 * fsnotify_close - the last reference to @f is going: IN_CLOSE_WRITE if it
 * was open for writing, else IN_CLOSE_NOWRITE (close(2)). As fsnotify_inode.
 */
static inline void fsnotify_close(struct file *f)
{
	u32 acc = f->flags & O_ACCMODE;

	if (f->inode && !(f->flags & O_PATH))
		fsnotify_inode(f->inode, acc == O_WRONLY || acc == O_RDWR ? IN_CLOSE_WRITE
									    : IN_CLOSE_NOWRITE);
}

/*
 * /proc/sys/fs/inotify (proc(5)): max_user_instances, max_user_watches and
 * max_queued_events. The getters return the value; the setters take a value
 * the sysctl table has checked (0 .. INT_MAX) and return 0. Atomic; no lock.
 */
long inotify_max_user_instances_get(void);
int inotify_max_user_instances_set(long v);
long inotify_max_user_watches_get(void);
int inotify_max_user_watches_set(long v);
long inotify_max_queued_events_get(void);
int inotify_max_queued_events_set(long v);

#endif
