/*
 * Direct message passing between named processes, Sprout's extension (the
 * user side and the model: include/uapi/sprout_msg.h; docs/ipc.md).
 *
 * Rendezvous as in Minix: nothing is buffered. A process that cannot
 * complete its transfer at once puts a struct mp_waiter, living on its own
 * kernel stack, on the one list of blocked processes and sleeps until its
 * partner completes the transfer for it, under mp_lock, and marks it done:
 *   - a sender finds its receiver already waiting: the message goes straight
 *     into the receiver's waiter; otherwise the sender waits, and a later
 *     receive copies the message out of the sender's waiter;
 *   - sendrec is a send whose waiter, once the message is taken, turns in the
 *     same critical section into a receive from the same partner, so the
 *     reply finds it waiting.
 * Messages go between kernel copies; user memory is touched only before
 * blocking and after waking, never under mp_lock.
 *
 * Errors the waiting side can meet: the partner exits (msgpass_exit() fails
 * every waiter that names it with ESRCH), a signal (the waiter takes itself
 * off the list: nothing is left behind), or a cycle of waits, refused with
 * EDEADLK before blocking by following the chain "X waits for Y" from the
 * partner: a sender waits for its destination, a receiver from a given pid
 * for that pid (one from SPROUT_ANY waits for nobody in particular).
 *
 * A process is alive for message passing while it has threads: the exit of
 * its last thread drops nr_threads to 0 before msgpass_exit() takes mp_lock,
 * so a partner either sees it dead or is on the list when the hook runs.
 *
 * Locks: mp_lock (spinlock) guards the list and every waiter on it [m].
 * Order: mp_lock -> tasklist_lock -> wait-queue lock -> run-queue lock.
 */
#include "ipc.h"
#include "cpu.h"
#include "sched.h"
#include "task.h"
#include "uaccess.h"
#include "uapi/sprout_msg.h"

enum mp_state {
	MP_SENDING,		/* waits for peer to receive msg */
	MP_RECEIVING,		/* waits for a message from peer (or SPROUT_ANY) */
	MP_DONE,		/* off the list; error and msg are final */
};

struct mp_waiter {
	struct list_head link;		/* [m] in mp_waiters while not MP_DONE */
	struct task *task;		/* [I] the sleeper */
	pid_t self;			/* [I] its process */
	pid_t peer;			/* [m] destination, source, or SPROUT_ANY */
	enum mp_state state;		/* [m] written under mp_lock; read atomically to wake */
	bool reply;			/* [m] sendrec: receive from peer once msg is taken */
	bool sent;			/* [m] sendrec: the request has been received */
	int error;			/* [m] 0 or -ESRCH once MP_DONE */
	struct sprout_msg msg;		/* [m] the message to send, or the one received */
	struct wait_queue wq;		/* only this waiter sleeps here */
};

static struct spinlock mp_lock = SPINLOCK_INIT("msgpass");
static struct list_head mp_waiters = LIST_HEAD_INIT(mp_waiters);	/* [m] oldest first */

/* Is @pid a process that can still take part? Takes tasklist_lock. [m] held. */
static bool mp_alive(pid_t pid)
{
	struct process *p;
	bool alive;

	spin_lock(&tasklist_lock);
	p = process_find(pid);
	alive = p && p->state == PROC_ALIVE && __atomic_load_n(&p->nr_threads, __ATOMIC_ACQUIRE);
	spin_unlock(&tasklist_lock);
	return alive;
}

/* Finish @w with @error: off the list, and wake its owner. [m] held. */
static void mp_complete(struct mp_waiter *w, int error)
{
	list_del(&w->link);
	w->error = error;
	__atomic_store_n(&w->state, MP_DONE, __ATOMIC_RELEASE);
	wake_up(&w->wq);
}

/* A process of @dest waiting to receive from @src (or anyone). [m] held. */
static struct mp_waiter *mp_find_receiver(pid_t dest, pid_t src)
{
	struct mp_waiter *w;

	list_for_each_entry(w, &mp_waiters, link)
		if (w->state == MP_RECEIVING && w->self == dest &&
		    (w->peer == SPROUT_ANY || w->peer == src))
			return w;
	return NULL;
}

