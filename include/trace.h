/*
 * Lifecycle trace points: one named hook at each moment of a process's life
 * (fork, exec, exit, reap, reparent, COW fault). Today each hook writes one
 * line to the kernel log when the kernel command line contains "trace";
 * a structured trace export can replace the bodies without touching callers.
 */
#ifndef SPROUT_TRACE_H
#define SPROUT_TRACE_H

#include "types.h"
#include "kernel.h"
#include "task.h"

extern bool trace_enabled;	/* [I] set once at boot from the command line */

static inline void trace_fork(struct process *parent, struct process *child)
{
	if (trace_enabled)
		printk("trace: fork %d -> %d\n", parent->pid, child->pid);
}

static inline void trace_exec(struct process *p, const char *path)
{
	if (trace_enabled)
		printk("trace: exec %d %s\n", p->pid, path);
}

static inline void trace_exit(struct process *p, int wait_status)
{
	if (trace_enabled)
		printk("trace: exit %d status %#x\n", p->pid, wait_status);
}

static inline void trace_reap(struct process *parent, struct process *child)
{
	if (trace_enabled)
		printk("trace: reap %d by %d\n", child->pid, parent->pid);
}

static inline void trace_reparent(struct process *child, struct process *new_parent)
{
	if (trace_enabled)
		printk("trace: reparent %d to %d\n", child->pid, new_parent->pid);
}

static inline void trace_cow_fault(u64 va, bool copied)
{
	if (trace_enabled)
		printk("trace: cow %lx %s\n", va, copied ? "copy" : "reuse");
}

#endif
