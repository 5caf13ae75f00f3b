/*
 * System V semaphores: semget(2), semop(2), semtimedop(2), semctl(2), with
 * SEM_UNDO adjustments applied when the process exits.
 *
 * A semop applies its whole array of operations or none of them (svipc(7)):
 * it is tried on the current values; if one operation would block, nothing
 * changes and the caller sleeps (counted in semncnt or semzcnt of that
 * semaphore) until the set's change counter moves, its timeout passes, a
 * signal arrives or the set is removed (EIDRM).
 *
 * Undo: each process keeps, per set it used with SEM_UNDO, the sum of the
 * negated operations; exit adds them back (values clamped at 0 as Linux
 * does). fork does not inherit them; execve keeps them. Processes created
 * with clone(CLONE_SYSVSEM) share one undo list with their creator
 * (clone(2)), and the adjustments are applied when the last of them exits.
 *
 * Locks: sem_ids.lock [r] guards every set field, every undo list's
 * entries and the setting of process->sem_undo; a list's refcount is atomic.
 */
#include "ipc.h"
#include "cpu.h"
#include "kmalloc.h"
#include "sched.h"
#include "task.h"
#include "uaccess.h"
#include "uapi/stat.h"

struct sem {
	int val;			/* [r] 0..SEMVMX */
	pid_t pid;			/* [r] last process to operate */
	u32 ncnt, zcnt;			/* [r] sleepers waiting for increase / zero */
};

struct sem_set {
	struct ipc_obj obj;
	u32 nsems;			/* [I] */
	s64 otime, ctime;		/* [r] */
	u32 seq;			/* [r] writes; [a] reads */
	struct wait_queue wait;
	struct sem sems[];		/* [r] */
};

/* One set's adjustments (in an undo list). */
struct sem_undo {
	struct sem_undo *next;		/* [r] */
	int semid;			/* [r] */
	u32 nsems;			/* [r] */
	s32 adj[];			/* [r] added to each semaphore at exit */
};

/* The undo list of a process, or of processes sharing it (CLONE_SYSVSEM). */
struct sem_undo_list {
	u32 refcount;			/* [a] processes using it */
	struct sem_undo *head;		/* [r] */
};

static struct ipc_ids sem_ids = {
	.lock = MUTEX_INIT(sem_ids.lock, "sem_ids"),
	.max = &ipc_sem[3],
};
static u64 sem_used;	/* [r] semaphores in all live sets (SEMMNS) */

static struct sem_set *set_of(struct ipc_obj *o)
{
	return container_of(o, struct sem_set, obj);
}

static void set_free(struct ipc_obj *o)
{
	kfree(set_of(o));
}

static pid_t cur_pid(void)
{
	return current->proc ? current->proc->pid : 0;
}

static void set_changed(struct sem_set *s)
{
	__atomic_add_fetch(&s->seq, 1, __ATOMIC_RELEASE);
	wake_up(&s->wait);
}

/*
 * semget - semget(2): the set of @key (IPC_PRIVATE: a new one) of @nsems
 * semaphores (all 0), created with IPC_CREAT and permission bits of @flg.
 * Returns its id, or -EINVAL (@nsems out of range or over the set's),
 * -EEXIST, -ENOENT, -EACCES, -ENOSPC, -ENOMEM. May sleep.
 */
long sys_semget(s32 key, int nsems, int flg)
{
	struct ipc_obj *o = NULL;
	struct sem_set *s;
	long r;

	if (nsems < 0 || nsems > __atomic_load_n(&ipc_sem[0], __ATOMIC_RELAXED))
		return -EINVAL;
	mutex_lock(&sem_ids.lock);
	r = ipc_get_common(&sem_ids, key, flg, &o);
	if (r == 0) {
		r = (u32)nsems > set_of(o)->nsems ? -EINVAL : o->id;
		goto out;
	}
	if (r < 0)
		goto out;
	if (!nsems) {
		r = -EINVAL;
		goto out;
	}
	if (sem_used + (u64)nsems > (u64)__atomic_load_n(&ipc_sem[1], __ATOMIC_RELAXED)) {
		r = -ENOSPC;	/* semget(2): SEMMNS would be exceeded */
		goto out;
	}
	s = kzalloc(sizeof(*s) + (u64)nsems * sizeof(s->sems[0]));
	if (!s) {
		r = -ENOMEM;
		goto out;
	}
	s->nsems = (u32)nsems;
	s->ctime = ipc_now();
	wait_queue_init(&s->wait, "sem_set");
	s->obj.free = set_free;
	r = ipc_add(&sem_ids, &s->obj, key, (u32)flg);
	if (r) {
		kfree(s);
		goto out;
	}
	sem_used += s->nsems;
	r = s->obj.id;
out:
	mutex_unlock(&sem_ids.lock);
	return r;
}

