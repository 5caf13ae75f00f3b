/*
 * Memory locks (mlock(2), mlockall(2), shmctl(2) SHM_LOCK) and RLIMIT_MEMLOCK: locking faults
 * the pages in and shows in VmLck of /proc/self/status, MLOCK_ONFAULT/MCL_ONFAULT lock without
 * faulting, MCL_FUTURE and MAP_LOCKED lock new mappings, fork does not inherit locks, and an
 * unprivileged process is held to RLIMIT_MEMLOCK (ENOMEM, EAGAIN for mmap, EPERM at 0).
 * The privileged parts run as root; the limits are checked in a child that drops to uid 1000.
 */
#include <tap.h>
#include <sys/syscall.h>
#include <sys/ipc.h>
#include <sys/shm.h>

#define PAGE		4096L
#define UNPRIV_UID	1000

#ifndef MLOCK_ONFAULT
#define MLOCK_ONFAULT	1
#endif
#ifndef MCL_ONFAULT
#define MCL_ONFAULT	4
#endif
#ifndef SHM_LOCK
#define SHM_LOCK	11
#define SHM_UNLOCK	12
#endif
#ifndef SHM_LOCKED
#define SHM_LOCKED	02000
#endif

/* A "Name:   N kB" field of /proc/self/status, in kB; -1 if missing. */
static long status_kb(const char *name)
{
	char buf[4096];
	ssize_t n = tap_read_file("/proc/self/status", buf, sizeof(buf) - 1);
	size_t len = strlen(name);

	if (n <= 0)
		return -1;
	buf[n] = 0;
	for (char *l = buf; l; l = strchr(l, '\n') ? strchr(l, '\n') + 1 : NULL)
		if (!strncmp(l, name, len) && l[len] == ':')
			return atol(l + len + 1);
	return -1;
}

static char *map_anon(long pages, int extra)
{
	char *p = mmap(NULL, pages * PAGE, PROT_READ | PROT_WRITE,
		       MAP_PRIVATE | MAP_ANONYMOUS | extra, -1, 0);

	return p == MAP_FAILED ? NULL : p;
}

static int mlock_faults_in_and_counts(void)
{
	long lck0 = status_kb("VmLck"), rss0 = status_kb("VmRSS");
	char *p = map_anon(64, 0);

	if (!CHECK(p) || !CHECK(lck0 == 0))
		return 1;
	CHECK_EQ(mlock(p, 64 * PAGE), 0);
	CHECK_EQ(status_kb("VmLck"), 256);
	if (!CHECK(status_kb("VmRSS") - rss0 >= 256))	/* every page present */
		tap_diag("VmRSS %ld kB -> %ld kB", rss0, status_kb("VmRSS"));
	/* An unaligned range covers whole pages; locking again counts once. */
	CHECK_EQ(mlock(p + 10, 1), 0);
	CHECK_EQ(status_kb("VmLck"), 256);
	/* Unlocking the middle leaves two locked pieces. */
	CHECK_EQ(munlock(p + 16 * PAGE, 16 * PAGE), 0);
	CHECK_EQ(status_kb("VmLck"), 192);
	CHECK_EQ(munlock(p, 64 * PAGE), 0);
	CHECK_EQ(status_kb("VmLck"), 0);
	/* Unmapping a locked range drops its count. */
	CHECK_EQ(mlock(p, 8 * PAGE), 0);
	CHECK_EQ(munmap(p, 4 * PAGE), 0);
	CHECK_EQ(status_kb("VmLck"), 16);
	CHECK_EQ(munmap(p, 64 * PAGE), 0);
	CHECK_EQ(status_kb("VmLck"), 0);
	return 0;
}

static int mlock_errors(void)
{
	char *p = map_anon(4, 0);

	if (!CHECK(p))
		return 1;
	CHECK_EQ(munmap(p + 2 * PAGE, PAGE), 0);
	CHECK_ERR(mlock(p, 4 * PAGE), ENOMEM);		/* a hole in the range */
	CHECK_ERR(munlock(p, 4 * PAGE), ENOMEM);
	CHECK_EQ(status_kb("VmLck"), 0);		/* nothing was locked */
	CHECK_ERR(syscall(SYS_mlock2, p, PAGE, 2), EINVAL);
	CHECK_ERR(mlockall(0), EINVAL);
	CHECK_ERR(mlockall(MCL_ONFAULT), EINVAL);
	CHECK_ERR(mlockall(8 | MCL_CURRENT), EINVAL);
	CHECK_EQ(mlock(p, 0), 0);
	return 0;
}

