/*
 * Descriptor-level calls: fsync(2)/fdatasync(2)/sync(2)/syncfs(2) (which objects accept them,
 * EBADF, EINVAL), the extended-attribute calls on files without attributes (ENODATA, EOPNOTSUPP,
 * ERANGE, an empty list), close_range(2) (closing, CLOSE_RANGE_CLOEXEC, CLOSE_RANGE_UNSHARE) and
 * copy_file_range(2) (offsets or file positions, Linux's errors).
 */
#include <tap.h>
#include <sys/syscall.h>
#include <sys/xattr.h>

#ifndef CLOSE_RANGE_UNSHARE
#define CLOSE_RANGE_UNSHARE	(1U << 1)
#define CLOSE_RANGE_CLOEXEC	(1U << 2)
#endif
#ifndef CLONE_FILES
#define CLONE_FILES	0x400
#endif
#ifndef O_PATH
#define O_PATH	010000000
#endif

static long close_range_(unsigned first, unsigned last, unsigned flags)
{
	return syscall(SYS_close_range, first, last, flags);
}

static int tmpfile_fd(char *path, size_t len)
{
	tap_tmppath(path, len, "fdcalls");
	return open(path, O_RDWR | O_CREAT | O_TRUNC, 0600);
}

static int fsync_objects(void)
{
	char path[256];
	int fd = tmpfile_fd(path, sizeof(path)), p[2], dir, opath;

	if (!CHECK(fd >= 0) || !CHECK(pipe(p) == 0))
		return 1;
	CHECK_EQ(write(fd, "data", 4), 4);
	CHECK_EQ(fsync(fd), 0);
	CHECK_EQ(fdatasync(fd), 0);
	dir = open(tap_tmpdir(), O_RDONLY | O_DIRECTORY);
	CHECK(dir >= 0);
	CHECK_EQ(fsync(dir), 0);
	CHECK_ERR(fsync(p[0]), EINVAL);
	CHECK_ERR(fdatasync(p[1]), EINVAL);
	CHECK_ERR(fsync(-1), EBADF);
	CHECK_ERR(fdatasync(1000), EBADF);
	opath = open(path, O_PATH);
	CHECK(opath >= 0);
	CHECK_ERR(fsync(opath), EBADF);
	CHECK_ERR(syscall(SYS_syncfs, opath), EBADF);
	sync();
	CHECK_EQ(syscall(SYS_syncfs, fd), 0);
	CHECK_EQ(syscall(SYS_syncfs, p[0]), 0);
	CHECK_ERR(syscall(SYS_syncfs, -1), EBADF);
	unlink(path);
	return 0;
}

static int fsync_devices(void)
{
	int null = open("/dev/null", O_RDWR);

	if (!CHECK(null >= 0))
		return 1;
	CHECK_ERR(fsync(null), EINVAL);
	CHECK_EQ(syscall(SYS_syncfs, null), 0);
	return 0;
}

static int xattr_none_anywhere(void)
{
	char buf[64], path[256];
	int fd = tmpfile_fd(path, sizeof(path));

	if (!CHECK(fd >= 0))
		return 1;
	/* A file system without xattr handlers (procfs): EOPNOTSUPP. */
	CHECK_ERR(getxattr("/proc/self/stat", "user.x", buf, sizeof(buf)), EOPNOTSUPP);
	CHECK_ERR(setxattr("/proc/self/stat", "user.x", "v", 1, 0), EOPNOTSUPP);
	CHECK_ERR(removexattr("/proc/self/stat", "user.x"), EOPNOTSUPP);
	CHECK_EQ(listxattr("/proc/self/stat", buf, sizeof(buf)), 0);
	CHECK_EQ(listxattr("/proc/self/stat", NULL, 0), 0);
	/* "user." exists only on regular files and directories. */
	CHECK_ERR(getxattr("/dev/null", "user.x", buf, sizeof(buf)), ENODATA);
	CHECK_ERR(setxattr("/dev/null", "user.x", "v", 1, 0), EPERM);
	/* Name and argument checks come first. */
	CHECK_ERR(getxattr(path, "", buf, sizeof(buf)), ERANGE);
	memset(buf, 'n', sizeof(buf));
	{
		char longname[300];

		memset(longname, 'a', sizeof(longname));
		memcpy(longname, "user.", 5);
		longname[299] = 0;
		CHECK_ERR(getxattr(path, longname, buf, sizeof(buf)), ERANGE);
	}
	CHECK_ERR(setxattr(path, "user.x", "v", 1, 8), EINVAL);
	CHECK_ERR(setxattr(path, "user.x", "v", 65537, 0), E2BIG);
	CHECK_ERR(getxattr(path, tap_bad_ptr(0xffff800000000000UL), buf, 8), EFAULT);
	CHECK_ERR(getxattr("/nonexistent/x", "user.x", buf, sizeof(buf)), ENOENT);
	CHECK_ERR(fgetxattr(-1, "user.x", buf, sizeof(buf)), EBADF);
	CHECK_ERR(flistxattr(1000, buf, sizeof(buf)), EBADF);
	CHECK_ERR(fremovexattr(-1, "user.x"), EBADF);
	unlink(path);
	return 0;
}

