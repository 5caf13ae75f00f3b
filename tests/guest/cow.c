/*
 * Copy-on-write isolation after fork(2): a write by either side after the fork is never seen by
 * the other, for a global, a heap buffer, a stack buffer and a 64 MiB buffer, in both directions,
 * with a third sharer, and for a big buffer of which only some pages were ever touched.
 * Ordering between the two sides comes from a flag file (no pipes or shared memory needed).
 */
#include <tap.h>

#define PAGE		4096UL
#define BIG		(64UL << 20)
#define SPARSE_EVERY	16		/* the sparse case touches one page in this many */

static unsigned char global_buf[3 * PAGE];
static volatile unsigned long global_word = 0x1111;

/* Byte i of pattern seed: depends on both, so a page from the wrong side or place is noticed. */
static inline unsigned char pat(unsigned seed, size_t i)
{
	size_t x = (i >> 12) * 0x9e3779b1u + (i & (PAGE - 1)) + seed * 0x3d;

	return (unsigned char)(x ^ (x >> 8) ^ seed);
}

/* Big buffers get every 512th byte plus the last byte of each page; small ones every byte. */
static inline size_t stride(size_t len)
{
	return len > (1UL << 20) ? 512 : 1;
}

static void fill(volatile unsigned char *p, size_t len, unsigned seed)
{
	size_t s = stride(len);

	for (size_t i = 0; i < len; i += s)
		p[i] = pat(seed, i);
	for (size_t i = PAGE - 1; i < len; i += PAGE)
		p[i] = pat(seed, i);
}

/* Returns true if p holds pattern seed (at the places fill() writes). */
static bool holds(const volatile unsigned char *p, size_t len, unsigned seed)
{
	size_t s = stride(len);

	for (size_t i = 0; i < len; i += s)
		if (p[i] != pat(seed, i))
			return false;
	for (size_t i = PAGE - 1; i < len; i += PAGE)
		if (p[i] != pat(seed, i))
			return false;
	return true;
}

static bool wait_child_ok(pid_t pid, const char *what)
{
	char why[64];
	int status = tap_wait_bounded(pid, 50);

	if (status >= 0 && WIFEXITED(status) && WEXITSTATUS(status) == 0)
		return true;
	tap_diag("%s: child %s", what, tap_status_str(status, why, sizeof(why)));
	tap_case_failed = true;
	return false;
}

/*
 * Child writes, parent unchanged: the parent fills seed 1 and forks; the child checks it sees
 * seed 1, writes seed 2 and checks it; after the child exits the parent must still see seed 1,
 * and must be able to write seed 3 over its (now unshared) pages.
 */
static void child_writes(volatile unsigned char *p, size_t len, const char *what)
{
	pid_t pid;

	fill(p, len, 1);
	fflush(NULL);
	pid = fork();
	if (pid == 0) {
		if (!holds(p, len, 1))
			_exit(1);
		fill(p, len, 2);
		_exit(holds(p, len, 2) ? 0 : 2);
	}
	if (!CHECK(pid > 0))
		return;
	wait_child_ok(pid, what);
	if (!holds(p, len, 1)) {
		tap_diag("%s: the child's write reached the parent", what);
		tap_case_failed = true;
	}
	fill(p, len, 3);
	CHECK(holds(p, len, 3));
}

/*
 * Parent writes, child unchanged: the parent fills seed 4, forks, writes seed 5 and then creates
 * the flag file; the child waits for the flag and must still see seed 4.
 */
static void parent_writes(volatile unsigned char *p, size_t len, const char *what)
{
	char flag[4200];
	pid_t pid;

	tap_tmppath(flag, sizeof(flag), "cow-flag");
	unlink(flag);
	fill(p, len, 4);
	fflush(NULL);
	pid = fork();
	if (pid == 0) {
		if (!tap_wait_for_file(flag, 40000))
			_exit(3);
		_exit(holds(p, len, 4) ? 0 : 4);
	}
	if (!CHECK(pid > 0))
		return;
	fill(p, len, 5);
	CHECK_EQ(tap_write_file(flag, "go", 2, 0644), 0);
	if (!wait_child_ok(pid, what))
		tap_diag("%s: (exit 4: the parent's write reached the child)", what);
	CHECK(holds(p, len, 5));
	unlink(flag);
}

