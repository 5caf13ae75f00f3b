/*
 * Process exit: _exit(2), exit_group(2) and death by signal.
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
#include "cpu.h"
#include "mm.h"
#include "fs.h"
#include "uaccess.h"
#include "trace.h"
#include "uapi/errno.h"
#include "uapi/wait.h"

/* Give the address space and descriptors back; keep the accounting. */
static void exit_release_resources(struct task *t)
{
	struct process *p = t->proc;
	struct mm *mm = t->mm;
	struct files *files;
	struct fs_context *fs;

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

/* Hand @p's children to init. Caller holds tasklist_lock. */
static void reparent_children(struct process *p)
{
	struct process *c, *tmp;
	bool zombie = false;

	if (p == init_process)
		return;
	list_for_each_entry_safe(c, tmp, &p->children, sibling) {
		list_del(&c->sibling);
		c->parent = init_process;
		list_add_tail(&c->sibling, &init_process->children);
		trace_reparent(c, init_process);
		if (c->state == PROC_ZOMBIE)
			zombie = true;
	}
	if (zombie)
		wake_up(&init_process->child_exit);
}

/* Turn @p into a zombie and tell its parent. */
static void exit_notify(struct process *p, int wait_status)
{
	spin_lock(&tasklist_lock);
	reparent_children(p);
	p->exit_code = wait_status;
	p->state = PROC_ZOMBIE;
	struct process *parent = p->parent;

	wake_up(&parent->child_exit);
	if (p->exit_signal)
		send_signal_process(parent, p->exit_signal);
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
	memcpy(p->comm, t->comm, TASK_COMM_LEN);	/* a zombie's name in /proc */
	last = --p->nr_threads == 0;
	if (p->group_exiting)
		wait_status = p->exit_code;
	spin_unlock(&p->lock);

	if (last) {
		if (p == init_process)
			init_died(wait_status);
		sem_exit_undo(p);
		msgpass_exit(p);
		if (p->pid == p->sid)
			tty_session_leader_exit(p->sid);
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

/* trap_user_fault - see include/arch.h. Until handlers can be run, a fault
 * signal kills the process (its default action), as Linux does when the
 * signal is not caught. */
void trap_user_fault(struct trapframe *tf, int signo, int code, u64 addr)
{
	struct task *t = current;

	printk("sprout: pid %d (%s): signal %d (code %d) at ip %lx addr %lx\n",
	       t->proc->pid, t->comm, signo, code, tf_ip(tf), addr);
	do_exit_group(wait_status_signaled(signo, 0));
}
