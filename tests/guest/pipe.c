/*
 * Pipes (pipe(7)): data in order, EOF once every writer has closed, EPIPE and SIGPIPE with no
 * reader, pipe2 flags, the 64 KiB capacity and F_SETPIPE_SZ, atomic PIPE_BUF writes from two
 * writers, O_DIRECT packets, FIONREAD, descriptors shared across fork, and a pipeline between
 * exec'd children (this program re-executed as a filter).
 */
#include <tap.h>
#include <sys/ioctl.h>

#define PIPE_BUF_BYTES	4096
#define RECORDS		64	/* per writer in the atomicity case */

static char self_path[4200];

/* read() until @n bytes arrived or EOF; returns the total. */
static ssize_t read_full(int fd, void *buf, size_t n)
{
	size_t got = 0;

	while (got < n) {
		ssize_t r = read(fd, (char *)buf + got, n - got);

		if (r <= 0)
			return r < 0 && !got ? -1 : (ssize_t)got;
		got += r;
	}
	return got;
}

static int case_basic(void)
{
	int fds[2], avail = -1;
	char buf[16];
	struct stat st;

	if (!CHECK_EQ(pipe(fds), 0))
		return 1;
	CHECK_EQ(write(fds[1], "hello", 5), 5);
	CHECK_EQ(ioctl(fds[0], FIONREAD, &avail), 0);
	CHECK_EQ(avail, 5);
	CHECK_EQ(fstat(fds[0], &st), 0);
	CHECK(S_ISFIFO(st.st_mode));
	CHECK_EQ(fcntl(fds[0], F_GETPIPE_SZ), 65536);
	CHECK_EQ(read(fds[0], buf, 3), 3);
	CHECK_EQ(memcmp(buf, "hel", 3), 0);
	CHECK_EQ(read(fds[0], buf, sizeof(buf)), 2);
	CHECK_EQ(memcmp(buf, "lo", 2), 0);
	CHECK_ERR(write(fds[0], "x", 1), EBADF);
	CHECK_ERR(read(fds[1], buf, 1), EBADF);
	CHECK_ERR(lseek(fds[0], 0, SEEK_SET), ESPIPE);
	close(fds[1]);
	CHECK_EQ(read(fds[0], buf, sizeof(buf)), 0);	/* EOF */
	close(fds[0]);
	return 0;
}

static int case_pipe2_flags(void)
{
	int fds[2];
	char c;

	CHECK_ERR(pipe2(fds, O_APPEND), EINVAL);
	if (!CHECK_EQ(pipe2(fds, O_CLOEXEC | O_NONBLOCK), 0))
		return 1;
	CHECK_EQ(fcntl(fds[0], F_GETFD), FD_CLOEXEC);
	CHECK_EQ(fcntl(fds[1], F_GETFD), FD_CLOEXEC);
	CHECK_EQ(fcntl(fds[0], F_GETFL) & (O_ACCMODE | O_NONBLOCK), O_RDONLY | O_NONBLOCK);
	CHECK_EQ(fcntl(fds[1], F_GETFL) & (O_ACCMODE | O_NONBLOCK), O_WRONLY | O_NONBLOCK);
	CHECK_ERR(read(fds[0], &c, 1), EAGAIN);
	CHECK_ERR(pipe(tap_bad_ptr(16)), EFAULT);
	return 0;
}

static int case_capacity(void)
{
	static char chunk[4096];
	int fds[2];
	long total = 0;
	ssize_t r;

	if (!CHECK_EQ(pipe2(fds, O_NONBLOCK), 0))
		return 1;
	while ((r = write(fds[1], chunk, sizeof(chunk))) > 0)
		total += r;
	CHECK_EQ(r, -1);
	CHECK_EQ(errno, EAGAIN);
	CHECK_EQ(total, 65536);
	/* A small write that does not fit whole fails rather than splitting. */
	CHECK_ERR(write(fds[1], chunk, 1), EAGAIN);
	CHECK_ERR(fcntl(fds[1], F_SETPIPE_SZ, 4096), EBUSY);
	CHECK_EQ(read(fds[0], chunk, sizeof(chunk)), 4096);
	CHECK_EQ(write(fds[1], chunk, 100), 100);
	close(fds[0]);
	close(fds[1]);

	if (!CHECK_EQ(pipe2(fds, O_NONBLOCK), 0))
		return 1;
	CHECK_EQ(fcntl(fds[1], F_SETPIPE_SZ, 5000), 8192);
	CHECK_EQ(fcntl(fds[0], F_GETPIPE_SZ), 8192);
	total = 0;
	while ((r = write(fds[1], chunk, sizeof(chunk))) > 0)
		total += r;
	CHECK_EQ(total, 8192);
	return 0;
}

