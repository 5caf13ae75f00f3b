/*
 * The out-of-memory killer. When a page fault finds no free page (and
 * reclaim found nothing to give back), one process is killed so that the
 * others can go on, as Linux's OOM killer does:
 *
 *   - the victim is the process with the highest badness: its resident
 *     pages, swap entries and page-table pages, plus oom_score_adj
 *     thousandths of all memory (RAM + swap); init, kernel threads, zombies
 *     and processes whose oom_score_adj is -1000 are never chosen;
 *   - it gets SIGKILL (its parent sees WIFSIGNALED, signal 9) and the kernel
 *     log a line in Linux's format ("Out of memory: Killed process ...");
 *   - the faulting task then waits until the victim has let its memory go
 *     and retries its fault; while a victim is still dying, no second one is
 *     chosen (it would die for nothing).
 *
 * A fault that cannot get memory therefore never becomes SIGSEGV.
 *
 * Locks: oom_lock (a mutex) makes one selection at a time and guards
 * oom_victim. Candidates are gathered under tasklist_lock and each
 * process->lock (references taken), then measured with their mm lock taken
 * by mutex_trylock() only: the faulting task may hold locks (an inode's,
 * through a copy from user memory) that a victim holding its mm lock waits
 * for. A candidate whose lock is busy is measured by its counters alone,
 * read without the lock (whole words, a snapshot).
 */
#include "kernel.h"
#include "mm.h"
#include "page.h"
#include "task.h"
#include "cpu.h"
#include "sched.h"
#include "mutex.h"
#include "uapi/errno.h"
#include "uapi/signal.h"
#include "trace.h"

#define OOM_CANDIDATES	256	/* processes measured per selection: the largest */
#define OOM_WAIT_NS	(10 * 1000 * 1000ULL)	/* one wait for a victim to die */
#define OOM_VICTIM_GRACE_NS	(2000 * 1000 * 1000ULL)	/* then another may be chosen */

struct oom_cand {
	struct process *p;	/* referenced */
	struct mm *mm;		/* referenced */
	short adj;
	u64 rough;		/* rss + swap, read without the lock */
};

static struct mutex oom_lock = MUTEX_INIT(oom_lock, "oom");
static struct oom_cand cands[OOM_CANDIDATES];	/* [oom_lock] */
static struct process *oom_victim;		/* [oom_lock] referenced, or NULL */
static u64 oom_victim_since_ns;			/* [oom_lock] */

/* oom_total_pages - see include/mm.h: the scale of the scores (RAM; swap
 * pages join it once swap areas exist). */
u64 oom_total_pages(void)
{
	return page_total_count();
}

/* The first thread's address space of @p, referenced, or NULL (a kernel
 * thread, or exiting). Caller holds p->lock. */
static struct mm *process_mm(struct process *p)
{
	struct task *t;

	list_for_each_entry(t, &p->threads, thread_link) {
		if (t->mm) {
			mm_get(t->mm);
			return t->mm;
		}
	}
	return NULL;
}

/* mm_oom_usage - see include/mm.h. */
void mm_oom_usage(struct mm *mm, bool locked, struct oom_usage *u)
{
	u->anon = __atomic_load_n(&mm->rss_anon, __ATOMIC_RELAXED);
	u->shmem = __atomic_load_n(&mm->rss_shmem, __ATOMIC_RELAXED);
	u->rss = __atomic_load_n(&mm->rss_pages, __ATOMIC_RELAXED);
	u->file = u->rss >= u->anon + u->shmem ? u->rss - u->anon - u->shmem : 0;
	u->swap = __atomic_load_n(&mm->swap_ents, __ATOMIC_RELAXED);
	u->pt_pages = locked ? arch_pt_count_user(mm->pt_root) : 0;
	u->total_vm = locked ? mm_total_vm(mm) / PAGE_SIZE : 0;
}

/* oom_badness_of - see include/mm.h (Linux's oom_badness()). */
long oom_badness_of(const struct oom_usage *u, int adj, u64 total_pages)
{
	if (adj <= OOM_SCORE_ADJ_MIN)
		return OOM_UNKILLABLE;
	return (long)(u->rss + u->swap + u->pt_pages) + (long)adj * (long)total_pages / 1000;
}

/* Can @p be chosen at all? Caller holds tasklist_lock. */
static bool oom_eligible(struct process *p)
{
	return p->state == PROC_ALIVE && p != init_process;
}

