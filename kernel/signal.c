/*
 * Signals: generation, pending sets, delivery, and the signal state of a task
 * or process from creation through fork and exec to its end.
 *
 * A signal is pending either for one thread (tkill, tgkill, faults) in
 * task->pending or for the whole process (kill, SIGCHLD, timers) in
 * process->shared_pending; each pending set has a queue of siginfo records
 * (one per standard signal, several for real-time ones). A process-directed
 * signal is taken by any thread that does not block it; the sender wakes one.
 *
 * Delivery happens on the way back to user mode (task_do_user_work): the
 * lowest-numbered deliverable signal (SIGKILL and synchronous faults first)
 * is dequeued and either runs its handler on a frame the arch builds, or
 * takes its default action: ignore, terminate, terminate with the core flag,
 * stop the process or (SIGCONT) nothing more -- continuing happens when
 * SIGCONT is sent. A system call interrupted by a signal returned an
 * -ERESTART* code; here it becomes -EINTR or is restarted (SA_RESTART, or no
 * handler ran), as signal(7) "Interruption of system calls" describes.
 *
 * Sending from user space (kill, tkill, tgkill, sigqueue) is in kernel/kill.c;
 * the system calls a process uses on its own signal state (actions, mask,
 * waiting, the alternate stack, return from a handler) are in
 * kernel/sys_signal.c; what both files share is in kernel/signal_internal.h.
 * The stack frame handlers run on is built by arch_signal_push_frame().
 *
 * Locks: pending sets and queues [P] process->lock; actions sighand->lock (a
 * leaf, taken under process->lock); job-control fields [T] tasklist_lock,
 * taken before process->lock. Callers of the send functions hold
 * tasklist_lock or otherwise keep the target alive.
 */
#include "kernel.h"
#include "task.h"
#include "coredump.h"
#include "fs.h"
#include "cpu.h"
#include "kmalloc.h"
#include "uaccess.h"
#include "uapi/errno.h"
#include "uapi/signal.h"
#include "uapi/wait.h"
#include "uapi/resource.h"
#include "signal_internal.h"
#include "ptrace.h"
#include "trace.h"

/* Default actions (signal(7)); default_ignore and unblockable are in signal_internal.h. */
static const sigset_t default_stop = SIGBIT(SIGSTOP) | SIGBIT(SIGTSTP) | SIGBIT(SIGTTIN) |
				      SIGBIT(SIGTTOU);
static const sigset_t default_core = SIGBIT(SIGQUIT) | SIGBIT(SIGILL) | SIGBIT(SIGTRAP) |
				      SIGBIT(SIGABRT) | SIGBIT(SIGBUS) | SIGBIT(SIGFPE) |
				      SIGBIT(SIGSEGV) | SIGBIT(SIGXCPU) | SIGBIT(SIGXFSZ) |
				      SIGBIT(SIGSYS);
/* Faults: delivered before other pending signals, like Linux's SYNCHRONOUS_MASK. */
static const sigset_t synchronous = SIGBIT(SIGSEGV) | SIGBIT(SIGBUS) | SIGBIT(SIGILL) |
				     SIGBIT(SIGTRAP) | SIGBIT(SIGFPE) | SIGBIT(SIGSYS);

/* restart_syscall(2) in the Linux syscall table (kernel/syscalls.tbl). */
#define NR_RESTART_SYSCALL	219

/*
 * One queued siginfo. Each pending set keeps one FIFO list per signal, so
 * that taking the next instance of a signal is O(1) however many others
 * are queued (draining a queue of n records costs O(n), not O(n^2)).
 */
struct sigqueue {
	struct list_head link;
	uid_t charged_uid;		/* RLIMIT_SIGPENDING: the user it counts for */
	struct linux_siginfo info;
};

/* ---- object life ---- */

/*
 * A signal's queue head is initialised when the first record is queued on it (pending_add());
 * a head still zeroed, as a new task or process has them, is an empty queue. Records are
 * queued only with the signal's bit set in the pending set, and the bit goes only with the
 * last record, so creating a task or a process touches none of the 64 heads and freeing one
 * flushes only the queues of the signals still pending. (A bit may also be set without any
 * record: RLIMIT_SIGPENDING, or ptrace's SIGSTOP for a new tracee.)
 */
static inline bool queue_empty(const struct list_head *q)
{
	return !q->next || list_empty(q);
}

