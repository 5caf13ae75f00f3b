/*
 * lifecycle: a narrated walk through the life of a process, with real pids.
 *
 * This is what `make run` shows. Each section makes processes, watches them
 * and checks that the kernel kept its promise: fork returns twice, fork
 * copies memory (lazily, copy-on-write), exec replaces the program but keeps
 * the process, exit hands a status to the waiting parent, an exited child
 * stays a zombie until it is reaped, and an orphan is adopted by init.
 *
 * Only one process prints at a time (a parent waits for its child before it
 * speaks again), so the output is the same on every run apart from pids.
 * stdout is flushed before every fork: otherwise text still sitting in the
 * parent's stdio buffer would be copied into the child and printed twice.
 *
 * It uses only fork, execve, wait4/waitpid, exit, getpid/getppid, nanosleep
 * and malloc, and also runs on Linux (where the orphan's new parent may be a
 * subreaper rather than pid 1).
 */
#include <errno.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

/*
 * The build puts include/uapi ahead of libc's headers, and Sprout's
 * uapi/errno.h has only the constants; reach errno the way libc defines it.
 */
#ifndef errno
int *__errno_location(void);
#define errno (*__errno_location())
#endif

#define BUF_BYTES	(16u << 20)	/* the copy-on-write buffer: 16 MiB */
#define PAGE_BYTES	4096u

extern char **environ;

static int counter = 1;		/* a global every child inherits a copy of */
static int checks_run, checks_passed;

static void sleep_ms(long ms)
{
	struct timespec ts = { .tv_sec = ms / 1000, .tv_nsec = (ms % 1000) * 1000000 };

	while (nanosleep(&ts, &ts) < 0 && errno == EINTR)
		;
}

static pid_t fork_flushed(void)
{
	pid_t pid;

	fflush(stdout);
	pid = fork();
	if (pid < 0) {
		perror("lifecycle: fork");
		exit(1);
	}
	return pid;
}

/* A forked child's way out: its own output first, and no atexit work. */
static void child_exit(int status)
{
	fflush(stdout);
	_exit(status);
}

/* Wait for child @pid; returns its wait status, or -1 if waiting failed. */
static int wait_for(pid_t pid)
{
	int wstatus;
	pid_t got;

	do
		got = waitpid(pid, &wstatus, 0);
	while (got < 0 && errno == EINTR);
	return got == pid ? wstatus : -1;
}

static bool exited_with(int wstatus, int status)
{
	return wstatus != -1 && WIFEXITED(wstatus) && WEXITSTATUS(wstatus) == status;
}

static void check(bool ok, const char *what)
{
	checks_run++;
	if (ok)
		checks_passed++;
	printf("   %s: %s\n\n", ok ? "ok" : "FAILED", what);
}

/* (a) fork returns twice: 0 in the child, the child's pid in the parent. */
static void demo_fork(void)
{
	pid_t me = getpid();
	bool ok = true;

	printf("1. fork() makes a new process\n");
	printf("   parent %d: calling fork() three times, one child at a time\n", me);
	for (int i = 1; i <= 3; i++) {
		pid_t pid = fork_flushed();

		if (pid == 0) {
			printf("   child  %d: fork() returned 0 to me; my parent is %d\n",
			       getpid(), getppid());
			child_exit(getppid() == me ? 0 : 1);
		}
		ok &= exited_with(wait_for(pid), 0);
		printf("   parent %d: fork() returned %d to me: child #%d's pid\n", me, pid, i);
	}
	check(ok, "one call, two returns: 0 in the child, the child's pid in the parent");
}

/* (b1) A write in the child lands in the child's copy only. */
static void demo_cow_variable(void)
{
	pid_t me = getpid();
	pid_t pid;

	printf("2. The child gets a copy of the parent's memory\n");
	printf("   parent %d: counter = %d before fork()\n", me, counter);
	pid = fork_flushed();
	if (pid == 0) {
		counter = 2;
		printf("   child  %d: set counter = %d\n", getpid(), counter);
		child_exit(0);
	}
	wait_for(pid);
	printf("   parent %d: counter = %d after the child changed its copy\n", me, counter);
	check(counter == 1, "the child's write did not reach the parent");
}

static uint64_t checksum(const uint64_t *w, size_t nwords)
{
	uint64_t h = 0xcbf29ce484222325ull;

	for (size_t i = 0; i < nwords; i++)
		h = (h ^ w[i]) * 0x100000001b3ull;
	return h;
}

