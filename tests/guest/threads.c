/*
 * Threads (musl pthreads over clone(CLONE_THREAD) and futex): counters under a mutex, a
 * condition variable hand-off, join of 100 threads with their return values, thread-local
 * storage, getpid equal and gettid distinct in every thread, exit of one thread versus
 * exit_group of all, the last thread's exit making the zombie, execve from a non-main thread
 * keeping the pid, and futex wait/wake/timeout semantics.
 */
#define _GNU_SOURCE
#include <tap.h>
#include <pthread.h>
#include <sys/syscall.h>

/* futex(2) operations (linux/futex.h, not among musl's headers). */
#define FUTEX_WAIT		0
#define FUTEX_WAKE		1
#define FUTEX_PRIVATE_FLAG	128
#define FUTEX_WAIT_PRIVATE	(FUTEX_WAIT | FUTEX_PRIVATE_FLAG)
#define FUTEX_WAKE_PRIVATE	(FUTEX_WAKE | FUTEX_PRIVATE_FLAG)

static char self_path[4096];

static long sys_gettid(void)
{
	return syscall(SYS_gettid);
}

static pthread_mutex_t count_lock = PTHREAD_MUTEX_INITIALIZER;
static long counter;

static void *count_worker(void *arg)
{
	for (int i = 0; i < 2000; i++) {
		pthread_mutex_lock(&count_lock);
		counter++;
		pthread_mutex_unlock(&count_lock);
	}
	return arg;
}

static int case_mutex_counter(void)
{
	pthread_t th[8];

	for (long i = 0; i < 8; i++)
		CHECK_EQ(pthread_create(&th[i], NULL, count_worker, (void *)i), 0);
	for (long i = 0; i < 8; i++) {
		void *ret = NULL;

		CHECK_EQ(pthread_join(th[i], &ret), 0);
		CHECK_EQ((long)ret, i);
	}
	CHECK_EQ(counter, 8 * 2000);
	return 0;
}

static pthread_mutex_t cv_lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t cv = PTHREAD_COND_INITIALIZER;
static int cv_stage;

/* Ping-pong through one condition variable: each side waits for the other's stage. */
static void *cv_worker(void *arg)
{
	for (int round = 0; round < 50; round++) {
		pthread_mutex_lock(&cv_lock);
		while (cv_stage % 2 == 0)
			pthread_cond_wait(&cv, &cv_lock);
		cv_stage++;
		pthread_cond_broadcast(&cv);
		pthread_mutex_unlock(&cv_lock);
	}
	return NULL;
}

static int case_condvar(void)
{
	pthread_t th;

	CHECK_EQ(pthread_create(&th, NULL, cv_worker, NULL), 0);
	for (int round = 0; round < 50; round++) {
		pthread_mutex_lock(&cv_lock);
		cv_stage++;
		pthread_cond_broadcast(&cv);
		while (cv_stage % 2 == 1)
			pthread_cond_wait(&cv, &cv_lock);
		pthread_mutex_unlock(&cv_lock);
	}
	CHECK_EQ(pthread_join(th, NULL), 0);
	CHECK_EQ(cv_stage, 100);
	return 0;
}

static __thread long tls_value = 7;
static pid_t main_pid;

struct ids {
	long tid;
	pid_t pid;
	long tls_before, tls_after;
};

static void *ids_worker(void *arg)
{
	struct ids *out = arg;

	out->tls_before = tls_value;
	tls_value = out->tid * 3;	/* tid slot holds the index until overwritten */
	sched_yield();
	out->tls_after = tls_value;
	out->tid = sys_gettid();
	out->pid = getpid();
	return (void *)(long)out->tls_after;
}

static int case_join_100_ids_tls(void)
{
	static struct ids ids[100];
	pthread_t th[100];

	main_pid = getpid();
	tls_value = 1234;
	for (long i = 0; i < 100; i++) {
		ids[i].tid = i;
		CHECK_EQ(pthread_create(&th[i], NULL, ids_worker, &ids[i]), 0);
	}
	for (long i = 0; i < 100; i++) {
		void *ret = NULL;

		CHECK_EQ(pthread_join(th[i], &ret), 0);
		CHECK_EQ((long)ret, i * 3);
		CHECK_EQ(ids[i].tls_before, 7);	/* each thread starts from the initial image */
		CHECK_EQ(ids[i].tls_after, i * 3);
		CHECK_EQ(ids[i].pid, main_pid);
		CHECK(ids[i].tid != main_pid);
		for (long j = 0; j < i; j++)
			CHECK(ids[i].tid != ids[j].tid || j == i);
	}
	CHECK_EQ(tls_value, 1234);
	CHECK_EQ(sys_gettid(), main_pid);
	return 0;
}

