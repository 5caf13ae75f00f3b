/*
 * Data transfer on sockets: sendto(2), recvfrom(2), sendmsg(2), recvmsg(2),
 * sendmmsg(2) and recvmmsg(2). A call's struct msghdr is copied in once as a
 * struct sock_msg (include/net.h): the iovec, the address and the control
 * data in kernel memory, with a cursor the family advances as it moves
 * bytes; on the way out the address, the control data, their lengths and
 * msg_flags go back to the user's msghdr. read(2)/write(2) on a socket are
 * recvmsg/sendmsg without address or control data (net/socket.c).
 *
 * Locks: none of its own; the sock_msg belongs to the calling task.
 */
#include "net.h"
#include "fs.h"
#include "kernel.h"
#include "kmalloc.h"
#include "sched.h"
#include "task.h"
#include "cpu.h"
#include "uapi/errno.h"
#include "uapi/stat.h"

#define UIO_MAXIOV	1024		/* segments in one call */
#define OPTMEM_MAX	20480		/* net.core.optmem_max: control bytes sent */
#define CTL_RECV_MAX	(64 * 1024)	/* control bytes produced at most */
#define MAX_RW_COUNT	0x7ffff000UL

int msg_copy_from(struct sock_msg *m, void *dst, size_t n)
{
	char *d = dst;

	while (n && m->idx < m->nr_iov) {
		const struct linux_iovec *v = &m->iov[m->idx];
		size_t take = MIN(n, v->iov_len - m->off);

		if (take) {
			const void *src = (const char *)v->iov_base + m->off;

			if (m->kernel)
				memcpy(d, src, take);
			else if (copy_from_user(d, (const void __user *)src, take))
				return -EFAULT;
		}
		d += take;
		n -= take;
		m->off += take;
		if (m->off == v->iov_len) {
			m->idx++;
			m->off = 0;
		}
	}
	return 0;
}

int msg_copy_to(struct sock_msg *m, const void *src, size_t n)
{
	const char *s = src;

	while (n && m->idx < m->nr_iov) {
		const struct linux_iovec *v = &m->iov[m->idx];
		size_t take = MIN(n, v->iov_len - m->off);

		if (take && copy_to_user((void __user *)(v->iov_base + m->off), s, take))
			return -EFAULT;
		s += take;
		n -= take;
		m->off += take;
		if (m->off == v->iov_len) {
			m->idx++;
			m->off = 0;
		}
	}
	return 0;
}

void msg_skip(struct sock_msg *m, size_t n)
{
	while (n && m->idx < m->nr_iov) {
		const struct linux_iovec *v = &m->iov[m->idx];
		size_t take = MIN(n, v->iov_len - m->off);

		n -= take;
		m->off += take;
		if (m->off == v->iov_len) {
			m->idx++;
			m->off = 0;
		}
	}
}

size_t msg_put_cmsg(struct sock_msg *m, int level, int type, const void *data, size_t len)
{
	struct linux_cmsghdr h;
	size_t room, take;

	if (!m->ctl || m->ctl_cap - m->ctl_len < CMSG_HDR_K) {
		m->out_flags |= MSG_CTRUNC;
		return 0;
	}
	room = m->ctl_cap - m->ctl_len - CMSG_HDR_K;
	take = MIN(len, room);
	if (take < len)
		m->out_flags |= MSG_CTRUNC;
	h.cmsg_len = CMSG_LEN_K(take);
	h.cmsg_level = level;
	h.cmsg_type = type;
	memcpy(m->ctl + m->ctl_len, &h, sizeof(h));
	memcpy(m->ctl + m->ctl_len + CMSG_HDR_K, data, take);
	m->ctl_len = MIN(m->ctl_len + CMSG_SPACE_K(take), m->ctl_cap);
	return take;
}

/* The socket at @fd, referenced through *@fp: -EBADF, -ENOTSOCK. */
static struct socket *msg_sock(int fd, struct file **fp, int *err)
{
	struct file *f = fd_get(fd);
	struct socket *s = sock_of_file(f);

	*fp = f;
	*err = !f ? -EBADF : -ENOTSOCK;
	if (f && !s)
		file_put(f);
	return s;
}

/*
 * Copy in a user msghdr's iovec (checking it), address and, for @send,
 * control data. On success *@total is the byte count and @m is ready;
 * msg_release() frees what it holds.
 */
