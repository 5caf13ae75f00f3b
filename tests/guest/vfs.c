/*
 * The file-system calls and their errno cases, as open(2), mkdir(2), rename(2), link(2),
 * symlink(2), stat(2), statx(2), getdents64(2), chdir(2), umask(2), chmod(2), chown(2),
 * access(2), truncate(2), pread(2), sendfile(2), utimensat(2) and open(2) O_TMPFILE describe
 * them; an unlinked file stays alive while it is open; and the permission checks as an
 * ordinary user (skipped where setuid is not available). Every case works inside its own
 * directory under the test's temporary directory, so it passes natively on Linux too.
 */
#define _GNU_SOURCE
#include <tap.h>
#include <dirent.h>
#include <limits.h>
#include <sys/sendfile.h>
#include <sys/syscall.h>

#define PAGE	4096

/* Linux's struct statx (include/uapi/linux/stat.h), declared here so no libc version matters. */
struct kstatx_ts {
	int64_t tv_sec;
	uint32_t tv_nsec;
	int32_t reserved;
};

struct kstatx {
	uint32_t mask, blksize;
	uint64_t attributes;
	uint32_t nlink, uid, gid;
	uint16_t mode, spare0;
	uint64_t ino, size, blocks, attributes_mask;
	struct kstatx_ts atime, btime, ctime, mtime;
	uint32_t rdev_major, rdev_minor, dev_major, dev_minor;
	uint64_t spare[14];
};

#define KSTATX_BASIC	0x7ffU
#define K_NOREPLACE	1U
#define K_EXCHANGE	2U

static char base[4096];	/* the test's own directory; each case makes one below it */

/* Make and enter a fresh directory for case @name. */
static void enter(const char *name)
{
	char dir[4200];

	snprintf(dir, sizeof(dir), "%s/%s", base, name);
	if (mkdir(dir, 0755) != 0 || chdir(dir) != 0)
		tap_diag("cannot set up %s: %s", dir, strerror(errno));
}

static void put(const char *path, const char *text, mode_t mode)
{
	if (tap_write_file(path, text, strlen(text), mode) != 0)
		tap_diag("write %s: %s", path, strerror(errno));
}

static bool has_name(const char *dir, const char *name)
{
	DIR *d = opendir(dir);
	struct dirent *e;
	bool found = false;

	if (!d)
		return false;
	while ((e = readdir(d)))
		if (!strcmp(e->d_name, name))
			found = true;
	closedir(d);
	return found;
}

static int count_names(const char *dir)
{
	DIR *d = opendir(dir);
	int n = 0;

	if (!d)
		return -1;
	while (readdir(d))
		n++;
	closedir(d);
	return n;
}

/* ---- open(2) ---- */

static int case_open_flags(void)
{
	char buf[32] = { 0 };
	struct stat st;
	int fd;

	enter("open");
	fd = open("f", O_CREAT | O_EXCL | O_RDWR, 0640);
	CHECK(fd >= 0);
	CHECK_EQ(write(fd, "hello", 5), 5);
	close(fd);
	CHECK_ERR(open("f", O_CREAT | O_EXCL | O_RDWR, 0640), EEXIST);
	CHECK_ERR(open("missing", O_RDONLY), ENOENT);
	CHECK_ERR(open("missing/x", O_CREAT | O_RDWR, 0640), ENOENT);
	CHECK_ERR(open("f/x", O_RDONLY), ENOTDIR);
	CHECK_ERR(open("f", O_RDONLY | O_DIRECTORY), ENOTDIR);
	CHECK_ERR(open(".", O_RDWR), EISDIR);
	CHECK_ERR(open(".", O_CREAT | O_RDONLY, 0640), EISDIR);
	/* O_APPEND: every write goes to the end whatever the offset. */
	fd = open("f", O_WRONLY | O_APPEND);
	CHECK(fd >= 0);
	CHECK_EQ(lseek(fd, 0, SEEK_SET), 0);
	CHECK_EQ(write(fd, "!", 1), 1);
	close(fd);
	CHECK_EQ(tap_read_file("f", buf, sizeof(buf)), 6);
	CHECK(!strcmp(buf, "hello!"));
	/* O_TRUNC empties; O_CLOEXEC sets FD_CLOEXEC. */
	fd = open("f", O_RDWR | O_TRUNC | O_CLOEXEC);
	CHECK(fd >= 0);
	CHECK_EQ(fstat(fd, &st), 0);
	CHECK_EQ(st.st_size, 0);
	CHECK_EQ(st.st_mode, S_IFREG | 0640);
	CHECK_EQ(fcntl(fd, F_GETFD), FD_CLOEXEC);
	close(fd);
	fd = open("f", O_RDONLY);
	CHECK_EQ(fcntl(fd, F_GETFD), 0);
	close(fd);
	/* O_NOFOLLOW refuses a final symlink; O_CREAT through a dangling one creates its target. */
	CHECK_EQ(symlink("f", "lf"), 0);
	CHECK_ERR(open("lf", O_RDONLY | O_NOFOLLOW), ELOOP);
	CHECK_EQ(symlink("made", "dangling"), 0);
	fd = open("dangling", O_CREAT | O_WRONLY, 0600);
	CHECK(fd >= 0);
	close(fd);
	CHECK_EQ(access("made", F_OK), 0);
	CHECK_ERR(open("dangling", O_CREAT | O_EXCL | O_WRONLY, 0600), EEXIST);
	fd = open(".", O_RDONLY | O_DIRECTORY);
	CHECK(fd >= 0);
	close(fd);
	return 0;
}

/* ---- directories ---- */

