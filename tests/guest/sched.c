/*
 * Scheduling calls: nice values through getpriority(2)/setpriority(2) (clamping, PRIO_PGRP,
 * PRIO_USER, EPERM, RLIMIT_NICE's EACCES), policies through sched_setscheduler(2) and its family
 * (SCHED_BATCH/IDLE, FIFO/RR with RLIMIT_RTPRIO, SCHED_RESET_ON_FORK, errors), CPU affinity
 * through sched_setaffinity(2) (the task really moves: getcpu(2) says so; fork inherits it), and
 * the scheduler honouring nice: two loops pinned to one CPU, nice 0 beside nice 19, get very
 * different shares; getrusage(2)'s counts of context switches. Every change is made to this program's own children only.
 */
#define _GNU_SOURCE
#include <tap.h>
#include <sched.h>
#include <sys/syscall.h>

#define UNPRIV_UID	1000
#define PRIO_UID	54123	/* a user nothing else runs as */

#ifndef SCHED_BATCH
#define SCHED_BATCH	3
#endif
#ifndef SCHED_IDLE
#define SCHED_IDLE	5
#endif
#ifndef SCHED_RESET_ON_FORK
#define SCHED_RESET_ON_FORK	0x40000000
#endif

static int nice_of(pid_t pid)
{
	errno = 0;
	return getpriority(PRIO_PROCESS, pid);
}

static long setsched(pid_t pid, int policy, int prio)
{
	struct sched_param sp = { .sched_priority = prio };

	return syscall(SYS_sched_setscheduler, pid, policy, &sp);
}

static long getsched(pid_t pid)
{
	return syscall(SYS_sched_getscheduler, pid);
}

static bool exited_ok(pid_t pid)
{
	int st = tap_wait_bounded(pid, 30);

	return st >= 0 && WIFEXITED(st) && WEXITSTATUS(st) == 0;
}

static pid_t fork_pauser(void)
{
	pid_t pid = fork();

	if (pid == 0) {
		alarm(30);
		for (;;)
			pause();
	}
	return pid;
}

static int nice_basics(void)
{
	CHECK_EQ(nice_of(0), 0);
	CHECK_EQ(setpriority(PRIO_PROCESS, 0, 5), 0);
	CHECK_EQ(nice_of(0), 5);
	CHECK_EQ(nice_of(getpid()), 5);
	CHECK_EQ(syscall(SYS_getpriority, PRIO_PROCESS, 0), 15);	/* the raw call: 20 - nice */
	CHECK_EQ(setpriority(PRIO_PROCESS, 0, 100), 0);
	CHECK_EQ(nice_of(0), 19);
	CHECK_EQ(setpriority(PRIO_PROCESS, 0, -100), 0);		/* root: may lower */
	CHECK_EQ(nice_of(0), -20);
	CHECK_EQ(setpriority(PRIO_PROCESS, 0, 0), 0);
	CHECK_ERR(setpriority(7, 0, 1), EINVAL);
	CHECK_ERR(getpriority(-1, 0), EINVAL);
	CHECK_ERR(setpriority(PRIO_PROCESS, 0x3fffffff, 1), ESRCH);
	CHECK_ERR(getpriority(PRIO_PROCESS, 0x3fffffff), ESRCH);
	/* fork inherits the nice value. */
	CHECK_EQ(setpriority(PRIO_PROCESS, 0, 3), 0);
	pid_t pid = fork();

	if (pid == 0)
		_exit(nice_of(0) == 3 ? 0 : 1);
	CHECK(exited_ok(pid));
	return 0;
}

/*
 * Raise a hard limit, which needs CAP_SYS_RESOURCE: a container may run the suite as a root
 * without it. Returns true if the limit is set; false (with a diagnostic) only off Sprout.
 */
static bool raise_limit(int resource, rlim_t v)
{
	struct rlimit rl = { v, v };

	if (setrlimit(resource, &rl) == 0)
		return true;
	if (errno == EPERM && !tap_on_sprout()) {
		tap_diag("root without CAP_SYS_RESOURCE here: limit %d stays; that part is skipped",
			 resource);
		return false;
	}
	CHECK(!"setrlimit");
	return false;
}

