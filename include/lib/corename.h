/*
 * Core file names (core(5)): the template of /proc/sys/kernel/core_pattern
 * and its expansion for one dying process. Pure logic, no kernel state;
 * kernel/coredump.c supplies the values and keeps the pattern.
 */
#ifndef SPROUT_LIB_CORENAME_H
#define SPROUT_LIB_CORENAME_H

#include "../types.h"

/* What the % specifiers of a pattern stand for. */
struct corename_vars {
	u64 pid;		/* %p %P: the process (thread group) id */
	u64 tid;		/* %i %I: the dying thread */
	u64 uid, gid;		/* %u %g: real ids */
	u64 sig;		/* %s: the signal */
	u64 time;		/* %t: seconds since the epoch */
	u64 core_limit;		/* %c: RLIMIT_CORE soft limit, bytes */
	const char *host;	/* %h: the host name */
	const char *comm;	/* %e: the command name */
	const char *exe;	/* %E: the executable's path */
};

/*
 * corename_check - may @len bytes at @s (a final newline already dropped)
 * become the pattern, in a buffer of @size bytes? 0, or -EINVAL: too long
 * for @size with its NUL, an embedded NUL, or a leading '|' (piping the
 * core to a program is not supported).
 */
int corename_check(const char *s, size_t len, size_t size);

/*
 * corename_expand - the file name for @pattern and @v into @out (@size
 * bytes, NUL-terminated): %p %P %i %I %u %g %s %t %c %h %e %E %d (dump
 * mode: 1) and %% expand as on Linux, with '/' in %e and %E written as
 * '!'; any other %x pair and a lone trailing '%' are dropped. Returns 0,
 * -ENOENT for an empty pattern (no core file), -ENAMETOOLONG when the
 * name does not fit.
 */
int corename_expand(char *out, size_t size, const char *pattern, const struct corename_vars *v);

#endif
