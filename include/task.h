/*
 * Tasks (threads) and processes (thread groups).
 *
 * struct task is what the scheduler runs: one thread with its kernel stack,
 * saved registers and state. struct process is the thread group: pid (= the
 * tgid), parent, children, exit status, process group and session. What
 * threads may share lives in reference-counted objects: struct mm (address
 * space, mm.h), struct files (descriptor table, fs.h), struct fs_context
 * (cwd, root, umask, fs.h) and struct sighand (signal actions, below).
 *
 * Locks (letters tag the fields):
 *   [T] tasklist_lock (kernel/task.c): the process tree -- parent, children,
 *       sibling, pgid/sid, the pid table, process state transitions to zombie
 *       and reaping. Lock order: tasklist_lock -> wait queue locks ->
 *       run-queue locks.
 *   [R] the run-queue lock of the CPU the task is queued on (kernel/sched.c)
 *   [P] process->lock: per-process fields that threads of it change
 *   [I] immutable after creation
 *   [c] only the task itself (current) touches it
 *   [a] atomic
 */
#ifndef SPROUT_TASK_H
#define SPROUT_TASK_H

#include "types.h"
#include "list.h"
#include "spinlock.h"
#include "sched.h"
#include "arch.h"

struct mm;
struct files;
struct fs_context;
struct process;
struct sem_undo;

enum task_state {
	TASK_RUNNING,		/* on a CPU or on a run queue */
	TASK_SLEEPING,		/* waiting on a wait queue; signals wake it */
	TASK_DEAD,		/* finished; its stack is freed by whoever runs next */
};

#define TASK_COMM_LEN	16
#define NSIG		64

typedef u64 sigset_t;

struct k_sigaction {
	u64 handler;		/* SIG_DFL (0), SIG_IGN (1) or a user address */
	u64 flags;		/* SA_* */
	u64 restorer;		/* user address of the sa_restorer trampoline */
	sigset_t mask;
};

/* Signal actions, shared by CLONE_SIGHAND; copied by fork. */
struct sighand {
	u32 refcount;				/* [a] */
	struct spinlock lock;
	struct k_sigaction action[NSIG];	/* [lock] index signo - 1 */
};

struct task {
	/* Scheduling */
	enum task_state state;		/* [R] */
	int on_cpu;			/* [R] CPU it last ran on */
	bool on_rq;			/* [R] queued on a run queue */
	struct list_head rq_link;	/* [R] */
	void *kstack;			/* [I] lowest byte of the KSTACK_SIZE stack */
	struct arch_thread arch;	/* [c] saved machine state */

	/* Identity */
	pid_t tid;			/* [I] */
	struct process *proc;		/* [I] thread group */
	struct list_head thread_link;	/* [P] in proc->threads */
	char comm[TASK_COMM_LEN];	/* [c] name for ps (prctl PR_SET_NAME, exec) */

	/* What this task uses, possibly shared with other tasks */
	struct mm *mm;			/* [c] address space; NULL for kernel threads; changed
					 * under [P] so /proc can take a reference */
	struct files *files;		/* [c] descriptor table */
	struct fs_context *fs;		/* [c] cwd, root, umask */

	/* Signals */
	sigset_t blocked;		/* [c] signal mask */
	sigset_t pending;		/* [P] thread-directed pending signals */
	u64 clear_child_tid;		/* [c] user address (set_tid_address, CLONE_CHILD_CLEARTID) */
	u64 set_child_tid;		/* [c] CLONE_CHILD_SETTID address, written on first return */

	/* sendfile(2): a kernel buffer that copy_from_user() accepts as a source
	 * while the task hands it to a file's write operation (mm/uaccess.c) */
	const void *uaccess_ksrc;	/* [c] NULL when none */
	size_t uaccess_ksrc_len;	/* [c] bytes */

	/* Accounting */
	u64 utime_ticks, stime_ticks;	/* [R] CPU time in timer ticks */
	u64 start_ns;			/* [I] creation time, ns since boot */

	/* Sleeping */
	u64 wake_at_ns;			/* [c] timed sleep deadline, 0 = none */
	struct list_head timer_link;	/* timer list (kernel/sched.c) */
	u32 refcount;			/* [a] references to this struct task */
};

enum process_state {
	PROC_ALIVE,		/* has at least one live thread */
	PROC_ZOMBIE,		/* exited; keeps pid, exit status and rusage until reaped */
	PROC_DEAD,		/* reaped by a waiter (claimed); about to be freed */
};

struct rusage_acc {
	u64 utime_ticks, stime_ticks;	/* CPU time */
	u64 minflt, majflt;		/* page faults */
	u64 maxrss_kb;			/* maximum resident set size, KiB */
};

struct process {
	pid_t pid;			/* [I] = tgid = tid of the first thread */
	enum process_state state;	/* [T] */
	struct spinlock lock;		/* [P] guards the [P] fields */

	/* The tree */
	struct process *parent;		/* [T] real parent (after reparenting: init) */
	struct list_head children;	/* [T] struct process via sibling */
	struct list_head sibling;	/* [T] in parent->children */
	struct list_head hash_link;	/* [T] pid hash chain */
	struct wait_queue child_exit;	/* wait4 sleepers, woken by children */
	pid_t pgid, sid;		/* [T] process group and session */

