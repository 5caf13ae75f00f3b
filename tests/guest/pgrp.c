/*
 * Process groups as the kernel keeps them: member lists and a count of each group's links
 * (alive members whose parent, not init, is in another group of the same session). These
 * cases move processes between groups and sessions and end links by exit, and check that
 * SIGHUP and SIGCONT reach a group exactly when Linux sends them: when an exit leaves a group
 * with a stopped member and no link (POSIX.1-2017 _exit(), 2.4.3), never on setpgid or
 * setsid, never to a group without a stopped member, never while another link remains.
 * Under make test the kernel is built with SPROUT_SELFCHECK, which recounts every group it
 * decides on by walking the whole process tree and panics if its kept counts disagree, so
 * these moves also check the counts.
 *
 * The last case checks the per-user process count behind RLIMIT_NPROC (kernel/rlimit.c): it
 * counts a user's processes, zombies included, and goes back down as they are reaped.
 *
 * Each case runs in a session of its own (setsid), so no outside process links its groups.
 * A member reports the signals it catches by appending 'H' (SIGHUP) or 'C' (SIGCONT) to the
 * file <base>.<its pid>. The middle processes talk to the case through pipes.
 */
#include <tap.h>

#include <sys/wait.h>

#define QUIET_MS	300	/* how long a signal that must not come is given to come */
#define REPORT_MS	10000	/* bound for a signal that must come */

static char base[4200];
static char mylog[4300];	/* in a member: its report file */

static void on_sig(int sig)
{
	int fd = open(mylog, O_WRONLY | O_APPEND | O_CREAT, 0644);
	char c = sig == SIGHUP ? 'H' : sig == SIGCONT ? 'C' : '?';

	if (fd >= 0) {
		if (write(fd, &c, 1) != 1)
			_exit(4);
		close(fd);
	}
}

/*
 * Fork a member that joins group @pgid (0: a group of its own), catches SIGHUP and SIGCONT,
 * stops itself when @stop (the caller waits until it has), then waits at most 20 s to be
 * killed. Returns its pid, or -1.
 */
static pid_t member(pid_t pgid, bool stop)
{
	int st, ready[2];
	char c = 0;
	pid_t pid;

	if (pipe(ready) < 0)
		return -1;
	pid = fork();
	if (pid == 0) {
		struct sigaction sa;

		snprintf(mylog, sizeof(mylog), "%s.%d", base, (int)getpid());
		memset(&sa, 0, sizeof(sa));
		sa.sa_handler = on_sig;
		sigaction(SIGHUP, &sa, NULL);
		sigaction(SIGCONT, &sa, NULL);
		if (setpgid(0, pgid) < 0 || write(ready[1], &c, 1) != 1)
			_exit(3);
		if (stop)
			raise(SIGSTOP);
		for (int i = 0; i < 200; i++)
			tap_sleep_ms(100);
		_exit(0);
	}
	close(ready[1]);
	/* Its own setpgid is done before anyone moves it. */
	if (pid < 0 || read(ready[0], &c, 1) != 1)
		pid = -1;
	close(ready[0]);
	if (pid < 0)
		return -1;
	if (stop && (waitpid(pid, &st, WUNTRACED) != pid || !WIFSTOPPED(st)))
		return -1;
	return pid;
}

/* What member @pid reported so far ("" when nothing). */
static const char *report(pid_t pid, char *buf, size_t len)
{
	char path[4300];
	ssize_t n;

	snprintf(path, sizeof(path), "%s.%d", base, (int)pid);
	n = tap_read_file(path, buf, len - 1);
	buf[n > 0 ? n : 0] = 0;
	return buf;
}

/*
 * Wait (bounded) until member @pid has reported as many signals as @want has; true if it
 * reported exactly those, in any order. (SIGHUP and SIGCONT arrive together when the member
 * resumes, and a kernel may run the two handlers in either order: Linux sets up both frames
 * on one return to user mode, so the SIGCONT handler, set up last, runs first.)
 */
