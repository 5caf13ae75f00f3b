/*
 * ptrace(2) requests: attaching (TRACEME, ATTACH, SEIZE), resuming (CONT,
 * SYSCALL, SINGLESTEP, DETACH, LISTEN, INTERRUPT, KILL) and the requests that
 * read or change a stopped tracee (PEEK/POKE, registers, siginfo, options,
 * event messages, syscall info). The stops themselves and the lifecycle
 * hooks are in kernel/ptrace.c; docs/ptrace.md tells the whole story.
 *
 * Locks: the ptrace fields are [T] tasklist_lock; a stopped tracee's
 * registers are read and written only while it stays stopped, once it has
 * switched out (tracee_inactive()).
 */
#include "kernel.h"
#include "task.h"
#include "cpu.h"
#include "mm.h"
#include "ptrace.h"
#include "uaccess.h"
#include "uapi/errno.h"
#include "uapi/signal.h"
#include "ptrace_internal.h"

/* Find @tid among the caller's tracees. Caller holds tasklist_lock. */
static struct task *tracee_find(pid_t tid)
{
	struct task *t;

	list_for_each_entry(t, &current->proc->ptraced, ptrace_link)
		if (t->tid == tid)
			return t;
	return NULL;
}

/* The thread @tid of live process @p, or NULL. Caller holds tasklist_lock. */
static struct task *thread_of(struct process *p, pid_t tid)
{
	struct task *t, *hit = NULL;

	if (p->state != PROC_ALIVE)
		return NULL;
	spin_lock(&p->lock);
	list_for_each_entry(t, &p->threads, thread_link)
		if (t->tid == tid)
			hit = t;
	spin_unlock(&p->lock);
	return hit;
}

/* A thread @tid to attach to: a leader through the pid hash, another thread
 * through the tid hash (thread_find()). Caller holds tasklist_lock. */
static struct task *attach_target(pid_t tid)
{
	struct process *p = process_find(tid);

	return p ? thread_of(p, tid) : thread_find(tid);
}

static bool caller_is_root(void)
{
	struct process *me = current->proc;
	bool root;

	spin_lock(&me->lock);
	root = me->euid == 0;
	spin_unlock(&me->lock);
	return root;
}

/* PTRACE_ATTACH / PTRACE_SEIZE. */
static long do_attach(pid_t tid, bool seize, u64 flags)
{
	struct process *me = current->proc;
	struct task *t;
	long err = 0;

	if (seize && (flags & ~(u64)PTRACE_O_MASK))
		return -EIO;
	spin_lock(&tasklist_lock);
	t = attach_target(tid);
	if (!t || !t->mm) {
		err = t ? -EPERM : -ESRCH;
		goto out;
	}
	if (t->proc == me || t->proc == init_process) {
		err = -EPERM;	/* oneself; init (Linux: unless root in a namespace) */
		goto out;
	}
	if (t->ptrace & PT_PTRACED) {
		err = -EPERM;
		goto out;
	}
	if (!cred_may_ptrace(t->proc)) {
		err = -EPERM;
		goto out;
	}
	if (me->ptrace_closed || me->group_exiting) {
		err = -EPERM;
		goto out;
	}
	ptrace_link_tracee(t, me, PT_PTRACED | (seize ? PT_SEIZED | (u32)flags : 0), caller_is_root());
	/* Stopped already (job control): it reports that stop to us now. */
	spin_lock(&t->proc->lock);
	if (t->proc->stopped)
		sched_wake_stopped(t);
	spin_unlock(&t->proc->lock);
	if (!seize) {
		struct linux_siginfo info;

		memset(&info, 0, sizeof(info));
		info.si_signo = SIGSTOP;
		info.si_code = SI_USER;
		info.proc.pid = me->pid;
		info.proc.uid = me->uid;
		signal_send_info(t->proc, NULL, &info);
	}
out:
	spin_unlock(&tasklist_lock);
	return err;
}

/* PTRACE_TRACEME: the parent becomes the tracer. */
static long do_traceme(void)
{
	struct task *t = current;
	struct process *parent;
	long err = 0;

	spin_lock(&tasklist_lock);
	parent = t->proc->parent;
	if (t->ptrace & PT_PTRACED || !parent || parent == init_process ||
	    parent->ptrace_closed)
		err = -EPERM;
	else
		ptrace_link_tracee(t, parent, PT_PTRACED, parent->euid == 0);
	spin_unlock(&tasklist_lock);
	return err;
}

/* The resume requests: CONT, SYSCALL, SINGLESTEP, DETACH. Caller holds
 * tasklist_lock; @t is a stopped tracee of the caller. */