	struct list_head threads;	/* [P] struct task via thread_link */
	int nr_threads;			/* [P] live threads */
	struct sighand *sighand;	/* [P] signal actions */
	sigset_t shared_pending;	/* [P] process-directed pending signals */

	/* Credentials (root for now; the signals issue adds setuid & co.) */
	uid_t uid, euid, suid;		/* [P] */
	gid_t gid, egid, sgid;		/* [P] */

	/* Job control (the signals work sets these; wait4/waitid report them) */
	bool stopped;			/* [T] the process is stopped (SIGSTOP, SIGTSTP, ...) */
	int stop_signal;		/* [T] the signal that stopped it */
	int report;			/* [T] pending wait report: 0, CLD_STOPPED or CLD_CONTINUED */

	/* Exit */
	int exit_code;			/* [T] wait status, set when it becomes a zombie */
	bool group_exiting;		/* [P] exit_group in progress */
	int exit_signal;		/* [I] signal sent to the parent at exit (SIGCHLD) */

	/* Accounting */
	struct rusage_acc self;		/* [P] this process (accumulated at thread exit) */
	struct rusage_acc children_ru;	/* [T] reaped descendants */
	u64 start_ns;			/* [I] */
	char exe_path[256];		/* [P] path of the executable (for /proc/pid/exe) */
	struct sem_undo *sem_undo;	/* [c] SEM_UNDO adjustments, applied at exit (ipc/sem.c) */
	char comm[TASK_COMM_LEN];	/* [P] the last thread's name, kept for a zombie */
	u32 refcount;			/* [a] */
};

extern struct spinlock tasklist_lock;
extern struct process *init_process;	/* pid 1 */

/* Lookup: process by pid, with tasklist_lock held; NULL if none. */
struct process *process_find(pid_t pid);

/* task_get/task_put - reference counting of struct task. */
void task_get(struct task *t);
void task_put(struct task *t);
void process_get(struct process *p);
void process_put(struct process *p);

/*
 * task_create_kernel - a kernel thread running fn(arg), child of the idle
 * process, named @name. Returns the task (already runnable) or NULL.
 */
struct task *task_create_kernel(const char *name, void (*fn)(void *), void *arg);

/* kthreadd_start - create kthreadd (pid 2, parent 0; kernel/kthread.c) right
 * after init. Panics only at boot on a broken invariant. Sleeps: no. */
void kthreadd_start(void);


/* ---- kernel/ internals: creation and teardown (kernel/task.c) ---- */
struct cpu;
void pid_init(void);
pid_t pid_alloc(void);			/* a fresh pid or -EAGAIN */
void pid_free_locked(pid_t pid);	/* caller holds tasklist_lock */
u32 pid_in_use_count(void);
void process_hash_add(struct process *p);	/* caller holds tasklist_lock */
void process_hash_remove(struct process *p);	/* caller holds tasklist_lock */
struct task *task_alloc(void);
struct process *process_alloc(void);
struct sighand *sighand_alloc(void);
void sighand_put(struct sighand *sh);
void task_set_comm(struct task *t, const char *path);
void idle_task_init(struct cpu *c, void *boot_stack_base);
struct process *kernel_process_get(void);

/* kernel/fork.c */
/*
 * do_fork - create a child process of current (fork(2), clone(2) without
 * sharing flags), as described by @args.
 * Returns the child's pid or -EAGAIN / -ENOMEM; nothing is left behind on
 * failure. May sleep.
 */
struct fork_args {
	int exit_signal;	/* signal for the parent at exit (SIGCHLD) */
	u64 child_sp;		/* user stack of the child; 0: the parent's */
	u64 set_child_tid;	/* user address or 0 */
	u64 clear_child_tid;	/* user address or 0 */
	bool set_tls;		/* CLONE_SETTLS: the child's FS base is tls */
	u64 tls;
};
long do_fork(const struct fork_args *args);

/* kernel/exec.c: execve(2); see the contract in kernel/exec.c. */
int do_execve(const char *path, const char __user *const __user *argv,
	      const char __user *const __user *envp);
int do_execve_kernel(const char *path, const char *const *argv, const char *const *envp);

/* kernel/exit.c */
/*
 * do_exit_group - end every thread of current's process with @wait_status
 * (already encoded: wait_status_exited() or wait_status_signaled()).
 * Releases memory and descriptors at once; the process becomes a zombie and
 * its parent is woken; children are reparented to init. Never returns.
 */
__noreturn void do_exit_group(int wait_status);
__noreturn void do_exit_thread(int wait_status);

/* kernel/signal.c */
/* send_signal_process - make @sig pending for @p and wake a thread to act on
 * it. Caller holds tasklist_lock or otherwise keeps @p alive. */
void send_signal_process(struct process *p, int sig);
/* signal_send_pgrp - send @sig to every live process of group @pgid (the
 * tty's ^C, kill(-pgid)). Returns how many processes matched. Caller holds
 * tasklist_lock. */
int signal_send_pgrp(pid_t pgid, int sig);
/* signal_reset_on_exec - caught signals go back to SIG_DFL (execve(2)). */
void signal_reset_on_exec(struct process *p);

#endif
