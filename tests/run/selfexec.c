/*
 * fork, exec of the program's own file (argv[0]) and wait, as seen from
 * inside.  The transcript contains no pids or paths, so it is the same on
 * Sprout and on Linux; the test driver compares the two byte for byte.
 *
 *   selfexec            parent: forks a child that re-execs argv[0] as
 *                       "selfexec child <pid>" and waits for it
 *   selfexec child PID  the exec'd image: checks that its pid is still PID
 *                       and that its parent is the original process, then
 *                       exits with status 7
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#define CHILD_STATUS 7

static int exec_stage(int argc, char **argv)
{
	long want = strtol(argv[2], NULL, 10);

	printf("exec'd image: argc = %d, argv[1] = \"%s\"\n", argc, argv[1]);
	printf("exec'd image: pid unchanged by exec: %s\n", getpid() == want ? "yes" : "no");
	printf("exec'd image: exiting with status %d\n", CHILD_STATUS);
	return CHILD_STATUS;
}

int main(int argc, char **argv)
{
	char pidbuf[32];
	int status, child_status;
	pid_t pid, got;

	if (argc == 3 && strcmp(argv[1], "child") == 0)
		return exec_stage(argc, argv);

	printf("parent: forking\n");
	/* Anything still buffered would be printed twice, once by each process. */
	fflush(stdout);
	pid = fork();
	if (pid < 0) {
		printf("parent: fork failed: %s\n", strerror(errno));
		return 1;
	}
	if (pid == 0) {
		snprintf(pidbuf, sizeof(pidbuf), "%ld", (long)getpid());
		printf("child: fork returned 0; exec'ing argv[0]\n");
		fflush(stdout);
		execv(argv[0], (char *[]){ argv[0], "child", pidbuf, NULL });
		printf("child: exec failed: %s\n", strerror(errno));
		fflush(stdout);
		_exit(127);
	}
	got = waitpid(pid, &status, 0);
	if (got != pid) {
		printf("parent: waitpid failed: %s\n", got < 0 ? strerror(errno) : "wrong pid");
		return 1;
	}
	printf("parent: waitpid returned the child\n");
	if (WIFEXITED(status))
		printf("parent: child exited with status %d\n", WEXITSTATUS(status));
	else if (WIFSIGNALED(status))
		printf("parent: child killed by signal %d\n", WTERMSIG(status));
	child_status = status;
	/* The child was reaped above, so nothing is left to wait for. */
	got = waitpid(pid, &status, 0);
	if (got >= 0 || errno != ECHILD) {
		printf("parent: second waitpid: unexpected\n");
		return 1;
	}
	printf("parent: second waitpid: ECHILD\n");
	return WIFEXITED(child_status) && WEXITSTATUS(child_status) == CHILD_STATUS ? 0 : 1;
}