static bool wait_report(pid_t pid, const char *want)
{
	char buf[64];

	for (int waited = 0; waited < REPORT_MS; waited += 10) {
		report(pid, buf, sizeof(buf));
		if (strlen(buf) >= strlen(want))
			break;
		tap_sleep_ms(10);
	}
	report(pid, buf, sizeof(buf));
	bool same = strlen(buf) == strlen(want);

	for (const char *w = want; same && *w; w++)
		same = strchr(buf, *w) != NULL;
	if (!same) {
		tap_diag("member %d reported \"%s\", expected \"%s\"", (int)pid, buf, want);
		return false;
	}
	return true;
}

/* Wait (bounded) until member @pid has reported signal letter @c. */
static bool wait_has(pid_t pid, char c)
{
	char buf[64];

	for (int waited = 0; waited < REPORT_MS; waited += 10) {
		if (strchr(report(pid, buf, sizeof(buf)), c))
			return true;
		tap_sleep_ms(10);
	}
	tap_diag("member %d reported \"%s\", without '%c'", (int)pid, buf, c);
	return false;
}

static bool quiet(pid_t pid)
{
	tap_sleep_ms(QUIET_MS);
	return wait_report(pid, "");
}

static void forget(pid_t pid)
{
	char path[4300];

	kill(pid, SIGKILL);
	snprintf(path, sizeof(path), "%s.%d", base, (int)pid);
	unlink(path);
}

/*
 * A middle process: runs @fn (which starts members and writes their pids to @out), then
 * obeys one byte per command from @in: 'x' exits, 's' calls setsid (answers 's'), 'w' reaps
 * every child (answers 'w').
 */
struct middle {
	pid_t pid;
	int to, from;	/* our ends: commands to it, answers from it */
};

static bool middle_start(struct middle *m, void (*fn)(int out, void *arg), void *arg)
{
	int cmd[2], ans[2];

	if (pipe(cmd) < 0 || pipe(ans) < 0)
		return false;
	fflush(NULL);
	m->pid = fork();
	if (m->pid == 0) {
		char c;

		close(cmd[1]);
		close(ans[0]);
		fn(ans[1], arg);
		while (read(cmd[0], &c, 1) == 1) {
			if (c == 'x')
				_exit(0);
			if (c == 's')
				c = setsid() > 0 ? 's' : 'e';
			if (c == 'w')
				while (wait(NULL) > 0)
					;
			if ((c == 's' || c == 'e' || c == 'w') && write(ans[1], &c, 1) != 1)
				_exit(2);
		}
		_exit(0);
	}
	close(cmd[0]);
	close(ans[1]);
	m->to = cmd[1];
	m->from = ans[0];
	return m->pid > 0;
}

static bool middle_exit(struct middle *m)
{
	int st;

	if (write(m->to, "x", 1) != 1)
		return false;
	close(m->to);
	close(m->from);
	return waitpid(m->pid, &st, 0) == m->pid && WIFEXITED(st) && WEXITSTATUS(st) == 0;
}

static pid_t read_pid(int fd)
{
	pid_t pid;

	return read(fd, &pid, sizeof(pid)) == sizeof(pid) ? pid : -1;
}

static void put_pid(int fd, pid_t pid)
{
	if (write(fd, &pid, sizeof(pid)) != sizeof(pid))
		_exit(2);
}

/* In a middle: one member in a group of @*arg (0: its own), stopped. */
static void one_stopped(int out, void *arg)
{
	put_pid(out, member(arg ? *(pid_t *)arg : 0, true));
}

static void one_running(int out, void *arg)
{
	put_pid(out, member(0, false));
}

static bool case_setup(void)
{
	tap_tmppath(base, sizeof(base), "pgrp");
	return setsid() > 0;
}

/* The one link of a group with a stopped member exits: SIGHUP and SIGCONT. */
static int case_last_link(void)
{
	struct middle m;
	pid_t g;

	CHECK(case_setup());
	CHECK(middle_start(&m, one_stopped, NULL));
	g = read_pid(m.from);
	CHECK(g > 0);
	CHECK(wait_report(g, ""));
	CHECK(middle_exit(&m));
	CHECK(wait_report(g, "HC"));
	forget(g);
	return 0;
}

/* Two members linked by two parents: the first parent's exit leaves a link, no signal; the
 * second's orphans the group: both members get SIGHUP and SIGCONT. */