static void sigqueue_free(struct sigqueue *e)
{
	list_del(&e->link);
	sigpending_uncharge(e->charged_uid);
	kfree(e);
}

static void queue_flush(struct list_head *q)
{
	struct sigqueue *e, *tmp;

	if (!q->next)
		return;
	list_for_each_entry_safe(e, tmp, q, link)
		sigqueue_free(e);
}

static void queues_flush(struct list_head *qs, sigset_t set)
{
	for (; set; set &= set - 1)
		queue_flush(&qs[__builtin_ctzl(set)]);
}

/* signal_task_init - see include/task.h. */
void signal_task_init(struct task *t)
{
	t->syscall_nr = -1;
	t->altstack_flags = SS_DISABLE;
}

/* signal_task_free - see include/task.h. */
void signal_task_free(struct task *t)
{
	queues_flush(t->sigqueue, t->pending);
}

/* signal_process_init - see include/task.h. */
void signal_process_init(struct process *p)
{
	list_init(&p->it_real_link);
	rlimit_init_defaults(p);
}

/* signal_process_free - see include/task.h. */
void signal_process_free(struct process *p)
{
	queues_flush(p->sigqueue, p->shared_pending);
	kfree(p->groups);
	p->groups = NULL;
}

/* ---- actions ---- */

static struct k_sigaction action_get(struct process *p, int sig)
{
	struct k_sigaction a;

	spin_lock(&p->sighand->lock);
	a = p->sighand->action[sig - 1];
	spin_unlock(&p->sighand->lock);
	return a;
}

/* ---- pending sets ---- */

/*
 * Queue @info in a pending set of @p (@set with its per-signal queues @qs).
 * Each record counts against RLIMIT_SIGPENDING of @p's real uid, except a
 * standard signal from kill(2) or the kernel (si_code >= 0), which always
 * gets its record (Linux's override_rlimit). Without a record a signal is
 * still pending with a bare siginfo -- but a real-time signal with a value
 * (sigqueue, tkill, ...: si_code != SI_USER) is refused instead, -EAGAIN.
 * Returns 0 or -EAGAIN. Holds p->lock.
 */
static int pending_add(struct process *p, sigset_t *set, struct list_head *qs,
		       const struct linux_siginfo *info)
{
	int sig = info->si_signo;
	u64 limit = (sig < SIGRTMIN && info->si_code >= 0) ? RLIM_INFINITY :
		    p->rlim[RLIMIT_SIGPENDING].cur;
	struct sigqueue *e = NULL;

	/* Standard signals do not queue: one instance at most (signal(7)). */
	if (sig < SIGRTMIN && (*set & SIGBIT(sig)))
		return 0;
	if (sigpending_charge(p->uid, limit)) {
		e = kmalloc(sizeof(*e));
		if (!e)
			sigpending_uncharge(p->uid);
	}
	if (e) {
		e->info = *info;
		e->charged_uid = p->uid;
		if (!qs[sig - 1].next)
			list_init(&qs[sig - 1]);	/* its first record (see queue_empty()) */
		list_add_tail(&e->link, &qs[sig - 1]);
	} else if (sig >= SIGRTMIN && info->si_code != SI_USER) {
		return -EAGAIN;
	}
	*set |= SIGBIT(sig);
	return 0;
}

/* Remove every pending instance of the signals in @mask from one set. */
static void pending_discard(sigset_t *set, struct list_head *qs, sigset_t mask)
{
	queues_flush(qs, *set & mask);
	*set &= ~mask;
}

/* sig_discard_everywhere - see kernel/signal_internal.h. */
void sig_discard_everywhere(struct process *p, sigset_t mask)
{
	struct task *t;

	pending_discard(&p->shared_pending, p->sigqueue, mask);
	list_for_each_entry(t, &p->threads, thread_link)
		pending_discard(&t->pending, t->sigqueue, mask);
}

/* Take one instance of @sig from a set into *@info. */
static void pending_take(sigset_t *set, struct list_head *qs, int sig,
			 struct linux_siginfo *info)
{
	struct list_head *q = &qs[sig - 1];

	if (!queue_empty(q)) {
		struct sigqueue *e = list_first_entry(q, struct sigqueue, link);

		*info = e->info;
		sigqueue_free(e);
	} else {
		/* Pending without a record (RLIMIT_SIGPENDING, no memory). */
		memset(info, 0, sizeof(*info));
		info->si_signo = sig;
		info->si_code = SI_USER;
	}
	if (queue_empty(q))
		*set &= ~SIGBIT(sig);
}

