/*
 * personality(2): the calling thread's execution domain and the flags that
 * change how the kernel treats it. Sprout runs Linux programs only
 * (PER_LINUX), and of the flags it has ADDR_NO_RANDOMIZE: the next execve
 * then places an ET_DYN program, the interpreter and the mmap area where
 * they would be without randomisation, so every run has the same addresses.
 * Debuggers set it in the child they start (gdb's "disable-randomization",
 * setarch -R). The persona is inherited by fork and clone and kept by execve,
 * except that a set-user-ID or set-group-ID exec clears the flags of
 * PER_CLEAR_ON_SETID (kernel/exec.c).
 *
 * Locks: none; the persona is the thread's own ([c] in include/task.h).
 */
#include "kernel.h"
#include "cpu.h"
#include "task.h"
#include "uapi/errno.h"
#include "uapi/personality.h"

/*
 * sys_personality - personality(2): return the calling thread's persona and,
 * unless @persona is 0xffffffff, set it to @persona. Returns the previous
 * persona, or -EINVAL for a persona Sprout cannot honour (an execution
 * domain other than PER_LINUX, or flags other than ADDR_NO_RANDOMIZE; Linux
 * stores any value, and acts on the ones it knows). Sleeps: no.
 */
long sys_personality(u64 persona)
{
	struct task *t = current;
	u32 old = t->personality;
	u32 want = (u32)persona;

	if (want == PERSONALITY_QUERY)
		return old;
	if ((want & PER_MASK) != PER_LINUX || (want & ~(u32)(PER_MASK | ADDR_NO_RANDOMIZE)))
		return -EINVAL;
	t->personality = want;
	return old;
}
