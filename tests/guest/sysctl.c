/*
 * /proc/sys (proc_sys_kernel(5), proc_sys_fs(5), proc_sys_vm(5)): every file
 * in Linux's format, write permission for root only, and -- on Sprout only --
 * writes that are checked at write(2) (EINVAL, value unchanged) and honoured:
 * pid_max bounds new pids, threads-max bounds fork, the SysV IPC limits bound
 * msgsnd/msgget/shmget/semget/semop, pipe-max-size and pipe-user-pages-*
 * bound pipes, overcommit_memory decides large private mappings.
 *
 * On Linux the writing cases are skipped: the host's /proc/sys is shared by
 * everything on it, so tests must never change it. The format and permission
 * cases run on both.
 */
#include <tap.h>
#include <sys/ipc.h>
#include <sys/msg.h>
#include <sys/sem.h>
#include <sys/shm.h>

#define OTHER_UID	54321	/* a user no other process runs as */
#define F_SETPIPE_SZ_	1031
#define F_GETPIPE_SZ_	1032

static const char *const int_files[] = {
	"kernel/pid_max", "kernel/threads-max", "kernel/tainted", "kernel/msgmax",
	"kernel/msgmnb", "kernel/msgmni", "kernel/shmmax", "kernel/shmall", "kernel/shmmni",
	"fs/pipe-max-size", "fs/pipe-user-pages-soft", "fs/pipe-user-pages-hard",
	"vm/overcommit_memory", "fs/nr_open", "vm/max_map_count",
};

static void path_of(char *buf, size_t len, const char *name)
{
	snprintf(buf, len, "/proc/sys/%s", name);
}

/* The single unsigned number of a file; false if the format is not "digits\n". */
static bool read_u64(const char *name, unsigned long long *out)
{
	char path[128], buf[64], *end;

	path_of(path, sizeof(path), name);
	if (tap_read_file(path, buf, sizeof(buf)) <= 0)
		return false;
	if (buf[0] < '0' || buf[0] > '9')
		return false;
	errno = 0;
	*out = strtoull(buf, &end, 10);
	return !errno && strcmp(end, "\n") == 0;
}

/* The number of a file that fits a long long; -1 if malformed. */
static long long read_num(const char *name)
{
	unsigned long long v;

	return read_u64(name, &v) && v <= 0x7fffffffffffffffULL ? (long long)v : -1;
}

/* write(2) @text to the file: 0, or the errno of open or write; close must not fail. */
static int write_text(const char *name, const char *text)
{
	char path[128];
	ssize_t n;
	int fd, err = 0;

	path_of(path, sizeof(path), name);
	fd = open(path, O_WRONLY);
	if (fd < 0)
		return errno;
	n = write(fd, text, strlen(text));
	if (n < 0)
		err = errno;
	else if ((size_t)n != strlen(text))
		err = EIO;
	if (close(fd) != 0 && !err)
		err = errno;
	return err;
}

static void write_num(const char *name, long long v)
{
	char buf[32];

	snprintf(buf, sizeof(buf), "%lld\n", v);
	CHECK_EQ(write_text(name, buf), 0);
}

/* Every file reads as Linux writes it. */
static int case_formats(void)
{
	char buf[128];
	int v[4];
	char tail;

	unsigned long long u;

	for (size_t i = 0; i < sizeof(int_files) / sizeof(int_files[0]); i++) {
		if (!CHECK(read_u64(int_files[i], &u)))
			tap_diag("bad format: %s", int_files[i]);
	}
	CHECK(read_num("kernel/pid_max") >= 301 && read_num("kernel/pid_max") <= 4194304);
	CHECK(read_num("kernel/threads-max") >= 1);
	CHECK(read_num("kernel/msgmni") <= 32768);
	CHECK(read_num("kernel/shmmni") <= 32768);
	CHECK(read_num("vm/overcommit_memory") <= 2);
	long long pms = read_num("fs/pipe-max-size");

	CHECK(pms >= 4096 && (pms & (pms - 1)) == 0);
	CHECK(tap_read_file("/proc/sys/kernel/sem", buf, sizeof(buf)) > 0);
	CHECK_EQ(sscanf(buf, "%d\t%d\t%d\t%d%c", &v[0], &v[1], &v[2], &v[3], &tail), 5);
	CHECK_EQ(tail, '\n');
	CHECK(strchr(buf, '\t') != NULL);
	CHECK(v[3] >= 0 && v[3] <= 32768);
	/* The directories list their files. */
	CHECK(access("/proc/sys/kernel", R_OK | X_OK) == 0);
	CHECK(access("/proc/sys/fs/pipe-max-size", R_OK) == 0);
	return 0;
}

