/*
 * Swap as seen without a swap disk (the swapping itself is tests/run/swap.c's, on a machine
 * booted with --swap): /proc/swaps begins with Linux's header line; /proc/meminfo has
 * SwapTotal, SwapFree and SwapCached, /proc/vmstat pswpin, pswpout, pgfault, pgmajfault and
 * oom_kill, and pgfault grows when a process faults pages in; /proc/sys/vm/page-cluster is a
 * number; swapon(2) and swapoff(2) want root (EPERM), refuse what is not a swap area (EINVAL),
 * a missing path is ENOENT and a directory EISDIR.
 */
#include <tap.h>
#include <sys/swap.h>

#define OTHER_UID	54321

/* The number after "@key" (a line start, then ' ' or ':') in file @path, or -1. */
static long file_value(const char *path, const char *key)
{
	static char buf[16384];
	size_t n = strlen(key);
	ssize_t len = tap_read_file(path, buf, sizeof(buf) - 1);

	if (len <= 0)
		return -1;
	buf[len] = '\0';
	for (char *line = buf; line && *line; line = strchr(line, '\n') ? strchr(line, '\n') + 1 : NULL)
		if (!strncmp(line, key, n) && (line[n] == ' ' || line[n] == ':'))
			return strtol(line + n + 1, NULL, 10);
	return -1;
}

/* Does this process have capability @bit in CapEff? */
static bool has_cap(int bit)
{
	char buf[4096], *p;
	ssize_t n = tap_read_file("/proc/self/status", buf, sizeof(buf) - 1);

	if (n <= 0)
		return false;
	buf[n] = '\0';
	p = strstr(buf, "CapEff:");
	return p && (strtoull(p + 7, NULL, 16) >> bit & 1);
}

static int case_proc_files(void)
{
	char buf[256];
	ssize_t n = tap_read_file("/proc/swaps", buf, sizeof(buf) - 1);

	CHECK(n > 0);
	if (n > 0) {
		buf[n] = '\0';
		CHECK(!strncmp(buf, "Filename\t\t\t\tType\t\tSize\t\tUsed\t\tPriority\n", 41));
	}
	CHECK(file_value("/proc/meminfo", "SwapTotal") >= 0);
	CHECK(file_value("/proc/meminfo", "SwapFree") >= 0);
	CHECK(file_value("/proc/meminfo", "SwapCached") >= 0);
	CHECK(file_value("/proc/meminfo", "SwapFree") <= file_value("/proc/meminfo", "SwapTotal"));
	CHECK(file_value("/proc/vmstat", "pswpin") >= 0);
	CHECK(file_value("/proc/vmstat", "pswpout") >= 0);
	CHECK(file_value("/proc/vmstat", "pgmajfault") >= 0);
	CHECK(file_value("/proc/vmstat", "oom_kill") >= 0);
	CHECK(file_value("/proc/sys/vm/page-cluster", "") == -1);	/* a bare number */
	n = tap_read_file("/proc/sys/vm/page-cluster", buf, sizeof(buf) - 1);
	CHECK(n > 1 && buf[0] >= '0' && buf[0] <= '9' && buf[n - 1] == '\n');
	return 0;
}

static int case_pgfault_counts(void)
{
	long before = file_value("/proc/vmstat", "pgfault");
	size_t len = 64 * 4096;
	char *p = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

	CHECK(before >= 0 && p != MAP_FAILED);
	for (size_t off = 0; off < len; off += 4096)
		p[off] = 1;
	/* 64 pages faulted in here alone; other processes only add to it. */
	CHECK(file_value("/proc/vmstat", "pgfault") >= before + 64);
	return 0;
}

static int case_syscall_errors(void)
{
	char path[256];
	int fd;

	CHECK_ERR(swapon("/no/such/file", 0), has_cap(21) ? ENOENT : EPERM);
	if (!has_cap(21)) {
		tap_diag("no CAP_SYS_ADMIN here: only EPERM checked");
		return 0;
	}
	/* A regular file without a swap signature. */
	tap_tmppath(path, sizeof(path), "notswap");
	fd = open(path, O_CREAT | O_RDWR | O_TRUNC, 0600);
	CHECK(fd >= 0);
	for (int i = 0; i < 16; i++)
		CHECK(write(fd, path, 256) == 256);
	close(fd);
	CHECK_ERR(swapon(path, 0), EINVAL);
	CHECK_ERR(swapoff(path), EINVAL);
	CHECK_ERR(swapoff("/"), EISDIR);	/* opened for writing first */
	CHECK_ERR(swapon("/", 0), EISDIR);
	unlink(path);
	/* Not root: EPERM before anything else. */
	if (fork() == 0) {
		if (setuid(OTHER_UID) != 0)
			_exit(2);
		_exit(swapon("/no/such/file", 0) == -1 && errno == EPERM &&
		      swapoff("/") == -1 && errno == EPERM ? 0 : 1);
	}
	int st;

	CHECK(wait(&st) > 0 && WIFEXITED(st) && WEXITSTATUS(st) == 0);
	return 0;
}

int main(void)
{
	tap_plan(3);
	run_case("/proc/swaps, meminfo, vmstat and page-cluster in Linux's formats",
		 case_proc_files);
	run_case("pgfault in /proc/vmstat counts faults", case_pgfault_counts);
	run_case("swapon/swapoff: EPERM, ENOENT, EINVAL for what is not a swap area",
		 case_syscall_errors);
	return tap_done();
}