static int nice_unprivileged(void)
{
	struct rlimit zero = { 0, 0 };
	pid_t pid = fork();

	if (pid == 0) {
		/* RLIMIT_NICE 0 (the default): no lowering at all. */
		if (setrlimit(RLIMIT_NICE, &zero) || setuid(UNPRIV_UID))
			_exit(2);
		if (setpriority(PRIO_PROCESS, 0, 10) || nice_of(0) != 10)
			_exit(3);
		if (setpriority(PRIO_PROCESS, 0, 9) != -1 || errno != EACCES || nice_of(0) != 10)
			_exit(4);
		_exit(0);
	}
	CHECK(exited_ok(pid));
	if (!raise_limit(RLIMIT_NICE, 15))	/* nice may go down to 20 - 15 = 5 */
		return 0;
	CHECK_EQ(setuid(UNPRIV_UID), 0);
	CHECK_EQ(setpriority(PRIO_PROCESS, 0, 10), 0);
	CHECK_EQ(setpriority(PRIO_PROCESS, 0, 5), 0);
	CHECK_EQ(nice_of(0), 5);
	CHECK_ERR(setpriority(PRIO_PROCESS, 0, 4), EACCES);
	CHECK_EQ(nice_of(0), 5);
	CHECK_EQ(setpriority(PRIO_PROCESS, 0, 12), 0);
	/* Another user's process (our root parent): EPERM, nothing changes. */
	CHECK_ERR(setpriority(PRIO_PROCESS, getppid(), 19), EPERM);
	CHECK_EQ(nice_of(getppid()), 0);
	return 0;
}

static int nice_groups_and_users(void)
{
	pid_t a, b, u;

	CHECK_EQ(setpgid(0, 0), 0);
	a = fork_pauser();
	b = fork_pauser();
	if (!CHECK(a > 0 && b > 0))
		return 1;
	CHECK_EQ(setpriority(PRIO_PGRP, 0, 7), 0);
	CHECK_EQ(nice_of(a), 7);
	CHECK_EQ(nice_of(b), 7);
	CHECK_EQ(nice_of(0), 7);
	CHECK_EQ(setpriority(PRIO_PROCESS, b, 2), 0);
	errno = 0;
	CHECK_EQ(getpriority(PRIO_PGRP, 0), 2);		/* the best of the group */
	CHECK_EQ(getpriority(PRIO_PGRP, getpgrp()), 2);
	CHECK_ERR(setpriority(PRIO_PGRP, 0x3fffff00, 1), ESRCH);
	kill(a, SIGKILL);
	kill(b, SIGKILL);
	waitpid(a, NULL, 0);
	waitpid(b, NULL, 0);

	/* PRIO_USER: every process of a real user (one nothing else runs as). */
	u = fork();
	if (u == 0) {
		if (setuid(PRIO_UID))
			_exit(2);
		pid_t c = fork_pauser();

		if (c < 0 || setpriority(PRIO_USER, 0, 9))
			_exit(3);
		if (nice_of(c) != 9 || nice_of(0) != 9 || getpriority(PRIO_USER, PRIO_UID) != 9)
			_exit(4);
		kill(c, SIGKILL);
		/* Reaped here: an orphan would live on as a zombie of that user. */
		waitpid(c, NULL, 0);
		_exit(0);
	}
	CHECK(exited_ok(u));
	CHECK_ERR(getpriority(PRIO_USER, PRIO_UID), ESRCH);
	return 0;
}