static int case_global_scalar(void)
{
	pid_t pid;

	global_word = 0x1111;
	fflush(NULL);
	pid = fork();
	if (pid == 0) {
		global_word = 0x2222;
		_exit(global_word == 0x2222 ? 0 : 1);
	}
	wait_child_ok(pid, "global word");
	CHECK_EQ(global_word, 0x1111);
	return 0;
}

static int case_global(void)
{
	child_writes(global_buf, sizeof(global_buf), "global");
	parent_writes(global_buf, sizeof(global_buf), "global");
	return 0;
}

static int case_heap(void)
{
	size_t len = 5 * PAGE + 123;
	unsigned char *p = malloc(len);

	if (!CHECK(p != NULL))
		return 1;
	child_writes(p, len, "heap");
	parent_writes(p, len, "heap");
	free(p);
	return 0;
}

static int case_stack(void)
{
	volatile unsigned char buf[2 * PAGE + 100];

	child_writes(buf, sizeof(buf), "stack");
	parent_writes(buf, sizeof(buf), "stack");
	return 0;
}

static int case_big(void)
{
	unsigned char *p = malloc(BIG);

	if (!CHECK(p != NULL))
		return 1;
	child_writes(p, BIG, "64 MiB");
	parent_writes(p, BIG, "64 MiB");
	free(p);
	return 0;
}

/* Three sharers: the grandchild's and the child's writes stay in their own copies. */
static int case_three_sharers(void)
{
	size_t len = 8 * PAGE;
	unsigned char *p = malloc(len);
	pid_t pid;

	if (!CHECK(p != NULL))
		return 1;
	fill(p, len, 6);
	fflush(NULL);
	pid = fork();
	if (pid == 0) {
		int status;
		pid_t g = fork();

		if (g == 0) {
			if (!holds(p, len, 6))
				_exit(1);
			fill(p, len, 8);
			_exit(holds(p, len, 8) ? 0 : 2);
		}
		if (g < 0 || waitpid(g, &status, 0) != g || status != 0)
			_exit(3);
		if (!holds(p, len, 6))
			_exit(4);
		fill(p, len, 7);
		_exit(holds(p, len, 7) ? 0 : 5);
	}
	wait_child_ok(pid, "three sharers");
	CHECK(holds(p, len, 6));
	free(p);
	return 0;
}

/*
 * A big buffer with only every 16th page touched before the fork: the untouched pages read as
 * zero in both, and writes to touched and untouched pages after the fork stay private.
 */
static int case_sparse(void)
{
	/* mmap, not malloc: the pages must be fresh and never touched. */
	unsigned char *p = mmap(NULL, BIG, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS,
				-1, 0);
	size_t pages = BIG / PAGE;
	pid_t pid;

	if (!CHECK(p != MAP_FAILED))
		return 1;
	for (size_t i = 0; i < pages; i += SPARSE_EVERY)
		p[i * PAGE] = (unsigned char)(i / SPARSE_EVERY + 1);
	fflush(NULL);
	pid = fork();
	if (pid == 0) {
		for (size_t i = 0; i + 1 < pages; i += SPARSE_EVERY) {
			if (p[i * PAGE] != (unsigned char)(i / SPARSE_EVERY + 1))
				_exit(1);
			if (p[(i + 1) * PAGE + 7] != 0)
				_exit(2);
			p[i * PAGE] = 0xee;
			p[(i + 1) * PAGE + 7] = 0xdd;
		}
		_exit(0);
	}
	wait_child_ok(pid, "sparse");
	for (size_t i = 0; i + 1 < pages; i += SPARSE_EVERY) {
		if (p[i * PAGE] != (unsigned char)(i / SPARSE_EVERY + 1) ||
		    p[(i + 1) * PAGE + 7] != 0) {
			tap_diag("page %zu: the child's write reached the parent", i);
			tap_case_failed = true;
			break;
		}
	}
	CHECK_EQ(munmap(p, BIG), 0);
	return 0;
}

