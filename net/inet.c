/*
 * AF_INET and AF_INET6 (ip(7), ipv6(7)): the families' registration, their addresses as
 * sockaddr_in / sockaddr_in6 and as lwIP's ip_addr_t, the options common to TCP and UDP, and
 * /proc/net/{tcp,tcp6,udp,udp6}'s shared pieces. The protocols are net/inet_tcp.c and
 * net/inet_udp.c over lwIP (net/lwip/port.c); locks: net/inet.h.
 *
 * An AF_INET6 socket is dual-stack unless IPV6_V6ONLY is set: its lwIP pcb takes either
 * version, and IPv4 peers show as IPv4-mapped addresses (::ffff:a.b.c.d), as on Linux.
 */
#include "inet.h"
#include "kernel.h"
#include "kmalloc.h"
#include "task.h"
#include "cpu.h"
#include "uapi/errno.h"

#include "lwip/err.h"
#include "lwip/tcp.h"
#include "lwip/udp.h"
#include "lwip/pbuf.h"
#include "lwip/ip.h"
#include "lwip/priv/tcp_priv.h"

/* Every inet socket, for nothing but debugging and counting. [l] */
static LIST_HEAD(inet_all);

/* inet_sock_new - see net/inet.h. */
struct inet_sock *inet_sock_new(int family, int type)
{
	struct inet_sock *isk = kzalloc(sizeof(*isk));
	struct process *p = current->proc;

	if (!isk)
		return NULL;
	isk->family = family;
	isk->type = type;
	isk->uid = p ? p->euid : 0;
	list_init(&isk->dgrams);
	list_init(&isk->accept_q);
	list_init(&isk->accept_link);
	wait_queue_init(&isk->wait, "inet_wait");
	list_add_tail(&isk->all_link, &inet_all);
	return isk;
}

/* inet_sock_free - see net/inet.h. */
void inet_sock_free(struct inet_sock *isk)
{
	list_del(&isk->all_link);
	if (isk->rxq)
		pbuf_free(isk->rxq);
	while (!list_empty(&isk->dgrams)) {
		struct inet_dgram *d = list_first_entry(&isk->dgrams, struct inet_dgram, link);

		list_del(&d->link);
		pbuf_free(d->p);
		kfree(d);
	}
	kfree(isk);
}

/* inet_wake - see net/inet.h. */
void inet_wake(struct inet_sock *isk)
{
	wake_up(&isk->wait);
}

/* inet_err - see net/inet.h. */
int inet_err(int e)
{
	switch (e) {
	case ERR_OK: return 0;
	case ERR_MEM: return -ENOMEM;
	case ERR_BUF: return -ENOBUFS;
	case ERR_TIMEOUT: return -ETIMEDOUT;
	case ERR_RTE: return -ENETUNREACH;
	case ERR_INPROGRESS: return -EINPROGRESS;
	case ERR_WOULDBLOCK: return -EAGAIN;
	case ERR_USE: return -EADDRINUSE;
	case ERR_ALREADY: return -EALREADY;
	case ERR_ISCONN: return -EISCONN;
	case ERR_CONN: return -ENOTCONN;
	case ERR_IF: return -EIO;
	case ERR_ABRT: return -ECONNABORTED;
	case ERR_RST: return -ECONNRESET;
	case ERR_CLSD: return -ENOTCONN;
	default: return -EINVAL;
	}
}

/* ---- addresses ---- */

/* inet_addr_from_user - see net/inet.h. */
int inet_addr_from_user(struct inet_sock *isk, const void *addr, int len, ip_addr_t *ip,
			u16 *port, bool unspec_ok)
{
	u16 fam = len >= 2 ? *(const u16 *)addr : 0;

	if (isk->family == AF_INET) {
		const struct linux_sockaddr_in *sin = addr;

		if (len < (int)sizeof(*sin))
			return -EINVAL;
		if (fam == AF_UNSPEC && unspec_ok)
			return 1;
		if (fam != AF_INET)
			return -EAFNOSUPPORT;
		ip_addr_set_ip4_u32_val(*ip, sin->sin_addr);
		*port = inet_be16(sin->sin_port);
		return 0;
	}
	const struct linux_sockaddr_in6 *sin6 = addr;

	/* SIN6_LEN_RFC2133: the scope id may be left out. */
	if (len < 24)
		return -EINVAL;
	if (fam != AF_INET6)
		return -EAFNOSUPPORT;
	*port = inet_be16(sin6->sin6_port);
	u32 w[4];

	memcpy(w, sin6->sin6_addr, 16);
	if (!w[0] && !w[1] && w[2] == PP_HTONL(0xffff)) {
		ip_addr_set_ip4_u32_val(*ip, w[3]);	/* IPv4-mapped */
		return 0;
	}
	IP_ADDR6(ip, w[0], w[1], w[2], w[3]);
	if (ip6_addr_islinklocal(ip_2_ip6(ip)) && len >= 28 && sin6->sin6_scope_id)
		ip6_addr_set_zone(ip_2_ip6(ip), (u8_t)sin6->sin6_scope_id);
	return 0;
}

