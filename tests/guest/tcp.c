/*
 * AF_INET and AF_INET6 sockets over loopback (ip(7), ipv6(7), tcp(7), udp(7), socket(7)):
 * connect/accept and the addresses both ends see, the errors Linux gives (ECONNREFUSED from
 * the RST of a closed port, EADDRINUSE and SO_REUSEADDR, EISCONN, EALREADY, ENOTCONN), half
 * close, EPIPE and SIGPIPE, RST on close with SO_LINGER 0, MSG_PEEK/WAITALL/DONTWAIT,
 * non-blocking connect with SO_ERROR, options, poll and epoll readiness, 32 connections at
 * once, 64 MiB with a checksum, a server forking per connection, UDP datagrams, IPv6 with
 * IPV6_V6ONLY and IPv4-mapped peers, /proc/net/tcp and /proc/net/udp. Sprout only: no pages
 * lost once the sockets are closed, and a transfer through a lossy loopback (retransmission).
 */
#define _GNU_SOURCE
#define TAP_CASE_TIMEOUT_S	240
#include <tap.h>
#include <poll.h>
#include <signal.h>
#include <sys/epoll.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/sysinfo.h>
#include <sys/uio.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <arpa/inet.h>

#define LOSS_KNOB	"/proc/sys/net/sprout_lo_drop_every"

static struct sockaddr_in lo4(int port)
{
	struct sockaddr_in a = { .sin_family = AF_INET, .sin_port = htons(port) };

	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	return a;
}

/* A listening TCP socket on 127.0.0.1 at an ephemeral port (returned in *port). */
static int listener(int *port, int backlog)
{
	struct sockaddr_in a = lo4(0);
	socklen_t len = sizeof(a);
	int l = socket(AF_INET, SOCK_STREAM, 0);

	if (l < 0 || bind(l, (struct sockaddr *)&a, sizeof(a)) || listen(l, backlog) ||
	    getsockname(l, (struct sockaddr *)&a, &len))
		return -1;
	*port = ntohs(a.sin_port);
	return l;
}

static int connect_to(int port)
{
	struct sockaddr_in a = lo4(port);
	int c = socket(AF_INET, SOCK_STREAM, 0);

	if (c < 0 || connect(c, (struct sockaddr *)&a, sizeof(a)))
		return -1;
	return c;
}

/* A connected pair: *c the client, *s the accepted end. */
static bool tcp_pair(int *c, int *s)
{
	int port, l = listener(&port, 4);

	if (l < 0)
		return false;
	*c = connect_to(port);
	*s = accept(l, NULL, NULL);
	close(l);
	return *c >= 0 && *s >= 0;
}

static int t_errors(void)
{
	struct sockaddr_in a = lo4(0), far = lo4(0);
	socklen_t len = sizeof(a);
	int s = socket(AF_INET, SOCK_STREAM, 0), u = socket(AF_INET, SOCK_DGRAM, 0);
	char b = 0;

	CHECK(s >= 0 && u >= 0);
	CHECK_ERR(socket(AF_INET, SOCK_STREAM, IPPROTO_UDP), EPROTONOSUPPORT);
	CHECK_ERR(socket(AF_INET, SOCK_DGRAM, IPPROTO_TCP), EPROTONOSUPPORT);
	CHECK_ERR(socket(AF_INET, SOCK_SEQPACKET, 0), ESOCKTNOSUPPORT);
	CHECK_ERR(bind(s, (struct sockaddr *)&a, sizeof(a) - 1), EINVAL);
	a.sin_family = AF_INET6;
	CHECK_ERR(bind(s, (struct sockaddr *)&a, sizeof(a)), EAFNOSUPPORT);
	a.sin_family = AF_INET;
	far.sin_addr.s_addr = inet_addr("192.0.2.1");	/* TEST-NET-1: not ours */
	CHECK_ERR(bind(s, (struct sockaddr *)&far, sizeof(far)), EADDRNOTAVAIL);
	CHECK_ERR(getpeername(s, (struct sockaddr *)&a, &len), ENOTCONN);
	CHECK_ERR(recv(s, &b, 1, 0), ENOTCONN);
	CHECK_ERR(send(s, &b, 1, MSG_NOSIGNAL), EPIPE);
	CHECK_ERR(shutdown(s, SHUT_RDWR), ENOTCONN);
	CHECK_ERR(accept(s, NULL, NULL), EINVAL);
	CHECK_ERR(listen(u, 1), EOPNOTSUPP);
	CHECK_ERR(accept(u, NULL, NULL), EOPNOTSUPP);
	CHECK(bind(s, (struct sockaddr *)&a, sizeof(a)) == 0);
	CHECK_ERR(bind(s, (struct sockaddr *)&a, sizeof(a)), EINVAL);
	CHECK(getsockname(s, (struct sockaddr *)&a, &len) == 0);
	CHECK(a.sin_port != 0 && a.sin_addr.s_addr == htonl(INADDR_LOOPBACK));
	CHECK_ERR(send(u, &b, 1, 0), EDESTADDRREQ);
	CHECK_ERR(shutdown(u, SHUT_RD), ENOTCONN);
	return 0;
}

