/*
 * System V message queues, the mailboxes of indirect message passing:
 * msgget(2), msgsnd(2), msgrcv(2), msgctl(2).
 *
 * A queue holds kernel copies of the messages in arrival order, bounded by
 * msg_qbytes (MSGMNB by default) bytes; one message carries at most MSGMAX
 * bytes. A sender that does not fit and a receiver that finds no matching
 * message sleep on the queue's wait queue until its change counter moves
 * (any send, receive, IPC_SET or IPC_RMID bumps it), or a signal arrives;
 * IPC_RMID wakes them all with EIDRM. User memory is copied outside the
 * registry lock: into a kernel message before queueing, out of it after
 * dequeuing.
 *
 * Locks: msg_ids.lock [r] guards every queue field; the wait queue has its
 * own spinlock. A sleeper holds a reference on its queue.
 */
#include "ipc.h"
#include "cpu.h"
#include "kmalloc.h"
#include "sched.h"
#include "task.h"
#include "uaccess.h"

struct msg {
	struct list_head link;		/* [r] in queue->messages */
	s64 type;			/* [I] > 0 */
	u64 len;			/* [I] bytes of text */
	char text[];
};

struct msg_queue {
	struct ipc_obj obj;
	struct list_head messages;	/* [r] struct msg, oldest first */
	u64 cbytes, qnum, qbytes;	/* [r] bytes queued, messages, byte limit */
	s64 stime, rtime, ctime;	/* [r] */
	pid_t lspid, lrpid;		/* [r] */
	u32 seq;			/* [r] writes; [a] reads: bumps on every change */
	struct wait_queue wait;		/* senders and receivers */
};

static struct ipc_ids msg_ids = {
	.lock = MUTEX_INIT(msg_ids.lock, "msg_ids"),
	.max = &ipc_msgmni,
};
/* Messages and bytes queued in all queues (MSG_INFO's msgmap, msgtql). [a] */
static u64 msg_hdrs, msg_bytes;

#define MSGSSZ		16	/* Linux's message segment size, reported by IPC_INFO */
#define MSGSEG		0xffff	/* Linux's segment count, clamped to 16 bits */

/* A message joins (@sign 1) or leaves (-1) some queue: the global totals. */
static void msg_count(struct msg *m, int sign)
{
	__atomic_add_fetch(&msg_hdrs, (u64)(s64)sign, __ATOMIC_RELAXED);
	__atomic_add_fetch(&msg_bytes, (u64)((s64)sign * (s64)m->len), __ATOMIC_RELAXED);
}

static struct msg_queue *queue_of(struct ipc_obj *o)
{
	return container_of(o, struct msg_queue, obj);
}

static void queue_free(struct ipc_obj *o)
{
	struct msg_queue *q = queue_of(o);
	struct msg *m, *tmp;

	list_for_each_entry_safe(m, tmp, &q->messages, link) {
		msg_count(m, -1);
		kfree(m);
	}
	kfree(q);
}

static pid_t cur_pid(void)
{
	return current->proc ? current->proc->pid : 0;
}

/* Something changed: let every sleeper look again. [r] held. */
static void queue_changed(struct msg_queue *q)
{
	__atomic_add_fetch(&q->seq, 1, __ATOMIC_RELEASE);
	wake_up(&q->wait);
}

/* Sleep until @q changes after @snap; 0, -EIDRM or -ERESTARTSYS. */
static int queue_wait(struct msg_queue *q, u32 snap)
{
	int err = wait_event_interruptible(&q->wait,
					   __atomic_load_n(&q->seq, __ATOMIC_ACQUIRE) != snap);

	if (!err && __atomic_load_n(&q->obj.removed, __ATOMIC_ACQUIRE))
		return -EIDRM;
	return err;
}

/*
 * msgget - msgget(2): the queue of @key (IPC_PRIVATE: a new one), created
 * with IPC_CREAT and permission bits of @flg. Returns its id, or -EEXIST,
 * -ENOENT, -EACCES, -ENOSPC (msgmni queues exist), -ENOMEM. May sleep.
 */
