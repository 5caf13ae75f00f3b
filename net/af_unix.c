/*
 * AF_UNIX sockets (unix(7)): stream, datagram and sequenced-packet sockets
 * on one machine, named in the file system (a socket inode) or in the
 * abstract namespace (a leading NUL byte), or unnamed (socketpair(2)).
 *
 * This file owns the sockets themselves: creation, names (bind, autobind,
 * lookup), connections (listen, connect, accept, socketpair), shutdown,
 * release, options and readiness. A stream or seqpacket connect(2) creates
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

#define SUN_PATH_OFF	2	/* offsetof(struct sockaddr_un, sun_path) */

static struct spinlock unix_table_lock = SPINLOCK_INIT("unix_table");
static LIST_HEAD(unix_all);		/* [t] */
static LIST_HEAD(unix_bound);		/* [t] */
static u32 autobind_next;		/* [t] */

static const struct proto_ops unix_stream_ops, unix_dgram_ops, unix_seqpacket_ops;

void unix_sock_get(struct unix_sock *u)
{
	__atomic_add_fetch(&u->refcount, 1, __ATOMIC_RELAXED);
}

void unix_addr_put(struct unix_addr *a)
{
	if (!a || __atomic_sub_fetch(&a->refcount, 1, __ATOMIC_ACQ_REL))
		return;
	if (a->inode)
		inode_put(a->inode);
	kfree(a);
}

