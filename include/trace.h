/*
 * The lifecycle timeline: binary trace events in per-CPU ring buffers.
 *
 * One named hook at each moment of a process's life (fork, exec, exit, reap,
 * reparent), of scheduling (context switch, wake-up) and of memory (COW
 * fault, page-table unshare), and at signal generation and delivery. With
 * "trace" on the kernel command line each hook appends one fixed-size record
 * to the buffer of the CPU it runs on; at power-off the buffers are written
 * to the trace port, and tools/trace2json.py turns them into Chrome
 * trace-event JSON (docs/tracing.md). Without "trace" a hook costs one
 * predictable branch on trace_enabled.
 *
 * A full buffer keeps its oldest events and counts the ones it refuses: the
 * timeline stays causally complete up to the point it stops, and the dump
 * reports how many were dropped.
 *
 * Locks: each CPU's buffer is written only by that CPU with interrupts
 * disabled [c]; trace_dump() reads the committed count with acquire
 * ordering after recording has been switched off.
 */
#ifndef SPROUT_TRACE_H
#define SPROUT_TRACE_H

#include "types.h"
#include "kernel.h"
#include "task.h"
#include "cpu.h"

extern bool trace_enabled;	/* [I] set once at boot from the command line */

/*
 * trace_on - is tracing on? The one test every hook makes: a load and a branch
 * that is never taken when "trace" is not on the command line. A kernel built
 * with SPROUT_NO_TRACEPOINTS (make TRACEPOINTS=0) has no hooks at all, which is
 * what `make bench` compares the default kernel with to show the cost of the
 * hooks when off (tools/bench.py, the trace_off rows).
 */
static inline bool trace_on(void)
{
#ifdef SPROUT_NO_TRACEPOINTS
	return false;
#else
	return __builtin_expect(trace_enabled, 0);
#endif
}

/*
 * Event types (the dump format; tools/trace2json.py knows the same numbers)
 * and what the record's fields hold:
 *   SWITCH      pid/tid prev; a what prev became (enum trace_prev_state);
 *               b prev's wchan; c next's pid << 32 | tid; name next's comm
 *   WAKE        pid/tid the task made runnable; a 1 if it is new
 *   FORK        pid/tid parent; a child pid; name the parent's comm
 *   EXEC        pid/tid the task; name the new program (basename)
 *   EXIT        pid the process; a wait status
 *   REAP        pid the reaper; a the reaped child's pid
 *   REPARENT    pid the orphan; a new parent; b old parent
 *   SIG_SEND    pid/tid sender (0: the kernel); a target pid; b signal;
 *               c target tid (0: process-directed)
 *   SIG_DELIVER pid/tid receiver; a signal; b 1 handler, 0 default action
 *   COW         pid/tid faulting task; a address; b 1 copied, 0 reused
 *   PT_UNSHARE  pid/tid faulting task; a address; b 1 copied, 0 reused
 *   OOM_KILL    pid/tid the task whose fault found no page; a address;
 *               b its resident set (KiB); name its comm
 */
enum trace_type {
	TRACE_SWITCH = 1,
	TRACE_WAKE = 2,
	TRACE_FORK = 3,
	TRACE_EXEC = 4,
	TRACE_EXIT = 5,
	TRACE_REAP = 6,
	TRACE_REPARENT = 7,
	TRACE_SIG_SEND = 8,
	TRACE_SIG_DELIVER = 9,
	TRACE_COW = 10,
	TRACE_PT_UNSHARE = 11,
	TRACE_OOM_KILL = 12,
};

/* Task states in TRACE_SWITCH's a: what prev became when it left the CPU. */
enum trace_prev_state {
	TRACE_PREV_RUNNABLE = 0,
	TRACE_PREV_SLEEPING = 1,
	TRACE_PREV_STOPPED = 2,
	TRACE_PREV_DEAD = 3,
};

/* One record, 64 bytes, little-endian (the dump format). */
struct trace_event {
	u64 ts_ns;		/* arch_clock_ns(): guest nanoseconds since boot */
	u16 type;		/* enum trace_type */
	u16 cpu;
	u32 pid;		/* the subject's pid (tgid) */
	u32 tid;
	u32 a32;		/* unused, zero */
	u64 a, b, c;
	char name[16];		/* NUL-padded */
};