static int t_connect_accept(void)
{
	struct sockaddr_in a, p, cl;
	socklen_t len = sizeof(a);
	int port, l = listener(&port, 4), c, s, v;
	char buf[16];

	CHECK(l >= 0);
	len = sizeof(v);
	CHECK(getsockopt(l, SOL_SOCKET, SO_ACCEPTCONN, &v, &len) == 0 && v == 1);
	c = connect_to(port);
	CHECK(c >= 0);
	len = sizeof(a);
	s = accept4(l, (struct sockaddr *)&a, &len, SOCK_CLOEXEC);
	CHECK(s >= 0);
	CHECK(fcntl(s, F_GETFD) == FD_CLOEXEC);
	CHECK_EQ(len, sizeof(a));
	CHECK(a.sin_family == AF_INET && a.sin_addr.s_addr == htonl(INADDR_LOOPBACK));
	/* The client's name is what the server saw; the server's is the listener's. */
	len = sizeof(cl);
	CHECK(getsockname(c, (struct sockaddr *)&cl, &len) == 0);
	CHECK_EQ(cl.sin_port, a.sin_port);
	CHECK(ntohs(cl.sin_port) != port && ntohs(cl.sin_port) != 0);
	/* Ephemeral ports come from net.ipv4.ip_local_port_range (Linux's default if unset). */
	unsigned lo = 32768, hi = 60999;
	FILE *rf = fopen("/proc/sys/net/ipv4/ip_local_port_range", "r");

	if (rf) {
		CHECK(fscanf(rf, "%u %u", &lo, &hi) == 2);
		fclose(rf);
	}
	CHECK(ntohs(cl.sin_port) >= lo && ntohs(cl.sin_port) <= hi);
	CHECK(ntohs(a.sin_port) >= lo && ntohs(a.sin_port) <= hi);
	len = sizeof(p);
	CHECK(getpeername(c, (struct sockaddr *)&p, &len) == 0);
	CHECK_EQ(ntohs(p.sin_port), port);
	len = sizeof(p);
	CHECK(getsockname(s, (struct sockaddr *)&p, &len) == 0);
	CHECK_EQ(ntohs(p.sin_port), port);
	CHECK_EQ(write(c, "ping", 4), 4);
	CHECK_EQ(read(s, buf, sizeof(buf)), 4);
	CHECK(!memcmp(buf, "ping", 4));
	CHECK_EQ(send(s, "pong!", 5, 0), 5);
	CHECK_EQ(recv(c, buf, sizeof(buf), 0), 5);
	CHECK(!memcmp(buf, "pong!", 5));
	/* connect again: EISCONN; on a listener too. */
	a = lo4(port);
	CHECK_ERR(connect(c, (struct sockaddr *)&a, sizeof(a)), EISCONN);
	CHECK_ERR(connect(l, (struct sockaddr *)&a, sizeof(a)), EISCONN);
	CHECK_ERR(listen(c, 1), EINVAL);
	close(c);
	CHECK_EQ(read(s, buf, sizeof(buf)), 0);	/* the client's FIN */
	close(s);
	/* connect(AF_UNSPEC) resets a connection; the socket may connect again. */
	struct sockaddr unspec = { .sa_family = AF_UNSPEC };

	c = connect_to(port);
	s = accept(l, NULL, NULL);
	CHECK(c >= 0 && s >= 0);
	CHECK(connect(c, &unspec, sizeof(unspec)) == 0);
	CHECK_ERR(read(s, buf, sizeof(buf)), ECONNRESET);
	close(s);
	len = sizeof(p);
	CHECK_ERR(getpeername(c, (struct sockaddr *)&p, &len), ENOTCONN);
	CHECK(connect(c, (struct sockaddr *)&a, sizeof(a)) == 0);
	s = accept(l, NULL, NULL);
	CHECK(s >= 0);
	CHECK_EQ(write(c, "again", 5), 5);
	CHECK_EQ(read(s, buf, sizeof(buf)), 5);
	close(c);
	close(s);
	close(l);
	return 0;
}

static int t_options(void)
{
	int c, s, v;
	socklen_t len = sizeof(v);
	struct linger lg = { 1, 0 };

	CHECK(tcp_pair(&c, &s));
	CHECK(getsockopt(c, SOL_SOCKET, SO_TYPE, &v, &len) == 0 && v == SOCK_STREAM);
	CHECK(getsockopt(c, SOL_SOCKET, SO_ERROR, &v, &len) == 0 && v == 0);
	CHECK(getsockopt(c, IPPROTO_TCP, TCP_NODELAY, &v, &len) == 0 && v == 0);
	v = 1;
	CHECK(setsockopt(c, IPPROTO_TCP, TCP_NODELAY, &v, sizeof(v)) == 0);
	CHECK(getsockopt(c, IPPROTO_TCP, TCP_NODELAY, &v, &len) == 0 && v == 1);
	v = 1;
	CHECK(setsockopt(c, SOL_SOCKET, SO_KEEPALIVE, &v, sizeof(v)) == 0);
	CHECK(getsockopt(c, SOL_SOCKET, SO_KEEPALIVE, &v, &len) == 0 && v == 1);
	v = 30;
	CHECK(setsockopt(c, IPPROTO_TCP, TCP_KEEPIDLE, &v, sizeof(v)) == 0);
	CHECK(getsockopt(c, IPPROTO_TCP, TCP_KEEPIDLE, &v, &len) == 0 && v == 30);
	v = 0;
	CHECK_ERR(setsockopt(c, IPPROTO_TCP, TCP_KEEPIDLE, &v, sizeof(v)), EINVAL);
	v = 65536;
	CHECK(setsockopt(c, SOL_SOCKET, SO_RCVBUF, &v, sizeof(v)) == 0);
	CHECK(getsockopt(c, SOL_SOCKET, SO_RCVBUF, &v, &len) == 0 && v == 131072);
	v = 32768;
	CHECK(setsockopt(c, SOL_SOCKET, SO_SNDBUF, &v, sizeof(v)) == 0);
	CHECK(getsockopt(c, SOL_SOCKET, SO_SNDBUF, &v, &len) == 0 && v == 65536);
	CHECK_ERR(setsockopt(c, IPPROTO_TCP, 9999, &v, sizeof(v)), ENOPROTOOPT);
	/* SO_LINGER with a zero time: close resets the connection. */
	CHECK(setsockopt(c, SOL_SOCKET, SO_LINGER, &lg, sizeof(lg)) == 0);
	len = sizeof(lg);
	CHECK(getsockopt(c, SOL_SOCKET, SO_LINGER, &lg, &len) == 0 && lg.l_onoff == 1);
	close(c);
	char b;

	CHECK_ERR(read(s, &b, 1), ECONNRESET);
	CHECK_EQ(read(s, &b, 1), 0);
	/* Its connection is over, but the socket stays connected for connect(2). */
	struct sockaddr_in a = lo4(9);

	CHECK_ERR(connect(s, (struct sockaddr *)&a, sizeof(a)), EISCONN);
	close(s);
	return 0;
}

static int t_half_close(void)
{
	int c, s;
	char buf[64];
	struct pollfd pfd;

	CHECK(tcp_pair(&c, &s));
	CHECK_EQ(write(c, "request", 7), 7);
	CHECK(shutdown(c, SHUT_WR) == 0);
	CHECK_EQ(recv(s, buf, sizeof(buf), MSG_WAITALL), 7);	/* data, then EOF */
	CHECK_EQ(read(s, buf, sizeof(buf)), 0);
	pfd = (struct pollfd){ .fd = s, .events = POLLIN | POLLRDHUP };
	CHECK(poll(&pfd, 1, 1000) == 1 && (pfd.revents & POLLRDHUP) && (pfd.revents & POLLIN));
	/* The other direction still flows. */
	CHECK_EQ(write(s, "reply", 5), 5);
	CHECK(shutdown(s, SHUT_WR) == 0);
	CHECK_EQ(recv(c, buf, sizeof(buf), MSG_WAITALL), 5);
	CHECK(!memcmp(buf, "reply", 5));
	CHECK_EQ(read(c, buf, sizeof(buf)), 0);
	pfd = (struct pollfd){ .fd = c, .events = POLLIN | POLLOUT };
	CHECK(poll(&pfd, 1, 1000) == 1 && (pfd.revents & POLLHUP));
	/* Both directions closed and acknowledged: no error, only the end of the stream. */
	int v;
	socklen_t len = sizeof(v);

	tap_sleep_ms(50);
	CHECK_EQ(read(s, buf, sizeof(buf)), 0);
	CHECK(getsockopt(s, SOL_SOCKET, SO_ERROR, &v, &len) == 0 && v == 0);
	CHECK_EQ(read(c, buf, sizeof(buf)), 0);
	CHECK(getsockopt(c, SOL_SOCKET, SO_ERROR, &v, &len) == 0 && v == 0);
	close(c);
	close(s);
	return 0;
}

