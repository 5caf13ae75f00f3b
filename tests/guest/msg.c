/*
 * System V message queues (mailboxes): msgget keys and errors, type selection (0, > 0, < 0,
 * MSG_EXCEPT), E2BIG and MSG_NOERROR, IPC_NOWAIT, blocking when full, every msgctl path
 * (IPC_STAT counters, IPC_SET, IPC_RMID under blocked receivers and senders), a signal ending a
 * blocked receiver, and a producer/consumer pair.
 */
#define _GNU_SOURCE
#include <tap.h>
#include <sys/ipc.h>
#include <sys/msg.h>

struct m64 {
	long type;
	char text[64];
};

static int snd(int q, long type, const char *text, int flg)
{
	struct m64 m = { .type = type };

	strncpy(m.text, text, sizeof(m.text) - 1);
	return msgsnd(q, &m, strlen(text) + 1, flg);
}

/* Receive into a buffer; returns the type, or -errno. */
static long rcv(int q, long type, int flg, char *text)
{
	struct m64 m;
	ssize_t n = msgrcv(q, &m, sizeof(m.text), type, flg | IPC_NOWAIT);

	if (n < 0)
		return -errno;
	if (text)
		memcpy(text, m.text, n);
	return m.type;
}

static int case_type_selection(void)
{
	int q = msgget(IPC_PRIVATE, IPC_CREAT | 0600);
	char t[64];

	if (!CHECK(q >= 0))
		return 1;
	snd(q, 3, "c", 0);
	snd(q, 1, "a1", 0);
	snd(q, 2, "b", 0);
	snd(q, 1, "a2", 0);
	snd(q, 5, "e", 0);
	CHECK_EQ(rcv(q, 1, 0, t), 1);			/* first of type 1 */
	CHECK_EQ(strcmp(t, "a1"), 0);
	CHECK_EQ(rcv(q, -2, 0, t), 1);		/* lowest type <= 2 */
	CHECK_EQ(strcmp(t, "a2"), 0);
	CHECK_EQ(rcv(q, 3, MSG_EXCEPT, t), 2);	/* first not of type 3 */
	CHECK_EQ(rcv(q, 0, 0, t), 3);			/* the oldest */
	CHECK_EQ(rcv(q, 4, 0, t), -ENOMSG);
	CHECK_EQ(rcv(q, -4, 0, t), -ENOMSG);
	CHECK_EQ(rcv(q, 0, 0, t), 5);
	CHECK_EQ(rcv(q, 0, 0, t), -ENOMSG);
	CHECK_EQ(msgctl(q, IPC_RMID, NULL), 0);
	return 0;
}

static int case_sizes(void)
{
	int q = msgget(IPC_PRIVATE, IPC_CREAT | 0600);
	struct { long type; char text[8192 + 8]; } *big = calloc(1, sizeof(*big));
	struct { long type; char text[4]; } small;

	if (!CHECK(q >= 0 && big))
		return 1;
	big->type = 1;
	CHECK_ERR(msgsnd(q, big, 8193, 0), EINVAL);	/* over MSGMAX */
	CHECK_EQ(msgsnd(q, big, 8192, 0), 0);
	big->type = 0;
	CHECK_ERR(msgsnd(q, big, 1, 0), EINVAL);
	CHECK_ERR(msgsnd(q, tap_bad_ptr(16), 1, 0), EFAULT);
	CHECK_ERR(msgrcv(q, &small, sizeof(small.text), 0, IPC_NOWAIT), E2BIG);
	CHECK_EQ(msgrcv(q, &small, sizeof(small.text), 0, IPC_NOWAIT | MSG_NOERROR), 4);
	CHECK_ERR(msgrcv(q, &small, sizeof(small.text), 0, IPC_NOWAIT), ENOMSG);
	CHECK_ERR(msgrcv(q, &small, -1, 0, 0), EINVAL);
	CHECK_ERR(msgsnd(q + 1, &small, 1, 0), EINVAL);
	CHECK_EQ(msgctl(q, IPC_RMID, NULL), 0);
	CHECK_ERR(msgsnd(q, &small, 1, 0), EINVAL);
	return 0;
}

