/*
 * The argument and environment vectors that exec.c passes and exec-target.c checks: both sides
 * compile the same tables, so the target can tell exactly what it should have received.
 */
#ifndef SPROUT_TESTS_GUEST_EXEC_ARGS_H
#define SPROUT_TESTS_GUEST_EXEC_ARGS_H

#include <stddef.h>

/*
 * NULL-terminated, as execve wants them: empty strings, spaces, control and non-ASCII bytes,
 * and a '=' in an argument; the environment has odd but legal strings and a duplicate name.
 */
static const char *const exec_fixed_argv[] = {
	"exec-target", "fixed", "", "two words", "tab\there\nnewline", "x",
	"\xc3\xa9t\xc3\xa9", "a=b", "-", "", "last", NULL,
};
static const char *const exec_fixed_envp[] = {
	"A=1", "EMPTY=", "SPACES=a b c", "NOEQUALS", "=leading", "DUP=1", "DUP=2", NULL,
};

#define EXEC_FIXED_ARGC	(sizeof(exec_fixed_argv) / sizeof(exec_fixed_argv[0]) - 1)
#define EXEC_FIXED_ENVC	(sizeof(exec_fixed_envp) / sizeof(exec_fixed_envp[0]) - 1)

/* "many" mode: this many generated strings of this many bytes in argv and in envp each. */
#define EXEC_MANY_COUNT	64
#define EXEC_MANY_LEN	700

/*
 * The generated string number i of a vector (tag 'a' for argv, 'e' for envp): len bytes plus
 * a NUL in buf. Content depends on i, so a swapped or shifted string is noticed.
 */
static inline void exec_pattern(char *buf, int tag, int i, int len)
{
	for (int k = 0; k < len; k++)
		buf[k] = (char)('a' + (i * 7 + k * 3 + tag) % 26);
	if (tag == 'e' && len > 2)
		buf[1] = '=';
	buf[len] = '\0';
}

#endif
