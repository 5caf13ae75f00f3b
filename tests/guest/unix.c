/*
 * AF_UNIX sockets (unix(7), socket(7)): stream, datagram and seqpacket; filesystem and abstract
 * names; the errors Linux gives; SCM_RIGHTS across fork and exec, SCM_CREDENTIALS, SO_PEERCRED;
 * shutdown, EPIPE and SIGPIPE; MSG_PEEK/WAITALL/DONTWAIT/TRUNC; non-blocking accept and connect;
 * poll; collection of a socket that only its own queue keeps alive; a server forking per
 * connection. Run with "--fd-child N" it is the exec'd receiver of the SCM_RIGHTS case.
 */
#define _GNU_SOURCE
#include <tap.h>
#include <stddef.h>
#include <poll.h>
#include <sys/socket.h>
#include <sys/un.h>

static const char *self_path;

static void set_path(struct sockaddr_un *a, socklen_t *len, const char *tag)
{
	memset(a, 0, sizeof(*a));
	a->sun_family = AF_UNIX;
	tap_tmppath(a->sun_path, sizeof(a->sun_path), tag);
	unlink(a->sun_path);
	*len = offsetof(struct sockaddr_un, sun_path) + strlen(a->sun_path) + 1;
}

static int send_fd(int sock, int fd, const char *byte)
{
	char buf[CMSG_SPACE(sizeof(int))];
	struct iovec iov = { (void *)byte, 1 };
	struct msghdr mh = { .msg_iov = &iov, .msg_iovlen = 1, .msg_control = buf,
			     .msg_controllen = sizeof(buf) };
	struct cmsghdr *c = CMSG_FIRSTHDR(&mh);

	memset(buf, 0, sizeof(buf));
	c->cmsg_level = SOL_SOCKET;
	c->cmsg_type = SCM_RIGHTS;
	c->cmsg_len = CMSG_LEN(sizeof(int));
	memcpy(CMSG_DATA(c), &fd, sizeof(int));
	return (int)sendmsg(sock, &mh, 0);
}

static int recv_fd(int sock, char *byte)
{
	char buf[CMSG_SPACE(sizeof(int))];
	struct iovec iov = { byte, 1 };
	struct msghdr mh = { .msg_iov = &iov, .msg_iovlen = 1, .msg_control = buf,
			     .msg_controllen = sizeof(buf) };
	struct cmsghdr *c;
	int fd = -1;

	if (recvmsg(sock, &mh, 0) != 1)
		return -1;
	c = CMSG_FIRSTHDR(&mh);
	if (!c || c->cmsg_type != SCM_RIGHTS || c->cmsg_len != CMSG_LEN(sizeof(int)))
		return -2;
	memcpy(&fd, CMSG_DATA(c), sizeof(int));
	return fd;
}

static int sigpipes;
static void on_sigpipe(int sig) { (void)sig; sigpipes++; }

static int t_errors(void)
{
	int p[2], s = socket(AF_UNIX, SOCK_DGRAM, 0);
	struct sockaddr_un a = { .sun_family = AF_UNIX };

	CHECK_ERR(socket(12345, SOCK_STREAM, 0), EAFNOSUPPORT);
	CHECK_ERR(socket(AF_UNIX, 99, 0), EINVAL);
	CHECK_ERR(socket(AF_UNIX, 12, 0), EINVAL);
	CHECK_ERR(socket(12345, 12, 0), EAFNOSUPPORT);
	CHECK_ERR(socketpair(AF_UNIX, 12, 0, p), EINVAL);
	CHECK_ERR(socket(AF_UNIX, SOCK_RDM, 0), ESOCKTNOSUPPORT);
	CHECK_ERR(socket(AF_UNIX, SOCK_STREAM, 7), EPROTONOSUPPORT);
	CHECK_ERR(socket(AF_UNIX, SOCK_STREAM | 0x1000000, 0), EINVAL);
	CHECK(pipe(p) == 0);
	CHECK_ERR(bind(p[0], (struct sockaddr *)&a, sizeof(a)), ENOTSOCK);
	CHECK_ERR(listen(99, 1), EBADF);
	CHECK_ERR(listen(s, 1), EOPNOTSUPP);
	CHECK_ERR(accept(s, NULL, NULL), EOPNOTSUPP);
	strcpy(a.sun_path, "/nonexistent/sock");
	CHECK_ERR(connect(s, (struct sockaddr *)&a, sizeof(a)), ENOENT);
	CHECK_ERR(send(s, "x", 1, 0), ENOTCONN);
	a.sun_family = AF_INET;
	CHECK_ERR(bind(s, (struct sockaddr *)&a, sizeof(a)), EINVAL);
	CHECK_ERR(getsockopt(s, SOL_SOCKET, 9999, &p[0], &(socklen_t){ 4 }), ENOPROTOOPT);
	return 0;
}