static int onfault_locks_without_faulting(void)
{
	char *p = map_anon(64, 0);
	long rss0 = status_kb("VmRSS");

	if (!CHECK(p))
		return 1;
	CHECK_EQ(syscall(SYS_mlock2, p, 64 * PAGE, MLOCK_ONFAULT), 0);
	CHECK_EQ(status_kb("VmLck"), 256);
	if (!CHECK(status_kb("VmRSS") - rss0 < 64))
		tap_diag("VmRSS %ld kB -> %ld kB", rss0, status_kb("VmRSS"));
	p[0] = 1;
	CHECK_EQ(munlock(p, 64 * PAGE), 0);
	CHECK_EQ(status_kb("VmLck"), 0);
	return 0;
}

static int mlockall_and_map_locked(void)
{
	char *p;
	long lck, rss0;

	CHECK_EQ(mlockall(MCL_CURRENT | MCL_FUTURE), 0);
	lck = status_kb("VmLck");
	/* Linux leaves its vvar/vdso pages unlocked (VM_PFNMAP, VM_IO): a few pages less. */
	if (!CHECK(lck > 0 && lck <= status_kb("VmSize") && status_kb("VmSize") - lck <= 64))
		tap_diag("VmLck %ld kB, VmSize %ld kB", lck, status_kb("VmSize"));
	/* MCL_FUTURE: a new mapping is locked and present. */
	rss0 = status_kb("VmRSS");
	p = map_anon(32, 0);
	CHECK(p != NULL);
	CHECK_EQ(status_kb("VmLck"), lck + 128);
	CHECK(status_kb("VmRSS") - rss0 >= 128);
	CHECK_EQ(munlockall(), 0);
	CHECK_EQ(status_kb("VmLck"), 0);
	/* After munlockall, new mappings are not locked, unless MAP_LOCKED. */
	CHECK(map_anon(8, 0) != NULL);
	CHECK_EQ(status_kb("VmLck"), 0);
	rss0 = status_kb("VmRSS");
	p = map_anon(16, MAP_LOCKED);
	CHECK(p != NULL);
	CHECK_EQ(status_kb("VmLck"), 64);
	CHECK(status_kb("VmRSS") - rss0 >= 64);
	/* MCL_CURRENT | MCL_ONFAULT locks without faulting. */
	p = map_anon(64, 0);
	rss0 = status_kb("VmRSS");
	CHECK_EQ(mlockall(MCL_CURRENT | MCL_ONFAULT), 0);
	CHECK(status_kb("VmRSS") - rss0 < 64);
	CHECK(status_kb("VmSize") - status_kb("VmLck") <= 64);
	CHECK_EQ(munlockall(), 0);
	return 0;
}

static int fork_does_not_inherit(void)
{
	char *p = map_anon(16, 0);
	int status;
	pid_t pid;

	if (!CHECK(p))
		return 1;
	CHECK_EQ(mlockall(MCL_CURRENT | MCL_FUTURE), 0);
	fflush(NULL);
	pid = fork();
	if (pid == 0) {
		/* Neither the locks nor MCL_FUTURE come along. */
		if (status_kb("VmLck") != 0)
			_exit(1);
		if (!map_anon(4, 0) || status_kb("VmLck") != 0)
			_exit(2);
		_exit(0);
	}
	CHECK(pid > 0 && waitpid(pid, &status, 0) == pid);
	CHECK_EQ(status, 0);
	CHECK(status_kb("VmLck") > 0);
	return 0;
}

