/*
 * Process descriptors: pidfd_open(2), pidfd_send_signal(2), pidfd_getfd(2), waitid(P_PIDFD)
 * and poll(2) on a pidfd (readable once the process has exited), with Linux's errors.
 */
#include <tap.h>
#include <poll.h>
#include <pthread.h>
#include <sys/syscall.h>

#ifndef SYS_pidfd_open
#define SYS_pidfd_open		434
#endif
#ifndef SYS_pidfd_send_signal
#define SYS_pidfd_send_signal	424
#endif
#ifndef SYS_pidfd_getfd
#define SYS_pidfd_getfd		438
#endif
#ifndef P_PIDFD
#define P_PIDFD			3
#endif
#define PIDFD_NONBLOCK		O_NONBLOCK
#define UNPRIV_UID		1000

static int pidfd_open(pid_t pid, unsigned flags)
{
	return (int)syscall(SYS_pidfd_open, pid, flags);
}

static long pidfd_send_signal(int fd, int sig, siginfo_t *info, unsigned flags)
{
	return syscall(SYS_pidfd_send_signal, fd, sig, info, flags);
}

static int pidfd_getfd(int fd, int target, unsigned flags)
{
	return (int)syscall(SYS_pidfd_getfd, fd, target, flags);
}

static pid_t fork_pauser(void)
{
	pid_t pid = fork();

	if (pid == 0) {
		alarm(30);
		for (;;)
			pause();
	}
	return pid;
}

static short poll_in(int fd, int timeout_ms)
{
	struct pollfd p = { .fd = fd, .events = POLLIN };

	return poll(&p, 1, timeout_ms) == 1 ? p.revents : 0;
}

static int signal_poll_wait(void)
{
	pid_t pid = fork_pauser();
	int fd = pidfd_open(pid, 0);
	siginfo_t si;

	if (!CHECK(fd >= 0))
		return 1;
	CHECK_EQ(fcntl(fd, F_GETFD), FD_CLOEXEC);
	CHECK_EQ(poll_in(fd, 0), 0);
	CHECK_EQ(pidfd_send_signal(fd, 0, NULL, 0), 0);
	CHECK_EQ(pidfd_send_signal(fd, SIGKILL, NULL, 0), 0);
	CHECK_EQ(poll_in(fd, 10000) & POLLIN, POLLIN);
	memset(&si, 0, sizeof(si));
	CHECK_EQ(waitid(P_PIDFD, fd, &si, WEXITED), 0);
	CHECK_EQ(si.si_pid, pid);
	CHECK_EQ(si.si_code, CLD_KILLED);
	CHECK_EQ(si.si_status, SIGKILL);
	/* Reaped: the descriptor still names it, but there is nothing to signal. */
	CHECK_ERR(pidfd_send_signal(fd, 0, NULL, 0), ESRCH);
	CHECK_EQ(poll_in(fd, 0) & POLLIN, POLLIN);
	CHECK_ERR(waitid(P_PIDFD, fd, &si, WEXITED), ECHILD);
	return 0;
}

static int zombie_and_exit_status(void)
{
	pid_t pid = fork();
	siginfo_t si;
	int fd;

	if (pid == 0)
		_exit(7);
	/* Wait for it to be a zombie without reaping it. */
	memset(&si, 0, sizeof(si));
	CHECK_EQ(waitid(P_PID, pid, &si, WEXITED | WNOWAIT), 0);
	fd = pidfd_open(pid, 0);
	if (!CHECK(fd >= 0))
		return 1;
	CHECK_EQ(poll_in(fd, 0) & POLLIN, POLLIN);
	CHECK_EQ(pidfd_send_signal(fd, SIGTERM, NULL, 0), 0);	/* a zombie: no effect */
	memset(&si, 0, sizeof(si));
	CHECK_EQ(waitid(P_PIDFD, fd, &si, WEXITED), 0);
	CHECK_EQ(si.si_code, CLD_EXITED);
	CHECK_EQ(si.si_status, 7);
	CHECK_ERR(pidfd_open(pid, 0), ESRCH);
	return 0;
}

