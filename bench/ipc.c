/*
 * Communication between two processes:
 *   pipe_rtt        one byte there and back over two pipes, microseconds per round trip;
 *   pipe_bw         64 KiB writes from a child to its parent, MiB/s (higher is better);
 *   unix_rtt        one byte there and back over an AF_UNIX stream socketpair, microseconds;
 *   unix_bw         64 KiB writes over an AF_UNIX stream socketpair, MiB/s;
 *   sysv_msg_rtt    a System V message there and back on one queue (two types), microseconds;
 *   direct_msg_rtt  Sprout's direct message passing (sendrec to an echo server); missing
 *                   where the calls do not exist (ENOSYS, as on Linux).
 * The parent measures; its child serves. See bench.h.
 */
#include "bench.h"
#include "uapi/sprout_msg.h"

#include <sys/ipc.h>
#include <sys/msg.h>
#include <sys/socket.h>

#define CHUNK	(64 * 1024)

static char chunk[CHUNK];

/* read() exactly @len bytes; returns 0, or -1 on error or early end of file. */
static int read_full(int fd, char *buf, size_t len)
{
	while (len) {
		ssize_t n = read(fd, buf, len);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) {
			if (n == 0)
				errno = EPIPE;
			return -1;
		}
		buf += n;
		len -= n;
	}
	return 0;
}

static int write_full(int fd, const char *buf, size_t len)
{
	while (len) {
		ssize_t n = write(fd, buf, len);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return -1;
		buf += n;
		len -= n;
	}
	return 0;
}

/* The child of pipe_rtt: echo @k bytes from @in to @out. */
static void __attribute__((noreturn)) echo_child(int in, int out, long k)
{
	char c;

	for (long i = 0; i < k; i++) {
		if (read_full(in, &c, 1) || write_full(out, &c, 1))
			_exit(1);
	}
	_exit(0);
}

static void pipe_rtt(long k, int reps)
{
	double v[BENCH_MAX_REPS];

	for (int r = 0; r < reps; r++) {
		int there[2], back[2];
		uint64_t t0;
		pid_t pid;
		char c = 'x';

		if (pipe(there) < 0) {
			bench_fail("pipe_rtt", "us", "pipe", errno);
			return;
		}
		if (pipe(back) < 0) {
			bench_fail("pipe_rtt", "us", "pipe", errno);
			return;
		}
		pid = fork();
		if (pid < 0) {
			bench_fail("pipe_rtt", "us", "fork", errno);
			return;
		}
		if (pid == 0) {
			close(there[1]);
			close(back[0]);
			echo_child(there[0], back[1], k + 1);
		}
		close(there[0]);
		close(back[1]);
		/* One warm-up trip, so the child is running before the clock starts. */
		t0 = 0;
		for (long i = 0; i <= k; i++) {
			if (i == 1) {
				bench_mark();
				t0 = bench_now_ns();
			}
			if (write_full(there[1], &c, 1) || read_full(back[0], &c, 1)) {
				bench_fail("pipe_rtt", "us", "pipe read/write", errno);
				return;
			}
		}
		v[r] = (bench_now_ns() - t0) / 1e3 / k;
		bench_mark();
		close(there[1]);
		close(back[0]);
		if (bench_reap(pid)) {
			bench_fail("pipe_rtt", "us", "child", errno);
			return;
		}
	}
	bench_report("pipe_rtt", "us", v, reps);
}