/* Gather the candidates (references taken); how many. Caller holds oom_lock. */
static int gather(void)
{
	int n = 0;

	spin_lock(&tasklist_lock);
	for (pid_t pid = pid_next_in_use(1); pid > 0; pid = pid_next_in_use(pid + 1)) {
		struct process *p = process_find(pid);
		struct mm *mm;
		short adj;

		if (!p || !oom_eligible(p))
			continue;
		spin_lock(&p->lock);
		adj = p->oom_score_adj;
		mm = adj > OOM_SCORE_ADJ_MIN ? process_mm(p) : NULL;
		spin_unlock(&p->lock);
		if (!mm)
			continue;
		u64 rough = __atomic_load_n(&mm->rss_pages, __ATOMIC_RELAXED) +
			    __atomic_load_n(&mm->swap_ents, __ATOMIC_RELAXED);
		int slot = n;

		if (n == OOM_CANDIDATES) {
			/* Full: the new one displaces the smallest, if larger. */
			slot = 0;
			for (int i = 1; i < n; i++)
				if (cands[i].rough < cands[slot].rough)
					slot = i;
			if (cands[slot].rough >= rough) {
				mm_put(mm);	/* not the last reference: the task has one */
				continue;
			}
			process_put(cands[slot].p);
			mm_put(cands[slot].mm);
		} else {
			n++;
		}
		process_get(p);
		cands[slot] = (struct oom_cand){ .p = p, .mm = mm, .adj = adj, .rough = rough };
	}
	spin_unlock(&tasklist_lock);
	return n;
}

/* Log and kill @c's process (the victim). Caller holds oom_lock. */
static void kill_victim(struct oom_cand *c)
{
	struct oom_usage u;
	bool locked = mutex_trylock(&c->mm->lock);
	char comm[TASK_COMM_LEN];
	uid_t uid;

	mm_oom_usage(c->mm, locked, &u);
	if (locked)
		mutex_unlock(&c->mm->lock);
	spin_lock(&c->p->lock);
	memcpy(comm, c->p->comm, TASK_COMM_LEN);
	if (!list_empty(&c->p->threads))
		memcpy(comm, list_entry(c->p->threads.next, struct task, thread_link)->comm,
		       TASK_COMM_LEN);
	comm[TASK_COMM_LEN - 1] = '\0';
	uid = c->p->uid;
	spin_unlock(&c->p->lock);
	printk("Out of memory: Killed process %d (%s) total-vm:%lukB, anon-rss:%lukB, "
	       "file-rss:%lukB, shmem-rss:%lukB, UID:%u pgtables:%lukB oom_score_adj:%d\n",
	       c->p->pid, comm, (unsigned long)u.total_vm * (PAGE_SIZE / 1024),
	       (unsigned long)u.anon * (PAGE_SIZE / 1024),
	       (unsigned long)u.file * (PAGE_SIZE / 1024),
	       (unsigned long)u.shmem * (PAGE_SIZE / 1024), (unsigned)uid,
	       (unsigned long)u.pt_pages * (PAGE_SIZE / 1024), (int)c->adj);
	trace_oom_kill(0, (u.anon + u.file + u.shmem) * (PAGE_SIZE / 1024));
	spin_lock(&tasklist_lock);
	if (c->p->state == PROC_ALIVE)
		send_signal_process(c->p, SIGKILL);
	spin_unlock(&tasklist_lock);
	vm_event_inc(VM_OOM_KILL);
}

/* Is the last victim still alive and within its grace time? Caller holds oom_lock. */
static bool victim_pending(void)
{
	if (!oom_victim)
		return false;
	if (__atomic_load_n(&oom_victim->state, __ATOMIC_ACQUIRE) == PROC_ALIVE &&
	    arch_clock_ns() - oom_victim_since_ns < OOM_VICTIM_GRACE_NS)
		return true;
	process_put(oom_victim);
	oom_victim = NULL;
	return false;
}

