/*
 * Termination by others across processes: stop and continue seen through WUNTRACED/WCONTINUED,
 * SIGCHLD with its CLD_* codes, automatic reaping, process groups and sessions with their
 * errors, the hangup of orphaned groups with stopped members, PR_SET_PDEATHSIG, child
 * subreapers, credentials and kill permission, and each resource limit's effect.
 */
#define _GNU_SOURCE
#include <tap.h>
#include <grp.h>
#include <sys/prctl.h>
#include <sys/syscall.h>

#define OTHER_UID	54321	/* a user no other process runs as */

static volatile sig_atomic_t hits;
static const char *self_path;	/* argv[0]: this program, exec'd again by some cases */

static void on_count(int sig) { hits++; }

/* A child that sleeps until killed (bounded, in case the test fails). */
static pid_t spawn_sleeper(void)
{
	pid_t pid = fork();

	if (pid == 0) {
		for (int i = 0; i < 3000; i++)
			tap_sleep_ms(10);
		_exit(0);
	}
	return pid;
}

static int case_stop_continue(void)
{
	int status;
	pid_t kid = spawn_sleeper();

	CHECK_EQ(kill(kid, SIGSTOP), 0);
	CHECK_EQ(waitpid(kid, &status, WUNTRACED), kid);
	CHECK(WIFSTOPPED(status) && WSTOPSIG(status) == SIGSTOP);
	/* The report is consumed: nothing more to say with WNOHANG. */
	CHECK_EQ(waitpid(kid, &status, WUNTRACED | WNOHANG), 0);
	CHECK_EQ(kill(kid, SIGCONT), 0);
	CHECK_EQ(waitpid(kid, &status, WCONTINUED), kid);
	CHECK(WIFCONTINUED(status));
	/* Terminal stops are discarded in orphaned groups (POSIX): give the child
	 * a group of its own, tied to the session through us. */
	CHECK_EQ(setpgid(kid, kid), 0);
	CHECK_EQ(kill(kid, SIGTSTP), 0);
	CHECK_EQ(waitpid(kid, &status, WUNTRACED), kid);
	CHECK(WIFSTOPPED(status) && WSTOPSIG(status) == SIGTSTP);
	/* SIGKILL ends a stopped process. */
	CHECK_EQ(kill(kid, SIGKILL), 0);
	CHECK_EQ(waitpid(kid, &status, 0), kid);
	CHECK(WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL);
	return 0;
}

/* SIGCHLD's siginfo for exit, kill, stop and continue, taken with sigtimedwait. */
static int case_sigchld_codes(void)
{
	struct timespec ts = { 5, 0 };
	sigset_t s;
	siginfo_t si;
	int status;
	pid_t kid;

	sigemptyset(&s);
	sigaddset(&s, SIGCHLD);
	sigprocmask(SIG_BLOCK, &s, NULL);

	kid = fork();
	if (kid == 0)
		_exit(42);
	CHECK_EQ(sigtimedwait(&s, &si, &ts), SIGCHLD);
	CHECK_EQ(si.si_code, CLD_EXITED);
	CHECK_EQ(si.si_pid, kid);
	CHECK_EQ(si.si_status, 42);
	CHECK_EQ(waitpid(kid, &status, 0), kid);

	kid = spawn_sleeper();
	kill(kid, SIGSTOP);
	CHECK_EQ(sigtimedwait(&s, &si, &ts), SIGCHLD);
	CHECK_EQ(si.si_code, CLD_STOPPED);
	CHECK_EQ(si.si_status, SIGSTOP);
	kill(kid, SIGCONT);
	CHECK_EQ(sigtimedwait(&s, &si, &ts), SIGCHLD);
	CHECK_EQ(si.si_code, CLD_CONTINUED);
	CHECK_EQ(si.si_status, SIGCONT);
	kill(kid, SIGTERM);
	CHECK_EQ(sigtimedwait(&s, &si, &ts), SIGCHLD);
	CHECK_EQ(si.si_code, CLD_KILLED);
	CHECK_EQ(si.si_status, SIGTERM);
	CHECK_EQ(si.si_pid, kid);
	CHECK_EQ(waitpid(kid, &status, 0), kid);

	/* SA_NOCLDSTOP: no SIGCHLD for stops. */
	struct sigaction sa;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_count;
	sa.sa_flags = SA_NOCLDSTOP;
	sigaction(SIGCHLD, &sa, NULL);
	kid = spawn_sleeper();
	kill(kid, SIGSTOP);
	CHECK_EQ(waitpid(kid, &status, WUNTRACED), kid);
	struct timespec shortwait = { 0, 100 * 1000 * 1000 };

	CHECK_ERR(sigtimedwait(&s, &si, &shortwait), EAGAIN);
	kill(kid, SIGKILL);
	CHECK_EQ(waitpid(kid, &status, 0), kid);
	return 0;
}

