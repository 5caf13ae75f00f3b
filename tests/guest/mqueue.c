/*
 * POSIX message queues: mq_open names, flags and limits, priorities (highest first, FIFO within
 * one), absolute CLOCK_REALTIME timeouts, O_NONBLOCK and mq_setattr, poll, unlink while open,
 * mq_notify (SIGEV_SIGNAL, SIGEV_NONE, EBUSY, a registration fires once and only on an empty
 * queue), a receiver killed while blocked, and a producer/consumer pair across fork.
 */
#define _GNU_SOURCE
#include <tap.h>
#include <mqueue.h>
#include <poll.h>

/* A queue name no other run can be using: "/sprout-<tag>-<pid>-<nonce>". */
static void qname(char *buf, size_t len, const char *tag)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	snprintf(buf, len, "/sprout-%s-%d-%ld", tag, (int)getpid(), ts.tv_nsec % 1000000);
}

/* Create a new queue (O_EXCL) holding @maxmsg messages of @msgsize bytes; unlinked at once
 * when @unlink, so that a failing case leaves nothing behind. */
static mqd_t qcreate(const char *name, int flags, long maxmsg, long msgsize, bool unlink)
{
	struct mq_attr a = { .mq_maxmsg = maxmsg, .mq_msgsize = msgsize };
	mqd_t q = mq_open(name, O_CREAT | O_EXCL | flags, 0600, &a);

	if (q != (mqd_t)-1 && unlink)
		mq_unlink(name);
	return q;
}

/* An absolute CLOCK_REALTIME time @ms milliseconds from now (negative: in the past). */
static struct timespec abs_in_ms(long ms)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	ts.tv_sec += ms / 1000;
	ts.tv_nsec += (ms % 1000) * 1000000L;
	if (ts.tv_nsec >= 1000000000L) {
		ts.tv_sec++;
		ts.tv_nsec -= 1000000000L;
	} else if (ts.tv_nsec < 0) {
		ts.tv_sec--;
		ts.tv_nsec += 1000000000L;
	}
	return ts;
}

/*
 * May this process pass msg_max and msgsize_max (CAP_SYS_RESOURCE)? On Sprout root may; on Linux
 * the capability is read from /proc/self/status (containers often drop it, even for root).
 */
static bool privileged(void)
{
	char buf[4096], *cap;
	unsigned long long eff;

	if (tap_on_sprout())
		return geteuid() == 0;
	if (tap_read_file("/proc/self/status", buf, sizeof(buf)) < 0)
		return false;
	cap = strstr(buf, "CapEff:");
	return cap && sscanf(cap + 7, "%llx", &eff) == 1 && (eff >> 24) & 1;
}

/* Receive into a 64-byte text buffer; returns the length or -errno. */
static long rcv(mqd_t q, char *text, unsigned *prio)
{
	ssize_t n = mq_receive(q, text, 8192, prio);

	if (n < 0)
		return -errno;
	text[n] = '\0';
	return n;
}

