/*
 * The scheduler: per-CPU run queues, round robin with a one-tick time slice,
 * wait queues, timed sleeps and the idle tasks ("swapper/N", pid 0).
 *
 * The kernel is not preemptible: a task gives up the CPU in schedule(), and
 * user code is preempted on its way back to user mode (user_return_work())
 * when the tick or a wake-up set need_resched.
 *
 * Multiprocessor placement: a new task goes to the least loaded online CPU
 * (a fork's child usually starts on another CPU than its parent); a woken
 * task goes back to the CPU it last ran on, and when that CPU is busy an
 * idle CPU is kicked with a reschedule IPI so that it pulls the task over
 * (idle_steal()). Idle CPUs also look for work to pull on every tick.
 *
 * Locks:
 *   runqueue.lock (spinlock, one per CPU) guards its queue and the state,
 *   on_rq and on_cpu fields of the tasks that belong to it (task->on_cpu
 *   names the run queue, see task_rq_lock()). schedule() takes it on the
 *   old task's stack and the next task releases it (finish_switch() or
 *   sched_tail()): a task is never visible on a queue -- to a waker or to a
 *   stealing CPU -- until its registers are saved.
 *   Two run-queue locks are taken in CPU id order (rq_lock_two()).
 *   timer_lock guards the sleeping-timer list.
 *   Order: wait queue lock -> runqueue lock; timer_lock -> runqueue lock.
 */
#include "kernel.h"
#include "sched.h"
#include "task.h"
#include "cpu.h"
#include "mm.h"
#include "uapi/errno.h"

struct runqueue {
	struct spinlock lock;
	struct list_head queue;		/* [lock] runnable tasks, not the running one */
	int nr_queued;			/* [lock] (read without it as a load hint) */
};

static struct runqueue runqueues[MAX_CPUS];

static struct spinlock timer_lock = SPINLOCK_INIT("timers");
static struct list_head timer_list = LIST_HEAD_INIT(timer_list);	/* [timer_lock] */

static u64 boot_ticks;

u64 sched_ticks(void)
{
	return boot_ticks;
}

static int online_cpus(void)
{
	return __atomic_load_n(&ncpus, __ATOMIC_ACQUIRE);
}

/* sched_nr_running - see include/sched.h. */
unsigned sched_nr_running(void)
{
	unsigned n = 0;

	for (int i = 0; i < online_cpus(); i++) {
		struct cpu *c = &cpus[i];

		n += (unsigned)__atomic_load_n(&runqueues[i].nr_queued, __ATOMIC_RELAXED);
		n += __atomic_load_n(&c->running, __ATOMIC_RELAXED) != c->idle;
	}
	return n;
}

/* ---- run queues ---- */

static void rq_enqueue(struct runqueue *rq, struct task *t)
{
	spin_assert_held(&rq->lock);
	if (t->on_rq)
		return;
	list_add_tail(&t->rq_link, &rq->queue);
	t->on_rq = true;
	__atomic_store_n(&rq->nr_queued, rq->nr_queued + 1, __ATOMIC_RELAXED);
}

static void rq_remove(struct runqueue *rq, struct task *t)
{
	spin_assert_held(&rq->lock);
	list_del(&t->rq_link);
	t->on_rq = false;
	__atomic_store_n(&rq->nr_queued, rq->nr_queued - 1, __ATOMIC_RELAXED);
}

static struct task *rq_dequeue(struct runqueue *rq)
{
	if (list_empty(&rq->queue))
		return NULL;
	struct task *t = list_first_entry(&rq->queue, struct task, rq_link);

	rq_remove(rq, t);
	return t;
}

static int rq_cpu(const struct runqueue *rq)
{
	return (int)(rq - runqueues);
}

/*
 * Lock the run queue @t belongs to. t->on_cpu changes only with that run
 * queue's lock held (and the new one's), so once the lock is ours and
 * on_cpu still names it, the task cannot move away.
 */
static struct runqueue *task_rq_lock(struct task *t)
{
	for (;;) {
		struct runqueue *rq = &runqueues[__atomic_load_n(&t->on_cpu, __ATOMIC_ACQUIRE)];

		spin_lock(&rq->lock);
		if (rq == &runqueues[t->on_cpu])
			return rq;
		spin_unlock(&rq->lock);
	}
}