static int case_two_links(void)
{
	struct middle m1, m2;
	pid_t g1, g2;

	CHECK(case_setup());
	CHECK(middle_start(&m1, one_stopped, NULL));
	g1 = read_pid(m1.from);
	CHECK(g1 > 0);
	CHECK(middle_start(&m2, one_stopped, &g1));
	g2 = read_pid(m2.from);
	CHECK(g2 > 0);
	CHECK_EQ(getpgid(g2), g1);
	CHECK(middle_exit(&m1));
	CHECK(quiet(g1));
	CHECK(quiet(g2));
	CHECK(middle_exit(&m2));
	CHECK(wait_report(g1, "HC"));
	CHECK(wait_report(g2, "HC"));
	forget(g1);
	forget(g2);
	return 0;
}

/* An exit orphans a group with no stopped member: nothing is sent. */
static int case_none_stopped(void)
{
	struct middle m;
	pid_t g;

	CHECK(case_setup());
	CHECK(middle_start(&m, one_running, NULL));
	g = read_pid(m.from);
	CHECK(g > 0);
	CHECK(middle_exit(&m));
	CHECK(quiet(g));
	forget(g);
	return 0;
}

/* The link's parent leaves the session (setsid): the group is orphaned then, but Linux sends
 * nothing on setsid, nor when that parent, now in another session, exits. */
static int case_link_leaves_session(void)
{
	struct middle m;
	char c = 0;
	pid_t g;

	CHECK(case_setup());
	CHECK(middle_start(&m, one_stopped, NULL));
	g = read_pid(m.from);
	CHECK(g > 0);
	CHECK(write(m.to, "s", 1) == 1);
	CHECK(read(m.from, &c, 1) == 1);
	CHECK_EQ(c, 's');
	CHECK(quiet(g));
	CHECK(middle_exit(&m));
	CHECK(quiet(g));
	forget(g);
	return 0;
}

/* Moves between groups; the result is written as pids c1..c4, g, then a status. */
static void churn(int out, void *arg)
{
	pid_t c[4], g;
	int bad = 0;

	for (int i = 0; i < 4; i++)
		c[i] = member(0, false);
	/* c2, c3, c4 into c1's group; c3 back to a group of its own. */
	bad |= setpgid(c[1], c[0]) ? 1 : 0;
	bad |= setpgid(c[2], c[0]) ? 2 : 0;
	bad |= setpgid(c[3], c[0]) ? 4 : 0;
	bad |= setpgid(c[2], c[2]) ? 8 : 0;
	/* c4's own group is gone (c4 left it): joining it is EPERM. */
	bad |= (setpgid(c[0], c[3]) == -1 && errno == EPERM) ? 0 : 16;
	/* Again into a group it is already in: allowed, nothing changes. */
	bad |= setpgid(c[1], c[0]) ? 32 : 0;
	g = member(c[0], true);
	bad |= g > 0 ? 0 : 64;
	for (int i = 0; i < 4; i++)
		put_pid(out, c[i]);
	put_pid(out, g);
	put_pid(out, bad);
}

/* After moves between groups, the exit of the parent orphans the big group (one member
 * stopped): each of its four members gets SIGHUP and SIGCONT; the other group nothing. */
static int case_churn(void)
{
	struct middle m;
	pid_t c[4], g, bad;

	CHECK(case_setup());
	CHECK(middle_start(&m, churn, NULL));
	for (int i = 0; i < 4; i++)
		c[i] = read_pid(m.from);
	g = read_pid(m.from);
	bad = read_pid(m.from);
	CHECK_EQ(bad, 0);
	CHECK(g > 0);
	CHECK_EQ(getpgid(c[1]), c[0]);
	CHECK_EQ(getpgid(c[2]), c[2]);
	CHECK_EQ(getpgid(c[3]), c[0]);
	CHECK_EQ(getpgid(g), c[0]);
	CHECK(middle_exit(&m));
	CHECK(wait_report(g, "HC"));
	/* The members that were not stopped get SIGCONT too. (Whether their SIGHUP handler
	 * runs is not checked: Linux 6.18 does not run it for a member that was not stopped.) */
	CHECK(wait_has(c[0], 'C'));
	CHECK(wait_has(c[1], 'C'));
	CHECK(wait_has(c[3], 'C'));
	CHECK(quiet(c[2]));
	for (int i = 0; i < 4; i++)
		forget(c[i]);
	forget(g);
	return 0;
}

