/*
 * Small system calls about identity, time and limits: getpid and friends,
 * uname, clocks and sleeps, sysinfo, rlimits, arch_prctl, prctl names,
 * process groups and sessions, random bytes, reboot.
 */
#include "kernel.h"
#include "trace.h"
#include "swap.h"
#include "task.h"
#include "cpu.h"
#include "mm.h"
#include "page.h"
#include "uaccess.h"
#include "uapi/errno.h"
#include "uapi/resource.h"
#include "uapi/sprout.h"

long sys_getpid(void) { return current->proc->pid; }
long sys_gettid(void) { return current->tid; }
long sys_getuid(void) { return current->proc->uid; }
long sys_geteuid(void) { return current->proc->euid; }
long sys_getgid(void) { return current->proc->gid; }
long sys_getegid(void) { return current->proc->egid; }

/* sys_getppid - getppid(2): the parent's pid (1 after reparenting to init),
 * kept in the process beside the parent pointer, so read without a lock. */
long sys_getppid(void)
{
	return __atomic_load_n(&current->proc->ppid, __ATOMIC_RELAXED);
}

struct utsname_linux {
	char sysname[65], nodename[65], release[65], version[65], machine[65], domainname[65];
};

/* sys_uname - uname(2). */
long sys_uname(struct utsname_linux __user *u)
{
	struct utsname_linux k;

	memset(&k, 0, sizeof(k));
	strlcpy(k.sysname, SPROUT_SYSNAME, sizeof(k.sysname));
	strlcpy(k.nodename, "sprout", sizeof(k.nodename));
	strlcpy(k.release, "6.1.0-sprout", sizeof(k.release));
	strlcpy(k.version, "#1 SMP", sizeof(k.version));
	strlcpy(k.machine, "x86_64", sizeof(k.machine));
	strlcpy(k.domainname, "(none)", sizeof(k.domainname));
	return copy_to_user(u, &k, sizeof(k)) ? -EFAULT : 0;
}

#define ARCH_SET_GS	0x1001
#define ARCH_SET_FS	0x1002
#define ARCH_GET_FS	0x1003
#define ARCH_GET_GS	0x1004

/* sys_arch_prctl - arch_prctl(2): ARCH_SET_FS/GS, ARCH_GET_FS/GS. A base
 * outside user space is -EPERM (it would be loaded by wrmsr at every switch). */
long sys_arch_prctl(int code, u64 addr)
{
	switch (code) {
	case ARCH_SET_FS:
		if (addr >= USER_TOP)
			return -EPERM;
		arch_set_fs_base(addr);
		return 0;
	case ARCH_SET_GS:
		if (addr >= USER_TOP)
			return -EPERM;
		arch_set_gs_base(addr);
		return 0;
	case ARCH_GET_FS:
		return put_user_u64((void __user *)addr, arch_get_fs_base());
	case ARCH_GET_GS:
		return put_user_u64((void __user *)addr, arch_get_gs_base());
	default:
		return -EINVAL;
	}
}

/* sys_set_tid_address - set_tid_address(2): remember @tidptr, return the tid. */
long sys_set_tid_address(u64 tidptr)
{
	current->clear_child_tid = tidptr;
	return current->tid;
}

/* sys_set_robust_list - set_robust_list(2): remember the calling thread's
 * robust futex list, walked when it exits or execs (futex_exit_robust_list,
 * ipc/futex.c). 0, or -EINVAL for a header size other than 24 bytes. */
long sys_set_robust_list(u64 head, size_t len)
{
	if (len != 24)
		return -EINVAL;
	current->robust_list = head;
	return 0;
}

/* The process holding thread @tid, NULL when there is none. *@robust gets
 * the thread's robust list head (read under process->lock, while the
 * thread cannot go away); *@found says whether a thread was found (false
 * for a zombie leader not yet reaped). Caller holds tasklist_lock. */
static struct process *tid_owner_locked(pid_t tid, bool *found, u64 *robust)
{
	struct process *p = process_find(tid);
	struct task *t;

