/*
 * A disk as a block special file (/dev/vda, virtio-blk 254:0), as Linux presents one: pwrite
 * and pread at aligned and unaligned offsets (bytes around a partly written sector keep their
 * value), reads at the end return 0 and writes there ENOSPC, bad buffers EFAULT,
 * lseek(SEEK_END) and ioctl(BLKGETSIZE64) give the capacity, /proc/partitions lists the disk
 * and /proc/diskstats counts the requests and flushes, a reader waiting for the disk shows
 * state D and counts in procs_blocked, fsync flushes the disk and fails with EINVAL on a pipe.
 *
 * The disk cases need a disk: `./sprout run --disk FILE /tests/guest/blkdev --require-disk`
 * (tools/test.py then also checks on the host that FILE holds the pattern written here, so the
 * regions below are mirrored there: keep them in step). The in-guest suite boots with a
 * scratch disk; without one they skip on Sprout; on Linux they always skip, so that no host
 * disk is ever written.
 */
#include <tap.h>
#include <sys/ioctl.h>
#include <sys/sysmacros.h>

#define DISK		"/dev/vda"
#define BLKGETSIZE64_	0x80081272UL
#define MIN_DISK	(4ULL << 20)

static bool require_disk;

/* The regions written, as byte offsets from the start (negative: from the end) and lengths. */
static const struct {
	long long off;
	size_t len;
} regions[] = {
	{ 0, 4096 },			/* whole sectors */
	{ 4096 + 100, 1000 },		/* inside sectors 8..10, both ends partial */
	{ (1 << 20) - 3, 10 },		/* across a sector boundary */
	{ 3 * (1 << 20) + 511, 70000 },	/* longer than one 64 KiB request, unaligned */
	{ -512, 512 },			/* the last sector */
};

/* The byte written at disk offset @p (the host check computes the same). */
static unsigned char pattern(unsigned long long p)
{
	return (unsigned char)((p * 131 + 7) ^ (p >> 9));
}

/* Skip (or fail with --require-disk) unless a disk can be used here. */
static int disk_or_skip(void)
{
	if (!tap_on_sprout()) {
		tap_diag("Linux: the test writes to " DISK "; never done to a host disk");
		return TAP_SKIP_STATUS;
	}
	if (access(DISK, F_OK) != 0) {
		if (require_disk) {
			tap_diag(DISK " is missing although a disk was attached");
			return 1;
		}
		tap_diag("no disk attached (./sprout run --disk FILE)");
		return TAP_SKIP_STATUS;
	}
	char swaps[4096];

	if (tap_read_file("/proc/swaps", swaps, sizeof(swaps)) > 0 && strstr(swaps, DISK " ")) {
		tap_diag(DISK " is in use as swap space: not overwritten");
		return TAP_SKIP_STATUS;
	}
	return 0;
}

static unsigned long long disk_size(int fd)
{
	unsigned long long size = 0;

	if (ioctl(fd, BLKGETSIZE64_, &size) != 0)
		return 0;
	return size;
}

static int case_node(void)
{
	struct stat st;
	int fd, r = disk_or_skip();

	if (r)
		return r;
	CHECK_EQ(stat(DISK, &st), 0);
	CHECK(S_ISBLK(st.st_mode));
	CHECK_EQ(major(st.st_rdev), 254);
	CHECK_EQ(minor(st.st_rdev), 0);
	fd = open(DISK, O_RDWR);
	CHECK(fd >= 0);
	unsigned long long size = disk_size(fd);

	CHECK(size >= MIN_DISK);
	CHECK_EQ(size % 512, 0);
	CHECK_EQ(lseek(fd, 0, SEEK_END), (off_t)size);
	CHECK_EQ(lseek(fd, 0, SEEK_SET), 0);
	close(fd);
	return 0;
}