static volatile sig_atomic_t sigpipes;
static void on_sigpipe(int sig) { sigpipes++; }

static int t_epipe(void)
{
	int c, s;

	signal(SIGPIPE, on_sigpipe);
	CHECK(tcp_pair(&c, &s));
	CHECK(shutdown(c, SHUT_WR) == 0);
	CHECK_ERR(write(c, "x", 1), EPIPE);
	CHECK_EQ(sigpipes, 1);
	CHECK_ERR(send(c, "x", 1, MSG_NOSIGNAL), EPIPE);
	CHECK_EQ(sigpipes, 1);
	/* A reset connection: the error once, then EPIPE. */
	close(s);
	tap_sleep_ms(50);
	CHECK_ERR(send(c, "x", 1, MSG_NOSIGNAL), EPIPE);
	close(c);
	return 0;
}

/* A reader blocked on a socket does not hold up a writer of the same socket. */
static int t_duplex(void)
{
	int c, s, status;
	char b = 0;
	pid_t pid;

	CHECK(tcp_pair(&c, &s));
	pid = fork();
	if (pid == 0)
		_exit(read(c, &b, 1) == 1 && b == 'y' ? 0 : 1);
	tap_sleep_ms(100);	/* the child is (most likely) asleep in read */
	CHECK_EQ(write(c, "x", 1), 1);
	CHECK_EQ(read(s, &b, 1), 1);
	CHECK_EQ(b, 'x');
	CHECK_EQ(write(s, "y", 1), 1);
	CHECK(waitpid(pid, &status, 0) == pid && WIFEXITED(status) && !WEXITSTATUS(status));
	return 0;
}

/* SO_LINGER with a time: close waits until the peer has taken the data, or the time is up. */
static int t_linger(void)
{
	int c, s, p[2], q[2], status;
	struct linger lg = { 1, 5 };
	static char big[1 << 16];
	long total = 0, t0, took;
	pid_t pid;
	char b;

	CHECK(tcp_pair(&c, &s) && pipe(p) == 0 && pipe(q) == 0);
	pid = fork();
	if (pid == 0) {
		long got = 0, want;
		ssize_t n;

		close(c);
		write(p[1], "r", 1);
		/* The byte count comes just before the parent closes: then take a while. */
		if (read(q[0], &want, sizeof(want)) != sizeof(want))
			_exit(2);
		tap_sleep_ms(300);
		while ((n = read(s, big, sizeof(big))) > 0)
			got += n;
		_exit(got == want ? 0 : 1);
	}
	CHECK_EQ(read(p[0], &b, 1), 1);	/* only the parent holds c now */
	close(s);
	for (;;) {
		ssize_t n = send(c, big, sizeof(big), MSG_DONTWAIT);

		if (n < 0)
			break;
		total += n;
	}
	CHECK(total > 0);
	CHECK(setsockopt(c, SOL_SOCKET, SO_LINGER, &lg, sizeof(lg)) == 0);
	t0 = tap_now_ms();
	CHECK_EQ(write(q[1], &total, sizeof(total)), sizeof(total));
	close(c);
	took = tap_now_ms() - t0;
	if (took < 250 || took > 4000)
		tap_diag("close took %ld ms", took);
	CHECK(took >= 250 && took < 4000);
	CHECK(waitpid(pid, &status, 0) == pid && WIFEXITED(status) && !WEXITSTATUS(status));
	/* Nobody reads: close gives up after the linger time. */
	CHECK(tcp_pair(&c, &s));
	while (send(c, big, sizeof(big), MSG_DONTWAIT) > 0)
		;
	lg.l_linger = 1;
	CHECK(setsockopt(c, SOL_SOCKET, SO_LINGER, &lg, sizeof(lg)) == 0);
	t0 = tap_now_ms();
	close(c);
	took = tap_now_ms() - t0;
	if (took < 900 || took > 3000)
		tap_diag("close took %ld ms", took);
	CHECK(took >= 900 && took < 3000);
	close(s);
	return 0;
}

/* The send and receive families on a stream: iovecs, MSG_WAITALL over pieces, SO_RCVTIMEO. */
static int t_msg_families(void)
{
	int c, s, status;
	char buf[32] = { 0 }, a[4] = { 0 }, b[8] = { 0 };
	struct iovec out[3] = { { "one", 3 }, { "-two", 4 }, { "-three", 6 } };
	struct iovec in[2] = { { a, sizeof(a) }, { b, sizeof(b) } };
	struct msghdr mh = { .msg_iov = out, .msg_iovlen = 3 };
	struct timeval tv = { 0, 200000 };
	pid_t pid;

	CHECK(tcp_pair(&c, &s));
	CHECK_EQ(sendmsg(c, &mh, 0), 13);
	mh = (struct msghdr){ .msg_iov = in, .msg_iovlen = 2 };
	CHECK_EQ(recvmsg(s, &mh, MSG_WAITALL), 12);
	CHECK(!memcmp(a, "one-", 4) && !memcmp(b, "two-thre", 8));
	CHECK_EQ(readv(s, in, 1), 1);
	CHECK_EQ(a[0], 'e');
	CHECK_EQ(writev(c, out, 2), 7);
	CHECK_EQ(read(s, buf, sizeof(buf)), 7);
	/* MSG_WAITALL gathers pieces that arrive apart. */
	pid = fork();
	if (pid == 0) {
		for (int i = 0; i < 3; i++) {
			tap_sleep_ms(30);
			if (write(c, "abc", 3) != 3)
				_exit(1);
		}
		_exit(0);
	}
	CHECK_EQ(recv(s, buf, 9, MSG_WAITALL), 9);
	CHECK(!memcmp(buf, "abcabcabc", 9));
	CHECK(waitpid(pid, &status, 0) == pid && WIFEXITED(status) && !WEXITSTATUS(status));
	/* SO_RCVTIMEO bounds a blocking read: EAGAIN. */
	CHECK(setsockopt(s, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv)) == 0);
	long t0 = tap_now_ms();

	CHECK_ERR(read(s, buf, 1), EAGAIN);
	CHECK(tap_now_ms() - t0 >= 150);
	close(c);
	close(s);
	return 0;
}