/* @p's undo list, made on first use; NULL: ENOMEM. [r] held. */
static struct sem_undo_list *undo_list(struct process *p)
{
	if (!p->sem_undo) {
		p->sem_undo = kzalloc(sizeof(*p->sem_undo));
		if (p->sem_undo)
			p->sem_undo->refcount = 1;
	}
	return p->sem_undo;
}

/* current's undo record for set @s, created on first use; NULL: ENOMEM. [r] held. */
static struct sem_undo *undo_find(struct sem_set *s)
{
	struct sem_undo_list *l = undo_list(current->proc);
	struct sem_undo *u;

	if (!l)
		return NULL;
	for (u = l->head; u; u = u->next)
		if (u->semid == s->obj.id)
			return u;
	u = kzalloc(sizeof(*u) + s->nsems * sizeof(u->adj[0]));
	if (!u)
		return NULL;
	u->semid = s->obj.id;
	u->nsems = s->nsems;
	u->next = l->head;
	l->head = u;
	return u;
}

/* sem_undo_prepare_share - see include/ipc.h. */
int sem_undo_prepare_share(struct process *p)
{
	mutex_lock(&sem_ids.lock);
	struct sem_undo_list *l = undo_list(p);

	mutex_unlock(&sem_ids.lock);
	return l ? 0 : -ENOMEM;
}

/* sem_undo_share - see include/ipc.h. */
void sem_undo_share(struct process *child, struct process *parent)
{
	struct sem_undo_list *l = parent->sem_undo;

	KASSERT(l);
	__atomic_add_fetch(&l->refcount, 1, __ATOMIC_RELAXED);
	child->sem_undo = l;
}

/*
 * Try @ops on @s as one unit, with @vals (@nops ints) as scratch space.
 * Returns 0 (applied), -EAGAIN with the index of the blocking operation in
 * *@blocker, or -ERANGE / -ENOMEM. [r] held.
 */
static int sem_try(struct sem_set *s, const struct linux_sembuf *ops, u32 nops, int *vals,
		   u32 *blocker)
{
	struct sem_undo *u = NULL;
	u32 i;

	for (i = 0; i < nops; i++) {
		int v = s->sems[ops[i].sem_num].val;

		/* Earlier operations of this call on the same semaphore count. */
		for (u32 j = 0; j < i; j++)
			if (ops[j].sem_num == ops[i].sem_num)
				v = vals[j];
		if (ops[i].sem_op == 0 && v != 0)
			goto blocked;
		if (ops[i].sem_op < 0 && v + ops[i].sem_op < 0)
			goto blocked;
		if (v + ops[i].sem_op > LINUX_SEMVMX)
			return -ERANGE;
		vals[i] = v + ops[i].sem_op;
		if ((ops[i].sem_flg & LINUX_SEM_UNDO) && !u && !(u = undo_find(s)))
			return -ENOMEM;
	}
	/* Point of no return: every operation fits. */
	for (i = 0; i < nops; i++) {
		struct sem *sm = &s->sems[ops[i].sem_num];

		sm->val = vals[i];
		sm->pid = cur_pid();
		if (ops[i].sem_flg & LINUX_SEM_UNDO)
			u->adj[ops[i].sem_num] -= ops[i].sem_op;
	}
	s->otime = ipc_now();
	set_changed(s);
	return 0;
blocked:
	*blocker = i;
	return -EAGAIN;
}

