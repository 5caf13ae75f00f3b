/*
 * AF_UNIX sockets (unix(7)): stream, datagram and sequenced-packet sockets
 * on one machine, named in the file system (a socket inode) or in the
 * abstract namespace (a leading NUL byte), or unnamed (socketpair(2)).
 *
 * This file owns the sockets themselves: creation, connections (listen,
 * connect, accept, socketpair), shutdown, release, options and readiness;
 * names are net/unix_name.c's. A stream or seqpacket connect(2) creates
 * the server's end at once and queues it on the listener, as Linux does, so
 * a client may write before the server accepts; a full backlog makes
 * connect wait (EAGAIN when non-blocking). Messages are net/unix_msg.c's,
 * collection of unreachable descriptors in flight net/unix_gc.c's. Locks:
 * net/unix.h.
 */
#include "unix.h"
#include "kernel.h"
#include "kmalloc.h"
#include "task.h"
#include "cpu.h"
#include "uapi/errno.h"
#include "uapi/ioctl.h"
#include "uapi/poll.h"
#include "uapi/stat.h"

static const struct proto_ops unix_stream_ops, unix_dgram_ops, unix_seqpacket_ops;

void unix_sock_get(struct unix_sock *u)
{
	__atomic_add_fetch(&u->refcount, 1, __ATOMIC_RELAXED);
}

void unix_sock_put(struct unix_sock *u)
{
	if (__atomic_sub_fetch(&u->refcount, 1, __ATOMIC_ACQ_REL))
		return;
	unix_table_del(u);
	unix_addr_put(u->addr);
	kfree(u);
}

void unix_current_cred(struct linux_ucred *c)
{
	struct process *p = current->proc;

	c->pid = p ? p->pid : 0;
	c->uid = p ? p->euid : 0;
	c->gid = p ? p->egid : 0;
}

u64 unix_sndbuf(struct unix_sock *u)
{
	struct socket *s = u->sock;

	/* A snapshot of the option (setsockopt changes it under opt_lock). */
	return s ? (u64)__atomic_load_n(&s->sndbuf, __ATOMIC_RELAXED) : 212992;
}

static struct unix_sock *unix_sock_new(int type)
{
	struct unix_sock *u = kzalloc(sizeof(*u));

	if (!u)
		return NULL;
	u->refcount = 1;
	u->type = type;
	spin_init(&u->lock, "unix_sock");
	list_init(&u->queue);
	list_init(&u->accept_q);
	list_init(&u->accept_link);
	list_init(&u->bound_link);
	list_init(&u->gc_link);
	wait_queue_init(&u->wait, "unix_wait");
	mutex_init(&u->iolock, "unix_io");
	unix_table_add(u);
	return u;
}

static void unix_attach(struct socket *s, struct unix_sock *u)
{
	spin_lock(&u->lock);
	u->sock = s;
	u->ino = s->ino;
	spin_unlock(&u->lock);
	s->sk = u;
}

static int unix_create(struct socket *s, int type, int protocol)
{
	struct unix_sock *u;

	if (protocol && protocol != AF_UNIX)
		return -EPROTONOSUPPORT;
	switch (type) {
	case SOCK_STREAM: s->ops = &unix_stream_ops; break;
	case SOCK_DGRAM: s->ops = &unix_dgram_ops; break;
	case SOCK_SEQPACKET: s->ops = &unix_seqpacket_ops; break;
	default: return -ESOCKTNOSUPPORT;
	}
	u = unix_sock_new(type);
	if (!u)
		return -ENOMEM;
	s->sk = u;
	u->sock = s;
	u->ino = s->ino;
	return 0;
}

/* ---- connections ---- */