static int t_refused(void)
{
	int port, l = listener(&port, 1), c, v;
	struct sockaddr_in a;
	struct pollfd pfd;
	socklen_t len = sizeof(v);

	CHECK(l >= 0);
	close(l);	/* nothing listens on port now: the SYN gets an RST */
	a = lo4(port);
	c = socket(AF_INET, SOCK_STREAM, 0);
	CHECK_ERR(connect(c, (struct sockaddr *)&a, sizeof(a)), ECONNREFUSED);
	CHECK_ERR(connect(c, (struct sockaddr *)&a, sizeof(a)), ECONNREFUSED);	/* tried again */
	close(c);
	c = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0);
	CHECK_ERR(connect(c, (struct sockaddr *)&a, sizeof(a)), EINPROGRESS);
	pfd = (struct pollfd){ .fd = c, .events = POLLOUT };
	CHECK(poll(&pfd, 1, 2000) == 1 && (pfd.revents & POLLERR));
	CHECK(getsockopt(c, SOL_SOCKET, SO_ERROR, &v, &len) == 0);
	CHECK_EQ(v, ECONNREFUSED);
	CHECK(getsockopt(c, SOL_SOCKET, SO_ERROR, &v, &len) == 0 && v == 0);
	close(c);
	return 0;
}

static int t_nonblocking(void)
{
	int port, l = listener(&port, 4), c, s, v, r;
	struct sockaddr_in a = lo4(port);
	struct pollfd pfd;
	socklen_t len = sizeof(v);
	char b;

	CHECK(l >= 0);
	fcntl(l, F_SETFL, O_NONBLOCK);
	CHECK_ERR(accept(l, NULL, NULL), EAGAIN);
	c = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0);
	CHECK_ERR(connect(c, (struct sockaddr *)&a, sizeof(a)), EINPROGRESS);
	/* Again: EALREADY while the handshake runs; once it is done, the first connect after
	 * it reports success (0), the next ones EISCONN. */
	r = connect(c, (struct sockaddr *)&a, sizeof(a));
	CHECK(r == 0 || errno == EALREADY);
	pfd = (struct pollfd){ .fd = c, .events = POLLOUT };
	CHECK(poll(&pfd, 1, 2000) == 1 && (pfd.revents & POLLOUT) && !(pfd.revents & POLLERR));
	CHECK(getsockopt(c, SOL_SOCKET, SO_ERROR, &v, &len) == 0 && v == 0);
	if (r)
		CHECK(connect(c, (struct sockaddr *)&a, sizeof(a)) == 0);
	CHECK_ERR(connect(c, (struct sockaddr *)&a, sizeof(a)), EISCONN);
	pfd = (struct pollfd){ .fd = l, .events = POLLIN };
	CHECK(poll(&pfd, 1, 2000) == 1 && (pfd.revents & POLLIN));
	s = accept(l, NULL, NULL);
	CHECK(s >= 0);
	CHECK(!(fcntl(s, F_GETFL) & O_NONBLOCK));	/* accept does not inherit it */
	CHECK_ERR(read(c, &b, 1), EAGAIN);
	CHECK_ERR(recv(s, &b, 1, MSG_DONTWAIT), EAGAIN);
	/* MSG_PEEK leaves the data; FIONREAD counts it. */
	CHECK_EQ(write(s, "abc", 3), 3);
	pfd = (struct pollfd){ .fd = c, .events = POLLIN };
	CHECK(poll(&pfd, 1, 2000) == 1);
	CHECK(ioctl(c, FIONREAD, &v) == 0 && v == 3);
	CHECK_EQ(recv(c, &b, 1, MSG_PEEK), 1);
	CHECK_EQ(b, 'a');
	char buf[8];

	CHECK_EQ(recv(c, buf, sizeof(buf), 0), 3);
	CHECK(!memcmp(buf, "abc", 3));
	/* A send that fills the window stops with EAGAIN, a partial count first. */
	static char big[1 << 16];
	long total = 0;

	for (;;) {
		ssize_t n = send(c, big, sizeof(big), MSG_DONTWAIT);

		if (n < 0) {
			CHECK_EQ(errno, EAGAIN);
			break;
		}
		total += n;
		CHECK(total < 64L << 20);
		if (total >= 64L << 20)
			break;
	}
	CHECK(total > 0);
	pfd = (struct pollfd){ .fd = c, .events = POLLOUT };
	CHECK_EQ(poll(&pfd, 1, 0), 0);
	close(c);
	close(s);
	close(l);
	return 0;
}

static int t_addrinuse(void)
{
	int port, l = listener(&port, 4), d, one = 1, c, s;
	struct sockaddr_in a = lo4(port);

	CHECK(l >= 0);
	d = socket(AF_INET, SOCK_STREAM, 0);
	CHECK_ERR(bind(d, (struct sockaddr *)&a, sizeof(a)), EADDRINUSE);
	close(d);
	/* SO_REUSEADDR on both does not let two sockets listen on one port. */
	close(l);
	l = socket(AF_INET, SOCK_STREAM, 0);
	CHECK(setsockopt(l, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one)) == 0);
	CHECK(bind(l, (struct sockaddr *)&a, sizeof(a)) == 0 && listen(l, 4) == 0);
	d = socket(AF_INET, SOCK_STREAM, 0);
	CHECK(setsockopt(d, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one)) == 0);
	CHECK_ERR(bind(d, (struct sockaddr *)&a, sizeof(a)), EADDRINUSE);
	close(d);
	/* The server closes first: its end waits in TIME_WAIT on the port. */
	c = connect_to(port);
	s = accept(l, NULL, NULL);
	CHECK(c >= 0 && s >= 0);
	close(l);
	close(s);
	char b;

	CHECK_EQ(read(c, &b, 1), 0);
	close(c);
	tap_sleep_ms(50);
	d = socket(AF_INET, SOCK_STREAM, 0);
	CHECK_ERR(bind(d, (struct sockaddr *)&a, sizeof(a)), EADDRINUSE);
	CHECK(setsockopt(d, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one)) == 0);
	CHECK(bind(d, (struct sockaddr *)&a, sizeof(a)) == 0);
	CHECK(listen(d, 1) == 0);
	close(d);
	return 0;
}

