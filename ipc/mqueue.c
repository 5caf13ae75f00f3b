/*
 * POSIX message queues: mq_open(2), mq_unlink(2), mq_timedsend(2),
 * mq_timedreceive(2), mq_notify(2), mq_getsetattr(2) (mq_overview(7)).
 * This file owns the queues themselves: names, limits and charges, opening,
 * unlinking, attributes and the descriptor's file ops. Sending, receiving
 * and notification are in ipc/mqueue_msg.c; what both files share is in
 * ipc/mqueue_internal.h.
 *
 * A queue is a mailbox with a name (musl passes it without its leading '/')
 * that holds at most mq_maxmsg messages of at most mq_msgsize bytes, each
 * with a priority: receivers take the oldest message of the highest
 * priority. A descriptor is a file descriptor over an open file description
 * whose ops are mq_file_ops, so close(2), dup(2), fork(2) and FD_CLOEXEC
 * (always set, as on Linux) work on it as on any file; O_NONBLOCK lives in
 * the description's flags. A queue holds one reference for its name and one
 * per open description, so it persists after mq_unlink until the last close.
 *
 * Limits are Linux's defaults (queues_max 256, msg_max 10, msgsize_max
 * 8192); root, which plays CAP_SYS_RESOURCE, may go up to the hard ceilings
 * and past queues_max. Every queue is charged to its creator's real user
 * and checked against the creator's RLIMIT_MSGQUEUE (default 819200 bytes)
 * with Linux's formula, which is what bounds the kernel memory queues can pin.
 *
 * Locks: the legend and their order are in ipc/mqueue_internal.h.
 */
#include "ipc.h"
#include "cpu.h"
#include "fs.h"
#include "kmalloc.h"
#include "sched.h"
#include "uapi/resource.h"
#include "task.h"
#include "uaccess.h"
#include "uapi/mqueue.h"
#include "uapi/poll.h"
#include "uapi/stat.h"
#include "mqueue_internal.h"

/* What Linux charges per message and per priority level (the sizes of its
 * struct msg_msg and posix_msg_tree_node on x86-64), so that RLIMIT_MSGQUEUE
 * admits the same queues as on Linux. */
#define MQ_MSG_CHARGE		48
#define MQ_PRIO_CHARGE		48

/* Bytes of RLIMIT_MSGQUEUE a user's queues take up, [n]. */
struct mq_user {
	struct list_head link;
	uid_t uid;
	u64 bytes;
};

static struct mutex mq_names_lock = MUTEX_INIT(mq_names_lock, "mq_names");
static struct list_head mq_names = LIST_HEAD_INIT(mq_names);	/* [n] struct mqueue */
static struct list_head mq_users = LIST_HEAD_INIT(mq_users);	/* [n] struct mq_user */
static u32 mq_queues;		/* [n] queues alive, named or not */

static const struct file_ops mq_file_ops;

static uid_t cur_euid(void)
{
	return current->proc ? current->proc->euid : 0;
}

static uid_t cur_ruid(void)
{
	return current->proc ? current->proc->uid : 0;
}

static struct mq_user *mq_user_find(uid_t uid)
{
	struct mq_user *u;

	list_for_each_entry(u, &mq_users, link)
		if (u->uid == uid)
			return u;
	return NULL;
}

/* Charge @bytes to @uid within the caller's RLIMIT_MSGQUEUE (no exemption,
 * as on Linux): 0, -EMFILE or -ENOMEM. [n] held. */
static int mq_charge(uid_t uid, u64 bytes)
{
	struct mq_user *u = mq_user_find(uid);
	u64 used = u ? u->bytes : 0, limit = rlimit_cur(RLIMIT_MSGQUEUE);

	if (used > limit || bytes > limit - used)
		return -EMFILE;	/* mq_open(2): RLIMIT_MSGQUEUE reached */
	if (!u) {
		u = kzalloc(sizeof(*u));
		if (!u)
			return -ENOMEM;
		u->uid = uid;
		list_add_tail(&u->link, &mq_users);
	}
	u->bytes += bytes;
	return 0;
}

static void mq_uncharge(uid_t uid, u64 bytes)
{
	struct mq_user *u = mq_user_find(uid);

	KASSERT(u && u->bytes >= bytes);
	u->bytes -= bytes;
	if (!u->bytes) {
		list_del(&u->link);
		kfree(u);
	}
}

static void mq_get(struct mqueue *q)
{
	__atomic_add_fetch(&q->refcount, 1, __ATOMIC_RELAXED);
}

