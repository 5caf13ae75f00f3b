/*
 * A fixed sequence of system calls for the strace difftest in the Debian image
 * (tools/test.py, RunChecks.debian_strace): `strace -f` of this program inside Sprout must
 * print what it prints on Linux, line for line apart from addresses and pids.
 *
 * Every call's result is the same on both kernels, and nothing depends on timing:
 * SIGCHLD is blocked before the fork, so its delivery never lands between two other lines.
 * SIGUSR1 is ignored and then raised: a traced process still reports an ignored signal to
 * its tracer (ptrace(2), signal-delivery-stop), so strace shows it on both.
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <string.h>
#include <unistd.h>
#include <sys/wait.h>

int main(void)
{
	static const char msg[] = "a fixed program\n";
	struct sigaction sa;
	sigset_t chld;
	char buf[8];
	int fd[2], st;
	pid_t pid;

	if (write(1, msg, sizeof(msg) - 1) != (ssize_t)sizeof(msg) - 1)
		return 1;
	if (open("/nonexistent/file", O_RDONLY) != -1 || errno != ENOENT)
		return 2;
	sigemptyset(&chld);
	sigaddset(&chld, SIGCHLD);
	if (sigprocmask(SIG_BLOCK, &chld, NULL) || pipe2(fd, O_CLOEXEC))
		return 3;
	pid = fork();
	if (pid < 0)
		return 4;
	if (pid == 0) {
		if (write(fd[1], "x", 1) != 1)
			_exit(1);
		_exit(7);
	}
	if (read(fd[0], buf, sizeof(buf)) != 1 || waitpid(pid, &st, 0) != pid)
		return 5;
	if (close(fd[0]) || close(fd[1]) || kill(getpid(), 0))
		return 6;
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = SIG_IGN;
	if (sigaction(SIGUSR1, &sa, NULL) || raise(SIGUSR1))
		return 7;
	return WIFEXITED(st) && WEXITSTATUS(st) == 7 ? 0 : 8;
}
