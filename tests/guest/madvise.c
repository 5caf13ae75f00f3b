/*
 * madvise(2), msync(2) and mincore(2): MADV_DONTNEED gives private anonymous memory back
 * zero-filled, refetches a private file mapping from the file and keeps a shared mapping's data;
 * MADV_FREE applies only to private anonymous memory; the hints are accepted; errors (EINVAL,
 * ENOMEM for holes, EBUSY, EFAULT) are Linux's; mincore reports what is resident.
 */
#include <tap.h>

#define PAGE	4096L

static char *map_anon(long pages, int flags)
{
	char *p = mmap(NULL, pages * PAGE, PROT_READ | PROT_WRITE, flags | MAP_ANONYMOUS, -1, 0);

	return p == MAP_FAILED ? NULL : p;
}

/* A file of @pages pages, page i filled with 'a' + i; returns an open O_RDWR descriptor. */
static int make_file(long pages)
{
	char path[256], buf[PAGE];
	int fd;

	tap_tmppath(path, sizeof(path), "madv");
	fd = open(path, O_RDWR | O_CREAT | O_TRUNC, 0600);
	if (fd < 0)
		return -1;
	unlink(path);
	for (long i = 0; i < pages; i++) {
		memset(buf, 'a' + (int)i, sizeof(buf));
		if (write(fd, buf, sizeof(buf)) != sizeof(buf))
			return -1;
	}
	return fd;
}

static int dontneed_anon_zero_fills(void)
{
	char *p = map_anon(4, MAP_PRIVATE);
	unsigned char vec[4];

	if (!CHECK(p))
		return 1;
	memset(p, 0xaa, 4 * PAGE);
	CHECK_EQ(madvise(p + PAGE, 2 * PAGE, MADV_DONTNEED), 0);
	CHECK_EQ(mincore(p, 4 * PAGE, vec), 0);
	CHECK_EQ(vec[0] & 1, 1);
	CHECK_EQ(vec[1] & 1, 0);
	CHECK_EQ(vec[2] & 1, 0);
	CHECK_EQ(vec[3] & 1, 1);
	CHECK_EQ((unsigned char)p[0], 0xaa);
	CHECK_EQ(p[PAGE], 0);
	CHECK_EQ(p[3 * PAGE - 1], 0);
	CHECK_EQ((unsigned char)p[3 * PAGE], 0xaa);
	return 0;
}

static int dontneed_after_fork_keeps_parent(void)
{
	char *p = map_anon(2, MAP_PRIVATE);
	pid_t pid;
	int st;

	if (!CHECK(p))
		return 1;
	memset(p, 0x55, 2 * PAGE);
	pid = fork();
	if (pid == 0) {
		/* The child drops its COW view: zeroes for it, nothing changes for the parent. */
		if (madvise(p, 2 * PAGE, MADV_DONTNEED) || p[0] != 0 || p[PAGE] != 0)
			_exit(1);
		p[0] = 7;
		_exit(0);
	}
	st = tap_wait_bounded(pid, 20);
	CHECK(st >= 0 && WIFEXITED(st) && WEXITSTATUS(st) == 0);
	CHECK_EQ(p[0], 0x55);
	CHECK_EQ(p[PAGE], 0x55);
	return 0;
}

static int dontneed_private_file_refetches(void)
{
	int fd = make_file(2);
	char *p;

	if (!CHECK(fd >= 0))
		return 1;
	p = mmap(NULL, 2 * PAGE, PROT_READ | PROT_WRITE, MAP_PRIVATE, fd, 0);
	if (!CHECK(p != MAP_FAILED))
		return 1;
	p[0] = 'X';
	p[PAGE] = 'Y';
	CHECK_EQ(madvise(p, PAGE, MADV_DONTNEED), 0);
	CHECK_EQ(p[0], 'a');		/* the private copy is gone: the file's page again */
	CHECK_EQ(p[PAGE], 'Y');		/* outside the range: kept */
	return 0;
}