/* Drop a reference; the last frees the queue. Takes [n]: no lock held. May sleep. */
static void mq_put(struct mqueue *q)
{
	u32 left = __atomic_sub_fetch(&q->refcount, 1, __ATOMIC_ACQ_REL);
	struct mq_msg *m, *tmp;

	if (left + 1 == 0)
		panic("mq_put: refcount underflow");
	if (left)
		return;
	mutex_lock(&mq_names_lock);
	KASSERT(!q->linked);
	mq_uncharge(q->charge_uid, q->charge);
	mq_queues--;
	mutex_unlock(&mq_names_lock);
	list_for_each_entry_safe(m, tmp, &q->messages, link)
		kfree(m);
	if (q->notify_owner)
		process_put(q->notify_owner);
	kfree(q);
}

static struct mqueue *mq_find(const char *name)
{
	struct mqueue *q;

	list_for_each_entry(q, &mq_names, name_link)
		if (!strcmp(q->name, name))
			return q;
	return NULL;
}

/*
 * Copy in a queue name as musl passes it (no leading '/'): 0, or -EFAULT,
 * -ENAMETOOLONG, -ENOENT (empty), -EACCES (a '/' inside, or "." or "..":
 * names of the mqueue directory itself, which Linux's lookup refuses).
 */
static int mq_name_in(const char __user *uname, char *name)
{
	long len = strncpy_from_user(name, uname, NAME_MAX + 1);

	if (len < 0)
		return (int)len;
	if (!len)
		return -ENOENT;
	if (strchr(name, '/') || !strcmp(name, ".") || !strcmp(name, ".."))
		return -EACCES;
	return 0;
}

/* May the caller open @q for @acc (4 read, 2 write)? Owner, group, other. */
static bool mq_permitted(struct mqueue *q, u32 acc)
{
	struct process *p = current->proc;
	uid_t euid = p ? p->euid : 0;
	u32 granted;

	if (!euid)
		return true;
	if (euid == q->uid)
		granted = q->mode >> 6;
	else if ((p ? p->egid : 0) == q->gid)
		granted = q->mode >> 3;
	else
		granted = q->mode;
	return (granted & acc & 7) == acc;
}

/* mq_attr_ok() of Linux: the limits of a new queue. 0 or -EINVAL, -EOVERFLOW. */
static int mq_attr_check(const struct linux_mq_attr *a)
{
	bool privileged = cur_euid() == 0;

	if (a->mq_maxmsg <= 0 || a->mq_msgsize <= 0)
		return -EINVAL;
	if (a->mq_maxmsg > (privileged ? LINUX_MQ_HARD_MSGMAX : LINUX_MQ_MSG_MAX) ||
	    a->mq_msgsize > (privileged ? LINUX_MQ_HARD_MSGSIZEMAX : LINUX_MQ_MSGSIZE_MAX))
		return -EINVAL;
	return 0;	/* both bounded: the byte count below cannot overflow */
}

/*
 * A new queue @name with @attr (NULL: the defaults) and permission bits
 * @mode (umask applied), registered under its name with a reference for it
 * and one for the caller. 0, -EINVAL, -ENOSPC, -EMFILE, -ENOMEM. [n] held.
 */
static int mq_create(const char *name, u32 mode, const struct linux_mq_attr *attr,
		     struct mqueue **out)
{
	struct linux_mq_attr a = { .mq_maxmsg = LINUX_MQ_MSG_DEFAULT,
				   .mq_msgsize = LINUX_MQ_MSGSIZE_DEFAULT };
	struct mqueue *q;
	u64 charge;
	int err;

	if (attr) {
		err = mq_attr_check(attr);
		if (err)
			return err;
		a = *attr;
	}
	if (mq_queues >= LINUX_MQ_QUEUES_MAX && cur_euid() != 0)
		return -ENOSPC;
	charge = (u64)a.mq_maxmsg * (u64)a.mq_msgsize + (u64)a.mq_maxmsg * MQ_MSG_CHARGE +
		 MIN((u64)a.mq_maxmsg, (u64)LINUX_MQ_PRIO_MAX) * MQ_PRIO_CHARGE;
	q = kzalloc(sizeof(*q));
	if (!q)
		return -ENOMEM;
	/* Charged to the real user, as Linux's user_struct is. */
	err = mq_charge(cur_ruid(), charge);
	if (err) {
		kfree(q);
		return err;
	}
	/* Point of no return: the queue exists from here on. */
	spin_init(&q->lock, "mqueue");
	list_init(&q->messages);
	wait_queue_init(&q->wait, "mqueue_wait");
	q->maxmsg = (u64)a.mq_maxmsg;
	q->msgsize = (u64)a.mq_msgsize;
	q->refcount = 2;
	strlcpy(q->name, name, sizeof(q->name));
	q->uid = cur_euid();
	q->gid = current->proc ? current->proc->egid : 0;
	q->mode = mode & 0777;
	q->charge = charge;
	q->charge_uid = cur_ruid();
	q->linked = true;
	list_add_tail(&q->name_link, &mq_names);
	mq_queues++;
	*out = q;
	return 0;
}