static int t_stream_pair(void)
{
	int sv[2], v = 0;
	char buf[16];
	socklen_t len = sizeof(v);

	CHECK(socketpair(AF_UNIX, SOCK_STREAM, 0, sv) == 0);
	CHECK_EQ(write(sv[0], "hello", 5), 5);
	CHECK_EQ(recv(sv[1], buf, sizeof(buf), MSG_PEEK), 5);
	CHECK_EQ(read(sv[1], buf, sizeof(buf)), 5);
	CHECK(!memcmp(buf, "hello", 5));
	CHECK_ERR(recv(sv[1], buf, 1, MSG_DONTWAIT), EAGAIN);
	CHECK(getsockopt(sv[0], SOL_SOCKET, SO_TYPE, &v, &len) == 0 && v == SOCK_STREAM);
	CHECK(getsockopt(sv[0], SOL_SOCKET, SO_DOMAIN, &v, &len) == 0 && v == AF_UNIX);
	CHECK(getsockopt(sv[0], SOL_SOCKET, SO_ACCEPTCONN, &v, &len) == 0 && v == 0);
	/* shutdown(SHUT_WR): the peer reads end of file; our writes fail. */
	CHECK(shutdown(sv[0], SHUT_WR) == 0);
	CHECK_EQ(read(sv[1], buf, sizeof(buf)), 0);
	CHECK_ERR(shutdown(sv[0], 7), EINVAL);
	signal(SIGPIPE, on_sigpipe);
	CHECK_ERR(write(sv[0], "x", 1), EPIPE);
	CHECK_EQ(sigpipes, 1);
	CHECK_ERR(send(sv[0], "x", 1, MSG_NOSIGNAL), EPIPE);
	CHECK_EQ(sigpipes, 1);
	/* The other way still works until the peer closes. */
	CHECK_EQ(write(sv[1], "ab", 2), 2);
	CHECK_EQ(read(sv[0], buf, sizeof(buf)), 2);
	close(sv[0]);
	CHECK_ERR(write(sv[1], "x", 1), EPIPE);
	CHECK_EQ(sigpipes, 2);
	return 0;
}

static int t_waitall(void)
{
	int sv[2];
	char buf[8];
	pid_t pid;

	CHECK(socketpair(AF_UNIX, SOCK_STREAM, 0, sv) == 0);
	pid = fork();
	if (pid == 0) {
		for (int i = 0; i < 8; i++) {
			tap_sleep_ms(5);
			if (write(sv[1], "abcdefgh" + i, 1) != 1)
				_exit(1);
		}
		_exit(0);
	}
	CHECK_EQ(recv(sv[0], buf, 8, MSG_WAITALL), 8);
	CHECK(!memcmp(buf, "abcdefgh", 8));
	CHECK(WIFEXITED(tap_wait_bounded(pid, 10)));
	return 0;
}

static int t_path_names(void)
{
	struct sockaddr_un a, b;
	socklen_t alen, blen = sizeof(b);
	struct stat st;
	int l, c, s;

	set_path(&a, &alen, "us");
	l = socket(AF_UNIX, SOCK_STREAM, 0);
	CHECK(bind(l, (struct sockaddr *)&a, alen) == 0);
	CHECK(stat(a.sun_path, &st) == 0 && S_ISSOCK(st.st_mode));
	CHECK_ERR(bind(l, (struct sockaddr *)&a, alen), EADDRINUSE);
	c = socket(AF_UNIX, SOCK_STREAM, 0);
	CHECK_ERR(bind(c, (struct sockaddr *)&a, alen), EADDRINUSE);
	CHECK_ERR(connect(c, (struct sockaddr *)&a, alen), ECONNREFUSED);	/* not listening */
	CHECK(listen(l, 5) == 0);
	CHECK_ERR(connect(l, (struct sockaddr *)&a, alen), EINVAL);	/* a listener to itself */
	CHECK(connect(c, (struct sockaddr *)&a, alen) == 0);
	CHECK_ERR(connect(c, (struct sockaddr *)&a, alen), EISCONN);
	s = accept(l, (struct sockaddr *)&b, &blen);
	CHECK(s >= 0);
	CHECK_EQ(blen, sizeof(sa_family_t));	/* the client is unnamed */
	blen = sizeof(b);
	CHECK(getpeername(c, (struct sockaddr *)&b, &blen) == 0);
	CHECK_EQ(blen, alen);
	CHECK(!strcmp(b.sun_path, a.sun_path));
	blen = sizeof(b);
	CHECK(getsockname(s, (struct sockaddr *)&b, &blen) == 0 && blen == alen);
	CHECK_EQ(send(c, "ping", 4, 0), 4);
	CHECK_EQ(recv(s, &b, 4, 0), 4);
	CHECK_ERR(open(a.sun_path, O_RDWR), ENXIO);	/* open(2): a socket is not opened */
	CHECK(unlink(a.sun_path) == 0);
	c = socket(AF_UNIX, SOCK_STREAM, 0);
	CHECK_ERR(connect(c, (struct sockaddr *)&a, alen), ENOENT);
	/* A regular file is not a socket. */
	CHECK(tap_write_file(a.sun_path, "x", 1, 0600) == 0);
	CHECK_ERR(connect(c, (struct sockaddr *)&a, alen), ECONNREFUSED);
	unlink(a.sun_path);
	return 0;
}

static int t_connect_permission(void)
{
	struct sockaddr_un a;
	socklen_t alen;
	int l = socket(AF_UNIX, SOCK_STREAM, 0), st;
	pid_t pid;

	set_path(&a, &alen, "uperm");
	CHECK(bind(l, (struct sockaddr *)&a, alen) == 0);
	CHECK(listen(l, 4) == 0);
	CHECK(chmod(a.sun_path, 0755) == 0);	/* nobody but the owner may write */
	pid = fork();
	if (pid == 0) {
		int c = socket(AF_UNIX, SOCK_STREAM, 0);

		if (getuid() == 0 && (setgid(65534) != 0 || setuid(65534) != 0))
			_exit(2);
		if (connect(c, (struct sockaddr *)&a, alen) == 0 || errno != EACCES)
			_exit(3);
		_exit(0);
	}
	st = tap_wait_bounded(pid, 10);
	CHECK(WIFEXITED(st) && WEXITSTATUS(st) == 0);
	CHECK(chmod(a.sun_path, 0777) == 0);
	unlink(a.sun_path);
	return 0;
}