static int case_dirs(void)
{
	char cwd[4200], want[4200];
	struct stat st;
	int fd;

	enter("dirs");
	CHECK_EQ(mkdir("d", 0755), 0);
	CHECK_ERR(mkdir("d", 0755), EEXIST);
	CHECK_ERR(mkdir("none/d", 0755), ENOENT);
	put("file", "x", 0644);
	CHECK_ERR(mkdir("file/d", 0755), ENOTDIR);
	CHECK_EQ(mkdir("d/sub", 0755), 0);
	CHECK_EQ(stat("d", &st), 0);
	CHECK_EQ(st.st_nlink, 3);
	CHECK_ERR(rmdir("d"), ENOTEMPTY);
	CHECK_ERR(rmdir("file"), ENOTDIR);
	CHECK_ERR(unlink("d"), EISDIR);
	CHECK_ERR(rmdir("d/sub/."), EINVAL);
	CHECK_ERR(rmdir("nothing"), ENOENT);
	CHECK(has_name(".", "d") && has_name(".", "file") && has_name(".", ".."));
	/* getdents64 through the raw call: ".", "..", "d", "file" and nothing else. */
	fd = open(".", O_RDONLY | O_DIRECTORY);
	{
		char buf[1024];
		long n = syscall(SYS_getdents64, fd, buf, sizeof(buf)), off = 0;
		int count = 0;

		CHECK(n > 0);
		while (n > 0 && off < n) {
			unsigned short reclen = *(unsigned short *)(buf + off + 16);
			unsigned char type = *(unsigned char *)(buf + off + 18);
			const char *name = buf + off + 19;

			if (!strcmp(name, "d") || !strcmp(name, "."))
				CHECK_EQ(type, DT_DIR);
			if (!strcmp(name, "file"))
				CHECK_EQ(type, DT_REG);
			count++;
			off += reclen;
		}
		CHECK_EQ(count, 4);
		CHECK_EQ(syscall(SYS_getdents64, fd, buf, sizeof(buf)), 0);
		CHECK_EQ(lseek(fd, 0, SEEK_SET), 0);
		CHECK_ERR(syscall(SYS_getdents64, fd, buf, 8), EINVAL);
	}
	/* chdir, fchdir, getcwd. */
	CHECK(getcwd(want, sizeof(want)) != NULL);
	CHECK_EQ(chdir("d/sub"), 0);
	CHECK(getcwd(cwd, sizeof(cwd)) != NULL);
	strcat(want, "/d/sub");
	CHECK(!strcmp(cwd, want));
	CHECK_ERR(chdir("../../file"), ENOTDIR);
	CHECK_ERR(syscall(SYS_getcwd, cwd, 2), ERANGE);
	CHECK_EQ(fchdir(fd), 0);
	CHECK_EQ(rmdir("d/sub"), 0);
	CHECK_EQ(rmdir("d"), 0);
	CHECK_EQ(stat(".", &st), 0);
	CHECK_EQ(st.st_nlink, 2);
	close(fd);
	fd = open("file", O_RDONLY);
	CHECK_ERR(fchdir(fd), ENOTDIR);
	close(fd);
	return 0;
}

/* ---- symlinks and names ---- */

static int case_symlinks(void)
{
	char buf[64] = { 0 };
	struct stat st, lst;
	int dfd;

	enter("sym");
	put("target", "data", 0644);
	CHECK_EQ(symlink("target", "link"), 0);
	CHECK_ERR(symlink("target", "link"), EEXIST);
	CHECK_ERR(symlink("", "empty"), ENOENT);
	CHECK_EQ(readlink("link", buf, sizeof(buf)), 6);
	CHECK(!memcmp(buf, "target", 6));
	CHECK_EQ(readlink("link", buf, 3), 3);
	CHECK_ERR(readlink("target", buf, sizeof(buf)), EINVAL);
	CHECK_EQ(stat("link", &st), 0);
	CHECK_EQ(lstat("link", &lst), 0);
	CHECK(S_ISREG(st.st_mode));
	CHECK(S_ISLNK(lst.st_mode));
	CHECK_EQ(lst.st_size, 6);
	CHECK(st.st_ino != lst.st_ino);
	/* The *at forms relative to a directory descriptor. */
	CHECK_EQ(mkdir("d", 0755), 0);
	dfd = open("d", O_RDONLY | O_DIRECTORY);
	CHECK_EQ(symlinkat("../target", dfd, "up"), 0);
	memset(buf, 0, sizeof(buf));
	CHECK_EQ(readlinkat(dfd, "up", buf, sizeof(buf)), 9);
	CHECK_EQ(fstatat(dfd, "up", &st, 0), 0);
	CHECK_EQ(st.st_size, 4);
	CHECK_EQ(fstatat(dfd, "up", &st, AT_SYMLINK_NOFOLLOW), 0);
	CHECK(S_ISLNK(st.st_mode));
	close(dfd);
	/* Loops and dangling links. */
	CHECK_EQ(symlink("loop2", "loop1"), 0);
	CHECK_EQ(symlink("loop1", "loop2"), 0);
	CHECK_ERR(stat("loop1", &st), ELOOP);
	CHECK_ERR(open("loop1/x", O_RDONLY), ELOOP);
	CHECK_EQ(symlink("nowhere", "dangle"), 0);
	CHECK_ERR(stat("dangle", &st), ENOENT);
	CHECK_EQ(lstat("dangle", &st), 0);
	/* A symlink to a directory walks as one, and "link/" follows it even for lstat. */
	CHECK_EQ(symlink("d", "ld"), 0);
	CHECK_EQ(stat("ld/up", &st), 0);
	CHECK_EQ(lstat("ld/", &st), 0);
	CHECK(S_ISDIR(st.st_mode));
	CHECK_ERR(stat("target/", &st), ENOTDIR);
	return 0;
}

static int case_name_limits(void)
{
	char name[300], *path = malloc(PATH_MAX + 16);
	struct stat st;

	enter("names");
	memset(name, 'n', 255);
	name[255] = '\0';
	CHECK_EQ(mkdir(name, 0755), 0);		/* NAME_MAX is allowed */
	CHECK_EQ(rmdir(name), 0);
	memset(name, 'n', 256);
	name[256] = '\0';
	CHECK_ERR(mkdir(name, 0755), ENAMETOOLONG);
	CHECK_ERR(open(name, O_CREAT | O_RDWR, 0644), ENAMETOOLONG);
	CHECK_ERR(stat(name, &st), ENAMETOOLONG);
	memset(path, 'p', PATH_MAX + 8);
	for (int i = 100; i < PATH_MAX + 8; i += 100)
		path[i] = '/';
	path[PATH_MAX + 8] = '\0';
	CHECK_ERR(stat(path, &st), ENAMETOOLONG);
	CHECK_ERR(stat("", &st), ENOENT);
	free(path);
	return 0;
}

