/*
 * Random system calls with hostile arguments must never bring the kernel
 * down: each round forks a child that makes thousands of calls with random
 * numbers and arguments (null, small, huge, kernel-half, non-canonical and
 * near-stack pointers), and the parent checks that the child ended (by exit
 * or a signal of its own making) and that the system still forks, execs and
 * waits afterwards. Sprout only: on Linux random calls could touch the host
 * (files named by random memory), so the cases are skipped there.
 */
#include <tap.h>
#include <sys/syscall.h>

#define ROUNDS		16
#define CALLS		2500

static unsigned long long rng = 0x9e3779b97f4a7c15ULL;

static unsigned long long next_random(void)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return rng;
}

static long hostile_arg(void)
{
	switch (next_random() % 8) {
	case 0: return 0;
	case 1: return -1;
	case 2: return (long)(next_random() % 4096);
	case 3: return (long)(0xffff800000000000UL + next_random() % 0x100000);	/* kernel half */
	case 4: return (long)(0x400000 + next_random() % 0x10000);	/* program text/data */
	case 5: return (long)next_random();				/* often non-canonical */
	case 6: return (long)(0x7ffffffde000UL + next_random() % 0x20000);	/* near the stack */
	default: return (long)(next_random() % 64);
	}
}

/* Calls that would end, replace or stall the fuzzing child by design, or that
 * reach outside it (signals to others, reboot, ptrace: TRACEME makes the child
 * stop for the test at its next signal, ATTACH stops others; writes into other
 * processes' memory). */
static bool excluded(long nr)
{
	static const long skip[] = {
		SYS_exit, SYS_exit_group, SYS_execve, SYS_execveat, SYS_fork, SYS_vfork, SYS_clone,
		SYS_clone3, SYS_kill, SYS_tkill, SYS_tgkill, SYS_reboot, SYS_pause, SYS_nanosleep,
		SYS_clock_nanosleep, SYS_wait4, SYS_waitid, SYS_read, SYS_readv, SYS_pread64,
		SYS_rt_sigsuspend, SYS_rt_sigreturn, SYS_rt_sigtimedwait, SYS_select, SYS_poll,
		SYS_pselect6, SYS_ppoll, SYS_futex, SYS_msgrcv, SYS_msgsnd, SYS_semop,
		SYS_semtimedop, SYS_epoll_wait, SYS_epoll_pwait, SYS_arch_prctl, SYS_setrlimit,
		SYS_prlimit64, SYS_alarm, SYS_setitimer, SYS_rt_sigqueueinfo, SYS_rt_tgsigqueueinfo,
		SYS_mq_timedreceive, SYS_mq_timedsend, SYS_setsid, SYS_setpgid, SYS_prctl,
		SYS_sched_yield, SYS_mount, SYS_umount2, SYS_chdir, SYS_fchdir, SYS_chroot,
		SYS_setuid, SYS_setgid, SYS_setreuid, SYS_setregid, SYS_setresuid, SYS_setresgid,
		SYS_setgroups, SYS_ioctl, SYS_ptrace, SYS_process_vm_writev,
	};

	for (size_t i = 0; i < sizeof(skip) / sizeof(skip[0]); i++)
		if (nr == skip[i])
			return true;
	return false;
}

static int fuzz_round(unsigned seed)
{
	int null = open("/dev/null", O_RDWR);

	/* Random writes to descriptors 0-2 must not reach the console. */
	if (null < 0 || dup2(null, 0) < 0 || dup2(null, 1) < 0 || dup2(null, 2) < 0)
		return 2;
	rng ^= seed * 0x2545f4914f6cdd1dULL;
	for (int i = 0; i < CALLS; i++) {
		long nr = (long)(next_random() % 335);

		if (!excluded(nr))
			syscall(nr, hostile_arg(), hostile_arg(), hostile_arg(), hostile_arg(),
				hostile_arg(), hostile_arg());
	}
	return 0;
}

static int case_fuzz(void)
{
	if (!tap_on_sprout()) {
		tap_diag("random arguments could name real files here: Sprout only");
		return TAP_SKIP_STATUS;
	}
	for (unsigned r = 0; r < ROUNDS; r++) {
		pid_t pid = fork();
		int status;

		if (pid == 0)
			_exit(fuzz_round(r + 1));
		if (!CHECK(pid > 0))
			return 1;
		status = tap_wait_bounded(pid, 60);
		/* Exit or death by a signal both mean the kernel coped. */
		CHECK(status >= 0 && (WIFEXITED(status) || WIFSIGNALED(status)));
	}
	return 0;
}

/* After the storm, the lifecycle still works. */
static int case_still_works(void)
{
	if (!tap_on_sprout()) {
		tap_diag("follows the Sprout-only fuzz case");
		return TAP_SKIP_STATUS;
	}
	for (int i = 0; i < 50; i++) {
		pid_t pid = fork();
		int status;

		if (pid == 0)
			_exit(i);
		CHECK_EQ(waitpid(pid, &status, 0), pid);
		CHECK(WIFEXITED(status) && WEXITSTATUS(status) == i);
	}
	return 0;
}

int main(void)
{
	tap_plan(2);
	run_case("random system calls with hostile arguments", case_fuzz);
	run_case("fork, exit and wait still work afterwards", case_still_works);
	return tap_done();
}
