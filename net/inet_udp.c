/*
 * UDP sockets (udp(7)) on lwIP's raw API. A datagram that arrives is queued whole on the
 * socket (dropped, as on Linux, when the queue would pass SO_RCVBUF); recvfrom(2) takes one
 * per call, truncating to the caller's buffer (MSG_TRUNC). sendto(2) builds one pbuf and hands
 * it to udp_sendto(); a socket without a port gets an ephemeral one then. connect(2) sets the
 * default peer (and filters what is received), AF_UNSPEC dissolves it; a connected socket
 * learns from ICMP that nothing listens at the peer (ECONNREFUSED on its next call). Locks:
 * net/inet.h.
 */
#include "inet.h"
#include "kernel.h"
#include "kmalloc.h"
#include "task.h"
#include "cpu.h"
#include "uapi/errno.h"
#include "uapi/ioctl.h"
#include "uapi/poll.h"

#include "lwip/udp.h"
#include "lwip/pbuf.h"

#define UDP4_MAX	65507	/* payload bytes of one IPv4 datagram */
/* IPv6 allows 65527, but lwIP's packet buffers count at most 65535 bytes, the 40-byte IPv6
 * header included. */
#define UDP6_MAX	65487

static void set_state(struct inet_sock *isk, enum inet_state st)
{
	__atomic_store_n(&isk->state, st, __ATOMIC_RELEASE);
}

/* lwIP's receive callback ([l]): queue the datagram. */
static void cb_recv(void *arg, struct udp_pcb *pcb, struct pbuf *p, const ip_addr_t *addr,
		    u16_t port)
{
	struct inet_sock *isk = arg;
	struct inet_dgram *d;
	int rcvbuf;

	if (!isk || !isk->sock || isk->rcv_shut)
		goto drop;
	rcvbuf = __atomic_load_n(&isk->sock->rcvbuf, __ATOMIC_RELAXED);
	if (isk->rx_bytes && isk->rx_bytes + p->tot_len > (u32)rcvbuf)
		goto drop;
	d = kmalloc(sizeof(*d));
	if (!d)
		goto drop;
	d->p = p;
	ip_addr_copy(d->from, *addr);
	d->port = port;
	list_add_tail(&d->link, &isk->dgrams);
	__atomic_store_n(&isk->rx_bytes, isk->rx_bytes + p->tot_len, __ATOMIC_RELEASE);
	__atomic_store_n(&isk->nr_dgrams, isk->nr_dgrams + 1, __ATOMIC_RELEASE);
	inet_wake(isk);
	return;
drop:
	pbuf_free(p);
}

/* inet_udp_create - see net/inet.h. [l] */
int inet_udp_create(struct inet_sock *isk)
{
	u8_t type = isk->family == AF_INET ? IPADDR_TYPE_V4 : IPADDR_TYPE_ANY;
	struct udp_pcb *pcb = udp_new_ip_type(type);

	if (!pcb)
		return -ENOMEM;
	isk->pcb.udp = pcb;
	udp_recv(pcb, cb_recv, isk);
	return 0;
}

static void note_local(struct inet_sock *isk)
{
	ip_addr_copy(isk->local_ip, isk->pcb.udp->local_ip);
	isk->local_port = isk->pcb.udp->local_port;
	isk->bound = isk->local_port != 0;
}

/* The IPv6 socket's pcb follows IPV6_V6ONLY as it gets an address. [l] */
static void fix_type(struct inet_sock *isk)
{
	if (isk->family == AF_INET6 && !isk->bound)
		IP_SET_TYPE_VAL(isk->pcb.udp->local_ip,
				isk->v6only ? IPADDR_TYPE_V6 : IPADDR_TYPE_ANY);
}

static int udp_addr(struct inet_sock *isk, const void *addr, int len, ip_addr_t *ip, u16 *port,
		    bool for_bind)
{
	int r = inet_addr_from_user(isk, addr, len, ip, port, true);

	if (r)
		return r;
	if (isk->family == AF_INET6 && IP_IS_V4(ip) && isk->v6only)
		return for_bind ? -EINVAL : -ENETUNREACH;
	if (for_bind && isk->family == AF_INET6 && !isk->v6only && IP_IS_V6(ip) &&
	    ip_addr_isany(ip))
		ip_addr_copy(*ip, *IP_ANY_TYPE);
	return 0;
}

