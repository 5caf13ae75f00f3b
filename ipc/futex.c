/*
 * futex(2): the kernel half of user-space locks, condition variables and
 * thread joins (musl's pthreads). A task waits only while the word still
 * holds the value it expects; a waker changes the word first and then wakes.
 *
 * Keys. A private futex (FUTEX_PRIVATE_FLAG, or any futex in private
 * memory) is named by its address space and virtual address. A shared futex
 * in MAP_SHARED memory is named by the physical address of the word (page +
 * offset), the same in every process that maps the page. The two never
 * collide: a private key names an mm, a shared key names no mm (space 0).
 *
 * No lost wake-ups: a waiter queues itself in its bucket first and only then
 * reads the word. A waker that changed the word before that read is seen as
 * -EAGAIN; one that changes it after finds the waiter queued.
 *
 * Locks: see include/futex.h.
 */
#include "kernel.h"
#include "task.h"
#include "cpu.h"
#include "mm.h"
#include "futex.h"
#include "sched.h"
#include "uaccess.h"
#include "uapi/errno.h"

#define FUTEX_WAIT		0
#define FUTEX_WAKE		1
#define FUTEX_REQUEUE		3
#define FUTEX_CMP_REQUEUE	4
#define FUTEX_WAIT_BITSET	9
#define FUTEX_WAKE_BITSET	10
#define FUTEX_PRIVATE_FLAG	128
#define FUTEX_CLOCK_REALTIME	256
#define FUTEX_BITSET_MATCH_ANY	0xffffffffu

#define NSEC_PER_SEC		1000000000UL
#define FUTEX_BUCKETS		64

struct futex_key {
	u64 space;	/* the mm of a private futex; 0 for a physical (shared) one */
	u64 offset;	/* virtual address (private) or physical address (shared) */
};

struct futex_waiter {
	struct futex_key key;		/* [bucket] changes only by requeue */
	u32 bitset;			/* [I] FUTEX_WAIT_BITSET mask */
	bool woken;			/* [bucket] set by the waker, which dequeues */
	struct list_head link;		/* [bucket] */
	struct wait_queue wq;		/* the waiter sleeps here */
};

struct futex_bucket {
	struct spinlock lock;
	struct list_head waiters;	/* [lock] struct futex_waiter; lazily initialised */
};

static struct futex_bucket buckets[FUTEX_BUCKETS] = {
	[0 ... FUTEX_BUCKETS - 1] = { .lock = SPINLOCK_INIT("futex") },
};

static struct futex_bucket *futex_bucket(const struct futex_key *k)
{
	u64 h = (k->space ^ (k->offset >> 2)) * 0x9e3779b97f4a7c15UL;

	return &buckets[h >> 58];
}

static void bucket_lock(struct futex_bucket *b)
{
	spin_lock(&b->lock);
	if (!b->waiters.next)
		list_init(&b->waiters);
}

static bool key_eq(const struct futex_key *a, const struct futex_key *b)
{
	return a->space == b->space && a->offset == b->offset;
}

/*
 * The key of the word at @uaddr. A shared key needs the physical page, so
 * the page is faulted in first. Returns 0, -EINVAL (misaligned) or -EFAULT.
 */
static int futex_key_get(u64 uaddr, bool private, struct futex_key *k)
{
	struct mm *mm = current->mm;
	struct vma *v;
	int err = 0;

	if (uaddr & 3)
		return -EINVAL;
	if (!mm || !uaccess_ok(uaddr, 4))
		return -EFAULT;
	k->space = (u64)mm;
	k->offset = uaddr;
	if (private)
		return 0;
	mutex_lock(&mm->lock);
	v = mm_find_vma(mm, uaddr);
	if (!v) {
		err = -EFAULT;
	} else if (v->flags & VMA_SHARED) {
		pte_t *pte = arch_pt_walk(mm->pt_root, uaddr, false);

		if (!pte || !pte_present(*pte)) {
			err = mm_fault_locked(mm, uaddr, 0);
			if (err == -EIO)
				err = -EFAULT;	/* past the end of a mapped file */
			pte = err ? NULL : arch_pt_walk(mm->pt_root, uaddr, false);
		}
		if (pte && pte_present(*pte)) {
			k->space = 0;
			k->offset = pte_phys(*pte) + (uaddr & (PAGE_SIZE - 1));
		} else if (!err) {
			err = -EFAULT;
		}
	}
	mutex_unlock(&mm->lock);
	return err;
}