#define REGION_TEST (8u << 20)	/* spans several 2 MiB page-table regions */

/* After fork the page tables are shared: a child that unmaps part of a shared
 * range (whole and partial 2 MiB regions) must not take the parent's pages. */
static int case_munmap_after_fork(void)
{
	unsigned char *p = mmap(NULL, REGION_TEST, PROT_READ | PROT_WRITE,
				MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	pid_t pid;

	if (!CHECK(p != MAP_FAILED))
		return 0;
	fill(p, REGION_TEST, 7);
	fflush(NULL);
	pid = fork();
	if (pid == 0) {
		if (munmap(p + (1u << 20), 5u << 20))
			_exit(2);
		for (size_t i = 0; i < (1u << 20); i += 512)	/* fill()'s stride for 8 MiB */
			if (p[i] != pat(7, i))
				_exit(3);
		fill(p + (6u << 20), 2u << 20, 8);
		_exit(0);
	}
	wait_child_ok(pid, "munmap in the child");
	CHECK(holds(p, REGION_TEST, 7));
	fill(p, REGION_TEST, 9);
	CHECK(holds(p, REGION_TEST, 9));
	CHECK_EQ(munmap(p, REGION_TEST), 0);
	return 0;
}

/* A child that makes shared memory read-only must not make it read-only in
 * the parent. */
static int case_mprotect_after_fork(void)
{
	unsigned char *p = mmap(NULL, REGION_TEST, PROT_READ | PROT_WRITE,
				MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	pid_t pid;

	if (!CHECK(p != MAP_FAILED))
		return 0;
	fill(p, REGION_TEST, 10);
	fflush(NULL);
	pid = fork();
	if (pid == 0) {
		if (mprotect(p, REGION_TEST, PROT_READ))
			_exit(2);
		_exit(holds(p, REGION_TEST, 10) ? 0 : 3);
	}
	wait_child_ok(pid, "mprotect in the child");
	fill(p, REGION_TEST, 11);
	CHECK(holds(p, REGION_TEST, 11));
	CHECK_EQ(munmap(p, REGION_TEST), 0);
	return 0;
}

/* Three generations share tables: the grandchild's writes reach neither
 * ancestor, and the middle process still sees the original data. */
static int case_grandchild_write(void)
{
	unsigned char *p = mmap(NULL, REGION_TEST, PROT_READ | PROT_WRITE,
				MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	pid_t pid;

	if (!CHECK(p != MAP_FAILED))
		return 0;
	fill(p, REGION_TEST, 12);
	fflush(NULL);
	pid = fork();
	if (pid == 0) {
		pid_t g = fork();
		int st;

		if (g == 0) {
			fill(p, REGION_TEST, 13);
			_exit(holds(p, REGION_TEST, 13) ? 0 : 4);
		}
		if (g < 0 || waitpid(g, &st, 0) != g || st != 0)
			_exit(5);
		_exit(holds(p, REGION_TEST, 12) ? 0 : 6);
	}
	wait_child_ok(pid, "grandchild write");
	CHECK(holds(p, REGION_TEST, 12));
	CHECK_EQ(munmap(p, REGION_TEST), 0);
	return 0;
}

/* Entry point: runs every case and prints TAP. Returns 0 only if all passed. */
int main(void)
{
	tap_plan(10);
	run_case("a global word: the child's write stays in the child", case_global_scalar);
	run_case("a global buffer, both directions", case_global);
	run_case("a heap buffer, both directions", case_heap);
	run_case("a stack buffer, both directions", case_stack);
	run_case("a 64 MiB buffer, every page, both directions", case_big);
	run_case("three sharers of the same pages", case_three_sharers);
	run_case("a 64 MiB buffer with only some pages touched", case_sparse);
	run_case("munmap after fork leaves the other side's pages", case_munmap_after_fork);
	run_case("mprotect after fork changes one side only", case_mprotect_after_fork);
	run_case("a grandchild's writes reach neither ancestor", case_grandchild_write);
	return tap_done();
}