long sys_msgget(s32 key, int flg)
{
	struct ipc_obj *o = NULL;
	struct msg_queue *q;
	long r;

	mutex_lock(&msg_ids.lock);
	r = ipc_get_common(&msg_ids, key, flg, &o);
	if (r <= 0) {
		r = r ? r : o->id;
		goto out;
	}
	q = kzalloc(sizeof(*q));
	if (!q) {
		r = -ENOMEM;
		goto out;
	}
	list_init(&q->messages);
	wait_queue_init(&q->wait, "msg_queue");
	q->qbytes = (u64)__atomic_load_n(&ipc_msgmnb, __ATOMIC_RELAXED);
	q->ctime = ipc_now();
	q->obj.free = queue_free;
	r = ipc_add(&msg_ids, &q->obj, key, (u32)flg);
	if (r) {
		kfree(q);
		goto out;
	}
	r = q->obj.id;
out:
	mutex_unlock(&msg_ids.lock);
	return r;
}

/* The queue @id, referenced, after an access check; [r] held. */
static int queue_lookup(int id, u32 want, struct msg_queue **out)
{
	struct ipc_obj *o = ipc_find_id(&msg_ids, id);

	if (!o)
		return -EINVAL;
	if (!ipc_permitted(o, want))
		return -EACCES;
	*out = queue_of(o);
	return 0;
}

/*
 * msgsnd - msgsnd(2): queue the message at user @umsg (a long type > 0, then
 * @size bytes of text) on queue @id, waiting for room unless IPC_NOWAIT.
 * Returns 0, or -EINVAL (bad id, type or size > MSGMAX), -EACCES, -EFAULT,
 * -EAGAIN, -EIDRM (removed while waiting), -ERESTARTSYS, -ENOMEM. May sleep.
 */
long sys_msgsnd(int id, const void __user *umsg, s64 size, int flg)
{
	struct msg_queue *q = NULL;
	struct msg *m;
	long r;

	if (size < 0 || size > __atomic_load_n(&ipc_msgmax, __ATOMIC_RELAXED) || id < 0)
		return -EINVAL;
	m = kmalloc(sizeof(*m) + (u64)size);
	if (!m)
		return -ENOMEM;
	m->len = (u64)size;
	if (copy_from_user(&m->type, umsg, sizeof(m->type)) ||
	    copy_from_user(m->text, (const char __user *)umsg + sizeof(long), m->len)) {
		kfree(m);
		return -EFAULT;
	}
	if (m->type < 1) {
		kfree(m);
		return -EINVAL;
	}
	mutex_lock(&msg_ids.lock);
	r = queue_lookup(id, 2, &q);
	if (r)
		goto out_unlock;
	ipc_obj_get(&q->obj);
	for (;;) {
		if (q->obj.removed) {
			r = -EIDRM;
			break;
		}
		/* Room: bytes within qbytes, and (Linux) messages within qbytes. */
		if (q->cbytes + m->len <= q->qbytes && q->qnum + 1 <= q->qbytes) {
			list_add_tail(&m->link, &q->messages);
			msg_count(m, 1);
			q->cbytes += m->len;
			q->qnum++;
			q->stime = ipc_now();
			q->lspid = cur_pid();
			queue_changed(q);
			m = NULL;
			r = 0;
			break;
		}
		if (flg & LINUX_IPC_NOWAIT) {
			r = -EAGAIN;
			break;
		}
		u32 snap = q->seq;

		mutex_unlock(&msg_ids.lock);
		r = queue_wait(q, snap);
		mutex_lock(&msg_ids.lock);
		if (r && r != -EIDRM)
			break;
	}
	mutex_unlock(&msg_ids.lock);
	ipc_obj_put(&q->obj);
	kfree(m);
	return r;
out_unlock:
	mutex_unlock(&msg_ids.lock);
	kfree(m);
	return r;
}

/* The message msgrcv(2) selects by @type and MSG_EXCEPT, or NULL. [r] held. */
static struct msg *queue_pick(struct msg_queue *q, s64 type, int flg)
{
	struct msg *m, *best = NULL;

	list_for_each_entry(m, &q->messages, link) {
		if (type == 0)
			return m;
		if (type > 0) {
			if ((flg & LINUX_MSG_EXCEPT) ? m->type != type : m->type == type)
				return m;
		} else if (m->type <= -type && (!best || m->type < best->type)) {
			best = m;	/* lowest type <= |type|, oldest first among equals */
		}
	}
	return best;
}

