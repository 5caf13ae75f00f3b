/*
 * POSIX per-process timers (timer_create(2) and its family), through the raw system
 * calls: a one-shot timer's signal carries SI_TIMER, the timer's id and sigev_value;
 * a periodic one keeps firing, and its expiries while the signal is blocked come back
 * as overruns; gettime counts down; SIGEV_NONE never signals; SIGEV_THREAD_ID signals
 * the named thread; the errors (EINVAL, EFAULT) are Linux's; execve drops the timers.
 */
#include <tap.h>
#include <sys/syscall.h>

struct k_sigevent {
	unsigned long value;
	int signo;
	int notify;
	int tid;
	int pad[11];
};

#define K_SIGEV_SIGNAL		0
#define K_SIGEV_NONE		1
#define K_SIGEV_THREAD		2
#define K_SIGEV_THREAD_ID	4

static long t_create(int clock, struct k_sigevent *ev, int *id)
{
	return syscall(SYS_timer_create, clock, ev, id);
}

static long t_settime(int id, int flags, long value_ns, long interval_ns, struct itimerspec *old)
{
	struct itimerspec its = {
		.it_value = { value_ns / 1000000000L, value_ns % 1000000000L },
		.it_interval = { interval_ns / 1000000000L, interval_ns % 1000000000L },
	};

	return syscall(SYS_timer_settime, id, flags, &its, old);
}

static volatile sig_atomic_t got;
static siginfo_t last;

static void on_sig(int sig, siginfo_t *si, void *uc)
{
	(void)sig;
	(void)uc;
	last = *si;
	got++;
}

static void catch(int sig)
{
	struct sigaction sa = { .sa_sigaction = on_sig, .sa_flags = SA_SIGINFO };

	sigaction(sig, &sa, NULL);
}

static long ts_ns(const struct timespec *ts)
{
	return ts->tv_sec * 1000000000L + ts->tv_nsec;
}

static int one_shot(void)
{
	struct k_sigevent ev = { .value = 0x1234, .signo = SIGUSR1, .notify = K_SIGEV_SIGNAL };
	struct itimerspec cur;
	int id = -1;

	catch(SIGUSR1);
	CHECK_EQ(t_create(CLOCK_MONOTONIC, &ev, &id), 0);
	CHECK_EQ(id, 0);	/* the first timer of a process */
	CHECK_EQ(syscall(SYS_timer_gettime, id, &cur), 0);
	CHECK_EQ(ts_ns(&cur.it_value), 0);	/* disarmed */
	CHECK_EQ(t_settime(id, 0, 200000000L, 0, NULL), 0);
	CHECK_EQ(syscall(SYS_timer_gettime, id, &cur), 0);
	CHECK(ts_ns(&cur.it_value) > 0 && ts_ns(&cur.it_value) <= 200000000L);
	CHECK_EQ(ts_ns(&cur.it_interval), 0);
	long long t0 = tap_now_ms();

	while (!got && tap_now_ms() - t0 < 5000)
		tap_sleep_ms(10);
	CHECK_EQ(got, 1);
	CHECK(tap_now_ms() - t0 >= 150);
	CHECK_EQ(last.si_signo, SIGUSR1);
	CHECK_EQ(last.si_code, SI_TIMER);
	CHECK_EQ(last.si_timerid, id);
	CHECK_EQ((long)last.si_value.sival_ptr, 0x1234);
	CHECK_EQ(syscall(SYS_timer_gettime, id, &cur), 0);
	CHECK_EQ(ts_ns(&cur.it_value), 0);	/* a one-shot timer disarms itself */
	tap_sleep_ms(300);
	CHECK_EQ(got, 1);
	CHECK_EQ(syscall(SYS_timer_delete, id), 0);
	CHECK_ERR(syscall(SYS_timer_delete, id), EINVAL);
	return 0;
}

