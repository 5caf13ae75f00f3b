/*
 * Futexes (ipc/futex.c): sleeping on a 32-bit user word until another task
 * wakes that word. Private futexes are named by (address space, virtual
 * address); shared ones on MAP_SHARED memory by the physical page and the
 * offset in it, so processes that map the page at different addresses meet.
 *
 * Locks: each hash bucket has a spinlock guarding its waiters. Order: bucket
 * lock (two buckets: lower address first) -> wait-queue lock -> run-queue
 * lock. mm->lock is taken only to compute a key, never under a bucket lock.
 */
#ifndef SPROUT_FUTEX_H
#define SPROUT_FUTEX_H

#include "types.h"

/*
 * futex_wake_tid_word - wake one waiter on the word at user address @uaddr
 * of current's address space, whether it waits with a private or a shared
 * key (thread exit, CLONE_CHILD_CLEARTID / set_tid_address(2)). Returns the
 * number woken (0 or 1), or -EFAULT/-EINVAL. May sleep (takes mm->lock).
 */
long futex_wake_tid_word(u64 uaddr);

/*
 * futex_exit_robust_list - the robust futexes (set_robust_list(2)) still
 * held by the current thread, which is exiting or replacing its address
 * space by execve: every lock word on its list, and the one named by
 * list_op_pending, that holds its tid gets FUTEX_OWNER_DIED (keeping
 * FUTEX_WAITERS) and one waiter is woken, so the next locker gets
 * EOWNERDEAD. At most ROBUST_LIST_LIMIT entries are walked; a bad user
 * pointer ends the walk silently, as on Linux. Clears current->robust_list.
 * May sleep (faults, mm->lock).
 */
void futex_exit_robust_list(void);

#endif