/*
 * msgrcv - msgrcv(2): take a message from queue @id -- @type 0: the first;
 * > 0: the first of that type (not of it with MSG_EXCEPT); < 0: the first
 * of the lowest type <= -@type -- and store its type and up to @size bytes
 * of text at user @umsg, waiting unless IPC_NOWAIT. Returns the text bytes
 * copied, or -E2BIG (longer than @size without MSG_NOERROR; it stays
 * queued), -ENOMSG, -EINVAL, -EACCES, -EFAULT, -EIDRM, -ERESTARTSYS,
 * -ENOSYS (MSG_COPY). May sleep.
 */
long sys_msgrcv(int id, void __user *umsg, s64 size, s64 type, int flg)
{
	struct msg_queue *q = NULL;
	struct msg *m = NULL;
	u64 n;
	long r;

	if (flg & LINUX_MSG_COPY)
		return -ENOSYS;	/* checkpoint/restore support, not built */
	if (size < 0 || id < 0)
		return -EINVAL;
	mutex_lock(&msg_ids.lock);
	r = queue_lookup(id, 4, &q);
	if (r) {
		mutex_unlock(&msg_ids.lock);
		return r;
	}
	ipc_obj_get(&q->obj);
	for (;;) {
		if (q->obj.removed) {
			r = -EIDRM;
			break;
		}
		m = queue_pick(q, type, flg);
		if (m && m->len > (u64)size && !(flg & LINUX_MSG_NOERROR)) {
			m = NULL;
			r = -E2BIG;
			break;
		}
		if (m) {
			list_del(&m->link);
			msg_count(m, -1);
			q->cbytes -= m->len;
			q->qnum--;
			q->rtime = ipc_now();
			q->lrpid = cur_pid();
			queue_changed(q);
			r = 0;
			break;
		}
		if (flg & LINUX_IPC_NOWAIT) {
			r = -ENOMSG;
			break;
		}
		u32 snap = q->seq;

		mutex_unlock(&msg_ids.lock);
		r = queue_wait(q, snap);
		mutex_lock(&msg_ids.lock);
		if (r && r != -EIDRM)
			break;
	}
	mutex_unlock(&msg_ids.lock);
	ipc_obj_put(&q->obj);
	if (!m)
		return r;
	n = MIN(m->len, (u64)size);
	/* Dequeued already: a fault loses the message, as on Linux. */
	if (copy_to_user(umsg, &m->type, sizeof(m->type)) ||
	    copy_to_user((char __user *)umsg + sizeof(long), m->text, n))
		r = -EFAULT;
	else
		r = (long)n;
	kfree(m);
	return r;
}

static void queue_fill_stat(struct msg_queue *q, struct linux_msqid64_ds *ds)
{
	memset(ds, 0, sizeof(*ds));
	ipc_fill_perm(&q->obj, &ds->msg_perm);
	ds->msg_stime = q->stime;
	ds->msg_rtime = q->rtime;
	ds->msg_ctime = q->ctime;
	ds->msg_cbytes = q->cbytes;
	ds->msg_qnum = q->qnum;
	ds->msg_qbytes = q->qbytes;
	ds->msg_lspid = q->lspid;
	ds->msg_lrpid = q->lrpid;
}

/* IPC_INFO (the limits) and MSG_INFO (the same with what is in use). */
static long msgctl_info(int cmd, void __user *buf)
{
	struct linux_msginfo mi;
	int mni = __atomic_load_n(&ipc_msgmni, __ATOMIC_RELAXED);
	int mnb = __atomic_load_n(&ipc_msgmnb, __ATOMIC_RELAXED);
	long r;

	memset(&mi, 0, sizeof(mi));
	mi.msgmni = mni;
	mi.msgmax = __atomic_load_n(&ipc_msgmax, __ATOMIC_RELAXED);
	mi.msgmnb = mnb;
	mi.msgssz = MSGSSZ;
	mi.msgseg = MSGSEG;
	mutex_lock(&msg_ids.lock);
	if (cmd == LINUX_MSG_INFO) {
		mi.msgpool = (s32)msg_ids.in_use;
		mi.msgmap = (s32)MIN(__atomic_load_n(&msg_hdrs, __ATOMIC_RELAXED), 0x7fffffffULL);
		mi.msgtql = (s32)MIN(__atomic_load_n(&msg_bytes, __ATOMIC_RELAXED), 0x7fffffffULL);
	} else {
		/* Linux's compile-time figures: MSGMAP, MSGPOOL, MSGTQL. */
		mi.msgmap = LINUX_MSGMNB;
		mi.msgpool = (s32)((s64)LINUX_MSGMNI * LINUX_MSGMNB / 1024);
		mi.msgtql = LINUX_MSGMNB;
	}
	r = ipc_max_index(&msg_ids);
	mutex_unlock(&msg_ids.lock);
	if (copy_to_user(buf, &mi, sizeof(mi)))
		return -EFAULT;
	return r;
}