/*
 * (b2) The same for a large buffer. fork() does not copy the 4096 pages: it
 * shares them read-only, and each page is copied when the child first writes
 * it.
 */
static void demo_cow_buffer(void)
{
	size_t nwords = BUF_BYTES / sizeof(uint64_t);
	uint64_t *buf = malloc(BUF_BYTES);
	uint64_t before, after;
	pid_t me = getpid();
	pid_t pid;
	int wstatus;

	printf("3. Copy-on-write: a 16 MiB buffer (%u pages) shared after fork()\n",
	       BUF_BYTES / PAGE_BYTES);
	if (!buf) {
		check(false, "malloc of the 16 MiB buffer");
		return;
	}
	for (size_t i = 0; i < nwords; i++)
		buf[i] = i * 0x9e3779b97f4a7c15ull;
	before = checksum(buf, nwords);
	printf("   parent %d: filled the buffer, checksum %016llx\n", me,
	       (unsigned long long)before);
	pid = fork_flushed();
	if (pid == 0) {
		uint64_t mine;

		for (size_t i = 0; i < nwords; i++)
			buf[i] = ~buf[i];
		mine = checksum(buf, nwords);
		printf("   child  %d: rewrote every word, checksum %016llx\n", getpid(),
		       (unsigned long long)mine);
		child_exit(mine != before ? 0 : 1);
	}
	wstatus = wait_for(pid);
	after = checksum(buf, nwords);
	printf("   parent %d: after the child exited, checksum %016llx\n", me,
	       (unsigned long long)after);
	check(exited_with(wstatus, 0) && after == before,
	      "the child's rewrite went to its own copies of the pages");
	free(buf);
}

/* (c) The exec'ed program: the same process, running from a fresh image. */
static int exec_stage(const char *expected)
{
	pid_t me = getpid();
	bool same = me == (pid_t)atol(expected);

	printf("   new image %d: started with --exec-stage %s: %s\n", me, expected,
	       same ? "same pid, same process" : "a DIFFERENT process");
	printf("   new image %d: counter = %d, fresh from the program file\n", me, counter);
	return same && counter == 1 ? 0 : 1;
}

/* (c) exec replaces the program of a process and keeps its pid. */
static void demo_exec(const char *self)
{
	pid_t pid;

	printf("4. execve() replaces the program, not the process\n");
	pid = fork_flushed();
	if (pid == 0) {
		char pidstr[24];
		char *argv[] = { (char *)self, "--exec-stage", pidstr, NULL };

		snprintf(pidstr, sizeof(pidstr), "%d", getpid());
		counter = 99;
		printf("   child  %d: counter = %d; now execve(\"%s\", --exec-stage %s)\n",
		       getpid(), counter, self, pidstr);
		fflush(stdout);
		execve(self, argv, environ);
		printf("   child  %d: execve failed: %s\n", getpid(), strerror(errno));
		child_exit(127);
	}
	check(exited_with(wait_for(pid), 0),
	      "same pid after execve; the old image, counter = 99 included, is gone");
}

/* (d) exit(n) in the child becomes the wait status the parent collects. */
static void demo_exit_status(void)
{
	static const int codes[] = { 0, 7, 42 };
	pid_t me = getpid();
	pid_t pids[3];
	bool ok = true;

	printf("5. exit(status) is collected by wait\n");
	printf("   parent %d: three children running at once exit with 0, 7 and 42\n", me);
	for (int i = 0; i < 3; i++) {
		pids[i] = fork_flushed();
		if (pids[i] == 0) {
			sleep_ms(10 * (3 - i));	/* finish in reverse order: wait still sorts them */
			child_exit(codes[i]);
		}
	}
	for (int i = 0; i < 3; i++) {
		int wstatus = wait_for(pids[i]);

		printf("   parent %d: waitpid(%d) -> wait status 0x%04x, WEXITSTATUS = %d\n",
		       me, pids[i], wstatus, WIFEXITED(wstatus) ? WEXITSTATUS(wstatus) : -1);
		ok &= exited_with(wstatus, codes[i]);
	}
	check(ok, "each parent learns exactly what its child passed to exit()");
}

