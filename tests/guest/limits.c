#define _GNU_SOURCE
/*
 * Process resources and credentials: setfsuid(2)/setfsgid(2) govern file
 * access, sched_getaffinity(2) names a real thread and writes only the mask.
 */
#include <tap.h>
#include <sched.h>
#include <sys/fsuid.h>
#include <sys/syscall.h>
#include <dirent.h>
#include <mqueue.h>
#include <sys/sem.h>
#include <pthread.h>
#include <poll.h>

#define OTHER_ID	1000

static char path[128];

/* Root's private file is closed to filesystem uid 1000 and open again at 0;
 * new files belong to the filesystem ids; set*uid resets them to the effective ids.
 * The files live in a world-writable directory reached through a descriptor,
 * so that only their own modes decide (the temporary directory may be 0700). */
static int case_setfsuid(void)
{
	struct stat st;
	int fd, dfd;

	tap_tmppath(path, sizeof(path), "fsuid");
	/* Left over from an earlier run with the same pid (a fresh pid namespace). */
	for (int i = 0; i < 2; i++) {
		char old[sizeof(path) + 16];

		snprintf(old, sizeof(old), "%s/%s", path, i ? "made" : "secret");
		unlink(old);
	}
	unlink(path);
	rmdir(path);
	CHECK_EQ(mkdir(path, 0777), 0);
	CHECK_EQ(chmod(path, 0777), 0);			/* whatever the umask */
	dfd = open(path, O_RDONLY | O_DIRECTORY);
	CHECK(dfd >= 0);
	fd = openat(dfd, "secret", O_CREAT | O_WRONLY | O_TRUNC, 0600);
	CHECK(fd >= 0);
	CHECK_EQ(fchown(fd, 0, 0), 0);
	close(fd);
	CHECK_EQ(setfsuid(OTHER_ID), 0);		/* returns the previous fsuid */
	CHECK_EQ(setfsuid(-1), OTHER_ID);		/* -1 only reads it */
	CHECK_EQ(getuid(), 0);
	CHECK_EQ(geteuid(), 0);
	CHECK_ERR(openat(dfd, "secret", O_RDONLY), EACCES);
	CHECK_EQ(setfsgid(OTHER_ID), 0);
	fd = openat(dfd, "made", O_CREAT | O_WRONLY, 0644);
	CHECK(fd >= 0);
	CHECK_EQ(fstat(fd, &st), 0);
	CHECK_EQ(st.st_uid, OTHER_ID);
	CHECK_EQ(st.st_gid, OTHER_ID);
	close(fd);
	CHECK_EQ(setfsuid(0), OTHER_ID);
	fd = openat(dfd, "secret", O_RDONLY);
	CHECK(fd >= 0);
	close(fd);
	/* setresuid, even changing nothing, makes the fsuid the euid again. */
	CHECK_EQ(setfsuid(OTHER_ID), 0);
	CHECK_EQ(setresuid(-1, 0, -1), 0);
	CHECK_EQ(setfsuid(-1), 0);
	CHECK_EQ(setfsgid(-1), OTHER_ID);
	CHECK_EQ(setresgid(-1, 0, -1), 0);
	CHECK_EQ(setfsgid(-1), 0);
	CHECK_EQ(unlinkat(dfd, "made", 0), 0);

	/* Unprivileged: only one of the real, effective, saved or filesystem ids. */
	pid_t pid = fork();

	if (pid == 0) {
		if (setresgid(OTHER_ID, OTHER_ID, OTHER_ID) || setresuid(OTHER_ID, OTHER_ID, OTHER_ID))
			_exit(2);
		CHECK_EQ(setfsuid(0), OTHER_ID);
		CHECK_EQ(setfsuid(-1), OTHER_ID);
		CHECK_EQ(setfsgid(0), OTHER_ID);
		CHECK_EQ(setfsgid(-1), OTHER_ID);
		CHECK_ERR(openat(dfd, "secret", O_RDONLY), EACCES);
		_exit(tap_case_failed ? 1 : 0);
	}
	int status;

	CHECK_EQ(waitpid(pid, &status, 0), pid);
	CHECK(WIFEXITED(status) && WEXITSTATUS(status) == 0);
	CHECK_EQ(unlinkat(dfd, "secret", 0), 0);
	close(dfd);
	CHECK_EQ(rmdir(path), 0);
	return 0;
}

