/*
 * AF_UNIX messages: sending and receiving on stream, datagram and seqpacket
 * sockets, with control data -- SCM_RIGHTS (open file descriptions travel
 * in the message and become new descriptors of the receiver) and
 * SCM_CREDENTIALS (the sender's pid, uid and gid, shown to a receiver with
 * SO_PASSCRED). unix(7), sendmsg(2), recvmsg(2), cmsg(3).
 *
 * Every send copies the user's bytes into a struct unix_skb first and then
 * queues it on the receiver under its lock; a receive holds the receiver's
 * iolock, so the message at the head stays put while its bytes are copied
 * out with no spinlock held. A stream sender is bounded by SO_SNDBUF (its
 * bytes queued at the peer), a datagram sender by the receiver's queue
 * length (net.unix.max_dgram_qlen). Locks: net/unix.h.
 */
#include "unix.h"
#include "kernel.h"
#include "kmalloc.h"
#include "task.h"
#include "cpu.h"
#include "uapi/errno.h"

#define UNIX_SKB_MAX	(64 * 1024)	/* bytes of one stream piece */

/* ---- messages ---- */

static struct unix_skb *skb_new(size_t len)
{
	struct unix_skb *skb = kzalloc(sizeof(*skb) + len);

	if (skb)
		list_init(&skb->link);
	return skb;
}

/* What a queued message costs its sender: the bytes, the header and the
 * files, so that tiny messages carrying descriptors cannot queue without
 * bound. */
static u32 skb_truesize(const struct unix_skb *skb)
{
	return (u32)(sizeof(*skb) + skb->len + skb->nfds * sizeof(struct file *));
}

void unix_skb_free(struct unix_skb *skb)
{
	for (u32 i = 0; i < skb->nfds; i++) {
		unix_inflight(skb->fds[i], -1);
		file_put(skb->fds[i]);
	}
	kfree(skb->fds);
	unix_addr_put(skb->addr);
	if (skb->from) {
		__atomic_sub_fetch(&skb->from->wmem, skb->charge, __ATOMIC_RELAXED);
		wake_up(&skb->from->wait);
		unix_sock_put(skb->from);
	}
	kfree(skb);
}

void unix_purge(struct list_head *q)
{
	while (!list_empty(q)) {
		struct unix_skb *skb = list_first_entry(q, struct unix_skb, link);

		list_del(&skb->link);
		unix_skb_free(skb);
	}
}

/* ---- control data ---- */

static void scm_release(struct unix_scm *scm)
{
	for (u32 i = 0; i < scm->nfds; i++)
		file_put(scm->fds[i]);
	scm->nfds = 0;
}

/* Parse @m's control messages into @scm (the sender's credentials unless
 * SCM_CREDENTIALS names others it may claim). 0 or -EINVAL, -EBADF,
 * -EPERM. Linux's __scm_send(). */
