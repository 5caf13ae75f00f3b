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
#include "uapi/errno.h"

struct mm;
struct files;
struct fs_context;
struct process;
struct sem_undo;
struct sem_undo_list;
struct mutex;

enum task_state {
	TASK_RUNNING,		/* on a CPU or on a run queue */
	TASK_SLEEPING,		/* waiting on a wait queue; signals wake it */
	TASK_DEAD,		/* finished; its stack is freed by whoever runs next */
	TASK_STOPPED,		/* job-control stop: only SIGCONT or SIGKILL wakes it */
	TASK_UNINTERRUPTIBLE,	/* waiting for a device (disk I/O): only wake_up() of its
				 * queue wakes it, never a signal; 'D' in ps, counted in the
				 * load average and /proc/stat procs_blocked
				 * (prepare_to_wait_uninterruptible(), kernel/sched.c) */
};

#define TASK_COMM_LEN	16
#define NSIG		64

typedef u64 sigset_t;

/* One resource limit (getrlimit(2)), RLIM_INFINITY = ~0. */
struct k_rlimit {
	u64 cur, max;
};
#define RLIMIT_COUNT	16
#define PROC_AUXV_WORDS	48	/* room for the auxv pairs execve builds, AT_NULL included */

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
	pid_t tid;			/* [c] fixed, except that a non-leader thread that
					 * execs takes over the leader's tid (= pid) */
	pid_t hashed_tid;		/* [T] tid it is on the tid hash under, or 0 */
	struct list_head tid_link;	/* [T] tid hash chain (non-leader threads) */
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
	struct list_head sigqueue[NSIG];	/* [P] struct sigqueue per signal (index signo - 1):
						 * siginfo of pending, oldest first; a head still
						 * zeroed is an empty queue (signal.c) */
	sigset_t sigwait_set;		/* [P] signals awaited in rt_sigtimedwait (wake it) */
	u64 robust_list;		/* [c] set_robust_list(2) head (user address) or 0 */
	u32 personality;		/* [c] personality(2) persona (kernel/personality.c) */
	u64 rseq_addr;			/* [c] rseq(2) area (user address) or 0 */
	u32 rseq_len, rseq_sig;		/* [c] its registered length and abort signature */
	bool rseq_resume;		/* [c] refresh the area before user mode: the task was
					 * switched out, or just registered (kernel/rseq.c) */
	bool core_parked;		/* [P] stopped in exit while a core is written */
	sigset_t saved_sigmask;		/* [c] mask to restore after rt_sigsuspend */
	bool restore_sigmask;		/* [c] saved_sigmask is to be restored */
	bool restart_pending;		/* [c] rax holds an -ERESTART* code of syscall_nr */
	long syscall_nr;		/* [c] syscall in progress, -1 after rt_sigreturn */
	u64 restart_deadline_ns;	/* [c] nanosleep restart: absolute deadline */
	u64 restart_rem;		/* [c] nanosleep restart: user address of rem */
	u64 altstack_sp, altstack_size;	/* [c] sigaltstack(2), bytes */
	u32 altstack_flags;		/* [c] SS_DISABLE, SS_AUTODISARM */

	/* Scheduling policy (kernel/sched.c; set by kernel/sys_sched.c) */
	int nice;			/* [R] -20..19: the weight of a SCHED_OTHER/BATCH task */
	int policy;			/* [R] SCHED_OTHER, SCHED_FIFO, SCHED_RR, SCHED_BATCH,
					 * SCHED_IDLE (include/uapi/sched.h) */
	int rt_priority;		/* [R] 1..99 for SCHED_FIFO/RR, else 0 */
	u64 vruntime;			/* [R] run time weighted by nice (kernel/sched.c) */
	u64 cpus_allowed;		/* [R] affinity: bit i = may run on CPU i */
	u32 rr_ticks;			/* [R] ticks left of a SCHED_RR slice */
	u16 ioprio;			/* [a] ioprio_set(2)'s class and level (kernel/ioprio.c);
					 * 0: none set (class NONE) */
	bool sched_reset_on_fork;	/* [R] SCHED_RESET_ON_FORK: children start normal */
	u64 nvcsw, nivcsw;		/* [a] voluntary / involuntary context switches */
	u64 rt_run_ticks;		/* [a] ticks run under SCHED_FIFO/RR since the task last
					 * slept (RLIMIT_RTTIME, kernel/itimer.c) */
	u64 rt_xcpu_next;		/* [a] rt_run_ticks of the next SIGXCPU past the soft limit */

	/* Accounting */
	u64 utime_ticks, stime_ticks;	/* [R] CPU time in timer ticks */
	u64 start_ns;			/* [I] creation time, ns since boot */

	/* vfork(2): the parent sleeps on vfork_wq until this child releases
	 * the borrowed address space (exec or exit). */
	bool vfork_active;		/* [vfork_wq.lock] the parent still waits */
	struct wait_queue vfork_wq;

	/* Lock-order checks (kernel/spinlock.c): the mutexes held, oldest first */
	struct mutex *held_mutexes[MUTEX_MAX_HELD];	/* [c] */
	int nr_held_mutexes;				/* [c] */

	/* Tracing (kernel/ptrace.c, ptrace(2)). ptrace is tested on every
	 * syscall entry and exit: zero when nobody traces this task. */
	u32 ptrace;			/* [T] PT_* and PTRACE_O_* bits (include/ptrace.h) */
	struct process *ptracer;	/* [T] the tracing process, or NULL */
	struct list_head ptrace_link;	/* [T] in ptracer->ptraced */
	bool ptrace_stopped;		/* [T] in a tracing stop (state 't') */
	bool ptrace_report;		/* [T] the stop is not yet reported to wait */
	bool ptrace_listening;		/* [T] PTRACE_LISTEN: stopped, not in a trace stop */
	bool ptrace_trap;		/* [T], set under [P] by SIGCONT: PTRACE_INTERRUPT, a
					 * seized start or SIGCONT to a seized tracee: trap soon */
	bool ptrace_step;		/* [T] resumed with PTRACE_SINGLESTEP */
	bool ptrace_privileged;		/* [T] the tracer was root at attach (set-id exec) */
	bool ptrace_exiting;		/* [c] in its own exit: a group exit does not end
					 * its PTRACE_EVENT_EXIT stop */
	int ptrace_code;		/* [T] stop code: wait status bits 8-23 */
	int ptrace_resume_sig;		/* [T] signal given back by the tracer's resume */
	u8 ptrace_syscall_op;		/* [T] PTRACE_SYSCALL_INFO_* of the current stop */
	u64 ptrace_message;		/* [T] PTRACE_GETEVENTMSG */
	struct linux_siginfo *ptrace_siginfo;	/* [T] the stop's siginfo (on the
						 * stopped task's stack) or NULL */

	/* Sleeping */
	u64 wake_at_ns;			/* [c] timed sleep deadline, 0 = none */
	u64 wchan;			/* [R] where it last went to sleep: the return
					 * address into schedule()'s caller (/proc wchan) */
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
	u64 nvcsw, nivcsw;		/* voluntary / involuntary context switches */
};

