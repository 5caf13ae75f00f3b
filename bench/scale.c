/*
 * Scaling figures: lifecycle calls measured with N other processes in the system, for
 * N = 0, 100, 1000 and 10000 (up to 1000 with -q). A path that is flat in N gives the same
 * figure at every N; one that walks every process grows with it.
 *
 *   scale_few_N         fork + _exit + waitpid(pid), with N sleeping children of the caller
 *   scale_few_pgrp_N    the same with every child (the sleepers and the one forked) in a
 *                       process group of its own (each exit changes a group's orphan state)
 *   scale_few_nproc_N   the same as a non-root user (uid 1000) with a finite RLIMIT_NPROC,
 *                       the N sleepers belonging to that user
 *   scale_kill_pgrp_N   kill(-pgid, 0) on a one-member group
 *   scale_waitpid_N     waitpid(pid) of one zombie child, with N other zombie children
 *   scale_exit_N        from _exit of a process with N children, each in a group of its own,
 *                       to its parent's waitpid returning (linear in N is expected: the
 *                       children are handed to a new parent one by one)
 *
 * The program makes itself a child subreaper (PR_SET_CHILD_SUBREAPER), so the orphans of
 * scale_exit come back to it and are reaped here. It runs as root (it drops to uid 1000
 * only in the child that measures scale_few_nproc). See bench.h for the options and the
 * output format.
 */
#include "bench.h"

#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/resource.h>

#define NPROC_UID	1000
#define MAX_N		10000

static struct bench_opts o;

static int wanted(const char *id)
{
	return bench_wanted(&o, id);
}

/* A child that tells its parent it runs, then sleeps until killed. */
static void __attribute__((noreturn)) sleeper(int wfd, int own_group)
{
	char c = 1;

	if (own_group)
		setpgid(0, 0);
	if (write(wfd, &c, 1) != 1)
		_exit(1);
	close(wfd);
	for (;;)
		pause();
}

/*
 * Start @n sleeping children (in groups of their own when @own_group) and wait until each
 * has run; their pids go to @pids. Returns the number started (n on success).
 */
static int sleepers_start(pid_t *pids, int n, int own_group)
{
	int fd[2], i;
	char buf[256];

	if (pipe(fd) < 0)
		return 0;
	for (i = 0; i < n; i++) {
		pid_t pid = fork();

		if (pid < 0)
			break;
		if (pid == 0) {
			close(fd[0]);
			sleeper(fd[1], own_group);
		}
		if (own_group)
			setpgid(pid, pid);
		pids[i] = pid;
	}
	close(fd[1]);
	for (int got = 0; got < i;) {
		ssize_t r = read(fd[0], buf, sizeof(buf) < (size_t)(i - got) ? sizeof(buf)
									    : (size_t)(i - got));

		if (r <= 0)
			break;
		got += r;
	}
	close(fd[0]);
	/* Each has written; let the last ones reach pause() before anything is measured. */
	usleep(20000);
	return i;
}

static void sleepers_stop(pid_t *pids, int n)
{
	for (int i = 0; i < n; i++)
		kill(pids[i], SIGKILL);
	for (int i = 0; i < n; i++)
		bench_reap_any(pids[i]);
}

/* fork + _exit + waitpid, the child in its own group when @own_group; microseconds each. */
static int few(double *v, int reps, long k, int own_group)
{
	for (int r = 0; r < reps; r++) {
		bench_mark();
		uint64_t t0 = bench_now_ns();

		for (long i = 0; i < k; i++) {
			pid_t pid = fork();

			if (pid < 0)
				return errno;
			if (pid == 0) {
				if (own_group)
					setpgid(0, 0);
				_exit(0);
			}
			if (bench_reap(pid))
				return errno;
		}
		v[r] = (bench_now_ns() - t0) / 1e3 / k;
		bench_mark();
	}
	return 0;
}

