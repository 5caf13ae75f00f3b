/*
 * TCP sockets (tcp(7)) on lwIP's raw API: connections, options and closing, and lwIP's
 * callbacks into the sockets. The data path (send, recv) and readiness are
 * net/inet_tcp_data.c's, /proc/net/tcp net/inet_proc.c's. Locks and the inet_sock:
 * net/inet.h.
 *
 * lwIP's recv callback chains arriving segments on the socket (read by recv(2)); a FIN marks
 * the end of the stream. Closing with unread data resets the connection (RST), as Linux does;
 * SO_LINGER with a zero time does too, with a time close waits for the acknowledgements.
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

#define LINUX_SOMAXCONN	4096
#define LWIP_BACKLOG_MAX 255	/* lwIP keeps the backlog in a byte */

static void tcp_attach(struct inet_sock *isk, struct tcp_pcb *pcb);
static int tcp_disconnect(struct inet_sock *isk);

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
		__atomic_store_n(&isk->snd_space, inet_tcp_send_room(pcb), __ATOMIC_RELEASE);
		__atomic_add_fetch(&isk->events, 1, __ATOMIC_RELEASE);
		inet_wake(isk);
	}
	return ERR_OK;
}

/* The pcb is gone (lwIP freed it): reset, refused, given up after retransmissions or
 * keepalive probes, or -- ERR_CLSD -- both FINs exchanged and acknowledged, no error. */
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
		e = ETIMEDOUT;
	else if (err == ERR_CLSD)
		e = 0;
	else
		e = -inet_err(err);
	if (err == ERR_CLSD) {
		__atomic_store_n(&isk->rcv_eof, true, __ATOMIC_RELEASE);
		__atomic_store_n(&isk->snd_shut, true, __ATOMIC_RELEASE);
	}
	if (e)
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
	__atomic_store_n(&isk->snd_space, inet_tcp_send_room(pcb), __ATOMIC_RELEASE);
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
	e->snd_space = inet_tcp_send_room(newpcb);
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

/* Forget an ended connection and give @isk a fresh pcb: 0 or -ENOMEM. [l] */
static int make_fresh(struct inet_sock *isk)
{
	if (isk->rxq) {
		/* What the old connection left unread is not the new one's. */
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
	return isk->pcb.tcp ? 0 : new_pcb(isk);
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
		/* A socket whose connection was made and ended stays "connected" (Linux's
		 * SS_CONNECTED) until connect(AF_UNSPEC). */
		if (isk->was_connected) {
			err = -EISCONN;
			goto out;
		}
		/* A failed connect: its error, if a non-blocking one's was not seen yet; then
		 * the socket is as new and may try again. */
		if (isk->connect_pending) {
			err = isk->err ? -isk->err : -ECONNABORTED;
			err = make_fresh(isk) ?: err;
			goto out;
		}
		err = make_fresh(isk);
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
	if (isk->state != INET_UNCONNECTED || !isk->pcb.tcp)
		err = make_fresh(isk);
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
	.sendmsg = inet_tcp_sendmsg,
	.recvmsg = inet_tcp_recvmsg,
	.shutdown = tcp_shutdown_op,
	.getname = inet_getname,
	.setsockopt = tcp_setsockopt_op,
	.getsockopt = tcp_getsockopt_op,
	.poll = inet_tcp_poll,
	.ioctl = inet_tcp_ioctl,
	.release = tcp_release_op,
};