static long getaffinity(pid_t pid, size_t len, void *mask)
{
	return syscall(SYS_sched_getaffinity, pid, len, mask);
}

/* Publishes its thread id in *@arg, then waits until it reads -1 there. */
static void *tid_thread(void *arg)
{
	pid_t *tid = arg;

	__atomic_store_n(tid, (pid_t)syscall(SYS_gettid), __ATOMIC_RELEASE);
	while (__atomic_load_n(tid, __ATOMIC_ACQUIRE) != -1)
		tap_sleep_ms(1);
	return NULL;
}

/* The mask of a real thread only; the return value is the bytes written, the
 * rest of the caller's buffer is untouched; a short or odd length is EINVAL. */
static int case_getaffinity(void)
{
	unsigned char buf[128];
	long n;
	int bits = 0;
	pid_t child, gone;

	memset(buf, 0xaa, sizeof(buf));
	n = getaffinity(0, sizeof(buf), buf);
	CHECK(n >= 8 && n <= (long)sizeof(buf) && n % 8 == 0);
	if (n < 8 || n > (long)sizeof(buf))
		return 1;
	for (long i = n; i < (long)sizeof(buf); i++)
		CHECK_EQ(buf[i], 0xaa);
	for (long i = 0; i < n * 8; i++)
		bits += (buf[i / 8] >> (i % 8)) & 1;
	CHECK(bits >= 1);
	CHECK_EQ(getaffinity(getpid(), sizeof(buf), buf), n);
	CHECK_EQ(getaffinity(0, 8, buf), 8);
	CHECK_ERR(getaffinity(0, 0, buf), EINVAL);
	CHECK_ERR(getaffinity(0, 12, buf), EINVAL);
	CHECK_ERR(getaffinity(0, sizeof(buf), tap_bad_ptr(0xffff800000000000UL)), EFAULT);

	child = fork();
	if (child == 0) {
		pause();
		_exit(0);
	}
	CHECK_EQ(getaffinity(child, sizeof(buf), buf), n);
	kill(child, SIGKILL);
	waitpid(child, NULL, 0);
	gone = fork();
	if (gone == 0)
		_exit(0);
	waitpid(gone, NULL, 0);
	CHECK_ERR(getaffinity(gone, sizeof(buf), buf), ESRCH);
	CHECK_ERR(getaffinity(-5, sizeof(buf), buf), ESRCH);
	/* A thread's own id names it too. */
	pthread_t th;
	pid_t tid = 0;

	CHECK_EQ(pthread_create(&th, NULL, tid_thread, &tid), 0);
	while (!__atomic_load_n(&tid, __ATOMIC_ACQUIRE))
		tap_sleep_ms(1);
	CHECK_EQ(getaffinity(tid, sizeof(buf), buf), n);
	__atomic_store_n(&tid, -1, __ATOMIC_RELEASE);
	CHECK_EQ(pthread_join(th, NULL), 0);
	return 0;
}

#define NPROC_UID	54321	/* a user nothing else runs as */
#define NPROC_LIMIT	40
#define NPROC_WORKERS	4

/* A worker waits at the start gate (@gate[0] reaches end of file once every
 * copy of @gate[1] is closed), then forks sleeping children until fork
 * fails; writes how many, and the errno, to @fd. */
