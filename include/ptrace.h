/*
 * ptrace(2): one process (the tracer) stops, inspects and steers the
 * threads of another (the tracees). kernel/ptrace.c holds the tracing stops,
 * kernel/ptrace_request.c the requests; the hooks below are what the rest of the lifecycle
 * calls -- syscall entry and exit (kernel/syscall.c), signal delivery
 * (kernel/signal.c), fork, exec and exit -- and what wait(2) asks.
 * arch/<arch>/ptrace.c supplies the register views.
 *
 * Locks: every ptrace field of struct task and struct process is [T]
 * tasklist_lock (include/task.h). A tracee in a tracing stop sleeps in
 * ptrace_stop() with its trapframe, FPU area and siginfo stable; the tracer
 * reads and writes them only while that stop lasts.
 */
#ifndef SPROUT_PTRACE_H
#define SPROUT_PTRACE_H

#include "types.h"
#include "uapi/ptrace.h"

struct task;
struct process;
struct trapframe;
struct linux_siginfo;

/* task->ptrace bits above the PTRACE_O_* options. */
#define PT_PTRACED	0x80000000u	/* traced (ATTACH, SEIZE, TRACEME, auto-attach) */
#define PT_SEIZED	0x40000000u	/* by PTRACE_SEIZE: new-style stops */
#define PT_SYSCALL	0x20000000u	/* resumed by PTRACE_SYSCALL: syscall stops */

/*
 * ptrace_syscall_entry - syscall-entry stop of current (PT_SYSCALL set):
 * rax reads -ENOSYS, orig_rax the number. Returns the number to run, which
 * the tracer may have changed; -1 skips the call (rax is then the result).
 * ptrace_syscall_exit - the syscall-exit stop, rax the result. Sleep: yes.
 */
long ptrace_syscall_entry(struct trapframe *tf);
void ptrace_syscall_exit(struct trapframe *tf);

/*
 * ptrace_signal - signal-delivery-stop of current for @sig, dequeued with
 * *@info: returns the signal the tracer gives back (0: none), with *@info
 * rewritten when it changed the signal or set a new siginfo. Sleeps.
 */
int ptrace_signal(int sig, struct linux_siginfo *info);
/* ptrace_group_stop - current takes part in its process's group stop as a
 * tracee (a tracing stop with the stop signal). Sleeps. */
void ptrace_group_stop(int sig);
/* ptrace_trap_pending - a PTRACE_INTERRUPT (or a seized child's start) asks
 * current to stop; ptrace_trap - take that PTRACE_EVENT_STOP. */
bool ptrace_trap_pending(struct task *t);
void ptrace_trap(void);

/* ptrace_notify_cont - SIGCONT was sent to @p: its seized tracees trap with
 * PTRACE_EVENT_STOP before going on (ptrace(2) "PTRACE_LISTEN"). Caller
 * holds p->lock. Sleeps: no. */
void ptrace_notify_cont(struct process *p);
/* ptrace_fork - @child (not yet running) of current: inherit tracing when
 * current's options ask for @flags' kind of child. Takes tasklist_lock.
 * ptrace_fork_event - then report PTRACE_EVENT_FORK/VFORK/CLONE with the
 * child's @tid to the tracer. ptrace_vfork_done - PTRACE_EVENT_VFORK_DONE. */
void ptrace_fork(struct task *child, u64 flags);
void ptrace_fork_event(u64 flags, pid_t tid);
void ptrace_vfork_done(pid_t tid);
/* ptrace_exec - after a successful execve(2) by current (formerly @old_tid):
 * PTRACE_EVENT_EXEC, or the legacy SIGTRAP. Sleeps. ptrace_exec_unsafe -
 * must a set-id program run without its privilege (traced by a non-root
 * tracer)? */