static int t_many(void)
{
	enum { N = 32 };
	int port, l = listener(&port, 64), c[N], s[N];
	char buf[32], want[32];

	CHECK(l >= 0);
	for (int i = 0; i < N; i++) {
		c[i] = connect_to(port);
		CHECK(c[i] >= 0);
	}
	for (int i = 0; i < N; i++) {
		s[i] = accept(l, NULL, NULL);
		CHECK(s[i] >= 0);
	}
	for (int i = 0; i < N; i++) {
		int n = snprintf(want, sizeof(want), "client %d", i);

		CHECK_EQ(write(c[i], want, (size_t)n), n);
	}
	/* Each accepted socket holds exactly one client's message. */
	bool seen[N] = { false };

	for (int i = 0; i < N; i++) {
		int k, n = (int)read(s[i], buf, sizeof(buf) - 1);

		CHECK(n > 0);
		buf[n > 0 ? n : 0] = 0;
		CHECK(sscanf(buf, "client %d", &k) == 1 && k >= 0 && k < N && !seen[k]);
		if (k >= 0 && k < N)
			seen[k] = true;
		CHECK_EQ(write(s[i], buf, (size_t)n), n);
	}
	for (int i = 0; i < N; i++) {
		int n = snprintf(want, sizeof(want), "client %d", i);

		CHECK_EQ(read(c[i], buf, sizeof(buf)), n);
		CHECK(!memcmp(buf, want, (size_t)n));
		close(c[i]);
		close(s[i]);
	}
	close(l);
	return 0;
}

/* The byte at offset @i of the bulk stream. */
static unsigned char pattern(unsigned long i)
{
	return (unsigned char)((i * 2654435761u) >> 13);
}

/* Send @total bytes of the pattern through a fresh connection in odd-sized pieces and check
 * every byte on the other side. */
static bool bulk(unsigned long total)
{
	int c, s;
	pid_t pid;
	unsigned long got = 0, sum = 0, want = 0;
	static unsigned char buf[100000];
	int status;

	if (!tcp_pair(&c, &s))
		return false;
	pid = fork();
	if (pid == 0) {
		unsigned long off = 0;
		size_t piece = 1;

		close(s);
		while (off < total) {
			size_t n = piece;

			if (n > total - off)
				n = total - off;
			for (size_t k = 0; k < n; k++)
				buf[k] = pattern(off + k);
			if (write(c, buf, n) != (ssize_t)n)
				_exit(1);
			off += n;
			piece = piece * 7 % 99991 + 1;
		}
		_exit(0);
	}
	close(c);
	for (;;) {
		ssize_t n = read(s, buf, sizeof(buf));

		if (n <= 0)
			break;
		for (ssize_t k = 0; k < n; k++) {
			sum = sum * 31 + buf[k];
			want = want * 31 + pattern(got + (unsigned long)k);
		}
		got += (unsigned long)n;
	}
	close(s);
	waitpid(pid, &status, 0);
	if (got != total || sum != want)
		tap_diag("got %lu of %lu bytes, checksum %lx, want %lx", got, total, sum, want);
	return got == total && sum == want && WIFEXITED(status) && WEXITSTATUS(status) == 0;
}

static int t_bulk(void)
{
	CHECK(bulk(64ul << 20));
	return 0;
}

static int t_udp(void)
{
	int a = socket(AF_INET, SOCK_DGRAM, 0), b = socket(AF_INET, SOCK_DGRAM | SOCK_NONBLOCK, 0);
	struct sockaddr_in aa = lo4(0), ba = lo4(0), from;
	socklen_t len = sizeof(aa);
	char buf[64];
	int v;

	CHECK(bind(a, (struct sockaddr *)&aa, sizeof(aa)) == 0);
	CHECK(getsockname(a, (struct sockaddr *)&aa, &len) == 0 && aa.sin_port);
	CHECK(bind(b, (struct sockaddr *)&ba, sizeof(ba)) == 0);
	len = sizeof(ba);
	CHECK(getsockname(b, (struct sockaddr *)&ba, &len) == 0);
	CHECK_ERR(recv(b, buf, sizeof(buf), 0), EAGAIN);
	CHECK_EQ(sendto(a, "hello", 5, 0, (struct sockaddr *)&ba, sizeof(ba)), 5);
	CHECK_EQ(sendto(a, "", 0, 0, (struct sockaddr *)&ba, sizeof(ba)), 0);
	CHECK_EQ(sendto(a, "world!", 6, 0, (struct sockaddr *)&ba, sizeof(ba)), 6);
	/* Datagrams keep their boundaries; FIONREAD is the next one's size. */
	CHECK(ioctl(b, FIONREAD, &v) == 0 && v == 5);
	len = sizeof(from);
	CHECK_EQ(recvfrom(b, buf, 2, MSG_PEEK, (struct sockaddr *)&from, &len), 2);
	CHECK_EQ(recvfrom(b, buf, sizeof(buf), 0, (struct sockaddr *)&from, &len), 5);
	CHECK(!memcmp(buf, "hello", 5) && len == sizeof(from));
	CHECK(from.sin_port == aa.sin_port && from.sin_addr.s_addr == htonl(INADDR_LOOPBACK));
	CHECK_EQ(recv(b, buf, sizeof(buf), 0), 0);
	/* Truncated: the rest is lost; MSG_TRUNC gives the real length. */
	CHECK_EQ(recv(b, buf, 2, MSG_TRUNC), 6);
	CHECK_ERR(recv(b, buf, sizeof(buf), 0), EAGAIN);
	/* connect: the default peer. */
	CHECK(connect(a, (struct sockaddr *)&ba, sizeof(ba)) == 0);
	CHECK_EQ(send(a, "via connect", 11, 0), 11);
	struct msghdr mh = { 0 };
	struct iovec iov = { buf, 4 };

	mh.msg_iov = &iov;
	mh.msg_iovlen = 1;
	CHECK_EQ(recvmsg(b, &mh, 0), 4);
	CHECK(mh.msg_flags & MSG_TRUNC);
	len = sizeof(from);
	CHECK(getpeername(a, (struct sockaddr *)&from, &len) == 0 && from.sin_port == ba.sin_port);
	struct sockaddr unspec = { .sa_family = AF_UNSPEC };

	CHECK(connect(a, &unspec, sizeof(unspec)) == 0);
	CHECK_ERR(getpeername(a, (struct sockaddr *)&from, &len), ENOTCONN);
	CHECK_ERR(send(a, "x", 1, 0), EDESTADDRREQ);
	/* A port in use. */
	int d = socket(AF_INET, SOCK_DGRAM, 0);

	CHECK_ERR(bind(d, (struct sockaddr *)&ba, sizeof(ba)), EADDRINUSE);
	static char huge[70000];

	CHECK_ERR(sendto(d, huge, sizeof(huge), 0, (struct sockaddr *)&ba, sizeof(ba)), EMSGSIZE);
	/* A big datagram in one piece. */
	CHECK_EQ(sendto(d, huge, 60000, 0, (struct sockaddr *)&ba, sizeof(ba)), 60000);
	struct pollfd pfd = { .fd = b, .events = POLLIN };

	CHECK(poll(&pfd, 1, 2000) == 1);
	CHECK_EQ(recv(b, huge, sizeof(huge), 0), 60000);
	/* The largest an IPv4 datagram can carry. */
	CHECK_EQ(sendto(d, huge, 65507, 0, (struct sockaddr *)&ba, sizeof(ba)), 65507);
	CHECK_ERR(sendto(d, huge, 65508, 0, (struct sockaddr *)&ba, sizeof(ba)), EMSGSIZE);
	CHECK(poll(&pfd, 1, 2000) == 1);
	CHECK_EQ(recv(b, huge, sizeof(huge), 0), 65507);
	close(a);
	close(b);
	close(d);
	/* Nothing at the peer: ICMP port unreachable makes a connected socket's next call
	 * ECONNREFUSED; an unconnected socket does not hear of it. */
	int e = socket(AF_INET, SOCK_DGRAM, 0), f = socket(AF_INET, SOCK_DGRAM, 0);

	CHECK(connect(e, (struct sockaddr *)&ba, sizeof(ba)) == 0);	/* b is closed now */
	CHECK_EQ(send(e, "x", 1, 0), 1);
	tap_sleep_ms(50);
	CHECK_ERR(recv(e, buf, sizeof(buf), MSG_DONTWAIT), ECONNREFUSED);
	CHECK_ERR(recv(e, buf, sizeof(buf), MSG_DONTWAIT), EAGAIN);
	CHECK_EQ(sendto(f, "x", 1, 0, (struct sockaddr *)&ba, sizeof(ba)), 1);
	tap_sleep_ms(50);
	CHECK_ERR(recv(f, buf, sizeof(buf), MSG_DONTWAIT), EAGAIN);
	close(e);
	close(f);
	return 0;
}

