/*
 * inotify(7): file-system events read from a descriptor. An instance
 * (inotify_init1(2)) is an anonymous file holding a queue of events and the
 * watches added to it (inotify_add_watch(2)); a watch is a mark on one inode,
 * holding a reference to it, with a watch descriptor (wd) that is a small
 * positive number of its instance. The VFS reports what happens through the
 * hooks of fs/fsnotify.h; each mark whose mask asks for the event queues one
 * record (wd, mask, cookie, name). read(2) returns whole records; a record
 * equal to the last one still queued is merged into it, and past
 * fs.inotify.max_queued_events one IN_Q_OVERFLOW record stands for the lost
 * ones. A watch goes with inotify_rm_watch(2), IN_ONESHOT, or when its inode
 * loses its last name, with an IN_IGNORED record.
 *
 * Limits (/proc/sys/fs/inotify, proc(5)): max_user_instances instances and
 * max_user_watches watches per user (the effective uid of the creator),
 * max_queued_events records per instance (read when it is made).
 *
 * Locks:
 *   inotify_lock (spinlock) guards every inode->inotify list, each
 *     instance's mark list and last wd, the marks' masks, and the per-user
 *     counts. The notify path runs under it, so it never sleeps there.
 *   group->lock (spinlock) guards one instance's queue.
 *   Order: inotify_lock -> group->lock -> kmalloc class lock; the wake-up of
 *   readers (a wait-queue lock) comes after group->lock is released.
 * A mark is freed under inotify_lock once unlinked, and an instance only after
 * its marks are, so whoever holds inotify_lock may use the groups of the marks
 * it finds.
 */
#include "internal.h"
#include "fsnotify.h"
#include "cpu.h"
#include "kmalloc.h"
#include "page.h"
#include "sched.h"
#include "task.h"
#include "uaccess.h"
#include "uapi/ioctl.h"
#include "uapi/poll.h"

#define INOTIFY_MAX_INSTANCES_DEF	128	/* Linux's defaults */
#define INOTIFY_MAX_EVENTS_DEF		16384
#define INOTIFY_WATCHES_MIN		8192	/* the bounds of Linux's computed default */
#define INOTIFY_WATCHES_MAX		1048576
#define EVENT_SIZE			sizeof(struct linux_inotify_event)	/* 16 */

/* Events a directory's watch also reports about its children (with a name). */
#define CHILD_EVENTS	(IN_ACCESS | IN_MODIFY | IN_ATTRIB | IN_CLOSE_WRITE | \
			 IN_CLOSE_NOWRITE | IN_OPEN)

struct inotify_user;

/* One queued record; @name holds @len bytes (the name, NUL-padded). */
struct inotify_kevent {
	struct list_head link;		/* [group->lock] */
	s32 wd;
	u32 mask, cookie;
	u32 len;			/* bytes of name in the record: 0 or a multiple of 16 */
	u32 namelen;			/* the name's own length */
	bool overflow;			/* the IN_Q_OVERFLOW record */
	char name[];
};

struct inotify_group {
	struct spinlock lock;
	struct list_head events;	/* [lock] struct inotify_kevent, oldest first */
	u32 nevents;			/* [lock] records queued */
	u64 bytes;			/* [lock] their size as read(2) returns them */
	bool overflow_queued;		/* [lock] an IN_Q_OVERFLOW record is queued */
	struct inotify_kevent *spare;	/* [lock] kept for IN_Q_OVERFLOW, or NULL */
	u32 max_events;			/* [I] max_queued_events when made */
	struct wait_queue wait;		/* readers and pollers */
	struct list_head marks;		/* [inotify_lock] its struct inotify_mark */
	s32 last_wd;			/* [inotify_lock] */
	struct inotify_user *user;	/* [I] charged for the instance and its watches */
};

struct inotify_mark {
	struct inotify_mark *next;	/* [inotify_lock] the next mark on the same inode */
	struct list_head group_link;	/* [inotify_lock] */
	struct inotify_group *group;	/* [I] */
	struct inode *inode;		/* [I] counted */
	s32 wd;				/* [I] */
	u32 mask;			/* [inotify_lock] IN_* events and flags */
};

/* What one user (effective uid) has: freed when both counts are 0. */
struct inotify_user {
	struct list_head link;		/* [inotify_lock] in inotify_users */
	uid_t uid;			/* [I] */
	u32 instances, watches;		/* [inotify_lock] */
};

