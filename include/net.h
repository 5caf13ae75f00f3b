/*
 * The socket layer as its families see it (net/). A socket is an open file
 * description whose private data is a struct socket; the calls of socket(2)
 * and friends find it through the descriptor, check what is common to every
 * family (arguments, user memory, SOL_SOCKET options) and hand the rest to
 * the family's struct proto_ops. A family registers itself once with
 * net_family_register(); AF_UNIX is one (net/af_unix*.c), and AF_INET and
 * AF_INET6 join the same way over the TCP/IP stack's port layer.
 *
 * Locks:
 *   [I] immutable after creation
 *   [o] socket->opt_lock (spinlock): the SOL_SOCKET option values
 *   [F] the family's own locks (documented in the family's files)
 *   net_family_lock (net/socket.c, spinlock): the family table, a leaf.
 */
#ifndef SPROUT_NET_H
#define SPROUT_NET_H

#include "types.h"
#include "spinlock.h"
#include "uaccess.h"
#include "uapi/fcntl.h"
#include "uapi/socket.h"

struct file;
struct poll_table;
struct socket;

/*
 * A message in the kernel: the user's iovec (copied in, addresses still
 * user ones, or kernel ones when @kernel), a cursor into it, the address
 * (kernel copy) and the control data (kernel buffer). The socket layer
 * fills it from a struct msghdr and copies the results back.
 */
struct sock_msg {
	const struct linux_iovec *iov;	/* segments */
	u32 nr_iov;
	u32 idx;			/* cursor: segment and offset in it */
	u64 off;
	bool kernel;			/* iov bases are kernel addresses */
	/* Address: in for sendmsg (@namelen bytes, 0 = none), out for recvmsg
	 * (the family stores it and its length; @namelen -1 = not wanted). */
	u8 name[SOCKADDR_MAX];
	int namelen;
	/* Control data: in for sendmsg, out for recvmsg (at most @ctl_cap
	 * bytes are produced; @ctl_len says how many). */
	u8 *ctl;
	size_t ctl_len, ctl_cap;
	int out_flags;			/* recvmsg: MSG_TRUNC, MSG_CTRUNC, MSG_EOR */
	int in_flags;			/* the call's MSG_* flags */
};

/*
 * msg_copy_from - take the next @n bytes of @m's data into kernel @dst,
 * advancing the cursor. msg_copy_to - store @n bytes of @src at the cursor.
 * msg_skip - advance the cursor by @n bytes. 0 or -EFAULT. May sleep.
 */
int msg_copy_from(struct sock_msg *m, void *dst, size_t n);
int msg_copy_to(struct sock_msg *m, const void *src, size_t n);
void msg_skip(struct sock_msg *m, size_t n);

/*
 * msg_put_cmsg - append a control message (@level, @type, @len bytes of
 * @data) to @m's output control buffer. Returns the payload bytes stored
 * (less than @len, with MSG_CTRUNC set, when it does not fit). Sleeps: no.
 */
size_t msg_put_cmsg(struct sock_msg *m, int level, int type, const void *data, size_t len);

/* What a family does; every operation gets the socket the descriptor names.
 * Unset operations answer with the error socket(7) gives for them. Every
 * operation may sleep unless it says otherwise. */
struct proto_ops {
	/* bind/connect: @addr is a kernel copy of @len bytes. connect's
	 * @nonblock comes from O_NONBLOCK. */
	int (*bind)(struct socket *s, const void *addr, int len);
	int (*connect)(struct socket *s, const void *addr, int len, bool nonblock);
	int (*listen)(struct socket *s, int backlog);
	/* accept: take the next connection into @newsock, a fresh socket
	 * whose ops are already this family's; the family sets its sk. */
	int (*accept)(struct socket *s, struct socket *newsock, bool nonblock);
	/* socketpair: connect two fresh sockets @a and @b to each other. */
	int (*socketpair)(struct socket *a, struct socket *b);
	/* sendmsg/recvmsg: @len bytes at most; bytes moved or -errno. */
	ssize_t (*sendmsg)(struct socket *s, struct sock_msg *m, size_t len);
	ssize_t (*recvmsg)(struct socket *s, struct sock_msg *m, size_t len);
	int (*shutdown)(struct socket *s, int how);
	/* getname: own (@peer false) or peer address into @addr
	 * (SOCKADDR_MAX bytes); its length or -errno. */
	int (*getname)(struct socket *s, void *addr, bool peer);
	/* Options the family owns (its levels, and SOL_SOCKET names the
	 * generic layer does not keep: SO_PEERCRED, SO_ERROR,
	 * SO_ACCEPTCONN, SO_PASSCRED). Kernel buffers; -ENOPROTOOPT when
	 * unknown. getsockopt sets *@len to the bytes stored. */
	int (*setsockopt)(struct socket *s, int level, int name, const void *val, int len);
	int (*getsockopt)(struct socket *s, int level, int name, void *val, int *len);
	/* poll: the POLL* mask now; registers wait queues with poll_wait().
	 * Must not sleep. */
	unsigned (*poll)(struct socket *s, struct poll_table *pt);
	/* ioctl: FIONREAD and the like; -ENOTTY when unknown. */
	long (*ioctl)(struct socket *s, unsigned cmd, u64 arg);
	/* release: the last descriptor is gone; free the family's state. */
	void (*release)(struct socket *s);
};