static void report_few(const char *prefix, int n, int own_group, pid_t *pids, int nstarted)
{
	char id[64];
	double v[BENCH_MAX_REPS];
	int err;

	snprintf(id, sizeof(id), "%s_%d", prefix, n);
	if (!wanted(id))
		return;
	if (nstarted < n) {
		printf("BENCH %s us error fork of sleeper %d: %s\n", id, nstarted, strerror(errno));
		return;
	}
	err = few(v, o.reps, bench_batch(&o, 40), own_group);
	if (err)
		bench_fail(id, "us", "fork", err);
	else
		bench_report(id, "us", v, o.reps);
}

static void kill_pgrp(int n)
{
	char id[64];
	double v[BENCH_MAX_REPS];
	long k = bench_batch(&o, 2000);
	int fd[2];
	pid_t pid;

	snprintf(id, sizeof(id), "scale_kill_pgrp_%d", n);
	if (!wanted(id))
		return;
	if (pipe(fd) < 0 || (pid = fork()) < 0) {
		bench_fail(id, "us", "fork", errno);
		return;
	}
	if (pid == 0) {
		close(fd[0]);
		sleeper(fd[1], 1);
	}
	setpgid(pid, pid);
	close(fd[1]);
	char c;

	if (read(fd[0], &c, 1) != 1) {
		bench_fail(id, "us", "read", errno);
		goto out;
	}
	usleep(20000);
	for (int r = 0; r < o.reps; r++) {
		uint64_t t0 = bench_now_ns();

		for (long i = 0; i < k; i++) {
			if (kill(-pid, 0) < 0) {
				bench_fail(id, "us", "kill", errno);
				goto out;
			}
		}
		v[r] = (bench_now_ns() - t0) / 1e3 / k;
	}
	bench_report(id, "us", v, o.reps);
out:
	close(fd[0]);
	bench_unpark(pid);
}

/* The sleeper-based rows at one N: the caller's sleepers, then sleepers in own groups. */
static void with_sleepers(int n, pid_t *pids)
{
	char id[64], kid[64];
	int m;

	snprintf(id, sizeof(id), "scale_few_%d", n);
	snprintf(kid, sizeof(kid), "scale_kill_pgrp_%d", n);
	if (wanted(id) || wanted(kid)) {
		m = sleepers_start(pids, n, 0);
		report_few("scale_few", n, 0, pids, m);
		kill_pgrp(n);
		sleepers_stop(pids, m);
	}
	snprintf(id, sizeof(id), "scale_few_pgrp_%d", n);
	if (wanted(id)) {
		m = sleepers_start(pids, n, 1);
		report_few("scale_few_pgrp", n, 1, pids, m);
		sleepers_stop(pids, m);
	}
}

/* scale_few_nproc: in a child that becomes uid 1000 with RLIMIT_NPROC = N + 64. */
static void nproc(int n, pid_t *pids)
{
	char id[64];
	pid_t pid;

	snprintf(id, sizeof(id), "scale_few_nproc_%d", n);
	if (!wanted(id))
		return;
	fflush(NULL);
	pid = fork();
	if (pid < 0) {
		bench_fail(id, "us", "fork", errno);
		return;
	}
	if (pid == 0) {
		struct rlimit rl = { n + 64, n + 64 };

		if (setrlimit(RLIMIT_NPROC, &rl) < 0 || setgid(NPROC_UID) < 0 ||
		    setuid(NPROC_UID) < 0) {
			bench_fail(id, "us", "setrlimit/setuid", errno);
			_exit(0);
		}
		int m = sleepers_start(pids, n, 0);

		report_few("scale_few_nproc", n, 0, pids, m);
		sleepers_stop(pids, m);
		fflush(NULL);
		_exit(0);
	}
	bench_reap_any(pid);
}

