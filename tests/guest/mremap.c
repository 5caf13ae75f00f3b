/*
 * mremap(2): growing in place, moving (MREMAP_MAYMOVE) with the data carried over, shrinking,
 * MREMAP_FIXED over an existing mapping, MREMAP_DONTUNMAP (the old range stays, empty), file
 * mappings (private copies and shared pages move along), a second mapping of shared pages
 * (old size 0), after fork (the other process keeps its view), and Linux's errors.
 */
#define _GNU_SOURCE
#include <tap.h>

#define PG	4096L

#ifndef MREMAP_DONTUNMAP
#define MREMAP_DONTUNMAP	4
#endif

static char *anon(long pages)
{
	char *p = mmap(NULL, pages * PG, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

	return p == MAP_FAILED ? NULL : p;
}

static bool mapped(void *p)
{
	return msync(p, PG, MS_ASYNC) == 0;
}

static void fill(char *p, long pages)
{
	for (long i = 0; i < pages; i++)
		memset(p + i * PG, 'a' + (int)(i % 26), PG);
}

static bool check_fill(const char *p, long pages)
{
	for (long i = 0; i < pages; i++)
		if (p[i * PG] != 'a' + (i % 26) || p[i * PG + PG - 1] != 'a' + (i % 26))
			return false;
	return true;
}

static int grow_in_place(void)
{
	char *p = anon(8), *q;

	if (!CHECK(p))
		return 1;
	/* A hole of two pages after the first two; pages 4-7 stay mapped. */
	CHECK_EQ(munmap(p + 2 * PG, 2 * PG), 0);
	fill(p, 2);
	q = mremap(p, 2 * PG, 4 * PG, 0);
	CHECK(q == p);
	CHECK(check_fill(p, 2));
	CHECK_EQ(p[3 * PG], 0);		/* the new part: zero-filled */
	p[3 * PG] = 1;
	/* Something right after: without MAYMOVE there is no room. */
	CHECK(mremap(p, 4 * PG, 6 * PG, 0) == MAP_FAILED && errno == ENOMEM);
	return 0;
}

static int move_and_shrink(void)
{
	char *p = anon(17), *q, *r;

	if (!CHECK(p))
		return 1;
	fill(p, 16);
	/* The first 16 pages of 17: they cannot grow in place. */
	q = mremap(p, 16 * PG, 64 * PG, MREMAP_MAYMOVE);
	if (!CHECK(q != MAP_FAILED) || !CHECK(q != p))
		return 1;
	CHECK(check_fill(q, 16));
	CHECK_EQ(q[40 * PG], 0);
	CHECK(!mapped(p));
	CHECK(!mapped(p + 15 * PG));
	CHECK(mapped(p + 16 * PG));
	/* Shrinking keeps the address and unmaps the tail. */
	r = mremap(q, 64 * PG, 3 * PG, 0);
	CHECK(r == q);
	CHECK(check_fill(q, 3));
	CHECK(!mapped(q + 3 * PG));
	/* Part of a mapping: only that part moves. */
	r = mremap(q + PG, PG, 2 * PG, MREMAP_MAYMOVE);
	if (!CHECK(r != MAP_FAILED))
		return 1;
	CHECK_EQ(r[0], 'b');
	CHECK_EQ(q[0], 'a');
	CHECK_EQ(q[2 * PG], 'c');
	CHECK(!mapped(q + PG));
	return 0;
}

static int fixed_and_dontunmap(void)
{
	char *p = anon(2), *dst = anon(3), *q;

	if (!CHECK(p && dst))
		return 1;
	fill(p, 2);
	memset(dst, 'z', 3 * PG);
	q = mremap(p, 2 * PG, 2 * PG, MREMAP_MAYMOVE | MREMAP_FIXED, dst);
	CHECK(q == dst);
	CHECK(check_fill(dst, 2));
	CHECK_EQ(dst[2 * PG], 'z');	/* beyond the moved range: untouched */
	CHECK(!mapped(p));
	/* DONTUNMAP: the pages move, the old range stays mapped and reads zero. */
	q = mremap(dst, 2 * PG, 2 * PG, MREMAP_MAYMOVE | MREMAP_DONTUNMAP);
	if (!CHECK(q != MAP_FAILED))
		return 1;
	CHECK(check_fill(q, 2));
	CHECK(mapped(dst));
	CHECK_EQ(dst[0], 0);
	CHECK_EQ(dst[PG], 0);
	return 0;
}

static int file_mappings(void)
{
	char path[256], buf[2] = { 0 }, *p, *q, *s, *s2;
	int fd;

	tap_tmppath(path, sizeof(path), "mremap");
	fd = open(path, O_RDWR | O_CREAT | O_TRUNC, 0600);
	if (!CHECK(fd >= 0))
		return 1;
	unlink(path);
	CHECK_EQ(ftruncate(fd, 4 * PG), 0);
	CHECK_EQ(pwrite(fd, "F", 1, 0), 1);
	CHECK_EQ(pwrite(fd, "G", 1, PG), 1);
	p = mmap(NULL, 2 * PG, PROT_READ | PROT_WRITE, MAP_PRIVATE, fd, 0);
	if (!CHECK(p != MAP_FAILED))
		return 1;
	p[0] = 'X';			/* a private copy of page 0 */
	q = mremap(p, 2 * PG, 3 * PG, MREMAP_MAYMOVE | MREMAP_FIXED, anon(8) + 4 * PG);
	if (!CHECK(q != MAP_FAILED))
		return 1;
	CHECK_EQ(q[0], 'X');
	CHECK_EQ(q[PG], 'G');		/* the file's page */
	CHECK_EQ(q[2 * PG], 0);		/* page 2 of the file */
	/* Shared: writes after the move reach the file. */
	s = mmap(NULL, PG, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	if (!CHECK(s != MAP_FAILED))
		return 1;
	s[1] = 'S';
	s2 = mremap(s, PG, 2 * PG, MREMAP_MAYMOVE);
	if (!CHECK(s2 != MAP_FAILED))
		return 1;
	s2[PG + 1] = 'T';
	CHECK_EQ(pread(fd, buf, 1, 1), 1);
	CHECK_EQ(buf[0], 'S');
	CHECK_EQ(pread(fd, buf, 1, PG + 1), 1);
	CHECK_EQ(buf[0], 'T');
	/* Old size 0: a second mapping of the same shared pages. */
	q = mremap(s2, 0, PG, MREMAP_MAYMOVE);
	if (!CHECK(q != MAP_FAILED))
		return 1;
	CHECK(q != s2);
	q[2] = 'U';
	CHECK_EQ(s2[2], 'U');
	CHECK(mremap(anon(1), 0, PG, MREMAP_MAYMOVE) == MAP_FAILED && errno == EINVAL);
	return 0;
}

static int after_fork(void)
{
	char *p = anon(8);
	pid_t pid;

	if (!CHECK(p))
		return 1;
	fill(p, 8);
	pid = fork();
	if (pid == 0) {
		char *q = mremap(p, 8 * PG, 16 * PG, MREMAP_MAYMOVE | MREMAP_FIXED, anon(32));

		if (q == MAP_FAILED || !check_fill(q, 8))
			_exit(1);
		q[0] = 'Q';
		_exit(0);
	}
	CHECK_EQ(tap_wait_bounded(pid, 20), 0);
	CHECK(check_fill(p, 8));	/* the parent's view is its own */
	return 0;
}

static int errors(void)
{
	char *p = anon(4), *hole;

	if (!CHECK(p))
		return 1;
	hole = anon(1);
	CHECK_EQ(munmap(hole, PG), 0);
	CHECK(mremap(p, PG, PG, 8) == MAP_FAILED && errno == EINVAL);
	CHECK(mremap(p, PG, PG, MREMAP_FIXED, p + 8 * PG) == MAP_FAILED && errno == EINVAL);
	CHECK(mremap(p, PG, 2 * PG, MREMAP_MAYMOVE | MREMAP_DONTUNMAP) == MAP_FAILED &&
	      errno == EINVAL);
	CHECK(mremap(p, PG, PG, MREMAP_DONTUNMAP) == MAP_FAILED && errno == EINVAL);
	CHECK(mremap(p + 1, PG, PG, 0) == MAP_FAILED && errno == EINVAL);
	CHECK(mremap(p, PG, 0, 0) == MAP_FAILED && errno == EINVAL);
	CHECK(mremap(hole, PG, 2 * PG, MREMAP_MAYMOVE) == MAP_FAILED && errno == EFAULT);
	CHECK(mremap(p, 8 * PG, 9 * PG, MREMAP_MAYMOVE) == MAP_FAILED && errno == EFAULT);
	CHECK(mremap(p, 2 * PG, 2 * PG, MREMAP_MAYMOVE | MREMAP_FIXED, p + PG) == MAP_FAILED &&
	      errno == EINVAL);
	CHECK(mremap(p, PG, PG, MREMAP_MAYMOVE | MREMAP_FIXED, hole + 1) == MAP_FAILED &&
	      errno == EINVAL);
	return 0;
}

int main(void)
{
	tap_plan(6);
	run_case("mremap grows in place; ENOMEM without room or MAYMOVE", grow_in_place);
	run_case("MREMAP_MAYMOVE carries the data; shrinking; moving part", move_and_shrink);
	run_case("MREMAP_FIXED replaces; MREMAP_DONTUNMAP leaves an empty range", fixed_and_dontunmap);
	run_case("file mappings: private copies and shared pages move; old size 0", file_mappings);
	run_case("mremap in a forked child leaves the parent's pages", after_fork);
	run_case("mremap errors", errors);
	return tap_done();
}
