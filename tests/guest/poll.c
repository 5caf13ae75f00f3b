/*
 * poll(2), ppoll(2), select(2) and pselect(2) on pipes and regular files: readiness of each end,
 * POLLHUP/POLLERR/POLLNVAL, wake-up by another process, and timeouts (elapsed time bounded
 * below, the timeval updated by select).
 */
#define _GNU_SOURCE
#include <tap.h>
#include <poll.h>
#include <sys/select.h>

static int case_pipe_readiness(void)
{
	int fds[2];
	struct pollfd p[2];

	if (!CHECK_EQ(pipe2(fds, O_NONBLOCK), 0))
		return 1;
	p[0] = (struct pollfd){ .fd = fds[0], .events = POLLIN };
	p[1] = (struct pollfd){ .fd = fds[1], .events = POLLOUT };
	CHECK_EQ(poll(p, 2, 0), 1);
	CHECK_EQ(p[0].revents, 0);
	CHECK_EQ(p[1].revents, POLLOUT);
	CHECK_EQ(write(fds[1], "x", 1), 1);
	CHECK_EQ(poll(p, 2, 0), 2);
	CHECK_EQ(p[0].revents, POLLIN);
	/* A full pipe is not writable. */
	static char junk[4096];
	while (write(fds[1], junk, sizeof(junk)) > 0)
		;
	CHECK_EQ(poll(&p[1], 1, 0), 0);
	CHECK_EQ(p[1].revents, 0);
	close(fds[1]);
	/* Data still there and no writer: POLLIN and POLLHUP. */
	CHECK_EQ(poll(p, 1, 0), 1);
	CHECK_EQ(p[0].revents, POLLIN | POLLHUP);
	close(fds[0]);

	if (!CHECK_EQ(pipe(fds), 0))
		return 1;
	close(fds[0]);
	p[1] = (struct pollfd){ .fd = fds[1], .events = POLLOUT };
	CHECK_EQ(poll(&p[1], 1, 0), 1);
	CHECK_EQ(p[1].revents, POLLOUT | POLLERR);
	return 0;
}

static int case_nval_and_files(void)
{
	struct pollfd p[3];
	char path[256];
	int fd;

	tap_tmppath(path, sizeof(path), "poll");
	fd = open(path, O_RDWR | O_CREAT | O_TRUNC, 0600);
	if (!CHECK(fd >= 0))
		return 1;
	unlink(path);
	p[0] = (struct pollfd){ .fd = fd, .events = POLLIN | POLLOUT };
	p[1] = (struct pollfd){ .fd = 999, .events = POLLIN };
	p[2] = (struct pollfd){ .fd = -1, .events = POLLIN };
	CHECK_EQ(poll(p, 3, 1000), 2);
	CHECK_EQ(p[0].revents, POLLIN | POLLOUT);
	CHECK_EQ(p[1].revents, POLLNVAL);
	CHECK_EQ(p[2].revents, 0);
	CHECK_ERR(poll(tap_bad_ptr(16), 1, 0), EFAULT);
	return 0;
}

static int case_timeouts(void)
{
	int fds[2];
	struct pollfd p;
	struct timespec ts = { 0, 60 * 1000000L };
	long long t0;

	if (!CHECK_EQ(pipe(fds), 0))
		return 1;
	p = (struct pollfd){ .fd = fds[0], .events = POLLIN };
	t0 = tap_now_ms();
	CHECK_EQ(poll(&p, 1, 80), 0);
	CHECK(tap_now_ms() - t0 >= 79);
	t0 = tap_now_ms();
	CHECK_EQ(poll(NULL, 0, 50), 0);
	CHECK(tap_now_ms() - t0 >= 49);
	t0 = tap_now_ms();
	CHECK_EQ(ppoll(&p, 1, &ts, NULL), 0);
	CHECK(tap_now_ms() - t0 >= 59);
	return 0;
}

/* A poll with no timeout sleeps until another process writes. */
static int case_wakeup(void)
{
	int fds[2], status;
	struct pollfd p;
	pid_t pid;

	if (!CHECK_EQ(pipe(fds), 0))
		return 1;
	fflush(NULL);
	pid = fork();
	if (pid == 0) {
		tap_sleep_ms(60);
		write(fds[1], "w", 1);
		_exit(0);
	}
	p = (struct pollfd){ .fd = fds[0], .events = POLLIN };
	CHECK_EQ(poll(&p, 1, -1), 1);
	CHECK_EQ(p.revents, POLLIN);
	status = tap_wait_bounded(pid, 20);
	CHECK(WIFEXITED(status));
	return 0;
}

static int case_select(void)
{
	int fds[2];
	fd_set r, w;
	struct timeval tv = { 0, 70000 };
	struct timespec ts = { 0, 30000000 };
	sigset_t mask;
	long long t0;

	if (!CHECK_EQ(pipe(fds), 0))
		return 1;
	FD_ZERO(&r);
	FD_ZERO(&w);
	FD_SET(fds[0], &r);
	FD_SET(fds[1], &w);
	CHECK_EQ(select(fds[1] + 1, &r, &w, NULL, NULL), 1);
	CHECK(!FD_ISSET(fds[0], &r));
	CHECK(FD_ISSET(fds[1], &w));
	FD_ZERO(&r);
	FD_SET(fds[0], &r);
	t0 = tap_now_ms();
	CHECK_EQ(select(fds[0] + 1, &r, NULL, NULL, &tv), 0);
	CHECK(tap_now_ms() - t0 >= 69);
	CHECK(!FD_ISSET(fds[0], &r));
	CHECK_EQ(write(fds[1], "ab", 2), 2);
	FD_SET(fds[0], &r);
	sigemptyset(&mask);
	sigaddset(&mask, SIGUSR1);
	CHECK_EQ(pselect(fds[0] + 1, &r, NULL, NULL, &ts, &mask), 1);
	CHECK(FD_ISSET(fds[0], &r));
	FD_ZERO(&r);
	FD_SET(fds[0], &r);
	/* A closed descriptor inside the table: Linux ignores bits past the table's size. */
	CHECK_EQ(dup2(fds[0], 100), 100);
	close(100);
	FD_SET(100, &r);
	tv = (struct timeval){ 0, 0 };
	CHECK_ERR(select(101, &r, NULL, NULL, &tv), EBADF);
	CHECK_ERR(select(-1, NULL, NULL, NULL, &tv), EINVAL);
	return 0;
}

/* Entry point: runs every case and prints TAP. */
int main(void)
{
	tap_plan(5);
	run_case("pipe ends: POLLIN, POLLOUT, full, POLLHUP, POLLERR", case_pipe_readiness);
	run_case("regular file ready, POLLNVAL, negative fd ignored, EFAULT", case_nval_and_files);
	run_case("poll/ppoll timeouts and poll as a sleep", case_timeouts);
	run_case("poll woken by another process's write", case_wakeup);
	run_case("select/pselect: sets, timeout, EBADF, EINVAL", case_select);
	return tap_done();
}