/* ---- link, rename ---- */

static int case_links(void)
{
	char buf[16] = { 0 };
	struct stat st;

	enter("link");
	put("a", "shared", 0644);
	CHECK_EQ(link("a", "b"), 0);
	CHECK_EQ(stat("a", &st), 0);
	CHECK_EQ(st.st_nlink, 2);
	CHECK_ERR(link("a", "b"), EEXIST);
	CHECK_ERR(link("none", "c"), ENOENT);
	CHECK_ERR(link(".", "dirlink"), EPERM);
	CHECK_ERR(link("a", "none/c"), ENOENT);
	/* linkat links a symlink itself unless AT_SYMLINK_FOLLOW. */
	CHECK_EQ(symlink("a", "sl"), 0);
	CHECK_EQ(linkat(AT_FDCWD, "sl", AT_FDCWD, "sl2", 0), 0);
	CHECK_EQ(lstat("sl2", &st), 0);
	CHECK(S_ISLNK(st.st_mode));
	CHECK_EQ(linkat(AT_FDCWD, "sl", AT_FDCWD, "a3", AT_SYMLINK_FOLLOW), 0);
	CHECK_EQ(lstat("a3", &st), 0);
	CHECK(S_ISREG(st.st_mode));
	CHECK_EQ(st.st_nlink, 3);
	CHECK_ERR(linkat(AT_FDCWD, "a", AT_FDCWD, "x", 0x8), EINVAL);
	/* Removing one name leaves the others. */
	CHECK_EQ(unlink("a"), 0);
	CHECK_EQ(tap_read_file("b", buf, sizeof(buf)), 6);
	CHECK(!strcmp(buf, "shared"));
	CHECK_EQ(stat("b", &st), 0);
	CHECK_EQ(st.st_nlink, 2);
	return 0;
}

static int case_rename(void)
{
	char buf[16] = { 0 };
	struct stat st;

	enter("rename");
	put("a", "A", 0644);
	put("b", "B", 0644);
	CHECK_EQ(mkdir("d", 0755), 0);
	CHECK_EQ(mkdir("e", 0755), 0);
	put("e/x", "X", 0644);
	CHECK_EQ(rename("a", "b"), 0);		/* replaces b */
	CHECK_ERR(stat("a", &st), ENOENT);
	CHECK_EQ(tap_read_file("b", buf, sizeof(buf)), 1);
	CHECK(!strcmp(buf, "A"));
	CHECK_ERR(rename("missing", "z"), ENOENT);
	CHECK_ERR(rename("b", "d"), EISDIR);
	CHECK_ERR(rename("d", "b"), ENOTDIR);
	CHECK_ERR(rename("d", "e"), ENOTEMPTY);
	CHECK_ERR(rename("d", "d/inside"), EINVAL);
	CHECK_ERR(rename("b", "none/b"), ENOENT);
	CHECK_EQ(rename("b", "b"), 0);
	CHECK_EQ(rename("d", "e/d"), 0);	/* a directory changes parent */
	CHECK_EQ(stat("e", &st), 0);
	CHECK_EQ(st.st_nlink, 3);
	CHECK_EQ(renameat(AT_FDCWD, "e/d", AT_FDCWD, "d"), 0);
	/* renameat2: RENAME_NOREPLACE and RENAME_EXCHANGE. */
	CHECK_ERR(syscall(SYS_renameat2, AT_FDCWD, "b", AT_FDCWD, "e/x", K_NOREPLACE), EEXIST);
	CHECK_ERR(syscall(SYS_renameat2, AT_FDCWD, "b", AT_FDCWD, "e/y", K_NOREPLACE | K_EXCHANGE),
		  EINVAL);
	CHECK_ERR(syscall(SYS_renameat2, AT_FDCWD, "b", AT_FDCWD, "e/y", K_EXCHANGE), ENOENT);
	CHECK_EQ(syscall(SYS_renameat2, AT_FDCWD, "b", AT_FDCWD, "e/x", K_EXCHANGE), 0);
	CHECK_EQ(tap_read_file("b", buf, sizeof(buf)), 1);
	CHECK(!strcmp(buf, "X"));
	CHECK_EQ(tap_read_file("e/x", buf, sizeof(buf)), 1);
	CHECK(!strcmp(buf, "A"));
	CHECK_EQ(syscall(SYS_renameat2, AT_FDCWD, "d", AT_FDCWD, "e/x", K_EXCHANGE), 0);
	CHECK_EQ(stat("e/x", &st), 0);
	CHECK(S_ISDIR(st.st_mode));
	CHECK_EQ(stat("e", &st), 0);
	CHECK_EQ(st.st_nlink, 3);
	CHECK_EQ(syscall(SYS_renameat2, AT_FDCWD, "b", AT_FDCWD, "c", K_NOREPLACE), 0);
	CHECK_EQ(access("c", F_OK), 0);
	return 0;
}

/* ---- attributes ---- */

