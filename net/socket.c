/*
 * The socket layer: sockets as open file descriptions, the table of address
 * families, and the calls that create, name, connect and configure sockets
 * (socket(2), socketpair(2), bind(2), listen(2), accept(2)/accept4(2),
 * connect(2), shutdown(2), getsockname(2), getpeername(2), setsockopt(2),
 * getsockopt(2)). What every family shares is checked here, in the order
 * Linux checks it, so the errors are Linux's; the rest is the family's
 * (struct proto_ops, include/net.h). Data transfer is in net/sockmsg.c.
 *
 * Locks: net_family_lock (a leaf) guards the family table; socket->opt_lock
 * (a leaf) the SOL_SOCKET values kept here.
 */
#include "net.h"
#include "fs.h"
#include "kernel.h"
#include "kmalloc.h"
#include "sched.h"
#include "task.h"
#include "cpu.h"
#include "uapi/errno.h"
#include "uapi/ioctl.h"
#include "uapi/poll.h"
#include "uapi/signal.h"
#include "uapi/stat.h"

#define SOCK_BUF_DEFAULT	212992	/* net.core.wmem_default / rmem_default */
#define SOCK_BUF_MAX		212992	/* net.core.wmem_max / rmem_max */
#define SOCK_MIN_SNDBUF		4608	/* Linux's SOCK_MIN_SNDBUF */
#define SOCK_MIN_RCVBUF		2304	/* Linux's SOCK_MIN_RCVBUF */
#define NSEC_PER_SEC		1000000000ULL

static struct spinlock net_family_lock = SPINLOCK_INIT("net_family");
static const struct net_family *families[AF_MAX];	/* [net_family_lock] */

static const struct file_ops socket_file_ops;

void net_family_register(const struct net_family *fam)
{
	spin_lock(&net_family_lock);
	families[fam->family] = fam;
	spin_unlock(&net_family_lock);
}

static const struct net_family *family_find(int family)
{
	const struct net_family *fam = NULL;

	if (family < 0 || family >= AF_MAX)
		return NULL;
	spin_lock(&net_family_lock);
	fam = families[family];
	spin_unlock(&net_family_lock);
	return fam;
}

struct socket *sock_of_file(struct file *f)
{
	return f && f->ops == &socket_file_ops ? f->priv : NULL;
}

bool sock_nonblock(struct socket *s, int msg_flags)
{
	return (msg_flags & MSG_DONTWAIT) || (file_flags(s->file) & O_NONBLOCK);
}

u64 sock_deadline(struct socket *s, bool rcv)
{
	u64 t;

	spin_lock(&s->opt_lock);
	t = rcv ? s->rcvtimeo_ns : s->sndtimeo_ns;
	spin_unlock(&s->opt_lock);
	return t ? arch_clock_ns() + t : 0;
}

int sock_sigpipe(int msg_flags)
{
	if (!(msg_flags & MSG_NOSIGNAL) && current->proc)
		send_signal_process(current->proc, SIGPIPE);
	return -EPIPE;
}

/* ---- the open file description ---- */

static ssize_t sock_read(struct file *f, void __user *buf, size_t n, u64 *pos)
{
	struct socket *s = f->priv;
	struct linux_iovec iov = { .iov_base = (u64)buf, .iov_len = n };
	struct sock_msg *m;
	ssize_t r;

	if (!s->ops->recvmsg)
		return -EINVAL;
	m = kzalloc(sizeof(*m));
	if (!m)
		return -ENOMEM;
	m->iov = &iov;
	m->nr_iov = 1;
	m->namelen = -1;
	r = s->ops->recvmsg(s, m, n);
	kfree(m);
	return r;
}

static ssize_t sock_write(struct file *f, struct io_src src, size_t n, u64 *pos)
{
	struct socket *s = f->priv;
	struct linux_iovec iov = { .iov_base = (u64)src.base, .iov_len = n };
	struct sock_msg *m;
	ssize_t r;

	if (!s->ops->sendmsg)
		return -EINVAL;
	m = kzalloc(sizeof(*m));
	if (!m)
		return -ENOMEM;
	m->iov = &iov;
	m->nr_iov = 1;
	m->kernel = src.kernel;
	r = s->ops->sendmsg(s, m, n);
	kfree(m);
	return r;
}

