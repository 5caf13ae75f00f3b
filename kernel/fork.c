/*
 * fork(2), vfork(2) and clone(2): every way to create a task.
 *
 * clone's flags choose, object by object, whether the child shares what its
 * creator uses or gets its own copy: the address space (CLONE_VM), the
 * descriptor table (CLONE_FILES), cwd/root/umask (CLONE_FS), the signal
 * actions (CLONE_SIGHAND), and the thread group itself (CLONE_THREAD: a new
 * thread of the caller's process rather than a new process). Shared objects
 * are reference counted; copies are fresh objects (mm_fork() shares the page
 * tables, and then the pages, copy-on-write). docs/sharing-models.md has the
 * table.
 *
 * vfork (CLONE_VM | CLONE_VFORK) lends the parent's address space to the
 * child, nothing copied and nothing write-protected, and the parent sleeps
 * until the child gives it back by exec or exit (fork_vfork_release()).
 *
 * Phases: fork_prepare() allocates everything and may fail (unwinding
 * completely); fork_commit_process() (fork_join_group() for a thread) links
 * the child in and makes it runnable, and cannot fail. The one late check --
 * a thread is not added to a process that is already ending -- is made under
 * process->lock before anything is published, and unwinds like any other
 * failure.
 */
#include "kernel.h"
#include "task.h"
#include "ptrace.h"
#include "ipc.h"
#include "cpu.h"
#include "mm.h"
#include "fs.h"
#include "kmalloc.h"
#include "uaccess.h"
#include "trace.h"
#include "uapi/errno.h"
#include "uapi/clone.h"
#include "uapi/signal.h"

struct fork_state {
	struct process *proc;	/* the new process, or NULL for CLONE_THREAD */
	struct task *task;
	pid_t tid;		/* = the new pid unless CLONE_THREAD */
};

/* Take or copy the objects the new task uses, as @flags say. */
static int fork_share_objects(struct task *parent, struct task *t, u64 flags)
{
	if (flags & CLONE_VM) {
		mm_get(parent->mm);
		t->mm = parent->mm;
	} else {
		t->mm = mm_fork(parent->mm);
		if (!t->mm)
			return -ENOMEM;
	}
	if (flags & CLONE_FILES) {
		files_get(parent->files);
		t->files = parent->files;
	} else {
		t->files = files_dup(parent->files);
		if (!t->files)
			goto out_put_mm;
	}
	if (flags & CLONE_FS) {
		fs_context_get(parent->fs);
		t->fs = parent->fs;
	} else {
		t->fs = fs_context_dup(parent->fs);
		if (!t->fs)
			goto out_put_files;
	}
	return 0;

out_put_files:
	files_put(t->files);
	t->files = NULL;
out_put_mm:
	mm_put(t->mm);
	t->mm = NULL;
	return -ENOMEM;
}

static void fork_unshare_objects(struct task *t)
{
	fs_context_put(t->fs);
	files_put(t->files);
	mm_put(t->mm);
	t->fs = NULL;
	t->files = NULL;
	t->mm = NULL;
}

/* The signal actions of a new process: shared (CLONE_SIGHAND) or copied. */
static struct sighand *fork_sighand(struct process *pp, u64 flags)
{
	struct sighand *sh;

	if (flags & CLONE_SIGHAND) {
		sighand_get(pp->sighand);
		return pp->sighand;
	}
	sh = sighand_alloc();
	if (!sh)
		return NULL;
	spin_lock(&pp->sighand->lock);
	memcpy(sh->action, pp->sighand->action, sizeof(pp->sighand->action));
	spin_unlock(&pp->sighand->lock);
	/* clone3's CLONE_CLEAR_SIGHAND: handled signals back to SIG_DFL,
	 * ignored ones stay ignored. */
	if (flags & CLONE_CLEAR_SIGHAND)
		for (int i = 0; i < NSIG; i++)
			if (sh->action[i].handler > 1)
				memset(&sh->action[i], 0, sizeof(sh->action[i]));
	return sh;
}

