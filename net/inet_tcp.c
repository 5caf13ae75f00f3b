/*
 * TCP sockets (tcp(7)) on lwIP's raw API: Linux's calls, errors and readiness over lwIP's
 * protocol machinery. Locks and the inet_sock: net/inet.h.
 *
 * Data path. send(2) copies the caller's bytes into a bounce buffer without the stack lock,
 * then hands them to tcp_write() (lwIP keeps its own copy until they are acknowledged) and
 * tcp_output(); it waits while lwIP's send buffer is full. lwIP's recv callback queues
 * arriving segments on the socket as one pbuf chain; recv(2) copies out of it and only then
 * tells lwIP (tcp_recved()) so the advertised window is the reader's real room: a slow reader
 * stops the sender, as on Linux. Closing with unread data resets the connection (RST), as
 * Linux does; SO_LINGER with a zero time does too.
 *
 * Connections. connect(2) sends the SYN and, unless non-blocking (EINPROGRESS, the outcome
 * later in SO_ERROR), waits for lwIP's connected or error callback: an RST to the SYN is
 * ECONNREFUSED. On a listener, lwIP's accept callback hands over each established connection;
 * it waits as an embryo on the listener's queue until accept(2). The backlog bounds that
 * queue (lwIP drops SYNs beyond it, as Linux does, and the client retries).
 */
#include "inet.h"
#include "kernel.h"
#include "kmalloc.h"
#include "task.h"
#include "cpu.h"
#include "arch.h"
#include "uapi/errno.h"
#include "uapi/ioctl.h"
#include "uapi/poll.h"

#include "lwip/tcp.h"
#include "lwip/pbuf.h"
#include "lwip/priv/tcp_priv.h"

#define BOUNCE_MAX	16384	/* bytes copied per trip into or out of the stack */
#define LINUX_SOMAXCONN	4096
#define LWIP_BACKLOG_MAX 255	/* lwIP keeps the backlog in a byte */

/* Linux's TCP state numbers, for /proc/net/tcp. */
enum {
	LTCP_ESTABLISHED = 1, LTCP_SYN_SENT, LTCP_SYN_RECV, LTCP_FIN_WAIT1, LTCP_FIN_WAIT2,
	LTCP_TIME_WAIT, LTCP_CLOSE, LTCP_CLOSE_WAIT, LTCP_LAST_ACK, LTCP_LISTEN, LTCP_CLOSING,
};

static void tcp_attach(struct inet_sock *isk, struct tcp_pcb *pcb);
static int tcp_disconnect(struct inet_sock *isk);

/* Bytes lwIP would take now (0 when its segment queue is full too). [l] */
static u32 send_room(struct tcp_pcb *pcb)
{
	if (tcp_sndqueuelen(pcb) >= TCP_SND_QUEUELEN)
		return 0;
	return tcp_sndbuf(pcb);
}

static void set_state(struct inet_sock *isk, enum inet_state st)
{
	__atomic_store_n(&isk->state, st, __ATOMIC_RELEASE);
}

static void note_addrs(struct inet_sock *isk, struct tcp_pcb *pcb)
{
	ip_addr_copy(isk->local_ip, pcb->local_ip);
	isk->local_port = pcb->local_port;
	ip_addr_copy(isk->remote_ip, pcb->remote_ip);
	isk->remote_port = pcb->remote_port;
}

/* ---- lwIP's callbacks (net_stack_lock held) ---- */

static err_t cb_recv(void *arg, struct tcp_pcb *pcb, struct pbuf *p, err_t err)
{
	struct inet_sock *isk = arg;

	if (!isk) {
		if (p)
			pbuf_free(p);
		return ERR_OK;
	}
	if (!p) {
		__atomic_store_n(&isk->rcv_eof, true, __ATOMIC_RELEASE);
	} else {
		if (isk->rxq)
			pbuf_cat(isk->rxq, p);
		else
			isk->rxq = p;
		__atomic_store_n(&isk->rx_bytes, isk->rxq->tot_len, __ATOMIC_RELEASE);
	}
	inet_wake(isk);
	return ERR_OK;
}

static err_t cb_sent(void *arg, struct tcp_pcb *pcb, u16_t len)
{
	struct inet_sock *isk = arg;

	if (isk) {
		__atomic_store_n(&isk->snd_space, send_room(pcb), __ATOMIC_RELEASE);
		__atomic_add_fetch(&isk->events, 1, __ATOMIC_RELEASE);
		inet_wake(isk);
	}
	return ERR_OK;
}

/* The pcb is gone (lwIP freed it): reset, refused, or given up after retransmissions. */
static void cb_err(void *arg, err_t err)
{
	struct inet_sock *isk = arg;
	int e;

	if (!isk)
		return;
	isk->pcb.tcp = NULL;
	if (err == ERR_RST)
		e = isk->state == INET_CONNECTING ? ECONNREFUSED : ECONNRESET;
	else if (err == ERR_ABRT)
		e = isk->state == INET_CONNECTING ? ETIMEDOUT : ETIMEDOUT;
	else
		e = -inet_err(err);
	__atomic_store_n(&isk->err, e, __ATOMIC_RELEASE);
	__atomic_store_n(&isk->snd_space, 0, __ATOMIC_RELEASE);
	set_state(isk, INET_CLOSED);
	__atomic_add_fetch(&isk->events, 1, __ATOMIC_RELEASE);
	inet_wake(isk);
}

