/*
 * /proc/PID/oom_score and /proc/PID/oom_score_adj (proc_pid_oom_score_adj(5)):
 * the adjustment reads back as written, is bounded to -1000..1000 (EINVAL
 * beyond, and for text that is not a number), is inherited by fork; an
 * unprivileged process may raise it but not lower it below the last value
 * root set (EACCES); oom_score is 0..2000 and 0 for a process the OOM killer
 * may never choose (-1000). The killing itself is tests/run/oom.c's.
 */
#include <tap.h>
#include <sys/prctl.h>
#include <sys/wait.h>

#define OTHER_UID	54321

/* Write @text to /proc/self/@name: 0 or the errno of open/write. */
static int write_self(const char *name, const char *text)
{
	char path[64];
	int fd, err = 0;

	snprintf(path, sizeof(path), "/proc/self/%s", name);
	fd = open(path, O_WRONLY);
	if (fd < 0)
		return errno;
	if (write(fd, text, strlen(text)) != (ssize_t)strlen(text))
		err = errno;
	close(fd);
	return err;
}

/* The number in /proc/@pid/@name, or LONG_MIN when unreadable. */
static long read_num(pid_t pid, const char *name)
{
	char path[64], buf[32];
	ssize_t n;

	snprintf(path, sizeof(path), "/proc/%d/%s", (int)pid, name);
	n = tap_read_file(path, buf, sizeof(buf) - 1);
	if (n <= 0)
		return -0x7fffffffL - 1;
	buf[n] = '\0';
	return strtol(buf, NULL, 10);
}

/* Does this process have CAP_SYS_RESOURCE (bit 24 of CapEff), which lowering needs? */
static bool cap_sys_resource(void)
{
	char buf[4096], *p;
	ssize_t n = tap_read_file("/proc/self/status", buf, sizeof(buf) - 1);

	if (n <= 0)
		return false;
	buf[n] = '\0';
	p = strstr(buf, "CapEff:");
	return p && (strtoull(p + 7, NULL, 16) >> 24 & 1);
}

/* Only raising, which needs no privilege. */
static int case_read_write(void)
{
	CHECK_EQ(write_self("oom_score_adj", "1000\n"), 0);
	CHECK_EQ(read_num(getpid(), "oom_score_adj"), 1000);
	CHECK_EQ(write_self("oom_score_adj", "1001"), EINVAL);
	CHECK_EQ(write_self("oom_score_adj", "-1001"), EINVAL);
	CHECK_EQ(write_self("oom_score_adj", "abc"), EINVAL);
	CHECK_EQ(read_num(getpid(), "oom_score_adj"), 1000);
	return 0;
}

static int case_score(void)
{
	long score;
	pid_t pid;
	int st;

	/* +1000 adds all of memory: the score reaches the top half. */
	CHECK_EQ(write_self("oom_score_adj", "1000"), 0);
	score = read_num(getpid(), "oom_score");
	CHECK(score >= 1000 && score <= 2000);
	/* Inherited by a child. */
	pid = fork();
	if (pid == 0)
		_exit(read_num(getpid(), "oom_score_adj") == 1000 ? 0 : 1);
	CHECK(pid > 0 && waitpid(pid, &st, 0) == pid && WIFEXITED(st) && WEXITSTATUS(st) == 0);
	if (cap_sys_resource()) {
		CHECK_EQ(write_self("oom_score_adj", "-1000"), 0);
		CHECK_EQ(read_num(getpid(), "oom_score"), 0);
	} else {
		tap_diag("no CAP_SYS_RESOURCE here: -1000 not tried");
	}
	/* The machine's init is never chosen (under Linux's pid namespaces of
	 * the native run, pid 1 is not the machine's init). */
	if (tap_on_sprout())
		CHECK_EQ(read_num(1, "oom_score"), 0);
	return 0;
}

static int case_unprivileged(void)
{
	if (getuid() != 0 || !cap_sys_resource()) {
		tap_diag("needs root with CAP_SYS_RESOURCE to set the floor");
		return TAP_SKIP_STATUS;
	}
	CHECK_EQ(write_self("oom_score_adj", "100"), 0);
	CHECK(setgid(OTHER_UID) == 0 && setuid(OTHER_UID) == 0);
	/* The change of uid made the process non-dumpable: its files became root's. */
	CHECK(prctl(PR_SET_DUMPABLE, 1, 0, 0, 0) == 0);
	CHECK_EQ(write_self("oom_score_adj", "200"), 0);
	CHECK_EQ(write_self("oom_score_adj", "100"), 0);
	CHECK_EQ(write_self("oom_score_adj", "99"), EACCES);
	CHECK_EQ(read_num(getpid(), "oom_score_adj"), 100);
	return 0;
}

int main(void)
{
	tap_plan(3);
	run_case("oom_score_adj reads back, -1000..1000 else EINVAL", case_read_write);
	run_case("oom_score 0..2000, 0 at -1000 and for init; adj inherited", case_score);
	run_case("unprivileged: raise, not below root's last value (EACCES)", case_unprivileged);
	return tap_done();
}