static int nonblocking(void)
{
	pid_t pid = fork_pauser();
	int fd = pidfd_open(pid, PIDFD_NONBLOCK);
	siginfo_t si;

	if (!CHECK(fd >= 0))
		return 1;
	CHECK(fcntl(fd, F_GETFL) & O_NONBLOCK);
	CHECK_ERR(waitid(P_PIDFD, fd, &si, WEXITED), EAGAIN);
	memset(&si, 0, sizeof(si));
	CHECK_EQ(waitid(P_PIDFD, fd, &si, WEXITED | WNOHANG), 0);
	CHECK_EQ(si.si_pid, 0);
	kill(pid, SIGKILL);
	CHECK_EQ(poll_in(fd, 10000) & POLLIN, POLLIN);
	CHECK_EQ(waitid(P_PIDFD, fd, &si, WEXITED), 0);
	CHECK_EQ(si.si_pid, pid);
	return 0;
}

static void *thread_fn(void *arg)
{
	volatile pid_t *tid = arg;

	*tid = (pid_t)syscall(SYS_gettid);
	while (*tid > 0)
		tap_sleep_ms(1);
	return NULL;
}

static int errors(void)
{
	pid_t pid = fork_pauser();
	int fd = pidfd_open(pid, 0), p[2];
	siginfo_t si;
	pthread_t th;
	volatile pid_t tid = 0;

	if (!CHECK(fd >= 0) || !CHECK(pipe(p) == 0))
		return 1;
	CHECK_ERR(pidfd_open(-1, 0), EINVAL);
	CHECK_ERR(pidfd_open(0, 0), EINVAL);
	CHECK_ERR(pidfd_open(pid, 1), EINVAL);
	CHECK_ERR(pidfd_open(0x3fffffff, 0), ESRCH);
	CHECK_ERR(pidfd_send_signal(fd, SIGTERM, NULL, 1U << 6), EINVAL);
	CHECK_ERR(pidfd_send_signal(fd, 100, NULL, 0), EINVAL);
	CHECK_ERR(pidfd_send_signal(p[0], 0, NULL, 0), EBADF);
	CHECK_ERR(pidfd_send_signal(-1, 0, NULL, 0), EBADF);
	CHECK_ERR(pidfd_send_signal(fd, SIGTERM, tap_bad_ptr(16), 0), EFAULT);
	memset(&si, 0, sizeof(si));
	si.si_signo = SIGUSR1;
	si.si_code = SI_QUEUE;
	CHECK_ERR(pidfd_send_signal(fd, SIGTERM, &si, 0), EINVAL);	/* signo mismatch */
	si.si_signo = SIGTERM;
	si.si_code = SI_USER;
	CHECK_ERR(pidfd_send_signal(fd, SIGTERM, &si, 0), EPERM);	/* kernel's code */
	CHECK_ERR(waitid(P_PIDFD, p[0], &si, WEXITED), EBADF);
	CHECK_ERR(waitid(P_PIDFD, -1, &si, WEXITED), EINVAL);
	CHECK_ERR(pidfd_getfd(fd, 0, 1), EINVAL);
	CHECK_ERR(pidfd_getfd(fd, 999, 0), EBADF);
	CHECK_ERR(pidfd_getfd(p[0], 0, 0), EBADF);
	/* A thread that does not lead its group has no pidfd of its own. */
	CHECK_EQ(pthread_create(&th, NULL, thread_fn, (void *)&tid), 0);
	while (!tid)
		tap_sleep_ms(1);
	/* Linux 6.9 and later say ENOENT (as Sprout); earlier ones EINVAL. */
	errno = 0;
	CHECK_EQ(pidfd_open(tid, 0), -1);
	CHECK(errno == ENOENT || (!tap_on_sprout() && errno == EINVAL));
	tid = -1;
	pthread_join(th, NULL);
	/* A signal with SI_QUEUE, as sigqueue(3) sends it, may go to another process. */
	memset(&si, 0, sizeof(si));
	si.si_signo = SIGTERM;
	si.si_code = SI_QUEUE;
	si.si_pid = getpid();
	si.si_uid = getuid();
	si.si_value.sival_int = 5;
	if (!CHECK_EQ(pidfd_send_signal(fd, SIGTERM, &si, 0), 0))
		tap_diag("errno %d", errno);
	memset(&si, 0, sizeof(si));
	CHECK_EQ(waitid(P_PIDFD, fd, &si, WEXITED), 0);
	CHECK_EQ(si.si_status, SIGTERM);
	return 0;
}

