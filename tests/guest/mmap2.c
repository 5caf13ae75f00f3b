/*
 * What a mapping may become and what backs it: mprotect(2) refuses (EACCES) the write right to a
 * shared mapping of a file opened read-only -- for root and for a uid 1000 process mapping a
 * root-owned 0644 file -- and to a SHM_RDONLY attachment, and the exec right on a noexec mount;
 * shared anonymous memory is filled lazily (PROT_READ and PROT_NONE mappings, read-only
 * MAP_POPULATE, 1 GiB on a machine with less, shared with a forked child, all its pages back
 * after munmap); MAP_SHARED of /dev/zero is shared anonymous memory; a truncated mapped file
 * raises SIGBUS (BUS_ADRERR) past its new end in every process that maps it, shared or private.
 */
#define _GNU_SOURCE
#include <tap.h>
#include <setjmp.h>
#include <sys/ipc.h>
#include <sys/mount.h>
#include <sys/shm.h>

#define PAGE		4096UL
#define GIB		(1UL << 30)

static const char original[] = "root's file, not to be changed\n";

/* Free memory in bytes as sysinfo(2) reports it. */
static unsigned long long free_bytes(void)
{
	struct sysinfo si;

	if (sysinfo(&si) != 0)
		return 0;
	return (unsigned long long)si.freeram * (si.mem_unit ? si.mem_unit : 1);
}

static bool child_ok(pid_t pid)
{
	int status = tap_wait_bounded(pid, 50);

	if (status >= 0 && WIFEXITED(status) && WEXITSTATUS(status) == 0)
		return true;
	tap_diag("child status %#x", status);
	return false;
}

/* Make a root-owned 0644 file at path with the original text. */
static bool make_root_file(const char *path)
{
	unlink(path);
	if (!CHECK(tap_write_file(path, original, sizeof(original) - 1, 0644) == 0))
		return false;
	return CHECK(chmod(path, 0644) == 0) && CHECK(chown(path, 0, 0) == 0);
}

static bool file_is_original(const char *path)
{
	char buf[256];

	return CHECK_EQ(tap_read_file(path, buf, sizeof(buf)), sizeof(original) - 1) &&
	       CHECK(memcmp(buf, original, sizeof(original) - 1) == 0);
}

/* Map path read-only and shared from an O_RDONLY descriptor, then try to make it writable: the
 * try must fail with EACCES. If it wrongly succeeds, write through it (the file then shows it). */
static bool try_write_readonly_mapping(const char *path)
{
	int fd = open(path, O_RDONLY);
	char *p;
	bool ok = true;

	if (!CHECK(fd >= 0))
		return false;
	p = mmap(NULL, PAGE, PROT_READ, MAP_SHARED, fd, 0);
	if (!CHECK(p != MAP_FAILED))
		return false;
	ok &= CHECK(p[0] == original[0]);
	CHECK_ERR(mmap(NULL, PAGE, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0), EACCES);
	errno = 0;
	if (mprotect(p, PAGE, PROT_READ | PROT_WRITE) == 0) {
		memcpy(p, "HACKED", 6);
		msync(p, PAGE, MS_SYNC);
		ok = CHECK(!"mprotect(PROT_WRITE) of a read-only shared mapping succeeded");
	} else {
		ok &= CHECK_EQ(errno, EACCES);
	}
	/* Read and exec rights stay within what the open allows. */
	ok &= CHECK(mprotect(p, PAGE, PROT_READ) == 0);
	ok &= CHECK(mprotect(p, PAGE, PROT_NONE) == 0);
	ok &= CHECK(mprotect(p, PAGE, PROT_READ) == 0);
	ok &= CHECK(p[0] == original[0]);
	munmap(p, PAGE);
	close(fd);
	return ok;
}

static int case_mprotect_readonly_shared_root(void)
{
	char path[128];
	bool ok;

	tap_tmppath(path, sizeof(path), "mmap2-ro");
	if (!make_root_file(path))
		return 1;
	ok = try_write_readonly_mapping(path);
	ok &= file_is_original(path);
	unlink(path);
	return ok ? 0 : 1;
}