/* Take two different run-queue locks, lower CPU id first (no ABBA). */
static void rq_lock_two(struct runqueue *a, struct runqueue *b)
{
	if (a > b) {
		struct runqueue *t = a;

		a = b;
		b = t;
	}
	spin_lock(&a->lock);
	spin_lock_nested(&b->lock);
}

/* Work on @cpu as a hint: queued tasks plus the one running if not idle. */
static int cpu_load(int cpu)
{
	struct cpu *c = &cpus[cpu];

	return __atomic_load_n(&runqueues[cpu].nr_queued, __ATOMIC_RELAXED) +
	       (__atomic_load_n(&c->running, __ATOMIC_RELAXED) != c->idle);
}

static bool cpu_is_idle(int cpu)
{
	return cpu_load(cpu) == 0;
}

/* Wake @cpu's idle loop or make its user task reschedule soon. */
static void kick_cpu(int cpu)
{
	__atomic_store_n(&cpus[cpu].need_resched, true, __ATOMIC_RELEASE);
	arch_send_resched(cpu);
}

/* Some other idle CPU, to pull work that landed on a busy one; -1 if none. */
static int find_idle_cpu(int except)
{
	int n = online_cpus();

	for (int i = 0; i < n; i++)
		if (i != except && cpu_is_idle(i))
			return i;
	return -1;
}

/*
 * Called on the new task's stack right after arch_switch(): drop the
 * run-queue lock taken by schedule() and release a dead predecessor.
 */
static void finish_switch(void)
{
	struct cpu *c = this_cpu();
	struct task *prev = c->switch_prev;

	/* Read before the unlock: once the lock is free, a live prev may be
	 * stolen, run elsewhere, exit and be freed there. */
	bool dead = prev && prev->state == TASK_DEAD;

	c->switch_prev = NULL;
	spin_unlock(&c->rq->lock);
	/* The lock's saved interrupt state belongs to the task that took it;
	 * schedule() always returns with interrupts enabled. */
	arch_irq_enable();
	/* prev's stack was in use until arch_switch() left it, on this CPU
	 * and nowhere else: only now may its last reference go. */
	if (dead)
		task_put(prev);
}

/* sched_tail - see include/arch.h. */
void sched_tail(void)
{
	finish_switch();
}

/* schedule - see include/sched.h. Must be called with no spinlock held. */
void schedule(void)
{
	struct cpu *c = this_cpu();
	struct task *prev = c->running;
	struct runqueue *rq = c->rq;

	spin_assert_none_held("schedule");
	spin_lock(&rq->lock);
	if (prev->state == TASK_RUNNING && prev != c->idle)
		rq_enqueue(rq, prev);
	struct task *next = rq_dequeue(rq);

	if (!next)
		next = c->idle;
	__atomic_store_n(&c->need_resched, false, __ATOMIC_RELAXED);
	if (next == prev) {
		spin_unlock(&rq->lock);
		return;
	}
	KASSERT(next->on_cpu == c->id);
	c->switch_prev = prev;
	__atomic_store_n(&c->nr_switches, c->nr_switches + 1, __ATOMIC_RELAXED);
	__atomic_store_n(&c->running, next, __ATOMIC_RELEASE);
	/* Kernel threads and idle run on the kernel root: mm NULL. */
	mm_activate(next->mm);
	arch_switch(prev, next);
	/* Back in prev, possibly much later, on this or another CPU. */
	finish_switch();
}

/* schedule_deadline - see include/sched.h. */
bool schedule_deadline(u64 deadline_ns)
{
	struct task *t = current;

	spin_lock(&timer_lock);
	t->wake_at_ns = deadline_ns;
	list_add_tail(&t->timer_link, &timer_list);
	spin_unlock(&timer_lock);
	schedule();
	spin_lock(&timer_lock);
	if (t->wake_at_ns) {	/* woken before the deadline: still listed */
		list_del(&t->timer_link);
		t->wake_at_ns = 0;
	}
	spin_unlock(&timer_lock);
	return arch_clock_ns() >= deadline_ns;
}

/* sched_wait_tasks_gone - see include/sched.h. Counts only the tasks'
 * references (task_refs): other holders (an mq_notify registration, say)
 * may keep the process struct longer without stalling the reaper. */
void sched_wait_tasks_gone(struct process *p)
{
	while (__atomic_load_n(&p->task_refs, __ATOMIC_ACQUIRE) > 0)
		arch_cpu_relax();
}

