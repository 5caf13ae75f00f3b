/*
 * waitid(2) and the rest of the wait family: P_PID, P_PGID, P_ALL; WEXITED, WNOHANG, WNOWAIT
 * and the filled siginfo_t (CLD_EXITED, CLD_KILLED); EINVAL cases; WUNTRACED/WSTOPPED and
 * WCONTINUED reports; rusage from wait4 and getrusage(RUSAGE_CHILDREN)/times() for a CPU-bound
 * child; several threads waiting at once reap every zombie exactly once; #! scripts and E2BIG.
 */
#define _GNU_SOURCE
#include <tap.h>
#include <pthread.h>
#include <sys/times.h>

static char self_path[2048];

static pid_t child_exit(int code)
{
	pid_t pid;

	fflush(NULL);
	pid = fork();
	if (pid == 0)
		_exit(code);
	return pid;
}

static int case_waitid_exit_nowait(void)
{
	siginfo_t si;
	pid_t pid = child_exit(7);

	memset(&si, 0xff, sizeof(si));
	CHECK_EQ(waitid(P_PID, pid, &si, WEXITED | WNOWAIT), 0);
	CHECK_EQ(si.si_signo, SIGCHLD);
	CHECK_EQ(si.si_code, CLD_EXITED);
	CHECK_EQ(si.si_pid, pid);
	CHECK_EQ(si.si_uid, getuid());
	CHECK_EQ(si.si_status, 7);
	/* WNOWAIT left it waitable: reaped now, then gone. */
	memset(&si, 0, sizeof(si));
	CHECK_EQ(waitid(P_PID, pid, &si, WEXITED), 0);
	CHECK_EQ(si.si_pid, pid);
	CHECK_ERR(waitid(P_PID, pid, &si, WEXITED), ECHILD);
	return 0;
}

static int case_waitid_killed_nohang(void)
{
	siginfo_t si;
	pid_t pid;

	fflush(NULL);
	pid = fork();
	if (pid == 0) {
		for (;;)
			pause();
	}
	memset(&si, 0xff, sizeof(si));
	CHECK_EQ(waitid(P_PID, pid, &si, WEXITED | WNOHANG), 0);
	CHECK_EQ(si.si_pid, 0);	/* nothing to report: zeroed */
	CHECK_EQ(si.si_signo, 0);
	CHECK_EQ(kill(pid, SIGKILL), 0);
	CHECK_EQ(waitid(P_PID, pid, &si, WEXITED), 0);
	CHECK_EQ(si.si_code, CLD_KILLED);
	CHECK_EQ(si.si_status, SIGKILL);
	return 0;
}

static int case_waitid_idtypes(void)
{
	siginfo_t si;
	pid_t a, b;

	setpgid(0, 0);
	a = child_exit(1);
	fflush(NULL);
	b = fork();
	if (b == 0) {
		setpgid(0, 0);
		_exit(2);
	}
	setpgid(b, b);	/* either side may win the race; both set the same group */
	CHECK_EQ(waitid(P_PGID, b, &si, WEXITED), 0);
	CHECK_EQ(si.si_pid, b);
	CHECK_EQ(waitid(P_PGID, 0, &si, WEXITED), 0);	/* our own group */
	CHECK_EQ(si.si_pid, a);
	a = child_exit(3);
	CHECK_EQ(waitid(P_ALL, 12345, &si, WEXITED), 0);	/* the id is ignored */
	CHECK_EQ(si.si_pid, a);
	CHECK_EQ(si.si_status, 3);
	CHECK_ERR(waitid(P_ALL, 0, &si, WEXITED), ECHILD);
	CHECK_ERR(waitid(P_PID, 0, &si, WEXITED), EINVAL);
	CHECK_ERR(waitid(P_PGID, -1, &si, WEXITED), EINVAL);
	CHECK_ERR(waitid(P_ALL, 0, &si, WNOHANG), EINVAL);	/* no event asked for */
	CHECK_ERR(waitid((idtype_t)7, 0, &si, WEXITED), EINVAL);
	CHECK_ERR(waitpid(-1, NULL, 0x100), EINVAL);
	return 0;
}

