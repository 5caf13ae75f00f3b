/*
 * ptrace(2): tracing stops and the lifecycle hooks that make them (the
 * requests a tracer makes are in kernel/ptrace_request.c).
 *
 * A traced task (task->ptrace has PT_PTRACED, task->ptracer its tracer)
 * stops for its tracer instead of running on:
 *   - signal-delivery-stop: a signal it is about to take (ptrace_signal());
 *   - group-stop: its process stopped by SIGSTOP & co. (ptrace_group_stop());
 *   - syscall-entry and syscall-exit stops after PTRACE_SYSCALL;
 *   - PTRACE_EVENT stops: fork, vfork, clone, exec, vfork-done, exit, and
 *     PTRACE_EVENT_STOP (PTRACE_INTERRUPT, a seized start, LISTEN's end).
 * Each stop is a "tracing stop" (state 't'): ptrace_stop() records the stop
 * code, wakes the tracer's wait (the tracer's child_exit queue, SIGCHLD with
 * CLD_TRAPPED) and sleeps until a resume request (CONT, SYSCALL,
 * SINGLESTEP, DETACH, LISTEN), the tracer's exit, or SIGKILL, which always
 * works. wait(2) reports it as (code << 8) | 0x7f (kernel/wait.c asks the
 * tracer's ptraced list). A traced process's exit goes to its tracer first
 * when that is not the parent; the parent hears of it once the tracer has
 * collected it (ptrace_exit_notify(), ptrace_release_zombie()).
 *
 * Locks: the [T] ptrace fields, under tasklist_lock; a stopped tracee's
 * registers are touched only by its tracer while ptrace_stopped holds.
 * Sources: ptrace(2), wait(2), process_vm_readv(2); Linux's ABI for
 * status codes, event messages and the structures.
 */
#include "kernel.h"
#include "task.h"
#include "cpu.h"
#include "mm.h"
#include "ptrace.h"
#include "kmalloc.h"
#include "uaccess.h"
#include "uapi/errno.h"
#include "uapi/signal.h"
#include "uapi/wait.h"
#include "uapi/clone.h"
#include "ptrace_internal.h"

#define SIGBIT(sig)	(1UL << ((sig) - 1))

/* ---- stopping ---- */

/* Tell @tracer a tracee stopped (@code & 0x7f in SIGCHLD's si_status) or
 * exited. Caller holds tasklist_lock. */
static void notify_tracer(struct process *tracer, struct task *t, int code)
{
	struct linux_siginfo info;
	bool nocldstop = false;

	wake_up(&tracer->child_exit);
	if (tracer->sighand) {
		spin_lock(&tracer->sighand->lock);
		nocldstop = tracer->sighand->action[SIGCHLD - 1].flags & SA_NOCLDSTOP;
		spin_unlock(&tracer->sighand->lock);
	}
	if (nocldstop)
		return;
	memset(&info, 0, sizeof(info));
	info.si_signo = SIGCHLD;
	info.si_code = CLD_TRAPPED;
	info.proc.pid = t->tid;
	info.proc.uid = t->proc->uid;
	info.proc.status = code & 0x7f;
	signal_send_info(tracer, NULL, &info);
}

/* What ends a tracing stop unasked: SIGKILL, or the end of the whole group
 * (exit_group(2), a SIGKILL another thread took, execve(2) in another
 * thread) -- except in the thread's own exit, which still reports
 * PTRACE_EVENT_EXIT. */
static bool killed(struct task *t)
{
	return ((t->pending | t->proc->shared_pending) & SIGBIT(SIGKILL)) ||
	       (!t->ptrace_exiting && task_group_exit_pending(t));
}

/*
 * Stop current for its tracer with stop code @code (wait status bits 8-23),
 * siginfo @info (kept on the caller's stack for GETSIGINFO/SETSIGINFO),
 * syscall-info @op and event message @msg. Returns the signal the resume
 * gave back (0 when none, when not traced, or when killed). Sleeps.
 */
