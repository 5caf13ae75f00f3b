/*
 * Process exit: _exit(2), exit_group(2) and death by signal.
 *
 * A process ends when its last thread does. exit(2) ends one thread;
 * exit_group(2) marks the whole group as ending, wakes the other threads,
 * and each of them ends itself on its way back to user mode; the last one
 * to go makes the zombie.
 *
 * Exit releases the address space and the descriptors at once; what stays is
 * a zombie holding only the pid, the wait status and the resource usage, until
 * the parent collects it with wait4() (kernel/wait.c). Children of the dying
 * process are handed to init (pid 1), which reaps them. When init itself
 * exits, the machine powers off carrying init's exit status out.
 */
#include "ipc.h"
#include "kernel.h"
#include "task.h"
#include "ptrace.h"
#include "cpu.h"
#include "mm.h"
#include "fs.h"
#include "uaccess.h"
#include "trace.h"
#include "futex.h"
#include "coredump.h"
#include "uapi/errno.h"
#include "uapi/wait.h"
#include "uapi/signal.h"
#include "mutex.h"

#define SEGV_MAPERR	1	/* si_code: no mapping at the address */
#define SEGV_ACCERR	2	/* si_code: the mapping forbids the access */

/*
 * The exiting thread's set_tid_address(2) / CLONE_CHILD_CLEARTID word: zero it
 * and wake one futex waiter on it (pthread_join waits there). Errors are
 * ignored, as Linux does: the thread is going anyway.
 */
static void exit_clear_tid(struct task *t)
{
	u64 addr = t->clear_child_tid;

	t->clear_child_tid = 0;
	if (!addr || !t->mm)
		return;
	if (put_user_u32((void __user *)addr, 0) == 0)
		futex_wake_tid_word(addr);
}

/* Give the address space and descriptors back; keep the accounting. */
static void exit_release_resources(struct task *t)
{
	struct process *p = t->proc;
	struct mm *mm = t->mm;
	struct files *files;
	struct fs_context *fs;

	/* Robust futexes first, then the tid word (Linux's mm_release order). */
	futex_exit_robust_list();
	exit_clear_tid(t);
	/* A vfork child gives the borrowed address space back now. */
	fork_vfork_release(t);
	spin_lock(&p->lock);
	p->self.utime_ticks += t->utime_ticks;
	p->self.stime_ticks += t->stime_ticks;
	p->self.nvcsw += __atomic_load_n(&t->nvcsw, __ATOMIC_RELAXED);
	p->self.nivcsw += __atomic_load_n(&t->nivcsw, __ATOMIC_RELAXED);
	/* Faults are counted per address space: the last user (the last
	 * thread; not a vfork child borrowing it) adds them. */
	if (mm && __atomic_load_n(&mm->refcount, __ATOMIC_ACQUIRE) == 1) {
		p->self.minflt += mm->minflt;
		p->self.majflt += mm->majflt;
		p->self.maxrss_kb = MAX(p->self.maxrss_kb, mm->hiwater_rss * (PAGE_SIZE / 1024));
	}
	spin_unlock(&p->lock);

	if (mm) {
		/* Under p->lock: /proc readers take a reference on t->mm there. */
		spin_lock(&p->lock);
		t->mm = NULL;
		mm_activate(NULL);
		spin_unlock(&p->lock);
		mm_put(mm);
	}
	/* Detached under p->lock first: /proc readers take references there. */
	spin_lock(&p->lock);
	files = t->files;
	t->files = NULL;
	fs = t->fs;
	t->fs = NULL;
	spin_unlock(&p->lock);
	if (files)
		files_put(files);
	if (fs)
		fs_context_put(fs);
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
		__atomic_store_n(&c->ppid, np->pid, __ATOMIC_RELAXED);
		pgrp_link_update(c);
		/* The exit signal was chosen for the parent that made the child;
		 * an adopter gets SIGCHLD, whatever was asked (Linux's
		 * reparent_leader): no orphan can kill or stop its subreaper. */
		c->exit_signal = SIGCHLD;
		list_add_tail(&c->sibling, &np->children);
		trace_reparent(c, np);
		/* A child's group in our session may have lost its last outside link. */
		if (c->pgid != p->pgid && c->sid == p->sid)
			pgrp_hangup_if_orphaned(c->pgid, NULL);
		/* A zombie its tracer has yet to collect goes on waiting for it. */
		if (c->state == PROC_ZOMBIE && !c->ptrace_zombie_tracer) {
			if (signal_parent_autoreaps(np))
				autoreap(c);
			else
				zombie = true;
		}
	}
	if (zombie)
		wake_up(&np->child_exit);
}

/*
 * exit_notify_parent - tell zombie @p's parent of the exit (p->exit_code):
 * SIGCHLD (or the exit signal) with CLD_EXITED, CLD_KILLED or CLD_DUMPED,
 * and a wake-up; no zombie is kept when the parent ignores SIGCHLD or set
 * SA_NOCLDWAIT (wait(2) NOTES): it is reaped here. Called at the exit, or
 * once a tracer that is not the parent has collected the exit
 * (ptrace_release_zombie()). Caller holds tasklist_lock. Sleeps: no.
 */