/* In a child: drop to an unprivileged uid with RLIMIT_MEMLOCK at @bytes. */
static bool become_unprivileged(rlim_t bytes)
{
	struct rlimit rl = { bytes, bytes };

	return CHECK_EQ(setrlimit(RLIMIT_MEMLOCK, &rl), 0) &&
	       CHECK_EQ(setgid(UNPRIV_UID), 0) && CHECK_EQ(setuid(UNPRIV_UID), 0);
}

static int rlimit_memlock_enforced(void)
{
	char *p = map_anon(32, 0), *q;
	struct rlimit rl = { 0, 0 };

	if (getuid() != 0) {
		tap_diag("needs root to drop to uid %d", UNPRIV_UID);
		return TAP_SKIP_STATUS;
	}
	if (!CHECK(p) || !become_unprivileged(16 * PAGE))
		return 1;
	CHECK_EQ(mlock(p, 16 * PAGE), 0);		/* exactly the limit */
	CHECK_EQ(mlock(p, 8 * PAGE), 0);		/* already locked: counts once */
	CHECK_ERR(mlock(p + 16 * PAGE, PAGE), ENOMEM);	/* one page over */
	CHECK_ERR(syscall(SYS_mlock2, p + 16 * PAGE, PAGE, MLOCK_ONFAULT), ENOMEM);
	errno = 0;
	q = mmap(NULL, PAGE, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS | MAP_LOCKED, -1, 0);
	if (!CHECK(q == MAP_FAILED && errno == EAGAIN))
		tap_diag("MAP_LOCKED past RLIMIT_MEMLOCK: %p, %s", (void *)q, strerror(errno));
	CHECK_ERR(mlockall(MCL_CURRENT), ENOMEM);	/* more is mapped than the limit */
	CHECK_EQ(status_kb("VmLck"), 64);
	CHECK_EQ(munlock(p, 8 * PAGE), 0);
	CHECK_EQ(mlock(p + 16 * PAGE, 8 * PAGE), 0);	/* room again */
	CHECK_EQ(status_kb("VmLck"), 64);
	CHECK_EQ(munlockall(), 0);
	CHECK_EQ(mlockall(MCL_FUTURE), 0);		/* no size to check yet */
	CHECK_EQ(munlockall(), 0);
	/* A limit of 0: no locking at all. */
	CHECK_EQ(setrlimit(RLIMIT_MEMLOCK, &rl), 0);
	CHECK_ERR(mlock(p, PAGE), EPERM);
	CHECK_ERR(mlockall(MCL_FUTURE), EPERM);
	/* The raw call: musl's mmap() turns EPERM into ENOMEM for anonymous mappings. */
	errno = 0;
	q = (char *)syscall(SYS_mmap, NULL, PAGE, PROT_READ,
			    MAP_PRIVATE | MAP_ANONYMOUS | MAP_LOCKED, -1, 0);
	if (!CHECK(q == MAP_FAILED && errno == EPERM))
		tap_diag("MAP_LOCKED at RLIMIT_MEMLOCK 0: %p, %s", (void *)q, strerror(errno));
	CHECK_EQ(munlock(p, PAGE), 0);
	return 0;
}

/* With Linux's default RLIMIT_MEMLOCK (8 MiB), an unprivileged small program can lock itself:
 * its stack counts as what it uses, not as RLIMIT_STACK. */
static int mlockall_unprivileged_default_limit(void)
{
	if (getuid() != 0) {
		tap_diag("needs root to drop to uid %d", UNPRIV_UID);
		return TAP_SKIP_STATUS;
	}
	if (!become_unprivileged(8 << 20))
		return 1;
	if (!CHECK_EQ(mlockall(MCL_CURRENT | MCL_FUTURE), 0))
		tap_diag("VmSize %ld kB", status_kb("VmSize"));
	CHECK(status_kb("VmLck") > 0);
	CHECK_EQ(munlockall(), 0);
	return 0;
}

/* IPC_STAT's shm_perm.mode of segment @id, or -1. */
static long shm_mode(int id)
{
	struct shmid_ds ds;

	return shmctl(id, IPC_STAT, &ds) == 0 ? (long)ds.shm_perm.mode : -1;
}