static int udp_bind_op(struct socket *s, const void *addr, int len)
{
	struct inet_sock *isk = s->sk;
	struct process *p = current->proc;
	ip_addr_t ip;
	u16 port;
	err_t e;
	int err;

	err = udp_addr(isk, addr, len, &ip, &port, true);
	if (err == 1) {
		/* bind(AF_UNSPEC) is INADDR_ANY for old programs. */
		if (((const struct linux_sockaddr_in *)addr)->sin_addr)
			return -EAFNOSUPPORT;
		ip_addr_set_any(false, &ip);
		port = inet_be16(((const struct linux_sockaddr_in *)addr)->sin_port);
	} else if (err) {
		return err;
	}
	if (port && port < 1024 && p && p->euid != 0)
		return -EACCES;
	net_stack_lock_take();
	if (isk->bound) {
		err = -EINVAL;
		goto out;
	}
	if (!ip_addr_isany(&ip) && !(IP_IS_V4(&ip) && ip4_addr_isloopback(ip_2_ip4(&ip)))) {
		struct netif *n;
		bool ours = false;

		NETIF_FOREACH(n) {
			if (IP_IS_V4(&ip) && ip4_addr_cmp(ip_2_ip4(&ip), netif_ip4_addr(n)))
				ours = true;
			if (IP_IS_V6(&ip) && netif_get_ip6_addr_match(n, ip_2_ip6(&ip)) >= 0)
				ours = true;
		}
		if (!ours) {
			err = -EADDRNOTAVAIL;
			goto out;
		}
	}
	if (s->reuseaddr)
		ip_set_option(isk->pcb.udp, SOF_REUSEADDR);
	else
		ip_reset_option(isk->pcb.udp, SOF_REUSEADDR);
	fix_type(isk);
	e = udp_bind(isk->pcb.udp, &ip, port);
	if (e != ERR_OK)
		err = inet_err(e);
	else
		note_local(isk);
out:
	net_stack_lock_drop();
	return err;
}

static int udp_connect_op(struct socket *s, const void *addr, int len, bool nonblock)
{
	struct inet_sock *isk = s->sk;
	ip_addr_t ip;
	u16 port;
	err_t e;
	int err;

	err = udp_addr(isk, addr, len, &ip, &port, false);
	if (err < 0)
		return err;
	net_stack_lock_take();
	if (err == 1) {
		/* AF_UNSPEC: no default peer any more. */
		udp_disconnect(isk->pcb.udp);
		set_state(isk, INET_UNCONNECTED);
		err = 0;
		goto out;
	}
	if (ip_addr_isany(&ip))
		ip_addr_set_loopback(IP_IS_V6(&ip), &ip);
	fix_type(isk);
	e = udp_connect(isk->pcb.udp, &ip, port);
	if (e != ERR_OK) {
		err = inet_err(e);
		goto out;
	}
	/* udp_connect leaves the source address open; the route decides it, as on Linux. */
	if (ip_addr_isany(&isk->pcb.udp->local_ip)) {
		struct netif *n = ip_route(IP_IS_V4(&ip) ? IP4_ADDR_ANY : IP6_ADDR_ANY, &ip);

		if (n && IP_IS_V4(&ip))
			ip_addr_copy_from_ip4(isk->local_ip, *netif_ip4_addr(n));
		else
			ip_addr_copy(isk->local_ip, isk->pcb.udp->local_ip);
	} else {
		ip_addr_copy(isk->local_ip, isk->pcb.udp->local_ip);
	}
	isk->local_port = isk->pcb.udp->local_port;
	isk->bound = true;
	ip_addr_copy(isk->remote_ip, ip);
	isk->remote_port = port;
	set_state(isk, INET_CONNECTED);
out:
	net_stack_lock_drop();
	return err;
}

