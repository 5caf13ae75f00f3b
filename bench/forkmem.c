/*
 * fork() against the size of the parent: the parent touches 1, 16, 256, 1024 and 4096 MiB of
 * private anonymous memory (one write per 4 KiB page; up to -m MIB), and at each size reports
 *   fork_mem_<N>M            fork() alone, as the parent sees it: the child parks (sleeps)
 *                            until it is killed, outside the timed part;
 *   fork_exit_wait_mem_<N>M  fork + child _exit + waitpid.
 * The region is grown in place from one size to the next, so 4 GiB are touched only once.
 * It asks for 4 KiB pages (MADV_NOHUGEPAGE, ignored where madvise is missing) so that both
 * kernels map the same number of pages. The parent does not write the region again between
 * forks: each fork finds the same pages mapped.
 */
#include "bench.h"

#include <sys/mman.h>

#define MIB		(1024ul * 1024ul)
#define PAGE		4096ul

static const long sizes_mib[] = { 1, 16, 256, 1024, 4096 };

/* fork() alone, in microseconds per call; returns 0 or an errno. */
static int one_fork(double *us)
{
	uint64_t t0 = bench_now_ns();
	pid_t pid = fork();
	uint64_t t1 = bench_now_ns();

	if (pid < 0)
		return errno;
	if (pid == 0)
		bench_park();
	*us = (t1 - t0) / 1e3;
	return bench_unpark(pid) ? errno : 0;
}

/* fork + _exit + waitpid, in microseconds; returns 0 or an errno. */
static int one_fork_exit_wait(double *us)
{
	uint64_t t0 = bench_now_ns();
	pid_t pid = fork();

	if (pid < 0)
		return errno;
	if (pid == 0)
		_exit(0);
	if (bench_reap(pid))
		return errno;
	*us = (bench_now_ns() - t0) / 1e3;
	return 0;
}

static void sweep_point(long mib, int reps)
{
	char id[2][64];
	double v[BENCH_MAX_REPS];
	int err = 0;

	snprintf(id[0], sizeof(id[0]), "fork_mem_%ldM", mib);
	snprintf(id[1], sizeof(id[1]), "fork_exit_wait_mem_%ldM", mib);
	for (int r = 0; r < reps && !err; r++)
		err = one_fork(&v[r]);
	if (err)
		bench_fail(id[0], "us", "fork", err);
	else
		bench_report(id[0], "us", v, reps);
	err = 0;
	for (int r = 0; r < reps && !err; r++)
		err = one_fork_exit_wait(&v[r]);
	if (err)
		bench_fail(id[1], "us", "fork", err);
	else
		bench_report(id[1], "us", v, reps);
}

int main(int argc, char **argv)
{
	struct bench_opts o;
	size_t touched = 0, max;
	char *mem;

	bench_parse(argc, argv, &o);
	max = (size_t)o.max_mib * MIB;
	mem = mmap(NULL, max, PROT_READ | PROT_WRITE,
		   MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
	if (mem == MAP_FAILED) {
		bench_fail("fork_mem_1M", "us", "mmap", errno);
		return 1;
	}
	if (madvise(mem, max, MADV_NOHUGEPAGE) < 0 && errno != ENOSYS && errno != EINVAL)
		fprintf(stderr, "forkmem: madvise: %s\n", strerror(errno));
	for (size_t i = 0; i < sizeof(sizes_mib) / sizeof(sizes_mib[0]); i++) {
		size_t want = (size_t)sizes_mib[i] * MIB;

		if (sizes_mib[i] > o.max_mib)
			break;
		for (; touched < want; touched += PAGE)
			mem[touched] = 1;
		sweep_point(sizes_mib[i], o.reps);
	}
	return 0;
}