static int case_mprotect_readonly_shared_uid1000(void)
{
	char path[128];
	pid_t pid;
	bool ok = true;

	tap_tmppath(path, sizeof(path), "mmap2-uid");
	if (!make_root_file(path))
		return 1;
	fflush(NULL);
	pid = fork();
	if (pid == 0) {
		if (setgid(1000) != 0 || setuid(1000) != 0 || geteuid() != 1000)
			_exit(2);
		/* The open itself may not write; the mapping must not either. */
		if (open(path, O_RDWR) >= 0 || errno != EACCES)
			_exit(3);
		_exit(try_write_readonly_mapping(path) ? 0 : 1);
	}
	ok &= CHECK(pid > 0) && CHECK(child_ok(pid));
	ok &= file_is_original(path);
	unlink(path);
	return ok ? 0 : 1;
}

/* A private mapping of a read-only descriptor may become writable: the writes are its own. */
static int case_mprotect_readonly_private(void)
{
	char path[128];
	int fd;
	char *p;
	bool ok = true;

	tap_tmppath(path, sizeof(path), "mmap2-priv");
	if (!make_root_file(path))
		return 1;
	fd = open(path, O_RDONLY);
	p = mmap(NULL, PAGE, PROT_READ, MAP_PRIVATE, fd, 0);
	if (!CHECK(fd >= 0) || !CHECK(p != MAP_FAILED))
		return 1;
	ok &= CHECK(mprotect(p, PAGE, PROT_READ | PROT_WRITE) == 0);
	memcpy(p, "mine", 4);
	ok &= CHECK(memcmp(p, "mine", 4) == 0);
	munmap(p, PAGE);
	close(fd);
	ok &= file_is_original(path);
	unlink(path);
	return ok ? 0 : 1;
}

static int case_shm_rdonly_mprotect(void)
{
	int id = shmget(IPC_PRIVATE, PAGE, IPC_CREAT | 0600);
	char *w, *r;
	bool ok = true;

	if (!CHECK(id >= 0))
		return 1;
	w = shmat(id, NULL, 0);
	r = shmat(id, NULL, SHM_RDONLY);
	shmctl(id, IPC_RMID, NULL);
	if (!CHECK(w != (void *)-1) || !CHECK(r != (void *)-1))
		return 1;
	strcpy(w, "segment");
	ok &= CHECK(strcmp(r, "segment") == 0);
	CHECK_ERR(mprotect(r, PAGE, PROT_READ | PROT_WRITE), EACCES);
	ok &= CHECK(mprotect(r, PAGE, PROT_NONE) == 0);
	ok &= CHECK(mprotect(r, PAGE, PROT_READ) == 0);
	ok &= CHECK(strcmp(r, "segment") == 0);
	/* The writable attachment may drop its write right and take it back. */
	ok &= CHECK(mprotect(w, PAGE, PROT_READ) == 0);
	ok &= CHECK(mprotect(w, PAGE, PROT_READ | PROT_WRITE) == 0);
	w[0] = 'S';
	ok &= CHECK(r[0] == 'S');
	shmdt(w);
	shmdt(r);
	return ok ? 0 : 1;
}

/* A file on a noexec mount maps without PROT_EXEC and may never gain it. */
static int case_noexec_mount(void)
{
	char dir[128], path[160];
	void *p;
	int fd;
	bool ok = true;

	tap_tmppath(dir, sizeof(dir), "mmap2-noexec");
	snprintf(path, sizeof(path), "%s/f", dir);
	if (!CHECK(mkdir(dir, 0755) == 0))
		return 1;
	if (!CHECK(mount("tmpfs", dir, "tmpfs", MS_NOEXEC, NULL) == 0)) {
		rmdir(dir);
		return 1;
	}
	ok &= CHECK(tap_write_file(path, original, sizeof(original) - 1, 0755) == 0);
	fd = open(path, O_RDONLY);
	ok &= CHECK(fd >= 0);
	CHECK_ERR(mmap(NULL, PAGE, PROT_READ | PROT_EXEC, MAP_PRIVATE, fd, 0), EPERM);
	p = mmap(NULL, PAGE, PROT_READ, MAP_PRIVATE, fd, 0);
	if (CHECK(p != MAP_FAILED)) {
		CHECK_ERR(mprotect(p, PAGE, PROT_READ | PROT_EXEC), EACCES);
		ok &= CHECK(mprotect(p, PAGE, PROT_READ | PROT_WRITE) == 0);
		munmap(p, PAGE);
	}
	close(fd);
	unlink(path);
	ok &= CHECK(umount(dir) == 0);
	rmdir(dir);
	return ok ? 0 : 1;
}

static bool all_zero(const volatile char *p, size_t len)
{
	for (size_t i = 0; i < len; i++)
		if (p[i])
			return false;
	return true;
}