static int ptrace_stop(int code, struct linux_siginfo *info, u8 op, u64 msg)
{
	struct task *t = current;
	struct process *p = t->proc;
	int sig;

	spin_lock(&tasklist_lock);
	if (!(t->ptrace & PT_PTRACED) || !t->ptracer) {
		spin_unlock(&tasklist_lock);
		return 0;
	}
	t->ptrace_code = code;
	t->ptrace_siginfo = info;
	t->ptrace_syscall_op = op;
	t->ptrace_message = msg;
	t->ptrace_resume_sig = 0;
	t->ptrace_stopped = true;
	t->ptrace_report = true;
	t->ptrace_trap = false;
	notify_tracer(t->ptracer, t, code);
	for (;;) {
		/* The check and the state change under p->lock, which SIGKILL's
		 * sender holds while it wakes stopped tasks: no lost wake-up. */
		spin_lock(&p->lock);
		bool stay = (t->ptrace_stopped || t->ptrace_listening) && !killed(t);

		if (t->ptrace_listening && !p->stopped && !t->ptrace_stopped) {
			/* SIGCONT ended the group stop LISTEN waited in: trap again
			 * and tell the tracer (PTRACE_EVENT_STOP, ptrace(2)). */
			t->ptrace_listening = false;
			t->ptrace_trap = false;
			t->ptrace_code = SIGTRAP | (PTRACE_EVENT_STOP << 8);
			t->ptrace_stopped = true;
			t->ptrace_report = true;
			t->ptrace_syscall_op = 0;
			spin_unlock(&p->lock);
			if (t->ptracer)
				notify_tracer(t->ptracer, t, t->ptrace_code);
			continue;
		}
		if (stay)
			sched_prepare_stop();
		spin_unlock(&p->lock);
		if (!stay)
			break;
		spin_unlock(&tasklist_lock);
		schedule();
		spin_lock(&tasklist_lock);
	}
	t->ptrace_stopped = false;
	t->ptrace_listening = false;
	t->ptrace_report = false;
	t->ptrace_siginfo = NULL;
	sig = killed(t) ? 0 : t->ptrace_resume_sig;
	t->ptrace_resume_sig = 0;
	spin_unlock(&tasklist_lock);
	return sig;
}

/* The siginfo of a ptrace trap: SIGTRAP, si_code @code, the sender current. */
static void trap_info(struct linux_siginfo *info, int code)
{
	memset(info, 0, sizeof(*info));
	info->si_signo = SIGTRAP;
	info->si_code = code;
	info->proc.pid = current->tid;
	info->proc.uid = current->proc->uid;
}

/* Report PTRACE_EVENT @event with @msg if the option @opt is set. */
static void ptrace_event(u32 opt, int event, u64 msg)
{
	struct linux_siginfo info;
	int code = SIGTRAP | (event << 8);

	if (!(__atomic_load_n(&current->ptrace, __ATOMIC_RELAXED) & opt))
		return;
	trap_info(&info, code);
	ptrace_stop(code, &info, 0, msg);
}

/* ptrace_syscall_entry - see include/ptrace.h. */
long ptrace_syscall_entry(struct trapframe *tf)
{
	struct task *t = current;
	struct linux_siginfo info;
	int code = SIGTRAP | ((t->ptrace & PTRACE_O_TRACESYSGOOD) ? 0x80 : 0);

	tf_set_return(tf, -ENOSYS);
	trap_info(&info, code);
	ptrace_stop(code, &info, PTRACE_SYSCALL_INFO_ENTRY, PTRACE_EVENTMSG_SYSCALL_ENTRY);
	if (killed(t))
		return -1;	/* not run: the kill is taken on the way out */
	return t->syscall_nr;
}

/* ptrace_syscall_exit - see include/ptrace.h. */
void ptrace_syscall_exit(struct trapframe *tf)
{
	struct task *t = current;
	struct linux_siginfo info;
	int code = SIGTRAP | ((t->ptrace & PTRACE_O_TRACESYSGOOD) ? 0x80 : 0);

	(void)tf;
	trap_info(&info, code);
	ptrace_stop(code, &info, PTRACE_SYSCALL_INFO_EXIT, PTRACE_EVENTMSG_SYSCALL_EXIT);
}