static int xattr_tmpfs_unsupported(void)
{
	char buf[64], path[256], link[300];
	int fd = tmpfile_fd(path, sizeof(path));

	if (!tap_on_sprout()) {
		tap_diag("Linux's tmpfs stores user.* attributes; Sprout's stores none");
		return TAP_SKIP_STATUS;
	}
	if (!CHECK(fd >= 0))
		return 1;
	snprintf(link, sizeof(link), "%s.lnk", path);
	CHECK_EQ(symlink(path, link), 0);
	/* What ls -l asks: no ACL, no security label. */
	CHECK_ERR(lgetxattr(path, "security.selinux", buf, sizeof(buf)), EOPNOTSUPP);
	CHECK_ERR(getxattr(path, "system.posix_acl_access", buf, sizeof(buf)), EOPNOTSUPP);
	CHECK_ERR(fgetxattr(fd, "user.x", buf, sizeof(buf)), EOPNOTSUPP);
	CHECK_ERR(fsetxattr(fd, "user.x", "v", 1, XATTR_CREATE), EOPNOTSUPP);
	CHECK_ERR(lgetxattr(link, "user.x", buf, sizeof(buf)), ENODATA);
	CHECK_ERR(getxattr(link, "user.x", buf, sizeof(buf)), EOPNOTSUPP);
	CHECK_EQ(llistxattr(link, buf, sizeof(buf)), 0);
	CHECK_EQ(flistxattr(fd, buf, sizeof(buf)), 0);
	unlink(link);
	unlink(path);
	return 0;
}

static int close_range_closes(void)
{
	int base = dup(0);

	if (!CHECK(base >= 0))
		return 1;
	for (int i = 1; i < 6; i++)
		CHECK_EQ(dup2(0, base + i), base + i);
	CHECK_EQ(dup2(0, base + 100), base + 100);
	CHECK_EQ(close_range_(base + 1, base + 3, 0), 0);
	CHECK_EQ(fcntl(base, F_GETFD), 0);
	CHECK_ERR(fcntl(base + 1, F_GETFD), EBADF);
	CHECK_ERR(fcntl(base + 3, F_GETFD), EBADF);
	CHECK_EQ(fcntl(base + 4, F_GETFD), 0);
	CHECK_EQ(close_range_(base + 4, ~0U, 0), 0);
	CHECK_ERR(fcntl(base + 5, F_GETFD), EBADF);
	CHECK_ERR(fcntl(base + 100, F_GETFD), EBADF);
	CHECK_EQ(fcntl(base, F_GETFD), 0);
	CHECK_EQ(close_range_(base + 50, base + 60, 0), 0);	/* nothing open: fine */
	CHECK_ERR(close_range_(5, 4, 0), EINVAL);
	CHECK_ERR(close_range_(0, 4, 1), EINVAL);
	CHECK_ERR(close_range_(0, 4, 8), EINVAL);
	return 0;
}

