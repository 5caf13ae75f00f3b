/*
 * RLIMIT_SIGPENDING: how many siginfo records are queued for each user.
 *
 * Every queued siginfo (struct sigqueue, kernel/signal.c) is charged to the
 * real uid of the process it is queued for, and the charge is given back to
 * that same uid when the record is taken, discarded or freed -- whatever
 * the process's uid is by then. The limit is the receiving process's
 * RLIMIT_SIGPENDING, as on Linux (getrlimit(2), signal(7) "Queueing and
 * delivery semantics for standard signals"); which signals may pass it is
 * decided by the caller.
 *
 * One small hash of counters, an entry per uid with anything queued; an
 * entry goes when its count returns to zero.
 *
 * Locks: sigpending_lock, a leaf (only kmalloc's locks under it), taken
 * under process->lock.
 */
#include "kernel.h"
#include "kmalloc.h"
#include "spinlock.h"
#include "task.h"

#define UID_BUCKETS	64

struct user_sigpending {
	struct user_sigpending *next;	/* [sigpending_lock] bucket chain */
	uid_t uid;
	u64 count;			/* [sigpending_lock] queued siginfo records */
};

static struct spinlock sigpending_lock = SPINLOCK_INIT("sigpending");
static struct user_sigpending *buckets[UID_BUCKETS];	/* [sigpending_lock] */

static struct user_sigpending **slot_of(uid_t uid)
{
	struct user_sigpending **pp = &buckets[(uid * 0x9e3779b1u) >> 26];

	while (*pp && (*pp)->uid != uid)
		pp = &(*pp)->next;
	return pp;
}

/* sigpending_charge - see include/task.h. */
bool sigpending_charge(uid_t uid, u64 limit)
{
	bool ok = false;

	spin_lock(&sigpending_lock);
	struct user_sigpending **pp = slot_of(uid), *u = *pp;

	if (!u && limit > 0) {
		u = kmalloc(sizeof(*u));
		if (u) {
			u->next = NULL;
			u->uid = uid;
			u->count = 0;
			*pp = u;
		}
	}
	if (u && u->count < limit) {
		u->count++;
		ok = true;
	}
	spin_unlock(&sigpending_lock);
	return ok;
}

/* sigpending_uncharge - see include/task.h. */
void sigpending_uncharge(uid_t uid)
{
	struct user_sigpending *gone = NULL;

	spin_lock(&sigpending_lock);
	struct user_sigpending **pp = slot_of(uid), *u = *pp;

	if (u && u->count && --u->count == 0) {
		*pp = u->next;
		gone = u;
	}
	spin_unlock(&sigpending_lock);
	kfree(gone);
}

/* sigpending_count - see include/task.h. */
u64 sigpending_count(uid_t uid)
{
	u64 n;

	spin_lock(&sigpending_lock);
	struct user_sigpending *u = *slot_of(uid);

	n = u ? u->count : 0;
	spin_unlock(&sigpending_lock);
	return n;
}
