/*
 * Mount flags and tmpfs limits, as mount(2), execve(2), open(2), mmap(2), statfs(2) and
 * tmpfs(5) describe them: each case mounts its own tmpfs (as root: on Linux inside the mount
 * namespace the suite runs in) and checks that nosuid, nodev and noexec are enforced (exec
 * EACCES, set-user-ID bit ignored, device open EACCES, mmap PROT_EXEC EPERM), that size= and
 * nr_inodes= bound the instance with ENOSPC and are what statfs(2) reports, that a remount
 * changes flags and limits, and that bad options are refused.
 *
 * Run as "mountflags euid" it is the helper the nosuid case executes: it exits 0 when its
 * effective user is root, 1 otherwise.
 */
#define _GNU_SOURCE
#include <tap.h>
#include <sys/mount.h>
#include <sys/vfs.h>
#include <sys/statvfs.h>

#define TMPFS_MAGIC_NR	0x01021994
#define PAGE		4096

static char base[4096];	/* the test's own directory; each case mounts below it */

/* Make directory base/@name, mount a tmpfs there with @flags and @opts, and chdir into it. */
static bool mount_here(const char *name, unsigned long flags, const char *opts)
{
	char dir[4200];

	snprintf(dir, sizeof(dir), "%s/%s", base, name);
	if (mkdir(dir, 0755) != 0 && errno != EEXIST) {
		tap_diag("mkdir %s: %s", dir, strerror(errno));
		return false;
	}
	if (mount("sprout-test", dir, "tmpfs", flags, opts) != 0) {
		tap_diag("mount %s: %s", dir, strerror(errno));
		return false;
	}
	if (chdir(dir) != 0) {
		tap_diag("chdir %s: %s", dir, strerror(errno));
		return false;
	}
	return true;
}

/* Leave and unmount base/@name. */
static void unmount_here(const char *name)
{
	char dir[4200];

	snprintf(dir, sizeof(dir), "%s/%s", base, name);
	if (chdir(base) != 0 || umount2(dir, MNT_DETACH) != 0)
		tap_diag("umount %s: %s", dir, strerror(errno));
}

/* Copy this program to @path with @mode: something real to execute. */
static bool copy_self(const char *path, mode_t mode)
{
	static char buf[1 << 16];
	int in = open("/proc/self/exe", O_RDONLY), out;
	ssize_t n;

	if (in < 0)
		return false;
	out = open(path, O_CREAT | O_WRONLY | O_TRUNC, mode);
	if (out < 0) {
		close(in);
		return false;
	}
	while ((n = read(in, buf, sizeof(buf))) > 0)
		if (write(out, buf, n) != n)
			n = -1;
	close(in);
	close(out);
	return n == 0 && chmod(path, mode) == 0;
}

static bool need_root(void)
{
	if (getuid() == 0)
		return true;
	tap_diag("not running as root: cannot mount");
	return false;
}

static int case_statfs_flags(void)
{
	struct statfs sf;
	struct statvfs sv;

	if (!need_root())
		return TAP_SKIP_STATUS;
	if (!mount_here("flags", MS_NOSUID | MS_NODEV | MS_NOEXEC, "size=1m,nr_inodes=100"))
		return 1;
	CHECK_EQ(statfs(".", &sf), 0);
	CHECK_EQ(sf.f_type, TMPFS_MAGIC_NR);
	CHECK_EQ(sf.f_bsize, PAGE);
	CHECK_EQ(sf.f_blocks, 256);
	CHECK_EQ(sf.f_bfree, 256);
	CHECK_EQ(sf.f_bavail, 256);
	CHECK_EQ(sf.f_files, 100);
	CHECK_EQ(sf.f_ffree, 99);	/* the root directory is one */
	CHECK_EQ(sf.f_namelen, 255);
	CHECK_EQ(sf.f_flags & (ST_NOSUID | ST_NODEV | ST_NOEXEC | ST_RDONLY),
		 ST_NOSUID | ST_NODEV | ST_NOEXEC);
	CHECK_EQ(statvfs(".", &sv), 0);
	CHECK_EQ(sv.f_flag & (ST_NOSUID | ST_NODEV | ST_NOEXEC), ST_NOSUID | ST_NODEV | ST_NOEXEC);
	unmount_here("flags");
	return 0;
}

