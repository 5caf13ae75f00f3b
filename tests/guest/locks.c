/*
 * Advisory locks between processes, as fcntl(2) and flock(2) describe them: POSIX record locks
 * (F_GETLK names the holder's pid, F_SETLK fails with EAGAIN/EACCES, F_SETLKW waits and then
 * proceeds, EDEADLK for a two-process cycle, any close of the file by the owner and exit release
 * them, ranges split and merge), open file description locks (owned by the description, l_pid
 * -1, conflicting even within one process), flock(2) (per description, independent of record
 * locks, blocking and LOCK_NB), interrupted waits (EINTR) and the errors.
 */
#define _GNU_SOURCE
#include <tap.h>
#include <sys/file.h>
#include <sys/syscall.h>

static char path[4096];	/* the file the case locks */

static int open_file(int flags)
{
	int fd = open(path, flags | O_CREAT, 0644);

	if (fd < 0)
		tap_diag("open %s: %s", path, strerror(errno));
	return fd;
}

static int lk(int fd, int cmd, short type, off_t start, off_t len)
{
	struct flock fl = { .l_type = type, .l_whence = SEEK_SET, .l_start = start, .l_len = len };

	return fcntl(fd, cmd, &fl);
}

/* F_GETLK (or F_OFD_GETLK) for [start, start + len) of @type: the answer in *@out. */
static int getlk(int fd, int cmd, short type, off_t start, off_t len, struct flock *out)
{
	memset(out, 0, sizeof(*out));
	out->l_type = type;
	out->l_whence = SEEK_SET;
	out->l_start = start;
	out->l_len = len;
	return fcntl(fd, cmd, out);
}

/* Block until one byte arrives on @fd (bounded by the case's alarm). */
static void wait_byte(int fd)
{
	char c;

	if (read(fd, &c, 1) != 1)
		tap_diag("wait_byte: %s", strerror(errno));
}

static void send_byte(int fd)
{
	if (write(fd, "x", 1) != 1)
		tap_diag("send_byte: %s", strerror(errno));
}

/* Has child @pid exited with status 0? Waits at most 20 s. */
static bool child_ok(pid_t pid)
{
	char why[64];
	int status = tap_wait_bounded(pid, 20);

	if (status >= 0 && WIFEXITED(status) && WEXITSTATUS(status) == 0)
		return true;
	tap_diag("child %d: %s", (int)pid, tap_status_str(status, why, sizeof(why)));
	return false;
}

static void setup(const char *tag)
{
	tap_tmppath(path, sizeof(path), tag);
	unlink(path);
}

static int case_getlk_setlk(void)
{
	int fd, p[2], q[2];
	pid_t me = getpid(), pid;
	struct flock fl;

	setup("lk-get");
	fd = open_file(O_RDWR);
	CHECK_EQ(lk(fd, F_SETLK, F_WRLCK, 0, 100), 0);
	CHECK_EQ(lk(fd, F_SETLK, F_RDLCK, 200, 10), 0);
	/* One's own locks never conflict. */
	CHECK_EQ(getlk(fd, F_GETLK, F_WRLCK, 0, 0, &fl), 0);
	CHECK_EQ(fl.l_type, F_UNLCK);
	CHECK_EQ(pipe(p), 0);
	CHECK_EQ(pipe(q), 0);
	fflush(NULL);
	pid = fork();
	if (pid == 0) {
		int cfd = open_file(O_RDWR);

		CHECK_EQ(getlk(cfd, F_GETLK, F_RDLCK, 50, 10, &fl), 0);
		CHECK_EQ(fl.l_type, F_WRLCK);
		CHECK_EQ(fl.l_whence, SEEK_SET);
		CHECK_EQ(fl.l_start, 0);
		CHECK_EQ(fl.l_len, 100);
		CHECK_EQ(fl.l_pid, me);
		errno = 0;
		CHECK(lk(cfd, F_SETLK, F_RDLCK, 99, 1) == -1 && (errno == EAGAIN || errno == EACCES));
		CHECK_EQ(lk(cfd, F_SETLK, F_WRLCK, 100, 100), 0);	/* next to it: free */
		/* Read locks share; a write lock does not. */
		CHECK_EQ(lk(cfd, F_SETLK, F_RDLCK, 205, 1), 0);
		errno = 0;
		CHECK(lk(cfd, F_SETLK, F_WRLCK, 200, 1) == -1 && (errno == EAGAIN || errno == EACCES));
		CHECK_EQ(getlk(cfd, F_GETLK, F_WRLCK, 200, 0, &fl), 0);
		CHECK_EQ(fl.l_type, F_RDLCK);
		CHECK_EQ(fl.l_start, 200);
		CHECK_EQ(fl.l_len, 10);
		send_byte(p[1]);
		wait_byte(q[0]);
		_exit(tap_case_failed ? 1 : 0);
	}
	/* While the child holds [100, 200), the parent sees it. */
	char c;

	CHECK_EQ(read(p[0], &c, 1), 1);
	CHECK_EQ(getlk(fd, F_GETLK, F_RDLCK, 150, 1, &fl), 0);
	CHECK_EQ(fl.l_type, F_WRLCK);
	CHECK_EQ(fl.l_pid, pid);
	send_byte(q[1]);
	CHECK(child_ok(pid));
	/* The child's exit released its locks. */
	CHECK_EQ(getlk(fd, F_GETLK, F_WRLCK, 100, 100, &fl), 0);
	CHECK_EQ(fl.l_type, F_UNLCK);
	unlink(path);
	return 0;
}

