/*
 * Spinlocks and sleeping mutexes.
 *
 * A spinlock disables interrupts and preemption on this CPU while held. The
 * interrupt state of the first acquisition is stored in the lock and put back
 * by the matching release, so nested locks must be released in reverse order.
 */
#include "kernel.h"
#include "spinlock.h"
#include "mutex.h"
#include "cpu.h"
#include "task.h"
#include "lib/lockorder.h"

void spin_init(struct spinlock *l, const char *name)
{
	l->locked = 0;
	l->owner_cpu = -1;
	l->saved_flags = 0;
	l->name = name;
	l->lock_class = 0;
}

#ifndef SPROUT_NDEBUG
/* ---- lock-order checking ---- */

/*
 * The class graph (lib/lockorder.c). Changes are serialised by graph_lock,
 * a bare flag taken with interrupts already off (a spinlock here would
 * recurse into the checker); tests of the graph's bits run without it.
 */
static struct lock_order order_graph;	/* [graph_lock] writes */
static u32 graph_lock;
static bool order_check_off;	/* set once a report is under way */

static void graph_acquire(void)
{
	while (__atomic_exchange_n(&graph_lock, 1, __ATOMIC_ACQUIRE))
		arch_cpu_relax();
}

static void graph_release(void)
{
	__atomic_store_n(&graph_lock, 0, __ATOMIC_RELEASE);
}

static __noreturn void order_report(const char *fmt, const char *a, const char *b)
{
	order_check_off = true;
	panic(fmt, a, b);
}

/* The class id of @l, registering its name on first sight; -1 if full. */
static int lock_class_of(struct spinlock *l)
{
	int id = __atomic_load_n(&l->lock_class, __ATOMIC_RELAXED) - 1;

	if (id >= 0)
		return id;
	graph_acquire();
	id = lock_order_class(&order_graph, l->name);
	graph_release();
	if (id >= 0)	/* a full table leaves the lock unchecked, never wrong */
		__atomic_store_n(&l->lock_class, id + 1, __ATOMIC_RELAXED);
	return id;
}

/* Check taking @l against every lock this CPU holds, then learn from it. */
static void order_check(struct cpu *c, struct spinlock *l, bool nested)
{
	int b = l->name && !order_check_off ? lock_class_of(l) : -1;

	if (b < 0)
		return;
	for (int i = 0; i < c->nr_held; i++) {
		int a = c->held_locks[i]->lock_class - 1;

		if (a < 0)
			continue;
		if (a == b) {
			if (nested)
				continue;
			order_report("lock order: %s taken while another %s is held "
				     "(use spin_lock_nested with a fixed order)", l->name, l->name);
		}
		if (lock_order_inverts(&order_graph, a, b))
			order_report("lock order inversion: %s taken while holding %s, "
				     "but the recorded order puts it first", l->name,
				     c->held_locks[i]->name);
		if (!lock_order_known(&order_graph, a, b)) {
			graph_acquire();
			lock_order_add(&order_graph, a, b);
			graph_release();
		}
	}
}

static void held_push(struct cpu *c, struct spinlock *l)
{
	if (c->nr_held == SPIN_MAX_HELD) {
		order_check_off = true;
		panic("spin_lock: more than %d spinlocks held (%s)", SPIN_MAX_HELD, l->name);
	}
	c->held_locks[c->nr_held++] = l;
}

static void held_pop(struct cpu *c, struct spinlock *l)
{
	/* Usually the top; the run-queue hand-over across a context switch
	 * and unlock-in-any-order pairs may release one further down. */
	for (int i = c->nr_held - 1; i >= 0; i--) {
		if (c->held_locks[i] != l)
			continue;
		for (int j = i; j < c->nr_held - 1; j++)
			c->held_locks[j] = c->held_locks[j + 1];
		c->nr_held--;
		return;
	}
}
#else
static inline void order_check(struct cpu *c, struct spinlock *l, bool nested) { }
static inline void held_push(struct cpu *c, struct spinlock *l) { }
static inline void held_pop(struct cpu *c, struct spinlock *l) { }
#endif

static void spin_lock_common(struct spinlock *l, bool nested)
{
	unsigned long flags = arch_irq_save();
	struct cpu *c = this_cpu();

	if (unlikely(l->locked && l->owner_cpu == c->id))
		panic("spin_lock: %s already held by this CPU", l->name);
	/* Before spinning: an inversion is reported even when this very
	 * acquisition would be the one that deadlocks. */
	order_check(c, l, nested);
	while (__atomic_exchange_n(&l->locked, 1, __ATOMIC_ACQUIRE)) {
		while (__atomic_load_n(&l->locked, __ATOMIC_RELAXED))
			arch_cpu_relax();
	}
	l->owner_cpu = c->id;
	l->saved_flags = flags;
	c->preempt_count++;
	held_push(c, l);
}

