/*
 * Shared memory between processes: MAP_SHARED|MAP_ANONYMOUS inherited across fork, MAP_SHARED of
 * a tmpfs file (stores and write(2) meet), POSIX shm_open in /dev/shm, and System V segments --
 * shmget keys and errors, shmat address rules and SHM_RDONLY, attachments inherited by fork and
 * dropped at exit and exec, IPC_STAT counters, IPC_RMID keeping the segment until its last detach.
 * Process-shared mutexes and semaphores count exactly across processes (through futex).
 */
#define _GNU_SOURCE
#include <tap.h>
#include <pthread.h>
#include <semaphore.h>
#include <sys/ipc.h>
#include <sys/shm.h>
#include <sys/syscall.h>
#define FUTEX_WAKE	1

#define PAGE	4096
#define ROUNDS	2000

static char self_path[4200];

static bool child_ok(pid_t pid)
{
	int status = tap_wait_bounded(pid, 50);

	return status >= 0 && WIFEXITED(status) && WEXITSTATUS(status) == 0;
}

static int case_anon_shared(void)
{
	volatile int *p = mmap(NULL, 2 * PAGE, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS,
			       -1, 0);
	pid_t pid;

	if (!CHECK(p != MAP_FAILED))
		return 1;
	p[0] = 1;
	fflush(NULL);
	pid = fork();
	if (pid == 0) {
		p[1] = p[0] + 41;
		p[PAGE / sizeof(int)] = 7;
		_exit(0);
	}
	CHECK(child_ok(pid));
	CHECK_EQ(p[1], 42);
	CHECK_EQ(p[PAGE / sizeof(int)], 7);
	CHECK_EQ(munmap((void *)p, 2 * PAGE), 0);
	return 0;
}