static err_t cb_connected(void *arg, struct tcp_pcb *pcb, err_t err)
{
	struct inet_sock *isk = arg;

	if (!isk)
		return ERR_OK;
	note_addrs(isk, pcb);
	isk->was_connected = true;
	__atomic_store_n(&isk->snd_space, send_room(pcb), __ATOMIC_RELEASE);
	set_state(isk, INET_CONNECTED);
	/* shutdown(SHUT_WR) while the SYN was out: the FIN goes now. */
	if (isk->snd_shut)
		tcp_shutdown(pcb, 0, 1);
	inet_wake(isk);
	return ERR_OK;
}

static err_t cb_accept(void *arg, struct tcp_pcb *newpcb, err_t err)
{
	struct inet_sock *l = arg, *e;

	if (err != ERR_OK || !newpcb)
		return ERR_VAL;
	if (!l || l->state != INET_LISTEN)
		goto refuse;
	e = inet_sock_new(l->family, SOCK_STREAM);
	if (!e)
		goto refuse;
	e->uid = l->uid;
	e->nodelay = l->nodelay;
	e->v6only = l->v6only;
	e->bound = true;
	tcp_attach(e, newpcb);
	if (e->nodelay)
		tcp_nagle_disable(newpcb);
	note_addrs(e, newpcb);
	e->was_connected = true;
	e->snd_space = send_room(newpcb);
	e->state = INET_CONNECTED;
	/* It counts against the backlog until accept(2) takes it. */
	tcp_backlog_delayed(newpcb);
	list_add_tail(&e->accept_link, &l->accept_q);
	__atomic_store_n(&l->nr_accept, l->nr_accept + 1, __ATOMIC_RELEASE);
	inet_wake(l);
	return ERR_OK;
refuse:
	tcp_abort(newpcb);
	return ERR_ABRT;
}

static void tcp_attach(struct inet_sock *isk, struct tcp_pcb *pcb)
{
	isk->pcb.tcp = pcb;
	tcp_arg(pcb, isk);
	tcp_recv(pcb, cb_recv);
	tcp_sent(pcb, cb_sent);
	tcp_err(pcb, cb_err);
}

static void tcp_detach(struct tcp_pcb *pcb)
{
	tcp_arg(pcb, NULL);
	tcp_recv(pcb, NULL);
	tcp_sent(pcb, NULL);
	tcp_err(pcb, NULL);
}

/* A new pcb for @isk's family. [l] */
static int new_pcb(struct inet_sock *isk)
{
	u8_t type = isk->family == AF_INET ? IPADDR_TYPE_V4 :
		    isk->v6only ? IPADDR_TYPE_V6 : IPADDR_TYPE_ANY;
	struct tcp_pcb *pcb = tcp_new_ip_type(type);

	if (!pcb)
		return -ENOMEM;
	tcp_attach(isk, pcb);
	if (isk->nodelay)
		tcp_nagle_disable(pcb);
	if (isk->sock && isk->sock->keepalive)
		ip_set_option(pcb, SOF_KEEPALIVE);
	return 0;
}

/* inet_tcp_create - see net/inet.h. [l] */
int inet_tcp_create(struct inet_sock *isk)
{
	return new_pcb(isk);
}

/* ---- addresses ---- */

/* Is @ip one of ours (or any)? */
static bool addr_local(const ip_addr_t *ip)
{
	struct netif *n;

	if (ip_addr_isany(ip))
		return true;
	if (IP_IS_V4(ip) && ip4_addr_isloopback(ip_2_ip4(ip)))
		return true;
	NETIF_FOREACH(n) {
		if (IP_IS_V4(ip) && ip4_addr_cmp(ip_2_ip4(ip), netif_ip4_addr(n)))
			return true;
		if (IP_IS_V6(ip) && netif_get_ip6_addr_match(n, ip_2_ip6(ip)) >= 0)
			return true;
	}
	return false;
}

/* Check and convert an address for bind (@for_bind) or connect. */
static int user_addr(struct inet_sock *isk, const void *addr, int len, ip_addr_t *ip, u16 *port,
		     bool for_bind)
{
	int r = inet_addr_from_user(isk, addr, len, ip, port, for_bind);

	if (r == 1) {
		/* bind(AF_UNSPEC) is INADDR_ANY for old programs, only with that address. */
		if (((const struct linux_sockaddr_in *)addr)->sin_addr)
			return -EAFNOSUPPORT;
		ip_addr_set_any(false, ip);
		*port = inet_be16(((const struct linux_sockaddr_in *)addr)->sin_port);
		return 0;
	}
	if (r)
		return r;
	if (isk->family == AF_INET6 && IP_IS_V4(ip) && isk->v6only)
		return for_bind ? -EINVAL : -ENETUNREACH;
	/* An unspecified IPv6 address on a dual-stack socket: both versions. */
	if (for_bind && isk->family == AF_INET6 && !isk->v6only && IP_IS_V6(ip) &&
	    ip_addr_isany(ip))
		ip_addr_copy(*ip, *IP_ANY_TYPE);
	return 0;
}

/* ---- proto_ops ---- */