static int case_setlkw_waits(void)
{
	int fd, p[2];
	pid_t pid;
	long long t0;

	setup("lk-wait");
	fd = open_file(O_RDWR);
	CHECK_EQ(lk(fd, F_SETLK, F_WRLCK, 0, 0), 0);
	CHECK_EQ(pipe(p), 0);
	fflush(NULL);
	pid = fork();
	if (pid == 0) {
		int cfd = open_file(O_RDWR);

		close(p[0]);
		CHECK_EQ(lk(cfd, F_SETLKW, F_WRLCK, 10, 10), 0);
		send_byte(p[1]);
		_exit(tap_case_failed ? 1 : 0);
	}
	close(p[1]);
	tap_sleep_ms(300);
	CHECK_EQ(waitpid(pid, NULL, WNOHANG), 0);	/* still waiting */
	t0 = tap_now_ms();
	CHECK_EQ(lk(fd, F_SETLK, F_UNLCK, 0, 0), 0);
	wait_byte(p[0]);
	CHECK(tap_now_ms() - t0 < 5000);
	CHECK(child_ok(pid));
	unlink(path);
	return 0;
}

/*
 * One party of the cycle: hold byte @mine, wait for @go, then wait for byte @want. Exits 0
 * when it got @want, 2 after EDEADLK (letting go of @mine so the other proceeds), 1 otherwise.
 */
static void deadlock_party(off_t mine, off_t want, int ready, int go)
{
	int fd = open_file(O_RDWR);

	if (lk(fd, F_SETLK, F_WRLCK, mine, 1) != 0)
		_exit(1);
	send_byte(ready);
	wait_byte(go);
	if (lk(fd, F_SETLKW, F_WRLCK, want, 1) == 0)
		_exit(0);
	if (errno != EDEADLK) {
		tap_diag("F_SETLKW: %s, expected EDEADLK", strerror(errno));
		_exit(1);
	}
	lk(fd, F_SETLK, F_UNLCK, mine, 1);
	_exit(2);
}

static int case_deadlock(void)
{
	int a_ready[2], b_ready[2], a_go[2], b_go[2], sa, sb;
	pid_t a, b;

	setup("lk-dead");
	close(open_file(O_RDWR));
	CHECK_EQ(pipe(a_ready) | pipe(b_ready) | pipe(a_go) | pipe(b_go), 0);
	fflush(NULL);
	a = fork();
	if (a == 0)
		deadlock_party(0, 1, a_ready[1], a_go[0]);
	b = fork();
	if (b == 0)
		deadlock_party(1, 0, b_ready[1], b_go[0]);
	wait_byte(a_ready[0]);
	wait_byte(b_ready[0]);
	send_byte(a_go[1]);
	tap_sleep_ms(300);	/* A is (almost always) waiting by now */
	send_byte(b_go[1]);
	/* Whoever closes the cycle gets EDEADLK; the other then gets its lock. */
	sa = tap_wait_bounded(a, 20);
	sb = tap_wait_bounded(b, 20);
	CHECK(sa >= 0 && WIFEXITED(sa) && sb >= 0 && WIFEXITED(sb));
	CHECK((WEXITSTATUS(sa) == 0 && WEXITSTATUS(sb) == 2) ||
	      (WEXITSTATUS(sa) == 2 && WEXITSTATUS(sb) == 0));
	unlink(path);
	return 0;
}