static int periodic_and_overrun(void)
{
	sigset_t set;
	int id, sig = 0;
	struct timespec zero = { 0, 0 };

	/* NULL sigevent: SIGALRM, with the timer's id as its value. */
	CHECK_EQ(t_create(CLOCK_REALTIME, NULL, &id), 0);
	sigemptyset(&set);
	sigaddset(&set, SIGALRM);
	sigprocmask(SIG_BLOCK, &set, NULL);
	CHECK_EQ(t_settime(id, 0, 20000000L, 20000000L, NULL), 0);
	tap_sleep_ms(500);
	/* About 25 expiries: one signal pending, the rest are overruns. */
	siginfo_t si;

	sig = sigtimedwait(&set, &si, &zero);
	CHECK_EQ(sig, SIGALRM);
	CHECK_EQ(si.si_code, SI_TIMER);
	CHECK_EQ((long)si.si_value.sival_ptr, id);
	long over = syscall(SYS_timer_getoverrun, id);

	tap_diag("overrun after 500 ms of 20 ms periods: %ld", over);
	CHECK(over >= 5 && over <= 40);
	/* It keeps firing. */
	tap_sleep_ms(100);
	CHECK_EQ(sigtimedwait(&set, &si, &zero), SIGALRM);
	/* Disarmed by a zero value; the old setting comes back. */
	struct itimerspec old;

	CHECK_EQ(t_settime(id, 0, 0, 0, &old), 0);
	CHECK_EQ(ts_ns(&old.it_interval), 20000000L);
	CHECK(ts_ns(&old.it_value) > 0 && ts_ns(&old.it_value) <= 20000000L);
	sigtimedwait(&set, &si, &zero);
	tap_sleep_ms(100);
	CHECK_ERR(sigtimedwait(&set, &si, &zero), EAGAIN);
	CHECK_EQ(syscall(SYS_timer_delete, id), 0);
	return 0;
}

static int abstime_none_and_errors(void)
{
	struct k_sigevent none = { .notify = K_SIGEV_NONE };
	struct k_sigevent bad = { .signo = 0, .notify = K_SIGEV_SIGNAL };
	struct itimerspec cur, its = { .it_value = { 0, 1000000000L } };
	struct timespec now;
	int id, id2;

	catch(SIGUSR2);
	CHECK_EQ(t_create(CLOCK_MONOTONIC, &none, &id), 0);
	/* An absolute time already past: due at once, but SIGEV_NONE sends nothing. */
	CHECK_EQ(t_settime(id, TIMER_ABSTIME, 1, 0, NULL), 0);
	tap_sleep_ms(100);
	CHECK_EQ(got, 0);
	CHECK_EQ(syscall(SYS_timer_gettime, id, &cur), 0);
	CHECK_EQ(ts_ns(&cur.it_value), 0);
	/* An absolute time ahead on CLOCK_REALTIME counts down from now. */
	clock_gettime(CLOCK_REALTIME, &now);
	CHECK_EQ(t_create(CLOCK_REALTIME, &none, &id2), 0);
	CHECK(id2 != id);
	CHECK_EQ(t_settime(id2, TIMER_ABSTIME, ts_ns(&now) + 3000000000L, 0, NULL), 0);
	CHECK_EQ(syscall(SYS_timer_gettime, id2, &cur), 0);
	CHECK(ts_ns(&cur.it_value) > 2000000000L && ts_ns(&cur.it_value) <= 3000000000L);

	CHECK_ERR(t_create(CLOCK_MONOTONIC, &bad, &id2), EINVAL);
	bad.signo = 65;
	CHECK_ERR(t_create(CLOCK_MONOTONIC, &bad, &id2), EINVAL);
	bad.signo = SIGUSR2;
	bad.notify = 99;
	CHECK_ERR(t_create(CLOCK_MONOTONIC, &bad, &id2), EINVAL);
	bad.notify = K_SIGEV_THREAD_ID;
	bad.tid = 999999;
	CHECK_ERR(t_create(CLOCK_MONOTONIC, &bad, &id2), EINVAL);
	CHECK_ERR(t_create(12345, &none, &id2), EINVAL);
	CHECK_ERR(t_create(CLOCK_MONOTONIC, tap_bad_ptr(16), &id2), EFAULT);
	CHECK_ERR(syscall(SYS_timer_settime, id, 0, &its, NULL), EINVAL);	/* tv_nsec */
	CHECK_ERR(syscall(SYS_timer_settime, id, 0, NULL, NULL), EINVAL);
	CHECK_ERR(syscall(SYS_timer_settime, 4242, 0, &cur, NULL), EINVAL);
	CHECK_ERR(syscall(SYS_timer_gettime, 4242, &cur), EINVAL);
	CHECK_ERR(syscall(SYS_timer_getoverrun, 4242), EINVAL);
	CHECK_ERR(syscall(SYS_timer_gettime, id, tap_bad_ptr(16)), EFAULT);
	CHECK_EQ(syscall(SYS_timer_delete, id), 0);
	CHECK_EQ(syscall(SYS_timer_delete, id2), 0);
	return 0;
}