static int msg_import(struct sock_msg *m, const struct linux_msghdr *h, bool send, size_t *total)
{
	struct linux_iovec *iov;
	u64 sum = 0;

	if (h->msg_iovlen > UIO_MAXIOV)
		return -EMSGSIZE;
	iov = kmalloc(MAX(h->msg_iovlen, 1UL) * sizeof(*iov));
	if (!iov)
		return -ENOMEM;
	m->iov = iov;
	m->nr_iov = (u32)h->msg_iovlen;
	if (copy_from_user(iov, (const void __user *)h->msg_iov, h->msg_iovlen * sizeof(*iov)))
		return -EFAULT;
	for (u32 i = 0; i < m->nr_iov; i++) {
		if (iov[i].iov_len > (u64)INT64_MAX - sum)
			return -EINVAL;
		sum += iov[i].iov_len;
		if (iov[i].iov_len && !uaccess_ok(iov[i].iov_base, iov[i].iov_len))
			return -EFAULT;
	}
	*total = MIN(sum, MAX_RW_COUNT);
	if (send) {
		if ((int)h->msg_namelen < 0)
			return -EINVAL;
		if (h->msg_name && h->msg_namelen) {
			/* Linux clamps a long name to sockaddr_storage rather than refuse it. */
			u32 n = MIN(h->msg_namelen, (u32)SOCKADDR_MAX);

			if (copy_from_user(m->name, (const void __user *)h->msg_name, n))
				return -EFAULT;
			m->namelen = (int)n;
		}
		if (h->msg_controllen) {
			if (h->msg_controllen > OPTMEM_MAX)
				return -ENOBUFS;
			m->ctl = kmalloc(h->msg_controllen);
			if (!m->ctl)
				return -ENOMEM;
			m->ctl_len = m->ctl_cap = h->msg_controllen;
			if (copy_from_user(m->ctl, (const void __user *)h->msg_control,
					   h->msg_controllen))
				return -EFAULT;
		}
	} else {
		if ((int)h->msg_namelen < 0)
			return -EINVAL;
		if (h->msg_control && h->msg_controllen) {
			m->ctl_cap = MIN(h->msg_controllen, (u64)CTL_RECV_MAX);
			m->ctl = kzalloc(m->ctl_cap);
			if (!m->ctl)
				return -ENOMEM;
		}
	}
	return 0;
}

static void msg_release(struct sock_msg *m)
{
	kfree((void *)m->iov);
	kfree(m->ctl);
}

/* Write a recvmsg's results back into the user's msghdr at @uh (@h its copy). */
static int msg_export(struct sock_msg *m, struct linux_msghdr *h, struct linux_msghdr __user *uh)
{
	if (h->msg_name && m->namelen >= 0) {
		u32 n = MIN((u32)m->namelen, h->msg_namelen);

		if (n && copy_to_user((void __user *)h->msg_name, m->name, n))
			return -EFAULT;
		h->msg_namelen = (u32)m->namelen;
	} else {
		h->msg_namelen = 0;
	}
	if (m->ctl && m->ctl_len &&
	    copy_to_user((void __user *)h->msg_control, m->ctl, m->ctl_len))
		return -EFAULT;
	h->msg_controllen = m->ctl_len;
	h->msg_flags = m->out_flags;
	if (put_user_u32(&uh->msg_namelen, h->msg_namelen) ||
	    put_user_u64(&uh->msg_controllen, h->msg_controllen) ||
	    put_user_u32(&uh->msg_flags, (u32)h->msg_flags))
		return -EFAULT;
	return 0;
}

static ssize_t do_sendmsg(struct socket *s, struct linux_msghdr *h, int flags)
{
	struct sock_msg *m = kzalloc(sizeof(*m));
	size_t total = 0;
	ssize_t r;

	if (!m)
		return -ENOMEM;
	m->in_flags = flags;
	r = msg_import(m, h, true, &total);
	if (!r)
		r = s->ops->sendmsg ? s->ops->sendmsg(s, m, total) : -EOPNOTSUPP;
	msg_release(m);
	kfree(m);
	return r;
}

static ssize_t do_recvmsg(struct socket *s, struct linux_msghdr *h,
			  struct linux_msghdr __user *uh, int flags)
{
	struct sock_msg *m = kzalloc(sizeof(*m));
	size_t total = 0;
	ssize_t r;
	int err;