static int unix_listen(struct socket *s, int backlog)
{
	struct unix_sock *u = s->sk;
	int err = 0;

	if (u->type == SOCK_DGRAM)
		return -EOPNOTSUPP;
	if (!__atomic_load_n(&u->addr, __ATOMIC_ACQUIRE))
		return -EINVAL;
	spin_lock(&u->lock);
	if (u->state == UNIX_CONNECTED) {
		err = -EINVAL;
	} else {
		u->state = UNIX_LISTEN;
		u->backlog = (u32)backlog;
		unix_current_cred(&u->peercred);
		u->has_peercred = true;
	}
	spin_unlock(&u->lock);
	if (!err)
		wake_up(&u->wait);	/* connecters waiting for room see the new backlog */
	return err;
}

/* Lock two sockets in address order. */
static void lock_pair(struct unix_sock *a, struct unix_sock *b)
{
	if (a < b) {
		spin_lock(&a->lock);
		spin_lock_nested(&b->lock);
	} else {
		spin_lock(&b->lock);
		spin_lock_nested(&a->lock);
	}
}

static void unlock_pair(struct unix_sock *a, struct unix_sock *b)
{
	if (a < b) {
		spin_unlock(&b->lock);
		spin_unlock(&a->lock);
	} else {
		spin_unlock(&a->lock);
		spin_unlock(&b->lock);
	}
}

static bool listener_has_room(struct unix_sock *l)
{
	bool r;

	spin_lock(&l->lock);
	r = l->state != UNIX_LISTEN || l->dead || l->nr_pending <= l->backlog;
	spin_unlock(&l->lock);
	return r;
}

static int unix_stream_connect(struct socket *s, const void *addr, int len, bool nonblock)
{
	struct unix_sock *u = s->sk, *l, *n;
	u64 deadline;
	int err;

	if (len >= 2 && ((const struct linux_sockaddr_un *)addr)->sun_family != AF_UNIX)
		return -EINVAL;
	err = unix_find(addr, len, u->type, &l);
	if (err)
		return err;
	n = unix_sock_new(u->type);
	if (!n) {
		unix_sock_put(l);
		return -ENOMEM;
	}
	unix_current_cred(&n->peercred);
	n->has_peercred = true;
	if (l == u) {
		/* Connecting to itself: a listener may not, others are not listening. */
		spin_lock(&u->lock);
		err = u->state == UNIX_LISTEN ? -EINVAL : -ECONNREFUSED;
		spin_unlock(&u->lock);
		goto fail;
	}
	deadline = sock_deadline(s, false);
	for (;;) {
		lock_pair(l, u);
		if (l->state != UNIX_LISTEN || l->dead) {
			err = -ECONNREFUSED;
			break;
		}
		if (u->state == UNIX_CONNECTED) {
			err = -EISCONN;
			break;
		}
		if (u->state == UNIX_LISTEN) {
			err = -EINVAL;
			break;
		}
		if (l->nr_pending <= l->backlog) {
			err = 0;
			break;
		}
		unlock_pair(l, u);
		if (nonblock) {
			err = -EAGAIN;
			goto fail;
		}
		err = wait_event_interruptible_deadline(&l->wait, listener_has_room(l), deadline);
		if (err == -ETIMEDOUT)
			err = -EAGAIN;
		if (err)
			goto fail;
	}
	if (err) {
		unlock_pair(l, u);
		goto fail;
	}
	/* Commit: the server's end joins the accept queue, connected to @u. */
	n->state = UNIX_CONNECTED;
	n->passcred = l->passcred;
	unix_sock_get(u);
	n->peer = u;
	unix_sock_get(n);
	u->peer = n;
	u->state = UNIX_CONNECTED;
	u->peercred = l->peercred;
	u->has_peercred = true;
	n->addr = unix_addr_get(l);	/* the server's end shares the listener's name */
	list_add_tail(&n->accept_link, &l->accept_q);	/* the queue's reference: n's own */
	l->nr_pending++;
	unlock_pair(l, u);
	wake_up(&l->wait);
	unix_sock_put(l);
	return 0;
fail:
	unix_sock_put(n);
	unix_sock_put(l);
	return err;
}