static void fork_free_tid(pid_t tid)
{
	spin_lock(&tasklist_lock);
	pid_free_locked(tid);
	spin_unlock(&tasklist_lock);
}

static int fork_prepare(struct fork_state *fs, u64 flags, pid_t set_tid)
{
	struct task *parent = current;
	int err = -ENOMEM;

	fs->proc = NULL;
	if (flags & CLONE_THREAD) {
		err = rlimit_fork_check();
		if (err)
			return err;
	}
	err = -ENOMEM;
	fs->tid = set_tid ? pid_alloc_specific(set_tid) : pid_alloc();
	if (fs->tid < 0)
		return set_tid ? fs->tid : -EAGAIN;
	if (!(flags & CLONE_THREAD)) {
		fs->proc = process_alloc();
		if (!fs->proc)
			goto out_free_tid;
		/* Counted before the check (RLIMIT_NPROC): see kernel/rlimit.c. */
		err = rlimit_nproc_charge(fs->proc);
		if (err)
			goto out_free_proc;
		err = -ENOMEM;
	}
	fs->task = task_alloc();
	if (!fs->task)
		goto out_free_proc;
	err = fork_share_objects(parent, fs->task, flags);
	if (err)
		goto out_free_task;
	if (fs->proc) {
		fs->proc->sighand = fork_sighand(parent->proc, flags);
		if (!fs->proc->sighand) {
			err = -ENOMEM;
			goto out_unshare;
		}
		/* Supplementary groups (the process owns its sighand now, so
		 * process_put() below releases both on failure). */
		err = cred_fork(fs->proc, parent->proc);
		if (err)
			goto out_unshare;
		/* CLONE_SYSVSEM: the list to share must exist before the commit. */
		if (flags & CLONE_SYSVSEM) {
			err = sem_undo_prepare_share(parent->proc);
			if (err)
				goto out_unshare;
		}
	}
	return 0;

out_unshare:
	fork_unshare_objects(fs->task);
out_free_task:
	task_put(fs->task);
out_free_proc:
	if (fs->proc)
		process_put(fs->proc);	/* also drops its sighand, if any */
out_free_tid:
	fork_free_tid(fs->tid);
	return err;
}

/* Undo fork_prepare() (the task never ran and was never published). */
static void fork_abort(struct fork_state *fs)
{
	fork_unshare_objects(fs->task);
	task_put(fs->task);
	if (fs->proc)
		process_put(fs->proc);
	fork_free_tid(fs->tid);
}

/* Registers, TLS and the tid words of the new task. Cannot fail. */
static void fork_setup_task(struct task *t, const struct fork_args *args)
{
	struct task *parent = current;

	t->blocked = parent->blocked;
	t->personality = parent->personality;
	memcpy(t->comm, parent->comm, TASK_COMM_LEN);
	sched_fork(t, parent);
	rseq_fork(t, args->flags);
	t->set_child_tid = args->set_child_tid;
	t->clear_child_tid = args->clear_child_tid;
	arch_fork_frame(t, parent, arch_task_trapframe(parent), args->child_sp);
	if (args->set_tls)
		t->arch.fs_base = args->tls;
	arch_thread_init_user(t);
}

/*
 * A new thread joins the caller's process. Returns 0, or -EINTR when the
 * process is already ending (exit_group or execve in another thread): the
 * new thread would only have to be killed again.
 */
static int fork_join_group(struct fork_state *fs)
{
	struct process *p = current->proc;
	struct task *t = fs->task;
	int err = 0;

	t->tid = fs->tid;
	t->proc = p;
	spin_lock(&p->lock);
	if (p->group_exiting || p->exec_task) {
		err = -EINTR;
	} else {
		process_get_task_ref(p);	/* the task's reference */
		list_add_tail(&t->thread_link, &p->threads);
		p->nr_threads++;
	}
	spin_unlock(&p->lock);
	if (err)
		t->proc = NULL;
	return err;
}

