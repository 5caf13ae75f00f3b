/*
 * init for the Linux side of the benchmarks (/init in the initramfs tools/bench.py builds):
 * mounts devtmpfs on /dev, proc on /proc and a tmpfs on /tmp, puts the console on fds 0-2,
 * runs the program named in /run/init.argv (NUL-separated strings, as Sprout's init reads it),
 * reaps every child until that program has exited, prints "bench-init: status N" and powers
 * the machine off. Nothing here is measured.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <sys/mount.h>
#include <sys/reboot.h>
#include <sys/stat.h>
#include <sys/wait.h>

#define ARGV_FILE	"/run/init.argv"

static char buf[16384];
static char *args[256];

static void power_off(int status)
{
	printf("bench-init: status %d\n", status);
	fflush(stdout);
	sync();
	reboot(RB_POWER_OFF);
	/* Returning from pid 1 would panic the kernel; stay here if power-off failed. */
	for (;;)
		pause();
}

static void try_mount(const char *src, const char *dir, const char *type, const char *opts)
{
	mkdir(dir, 0755);
	if (mount(src, dir, type, 0, opts) < 0 && errno != EBUSY)
		fprintf(stderr, "bench-init: mount %s on %s: %s\n", type, dir, strerror(errno));
}

/* Fill args from ARGV_FILE; returns the count, 0 if there is none. */
static int read_args(void)
{
	int fd = open(ARGV_FILE, O_RDONLY), n = 0;
	ssize_t len;

	if (fd < 0)
		return 0;
	len = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (len <= 0)
		return 0;
	buf[len] = '\0';
	for (ssize_t i = 0; i < len && n < 255; i += strlen(buf + i) + 1)
		args[n++] = buf + i;
	args[n] = NULL;
	return n;
}

int main(void)
{
	static char *envp[] = { "PATH=/bench:/bin", "HOME=/", "TERM=vt100", NULL };
	int st, fd;
	pid_t prog, pid;

	try_mount("devtmpfs", "/dev", "devtmpfs", NULL);
	if (fcntl(0, F_GETFD) < 0) {
		fd = open("/dev/console", O_RDWR);
		if (fd >= 0) {
			dup2(fd, 0);
			dup2(fd, 1);
			dup2(fd, 2);
			if (fd > 2)
				close(fd);
		}
	}
	try_mount("proc", "/proc", "proc", NULL);
	try_mount("tmpfs", "/tmp", "tmpfs", "mode=1777");
	if (read_args() == 0) {
		fprintf(stderr, "bench-init: no program in %s\n", ARGV_FILE);
		power_off(127);
	}
	prog = fork();
	if (prog < 0) {
		perror("bench-init: fork");
		power_off(127);
	}
	if (prog == 0) {
		execve(args[0], args, envp);
		fprintf(stderr, "bench-init: cannot run %s: %s\n", args[0], strerror(errno));
		_exit(127);
	}
	for (;;) {
		pid = wait(&st);
		if (pid == prog)
			power_off(WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st));
		if (pid < 0 && errno != EINTR)
			power_off(127);
	}
}