/* Print the state letter of /proc/<pid>/stat if there is a /proc to read. */
static void show_proc_state(pid_t pid)
{
	char path[64], line[512];
	char *paren;
	FILE *f;

	snprintf(path, sizeof(path), "/proc/%d/stat", pid);
	f = fopen(path, "r");
	if (!f)
		return;
	/* The command name may hold spaces and ')': the state follows the last ')'. */
	if (fgets(line, sizeof(line), f) && (paren = strrchr(line, ')')) && paren[1] == ' ')
		printf("   %s says state %c%s\n", path, paren[2],
		       paren[2] == 'Z' ? " (zombie)" : "");
	fclose(f);
}

/* (e) An exited child is a zombie until its parent waits for it. */
static void demo_zombie(void)
{
	pid_t me = getpid();
	pid_t pid, got;
	int wstatus;
	bool ok;

	printf("6. A zombie: exited, not yet waited for\n");
	pid = fork_flushed();
	if (pid == 0) {
		sleep_ms(200);
		child_exit(3);
	}
	got = waitpid(pid, &wstatus, WNOHANG);
	printf("   parent %d: child %d sleeps 200 ms, then exits with 3\n", me, pid);
	printf("   parent %d: waitpid(%d, WNOHANG) = %d: still running\n", me, pid, got);
	ok = got == 0;

	sleep_ms(800);
	printf("   parent %d: 800 ms later, child %d has exited and is a zombie until we"
	       " wait for it\n", me, pid);
	show_proc_state(pid);
	wstatus = wait_for(pid);
	printf("   parent %d: waitpid(%d) reaped it, exit status %d\n", me, pid,
	       WIFEXITED(wstatus) ? WEXITSTATUS(wstatus) : -1);
	ok &= exited_with(wstatus, 3);

	got = waitpid(pid, &wstatus, 0);
	printf("   parent %d: waitpid(%d) again = %d (%s): it is gone\n", me, pid, got,
	       got < 0 && errno == ECHILD ? "ECHILD" : "unexpected");
	ok &= got < 0 && errno == ECHILD;
	check(ok, "the zombie kept its pid and exit status until it was reaped, no longer");
}

/* (f) A process whose parent exits is adopted by init. */
static void demo_orphan(void)
{
	pid_t me = getpid();
	pid_t pid;

	printf("7. An orphan is adopted by init\n");
	pid = fork_flushed();
	if (pid == 0) {
		pid_t parent = getpid();
		pid_t grandchild = fork_flushed();

		if (grandchild == 0) {
			/* Poll: no signal tells a child that its parent is gone. */
			for (int tries = 0; getppid() == parent && tries < 2000; tries++)
				sleep_ms(5);
			if (getppid() == parent)
				printf("   grandchild %d: my parent %d never exited\n",
				       getpid(), parent);
			else
				printf("   grandchild %d: my parent %d exited; I was adopted"
				       " by pid %d\n", getpid(), parent, getppid());
			child_exit(0);
		}
		printf("   child  %d: forked grandchild %d and now exits, orphaning it\n",
		       parent, grandchild);
		child_exit(0);
	}
	wait_for(pid);
	/*
	 * The grandchild is not our child, so we cannot wait for it: give it
	 * time to speak before we do (and before we exit, which ends init).
	 */
	sleep_ms(500);
	printf("   parent %d: reaped child %d; the grandchild's new parent reaps it\n\n",
	       me, pid);
}

/*
 * main - run the walkthrough; with "--exec-stage <pid>" (section 4 re-executing
 * this program) only report on the new image. Returns 0 when every check
 * passed, else 1: init carries it out as the machine's exit status.
 */
int main(int argc, char **argv)
{
	const char *self = argv[0];

	if (argc == 3 && strcmp(argv[1], "--exec-stage") == 0)
		return exec_stage(argv[2]);
	/* execve needs a path; a bare name was found through PATH by a shell. */
	if (!self || !strchr(self, '/'))
		self = "/bin/lifecycle";

	printf("Sprout lifecycle walkthrough\n");
	printf("I am pid %d; my parent is pid %d.\n\n", getpid(), getppid());
	demo_fork();
	demo_cow_variable();
	demo_cow_buffer();
	demo_exec(self);
	demo_exit_status();
	demo_zombie();
	demo_orphan();
	printf("summary: %d of %d checks passed; the orphan reported its adoption itself\n",
	       checks_passed, checks_run);
	return checks_passed == checks_run ? 0 : 1;
}