/*
 * A process group and a session as objects (as Linux's struct pid with its
 * PIDTYPE_PGID and PIDTYPE_SID lists): the processes in them, alive or
 * zombie until reaped, are on member lists, so a group signal, setpgid's and
 * setsid's checks and the orphaned-group test touch only members. A group
 * counts its "links": alive members whose parent is outside init, in another
 * group of the same session; the group is orphaned (POSIX.1-2017 3.269)
 * exactly when it has none, so the test is O(1). All [T] (kernel/pgrp.c).
 */
struct pgrp {
	pid_t pgid;
	pid_t sid;			/* the session of its members */
	struct list_head members;	/* struct process via pgrp_link */
	int nr_members;
	int nr_linked;			/* members with pgrp_linked set */
	struct list_head hash_link;
};

struct session {
	pid_t sid;
	struct list_head members;	/* struct process via session_link */
	int nr_members;
	struct list_head hash_link;
};

struct process {
	pid_t pid;			/* [I] = tgid = tid of the first thread */
	enum process_state state;	/* [T] */
	struct spinlock lock;		/* [P] guards the [P] fields */

	/* The tree */
	struct process *parent;		/* [T] real parent (after reparenting: init) */
	pid_t ppid;			/* [T] parent->pid, kept with it; read without the
					 * lock by getppid (a word: never torn) */
	struct list_head children;	/* [T] struct process via sibling */
	struct list_head sibling;	/* [T] in parent->children */
	struct list_head hash_link;	/* [T] pid hash chain */
	struct wait_queue child_exit;	/* wait4 sleepers, woken by children */
	pid_t pgid, sid;		/* [T] process group and session */
	struct pgrp *pgrp;		/* [T] the group named pgid (kernel/pgrp.c) */
	struct list_head pgrp_link;	/* [T] in pgrp->members */
	struct session *session;	/* [T] the session named sid */
	struct list_head session_link;	/* [T] in session->members */
	bool pgrp_linked;		/* [T] counted in pgrp->nr_linked (kernel/pgrp.c) */