/* The signal to deliver first out of @set (non-empty). */
static int pick_signal(sigset_t set)
{
	if (set & SIGBIT(SIGKILL))
		return SIGKILL;
	if (set & synchronous)
		set &= synchronous;
	return __builtin_ctzl(set) + 1;
}

/* sig_dequeue - see kernel/signal_internal.h. */
int sig_dequeue(struct task *t, sigset_t mask, struct linux_siginfo *info)
{
	struct process *p = t->proc;
	sigset_t mine = t->pending & ~mask, shared = p->shared_pending & ~mask;

	if (mine && !((shared & SIGBIT(SIGKILL)) && !(mine & SIGBIT(SIGKILL)))) {
		int sig = pick_signal(mine);

		pending_take(&t->pending, t->sigqueue, sig, info);
		return sig;
	}
	if (shared) {
		int sig = pick_signal(shared);

		pending_take(&p->shared_pending, p->sigqueue, sig, info);
		return sig;
	}
	return 0;
}

/* ---- generation ---- */

static void wake_stopped_threads(struct process *p)
{
	struct task *t;

	list_for_each_entry(t, &p->threads, thread_link)
		sched_wake_stopped(t);
}

/*
 * Job control at generation time (POSIX.1-2017 2.4.3): SIGCONT continues a
 * stopped process and cancels pending stop signals, whatever its action; a
 * stop signal cancels a pending SIGCONT. Caller holds tasklist_lock.
 */
static void job_control_on_send(struct process *p, int sig)
{
	if (sig == SIGCONT) {
		spin_lock(&p->lock);
		sig_discard_everywhere(p, default_stop);
		bool was_stopped = p->stopped;

		if (was_stopped) {
			p->stopped = false;
			p->report = CLD_CONTINUED;
			wake_stopped_threads(p);
		}
		ptrace_notify_cont(p);	/* seized tracees trap to tell their tracer */
		spin_unlock(&p->lock);
		if (was_stopped)
			signal_notify_parent_jobctl(p, CLD_CONTINUED, SIGCONT);
	} else if (SIGBIT(sig) & default_stop) {
		spin_lock(&p->lock);
		sig_discard_everywhere(p, SIGBIT(SIGCONT));
		spin_unlock(&p->lock);
	}
}

/* Is a thread of @p traced? A tracer sees even ignored signals (ptrace(2)).
 * Holds p->lock. */
static bool any_traced(struct process *p)
{
	struct task *t;

	list_for_each_entry(t, &p->threads, thread_link)
		if (__atomic_load_n(&t->ptrace, __ATOMIC_RELAXED))
			return true;
	return false;
}

/* Does every thread of @p block @sig? Holds p->lock. */
static bool all_block(struct process *p, int sig)
{
	struct task *t;

	list_for_each_entry(t, &p->threads, thread_link)
		if (!(t->blocked & SIGBIT(sig)))
			return false;
	return !list_empty(&p->threads);
}

/* Wake the thread that should act on a process-directed @sig. Holds p->lock. */
static void wake_for(struct process *p, int sig)
{
	struct task *t;

	list_for_each_entry(t, &p->threads, thread_link) {
		if (sig == SIGKILL) {
			sched_wake_stopped(t);
			sched_wake_task(t);
			continue;
		}
		/* A thread in rt_sigtimedwait takes the signals it waits for,
		 * blocked as they are (sigwaitinfo(2)). */
		if (!(t->blocked & SIGBIT(sig)) || (t->sigwait_set & SIGBIT(sig))) {
			sched_wake_task(t);
			return;
		}
	}
}

/*
 * Make @info->si_signo pending for @p (process-directed, @t NULL) or for its
 * thread @t. Ignored signals are discarded at generation unless blocked
 * (signal(7)); SIGCONT and stop signals do their job-control work even then.
 * Caller holds tasklist_lock (or keeps @p alive and is not in the tree walk).
 */
