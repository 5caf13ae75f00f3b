/*
 * Runs benchmark programs one after the other from this program's own directory, passing its
 * options on:  bench-all [-q] [-r REPS] [-m MIB] PROG...
 * First "BENCH-UNAME <sysname> <release> <version>", naming the kernel. Each program's BENCH lines go straight to our stdout. After each one: "BENCH-PROG <name>
 * <status>" (status "ok", "exit N" or "signal N"), so that a figure a crashed program never
 * printed shows up as an error rather than silently vanishing; at the end "BENCH-END".
 * Exits 0 if every program exited 0.
 */
#include "bench.h"

#include <sys/utsname.h>

extern char **environ;

int main(int argc, char **argv)
{
	char *pargv[16];
	int npass = 0, failed = 0, i;
	struct utsname u;

	setvbuf(stdout, NULL, _IONBF, 0);
	if (uname(&u) == 0)
		printf("BENCH-UNAME %s %s %s\n", u.sysname, u.release, u.version);
	/* Options come first and are handed on unchanged; the rest name programs. */
	for (i = 1; i < argc && argv[i][0] == '-' && npass < 8; i++) {
		pargv[1 + npass++] = argv[i];
		if (argv[i][1] != 'q' && i + 1 < argc)
			pargv[1 + npass++] = argv[++i];
	}
	for (; i < argc; i++) {
		char path[4096];
		pid_t pid;
		int st;

		bench_sibling(path, sizeof(path), argv[0], argv[i]);
		pargv[0] = path;
		pargv[1 + npass] = NULL;
		fflush(NULL);
		pid = fork();
		if (pid < 0) {
			printf("BENCH-PROG %s fork: %s\n", argv[i], strerror(errno));
			failed++;
			continue;
		}
		if (pid == 0) {
			execve(path, pargv, environ);
			printf("BENCH-PROG %s execve: %s\n", argv[i], strerror(errno));
			_exit(127);
		}
		if (waitpid(pid, &st, 0) < 0) {
			printf("BENCH-PROG %s waitpid: %s\n", argv[i], strerror(errno));
			failed++;
		} else if (WIFEXITED(st) && WEXITSTATUS(st) == 0) {
			printf("BENCH-PROG %s ok\n", argv[i]);
		} else {
			failed++;
			if (WIFEXITED(st))
				printf("BENCH-PROG %s exit %d\n", argv[i], WEXITSTATUS(st));
			else
				printf("BENCH-PROG %s signal %d\n", argv[i], WTERMSIG(st));
		}
	}
	printf("BENCH-END\n");
	return failed ? 1 : 0;
}
