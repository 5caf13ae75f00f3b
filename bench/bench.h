/*
 * Shared helpers of the benchmark programs in bench/: the clock, the option parsing every
 * program takes, and the one output format tools/bench.py reads.
 *
 * A figure is measured as R repetitions ("reps") of a batch of K operations; each rep gives
 * one value (batch time / K, or operations per second), and the figure is reported as the
 * median of the reps with their minimum and maximum as the spread. One line per figure:
 *
 *   BENCH <id> <unit> <median> <min> <max> <reps>
 *   BENCH <id> <unit> missing <reason>      the kernel lacks a system call the figure needs
 *   BENCH <id> <unit> error <reason>        something failed that should have worked
 *
 * "missing" is only ever printed for ENOSYS, so a figure never reads as zero or as an error
 * because a feature is not there yet; once the kernel has the call, the same binary measures it.
 *
 * Time is CLOCK_MONOTONIC. Under QEMU's instruction counting (-icount shift=0) the guest
 * clock advances one nanosecond per instruction executed, so the same code reports
 * instruction counts there (tools/bench.py labels them).
 *
 * Programs run on Sprout and on Linux from the same binary (static musl, libc only).
 */
#ifndef SPROUT_BENCH_H
#define SPROUT_BENCH_H

#include <errno.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/wait.h>

#define BENCH_MAX_REPS	64

/*
 * Options every program takes: -q (quick: fewer reps and smaller batches), -r REPS, -m MIB,
 * -o PREFIX (only the figures whose id starts with PREFIX; the others are not measured).
 */
struct bench_opts {
	int quick;
	int reps;
	long max_mib;	/* -m MIB: largest parent size for the memory sweep */
	const char *only;	/* -o PREFIX, or NULL for every figure */
};

/* Monotonic time in nanoseconds. */
static inline uint64_t bench_now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

/* Parse -q, -r REPS, -m MIB and -o PREFIX; defaults: 11 reps (5 with -q), 4096 MiB. */
static inline void bench_parse(int argc, char **argv, struct bench_opts *o)
{
	int c;

	o->quick = 0;
	o->reps = 0;
	o->max_mib = 4096;
	o->only = NULL;
	while ((c = getopt(argc, argv, "qr:m:o:")) != -1) {
		switch (c) {
		case 'q':
			o->quick = 1;
			break;
		case 'r':
			o->reps = atoi(optarg);
			break;
		case 'm':
			o->max_mib = atol(optarg);
			break;
		case 'o':
			o->only = optarg;
			break;
		default:
			fprintf(stderr, "usage: %s [-q] [-r REPS] [-m MIB] [-o PREFIX]\n", argv[0]);
			exit(2);
		}
	}
	if (o->reps <= 0)
		o->reps = o->quick ? 5 : 11;
	if (o->reps > BENCH_MAX_REPS)
		o->reps = BENCH_MAX_REPS;
	setvbuf(stdout, NULL, _IOLBF, 0);
}

/* Is figure @id to be measured (-o)? */
static inline int bench_wanted(const struct bench_opts *o, const char *id)
{
	return !o->only || !strncmp(id, o->only, strlen(o->only));
}

/*
 * The span of one figure's measured loop, marked for tools/profile (a QEMU plugin that
 * attributes guest instructions to kernel functions): `xchg %bx, %bx`, an instruction that
 * changes nothing, on entry and on exit. The plugin counts only between the two marks.
 */
static inline void bench_mark(void)
{
	__asm__ volatile("xchg %%bx, %%bx" ::: "memory");
}

/* Batch size: @full normally, a quarter (at least 1) with -q. */
static inline long bench_batch(const struct bench_opts *o, long full)
{
	long k = o->quick ? full / 4 : full;

	return k > 0 ? k : 1;
}

static int bench_cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

/* Print the median, minimum and maximum of @n values (sorted in place). */
static inline void bench_report(const char *id, const char *unit, double *v, int n)
{
	double med;

	if (n <= 0) {
		printf("BENCH %s %s error no repetitions\n", id, unit);
		return;
	}
	qsort(v, n, sizeof(v[0]), bench_cmp_double);
	med = n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
	printf("BENCH %s %s %.4f %.4f %.4f %d\n", id, unit, med, v[0], v[n - 1], n);
}

/*
 * Report a failure with errno @err: "missing" when the kernel does not have the call
 * (ENOSYS), "error" otherwise. @what names the call that failed.
 */
static inline void bench_fail(const char *id, const char *unit, const char *what, int err)
{
	if (err == ENOSYS)
		printf("BENCH %s %s missing %s: no such system call (ENOSYS)\n", id, unit, what);
	else
		printf("BENCH %s %s error %s: %s\n", id, unit, what, strerror(err));
}

/* Print "missing" with a free-form reason. */
static inline void bench_missing(const char *id, const char *unit, const char *why)
{
	printf("BENCH %s %s missing %s\n", id, unit, why);
}

/* Wait for @pid; returns 0 if it exited with status 0, else -1 (errno set or EIO). */
static inline int bench_reap(pid_t pid)
{
	int st;

	while (waitpid(pid, &st, 0) < 0) {
		if (errno != EINTR)
			return -1;
	}
	if (!WIFEXITED(st) || WEXITSTATUS(st) != 0) {
		errno = EIO;
		return -1;
	}
	return 0;
}

/* Wait for @pid, which may have been killed on purpose; returns 0 or -1 with errno. */
static inline int bench_reap_any(pid_t pid)
{
	int st;

	while (waitpid(pid, &st, 0) < 0) {
		if (errno != EINTR)
			return -1;
	}
	return 0;
}

/*
 * A child that stays alive without running until its parent kills it: it holds its share of
 * the parent's memory (copy-on-write) for as long as the parent needs.
 */
static inline void __attribute__((noreturn)) bench_park(void)
{
	struct timespec ts = { 1000, 0 };

	for (;;)
		nanosleep(&ts, NULL);
}

/* Path of program @name in the directory of @argv0 (the current directory if it has none). */
static inline void bench_sibling(char *buf, size_t size, const char *argv0, const char *name)
{
	const char *slash = strrchr(argv0, '/');
	int dirlen = slash ? (int)(slash - argv0) : 1;

	snprintf(buf, size, "%.*s/%s", dirlen, slash ? argv0 : ".", name);
}

/* Kill and reap a parked child; returns 0 or -1 with errno. */
static inline int bench_unpark(pid_t pid)
{
	if (kill(pid, SIGKILL) < 0)
		return -1;
	return bench_reap_any(pid);
}

#endif