static int case_shared_anon_readonly(void)
{
	volatile char *r = mmap(NULL, 4 * PAGE, PROT_READ, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	volatile char *n = mmap(NULL, 4 * PAGE, PROT_NONE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	bool ok = true;

	if (!CHECK(r != MAP_FAILED) || !CHECK(n != MAP_FAILED))
		return 1;
	ok &= CHECK(all_zero(r, 4 * PAGE));
	/* PROT_NONE memory becomes usable through mprotect. */
	ok &= CHECK(mprotect((void *)n, 4 * PAGE, PROT_READ | PROT_WRITE) == 0);
	ok &= CHECK(all_zero(n, 4 * PAGE));
	n[PAGE] = 7;
	ok &= CHECK(n[PAGE] == 7);
	/* A read-only shared mapping may become writable: anonymous memory allows it. */
	ok &= CHECK(mprotect((void *)r, PAGE, PROT_READ | PROT_WRITE) == 0);
	r[0] = 1;
	ok &= CHECK(r[0] == 1);
	munmap((void *)r, 4 * PAGE);
	munmap((void *)n, 4 * PAGE);
	return ok ? 0 : 1;
}

static int case_populate_readonly(void)
{
	char path[128];
	volatile char *a, *s, *f;
	int fd;
	bool ok = true;

	a = mmap(NULL, 8 * PAGE, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS | MAP_POPULATE, -1, 0);
	s = mmap(NULL, 8 * PAGE, PROT_READ, MAP_SHARED | MAP_ANONYMOUS | MAP_POPULATE, -1, 0);
	ok &= CHECK(a != MAP_FAILED) && CHECK(all_zero(a, 8 * PAGE));
	ok &= CHECK(s != MAP_FAILED) && CHECK(all_zero(s, 8 * PAGE));
	ok &= CHECK(mmap(NULL, PAGE, PROT_NONE, MAP_SHARED | MAP_ANONYMOUS | MAP_POPULATE, -1, 0) !=
		    MAP_FAILED);
	/* A read-only shared file mapping, populated, longer than the file. */
	tap_tmppath(path, sizeof(path), "mmap2-pop");
	if (!make_root_file(path))
		return 1;
	fd = open(path, O_RDONLY);
	f = mmap(NULL, 4 * PAGE, PROT_READ, MAP_SHARED | MAP_POPULATE, fd, 0);
	if (CHECK(fd >= 0) && CHECK(f != MAP_FAILED))
		ok &= CHECK(memcmp((const char *)f, original, sizeof(original) - 1) == 0);
	close(fd);
	unlink(path);
	return ok ? 0 : 1;
}

/* Map 1 GiB of shared anonymous memory, touch pages across it, and have a child see the parent's
 * writes and the parent the child's. Returns true if all of it worked. */
static bool big_shared_round(void)
{
	volatile unsigned char *p = mmap(NULL, GIB, PROT_READ | PROT_WRITE,
					 MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	const size_t offs[] = { 0, PAGE, GIB / 2, GIB / 2 + 123, GIB - PAGE, GIB - 1 };
	const size_t n = sizeof(offs) / sizeof(offs[0]);
	bool ok = true;
	pid_t pid;

	if (!CHECK(p != MAP_FAILED))
		return false;
	for (size_t i = 0; i < n; i++) {
		ok &= CHECK(p[offs[i]] == 0);
		p[offs[i]] = (unsigned char)(i + 1);
	}
	fflush(NULL);
	pid = fork();
	if (pid == 0) {
		for (size_t i = 0; i < n; i++) {
			if (p[offs[i]] != i + 1)
				_exit(1);
			p[offs[i]] = (unsigned char)(0x80 + i);
		}
		p[GIB / 4] = 0x55;	/* a page the parent never touched */
		_exit(0);
	}
	ok &= CHECK(pid > 0) && CHECK(child_ok(pid));
	for (size_t i = 0; i < n; i++)
		ok &= CHECK_EQ(p[offs[i]], 0x80 + i);
	ok &= CHECK_EQ(p[GIB / 4], 0x55);
	ok &= CHECK(munmap((void *)p, GIB) == 0);
	return ok;
}

static int case_shared_anon_1gib(void)
{
	unsigned long long before, after;
	bool ok;

	/* The first round warms up the kernel's caches; the second must give back every page. */
	if (!big_shared_round())
		return 1;
	before = free_bytes();
	ok = big_shared_round();
	after = free_bytes();
	if (tap_on_sprout() && before != after) {
		tap_diag("free memory %llu before, %llu after (%lld pages)", before, after,
			 ((long long)after - (long long)before) / (long long)PAGE);
		ok = false;
	}
	return ok ? 0 : 1;
}

static int case_dev_zero_shared(void)
{
	int rw = open("/dev/zero", O_RDWR), ro = open("/dev/zero", O_RDONLY);
	volatile char *p, *q, *v;
	bool ok = true;
	pid_t pid;

	if (!CHECK(rw >= 0) || !CHECK(ro >= 0))
		return 1;
	p = mmap(NULL, 4 * PAGE, PROT_READ | PROT_WRITE, MAP_SHARED, rw, 0);
	if (!CHECK(p != MAP_FAILED))
		return 1;
	ok &= CHECK(all_zero(p, 4 * PAGE));
	p[0] = 1;
	fflush(NULL);
	pid = fork();
	if (pid == 0)
		_exit(p[0] == 1 && (p[3 * PAGE] = 9) == 9 ? 0 : 1);
	ok &= CHECK(pid > 0) && CHECK(child_ok(pid));
	ok &= CHECK_EQ(p[3 * PAGE], 9);
	/* Read-only: shared mapping for reading only, never writable. */
	q = mmap(NULL, 2 * PAGE, PROT_READ, MAP_SHARED, ro, 0);
	ok &= CHECK(q != MAP_FAILED) && CHECK(all_zero(q, 2 * PAGE));
	CHECK_ERR(mmap(NULL, PAGE, PROT_READ | PROT_WRITE, MAP_SHARED, ro, 0), EACCES);
	if (q != MAP_FAILED)
		CHECK_ERR(mprotect((void *)q, PAGE, PROT_READ | PROT_WRITE), EACCES);
	/* Private mappings of /dev/zero are private anonymous memory, writable. */
	v = mmap(NULL, PAGE, PROT_READ | PROT_WRITE, MAP_PRIVATE, ro, 0);
	if (CHECK(v != MAP_FAILED)) {
		ok &= CHECK(v[100] == 0);
		v[100] = 3;
		ok &= CHECK(v[100] == 3);
	}
	close(rw);
	close(ro);
	return ok ? 0 : 1;
}

static sigjmp_buf bus_jmp;
static volatile sig_atomic_t bus_code, bus_armed;
static void *volatile bus_addr;

static void on_sigbus(int sig, siginfo_t *si, void *uc)
{
	(void)uc;
	if (!bus_armed)
		_exit(5);	/* a SIGBUS where none was expected */
	bus_armed = 0;
	bus_code = sig == SIGBUS ? si->si_code : -1;
	bus_addr = si->si_addr;
	siglongjmp(bus_jmp, 1);
}

/* Read *p; true if that raised SIGBUS with BUS_ADRERR at p. */
static bool read_sigbus(volatile char *p)
{
	struct sigaction sa = { .sa_sigaction = on_sigbus, .sa_flags = SA_SIGINFO };

	sigemptyset(&sa.sa_mask);
	sigaction(SIGBUS, &sa, NULL);
	bus_code = 0;
	bus_addr = NULL;
	if (sigsetjmp(bus_jmp, 1) == 0) {
		bus_armed = 1;
		(void)*p;
		bus_armed = 0;
		CHECK(!"no SIGBUS");
		return false;
	}
	if (bus_addr != (void *)p)
		tap_diag("si_addr %p, expected %p", bus_addr, (void *)p);
	return CHECK_EQ(bus_code, BUS_ADRERR) && CHECK(bus_addr == (void *)p);
}

/* A file of @pages pages of 'x', open read-write at *fd. */
static bool make_x_file(const char *path, size_t pages, int *fd)
{
	char buf[PAGE];

	memset(buf, 'x', sizeof(buf));
	*fd = open(path, O_CREAT | O_RDWR | O_TRUNC, 0600);
	if (!CHECK(*fd >= 0))
		return false;
	for (size_t i = 0; i < pages; i++)
		if (!CHECK(write(*fd, buf, PAGE) == (ssize_t)PAGE))
			return false;
	return true;
}

static int truncate_case(int type)
{
	char path[128];
	volatile char *p;
	int fd, ctl[2], ready[2];
	bool ok = true;
	pid_t pid;

	tap_tmppath(path, sizeof(path), "mmap2-trunc");
	if (!make_x_file(path, 3, &fd) || !CHECK(pipe(ctl) == 0) || !CHECK(pipe(ready) == 0))
		return 1;
	p = mmap(NULL, 4 * PAGE, PROT_READ | PROT_WRITE, type, fd, 0);
	if (!CHECK(p != MAP_FAILED))
		return 1;
	/* The fourth page lies wholly past the end from the start. */
	ok &= read_sigbus(p + 3 * PAGE);
	ok &= CHECK(p[0] == 'x' && p[PAGE] == 'x');
	p[2 * PAGE] = 'w';	/* private: a copy of our own; shared: the file's page */
	fflush(NULL);
	/* A child forked now maps the same pages; it must lose them as well. */
	pid = fork();
	if (pid == 0) {
		char c;

		close(ctl[1]);
		if (p[PAGE] != 'x' || p[2 * PAGE] != 'w' || write(ready[1], "r", 1) != 1 ||
		    read(ctl[0], &c, 1) != 1)
			_exit(2);
		_exit(read_sigbus(p + PAGE) && read_sigbus(p + 2 * PAGE) && p[100] == 'x' &&
		      p[PAGE - 1] == 0 ? 0 : 1);
	}
	close(ctl[0]);
	{
		char c;

		ok &= CHECK(read(ready[0], &c, 1) == 1);
	}
	ok &= CHECK(ftruncate(fd, 200) == 0);
	ok &= CHECK(write(ctl[1], "g", 1) == 1);
	ok &= CHECK(pid > 0) && CHECK(child_ok(pid));
	ok &= read_sigbus(p + PAGE);
	ok &= read_sigbus(p + 2 * PAGE);
	ok &= CHECK(p[199] == 'x' && p[200] == 0 && p[PAGE - 1] == 0);
	/* Grown again: the pages come back, as holes. */
	ok &= CHECK(ftruncate(fd, 3 * PAGE) == 0);
	ok &= CHECK(p[2 * PAGE] == 0 && p[PAGE + 5] == 0);
	ok &= read_sigbus(p + 3 * PAGE);
	munmap((void *)p, 4 * PAGE);
	close(fd);
	close(ctl[1]);
	close(ready[0]);
	close(ready[1]);
	unlink(path);
	return ok ? 0 : 1;
}

/* truncate_case() twice: the second round must give back every page it took (on Sprout, where
 * free memory is exact). */
static int truncate_twice(int type)
{
	unsigned long long before, after;
	int rc;

	if (truncate_case(type))
		return 1;
	before = free_bytes();
	rc = truncate_case(type);
	after = free_bytes();
	if (tap_on_sprout() && before != after) {
		tap_diag("free memory %llu before, %llu after (%lld pages)", before, after,
			 ((long long)after - (long long)before) / (long long)PAGE);
		rc = 1;
	}
	return rc;
}

static int case_truncate_shared(void)
{
	return truncate_twice(MAP_SHARED);
}

static int case_truncate_private(void)
{
	return truncate_twice(MAP_PRIVATE);
}

/* Entry point: runs every case and prints TAP. Returns 0 only if all passed. */
int main(void)
{
	tap_plan(11);
	run_case("mprotect(PROT_WRITE) of a read-only MAP_SHARED file is EACCES (root)",
		 case_mprotect_readonly_shared_root);
	run_case("uid 1000 cannot write root's 0644 file through mmap + mprotect",
		 case_mprotect_readonly_shared_uid1000);
	run_case("a MAP_PRIVATE map of a read-only file may become writable, privately",
		 case_mprotect_readonly_private);
	run_case("shmat(SHM_RDONLY) + mprotect(PROT_WRITE) is EACCES", case_shm_rdonly_mprotect);
	run_case("noexec mount: mmap PROT_EXEC is EPERM, mprotect PROT_EXEC EACCES",
		 case_noexec_mount);
	run_case("MAP_SHARED|MAP_ANONYMOUS with PROT_READ and PROT_NONE reads zero",
		 case_shared_anon_readonly);
	run_case("read-only MAP_POPULATE: private, shared anonymous and file",
		 case_populate_readonly);
	run_case("1 GiB of shared anonymous memory, shared with a child, all pages back",
		 case_shared_anon_1gib);
	run_case("MAP_SHARED of /dev/zero, read-write and read-only", case_dev_zero_shared);
	run_case("truncating a MAP_SHARED file: SIGBUS BUS_ADRERR past the new end, no leak",
		 case_truncate_shared);
	run_case("truncating a MAP_PRIVATE file: SIGBUS BUS_ADRERR past the new end, no leak",
		 case_truncate_private);
	return tap_done();
}
