/*
 * A fixed lifecycle for the timeline test (tools/trace_check.py): every event
 * kind the trace records, each provoked a known number of times.
 *
 *   parent: maps BUF_PAGES anonymous pages and writes them all (demand-zero,
 *           no COW), then forks A.
 *   A:      writes COPY_PAGES of them (COPY_PAGES COW faults that copy), then
 *           re-executes this program as "tracecheck exec".
 *   A':     forks the orphan B and exits 3 at once.
 *   B:      waits until it has been reparented, then exits 0 (init reaps it).
 *   parent: reaps A, writes the same COPY_PAGES pages again (COPY_PAGES COW
 *           faults that reuse: A's copies are gone), sends itself SIGUSR1
 *           (caught), forks C, kills it with SIGTERM and reaps it.
 * It prints the buffer's address, and the pids, for the checker.
 */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

#define BUF_PAGES	16
#define COPY_PAGES	8
#define PAGE		4096

static volatile sig_atomic_t got_usr1;

static void on_usr1(int sig)
{
	got_usr1 = sig;
}

static int execd(void)
{
	pid_t me = getpid();
	pid_t b = fork();

	if (b < 0)
		return 10;
	if (b == 0) {
		/* The orphan: its parent exits at once; wait to be adopted. */
		for (int i = 0; i < 100000 && getppid() == me; i++)
			usleep(1000);
		_exit(getppid() == me ? 1 : 0);
	}
	printf("orphan %d\n", (int)b);
	fflush(stdout);
	_exit(3);
}

int main(int argc, char **argv)
{
	if (argc > 1 && !strcmp(argv[1], "exec"))
		return execd();

	char *buf = mmap(NULL, BUF_PAGES * PAGE, PROT_READ | PROT_WRITE,
			 MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	int status;

	if (buf == MAP_FAILED)
		return 20;
	memset(buf, 1, BUF_PAGES * PAGE);
	printf("buf %p pages %d copy %d\n", (void *)buf, BUF_PAGES, COPY_PAGES);
	fflush(stdout);

	pid_t a = fork();

	if (a < 0)
		return 21;
	if (a == 0) {
		for (int i = 0; i < COPY_PAGES; i++)
			buf[i * PAGE] = 2;
		char *args[] = { argv[0], "exec", NULL };

		execv(argv[0], args);
		_exit(22);
	}
	if (waitpid(a, &status, 0) != a || !WIFEXITED(status) || WEXITSTATUS(status) != 3)
		return 23;
	for (int i = 0; i < COPY_PAGES; i++)
		buf[i * PAGE] = 3;

	signal(SIGUSR1, on_usr1);
	kill(getpid(), SIGUSR1);
	if (got_usr1 != SIGUSR1)
		return 24;

	pid_t c = fork();

	if (c < 0)
		return 25;
	if (c == 0) {
		for (;;)
			pause();
	}
	kill(c, SIGTERM);
	if (waitpid(c, &status, 0) != c || !WIFSIGNALED(status) || WTERMSIG(status) != SIGTERM)
		return 26;
	printf("parent %d a %d c %d\n", (int)getpid(), (int)a, (int)c);
	return 0;
}
