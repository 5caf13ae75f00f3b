/*
 * vfork(2) and what musl builds on it: the parent is suspended until the child exits or execs,
 * and the child runs in the parent's memory; posix_spawn (success, file actions, a missing
 * program reported as ENOENT), system() and popen(). musl's posix_spawn, system and popen are
 * built on pipe2(O_CLOEXEC) and popen on /bin/sh: a missing one fails those cases, saying so.
 */
#define _GNU_SOURCE
#include <tap.h>
#include <spawn.h>

extern char **environ;
static char self_path[4096];

/* pipe2(O_CLOEXEC) works (a failed CHECK, naming it, if not). */
static bool have_pipe2(void)
{
	int p[2];

	if (!CHECK_EQ(pipe2(p, O_CLOEXEC), 0)) {
		tap_diag("pipe2: %s", strerror(errno));
		return false;
	}
	close(p[0]);
	close(p[1]);
	return true;
}

static volatile int vfork_var;

/* The child runs first, in our memory: its writes are ours when vfork returns. */
static int case_vfork_exit(void)
{
	long long t0 = tap_now_ms();
	int status = -1;
	pid_t pid;

	vfork_var = 1;
	fflush(NULL);
	pid = vfork();
	if (pid == 0) {
		tap_sleep_ms(100);	/* the parent must still be suspended */
		vfork_var = 2;
		_exit(17);
	}
	CHECK(tap_now_ms() - t0 >= 90);
	CHECK_EQ(vfork_var, 2);
	CHECK_EQ(waitpid(pid, &status, 0), pid);
	CHECK(WIFEXITED(status) && WEXITSTATUS(status) == 17);
	return 0;
}

/* The parent resumes at the child's exec, while the new program still runs. */
static int case_vfork_exec(void)
{
	char *argv[] = { self_path, "sleep-then-exit", NULL };
	int status = -1;
	pid_t pid;

	fflush(NULL);
	pid = vfork();
	if (pid == 0) {
		execv(self_path, argv);
		_exit(127);
	}
	CHECK_EQ(waitpid(pid, &status, WNOHANG), 0);	/* exec'd and still running */
	CHECK_EQ(waitpid(pid, &status, 0), pid);
	CHECK(WIFEXITED(status) && WEXITSTATUS(status) == 33);
	return 0;
}

static int case_spawn(void)
{
	char *argv[] = { self_path, "exit-with", "42", NULL };
	int status = -1;
	pid_t pid;

	if (!have_pipe2())
		return 1;
	CHECK_EQ(posix_spawn(&pid, self_path, NULL, NULL, argv, environ), 0);
	CHECK_EQ(waitpid(pid, &status, 0), pid);
	CHECK(WIFEXITED(status) && WEXITSTATUS(status) == 42);
	return 0;
}

static int case_spawn_file_actions(void)
{
	char path[256], buf[64];
	char *argv[] = { self_path, "say", "hello from spawn", NULL };
	posix_spawn_file_actions_t fa;
	int status = -1;
	pid_t pid;

	if (!have_pipe2())
		return 1;
	tap_tmppath(path, sizeof(path), "spawn-out");
	posix_spawn_file_actions_init(&fa);
	posix_spawn_file_actions_addopen(&fa, 1, path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
	CHECK_EQ(posix_spawn(&pid, self_path, &fa, NULL, argv, environ), 0);
	posix_spawn_file_actions_destroy(&fa);
	CHECK_EQ(waitpid(pid, &status, 0), pid);
	CHECK(WIFEXITED(status) && WEXITSTATUS(status) == 0);
	CHECK_EQ(tap_read_file(path, buf, sizeof(buf)), 17);
	CHECK(strcmp(buf, "hello from spawn\n") == 0);
	unlink(path);
	return 0;
}

static int case_spawn_missing(void)
{
	char *argv[] = { "nope", NULL };
	pid_t pid = 0;

	if (!have_pipe2())
		return 1;
	CHECK_EQ(posix_spawn(&pid, "/nonexistent/program", NULL, NULL, argv, environ), ENOENT);
	return 0;
}

static int case_system_popen(void)
{
	char line[64] = "";
	FILE *f;

	if (!have_pipe2() || !CHECK_EQ(access("/bin/sh", X_OK), 0))
		return 1;
	CHECK_EQ(system("exit 3"), 3 << 8);
	f = popen("echo popen works", "r");
	if (!CHECK(f != NULL))
		return 1;
	CHECK(fgets(line, sizeof(line), f) != NULL);
	CHECK(strcmp(line, "popen works\n") == 0);
	CHECK_EQ(pclose(f), 0);
	return 0;
}


static double now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

/* A parent suspended in vfork still dies of SIGKILL at once; its child runs on. */
static int case_vfork_killable(void)
{
	double start = now_ms();
	int status;
	pid_t p = fork();

	if (p == 0) {
		if (vfork() == 0) {
			struct timespec ts = { 2, 0 };

			nanosleep(&ts, NULL);
			_exit(0);
		}
		_exit(3);
	}
	if (!CHECK(p > 0))
		return 0;
	struct timespec ts = { 0, 200 * 1000 * 1000 };

	nanosleep(&ts, NULL);
	CHECK_EQ(kill(p, SIGKILL), 0);
	CHECK_EQ(waitpid(p, &status, 0), p);
	CHECK(WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL);
	if (!CHECK(now_ms() - start < 1500))
		tap_diag("the vfork parent waited for its child instead of dying");
	return 0;
}
int main(int argc, char **argv)
{
	if (argc == 2 && strcmp(argv[1], "sleep-then-exit") == 0) {
		tap_sleep_ms(200);
		return 33;
	}
	if (argc == 3 && strcmp(argv[1], "exit-with") == 0)
		return atoi(argv[2]);
	if (argc == 3 && strcmp(argv[1], "say") == 0)
		return printf("%s\n", argv[2]) > 0 ? 0 : 1;
	snprintf(self_path, sizeof(self_path), "%s", argv[0]);
	tap_plan(7);
	run_case("vfork: parent suspended until the child exits; memory shared", case_vfork_exit);
	run_case("vfork: parent resumes when the child execs", case_vfork_exec);
	run_case("posix_spawn runs a program", case_spawn);
	run_case("posix_spawn with an open file action", case_spawn_file_actions);
	run_case("posix_spawn of a missing program: ENOENT", case_spawn_missing);
	run_case("system() and popen() through /bin/sh", case_system_popen);
	run_case("a parent waiting in vfork dies of SIGKILL at once", case_vfork_killable);
	return tap_done();
}