static ssize_t udp_sendmsg_op(struct socket *s, struct sock_msg *m, size_t len)
{
	struct inet_sock *isk = s->sk;
	ip_addr_t ip;
	u16 port;
	struct pbuf *p;
	err_t e;
	int err;

	if (m->in_flags & MSG_OOB)
		return -EOPNOTSUPP;
	if (len > (isk->family == AF_INET ? UDP4_MAX : UDP6_MAX))
		return -EMSGSIZE;
	if (m->namelen) {
		err = udp_addr(isk, m->name, m->namelen, &ip, &port, false);
		if (err == 1)
			goto use_peer;
		if (err)
			return err;
		if (ip_addr_isany(&ip))
			ip_addr_set_loopback(IP_IS_V6(&ip), &ip);
		if (!port)
			return -EINVAL;
	} else {
use_peer:
		if (__atomic_load_n(&isk->state, __ATOMIC_ACQUIRE) != INET_CONNECTED)
			return -EDESTADDRREQ;
		ip = isk->remote_ip;
		port = isk->remote_port;
	}
	net_stack_lock_take();
	p = pbuf_alloc(PBUF_TRANSPORT, (u16_t)len, PBUF_RAM);
	net_stack_lock_drop();
	if (!p)
		return -ENOMEM;
	if (len && msg_copy_from(m, p->payload, len)) {
		err = -EFAULT;
		goto free;
	}
	net_stack_lock_take();
	if (isk->snd_shut) {
		net_stack_lock_drop();
		err = sock_sigpipe(m->in_flags);
		goto free;
	}
	if (isk->err) {
		/* An ICMP error about an earlier datagram is this call's (udp(7)). */
		err = -isk->err;
		isk->err = 0;
		net_stack_lock_drop();
		goto free;
	}
	fix_type(isk);
	e = udp_sendto(isk->pcb.udp, p, &ip, port);
	if (!isk->bound)
		note_local(isk);
	net_stack_lock_drop();
	err = e == ERR_OK ? (int)len : e == ERR_RTE ? -ENETUNREACH : inet_err(e);
free:
	net_stack_lock_take();
	pbuf_free(p);
	net_stack_lock_drop();
	return err;
}

static bool can_recv(struct inet_sock *isk)
{
	return __atomic_load_n(&isk->nr_dgrams, __ATOMIC_ACQUIRE) ||
	       __atomic_load_n(&isk->rcv_shut, __ATOMIC_ACQUIRE) ||
	       __atomic_load_n(&isk->err, __ATOMIC_ACQUIRE);
}

static ssize_t udp_recvmsg_op(struct socket *s, struct sock_msg *m, size_t len)
{
	struct inet_sock *isk = s->sk;
	int flags = m->in_flags, err;
	struct inet_dgram *d;
	ip_addr_t from;
	u16 port, dlen;
	size_t n;
	u8 *buf;

	if (flags & MSG_OOB)
		return -EOPNOTSUPP;
	net_stack_lock_take();
	while (list_empty(&isk->dgrams)) {
		if (isk->err) {
			err = -isk->err;
			isk->err = 0;
			goto out;
		}
		if (isk->rcv_shut) {
			err = 0;
			goto out;
		}
		if (sock_nonblock(s, flags)) {
			err = -EAGAIN;
			goto out;
		}
		net_stack_lock_drop();
		err = wait_event_interruptible_deadline(&isk->wait, can_recv(isk),
							sock_deadline(s, true));
		if (err)
			return err == -ETIMEDOUT ? -EAGAIN : err;
		net_stack_lock_take();
	}
	d = list_first_entry(&isk->dgrams, struct inet_dgram, link);
	dlen = d->p->tot_len;
	n = MIN(len, (size_t)dlen);
	buf = kmalloc(MAX(n, 1));
	if (!buf) {
		err = -ENOMEM;
		goto out;
	}
	pbuf_copy_partial(d->p, buf, (u16_t)n, 0);
	from = d->from;
	port = d->port;
	if (!(flags & MSG_PEEK)) {
		list_del(&d->link);
		__atomic_store_n(&isk->rx_bytes, isk->rx_bytes - dlen, __ATOMIC_RELEASE);
		__atomic_store_n(&isk->nr_dgrams, isk->nr_dgrams - 1, __ATOMIC_RELEASE);
		pbuf_free(d->p);
		kfree(d);
	}
	net_stack_lock_drop();
	err = n && msg_copy_to(m, buf, n) ? -EFAULT : 0;
	kfree(buf);
	if (err)
		return err;
	if (m->namelen >= -1)
		m->namelen = inet_addr_to_user(isk, &from, port, m->name);
	if (n < dlen)
		m->out_flags |= MSG_TRUNC;
	return (flags & MSG_TRUNC) ? dlen : (ssize_t)n;
out:
	net_stack_lock_drop();
	return err;
}

