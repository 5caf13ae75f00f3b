/*
 * memfd_create(2) and file sealing: an anonymous file that reads, writes, truncates and maps
 * like any tmpfs file; seals (F_SEAL_SHRINK, GROW, WRITE, FUTURE_WRITE, EXEC, SEAL) that hold
 * against truncate, write, mmap and chmod; EBUSY for F_SEAL_WRITE under a writable shared
 * mapping; and the errors of memfd_create and fcntl.
 */
#define _GNU_SOURCE
#include <tap.h>
#include <sys/syscall.h>

#ifndef MFD_CLOEXEC
#define MFD_CLOEXEC		1U
#define MFD_ALLOW_SEALING	2U
#endif
#define MFD_NOEXEC_SEAL_	8U
#ifndef F_ADD_SEALS
#define F_ADD_SEALS	1033
#define F_GET_SEALS	1034
#define F_SEAL_SEAL	1
#define F_SEAL_SHRINK	2
#define F_SEAL_GROW	4
#define F_SEAL_WRITE	8
#endif
#ifndef F_SEAL_FUTURE_WRITE
#define F_SEAL_FUTURE_WRITE	0x10
#endif
#define F_SEAL_EXEC_	0x20

static int mfd(const char *name, unsigned flags)
{
	return (int)syscall(SYS_memfd_create, name, flags);
}

static int plain_file(void)
{
	int fd = mfd("plain", 0), cfd = mfd("cloexec", MFD_CLOEXEC);
	struct stat st;
	char buf[8] = { 0 }, *p;

	if (!CHECK(fd >= 0 && cfd >= 0))
		return 1;
	CHECK_EQ(fcntl(fd, F_GETFD), 0);
	CHECK_EQ(fcntl(cfd, F_GETFD), FD_CLOEXEC);
	CHECK_EQ(fcntl(fd, F_GETFL) & O_ACCMODE, O_RDWR);
	CHECK_EQ(fstat(fd, &st), 0);
	CHECK(S_ISREG(st.st_mode));
	CHECK_EQ(st.st_size, 0);
	CHECK_EQ(write(fd, "hello", 5), 5);
	CHECK_EQ(pread(fd, buf, 5, 0), 5);
	CHECK(!strcmp(buf, "hello"));
	CHECK_EQ(ftruncate(fd, 8192), 0);
	p = mmap(NULL, 8192, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	if (!CHECK(p != MAP_FAILED))
		return 1;
	p[4096] = 'Z';
	CHECK_EQ(pread(fd, buf, 1, 4096), 1);
	CHECK_EQ(buf[0], 'Z');
	/* Without MFD_ALLOW_SEALING: sealed against sealing. */
	CHECK_EQ(fcntl(fd, F_GET_SEALS), F_SEAL_SEAL);
	CHECK_ERR(fcntl(fd, F_ADD_SEALS, F_SEAL_WRITE), EPERM);
	return 0;
}

static int size_seals(void)
{
	int fd = mfd("size", MFD_ALLOW_SEALING);

	if (!CHECK(fd >= 0))
		return 1;
	CHECK_EQ(fcntl(fd, F_GET_SEALS), 0);
	CHECK_EQ(write(fd, "0123456789", 10), 10);
	CHECK_EQ(fcntl(fd, F_ADD_SEALS, F_SEAL_SHRINK), 0);
	CHECK_ERR(ftruncate(fd, 2), EPERM);
	CHECK_EQ(ftruncate(fd, 100), 0);
	CHECK_EQ(fcntl(fd, F_ADD_SEALS, F_SEAL_GROW), 0);
	CHECK_ERR(ftruncate(fd, 200), EPERM);
	CHECK_EQ(ftruncate(fd, 100), 0);			/* no change: fine */
	CHECK_ERR(pwrite(fd, "x", 1, 100), EPERM);		/* would grow */
	CHECK_EQ(pwrite(fd, "x", 1, 99), 1);			/* inside: fine */
	CHECK_EQ(fcntl(fd, F_GET_SEALS), F_SEAL_SHRINK | F_SEAL_GROW);
	return 0;
}

static int write_seal(void)
{
	int fd = mfd("write", MFD_ALLOW_SEALING);
	char *w, *r, *priv;

	if (!CHECK(fd >= 0) || !CHECK(ftruncate(fd, 4096) == 0))
		return 1;
	w = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	if (!CHECK(w != MAP_FAILED))
		return 1;
	CHECK_ERR(fcntl(fd, F_ADD_SEALS, F_SEAL_WRITE), EBUSY);	/* a writable mapping */
	CHECK_EQ(munmap(w, 4096), 0);
	CHECK_EQ(fcntl(fd, F_ADD_SEALS, F_SEAL_WRITE), 0);
	CHECK_ERR(write(fd, "x", 1), EPERM);
	CHECK(mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0) == MAP_FAILED &&
	      errno == EPERM);
	r = mmap(NULL, 4096, PROT_READ, MAP_SHARED, fd, 0);
	if (!CHECK(r != MAP_FAILED))
		return 1;
	CHECK_ERR(mprotect(r, 4096, PROT_READ | PROT_WRITE), EACCES);
	priv = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_PRIVATE, fd, 0);
	if (!CHECK(priv != MAP_FAILED))
		return 1;
	priv[0] = 'p';						/* a private copy: fine */
	CHECK_EQ(r[0], 0);
	CHECK_EQ(fcntl(fd, F_ADD_SEALS, F_SEAL_SEAL), 0);
	CHECK_ERR(fcntl(fd, F_ADD_SEALS, F_SEAL_SHRINK), EPERM);
	CHECK_EQ(fcntl(fd, F_GET_SEALS), F_SEAL_WRITE | F_SEAL_SEAL);
	return 0;
}

