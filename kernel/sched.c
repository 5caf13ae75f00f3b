/*
 * The scheduler: per-CPU run queues, wait queues, timed sleeps and the idle
 * tasks ("swapper/N", pid 0).
 *
 * Choosing the next task: a SCHED_FIFO or SCHED_RR task runs before any
 * other, the highest rt_priority first (FIFO until it blocks or yields, RR
 * for RR_SLICE_TICKS at a time). The others share the CPU by weight, as
 * Linux's CFS does: each task's vruntime grows by NICE_0_WEIGHT / weight
 * per tick it runs (its nice value picks the weight from Linux's table,
 * SCHED_IDLE has the smallest), and the queued task with the smallest
 * vruntime runs next; the tick preempts the running task as soon as it is
 * ahead of one that waits. So two nice-0 loops alternate tick by tick, and
 * a nice-19 loop gets 15/1039 of a CPU beside a nice-0 one. A task that
 * wakes or is created starts near the queue's min_vruntime, so sleeping
 * earns no hoard of credit.
 *
 * Affinity: a task runs only on the CPUs of its cpus_allowed mask. New and
 * woken tasks are placed within it, the idle stealer takes only tasks
 * allowed on its CPU, and a running task whose mask no longer holds its CPU
 * is pushed to an allowed one right after it switches out (finish_switch()).
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
#include "fs.h"
#include "cpu.h"
#include "mm.h"
#include "trace.h"
#include "uapi/errno.h"
#include "uapi/sched.h"

struct runqueue {
	struct spinlock lock;
	struct list_head queue;		/* [lock] runnable tasks, not the running one */
	int nr_queued;			/* [lock] (read without it as a load hint) */
	u64 min_vruntime;		/* [lock] grows monotonically: vruntime of the
					 * task picked last (new and woken tasks start
					 * near it) */
};

#define NICE_0_WEIGHT	1024
#define RR_SLICE_TICKS	10	/* 100 ms, sched_rr_get_interval(2) */
#define WAKE_CREDIT	(2 * NICE_0_WEIGHT)	/* a woken task may be this far behind */

/* Linux's sched_prio_to_weight: each nice step is about 10% of CPU. */
static const u32 nice_weight[40] = {
	88761, 71755, 56483, 46273, 36291, 29154, 23254, 18705, 14949, 11916,
	9548, 7620, 6100, 4904, 3906, 3121, 2501, 1991, 1586, 1277,
	1024, 820, 655, 526, 423, 335, 272, 215, 172, 137,
	110, 87, 70, 56, 45, 36, 29, 23, 18, 15,
};
#define SCHED_IDLE_WEIGHT	3

static bool task_is_rt(const struct task *t)
{
	return t->policy == SCHED_FIFO || t->policy == SCHED_RR;
}

/* sched_task_weight - see include/sched.h. */
u32 sched_task_weight(const struct task *t)
{
	if (t->policy == SCHED_IDLE)
		return SCHED_IDLE_WEIGHT;
	return nice_weight[MIN(MAX(t->nice, NICE_MIN), NICE_MAX) - NICE_MIN];
}

static bool cpu_allowed(const struct task *t, int cpu)
{
	return (__atomic_load_n(&t->cpus_allowed, __ATOMIC_RELAXED) >> cpu) & 1;
}

static struct runqueue runqueues[MAX_CPUS];
/* A task that schedule() switched away from on CPU i while its mask no
 * longer allows CPU i: finish_switch() moves it. Only CPU i touches [i]. */
static struct task *push_pending[MAX_CPUS];

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

/* Does @a go before @b: real-time by priority, then the smallest vruntime
 * (on a tie the one queued first, as @a is scanned first). */
static bool runs_before(const struct task *a, const struct task *b)
{
	if (task_is_rt(a) || task_is_rt(b)) {
		if (!task_is_rt(b))
			return true;
		return task_is_rt(a) && a->rt_priority > b->rt_priority;
	}
	return (s64)(a->vruntime - b->vruntime) < 0;
}

