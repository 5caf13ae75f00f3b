/*
 * Where a process sleeps in the kernel: /proc/PID/wchan (the function it
 * waits in, proc(5)) and /proc/PID/stack (its kernel call chain, root only,
 * as Linux restricts it), both for the thread /proc/PID/task/TID names or
 * the first thread. A task records where it went to sleep in task->wchan
 * (kernel/sched.c); the chain comes from its saved frame pointers
 * (arch_task_stack()) and names from the kernel's symbol table.
 *
 * Locks: tasklist_lock and process->lock to find the task and take a
 * reference; nothing is held while its stack is read.
 */
#include "internal.h"
#include "procfs.h"
#include "cpu.h"
#include "kmalloc.h"
#include "task.h"

#define STACK_DEPTH	32

/* The thread (referenced) and whether it sleeps or is stopped; NULL if none. */
static struct task *task_of(pid_t pid, pid_t tid, bool *asleep)
{
	struct process *p;
	struct task *t, *found = NULL;

	spin_lock(&tasklist_lock);
	p = process_find(pid);
	if (p && p->state == PROC_ALIVE) {
		spin_lock(&p->lock);
		list_for_each_entry(t, &p->threads, thread_link) {
			if (tid && t->tid != tid)
				continue;
			task_get(t);
			found = t;
			/* A snapshot: a task that wakes now only makes it stale. */
			*asleep = (t->state == TASK_SLEEPING || t->state == TASK_STOPPED) &&
				  t != current;
			break;
		}
		spin_unlock(&p->lock);
	}
	spin_unlock(&tasklist_lock);
	return found;
}

/* procfs_render_wchan - see fs/procfs.h. */
long procfs_render_wchan(u8 kind, pid_t pid, u32 sub, char **out)
{
	bool asleep = false;
	struct task *t;
	char *buf;
	size_t cap = kind == PN_STACK ? STACK_DEPTH * 96 : 96, len = 0;

	/* Linux: the stack only for root; wchan reads "0" without access. */
	if (kind == PN_STACK && current->proc->euid != 0)
		return -EACCES;
	if (!procfs_task_exists(pid, (pid_t)sub))
		return -ESRCH;
	buf = kvmalloc(cap);
	if (!buf)
		return -ENOMEM;
	buf[0] = '\0';
	t = task_of(pid, (pid_t)sub, &asleep);
	if (kind == PN_WCHAN) {
		const char *name;
		u64 off;

		if (t && asleep && procfs_may_inspect(pid) == 0 &&
		    ksym_lookup(t->wchan, &name, &off))
			len = (size_t)snprintf(buf, cap, "%s", name);
		else
			len = (size_t)snprintf(buf, cap, "0");
	} else if (t && asleep) {
		u64 pcs[STACK_DEPTH];
		int n = arch_task_stack(t, pcs, STACK_DEPTH);

		for (int i = 0; i < n && len + 1 < cap; i++) {
			const char *name;
			u64 off;

			/* A return address may be the first byte after its call's
			 * function (a call that ends it): name the byte before. */
			if (!ksym_lookup(pcs[i] - 1, &name, &off))
				continue;
			len += (size_t)snprintf(buf + len, cap - len, "[<0>] %s+0x%lx/0x%lx\n", name,
						(unsigned long)off + 1,
						(unsigned long)ksym_size(pcs[i] - 1));
			len = MIN(len, cap - 1);
		}
	}
	if (t)
		task_put(t);
	*out = buf;
	return (long)len;
}