static int tcp_bind_locked(struct inet_sock *isk, ip_addr_t *ip, u16 port, bool reuse)
{
	struct tcp_pcb *pcb = isk->pcb.tcp;
	err_t e;
	int err;

	if (reuse) {
		ip_set_option(pcb, SOF_REUSEADDR);
		/* SO_REUSEADDR does not let two sockets listen on one port. */
		if (port) {
			err = inet_listen_conflict(pcb, ip, port);
			if (err)
				return err;
		}
	} else {
		ip_reset_option(pcb, SOF_REUSEADDR);
	}
	e = tcp_bind(pcb, ip, port);
	if (e != ERR_OK)
		return inet_err(e);
	isk->bound = true;
	ip_addr_copy(isk->local_ip, pcb->local_ip);
	isk->local_port = pcb->local_port;
	return 0;
}

static int tcp_bind_op(struct socket *s, const void *addr, int len)
{
	struct inet_sock *isk = s->sk;
	struct process *p = current->proc;
	ip_addr_t ip;
	u16 port;
	int err;

	err = user_addr(isk, addr, len, &ip, &port, true);
	if (err)
		return err;
	if (!addr_local(&ip))
		return -EADDRNOTAVAIL;
	if (port && port < 1024 && p && p->euid != 0)
		return -EACCES;
	net_stack_lock_take();
	if (isk->bound || !isk->pcb.tcp || isk->state != INET_UNCONNECTED)
		err = -EINVAL;
	else
		err = tcp_bind_locked(isk, &ip, port, s->reuseaddr);
	net_stack_lock_drop();
	return err;
}

static int tcp_listen_op(struct socket *s, int backlog)
{
	struct inet_sock *isk = s->sk;
	struct tcp_pcb *lpcb;
	ip_addr_t any;
	err_t e;
	int err = 0;

	if (backlog < 0 || backlog > LINUX_SOMAXCONN)
		backlog = LINUX_SOMAXCONN;
	/* Linux queues backlog + 1 connections. */
	backlog = MIN(backlog + 1, LWIP_BACKLOG_MAX);
	net_stack_lock_take();
	if (isk->state == INET_LISTEN) {
		tcp_backlog_set(isk->pcb.tcp, (u8_t)backlog);
		goto out;
	}
	if (isk->state != INET_UNCONNECTED || !isk->pcb.tcp) {
		err = -EINVAL;
		goto out;
	}
	if (!isk->bound) {
		/* listen(2) on an unbound socket picks a free port. */
		if (isk->family == AF_INET6 && !isk->v6only)
			ip_addr_copy(any, *IP_ANY_TYPE);
		else
			ip_addr_set_any(isk->family == AF_INET6, &any);
		err = tcp_bind_locked(isk, &any, 0, s->reuseaddr);
		if (err)
			goto out;
	}
	lpcb = tcp_listen_with_backlog_and_err(isk->pcb.tcp, (u8_t)backlog, &e);
	if (!lpcb) {
		err = inet_err(e);
		goto out;
	}
	/* lwIP freed the old pcb and made a smaller listening one. */
	isk->pcb.tcp = lpcb;
	tcp_arg(lpcb, isk);
	tcp_accept(lpcb, cb_accept);
	set_state(isk, INET_LISTEN);
out:
	net_stack_lock_drop();
	return err;
}

static bool connect_done(struct inet_sock *isk)
{
	return __atomic_load_n(&isk->state, __ATOMIC_ACQUIRE) != INET_CONNECTING;
}

static int tcp_connect_op(struct socket *s, const void *addr, int len, bool nonblock)
{
	struct inet_sock *isk = s->sk;
	ip_addr_t ip;
	u16 port;
	err_t e;
	int err;

	if (len >= 2 && *(const u16 *)addr == AF_UNSPEC)
		return tcp_disconnect(isk);
	err = user_addr(isk, addr, len, &ip, &port, false);
	if (err)
		return err;
	net_stack_lock_take();
	switch (isk->state) {
	case INET_LISTEN:
		err = -EISCONN;
		goto out;
	case INET_CONNECTED:
		/* The first connect after a non-blocking one completed reports it done. */
		err = isk->connect_pending ? 0 : -EISCONN;
		isk->connect_pending = false;
		goto out;
	case INET_CONNECTING:
		if (nonblock) {
			err = -EALREADY;
			goto out;
		}
		goto wait;
	case INET_CLOSED:
		/* A connection that ended may be made again, with a fresh pcb. */
		isk->connect_pending = false;
		if (isk->err && !isk->was_connected) {
			err = -isk->err;
			isk->err = 0;
			set_state(isk, INET_UNCONNECTED);
			goto out;
		}
		isk->rcv_eof = isk->rcv_shut = isk->snd_shut = false;
		if (isk->rxq) {
			/* What the old connection left unread is not the new one's. */
			pbuf_free(isk->rxq);
			isk->rxq = NULL;
			isk->rx_bytes = 0;
		}
		isk->bound = false;
		isk->was_connected = false;
		set_state(isk, INET_UNCONNECTED);
		err = new_pcb(isk);
		if (err)
			goto out;
		break;
	case INET_UNCONNECTED:
		break;
	}
	if (ip_addr_isany(&ip)) {
		/* connect(2) to INADDR_ANY reaches this host, as on Linux. */
		if (IP_IS_V4(&ip))
			ip_addr_set_loopback(false, &ip);
		else
			ip_addr_set_loopback(true, &ip);
	}
	e = tcp_connect(isk->pcb.tcp, &ip, port, cb_connected);
	if (e != ERR_OK) {
		err = e == ERR_RTE ? -ENETUNREACH : inet_err(e);
		goto out;
	}
	note_addrs(isk, isk->pcb.tcp);
	isk->bound = true;
	set_state(isk, INET_CONNECTING);
	if (nonblock) {
		isk->connect_pending = true;
		err = -EINPROGRESS;
		goto out;
	}
wait:
	net_stack_lock_drop();
	err = wait_event_interruptible_deadline(&isk->wait, connect_done(isk),
						sock_deadline(s, false));
	if (err == -ETIMEDOUT)
		return -EINPROGRESS;
	if (err)
		return err == -ERESTARTSYS ? -EINTR : err;
	net_stack_lock_take();
	isk->connect_pending = false;
	if (isk->state == INET_CONNECTED) {
		err = 0;
	} else {
		err = isk->err ? -isk->err : -ECONNREFUSED;
		isk->err = 0;
	}
out:
	net_stack_lock_drop();
	return err;
}