static int t_abstract_autobind(void)
{
	struct sockaddr_un a = { .sun_family = AF_UNIX }, b;
	socklen_t alen, blen = sizeof(b);
	int s = socket(AF_UNIX, SOCK_DGRAM, 0), t = socket(AF_UNIX, SOCK_DGRAM, 0);
	char buf[8];

	snprintf(a.sun_path + 1, sizeof(a.sun_path) - 1, "sprout-abs-%d", getpid());
	alen = offsetof(struct sockaddr_un, sun_path) + 1 + strlen(a.sun_path + 1);
	CHECK(bind(s, (struct sockaddr *)&a, alen) == 0);
	CHECK_ERR(bind(socket(AF_UNIX, SOCK_DGRAM, 0), (struct sockaddr *)&a, alen), EADDRINUSE);
	CHECK(getsockname(s, (struct sockaddr *)&b, &blen) == 0 && blen == alen);
	CHECK(!memcmp(&a, &b, alen));
	/* Autobind: an abstract name of 5 hex digits. */
	blen = sizeof(b);
	CHECK(bind(t, (struct sockaddr *)&a, sizeof(sa_family_t)) == 0);
	CHECK(getsockname(t, (struct sockaddr *)&b, &blen) == 0);
	CHECK_EQ(blen, offsetof(struct sockaddr_un, sun_path) + 6);
	CHECK_EQ(b.sun_path[0], 0);
	CHECK_EQ(sendto(t, "hey", 3, 0, (struct sockaddr *)&a, alen), 3);
	blen = sizeof(b);
	CHECK_EQ(recvfrom(s, buf, 1, MSG_PEEK, NULL, NULL), 1);
	CHECK_EQ(recvfrom(s, buf, 1, MSG_TRUNC, (struct sockaddr *)&b, &blen), 3);
	CHECK_EQ(blen, offsetof(struct sockaddr_un, sun_path) + 6);
	CHECK_ERR(recv(s, buf, 1, MSG_DONTWAIT), EAGAIN);
	return 0;
}

static int t_dgram_seqpacket(void)
{
	int sv[2], q[2];
	char buf[64];
	struct iovec iov = { buf, 4 };
	struct msghdr mh = { .msg_iov = &iov, .msg_iovlen = 1 };

	CHECK(socketpair(AF_UNIX, SOCK_DGRAM, 0, sv) == 0);
	CHECK_EQ(send(sv[0], "one", 3, 0), 3);
	CHECK_EQ(send(sv[0], "twotwo", 6, 0), 6);
	struct sockaddr_un from;
	socklen_t flen = sizeof(from);

	CHECK_EQ(recvfrom(sv[1], buf, sizeof(buf), 0, (struct sockaddr *)&from, &flen), 3);
	CHECK_EQ(flen, 0);	/* the sender has no name */
	CHECK_EQ(recvmsg(sv[1], &mh, 0), 4);
	CHECK(mh.msg_flags & MSG_TRUNC);
	/* Non-blocking sends stop when the receiver's queue is full. */
	int n = 0;

	while (send(sv[0], "x", 1, MSG_DONTWAIT) == 1 && n < 100000)
		n++;
	CHECK_EQ(errno, EAGAIN);
	CHECK(n > 0);
	CHECK(socketpair(AF_UNIX, SOCK_SEQPACKET, 0, q) == 0);
	CHECK_EQ(send(q[0], "abc", 3, 0), 3);
	CHECK_EQ(send(q[0], "defg", 4, 0), 4);
	CHECK_EQ(recv(q[1], buf, 2, 0), 2);		/* the rest of a record is lost */
	CHECK_EQ(recv(q[1], buf, sizeof(buf), 0), 4);
	CHECK(!memcmp(buf, "defg", 4));
	close(q[0]);
	CHECK_EQ(recv(q[1], buf, sizeof(buf), 0), 0);
	return 0;
}

static int t_nonblock_backlog(void)
{
	struct sockaddr_un a;
	socklen_t alen;
	int l = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK, 0), c[8], n = 0, r;

	set_path(&a, &alen, "ub");
	CHECK(bind(l, (struct sockaddr *)&a, alen) == 0);
	CHECK(listen(l, 1) == 0);
	CHECK_ERR(accept(l, NULL, NULL), EAGAIN);
	for (;;) {
		c[n] = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK, 0);
		r = connect(c[n], (struct sockaddr *)&a, alen);
		if (r < 0)
			break;
		if (++n == 8)
			break;
	}
	CHECK(r < 0 && errno == EAGAIN);
	CHECK(n >= 1 && n < 8);
	r = accept4(l, NULL, NULL, SOCK_CLOEXEC);
	CHECK(r >= 0);
	CHECK(fcntl(r, F_GETFD) == FD_CLOEXEC);
	CHECK(connect(c[n], (struct sockaddr *)&a, alen) == 0);	/* room again */
	unlink(a.sun_path);
	return 0;
}

static int t_blocking_connect(void)
{
	struct sockaddr_un a;
	socklen_t alen;
	int l = socket(AF_UNIX, SOCK_STREAM, 0), c1 = socket(AF_UNIX, SOCK_STREAM, 0), st;
	pid_t pid;

	set_path(&a, &alen, "uw");
	CHECK(bind(l, (struct sockaddr *)&a, alen) == 0);
	CHECK(listen(l, 0) == 0);
	CHECK(connect(c1, (struct sockaddr *)&a, alen) == 0);	/* fills the backlog */
	pid = fork();
	if (pid == 0) {
		int c2 = socket(AF_UNIX, SOCK_STREAM, 0);

		_exit(connect(c2, (struct sockaddr *)&a, alen) == 0 ? 0 : 1);
	}
	tap_sleep_ms(100);
	CHECK_EQ(waitpid(pid, &st, WNOHANG), 0);	/* still waiting for room */
	CHECK(accept(l, NULL, NULL) >= 0);
	st = tap_wait_bounded(pid, 10);
	CHECK(WIFEXITED(st) && WEXITSTATUS(st) == 0);
	unlink(a.sun_path);
	return 0;
}

