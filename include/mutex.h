/*
 * Sleeping locks, for critical sections that may block (user memory access,
 * allocation that may wait, file data). A mutex is never taken in interrupt
 * context and never while holding a spinlock.
 *
 * Lock-order checks (kernel/spinlock.c; on in builds with LOCKDEP=1, as make
 * test makes, unless SPROUT_NDEBUG): each task keeps a stack of the mutexes it holds; mutexes
 * belong to classes by name ("mm", "inode", "mount", "shm_ids", ...), and
 * taking class B while holding class A when the recorded order already puts
 * B before A panics at once, as for spinlocks. Taking a mutex the task
 * already holds panics instead of sleeping forever. Two mutexes of one class
 * may be held together only if the class was made with mutex_init_nestable().
 */
#ifndef SPROUT_MUTEX_H
#define SPROUT_MUTEX_H

#include "sched.h"

/*
 * state [a]: 0 free, 1 held, 2 held and a task may be waiting. Taking a free mutex is one
 * compare-and-exchange and releasing one nobody waits for one exchange; a task that finds it
 * held queues itself on waiters first and then sets 2, so the release that sees 2 wakes it.
 */
struct mutex {
	int state;
	struct task *owner;	/* written by the holder */
	struct wait_queue waiters;
	const char *name;	/* also the lock-order class */
	int lock_class;		/* class id + 1, 0 = not looked up yet (debug) */
	bool nestable;		/* instances of the class may nest (debug) */
};

/* Static initialiser of the mutex @m (its own name, for the list heads). */
#define MUTEX_INIT(m, n)                                                           \
	{ .waiters = WAIT_QUEUE_INIT((m).waiters, n), .name = n }

void mutex_init(struct mutex *m, const char *name);
/*
 * mutex_init_nestable - mutex_init() for a class whose instances are held
 * together (directory inodes: a parent before its entries, rename's two
 * directories by ancestry then address). The callers fix that order; the
 * checker then only checks this class against the others.
 */
void mutex_init_nestable(struct mutex *m, const char *name);
/* mutex_lock - acquire @m, sleeping (uninterruptibly) while it is held. */
void mutex_lock(struct mutex *m);
void mutex_unlock(struct mutex *m);
/* mutex_trylock - acquire @m if it is free: true, or false at once (never
 * sleeps, so no lock-order constraint: reclaim and the OOM killer take other
 * address spaces' locks this way). Never under a spinlock. */
bool mutex_trylock(struct mutex *m);
/* mutex_held - current holds @m (debug checks). */
bool mutex_held(struct mutex *m);

/*
 * mutex_order_selftest - provoke a mutex lock-order inversion on purpose: two
 * mutexes in both orders (boot option "lockorder-mutex-selftest"), or with
 * @documented an inode mutex before an mm one, against the documented order
 * (boot option "lockorder-mutex-documented"); a working checker panics.
 * Sleeps: no (each mutex is free).
 */
void mutex_order_selftest(bool documented);

#endif
