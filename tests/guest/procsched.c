/*
 * The /proc fields that procps reads about scheduling and resources, computed from the
 * process: /proc/PID/stat's priority, nice, num_threads, exit_signal, processor, rt_priority,
 * policy, start_code/end_code; /proc/PID/status's Cpus_allowed(_list), voluntary and
 * nonvoluntary context switches, SigQ, VmPTE; /proc/stat's nice column; /proc/meminfo's Shmem
 * and Cached with sysinfo(2)'s sharedram.
 */
#define _GNU_SOURCE
#include <tap.h>
#include <sched.h>
#include <pthread.h>
#include <sys/syscall.h>

#define QUEUE_UID	54124	/* a user nothing else runs as */

/* Field @n (1-based, proc(5) numbering) of /proc/@pid/stat as a number; -1 on error. */
static long long stat_field(pid_t pid, int n)
{
	char path[64], buf[2048], *p;
	int i;

	snprintf(path, sizeof(path), "/proc/%d/stat", (int)pid);
	if (tap_read_file(path, buf, sizeof(buf)) <= 0)
		return -1;
	p = strrchr(buf, ')');
	if (!p || n < 3)
		return -1;
	p += 2;			/* field 3 starts here */
	for (i = 3; i < n; i++) {
		p = strchr(p, ' ');
		if (!p)
			return -1;
		p++;
	}
	return strtoll(p, NULL, 10);
}

/* The text after "@name:\t" in /proc/self/status (up to the newline), or "" if missing. */
static const char *status_str(const char *name, char *out, size_t size)
{
	char buf[8192], *l;
	size_t len = strlen(name);

	out[0] = 0;
	if (tap_read_file("/proc/self/status", buf, sizeof(buf)) <= 0)
		return out;
	for (l = buf; l; l = strchr(l, '\n') ? strchr(l, '\n') + 1 : NULL)
		if (!strncmp(l, name, len) && l[len] == ':') {
			l += len + 1;
			while (*l == ' ' || *l == '\t')
				l++;
			snprintf(out, size, "%.*s", (int)strcspn(l, "\n"), l);
			break;
		}
	return out;
}

static long long status_num(const char *name)
{
	char s[128];

	return strtoll(status_str(name, s, sizeof(s)), NULL, 10);
}

static int pin(int cpu)
{
	cpu_set_t set;

	CPU_ZERO(&set);
	CPU_SET(cpu, &set);
	return sched_setaffinity(0, sizeof(set), &set);
}

static void *idle_thread(void *arg)
{
	volatile int *stop = arg;

	while (!*stop)
		tap_sleep_ms(1);
	return NULL;
}

static int stat_nice_priority_threads(void)
{
	volatile int stop = 0;
	pthread_t th;

	CHECK_EQ(stat_field(getpid(), 18), 20);
	CHECK_EQ(stat_field(getpid(), 19), 0);
	CHECK_EQ(setpriority(PRIO_PROCESS, 0, 5), 0);
	CHECK_EQ(stat_field(getpid(), 18), 25);
	CHECK_EQ(stat_field(getpid(), 19), 5);
	CHECK_EQ(setpriority(PRIO_PROCESS, 0, -3), 0);
	CHECK_EQ(stat_field(getpid(), 19), -3);
	CHECK_EQ(stat_field(getpid(), 20), 1);
	CHECK_EQ(pthread_create(&th, NULL, idle_thread, (void *)&stop), 0);
	CHECK_EQ(stat_field(getpid(), 20), 2);
	stop = 1;
	CHECK_EQ(pthread_join(th, NULL), 0);
	CHECK_EQ(stat_field(getpid(), 20), 1);
	return 0;
}

static int stat_policy_fields(void)
{
	struct sched_param sp = { .sched_priority = 10 };

	CHECK_EQ(stat_field(getpid(), 40), 0);
	CHECK_EQ(stat_field(getpid(), 41), SCHED_OTHER);
	CHECK_EQ(syscall(SYS_sched_setscheduler, 0, SCHED_FIFO, &sp), 0);
	CHECK_EQ(stat_field(getpid(), 18), -11);
	CHECK_EQ(stat_field(getpid(), 40), 10);
	CHECK_EQ(stat_field(getpid(), 41), SCHED_FIFO);
	sp.sched_priority = 0;
	CHECK_EQ(syscall(SYS_sched_setscheduler, 0, SCHED_BATCH, &sp), 0);
	CHECK_EQ(stat_field(getpid(), 40), 0);
	CHECK_EQ(stat_field(getpid(), 41), SCHED_BATCH);
	CHECK_EQ(stat_field(getpid(), 18), 20);
	return 0;
}

