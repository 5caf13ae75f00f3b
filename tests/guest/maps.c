/*
 * Memory-map details that programs written for Linux rely on (mmap(2), proc(5)):
 * the vm.max_map_count limit (65530 mappings, then ENOMEM, reached in seconds),
 * MAP_GROWSDOWN mappings that grow on a fault just below them within RLIMIT_STACK and the
 * stack guard gap, and remap_file_pages(2) as Linux emulates it (a shared file mapping whose
 * pages show other file pages).
 */
#include <tap.h>
#include <sys/syscall.h>

#define PAGE		4096UL
#define GUARD_GAP	(256 * PAGE)	/* Linux's stack_guard_gap default */

/* vm.max_map_count: /proc/sys/vm/max_map_count where it exists, else Linux's default. */
static long max_map_count(void)
{
	char buf[32];
	ssize_t n = tap_read_file("/proc/sys/vm/max_map_count", buf, sizeof(buf) - 1);

	if (n <= 0)
		return 65530;
	buf[n] = 0;
	return atol(buf);
}

/* Mappings the process holds now (lines of /proc/self/maps). */
static long maps_lines(void)
{
	static char buf[1 << 16];
	ssize_t n = tap_read_file("/proc/self/maps", buf, sizeof(buf));
	long lines = 0;

	for (ssize_t i = 0; i < n; i++)
		lines += buf[i] == '\n';
	return lines;
}