static int t_epoll(void)
{
	int port, l = listener(&port, 4), c, s, ep = epoll_create1(0);
	struct epoll_event ev = { .events = EPOLLIN }, out[4];
	char b;

	CHECK(l >= 0 && ep >= 0);
	ev.data.fd = l;
	CHECK(epoll_ctl(ep, EPOLL_CTL_ADD, l, &ev) == 0);
	CHECK_EQ(epoll_wait(ep, out, 4, 0), 0);
	c = connect_to(port);
	CHECK_EQ(epoll_wait(ep, out, 4, 2000), 1);
	CHECK(out[0].data.fd == l && (out[0].events & EPOLLIN));
	s = accept(l, NULL, NULL);
	CHECK(s >= 0);
	CHECK_EQ(epoll_wait(ep, out, 4, 0), 0);
	/* Edge-triggered readability of the accepted socket. */
	ev.events = EPOLLIN | EPOLLET | EPOLLRDHUP;
	ev.data.fd = s;
	CHECK(epoll_ctl(ep, EPOLL_CTL_ADD, s, &ev) == 0);
	CHECK_EQ(epoll_wait(ep, out, 4, 0), 0);
	CHECK_EQ(write(c, "ab", 2), 2);
	CHECK_EQ(epoll_wait(ep, out, 4, 2000), 1);
	CHECK(out[0].data.fd == s && (out[0].events & EPOLLIN));
	CHECK_EQ(epoll_wait(ep, out, 4, 0), 0);	/* no new edge */
	CHECK_EQ(read(s, &b, 1), 1);
	CHECK(shutdown(c, SHUT_WR) == 0);
	CHECK_EQ(epoll_wait(ep, out, 4, 2000), 1);
	CHECK(out[0].events & EPOLLRDHUP);
	/* POLLOUT on a connected socket, none while connecting is impossible on loopback. */
	struct pollfd pfd = { .fd = c, .events = POLLOUT | POLLIN };

	CHECK(poll(&pfd, 1, 0) == 1 && pfd.revents == POLLOUT);
	close(ep);
	close(c);
	close(s);
	close(l);
	return 0;
}

static void sigchld_reap(int sig)
{
	while (waitpid(-1, NULL, WNOHANG) > 0)
		;
}

static int t_fork_server(void)
{
	enum { N = 12 };
	int port, l = listener(&port, 16);
	pid_t server, pids[N];

	CHECK(l >= 0);
	server = fork();
	if (server == 0) {
		signal(SIGCHLD, sigchld_reap);
		for (;;) {
			int s = accept(l, NULL, NULL);

			if (s < 0) {
				if (errno == EINTR)
					continue;
				_exit(1);
			}
			if (fork() == 0) {
				char buf[64];
				int n;

				close(l);
				n = snprintf(buf, sizeof(buf), "%d", (int)getpid());
				if (read(s, buf + 40, 8) != 4)
					_exit(1);
				write(s, buf, (size_t)n);
				close(s);
				_exit(0);
			}
			close(s);
		}
	}
	close(l);
	for (int i = 0; i < N; i++) {
		char buf[32] = { 0 };
		int c = connect_to(port);

		CHECK(c >= 0);
		CHECK_EQ(write(c, "GET!", 4), 4);
		CHECK(read(c, buf, sizeof(buf) - 1) > 0);
		pids[i] = atoi(buf);
		CHECK(pids[i] > 0 && pids[i] != server);
		for (int k = 0; k < i; k++)
			CHECK(pids[k] != pids[i]);
		close(c);
	}
	kill(server, SIGKILL);
	waitpid(server, NULL, 0);
	return 0;
}