static int case_open(void)
{
	char name[64], longname[300];
	struct mq_attr a = { .mq_maxmsg = 0, .mq_msgsize = 16 };
	mqd_t q, q2;

	qname(name, sizeof(name), "open");
	CHECK_ERR(mq_open(name, O_RDWR), ENOENT);
	q = mq_open(name, O_CREAT | O_EXCL | O_RDWR, 0640, NULL);
	if (!CHECK(q != (mqd_t)-1))
		return 1;
	CHECK_ERR(mq_open(name, O_CREAT | O_EXCL | O_RDWR, 0600, NULL), EEXIST);
	q2 = mq_open(name, O_CREAT | O_WRONLY, 0600, &a);	/* exists: attr ignored */
	CHECK(q2 != (mqd_t)-1);
	CHECK_ERR(mq_open(name, O_RDWR | O_WRONLY), EINVAL);
	CHECK_EQ(fcntl(q, F_GETFD), FD_CLOEXEC);	/* always close-on-exec */
	struct mq_attr got;

	CHECK_EQ(mq_getattr(q, &got), 0);
	CHECK_EQ(got.mq_maxmsg, 10);	/* Linux's defaults */
	CHECK_EQ(got.mq_msgsize, 8192);
	CHECK_EQ(got.mq_curmsgs, 0);
	CHECK_EQ(got.mq_flags, 0);
	CHECK_EQ(mq_close(q2), 0);
	CHECK_EQ(mq_close(q), 0);
	CHECK_ERR(mq_close(q), EBADF);
	CHECK_EQ(mq_unlink(name), 0);
	CHECK_ERR(mq_unlink(name), ENOENT);
	CHECK_ERR(mq_open(name, O_RDWR), ENOENT);

	/* Attributes of a new queue. */
	CHECK_ERR(mq_open(name, O_CREAT | O_RDWR, 0600, &a), EINVAL);	/* maxmsg 0 */
	a.mq_maxmsg = 2;
	a.mq_msgsize = -1;
	CHECK_ERR(mq_open(name, O_CREAT | O_RDWR, 0600, &a), EINVAL);
	a.mq_maxmsg = 100000;	/* over even the privileged ceiling (65536) */
	a.mq_msgsize = 16;
	CHECK_ERR(mq_open(name, O_CREAT | O_RDWR, 0600, &a), EINVAL);
	a.mq_maxmsg = 100;	/* about 1 MB: over RLIMIT_MSGQUEUE, or msg_max unprivileged */
	a.mq_msgsize = 10000;
	CHECK_ERR(mq_open(name, O_CREAT | O_RDWR, 0600, &a), privileged() ? EMFILE : EINVAL);
	CHECK_ERR(mq_open(name, O_RDWR), ENOENT);	/* none of these created it */
	CHECK_ERR(mq_open("/a/b", O_CREAT | O_RDWR, 0600, NULL), EACCES);
	memset(longname, 'x', sizeof(longname) - 1);
	longname[0] = '/';
	longname[sizeof(longname) - 1] = '\0';
	CHECK_ERR(mq_open(longname, O_CREAT | O_RDWR, 0600, NULL), ENAMETOOLONG);
	CHECK_ERR(mq_unlink(longname), ENAMETOOLONG);
	CHECK_ERR(mq_send(0, "x", 1, 0), EBADF);	/* not a queue */
	return 0;
}

static int case_priorities(void)
{
	static const struct { const char *text; unsigned prio; } in[] = {
		{ "a", 1 }, { "b", 5 }, { "c", 1 }, { "d", 5 }, { "e", 0 }, { "f", 31 },
		{ "g", 32767 },
	};
	static const char *const order = "gfbdace";
	char name[64], text[8193], small[16];
	unsigned prio;
	mqd_t q;

	qname(name, sizeof(name), "prio");
	q = qcreate(name, O_RDWR, 10, 64, true);
	if (!CHECK(q != (mqd_t)-1))
		return 1;
	for (size_t i = 0; i < sizeof(in) / sizeof(in[0]); i++)
		CHECK_EQ(mq_send(q, in[i].text, strlen(in[i].text), in[i].prio), 0);
	CHECK_ERR(mq_send(q, "x", 1, 32768), EINVAL);	/* MQ_PRIO_MAX */
	CHECK_ERR(mq_send(q, text, 65, 0), EMSGSIZE);
	CHECK_ERR(mq_receive(q, small, sizeof(small), NULL), EMSGSIZE);
	for (int i = 0; order[i]; i++) {
		CHECK_EQ(rcv(q, text, &prio), 1);
		CHECK_EQ(text[0], order[i]);
		CHECK_EQ(prio, order[i] == 'g' ? 32767 : order[i] == 'f' ? 31 :
			 order[i] == 'b' || order[i] == 'd' ? 5 : order[i] == 'e' ? 0 : 1);
	}
	CHECK_EQ(mq_send(q, "", 0, 3), 0);	/* an empty message is a message */
	CHECK_EQ(rcv(q, text, NULL), 0);
	CHECK_ERR(mq_send(q, tap_bad_ptr(16), 4, 0), EFAULT);
	CHECK_EQ(mq_close(q), 0);
	return 0;
}

