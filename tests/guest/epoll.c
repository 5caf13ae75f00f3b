/*
 * Readiness beyond poll(2): epoll (epoll(7): level- and edge-triggered, EPOLLONESHOT,
 * EPOLLEXCLUSIVE, EPOLLRDHUP, errors, a closed descriptor leaving the set, epoll_pwait and
 * epoll_pwait2), eventfd(2) with EFD_SEMAPHORE and EFD_NONBLOCK, timerfd_create(2) (relative,
 * absolute, interval, gettime) and signalfd(2).
 */
#define _GNU_SOURCE
#include <tap.h>
#include <poll.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <sys/timerfd.h>
#include <sys/syscall.h>

#ifndef SYS_epoll_pwait2
#define SYS_epoll_pwait2	441
#endif

static int add(int ep, int fd, unsigned events, uint64_t data)
{
	struct epoll_event ev = { .events = events, .data.u64 = data };

	return epoll_ctl(ep, EPOLL_CTL_ADD, fd, &ev);
}

static int t_errors(void)
{
	int ep = epoll_create1(EPOLL_CLOEXEC), p[2], f;
	struct epoll_event ev = { .events = EPOLLIN };
	char path[64];

	CHECK(ep >= 0);
	CHECK(fcntl(ep, F_GETFD) == FD_CLOEXEC);
	CHECK_ERR(syscall(SYS_epoll_create, 0), EINVAL);
	CHECK_ERR(epoll_create1(1), EINVAL);
	CHECK(pipe(p) == 0);
	CHECK_ERR(epoll_ctl(ep, EPOLL_CTL_ADD, 999, &ev), EBADF);
	CHECK_ERR(epoll_ctl(p[0], EPOLL_CTL_ADD, p[1], &ev), EINVAL);
	CHECK_ERR(epoll_ctl(ep, EPOLL_CTL_ADD, ep, &ev), EINVAL);
	CHECK_ERR(epoll_ctl(ep, 99, p[0], &ev), EINVAL);
	CHECK_ERR(epoll_ctl(ep, EPOLL_CTL_MOD, p[0], &ev), ENOENT);
	CHECK_ERR(epoll_ctl(ep, EPOLL_CTL_DEL, p[0], &ev), ENOENT);
	CHECK(epoll_ctl(ep, EPOLL_CTL_ADD, p[0], &ev) == 0);
	CHECK_ERR(epoll_ctl(ep, EPOLL_CTL_ADD, p[0], &ev), EEXIST);
	ev.events = EPOLLIN | EPOLLEXCLUSIVE;
	CHECK_ERR(epoll_ctl(ep, EPOLL_CTL_MOD, p[0], &ev), EINVAL);
	ev.events = EPOLLIN | EPOLLEXCLUSIVE | EPOLLONESHOT;
	CHECK_ERR(epoll_ctl(ep, EPOLL_CTL_ADD, p[1], &ev), EINVAL);
	tap_tmppath(path, sizeof(path), "epf");
	f = open(path, O_CREAT | O_RDWR, 0600);
	CHECK_ERR(epoll_ctl(ep, EPOLL_CTL_ADD, f, &ev), EPERM);	/* regular files */
	unlink(path);
	CHECK_ERR(epoll_wait(ep, &ev, 0, 0), EINVAL);
	CHECK_ERR(epoll_wait(p[0], &ev, 1, 0), EINVAL);
	CHECK_ERR(epoll_wait(ep, tap_bad_ptr(0xffff800000000000ULL), 1, 0), EFAULT);
	/* Loops are refused. */
	int ep2 = epoll_create1(0);

	CHECK(add(ep2, ep, EPOLLIN, 0) == 0);
	CHECK_ERR(add(ep, ep2, EPOLLIN, 0), ELOOP);
	return 0;
}

