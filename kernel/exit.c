/*
 * Process exit: _exit(2), exit_group(2) and death by signal.
 *
 * Exit releases the address space and the descriptors at once; what stays is
 * a zombie holding only the pid, the wait status and the resource usage, until
 * the parent collects it with wait4() (kernel/wait.c). Children of the dying
 * process are handed to init (pid 1), which reaps them. When init itself
 * exits, the machine powers off carrying init's exit status out.
 */
#include "kernel.h"
#include "task.h"
#include "cpu.h"
#include "mm.h"
#include "fs.h"
#include "uaccess.h"
#include "trace.h"
#include "uapi/errno.h"
#include "uapi/wait.h"
#include "uapi/signal.h"
#include "mutex.h"

#define SEGV_MAPERR	1	/* si_code: no mapping at the address */
#define SEGV_ACCERR	2	/* si_code: the mapping forbids the access */

/* Give the address space and descriptors back; keep the accounting. */
static void exit_release_resources(struct task *t)
{
	struct process *p = t->proc;
	struct mm *mm = t->mm;

	if (t->clear_child_tid && mm) {
		/* set_tid_address(2): the word is cleared at exit (the futex
		 * wake for threads waiting on it comes with futexes). */
		put_user_u32((void *)t->clear_child_tid, 0);
	}
	spin_lock(&p->lock);
	p->self.utime_ticks += t->utime_ticks;
	p->self.stime_ticks += t->stime_ticks;
	if (mm) {
		p->self.minflt += mm->minflt;
		p->self.maxrss_kb = MAX(p->self.maxrss_kb, mm->hiwater_rss * (PAGE_SIZE / 1024));
	}
	spin_unlock(&p->lock);

	if (mm) {
		arch_irq_disable();
		t->mm = NULL;
		mm_activate(NULL);
		arch_irq_enable();
		mm_put(mm);
	}
	if (t->files) {
		files_put(t->files);
		t->files = NULL;
	}
	if (t->fs) {
		fs_context_put(t->fs);
		t->fs = NULL;
	}
}

/*
 * The new parent of @p's orphans: the nearest living ancestor marked as a
 * child subreaper (prctl(2) PR_SET_CHILD_SUBREAPER), else init.
 * Caller holds tasklist_lock.
 */
static struct process *find_new_parent(struct process *p)
{
	for (struct process *a = p->parent; a && a != init_process; a = a->parent)
		if (a->is_subreaper && a->state == PROC_ALIVE)
			return a;
	return init_process;
}

/* Reap zombie @c now on behalf of its parent (SIGCHLD ignored or
 * SA_NOCLDWAIT): nobody will wait for it. Caller holds tasklist_lock. */
static void autoreap(struct process *c)
{
	c->state = PROC_DEAD;
	list_del(&c->sibling);
	process_hash_remove(c);
	pid_free_locked(c->pid);
	trace_reap(c->parent, c);
	process_put(c);
}

/*
 * Hand @p's children to the nearest subreaper or to init, send each its
 * parent-death signal, and hang up process groups that this exit orphans
 * while they hold stopped members (POSIX.1-2017 _exit(), 2.4.3).
 * Caller holds tasklist_lock.
 */
static void reparent_children(struct process *p)
{
	struct process *c, *tmp;
	struct process *np = find_new_parent(p);
	bool zombie = false;

	if (p == init_process)
		return;
	list_for_each_entry_safe(c, tmp, &p->children, sibling) {
		if (c->state == PROC_ALIVE && c->pdeath_signal)
			send_signal_process(c, c->pdeath_signal);
		list_del(&c->sibling);
		c->parent = np;
		list_add_tail(&c->sibling, &np->children);
		trace_reparent(c, np);
		/* A child's group in our session may have lost its last outside link. */
		if (c->pgid != p->pgid && c->sid == p->sid)
			pgrp_hangup_if_orphaned(c->pgid, NULL);
		if (c->state == PROC_ZOMBIE) {
			if (signal_parent_autoreaps(np))
				autoreap(c);
			else
				zombie = true;
		}
	}
	if (zombie)
		wake_up(&np->child_exit);
}

/* Turn @p into a zombie and tell its parent: SIGCHLD with CLD_EXITED,
 * CLD_KILLED or CLD_DUMPED, or no zombie at all when the parent ignores
 * SIGCHLD or set SA_NOCLDWAIT (wait(2) NOTES). */