static bool accept_ready(struct unix_sock *l)
{
	bool r;

	spin_lock(&l->lock);
	r = !list_empty(&l->accept_q) || l->state != UNIX_LISTEN;
	spin_unlock(&l->lock);
	return r;
}

static int unix_accept(struct socket *s, struct socket *ns, bool nonblock)
{
	struct unix_sock *l = s->sk, *n;
	u64 deadline;
	int err;

	if (l->type == SOCK_DGRAM)
		return -EOPNOTSUPP;
	deadline = sock_deadline(s, true);
	for (;;) {
		spin_lock(&l->lock);
		if (l->state != UNIX_LISTEN) {
			spin_unlock(&l->lock);
			return -EINVAL;
		}
		if (!list_empty(&l->accept_q))
			break;
		spin_unlock(&l->lock);
		if (nonblock)
			return -EAGAIN;
		err = wait_event_interruptible_deadline(&l->wait, accept_ready(l), deadline);
		if (err == -ETIMEDOUT)
			return -EAGAIN;
		if (err)
			return err;
	}
	n = list_first_entry(&l->accept_q, struct unix_sock, accept_link);
	list_del(&n->accept_link);
	l->nr_pending--;
	spin_unlock(&l->lock);
	wake_up(&l->wait);	/* a connecter may wait for room */
	unix_attach(ns, n);	/* the queue's reference moves to the socket */
	return 0;
}

static int unix_socketpair(struct socket *a, struct socket *b)
{
	struct unix_sock *ua = a->sk, *ub = b->sk;

	/* Both are new and unreachable by anyone else: no locks needed. */
	unix_sock_get(ub);
	ua->peer = ub;
	unix_sock_get(ua);
	ub->peer = ua;
	unix_current_cred(&ua->peercred);
	ub->peercred = ua->peercred;
	ua->has_peercred = ub->has_peercred = true;
	if (ua->type != SOCK_DGRAM)
		ua->state = ub->state = UNIX_CONNECTED;
	return 0;
}

static int unix_dgram_connect(struct socket *s, const void *addr, int len, bool nonblock)
{
	struct unix_sock *u = s->sk, *p = NULL, *old;
	int err;

	if (len < 2)
		return -EINVAL;
	if (((const struct linux_sockaddr_un *)addr)->sun_family == AF_UNSPEC) {
		/* connect(2): AF_UNSPEC dissolves the association. */
	} else {
		err = unix_find(addr, len, u->type, &p);
		if (err)
			return err;
		if (u->passcred) {
			err = unix_autobind(u);
			if (err) {
				unix_sock_put(p);
				return err;
			}
		}
	}
	spin_lock(&u->lock);
	old = u->peer;
	u->peer = p;
	spin_unlock(&u->lock);
	if (old) {
		wake_up(&old->wait);
		unix_sock_put(old);
	}
	return 0;
}

static int unix_shutdown(struct socket *s, int how)
{
	struct unix_sock *u = s->sk, *p;
	int mode = how + 1, pmode = 0;

	spin_lock(&u->lock);
	u->shutdown |= mode;
	p = u->peer;
	if (p && u->type != SOCK_DGRAM)
		unix_sock_get(p);
	else
		p = NULL;
	spin_unlock(&u->lock);
	wake_up(&u->wait);
	if (!p)
		return 0;
	if (mode & UNIX_RCV_SHUTDOWN)
		pmode |= UNIX_SEND_SHUTDOWN;
	if (mode & UNIX_SEND_SHUTDOWN)
		pmode |= UNIX_RCV_SHUTDOWN;
	spin_lock(&p->lock);
	p->shutdown |= pmode;
	spin_unlock(&p->lock);
	wake_up(&p->wait);
	unix_sock_put(p);
	return 0;
}

/* Close @u's end: the peer sees end of file (and ECONNRESET when data was
 * left unread), queued messages and unaccepted connections are dropped. */