static int t_level_edge(void)
{
	int ep = epoll_create1(0), lt[2], et[2];
	struct epoll_event ev[4];
	char buf[8];

	CHECK(pipe(lt) == 0 && pipe(et) == 0);
	CHECK(add(ep, lt[0], EPOLLIN, 1) == 0);
	CHECK(add(ep, et[0], EPOLLIN | EPOLLET, 2) == 0);
	CHECK_EQ(epoll_wait(ep, ev, 4, 0), 0);
	CHECK_EQ(write(lt[1], "a", 1), 1);
	CHECK_EQ(write(et[1], "b", 1), 1);
	CHECK_EQ(epoll_wait(ep, ev, 4, 1000), 2);
	/* Level: reported again while readable. Edge: only after new data. */
	CHECK_EQ(epoll_wait(ep, ev, 4, 0), 1);
	CHECK_EQ(ev[0].data.u64, 1);
	CHECK_EQ(ev[0].events, EPOLLIN);
	CHECK_EQ(write(et[1], "c", 1), 1);
	CHECK_EQ(epoll_wait(ep, ev, 4, 0), 2);
	CHECK_EQ(epoll_wait(ep, ev, 4, 0), 1);
	CHECK_EQ(read(lt[0], buf, 8), 1);
	CHECK_EQ(epoll_wait(ep, ev, 4, 0), 0);
	/* A sleeping epoll_wait is woken by a writer in another process. */
	if (fork() == 0) {
		tap_sleep_ms(50);
		_exit(write(lt[1], "d", 1) == 1 ? 0 : 1);
	}
	long long t0 = tap_now_ms();

	CHECK_EQ(epoll_wait(ep, ev, 4, 5000), 1);
	CHECK(tap_now_ms() - t0 < 4000);
	CHECK_EQ(ev[0].data.u64, 1);
	wait(NULL);
	/* A timeout with nothing ready. */
	CHECK_EQ(read(lt[0], buf, 8), 1);
	t0 = tap_now_ms();
	CHECK_EQ(epoll_wait(ep, ev, 4, 100), 0);
	CHECK(tap_now_ms() - t0 >= 90);
	return 0;
}

static int t_oneshot_close(void)
{
	int ep = epoll_create1(0), p[2], q[2], d;
	struct epoll_event ev[2], e = { .events = EPOLLIN | EPOLLONESHOT, .data.u64 = 7 };

	CHECK(pipe(p) == 0 && pipe(q) == 0);
	CHECK(epoll_ctl(ep, EPOLL_CTL_ADD, p[0], &e) == 0);
	CHECK_EQ(write(p[1], "x", 1), 1);
	CHECK_EQ(epoll_wait(ep, ev, 2, 1000), 1);
	CHECK_EQ(epoll_wait(ep, ev, 2, 0), 0);	/* disarmed */
	CHECK_EQ(write(p[1], "y", 1), 1);
	CHECK_EQ(epoll_wait(ep, ev, 2, 0), 0);
	CHECK(epoll_ctl(ep, EPOLL_CTL_MOD, p[0], &e) == 0);	/* re-armed */
	CHECK_EQ(epoll_wait(ep, ev, 2, 0), 1);
	CHECK_EQ(ev[0].data.u64, 7);
	/* Closing the only descriptor of a watched file removes it... */
	CHECK(add(ep, q[0], EPOLLIN, 9) == 0);
	CHECK_EQ(write(q[1], "z", 1), 1);
	close(q[0]);
	CHECK_EQ(epoll_wait(ep, ev, 2, 0), 0);
	/* ...but not while a duplicate keeps the open file description alive. */
	CHECK(pipe(q) == 0);
	CHECK(add(ep, q[0], EPOLLIN, 10) == 0);
	d = dup(q[0]);
	close(q[0]);
	CHECK_EQ(write(q[1], "w", 1), 1);
	CHECK_EQ(epoll_wait(ep, ev, 2, 0), 1);
	CHECK_EQ(ev[0].data.u64, 10);
	close(d);
	return 0;
}

