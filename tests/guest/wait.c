/*
 * exit(2)/_exit(2) and waitpid(2): exit statuses 0..255 and their truncation to 8 bits, exit vs
 * _exit, ECHILD, WNOHANG, waiting for a specific child, for any child and for the process group,
 * a zombie reaped exactly once, and a child killed by a fault reported as killed by SIGSEGV.
 */
#include <tap.h>

static int case_all_statuses(void)
{
	for (int code = 0; code <= 255; code++) {
		int status = -1;
		pid_t pid;

		fflush(NULL);
		pid = fork();
		if (pid == 0)
			_exit(code);
		if (!CHECK(pid > 0))
			return 1;
		CHECK_EQ(waitpid(pid, &status, 0), pid);
		if (!CHECK(WIFEXITED(status) && WEXITSTATUS(status) == code)) {
			tap_diag("exit(%d) gave wait status 0x%x", code, status);
			return 1;
		}
		CHECK_EQ(status, code << 8);	/* the raw encoding of wait4(2) */
	}
	return 0;
}

static int case_truncated_status(void)
{
	static const int codes[] = { 256 + 7, 512, -1, 0x12345 };
	static const int want[] = { 7, 0, 255, 0x45 };

	for (int i = 0; i < 4; i++) {
		int status = -1;
		pid_t pid;

		fflush(NULL);
		pid = fork();
		if (pid == 0)
			exit(codes[i]);
		CHECK_EQ(waitpid(pid, &status, 0), pid);
		CHECK(WIFEXITED(status));
		CHECK_EQ(WEXITSTATUS(status), want[i]);
	}
	return 0;
}

static void exit_handler(void)
{
	_exit(99);
}

/*
 * exit(3) runs atexit handlers and flushes stdio; _exit(2) does neither. The handler turns
 * exit(5) into 99, which proves that it ran; a buffered line reaches the file only with exit.
 */
static int exit_child(const char *path, bool use_exit, bool handler)
{
	int status = -1;
	pid_t pid;

	fflush(NULL);
	pid = fork();
	if (pid == 0) {
		FILE *f = fopen(path, "w");

		if (!f)
			_exit(50);
		fputs("buffered", f);	/* stays in the stdio buffer until exit() */
		if (handler)
			atexit(exit_handler);
		if (use_exit)
			exit(5);
		_exit(5);
	}
	if (waitpid(pid, &status, 0) != pid || !WIFEXITED(status))
		return -1;
	return WEXITSTATUS(status);
}

static int case_exit_vs_underscore_exit(void)
{
	char path[4200], buf[32];

	tap_tmppath(path, sizeof(path), "wait-flush");
	CHECK_EQ(exit_child(path, true, true), 99);
	CHECK_EQ(exit_child(path, false, true), 5);
	CHECK_EQ(exit_child(path, true, false), 5);
	CHECK(tap_read_file(path, buf, sizeof(buf)) >= 0 && strcmp(buf, "buffered") == 0);
	CHECK_EQ(exit_child(path, false, false), 5);
	CHECK(tap_read_file(path, buf, sizeof(buf)) >= 0 && strcmp(buf, "") == 0);
	unlink(path);
	return 0;
}

static int case_wait_call(void)
{
	int status = -1;
	pid_t pid;

	fflush(NULL);
	pid = fork();
	if (pid == 0)
		_exit(9);
	CHECK_EQ(wait(&status), pid);
	CHECK_EQ(status, 9 << 8);
	return 0;
}

static int case_echild(void)
{
	int status;

	CHECK_ERR(wait(&status), ECHILD);
	CHECK_ERR(waitpid(-1, &status, 0), ECHILD);
	CHECK_ERR(waitpid(-1, &status, WNOHANG), ECHILD);
	CHECK_ERR(waitpid(0, &status, 0), ECHILD);
	CHECK_ERR(waitpid(getppid(), &status, 0), ECHILD);	/* not our child */
	CHECK_ERR(waitpid(1, &status, WNOHANG), ECHILD);
	return 0;
}

static int case_einval(void)
{
	int status;
	pid_t pid;

	fflush(NULL);
	pid = fork();
	if (pid == 0)
		_exit(0);
	CHECK_ERR(waitpid(pid, &status, 0x10000), EINVAL);	/* an undefined option bit */
	CHECK_EQ(waitpid(pid, &status, 0), pid);
	return 0;
}

/* WNOHANG returns 0 while the child sleeps 200 ms (retried if we were descheduled that long). */
static int case_wnohang(void)
{
	for (int attempt = 0; attempt < 3; attempt++) {
		long long t0 = tap_now_ms();
		int status = -1;
		pid_t pid, r;

		fflush(NULL);
		pid = fork();
		if (pid == 0) {
			tap_sleep_ms(200);
			_exit(17);
		}
		r = waitpid(pid, &status, WNOHANG);
		long long dt = tap_now_ms() - t0;

		if (r == pid && t0 >= 0 && dt >= 150) {
			tap_diag("descheduled for %lld ms: trying again", dt);
			continue;
		}
		CHECK_EQ(r, 0);
		CHECK_EQ(waitpid(pid, &status, 0), pid);
		CHECK(WIFEXITED(status));
		CHECK_EQ(WEXITSTATUS(status), 17);
		return 0;
	}
	return 1;
}

