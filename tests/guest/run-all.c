/*
 * Runs the whole in-guest suite: each test program in turn, from the directory this program was
 * started from (/tests/guest on Sprout), with its TAP passed straight through behind a
 * "# program: <name>" line. Ends with "# run-all: N programs, N failed" and exits 0 only if
 * every program exited 0. Programs share our stdout (no pipes needed) and each is bounded in
 * time, killed (it is our own child) if it overruns.
 */
#include <tap.h>

#define PROGRAM_TIMEOUT_S	600

extern char **environ;

static const char *const programs[] = {
	"fork", "cow", "exec", "elf", "wait", "orphan", "efault", "pages",
	"pipe", "fifo", "poll", "shm", "memfd", "mmap2", "msg", "sem", "proc", "dev", "fuzz",
	"threads", "clone", "clone3", "rseq", "vfork", "waitid", "pidfd",
	"signals", "jobs", "pgrp", "sigmore", "usermode", "xstate",
	"vfs", "mountflags", "statfs", "fsprotect", "locks",
	"mqueue", "msgpass",
	"uaccess",
	"maps", "mlock", "smaps", "dynamic", "madvise", "mremap", "fdcalls", "sched", "procsched",
	"blkdev", "netdev", "posixtimer",
	"sysctl", "kmsg", "ipcinfo", "procperm", "loadavg", "oomadj", "swapinfo", "kvmalloc",
	"unix", "tcp", "epoll", "inotify",
	"stress",
	"limits", "robust", "coredump",
	"ptrace", "debugger",
};

/* Run dir/name and return its wait status (or a negative tap_wait_bounded() failure). */
static int run_program(const char *dir, const char *name)
{
	char path[4200];
	char *argv[] = { path, NULL };
	pid_t pid;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	fflush(NULL);
	pid = fork();
	if (pid == -1) {
		tap_diag("fork: %s", strerror(errno));
		return -2;
	}
	if (pid == 0) {
		execve(path, argv, environ);
		printf("# run-all: execve %s: %s\n", path, strerror(errno));
		_exit(127);
	}
	return tap_wait_bounded(pid, PROGRAM_TIMEOUT_S);
}

/* Entry point: argv[0] locates the suite. Returns 0 only if every program passed. */
int main(int argc, char **argv)
{
	const int count = sizeof(programs) / sizeof(programs[0]);
	char dir[4096], why[64];
	int failed = 0;

	setvbuf(stdout, NULL, _IONBF, 0);
	/* The programs start with descriptors 0, 1 and 2 only, whatever the caller left open
	 * (cases that name a descriptor number expect it to be free). */
	for (int fd = 3; fd < 1024; fd++)
		close(fd);
	tap_selfdir(dir, sizeof(dir), argc > 0 ? argv[0] : "./run-all");
	for (int i = 0; i < count; i++) {
		int status;

		printf("# program: %s\n", programs[i]);
		status = run_program(dir, programs[i]);
		if (status >= 0 && WIFEXITED(status) && WEXITSTATUS(status) == 0)
			continue;
		failed++;
		printf("# program %s failed: %s\n", programs[i],
		       tap_status_str(status, why, sizeof(why)));
	}
	printf("# run-all: %d programs, %d failed\n", count, failed);
	return failed ? 1 : 0;
}