static int scm_parse(struct sock_msg *m, struct unix_scm *scm)
{
	size_t off = 0;
	struct process *p = current->proc;
	bool root = p && p->euid == 0;

	scm->nfds = 0;
	unix_current_cred(&scm->cred);
	if (p)
		scm->cred.uid = p->uid, scm->cred.gid = p->gid;
	while (m->ctl && off + CMSG_HDR_K <= m->ctl_len) {
		struct linux_cmsghdr h;
		const u8 *data;
		size_t dlen;

		memcpy(&h, m->ctl + off, sizeof(h));
		if (h.cmsg_len < CMSG_HDR_K || h.cmsg_len > m->ctl_len - off)
			goto inval;
		data = m->ctl + off + CMSG_HDR_K;
		dlen = h.cmsg_len - CMSG_HDR_K;
		off += CMSG_ALIGN_K(h.cmsg_len);
		if (h.cmsg_level != SOL_SOCKET)
			continue;
		if (h.cmsg_type == SCM_RIGHTS) {
			u32 n = (u32)(dlen / sizeof(int));

			if (!n || scm->nfds + n > SCM_MAX_FD)
				goto inval;
			for (u32 i = 0; i < n; i++) {
				int fd;
				struct file *f;

				memcpy(&fd, data + i * sizeof(int), sizeof(int));
				f = fd_get(fd);
				if (!f) {
					scm_release(scm);
					return -EBADF;
				}
				scm->fds[scm->nfds++] = f;
			}
		} else if (h.cmsg_type == SCM_CREDENTIALS) {
			struct linux_ucred c;

			if (dlen != sizeof(c))
				goto inval;
			memcpy(&c, data, sizeof(c));
			if (!root && ((p && c.pid != p->pid) ||
				      (c.uid != p->uid && c.uid != p->euid && c.uid != p->suid) ||
				      (c.gid != p->gid && c.gid != p->egid && c.gid != p->sgid))) {
				scm_release(scm);
				return -EPERM;
			}
			scm->cred = c;
		} else {
			goto inval;
		}
	}
	/* Sockets inside sockets: freeing them recurses, so the depth is bounded
	 * (Linux's MAX_RECURSION_LEVEL; ETOOMANYREFS beyond it). */
	scm->level = 0;
	for (u32 i = 0; i < scm->nfds; i++) {
		struct unix_sock *c = unix_of_file(scm->fds[i]);
		u32 l = c ? __atomic_load_n(&c->recursion_level, __ATOMIC_RELAXED) + 1 : 0;

		scm->level = MAX(scm->level, l);
	}
	if (scm->level > UNIX_MAX_RECURSION + 1) {
		scm_release(scm);
		return -ETOOMANYREFS;
	}
	return 0;
inval:
	scm_release(scm);
	return -EINVAL;
}

/* Move @scm's files into @skb (they are now in flight). */
static int scm_attach(struct unix_skb *skb, struct unix_scm *scm)
{
	skb->cred = scm->cred;
	if (!scm->nfds)
		return 0;
	skb->fds = kmalloc(scm->nfds * sizeof(struct file *));
	if (!skb->fds)
		return -ENOMEM;
	for (u32 i = 0; i < scm->nfds; i++) {
		skb->fds[i] = scm->fds[i];
		unix_inflight(scm->fds[i], 1);
	}
	skb->nfds = scm->nfds;
	scm->nfds = 0;
	return 0;
}

/* Deliver @skb's credentials and files to the receiver of @m; with @peek
 * the files stay in the message too. */
static void scm_deliver(struct unix_sock *u, struct unix_skb *skb, struct sock_msg *m, bool peek)
{
	int fds[SCM_MAX_FD];
	u32 n = 0, room;
	bool cloexec = m->in_flags & MSG_CMSG_CLOEXEC;

	if (__atomic_load_n(&u->passcred, __ATOMIC_RELAXED))
		msg_put_cmsg(m, SOL_SOCKET, SCM_CREDENTIALS, &skb->cred, sizeof(skb->cred));
	if (!skb->nfds)
		return;
	room = 0;
	if (m->ctl && m->ctl_cap - m->ctl_len > CMSG_HDR_K)
		room = (u32)((m->ctl_cap - m->ctl_len - CMSG_HDR_K) / sizeof(int));
	for (u32 i = 0; i < skb->nfds; i++) {
		struct file *f = skb->fds[i];
		int fd;

		if (n >= room) {
			m->out_flags |= MSG_CTRUNC;
			if (peek)
				continue;
			unix_inflight(f, -1);
			file_put(f);
			continue;
		}
		if (peek)
			file_get(f);
		else
			unix_inflight(f, -1);
		fd = fd_install(f, 0, cloexec);
		if (fd < 0) {
			m->out_flags |= MSG_CTRUNC;
			file_put(f);
			continue;
		}
		fds[n++] = fd;
	}
	if (!peek) {
		kfree(skb->fds);
		skb->fds = NULL;
		skb->nfds = 0;
	}
	if (n)
		msg_put_cmsg(m, SOL_SOCKET, SCM_RIGHTS, fds, n * sizeof(int));
}

