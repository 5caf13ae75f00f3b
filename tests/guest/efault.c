/*
 * Bad user pointers make system calls fail with EFAULT, and the process survives: read(2) and
 * write(2) with unmapped, kernel-half, non-canonical and read-only buffers, execve(2), open(2),
 * uname(2) and wait4(2) with bad pointers.
 */
#include <tap.h>

#define KERNEL_HALF	0xffff800000000000UL	/* first kernel address on x86-64 */
#define KERNEL_TEXT	0xffffffff80000000UL	/* where kernels are linked (-mcmodel=kernel) */
#define NONCANONICAL	0x0000800000000000UL	/* first address past the user half */

static const char ro_data[64] = "read-only data";

/*
 * Standard output for the bad writes, unless it is /dev/null (char device 1:3), which ignores
 * the buffer altogether; then a temp file.
 */
static int out_fd(void)
{
	static int fd = -1;
	char path[4200];
	struct stat st;

	if (fd >= 0)
		return fd;
	if (fstat(1, &st) != 0 || !S_ISCHR(st.st_mode) || st.st_rdev != makedev(1, 3))
		return fd = 1;
	tap_tmppath(path, sizeof(path), "efault-out");
	fd = open(path, O_CREAT | O_WRONLY | O_TRUNC, 0644);
	unlink(path);
	return fd;
}

/* A temp file holding "0123456789", opened read-write; the path goes to path. */
static int data_file(char *path, size_t len)
{
	int fd;

	tap_tmppath(path, len, "efault");
	if (tap_write_file(path, "0123456789", 10, 0644) != 0)
		return -1;
	fd = open(path, O_RDWR);
	unlink(path);
	return fd;
}

static int case_write_bad_buffer(void)
{
	CHECK_ERR(write(out_fd(), tap_bad_ptr(1), 10), EFAULT);
	CHECK_ERR(write(out_fd(), tap_bad_ptr(0), 10), EFAULT);
	return 0;
}

static int case_write_kernel_address(void)
{
	char path[4200];
	int fd = data_file(path, sizeof(path));

	if (!CHECK(fd >= 0))
		return 1;
	CHECK_ERR(write(fd, tap_bad_ptr(KERNEL_HALF), 10), EFAULT);
	CHECK_ERR(write(fd, tap_bad_ptr(KERNEL_TEXT), 10), EFAULT);
	CHECK_ERR(write(fd, tap_bad_ptr(NONCANONICAL), 10), EFAULT);
	CHECK_ERR(write(fd, tap_bad_ptr(~0UL - 4), 4), EFAULT);
	CHECK_ERR(write(out_fd(), tap_bad_ptr(KERNEL_TEXT), 10), EFAULT);
	CHECK_EQ(lseek(fd, 0, SEEK_END), 10);	/* nothing was written */
	close(fd);
	return 0;
}

static int case_read_bad_buffer(void)
{
	char path[4200], c = 0;
	int fd = data_file(path, sizeof(path));

	if (!CHECK(fd >= 0))
		return 1;
	CHECK_ERR(read(fd, tap_bad_ptr(KERNEL_HALF), 1), EFAULT);
	CHECK_ERR(read(fd, tap_bad_ptr(KERNEL_TEXT), 1), EFAULT);
	CHECK_ERR(read(fd, tap_bad_ptr(0), 1), EFAULT);
	CHECK_ERR(read(fd, tap_bad_ptr(4096), 1), EFAULT);
	/* The file offset did not move: the first byte is still to come. */
	CHECK_EQ(read(fd, &c, 1), 1);
	CHECK_EQ(c, '0');
	close(fd);
	return 0;
}

/* read(2) into a read-only mapping must fail, not write through copy-on-write or otherwise. */
static int case_read_into_readonly(void)
{
	char path[4200];
	int fd = data_file(path, sizeof(path));

	if (!CHECK(fd >= 0))
		return 1;
	CHECK_ERR(read(fd, tap_bad_ptr((uintptr_t)ro_data), 4), EFAULT);
	CHECK(strcmp(ro_data, "read-only data") == 0);
	close(fd);
	return 0;
}

static int case_execve(void)
{
	char *argv[] = { "x", NULL }, *envp[] = { NULL };

	CHECK_ERR(execve(tap_bad_ptr(1), argv, envp), EFAULT);
	CHECK_ERR(execve(tap_bad_ptr(KERNEL_HALF), argv, envp), EFAULT);
	return 0;
}

static int case_other_calls(void)
{
	int status;
	pid_t pid;

	CHECK_ERR(open(tap_bad_ptr(1), O_RDONLY), EFAULT);
	CHECK_ERR(open(tap_bad_ptr(KERNEL_TEXT), O_RDONLY), EFAULT);
	CHECK_ERR(uname(tap_bad_ptr(1)), EFAULT);
	CHECK_ERR(uname(tap_bad_ptr(KERNEL_HALF)), EFAULT);
	fflush(NULL);
	pid = fork();
	if (pid == 0)
		_exit(0);
	tap_sleep_ms(50);
	CHECK_ERR(waitpid(pid, tap_bad_ptr(KERNEL_HALF), 0), EFAULT);
	waitpid(pid, &status, WNOHANG);		/* reap it if the failed call did not */
	return 0;
}

/* Many bad calls in a row: the process lives on and its memory is intact. */
static int case_survives(void)
{
	static const uintptr_t bad[] = {
		1, 4096, NONCANONICAL, KERNEL_HALF, KERNEL_TEXT, ~0UL - 4095, 0x8000000000000000UL,
	};
	volatile unsigned long canary = 0xc0ffee;

	for (int round = 0; round < 20; round++)
		for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
			CHECK_ERR(write(out_fd(), tap_bad_ptr(bad[i]), 16), EFAULT);
	CHECK_EQ(canary, 0xc0ffee);
	CHECK(getpid() > 0);
	return 0;
}

/* Entry point: runs every case and prints TAP. Returns 0 only if all passed. */
int main(void)
{
	tap_plan(7);
	run_case("write from a bad buffer -> EFAULT", case_write_bad_buffer);
	run_case("write from kernel-half and non-canonical addresses -> EFAULT",
		 case_write_kernel_address);
	run_case("read into a bad buffer -> EFAULT, offset unchanged", case_read_bad_buffer);
	run_case("read into read-only memory -> EFAULT", case_read_into_readonly);
	run_case("execve with a bad path pointer -> EFAULT", case_execve);
	run_case("open, uname, waitpid with bad pointers -> EFAULT", case_other_calls);
	run_case("the process survives 140 bad calls", case_survives);
	return tap_done();
}
