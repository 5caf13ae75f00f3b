/*
 * Process creation figures: the null system call (getppid), fork + _exit + waitpid,
 * fork + execve + waitpid, vfork + execve + waitpid and posix_spawn + waitpid. The exec
 * target is the program "tiny" in this program's own directory (/bench on both kernels).
 * See bench.h for the options and the output format.
 */
#include "bench.h"

#include <spawn.h>

extern char **environ;

static char tiny[4096];
static char *tiny_argv[] = { tiny, NULL };

/* One figure: @reps reps of @k calls of @op (returns 0 or an errno), in microseconds each. */
static struct bench_opts o;

static void measure(const char *id, const char *what, int (*op)(void), long k, int reps)
{
	double v[BENCH_MAX_REPS];

	if (!bench_wanted(&o, id))
		return;
	for (int r = 0; r < reps; r++) {
		bench_mark();
		uint64_t t0 = bench_now_ns();

		for (long i = 0; i < k; i++) {
			int err = op();

			if (err) {
				bench_fail(id, "us", what, err);
				return;
			}
		}
		v[r] = (bench_now_ns() - t0) / 1e3 / k;
		bench_mark();
	}
	bench_report(id, "us", v, reps);
}

static int op_getppid(void)
{
	return getppid() > 0 ? 0 : EIO;
}

static int op_fork_exit_wait(void)
{
	pid_t pid = fork();

	if (pid < 0)
		return errno;
	if (pid == 0)
		_exit(0);
	return bench_reap(pid) ? errno : 0;
}

static int op_fork_exec_wait(void)
{
	pid_t pid = fork();

	if (pid < 0)
		return errno;
	if (pid == 0) {
		execve(tiny, tiny_argv, environ);
		_exit(127);
	}
	return bench_reap(pid) ? errno : 0;
}

static int op_vfork_exec_wait(void)
{
	pid_t pid = vfork();

	if (pid < 0)
		return errno;
	if (pid == 0) {
		execve(tiny, tiny_argv, environ);
		_exit(127);
	}
	return bench_reap(pid) ? errno : 0;
}

static int op_posix_spawn_wait(void)
{
	pid_t pid;
	int err = posix_spawn(&pid, tiny, NULL, NULL, tiny_argv, environ);

	if (err)
		return err;
	return bench_reap(pid) ? errno : 0;
}

int main(int argc, char **argv)
{
	bench_parse(argc, argv, &o);
	bench_sibling(tiny, sizeof(tiny), argv[0], "tiny");
	measure("null_syscall", "getppid", op_getppid, bench_batch(&o, 20000), o.reps);
	measure("fork_exit_wait", "fork", op_fork_exit_wait, bench_batch(&o, 40), o.reps);
	measure("fork_exec_wait", "fork+execve", op_fork_exec_wait, bench_batch(&o, 40), o.reps);
	measure("vfork_exec_wait", "vfork+execve", op_vfork_exec_wait, bench_batch(&o, 40),
		o.reps);
	measure("posix_spawn_wait", "posix_spawn", op_posix_spawn_wait, bench_batch(&o, 40),
		o.reps);
	return 0;
}
