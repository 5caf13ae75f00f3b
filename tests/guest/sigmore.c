/*
 * More of the signal state a process sets up and what it is owed back: SA_RESETHAND keeping
 * the other SA_ flags, unknown sa_flags bits dropped; sigwait/sigwaitinfo/sigtimedwait taking a
 * signal that was already pending or arrives while waiting, with the values rt_sigqueueinfo
 * sent; the exit signal a child chose going back to SIGCHLD when it is reparented or its
 * parent execs; RLIMIT_SIGPENDING counting queued signals per user; draining a long queue in
 * linear time.
 */
#define _GNU_SOURCE
#include <tap.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <sched.h>

#define WAIT_ALARM_S	10	/* a wait that does not return fails the case by SIGALRM */

static const char *self_path;

static volatile sig_atomic_t hits, in_handler_blocked;
static volatile int got_code, got_pid, got_value;

static void on_resethand(int sig, siginfo_t *si, void *uc)
{
	sigset_t now;

	hits++;
	got_code = si->si_code;
	got_pid = si->si_pid;
	sigprocmask(SIG_BLOCK, NULL, &now);
	in_handler_blocked = sigismember(&now, SIGUSR1) && sigismember(&now, SIGUSR2);
}

/* Item: SA_RESETHAND gives back the handler only; SA_SIGINFO and the rest stay. */
static int case_resethand_flags(void)
{
	struct sigaction sa, cur;
	const unsigned long want = SA_SIGINFO | SA_RESETHAND | SA_ONSTACK | SA_RESTART;

	memset(&sa, 0, sizeof(sa));
	sa.sa_sigaction = on_resethand;
	sa.sa_flags = want;
	sigemptyset(&sa.sa_mask);
	sigaddset(&sa.sa_mask, SIGUSR2);
	CHECK_EQ(sigaction(SIGUSR1, &sa, NULL), 0);
	CHECK_EQ(sigaction(SIGUSR1, NULL, &cur), 0);
	CHECK_EQ((unsigned long)cur.sa_flags & want, want);

	raise(SIGUSR1);
	CHECK_EQ(hits, 1);
	CHECK_EQ(got_code, SI_TKILL);		/* the siginfo handler got its siginfo */
	CHECK_EQ(got_pid, getpid());
	CHECK_EQ(in_handler_blocked, 1);	/* sa_mask and the signal itself */

	CHECK_EQ(sigaction(SIGUSR1, NULL, &cur), 0);
	CHECK(cur.sa_handler == SIG_DFL);
	CHECK_EQ((unsigned long)cur.sa_flags & want, want);
	CHECK(sigismember(&cur.sa_mask, SIGUSR2));
	return 0;
}

/* Item: flag bits rt_sigaction does not know are dropped, so programs can probe for them. */
static int case_unknown_flags(void)
{
	struct sigaction sa, cur;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = SIG_IGN;
	sa.sa_flags = SA_RESTART | 0x400;	/* SA_UNSUPPORTED */
	CHECK_EQ(sigaction(SIGUSR1, &sa, NULL), 0);
	CHECK_EQ(sigaction(SIGUSR1, NULL, &cur), 0);
	CHECK(cur.sa_flags & SA_RESTART);
	CHECK(!(cur.sa_flags & 0x400));
	sa.sa_flags = SA_NOCLDSTOP | SA_NOCLDWAIT | SA_NODEFER;
	CHECK_EQ(sigaction(SIGCHLD, &sa, NULL), 0);
	CHECK_EQ(sigaction(SIGCHLD, NULL, &cur), 0);
	CHECK_EQ((unsigned long)cur.sa_flags & (SA_NOCLDSTOP | SA_NOCLDWAIT | SA_NODEFER),
		 (unsigned long)(SA_NOCLDSTOP | SA_NOCLDWAIT | SA_NODEFER));
	return 0;
}

static void block(int sig)
{
	sigset_t s;

	sigemptyset(&s);
	sigaddset(&s, sig);
	sigprocmask(SIG_BLOCK, &s, NULL);
}

static int queue_value(pid_t pid, int sig, int value)
{
	return sigqueue(pid, sig, (union sigval){ .sival_int = value });
}