	*found = false;
	if (p && p->state == PROC_DEAD)
		return NULL;
	for (struct process *q = p ? p : init_process; q;
	     q = p ? NULL : process_tree_next(init_process, q)) {
		spin_lock(&q->lock);
		list_for_each_entry(t, &q->threads, thread_link) {
			if (t->tid == tid) {
				*found = true;
				*robust = __atomic_load_n(&t->robust_list, __ATOMIC_RELAXED);
			}
		}
		spin_unlock(&q->lock);
		if (*found)
			return q;
	}
	return p;
}

/*
 * sys_get_robust_list - get_robust_list(2): the robust list head of thread
 * @pid (0: the caller) and its size. Reading another user's thread needs
 * the rights of ptrace's PTRACE_MODE_READ_REALCREDS check: root, or the
 * same real uid and gid as all of the target's ids. Returns 0, -ESRCH,
 * -EPERM or -EFAULT. Takes tasklist_lock, process->lock.
 */
long sys_get_robust_list(pid_t pid, u64 __user *head_ptr, u64 __user *len_ptr)
{
	struct process *self = current->proc;
	u64 head = current->robust_list;

	if (pid) {
		bool found = false;
		u64 robust = 0;
		long err = 0;

		spin_lock(&tasklist_lock);
		struct process *p = pid < 0 ? NULL : tid_owner_locked(pid, &found, &robust);

		if (!p || !found)
			err = -ESRCH;
		else if (self->euid != 0 && p != self &&
			 (self->uid != p->uid || self->uid != p->euid || self->uid != p->suid ||
			  self->gid != p->gid || self->gid != p->egid || self->gid != p->sgid))
			err = -EPERM;
		else
			head = robust;
		spin_unlock(&tasklist_lock);
		if (err)
			return err;
	}
	if (put_user_u64(len_ptr, 24) || put_user_u64(head_ptr, head))
		return -EFAULT;
	return 0;
}

struct linux_timespec {
	s64 tv_sec;
	s64 tv_nsec;
};

#define CLOCK_REALTIME			0
#define CLOCK_MONOTONIC			1
#define CLOCK_PROCESS_CPUTIME_ID	2
#define CLOCK_THREAD_CPUTIME_ID		3
#define CLOCK_MONOTONIC_RAW		4
#define CLOCK_REALTIME_COARSE		5
#define CLOCK_MONOTONIC_COARSE		6
#define CLOCK_BOOTTIME			7
#define NSEC_PER_SEC			1000000000UL

static u64 realtime_ns(void)
{
	return arch_rtc_seconds() * NSEC_PER_SEC + arch_clock_ns() % NSEC_PER_SEC;
}

static int clock_read(int clk, u64 *ns)
{
	struct task *t = current;

	switch (clk) {
	case CLOCK_REALTIME:
	case CLOCK_REALTIME_COARSE:
		*ns = realtime_ns();
		return 0;
	case CLOCK_MONOTONIC:
	case CLOCK_MONOTONIC_RAW:
	case CLOCK_MONOTONIC_COARSE:
	case CLOCK_BOOTTIME:
		*ns = arch_clock_ns();
		return 0;
	case CLOCK_PROCESS_CPUTIME_ID:
	case CLOCK_THREAD_CPUTIME_ID:
		*ns = (t->utime_ticks + t->stime_ticks) * (NSEC_PER_SEC / HZ);
		return 0;
	default:
		return -EINVAL;
	}
}

/* sys_clock_gettime - clock_gettime(2). */
long sys_clock_gettime(int clk, struct linux_timespec __user *uts)
{
	u64 ns;
	int err = clock_read(clk, &ns);

	if (err)
		return err;
	struct linux_timespec ts = { (s64)(ns / NSEC_PER_SEC), (s64)(ns % NSEC_PER_SEC) };

	return copy_to_user(uts, &ts, sizeof(ts)) ? -EFAULT : 0;
}

/* sys_gettimeofday - gettimeofday(2); the timezone argument is zeroed. */
long sys_gettimeofday(struct linux_timeval __user *utv, void __user *tz)
{
	u64 ns = realtime_ns();
	struct linux_timeval tv = { (s64)(ns / NSEC_PER_SEC), (s64)(ns % NSEC_PER_SEC / 1000) };

	if (utv && copy_to_user(utv, &tv, sizeof(tv)))
		return -EFAULT;
	if (tz && clear_user(tz, 8))
		return -EFAULT;
	return 0;
}