static void addr_deliver(struct unix_skb *skb, struct sock_msg *m)
{
	if (skb->addr) {
		memcpy(m->name, skb->addr->data, (size_t)skb->addr->len);
		m->namelen = skb->addr->len;
	} else {
		m->namelen = 0;	/* an unnamed sender: no address at all (recvfrom(2)) */
	}
}

/* A counted reference to @u's address for a message it sends, or NULL. */
static struct unix_addr *addr_ref(struct unix_sock *u)
{
	struct unix_addr *a = __atomic_load_n(&u->addr, __ATOMIC_ACQUIRE);

	if (a)
		__atomic_add_fetch(&a->refcount, 1, __ATOMIC_RELAXED);
	return a;
}

/* ---- streams ---- */

/* 0 when @u may queue more, 1 to wait, or the error that ends the send. */
static int stream_room(struct unix_sock *u)
{
	int r;

	spin_lock(&u->lock);
	if (u->shutdown & UNIX_SEND_SHUTDOWN) {
		r = -EPIPE;
	} else if (u->err) {
		r = -u->err;
		u->err = 0;
	} else {
		r = __atomic_load_n(&u->wmem, __ATOMIC_RELAXED) < unix_sndbuf(u) ? 0 : 1;
	}
	spin_unlock(&u->lock);
	return r;
}

static bool stream_can_write(struct unix_sock *u)
{
	bool r;

	spin_lock(&u->lock);
	r = u->wmem < unix_sndbuf(u) || (u->shutdown & UNIX_SEND_SHUTDOWN) || u->err;
	spin_unlock(&u->lock);
	return r;
}

/* Wait (unless non-blocking) until @u may queue more: 0 or -errno. */
static int stream_wait_room(struct socket *s, struct unix_sock *u, int flags, u64 deadline)
{
	int r;

	while ((r = stream_room(u)) == 1) {
		if (sock_nonblock(s, flags))
			return -EAGAIN;
		r = wait_event_interruptible_deadline(&u->wait, stream_can_write(u), deadline);
		if (r == -ETIMEDOUT)
			return -EAGAIN;
		if (r)
			return r;
	}
	return r;
}

ssize_t unix_stream_sendmsg(struct socket *s, struct sock_msg *m, size_t len)
{
	struct unix_sock *u = s->sk, *p;
	struct unix_scm *scm;
	size_t sent = 0;
	u64 deadline;
	u32 scm_level;
	int flags = m->in_flags, err;

	if (m->namelen) {
		spin_lock(&u->lock);
		err = u->state == UNIX_CONNECTED ? -EISCONN : -EOPNOTSUPP;
		spin_unlock(&u->lock);
		return err;
	}
	if (flags & MSG_OOB)
		return -EOPNOTSUPP;
	scm = kmalloc(sizeof(*scm));
	if (!scm)
		return -ENOMEM;
	err = scm_parse(m, scm);
	if (err)
		goto out;
	spin_lock(&u->lock);
	p = u->peer;
	if (u->state != UNIX_CONNECTED || !p)
		err = -ENOTCONN;
	else if (u->shutdown & UNIX_SEND_SHUTDOWN)
		err = -EPIPE;
	else
		unix_sock_get(p);
	spin_unlock(&u->lock);
	if (err)
		goto out_scm;
	deadline = sock_deadline(s, false);
	scm_level = scm->level;
	while (sent < len) {
		size_t size = MIN(len - sent, MIN(unix_sndbuf(u) / 2 - 64, (u64)UNIX_SKB_MAX));
		struct unix_skb *skb;

		err = stream_wait_room(s, u, flags, deadline);
		if (err)
			break;
		skb = skb_new(size);
		if (!skb) {
			err = -ENOMEM;
			break;
		}
		if (msg_copy_from(m, skb->data, size)) {
			kfree(skb);
			err = -EFAULT;
			break;
		}
		skb->len = (u32)size;
		skb->cred = scm->cred;
		if (scm->nfds && scm_attach(skb, scm)) {
			kfree(skb);
			err = -ENOMEM;
			break;
		}
		spin_lock(&p->lock);
		if (p->dead || (p->shutdown & UNIX_RCV_SHUTDOWN)) {
			spin_unlock(&p->lock);
			unix_skb_free(skb);
			err = -EPIPE;
			break;
		}
		unix_sock_get(u);
		skb->from = u;
		skb->charge = skb_truesize(skb);
		__atomic_add_fetch(&u->wmem, skb->charge, __ATOMIC_RELAXED);
		skb->addr = addr_ref(u);
		list_add_tail(&skb->link, &p->queue);
		p->qlen++;
		p->qbytes += size;
		if (skb->nfds)
			p->recursion_level = MAX(p->recursion_level, scm_level);
		spin_unlock(&p->lock);
		wake_up(&p->wait);
		sent += size;
	}
	unix_sock_put(p);
out_scm:
	if (err == -EPIPE && !sent)
		sock_sigpipe(flags);
	scm_release(scm);
out:
	kfree(scm);
	return sent ? (ssize_t)sent : err;
}

