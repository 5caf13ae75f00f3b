/*
 * The lock-order graph (see include/lib/lockorder.h): a transitive closure
 * kept as one u64 per class, updated edge by edge.
 */
#include "kernel.h"
#include "lib/lockorder.h"

void lock_order_init(struct lock_order *g)
{
	memset(g, 0, sizeof(*g));
}

int lock_order_class(struct lock_order *g, const char *name)
{
	for (int id = 0; id < g->nr; id++)
		if (!strcmp(g->names[id], name))
			return id;
	if (g->nr == LOCK_ORDER_MAX_CLASSES)
		return -1;
	g->names[g->nr] = name;
	return g->nr++;
}

void lock_order_add(struct lock_order *g, int held, int taking)
{
	u64 add = (1ull << taking) | g->before[taking];

	/* Closure invariant: before[x] holds every class reachable from x.
	 * The new edge makes @taking and its successors reachable from
	 * @held and from everything that already reaches @held. */
	for (int x = 0; x < g->nr; x++)
		if (x == held || (g->before[x] & (1ull << held)))
			g->before[x] |= add;
}