static int child_fn(void *arg)
{
	(void)arg;
	pause();
	return 0;
}

static void on_usr1(int sig)
{
	(void)sig;
}

static int stat_exit_signal_and_code(void)
{
	static char stack[65536];
	pid_t pid = signal(SIGUSR1, on_usr1) == SIG_ERR ? -1 : clone(child_fn, stack + sizeof(stack), SIGUSR1, NULL);
	long long start = stat_field(getpid(), 26), end = stat_field(getpid(), 27);
	unsigned long m = (unsigned long)(uintptr_t)&stat_exit_signal_and_code;

	if (!CHECK(pid > 0))
		return 1;
	CHECK_EQ(stat_field(pid, 38), SIGUSR1);
	CHECK_EQ(stat_field(getpid(), 38), SIGCHLD);
	kill(pid, SIGKILL);
	waitpid(pid, NULL, __WALL);
	/* The program's text holds its own functions. */
	CHECK(start > 0 && end > start);
	CHECK((unsigned long long)start <= m && m < (unsigned long long)end);
	return 0;
}

static int processor_and_cpus_allowed(void)
{
	char s[128];
	unsigned cpu = 99;

	CHECK_EQ(pin(0), 0);
	CHECK_EQ(stat_field(getpid(), 39), 0);
	CHECK_EQ(strtoul(status_str("Cpus_allowed", s, sizeof(s)), NULL, 16), 1);
	CHECK(!strcmp(status_str("Cpus_allowed_list", s, sizeof(s)), "0"));
	if (sysconf(_SC_NPROCESSORS_ONLN) >= 2) {
		CHECK_EQ(pin(1), 0);
		CHECK_EQ(syscall(SYS_getcpu, &cpu, NULL, NULL), 0);
		CHECK_EQ(cpu, 1);
		CHECK_EQ(stat_field(getpid(), 39), 1);
		CHECK_EQ(strtoul(status_str("Cpus_allowed", s, sizeof(s)), NULL, 16), 2);
		CHECK(!strcmp(status_str("Cpus_allowed_list", s, sizeof(s)), "1"));
	}
	return 0;
}

static int context_switches(void)
{
	long long vol = status_num("voluntary_ctxt_switches");
	long long invol = status_num("nonvoluntary_ctxt_switches");
	long long end;
	pid_t spin;

	for (int i = 0; i < 5; i++)
		tap_sleep_ms(5);
	CHECK(status_num("voluntary_ctxt_switches") >= vol + 5);
	/* Sharing one CPU with a loop: the tick takes the CPU away. */
	CHECK_EQ(pin(0), 0);
	spin = fork();
	if (spin == 0) {
		alarm(20);
		for (;;)
			;
	}
	end = tap_now_ms() + 500;
	while (tap_now_ms() < end)
		;
	kill(spin, SIGKILL);
	waitpid(spin, NULL, 0);
	CHECK(status_num("nonvoluntary_ctxt_switches") > invol);
	return 0;
}

static int sigq_counts_queued(void)
{
	char s[128], want[64];
	sigset_t set;
	union sigval v = { 0 };
	struct rlimit rl;

	if (setuid(QUEUE_UID))
		return 1;
	sigemptyset(&set);
	sigaddset(&set, SIGRTMIN);
	sigprocmask(SIG_BLOCK, &set, NULL);
	CHECK_EQ(getrlimit(RLIMIT_SIGPENDING, &rl), 0);
	snprintf(want, sizeof(want), "0/%llu", (unsigned long long)rl.rlim_cur);
	CHECK(!strcmp(status_str("SigQ", s, sizeof(s)), want));
	for (int i = 0; i < 3; i++)
		CHECK_EQ(sigqueue(getpid(), SIGRTMIN, v), 0);
	snprintf(want, sizeof(want), "3/%llu", (unsigned long long)rl.rlim_cur);
	CHECK(!strcmp(status_str("SigQ", s, sizeof(s)), want));
	if (strcmp(s, want))
		tap_diag("SigQ %s", s);
	return 0;
}

