/*
 * statfs(2) and fstatfs(2) as Linux has them: the f_type magic of proc, tmpfs and pipes, the
 * ST_* mount flags in f_flags, the fixed fields (block size, name length), statvfs(3) on top,
 * and the errors (ENOENT, ENOTDIR, EFAULT, EBADF). The limits a tmpfs reports are checked in
 * mountflags.c, on instances of the test's own.
 */
#define _GNU_SOURCE
#include <tap.h>
#include <sys/vfs.h>
#include <sys/statvfs.h>
#include <sys/syscall.h>

#define TMPFS_MAGIC_NR		0x01021994
#define PROC_SUPER_MAGIC_NR	0x9fa0
#define PIPEFS_MAGIC_NR		0x50495045

static int case_proc(void)
{
	struct statfs sf;
	int fd;

	CHECK_EQ(statfs("/proc", &sf), 0);
	CHECK_EQ(sf.f_type, PROC_SUPER_MAGIC_NR);
	CHECK_EQ(sf.f_bsize, 4096);
	CHECK_EQ(sf.f_namelen, 255);
	CHECK_EQ(sf.f_blocks, 0);
	CHECK_EQ(sf.f_flags & (ST_NOSUID | ST_NODEV | ST_NOEXEC | ST_RDONLY),
		 ST_NOSUID | ST_NODEV | ST_NOEXEC);
	CHECK_EQ(statfs("/proc/self/status", &sf), 0);
	CHECK_EQ(sf.f_type, PROC_SUPER_MAGIC_NR);
	fd = open("/proc/self/stat", O_RDONLY);
	CHECK(fd >= 0);
	memset(&sf, 0, sizeof(sf));
	CHECK_EQ(fstatfs(fd, &sf), 0);
	CHECK_EQ(sf.f_type, PROC_SUPER_MAGIC_NR);
	close(fd);
	return 0;
}

static int case_tmpfs(void)
{
	struct statfs sf;
	struct statvfs sv;
	char path[4096];
	int fd;

	/* /dev/shm is a tmpfs on both systems (its flags depend on who mounted it). */
	CHECK_EQ(statfs("/dev/shm", &sf), 0);
	CHECK_EQ(sf.f_type, TMPFS_MAGIC_NR);
	CHECK_EQ(sf.f_bsize, 4096);
	CHECK(sf.f_blocks > 0);
	CHECK(sf.f_bfree <= sf.f_blocks);
	CHECK(sf.f_files > 0 && sf.f_ffree <= sf.f_files);
	CHECK_EQ(statvfs("/dev/shm", &sv), 0);
	CHECK_EQ(sv.f_bsize, 4096);
	CHECK_EQ(sv.f_blocks, sf.f_blocks);
	CHECK_EQ(sv.f_namemax, 255);
	/* An O_PATH descriptor will do for fstatfs. */
	snprintf(path, sizeof(path), "/dev/shm/sprout-statfs-%d", (int)getpid());
	fd = open(path, O_CREAT | O_RDWR, 0600);
	CHECK(fd >= 0);
	unlink(path);
	CHECK_EQ(fstatfs(fd, &sf), 0);
	CHECK_EQ(sf.f_type, TMPFS_MAGIC_NR);
	close(fd);
	fd = open("/dev/shm", O_PATH);
	CHECK_EQ(fstatfs(fd, &sf), 0);
	CHECK_EQ(sf.f_type, TMPFS_MAGIC_NR);
	close(fd);
	return 0;
}

static int case_pipe(void)
{
	struct statfs sf;
	int p[2];

	CHECK_EQ(pipe(p), 0);
	CHECK_EQ(fstatfs(p[0], &sf), 0);
	CHECK_EQ(sf.f_type, PIPEFS_MAGIC_NR);
	CHECK_EQ(fstatfs(p[1], &sf), 0);
	CHECK_EQ(sf.f_type, PIPEFS_MAGIC_NR);
	close(p[0]);
	close(p[1]);
	return 0;
}

static int case_errors(void)
{
	struct statfs sf;
	char path[4096];

	CHECK_ERR(statfs("/no/such/dir", &sf), ENOENT);
	CHECK_ERR(statfs("", &sf), ENOENT);
	snprintf(path, sizeof(path), "%s/sprout-statfs-f-%d", tap_tmpdir(), (int)getpid());
	CHECK_EQ(tap_write_file(path, "x", 1, 0644), 0);
	strcat(path, "/x");
	CHECK_ERR(statfs(path, &sf), ENOTDIR);
	path[strlen(path) - 2] = '\0';
	unlink(path);
	CHECK_ERR(syscall(SYS_statfs, "/proc", tap_bad_ptr(0xffff800000000000ULL)), EFAULT);
	CHECK_ERR(syscall(SYS_statfs, tap_bad_ptr(16), &sf), EFAULT);
	CHECK_ERR(syscall(SYS_fstatfs, 0, tap_bad_ptr(16)), EFAULT);
	CHECK_ERR(fstatfs(-1, &sf), EBADF);
	CHECK_ERR(fstatfs(999, &sf), EBADF);
	return 0;
}

static const struct {
	const char *name;
	int (*fn)(void);
} cases[] = {
	{ "statfs and fstatfs of /proc: PROC_SUPER_MAGIC, nosuid nodev noexec", case_proc },
	{ "statfs, statvfs and fstatfs of a tmpfs (O_PATH too)", case_tmpfs },
	{ "fstatfs of a pipe: PIPEFS_MAGIC", case_pipe },
	{ "statfs/fstatfs errors: ENOENT, ENOTDIR, EFAULT, EBADF", case_errors },
};

int main(void)
{
	const int n = sizeof(cases) / sizeof(cases[0]);

	tap_plan(n);
	for (int i = 0; i < n; i++)
		run_case(cases[i].name, cases[i].fn);
	return tap_done();
}