static int case_noexec(void)
{
	void *p;
	int fd;

	if (!need_root())
		return TAP_SKIP_STATUS;
	if (!mount_here("noexec", MS_NOEXEC, NULL))
		return 1;
	CHECK(copy_self("prog", 0755));
	CHECK_ERR(execl("./prog", "prog", "euid", (char *)NULL), EACCES);
	CHECK_ERR(access("prog", X_OK), EACCES);
	fd = open("prog", O_RDONLY);
	CHECK(fd >= 0);
	p = mmap(NULL, PAGE, PROT_READ | PROT_EXEC, MAP_PRIVATE, fd, 0);
	CHECK(p == MAP_FAILED && errno == EPERM);
	p = mmap(NULL, PAGE, PROT_READ, MAP_PRIVATE, fd, 0);
	CHECK(p != MAP_FAILED);
	if (p != MAP_FAILED)
		munmap(p, PAGE);
	close(fd);
	unmount_here("noexec");
	/* The same file on an ordinary mount runs. */
	if (!mount_here("exec", 0, NULL))
		return 1;
	CHECK(copy_self("prog", 0755));
	fd = open("prog", O_RDONLY);
	p = mmap(NULL, PAGE, PROT_READ | PROT_EXEC, MAP_PRIVATE, fd, 0);
	CHECK(p != MAP_FAILED);
	close(fd);
	unmount_here("exec");
	return 0;
}