/* Lock the bucket @w is queued in now (a requeue may move it meanwhile). */
static struct futex_bucket *waiter_lock(struct futex_waiter *w)
{
	for (;;) {
		struct futex_bucket *b = futex_bucket(&w->key);

		bucket_lock(b);
		if (futex_bucket(&w->key) == b)
			return b;
		spin_unlock(&b->lock);
	}
}

/* Take @w off its bucket unless a waker did. Returns whether it was woken. */
static bool waiter_finish(struct futex_waiter *w)
{
	struct futex_bucket *b = waiter_lock(w);
	bool woken = w->woken;

	if (!woken)
		list_del(&w->link);
	spin_unlock(&b->lock);
	return woken;
}

/* Wake @w: caller holds its bucket lock. */
static void waiter_wake(struct futex_waiter *w)
{
	list_del(&w->link);
	w->woken = true;
	wake_up(&w->wq);
}

/*
 * FUTEX_WAIT / FUTEX_WAIT_BITSET: sleep while *@uaddr == @val, until woken,
 * until @deadline_ns (arch_clock_ns() time; 0 = none), or until a signal.
 */
static long futex_wait(u64 uaddr, bool private, u32 val, u64 deadline_ns, u32 bitset)
{
	struct futex_waiter w = { .bitset = bitset };
	struct futex_bucket *b;
	struct wait_entry we;
	long ret = 0;
	u32 cur;

	if (!bitset)
		return -EINVAL;
	ret = futex_key_get(uaddr, private, &w.key);
	if (ret)
		return ret;
	wait_queue_init(&w.wq, "futex_waiter");
	b = futex_bucket(&w.key);
	bucket_lock(b);
	list_add_tail(&w.link, &b->waiters);
	spin_unlock(&b->lock);

	if (get_user_u32(&cur, (void __user *)uaddr))
		ret = -EFAULT;
	else if (cur != val)
		ret = -EAGAIN;
	while (!ret) {
		prepare_to_wait(&w.wq, &we);
		if (__atomic_load_n(&w.woken, __ATOMIC_ACQUIRE)) {
			finish_wait(&w.wq, &we);
			break;
		}
		if (signal_pending_current()) {
			ret = -ERESTARTSYS;
		} else if (deadline_ns) {
			if (arch_clock_ns() >= deadline_ns || schedule_deadline(deadline_ns))
				ret = -ETIMEDOUT;
		} else {
			schedule();
		}
		finish_wait(&w.wq, &we);
	}
	/* A wake-up that raced with the error wins: the waker counted us. */
	if (waiter_finish(&w))
		ret = 0;
	return ret;
}

/* FUTEX_WAKE / FUTEX_WAKE_BITSET: wake up to @n waiters (at least one). */
static long futex_wake_key(const struct futex_key *k, int n, u32 bitset)
{
	struct futex_bucket *b = futex_bucket(k);
	struct futex_waiter *w, *tmp;
	long woken = 0;

	if (!bitset)
		return -EINVAL;
	bucket_lock(b);
	list_for_each_entry_safe(w, tmp, &b->waiters, link) {
		if (!key_eq(&w->key, k) || !(w->bitset & bitset))
			continue;
		waiter_wake(w);
		if (++woken >= n)
			break;
	}
	spin_unlock(&b->lock);
	return woken;
}

/* Lock a second bucket while one is held: always in address order. */
static void bucket_lock_nested(struct futex_bucket *b)
{
	spin_lock_nested(&b->lock);
	if (!b->waiters.next)
		list_init(&b->waiters);
}

static void buckets_lock2(struct futex_bucket *a, struct futex_bucket *b)
{
	if (a == b) {
		bucket_lock(a);
	} else if (a < b) {
		bucket_lock(a);
		bucket_lock_nested(b);
	} else {
		bucket_lock(b);
		bucket_lock_nested(a);
	}
}

static void buckets_unlock2(struct futex_bucket *a, struct futex_bucket *b)
{
	spin_unlock(&a->lock);
	if (a != b)
		spin_unlock(&b->lock);
}

/*
 * FUTEX_REQUEUE / FUTEX_CMP_REQUEUE: wake @nwake waiters of @uaddr and move
 * up to @nreq others to @uaddr2. With @cmp, only if *@uaddr == @val3
 * (-EAGAIN otherwise). Returns how many were woken or moved.
 */