static int t_rdhup_exclusive(void)
{
	int ep = epoll_create1(0), ep2 = epoll_create1(0), sv[2], efd = eventfd(0, 0);
	struct epoll_event ev[2];
	uint64_t one = 1;

	CHECK(socketpair(AF_UNIX, SOCK_STREAM, 0, sv) == 0);
	CHECK(add(ep, sv[0], EPOLLIN | EPOLLRDHUP, 3) == 0);
	CHECK_EQ(epoll_wait(ep, ev, 2, 0), 0);
	CHECK(shutdown(sv[1], SHUT_WR) == 0);
	CHECK_EQ(epoll_wait(ep, ev, 2, 1000), 1);
	CHECK_EQ(ev[0].events, EPOLLIN | EPOLLRDHUP);
	/* EPOLLEXCLUSIVE: both instances may watch; an event reaches at least one. */
	CHECK(add(ep, efd, EPOLLIN | EPOLLEXCLUSIVE, 4) == 0);
	CHECK(add(ep2, efd, EPOLLIN | EPOLLEXCLUSIVE, 5) == 0);
	CHECK_EQ(write(efd, &one, 8), 8);
	int got = 0;

	for (int i = 0; i < 2; i++) {
		struct epoll_event e;
		int n = epoll_wait(i ? ep2 : ep, &e, 1, 0);

		if (n == 1 && (e.data.u64 == 4 || e.data.u64 == 5))
			got++;
	}
	CHECK(got >= 1);
	/* An epoll descriptor is itself pollable. */
	struct pollfd pf = { ep, POLLIN, 0 };

	CHECK_EQ(poll(&pf, 1, 0), 1);
	return 0;
}

static int t_pwait(void)
{
	int ep = epoll_create1(0), efd = eventfd(1, 0);
	struct epoll_event ev;
	sigset_t m;
	struct timespec ts = { 0, 50 * 1000000 };

	sigemptyset(&m);
	CHECK(add(ep, efd, EPOLLIN, 1) == 0);
	CHECK_EQ(epoll_pwait(ep, &ev, 1, 0, &m), 1);
	CHECK_EQ(syscall(SYS_epoll_pwait, ep, &ev, 1, 0, &m, 4), -1);
	CHECK_EQ(errno, EINVAL);
	uint64_t v;

	CHECK_EQ(read(efd, &v, 8), 8);
	long long t0 = tap_now_ms();

	CHECK_EQ(syscall(SYS_epoll_pwait2, ep, &ev, 1, &ts, NULL, 8), 0);
	CHECK(tap_now_ms() - t0 >= 40);
	ts.tv_nsec = -1;
	CHECK_EQ(syscall(SYS_epoll_pwait2, ep, &ev, 1, &ts, NULL, 8), -1);
	CHECK_EQ(errno, EINVAL);
	return 0;
}

static int t_eventfd(void)
{
	int e = eventfd(3, EFD_NONBLOCK), s = eventfd(2, EFD_SEMAPHORE | EFD_NONBLOCK);
	uint64_t v = 0;

	CHECK(e >= 0 && s >= 0);
	CHECK_ERR(eventfd(0, 0x7), EINVAL);
	CHECK_ERR(read(e, &v, 4), EINVAL);
	CHECK_EQ(read(e, &v, 8), 8);
	CHECK_EQ(v, 3);
	CHECK_ERR(read(e, &v, 8), EAGAIN);
	v = 5;
	CHECK_EQ(write(e, &v, 8), 8);
	CHECK_EQ(write(e, &v, 8), 8);
	CHECK_EQ(read(e, &v, 8), 8);
	CHECK_EQ(v, 10);
	v = ~0ULL;
	CHECK_ERR(write(e, &v, 8), EINVAL);
	v = ~0ULL - 1;
	CHECK_EQ(write(e, &v, 8), 8);
	v = 1;
	CHECK_ERR(write(e, &v, 8), EAGAIN);	/* would pass the maximum */
	CHECK_EQ(read(s, &v, 8), 8);
	CHECK_EQ(v, 1);
	CHECK_EQ(read(s, &v, 8), 8);
	CHECK_EQ(v, 1);
	CHECK_ERR(read(s, &v, 8), EAGAIN);
	/* A blocking read is woken by a write from another process. */
	int b = eventfd(0, 0);

	if (fork() == 0) {
		uint64_t w = 42;

		tap_sleep_ms(30);
		_exit(write(b, &w, 8) == 8 ? 0 : 1);
	}
	CHECK_EQ(read(b, &v, 8), 8);
	CHECK_EQ(v, 42);
	wait(NULL);
	return 0;
}