static struct spinlock inotify_lock = SPINLOCK_INIT("inotify");
static LIST_HEAD(inotify_users);	/* [inotify_lock] */
u32 inotify_dir_watches;		/* [a], changed under inotify_lock */
static u32 inotify_cookie_next;		/* [a] */

static int max_user_instances = INOTIFY_MAX_INSTANCES_DEF;	/* [a] */
static int max_user_watches = -1;	/* [a] -1: Linux's default, computed at first use */
static int max_queued_events = INOTIFY_MAX_EVENTS_DEF;		/* [a] */

static const struct file_ops inotify_ops;

/* ---- The limits (/proc/sys/fs/inotify) ---- */

long inotify_max_user_instances_get(void)
{
	return __atomic_load_n(&max_user_instances, __ATOMIC_RELAXED);
}

int inotify_max_user_instances_set(long v)
{
	__atomic_store_n(&max_user_instances, (int)v, __ATOMIC_RELAXED);
	return 0;
}

/*
 * Linux's default: what 1% of RAM holds at the cost of a watch (its mark and
 * two inodes), between 8192 and 1048576.
 */
long inotify_max_user_watches_get(void)
{
	int v = __atomic_load_n(&max_user_watches, __ATOMIC_RELAXED);
	int def, unset = -1;
	u64 n;

	if (v >= 0)
		return v;
	n = page_total_count() / 100 * PAGE_SIZE /
	    (sizeof(struct inotify_mark) + 2 * sizeof(struct inode));
	def = (int)MIN(MAX(n, (u64)INOTIFY_WATCHES_MIN), (u64)INOTIFY_WATCHES_MAX);
	__atomic_compare_exchange_n(&max_user_watches, &unset, def, false, __ATOMIC_RELAXED,
				    __ATOMIC_RELAXED);
	return __atomic_load_n(&max_user_watches, __ATOMIC_RELAXED);
}

int inotify_max_user_watches_set(long v)
{
	__atomic_store_n(&max_user_watches, (int)v, __ATOMIC_RELAXED);
	return 0;
}

long inotify_max_queued_events_get(void)
{
	return __atomic_load_n(&max_queued_events, __ATOMIC_RELAXED);
}

int inotify_max_queued_events_set(long v)
{
	__atomic_store_n(&max_queued_events, (int)v, __ATOMIC_RELAXED);
	return 0;
}

u32 fsnotify_cookie(void)
{
	return __atomic_add_fetch(&inotify_cookie_next, 1, __ATOMIC_RELAXED);
}

/* ---- The queue ---- */

static bool same_event(const struct inotify_kevent *e, s32 wd, u32 mask, u32 cookie,
		       const char *name, size_t nlen)
{
	return e->wd == wd && e->mask == mask && e->cookie == cookie && !e->overflow &&
	       e->namelen == nlen && !memcmp(e->name, name, nlen);
}

/*
 * Queue a record for watch @wd of @g, merged into the last one when equal.
 * Past max_events, or out of memory, one IN_Q_OVERFLOW record is queued
 * instead (from the spare when possible). Takes g->lock. Sleeps: no.
 */
static void queue_event(struct inotify_group *g, s32 wd, u32 mask, u32 cookie,
			const char *name, size_t nlen)
{
	u32 len = nlen ? (u32)ALIGN_UP(nlen + 1, EVENT_SIZE) : 0;
	struct inotify_kevent *e = NULL;

	spin_lock(&g->lock);
	if (g->nevents < g->max_events) {
		if (!list_empty(&g->events) &&
		    same_event(list_entry(g->events.prev, struct inotify_kevent, link), wd, mask,
			       cookie, name, nlen)) {
			spin_unlock(&g->lock);
			return;
		}
		e = kmalloc(sizeof(*e) + len);
	}
	if (e) {
		e->wd = wd;
		e->mask = mask;
		e->cookie = cookie;
		e->len = len;
		e->namelen = (u32)nlen;
		e->overflow = false;
		memset(e->name, 0, len);
		memcpy(e->name, name, nlen);
	} else if (!g->overflow_queued) {
		e = g->spare ? g->spare : kmalloc(sizeof(*e));
		g->spare = NULL;
		if (!e) {
			spin_unlock(&g->lock);
			return;
		}
		*e = (struct inotify_kevent){ .wd = -1, .mask = IN_Q_OVERFLOW, .overflow = true };
		g->overflow_queued = true;
	} else {
		spin_unlock(&g->lock);
		return;
	}
	list_add_tail(&e->link, &g->events);
	g->nevents++;
	g->bytes += EVENT_SIZE + e->len;
	spin_unlock(&g->lock);
	wake_up(&g->wait);
}