/* sched_exit_current - see include/sched.h. */
void sched_exit_current(void)
{
	struct task *t = current;
	struct runqueue *rq = task_rq_lock(t);

	t->state = TASK_DEAD;
	spin_unlock(&rq->lock);
	schedule();
	panic("sched_exit_current: dead task %d ran again", t->tid);
}

/* sched_yield_current - see include/sched.h. */
void sched_yield_current(void)
{
	schedule();
}

/* Tasks in TASK_UNINTERRUPTIBLE: changed with the task's run-queue lock held, as it changes
 * state. [a] */
static int nr_uninterruptible;

/* sched_nr_uninterruptible - see include/sched.h. */
unsigned sched_nr_uninterruptible(void)
{
	int n = __atomic_load_n(&nr_uninterruptible, __ATOMIC_RELAXED);

	return n > 0 ? (unsigned)n : 0;
}

/* Leave TASK_UNINTERRUPTIBLE's count when @t's state moves on. Run-queue lock held. */
static void uninterruptible_leave(struct task *t)
{
	if (t->state == TASK_UNINTERRUPTIBLE)
		__atomic_sub_fetch(&nr_uninterruptible, 1, __ATOMIC_RELAXED);
}

/* Make @t runnable if it is in state @from (sleeping or stopped). */
static bool wake_from_state(struct task *t, enum task_state from)
{
	struct runqueue *rq = task_rq_lock(t);
	int cpu = rq_cpu(rq);
	bool woke = false, kick = false;

	if (t->state == from) {
		uninterruptible_leave(t);
		t->state = TASK_RUNNING;
		/* A task that set SLEEPING but has not switched away yet is
		 * still current on its CPU (schedule() holds this lock until
		 * the switch is complete): it just keeps running. */
		if (__atomic_load_n(&cpus[cpu].running, __ATOMIC_RELAXED) != t) {
			rq_enqueue(rq, t);
			kick = true;
		}
		woke = true;
	}
	spin_unlock(&rq->lock);
	if (kick) {
		int idle = cpu_is_idle(cpu) ? cpu : find_idle_cpu(cpu);

		/* The woken task's CPU finds it at its next schedule(); an
		 * idle CPU, its own or another, is interrupted to take it. */
		__atomic_store_n(&cpus[cpu].need_resched, true, __ATOMIC_RELEASE);
		if (idle >= 0)
			kick_cpu(idle);
	}
	return woke;
}

/* sched_wake_task - see include/sched.h. Any context. */
bool sched_wake_task(struct task *t)
{
	return wake_from_state(t, TASK_SLEEPING);
}

/* sched_prepare_stop - see include/sched.h. */
void sched_prepare_stop(void)
{
	struct task *t = current;
	struct runqueue *rq = task_rq_lock(t);

	t->state = TASK_STOPPED;
	spin_unlock(&rq->lock);
}

/* sched_wake_stopped - see include/sched.h. Any context. */
bool sched_wake_stopped(struct task *t)
{
	return wake_from_state(t, TASK_STOPPED);
}

/* sched_add_new - see include/sched.h. The least loaded CPU gets it; ties
 * go to the lowest id. */
void sched_add_new(struct task *t)
{
	int n = online_cpus(), best = this_cpu()->id, best_load = cpu_load(best);

	for (int i = 0; i < n; i++) {
		int l = cpu_load(i);

		if (l < best_load) {
			best = i;
			best_load = l;
		}
	}
	/* Not yet visible to anyone: on_cpu may be set without a lock. */
	t->on_cpu = best;
	spin_lock(&runqueues[best].lock);
	t->state = TASK_RUNNING;
	rq_enqueue(&runqueues[best], t);
	spin_unlock(&runqueues[best].lock);
	if (best != this_cpu()->id)
		kick_cpu(best);
}

/*
 * Pull one queued task from the busiest other CPU onto @c's queue. Queued
 * tasks are never running and their registers are saved (see the top of
 * the file), so moving one only changes its run queue. Called by the idle
 * loop with interrupts disabled. Returns true if a task was moved.
 */