static int close_range_cloexec(void)
{
	int a = dup(0), b = dup(0);

	if (!CHECK(a >= 0 && b > a))
		return 1;
	CHECK_EQ(close_range_(a, b, CLOSE_RANGE_CLOEXEC), 0);
	CHECK_EQ(fcntl(a, F_GETFD), FD_CLOEXEC);
	CHECK_EQ(fcntl(b, F_GETFD), FD_CLOEXEC);
	CHECK_EQ(fcntl(0, F_GETFD), 0);
	return 0;
}

/* A thread-like child sharing the table (CLONE_FILES) unshares, then closes. */
static int close_range_unshare(void)
{
	int fd = dup(0), st;
	pid_t pid;

	if (!CHECK(fd >= 0))
		return 1;
	pid = (pid_t)syscall(SYS_clone, CLONE_FILES | SIGCHLD, 0, 0, 0, 0);
	if (pid == 0) {
		if (close_range_(fd, fd, CLOSE_RANGE_UNSHARE))
			_exit(2);
		_exit(fcntl(fd, F_GETFD) == -1 && errno == EBADF ? 0 : 3);
	}
	if (!CHECK(pid > 0))
		return 1;
	st = tap_wait_bounded(pid, 20);
	CHECK(st >= 0 && WIFEXITED(st) && WEXITSTATUS(st) == 0);
	CHECK_EQ(fcntl(fd, F_GETFD), 0);	/* still open here */
	/* Without UNSHARE a sharer's close is seen by all. */
	pid = (pid_t)syscall(SYS_clone, CLONE_FILES | SIGCHLD, 0, 0, 0, 0);
	if (pid == 0)
		_exit(close_range_(fd, fd, 0) ? 2 : 0);
	st = tap_wait_bounded(pid, 20);
	CHECK(st >= 0 && WIFEXITED(st) && WEXITSTATUS(st) == 0);
	CHECK_ERR(fcntl(fd, F_GETFD), EBADF);
	return 0;
}

static long cfr(int in, off_t *oin, int out, off_t *oout, size_t len, unsigned flags)
{
	return syscall(SYS_copy_file_range, in, oin, out, oout, len, flags);
}

static int copy_file_range_copies(void)
{
	char p1[256], p2[300], buf[32] = { 0 };
	int in, out;
	off_t oin = 2, oout = 0;

	tap_tmppath(p1, sizeof(p1), "cfr");
	snprintf(p2, sizeof(p2), "%s.out", p1);
	in = open(p1, O_RDWR | O_CREAT | O_TRUNC, 0600);
	out = open(p2, O_RDWR | O_CREAT | O_TRUNC, 0600);
	if (!CHECK(in >= 0 && out >= 0))
		return 1;
	CHECK_EQ(write(in, "0123456789", 10), 10);
	CHECK_EQ(lseek(in, 0, SEEK_SET), 0);
	/* Explicit offsets: they advance, the file positions stay. */
	CHECK_EQ(cfr(in, &oin, out, &oout, 4, 0), 4);
	CHECK_EQ(oin, 6);
	CHECK_EQ(oout, 4);
	CHECK_EQ(lseek(in, 0, SEEK_CUR), 0);
	CHECK_EQ(lseek(out, 0, SEEK_CUR), 0);
	CHECK_EQ(pread(out, buf, sizeof(buf), 0), 4);
	CHECK(!memcmp(buf, "2345", 4));
	/* File positions: from 5 to the end of the input, appended at 4. */
	CHECK_EQ(lseek(in, 5, SEEK_SET), 5);
	CHECK_EQ(lseek(out, 4, SEEK_SET), 4);
	CHECK_EQ(cfr(in, NULL, out, NULL, 100, 0), 5);
	CHECK_EQ(lseek(in, 0, SEEK_CUR), 10);
	CHECK_EQ(lseek(out, 0, SEEK_CUR), 9);
	CHECK_EQ(cfr(in, NULL, out, NULL, 100, 0), 0);	/* end of file */
	memset(buf, 0, sizeof(buf));
	CHECK_EQ(pread(out, buf, sizeof(buf), 0), 9);
	CHECK(!strcmp(buf, "234556789"));
	/* Within one file, ranges that do not overlap. */
	oin = 0;
	oout = 20;
	CHECK_EQ(cfr(in, &oin, in, &oout, 3, 0), 3);
	CHECK_EQ(pread(in, buf, 3, 20), 3);
	CHECK(!memcmp(buf, "012", 3));
	unlink(p1);
	unlink(p2);
	return 0;
}