/* Each of n children exits; SIGCHLD handler counts (standard signals merge, so
 * the children exit one at a time). */
static int case_sigchld_count(void)
{
	signal(SIGCHLD, on_count);
	for (int i = 0; i < 5; i++) {
		int status;
		pid_t kid = fork();

		if (kid == 0)
			_exit(i);
		CHECK_EQ(waitpid(kid, &status, 0), kid);
		CHECK_EQ(hits, i + 1);
	}
	return 0;
}

static int case_autoreap(void)
{
	int status;
	struct sigaction sa;

	signal(SIGCHLD, SIG_IGN);
	for (int i = 0; i < 3; i++)
		if (fork() == 0)
			_exit(1);
	/* wait blocks until they are all gone, then there is nobody to wait for. */
	CHECK_ERR(waitpid(-1, &status, 0), ECHILD);

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_count;
	sa.sa_flags = SA_NOCLDWAIT;
	sigaction(SIGCHLD, &sa, NULL);
	pid_t kid = fork();

	if (kid == 0)
		_exit(1);
	CHECK_ERR(waitpid(-1, &status, 0), ECHILD);
	/* With a handler, SA_NOCLDWAIT still delivers SIGCHLD. */
	for (int i = 0; i < 200 && !hits; i++)
		tap_sleep_ms(5);
	CHECK_EQ(hits, 1);
	return 0;
}

/* ---- groups and sessions ---- */

static int case_pgrp_rules(void)
{
	int status;
	pid_t me = getpid();
	pid_t kid = spawn_sleeper();

	CHECK_EQ(getpgid(0), getpgrp());
	CHECK_EQ(setpgid(0, 0), 0);
	CHECK_EQ(getpgrp(), me);
	CHECK_EQ(setpgid(kid, kid), 0);
	CHECK_EQ(getpgid(kid), kid);
	CHECK_EQ(setpgid(kid, me), 0);	/* back into our group */
	CHECK_EQ(getpgid(kid), me);
	CHECK_ERR(setpgid(kid, 999999), EPERM);	/* no such group in the session */
	CHECK_ERR(setpgid(-1, 0), EINVAL);
	CHECK_ERR(setpgid(0, -1), EINVAL);
	CHECK_ERR(setpgid(1, 1), ESRCH);	/* not our child */
	CHECK_ERR(getpgid(999999), ESRCH);
	CHECK_ERR(getsid(999999), ESRCH);
	/* We lead a group: setsid is refused. */
	CHECK_ERR(setsid(), EPERM);

	/* kill(0) reaches our whole group (ourselves too: ignore it here). */
	signal(SIGUSR1, SIG_IGN);
	CHECK_EQ(kill(0, SIGUSR1), 0);
	signal(SIGUSR1, SIG_DFL);
	kill(kid, SIGKILL);
	CHECK_EQ(waitpid(kid, &status, 0), kid);

	/* kill(-pgid) signals that group only. */
	kid = spawn_sleeper();
	CHECK_EQ(setpgid(kid, kid), 0);
	CHECK_EQ(kill(-kid, SIGTERM), 0);
	CHECK_EQ(waitpid(kid, &status, 0), kid);
	CHECK(WIFSIGNALED(status) && WTERMSIG(status) == SIGTERM);
	CHECK_ERR(kill(-kid, SIGTERM), ESRCH);

	/* A child in a new session: its own group and session; the parent
	 * cannot move it any more. */
	kid = fork();
	if (kid == 0) {
		if (setsid() != getpid() || getsid(0) != getpid() || getpgrp() != getpid())
			_exit(1);
		tap_sleep_ms(300);
		_exit(0);
	}
	tap_sleep_ms(100);
	CHECK_EQ(getsid(kid), kid);
	CHECK_ERR(setpgid(kid, me), EPERM);
	CHECK_EQ(waitpid(kid, &status, 0), kid);
	CHECK(WIFEXITED(status) && WEXITSTATUS(status) == 0);
	return 0;
}

