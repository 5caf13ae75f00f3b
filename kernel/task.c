/*
 * Tasks and processes: allocation, the pid map and pid hash, reference
 * counts, and kernel threads.
 *
 * pids are handed out like Linux: increasing from the last one, wrapping to
 * 300 after pid_max - 1, never reusing a pid that a live process or a zombie
 * still holds (the pid is released only when the zombie is reaped).
 *
 * Locks: tasklist_lock guards the process tree (parent, children, sibling),
 * the pid map and the pid hash. It is a spinlock: nothing may sleep under it.
 */
#include "kernel.h"
#include "task.h"
#include "cpu.h"
#include "page.h"
#include "kmalloc.h"
#include "mm.h"
#include "fs.h"
#include "lib/idmap.h"
#include "uapi/errno.h"

#define PID_MAX_DEFAULT	32768
#define PID_MAX_LIMIT	4194304	/* Linux's bound for pid_max on 64-bit (4 Mi) */
#define PID_MAX_MIN	301	/* pid_max must leave room above the wrap point 300 */
#define PID_HASH_SIZE	4096	/* a short chain at every pid_max up to 32768 */
#define THREADS_MIN	20	/* Linux's floor for the computed threads-max */
#define THREADS_LIMIT	0x3fffffff	/* FUTEX_TID_MASK: the largest threads-max */
#define THREAD_SIZE	(16 * 1024)	/* bytes: the per-thread cost threads-max assumes */

struct spinlock tasklist_lock = SPINLOCK_INIT("tasklist");
struct process *init_process;

static u64 pid_bits[PID_MAX_LIMIT / 64];		/* [tasklist_lock] 512 KiB */
static struct idmap pid_map;				/* [tasklist_lock] */
static struct list_head pid_hash[PID_HASH_SIZE];	/* [tasklist_lock] */
static struct list_head tid_hash[PID_HASH_SIZE];	/* [tasklist_lock] threads by tid */
static u32 max_threads;					/* [tasklist_lock] threads-max */
static u64 total_forks;		/* [tasklist_lock] tasks created since boot (/proc/stat) */

/* The process of the idle tasks and kernel threads (pid 0). */
static struct process kernel_process;

/* pid_init - set up the pid map and hash. Called once at boot, after the
 * page allocator (threads-max is sized from memory as Linux sizes it). */
void pid_init(void)
{
	u64 threads = (u64)page_total_count() * PAGE_SIZE / (THREAD_SIZE * 8);

	idmap_init(&pid_map, pid_bits, PID_MAX_LIMIT, PID_MAX_DEFAULT, 1, 300);
	for (int i = 0; i < PID_HASH_SIZE; i++) {
		list_init(&pid_hash[i]);
		list_init(&tid_hash[i]);
	}
	max_threads = (u32)MIN(MAX(threads, (u64)THREADS_MIN), (u64)THREADS_LIMIT);
}

/*
 * pid_alloc - a fresh pid (or tid) below pid_max, or -EAGAIN when every one
 * is taken or threads-max threads exist (each thread and each zombie holds
 * one, like Linux's nr_threads; fork(2) EAGAIN). Takes tasklist_lock.
 */
pid_t pid_alloc(void)
{
	int pid = -EAGAIN;

	spin_lock(&tasklist_lock);
	if (pid_map.used < max_threads)
		pid = idmap_alloc(&pid_map);
	if (pid > 0)
		total_forks++;
	spin_unlock(&tasklist_lock);
	return pid;
}

/* pid_alloc_specific - see include/task.h. Takes tasklist_lock. */
pid_t pid_alloc_specific(pid_t pid)
{
	int r;

	if (pid <= 0 || pid >= (pid_t)pid_max_get())
		return -EINVAL;
	spin_lock(&tasklist_lock);
	if (pid_map.used >= max_threads) {
		r = -EAGAIN;
	} else {
		r = idmap_reserve(&pid_map, (u32)pid);
		if (!r) {
			r = pid;
			total_forks++;
		}
	}
	spin_unlock(&tasklist_lock);
	return r;
}

/* pid_alloc_count - see include/task.h. */
u64 pid_alloc_count(void)
{
	return __atomic_load_n(&total_forks, __ATOMIC_RELAXED);
}

/* pid_max_get - see include/task.h. */
long pid_max_get(void)
{
	return __atomic_load_n(&pid_map.max, __ATOMIC_RELAXED);
}

/* pid_max_set - see include/task.h. */
int pid_max_set(long max)
{
	int err;

	if (max < PID_MAX_MIN || max > PID_MAX_LIMIT)
		return -EINVAL;
	spin_lock(&tasklist_lock);
	err = idmap_set_max(&pid_map, (u32)max);
	spin_unlock(&tasklist_lock);
	return err;
}

