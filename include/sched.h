/*
 * Scheduler, sleeping and waking.
 *
 * A task sleeps on a wait queue: it adds itself, sets its state to
 * TASK_SLEEPING, re-checks its condition and calls schedule(). A waker
 * changes the condition and calls wake_up(), which makes every sleeper
 * runnable. Lost wake-ups are impossible because the state change happens
 * before the condition is re-checked (see wait_event_interruptible_deadline()).
 *
 * Locks: each wait queue has its own spinlock [q]; run queues have theirs
 * (kernel/sched.c). Lock order: any subsystem lock -> wait queue lock ->
 * run-queue lock.
 */
#ifndef SPROUT_SCHED_H
#define SPROUT_SCHED_H

#include "types.h"
#include "list.h"
#include "spinlock.h"

struct task;

struct wait_queue {
	struct spinlock lock;
	struct list_head sleepers;	/* [q] struct wait_entry */
};

struct wait_entry {
	struct task *task;
	struct list_head link;		/* [q] */
	/* Set by wait_add_callback(): called by wake_up() instead of waking
	 * @task, under the queue's lock (must not sleep; epoll uses it). */
	void (*func)(struct wait_entry *e);
};

/* Static initialiser of the wait queue @wq (its own name, for the list head). */
#define WAIT_QUEUE_CLASS	"wait_queue"	/* the lock-order class of every wait queue */
#define WAIT_QUEUE_INIT(wq, n)                                                     \
	{ .lock = SPINLOCK_INIT(WAIT_QUEUE_CLASS), .sleepers = LIST_HEAD_INIT((wq).sleepers) }

void wait_queue_init(struct wait_queue *wq, const char *name);

/* prepare_to_wait - enqueue @e (for current) on @wq and mark current
 * TASK_SLEEPING (interruptible by signals). Sleeps: no. */
void prepare_to_wait(struct wait_queue *wq, struct wait_entry *e);
/* prepare_to_wait_uninterruptible - prepare_to_wait() marking current TASK_UNINTERRUPTIBLE:
 * no signal ends the sleep, only wake_up() of @wq (device waits: drivers/block.c). */
void prepare_to_wait_uninterruptible(struct wait_queue *wq, struct wait_entry *e);
/* sched_nr_uninterruptible - tasks in TASK_UNINTERRUPTIBLE now (/proc/stat procs_blocked,
 * the load average). Sleeps: no. */
unsigned sched_nr_uninterruptible(void);
/* finish_wait - mark current running and dequeue @e. */
void finish_wait(struct wait_queue *wq, struct wait_entry *e);

/* wake_up - make every task sleeping on @wq runnable (and call the
 * callbacks of entries added with wait_add_callback()). Any context. */
void wake_up(struct wait_queue *wq);
/* wake_up_locked - wake_up() for a caller that holds @wq->lock: it can change the condition
 * and wake in one hold, so that a sleeper which then sees the condition cannot return (its
 * finish_wait() takes the lock) before the waker is done with @wq. Any context. */
void wake_up_locked(struct wait_queue *wq);

/*
 * wait_add_callback - put @e on @wq so that each wake_up(@wq) calls @func(@e)
 * under @wq's lock, without anyone sleeping; wait_del - take it off again.
 * The callback may take locks ordered after wait-queue locks and wake other
 * queues only with wake_up_nested(). Sleeps: no.
 */
void wait_add_callback(struct wait_queue *wq, struct wait_entry *e,
		       void (*func)(struct wait_entry *e));
void wait_del(struct wait_queue *wq, struct wait_entry *e);

/* wake_up_nested - wake_up() from a wait-queue callback, with another
 * queue's lock held (the order is callback's queue -> this one). */
void wake_up_nested(struct wait_queue *wq);

/*
 * wait_event_interruptible - sleep on @wq until @cond is true. Returns 0, or
 * -ERESTARTSYS when a signal became pending (the caller returns it; the
 * syscall layer turns it into -EINTR or a restart). May sleep.
 */
