/*
 * Every system call that takes a user address refuses addresses outside user space: each pointer
 * argument of each call, in turn, is given an unmapped user address, the first kernel address, the
 * kernel's text, two non-canonical addresses and the top of the address space, and the call must
 * fail with EFAULT, change nothing it was asked to write and leave the process alive. The calls
 * are made with syscall(2), so no libc wrapper checks or rewrites the pointers first.
 */
#include <tap.h>
#include <sys/syscall.h>
#include <sys/uio.h>
#include <sys/ipc.h>
#include <sys/msg.h>
#include <sys/sem.h>
#include <sys/shm.h>
#include <mqueue.h>
#include <poll.h>
#include <sys/sendfile.h>
#include <sys/ioctl.h>
#include <limits.h>
#include <sys/time.h>

#define PR_SET_NAME_	15
#define PR_GET_NAME_	16
#define FUTEX_WAIT_	0
#define STATX_BASIC_STATS_	0x7ffU

static const uintptr_t bad_addrs[] = {
	0x1000,				/* user space, never mapped */
	0xffff800000000000UL,		/* first kernel address (direct map) */
	0xffffffff80000000UL,		/* kernel text (-mcmodel=kernel) */
	0x0000800000000000UL,		/* first address past the user half: non-canonical */
	0x8000000000000000UL,		/* non-canonical */
	0xfffffffffffff000UL,		/* the last page */
};
#define NBAD	(sizeof(bad_addrs) / sizeof(bad_addrs[0]))

/*
 * Evaluate the syscall expression @expr once for every bad address, with `B` bound to it, and
 * expect -1/EFAULT each time. Reports the first address that did otherwise.
 */
#define EXPECT_EFAULT(expr) do {						\
	for (size_t bi_ = 0; bi_ < NBAD; bi_++) {				\
		void *B = tap_bad_ptr(bad_addrs[bi_]);				\
		long r_;							\
		errno = 0;							\
		r_ = (long)(expr);						\
		if (r_ != -1 || errno != EFAULT) {				\
			tap_diag("%s:%d: %s with %#lx: got %ld (%s), want EFAULT", \
				 __FILE__, __LINE__, #expr, (unsigned long)bad_addrs[bi_], \
				 r_, r_ == -1 ? strerror(errno) : "no error");	\
			failed_ = 1;						\
			break;							\
		}								\
		(void)B;							\
	}									\
} while (0)

static char dir[4200];

/* A fresh directory for the case, with a file "f" holding "0123456789". */
static void make_dir(void)
{
	char path[4300];

	tap_tmppath(dir, sizeof(dir), "uaccess");
	mkdir(dir, 0755);
	snprintf(path, sizeof(path), "%s/f", dir);
	tap_write_file(path, "0123456789", 10, 0644);
}

static void path_in_dir(char *buf, size_t len, const char *name)
{
	snprintf(buf, len, "%s/%s", dir, name);
}

/* read, write and their vector and positional forms; nothing written reaches the file. */
static int case_io(void)
{
	char f[4300], buf[16];
	int failed_ = 0, fd;
	struct iovec iov;

	make_dir();
	path_in_dir(f, sizeof(f), "f");
	fd = open(f, O_RDWR);
	if (!CHECK(fd >= 0))
		return 1;
	EXPECT_EFAULT(syscall(SYS_read, fd, B, 4));
	EXPECT_EFAULT(syscall(SYS_pread64, fd, B, 4, 0));
	EXPECT_EFAULT(syscall(SYS_write, fd, B, 4));
	EXPECT_EFAULT(syscall(SYS_pwrite64, fd, B, 4, 2));
	EXPECT_EFAULT(syscall(SYS_readv, fd, B, 1));
	EXPECT_EFAULT(syscall(SYS_writev, fd, B, 1));
	EXPECT_EFAULT((iov.iov_base = B, iov.iov_len = 4, syscall(SYS_readv, fd, &iov, 1)));
	EXPECT_EFAULT((iov.iov_base = B, iov.iov_len = 4, syscall(SYS_writev, fd, &iov, 1)));
	EXPECT_EFAULT(syscall(SYS_getdents64, open(dir, O_RDONLY | O_DIRECTORY), B, 4096));
	CHECK_EQ(lseek(fd, 0, SEEK_END), 10);		/* nothing was written */
	CHECK_EQ(pread(fd, buf, 10, 0), 10);
	CHECK(memcmp(buf, "0123456789", 10) == 0);
	close(fd);
	return failed_;
}