/*
 * msgctl - msgctl(2): IPC_STAT (into user @buf), IPC_SET (uid, gid, mode and
 * msg_qbytes from @buf), IPC_RMID (waking every sleeper with EIDRM);
 * IPC_INFO and MSG_INFO (a struct msginfo; return the highest index in
 * use); MSG_STAT and MSG_STAT_ANY (IPC_STAT of the queue at index @id,
 * returning its id; MSG_STAT_ANY without the read-permission check).
 * Errors as msgctl(2) orders them: -EINVAL (negative id or command, no such
 * id or index, bad command, msg_qbytes 0), then -EACCES (no read permission
 * for IPC_STAT/MSG_STAT) or -EPERM (IPC_SET/IPC_RMID by other than the
 * owner or creator, or msg_qbytes above msgmnb unprivileged), -EFAULT.
 * May sleep.
 */
long sys_msgctl(int id, int cmd, void __user *buf)
{
	struct linux_msqid64_ds ds;
	struct msg_queue *q;
	struct ipc_obj *o;
	bool stat;
	long r = 0;

	if (id < 0 || cmd < 0)
		return -EINVAL;
	cmd = ipc_cmd(cmd);
	if (cmd == LINUX_IPC_INFO || cmd == LINUX_MSG_INFO)
		return msgctl_info(cmd, buf);
	stat = cmd == LINUX_IPC_STAT || cmd == LINUX_MSG_STAT || cmd == LINUX_MSG_STAT_ANY;
	if (cmd == LINUX_IPC_SET && copy_from_user(&ds, buf, sizeof(ds)))
		return -EFAULT;
	mutex_lock(&msg_ids.lock);
	if (cmd == LINUX_MSG_STAT || cmd == LINUX_MSG_STAT_ANY)
		o = ipc_find_index(&msg_ids, id);
	else
		o = ipc_find_id(&msg_ids, id);
	if (!o) {
		r = -EINVAL;
		goto out;
	}
	q = queue_of(o);
	switch (cmd) {
	case LINUX_IPC_STAT:
	case LINUX_MSG_STAT:
	case LINUX_MSG_STAT_ANY:
		if (cmd != LINUX_MSG_STAT_ANY && !ipc_permitted(o, 4)) {
			r = -EACCES;
			break;
		}
		queue_fill_stat(q, &ds);
		r = cmd == LINUX_IPC_STAT ? 0 : o->id;
		break;
	case LINUX_IPC_SET:
		if (!ipc_owner_or_root(o)) {
			r = -EPERM;
			break;
		}
		if (!ds.msg_qbytes) {
			r = -EINVAL;
			break;
		}
		/* Above msgmnb needs privilege (Linux: CAP_SYS_RESOURCE). */
		if (ds.msg_qbytes > (u64)__atomic_load_n(&ipc_msgmnb, __ATOMIC_RELAXED) &&
		    current->proc->euid) {
			r = -EPERM;
			break;
		}
		ipc_set_perm(o, &ds.msg_perm);
		q->qbytes = ds.msg_qbytes;
		q->ctime = ipc_now();
		queue_changed(q);	/* a larger limit may let senders in */
		break;
	case LINUX_IPC_RMID:
		if (!ipc_owner_or_root(o)) {
			r = -EPERM;
			break;
		}
		/* Sleepers hold their own references; ours keeps q for the wake. */
		ipc_obj_get(o);
		ipc_remove(&msg_ids, o);
		queue_changed(q);
		mutex_unlock(&msg_ids.lock);
		ipc_obj_put(o);
		return 0;
	default:
		r = -EINVAL;
		break;
	}
out:
	mutex_unlock(&msg_ids.lock);
	if (r >= 0 && stat && copy_to_user(buf, &ds, sizeof(ds)))
		r = -EFAULT;
	return r;
}