static int getfd_copies(void)
{
	int p[2], ready[2], fd, got;
	pid_t pid;
	char c = 0;

	if (!CHECK(pipe(p) == 0 && pipe(ready) == 0))
		return 1;
	pid = fork();
	if (pid == 0) {
		dup2(p[1], 100);
		close(p[1]);
		close(p[0]);
		write(ready[1], "r", 1);
		alarm(30);
		for (;;)
			pause();
	}
	close(p[1]);
	CHECK_EQ(read(ready[0], &c, 1), 1);
	fd = pidfd_open(pid, 0);
	got = pidfd_getfd(fd, 100, 0);
	if (!CHECK(got >= 0))
		return 1;
	CHECK_EQ(fcntl(got, F_GETFD), FD_CLOEXEC);
	CHECK_EQ(write(got, "x", 1), 1);
	CHECK_EQ(read(p[0], &c, 1), 1);
	CHECK_EQ(c, 'x');
	kill(pid, SIGKILL);
	CHECK_EQ(poll_in(fd, 10000) & POLLIN, POLLIN);
	CHECK_ERR(pidfd_getfd(fd, 100, 0), ESRCH);
	waitpid(pid, NULL, 0);
	return 0;
}

static int permissions(void)
{
	int fd = pidfd_open(getpid(), 0);
	pid_t pid;

	if (!CHECK(fd >= 0))
		return 1;
	pid = fork();
	if (pid == 0) {
		siginfo_t si;
		int pfd = pidfd_open(getppid(), 0);

		if (setuid(UNPRIV_UID) || pfd < 0)
			_exit(2);
		if (pidfd_send_signal(pfd, SIGTERM, NULL, 0) != -1 || errno != EPERM)
			_exit(3);
		if (pidfd_getfd(pfd, 0, 0) != -1 || errno != EPERM)
			_exit(4);
		/* Not our child. */
		if (waitid(P_PIDFD, pfd, &si, WEXITED | WNOHANG) != -1 || errno != ECHILD)
			_exit(5);
		_exit(0);
	}
	CHECK_EQ(tap_wait_bounded(pid, 20), 0);
	/* Our own pidfd: any si_code is fine for ourselves. */
	signal(SIGUSR1, SIG_IGN);
	CHECK_EQ(pidfd_send_signal(fd, SIGUSR1, NULL, 0), 0);
	return 0;
}

#define K_CLONE_PIDFD		0x00001000UL
#define K_CLONE_PARENT_SETTID	0x00100000UL

struct clone3_args {
	uint64_t flags, pidfd, child_tid, parent_tid, exit_signal, stack, stack_size, tls;
};

/* clone(2) and clone3(2) with CLONE_PIDFD: a close-on-exec pidfd of the child, at
 * parent_tid (clone) or at pidfd (clone3), that signals, polls and waits like
 * pidfd_open's; EINVAL with CLONE_PARENT_SETTID (clone); a bad address fails the
 * clone with EFAULT and makes no child. (With CLONE_THREAD, Linux 6.9 on makes a
 * thread's pidfd, Sprout refuses with EINVAL as Linux did before: not tested.) */