/* The rest writes: Sprout only (see the top of the file). */
static bool writes_allowed(void)
{
	if (tap_on_sprout())
		return true;
	tap_diag("skipped on Linux: writing the host's /proc/sys is not allowed in tests");
	return false;
}

/*
 * kernel/core_pattern, fs/nr_open and vm/max_map_count speak for the core dump, descriptor
 * table and VMA code: what is written is what those use (RLIMIT_NOFILE may be raised to
 * nr_open and no further), and bad values fail the write.
 */
static int case_owned_values(void)
{
	char buf[256];
	struct rlimit rl;
	long long nr_open;

	CHECK(tap_read_file("/proc/sys/kernel/core_pattern", buf, sizeof(buf)) > 0);
	CHECK(strlen(buf) > 1 && buf[strlen(buf) - 1] == '\n');
	nr_open = read_num("fs/nr_open");
	CHECK(nr_open >= 1024);
	CHECK(read_num("vm/max_map_count") > 0);
	if (!writes_allowed())
		return TAP_SKIP_STATUS;
	CHECK_EQ(write_text("kernel/core_pattern", "core.%p.%e\n"), 0);
	CHECK(tap_read_file("/proc/sys/kernel/core_pattern", buf, sizeof(buf)) > 0);
	CHECK(strcmp(buf, "core.%p.%e\n") == 0);
	CHECK_EQ(write_text("kernel/core_pattern", "core\n"), 0);
	CHECK_EQ(write_text("fs/nr_open", "1\n"), EINVAL);
	CHECK_EQ(read_num("fs/nr_open"), nr_open);
	CHECK_EQ(write_text("fs/nr_open", "4096\n"), 0);
	rl.rlim_cur = rl.rlim_max = 5000;
	CHECK_ERR(setrlimit(RLIMIT_NOFILE, &rl), EPERM);
	rl.rlim_cur = rl.rlim_max = 4096;
	CHECK_EQ(setrlimit(RLIMIT_NOFILE, &rl), 0);
	write_num("fs/nr_open", nr_open);
	CHECK_EQ(write_text("vm/max_map_count", "-1\n"), EINVAL);
	return 0;
}

/* An unprivileged user may read but not open for writing. */
static int case_permissions(void)
{
	unsigned long long u;
	char path[128];
	struct stat st;

	for (size_t i = 0; i < sizeof(int_files) / sizeof(int_files[0]); i++) {
		path_of(path, sizeof(path), int_files[i]);
		CHECK_EQ(stat(path, &st), 0);
		CHECK_EQ(st.st_mode & 07777, 0644);
		CHECK_EQ(st.st_uid, 0);
	}
	if (getuid() == 0 && setuid(OTHER_UID) != 0)
		return 1;
	for (size_t i = 0; i < sizeof(int_files) / sizeof(int_files[0]); i++) {
		path_of(path, sizeof(path), int_files[i]);
		CHECK(read_u64(int_files[i], &u));
		CHECK_ERR(open(path, O_WRONLY), EACCES);
		CHECK_ERR(open(path, O_RDWR), EACCES);
	}
	CHECK_ERR(open("/proc/sys/kernel/sem", O_WRONLY), EACCES);
	return 0;
}


/* Bad values fail at write(2) with EINVAL and change nothing. */
static int case_bad_values(void)
{
	static const char *const bad[] = { "abc\n", "12x\n", "\n", "1 2\n", "300\n",
					   "4194305\n", "-5\n", "99999999999999999999\n" };
	long long before;

	if (!writes_allowed())
		return TAP_SKIP_STATUS;
	before = read_num("kernel/pid_max");
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		if (CHECK_EQ(write_text("kernel/pid_max", bad[i]), EINVAL) == false)
			tap_diag("value '%s'", bad[i]);
	}
	CHECK_EQ(read_num("kernel/pid_max"), before);
	CHECK_EQ(write_text("kernel/threads-max", "0\n"), EINVAL);
	CHECK_EQ(write_text("kernel/msgmni", "32769\n"), EINVAL);
	CHECK_EQ(write_text("kernel/shmmni", "-1\n"), EINVAL);
	CHECK_EQ(write_text("kernel/sem", "1 2 3 40000\n"), EINVAL);
	CHECK_EQ(write_text("kernel/sem", "1 2 x 4\n"), EINVAL);
	CHECK_EQ(write_text("vm/overcommit_memory", "3\n"), EINVAL);
	CHECK_EQ(write_text("fs/pipe-max-size", "4294967296\n"), EINVAL);
	CHECK_EQ(write_text("kernel/tainted", "abc\n"), EINVAL);
	CHECK_EQ(write_text("kernel/tainted", "0\n"), 0);
	CHECK_EQ(write_text("kernel/tainted", "-1\n"), EINVAL);
	return 0;
}

