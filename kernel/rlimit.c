/*
 * Resource limits (getrlimit(2), setrlimit(2), prlimit64(2)): one soft and
 * one hard limit per resource and process, inherited across fork and kept
 * across exec. Where they are enforced:
 *   RLIMIT_NPROC   fork() returns -EAGAIN (rlimit_nproc_charge, here)
 *   RLIMIT_AS      mmap/brk return -ENOMEM (mm/mmap.c through rlimit_cur)
 *   RLIMIT_DATA    mmap of private writable memory and brk: -ENOMEM
 *   RLIMIT_NOFILE  new descriptors: -EMFILE (fs/fdtable.c; the table grows up
 *                  to it, and it may not be raised past fs.nr_open: -EPERM)
 *   RLIMIT_STACK   size of the stack mapping made by exec (SIGSEGV past it), and
 *                  how far a MAP_GROWSDOWN mapping grows (mm/growsdown.c)
 *   RLIMIT_CPU     SIGXCPU each second past the soft limit, SIGKILL at the
 *                  hard one (kernel/itimer.c, from the tick)
 *   RLIMIT_CORE    size of the core file of core-action deaths (coredump.c)
 *   RLIMIT_FSIZE   user writes stop at it; past it SIGXFSZ and -EFBIG (fs/tmpfs.c)
 *   RLIMIT_MEMLOCK mlock/mlockall -ENOMEM, locked mmap -EAGAIN, SHM_LOCK -ENOMEM
 *                  (mm/mlock.c, ipc/shm.c); at 0, -EPERM
 *   RLIMIT_LOCKS   kept but not enforced, as on Linux since 2.4 (fs/lock.c)
 *   RLIMIT_MSGQUEUE bytes of a real user's POSIX message queues: -EMFILE (ipc/mqueue.c)
 *   RLIMIT_NICE    how far an unprivileged caller may lower a nice value:
 *                  setpriority(2) -EACCES, sched_setscheduler(2) -EPERM
 *                  leaving SCHED_IDLE (kernel/sys_sched.c)
 *   RLIMIT_RTPRIO  the highest real-time priority an unprivileged caller may
 *                  set: sched_setscheduler(2) -EPERM (kernel/sys_sched.c)
 *   RLIMIT_RTTIME  a SCHED_FIFO/RR task's run without blocking, in microseconds:
 *                  SIGXCPU at the soft limit and each second after, SIGKILL at the
 *                  hard one (kernel/itimer.c, from the tick)
 * Unprivileged callers (euid != 0) may lower hard limits but not raise them.
 *
 * Locks: process->rlim is [P] process->lock.
 */
#include "kernel.h"
#include "task.h"
#include "cpu.h"
#include "kmalloc.h"
#include "fs.h"
#include "uaccess.h"
#include "uapi/errno.h"
#include "uapi/resource.h"

/* Default limits (Linux's for a root shell on Debian 12). */
static const struct k_rlimit rlimit_defaults[RLIMIT_COUNT] = {
	[RLIMIT_CPU] = { RLIM_INFINITY, RLIM_INFINITY },
	[RLIMIT_FSIZE] = { RLIM_INFINITY, RLIM_INFINITY },
	[RLIMIT_DATA] = { RLIM_INFINITY, RLIM_INFINITY },
	[RLIMIT_STACK] = { 8UL << 20, RLIM_INFINITY },
	[RLIMIT_CORE] = { 0, RLIM_INFINITY },
	[RLIMIT_RSS] = { RLIM_INFINITY, RLIM_INFINITY },
	[RLIMIT_NPROC] = { 32768, 32768 },
	[RLIMIT_NOFILE] = { 1024, 1048576 },
	[RLIMIT_MEMLOCK] = { 8UL << 20, 8UL << 20 },
	[RLIMIT_AS] = { RLIM_INFINITY, RLIM_INFINITY },
	[10] = { RLIM_INFINITY, RLIM_INFINITY },	/* LOCKS */
	[11] = { 32768, 32768 },			/* SIGPENDING */
	[12] = { 819200, 819200 },			/* MSGQUEUE */
	[13] = { 0, 0 },				/* NICE */
	[14] = { 0, 0 },				/* RTPRIO */
	[15] = { RLIM_INFINITY, RLIM_INFINITY },	/* RTTIME */
};