static void unix_release_sock(struct unix_sock *u, bool embryo)
{
	struct unix_sock *p, *n, *tmp;
	LIST_HEAD(q);
	LIST_HEAD(embryos);
	bool unread;

	spin_lock(&u->lock);
	u->dead = true;
	u->sock = NULL;
	u->shutdown = UNIX_SHUTDOWN_MASK;
	p = u->peer;
	u->peer = NULL;
	unread = !list_empty(&u->queue);
	while (!list_empty(&u->queue)) {
		struct unix_skb *skb = list_first_entry(&u->queue, struct unix_skb, link);

		list_del(&skb->link);
		list_add_tail(&skb->link, &q);
	}
	u->qlen = 0;
	u->qbytes = 0;
	list_for_each_entry_safe(n, tmp, &u->accept_q, accept_link) {
		list_del(&n->accept_link);
		list_add_tail(&n->accept_link, &embryos);
	}
	u->nr_pending = 0;
	u->state = UNIX_UNCONNECTED;
	spin_unlock(&u->lock);
	wake_up(&u->wait);
	if (p) {
		spin_lock(&p->lock);
		if (u->type != SOCK_DGRAM) {
			p->shutdown = UNIX_SHUTDOWN_MASK;
			if (unread || embryo)
				p->err = ECONNRESET;
		}
		spin_unlock(&p->lock);
		wake_up(&p->wait);
		unix_sock_put(p);
	}
	list_for_each_entry_safe(n, tmp, &embryos, accept_link) {
		list_del(&n->accept_link);
		unix_release_sock(n, true);
	}
	unix_purge(&q);
	unix_sock_put(u);
}

static void unix_release(struct socket *s)
{
	struct unix_sock *u = s->sk;

	if (!u)
		return;
	s->sk = NULL;
	unix_release_sock(u, false);
	if (unix_gc_pending())
		unix_gc();
}

/* ---- options, readiness ---- */

static int unix_setsockopt(struct socket *s, int level, int name, const void *val, int len)
{
	struct unix_sock *u = s->sk;

	if (level != SOL_SOCKET || name != SO_PASSCRED)
		return level == SOL_SOCKET ? -ENOPROTOOPT : -EOPNOTSUPP;
	if (len < 4)
		return -EINVAL;
	spin_lock(&u->lock);
	u->passcred = *(const int *)val != 0;
	spin_unlock(&u->lock);
	return 0;
}

static int unix_getsockopt(struct socket *s, int level, int name, void *val, int *len)
{
	struct unix_sock *u = s->sk;
	int *iv = val;

	if (level != SOL_SOCKET)
		return -EOPNOTSUPP;
	*len = 4;
	spin_lock(&u->lock);
	switch (name) {
	case SO_PASSCRED:
		*iv = u->passcred;
		break;
	case SO_ERROR:
		*iv = u->err;
		u->err = 0;
		break;
	case SO_ACCEPTCONN:
		*iv = u->state == UNIX_LISTEN;
		break;
	case SO_PEERCRED:
		if (u->has_peercred) {
			*(struct linux_ucred *)val = u->peercred;
		} else {
			struct linux_ucred none = { 0, (u32)-1, (u32)-1 };

			*(struct linux_ucred *)val = none;
		}
		*len = sizeof(struct linux_ucred);
		break;
	default:
		spin_unlock(&u->lock);
		return -ENOPROTOOPT;
	}
	spin_unlock(&u->lock);
	return 0;
}

