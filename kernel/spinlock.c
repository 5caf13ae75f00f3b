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

void spin_init(struct spinlock *l, const char *name)
{
	l->locked = 0;
	l->owner_cpu = -1;
	l->saved_flags = 0;
	l->name = name;
}

/* spin_lock - see include/spinlock.h. Panics on recursive acquisition. */
void spin_lock(struct spinlock *l)
{
	unsigned long flags = arch_irq_save();
	struct cpu *c = this_cpu();

	if (unlikely(l->locked && l->owner_cpu == c->id))
		panic("spin_lock: %s already held by this CPU", l->name);
	while (__atomic_exchange_n(&l->locked, 1, __ATOMIC_ACQUIRE)) {
		while (__atomic_load_n(&l->locked, __ATOMIC_RELAXED))
			arch_cpu_relax();
	}
	l->owner_cpu = c->id;
	l->saved_flags = flags;
	c->preempt_count++;
}

/* spin_trylock - see include/spinlock.h. */
bool spin_trylock(struct spinlock *l)
{
	unsigned long flags = arch_irq_save();

	if (__atomic_exchange_n(&l->locked, 1, __ATOMIC_ACQUIRE)) {
		arch_irq_restore(flags);
		return false;
	}
	l->owner_cpu = this_cpu()->id;
	l->saved_flags = flags;
	this_cpu()->preempt_count++;
	return true;
}

/* spin_unlock - see include/spinlock.h. */
void spin_unlock(struct spinlock *l)
{
	unsigned long flags = l->saved_flags;
	struct cpu *c = this_cpu();

	KASSERT(l->locked && l->owner_cpu == c->id);
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

/* ---- mutexes ---- */

void mutex_init(struct mutex *m, const char *name)
{
	spin_init(&m->lock, name);
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

	KASSERT(spin_held_count() == 0);
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
