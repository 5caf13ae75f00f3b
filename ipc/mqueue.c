/*
 * POSIX message queues: mq_open(2), mq_unlink(2), mq_timedsend(2),
 * mq_timedreceive(2), mq_notify(2), mq_getsetattr(2) (mq_overview(7)).
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
 * and past queues_max. Every queue is charged against its creator's
 * RLIMIT_MSGQUEUE (819200 bytes per user) with Linux's formula, which is
 * what bounds the kernel memory queues can pin.
 *
 * A sender that finds the queue full and a receiver that finds it empty
 * sleep on the queue's wait queue until it changes, a signal arrives or
 * their absolute CLOCK_REALTIME timeout passes. User memory is copied
 * outside every lock: into a kernel message before queueing it, out of it
 * after dequeuing.
 *
 * Locks:
 *   [n] mq_names_lock (mutex): the name list, queue count, per-user charges
 *   [q] mqueue->lock (spinlock): messages, counts, the notification
 *   [I] immutable after creation; [a] atomic
 *   Order: mq_names_lock -> mqueue->lock -> wait-queue lock; tasklist_lock
 *   is taken only with no queue lock held (to signal a notify owner).
 */
#include "ipc.h"
#include "arch.h"
#include "cpu.h"
#include "fs.h"
#include "kmalloc.h"
#include "sched.h"
#include "task.h"
#include "uaccess.h"
#include "uapi/mqueue.h"
#include "uapi/poll.h"
#include "uapi/stat.h"

#define NSEC_PER_SEC		1000000000ULL
/* What Linux charges per message and per priority level (the sizes of its
 * struct msg_msg and posix_msg_tree_node on x86-64), so that RLIMIT_MSGQUEUE
 * admits the same queues as on Linux. */
#define MQ_MSG_CHARGE		48
#define MQ_PRIO_CHARGE		48

struct mq_msg {
	struct list_head link;		/* [q] in mqueue->messages */
	u32 prio;			/* [I] */
	u64 len;			/* [I] bytes of text */
	char text[];
};

struct mqueue {
	struct spinlock lock;
	struct list_head messages;	/* [q] highest priority first, FIFO within one */
	u64 curmsgs;			/* [q] */
	u64 maxmsg, msgsize;		/* [I] */
	u32 rwaiting;			/* [q] receivers asleep on an empty queue */
	struct process *notify_owner;	/* [q] counted; NULL: no registration */
	int notify_kind;		/* [q] LINUX_SIGEV_SIGNAL or LINUX_SIGEV_NONE */
	int notify_signo;		/* [q] 0: register but send nothing */
	struct wait_queue wait;		/* senders and receivers waiting for a change */
	u32 refcount;			/* [a] the name plus every open description */

	struct list_head name_link;	/* [n] in mq_names while it has a name */
	bool linked;			/* [n] */
	char name[NAME_MAX + 1];	/* [n] */
	uid_t uid;			/* [I] owner (the creator's euid) */
	gid_t gid;			/* [I] */
	u32 mode;			/* [I] permission bits */
	u64 charge;			/* [I] bytes charged to uid's RLIMIT_MSGQUEUE */
};

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

static struct mq_user *mq_user_find(uid_t uid)
{
	struct mq_user *u;

	list_for_each_entry(u, &mq_users, link)
		if (u->uid == uid)
			return u;
	return NULL;
}