/* Point of no return for a new process: nothing below can fail. */
static void fork_commit_process(struct fork_state *fs, const struct fork_args *args)
{
	struct task *parent = current;
	struct process *pp = parent->proc;
	struct process *p = fs->proc;
	struct task *t = fs->task;

	p->pid = fs->tid;
	p->exit_signal = args->exit_signal;
	p->creator_tid = parent->tid;
	p->uid = pp->uid, p->euid = pp->euid, p->suid = pp->suid;
	p->gid = pp->gid, p->egid = pp->egid, p->sgid = pp->sgid;
	p->dumpable = pp->dumpable;
	p->fsuid = pp->fsuid, p->fsgid = pp->fsgid;
	memcpy(p->saved_auxv, pp->saved_auxv, sizeof(p->saved_auxv));
	if (args->flags & CLONE_SYSVSEM)
		sem_undo_share(p, pp);
	p->oom_score_adj = pp->oom_score_adj;
	p->oom_score_adj_min = pp->oom_score_adj_min;
	memcpy(p->exe_path, pp->exe_path, sizeof(p->exe_path));
	p->nr_threads = 1;
	p->state = PROC_ALIVE;

	t->tid = fs->tid;
	t->proc = p;
	process_get_task_ref(p);	/* the task's reference; the tree's is dropped at reap */
	signal_fork(p, t, pp, parent);	/* rlimits, altstack; pdeath/subreaper reset */
	list_add_tail(&t->thread_link, &p->threads);

	spin_lock(&tasklist_lock);
	if (args->flags & CLONE_PARENT) {
		/* A sibling of the caller: its parent's child, reporting with
		 * the caller's own exit signal (clone(2)). */
		p->parent = pp->parent;
		p->exit_signal = pp->exit_signal;
		p->creator_tid = pp->parent->pid;
		p->parent_exec_id = pp->parent_exec_id;
	} else {
		p->parent = pp;
		p->parent_exec_id = pp->self_exec_id;
	}
	p->self_exec_id = pp->self_exec_id;
	p->ppid = p->parent->pid;
	p->pgid = pp->pgid;
	p->sid = pp->sid;
	list_add_tail(&p->sibling, &p->parent->children);
	process_hash_add(p);
	spin_unlock(&tasklist_lock);
	trace_fork(pp, p);
}

/*
 * The parent of a vfork sleeps until @child has given the address space
 * back. It also stops waiting when its own thread group is ending, so that
 * exit_group and execve in a sibling thread are not held up.
 */
static void fork_vfork_wait(struct task *child)
{
	struct wait_entry we;

	for (;;) {
		prepare_to_wait(&child->vfork_wq, &we);
		/* Killable, as on Linux: the child keeps the address space
		 * alive by its own reference if the parent dies meanwhile. */
		if (!__atomic_load_n(&child->vfork_active, __ATOMIC_ACQUIRE) ||
		    task_group_exit_pending(current) || fatal_signal_pending())
			break;
		schedule();
		finish_wait(&child->vfork_wq, &we);
	}
	finish_wait(&child->vfork_wq, &we);
}

/* fork_vfork_release - see include/task.h. */
void fork_vfork_release(struct task *t)
{
	if (!t->vfork_active)
		return;
	spin_lock(&t->vfork_wq.lock);
	__atomic_store_n(&t->vfork_active, false, __ATOMIC_RELEASE);
	spin_unlock(&t->vfork_wq.lock);
	wake_up(&t->vfork_wq);
}

