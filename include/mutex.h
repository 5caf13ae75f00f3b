/*
 * Sleeping locks, for critical sections that may block (user memory access,
 * allocation that may wait, file data). A mutex is never taken in interrupt
 * context and never while holding a spinlock.
 */
#ifndef SPROUT_MUTEX_H
#define SPROUT_MUTEX_H

#include "sched.h"

struct mutex {
	struct spinlock lock;	/* guards locked and owner */
	bool locked;
	struct task *owner;
	struct wait_queue waiters;
	const char *name;
};

/* Static initialiser of the mutex @m (its own name, for the list heads). */
#define MUTEX_INIT(m, n)                                                           \
	{ .lock = SPINLOCK_INIT("mutex"), .waiters = WAIT_QUEUE_INIT((m).waiters, n), .name = n }

void mutex_init(struct mutex *m, const char *name);
/* mutex_lock - acquire @m, sleeping (uninterruptibly) while it is held. */
void mutex_lock(struct mutex *m);
void mutex_unlock(struct mutex *m);
/* mutex_held - current holds @m (debug checks). */
bool mutex_held(struct mutex *m);

#endif