static bool has_events(struct inotify_group *g)
{
	bool r;

	spin_lock(&g->lock);
	r = !list_empty(&g->events);
	spin_unlock(&g->lock);
	return r;
}

/* Give back a record read out: the overflow one becomes the spare again. */
static void event_free(struct inotify_group *g, struct inotify_kevent *e)
{
	if (e->overflow) {
		spin_lock(&g->lock);
		if (!g->spare) {
			g->spare = e;
			e = NULL;
		}
		spin_unlock(&g->lock);
	}
	kfree(e);
}

/*
 * read(2): as many whole records as fit in @n bytes, oldest first; -EINVAL
 * when the first does not fit, -EAGAIN (O_NONBLOCK) or a wait while none is
 * queued (-ERESTARTSYS on a signal). As Linux's inotify_read(), records are
 * taken one at a time, and one that cannot be copied out is lost and the read
 * fails with -EFAULT (even after others were copied).
 */
static ssize_t inotify_read(struct file *f, void __user *buf, size_t n, u64 *pos)
{
	struct inotify_group *g = f->priv;
	struct inotify_kevent *e;
	size_t done = 0;
	int err;

	for (;;) {
		spin_lock(&g->lock);
		if (list_empty(&g->events)) {
			spin_unlock(&g->lock);
			if (done)
				return (ssize_t)done;
			if (file_flags(f) & O_NONBLOCK)
				return -EAGAIN;
			err = wait_event_interruptible(&g->wait, has_events(g));
			if (err)
				return err;
			continue;
		}
		e = list_first_entry(&g->events, struct inotify_kevent, link);
		if (done + EVENT_SIZE + e->len > n) {
			spin_unlock(&g->lock);
			return done ? (ssize_t)done : -EINVAL;
		}
		list_del(&e->link);
		g->nevents--;
		g->bytes -= EVENT_SIZE + e->len;
		if (e->overflow)
			g->overflow_queued = false;
		spin_unlock(&g->lock);

		struct linux_inotify_event h = { e->wd, e->mask, e->cookie, e->len };
		char __user *to = (char __user *)buf + done;

		err = copy_to_user(to, &h, EVENT_SIZE) ||
		      copy_to_user(to + EVENT_SIZE, e->name, e->len);
		done += EVENT_SIZE + e->len;
		event_free(g, e);
		if (err)
			return -EFAULT;
	}
}

static unsigned inotify_poll(struct file *f, struct poll_table *pt)
{
	struct inotify_group *g = f->priv;

	poll_wait(pt, &g->wait);
	return has_events(g) ? POLLIN | POLLRDNORM : 0;
}

/* FIONREAD: the bytes of the records queued, as an int. */
static long inotify_ioctl(struct file *f, unsigned cmd, u64 arg)
{
	struct inotify_group *g = f->priv;
	u64 n;

	if (cmd != FIONREAD)
		return -ENOTTY;
	spin_lock(&g->lock);
	n = g->bytes;
	spin_unlock(&g->lock);
	return put_user_u32((void __user *)arg, (u32)n) ? -EFAULT : 0;
}

/* ---- Marks ---- */

/*
 * Take mark @m off its inode and its instance and uncharge it; the caller
 * frees @m and puts m->inode after dropping inotify_lock. inotify_lock held.
 */
static void mark_unlink(struct inotify_mark *m)
{
	struct inotify_mark **pp = &m->inode->inotify;

	while (*pp != m)
		pp = &(*pp)->next;
	__atomic_store_n(pp, m->next, __ATOMIC_RELAXED);
	list_del(&m->group_link);
	m->group->user->watches--;
	if (inode_is_dir(m->inode))
		__atomic_sub_fetch(&inotify_dir_watches, 1, __ATOMIC_RELAXED);
}

/* A mark goes: IN_IGNORED for its wd, then unlinked. inotify_lock held. */
static void mark_destroy(struct inotify_mark *m)
{
	queue_event(m->group, m->wd, IN_IGNORED, 0, NULL, 0);
	mark_unlink(m);
}

/*
 * Deliver @mask to the marks of @ino that ask for it: with @name when @ino
 * is the directory of the subject (@unlinked: the subject has no name left,
 * which IN_EXCL_UNLINK marks ignore). IN_ONESHOT marks go after their event;
 * the references they held are counted in *@puts for the caller to drop on
 * @ino after inotify_lock. inotify_lock held.
 */
