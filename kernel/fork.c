/*
 * fork(2) and clone(2) without sharing: a new process whose address space
 * is a copy-on-write copy of its parent's (mm_fork()), whose descriptor table
 * shares the parent's open file descriptions, and which returns 0 from the
 * same system call.
 *
 * Phases: fork_prepare() allocates everything and may fail (unwinding
 * completely); fork_commit() links the child into the tree and makes it
 * runnable, and cannot fail.
 */
#include "kernel.h"
#include "task.h"
#include "cpu.h"
#include "mm.h"
#include "fs.h"
#include "kmalloc.h"
#include "uaccess.h"
#include "trace.h"
#include "uapi/errno.h"

/* Sharing flags of clone(2) (include/uapi would be the place once clone's
 * sharing models arrive; only the ones accepted here are named). */
#define CSIGNAL			0x000000ff
#define CLONE_SETTLS		0x00080000
#define CLONE_PARENT_SETTID	0x00100000
#define CLONE_CHILD_CLEARTID	0x00200000
#define CLONE_CHILD_SETTID	0x01000000

#define SIGCHLD	17

struct fork_state {
	struct process *proc;
	struct task *task;
	pid_t pid;
};

static int fork_prepare(struct fork_state *fs)
{
	struct task *parent = current;
	struct process *pp = parent->proc;
	int err = -ENOMEM;

	err = rlimit_fork_check();
	if (err)
		return err;
	err = -ENOMEM;
	fs->pid = pid_alloc();
	if (fs->pid < 0)
		return -EAGAIN;
	fs->proc = process_alloc();
	if (!fs->proc)
		goto out_free_pid;
	fs->task = task_alloc();
	if (!fs->task)
		goto out_free_proc;
	fs->task->mm = mm_fork(parent->mm);
	if (!fs->task->mm)
		goto out_free_task;
	fs->task->files = files_dup(parent->files);
	if (!fs->task->files)
		goto out_put_mm;
	fs->task->fs = fs_context_dup(parent->fs);
	if (!fs->task->fs)
		goto out_put_files;
	fs->proc->sighand = sighand_alloc();
	if (!fs->proc->sighand)
		goto out_put_fs;
	spin_lock(&pp->sighand->lock);
	memcpy(fs->proc->sighand->action, pp->sighand->action, sizeof(pp->sighand->action));
	spin_unlock(&pp->sighand->lock);
	if (cred_fork(fs->proc, pp))
		goto out_put_fs;
	return 0;

out_put_fs:
	fs_context_put(fs->task->fs);
out_put_files:
	files_put(fs->task->files);
out_put_mm:
	mm_put(fs->task->mm);
out_free_task:
	task_put(fs->task);
out_free_proc:
	process_put(fs->proc);
out_free_pid:
	spin_lock(&tasklist_lock);
	pid_free_locked(fs->pid);
	spin_unlock(&tasklist_lock);
	return err;
}

/* Point of no return: nothing below can fail. */
static void fork_commit(struct fork_state *fs, const struct fork_args *args)
{
	struct task *parent = current;
	struct process *pp = parent->proc;
	struct process *p = fs->proc;
	struct task *t = fs->task;

	p->pid = fs->pid;
	p->exit_signal = args->exit_signal;
	p->uid = pp->uid, p->euid = pp->euid, p->suid = pp->suid;
	p->gid = pp->gid, p->egid = pp->egid, p->sgid = pp->sgid;
	memcpy(p->exe_path, pp->exe_path, sizeof(p->exe_path));
	p->nr_threads = 1;
	p->state = PROC_ALIVE;

	t->tid = fs->pid;
	t->proc = p;
	process_get(p);	/* the task's reference; the tree's is dropped at reap */
	t->blocked = parent->blocked;
	signal_fork(p, t, pp, parent);
	memcpy(t->comm, parent->comm, TASK_COMM_LEN);
	list_add_tail(&t->thread_link, &p->threads);

	t->set_child_tid = args->set_child_tid;
	t->clear_child_tid = args->clear_child_tid;
	arch_fork_frame(t, parent, arch_task_trapframe(parent), args->child_sp);
	if (args->set_tls)
		t->arch.fs_base = args->tls;
	arch_thread_init_user(t);

	spin_lock(&tasklist_lock);
	p->parent = pp;
	p->pgid = pp->pgid;
	p->sid = pp->sid;
	list_add_tail(&p->sibling, &pp->children);
	process_hash_add(p);
	spin_unlock(&tasklist_lock);

	trace_fork(pp, p);
	sched_add_new(t);
}

/* do_fork - see include/task.h. */
long do_fork(const struct fork_args *args)
{
	struct fork_state fs;
	int err = fork_prepare(&fs);

	if (err)
		return err;
	fork_commit(&fs, args);
	return fs.pid;
}

/* sys_fork - fork(2), POSIX.1-2017. Returns the child's pid to the parent,
 * 0 to the child, or -EAGAIN / -ENOMEM. May sleep. */
long sys_fork(void)
{
	struct fork_args args = { .exit_signal = SIGCHLD };

	return do_fork(&args);
}

/*
 * sys_vfork - vfork(2). Until the parent can lend its address space (the
 * process-creation work), the child gets a copy-on-write copy like fork(),
 * which POSIX allows; musl and glibc callers work unchanged.
 */
long sys_vfork(void)
{
	struct fork_args args = { .exit_signal = SIGCHLD };

	return do_fork(&args);
}

/*
 * sys_clone - clone(2), x86-64 argument order (flags, newsp, parent_tid,
 * child_tid, tls). Accepted: an exit signal plus CLONE_PARENT_SETTID,
 * CLONE_CHILD_SETTID, CLONE_CHILD_CLEARTID and CLONE_SETTLS -- what glibc's
 * fork() passes. Sharing flags (CLONE_VM, CLONE_FILES, threads, ...) return
 * -EINVAL until they are implemented. May sleep.
 */
long sys_clone(u64 flags, u64 newsp, u64 parent_tid, u64 child_tid, u64 tls)
{
	const u64 ok = CSIGNAL | CLONE_SETTLS | CLONE_PARENT_SETTID | CLONE_CHILD_CLEARTID |
		       CLONE_CHILD_SETTID;
	long pid;

	if (flags & ~ok)
		return -EINVAL;
	if ((flags & CSIGNAL) > 64)
		return -EINVAL;
	struct fork_args args = {
		.exit_signal = flags & CSIGNAL,
		.child_sp = newsp,
		.set_child_tid = (flags & CLONE_CHILD_SETTID) ? child_tid : 0,
		.clear_child_tid = (flags & CLONE_CHILD_CLEARTID) ? child_tid : 0,
		.set_tls = flags & CLONE_SETTLS,
		.tls = tls,
	};

	pid = do_fork(&args);
	if (pid < 0)
		return pid;
	if (flags & CLONE_PARENT_SETTID)
		put_user_u32((void *)parent_tid, (u32)pid);
	return pid;
}