static int case_epipe(void)
{
	int fds[2], status;
	pid_t pid;

	if (!CHECK_EQ(pipe(fds), 0))
		return 1;
	close(fds[0]);
	signal(SIGPIPE, SIG_IGN);
	CHECK_ERR(write(fds[1], "x", 1), EPIPE);
	signal(SIGPIPE, SIG_DFL);
	fflush(NULL);
	pid = fork();
	if (pid == 0) {
		write(fds[1], "x", 1);
		_exit(0);	/* not reached: SIGPIPE kills */
	}
	status = tap_wait_bounded(pid, 20);
	CHECK(WIFSIGNALED(status));
	CHECK_EQ(WTERMSIG(status), SIGPIPE);
	return 0;
}

/* Two writers of PIPE_BUF-byte records: each record arrives whole. */
static int case_atomic_writers(void)
{
	char rec[PIPE_BUF_BYTES];
	int fds[2], counts[2] = { 0, 0 };
	pid_t pids[2];

	if (!CHECK_EQ(pipe(fds), 0))
		return 1;
	fflush(NULL);
	for (int w = 0; w < 2; w++) {
		pids[w] = fork();
		if (pids[w] == 0) {
			close(fds[0]);
			memset(rec, 'a' + w, sizeof(rec));
			for (int i = 0; i < RECORDS; i++)
				if (write(fds[1], rec, sizeof(rec)) != sizeof(rec))
					_exit(1);
			_exit(0);
		}
	}
	close(fds[1]);
	for (;;) {
		ssize_t r = read_full(fds[0], rec, sizeof(rec));
		int mixed = 0;

		if (r == 0)
			break;
		if (!CHECK_EQ(r, sizeof(rec)))
			break;
		for (size_t i = 1; i < sizeof(rec); i++)
			mixed |= rec[i] != rec[0];
		CHECK_EQ(mixed, 0);
		if (rec[0] == 'a' || rec[0] == 'b')
			counts[rec[0] - 'a']++;
	}
	CHECK_EQ(counts[0], RECORDS);
	CHECK_EQ(counts[1], RECORDS);
	for (int w = 0; w < 2; w++) {
		int status = tap_wait_bounded(pids[w], 20);

		CHECK(WIFEXITED(status) && WEXITSTATUS(status) == 0);
	}
	return 0;
}

static int case_packets(void)
{
	int fds[2];
	char buf[64];

	if (!CHECK_EQ(pipe2(fds, O_DIRECT), 0))
		return 1;
	CHECK_EQ(write(fds[1], "abc", 3), 3);
	CHECK_EQ(write(fds[1], "defgh", 5), 5);
	CHECK_EQ(write(fds[1], "ijklmnop", 8), 8);
	CHECK_EQ(read(fds[0], buf, sizeof(buf)), 3);
	CHECK_EQ(memcmp(buf, "abc", 3), 0);
	CHECK_EQ(read(fds[0], buf, sizeof(buf)), 5);
	CHECK_EQ(memcmp(buf, "defgh", 5), 0);
	/* A short read takes the packet's head and drops its rest. */
	CHECK_EQ(read(fds[0], buf, 2), 2);
	CHECK_EQ(memcmp(buf, "ij", 2), 0);
	CHECK_EQ(write(fds[1], "q", 1), 1);
	CHECK_EQ(read(fds[0], buf, sizeof(buf)), 1);
	CHECK_EQ(buf[0], 'q');
	return 0;
}