_Static_assert(RLIMIT_COUNT == RLIMIT_NLIMITS, "one k_rlimit per resource");

/* rlimit_init_defaults - see include/task.h. */
void rlimit_init_defaults(struct process *p)
{
	memcpy(p->rlim, rlimit_defaults, sizeof(p->rlim));
}

/* rlimit_cur - see include/task.h. */
u64 rlimit_cur(int resource)
{
	struct process *p = current->proc;

	if (!p || resource < 0 || resource >= RLIMIT_COUNT)
		return RLIM_INFINITY;
	spin_lock(&p->lock);
	u64 v = p->rlim[resource].cur;

	spin_unlock(&p->lock);
	return v;
}

/*
 * RLIMIT_NPROC counts processes per real user (Linux's ucounts, which count
 * threads). A fork charges the new process to the user first and only then
 * compares the count with the limit, under one lock, so forks racing on
 * several CPUs cannot all pass a check made before any of them counted.
 * The charge goes when the process is freed (after it is reaped) or moves
 * with a change of the real uid. Real uid 0 and euid 0 are exempt from
 * the limit, as Linux exempts the initial user and CAP_SYS_RESOURCE /
 * CAP_SYS_ADMIN (Sprout's euid 0), but are counted too.
 *
 * Locks: nproc_lock guards the table and every entry; a leaf, taken under
 * tasklist_lock or process->lock at most.
 */
#define NPROC_BUCKETS	64

struct nproc_user {
	uid_t uid;
	u32 count;			/* [nproc_lock] processes charged */
	struct nproc_user *next;	/* [nproc_lock] hash chain */
};

static struct spinlock nproc_lock = SPINLOCK_INIT("nproc");
static struct nproc_user *nproc_table[NPROC_BUCKETS];	/* [nproc_lock] */

/* The entry of @uid, or NULL. Caller holds nproc_lock. */
static struct nproc_user **nproc_slot(uid_t uid)
{
	struct nproc_user **pp = &nproc_table[uid % NPROC_BUCKETS];

	while (*pp && (*pp)->uid != uid)
		pp = &(*pp)->next;
	return pp;
}

/* Add @delta to @uid's count, using @spare (may be NULL: then a missing
 * entry fails) for a new entry and freeing an entry that drops to 0.
 * Returns the new count, or 0 when no entry could be made. Caller holds
 * nproc_lock; *@spare is set to NULL when used. */
static u32 nproc_add_locked(uid_t uid, int delta, struct nproc_user **spare)
{
	struct nproc_user **pp = nproc_slot(uid), *u = *pp;

	if (!u) {
		if (delta <= 0 || !spare || !*spare)
			return 0;
		u = *spare;
		*spare = NULL;
		u->uid = uid;
		u->count = 0;
		u->next = NULL;
		*pp = u;
	}
	u->count += (u32)delta;
	if (u->count == 0) {
		*pp = u->next;
		kfree(u);
		return 0;
	}
	return u->count;
}

/* rlimit_nproc_charge - see include/task.h. */
int rlimit_nproc_charge(struct process *child)
{
	struct process *self = current->proc;
	struct nproc_user *spare = NULL;
	u64 limit = rlimit_cur(RLIMIT_NPROC);
	uid_t uid;
	bool exempt;
	int err = 0;

	spin_lock(&self->lock);
	uid = self->uid;
	exempt = self->uid == 0 || self->euid == 0;
	spin_unlock(&self->lock);
	/* The forking user almost always has an entry already (the caller is
	 * charged to it): allocate a new one only when it is missing. */
	spin_lock(&nproc_lock);
	bool have = *nproc_slot(uid) != NULL;

	spin_unlock(&nproc_lock);
	if (!have)
		spare = kzalloc(sizeof(*spare));
	spin_lock(&nproc_lock);
	u32 n = nproc_add_locked(uid, 1, &spare);

	if (!n) {
		err = -ENOMEM;
	} else if (!exempt && limit != RLIM_INFINITY && n > limit) {
		nproc_add_locked(uid, -1, NULL);
		err = -EAGAIN;
	} else {
		child->nproc_uid = uid;
		child->nproc_charged = true;
	}
	spin_unlock(&nproc_lock);
	kfree(spare);
	return err;
}

