/*
 * Advisory file locks: fcntl(2) record locks (POSIX: F_GETLK, F_SETLK,
 * F_SETLKW), open file description locks (F_OFD_GETLK, F_OFD_SETLK,
 * F_OFD_SETLKW) and flock(2) whole-file locks -- how unrelated processes
 * cooperate on a file.
 *
 * Every lock is a byte range [start, end] (end LOCK_OFFSET_MAX: to the end
 * of file, however it grows) of one type, read (shared) or write
 * (exclusive), with an owner:
 *   - a POSIX lock belongs to the descriptor table it was set through
 *     (Linux's fl_owner: a process, with the threads sharing its table);
 *     any close of a descriptor of the file by that owner releases all of
 *     its locks on the file, and so does exit (fcntl(2) "Record locking");
 *   - an OFD lock and a flock lock belong to the open file description and
 *     go with its last close (fcntl(2) "Open file description locks",
 *     flock(2)).
 * Record locks (POSIX and OFD) conflict with each other, flock locks only
 * with flock locks, as on Linux. Locks of one owner never conflict: a new
 * one replaces, splits or merges with the owner's existing ones.
 *
 * A blocked F_SETLKW/F_OFD_SETLKW/flock sleeps interruptibly on lock_wq and
 * tries again whenever a lock goes or shrinks. A blocked POSIX request is
 * listed in blocked_list so that deadlock detection (EDEADLK) can follow the
 * chain "owner waits for a lock held by owner waits for ..." back to the
 * requester, at most DEADLOCK_DEPTH steps as Linux does. RLIMIT_LOCKS is not
 * enforced, as on Linux since 2.4.
 *
 * Locks: [k] file_lock_lock (a spinlock) guards every inode's file_locks
 * list and blocked_list; it nests inside nothing and nothing inside it
 * (wake-ups happen after it is dropped).
 */
#include "internal.h"
#include "cpu.h"
#include "kmalloc.h"
#include "sched.h"
#include "task.h"
#include "uaccess.h"

#define LOCK_OFFSET_MAX	((u64)INT64_MAX)
#define DEADLOCK_DEPTH	10	/* owners followed by deadlock detection (Linux) */

#define F_RDLCK		0
#define F_WRLCK		1
#define F_UNLCK		2
#define F_OFD_GETLK	36
#define F_OFD_SETLK	37
#define F_OFD_SETLKW	38

#define LOCK_SH		1
#define LOCK_EX		2
#define LOCK_NB		4
#define LOCK_UN		8

enum lock_kind { LK_POSIX, LK_OFD, LK_FLOCK };

struct file_lock {
	struct list_head link;		/* [k] inode->file_locks, or blocked_list */
	enum lock_kind kind;
	int type;			/* F_RDLCK or F_WRLCK (F_UNLCK only in requests) */
	u64 start, end;			/* bytes, inclusive */
	void *owner;			/* POSIX: struct files; OFD, flock: struct file */
	pid_t pid;			/* POSIX: the setter's pid; OFD and flock: -1 */
	struct inode *inode;		/* a request: the file it waits for */
};

/* struct flock of the x86-64 ABI (fcntl(2)). */
struct linux_flock {
	s16 l_type;
	s16 l_whence;
	s64 l_start;
	s64 l_len;
	s32 l_pid;
};

static struct spinlock file_lock_lock = SPINLOCK_INIT("file_lock");
static struct list_head blocked_list = LIST_HEAD_INIT(blocked_list);	/* [k] */
static struct wait_queue lock_wq = WAIT_QUEUE_INIT(lock_wq, "file_lock");

static bool is_record(const struct file_lock *l)
{
	return l->kind != LK_FLOCK;
}

static bool overlap(const struct file_lock *a, const struct file_lock *b)
{
	return a->start <= b->end && b->start <= a->end;
}

/* Would @held stop @req from being granted? */
static bool conflicts(const struct file_lock *held, const struct file_lock *req)
{
	if (held->owner == req->owner || is_record(held) != is_record(req))
		return false;
	if (held->type != F_WRLCK && req->type != F_WRLCK)
		return false;
	return overlap(held, req);
}