/*
 * trace_record - append one event of @type for subject @pid/@tid with
 * arguments @a, @b, @c and optional name @name (NULL: none) to this CPU's
 * buffer; counted as dropped when the buffer is full. Any context
 * (disables interrupts briefly). Sleeps: no. Called only when trace_enabled.
 */
void trace_record(int type, u32 pid, u32 tid, u64 a, u64 b, u64 c, const char *name);

/* trace_init - allocate the per-CPU buffers when tracing is on. Boot CPU,
 * after the page allocator. Sleeps: no. */
void trace_init(void);

/*
 * trace_dump - stop recording and write every CPU's buffer to the trace
 * port (arch_trace_write()), with each CPU's dropped count. Called on the
 * way to power-off; no-op when tracing is off. Sleeps: no.
 */
void trace_dump(void);

static inline void trace_current(int type, u64 a, u64 b, u64 c, const char *name)
{
	struct task *t = current;

	trace_record(type, t && t->proc ? (u32)t->proc->pid : 0, t ? (u32)t->tid : 0, a, b, c,
		     name);
}

static inline void trace_fork(struct process *parent, struct process *child)
{
	if (trace_on())
		trace_current(TRACE_FORK, (u64)child->pid, 0, 0, current->comm);
}

static inline void trace_exec(struct process *p, const char *path)
{
	if (trace_on()) {
		const char *base = path;

		for (const char *s = path; *s; s++)
			if (*s == '/' && s[1])
				base = s + 1;
		trace_current(TRACE_EXEC, 0, 0, 0, base);
	}
}

static inline void trace_exit(struct process *p, int wait_status)
{
	if (trace_on())
		trace_record(TRACE_EXIT, (u32)p->pid, (u32)current->tid, (u32)wait_status, 0, 0,
			     NULL);
}

static inline void trace_reap(struct process *parent, struct process *child)
{
	if (trace_on())
		trace_record(TRACE_REAP, (u32)parent->pid, 0, (u64)child->pid, 0, 0, NULL);
}

static inline void trace_reparent(struct process *child, struct process *new_parent)
{
	if (trace_on())
		trace_record(TRACE_REPARENT, (u32)child->pid, 0, (u64)new_parent->pid,
			     current->proc ? (u64)current->proc->pid : 0, 0, NULL);
}

static inline void trace_signal_send(struct process *p, struct task *t, int sig)
{
	if (trace_on())
		trace_current(TRACE_SIG_SEND, (u64)p->pid, (u64)sig, t ? (u64)t->tid : 0, NULL);
}

static inline void trace_signal_deliver(int sig, bool handler)
{
	if (trace_on())
		trace_current(TRACE_SIG_DELIVER, (u64)sig, handler, 0, NULL);
}

static inline void trace_cow_fault(u64 va, bool copied)
{
	if (trace_on())
		trace_current(TRACE_COW, va, copied, 0, NULL);
}

static inline void trace_pt_unshare(u64 va, bool copied)
{
	if (trace_on())
		trace_current(TRACE_PT_UNSHARE, va, copied, 0, NULL);
}

static inline void trace_oom_kill(u64 va, u64 rss_kb)
{
	if (trace_on())
		trace_current(TRACE_OOM_KILL, va, rss_kb, 0, current->comm);
}

/* trace_switch - @prev leaves this CPU for @next (kernel/sched.c, run-queue
 * lock held). */
static inline void trace_switch(struct task *prev, struct task *next)
{
	if (trace_on()) {
		int st = prev->state == TASK_SLEEPING ? TRACE_PREV_SLEEPING :
			 prev->state == TASK_STOPPED ? TRACE_PREV_STOPPED :
			 prev->state == TASK_DEAD ? TRACE_PREV_DEAD : TRACE_PREV_RUNNABLE;
		u64 np = next->proc ? (u64)next->proc->pid : 0;

		trace_record(TRACE_SWITCH, prev->proc ? (u32)prev->proc->pid : 0, (u32)prev->tid,
			     (u64)st, prev->wchan, np << 32 | (u32)next->tid, next->comm);
	}
}

/* trace_wake - @t became runnable (@created: a new task). */
static inline void trace_wake(struct task *t, bool created)
{
	if (trace_on())
		trace_record(TRACE_WAKE, t->proc ? (u32)t->proc->pid : 0, (u32)t->tid, created, 0,
			     0, NULL);
}

#endif
