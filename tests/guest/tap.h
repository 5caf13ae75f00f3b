/*
 * TAP (Test Anything Protocol, version 13) helpers for the in-guest test programs.
 *
 * A program declares its plan, then runs each case with run_case(), which forks: the case body
 * runs in the child and reports through the child's exit status only (0 = pass, TAP_SKIP_STATUS
 * = skipped, anything else or a kill by a signal = fail), so a case that crashes or corrupts its
 * memory fails alone and the program goes on. The parent bounds every case twice: alarm() in the
 * child and a polling deadline in the parent, which kills its own child with SIGKILL when the
 * deadline passes (so a case that blocks SIGALRM, or a kernel that loses it, cannot hang the
 * suite).
 *
 * A case skips (TAP_SKIP_STATUS, after a tap_diag() giving the reason) only when it cannot apply
 * where it runs -- a Sprout-only feature on Linux, say -- never because the very feature it tests
 * is broken: that is a failure. The driver (tools/test.py) counts a skip as neither pass nor fail.
 *
 * Inside a case, CHECK()/CHECK_EQ()/CHECK_ERR() print a "# file:line: ..." diagnostic and mark
 * the case failed; they do not abort it. The same header also carries the small helpers every
 * program shares: the temp directory, small files to pass results between processes, bounded
 * waits for children, and the Sprout/Linux switch (uname sysname). It also brings in every libc
 * header the programs use (see below for why they must come from here).
 */
#ifndef SPROUT_TESTS_GUEST_TAP_H
#define SPROUT_TESTS_GUEST_TAP_H

/*
 * libc's headers. The build searches include/ only after libc's directories (-idirafter
 * include), so a bare <errno.h> is libc's and Sprout's ABI headers are reached by their
 * directory ("uapi/sprout_msg.h"). Some of those share libc's names (errno.h, fcntl.h,
 * signal.h, elf.h, wait.h, ...) and define the same constants: their include guards are set
 * here so that a program which also pulls in a Sprout header never sees both definitions.
 * Found through -Itests/guest (include this file as <tap.h>), #include_next continues the
 * search after tests/guest, at libc's directory.
 */
#define SPROUT_UAPI_ERRNO_H
#define SPROUT_UAPI_FCNTL_H
#define SPROUT_UAPI_SIGNAL_H
#define SPROUT_UAPI_ELF_H
#define SPROUT_UAPI_WAIT_H
#define SPROUT_UAPI_TIME_H
#define SPROUT_UAPI_SCHED_H
#define SPROUT_UAPI_UNISTD_H
#define SPROUT_UAPI_POLL_H
#define SPROUT_UAPI_TERMIOS_H
#define SPROUT_UAPI_LIMITS_H

#include_next <stdarg.h>
#include_next <stdbool.h>
#include_next <stdint.h>
#include_next <stdio.h>
#include_next <stdlib.h>
#include_next <string.h>
#include_next <errno.h>
#include_next <fcntl.h>
#include_next <signal.h>
#include_next <time.h>
#include_next <unistd.h>
#include_next <elf.h>
#include_next <sys/mman.h>
#include_next <sys/resource.h>
#include_next <sys/stat.h>
#include_next <sys/sysinfo.h>
#include_next <sys/sysmacros.h>
#include_next <sys/types.h>
#include_next <sys/utsname.h>
#include_next <sys/wait.h>

#ifndef TAP_CASE_TIMEOUT_S
#define TAP_CASE_TIMEOUT_S	60	/* per case: alarm() in the child, deadline in the parent */
#endif
#define TAP_SKIP_STATUS		77	/* a case child exiting with this is reported as skipped */
#define TAP_TIMEOUT_STATUS	(-1)	/* tap_wait_bounded(): killed at the deadline */

static int __attribute__((unused)) tap_planned;
static int __attribute__((unused)) tap_count;
static int __attribute__((unused)) tap_failed;
static bool __attribute__((unused)) tap_case_failed;	/* in a case child: a CHECK has failed */

