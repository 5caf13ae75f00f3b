/*
 * Robust futexes (set_robust_list(2)): a process-shared robust mutex whose
 * owner dies is handed to the next locker with EOWNERDEAD, whether the
 * locker was already waiting or comes later, and whether the owner was a
 * process killed by a signal, a thread that exited, or a process that exec'd.
 */
#define _GNU_SOURCE
#include <tap.h>
#include <pthread.h>
#include <sys/syscall.h>

struct shared {
	pthread_mutex_t m;
	volatile int locked;	/* the owner child holds the mutex */
};

static struct shared *shared_robust_mutex(void)
{
	struct shared *s = mmap(NULL, sizeof(*s), PROT_READ | PROT_WRITE,
				MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	pthread_mutexattr_t a;

	if (s == MAP_FAILED)
		return NULL;
	pthread_mutexattr_init(&a);
	pthread_mutexattr_setpshared(&a, PTHREAD_PROCESS_SHARED);
	pthread_mutexattr_setrobust(&a, PTHREAD_MUTEX_ROBUST);
	pthread_mutex_init(&s->m, &a);
	pthread_mutexattr_destroy(&a);
	return s;
}

/* A child takes the mutex and waits to be killed. */
static pid_t owner_child(struct shared *s)
{
	pid_t pid = fork();

	if (pid == 0) {
		if (pthread_mutex_lock(&s->m) != 0)
			_exit(2);
		s->locked = 1;
		for (;;)
			pause();
	}
	while (pid > 0 && !s->locked)
		tap_sleep_ms(1);
	return pid;
}

/* Lock with a deadline, so a lost owner-died shows as ETIMEDOUT, not a hang. */
static int timed_lock(pthread_mutex_t *m, int seconds)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	ts.tv_sec += seconds;
	return pthread_mutex_timedlock(m, &ts);
}

/* The owner is killed while nobody waits: the next locker gets EOWNERDEAD,
 * makes the mutex consistent and it works as before. */
static int case_killed_owner(void)
{
	struct shared *s = shared_robust_mutex();
	pid_t pid;
	int st;

	CHECK(s != NULL);
	if (!s)
		return 1;
	pid = owner_child(s);
	CHECK(pid > 0);
	CHECK_EQ(pthread_mutex_trylock(&s->m), EBUSY);
	kill(pid, SIGKILL);
	CHECK_EQ(waitpid(pid, &st, 0), pid);
	CHECK(WIFSIGNALED(st) && WTERMSIG(st) == SIGKILL);
	CHECK_EQ(timed_lock(&s->m, 5), EOWNERDEAD);
	CHECK_EQ(pthread_mutex_consistent(&s->m), 0);
	CHECK_EQ(pthread_mutex_unlock(&s->m), 0);
	CHECK_EQ(timed_lock(&s->m, 5), 0);
	CHECK_EQ(pthread_mutex_unlock(&s->m), 0);
	return 0;
}

/* A locker already asleep on the mutex is woken by the owner's death. */
static int case_waiter_woken(void)
{
	struct shared *s = shared_robust_mutex();
	pid_t pid, waiter;
	int st;

	CHECK(s != NULL);
	if (!s)
		return 1;
	pid = owner_child(s);
	waiter = fork();
	if (waiter == 0)
		_exit(timed_lock(&s->m, 20) == EOWNERDEAD ? 0 : 3);
	tap_sleep_ms(200);		/* let the waiter block in the kernel */
	kill(pid, SIGKILL);
	waitpid(pid, NULL, 0);
	CHECK_EQ(waitpid(waiter, &st, 0), waiter);
	CHECK(WIFEXITED(st));
	CHECK_EQ(WEXITSTATUS(st), 0);
	return 0;
}

static void *lock_and_exit(void *arg)
{
	struct shared *s = arg;

	pthread_mutex_lock(&s->m);
	return NULL;	/* exits holding it */
}

/* A thread that exits holding the mutex: the process's other thread gets
 * EOWNERDEAD (the walk happens per thread, at each thread's exit). */
static int case_thread_exit(void)
{
	struct shared *s = shared_robust_mutex();
	pthread_t th;

	CHECK(s != NULL);
	if (!s)
		return 1;
	CHECK_EQ(pthread_create(&th, NULL, lock_and_exit, s), 0);
	CHECK_EQ(pthread_join(th, NULL), 0);
	CHECK_EQ(timed_lock(&s->m, 5), EOWNERDEAD);
	CHECK_EQ(pthread_mutex_consistent(&s->m), 0);
	CHECK_EQ(pthread_mutex_unlock(&s->m), 0);
	return 0;
}