/* MAP_SHARED of a file: a child's store reaches the file; write(2) reaches the mapping. */
static int file_shared(int fd)
{
	char buf[16];
	char *m;
	pid_t pid;

	memset(buf, 0, sizeof(buf));
	for (int i = 0; i < 2; i++) {
		static char zero[PAGE];

		if (!CHECK_EQ(write(fd, zero, PAGE), PAGE))
			return 1;
	}
	m = mmap(NULL, 2 * PAGE, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	if (!CHECK(m != MAP_FAILED))
		return 1;
	fflush(NULL);
	pid = fork();
	if (pid == 0) {
		memcpy(m + PAGE + 10, "child", 5);
		_exit(0);
	}
	CHECK(child_ok(pid));
	CHECK_EQ(pread(fd, buf, 5, PAGE + 10), 5);
	CHECK_EQ(memcmp(buf, "child", 5), 0);
	CHECK_EQ(pwrite(fd, "file", 4, 100), 4);
	CHECK_EQ(memcmp(m + 100, "file", 4), 0);
	CHECK_EQ(munmap(m, 2 * PAGE), 0);
	/* A read-only descriptor cannot back a writable shared mapping. */
	return 0;
}

static int case_file_shared(void)
{
	char path[256];
	int fd, ro;

	tap_tmppath(path, sizeof(path), "shmfile");
	fd = open(path, O_RDWR | O_CREAT | O_TRUNC, 0600);
	if (!CHECK(fd >= 0))
		return 1;
	file_shared(fd);
	ro = open(path, O_RDONLY);
	CHECK(ro >= 0);
	CHECK(mmap(NULL, PAGE, PROT_READ | PROT_WRITE, MAP_SHARED, ro, 0) == MAP_FAILED &&
	      errno == EACCES);
	unlink(path);
	return 0;
}

static int case_shm_open(void)
{
	char name[64];
	int fd;

	snprintf(name, sizeof(name), "/sprout-shm-%d", (int)getpid());
	fd = shm_open(name, O_RDWR | O_CREAT | O_EXCL, 0600);
	if (!CHECK(fd >= 0))
		return 1;
	file_shared(fd);
	CHECK_EQ(shm_unlink(name), 0);
	CHECK(shm_open(name, O_RDWR, 0) == -1 && errno == ENOENT);
	return 0;
}

static long nattch(int id)
{
	struct shmid_ds ds;

	if (shmctl(id, IPC_STAT, &ds) != 0)
		return -errno;
	return (long)ds.shm_nattch;
}

static int case_sysv_fork_exit(void)
{
	int id = shmget(IPC_PRIVATE, 3 * PAGE + 1, IPC_CREAT | 0600);
	struct shmid_ds ds;
	volatile int *p;
	pid_t pid;

	if (!CHECK(id >= 0))
		return 1;
	p = shmat(id, NULL, 0);
	if (!CHECK(p != (void *)-1))
		return 1;
	CHECK_EQ(shmctl(id, IPC_STAT, &ds), 0);
	CHECK_EQ(ds.shm_segsz, 3 * PAGE + 1);
	CHECK_EQ(ds.shm_nattch, 1);
	CHECK_EQ(ds.shm_cpid, getpid());
	CHECK_EQ(ds.shm_perm.mode & 0777, 0600);
	CHECK_EQ(p[3 * PAGE / sizeof(int)], 0);
	fflush(NULL);
	pid = fork();
	if (pid == 0) {
		if (nattch(id) != 2)
			_exit(2);
		p[0] = 1234;
		p[3 * PAGE / sizeof(int)] = 5678;
		_exit(0);
	}
	CHECK(child_ok(pid));
	CHECK_EQ(p[0], 1234);
	CHECK_EQ(p[3 * PAGE / sizeof(int)], 5678);
	CHECK_EQ(nattch(id), 1);	/* the child's exit detached it */
	/* exec drops attachments: the new image sees only ours. */
	fflush(NULL);
	pid = fork();
	if (pid == 0) {
		char arg[32];
		char *argv[] = { self_path, "nattch", arg, NULL };

		snprintf(arg, sizeof(arg), "%d", id);
		execv(self_path, argv);
		_exit(127);
	}
	CHECK(child_ok(pid));
	CHECK_EQ(shmdt((void *)p), 0);
	CHECK_EQ(nattch(id), 0);
	CHECK_EQ(shmctl(id, IPC_RMID, NULL), 0);
	CHECK_EQ(nattch(id), -EINVAL);
	return 0;
}

static int case_sysv_rmid_last_detach(void)
{
	int id = shmget(IPC_PRIVATE, PAGE, IPC_CREAT | 0600);
	struct shmid_ds ds;
	int *p, *q;

	if (!CHECK(id >= 0))
		return 1;
	p = shmat(id, NULL, 0);
	q = shmat(id, NULL, SHM_RDONLY);
	if (!CHECK(p != (void *)-1 && q != (void *)-1))
		return 1;
	*p = 99;
	CHECK_EQ(*q, 99);
	CHECK_EQ(nattch(id), 2);
	CHECK_EQ(shmctl(id, IPC_RMID, NULL), 0);
	/* Still there, marked for destruction, key gone private. */
	CHECK_EQ(shmctl(id, IPC_STAT, &ds), 0);
	CHECK(ds.shm_perm.mode & SHM_DEST);
	CHECK_EQ(ds.shm_perm.__key, IPC_PRIVATE);
	CHECK_EQ(shmdt(p), 0);
	CHECK_EQ(nattch(id), 1);
	CHECK_EQ(*q, 99);
	CHECK_EQ(shmdt(q), 0);
	CHECK_EQ(nattch(id), -EINVAL);
	CHECK(shmat(id, NULL, 0) == (void *)-1 && errno == EINVAL);
	CHECK_ERR(shmdt(q), EINVAL);
	return 0;
}

static int case_sysv_keys_and_addresses(void)
{
	key_t key = 0x5300000 + getpid();
	int id, status;
	char *p, *hint;
	pid_t pid;

	id = shmget(key, PAGE, IPC_CREAT | IPC_EXCL | 0600);
	if (!CHECK(id >= 0))
		return 1;
	CHECK_EQ(shmget(key, PAGE, 0600), id);
	CHECK_EQ(shmget(key, 0, 0), id);
	CHECK_ERR(shmget(key, PAGE, IPC_CREAT | IPC_EXCL | 0600), EEXIST);
	CHECK_ERR(shmget(key, 2 * PAGE, 0600), EINVAL);
	CHECK_ERR(shmget(key + 1, PAGE, 0600), ENOENT);
	CHECK_ERR(shmget(IPC_PRIVATE, 0, IPC_CREAT | 0600), EINVAL);
	CHECK_ERR(shmat(id + 1, NULL, 0), EINVAL);
	/* Address hints: a free, aligned address is used; SHM_RND rounds down. */
	hint = mmap(NULL, 4 * PAGE, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	CHECK(hint != MAP_FAILED);
	munmap(hint, 4 * PAGE);
	CHECK_ERR(shmat(id, hint + 1, 0), EINVAL);
	p = shmat(id, hint + 1, SHM_RND);
	CHECK(p == hint);
	CHECK_ERR(shmat(id, hint, 0), EINVAL);	/* in use */
	CHECK_EQ(shmdt(p), 0);
	/* SHM_RDONLY: a store faults. */
	p = shmat(id, NULL, SHM_RDONLY);
	CHECK(p != (void *)-1);
	fflush(NULL);
	pid = fork();
	if (pid == 0) {
		*(volatile char *)p = 1;
		_exit(0);
	}
	status = tap_wait_bounded(pid, 20);
	CHECK(WIFSIGNALED(status) && WTERMSIG(status) == SIGSEGV);
	CHECK_EQ(shmctl(id, IPC_RMID, NULL), 0);
	CHECK_EQ(shmdt(p), 0);
	CHECK_ERR(shmctl(id, IPC_STAT, &(struct shmid_ds){ 0 }), EINVAL);
	return 0;
}

static bool have_futex(void)
{
	int word = 0;

	return syscall(SYS_futex, &word, FUTEX_WAKE, 1, NULL, NULL, 0) >= 0 || errno != ENOSYS;
}

struct shared_counters {
	pthread_mutex_t mutex;
	sem_t sem;
	long by_mutex, by_sem;
};

static int case_pshared_locks(void)
{
	struct shared_counters *c;
	pthread_mutexattr_t a;
	pid_t pids[2];

	if (!CHECK(have_futex())) {
		tap_diag("futex: ENOSYS");
		return 1;
	}
	c = mmap(NULL, sizeof(*c), PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	if (!CHECK(c != MAP_FAILED))
		return 1;
	pthread_mutexattr_init(&a);
	pthread_mutexattr_setpshared(&a, PTHREAD_PROCESS_SHARED);
	CHECK_EQ(pthread_mutex_init(&c->mutex, &a), 0);
	CHECK_EQ(sem_init(&c->sem, 1, 1), 0);
	fflush(NULL);
	for (int i = 0; i < 2; i++) {
		pids[i] = fork();
		if (pids[i] == 0) {
			for (int n = 0; n < ROUNDS; n++) {
				pthread_mutex_lock(&c->mutex);
				long v = c->by_mutex;

				if (n % 64 == 0)
					sched_yield();
				c->by_mutex = v + 1;
				pthread_mutex_unlock(&c->mutex);
				sem_wait(&c->sem);
				v = c->by_sem;
				if (n % 64 == 32)
					sched_yield();
				c->by_sem = v + 1;
				sem_post(&c->sem);
			}
			_exit(0);
		}
	}
	CHECK(child_ok(pids[0]));
	CHECK(child_ok(pids[1]));
	CHECK_EQ(c->by_mutex, 2 * ROUNDS);
	CHECK_EQ(c->by_sem, 2 * ROUNDS);
	return 0;
}

/* Entry point: the cases, or the exec'd "nattch ID" helper (exit status: nattch). */
int main(int argc, char **argv)
{
	char dir[4096];

	if (argc == 3 && !strcmp(argv[1], "nattch"))
		return nattch(atoi(argv[2])) == 1 ? 0 : 3;
	tap_selfdir(dir, sizeof(dir), argv[0]);
	snprintf(self_path, sizeof(self_path), "%s/shm", dir);
	tap_plan(7);
	run_case("MAP_SHARED|MAP_ANONYMOUS shared across fork", case_anon_shared);
	run_case("MAP_SHARED of a tmpfs file; EACCES read-only", case_file_shared);
	run_case("POSIX shm_open/shm_unlink in /dev/shm", case_shm_open);
	run_case("SysV: visible across fork, detached on exit and exec", case_sysv_fork_exit);
	run_case("SysV: IPC_RMID keeps the segment until the last detach",
		 case_sysv_rmid_last_detach);
	run_case("SysV: keys, errors, address hints, SHM_RDONLY", case_sysv_keys_and_addresses);
	run_case("process-shared mutex and semaphore counters exact", case_pshared_locks);
	return tap_done();
}