static int case_keys_and_ctl(void)
{
	key_t key = 0x4d00000 + getpid();
	struct msqid_ds ds;
	int q;

	CHECK_ERR(msgget(key, 0600), ENOENT);
	q = msgget(key, IPC_CREAT | IPC_EXCL | 0640);
	if (!CHECK(q >= 0))
		return 1;
	CHECK_EQ(msgget(key, 0), q);
	CHECK_ERR(msgget(key, IPC_CREAT | IPC_EXCL | 0600), EEXIST);
	CHECK_EQ(msgctl(q, IPC_STAT, &ds), 0);
	CHECK_EQ(ds.msg_perm.__key, key);
	CHECK_EQ(ds.msg_perm.mode & 0777, 0640);
	CHECK_EQ(ds.msg_qbytes, 16384);	/* MSGMNB */
	CHECK_EQ(ds.msg_qnum, 0);
	snd(q, 7, "hello", 0);
	CHECK_EQ(msgctl(q, IPC_STAT, &ds), 0);
	CHECK_EQ(ds.msg_qnum, 1);
	CHECK_EQ(ds.msg_cbytes, 6);
	CHECK_EQ(ds.msg_lspid, getpid());
	CHECK_EQ(ds.msg_lrpid, 0);
	ds.msg_perm.mode = 0600;
	ds.msg_qbytes = 10;
	CHECK_EQ(msgctl(q, IPC_SET, &ds), 0);
	CHECK_EQ(msgctl(q, IPC_STAT, &ds), 0);
	CHECK_EQ(ds.msg_perm.mode & 0777, 0600);
	CHECK_EQ(ds.msg_qbytes, 10);
	CHECK_EQ(snd(q, 1, "12345", IPC_NOWAIT), -1);	/* 6 + 6 > 10 */
	CHECK_EQ(errno, EAGAIN);
	CHECK_EQ(rcv(q, 0, 0, NULL), 7);
	CHECK_EQ(msgctl(q, IPC_STAT, &ds), 0);
	CHECK_EQ(ds.msg_lrpid, getpid());
	CHECK_ERR(msgctl(q, 12345, &ds), EINVAL);
	CHECK_EQ(msgctl(q, IPC_RMID, NULL), 0);
	CHECK_ERR(msgctl(q, IPC_STAT, &ds), EINVAL);
	CHECK_ERR(msgget(key, 0), ENOENT);
	return 0;
}

/* A sender blocked on a full queue goes on once a receiver makes room. */
static int case_block_when_full(void)
{
	int q = msgget(IPC_PRIVATE, IPC_CREAT | 0600), status;
	struct msqid_ds ds;
	pid_t pid;

	if (!CHECK(q >= 0))
		return 1;
	CHECK_EQ(msgctl(q, IPC_STAT, &ds), 0);
	ds.msg_qbytes = 8;
	CHECK_EQ(msgctl(q, IPC_SET, &ds), 0);
	CHECK_EQ(snd(q, 1, "first", 0), 0);
	fflush(NULL);
	pid = fork();
	if (pid == 0)
		_exit(snd(q, 2, "second", 0) == 0 ? 0 : 1);
	tap_sleep_ms(50);
	CHECK_EQ(msgctl(q, IPC_STAT, &ds), 0);
	CHECK_EQ(ds.msg_qnum, 1);	/* the child is still waiting */
	CHECK_EQ(rcv(q, 0, 0, NULL), 1);
	status = tap_wait_bounded(pid, 20);
	CHECK(WIFEXITED(status) && WEXITSTATUS(status) == 0);
	CHECK_EQ(rcv(q, 0, 0, NULL), 2);
	CHECK_EQ(msgctl(q, IPC_RMID, NULL), 0);
	return 0;
}

