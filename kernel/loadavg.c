/*
 * The load average of /proc/loadavg, uptime(1) and top(1): Linux's
 * exponentially damped moving averages of the number of active tasks
 * (runnable, plus uninterruptible sleepers, of which Sprout has none: every
 * sleep can be interrupted), sampled every LOAD_FREQ ticks (5 s) and kept
 * in fixed point with FSHIFT fractional bits. Over 1, 5 and 15 minutes the
 * decay per sample is exp(-5/60), exp(-5/300), exp(-5/900): EXP_1, EXP_5,
 * EXP_15 in the same fixed point (proc(5) /proc/loadavg; the constants and
 * the rounding of Linux's calc_load()).
 *
 * Locks: avenrun is written only by CPU 0's timer tick and read with atomic
 * loads ([a]); a reader may see the three values from two samples.
 */
#include "kernel.h"
#include "sched.h"
#include "task.h"

#define FSHIFT		11
#define FIXED_1		(1UL << FSHIFT)
#define LOAD_FREQ	(5 * HZ + 1)	/* ticks: just over 5 s, as Linux */
#define EXP_1		1884UL		/* FIXED_1 / exp(5 s / 1 min) */
#define EXP_5		2014UL		/* FIXED_1 / exp(5 s / 5 min) */
#define EXP_15		2037UL		/* FIXED_1 / exp(5 s / 15 min) */

static unsigned long avenrun[3];	/* [a] fixed point */
static u64 next_sample = LOAD_FREQ;	/* CPU 0's tick only */

/* One step of the average @load towards @active (both fixed point). */
static unsigned long calc_load(unsigned long load, unsigned long exp, unsigned long active)
{
	unsigned long n = load * exp + active * (FIXED_1 - exp);

	if (active >= load)
		n += FIXED_1 - 1;	/* round up while rising, so it reaches the target */
	return n / FIXED_1;
}

/*
 * loadavg_tick - CPU 0's timer tick at boot tick @now: every LOAD_FREQ
 * ticks, fold in the number of runnable tasks. Interrupt context.
 */
void loadavg_tick(u64 now)
{
	unsigned long active;

	if (now < next_sample)
		return;
	next_sample = now + LOAD_FREQ;
	/* Linux counts tasks waiting for disk I/O (state D) as load too. */
	active = (unsigned long)(sched_nr_running() + sched_nr_uninterruptible()) * FIXED_1;
	__atomic_store_n(&avenrun[0], calc_load(avenrun[0], EXP_1, active), __ATOMIC_RELAXED);
	__atomic_store_n(&avenrun[1], calc_load(avenrun[1], EXP_5, active), __ATOMIC_RELAXED);
	__atomic_store_n(&avenrun[2], calc_load(avenrun[2], EXP_15, active), __ATOMIC_RELAXED);
}

/*
 * loadavg_format - "L1 L5 L15 running/total last_pid\n" of /proc/loadavg
 * into @buf (@size bytes); its length. Each average is shown with two
 * decimals, rounded as Linux's get_avenrun(FIXED_1 / 200). Takes
 * tasklist_lock briefly. Sleeps: no.
 */
int loadavg_format(char *buf, size_t size)
{
	unsigned long v[3];

	for (int i = 0; i < 3; i++)
		v[i] = __atomic_load_n(&avenrun[i], __ATOMIC_RELAXED) + FIXED_1 / 200;
	return snprintf(buf, size, "%lu.%02lu %lu.%02lu %lu.%02lu %u/%u %d\n",
			v[0] >> FSHIFT, ((v[0] & (FIXED_1 - 1)) * 100) >> FSHIFT,
			v[1] >> FSHIFT, ((v[1] & (FIXED_1 - 1)) * 100) >> FSHIFT,
			v[2] >> FSHIFT, ((v[2] & (FIXED_1 - 1)) * 100) >> FSHIFT,
			sched_nr_running(), pid_in_use_count(), pid_last());
}