/*
 * sendfile(2) with a bad offset pointer fails; a good one moves the file's bytes, taken by the
 * kernel from its own buffer, into a pipe and into another file, exactly.
 */
static int case_sendfile(void)
{
	char f[4300], g[4300], buf[16] = "";
	int failed_ = 0, in, out, p[2];
	off_t off = 2;

	make_dir();
	path_in_dir(f, sizeof(f), "f");
	path_in_dir(g, sizeof(g), "g");
	in = open(f, O_RDONLY);
	out = open(g, O_RDWR | O_CREAT, 0600);
	if (!CHECK(in >= 0 && out >= 0) || !CHECK(pipe(p) == 0))
		return 1;
	EXPECT_EFAULT(syscall(SYS_sendfile, p[1], in, B, 4));
	CHECK_EQ(lseek(in, 0, SEEK_CUR), 0);
	CHECK_EQ(sendfile(p[1], in, &off, 4), 4);
	CHECK_EQ(off, 6);
	CHECK_EQ(read(p[0], buf, sizeof(buf)), 4);
	CHECK(memcmp(buf, "2345", 4) == 0);
	CHECK_EQ(sendfile(out, in, NULL, 10), 10);
	CHECK_EQ(pread(out, buf, sizeof(buf), 0), 10);
	CHECK(memcmp(buf, "0123456789", 10) == 0);
	return failed_;
}

/* Calls that take a path name. */
static int case_paths(void)
{
	char f[4300], g[4300], buf[512];
	struct stat st;
	int failed_ = 0;

	make_dir();
	path_in_dir(f, sizeof(f), "f");
	path_in_dir(g, sizeof(g), "g");
	EXPECT_EFAULT(syscall(SYS_open, B, O_RDONLY));
	EXPECT_EFAULT(syscall(SYS_openat, AT_FDCWD, B, O_RDONLY));
	EXPECT_EFAULT(syscall(SYS_stat, B, &st));
	EXPECT_EFAULT(syscall(SYS_lstat, B, &st));
	EXPECT_EFAULT(syscall(SYS_newfstatat, AT_FDCWD, B, &st, 0));
	EXPECT_EFAULT(syscall(SYS_access, B, F_OK));
	EXPECT_EFAULT(syscall(SYS_faccessat, AT_FDCWD, B, F_OK));
	EXPECT_EFAULT(syscall(SYS_truncate, B, 0));
	EXPECT_EFAULT(syscall(SYS_chdir, B));
	EXPECT_EFAULT(syscall(SYS_mkdir, B, 0755));
	EXPECT_EFAULT(syscall(SYS_mkdirat, AT_FDCWD, B, 0755));
	EXPECT_EFAULT(syscall(SYS_rmdir, B));
	EXPECT_EFAULT(syscall(SYS_unlink, B));
	EXPECT_EFAULT(syscall(SYS_unlinkat, AT_FDCWD, B, 0));
	EXPECT_EFAULT(syscall(SYS_rename, B, g));
	EXPECT_EFAULT(syscall(SYS_rename, f, B));
	EXPECT_EFAULT(syscall(SYS_renameat, AT_FDCWD, f, AT_FDCWD, B));
	EXPECT_EFAULT(syscall(SYS_renameat2, AT_FDCWD, B, AT_FDCWD, g, 0));
	EXPECT_EFAULT(syscall(SYS_link, B, g));
	EXPECT_EFAULT(syscall(SYS_link, f, B));
	EXPECT_EFAULT(syscall(SYS_linkat, AT_FDCWD, f, AT_FDCWD, B, 0));
	EXPECT_EFAULT(syscall(SYS_symlink, B, g));
	EXPECT_EFAULT(syscall(SYS_symlink, f, B));
	EXPECT_EFAULT(syscall(SYS_symlinkat, f, AT_FDCWD, B));
	EXPECT_EFAULT(syscall(SYS_readlink, B, buf, sizeof(buf)));
	EXPECT_EFAULT(syscall(SYS_readlinkat, AT_FDCWD, B, buf, sizeof(buf)));
	EXPECT_EFAULT(syscall(SYS_chmod, B, 0600));
	EXPECT_EFAULT(syscall(SYS_fchmodat, AT_FDCWD, B, 0600));
	EXPECT_EFAULT(syscall(SYS_chown, B, 0, 0));
	EXPECT_EFAULT(syscall(SYS_lchown, B, 0, 0));
	EXPECT_EFAULT(syscall(SYS_fchownat, AT_FDCWD, B, 0, 0, 0));
	EXPECT_EFAULT(syscall(SYS_utimensat, AT_FDCWD, B, NULL, 0));
	EXPECT_EFAULT(syscall(SYS_statx, AT_FDCWD, B, 0, STATX_BASIC_STATS_, buf));
	EXPECT_EFAULT(syscall(SYS_faccessat2, AT_FDCWD, B, F_OK, 0));
	EXPECT_EFAULT(syscall(SYS_execve, B, NULL, NULL));
	EXPECT_EFAULT(syscall(SYS_execveat, AT_FDCWD, B, NULL, NULL, 0));
	EXPECT_EFAULT(syscall(SYS_mount, "none", B, "tmpfs", 0, NULL));
	EXPECT_EFAULT(syscall(SYS_umount2, B, 0));
	CHECK(stat(f, &st) == 0 && st.st_size == 10 && (st.st_mode & 07777) == 0644);
	CHECK(stat(g, &st) == -1);
	return failed_;
}