static int case_pattern(void)
{
	int fd, r = disk_or_skip();
	unsigned char *buf, before[2], after[2];

	if (r)
		return r;
	fd = open(DISK, O_RDWR);
	CHECK(fd >= 0);
	unsigned long long size = disk_size(fd);

	if (size < MIN_DISK)
		return 1;
	buf = malloc(1 << 17);
	CHECK(buf != NULL);
	for (size_t i = 0; i < sizeof(regions) / sizeof(regions[0]); i++) {
		unsigned long long off = regions[i].off < 0 ? size + regions[i].off :
							      (unsigned long long)regions[i].off;
		size_t len = regions[i].len;

		/* The neighbours of an unaligned region must keep their bytes. */
		if (off % 512)
			CHECK_EQ(pread(fd, &before[0], 1, off - 1), 1);
		if ((off + len) % 512)
			CHECK_EQ(pread(fd, &after[0], 1, off + len), 1);
		for (size_t k = 0; k < len; k++)
			buf[k] = pattern(off + k);
		CHECK_EQ(pwrite(fd, buf, len, off), (ssize_t)len);
		memset(buf, 0, len);
		CHECK_EQ(pread(fd, buf, len, off), (ssize_t)len);
		for (size_t k = 0; k < len; k++) {
			if (buf[k] != pattern(off + k)) {
				tap_diag("region %zu: byte %zu reads 0x%02x, wrote 0x%02x", i, k,
					 buf[k], pattern(off + k));
				CHECK(false);
				break;
			}
		}
		if (off % 512) {
			CHECK_EQ(pread(fd, &before[1], 1, off - 1), 1);
			CHECK_EQ(before[1], before[0]);
		}
		if ((off + len) % 512) {
			CHECK_EQ(pread(fd, &after[1], 1, off + len), 1);
			CHECK_EQ(after[1], after[0]);
		}
	}
	/* read/write through the file position too: the same bytes as pread. */
	CHECK_EQ(lseek(fd, 4096 + 100, SEEK_SET), 4096 + 100);
	CHECK_EQ(read(fd, buf, 1000), 1000);
	CHECK_EQ(buf[999], pattern(4096 + 100 + 999));
	CHECK_EQ(lseek(fd, 0, SEEK_CUR), 4096 + 1100);
	CHECK_EQ(fsync(fd), 0);
	free(buf);
	close(fd);
	return 0;
}

static int case_end(void)
{
	int fd, r = disk_or_skip();
	char buf[512];
	unsigned char pat[20];

	if (r)
		return r;
	fd = open(DISK, O_RDWR);
	CHECK(fd >= 0);
	unsigned long long size = disk_size(fd);

	/* What goes into the last sector is the pattern the host expects there. */
	for (int k = 0; k < 20; k++)
		pat[k] = pattern(size - 10 + k);

	/* Linux's blkdev_read_iter/blkdev_write_iter: 0 at the end, ENOSPC past it, short
	 * transfers across it. */
	CHECK_EQ(pread(fd, buf, sizeof(buf), size), 0);
	CHECK_EQ(pread(fd, buf, sizeof(buf), size + 4096), 0);
	CHECK_EQ(pread(fd, buf, sizeof(buf), size - 100), 100);
	CHECK_ERR(pwrite(fd, buf, sizeof(buf), size), ENOSPC);
	CHECK_EQ(pwrite(fd, pat, 10, size - 10), 10);
	CHECK_EQ(pwrite(fd, pat, 20, size - 10), 10);
	CHECK_EQ(lseek(fd, 0, SEEK_END), (off_t)size);
	CHECK_EQ(read(fd, buf, sizeof(buf)), 0);
	CHECK_ERR(pread(fd, buf, sizeof(buf), -1), EINVAL);
	CHECK_ERR(pread(fd, tap_bad_ptr(16), sizeof(buf), 0), EFAULT);
	CHECK_ERR(pwrite(fd, tap_bad_ptr(16), sizeof(buf), 0), EFAULT);
	close(fd);
	fd = open(DISK, O_RDONLY);
	CHECK(fd >= 0);
	CHECK_ERR(pwrite(fd, pat, 10, size - 10), EBADF);
	close(fd);
	return 0;
}

/* The fields of the vda line of /proc/diskstats after the name (17 numbers). */
static bool diskstats(unsigned long long v[17])
{
	static char text[8192];
	char *line;

	if (tap_read_file("/proc/diskstats", text, sizeof(text)) <= 0)
		return false;
	line = strstr(text, " vda ");
	if (!line)
		return false;
	line += 5;
	for (int i = 0; i < 17; i++) {
		char *end;

		v[i] = strtoull(line, &end, 10);
		if (end == line)
			return false;
		line = end;
	}
	return true;
}

