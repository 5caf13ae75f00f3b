/*
 * Spinlocks. Taking one disables interrupts on this CPU (the previous state
 * is kept in the lock and restored on release) and disables preemption, so a
 * holder can never be interrupted by code that wants the same lock.
 *
 * Rules (also in kernel/locking.md): never sleep while holding a spinlock;
 * release in reverse order of acquisition; the lock order is documented at
 * each lock's declaration. In debug builds spin_lock() records the owner CPU
 * and spin_assert_held() checks it.
 */
#ifndef SPROUT_SPINLOCK_H
#define SPROUT_SPINLOCK_H

#include "types.h"

struct spinlock {
	volatile u32 locked;
	int owner_cpu;		/* -1 when free; debug aid */
	unsigned long saved_flags;	/* interrupt state before the first acquire */
	const char *name;
};

#define SPINLOCK_INIT(n)	{ .locked = 0, .owner_cpu = -1, .saved_flags = 0, .name = (n) }

void spin_init(struct spinlock *l, const char *name);

/* spin_lock - acquire @l, disabling interrupts and preemption. Sleeps: no. */
void spin_lock(struct spinlock *l);
/* spin_unlock - release @l and restore the interrupt state of its acquire. */
void spin_unlock(struct spinlock *l);
/* spin_trylock - acquire @l if free; returns true on success. */
bool spin_trylock(struct spinlock *l);
/* spin_held - @l is held by this CPU (debug check). */
bool spin_held(const struct spinlock *l);

#define spin_assert_held(l)	KASSERT(spin_held(l))

/* Number of spinlocks this CPU holds (for "no spinlock across sleep"). */
int spin_held_count(void);

#endif