/* Item: a signal blocked and pending before the wait is taken at once, by every form. */
static int case_wait_pending(void)
{
	sigset_t s;
	siginfo_t si;
	int sig = 0;
	struct timespec ts = { 5, 0 };

	alarm(WAIT_ALARM_S);
	block(SIGUSR1);
	block(SIGRTMIN);
	sigemptyset(&s);
	sigaddset(&s, SIGUSR1);

	kill(getpid(), SIGUSR1);		/* process-directed */
	CHECK_EQ(sigwait(&s, &sig), 0);
	CHECK_EQ(sig, SIGUSR1);

	raise(SIGUSR1);				/* thread-directed */
	memset(&si, 0, sizeof(si));
	CHECK_EQ(sigwaitinfo(&s, &si), SIGUSR1);
	CHECK_EQ(si.si_code, SI_TKILL);

	CHECK_EQ(queue_value(getpid(), SIGUSR1, 5), 0);
	CHECK_EQ(sigtimedwait(&s, &si, &ts), SIGUSR1);
	CHECK_EQ(si.si_code, SI_QUEUE);
	CHECK_EQ(si.si_value.sival_int, 5);

	/* Queued real-time values arrive in order, each with its own siginfo. */
	sigaddset(&s, SIGRTMIN);
	for (int v = 41; v <= 43; v++)
		CHECK_EQ(queue_value(getpid(), SIGRTMIN, v), 0);
	for (int v = 41; v <= 43; v++) {
		memset(&si, 0, sizeof(si));
		CHECK_EQ(sigwaitinfo(&s, &si), SIGRTMIN);
		CHECK_EQ(si.si_value.sival_int, v);
		CHECK_EQ(si.si_pid, getpid());
		CHECK_EQ(si.si_uid, getuid());
	}
	/* rt_sigqueueinfo with a caller-made siginfo (negative si_code). */
	memset(&si, 0, sizeof(si));
	si.si_signo = SIGRTMIN;
	si.si_code = SI_QUEUE;
	si.si_pid = getpid();
	si.si_uid = getuid();
	si.si_value.sival_int = 77;
	CHECK_EQ(syscall(SYS_rt_sigqueueinfo, getpid(), SIGRTMIN, &si), 0);
	memset(&si, 0, sizeof(si));
	CHECK_EQ(sigwaitinfo(&s, &si), SIGRTMIN);
	CHECK_EQ(si.si_value.sival_int, 77);

	ts.tv_sec = 0;
	CHECK_ERR(sigtimedwait(&s, &si, &ts), EAGAIN);	/* nothing left */
	return 0;
}

/* Item: a signal sent by another process while the wait sleeps wakes it. */
static int case_wait_arrives(void)
{
	sigset_t s;
	siginfo_t si;
	int sig = 0;
	pid_t me = getpid(), pid;

	alarm(WAIT_ALARM_S);
	block(SIGUSR2);
	block(SIGRTMIN + 1);
	sigemptyset(&s);
	sigaddset(&s, SIGUSR2);
	pid = fork();
	if (pid == 0) {
		tap_sleep_ms(100);
		kill(me, SIGUSR2);
		tap_sleep_ms(100);
		queue_value(me, SIGRTMIN + 1, 1234);
		tap_sleep_ms(100);
		queue_value(me, SIGRTMIN + 1, 4321);
		_exit(0);
	}
	CHECK_EQ(sigwait(&s, &sig), 0);
	CHECK_EQ(sig, SIGUSR2);
	sigemptyset(&s);
	sigaddset(&s, SIGRTMIN + 1);
	memset(&si, 0, sizeof(si));
	CHECK_EQ(sigwaitinfo(&s, &si), SIGRTMIN + 1);
	CHECK_EQ(si.si_value.sival_int, 1234);
	CHECK_EQ(si.si_pid, pid);
	/* A timeout too long to ever expire is no timeout (not one long past). */
	struct timespec ts = { (time_t)(~0ULL >> 1), 0 };

	memset(&si, 0, sizeof(si));
	CHECK_EQ(sigtimedwait(&s, &si, &ts), SIGRTMIN + 1);
	CHECK_EQ(si.si_value.sival_int, 4321);
	CHECK_EQ(tap_wait_bounded(pid, 10), 0);
	return 0;
}

/* A SIGCHLD-style wait for a child whatever its exit signal (__WALL). */
static int wait_any(pid_t pid)
{
	int status = -1;

	while (waitpid(pid, &status, __WALL) == -1 && errno == EINTR)
		;
	return status;
}

static char clone_stack[64 * 1024] __attribute__((aligned(16)));

static int sleep_then_exit(void *arg)
{
	tap_sleep_ms((long)(intptr_t)arg);
	_exit(0);
}

static volatile sig_atomic_t usr1_hits;
static void on_usr1(int sig) { usr1_hits++; }

/*
 * Item: an orphan's exit signal goes back to SIGCHLD. The case child is a subreaper; its
 * child makes a grandchild whose exit signal is SIGKILL (or SIGUSR1) and exits at once, so the
 * grandchild is adopted by the case child, which must get SIGCHLD from it.
 */
