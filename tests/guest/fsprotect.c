/*
 * File protections Linux applies beyond the permission bits: ETXTBSY (open(2), truncate(2),
 * execve(2)): a file being executed cannot be opened for writing or truncated, and a file open
 * for writing cannot be executed; and fs.protected_hardlinks (proc_sys_fs(5), on by default):
 * an unprivileged user may hard-link only files it owns, or regular files it may read and write
 * that are not set-user-ID (nor executable set-group-ID): EPERM otherwise. Also utimensat(2)
 * on /proc files: what root sets, stat(2) reports (Linux keeps it in the proc inode); other
 * users get EPERM or EACCES.
 *
 * Run as "fsprotect wait <file>" it is the program the ETXTBSY cases execute: it creates
 * <file> and sleeps until killed.
 */
#define _GNU_SOURCE
#include <tap.h>

static char base[4096];	/* the test's own directory */

/* Copy this program to @path with @mode. */
static bool copy_self(const char *path, mode_t mode)
{
	static char buf[1 << 16];
	int in = open("/proc/self/exe", O_RDONLY), out;
	ssize_t n;

	if (in < 0)
		return false;
	out = open(path, O_CREAT | O_WRONLY | O_TRUNC, mode);
	if (out < 0) {
		close(in);
		return false;
	}
	while ((n = read(in, buf, sizeof(buf))) > 0)
		if (write(out, buf, n) != n)
			n = -1;
	close(in);
	close(out);
	return n == 0;
}

static int case_write_running(void)
{
	char prog[4200], marker[4200];
	struct stat before, after;
	pid_t pid;
	int fd;

	snprintf(prog, sizeof(prog), "%s/running", base);
	snprintf(marker, sizeof(marker), "%s/running.started", base);
	CHECK(copy_self(prog, 0755));
	CHECK_EQ(stat(prog, &before), 0);
	fflush(NULL);
	pid = fork();
	if (pid == 0) {
		execl(prog, "running", "wait", marker, (char *)NULL);
		_exit(127);
	}
	CHECK(tap_wait_for_file(marker, 20000));
	CHECK_ERR(open(prog, O_WRONLY), ETXTBSY);
	CHECK_ERR(open(prog, O_RDWR), ETXTBSY);
	CHECK_ERR(open(prog, O_WRONLY | O_TRUNC), ETXTBSY);
	CHECK_ERR(truncate(prog, 0), ETXTBSY);
	CHECK_EQ(stat(prog, &after), 0);
	CHECK_EQ(after.st_size, before.st_size);	/* O_TRUNC did nothing */
	fd = open(prog, O_RDONLY);	/* reading is fine */
	CHECK(fd >= 0);
	close(fd);
	kill(pid, SIGKILL);
	CHECK(tap_wait_bounded(pid, 20) >= 0);
	/* Once the program is gone, the file is an ordinary file again. */
	fd = open(prog, O_WRONLY);
	CHECK(fd >= 0);
	close(fd);
	CHECK_EQ(truncate(prog, 0), 0);
	unlink(prog);
	unlink(marker);
	return 0;
}

static int case_exec_open_for_write(void)
{
	char prog[4200], marker[4200];
	pid_t pid;
	int fd, status;

	snprintf(prog, sizeof(prog), "%s/writing", base);
	snprintf(marker, sizeof(marker), "%s/writing.started", base);
	CHECK(copy_self(prog, 0755));
	fd = open(prog, O_WRONLY | O_CLOEXEC);
	CHECK(fd >= 0);
	CHECK_ERR(execl(prog, "writing", "wait", marker, (char *)NULL), ETXTBSY);
	/* Another process sees the same. */
	fflush(NULL);
	pid = fork();
	if (pid == 0) {
		close(fd);
		execl(prog, "writing", "wait", marker, (char *)NULL);
		_exit(errno == ETXTBSY ? 42 : 43);
	}
	status = tap_wait_bounded(pid, 20);
	CHECK(status >= 0 && WIFEXITED(status) && WEXITSTATUS(status) == 42);
	close(fd);
	/* Closed: it runs. */
	fflush(NULL);
	pid = fork();
	if (pid == 0) {
		execl(prog, "writing", "wait", marker, (char *)NULL);
		_exit(127);
	}
	CHECK(tap_wait_for_file(marker, 20000));
	kill(pid, SIGKILL);
	CHECK(tap_wait_bounded(pid, 20) >= 0);
	unlink(prog);
	unlink(marker);
	return 0;
}