static bool accept_ready(struct inet_sock *l)
{
	return __atomic_load_n(&l->nr_accept, __ATOMIC_ACQUIRE) ||
	       __atomic_load_n(&l->state, __ATOMIC_ACQUIRE) != INET_LISTEN;
}

static int tcp_accept_op(struct socket *s, struct socket *ns, bool nonblock)
{
	struct inet_sock *l = s->sk, *e;
	int err;

	net_stack_lock_take();
	for (;;) {
		if (l->state != INET_LISTEN) {
			err = -EINVAL;
			break;
		}
		if (!list_empty(&l->accept_q)) {
			e = list_first_entry(&l->accept_q, struct inet_sock, accept_link);
			list_del(&e->accept_link);
			list_init(&e->accept_link);
			__atomic_store_n(&l->nr_accept, l->nr_accept - 1, __ATOMIC_RELEASE);
			if (!e->pcb.tcp) {
				/* Reset before it was accepted: nothing left to give. */
				inet_sock_free(e);
				continue;
			}
			tcp_backlog_accepted(e->pcb.tcp);
			e->sock = ns;
			e->ino = ns->ino;
			ns->sk = e;
			err = 0;
			break;
		}
		if (nonblock) {
			err = -EAGAIN;
			break;
		}
		net_stack_lock_drop();
		err = wait_event_interruptible_deadline(&l->wait, accept_ready(l),
							sock_deadline(s, true));
		if (err == -ETIMEDOUT)
			return -EAGAIN;
		if (err)
			return err;
		net_stack_lock_take();
	}
	net_stack_lock_drop();
	return err;
}

static bool can_send(struct inet_sock *isk)
{
	enum inet_state st = __atomic_load_n(&isk->state, __ATOMIC_ACQUIRE);

	return __atomic_load_n(&isk->snd_space, __ATOMIC_ACQUIRE) ||
	       (st != INET_CONNECTED && st != INET_CONNECTING) ||
	       __atomic_load_n(&isk->err, __ATOMIC_ACQUIRE) ||
	       __atomic_load_n(&isk->snd_shut, __ATOMIC_ACQUIRE);
}

/* Why no more can be sent now: 0 (room may come), or -errno. [l] */
static int send_blocked(struct inet_sock *isk, int flags)
{
	int e;

	if (isk->err) {
		e = isk->err;
		isk->err = 0;
		return e == EPIPE ? sock_sigpipe(flags) : -e;
	}
	if (isk->snd_shut || isk->state != INET_CONNECTED || !isk->pcb.tcp)
		return sock_sigpipe(flags);
	return 0;
}

/*
 * send(2) on a stream: bytes are copied from the caller into @buf with the stack lock dropped
 * (a fault may sleep), then handed to lwIP as far as its send buffer has room. Concurrent
 * senders are not serialised (nothing is held across a sleep): their bytes may interleave at
 * chunk boundaries, as blocking sends on Linux may. Bytes copied but not handed over when the
 * call ends are simply not counted in its result.
 */
static ssize_t tcp_sendmsg_op(struct socket *s, struct sock_msg *m, size_t len)
{
	struct inet_sock *isk = s->sk;
	int flags = m->in_flags, err = 0;
	u64 deadline = sock_deadline(s, false);
	size_t sent = 0, have = 0, off = 0;	/* @have bytes at @buf + @off wait to go */
	u8 *buf;

	if (flags & MSG_OOB)
		return -EOPNOTSUPP;
	buf = kmalloc(MIN(MAX(len, 1), BOUNCE_MAX));
	if (!buf)
		return -ENOMEM;
	net_stack_lock_take();
	for (;;) {
		u32 room;
		size_t n;
		err_t e;

		if (isk->state == INET_CONNECTING) {
			/* A connect still in progress: wait for its outcome first. */
			room = 0;
		} else {
			err = send_blocked(isk, flags);
			if (err || (sent == len && !have))
				break;
			room = send_room(isk->pcb.tcp);
			__atomic_store_n(&isk->snd_space, room, __ATOMIC_RELEASE);
		}
		if (!room) {
			if (isk->state != INET_CONNECTING)
				tcp_output(isk->pcb.tcp);
			if (sock_nonblock(s, flags)) {
				err = -EAGAIN;
				break;
			}
			net_stack_lock_drop();
			err = wait_event_interruptible_deadline(&isk->wait, can_send(isk),
								deadline);
			net_stack_lock_take();
			if (err)
				break;
			continue;
		}
		if (!have) {
			n = MIN(MIN(len - sent, (size_t)room), (size_t)BOUNCE_MAX);
			net_stack_lock_drop();
			err = msg_copy_from(m, buf, n);
			net_stack_lock_take();
			if (err)
				break;
			have = n;
			off = 0;
			continue;	/* the connection may have changed meanwhile */
		}
		n = MIN(have, (size_t)room);
		e = tcp_write(isk->pcb.tcp, buf + off, (u16_t)n,
			      TCP_WRITE_FLAG_COPY | (sent + n < len ? TCP_WRITE_FLAG_MORE : 0));
		if (e == ERR_MEM && (isk->pcb.tcp->unsent || isk->pcb.tcp->unacked)) {
			/* lwIP is short of segments: room comes back as data is acknowledged. */
			__atomic_store_n(&isk->snd_space, 0, __ATOMIC_RELEASE);
			tcp_output(isk->pcb.tcp);
			continue;
		}
		if (e != ERR_OK) {
			err = inet_err(e);
			break;
		}
		sent += n;
		off += n;
		have -= n;
		tcp_output(isk->pcb.tcp);
		__atomic_store_n(&isk->snd_space, send_room(isk->pcb.tcp), __ATOMIC_RELEASE);
	}
	net_stack_lock_drop();
	kfree(buf);
	if (err == -ETIMEDOUT)
		err = -EAGAIN;
	if (sent)
		return (ssize_t)sent;
	return err;
}