	struct list_head threads;	/* [P] struct task via thread_link */
	int nr_threads;			/* [P] live threads */
	struct sighand *sighand;	/* [P] signal actions */
	sigset_t shared_pending;	/* [P] process-directed pending signals */

	/* Credentials (root for now; the signals issue adds setuid & co.) */
	uid_t uid, euid, suid;		/* [P] */
	gid_t gid, egid, sgid;		/* [P] */
	uid_t fsuid;			/* [P] file access (setfsuid(2)); follows euid */
	gid_t fsgid;			/* [P] file access (setfsgid(2)); follows egid */

	/* Job control (the signals work sets these; wait4/waitid report them) */
	bool stopped;			/* [T] the process is stopped (SIGSTOP, SIGTSTP, ...) */
	int stop_signal;		/* [T] the signal that stopped it */
	int report;			/* [T] pending wait report: 0, CLD_STOPPED or CLD_CONTINUED */

	/* Exit */
	int exit_code;			/* [T] wait status, set when it becomes a zombie */
	bool group_exiting;		/* [P] exit_group in progress */
	bool core_dumping;		/* [P] a thread writes the core file (kernel/coredump.c) */
	bool core_done;			/* [P] ... and has finished: parked threads go on */
	struct task *core_dumper;	/* [P] that thread */
	u32 core_parked;		/* [P] other threads stopped for the dump */
	struct task *exec_task;		/* [P] a thread in execve that ends the others */
	struct wait_queue thread_exit;	/* execve waits here for the other threads to end */
	struct wait_queue exit_wq;	/* pidfd pollers (kernel/pidfd.c): woken when the
					 * process becomes a zombie */
	pid_t creator_tid;		/* [I] parent's thread that created it (__WNOTHREAD) */
	int exit_signal;		/* [T] signal sent to the parent at exit (SIGCHLD);
					 * back to SIGCHLD on reparenting; SIGCHLD is sent
					 * instead when the parent has exec'd since */
	u32 self_exec_id;		/* [T] execs done by this process (Linux's self_exec_id) */
	u32 parent_exec_id;		/* [T] the parent's self_exec_id when this one was made */

	/* Accounting */
	struct rusage_acc self;		/* [P] this process (accumulated at thread exit) */
	struct rusage_acc children_ru;	/* [T] reaped descendants */
	u64 start_ns;			/* [I] */
	char exe_path[256];		/* [P] path of the executable (for /proc/pid/exe) */
	u64 saved_auxv[PROC_AUXV_WORDS];	/* [P] the auxv execve gave (core files' NT_AUXV) */
	struct sem_undo_list *sem_undo;	/* SEM_UNDO adjustments, maybe shared by CLONE_SYSVSEM,
					 * applied at exit (ipc/sem.c; set under its lock) */
	char comm[TASK_COMM_LEN];	/* [P] the last thread's name, kept for a zombie */