static int policies(void)
{
	struct sched_param sp = { 0 };
	struct timespec ts;

	CHECK_EQ(getsched(0), SCHED_OTHER);
	CHECK_EQ(sched_get_priority_max(SCHED_FIFO), 99);
	CHECK_EQ(sched_get_priority_min(SCHED_RR), 1);
	CHECK_EQ(sched_get_priority_max(SCHED_OTHER), 0);
	CHECK_EQ(sched_get_priority_min(SCHED_IDLE), 0);
	CHECK_ERR(sched_get_priority_max(4), EINVAL);
	CHECK_ERR(sched_get_priority_min(-1), EINVAL);
	CHECK_EQ(setsched(0, SCHED_BATCH, 0), 0);
	CHECK_EQ(getsched(getpid()), SCHED_BATCH);
	CHECK_EQ(setsched(0, SCHED_IDLE, 0), 0);
	CHECK_EQ(getsched(0), SCHED_IDLE);
	CHECK_EQ(setsched(0, SCHED_FIFO, 10), 0);
	CHECK_EQ(getsched(0), SCHED_FIFO);
	CHECK_EQ(syscall(SYS_sched_getparam, 0, &sp), 0);
	CHECK_EQ(sp.sched_priority, 10);
	CHECK_EQ(syscall(SYS_sched_rr_get_interval, 0, &ts), 0);
	CHECK_EQ(ts.tv_sec, 0);
	CHECK_EQ(ts.tv_nsec, 0);
	sp.sched_priority = 20;
	CHECK_EQ(syscall(SYS_sched_setparam, 0, &sp), 0);
	CHECK_EQ(getsched(0), SCHED_FIFO);
	CHECK_EQ(setsched(0, SCHED_RR, 5), 0);
	CHECK_EQ(syscall(SYS_sched_rr_get_interval, 0, &ts), 0);
	CHECK_EQ(ts.tv_sec, 0);
	CHECK_EQ(ts.tv_nsec, 100000000);
	CHECK_EQ(setsched(0, SCHED_OTHER, 0), 0);
	CHECK_EQ(syscall(SYS_sched_getparam, 0, &sp), 0);
	CHECK_EQ(sp.sched_priority, 0);
	/* Errors. */
	CHECK_ERR(setsched(0, SCHED_FIFO, 0), EINVAL);
	CHECK_ERR(setsched(0, SCHED_OTHER, 5), EINVAL);
	CHECK_ERR(setsched(0, SCHED_RR, 100), EINVAL);
	CHECK_ERR(setsched(0, 7, 0), EINVAL);
	CHECK_ERR(setsched(-1, SCHED_OTHER, 0), EINVAL);
	CHECK_ERR(syscall(SYS_sched_setscheduler, 0, SCHED_OTHER, NULL), EINVAL);
	CHECK_ERR(syscall(SYS_sched_setscheduler, 0, SCHED_OTHER, tap_bad_ptr(16)), EFAULT);
	CHECK_ERR(setsched(0x3fffffff, SCHED_OTHER, 0), ESRCH);
	CHECK_ERR(getsched(-1), EINVAL);
	CHECK_ERR(getsched(0x3fffffff), ESRCH);
	CHECK_ERR(syscall(SYS_sched_getparam, 0, NULL), EINVAL);
	CHECK_ERR(syscall(SYS_sched_getparam, 0, tap_bad_ptr(16)), EFAULT);
	CHECK_ERR(syscall(SYS_sched_rr_get_interval, -1, &ts), EINVAL);
	return 0;
}

static int reset_on_fork(void)
{
	pid_t pid;

	CHECK_EQ(setpriority(PRIO_PROCESS, 0, -5), 0);
	CHECK_EQ(setsched(0, SCHED_BATCH | SCHED_RESET_ON_FORK, 0), 0);
	CHECK_EQ(getsched(0), SCHED_BATCH | SCHED_RESET_ON_FORK);
	pid = fork();
	if (pid == 0)
		_exit(getsched(0) == SCHED_BATCH && nice_of(0) == 0 ? 0 : 1);
	CHECK(exited_ok(pid));
	CHECK_EQ(setsched(0, SCHED_RR | SCHED_RESET_ON_FORK, 3), 0);
	pid = fork();
	if (pid == 0)
		_exit(getsched(0) == SCHED_OTHER ? 0 : 1);
	CHECK(exited_ok(pid));
	return 0;
}

