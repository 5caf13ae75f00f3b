/*
 * forkserver: the classic server that forks a process for every connection.
 *
 *   socket, bind, listen        make a listening socket
 *   loop: accept                wait for the next client
 *         fork                  the child serves that one client and exits
 *         close                 the parent drops its copy of the connection
 *   SIGCHLD                     the parent reaps each finished child (no zombies pile up)
 *
 * Usage: forkserver [-v] [-n COUNT] [-c CLIENTS] [-p PORT | -u PATH]
 *   -p PORT     TCP port (the default: 80)
 *   -u PATH     serve on an AF_UNIX socket at PATH instead
 *   -n COUNT    stop after COUNT connections (default: serve for ever)
 *   -c CLIENTS  also start CLIENTS client processes that each make one request,
 *               so the program shows a whole run by itself (implies -n CLIENTS)
 *   -v          narrate: print every fork, exit and reap with real pids
 *
 * TCP is the default. Where the kernel has no AF_INET (socket() fails with
 * EAFNOSUPPORT), it says so and falls back to the AF_UNIX path
 * /tmp/forkserver.sock. `forkserver -v -c 3` is the self-contained demo.
 *
 * Each child answers one HTTP/1.0 request with a page naming its own pid and
 * its parent's, so a client sees that every request had a process of its
 * own. Runs on Linux as well.
 */
#include <errno.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

#ifndef errno
int *__errno_location(void);
#define errno (*__errno_location())
#endif

#define FALLBACK_PATH	"/tmp/forkserver.sock"

static bool verbose;
static volatile sig_atomic_t reaped;	/* children reaped by the SIGCHLD handler */

/* Async-signal-safe output: text parts with numbers between them, with only write(2). */
static void say_raw(const char *const *parts, const long *nums, int n)
{
	char buf[160];
	size_t len = 0;

	for (int i = 0; i < n; i++) {
		for (const char *p = parts[i]; *p && len < sizeof(buf) - 24; p++)
			buf[len++] = *p;
		if (i < n - 1) {
			char d[24];
			int k = 0;
			long v = nums[i];

			do {
				d[k++] = (char)('0' + v % 10);
				v /= 10;
			} while (v);
			while (k)
				buf[len++] = d[--k];
		}
	}
	buf[len++] = '\n';
	(void)!write(STDOUT_FILENO, buf, len);
}

/* SIGCHLD: reap every child that has finished. waitpid with WNOHANG never blocks here. */
static void on_sigchld(int sig)
{
	int saved = errno, status;
	pid_t pid;

	(void)sig;
	while ((pid = waitpid(-1, &status, WNOHANG)) > 0) {
		reaped++;
		if (verbose) {
			static const char *const parts[] = { "[server ", "] SIGCHLD: reaped child ",
							     ", exit status ", "" };
			long nums[] = { getpid(), pid, WIFEXITED(status) ? WEXITSTATUS(status)
							  : 128 + WTERMSIG(status) };

			say_raw(parts, nums, 4);
		}
	}
	errno = saved;
}

/* One child's whole life: read the request, answer it, exit. */
static void serve(int conn, int number)
{
	char req[1024], page[256], resp[512];
	size_t got = 0;
	ssize_t n;

	if (verbose)
		printf("[child %d]  forked by %d to serve connection %d\n", getpid(), getppid(),
		       number);
	while (got < sizeof(req) - 1 && (n = read(conn, req + got, sizeof(req) - 1 - got)) > 0) {
		got += (size_t)n;
		req[got] = 0;
		if (strstr(req, "\r\n\r\n") || strstr(req, "\n\n"))
			break;
	}
	req[got] = 0;
	snprintf(page, sizeof(page), "Hello from pid %d (parent %d), connection %d\n",
		 getpid(), getppid(), number);
	n = snprintf(resp, sizeof(resp),
		     "HTTP/1.0 200 OK\r\nContent-Type: text/plain\r\nContent-Length: %zu\r\n"
		     "Connection: close\r\n\r\n%s", strlen(page), page);
	if (write(conn, resp, (size_t)n) != n)
		_exit(1);
	if (verbose) {
		char *eol = strpbrk(req, "\r\n");

		if (eol)
			*eol = 0;
		printf("[child %d]  \"%s\" -> 200; exiting with status 0\n", getpid(), req);
	}
	close(conn);
	fflush(stdout);
	_exit(0);
}

/* A client process: connect, send one request, print the answer's last line. */
static void client(const struct sockaddr *addr, socklen_t len, int family)
{
	char buf[1024];
	size_t got = 0;
	ssize_t n;
	int s = socket(family, SOCK_STREAM, 0);

	if (s < 0 || connect(s, addr, len) < 0) {
		perror("forkserver: client connect");
		_exit(1);
	}
	if (write(s, "GET / HTTP/1.0\r\n\r\n", 18) != 18)
		_exit(1);
	while (got < sizeof(buf) - 1 && (n = read(s, buf + got, sizeof(buf) - 1 - got)) > 0)
		got += (size_t)n;
	buf[got] = 0;
	char *body = strstr(buf, "\r\n\r\n");

	printf("[client %d] got: %s", getpid(), body ? body + 4 : "(no answer)\n");
	fflush(stdout);
	_exit(body && !strncmp(buf, "HTTP/1.0 200", 12) ? 0 : 1);
}

