/*
 * execve(2): the new program keeps the pid and the parent, receives argv and envp exactly, and
 * its exit status reaches the parent; a failing execve returns the right errno and the caller
 * carries on with its memory intact. The exec'd program is exec-target (beside this one), which
 * answers through its exit status.
 */
#include <tap.h>
#include <sys/syscall.h>
#include "exec-args.h"

static char self_dir[4096];
static char target[4200];
static char *const empty_env[] = { NULL };

/* Values the failing-exec child checks after execve returns: its memory must be untouched. */
static volatile unsigned long sentinel_global = 0x5eed5eedUL;

/* Fork, execve in the child, and return the child's wait status (or a negative failure). */
static int exec_in_child(const char *path, char *const argv[], char *const envp[])
{
	pid_t pid;

	fflush(NULL);
	pid = fork();
	if (pid == -1)
		return -3;
	if (pid == 0) {
		execve(path, argv, envp);
		_exit(127);
	}
	return tap_wait_bounded(pid, 30);
}

/*
 * Fork a child that calls execve(path, argv, envp), which must fail; the child then checks that
 * its memory survived and exits with errno (250 if the memory did not survive, 251 if execve
 * returned something other than -1). Returns the child's exit status, or -1 if it did not exit.
 */
static int exec_errno_in_child(const char *path, char *const argv[], char *const envp[])
{
	char why[64];
	pid_t pid;
	int status;

	fflush(NULL);
	pid = fork();
	if (pid == -1)
		return -1;
	if (pid == 0) {
		volatile unsigned long on_stack = 0xfeedUL;
		int r = execve(path, argv, envp);
		int e = errno;

		if (r != -1)
			_exit(251);
		if (sentinel_global != 0x5eed5eedUL || on_stack != 0xfeedUL || getpid() <= 0)
			_exit(250);
		_exit(e);
	}
	status = tap_wait_bounded(pid, 30);
	if (status < 0 || !WIFEXITED(status)) {
		tap_diag("execve child %s", tap_status_str(status, why, sizeof(why)));
		return -1;
	}
	return WEXITSTATUS(status);
}

static bool check_exec_errno(const char *path, char *const argv[], char *const envp[],
			     int want, const char *what)
{
	int got = exec_errno_in_child(path, argv, envp);

	if (got != want) {
		tap_diag("execve(%s): child exited %d (%s), expected errno %d (%s)", what, got,
			 got > 0 && got < 200 ? strerror(got) : "-", want, strerror(want));
		tap_case_failed = true;
		return false;
	}
	return true;
}

static bool check_exit(int status, int want, const char *what)
{
	char why[64];

	if (status >= 0 && WIFEXITED(status) && WEXITSTATUS(status) == want)
		return true;
	tap_diag("%s: %s, expected exit status %d", what,
		 tap_status_str(status, why, sizeof(why)), want);
	tap_case_failed = true;
	return false;
}

static int case_keeps_pid_ppid(void)
{
	pid_t me = getpid(), pid;
	int status;

	fflush(NULL);
	pid = fork();
	if (pid == 0) {
		char spid[32], sppid[32];
		char *argv[] = { "exec-target", "ids", spid, sppid, NULL };

		snprintf(spid, sizeof(spid), "%d", (int)getpid());
		snprintf(sppid, sizeof(sppid), "%d", (int)getppid());
		if (getppid() != me)
			_exit(3);
		execve(target, argv, empty_env);
		_exit(127);
	}
	CHECK(pid > 0);
	status = tap_wait_bounded(pid, 30);
	check_exit(status, 0, "exec-target ids (1: pid changed, 2: ppid changed)");
	return 0;
}

static int case_relative_path(void)
{
	char *argv[] = { "exec-target", "exit", "7", NULL };

	CHECK_EQ(chdir(self_dir), 0);
	check_exit(exec_in_child("./exec-target", argv, empty_env), 7, "execve(./exec-target)");
	return 0;
}

static int case_exit_status(void)
{
	char *argv[] = { "exec-target", "exit", "123", NULL };

	check_exit(exec_in_child(target, argv, empty_env), 123, "exec-target exit 123");
	return 0;
}

static int case_fixed_vectors(void)
{
	check_exit(exec_in_child(target, (char *const *)exec_fixed_argv,
				 (char *const *)exec_fixed_envp), 0, "exec-target fixed");
	return 0;
}