static long do_resume(struct task *t, long req, u64 data)
{
	if (data > NSIG)
		return -EIO;
	if (req == PTRACE_DETACH) {
		ptrace_unlink_tracee(t);
		if (data) {
			struct linux_siginfo info;

			memset(&info, 0, sizeof(info));
			info.si_signo = (int)data;
			info.si_code = SI_USER;
			signal_send_info(t->proc, t, &info);
		}
		return 0;
	}
	if (req == PTRACE_SYSCALL)
		t->ptrace |= PT_SYSCALL;
	else
		t->ptrace &= ~PT_SYSCALL;
	t->ptrace_step = req == PTRACE_SINGLESTEP;
	arch_ptrace_single_step(t, t->ptrace_step);
	t->ptrace_resume_sig = (int)data;
	t->ptrace_stopped = false;
	t->ptrace_report = false;
	sched_wake_stopped(t);
	return 0;
}

/* PEEK/POKE of memory: the tracee's address space. */
static long tracee_mem(struct task *t, u64 addr, u64 *word, bool write)
{
	struct process *p = t->proc;
	struct mm *mm;
	long n;

	spin_lock(&p->lock);
	mm = t->mm;
	if (mm)
		mm_get(mm);
	spin_unlock(&p->lock);
	if (!mm)
		return -EIO;
	n = mm_access_remote(mm, addr, word, sizeof(*word), write, true);
	mm_put(mm);
	return n == sizeof(*word) ? 0 : -EIO;
}

/* Byte offsets in struct user (<sys/user.h>). */
#define USER_REGS_SIZE		(PTRACE_NREGS * 8)
#define USER_DEBUGREG		848
#define USER_SIZE		912

static long peek_user(struct task *t, u64 off, u64 *val)
{
	u64 regs[PTRACE_NREGS];

	if ((off & 7) || off >= USER_SIZE)
		return -EIO;
	*val = 0;	/* the other fields of struct user */
	if (off < USER_REGS_SIZE) {
		arch_ptrace_get_regs(t, regs);
		*val = regs[off / 8];
	} else if (off >= USER_DEBUGREG && off < USER_DEBUGREG + 8 * 8) {
		*val = arch_ptrace_get_debugreg(t, (int)(off - USER_DEBUGREG) / 8);
	}
	return 0;
}

static long poke_user(struct task *t, u64 off, u64 val)
{
	if ((off & 7) || off >= USER_SIZE)
		return -EIO;
	if (off < USER_REGS_SIZE)
		return arch_ptrace_set_reg(t, (int)(off / 8), val);
	if (off >= USER_DEBUGREG && off < USER_DEBUGREG + 8 * 8)
		return arch_ptrace_set_debugreg(t, (int)(off - USER_DEBUGREG) / 8, val);
	return -EIO;
}

static long set_regs(struct task *t, const u64 *regs)
{
	u64 old[PTRACE_NREGS];

	/* All or nothing: check the refusable words first on a copy. */
	arch_ptrace_get_regs(t, old);
	for (int i = 0; i < PTRACE_NREGS; i++) {
		long err = arch_ptrace_set_reg(t, i, regs[i]);

		if (err) {
			for (int j = 0; j < PTRACE_NREGS; j++)
				arch_ptrace_set_reg(t, j, old[j]);
			return err;
		}
	}
	return 0;
}

/* PTRACE_GET_SYSCALL_INFO: Linux's layout and sizes. */
static long syscall_info(struct task *t, u64 size, void __user *uaddr)
{
	struct ptrace_syscall_info info;
	u64 regs[PTRACE_NREGS];
	size_t actual = offsetof(struct ptrace_syscall_info, arch);
	struct trapframe *tf = arch_task_trapframe(t);

	memset(&info, 0, sizeof(info));
	arch_ptrace_get_regs(t, regs);
	info.arch = AUDIT_ARCH_X86_64;
	info.instruction_pointer = regs[16];
	info.stack_pointer = regs[19];
	if (t->ptrace_siginfo && t->ptrace_siginfo->si_code == (SIGTRAP | 0x80)) {
		if (t->ptrace_syscall_op == PTRACE_SYSCALL_INFO_ENTRY) {
			info.op = PTRACE_SYSCALL_INFO_ENTRY;
			info.entry.nr = (u64)t->syscall_nr;
			for (int i = 0; i < 6; i++)
				info.entry.args[i] = tf_syscall_arg(tf, i);
			actual = offsetof(struct ptrace_syscall_info, entry.args) + 6 * 8;
		} else if (t->ptrace_syscall_op == PTRACE_SYSCALL_INFO_EXIT) {
			info.op = PTRACE_SYSCALL_INFO_EXIT;
			info.exit.rval = tf_get_return(tf);
			info.exit.is_error = info.exit.rval < 0 && info.exit.rval >= -4095;
			actual = offsetof(struct ptrace_syscall_info, exit.is_error) + 1;
		}
	}
	if (copy_to_user(uaddr, &info, MIN(size, actual)))
		return -EFAULT;
	return (long)actual;
}