/* do_fork - see include/task.h. */
long do_fork(const struct fork_args *args)
{
	struct fork_state fs;
	struct task *t;
	int err;

	/* The TLS base is loaded with wrmsr at every switch: like
	 * arch_prctl(ARCH_SET_FS), only a user address is accepted. */
	if (args->set_tls && args->tls >= USER_TOP)
		return -EPERM;
	err = fork_prepare(&fs, args->flags, args->set_tid);
	if (err)
		return err;
	t = fs.task;
	if (args->flags & CLONE_PIDFD) {
		/* clone(2): the pidfd is in the caller's table, and its number at
		 * args->pidfd, before the child exists; a fault fails the clone. */
		int pidfd = pidfd_create(fs.proc);

		if (pidfd < 0 || put_user_u32((void __user *)args->pidfd, (u32)pidfd)) {
			if (pidfd >= 0)
				fd_close(pidfd);
			fork_abort(&fs);
			return pidfd < 0 ? pidfd : -EFAULT;
		}
	}
	if (args->flags & CLONE_THREAD) {
		err = fork_join_group(&fs);
		if (err) {
			fork_abort(&fs);
			return err;
		}
		thread_hash_add(t);	/* tkill finds it by tid (kernel/kill.c) */
	} else {
		fork_commit_process(&fs, args);
	}
	fork_setup_task(t, args);
	/* Written before the child can run, so a new thread finds its tid
	 * there from its first instruction (clone(2)); a fault is ignored,
	 * as Linux does. */
	if (args->flags & CLONE_PARENT_SETTID)
		put_user_u32((void __user *)args->parent_tid, (u32)fs.tid);
	if (args->flags & CLONE_VFORK) {
		t->vfork_active = true;
		task_get(t);
	}
	/* ptrace(2): the child of a tracee may be traced from its start, and
	 * the tracer hears of it (PTRACE_EVENT_FORK/VFORK/CLONE). */
	ptrace_fork(t, args->flags | (u64)(args->exit_signal & 0xff));
	sched_add_new(t);
	if (unlikely(current->ptrace))
		ptrace_fork_event(args->flags | (u64)(args->exit_signal & 0xff), fs.tid);
	if (args->flags & CLONE_VFORK) {
		fork_vfork_wait(t);
		task_put(t);
		if (unlikely(current->ptrace))
			ptrace_vfork_done(fs.tid);
	}
	return fs.tid;
}

/* sys_fork - fork(2), POSIX.1-2017. Returns the child's pid to the parent,
 * 0 to the child, or -EAGAIN / -ENOMEM. May sleep. */
long sys_fork(void)
{
	struct fork_args args = { .exit_signal = SIGCHLD };

	return do_fork(&args);
}

/*
 * sys_vfork - vfork(2): the child runs in the parent's address space, and
 * the parent sleeps until the child calls execve or exits. Returns the
 * child's pid (after that point) to the parent, 0 to the child, or -EAGAIN /
 * -ENOMEM. May sleep.
 */
long sys_vfork(void)
{
	struct fork_args args = { .flags = CLONE_VM | CLONE_VFORK, .exit_signal = SIGCHLD };

	return do_fork(&args);
}

/* Namespaces: not provided; asking for one is -EINVAL. */
#define CLONE_UNSUPPORTED	(CLONE_NEWNS | CLONE_NEWCGROUP | CLONE_NEWUTS | CLONE_NEWIPC | \
				 CLONE_NEWUSER | CLONE_NEWPID | CLONE_NEWNET)

/*
 * Accepted and honoured: the sharing flags, CLONE_SYSVSEM (one SEM_UNDO
 * list, ipc/sem.c). CLONE_IO is accepted as Linux accepts it; it shares
 * the I/O context, which holds I/O-scheduler state (priority, CFQ queues).
 * Sprout has no I/O scheduler, so there is nothing to share and the flag
 * changes nothing.
 *
 * clone_check_flags - Linux's rules for combinations of clone flags
 * (clone(2) ERRORS; copy_process()): a thread shares the signal actions,
 * shared signal actions need a shared address space, and init may not
 * create siblings. @flags excludes the exit signal. Returns 0 or -EINVAL.
 */