/* inet_addr_to_user - see net/inet.h. */
int inet_addr_to_user(struct inet_sock *isk, const ip_addr_t *ip, u16 port, void *out)
{
	if (isk->family == AF_INET) {
		struct linux_sockaddr_in *sin = out;

		memset(sin, 0, sizeof(*sin));
		sin->sin_family = AF_INET;
		sin->sin_port = inet_be16(port);
		sin->sin_addr = IP_IS_V4(ip) ? ip_2_ip4(ip)->addr : 0;
		return sizeof(*sin);
	}
	struct linux_sockaddr_in6 *sin6 = out;
	u32 w[4] = { 0, 0, 0, 0 };

	memset(sin6, 0, sizeof(*sin6));
	sin6->sin6_family = AF_INET6;
	sin6->sin6_port = inet_be16(port);
	if (IP_IS_V4(ip) && ip_2_ip4(ip)->addr) {
		w[2] = PP_HTONL(0xffff);
		w[3] = ip_2_ip4(ip)->addr;
	} else if (IP_IS_V6(ip)) {
		memcpy(w, ip_2_ip6(ip)->addr, 16);
		if (ip6_addr_has_zone(ip_2_ip6(ip)))
			sin6->sin6_scope_id = ip6_addr_zone(ip_2_ip6(ip));
	}
	memcpy(sin6->sin6_addr, w, 16);
	return sizeof(*sin6);
}

/* inet_listen_conflict - see net/inet.h. */
int inet_listen_conflict(struct tcp_pcb *self, const ip_addr_t *ip, u16 port)
{
	struct tcp_pcb_listen *l;

	for (l = tcp_listen_pcbs.listen_pcbs; l; l = l->next) {
		if ((struct tcp_pcb *)l == self || l->local_port != port)
			continue;
		if (ip_addr_isany(&l->local_ip) || ip_addr_isany(ip) ||
		    ip_addr_cmp(&l->local_ip, ip))
			return -EADDRINUSE;
	}
	return 0;
}

/* ---- the common operations ---- */

/* inet_getname - getsockname(2) / getpeername(2): the proto_ops getname. */
int inet_getname(struct socket *s, void *addr, bool peer)
{
	struct inet_sock *isk = s->sk;
	int len;

	net_stack_lock_take();
	if (peer && (isk->state != INET_CONNECTED ||
		     (isk->type == SOCK_STREAM && isk->rcv_shut && isk->snd_shut && !isk->pcb.tcp)))
		len = -ENOTCONN;
	else if (peer)
		len = inet_addr_to_user(isk, &isk->remote_ip, isk->remote_port, addr);
	else
		len = inet_addr_to_user(isk, &isk->local_ip, isk->local_port, addr);
	net_stack_lock_drop();
	return len;
}

/* The pcb's IP-level options live in the same place for TCP and UDP (IP_PCB). */
static struct ip_pcb *ip_pcb_of(struct inet_sock *isk)
{
	return isk->type == SOCK_STREAM ? (void *)isk->pcb.tcp : (void *)isk->pcb.udp;
}

/* inet_common_setsockopt - the options TCP and UDP share; -ENOPROTOOPT for the rest
 * (SOL_SOCKET values the generic layer keeps come back as -ENOPROTOOPT after being applied
 * to the pcb, so that the layer stores them too). */
