/*
 * Large kernel buffers from the kernel mapped area (mm/vmalloc.c). Short of contiguous free
 * frames (under swap pressure), pipe buffers, /proc output buffers and kernel stacks come from
 * memory mapped page by page. /proc/sys/vm/sprout_kvmalloc_contig=0 makes the kernel take that
 * path every time, so each case here runs it on purpose:
 *   - /proc/meminfo has VmallocTotal (the area, 1 GiB) and VmallocUsed, which grows by a
 *     pipe's 64 KiB buffer while the pipe is open and comes back when it is closed;
 *   - a pipe with a 1 MiB buffer carries 8 MiB from a child intact;
 *   - /proc files read the same either way;
 *   - 300 fork + exit + wait cycles, each child on a mapped kernel stack, give exact statuses;
 *   - 20000 pipes made and closed (more slots than may wait for a flush of every CPU's TLB
 *     before they are reused) leave VmallocUsed and free memory where they were.
 * The knob and the figures are Sprout's own; on Linux the cases are skipped.
 */
#include <tap.h>

#define KNOB		"/proc/sys/vm/sprout_kvmalloc_contig"
#define PAGE		4096UL
#define BIG_PIPE	(1UL << 20)
#define STREAM		(8UL << 20)
#define FORKS		300
#define PIPES		20000

/* The number after "@key:" in /proc/meminfo, in kB, or -1. */
static long meminfo_kb(const char *key)
{
	static char buf[8192];
	size_t n = strlen(key);
	ssize_t len = tap_read_file("/proc/meminfo", buf, sizeof(buf) - 1);

	if (len <= 0)
		return -1;
	buf[len] = '\0';
	for (char *line = buf; line; line = strchr(line, '\n') ? strchr(line, '\n') + 1 : NULL)
		if (!strncmp(line, key, n) && line[n] == ':')
			return strtol(line + n + 1, NULL, 10);
	return -1;
}

static bool knob_set(int v)
{
	int fd = open(KNOB, O_WRONLY);
	char c = (char)('0' + v);
	bool ok = fd >= 0 && write(fd, &c, 1) == 1;

	if (fd >= 0)
		close(fd);
	if (!ok)
		tap_diag("writing %d to %s: %s", v, KNOB, strerror(errno));
	return ok;
}

static unsigned long free_pages(void)
{
	struct sysinfo si;

	return sysinfo(&si) == 0 ? si.freeram * si.mem_unit / PAGE : 0;
}

static int case_meminfo(void)
{
	long before, open_kb, after;
	int fds[2];

	CHECK_EQ(meminfo_kb("VmallocTotal"), 1L << 20);
	if (!CHECK(knob_set(0)))
		return 1;
	before = meminfo_kb("VmallocUsed");
	CHECK(pipe(fds) == 0);
	open_kb = meminfo_kb("VmallocUsed");
	close(fds[0]);
	close(fds[1]);
	after = meminfo_kb("VmallocUsed");
	knob_set(1);
	/* The pipe's 64 KiB buffer (its slot table fits in a page, from the heap). */
	CHECK_EQ(open_kb - before, 64);
	CHECK_EQ(after, before);
	return 0;
}

static unsigned char pattern(unsigned long off)
{
	return (unsigned char)((off * 2654435761UL) >> 13);
}

static int case_big_pipe(void)
{
	static unsigned char buf[65536];
	unsigned long got = 0, bad = 0;
	int fds[2], status = -1;
	pid_t pid;

	if (!CHECK(knob_set(0)))
		return 1;
	CHECK(pipe(fds) == 0);
	CHECK_EQ(fcntl(fds[1], F_SETPIPE_SZ, (int)BIG_PIPE), (long long)BIG_PIPE);
	knob_set(1);
	pid = fork();
	if (pid == 0) {
		close(fds[0]);
		for (unsigned long off = 0; off < STREAM; off += sizeof(buf)) {
			for (unsigned long i = 0; i < sizeof(buf); i++)
				buf[i] = pattern(off + i);
			if (write(fds[1], buf, sizeof(buf)) != (ssize_t)sizeof(buf))
				_exit(1);
		}
		_exit(0);
	}
	close(fds[1]);
	for (;;) {
		ssize_t n = read(fds[0], buf, sizeof(buf));

		if (n <= 0)
			break;
		for (ssize_t i = 0; i < n; i++)
			bad += buf[i] != pattern(got + (unsigned long)i);
		got += (unsigned long)n;
	}
	close(fds[0]);
	CHECK(waitpid(pid, &status, 0) == pid);
	CHECK_EQ(status, 0);
	CHECK_EQ(got, STREAM);
	CHECK_EQ(bad, 0);
	return 0;
}