/* sys_time - time(2). */
long sys_time(s64 __user *tloc)
{
	s64 now = (s64)(realtime_ns() / NSEC_PER_SEC);

	if (tloc && put_user_u64(tloc, (u64)now))
		return -EFAULT;
	return now;
}

static int timespec_in(const struct linux_timespec __user *u, u64 *ns)
{
	struct linux_timespec ts;

	if (copy_from_user(&ts, u, sizeof(ts)))
		return -EFAULT;
	if (ts.tv_sec < 0 || ts.tv_nsec < 0 || ts.tv_nsec >= (s64)NSEC_PER_SEC)
		return -EINVAL;
	*ns = (u64)ts.tv_sec * NSEC_PER_SEC + (u64)ts.tv_nsec;
	return 0;
}

/*
 * Sleep @ns; when a signal interrupts, report the time left in *@rem and
 * return -ERESTART_RESTARTBLOCK: -EINTR if a handler runs, otherwise the
 * sleep resumes through restart_syscall(2) for the time left (nanosleep(2)).
 */
static long sleep_and_report(u64 ns, struct linux_timespec __user *rem)
{
	u64 left = 0;
	int err = sleep_ns(ns, &left);

	if (err && rem) {
		struct linux_timespec ts = { (s64)(left / NSEC_PER_SEC),
					     (s64)(left % NSEC_PER_SEC) };

		if (copy_to_user(rem, &ts, sizeof(ts)))
			return -EFAULT;
	}
	if (err) {
		current->restart_deadline_ns = arch_clock_ns() + left;
		current->restart_rem = (u64)rem;
		return -ERESTART_RESTARTBLOCK;
	}
	return 0;
}

/* nanosleep_resume - see include/task.h. */
long nanosleep_resume(u64 left_ns, u64 rem)
{
	return sleep_and_report(left_ns, (struct linux_timespec __user *)rem);
}

/* sys_nanosleep - nanosleep(2): -EINVAL, -EFAULT, or -EINTR with *rem. */
long sys_nanosleep(const struct linux_timespec __user *req, struct linux_timespec __user *rem)
{
	u64 ns;
	int err = timespec_in(req, &ns);

	return err ? err : sleep_and_report(ns, rem);
}

#define TIMER_ABSTIME	1

/* sys_clock_nanosleep - clock_nanosleep(2): relative or TIMER_ABSTIME. */
long sys_clock_nanosleep(int clk, int flags, const struct linux_timespec __user *req,
			 struct linux_timespec __user *rem)
{
	u64 ns, now;
	int err = timespec_in(req, &ns);

	if (err)
		return err;
	if (clk == CLOCK_THREAD_CPUTIME_ID)
		return -EINVAL;
	err = clock_read(clk, &now);
	if (err)
		return err;
	if (flags & TIMER_ABSTIME)
		return sleep_ns(ns > now ? ns - now : 0, NULL) ? -ERESTARTNOHAND : 0;
	return sleep_and_report(ns, rem);
}

/* sys_sched_yield - sched_yield(2). */
long sys_sched_yield(void)
{
	sched_yield_current();
	return 0;
}

struct linux_sysinfo {
	s64 uptime;
	u64 loads[3];
	u64 totalram, freeram, sharedram, bufferram, totalswap, freeswap;
	u16 procs, pad;
	u64 totalhigh, freehigh;
	u32 mem_unit;
	char reserved[4];
};

/* sys_sysinfo - sysinfo(2): memory in pages of mem_unit = PAGE_SIZE bytes
 * would lose nothing, but Linux reports bytes with mem_unit 1 when they fit. */
long sys_sysinfo(struct linux_sysinfo __user *u)
{
	struct linux_sysinfo si;

	memset(&si, 0, sizeof(si));
	si.uptime = (s64)(arch_clock_ns() / NSEC_PER_SEC);
	si.totalram = page_total_count() * PAGE_SIZE;
	si.freeram = page_free_count() * PAGE_SIZE;
	si.sharedram = tmpfs_page_count() * PAGE_SIZE;
	si.totalswap = swap_total_pages() * PAGE_SIZE;
	si.freeswap = swap_free_pages() * PAGE_SIZE;
	si.procs = (u16)pid_in_use_count();
	si.mem_unit = 1;
	return copy_to_user(u, &si, sizeof(si)) ? -EFAULT : 0;
}