static int case_stat_family(void)
{
	struct stat st, fst, at;
	struct kstatx sx;
	int fd;

	enter("stat");
	put("f", "0123456789", 0604);
	fd = open("f", O_RDONLY);
	CHECK_EQ(stat("f", &st), 0);
	CHECK_EQ(fstat(fd, &fst), 0);
	CHECK_EQ(fstatat(AT_FDCWD, "f", &at, 0), 0);
	CHECK_EQ(st.st_ino, fst.st_ino);
	CHECK_EQ(st.st_ino, at.st_ino);
	CHECK_EQ(st.st_size, 10);
	CHECK_EQ(st.st_mode, S_IFREG | 0604);
	CHECK_EQ(st.st_nlink, 1);
	CHECK_EQ(st.st_uid, getuid());
	CHECK(st.st_blocks >= 8);
	CHECK_EQ(fstatat(fd, "", &at, AT_EMPTY_PATH), 0);
	CHECK_EQ(at.st_ino, st.st_ino);
	CHECK_ERR(fstatat(fd, "x", &at, 0), ENOTDIR);
	CHECK_ERR(fstatat(AT_FDCWD, "f", &at, 0x4), EINVAL);
	CHECK_ERR(fstat(-1, &at), EBADF);
	CHECK_ERR(syscall(SYS_stat, "f", tap_bad_ptr(8)), EFAULT);
	/* statx reports what stat does. */
	memset(&sx, 0xff, sizeof(sx));
	CHECK_EQ(syscall(SYS_statx, AT_FDCWD, "f", 0, KSTATX_BASIC, &sx), 0);
	CHECK_EQ(sx.mask & KSTATX_BASIC, KSTATX_BASIC);
	CHECK_EQ(sx.ino, st.st_ino);
	CHECK_EQ(sx.size, 10);
	CHECK_EQ(sx.mode, S_IFREG | 0604);
	CHECK_EQ(sx.nlink, 1);
	CHECK_EQ(sx.uid, st.st_uid);
	CHECK_EQ(sx.gid, st.st_gid);
	CHECK_EQ(sx.blocks, st.st_blocks);
	CHECK_EQ(sx.mtime.tv_sec, st.st_mtim.tv_sec);
	CHECK_EQ(sx.mtime.tv_nsec, st.st_mtim.tv_nsec);
	CHECK_EQ(makedev(sx.dev_major, sx.dev_minor), st.st_dev);
	CHECK_EQ(syscall(SYS_statx, fd, "", AT_EMPTY_PATH, KSTATX_BASIC, &sx), 0);
	CHECK_EQ(sx.ino, st.st_ino);
	CHECK_ERR(syscall(SYS_statx, AT_FDCWD, "f", 0x6000, KSTATX_BASIC, &sx), EINVAL);
	CHECK_ERR(syscall(SYS_statx, AT_FDCWD, "f", 0, 0x80000000U, &sx), EINVAL);
	CHECK_ERR(syscall(SYS_statx, AT_FDCWD, "none", 0, KSTATX_BASIC, &sx), ENOENT);
	close(fd);
	return 0;
}

static int case_modes(void)
{
	struct stat st;
	int fd, dfd;

	enter("modes");
	CHECK_EQ(umask(027), 022);
	CHECK_EQ(umask(027), 027);
	fd = open("f", O_CREAT | O_RDWR, 0777);
	CHECK_EQ(fstat(fd, &st), 0);
	CHECK_EQ(st.st_mode, S_IFREG | 0750);
	CHECK_EQ(mkdir("d", 0777), 0);
	CHECK_EQ(stat("d", &st), 0);
	CHECK_EQ(st.st_mode, S_IFDIR | 0750);
	umask(022);
	CHECK_EQ(chmod("f", 0604), 0);
	CHECK_EQ(stat("f", &st), 0);
	CHECK_EQ(st.st_mode, S_IFREG | 0604);
	CHECK_EQ(fchmod(fd, 0640), 0);
	CHECK_EQ(stat("f", &st), 0);
	CHECK_EQ(st.st_mode, S_IFREG | 0640);
	dfd = open(".", O_RDONLY | O_DIRECTORY);
	CHECK_EQ(fchmodat(dfd, "f", 04711, 0), 0);
	CHECK_EQ(stat("f", &st), 0);
	CHECK_EQ(st.st_mode, S_IFREG | 04711);
	CHECK_ERR(chmod("none", 0644), ENOENT);
	CHECK_ERR(fchmod(-1, 0644), EBADF);
	/* access(2) as root: any read/write, but execute needs some x bit. */
	CHECK_EQ(chmod("f", 0000), 0);
	CHECK_EQ(access("f", R_OK | W_OK), 0);
	CHECK_ERR(access("f", X_OK), EACCES);
	CHECK_EQ(chmod("f", 0001), 0);
	CHECK_EQ(access("f", X_OK), 0);
	CHECK_EQ(faccessat(dfd, "f", F_OK, 0), 0);
	CHECK_ERR(faccessat(dfd, "none", F_OK, 0), ENOENT);
	CHECK_ERR(access("f", 8), EINVAL);
	close(dfd);
	close(fd);
	return 0;
}

static int case_chown(void)
{
	struct stat st;
	int fd;

	enter("chown");
	put("f", "x", 0755);
	CHECK_EQ(symlink("f", "l"), 0);
	CHECK_EQ(chown("f", 1234, 5678), 0);
	CHECK_EQ(stat("f", &st), 0);
	CHECK_EQ(st.st_uid, 1234);
	CHECK_EQ(st.st_gid, 5678);
	CHECK_EQ(chown("f", -1, 42), 0);	/* -1 leaves the owner */
	CHECK_EQ(stat("f", &st), 0);
	CHECK_EQ(st.st_uid, 1234);
	CHECK_EQ(st.st_gid, 42);
	/* lchown changes the link, not the file it names. */
	CHECK_EQ(lchown("l", 77, 88), 0);
	CHECK_EQ(lstat("l", &st), 0);
	CHECK_EQ(st.st_uid, 77);
	CHECK_EQ(stat("l", &st), 0);
	CHECK_EQ(st.st_uid, 1234);
	CHECK_EQ(fchownat(AT_FDCWD, "l", 0, 0, 0), 0);
	CHECK_EQ(stat("f", &st), 0);
	CHECK_EQ(st.st_uid, 0);
	CHECK_ERR(fchownat(AT_FDCWD, "l", 0, 0, 0x2), EINVAL);
	/* A change of owner clears set-user-ID (and set-group-ID with group execute). */
	CHECK_EQ(chmod("f", 06755), 0);
	fd = open("f", O_RDONLY);
	CHECK_EQ(fchown(fd, 1, 1), 0);
	CHECK_EQ(fstat(fd, &st), 0);
	CHECK_EQ(st.st_mode, S_IFREG | 0755);
	CHECK_EQ(st.st_uid, 1);
	close(fd);
	CHECK_ERR(chown("none", 0, 0), ENOENT);
	CHECK_ERR(fchown(-1, 0, 0), EBADF);
	return 0;
}