static int future_write_seal(void)
{
	int fd = mfd("future", MFD_ALLOW_SEALING);
	char *w, c = 0;

	if (!CHECK(fd >= 0) || !CHECK(ftruncate(fd, 4096) == 0))
		return 1;
	w = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	if (!CHECK(w != MAP_FAILED))
		return 1;
	CHECK_EQ(fcntl(fd, F_ADD_SEALS, F_SEAL_FUTURE_WRITE), 0);	/* no EBUSY */
	w[0] = 'a';						/* the old writer still writes */
	CHECK_EQ(pread(fd, &c, 1, 0), 1);
	CHECK_EQ(c, 'a');
	CHECK_ERR(write(fd, "x", 1), EPERM);
	CHECK(mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0) == MAP_FAILED &&
	      errno == EPERM);
	return 0;
}

static int errors_and_exec_seal(void)
{
	char name[300], path[256];
	int fd, reg;
	struct stat st;

	memset(name, 'n', sizeof(name));
	name[299] = 0;
	CHECK_ERR(mfd("x", 0x100), EINVAL);
	CHECK_ERR(mfd(name, 0), EINVAL);
	name[249] = 0;
	fd = mfd(name, 0);					/* 249 bytes: the longest */
	CHECK(fd >= 0);
	CHECK_ERR(mfd(tap_bad_ptr(16), 0), EFAULT);
	tap_tmppath(path, sizeof(path), "memfd-reg");
	reg = open(path, O_RDWR | O_CREAT | O_TRUNC, 0600);
	CHECK(reg >= 0);
	CHECK_ERR(fcntl(reg, F_GET_SEALS), EINVAL);
	CHECK_ERR(fcntl(reg, F_ADD_SEALS, F_SEAL_WRITE), EINVAL);
	unlink(path);
	fd = mfd("seals", MFD_ALLOW_SEALING);
	CHECK_ERR(fcntl(fd, F_ADD_SEALS, 0x1000), EINVAL);
	/* MFD_NOEXEC_SEAL: not executable, and sealed so. */
	fd = mfd("noexec", MFD_NOEXEC_SEAL_);
	if (!CHECK(fd >= 0))
		return 1;
	CHECK_EQ(fstat(fd, &st), 0);
	CHECK_EQ(st.st_mode & 0777, 0666);
	CHECK_EQ(fcntl(fd, F_GET_SEALS), F_SEAL_EXEC_);
	CHECK_ERR(fchmod(fd, 0777), EPERM);
	CHECK_EQ(fchmod(fd, 0600), 0);
	return 0;
}

int main(void)
{
	tap_plan(5);
	run_case("memfd: an anonymous file; without MFD_ALLOW_SEALING, F_SEAL_SEAL", plain_file);
	run_case("F_SEAL_SHRINK and F_SEAL_GROW", size_seals);
	run_case("F_SEAL_WRITE: EBUSY under a writable mapping, then no writer", write_seal);
	run_case("F_SEAL_FUTURE_WRITE: existing mappings write, new writers refused",
		 future_write_seal);
	run_case("memfd errors; MFD_NOEXEC_SEAL", errors_and_exec_seal);
	return tap_done();
}