	/* Termination by others (kernel/signal.c, pgrp.c, cred.c, rlimit.c, itimer.c) */
	struct list_head sigqueue[NSIG];	/* [P] as task->sigqueue, of shared_pending */
	int pdeath_signal;		/* [P] prctl(PR_SET_PDEATHSIG); 0 = none */
	bool is_subreaper;		/* [T] prctl(PR_SET_CHILD_SUBREAPER) */
	bool did_exec;			/* [T] exec'd since fork (setpgid -EACCES) */
	bool dumpable;			/* [P] prctl(PR_SET_DUMPABLE): others of the same
					 * uid may look inside through /proc (ptrace
					 * access); cleared by a change of effective ids
					 * and by exec of a set-id program */
	u32 ngroups;			/* [P] supplementary groups */
	gid_t *groups;			/* [P] kmalloc'd array of ngroups */
	struct k_rlimit rlim[RLIMIT_COUNT];	/* [P] resource limits */
	uid_t nproc_uid;		/* [nproc_lock] user charged for RLIMIT_NPROC */
	bool nproc_charged;		/* [nproc_lock] (kernel/rlimit.c) */
	u64 cpu_ticks;			/* [P] CPU time of every thread, ticks (RLIMIT_CPU) */
	u64 xcpu_next_ticks;		/* [P] next SIGXCPU at this cpu_ticks */
	u64 it_real_deadline_ns;	/* [itimer_lock] ITIMER_REAL expiry, 0 = disarmed */
	u64 it_real_interval_ns;	/* [itimer_lock] */
	struct list_head it_real_link;	/* [itimer_lock] armed real timers */
	u64 it_virt_value, it_virt_interval;	/* [P] ITIMER_VIRTUAL, ticks */
	u64 it_prof_value, it_prof_interval;	/* [P] ITIMER_PROF, ticks */
	/* Tracing (kernel/ptrace.c) */
	struct list_head ptraced;	/* [T] struct task this process traces, via ptrace_link */
	struct list_head ptrace_zombies;	/* [T] traced zombies whose exit this tracer
						 * (not their parent) has yet to collect */
	struct list_head ptrace_zombie_link;	/* [T] in the tracer's ptrace_zombies */
	struct list_head ptrace_thread_exits;	/* [T] exits of traced threads other than a
						 * leader, not yet collected (kernel/ptrace.c) */
	struct process *ptrace_zombie_tracer;	/* [T] that tracer, or NULL */
	struct process *ptrace_exit_tracer;	/* [T] tracer of the leader at its exit */
	bool ptrace_closed;		/* [T] exiting: takes no more tracees or zombies */
	short oom_score_adj;		/* [P] /proc/PID/oom_score_adj, -1000..1000 (mm/oom.c);
					 * inherited by fork */
	short oom_score_adj_min;	/* [P] the lowest value an unprivileged writer may set:
					 * the last value root wrote (Linux's oom_score_adj_min) */
	u32 task_refs;			/* [a] struct tasks still holding the process */
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
/* process_get_task_ref - the reference a struct task holds on its process
 * (dropped by task_put() once the task's memory is free). */
void process_get_task_ref(struct process *p);
void process_put(struct process *p);

/*
 * task_create_kernel - a kernel thread running fn(arg), child of the idle
 * process, named @name. Returns the task (already runnable) or NULL.
 */
struct task *task_create_kernel(const char *name, void (*fn)(void *), void *arg);

/*
 * kthread_create - a kernel thread running fn(arg) as a process of its own,
 * named @name, child of kthreadd (as Linux's kthreads: `ps` shows it in
 * brackets under pid 2). Returns the task (already runnable) or NULL
 * (out of memory or pids). Call after kthreadd_start(). Sleeps: no.
 */
struct task *kthread_create(const char *name, void (*fn)(void *), void *arg);

/* kthreadd_start - create kthreadd (pid 2, parent 0; kernel/kthread.c) right
 * after init. Panics only at boot on a broken invariant. Sleeps: no. */
void kthreadd_start(void);


/* ---- kernel/ internals: creation and teardown (kernel/task.c) ---- */
struct cpu;
void pid_init(void);
pid_t pid_alloc(void);			/* a fresh pid or -EAGAIN */
/* pid_alloc_specific - take pid @pid (clone3's set_tid): @pid, or -EEXIST
 * (in use), -EINVAL (not below pid_max), -EAGAIN (threads-max). */
pid_t pid_alloc_specific(pid_t pid);
void pid_free_locked(pid_t pid);	/* caller holds tasklist_lock */
u32 pid_in_use_count(void);
/*
 * pid_max_get/pid_max_set - /proc/sys/kernel/pid_max: new pids stay below it.
 * Setting 301..4194304 (Linux's bounds) is allowed even below pids in use,
 * which keep working; 0 or -EINVAL. threads_max_get/threads_max_set -
 * /proc/sys/kernel/threads-max (1..0x3fffffff): pid_alloc() refuses with
 * -EAGAIN once that many threads and zombies hold pids; 0 or -EINVAL.
 * Take tasklist_lock (the setters). Sleep: no. proc_sys_kernel(5).
 */
long pid_max_get(void);
int pid_max_set(long max);
long threads_max_get(void);
int threads_max_set(long max);
/* pid_next_in_use - the smallest pid or tid in use >= @from, 0 if none.
 * Caller holds tasklist_lock. */
pid_t pid_next_in_use(pid_t from);
/* pid_last - the pid handed out last (/proc/loadavg). No lock: a snapshot. */
pid_t pid_last(void);
/* pid_alloc_count - pids and tids handed out since boot: the processes and
 * threads created (/proc/stat "processes"). No lock: a snapshot. */
u64 pid_alloc_count(void);
void process_hash_add(struct process *p);	/* caller holds tasklist_lock */
/* thread_hash_add - put new non-leader thread @t on the tid hash (it leaves
 * when its tid is freed, pid_free_locked); takes tasklist_lock. thread_find -
 * the non-leader thread with tid @tid, or NULL; caller holds tasklist_lock. */
void thread_hash_add(struct task *t);
struct task *thread_find(pid_t tid);
void process_hash_remove(struct process *p);	/* caller holds tasklist_lock */
struct task *task_alloc(void);
struct process *process_alloc(void);
struct sighand *sighand_alloc(void);
void sighand_get(struct sighand *sh);
void sighand_put(struct sighand *sh);
void task_set_comm(struct task *t, const char *path);
void idle_task_init(struct cpu *c, void *boot_stack_base);
struct process *kernel_process_get(void);

/* kernel/fork.c */
/*
 * do_fork - create a child of current as described by @args: a process
 * (fork(2), vfork(2), clone(2)) or, with CLONE_THREAD, a thread of current's
 * process; @args->flags (CLONE_*, include/uapi/clone.h, already checked)
 * say which objects are shared. With CLONE_VFORK it returns only once the
 * child has exec'd or exited. Returns the child's tid (= pid for a process)
 * or -EAGAIN / -ENOMEM / -EINTR, or -EPERM for a TLS base outside user space;
 * nothing is left behind on failure. May sleep.
 */
struct fork_args {
	u64 flags;		/* CLONE_* without the exit signal */
	u64 parent_tid;		/* CLONE_PARENT_SETTID: user address */
	int exit_signal;	/* signal for the parent at exit (SIGCHLD) */
	u64 child_sp;		/* user stack of the child; 0: the parent's */
	u64 set_child_tid;	/* user address or 0 */
	u64 clear_child_tid;	/* user address or 0 */
	bool set_tls;		/* CLONE_SETTLS: the child's FS base is tls */
	u64 tls;
	pid_t set_tid;		/* clone3 set_tid: this pid for the child; 0 = any */
	u64 pidfd;		/* CLONE_PIDFD: user address of the int for the pidfd */
};
long do_fork(const struct fork_args *args);
/*
 * fork_vfork_release - @t (current) gives its vfork parent's address space
 * back (execve commit or exit): the parent wakes. No-op for other tasks.
 * Takes @t's vfork_wq lock. Sleeps: no.
 */
void fork_vfork_release(struct task *t);

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
/*
 * task_group_exit_pending - must @t end because its process is ending
 * (exit_group(2) in another thread, or execve(2) in another thread)? Any
 * context; reads without locks (a stale answer is re-checked on the way to
 * user mode). task_group_exit_check - on the way to user mode: if so, end
 * current (never returns then). May sleep. Inline: every return to user mode asks.
 */
static inline bool task_group_exit_pending(struct task *t)
{
	struct process *p = t->proc;
	struct task *exec;

	if (!p)
		return false;
	if (__atomic_load_n(&p->group_exiting, __ATOMIC_ACQUIRE))
		return true;
	exec = __atomic_load_n(&p->exec_task, __ATOMIC_ACQUIRE);
	return exec && exec != t;
}
void task_group_exit_check(void);

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

struct linux_siginfo;
/* signal_send_info - make @info->si_signo pending for @p (@t NULL) or for
 * its thread @t, with that siginfo. Returns 0 (also when the signal is
 * ignored), or -EAGAIN: a real-time signal not sent by kill(2) found @p's
 * user at RLIMIT_SIGPENDING (or no memory) and was not queued (sigqueue(3)).
 * Caller holds tasklist_lock or keeps @p alive. Sleeps: no; any context but
 * holding p->lock. */
int signal_send_info(struct process *p, struct task *t, const struct linux_siginfo *info);
/* signal_force_fault - a fault signal for current (si_code @code, si_addr
 * @addr); blocked or ignored, it reverts to its default action. Sleeps: no. */
void signal_force_fault(int sig, int code, u64 addr);
/* signal_notify_parent_jobctl - tell @p's parent that @p stopped or
 * continued (@why CLD_STOPPED/CLD_CONTINUED, @status the signal): wake its
 * waiters, and SIGCHLD unless the parent set SA_NOCLDSTOP. Caller holds
 * tasklist_lock, not p->lock. */
void signal_notify_parent_jobctl(struct process *p, int why, int status);
/* signal_child_exit_info - the SIGCHLD siginfo for @p's exit with wait
 * status @wait_status (CLD_EXITED, CLD_KILLED, CLD_DUMPED). */
void signal_child_exit_info(struct process *p, int wait_status, struct linux_siginfo *info);
/* signal_parent_autoreaps - does @parent reap children at once (SIGCHLD
 * SIG_IGN or SA_NOCLDWAIT, wait(2))? Takes sighand->lock. */
bool signal_parent_autoreaps(struct process *parent);
/* signal_syscall_done - after syscall @nr of @t returned @ret (the raw
 * value): remember an -ERESTART* code for the return path. Inline: every
 * system call ends here. */
static inline void signal_syscall_done(struct task *t, long nr, long ret)
{
	bool restart = false;

	(void)nr;
	/* One compare for the usual result, outside -ERESTART_RESTARTBLOCK..-ERESTARTSYS. */
	if (unlikely((unsigned long)(ret + ERESTART_RESTARTBLOCK) <=
		     ERESTART_RESTARTBLOCK - ERESTARTSYS))
		restart = t->syscall_nr >= 0 && ret != -(ERESTARTNOHAND + 1);
	t->restart_pending = restart;
}
/* signal_fork - what a forked child inherits (alternate stack, limits) and
 * does not (pdeath signal, subreaper mark). Sleeps: no. */
void signal_fork(struct process *child, struct task *ct, struct process *parent,
		 struct task *pt);
/* kernel/sigpending.c: queued siginfo records per real uid (RLIMIT_SIGPENDING).
 * sigpending_charge - count one more record for @uid if that keeps it at or
 * below @limit (RLIM_INFINITY: always, memory permitting); true if counted.
 * sigpending_uncharge - give one back. sigpending_count - records queued for
 * @uid now (/proc/PID/status SigQ). Take sigpending_lock, a leaf; callable
 * under process->lock. Sleep: no. */
bool sigpending_charge(uid_t uid, u64 limit);
void sigpending_uncharge(uid_t uid);
u64 sigpending_count(uid_t uid);
/* Set-up and teardown of the signal fields (kernel/task.c calls these). */
void signal_task_init(struct task *t);
void signal_task_free(struct task *t);
void signal_process_init(struct process *p);
void signal_process_free(struct process *p);
/* process_tree_next - depth-first successor of @p within @root's subtree,
 * or NULL. Caller holds tasklist_lock. */
struct process *process_tree_next(struct process *root, struct process *p);

/* kernel/pidfd.c */
/* pidfd_process - the process pidfd @fd refers to, referenced (process_put()
 * it), with *@nonblock set for a PIDFD_NONBLOCK descriptor (@nonblock may be
 * NULL): 0, or -EBADF (not open, or not a pidfd). Sleeps: no. */
int pidfd_process(int fd, struct process **out, bool *nonblock);
/* pidfd_create - a new close-on-exec pidfd of @p in current's table (clone(2)'s
 * CLONE_PIDFD): the descriptor, or -EMFILE/-ENOMEM. Sleeps: no. */
int pidfd_create(struct process *p);

/* kernel/rseq.c */
/* rseq_user_return - on the way to user mode with frame @tf: abort an rseq
 * critical section the task was interrupted in and refresh the area's cpu
 * fields; a bad area gets SIGSEGV. rseq_fork - @child (of current, @flags
 * CLONE_*) keeps the registration unless it shares the address space.
 * rseq_exec - execve drops it. Sleep: may fault in user memory. */
void rseq_user_return(struct trapframe *tf);
void rseq_fork(struct task *child, u64 flags);
void rseq_exec(struct task *t);

/* kernel/pgrp.c */
/* pgrp_hangup_if_orphaned - when group @pgid is orphaned (not counting
 * @ignore, which is exiting) and has a stopped member, send it SIGHUP then
 * SIGCONT (POSIX.1-2017 _exit()). Caller holds tasklist_lock. */
void pgrp_hangup_if_orphaned(pid_t pgid, struct process *ignore);
/* pgrp_orphaned_current - is current's process group orphaned? Takes
 * tasklist_lock. */
bool pgrp_orphaned_current(void);
/* pgrp_attach - put @p, new in the pid table with pgid and sid set, in its
 * group and session (made when it is the first member: only init's are);
 * pgrp_detach - take a reaped @p out, freeing a group or session left
 * empty. Called by process_hash_add/remove. Caller holds tasklist_lock. */
void pgrp_attach(struct process *p);
void pgrp_detach(struct process *p);
/* pgrp_link_update - recount whether @p links its group to the rest of its
 * session (alive, with a parent other than init in another group of the same
 * session); call after @p's state, parent, pgid or sid, or its parent's pgid
 * or sid, changed. O(1). Caller holds tasklist_lock. */
void pgrp_link_update(struct process *p);
/* pgrp_find - the group named @pgid, or NULL; session_find - the session
 * named @sid, or NULL. Hash lookups. Caller holds tasklist_lock. */
struct pgrp *pgrp_find(pid_t pgid);
struct session *session_find(pid_t sid);
/* pgrp_in_session - does group @pgid exist with a member in session @sid?
 * Takes tasklist_lock. */
bool pgrp_in_session(pid_t pgid, pid_t sid);

/* kernel/cred.c */
/* cred_may_signal - may @sender signal @target with @sig (kill(2) EPERM
 * rule)? NULL @sender is the kernel. Caller keeps both alive. */
bool cred_may_signal(struct process *sender, struct process *target, int sig);
/* cred_may_inspect - may current look inside @target through /proc (maps,
 * exe, cwd, environ, fd/...)? Linux's ptrace_may_access(PTRACE_MODE_READ_
 * FSCREDS): the same process; or the caller's filesystem uid and gid equal
 * all three of the target's uids and gids and the target is dumpable; or the
 * caller is root. Caller holds tasklist_lock or keeps @target alive; takes
 * @target's lock. Sleeps: no. */
bool cred_may_inspect(struct process *target);
/* cred_may_ptrace - may current trace @target (ptrace(2) attach,
 * process_vm_readv(2))? Linux's ptrace_may_access(PTRACE_MODE_ATTACH_REALCREDS):
 * as cred_may_inspect() but with the caller's real uid and gid. Caller holds
 * tasklist_lock or keeps @target alive; takes both processes' locks.
 * Sleeps: no. */
bool cred_may_ptrace(struct process *target);
/* cred_fork - copy @parent's supplementary groups to @child. 0 or -ENOMEM. */
int cred_fork(struct process *child, struct process *parent);

/* kernel/rlimit.c */
void rlimit_init_defaults(struct process *p);
/* rlimit_cur - current's soft limit for @resource (RLIM_INFINITY = ~0). */
u64 rlimit_cur(int resource);
/* rlimit_fork_check - RLIMIT_NPROC for a new thread of current (threads
 * are not counted; a user at the limit gets none): 0 or -EAGAIN.
 * Takes nproc_lock. Sleeps: no. */
int rlimit_fork_check(void);
/*
 * rlimit_nproc_charge - count @child (being forked by current) against
 * current's real user, then check RLIMIT_NPROC: 0, -EAGAIN (over the
 * limit; nothing charged) or -ENOMEM. rlimit_nproc_uncharge - give the
 * charge back (process freed). rlimit_nproc_move - charge @p to real uid
 * @uid instead (setuid). All take nproc_lock (a leaf). Sleeps: no.
 */
int rlimit_nproc_charge(struct process *child);
void rlimit_nproc_uncharge(struct process *p);
void rlimit_nproc_move(struct process *p, uid_t uid);

/* kernel/itimer.c */
/* itimer_exit - disarm @p's real timer and delete its POSIX timers (exit). Takes
 * itimer_lock and posix_timer_lock. */
void itimer_exit(struct process *p);
/* posix_timers_exit - delete every timer_create(2) timer of @p (exit, execve).
 * Takes posix_timer_lock. Sleeps: no. */
void posix_timers_exit(struct process *p);
/* posix_timers_tick - expire the due timer_create(2) timers (the boot CPU's tick;
 * interrupts disabled). Takes posix_timer_lock, then process locks. */
void posix_timers_tick(void);
/* signal_timer_tick - per-tick accounting for @t (running; @user: the tick
 * hit user mode): ITIMER_VIRTUAL/PROF, RLIMIT_CPU and, on CPU 0, the real
 * timers. Interrupt context. */
void signal_timer_tick(struct task *t, bool user);

/* kernel/sys_info.c: continue an interrupted nanosleep with @left_ns to go,
 * reporting into user @rem (0: none) if interrupted again. */
long nanosleep_resume(u64 left_ns, u64 rem);

/* kernel/exit.c: prctl(2) PR_SET/GET_PDEATHSIG, PR_SET/GET_CHILD_SUBREAPER.
 * Returns 0, -EINVAL or -EFAULT. */
long prctl_lifecycle(int option, u64 arg2);

#endif