/* The common body of semop and semtimedop; @deadline_ns 0 waits forever. */
static long do_semop(int id, const struct linux_sembuf __user *usops, u64 nsops, u64 deadline_ns,
		     bool no_wait_at_all)
{
	struct linux_sembuf *ops;
	bool alter = false;
	int *vals;
	struct ipc_obj *o;
	struct sem_set *s;
	u32 blocker;
	long r;

	if (nsops < 1 || id < 0)
		return -EINVAL;
	if (nsops > (u64)__atomic_load_n(&ipc_sem[2], __ATOMIC_RELAXED))
		return -E2BIG;	/* over SEMOPM */
	/* On the heap: 500 operations would take 3 KiB of the kernel stack. */
	ops = kmalloc(nsops * (sizeof(ops[0]) + sizeof(*vals)));
	if (!ops)
		return -ENOMEM;
	vals = (int *)(ops + nsops);
	if (copy_from_user(ops, usops, nsops * sizeof(ops[0]))) {
		r = -EFAULT;
		goto out_free;
	}
	for (u64 i = 0; i < nsops; i++)
		alter |= ops[i].sem_op != 0;
	mutex_lock(&sem_ids.lock);
	o = ipc_find_id(&sem_ids, id);
	r = o ? 0 : -EINVAL;
	for (u64 i = 0; !r && i < nsops; i++)
		if (ops[i].sem_num >= set_of(o)->nsems)
			r = -EFBIG;
	if (!r && !ipc_permitted(o, alter ? 6 : 4))
		r = -EACCES;
	if (r) {
		mutex_unlock(&sem_ids.lock);
		goto out_free;
	}
	s = set_of(o);
	ipc_obj_get(o);
	for (;;) {
		if (o->removed) {
			r = -EIDRM;
			break;
		}
		r = sem_try(s, ops, (u32)nsops, vals, &blocker);
		if (r != -EAGAIN)
			break;
		if ((ops[blocker].sem_flg & LINUX_IPC_NOWAIT) || no_wait_at_all)
			break;
		struct sem *sm = &s->sems[ops[blocker].sem_num];
		bool zero = ops[blocker].sem_op == 0;
		u32 snap = s->seq;

		if (zero)
			sm->zcnt++;
		else
			sm->ncnt++;
		mutex_unlock(&sem_ids.lock);
		r = wait_event_interruptible_deadline(&s->wait,
			__atomic_load_n(&s->seq, __ATOMIC_ACQUIRE) != snap, deadline_ns);
		mutex_lock(&sem_ids.lock);
		if (zero)
			sm->zcnt--;
		else
			sm->ncnt--;
		if (r == -ETIMEDOUT) {
			r = -EAGAIN;	/* semtimedop(2): the timeout expired */
			break;
		}
		if (r)
			break;
	}
	mutex_unlock(&sem_ids.lock);
	ipc_obj_put(o);
out_free:
	kfree(ops);
	return r;
}

/*
 * semop - semop(2): apply the @nsops operations at user @sops to set @id
 * atomically, waiting while one would block unless its IPC_NOWAIT is set.
 * Returns 0, or -EINVAL, -E2BIG (over SEMOPM), -EFBIG (sem_num out of
 * range), -EACCES, -EAGAIN, -ERANGE (over SEMVMX), -EIDRM, -EFAULT,
 * -ERESTARTSYS, -ENOMEM. May sleep.
 */
long sys_semop(int id, const struct linux_sembuf __user *sops, u64 nsops)
{
	return do_semop(id, sops, nsops, 0, false);
}

/*
 * semtimedop - semtimedop(2): semop() giving up after the relative timespec
 * @uts (NULL: never) with -EAGAIN; -EINVAL for a bad timespec. May sleep.
 */
long sys_semtimedop(int id, const struct linux_sembuf __user *sops, u64 nsops,
		    const struct linux_timespec __user *uts)
{
	struct linux_timespec ts;
	u64 ns;

	if (!uts)
		return do_semop(id, sops, nsops, 0, false);
	if (copy_from_user(&ts, uts, sizeof(ts)))
		return -EFAULT;
	if (ts.tv_sec < 0 || ts.tv_nsec < 0 || ts.tv_nsec >= 1000000000L)
		return -EINVAL;
	ns = (u64)ts.tv_sec * 1000000000UL + (u64)ts.tv_nsec;
	if (!ns)
		return do_semop(id, sops, nsops, 0, true);
	return do_semop(id, sops, nsops, arch_clock_ns() + ns, false);
}

static void set_fill_stat(struct sem_set *s, struct linux_semid64_ds *ds)
{
	memset(ds, 0, sizeof(*ds));
	ipc_fill_perm(&s->obj, &ds->sem_perm);
	ds->sem_otime = s->otime;
	ds->sem_ctime = s->ctime;
	ds->sem_nsems = s->nsems;
}