static int t_ipv6(void)
{
	struct sockaddr_in6 a = { .sin6_family = AF_INET6, .sin6_addr = IN6ADDR_LOOPBACK_INIT }, p;
	socklen_t len = sizeof(a);
	int l = socket(AF_INET6, SOCK_STREAM, 0), c, s, v;
	char buf[8];

	CHECK(l >= 0);
	CHECK(getsockopt(l, IPPROTO_IPV6, IPV6_V6ONLY, &v, &len) == 0 && v == 0);
	CHECK(bind(l, (struct sockaddr *)&a, sizeof(a)) == 0 && listen(l, 4) == 0);
	len = sizeof(a);
	CHECK(getsockname(l, (struct sockaddr *)&a, &len) == 0 && len == sizeof(a));
	c = socket(AF_INET6, SOCK_STREAM, 0);
	CHECK(connect(c, (struct sockaddr *)&a, sizeof(a)) == 0);
	len = sizeof(p);
	s = accept(l, (struct sockaddr *)&p, &len);
	CHECK(s >= 0 && p.sin6_family == AF_INET6);
	CHECK(IN6_IS_ADDR_LOOPBACK(&p.sin6_addr));
	CHECK_EQ(write(c, "six", 3), 3);
	CHECK_EQ(read(s, buf, sizeof(buf)), 3);
	close(c);
	close(s);
	close(l);
	/* A dual-stack listener on :: sees an IPv4 client as ::ffff:127.0.0.1. */
	l = socket(AF_INET6, SOCK_STREAM, 0);
	a = (struct sockaddr_in6){ .sin6_family = AF_INET6, .sin6_addr = IN6ADDR_ANY_INIT };
	CHECK(bind(l, (struct sockaddr *)&a, sizeof(a)) == 0 && listen(l, 4) == 0);
	len = sizeof(a);
	CHECK(getsockname(l, (struct sockaddr *)&a, &len) == 0);
	c = connect_to(ntohs(a.sin6_port));
	CHECK(c >= 0);
	len = sizeof(p);
	s = accept(l, (struct sockaddr *)&p, &len);
	CHECK(s >= 0 && IN6_IS_ADDR_V4MAPPED(&p.sin6_addr));
	CHECK(((uint32_t *)&p.sin6_addr)[3] == htonl(INADDR_LOOPBACK));
	close(c);
	close(s);
	close(l);
	/* IPV6_V6ONLY: IPv4 cannot reach it, and it cannot bind an IPv4-mapped address. */
	l = socket(AF_INET6, SOCK_STREAM, 0);
	v = 1;
	CHECK(setsockopt(l, IPPROTO_IPV6, IPV6_V6ONLY, &v, sizeof(v)) == 0);
	a = (struct sockaddr_in6){ .sin6_family = AF_INET6, .sin6_addr = IN6ADDR_ANY_INIT };
	CHECK(bind(l, (struct sockaddr *)&a, sizeof(a)) == 0 && listen(l, 4) == 0);
	CHECK_ERR(setsockopt(l, IPPROTO_IPV6, IPV6_V6ONLY, &v, sizeof(v)), EINVAL);
	len = sizeof(a);
	CHECK(getsockname(l, (struct sockaddr *)&a, &len) == 0);
	struct sockaddr_in a4 = lo4(ntohs(a.sin6_port));

	c = socket(AF_INET, SOCK_STREAM, 0);
	CHECK_ERR(connect(c, (struct sockaddr *)&a4, sizeof(a4)), ECONNREFUSED);
	close(c);
	close(l);
	/* UDP over ::1, and ICMPv6's port unreachable for a connected socket. */
	int u = socket(AF_INET6, SOCK_DGRAM, 0), w = socket(AF_INET6, SOCK_DGRAM, 0);

	a = (struct sockaddr_in6){ .sin6_family = AF_INET6, .sin6_addr = IN6ADDR_LOOPBACK_INIT };
	CHECK(bind(u, (struct sockaddr *)&a, sizeof(a)) == 0);
	len = sizeof(a);
	CHECK(getsockname(u, (struct sockaddr *)&a, &len) == 0);
	CHECK(connect(w, (struct sockaddr *)&a, sizeof(a)) == 0);
	CHECK_EQ(send(w, "v6", 2, 0), 2);
	len = sizeof(p);
	CHECK_EQ(recvfrom(u, buf, sizeof(buf), 0, (struct sockaddr *)&p, &len), 2);
	CHECK(len == sizeof(p) && IN6_IS_ADDR_LOOPBACK(&p.sin6_addr));
	close(u);
	CHECK_EQ(send(w, "v6", 2, 0), 2);
	tap_sleep_ms(50);
	CHECK_ERR(recv(w, buf, sizeof(buf), MSG_DONTWAIT), ECONNREFUSED);
	close(w);
	return 0;
}

/* The /proc/net/{tcp,udp} row whose inode is @ino: its state in *st (0 if none). */
static bool proc_row(const char *file, unsigned long ino, unsigned *st, unsigned *lport)
{
	static char text[1 << 16];
	bool found = false;

	if (tap_read_file(file, text, sizeof(text)) <= 0)
		return false;
	for (char *p = strtok(text, "\n"); p; p = strtok(NULL, "\n")) {
		unsigned long i;
		unsigned s, lp;

		if (sscanf(p, " %*d: %*[0-9A-F]:%x %*[0-9A-F]:%*x %x %*x:%*x %*x:%*x %*x %*u %*u %lu",
			   &lp, &s, &i) == 3 && i == ino) {
			*st = s;
			*lport = lp;
			found = true;
		}
	}
	return found;
}

static int t_proc(void)
{
	int port, l = listener(&port, 4), c, s, u = socket(AF_INET, SOCK_DGRAM, 0);
	struct sockaddr_in ua = lo4(0);
	struct stat st;
	char link[64], want[64], line[64];
	unsigned state = 0, lport = 0;
	static char text[1 << 16];

	CHECK(l >= 0 && u >= 0);
	CHECK(tap_read_file("/proc/net/tcp", text, sizeof(text)) > 0);
	CHECK(!strncmp(text, "  sl  local_address rem_address   st tx_queue rx_queue tr "
		       "tm->when retrnsmt   uid  timeout inode", 91));
	CHECK(fstat(l, &st) == 0 && S_ISSOCK(st.st_mode));
	snprintf(link, sizeof(link), "/proc/self/fd/%d", l);
	ssize_t n = readlink(link, line, sizeof(line) - 1);

	CHECK(n > 0);
	line[n > 0 ? n : 0] = 0;
	snprintf(want, sizeof(want), "socket:[%lu]", (unsigned long)st.st_ino);
	CHECK(!strcmp(line, want));
	CHECK(proc_row("/proc/net/tcp", st.st_ino, &state, &lport));
	CHECK_EQ(state, 0x0A);	/* TCP_LISTEN */
	CHECK_EQ(lport, port);
	c = connect_to(port);
	s = accept(l, NULL, NULL);
	CHECK(c >= 0 && s >= 0);
	CHECK(fstat(s, &st) == 0);
	CHECK(proc_row("/proc/net/tcp", st.st_ino, &state, &lport));
	CHECK_EQ(state, 0x01);	/* TCP_ESTABLISHED */
	CHECK(bind(u, (struct sockaddr *)&ua, sizeof(ua)) == 0);
	CHECK(fstat(u, &st) == 0);
	CHECK(tap_read_file("/proc/net/udp", text, sizeof(text)) > 0);
	CHECK(!strncmp(text, "   sl  local_address rem_address   st tx_queue rx_queue tr "
		       "tm->when retrnsmt   uid  timeout inode ref pointer drops", 108));
	CHECK(proc_row("/proc/net/udp", st.st_ino, &state, &lport));
	CHECK_EQ(state, 0x07);
	/* An IPv6 listener is in /proc/net/tcp6, an IPv6 datagram socket in udp6. */
	struct sockaddr_in6 a6 = { .sin6_family = AF_INET6, .sin6_addr = IN6ADDR_LOOPBACK_INIT };
	int l6 = socket(AF_INET6, SOCK_STREAM, 0), u6 = socket(AF_INET6, SOCK_DGRAM, 0);

	CHECK(bind(l6, (struct sockaddr *)&a6, sizeof(a6)) == 0 && listen(l6, 1) == 0);
	CHECK(bind(u6, (struct sockaddr *)&a6, sizeof(a6)) == 0);
	CHECK(tap_read_file("/proc/net/tcp6", text, sizeof(text)) > 0);
	CHECK(!strncmp(text, "  sl  local_address                         remote_address", 58));
	CHECK(fstat(l6, &st) == 0);
	CHECK(proc_row("/proc/net/tcp6", st.st_ino, &state, &lport));
	CHECK_EQ(state, 0x0A);
	CHECK(fstat(u6, &st) == 0);
	CHECK(proc_row("/proc/net/udp6", st.st_ino, &state, &lport));
	CHECK_EQ(state, 0x07);
	return 0;
}