/* The task that should run next among @rq's queued ones, or NULL. */
static struct task *rq_pick(struct runqueue *rq)
{
	struct task *best = NULL, *t;

	list_for_each_entry(t, &rq->queue, rq_link)
		if (!best || runs_before(t, best))
			best = t;
	return best;
}

/* Take @t, queued on @rq, off it to run. */
static void rq_take(struct runqueue *rq, struct task *t)
{
	rq_remove(rq, t);
	if (!task_is_rt(t) && (s64)(t->vruntime - rq->min_vruntime) > 0)
		rq->min_vruntime = t->vruntime;
}

static struct task *rq_dequeue(struct runqueue *rq)
{
	struct task *t = rq_pick(rq);

	if (t)
		rq_take(rq, t);
	return t;
}

/*
 * Must @prev, still runnable, give the CPU to @best, the first of the queued tasks? When @best
 * runs before it, or they tie (@prev would queue behind it). On sched_yield(2) also whenever
 * both are fair tasks: the caller goes to the end of the queue of its static priority (0 for
 * all of them), so another gets to run (sched_yield(2), POSIX). Comparing vruntimes instead
 * would mostly not yield: vruntime grows by whole ticks, so the caller is often a tick or two
 * behind the task it means to let run.
 */
static bool gives_way(const struct task *prev, const struct task *best, bool yield)
{
	if (!runs_before(prev, best))
		return true;
	return yield && !task_is_rt(prev) && !task_is_rt(best);
}

/* A task (re)joining @rq after a sleep, its creation or a move: no older
 * than the queue's clock allows. */