/* semctl commands on one semaphore; [r] held. */
static long semctl_one(struct sem_set *s, u32 num, int cmd, u64 arg)
{
	struct sem *sm;

	if (num >= s->nsems)
		return -EINVAL;
	sm = &s->sems[num];
	switch (cmd) {
	case LINUX_GETVAL:
		return sm->val;
	case LINUX_GETPID:
		return sm->pid;
	case LINUX_GETNCNT:
		return sm->ncnt;
	case LINUX_GETZCNT:
		return sm->zcnt;
	case LINUX_SETVAL:
		if ((int)arg < 0 || (int)arg > LINUX_SEMVMX)
			return -ERANGE;
		sm->val = (int)arg;
		sm->pid = cur_pid();
		s->ctime = ipc_now();
		set_changed(s);
		return 0;
	}
	return -EINVAL;
}

/* IPC_INFO (the limits) and SEM_INFO (with sets and semaphores in use)
 * into the struct seminfo at user @arg; the highest index in use. */
static long semctl_info(int cmd, u64 arg)
{
	struct linux_seminfo si;
	long r;

	memset(&si, 0, sizeof(si));
	si.semmsl = __atomic_load_n(&ipc_sem[0], __ATOMIC_RELAXED);
	si.semmns = __atomic_load_n(&ipc_sem[1], __ATOMIC_RELAXED);
	si.semopm = __atomic_load_n(&ipc_sem[2], __ATOMIC_RELAXED);
	si.semmni = __atomic_load_n(&ipc_sem[3], __ATOMIC_RELAXED);
	si.semvmx = LINUX_SEMVMX;
	/* Linux's compile-time figures: SEMMNU, SEMMAP, SEMUME. */
	si.semmnu = LINUX_SEMMNS;
	si.semmap = LINUX_SEMMNS;
	si.semume = LINUX_SEMOPM;
	mutex_lock(&sem_ids.lock);
	if (cmd == LINUX_SEM_INFO) {
		si.semusz = (s32)sem_ids.in_use;
		si.semaem = (s32)MIN(sem_used, 0x7fffffffULL);
	} else {
		si.semusz = 20;			/* SEMUSZ */
		si.semaem = LINUX_SEMVMX;	/* SEMAEM */
	}
	r = ipc_max_index(&sem_ids);
	mutex_unlock(&sem_ids.lock);
	if (copy_to_user((void __user *)arg, &si, sizeof(si)))
		return -EFAULT;
	return r;
}

/*
 * semctl - semctl(2): GETVAL, SETVAL, GETPID, GETNCNT, GETZCNT of semaphore
 * @num; GETALL/SETALL through the user array of unsigned short at @arg;
 * IPC_STAT/IPC_SET through a semid_ds at @arg; IPC_RMID (sleepers get
 * EIDRM); IPC_INFO/SEM_INFO (a struct seminfo at @arg; returns the highest
 * index in use); SEM_STAT/SEM_STAT_ANY (IPC_STAT of the set at index @id,
 * returning its id; SEM_STAT_ANY without the read-permission check).
 * Returns the value asked for or 0, or, in semctl(2)'s order, -EINVAL
 * (negative id, no such id or index, bad command), then -EACCES or -EPERM,
 * -ERANGE, -EFAULT, -ENOMEM. May sleep.
 */