/* Something for a stream reader: data, end of file, an error, or no
 * longer connected. */
static bool stream_readable(struct unix_sock *u)
{
	bool r;

	spin_lock(&u->lock);
	r = !list_empty(&u->queue) || (u->shutdown & UNIX_RCV_SHUTDOWN) || u->err ||
	    u->state != UNIX_CONNECTED;
	spin_unlock(&u->lock);
	return r;
}

ssize_t unix_stream_recvmsg(struct socket *s, struct sock_msg *m, size_t len)
{
	struct unix_sock *u = s->sk;
	int flags = m->in_flags, err = 0;
	bool peek = flags & MSG_PEEK, first = true;
	size_t copied = 0, target = (flags & MSG_WAITALL) ? len : MIN(len, (size_t)1);
	struct unix_skb *skb = NULL;
	u32 skip = 0;
	u64 deadline;

	if (flags & MSG_OOB)
		return -EOPNOTSUPP;
	deadline = sock_deadline(s, true);
	mutex_lock(&u->iolock);
	for (;;) {
		u32 off, chunk;
		bool has_fds;

		spin_lock(&u->lock);
		if (u->state != UNIX_CONNECTED && list_empty(&u->queue)) {
			spin_unlock(&u->lock);
			if (!copied && u->state != UNIX_CONNECTED && !u->dead &&
			    !(u->shutdown & UNIX_RCV_SHUTDOWN))
				err = -EINVAL;
			break;
		}
		/* Next message: the head, or (peeking) the one after the last. */
		if (!peek || !skb)
			skb = list_empty(&u->queue) ? NULL
				: list_first_entry(&u->queue, struct unix_skb, link);
		else
			skb = skb->link.next == &u->queue ? NULL
				: list_entry(skb->link.next, struct unix_skb, link);
		if (!skb) {
			if (copied >= target || !len) {
				spin_unlock(&u->lock);
				break;
			}
			if (u->err) {
				err = -u->err;
				u->err = 0;
				spin_unlock(&u->lock);
				break;
			}
			if (u->shutdown & UNIX_RCV_SHUTDOWN) {
				spin_unlock(&u->lock);
				break;
			}
			spin_unlock(&u->lock);
			if (sock_nonblock(s, flags)) {
				err = -EAGAIN;
				break;
			}
			mutex_unlock(&u->iolock);
			err = wait_event_interruptible_deadline(&u->wait, stream_readable(u),
								deadline);
			mutex_lock(&u->iolock);
			if (err == -ETIMEDOUT)
				err = -EAGAIN;
			if (err)
				break;
			if (peek) {
				skb = NULL;	/* start over from the head */
				skip = (u32)copied;
			}
			continue;
		}
		has_fds = skb->nfds != 0;
		if (copied && has_fds) {
			spin_unlock(&u->lock);
			break;
		}
		off = skb->off;
		spin_unlock(&u->lock);
		if (peek && skip) {
			u32 avail = skb->len - off, sk = MIN(skip, avail);

			skip -= sk;
			off += sk;
			if (off == skb->len)
				continue;
		}
		chunk = (u32)MIN((size_t)(skb->len - off), len - copied);
		if (msg_copy_to(m, skb->data + off, chunk)) {
			if (!copied)
				err = -EFAULT;
			break;
		}
		if (first && m->namelen >= -1)
			addr_deliver(skb, m);
		if (first || has_fds)
			scm_deliver(u, skb, m, peek);
		first = false;
		copied += chunk;
		if (!peek) {
			spin_lock(&u->lock);
			skb->off += chunk;
			u->qbytes -= chunk;
			if (skb->off == skb->len) {
				list_del(&skb->link);
				if (!--u->qlen)
					u->recursion_level = 0;
			} else {
				skb = NULL;
			}
			spin_unlock(&u->lock);
			if (skb)
				unix_skb_free(skb);
			skb = NULL;
		}
		if (has_fds || copied >= len)
			break;
	}
	mutex_unlock(&u->iolock);
	if (copied)
		return (ssize_t)copied;
	return err;
}