#define wait_event_interruptible(wq, cond)	wait_event_interruptible_deadline(wq, cond, 0)

/*
 * sched_timer_arm - wake current at monotonic time @deadline_ns (arch_clock_ns()
 * scale) if it is sleeping then; replaces an earlier deadline. The timer fires
 * once; a sleeper re-checks sched_deadline_passed() after prepare_to_wait() so
 * an expiry before it went to sleep is not lost. sched_timer_disarm - cancel
 * it (harmless when it already fired). Locks: timer_lock. Sleeps: no.
 */
void sched_timer_arm(u64 deadline_ns);
void sched_timer_disarm(void);
/* sched_deadline_passed - monotonic time has reached @deadline_ns (0: never). */
bool sched_deadline_passed(u64 deadline_ns);

/*
 * wait_event_interruptible_deadline - wait_event_interruptible() that also
 * gives up at monotonic time @deadline_ns (0: no deadline). Returns 0 when
 * @cond became true, -ETIMEDOUT (110) at the deadline, -ERESTARTSYS on a
 * signal. @cond is evaluated with current marked sleeping (and, right after a
 * wake-up, once more while running, so that a wait that is over does not
 * queue again only to leave): it may take spinlocks but must not sleep.
 * May sleep.
 */
#define wait_event_interruptible_deadline(wq, cond, deadline_ns)                   \
	({                                                                         \
		int __ret = 0;                                                     \
		bool __queued = true;                                              \
		u64 __dl = (deadline_ns);                                          \
		struct wait_entry __we;                                            \
		if (__dl)                                                          \
			sched_timer_arm(__dl);                                     \
		for (;;) {                                                         \
			prepare_to_wait((wq), &__we);                              \
			if (cond)                                                  \
				break;                                             \
			if (signal_pending_current()) {                            \
				__ret = -ERESTARTSYS;                              \
				break;                                             \
			}                                                          \
			if (sched_deadline_passed(__dl)) {                         \
				__ret = -110;                                      \
				break;                                             \
			}                                                          \
			schedule();                                                \
			finish_wait((wq), &__we);                                  \
			if (cond) {                                                \
				__queued = false;                                  \
				break;                                             \
			}                                                          \
		}                                                                  \
		if (__queued)                                                      \
			finish_wait((wq), &__we);                                  \
		if (__dl)                                                          \
			sched_timer_disarm();                                      \
		__ret;                                                             \
	})

/* schedule - give up the CPU; returns when current runs again. If current
 * is TASK_SLEEPING it stays off the run queue until woken. May sleep. */
void schedule(void);

/* schedule_deadline - schedule() for a current already marked TASK_SLEEPING
 * (prepare_to_wait()) that is also woken at @deadline_ns (arch_clock_ns()
 * time, tick granularity). Returns true once the deadline has passed.
 * Takes timer_lock. May sleep. */
bool schedule_deadline(u64 deadline_ns);

/* sched_exit_current - mark current TASK_DEAD and switch away for good; the
 * next task on this CPU drops its last reference. */
__noreturn void sched_exit_current(void);

/* sched_yield_current - sched_yield(2): give the CPU to the first queued task if it runs
 * before current, ties with it, or both are fair (non-real-time) tasks; current then queues
 * behind it. Sleeps: no (may switch). */
void sched_yield_current(void);

/* sched_wake_task - make @t runnable if it sleeps; returns true if it did. */
bool sched_wake_task(struct task *t);

/* sched_prepare_stop - mark current TASK_STOPPED (job control); the caller
 * then calls schedule() and stays off the run queues until
 * sched_wake_stopped(). Sleeps: no. */
void sched_prepare_stop(void);

/* sched_wake_stopped - make @t runnable if it is TASK_STOPPED; returns true
 * if it was. Any context. */
bool sched_wake_stopped(struct task *t);