static int case_utimensat(void)
{
	struct timespec ts[2] = { { 1000000000, 123456789 }, { 1100000000, 5 } };
	struct stat st, lst;
	time_t now = time(NULL);
	int fd;

	enter("utime");
	put("f", "x", 0644);
	CHECK_EQ(symlink("f", "l"), 0);
	CHECK_EQ(utimensat(AT_FDCWD, "f", ts, 0), 0);
	CHECK_EQ(stat("f", &st), 0);
	CHECK_EQ(st.st_atim.tv_sec, 1000000000);
	CHECK_EQ(st.st_atim.tv_nsec, 123456789);
	CHECK_EQ(st.st_mtim.tv_sec, 1100000000);
	CHECK_EQ(st.st_mtim.tv_nsec, 5);
	CHECK(st.st_ctim.tv_sec >= now - 5);
	/* UTIME_OMIT keeps one, UTIME_NOW takes the current time. */
	ts[0].tv_nsec = UTIME_OMIT;
	ts[1].tv_nsec = UTIME_NOW;
	CHECK_EQ(utimensat(AT_FDCWD, "f", ts, 0), 0);
	CHECK_EQ(stat("f", &st), 0);
	CHECK_EQ(st.st_atim.tv_sec, 1000000000);
	CHECK(st.st_mtim.tv_sec >= now - 5);
	/* AT_SYMLINK_NOFOLLOW sets the link's own times. */
	ts[0].tv_sec = 500000000;
	ts[0].tv_nsec = 0;
	ts[1].tv_nsec = UTIME_OMIT;
	CHECK_EQ(utimensat(AT_FDCWD, "l", ts, AT_SYMLINK_NOFOLLOW), 0);
	CHECK_EQ(lstat("l", &lst), 0);
	CHECK_EQ(lst.st_atim.tv_sec, 500000000);
	CHECK_EQ(stat("f", &st), 0);
	CHECK_EQ(st.st_atim.tv_sec, 1000000000);
	/* futimens, and NULL times meaning now. */
	fd = open("f", O_RDONLY);
	ts[0].tv_sec = 42;
	ts[0].tv_nsec = 0;
	CHECK_EQ(futimens(fd, ts), 0);
	CHECK_EQ(fstat(fd, &st), 0);
	CHECK_EQ(st.st_atim.tv_sec, 42);
	CHECK_EQ(utimensat(AT_FDCWD, "f", NULL, 0), 0);
	CHECK_EQ(stat("f", &st), 0);
	CHECK(st.st_atim.tv_sec >= now - 5);
	ts[0].tv_nsec = 1000000000;
	CHECK_ERR(utimensat(AT_FDCWD, "f", ts, 0), EINVAL);
	CHECK_ERR(utimensat(AT_FDCWD, "f", NULL, 0x4), EINVAL);
	CHECK_ERR(utimensat(AT_FDCWD, "none", NULL, 0), ENOENT);
	CHECK_ERR(futimens(-1, NULL), EBADF);
	close(fd);
	return 0;
}

/* ---- data ---- */

static int case_truncate(void)
{
	char buf[PAGE * 2];
	struct stat st;
	int fd, rd;

	enter("trunc");
	fd = open("f", O_CREAT | O_RDWR, 0644);
	memset(buf, 'a', sizeof(buf));
	CHECK_EQ(write(fd, buf, sizeof(buf)), (long long)sizeof(buf));
	CHECK_EQ(ftruncate(fd, 10), 0);
	CHECK_EQ(fstat(fd, &st), 0);
	CHECK_EQ(st.st_size, 10);
	/* Growing makes a hole that reads as zeroes, also where old data was. */
	CHECK_EQ(truncate("f", 3 * PAGE), 0);
	CHECK_EQ(fstat(fd, &st), 0);
	CHECK_EQ(st.st_size, 3 * PAGE);
	CHECK_EQ(pread(fd, buf, sizeof(buf), 0), (long long)sizeof(buf));
	CHECK_EQ(buf[9], 'a');
	CHECK_EQ(buf[10], 0);
	CHECK_EQ(buf[PAGE + 1], 0);
	CHECK(st.st_blocks <= 8);	/* the hole holds no pages */
	CHECK_EQ(truncate("f", 0), 0);
	CHECK_EQ(fstat(fd, &st), 0);
	CHECK_EQ(st.st_size, 0);
	CHECK_EQ(st.st_blocks, 0);
	CHECK_ERR(truncate("f", -1), EINVAL);
	CHECK_ERR(ftruncate(fd, -1), EINVAL);
	CHECK_ERR(truncate(".", 0), EISDIR);
	CHECK_ERR(truncate("none", 0), ENOENT);
	rd = open("f", O_RDONLY);
	CHECK_ERR(ftruncate(rd, 0), EINVAL);
	close(rd);
	CHECK_ERR(ftruncate(-1, 0), EBADF);
	close(fd);
	return 0;
}

/* Free memory in pages, from sysinfo(2). */
static long free_pages(void)
{
	struct sysinfo si;

	if (sysinfo(&si) != 0)
		return -1;
	return (long)(si.freeram * si.mem_unit / PAGE);
}