void unix_sock_put(struct unix_sock *u)
{
	if (__atomic_sub_fetch(&u->refcount, 1, __ATOMIC_ACQ_REL))
		return;
	spin_lock(&unix_table_lock);
	list_del(&u->all_link);
	if (!list_empty(&u->bound_link))
		list_del(&u->bound_link);
	spin_unlock(&unix_table_lock);
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

	return s ? (u64)s->sndbuf : 212992;
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
	spin_lock(&unix_table_lock);
	list_add_tail(&u->all_link, &unix_all);
	spin_unlock(&unix_table_lock);
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

/* ---- names ---- */

/* Check a user sockaddr_un of @len bytes and make it canonical in @a:
 * a pathname ends at its first NUL (the length counts one NUL, as Linux
 * reports it). 0 or -EINVAL. */
static int unix_mkname(const void *addr, int len, struct unix_addr *a)
{
	const struct linux_sockaddr_un *sun = addr;

	if (len < SUN_PATH_OFF || len > (int)sizeof(*sun) || sun->sun_family != AF_UNIX)
		return -EINVAL;
	memset(a->data, 0, sizeof(a->data));
	memcpy(a->data, addr, (size_t)len);
	if (len == SUN_PATH_OFF) {
		a->len = len;
		return 0;
	}
	if (a->data[SUN_PATH_OFF]) {
		a->len = SUN_PATH_OFF + (int)strlen((char *)a->data + SUN_PATH_OFF) + 1;
		if (a->len > (int)sizeof(*sun))
			a->len = (int)sizeof(*sun);
	} else {
		a->len = len;
	}
	return 0;
}

static bool addr_abstract(const struct unix_addr *a)
{
	return a->len > SUN_PATH_OFF && a->data[SUN_PATH_OFF] == 0;
}

/* The bound abstract name @a of @type, or NULL. [t] held. */
static struct unix_sock *abstract_lookup(const struct unix_addr *a, int type)
{
	struct unix_sock *u;

	list_for_each_entry(u, &unix_bound, bound_link) {
		struct unix_addr *b = u->addr;

		if (u->type == type && !b->inode && b->len == a->len &&
		    !memcmp(b->data, a->data, (size_t)a->len))
			return u;
	}
	return NULL;
}

/* Bind @u to @a (consumed). -EINVAL (already bound), -EADDRINUSE. */
static int unix_set_addr(struct unix_sock *u, struct unix_addr *a)
{
	int err = 0;

	spin_lock(&unix_table_lock);
	if (u->addr)
		err = -EINVAL;
	else if (!a->inode && abstract_lookup(a, u->type))
		err = -EADDRINUSE;
	if (!err) {
		u->addr = a;
		list_add_tail(&u->bound_link, &unix_bound);
	}
	spin_unlock(&unix_table_lock);
	if (err)
		unix_addr_put(a);
	return err;
}

int unix_autobind(struct unix_sock *u)
{
	struct unix_addr *a;
	int err;

	for (int tries = 0; tries < 0x100000; tries++) {
		if (__atomic_load_n(&u->addr, __ATOMIC_ACQUIRE))
			return 0;
		a = kzalloc(sizeof(*a));
		if (!a)
			return -ENOMEM;
		a->refcount = 1;
		spin_lock(&unix_table_lock);
		u32 n = autobind_next++ & 0xfffff;
		spin_unlock(&unix_table_lock);
		((struct linux_sockaddr_un *)a->data)->sun_family = AF_UNIX;
		snprintf((char *)a->data + SUN_PATH_OFF + 1, 6, "%05x", n);
		a->len = SUN_PATH_OFF + 1 + 5;
		err = unix_set_addr(u, a);
		if (err != -EADDRINUSE)
			return err == -EINVAL ? 0 : err;
	}
	return -ENOSPC;
}

static int unix_bind(struct socket *s, const void *addr, int len)
{
	struct unix_sock *u = s->sk;
	struct unix_addr *a;
	int err;

	if (len >= 2 && ((const struct linux_sockaddr_un *)addr)->sun_family != AF_UNIX)
		return -EINVAL;
	if (len == SUN_PATH_OFF)
		return u->addr ? -EINVAL : unix_autobind(u);
	a = kzalloc(sizeof(*a));
	if (!a)
		return -ENOMEM;
	a->refcount = 1;
	err = unix_mkname(addr, len, a);
	if (err)
		goto fail;
	if (__atomic_load_n(&u->addr, __ATOMIC_ACQUIRE)) {
		/* Linux makes the name first: an existing one says EADDRINUSE. */
		struct inode *ino = NULL;

		err = -EINVAL;
		if (!addr_abstract(a) &&
		    vfs_find_sock((char *)a->data + SUN_PATH_OFF, &ino) != -ENOENT)
			err = -EADDRINUSE;
		if (ino)
			inode_put(ino);
		goto fail;
	}
	if (!addr_abstract(a)) {
		err = vfs_mksock((char *)a->data + SUN_PATH_OFF, 0777, &a->inode);
		if (err == -EEXIST)
			err = -EADDRINUSE;
		if (err)
			goto fail;
	}
	return unix_set_addr(u, a);
fail:
	kfree(a);
	return err;
}

int unix_find(const void *addr, int len, int type, struct unix_sock **out)
{
	struct unix_addr *a = kzalloc(sizeof(*a));
	struct inode *ino = NULL;
	struct unix_sock *u, *found = NULL;
	int err;

	if (!a)
		return -ENOMEM;
	err = unix_mkname(addr, len, a);
	if (!err && a->len == SUN_PATH_OFF)
		err = -EINVAL;
	if (!err && !addr_abstract(a))
		err = vfs_find_sock((char *)a->data + SUN_PATH_OFF, &ino);
	if (err)
		goto out;
	err = -ECONNREFUSED;
	spin_lock(&unix_table_lock);
	if (!ino) {
		found = abstract_lookup(a, type);
	} else {
		list_for_each_entry(u, &unix_bound, bound_link) {
			if (u->addr->inode == ino) {
				found = u;
				break;
			}
		}
		if (found && found->type != type) {
			err = -EPROTOTYPE;
			found = NULL;
		}
	}
	if (found) {
		unix_sock_get(found);
		err = 0;
	}
	spin_unlock(&unix_table_lock);
	*out = found;
out:
	if (ino)
		inode_put(ino);
	kfree(a);
	return err;
}

static int unix_getname(struct socket *s, void *addr, bool peer)
{
	struct unix_sock *u = s->sk, *p = NULL;
	struct unix_addr *a;
	int len;

	if (peer) {
		spin_lock(&u->lock);
		p = u->peer;
		if (p)
			unix_sock_get(p);
		spin_unlock(&u->lock);
		if (!p)
			return -ENOTCONN;
		u = p;
	}
	spin_lock(&unix_table_lock);
	a = u->addr;
	if (a) {
		memcpy(addr, a->data, (size_t)a->len);
		len = a->len;
	} else {
		((struct linux_sockaddr_un *)addr)->sun_family = AF_UNIX;
		len = SUN_PATH_OFF;
	}
	spin_unlock(&unix_table_lock);
	if (p)
		unix_sock_put(p);
	return len;
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
	spin_lock(&unix_table_lock);
	if (l->addr) {
		__atomic_add_fetch(&l->addr->refcount, 1, __ATOMIC_RELAXED);
		n->addr = l->addr;
	}
	spin_unlock(&unix_table_lock);
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

/* ---- /proc/net/unix ---- */

/*
 * unix_proc_show - /proc/net/unix in Linux's format (one line per socket:
 * kernel address, refcount, protocol, flags, type, state, inode, path)
 * into @buf (@size bytes); returns the length. The address column is a
 * slot number, not a kernel address. Takes unix_table_lock; reads each
 * socket's state as a snapshot. Sleeps: no.
 */
size_t unix_proc_show(char *buf, size_t size)
{
	struct unix_sock *u;
	size_t n = 0;
	u32 slot = 0;

	n += (size_t)snprintf(buf + n, size - n,
			      "Num       RefCount Protocol Flags    Type St Inode Path\n");
	spin_lock(&unix_table_lock);
	list_for_each_entry(u, &unix_all, all_link) {
		struct unix_addr *a = u->addr;
		int st;

		if (n >= size)
			break;
		/* A snapshot without the socket's lock, which comes before ours. */
		enum unix_state state = __atomic_load_n(&u->state, __ATOMIC_RELAXED);

		if (__atomic_load_n(&u->dead, __ATOMIC_RELAXED))
			continue;
		/* SS_UNCONNECTED 1, SS_CONNECTED 3 (Linux's socket_state). */
		st = state == UNIX_CONNECTED ? 3 : 1;
		n += (size_t)snprintf(buf + n, size - n, "%016x: %08X %08X %08X %04X %02X %5llu",
				      ++slot, __atomic_load_n(&u->refcount, __ATOMIC_RELAXED), 0,
				      state == UNIX_LISTEN ? 0x10000 : 0, u->type, st,
				      (unsigned long long)__atomic_load_n(&u->ino,
									  __ATOMIC_RELAXED));
		if (a && n < size) {
			n += (size_t)snprintf(buf + n, size - n, " %c", addr_abstract(a) ? '@'
						       : (char)a->data[SUN_PATH_OFF]);
			for (int i = SUN_PATH_OFF + 1; i < a->len && n + 1 < size; i++) {
				char c = (char)a->data[i];

				if (!addr_abstract(a) && !c)
					break;
				buf[n++] = c ? c : '@';
			}
		}
		if (n + 1 < size)
			buf[n++] = '\n';
	}
	spin_unlock(&unix_table_lock);
	return MIN(n, size);
}

static const struct net_family unix_family = {
	.family = AF_UNIX,
	.create = unix_create,
};

void unix_init(void)
{
	net_family_register(&unix_family);
}