/* pid_max: new pids stay below it; setting it below pids in use is allowed. */
static int case_pid_max(void)
{
	long long before;

	if (!writes_allowed())
		return TAP_SKIP_STATUS;
	before = read_num("kernel/pid_max");
	CHECK_EQ(write_text("kernel/pid_max", "400\n"), 0);
	CHECK_EQ(read_num("kernel/pid_max"), 400);
	for (int i = 0; i < 120; i++) {
		pid_t pid = fork();

		if (pid == 0)
			_exit(0);
		if (!CHECK(pid > 0))
			break;
		if (!CHECK(pid < 400))
			tap_diag("pid %d with pid_max 400", (int)pid);
		CHECK_EQ(waitpid(pid, NULL, 0), pid);
	}
	write_num("kernel/pid_max", before);
	CHECK_EQ(read_num("kernel/pid_max"), before);
	return 0;
}

/* threads-max: fork fails with EAGAIN once that many threads exist. */
static int case_threads_max(void)
{
	long long before;

	if (!writes_allowed())
		return TAP_SKIP_STATUS;
	before = read_num("kernel/threads-max");
	CHECK_EQ(write_text("kernel/threads-max", "1\n"), 0);
	CHECK_EQ(read_num("kernel/threads-max"), 1);
	pid_t pid = fork();

	if (pid == 0)
		_exit(0);
	CHECK_EQ(pid, -1);
	CHECK_EQ(errno, EAGAIN);
	write_num("kernel/threads-max", before);
	pid = fork();
	if (pid == 0)
		_exit(0);
	CHECK(pid > 0);
	if (pid > 0)
		CHECK_EQ(waitpid(pid, NULL, 0), pid);
	return 0;
}

/* msgmax, msgmnb, msgmni are what msgsnd, msgget and IPC_SET obey. */
static int case_msg_limits(void)
{
	struct { long type; char text[300]; } m = { 1, { 0 } };
	long long max0, mnb0, mni0;
	struct msqid_ds ds;
	int q;

	if (!writes_allowed())
		return TAP_SKIP_STATUS;
	max0 = read_num("kernel/msgmax");
	mnb0 = read_num("kernel/msgmnb");
	mni0 = read_num("kernel/msgmni");
	write_num("kernel/msgmax", 100);
	write_num("kernel/msgmnb", 250);
	q = msgget(IPC_PRIVATE, 0600);
	CHECK(q >= 0);
	CHECK_EQ(msgctl(q, IPC_STAT, &ds), 0);
	CHECK_EQ(ds.msg_qbytes, 250);
	CHECK_EQ(msgsnd(q, &m, 100, IPC_NOWAIT), 0);
	CHECK_ERR(msgsnd(q, &m, 101, IPC_NOWAIT), EINVAL);
	/* Raising msg_qbytes above msgmnb takes privilege. */
	ds.msg_qbytes = 1000;
	CHECK_EQ(msgctl(q, IPC_SET, &ds), 0);
	pid_t pid = fork();

	if (pid == 0) {
		struct msqid_ds d2;

		if (setuid(OTHER_UID) != 0)
			_exit(2);
		/* Not the owner: EPERM before anything else. */
		d2 = ds;
		_exit(msgctl(q, IPC_SET, &d2) == -1 && errno == EPERM ? 0 : 3);
	}
	CHECK(pid > 0);
	int st = 0;

	CHECK_EQ(waitpid(pid, &st, 0), pid);
	CHECK_EQ(st, 0);
	CHECK_EQ(msgctl(q, IPC_RMID, NULL), 0);
	write_num("kernel/msgmni", 0);
	CHECK_ERR(msgget(IPC_PRIVATE, 0600), ENOSPC);
	write_num("kernel/msgmni", mni0);
	write_num("kernel/msgmax", max0);
	write_num("kernel/msgmnb", mnb0);
	q = msgget(IPC_PRIVATE, 0600);
	CHECK(q >= 0);
	CHECK_EQ(msgctl(q, IPC_STAT, &ds), 0);
	CHECK_EQ((long long)ds.msg_qbytes, mnb0);
	CHECK_EQ(msgctl(q, IPC_RMID, NULL), 0);
	return 0;
}