/* IPC_RMID wakes a blocked receiver and a blocked sender with EIDRM. */
static int case_rmid_wakes(void)
{
	int q = msgget(IPC_PRIVATE, IPC_CREAT | 0600), status;
	struct msqid_ds ds;
	struct m64 m;
	pid_t rpid, spid;

	if (!CHECK(q >= 0))
		return 1;
	fflush(NULL);
	rpid = fork();
	if (rpid == 0)
		_exit(msgrcv(q, &m, sizeof(m.text), 99, 0) == -1 && errno == EIDRM ? 0 : 1);
	CHECK_EQ(msgctl(q, IPC_STAT, &ds), 0);
	ds.msg_qbytes = 4;
	CHECK_EQ(msgctl(q, IPC_SET, &ds), 0);
	CHECK_EQ(snd(q, 1, "abc", 0), 0);
	spid = fork();
	if (spid == 0)
		_exit(snd(q, 1, "xyz", 0) == -1 && errno == EIDRM ? 0 : 1);
	tap_sleep_ms(80);
	CHECK_EQ(msgctl(q, IPC_RMID, NULL), 0);
	status = tap_wait_bounded(rpid, 20);
	CHECK(WIFEXITED(status) && WEXITSTATUS(status) == 0);
	status = tap_wait_bounded(spid, 20);
	CHECK(WIFEXITED(status) && WEXITSTATUS(status) == 0);
	return 0;
}

/* A receiver blocked forever still dies at once of a signal. */
static int case_signal_interrupts(void)
{
	int q = msgget(IPC_PRIVATE, IPC_CREAT | 0600), status;
	struct m64 m;
	pid_t pid;

	if (!CHECK(q >= 0))
		return 1;
	fflush(NULL);
	pid = fork();
	if (pid == 0) {
		msgrcv(q, &m, sizeof(m.text), 0, 0);
		_exit(1);
	}
	tap_sleep_ms(50);
	kill(pid, SIGTERM);
	status = tap_wait_bounded(pid, 20);
	CHECK(WIFSIGNALED(status) && WTERMSIG(status) == SIGTERM);
	CHECK_EQ(msgctl(q, IPC_RMID, NULL), 0);
	return 0;
}

/* Producer/consumer through a mailbox: 200 items in order, then an end marker of type 2. */
static int case_producer_consumer(void)
{
	int q = msgget(IPC_PRIVATE, IPC_CREAT | 0600), status;
	long sum = 0, expect = 1, bad = 0;
	struct m64 m;
	pid_t pid;

	if (!CHECK(q >= 0))
		return 1;
	fflush(NULL);
	pid = fork();
	if (pid == 0) {
		for (int i = 1; i <= 200; i++) {
			char t[16];

			snprintf(t, sizeof(t), "%d", i);
			if (snd(q, 1, t, 0))
				_exit(1);
		}
		_exit(snd(q, 2, "end", 0) ? 1 : 0);
	}
	for (;;) {
		if (!CHECK(msgrcv(q, &m, sizeof(m.text), -2, 0) > 0))
			break;
		if (m.type == 2)
			break;
		bad += atol(m.text) != expect++;
		sum += atol(m.text);
	}
	CHECK_EQ(bad, 0);
	CHECK_EQ(sum, 200 * 201 / 2);
	status = tap_wait_bounded(pid, 20);
	CHECK(WIFEXITED(status) && WEXITSTATUS(status) == 0);
	CHECK_EQ(msgctl(q, IPC_RMID, NULL), 0);
	return 0;
}

/* Entry point: runs every case and prints TAP. */
int main(void)
{
	tap_plan(7);
	run_case("type selection: 0, > 0, < 0, MSG_EXCEPT, ENOMSG", case_type_selection);
	run_case("MSGMAX, E2BIG, MSG_NOERROR, EINVAL, EFAULT", case_sizes);
	run_case("keys, IPC_STAT counters, IPC_SET, IPC_RMID", case_keys_and_ctl);
	run_case("a sender blocks on a full queue", case_block_when_full);
	run_case("IPC_RMID wakes blocked receiver and sender with EIDRM", case_rmid_wakes);
	run_case("a signal ends a blocked receiver", case_signal_interrupts);
	run_case("producer/consumer through a queue", case_producer_consumer);
	return tap_done();
}