#define GRND_NONBLOCK	1
#define GRND_RANDOM	2
#define GRND_INSECURE	4

/* sys_getrandom - getrandom(2): bytes from the CPU's random source. */
long sys_getrandom(void __user *buf, size_t len, unsigned flags)
{
	if (flags & ~(u32)(GRND_NONBLOCK | GRND_RANDOM | GRND_INSECURE))
		return -EINVAL;
	len = MIN(len, (size_t)33554431);
	for (size_t done = 0; done < len;) {
		u64 r = arch_random_u64();
		size_t n = MIN(sizeof(r), len - done);

		if (copy_to_user((char __user *)buf + done, &r, n))
			return done ? (long)done : -EFAULT;
		done += n;
	}
	return (long)len;
}

#define PR_SET_NAME	15
#define PR_GET_NAME	16
#define PR_SET_PDEATHSIG	1
#define PR_GET_PDEATHSIG	2
#define PR_GET_DUMPABLE		3
#define PR_SET_DUMPABLE		4
#define PR_SET_CHILD_SUBREAPER	36
#define PR_GET_CHILD_SUBREAPER	37

/* sys_prctl - prctl(2): PR_SET_NAME, PR_GET_NAME, PR_SET/GET_DUMPABLE, the
 * parent-death signal and the child subreaper (kernel/exit.c); other options
 * -EINVAL. */
long sys_prctl(int option, u64 arg2, u64 arg3, u64 arg4, u64 arg5)
{
	struct task *t = current;
	char name[TASK_COMM_LEN];

	switch (option) {
	case PR_SET_NAME: {
		long n = strncpy_from_user(name, (const char __user *)arg2, sizeof(name));

		if (n == -EFAULT)
			return -EFAULT;
		if (n < 0) {	/* longer names are truncated, as on Linux */
			if (copy_from_user(name, (const void __user *)arg2, sizeof(name) - 1))
				return -EFAULT;
			name[sizeof(name) - 1] = 0;
		}
		memcpy(t->comm, name, sizeof(name));
		return 0;
	}
	case PR_GET_NAME:
		return copy_to_user((void __user *)arg2, t->comm, TASK_COMM_LEN) ? -EFAULT : 0;
	case PR_GET_DUMPABLE:
		return t->proc->dumpable;
	case PR_SET_DUMPABLE:
		/* 0 (SUID_DUMP_DISABLE) or 1 (SUID_DUMP_USER); 2 is refused. */
		if (arg2 > 1)
			return -EINVAL;
		spin_lock(&t->proc->lock);
		t->proc->dumpable = arg2 == 1;
		spin_unlock(&t->proc->lock);
		return 0;
	case PR_SET_PDEATHSIG:
	case PR_GET_PDEATHSIG:
	case PR_SET_CHILD_SUBREAPER:
	case PR_GET_CHILD_SUBREAPER:
		return prctl_lifecycle(option, arg2);
	default:
		return -EINVAL;
	}
}

#define LINUX_REBOOT_MAGIC1		0xfee1dead
#define LINUX_REBOOT_CMD_POWER_OFF	0x4321fedc
#define LINUX_REBOOT_CMD_HALT		0xcdef0123
#define LINUX_REBOOT_CMD_RESTART	0x01234567

/* sys_reboot - reboot(2): POWER_OFF and HALT stop the machine (status 0). */
long sys_reboot(int magic1, int magic2, unsigned cmd, void __user *arg)
{
	if ((unsigned)magic1 != LINUX_REBOOT_MAGIC1)
		return -EINVAL;
	if (current->proc->euid != 0)
		return -EPERM;
	switch (cmd) {
	case LINUX_REBOOT_CMD_POWER_OFF:
	case LINUX_REBOOT_CMD_HALT:
	case LINUX_REBOOT_CMD_RESTART:
		trace_dump();
		printk("sprout: power off: status 0\n");
		arch_poweroff(0);
	default:
		return -EINVAL;
	}
}