/* A reader blocked on an empty pipe wakes for a later write; fork shares descriptions. */
static int case_blocking_and_fork(void)
{
	int fds[2], status;
	char buf[8];
	pid_t pid;

	if (!CHECK_EQ(pipe(fds), 0))
		return 1;
	fflush(NULL);
	pid = fork();
	if (pid == 0) {
		tap_sleep_ms(50);
		/* Status flags live in the shared open file description. */
		fcntl(fds[1], F_SETFL, O_NONBLOCK);
		write(fds[1], "late", 4);
		_exit(0);
	}
	CHECK_EQ(read(fds[0], buf, sizeof(buf)), 4);
	CHECK_EQ(memcmp(buf, "late", 4), 0);
	status = tap_wait_bounded(pid, 20);
	CHECK(WIFEXITED(status) && WEXITSTATUS(status) == 0);
	CHECK(fcntl(fds[1], F_GETFL) & O_NONBLOCK);
	/* dup shares the description too; dup3 refuses equal descriptors. */
	int d = dup(fds[1]);

	CHECK(d > fds[1] || d >= 0);
	CHECK_EQ(write(d, "via", 3), 3);
	CHECK_EQ(read(fds[0], buf, sizeof(buf)), 3);
	CHECK_ERR(dup3(d, d, 0), EINVAL);
	CHECK_EQ(dup3(fds[0], d, O_CLOEXEC), d);
	CHECK_EQ(fcntl(d, F_GETFD), FD_CLOEXEC);
	return 0;
}

/* Filter modes of this program for the pipeline case. */
static int run_filter(const char *mode)
{
	char buf[256];
	ssize_t n;

	if (!strcmp(mode, "gen")) {
		for (int i = 1; i <= 5; i++)
			printf("line %d\n", i);
		return 0;
	}
	while ((n = read(0, buf, sizeof(buf))) > 0) {
		for (ssize_t i = 0; i < n; i++)
			if (buf[i] >= 'a' && buf[i] <= 'z')
				buf[i] -= 32;
		if (write(1, buf, n) != n)
			return 1;
	}
	return n < 0;
}

static pid_t spawn_filter(const char *mode, int in, int out, int close1, int close2)
{
	pid_t pid;

	fflush(NULL);
	pid = fork();
	if (pid == 0) {
		char *argv[] = { self_path, (char *)mode, NULL };

		dup2(in, 0);
		dup2(out, 1);
		close(close1);
		close(close2);
		execv(self_path, argv);
		_exit(127);
	}
	return pid;
}

/* gen | upper | (us): the shell's pipeline. */
static int case_pipeline(void)
{
	int a[2], b[2], s1, s2;
	char buf[256];
	ssize_t n;

	if (!CHECK_EQ(pipe(a), 0) || !CHECK_EQ(pipe(b), 0))
		return 1;
	pid_t p1 = spawn_filter("gen", 0, a[1], a[0], b[0]);
	pid_t p2 = spawn_filter("upper", a[0], b[1], a[1], b[0]);

	close(a[0]);
	close(a[1]);
	close(b[1]);
	n = read_full(b[0], buf, sizeof(buf) - 1);
	CHECK_EQ(n, 35);
	buf[n > 0 ? n : 0] = 0;
	CHECK_EQ(strcmp(buf, "LINE 1\nLINE 2\nLINE 3\nLINE 4\nLINE 5\n"), 0);
	s1 = tap_wait_bounded(p1, 20);
	s2 = tap_wait_bounded(p2, 20);
	CHECK(WIFEXITED(s1) && WEXITSTATUS(s1) == 0);
	CHECK(WIFEXITED(s2) && WEXITSTATUS(s2) == 0);
	return 0;
}

/* Entry point: the cases, or a filter when re-executed with a mode argument. */
int main(int argc, char **argv)
{
	char dir[4096];

	if (argc > 1)
		return run_filter(argv[1]);
	tap_selfdir(dir, sizeof(dir), argv[0]);
	snprintf(self_path, sizeof(self_path), "%s/pipe", dir);
	tap_plan(8);
	run_case("pipe: order, FIONREAD, FIFO type, 64 KiB, EOF", case_basic);
	run_case("pipe2: O_CLOEXEC, O_NONBLOCK, bad flags", case_pipe2_flags);
	run_case("capacity 65536, EAGAIN, F_SETPIPE_SZ and EBUSY", case_capacity);
	run_case("EPIPE when ignored, SIGPIPE kills by default", case_epipe);
	run_case("PIPE_BUF writes from two writers stay whole", case_atomic_writers);
	run_case("O_DIRECT packets", case_packets);
	run_case("blocking read, descriptions shared by fork and dup", case_blocking_and_fork);
	run_case("pipeline between exec'd children", case_pipeline);
	return tap_done();
}
