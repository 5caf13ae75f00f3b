/*
 * What kernel/ptrace.c (stops, hooks) and kernel/ptrace_request.c (the
 * requests) share.
 */
#ifndef SPROUT_PTRACE_INTERNAL_H
#define SPROUT_PTRACE_INTERNAL_H

/* ptrace_link_tracee - @t becomes a tracee of @tracer with task->ptrace
 * @flags (PT_*, PTRACE_O_*); @privileged: the tracer is root (set-id exec).
 * Caller holds tasklist_lock and has checked !tracer->ptrace_closed. */
void ptrace_link_tracee(struct task *t, struct process *tracer, u32 flags, bool privileged);
/* ptrace_unlink_tracee - undo it; a stopped @t runs on. Caller holds
 * tasklist_lock. */
void ptrace_unlink_tracee(struct task *t);

#endif