static int case_close_releases(void)
{
	int fd, fd2, p[2], q[2];
	struct flock fl;
	pid_t pid;

	setup("lk-close");
	fd = open_file(O_RDWR);
	CHECK_EQ(pipe(p), 0);
	CHECK_EQ(pipe(q), 0);
	fflush(NULL);
	pid = fork();
	if (pid == 0) {
		int cfd = open_file(O_RDWR), other = open_file(O_RDONLY);

		CHECK_EQ(lk(cfd, F_SETLK, F_WRLCK, 0, 10), 0);
		send_byte(p[1]);
		wait_byte(q[0]);
		/* Closing any descriptor of the file, not only cfd, releases the lock. */
		close(other);
		send_byte(p[1]);
		wait_byte(q[0]);
		_exit(0);
	}
	wait_byte(p[0]);
	CHECK_EQ(getlk(fd, F_GETLK, F_WRLCK, 0, 10, &fl), 0);
	CHECK_EQ(fl.l_type, F_WRLCK);
	send_byte(q[1]);
	wait_byte(p[0]);
	CHECK_EQ(getlk(fd, F_GETLK, F_WRLCK, 0, 10, &fl), 0);
	CHECK_EQ(fl.l_type, F_UNLCK);
	send_byte(q[1]);
	CHECK(child_ok(pid));
	/* In one process, a dup's close releases too; fork does not inherit locks. */
	CHECK_EQ(lk(fd, F_SETLK, F_WRLCK, 0, 10), 0);
	fd2 = dup(fd);
	close(fd2);
	fflush(NULL);
	pid = fork();
	if (pid == 0) {
		CHECK_EQ(getlk(fd, F_GETLK, F_WRLCK, 0, 10, &fl), 0);
		CHECK_EQ(fl.l_type, F_UNLCK);
		_exit(tap_case_failed ? 1 : 0);
	}
	CHECK(child_ok(pid));
	CHECK_EQ(lk(fd, F_SETLK, F_WRLCK, 0, 10), 0);
	fflush(NULL);
	pid = fork();
	if (pid == 0) {
		/* The parent's lock is not the child's: it conflicts. */
		CHECK_EQ(getlk(fd, F_GETLK, F_WRLCK, 0, 10, &fl), 0);
		CHECK_EQ(fl.l_type, F_WRLCK);
		CHECK_EQ(fl.l_pid, getppid());
		_exit(tap_case_failed ? 1 : 0);
	}
	CHECK(child_ok(pid));
	unlink(path);
	return 0;
}