/* rlimit_nproc_uncharge - see include/task.h. */
void rlimit_nproc_uncharge(struct process *p)
{
	if (!p->nproc_charged)
		return;
	spin_lock(&nproc_lock);
	nproc_add_locked(p->nproc_uid, -1, NULL);
	p->nproc_charged = false;
	spin_unlock(&nproc_lock);
}

/* rlimit_nproc_move - see include/task.h. */
void rlimit_nproc_move(struct process *p, uid_t uid)
{
	struct nproc_user *spare = kzalloc(sizeof(*spare));

	spin_lock(&nproc_lock);
	if (p->nproc_charged && p->nproc_uid != uid) {
		/* Out of memory for the new user's entry: stay counted where
		 * we are rather than vanish from the counts. */
		if (nproc_add_locked(uid, 1, &spare)) {
			nproc_add_locked(p->nproc_uid, -1, NULL);
			p->nproc_uid = uid;
		}
	}
	spin_unlock(&nproc_lock);
	kfree(spare);
}

/* rlimit_fork_check - see include/task.h. */
int rlimit_fork_check(void)
{
	struct process *self = current->proc;
	u64 limit = rlimit_cur(RLIMIT_NPROC);
	u32 count = 0;

	if (!self || self->euid == 0 || self->uid == 0 || limit == RLIM_INFINITY)
		return 0;
	spin_lock(&nproc_lock);
	struct nproc_user *u = *nproc_slot(self->uid);

	if (u)
		count = u->count;
	spin_unlock(&nproc_lock);
	return count >= limit ? -EAGAIN : 0;
}

/*
 * sys_prlimit64 - prlimit64(2): read and/or set @resource of process @pid
 * (0: the caller). Returns 0, -EINVAL (bad resource, soft > hard, NOFILE
 * above nr_open), -EPERM (raising a hard limit unprivileged, or another
 * user's process), -ESRCH or -EFAULT. Takes tasklist_lock, process->lock.
 */
long sys_prlimit64(pid_t pid, int resource, const struct linux_rlimit __user *unew,
		   struct linux_rlimit __user *uold)
{
	struct process *self = current->proc;
	struct linux_rlimit new, old;
	long ret = 0;

	if (resource < 0 || resource >= RLIMIT_NLIMITS)
		return -EINVAL;
	if (unew) {
		if (copy_from_user(&new, unew, sizeof(new)))
			return -EFAULT;
		if (new.rlim_cur > new.rlim_max)
			return -EINVAL;
		if (resource == RLIMIT_NOFILE && new.rlim_max > nr_open_get())
			return -EPERM;
	}
	spin_lock(&tasklist_lock);
	struct process *p = pid ? process_find(pid) : self;

	if (!p || p->state != PROC_ALIVE) {
		spin_unlock(&tasklist_lock);
		return -ESRCH;
	}
	if (p != self && self->euid != 0 &&
	    (self->uid != p->uid || self->uid != p->euid || self->uid != p->suid ||
	     self->gid != p->gid || self->gid != p->egid || self->gid != p->sgid)) {
		spin_unlock(&tasklist_lock);
		return -EPERM;
	}
	spin_lock(&p->lock);
	old.rlim_cur = p->rlim[resource].cur;
	old.rlim_max = p->rlim[resource].max;
	if (unew) {
		if (new.rlim_max > old.rlim_max && self->euid != 0) {
			ret = -EPERM;
		} else {
			p->rlim[resource].cur = new.rlim_cur;
			p->rlim[resource].max = new.rlim_max;
			if (resource == RLIMIT_CPU)
				p->xcpu_next_ticks = 0;
		}
	}
	spin_unlock(&p->lock);
	spin_unlock(&tasklist_lock);
	if (!ret && uold && copy_to_user(uold, &old, sizeof(old)))
		return -EFAULT;
	return ret;
}

/* sys_getrlimit - getrlimit(2). 0, -EINVAL or -EFAULT. */
long sys_getrlimit(int resource, struct linux_rlimit __user *old)
{
	return sys_prlimit64(0, resource, NULL, old);
}

/* sys_setrlimit - setrlimit(2). 0, -EINVAL, -EPERM or -EFAULT. */
long sys_setrlimit(int resource, const struct linux_rlimit __user *new)
{
	return sys_prlimit64(0, resource, new, NULL);
}
