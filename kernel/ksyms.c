/*
 * Kernel symbol lookup for backtraces. The table (addresses of text symbols,
 * sorted, and their names) is generated from the first link of the kernel and
 * linked into the second (see the Makefile); text addresses are identical in
 * both links because the table is placed after all of the text. In the first
 * link the table is absent: the weak references below are then null.
 */
#include "kernel.h"

extern const u64 ksym_count __attribute__((weak));
extern const u64 ksym_addr[] __attribute__((weak));
extern const u32 ksym_name_off[] __attribute__((weak));
extern const char ksym_names[] __attribute__((weak));

/*
 * ksym_lookup - the text symbol containing @addr: its name in *@name and the
 * offset of @addr into it in *@off. Returns false when there is no table or
 * @addr lies before the first symbol. Sleeps: no; any context.
 */
bool ksym_lookup(u64 addr, const char **name, u64 *off)
{
	if (!&ksym_count || !ksym_count || addr < ksym_addr[0])
		return false;

	u64 lo = 0, hi = ksym_count;	/* invariant: ksym_addr[lo] <= addr */

	while (hi - lo > 1) {
		u64 mid = lo + (hi - lo) / 2;

		if (ksym_addr[mid] <= addr)
			lo = mid;
		else
			hi = mid;
	}
	*name = ksym_names + ksym_name_off[lo];
	*off = addr - ksym_addr[lo];
	return true;
}

/* ksym_size - the size in bytes of the text symbol containing @addr (up to
 * the next symbol), 0 when unknown. Sleeps: no; any context. */
u64 ksym_size(u64 addr)
{
	const char *name;
	u64 off;

	if (!ksym_lookup(addr, &name, &off))
		return 0;
	u64 start = addr - off, lo = 0, hi = ksym_count;

	while (hi - lo > 1) {
		u64 mid = lo + (hi - lo) / 2;

		if (ksym_addr[mid] <= start)
			lo = mid;
		else
			hi = mid;
	}
	return lo + 1 < ksym_count ? ksym_addr[lo + 1] - start : 0;
}
