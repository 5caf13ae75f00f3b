/*
 * /proc/<pid> files behind Linux's ptrace access check (proc(5) "Access
 * mode", ptrace(2) "Ptrace access mode checking"): maps, environ, the exe,
 * cwd and root links and the fd/ directory of another user's process are
 * refused with EACCES, while stat, status and cmdline stay readable; a
 * process of the same user may look inside only while it is dumpable
 * (prctl(2) PR_SET_DUMPABLE; a change of effective uid clears it, and its
 * /proc files then belong to root); root may look inside anything.
 */
#include <tap.h>
#include <sys/prctl.h>

#define OTHER_UID	54321	/* a user no other process runs as */

/* A child (as OTHER_UID when @become_other) that says it is ready on @wfd,
 * then obeys command bytes from @rfd; returns its pid. */
static pid_t spawn_waiter(int rfd, int wfd, bool become_other)
{
	pid_t pid = fork();

	if (pid == 0) {
		char c;

		if (become_other && (setgid(OTHER_UID) != 0 || setuid(OTHER_UID) != 0))
			_exit(90);
		/* Ready; then each command byte: 'd' dumpable on, 'q' quit. */
		if (write(wfd, "r", 1) != 1)
			_exit(91);
		while (read(rfd, &c, 1) == 1) {
			if (c == 'q')
				_exit(0);
			if (c == 'd' && prctl(PR_SET_DUMPABLE, 1, 0, 0, 0) != 0)
				_exit(92);
			if (write(wfd, "k", 1) != 1)
				_exit(93);
		}
		_exit(0);
	}
	return pid;
}

static int open_err(const char *fmt, pid_t pid, int flags)
{
	char path[64];
	int fd;

	snprintf(path, sizeof(path), fmt, (int)pid);
	fd = open(path, flags);
	if (fd >= 0) {
		close(fd);
		return 0;
	}
	return errno;
}

static int readlink_err(const char *fmt, pid_t pid)
{
	char path[64], buf[256];

	snprintf(path, sizeof(path), fmt, (int)pid);
	return readlink(path, buf, sizeof(buf)) >= 0 ? 0 : errno;
}

/* As OTHER_UID: what may be seen of another process @pid. */
static int check_denied(pid_t pid)
{
	CHECK_EQ(open_err("/proc/%d/maps", pid, O_RDONLY), EACCES);
	CHECK_EQ(open_err("/proc/%d/environ", pid, O_RDONLY), EACCES);
	CHECK_EQ(readlink_err("/proc/%d/exe", pid), EACCES);
	CHECK_EQ(readlink_err("/proc/%d/cwd", pid), EACCES);
	CHECK_EQ(readlink_err("/proc/%d/root", pid), EACCES);
	CHECK_EQ(open_err("/proc/%d/fd", pid, O_RDONLY | O_DIRECTORY), EACCES);
	CHECK_EQ(readlink_err("/proc/%d/fd/0", pid), EACCES);
	char path[64];

	snprintf(path, sizeof(path), "/proc/%d/task/%d/maps", (int)pid, (int)pid);
	CHECK_ERR(open(path, O_RDONLY), EACCES);
	/* What ps needs stays readable. */
	CHECK_EQ(open_err("/proc/%d/stat", pid, O_RDONLY), 0);
	CHECK_EQ(open_err("/proc/%d/status", pid, O_RDONLY), 0);
	CHECK_EQ(open_err("/proc/%d/cmdline", pid, O_RDONLY), 0);
	return 0;
}

static int check_allowed(pid_t pid)
{
	CHECK_EQ(open_err("/proc/%d/maps", pid, O_RDONLY), 0);
	/* environ is 0400: a non-dumpable process (root's files) is not asked. */
	if (pid != getpid())
		CHECK_EQ(open_err("/proc/%d/environ", pid, O_RDONLY), 0);
	CHECK_EQ(readlink_err("/proc/%d/exe", pid), 0);
	CHECK_EQ(readlink_err("/proc/%d/cwd", pid), 0);
	CHECK_EQ(readlink_err("/proc/%d/root", pid), 0);
	CHECK_EQ(open_err("/proc/%d/fd", pid, O_RDONLY | O_DIRECTORY), 0);
	return 0;
}