static int policies_unprivileged(void)
{
	struct rlimit zero = { 0, 0 };
	pid_t pid;

	pid = fork();
	if (pid == 0) {
		if (setrlimit(RLIMIT_NICE, &zero) || setrlimit(RLIMIT_RTPRIO, &zero) ||
		    setuid(UNPRIV_UID))
			_exit(2);
		if (setsched(0, SCHED_FIFO, 1) != -1 || errno != EPERM)
			_exit(3);
		if (setsched(0, SCHED_BATCH, 0) || setsched(0, SCHED_IDLE, 0))
			_exit(4);
		/* Leaving SCHED_IDLE needs the right to this nice value. */
		if (setsched(0, SCHED_OTHER, 0) != -1 || errno != EPERM)
			_exit(5);
		if (setsched(getppid(), SCHED_BATCH, 0) != -1 || errno != EPERM)
			_exit(6);
		_exit(0);
	}
	CHECK(exited_ok(pid));
	if (!raise_limit(RLIMIT_RTPRIO, 5))
		return 0;
	pid = fork();
	if (pid == 0) {
		if (setuid(UNPRIV_UID))
			_exit(2);
		if (setsched(0, SCHED_FIFO, 6) != -1 || errno != EPERM)
			_exit(3);
		if (setsched(0, SCHED_RR, 5) || getsched(0) != SCHED_RR)
			_exit(4);
		_exit(setsched(0, SCHED_OTHER, 0) ? 5 : 0);
	}
	CHECK(exited_ok(pid));
	return 0;
}

static int ncpus(void)
{
	cpu_set_t set;

	CPU_ZERO(&set);
	if (sched_getaffinity(0, sizeof(set), &set))
		return 0;
	return CPU_COUNT(&set);
}

/* Spin a while (about @ms of wall time) and say whether we stayed on @cpu all along. */
static bool stays_on(int cpu, int ms)
{
	long long end = tap_now_ms() + ms;
	bool ok = true;

	while (tap_now_ms() < end) {
		unsigned c = 99;

		if (syscall(SYS_getcpu, &c, NULL, NULL) || (int)c != cpu)
			ok = false;
	}
	return ok;
}

static int affinity_pins(void)
{
	cpu_set_t set, got;
	unsigned cpu = 99, node = 99;
	int n = ncpus();
	pid_t pid;

	CHECK_EQ(syscall(SYS_getcpu, &cpu, &node, NULL), 0);
	CHECK(cpu < 64);
	CHECK_EQ(node, 0);
	CHECK_EQ(syscall(SYS_getcpu, NULL, NULL, NULL), 0);
	CHECK_ERR(syscall(SYS_getcpu, tap_bad_ptr(16), NULL, NULL), EFAULT);
	for (int c = n - 1; c >= 0; c--) {
		CPU_ZERO(&set);
		CPU_SET(c, &set);
		CHECK_EQ(sched_setaffinity(0, sizeof(set), &set), 0);
		CHECK_EQ(sched_getaffinity(0, sizeof(got), &got), 0);
		CHECK(CPU_EQUAL(&set, &got));
		CHECK(stays_on(c, 200));
	}
	/* A child inherits the mask and stays there too. */
	pid = fork();
	if (pid == 0)
		_exit(stays_on(0, 200) ? 0 : 1);
	CHECK(exited_ok(pid));
	/* Pinning another task of ours moves it. */
	if (n >= 2) {
		pid = fork();
		if (pid == 0) {
			long long end = tap_now_ms() + 3000;
			unsigned c = 99;

			while (tap_now_ms() < end) {
				syscall(SYS_getcpu, &c, NULL, NULL);
				if (c == 1)
					_exit(0);
			}
			_exit(1);
		}
		CPU_ZERO(&set);
		CPU_SET(1, &set);
		CHECK_EQ(sched_setaffinity(pid, sizeof(set), &set), 0);
		CHECK(exited_ok(pid));
	}
	CPU_ZERO(&set);
	CHECK_ERR(sched_setaffinity(0, sizeof(set), &set), EINVAL);
	CPU_SET(60, &set);
	CHECK_ERR(sched_setaffinity(0, sizeof(set), &set), EINVAL);
	CHECK_ERR(sched_setaffinity(0, sizeof(set), tap_bad_ptr(16)), EFAULT);
	CPU_SET(0, &set);
	CHECK_ERR(sched_setaffinity(0x3fffffff, sizeof(set), &set), ESRCH);
	pid = fork();
	if (pid == 0) {
		if (setuid(UNPRIV_UID))
			_exit(2);
		_exit(sched_setaffinity(getppid(), sizeof(set), &set) == -1 && errno == EPERM ?
		      0 : 1);
	}
	CHECK(exited_ok(pid));
	return 0;
}