/* A forked copy of a running program keeps the file busy after the original exits. */
static int case_fork_keeps_busy(void)
{
	char prog[4200], marker[4200];
	pid_t pid;

	snprintf(prog, sizeof(prog), "%s/forked", base);
	snprintf(marker, sizeof(marker), "%s/forked.started", base);
	CHECK(copy_self(prog, 0755));
	fflush(NULL);
	pid = fork();
	if (pid == 0) {
		execl(prog, "forked", "forkwait", marker, (char *)NULL);
		_exit(127);
	}
	CHECK(tap_wait_for_file(marker, 20000));
	/* The exec'd program forked a child and exited. */
	CHECK(tap_wait_bounded(pid, 20) >= 0);
	CHECK_ERR(open(prog, O_WRONLY), ETXTBSY);
	/* The grandchild has recorded its pid in the marker. */
	char buf[32];
	pid_t grandchild;

	CHECK(tap_read_file(marker, buf, sizeof(buf)) > 0);
	grandchild = atoi(buf);
	CHECK(grandchild > 1);
	if (grandchild > 1)
		kill(grandchild, SIGKILL);
	for (int i = 0; i < 2000; i++) {
		int fd = open(prog, O_WRONLY);

		if (fd >= 0) {
			close(fd);
			break;
		}
		CHECK(errno == ETXTBSY);
		tap_sleep_ms(5);
	}
	CHECK_EQ(access(prog, W_OK), 0);
	unlink(prog);
	unlink(marker);
	return 0;
}

