/*
 * clone3(2): the argument block (size rules: EINVAL below the first version, E2BIG past a page
 * or with unknown non-zero bytes), Linux's flag and field checks, the same sharing flags as
 * clone, CLONE_CLEAR_SIGHAND, CLONE_PARENT_SETTID/CHILD_SETTID, and set_tid (choosing the pid:
 * privileged only, EEXIST when taken).
 */
#define _GNU_SOURCE
#include <tap.h>
#include <sched.h>
#include <sys/syscall.h>

#ifndef SYS_clone3
#define SYS_clone3	435
#endif
#define CLONE_CLEAR_SIGHAND_	0x100000000ULL
#define CLONE_INTO_CGROUP_	0x200000000ULL
#define UNPRIV_UID		1000

struct cargs {
	uint64_t flags, pidfd, child_tid, parent_tid, exit_signal, stack, stack_size, tls;
	uint64_t set_tid, set_tid_size, cgroup;
};

static long clone3_(void *args, size_t size)
{
	return syscall(SYS_clone3, args, size);
}

static int exit_code(pid_t pid)
{
	int st = tap_wait_bounded(pid, 20);

	return st >= 0 && WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}

static int fork_like(void)
{
	struct cargs a = { .exit_signal = SIGCHLD };
	long pid = clone3_(&a, 64);

	if (pid == 0)
		_exit(5);
	CHECK(pid > 0);
	CHECK_EQ(exit_code((pid_t)pid), 5);
	/* Version 2 (88 bytes) and a larger block with zero tail bytes. */
	char big[256] = { 0 };

	memcpy(big, &a, sizeof(a));
	pid = clone3_(big, sizeof(big));
	if (pid == 0)
		_exit(6);
	CHECK(pid > 0);
	CHECK_EQ(exit_code((pid_t)pid), 6);
	return 0;
}

static int tids_and_files(void)
{
	static volatile pid_t ptid, ctid;
	int fd = dup(0);
	struct cargs a = {
		.flags = CLONE_PARENT_SETTID | CLONE_CHILD_SETTID | CLONE_FILES,
		.exit_signal = SIGCHLD,
		.parent_tid = (uintptr_t)&ptid,
		.child_tid = (uintptr_t)&ctid,
	};
	long pid = clone3_(&a, sizeof(a));

	if (pid == 0) {
		/* CLONE_CHILD_SETTID wrote our tid in our (copied) memory. */
		if (ctid != getpid())
			_exit(2);
		close(fd);	/* the table is shared: the parent loses it too */
		_exit(0);
	}
	CHECK(pid > 0);
	CHECK_EQ(ptid, pid);
	CHECK_EQ(exit_code((pid_t)pid), 0);
	CHECK_ERR(fcntl(fd, F_GETFD), EBADF);
	CHECK_EQ(ctid, 0);	/* the parent's copy was not written */
	return 0;
}

static void on_usr1(int sig)
{
	(void)sig;
}

static int clear_sighand(void)
{
	struct cargs a = { .flags = CLONE_CLEAR_SIGHAND_, .exit_signal = SIGCHLD };
	long pid;

	signal(SIGUSR1, on_usr1);
	signal(SIGUSR2, SIG_IGN);
	pid = clone3_(&a, sizeof(a));
	if (pid == 0) {
		struct sigaction s1, s2;

		sigaction(SIGUSR1, NULL, &s1);
		sigaction(SIGUSR2, NULL, &s2);
		_exit(s1.sa_handler == SIG_DFL && s2.sa_handler == SIG_IGN ? 0 : 1);
	}
	CHECK(pid > 0);
	CHECK_EQ(exit_code((pid_t)pid), 0);
	return 0;
}