static int t_timerfd(void)
{
	int t = timerfd_create(CLOCK_MONOTONIC, 0), n = timerfd_create(CLOCK_REALTIME, TFD_NONBLOCK);
	int ep = epoll_create1(0);
	struct itimerspec its = { .it_value = { 0, 50 * 1000000 } }, cur;
	struct epoll_event ev;
	struct timespec now;
	uint64_t v;

	CHECK(t >= 0 && n >= 0);
	CHECK_ERR(timerfd_create(99, 0), EINVAL);
	CHECK_ERR(timerfd_create(CLOCK_MONOTONIC, 0x1), EINVAL);
	CHECK_ERR(timerfd_settime(ep, 0, &its, NULL), EINVAL);
	CHECK_ERR(read(n, &v, 8), EAGAIN);	/* disarmed */
	long long t0 = tap_now_ms();

	CHECK(timerfd_settime(t, 0, &its, NULL) == 0);
	CHECK(timerfd_gettime(t, &cur) == 0);
	CHECK(cur.it_value.tv_sec == 0 && cur.it_value.tv_nsec > 0);
	CHECK_EQ(read(t, &v, 8), 8);
	CHECK_EQ(v, 1);
	CHECK(tap_now_ms() - t0 >= 45);
	/* Interval: several expiries add up; epoll sees it. */
	its.it_interval.tv_nsec = 20 * 1000000;
	its.it_value.tv_nsec = 20 * 1000000;
	CHECK(timerfd_settime(t, 0, &its, NULL) == 0);
	CHECK(add(ep, t, EPOLLIN, 1) == 0);
	CHECK_EQ(epoll_wait(ep, &ev, 1, 2000), 1);
	tap_sleep_ms(100);
	CHECK_EQ(read(t, &v, 8), 8);
	CHECK(v >= 3);
	/* Absolute time on CLOCK_REALTIME, already past: expires at once. */
	clock_gettime(CLOCK_REALTIME, &now);
	its = (struct itimerspec){ .it_value = { now.tv_sec - 1, 0 } };
	CHECK(timerfd_settime(n, TFD_TIMER_ABSTIME, &its, NULL) == 0);
	CHECK_EQ(read(n, &v, 8), 8);
	CHECK_EQ(v, 1);
	/* Disarming reports the old setting. */
	its = (struct itimerspec){ .it_value = { 100, 0 } };
	CHECK(timerfd_settime(n, 0, &its, NULL) == 0);
	its = (struct itimerspec){ 0 };
	CHECK(timerfd_settime(n, 0, &its, &cur) == 0);
	CHECK(cur.it_value.tv_sec >= 98 && cur.it_value.tv_sec <= 100);
	CHECK(timerfd_gettime(n, &cur) == 0);
	CHECK(cur.it_value.tv_sec == 0 && cur.it_value.tv_nsec == 0);
	return 0;
}