static long futex_requeue(u64 uaddr, u64 uaddr2, bool private, int nwake, int nreq,
			  bool cmp, u32 val3)
{
	struct futex_key k1, k2;
	struct futex_bucket *b1, *b2;
	struct futex_waiter *w, *tmp;
	long woken = 0, moved = 0;
	long err;
	u32 cur;

	if (nwake < 0 || nreq < 0)
		return -EINVAL;
	if ((err = futex_key_get(uaddr, private, &k1)) || (err = futex_key_get(uaddr2, private, &k2)))
		return err;
	/* The compare is not atomic with the move, but waiters of uaddr
	 * queued themselves before re-reading it, so none is missed. */
	if (cmp && get_user_u32(&cur, (void __user *)uaddr))
		return -EFAULT;
	if (cmp && cur != val3)
		return -EAGAIN;
	b1 = futex_bucket(&k1);
	b2 = futex_bucket(&k2);
	buckets_lock2(b1, b2);
	list_for_each_entry_safe(w, tmp, &b1->waiters, link) {
		if (!key_eq(&w->key, &k1))
			continue;
		if (woken < nwake) {
			waiter_wake(w);
			woken++;
		} else if (moved < nreq) {
			list_del(&w->link);
			w->key = k2;
			list_add_tail(&w->link, &b2->waiters);
			moved++;
		} else {
			break;
		}
	}
	buckets_unlock2(b1, b2);
	return woken + moved;
}

/* futex_wake_tid_word - see include/futex.h. */
long futex_wake_tid_word(u64 uaddr)
{
	struct futex_key k;
	long err = futex_key_get(uaddr, false, &k);

	return err ? err : futex_wake_key(&k, 1, FUTEX_BITSET_MATCH_ANY);
}

/* Robust futexes (Linux's Documentation/locking/robust-futex-ABI). */
#define FUTEX_WAITERS		0x80000000u
#define FUTEX_OWNER_DIED	0x40000000u
#define FUTEX_TID_MASK		0x3fffffffu
#define ROBUST_LIST_LIMIT	2048

/* struct robust_list_head of the user: next, futex_offset, list_op_pending. */
#define ROBUST_HEAD_NEXT	0
#define ROBUST_HEAD_OFFSET	8
#define ROBUST_HEAD_PENDING	16

/*
 * The owner of the lock word at @uaddr died: if the word holds current's
 * tid, mark it FUTEX_OWNER_DIED and wake a waiter. A pending entry that no
 * one owns yet may have a waiter the dead thread was about to wake: wake it.
 * @pi entries (priority inheritance, which Sprout lacks) are only marked.
 */
static void robust_futex_death(u64 uaddr, bool pi, bool pending)
{
	u32 uval, cur;

	if (uaddr & 3)
		return;
	for (int tries = 0; tries < 64; tries++) {
		if (get_user_u32(&uval, (const void __user *)uaddr))
			return;
		u32 owner = uval & FUTEX_TID_MASK;

		if (pending && !pi && !owner) {
			futex_wake_tid_word(uaddr);
			return;
		}
		if (owner != (u32)current->tid)
			return;
		u32 mval = (uval & FUTEX_WAITERS) | FUTEX_OWNER_DIED;

		if (cmpxchg_user_u32((void __user *)uaddr, uval, mval, &cur))
			return;
		if (cur != uval)
			continue;	/* a waiter set FUTEX_WAITERS meanwhile */
		if (!pi && (uval & FUTEX_WAITERS))
			futex_wake_tid_word(uaddr);
		return;
	}
}

/* One list pointer: the entry's address and its priority-inheritance bit. */
static int robust_fetch(u64 uaddr, u64 *entry, bool *pi)
{
	u64 v;

	if (get_user_u64(&v, (const void __user *)uaddr))
		return -EFAULT;
	*entry = v & ~1UL;
	*pi = v & 1;
	return 0;
}