static bool can_recv(struct inet_sock *isk)
{
	return __atomic_load_n(&isk->rx_bytes, __ATOMIC_ACQUIRE) ||
	       __atomic_load_n(&isk->rcv_eof, __ATOMIC_ACQUIRE) ||
	       __atomic_load_n(&isk->rcv_shut, __ATOMIC_ACQUIRE) ||
	       __atomic_load_n(&isk->err, __ATOMIC_ACQUIRE) ||
	       __atomic_load_n(&isk->state, __ATOMIC_ACQUIRE) == INET_CLOSED;
}

static ssize_t tcp_recvmsg_op(struct socket *s, struct sock_msg *m, size_t len)
{
	struct inet_sock *isk = s->sk;
	int flags = m->in_flags, err = 0;
	u64 deadline = sock_deadline(s, true);
	size_t got = 0;
	u8 *buf;

	if (flags & MSG_OOB)
		return -EINVAL;
	if (m->namelen >= -1)
		m->namelen = 0;		/* TCP gives no source address */
	buf = kmalloc(MIN(MAX(len, 1), BOUNCE_MAX));
	if (!buf)
		return -ENOMEM;
	net_stack_lock_take();
	if (isk->state == INET_LISTEN || (isk->state == INET_UNCONNECTED) ||
	    (isk->state == INET_CLOSED && !isk->was_connected && !isk->err)) {
		err = -ENOTCONN;
		goto out;
	}
	while (got < len) {
		size_t n;

		if (isk->rxq) {
			n = MIN(MIN(len - got, (size_t)isk->rxq->tot_len), (size_t)BOUNCE_MAX);
			pbuf_copy_partial(isk->rxq, buf, (u16_t)n, 0);
			if (!(flags & MSG_PEEK)) {
				isk->rxq = pbuf_free_header(isk->rxq, (u16_t)n);
				__atomic_store_n(&isk->rx_bytes, isk->rxq ? isk->rxq->tot_len : 0,
						 __ATOMIC_RELEASE);
				if (isk->pcb.tcp)
					tcp_recved(isk->pcb.tcp, (u16_t)n);
			}
			net_stack_lock_drop();
			if (msg_copy_to(m, buf, n)) {
				err = -EFAULT;
				net_stack_lock_take();
				break;
			}
			got += n;
			net_stack_lock_take();
			if (flags & MSG_PEEK)
				break;
			if (!(flags & MSG_WAITALL) && !isk->rxq)
				break;
			continue;
		}
		if (got && !(flags & MSG_WAITALL))
			break;
		if (isk->err) {
			if (!got) {
				err = -isk->err;
				isk->err = 0;
			}
			break;
		}
		if (isk->rcv_eof || isk->rcv_shut || isk->state == INET_CLOSED)
			break;
		if (sock_nonblock(s, flags)) {
			if (!got)
				err = -EAGAIN;
			break;
		}
		net_stack_lock_drop();
		err = wait_event_interruptible_deadline(&isk->wait, can_recv(isk), deadline);
		net_stack_lock_take();
		if (err) {
			if (err == -ETIMEDOUT)
				err = -EAGAIN;
			break;
		}
	}
out:
	net_stack_lock_drop();
	kfree(buf);
	return got ? (ssize_t)got : err;
}

/* Stop listening: every embryo is reset, the listening pcb closed. [l] */
static void stop_listening(struct inet_sock *isk)
{
	while (!list_empty(&isk->accept_q)) {
		struct inet_sock *e = list_first_entry(&isk->accept_q, struct inet_sock,
						       accept_link);

		list_del(&e->accept_link);
		if (e->pcb.tcp) {
			tcp_detach(e->pcb.tcp);
			tcp_abort(e->pcb.tcp);
		}
		inet_sock_free(e);
	}
	isk->nr_accept = 0;
	if (isk->pcb.tcp) {
		tcp_arg(isk->pcb.tcp, NULL);
		tcp_accept(isk->pcb.tcp, NULL);
		tcp_close(isk->pcb.tcp);
		isk->pcb.tcp = NULL;
	}
}

/*
 * connect(2) with AF_UNSPEC: drop the association (Linux's tcp_disconnect): a connection is
 * reset, a listener stops, and the socket is as new, ready to bind or connect again.
 */