/* Stop and continue reports, through SIGSTOP/SIGCONT delivery. */
static int case_stop_continue(void)
{
	int status = -1;
	siginfo_t si;
	pid_t pid;
	pid_t r = 0;

	fflush(NULL);
	pid = fork();
	if (pid == 0) {
		for (;;)
			pause();
	}
	kill(pid, SIGSTOP);
	for (int i = 0; i < 200 && r == 0; i++) {
		r = waitpid(pid, &status, WUNTRACED | WNOHANG);
		if (r == 0)
			tap_sleep_ms(10);
	}
	if (!CHECK_EQ(r, pid)) {
		tap_diag("no stop reported within 2 s of SIGSTOP");
		kill(pid, SIGKILL);
		waitpid(pid, NULL, 0);
		return 1;
	}
	CHECK(WIFSTOPPED(status) && WSTOPSIG(status) == SIGSTOP);
	CHECK_EQ(waitpid(pid, &status, WUNTRACED | WNOHANG), 0);	/* reported once */
	kill(pid, SIGCONT);
	memset(&si, 0, sizeof(si));
	CHECK_EQ(waitid(P_PID, pid, &si, WCONTINUED), 0);
	CHECK_EQ(si.si_code, CLD_CONTINUED);
	CHECK_EQ(si.si_status, SIGCONT);
	kill(pid, SIGKILL);
	CHECK_EQ(waitpid(pid, &status, 0), pid);
	CHECK(WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL);
	return 0;
}

static int case_rusage(void)
{
	struct rusage ru, rc;
	struct tms tms;
	int status;
	pid_t pid;

	fflush(NULL);
	pid = fork();
	if (pid == 0) {
		long long t0 = tap_now_ms();
		volatile unsigned long x = 0;

		while (tap_now_ms() - t0 < 300)
			x++;
		_exit(0);
	}
	CHECK_EQ(wait4(pid, &status, 0, &ru), pid);
	CHECK(ru.ru_utime.tv_sec * 1000000 + ru.ru_utime.tv_usec +
	      ru.ru_stime.tv_sec * 1000000 + ru.ru_stime.tv_usec > 100000);
	CHECK(ru.ru_maxrss > 0 || !tap_on_sprout());	/* some hosts report 0 */
	CHECK(ru.ru_minflt > 0);
	CHECK_EQ(getrusage(RUSAGE_CHILDREN, &rc), 0);
	CHECK(rc.ru_utime.tv_sec * 1000000 + rc.ru_utime.tv_usec +
	      rc.ru_stime.tv_sec * 1000000 + rc.ru_stime.tv_usec > 100000);
	CHECK(times(&tms) != (clock_t)-1);
	CHECK(tms.tms_cutime + tms.tms_cstime > 0);
	CHECK_ERR(getrusage(99, &rc), EINVAL);
	return 0;
}

#define NCHILD 40
#define NWAITERS 4
static int reaped[NWAITERS];
static pid_t reaped_pids[NWAITERS][NCHILD];

static void *reaper(void *arg)
{
	long me = (long)arg;

	for (;;) {
		pid_t p = waitpid(-1, NULL, 0);

		if (p < 0)
			break;
		reaped_pids[me][reaped[me]++] = p;
	}
	return NULL;
}

static int case_concurrent_waiters(void)
{
	pthread_t th[NWAITERS];
	pid_t kids[NCHILD];

	for (int i = 0; i < NCHILD; i++) {
		fflush(NULL);
		kids[i] = fork();
		if (kids[i] == 0) {
			tap_sleep_ms(20 + (i % 5) * 10);
			_exit(0);
		}
	}
	for (long i = 0; i < NWAITERS; i++)
		pthread_create(&th[i], NULL, reaper, (void *)i);
	for (int i = 0; i < NWAITERS; i++)
		pthread_join(th[i], NULL);
	int total = 0;

	for (int i = 0; i < NCHILD; i++) {
		int seen = 0;

		for (int w = 0; w < NWAITERS; w++)
			for (int k = 0; k < reaped[w]; k++)
				seen += reaped_pids[w][k] == kids[i];
		CHECK_EQ(seen, 1);
		total += seen;
	}
	CHECK_EQ(total, NCHILD);
	return 0;
}

static int run_exec(char *path, char **argv, int *status)
{
	pid_t pid;

	fflush(NULL);
	pid = fork();
	if (pid == 0) {
		execv(path, argv);
		_exit(100 + errno);
	}
	return waitpid(pid, status, 0) == pid ? 0 : -1;
}

