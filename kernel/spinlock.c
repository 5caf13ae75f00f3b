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
static bool order_check_off;	/* set once a report is under way */
#endif

/* The lock-order checker: on in builds with LOCKDEP=1 (make test), off by default. */
#if !defined(SPROUT_NDEBUG) && !defined(SPROUT_NO_LOCKDEP)
#define LOCKDEP_ON 1
#endif

#ifdef LOCKDEP_ON
/* ---- lock-order checking ---- */

/*
 * The class graphs (lib/lockorder.c), one for spinlocks and one for mutexes
 * (a mutex is never taken under a spinlock, which spin_assert_none_held()
 * enforces, so no order between the two kinds can invert). Changes are
 * serialised by graph_lock, a bare flag taken with interrupts off (a
 * spinlock here would recurse into the checker); tests of the graphs' bits
 * run without it.
 */
static struct lock_order order_graph;	/* [graph_lock] writes */
static struct lock_order mutex_graph;	/* [graph_lock] writes */
static u32 graph_lock;

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

/*
 * The documented order of the mutex classes (kernel/locking.md), loaded into
 * mutex_graph before the first mutex is checked: taking them the other way
 * round panics even in a boot where the documented order never happened
 * first. Pairs are (taken first, taken second); the graph closes them
 * transitively (mount -> vfs_rename -> inode gives mount -> inode).
 */
static const char *const mutex_order_documented[][2] = {
	{ "mount", "vfs_rename" },	/* umount clears a tmpfs tree */
	{ "vfs_rename", "inode" },	/* rename, the tmpfs tree walk */
	{ "file_pos", "mm" },		/* read/write fault on the user buffer */
	{ "file_pos", "inode" },	/* read/write of a file's data */
	{ "pipe_read", "mm" },		/* a pipe read copies out, faulting */
	{ "tty_tx", "mm" },		/* a terminal write copies in, faulting */
	{ "mm", "shm_ids" },		/* vma_ops of SysV segments run under mm->lock */
	{ "shm_ids", "inode" },		/* a segment's pages live in a tmpfs inode */
	{ "mm", "inode" },		/* file mappings fault pages in */
};
static bool mutex_order_loaded;	/* [graph_lock] */

static void mutex_order_load(void)
{
	unsigned long flags = arch_irq_save();

	graph_acquire();
	if (!mutex_order_loaded) {
		for (size_t i = 0; i < ARRAY_SIZE(mutex_order_documented); i++) {
			int a = lock_order_class(&mutex_graph, mutex_order_documented[i][0]);
			int b = lock_order_class(&mutex_graph, mutex_order_documented[i][1]);

			if (a >= 0 && b >= 0 && !lock_order_known(&mutex_graph, a, b))
				lock_order_add(&mutex_graph, a, b);
		}
		__atomic_store_n(&mutex_order_loaded, true, __ATOMIC_RELEASE);
	}
	graph_release();
	arch_irq_restore(flags);
}

/* The class id of mutex @m in mutex_graph, registered on first sight; -1 if full. */
static int mutex_class_of(struct mutex *m)
{
	int id = __atomic_load_n(&m->lock_class, __ATOMIC_RELAXED) - 1;
	unsigned long flags;

	if (id >= 0)
		return id;
	flags = arch_irq_save();
	graph_acquire();
	id = lock_order_class(&mutex_graph, m->name);
	graph_release();
	arch_irq_restore(flags);
	if (id >= 0)
		__atomic_store_n(&m->lock_class, id + 1, __ATOMIC_RELAXED);
	return id;
}

/*
 * Check taking mutex @m against every mutex @t holds, then learn from it.
 * Called before sleeping for @m, so an inversion is reported even when this
 * acquisition is the one that would deadlock.
 */