/* The first lock on @ino that blocks @req, or NULL. Requires [k]. */
static struct file_lock *find_conflict(struct inode *ino, const struct file_lock *req)
{
	struct file_lock *l;

	list_for_each_entry(l, &ino->file_locks, link)
		if (conflicts(l, req))
			return l;
	return NULL;
}

/*
 * Would @req (a POSIX request) waiting for @blocker close a cycle? Follows
 * the blocker's owner to the request it waits on, and so on. Requires [k].
 */
static bool posix_deadlock(const struct file_lock *req, const struct file_lock *blocker)
{
	void *owner;

	for (int depth = 0; depth < DEADLOCK_DEPTH; depth++) {
		struct file_lock *w, *next = NULL;

		if (blocker->kind != LK_POSIX)
			return false;
		owner = blocker->owner;
		if (owner == req->owner)
			return true;
		list_for_each_entry(w, &blocked_list, link) {
			if (w->owner == owner) {
				next = w;
				break;
			}
		}
		if (!next)
			return false;
		blocker = find_conflict(next->inode, next);
		if (!blocker)
			return false;
	}
	return false;
}

/* Spare lock structures, allocated before [k] is taken. */
struct spares {
	struct file_lock *l[2];
};

static struct file_lock *spare_take(struct spares *sp)
{
	for (int i = 0; i < 2; i++) {
		if (sp->l[i]) {
			struct file_lock *l = sp->l[i];

			sp->l[i] = NULL;
			return l;
		}
	}
	KASSERT(!"file lock spares exhausted");
	return NULL;
}

static int spares_alloc(struct spares *sp)
{
	sp->l[0] = kzalloc(sizeof(struct file_lock));
	sp->l[1] = kzalloc(sizeof(struct file_lock));
	if (!sp->l[0] || !sp->l[1]) {
		kfree(sp->l[0]);
		kfree(sp->l[1]);
		return -ENOMEM;
	}
	return 0;
}

static void spares_free(struct spares *sp)
{
	kfree(sp->l[0]);
	kfree(sp->l[1]);
}

/*
 * Give @req's owner exactly @req's range of @req's type (F_UNLCK: none of
 * it), changing only that owner's locks of the same kind: those of the same
 * type that overlap or touch merge into the new one, the others are cut back
 * or split around it. Locks freed go to @dead. Needs at most the two spares.
 * Requires [k].
 */
static void apply_lock(struct inode *ino, const struct file_lock *req, struct spares *sp,
		       struct list_head *dead)
{
	u64 start = req->start, end = req->end;
	struct file_lock *l, *tmp, *n;

	list_for_each_entry_safe(l, tmp, &ino->file_locks, link) {
		bool touches;

		if (l->owner != req->owner || l->kind != req->kind)
			continue;
		touches = (l->end != LOCK_OFFSET_MAX && l->end + 1 == start) ||
			  (end != LOCK_OFFSET_MAX && end + 1 == l->start);
		if (req->type != F_UNLCK && l->type == req->type && (overlap(l, req) || touches)) {
			/* Same type: absorb it into the new range. */
			start = MIN(start, l->start);
			end = MAX(end, l->end);
			list_del(&l->link);
			list_add(&l->link, dead);
			continue;
		}
		if (!overlap(l, req))
			continue;
		if (l->start >= req->start && l->end <= req->end) {
			list_del(&l->link);
			list_add(&l->link, dead);
		} else if (l->start < req->start && l->end > req->end) {
			n = spare_take(sp);
			*n = *l;
			n->start = req->end + 1;
			l->end = req->start - 1;
			list_add(&n->link, &l->link);
		} else if (l->start < req->start) {
			l->end = req->start - 1;
		} else {
			l->start = req->end + 1;
		}
	}
	if (req->type == F_UNLCK)
		return;
	n = spare_take(sp);
	*n = *req;
	n->start = start;
	n->end = end;
	n->inode = NULL;
	list_add_tail(&n->link, &ino->file_locks);
}