static void nproc_worker(const int gate[2], int fd)
{
	int n = 0;
	char c;

	close(gate[1]);
	/* A gate that fails is still reported (errno 0 counts as bad), so
	 * that the leader never waits for this worker in vain. */
	errno = 0;
	if (read(gate[0], &c, 1) == 0) {
		for (;;) {
			pid_t pid = fork();

			if (pid == 0) {
				for (;;)
					pause();
			}
			if (pid < 0)
				break;
			n++;
		}
	}
	int msg[2] = { n, errno };	/* one write: atomic on a pipe */

	if (write(fd, msg, sizeof(msg)) != sizeof(msg))
		_exit(1);
	for (;;)
		pause();
}

/* Forks racing on every CPU never take a user past RLIMIT_NPROC (each new
 * process is counted before the check): exactly the limit is reached.
 * Every worker exists before any of them forks (the start gate): a worker
 * already racing could otherwise use up the limit before the leader has
 * made the next worker, whose report the leader would then wait for forever. */
static int case_nproc_race(void)
{
	int p[2], st;
	pid_t leader;

	CHECK_EQ(pipe(p), 0);
	leader = fork();
	if (leader == 0) {
		struct rlimit rl = { NPROC_LIMIT, NPROC_LIMIT };
		int total, bad;

		close(p[0]);
		setpgid(0, 0);
		if (setrlimit(RLIMIT_NPROC, &rl) != 0 || setresgid(NPROC_UID, NPROC_UID, NPROC_UID) ||
		    setresuid(NPROC_UID, NPROC_UID, NPROC_UID))
			_exit(2);
		int q[2], gate[2], workers = 0;

		if (pipe(q) != 0 || pipe(gate) != 0)
			_exit(3);
		for (int i = 0; i < NPROC_WORKERS; i++) {
			pid_t w = fork();

			if (w == 0)
				nproc_worker(gate, q[1]);
			workers += w > 0;
		}
		close(gate[1]);		/* open the gate: all workers race now */
		total = 1 + workers;
		bad = NPROC_WORKERS - workers;	/* a worker fork failed: a failure, not a hang */
		for (int i = 0; i < workers; i++) {
			int msg[2];

			if (read(q[0], msg, sizeof(msg)) != sizeof(msg)) {
				bad++;
				break;
			}
			total += msg[0];
			bad += msg[1] != EAGAIN;
		}
		/* Whatever happened, the whole group goes (workers and their
		 * children, who hold @p too): the case reads what was written. */
		if (write(p[1], &total, sizeof(total)) == sizeof(total))
			write(p[1], &bad, sizeof(bad));
		kill(0, SIGKILL);
		_exit(6);
	}
	close(p[1]);
	int total = -1, bad = -1;

	CHECK_EQ(read(p[0], &total, sizeof(total)), (ssize_t)sizeof(total));
	CHECK_EQ(read(p[0], &bad, sizeof(bad)), (ssize_t)sizeof(bad));
	CHECK_EQ(total, NPROC_LIMIT);
	CHECK_EQ(bad, 0);		/* every worker stopped at EAGAIN */
	CHECK_EQ(waitpid(leader, &st, 0), leader);
	CHECK(WIFSIGNALED(st) && WTERMSIG(st) == SIGKILL);
	return 0;
}

/* Root is exempt from RLIMIT_NPROC by its real uid or by its effective uid
 * (Linux: the initial user, or CAP_SYS_RESOURCE); others are not. */
static int case_nproc_exempt(void)
{
	static const uid_t ids[][2] = { { 0, NPROC_UID }, { NPROC_UID, 0 }, { NPROC_UID, NPROC_UID } };

	for (int i = 0; i < 3; i++) {
		int st;
		pid_t pid = fork();

		if (pid == 0) {
			struct rlimit one = { 1, 1 };

			if (setrlimit(RLIMIT_NPROC, &one) || setresuid(ids[i][0], ids[i][1], 0))
				_exit(2);
			pid_t c = fork();

			if (c == 0)
				_exit(0);
			if (c > 0)
				waitpid(c, NULL, 0);
			_exit(c > 0 ? 0 : errno == EAGAIN ? 1 : 3);
		}
		CHECK_EQ(waitpid(pid, &st, 0), pid);
		CHECK(WIFEXITED(st));
		CHECK_EQ(WEXITSTATUS(st), i < 2 ? 0 : 1);
	}
	return 0;
}