static int errors(void)
{
	struct cargs a = { .exit_signal = SIGCHLD };
	char big[8192] = { 0 };
	int tid = 0;

	CHECK_ERR(clone3_(&a, 0), EINVAL);
	CHECK_ERR(clone3_(&a, 63), EINVAL);
	CHECK_ERR(clone3_(big, 4097), E2BIG);
	memcpy(big, &a, sizeof(a));
	big[100] = 1;
	CHECK_ERR(clone3_(big, 128), E2BIG);
	CHECK_ERR(clone3_(tap_bad_ptr(16), 64), EFAULT);
	a.flags = SIGCHLD;				/* a signal in flags */
	CHECK_ERR(clone3_(&a, 64), EINVAL);
	a.flags = 0x00400000;				/* CLONE_DETACHED */
	CHECK_ERR(clone3_(&a, 64), EINVAL);
	a.flags = 0;
	a.exit_signal = 65;
	CHECK_ERR(clone3_(&a, 64), EINVAL);
	a.exit_signal = 0x100 | SIGCHLD;
	CHECK_ERR(clone3_(&a, 64), EINVAL);
	a.exit_signal = SIGCHLD;
	a.flags = CLONE_THREAD;				/* without CLONE_SIGHAND */
	CHECK_ERR(clone3_(&a, 64), EINVAL);
	a.flags = CLONE_THREAD | CLONE_SIGHAND | CLONE_VM;	/* a thread with an exit signal */
	CHECK_ERR(clone3_(&a, 64), EINVAL);
	a.exit_signal = 0;
	a.flags = CLONE_SIGHAND | CLONE_VM | CLONE_CLEAR_SIGHAND_;
	CHECK_ERR(clone3_(&a, 64), EINVAL);
	a.flags = 0;
	a.exit_signal = SIGCHLD;
	a.stack = (uintptr_t)big;			/* a stack without a size */
	CHECK_ERR(clone3_(&a, 64), EINVAL);
	a.stack = 0;
	a.stack_size = 4096;				/* a size without a stack */
	CHECK_ERR(clone3_(&a, 64), EINVAL);
	a.stack_size = 0;
	a.set_tid_size = 1;				/* no array */
	CHECK_ERR(clone3_(&a, sizeof(a)), EINVAL);
	a.set_tid = (uintptr_t)&tid;
	a.set_tid_size = 33;
	CHECK_ERR(clone3_(&a, sizeof(a)), EINVAL);
	a.set_tid_size = 0;				/* an array without a size */
	CHECK_ERR(clone3_(&a, sizeof(a)), EINVAL);
	a.set_tid = 0;
	a.flags = CLONE_INTO_CGROUP_;			/* needs version 2 */
	CHECK_ERR(clone3_(&a, 64), EINVAL);
	return 0;
}

static int choose_pid(void)
{
	struct cargs a = { .exit_signal = SIGCHLD, .set_tid_size = 1 };
	int want = 0, taken = getpid();
	pid_t pid;

	/* A pid nobody uses: not a process now. */
	for (want = 20000; want < 30000 && kill(want, 0) == 0; want++)
		;
	a.set_tid = (uintptr_t)&taken;
	CHECK_ERR(clone3_(&a, sizeof(a)), EEXIST);
	a.set_tid = (uintptr_t)&want;
	pid = (pid_t)clone3_(&a, sizeof(a));
	if (pid == 0)
		_exit(getpid() == want ? 0 : 1);
	CHECK_EQ(pid, want);
	CHECK_EQ(exit_code(pid), 0);
	pid = fork();
	if (pid == 0) {
		if (setuid(UNPRIV_UID))
			_exit(2);
		_exit(clone3_(&a, sizeof(a)) == -1 && errno == EPERM ? 0 : 3);
	}
	CHECK_EQ(exit_code(pid), 0);
	return 0;
}

int main(void)
{
	tap_plan(5);
	run_case("clone3 like fork; longer argument blocks with zero tails", fork_like);
	run_case("clone3 PARENT_SETTID, CHILD_SETTID, CLONE_FILES", tids_and_files);
	run_case("clone3 CLONE_CLEAR_SIGHAND", clear_sighand);
	run_case("clone3 size, flag and field errors", errors);
	run_case("clone3 set_tid: the chosen pid, EEXIST, EPERM", choose_pid);
	return tap_done();
}