static void exit_notify(struct process *p, int wait_status)
{
	itimer_exit(p);
	spin_lock(&tasklist_lock);
	/* Were we our group's link to the rest of the session? */
	if (p->parent && p->parent->pgid != p->pgid && p->parent->sid == p->sid)
		pgrp_hangup_if_orphaned(p->pgid, p);
	reparent_children(p);
	p->exit_code = wait_status;
	p->state = PROC_ZOMBIE;
	struct process *parent = p->parent;
	bool reap = p->exit_signal == SIGCHLD && signal_parent_autoreaps(parent);

	if (p->exit_signal && !(reap && parent->sighand &&
				parent->sighand->action[SIGCHLD - 1].handler == SIG_IGN)) {
		struct linux_siginfo info;

		signal_child_exit_info(p, wait_status, &info);
		signal_send_info(parent, NULL, &info);
	}
	if (reap)
		autoreap(p);
	/* Wake waiters either way: with the child auto-reaped, a sleeping
	 * wait4 must notice it has no children left (-ECHILD). */
	wake_up(&parent->child_exit);
	spin_unlock(&tasklist_lock);
	trace_exit(p, wait_status);
}

static __noreturn void init_died(int wait_status)
{
	int status = (wait_status & 0x7f) ? 128 + (wait_status & 0x7f) : (wait_status >> 8) & 0xff;

	printk("sprout: init exited (wait status %#x)\n", wait_status);
	printk("sprout: power off: status %d\n", status);
	arch_poweroff(status);
}

/* do_exit_thread - see include/task.h. */
void do_exit_thread(int wait_status)
{
	struct task *t = current;
	struct process *p = t->proc;
	bool last;

	exit_release_resources(t);

	spin_lock(&p->lock);
	list_del(&t->thread_link);
	last = --p->nr_threads == 0;
	if (p->group_exiting)
		wait_status = p->exit_code;
	spin_unlock(&p->lock);

	if (last) {
		if (p == init_process)
			init_died(wait_status);
		exit_notify(p, wait_status);
	}
	/* The scheduler drops the last reference once off this stack. */
	sched_exit_current();
}

/* do_exit_group - see include/task.h. Other threads arrive with clone's
 * thread support; a process has one thread until then. */
void do_exit_group(int wait_status)
{
	struct process *p = current->proc;

	spin_lock(&p->lock);
	if (!p->group_exiting) {
		p->group_exiting = true;
		p->exit_code = wait_status;
	}
	spin_unlock(&p->lock);
	do_exit_thread(wait_status);
}

/* sys_exit - _exit(2) for the calling thread: status & 0377 reaches the parent. */
long sys_exit(int status)
{
	do_exit_thread(wait_status_exited(status));
}

/* sys_exit_group - exit_group(2): every thread of the process ends. */
long sys_exit_group(int status)
{
	do_exit_group(wait_status_exited(status));
}

/* trap_user_fault - see include/arch.h. The fault becomes a signal for the
 * faulting thread, delivered on the way back to user mode; a blocked or
 * ignored fault signal is forced to its default action (death). */
void trap_user_fault(struct trapframe *tf, int signo, int code, u64 addr)
{
	struct mm *mm = current->mm;

	(void)tf;
	/* si_code follows the mappings, as on Linux: an address inside a VMA
	 * that forbids the access is SEGV_ACCERR even when no page was there. */
	if (signo == SIGSEGV && (code == SEGV_MAPERR || code == SEGV_ACCERR) && mm) {
		mutex_lock(&mm->lock);
		code = mm_find_vma(mm, addr) ? SEGV_ACCERR : SEGV_MAPERR;
		mutex_unlock(&mm->lock);
	}
	signal_force_fault(signo, code, addr);
}

/* prctl_lifecycle - see include/task.h. Source: prctl(2). */
long prctl_lifecycle(int option, u64 arg2)
{
	struct process *p = current->proc;
	int v;

	switch (option) {
	case 1:		/* PR_SET_PDEATHSIG */
		if (arg2 > NSIG)
			return -EINVAL;
		spin_lock(&p->lock);
		p->pdeath_signal = (int)arg2;
		spin_unlock(&p->lock);
		return 0;
	case 2:		/* PR_GET_PDEATHSIG */
		return put_user_u32((void *)arg2, (u32)p->pdeath_signal) ? -EFAULT : 0;
	case 36:	/* PR_SET_CHILD_SUBREAPER */
		spin_lock(&tasklist_lock);
		p->is_subreaper = arg2 != 0;
		spin_unlock(&tasklist_lock);
		return 0;
	case 37:	/* PR_GET_CHILD_SUBREAPER */
		spin_lock(&tasklist_lock);
		v = p->is_subreaper;
		spin_unlock(&tasklist_lock);
		return put_user_u32((void *)arg2, (u32)v) ? -EFAULT : 0;
	default:
		return -EINVAL;
	}
}