static int case_split_merge(void)
{
	struct flock fl;
	pid_t pid;
	int fd;

	setup("lk-split");
	fd = open_file(O_RDWR);
	CHECK_EQ(lk(fd, F_SETLK, F_WRLCK, 0, 100), 0);
	CHECK_EQ(lk(fd, F_SETLK, F_UNLCK, 40, 20), 0);	/* a hole in the middle */
	CHECK_EQ(lk(fd, F_SETLK, F_RDLCK, 200, 10), 0);
	CHECK_EQ(lk(fd, F_SETLK, F_RDLCK, 210, 10), 0);	/* touching: merged */
	CHECK_EQ(lseek(fd, 300, SEEK_SET), 300);
	fl = (struct flock){ .l_type = F_WRLCK, .l_whence = SEEK_CUR, .l_start = 10, .l_len = -5 };
	CHECK_EQ(fcntl(fd, F_SETLK, &fl), 0);	/* [305, 310) */
	fflush(NULL);
	pid = fork();
	if (pid == 0) {
		CHECK_EQ(getlk(fd, F_GETLK, F_WRLCK, 45, 10, &fl), 0);
		CHECK_EQ(fl.l_type, F_UNLCK);
		CHECK_EQ(getlk(fd, F_GETLK, F_WRLCK, 0, 50, &fl), 0);
		CHECK_EQ(fl.l_type, F_WRLCK);
		CHECK_EQ(fl.l_start, 0);
		CHECK_EQ(fl.l_len, 40);
		CHECK_EQ(getlk(fd, F_GETLK, F_WRLCK, 50, 50, &fl), 0);
		CHECK_EQ(fl.l_start, 60);
		CHECK_EQ(fl.l_len, 40);
		CHECK_EQ(getlk(fd, F_GETLK, F_WRLCK, 150, 0, &fl), 0);
		CHECK_EQ(fl.l_type, F_RDLCK);
		CHECK_EQ(fl.l_start, 200);
		CHECK_EQ(fl.l_len, 20);
		CHECK_EQ(getlk(fd, F_GETLK, F_RDLCK, 300, 0, &fl), 0);
		CHECK_EQ(fl.l_type, F_WRLCK);
		CHECK_EQ(fl.l_start, 305);
		CHECK_EQ(fl.l_len, 5);
		_exit(tap_case_failed ? 1 : 0);
	}
	CHECK(child_ok(pid));
	/* Upgrading part of a read lock splits it. */
	CHECK_EQ(lk(fd, F_SETLK, F_WRLCK, 205, 5), 0);
	pid = fork();
	if (pid == 0) {
		CHECK_EQ(getlk(fd, F_GETLK, F_RDLCK, 200, 20, &fl), 0);
		CHECK_EQ(fl.l_type, F_WRLCK);
		CHECK_EQ(fl.l_start, 205);
		CHECK_EQ(fl.l_len, 5);
		CHECK_EQ(getlk(fd, F_GETLK, F_RDLCK, 210, 10, &fl), 0);
		CHECK_EQ(fl.l_type, F_UNLCK);
		_exit(tap_case_failed ? 1 : 0);
	}
	CHECK(child_ok(pid));
	unlink(path);
	return 0;
}

static int case_ofd(void)
{
	struct flock fl;
	int fd1, fd2, d;
	pid_t pid;

	setup("lk-ofd");
	fd1 = open_file(O_RDWR);
	fd2 = open_file(O_RDWR);
	CHECK_EQ(lk(fd1, F_OFD_SETLK, F_WRLCK, 0, 10), 0);
	/* Another description of the same process conflicts. */
	errno = 0;
	CHECK(lk(fd2, F_OFD_SETLK, F_WRLCK, 5, 1) == -1 && (errno == EAGAIN || errno == EACCES));
	CHECK_EQ(getlk(fd2, F_OFD_GETLK, F_RDLCK, 0, 0, &fl), 0);
	CHECK_EQ(fl.l_type, F_WRLCK);
	CHECK_EQ(fl.l_pid, -1);
	CHECK_EQ(fl.l_len, 10);
	/* OFD and POSIX locks conflict with each other. */
	errno = 0;
	CHECK(lk(fd2, F_SETLK, F_RDLCK, 0, 1) == -1 && (errno == EAGAIN || errno == EACCES));
	/* l_pid must be 0. */
	fl = (struct flock){ .l_type = F_RDLCK, .l_whence = SEEK_SET, .l_len = 1, .l_pid = 1 };
	CHECK_ERR(fcntl(fd2, F_OFD_SETLK, &fl), EINVAL);
	/* Closing a duplicate keeps the lock: it belongs to the description. */
	d = dup(fd1);
	close(d);
	CHECK_EQ(getlk(fd2, F_OFD_GETLK, F_RDLCK, 0, 0, &fl), 0);
	CHECK_EQ(fl.l_type, F_WRLCK);
	/* A forked child shares the description, and so the lock. */
	fflush(NULL);
	pid = fork();
	if (pid == 0) {
		CHECK_EQ(lk(fd1, F_OFD_SETLK, F_WRLCK, 0, 20), 0);
		_exit(tap_case_failed ? 1 : 0);
	}
	CHECK(child_ok(pid));
	CHECK_EQ(getlk(fd2, F_OFD_GETLK, F_RDLCK, 15, 1, &fl), 0);
	CHECK_EQ(fl.l_type, F_WRLCK);
	CHECK_EQ(fl.l_len, 20);
	/* The last close of the description releases it. */
	close(fd1);
	CHECK_EQ(lk(fd2, F_OFD_SETLK, F_WRLCK, 0, 20), 0);
	unlink(path);
	return 0;
}