/* ptrace_signal - see include/ptrace.h. */
int ptrace_signal(int sig, struct linux_siginfo *info)
{
	int nsig = ptrace_stop(sig, info, 0, 0);

	if (!nsig || killed(current))
		return 0;
	/* A different signal is a new one, from the tracer (ptrace(2)). */
	if (nsig != info->si_signo) {
		memset(info, 0, sizeof(*info));
		info->si_signo = nsig;
		info->si_code = SI_USER;
		spin_lock(&tasklist_lock);
		if (current->ptracer) {
			info->proc.pid = current->ptracer->pid;
			info->proc.uid = current->ptracer->uid;
		}
		spin_unlock(&tasklist_lock);
	}
	return nsig;
}

/* ptrace_group_stop - see include/ptrace.h. The tracer's resume ends the
 * stop for this tracee (ptrace(2) "Group-stop"); a detach leaves it in the
 * job-control stop, until SIGCONT. */
void ptrace_group_stop(int sig)
{
	struct linux_siginfo info;
	struct process *p = current->proc;
	bool seized = current->ptrace & PT_SEIZED;
	int code = seized ? sig | (PTRACE_EVENT_STOP << 8) : sig;

	memset(&info, 0, sizeof(info));
	info.si_signo = sig;
	ptrace_stop(code, &info, 0, 0);
	spin_lock(&tasklist_lock);
	spin_lock(&p->lock);
	if (current->ptrace)
		p->stopped = false;
	spin_unlock(&p->lock);
	spin_unlock(&tasklist_lock);
}

/* ptrace_trap_pending - see include/ptrace.h. No lock: re-checked in ptrace_trap(). */
bool ptrace_trap_pending(struct task *t)
{
	return __atomic_load_n(&t->ptrace_trap, __ATOMIC_RELAXED);
}

/* ptrace_trap - see include/ptrace.h. */
void ptrace_trap(void)
{
	struct linux_siginfo info;
	int code = SIGTRAP | (PTRACE_EVENT_STOP << 8);

	trap_info(&info, code);
	ptrace_stop(code, &info, 0, 0);
}

/* ptrace_notify_cont - see include/ptrace.h. */
void ptrace_notify_cont(struct process *p)
{
	struct task *t;

	list_for_each_entry(t, &p->threads, thread_link) {
		if (!(__atomic_load_n(&t->ptrace, __ATOMIC_RELAXED) & PT_SEIZED))
			continue;
		__atomic_store_n(&t->ptrace_trap, true, __ATOMIC_RELEASE);
		sched_wake_task(t);	/* out of an interruptible sleep, to trap */
	}
}

/* ---- lifecycle hooks ---- */

/* ptrace_link_tracee - see kernel/ptrace_internal.h. */
void ptrace_link_tracee(struct task *t, struct process *tracer, u32 flags, bool privileged)
{
	t->ptrace = flags;
	t->ptracer = tracer;
	t->ptrace_privileged = privileged;
	list_add_tail(&t->ptrace_link, &tracer->ptraced);
}

/* ptrace_unlink_tracee - see kernel/ptrace_internal.h. */
void ptrace_unlink_tracee(struct task *t)
{
	list_del(&t->ptrace_link);
	list_init(&t->ptrace_link);
	t->ptrace = 0;
	t->ptracer = NULL;
	t->ptrace_trap = false;
	t->ptrace_report = false;
	if (t->mm) {
		arch_ptrace_single_step(t, false);
		arch_ptrace_clear_debugregs(t);
	}
	if (t->ptrace_stopped || t->ptrace_listening) {
		t->ptrace_stopped = false;
		t->ptrace_listening = false;
		sched_wake_stopped(t);
	}
}

/* Which event and option belong to a child created with clone @flags. */
static int fork_event(u64 flags, u32 *opt)
{
	if (flags & CLONE_VFORK) {
		*opt = PTRACE_O_TRACEVFORK;
		return PTRACE_EVENT_VFORK;
	}
	if ((flags & 0xff) != SIGCHLD) {
		*opt = PTRACE_O_TRACECLONE;
		return PTRACE_EVENT_CLONE;
	}
	*opt = PTRACE_O_TRACEFORK;
	return PTRACE_EVENT_FORK;
}