static int copy_file_range_errors(void)
{
	char p1[256], p2[300];
	int in, out, ro, app, dir, p[2];
	off_t o1 = 0, o2 = 2, neg = -1;

	tap_tmppath(p1, sizeof(p1), "cfre");
	snprintf(p2, sizeof(p2), "%s.out", p1);
	in = open(p1, O_RDWR | O_CREAT | O_TRUNC, 0600);
	out = open(p2, O_RDWR | O_CREAT | O_TRUNC, 0600);
	if (!CHECK(in >= 0 && out >= 0) || !CHECK(pipe(p) == 0))
		return 1;
	CHECK_EQ(write(in, "abcdefgh", 8), 8);
	ro = open(p2, O_RDONLY);
	app = open(p2, O_WRONLY | O_APPEND);
	dir = open(tap_tmpdir(), O_RDONLY | O_DIRECTORY);
	CHECK_ERR(cfr(in, &o1, out, NULL, 4, 1), EINVAL);
	CHECK_ERR(cfr(-1, &o1, out, NULL, 4, 0), EBADF);
	CHECK_ERR(cfr(in, &o1, -1, NULL, 4, 0), EBADF);
	CHECK_ERR(cfr(in, &o1, ro, NULL, 4, 0), EBADF);
	CHECK_ERR(cfr(in, &o1, app, NULL, 4, 0), EBADF);
	CHECK_ERR(cfr(dir, NULL, out, NULL, 4, 0), EISDIR);
	CHECK_ERR(cfr(p[0], NULL, out, NULL, 4, 0), EINVAL);
	CHECK_ERR(cfr(in, &o1, p[1], NULL, 4, 0), EINVAL);
	CHECK_ERR(cfr(in, &o1, in, &o2, 4, 0), EINVAL);	/* overlapping */
	CHECK_ERR(cfr(in, &neg, out, NULL, 4, 0), EOVERFLOW);
	CHECK_ERR(cfr(in, tap_bad_ptr(16), out, NULL, 4, 0), EFAULT);
	unlink(p1);
	unlink(p2);
	return 0;
}

/* posix_fadvise(2): hints on a file are accepted (nothing to do for files in memory),
 * with Linux's errors; posix_fadvise returns the error number itself. */
static int fadvise_hints(void)
{
	char path[256];
	int fd, p[2], adv;

	tap_tmppath(path, sizeof(path), "fadvise");
	fd = open(path, O_RDWR | O_CREAT | O_TRUNC, 0600);
	CHECK(fd >= 0);
	CHECK_EQ(write(fd, "data", 4), 4);
	for (adv = POSIX_FADV_NORMAL; adv <= POSIX_FADV_NOREUSE; adv++)
		CHECK_EQ(posix_fadvise(fd, 0, 0, adv), 0);
	CHECK_EQ(posix_fadvise(fd, 1 << 20, 4096, POSIX_FADV_DONTNEED), 0);
	CHECK_EQ(read(fd, path, 1), 0);	/* the position is untouched */
	CHECK_EQ(posix_fadvise(fd, 0, 0, 6), EINVAL);
	CHECK_EQ(posix_fadvise(fd, 0, -1, POSIX_FADV_NORMAL), EINVAL);
	CHECK_EQ(pipe(p), 0);
	CHECK_EQ(posix_fadvise(p[0], 0, 0, POSIX_FADV_NORMAL), ESPIPE);
	CHECK_EQ(posix_fadvise(p[1], 0, 0, POSIX_FADV_SEQUENTIAL), ESPIPE);
	close(p[0]);
	close(p[1]);
	CHECK_EQ(posix_fadvise(fd, 0, 0, POSIX_FADV_NORMAL), 0);
	close(fd);
	CHECK_EQ(posix_fadvise(fd, 0, 0, POSIX_FADV_NORMAL), EBADF);
	fd = open(path, O_PATH);
	CHECK(fd >= 0);
	CHECK_EQ(posix_fadvise(fd, 0, 0, POSIX_FADV_NORMAL), EBADF);
	close(fd);
	unlink(path);
	return 0;
}