/* Page-sized mappings with alternating protection (so none merge) until mmap fails. */
static int max_map_count_enforced(void)
{
	long limit = max_map_count(), before = maps_lines(), count = 0;
	long long t0 = tap_now_ms();
	char *p, *last = NULL, *prev = NULL;
	char *m3 = mmap(NULL, 3 * PAGE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

	if (!CHECK(limit > 0 && limit <= 1000000) || !CHECK(before > 0) ||
	    !CHECK(m3 != MAP_FAILED))
		return 1;
	before++;
	for (;;) {
		p = mmap(NULL, PAGE, (count & 1) ? PROT_READ : PROT_NONE,
			 MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
		if (p == MAP_FAILED)
			break;
		prev = last;
		last = p;
		count++;
		if (!CHECK(count <= limit + 1))
			return 1;
	}
	CHECK_EQ(errno, ENOMEM);
	/* Linux refuses a new mapping once the count is above the limit, so the process ends
	 * with limit + 1 mappings (/proc/self/maps may show one more: [vsyscall]). */
	long total = count + before;

	if (!CHECK(total >= limit && total <= limit + 2))
		tap_diag("%ld mappings before, %ld made, limit %ld", before, count, limit);
	/* Splitting a mapping (munmap of its middle) needs one more VMA: refused while the count
	 * is at the limit, done once two mappings are gone. */
	CHECK_ERR(munmap(m3 + PAGE, PAGE), ENOMEM);
	CHECK_EQ(munmap(last, PAGE), 0);
	CHECK_EQ(munmap(prev, PAGE), 0);
	CHECK_EQ(munmap(m3 + PAGE, PAGE), 0);
	long long ms = tap_now_ms() - t0;

	if (!CHECK(ms < 20000))
		tap_diag("mapping to the limit took %lld ms", ms);
	return 0;
}

/*
 * A MAP_GROWSDOWN mapping @len bytes long placed with 16 MiB of free space below it (a
 * PROT_NONE reservation that is then given back), so nothing accessible lies within the guard
 * gap. Returns its start or NULL.
 */
static char *growsdown_map(size_t len)
{
	size_t room = 16UL << 20;
	char *r = mmap(NULL, room + len, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	char *g;

	if (!CHECK(r != MAP_FAILED))
		return NULL;
	g = mmap(r + room, len, PROT_READ | PROT_WRITE,
		 MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED | MAP_GROWSDOWN, -1, 0);
	if (!CHECK(g == r + room))
		return NULL;
	CHECK_EQ(munmap(r, room), 0);
	return g;
}

/* The start of the /proc/self/maps line that contains @addr, or 0. */
static unsigned long maps_start_of(const void *addr)
{
	static char buf[1 << 16];
	ssize_t n = tap_read_file("/proc/self/maps", buf, sizeof(buf) - 1);
	unsigned long a = (unsigned long)addr;

	if (n <= 0)
		return 0;
	buf[n] = 0;
	for (char *line = buf; line && *line;) {
		unsigned long s, e;

		if (sscanf(line, "%lx-%lx", &s, &e) == 2 && s <= a && a < e)
			return s;
		line = strchr(line, '\n');
		if (line)
			line++;
	}
	return 0;
}

static int growsdown_grows(void)
{
	char *g = growsdown_map(4 * PAGE);

	if (!g)
		return 1;
	g[0] = 1;
	/* The page just below, then one 64 KiB further down: each fault extends the mapping. */
	g[-1] = 2;
	CHECK_EQ(g[-1], 2);
	CHECK_EQ(maps_start_of(g), (unsigned long)(g - PAGE));
	g[-(long)(16 * PAGE)] = 3;
	CHECK_EQ(g[-(long)(16 * PAGE)], 3);
	CHECK_EQ(maps_start_of(g), (unsigned long)(g - 16 * PAGE));
	CHECK_EQ(g[-(long)(8 * PAGE)], 0);	/* filled in between, demand-zero */
	return 0;
}

/* Which touch a child has reached: a SIGSEGV handler reports it as exit status 10 + stage. */
static volatile sig_atomic_t stage;

static void segv_exit(int sig)
{
	(void)sig;
	_exit(10 + stage);
}

/* Run @fn in a child with segv_exit() as its SIGSEGV handler; return its wait status. */
static int child_status(void (*fn)(void))
{
	int status = -1;
	pid_t pid;

	fflush(NULL);
	pid = fork();
	if (pid == 0) {
		struct sigaction sa = { .sa_handler = segv_exit };

		sigaction(SIGSEGV, &sa, NULL);
		fn();
		_exit(0);
	}
	if (!CHECK(pid > 0) || !CHECK(waitpid(pid, &status, 0) == pid))
		return -1;
	return status;
}

static void touch_past_rlimit(void)
{
	struct rlimit rl = { 256 * 1024, 256 * 1024 };
	volatile char *g = growsdown_map(PAGE);	/* volatile: the touches stay between stages */

	if (!g || setrlimit(RLIMIT_STACK, &rl))
		_exit(2);
	stage = 1;
	g[-(long)(62 * PAGE)] = 1;	/* 63 pages of 64: within */
	stage = 2;
	g[-(long)(64 * PAGE)] = 1;	/* 65 pages = 260 KiB > 256 KiB: SIGSEGV */
	_exit(3);
}

static void touch_into_guard_gap(void)
{
	volatile char *g = growsdown_map(PAGE);
	char *blocker = (char *)g - GUARD_GAP - 2 * PAGE;

	if (!g)
		_exit(2);
	/* An accessible page ending exactly one guard gap below g - PAGE. */
	if (mmap(blocker, PAGE, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0) !=
	    blocker)
		_exit(4);
	stage = 1;
	g[-1] = 1;			/* leaves exactly the gap: allowed */
	stage = 2;
	g[-(long)PAGE - 1] = 1;		/* one page into the gap: SIGSEGV */
	_exit(3);
}

static int growsdown_limits(void)
{
	int st = child_status(touch_past_rlimit);

	if (!CHECK(WIFEXITED(st) && WEXITSTATUS(st) == 12))
		tap_diag("past RLIMIT_STACK: status 0x%x (want exit 12: SIGSEGV at stage 2)", st);
	st = child_status(touch_into_guard_gap);
	if (!CHECK(WIFEXITED(st) && WEXITSTATUS(st) == 12))
		tap_diag("into the guard gap: status 0x%x (want exit 12: SIGSEGV at stage 2)", st);
	return 0;
}

/* A "Name:   N kB" field of /proc/self/status, in kB; -1 if missing. */
static long status_kb(const char *name)
{
	static char buf[4096];
	ssize_t n = tap_read_file("/proc/self/status", buf, sizeof(buf) - 1);
	size_t len = strlen(name);

	if (n <= 0)
		return -1;
	buf[n] = 0;
	for (char *l = buf; l; l = strchr(l, '\n') ? strchr(l, '\n') + 1 : NULL)
		if (!strncmp(l, name, len) && l[len] == ':')
			return atol(l + len + 1);
	return -1;
}

/* Touch a 2 MiB frame of stack from its far end; returns VmStk while it is there. */
static __attribute__((noinline)) long deep_frame(void)
{
	volatile char frame[2 << 20];

	frame[0] = 1;
	frame[sizeof(frame) - 1] = 1;
	return status_kb("VmStk") + frame[0] - 1;
}

static int main_stack_grows(void)
{
	long before = status_kb("VmStk"), during;

	/* The main stack starts small and grows as it is used, up to RLIMIT_STACK (8 MiB). */
	if (!CHECK(before > 0 && before < 1024))
		tap_diag("VmStk %ld kB at the start", before);
	during = deep_frame();
	if (!CHECK(during >= 2048 && during <= 8192))
		tap_diag("VmStk %ld kB with a 2 MiB frame", during);
	return 0;
}

/* A file of @pages pages, page i filled with the byte 'A' + i; returns an fd open O_RDWR. */
static int pattern_file(int pages)
{
	char path[256], buf[PAGE];
	int fd;

	tap_tmppath(path, sizeof(path), "remap");
	fd = open(path, O_CREAT | O_RDWR | O_TRUNC, 0600);
	if (!CHECK(fd >= 0))
		return -1;
	unlink(path);
	for (int i = 0; i < pages; i++) {
		memset(buf, 'A' + i, sizeof(buf));
		if (!CHECK(write(fd, buf, sizeof(buf)) == (ssize_t)sizeof(buf)))
			return -1;
	}
	return fd;
}

static int remap_file_pages_rearranges(void)
{
	int fd = pattern_file(4);
	char *m, c;

	if (fd < 0)
		return 1;
	m = mmap(NULL, 4 * PAGE, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	if (!CHECK(m != MAP_FAILED))
		return 1;
	/* Page 0 of the mapping now shows file page 3, pages 1-2 show file pages 0-1. */
	CHECK_EQ(syscall(SYS_remap_file_pages, m, PAGE, 0, 3, 0), 0);
	CHECK_EQ(syscall(SYS_remap_file_pages, m + PAGE, 2 * PAGE, 0, 0, 0), 0);
	CHECK_EQ(m[0], 'D');
	CHECK_EQ(m[PAGE], 'A');
	CHECK_EQ(m[2 * PAGE + 5], 'B');
	CHECK_EQ(m[3 * PAGE], 'D');
	/* Writes go to the file page shown. */
	m[10] = 'x';
	CHECK_EQ(pread(fd, &c, 1, 3 * PAGE + 10), 1);
	CHECK_EQ(c, 'x');
	CHECK_EQ(m[3 * PAGE + 10], 'x');
	/* Linux's errors: prot must be 0, and the range one shared mapping. */
	CHECK_ERR(syscall(SYS_remap_file_pages, m, PAGE, PROT_READ, 1, 0), EINVAL);
	char *priv = mmap(NULL, 2 * PAGE, PROT_READ, MAP_PRIVATE, fd, 0);

	if (CHECK(priv != MAP_FAILED))
		CHECK_ERR(syscall(SYS_remap_file_pages, priv, PAGE, 0, 1, 0), EINVAL);
	/* The range must lie inside one mapping. */
	CHECK_ERR(syscall(SYS_remap_file_pages, m + 3 * PAGE, 2 * PAGE, 0, 0, 0), EINVAL);
	return 0;
}

int main(void)
{
	tap_plan(5);
	run_case("vm.max_map_count: mmap until ENOMEM stops at the limit, in seconds",
		 max_map_count_enforced);
	run_case("MAP_GROWSDOWN: a fault below the mapping extends it", growsdown_grows);
	run_case("MAP_GROWSDOWN: not past RLIMIT_STACK nor into the guard gap (SIGSEGV)",
		 growsdown_limits);
	run_case("the main stack starts small and grows on demand (VmStk)", main_stack_grows);
	run_case("remap_file_pages: shared file mapping shows other file pages",
		 remap_file_pages_rearranges);
	return tap_done();
}