/* setpgid on a child that has exec'd: EACCES. */
static int case_setpgid_after_exec(void)
{
	int status;
	pid_t kid = fork();

	if (kid == 0) {
		execl(self_path, "jobs", "--sleep", (char *)NULL);
		_exit(127);
	}
	/* Before the exec the move is allowed; wait until it has happened. */
	for (int i = 0; i < 500 && setpgid(kid, 0) == 0; i++)
		tap_sleep_ms(5);
	CHECK_ERR(setpgid(kid, kid), EACCES);
	kill(kid, SIGKILL);
	CHECK_EQ(waitpid(kid, &status, 0), kid);
	return 0;
}

static void on_hup_report(int sig)
{
	const char *path = getenv("SPROUT_HUP_PATH");

	if (path)
		tap_write_file(path, "hup", 3, 0644);
}

/*
 * An exit that orphans a process group with a stopped member: the group gets
 * SIGHUP and SIGCONT. Here (in a new session, so no outside parent keeps the
 * group joined) the middle process C has a child G in its own group; G stops;
 * C exits, G's group is orphaned, and G's SIGHUP handler reports.
 */
static int case_orphaned_pgrp(void)
{
	char path[4200];
	int status;

	tap_tmppath(path, sizeof(path), "hup");
	unlink(path);
	setenv("SPROUT_HUP_PATH", path, 1);
	CHECK(setsid() > 0);
	pid_t mid = fork();

	if (mid == 0) {
		pid_t g = fork();

		if (g == 0) {
			signal(SIGHUP, on_hup_report);
			setpgid(0, 0);
			raise(SIGSTOP);
			/* Continued by the SIGCONT that follows SIGHUP. */
			tap_sleep_ms(100);
			_exit(0);
		}
		if (waitpid(g, &status, WUNTRACED) != g || !WIFSTOPPED(status))
			_exit(1);
		_exit(0);
	}
	CHECK_EQ(waitpid(mid, &status, 0), mid);
	CHECK(WIFEXITED(status) && WEXITSTATUS(status) == 0);
	CHECK(tap_wait_for_file(path, 10000));
	unlink(path);
	return 0;
}

/* ---- cascading termination ---- */

static void on_pdeath(int sig)
{
	on_hup_report(sig);
	_exit(0);
}

static int case_pdeathsig(void)
{
	char path[4200];
	int status, sig = -1;

	CHECK_EQ(prctl(PR_SET_PDEATHSIG, SIGUSR2), 0);
	CHECK_EQ(prctl(PR_GET_PDEATHSIG, &sig), 0);
	CHECK_EQ(sig, SIGUSR2);
	CHECK_ERR(prctl(PR_SET_PDEATHSIG, 99), EINVAL);
	tap_tmppath(path, sizeof(path), "pdeath");
	unlink(path);
	setenv("SPROUT_HUP_PATH", path, 1);
	pid_t mid = fork();

	if (mid == 0) {
		/* PDEATHSIG is not inherited across fork. */
		if (prctl(PR_GET_PDEATHSIG, &sig) != 0 || sig != 0)
			_exit(2);
		pid_t g = fork();

		if (g == 0) {
			signal(SIGUSR1, on_pdeath);
			prctl(PR_SET_PDEATHSIG, SIGUSR1);
			for (int i = 0; i < 1000; i++)
				tap_sleep_ms(10);
			_exit(0);
		}
		tap_sleep_ms(200);
		_exit(0);
	}
	CHECK_EQ(waitpid(mid, &status, 0), mid);
	CHECK(WIFEXITED(status) && WEXITSTATUS(status) == 0);
	CHECK(tap_wait_for_file(path, 10000));
	unlink(path);
	return 0;
}

static int case_subreaper(void)
{
	int status, flag = -1;
	pid_t me = getpid();

	CHECK_EQ(prctl(PR_SET_CHILD_SUBREAPER, 1), 0);
	CHECK_EQ(prctl(PR_GET_CHILD_SUBREAPER, &flag), 0);
	CHECK_EQ(flag, 1);
	pid_t mid = fork();

	if (mid == 0) {
		pid_t g = fork();

		if (g == 0) {
			for (int i = 0; i < 1000 && getppid() != me; i++)
				tap_sleep_ms(5);
			_exit(getppid() == me ? 33 : 34);
		}
		_exit(g > 0 ? 0 : 1);
	}
	CHECK_EQ(waitpid(mid, &status, 0), mid);
	/* The orphaned grandchild is ours now: we can wait for it. */
	pid_t g = waitpid(-1, &status, 0);

	CHECK(g > 0);
	CHECK(WIFEXITED(status) && WEXITSTATUS(status) == 33);
	return 0;
}