/* ---- datagrams and sequenced packets ---- */

static bool dgram_has_room(struct unix_sock *p)
{
	bool r;

	spin_lock(&p->lock);
	r = p->dead || p->qlen <= UNIX_MAX_DGRAM_QLEN || (p->shutdown & UNIX_RCV_SHUTDOWN);
	spin_unlock(&p->lock);
	return r;
}

ssize_t unix_dgram_sendmsg(struct socket *s, struct sock_msg *m, size_t len)
{
	struct unix_sock *u = s->sk, *p = NULL;
	bool seqpacket = u->type == SOCK_SEQPACKET, connected = false;
	struct unix_skb *skb = NULL;
	struct unix_scm *scm;
	int flags = m->in_flags, err;
	u64 deadline;

	if (flags & MSG_OOB)
		return -EOPNOTSUPP;
	if (seqpacket) {
		spin_lock(&u->lock);
		err = u->state != UNIX_CONNECTED ? -ENOTCONN
		      : (u->shutdown & UNIX_SEND_SHUTDOWN) ? -EPIPE : 0;
		spin_unlock(&u->lock);
		if (err)
			return err;	/* EPIPE without SIGPIPE, as Linux's seqpacket */
		m->namelen = 0;
	}
	scm = kmalloc(sizeof(*scm));
	if (!scm)
		return -ENOMEM;
	err = scm_parse(m, scm);
	if (err)
		goto out;
	if (m->namelen) {
		err = unix_find(m->name, m->namelen, u->type, &p);
		if (err)
			goto out_scm;
	} else {
		spin_lock(&u->lock);
		p = u->peer;
		if (p)
			unix_sock_get(p);
		spin_unlock(&u->lock);
		err = -ENOTCONN;
		if (!p)
			goto out_scm;
		connected = true;
	}
	err = -EMSGSIZE;
	if (len > unix_sndbuf(u) - 32)
		goto out_peer;
	if (u->passcred || p->passcred) {
		err = unix_autobind(u);
		if (err)
			goto out_peer;
	}
	err = -ENOMEM;
	skb = skb_new(len);
	if (!skb)
		goto out_peer;
	err = -EFAULT;
	if (msg_copy_from(m, skb->data, len))
		goto out_skb;
	skb->len = (u32)len;
	err = scm_attach(skb, scm);
	if (err)
		goto out_skb;
	skb->addr = addr_ref(u);
	deadline = sock_deadline(s, false);
	for (;;) {
		spin_lock(&p->lock);
		if (p->dead) {
			spin_unlock(&p->lock);
			err = seqpacket ? -EPIPE : -ECONNREFUSED;
			if (connected && !seqpacket) {
				/* The peer is gone: forget it, as Linux does. */
				spin_lock(&u->lock);
				if (u->peer == p) {
					u->peer = NULL;
					unix_sock_put(p);
				}
				spin_unlock(&u->lock);
			}
			goto out_skb;
		}
		if (!seqpacket && p->peer && p->peer != u && p->type == SOCK_DGRAM) {
			spin_unlock(&p->lock);
			err = -EPERM;	/* connected to someone else (unix(7)) */
			goto out_skb;
		}
		if (p->shutdown & UNIX_RCV_SHUTDOWN) {
			spin_unlock(&p->lock);
			err = -EPIPE;
			goto out_skb;
		}
		if (p->qlen <= UNIX_MAX_DGRAM_QLEN || seqpacket)
			break;
		spin_unlock(&p->lock);
		err = -EAGAIN;
		if (sock_nonblock(s, flags))
			goto out_skb;
		err = wait_event_interruptible_deadline(&p->wait, dgram_has_room(p), deadline);
		if (err == -ETIMEDOUT)
			err = -EAGAIN;
		if (err)
			goto out_skb;
	}
	unix_sock_get(u);
	skb->from = u;
	skb->charge = skb_truesize(skb);
	__atomic_add_fetch(&u->wmem, skb->charge, __ATOMIC_RELAXED);
	list_add_tail(&skb->link, &p->queue);
	p->qlen++;
	p->qbytes += len;
	if (skb->nfds)
		p->recursion_level = MAX(p->recursion_level, scm->level);
	spin_unlock(&p->lock);
	wake_up(&p->wait);
	err = (int)len;
	skb = NULL;
out_skb:
	if (skb)
		unix_skb_free(skb);
out_peer:
	if (p)
		unix_sock_put(p);
out_scm:
	scm_release(scm);
out:
	kfree(scm);
	return err;
}