static int clone_pidfd(void)
{
	int pidfd = -1, n;
	long pid;
	siginfo_t si;
	struct clone3_args a = { .flags = K_CLONE_PIDFD, .exit_signal = SIGCHLD };

	/* Raw clone, fork-like: (flags, stack 0, parent_tid, child_tid, tls). */
	pid = syscall(SYS_clone, K_CLONE_PIDFD | SIGCHLD, 0, &pidfd, NULL, 0);
	if (pid == 0) {
		alarm(30);
		for (;;)
			pause();
	}
	CHECK(pid > 0);
	CHECK(pidfd >= 0);
	CHECK_EQ(fcntl(pidfd, F_GETFD), FD_CLOEXEC);
	CHECK_EQ(poll_in(pidfd, 0), 0);
	CHECK_EQ(pidfd_send_signal(pidfd, SIGKILL, NULL, 0), 0);
	CHECK_EQ(poll_in(pidfd, 5000) & POLLIN, POLLIN);
	CHECK_EQ(waitid(P_PIDFD, pidfd, &si, WEXITED), 0);
	CHECK_EQ(si.si_pid, pid);
	CHECK_EQ(si.si_code, CLD_KILLED);
	close(pidfd);

	a.pidfd = (uintptr_t)&pidfd;
	pidfd = -1;
	pid = syscall(SYS_clone3, &a, 64);
	if (pid == 0)
		_exit(7);
	CHECK(pid > 0);
	CHECK(pidfd >= 0);
	CHECK_EQ(waitid(P_PIDFD, pidfd, &si, WEXITED), 0);
	CHECK_EQ(si.si_status, 7);
	close(pidfd);

	CHECK_ERR(syscall(SYS_clone, K_CLONE_PIDFD | K_CLONE_PARENT_SETTID | SIGCHLD, 0,
			  &pidfd, NULL, 0), EINVAL);
	n = dup(0);
	close(n);
	/* A bad address: no child, and the descriptor is not left open. */
	CHECK_ERR(syscall(SYS_clone, K_CLONE_PIDFD | SIGCHLD, 0, tap_bad_ptr(16), NULL, 0),
		  EFAULT);
	CHECK_ERR(waitpid(-1, NULL, WNOHANG), ECHILD);
	CHECK_EQ(fcntl(n, F_GETFD) == -1 && errno == EBADF, 1);
	return 0;
}

/* pidfd_send_signal(2) also takes a descriptor of a /proc/PID directory (psmisc's
 * killall signals that way); other /proc descriptors are EBADF. */
static int proc_dir_descriptor(void)
{
	pid_t pid = fork_pauser();
	char path[64];
	int fd, other, st;

	snprintf(path, sizeof(path), "/proc/%d", (int)pid);
	fd = open(path, O_RDONLY | O_DIRECTORY);
	CHECK(fd >= 0);
	snprintf(path, sizeof(path), "/proc/%d/status", (int)pid);
	other = open(path, O_RDONLY);
	CHECK(other >= 0);
	CHECK_ERR(pidfd_send_signal(other, 0, NULL, 0), EBADF);
	CHECK_EQ(pidfd_send_signal(fd, 0, NULL, 0), 0);
	CHECK_EQ(pidfd_send_signal(fd, SIGTERM, NULL, 0), 0);
	CHECK_EQ(waitpid(pid, &st, 0), pid);
	CHECK(WIFSIGNALED(st) && WTERMSIG(st) == SIGTERM);
	CHECK_ERR(pidfd_send_signal(fd, 0, NULL, 0), ESRCH);	/* reaped */
	close(other);
	close(fd);
	return 0;
}

int main(void)
{
	tap_plan(8);
	run_case("pidfd: signal, poll readable at exit, waitid(P_PIDFD)", signal_poll_wait);
	run_case("pidfd of a zombie: readable, its exit status", zombie_and_exit_status);
	run_case("PIDFD_NONBLOCK: waitid says EAGAIN", nonblocking);
	run_case("pidfd errors: EINVAL, ESRCH, EBADF, EFAULT, EPERM", errors);
	run_case("pidfd_getfd duplicates another process's descriptor", getfd_copies);
	run_case("another user's process: EPERM; not a child: ECHILD", permissions);
	run_case("pidfd_send_signal through a /proc/PID descriptor", proc_dir_descriptor);
	run_case("clone and clone3 CLONE_PIDFD", clone_pidfd);
	return tap_done();
}