static inline void tap_diag(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static inline void tap_diag(const char *fmt, ...)
{
	va_list ap;

	fputs("# ", stdout);
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	fputc('\n', stdout);
}

/*
 * Unbuffered stdout: a fork never duplicates pending output, and lines from parent and child
 * appear in the order they were written (musl formats each printf call into one write).
 */
static inline void tap_plan(int n)
{
	setvbuf(stdout, NULL, _IONBF, 0);
	tap_planned = n;
	printf("TAP version 13\n1..%d\n", n);
}

static inline bool tap_ok(bool cond, const char *name)
{
	tap_count++;
	if (!cond)
		tap_failed++;
	printf("%sok %d - %s\n", cond ? "" : "not ", tap_count, name);
	return cond;
}

static inline bool tap_is(long long got, long long want, const char *name)
{
	if (got != want)
		tap_diag("%s: got %lld, expected %lld", name, got, want);
	return tap_ok(got == want, name);
}

static inline void tap_skip(const char *name, const char *reason)
{
	tap_count++;
	printf("ok %d - %s # SKIP %s\n", tap_count, name, reason);
}

/* Exit status for main(): 0 only if every planned test ran and passed. */
static inline int tap_done(void)
{
	if (tap_count != tap_planned) {
		tap_diag("planned %d tests but ran %d", tap_planned, tap_count);
		return 1;
	}
	if (tap_failed)
		tap_diag("failed %d of %d tests", tap_failed, tap_count);
	return tap_failed ? 1 : 0;
}

/* ---- checks inside a case child ---- */

#define CHECK(cond) tap_check((cond), __FILE__, __LINE__, #cond)
#define CHECK_EQ(got, want) \
	tap_check_eq((long long)(got), (long long)(want), __FILE__, __LINE__, #got, #want)
/* A libc call that must fail with -1 and exactly this errno. */
#define CHECK_ERR(call, want_errno) do { \
	errno = 0; \
	long long tap_r_ = (long long)(call); \
	tap_check_err(tap_r_, errno, (want_errno), __FILE__, __LINE__, #call); \
} while (0)

static inline bool tap_check(bool cond, const char *file, int line, const char *text)
{
	if (!cond) {
		tap_diag("%s:%d: check failed: %s", file, line, text);
		tap_case_failed = true;
	}
	return cond;
}

static inline bool tap_check_eq(long long got, long long want, const char *file, int line,
			 const char *gtext, const char *wtext)
{
	if (got != want) {
		tap_diag("%s:%d: %s == %lld, expected %s == %lld", file, line, gtext, got,
			 wtext, want);
		tap_case_failed = true;
	}
	return got == want;
}

static inline bool tap_check_err(long long r, int err, int want, const char *file, int line,
			  const char *text)
{
	if (r != -1 || err != want) {
		tap_diag("%s:%d: %s returned %lld errno %d (%s), expected -1 errno %d (%s)",
			 file, line, text, r, err, strerror(err), want, strerror(want));
		tap_case_failed = true;
		return false;
	}
	return true;
}

/*
 * A deliberately bad pointer. Laundered through a volatile so that the compiler neither warns
 * about it nor reasons about what it points to.
 */
static inline void *tap_bad_ptr(uintptr_t addr)
{
	volatile uintptr_t v = addr;

	return (void *)v;
}

/* ---- time ---- */

static inline void tap_sleep_ms(long ms)
{
	struct timespec ts = { ms / 1000, (ms % 1000) * 1000000L };

	while (nanosleep(&ts, &ts) == -1 && errno == EINTR)
		;
}

/* Milliseconds on CLOCK_MONOTONIC, or -1 if the clock is not available. */
static inline long long tap_now_ms(void)
{
	struct timespec ts;

	if (clock_gettime(CLOCK_MONOTONIC, &ts) != 0)
		return -1;
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/*
 * Wait for child pid, at most timeout_s seconds, polling with WNOHANG. Returns the wait status,
 * or TAP_TIMEOUT_STATUS after killing (and reaping) the child at the deadline, or -2 with a
 * diagnostic if waitpid itself failed. Time comes from CLOCK_MONOTONIC, or from the sum of the
 * sleeps if that clock is missing (then the bound is only approximate).
 */
static inline int tap_wait_bounded(pid_t pid, int timeout_s)
{
	long long start = tap_now_ms(), slept = 0, limit = (long long)timeout_s * 1000;
	long step = 1;
	int status;

	for (;;) {
		pid_t r = waitpid(pid, &status, WNOHANG);

		if (r == pid)
			return status;
		if (r == -1 && errno != EINTR) {
			tap_diag("waitpid(%d): %s", (int)pid, strerror(errno));
			return -2;
		}
		long long now = tap_now_ms();
		long long elapsed = (start >= 0 && now >= 0) ? now - start : slept;

		if (elapsed >= limit) {
			tap_diag("pid %d still running after %d s: killing it", (int)pid,
				 timeout_s);
			kill(pid, SIGKILL);
			waitpid(pid, &status, 0);
			return TAP_TIMEOUT_STATUS;
		}
		tap_sleep_ms(step);
		slept += step;
		if (step < 20)
			step *= 2;
	}
}

/* A human-readable account of a wait status, for diagnostics. */
static inline const char *tap_status_str(int status, char *buf, size_t len)
{
	if (status == TAP_TIMEOUT_STATUS)
		snprintf(buf, len, "timed out");
	else if (status < 0)
		snprintf(buf, len, "wait failed");
	else if (WIFEXITED(status))
		snprintf(buf, len, "exit status %d", WEXITSTATUS(status));
	else if (WIFSIGNALED(status))
		snprintf(buf, len, "killed by signal %d", WTERMSIG(status));
	else
		snprintf(buf, len, "wait status 0x%x", status);
	return buf;
}

/*
 * Run fn in a forked child and print its TAP line. fn returns 0 for pass, TAP_SKIP_STATUS for
 * a skip (its reason in the diagnostic printed just before); a failed CHECK also fails the case.
 * Returns true if the case passed or was skipped.
 */
static inline bool run_case(const char *name, int (*fn)(void))
{
	char why[64];
	pid_t pid;
	int status;

	fflush(NULL);
	pid = fork();
	if (pid == -1) {
		tap_diag("%s: fork: %s", name, strerror(errno));
		return tap_ok(false, name);
	}
	if (pid == 0) {
		alarm(TAP_CASE_TIMEOUT_S);
		tap_case_failed = false;
		int rc = fn();

		fflush(NULL);
		_exit(rc == TAP_SKIP_STATUS ? rc : (rc != 0 || tap_case_failed) ? 1 : 0);
	}
	/* A little slack so that alarm() in the child, where it works, fires first. */
	status = tap_wait_bounded(pid, TAP_CASE_TIMEOUT_S + 5);
	if (status >= 0 && WIFEXITED(status) && WEXITSTATUS(status) == TAP_SKIP_STATUS) {
		tap_skip(name, "see diagnostics");
		return true;
	}
	if (status >= 0 && WIFEXITED(status) && WEXITSTATUS(status) == 0)
		return tap_ok(true, name);
	tap_diag("%s: case child %s", name, tap_status_str(status, why, sizeof(why)));
	return tap_ok(false, name);
}

/* ---- environment ---- */

/* True when running on Sprout (uname sysname), where the stricter expectations apply. */
static inline bool tap_on_sprout(void)
{
	struct utsname u;

	return uname(&u) == 0 && strcmp(u.sysname, "Sprout") == 0;
}

/* The directory for temporary files: $TMPDIR, else /tmp (created if missing). */
static inline const char *tap_tmpdir(void)
{
	const char *d = getenv("TMPDIR");

	if (d && *d)
		return d;
	mkdir("/tmp", 01777);
	return "/tmp";
}

/* buf = "<tmpdir>/<tag>-<getpid()>": unique per process, so parallel runs do not collide. */
static inline void tap_tmppath(char *buf, size_t len, const char *tag)
{
	snprintf(buf, len, "%s/sprout-%s-%d", tap_tmpdir(), tag, (int)getpid());
}

/* Directory part of argv0 ("." if none): where the sibling test programs live. */
static inline void tap_selfdir(char *buf, size_t len, const char *argv0)
{
	const char *slash = strrchr(argv0, '/');

	if (!slash)
		snprintf(buf, len, ".");
	else if (slash == argv0)
		snprintf(buf, len, "/");
	else
		snprintf(buf, len, "%.*s", (int)(slash - argv0), argv0);
}

/* Write len bytes to a new file at path (mode), replacing it. Returns 0 or -1 with errno. */
static inline int tap_write_file(const char *path, const void *data, size_t len,
				 mode_t mode)
{
	const char *p = data;
	int fd = open(path, O_CREAT | O_WRONLY | O_TRUNC, mode);

	if (fd < 0)
		return -1;
	while (len > 0) {
		ssize_t n = write(fd, p, len);

		if (n <= 0) {
			int e = n < 0 ? errno : EIO;

			close(fd);
			errno = e;
			return -1;
		}
		p += n;
		len -= n;
	}
	return close(fd);
}

/* Read up to len-1 bytes of path into buf, NUL-terminated. Returns the length or -1. */
static inline ssize_t tap_read_file(const char *path, char *buf, size_t len)
{
	size_t got = 0;
	int fd = open(path, O_RDONLY);

	if (fd < 0)
		return -1;
	while (got + 1 < len) {
		ssize_t n = read(fd, buf + got, len - 1 - got);

		if (n < 0) {
			close(fd);
			return -1;
		}
		if (n == 0)
			break;
		got += n;
	}
	buf[got] = '\0';
	close(fd);
	return got;
}

/* Poll (bounded) until path exists. Returns true if it appeared within timeout_ms. */
static inline bool tap_wait_for_file(const char *path, long timeout_ms)
{
	long waited = 0, step = 1;

	while (access(path, F_OK) != 0) {
		if (waited >= timeout_ms)
			return false;
		tap_sleep_ms(step);
		waited += step;
		if (step < 10)
			step *= 2;
	}
	return true;
}

#endif