static int thread_id_target(void)
{
	struct k_sigevent ev = { .signo = SIGUSR1, .notify = K_SIGEV_THREAD_ID };
	sigset_t set;
	siginfo_t si;
	struct timespec wait = { 5, 0 };
	int id;

	/* This thread (a one-thread process: its tid is its pid) takes the signal. */
	ev.tid = (int)syscall(SYS_gettid);
	sigemptyset(&set);
	sigaddset(&set, SIGUSR1);
	sigprocmask(SIG_BLOCK, &set, NULL);
	CHECK_EQ(t_create(CLOCK_MONOTONIC, &ev, &id), 0);
	CHECK_EQ(t_settime(id, 0, 50000000L, 0, NULL), 0);
	CHECK_EQ(sigtimedwait(&set, &si, &wait), SIGUSR1);
	CHECK_EQ(si.si_code, SI_TIMER);
	CHECK_EQ(si.si_timerid, id);
	return 0;
}

/* fork(2) does not copy the timers; execve(2) deletes them (this case's process
 * becomes the "probe" image, whose exit status is the case's result). */
static int case_exec(void)
{
	struct itimerspec cur;
	int id;
	pid_t pid;

	CHECK_EQ(t_create(CLOCK_MONOTONIC, NULL, &id), 0);
	CHECK_EQ(id, 0);
	CHECK_EQ(t_settime(id, 0, 10000000000L, 0, NULL), 0);
	pid = fork();
	if (pid == 0)
		_exit(syscall(SYS_timer_gettime, id, &cur) == -1 && errno == EINVAL ? 0 : 1);
	CHECK_EQ(tap_wait_bounded(pid, 10), 0);
	CHECK_EQ(syscall(SYS_timer_gettime, id, &cur), 0);
	if (tap_case_failed)
		return 1;
	execl("/proc/self/exe", "posixtimer", "probe", (char *)NULL);
	tap_diag("execl: %s", strerror(errno));
	return 1;
}

int main(int argc, char **argv)
{
	if (argc > 1 && !strcmp(argv[1], "probe")) {
		/* After execve: timer 0 of the parent image is gone. */
		struct itimerspec cur;

		return syscall(SYS_timer_gettime, 0, &cur) == -1 && errno == EINVAL ? 0 : 1;
	}
	tap_plan(5);
	run_case("one shot: SI_TIMER, timer id and sigev_value; disarms itself", one_shot);
	run_case("periodic: blocked expiries become overruns; zero disarms", periodic_and_overrun);
	run_case("TIMER_ABSTIME, SIGEV_NONE and the errors", abstime_none_and_errors);
	run_case("SIGEV_THREAD_ID signals the named thread", thread_id_target);
	run_case("fork and execve leave the timers behind", case_exec);
	return tap_done();
}