static void *exit_one_worker(void *arg)
{
	syscall(SYS_exit, 3);	/* ends this thread only */
	return NULL;
}

static volatile int survivor_ran;

/* exit(2) in one thread leaves the process running; its status is not the process's. */
static int case_thread_exit_one(void)
{
	pid_t pid;
	int status = -1;

	fflush(NULL);
	pid = fork();
	if (pid == 0) {
		pthread_t th;

		if (pthread_create(&th, NULL, exit_one_worker, NULL))
			_exit(90);
		/* musl's pthread_join would wait for pthread_exit's own
		 * bookkeeping, which a raw exit skips: just outlive it. */
		tap_sleep_ms(100);
		_exit(11);
	}
	CHECK_EQ(waitpid(pid, &status, 0), pid);
	CHECK(WIFEXITED(status));
	CHECK_EQ(WEXITSTATUS(status), 11);
	return 0;
}

static void *spin_worker(void *arg)
{
	for (;;)
		survivor_ran++;
	return NULL;
}

static void *exit_group_worker(void *arg)
{
	tap_sleep_ms(20);
	syscall(SYS_exit_group, 42);
	return NULL;
}

/* exit_group(2) from a thread ends every thread, busy or asleep, with that status. */
static int case_exit_group_from_thread(void)
{
	pid_t pid;
	int status = -1;

	fflush(NULL);
	pid = fork();
	if (pid == 0) {
		pthread_t a, b, c;

		pthread_create(&a, NULL, spin_worker, NULL);
		pthread_create(&b, NULL, exit_group_worker, NULL);
		pthread_create(&c, NULL, spin_worker, NULL);
		for (;;)
			pause();	/* the main thread sleeps: it must be woken and ended too */
	}
	status = tap_wait_bounded(pid, 20);
	CHECK(WIFEXITED(status));
	CHECK_EQ(WEXITSTATUS(status), 42);
	return 0;
}

static void *last_thread_worker(void *arg)
{
	tap_sleep_ms(50);
	exit(23);	/* after the main thread has already ended with SYS_exit */
}

/* The main thread ends first with exit(2); the process lives until the last thread. */
static int case_last_thread_makes_zombie(void)
{
	pid_t pid;
	int status = -1;

	fflush(NULL);
	pid = fork();
	if (pid == 0) {
		pthread_t th;

		pthread_create(&th, NULL, last_thread_worker, NULL);
		syscall(SYS_exit, 0);
	}
	tap_sleep_ms(10);
	CHECK_EQ(waitpid(pid, &status, WNOHANG), 0);	/* still alive: one thread left */
	CHECK_EQ(waitpid(pid, &status, 0), pid);
	CHECK(WIFEXITED(status));
	CHECK_EQ(WEXITSTATUS(status), 23);
	return 0;
}

static void *exec_worker(void *arg)
{
	char pidbuf[32];
	char *argv[] = { self_path, "check-pid", pidbuf, NULL };

	snprintf(pidbuf, sizeof(pidbuf), "%d", (int)getpid());
	execv(self_path, argv);
	_exit(80);
}

/* execve from a non-main thread: the other threads end and the pid stays. */
static int case_exec_from_thread(void)
{
	pid_t pid;
	int status = -1;

	fflush(NULL);
	pid = fork();
	if (pid == 0) {
		pthread_t a, b;

		pthread_create(&a, NULL, spin_worker, NULL);
		pthread_create(&b, NULL, exec_worker, NULL);
		for (;;)
			pause();
	}
	status = tap_wait_bounded(pid, 20);
	CHECK(WIFEXITED(status));
	CHECK_EQ(WEXITSTATUS(status), 0);
	return 0;
}

static long futex(int *uaddr, int op, int val, const struct timespec *ts)
{
	return syscall(SYS_futex, uaddr, op, val, ts, NULL, 0);
}

static int futex_word;

static void *futex_waker(void *arg)
{
	tap_sleep_ms(30);
	__atomic_store_n(&futex_word, 1, __ATOMIC_SEQ_CST);
	long n = futex(&futex_word, FUTEX_WAKE_PRIVATE, 1, NULL);

	return (void *)n;
}