/*
 * Scheduling policy and affinity (kernel/sched.c).
 * sched_fork - @child (not yet runnable) inherits @parent's nice value,
 *   policy and CPU mask (sched(7): "a child created by fork inherits").
 * sched_set_attr - give @t the policy @policy (SCHED_*, maybe with
 *   SCHED_RESET_ON_FORK), real-time priority
 *   @rt_priority (0 unless FIFO/RR) and nice value @nice (-20..19), all
 *   already checked; a CPU running @t reconsiders at its next tick.
 * sched_set_affinity - restrict @t to the CPUs of @mask (bit i = CPU i; at
 *   least one online, checked by the caller); a task queued or running
 *   elsewhere moves at once (running: as soon as it next switches out).
 * sched_task_weight - @t's CFS weight from its nice value (1024 at 0).
 * All take run-queue locks (call with none held); sleep: no.
 */
void sched_fork(struct task *child, struct task *parent);
void sched_set_attr(struct task *t, int policy, int rt_priority, int nice);
void sched_set_affinity(struct task *t, u64 mask);
u32 sched_task_weight(const struct task *t);

/* sched_task_switched_out - is @t in TASK_STOPPED and off every CPU, its
 * registers and FPU state saved in struct task (ptrace(2) reads and writes
 * them only then)? Takes @t's run-queue lock. Sleeps: no. */
bool sched_task_switched_out(struct task *t);

/* sched_add_new - put a newly created task on a run queue. */
void sched_add_new(struct task *t);

/*
 * sched_wait_tasks_gone - spin until every task of zombie @p has been
 * released. A zombie's last thread notifies its parent just before it
 * switches away for good, and its kernel stack is freed on its CPU right
 * after that switch; on another CPU the parent may get here first. Waiting
 * (a few microseconds at most: the dying task holds no sleeping lock and
 * cannot be preempted) makes a reap return only when all the child's
 * memory is back, so free-page counts are exact. Caller holds no spinlock
 * and the tree's reference to @p, which with the tasks' own references is
 * all there is today (kernel/task.c); anything that later holds a process
 * reference across a sleep must not keep a zombie's count up, or this
 * spins until it lets go. Sleeps: no.
 */
struct process;
void sched_wait_tasks_gone(struct process *p);

/* sched_init - set up run queues and the idle task of this CPU. */
void sched_init_cpu(int cpu_id);

/* sleep_ns - sleep for @ns nanoseconds; 0, or -ERESTARTSYS with the time
 * left in *@left_ns when a signal interrupted it. */
int sleep_ns(u64 ns, u64 *left_ns);

/* sched_idle - the boot code becomes this CPU's idle loop. */
__noreturn void sched_idle(void);

/* Work to do on the way back to user mode (kernel/signal.c): fatal signals,
 * CLONE_CHILD_SETTID. task_has_user_work() runs with interrupts disabled. */
struct trapframe;
bool task_has_user_work(struct task *t);
void task_do_user_work(struct trapframe *tf);

/* fatal_signal_pending - current has a SIGKILL pending: killable sleeps
 * (the vfork parent's) end for it. kernel/signal.c. */
bool fatal_signal_pending(void);

/* True when current has a signal that interrupts sleeps (kernel/signal.c). */
bool signal_pending_current(void);

#define HZ	100

/* jiffies-like tick counter of the boot CPU. */
u64 sched_ticks(void);

/* sched_nr_running - tasks running or queued to run on every CPU (idle
 * tasks not counted): /proc/loadavg, /proc/stat procs_running. Reads the
 * run queues' counts without their locks (a snapshot). Any context. */
unsigned sched_nr_running(void);

/* kernel/loadavg.c: loadavg_tick - CPU 0's tick (boot tick @now) samples
 * the active tasks every 5 s into the 1, 5 and 15 minute averages;
 * interrupt context. loadavg_format - /proc/loadavg's line into @buf (@size
 * bytes), its length; takes no sleeping lock. proc(5). */
void loadavg_tick(u64 now);
int loadavg_format(char *buf, size_t size);

#endif