static int t_poll(void)
{
	int sv[2];
	struct pollfd p[2];
	char buf[4];

	CHECK(socketpair(AF_UNIX, SOCK_STREAM, 0, sv) == 0);
	p[0] = (struct pollfd){ sv[0], POLLIN | POLLOUT, 0 };
	CHECK_EQ(poll(p, 1, 0), 1);
	CHECK_EQ(p[0].revents, POLLOUT);
	if (fork() == 0) {
		tap_sleep_ms(50);
		_exit(write(sv[1], "z", 1) == 1 ? 0 : 1);
	}
	p[0].events = POLLIN;
	CHECK_EQ(poll(p, 1, 5000), 1);
	CHECK_EQ(p[0].revents, POLLIN);
	CHECK_EQ(read(sv[0], buf, 4), 1);
	close(sv[1]);
	p[0].events = POLLIN | POLLRDHUP;
	CHECK_EQ(poll(p, 1, 5000), 1);
	CHECK_EQ(p[0].revents, POLLIN | POLLRDHUP | POLLHUP);
	wait(NULL);
	return 0;
}

static int t_scm_rights(void)
{
	int sv[2], p[2], fd;
	char b = 0, buf[16];
	pid_t pid;

	CHECK(socketpair(AF_UNIX, SOCK_STREAM, 0, sv) == 0);
	CHECK(pipe(p) == 0);
	pid = fork();
	if (pid == 0) {
		/* The child gets the read end of a pipe its parent opened later. */
		close(sv[0]);
		fd = recv_fd(sv[1], &b);
		if (fd < 0 || b != 'R')
			_exit(2);
		_exit(read(fd, buf, sizeof(buf)) == 4 && !memcmp(buf, "data", 4) ? 0 : 3);
	}
	CHECK_EQ(send_fd(sv[0], p[0], "R"), 1);
	close(p[0]);
	CHECK_EQ(write(p[1], "data", 4), 4);
	int st = tap_wait_bounded(pid, 10);

	CHECK(WIFEXITED(st) && WEXITSTATUS(st) == 0);
	/* A bad descriptor in SCM_RIGHTS: EBADF, nothing sent. */
	CHECK_ERR(send_fd(sv[0], 999, "x"), EBADF);
	/* Two descriptors, room for one: the first arrives (close-on-exec as asked), MSG_CTRUNC. */
	{
		int q[2], two[2], got;
		char cbuf[CMSG_SPACE(2 * sizeof(int))], rbuf[CMSG_SPACE(sizeof(int))];
		struct iovec iov = { "2", 1 };
		struct msghdr mh = { .msg_iov = &iov, .msg_iovlen = 1, .msg_control = cbuf,
				     .msg_controllen = CMSG_SPACE(2 * sizeof(int)) };
		struct cmsghdr *c = CMSG_FIRSTHDR(&mh);

		CHECK(pipe(q) == 0);
		two[0] = two[1] = q[1];
		memset(cbuf, 0, sizeof(cbuf));
		c->cmsg_level = SOL_SOCKET;
		c->cmsg_type = SCM_RIGHTS;
		c->cmsg_len = CMSG_LEN(2 * sizeof(int));
		memcpy(CMSG_DATA(c), two, sizeof(two));
		CHECK_EQ(sendmsg(sv[0], &mh, 0), 1);
		iov.iov_base = &b;
		mh.msg_control = rbuf;
		mh.msg_controllen = CMSG_LEN(sizeof(int));	/* room for exactly one */
		CHECK_EQ(recvmsg(sv[1], &mh, MSG_CMSG_CLOEXEC), 1);
		CHECK(mh.msg_flags & MSG_CTRUNC);
		c = CMSG_FIRSTHDR(&mh);
		CHECK(c && c->cmsg_type == SCM_RIGHTS && c->cmsg_len == CMSG_LEN(sizeof(int)));
		if (c) {
			memcpy(&got, CMSG_DATA(c), sizeof(int));
			CHECK_EQ(fcntl(got, F_GETFD), FD_CLOEXEC);
			CHECK_EQ(write(got, "y", 1), 1);
			CHECK_EQ(read(q[0], &b, 1), 1);
		}
	}
	return 0;
}

static int t_scm_exec(void)
{
	int sv[2], p[2];
	char arg[16];
	pid_t pid;

	CHECK(socketpair(AF_UNIX, SOCK_DGRAM, 0, sv) == 0);
	CHECK(pipe(p) == 0);
	CHECK_EQ(send_fd(sv[0], p[1], "E"), 1);	/* in flight before the exec */
	close(p[1]);
	pid = fork();
	if (pid == 0) {
		int gone = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
		char arg2[16];

		snprintf(arg, sizeof(arg), "%d", sv[1]);
		snprintf(arg2, sizeof(arg2), "%d", gone);
		execl(self_path, self_path, "--fd-child", arg, arg2, (char *)NULL);
		_exit(127);
	}
	close(sv[1]);
	char buf[8] = { 0 };

	CHECK_EQ(read(p[0], buf, sizeof(buf)), 5);
	CHECK(!memcmp(buf, "exec!", 5));
	int st = tap_wait_bounded(pid, 10);

	CHECK(WIFEXITED(st) && WEXITSTATUS(st) == 0);
	return 0;
}

static int fd_child(int sock, int gone)
{
	char b;
	int fd;

	/* The inherited socket is here; the SOCK_CLOEXEC one was closed by exec. */
	if (fcntl(gone, F_GETFD) != -1 || errno != EBADF)
		return 4;
	fd = recv_fd(sock, &b);

	if (fd < 0 || b != 'E')
		return 2;
	return write(fd, "exec!", 5) == 5 ? 0 : 3;
}

