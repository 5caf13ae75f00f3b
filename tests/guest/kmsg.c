/*
 * The kernel log from user space: syslog(2)/klogctl(3) actions and their permission rules, and
 * /dev/kmsg records ("prio,seq,usec,-;text"). Reading is checked everywhere; writing to the log,
 * clearing it and consuming it (SYSLOG_ACTION_READ) only on Sprout: a test must never change the
 * host's kernel log.
 */
#define _GNU_SOURCE
#include <tap.h>
#include <sys/klog.h>

#define UNPRIV_UID	1000
#define BUF_SIZE	(1 << 20)

/* /proc/sys/kernel/dmesg_restrict, or 0 where there is no such file (Sprout: not restricted). */
static int dmesg_restrict(void)
{
	char buf[16];

	return tap_read_file("/proc/sys/kernel/dmesg_restrict", buf, sizeof(buf)) > 0 ?
	       atoi(buf) : 0;
}

static int read_all_format(void)
{
	char *buf = malloc(BUF_SIZE);
	int size = klogctl(10, NULL, 0), n;

	if (!CHECK(buf) || !CHECK(size > 0))
		return 1;
	n = klogctl(3, buf, BUF_SIZE);
	CHECK(n > 0 && n <= BUF_SIZE);
	if (n <= 0)
		return 1;
	/* Every line: "<prio>[ seconds.micros] text". */
	for (char *l = buf; l < buf + n;) {
		char *nl = memchr(l, '\n', (size_t)(buf + n - l));
		unsigned prio;
		unsigned long s, us;

		if (!CHECK(nl))
			break;
		if (!CHECK(sscanf(l, "<%u>[%lu.%lu]", &prio, &s, &us) == 3)) {
			tap_diag("line: %.*s", (int)(nl - l), l);
			break;
		}
		l = nl + 1;
	}
	/* A smaller buffer gets the newest lines that fit, whole. */
	n = klogctl(3, buf, 2048);
	CHECK(n > 0 && n <= 2048);
	CHECK_EQ(buf[0], '<');
	CHECK_EQ(buf[n - 1], '\n');
	CHECK_EQ(klogctl(3, buf, 0), 0);
	return 0;
}

static int errors_and_permissions(void)
{
	char buf[4096];	/* room for the newest record: READ_ALL gives whole records only */
	pid_t pid;

	CHECK_ERR(klogctl(11, buf, sizeof(buf)), EINVAL);
	CHECK_ERR(klogctl(-1, buf, sizeof(buf)), EINVAL);
	CHECK_ERR(klogctl(3, NULL, 10), EINVAL);
	CHECK_ERR(klogctl(3, buf, -1), EINVAL);
	CHECK_ERR(klogctl(3, tap_bad_ptr(0xffff800000000000UL), 64), EFAULT);
	CHECK_ERR(klogctl(8, NULL, 0), EINVAL);		/* console level outside 1..8 */
	CHECK_ERR(klogctl(8, NULL, 9), EINVAL);
	CHECK_EQ(klogctl(0, NULL, 0), 0);			/* close, open: nothing to do */
	CHECK_EQ(klogctl(1, NULL, 0), 0);
	CHECK(klogctl(9, NULL, 0) >= 0);
	pid = fork();
	if (pid == 0) {
		int restricted = dmesg_restrict();

		if (setuid(UNPRIV_UID))
			_exit(2);
		if (klogctl(9, NULL, 0) != -1 || errno != EPERM)
			_exit(3);
		if (klogctl(5, NULL, 0) != -1 || errno != EPERM)
			_exit(4);
		if (klogctl(1, NULL, 0) != -1 || errno != EPERM)
			_exit(5);
		if (restricted)
			_exit(klogctl(3, buf, sizeof(buf)) == -1 && errno == EPERM ? 0 : 6);
		_exit(klogctl(3, buf, sizeof(buf)) > 0 && klogctl(10, NULL, 0) > 0 ? 0 : 7);
	}
	CHECK_EQ(tap_wait_bounded(pid, 20), 0);
	return 0;
}

static int dev_kmsg_records(void)
{
	int fd = open("/dev/kmsg", O_RDONLY | O_NONBLOCK);
	char buf[8192];
	long long last = -1;
	int records = 0;
	ssize_t n;

	if (!CHECK(fd >= 0))
		return 1;
	CHECK_ERR(read(fd, buf, 4), EINVAL);		/* too small for a record */
	while ((n = read(fd, buf, sizeof(buf) - 1)) != 0) {
		unsigned prio;
		unsigned long long seq, usec;
		char flag;
		int used = 0;

		if (n < 0 && errno == EPIPE)
			continue;			/* overwritten meanwhile: go on */
		if (n < 0)
			break;
		buf[n] = 0;
		if (!CHECK(sscanf(buf, "%u,%llu,%llu,%c%n", &prio, &seq, &usec, &flag, &used) == 4) ||
		    !CHECK(buf[n - 1] == '\n') || !CHECK(strchr(buf, ';'))) {
			tap_diag("record: %s", buf);
			break;
		}
		CHECK(last < 0 || (long long)seq > last);
		last = (long long)seq;
		records++;
	}
	CHECK_EQ(errno, EAGAIN);
	CHECK(records > 0);
	close(fd);
	return 0;
}