static unsigned sock_poll(struct file *f, struct poll_table *pt)
{
	struct socket *s = f->priv;

	return s->ops->poll ? s->ops->poll(s, pt) : 0;
}

static long sock_ioctl(struct file *f, unsigned cmd, u64 arg)
{
	struct socket *s = f->priv;

	return s->ops->ioctl ? s->ops->ioctl(s, cmd, arg) : -ENOTTY;
}

static void sock_release(struct file *f)
{
	struct socket *s = f->priv;

	if (s->ops && s->ops->release)
		s->ops->release(s);
	kfree(s);
}

static const struct file_ops socket_file_ops = {
	.read = sock_read,
	.write = sock_write,
	.ioctl = sock_ioctl,
	.release = sock_release,
	.poll = sock_poll,
};

int sock_alloc_file(const struct net_family *fam, int family, int type, int protocol,
		    u32 flags, struct file **out)
{
	struct socket *s = kzalloc(sizeof(*s));
	struct inode *ino;
	struct file *f;
	int err;

	if (!s)
		return -ENOMEM;
	s->family = family;
	s->type = type;
	s->protocol = protocol;
	spin_init(&s->opt_lock, "sock_opt");
	s->sndbuf = s->rcvbuf = SOCK_BUF_DEFAULT;
	ino = inode_new_anon(S_IFSOCK | 0777);
	if (!ino) {
		kfree(s);
		return -ENOMEM;
	}
	s->ino = ino->ino;
	if (fam) {
		err = fam->create(s, type, protocol);
		if (err) {
			inode_put(ino);
			kfree(s);
			return err;
		}
	}
	f = file_alloc(ino, &socket_file_ops, O_RDWR | (flags & O_NONBLOCK), s);
	inode_put(ino);
	if (!f) {
		if (s->ops && s->ops->release)
			s->ops->release(s);
		kfree(s);
		return -ENOMEM;
	}
	s->file = f;
	*out = f;
	return 0;
}

/* The socket at @fd with its file referenced: -EBADF, -ENOTSOCK. */
static struct socket *sock_get(int fd, struct file **fp, int *err)
{
	struct file *f = fd_get(fd);

	*fp = f;
	*err = 0;
	if (!f) {
		*err = -EBADF;
		return NULL;
	}
	if (f->ops != &socket_file_ops) {
		file_put(f);
		*err = -ENOTSOCK;
		return NULL;
	}
	return f->priv;
}

/* Copy a user address of @len bytes in: -EINVAL for a bad length. */
static int addr_get(void *k, const void __user *u, int len)
{
	if (len < 0 || len > SOCKADDR_MAX)
		return -EINVAL;
	if (len && copy_from_user(k, u, (size_t)len))
		return -EFAULT;
	return 0;
}

/* sock_addr_put - see include/net.h. */
int sock_addr_put(const void *kaddr, int klen, void __user *uaddr, int __user *ulen)
{
	u32 len;

	if (!ulen)
		return 0;
	if (get_user_u32(&len, ulen))
		return -EFAULT;
	if ((int)len < 0)
		return -EINVAL;
	if (len > (u32)klen)
		len = (u32)klen;
	if (len && copy_to_user(uaddr, kaddr, len))
		return -EFAULT;
	return put_user_u32(ulen, (u32)klen) ? -EFAULT : 0;
}

/* ---- creating ---- */

/* Split socket(2)'s @type into the type and SOCK_NONBLOCK|SOCK_CLOEXEC;
 * other bits above the type are -EINVAL (Linux checks them first). */
static int type_split(int *type, u32 *flags)
{
	*flags = (u32)*type & ~(u32)SOCK_TYPE_MASK;
	if (*flags & ~(u32)(SOCK_NONBLOCK | SOCK_CLOEXEC))
		return -EINVAL;
	*type &= SOCK_TYPE_MASK;
	return 0;
}

#define SOCK_MAX	11	/* SOCK_PACKET + 1 */