static bool idle_steal(struct cpu *c)
{
	int n = online_cpus(), victim = -1, most = 0;
	struct runqueue *mine = c->rq, *rq;
	struct task *t;

	for (int i = 0; i < n; i++) {
		int q = __atomic_load_n(&runqueues[i].nr_queued, __ATOMIC_RELAXED);

		if (i != c->id && q > most) {
			victim = i;
			most = q;
		}
	}
	if (victim < 0)
		return false;
	rq = &runqueues[victim];
	rq_lock_two(mine, rq);
	t = rq_dequeue(rq);
	if (t) {
		t->on_cpu = c->id;
		rq_enqueue(mine, t);
	}
	spin_unlock(&(mine < rq ? rq : mine)->lock);
	spin_unlock(&(mine < rq ? mine : rq)->lock);
	return t != NULL;
}

/* sched_timer_tick - see include/arch.h. Interrupts are disabled. */
void sched_timer_tick(bool user)
{
	struct cpu *c = this_cpu();
	struct task *t = c->running;

	c->ticks++;
	if (c->id == 0)
		boot_ticks++;
	/* Each CPU charges the tick to the task it interrupted: a task's
	 * times sum what every CPU it ran on saw. */
	if (t == c->idle) {
		c->idle_ticks++;
	} else if (user) {
		t->utime_ticks++;
		__atomic_store_n(&c->user_ticks, c->user_ticks + 1, __ATOMIC_RELAXED);
	} else {
		t->stime_ticks++;
		__atomic_store_n(&c->system_ticks, c->system_ticks + 1, __ATOMIC_RELAXED);
	}

	/* Wake expired sleepers: one CPU scans the list for all of them. */
	if (c->id == 0) {
		u64 now = arch_clock_ns();
		struct task *s, *tmp;

		spin_lock(&timer_lock);
		list_for_each_entry_safe(s, tmp, &timer_list, timer_link) {
			if (s->wake_at_ns <= now) {
				list_del(&s->timer_link);
				s->wake_at_ns = 0;
				sched_wake_task(s);
			}
		}
		spin_unlock(&timer_lock);
		loadavg_tick(boot_ticks);
	}

	if (c->rq->nr_queued > 0)
		__atomic_store_n(&c->need_resched, true, __ATOMIC_RELAXED);
	signal_timer_tick(t == c->idle ? NULL : t, user);
}

/* ---- wait queues ---- */

void wait_queue_init(struct wait_queue *wq, const char *name)
{
	/* Every wait queue's lock is one lock-order class: it is always the
	 * innermost lock but the run queue's, whatever the queue is for. */
	spin_init(&wq->lock, WAIT_QUEUE_CLASS);
	list_init(&wq->sleepers);
}

/* prepare_to_wait - see include/sched.h. */
void prepare_to_wait(struct wait_queue *wq, struct wait_entry *e)
{
	struct task *t = current;

	spin_lock(&wq->lock);
	e->task = t;
	list_init(&e->link);
	list_add_tail(&e->link, &wq->sleepers);
	/* The state changes under the wait-queue lock, before the caller
	 * re-checks its condition: a wake-up cannot fall in between. */
	struct runqueue *rq = task_rq_lock(t);

	t->state = TASK_SLEEPING;
	spin_unlock(&rq->lock);
	spin_unlock(&wq->lock);
}

/* prepare_to_wait_uninterruptible - see include/sched.h. */
void prepare_to_wait_uninterruptible(struct wait_queue *wq, struct wait_entry *e)
{
	struct task *t = current;

	spin_lock(&wq->lock);
	e->task = t;
	list_init(&e->link);
	list_add_tail(&e->link, &wq->sleepers);
	struct runqueue *rq = task_rq_lock(t);

	if (t->state != TASK_UNINTERRUPTIBLE)
		__atomic_add_fetch(&nr_uninterruptible, 1, __ATOMIC_RELAXED);
	t->state = TASK_UNINTERRUPTIBLE;
	spin_unlock(&rq->lock);
	spin_unlock(&wq->lock);
}

/* finish_wait - see include/sched.h. */
void finish_wait(struct wait_queue *wq, struct wait_entry *e)
{
	struct task *t = current;

	struct runqueue *rq = task_rq_lock(t);

	uninterruptible_leave(t);
	t->state = TASK_RUNNING;
	spin_unlock(&rq->lock);
	spin_lock(&wq->lock);
	if (!list_empty(&e->link))
		list_del(&e->link);
	spin_unlock(&wq->lock);
}

