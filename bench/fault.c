/*
 * Page fault costs, per 4 KiB page, in microseconds:
 *   zero_fault  first write to a fresh private anonymous page (demand-zero);
 *   cow_fault   write to a page shared copy-on-write with a child (the child is parked and
 *               holds its share, so every write copies).
 * Each rep maps a fresh region of K pages and writes one byte per page; see bench.h.
 */
#include "bench.h"

#include <sys/mman.h>

#define PAGE	4096ul

static char *map_region(size_t len)
{
	char *p = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

	if (p == MAP_FAILED)
		return NULL;
	/* 4 KiB pages on both kernels; the hint is not there everywhere. */
	madvise(p, len, MADV_NOHUGEPAGE);
	return p;
}

/* Write one byte of each page; the time it took. @timed: marked for tools/profile.py. */
static uint64_t touch(char *p, long pages, int timed)
{
	if (timed)
		bench_mark();
	uint64_t t0 = bench_now_ns();

	for (long i = 0; i < pages; i++)
		p[i * PAGE] = 2;
	uint64_t t = bench_now_ns() - t0;

	if (timed)
		bench_mark();
	return t;
}

static void zero_fault(long pages, int reps)
{
	double v[BENCH_MAX_REPS];

	for (int r = 0; r < reps; r++) {
		char *p = map_region(pages * PAGE);

		if (!p) {
			bench_fail("zero_fault", "us", "mmap", errno);
			return;
		}
		v[r] = touch(p, pages, 1) / 1e3 / pages;
		munmap(p, pages * PAGE);
	}
	bench_report("zero_fault", "us", v, reps);
}

static void cow_fault(long pages, int reps)
{
	double v[BENCH_MAX_REPS];

	for (int r = 0; r < reps; r++) {
		char *p = map_region(pages * PAGE);
		pid_t pid;

		if (!p) {
			bench_fail("cow_fault", "us", "mmap", errno);
			return;
		}
		touch(p, pages, 0);
		pid = fork();
		if (pid < 0) {
			bench_fail("cow_fault", "us", "fork", errno);
			return;
		}
		if (pid == 0)
			bench_park();
		v[r] = touch(p, pages, 1) / 1e3 / pages;
		if (bench_unpark(pid)) {
			bench_fail("cow_fault", "us", "kill+waitpid", errno);
			return;
		}
		munmap(p, pages * PAGE);
	}
	bench_report("cow_fault", "us", v, reps);
}

int main(int argc, char **argv)
{
	struct bench_opts o;
	long pages;

	bench_parse(argc, argv, &o);
	pages = bench_batch(&o, 4096);
	if (bench_wanted(&o, "zero_fault"))
		zero_fault(pages, o.reps);
	if (bench_wanted(&o, "cow_fault"))
		cow_fault(pages, o.reps);
	return 0;
}