/* The oldest sender to @dest from @from (or anyone). [m] held. */
static struct mp_waiter *mp_find_sender(pid_t dest, pid_t from)
{
	struct mp_waiter *w;

	list_for_each_entry(w, &mp_waiters, link)
		if (w->state == MP_SENDING && w->peer == dest &&
		    (from == SPROUT_ANY || w->self == from))
			return w;
	return NULL;
}

/* Whom process @pid is blocked on (0: nobody in particular). [m] held. */
static pid_t mp_blocked_on(pid_t pid)
{
	struct mp_waiter *w;

	list_for_each_entry(w, &mp_waiters, link)
		if (w->self == pid && w->peer != SPROUT_ANY)
			return w->peer;
	return 0;
}

/*
 * Would @self waiting for @peer close a cycle? Follows the chain of waits
 * from @peer, at most one step per waiter, so it ends even if the list held
 * a cycle that does not pass through @self. [m] held.
 */
static bool mp_deadlock(pid_t self, pid_t peer)
{
	struct list_head *pos;
	u32 steps = 1;
	pid_t x = peer;

	list_for_each(pos, &mp_waiters)
		steps++;
	/* Invariant: x is the process the previous one in the chain waits for. */
	while (x && steps--) {
		if (x == self)
			return true;
		x = mp_blocked_on(x);
	}
	return false;
}

/* Hand @w's message to a receiver (stamped with the sender's pid into @out). [m] held. */
static void mp_take(struct mp_waiter *w, struct sprout_msg *out)
{
	*out = w->msg;
	out->m_source = w->self;
	if (w->reply) {
		/* sendrec: now wait for the reply, from the same partner. */
		w->reply = false;
		w->sent = true;
		w->state = MP_RECEIVING;
		return;
	}
	mp_complete(w, 0);
}

/*
 * Sleep until @w is done, then return its error; a signal first takes it off
 * the list: -ERESTARTSYS, or -EINTR once a sendrec's request was received
 * (redoing the call would send it again). mp_lock not held. May sleep.
 */
static int mp_sleep(struct mp_waiter *w)
{
	int err = wait_event_interruptible(&w->wq, __atomic_load_n(&w->state,
								    __ATOMIC_ACQUIRE) == MP_DONE);

	/* Taking the lock also waits for a waker still inside wake_up(&w->wq). */
	spin_lock(&mp_lock);
	if (w->state != MP_DONE) {
		list_del(&w->link);
		err = w->sent ? -EINTR : -ERESTARTSYS;
	} else {
		err = w->error;	/* done wins over a signal: the transfer happened */
	}
	spin_unlock(&mp_lock);
	return err;
}

static void mp_waiter_init(struct mp_waiter *w, enum mp_state state, pid_t peer)
{
	memset(w, 0, sizeof(*w));
	w->task = current;
	w->self = current->proc->pid;
	w->peer = peer;
	w->state = state;
	wait_queue_init(&w->wq, "msgpass");
}

/* send (@reply false) or sendrec of the kernel copy *@m to @dest; the reply lands in *@m. */
static long mp_send(pid_t dest, struct sprout_msg *m, bool reply)
{
	struct mp_waiter w, *rw;
	long r;

	if (dest <= 0)
		return -EINVAL;
	mp_waiter_init(&w, MP_SENDING, dest);
	w.msg = *m;
	w.reply = reply;
	spin_lock(&mp_lock);
	if (!mp_alive(dest)) {
		r = -ESRCH;
		goto out_unlock;
	}
	rw = mp_find_receiver(dest, w.self);
	if (rw) {
		rw->msg = w.msg;
		rw->msg.m_source = w.self;
		mp_complete(rw, 0);
		if (!reply) {
			r = 0;
			goto out_unlock;
		}
		/* sendrec: the request is in; wait for the reply from dest. */
		w.state = MP_RECEIVING;
		w.reply = false;
		w.sent = true;
	} else if (mp_deadlock(w.self, dest)) {
		r = -EDEADLK;
		goto out_unlock;
	}
	list_add_tail(&w.link, &mp_waiters);
	spin_unlock(&mp_lock);
	r = mp_sleep(&w);
	if (!r && reply)
		*m = w.msg;
	return r;
out_unlock:
	spin_unlock(&mp_lock);
	return r;
}