/* wake_up_locked - see include/sched.h. */
void wake_up_locked(struct wait_queue *wq)
{
	struct wait_entry *e;

	list_for_each_entry(e, &wq->sleepers, link) {
		/* Both kinds of sleeper: a wait queue's own wake-up ends an uninterruptible
		 * wait, which nothing else (no signal) does. */
		if (!sched_wake_task(e->task))
			wake_from_state(e->task, TASK_UNINTERRUPTIBLE);
	}
}

/* wake_up - see include/sched.h. */
void wake_up(struct wait_queue *wq)
{
	spin_lock(&wq->lock);
	wake_up_locked(wq);
	spin_unlock(&wq->lock);
}

/* ---- timed sleep ---- */

/* sleep_ns - see include/sched.h. */
int sleep_ns(u64 ns, u64 *left_ns)
{
	struct task *t = current;
	u64 deadline = arch_clock_ns() + ns;
	int ret = 0;

	for (;;) {
		u64 now = arch_clock_ns();

		if (now >= deadline)
			break;
		if (signal_pending_current()) {
			ret = -ERESTARTSYS;
			if (left_ns)
				*left_ns = deadline - now;
			break;
		}
		spin_lock(&timer_lock);
		t->wake_at_ns = deadline;
		list_add_tail(&t->timer_link, &timer_list);
		struct runqueue *rq = task_rq_lock(t);

		t->state = TASK_SLEEPING;
		spin_unlock(&rq->lock);
		spin_unlock(&timer_lock);
		schedule();
		spin_lock(&timer_lock);
		if (t->wake_at_ns) {	/* woken early (a signal): still listed */
			list_del(&t->timer_link);
			t->wake_at_ns = 0;
		}
		spin_unlock(&timer_lock);
	}
	return ret;
}

/* sched_timer_arm - see include/sched.h. */
void sched_timer_arm(u64 deadline_ns)
{
	struct task *t = current;

	spin_lock(&timer_lock);
	if (t->wake_at_ns)
		list_del(&t->timer_link);
	t->wake_at_ns = deadline_ns ? deadline_ns : 1;
	list_add_tail(&t->timer_link, &timer_list);
	spin_unlock(&timer_lock);
}

/* sched_timer_disarm - see include/sched.h. */
void sched_timer_disarm(void)
{
	struct task *t = current;

	spin_lock(&timer_lock);
	if (t->wake_at_ns) {
		list_del(&t->timer_link);
		t->wake_at_ns = 0;
	}
	spin_unlock(&timer_lock);
}

/* sched_deadline_passed - see include/sched.h. */
bool sched_deadline_passed(u64 deadline_ns)
{
	return deadline_ns && arch_clock_ns() >= deadline_ns;
}

/* ---- idle ---- */

static void idle_loop(void)
{
	struct cpu *c = this_cpu();

	for (;;) {
		arch_irq_disable();
		if (c->rq->nr_queued > 0 || idle_steal(c)) {
			arch_irq_enable();
			schedule();
			continue;
		}
		arch_idle();	/* sti; hlt: the interrupt ends the halt */
	}
}

/*
 * sched_init_cpu - set up @cpu_id's run queue and turn the code running now
 * (the boot stack) into its idle task. The caller goes on to become idle
 * by calling sched_idle() once start-up work is done.
 */
void sched_init_cpu(int cpu_id)
{
	struct cpu *c = &cpus[cpu_id];
	struct runqueue *rq = &runqueues[cpu_id];

	spin_init(&rq->lock, "runqueue");
	list_init(&rq->queue);
	c->rq = rq;
}

/* sched_idle - the boot code becomes the idle loop; never returns. */
__noreturn void sched_idle(void)
{
	idle_loop();
	__builtin_unreachable();
}

/* ---- return to user mode ---- */

/* user_work_pending - see include/arch.h. Interrupts are disabled. */
bool user_work_pending(void)
{
	struct cpu *c = this_cpu();

	/* Nothing may stay locked across the return to user mode. */
	spin_assert_none_held("return to user mode");
	return c->need_resched || task_has_user_work(c->running);
}

/* user_return_work - see include/arch.h. Interrupts are enabled. */
void user_return_work(struct trapframe *tf)
{
	if (this_cpu()->need_resched)
		schedule();
	task_do_user_work(tf);
}
