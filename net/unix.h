/*
 * AF_UNIX internals shared by net/af_unix.c (sockets, names, connections),
 * net/unix_msg.c (queues, send and receive, SCM_RIGHTS/SCM_CREDENTIALS)
 * and net/unix_gc.c (collecting descriptors in flight that nobody can
 * receive). Semantics: unix(7).
 *
 * A struct unix_sock outlives its socket: peers and queued messages hold
 * references, and the server side of a connection exists (in the
 * listener's accept queue) before accept(2) gives it a socket.
 *
 * Locks:
 *   [u] unix_sock->lock (spinlock): state, peer, queues, counters. Two are
 *       held together only by connect, in address order (spin_lock_nested).
 *   [t] unix_table_lock (spinlock, net/af_unix.c): bound names, the list of
 *       every socket (/proc/net/unix)
 *   [g] unix_gc_lock (spinlock, net/unix_gc.c): in-flight counts
 *   iolock (mutex): serialises receivers of one socket, never held across a
 *       sleep; a message at the queue's head stays there while it is held.
 *   [a] atomic; [I] immutable after creation
 * Order: iolock -> unix_gc_lock -> [u] -> [u] (nested) -> unix_table_lock ->
 *        wait-queue lock.
 */
#ifndef SPROUT_NET_UNIX_H
#define SPROUT_NET_UNIX_H

#include "net.h"
#include "fs.h"
#include "list.h"
#include "mutex.h"
#include "sched.h"

#define UNIX_RCV_SHUTDOWN	1
#define UNIX_SEND_SHUTDOWN	2
#define UNIX_SHUTDOWN_MASK	3
#define UNIX_MAX_DGRAM_QLEN	10	/* net.unix.max_dgram_qlen */
#define UNIX_MAX_RECURSION	4	/* sockets inside sockets inside ... (Linux's limit) */

enum unix_state { UNIX_UNCONNECTED, UNIX_LISTEN, UNIX_CONNECTED };

/* A bound name: abstract (data[2] == 0) or a path with its socket inode. */
struct unix_addr {
	u32 refcount;			/* [a] */
	int len;			/* [I] bytes of data, family included */
	struct inode *inode;		/* [I] counted; NULL for abstract names */
	u8 data[sizeof(struct linux_sockaddr_un) + 1];	/* [I] sockaddr_un, NUL-padded */
};

struct unix_sock {
	u32 refcount;			/* [a] */
	int type;			/* [I] SOCK_STREAM, SOCK_DGRAM, SOCK_SEQPACKET */
	u64 ino;			/* [u] inode number of its socket (0 before accept) */
	struct spinlock lock;
	struct socket *sock;		/* [u] NULL before accept and after release */
	enum unix_state state;		/* [u] */
	bool dead;			/* [u] released */
	bool passcred;			/* [u] SO_PASSCRED */
	int shutdown;			/* [u] UNIX_*_SHUTDOWN */
	int err;			/* [u] pending SO_ERROR */
	struct unix_sock *peer;		/* [u] counted */
	struct unix_addr *addr;		/* [t] counted; set once by bind or autobind */
	struct linux_ucred peercred;	/* [u] SO_PEERCRED */
	bool has_peercred;		/* [u] */
	struct list_head queue;		/* [u] struct unix_skb, oldest first */
	u32 qlen;			/* [u] messages queued */
	u64 qbytes;			/* [u] bytes queued, not yet read */
	u64 wmem;			/* [a] bytes this socket has queued at peers, with
					 * each message's overhead (Linux's truesize) */
	struct list_head accept_q;	/* [u] of a listener: embryos by accept_link */
	struct list_head accept_link;	/* [u of the listener] */
	u32 backlog, nr_pending;	/* [u] */
	struct wait_queue wait;		/* any change: data, room, state, connections */
	struct mutex iolock;
	struct list_head all_link;	/* [t] every unix socket */
	struct list_head bound_link;	/* [t] bound sockets */
	u32 recursion_level;		/* [u] 1 + the deepest socket queued here, 0 if none */
	u32 inflight;			/* [g] times its file sits in a queued message */
	u32 gc_refs;			/* [g] collection scratch */
	struct list_head gc_link;	/* [g] in-flight sockets */
	bool gc_candidate, gc_reachable;	/* [g] */
};