static int case_nonblock(void)
{
	char name[64], text[8193];
	struct mq_attr a, old;
	struct pollfd pfd;
	mqd_t q, rd, wr;

	qname(name, sizeof(name), "nb");
	q = qcreate(name, O_RDWR | O_NONBLOCK, 3, 32, false);
	if (!CHECK(q != (mqd_t)-1))
		return 1;
	rd = mq_open(name, O_RDONLY);
	wr = mq_open(name, O_WRONLY);
	mq_unlink(name);
	CHECK(rd != (mqd_t)-1 && wr != (mqd_t)-1);
	CHECK_EQ(rcv(q, text, NULL), -EAGAIN);
	pfd = (struct pollfd){ .fd = q, .events = POLLIN | POLLOUT };
	CHECK_EQ(poll(&pfd, 1, 0), 1);
	CHECK_EQ(pfd.revents, POLLOUT);
	for (int i = 0; i < 3; i++)
		CHECK_EQ(mq_send(q, "m", 1, 0), 0);
	CHECK_ERR(mq_send(q, "m", 1, 0), EAGAIN);
	CHECK_EQ(poll(&pfd, 1, 0), 1);
	CHECK_EQ(pfd.revents, POLLIN);
	CHECK_EQ(mq_getattr(q, &a), 0);
	CHECK_EQ(a.mq_flags, O_NONBLOCK);
	CHECK_EQ(a.mq_maxmsg, 3);
	CHECK_EQ(a.mq_msgsize, 32);
	CHECK_EQ(a.mq_curmsgs, 3);
	a.mq_flags = 0;
	CHECK_EQ(mq_setattr(q, &a, &old), 0);
	CHECK_EQ(old.mq_flags, O_NONBLOCK);
	CHECK_EQ(mq_getattr(q, &a), 0);
	CHECK_EQ(a.mq_flags, 0);
	a.mq_flags = O_NONBLOCK | O_APPEND;
	CHECK_ERR(mq_setattr(q, &a, NULL), EINVAL);
	CHECK_EQ(fcntl(q, F_SETFL, O_NONBLOCK), 0);	/* the same flag as the descriptor's */
	CHECK_EQ(mq_getattr(q, &a), 0);
	CHECK_EQ(a.mq_flags, O_NONBLOCK);
	/* Access modes. */
	CHECK_ERR(mq_send(rd, "m", 1, 0), EBADF);
	CHECK_ERR(mq_receive(wr, text, sizeof(text), NULL), EBADF);
	CHECK_EQ(rcv(rd, text, NULL), 1);
	CHECK_EQ(mq_send(wr, "n", 1, 0), 0);
	mq_close(rd);
	mq_close(wr);
	mq_close(q);
	return 0;
}