/* threads_max_get - see include/task.h. */
long threads_max_get(void)
{
	return __atomic_load_n(&max_threads, __ATOMIC_RELAXED);
}

/* threads_max_set - see include/task.h. */
int threads_max_set(long max)
{
	if (max < 1 || max > THREADS_LIMIT)
		return -EINVAL;
	spin_lock(&tasklist_lock);
	max_threads = (u32)max;
	spin_unlock(&tasklist_lock);
	return 0;
}

/* pid_next_in_use - see include/task.h. */
pid_t pid_next_in_use(pid_t from)
{
	int id = idmap_next_used(&pid_map, (u32)MAX(from, 0));

	return id < 0 ? 0 : id;
}

/* pid_last - see include/task.h. */
pid_t pid_last(void)
{
	return (pid_t)__atomic_load_n(&pid_map.last, __ATOMIC_RELAXED);
}

/* pid_free - release @pid, and take the thread holding it as a tid off the
 * tid hash. Caller holds tasklist_lock. */
void pid_free_locked(pid_t pid)
{
	struct task *t;

	idmap_free(&pid_map, pid);
	list_for_each_entry(t, &tid_hash[pid % PID_HASH_SIZE], tid_link) {
		if (t->hashed_tid == pid) {
			list_del(&t->tid_link);
			t->hashed_tid = 0;
			break;
		}
	}
}

/* thread_hash_add - see include/task.h. */
void thread_hash_add(struct task *t)
{
	spin_lock(&tasklist_lock);
	t->hashed_tid = t->tid;
	list_add(&t->tid_link, &tid_hash[t->tid % PID_HASH_SIZE]);
	spin_unlock(&tasklist_lock);
}

/* thread_find - see include/task.h. */
struct task *thread_find(pid_t tid)
{
	struct task *t;

	if (tid <= 0)
		return NULL;
	list_for_each_entry(t, &tid_hash[tid % PID_HASH_SIZE], tid_link)
		if (t->hashed_tid == tid)
			return t;
	return NULL;
}

/* pid_in_use_count - pids allocated (processes and zombies). */
u32 pid_in_use_count(void)
{
	return pid_map.used;
}

/* process_hash_add/remove - the pid hash, and with it the process's group
 * and session (kernel/pgrp.c). Caller holds tasklist_lock. */
void process_hash_add(struct process *p)
{
	list_add(&p->hash_link, &pid_hash[p->pid % PID_HASH_SIZE]);
	pgrp_attach(p);
}

void process_hash_remove(struct process *p)
{
	list_del(&p->hash_link);
	pgrp_detach(p);
}

/* process_find - see include/task.h. */
struct process *process_find(pid_t pid)
{
	struct process *p;

	if (pid <= 0)
		return NULL;
	list_for_each_entry(p, &pid_hash[pid % PID_HASH_SIZE], hash_link) {
		if (p->pid == pid)
			return p;
	}
	return NULL;
}

/* task_alloc - a zeroed task with a kernel stack and refcount 1, or NULL. */
struct task *task_alloc(void)
{
	struct task *t = kzalloc(sizeof(*t));

	if (!t)
		return NULL;
	t->kstack = kvmalloc_order(KSTACK_ORDER);
	if (!t->kstack) {
		kfree(t);
		return NULL;
	}
	t->refcount = 1;
	t->state = TASK_RUNNING;
	t->cpus_allowed = ~0ULL;	/* every CPU until sched_fork() or sched_setaffinity(2) */
	list_init(&t->rq_link);
	list_init(&t->thread_link);
	list_init(&t->timer_link);
	list_init(&t->ptrace_link);
	wait_queue_init(&t->vfork_wq, "vfork");
	signal_task_init(t);
	t->start_ns = arch_clock_ns();
	return t;
}

void task_get(struct task *t)
{
	__atomic_add_fetch(&t->refcount, 1, __ATOMIC_RELAXED);
}

/* task_put - the last reference frees the kernel stack and the task. The
 * task must not be running (schedule() drops a dead task's reference only
 * after switching away from its stack). */
void task_put(struct task *t)
{
	if (__atomic_sub_fetch(&t->refcount, 1, __ATOMIC_ACQ_REL) != 0)
		return;
	signal_task_free(t);
	struct process *p = t->proc;

	kvfree_order(t->kstack, KSTACK_ORDER);
	kfree(t);
	/* Last: a reaper waits for this reference (sched_wait_tasks_gone())
	 * and expects the task's memory to be back by then. */
	if (p && p != &kernel_process) {
		__atomic_sub_fetch(&p->task_refs, 1, __ATOMIC_RELEASE);
		process_put(p);	/* the task's reference on its process */
	}
}

/* process_alloc - a zeroed process with its locks and lists, refcount 1. */
struct process *process_alloc(void)
{
	struct process *p = kzalloc(sizeof(*p));