static int t_creds(void)
{
	int sv[2], on = 1;
	struct ucred uc;
	socklen_t len = sizeof(uc);
	char cbuf[CMSG_SPACE(sizeof(struct ucred))], b;
	struct iovec iov = { &b, 1 };
	struct msghdr mh = { .msg_iov = &iov, .msg_iovlen = 1, .msg_control = cbuf,
			     .msg_controllen = sizeof(cbuf) };
	struct cmsghdr *c;

	CHECK(socketpair(AF_UNIX, SOCK_STREAM, 0, sv) == 0);
	CHECK(getsockopt(sv[0], SOL_SOCKET, SO_PEERCRED, &uc, &len) == 0);
	CHECK_EQ(len, sizeof(uc));
	CHECK_EQ(uc.pid, getpid());
	CHECK_EQ(uc.uid, geteuid());
	CHECK_EQ(uc.gid, getegid());
	CHECK(setsockopt(sv[1], SOL_SOCKET, SO_PASSCRED, &on, sizeof(on)) == 0);
	if (fork() == 0)
		_exit(write(sv[0], "c", 1) == 1 ? 0 : 1);
	wait(NULL);
	CHECK_EQ(recvmsg(sv[1], &mh, 0), 1);
	c = CMSG_FIRSTHDR(&mh);
	CHECK(c && c->cmsg_type == SCM_CREDENTIALS);
	if (c) {
		memcpy(&uc, CMSG_DATA(c), sizeof(uc));
		CHECK(uc.pid != getpid() && uc.pid > 0);
		CHECK_EQ(uc.uid, getuid());
	}
	/* Claiming another pid is EPERM for a non-root sender only; claiming our own works. */
	memset(cbuf, 0, sizeof(cbuf));
	mh.msg_controllen = sizeof(cbuf);
	c = CMSG_FIRSTHDR(&mh);
	c->cmsg_level = SOL_SOCKET;
	c->cmsg_type = SCM_CREDENTIALS;
	c->cmsg_len = CMSG_LEN(sizeof(uc));
	uc = (struct ucred){ getpid(), getuid(), getgid() };
	memcpy(CMSG_DATA(c), &uc, sizeof(uc));
	CHECK_EQ(sendmsg(sv[0], &mh, 0), 1);
	return 0;
}

static int t_gc_cycle(void)
{
	int sv[2], x[2];
	struct pollfd p;
	char b;

	/* sv[1] travels in its own queue; once closed, only that queue holds it. */
	CHECK(socketpair(AF_UNIX, SOCK_STREAM, 0, sv) == 0);
	CHECK_EQ(send_fd(sv[0], sv[1], "g"), 1);
	close(sv[1]);
	/* Closing another unix socket runs the collector. */
	CHECK(socketpair(AF_UNIX, SOCK_STREAM, 0, x) == 0);
	close(x[0]);
	close(x[1]);
	p = (struct pollfd){ sv[0], POLLIN, 0 };
	CHECK_EQ(poll(&p, 1, 5000), 1);
	CHECK_EQ(read(sv[0], &b, 1), 0);	/* the peer was freed: end of file */
	return 0;
}

static int t_sockopts(void)
{
	int sv[2], v;
	socklen_t len = sizeof(v);
	struct timeval tv = { 0, 100 * 1000 }, got;
	struct linger lg = { 1, 5 }, lg2;
	char b;

	CHECK(socketpair(AF_UNIX, SOCK_STREAM, 0, sv) == 0);
	v = 10000;
	CHECK(setsockopt(sv[0], SOL_SOCKET, SO_SNDBUF, &v, sizeof(v)) == 0);
	CHECK(getsockopt(sv[0], SOL_SOCKET, SO_SNDBUF, &v, &len) == 0);
	CHECK_EQ(v, 20000);	/* socket(7): the kernel doubles it */
	v = 1;
	CHECK(setsockopt(sv[0], SOL_SOCKET, SO_REUSEADDR, &v, sizeof(v)) == 0);
	CHECK(getsockopt(sv[0], SOL_SOCKET, SO_REUSEADDR, &v, &len) == 0 && v == 1);
	CHECK(setsockopt(sv[0], SOL_SOCKET, SO_KEEPALIVE, &v, sizeof(v)) == 0);
	CHECK(getsockopt(sv[0], SOL_SOCKET, SO_KEEPALIVE, &v, &len) == 0 && v == 1);
	CHECK(getsockopt(sv[0], SOL_SOCKET, SO_ERROR, &v, &len) == 0 && v == 0);
	CHECK(getsockopt(sv[0], SOL_SOCKET, SO_PROTOCOL, &v, &len) == 0 && v == 0);
	CHECK_ERR(setsockopt(sv[0], SOL_SOCKET, SO_KEEPALIVE, &v, 2), EINVAL);
	CHECK(setsockopt(sv[0], SOL_SOCKET, SO_LINGER, &lg, sizeof(lg)) == 0);
	len = sizeof(lg2);
	CHECK(getsockopt(sv[0], SOL_SOCKET, SO_LINGER, &lg2, &len) == 0);
	CHECK(len == sizeof(lg2) && lg2.l_onoff == 1 && lg2.l_linger == 5);
	/* SO_RCVTIMEO: a receive gives up with EAGAIN. */
	CHECK(setsockopt(sv[0], SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv)) == 0);
	len = sizeof(got);
	CHECK(getsockopt(sv[0], SOL_SOCKET, SO_RCVTIMEO, &got, &len) == 0);
	CHECK(got.tv_sec == 0 && got.tv_usec == 100000);
	long long t0 = tap_now_ms();

	CHECK_ERR(read(sv[0], &b, 1), EAGAIN);
	CHECK(tap_now_ms() - t0 >= 90);
	/* A short option buffer gets a truncated value. */
	len = 2;
	CHECK(getsockopt(sv[0], SOL_SOCKET, SO_TYPE, &v, &len) == 0 && len == 2);
	return 0;
}