static void free_dead(struct list_head *dead)
{
	struct file_lock *l, *tmp;

	list_for_each_entry_safe(l, tmp, dead, link)
		kfree(l);
}

/* One attempt of a request; the state a waiting request carries. */
struct attempt {
	struct inode *ino;
	struct file_lock *req;
	struct spares *sp;
	bool detect;		/* F_SETLKW: detect deadlocks */
	bool queued;		/* req is on blocked_list */
	int err;		/* when done: 0, -EAGAIN (no wait), -EDEADLK */
};

/*
 * Try to grant @a's request. Returns true when done (granted, or failed
 * with a->err), false when it must wait (and then it is on blocked_list
 * if it is a POSIX request). Takes [k]; called with current marked
 * sleeping by wait_event_interruptible(), so it must not sleep.
 */
static bool attempt(struct attempt *a, bool wait)
{
	struct file_lock *blocker;
	struct list_head dead = LIST_HEAD_INIT(dead);
	bool done = true;

	spin_lock(&file_lock_lock);
	blocker = a->req->type == F_UNLCK ? NULL : find_conflict(a->ino, a->req);
	if (!blocker) {
		apply_lock(a->ino, a->req, a->sp, &dead);
		a->err = 0;
	} else if (!wait) {
		a->err = -EAGAIN;
	} else if (a->detect && posix_deadlock(a->req, blocker)) {
		a->err = -EDEADLK;
	} else {
		done = false;
		if (a->req->kind == LK_POSIX && !a->queued) {
			list_add_tail(&a->req->link, &blocked_list);
			a->queued = true;
		}
	}
	if (done && a->queued) {
		list_del(&a->req->link);
		a->queued = false;
	}
	spin_unlock(&file_lock_lock);
	if (done && !list_empty(&dead)) {
		free_dead(&dead);
		wake_up(&lock_wq);
	} else if (done && a->err == 0) {
		wake_up(&lock_wq);	/* a downgrade or unlock may let others in */
	}
	return done;
}

/*
 * Set (or, for F_UNLCK, clear) lock @req on @ino, sleeping while it
 * conflicts when @wait. 0, -EAGAIN, -EDEADLK, -ERESTARTSYS, -ENOMEM.
 */
static long set_lock(struct inode *ino, struct file_lock *req, bool wait)
{
	struct spares sp;
	struct attempt a = { .ino = ino, .req = req, .sp = &sp,
			     .detect = wait && req->kind == LK_POSIX };
	long r;

	if (spares_alloc(&sp))
		return -ENOMEM;
	req->inode = ino;
	list_init(&req->link);
	if (attempt(&a, wait)) {
		r = a.err;
	} else {
		r = wait_event_interruptible(&lock_wq, attempt(&a, true));
		if (!r)
			r = a.err;
		if (a.queued) {
			spin_lock(&file_lock_lock);
			list_del(&req->link);
			spin_unlock(&file_lock_lock);
		}
	}
	spares_free(&sp);
	return r;
}

/* Remove the locks of kind @kind (or of @kind2) owned by @owner on @ino. */
static void remove_owned(struct inode *ino, void *owner, enum lock_kind kind,
			 enum lock_kind kind2)
{
	struct file_lock *l, *tmp;
	struct list_head dead = LIST_HEAD_INIT(dead);

	spin_lock(&file_lock_lock);
	list_for_each_entry_safe(l, tmp, &ino->file_locks, link) {
		if (l->owner == owner && (l->kind == kind || l->kind == kind2)) {
			list_del(&l->link);
			list_add(&l->link, &dead);
		}
	}
	spin_unlock(&file_lock_lock);
	if (!list_empty(&dead)) {
		free_dead(&dead);
		wake_up(&lock_wq);
	}
}