static int clone_check_flags(u64 flags)
{
	if (flags & CLONE_UNSUPPORTED)
		return -EINVAL;
	if ((flags & CLONE_THREAD) && !(flags & CLONE_SIGHAND))
		return -EINVAL;
	if ((flags & CLONE_SIGHAND) && !(flags & CLONE_VM))
		return -EINVAL;
	if ((flags & CLONE_PARENT) && current->proc == init_process)
		return -EINVAL;
	/* A pidfd names a process: not a thread (before Linux 6.9), not a detached one. */
	if ((flags & CLONE_PIDFD) && (flags & (CLONE_THREAD | CLONE_DETACHED)))
		return -EINVAL;
	return 0;
}

/*
 * sys_clone - clone(2), x86-64 argument order (flags, newsp, parent_tid,
 * child_tid, tls). The low byte of @flags is the exit signal (ignored for
 * CLONE_THREAD); the rest are CLONE_* flags, of which the upper 32 bits are
 * ignored as Linux does. CLONE_PIDFD stores a pidfd of the child at
 * @parent_tid (so not with CLONE_PARENT_SETTID). Returns the new tid (= pid
 * for a process) to the caller and 0 to the child, or -EINVAL (see
 * clone_check_flags()), -EPERM (CLONE_SETTLS with a base outside user
 * space), -EFAULT (the pidfd's address), -EAGAIN, -ENOMEM, -EMFILE, -EINTR
 * (the caller's process is ending). May sleep.
 */
long sys_clone(u64 flags, u64 newsp, u64 parent_tid, u64 child_tid, u64 tls)
{
	u64 f = (flags & 0xffffffffUL) & ~CSIGNAL;
	int sig = flags & CSIGNAL;
	int err;

	err = clone_check_flags(f);
	if (err)
		return err;
	if (sig > NSIG)
		return -EINVAL;
	/* clone(2) returns the pidfd through parent_tid, so it cannot have both. */
	if ((f & CLONE_PIDFD) && (f & CLONE_PARENT_SETTID))
		return -EINVAL;
	struct fork_args args = {
		.flags = f,
		.exit_signal = (f & CLONE_THREAD) ? 0 : sig,
		.child_sp = newsp,
		.parent_tid = parent_tid,
		.set_child_tid = (f & CLONE_CHILD_SETTID) ? child_tid : 0,
		.clear_child_tid = (f & CLONE_CHILD_CLEARTID) ? child_tid : 0,
		.set_tls = f & CLONE_SETTLS,
		.tls = tls,
		.pidfd = (f & CLONE_PIDFD) ? parent_tid : 0,
	};

	return do_fork(&args);
}

/* struct clone_args of clone3(2), as Linux lays it out (all fields u64). */
struct clone_args_user {
	u64 flags, pidfd, child_tid, parent_tid, exit_signal, stack, stack_size, tls;
	u64 set_tid, set_tid_size;	/* CLONE_ARGS_SIZE_VER1 */
	u64 cgroup;			/* CLONE_ARGS_SIZE_VER2 */
};

#define CLONE_ARGS_SIZE_VER0	64
#define CLONE_ARGS_SIZE_VER2	88
#define CLONE3_FLAGS		(0xffffffffUL & ~CSIGNAL)	/* clone's, and: */
#define CLONE_INTO_CGROUP	0x200000000ULL

/*
 * Copy clone3's argument block: @size bytes, at least the first version's
 * 64; bytes past the fields known here must be zero (a newer caller's
 * extension we cannot honour). 0, -EINVAL, -E2BIG or -EFAULT.
 */
static int clone3_copy_args(struct clone_args_user *ka, const void __user *ua, size_t size)
{
	u8 extra[64];

	if (size > PAGE_SIZE)
		return -E2BIG;
	if (size < CLONE_ARGS_SIZE_VER0)
		return -EINVAL;
	memset(ka, 0, sizeof(*ka));
	if (copy_from_user(ka, ua, MIN(size, sizeof(*ka))))
		return -EFAULT;
	for (size_t off = sizeof(*ka); off < size; off += sizeof(extra)) {
		size_t n = MIN(sizeof(extra), size - off);

		if (copy_from_user(extra, (const u8 __user *)ua + off, n))
			return -EFAULT;
		for (size_t i = 0; i < n; i++)
			if (extra[i])
				return -E2BIG;
	}
	return 0;
}