/* shmmax, shmall, shmmni bound shmget. */
static int case_shm_limits(void)
{
	unsigned long long max0, all0, now;
	long long mni0;
	char buf[32];
	int id;

	if (!writes_allowed())
		return TAP_SKIP_STATUS;
	CHECK(read_u64("kernel/shmmax", &max0));
	CHECK(read_u64("kernel/shmall", &all0));
	mni0 = read_num("kernel/shmmni");
	write_num("kernel/shmmax", 8192);
	CHECK_EQ(read_num("kernel/shmmax"), 8192);
	CHECK_ERR(shmget(IPC_PRIVATE, 8193, 0600), EINVAL);
	id = shmget(IPC_PRIVATE, 8192, 0600);
	CHECK(id >= 0);
	CHECK_EQ(shmctl(id, IPC_RMID, NULL), 0);
	snprintf(buf, sizeof(buf), "%llu\n", max0);
	CHECK_EQ(write_text("kernel/shmmax", buf), 0);
	write_num("kernel/shmall", 1);
	CHECK_ERR(shmget(IPC_PRIVATE, 8192, 0600), ENOSPC);
	snprintf(buf, sizeof(buf), "%llu\n", all0);
	CHECK_EQ(write_text("kernel/shmall", buf), 0);
	CHECK(read_u64("kernel/shmall", &now) && now == all0);
	CHECK(read_u64("kernel/shmmax", &now) && now == max0);
	write_num("kernel/shmmni", 0);
	CHECK_ERR(shmget(IPC_PRIVATE, 4096, 0600), ENOSPC);
	write_num("kernel/shmmni", mni0);
	id = shmget(IPC_PRIVATE, 4096, 0600);
	CHECK(id >= 0);
	CHECK_EQ(shmctl(id, IPC_RMID, NULL), 0);
	return 0;
}

/* kernel/sem: SEMMSL, SEMMNS, SEMOPM, SEMMNI. */
static int case_sem_limits(void)
{
	struct sembuf ops[4] = { { 0, 1, 0 }, { 0, 1, 0 }, { 0, 1, 0 }, { 0, 1, 0 } };
	char before[128], buf[128];
	int id;

	if (!writes_allowed())
		return TAP_SKIP_STATUS;
	CHECK(tap_read_file("/proc/sys/kernel/sem", before, sizeof(before)) > 0);
	CHECK_EQ(write_text("kernel/sem", "5 32000 3 32000\n"), 0);
	CHECK(tap_read_file("/proc/sys/kernel/sem", buf, sizeof(buf)) > 0);
	CHECK(strcmp(buf, "5\t32000\t3\t32000\n") == 0);
	CHECK_ERR(semget(IPC_PRIVATE, 6, 0600), EINVAL);
	id = semget(IPC_PRIVATE, 5, 0600);
	CHECK(id >= 0);
	CHECK_ERR(semop(id, ops, 4), E2BIG);
	CHECK_EQ(semop(id, ops, 3), 0);
	CHECK_EQ(semctl(id, 0, GETVAL), 3);
	CHECK_EQ(semctl(id, 0, IPC_RMID), 0);
	CHECK_EQ(write_text("kernel/sem", "32000 4 500 32000\n"), 0);
	CHECK_ERR(semget(IPC_PRIVATE, 5, 0600), ENOSPC);
	CHECK_EQ(write_text("kernel/sem", "32000 1024000000 500 0\n"), 0);
	CHECK_ERR(semget(IPC_PRIVATE, 1, 0600), ENOSPC);
	CHECK_EQ(write_text("kernel/sem", before), 0);
	id = semget(IPC_PRIVATE, 6, 0600);
	CHECK(id >= 0);
	CHECK_EQ(semctl(id, 0, IPC_RMID), 0);
	return 0;
}