int inet_common_setsockopt(struct socket *s, int level, int name, const void *val, int len)
{
	struct inet_sock *isk = s->sk;
	struct ip_pcb *pcb;
	int v = len >= 4 ? *(const int *)val : 0, err = -ENOPROTOOPT;

	net_stack_lock_take();
	pcb = ip_pcb_of(isk);
	if (level == SOL_SOCKET && name == SO_KEEPALIVE && len >= 4) {
		if (pcb && v)
			ip_set_option(pcb, SOF_KEEPALIVE);
		else if (pcb)
			ip_reset_option(pcb, SOF_KEEPALIVE);
	} else if (level == IPPROTO_IP && isk->family == AF_INET &&
		   (name == IP_TTL || name == IP_TOS)) {
		if (len < 4)
			err = -EINVAL;
		else if (name == IP_TTL && (v < -1 || v == 0 || v > 255))
			err = -EINVAL;
		else {
			if (pcb && name == IP_TTL)
				pcb->ttl = (u8_t)(v == -1 ? IP_DEFAULT_TTL : v);
			else if (pcb)
				pcb->tos = (u8_t)v;
			err = 0;
		}
	} else if (level == IPPROTO_IPV6 && isk->family == AF_INET6 && name == IPV6_V6ONLY) {
		/* ipv6(7): only before the socket has an address. */
		if (len < 4)
			err = -EINVAL;
		else if (isk->bound)
			err = -EINVAL;
		else {
			isk->v6only = v != 0;
			err = 0;
		}
	} else if (level == IPPROTO_IP || level == IPPROTO_IPV6) {
		err = -ENOPROTOOPT;
	}
	net_stack_lock_drop();
	return err;
}

/* inet_common_getsockopt - the options TCP and UDP share; -ENOPROTOOPT for the rest. */
int inet_common_getsockopt(struct socket *s, int level, int name, void *val, int *len)
{
	struct inet_sock *isk = s->sk;
	struct ip_pcb *pcb;
	int *iv = val, err = 0;

	*len = 4;
	net_stack_lock_take();
	pcb = ip_pcb_of(isk);
	if (level == SOL_SOCKET && name == SO_ERROR) {
		*iv = isk->err;
		__atomic_store_n(&isk->err, 0, __ATOMIC_RELAXED);
	} else if (level == SOL_SOCKET && name == SO_ACCEPTCONN) {
		*iv = isk->state == INET_LISTEN;
	} else if (level == IPPROTO_IP && isk->family == AF_INET && name == IP_TTL) {
		*iv = pcb ? pcb->ttl : IP_DEFAULT_TTL;
	} else if (level == IPPROTO_IP && isk->family == AF_INET && name == IP_TOS) {
		*iv = pcb ? pcb->tos : 0;
	} else if (level == IPPROTO_IPV6 && isk->family == AF_INET6 && name == IPV6_V6ONLY) {
		*iv = isk->v6only;
	} else {
		err = -ENOPROTOOPT;
	}
	net_stack_lock_drop();
	return err;
}

/* ---- the families ---- */

static int inet_create(struct socket *s, int type, int protocol)
{
	struct inet_sock *isk;
	int err;

	switch (type) {
	case SOCK_STREAM:
		if (protocol && protocol != IPPROTO_TCP)
			return -EPROTONOSUPPORT;
		s->ops = &inet_tcp_ops;
		break;
	case SOCK_DGRAM:
		if (protocol && protocol != IPPROTO_UDP)
			return -EPROTONOSUPPORT;
		s->ops = &inet_udp_ops;
		break;
	default:
		return -ESOCKTNOSUPPORT;
	}
	net_stack_lock_take();
	isk = inet_sock_new(s->family, type);
	if (!isk) {
		net_stack_lock_drop();
		return -ENOMEM;
	}
	isk->sock = s;
	isk->ino = s->ino;
	err = type == SOCK_STREAM ? inet_tcp_create(isk) : inet_udp_create(isk);
	if (err)
		inet_sock_free(isk);
	else
		s->sk = isk;
	net_stack_lock_drop();
	if (!s->protocol)
		s->protocol = type == SOCK_STREAM ? IPPROTO_TCP : IPPROTO_UDP;
	return err;
}

static const struct net_family inet_family = { .family = AF_INET, .create = inet_create };
static const struct net_family inet6_family = { .family = AF_INET6, .create = inet_create };

/* inet_init - see include/net.h. */
void inet_init(void)
{
	net_stack_init();
	net_family_register(&inet_family);
	net_family_register(&inet6_family);
}