static int case_proc_same(void)
{
	static const char *const files[] = { "/proc/cpuinfo", "/proc/mounts",
					     "/proc/version", "/proc/filesystems" };
	static char a[65536], b[65536];

	for (size_t i = 0; i < sizeof(files) / sizeof(files[0]); i++) {
		ssize_t na = tap_read_file(files[i], a, sizeof(a));
		ssize_t nb;

		if (!CHECK(knob_set(0)))
			return 1;
		nb = tap_read_file(files[i], b, sizeof(b));
		knob_set(1);
		if (!CHECK(na > 0 && na == nb && !memcmp(a, b, (size_t)na)))
			tap_diag("%s: %zd bytes, then %zd from the mapped area", files[i], na, nb);
	}
	return 0;
}

static int case_fork_stacks(void)
{
	long before = meminfo_kb("VmallocUsed");
	int bad = 0;

	if (!CHECK(knob_set(0)))
		return 1;
	for (int i = 0; i < FORKS; i++) {
		int status = -1;
		pid_t pid = fork();

		if (pid == 0)
			_exit(i & 0x7f);
		if (pid < 0 || waitpid(pid, &status, 0) != pid || !WIFEXITED(status) ||
		    WEXITSTATUS(status) != (i & 0x7f))
			bad++;
	}
	knob_set(1);
	CHECK_EQ(bad, 0);
	CHECK_EQ(meminfo_kb("VmallocUsed"), before);
	return 0;
}

static int case_many_pipes(void)
{
	unsigned long free0;
	long used0;
	int fds[2], failed = 0;

	/* Figures read with the knob at 1, so that /proc/meminfo's own buffer is not mapped. */
	if (!CHECK(knob_set(0)))
		return 1;
	for (int i = 0; i < 1000; i++) {	/* warm up: the area's page tables stay */
		if (pipe(fds) == 0) {
			close(fds[0]);
			close(fds[1]);
		}
	}
	knob_set(1);
	used0 = meminfo_kb("VmallocUsed");
	free0 = free_pages();
	if (!CHECK(knob_set(0)))
		return 1;
	for (int i = 0; i < PIPES; i++) {
		if (pipe(fds) != 0) {
			failed++;
			continue;
		}
		close(fds[0]);
		close(fds[1]);
	}
	knob_set(1);
	CHECK_EQ(failed, 0);
	CHECK_EQ(meminfo_kb("VmallocUsed"), used0);
	CHECK_EQ(free_pages(), free0);
	return 0;
}

/* Entry point: runs every case and prints TAP. Returns 0 only if all passed. */
int main(void)
{
	static const struct {
		const char *name;
		int (*fn)(void);
	} cases[] = {
		{ "VmallocUsed counts a pipe buffer from the mapped area", case_meminfo },
		{ "a 1 MiB mapped pipe buffer carries 8 MiB intact", case_big_pipe },
		{ "/proc files read the same from a mapped buffer", case_proc_same },
		{ "300 fork/exit/wait on mapped kernel stacks", case_fork_stacks },
		{ "20000 mapped pipe buffers: slots reused, nothing kept", case_many_pipes },
	};
	bool sprout = tap_on_sprout();

	tap_plan((int)(sizeof(cases) / sizeof(cases[0])));
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		if (sprout)
			run_case(cases[i].name, cases[i].fn);
		else
			tap_skip(cases[i].name, "the kernel mapped area knob is Sprout's");
	}
	if (sprout)
		knob_set(1);
	return tap_done();
}