/* locks_remove_posix - see include/fs.h. */
void locks_remove_posix(struct file *f, struct files *owner)
{
	struct inode *ino = f->inode;

	/* Unlocked peek: an owner's locks are only added through its own
	 * descriptors, so an empty list cannot be hiding one of its locks. */
	if (!ino || list_empty(&ino->file_locks))
		return;
	remove_owned(ino, owner, LK_POSIX, LK_POSIX);
}

/* locks_remove_file - see include/fs.h. */
void locks_remove_file(struct file *f)
{
	struct inode *ino = f->inode;

	if (!ino || list_empty(&ino->file_locks))
		return;
	remove_owned(ino, f, LK_OFD, LK_FLOCK);
}

/* struct flock's range relative to @f into @req (Linux flock_to_posix_lock). */
static int range_of(struct file *f, const struct linux_flock *fl, struct file_lock *req)
{
	s64 base, start;

	switch (fl->l_whence) {
	case SEEK_SET:
		base = 0;
		break;
	case SEEK_CUR:
		base = (s64)__atomic_load_n(&f->pos, __ATOMIC_RELAXED);
		break;
	case SEEK_END:
		base = (s64)inode_size(f->inode);
		break;
	default:
		return -EINVAL;
	}
	if (__builtin_add_overflow(base, fl->l_start, &start))
		return -EOVERFLOW;
	if (start < 0)
		return -EINVAL;
	if (fl->l_len > 0) {
		if ((u64)(fl->l_len - 1) > LOCK_OFFSET_MAX - (u64)start)
			return -EOVERFLOW;
		req->start = (u64)start;
		req->end = (u64)start + (u64)fl->l_len - 1;
	} else if (fl->l_len < 0) {
		if (start + fl->l_len < 0)
			return -EINVAL;
		req->start = (u64)(start + fl->l_len);
		req->end = (u64)start - 1;
	} else {
		req->start = (u64)start;
		req->end = LOCK_OFFSET_MAX;
	}
	return 0;
}

/* F_GETLK / F_OFD_GETLK: describe the first lock that would block @req. */
static long get_lock(struct inode *ino, struct file_lock *req, struct linux_flock *fl)
{
	struct file_lock *l;

	spin_lock(&file_lock_lock);
	l = find_conflict(ino, req);
	if (l) {
		fl->l_type = (s16)l->type;
		fl->l_whence = SEEK_SET;
		fl->l_start = (s64)l->start;
		fl->l_len = l->end == LOCK_OFFSET_MAX ? 0 : (s64)(l->end - l->start + 1);
		fl->l_pid = l->pid;
	} else {
		fl->l_type = F_UNLCK;
	}
	spin_unlock(&file_lock_lock);
	return 0;
}

/* fcntl_lock - see include/fs.h. */
long fcntl_lock(struct file *f, unsigned cmd, void __user *arg)
{
	bool ofd = cmd == F_OFD_GETLK || cmd == F_OFD_SETLK || cmd == F_OFD_SETLKW;
	bool get = cmd == F_GETLK || cmd == F_OFD_GETLK;
	u32 acc = file_flags(f) & O_ACCMODE;
	struct file_lock req = { 0 };
	struct linux_flock fl;
	long r;

	if ((file_flags(f) & O_PATH) || !f->inode)
		return -EBADF;
	if (copy_from_user(&fl, arg, sizeof(fl)))
		return -EFAULT;
	if (fl.l_type != F_RDLCK && fl.l_type != F_WRLCK && fl.l_type != F_UNLCK)
		return -EINVAL;
	if (ofd && fl.l_pid != 0)
		return -EINVAL;	/* fcntl(2): l_pid must be 0 for OFD locks */
	r = range_of(f, &fl, &req);
	if (r)
		return r;
	req.kind = ofd ? LK_OFD : LK_POSIX;
	req.type = fl.l_type;
	req.owner = ofd ? (void *)f : (void *)current->files;
	req.pid = ofd ? -1 : current->proc->pid;
	if (get) {
		if (fl.l_type == F_UNLCK)
			return -EINVAL;
		get_lock(f->inode, &req, &fl);
		return copy_to_user(arg, &fl, sizeof(fl)) ? -EFAULT : 0;
	}
	/* fcntl(2) EBADF: the lock type needs the matching access mode. */
	if ((fl.l_type == F_RDLCK && acc == O_WRONLY) || (fl.l_type == F_WRLCK && acc == O_RDONLY))
		return -EBADF;
	return set_lock(f->inode, &req, cmd == F_SETLKW || cmd == F_OFD_SETLKW);
}