static int send_info(struct process *p, struct task *t, const struct linux_siginfo *info)
{
	int sig = info->si_signo;
	int err;

	if (!sig_valid(sig) || p->state != PROC_ALIVE || !p->sighand)
		return 0;
	if (sig == SIGCONT || (SIGBIT(sig) & default_stop))
		job_control_on_send(p, sig);

	struct k_sigaction a = action_get(p, sig);

	spin_lock(&p->lock);
	bool blocked = t ? (t->blocked & SIGBIT(sig)) : all_block(p, sig);

	if (sig != SIGKILL && sig != SIGSTOP && handler_ignores(a.handler, sig) && !blocked &&
	    !(t ? t->ptrace : any_traced(p))) {
		spin_unlock(&p->lock);
		return 0;
	}
	/* init only gets the signals it has handlers for, SIGKILL included
	 * (kill(2) NOTES): nothing a user sends can take the system down. */
	if (p == init_process && a.handler == SIG_DFL) {
		spin_unlock(&p->lock);
		return 0;
	}
	trace_signal_send(p, t, sig);
	if (t) {
		err = pending_add(p, &t->pending, t->sigqueue, info);
		if (err)
			goto out;
		if (sig == SIGKILL)
			sched_wake_stopped(t);
		sched_wake_task(t);
	} else {
		err = pending_add(p, &p->shared_pending, p->sigqueue, info);
		if (err)
			goto out;
		wake_for(p, sig);
	}
	if (sig == SIGKILL)
		wake_for(p, SIGKILL);
out:
	spin_unlock(&p->lock);
	signalfd_notify();
	return err;
}

/* send_signal_process - see include/task.h. Sent by the kernel (SI_KERNEL). */
void send_signal_process(struct process *p, int sig)
{
	struct linux_siginfo info;

	memset(&info, 0, sizeof(info));
	info.si_signo = sig;
	info.si_code = SI_KERNEL;
	send_info(p, NULL, &info);
}

/* signal_send_info - see include/task.h. */
int signal_send_info(struct process *p, struct task *t, const struct linux_siginfo *info)
{
	return send_info(p, t, info);
}

/*
 * force_fault - a synchronous fault signal for current: if it is blocked or
 * ignored it cannot be put off, so its action returns to the default and it
 * is unblocked (Linux's force_sig_info), which kills the process.
 */
static void force_signal(const struct linux_siginfo *info)
{
	struct task *t = current;
	struct process *p = t->proc;
	int sig = info->si_signo;

	spin_lock(&p->sighand->lock);
	struct k_sigaction *a = &p->sighand->action[sig - 1];
	bool blocked = t->blocked & SIGBIT(sig);

	if (a->handler == SIG_IGN || blocked) {
		a->handler = SIG_DFL;
		t->blocked &= ~SIGBIT(sig);
	}
	spin_unlock(&p->sighand->lock);
	spin_lock(&p->lock);
	pending_add(p, &t->pending, t->sigqueue, info);
	spin_unlock(&p->lock);
}

/* signal_force_fault - see include/task.h. */
void signal_force_fault(int sig, int code, u64 addr)
{
	struct linux_siginfo info;

	memset(&info, 0, sizeof(info));
	info.si_signo = sig;
	info.si_code = code;
	info.fault.addr = addr;
	force_signal(&info);
}

/* ---- parent notification ---- */

/* signal_notify_parent_jobctl - see include/task.h. */
void signal_notify_parent_jobctl(struct process *p, int why, int status)
{
	struct process *parent = p->parent;
	struct linux_siginfo info;

	if (!parent)
		return;
	wake_up(&parent->child_exit);
	if (parent->sighand) {
		struct k_sigaction a = action_get(parent, SIGCHLD);

		if (a.flags & SA_NOCLDSTOP)
			return;
	}
	memset(&info, 0, sizeof(info));
	info.si_signo = SIGCHLD;
	info.si_code = why;
	info.proc.pid = p->pid;
	info.proc.uid = p->uid;
	info.proc.status = status;
	info.proc.utime = p->self.utime_ticks;
	info.proc.stime = p->self.stime_ticks;
	send_info(parent, NULL, &info);
}

/* signal_child_exit_info - see include/task.h. */
void signal_child_exit_info(struct process *p, int wait_status, struct linux_siginfo *info)
{
	memset(info, 0, sizeof(*info));
	info->si_signo = p->exit_signal;
	info->proc.pid = p->pid;
	info->proc.uid = p->uid;
	info->proc.utime = p->self.utime_ticks;
	info->proc.stime = p->self.stime_ticks;
	if ((wait_status & 0x7f) == 0) {
		info->si_code = CLD_EXITED;
		info->proc.status = (wait_status >> 8) & 0xff;
	} else {
		info->si_code = (wait_status & 0x80) ? CLD_DUMPED : CLD_KILLED;
		info->proc.status = wait_status & 0x7f;
	}
}