static bool leak_round(void)
{
	int c, s, u, v;
	bool ok;
	struct linger lg = { 1, 0 };
	static char buf[60000];	/* within what both ends buffer: the writer does not wait */
	struct sockaddr_in a = lo4(0);
	socklen_t len = sizeof(a);

	ok = tcp_pair(&c, &s);
	ok &= write(c, buf, sizeof(buf)) == sizeof(buf);
	ok &= recv(s, buf, sizeof(buf), MSG_WAITALL) == sizeof(buf);
	ok &= write(s, buf, 1000) == 1000;
	/* The client resets: no TIME_WAIT left behind (which lives a minute, as on Linux). */
	ok &= setsockopt(c, SOL_SOCKET, SO_LINGER, &lg, sizeof(lg)) == 0;
	close(c);
	close(s);
	u = socket(AF_INET, SOCK_DGRAM, 0);
	ok &= bind(u, (struct sockaddr *)&a, sizeof(a)) == 0;
	ok &= getsockname(u, (struct sockaddr *)&a, &len) == 0;
	v = socket(AF_INET, SOCK_DGRAM, 0);
	ok &= sendto(v, buf, 3000, 0, (struct sockaddr *)&a, sizeof(a)) == 3000;
	close(u);	/* with a datagram unread */
	close(v);
	return ok;
}

static int t_no_leaks(void)
{
	struct sysinfo si;
	unsigned long long before, after;

	if (!tap_on_sprout()) {
		tap_diag("exact free-memory accounting is Sprout's promise, not Linux's");
		return TAP_SKIP_STATUS;
	}
	for (int i = 0; i < 10; i++)
		CHECK(leak_round());
	tap_sleep_ms(300);
	CHECK(sysinfo(&si) == 0);
	before = (unsigned long long)si.freeram * si.mem_unit;
	for (int i = 0; i < 100; i++)
		CHECK(leak_round());
	tap_sleep_ms(300);
	CHECK(sysinfo(&si) == 0);
	after = (unsigned long long)si.freeram * si.mem_unit;
	if (before != after)
		tap_diag("free memory %llu before, %llu after", before, after);
	CHECK_EQ(after, before);
	return 0;
}

static int t_lossy(void)
{
	char old[32] = "0\n";
	bool ok;

	if (!tap_on_sprout()) {
		tap_diag("the lossy loopback (" LOSS_KNOB ") is Sprout's own");
		return TAP_SKIP_STATUS;
	}
	CHECK(tap_read_file(LOSS_KNOB, old, sizeof(old)) > 0);
	CHECK(tap_write_file(LOSS_KNOB, "7\n", 2, 0) == 0);
	ok = bulk(4ul << 20);
	tap_write_file(LOSS_KNOB, "0\n", 2, 0);
	CHECK(ok);
	return 0;
}

int main(void)
{
	signal(SIGPIPE, SIG_IGN);
	tap_plan(20);
	run_case("errors of socket, bind, listen, accept, send, recv, shutdown", t_errors);
	run_case("connect and accept on 127.0.0.1: names, data both ways, EISCONN",
		 t_connect_accept);
	run_case("options: SO_TYPE, SO_ERROR, TCP_NODELAY, SO_KEEPALIVE, buffers, SO_LINGER 0",
		 t_options);
	run_case("half close: SHUT_WR gives the peer EOF, the other way still flows",
		 t_half_close);
	run_case("EPIPE and SIGPIPE after SHUT_WR; MSG_NOSIGNAL", t_epipe);
	run_case("one process reads while another writes the same socket", t_duplex);
	run_case("SO_LINGER with a time: close waits for the peer to take the data", t_linger);
	run_case("sendmsg/recvmsg with iovecs, readv/writev, MSG_WAITALL, SO_RCVTIMEO",
		 t_msg_families);
	run_case("connect to a closed port: ECONNREFUSED, blocking and non-blocking", t_refused);
	run_case("non-blocking connect, accept, recv, send; MSG_PEEK, FIONREAD", t_nonblocking);
	run_case("EADDRINUSE and SO_REUSEADDR (TIME_WAIT)", t_addrinuse);
	run_case("32 connections at once, each its own data", t_many);
	run_case("64 MiB in odd pieces through one connection, checksum intact", t_bulk);
	run_case("UDP: datagrams, MSG_PEEK, MSG_TRUNC, connect, EMSGSIZE, EADDRINUSE, ICMP errors",
		 t_udp);
	run_case("epoll and poll readiness of listeners and connections", t_epoll);
	run_case("a server forking per connection serves 12 clients", t_fork_server);
	run_case("IPv6: ::1, dual-stack IPv4-mapped peers, IPV6_V6ONLY", t_ipv6);
	run_case("/proc/net/tcp and /proc/net/udp rows; /proc/self/fd socket:[inode]", t_proc);
	run_case("no memory leaks once TCP and UDP sockets are closed", t_no_leaks);
	run_case("4 MiB through a loopback that drops every 7th packet (retransmission)",
		 t_lossy);
	return tap_done();
}
