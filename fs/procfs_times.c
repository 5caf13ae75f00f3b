/*
 * Times set on /proc files. A procfs inode is made anew by every lookup, so
 * the access and modification times utimensat(2) gives one (Linux keeps
 * them in its cached proc inode, and stat(2) reports them until the inode
 * is evicted) are remembered here, keyed by the node's inode number and, for
 * a process's node, the process's start time (so a reused pid starts
 * afresh). At most PROC_TIMES_MAX are kept, the least recently set going
 * first: Linux's proc inodes are evicted too, and no user may fill kernel
 * memory with times.
 *
 * Locks: proc_times_lock (a spinlock, a leaf); tasklist_lock and
 * process->lock are taken before it, never inside it.
 */
#include "internal.h"
#include "procfs.h"
#include "kmalloc.h"
#include "task.h"

#define PROC_TIMES_MAX	1024

struct proc_times {
	struct list_head link;		/* [proc_times_lock] most recently set first */
	u64 ino;			/* the node's inode number */
	u64 birth;			/* its process's start_ns; 0 for other nodes */
	struct fs_time atime, mtime, ctime;
};

static struct spinlock proc_times_lock = SPINLOCK_INIT("proc_times");
static struct list_head proc_times = LIST_HEAD_INIT(proc_times);	/* [proc_times_lock] */
static u32 nr_proc_times;						/* [proc_times_lock] */

/* The start time of the process @ino is a node of (0 for other nodes), or
 * -ESRCH when it is gone. */
static int birth_of(struct inode *ino, u64 *birth)
{
	pid_t pid = PN_PID(ino->priv);
	struct process *p;
	int err = 0;

	*birth = 0;
	if (pid <= 0)
		return 0;
	spin_lock(&tasklist_lock);
	p = process_find(pid);
	if (p && p->state != PROC_DEAD)
		*birth = p->start_ns;
	else
		err = -ESRCH;
	spin_unlock(&tasklist_lock);
	return err;
}

static struct proc_times *find_locked(u64 ino, u64 birth)
{
	struct proc_times *t;

	list_for_each_entry(t, &proc_times, link)
		if (t->ino == ino && t->birth == birth)
			return t;
	return NULL;
}

/*
 * procfs_times_set - remember the times now in procfs inode @ino (just set
 * by utimensat(2)) for the node's later inodes. 0, -ENOENT (the process is
 * gone) or -ENOMEM. Takes ino's lock, then proc_times_lock. May sleep.
 */
int procfs_times_set(struct inode *ino)
{
	struct proc_times *t, *fresh = kzalloc(sizeof(*fresh)), *old = NULL;
	u64 birth;

	if (!fresh)
		return -ENOMEM;
	if (birth_of(ino, &birth)) {
		kfree(fresh);
		return -ENOENT;
	}
	fresh->ino = ino->ino;
	fresh->birth = birth;
	mutex_lock(&ino->lock);
	fresh->atime = ino->atime;
	fresh->mtime = ino->mtime;
	fresh->ctime = ino->ctime;
	mutex_unlock(&ino->lock);
	spin_lock(&proc_times_lock);
	t = find_locked(fresh->ino, birth);
	if (t) {
		list_del(&t->link);
		old = t;
	} else if (nr_proc_times == PROC_TIMES_MAX) {
		old = list_entry(proc_times.prev, struct proc_times, link);
		list_del(&old->link);
	} else {
		nr_proc_times++;
	}
	list_add(&fresh->link, &proc_times);
	spin_unlock(&proc_times_lock);
	kfree(old);
	return 0;
}

/*
 * procfs_times_apply - give the new procfs inode @ino the times last set on
 * its node, if any. Takes proc_times_lock; @ino is not yet visible to
 * anyone else. Sleeps: no.
 */
void procfs_times_apply(struct inode *ino)
{
	struct proc_times *t;
	u64 birth;

	if (birth_of(ino, &birth))
		return;
	spin_lock(&proc_times_lock);
	t = find_locked(ino->ino, birth);
	if (t) {
		ino->atime = t->atime;
		ino->mtime = t->mtime;
		ino->ctime = t->ctime;
	}
	spin_unlock(&proc_times_lock);
}
