/*
 * Scheduling figures:
 *   ctx_switch    two processes on one CPU handing it to each other with sched_yield(),
 *                 microseconds per switch (the yield itself included);
 *   fork_tput_<S> fork + _exit + waitpid throughput with S spawning processes at once,
 *                 forks per second (higher is better).
 * See bench.h.
 */
#include "bench.h"

#include <sched.h>

static int yield_loop(long k)
{
	for (long i = 0; i < k; i++) {
		if (sched_yield() < 0)
			return errno;
	}
	return 0;
}

static void ctx_switch(long k, int reps)
{
	double v[BENCH_MAX_REPS];

	for (int r = 0; r < reps; r++) {
		uint64_t t0, t1;
		pid_t pid;
		int err;

		pid = fork();
		if (pid < 0) {
			bench_fail("ctx_switch", "us", "fork", errno);
			return;
		}
		if (pid == 0)
			_exit(yield_loop(k) ? 1 : 0);
		/* Timed from the parent's side only, so the fork and reap are left out. */
		bench_mark();
		t0 = bench_now_ns();
		err = yield_loop(k);
		t1 = bench_now_ns();
		bench_mark();
		if (bench_reap(pid) && !err)
			err = errno;
		if (err) {
			bench_fail("ctx_switch", "us", "sched_yield", err);
			return;
		}
		/* 2k yields, each handing the CPU to the other process. */
		v[r] = (t1 - t0) / 1e3 / (2.0 * k);
	}
	bench_report("ctx_switch", "us", v, reps);
}

static void __attribute__((noreturn)) spawner(long k)
{
	for (long i = 0; i < k; i++) {
		pid_t pid = fork();

		if (pid < 0)
			_exit(1);
		if (pid == 0)
			_exit(0);
		if (bench_reap(pid))
			_exit(1);
	}
	_exit(0);
}

static void fork_tput(int spawners, long k, int reps)
{
	double v[BENCH_MAX_REPS];
	char id[32];
	pid_t pids[8];

	snprintf(id, sizeof(id), "fork_tput_%d", spawners);
	for (int r = 0; r < reps; r++) {
		uint64_t t0 = bench_now_ns();
		int failed = 0;

		for (int s = 0; s < spawners; s++) {
			pids[s] = fork();
			if (pids[s] < 0) {
				bench_fail(id, "forks/s", "fork", errno);
				return;
			}
			if (pids[s] == 0)
				spawner(k);
		}
		for (int s = 0; s < spawners; s++)
			failed |= bench_reap(pids[s]) != 0;
		if (failed) {
			bench_fail(id, "forks/s", "a spawner", EIO);
			return;
		}
		v[r] = spawners * k / ((bench_now_ns() - t0) / 1e9);
	}
	bench_report(id, "forks/s", v, reps);
}

int main(int argc, char **argv)
{
	struct bench_opts o;

	bench_parse(argc, argv, &o);
	if (bench_wanted(&o, "ctx_switch"))
		ctx_switch(bench_batch(&o, 4000), o.reps);
	if (bench_wanted(&o, "fork_tput_1"))
		fork_tput(1, bench_batch(&o, 40), o.reps);
	if (bench_wanted(&o, "fork_tput_2"))
		fork_tput(2, bench_batch(&o, 40), o.reps);
	return 0;
}