/* Calls that write a structure out: nothing lands in kernel memory, the caller survives. */
static int case_results(void)
{
	char f[4300], buf[512];
	int failed_ = 0, fd;
	gid_t g = getgid();

	make_dir();
	path_in_dir(f, sizeof(f), "f");
	fd = open(f, O_RDONLY);
	if (!CHECK(fd >= 0) || !CHECK(setgroups(1, &g) == 0))
		return 1;
	EXPECT_EFAULT(syscall(SYS_stat, f, B));
	EXPECT_EFAULT(syscall(SYS_lstat, f, B));
	EXPECT_EFAULT(syscall(SYS_fstat, fd, B));
	EXPECT_EFAULT(syscall(SYS_newfstatat, AT_FDCWD, f, B, 0));
	EXPECT_EFAULT(syscall(SYS_statx, AT_FDCWD, f, 0, STATX_BASIC_STATS_, B));
	EXPECT_EFAULT(syscall(SYS_readlink, "/proc/self/exe", B, sizeof(buf)));
	EXPECT_EFAULT(syscall(SYS_getcwd, B, sizeof(buf)));
	EXPECT_EFAULT(syscall(SYS_uname, B));
	EXPECT_EFAULT(syscall(SYS_sysinfo, B));
	EXPECT_EFAULT(syscall(SYS_times, B));
	EXPECT_EFAULT(syscall(SYS_getrusage, RUSAGE_SELF, B));
	EXPECT_EFAULT(syscall(SYS_getrlimit, RLIMIT_NOFILE, B));
	EXPECT_EFAULT(syscall(SYS_prlimit64, 0, RLIMIT_NOFILE, NULL, B));
	EXPECT_EFAULT(syscall(SYS_gettimeofday, B, NULL));
	EXPECT_EFAULT(syscall(SYS_clock_gettime, CLOCK_MONOTONIC, B));
	EXPECT_EFAULT(syscall(SYS_time, B));
	EXPECT_EFAULT(syscall(SYS_getitimer, ITIMER_REAL, B));
	EXPECT_EFAULT(syscall(SYS_getgroups, 4, B));
	EXPECT_EFAULT(syscall(SYS_getresuid, B, buf, buf + 8));
	EXPECT_EFAULT(syscall(SYS_getresgid, buf, buf + 8, B));
	EXPECT_EFAULT(syscall(SYS_pipe, B));
	EXPECT_EFAULT(syscall(SYS_pipe2, B, 0));
	EXPECT_EFAULT(syscall(SYS_sched_getaffinity, 0, 128, B));
	EXPECT_EFAULT(syscall(SYS_getrandom, B, 16, 0));
	EXPECT_EFAULT(syscall(SYS_rt_sigpending, B, 8));
	EXPECT_EFAULT(syscall(SYS_rt_sigprocmask, SIG_BLOCK, NULL, B, 8));
	EXPECT_EFAULT(syscall(SYS_rt_sigaction, SIGUSR1, NULL, B, 8));
	EXPECT_EFAULT(syscall(SYS_sigaltstack, NULL, B));
	EXPECT_EFAULT(syscall(SYS_arch_prctl, 0x1003 /* ARCH_GET_FS */, B));
	EXPECT_EFAULT(syscall(SYS_prctl, PR_GET_NAME_, B, 0, 0, 0));
	close(fd);
	return failed_;
}