/* signal_parent_autoreaps - see include/task.h. */
bool signal_parent_autoreaps(struct process *parent)
{
	if (!parent->sighand)
		return false;
	struct k_sigaction a = action_get(parent, SIGCHLD);

	return a.handler == SIG_IGN || (a.flags & SA_NOCLDWAIT);
}

/* ---- delivery ---- */

/* signal_pending_current - see include/sched.h. */
bool signal_pending_current(void)
{
	struct task *t = current;
	struct process *p = t->proc;

	if (!p)
		return false;
	if (task_group_exit_pending(t))
		return true;	/* exit_group or exec by another thread */
	if (!p->sighand)
		return false;
	return ((t->pending | p->shared_pending) & ~(t->blocked & ~unblockable)) || p->stopped ||
	       ptrace_trap_pending(t);
}

/* fatal_signal_pending - see include/sched.h. */
bool fatal_signal_pending(void)
{
	struct task *t = current;
	struct process *p = t->proc;

	return p && ((t->pending | p->shared_pending) & SIGBIT(SIGKILL));
}

/* task_has_user_work(), inline in user_work_pending(): asked on every return to user mode,
 * so the usual answer (no) takes only loads and tests, and nothing is called. */
static inline __attribute__((always_inline)) bool has_user_work(struct task *t)
{
	struct process *p = t->proc;

	if (t->set_child_tid || t->rseq_resume)
		return true;
	if (!p || !t->mm)
		return false;
	if (task_group_exit_pending(t))
		return true;	/* exit_group or exec by another thread */
	if (!p->sighand)
		return false;
	/* ptrace_trap_pending(), read here without the call. */
	return t->restart_pending || t->restore_sigmask || p->stopped ||
	       __atomic_load_n(&t->ptrace_trap, __ATOMIC_RELAXED) ||
	       ((t->pending | p->shared_pending) & ~(t->blocked & ~unblockable));
}

/* task_has_user_work - see include/sched.h. Interrupts disabled. */
bool task_has_user_work(struct task *t)
{
	return has_user_work(t);
}

/* user_work_pending - see include/arch.h. Interrupts are disabled. Here rather than in
 * kernel/sched.c so that task_has_user_work() is inlined into it. */
bool user_work_pending(void)
{
	struct cpu *c = this_cpu();

	/* Nothing may stay locked across the return to user mode (the test of
	 * spin_assert_none_held(), made here without the call; it panics). */
	if (unlikely(c->preempt_count))
		spin_assert_none_held("return to user mode");
	c = this_cpu();	/* loaded again: c need not be kept across the call */
	return c->need_resched || has_user_work(c->running);
}

/* Decide what an interrupted system call returns now that @sig is handled. */
static void restart_for_handler(struct task *t, struct trapframe *tf, const struct k_sigaction *a)
{
	long ret = (long)tf_get_return(tf);

	if (!t->restart_pending)
		return;
	t->restart_pending = false;
	switch (ret) {
	case -ERESTARTNOINTR:
		arch_syscall_restart(tf, t->syscall_nr);
		return;
	case -ERESTARTSYS:
		if (a->flags & SA_RESTART) {
			arch_syscall_restart(tf, t->syscall_nr);
			return;
		}
		break;
	default:
		break;
	}
	tf_set_return(tf, -EINTR);
}

/* No handler ran: every restart code restarts (signal(7)). */
static void restart_without_handler(struct task *t, struct trapframe *tf)
{
	long ret = (long)tf_get_return(tf);

	t->restart_pending = false;
	if (ret == -ERESTART_RESTARTBLOCK)
		arch_syscall_restart(tf, NR_RESTART_SYSCALL);
	else
		arch_syscall_restart(tf, t->syscall_nr);
}

/*
 * No frame for @sig's handler could be written (no stack left, an unusable
 * alternate stack, a non-canonical stack pointer): SIGSEGV instead, whose
 * own handler may still run elsewhere -- unless @sig was SIGSEGV itself,
 * which then kills, as Linux's force_sigsegv(). Otherwise the same failure
 * would come back forever.
 */
static void frame_failed(int sig)
{
	struct process *p = current->proc;

	if (sig == SIGSEGV) {
		spin_lock(&p->sighand->lock);
		p->sighand->action[SIGSEGV - 1].handler = SIG_DFL;
		spin_unlock(&p->sighand->lock);
	}
	signal_force_fault(SIGSEGV, SI_KERNEL, 0);
}