static int t_mmsg(void)
{
	int sv[2];
	char in[3][8];
	struct iovec iov[3];
	struct mmsghdr mm[3];

	CHECK(socketpair(AF_UNIX, SOCK_DGRAM, 0, sv) == 0);
	memset(mm, 0, sizeof(mm));
	for (int i = 0; i < 3; i++) {
		iov[i].iov_base = (char *)"abc" + i;
		iov[i].iov_len = 3 - i;
		mm[i].msg_hdr.msg_iov = &iov[i];
		mm[i].msg_hdr.msg_iovlen = 1;
	}
	CHECK_EQ(sendmmsg(sv[0], mm, 3, 0), 3);
	CHECK(mm[0].msg_len == 3 && mm[1].msg_len == 2 && mm[2].msg_len == 1);
	memset(mm, 0, sizeof(mm));
	for (int i = 0; i < 3; i++) {
		iov[i].iov_base = in[i];
		iov[i].iov_len = sizeof(in[i]);
		mm[i].msg_hdr.msg_iov = &iov[i];
		mm[i].msg_hdr.msg_iovlen = 1;
	}
	CHECK_EQ(recvmmsg(sv[1], mm, 3, MSG_WAITFORONE, NULL), 3);
	CHECK(mm[0].msg_len == 3 && !memcmp(in[0], "abc", 3));
	CHECK(mm[2].msg_len == 1 && in[2][0] == 'c');
	CHECK_ERR(recvmmsg(sv[1], mm, 3, MSG_DONTWAIT, NULL), EAGAIN);
	return 0;
}

/* One round of everything: names, connections, data, descriptors in flight, a cycle. */
static bool leak_round(int n)
{
	struct sockaddr_un a;
	socklen_t alen;
	int l, c, s, sv[2], p[2];
	char buf[4096] = { 0 }, b;
	bool ok = true;

	set_path(&a, &alen, "ul");
	l = socket(AF_UNIX, SOCK_STREAM, 0);
	ok &= bind(l, (struct sockaddr *)&a, alen) == 0 && listen(l, 2) == 0;
	c = socket(AF_UNIX, SOCK_STREAM, 0);
	ok &= connect(c, (struct sockaddr *)&a, alen) == 0;
	s = accept(l, NULL, NULL);
	ok &= s >= 0 && write(c, buf, sizeof(buf)) == sizeof(buf);
	ok &= recv(s, buf, sizeof(buf), MSG_WAITALL) == sizeof(buf);
	ok &= socketpair(AF_UNIX, n % 2 ? SOCK_DGRAM : SOCK_SEQPACKET, 0, sv) == 0;
	ok &= pipe(p) == 0 && send_fd(sv[0], p[0], "p") == 1;	/* never received */
	ok &= send_fd(sv[0], sv[1], "s") == 1;			/* a cycle */
	ok &= send_fd(c, s, "x") == 1 && recv_fd(s, &b) >= 0;	/* received */
	close(p[0]);
	close(p[1]);
	close(sv[0]);
	close(sv[1]);
	/* An unaccepted connection with unread data, then everything closed. */
	int d = socket(AF_UNIX, SOCK_STREAM, 0);

	ok &= connect(d, (struct sockaddr *)&a, alen) == 0 && write(d, "y", 1) == 1;
	for (int fd = 3; fd < 64; fd++)
		close(fd);
	unlink(a.sun_path);
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
	for (int i = 0; i < 20; i++)
		CHECK(leak_round(i));
	/* A unix socket's release runs the collector for the cycles. */
	int x[2];

	CHECK(socketpair(AF_UNIX, SOCK_STREAM, 0, x) == 0);
	close(x[0]);
	close(x[1]);
	CHECK(sysinfo(&si) == 0);
	before = (unsigned long long)si.freeram * si.mem_unit;
	for (int i = 0; i < 200; i++)
		CHECK(leak_round(i));
	CHECK(socketpair(AF_UNIX, SOCK_STREAM, 0, x) == 0);
	close(x[0]);
	close(x[1]);
	CHECK(sysinfo(&si) == 0);
	after = (unsigned long long)si.freeram * si.mem_unit;
	if (before != after)
		tap_diag("free memory %llu before, %llu after", before, after);
	CHECK_EQ(after, before);
	return 0;
}

static int t_peer_gone(void)
{
	int sv[2], s;
	char b;

	signal(SIGPIPE, on_sigpipe);
	/* seqpacket: EPIPE, but no SIGPIPE (unlike streams). */
	CHECK(socketpair(AF_UNIX, SOCK_SEQPACKET, 0, sv) == 0);
	close(sv[1]);
	CHECK_ERR(send(sv[0], "x", 1, 0), EPIPE);
	CHECK(socketpair(AF_UNIX, SOCK_SEQPACKET, 0, sv) == 0);
	CHECK(shutdown(sv[1], SHUT_RD) == 0);
	CHECK_ERR(send(sv[0], "x", 1, 0), EPIPE);
	CHECK_EQ(sigpipes, 0);
	/* A connected datagram socket whose peer is gone: refused, then unconnected. */
	CHECK(socketpair(AF_UNIX, SOCK_DGRAM, 0, sv) == 0);
	close(sv[1]);
	CHECK_ERR(send(sv[0], "x", 1, 0), ECONNREFUSED);
	CHECK_ERR(send(sv[0], "x", 1, 0), ENOTCONN);
	/* Receiving on sockets that are not connected. */
	s = socket(AF_UNIX, SOCK_SEQPACKET, 0);
	CHECK_ERR(recv(s, &b, 1, 0), ENOTCONN);
	s = socket(AF_UNIX, SOCK_STREAM, 0);
	CHECK_ERR(recv(s, &b, 1, 0), EINVAL);
	CHECK_ERR(getpeername(s, (struct sockaddr *)&(struct sockaddr_un){ 0 },
			      &(socklen_t){ sizeof(struct sockaddr_un) }), ENOTCONN);
	s = socket(AF_UNIX, SOCK_DGRAM, 0);
	CHECK_ERR(recv(s, &b, 1, MSG_DONTWAIT), EAGAIN);
	/* A stream peer that closes with data unread: the other end sees ECONNRESET. */
	CHECK(socketpair(AF_UNIX, SOCK_STREAM, 0, sv) == 0);
	CHECK_EQ(write(sv[0], "unread", 6), 6);
	close(sv[1]);
	CHECK_ERR(recv(sv[0], &b, 1, 0), ECONNRESET);
	CHECK_EQ(recv(sv[0], &b, 1, 0), 0);
	return 0;
}