/* Calls that read a structure in. */
static int case_arguments(void)
{
	int failed_ = 0, p[2];
	sigset_t set;

	if (!CHECK(pipe(p) == 0))
		return 1;
	EXPECT_EFAULT(syscall(SYS_rt_sigaction, SIGUSR1, B, NULL, 8));
	EXPECT_EFAULT(syscall(SYS_rt_sigprocmask, SIG_BLOCK, B, NULL, 8));
	EXPECT_EFAULT(syscall(SYS_rt_sigsuspend, B, 8));
	EXPECT_EFAULT(syscall(SYS_rt_sigtimedwait, B, NULL, NULL, 8));
	sigemptyset(&set);
	sigaddset(&set, SIGUSR2);
	EXPECT_EFAULT(syscall(SYS_rt_sigtimedwait, &set, NULL, B, 8));
	EXPECT_EFAULT(syscall(SYS_rt_sigqueueinfo, getpid(), SIGUSR1, B));
	EXPECT_EFAULT(syscall(SYS_rt_tgsigqueueinfo, getpid(), getpid(), SIGUSR1, B));
	EXPECT_EFAULT(syscall(SYS_sigaltstack, B, NULL));
	EXPECT_EFAULT(syscall(SYS_setrlimit, RLIMIT_NOFILE, B));
	EXPECT_EFAULT(syscall(SYS_prlimit64, 0, RLIMIT_NOFILE, B, NULL));
	EXPECT_EFAULT(syscall(SYS_setitimer, ITIMER_REAL, B, NULL));
	EXPECT_EFAULT(syscall(SYS_nanosleep, B, NULL));
	EXPECT_EFAULT(syscall(SYS_clock_nanosleep, CLOCK_MONOTONIC, 0, B, NULL));
	EXPECT_EFAULT(syscall(SYS_poll, B, 1, 0));
	EXPECT_EFAULT(syscall(SYS_ppoll, B, 1, NULL, NULL, 8));
	EXPECT_EFAULT(syscall(SYS_select, p[0] + 1, B, NULL, NULL, NULL));
	EXPECT_EFAULT(syscall(SYS_pselect6, p[0] + 1, B, NULL, NULL, NULL, NULL));
	EXPECT_EFAULT(syscall(SYS_setgroups, 1, B));
	EXPECT_EFAULT(syscall(SYS_prctl, PR_SET_NAME_, B, 0, 0, 0));
	EXPECT_EFAULT(syscall(SYS_futex, B, FUTEX_WAIT_, 0, NULL, NULL, 0));
	EXPECT_EFAULT(syscall(SYS_ioctl, p[0], FIONBIO, B));
	EXPECT_EFAULT(syscall(SYS_ioctl, p[0], FIONREAD, B));
	EXPECT_EFAULT(syscall(SYS_execve, "/proc/self/exe", B, NULL));
	return failed_;
}

/*
 * waitid with WNOWAIT and a bad siginfo pointer leaves the zombie in place; wait4 with a bad
 * status or rusage pointer fails with EFAULT (Linux has reaped the child by then, so each
 * address gets a child of its own).
 */
static int case_wait(void)
{
	int failed_ = 0, status;
	siginfo_t si;
	pid_t pid;

	fflush(NULL);
	pid = fork();
	if (pid == 0)
		_exit(7);
	tap_sleep_ms(50);
	EXPECT_EFAULT(syscall(SYS_waitid, P_PID, pid, B, WEXITED | WNOWAIT, NULL));
	memset(&si, 0, sizeof(si));
	CHECK_EQ(waitid(P_PID, pid, &si, WEXITED | WNOWAIT), 0);
	CHECK_EQ(si.si_pid, pid);
	CHECK_EQ(waitpid(pid, &status, 0), pid);
	CHECK(WIFEXITED(status) && WEXITSTATUS(status) == 7);
	EXPECT_EFAULT((fflush(NULL), pid = fork(), pid == 0 ? _exit(0), 0 :
		       (tap_sleep_ms(20), syscall(SYS_wait4, pid, B, 0, NULL))));
	EXPECT_EFAULT((fflush(NULL), pid = fork(), pid == 0 ? _exit(0), 0 :
		       (tap_sleep_ms(20), syscall(SYS_wait4, pid, NULL, 0, B))));
	while (waitpid(-1, &status, WNOHANG) > 0)
		;
	return failed_;
}

