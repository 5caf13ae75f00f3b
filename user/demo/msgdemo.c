/*
 * msgdemo: producer/consumer by Sprout's direct message passing
 * (include/uapi/sprout_msg.h, docs/ipc.md). The producer, a child, sends the
 * numbers 1..300 to the consumer, its parent, by pid, then an end message;
 * each send waits until the consumer has received it, so no buffer is
 * needed and none fills up. Then the parent plays client to a squaring
 * server with sendrec. The output is the same on every run:
 *
 *   consumer: 300 items in order, sum 45150
 *   client: 12 squared is 144
 *   client: 99 squared is 9801
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>
#include "uapi/sprout_msg.h"

#define ITEMS		300
#define M_ITEM		1
#define M_END		2
#define M_SQUARE	3
#define M_ANSWER	4

static void producer(pid_t consumer)
{
	struct sprout_msg m;

	memset(&m, 0, sizeof(m));
	for (long i = 1; i <= ITEMS + 1; i++) {
		m.m_type = i <= ITEMS ? M_ITEM : M_END;
		m.m_long[0] = i;
		if (sprout_send(consumer, &m)) {
			perror("producer: sprout_send");
			_exit(1);
		}
	}
	_exit(0);
}

static int consumer(pid_t producer_pid)
{
	long expect = 1, sum = 0;
	struct sprout_msg m;

	for (;;) {
		if (sprout_receive(producer_pid, &m) != producer_pid) {
			perror("consumer: sprout_receive");
			return 1;
		}
		if (m.m_type == M_END)
			break;
		if (m.m_long[0] != expect++) {
			printf("consumer: item %ld out of order\n", m.m_long[0]);
			return 1;
		}
		sum += m.m_long[0];
	}
	printf("consumer: %ld items in order, sum %ld\n", expect - 1, sum);
	return 0;
}

/* Answer two requests from whoever asks, then stop. */
static void square_server(void)
{
	for (int i = 0; i < 2; i++) {
		struct sprout_msg m;
		pid_t client = sprout_receive(SPROUT_ANY, &m);

		if (client < 0 || m.m_type != M_SQUARE)
			_exit(1);
		m.m_type = M_ANSWER;
		m.m_long[0] *= m.m_long[0];
		if (sprout_send(client, &m))
			_exit(1);
	}
	_exit(0);
}

static int ask_square(pid_t server, long v)
{
	struct sprout_msg m;

	memset(&m, 0, sizeof(m));
	m.m_type = M_SQUARE;
	m.m_long[0] = v;
	if (sprout_sendrec(server, &m)) {
		perror("client: sprout_sendrec");
		return 1;
	}
	printf("client: %ld squared is %ld\n", v, m.m_long[0]);
	return 0;
}

static int reap(pid_t pid)
{
	int status;

	return waitpid(pid, &status, 0) == pid && WIFEXITED(status) &&
	       WEXITSTATUS(status) == 0 ? 0 : 1;
}

int main(void)
{
	pid_t self = getpid(), pid;
	int bad;

	setvbuf(stdout, NULL, _IONBF, 0);
	pid = fork();
	if (pid < 0)
		return perror("fork"), 1;
	if (pid == 0)
		producer(self);
	bad = consumer(pid);
	bad |= reap(pid);

	pid = fork();
	if (pid < 0)
		return perror("fork"), 1;
	if (pid == 0)
		square_server();
	bad |= ask_square(pid, 12);
	bad |= ask_square(pid, 99);
	bad |= reap(pid);
	return bad;
}
