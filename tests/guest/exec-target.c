/*
 * The program exec.c runs with execve(): it checks what it was given (pid, ppid, argv, envp)
 * against the expectations named in its own argv and answers through its exit status only,
 * since the test has no pipe to read an answer from.
 *
 *   exec-target ids PID PPID   exit 0 if getpid() == PID and getppid() == PPID (1 / 2 if not)
 *   exec-target fixed          exit 0 if argv and envp are exactly exec-args.h's tables
 *   exec-target many           exit 0 if argv and envp are exactly the generated strings
 *   exec-target noenv          exit 0 if argc is 2 and envp is empty
 *   exec-target exit N         exit N
 *   (argv empty, EXEC_TARGET=emptyargv the only environment string)
 *                              exit 0 if argc is 1, argv[0] is "" and argv[1] is NULL
 * Any mismatch exits non-zero with a distinct code (see each check).
 */
#include <tap.h>		/* only for the libc headers it brings in */

#include "exec-args.h"

static int count(char **v)
{
	int n = 0;

	while (v[n])
		n++;
	return n;
}

static int check_fixed(int argc, char **argv, char **envp)
{
	if (argc != (int)EXEC_FIXED_ARGC)
		return 10;
	for (int i = 0; i < argc; i++)
		if (strcmp(argv[i], exec_fixed_argv[i]) != 0)
			return 11;
	if (argv[argc] != NULL)
		return 12;
	if (count(envp) != (int)EXEC_FIXED_ENVC)
		return 13;
	for (size_t i = 0; i < EXEC_FIXED_ENVC; i++)
		if (strcmp(envp[i], exec_fixed_envp[i]) != 0)
			return 14;
	return 0;
}

static int check_many(int argc, char **argv, char **envp)
{
	static char want[EXEC_MANY_LEN + 1];

	if (argc != 2 + EXEC_MANY_COUNT)
		return 20;
	for (int i = 0; i < EXEC_MANY_COUNT; i++) {
		exec_pattern(want, 'a', i, EXEC_MANY_LEN);
		if (strcmp(argv[2 + i], want) != 0)
			return 21;
	}
	if (count(envp) != EXEC_MANY_COUNT)
		return 22;
	for (int i = 0; i < EXEC_MANY_COUNT; i++) {
		exec_pattern(want, 'e', i, EXEC_MANY_LEN);
		if (strcmp(envp[i], want) != 0)
			return 23;
	}
	return 0;
}

/* Entry point; argv[1] names the check (see the top of the file). Returns the verdict. */
int main(int argc, char **argv, char **envp)
{
	/* Run with an empty argv: the kernel must have supplied { "" }. */
	if (envp[0] && strcmp(envp[0], "EXEC_TARGET=emptyargv") == 0 && envp[1] == NULL) {
		if (argc != 1)
			return 40;
		if (argv[0] == NULL || argv[0][0] != '\0')
			return 41;
		return argv[1] == NULL ? 0 : 42;
	}
	if (argc < 2)
		return 90;
	if (strcmp(argv[1], "ids") == 0 && argc == 4) {
		if (getpid() != atoi(argv[2]))
			return 1;
		if (getppid() != atoi(argv[3]))
			return 2;
		return 0;
	}
	if (strcmp(argv[1], "fixed") == 0)
		return check_fixed(argc, argv, envp);
	if (strcmp(argv[1], "many") == 0)
		return check_many(argc, argv, envp);
	if (strcmp(argv[1], "noenv") == 0)
		return argc == 2 && envp[0] == NULL ? 0 : 30;
	if (strcmp(argv[1], "exit") == 0 && argc == 3)
		return atoi(argv[2]);
	return 91;
}