/* Run @sig's handler: frame, mask, SA_RESETHAND. */
static void handle_signal(struct trapframe *tf, int sig, struct linux_siginfo *info,
			  struct k_sigaction *a)
{
	struct task *t = current;
	struct process *p = t->proc;
	struct signal_frame sf;
	u64 sp = tf_sp(tf);

	restart_for_handler(t, tf, a);
	memset(&sf, 0, sizeof(sf));
	sf.handler = a->handler;
	sf.restorer = a->restorer;
	sf.saved_mask = t->restore_sigmask ? t->saved_sigmask : t->blocked;
	altstack_to_user(t, sp, &sf.uc_stack);
	/* Already on the alternate stack and the frame would leave it: no frame (Linux's
	 * get_sigframe() refuses a nested frame that overflows the stack the same way). */
	if (on_altstack(t, sp) && sp - arch_signal_frame_max() < t->altstack_sp) {
		frame_failed(sig);
		return;
	}
	if ((a->flags & SA_ONSTACK) && !(t->altstack_flags & SS_DISABLE) && t->altstack_size &&
	    !on_altstack(t, sp)) {
		sf.sp = t->altstack_sp + t->altstack_size;
		if (t->altstack_flags & SS_AUTODISARM) {
			t->altstack_sp = 0;
			t->altstack_size = 0;
			t->altstack_flags = SS_DISABLE;
		}
	}
	if (SIGBIT(sig) & synchronous)
		sf.fault_addr = info->fault.addr;
	sf.info = *info;
	if (!(a->flags & SA_SIGINFO))
		memset(&sf.info, 0, sizeof(sf.info)), sf.info.si_signo = sig;

	/* Without SA_RESTORER there is nowhere to return: Linux refuses too. */
	if (!(a->flags & SA_RESTORER) || arch_signal_push_frame(tf, &sf) != 0) {
		frame_failed(sig);
		return;
	}
	t->restore_sigmask = false;
	t->blocked |= a->mask;
	if (!(a->flags & SA_NODEFER))
		t->blocked |= SIGBIT(sig);
	t->blocked &= ~unblockable;
	if (a->flags & SA_RESETHAND) {
		spin_lock(&p->sighand->lock);
		struct k_sigaction *cur = &p->sighand->action[sig - 1];

		/* Only the handler goes back to SIG_DFL: flags, mask and restorer
		 * stay as set and are what rt_sigaction reports (sigaction(2)). */
		if (cur->handler == a->handler)
			cur->handler = SIG_DFL;
		spin_unlock(&p->sighand->lock);
	}
}

/* Stop this process for @sig (the first thread to take the signal). */
static void group_stop(int sig)
{
	struct process *p = current->proc;

	spin_lock(&tasklist_lock);
	spin_lock(&p->lock);
	bool already = p->stopped;

	if (!already && !((p->shared_pending | current->pending) & SIGBIT(SIGKILL))) {
		p->stopped = true;
		p->stop_signal = sig;
		p->report = CLD_STOPPED;
		struct task *o;

		/* Other threads notice at their next return to user mode. */
		list_for_each_entry(o, &p->threads, thread_link)
			if (o != current)
				sched_wake_task(o);
	} else {
		already = true;
	}
	spin_unlock(&p->lock);
	if (!already)
		signal_notify_parent_jobctl(p, CLD_STOPPED, sig);
	spin_unlock(&tasklist_lock);
}

/* Sleep while the process is stopped; SIGCONT or SIGKILL ends it, and so does
 * a tracer's attach (the stop is then reported as a tracee's, ptrace(2)). */
static void stopped_wait(void)
{
	struct task *t = current;
	struct process *p = t->proc;

	for (;;) {
		spin_lock(&p->lock);
		if (!p->stopped || ((t->pending | p->shared_pending) & SIGBIT(SIGKILL)) ||
		    t->ptrace) {
			spin_unlock(&p->lock);
			return;
		}
		sched_prepare_stop();
		spin_unlock(&p->lock);
		schedule();
	}
}

/*
 * Handle one signal for current. Returns true when a handler frame was set
 * up or a stop was taken (the return path then checks again), false when
 * nothing was deliverable.
 */