static int case_futex(void)
{
	struct timespec ts = { 0, 50 * 1000000 };
	pthread_t th;
	void *woke = NULL;
	int word = 5;

	/* The value differs: EAGAIN at once. */
	CHECK_ERR(futex(&word, FUTEX_WAIT_PRIVATE, 4, NULL), EAGAIN);
	/* Nobody wakes: ETIMEDOUT after the timeout. */
	long long t0 = tap_now_ms();

	CHECK_ERR(futex(&word, FUTEX_WAIT_PRIVATE, 5, &ts), ETIMEDOUT);
	CHECK(tap_now_ms() - t0 >= 40);
	/* Nobody waits: a wake wakes nobody. */
	CHECK_EQ(futex(&word, FUTEX_WAKE_PRIVATE, 1, NULL), 0);
	/* Misaligned word. */
	CHECK_ERR(futex((int *)((char *)&word + 1), FUTEX_WAIT_PRIVATE, 5, NULL), EINVAL);
	/* A waker in another thread. */
	CHECK_EQ(pthread_create(&th, NULL, futex_waker, NULL), 0);
	while (__atomic_load_n(&futex_word, __ATOMIC_SEQ_CST) == 0) {
		long r = futex(&futex_word, FUTEX_WAIT_PRIVATE, 0, NULL);

		CHECK(r == 0 || (r == -1 && errno == EAGAIN));
	}
	CHECK_EQ(pthread_join(th, &woke), 0);
	CHECK((long)woke == 0 || (long)woke == 1);
	return 0;
}

/* A shared futex on MAP_SHARED memory wakes a waiter in another process. */
static int case_futex_shared(void)
{
	int *w = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	pid_t pid;
	int status = -1;

	if (!CHECK(w != MAP_FAILED))
		return 1;
	*w = 0;
	fflush(NULL);
	pid = fork();
	if (pid == 0) {
		while (__atomic_load_n(w, __ATOMIC_SEQ_CST) == 0)
			futex(w, FUTEX_WAIT, 0, NULL);
		_exit(__atomic_load_n(w, __ATOMIC_SEQ_CST));
	}
	tap_sleep_ms(50);
	__atomic_store_n(w, 9, __ATOMIC_SEQ_CST);
	futex(w, FUTEX_WAKE, 1, NULL);
	status = tap_wait_bounded(pid, 20);
	CHECK(WIFEXITED(status));
	CHECK_EQ(WEXITSTATUS(status), 9);
	return 0;
}

/* ---- signals and threads ---- */

static volatile long *spin_counters;	/* MAP_SHARED: read by the parent */

static void *spin_thread(void *arg)
{
	long i = (long)arg;

	for (;;)
		spin_counters[i]++;
	return NULL;
}

static bool counters_moved(const long *before)
{
	for (int i = 0; i < 2; i++)
		if (spin_counters[i] != before[i])
			return true;
	return false;
}

/* SIGSTOP stops every thread of a process; SIGCONT resumes them all. */
static int case_group_stop(void)
{
	long before[2];
	int status;
	pid_t pid;

	spin_counters = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	if (!CHECK(spin_counters != MAP_FAILED))
		return 0;
	pid = fork();
	if (pid == 0) {
		pthread_t t;

		pthread_create(&t, NULL, spin_thread, (void *)1L);
		spin_thread((void *)0L);
	}
	if (!CHECK(pid > 0))
		return 0;
	tap_sleep_ms(300);
	CHECK(spin_counters[0] > 0 && spin_counters[1] > 0);
	CHECK_EQ(kill(pid, SIGSTOP), 0);
	CHECK_EQ(waitpid(pid, &status, WUNTRACED), pid);
	CHECK(WIFSTOPPED(status) && WSTOPSIG(status) == SIGSTOP);
	tap_sleep_ms(50);
	before[0] = spin_counters[0];
	before[1] = spin_counters[1];
	tap_sleep_ms(300);
	if (!CHECK(!counters_moved(before)))
		tap_diag("a thread kept running while its process was stopped");
	CHECK_EQ(kill(pid, SIGCONT), 0);
	tap_sleep_ms(300);
	CHECK(spin_counters[0] != before[0] && spin_counters[1] != before[1]);
	kill(pid, SIGKILL);
	CHECK_EQ(waitpid(pid, &status, 0), pid);
	CHECK(WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL);
	munmap((void *)spin_counters, 4096);
	return 0;
}