/* waitpid(pid) picks that child although others have already exited. */
static int case_specific_pid(void)
{
	pid_t pids[5];
	int status;

	for (int i = 0; i < 5; i++) {
		fflush(NULL);
		pids[i] = fork();
		if (pids[i] == 0) {
			if (i == 2)
				tap_sleep_ms(100);	/* the others become zombies first */
			_exit(10 + i);
		}
	}
	CHECK_EQ(waitpid(pids[2], &status, 0), pids[2]);
	CHECK_EQ(WEXITSTATUS(status), 12);
	CHECK_ERR(waitpid(pids[2], &status, WNOHANG), ECHILD);
	for (int i = 4; i >= 0; i--) {
		if (i == 2)
			continue;
		CHECK_EQ(waitpid(pids[i], &status, 0), pids[i]);
		CHECK(WIFEXITED(status));
		CHECK_EQ(WEXITSTATUS(status), 10 + i);
	}
	return 0;
}

/* pid -1 reaps every child once; pid 0 reaps children in our process group. */
static int reap_all(pid_t which)
{
	enum { N = 20 };
	pid_t pids[N];
	int seen[N] = { 0 };

	for (int i = 0; i < N; i++) {
		fflush(NULL);
		pids[i] = fork();
		if (pids[i] == 0)
			_exit(100 + i);
		if (!CHECK(pids[i] > 0))
			return 1;
	}
	for (int n = 0; n < N; n++) {
		int status = -1, i;
		pid_t pid = waitpid(which, &status, 0);

		for (i = 0; i < N && pids[i] != pid; i++)
			;
		if (!CHECK(i < N)) {
			tap_diag("waitpid(%d) returned %d errno %d", (int)which, (int)pid, errno);
			return 1;
		}
		CHECK_EQ(status, (100 + i) << 8);
		seen[i]++;
	}
	for (int i = 0; i < N; i++)
		CHECK_EQ(seen[i], 1);
	CHECK_ERR(waitpid(which, NULL, 0), ECHILD);
	return 0;
}

static int case_wait_any(void)
{
	return reap_all(-1);
}

static int case_wait_pgrp(void)
{
	return reap_all(0);
}

/* A zombie keeps its status until reaped, and is reaped exactly once. */
static int case_zombie_once(void)
{
	int status = -1;
	pid_t pid;

	fflush(NULL);
	pid = fork();
	if (pid == 0)
		_exit(3);
	tap_sleep_ms(100);	/* let it exit and wait as a zombie */
	CHECK_EQ(waitpid(pid, &status, WNOHANG), pid);
	CHECK_EQ(status, 3 << 8);
	CHECK_ERR(waitpid(pid, &status, 0), ECHILD);
	CHECK_ERR(waitpid(-1, &status, WNOHANG), ECHILD);
	return 0;
}

/* A fault kills the child with SIGSEGV; the parent sees WIFSIGNALED, not an exit. */
static int case_killed_by_fault(void)
{
	int status = -1;
	pid_t pid;

	fflush(NULL);
	pid = fork();
	if (pid == 0) {
		struct rlimit no_core = { 0, 0 };

		setrlimit(RLIMIT_CORE, &no_core);	/* no core file on Linux */
		*(volatile int *)tap_bad_ptr(0) = 1;
		_exit(0);
	}
	CHECK_EQ(waitpid(pid, &status, 0), pid);
	CHECK(!WIFEXITED(status));
	CHECK(WIFSIGNALED(status));
	CHECK_EQ(WTERMSIG(status), SIGSEGV);
	return 0;
}

/* Entry point: runs every case and prints TAP. Returns 0 only if all passed. */
int main(void)
{
	tap_plan(12);
	run_case("exit statuses 0..255 round-trip", case_all_statuses);
	run_case("exit status is truncated to 8 bits", case_truncated_status);
	run_case("exit runs atexit handlers and flushes stdio, _exit does not",
		 case_exit_vs_underscore_exit);
	run_case("wait without children -> ECHILD", case_echild);
	run_case("waitpid with an undefined option -> EINVAL", case_einval);
	run_case("WNOHANG returns 0 while the child runs", case_wnohang);
	run_case("waitpid(pid) picks that child", case_specific_pid);
	run_case("waitpid(-1) reaps every child once", case_wait_any);
	run_case("waitpid(0) reaps the children of our process group", case_wait_pgrp);
	run_case("a zombie is reaped exactly once", case_zombie_once);
	run_case("a fault kills the child with SIGSEGV", case_killed_by_fault);
	run_case("wait(2) returns the pid and status", case_wait_call);
	return tap_done();
}