static int case_flock(void)
{
	int fd1, fd2, p[2];
	pid_t pid;

	setup("lk-flock");
	fd1 = open_file(O_RDONLY);
	fd2 = open_file(O_RDONLY);
	CHECK_EQ(flock(fd1, LOCK_EX), 0);	/* any access mode will do */
	CHECK_ERR(flock(fd2, LOCK_EX | LOCK_NB), EWOULDBLOCK);
	CHECK_ERR(flock(fd2, LOCK_SH | LOCK_NB), EWOULDBLOCK);
	/* flock and record locks are independent. */
	CHECK_EQ(lk(fd2, F_SETLK, F_RDLCK, 0, 0), 0);
	/* Converting one's own lock. */
	CHECK_EQ(flock(fd1, LOCK_SH), 0);
	CHECK_EQ(flock(fd2, LOCK_SH | LOCK_NB), 0);
	CHECK_ERR(flock(fd1, LOCK_EX | LOCK_NB), EWOULDBLOCK);
	CHECK_EQ(flock(fd2, LOCK_UN), 0);
	CHECK_EQ(flock(fd1, LOCK_EX | LOCK_NB), 0);
	/* A blocked flock proceeds when the holder unlocks. */
	CHECK_EQ(pipe(p), 0);
	fflush(NULL);
	pid = fork();
	if (pid == 0) {
		int cfd = open_file(O_RDONLY);

		close(p[0]);
		CHECK_EQ(flock(cfd, LOCK_EX), 0);
		send_byte(p[1]);
		_exit(tap_case_failed ? 1 : 0);
	}
	close(p[1]);
	tap_sleep_ms(300);
	CHECK_EQ(waitpid(pid, NULL, WNOHANG), 0);
	CHECK_EQ(flock(fd1, LOCK_UN), 0);
	wait_byte(p[0]);
	CHECK(child_ok(pid));
	/* The last close of a description releases its flock lock. */
	CHECK_EQ(flock(fd1, LOCK_EX), 0);
	close(fd1);
	CHECK_EQ(flock(fd2, LOCK_EX | LOCK_NB), 0);
	CHECK_ERR(flock(fd2, 0), EINVAL);
	CHECK_ERR(flock(fd2, LOCK_SH | LOCK_EX), EINVAL);
	CHECK_ERR(flock(-1, LOCK_SH), EBADF);
	unlink(path);
	return 0;
}

#define CONTENDERS	4
#define ROUNDS		100

/* Read-increment-write a counter at offset 0 of @fd. */
static void bump(int fd)
{
	int v = 0;

	if (pread(fd, &v, sizeof(v), 0) < 0)
		v = -1000000;
	v++;
	if (pwrite(fd, &v, sizeof(v), 0) != sizeof(v))
		tap_diag("pwrite: %s", strerror(errno));
}

static int case_contention(void)
{
	pid_t pids[CONTENDERS];
	int fd, v = 0;

	setup("lk-many");
	fd = open_file(O_RDWR);
	CHECK_EQ(pwrite(fd, &v, sizeof(v), 0), sizeof(v));
	fflush(NULL);
	for (int i = 0; i < CONTENDERS; i++) {
		pids[i] = fork();
		if (pids[i] == 0) {
			int cfd = open_file(O_RDWR);

			for (int r = 0; r < ROUNDS; r++) {
				/* Half POSIX, half OFD: record locks of both kinds conflict. */
				if (i % 2 == 0) {
					CHECK_EQ(lk(cfd, F_SETLKW, F_WRLCK, 0, 4), 0);
					bump(cfd);
					CHECK_EQ(lk(cfd, F_SETLK, F_UNLCK, 0, 4), 0);
				} else {
					CHECK_EQ(lk(cfd, F_OFD_SETLKW, F_WRLCK, 0, 4), 0);
					bump(cfd);
					CHECK_EQ(lk(cfd, F_OFD_SETLK, F_UNLCK, 0, 4), 0);
				}
			}
			_exit(tap_case_failed ? 1 : 0);
		}
	}
	for (int i = 0; i < CONTENDERS; i++)
		CHECK(child_ok(pids[i]));
	CHECK_EQ(pread(fd, &v, sizeof(v), 0), sizeof(v));
	CHECK_EQ(v, CONTENDERS * ROUNDS);
	unlink(path);
	return 0;
}