static volatile pid_t handled_by;
static pid_t open_tid;
static volatile int ready;

static void on_usr1(int sig)
{
	handled_by = (pid_t)syscall(SYS_gettid);
}

static void *unblocked_thread(void *arg)
{
	sigset_t none;

	sigemptyset(&none);
	pthread_sigmask(SIG_SETMASK, &none, NULL);
	open_tid = (pid_t)syscall(SYS_gettid);
	ready = 1;
	while (!handled_by)
		tap_sleep_ms(5);
	return NULL;
}

/* A signal sent to a process goes to a thread that does not block it. */
static int case_signal_to_unblocked_thread(void)
{
	struct sigaction sa = { .sa_handler = on_usr1 };
	sigset_t usr1;
	pthread_t t;

	sigaction(SIGUSR1, &sa, NULL);
	sigemptyset(&usr1);
	sigaddset(&usr1, SIGUSR1);
	pthread_sigmask(SIG_BLOCK, &usr1, NULL);	/* the main thread blocks it */
	CHECK_EQ(pthread_create(&t, NULL, unblocked_thread, NULL), 0);
	while (!ready)
		tap_sleep_ms(5);
	CHECK_EQ(kill(getpid(), SIGUSR1), 0);
	CHECK_EQ(pthread_join(t, NULL), 0);
	CHECK_EQ(handled_by, open_tid);
	return 0;
}

/* tkill by tid reaches a thread other than the main one; once that thread has ended, its
 * tid names nothing (ESRCH). Run in a forked child so the test's own threads stay apart. */
static volatile long tkill_tid;
static volatile int tkill_hits;

static void on_tkill(int sig)
{
	if (sys_gettid() == tkill_tid)
		tkill_hits++;
}

static void *tkill_worker(void *arg)
{
	tkill_tid = sys_gettid();
	while (!tkill_hits)
		tap_sleep_ms(1);
	return NULL;
}

static int case_tkill_by_tid(void)
{
	pthread_t th;
	long tid;

	signal(SIGUSR1, on_tkill);
	CHECK_EQ(pthread_create(&th, NULL, tkill_worker, NULL), 0);
	while (!tkill_tid)
		tap_sleep_ms(1);
	tid = tkill_tid;
	CHECK(tid != getpid());
	CHECK_EQ(syscall(SYS_tkill, tid, 0), 0);
	CHECK_EQ(syscall(SYS_tkill, tid, SIGUSR1), 0);
	CHECK_EQ(pthread_join(th, NULL), 0);
	CHECK_EQ(tkill_hits, 1);
	/* musl's join returns once the thread has cleared its tid word: the kernel is done. */
	for (int i = 0; i < 200 && syscall(SYS_tkill, tid, 0) == 0; i++)
		tap_sleep_ms(5);
	CHECK_ERR(syscall(SYS_tkill, tid, 0), ESRCH);
	CHECK_ERR(syscall(SYS_tgkill, getpid(), tid, 0), ESRCH);
	return 0;
}

int main(int argc, char **argv)
{
	if (argc == 3 && strcmp(argv[1], "check-pid") == 0)
		return getpid() == atoi(argv[2]) && sys_gettid() == getpid() ? 0 : 1;
	snprintf(self_path, sizeof(self_path), "%s", argv[0]);
	tap_plan(12);
	run_case("8 threads count to 16000 under a mutex", case_mutex_counter);
	run_case("condition variable ping-pong, 100 hand-offs", case_condvar);
	run_case("join 100 threads: return values, TLS, same getpid, distinct gettid",
		 case_join_100_ids_tls);
	run_case("exit(2) in a thread ends only that thread", case_thread_exit_one);
	run_case("exit_group(2) from a thread ends the whole process", case_exit_group_from_thread);
	run_case("the last thread's exit makes the zombie", case_last_thread_makes_zombie);
	run_case("execve from a non-main thread keeps the pid", case_exec_from_thread);
	run_case("futex: EAGAIN, ETIMEDOUT, EINVAL, wake from another thread", case_futex);
	run_case("shared futex on MAP_SHARED memory across processes", case_futex_shared);
	run_case("SIGSTOP stops every thread, SIGCONT resumes them", case_group_stop);
	run_case("tkill finds a thread by its tid; ESRCH once it ended", case_tkill_by_tid);
	run_case("a process signal goes to a thread that does not block it",
		 case_signal_to_unblocked_thread);
	return tap_done();
}