static int case_truncate_mapped(void)
{
	const int pages = 16, rounds = 40;
	long before = -1, after;
	char buf[PAGE];
	bool sprout = tap_on_sprout();

	enter("tmap");
	for (int r = 0; r < rounds; r++) {
		int fd = open("m", O_CREAT | O_RDWR | O_TRUNC, 0644);
		char *m;

		if (r == 2)
			before = free_pages();	/* the first rounds warm the caches */
		CHECK_EQ(ftruncate(fd, pages * PAGE), 0);
		m = mmap(NULL, pages * PAGE, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
		if (!CHECK(m != MAP_FAILED))
			return 1;
		for (int i = 0; i < pages; i++)
			m[i * PAGE] = (char)(i + 1);
		CHECK_EQ(pread(fd, buf, 1, 5 * PAGE), 1);
		CHECK_EQ(buf[0], 6);
		/* Shrink under the mapping, grow back: the file reads zeroes again. */
		CHECK_EQ(ftruncate(fd, PAGE), 0);
		CHECK_EQ(m[0], 1);
		CHECK_EQ(ftruncate(fd, pages * PAGE), 0);
		CHECK_EQ(pread(fd, buf, 1, 5 * PAGE), 1);
		CHECK_EQ(buf[0], 0);
		CHECK_EQ(munmap(m, pages * PAGE), 0);
		close(fd);
		CHECK_EQ(unlink("m"), 0);
	}
	after = free_pages();
	if (!sprout)
		return 0;	/* Linux's free memory moves with its caches: no exact count */
	/* A leak would lose pages * (rounds - 2) pages; allow a little kernel-heap noise. */
	if (!CHECK(before - after < pages))
		tap_diag("free pages before %ld after %ld", before, after);
	return 0;
}

static int case_pread_pwrite(void)
{
	char buf[16] = { 0 };
	int fd, p[2];

	enter("prw");
	fd = open("f", O_CREAT | O_RDWR, 0644);
	CHECK_EQ(write(fd, "0123456789", 10), 10);
	CHECK_EQ(lseek(fd, 2, SEEK_SET), 2);
	CHECK_EQ(pread(fd, buf, 3, 5), 3);
	CHECK(!memcmp(buf, "567", 3));
	CHECK_EQ(pwrite(fd, "ab", 2, 8), 2);
	CHECK_EQ(pwrite(fd, "Z", 1, 20), 1);	/* past the end: a hole before it */
	CHECK_EQ(lseek(fd, 0, SEEK_CUR), 2);	/* the offset did not move */
	CHECK_EQ(pread(fd, buf, sizeof(buf), 8), 13);
	CHECK(!memcmp(buf, "ab\0\0\0\0\0\0\0\0\0\0Z", 13));
	CHECK_EQ(pread(fd, buf, 4, 100), 0);
	CHECK_ERR(pread(fd, buf, 4, -1), EINVAL);
	CHECK_ERR(pwrite(fd, buf, 4, -1), EINVAL);
	CHECK_EQ(pipe(p), 0);
	CHECK_ERR(pread(p[0], buf, 1, 0), ESPIPE);
	CHECK_ERR(pwrite(p[1], buf, 1, 0), ESPIPE);
	close(fd);
	fd = open("f", O_RDONLY);
	CHECK_ERR(pwrite(fd, "x", 1, 0), EBADF);
	close(fd);
	return 0;
}

static int case_sendfile(void)
{
	char buf[PAGE * 3], got[PAGE * 3];
	off_t off = 100;
	int in, out, p[2];

	enter("sendfile");
	for (size_t i = 0; i < sizeof(buf); i++)
		buf[i] = (char)('a' + i % 23);
	CHECK_EQ(tap_write_file("src", buf, sizeof(buf), 0644), 0);
	in = open("src", O_RDONLY);
	out = open("dst", O_CREAT | O_RDWR, 0644);
	/* With an offset pointer: the input's position stays, the offset advances. */
	CHECK_EQ(sendfile(out, in, &off, 2 * PAGE), 2 * PAGE);
	CHECK_EQ(off, 100 + 2 * PAGE);
	CHECK_EQ(lseek(in, 0, SEEK_CUR), 0);
	CHECK_EQ(lseek(out, 0, SEEK_CUR), 2 * PAGE);
	CHECK_EQ(pread(out, got, 2 * PAGE, 0), 2 * PAGE);
	CHECK(!memcmp(got, buf + 100, 2 * PAGE));
	/* Without: from the input's position, which advances; stops at end of file. */
	CHECK_EQ(lseek(in, PAGE * 3 - 10, SEEK_SET), PAGE * 3 - 10);
	CHECK_EQ(sendfile(out, in, NULL, 100), 10);
	CHECK_EQ(lseek(in, 0, SEEK_CUR), PAGE * 3);
	CHECK_EQ(sendfile(out, in, NULL, 100), 0);
	/* To a pipe. */
	CHECK_EQ(pipe(p), 0);
	off = 7;
	CHECK_EQ(sendfile(p[1], in, &off, 50), 50);
	CHECK_EQ(read(p[0], got, sizeof(got)), 50);
	CHECK(!memcmp(got, buf + 7, 50));
	/* Errors. */
	CHECK_ERR(sendfile(in, out, NULL, 10), EBADF);		/* in not writable */
	CHECK_ERR(sendfile(out, p[0], NULL, 10), EINVAL);	/* a pipe is not a file */
	CHECK_ERR(sendfile(-1, in, NULL, 10), EBADF);
	CHECK_ERR(sendfile(out, in, tap_bad_ptr(8), 10), EFAULT);
	off = -1;
	CHECK_ERR(sendfile(out, in, &off, 10), EINVAL);
	close(p[0]);
	close(p[1]);
	close(in);
	close(out);
	return 0;
}

/* ---- unnamed files ---- */

static int case_unlinked_open(void)
{
	char buf[16] = { 0 };
	struct stat st;
	FILE *tf;
	int fd;

	enter("unlinked");
	fd = open("f", O_CREAT | O_RDWR, 0644);
	CHECK_EQ(write(fd, "alive", 5), 5);
	CHECK_EQ(unlink("f"), 0);
	CHECK_ERR(stat("f", &st), ENOENT);
	CHECK(!has_name(".", "f"));
	CHECK_EQ(fstat(fd, &st), 0);
	CHECK_EQ(st.st_nlink, 0);
	CHECK_EQ(st.st_size, 5);
	CHECK_EQ(write(fd, "!!", 2), 2);
	CHECK_EQ(pread(fd, buf, sizeof(buf), 0), 7);
	CHECK(!strcmp(buf, "alive!!"));
	/* A new file under the old name is another file. */
	put("f", "new", 0644);
	CHECK_EQ(pread(fd, buf, sizeof(buf), 0), 7);
	close(fd);
	/* The same for a directory that was removed while it was the cwd. */
	CHECK_EQ(mkdir("gone", 0755), 0);
	CHECK_EQ(chdir("gone"), 0);
	CHECK_EQ(rmdir("../gone"), 0);
	CHECK_ERR(open("new", O_CREAT | O_RDWR, 0644), ENOENT);
	CHECK_EQ(chdir(".."), 0);
	/* tmpfile(3) rests on this rule. */
	tf = tmpfile();
	if (!CHECK(tf != NULL))
		return 1;
	CHECK(fputs("temp", tf) >= 0);
	rewind(tf);
	CHECK(fgets(buf, sizeof(buf), tf) != NULL);
	CHECK(!strcmp(buf, "temp"));
	fclose(tf);
	return 0;
}

static int case_tmpfile(void)
{
	char buf[8] = { 0 };
	struct stat st;
	int fd;

	enter("otmp");
	fd = open(".", O_TMPFILE | O_RDWR, 0640);
	if (fd < 0 && errno == EOPNOTSUPP && !tap_on_sprout()) {
		tap_diag("this file system has no O_TMPFILE");
		return TAP_SKIP_STATUS;
	}
	CHECK(fd >= 0);
	CHECK_EQ(fstat(fd, &st), 0);
	CHECK_EQ(st.st_nlink, 0);
	CHECK_EQ(st.st_mode, S_IFREG | 0640);
	CHECK_EQ(count_names("."), 2);	/* only "." and "..": the file has no name */
	CHECK_EQ(write(fd, "tmp", 3), 3);
	/* linkat(AT_EMPTY_PATH) gives it a name. */
	CHECK_EQ(linkat(fd, "", AT_FDCWD, "named", AT_EMPTY_PATH), 0);
	CHECK_EQ(tap_read_file("named", buf, sizeof(buf)), 3);
	CHECK_EQ(fstat(fd, &st), 0);
	CHECK_EQ(st.st_nlink, 1);
	close(fd);
	/* O_EXCL: it can never be linked. */
	fd = open(".", O_TMPFILE | O_EXCL | O_WRONLY, 0600);
	CHECK(fd >= 0);
	CHECK_ERR(linkat(fd, "", AT_FDCWD, "never", AT_EMPTY_PATH), ENOENT);
	close(fd);
	CHECK_ERR(open(".", O_TMPFILE | O_RDONLY, 0600), EINVAL);
	CHECK_ERR(open("named", O_TMPFILE | O_RDWR, 0600), ENOTDIR);
	CHECK_ERR(open("none", O_TMPFILE | O_RDWR, 0600), ENOENT);
	return 0;
}

/* ---- as an ordinary user ---- */

static int case_eacces(void)
{
	struct timespec ts[2] = { { 1, 0 }, { 1, 0 } };
	struct stat st;
	pid_t pid;
	int status;

	if (getuid() != 0) {
		tap_diag("not running as root");
		return TAP_SKIP_STATUS;
	}
	enter("perm");
	put("secret", "s", 0600);
	put("readable", "r", 0644);
	put("script", "#!/bin/sh\n", 0644);
	CHECK_EQ(mkdir("closed", 0700), 0);
	CHECK_EQ(mkdir("ro", 0755), 0);
	CHECK_EQ(mkdir("sticky", 01777), 0);
	CHECK_EQ(chmod("sticky", 01777), 0);
	put("sticky/roots", "x", 0666);
	CHECK_EQ(chmod("sticky/roots", 0666), 0);
	CHECK_EQ(chmod(".", 0755), 0);
	fflush(NULL);
	pid = fork();
	if (pid == 0) {
		/* The cwd is kept, so nothing above the test directory has to be searchable. */
		if (setgid(65534) != 0 || setuid(65534) != 0) {
			tap_diag("setuid: %s", strerror(errno));
			_exit(TAP_SKIP_STATUS);
		}
		CHECK_ERR(open("secret", O_RDONLY), EACCES);
		CHECK_ERR(open("readable", O_WRONLY), EACCES);
		CHECK_ERR(open("readable", O_RDONLY | O_TRUNC), EACCES);
		CHECK_ERR(open("new", O_CREAT | O_WRONLY, 0644), EACCES);
		CHECK_ERR(mkdir("ro/d", 0755), EACCES);
		CHECK_ERR(unlink("readable"), EACCES);
		CHECK_ERR(rename("readable", "ro/x"), EACCES);
		CHECK_ERR(symlink("readable", "ro/x"), EACCES);
		CHECK_ERR(stat("closed/x", &st), EACCES);
		CHECK_ERR(chdir("closed"), EACCES);
		CHECK_ERR(opendir("closed") ? 0 : -1, EACCES);
		CHECK_ERR(access("secret", R_OK), EACCES);
		CHECK_EQ(access("readable", R_OK), 0);
		CHECK_ERR(access("readable", W_OK), EACCES);
		CHECK_ERR(access("script", X_OK), EACCES);
		CHECK_ERR(truncate("readable", 0), EACCES);
		CHECK_ERR(chmod("readable", 0777), EPERM);
		CHECK_ERR(chown("readable", 65534, 65534), EPERM);
		CHECK_ERR(utimensat(AT_FDCWD, "readable", NULL, 0), EACCES);
		CHECK_ERR(utimensat(AT_FDCWD, "readable", ts, 0), EPERM);
		CHECK_ERR(execl("./script", "script", (char *)NULL), EACCES);
		/* In a sticky directory only the owner may remove what they own. */
		CHECK_ERR(unlink("sticky/roots"), EPERM);
		CHECK_EQ(tap_write_file("sticky/mine", "m", 1, 0644), 0);
		CHECK_ERR(link("sticky/mine", "ro/x"), EACCES);
		CHECK_EQ(rename("sticky/mine", "sticky/mine2"), 0);
		CHECK_ERR(rename("sticky/mine2", "sticky/roots"), EPERM);
		CHECK_EQ(unlink("sticky/mine2"), 0);
		_exit(tap_case_failed ? 1 : 0);
	}
	status = tap_wait_bounded(pid, 30);
	if (status >= 0 && WIFEXITED(status) && WEXITSTATUS(status) == TAP_SKIP_STATUS)
		return TAP_SKIP_STATUS;
	CHECK(status >= 0 && WIFEXITED(status) && WEXITSTATUS(status) == 0);
	return 0;
}

/* Remove @path and everything below it (best effort, for the end of the run). */
static void remove_tree(const char *path)
{
	struct stat st;
	DIR *d;
	struct dirent *e;
	char sub[4200];

	if (lstat(path, &st) != 0)
		return;
	if (!S_ISDIR(st.st_mode)) {
		unlink(path);
		return;
	}
	chmod(path, 0700);
	d = opendir(path);
	while (d && (e = readdir(d))) {
		if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, ".."))
			continue;
		snprintf(sub, sizeof(sub), "%s/%s", path, e->d_name);
		remove_tree(sub);
	}
	if (d)
		closedir(d);
	rmdir(path);
}

