/*
 * Event counters of the memory manager since boot, for /proc/vmstat: each
 * one is bumped where the event happens (a fault, an OOM kill, ...) and only
 * read here. Linux's vm_event_states, one global array of atomics instead
 * of per-CPU sums (the counts are rare enough).
 *
 * Locks: none; every counter is atomic [a].
 */
#include "kernel.h"
#include "mm.h"
#include "page.h"
#include "swap.h"

static u64 vm_events[VM_EVENT_COUNT];	/* [a] */

/* vm_event_inc - see include/mm.h. */
void vm_event_inc(enum vm_event e)
{
	__atomic_add_fetch(&vm_events[e], 1, __ATOMIC_RELAXED);
}

/* vm_event_read - see include/mm.h. */
u64 vm_event_read(enum vm_event e)
{
	return __atomic_load_n(&vm_events[e], __ATOMIC_RELAXED);
}

/* vmstat_show - see include/mm.h. Names and order as Linux's /proc/vmstat. */
int vmstat_show(char *buf, size_t size)
{
	return snprintf(buf, size,
			"nr_free_pages %lu\nnr_swapcached %lu\npswpin %lu\npswpout %lu\n"
			"pgfault %lu\npgmajfault %lu\npgsteal_kswapd %lu\npgsteal_direct %lu\n"
			"pgscan_kswapd %lu\npgscan_direct %lu\noom_kill %lu\n",
			(unsigned long)page_free_count(), (unsigned long)swap_cache_pages(),
			(unsigned long)vm_event_read(VM_PSWPIN),
			(unsigned long)vm_event_read(VM_PSWPOUT),
			(unsigned long)vm_event_read(VM_PGFAULT),
			(unsigned long)vm_event_read(VM_PGMAJFAULT),
			(unsigned long)vm_event_read(VM_PGSTEAL_KSWAPD),
			(unsigned long)vm_event_read(VM_PGSTEAL_DIRECT),
			(unsigned long)vm_event_read(VM_PGSCAN_KSWAPD),
			(unsigned long)vm_event_read(VM_PGSCAN_DIRECT),
			(unsigned long)vm_event_read(VM_OOM_KILL));
}