static int shm_lock_and_unlock(void)
{
	int id = shmget(IPC_PRIVATE, 16 * PAGE, IPC_CREAT | 0666), mine, big;
	int status;
	pid_t pid;

	if (!CHECK(id >= 0))
		return 1;
	CHECK_EQ(shmctl(id, SHM_LOCK, NULL), 0);
	CHECK_EQ(shm_mode(id) & SHM_LOCKED, SHM_LOCKED);
	CHECK_EQ(shmctl(id, SHM_UNLOCK, NULL), 0);
	CHECK_EQ(shm_mode(id) & SHM_LOCKED, 0);
	if (getuid() != 0) {
		shmctl(id, IPC_RMID, NULL);
		tap_diag("the unprivileged half needs root to drop to uid %d", UNPRIV_UID);
		return TAP_SKIP_STATUS;
	}
	fflush(NULL);
	pid = fork();
	if (pid == 0) {
		if (!become_unprivileged(32 * PAGE))
			_exit(1);
		/* Not the owner nor the creator. */
		CHECK_ERR(shmctl(id, SHM_LOCK, NULL), EPERM);
		CHECK_ERR(shmctl(id, SHM_UNLOCK, NULL), EPERM);
		mine = shmget(IPC_PRIVATE, 24 * PAGE, IPC_CREAT | 0600);
		big = shmget(IPC_PRIVATE, 16 * PAGE, IPC_CREAT | 0600);
		if (!CHECK(mine >= 0 && big >= 0))
			_exit(1);
		CHECK_EQ(shmctl(mine, SHM_LOCK, NULL), 0);
		/* 24 + 16 pages locked by this user would pass 32. */
		CHECK_ERR(shmctl(big, SHM_LOCK, NULL), ENOMEM);
		CHECK_EQ(shmctl(mine, SHM_UNLOCK, NULL), 0);
		CHECK_EQ(shmctl(big, SHM_LOCK, NULL), 0);
		/* Destroying a locked segment gives its pages back to the limit. */
		CHECK_EQ(shmctl(big, IPC_RMID, NULL), 0);
		CHECK_EQ(shmctl(mine, SHM_LOCK, NULL), 0);
		CHECK_EQ(shmctl(mine, IPC_RMID, NULL), 0);
		struct rlimit rl = { 0, 0 };

		mine = shmget(IPC_PRIVATE, PAGE, IPC_CREAT | 0600);
		CHECK_EQ(setrlimit(RLIMIT_MEMLOCK, &rl), 0);
		CHECK_ERR(shmctl(mine, SHM_LOCK, NULL), EPERM);
		CHECK_EQ(shmctl(mine, SHM_UNLOCK, NULL), 0);
		shmctl(mine, IPC_RMID, NULL);
		_exit(tap_case_failed ? 1 : 0);
	}
	CHECK(pid > 0 && waitpid(pid, &status, 0) == pid);
	CHECK_EQ(status, 0);
	CHECK_EQ(shmctl(id, IPC_RMID, NULL), 0);
	return 0;
}

int main(void)
{
	tap_plan(8);
	run_case("mlock faults pages in; VmLck counts locked pages exactly",
		 mlock_faults_in_and_counts);
	run_case("mlock/munlock/mlock2/mlockall: Linux's errors", mlock_errors);
	run_case("mlock2(MLOCK_ONFAULT) locks without faulting in", onfault_locks_without_faulting);
	run_case("mlockall(MCL_CURRENT|MCL_FUTURE), munlockall, MAP_LOCKED, MCL_ONFAULT",
		 mlockall_and_map_locked);
	run_case("fork inherits neither locks nor MCL_FUTURE", fork_does_not_inherit);
	run_case("RLIMIT_MEMLOCK: ENOMEM past it, EAGAIN for MAP_LOCKED, EPERM at 0",
		 rlimit_memlock_enforced);
	run_case("mlockall by an unprivileged program within the default 8 MiB RLIMIT_MEMLOCK",
		 mlockall_unprivileged_default_limit);
	run_case("SHM_LOCK/SHM_UNLOCK: SHM_LOCKED, owner only, RLIMIT_MEMLOCK per user",
		 shm_lock_and_unlock);
	return tap_done();
}