static uint32_t mix(uint32_t h, unsigned char c)
{
	return (h ^ c) * 16777619u;
}

static int t_bulk(void)
{
	enum { TOTAL = 8 << 20 };
	int sv[2], pfd[2];
	static unsigned char buf[70000];
	uint32_t sum = 2166136261u, want = 0;
	size_t got = 0;
	pid_t pid;

	CHECK(socketpair(AF_UNIX, SOCK_STREAM, 0, sv) == 0);
	CHECK(pipe(pfd) == 0);
	pid = fork();
	if (pid == 0) {
		uint32_t h = 2166136261u, x = 12345;
		size_t sent = 0;

		close(sv[0]);
		while (sent < TOTAL) {
			size_t n = 1 + (x = x * 1103515245 + 12345) % sizeof(buf);

			if (n > TOTAL - sent)
				n = TOTAL - sent;
			for (size_t i = 0; i < n; i++) {
				buf[i] = (unsigned char)(sent + i) ^ (unsigned char)(x >> 16);
				h = mix(h, buf[i]);
			}
			for (size_t off = 0; off < n;) {
				ssize_t w = write(sv[1], buf + off, n - off);

				if (w <= 0)
					_exit(1);
				off += (size_t)w;
			}
			sent += n;
		}
		_exit(write(pfd[1], &h, 4) == 4 ? 0 : 1);
	}
	close(sv[1]);
	for (unsigned k = 1; got < TOTAL; k++) {
		ssize_t r = read(sv[0], buf, 1 + (k * 7919) % sizeof(buf));

		if (!CHECK(r > 0))
			break;
		for (ssize_t i = 0; i < r; i++)
			sum = mix(sum, buf[i]);
		got += (size_t)r;
	}
	CHECK_EQ(got, TOTAL);
	CHECK_EQ(read(sv[0], buf, 1), 0);
	CHECK_EQ(read(pfd[0], &want, 4), 4);
	CHECK_EQ(sum, want);
	int st = tap_wait_bounded(pid, 30);

	CHECK(WIFEXITED(st) && WEXITSTATUS(st) == 0);
	return 0;
}

static int t_many_senders(void)
{
	enum { SENDERS = 8, EACH = 200 };
	int sv[2], count[SENDERS] = { 0 }, total = 0;
	char msg[32];

	CHECK(socketpair(AF_UNIX, SOCK_DGRAM, 0, sv) == 0);
	for (int i = 0; i < SENDERS; i++) {
		if (fork() == 0) {
			for (int j = 0; j < EACH; j++) {
				int n = snprintf(msg, sizeof(msg), "%d %d", i, j);

				if (send(sv[0], msg, (size_t)n, 0) != n)
					_exit(1);
			}
			_exit(0);
		}
	}
	while (total < SENDERS * EACH) {
		int i, j;
		ssize_t r = recv(sv[1], msg, sizeof(msg) - 1, 0);

		if (!CHECK(r > 0))
			break;
		msg[r] = 0;
		/* Datagrams of one sender arrive whole and in order. */
		if (!CHECK(sscanf(msg, "%d %d", &i, &j) == 2 && i >= 0 && i < SENDERS &&
			   j == count[i]))
			break;
		count[i]++;
		total++;
	}
	CHECK_EQ(total, SENDERS * EACH);
	for (int i = 0; i < SENDERS; i++) {
		int st;

		wait(&st);
		CHECK(WIFEXITED(st) && WEXITSTATUS(st) == 0);
	}
	return 0;
}

static int t_nesting(void)
{
	enum { DEPTH = 64 };
	int a[DEPTH], b[DEPTH], i, refused = -1;

	/* b[i] travels into b[i+1]'s queue: sockets inside sockets inside sockets. Freeing the
	 * chain must not exhaust the kernel's stack; Sprout bounds the depth as Linux's
	 * MAX_RECURSION_LEVEL does (ETOOMANYREFS), newer Linux kernels may allow it. */
	for (i = 0; i < DEPTH; i++) {
		int sv[2];

		CHECK(socketpair(AF_UNIX, SOCK_DGRAM, 0, sv) == 0);
		a[i] = sv[0];
		b[i] = sv[1];
	}
	for (i = 0; i + 1 < DEPTH; i++) {
		if (send_fd(a[i + 1], b[i], "n") != 1) {
			CHECK_EQ(errno, ETOOMANYREFS);
			refused = i;
			break;
		}
	}
	if (tap_on_sprout())
		CHECK(refused > 0 && refused <= 8);
	for (i = 0; i < DEPTH; i++) {
		close(a[i]);
		close(b[i]);
	}
	/* Still alive, and sockets still work. */
	int sv[2];

	CHECK(socketpair(AF_UNIX, SOCK_STREAM, 0, sv) == 0);
	CHECK_EQ(write(sv[0], "ok", 2), 2);
	return 0;
}