static int orphan_with_exit_signal(int exit_sig)
{
	char path[4200];
	pid_t mid, gc = -1;
	char buf[32];

	CHECK_EQ(prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0), 0);
	tap_tmppath(path, sizeof(path), "orphan-gc");
	unlink(path);
	mid = fork();
	if (mid == 0) {
		pid_t g = clone(sleep_then_exit, clone_stack + sizeof(clone_stack), exit_sig,
				(void *)300L);
		snprintf(buf, sizeof(buf), "%d", (int)g);
		tap_write_file(path, buf, strlen(buf), 0600);
		_exit(g > 0 ? 0 : 1);
	}
	CHECK_EQ(wait_any(mid), 0);
	CHECK(tap_read_file(path, buf, sizeof(buf)) > 0);
	unlink(path);
	gc = atoi(buf);
	CHECK(gc > 0);
	int st = wait_any(gc);		/* the subreaper lives to reap it */

	CHECK(WIFEXITED(st) && WEXITSTATUS(st) == 0);
	return 0;
}

static int case_reparent_sigkill(void)
{
	orphan_with_exit_signal(SIGKILL);
	return 0;
}

static int case_reparent_sigusr1(void)
{
	signal(SIGUSR1, on_usr1);
	orphan_with_exit_signal(SIGUSR1);
	CHECK_EQ(usr1_hits, 0);
	/* An adopted child is an ordinary child now: wait without __WALL sees it. */
	return 0;
}

/*
 * Item: after its parent execs, a child's chosen exit signal becomes SIGCHLD (self_exec_id).
 * The case child blocks SIGUSR1 and SIGCHLD, clones a child with exit signal SIGUSR1, and
 * execs this program again with "--exec-check PID"; the new image waits for that child and
 * exits 0 only if SIGCHLD and not SIGUSR1 became pending.
 */
static int exec_check_main(pid_t child)
{
	sigset_t pend;
	int st = -1;

	/* Still a "clone" child for wait (Linux only changes the signal sent). */
	while (waitpid(child, &st, __WCLONE) == -1 && errno == EINTR)
		;

	if (!WIFEXITED(st))
		return 2;
	if (sigpending(&pend) != 0)
		return 3;
	if (sigismember(&pend, SIGUSR1))
		return 4;
	if (!sigismember(&pend, SIGCHLD))
		return 5;
	return 0;
}

static int case_exec_resets_exit_signal(void)
{
	char arg[32];
	sigset_t s;

	sigemptyset(&s);
	sigaddset(&s, SIGUSR1);
	sigaddset(&s, SIGCHLD);
	sigprocmask(SIG_BLOCK, &s, NULL);
	pid_t c = clone(sleep_then_exit, clone_stack + sizeof(clone_stack), SIGUSR1,
			(void *)500L);

	CHECK(c > 0);
	snprintf(arg, sizeof(arg), "%d", (int)c);
	execl(self_path, self_path, "--exec-check", arg, (char *)NULL);
	tap_diag("execl %s: %s", self_path, strerror(errno));
	return 1;
}

/* Without exec, the chosen exit signal is still what the parent gets. */
static int case_exit_signal_kept(void)
{
	sigset_t s, pend;

	sigemptyset(&s);
	sigaddset(&s, SIGUSR1);
	sigaddset(&s, SIGCHLD);
	sigprocmask(SIG_BLOCK, &s, NULL);
	pid_t c = clone(sleep_then_exit, clone_stack + sizeof(clone_stack), SIGUSR1,
			(void *)10L);

	CHECK(c > 0);
	CHECK(WIFEXITED(wait_any(c)));
	sigpending(&pend);
	CHECK(sigismember(&pend, SIGUSR1));
	CHECK(!sigismember(&pend, SIGCHLD));
	return 0;
}

/* Give up root for an unusual uid, so the per-user count is ours alone. */
static bool become_user(uid_t uid)
{
	if (setresgid(uid, uid, uid) != 0 || setresuid(uid, uid, uid) != 0) {
		tap_diag("setresuid(%u): %s", (unsigned)uid, strerror(errno));
		return false;
	}
	return true;
}

/*
 * Item: RLIMIT_SIGPENDING. A user may have at most that many signals queued (counted on the
 * receiver's real uid, against the receiver's limit); the next sigqueue of a real-time signal
 * fails with EAGAIN, kill(2) still makes it pending, and taking one frees a place.
 */
