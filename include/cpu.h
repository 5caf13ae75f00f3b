/*
 * The per-CPU area. GS base points at this CPU's struct cpu while in the
 * kernel; this_cpu() reads it. Fields are private to their CPU unless marked.
 *
 * The first three fields are read by the arch's entry code at fixed offsets
 * (checked with _Static_assert in arch/x86_64/cpu.c).
 */
#ifndef SPROUT_CPU_H
#define SPROUT_CPU_H

#include "types.h"
#include "arch.h"
#include "spinlock.h"

#define MAX_CPUS	8

struct runqueue;

struct cpu {
	struct cpu *self;	/* offset 0: this_cpu() loads %gs:0 */
	u64 kstack_top;		/* offset 8: rsp loaded by the syscall entry */
	u64 user_rsp;		/* offset 16: user rsp saved by the syscall entry */
	struct task *running;	/* offset 24: the task running on this CPU (current) */
	int id;			/* logical CPU number, 0 = boot CPU */
	struct task *idle;	/* swapper/N, pid 0 */
	struct runqueue *rq;	/* this CPU's run queue (its own lock) */
	int preempt_count;	/* > 0: no preemption (spinlocks held) */
	bool need_resched;	/* set by the tick or a wakeup, cleared by schedule() */
	u64 ticks;		/* timer ticks seen by this CPU */
	u64 idle_ticks;		/* of which the idle task ran */
	u64 user_ticks;		/* [a] of which a task ran in user mode (/proc/stat) */
	u64 nice_ticks;		/* [a] of which a task with nice > 0 ran in user mode
				 * (/proc/stat's nice column; not in user_ticks) */
	u64 system_ticks;	/* [a] of which a task ran in the kernel */
	u64 nr_switches;	/* [a] context switches (/proc/stat ctxt) */
	u64 nr_irqs;		/* [a] interrupts taken, timer and IPIs included (intr) */
	struct task *switch_prev;	/* task we just switched away from (schedule) */
	bool online;		/* [a] set once by the CPU itself when it can run tasks */
	struct mm *active_mm;	/* address space loaded in this CPU's MMU (mm_activate) */
	struct spinlock *held_locks[SPIN_MAX_HELD];	/* debug: spinlocks held, oldest first */
	int nr_held;		/* debug: entries in held_locks */
	struct arch_cpu arch;	/* GDT, TSS, ... */
};

extern struct cpu cpus[MAX_CPUS];
extern int ncpus;	/* [a] CPUs online; ids 0..ncpus-1 (grows during SMP start-up) */

static inline struct task *current_task(void) { return arch_running_task(); }
#define current (current_task())

#endif
