/*
 * AF_INET and AF_INET6 internals shared by net/inet.c (the family: creation, addresses,
 * options), net/inet_tcp.c and net/inet_tcp_data.c (SOCK_STREAM), net/inet_udp.c
 * (SOCK_DGRAM), net/inet_proc.c (/proc/net/{tcp,tcp6,udp,udp6}) and the port layer
 * net/lwip/port.c. The protocols are lwIP's (raw callback API); the socket
 * semantics are Linux's (ip(7), ipv6(7), tcp(7), udp(7), socket(7)).
 *
 * An inet_sock is a socket's state beside its lwIP control block (pcb). lwIP calls back into
 * it (data arrived, data acknowledged, a connection accepted, an error that freed the pcb)
 * with net_stack_lock held, through the pcb's arg; the socket detaches itself from the pcb
 * before it is freed. A connection that arrives on a listener gets an inet_sock at once (an
 * embryo on the listener's accept queue) and its socket at accept(2).
 *
 * Locks:
 *   [l] net_stack_lock (net/lwip/port.c, a mutex): lwIP and these fields.
 *   [r] written under [l], read without it by poll and by wait conditions (a snapshot:
 *       the writer wakes the wait queue after the change).
 *   [I] immutable after creation.
 * Nothing is held across a sleep or a copy to or from user memory: callers take [l], look,
 * and drop it to wait or copy.
 * Order: net_stack_lock -> wait-queue locks, kmalloc's locks.
 */
#ifndef SPROUT_NET_INET_H
#define SPROUT_NET_INET_H

#include "net.h"
#include "kernel.h"
#include "fs.h"
#include "list.h"
#include "mutex.h"
#include "sched.h"
#include "uapi/in.h"

#include "lwip/ip_addr.h"

struct pbuf;
struct tcp_pcb;
struct udp_pcb;

enum inet_state {
	INET_UNCONNECTED,	/* new, or bound */
	INET_LISTEN,
	INET_CONNECTING,	/* SYN sent */
	INET_CONNECTED,		/* UDP: a default peer */
	INET_CLOSED,		/* a connection that ended (reset, timed out): pcb gone */
};

struct inet_sock {
	struct socket *sock;		/* [l] NULL for an embryo, and after release */
	int family;			/* [I] AF_INET or AF_INET6 */
	int type;			/* [I] SOCK_STREAM or SOCK_DGRAM */
	u32 uid;			/* [I] owner, for /proc/net */
	u64 ino;			/* [l] socket:[ino]; 0 for an embryo */
	enum inet_state state;		/* [r] */
	union {
		struct tcp_pcb *tcp;
		struct udp_pcb *udp;
	} pcb;				/* [l] NULL once lwIP freed it */
	int err;			/* [r] pending SO_ERROR (positive errno), 0 if none */
	bool rcv_eof;			/* [r] the peer's FIN has arrived */
	bool rcv_shut, snd_shut;	/* [r] shutdown(2) */
	bool was_connected;		/* [l] reached ESTABLISHED once */
	bool connect_pending;		/* [l] a non-blocking connect not yet seen through by
					 * connect(2) again (Linux's SS_CONNECTING) */
	bool bound;			/* [l] has a local address and port */
	bool v6only;			/* [l] IPV6_V6ONLY */
	bool nodelay;			/* [l] TCP_NODELAY */
	bool released;			/* [l] the socket is closed */
	/* What was received and not yet read. TCP: one pbuf chain and the offset of its
	 * first unread byte; UDP: a list of struct inet_dgram. */
	struct pbuf *rxq;		/* [l] */
	u32 rx_off;			/* [l] */
	u32 rx_bytes;			/* [r] bytes (TCP) or datagram bytes (UDP) readable */
	struct list_head dgrams;	/* [l] */
	u32 nr_dgrams;			/* [r] */
	u32 snd_space;			/* [r] TCP: bytes lwIP would take now */
	u32 events;			/* [r] TCP: bumped by every sent or error callback */
	/* A listener's established connections, not yet accepted. */
	struct list_head accept_q;	/* [l] embryos by accept_link */
	struct list_head accept_link;	/* [l of the listener] */
	u32 nr_accept;			/* [r] */
	/* The addresses, kept here so that getsockname(2) works once the pcb is gone. */
	ip_addr_t local_ip, remote_ip;	/* [l] */
	u16 local_port, remote_port;	/* [l] host byte order */
	struct wait_queue wait;		/* any change of the [r] fields */
	struct list_head all_link;	/* [l] every inet socket */
};