static int case_sigpending_limit(void)
{
	struct rlimit rl = { 16, 16 };
	siginfo_t si;
	sigset_t s;
	pid_t child;
	int ok = 0;

	if (!become_user(54321))
		return 1;
	CHECK_EQ(setrlimit(RLIMIT_SIGPENDING, &rl), 0);
	block(SIGRTMIN);
	child = fork();
	if (child == 0) {
		/* Blocks SIGRTMIN (inherited) and lets its queue fill up. */
		for (;;)
			pause();
	}
	for (int i = 0; i < 40; i++) {
		if (queue_value(child, SIGRTMIN, i) == 0)
			ok++;
		else
			CHECK_EQ(errno, EAGAIN);
	}
	CHECK_EQ(ok, 16);
	CHECK_EQ(kill(child, SIGRTMIN), 0);	/* SI_USER: pending, its siginfo lost */
	kill(child, SIGKILL);
	waitpid(child, NULL, 0);

	/* The same on the caller's own queue; taking one gives a place back. */
	ok = 0;
	for (int i = 0; i < 20; i++)
		if (queue_value(getpid(), SIGRTMIN, i) == 0)
			ok++;
	CHECK_EQ(ok, 16);
	sigemptyset(&s);
	sigaddset(&s, SIGRTMIN);
	CHECK_EQ(sigwaitinfo(&s, &si), SIGRTMIN);
	CHECK_EQ(si.si_value.sival_int, 0);
	CHECK_EQ(queue_value(getpid(), SIGRTMIN, 99), 0);
	CHECK_ERR(queue_value(getpid(), SIGRTMIN, 100), EAGAIN);
	/* Standard signals from kill(2) are never refused. */
	block(SIGUSR1);
	CHECK_EQ(kill(getpid(), SIGUSR1), 0);
	return 0;
}

static long long drain_ms(int sig, int n)
{
	sigset_t s;
	siginfo_t si;
	long long t0 = tap_now_ms();

	sigemptyset(&s);
	sigaddset(&s, sig);
	for (int i = 0; i < n; i++) {
		if (sigwaitinfo(&s, &si) != sig || si.si_value.sival_int != i) {
			tap_diag("drain %d: entry %d wrong (value %d)", sig, i,
				 si.si_value.sival_int);
			return -1;
		}
	}
	return tap_now_ms() - t0;
}

/*
 * Item: taking signals from a long queue is O(1) each. N records of SIGRTMIN+1 are queued
 * first, then N of SIGRTMIN; the SIGRTMIN ones (behind the others) must drain about as fast
 * as the SIGRTMIN+1 ones do afterwards, not N times slower. Sprout's own promise: on Linux
 * (one list scanned per take) only the order and values are checked.
 */
static int case_drain_linear(void)
{
	enum { N = 12000 };
	struct rlimit rl = { 4 * N, 4 * N };
	long long slow, fast;

	CHECK_EQ(setrlimit(RLIMIT_SIGPENDING, &rl), 0);
	block(SIGRTMIN);
	block(SIGRTMIN + 1);
	for (int i = 0; i < N; i++)
		if (queue_value(getpid(), SIGRTMIN + 1, i) != 0)
			return tap_diag("queue %d: %s", i, strerror(errno)), 1;
	for (int i = 0; i < N; i++)
		if (queue_value(getpid(), SIGRTMIN, i) != 0)
			return tap_diag("queue %d: %s", i, strerror(errno)), 1;
	slow = drain_ms(SIGRTMIN, N);
	fast = drain_ms(SIGRTMIN + 1, N);
	tap_diag("drained %d behind %d in %lld ms, %d alone in %lld ms", N, N, slow, N, fast);
	CHECK(slow >= 0 && fast >= 0);
	if (!tap_on_sprout()) {
		/* Linux keeps one list for all signals and scans it on every take. */
		tap_diag("Linux's signal queue is quadratic for this order: timing not checked");
		return TAP_SKIP_STATUS;
	}
	CHECK(slow <= 3 * fast + 200);
	return 0;
}

int main(int argc, char **argv)
{
	self_path = argv[0];
	if (argc == 3 && strcmp(argv[1], "--exec-check") == 0)
		return exec_check_main(atoi(argv[2]));

	tap_plan(10);
	run_case("SA_RESETHAND resets the handler only, SA_SIGINFO and mask stay", case_resethand_flags);
	run_case("unknown sa_flags bits are dropped, known ones kept", case_unknown_flags);
	run_case("sigwait/sigwaitinfo/sigtimedwait take an already pending signal", case_wait_pending);
	run_case("sigwait/sigwaitinfo wake for a signal sent while waiting", case_wait_arrives);
	run_case("an orphan's SIGKILL exit signal becomes SIGCHLD (subreaper lives)",
		 case_reparent_sigkill);
	run_case("an orphan's SIGUSR1 exit signal becomes SIGCHLD", case_reparent_sigusr1);
	run_case("the parent's exec turns a child's exit signal into SIGCHLD",
		 case_exec_resets_exit_signal);
	run_case("without exec or reparenting the chosen exit signal is sent", case_exit_signal_kept);
	run_case("RLIMIT_SIGPENDING: EAGAIN at the per-user limit", case_sigpending_limit);
	run_case("draining a long signal queue is linear", case_drain_linear);
	return tap_done();
}