/* The listening socket: TCP on @port, or AF_UNIX at @path. */
static int listen_on(const char *path, int port, struct sockaddr_storage *addr, socklen_t *len,
		     int *family)
{
	int s, one = 1;

	if (!path) {
		struct sockaddr_in *in = (struct sockaddr_in *)addr;

		s = socket(AF_INET, SOCK_STREAM, 0);
		if (s < 0 && errno == EAFNOSUPPORT) {
			printf("forkserver: this kernel has no TCP/IP yet (socket(AF_INET): %s);\n"
			       "            serving on the AF_UNIX socket %s instead\n",
			       strerror(errno), FALLBACK_PATH);
			path = FALLBACK_PATH;
		} else if (s < 0) {
			perror("forkserver: socket");
			return -1;
		} else {
			memset(in, 0, sizeof(*in));
			in->sin_family = AF_INET;
			in->sin_port = htons((unsigned short)port);
			in->sin_addr.s_addr = htonl(INADDR_LOOPBACK);
			*len = sizeof(*in);
			*family = AF_INET;
			setsockopt(s, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
			in->sin_addr.s_addr = htonl(INADDR_ANY);
			if (bind(s, (struct sockaddr *)in, *len) < 0) {
				perror("forkserver: bind");
				return -1;
			}
			in->sin_addr.s_addr = htonl(INADDR_LOOPBACK);	/* where clients go */
		}
	}
	if (path) {
		struct sockaddr_un *un = (struct sockaddr_un *)addr;

		s = socket(AF_UNIX, SOCK_STREAM, 0);
		if (s < 0) {
			perror("forkserver: socket");
			return -1;
		}
		memset(un, 0, sizeof(*un));
		un->sun_family = AF_UNIX;
		snprintf(un->sun_path, sizeof(un->sun_path), "%s", path);
		*len = sizeof(*un);
		*family = AF_UNIX;
		unlink(path);	/* a name left by an earlier run would make bind say EADDRINUSE */
		if (bind(s, (struct sockaddr *)un, *len) < 0) {
			perror("forkserver: bind");
			return -1;
		}
	}
	if (listen(s, 16) < 0) {
		perror("forkserver: listen");
		return -1;
	}
	/* Said only now that connections are taken: a host waiting for this line may connect. */
	if (path)
		printf("forkserver: pid %d listening on unix:%s\n", getpid(), path);
	else
		printf("forkserver: pid %d listening on TCP port %d\n", getpid(), port);
	return s;
}

int main(int argc, char **argv)
{
	const char *path = NULL;
	int port = 80, count = -1, clients = 0, opt, family = 0, served = 0;
	struct sockaddr_storage addr;
	socklen_t alen = 0;
	struct sigaction sa;
	sigset_t chld, old;

	while ((opt = getopt(argc, argv, "vn:c:p:u:")) != -1) {
		switch (opt) {
		case 'v': verbose = true; break;
		case 'n': count = atoi(optarg); break;
		case 'c': clients = atoi(optarg); break;
		case 'p': port = atoi(optarg); break;
		case 'u': path = optarg; break;
		default:
			fprintf(stderr, "usage: %s [-v] [-n COUNT] [-c CLIENTS] [-p PORT | -u PATH]\n",
				argv[0]);
			return 2;
		}
	}
	if (clients > 0)
		count = clients;
	setvbuf(stdout, NULL, _IONBF, 0);	/* forks never duplicate buffered text */
	/* SA_RESTART: an accept() interrupted by SIGCHLD simply goes on waiting. */
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_sigchld;
	sa.sa_flags = SA_RESTART | SA_NOCLDSTOP;
	sigaction(SIGCHLD, &sa, NULL);

	int lsock = listen_on(path, port, &addr, &alen, &family);

	if (lsock < 0)
		return 1;
	/* The demo's clients are children too; their exits are reaped like the servers'. */
	for (int i = 0; i < clients; i++) {
		pid_t c = fork();

		if (c == 0) {
			close(lsock);
			client((struct sockaddr *)&addr, alen, family);
		}
		if (verbose)
			printf("[server %d] forked client %d\n", getpid(), c);
	}
	while (count < 0 || served < count) {
		int conn = accept(lsock, NULL, NULL);
		pid_t pid;

		if (conn < 0) {
			if (errno == EINTR)
				continue;
			perror("forkserver: accept");
			return 1;
		}
		served++;
		pid = fork();
		if (pid == 0) {
			close(lsock);
			serve(conn, served);
		}
		if (pid < 0)
			perror("forkserver: fork");
		else if (verbose)
			printf("[server %d] accepted connection %d -> forked child %d\n", getpid(),
			       served, pid);
		close(conn);	/* the child has its own copy of the descriptor */
	}
	/* Wait for the last children: sleep in sigsuspend until SIGCHLD has reaped them all. */
	sigemptyset(&chld);
	sigaddset(&chld, SIGCHLD);
	sigprocmask(SIG_BLOCK, &chld, &old);
	while (reaped < served + clients)
		sigsuspend(&old);
	sigprocmask(SIG_SETMASK, &old, NULL);
	close(lsock);
	if (family == AF_UNIX)
		unlink(((struct sockaddr_un *)&addr)->sun_path);
	printf("forkserver: served %d connections, each in its own process; reaped %d children\n",
	       served, (int)reaped);
	return 0;
}