static int tcp_disconnect(struct inet_sock *isk)
{
	int err = 0;

	net_stack_lock_take();
	if (isk->state == INET_LISTEN) {
		stop_listening(isk);
	} else if (isk->pcb.tcp && isk->state != INET_UNCONNECTED) {
		tcp_detach(isk->pcb.tcp);
		tcp_abort(isk->pcb.tcp);
		isk->pcb.tcp = NULL;
	}
	if (isk->state != INET_UNCONNECTED || !isk->pcb.tcp) {
		if (isk->rxq) {
			pbuf_free(isk->rxq);
			isk->rxq = NULL;
		}
		isk->rx_bytes = 0;
		isk->rcv_eof = isk->rcv_shut = isk->snd_shut = false;
		isk->was_connected = isk->connect_pending = false;
		isk->bound = false;
		isk->err = 0;
		isk->local_port = isk->remote_port = 0;
		set_state(isk, INET_UNCONNECTED);
		if (!isk->pcb.tcp)
			err = new_pcb(isk);
	}
	inet_wake(isk);
	net_stack_lock_drop();
	return err;
}

static int tcp_shutdown_op(struct socket *s, int how)
{
	struct inet_sock *isk = s->sk;
	int err = 0;

	net_stack_lock_take();
	switch (isk->state) {
	case INET_LISTEN:
		/* Linux: shutting a listener's reading side stops it listening. */
		if (how != SHUT_WR) {
			stop_listening(isk);
			isk->bound = false;
			set_state(isk, INET_UNCONNECTED);
			err = new_pcb(isk);
		}
		break;
	case INET_CONNECTED:
	case INET_CONNECTING:
		if (how != SHUT_WR)
			__atomic_store_n(&isk->rcv_shut, true, __ATOMIC_RELEASE);
		if (how != SHUT_RD && !isk->snd_shut) {
			__atomic_store_n(&isk->snd_shut, true, __ATOMIC_RELEASE);
			if (isk->pcb.tcp)
				tcp_shutdown(isk->pcb.tcp, 0, 1);	/* our FIN */
		}
		break;
	default:
		err = -ENOTCONN;
	}
	inet_wake(isk);
	net_stack_lock_drop();
	return err;
}

static unsigned tcp_poll_op(struct socket *s, struct poll_table *pt)
{
	struct inet_sock *isk = s->sk;
	enum inet_state st;
	unsigned mask = 0;

	poll_wait(pt, &isk->wait);
	st = __atomic_load_n(&isk->state, __ATOMIC_ACQUIRE);
	if (st == INET_LISTEN)
		return __atomic_load_n(&isk->nr_accept, __ATOMIC_ACQUIRE) ?
		       POLLIN | POLLRDNORM : 0;
	if (__atomic_load_n(&isk->err, __ATOMIC_ACQUIRE))
		mask |= POLLERR;
	bool rshut = __atomic_load_n(&isk->rcv_shut, __ATOMIC_ACQUIRE) ||
		     __atomic_load_n(&isk->rcv_eof, __ATOMIC_ACQUIRE);
	bool wshut = __atomic_load_n(&isk->snd_shut, __ATOMIC_ACQUIRE);

	if (st == INET_UNCONNECTED || st == INET_CLOSED || (rshut && wshut))
		mask |= POLLHUP;
	if (st == INET_CLOSED)
		rshut = wshut = true;
	if (rshut)
		mask |= POLLIN | POLLRDNORM | POLLRDHUP;
	if (__atomic_load_n(&isk->rx_bytes, __ATOMIC_ACQUIRE))
		mask |= POLLIN | POLLRDNORM;
	if (st != INET_CONNECTING) {
		/* Writable when a good part of the send buffer is free (Linux: a third). */
		if (wshut || st != INET_CONNECTED ||
		    __atomic_load_n(&isk->snd_space, __ATOMIC_ACQUIRE) >= TCP_SND_BUF / 3)
			mask |= POLLOUT | POLLWRNORM;
	}
	return mask;
}

static long tcp_ioctl_op(struct socket *s, unsigned cmd, u64 arg)
{
	struct inet_sock *isk = s->sk;
	int v;

	switch (cmd) {
	case FIONREAD:
		if (isk->state == INET_LISTEN)
			return -EINVAL;
		v = (int)__atomic_load_n(&isk->rx_bytes, __ATOMIC_ACQUIRE);
		break;
	case TIOCOUTQ:
		net_stack_lock_take();
		v = isk->pcb.tcp && isk->state != INET_LISTEN ?
		    (int)(TCP_SND_BUF - tcp_sndbuf(isk->pcb.tcp)) : 0;
		net_stack_lock_drop();
		break;
	default:
		return -ENOTTY;
	}
	return put_user_u32((u32 __user *)arg, (u32)v) ? -EFAULT : 0;
}