/* Loop on CPU 0 at nice @nice until @end_ms; report the CPU time it got (ns) through @fd.
 * CPU time, not iterations: the share the scheduler gave is what is asked, and a busy host
 * slows the instructions of an emulated guest unevenly. */
static pid_t spinner(int nice, int policy, long long end_ms, int fd)
{
	pid_t pid = fork();

	if (pid == 0) {
		cpu_set_t set;
		unsigned long long n = 0;

		CPU_ZERO(&set);
		CPU_SET(0, &set);
		if (sched_setaffinity(0, sizeof(set), &set) || setpriority(PRIO_PROCESS, 0, nice) ||
		    setsched(0, policy, 0))
			_exit(2);
		struct timespec ts;

		while (tap_now_ms() < end_ms)
			for (volatile int i = 0; i < 1000; i++)
				n++;
		if (clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts))
			_exit(4);
		n = (unsigned long long)ts.tv_sec * 1000000000ULL + (unsigned long long)ts.tv_nsec;
		_exit(write(fd, &n, sizeof(n)) == sizeof(n) ? 0 : 3);
	}
	return pid;
}

/* Two loops sharing CPU 0: the first's CPU time divided by the second's. */
static double share_ratio(int nice_a, int pol_a, int nice_b, int pol_b)
{
	int pa[2], pb[2];
	unsigned long long a = 0, b = 0;
	long long end = tap_now_ms() + 3000;
	pid_t x, y;

	if (pipe(pa) || pipe(pb))
		return -1;
	x = spinner(nice_a, pol_a, end, pa[1]);
	y = spinner(nice_b, pol_b, end, pb[1]);
	if (!exited_ok(x) || !exited_ok(y))
		return -1;
	if (read(pa[0], &a, sizeof(a)) != sizeof(a) || read(pb[0], &b, sizeof(b)) != sizeof(b))
		return -1;
	tap_diag("CPU time: %llu vs %llu ms", a / 1000000, b / 1000000);
	return b ? (double)a / (double)b : 1e9;
}

static int nice_shares_cpu(void)
{
	double equal = share_ratio(0, SCHED_OTHER, 0, SCHED_OTHER);
	double niced = share_ratio(0, SCHED_OTHER, 19, SCHED_OTHER);
	double idle = share_ratio(0, SCHED_OTHER, 0, SCHED_IDLE);

	tap_diag("ratios: equal %.2f, nice 19 %.2f, SCHED_IDLE %.2f", equal, niced, idle);
	CHECK(equal > 0.5 && equal < 2.0);
	CHECK(niced > 8.0);		/* weights 1024:15, about 68:1 */
	CHECK(idle > 8.0);		/* weights 1024:3 */
	return 0;
}

/*
 * RLIMIT_RTTIME (setrlimit(2)): a SCHED_FIFO task that runs without blocking gets SIGXCPU at
 * the soft limit and SIGKILL at the hard one; a task that blocks starts counting again.
 */
static volatile sig_atomic_t xcpu_seen;

static void on_xcpu(int sig)
{
	xcpu_seen++;
}

/* Spin for @ms of CPU time, never blocking. */
static void spin_cpu_ms(long ms)
{
	struct timespec a, b;

	clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &a);
	do
		clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &b);
	while ((b.tv_sec - a.tv_sec) * 1000 + (b.tv_nsec - a.tv_nsec) / 1000000 < ms);
}

static int rttime_limit(void)
{
	int st;
	pid_t pid;

	fflush(NULL);
	pid = fork();
	if (pid == 0) {
		struct rlimit rl = { 200000, 700000 };	/* microseconds: 0.2 s soft, 0.7 s hard */

		signal(SIGXCPU, on_xcpu);
		if (setrlimit(RLIMIT_RTTIME, &rl) || setsched(0, SCHED_FIFO, 1))
			_exit(2);
		/* Blocking restarts the count: 0.15 s, a sleep, 0.15 s: no signal yet. */
		spin_cpu_ms(150);
		usleep(1000);
		spin_cpu_ms(150);
		if (xcpu_seen)
			_exit(3);
		/* Past the soft limit: SIGXCPU, then the hard limit kills. */
		spin_cpu_ms(300);
		if (!xcpu_seen)
			_exit(4);
		spin_cpu_ms(3000);
		_exit(5);
	}
	CHECK_EQ(waitpid(pid, &st, 0), pid);
	if (!CHECK(WIFSIGNALED(st) && WTERMSIG(st) == SIGKILL))
		tap_diag("status %#x", st);
	return 0;
}