/* Run @fn(@pid) in a child as OTHER_UID; true if every check passed. */
static bool as_other(int (*fn)(pid_t), pid_t pid)
{
	int st = -1;
	pid_t c = fork();

	if (c == 0) {
		if (setgid(OTHER_UID) != 0 || setuid(OTHER_UID) != 0)
			_exit(90);
		/* Our own files stay open to us, dumpable or not. */
		tap_case_failed = false;
		check_allowed(getpid());
		if (prctl(PR_GET_DUMPABLE, 0, 0, 0, 0) != 0)
			tap_check(false, __FILE__, __LINE__, "setuid made us non-dumpable");
		fn(pid);
		_exit(tap_case_failed ? 1 : 0);
	}
	if (c < 0 || waitpid(c, &st, 0) != c)
		return false;
	if (st)
		tap_diag("checker child status 0x%x", st);
	return st == 0;
}

static int case_other_user(void)
{
	int cmd[2], ack[2];
	char c;
	pid_t t;

	CHECK_EQ(pipe(cmd), 0);
	CHECK_EQ(pipe(ack), 0);
	t = spawn_waiter(cmd[0], ack[1], false);	/* a root process */
	CHECK(t > 0);
	CHECK_EQ(read(ack[0], &c, 1), 1);
	CHECK(as_other(check_denied, t));
	CHECK(as_other(check_denied, 1));	/* init is root's */
	check_allowed(t);			/* root may */
	check_allowed(1);
	CHECK_EQ(write(cmd[1], "q", 1), 1);
	CHECK_EQ(waitpid(t, NULL, 0), t);
	return 0;
}

static int case_same_user_dumpable(void)
{
	int cmd[2], ack[2];
	struct stat st;
	char path[64], c;
	pid_t t;

	CHECK_EQ(pipe(cmd), 0);
	CHECK_EQ(pipe(ack), 0);
	t = spawn_waiter(cmd[0], ack[1], true);	/* OTHER_UID, non-dumpable now */
	CHECK(t > 0);
	CHECK_EQ(read(ack[0], &c, 1), 1);
	snprintf(path, sizeof(path), "/proc/%d/maps", (int)t);
	CHECK_EQ(stat(path, &st), 0);
	CHECK_EQ(st.st_uid, 0);		/* a non-dumpable process's files are root's */
	CHECK(as_other(check_denied, t));
	check_allowed(t);			/* root may */
	CHECK_EQ(write(cmd[1], "d", 1), 1);	/* PR_SET_DUMPABLE 1 */
	CHECK_EQ(read(ack[0], &c, 1), 1);
	CHECK_EQ(stat(path, &st), 0);
	CHECK_EQ(st.st_uid, OTHER_UID);
	CHECK(as_other(check_allowed, t));
	CHECK_EQ(write(cmd[1], "q", 1), 1);
	CHECK_EQ(waitpid(t, NULL, 0), t);
	return 0;
}

static int case_prctl_dumpable(void)
{
	CHECK_EQ(prctl(PR_GET_DUMPABLE, 0, 0, 0, 0), 1);
	CHECK_ERR(prctl(PR_SET_DUMPABLE, 2, 0, 0, 0), EINVAL);
	CHECK_EQ(prctl(PR_SET_DUMPABLE, 0, 0, 0, 0), 0);
	CHECK_EQ(prctl(PR_GET_DUMPABLE, 0, 0, 0, 0), 0);
	/* A forked child inherits it. */
	pid_t pid = fork();

	if (pid == 0)
		_exit(prctl(PR_GET_DUMPABLE, 0, 0, 0, 0) == 0 ? 0 : 1);
	int st = -1;

	CHECK_EQ(waitpid(pid, &st, 0), pid);
	CHECK_EQ(st, 0);
	CHECK_EQ(prctl(PR_SET_DUMPABLE, 1, 0, 0, 0), 0);
	CHECK_EQ(prctl(PR_GET_DUMPABLE, 0, 0, 0, 0), 1);
	return 0;
}

int main(void)
{
	tap_plan(3);
	run_case("another user's /proc/PID maps, exe, cwd, fd/: EACCES", case_other_user);
	run_case("same user: only while dumpable; files then root's", case_same_user_dumpable);
	run_case("prctl PR_SET/GET_DUMPABLE, inherited by fork", case_prctl_dumpable);
	return tap_done();
}
