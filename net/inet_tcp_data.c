/*
 * TCP sockets' data path and readiness (tcp(7)): send(2) and recv(2) and their families,
 * poll, FIONREAD/TIOCOUTQ, over lwIP's raw API. Connections, options and closing are
 * net/inet_tcp.c's; locks: net/inet.h.
 *
 * send(2) copies the caller's bytes into a bounce buffer without the stack lock, then hands
 * them to tcp_write() (lwIP keeps its own copy until they are acknowledged) and tcp_output();
 * it waits while lwIP's send buffer is full. lwIP's recv callback (net/inet_tcp.c) chains
 * arriving segments on the socket; recv(2) copies out of the chain and only then tells lwIP
 * (tcp_recved()), so the advertised window is the reader's real room.
 */
#include "inet.h"
#include "kernel.h"
#include "kmalloc.h"
#include "uapi/errno.h"
#include "uapi/ioctl.h"
#include "uapi/poll.h"

#include "lwip/tcp.h"
#include "lwip/pbuf.h"

#define BOUNCE_MAX	16384	/* bytes copied per trip into or out of the stack */

/* inet_tcp_send_room - see net/inet.h. */
u32 inet_tcp_send_room(struct tcp_pcb *pcb)
{
	if (tcp_sndqueuelen(pcb) >= TCP_SND_QUEUELEN)
		return 0;
	return tcp_sndbuf(pcb);
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
ssize_t inet_tcp_sendmsg(struct socket *s, struct sock_msg *m, size_t len)
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
			room = inet_tcp_send_room(isk->pcb.tcp);
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
		__atomic_store_n(&isk->snd_space, inet_tcp_send_room(isk->pcb.tcp), __ATOMIC_RELEASE);
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

ssize_t inet_tcp_recvmsg(struct socket *s, struct sock_msg *m, size_t len)
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

unsigned inet_tcp_poll(struct socket *s, struct poll_table *pt)
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

long inet_tcp_ioctl(struct socket *s, unsigned cmd, u64 arg)
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