/* fs.nr_open: Linux's file, or its default where the file is missing. */
static long nr_open(void)
{
	char buf[32];

	if (tap_read_file("/proc/sys/fs/nr_open", buf, sizeof(buf)) > 0)
		return atol(buf);
	return 1048576;
}

static bool fd_listed(int fd)
{
	char name[16];
	struct dirent *d;
	DIR *dir = opendir("/proc/self/fd");
	bool found = false;

	snprintf(name, sizeof(name), "%d", fd);
	while (dir && (d = readdir(dir)))
		if (!strcmp(d->d_name, name))
			found = true;
	if (dir)
		closedir(dir);
	return found;
}

/* The descriptor table grows past 1024 up to RLIMIT_NOFILE, itself bounded by fs.nr_open. */
static int case_nofile_grow(void)
{
	long max = nr_open();
	struct rlimit rl = { (rlim_t)max, (rlim_t)max }, small = { 1024, 1024 }, got;
	struct pollfd *pfd;
	char link[64], target[64];
	int first, last, st, mid;

	for (int fd = 3; fd < 4096; fd++)	/* whatever the caller left open */
		close(fd);
	CHECK(max >= 1048576);
	rl.rlim_cur = rl.rlim_max = (rlim_t)max + 1;
	CHECK_ERR(setrlimit(RLIMIT_NOFILE, &rl), EPERM);
	rl.rlim_cur = rl.rlim_max = (rlim_t)max;
	if (setrlimit(RLIMIT_NOFILE, &rl) != 0 && !tap_on_sprout() && errno == EPERM) {
		/* A Linux container without CAP_SYS_RESOURCE: up to its hard limit. */
		CHECK_EQ(getrlimit(RLIMIT_NOFILE, &got), 0);
		tap_diag("cannot raise RLIMIT_NOFILE here: testing up to %ld", (long)got.rlim_max);
		max = (long)got.rlim_max;
		rl.rlim_cur = rl.rlim_max = got.rlim_max;
		CHECK(max > 4096);
	}
	CHECK_EQ(setrlimit(RLIMIT_NOFILE, &rl), 0);
	CHECK_EQ(getrlimit(RLIMIT_NOFILE, &got), 0);
	CHECK_EQ(got.rlim_cur, (rlim_t)max);
	/* The highest descriptor there is, and one in the middle. */
	mid = (int)(max / 2);
	CHECK_EQ(dup2(0, (int)max - 1), max - 1);
	CHECK_EQ(fcntl(0, F_DUPFD_CLOEXEC, mid), mid);
	CHECK_EQ(fcntl(mid, F_GETFD), FD_CLOEXEC);
	CHECK_ERR(dup2(0, (int)max), EBADF);
	CHECK_ERR(fcntl(0, F_DUPFD, max), EINVAL);
	CHECK(fd_listed((int)max - 1));
	snprintf(link, sizeof(link), "/proc/self/fd/%ld", max - 1);
	CHECK(readlink(link, target, sizeof(target)) > 0);
	/* Lowest free first: 3000 more descriptors, in order. */
	first = dup(0);
	CHECK(first >= 3 && first < 64);
	last = first;
	for (int i = 0; i < 3000; i++)
		last = dup(0);
	CHECK_EQ(last, first + 3000);
	/* poll takes as many entries as RLIMIT_NOFILE allows. */
	pfd = calloc(2000, sizeof(*pfd));
	for (int i = 0; pfd && i < 2000; i++) {
		pfd[i].fd = first + i;
		pfd[i].events = 0;
	}
	CHECK(pfd != NULL);
	CHECK_EQ(poll(pfd, 2000, 0), 0);
	/* A child gets every descriptor, the high ones too. */
	pid_t pid = fork();

	if (pid == 0)
		_exit(fcntl((int)max - 1, F_GETFD) == 0 && fcntl(mid, F_GETFD) == FD_CLOEXEC &&
		      fcntl(last, F_GETFD) == 0 ? 0 : 1);
	CHECK_EQ(waitpid(pid, &st, 0), pid);
	CHECK(WIFEXITED(st) && WEXITSTATUS(st) == 0);
	/* Lowered again: descriptors above stay, new ones stop at the limit. */
	CHECK_EQ(setrlimit(RLIMIT_NOFILE, &small), 0);
	CHECK_ERR(dup(0), EMFILE);
	CHECK_ERR(dup2(0, 1024), EBADF);
	CHECK_ERR(poll(pfd, 2000, 0), EINVAL);
	CHECK_EQ(close((int)max - 1), 0);
	CHECK_EQ(close(mid), 0);
	CHECK_ERR(close(mid), EBADF);
	free(pfd);
	return 0;
}