/* set_robust_list takes only the 24-byte head; get it wrong: EINVAL. */
static int case_bad_len(void)
{
	long head[3] = { 0 };

	head[0] = (long)head;
	CHECK_ERR(syscall(SYS_set_robust_list, head, 23), EINVAL);
	CHECK_ERR(syscall(SYS_set_robust_list, head, 48), EINVAL);
	/* get_robust_list reads it back (libc asks it before allowing robust mutexes). */
	void *got = NULL;
	size_t len = 0;

	CHECK_EQ(syscall(SYS_set_robust_list, head, 24), 0);
	CHECK_EQ(syscall(SYS_get_robust_list, 0, &got, &len), 0);
	CHECK(got == (void *)head);
	CHECK_EQ(len, 24);
	CHECK_EQ(syscall(SYS_get_robust_list, getpid(), &got, &len), 0);
	CHECK(got == (void *)head);
	CHECK_ERR(syscall(SYS_get_robust_list, -3, &got, &len), ESRCH);
	CHECK_ERR(syscall(SYS_get_robust_list, 0, tap_bad_ptr(0xffff800000000000UL), &len),
		  EFAULT);
	/* Another user's thread: ptrace's read check, EPERM. */
	pid_t pid = fork();

	if (pid == 0) {
		pid_t parent = getppid();

		if (setresuid(1000, 1000, 1000))
			_exit(2);
		_exit(syscall(SYS_get_robust_list, parent, &got, &len) == -1 && errno == EPERM ?
		      0 : 1);
	}
	int st;

	CHECK_EQ(waitpid(pid, &st, 0), pid);
	CHECK(WIFEXITED(st) && WEXITSTATUS(st) == 0);
	CHECK_EQ(syscall(SYS_set_robust_list, NULL, 24), 0);
	return 0;
}

/* The list_op_pending entry: a thread that died between announcing the lock
 * and linking it still has it released. Built by hand, as libc would. */
static int case_pending_entry(void)
{
	struct {
		long next;		/* the robust list node */
		unsigned lock;		/* the lock word, at futex_offset from the node */
	} *e = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	pid_t pid;

	CHECK(e != MAP_FAILED);
	if (e == MAP_FAILED)
		return 1;
	pid = fork();
	if (pid == 0) {
		long head[3];

		head[0] = (long)head;			/* empty list */
		head[1] = (long)((char *)&e->lock - (char *)e);
		head[2] = (long)e;			/* list_op_pending */
		e->lock = (unsigned)syscall(SYS_gettid);
		if (syscall(SYS_set_robust_list, head, sizeof(head)) != 0)
			_exit(2);
		_exit(0);
	}
	CHECK_EQ(waitpid(pid, NULL, 0), pid);
	CHECK_EQ(e->lock, 0x40000000u);		/* FUTEX_OWNER_DIED, no owner */
	return 0;
}

static char self_path[256];

/* execve replaces the address space: the robust list of the old one is
 * walked first, so a mutex held across execve is marked owner-died. */
static int case_exec(void)
{
	struct shared *s = shared_robust_mutex();
	pid_t pid;
	int st;

	CHECK(s != NULL);
	if (!s)
		return 1;
	pid = fork();
	if (pid == 0) {
		char *argv[] = { self_path, "--exit", NULL };

		if (pthread_mutex_lock(&s->m) != 0)
			_exit(2);
		execv(self_path, argv);
		_exit(3);
	}
	CHECK_EQ(waitpid(pid, &st, 0), pid);
	CHECK(WIFEXITED(st) && WEXITSTATUS(st) == 0);
	CHECK_EQ(timed_lock(&s->m, 5), EOWNERDEAD);
	CHECK_EQ(pthread_mutex_consistent(&s->m), 0);
	CHECK_EQ(pthread_mutex_unlock(&s->m), 0);
	return 0;
}

int main(int argc, char **argv)
{
	if (argc > 1 && !strcmp(argv[1], "--exit"))
		return 0;	/* case_exec's new image */
	if (argc < 1 || !realpath(argv[0], self_path))
		snprintf(self_path, sizeof(self_path), "%s", argc > 0 ? argv[0] : "");
	tap_plan(6);
	run_case("robust mutex: owner killed, next locker gets EOWNERDEAD", case_killed_owner);
	run_case("robust mutex: a waiting locker is woken with EOWNERDEAD", case_waiter_woken);
	run_case("robust mutex: a thread exits holding it", case_thread_exit);
	run_case("set/get_robust_list: the head is kept; EINVAL, ESRCH, EPERM", case_bad_len);
	run_case("robust list: the list_op_pending entry is released too", case_pending_entry);
	run_case("robust mutex: held across execve, owner-died after it", case_exec);
	return tap_done();
}
