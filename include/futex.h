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

#endif