static int case_timeouts(void)
{
	char name[64], text[8193];
	struct timespec ts, bad = { .tv_sec = 0, .tv_nsec = 1000000000L };
	long long t0;
	mqd_t q;

	qname(name, sizeof(name), "time");
	q = qcreate(name, O_RDWR, 1, 16, true);
	if (!CHECK(q != (mqd_t)-1))
		return 1;
	ts = abs_in_ms(150);
	t0 = tap_now_ms();
	CHECK_ERR(mq_timedreceive(q, text, sizeof(text), NULL, &ts), ETIMEDOUT);
	CHECK(tap_now_ms() - t0 >= 120);
	CHECK(tap_now_ms() - t0 < 10000);
	ts = abs_in_ms(-1000);	/* already past: no wait at all */
	CHECK_ERR(mq_timedreceive(q, text, sizeof(text), NULL, &ts), ETIMEDOUT);
	CHECK_EQ(mq_timedsend(q, "1", 1, 0, &ts), 0);	/* room: the timeout does not matter */
	ts = abs_in_ms(100);
	t0 = tap_now_ms();
	CHECK_ERR(mq_timedsend(q, "2", 1, 0, &ts), ETIMEDOUT);	/* full */
	CHECK(tap_now_ms() - t0 >= 70);
	/* A malformed timeout is refused even when no wait is needed. */
	CHECK_ERR(mq_timedreceive(q, text, sizeof(text), NULL, &bad), EINVAL);
	bad.tv_nsec = 0;
	bad.tv_sec = -1;
	CHECK_ERR(mq_timedreceive(q, text, sizeof(text), NULL, &bad), EINVAL);
	ts = abs_in_ms(-1000);
	CHECK_EQ(mq_timedreceive(q, text, sizeof(text), NULL, &ts), 1);
	mq_close(q);
	return 0;
}

/* A blocked receiver and a blocked sender each go on once the other side acts. */
static int case_blocking(void)
{
	char name[64], text[8193];
	int status;
	pid_t pid;
	mqd_t q;

	qname(name, sizeof(name), "blk");
	q = qcreate(name, O_RDWR, 1, 16, true);
	if (!CHECK(q != (mqd_t)-1))
		return 1;
	fflush(NULL);
	pid = fork();
	if (pid == 0)
		_exit(rcv(q, text, NULL) == 5 && !strcmp(text, "hello") ? 0 : 1);
	tap_sleep_ms(50);
	CHECK_EQ(waitpid(pid, &status, WNOHANG), 0);	/* still waiting */
	CHECK_EQ(mq_send(q, "hello", 5, 0), 0);
	status = tap_wait_bounded(pid, 20);
	CHECK(WIFEXITED(status) && WEXITSTATUS(status) == 0);

	CHECK_EQ(mq_send(q, "one", 3, 0), 0);
	pid = fork();
	if (pid == 0)
		_exit(mq_send(q, "two", 3, 0) == 0 ? 0 : 1);
	tap_sleep_ms(50);
	CHECK_EQ(waitpid(pid, &status, WNOHANG), 0);
	CHECK_EQ(rcv(q, text, NULL), 3);
	CHECK_EQ(strcmp(text, "one"), 0);
	status = tap_wait_bounded(pid, 20);
	CHECK(WIFEXITED(status) && WEXITSTATUS(status) == 0);
	CHECK_EQ(rcv(q, text, NULL), 3);
	CHECK_EQ(strcmp(text, "two"), 0);

	/* A receiver killed while blocked leaves the queue as it was. */
	pid = fork();
	if (pid == 0) {
		rcv(q, text, NULL);
		_exit(1);
	}
	tap_sleep_ms(50);
	kill(pid, SIGKILL);
	status = tap_wait_bounded(pid, 20);
	CHECK(WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL);
	CHECK_EQ(mq_send(q, "three", 5, 0), 0);
	CHECK_EQ(rcv(q, text, NULL), 5);
	mq_close(q);
	return 0;
}