static void on_alarm(int sig)
{
	(void)sig;
}

static int case_interrupted(void)
{
	struct sigaction sa = { .sa_handler = on_alarm };
	pid_t pid;
	int fd, fd2;

	setup("lk-intr");
	fd = open_file(O_RDWR);
	CHECK_EQ(lk(fd, F_SETLK, F_WRLCK, 0, 0), 0);
	CHECK_EQ(flock(fd, LOCK_EX), 0);
	fflush(NULL);
	pid = fork();
	if (pid == 0) {
		int cfd = open_file(O_RDWR);

		sigaction(SIGALRM, &sa, NULL);	/* no SA_RESTART */
		alarm(1);
		CHECK_ERR(lk(cfd, F_SETLKW, F_WRLCK, 0, 1), EINTR);
		alarm(1);
		CHECK_ERR(flock(cfd, LOCK_SH), EINTR);
		alarm(1);
		CHECK_ERR(lk(cfd, F_OFD_SETLKW, F_RDLCK, 0, 1), EINTR);
		_exit(tap_case_failed ? 1 : 0);
	}
	CHECK(child_ok(pid));
	/* The interrupted waiter left nothing behind. */
	fd2 = open_file(O_RDWR);
	CHECK_EQ(lk(fd, F_SETLK, F_UNLCK, 0, 0), 0);
	CHECK_EQ(lk(fd2, F_OFD_SETLK, F_WRLCK, 0, 0), 0);
	unlink(path);
	return 0;
}

static int case_errors(void)
{
	struct flock fl;
	int ro, wo, pfd;

	setup("lk-err");
	ro = open_file(O_RDONLY);
	wo = open_file(O_WRONLY);
	CHECK_ERR(lk(ro, F_SETLK, F_WRLCK, 0, 1), EBADF);
	CHECK_ERR(lk(wo, F_SETLK, F_RDLCK, 0, 1), EBADF);
	CHECK_ERR(lk(ro, F_SETLK, 7, 0, 1), EINVAL);
	CHECK_ERR(lk(ro, F_SETLK, F_RDLCK, -1, 1), EINVAL);
	CHECK_ERR(lk(ro, F_SETLK, F_RDLCK, 5, -10), EINVAL);
	CHECK_ERR(getlk(ro, F_GETLK, F_UNLCK, 0, 1, &fl), EINVAL);
	fl = (struct flock){ .l_type = F_RDLCK, .l_whence = 9 };
	CHECK_ERR(fcntl(ro, F_SETLK, &fl), EINVAL);
	fl = (struct flock){ .l_type = F_RDLCK, .l_whence = SEEK_SET, .l_start = 0x7fffffffffffff00,
			     .l_len = 0x1000 };
	CHECK_ERR(fcntl(ro, F_SETLK, &fl), EOVERFLOW);
	CHECK_ERR(syscall(SYS_fcntl, ro, F_SETLK, tap_bad_ptr(16)), EFAULT);
	CHECK_ERR(syscall(SYS_fcntl, ro, F_GETLK, tap_bad_ptr(0xffff800000000000ULL)), EFAULT);
	CHECK_ERR(lk(-1, F_SETLK, F_RDLCK, 0, 1), EBADF);
	pfd = open(path, O_PATH);
	CHECK_ERR(lk(pfd, F_SETLK, F_RDLCK, 0, 1), EBADF);
	CHECK_ERR(flock(pfd, LOCK_SH), EBADF);
	/* Unlocking what is not locked is fine. */
	CHECK_EQ(lk(ro, F_SETLK, F_UNLCK, 0, 0), 0);
	unlink(path);
	return 0;
}

