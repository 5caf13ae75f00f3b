/*
 * init: process 1.
 *
 * The kernel starts /sbin/init with stdin, stdout and stderr already open on
 * the console. init runs one program: the argv stored in /run/init.argv
 * (NUL-terminated strings), or, when that file does not exist, a login shell
 * on the console -- root's shell from /etc/passwd, /bin/sh if there is none
 * (busybox sh in the default image, Debian's bash in the Debian one), as
 * "-NAME -l", the way login(1) starts it: init first gives the line the usual cooked
 * settings (as getty does; the kernel boots it raw, see fs/tty.c), and the
 * shell runs as the leader of a new session whose controlling terminal is the
 * console. `exit` at the prompt ends the shell, hence init, hence the machine.
 * The lifecycle walkthrough stays reachable as /bin/lifecycle.
 * A program from /run/init.argv runs the same way, as the leader of a new
 * session with the console as its controlling terminal, so that ^C and ^Z
 * reach it and a shell has job control; when /run/init.tty exists (the host
 * side is a terminal, not a pipe) the line gets the cooked settings too.
 * While the program runs, init reaps every child it has -- the program itself
 * and every orphan the kernel hands over when a parent exits before its
 * children. When the program has exited, init exits with its status (the
 * exit status, or 128 + the signal number if it was killed), and the kernel
 * powers the machine off carrying that status out.
 *
 * init prints nothing on stdout: that belongs to the program it runs.
 */
#include <errno.h>
#include <pwd.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <termios.h>
#include <unistd.h>

/*
 * The build puts include/uapi ahead of libc's headers, and Sprout's
 * uapi/errno.h has only the constants; reach errno the way libc defines it.
 */
#ifndef errno
int *__errno_location(void);
#define errno (*__errno_location())
#endif

#ifndef INIT_ARGV_FILE
#define INIT_ARGV_FILE	"/run/init.argv"
#endif
#ifndef INIT_TTY_FILE
#define INIT_TTY_FILE	"/run/init.tty"
#endif
#ifndef INIT_SHELL
#define INIT_SHELL	"/bin/sh"
#endif

#define ARGV_BYTES	16384	/* largest /run/init.argv accepted */
#define ARGV_MAX	256	/* most arguments accepted */

#define EXIT_CANNOT_RUN	127	/* as a shell reports a command it could not run */

static char argv_buf[ARGV_BYTES + 1];
static char *prog_argv[ARGV_MAX + 1];

static char *const prog_envp[] = {
	"PATH=/bin:/sbin", "HOME=/root", "TERM=vt100", NULL
};

/* Report a problem of init's own on the console and stop with @status. */
static void die(const char *what, const char *detail, int status)
{
	fprintf(stderr, "init: %s: %s\n", what, detail);
	exit(status);
}

/*
 * Fill prog_argv from INIT_ARGV_FILE. Returns 0, or -1 when the file does
 * not exist (the caller then runs the default program).
 */
static int read_argv_file(void)
{
	FILE *f = fopen(INIT_ARGV_FILE, "r");
	size_t len;
	int argc = 0;

	if (!f) {
		if (errno == ENOENT)
			return -1;
		die(INIT_ARGV_FILE, strerror(errno), EXIT_CANNOT_RUN);
	}
	len = fread(argv_buf, 1, ARGV_BYTES, f);
	if (ferror(f))
		die(INIT_ARGV_FILE, strerror(errno), EXIT_CANNOT_RUN);
	if (len == ARGV_BYTES)
		die(INIT_ARGV_FILE, "too large", EXIT_CANNOT_RUN);
	/* Closed before the fork, so the program does not inherit it. */
	fclose(f);

	/* A missing final NUL still ends the last string (argv_buf has room). */
	argv_buf[len] = '\0';
	for (size_t i = 0; i < len; i += strlen(argv_buf + i) + 1) {
		if (argc == ARGV_MAX)
			die(INIT_ARGV_FILE, "too many arguments", EXIT_CANNOT_RUN);
		prog_argv[argc++] = argv_buf + i;
	}
	if (argc == 0)
		die(INIT_ARGV_FILE, "no program named", EXIT_CANNOT_RUN);
	prog_argv[argc] = NULL;
	return 0;
}

