/*
 * Sprout's direct message passing (include/uapi/sprout_msg.h): send/receive between several
 * processes, receive from a given pid or from anyone, sendrec request/reply, dead peers (ESRCH,
 * also while blocked), cycles refused (EDEADLK), processes killed while blocked, bad arguments,
 * and a producer/consumer pair. Sprout only: every case is skipped on Linux.
 */
#define _GNU_SOURCE
#include <tap.h>
#include "uapi/sprout_msg.h"

static struct sprout_msg msg(int type, long value)
{
	struct sprout_msg m;

	memset(&m, 0, sizeof(m));
	m.m_type = type;
	m.m_long[0] = value;
	return m;
}

/* Fork a child that runs fn(arg) and exits with its result. */
static pid_t spawn(int (*fn)(long), long arg)
{
	pid_t pid;

	fflush(NULL);
	pid = fork();
	if (pid == 0)
		_exit(fn(arg));
	return pid;
}

static bool exited_ok(pid_t pid)
{
	int status = tap_wait_bounded(pid, 20);

	return WIFEXITED(status) && WEXITSTATUS(status) == 0;
}

/* A child's body: send value @v (type 1) to the parent; 0 when it was received. */
static int send_to_parent(long v)
{
	struct sprout_msg m = msg(1, v);

	return sprout_send(getppid(), &m) == 0 ? 0 : 1;
}

static int case_send_receive(void)
{
	pid_t kids[3];
	int seen = 0, status;

	for (int i = 0; i < 3; i++)
		kids[i] = spawn(send_to_parent, 100 + i);
	tap_sleep_ms(50);
	for (int i = 0; i < 3; i++)	/* rendezvous: no sender is done before its receive */
		CHECK_EQ(waitpid(kids[i], &status, WNOHANG), 0);
	for (int n = 0; n < 3; n++) {
		struct sprout_msg m;
		pid_t from = sprout_receive(SPROUT_ANY, &m);

		for (int i = 0; i < 3; i++) {
			if (from != kids[i])
				continue;
			CHECK_EQ(m.m_source, kids[i]);
			CHECK_EQ(m.m_type, 1);
			CHECK_EQ(m.m_long[0], 100 + i);
			seen |= 1 << i;
		}
	}
	CHECK_EQ(seen, 7);
	for (int i = 0; i < 3; i++)
		CHECK(exited_ok(kids[i]));
	return 0;
}

static int case_receive_from(void)
{
	struct sprout_msg m;
	pid_t a, b, c, d;

	a = spawn(send_to_parent, 1);
	tap_sleep_ms(30);
	b = spawn(send_to_parent, 2);
	tap_sleep_ms(50);
	CHECK_EQ(sprout_receive(b, &m), b);	/* b, although a came first */
	CHECK_EQ(m.m_long[0], 2);
	CHECK_EQ(sprout_receive(a, &m), a);
	CHECK_EQ(m.m_long[0], 1);
	CHECK(exited_ok(a) && exited_ok(b));
	/* From anyone: the oldest sender first. */
	c = spawn(send_to_parent, 3);
	tap_sleep_ms(30);
	d = spawn(send_to_parent, 4);
	tap_sleep_ms(50);
	CHECK_EQ(sprout_receive(SPROUT_ANY, &m), c);
	CHECK_EQ(sprout_receive(SPROUT_ANY, &m), d);
	CHECK(exited_ok(c) && exited_ok(d));
	return 0;
}

/* A server: answers @n requests with twice their value, from whoever asks. */
static int server(long n)
{
	for (long i = 0; i < n; i++) {
		struct sprout_msg m;
		pid_t client = sprout_receive(SPROUT_ANY, &m);

		if (client <= 0 || m.m_type != 1)
			return 1;
		m = msg(2, m.m_long[0] * 2);
		/* The client waits in sendrec already: the reply never blocks. */
		if (sprout_send(client, &m))
			return 2;
	}
	return 0;
}

/* A client of the server @srv: one request, 10, whose answer must be 20. */
static int client(long srv)
{
	struct sprout_msg m = msg(1, 10);

	return sprout_sendrec((pid_t)srv, &m) == 0 && m.m_type == 2 && m.m_long[0] == 20 ? 0 : 1;
}

static int case_sendrec(void)
{
	pid_t srv = spawn(server, 4), other;

	for (long v = 1; v <= 3; v++) {
		struct sprout_msg m = msg(1, v);

		if (v == 2)
			tap_sleep_ms(30);	/* the server is blocked in receive first */
		CHECK_EQ(sprout_sendrec(srv, &m), 0);
		CHECK_EQ(m.m_source, srv);
		CHECK_EQ(m.m_type, 2);
		CHECK_EQ(m.m_long[0], 2 * v);
	}
	/* A second client (a sibling): the server tells the two apart by m_source. */
	other = spawn(client, srv);
	CHECK(exited_ok(other));
	CHECK(exited_ok(srv));
	return 0;
}