/* pipe-max-size and pipe-user-pages-soft/hard for an unprivileged user. */
static int case_pipe_limits(void)
{
	long long max0, soft0, hard0;
	int st = -1;

	if (!writes_allowed())
		return TAP_SKIP_STATUS;
	max0 = read_num("fs/pipe-max-size");
	soft0 = read_num("fs/pipe-user-pages-soft");
	hard0 = read_num("fs/pipe-user-pages-hard");
	CHECK_EQ(write_text("fs/pipe-max-size", "5000\n"), 0);
	CHECK_EQ(read_num("fs/pipe-max-size"), 8192);	/* a power of two pages */
	CHECK_EQ(write_text("fs/pipe-max-size", "0\n"), 0);
	CHECK_EQ(read_num("fs/pipe-max-size"), 4096);
	write_num("fs/pipe-max-size", 16384);
	pid_t pid = fork();

	if (pid == 0) {
		int p[2];

		if (setuid(OTHER_UID) != 0 || pipe(p) != 0)
			_exit(2);
		/* New pipes are capped at pipe-max-size; growing past it: EPERM. */
		if (fcntl(p[0], F_GETPIPE_SZ_) != 16384)
			_exit(3);
		if (fcntl(p[0], F_SETPIPE_SZ_, 32768) != -1 || errno != EPERM)
			_exit(4);
		if (fcntl(p[0], F_SETPIPE_SZ_, 8192) != 8192)
			_exit(5);
		_exit(0);
	}
	CHECK_EQ(waitpid(pid, &st, 0), pid);
	CHECK_EQ(st, 0);
	write_num("fs/pipe-max-size", max0);
	write_num("fs/pipe-user-pages-soft", 1);
	write_num("fs/pipe-user-pages-hard", 3);
	pid = fork();
	if (pid == 0) {
		int p[2], q[2];

		if (setuid(OTHER_UID) != 0)
			_exit(2);
		/* Over the soft limit at once: 2 pages; then the hard limit: ENFILE. */
		if (pipe(p) != 0 || fcntl(p[0], F_GETPIPE_SZ_) != 8192)
			_exit(3);
		if (fcntl(p[0], F_SETPIPE_SZ_, 16384) != -1 || errno != EPERM)
			_exit(4);
		if (pipe(q) != -1 || errno != ENFILE)
			_exit(5);
		close(p[0]);
		close(p[1]);
		if (pipe(q) != 0)	/* the charge went back with the pipe */
			_exit(6);
		_exit(0);
	}
	CHECK_EQ(waitpid(pid, &st, 0), pid);
	CHECK_EQ(st, 0);
	write_num("fs/pipe-user-pages-soft", soft0);
	write_num("fs/pipe-user-pages-hard", hard0);
	return 0;
}

/* overcommit_memory: 0 refuses a mapping larger than RAM, 1 allows it, 2 is strict. */
static int case_overcommit(void)
{
	struct sysinfo si;
	long long before;
	size_t ram, len;
	void *p;

	if (!writes_allowed())
		return TAP_SKIP_STATUS;
	CHECK_EQ(sysinfo(&si), 0);
	ram = (size_t)si.totalram * si.mem_unit;
	before = read_num("vm/overcommit_memory");
	len = ram * 2;
	write_num("vm/overcommit_memory", 0);
	p = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	CHECK(p == MAP_FAILED && errno == ENOMEM);
	write_num("vm/overcommit_memory", 1);
	p = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	CHECK(p != MAP_FAILED);
	if (p != MAP_FAILED)
		munmap(p, len);
	write_num("vm/overcommit_memory", 2);
	p = mmap(NULL, ram / 10 * 6, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	CHECK(p == MAP_FAILED && errno == ENOMEM);
	p = mmap(NULL, ram / 10 * 6, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	CHECK(p != MAP_FAILED);	/* read-only memory is not committed */
	if (p != MAP_FAILED)
		munmap(p, ram / 10 * 6);
	write_num("vm/overcommit_memory", before);
	CHECK_EQ(read_num("vm/overcommit_memory"), before);
	return 0;
}

int main(void)
{
	tap_plan(11);
	run_case("every /proc/sys file in Linux's format", case_formats);
	run_case("/proc/sys files: 0644 root, unprivileged write EACCES", case_permissions);
	run_case("bad values: EINVAL at write, nothing changed", case_bad_values);
	run_case("pid_max bounds new pids", case_pid_max);
	run_case("threads-max bounds fork", case_threads_max);
	run_case("msgmax, msgmnb, msgmni honoured", case_msg_limits);
	run_case("shmmax, shmall, shmmni honoured", case_shm_limits);
	run_case("sem: SEMMSL, SEMMNS, SEMOPM, SEMMNI honoured", case_sem_limits);
	run_case("pipe-max-size and pipe-user-pages-soft/hard honoured", case_pipe_limits);
	run_case("overcommit_memory honoured", case_overcommit);
	run_case("core_pattern, nr_open and max_map_count read and honoured", case_owned_values);
	return tap_done();
}