/*
 * socket - socket(2): a new socket of @family and @type (with SOCK_NONBLOCK,
 * SOCK_CLOEXEC) for @protocol, as a descriptor. -EAFNOSUPPORT (no such
 * family here), -EINVAL (bad flags or type), -EPROTONOSUPPORT,
 * -ESOCKTNOSUPPORT, -EMFILE, -ENOMEM. May sleep.
 */
long sys_socket(int family, int type, int protocol)
{
	const struct net_family *fam;
	struct file *f;
	u32 flags;
	int err, fd;

	err = type_split(&type, &flags);
	if (err)
		return err;
	if (family < 0 || family >= AF_MAX)
		return -EAFNOSUPPORT;
	if (type >= SOCK_MAX)
		return -EINVAL;
	fam = family_find(family);
	if (!fam)
		return -EAFNOSUPPORT;
	err = sock_alloc_file(fam, family, type, protocol, flags, &f);
	if (err)
		return err;
	fd = fd_install(f, 0, flags & SOCK_CLOEXEC);
	if (fd < 0)
		file_put(f);
	return fd;
}

/*
 * socketpair - socketpair(2): two connected sockets in user @usv[2].
 * -EAFNOSUPPORT, -EOPNOTSUPP (the family has no pairs), -EFAULT, -EMFILE,
 * and socket()'s errors. Nothing is left open on failure. May sleep.
 */
long sys_socketpair(int family, int type, int protocol, int __user *usv)
{
	const struct net_family *fam;
	struct file *a = NULL, *b = NULL;
	int err, fds[2] = { -1, -1 };
	u32 flags;

	err = type_split(&type, &flags);
	if (err)
		return err;
	fam = family_find(family);
	if (!fam)
		return -EAFNOSUPPORT;
	if (type >= SOCK_MAX)
		return -EINVAL;
	err = sock_alloc_file(fam, family, type, protocol, flags, &a);
	if (err)
		return err;
	err = sock_alloc_file(fam, family, type, protocol, flags, &b);
	if (err)
		goto out;
	if (!((struct socket *)a->priv)->ops->socketpair) {
		err = -EOPNOTSUPP;
		goto out;
	}
	err = ((struct socket *)a->priv)->ops->socketpair(a->priv, b->priv);
	if (err)
		goto out;
	fds[0] = fd_install(a, 0, flags & SOCK_CLOEXEC);
	if (fds[0] < 0) {
		err = fds[0];
		goto out;
	}
	a = NULL;
	fds[1] = fd_install(b, 0, flags & SOCK_CLOEXEC);
	if (fds[1] < 0) {
		err = fds[1];
		goto out;
	}
	b = NULL;
	if (copy_to_user(usv, fds, sizeof(fds))) {
		err = -EFAULT;
		goto out;
	}
	return 0;
out:
	for (int i = 0; i < 2; i++)
		if (fds[i] >= 0)
			fd_close(fds[i]);
	if (a)
		file_put(a);
	if (b)
		file_put(b);
	return err;
}

/* ---- naming and connecting ---- */

/*
 * bind - bind(2): give the socket at @fd the address @uaddr (@len bytes).
 * -EBADF, -ENOTSOCK, -EINVAL, -EFAULT, and the family's errors
 * (-EADDRINUSE, ...). May sleep.
 */
long sys_bind(int fd, const void __user *uaddr, int len)
{
	u8 addr[SOCKADDR_MAX];
	struct socket *s;
	struct file *f;
	int err;

	s = sock_get(fd, &f, &err);
	if (!s)
		return err;
	err = addr_get(addr, uaddr, len);
	if (!err)
		err = s->ops->bind ? s->ops->bind(s, addr, len) : -EOPNOTSUPP;
	file_put(f);
	return err;
}

/*
 * connect - connect(2) the socket at @fd to @uaddr (@len bytes); waits for
 * room in a listener's backlog unless O_NONBLOCK. -EBADF, -ENOTSOCK,
 * -EINVAL, -EFAULT and the family's errors. May sleep.
 */