static int case_shebang(void)
{
	char dir[256], s1[300], s2[300], s3[300], line[4400], out[600];
	int status = -1;

	tap_tmppath(dir, sizeof(dir), "sb");
	mkdir(dir, 0755);
	snprintf(s1, sizeof(s1), "%s/with-arg", dir);
	snprintf(s2, sizeof(s2), "%s/no-arg", dir);
	snprintf(s3, sizeof(s3), "%s/loop", dir);
	snprintf(line, sizeof(line), "#! %s  show  one two \t\nignored\n", self_path);
	tap_write_file(s1, line, strlen(line), 0755);
	snprintf(line, sizeof(line), "#!%s\n", self_path);
	tap_write_file(s2, line, strlen(line), 0755);
	snprintf(line, sizeof(line), "#!%s\n", s3);
	tap_write_file(s3, line, strlen(line), 0755);

	/* With an argument: argv = interp, "show  one two", script, args after argv[0]. */
	snprintf(out, sizeof(out), "%s/out", dir);
	setenv("SB_OUT", out, 1);
	char *a1[] = { "name", "x", NULL };

	CHECK_EQ(run_exec(s1, a1, &status), 0);
	CHECK(WIFEXITED(status) && WEXITSTATUS(status) == 0);
	char got[9000], want[9000];

	tap_read_file(out, got, sizeof(got));
	snprintf(want, sizeof(want), "%s|show  one two|%s|x|", self_path, s1);
	CHECK(strcmp(got, want) == 0);
	if (strcmp(got, want))
		tap_diag("got '%s' want '%s'", got, want);
	/* Without an argument: the interpreter sees "show" nowhere, so argv[1] is the script. */
	char *a2[] = { "name", "show", NULL };

	CHECK_EQ(run_exec(s2, a2, &status), 0);
	CHECK(WIFEXITED(status) && WEXITSTATUS(status) == 0);
	tap_read_file(out, got, sizeof(got));
	snprintf(want, sizeof(want), "%s|%s|show|", self_path, s2);
	CHECK(strcmp(got, want) == 0);
	/* A script that names itself: too many levels. */
	CHECK_EQ(run_exec(s3, a2, &status), 0);
	CHECK(WIFEXITED(status) && WEXITSTATUS(status) == 100 + ELOOP);
	unlink(s1);
	unlink(s2);
	unlink(s3);
	unlink(out);
	rmdir(dir);
	return 0;
}

static int case_e2big(void)
{
	static char big[200000];
	char *argv[] = { self_path, big, NULL };
	int status = -1;

	memset(big, 'a', sizeof(big) - 1);
	CHECK_EQ(run_exec(self_path, argv, &status), 0);	/* one string over 128 KiB */
	CHECK(WIFEXITED(status) && WEXITSTATUS(status) == 100 + E2BIG);
	/* 32 strings of 100 KB: 3.2 MB, over a quarter of the 8 MiB stack. */
	char *many[34];

	big[100000] = '\0';
	many[0] = self_path;
	for (int i = 1; i < 33; i++)
		many[i] = big;
	many[33] = NULL;
	CHECK_EQ(run_exec(self_path, many, &status), 0);
	CHECK(WIFEXITED(status) && WEXITSTATUS(status) == 100 + E2BIG);
	return 0;
}

/* As interpreter: write "argv[0]|argv[1]|...|" to $SB_OUT. */
static int interp_main(int argc, char **argv)
{
	char buf[1200] = "";
	size_t n = 0;

	for (int i = 0; i < argc && n < sizeof(buf) - 1; i++)
		n += snprintf(buf + n, sizeof(buf) - n, "%s|", argv[i]);
	return tap_write_file(getenv("SB_OUT"), buf, strlen(buf), 0644) == 0 ? 0 : 1;
}

int main(int argc, char **argv)
{
	if (getenv("SB_OUT") && argc >= 2)
		return interp_main(argc, argv);
	snprintf(self_path, sizeof(self_path), "%s", argv[0]);
	if (self_path[0] != '/') {
		char cwd[1024];

		if (getcwd(cwd, sizeof(cwd)))
			snprintf(self_path, sizeof(self_path), "%s/%s", cwd, argv[0]);
	}
	tap_plan(8);
	run_case("waitid P_PID: siginfo of an exit, WNOWAIT then reap", case_waitid_exit_nowait);
	run_case("waitid WNOHANG zeroes siginfo; CLD_KILLED", case_waitid_killed_nohang);
	run_case("waitid P_PGID, P_ALL; EINVAL and ECHILD cases", case_waitid_idtypes);
	run_case("WUNTRACED and WCONTINUED report once", case_stop_continue);
	run_case("rusage of a CPU-bound child: wait4, RUSAGE_CHILDREN, times", case_rusage);
	run_case("4 threads waiting at once reap each of 40 zombies once",
		 case_concurrent_waiters);
	run_case("#! scripts with and without an argument; ELOOP", case_shebang);
	run_case("execve E2BIG: a string over 128 KiB, a total over 2 MiB", case_e2big);
	return tap_done();
}