/* Execute ./prog (set-user-ID root) as user 65534; true when it ran with euid 0. */
static int run_setuid_prog(void)
{
	pid_t pid;
	int status;

	fflush(NULL);
	pid = fork();
	if (pid == 0) {
		if (setgid(65534) != 0 || setuid(65534) != 0)
			_exit(TAP_SKIP_STATUS);
		execl("./prog", "prog", "euid", (char *)NULL);
		_exit(100 + errno % 100);
	}
	status = tap_wait_bounded(pid, 30);
	return status >= 0 && WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

static int case_nosuid(void)
{
	int r;

	if (!need_root())
		return TAP_SKIP_STATUS;
	/* Control: on an ordinary mount the bit makes root the effective user. */
	if (!mount_here("suid", 0, "mode=0755"))
		return 1;
	CHECK(copy_self("prog", 04755));
	r = run_setuid_prog();
	if (r == TAP_SKIP_STATUS) {
		unmount_here("suid");
		tap_diag("setuid is not available");
		return TAP_SKIP_STATUS;
	}
	CHECK_EQ(r, 0);
	unmount_here("suid");
	if (!mount_here("nosuid", MS_NOSUID, "mode=0755"))
		return 1;
	CHECK(copy_self("prog", 04755));
	CHECK_EQ(run_setuid_prog(), 1);
	unmount_here("nosuid");
	return 0;
}

static int case_nodev(void)
{
	int fd;

	if (!need_root())
		return TAP_SKIP_STATUS;
	if (!mount_here("nodev", MS_NODEV, NULL))
		return 1;
	CHECK_EQ(mknod("null", S_IFCHR | 0666, makedev(1, 3)), 0);
	CHECK_ERR(open("null", O_RDONLY), EACCES);
	CHECK_ERR(open("null", O_WRONLY), EACCES);
	fd = open("null", O_PATH);
	CHECK(fd >= 0);	/* O_PATH does not open the device */
	close(fd);
	unmount_here("nodev");
	if (!mount_here("dev", 0, NULL))
		return 1;
	CHECK_EQ(mknod("null", S_IFCHR | 0666, makedev(1, 3)), 0);
	fd = open("null", O_WRONLY);
	CHECK(fd >= 0);
	CHECK_EQ(write(fd, "x", 1), 1);
	close(fd);
	unmount_here("dev");
	return 0;
}

static int case_size_limit(void)
{
	static char buf[16 * PAGE];
	struct statfs sf;
	int fd, i;

	if (!need_root())
		return TAP_SKIP_STATUS;
	if (!mount_here("size", 0, "size=64k"))
		return 1;
	memset(buf, 'x', sizeof(buf));
	fd = open("big", O_CREAT | O_RDWR, 0644);
	CHECK(fd >= 0);
	CHECK_EQ(write(fd, buf, sizeof(buf)), 16 * PAGE);
	CHECK_ERR(write(fd, buf, sizeof(buf)), ENOSPC);
	i = open("other", O_CREAT | O_WRONLY, 0644);
	CHECK(i >= 0);
	CHECK_ERR(write(i, "y", 1), ENOSPC);
	close(i);
	CHECK_EQ(statfs(".", &sf), 0);
	CHECK_EQ(sf.f_blocks, 16);
	CHECK_EQ(sf.f_bfree, 0);
	/* Unlinked but open: the pages stay in use until the close. */
	CHECK_EQ(unlink("big"), 0);
	CHECK_EQ(statfs(".", &sf), 0);
	CHECK_EQ(sf.f_bfree, 0);
	close(fd);
	CHECK_EQ(statfs(".", &sf), 0);
	CHECK_EQ(sf.f_bfree, 16);
	/* Truncation gives pages back too. */
	fd = open("again", O_CREAT | O_RDWR, 0644);
	CHECK_EQ(write(fd, buf, 8 * PAGE), 8 * PAGE);
	CHECK_EQ(statfs(".", &sf), 0);
	CHECK_EQ(sf.f_bfree, 8);
	CHECK_EQ(ftruncate(fd, PAGE), 0);
	CHECK_EQ(statfs(".", &sf), 0);
	CHECK_EQ(sf.f_bfree, 15);
	close(fd);
	unmount_here("size");
	return 0;
}

static int case_inode_limit(void)
{
	struct statfs sf;
	char name[32];
	int i, fd;

	if (!need_root())
		return TAP_SKIP_STATUS;
	if (!mount_here("inodes", 0, "nr_inodes=8"))
		return 1;
	for (i = 0; i < 7; i++) {
		snprintf(name, sizeof(name), "f%d", i);
		fd = open(name, O_CREAT | O_WRONLY, 0644);
		CHECK(fd >= 0);
		close(fd);
	}
	CHECK_ERR(open("one-too-many", O_CREAT | O_WRONLY, 0644), ENOSPC);
	CHECK_ERR(mkdir("dir", 0755), ENOSPC);
	CHECK_ERR(mkdir("f1", 0755), EEXIST);	/* the name is checked first */
	CHECK_EQ(statfs(".", &sf), 0);
	CHECK_EQ(sf.f_files, 8);
	CHECK_EQ(sf.f_ffree, 0);
	CHECK_EQ(unlink("f0"), 0);
	CHECK_EQ(mkdir("dir", 0755), 0);
	unmount_here("inodes");
	return 0;
}

static int case_remount(void)
{
	static char buf[8 * PAGE];
	char dir[4200], mounts[8192];
	struct statfs sf;
	int fd;

	if (!need_root())
		return TAP_SKIP_STATUS;
	if (!mount_here("re", MS_NOSUID, "size=16k"))
		return 1;
	snprintf(dir, sizeof(dir), "%s/re", base);
	fd = open("f", O_CREAT | O_WRONLY, 0644);
	CHECK_EQ(write(fd, buf, sizeof(buf)), 4 * PAGE);
	/* Below what is in use: refused. */
	CHECK_ERR(mount(NULL, dir, NULL, MS_REMOUNT | MS_NOSUID, "size=8k"), EINVAL);
	CHECK_EQ(mount(NULL, dir, NULL, MS_REMOUNT | MS_NOEXEC, "size=32k"), 0);
	CHECK_EQ(statfs(".", &sf), 0);
	CHECK_EQ(sf.f_blocks, 8);
	CHECK_EQ(sf.f_bfree, 4);
	CHECK_EQ(sf.f_flags & (ST_NOSUID | ST_NOEXEC), ST_NOEXEC);
	CHECK_EQ(write(fd, buf, sizeof(buf)), 4 * PAGE);
	close(fd);
	CHECK(tap_read_file("/proc/self/mounts", mounts, sizeof(mounts)) > 0);
	CHECK(strstr(mounts, "size=32k") != NULL);
	/* Not a mount point. */
	CHECK_EQ(mkdir("sub", 0755), 0);
	snprintf(dir, sizeof(dir), "%s/re/sub", base);
	CHECK_ERR(mount(NULL, dir, NULL, MS_REMOUNT, NULL), EINVAL);
	unmount_here("re");
	return 0;
}

static int case_bad_options(void)
{
	char dir[4200];

	if (!need_root())
		return TAP_SKIP_STATUS;
	snprintf(dir, sizeof(dir), "%s/bad", base);
	CHECK(mkdir(dir, 0755) == 0 || errno == EEXIST);
	CHECK_ERR(mount("t", dir, "tmpfs", 0, "size=12q"), EINVAL);
	CHECK_ERR(mount("t", dir, "tmpfs", 0, "nr_inodes=x"), EINVAL);
	CHECK_ERR(mount("t", dir, "tmpfs", 0, "no_such_option=1"), EINVAL);
	CHECK_ERR(mount("t", dir, "tmpfs", 0, "mode=9"), EINVAL);
	/* mode= sets the root directory's permissions. */
	CHECK_EQ(mount("t", dir, "tmpfs", 0, "mode=0700,size=50%"), 0);
	struct stat st;

	CHECK_EQ(stat(dir, &st), 0);
	CHECK_EQ(st.st_mode & 07777, 0700);
	CHECK_EQ(umount2(dir, MNT_DETACH), 0);
	return 0;
}

/* st_size of directory @path, or -1. */
static long long dir_size(const char *path)
{
	struct stat st;

	return stat(path, &st) == 0 && S_ISDIR(st.st_mode) ? (long long)st.st_size : -1;
}

/* A tmpfs directory's size is 40 (".", "..") plus 20 per entry, as Linux's shmem counts
 * (BOGO_DIRENT_SIZE): ls -l prints it. */
static int case_dir_size(void)
{
	if (!mount_here("dirsize", 0, NULL))
		return 1;
	CHECK_EQ(dir_size("."), 40);
	CHECK_EQ(mkdir("d", 0755), 0);
	CHECK_EQ(dir_size("d"), 40);
	CHECK_EQ(tap_write_file("f", "x", 1, 0644), 0);
	CHECK_EQ(symlink("f", "s"), 0);
	CHECK_EQ(link("f", "h"), 0);
	CHECK_EQ(mkfifo("p", 0600), 0);
	CHECK_EQ(dir_size("."), 40 + 5 * 20);
	/* rename within the directory: one name still; onto an existing name: one less. */
	CHECK_EQ(rename("s", "s2"), 0);
	CHECK_EQ(dir_size("."), 40 + 5 * 20);
	CHECK_EQ(rename("h", "p"), 0);
	CHECK_EQ(dir_size("."), 40 + 4 * 20);
	/* Between directories the entry's 20 bytes move. */
	CHECK_EQ(rename("s2", "d/s"), 0);
	CHECK_EQ(dir_size("."), 40 + 3 * 20);
	CHECK_EQ(dir_size("d"), 40 + 20);
	CHECK_EQ(unlink("d/s"), 0);
	CHECK_EQ(dir_size("d"), 40);
	CHECK_EQ(unlink("f"), 0);
	CHECK_EQ(unlink("p"), 0);
	CHECK_EQ(rmdir("d"), 0);
	CHECK_EQ(dir_size("."), 40);
	unmount_here("dirsize");
	return 0;
}

static const struct {
	const char *name;
	int (*fn)(void);
} cases[] = {
	{ "statfs reports tmpfs limits and the nosuid/nodev/noexec flags", case_statfs_flags },
	{ "noexec: execve EACCES and mmap PROT_EXEC EPERM", case_noexec },
	{ "nosuid: the set-user-ID bit is ignored", case_nosuid },
	{ "nodev: opening a device node gives EACCES", case_nodev },
	{ "size=: ENOSPC at the limit, pages back on close and truncate", case_size_limit },
	{ "nr_inodes=: ENOSPC when every inode is used", case_inode_limit },
	{ "remount changes flags and size, not below the usage", case_remount },
	{ "bad tmpfs options give EINVAL; mode= sets the root", case_bad_options },
	{ "a directory's size: 40 and 20 per entry, as Linux's tmpfs", case_dir_size },
};

/* The mount points the cases make, removed at the end. */
static const char *const dirs[] = {
	"flags", "noexec", "exec", "suid", "nosuid", "nodev", "dev", "size", "inodes", "re", "bad",
	"dirsize",
};

int main(int argc, char **argv)
{
	const int n = sizeof(cases) / sizeof(cases[0]);

	if (argc > 1 && !strcmp(argv[1], "euid"))
		return geteuid() == 0 ? 0 : 1;
	tap_plan(n);
	tap_tmppath(base, sizeof(base), "mountflags");
	if (mkdir(base, 0755) != 0 || chmod(base, 0755) != 0)
		tap_diag("mkdir %s: %s", base, strerror(errno));
	for (int i = 0; i < n; i++)
		run_case(cases[i].name, cases[i].fn);
	for (int i = 0; i < (int)(sizeof(dirs) / sizeof(dirs[0])); i++) {
		char dir[4200];

		snprintf(dir, sizeof(dir), "%s/%s", base, dirs[i]);
		rmdir(dir);
	}
	rmdir(base);
	return tap_done();
}