/* Voluntary and involuntary switches of the caller (or its waited-for children). */
static long csw(int who, bool voluntary)
{
	struct rusage ru;

	if (getrusage(who, &ru))
		return -1;
	return voluntary ? ru.ru_nvcsw : ru.ru_nivcsw;
}

static int rusage_switches(void)
{
	long v0 = csw(RUSAGE_SELF, true), tv0 = csw(RUSAGE_THREAD, true), iv0;
	volatile int *ran;
	cpu_set_t one;
	pid_t pid;
	int st;

	/* A sleep gives the CPU up: a voluntary switch, for the process and the thread. */
	usleep(2000);
	CHECK(csw(RUSAGE_SELF, true) > v0);
	CHECK(csw(RUSAGE_THREAD, true) > tv0);
	/* A reaped child's sleeps reach RUSAGE_CHILDREN. */
	v0 = csw(RUSAGE_CHILDREN, true);
	CHECK_EQ(v0, 0);
	fflush(NULL);
	pid = fork();
	if (pid == 0) {
		for (int i = 0; i < 3; i++)
			usleep(1000);
		_exit(0);
	}
	CHECK_EQ(waitpid(pid, &st, 0), pid);
	CHECK(csw(RUSAGE_CHILDREN, true) >= v0 + 3);
	/* Both pinned to one CPU and this process never blocking: the child can only have run
	 * if this process was switched out while runnable, an involuntary switch. */
	ran = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	if (!CHECK(ran != MAP_FAILED))
		return 0;
	CPU_ZERO(&one);
	CPU_SET(0, &one);
	CHECK_EQ(sched_setaffinity(0, sizeof(one), &one), 0);
	iv0 = csw(RUSAGE_SELF, false);
	pid = fork();
	if (pid == 0) {
		*ran = 1;
		_exit(0);
	}
	while (!*ran)
		sched_yield();
	CHECK(csw(RUSAGE_SELF, false) > iv0);
	CHECK_EQ(waitpid(pid, &st, 0), pid);
	return 0;
}

/* Two processes pinned to one CPU, yielding in turn: nearly every sched_yield() hands the CPU
 * over (counted with getrusage), whatever share of the CPU each has had so far. */
static int yield_hands_over(void)
{
	volatile int *sh;
	cpu_set_t one;
	long s0, s1;
	pid_t pid;
	int st;

	sh = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	if (!CHECK(sh != MAP_FAILED))
		return 0;
	CPU_ZERO(&one);
	CPU_SET(0, &one);
	CHECK_EQ(sched_setaffinity(0, sizeof(one), &one), 0);
	fflush(NULL);
	pid = fork();
	if (pid == 0) {
		sh[0] = 1;
		while (!sh[1])
			sched_yield();
		_exit(0);
	}
	/* Linux starts the child a slice behind: until then a yield returns at once. */
	while (!sh[0])
		sched_yield();
	for (int i = 0; i < 16; i++)
		sched_yield();
	s0 = csw(RUSAGE_SELF, false);
	for (int i = 0; i < 2000; i++)
		sched_yield();
	s1 = csw(RUSAGE_SELF, false);
	sh[1] = 1;
	CHECK_EQ(waitpid(pid, &st, 0), pid);
	if (!CHECK(s1 - s0 >= 1800))
		tap_diag("%ld switches in 2000 yields", s1 - s0);
	return 0;
}

struct k_sched_attr {
	uint32_t size, policy;
	uint64_t flags;
	int32_t nice;
	uint32_t priority;
	uint64_t runtime, deadline, period;
	uint32_t util_min, util_max;
};

/* sched_getattr(2): policy, flags, nice and priority of a thread; the size handshake
 * (48-byte first version up to a page, the rest zeroed); EINVAL, ESRCH, EFAULT. */