/* ---- credentials ---- */

static int case_credentials(void)
{
	uid_t r, e, s;
	gid_t groups[4] = { 7, 8, 9, 10 }, got[8];

	if (getuid() != 0)
		return TAP_SKIP_STATUS;
	CHECK_EQ(setgroups(4, groups), 0);
	CHECK_EQ(getgroups(0, NULL), 4);
	CHECK_EQ(getgroups(8, got), 4);
	CHECK(got[0] == 7 && got[3] == 10);
	CHECK_ERR(getgroups(2, got), EINVAL);
	CHECK_EQ(setresgid(100, 101, 102), 0);
	CHECK_EQ(getresgid(&r, &e, &s), 0);
	CHECK(r == 100 && e == 101 && s == 102);
	CHECK_EQ(setresuid(1000, 1001, 0), 0);
	CHECK_EQ(getresuid(&r, &e, &s), 0);
	CHECK(r == 1000 && e == 1001 && s == 0);
	CHECK_EQ(geteuid(), 1001);
	/* Unprivileged now: only our own three ids. */
	CHECK_ERR(setuid(5), EPERM);
	CHECK_ERR(setgroups(1, groups), EPERM);
	CHECK_EQ(setresuid(-1, 0, -1), 0);	/* the saved id is 0: allowed */
	CHECK_EQ(geteuid(), 0);
	CHECK_EQ(setuid(1000), 0);	/* privileged: all three */
	CHECK_EQ(getresuid(&r, &e, &s), 0);
	CHECK(r == 1000 && e == 1000 && s == 1000);
	CHECK_ERR(setuid(0), EPERM);
	CHECK_ERR(setreuid(-1, 0), EPERM);
	return 0;
}

static int case_kill_permission(void)
{
	int status;

	if (getuid() != 0)
		return TAP_SKIP_STATUS;
	pid_t root_kid = spawn_sleeper();
	pid_t kid = fork();

	if (kid == 0) {
		if (setuid(OTHER_UID) != 0)
			_exit(1);
		/* Another user's (root's) process: EPERM, for signal 0 too. */
		if (kill(root_kid, SIGTERM) != -1 || errno != EPERM)
			_exit(2);
		if (kill(root_kid, 0) != -1 || errno != EPERM)
			_exit(3);
		if (kill(getppid(), 0) != -1 || errno != EPERM)
			_exit(4);
		/* Our own process and one of the same user: fine. */
		if (kill(getpid(), 0) != 0)
			_exit(5);
		pid_t mine = fork();

		if (mine == 0) {
			tap_sleep_ms(2000);
			_exit(0);
		}
		if (kill(mine, SIGKILL) != 0)
			_exit(6);
		if (waitpid(mine, &status, 0) != mine || !WIFSIGNALED(status))
			_exit(7);
		_exit(0);
	}
	CHECK_EQ(waitpid(kid, &status, 0), kid);
	CHECK(WIFEXITED(status) && WEXITSTATUS(status) == 0);
	if (WIFEXITED(status) && WEXITSTATUS(status))
		tap_diag("step %d failed", WEXITSTATUS(status));
	kill(root_kid, SIGKILL);
	CHECK_EQ(waitpid(root_kid, &status, 0), root_kid);
	return 0;
}

/* ---- resource limits ---- */