/*
 * sys_flock - flock(2): @op LOCK_SH, LOCK_EX or LOCK_UN, with LOCK_NB not to
 * wait, on the whole of @fd's file, owned by its open file description. A
 * conversion drops the old lock first (not atomic, as on Linux). 0 or
 * -EBADF (bad or O_PATH descriptor), -EINVAL (@op), -EWOULDBLOCK, -EINTR
 * (-ERESTARTSYS), -ENOMEM. Takes [k]. May sleep.
 */
long sys_flock(int fd, unsigned op)
{
	struct file *f = fd_get(fd);
	struct file_lock req = { 0 };
	unsigned cmd = op & ~(unsigned)LOCK_NB;
	long r;

	if (!f)
		return -EBADF;
	if ((file_flags(f) & O_PATH) || !f->inode) {
		file_put(f);
		return -EBADF;
	}
	if (cmd != LOCK_SH && cmd != LOCK_EX && cmd != LOCK_UN) {
		file_put(f);
		return -EINVAL;
	}
	req.kind = LK_FLOCK;
	req.type = cmd == LOCK_SH ? F_RDLCK : cmd == LOCK_EX ? F_WRLCK : F_UNLCK;
	req.start = 0;
	req.end = LOCK_OFFSET_MAX;
	req.owner = f;
	req.pid = current->proc->pid;	/* shown in /proc/locks, as Linux's fl_pid */
	if (req.type != F_UNLCK) {
		struct file_lock *l;
		bool same = false;

		/* Already held as asked: nothing to do; otherwise drop it first. */
		spin_lock(&file_lock_lock);
		list_for_each_entry(l, &f->inode->file_locks, link)
			if (l->owner == f && l->kind == LK_FLOCK)
				same = l->type == req.type;
		spin_unlock(&file_lock_lock);
		if (same) {
			file_put(f);
			return 0;
		}
		remove_owned(f->inode, f, LK_FLOCK, LK_FLOCK);
	}
	r = set_lock(f->inode, &req, !(op & LOCK_NB));
	file_put(f);
	return r;
}

/* locks_show_inode - see fs/internal.h. */
size_t locks_show_inode(struct inode *ino, char *buf, size_t cap, int *id)
{
	static const char *const kinds[] = {
		[LK_POSIX] = "POSIX  ADVISORY  ",
		[LK_OFD] = "OFDLCK ADVISORY  ",
		[LK_FLOCK] = "FLOCK  ADVISORY  ",
	};
	struct file_lock *l;
	size_t len = 0;

	spin_lock(&file_lock_lock);
	list_for_each_entry(l, &ino->file_locks, link) {
		char range[48];
		int n;

		if (l->kind == LK_FLOCK || l->end == LOCK_OFFSET_MAX)
			snprintf(range, sizeof(range), "%llu EOF",
				 l->kind == LK_FLOCK ? 0ULL : (unsigned long long)l->start);
		else
			snprintf(range, sizeof(range), "%llu %llu", (unsigned long long)l->start,
				 (unsigned long long)l->end);
		n = snprintf(buf + len, cap - len, "%d: %s%s %d %02x:%02x:%llu %s\n", *id + 1,
			     kinds[l->kind], l->type == F_WRLCK ? "WRITE" : "READ",
			     l->kind == LK_OFD ? -1 : l->pid, TMPFS_DEV_MAJOR, ino->dev_minor,
			     (unsigned long long)ino->ino, range);
		if (n < 0 || (size_t)n >= cap - len)
			break;
		len += (size_t)n;
		++*id;
	}
	spin_unlock(&file_lock_lock);
	return len;
}
