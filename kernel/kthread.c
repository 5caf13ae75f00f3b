/*
 * kthreadd (pid 2): the parent under which kernel threads appear, as on
 * Linux, so `ps` shows the familiar picture -- init is 1, kthreadd is 2 with
 * parent 0, and its name in [brackets] because a kernel thread has no
 * command line (no mm). It has no signal handlers (sighand is NULL), so
 * send_signal_process() discards every signal sent to it, SIGKILL included;
 * kill(-1, ...) walks from init and never reaches it.
 *
 * The thread itself only sleeps: kthread_create() makes its children
 * directly (kswapd0, mm/reclaim.c).
 */
#include "kernel.h"
#include "arch.h"
#include "cpu.h"
#include "sched.h"
#include "task.h"
#include "uapi/errno.h"

static struct wait_queue kthreadd_wait;	/* nobody wakes it for now */
static struct process *kthreadd_proc;	/* [I] after kthreadd_start() */

static void kthreadd_main(void *arg)
{
	struct wait_entry e = { .task = current };

	for (;;) {
		prepare_to_wait(&kthreadd_wait, &e);
		schedule();
		finish_wait(&kthreadd_wait, &e);
	}
}

/*
 * kthreadd_start - create kthreadd as pid 2, a child of the pid-0 kernel
 * process. Call once at boot right after init got pid 1. Panics if it
 * cannot (out of memory at boot, or the pid is not 2: a broken boot order).
 * Locks: takes tasklist_lock. Sleeps: no.
 */
void kthreadd_start(void)
{
	struct process *kproc = kernel_process_get();
	struct process *p = process_alloc();
	struct task *t = task_alloc();
	pid_t pid;

	if (!p || !t)
		panic("kthreadd_start: out of memory");
	pid = pid_alloc();
	if (pid != 2)
		panic("kthreadd_start: kthreadd got pid %d", pid);
	wait_queue_init(&kthreadd_wait, "kthreadd");
	p->pid = pid;
	p->nr_threads = 1;
	p->state = PROC_ALIVE;
	strlcpy(p->comm, "kthreadd", TASK_COMM_LEN);
	t->tid = pid;
	t->proc = p;
	process_get_task_ref(p);
	strlcpy(t->comm, "kthreadd", TASK_COMM_LEN);
	list_add_tail(&t->thread_link, &p->threads);

	spin_lock(&tasklist_lock);
	p->parent = kproc;
	list_add_tail(&p->sibling, &kproc->children);
	process_hash_add(p);
	spin_unlock(&tasklist_lock);

	kthreadd_proc = p;
	arch_thread_init_kernel(t, kthreadd_main, NULL);
	sched_add_new(t);
}

/* kthread_create - see include/task.h. */
struct task *kthread_create(const char *name, void (*fn)(void *), void *arg)
{
	struct process *p = process_alloc();
	struct task *t = task_alloc();
	pid_t pid = p && t ? pid_alloc() : -ENOMEM;

	if (pid < 0) {
		/* Nothing else refers to them yet. */
		if (p)
			process_put(p);
		if (t)
			task_put(t);
		return NULL;
	}
	p->pid = pid;
	p->nr_threads = 1;
	p->state = PROC_ALIVE;
	strlcpy(p->comm, name, TASK_COMM_LEN);
	t->tid = pid;
	t->proc = p;
	process_get_task_ref(p);
	strlcpy(t->comm, name, TASK_COMM_LEN);
	list_add_tail(&t->thread_link, &p->threads);

	spin_lock(&tasklist_lock);
	p->parent = kthreadd_proc;
	list_add_tail(&p->sibling, &kthreadd_proc->children);
	process_hash_add(p);
	spin_unlock(&tasklist_lock);

	arch_thread_init_kernel(t, fn, arg);
	sched_add_new(t);
	return t;
}
