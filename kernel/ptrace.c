/*
 * ptrace(2): tracing stops and the requests a tracer makes.
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

/* Caller holds tasklist_lock and has checked !tracer->ptrace_closed. */
static void link_tracee(struct task *t, struct process *tracer, u32 flags, bool privileged)
{
	t->ptrace = flags;
	t->ptracer = tracer;
	t->ptrace_privileged = privileged;
	list_add_tail(&t->ptrace_link, &tracer->ptraced);
}

/* Undo the link; the task runs on (with @sig pending if non-zero).
 * Caller holds tasklist_lock. */
static void unlink_tracee(struct task *t)
{
	list_del(&t->ptrace_link);
	list_init(&t->ptrace_link);
	t->ptrace = 0;
	t->ptracer = NULL;
	t->ptrace_trap = false;
	t->ptrace_report = false;
	if (t->mm)
		arch_ptrace_single_step(t, false);
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
		link_tracee(child, t->ptracer, t->ptrace & ~PT_SYSCALL, t->ptrace_privileged);
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
		unlink_tracee(t);
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

		unlink_tracee(t);
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

/* ---- requests ---- */

/* Find @tid among the caller's tracees. Caller holds tasklist_lock. */
static struct task *tracee_find(pid_t tid)
{
	struct task *t;

	list_for_each_entry(t, &current->proc->ptraced, ptrace_link)
		if (t->tid == tid)
			return t;
	return NULL;
}

/* The thread @tid of live process @p, or NULL. Caller holds tasklist_lock. */
static struct task *thread_of(struct process *p, pid_t tid)
{
	struct task *t, *hit = NULL;

	if (p->state != PROC_ALIVE)
		return NULL;
	spin_lock(&p->lock);
	list_for_each_entry(t, &p->threads, thread_link)
		if (t->tid == tid)
			hit = t;
	spin_unlock(&p->lock);
	return hit;
}

/* A thread @tid to attach to: a leader through the pid hash, another thread
 * by a walk of the tree (attach is rare; nothing else needs a tid table).
 * Caller holds tasklist_lock. */
static struct task *thread_find(pid_t tid)
{
	struct process *p = process_find(tid);
	struct task *t;

	if (p)
		return thread_of(p, tid);
	for (p = init_process; p; p = process_tree_next(init_process, p))
		if ((t = thread_of(p, tid)) != NULL)
			return t;
	return NULL;
}

static bool caller_is_root(void)
{
	struct process *me = current->proc;
	bool root;

	spin_lock(&me->lock);
	root = me->euid == 0;
	spin_unlock(&me->lock);
	return root;
}

/* PTRACE_ATTACH / PTRACE_SEIZE. */
static long do_attach(pid_t tid, bool seize, u64 flags)
{
	struct process *me = current->proc;
	struct task *t;
	long err = 0;

	if (seize && (flags & ~(u64)PTRACE_O_MASK))
		return -EIO;
	spin_lock(&tasklist_lock);
	t = thread_find(tid);
	if (!t || !t->mm) {
		err = t ? -EPERM : -ESRCH;
		goto out;
	}
	if (t->proc == me || t->proc == init_process) {
		err = -EPERM;	/* oneself; init (Linux: unless root in a namespace) */
		goto out;
	}
	if (t->ptrace & PT_PTRACED) {
		err = -EPERM;
		goto out;
	}
	if (!cred_may_ptrace(t->proc)) {
		err = -EPERM;
		goto out;
	}
	if (me->ptrace_closed || me->group_exiting) {
		err = -EPERM;
		goto out;
	}
	link_tracee(t, me, PT_PTRACED | (seize ? PT_SEIZED | (u32)flags : 0), caller_is_root());
	/* Stopped already (job control): it reports that stop to us now. */
	spin_lock(&t->proc->lock);
	if (t->proc->stopped)
		sched_wake_stopped(t);
	spin_unlock(&t->proc->lock);
	if (!seize) {
		struct linux_siginfo info;

		memset(&info, 0, sizeof(info));
		info.si_signo = SIGSTOP;
		info.si_code = SI_USER;
		info.proc.pid = me->pid;
		info.proc.uid = me->uid;
		signal_send_info(t->proc, NULL, &info);
	}
out:
	spin_unlock(&tasklist_lock);
	return err;
}

/* PTRACE_TRACEME: the parent becomes the tracer. */
static long do_traceme(void)
{
	struct task *t = current;
	struct process *parent;
	long err = 0;

	spin_lock(&tasklist_lock);
	parent = t->proc->parent;
	if (t->ptrace & PT_PTRACED || !parent || parent == init_process ||
	    parent->ptrace_closed)
		err = -EPERM;
	else
		link_tracee(t, parent, PT_PTRACED, parent->euid == 0);
	spin_unlock(&tasklist_lock);
	return err;
}

/* The resume requests: CONT, SYSCALL, SINGLESTEP, DETACH. Caller holds
 * tasklist_lock; @t is a stopped tracee of the caller. */
static long do_resume(struct task *t, long req, u64 data)
{
	if (data > NSIG)
		return -EIO;
	if (req == PTRACE_DETACH) {
		unlink_tracee(t);
		if (data) {
			struct linux_siginfo info;

			memset(&info, 0, sizeof(info));
			info.si_signo = (int)data;
			info.si_code = SI_USER;
			signal_send_info(t->proc, t, &info);
		}
		return 0;
	}
	if (req == PTRACE_SYSCALL)
		t->ptrace |= PT_SYSCALL;
	else
		t->ptrace &= ~PT_SYSCALL;
	t->ptrace_step = req == PTRACE_SINGLESTEP;
	arch_ptrace_single_step(t, t->ptrace_step);
	t->ptrace_resume_sig = (int)data;
	t->ptrace_stopped = false;
	t->ptrace_report = false;
	sched_wake_stopped(t);
	return 0;
}

/* PEEK/POKE of memory: the tracee's address space. */
static long tracee_mem(struct task *t, u64 addr, u64 *word, bool write)
{
	struct process *p = t->proc;
	struct mm *mm;
	long n;

	spin_lock(&p->lock);
	mm = t->mm;
	if (mm)
		mm_get(mm);
	spin_unlock(&p->lock);
	if (!mm)
		return -EIO;
	n = mm_access_remote(mm, addr, word, sizeof(*word), write, true);
	mm_put(mm);
	return n == sizeof(*word) ? 0 : -EIO;
}

/* Byte offsets in struct user (<sys/user.h>). */
#define USER_REGS_SIZE		(PTRACE_NREGS * 8)
#define USER_DEBUGREG		848
#define USER_SIZE		912

static long peek_user(struct task *t, u64 off, u64 *val)
{
	u64 regs[PTRACE_NREGS];

	if ((off & 7) || off >= USER_SIZE)
		return -EIO;
	*val = 0;	/* other fields; debug registers: no breakpoints set */
	if (off < USER_REGS_SIZE) {
		arch_ptrace_get_regs(t, regs);
		*val = regs[off / 8];
	}
	return 0;
}

static long poke_user(struct task *t, u64 off, u64 val)
{
	if ((off & 7) || off >= USER_SIZE)
		return -EIO;
	if (off < USER_REGS_SIZE)
		return arch_ptrace_set_reg(t, (int)(off / 8), val);
	/* No hardware breakpoints: a debug register may only stay clear. */
	if (off >= USER_DEBUGREG && val == 0)
		return 0;
	return -EIO;
}

static long set_regs(struct task *t, const u64 *regs)
{
	u64 old[PTRACE_NREGS];

	/* All or nothing: check the refusable words first on a copy. */
	arch_ptrace_get_regs(t, old);
	for (int i = 0; i < PTRACE_NREGS; i++) {
		long err = arch_ptrace_set_reg(t, i, regs[i]);

		if (err) {
			for (int j = 0; j < PTRACE_NREGS; j++)
				arch_ptrace_set_reg(t, j, old[j]);
			return err;
		}
	}
	return 0;
}

/* PTRACE_GET_SYSCALL_INFO: Linux's layout and sizes. */
static long syscall_info(struct task *t, u64 size, void __user *uaddr)
{
	struct ptrace_syscall_info info;
	u64 regs[PTRACE_NREGS];
	size_t actual = offsetof(struct ptrace_syscall_info, arch);
	struct trapframe *tf = arch_task_trapframe(t);

	memset(&info, 0, sizeof(info));
	arch_ptrace_get_regs(t, regs);
	info.arch = AUDIT_ARCH_X86_64;
	info.instruction_pointer = regs[16];
	info.stack_pointer = regs[19];
	if (t->ptrace_siginfo && t->ptrace_siginfo->si_code == (SIGTRAP | 0x80)) {
		if (t->ptrace_syscall_op == PTRACE_SYSCALL_INFO_ENTRY) {
			info.op = PTRACE_SYSCALL_INFO_ENTRY;
			info.entry.nr = (u64)t->syscall_nr;
			for (int i = 0; i < 6; i++)
				info.entry.args[i] = tf_syscall_arg(tf, i);
			actual = offsetof(struct ptrace_syscall_info, entry.args) + 6 * 8;
		} else if (t->ptrace_syscall_op == PTRACE_SYSCALL_INFO_EXIT) {
			info.op = PTRACE_SYSCALL_INFO_EXIT;
			info.exit.rval = tf_get_return(tf);
			info.exit.is_error = info.exit.rval < 0 && info.exit.rval >= -4095;
			actual = offsetof(struct ptrace_syscall_info, exit.is_error) + 1;
		}
	}
	if (copy_to_user(uaddr, &info, MIN(size, actual)))
		return -EFAULT;
	return (long)actual;
}

static long regset(struct task *t, u64 note, void __user *uiov, bool set)
{
	struct linux_iovec iov;
	u8 buf[PTRACE_FPREGS_SIZE] __aligned(16);
	size_t size;
	long err = 0;

	if (copy_from_user(&iov, uiov, sizeof(iov)))
		return -EFAULT;
	if (note == NT_PRSTATUS)
		size = USER_REGS_SIZE;
	else if (note == NT_PRFPREG)
		size = PTRACE_FPREGS_SIZE;
	else
		return -EINVAL;
	size = MIN(size, iov.iov_len);
	if (note == NT_PRSTATUS)
		arch_ptrace_get_regs(t, (u64 *)buf);
	else
		arch_ptrace_get_fpregs(t, buf);
	if (!set) {
		if (copy_to_user((void __user *)iov.iov_base, buf, size))
			return -EFAULT;
	} else {
		/* A partial set keeps the rest (Linux's regset copy-in). */
		if (note == NT_PRSTATUS && size % 8)
			return -EINVAL;
		if (copy_from_user(buf, (const void __user *)iov.iov_base, size))
			return -EFAULT;
		if (note == NT_PRSTATUS)
			err = set_regs(t, (u64 *)buf);
		else
			arch_ptrace_set_fpregs(t, buf);
		if (err)
			return err;
	}
	iov.iov_len = size;
	return copy_to_user(uiov, &iov, sizeof(iov)) ? -EFAULT : 0;
}

/* Wait until stopped tracee @t has switched out (it announces its stop just
 * before): its FPU image is saved then and a write to it is not overwritten.
 * false if the stop ended meanwhile (SIGKILL). */
static bool tracee_inactive(struct task *t)
{
	while (!sched_task_switched_out(t)) {
		if (!__atomic_load_n(&t->ptrace_stopped, __ATOMIC_ACQUIRE))
			return false;
		arch_cpu_relax();
	}
	return true;
}

/*
 * Requests on a stopped tracee @t (tasklist_lock dropped: the stop keeps
 * it in place, and the caller holds a reference). The tracee stays stopped
 * meanwhile: only this tracer could resume it.
 */
static long stopped_request(struct task *t, long req, u64 addr, u64 data)
{
	u64 regs[PTRACE_NREGS], word;
	u8 fp[PTRACE_FPREGS_SIZE] __aligned(16);
	struct linux_siginfo info;
	long err;

	switch (req) {
	case PTRACE_PEEKTEXT:
	case PTRACE_PEEKDATA:
		err = tracee_mem(t, addr, &word, false);
		return err ? err : (put_user_u64((void __user *)data, word) ? -EFAULT : 0);
	case PTRACE_POKETEXT:
	case PTRACE_POKEDATA:
		return tracee_mem(t, addr, &data, true);
	case PTRACE_PEEKUSER:
		err = peek_user(t, addr, &word);
		return err ? err : (put_user_u64((void __user *)data, word) ? -EFAULT : 0);
	case PTRACE_POKEUSER:
		return poke_user(t, addr, data);
	case PTRACE_GETREGS:
		arch_ptrace_get_regs(t, regs);
		return copy_to_user((void __user *)data, regs, sizeof(regs)) ? -EFAULT : 0;
	case PTRACE_SETREGS:
		if (copy_from_user(regs, (const void __user *)data, sizeof(regs)))
			return -EFAULT;
		return set_regs(t, regs);
	case PTRACE_GETFPREGS:
		arch_ptrace_get_fpregs(t, fp);
		return copy_to_user((void __user *)data, fp, sizeof(fp)) ? -EFAULT : 0;
	case PTRACE_SETFPREGS:
		if (copy_from_user(fp, (const void __user *)data, sizeof(fp)))
			return -EFAULT;
		arch_ptrace_set_fpregs(t, fp);
		return 0;
	case PTRACE_GETREGSET:
	case PTRACE_SETREGSET:
		return regset(t, addr, (void __user *)data, req == PTRACE_SETREGSET);
	case PTRACE_GETSIGINFO:
		spin_lock(&tasklist_lock);
		err = t->ptrace_stopped && t->ptrace_siginfo ? 0 : -EINVAL;
		if (!err)
			info = *t->ptrace_siginfo;
		spin_unlock(&tasklist_lock);
		if (err)
			return err;
		return copy_to_user((void __user *)data, &info, sizeof(info)) ? -EFAULT : 0;
	case PTRACE_SETSIGINFO:
		if (copy_from_user(&info, (const void __user *)data, sizeof(info)))
			return -EFAULT;
		spin_lock(&tasklist_lock);
		err = t->ptrace_stopped && t->ptrace_siginfo ? 0 : -EINVAL;
		if (!err)
			*t->ptrace_siginfo = info;
		spin_unlock(&tasklist_lock);
		return err;
	case PTRACE_GETEVENTMSG:
		return put_user_u64((void __user *)data, t->ptrace_message) ? -EFAULT : 0;
	case PTRACE_GET_SYSCALL_INFO:
		return syscall_info(t, addr, (void __user *)data);
	default:
		return -EIO;
	}
}

/*
 * sys_ptrace - ptrace(2): @req on tracee @tid. The PEEK requests store the
 * word at user address @data (the raw system call's convention; libc's
 * wrapper returns it). Returns 0 (or the size for GET_SYSCALL_INFO), or
 * -ESRCH (not our tracee, or not stopped), -EPERM, -EIO, -EINVAL, -EFAULT.
 * Takes tasklist_lock. May sleep (memory access).
 */
long sys_ptrace(long req, pid_t tid, u64 addr, u64 data)
{
	struct task *t;
	long err;

	if (req == PTRACE_TRACEME)
		return do_traceme();
	if (req == PTRACE_ATTACH || req == PTRACE_SEIZE) {
		if (req == PTRACE_SEIZE && addr)
			return -EIO;
		return do_attach(tid, req == PTRACE_SEIZE, req == PTRACE_SEIZE ? data : 0);
	}
	spin_lock(&tasklist_lock);
	t = tracee_find(tid);
	if (!t) {
		spin_unlock(&tasklist_lock);
		return -ESRCH;
	}
	switch (req) {
	case PTRACE_KILL:
		send_signal_process(t->proc, SIGKILL);
		spin_unlock(&tasklist_lock);
		return 0;
	case PTRACE_INTERRUPT:
		if (!(t->ptrace & PT_SEIZED)) {
			spin_unlock(&tasklist_lock);
			return -EIO;
		}
		if (!t->ptrace_stopped) {
			t->ptrace_trap = true;
			sched_wake_task(t);
		}
		spin_unlock(&tasklist_lock);
		return 0;
	case PTRACE_SETOPTIONS:
		if (data & ~(u64)PTRACE_O_MASK) {
			spin_unlock(&tasklist_lock);
			return -EINVAL;
		}
		if (!t->ptrace_stopped) {
			spin_unlock(&tasklist_lock);
			return -ESRCH;
		}
		t->ptrace = (t->ptrace & ~(u32)PTRACE_O_MASK) | (u32)data;
		spin_unlock(&tasklist_lock);
		return 0;
	default:
		break;
	}
	if (!t->ptrace_stopped) {
		spin_unlock(&tasklist_lock);
		return -ESRCH;
	}
	switch (req) {
	case PTRACE_CONT:
	case PTRACE_SYSCALL:
	case PTRACE_SINGLESTEP:
	case PTRACE_DETACH:
		err = do_resume(t, req, data);
		spin_unlock(&tasklist_lock);
		return err;
	case PTRACE_LISTEN:
		/* Only a seized tracee in a group stop (PTRACE_EVENT_STOP). */
		if (!(t->ptrace & PT_SEIZED) ||
		    (t->ptrace_code >> 8) != PTRACE_EVENT_STOP) {
			spin_unlock(&tasklist_lock);
			return -EIO;
		}
		t->ptrace_listening = true;
		t->ptrace_stopped = false;
		t->ptrace_report = false;
		sched_wake_stopped(t);	/* it checks whether the group stop still holds */
		spin_unlock(&tasklist_lock);
		return 0;
	default:
		break;
	}
	task_get(t);
	spin_unlock(&tasklist_lock);
	err = tracee_inactive(t) ? stopped_request(t, req, addr, data) : -ESRCH;
	task_put(t);
	return err;
}