/* The console's cooked settings ("stty sane" on a serial line). */
static void console_sane(void)
{
	struct termios t;

	if (tcgetattr(0, &t) < 0)
		return;	/* not a terminal: leave it be */
	t.c_iflag = ICRNL | IXON | BRKINT;
	t.c_oflag = OPOST | ONLCR;
	t.c_lflag = ISIG | ICANON | ECHO | ECHOE | ECHOK | ECHOCTL | ECHOKE | IEXTEN;
	t.c_cc[VMIN] = 1;
	t.c_cc[VTIME] = 0;
	tcsetattr(0, TCSANOW, &t);
}

/*
 * In the child: lead a new session with the console as its controlling
 * terminal. Where setsid() is not available the child stays in init's
 * session, whose controlling terminal init took before forking.
 */
static void login_session(void)
{
	if (setsid() < 0)
		return;
	ioctl(0, TIOCSCTTY, 1);
}

static char shell_path[4096];
static char shell_argv0[256];

/* The login shell: root's from /etc/passwd, else INIT_SHELL; argv[0] is its
 * name after a "-" (a login shell, as login(1) names it). */
static void find_login_shell(void)
{
	struct passwd *pw = getpwuid(0);
	const char *sh = pw && pw->pw_shell && pw->pw_shell[0] == '/' ? pw->pw_shell : INIT_SHELL;
	const char *base = strrchr(sh, '/') + 1;

	snprintf(shell_path, sizeof(shell_path), "%s", sh);
	snprintf(shell_argv0, sizeof(shell_argv0), "-%s", base);
}

/* Start the program in a new process; returns its pid. */
static pid_t start_program(char **argv, bool login)
{
	pid_t pid = fork();

	if (pid < 0)
		die("fork", strerror(errno), EXIT_CANNOT_RUN);
	if (pid == 0) {
		login_session();
		execve(login ? shell_path : argv[0], argv, prog_envp);
		fprintf(stderr, "init: cannot run %s: %s\n", argv[0], strerror(errno));
		_exit(EXIT_CANNOT_RUN);
	}
	return pid;
}

/* Turn a wait status into an exit status, the way a shell reports it in $?. */
static int exit_status_of(int wstatus)
{
	if (WIFEXITED(wstatus))
		return WEXITSTATUS(wstatus);
	if (WIFSIGNALED(wstatus))
		return 128 + WTERMSIG(wstatus);
	return EXIT_CANNOT_RUN;
}

/*
 * main - start the program and reap children until it has exited. Does not
 * return: exits with the program's status (the exit status, or 128 + the
 * signal that killed it), 127 when it could not be started.
 */
int main(void)
{
	static char *login_argv[] = { shell_argv0, "-l", NULL };
	pid_t prog, pid;
	int wstatus;
	bool login = read_argv_file() < 0;

	if (login) {
		find_login_shell();
		console_sane();
		ioctl(0, TIOCSCTTY, 0);
		prog = start_program(login_argv, true);
	} else {
		if (access(INIT_TTY_FILE, F_OK) == 0)
			console_sane();
		prog = start_program(prog_argv, false);
	}

	/*
	 * Reap whichever child exits: orphans are reparented to us, and if we
	 * did not wait for them they would stay zombies for ever.
	 */
	for (;;) {
		pid = wait4(-1, &wstatus, 0, NULL);
		if (pid == prog)
			exit(exit_status_of(wstatus));
		if (pid < 0 && errno != EINTR)
			break;
	}
	/* Only a kernel bug makes wait4 fail while our program is unreaped. */
	die("wait4", strerror(errno), EXIT_CANNOT_RUN);
}