/* ptrace_fork - see include/ptrace.h. A new tracee starts with SIGSTOP
 * pending, or, seized, with a PTRACE_EVENT_STOP trap. */
void ptrace_fork(struct task *child, u64 flags)
{
	struct task *t = current;
	u32 opt;
	bool stop = false;

	list_init(&child->ptrace_link);
	child->ptrace = 0;
	child->ptracer = NULL;
	if (!__atomic_load_n(&t->ptrace, __ATOMIC_RELAXED))
		return;
	spin_lock(&tasklist_lock);
	fork_event(flags, &opt);
	if ((t->ptrace & opt) && t->ptracer && !t->ptracer->ptrace_closed) {
		ptrace_link_tracee(child, t->ptracer, t->ptrace & ~PT_SYSCALL, t->ptrace_privileged);
		if (child->ptrace & PT_SEIZED)
			child->ptrace_trap = true;
		else
			stop = true;
	}
	spin_unlock(&tasklist_lock);
	if (stop) {
		spin_lock(&child->proc->lock);
		child->pending |= SIGBIT(SIGSTOP);
		spin_unlock(&child->proc->lock);
	}
}

/* ptrace_fork_event - see include/ptrace.h. */
void ptrace_fork_event(u64 flags, pid_t tid)
{
	u32 opt;
	int event = fork_event(flags, &opt);

	ptrace_event(opt, event, (u64)tid);
}

/* ptrace_vfork_done - see include/ptrace.h. */
void ptrace_vfork_done(pid_t tid)
{
	ptrace_event(PTRACE_O_TRACEVFORKDONE, PTRACE_EVENT_VFORK_DONE, (u64)tid);
}

/* ptrace_exec - see include/ptrace.h. */
void ptrace_exec(pid_t old_tid)
{
	struct task *t = current;
	u32 f = __atomic_load_n(&t->ptrace, __ATOMIC_RELAXED);

	if (!(f & PT_PTRACED))
		return;
	if (f & PTRACE_O_TRACEEXEC) {
		ptrace_event(PTRACE_O_TRACEEXEC, PTRACE_EVENT_EXEC, (u64)old_tid);
	} else if (!(f & PT_SEIZED)) {
		/* The traditional SIGTRAP after a successful execve. */
		struct linux_siginfo info;

		memset(&info, 0, sizeof(info));
		info.si_signo = SIGTRAP;
		info.si_code = SI_USER;
		signal_send_info(t->proc, t, &info);
	}
}

/* ptrace_exec_unsafe - see include/ptrace.h. */
bool ptrace_exec_unsafe(void)
{
	struct task *t = current;
	bool unsafe;

	spin_lock(&tasklist_lock);
	unsafe = (t->ptrace & PT_PTRACED) && !t->ptrace_privileged;
	spin_unlock(&tasklist_lock);
	return unsafe;
}

/* ptrace_exit_event - see include/ptrace.h. */
void ptrace_exit_event(int wait_status)
{
	current->ptrace_exiting = true;
	ptrace_event(PTRACE_O_TRACEEXIT, PTRACE_EVENT_EXIT, (u64)(u32)wait_status);
}

/* The exit of a traced thread that is not its process's leader, kept for
 * the tracer's wait (its tid is free again by then, as the thread is gone). */
struct thread_exit {
	struct list_head link;		/* [T] in tracer->ptrace_thread_exits */
	pid_t tid, pgid;
	uid_t uid;			/* the thread's real uid */
	int status;			/* wait status */
};

/* ptrace_task_exit - see include/ptrace.h. The leader's tracer is kept in
 * the process for the zombie's report; another thread's exit is queued for
 * the tracer (without memory for the record it is not reported). */