static void pipe_bw(long chunks, int reps)
{
	double v[BENCH_MAX_REPS];

	for (int r = 0; r < reps; r++) {
		int fds[2];
		uint64_t t0;
		pid_t pid;

		if (pipe(fds) < 0) {
			bench_fail("pipe_bw", "MiB/s", "pipe", errno);
			return;
		}
		t0 = bench_now_ns();
		pid = fork();
		if (pid < 0) {
			bench_fail("pipe_bw", "MiB/s", "fork", errno);
			return;
		}
		if (pid == 0) {
			close(fds[0]);
			for (long i = 0; i < chunks; i++) {
				if (write_full(fds[1], chunk, CHUNK))
					_exit(1);
			}
			_exit(0);
		}
		close(fds[1]);
		for (long i = 0; i < chunks; i++) {
			if (read_full(fds[0], chunk, CHUNK)) {
				bench_fail("pipe_bw", "MiB/s", "read", errno);
				return;
			}
		}
		v[r] = chunks * (CHUNK / 1048576.0) / ((bench_now_ns() - t0) / 1e9);
		close(fds[0]);
		if (bench_reap(pid)) {
			bench_fail("pipe_bw", "MiB/s", "child", errno);
			return;
		}
	}
	bench_report("pipe_bw", "MiB/s", v, reps);
}

struct ping {
	long mtype;
	char byte;
};

static void __attribute__((noreturn)) msg_child(int q, long k)
{
	struct ping m;

	for (long i = 0; i < k; i++) {
		if (msgrcv(q, &m, sizeof(m.byte), 1, 0) < 0)
			_exit(1);
		m.mtype = 2;
		if (msgsnd(q, &m, sizeof(m.byte), 0) < 0)
			_exit(1);
	}
	_exit(0);
}

static void sysv_msg_rtt(long k, int reps)
{
	double v[BENCH_MAX_REPS];
	int q = msgget(IPC_PRIVATE, IPC_CREAT | 0600);

	if (q < 0) {
		bench_fail("sysv_msg_rtt", "us", "msgget", errno);
		return;
	}
	for (int r = 0; r < reps; r++) {
		struct ping m = { 1, 'x' };
		uint64_t t0 = 0;
		pid_t pid = fork();

		if (pid < 0) {
			bench_fail("sysv_msg_rtt", "us", "fork", errno);
			goto out;
		}
		if (pid == 0)
			msg_child(q, k + 1);
		for (long i = 0; i <= k; i++) {
			if (i == 1) {
				bench_mark();
				t0 = bench_now_ns();
			}
			m.mtype = 1;
			if (msgsnd(q, &m, sizeof(m.byte), 0) < 0 ||
			    msgrcv(q, &m, sizeof(m.byte), 2, 0) < 0) {
				bench_fail("sysv_msg_rtt", "us", "msgsnd/msgrcv", errno);
				kill(pid, SIGKILL);
				bench_reap_any(pid);
				goto out;
			}
		}
		v[r] = (bench_now_ns() - t0) / 1e3 / k;
		bench_mark();
		if (bench_reap(pid)) {
			bench_fail("sysv_msg_rtt", "us", "child", errno);
			goto out;
		}
	}
	bench_report("sysv_msg_rtt", "us", v, reps);
out:
	msgctl(q, IPC_RMID, NULL);
}

static void __attribute__((noreturn)) msg_echo_child(pid_t parent, long k)
{
	struct sprout_msg m;

	for (long i = 0; i < k; i++) {
		if (sprout_receive(parent, &m) != parent || sprout_send(parent, &m))
			_exit(1);
	}
	_exit(0);
}

/* Sprout's direct messages: sendrec to an echo server, one round trip each. */
static void direct_msg_rtt(long k, int reps)
{
	double v[BENCH_MAX_REPS];
	struct sprout_msg m;

	memset(&m, 0, sizeof(m));
	if (sprout_send(0, &m) < 0 && errno == ENOSYS) {
		bench_missing("direct_msg_rtt", "us", "no direct-message system calls");
		return;
	}
	for (int r = 0; r < reps; r++) {
		uint64_t t0 = 0;
		pid_t me = getpid(), pid = fork();

		if (pid < 0) {
			bench_fail("direct_msg_rtt", "us", "fork", errno);
			return;
		}
		if (pid == 0)
			msg_echo_child(me, k + 1);
		for (long i = 0; i <= k; i++) {
			if (i == 1) {
				bench_mark();
				t0 = bench_now_ns();
			}
			if (sprout_sendrec(pid, &m)) {
				bench_fail("direct_msg_rtt", "us", "sendrec", errno);
				kill(pid, SIGKILL);
				bench_reap_any(pid);
				return;
			}
		}
		v[r] = (bench_now_ns() - t0) / 1e3 / k;
		bench_mark();
		if (bench_reap(pid)) {
			bench_fail("direct_msg_rtt", "us", "child", errno);
			return;
		}
	}
	bench_report("direct_msg_rtt", "us", v, reps);
}