/* ---- ICMP errors (lwIP's input hooks, net/lwip/include/lwip_hooks.h) ---- */

#define ICMP4_PROTO		1
#define ICMP4_DEST_UNREACH	3
#define ICMP4_PORT_UNREACH	3
#define ICMP6_NEXTHDR		58
#define ICMP6_DEST_UNREACH	1
#define ICMP6_PORT_UNREACH	4
#define UDP_PROTO		17

static u16 get16(const u8 *b) { return (u16)(b[0] << 8 | b[1]); }

/* A port-unreachable error about a datagram from local port @sport to @dst:@dport: the
 * connected UDP socket that sent it gets ECONNREFUSED (udp(7)); others ignore it. [l] */
static void udp_refused(const ip_addr_t *dst, u16 sport, u16 dport)
{
	struct udp_pcb *pcb;

	for (pcb = udp_pcbs; pcb; pcb = pcb->next) {
		struct inet_sock *isk = pcb->recv_arg;

		if (!isk || !(pcb->flags & UDP_FLAGS_CONNECTED) || pcb->local_port != sport ||
		    pcb->remote_port != dport || !ip_addr_cmp(&pcb->remote_ip, dst))
			continue;
		__atomic_store_n(&isk->err, ECONNREFUSED, __ATOMIC_RELEASE);
		inet_wake(isk);
	}
}

/* inet_udp_icmp4_hook - see net/lwip/include/lwip_hooks.h. */
int inet_udp_icmp4_hook(struct pbuf *p, struct netif *inp)
{
	u8 b[60 + 8 + 60 + 8];
	u16 n = pbuf_copy_partial(p, b, sizeof(b), 0);
	u32 ihl, in, iihl;
	ip_addr_t dst;

	if (n < 20 || (b[0] >> 4) != 4 || b[9] != ICMP4_PROTO)
		return 0;
	ihl = (b[0] & 0xf) * 4u;
	in = ihl + 8;		/* the offending datagram's IP header, inside the ICMP message */
	if (n < in + 20 || b[ihl] != ICMP4_DEST_UNREACH || b[ihl + 1] != ICMP4_PORT_UNREACH)
		return 0;
	iihl = (b[in] & 0xf) * 4u;
	if (b[in + 9] != UDP_PROTO || n < in + iihl + 4)
		return 0;
	u32 a;

	memcpy(&a, b + in + 16, 4);
	ip_addr_set_ip4_u32_val(dst, a);
	udp_refused(&dst, get16(b + in + iihl), get16(b + in + iihl + 2));
	return 0;
}

/* inet_udp_icmp6_hook - see net/lwip/include/lwip_hooks.h. */
int inet_udp_icmp6_hook(struct pbuf *p, struct netif *inp)
{
	u8 b[40 + 8 + 40 + 8];
	u16 n = pbuf_copy_partial(p, b, sizeof(b), 0);
	u32 w[4], in = 40 + 8;
	ip_addr_t dst;

	/* Only an ICMPv6 message right after the fixed header, about a datagram whose UDP
	 * header follows its fixed header (no extension headers on either). */
	if (n < sizeof(b) || (b[0] >> 4) != 6 || b[6] != ICMP6_NEXTHDR ||
	    b[40] != ICMP6_DEST_UNREACH || b[41] != ICMP6_PORT_UNREACH || b[in + 6] != UDP_PROTO)
		return 0;
	memcpy(w, b + in + 24, 16);
	IP_ADDR6(&dst, w[0], w[1], w[2], w[3]);
	if (ip6_addr_islinklocal(ip_2_ip6(&dst)))
		ip6_addr_assign_zone(ip_2_ip6(&dst), IP6_UNICAST, inp);
	udp_refused(&dst, get16(b + in + 40), get16(b + in + 42));
	return 0;
}