/* scale_waitpid: reap k zombies one by one by pid, with n other zombies present. */
static void waitpid_zombies(int n, pid_t *pids)
{
	char id[64];
	double v[BENCH_MAX_REPS];
	long k = bench_batch(&o, 40);
	pid_t target[64];
	int m = 0, err = 0;

	snprintf(id, sizeof(id), "scale_waitpid_%d", n);
	if (!wanted(id))
		return;
	for (; m < n; m++) {
		pids[m] = fork();
		if (pids[m] < 0) {
			err = errno;
			break;
		}
		if (pids[m] == 0)
			_exit(0);
	}
	for (int r = 0; r < o.reps && !err; r++) {
		siginfo_t si;

		for (long i = 0; i < k; i++) {
			target[i] = fork();
			if (target[i] < 0) {
				err = errno;
				k = i;
				break;
			}
			if (target[i] == 0)
				_exit(0);
		}
		/* Every one a zombie before the clock starts. */
		for (long i = 0; i < k; i++)
			waitid(P_PID, target[i], &si, WEXITED | WNOWAIT);
		for (int i = 0; i < m; i++)
			waitid(P_PID, pids[i], &si, WEXITED | WNOWAIT);
		uint64_t t0 = bench_now_ns();

		for (long i = 0; i < k; i++)
			if (waitpid(target[i], NULL, 0) != target[i] && !err)
				err = errno;
		v[r] = (bench_now_ns() - t0) / 1e3 / (k ? k : 1);
	}
	if (err)
		bench_fail(id, "us", "fork/waitpid", err);
	else
		bench_report(id, "us", v, o.reps);
	for (int i = 0; i < m; i++)
		waitpid(pids[i], NULL, 0);
}

/* scale_exit: a middle process with n children in groups of their own exits. */
static void exit_children(int n, pid_t *shared)
{
	char id[64];
	int reps = o.quick ? 2 : 3;
	double v[BENCH_MAX_REPS];
	volatile uint64_t *t_exit = (volatile uint64_t *)(shared + MAX_N);
	volatile int *nkids = (volatile int *)(shared + MAX_N + 2);

	snprintf(id, sizeof(id), "scale_exit_%d", n);
	if (!wanted(id))
		return;
	for (int r = 0; r < reps; r++) {
		fflush(NULL);
		pid_t mid = fork();

		if (mid < 0) {
			bench_fail(id, "us", "fork", errno);
			return;
		}
		if (mid == 0) {
			*nkids = sleepers_start(shared, n, 1);
			*t_exit = bench_now_ns();
			_exit(0);
		}
		bench_reap_any(mid);
		uint64_t t1 = bench_now_ns();
		int m = *nkids;

		v[r] = (t1 - *t_exit) / 1e3;
		/* The orphans came to us, the subreaper. */
		sleepers_stop(shared, m);
		if (m < n) {
			printf("BENCH %s us error fork of child %d failed\n", id, m);
			return;
		}
	}
	bench_report(id, "us", v, reps);
}

int main(int argc, char **argv)
{
	static const int ns[] = { 0, 100, 1000, 10000 };
	int count = sizeof(ns) / sizeof(ns[0]);
	pid_t *pids;

	bench_parse(argc, argv, &o);
	if (o.quick)
		count--;
	/* Shared with the children: the pids of scale_exit's orphans and its exit time. */
	pids = mmap(NULL, (MAX_N + 8) * sizeof(pid_t), PROT_READ | PROT_WRITE,
		    MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	if (pids == MAP_FAILED || prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0) < 0) {
		printf("BENCH scale_few_0 us error setup: %s\n", strerror(errno));
		return 1;
	}
	/* Touched now, so that every N forks a caller of the same size: the rows at larger N
	 * (and scale_exit at every N) write into it, and a fork shares and releases what is
	 * mapped (measured first with it untouched, N = 0 was 13% cheaper than N = 0 measured
	 * again after the others). */
	memset(pids, 0, (MAX_N + 8) * sizeof(pid_t));
	for (int i = 0; i < count; i++) {
		int n = ns[i];

		with_sleepers(n, pids);
		nproc(n, pids);
		waitpid_zombies(n, pids);
		exit_children(n, pids);
	}
	return 0;
}