/* mm_out_of_memory - see include/mm.h. */
int mm_out_of_memory(void)
{
	u64 total = oom_total_pages();
	int ret = OOM_NO_VICTIM, n, best = -1;
	long best_points = OOM_UNKILLABLE;

	if (fatal_signal_pending())
		return OOM_KILLED_SELF;
	mutex_lock(&oom_lock);
	if (victim_pending()) {
		ret = OOM_WAIT;
		goto out;
	}
	n = gather();
	for (int i = 0; i < n; i++) {
		struct oom_usage u;
		bool locked = mutex_trylock(&cands[i].mm->lock);
		long points;

		mm_oom_usage(cands[i].mm, locked, &u);
		if (locked)
			mutex_unlock(&cands[i].mm->lock);
		points = oom_badness_of(&u, cands[i].adj, total);
		/* As Linux: a later candidate with equal points wins. */
		if (points != OOM_UNKILLABLE && points >= best_points) {
			best = i;
			best_points = points;
		}
	}
	if (best >= 0) {
		kill_victim(&cands[best]);
		if (cands[best].p == current->proc) {
			ret = OOM_KILLED_SELF;
		} else {
			process_get(cands[best].p);
			oom_victim = cands[best].p;
			oom_victim_since_ns = arch_clock_ns();
			ret = OOM_WAIT;
		}
	} else {
		printk("Out of memory and no killable processes (pid %d waits)\n",
		       current->proc->pid);
	}
	for (int i = 0; i < n; i++) {
		process_put(cands[i].p);
		mm_put(cands[i].mm);
	}
out:
	mutex_unlock(&oom_lock);
	/* Give the victim (or anyone freeing memory) time to run. */
	if (ret != OOM_KILLED_SELF)
		sleep_ns(OOM_WAIT_NS, NULL);
	return fatal_signal_pending() ? OOM_KILLED_SELF : ret;
}

/* The process @pid, referenced, if it is alive; NULL otherwise. */
static struct process *find_alive(pid_t pid)
{
	struct process *p;

	spin_lock(&tasklist_lock);
	p = process_find(pid);
	if (p && p->state == PROC_ALIVE)
		process_get(p);
	else
		p = NULL;
	spin_unlock(&tasklist_lock);
	return p;
}

/* oom_score_of - see include/mm.h (Linux's proc_oom_score()). */
int oom_score_of(pid_t pid, unsigned long *score)
{
	struct process *p = find_alive(pid);
	struct mm *mm = NULL;
	u64 total = oom_total_pages();
	short adj = 0;
	bool eligible;

	if (!p)
		return -ESRCH;
	spin_lock(&tasklist_lock);
	eligible = oom_eligible(p);
	spin_unlock(&tasklist_lock);
	spin_lock(&p->lock);
	adj = p->oom_score_adj;
	if (eligible)
		mm = process_mm(p);
	spin_unlock(&p->lock);
	*score = 0;
	if (mm) {
		struct oom_usage u;
		long points;

		mutex_lock(&mm->lock);
		mm_oom_usage(mm, true, &u);
		mutex_unlock(&mm->lock);
		mm_put(mm);
		points = oom_badness_of(&u, adj, total);
		if (points != OOM_UNKILLABLE && total)
			*score = (unsigned long)MAX(0L, 1000 + points * 1000 / (long)total);
	}
	process_put(p);
	return 0;
}

/* oom_score_adj_get - see include/mm.h. A zombie keeps its value. */
int oom_score_adj_get(pid_t pid, int *adj)
{
	struct process *p;

	spin_lock(&tasklist_lock);
	p = process_find(pid);
	if (p && p->state != PROC_DEAD)
		process_get(p);
	else
		p = NULL;
	spin_unlock(&tasklist_lock);
	if (!p)
		return -ESRCH;
	spin_lock(&p->lock);
	*adj = p->oom_score_adj;
	spin_unlock(&p->lock);
	process_put(p);
	return 0;
}

/* oom_score_adj_set - see include/mm.h (Linux's __set_oom_adj()). */
int oom_score_adj_set(pid_t pid, long adj)
{
	struct process *p;
	bool privileged = current->proc->euid == 0;	/* CAP_SYS_RESOURCE */
	int err = 0;

	if (adj < OOM_SCORE_ADJ_MIN || adj > OOM_SCORE_ADJ_MAX)
		return -EINVAL;
	p = find_alive(pid);
	if (!p)
		return -ESRCH;
	spin_lock(&p->lock);
	if (adj < p->oom_score_adj_min && !privileged) {
		err = -EACCES;
	} else {
		p->oom_score_adj = (short)adj;
		if (privileged)
			p->oom_score_adj_min = (short)adj;
	}
	spin_unlock(&p->lock);
	process_put(p);
	return err;
}