static int getattr(void)
{
	struct k_sched_attr a;
	struct sched_param sp = { .sched_priority = 0 };
	unsigned char big[128];

	CHECK_EQ(setpriority(PRIO_PROCESS, 0, 7), 0);
	memset(&a, 0xff, sizeof(a));
	CHECK_EQ(syscall(SYS_sched_getattr, 0, &a, sizeof(a), 0), 0);
	CHECK_EQ(a.size, sizeof(a));
	CHECK_EQ(a.policy, SCHED_OTHER);
	CHECK_EQ(a.flags, 0);
	CHECK_EQ(a.nice, 7);
	CHECK_EQ(a.priority, 0);
	CHECK_EQ(a.deadline + a.period, 0);	/* runtime: Linux 6.12 on report a slice */
	CHECK_EQ(syscall(SYS_sched_setscheduler, 0, SCHED_BATCH | SCHED_RESET_ON_FORK, &sp), 0);
	memset(big, 0xff, sizeof(big));
	CHECK_EQ(syscall(SYS_sched_getattr, getpid(), big, sizeof(big), 0), 0);
	memcpy(&a, big, sizeof(a));
	CHECK_EQ(a.size, sizeof(a));	/* what the kernel filled */
	CHECK_EQ(a.policy, SCHED_BATCH);
	CHECK_EQ(a.flags, 1);		/* SCHED_FLAG_RESET_ON_FORK */
	CHECK_EQ(a.nice, 7);
	for (size_t i = sizeof(a); i < sizeof(big); i++)
		if (big[i]) {
			CHECK_EQ(big[i], 0);
			break;
		}
	memset(&a, 0xff, sizeof(a));
	CHECK_EQ(syscall(SYS_sched_getattr, 0, &a, 48, 0), 0);
	CHECK_EQ(a.size, 48);
	CHECK_EQ(a.util_min, 0xffffffffu);	/* past the 48 bytes asked for: untouched */
	CHECK_ERR(syscall(SYS_sched_getattr, 0, &a, 47, 0), EINVAL);
	CHECK_ERR(syscall(SYS_sched_getattr, 0, &a, 8192, 0), EINVAL);
	CHECK_ERR(syscall(SYS_sched_getattr, 0, &a, sizeof(a), 1), EINVAL);
	CHECK_ERR(syscall(SYS_sched_getattr, -1, &a, sizeof(a), 0), EINVAL);
	CHECK_ERR(syscall(SYS_sched_getattr, 0, NULL, sizeof(a), 0), EINVAL);
	CHECK_ERR(syscall(SYS_sched_getattr, 0x3fffffff, &a, sizeof(a), 0), ESRCH);
	CHECK_ERR(syscall(SYS_sched_getattr, 0, tap_bad_ptr(16), sizeof(a), 0), EFAULT);
	return 0;
}

#define IOPRIO_WHO_PROCESS	1
#define IOPRIO_WHO_PGRP		2
#define IOPRIO_WHO_USER		3
#define IOPRIO_VALUE(class, level)	(((class) << 13) | (level))

/* ioprio_set(2)/ioprio_get(2): none set reads 0; a class and level set is read back
 * and inherited by fork; the best of a group; the errors. */