static long regset(struct task *t, u64 note, void __user *uiov, bool set)
{
	struct linux_iovec iov;
	u8 buf[ARCH_XSTATE_MAX] __aligned(64);
	size_t size;
	long err = 0;

	if (copy_from_user(&iov, uiov, sizeof(iov)))
		return -EFAULT;
	if (note == NT_PRSTATUS)
		size = USER_REGS_SIZE;
	else if (note == NT_PRFPREG)
		size = PTRACE_FPREGS_SIZE;
	else if (note == NT_X86_XSTATE && !(size = arch_ptrace_xstate_size()))
		return -ENODEV;	/* XSAVE off (no AVX): Linux on such a CPU */
	else if (note != NT_X86_XSTATE)
		return -EINVAL;
	size = MIN(size, iov.iov_len);
	if (note == NT_PRSTATUS)
		arch_ptrace_get_regs(t, (u64 *)buf);
	else if (note == NT_PRFPREG)
		arch_ptrace_get_fpregs(t, buf);
	else
		arch_ptrace_get_xstate(t, buf);
	if (!set) {
		if (copy_to_user((void __user *)iov.iov_base, buf, size))
			return -EFAULT;
	} else {
		/* A partial set keeps the rest (Linux's regset copy-in). */
		if (note == NT_PRSTATUS && size % 8)
			return -EINVAL;
		if (copy_from_user(buf, (const void __user *)iov.iov_base, size))
			return -EFAULT;
		if (note == NT_PRSTATUS)
			err = set_regs(t, (u64 *)buf);
		else if (note == NT_PRFPREG)
			arch_ptrace_set_fpregs(t, buf);
		else
			err = arch_ptrace_set_xstate(t, buf, size);
		if (err)
			return err;
	}
	iov.iov_len = size;
	return copy_to_user(uiov, &iov, sizeof(iov)) ? -EFAULT : 0;
}

/* Wait until stopped tracee @t has switched out (it announces its stop just
 * before): its FPU image is saved then and a write to it is not overwritten.
 * false if the stop ended meanwhile (SIGKILL). */
static bool tracee_inactive(struct task *t)
{
	while (!sched_task_switched_out(t)) {
		if (!__atomic_load_n(&t->ptrace_stopped, __ATOMIC_ACQUIRE))
			return false;
		arch_cpu_relax();
	}
	return true;
}

/*
 * Requests on a stopped tracee @t (tasklist_lock dropped: the stop keeps
 * it in place, and the caller holds a reference). The tracee stays stopped
 * meanwhile: only this tracer could resume it.
 */
static long stopped_request(struct task *t, long req, u64 addr, u64 data)
{
	u64 regs[PTRACE_NREGS], word;
	u8 fp[PTRACE_FPREGS_SIZE] __aligned(16);
	struct linux_siginfo info;
	long err;

	switch (req) {
	case PTRACE_PEEKTEXT:
	case PTRACE_PEEKDATA:
		err = tracee_mem(t, addr, &word, false);
		return err ? err : (put_user_u64((void __user *)data, word) ? -EFAULT : 0);
	case PTRACE_POKETEXT:
	case PTRACE_POKEDATA:
		return tracee_mem(t, addr, &data, true);
	case PTRACE_PEEKUSER:
		err = peek_user(t, addr, &word);
		return err ? err : (put_user_u64((void __user *)data, word) ? -EFAULT : 0);
	case PTRACE_POKEUSER:
		return poke_user(t, addr, data);
	case PTRACE_GETREGS:
		arch_ptrace_get_regs(t, regs);
		return copy_to_user((void __user *)data, regs, sizeof(regs)) ? -EFAULT : 0;
	case PTRACE_SETREGS:
		if (copy_from_user(regs, (const void __user *)data, sizeof(regs)))
			return -EFAULT;
		return set_regs(t, regs);
	case PTRACE_GETFPREGS:
		arch_ptrace_get_fpregs(t, fp);
		return copy_to_user((void __user *)data, fp, sizeof(fp)) ? -EFAULT : 0;
	case PTRACE_SETFPREGS:
		if (copy_from_user(fp, (const void __user *)data, sizeof(fp)))
			return -EFAULT;
		arch_ptrace_set_fpregs(t, fp);
		return 0;
	case PTRACE_GETREGSET:
	case PTRACE_SETREGSET:
		return regset(t, addr, (void __user *)data, req == PTRACE_SETREGSET);
	case PTRACE_GETSIGINFO:
		spin_lock(&tasklist_lock);
		err = t->ptrace_stopped && t->ptrace_siginfo ? 0 : -EINVAL;
		if (!err)
			info = *t->ptrace_siginfo;
		spin_unlock(&tasklist_lock);
		if (err)
			return err;
		return copy_to_user((void __user *)data, &info, sizeof(info)) ? -EFAULT : 0;
	case PTRACE_SETSIGINFO:
		if (copy_from_user(&info, (const void __user *)data, sizeof(info)))
			return -EFAULT;
		spin_lock(&tasklist_lock);
		err = t->ptrace_stopped && t->ptrace_siginfo ? 0 : -EINVAL;
		if (!err)
			*t->ptrace_siginfo = info;
		spin_unlock(&tasklist_lock);
		return err;
	case PTRACE_GETEVENTMSG:
		return put_user_u64((void __user *)data, t->ptrace_message) ? -EFAULT : 0;
	case PTRACE_GET_SYSCALL_INFO:
		return syscall_info(t, addr, (void __user *)data);
	default:
		return -EIO;
	}
}