static bool dgram_readable(struct unix_sock *u)
{
	bool r;

	spin_lock(&u->lock);
	r = !list_empty(&u->queue) || (u->shutdown & UNIX_RCV_SHUTDOWN) || u->err ||
	    (u->type == SOCK_SEQPACKET && u->state != UNIX_CONNECTED);
	spin_unlock(&u->lock);
	return r;
}

ssize_t unix_dgram_recvmsg(struct socket *s, struct sock_msg *m, size_t len)
{
	struct unix_sock *u = s->sk;
	int flags = m->in_flags, err = 0;
	bool peek = flags & MSG_PEEK;
	struct unix_skb *skb;
	u64 deadline;
	size_t n;

	if (flags & MSG_OOB)
		return -EOPNOTSUPP;
	deadline = sock_deadline(s, true);
	mutex_lock(&u->iolock);
	for (;;) {
		spin_lock(&u->lock);
		if (!list_empty(&u->queue))
			break;
		if (u->type == SOCK_SEQPACKET && u->state != UNIX_CONNECTED && !u->dead &&
		    !(u->shutdown & UNIX_RCV_SHUTDOWN)) {
			err = -ENOTCONN;
		} else if (u->err) {
			err = -u->err;
			u->err = 0;
		} else if (u->shutdown & UNIX_RCV_SHUTDOWN) {
			err = 0;
		} else {
			err = 1;
		}
		spin_unlock(&u->lock);
		if (err <= 0)
			goto out;
		if (sock_nonblock(s, flags)) {
			err = -EAGAIN;
			goto out;
		}
		mutex_unlock(&u->iolock);
		err = wait_event_interruptible_deadline(&u->wait, dgram_readable(u), deadline);
		mutex_lock(&u->iolock);
		if (err == -ETIMEDOUT)
			err = -EAGAIN;
		if (err)
			goto out;
	}
	skb = list_first_entry(&u->queue, struct unix_skb, link);
	if (!peek) {
		list_del(&skb->link);
		if (!--u->qlen)
			u->recursion_level = 0;
		u->qbytes -= skb->len;
	}
	spin_unlock(&u->lock);
	if (!peek)
		wake_up(&u->wait);	/* senders waiting for room */
	n = MIN(len, (size_t)skb->len);
	if (msg_copy_to(m, skb->data, n)) {
		err = -EFAULT;
	} else {
		if (n < skb->len)
			m->out_flags |= MSG_TRUNC;
		if (m->namelen >= -1)
			addr_deliver(skb, m);
		scm_deliver(u, skb, m, peek);
		err = (int)((flags & MSG_TRUNC) ? skb->len : n);
	}
	if (!peek)
		unix_skb_free(skb);
out:
	mutex_unlock(&u->iolock);
	return err;
}