/* System V and POSIX IPC. */
static int case_ipc(void)
{
	int failed_ = 0, msq, sem, shm;
	char name[64];
	mqd_t mq;

	msq = msgget(IPC_PRIVATE, 0600);
	sem = semget(IPC_PRIVATE, 1, 0600);
	shm = shmget(IPC_PRIVATE, 4096, 0600);
	if (!CHECK(msq >= 0 && sem >= 0 && shm >= 0))
		return 1;
	EXPECT_EFAULT(syscall(SYS_msgsnd, msq, B, 8, IPC_NOWAIT));
	EXPECT_EFAULT(syscall(SYS_msgctl, msq, IPC_STAT, B));
	EXPECT_EFAULT(syscall(SYS_msgctl, msq, IPC_SET, B));
	EXPECT_EFAULT(syscall(SYS_semop, sem, B, 1));
	EXPECT_EFAULT(syscall(SYS_semctl, sem, 0, IPC_STAT, B));
	EXPECT_EFAULT(syscall(SYS_semctl, sem, 0, GETALL, B));
	EXPECT_EFAULT(syscall(SYS_semctl, sem, 0, SETALL, B));
	EXPECT_EFAULT(syscall(SYS_shmctl, shm, IPC_STAT, B));
	EXPECT_EFAULT(syscall(SYS_shmctl, shm, IPC_SET, B));
	{
		struct { long type; char text[8]; } m = { 1, "message" };

		/* Linux drops a message it cannot deliver: queue one for each try. */
		EXPECT_EFAULT((msgsnd(msq, &m, 8, IPC_NOWAIT),
			       syscall(SYS_msgrcv, msq, B, 8, 0, IPC_NOWAIT)));
	}
	msgctl(msq, IPC_RMID, NULL);
	semctl(sem, 0, IPC_RMID);
	shmctl(shm, IPC_RMID, NULL);

	snprintf(name, sizeof(name), "/uaccess-%d", getpid());
	EXPECT_EFAULT(syscall(SYS_mq_open, B, O_RDWR | O_CREAT, 0600, NULL));
	EXPECT_EFAULT(syscall(SYS_mq_unlink, B));
	mq = mq_open(name, O_RDWR | O_CREAT | O_NONBLOCK, 0600, NULL);
	if (!CHECK(mq != (mqd_t)-1))
		return 1;
	EXPECT_EFAULT(syscall(SYS_mq_timedsend, mq, B, 4, 0, NULL));
	EXPECT_EFAULT(syscall(SYS_mq_getsetattr, mq, NULL, B));
	EXPECT_EFAULT(syscall(SYS_mq_getsetattr, mq, B, NULL));
	EXPECT_EFAULT(syscall(SYS_mq_notify, mq, B));
	EXPECT_EFAULT((mq_send(mq, "abcd", 4, 0),
		       syscall(SYS_mq_timedreceive, mq, B, 8192, NULL, NULL)));
	mq_close(mq);
	mq_unlink(name);
	return failed_;
}

/*
 * User-supplied lengths and counts: sizes past the buffer, vector counts past IOV_MAX, totals that
 * overflow, negative counts. Each gets Linux's answer and the kernel never reads or writes past
 * what the user mapped.
 */