static int tcp_setsockopt_op(struct socket *s, int level, int name, const void *val, int len)
{
	struct inet_sock *isk = s->sk;
	int v = len >= 4 ? *(const int *)val : 0, err = 0;

	if (level != IPPROTO_TCP)
		return inet_common_setsockopt(s, level, name, val, len);
	if (len < 4)
		return -EINVAL;
	net_stack_lock_take();
	switch (name) {
	case TCP_NODELAY:
		isk->nodelay = v != 0;
		if (isk->pcb.tcp && isk->state != INET_LISTEN) {
			if (v)
				tcp_nagle_disable(isk->pcb.tcp);
			else
				tcp_nagle_enable(isk->pcb.tcp);
		}
		break;
	case TCP_KEEPIDLE:
	case TCP_KEEPINTVL:
		if (v < 1 || v > 32767) {
			err = -EINVAL;
			break;
		}
		if (isk->pcb.tcp && isk->state != INET_LISTEN) {
			if (name == TCP_KEEPIDLE)
				isk->pcb.tcp->keep_idle = (u32_t)v * 1000;
			else
				isk->pcb.tcp->keep_intvl = (u32_t)v * 1000;
		}
		break;
	case TCP_KEEPCNT:
		if (v < 1 || v > 127) {
			err = -EINVAL;
			break;
		}
		if (isk->pcb.tcp && isk->state != INET_LISTEN)
			isk->pcb.tcp->keep_cnt = (u32_t)v;
		break;
	default:
		err = -ENOPROTOOPT;
	}
	net_stack_lock_drop();
	return err;
}

static int tcp_getsockopt_op(struct socket *s, int level, int name, void *val, int *len)
{
	struct inet_sock *isk = s->sk;
	struct tcp_pcb *pcb;
	int *iv = val, err = 0;

	if (level != IPPROTO_TCP)
		return inet_common_getsockopt(s, level, name, val, len);
	*len = 4;
	net_stack_lock_take();
	pcb = isk->state == INET_LISTEN ? NULL : isk->pcb.tcp;
	switch (name) {
	case TCP_NODELAY: *iv = isk->nodelay; break;
	case TCP_MAXSEG: *iv = pcb && isk->state == INET_CONNECTED ? pcb->mss : TCP_MSS; break;
	case TCP_KEEPIDLE: *iv = pcb ? (int)(pcb->keep_idle / 1000) : TCP_KEEPIDLE_DEFAULT / 1000;
		break;
	case TCP_KEEPINTVL:
		*iv = pcb ? (int)(pcb->keep_intvl / 1000) : TCP_KEEPINTVL_DEFAULT / 1000;
		break;
	case TCP_KEEPCNT: *iv = pcb ? (int)pcb->keep_cnt : TCP_KEEPCNT_DEFAULT; break;
	default: err = -ENOPROTOOPT;
	}
	net_stack_lock_drop();
	return err;
}

/* Where @pcb is now: 1 a live connection, 2 in TIME_WAIT, 0 freed. [l] */
static int pcb_where(struct tcp_pcb *pcb)
{
	struct tcp_pcb *p;

	for (p = tcp_active_pcbs; p; p = p->next)
		if (p == pcb)
			return 1;
	for (p = tcp_tw_pcbs; p; p = p->next)
		if (p == pcb)
			return 2;
	return 0;
}

static bool events_moved(struct inet_sock *isk, u32 seen)
{
	return __atomic_load_n(&isk->events, __ATOMIC_ACQUIRE) != seen;
}

/*
 * SO_LINGER with a time (socket(7)): close(2) waits, at most @secs seconds, until everything
 * sent -- our FIN included -- has been acknowledged; a signal ends the wait early. The
 * connection goes on in the background either way. Called with [l] and the pcb closed
 * (tcp_close) but still pointing at @isk; returns with [l] and the pcb detached.
 */
static void linger_wait(struct inet_sock *isk, int secs)
{
	u64 deadline = arch_clock_ns() + (u64)secs * 1000000000ull;
	struct tcp_pcb *pcb;

	for (;;) {
		u32 seen = __atomic_load_n(&isk->events, __ATOMIC_ACQUIRE);
		int r;

		pcb = isk->pcb.tcp;
		if (!pcb || pcb_where(pcb) != 1 || (!pcb->unsent && !pcb->unacked))
			break;
		net_stack_lock_drop();
		r = wait_event_interruptible_deadline(&isk->wait, events_moved(isk, seen),
						      deadline);
		net_stack_lock_take();
		if (r)
			break;
	}
	pcb = isk->pcb.tcp;
	if (pcb && pcb_where(pcb))
		tcp_detach(pcb);
	isk->pcb.tcp = NULL;
}

static void tcp_release_op(struct socket *s)
{
	struct inet_sock *isk = s->sk;
	struct tcp_pcb *pcb;
	bool reset, linger;

	if (!isk)
		return;
	net_stack_lock_take();
	isk->sock = NULL;
	isk->released = true;
	if (isk->state == INET_LISTEN) {
		stop_listening(isk);
	} else if ((pcb = isk->pcb.tcp)) {
		/* Unread data or SO_LINGER with a zero time: reset (tcp(7), socket(7)). */
		reset = isk->rxq || (s->linger.l_onoff && !s->linger.l_linger);
		linger = !reset && s->linger.l_onoff && s->linger.l_linger > 0;
		if (!linger)
			tcp_detach(pcb);
		if (reset || tcp_close(pcb) != ERR_OK) {
			tcp_detach(pcb);
			tcp_abort(pcb);
			isk->pcb.tcp = NULL;
		} else if (linger) {
			linger_wait(isk, s->linger.l_linger);
		}
		isk->pcb.tcp = NULL;
	}
	inet_sock_free(isk);
	s->sk = NULL;
	net_stack_lock_drop();
}

const struct proto_ops inet_tcp_ops = {
	.bind = tcp_bind_op,
	.connect = tcp_connect_op,
	.listen = tcp_listen_op,
	.accept = tcp_accept_op,
	.sendmsg = tcp_sendmsg_op,
	.recvmsg = tcp_recvmsg_op,
	.shutdown = tcp_shutdown_op,
	.getname = inet_getname,
	.setsockopt = tcp_setsockopt_op,
	.getsockopt = tcp_getsockopt_op,
	.poll = tcp_poll_op,
	.ioctl = tcp_ioctl_op,
	.release = tcp_release_op,
};