/* After mq_unlink the name is free at once; the queue lives while a descriptor is open. */
static int case_unlink(void)
{
	char name[64], text[8193];
	struct mq_attr a;
	int status;
	pid_t pid;
	mqd_t q, q2;

	qname(name, sizeof(name), "unl");
	q = qcreate(name, O_RDWR, 4, 16, false);
	if (!CHECK(q != (mqd_t)-1))
		return 1;
	CHECK_EQ(mq_send(q, "kept", 4, 0), 0);
	CHECK_EQ(mq_unlink(name), 0);
	CHECK_ERR(mq_open(name, O_RDWR), ENOENT);
	q2 = qcreate(name, O_RDWR, 4, 16, false);	/* the same name, a new queue */
	CHECK(q2 != (mqd_t)-1);
	CHECK_EQ(mq_getattr(q2, &a), 0);
	CHECK_EQ(a.mq_curmsgs, 0);
	CHECK_EQ(mq_getattr(q, &a), 0);
	CHECK_EQ(a.mq_curmsgs, 1);
	fflush(NULL);
	pid = fork();	/* the descriptor is inherited and still names the old queue */
	if (pid == 0)
		_exit(mq_send(q, "child", 5, 0) == 0 ? 0 : 1);
	status = tap_wait_bounded(pid, 20);
	CHECK(WIFEXITED(status) && WEXITSTATUS(status) == 0);
	CHECK_EQ(rcv(q, text, NULL), 4);
	CHECK_EQ(strcmp(text, "kept"), 0);
	CHECK_EQ(rcv(q, text, NULL), 5);
	CHECK_EQ(strcmp(text, "child"), 0);
	CHECK_EQ(mq_close(q), 0);
	CHECK_EQ(mq_unlink(name), 0);
	CHECK_EQ(mq_close(q2), 0);
	return 0;
}

/* A child that registers for SIGUSR1 (default action: terminate) and then waits to die. */
static pid_t notified_child(mqd_t q, int *ready_fd)
{
	int p[2];
	pid_t pid;

	if (pipe(p))
		return -1;
	fflush(NULL);
	pid = fork();
	if (pid == 0) {
		struct sigevent ev = { .sigev_notify = SIGEV_SIGNAL, .sigev_signo = SIGUSR1 };
		char r = mq_notify(q, &ev) == 0 ? 'y' : 'n';

		write(p[1], &r, 1);
		for (int i = 0; i < 400; i++)
			tap_sleep_ms(50);
		_exit(3);
	}
	close(p[1]);
	*ready_fd = p[0];
	return pid;
}

static bool child_registered(int fd)
{
	char c = 0;

	return read(fd, &c, 1) == 1 && c == 'y';
}

static int case_notify(void)
{
	struct sigevent none = { .sigev_notify = SIGEV_NONE };
	struct sigevent usr2 = { .sigev_notify = SIGEV_SIGNAL, .sigev_signo = SIGUSR2 };
	struct sigevent bad = { .sigev_notify = 99 };
	char name[64], text[8193];
	int status, fd;
	pid_t pid;
	mqd_t q;

	qname(name, sizeof(name), "ntf");
	q = qcreate(name, O_RDWR, 4, 16, true);
	if (!CHECK(q != (mqd_t)-1))
		return 1;
	CHECK_ERR(mq_notify(q, &bad), EINVAL);
	CHECK_ERR(mq_notify(0, &none), EBADF);

	/* SIGEV_SIGNAL: the first message into the empty queue signals the child. */
	pid = notified_child(q, &fd);
	CHECK(child_registered(fd));
	close(fd);
	CHECK_ERR(mq_notify(q, &usr2), EBUSY);	/* one registration per queue */
	CHECK_EQ(mq_send(q, "wake", 4, 0), 0);
	status = tap_wait_bounded(pid, 20);
	CHECK(WIFSIGNALED(status) && WTERMSIG(status) == SIGUSR1);

	/* Only a message into an empty queue notifies. */
	pid = notified_child(q, &fd);	/* the queue holds "wake" */
	CHECK(child_registered(fd));
	close(fd);
	CHECK_EQ(mq_send(q, "more", 4, 0), 0);
	tap_sleep_ms(50);
	CHECK_EQ(waitpid(pid, &status, WNOHANG), 0);	/* not notified */
	CHECK_EQ(rcv(q, text, NULL), 4);
	CHECK_EQ(rcv(q, text, NULL), 4);
	CHECK_EQ(mq_send(q, "now", 3, 0), 0);
	status = tap_wait_bounded(pid, 20);
	CHECK(WIFSIGNALED(status) && WTERMSIG(status) == SIGUSR1);
	CHECK_EQ(rcv(q, text, NULL), 3);

	/* SIGEV_NONE registers, sends nothing, and fires once. */
	CHECK_EQ(mq_notify(q, &none), 0);
	CHECK_ERR(mq_notify(q, &none), EBUSY);	/* even for the owner */
	CHECK_EQ(mq_send(q, "x", 1, 0), 0);
	CHECK_EQ(mq_notify(q, &none), 0);	/* the first one was used up */
	CHECK_EQ(mq_notify(q, NULL), 0);	/* and this one removed */
	CHECK_EQ(mq_notify(q, NULL), 0);	/* removing nothing is fine */

	/* A registration goes away with its owner. */
	fflush(NULL);
	pid = fork();
	if (pid == 0)
		_exit(mq_notify(q, &none) == 0 ? 0 : 1);
	status = tap_wait_bounded(pid, 20);
	CHECK(WIFEXITED(status) && WEXITSTATUS(status) == 0);
	CHECK_EQ(mq_notify(q, &none), 0);
	CHECK_EQ(mq_notify(q, NULL), 0);
	mq_close(q);

	/* ... and with the owner's close of the descriptor it registered through. */
	qname(name, sizeof(name), "ntf2");
	q = qcreate(name, O_RDWR, 4, 16, false);
	mqd_t q2 = mq_open(name, O_RDWR);

	mq_unlink(name);
	if (!CHECK(q != (mqd_t)-1 && q2 != (mqd_t)-1))
		return 1;
	CHECK_EQ(mq_notify(q2, &none), 0);
	CHECK_ERR(mq_notify(q, &none), EBUSY);
	CHECK_EQ(mq_close(q2), 0);
	CHECK_EQ(mq_notify(q, &none), 0);
	mq_close(q);
	return 0;
}