static int dontneed_shared_keeps_data(void)
{
	char *p = map_anon(2, MAP_SHARED);
	int fd = make_file(1);
	char *f;

	if (!CHECK(p) || !CHECK(fd >= 0))
		return 1;
	memset(p, 0x33, 2 * PAGE);
	CHECK_EQ(madvise(p, 2 * PAGE, MADV_DONTNEED), 0);
	CHECK_EQ(p[0], 0x33);
	CHECK_EQ(p[2 * PAGE - 1], 0x33);
	f = mmap(NULL, PAGE, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	if (!CHECK(f != MAP_FAILED))
		return 1;
	f[1] = 'Z';
	CHECK_EQ(madvise(f, PAGE, MADV_DONTNEED), 0);
	CHECK_EQ(f[1], 'Z');
	CHECK_EQ(f[0], 'a');
	return 0;
}

static int madv_free_rules(void)
{
	char *p = map_anon(2, MAP_PRIVATE), *s = map_anon(1, MAP_SHARED);
	int fd = make_file(1);
	char *f;

	if (!CHECK(p) || !CHECK(s) || !CHECK(fd >= 0))
		return 1;
	memset(p, 1, 2 * PAGE);
	CHECK_EQ(madvise(p, 2 * PAGE, MADV_FREE), 0);
	/* Freed pages read as before or as zero; a write after the advice is kept. */
	CHECK(p[0] == 0 || p[0] == 1);
	p[0] = 9;
	CHECK_EQ(p[0], 9);
	CHECK_ERR(madvise(s, PAGE, MADV_FREE), EINVAL);
	f = mmap(NULL, PAGE, PROT_READ, MAP_PRIVATE, fd, 0);
	if (!CHECK(f != MAP_FAILED))
		return 1;
	CHECK_ERR(madvise(f, PAGE, MADV_FREE), EINVAL);
	return 0;
}

static int madvise_hints_and_errors(void)
{
	static const int hints[] = {
		MADV_NORMAL, MADV_RANDOM, MADV_SEQUENTIAL, MADV_WILLNEED, MADV_DONTFORK,
		MADV_DOFORK, MADV_DONTDUMP, MADV_DODUMP,
	};
	char *p = map_anon(3, MAP_PRIVATE);

	if (!CHECK(p))
		return 1;
	memset(p, 4, 3 * PAGE);
	for (unsigned i = 0; i < sizeof(hints) / sizeof(hints[0]); i++)
		CHECK_EQ(madvise(p, 3 * PAGE, hints[i]), 0);
	CHECK_EQ(p[0], 4);
	CHECK_EQ(madvise(p, 0, MADV_DONTNEED), 0);
	CHECK_ERR(madvise(p + 1, PAGE, MADV_NORMAL), EINVAL);
	CHECK_ERR(madvise(p, PAGE, 999), EINVAL);
	CHECK_ERR(madvise(p, (size_t)-PAGE, MADV_NORMAL), EINVAL);
	/* A hole in the range: ENOMEM, but the mapped parts still get the advice. */
	CHECK_EQ(munmap(p + PAGE, PAGE), 0);
	CHECK_ERR(madvise(p, 3 * PAGE, MADV_DONTNEED), ENOMEM);
	CHECK_EQ(p[0], 0);
	CHECK_EQ(p[2 * PAGE], 0);
	CHECK_ERR(madvise(p + PAGE, PAGE, MADV_NORMAL), ENOMEM);
	/* Locked pages cannot be dropped. */
	CHECK_EQ(mlock(p, PAGE), 0);
	CHECK_ERR(madvise(p, PAGE, MADV_DONTNEED), EINVAL);
	CHECK_ERR(madvise(p, PAGE, MADV_FREE), EINVAL);
	return 0;
}

static int msync_rules(void)
{
	int fd = make_file(2);
	char *f, *p = map_anon(2, MAP_PRIVATE), c = 0;

	if (!CHECK(fd >= 0) || !CHECK(p))
		return 1;
	f = mmap(NULL, 2 * PAGE, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	if (!CHECK(f != MAP_FAILED))
		return 1;
	f[5] = 'Q';
	CHECK_EQ(msync(f, 2 * PAGE, MS_SYNC), 0);
	CHECK_EQ(pread(fd, &c, 1, 5), 1);
	CHECK_EQ(c, 'Q');
	CHECK_EQ(msync(f, PAGE, MS_ASYNC), 0);
	CHECK_EQ(msync(f, PAGE, MS_INVALIDATE), 0);
	CHECK_EQ(msync(p, 2 * PAGE, MS_SYNC), 0);	/* anonymous: nothing to do */
	CHECK_EQ(msync(f, 0, MS_SYNC), 0);
	CHECK_ERR(msync(f, PAGE, MS_SYNC | MS_ASYNC), EINVAL);
	CHECK_ERR(msync(f, PAGE, 0x100), EINVAL);
	CHECK_ERR(msync(f + 1, PAGE, MS_SYNC), EINVAL);
	CHECK_EQ(munmap(p + PAGE, PAGE), 0);
	CHECK_ERR(msync(p, 2 * PAGE, MS_SYNC), ENOMEM);
	CHECK_ERR(msync(p + PAGE, PAGE, MS_ASYNC), ENOMEM);
	CHECK_EQ(mlock(p, PAGE), 0);
	CHECK_ERR(msync(p, PAGE, MS_INVALIDATE), EBUSY);
	CHECK_EQ(msync(p, PAGE, MS_SYNC), 0);
	return 0;
}

static int mincore_rules(void)
{
	char *p = map_anon(3, MAP_PRIVATE);
	unsigned char vec[3] = { 9, 9, 9 };
	int fd = make_file(2);
	char *f;

	if (!CHECK(p) || !CHECK(fd >= 0))
		return 1;
	p[PAGE] = 1;
	CHECK_EQ(mincore(p, 3 * PAGE, vec), 0);
	CHECK_EQ(vec[0], 0);
	CHECK_EQ(vec[1], 1);
	CHECK_EQ(vec[2], 0);
	/* A length that is not a page multiple covers the partial page. */
	vec[1] = 9;
	CHECK_EQ(mincore(p + PAGE, 1, vec + 1), 0);
	CHECK_EQ(vec[1], 1);
	/* File pages written with write(2) are in memory before the mapping touches them. */
	f = mmap(NULL, 2 * PAGE, PROT_READ, MAP_SHARED, fd, 0);
	if (!CHECK(f != MAP_FAILED))
		return 1;
	CHECK_EQ(mincore(f, 2 * PAGE, vec), 0);
	CHECK_EQ(vec[0], 1);
	CHECK_EQ(vec[1], 1);
	CHECK_ERR(mincore(p + 1, PAGE, vec), EINVAL);
	CHECK_ERR(mincore(p, PAGE, tap_bad_ptr(0xffff800000000000UL)), EFAULT);
	CHECK_EQ(munmap(p + 2 * PAGE, PAGE), 0);
	CHECK_ERR(mincore(p, 3 * PAGE, vec), ENOMEM);
	CHECK_ERR(mincore(tap_bad_ptr(0xffff800000000000UL), PAGE, vec), ENOMEM);
	return 0;
}

int main(void)
{
	tap_plan(8);
	run_case("MADV_DONTNEED zero-fills private anonymous pages", dontneed_anon_zero_fills);
	run_case("MADV_DONTNEED in a forked child leaves the parent's pages",
		 dontneed_after_fork_keeps_parent);
	run_case("MADV_DONTNEED refetches a private file mapping", dontneed_private_file_refetches);
	run_case("MADV_DONTNEED keeps shared mappings' data", dontneed_shared_keeps_data);
	run_case("MADV_FREE: private anonymous only", madv_free_rules);
	run_case("madvise hints, EINVAL, ENOMEM for holes, locked pages", madvise_hints_and_errors);
	run_case("msync flags, holes, EBUSY", msync_rules);
	run_case("mincore residency and errors", mincore_rules);
	return tap_done();
}