void ptrace_exec(pid_t old_tid);
bool ptrace_exec_unsafe(void);
/* ptrace_exit_event - PTRACE_EVENT_EXIT with @wait_status, before current
 * releases anything. ptrace_task_exit - current ends with @wait_status:
 * leave its tracer, which collects a non-leader thread's exit by its tid.
 * ptrace_tracer_exit - process @p ends: its tracees are detached (or
 * killed, PTRACE_O_EXITKILL) and its uncollected traced zombies go to
 * their parents. Sleep: the first yes, the others no. */
void ptrace_exit_event(int wait_status);
void ptrace_task_exit(struct task *t, int wait_status);
void ptrace_tracer_exit(struct process *p);
/* ptrace_exit_notify - @p became a zombie with @wait_status while traced by
 * a process other than its parent: that tracer is told first; returns
 * true if so (the parent is told when the tracer collects it). Caller
 * holds tasklist_lock. */
bool ptrace_exit_notify(struct process *p, int wait_status);
/* ptrace_release_zombie - the tracer collected @p's exit: now tell the
 * parent (and let it reap). Caller holds tasklist_lock. */
void ptrace_release_zombie(struct process *p);
/* exit_notify_parent - (kernel/exit.c) tell zombie @p's parent of its exit,
 * reaping it at once if the parent ignores SIGCHLD. Caller holds
 * tasklist_lock. */
void exit_notify_parent(struct process *p);
/* ptrace_thread_exit_take - a traced thread's exit for @tracer's wait: the
 * first matching @match(tid, pgid, @arg); fills *@tid, *@status, *@uid, and
 * with @consume removes it. Returns true if found. Caller holds
 * tasklist_lock. */
bool ptrace_thread_exit_take(struct process *tracer, bool (*match)(pid_t, pid_t, void *),
			     void *arg, bool consume, pid_t *tid, int *status, uid_t *uid);
/* ptrace_tracer_pid - pid of the process tracing @t, 0 if none (/proc
 * TracerPid). Caller holds tasklist_lock. */
pid_t ptrace_tracer_pid(struct task *t);

/* Provided by the architecture (arch/x86_64/ptrace.c). The tracee @t is
 * stopped (or is current); @regs is struct user_regs_struct. */
#define PTRACE_NREGS	27
void arch_ptrace_get_regs(struct task *t, u64 *regs);
/* arch_ptrace_set_reg - store word @idx of user_regs_struct: 0 or -EIO for
 * a value Linux refuses (kernel selectors, bases outside user space). */
int arch_ptrace_set_reg(struct task *t, int idx, u64 value);
void arch_ptrace_get_fpregs(struct task *t, u8 *area);
void arch_ptrace_set_fpregs(struct task *t, const u8 *area);
/*
 * NT_X86_XSTATE: arch_ptrace_xstate_size - bytes of the XSAVE image (0: XSAVE is off, the
 * regset is -ENODEV); get - the image (standard form, its software-reserved bytes saying
 * what it holds, as Linux's xstateregs_get); set - take @len bytes of an image (at most the
 * size; 0 or -EINVAL for a header XRSTOR would refuse). @area is 64-byte aligned.
 */
#define ARCH_XSTATE_MAX	1024
u32 arch_ptrace_xstate_size(void);
void arch_ptrace_get_xstate(struct task *t, u8 *area);
int arch_ptrace_set_xstate(struct task *t, const u8 *area, size_t len);
void arch_ptrace_single_step(struct task *t, bool on);
/* Hardware breakpoints (arch/x86_64/debugreg.c): debug register @n (0-7) of
 * struct user's u_debugreg. get: its value (DR6 as the CPU would show it;
 * 0 for DR4 and DR5). set: 0, -EINVAL (an address outside user space, or a
 * DR7 asking for an I/O, misaligned or wrongly sized breakpoint) or -EIO
 * (DR4, DR5). clear: none left (fork, exec, detach). */
u64 arch_ptrace_get_debugreg(struct task *t, int n);
int arch_ptrace_set_debugreg(struct task *t, int n, u64 value);
void arch_ptrace_clear_debugregs(struct task *t);
#define PTRACE_FPREGS_SIZE	512

#endif