/* Producer/consumer through a small queue: 300 numbers in order, then "end". */
static int case_producer_consumer(void)
{
	char name[64], text[8193];
	long sum = 0, expect = 1, bad = 0;
	int status;
	pid_t pid;
	mqd_t q;

	qname(name, sizeof(name), "pc");
	q = qcreate(name, O_RDWR, 4, 32, true);
	if (!CHECK(q != (mqd_t)-1))
		return 1;
	fflush(NULL);
	pid = fork();
	if (pid == 0) {
		for (int i = 1; i <= 300; i++) {
			char t[16];
			int n = snprintf(t, sizeof(t), "%d", i);

			if (mq_send(q, t, n, 0))
				_exit(1);
		}
		_exit(mq_send(q, "end", 3, 0) ? 1 : 0);
	}
	for (;;) {
		if (!CHECK(rcv(q, text, NULL) > 0))
			break;
		if (!strcmp(text, "end"))
			break;
		bad += atol(text) != expect++;
		sum += atol(text);
	}
	CHECK_EQ(bad, 0);
	CHECK_EQ(sum, 300 * 301 / 2);
	status = tap_wait_bounded(pid, 30);
	CHECK(WIFEXITED(status) && WEXITSTATUS(status) == 0);
	mq_close(q);
	return 0;
}

/* Entry point: runs every case and prints TAP. */
int main(void)
{
	tap_plan(8);
	run_case("mq_open: create, EEXIST, ENOENT, attributes and limits, names", case_open);
	run_case("priorities: highest first, FIFO within one; EMSGSIZE", case_priorities);
	run_case("O_NONBLOCK, mq_setattr, poll, access modes", case_nonblock);
	run_case("absolute CLOCK_REALTIME timeouts: ETIMEDOUT, EINVAL", case_timeouts);
	run_case("blocked receiver and sender across fork; killed receiver", case_blocking);
	run_case("mq_unlink while open; descriptor inherited by fork", case_unlink);
	run_case("mq_notify: SIGEV_SIGNAL, SIGEV_NONE, EBUSY, once, empty queue only",
		 case_notify);
	run_case("producer/consumer through a queue", case_producer_consumer);
	return tap_done();
}