/* ---- /proc/net/tcp, /proc/net/tcp6 (proc(5), Linux's tcp4_seq_show/tcp6_seq_show) ---- */

static int linux_state(enum tcp_state st)
{
	switch (st) {
	case LISTEN: return LTCP_LISTEN;
	case SYN_SENT: return LTCP_SYN_SENT;
	case SYN_RCVD: return LTCP_SYN_RECV;
	case ESTABLISHED: return LTCP_ESTABLISHED;
	case FIN_WAIT_1: return LTCP_FIN_WAIT1;
	case FIN_WAIT_2: return LTCP_FIN_WAIT2;
	case CLOSE_WAIT: return LTCP_CLOSE_WAIT;
	case CLOSING: return LTCP_CLOSING;
	case LAST_ACK: return LTCP_LAST_ACK;
	case TIME_WAIT: return LTCP_TIME_WAIT;
	default: return LTCP_CLOSE;
	}
}

/* One address as /proc/net/tcp{,6} print it: the 32-bit words of the network-order
 * address as host integers. */
static void put_addr(struct textbuf *b, const ip_addr_t *ip, u16 port, bool v6)
{
	u32 w[4] = { 0, 0, 0, 0 };

	if (!v6) {
		textbuf_printf(b, "%08X:%04X", IP_IS_V4(ip) ? ip_2_ip4(ip)->addr : 0, port);
		return;
	}
	if (IP_IS_V6(ip)) {
		memcpy(w, ip_2_ip6(ip)->addr, 16);
	} else if (IP_IS_V4(ip) && ip_2_ip4(ip)->addr) {
		w[2] = PP_HTONL(0xffff);
		w[3] = ip_2_ip4(ip)->addr;
	}
	textbuf_printf(b, "%08X%08X%08X%08X:%04X", w[0], w[1], w[2], w[3], port);
}

/* Does a pcb with local address @ip belong in /proc/net/tcp (@family AF_INET) or tcp6? */
static bool in_table(const ip_addr_t *ip, int family)
{
	return family == AF_INET ? IP_IS_V4_VAL(*ip) : !IP_IS_V4_VAL(*ip);
}

static void proc_row(struct textbuf *b, int *sl, int family, const ip_addr_t *lip, u16 lport,
		     const ip_addr_t *rip, u16 rport, int st, u32 txq, u32 rxq, void *arg,
		     u32 rto_ms)
{
	struct inet_sock *isk = arg;
	bool v6 = family == AF_INET6;
	size_t start = b->len;

	textbuf_printf(b, "%4d: ", (*sl)++);
	put_addr(b, lip, lport, v6);
	textbuf_printf(b, " ");
	put_addr(b, rip, rport, v6);
	textbuf_printf(b, " %02X %08X:%08X 00:00000000 00000000 %5u %8d %llu 1 0000000000000000 "
		       "%u 4 0 10 -1", st, txq, rxq, isk ? isk->uid : 0, 0,
		       (unsigned long long)(isk ? isk->ino : 0), rto_ms / 10);
	/* IPv4 rows are padded to 149 characters, as Linux's are. */
	while (!v6 && b->len - start < 149 && b->len + 1 < b->size)
		textbuf_printf(b, " ");
	textbuf_printf(b, "\n");
}

/* inet_tcp_proc_show - see net/inet.h. */
void inet_tcp_proc_show(struct textbuf *b, int family)
{
	struct tcp_pcb_listen *l;
	struct tcp_pcb *p;
	int sl = 0;

	if (family == AF_INET)
		textbuf_printf(b, "%-149s\n", "  sl  local_address rem_address   st tx_queue "
			       "rx_queue tr tm->when retrnsmt   uid  timeout inode");
	else
		textbuf_printf(b, "  sl  local_address                         remote_address"
			       "                        st tx_queue rx_queue tr tm->when retrnsmt"
			       "   uid  timeout inode\n");
	net_stack_lock_take();
	for (l = tcp_listen_pcbs.listen_pcbs; l; l = l->next) {
		struct inet_sock *isk = l->callback_arg;

		if (in_table(&l->local_ip, family))
			proc_row(b, &sl, family, &l->local_ip, l->local_port, IP_ANY_TYPE, 0,
				 LTCP_LISTEN, 0, isk ? isk->nr_accept : 0, isk, 0);
	}
	for (p = tcp_active_pcbs; p; p = p->next) {
		struct inet_sock *isk = p->callback_arg;

		if (in_table(&p->local_ip, family))
			proc_row(b, &sl, family, &p->local_ip, p->local_port, &p->remote_ip,
				 p->remote_port, linux_state(p->state),
				 TCP_SND_BUF - tcp_sndbuf(p), isk ? isk->rx_bytes : 0, isk,
				 (u32)p->rto * TCP_SLOW_INTERVAL);
	}
	for (p = tcp_tw_pcbs; p; p = p->next) {
		if (in_table(&p->local_ip, family))
			proc_row(b, &sl, family, &p->local_ip, p->local_port, &p->remote_ip,
				 p->remote_port, LTCP_TIME_WAIT, 0, 0, NULL, 0);
	}
	net_stack_lock_drop();
}