struct socket {
	int family;			/* [I] AF_* */
	int type;			/* [I] SOCK_* without the flags */
	int protocol;			/* [I] */
	const struct proto_ops *ops;	/* [I] set by the family's create */
	struct file *file;		/* [I] the open file description (not counted) */
	u64 ino;			/* [I] socket:[ino] in /proc/PID/fd */
	void *sk;			/* [I] the family's state */

	struct spinlock opt_lock;
	bool reuseaddr, keepalive;	/* [o] */
	int sndbuf, rcvbuf;		/* [o] bytes, as getsockopt reports them */
	struct linux_linger linger;	/* [o] */
	u64 rcvtimeo_ns, sndtimeo_ns;	/* [o] 0 = wait forever */
};

/* A family: create sets up @s (ops, sk) for @type and @protocol, or
 * returns -EPROTONOSUPPORT / -ESOCKTNOSUPPORT / -ENOMEM. */
struct net_family {
	int family;
	int (*create)(struct socket *s, int type, int protocol);
};

/*
 * net_family_register - make @fam's sockets creatable; @fam must live for
 * ever. Called at start-up. Locks: net_family_lock. Sleeps: no.
 */
void net_family_register(const struct net_family *fam);

/*
 * sock_alloc_file - a new socket of @family/@type/@protocol with its open
 * file description (O_RDWR plus @flags' O_NONBLOCK); the family's create
 * is called unless @fam is NULL (accept: the caller fills the socket).
 * 0 and the file in *@out, or -ENOMEM and the family's errors. May sleep.
 */
int sock_alloc_file(const struct net_family *fam, int family, int type, int protocol,
		    u32 flags, struct file **out);

/* sock_of_file - the socket behind @f, or NULL when @f is not a socket. */
struct socket *sock_of_file(struct file *f);

/* sock_nonblock - does the call on @s not wait (O_NONBLOCK or MSG_DONTWAIT
 * in @msg_flags)? */
bool sock_nonblock(struct socket *s, int msg_flags);

/* sock_deadline - the monotonic deadline (ns) of a wait bounded by
 * SO_RCVTIMEO (@rcv) or SO_SNDTIMEO, 0 for none. */
u64 sock_deadline(struct socket *s, bool rcv);

/* sock_sigpipe - raise SIGPIPE for a write on a broken connection unless
 * @msg_flags has MSG_NOSIGNAL; returns -EPIPE. socket(7). */
int sock_sigpipe(int msg_flags);

/*
 * sock_addr_put - store an address of @klen bytes at user @uaddr whose room
 * is the int at user @ulen, truncating, and the full length back in
 * *@ulen (accept(2)'s value-result). 0, -EFAULT, -EINVAL. May sleep.
 */
int sock_addr_put(const void *kaddr, int klen, void __user *uaddr, int __user *ulen);

/*
 * unix_proc_show - the text of /proc/net/unix (Linux's columns) into @buf
 * (@size bytes); returns its length. Takes unix_table_lock and socket
 * locks. Sleeps: no. (net/af_unix.c)
 */
size_t unix_proc_show(char *buf, size_t size);

/*
 * inet_proc_show - the text of /proc/net/tcp (@family AF_INET, @type SOCK_STREAM), tcp6,
 * udp or udp6 (Linux's columns, proc(5)) into @buf of @size bytes; returns its length. Takes
 * the TCP/IP stack's lock; may sleep. (net/inet.c)
 */
size_t inet_proc_show(char *buf, size_t size, int family, int type);

/*
 * net_lo_drop_every / net_lo_set_drop_every - the lossy loopback (Sprout's own, for testing
 * retransmission): every Nth packet sent on lo is dropped, 0 = none. The setter takes
 * 0..1000000 (else -EINVAL). /proc/sys/net/sprout_lo_drop_every. Sleeps: no.
 * (net/lwip/port.c)
 */
long net_lo_drop_every(void);
int net_lo_set_drop_every(long n);

/*
 * net_tcp_msl_ms / net_set_tcp_msl_ms - TCP's maximum segment lifetime in milliseconds
 * (Sprout's own knob, as BSD's net.inet.tcp.msl): a connection closed first on this side
 * stays in TIME_WAIT for twice this. Default 30000 (Linux's fixed 60 s TIME_WAIT); the setter
 * takes 1..600000 (else -EINVAL) and applies to every connection from the next timer tick.
 * /proc/sys/net/sprout_tcp_msl_ms. Sleeps: no. (net/lwip/port.c)
 */
long net_tcp_msl_ms(void);
int net_set_tcp_msl_ms(long ms);

/* net_init - register the families built in (AF_UNIX, AF_INET, AF_INET6). Called once at
 * boot, after fs_init(). unix_init - AF_UNIX's registration (net/af_unix.c). inet_init -
 * start the TCP/IP stack (lwIP, its interfaces and thread) and register AF_INET and
 * AF_INET6 (net/inet.c). */
void net_init(void);
void unix_init(void);
void inet_init(void);

#endif