	if (!m)
		return -ENOMEM;
	m->in_flags = flags;
	m->namelen = -1;
	r = msg_import(m, h, false, &total);
	if (!r)
		r = s->ops->recvmsg ? s->ops->recvmsg(s, m, total) : -EOPNOTSUPP;
	if (r >= 0 && uh) {
		err = msg_export(m, h, uh);
		if (err)
			r = err;
	}
	msg_release(m);
	kfree(m);
	return r;
}

/*
 * sendto - sendto(2): send @len bytes of user @buf on the socket at @fd,
 * to @uaddr (@alen bytes) when given. Bytes sent or -EBADF, -ENOTSOCK,
 * -EFAULT, -EINVAL, -EPIPE (with SIGPIPE unless MSG_NOSIGNAL), -EAGAIN and
 * the family's errors. May sleep.
 */
long sys_sendto(int fd, const void __user *buf, size_t len, int flags,
		const void __user *uaddr, int alen)
{
	struct linux_iovec iov = { .iov_base = (u64)buf, .iov_len = MIN(len, MAX_RW_COUNT) };
	struct sock_msg *m;
	struct socket *s;
	struct file *f;
	int err;
	long r;

	s = msg_sock(fd, &f, &err);
	if (!s)
		return err;
	r = -ENOMEM;
	m = kzalloc(sizeof(*m));
	if (!m)
		goto out;
	m->iov = &iov;
	m->nr_iov = 1;
	m->in_flags = flags;
	r = -EFAULT;
	if (iov.iov_len && !uaccess_ok(iov.iov_base, iov.iov_len))
		goto out_m;
	if (uaddr) {
		r = -EINVAL;
		if (alen < 0 || alen > SOCKADDR_MAX)
			goto out_m;
		r = -EFAULT;
		if (copy_from_user(m->name, uaddr, (size_t)alen))
			goto out_m;
		m->namelen = alen;
	}
	r = s->ops->sendmsg ? s->ops->sendmsg(s, m, iov.iov_len) : -EOPNOTSUPP;
out_m:
	kfree(m);
out:
	file_put(f);
	return r;
}

/*
 * recvfrom - recvfrom(2): receive up to @len bytes into user @buf from the
 * socket at @fd, the sender's address into @uaddr/@ulen when given. Bytes
 * received (0: the peer shut down) or -EBADF, -ENOTSOCK, -EFAULT, -EINVAL,
 * -EAGAIN, -ENOTCONN and the family's errors. May sleep.
 */
long sys_recvfrom(int fd, void __user *buf, size_t len, int flags, void __user *uaddr,
		  int __user *ulen)
{
	struct linux_iovec iov = { .iov_base = (u64)buf, .iov_len = MIN(len, MAX_RW_COUNT) };
	struct sock_msg *m;
	struct socket *s;
	struct file *f;
	int err;
	long r;

	s = msg_sock(fd, &f, &err);
	if (!s)
		return err;
	r = -ENOMEM;
	m = kzalloc(sizeof(*m));
	if (!m)
		goto out;
	m->iov = &iov;
	m->nr_iov = 1;
	m->in_flags = flags;
	m->namelen = -1;
	r = -EFAULT;
	if (iov.iov_len && !uaccess_ok(iov.iov_base, iov.iov_len))
		goto out_m;
	r = s->ops->recvmsg ? s->ops->recvmsg(s, m, iov.iov_len) : -EOPNOTSUPP;
	if (r >= 0 && uaddr && ulen) {
		err = sock_addr_put(m->name, MAX(m->namelen, 0), uaddr, ulen);
		if (err)
			r = err;
	}
out_m:
	kfree(m);
out:
	file_put(f);
	return r;
}

/*
 * sendmsg - sendmsg(2): send the message described by user @uh (iovec,
 * destination, control data: SCM_RIGHTS, SCM_CREDENTIALS) on @fd. Bytes
 * sent or -EMSGSIZE (too many segments), -ENOBUFS (control data over
 * optmem_max), -EFAULT, and sendto()'s errors. May sleep.
 */