static int sprout_write_clear_consume(void)
{
	char *buf = malloc(BUF_SIZE), rec[1024], msg[64];
	int fd, n;
	ssize_t r;
	bool found = false;

	if (!tap_on_sprout()) {
		tap_diag("writes, clears and consumes the kernel log: never on the host");
		return TAP_SKIP_STATUS;
	}
	if (!CHECK(buf))
		return 1;
	snprintf(msg, sizeof(msg), "kmsg-test-%d", (int)getpid());
	fd = open("/dev/kmsg", O_RDWR | O_NONBLOCK);
	if (!CHECK(fd >= 0))
		return 1;
	while (read(fd, rec, sizeof(rec)) > 0 || errno == EPIPE)
		;
	snprintf(rec, sizeof(rec), "<3>%s\n", msg);
	CHECK_EQ(write(fd, rec, strlen(rec)), (ssize_t)strlen(rec));
	r = read(fd, rec, sizeof(rec) - 1);
	CHECK(r > 0);
	if (r > 0) {
		rec[r] = 0;
		/* From user space: facility LOG_USER (1), level 3. */
		CHECK(!strncmp(rec, "11,", 3));
		CHECK(strstr(rec, msg) != NULL);
	}
	n = klogctl(3, buf, BUF_SIZE);
	CHECK(n > 0 && memmem(buf, (size_t)n, msg, strlen(msg)));
	/* READ consumes: drain it, then nothing is unread. */
	while (klogctl(9, NULL, 0) > 0 && (n = klogctl(2, buf, BUF_SIZE)) > 0)
		found = found || memmem(buf, (size_t)n, msg, strlen(msg));
	CHECK(found);
	CHECK_EQ(klogctl(9, NULL, 0), 0);
	/* CLEAR: READ_ALL shows nothing older; READ_CLEAR reads then clears. */
	CHECK_EQ(klogctl(5, NULL, 0), 0);
	CHECK_EQ(klogctl(3, buf, BUF_SIZE), 0);
	CHECK_EQ(write(fd, rec, 0), 0);
	dprintf(fd, "after-clear\n");
	/* /dev/kmsg's SEEK_DATA: the first record after the CLEAR (where dmesg starts). */
	{
		int fd2 = open("/dev/kmsg", O_RDONLY | O_NONBLOCK);

		CHECK_EQ(lseek(fd2, 0, SEEK_DATA), 0);
		r = read(fd2, rec, sizeof(rec) - 1);
		CHECK(r > 0);
		rec[r > 0 ? r : 0] = 0;
		CHECK(strstr(rec, "after-clear") != NULL);
		close(fd2);
	}
	n = klogctl(4, buf, BUF_SIZE);
	CHECK(n > 0 && memmem(buf, (size_t)n, "after-clear", 11));
	CHECK_EQ(klogctl(3, buf, BUF_SIZE), 0);
	CHECK_EQ(klogctl(8, NULL, 5), 0);
	close(fd);
	return 0;
}

/* lseek(2) of /dev/kmsg: only offset 0; SEEK_SET to the oldest record, SEEK_END past
 * the newest (nothing to read), other whences EINVAL. */
static int dev_kmsg_seek(void)
{
	char a[1024], b[1024];
	int fd = open("/dev/kmsg", O_RDONLY | O_NONBLOCK);
	ssize_t n, m;

	if (!CHECK(fd >= 0))
		return 1;
	n = read(fd, a, sizeof(a) - 1);
	while (n < 0 && errno == EPIPE)
		n = read(fd, a, sizeof(a) - 1);
	CHECK(n > 0);
	CHECK_EQ(lseek(fd, 0, SEEK_END), 0);
	CHECK_ERR(read(fd, b, sizeof(b)), EAGAIN);
	CHECK_EQ(lseek(fd, 0, SEEK_SET), 0);
	m = read(fd, b, sizeof(b) - 1);
	CHECK(m > 0);
	/* The oldest record kept: the same one unless the log wrapped meanwhile. */
	CHECK(m == n && !memcmp(a, b, (size_t)n));
	CHECK_ERR(lseek(fd, 1, SEEK_SET), ESPIPE);
	CHECK_ERR(lseek(fd, 0, SEEK_CUR), EINVAL);
	close(fd);
	return 0;
}

int main(void)
{
	tap_plan(5);
	run_case("SYSLOG_ACTION_READ_ALL: the log in syslog's format", read_all_format);
	run_case("syslog errors; unprivileged: only READ_ALL and SIZE_BUFFER", errors_and_permissions);
	run_case("/dev/kmsg: one record per read, sequence numbers grow", dev_kmsg_records);
	run_case("/dev/kmsg: lseek to the oldest record or past the newest", dev_kmsg_seek);
	run_case("/dev/kmsg writes, CLEAR, READ_CLEAR and READ (Sprout only)",
		 sprout_write_clear_consume);
	return tap_done();
}