/*
 * sys_clone3 - clone3(2): clone(2) with its arguments in a struct
 * clone_args of @size bytes at @uargs: flags (CLONE_*, plus
 * CLONE_CLEAR_SIGHAND; no exit signal in them), exit_signal, the child's
 * stack as base + size, tls, child_tid/parent_tid, and set_tid (an array of
 * one pid for the new process: root only). Sharing is decided exactly as
 * for clone. Returns the child's tid to the caller and 0 to the child, or
 * -E2BIG (@size over a page, or unknown non-zero trailing bytes), -EINVAL
 * (a short @size, flags, exit signal, stack or set_tid that Linux
 * refuses; namespaces; CLONE_PIDFD with CLONE_THREAD), -EBADF
 * (CLONE_INTO_CGROUP: no descriptor here names a cgroup), -EPERM (set_tid unprivileged), -EEXIST
 * (that pid is in use), -EFAULT, -EAGAIN, -ENOMEM. May sleep.
 */
long sys_clone3(const void __user *uargs, size_t size)
{
	struct clone_args_user ka;
	pid_t want = 0;
	int err;

	err = clone3_copy_args(&ka, uargs, size);
	if (err)
		return err;
	if (ka.set_tid_size > 32 || (!ka.set_tid && ka.set_tid_size) ||
	    (ka.set_tid && !ka.set_tid_size))
		return -EINVAL;
	if (ka.exit_signal & ~CSIGNAL || ka.exit_signal > NSIG)
		return -EINVAL;
	if ((ka.flags & CLONE_INTO_CGROUP) && (ka.cgroup > 0x7fffffff ||
					       size < CLONE_ARGS_SIZE_VER2))
		return -EINVAL;
	if (ka.flags & ~(CLONE3_FLAGS | CLONE_CLEAR_SIGHAND | CLONE_INTO_CGROUP))
		return -EINVAL;
	if (ka.flags & (CLONE_DETACHED | CSIGNAL))
		return -EINVAL;
	if ((ka.flags & (CLONE_SIGHAND | CLONE_CLEAR_SIGHAND)) ==
	    (CLONE_SIGHAND | CLONE_CLEAR_SIGHAND))
		return -EINVAL;
	if ((ka.flags & (CLONE_THREAD | CLONE_PARENT)) && ka.exit_signal)
		return -EINVAL;
	if (!ka.stack != !ka.stack_size)
		return -EINVAL;
	err = clone_check_flags(ka.flags & CLONE3_FLAGS);
	if (err)
		return err;
	if (ka.set_tid_size) {
		/* Only this namespace level exists: one pid, chosen by root. */
		s32 tid;

		if (ka.set_tid_size != 1)
			return -EINVAL;
		if (get_user_u32((u32 *)&tid, (const void __user *)ka.set_tid))
			return -EFAULT;
		if (tid <= 0)
			return -EINVAL;
		if (current->proc->euid != 0)
			return -EPERM;
		want = tid;
	}
	if (ka.flags & CLONE_INTO_CGROUP)
		return -EBADF;
	struct fork_args args = {
		.flags = ka.flags & ~CLONE_INTO_CGROUP,
		.exit_signal = (int)ka.exit_signal,
		.child_sp = ka.stack ? ka.stack + ka.stack_size : 0,
		.parent_tid = ka.parent_tid,
		.set_child_tid = (ka.flags & CLONE_CHILD_SETTID) ? ka.child_tid : 0,
		.clear_child_tid = (ka.flags & CLONE_CHILD_CLEARTID) ? ka.child_tid : 0,
		.set_tls = ka.flags & CLONE_SETTLS,
		.tls = ka.tls,
		.set_tid = want,
		.pidfd = (ka.flags & CLONE_PIDFD) ? ka.pidfd : 0,
	};

	return do_fork(&args);
}