	if (!p)
		return NULL;
	spin_init(&p->lock, "process");
	list_init(&p->children);
	list_init(&p->sibling);
	list_init(&p->hash_link);
	list_init(&p->threads);
	list_init(&p->ptraced);
	list_init(&p->ptrace_zombies);
	list_init(&p->ptrace_thread_exits);
	list_init(&p->ptrace_zombie_link);
	wait_queue_init(&p->child_exit, "child_exit");
	wait_queue_init(&p->thread_exit, "thread_exit");
	wait_queue_init(&p->exit_wq, "exit_wq");
	signal_process_init(p);
	p->refcount = 1;
	p->dumpable = true;
	p->start_ns = arch_clock_ns();
	return p;
}

void process_get(struct process *p)
{
	__atomic_add_fetch(&p->refcount, 1, __ATOMIC_RELAXED);
}

void process_get_task_ref(struct process *p)
{
	__atomic_add_fetch(&p->task_refs, 1, __ATOMIC_RELAXED);
	process_get(p);
}

void process_put(struct process *p)
{
	if (__atomic_sub_fetch(&p->refcount, 1, __ATOMIC_ACQ_REL) != 0)
		return;
	if (p->sighand)
		sighand_put(p->sighand);
	rlimit_nproc_uncharge(p);
	signal_process_free(p);
	kfree(p);
}

/* sighand_alloc/get/put - signal action tables (all SIG_DFL when new),
 * shared between processes by CLONE_SIGHAND. */
struct sighand *sighand_alloc(void)
{
	struct sighand *sh = kzalloc(sizeof(*sh));

	if (!sh)
		return NULL;
	sh->refcount = 1;
	spin_init(&sh->lock, "sighand");
	return sh;
}

void sighand_get(struct sighand *sh)
{
	__atomic_add_fetch(&sh->refcount, 1, __ATOMIC_RELAXED);
}

void sighand_put(struct sighand *sh)
{
	if (__atomic_sub_fetch(&sh->refcount, 1, __ATOMIC_ACQ_REL) == 0)
		kfree(sh);
}

/* task_set_comm - name @t after the last component of @path (exec, ps). */
void task_set_comm(struct task *t, const char *path)
{
	const char *base = strrchr(path, '/');

	strlcpy(t->comm, base ? base + 1 : path, TASK_COMM_LEN);
}

/*
 * idle_task_init - turn the code running on @c's boot stack into the idle
 * task "swapper/N" (pid 0) of the kernel process.
 */
void idle_task_init(struct cpu *c, void *boot_stack_base)
{
	static struct task idle_tasks[MAX_CPUS];
	struct task *t = &idle_tasks[c->id];

	if (c->id == 0) {
		spin_init(&kernel_process.lock, "process");
		list_init(&kernel_process.children);
		list_init(&kernel_process.sibling);
		list_init(&kernel_process.threads);
		list_init(&kernel_process.hash_link);
		wait_queue_init(&kernel_process.child_exit, "child_exit");
		wait_queue_init(&kernel_process.thread_exit, "thread_exit");
		wait_queue_init(&kernel_process.exit_wq, "exit_wq");
		kernel_process.refcount = 1;
	}
	t->kstack = boot_stack_base;
	t->refcount = 1;
	t->state = TASK_RUNNING;
	t->on_cpu = c->id;
	t->proc = &kernel_process;
	list_init(&t->rq_link);
	list_init(&t->timer_link);
	spin_lock(&kernel_process.lock);
	list_add_tail(&t->thread_link, &kernel_process.threads);
	spin_unlock(&kernel_process.lock);
	snprintf(t->comm, TASK_COMM_LEN, "swapper/%d", c->id);
	c->idle = t;
	c->running = t;
}

/* task_create_kernel - see include/task.h. */
struct task *task_create_kernel(const char *name, void (*fn)(void *), void *arg)
{
	struct task *t = task_alloc();

	if (!t)
		return NULL;
	t->proc = &kernel_process;
	strlcpy(t->comm, name, TASK_COMM_LEN);
	spin_lock(&kernel_process.lock);
	list_add_tail(&t->thread_link, &kernel_process.threads);
	spin_unlock(&kernel_process.lock);
	arch_thread_init_kernel(t, fn, arg);
	sched_add_new(t);
	return t;
}

/* task_exit_kernel - see include/arch.h. */
void task_exit_kernel(void)
{
	struct task *t = current;

	spin_lock(&kernel_process.lock);
	list_del(&t->thread_link);
	spin_unlock(&kernel_process.lock);
	t->state = TASK_DEAD;
	schedule();
	panic("task_exit_kernel: dead task scheduled again");
}

/* kernel_process_get - the pid-0 process (parent of kernel threads). */
struct process *kernel_process_get(void)
{
	return &kernel_process;
}
