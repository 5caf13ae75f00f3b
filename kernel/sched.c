/*
 * The scheduler: per-CPU run queues, round robin with a one-tick time slice,
 * wait queues, timed sleeps and the idle task ("swapper/N", pid 0).
 *
 * The kernel is not preemptible: a task gives up the CPU in schedule(), and
 * user code is preempted on its way back to user mode (user_return_work())
 * when the tick or a wake-up set need_resched.
 *
 * Locks:
 *   runqueue.lock (spinlock, one per CPU) guards its queue and the state,
 *   on_rq fields of the tasks on it. schedule() takes it on one task's stack
 *   and the next task releases it (finish_switch() or sched_tail()).
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
	int nr_queued;			/* [lock] */
};

static struct runqueue runqueues[MAX_CPUS];

static struct spinlock timer_lock = SPINLOCK_INIT("timers");
static struct list_head timer_list = LIST_HEAD_INIT(timer_list);	/* [timer_lock] */

static u64 boot_ticks;

u64 sched_ticks(void)
{
	return boot_ticks;
}

/* ---- run queues ---- */

static void rq_enqueue(struct runqueue *rq, struct task *t)
{
	if (t->on_rq)
		return;
	list_add_tail(&t->rq_link, &rq->queue);
	t->on_rq = true;
	rq->nr_queued++;
}

static struct task *rq_dequeue(struct runqueue *rq)
{
	if (list_empty(&rq->queue))
		return NULL;
	struct task *t = list_first_entry(&rq->queue, struct task, rq_link);

	list_del(&t->rq_link);
	t->on_rq = false;
	rq->nr_queued--;
	return t;
}

static struct runqueue *task_rq(struct task *t)
{
	return &runqueues[t->on_cpu];
}

/*
 * Called on the new task's stack right after arch_switch(): drop the
 * run-queue lock taken by schedule() and release a dead predecessor.
 */
static void finish_switch(void)
{
	struct cpu *c = this_cpu();
	struct task *prev = c->switch_prev;

	c->switch_prev = NULL;
	spin_unlock(&c->rq->lock);
	/* The lock's saved interrupt state belongs to the task that took it;
	 * schedule() always returns with interrupts enabled. */
	arch_irq_enable();
	if (prev && prev->state == TASK_DEAD)
		task_put(prev);	/* its stack is no longer in use */
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

	KASSERT(c->preempt_count == 0);
	spin_lock(&rq->lock);
	if (prev->state == TASK_RUNNING && prev != c->idle)
		rq_enqueue(rq, prev);
	struct task *next = rq_dequeue(rq);

	if (!next)
		next = c->idle;
	c->need_resched = false;
	if (next == prev) {
		spin_unlock(&rq->lock);
		return;
	}
	next->on_cpu = c->id;
	c->switch_prev = prev;
	c->running = next;
	if (next->mm != prev->mm && next->mm)
		mm_activate(next->mm);
	else if (!next->mm && prev->mm)
		mm_activate(NULL);
	arch_switch(prev, next);
	/* Back in prev, possibly much later, on this CPU. */
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

/* sched_exit_current - see include/sched.h. */
void sched_exit_current(void)
{
	struct task *t = current;

	spin_lock(&task_rq(t)->lock);
	t->state = TASK_DEAD;
	spin_unlock(&task_rq(t)->lock);
	schedule();
	panic("sched_exit_current: dead task %d ran again", t->tid);
}

/* sched_yield_current - see include/sched.h. */
void sched_yield_current(void)
{
	schedule();
}

/* sched_wake_task - see include/sched.h. Any context. */
bool sched_wake_task(struct task *t)
{
	struct runqueue *rq = task_rq(t);
	bool woke = false;

	spin_lock(&rq->lock);
	if (t->state == TASK_SLEEPING) {
		t->state = TASK_RUNNING;
		/* A task that set SLEEPING but has not reached schedule() yet
		 * is still current somewhere: it just keeps running. */
		if (cpus[t->on_cpu].running != t)
			rq_enqueue(rq, t);
		cpus[t->on_cpu].need_resched = true;
		woke = true;
	}
	spin_unlock(&rq->lock);
	return woke;
}

/* sched_prepare_stop - see include/sched.h. */
void sched_prepare_stop(void)
{
	struct task *t = current;

	spin_lock(&task_rq(t)->lock);
	t->state = TASK_STOPPED;
	spin_unlock(&task_rq(t)->lock);
}

/* sched_wake_stopped - see include/sched.h. Any context. */
bool sched_wake_stopped(struct task *t)
{
	struct runqueue *rq = task_rq(t);
	bool woke = false;

	spin_lock(&rq->lock);
	if (t->state == TASK_STOPPED) {
		t->state = TASK_RUNNING;
		if (cpus[t->on_cpu].running != t)
			rq_enqueue(rq, t);
		cpus[t->on_cpu].need_resched = true;
		woke = true;
	}
	spin_unlock(&rq->lock);
	return woke;
}

/* sched_add_new - see include/sched.h. New tasks start on the creating CPU. */
void sched_add_new(struct task *t)
{
	struct cpu *c = this_cpu();

	t->on_cpu = c->id;
	spin_lock(&c->rq->lock);
	t->state = TASK_RUNNING;
	rq_enqueue(c->rq, t);
	spin_unlock(&c->rq->lock);
}

/* sched_timer_tick - see include/arch.h. Interrupts are disabled. */
void sched_timer_tick(bool user)
{
	struct cpu *c = this_cpu();
	struct task *t = c->running;

	c->ticks++;
	if (c->id == 0)
		boot_ticks++;
	if (t == c->idle)
		c->idle_ticks++;
	else if (user)
		t->utime_ticks++;
	else
		t->stime_ticks++;

	/* Wake expired sleepers. */
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

	if (c->rq->nr_queued > 0)
		c->need_resched = true;
	signal_timer_tick(t == c->idle ? NULL : t, user);
}

/* ---- wait queues ---- */

void wait_queue_init(struct wait_queue *wq, const char *name)
{
	spin_init(&wq->lock, name);
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
	spin_lock(&task_rq(t)->lock);
	t->state = TASK_SLEEPING;
	spin_unlock(&task_rq(t)->lock);
	spin_unlock(&wq->lock);
}

/* finish_wait - see include/sched.h. */
void finish_wait(struct wait_queue *wq, struct wait_entry *e)
{
	struct task *t = current;

	spin_lock(&task_rq(t)->lock);
	t->state = TASK_RUNNING;
	spin_unlock(&task_rq(t)->lock);
	spin_lock(&wq->lock);
	if (!list_empty(&e->link))
		list_del(&e->link);
	spin_unlock(&wq->lock);
}

/* wake_up - see include/sched.h. */
void wake_up(struct wait_queue *wq)
{
	struct wait_entry *e;

	spin_lock(&wq->lock);
	list_for_each_entry(e, &wq->sleepers, link)
		sched_wake_task(e->task);
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
		spin_lock(&task_rq(t)->lock);
		t->state = TASK_SLEEPING;
		spin_unlock(&task_rq(t)->lock);
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
		if (c->rq->nr_queued > 0) {
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

	return c->need_resched || task_has_user_work(c->running);
}

/* user_return_work - see include/arch.h. Interrupts are enabled. */
void user_return_work(struct trapframe *tf)
{
	if (this_cpu()->need_resched)
		schedule();
	task_do_user_work(tf);
}