/* A received datagram (UDP). */
struct inet_dgram {
	struct list_head link;		/* [l] */
	struct pbuf *p;			/* the payload */
	ip_addr_t from;
	u16 port;			/* host byte order */
};

/* inet_be16 - swap the bytes of a port (host <-> network order). */
static inline u16 inet_be16(u16 v)
{
	return (u16)(v << 8 | v >> 8);
}

/* net/lwip/port.c. net_stack_lock_take/drop - the lwIP lock (drop delivers what is queued
 * on the loopback first). May sleep. net_stack_init - start lwIP, its interfaces and its
 * thread; called once by inet_init(). */
void net_stack_lock_take(void);
void net_stack_lock_drop(void);
void net_stack_init(void);

/* net/inet.c. inet_sock_new - a zeroed inet_sock of @family/@type on the list of all (takes
 * [l]); NULL when out of memory. inet_sock_free - off the list and freed, with whatever it
 * still holds ([l] held). */
struct inet_sock *inet_sock_new(int family, int type);
void inet_sock_free(struct inet_sock *isk);
/* inet_addr_from_user - the address of bind/connect/sendto (@addr, @len bytes) as lwIP's
 * address and a host-order port for a socket of @isk's family: 0, -EINVAL, -EAFNOSUPPORT.
 * @unspec_ok: AF_UNSPEC is taken as "no address" (1 is returned). [l] not needed. */
int inet_addr_from_user(struct inet_sock *isk, const void *addr, int len, ip_addr_t *ip,
			u16 *port, bool unspec_ok);
/* inet_addr_to_user - @ip/@port as @isk's family's sockaddr into @out; its length. */
int inet_addr_to_user(struct inet_sock *isk, const ip_addr_t *ip, u16 port, void *out);
/* inet_err - Linux's errno (negative) for lwIP's err_t @e. */
int inet_err(int e);
/* inet_wake - wake whoever waits on @isk. */
void inet_wake(struct inet_sock *isk);
/* inet_bound_check - -EADDRINUSE when a listening TCP socket other than @self has
 * @port on an address overlapping @ip (Linux refuses the bind even with SO_REUSEADDR). [l] */
int inet_listen_conflict(struct tcp_pcb *self, const ip_addr_t *ip, u16 port);

/* The family's common operations (net/inet.c). */
int inet_getname(struct socket *s, void *addr, bool peer);
int inet_common_setsockopt(struct socket *s, int level, int name, const void *val, int len);
int inet_common_getsockopt(struct socket *s, int level, int name, void *val, int *len);

/* net/inet_tcp.c and net/inet_udp.c: the proto_ops and set-up of each type. */
extern const struct proto_ops inet_tcp_ops, inet_udp_ops;
int inet_tcp_create(struct inet_sock *isk);
int inet_udp_create(struct inet_sock *isk);

/* net/inet_tcp_data.c: TCP's sendmsg, recvmsg, poll and ioctl proto_ops (include/net.h;
 * send(2), recv(2), tcp(7)). inet_tcp_send_room - bytes lwIP would take on @pcb now, 0 when
 * its segment queue is full. [l] */
ssize_t inet_tcp_sendmsg(struct socket *s, struct sock_msg *m, size_t len);
ssize_t inet_tcp_recvmsg(struct socket *s, struct sock_msg *m, size_t len);
unsigned inet_tcp_poll(struct socket *s, struct poll_table *pt);
long inet_tcp_ioctl(struct socket *s, unsigned cmd, u64 arg);
u32 inet_tcp_send_room(struct tcp_pcb *pcb);

/* net/inet_proc.c. inet_tcp_proc_show / inet_udp_proc_show - /proc/net/{tcp,tcp6,udp,udp6}
 * of @family into @b. Take [l]; may sleep. */
void inet_tcp_proc_show(struct textbuf *b, int family);
void inet_udp_proc_show(struct textbuf *b, int family);

#endif