long sys_semctl(int id, int num, int cmd, u64 arg)
{
	struct linux_semid64_ds ds;
	u16 *vals = NULL;
	struct ipc_obj *o;
	struct sem_set *s;
	long r = 0;
	u32 n = 0;
	bool stat;

	if (id < 0)
		return -EINVAL;
	cmd = ipc_cmd(cmd);
	if (cmd == LINUX_IPC_INFO || cmd == LINUX_SEM_INFO)
		return semctl_info(cmd, arg);
	stat = cmd == LINUX_IPC_STAT || cmd == LINUX_SEM_STAT || cmd == LINUX_SEM_STAT_ANY;
	if (cmd == LINUX_IPC_SET && copy_from_user(&ds, (void __user *)arg, sizeof(ds)))
		return -EFAULT;
	mutex_lock(&sem_ids.lock);
	if (cmd == LINUX_SEM_STAT || cmd == LINUX_SEM_STAT_ANY)
		o = ipc_find_index(&sem_ids, id);
	else
		o = ipc_find_id(&sem_ids, id);
	if (!o) {
		r = -EINVAL;
		goto out;
	}
	s = set_of(o);
	n = s->nsems;
	switch (cmd) {
	case LINUX_GETVAL: case LINUX_GETPID: case LINUX_GETNCNT: case LINUX_GETZCNT:
		r = ipc_permitted(o, 4) ? semctl_one(s, (u32)num, cmd, arg) : -EACCES;
		break;
	case LINUX_SETVAL:
		r = ipc_permitted(o, 2) ? semctl_one(s, (u32)num, cmd, arg) : -EACCES;
		break;
	case LINUX_IPC_STAT:
	case LINUX_SEM_STAT:
	case LINUX_SEM_STAT_ANY:
		if (cmd != LINUX_SEM_STAT_ANY && !ipc_permitted(o, 4)) {
			r = -EACCES;
			break;
		}
		set_fill_stat(s, &ds);
		r = cmd == LINUX_IPC_STAT ? 0 : o->id;
		break;
	case LINUX_IPC_SET:
		if (!ipc_owner_or_root(o)) {
			r = -EPERM;
			break;
		}
		ipc_set_perm(o, &ds.sem_perm);
		s->ctime = ipc_now();
		break;
	case LINUX_IPC_RMID:
		if (!ipc_owner_or_root(o)) {
			r = -EPERM;
			break;
		}
		ipc_obj_get(o);
		ipc_remove(&sem_ids, o);
		sem_used -= s->nsems;
		set_changed(s);
		mutex_unlock(&sem_ids.lock);
		ipc_obj_put(o);
		return 0;
	case LINUX_GETALL:
	case LINUX_SETALL:
		if (!ipc_permitted(o, cmd == LINUX_GETALL ? 4 : 2)) {
			r = -EACCES;
			break;
		}
		vals = kmalloc(n * sizeof(*vals));
		if (!vals) {
			r = -ENOMEM;
			break;
		}
		if (cmd == LINUX_GETALL) {
			for (u32 i = 0; i < n; i++)
				vals[i] = (u16)s->sems[i].val;
			break;
		}
		/* The user array is read under the lock: a fault takes only mm->lock. */
		if (copy_from_user(vals, (void __user *)arg, n * sizeof(*vals))) {
			r = -EFAULT;
			break;
		}
		for (u32 i = 0; i < n; i++)
			if (vals[i] > LINUX_SEMVMX)
				r = -ERANGE;
		if (r)
			break;
		for (u32 i = 0; i < n; i++) {
			s->sems[i].val = vals[i];
			s->sems[i].pid = cur_pid();
		}
		s->ctime = ipc_now();
		set_changed(s);
		break;
	default:
		r = -EINVAL;
		break;
	}
out:
	mutex_unlock(&sem_ids.lock);
	if (r >= 0 && stat && copy_to_user((void __user *)arg, &ds, sizeof(ds)))
		r = -EFAULT;
	if (!r && cmd == LINUX_GETALL && copy_to_user((void __user *)arg, vals, n * sizeof(*vals)))
		r = -EFAULT;
	kfree(vals);
	return r;
}

/*
 * sem_exit_undo - @p's last thread is exiting: drop its undo list, and if
 * no other process shares it (CLONE_SYSVSEM), apply and free the SEM_UNDO
 * adjustments: each value moves by its adjustment, clamped to [0, SEMVMX];
 * sets removed meanwhile are skipped. Takes sem_ids.lock. May sleep.
 * svipc(7), semop(2) "SEM_UNDO", clone(2) CLONE_SYSVSEM.
 */
void sem_exit_undo(struct process *p)
{
	struct sem_undo_list *l;
	struct sem_undo *u, *next;

	mutex_lock(&sem_ids.lock);
	l = p->sem_undo;
	p->sem_undo = NULL;
	mutex_unlock(&sem_ids.lock);
	if (!l || __atomic_sub_fetch(&l->refcount, 1, __ATOMIC_ACQ_REL) != 0)
		return;
	u = l->head;	/* the last user: nobody else reaches the list */
	kfree(l);
	for (; u; u = next) {
		struct ipc_obj *o;

		next = u->next;
		mutex_lock(&sem_ids.lock);
		o = ipc_find_id(&sem_ids, u->semid);
		if (o) {
			struct sem_set *s = set_of(o);

			for (u32 i = 0; i < MIN(u->nsems, s->nsems); i++) {
				int v = s->sems[i].val + u->adj[i];

				if (!u->adj[i])
					continue;
				s->sems[i].val = v < 0 ? 0 : MIN(v, LINUX_SEMVMX);
				s->sems[i].pid = p->pid;
			}
			set_changed(s);
		}
		mutex_unlock(&sem_ids.lock);
		kfree(u);
	}
}