/* A set-group-ID directory: what is made in it takes the directory's group, a
 * subdirectory its S_ISGID bit too; a set-group-ID executable made there by a user
 * outside the group loses the bit (Linux's inode_init_owner). */
static int case_setgid_dir(void)
{
	char dir[256], p[300];
	struct stat st;
	pid_t pid;
	int fd;

	tap_tmppath(dir, sizeof(dir), "sgid");
	umask(0);
	CHECK_EQ(mkdir(dir, 0777), 0);
	CHECK_EQ(chown(dir, 0, 4321), 0);
	CHECK_EQ(chmod(dir, 02777), 0);
	snprintf(p, sizeof(p), "%s/sub", dir);
	CHECK_EQ(mkdir(p, 0755), 0);
	CHECK_EQ(stat(p, &st), 0);
	CHECK_EQ(st.st_gid, 4321);
	CHECK_EQ(st.st_mode & 07777, 02755);
	CHECK_EQ(rmdir(p), 0);
	snprintf(p, sizeof(p), "%s/file", dir);
	fd = open(p, O_CREAT | O_WRONLY, 0644);
	CHECK(fd >= 0);
	close(fd);
	CHECK_EQ(stat(p, &st), 0);
	CHECK_EQ(st.st_gid, 4321);
	CHECK_EQ(st.st_mode & 07777, 0644);
	CHECK_EQ(unlink(p), 0);
	pid = fork();
	if (pid == 0) {
		if (setgid(1000) || setuid(1000))
			_exit(2);
		fd = open(p, O_CREAT | O_WRONLY, 02755);
		if (fd < 0 || fstat(fd, &st))
			_exit(3);
		_exit(st.st_gid == 4321 && (st.st_mode & 07777) == 0755 ? 0 : 4);
	}
	CHECK_EQ(tap_wait_bounded(pid, 10), 0);
	unlink(p);
	rmdir(dir);
	return 0;
}