static int case_lengths(void)
{
	char f[4300], *page;
	int fd, p[2];
	struct iovec iov[2];
	struct pollfd pfd = { .fd = 0, .events = POLLIN };
	struct rlimit rl;
	gid_t groups[4];

	make_dir();
	path_in_dir(f, sizeof(f), "f");
	fd = open(f, O_RDWR);
	page = mmap(NULL, 8192, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (!CHECK(fd >= 0) || !CHECK(page != MAP_FAILED) || !CHECK(pipe(p) == 0))
		return 1;
	CHECK_EQ(munmap(page + 4096, 4096), 0);
	/* A count past the mapped buffer: only what the file has is copied. */
	CHECK_EQ(syscall(SYS_read, fd, page + 4096 - 16, 64), 10);
	/* A count that runs past user space is refused whole. */
	CHECK_ERR(syscall(SYS_read, fd, page, ~0UL >> 1), EFAULT);
	CHECK(memcmp(page + 4096 - 16, "0123456789", 10) == 0);
	/* A write whose buffer ends in an unmapped page: a short count or EFAULT, never more. */
	{
		long w = syscall(SYS_write, p[1], page + 4096 - 16, 64);

		CHECK(w == 16 || (w == -1 && errno == EFAULT));
	}
	iov[0].iov_base = page;
	iov[0].iov_len = 4;
	CHECK_ERR(syscall(SYS_readv, fd, iov, 1025), EINVAL);
	CHECK_ERR(syscall(SYS_readv, fd, iov, -1), EINVAL);
	iov[0].iov_len = (size_t)SSIZE_MAX + 1;		/* negative as a ssize_t */
	CHECK_ERR(syscall(SYS_writev, fd, iov, 1), EINVAL);
	iov[0].iov_len = 4;
	iov[1].iov_base = page;
	iov[1].iov_len = (size_t)SSIZE_MAX + 1;
	CHECK_ERR(syscall(SYS_writev, fd, iov, 2), EINVAL);
	CHECK_EQ(lseek(fd, 0, SEEK_END), 10);
	CHECK(getrlimit(RLIMIT_NOFILE, &rl) == 0);
	CHECK_ERR(syscall(SYS_poll, &pfd, (unsigned long)rl.rlim_cur + 1, 0), EINVAL);
	CHECK_ERR(syscall(SYS_select, -1, NULL, NULL, NULL, NULL), EINVAL);
	CHECK_ERR(syscall(SYS_getcwd, page, 0), ERANGE);
	CHECK_ERR(syscall(SYS_getcwd, page, 1), ERANGE);
	CHECK_ERR(syscall(SYS_getgroups, -1, groups), EINVAL);
	CHECK_ERR(syscall(SYS_setgroups, 65537, groups), EINVAL);
	CHECK_ERR(syscall(SYS_mmap, NULL, 0, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0), EINVAL);
	CHECK_ERR(syscall(SYS_mmap, NULL, ~0UL - 4095, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS,
			  -1, 0), ENOMEM);
	CHECK_ERR(syscall(SYS_munmap, page, ~0UL - 4095), EINVAL);
	CHECK_ERR(syscall(SYS_getrandom, page, ~0UL, 0x100), EINVAL);	/* unknown flag */
	CHECK_ERR(syscall(SYS_readlink, "/proc/self/exe", page, 0), EINVAL);
	{
		int q = msgget(IPC_PRIVATE, 0600);
		struct { long type; char text[8]; } m = { 1, "message" };

		CHECK(q >= 0);
		CHECK_ERR(syscall(SYS_msgsnd, q, &m, -1L, IPC_NOWAIT), EINVAL);
		CHECK_ERR(syscall(SYS_msgrcv, q, &m, -1L, 0, IPC_NOWAIT), EINVAL);
		msgctl(q, IPC_RMID, NULL);
	}
	{
		int sem = semget(IPC_PRIVATE, 1, 0600);
		struct sembuf op = { 0, 1, 0 };

		CHECK(sem >= 0);
		CHECK_ERR(syscall(SYS_semop, sem, &op, 0), EINVAL);
		CHECK_ERR(syscall(SYS_semop, sem, &op, 100000), E2BIG);
		semctl(sem, 0, IPC_RMID);
	}
	return 0;
}

/* Entry point: runs every case and prints TAP. Returns 0 only if all passed. */
int main(void)
{
	tap_plan(8);
	run_case("read/write families with bad buffers -> EFAULT, file unchanged", case_io);
	run_case("sendfile: bad offset pointer -> EFAULT; into a pipe and a file", case_sendfile);
	run_case("every path-taking call with a bad path -> EFAULT", case_paths);
	run_case("calls writing results to a bad address -> EFAULT", case_results);
	run_case("calls reading arguments from a bad address -> EFAULT", case_arguments);
	run_case("wait4/waitid with bad status pointers -> EFAULT, zombie kept", case_wait);
	run_case("System V and POSIX IPC with bad pointers -> EFAULT", case_ipc);
	run_case("lengths and counts past the buffer, overflowing or negative", case_lengths);
	return tap_done();
}