/* select(2) past FD_SETSIZE: a pipe's read end at descriptor 1500 is seen
 * ready through a 1501-bit set (the kernel takes any size up to the table's). */
static int case_select_high(void)
{
	struct rlimit rl = { 2048, 2048 };
	unsigned long long rd[24], wr[24];	/* 1536 bits */
	struct timeval tv = { 5, 0 };
	int p[2];

	CHECK_EQ(setrlimit(RLIMIT_NOFILE, &rl), 0);
	CHECK_EQ(pipe(p), 0);
	CHECK_EQ(dup2(p[0], 1500), 1500);
	CHECK_EQ(dup2(p[1], 1200), 1200);
	memset(rd, 0, sizeof(rd));
	memset(wr, 0, sizeof(wr));
	rd[1500 / 64] = 1ULL << (1500 % 64);
	wr[1200 / 64] = 1ULL << (1200 % 64);
	/* Writable at once, not yet readable. */
	CHECK_EQ(syscall(SYS_select, 1501, rd, wr, NULL, &tv), 1);
	CHECK_EQ(rd[1500 / 64], 0);
	CHECK_EQ(wr[1200 / 64], 1ULL << (1200 % 64));
	CHECK_EQ(write(1200, "x", 1), 1);
	rd[1500 / 64] = 1ULL << (1500 % 64);
	CHECK_EQ(syscall(SYS_select, 1501, rd, NULL, NULL, &tv), 1);
	CHECK_EQ(rd[1500 / 64], 1ULL << (1500 % 64));
	close(1500);
	rd[1500 / 64] = 1ULL << (1500 % 64);
	CHECK_ERR(syscall(SYS_select, 1501, rd, NULL, NULL, &tv), EBADF);
	return 0;
}

#define MQ_UID		54322	/* a user with no message queues */

/* RLIMIT_MSGQUEUE is the caller's limit, not a constant: with it at 0 no
 * queue; at 200000 bytes two default queues (about 82 KB each), not three. */
static int case_msgqueue(void)
{
	struct rlimit zero = { 0, 0 }, some = { 200000, 200000 };
	char name[3][64];
	mqd_t q[3];
	int st;
	pid_t pid = fork();

	if (pid == 0) {
		for (int i = 0; i < 3; i++)
			snprintf(name[i], sizeof(name[i]), "/sprout-limits-%d-%d", (int)getpid(), i);
		if (setrlimit(RLIMIT_MSGQUEUE, &some) || setresgid(MQ_UID, MQ_UID, MQ_UID) ||
		    setresuid(MQ_UID, MQ_UID, MQ_UID))
			_exit(2);
		q[0] = mq_open(name[0], O_CREAT | O_RDWR, 0600, NULL);
		q[1] = mq_open(name[1], O_CREAT | O_RDWR, 0600, NULL);
		CHECK(q[0] != (mqd_t)-1);
		CHECK(q[1] != (mqd_t)-1);
		CHECK_ERR(mq_open(name[2], O_CREAT | O_RDWR, 0600, NULL), EMFILE);
		/* The charge goes with the queue: room for one again. */
		CHECK_EQ(mq_close(q[1]), 0);
		CHECK_EQ(mq_unlink(name[1]), 0);
		q[2] = mq_open(name[2], O_CREAT | O_RDWR, 0600, NULL);
		CHECK(q[2] != (mqd_t)-1);
		CHECK_EQ(setrlimit(RLIMIT_MSGQUEUE, &zero), 0);
		CHECK_ERR(mq_open(name[1], O_CREAT | O_RDWR, 0600, NULL), EMFILE);
		mq_unlink(name[0]);
		mq_unlink(name[2]);
		_exit(tap_case_failed ? 1 : 0);
	}
	CHECK_EQ(waitpid(pid, &st, 0), pid);
	CHECK(WIFEXITED(st) && WEXITSTATUS(st) == 0);
	return 0;
}