/* Take @q's name away (mq_unlink); the caller drops the name's reference. [n] held. */
static void mq_unlink_locked(struct mqueue *q)
{
	list_del(&q->name_link);
	q->linked = false;
}

/* current's umask (022 without a filesystem context). */
static u32 mq_umask(void)
{
	struct fs_context *fs = current->fs;

	return fs ? __atomic_load_n(&fs->umask, __ATOMIC_RELAXED) : 022;
}

/* The queue of @name, or a new one, referenced for the caller. [n] held. */
static int mq_lookup_or_create(const char *name, int oflag, u32 mode,
			       const struct linux_mq_attr *attr, struct mqueue **out, bool *created)
{
	static const u32 acc_of[3] = { 4, 2, 6 };
	struct mqueue *q = mq_find(name);

	*created = false;
	if (!q) {
		if (!(oflag & O_CREAT))
			return -ENOENT;
		*created = true;
		return mq_create(name, mode & ~mq_umask(), attr, out);
	}
	if ((oflag & (O_CREAT | O_EXCL)) == (O_CREAT | O_EXCL))
		return -EEXIST;
	if (!mq_permitted(q, acc_of[oflag & O_ACCMODE]))
		return -EACCES;
	mq_get(q);
	*out = q;
	return 0;
}

/*
 * mq_open - mq_open(2) as musl calls it: open (O_CREAT: create, with O_EXCL
 * only create) the queue named by user string @uname, without a leading
 * '/', for the access of @oflag's O_ACCMODE, with O_NONBLOCK; a new queue
 * gets permission bits @mode less the umask and the limits of user @uattr
 * (NULL: 10 messages of 8192 bytes). Returns a descriptor (FD_CLOEXEC), or
 * -EFAULT, -ENAMETOOLONG, -ENOENT, -EACCES, -EEXIST, -EINVAL (O_ACCMODE 3,
 * bad limits), -ENOSPC (queues_max), -EMFILE (descriptors or
 * RLIMIT_MSGQUEUE), -ENOMEM. Locks: mq_names_lock. May sleep.
 */
long sys_mq_open(const char __user *uname, int oflag, u32 mode,
		 const struct linux_mq_attr __user *uattr)
{
	char name[NAME_MAX + 1];
	struct linux_mq_attr attr;
	struct mqueue *q;
	struct file *f;
	bool created;
	long r;

	if (uattr && copy_from_user(&attr, uattr, sizeof(attr)))
		return -EFAULT;
	r = mq_name_in(uname, name);
	if (r)
		return r;
	if ((oflag & O_ACCMODE) == O_ACCMODE)
		return -EINVAL;
	mutex_lock(&mq_names_lock);
	r = mq_lookup_or_create(name, oflag, mode, uattr ? &attr : NULL, &q, &created);
	if (r)
		goto out_unlock;
	f = file_alloc(NULL, &mq_file_ops, (u32)oflag & (O_ACCMODE | O_NONBLOCK), q);
	if (!f) {
		r = -ENOMEM;
		goto out_queue;
	}
	r = fd_install(f, 0, true);
	if (r < 0) {
		if (created)	/* nobody else has seen it: no trace of the queue remains */
			mq_unlink_locked(q);
		mutex_unlock(&mq_names_lock);
		if (created)
			mq_put(q);
		file_put(f);	/* drops the caller's reference on q */
		return r;
	}
	mutex_unlock(&mq_names_lock);
	return r;
out_queue:
	if (created)
		mq_unlink_locked(q);
	mutex_unlock(&mq_names_lock);
	if (created)
		mq_put(q);
	mq_put(q);
	return r;
out_unlock:
	mutex_unlock(&mq_names_lock);
	return r;
}

/*
 * mq_unlink - mq_unlink(2): remove the name @uname (no leading '/'); the
 * queue lives on until its last descriptor is closed. Returns 0, or
 * -EFAULT, -ENAMETOOLONG, -ENOENT, -EACCES (not the owner). Locks:
 * mq_names_lock. May sleep.
 */