static int case_protected_hardlinks(void)
{
	char dir[4200];
	pid_t pid;
	int status;

	if (getuid() != 0) {
		tap_diag("not running as root");
		return TAP_SKIP_STATUS;
	}
	snprintf(dir, sizeof(dir), "%s/links", base);
	CHECK_EQ(mkdir(dir, 0777), 0);
	CHECK_EQ(chmod(dir, 0777), 0);
	CHECK_EQ(chdir(dir), 0);
	CHECK_EQ(tap_write_file("secret", "s", 1, 0600), 0);
	CHECK_EQ(tap_write_file("readonly", "r", 1, 0644), 0);
	CHECK_EQ(tap_write_file("shared", "w", 1, 0666), 0);
	CHECK_EQ(chmod("shared", 0666), 0);
	CHECK_EQ(tap_write_file("suid", "x", 1, 04777), 0);
	CHECK_EQ(chmod("suid", 04777), 0);
	CHECK_EQ(tap_write_file("sgid", "x", 1, 02777), 0);
	CHECK_EQ(chmod("sgid", 02777), 0);
	CHECK_EQ(tap_write_file("sgid-noexec", "x", 1, 02666), 0);
	CHECK_EQ(chmod("sgid-noexec", 02666), 0);
	fflush(NULL);
	pid = fork();
	if (pid == 0) {
		if (setgid(65534) != 0 || setuid(65534) != 0)
			_exit(TAP_SKIP_STATUS);
		CHECK_ERR(link("secret", "l1"), EPERM);
		CHECK_ERR(link("readonly", "l2"), EPERM);
		CHECK_ERR(link("suid", "l3"), EPERM);
		CHECK_ERR(link("sgid", "l4"), EPERM);
		CHECK_EQ(link("shared", "l5"), 0);
		CHECK_EQ(link("sgid-noexec", "l6"), 0);
		CHECK_EQ(tap_write_file("mine", "m", 1, 0600), 0);
		CHECK_EQ(link("mine", "l7"), 0);
		CHECK_ERR(linkat(AT_FDCWD, "secret", AT_FDCWD, "l8", 0), EPERM);
		_exit(tap_case_failed ? 1 : 0);
	}
	status = tap_wait_bounded(pid, 30);
	if (status >= 0 && WIFEXITED(status) && WEXITSTATUS(status) == TAP_SKIP_STATUS) {
		tap_diag("setuid is not available");
		return TAP_SKIP_STATUS;
	}
	CHECK(status >= 0 && WIFEXITED(status) && WEXITSTATUS(status) == 0);
	/* Root may link anything. */
	CHECK_EQ(link("secret", "root-link"), 0);
	const char *names[] = { "secret", "readonly", "shared", "suid", "sgid", "sgid-noexec",
				"mine", "l5", "l6", "l7", "root-link" };

	for (unsigned i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		unlink(names[i]);
	CHECK_EQ(chdir(base), 0);
	CHECK_EQ(rmdir(dir), 0);
	return 0;
}

static int case_proc_utimes(void)
{
	const char *files[] = { "/proc/self/status", "/proc/uptime", "/proc/self/fd" };
	struct timespec ts[2] = { { 1000, 0 }, { 2000, 0 } };
	struct stat st;
	pid_t pid;
	int status;

	if (getuid() != 0) {
		tap_diag("not running as root");
		return TAP_SKIP_STATUS;
	}
	/* Root may set them, and stat reports what was set. */
	for (unsigned i = 0; i < sizeof(files) / sizeof(files[0]); i++) {
		CHECK_EQ(utimensat(AT_FDCWD, files[i], ts, 0), 0);
		CHECK_EQ(stat(files[i], &st), 0);
		CHECK_EQ(st.st_atime, 1000);
		CHECK_EQ(st.st_mtime, 2000);
	}
	ts[1].tv_nsec = UTIME_OMIT;
	ts[0].tv_sec = 3000;
	CHECK_EQ(utimensat(AT_FDCWD, "/proc/uptime", ts, 0), 0);
	CHECK_EQ(stat("/proc/uptime", &st), 0);
	CHECK_EQ(st.st_atime, 3000);
	CHECK_EQ(st.st_mtime, 2000);
	/* Another user may not change root's files. */
	fflush(NULL);
	pid = fork();
	if (pid == 0) {
		if (setgid(65534) != 0 || setuid(65534) != 0)
			_exit(TAP_SKIP_STATUS);
		ts[1].tv_nsec = 0;
		CHECK_ERR(utimensat(AT_FDCWD, "/proc/1/status", ts, 0), EPERM);
		CHECK_ERR(utimensat(AT_FDCWD, "/proc/1/status", NULL, 0), EACCES);
		CHECK_ERR(utimensat(AT_FDCWD, "/proc/uptime", ts, 0), EPERM);
		CHECK_ERR(utimensat(AT_FDCWD, "/proc/uptime", NULL, 0), EACCES);
		_exit(tap_case_failed ? 1 : 0);
	}
	status = tap_wait_bounded(pid, 30);
	if (status >= 0 && WIFEXITED(status) && WEXITSTATUS(status) == TAP_SKIP_STATUS) {
		tap_diag("setuid is not available");
		return TAP_SKIP_STATUS;
	}
	CHECK(status >= 0 && WIFEXITED(status) && WEXITSTATUS(status) == 0);
	return 0;
}

static const struct {
	const char *name;
	int (*fn)(void);
} cases[] = {
	{ "a running program's file: open for writing and truncate give ETXTBSY",
	  case_write_running },
	{ "a file open for writing: execve gives ETXTBSY", case_exec_open_for_write },
	{ "a forked child of the program keeps its file busy", case_fork_keeps_busy },
	{ "protected_hardlinks: EPERM for another user's file", case_protected_hardlinks },
	{ "utimensat on /proc files: kept for root, EPERM/EACCES for others", case_proc_utimes },
};

int main(int argc, char **argv)
{
	const int n = sizeof(cases) / sizeof(cases[0]);

	if (argc == 3 && !strcmp(argv[1], "wait")) {
		tap_write_file(argv[2], "up", 2, 0644);
		for (int i = 0; i < 600; i++)
			tap_sleep_ms(100);
		return 0;
	}
	if (argc == 3 && !strcmp(argv[1], "forkwait")) {
		char pid[32];
		pid_t c = fork();

		if (c == 0) {
			for (int i = 0; i < 600; i++)
				tap_sleep_ms(100);
			_exit(0);
		}
		char tmp[4200];

		/* Written aside and renamed: the marker appears complete. */
		snprintf(pid, sizeof(pid), "%d", (int)c);
		snprintf(tmp, sizeof(tmp), "%s.tmp", argv[2]);
		tap_write_file(tmp, pid, strlen(pid), 0644);
		rename(tmp, argv[2]);
		return 0;
	}
	tap_plan(n);
	tap_tmppath(base, sizeof(base), "fsprotect");
	if (mkdir(base, 0755) != 0 || chmod(base, 0755) != 0)
		tap_diag("mkdir %s: %s", base, strerror(errno));
	for (int i = 0; i < n; i++)
		run_case(cases[i].name, cases[i].fn);
	rmdir(base);
	return tap_done();
}