static int vmpte_grows(void)
{
	long long before = status_num("VmPTE");
	size_t len = 64UL << 20;
	char *p = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

	if (!CHECK(p != MAP_FAILED))
		return 1;
	madvise(p, len, MADV_NOHUGEPAGE);
	CHECK(before > 0);
	for (size_t off = 0; off < len; off += 2UL << 20)
		p[off] = 1;
	/* One leaf table per 2 MiB touched: at least 31 more (the ends may share). */
	CHECK(status_num("VmPTE") >= before + 31 * 4);
	CHECK_EQ(munmap(p, len), 0);
	return 0;
}

/* The nice column of /proc/stat's "cpu" line. */
static long long stat_nice_ticks(void)
{
	char buf[4096];
	unsigned long long user, nice;

	if (tap_read_file("/proc/stat", buf, sizeof(buf)) <= 0 ||
	    sscanf(buf, "cpu %llu %llu", &user, &nice) != 2)
		return -1;
	return (long long)nice;
}

static int proc_stat_nice_column(void)
{
	long long before = stat_nice_ticks(), end;
	pid_t pid = fork();

	if (pid == 0) {
		if (setpriority(PRIO_PROCESS, 0, 10))
			_exit(2);
		end = tap_now_ms() + 600;
		/* Mostly user-mode work: the clock is read only now and then. */
		while (tap_now_ms() < end)
			for (volatile int i = 0; i < 200000; i++)
				;
		_exit(0);
	}
	CHECK_EQ(tap_wait_bounded(pid, 20), 0);
	CHECK(before >= 0);
	/* 600 ms at nice 10 in user mode: most of 60 ticks land in the nice column. */
	long long after = stat_nice_ticks();

	if (!CHECK(after >= before + 30))
		tap_diag("nice ticks %lld -> %lld", before, after);
	return 0;
}

/* A "Name: N kB" line of /proc/meminfo, in kB; -1 if missing. */
static long long meminfo_kb(const char *name)
{
	char buf[8192], *l;
	size_t len = strlen(name);

	if (tap_read_file("/proc/meminfo", buf, sizeof(buf)) <= 0)
		return -1;
	for (l = buf; l; l = strchr(l, '\n') ? strchr(l, '\n') + 1 : NULL)
		if (!strncmp(l, name, len) && l[len] == ':')
			return atoll(l + len + 1);
	return -1;
}

static int meminfo_shmem(void)
{
	long long before = meminfo_kb("Shmem"), after;
	int fd = (int)syscall(SYS_memfd_create, "shmem", 0);
	char page[4096];
	struct sysinfo si;

	if (!CHECK(fd >= 0) || !CHECK(before >= 0))
		return 1;
	memset(page, 1, sizeof(page));
	for (int i = 0; i < 1024; i++)		/* 4 MiB of shared memory */
		if (write(fd, page, sizeof(page)) != sizeof(page))
			return 1;
	after = meminfo_kb("Shmem");
	CHECK(after >= before + 4096 - 512);	/* others may free some meanwhile */
	CHECK(meminfo_kb("Cached") >= after - 512);
	CHECK_EQ(sysinfo(&si), 0);
	CHECK((long long)si.sharedram * si.mem_unit / 1024 >= after - 512);
	close(fd);
	CHECK(meminfo_kb("Shmem") <= after - 4096 + 512);
	return 0;
}

int main(void)
{
	tap_plan(9);
	run_case("stat: priority, nice, num_threads", stat_nice_priority_threads);
	run_case("stat: rt_priority and policy", stat_policy_fields);
	run_case("stat: exit_signal, start_code/end_code", stat_exit_signal_and_code);
	run_case("stat processor and status Cpus_allowed follow affinity",
		 processor_and_cpus_allowed);
	run_case("status: voluntary and nonvoluntary context switches", context_switches);
	run_case("status: SigQ counts the user's queued signals", sigq_counts_queued);
	run_case("status: VmPTE grows with page tables", vmpte_grows);
	run_case("/proc/stat: niced user time in the nice column", proc_stat_nice_column);
	run_case("/proc/meminfo Shmem and Cached, sysinfo sharedram: tmpfs pages", meminfo_shmem);
	return tap_done();
}