static int case_many_vectors(void)
{
	static char *argv[2 + EXEC_MANY_COUNT + 1], *envp[EXEC_MANY_COUNT + 1];

	argv[0] = "exec-target";
	argv[1] = "many";
	for (int i = 0; i < EXEC_MANY_COUNT; i++) {
		argv[2 + i] = malloc(EXEC_MANY_LEN + 1);
		envp[i] = malloc(EXEC_MANY_LEN + 1);
		if (!argv[2 + i] || !envp[i])
			return 1;
		exec_pattern(argv[2 + i], 'a', i, EXEC_MANY_LEN);
		exec_pattern(envp[i], 'e', i, EXEC_MANY_LEN);
	}
	check_exit(exec_in_child(target, argv, envp), 0, "exec-target many");
	return 0;
}

static int case_empty_env(void)
{
	char *argv[] = { "exec-target", "noenv", NULL };

	check_exit(exec_in_child(target, argv, empty_env), 0, "exec-target noenv");
	return 0;
}

static int case_enoent(void)
{
	char path[4200];
	char *argv[] = { "missing", NULL };

	snprintf(path, sizeof(path), "%s/no-such-program", self_dir);
	check_exec_errno(path, argv, empty_env, ENOENT, "missing file");
	check_exec_errno("", argv, empty_env, ENOENT, "empty path");
	return 0;
}

static int case_eacces_dir(void)
{
	char *argv[] = { "dir", NULL };

	check_exec_errno(self_dir, argv, empty_env, EACCES, "a directory");
	return 0;
}

static int case_eacces_mode(void)
{
	char path[4200];
	char *argv[] = { "noexec", NULL };
	static char image[64 * 1024];
	int fd = open(target, O_RDONLY);
	ssize_t n = fd >= 0 ? read(fd, image, sizeof(image)) : -1;

	if (fd >= 0)
		close(fd);
	if (!CHECK(n > 0))
		return 1;
	/* A real ELF without any execute bit: the mode alone must refuse it, even for root. */
	tap_tmppath(path, sizeof(path), "noexec");
	if (!CHECK_EQ(tap_write_file(path, image, n, 0644), 0))
		return 1;
	check_exec_errno(path, argv, empty_env, EACCES, "mode 0644");
	unlink(path);
	return 0;
}

static int case_enoexec_text(void)
{
	static const char text[] = "this is a text file, not a program\n";
	char path[4200];
	char *argv[] = { "text", NULL };

	tap_tmppath(path, sizeof(path), "text");
	if (!CHECK_EQ(tap_write_file(path, text, sizeof(text) - 1, 0755), 0))
		return 1;
	check_exec_errno(path, argv, empty_env, ENOEXEC, "text file");
	unlink(path);
	return 0;
}

static int case_efault(void)
{
	char *argv[] = { "exec-target", "exit", "0", NULL };
	char *bad_elem[] = { "exec-target", tap_bad_ptr(1), NULL };

	check_exec_errno(tap_bad_ptr(1), argv, empty_env, EFAULT, "(char *)1");
	check_exec_errno(target, tap_bad_ptr(1), empty_env, EFAULT, "argv (char **)1");
	check_exec_errno(target, bad_elem, empty_env, EFAULT, "argv[1] (char *)1");
	check_exec_errno(target, argv, tap_bad_ptr(1), EFAULT, "envp (char **)1");
	return 0;
}

static int case_enotdir(void)
{
	char path[4200];
	char *argv[] = { "x", NULL };

	snprintf(path, sizeof(path), "%s/run-all/x", self_dir);
	check_exec_errno(path, argv, empty_env, ENOTDIR, "run-all/x");
	return 0;
}

/* execveat(2) in a child: exit status of the exec'd helper, or errno + 200 when
 * execveat failed (so the caller can tell them apart). */
static int execveat_in_child(int dirfd, const char *path, int flags)
{
	char *argv[] = { "exec-target", "exit", "9", NULL };
	pid_t pid;

	fflush(NULL);
	pid = fork();
	if (pid == -1)
		return -3;
	if (pid == 0) {
		syscall(SYS_execveat, dirfd, path, argv, empty_env, flags);
		_exit(200 + errno);
	}
	return tap_wait_bounded(pid, 30);
}