/* A process that takes one unit of semaphore @id with SEM_UNDO and exits,
 * created by clone with @flags (CLONE_SYSVSEM or not). Returns its status. */
static int undo_child(int id, unsigned long flags)
{
	struct sembuf up = { 0, 1, SEM_UNDO };
	int st = -1;
	long pid = syscall(SYS_clone, flags | SIGCHLD, 0, 0, 0, 0);

	if (pid == 0)
		syscall(SYS_exit, semop(id, &up, 1) == 0 ? 0 : 1);
	if (pid > 0)
		waitpid((pid_t)pid, &st, 0);
	return st;
}

/* CLONE_SYSVSEM shares the SEM_UNDO list: a child's adjustment waits for
 * the last sharer's exit. Without it the child's exit undoes at once.
 * CLONE_IO is accepted (there is no I/O context to share). */
static int case_clone_sysvsem(void)
{
	int id = semget(IPC_PRIVATE, 1, 0600), st;

	CHECK(id >= 0);
	if (id < 0)
		return 1;
	st = undo_child(id, 0);
	CHECK(WIFEXITED(st) && WEXITSTATUS(st) == 0);
	CHECK_EQ(semctl(id, 0, GETVAL), 0);		/* undone at its exit */

	pid_t holder = fork();

	if (holder == 0) {
		int s = undo_child(id, CLONE_SYSVSEM);

		/* The list is ours too: nothing undone yet. */
		_exit(WIFEXITED(s) && WEXITSTATUS(s) == 0 && semctl(id, 0, GETVAL) == 1 ? 0 : 1);
	}
	CHECK_EQ(waitpid(holder, &st, 0), holder);
	CHECK(WIFEXITED(st) && WEXITSTATUS(st) == 0);
	CHECK_EQ(semctl(id, 0, GETVAL), 0);		/* undone when the holder exited */

	st = undo_child(id, CLONE_IO);
	CHECK(WIFEXITED(st) && WEXITSTATUS(st) == 0);
	CHECK_EQ(semctl(id, 0, GETVAL), 0);
	CHECK_EQ(semctl(id, 0, IPC_RMID), 0);
	return 0;
}

int main(void)
{
	tap_plan(8);
	run_case("setfsuid/setfsgid: file access and new owners follow them", case_setfsuid);
	run_case("sched_getaffinity: a real pid, only the mask bytes written", case_getaffinity);
	run_case("RLIMIT_NPROC: racing forks reach the limit and never pass it", case_nproc_race);
	run_case("RLIMIT_NPROC: root's real or effective uid is exempt", case_nproc_exempt);
	run_case("RLIMIT_NOFILE: the table grows to fs.nr_open", case_nofile_grow);
	run_case("select sees descriptors past 1024", case_select_high);
	run_case("RLIMIT_MSGQUEUE: the caller's limit bounds its queues", case_msgqueue);
	run_case("clone(CLONE_SYSVSEM) shares SEM_UNDO; CLONE_IO is accepted", case_clone_sysvsem);
	return tap_done();
}
