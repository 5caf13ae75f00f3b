/*
 * rseq(2): registration (errors EINVAL, EBUSY, EPERM, EFAULT; unregistering), the cpu_id fields
 * following the thread as affinity moves it, a critical section aborted to its handler when a
 * signal arrives or the thread is preempted inside it, fork keeping the registration and a new
 * thread starting without one.
 */
#define _GNU_SOURCE
#include <tap.h>
#include <sched.h>
#include <pthread.h>
#include <sys/syscall.h>
#include <sys/time.h>

#ifndef SYS_rseq
#define SYS_rseq	334
#endif
#define RSEQ_SIG	0x53053053
#define UNREGISTER	1

struct rseq_area {
	uint32_t cpu_id_start, cpu_id;
	uint64_t rseq_cs;
	uint32_t flags, node_id, mm_cid;
	char pad[4];
} __attribute__((aligned(32)));

static struct rseq_area rs, other;

static long rseq_(void *area, uint32_t len, int flags, uint32_t sig)
{
	return syscall(SYS_rseq, area, len, flags, sig);
}

static int pin(int cpu)
{
	cpu_set_t set;

	CPU_ZERO(&set);
	CPU_SET(cpu, &set);
	return sched_setaffinity(0, sizeof(set), &set);
}

static unsigned getcpu_(void)
{
	unsigned c = 99;

	syscall(SYS_getcpu, &c, NULL, NULL);
	return c;
}

static int register_and_follow(void)
{
	int n = (int)sysconf(_SC_NPROCESSORS_ONLN);

	rs.cpu_id = 12345;
	CHECK_EQ(rseq_(&rs, sizeof(rs), 0, RSEQ_SIG), 0);
	CHECK_EQ(rs.cpu_id, getcpu_());
	CHECK_EQ(rs.cpu_id_start, rs.cpu_id);
	for (int c = n - 1; c >= 0; c--) {
		CHECK_EQ(pin(c), 0);
		CHECK_EQ(rs.cpu_id, (uint32_t)c);
		CHECK_EQ(rs.cpu_id_start, (uint32_t)c);
	}
	return 0;
}

static int errors(void)
{
	struct rseq_area *odd = (struct rseq_area *)((char *)&other + 16);

	CHECK_ERR(rseq_(odd, 32, 0, RSEQ_SIG), EINVAL);		/* not aligned */
	CHECK_ERR(rseq_(&rs, 16, 0, RSEQ_SIG), EINVAL);		/* too short */
	CHECK_ERR(rseq_(&rs, 32, 2, RSEQ_SIG), EINVAL);		/* unknown flag */
	CHECK_ERR(rseq_(&rs, 32, UNREGISTER, RSEQ_SIG), EINVAL);	/* nothing registered */
	CHECK_ERR(rseq_(tap_bad_ptr(0xffff800000000000UL), 32, 0, RSEQ_SIG), EFAULT);
	CHECK_EQ(rseq_(&rs, 32, 0, RSEQ_SIG), 0);
	CHECK_ERR(rseq_(&rs, 32, 0, RSEQ_SIG), EBUSY);
	CHECK_ERR(rseq_(&rs, 32, 0, RSEQ_SIG + 1), EPERM);
	CHECK_ERR(rseq_(&other, 32, 0, RSEQ_SIG), EINVAL);
	CHECK_ERR(rseq_(&other, 32, UNREGISTER, RSEQ_SIG), EINVAL);
	CHECK_ERR(rseq_(&rs, 32, UNREGISTER, RSEQ_SIG + 1), EPERM);
	CHECK_EQ(rseq_(&rs, 32, UNREGISTER, RSEQ_SIG), 0);
	CHECK_EQ(rs.cpu_id, (uint32_t)-1);			/* RSEQ_CPU_ID_UNINITIALIZED */
	CHECK_EQ(rseq_(&other, 32, 0, RSEQ_SIG), 0);		/* now another may come */
	return 0;
}

/* Spin in a critical section until the kernel sends us to its abort handler. */
static int spin_in_critical_section(void)
{
	int aborted = 0;

	__asm__ volatile(
		".pushsection .data.rseq_test, \"aw\"\n\t"
		".balign 32\n"
		"3:\n\t"
		".long 0, 0\n\t"
		".quad 1f, 2f - 1f, 4f\n\t"
		".popsection\n\t"
		"leaq 3b(%%rip), %%rax\n\t"
		"movq %%rax, %[cs]\n"
		"1:\n\t"
		"jmp 1b\n"
		"2:\n\t"
		"jmp 5f\n\t"
		".long 0x53053053\n"
		"4:\n\t"
		"movl $1, %[ab]\n"
		"5:\n\t"
		: [ab] "+m"(aborted), [cs] "=m"(rs.rseq_cs)
		:
		: "rax", "memory");
	return aborted;
}

static void on_alarm(int sig)
{
	(void)sig;
}

static int abort_on_signal(void)
{
	struct itimerval it = { .it_value = { 0, 200000 } };

	CHECK_EQ(rseq_(&rs, 32, 0, RSEQ_SIG), 0);
	signal(SIGALRM, on_alarm);
	CHECK_EQ(setitimer(ITIMER_REAL, &it, NULL), 0);
	CHECK_EQ(spin_in_critical_section(), 1);
	CHECK_EQ(rs.rseq_cs, 0);	/* cleared by the kernel on abort */
	return 0;
}

static int abort_on_preemption(void)
{
	pid_t spin;

	CHECK_EQ(pin(0), 0);
	spin = fork();
	if (spin == 0) {
		alarm(30);
		for (;;)
			;
	}
	CHECK_EQ(rseq_(&rs, 32, 0, RSEQ_SIG), 0);
	CHECK_EQ(spin_in_critical_section(), 1);
	kill(spin, SIGKILL);
	waitpid(spin, NULL, 0);
	return 0;
}

static void *thread_fn(void *arg)
{
	(void)arg;
	/* A new thread has no registration of its own yet. */
	return (void *)(intptr_t)rseq_(&other, 32, 0, RSEQ_SIG);
}

static int fork_and_threads(void)
{
	pthread_t th;
	void *ret = (void *)1;
	pid_t pid;

	CHECK_EQ(rseq_(&rs, 32, 0, RSEQ_SIG), 0);
	pid = fork();
	if (pid == 0) {
		/* Still registered in the copy, and kept current. */
		if (rseq_(&rs, 32, 0, RSEQ_SIG) != -1 || errno != EBUSY)
			_exit(2);
		if (pin(0) || rs.cpu_id != 0)
			_exit(3);
		_exit(0);
	}
	CHECK_EQ(tap_wait_bounded(pid, 20), 0);
	CHECK_EQ(pthread_create(&th, NULL, thread_fn, NULL), 0);
	CHECK_EQ(pthread_join(th, &ret), 0);
	CHECK_EQ((long)(intptr_t)ret, 0);
	return 0;
}

int main(void)
{
	tap_plan(5);
	run_case("rseq registers; cpu_id follows the thread", register_and_follow);
	run_case("rseq errors; unregistering", errors);
	run_case("a signal aborts a critical section to its handler", abort_on_signal);
	run_case("preemption aborts a critical section", abort_on_preemption);
	run_case("fork keeps the registration; a new thread has none", fork_and_threads);
	return tap_done();
}