static void deliver(struct inode *ino, u32 mask, u32 cookie, const char *name, size_t nlen,
		    bool unlinked, int *puts)
{
	struct inotify_mark *m, *next;

	/* inotify never reported IN_ISDIR with these two (Linux keeps it so). */
	if (mask & (IN_MOVE_SELF | IN_DELETE_SELF))
		mask &= ~(u32)IN_ISDIR;
	for (m = ino->inotify; m; m = next) {
		next = m->next;
		if (!(m->mask & mask & IN_ALL_EVENTS))
			continue;
		if (name && unlinked && (m->mask & IN_EXCL_UNLINK))
			continue;
		queue_event(m->group, m->wd, mask, cookie, name, nlen);
		if (m->mask & IN_ONESHOT) {
			mark_destroy(m);
			kfree(m);
			(*puts)++;
		}
	}
}

static void put_n(struct inode *ino, int n)
{
	while (n-- > 0)
		inode_put(ino);
}

void __fsnotify_child(struct inode *dir, const char *name, size_t len, struct inode *ino,
		      u32 mask)
{
	int dir_puts = 0, puts = 0;
	bool unlinked;

	if (inode_is_dir(ino))
		mask |= IN_ISDIR;
	unlinked = !__atomic_load_n(&ino->nlink, __ATOMIC_RELAXED);
	spin_lock(&inotify_lock);
	/* Linux reports to the directory's watch first, then to the file's own. */
	if (dir && name && (mask & CHILD_EVENTS))
		deliver(dir, mask, 0, name, len, unlinked, &dir_puts);
	deliver(ino, mask, 0, NULL, 0, false, &puts);
	spin_unlock(&inotify_lock);
	put_n(dir, dir_puts);
	put_n(ino, puts);
}

void __fsnotify_inode(struct inode *ino, u32 mask)
{
	struct inode *dir = NULL;
	char name[NAME_MAX + 1];
	int len = -1;

	/* The name is looked up only when the directory has a watch, and only where its
	 * lock may be taken: a last file_put() under a spinlock (rare) tells only the
	 * file's own watches. */
	if ((mask & CHILD_EVENTS) && __atomic_load_n(&inotify_dir_watches, __ATOMIC_RELAXED) &&
	    !spin_held_count())
		dir = vfs_parent_get(ino);
	if (dir && !dir->iops && __atomic_load_n(&dir->inotify, __ATOMIC_RELAXED))
		len = tmpfs_name_of(dir, ino, name, sizeof(name));
	if (len >= 0 || __atomic_load_n(&ino->inotify, __ATOMIC_RELAXED))
		__fsnotify_child(len >= 0 ? dir : NULL, len >= 0 ? name : NULL,
				 len >= 0 ? (size_t)len : 0, ino, mask);
	if (dir)
		inode_put(dir);
}

void __fsnotify_name(struct inode *dir, u32 mask, const char *name, size_t len, u32 cookie)
{
	int puts = 0;

	spin_lock(&inotify_lock);
	deliver(dir, mask, cookie, name, len, false, &puts);
	spin_unlock(&inotify_lock);
	put_n(dir, puts);
}

/*
 * The end of unlinked @ino, whose only holders are its @held watches and
 * @extra more references: IN_DELETE_SELF, then every watch goes. Nothing
 * happens while it has a name or other holders. Returns the references to
 * put. inotify_lock held.
 */
static int delete_self(struct inode *ino, u32 held, u32 extra)
{
	struct inotify_mark *m;
	u32 marks = 0;
	int puts = 0;

	/* Only a file system's files have names to lose (not procfs nodes, pipes, sockets). */
	if (__atomic_load_n(&ino->nlink, __ATOMIC_RELAXED) || ino->iops || !ino->sb)
		return 0;
	for (m = ino->inotify; m; m = m->next)
		marks++;
	if (!marks || held != marks + extra)
		return 0;
	deliver(ino, IN_DELETE_SELF, 0, NULL, 0, false, &puts);
	while ((m = ino->inotify)) {
		mark_destroy(m);
		kfree(m);
		puts++;
	}
	return puts;
}

void __fsnotify_unlinked(struct inode *ino)
{
	int puts;

	spin_lock(&inotify_lock);
	puts = delete_self(ino, __atomic_load_n(&ino->refcount, __ATOMIC_RELAXED), 1);
	spin_unlock(&inotify_lock);
	put_n(ino, puts);
}

void __fsnotify_inode_put(struct inode *ino, u32 left)
{
	int puts;

	spin_lock(&inotify_lock);
	puts = delete_self(ino, left, 0);
	spin_unlock(&inotify_lock);
	put_n(ino, puts);
}