static int case_rlimit_rules(void)
{
	struct rlimit rl, got;

	CHECK_EQ(getrlimit(RLIMIT_NOFILE, &rl), 0);
	rl.rlim_cur = rl.rlim_max + 1;
	CHECK_ERR(setrlimit(RLIMIT_NOFILE, &rl), EINVAL);
	CHECK_ERR(getrlimit(99, &rl), EINVAL);
	rl.rlim_cur = 100, rl.rlim_max = 200;
	CHECK_EQ(setrlimit(RLIMIT_NOFILE, &rl), 0);
	/* Inherited across fork and exec. */
	pid_t kid = fork();

	if (kid == 0) {
		if (getrlimit(RLIMIT_NOFILE, &got) != 0 || got.rlim_cur != 100 || got.rlim_max != 200)
			_exit(1);
		_exit(0);
	}
	int status;

	CHECK_EQ(waitpid(kid, &status, 0), kid);
	CHECK(WIFEXITED(status) && WEXITSTATUS(status) == 0);
	CHECK_EQ(prlimit(0, RLIMIT_NOFILE, NULL, &got), 0);
	CHECK(got.rlim_cur == 100 && got.rlim_max == 200);
	/* An unprivileged process cannot raise its hard limit back. */
	if (getuid() == 0) {
		kid = fork();
		if (kid == 0) {
			struct rlimit up = { 300, 300 };

			if (setuid(OTHER_UID) != 0)
				_exit(1);
			_exit(setrlimit(RLIMIT_NOFILE, &up) == -1 && errno == EPERM ? 0 : 2);
		}
		CHECK_EQ(waitpid(kid, &status, 0), kid);
		CHECK(WIFEXITED(status) && WEXITSTATUS(status) == 0);
	}
	return 0;
}

static int case_rlimit_nproc(void)
{
	struct rlimit rl = { 1, 1 };
	int status;

	if (getuid() != 0)
		return TAP_SKIP_STATUS;
	pid_t kid = fork();

	if (kid == 0) {
		if (setrlimit(RLIMIT_NPROC, &rl) != 0 || setuid(OTHER_UID) != 0)
			_exit(1);
		pid_t g = fork();

		if (g == 0)
			_exit(0);
		if (g != -1 || errno != EAGAIN)
			_exit(2);
		_exit(0);
	}
	CHECK_EQ(waitpid(kid, &status, 0), kid);
	CHECK(WIFEXITED(status) && WEXITSTATUS(status) == 0);
	return 0;
}

static int case_rlimit_nofile(void)
{
	struct rlimit rl = { 5, 5 };

	for (int fd = 3; fd < 64; fd++)
		close(fd);
	CHECK_EQ(setrlimit(RLIMIT_NOFILE, &rl), 0);
	CHECK_EQ(dup(0), 3);
	CHECK_EQ(dup(0), 4);
	CHECK_ERR(dup(0), EMFILE);
	CHECK_ERR(open("/", O_RDONLY), EMFILE);
	CHECK_ERR(dup2(0, 5), EBADF);
	CHECK_ERR(fcntl(0, F_DUPFD, 5), EINVAL);
	close(4);
	CHECK_EQ(open("/", O_RDONLY), 4);
	return 0;
}

static volatile sig_atomic_t xfsz_seen;

static void on_xfsz(int sig)
{
	xfsz_seen++;
}

/* RLIMIT_FSIZE: a write is cut at the limit; past it SIGXFSZ and EFBIG. */
static int case_rlimit_fsize(void)
{
	struct rlimit rl = { 4096, 4096 };
	static char buf[8192];
	char path[4200];
	int fd;

	signal(SIGXFSZ, on_xfsz);
	tap_tmppath(path, sizeof(path), "fsize");
	unlink(path);
	fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0600);
	if (!CHECK(fd >= 0))
		return 0;
	CHECK_EQ(setrlimit(RLIMIT_FSIZE, &rl), 0);
	CHECK_EQ(write(fd, buf, sizeof(buf)), 4096);
	CHECK_EQ(xfsz_seen, 0);
	CHECK_ERR(write(fd, buf, 1), EFBIG);
	CHECK_EQ(xfsz_seen, 1);
	close(fd);
	unlink(path);
	return 0;
}