static unsigned unix_poll(struct socket *s, struct poll_table *pt)
{
	struct unix_sock *u = s->sk, *p;
	unsigned mask = 0;

	poll_wait(pt, &u->wait);
	spin_lock(&u->lock);
	p = u->peer;
	if (u->err)
		mask |= POLLERR;
	if (u->shutdown == UNIX_SHUTDOWN_MASK)
		mask |= POLLHUP;
	if (u->shutdown & UNIX_RCV_SHUTDOWN)
		mask |= POLLRDHUP | POLLIN | POLLRDNORM;
	if (!list_empty(&u->queue) || !list_empty(&u->accept_q))
		mask |= POLLIN | POLLRDNORM;
	if (u->type != SOCK_DGRAM && u->state == UNIX_UNCONNECTED)
		mask |= POLLHUP;
	if (u->state != UNIX_LISTEN &&
	    (__atomic_load_n(&u->wmem, __ATOMIC_RELAXED) << 2) <= unix_sndbuf(u)) {
		bool room = true;

		/* A datagram socket connected to a full receiver cannot send. */
		if (u->type == SOCK_DGRAM && p && p != u)
			room = __atomic_load_n(&p->dead, __ATOMIC_RELAXED) ||
			       __atomic_load_n(&p->qlen, __ATOMIC_RELAXED) <= UNIX_MAX_DGRAM_QLEN;
		if (room)
			mask |= POLLOUT | POLLWRNORM | POLLWRBAND;
	}
	spin_unlock(&u->lock);
	/* Room at a datagram peer appears when one of our messages there is
	 * read: unix_skb_free() wakes the sender's queue, polled above. */
	return mask;
}

static long unix_ioctl(struct socket *s, unsigned cmd, u64 arg)
{
	struct unix_sock *u = s->sk;
	struct unix_skb *skb;
	u32 n = 0;

	if (cmd != FIONREAD)
		return -ENOTTY;
	spin_lock(&u->lock);
	if (u->state == UNIX_LISTEN) {
		spin_unlock(&u->lock);
		return -EINVAL;
	}
	if (u->type == SOCK_STREAM) {
		n = (u32)u->qbytes;
	} else if (!list_empty(&u->queue)) {
		skb = list_first_entry(&u->queue, struct unix_skb, link);
		n = skb->len;
	}
	spin_unlock(&u->lock);
	return put_user_u32((void __user *)arg, n) ? -EFAULT : 0;
}

static const struct proto_ops unix_stream_ops = {
	.bind = unix_bind,
	.connect = unix_stream_connect,
	.listen = unix_listen,
	.accept = unix_accept,
	.socketpair = unix_socketpair,
	.sendmsg = unix_stream_sendmsg,
	.recvmsg = unix_stream_recvmsg,
	.shutdown = unix_shutdown,
	.getname = unix_getname,
	.setsockopt = unix_setsockopt,
	.getsockopt = unix_getsockopt,
	.poll = unix_poll,
	.ioctl = unix_ioctl,
	.release = unix_release,
};

static const struct proto_ops unix_seqpacket_ops = {
	.bind = unix_bind,
	.connect = unix_stream_connect,
	.listen = unix_listen,
	.accept = unix_accept,
	.socketpair = unix_socketpair,
	.sendmsg = unix_dgram_sendmsg,
	.recvmsg = unix_dgram_recvmsg,
	.shutdown = unix_shutdown,
	.getname = unix_getname,
	.setsockopt = unix_setsockopt,
	.getsockopt = unix_getsockopt,
	.poll = unix_poll,
	.ioctl = unix_ioctl,
	.release = unix_release,
};

static const struct proto_ops unix_dgram_ops = {
	.bind = unix_bind,
	.connect = unix_dgram_connect,
	.socketpair = unix_socketpair,
	.sendmsg = unix_dgram_sendmsg,
	.recvmsg = unix_dgram_recvmsg,
	.shutdown = unix_shutdown,
	.getname = unix_getname,
	.setsockopt = unix_setsockopt,
	.getsockopt = unix_getsockopt,
	.poll = unix_poll,
	.ioctl = unix_ioctl,
	.release = unix_release,
};

static const struct net_family unix_family = {
	.family = AF_UNIX,
	.create = unix_create,
};

void unix_init(void)
{
	net_family_register(&unix_family);
}