void exit_notify_parent(struct process *p)
{
	struct process *parent = p->parent;
	int wait_status = p->exit_code;
	int sig = p->exit_signal;

	/* A parent that has exec'd since may be another program now (perhaps
	 * set-user-ID): it is owed SIGCHLD only (Linux's do_notify_parent).
	 * The child stays a "clone" child for wait's __WCLONE. */
	if (sig != SIGCHLD && p->parent_exec_id != parent->self_exec_id)
		sig = SIGCHLD;
	bool reap = sig == SIGCHLD && signal_parent_autoreaps(parent);

	if (sig && !(reap && parent->sighand &&
		     parent->sighand->action[SIGCHLD - 1].handler == SIG_IGN)) {
		struct linux_siginfo info;

		signal_child_exit_info(p, wait_status, &info);
		info.si_signo = sig;
		signal_send_info(parent, NULL, &info);
	}
	if (reap)
		autoreap(p);
	/* Wake waiters either way: with the child auto-reaped, a sleeping
	 * wait4 must notice it has no children left (-ECHILD). */
	wake_up(&parent->child_exit);
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
	pgrp_link_update(p);
	/* Traced by another process: its tracer hears first, the parent once
	 * the tracer has collected it (kernel/ptrace.c). */
	if (!(unlikely(p->ptrace_exit_tracer) && ptrace_exit_notify(p, wait_status)))
		exit_notify_parent(p);
	wake_up(&p->exit_wq);		/* pidfds become readable */
	spin_unlock(&tasklist_lock);
	trace_exit(p, wait_status);
}

static __noreturn void init_died(int wait_status)
{
	int status = (wait_status & 0x7f) ? 128 + (wait_status & 0x7f) : (wait_status >> 8) & 0xff;

	printk("sprout: init exited (wait status %#x)\n", wait_status);
	trace_dump();
	printk("sprout: power off: status %d\n", status);
	arch_poweroff(status);
}

/*
 * do_exit_thread - end the calling thread (exit(2)); the last thread of the
 * process makes it a zombie with @wait_status, or with the status of an
 * exit_group(2) in progress. A thread other than the leader gives its tid
 * back at once; the leader's tid is the pid, kept until the zombie is
 * reaped. Takes process->lock, then tasklist_lock. Never returns.
 */
void do_exit_thread(int wait_status)
{
	struct task *t = current;
	struct process *p = t->proc;
	bool last, wake_exec;

	/* ptrace(2) PTRACE_EVENT_EXIT, while everything can still be seen. */
	if (unlikely(t->ptrace))
		ptrace_exit_event(p->group_exiting ? p->exit_code : wait_status);
	coredump_park();	/* a core file being written sees this thread whole */
	exit_release_resources(t);

	spin_lock(&p->lock);
	list_del(&t->thread_link);
	memcpy(p->comm, t->comm, TASK_COMM_LEN);	/* a zombie's name in /proc */
	last = --p->nr_threads == 0;
	if (p->group_exiting)
		wait_status = p->exit_code;
	/* An execve in another thread waits to be the only one left. */
	wake_exec = p->exec_task && p->exec_task != t && p->nr_threads == 1;
	spin_unlock(&p->lock);
	if (wake_exec)
		wake_up(&p->thread_exit);

	ptrace_task_exit(t, wait_status);	/* leave the tracer (kernel/ptrace.c) */
	if (t->tid != p->pid) {
		spin_lock(&tasklist_lock);
		pid_free_locked(t->tid);
		spin_unlock(&tasklist_lock);
	}
	if (last) {
		if (p == init_process)
			init_died(wait_status);
		sem_exit_undo(p);
		msgpass_exit(p);
		if (p->pid == p->sid)
			tty_session_leader_exit(p->sid);
		ptrace_tracer_exit(p);	/* its own tracees go free (or die) */
		exit_notify(p, wait_status);
	}
	/* The scheduler drops the last reference once off this stack. */
	sched_exit_current();
}

/*
 * do_exit_group - see include/task.h. The other threads are told to end
 * (group_exiting) and woken from any interruptible sleep; each ends itself
 * on its way back to user mode (task_group_exit_check()), and whichever
 * thread ends last makes the zombie with the group's status.
 */
void do_exit_group(int wait_status)
{
	struct task *t = current, *other;
	struct process *p = t->proc;

	spin_lock(&p->lock);
	if (!p->group_exiting) {
		p->group_exiting = true;
		p->exit_code = wait_status;
	}
	list_for_each_entry(other, &p->threads, thread_link) {
		if (other != t) {
			sched_wake_task(other);
			sched_wake_stopped(other);	/* out of a ptrace stop, too */
		}
	}
	spin_unlock(&p->lock);
	do_exit_thread(wait_status);
}

/* task_group_exit_check - see include/task.h. */
void task_group_exit_check(void)
{
	struct task *t = current;

	if (t->mm && task_group_exit_pending(t))
		do_exit_thread(0);	/* the group's status replaces 0 */
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
		return put_user_u32((void __user *)arg2, (u32)p->pdeath_signal) ? -EFAULT : 0;
	case 36:	/* PR_SET_CHILD_SUBREAPER */
		spin_lock(&tasklist_lock);
		p->is_subreaper = arg2 != 0;
		spin_unlock(&tasklist_lock);
		return 0;
	case 37:	/* PR_GET_CHILD_SUBREAPER */
		spin_lock(&tasklist_lock);
		v = p->is_subreaper;
		spin_unlock(&tasklist_lock);
		return put_user_u32((void __user *)arg2, (u32)v) ? -EFAULT : 0;
	default:
		return -EINVAL;
	}
}
