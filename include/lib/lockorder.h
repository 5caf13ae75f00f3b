/*
 * The lock-order graph behind the spinlock debug checks (kernel/spinlock.c):
 * lock classes named by strings, and for each class the set of classes that
 * were ever taken while it was held, closed transitively, so that "would
 * taking B while holding A invert an order seen before?" is one bit test.
 * Pure logic with no locking; the caller serialises lock_order_class() and
 * lock_order_add(), while lock_order_inverts() may race with them (bits are
 * only ever added, so a racing reader at worst misses the newest edge).
 */
#ifndef SPROUT_LIB_LOCKORDER_H
#define SPROUT_LIB_LOCKORDER_H

#include "../types.h"

#define LOCK_ORDER_MAX_CLASSES	64	/* one bit each in a u64 */

struct lock_order {
	const char *names[LOCK_ORDER_MAX_CLASSES];	/* class id -> name */
	int nr;						/* classes known */
	u64 before[LOCK_ORDER_MAX_CLASSES];	/* bit b of [a]: a held when b taken */
};

/* lock_order_init - an empty graph. */
void lock_order_init(struct lock_order *g);

/* lock_order_class - the id of class @name (compared by content), added
 * when new. Returns the id, or -1 when the table is full. */
int lock_order_class(struct lock_order *g, const char *name);

/* lock_order_inverts - true if taking class @taking while holding class
 * @held contradicts the recorded order (@taking already comes before
 * @held, directly or through other classes). */
static inline bool lock_order_inverts(const struct lock_order *g, int held, int taking)
{
	return g->before[taking] & (1ull << held);
}

/* lock_order_known - true if "@held before @taking" is already recorded. */
static inline bool lock_order_known(const struct lock_order *g, int held, int taking)
{
	return g->before[held] & (1ull << taking);
}

/* lock_order_add - record "@held before @taking" and everything it implies:
 * every class that comes before @held now also comes before @taking and
 * whatever comes after @taking. @held != @taking. */
void lock_order_add(struct lock_order *g, int held, int taking);

#endif