static int case_rlimit_memory(void)
{
	struct rlimit rl = { 64UL << 20, 64UL << 20 };
	void *p;

	CHECK_EQ(setrlimit(RLIMIT_DATA, &rl), 0);
	p = mmap(NULL, 128UL << 20, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	CHECK(p == MAP_FAILED && errno == ENOMEM);
	/* Read-only memory is not data. */
	p = mmap(NULL, 128UL << 20, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	CHECK(p != MAP_FAILED);
	if (p != MAP_FAILED)
		munmap(p, 128UL << 20);
	errno = 0;
	CHECK(sbrk(128L << 20) == (void *)-1 && errno == ENOMEM);
	p = mmap(NULL, 1UL << 20, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	CHECK(p != MAP_FAILED);

	rl.rlim_cur = rl.rlim_max = 256UL << 20;
	CHECK_EQ(setrlimit(RLIMIT_AS, &rl), 0);
	p = mmap(NULL, 512UL << 20, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	CHECK(p == MAP_FAILED && errno == ENOMEM);
	p = mmap(NULL, 16UL << 20, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	CHECK(p != MAP_FAILED);
	return 0;
}

/* Recursion with 4 KiB frames: past RLIMIT_STACK it ends in SIGSEGV. */
static int deep(int n)
{
	volatile char frame[4096];

	frame[0] = (char)n;
	if (n == 0)
		return frame[0];
	return deep(n - 1) + frame[0];
}

static int case_rlimit_stack(void)
{
	struct rlimit rl = { 256 << 10, 256 << 10 };
	int status;
	pid_t kid = fork();

	if (kid == 0) {
		/* The limit shapes the stack of the next program image. */
		execl(self_path, "jobs", "--deep", (char *)NULL);
		_exit(127);
	}
	CHECK_EQ(waitpid(kid, &status, 0), kid);
	CHECK(WIFEXITED(status) && WEXITSTATUS(status) == 0);	/* 2 MiB fit in 8 */
	kid = fork();
	if (kid == 0) {
		setrlimit(RLIMIT_STACK, &rl);
		execl(self_path, "jobs", "--deep", (char *)NULL);
		_exit(127);
	}
	CHECK_EQ(waitpid(kid, &status, 0), kid);
	CHECK(WIFSIGNALED(status) && WTERMSIG(status) == SIGSEGV);
	return 0;
}

static void on_xcpu_report(int sig)
{
	const char *path = getenv("SPROUT_HUP_PATH");

	if (path)
		tap_write_file(path, "xcpu", 4, 0644);
}

static int case_rlimit_cpu(void)
{
	char path[4200];
	int status;

	tap_tmppath(path, sizeof(path), "xcpu");
	unlink(path);
	setenv("SPROUT_HUP_PATH", path, 1);
	pid_t kid = fork();

	if (kid == 0) {
		struct rlimit rl = { 1, 2 };

		signal(SIGXCPU, on_xcpu_report);
		setrlimit(RLIMIT_CPU, &rl);
		for (;;)
			;
	}
	CHECK_EQ(waitpid(kid, &status, 0), kid);
	CHECK(WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL);
	CHECK(access(path, F_OK) == 0);
	unlink(path);
	return 0;
}

int main(int argc, char **argv)
{
	self_path = argv[0];
	if (argc > 1 && strcmp(argv[1], "--deep") == 0)
		return deep(512) == 0 ? 1 : 0;	/* 2 MiB of stack */
	if (argc > 1 && strcmp(argv[1], "--sleep") == 0) {
		tap_sleep_ms(5000);
		return 0;
	}
	tap_plan(18);
	run_case("stop, continue, kill of a stopped child via wait", case_stop_continue);
	run_case("SIGCHLD si_code for exit, stop, continue, kill", case_sigchld_codes);
	run_case("one SIGCHLD per child exit", case_sigchld_count);
	run_case("SIG_IGN and SA_NOCLDWAIT reap automatically", case_autoreap);
	run_case("process group and session rules", case_pgrp_rules);
	run_case("setpgid of an exec'd child: EACCES", case_setpgid_after_exec);
	run_case("orphaned group with a stopped member gets SIGHUP+SIGCONT", case_orphaned_pgrp);
	run_case("PR_SET_PDEATHSIG", case_pdeathsig);
	run_case("PR_SET_CHILD_SUBREAPER adopts orphans", case_subreaper);
	run_case("credentials: set*id families and groups", case_credentials);
	run_case("kill permission across users", case_kill_permission);
	run_case("rlimit rules and inheritance", case_rlimit_rules);
	run_case("RLIMIT_NPROC: fork EAGAIN", case_rlimit_nproc);
	run_case("RLIMIT_NOFILE: EMFILE", case_rlimit_nofile);
	run_case("RLIMIT_FSIZE: a short write, then SIGXFSZ and EFBIG", case_rlimit_fsize);
	run_case("RLIMIT_DATA and RLIMIT_AS: ENOMEM", case_rlimit_memory);
	run_case("RLIMIT_STACK: SIGSEGV past the limit", case_rlimit_stack);
	run_case("RLIMIT_CPU: SIGXCPU then SIGKILL", case_rlimit_cpu);
	return tap_done();
}