/* A queued message (datagram, or a piece of a stream). */
struct unix_skb {
	struct list_head link;		/* [u of the receiver] */
	struct unix_sock *from;		/* counted; charged @len bytes of wmem */
	struct unix_addr *addr;		/* the sender's name, counted, or NULL */
	struct linux_ucred cred;	/* who sent it (SCM_CREDENTIALS) */
	u32 nfds;			/* SCM_RIGHTS: counted files in flight */
	struct file **fds;
	u32 len, off;			/* bytes, and bytes already read (streams) */
	u32 charge;			/* bytes charged to from->wmem: data and overhead */
	char data[];
};

/* Control data of one sendmsg, parsed. */
struct unix_scm {
	u32 nfds;
	struct file *fds[SCM_MAX_FD];
	struct linux_ucred cred;
	u32 level;			/* 1 + the deepest recursion_level of the sockets */
};

/* net/af_unix.c: references (the last put frees), the caller's credentials
 * as SO_PEERCRED reports them, a socket's SO_SNDBUF. Sleep: no. */
void unix_sock_get(struct unix_sock *u);
void unix_sock_put(struct unix_sock *u);
void unix_current_cred(struct linux_ucred *c);
u64 unix_sndbuf(struct unix_sock *u);

/* net/unix_name.c. unix_table_add/del - enter or leave the table of all
 * sockets (and of bound ones). unix_addr_get - a counted reference to @u's
 * name or NULL; unix_addr_put - drop one. Take [t]; sleep: no. */
void unix_table_add(struct unix_sock *u);
void unix_table_del(struct unix_sock *u);
struct unix_addr *unix_addr_get(struct unix_sock *u);
void unix_addr_put(struct unix_addr *a);
/* unix_find - the socket bound to address @addr (@len bytes) with @type,
 * counted: -EINVAL, -ENOENT, -ECONNREFUSED, -EACCES, -EPROTOTYPE. May sleep. */
int unix_find(const void *addr, int len, int type, struct unix_sock **out);
/* unix_autobind - give @u an abstract name if it has none: 0, -ENOMEM. */
int unix_autobind(struct unix_sock *u);
/* unix_bind, unix_getname - the proto_ops of bind(2) and getsockname(2) /
 * getpeername(2) (include/net.h). May sleep. */
int unix_bind(struct socket *s, const void *addr, int len);
int unix_getname(struct socket *s, void *addr, bool peer);

/* net/unix_msg.c: the sendmsg/recvmsg proto_ops (include/net.h) of streams
 * and of datagram and seqpacket sockets. Bytes moved or -errno. May sleep. */
ssize_t unix_stream_sendmsg(struct socket *s, struct sock_msg *m, size_t len);
ssize_t unix_stream_recvmsg(struct socket *s, struct sock_msg *m, size_t len);
ssize_t unix_dgram_sendmsg(struct socket *s, struct sock_msg *m, size_t len);
ssize_t unix_dgram_recvmsg(struct socket *s, struct sock_msg *m, size_t len);
/* unix_skb_free - drop a message: its files, its sender's charge. */
void unix_skb_free(struct unix_skb *skb);
/* unix_purge - free every message of list @q (taken off a socket). */
void unix_purge(struct list_head *q);

/* net/unix_gc.c */
void unix_inflight(struct file *f, int delta);
/* unix_of_file - the AF_UNIX socket behind @f, or NULL. */
struct unix_sock *unix_of_file(struct file *f);
void unix_gc(void);
bool unix_gc_pending(void);

#endif