long sys_connect(int fd, const void __user *uaddr, int len)
{
	u8 addr[SOCKADDR_MAX];
	struct socket *s;
	struct file *f;
	int err;

	s = sock_get(fd, &f, &err);
	if (!s)
		return err;
	err = addr_get(addr, uaddr, len);
	if (!err)
		err = s->ops->connect ? s->ops->connect(s, addr, len,
							file_flags(f) & O_NONBLOCK)
				      : -EOPNOTSUPP;
	file_put(f);
	return err;
}

/*
 * listen - listen(2): accept connections on @fd, queueing at most @backlog
 * (capped at SOMAXCONN; a negative one means SOMAXCONN). -EBADF,
 * -ENOTSOCK, -EOPNOTSUPP, -EINVAL. May sleep.
 */
long sys_listen(int fd, int backlog)
{
	struct socket *s;
	struct file *f;
	int err;

	s = sock_get(fd, &f, &err);
	if (!s)
		return err;
	if ((unsigned)backlog > SOMAXCONN)
		backlog = SOMAXCONN;
	err = s->ops->listen ? s->ops->listen(s, backlog) : -EOPNOTSUPP;
	file_put(f);
	return err;
}

/*
 * accept4 - accept4(2): the next connection on listening socket @fd as a
 * new descriptor (flags SOCK_NONBLOCK, SOCK_CLOEXEC); the peer's address
 * into @uaddr/@ulen when given. -EBADF, -ENOTSOCK, -EINVAL (not listening,
 * bad flags), -EOPNOTSUPP, -EAGAIN, -EFAULT, -EMFILE, -ERESTARTSYS. May
 * sleep.
 */
long sys_accept4(int fd, void __user *uaddr, int __user *ulen, int flags)
{
	struct socket *s, *ns;
	struct file *f, *nf;
	u8 addr[SOCKADDR_MAX];
	int err, alen, nfd;

	if (flags & ~(SOCK_NONBLOCK | SOCK_CLOEXEC))
		return -EINVAL;
	s = sock_get(fd, &f, &err);
	if (!s)
		return err;
	if (!s->ops->accept) {
		err = -EOPNOTSUPP;
		goto out;
	}
	err = sock_alloc_file(NULL, s->family, s->type, s->protocol, (u32)flags, &nf);
	if (err)
		goto out;
	ns = nf->priv;
	ns->ops = s->ops;
	err = s->ops->accept(s, ns, file_flags(f) & O_NONBLOCK);
	if (err) {
		ns->ops = NULL;	/* nothing of the family's to release yet */
		file_put(nf);
		goto out;
	}
	if (uaddr) {
		alen = s->ops->getname(ns, addr, true);
		err = alen < 0 ? alen : sock_addr_put(addr, alen, uaddr, ulen);
		if (err) {
			file_put(nf);
			goto out;
		}
	}
	nfd = fd_install(nf, 0, flags & SOCK_CLOEXEC);
	if (nfd < 0)
		file_put(nf);
	err = nfd;
out:
	file_put(f);
	return err;
}

/* accept - accept(2): accept4() without flags. */
long sys_accept(int fd, void __user *uaddr, int __user *ulen)
{
	return sys_accept4(fd, uaddr, ulen, 0);
}

/*
 * shutdown - shutdown(2) the reading (SHUT_RD), writing (SHUT_WR) or both
 * (SHUT_RDWR) sides of the connection at @fd. -EBADF, -ENOTSOCK, -EINVAL,
 * -ENOTCONN. May sleep.
 */
long sys_shutdown(int fd, int how)
{
	struct socket *s;
	struct file *f;
	int err;

	s = sock_get(fd, &f, &err);
	if (!s)
		return err;
	if (how < SHUT_RD || how > SHUT_RDWR)
		err = -EINVAL;
	else
		err = s->ops->shutdown ? s->ops->shutdown(s, how) : -EOPNOTSUPP;
	file_put(f);
	return err;
}