void ptrace_task_exit(struct task *t, int wait_status)
{
	struct thread_exit *e;

	if (!__atomic_load_n(&t->ptrace, __ATOMIC_RELAXED))
		return;
	e = t->tid != t->proc->pid ? kmalloc(sizeof(*e)) : NULL;
	spin_lock(&tasklist_lock);
	if (t->ptracer) {
		struct process *tracer = t->ptracer;

		if (t->tid == t->proc->pid) {
			t->proc->ptrace_exit_tracer = tracer;
		} else if (e && !tracer->ptrace_closed && tracer != t->proc) {
			e->tid = t->tid;
			e->pgid = t->proc->pgid;
			e->status = wait_status;
			e->uid = t->proc->uid;
			list_add_tail(&e->link, &tracer->ptrace_thread_exits);
			e = NULL;
			struct linux_siginfo info;

			memset(&info, 0, sizeof(info));
			info.si_signo = SIGCHLD;
			info.si_code = (wait_status & 0x7f) ? CLD_KILLED : CLD_EXITED;
			info.proc.pid = t->tid;
			info.proc.uid = t->proc->uid;
			info.proc.status = (wait_status & 0x7f) ? wait_status & 0x7f :
					   (wait_status >> 8) & 0xff;
			signal_send_info(tracer, NULL, &info);
			wake_up(&tracer->child_exit);
		}
		ptrace_unlink_tracee(t);
	}
	spin_unlock(&tasklist_lock);
	kfree(e);
}

/* ptrace_thread_exit_take - see include/ptrace.h. */
bool ptrace_thread_exit_take(struct process *tracer, bool (*match)(pid_t, pid_t, void *),
			     void *arg, bool consume, pid_t *tid, int *status, uid_t *uid)
{
	struct thread_exit *e;

	list_for_each_entry(e, &tracer->ptrace_thread_exits, link) {
		if (!match(e->tid, e->pgid, arg))
			continue;
		*tid = e->tid;
		*status = e->status;
		*uid = e->uid;
		if (consume) {
			list_del(&e->link);
			kfree(e);
		}
		return true;
	}
	return false;
}

/* ptrace_exit_notify - see include/ptrace.h. */
bool ptrace_exit_notify(struct process *p, int wait_status)
{
	struct process *tracer = p->ptrace_exit_tracer;
	struct linux_siginfo info;

	p->ptrace_exit_tracer = NULL;
	if (!tracer || tracer == p->parent || tracer->ptrace_closed)
		return false;
	p->ptrace_zombie_tracer = tracer;
	list_add_tail(&p->ptrace_zombie_link, &tracer->ptrace_zombies);
	process_get(p);		/* the tracer's list holds it */
	signal_child_exit_info(p, wait_status, &info);
	info.si_signo = SIGCHLD;
	signal_send_info(tracer, NULL, &info);
	wake_up(&tracer->child_exit);
	return true;
}

/* ptrace_tracer_exit - see include/ptrace.h. */
void ptrace_tracer_exit(struct process *p)
{
	struct task *t, *tn;
	struct process *z, *zn;

	spin_lock(&tasklist_lock);
	p->ptrace_closed = true;	/* from now on its tracees' exits go to their parents */
	list_for_each_entry_safe(t, tn, &p->ptraced, ptrace_link) {
		bool kill = t->ptrace & PTRACE_O_EXITKILL;
		struct process *tp = t->proc;

		ptrace_unlink_tracee(t);
		if (kill)
			send_signal_process(tp, SIGKILL);
	}
	list_for_each_entry_safe(z, zn, &p->ptrace_zombies, ptrace_zombie_link)
		ptrace_release_zombie(z);
	while (!list_empty(&p->ptrace_thread_exits)) {
		struct thread_exit *e = list_first_entry(&p->ptrace_thread_exits,
							 struct thread_exit, link);

		list_del(&e->link);
		kfree(e);
	}
	spin_unlock(&tasklist_lock);
}

/* ptrace_release_zombie - see include/ptrace.h. */
void ptrace_release_zombie(struct process *p)
{
	list_del(&p->ptrace_zombie_link);
	list_init(&p->ptrace_zombie_link);
	p->ptrace_zombie_tracer = NULL;
	exit_notify_parent(p);
	process_put(p);		/* the tracer's list's reference */
}

/* ptrace_tracer_pid - see include/ptrace.h. */
pid_t ptrace_tracer_pid(struct task *t)
{
	return t && t->ptracer ? t->ptracer->pid : 0;
}