static int t_signalfd(void)
{
	sigset_t m;
	struct signalfd_siginfo si;
	int s, ep = epoll_create1(0);
	struct epoll_event ev;

	sigemptyset(&m);
	sigaddset(&m, SIGUSR1);
	sigaddset(&m, SIGUSR2);
	sigprocmask(SIG_BLOCK, &m, NULL);
	s = signalfd(-1, &m, SFD_NONBLOCK);
	CHECK(s >= 0);
	CHECK_ERR(signalfd(-1, &m, 0x1), EINVAL);
	CHECK_ERR(read(s, &si, sizeof(si)), EAGAIN);
	CHECK_ERR(read(s, &si, 8), EINVAL);
	CHECK(add(ep, s, EPOLLIN, 1) == 0);
	CHECK_EQ(epoll_wait(ep, &ev, 1, 0), 0);
	kill(getpid(), SIGUSR1);
	CHECK_EQ(epoll_wait(ep, &ev, 1, 1000), 1);
	CHECK_EQ(read(s, &si, sizeof(si)), sizeof(si));
	CHECK_EQ(si.ssi_signo, SIGUSR1);
	CHECK_EQ(si.ssi_pid, getpid());
	CHECK_ERR(read(s, &si, sizeof(si)), EAGAIN);
	/* A child's signal wakes a blocking reader. */
	int b = signalfd(-1, &m, 0);
	pid_t parent = getpid();

	if (fork() == 0) {
		tap_sleep_ms(30);
		_exit(kill(parent, SIGUSR2) == 0 ? 0 : 1);
	}
	CHECK_EQ(read(b, &si, sizeof(si)), sizeof(si));
	CHECK_EQ(si.ssi_signo, SIGUSR2);
	wait(NULL);
	/* Changing the mask of an existing signalfd. */
	sigdelset(&m, SIGUSR2);
	CHECK_EQ(signalfd(b, &m, 0), b);
	return 0;
}

static int t_producers(void)
{
	enum { N = 4, EACH = 500 };
	int ep = epoll_create1(0), open_ends = N, got[N] = { 0 };
	struct epoll_event ev[N];

	for (int i = 0; i < N; i++) {
		int p[2];

		CHECK(pipe(p) == 0);
		if (fork() == 0) {
			close(p[0]);
			for (int j = 0; j < EACH; j++)
				if (write(p[1], "x", 1) != 1)
					_exit(1);
			_exit(0);
		}
		close(p[1]);
		CHECK(add(ep, p[0], i % 2 ? EPOLLIN : EPOLLIN | EPOLLET, (uint64_t)p[0] << 8 | i) == 0);
	}
	/* Edge-triggered items must be drained completely; level-triggered ones need not. */
	while (open_ends > 0) {
		int n = epoll_wait(ep, ev, N, 10000);

		if (!CHECK(n > 0))
			break;
		for (int k = 0; k < n; k++) {
			int fd = (int)(ev[k].data.u64 >> 8), i = (int)(ev[k].data.u64 & 0xff);
			char buf[64];
			ssize_t r;

			do {
				r = read(fd, buf, i % 2 ? 1 : sizeof(buf));
				if (r > 0)
					got[i] += (int)r;
			} while (r > 0 && !(i % 2));
			if (r == 0) {
				CHECK(epoll_ctl(ep, EPOLL_CTL_DEL, fd, NULL) == 0);
				close(fd);
				open_ends--;
			}
		}
	}
	for (int i = 0; i < N; i++)
		CHECK_EQ(got[i], EACH);
	while (wait(NULL) > 0)
		;
	return 0;
}

int main(void)
{
	tap_plan(9);
	run_case("epoll errors", t_errors);
	run_case("epoll level- and edge-triggered", t_level_edge);
	run_case("EPOLLONESHOT, and closing a watched descriptor", t_oneshot_close);
	run_case("EPOLLRDHUP, EPOLLEXCLUSIVE, polling an epoll descriptor", t_rdhup_exclusive);
	run_case("epoll_pwait and epoll_pwait2", t_pwait);
	run_case("eventfd counter, EFD_SEMAPHORE, EFD_NONBLOCK", t_eventfd);
	run_case("timerfd relative, interval, absolute, gettime", t_timerfd);
	run_case("signalfd read, poll, and a new mask", t_signalfd);
	run_case("4 writers at once, one epoll reader, edge and level items", t_producers);
	return tap_done();
}