/* Charge @bytes to @uid within RLIMIT_MSGQUEUE: 0, -EMFILE or -ENOMEM. [n] held. */
static int mq_charge(uid_t uid, u64 bytes)
{
	struct mq_user *u = mq_user_find(uid);

	if (bytes > LINUX_RLIMIT_MSGQUEUE_DEFAULT - (u ? u->bytes : 0))
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
	mq_uncharge(q->uid, q->charge);
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
	err = mq_charge(cur_euid(), charge);
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

/* The queue of descriptor @fd with the file referenced, or -EBADF. */
static int mq_fd(int fd, struct file **fp, struct mqueue **qp)
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

/* Epoch nanoseconds of CLOCK_REALTIME at monotonic time 0 (clock_gettime(2)'s view). */
static u64 mq_realtime_base(void)
{
	for (;;) {
		u64 m1 = arch_clock_ns(), s = arch_rtc_seconds(), m2 = arch_clock_ns();

		/* arch_rtc_seconds() counts whole monotonic seconds since boot. */
		if (m1 / NSEC_PER_SEC == m2 / NSEC_PER_SEC)
			return (s - m1 / NSEC_PER_SEC) * NSEC_PER_SEC;
	}
}

/*
 * Read an absolute CLOCK_REALTIME timeout from user @uts into the monotonic
 * deadline *@deadline (0 for none: @uts NULL; 1 when it has passed). 0,
 * -EFAULT, or -EINVAL for a negative or non-normalised timespec, which
 * Linux refuses before looking at the queue.
 */
static int mq_timeout_in(const struct linux_timespec __user *uts, u64 *deadline)
{
	struct linux_timespec ts;
	u64 abs, base;

	*deadline = 0;
	if (!uts)
		return 0;
	if (copy_from_user(&ts, uts, sizeof(ts)))
		return -EFAULT;
	if (ts.tv_sec < 0 || ts.tv_nsec < 0 || ts.tv_nsec >= (s64)NSEC_PER_SEC)
		return -EINVAL;
	if ((u64)ts.tv_sec >= UINT64_MAX / NSEC_PER_SEC - 1) {
		*deadline = UINT64_MAX;
		return 0;
	}
	abs = (u64)ts.tv_sec * NSEC_PER_SEC + (u64)ts.tv_nsec;
	base = mq_realtime_base();
	*deadline = abs > base + 1 ? abs - base : 1;
	return 0;
}

static bool mq_has_room(struct mqueue *q)
{
	return __atomic_load_n(&q->curmsgs, __ATOMIC_ACQUIRE) < q->maxmsg;
}

static bool mq_has_msg(struct mqueue *q)
{
	return __atomic_load_n(&q->curmsgs, __ATOMIC_ACQUIRE) != 0;
}

/* Queue @m after the messages of its priority and above. [q] held. */
static void mq_insert(struct mqueue *q, struct mq_msg *m)
{
	struct list_head *pos = q->messages.prev;

	/* From the tail: sends of one priority are the common case, O(1). */
	while (pos != &q->messages && list_entry(pos, struct mq_msg, link)->prio < m->prio)
		pos = pos->prev;
	list_add(&m->link, pos);
	__atomic_store_n(&q->curmsgs, q->curmsgs + 1, __ATOMIC_RELEASE);
}

/*
 * After a send made @q non-empty with nobody waiting to receive: take the
 * notification registration away (it fires once) and return its owner for
 * signalling, or NULL. [q] held. mq_notify(3).
 */
static struct process *mq_notify_take(struct mqueue *q, int *signo)
{
	struct process *owner = q->notify_owner;

	if (!owner || q->curmsgs != 1 || q->rwaiting)
		return NULL;
	q->notify_owner = NULL;
	*signo = q->notify_kind == LINUX_SIGEV_SIGNAL ? q->notify_signo : 0;
	return owner;
}

/* Deliver a notification taken by mq_notify_take(); drops the owner reference. */
static void mq_notify_fire(struct process *owner, int signo)
{
	if (signo) {
		spin_lock(&tasklist_lock);
		send_signal_process(owner, signo);
		spin_unlock(&tasklist_lock);
	}
	process_put(owner);
}

/* Put @m on @q, waiting for room unless @nonblock. 0, -EAGAIN, -ETIMEDOUT, -ERESTARTSYS. */
static int mq_send_msg(struct mqueue *q, struct mq_msg *m, bool nonblock, u64 deadline)
{
	struct process *owner = NULL;
	int signo = 0, err;

	for (;;) {
		spin_lock(&q->lock);
		if (q->curmsgs < q->maxmsg)
			break;
		spin_unlock(&q->lock);
		if (nonblock)
			return -EAGAIN;
		err = wait_event_interruptible_deadline(&q->wait, mq_has_room(q), deadline);
		if (err)
			return err;
	}
	mq_insert(q, m);
	owner = mq_notify_take(q, &signo);
	spin_unlock(&q->lock);
	wake_up(&q->wait);
	if (owner)
		mq_notify_fire(owner, signo);
	return 0;
}

/*
 * mq_timedsend - mq_timedsend(2): queue @len bytes at user @ubuf with
 * priority @prio on the queue of descriptor @fd, waiting while it is full
 * unless O_NONBLOCK, at most until the absolute CLOCK_REALTIME time at user
 * @uts (NULL: no limit). Returns 0, or -EBADF (not a queue open for
 * writing), -EMSGSIZE (@len over mq_msgsize), -EINVAL (@prio >=
 * MQ_PRIO_MAX, bad timespec), -EFAULT, -EAGAIN, -ETIMEDOUT, -ERESTARTSYS,
 * -ENOMEM. May sleep.
 */
long sys_mq_timedsend(int fd, const char __user *ubuf, u64 len, u32 prio,
		      const struct linux_timespec __user *uts)
{
	struct mqueue *q;
	struct mq_msg *m;
	struct file *f;
	u64 deadline;
	long r;

	r = mq_timeout_in(uts, &deadline);
	if (r)
		return r;
	if (prio >= LINUX_MQ_PRIO_MAX)
		return -EINVAL;
	r = mq_fd(fd, &f, &q);
	if (r)
		return r;
	if ((file_flags(f) & O_ACCMODE) == O_RDONLY) {
		r = -EBADF;
		goto out;
	}
	if (len > q->msgsize) {
		r = -EMSGSIZE;
		goto out;
	}
	m = kmalloc(sizeof(*m) + len);
	if (!m) {
		r = -ENOMEM;
		goto out;
	}
	m->prio = prio;
	m->len = len;
	if (copy_from_user(m->text, ubuf, len)) {
		kfree(m);
		r = -EFAULT;
		goto out;
	}
	r = mq_send_msg(q, m, file_flags(f) & O_NONBLOCK, deadline);
	if (r)
		kfree(m);
out:
	file_put(f);
	return r;
}

/* Take the first message of @q, waiting unless @nonblock. 0 and *@out, or an errno. */
static int mq_receive_msg(struct mqueue *q, bool nonblock, u64 deadline, struct mq_msg **out)
{
	struct mq_msg *m;
	int err;

	for (;;) {
		spin_lock(&q->lock);
		if (q->curmsgs)
			break;
		if (nonblock) {
			spin_unlock(&q->lock);
			return -EAGAIN;
		}
		q->rwaiting++;	/* a send now wakes us instead of notifying */
		spin_unlock(&q->lock);
		err = wait_event_interruptible_deadline(&q->wait, mq_has_msg(q), deadline);
		spin_lock(&q->lock);
		q->rwaiting--;
		spin_unlock(&q->lock);
		if (err)
			return err;
	}
	m = list_first_entry(&q->messages, struct mq_msg, link);
	list_del(&m->link);
	__atomic_store_n(&q->curmsgs, q->curmsgs - 1, __ATOMIC_RELEASE);
	spin_unlock(&q->lock);
	wake_up(&q->wait);
	*out = m;
	return 0;
}

/*
 * mq_timedreceive - mq_timedreceive(2): take the oldest message of the
 * highest priority from the queue of descriptor @fd into user @ubuf (@len
 * bytes, at least mq_msgsize) and its priority into user @uprio (if not
 * NULL), waiting while the queue is empty unless O_NONBLOCK, at most until
 * the absolute CLOCK_REALTIME time at user @uts. Returns the message's
 * length, or -EBADF, -EMSGSIZE, -EINVAL, -EFAULT (the message is lost, as
 * on Linux), -EAGAIN, -ETIMEDOUT, -ERESTARTSYS. May sleep.
 */
long sys_mq_timedreceive(int fd, char __user *ubuf, u64 len, u32 __user *uprio,
			 const struct linux_timespec __user *uts)
{
	struct mqueue *q;
	struct mq_msg *m;
	struct file *f;
	u64 deadline;
	long r;

	r = mq_timeout_in(uts, &deadline);
	if (r)
		return r;
	r = mq_fd(fd, &f, &q);
	if (r)
		return r;
	if ((file_flags(f) & O_ACCMODE) == O_WRONLY) {
		r = -EBADF;
		goto out;
	}
	if (len < q->msgsize) {
		r = -EMSGSIZE;
		goto out;
	}
	r = mq_receive_msg(q, file_flags(f) & O_NONBLOCK, deadline, &m);
	if (r)
		goto out;
	r = (long)m->len;
	if ((uprio && put_user_u32(uprio, m->prio)) || copy_to_user(ubuf, m->text, m->len))
		r = -EFAULT;
	kfree(m);
out:
	file_put(f);
	return r;
}

/* Validate a sigevent for mq_notify: 0 or -EINVAL. */
static int mq_sigevent_check(const struct linux_sigevent *ev)
{
	switch (ev->sigev_notify) {
	case LINUX_SIGEV_NONE:
		return 0;
	case LINUX_SIGEV_SIGNAL:
		/* Linux's valid_signal(): 0 .. _NSIG; 0 registers but sends nothing. */
		return (u32)ev->sigev_signo <= NSIG ? 0 : -EINVAL;
	default:
		/* SIGEV_THREAD needs a netlink socket, which Sprout does not have. */
		return -EINVAL;
	}
}

/*
 * mq_notify - mq_notify(2): with user @uev, register the caller's process
 * to be told, once, when a message arrives on the empty queue of descriptor
 * @fd while no receiver waits (SIGEV_SIGNAL: send_signal_process() of
 * sigev_signo; SIGEV_NONE: nothing, the registration just ends); with @uev
 * NULL, drop the caller's registration. A registration whose owner has
 * exited no longer counts (Linux drops it when the owner closes the queue).
 * Returns 0, or -EBADF, -EBUSY (another registration exists), -EINVAL
 * (SIGEV_THREAD, bad signal), -EFAULT. Sleeps: no (but copies from user).
 */
long sys_mq_notify(int fd, const struct linux_sigevent __user *uev)
{
	struct process *self = current->proc, *drop = NULL;
	struct linux_sigevent ev;
	struct mqueue *q;
	struct file *f;
	long r;

	if (uev) {
		if (copy_from_user(&ev, uev, sizeof(ev)))
			return -EFAULT;
		r = mq_sigevent_check(&ev);
		if (r)
			return r;
	}
	r = mq_fd(fd, &f, &q);
	if (r)
		return r;
	spin_lock(&q->lock);
	if (q->notify_owner &&
	    __atomic_load_n(&q->notify_owner->state, __ATOMIC_ACQUIRE) != PROC_ALIVE) {
		drop = q->notify_owner;
		q->notify_owner = NULL;
	}
	if (!uev) {
		if (q->notify_owner == self) {
			drop = self;
			q->notify_owner = NULL;
		}
	} else if (q->notify_owner) {
		r = -EBUSY;
	} else {
		process_get(self);
		q->notify_owner = self;
		q->notify_kind = ev.sigev_notify;
		q->notify_signo = ev.sigev_signo;
	}
	spin_unlock(&q->lock);
	if (drop)
		process_put(drop);
	file_put(f);
	return r;
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