/* futex_exit_robust_list - see include/futex.h. */
void futex_exit_robust_list(void)
{
	struct task *t = current;
	u64 head = t->robust_list, entry, next, pending, off;
	bool pi, next_pi, pending_pi;
	int limit = ROBUST_LIST_LIMIT;

	t->robust_list = 0;
	if (!head || !t->mm)
		return;
	if (robust_fetch(head + ROBUST_HEAD_NEXT, &entry, &pi) ||
	    get_user_u64(&off, (const void __user *)(head + ROBUST_HEAD_OFFSET)) ||
	    robust_fetch(head + ROBUST_HEAD_PENDING, &pending, &pending_pi))
		return;
	while (entry != head) {
		/* Read the next link first: the owner-died update may let
		 * another thread free this entry at once. */
		int err = robust_fetch(entry, &next, &next_pi);

		if (entry != pending)
			robust_futex_death(entry + off, pi, false);
		if (err || --limit == 0)
			break;
		entry = next;
		pi = next_pi;
	}
	if (pending)
		robust_futex_death(pending + off, pending_pi, true);
}

struct linux_timespec {
	s64 tv_sec;
	s64 tv_nsec;
};

/*
 * The deadline (arch_clock_ns() time) of a FUTEX_WAIT: @uts is relative,
 * CLOCK_MONOTONIC; for FUTEX_WAIT_BITSET it is absolute, CLOCK_MONOTONIC or
 * with @realtime CLOCK_REALTIME. 0 when @uts is NULL (no time limit).
 */
static int futex_deadline(u64 uts, bool absolute, bool realtime, u64 *deadline)
{
	struct linux_timespec ts;
	u64 now = arch_clock_ns(), ns;

	*deadline = 0;
	if (!uts)
		return 0;
	if (copy_from_user(&ts, (void __user *)uts, sizeof(ts)))
		return -EFAULT;
	if (ts.tv_sec < 0 || ts.tv_nsec < 0 || ts.tv_nsec >= (s64)NSEC_PER_SEC)
		return -EINVAL;
	if ((u64)ts.tv_sec > (~0UL >> 2) / NSEC_PER_SEC)
		return 0;	/* centuries away: no time limit */
	ns = (u64)ts.tv_sec * NSEC_PER_SEC + (u64)ts.tv_nsec;
	if (!absolute) {
		*deadline = now + ns;
	} else if (realtime) {
		u64 rt = arch_rtc_seconds() * NSEC_PER_SEC + now % NSEC_PER_SEC;

		*deadline = ns <= rt ? 1 : now + (ns - rt);
	} else {
		*deadline = ns ? ns : 1;
	}
	return 0;
}

/*
 * sys_futex - futex(2): FUTEX_WAIT, FUTEX_WAKE, FUTEX_WAIT_BITSET,
 * FUTEX_WAKE_BITSET, FUTEX_REQUEUE and FUTEX_CMP_REQUEUE, private or shared,
 * FUTEX_CLOCK_REALTIME with FUTEX_WAIT_BITSET. Returns 0 or the number of
 * tasks woken (and moved), or -EAGAIN (the word differs), -ETIMEDOUT,
 * -ERESTARTSYS (a signal), -EINVAL, -EFAULT, -ENOSYS (other operations).
 * May sleep. Takes mm->lock (shared keys), then bucket locks.
 */
long sys_futex(u64 uaddr, int op, u32 val, u64 utime, u64 uaddr2, u32 val3)
{
	bool private = op & FUTEX_PRIVATE_FLAG;
	bool realtime = op & FUTEX_CLOCK_REALTIME;
	int cmd = op & ~(FUTEX_PRIVATE_FLAG | FUTEX_CLOCK_REALTIME);
	struct futex_key k;
	u64 deadline;
	long err;

	if (realtime && cmd != FUTEX_WAIT_BITSET && cmd != FUTEX_WAIT)
		return -ENOSYS;
	switch (cmd) {
	case FUTEX_WAIT:
		val3 = FUTEX_BITSET_MATCH_ANY;
		/* fall through */
	case FUTEX_WAIT_BITSET:
		err = futex_deadline(utime, cmd == FUTEX_WAIT_BITSET, realtime, &deadline);
		if (err)
			return err;
		return futex_wait(uaddr, private, val, deadline, val3);
	case FUTEX_WAKE:
		val3 = FUTEX_BITSET_MATCH_ANY;
		/* fall through */
	case FUTEX_WAKE_BITSET:
		if (!val3)
			return -EINVAL;
		err = futex_key_get(uaddr, private, &k);
		if (err)
			return err;
		return futex_wake_key(&k, (int)val, val3);
	case FUTEX_REQUEUE:
	case FUTEX_CMP_REQUEUE:
		return futex_requeue(uaddr, uaddr2, private, (int)val, (int)utime,
				     cmd == FUTEX_CMP_REQUEUE, val3);
	default:
		return -ENOSYS;
	}
}