static int udp_shutdown_op(struct socket *s, int how)
{
	struct inet_sock *isk = s->sk;
	int err = 0;

	net_stack_lock_take();
	if (isk->state != INET_CONNECTED) {
		err = -ENOTCONN;
	} else {
		if (how != SHUT_WR)
			__atomic_store_n(&isk->rcv_shut, true, __ATOMIC_RELEASE);
		if (how != SHUT_RD)
			__atomic_store_n(&isk->snd_shut, true, __ATOMIC_RELEASE);
	}
	inet_wake(isk);
	net_stack_lock_drop();
	return err;
}

static unsigned udp_poll_op(struct socket *s, struct poll_table *pt)
{
	struct inet_sock *isk = s->sk;
	bool rshut, wshut;
	unsigned mask = 0;

	poll_wait(pt, &isk->wait);
	rshut = __atomic_load_n(&isk->rcv_shut, __ATOMIC_ACQUIRE);
	wshut = __atomic_load_n(&isk->snd_shut, __ATOMIC_ACQUIRE);
	if (__atomic_load_n(&isk->err, __ATOMIC_ACQUIRE))
		mask |= POLLERR;
	if (rshut && wshut)
		mask |= POLLHUP;
	if (rshut)
		mask |= POLLIN | POLLRDNORM | POLLRDHUP;
	if (__atomic_load_n(&isk->nr_dgrams, __ATOMIC_ACQUIRE))
		mask |= POLLIN | POLLRDNORM;
	mask |= POLLOUT | POLLWRNORM | POLLWRBAND;
	return mask;
}

static long udp_ioctl_op(struct socket *s, unsigned cmd, u64 arg)
{
	struct inet_sock *isk = s->sk;
	u32 v = 0;

	switch (cmd) {
	case FIONREAD:
		/* udp(7): the size of the next datagram. */
		net_stack_lock_take();
		if (!list_empty(&isk->dgrams))
			v = list_first_entry(&isk->dgrams, struct inet_dgram, link)->p->tot_len;
		net_stack_lock_drop();
		break;
	case TIOCOUTQ:
		v = 0;	/* a datagram leaves at once */
		break;
	default:
		return -ENOTTY;
	}
	return put_user_u32((u32 __user *)arg, v) ? -EFAULT : 0;
}

static int udp_setsockopt_op(struct socket *s, int level, int name, const void *val, int len)
{
	if (level == IPPROTO_UDP)
		return -ENOPROTOOPT;
	return inet_common_setsockopt(s, level, name, val, len);
}

static int udp_getsockopt_op(struct socket *s, int level, int name, void *val, int *len)
{
	if (level == IPPROTO_UDP)
		return -ENOPROTOOPT;
	return inet_common_getsockopt(s, level, name, val, len);
}

static void udp_release_op(struct socket *s)
{
	struct inet_sock *isk = s->sk;

	if (!isk)
		return;
	net_stack_lock_take();
	isk->sock = NULL;
	if (isk->pcb.udp) {
		udp_recv(isk->pcb.udp, NULL, NULL);
		udp_remove(isk->pcb.udp);
		isk->pcb.udp = NULL;
	}
	inet_sock_free(isk);
	s->sk = NULL;
	net_stack_lock_drop();
}

const struct proto_ops inet_udp_ops = {
	.bind = udp_bind_op,
	.connect = udp_connect_op,
	.sendmsg = udp_sendmsg_op,
	.recvmsg = udp_recvmsg_op,
	.shutdown = udp_shutdown_op,
	.getname = inet_getname,
	.setsockopt = udp_setsockopt_op,
	.getsockopt = udp_getsockopt_op,
	.poll = udp_poll_op,
	.ioctl = udp_ioctl_op,
	.release = udp_release_op,
};