static int t_fork_per_connection(void)
{
	struct sockaddr_un a;
	socklen_t alen;
	int l = socket(AF_UNIX, SOCK_STREAM, 0), ok = 0;
	enum { N = 16 };
	pid_t server;

	set_path(&a, &alen, "uf");
	CHECK(bind(l, (struct sockaddr *)&a, alen) == 0);
	CHECK(listen(l, 4) == 0);
	server = fork();
	if (server == 0) {
		for (int i = 0; i < N; i++) {
			int c = accept(l, NULL, NULL);
			char buf[32];

			if (c < 0)
				_exit(1);
			if (fork() == 0) {
				ssize_t n = read(c, buf, sizeof(buf));

				snprintf(buf + n, sizeof(buf) - n, "@%d", getpid());
				_exit(write(c, buf, strlen(buf)) > 0 ? 0 : 1);
			}
			close(c);
			while (waitpid(-1, NULL, WNOHANG) > 0)
				;
		}
		while (wait(NULL) > 0)
			;
		_exit(0);
	}
	close(l);
	int fds[N];

	for (int i = 0; i < N; i++) {
		fds[i] = socket(AF_UNIX, SOCK_STREAM, 0);
		CHECK(connect(fds[i], (struct sockaddr *)&a, alen) == 0);
		CHECK_EQ(write(fds[i], "hi", 2), 2);
	}
	for (int i = 0; i < N; i++) {
		char buf[32] = { 0 };

		if (read(fds[i], buf, sizeof(buf) - 1) > 3 && !strncmp(buf, "hi@", 3))
			ok++;
	}
	CHECK_EQ(ok, N);
	int st = tap_wait_bounded(server, 20);

	CHECK(WIFEXITED(st) && WEXITSTATUS(st) == 0);
	unlink(a.sun_path);
	return 0;
}

static int t_proc(void)
{
	struct sockaddr_un a;
	socklen_t alen;
	struct stat st;
	char link[64], want[64], *text = malloc(1 << 20), line[256];
	int l = socket(AF_UNIX, SOCK_STREAM, 0);
	bool found = false;

	set_path(&a, &alen, "up");
	CHECK(bind(l, (struct sockaddr *)&a, alen) == 0);
	CHECK(listen(l, 3) == 0);
	CHECK(fstat(l, &st) == 0 && S_ISSOCK(st.st_mode));
	snprintf(link, sizeof(link), "/proc/self/fd/%d", l);
	ssize_t n = readlink(link, line, sizeof(line) - 1);

	CHECK(n > 0);
	line[n > 0 ? n : 0] = 0;
	snprintf(want, sizeof(want), "socket:[%lu]", (unsigned long)st.st_ino);
	CHECK(!strcmp(line, want));
	/* /proc/net/unix: the listening socket, its inode and its path. */
	CHECK(tap_read_file("/proc/net/unix", text, 1 << 20) > 0);
	CHECK(!strncmp(text, "Num       RefCount Protocol Flags    Type St Inode Path\n", 56));
	for (char *p = strtok(text, "\n"); p; p = strtok(NULL, "\n")) {
		unsigned long ino;
		unsigned flags, type, state;
		char path[128] = "";

		if (sscanf(p, "%*s %*s %*s %x %x %x %lu %127s", &flags, &type, &state, &ino,
			   path) < 4)
			continue;
		if (ino == (unsigned long)st.st_ino) {
			found = true;
			CHECK_EQ(flags, 0x10000);
			CHECK_EQ(type, SOCK_STREAM);
			CHECK(!strcmp(path, a.sun_path));
		}
	}
	CHECK(found);
	unlink(a.sun_path);
	return 0;
}

static int t_flags(void)
{
	int sv[2];
	char b;

	CHECK(socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0, sv) == 0);
	CHECK(fcntl(sv[0], F_GETFD) == FD_CLOEXEC);
	CHECK(fcntl(sv[1], F_GETFL) & O_NONBLOCK);
	CHECK_ERR(read(sv[1], &b, 1), EAGAIN);
	CHECK_ERR(socketpair(AF_UNIX, SOCK_STREAM, 0, tap_bad_ptr(16)), EFAULT);
	return 0;
}

int main(int argc, char **argv)
{
	self_path = argv[0];
	if (argc == 4 && !strcmp(argv[1], "--fd-child"))
		return fd_child(atoi(argv[2]), atoi(argv[3]));
	tap_plan(24);
	run_case("errors of socket, bind, connect, listen, accept", t_errors);
	run_case("stream socketpair: data, peek, shutdown, EPIPE and SIGPIPE", t_stream_pair);
	run_case("MSG_WAITALL gathers a full buffer", t_waitall);
	run_case("filesystem names: bind, connect, accept, names, unlink", t_path_names);
	run_case("connect needs write permission on the socket file", t_connect_permission);
	run_case("abstract names and autobind, MSG_PEEK, MSG_TRUNC", t_abstract_autobind);
	run_case("datagram and seqpacket record boundaries", t_dgram_seqpacket);
	run_case("non-blocking accept and connect on a full backlog", t_nonblock_backlog);
	run_case("connect waits while the backlog is full", t_blocking_connect);
	run_case("poll on sockets: POLLIN, POLLOUT, POLLRDHUP, POLLHUP", t_poll);
	run_case("SCM_RIGHTS across fork", t_scm_rights);
	run_case("SCM_RIGHTS across exec; SOCK_CLOEXEC closes at exec", t_scm_exec);
	run_case("SO_PEERCRED and SCM_CREDENTIALS", t_creds);
	run_case("a socket kept alive only by its own queue is collected", t_gc_cycle);
	run_case("a server forking per connection serves 16 clients", t_fork_per_connection);
	run_case("sockets nested in sockets: bounded, and freed without harm", t_nesting);
	run_case("SOL_SOCKET options: buffers, flags, linger, SO_RCVTIMEO", t_sockopts);
	run_case("sendmmsg and recvmmsg", t_mmsg);
	run_case("8 MiB through a stream in odd pieces, checksum intact", t_bulk);
	run_case("8 processes send datagrams at once; each arrives whole, in order", t_many_senders);
	run_case("a peer gone: EPIPE, ECONNREFUSED, ECONNRESET; unconnected receives", t_peer_gone);
	run_case("no memory leaks: names, connections, descriptors in flight, cycles", t_no_leaks);
	run_case("stream socketpair SOCK_CLOEXEC and SOCK_NONBLOCK", t_flags);
	run_case("/proc/self/fd shows socket:[inode], /proc/net/unix lists it", t_proc);
	return tap_done();
}