long sys_sendmsg(int fd, const struct linux_msghdr __user *uh, int flags)
{
	struct linux_msghdr h;
	struct socket *s;
	struct file *f;
	int err;
	long r;

	s = msg_sock(fd, &f, &err);
	if (!s)
		return err;
	if (copy_from_user(&h, uh, sizeof(h)))
		r = -EFAULT;
	else
		r = do_sendmsg(s, &h, flags);
	file_put(f);
	return r;
}

/*
 * recvmsg - recvmsg(2): receive one message into the buffers user @uh
 * describes; the sender's address, control messages and MSG_TRUNC /
 * MSG_CTRUNC / MSG_EOR are written back into it. Returns bytes (the full
 * datagram length with MSG_TRUNC in @flags) or recvfrom()'s errors. May
 * sleep.
 */
long sys_recvmsg(int fd, struct linux_msghdr __user *uh, int flags)
{
	struct linux_msghdr h;
	struct socket *s;
	struct file *f;
	int err;
	long r;

	s = msg_sock(fd, &f, &err);
	if (!s)
		return err;
	if (copy_from_user(&h, uh, sizeof(h)))
		r = -EFAULT;
	else
		r = do_recvmsg(s, &h, uh, flags);
	file_put(f);
	return r;
}

/*
 * sendmmsg - sendmmsg(2): sendmsg() each of the @vlen (at most UIO_MAXIOV)
 * messages of user @uvec in turn, storing each one's byte count in its
 * msg_len. Returns how many were sent; the error of the first when none
 * was. May sleep.
 */
long sys_sendmmsg(int fd, struct linux_mmsghdr __user *uvec, unsigned vlen, int flags)
{
	struct linux_mmsghdr mh;
	struct socket *s;
	struct file *f;
	unsigned i;
	int err;
	long r = 0;

	s = msg_sock(fd, &f, &err);
	if (!s)
		return err;
	vlen = MIN(vlen, (unsigned)UIO_MAXIOV);
	for (i = 0; i < vlen; i++) {
		if (copy_from_user(&mh, &uvec[i], sizeof(mh))) {
			r = -EFAULT;
			break;
		}
		r = do_sendmsg(s, &mh.msg_hdr, flags);
		if (r < 0)
			break;
		if (put_user_u32(&uvec[i].msg_len, (u32)r)) {
			r = -EFAULT;
			break;
		}
	}
	file_put(f);
	return i ? (long)i : r;
}

/*
 * recvmmsg - recvmmsg(2): recvmsg() into up to @vlen messages of user
 * @uvec; MSG_WAITFORONE makes every receive after the first non-blocking;
 * @uts (NULL: none) bounds the call, checked after each message as Linux
 * does. Returns how many were received, or the first one's error. May sleep.
 */
long sys_recvmmsg(int fd, struct linux_mmsghdr __user *uvec, unsigned vlen, int flags,
		  struct linux_timespec __user *uts)
{
	struct linux_timespec ts;
	struct linux_mmsghdr mh;
	u64 deadline = 0;
	struct socket *s;
	struct file *f;
	unsigned i;
	int err;
	long r = 0;

	if (uts) {
		if (copy_from_user(&ts, uts, sizeof(ts)))
			return -EFAULT;
		if (ts.tv_sec < 0 || ts.tv_nsec < 0 || ts.tv_nsec >= 1000000000)
			return -EINVAL;
		deadline = arch_clock_ns() + (u64)ts.tv_sec * 1000000000ULL + (u64)ts.tv_nsec;
	}
	s = msg_sock(fd, &f, &err);
	if (!s)
		return err;
	vlen = MIN(vlen, (unsigned)UIO_MAXIOV);
	for (i = 0; i < vlen; i++) {
		if (copy_from_user(&mh, &uvec[i], sizeof(mh))) {
			r = -EFAULT;
			break;
		}
		r = do_recvmsg(s, &mh.msg_hdr, &uvec[i].msg_hdr, flags);
		if (r < 0)
			break;
		if (put_user_u32(&uvec[i].msg_len, (u32)r)) {
			r = -EFAULT;
			break;
		}
		if (flags & MSG_WAITFORONE)
			flags |= MSG_DONTWAIT;
		if (deadline && arch_clock_ns() >= deadline) {
			i++;
			break;
		}
	}
	file_put(f);
	if (r == -ERESTARTSYS && i)
		r = 0;
	return i ? (long)i : r;
}