/* fallocate(2): mode 0 allocates and extends the file (zeroes read back),
 * FALLOC_FL_KEEP_SIZE allocates past the end without growing it; the errors. */
#define K_FALLOC_FL_KEEP_SIZE	0x01
#define K_FALLOC_FL_PUNCH_HOLE	0x02

static long falloc(int fd, int mode, off_t off, off_t len)
{
	return syscall(SYS_fallocate, fd, mode, off, len);
}

static int fallocate_space(void)
{
	char path[256], buf[64];
	struct stat st;
	int fd, ro, p[2];

	tap_tmppath(path, sizeof(path), "falloc");
	fd = open(path, O_RDWR | O_CREAT | O_TRUNC, 0600);
	CHECK(fd >= 0);
	CHECK_EQ(write(fd, "abc", 3), 3);
	CHECK_EQ(falloc(fd, 0, 0, 3 * 4096), 0);
	CHECK_EQ(fstat(fd, &st), 0);
	CHECK_EQ(st.st_size, 3 * 4096);
	CHECK(st.st_blocks >= 3 * 8);
	CHECK_EQ(pread(fd, buf, 4, 0), 4);
	CHECK(!memcmp(buf, "abc\0", 4));	/* the data stays; the rest reads as zeroes */
	CHECK_EQ(pread(fd, buf, sizeof(buf), 8192), (ssize_t)sizeof(buf));
	CHECK_EQ(buf[0] | buf[63], 0);
	CHECK_EQ(falloc(fd, K_FALLOC_FL_KEEP_SIZE, 3 * 4096, 5 * 4096), 0);
	CHECK_EQ(fstat(fd, &st), 0);
	CHECK_EQ(st.st_size, 3 * 4096);
	CHECK(st.st_blocks >= 8 * 8);
	CHECK_EQ(falloc(fd, 0, 100, 10), 0);	/* inside: nothing changes */
	CHECK_EQ(fstat(fd, &st), 0);
	CHECK_EQ(st.st_size, 3 * 4096);
	CHECK_ERR(falloc(fd, 0, 0, 0), EINVAL);
	CHECK_ERR(falloc(fd, 0, -1, 10), EINVAL);
	CHECK_ERR(falloc(fd, K_FALLOC_FL_PUNCH_HOLE, 0, 10), EOPNOTSUPP);	/* no KEEP_SIZE */
	CHECK_ERR(falloc(fd, 0x100, 0, 10), EOPNOTSUPP);
	ro = open(path, O_RDONLY);
	CHECK_ERR(falloc(ro, 0, 0, 10), EBADF);
	close(ro);
	CHECK_EQ(pipe(p), 0);
	CHECK_ERR(falloc(p[1], 0, 0, 10), ESPIPE);
	close(p[0]);
	close(p[1]);
	close(fd);
	CHECK_ERR(falloc(fd, 0, 0, 10), EBADF);
	unlink(path);
	return 0;
}

int main(void)
{
	tap_plan(11);
	run_case("fsync/fdatasync/syncfs: files, directories, pipes, EBADF", fsync_objects);
	run_case("fsync of a device: EINVAL; syncfs: 0", fsync_devices);
	run_case("xattrs: EOPNOTSUPP, ENODATA, ERANGE, E2BIG, empty lists", xattr_none_anywhere);
	run_case("xattrs on tmpfs: unsupported, as ls -l expects", xattr_tmpfs_unsupported);
	run_case("close_range closes a range", close_range_closes);
	run_case("close_range CLOSE_RANGE_CLOEXEC", close_range_cloexec);
	run_case("close_range CLOSE_RANGE_UNSHARE", close_range_unshare);
	run_case("copy_file_range: offsets and file positions", copy_file_range_copies);
	run_case("copy_file_range errors", copy_file_range_errors);
	run_case("posix_fadvise: hints accepted; EINVAL, ESPIPE, EBADF", fadvise_hints);
	run_case("fallocate: allocate, extend or keep the size; errors", fallocate_space);
	return tap_done();
}