/* ---- Instances ---- */

static void inotify_release(struct file *f)
{
	struct inotify_group *g = f->priv;
	struct inotify_user *u = g->user;
	struct inotify_kevent *e, *tmp;
	struct inotify_mark *m;
	bool user_gone = false;

	for (;;) {
		spin_lock(&inotify_lock);
		if (list_empty(&g->marks)) {
			if (!--u->instances && !u->watches) {
				list_del(&u->link);
				user_gone = true;
			}
			spin_unlock(&inotify_lock);
			break;
		}
		m = list_first_entry(&g->marks, struct inotify_mark, group_link);
		mark_unlink(m);
		spin_unlock(&inotify_lock);
		inode_put(m->inode);
		kfree(m);
	}
	if (user_gone)
		kfree(u);
	list_for_each_entry_safe(e, tmp, &g->events, link)
		kfree(e);
	kfree(g->spare);
	kfree(g);
}

static const struct file_ops inotify_ops = {
	.read = inotify_read,
	.ioctl = inotify_ioctl,
	.poll = inotify_poll,
	.release = inotify_release,
	.anon_name = "inotify",
};

/* Charge a new instance to the caller's effective uid: 0 or -EMFILE. */
static int user_charge(struct inotify_group *g)
{
	struct inotify_user *u, *fresh = kzalloc(sizeof(*fresh));
	uid_t uid = current && current->proc ? current->proc->euid : 0;
	int err = 0;

	if (!fresh)
		return -ENOMEM;
	spin_lock(&inotify_lock);
	list_for_each_entry(u, &inotify_users, link) {
		if (u->uid == uid)
			goto found;
	}
	u = fresh;
	fresh = NULL;
	u->uid = uid;
	list_add_tail(&u->link, &inotify_users);
found:
	if (u->instances >= (u32)inotify_max_user_instances_get()) {
		err = -EMFILE;
		if (!u->instances && !u->watches) {
			list_del(&u->link);
			fresh = u;
		}
	} else {
		u->instances++;
		g->user = u;
	}
	spin_unlock(&inotify_lock);
	kfree(fresh);
	return err;
}

/*
 * inotify_init1 - inotify_init1(2): a new inotify instance as a descriptor,
 * with @flags IN_NONBLOCK and IN_CLOEXEC. The descriptor, or -EINVAL (other
 * flags), -EMFILE (max_user_instances, or no descriptor free), -ENOMEM.
 * Takes inotify_lock. Sleeps: no.
 */
long sys_inotify_init1(int flags)
{
	struct inotify_group *g;
	struct file *f;
	int fd, err;

	if (flags & ~(IN_CLOEXEC | IN_NONBLOCK))
		return -EINVAL;
	g = kzalloc(sizeof(*g));
	if (!g)
		return -ENOMEM;
	spin_init(&g->lock, "inotify_group");
	wait_queue_init(&g->wait, "inotify_wait");
	list_init(&g->events);
	list_init(&g->marks);
	g->max_events = (u32)inotify_max_queued_events_get();
	g->spare = kmalloc(sizeof(struct inotify_kevent));
	err = g->spare ? user_charge(g) : -ENOMEM;
	if (err) {
		kfree(g->spare);
		kfree(g);
		return err;
	}
	f = file_alloc(NULL, &inotify_ops, O_RDONLY | (flags & IN_NONBLOCK), g);
	if (!f) {
		f = &(struct file){ .priv = g };
		inotify_release(f);
		return -ENOMEM;
	}
	fd = fd_install(f, 0, flags & IN_CLOEXEC);
	if (fd < 0)
		file_put(f);
	return fd;
}

/* inotify_init - inotify_init(2): inotify_init1(0). */
long sys_inotify_init(void)
{
	return sys_inotify_init1(0);
}

/* The instance behind descriptor @fd, counted in *@out: 0, -EBADF or -EINVAL. */
static int group_get(int fd, struct file **out)
{
	struct file *f = fd_get(fd);

	if (!f)
		return -EBADF;
	if (f->ops != &inotify_ops) {
		file_put(f);
		return -EINVAL;
	}
	*out = f;
	return 0;
}

/* The next free wd of @g: counting up, as Linux's cyclic allocation. inotify_lock held. */
static s32 next_wd(struct inotify_group *g)
{
	struct inotify_mark *m;
	s32 wd = g->last_wd;

again:
	wd = wd >= 0x7fffffff ? 1 : wd + 1;
	list_for_each_entry(m, &g->marks, group_link) {
		if (m->wd == wd)
			goto again;
	}
	g->last_wd = wd;
	return wd;
}