/* receive into the kernel copy *@m from @from or SPROUT_ANY; returns the sender's pid. */
static long mp_receive(pid_t from, struct sprout_msg *m)
{
	struct mp_waiter w, *sw;
	long r;

	if (from <= 0 && from != SPROUT_ANY)
		return -EINVAL;
	mp_waiter_init(&w, MP_RECEIVING, from);
	spin_lock(&mp_lock);
	sw = mp_find_sender(w.self, from);
	if (sw) {
		mp_take(sw, m);
		spin_unlock(&mp_lock);
		return m->m_source;
	}
	if (from != SPROUT_ANY && !mp_alive(from)) {
		r = -ESRCH;
		goto out_unlock;
	}
	if (from != SPROUT_ANY && mp_deadlock(w.self, from)) {
		r = -EDEADLK;
		goto out_unlock;
	}
	list_add_tail(&w.link, &mp_waiters);
	spin_unlock(&mp_lock);
	r = mp_sleep(&w);
	if (r)
		return r;
	*m = w.msg;
	return m->m_source;
out_unlock:
	spin_unlock(&mp_lock);
	return r;
}

/*
 * Check that user @um can take a message before anything is consumed: read
 * it and write the same bytes back (so a fault after a transfer, which would
 * lose the message, needs the mapping to change while we sleep).
 */
static int mp_user_buffer_ok(struct sprout_msg __user *um, struct sprout_msg *k)
{
	if (copy_from_user(k, um, sizeof(*k)) || copy_to_user(um, k, sizeof(*k)))
		return -EFAULT;
	return 0;
}

/*
 * sprout_send - send the message at user @um to process @dest and wait
 * until dest has received it (rendezvous). Returns 0, or -EINVAL (@dest not
 * a pid), -EFAULT, -ESRCH (no such process, or it exited while we waited),
 * -EDEADLK (a cycle of waits), -ERESTARTSYS (a signal; nothing was sent).
 * Locks: mp_lock, tasklist_lock. May sleep. Sprout extension
 * (include/uapi/sprout_msg.h).
 */
long sys_sprout_send(pid_t dest, const struct sprout_msg __user *um)
{
	struct sprout_msg m;

	if (copy_from_user(&m, um, sizeof(m)))
		return -EFAULT;
	return mp_send(dest, &m, false);
}

/*
 * sprout_receive - wait for a message to the caller from process @from, or
 * from any process with SPROUT_ANY (the oldest waiting sender first), and
 * store it at user @um with m_source set to the sender. Returns the
 * sender's pid, or -EINVAL, -EFAULT, -ESRCH (@from does not exist or
 * exited), -EDEADLK, -ERESTARTSYS. Locks: mp_lock, tasklist_lock. May
 * sleep. Sprout extension.
 */
long sys_sprout_receive(pid_t from, struct sprout_msg __user *um)
{
	struct sprout_msg m;
	long r;

	r = mp_user_buffer_ok(um, &m);
	if (r)
		return r;
	r = mp_receive(from, &m);
	if (r > 0 && copy_to_user(um, &m, sizeof(m)))
		return -EFAULT;
	return r;
}

/*
 * sprout_sendrec - send the message at user @um to @dest, then wait for
 * dest's reply and store it at @um. Returns 0, or the errors of
 * sprout_send, and -EINTR for a signal after the request was received.
 * Locks: mp_lock, tasklist_lock. May sleep. Sprout extension.
 */
long sys_sprout_sendrec(pid_t dest, struct sprout_msg __user *um)
{
	struct sprout_msg m;
	long r;

	r = mp_user_buffer_ok(um, &m);
	if (r)
		return r;
	r = mp_send(dest, &m, true);
	if (!r && copy_to_user(um, &m, sizeof(m)))
		return -EFAULT;
	return r;
}

/* msgpass_exit - see include/ipc.h. */
void msgpass_exit(struct process *p)
{
	struct mp_waiter *w, *tmp;

	spin_lock(&mp_lock);
	list_for_each_entry_safe(w, tmp, &mp_waiters, link)
		if (w->peer == p->pid)
			mp_complete(w, -ESRCH);
	spin_unlock(&mp_lock);
}