static long getname(int fd, void __user *uaddr, int __user *ulen, bool peer)
{
	u8 addr[SOCKADDR_MAX];
	struct socket *s;
	struct file *f;
	int err, len;
	u32 room;

	s = sock_get(fd, &f, &err);
	if (!s)
		return err;
	if (get_user_u32(&room, ulen)) {
		err = -EFAULT;
		goto out;
	}
	if ((int)room < 0) {
		err = -EINVAL;
		goto out;
	}
	len = s->ops->getname ? s->ops->getname(s, addr, peer) : -EOPNOTSUPP;
	err = len < 0 ? len : sock_addr_put(addr, len, uaddr, ulen);
out:
	file_put(f);
	return err;
}

/*
 * getsockname - getsockname(2): the address @fd is bound to (an unbound
 * socket: just its family). getpeername - getpeername(2): its peer's,
 * -ENOTCONN without one. -EBADF, -ENOTSOCK, -EFAULT, -EINVAL. May sleep.
 */
long sys_getsockname(int fd, void __user *uaddr, int __user *ulen)
{
	return getname(fd, uaddr, ulen, false);
}

long sys_getpeername(int fd, void __user *uaddr, int __user *ulen)
{
	return getname(fd, uaddr, ulen, true);
}

/* ---- options ---- */

/* A struct timeval (SO_RCVTIMEO/SO_SNDTIMEO) as nanoseconds; -EDOM past range. */
static int timeval_ns(const void *val, int len, u64 *ns)
{
	const s64 *tv = val;

	if (len < 16)
		return -EINVAL;
	if (tv[1] < 0 || tv[1] >= 1000000)
		return -EDOM;
	if (tv[0] < 0) {
		*ns = 0;	/* Linux: a negative timeout means "none" */
		return 0;
	}
	if (!tv[0] && !tv[1]) {
		*ns = 0;
		return 0;
	}
	*ns = (u64)tv[0] * NSEC_PER_SEC + (u64)tv[1] * 1000;
	return 0;
}

static int sol_socket_set(struct socket *s, int name, const void *val, int len)
{
	int v = len >= 4 ? *(const int *)val : 0;
	u64 ns;
	int err;

	switch (name) {
	case SO_REUSEADDR: case SO_KEEPALIVE: case SO_SNDBUF: case SO_RCVBUF:
	case SO_SNDBUFFORCE: case SO_RCVBUFFORCE: case SO_REUSEPORT: case SO_BROADCAST:
	case SO_DEBUG: case SO_DONTROUTE: case SO_OOBINLINE: case SO_RCVLOWAT:
		if (len < 4)
			return -EINVAL;
		break;
	}
	spin_lock(&s->opt_lock);
	err = 0;
	switch (name) {
	case SO_REUSEADDR:
		s->reuseaddr = v != 0;
		break;
	case SO_KEEPALIVE:
		s->keepalive = v != 0;
		break;
	case SO_SNDBUF:
	case SO_SNDBUFFORCE:
		/* socket(7): the kernel doubles the value; bounded by wmem_max. */
		v = MIN((u32)v, (u32)SOCK_BUF_MAX);
		s->sndbuf = MAX(v * 2, SOCK_MIN_SNDBUF);
		break;
	case SO_RCVBUF:
	case SO_RCVBUFFORCE:
		v = MIN((u32)v, (u32)SOCK_BUF_MAX);
		s->rcvbuf = MAX(v * 2, SOCK_MIN_RCVBUF);
		break;
	case SO_LINGER:
		if (len < (int)sizeof(struct linux_linger))
			err = -EINVAL;
		else
			s->linger = *(const struct linux_linger *)val;
		break;
	case SO_RCVTIMEO:
	case SO_SNDTIMEO:
		err = timeval_ns(val, len, &ns);
		if (!err && name == SO_RCVTIMEO)
			s->rcvtimeo_ns = ns;
		else if (!err)
			s->sndtimeo_ns = ns;
		break;
	case SO_REUSEPORT: case SO_BROADCAST: case SO_DEBUG: case SO_DONTROUTE:
	case SO_OOBINLINE: case SO_RCVLOWAT:
		/* Accepted and without effect on local sockets, as on Linux. */
		break;
	default:
		err = -ENOPROTOOPT;
	}
	spin_unlock(&s->opt_lock);
	return err;
}

