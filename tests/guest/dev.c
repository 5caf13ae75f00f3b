/*
 * The device nodes of /dev (null(4), zero(4), full(4), random(4), tty(4)),
 * getrandom(2), and /dev/shm as a writable tmpfs.
 */
#include <tap.h>
#include <sys/random.h>

static int case_null_zero(void)
{
	char buf[64];
	int fd = open("/dev/null", O_RDWR);

	CHECK(fd >= 0);
	CHECK_EQ(write(fd, "abc", 3), 3);
	CHECK_EQ(read(fd, buf, sizeof(buf)), 0);
	close(fd);
	fd = open("/dev/zero", O_RDONLY);
	CHECK(fd >= 0);
	memset(buf, 'x', sizeof(buf));
	CHECK_EQ(read(fd, buf, sizeof(buf)), (long long)sizeof(buf));
	for (size_t i = 0; i < sizeof(buf); i++)
		CHECK_EQ(buf[i], 0);
	close(fd);
	return 0;
}

static int case_full(void)
{
	char buf[16];
	int fd = open("/dev/full", O_RDWR);

	CHECK(fd >= 0);
	CHECK_ERR(write(fd, "abc", 3), ENOSPC);
	memset(buf, 'x', sizeof(buf));
	CHECK_EQ(read(fd, buf, sizeof(buf)), (long long)sizeof(buf));
	CHECK_EQ(buf[7], 0);
	close(fd);
	return 0;
}

static bool all_zero(const unsigned char *b, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (b[i])
			return false;
	return true;
}

static int case_random(void)
{
	unsigned char a[64], b[64];
	int fd = open("/dev/urandom", O_RDONLY);

	CHECK(fd >= 0);
	CHECK_EQ(read(fd, a, sizeof(a)), (long long)sizeof(a));
	CHECK_EQ(read(fd, b, sizeof(b)), (long long)sizeof(b));
	CHECK(!all_zero(a, sizeof(a)));
	CHECK(memcmp(a, b, sizeof(a)) != 0);
	close(fd);
	fd = open("/dev/random", O_RDONLY);
	CHECK(fd >= 0);
	CHECK_EQ(read(fd, a, 16), 16);
	close(fd);
	CHECK_EQ(getrandom(b, sizeof(b), GRND_NONBLOCK), (long long)sizeof(b));
	CHECK(!all_zero(b, sizeof(b)));
	CHECK_ERR(getrandom(b, 8, 0x100), EINVAL);
	return 0;
}

static int case_dev_tty_needs_ctty(void)
{
	struct stat st;

	CHECK_EQ(stat("/dev/tty", &st), 0);
	CHECK(S_ISCHR(st.st_mode));
	CHECK_EQ(major(st.st_rdev), 5);
	CHECK_EQ(minor(st.st_rdev), 0);
	/* The case child is no group leader, so setsid() must succeed. */
	if (!CHECK(setsid() >= 0)) {
		tap_diag("setsid: %s", strerror(errno));
		return 1;
	}
	/* A new session has no controlling terminal. */
	CHECK_ERR(open("/dev/tty", O_RDWR), ENXIO);
	return 0;
}

static int case_shm(void)
{
	char path[128], buf[8];
	struct stat st;
	int fd;

	CHECK_EQ(stat("/dev/shm", &st), 0);
	CHECK(S_ISDIR(st.st_mode));
	snprintf(path, sizeof(path), "/dev/shm/sprout-test-%d", (int)getpid());
	fd = open(path, O_RDWR | O_CREAT | O_EXCL, 0600);
	CHECK(fd >= 0);
	CHECK_EQ(write(fd, "shm", 3), 3);
	CHECK_EQ(pread(fd, buf, 3, 0), 3);
	CHECK(memcmp(buf, "shm", 3) == 0);
	close(fd);
	CHECK_EQ(unlink(path), 0);
	return 0;
}

int main(void)
{
	tap_plan(5);
	run_case("/dev/null and /dev/zero", case_null_zero);
	run_case("/dev/full: writes fail ENOSPC, reads give zeros", case_full);
	run_case("/dev/urandom, /dev/random and getrandom", case_random);
	run_case("/dev/tty is ENXIO without a controlling terminal", case_dev_tty_needs_ctty);
	run_case("/dev/shm holds files", case_shm);
	return tap_done();
}