static void mutex_order_check(struct task *t, struct mutex *m)
{
	int b;

	if (order_check_off)
		return;
	for (int i = 0; i < t->nr_held_mutexes; i++)
		if (t->held_mutexes[i] == m)
			order_report("mutex_lock: %s already held by this task%s", m->name,
				     " (it would sleep forever)");
	if (!m->name)
		return;
	if (!__atomic_load_n(&mutex_order_loaded, __ATOMIC_ACQUIRE))
		mutex_order_load();
	b = mutex_class_of(m);
	if (b < 0)
		return;
	for (int i = 0; i < t->nr_held_mutexes; i++) {
		struct mutex *h = t->held_mutexes[i];
		int a = h->lock_class - 1;

		if (a < 0)
			continue;
		if (a == b) {
			if (m->nestable)
				continue;
			order_report("lock order: mutex %s taken while another %s is held "
				     "(only a class made by mutex_init_nestable may nest)",
				     m->name, m->name);
		}
		if (lock_order_inverts(&mutex_graph, a, b))
			order_report("lock order inversion: mutex %s taken while holding mutex %s, "
				     "but the recorded order puts it first", m->name, h->name);
		if (!lock_order_known(&mutex_graph, a, b)) {
			unsigned long flags = arch_irq_save();

			graph_acquire();
			lock_order_add(&mutex_graph, a, b);
			graph_release();
			arch_irq_restore(flags);
		}
	}
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

#else
static inline void order_check(struct cpu *c, struct spinlock *l, bool nested) { }
static inline void mutex_order_check(struct task *t, struct mutex *m) { }
#endif

#ifndef SPROUT_NDEBUG
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

#ifndef SPROUT_NDEBUG
/* Record that @t now holds @m (the stack mutex_order_check() reads). */
static void mutex_held_push(struct task *t, struct mutex *m)
{
	if (t->nr_held_mutexes == MUTEX_MAX_HELD) {
		order_check_off = true;
		panic("mutex_lock: more than %d mutexes held (%s)", MUTEX_MAX_HELD, m->name);
	}
	t->held_mutexes[t->nr_held_mutexes++] = m;
}

static void mutex_held_pop(struct task *t, struct mutex *m)
{
	/* Usually the top; unlock-in-any-order pairs may release one further down. */
	for (int i = t->nr_held_mutexes - 1; i >= 0; i--) {
		if (t->held_mutexes[i] != m)
			continue;
		for (int j = i; j < t->nr_held_mutexes - 1; j++)
			t->held_mutexes[j] = t->held_mutexes[j + 1];
		t->nr_held_mutexes--;
		return;
	}
}
#else
static inline void mutex_held_push(struct task *t, struct mutex *m) { }
static inline void mutex_held_pop(struct task *t, struct mutex *m) { }
#endif

void mutex_init(struct mutex *m, const char *name)
{
	m->state = 0;
	m->owner = NULL;
	wait_queue_init(&m->waiters, name);
	m->name = name;
	m->lock_class = 0;
	m->nestable = false;
}

/* mutex_init_nestable - see include/mutex.h. */
void mutex_init_nestable(struct mutex *m, const char *name)
{
	mutex_init(m, name);
	m->nestable = true;
}

/*
 * mutex_lock - see include/mutex.h. Sleeps uninterruptibly: a pending signal
 * does not abort the wait. Must not be called with a spinlock held. The
 * order check comes before any sleep, so an inversion is reported even when
 * this very acquisition is the one that would deadlock.
 */
/* Take @m free (state 0) -> held (1); true if it was free. */
static inline bool mutex_try_acquire(struct mutex *m)
{
	int free = 0;

	return __atomic_compare_exchange_n(&m->state, &free, 1, false, __ATOMIC_ACQUIRE,
					   __ATOMIC_RELAXED);
}

/* @m is held: queue on its waiters, then mark it contended (2). The exchange comes after
 * the queueing, so either it finds @m free (state 0: ours, marked 2 to be safe) or the
 * release that ends the current hold sees 2 and wakes us, already queued. */
static void mutex_wait(struct mutex *m)
{
	struct wait_entry we;

	for (;;) {
		prepare_to_wait(&m->waiters, &we);
		if (__atomic_exchange_n(&m->state, 2, __ATOMIC_ACQUIRE) == 0)
			break;
		schedule();
		finish_wait(&m->waiters, &we);
	}
	finish_wait(&m->waiters, &we);
}

void mutex_lock(struct mutex *m)
{
	struct task *t = current;

	spin_assert_none_held("mutex_lock");
	if (t)
		mutex_order_check(t, m);
	if (unlikely(!mutex_try_acquire(m)))
		mutex_wait(m);
	m->owner = t;
	if (t)
		mutex_held_push(t, m);
}

/* mutex_trylock - see include/mutex.h. No order check: it never waits. */
bool mutex_trylock(struct mutex *m)
{
	struct task *t = current;

	spin_assert_none_held("mutex_trylock");
	if (!mutex_try_acquire(m))
		return false;
	m->owner = t;
	if (t)
		mutex_held_push(t, m);
	return true;
}

void mutex_unlock(struct mutex *m)
{
	struct task *t = current;

	KASSERT(__atomic_load_n(&m->state, __ATOMIC_RELAXED) && m->owner == t);
	m->owner = NULL;
	if (t)
		mutex_held_pop(t, m);
	/* 2: someone may have queued (mutex_wait()); each waiter takes it or queues again. */
	if (__atomic_exchange_n(&m->state, 0, __ATOMIC_RELEASE) == 2)
		wake_up(&m->waiters);
}

bool mutex_held(struct mutex *m)
{
	return __atomic_load_n(&m->state, __ATOMIC_RELAXED) && m->owner == current;
}

/*
 * mutex_order_selftest - see include/mutex.h. Takes two mutexes of its own
 * in one order, then in the other: the second acquisition must panic with
 * "lock order inversion" (never sleeps: each mutex is free). With
 * @documented, takes an "inode" mutex and then an "mm" one, the reverse of
 * the documented order, which must panic although this boot never took the
 * two in the documented order.
 */
void mutex_order_selftest(bool documented)
{
	static struct mutex a = MUTEX_INIT(a, "selftest-mutex-a");
	static struct mutex b = MUTEX_INIT(b, "selftest-mutex-b");
	static struct mutex ino = MUTEX_INIT(ino, "inode");
	static struct mutex mm = MUTEX_INIT(mm, "mm");

	if (documented) {
		printk("mutex: lock-order self-test: an inode mutex, then an mm one\n");
		mutex_lock(&ino);
		mutex_lock(&mm);
		mutex_unlock(&mm);
		mutex_unlock(&ino);
		printk("mutex: lock-order self-test: the inversion went unnoticed\n");
		return;
	}
	printk("mutex: lock-order self-test: a -> b, then b -> a\n");
	mutex_lock(&a);
	mutex_lock(&b);
	mutex_unlock(&b);
	mutex_unlock(&a);
	mutex_lock(&b);
	mutex_lock(&a);
	mutex_unlock(&a);
	mutex_unlock(&b);
	printk("mutex: lock-order self-test: the inversion went unnoticed\n");
}