/*
 * sys_ptrace - ptrace(2): @req on tracee @tid. The PEEK requests store the
 * word at user address @data (the raw system call's convention; libc's
 * wrapper returns it). Returns 0 (or the size for GET_SYSCALL_INFO), or
 * -ESRCH (not our tracee, or not stopped), -EPERM, -EIO, -EINVAL, -EFAULT.
 * Takes tasklist_lock. May sleep (memory access).
 */
long sys_ptrace(long req, pid_t tid, u64 addr, u64 data)
{
	struct task *t;
	long err;

	if (req == PTRACE_TRACEME)
		return do_traceme();
	if (req == PTRACE_ATTACH || req == PTRACE_SEIZE) {
		if (req == PTRACE_SEIZE && addr)
			return -EIO;
		return do_attach(tid, req == PTRACE_SEIZE, req == PTRACE_SEIZE ? data : 0);
	}
	spin_lock(&tasklist_lock);
	t = tracee_find(tid);
	if (!t) {
		spin_unlock(&tasklist_lock);
		return -ESRCH;
	}
	switch (req) {
	case PTRACE_KILL:
		send_signal_process(t->proc, SIGKILL);
		spin_unlock(&tasklist_lock);
		return 0;
	case PTRACE_INTERRUPT:
		if (!(t->ptrace & PT_SEIZED)) {
			spin_unlock(&tasklist_lock);
			return -EIO;
		}
		if (!t->ptrace_stopped) {
			t->ptrace_trap = true;
			sched_wake_task(t);
		}
		spin_unlock(&tasklist_lock);
		return 0;
	case PTRACE_SETOPTIONS:
		if (data & ~(u64)PTRACE_O_MASK) {
			spin_unlock(&tasklist_lock);
			return -EINVAL;
		}
		if (!t->ptrace_stopped) {
			spin_unlock(&tasklist_lock);
			return -ESRCH;
		}
		t->ptrace = (t->ptrace & ~(u32)PTRACE_O_MASK) | (u32)data;
		spin_unlock(&tasklist_lock);
		return 0;
	default:
		break;
	}
	if (!t->ptrace_stopped) {
		spin_unlock(&tasklist_lock);
		return -ESRCH;
	}
	switch (req) {
	case PTRACE_CONT:
	case PTRACE_SYSCALL:
	case PTRACE_SINGLESTEP:
	case PTRACE_DETACH:
		err = do_resume(t, req, data);
		spin_unlock(&tasklist_lock);
		return err;
	case PTRACE_LISTEN:
		/* Only a seized tracee in a group stop (PTRACE_EVENT_STOP). */
		if (!(t->ptrace & PT_SEIZED) ||
		    (t->ptrace_code >> 8) != PTRACE_EVENT_STOP) {
			spin_unlock(&tasklist_lock);
			return -EIO;
		}
		t->ptrace_listening = true;
		t->ptrace_stopped = false;
		t->ptrace_report = false;
		sched_wake_stopped(t);	/* it checks whether the group stop still holds */
		spin_unlock(&tasklist_lock);
		return 0;
	default:
		break;
	}
	task_get(t);
	spin_unlock(&tasklist_lock);
	err = tracee_inactive(t) ? stopped_request(t, req, addr, data) : -ESRCH;
	task_put(t);
	return err;
}