/* As pipe_rtt, over one AF_UNIX stream socketpair: each end both ways. */
static void unix_rtt(long k, int reps)
{
	double v[BENCH_MAX_REPS];

	for (int r = 0; r < reps; r++) {
		int sv[2];
		uint64_t t0 = 0;
		pid_t pid;
		char c = 'x';

		if (socketpair(AF_UNIX, SOCK_STREAM, 0, sv) < 0) {
			bench_fail("unix_rtt", "us", "socketpair", errno);
			return;
		}
		pid = fork();
		if (pid < 0) {
			bench_fail("unix_rtt", "us", "fork", errno);
			return;
		}
		if (pid == 0) {
			close(sv[0]);
			echo_child(sv[1], sv[1], k + 1);
		}
		close(sv[1]);
		for (long i = 0; i <= k; i++) {
			if (i == 1)
				t0 = bench_now_ns();
			if (write_full(sv[0], &c, 1) || read_full(sv[0], &c, 1)) {
				bench_fail("unix_rtt", "us", "socket read/write", errno);
				return;
			}
		}
		v[r] = (bench_now_ns() - t0) / 1e3 / k;
		close(sv[0]);
		if (bench_reap(pid)) {
			bench_fail("unix_rtt", "us", "child", errno);
			return;
		}
	}
	bench_report("unix_rtt", "us", v, reps);
}

/* As pipe_bw, over an AF_UNIX stream socketpair. */
static void unix_bw(long chunks, int reps)
{
	double v[BENCH_MAX_REPS];

	for (int r = 0; r < reps; r++) {
		int sv[2];
		uint64_t t0;
		pid_t pid;

		if (socketpair(AF_UNIX, SOCK_STREAM, 0, sv) < 0) {
			bench_fail("unix_bw", "MiB/s", "socketpair", errno);
			return;
		}
		t0 = bench_now_ns();
		pid = fork();
		if (pid < 0) {
			bench_fail("unix_bw", "MiB/s", "fork", errno);
			return;
		}
		if (pid == 0) {
			close(sv[0]);
			for (long i = 0; i < chunks; i++)
				if (write_full(sv[1], chunk, CHUNK))
					_exit(1);
			_exit(0);
		}
		close(sv[1]);
		for (long i = 0; i < chunks; i++) {
			if (read_full(sv[0], chunk, CHUNK)) {
				bench_fail("unix_bw", "MiB/s", "read", errno);
				return;
			}
		}
		v[r] = chunks * (CHUNK / 1048576.0) / ((bench_now_ns() - t0) / 1e9);
		close(sv[0]);
		if (bench_reap(pid)) {
			bench_fail("unix_bw", "MiB/s", "child", errno);
			return;
		}
	}
	bench_report("unix_bw", "MiB/s", v, reps);
}

int main(int argc, char **argv)
{
	struct bench_opts o;

	bench_parse(argc, argv, &o);
	if (bench_wanted(&o, "pipe_rtt"))
		pipe_rtt(bench_batch(&o, 2000), o.reps);
	if (bench_wanted(&o, "pipe_bw"))
		pipe_bw(bench_batch(&o, 256), o.reps);
	if (bench_wanted(&o, "unix_rtt"))
		unix_rtt(bench_batch(&o, 2000), o.reps);
	if (bench_wanted(&o, "unix_bw"))
		unix_bw(bench_batch(&o, 256), o.reps);
	if (bench_wanted(&o, "sysv_msg_rtt"))
		sysv_msg_rtt(bench_batch(&o, 2000), o.reps);
	if (bench_wanted(&o, "direct_msg_rtt"))
		direct_msg_rtt(bench_batch(&o, 2000), o.reps);
	return 0;
}