static int case_execveat(void)
{
	int dir = open(self_dir, O_RDONLY | O_DIRECTORY);
	int file = open(target, O_RDONLY);
	char link[4300], abs[4096];

	if (!CHECK(dir >= 0 && file >= 0) || !CHECK(realpath(target, abs) != NULL))
		return 0;
	check_exit(execveat_in_child(AT_FDCWD, target, 0), 9, "execveat(AT_FDCWD, absolute)");
	check_exit(execveat_in_child(dir, "exec-target", 0), 9, "execveat(dirfd, relative)");
	check_exit(execveat_in_child(file, "", AT_EMPTY_PATH), 9, "execveat(fd, \"\", AT_EMPTY_PATH)");
	check_exit(execveat_in_child(file, "", 0), 200 + ENOENT, "empty path without AT_EMPTY_PATH");
	check_exit(execveat_in_child(file, "exec-target", 0), 200 + ENOTDIR, "relative to a file");
	check_exit(execveat_in_child(dir, "exec-target", 0x4000), 200 + EINVAL, "unknown flag");
	tap_tmppath(link, sizeof(link), "execveat-link");
	unlink(link);
	if (CHECK_EQ(symlink(abs, link), 0)) {
		check_exit(execveat_in_child(AT_FDCWD, link, 0), 9, "through a symlink");
		check_exit(execveat_in_child(AT_FDCWD, link, AT_SYMLINK_NOFOLLOW), 200 + ELOOP,
			   "AT_SYMLINK_NOFOLLOW on a symlink");
		unlink(link);
	}
	close(file);
	close(dir);
	return 0;
}

/* Entry point: runs every case and prints TAP. Returns 0 only if all passed. */
/* True on Linux before 5.18, which passed an empty argv on as argc 0. */
static bool linux_before_5_18(void)
{
	struct utsname u;
	int major = 0, minor = 0;

	if (tap_on_sprout() || uname(&u) != 0 || sscanf(u.release, "%d.%d", &major, &minor) != 2)
		return false;
	return major < 5 || (major == 5 && minor < 18);
}

/* execve with argv NULL and with argv[0] NULL: the program sees argc 1 and argv[0] "". */
static int case_empty_argv(void)
{
	char *env[] = { "EXEC_TARGET=emptyargv", NULL };
	char *no_args[] = { NULL };
	pid_t pid;

	if (linux_before_5_18()) {
		tap_diag("skip: Linux before 5.18 passes an empty argv on as argc 0");
		return TAP_SKIP_STATUS;
	}
	for (int pass = 0; pass < 2; pass++) {
		fflush(NULL);
		pid = fork();
		if (pid == -1)
			return 1;
		if (pid == 0) {
			syscall(SYS_execve, target, pass ? no_args : NULL, env);
			_exit(127);
		}
		check_exit(tap_wait_bounded(pid, 30), 0,
			   pass ? "argv = { NULL } (40: argc, 41: argv[0], 42: argv[1])"
				: "argv = NULL (40: argc, 41: argv[0], 42: argv[1])");
	}
	return 0;
}

int main(int argc, char **argv)
{
	tap_plan(14);
	tap_selfdir(self_dir, sizeof(self_dir), argv[0]);
	snprintf(target, sizeof(target), "%s/exec-target", self_dir);
	run_case("exec keeps pid and ppid", case_keeps_pid_ppid);
	run_case("exec by a path relative to the cwd", case_relative_path);
	run_case("exit status of the exec'd program reaches the parent", case_exit_status);
	run_case("argv and envp are passed exactly", case_fixed_vectors);
	run_case("64 long strings in argv and in envp each", case_many_vectors);
	run_case("empty envp", case_empty_env);
	run_case("empty argv -> argc 1, argv[0] \"\"", case_empty_argv);
	run_case("missing file -> ENOENT, caller continues", case_enoent);
	run_case("a directory -> EACCES", case_eacces_dir);
	run_case("no execute permission -> EACCES", case_eacces_mode);
	run_case("a text file -> ENOEXEC", case_enoexec_text);
	run_case("bad path/argv/envp pointers -> EFAULT", case_efault);
	run_case("path through a regular file -> ENOTDIR", case_enotdir);
	run_case("execveat: dirfd, AT_EMPTY_PATH, AT_SYMLINK_NOFOLLOW, errors", case_execveat);
	return tap_done();
}