static bool deliver_one(struct trapframe *tf)
{
	struct task *t = current;
	struct process *p = t->proc;
	struct linux_siginfo info;

	for (;;) {
		/* A tracee stops for its tracer instead (kernel/ptrace.c). */
		if (unlikely(t->ptrace)) {
			if (ptrace_trap_pending(t))
				ptrace_trap();
			if (p->stopped && !fatal_signal_pending())
				ptrace_group_stop(p->stop_signal);
		}
		stopped_wait();
		spin_lock(&p->lock);
		int sig = sig_dequeue(t, t->blocked & ~unblockable, &info);

		spin_unlock(&p->lock);
		if (!sig)
			return false;
		if (unlikely(t->ptrace) && sig != SIGKILL) {
			/* signal-delivery-stop: the tracer may cancel or change it;
			 * one the thread now blocks waits in its queue again. */
			sig = ptrace_signal(sig, &info);
			if (!sig)
				continue;
			if ((t->blocked & ~unblockable) & SIGBIT(sig)) {
				signal_send_info(p, t, &info);
				continue;
			}
		}
		struct k_sigaction a = action_get(p, sig);

		trace_signal_deliver(sig, sig != SIGKILL && a.handler > SIG_IGN);
		if (sig == SIGKILL || a.handler == SIG_DFL) {
			if (sig != SIGKILL && (SIGBIT(sig) & default_ignore))
				continue;
			if (sig != SIGKILL && (SIGBIT(sig) & default_stop)) {
				/* Terminal stops of an orphaned group are discarded (POSIX). */
				if (sig != SIGSTOP && pgrp_orphaned_current())
					continue;
				group_stop(sig);
				continue;
			}
			/* The core flag only when a core file was written (core(5)). */
			bool core = (SIGBIT(sig) & default_core) && coredump(&info, tf);

			do_exit_group(wait_status_signaled(sig, core));
		}
		if (a.handler == SIG_IGN)
			continue;
		handle_signal(tf, sig, &info, &a);
		return true;
	}
}

/* task_do_user_work - see include/sched.h. */
void task_do_user_work(struct trapframe *tf)
{
	struct task *t = current;

	task_group_exit_check();	/* another thread's exit_group or execve */
	if (t->set_child_tid) {
		u64 addr = t->set_child_tid;

		t->set_child_tid = 0;
		put_user_u32((void __user *)addr, (u32)t->tid);
	}
	if (!t->proc || !t->mm || !t->proc->sighand)
		return;
	/* Before any signal frame: a critical section is aborted first. */
	if (t->rseq_addr && (t->rseq_resume ||
			     ((t->pending | t->proc->shared_pending) & ~t->blocked)))
		rseq_user_return(tf);
	if (deliver_one(tf))
		return;
	if (t->restart_pending)
		restart_without_handler(t, tf);
	if (t->restore_sigmask) {
		t->restore_sigmask = false;
		t->blocked = t->saved_sigmask;
	}
}

/* signal_reset_on_exec - see include/task.h. */
void signal_reset_on_exec(struct process *p)
{
	struct task *t = current;

	spin_lock(&p->sighand->lock);
	for (int i = 0; i < NSIG; i++) {
		struct k_sigaction *a = &p->sighand->action[i];

		if (a->handler != SIG_IGN)
			memset(a, 0, sizeof(*a));
		else
			a->flags = 0, a->mask = 0, a->restorer = 0;
	}
	spin_unlock(&p->sighand->lock);
	/* The alternate stack belonged to the old image (sigaltstack(2)). */
	t->altstack_sp = 0;
	t->altstack_size = 0;
	t->altstack_flags = SS_DISABLE;
	spin_lock(&tasklist_lock);
	p->did_exec = true;
	/* Children chose their exit signal for the old image: a new program
	 * (perhaps set-user-ID) gets SIGCHLD from them (kernel/exit.c). */
	p->self_exec_id++;
	spin_unlock(&tasklist_lock);
}

/* signal_fork - see include/task.h. */
void signal_fork(struct process *child, struct task *ct, struct process *parent,
		 struct task *pt)
{
	ct->altstack_sp = pt->altstack_sp;
	ct->altstack_size = pt->altstack_size;
	ct->altstack_flags = pt->altstack_flags;
	spin_lock(&parent->lock);
	memcpy(child->rlim, parent->rlim, sizeof(child->rlim));
	spin_unlock(&parent->lock);
	child->pdeath_signal = 0;
	child->is_subreaper = false;
}