long sys_mq_unlink(const char __user *uname)
{
	char name[NAME_MAX + 1];
	struct mqueue *q;
	long r;

	r = mq_name_in(uname, name);
	if (r)
		return r;
	mutex_lock(&mq_names_lock);
	q = mq_find(name);
	if (!q) {
		mutex_unlock(&mq_names_lock);
		return -ENOENT;
	}
	/* The mqueue directory is sticky: only the owner (or root) may remove. */
	if (cur_euid() && cur_euid() != q->uid) {
		mutex_unlock(&mq_names_lock);
		return -EACCES;
	}
	mq_unlink_locked(q);
	mutex_unlock(&mq_names_lock);
	mq_put(q);
	return 0;
}

/* mq_fd - see ipc/mqueue_internal.h. */
int mq_fd(int fd, struct file **fp, struct mqueue **qp)
{
	struct file *f = fd_get(fd);

	if (!f)
		return -EBADF;
	if (f->ops != &mq_file_ops) {
		file_put(f);
		return -EBADF;
	}
	*fp = f;
	*qp = f->priv;
	return 0;
}

/* Set or clear O_NONBLOCK of @f atomically, as fcntl(F_SETFL) does. */
static void mq_set_nonblock(struct file *f, bool on)
{
	if (on)
		__atomic_or_fetch(&f->flags, (u32)O_NONBLOCK, __ATOMIC_RELAXED);
	else
		__atomic_and_fetch(&f->flags, ~(u32)O_NONBLOCK, __ATOMIC_RELAXED);
}

/*
 * mq_getsetattr - mq_getsetattr(2): store the queue's attributes, with
 * mq_flags the O_NONBLOCK of descriptor @fd, into user @uold (if not NULL),
 * then set O_NONBLOCK from user @unew's mq_flags (if not NULL; the only
 * attribute that can change). Returns 0, or -EBADF, -EINVAL (other flags),
 * -EFAULT. Sleeps: no (but copies from/to user).
 */
long sys_mq_getsetattr(int fd, const struct linux_mq_attr __user *unew,
		       struct linux_mq_attr __user *uold)
{
	struct linux_mq_attr nattr, oattr;
	struct mqueue *q;
	struct file *f;
	long r;

	if (unew) {
		if (copy_from_user(&nattr, unew, sizeof(nattr)))
			return -EFAULT;
		if (nattr.mq_flags & ~(s64)O_NONBLOCK)
			return -EINVAL;
	}
	r = mq_fd(fd, &f, &q);
	if (r)
		return r;
	memset(&oattr, 0, sizeof(oattr));
	oattr.mq_flags = file_flags(f) & O_NONBLOCK;
	oattr.mq_maxmsg = (s64)q->maxmsg;
	oattr.mq_msgsize = (s64)q->msgsize;
	oattr.mq_curmsgs = (s64)__atomic_load_n(&q->curmsgs, __ATOMIC_ACQUIRE);
	if (unew)
		mq_set_nonblock(f, nattr.mq_flags & O_NONBLOCK);
	file_put(f);
	if (uold && copy_to_user(uold, &oattr, sizeof(oattr)))
		return -EFAULT;
	return 0;
}

/* poll(2) on a queue descriptor: readable with a message, writable with room. */
static unsigned mq_poll(struct file *f, struct poll_table *pt)
{
	struct mqueue *q = f->priv;
	unsigned mask = 0;

	poll_wait(pt, &q->wait);
	if (mq_has_msg(q))
		mask |= POLLIN | POLLRDNORM;
	if (mq_has_room(q))
		mask |= POLLOUT | POLLWRNORM;
	return mask;
}

/*
 * The last close of a description. Linux drops the caller's notification
 * registration on each close(2) of a queue descriptor; Sprout sees only the
 * last one, and drops it there when the closer is the owner (and when the
 * owner has exited, in mq_notify()).
 */
static void mq_release(struct file *f)
{
	struct mqueue *q = f->priv;
	struct process *drop = NULL;

	spin_lock(&q->lock);
	if (q->notify_owner && q->notify_owner == current->proc) {
		drop = q->notify_owner;
		q->notify_owner = NULL;
	}
	spin_unlock(&q->lock);
	if (drop)
		process_put(drop);
	mq_put(q);
}

static const struct file_ops mq_file_ops = {
	.release = mq_release,
	.poll = mq_poll,
	.seekable = false,
};