static void place_task(struct runqueue *rq, struct task *t, u64 credit)
{
	u64 floor = rq->min_vruntime - credit;

	if ((s64)(t->vruntime - floor) < 0)
		t->vruntime = floor;
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

/* The least loaded online CPU in @t's mask, preferring @prefer on a tie. */
static int allowed_cpu(const struct task *t, int prefer)
{
	int n = online_cpus(), best = -1, best_load = 0;

	if (prefer >= 0 && prefer < n && cpu_allowed(t, prefer)) {
		best = prefer;
		best_load = cpu_load(prefer);
	}
	for (int i = 0; i < n; i++) {
		int l;

		if (!cpu_allowed(t, i))
			continue;
		l = cpu_load(i);
		if (best < 0 || l < best_load) {
			best = i;
			best_load = l;
		}
	}
	return best < 0 ? 0 : best;
}

/* Move @t between run queues (both locked), keeping its place relative to
 * each queue's clock. */
static void move_task_locked(struct task *t, struct runqueue *from, struct runqueue *to)
{
	rq_remove(from, t);
	t->vruntime = t->vruntime - from->min_vruntime + to->min_vruntime;
	t->on_cpu = rq_cpu(to);
	rq_enqueue(to, t);
}

/* Lock the run queues of CPUs @a and @b (maybe the same one). */
static void rq_lock_pair(int a, int b)
{
	if (a == b)
		spin_lock(&runqueues[a].lock);
	else
		rq_lock_two(&runqueues[a], &runqueues[b]);
}

static void rq_unlock_pair(int a, int b)
{
	struct runqueue *x = &runqueues[MIN(a, b)], *y = &runqueues[MAX(a, b)];

	if (a != b)
		spin_unlock(&y->lock);
	spin_unlock(&x->lock);
}

/*
 * @t, runnable, was switched out on CPU @from whose use its mask no longer
 * allows (schedule() left it off every queue; its registers are saved):
 * queue it on an allowed CPU. Nobody else queues a runnable task that is
 * on no queue, so the checks below only guard against a mask change.
 */
static void push_task(struct task *t, int from)
{
	int to = allowed_cpu(t, -1);

	rq_lock_pair(from, to);
	if (t->on_cpu == from && !t->on_rq && t->state == TASK_RUNNING) {
		t->vruntime = t->vruntime - runqueues[from].min_vruntime +
			      runqueues[to].min_vruntime;
		t->on_cpu = to;
		rq_enqueue(&runqueues[to], t);
	}
	rq_unlock_pair(from, to);
	if (to != this_cpu()->id)
		kick_cpu(to);
	else
		__atomic_store_n(&cpus[to].need_resched, true, __ATOMIC_RELEASE);
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
	struct task *push = push_pending[c->id];

	push_pending[c->id] = NULL;
	c->switch_prev = NULL;
	spin_unlock(&c->rq->lock);
	/* The lock's saved interrupt state belongs to the task that took it;
	 * schedule() always returns with interrupts enabled. */
	arch_irq_enable();
	if (push)
		push_task(push, c->id);
	/* rseq(2): the task runs again, maybe elsewhere: refresh its area. */
	if (c->running->rseq_addr)
		c->running->rseq_resume = true;
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

/* schedule(), and sched_yield() when @yield. */
static void do_schedule(bool yield)
{
	struct cpu *c = this_cpu();
	struct task *prev = c->running;
	struct runqueue *rq = c->rq;
	struct task *next;

	spin_assert_none_held("schedule");
	spin_lock(&rq->lock);
	if (prev->state == TASK_RUNNING && prev != c->idle && cpu_allowed(prev, c->id)) {
		/* Still runnable here: the queue is looked at once, and prev queued only if
		 * another task takes its place. */
		next = rq_pick(rq);
		if (next && gives_way(prev, next, yield)) {
			rq_take(rq, next);
			rq_enqueue(rq, prev);
		} else {
			next = prev;
		}
	} else {
		if (prev->state == TASK_RUNNING && prev != c->idle)
			push_pending[c->id] = prev;	/* moved once switched out */
		next = rq_dequeue(rq);
		if (!next)
			next = c->idle;
	}
	__atomic_store_n(&c->need_resched, false, __ATOMIC_RELAXED);
	if (next == prev) {
		spin_unlock(&rq->lock);
		return;
	}
	KASSERT(next->on_cpu == c->id);
	if (prev != c->idle) {
		if (prev->state == TASK_RUNNING)
			__atomic_add_fetch(&prev->nivcsw, 1, __ATOMIC_RELAXED);
		else {
			__atomic_add_fetch(&prev->nvcsw, 1, __ATOMIC_RELAXED);
			/* Blocking ends a real-time task's run (RLIMIT_RTTIME). */
			__atomic_store_n(&prev->rt_run_ticks, 0, __ATOMIC_RELAXED);
			__atomic_store_n(&prev->rt_xcpu_next, 0, __ATOMIC_RELAXED);
		}
	}
	/* Where prev sleeps: the caller's frame (/proc/PID/wchan, the trace). */
	if (prev->state != TASK_RUNNING)
		prev->wchan = (u64)__builtin_return_address(0);
	trace_switch(prev, next);
	c->switch_prev = prev;
	__atomic_store_n(&c->nr_switches, c->nr_switches + 1, __ATOMIC_RELAXED);
	__atomic_store_n(&c->running, next, __ATOMIC_RELEASE);
	/* Kernel threads and idle run on the kernel root: mm NULL. */
	mm_activate(next->mm);
	arch_switch(prev, next);
	/* Back in prev, possibly much later, on this or another CPU. */
	finish_switch();
}

/* schedule - see include/sched.h. Must be called with no spinlock held. */
void schedule(void)
{
	do_schedule(false);
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
	do_schedule(true);
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
	int cpu, to;
	bool woke = false, kick = false;

	/* Lock the task's run queue and, when its mask excludes that CPU, the
	 * one it will move to; retry if it moved meanwhile. */
	for (;;) {
		cpu = __atomic_load_n(&t->on_cpu, __ATOMIC_ACQUIRE);
		to = cpu_allowed(t, cpu) ? cpu : allowed_cpu(t, -1);
		rq_lock_pair(cpu, to);
		if (t->on_cpu == cpu && (to == cpu) == cpu_allowed(t, cpu))
			break;
		rq_unlock_pair(cpu, to);
	}
	if (t->state == from) {
		uninterruptible_leave(t);
		t->state = TASK_RUNNING;
		/* A task that set SLEEPING but has not switched away yet is
		 * still current on its CPU (schedule() holds this lock until
		 * the switch is complete): it just keeps running. */
		if (__atomic_load_n(&cpus[cpu].running, __ATOMIC_RELAXED) != t) {
			if (to != cpu) {
				t->vruntime = t->vruntime - runqueues[cpu].min_vruntime +
					      runqueues[to].min_vruntime;
				t->on_cpu = to;
			}
			place_task(&runqueues[to], t, WAKE_CREDIT);
			rq_enqueue(&runqueues[to], t);
			kick = true;
		}
		woke = true;
		trace_wake(t, false);
	}
	rq_unlock_pair(cpu, to);
	if (kick)
		cpu = to;
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

/* sched_task_switched_out - see include/sched.h. schedule() holds the run
 * queue's lock from choosing the next task until the switch is complete, so
 * with that lock taken and another task running there, @t's state is saved. */
bool sched_task_switched_out(struct task *t)
{
	struct runqueue *rq = task_rq_lock(t);
	bool out = t->state == TASK_STOPPED &&
		   __atomic_load_n(&cpus[rq_cpu(rq)].running, __ATOMIC_RELAXED) != t;

	spin_unlock(&rq->lock);
	return out;
}

/* sched_add_new - see include/sched.h. The least loaded CPU of its mask
 * gets it; ties go to this CPU, then to the lowest id. */
void sched_add_new(struct task *t)
{
	int best = allowed_cpu(t, this_cpu()->id);

	/* Not yet visible to anyone: on_cpu may be set without a lock. */
	t->on_cpu = best;
	spin_lock(&runqueues[best].lock);
	t->state = TASK_RUNNING;
	place_task(&runqueues[best], t, 0);
	rq_enqueue(&runqueues[best], t);
	trace_wake(t, true);
	spin_unlock(&runqueues[best].lock);
	if (best != this_cpu()->id)
		kick_cpu(best);
}

/*
 * Pull one queued task from another CPU onto @c's queue: the best one that
 * its mask lets run here, from the first CPU that has one. Queued
 * tasks are never running and their registers are saved (see the top of
 * the file), so moving one only changes its run queue. Called by the idle
 * loop with interrupts disabled. Returns true if a task was moved.
 */
static bool idle_steal(struct cpu *c)
{
	int n = online_cpus();
	struct runqueue *mine = c->rq, *rq;
	struct task *t = NULL, *q;

	for (int i = 0; i < n && !t; i++) {
		if (i == c->id || !__atomic_load_n(&runqueues[i].nr_queued, __ATOMIC_RELAXED))
			continue;
		rq = &runqueues[i];
		rq_lock_two(mine, rq);
		/* Only a task whose mask allows this CPU; the best of them. */
		list_for_each_entry(q, &rq->queue, rq_link)
			if (cpu_allowed(q, c->id) && (!t || runs_before(q, t)))
				t = q;
		if (t)
			move_task_locked(t, rq, mine);
		spin_unlock(&(mine < rq ? rq : mine)->lock);
		spin_unlock(&(mine < rq ? mine : rq)->lock);
	}
	return t != NULL;
}

/*
 * The queue's clock follows the smallest vruntime among the running task
 * @curr and the queued ones, never going back (Linux's update_min_vruntime).
 * A task that runs alone for long thus keeps the clock with it: a task
 * woken or moved here is placed against a clock that is current, neither
 * starving the runner nor being starved by it. Caller holds @rq's lock.
 */
static void update_min_vruntime(struct runqueue *rq, struct task *curr)
{
	struct task *t;
	u64 v = 0;
	bool any = false;

	if (curr && !task_is_rt(curr)) {
		v = curr->vruntime;
		any = true;
	}
	list_for_each_entry(t, &rq->queue, rq_link)
		if (!task_is_rt(t) && (!any || (s64)(t->vruntime - v) < 0)) {
			v = t->vruntime;
			any = true;
		}
	if (any && (s64)(v - rq->min_vruntime) > 0)
		rq->min_vruntime = v;
}

/*
 * Charge the tick to @t's vruntime (or its RR slice) and decide whether
 * it must give way: to a task that runs before it, or because its mask no
 * longer allows this CPU. Interrupts are disabled, so the run-queue lock
 * cannot be held by this CPU already.
 */
static bool tick_preempts(struct cpu *c, struct task *t)
{
	struct runqueue *rq = c->rq;
	bool preempt = false;

	if (t == c->idle)
		return rq->nr_queued > 0;
	spin_lock(&rq->lock);
	if (!task_is_rt(t))
		t->vruntime += (u64)NICE_0_WEIGHT * NICE_0_WEIGHT / sched_task_weight(t);
	update_min_vruntime(rq, t);
	if (!cpu_allowed(t, c->id)) {
		preempt = true;
	} else if (rq->nr_queued > 0) {
		struct task *best = rq_pick(rq);

		if (t->policy == SCHED_RR && t->rr_ticks <= 1) {
			t->rr_ticks = RR_SLICE_TICKS;
			preempt = task_is_rt(best) && best->rt_priority >= t->rt_priority;
		} else {
			preempt = runs_before(best, t);
		}
	}
	if (t->policy == SCHED_RR && t->rr_ticks > 1)
		t->rr_ticks--;
	spin_unlock(&rq->lock);
	return preempt;
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
		if (t->nice > 0)
			__atomic_store_n(&c->nice_ticks, c->nice_ticks + 1, __ATOMIC_RELAXED);
		else
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
		timerfd_tick(now);
		loadavg_tick(boot_ticks);
	}

	if (tick_preempts(c, t))
		__atomic_store_n(&c->need_resched, true, __ATOMIC_RELAXED);
	signal_timer_tick(t == c->idle ? NULL : t, user);
}

/* sched_fork - see include/sched.h. */
void sched_fork(struct task *child, struct task *parent)
{
	child->nice = parent->nice;
	child->policy = parent->policy;
	child->rt_priority = parent->rt_priority;
	if (parent->sched_reset_on_fork) {
		/* sched(7): a real-time or idle policy and a negative nice
		 * value are not inherited; the flag itself is cleared. */
		if (task_is_rt(parent) || parent->policy == SCHED_IDLE) {
			child->policy = SCHED_OTHER;
			child->rt_priority = 0;
		}
		if (child->nice < 0)
			child->nice = 0;
	}
	child->rr_ticks = RR_SLICE_TICKS;
	child->ioprio = __atomic_load_n(&parent->ioprio, __ATOMIC_RELAXED);	/* fork(2) */
	child->cpus_allowed = __atomic_load_n(&parent->cpus_allowed, __ATOMIC_RELAXED);
}

/* The CPU @t runs on now, or -1. Caller holds @t's run-queue lock. */
static int running_cpu(struct task *t)
{
	int cpu = t->on_cpu;

	return __atomic_load_n(&cpus[cpu].running, __ATOMIC_RELAXED) == t ? cpu : -1;
}

/* sched_set_attr - see include/sched.h. */
void sched_set_attr(struct task *t, int policy, int rt_priority, int nice)
{
	struct runqueue *rq = task_rq_lock(t);
	int cpu = running_cpu(t);

	t->sched_reset_on_fork = (policy & SCHED_RESET_ON_FORK) != 0;
	policy &= ~SCHED_RESET_ON_FORK;
	t->policy = policy;
	t->rt_priority = rt_priority;
	t->nice = nice;
	t->rr_ticks = RR_SLICE_TICKS;
	spin_unlock(&rq->lock);
	/* Where it runs, the next tick or return to user mode looks again. */
	if (cpu >= 0)
		kick_cpu(cpu);
}

/* sched_set_affinity - see include/sched.h. */
void sched_set_affinity(struct task *t, u64 mask)
{
	struct runqueue *rq = task_rq_lock(t);
	int cpu = rq_cpu(rq), run = running_cpu(t), to;
	bool queued = t->on_rq;

	__atomic_store_n(&t->cpus_allowed, mask, __ATOMIC_RELAXED);
	spin_unlock(&rq->lock);
	if ((mask >> cpu) & 1)
		return;
	if (run >= 0) {
		/* schedule() there pushes it away once its registers are saved. */
		kick_cpu(run);
		return;
	}
	if (!queued)
		return;		/* asleep or stopped: the wake-up places it */
	to = allowed_cpu(t, -1);
	rq_lock_pair(cpu, to);
	if (t->on_cpu == cpu && t->on_rq && !((t->cpus_allowed >> cpu) & 1))
		move_task_locked(t, &runqueues[cpu], &runqueues[to]);
	rq_unlock_pair(cpu, to);
	kick_cpu(to);
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
	e->func = NULL;
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
	e->func = NULL;
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

	/* Woken, current is running already: only a waker changes another task's state, and
	 * only to running, so this unlocked read is final. */
	if (__atomic_load_n(&t->state, __ATOMIC_RELAXED) != TASK_RUNNING) {
		struct runqueue *rq = task_rq_lock(t);

		uninterruptible_leave(t);
		t->state = TASK_RUNNING;
		spin_unlock(&rq->lock);
	}
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
		if (e->func) {
			e->func(e);
			continue;
		}
		/* Both kinds of sleeper: a wait queue's own wake-up ends an uninterruptible
		 * wait, which nothing else (no signal) does. */
		if (!sched_wake_task(e->task))
			wake_from_state(e->task, TASK_UNINTERRUPTIBLE);
	}
}

/* Wake every sleeper of @wq, or call its callback; @nested: from a callback. */
static void wake_all(struct wait_queue *wq, bool nested)
{
	if (nested)
		spin_lock_nested(&wq->lock);
	else
		spin_lock(&wq->lock);
	wake_up_locked(wq);
	spin_unlock(&wq->lock);
}

/* wake_up - see include/sched.h. */
void wake_up(struct wait_queue *wq)
{
	wake_all(wq, false);
}

/* wake_up_nested - see include/sched.h. */
void wake_up_nested(struct wait_queue *wq)
{
	wake_all(wq, true);
}

/* wait_add_callback - see include/sched.h. */
void wait_add_callback(struct wait_queue *wq, struct wait_entry *e,
		       void (*func)(struct wait_entry *e))
{
	spin_lock(&wq->lock);
	e->task = NULL;
	e->func = func;
	list_add_tail(&e->link, &wq->sleepers);
	spin_unlock(&wq->lock);
}

/* wait_del - see include/sched.h. */
void wait_del(struct wait_queue *wq, struct wait_entry *e)
{
	spin_lock(&wq->lock);
	if (!list_empty(&e->link))
		list_del(&e->link);
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
		/* Look again now that the state is SLEEPING: a signal sent
		 * between the check above and the state change found this task
		 * running and woke nothing, and would never end the sleep
		 * (a SIGKILL to a pausing process group lost a member so; a
		 * ptrace trap the same). A
		 * sender after the change takes the run-queue lock after us
		 * and wakes us; one before it made its signal visible first. */
		if (signal_pending_current()) {
			rq = task_rq_lock(t);
			t->state = TASK_RUNNING;
			spin_unlock(&rq->lock);
		} else {
			schedule();
		}
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

/* user_work_pending() is in kernel/signal.c, beside task_has_user_work(), which it inlines. */

/* user_return_work - see include/arch.h. Interrupts are enabled. After a switch the caller
 * asks user_work_pending() again, so the rest of the work is done only if there is some. */
void user_return_work(struct trapframe *tf)
{
	if (this_cpu()->need_resched) {
		schedule();
		return;
	}
	task_do_user_work(tf);
}
