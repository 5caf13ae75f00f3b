/*
 * Scheduling figures:
 *   ctx_switch    two processes on one CPU handing it to each other with sched_yield(),
 *                 microseconds per switch (the yield itself included; only once both
 *                 alternate, checked with getrusage(2));
 *   fork_tput_<S> fork + _exit + waitpid throughput with S spawning processes at once,
 *                 forks per second (higher is better).
 * See bench.h.
 */
#include "bench.h"

#include <sched.h>
#include <sys/mman.h>
#include <sys/resource.h>

static int yield_loop(long k)
{
	for (long i = 0; i < k; i++) {
		if (sched_yield() < 0)
			return errno;
	}
	return 0;
}

/* Context switches of the calling process so far (getrusage(2): a yield that hands the CPU
 * over counts as involuntary on Linux and on Sprout). */
static long switches(void)
{
	struct rusage ru;

	if (getrusage(RUSAGE_SELF, &ru) < 0)
		return -1;
	return ru.ru_nvcsw + ru.ru_nivcsw;
}

/*
 * The child yields until the parent is done. The parent first yields until the child has
 * run at all: Linux's CFS starts a forked child a slice behind (its virtual runtime ahead),
 * and until the parent has caught up, its sched_yield() returns without switching -- timed
 * from the start, the row measured a null system call there, not a switch. The parent then
 * checks that nearly every timed yield did switch, or the figure is not reported.
 */
static void ctx_switch(long k, int reps)
{
	double v[BENCH_MAX_REPS];
	volatile int *shared;

	shared = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	if (shared == MAP_FAILED) {
		bench_fail("ctx_switch", "us", "mmap", errno);
		return;
	}
	for (int r = 0; r < reps; r++) {
		uint64_t t0, t1;
		long s0, s1;
		pid_t pid;
		int err;

		shared[0] = 0;	/* the child is running */
		shared[1] = 0;	/* the parent is done */
		pid = fork();
		if (pid < 0) {
			bench_fail("ctx_switch", "us", "fork", errno);
			return;
		}
		if (pid == 0) {
			shared[0] = 1;
			while (!shared[1])
				if (sched_yield() < 0)
					_exit(1);
			_exit(0);
		}
		while (!shared[0])
			sched_yield();
		err = yield_loop(16);	/* both now alternate */
		s0 = switches();
		/* Timed from the parent's side only, so the fork and reap are left out. */
		bench_mark();
		t0 = bench_now_ns();
		if (!err)
			err = yield_loop(k);
		t1 = bench_now_ns();
		bench_mark();
		s1 = switches();
		shared[1] = 1;
		if (bench_reap(pid) && !err)
			err = errno;
		if (err) {
			bench_fail("ctx_switch", "us", "sched_yield", err);
			return;
		}
		if (s0 < 0 || s1 - s0 < k * 9 / 10) {
			bench_fail("ctx_switch", "us", "sched_yield switched too rarely", EAGAIN);
			return;
		}
		/* 2k switches: each of the parent's yields hands the CPU to the child, whose
		 * yield hands it back. */
		v[r] = (t1 - t0) / 1e3 / (2.0 * k);
	}
	munmap((void *)shared, 4096);
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