static int sleep_then_exit(long ms)
{
	tap_sleep_ms(ms);
	return 0;
}

/* Receive one request, then exit without replying. */
static int receive_and_exit(long unused)
{
	struct sprout_msg m;

	return sprout_receive(SPROUT_ANY, &m) > 0 ? 0 : 1;
}

static int case_dead_peer(void)
{
	struct sprout_msg m = msg(1, 0);
	pid_t gone = spawn(sleep_then_exit, 0), late;

	CHECK(exited_ok(gone));
	CHECK_ERR(sprout_send(gone, &m), ESRCH);
	CHECK_ERR(sprout_receive(gone, &m), ESRCH);
	CHECK_ERR(sprout_sendrec(gone, &m), ESRCH);
	/* The peer exits while we are blocked on it. */
	late = spawn(sleep_then_exit, 80);
	CHECK_ERR(sprout_send(late, &m), ESRCH);
	CHECK(exited_ok(late));
	late = spawn(sleep_then_exit, 80);
	CHECK_ERR(sprout_receive(late, &m), ESRCH);
	CHECK(exited_ok(late));
	late = spawn(receive_and_exit, 0);
	CHECK_ERR(sprout_sendrec(late, &m), ESRCH);	/* received, never answered */
	CHECK(exited_ok(late));
	/* Bad arguments. */
	CHECK_ERR(sprout_send(0, &m), EINVAL);
	CHECK_ERR(sprout_send(SPROUT_ANY, &m), EINVAL);
	CHECK_ERR(sprout_receive(-5, &m), EINVAL);
	CHECK_ERR(sprout_send(getppid(), tap_bad_ptr(16)), EFAULT);
	CHECK_ERR(sprout_receive(SPROUT_ANY, tap_bad_ptr(16)), EFAULT);
	CHECK_ERR(sprout_sendrec(getppid(), tap_bad_ptr(16)), EFAULT);
	return 0;
}

/* B of the three-process cycle: blocked sending to the parent, then frees A. */
static int cycle_b(long unused)
{
	struct sprout_msg m = msg(1, 0);

	if (sprout_send(getppid(), &m))
		return 1;
	return sprout_receive(SPROUT_ANY, &m) > 0 ? 0 : 2;
}

/* A: blocked sending to B (pid @b). */
static int cycle_a(long b)
{
	struct sprout_msg m = msg(1, 0);

	return sprout_send((pid_t)b, &m) == 0 ? 0 : 1;
}

/* Blocked receiving from the parent. */
static int receive_from_parent(long unused)
{
	struct sprout_msg m;

	return sprout_receive(getppid(), &m) == getppid() ? 0 : 1;
}

static int case_deadlock(void)
{
	struct sprout_msg m = msg(1, 0);
	pid_t a, b, c;

	CHECK_ERR(sprout_send(getpid(), &m), EDEADLK);
	CHECK_ERR(sprout_receive(getpid(), &m), EDEADLK);
	CHECK_ERR(sprout_sendrec(getpid(), &m), EDEADLK);
	/* Two processes: A sends to us while we would send to A. */
	a = spawn(send_to_parent, 7);
	tap_sleep_ms(50);
	CHECK_ERR(sprout_send(a, &m), EDEADLK);
	CHECK_ERR(sprout_sendrec(a, &m), EDEADLK);
	CHECK_EQ(sprout_receive(a, &m), a);
	CHECK(exited_ok(a));
	/* Three: B sends to us, A sends to B, we would send to A. */
	b = spawn(cycle_b, 0);
	tap_sleep_ms(30);
	a = spawn(cycle_a, b);
	tap_sleep_ms(50);
	CHECK_ERR(sprout_send(a, &m), EDEADLK);
	CHECK_EQ(sprout_receive(b, &m), b);	/* breaks the chain: B then receives A's */
	CHECK(exited_ok(a) && exited_ok(b));
	/* Receivers: C waits for a message from us; we would wait for one from C. */
	c = spawn(receive_from_parent, 0);
	tap_sleep_ms(50);
	CHECK_ERR(sprout_receive(c, &m), EDEADLK);
	CHECK_EQ(sprout_send(c, &m), 0);
	CHECK(exited_ok(c));
	return 0;
}

static int sendrec_to_parent(long v)
{
	struct sprout_msg m = msg(1, v);

	sprout_sendrec(getppid(), &m);
	return 1;
}