/* spin_lock - see include/spinlock.h. Panics on recursive acquisition. */
void spin_lock(struct spinlock *l)
{
	spin_lock_common(l, false);
}

/* spin_lock_nested - see include/spinlock.h. */
void spin_lock_nested(struct spinlock *l)
{
	spin_lock_common(l, true);
}

/* spin_trylock - see include/spinlock.h. A trylock cannot deadlock, so it
 * is not checked against the order, only recorded as held. */
bool spin_trylock(struct spinlock *l)
{
	unsigned long flags = arch_irq_save();
	struct cpu *c = this_cpu();

	if (__atomic_exchange_n(&l->locked, 1, __ATOMIC_ACQUIRE)) {
		arch_irq_restore(flags);
		return false;
	}
	l->owner_cpu = c->id;
	l->saved_flags = flags;
	c->preempt_count++;
	held_push(c, l);
	return true;
}

/* spin_unlock - see include/spinlock.h. */
void spin_unlock(struct spinlock *l)
{
	unsigned long flags = l->saved_flags;
	struct cpu *c = this_cpu();

	KASSERT(l->locked && l->owner_cpu == c->id);
	held_pop(c, l);
	l->owner_cpu = -1;
	c->preempt_count--;
	__atomic_store_n(&l->locked, 0, __ATOMIC_RELEASE);
	arch_irq_restore(flags);
}

bool spin_held(const struct spinlock *l)
{
	return l->locked && l->owner_cpu == this_cpu()->id;
}

int spin_held_count(void)
{
	return this_cpu()->preempt_count;
}

/* spin_assert_none_held - see include/spinlock.h. */
void spin_assert_none_held(const char *where)
{
	struct cpu *c = this_cpu();

	if (likely(c->preempt_count == 0))
		return;
#ifndef SPROUT_NDEBUG
	order_check_off = true;
	if (c->nr_held > 0)
		panic("%s with spinlock %s held (%d held)", where,
		      c->held_locks[c->nr_held - 1]->name, c->nr_held);
#endif
	panic("%s with %d spinlock(s) held", where, c->preempt_count);
}

/*
 * spin_order_selftest - see include/spinlock.h. Takes two locks of its own
 * in one order, then in the other: the second acquisition must panic with
 * "lock order inversion" (never deadlocks: one CPU, each lock free).
 */
void spin_order_selftest(void)
{
	static struct spinlock a = SPINLOCK_INIT("selftest-a");
	static struct spinlock b = SPINLOCK_INIT("selftest-b");

	printk("spinlock: lock-order self-test: a -> b, then b -> a\n");
	spin_lock(&a);
	spin_lock(&b);
	spin_unlock(&b);
	spin_unlock(&a);
	spin_lock(&b);
	spin_lock(&a);
	spin_unlock(&a);
	spin_unlock(&b);
	printk("spinlock: lock-order self-test: the inversion went unnoticed\n");
}

/* ---- mutexes ---- */

void mutex_init(struct mutex *m, const char *name)
{
	/* The inner lock is one class for every mutex ("mutex"); it is held
	 * while the wait queue (class "wait_queue") is taken in mutex_lock(). */
	spin_init(&m->lock, "mutex");
	m->locked = false;
	m->owner = NULL;
	wait_queue_init(&m->waiters, name);
	m->name = name;
}

/*
 * mutex_lock - see include/mutex.h. Sleeps uninterruptibly: a pending signal
 * does not abort the wait. Must not be called with a spinlock held.
 */
void mutex_lock(struct mutex *m)
{
	struct wait_entry we;

	spin_assert_none_held("mutex_lock");
	for (;;) {
		spin_lock(&m->lock);
		if (!m->locked) {
			m->locked = true;
			m->owner = current;
			spin_unlock(&m->lock);
			return;
		}
		prepare_to_wait(&m->waiters, &we);
		spin_unlock(&m->lock);
		schedule();
		finish_wait(&m->waiters, &we);
	}
}

void mutex_unlock(struct mutex *m)
{
	spin_lock(&m->lock);
	KASSERT(m->locked && m->owner == current);
	m->locked = false;
	m->owner = NULL;
	spin_unlock(&m->lock);
	wake_up(&m->waiters);
}

bool mutex_held(struct mutex *m)
{
	return m->locked && m->owner == current;
}