/* kill(-pgid) reaches exactly the group's members, wherever their parents are. */
static int case_kill_group(void)
{
	struct middle m;
	pid_t c[4], g, bad;

	CHECK(case_setup());
	CHECK(middle_start(&m, churn, NULL));
	for (int i = 0; i < 4; i++)
		c[i] = read_pid(m.from);
	g = read_pid(m.from);
	bad = read_pid(m.from);
	CHECK_EQ(bad, 0);
	CHECK_EQ(kill(-c[0], SIGCONT), 0);
	CHECK(wait_report(g, "C"));
	CHECK(wait_report(c[0], "C"));
	CHECK(wait_report(c[1], "C"));
	CHECK(wait_report(c[3], "C"));
	CHECK(quiet(c[2]));
	CHECK_EQ(kill(-c[0], SIGKILL), 0);
	CHECK_EQ(kill(-c[2], SIGKILL), 0);
	/* Killed but not reaped: zombies stay in their group, which kill(-pgid, 0) finds. */
	tap_sleep_ms(QUIET_MS);
	CHECK_EQ(kill(-c[0], 0), 0);
	CHECK_EQ(kill(-c[0], SIGTERM), 0);
	/* Reaped, the group is gone. */
	char ans = 0;

	CHECK(write(m.to, "w", 1) == 1);
	CHECK(read(m.from, &ans, 1) == 1);
	CHECK_EQ(ans, 'w');
	CHECK_ERR(kill(-c[0], 0), ESRCH);
	CHECK_ERR(kill(-c[2], 0), ESRCH);
	CHECK(middle_exit(&m));
	for (int i = 0; i < 4; i++)
		forget(c[i]);
	forget(g);
	return 0;
}

#define NPROC_UID	3456	/* a user no other process runs as */

/* As a user with RLIMIT_NPROC 3 (itself and two children): the third child is refused, a
 * zombie still counts, and once both are reaped the next round gets its two again. */
static int case_nproc_count(void)
{
	struct rlimit rl = { 3, 3 };
	int st;

	if (getuid() != 0) {
		tap_diag("needs root to become uid %d", NPROC_UID);
		return TAP_SKIP_STATUS;
	}
	pid_t kid = fork();

	if (kid == 0) {
		if (setrlimit(RLIMIT_NPROC, &rl) || setgid(NPROC_UID) || setuid(NPROC_UID))
			_exit(1);
		for (int round = 0; round < 3; round++) {
			pid_t a = fork(), b;

			if (a == 0)
				pause();
			b = fork();
			if (b == 0)
				pause();
			if (a < 0 || b < 0)
				_exit(10 + round);
			pid_t c = fork();

			if (c == 0)
				_exit(0);
			if (c != -1 || errno != EAGAIN)
				_exit(20 + round);
			kill(a, SIGKILL);
			tap_sleep_ms(50);
			/* a is a zombie now: it still counts. */
			c = fork();
			if (c == 0)
				_exit(0);
			if (c != -1 || errno != EAGAIN)
				_exit(30 + round);
			kill(b, SIGKILL);
			if (waitpid(a, NULL, 0) != a || waitpid(b, NULL, 0) != b)
				_exit(40 + round);
		}
		_exit(0);
	}
	CHECK_EQ(waitpid(kid, &st, 0), kid);
	CHECK(WIFEXITED(st));
	CHECK_EQ(WEXITSTATUS(st), 0);
	return 0;
}

int main(void)
{
	tap_plan(7);
	run_case("the last link exits: SIGHUP and SIGCONT", case_last_link);
	run_case("a second link keeps the group: no signal until it exits", case_two_links);
	run_case("no stopped member: no SIGHUP", case_none_stopped);
	run_case("the link leaves by setsid: no SIGHUP then or at its exit", case_link_leaves_session);
	run_case("moves between groups, then an orphaning exit", case_churn);
	run_case("kill(-pgid) reaches exactly the members", case_kill_group);
	run_case("RLIMIT_NPROC counts a user's processes until reaped", case_nproc_count);
	return tap_done();
}