/* Add or update the mark of @g on @ino: the wd or -EEXIST, -ENOSPC, -ENOMEM. */
static long update_watch(struct inotify_group *g, struct inode *ino, u32 mask)
{
	struct inotify_mark *m, *fresh = kzalloc(sizeof(*fresh));
	long r;

	if (!fresh)
		return -ENOMEM;
	spin_lock(&inotify_lock);
	for (m = ino->inotify; m && m->group != g; m = m->next)
		;
	if (m) {
		if (mask & IN_MASK_CREATE) {
			r = -EEXIST;
		} else {
			m->mask = (mask & IN_MASK_ADD) ? m->mask | mask : mask;
			r = m->wd;
		}
	} else if (g->user->watches >= (u32)inotify_max_user_watches_get()) {
		r = -ENOSPC;
	} else {
		m = fresh;
		fresh = NULL;
		inode_get(ino);
		m->inode = ino;
		m->group = g;
		m->mask = mask;
		m->wd = next_wd(g);
		list_add_tail(&m->group_link, &g->marks);
		g->user->watches++;
		if (inode_is_dir(ino))
			__atomic_add_fetch(&inotify_dir_watches, 1, __ATOMIC_RELAXED);
		m->next = ino->inotify;
		__atomic_store_n(&ino->inotify, m, __ATOMIC_RELEASE);
		r = m->wd;
	}
	spin_unlock(&inotify_lock);
	kfree(fresh);
	return r;
}

/*
 * inotify_add_watch - inotify_add_watch(2): watch @path (a user string) for
 * the events of @mask on instance @fd; IN_DONT_FOLLOW, IN_ONLYDIR,
 * IN_MASK_ADD, IN_MASK_CREATE, IN_ONESHOT and IN_EXCL_UNLINK as the manual
 * says. The watch descriptor (the same one for an inode already watched), or
 * -EINVAL (no valid bit, IN_MASK_ADD with IN_MASK_CREATE, @fd not an inotify
 * instance), -EBADF, -EFAULT, -ENOENT, -ENOTDIR, -ELOOP, -ENAMETOOLONG,
 * -EACCES (no read permission), -EEXIST (IN_MASK_CREATE), -ENOSPC
 * (max_user_watches), -ENOMEM. Takes inotify_lock. May sleep (the walk).
 */
long sys_inotify_add_watch(int fd, const char __user *path, u32 mask)
{
	struct inode *ino;
	struct file *f;
	long r;

	if ((mask & IN_MASK_ADD) && (mask & IN_MASK_CREATE))
		return -EINVAL;
	if (!(mask & IN_ALL_BITS))
		return -EINVAL;
	r = group_get(fd, &f);
	if (r)
		return r;
	r = upath_lookup(AT_FDCWD, path, (mask & IN_DONT_FOLLOW) ? AT_SYMLINK_NOFOLLOW : 0, &ino);
	if (r)
		goto out_file;
	if ((mask & IN_ONLYDIR) && !inode_is_dir(ino))
		r = -ENOTDIR;
	else
		r = inode_permission(ino, R_OK, false);
	if (!r)
		r = update_watch(f->priv, ino, mask & (IN_ALL_BITS & ~(IN_ISDIR | IN_Q_OVERFLOW |
								      IN_UNMOUNT | IN_IGNORED)));
	inode_put(ino);
out_file:
	file_put(f);
	return r;
}

/*
 * inotify_rm_watch - inotify_rm_watch(2): remove watch @wd of instance @fd,
 * queueing IN_IGNORED. 0, or -EBADF, -EINVAL (not an inotify instance, no
 * such watch). Takes inotify_lock. Sleeps: no (the inode is put after).
 */
long sys_inotify_rm_watch(int fd, int wd)
{
	struct inotify_group *g;
	struct inotify_mark *m;
	struct file *f;
	long r;

	r = group_get(fd, &f);
	if (r)
		return r;
	g = f->priv;
	r = -EINVAL;
	spin_lock(&inotify_lock);
	list_for_each_entry(m, &g->marks, group_link) {
		if (m->wd == wd) {
			mark_destroy(m);
			r = 0;
			break;
		}
	}
	spin_unlock(&inotify_lock);
	if (!r) {
		inode_put(m->inode);
		kfree(m);
	}
	file_put(f);
	return r;
}
