/*
 * Spinlocks. Taking one disables interrupts on this CPU (the previous state
 * is kept in the lock and restored on release) and disables preemption, so a
 * holder can never be interrupted by code that wants the same lock.
 *
 * Rules (also in kernel/locking.md): never sleep while holding a spinlock;
 * never return to user mode holding one; release in reverse order of
 * acquisition; the lock order is documented at each lock's declaration.
 *
 * Debug checks (on unless SPROUT_NDEBUG is defined): spin_lock() records
 * the owner CPU (spin_assert_held()) and keeps a per-CPU stack of held
 * locks, so schedule() and the return to user mode can name a lock held
 * where none may be (spin_assert_none_held()). Locks belong to classes by
 * name; every acquisition records "class A was held when class B was
 * taken" in a graph, and taking B while holding A when the graph already
 * says B comes before A (directly or through other classes) panics at once
 * -- the first time the inversion happens, not when it finally deadlocks.
 */
#ifndef SPROUT_SPINLOCK_H
#define SPROUT_SPINLOCK_H

#include "types.h"

struct spinlock {
	volatile u32 locked;
	int owner_cpu;		/* -1 when free; debug aid */
	unsigned long saved_flags;	/* interrupt state before the first acquire */
	const char *name;	/* also the lock-order class */
	int lock_class;		/* class id + 1, 0 = not looked up yet (debug) */
};

#define SPINLOCK_INIT(n)	{ .locked = 0, .owner_cpu = -1, .saved_flags = 0, .name = (n) }

/* Deepest nesting of spinlocks one CPU may hold (debug bookkeeping). */
#define SPIN_MAX_HELD	16
/* Most mutexes one task may hold at once (debug bookkeeping, include/mutex.h). */
#define MUTEX_MAX_HELD	24	/* reclaim holds up to 18 (mm/reclaim.c) */

void spin_init(struct spinlock *l, const char *name);

/* spin_lock - acquire @l, disabling interrupts and preemption. Panics on a
 * recursive acquisition or a lock-order inversion (debug). Sleeps: no. */
void spin_lock(struct spinlock *l);
/*
 * spin_lock_nested - acquire @l while another lock of the same class is
 * held; the caller orders such pairs itself (e.g. run queues by CPU id) and
 * says so here, so the order check does not treat it as recursion.
 */
void spin_lock_nested(struct spinlock *l);
/* spin_unlock - release @l and restore the interrupt state of its acquire. */
void spin_unlock(struct spinlock *l);
/* spin_trylock - acquire @l if free; returns true on success. */
bool spin_trylock(struct spinlock *l);
/* spin_held - @l is held by this CPU (debug check). */
bool spin_held(const struct spinlock *l);

/* A debug check like the others: nothing in the default build (SPROUT_NDEBUG). */
#ifdef SPROUT_NDEBUG
#define spin_assert_held(l)	((void)(l))
#else
#define spin_assert_held(l)	KASSERT(spin_held(l))
#endif

/* Number of spinlocks this CPU holds (for "no spinlock across sleep"). */
int spin_held_count(void);

/* spin_assert_none_held - panic, naming the innermost lock, if this CPU
 * holds any spinlock; @where says what was about to happen ("schedule"). */
void spin_assert_none_held(const char *where);

/* spin_order_selftest - provoke a lock-order inversion on purpose (boot
 * option "lockorder-selftest"); a working checker panics. Sleeps: no. */
void spin_order_selftest(void);

#endif