/* A process killed while blocked leaves nothing behind. */
static int case_killed(void)
{
	struct sprout_msg m;
	pid_t k, l;
	int status;

	k = spawn(send_to_parent, 666);
	tap_sleep_ms(50);
	kill(k, SIGKILL);
	status = tap_wait_bounded(k, 20);
	CHECK(WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL);
	l = spawn(send_to_parent, 5);
	CHECK_EQ(sprout_receive(SPROUT_ANY, &m), l);	/* not the dead sender's message */
	CHECK_EQ(m.m_long[0], 5);
	CHECK(exited_ok(l));

	k = spawn(receive_from_parent, 0);
	tap_sleep_ms(50);
	kill(k, SIGKILL);
	status = tap_wait_bounded(k, 20);
	CHECK(WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL);
	m = msg(1, 0);
	CHECK_ERR(sprout_send(k, &m), ESRCH);

	/* A client killed while waiting for its reply. */
	k = spawn(sendrec_to_parent, 9);
	CHECK_EQ(sprout_receive(k, &m), k);
	CHECK_EQ(m.m_long[0], 9);
	kill(k, SIGKILL);
	status = tap_wait_bounded(k, 20);
	CHECK(WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL);
	CHECK_ERR(sprout_send(k, &m), ESRCH);
	return 0;
}

static void on_usr1(int sig)
{
}

/* A signal with a handler interrupts a blocked receive or send: EINTR, and
 * the caller can go on using direct messages afterwards. */
static int case_interrupted(void)
{
	struct sigaction sa = { .sa_handler = on_usr1 };	/* no SA_RESTART */
	struct sprout_msg m;
	pid_t me = getpid(), k;

	sigaction(SIGUSR1, &sa, NULL);
	k = fork();
	if (k == 0) {
		tap_sleep_ms(100);
		kill(me, SIGUSR1);
		tap_sleep_ms(100);
		kill(me, SIGUSR1);
		tap_sleep_ms(100);
		m = msg(1, 77);
		_exit(sprout_send(me, &m) ? 1 : 0);
	}
	if (!CHECK(k > 0))
		return 0;
	/* Blocked receiving from a process that does not send yet. */
	CHECK_ERR(sprout_receive(k, &m), EINTR);
	/* Blocked sending to a process that is not receiving. */
	m = msg(1, 1);
	CHECK_ERR(sprout_send(k, &m), EINTR);
	CHECK_EQ(sprout_receive(k, &m), k);
	CHECK_EQ(m.m_long[0], 77);
	CHECK(exited_ok(k));
	return 0;
}

#define ITEMS	300

static int producer(long consumer)
{
	for (long i = 1; i <= ITEMS + 1; i++) {
		struct sprout_msg m = msg(i <= ITEMS ? 1 : 2, i * i);

		if (sprout_send((pid_t)consumer, &m))
			return 1;
	}
	return 0;
}

/* Producer/consumer by direct messages: the consumer's output is exactly the expected text. */
static int case_producer_consumer(void)
{
	static char got[ITEMS * 24], want[ITEMS * 24];
	size_t glen = 0, wlen = 0;
	pid_t p = spawn(producer, getpid());

	for (;;) {
		struct sprout_msg m;

		if (!CHECK_EQ(sprout_receive(p, &m), p) || m.m_type == 2)
			break;
		glen += snprintf(got + glen, sizeof(got) - glen, "%ld\n", m.m_long[0]);
	}
	for (long i = 1; i <= ITEMS; i++)
		wlen += snprintf(want + wlen, sizeof(want) - wlen, "%ld\n", i * i);
	CHECK_EQ(glen, wlen);
	CHECK_EQ(strcmp(got, want), 0);
	CHECK(exited_ok(p));
	return 0;
}

static const struct {
	const char *name;
	int (*fn)(void);
} cases[] = {
	{ "send/receive between several processes, rendezvous", case_send_receive },
	{ "receive from a given pid, and from ANY in arrival order", case_receive_from },
	{ "sendrec: request and reply, two clients", case_sendrec },
	{ "a dead or dying peer: ESRCH; bad arguments", case_dead_peer },
	{ "cycles of waits refused with EDEADLK", case_deadlock },
	{ "killed while blocked: nothing left behind", case_killed },
	{ "a handled signal interrupts a blocked send or receive: EINTR", case_interrupted },
	{ "producer/consumer by direct messages", case_producer_consumer },
};

/* Entry point: runs every case (skips them all on Linux) and prints TAP. */
int main(void)
{
	const int n = sizeof(cases) / sizeof(cases[0]);
	bool sprout = tap_on_sprout();

	tap_plan(n);
	for (int i = 0; i < n; i++) {
		if (sprout)
			run_case(cases[i].name, cases[i].fn);
		else
			tap_skip(cases[i].name, "Sprout's direct message passing");
	}
	return tap_done();
}