/* chroot(2): paths resolve under the new root, ".." stops there, the cwd stays
 * where it was; errors for a non-directory, a missing path, an ordinary user. */
static int case_chroot(void)
{
	char dir[256], file[300];
	struct stat st, want;
	pid_t pid;

	tap_tmppath(dir, sizeof(dir), "chroot");
	mkdir(dir, 0755);
	snprintf(file, sizeof(file), "%s/inside", dir);
	CHECK_EQ(tap_write_file(file, "in\n", 3, 0644), 0);
	CHECK_EQ(stat(file, &want), 0);
	CHECK_ERR(chroot(file), ENOTDIR);
	CHECK_ERR(chroot("/no/such/dir"), ENOENT);
	pid = fork();
	if (pid == 0) {
		if (setuid(1000))
			_exit(2);
		_exit(chroot(dir) == -1 && errno == EPERM ? 0 : 3);
	}
	CHECK_EQ(tap_wait_bounded(pid, 10), 0);
	pid = fork();
	if (pid == 0) {
		/* The cwd stays the old root, outside the new one, as on Linux. */
		if (chdir("/") || chroot(dir) || stat(file + 1, &st) || st.st_ino != want.st_ino)
			_exit(4);
		if (stat("/inside", &st) || st.st_ino != want.st_ino || st.st_dev != want.st_dev)
			_exit(5);
		if (chdir("/") || stat("../../inside", &st) || st.st_ino != want.st_ino)
			_exit(6);	/* ".." of the root is the root */
		_exit(stat("/tmp", &st) == -1 && errno == ENOENT ? 0 : 7);
	}
	CHECK_EQ(tap_wait_bounded(pid, 10), 0);
	unlink(file);
	rmdir(dir);
	return 0;
}

static const struct {
	const char *name;
	int (*fn)(void);
} cases[] = {
	{ "openat flags: O_CREAT, O_EXCL, O_TRUNC, O_APPEND, O_DIRECTORY, O_NOFOLLOW, O_CLOEXEC",
	  case_open_flags },
	{ "mkdir, rmdir, getdents64, chdir, fchdir, getcwd", case_dirs },
	{ "symlink, readlink, lstat, ELOOP, dangling links", case_symlinks },
	{ "NAME_MAX and PATH_MAX: ENAMETOOLONG", case_name_limits },
	{ "link, linkat and link counts", case_links },
	{ "rename, renameat, renameat2 NOREPLACE and EXCHANGE", case_rename },
	{ "stat, fstat, newfstatat, statx", case_stat_family },
	{ "umask, chmod, fchmod, fchmodat, access, faccessat", case_modes },
	{ "chown, fchown, lchown, fchownat", case_chown },
	{ "utimensat, futimens: UTIME_NOW, UTIME_OMIT, AT_SYMLINK_NOFOLLOW", case_utimensat },
	{ "truncate, ftruncate: holes read as zeroes", case_truncate },
	{ "truncate under a MAP_SHARED mapping frees its pages", case_truncate_mapped },
	{ "pread64, pwrite64", case_pread_pwrite },
	{ "sendfile to a file and a pipe, with and without an offset", case_sendfile },
	{ "an unlinked file lives while open; tmpfile()", case_unlinked_open },
	{ "O_TMPFILE and linkat AT_EMPTY_PATH", case_tmpfile },
	{ "EACCES and EPERM as an ordinary user", case_eacces },
	{ "chroot: a new root for path walks; ENOTDIR, ENOENT, EPERM", case_chroot },
	{ "a set-group-ID directory passes its group and, to directories, its bit",
	  case_setgid_dir },
};

/* Entry point: one TAP line per case. */
int main(void)
{
	const int n = sizeof(cases) / sizeof(cases[0]);

	tap_plan(n);
	tap_tmppath(base, sizeof(base), "vfs");
	remove_tree(base);
	if (mkdir(base, 0755) != 0 || chmod(base, 0755) != 0)
		tap_diag("mkdir %s: %s", base, strerror(errno));
	for (int i = 0; i < n; i++)
		run_case(cases[i].name, cases[i].fn);
	remove_tree(base);
	return tap_done();
}