static int ioprio(void)
{
	long be3 = IOPRIO_VALUE(2, 3), idle = IOPRIO_VALUE(3, 0);
	int p[2], q[2];
	char c;
	pid_t pid;

	CHECK_EQ(syscall(SYS_ioprio_get, IOPRIO_WHO_PROCESS, 0), 0);
	CHECK_EQ(syscall(SYS_ioprio_set, IOPRIO_WHO_PROCESS, 0, be3), 0);
	CHECK_EQ(syscall(SYS_ioprio_get, IOPRIO_WHO_PROCESS, getpid()), be3);
	CHECK_EQ(setpgid(0, 0), 0);
	CHECK_EQ(pipe(p), 0);
	CHECK_EQ(pipe(q), 0);
	pid = fork();
	if (pid == 0) {
		long v = syscall(SYS_ioprio_get, IOPRIO_WHO_PROCESS, 0);

		(void)!write(q[1], "r", 1);
		(void)!read(p[0], &c, 1);
		_exit(v == be3 ? 0 : 1);
	}
	CHECK_EQ(read(q[0], &c, 1), 1);	/* the child has read its inherited value */
	/* Best of the group: real-time and best effort win over idle, lower levels win. */
	CHECK_EQ(syscall(SYS_ioprio_set, IOPRIO_WHO_PROCESS, pid, idle), 0);
	CHECK_EQ(syscall(SYS_ioprio_get, IOPRIO_WHO_PROCESS, pid), idle);
	CHECK_EQ(syscall(SYS_ioprio_get, IOPRIO_WHO_PGRP, 0), be3);
	CHECK_EQ(syscall(SYS_ioprio_set, IOPRIO_WHO_PGRP, 0, IOPRIO_VALUE(2, 6)), 0);
	CHECK_EQ(syscall(SYS_ioprio_get, IOPRIO_WHO_PROCESS, pid), IOPRIO_VALUE(2, 6));
	CHECK_EQ(syscall(SYS_ioprio_get, IOPRIO_WHO_USER, 0) >= 0, 1);
	CHECK_EQ(write(p[1], "x", 1), 1);
	CHECK_EQ(tap_wait_bounded(pid, 10), 0);
	CHECK_ERR(syscall(SYS_ioprio_set, IOPRIO_WHO_PROCESS, 0, IOPRIO_VALUE(0, 1)), EINVAL);
	CHECK_ERR(syscall(SYS_ioprio_set, IOPRIO_WHO_PROCESS, 0, IOPRIO_VALUE(5, 0)), EINVAL);
	CHECK_ERR(syscall(SYS_ioprio_set, 0, 0, be3), EINVAL);
	CHECK_ERR(syscall(SYS_ioprio_get, 4, 0), EINVAL);
	CHECK_ERR(syscall(SYS_ioprio_get, IOPRIO_WHO_PROCESS, 0x3fffffff), ESRCH);
	CHECK_ERR(syscall(SYS_ioprio_set, IOPRIO_WHO_PROCESS, 0x3fffffff, be3), ESRCH);
	/* An ordinary user: no real-time class, nobody else's process. */
	pid = fork();
	if (pid == 0) {
		if (setuid(UNPRIV_UID))
			_exit(2);
		if (syscall(SYS_ioprio_set, IOPRIO_WHO_PROCESS, 0, IOPRIO_VALUE(1, 0)) != -1 ||
		    errno != EPERM)
			_exit(3);
		if (syscall(SYS_ioprio_set, IOPRIO_WHO_PROCESS, getppid(), idle) != -1 ||
		    errno != EPERM)
			_exit(4);
		_exit(syscall(SYS_ioprio_set, IOPRIO_WHO_PROCESS, 0, idle) == 0 ? 0 : 5);
	}
	CHECK_EQ(tap_wait_bounded(pid, 10), 0);
	return 0;
}

int main(void)
{
	tap_plan(13);
	run_case("setpriority/getpriority: clamping, errors, inherited by fork", nice_basics);
	run_case("unprivileged: RLIMIT_NICE bounds lowering (EACCES), others' tasks EPERM",
		 nice_unprivileged);
	run_case("PRIO_PGRP and PRIO_USER reach every member", nice_groups_and_users);
	run_case("sched_setscheduler family: policies, priorities, errors", policies);
	run_case("SCHED_RESET_ON_FORK", reset_on_fork);
	run_case("real-time policies need RLIMIT_RTPRIO; leaving SCHED_IDLE needs RLIMIT_NICE",
		 policies_unprivileged);
	run_case("sched_setaffinity pins a task (getcpu), fork inherits, errors", affinity_pins);
	run_case("the scheduler honours nice and SCHED_IDLE", nice_shares_cpu);
	run_case("RLIMIT_RTTIME: SIGXCPU at the soft limit, SIGKILL at the hard one", rttime_limit);
	run_case("getrusage counts voluntary and involuntary context switches", rusage_switches);
	run_case("sched_yield between two processes on one CPU hands it over each time",
		 yield_hands_over);
	run_case("sched_getattr: policy, flags, nice; sizes; errors", getattr);
	run_case("ioprio_set/ioprio_get: set, inherited, best of a group, errors", ioprio);
	return tap_done();
}