static int sol_socket_get(struct socket *s, int name, void *val, int *len)
{
	int *iv = val;
	s64 *tv = val;
	u64 ns;

	*len = 4;
	spin_lock(&s->opt_lock);
	switch (name) {
	case SO_REUSEADDR: *iv = s->reuseaddr; break;
	case SO_KEEPALIVE: *iv = s->keepalive; break;
	case SO_SNDBUF: *iv = s->sndbuf; break;
	case SO_RCVBUF: *iv = s->rcvbuf; break;
	case SO_TYPE: *iv = s->type; break;
	case SO_DOMAIN: *iv = s->family; break;
	case SO_PROTOCOL: *iv = s->protocol; break;
	case SO_LINGER:
		*(struct linux_linger *)val = s->linger;
		*len = sizeof(struct linux_linger);
		break;
	case SO_RCVTIMEO:
	case SO_SNDTIMEO:
		ns = name == SO_RCVTIMEO ? s->rcvtimeo_ns : s->sndtimeo_ns;
		tv[0] = (s64)(ns / NSEC_PER_SEC);
		tv[1] = (s64)(ns % NSEC_PER_SEC / 1000);
		*len = 16;
		break;
	case SO_REUSEPORT: case SO_BROADCAST: case SO_DEBUG: case SO_DONTROUTE:
	case SO_OOBINLINE:
		*iv = 0;
		break;
	case SO_RCVLOWAT: *iv = 1; break;
	default:
		spin_unlock(&s->opt_lock);
		return -ENOPROTOOPT;
	}
	spin_unlock(&s->opt_lock);
	return 0;
}

#define SOCKOPT_MAX	64	/* bytes of the largest option value */

/*
 * setsockopt - setsockopt(2): set option @name at @level of the socket at
 * @fd from user @uval (@len bytes). -EBADF, -ENOTSOCK, -EFAULT, -EINVAL,
 * -ENOPROTOOPT, -EDOM. May sleep.
 */
long sys_setsockopt(int fd, int level, int name, const void __user *uval, int len)
{
	u8 val[SOCKOPT_MAX] = { 0 };
	struct socket *s;
	struct file *f;
	int err;

	s = sock_get(fd, &f, &err);
	if (!s)
		return err;
	if (len < 0) {
		err = -EINVAL;
		goto out;
	}
	if (copy_from_user(val, uval, MIN((size_t)len, sizeof(val)))) {
		err = -EFAULT;
		goto out;
	}
	err = -ENOPROTOOPT;
	if (s->ops->setsockopt)
		err = s->ops->setsockopt(s, level, name, val, MIN(len, SOCKOPT_MAX));
	if (err == -ENOPROTOOPT && level == SOL_SOCKET)
		err = sol_socket_set(s, name, val, MIN(len, SOCKOPT_MAX));
out:
	file_put(f);
	return err;
}

/*
 * getsockopt - getsockopt(2): option @name at @level of the socket at @fd
 * into user @uval, whose size is the int at @ulen (value-result; the value
 * is truncated to it). -EBADF, -ENOTSOCK, -EFAULT, -EINVAL, -ENOPROTOOPT.
 * May sleep.
 */
long sys_getsockopt(int fd, int level, int name, void __user *uval, int __user *ulen)
{
	u8 val[SOCKOPT_MAX] = { 0 };
	struct socket *s;
	struct file *f;
	int err, len = 0;
	u32 room;

	s = sock_get(fd, &f, &err);
	if (!s)
		return err;
	if (get_user_u32(&room, ulen)) {
		err = -EFAULT;
		goto out;
	}
	if ((int)room < 0) {
		err = -EINVAL;
		goto out;
	}
	err = -ENOPROTOOPT;
	if (s->ops->getsockopt)
		err = s->ops->getsockopt(s, level, name, val, &len);
	if (err == -ENOPROTOOPT && level == SOL_SOCKET)
		err = sol_socket_get(s, name, val, &len);
	if (err)
		goto out;
	len = MIN((u32)len, room);
	if (copy_to_user(uval, val, (size_t)len) || put_user_u32(ulen, (u32)len))
		err = -EFAULT;
out:
	file_put(f);
	return err;
}

/* net_init - see include/net.h. */
void net_init(void)
{
	unix_init();
	inet_init();
}