static int case_proc(void)
{
	static char text[4096];
	unsigned long long a[17], b[17], blocks = 0;
	unsigned maj = 0, min = 0;
	char name[32] = "";
	int fd, r = disk_or_skip();
	char buf[4096];

	if (r)
		return r;
	fd = open(DISK, O_RDWR);
	CHECK(fd >= 0);
	unsigned long long size = disk_size(fd);

	CHECK(tap_read_file("/proc/partitions", text, sizeof(text)) > 0);
	CHECK(!strncmp(text, "major minor  #blocks  name\n\n", 28));
	char *line = strstr(text, "vda\n");

	CHECK(line != NULL);
	if (line) {
		while (line > text && line[-1] != '\n')
			line--;
		CHECK_EQ(sscanf(line, "%u %u %llu %31s", &maj, &min, &blocks, name), 4);
		CHECK_EQ(maj, 254);
		CHECK_EQ(min, 0);
		CHECK_EQ(blocks, size / 1024);
	}
	CHECK(diskstats(a));
	CHECK_EQ(pread(fd, buf, sizeof(buf), 8192), (ssize_t)sizeof(buf));
	CHECK_EQ(pwrite(fd, buf, sizeof(buf), 8192), (ssize_t)sizeof(buf));
	CHECK_EQ(fsync(fd), 0);
	CHECK(diskstats(b));
	CHECK(b[0] >= a[0] + 1);	/* reads completed */
	CHECK(b[2] >= a[2] + 8);	/* sectors read */
	CHECK(b[4] >= a[4] + 1);	/* writes completed */
	CHECK(b[6] >= a[6] + 8);	/* sectors written */
	CHECK_EQ(b[8], 0);		/* nothing in flight now */
	CHECK(b[15] >= a[15] + 1);	/* flushes */
	close(fd);
	return 0;
}

/* The state letter of process @pid in /proc/PID/stat, or 0. */
static char proc_state(pid_t pid)
{
	char path[64], text[512], *p;

	snprintf(path, sizeof(path), "/proc/%d/stat", (int)pid);
	if (tap_read_file(path, text, sizeof(text)) <= 0)
		return 0;
	p = strrchr(text, ')');
	return p && p[1] == ' ' ? p[2] : 0;
}

/* /proc/stat's procs_blocked, or -1. */
static long procs_blocked(void)
{
	static char text[16384];
	char *p;

	if (tap_read_file("/proc/stat", text, sizeof(text)) <= 0)
		return -1;
	p = strstr(text, "\nprocs_blocked ");
	return p ? strtol(p + strlen("\nprocs_blocked "), NULL, 10) : -1;
}

/* A process waiting for the disk is in state D (uninterruptible), as on Linux, and counts in
 * /proc/stat's procs_blocked. */
static int case_state_d(void)
{
	int r = disk_or_skip();
	bool seen = false, blocked = false;
	pid_t pid;

	if (r)
		return r;
	pid = fork();
	if (pid == 0) {
		static char buf[1 << 16];
		int fd = open(DISK, O_RDONLY);

		for (;;)
			if (pread(fd, buf, sizeof(buf), 0) != sizeof(buf))
				_exit(1);
	}
	CHECK(pid > 0);
	for (long long end = tap_now_ms() + 20000; !(seen && blocked) && tap_now_ms() < end;) {
		seen = seen || proc_state(pid) == 'D';
		blocked = blocked || procs_blocked() >= 1;
	}
	CHECK(seen);
	CHECK(blocked);
	kill(pid, SIGKILL);
	CHECK_EQ(tap_wait_bounded(pid, 10) & 0x7f, SIGKILL);
	return 0;
}

/* fsync(2) on files with nothing to flush and on ones without the operation (both kernels). */
static int case_fsync_kinds(void)
{
	char path[128];
	int p[2], fd;

	tap_tmppath(path, sizeof(path), "blkdev-fsync");
	fd = open(path, O_RDWR | O_CREAT | O_TRUNC, 0600);
	CHECK(fd >= 0);
	CHECK_EQ(write(fd, "x", 1), 1);
	CHECK_EQ(fsync(fd), 0);
	CHECK_EQ(fdatasync(fd), 0);
	close(fd);
	unlink(path);
	CHECK_EQ(pipe(p), 0);
	CHECK_ERR(fsync(p[0]), EINVAL);
	CHECK_ERR(fdatasync(p[1]), EINVAL);
	close(p[0]);
	close(p[1]);
	CHECK_ERR(fsync(-1), EBADF);
	fd = open("/dev/null", O_WRONLY);
	CHECK_ERR(fsync(fd), EINVAL);
	close(fd);
	sync();
	return 0;
}

int main(int argc, char **argv)
{
	require_disk = argc > 1 && !strcmp(argv[1], "--require-disk");
	tap_plan(6);
	run_case("blkdev: /dev/vda is block device 254:0 of the disk's size", case_node);
	run_case("blkdev: pwrite/pread at several offsets, neighbours kept", case_pattern);
	run_case("blkdev: 0 at the end, ENOSPC past it, short transfers across", case_end);
	run_case("blkdev: /proc/partitions and /proc/diskstats count the I/O", case_proc);
	run_case("blkdev: a disk reader is in state D, counted in procs_blocked", case_state_d);
	run_case("blkdev: fsync on tmpfs 0, on a pipe or /dev/null EINVAL", case_fsync_kinds);
	return tap_done();
}
