/*
 * Core dumps (core(5); kernel/coredump.c): a process killed by a signal
 * whose default action dumps core leaves an ELF core file (ET_CORE) that
 * readelf and GDB read: a PT_NOTE segment with NT_PRSTATUS, NT_PRPSINFO,
 * NT_SIGINFO, NT_AUXV and NT_FILE, and one PT_LOAD per mapping, with the
 * contents of the anonymous, shared anonymous and writable private ones.
 *
 * Locks: core_pattern is guarded by core_pattern_lock (a spinlock, inside
 * coredump.c); readers copy it out under the lock.
 */
#ifndef SPROUT_COREDUMP_H
#define SPROUT_COREDUMP_H

#include "types.h"

struct trapframe;
struct linux_siginfo;

#define CORE_PATTERN_MAX	128	/* bytes with the NUL (Linux's CORENAME_MAX_SIZE) */

/*
 * coredump - write current's process to a core file, named by core_pattern
 * (default "core", relative to the working directory), for the death by
 * @info->si_signo; current is the thread that took the signal, @tf its user
 * registers. The process's other threads are told to exit and stop on the
 * way (coredump_park()); those stopped within a second are recorded too.
 * Nothing is written when RLIMIT_CORE is below one page, the process
 * changed credentials (set-user-ID; Linux's suid_dumpable = 0), or another
 * thread has already begun the group's exit or an execve. Returns true only when
 * the whole file was written (the wait status's core flag), false on any
 * failure, including a file that would exceed RLIMIT_CORE (it is left
 * truncated at the limit). Either way the group's exit has begun with
 * @info->si_signo as its status (and the core flag when true). May sleep.
 */
bool coredump(const struct linux_siginfo *info, struct trapframe *tf);

/*
 * coredump_park - called by every exiting thread before it releases
 * anything: while another thread of the process writes a core file, wait
 * until it is done, so the dump sees this thread's registers (its user
 * trapframe) and its memory holds still. Returns at once otherwise.
 * Takes process->lock; sleeps on process->thread_exit, ignoring signals.
 */
void coredump_park(void);

/*
 * core_pattern_set - the template of core file names, as written to
 * /proc/sys/kernel/core_pattern: @len bytes at @s (kernel memory), a final
 * newline dropped. Its % specifiers are those of core(5), expanded by
 * corename_expand() (include/lib/corename.h); an empty pattern means no
 * core files. A relative name is taken from the dumping process's working
 * directory. Returns 0, or -EINVAL: longer than CORE_PATTERN_MAX - 1, an
 * embedded NUL, or a leading '|' (piping to a program is not supported).
 * Takes core_pattern_lock. Sleeps: no.
 */
int core_pattern_set(const char *s, size_t len);

/* core_pattern_get - copy the pattern (NUL-terminated) into @buf of @size
 * bytes; returns its length. Sleeps: no. */
size_t core_pattern_get(char *buf, size_t size);

#endif