/* Does /proc/locks have a line (after its "N: ") equal to @want? */
static bool proc_locks_has(const char *want, bool say)
{
	static char buf[65536];
	char *line, *save = NULL;

	if (tap_read_file("/proc/locks", buf, sizeof(buf)) <= 0)
		return false;
	for (line = strtok_r(buf, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		char *sp = strchr(line, ' ');

		if (sp && !strcmp(sp + 1, want))
			return true;
	}
	if (say)
		tap_diag("no /proc/locks line \"%s\"", want);
	return false;
}

/* /proc/locks lists each lock as Linux does (what lslocks reads): kind, type, the
 * owner's pid (-1 for OFD locks), device:inode and the range (EOF: to the end). */
static int case_proc_locks(void)
{
	char want[160], id[64], path2[4200];
	struct stat st;
	int fd, fd2;

	setup("lk-proc");
	fd = open_file(O_RDWR);
	snprintf(path2, sizeof(path2), "%s.2", path);
	fd2 = open(path2, O_RDWR | O_CREAT | O_TRUNC, 0600);
	CHECK(fd2 >= 0);
	CHECK_EQ(fstat(fd, &st), 0);
	snprintf(id, sizeof(id), "%02x:%02x:%lu", major(st.st_dev), minor(st.st_dev),
		 (unsigned long)st.st_ino);
	CHECK_EQ(lk(fd, F_SETLK, F_WRLCK, 10, 10), 0);
	CHECK_EQ(lk(fd, F_SETLK, F_RDLCK, 100, 0), 0);
	snprintf(want, sizeof(want), "POSIX  ADVISORY  WRITE %d %s 10 19", (int)getpid(), id);
	CHECK(proc_locks_has(want, true));
	snprintf(want, sizeof(want), "POSIX  ADVISORY  READ %d %s 100 EOF", (int)getpid(), id);
	CHECK(proc_locks_has(want, true));
	CHECK_EQ(fstat(fd2, &st), 0);
	snprintf(id, sizeof(id), "%02x:%02x:%lu", major(st.st_dev), minor(st.st_dev),
		 (unsigned long)st.st_ino);
	CHECK_EQ(lk(fd2, F_OFD_SETLK, F_WRLCK, 0, 1), 0);
	snprintf(want, sizeof(want), "OFDLCK ADVISORY  WRITE -1 %s 0 0", id);
	CHECK(proc_locks_has(want, true));
	CHECK_EQ(lk(fd2, F_OFD_SETLK, F_UNLCK, 0, 1), 0);
	CHECK_EQ(flock(fd2, LOCK_SH), 0);
	snprintf(want, sizeof(want), "FLOCK  ADVISORY  READ %d %s 0 EOF", (int)getpid(), id);
	CHECK(proc_locks_has(want, true));
	close(fd);
	close(fd2);
	CHECK(!proc_locks_has(want, false));	/* gone with the close */
	unlink(path);
	unlink(path2);
	return 0;
}

static const struct {
	const char *name;
	int (*fn)(void);
} cases[] = {
	{ "F_GETLK names the holder's pid; F_SETLK gives EAGAIN; exit releases", case_getlk_setlk },
	{ "F_SETLKW waits for the holder, then proceeds", case_setlkw_waits },
	{ "F_SETLKW gives EDEADLK for a two-process cycle", case_deadlock },
	{ "any close releases POSIX locks; fork does not inherit them", case_close_releases },
	{ "record locks split, merge and upgrade by range", case_split_merge },
	{ "OFD locks belong to the open file description", case_ofd },
	{ "flock: per description, independent of record locks, blocking", case_flock },
	{ "lock waits are interrupted by a signal: EINTR", case_interrupted },
	{ "POSIX and OFD write locks exclude each other under contention", case_contention },
	{ "lock errors: EBADF, EINVAL, EOVERFLOW, EFAULT", case_errors },
	{ "/proc/locks lists POSIX, OFD and flock locks as Linux does", case_proc_locks },
};

int main(void)
{
	const int n = sizeof(cases) / sizeof(cases[0]);

	tap_plan(n);
	for (int i = 0; i < n; i++)
		run_case(cases[i].name, cases[i].fn);
	return tap_done();
}
