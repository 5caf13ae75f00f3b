/*
 * Copy-on-write made visible through /proc (proc(5), Linux's pagemap.rst): after fork a
 * 64 MiB private buffer is Shared_Dirty in both processes and its Pss is half; after the
 * child writes 1 MiB of it, that 1 MiB is Private_Dirty in each. /proc/PID/pagemap shows
 * which frames are shared (same PFN, not exclusive) and which were copied, hides PFNs from
 * non-root, and refuses unaligned reads; /proc/kpagecount counts a shared frame's mappings;
 * minflt in /proc/PID/stat counts each COW fault; /proc/PID/wchan and /proc/PID/stack name
 * do_wait for a process sleeping in waitpid(). Only the test's own mapping is compared, so
 * the rest of the address space (and Linux's other mappings) does not matter; the buffer is
 * 2 MiB-aligned and MADV_NOHUGEPAGE, so Linux's transparent huge pages stay out of it.
 */
#include <tap.h>
#include <sys/mman.h>
#include <sys/prctl.h>

#define PAGE		4096UL
#define BUF_SIZE	(64UL << 20)
#define WRITE_SIZE	(1UL << 20)
#define ALIGN_2M	(2UL << 20)
/* A page the child does not write, in the same 2 MiB as those it does. */
#define SHARED_PAGE	300

#define PM_PRESENT	(1ULL << 63)
#define PM_EXCLUSIVE	(1ULL << 56)
#define PM_PFN		((1ULL << 55) - 1)

static char text[1 << 18];

/* A 2 MiB-aligned private anonymous buffer of BUF_SIZE, every page written. */
static char *make_buffer(void)
{
	char *raw = mmap(NULL, BUF_SIZE + ALIGN_2M, PROT_READ | PROT_WRITE,
			 MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

	if (raw == MAP_FAILED)
		return NULL;
	char *buf = (char *)(((unsigned long)raw + ALIGN_2M - 1) & ~(ALIGN_2M - 1));

	if (buf > raw)
		munmap(raw, buf - raw);
	munmap(buf + BUF_SIZE, raw + ALIGN_2M - buf);
	madvise(buf, BUF_SIZE, MADV_NOHUGEPAGE);	/* EINVAL where there is no THP */
	memset(buf, 1, BUF_SIZE);
	return buf;
}

/* The next line of @l, or NULL at the end. */
static char *next_line(char *l)
{
	char *nl = strchr(l, '\n');

	return nl && nl[1] ? nl + 1 : NULL;
}

/* A field (kB) of the smaps entry of the mapping that starts at @start in @file; -1 if none. */
static long smaps_field(const char *file, void *start, const char *field)
{
	char head[32];
	size_t flen = strlen(field);
	ssize_t n = tap_read_file(file, text, sizeof(text) - 1);

	if (n <= 0)
		return -1;
	text[n] = 0;
	snprintf(head, sizeof(head), "%lx-", (unsigned long)start);
	for (char *l = text; l; l = next_line(l)) {
		if (strncmp(l, head, strlen(head)) != 0)
			continue;
		/* The fields ("Name: value") follow, up to the next mapping's line. */
		for (l = next_line(l); l; l = next_line(l)) {
			size_t tok = strcspn(l, " \n");

			if (tok == 0 || l[tok - 1] != ':')
				break;
			if (tok == flen + 1 && !strncmp(l, field, flen))
				return atol(l + tok);
		}
		return -1;
	}
	return -1;
}

/* The wanted figures (kB) of the buffer's smaps entry; counts a CHECK for each. */
static void expect_smaps(void *buf, long rss, long pss, long shared_dirty, long private_dirty)
{
	char file[64];

	snprintf(file, sizeof(file), "/proc/%d/smaps", (int)getpid());
	CHECK_EQ(smaps_field(file, buf, "Size"), (long)(BUF_SIZE >> 10));
	CHECK_EQ(smaps_field(file, buf, "Rss"), rss);
	CHECK_EQ(smaps_field(file, buf, "Pss"), pss);
	CHECK_EQ(smaps_field(file, buf, "Shared_Clean"), 0);
	CHECK_EQ(smaps_field(file, buf, "Shared_Dirty"), shared_dirty);
	CHECK_EQ(smaps_field(file, buf, "Private_Clean"), 0);
	CHECK_EQ(smaps_field(file, buf, "Private_Dirty"), private_dirty);
	CHECK_EQ(smaps_field(file, buf, "Anonymous"), rss);
	CHECK_EQ(smaps_field(file, buf, "Swap"), 0);
}

/* pagemap entry of @addr in /proc/self/pagemap; 0 on error (never a valid present entry). */
static unsigned long long pagemap_entry(void *addr)
{
	unsigned long long e = 0;
	int fd = open("/proc/self/pagemap", O_RDONLY);

	if (fd < 0)
		return 0;
	if (pread(fd, &e, 8, (off_t)((unsigned long)addr / PAGE * 8)) != 8)
		e = 0;
	close(fd);
	return e;
}

/* Child/parent hand-shake: one byte each way. */
static int to_child[2], to_parent[2];

static bool handshake_send(int fd, const void *data, size_t len)
{
	return write(fd, data, len) == (ssize_t)len;
}

static bool handshake_recv(int fd, void *data, size_t len)
{
	return read(fd, data, len) == (ssize_t)len;
}

struct child_report {
	int failed;		/* CHECKs that failed in the child */
	unsigned long long pm_written, pm_shared;
};

/*
 * The fork scenario. Before the child writes: both see BUF_SIZE Shared_Dirty, Pss half.
 * After it writes WRITE_SIZE: WRITE_SIZE Private_Dirty in each, the rest Shared_Dirty.
 */
static int fork_then_write(void)
{
	char *buf = make_buffer();
	long all = BUF_SIZE >> 10, w = WRITE_SIZE >> 10;
	struct child_report rep = { 0 };
	char go = 'g';

	if (!CHECK(buf != NULL) || !CHECK(pipe(to_child) == 0) || !CHECK(pipe(to_parent) == 0))
		return 1;
	expect_smaps(buf, all, all, 0, all);
	pid_t pid = fork();

	if (pid == 0) {
		expect_smaps(buf, all, all / 2, all, 0);
		handshake_send(to_parent[1], &go, 1);
		handshake_recv(to_child[0], &go, 1);	/* the parent has looked */
		for (unsigned long off = 0; off < WRITE_SIZE; off += PAGE)
			buf[off] = 2;
		expect_smaps(buf, all, (all - w) / 2 + w, all - w, w);
		rep.pm_written = pagemap_entry(buf);
		rep.pm_shared = pagemap_entry(buf + SHARED_PAGE * PAGE);
		rep.failed = tap_case_failed;
		handshake_send(to_parent[1], &rep, sizeof(rep));
		handshake_recv(to_child[0], &go, 1);	/* stay until the parent has looked */
		_exit(0);
	}
	if (!CHECK(pid > 0) || !CHECK(handshake_recv(to_parent[0], &go, 1)))
		return 1;
	expect_smaps(buf, all, all / 2, all, 0);
	handshake_send(to_child[1], &go, 1);
	if (!CHECK(handshake_recv(to_parent[0], &rep, sizeof(rep))))
		return 1;
	CHECK_EQ(rep.failed, 0);
	expect_smaps(buf, all, (all - w) / 2 + w, all - w, w);

	/* pagemap: the written page was copied (another frame, exclusive in both); the page
	 * the child did not write is one frame, shared. PFNs are shown to root. */
	unsigned long long mine_w = pagemap_entry(buf);
	unsigned long long mine_s = pagemap_entry(buf + SHARED_PAGE * PAGE);

	CHECK(mine_w & PM_PRESENT);
	CHECK(mine_s & PM_PRESENT);
	CHECK(rep.pm_written & PM_PRESENT);
	CHECK(mine_w & PM_EXCLUSIVE);
	CHECK(rep.pm_written & PM_EXCLUSIVE);
	CHECK(!(mine_s & PM_EXCLUSIVE));
	CHECK(!(rep.pm_shared & PM_EXCLUSIVE));
	if (geteuid() == 0) {
		CHECK((mine_w & PM_PFN) != 0);
		CHECK((mine_w & PM_PFN) != (rep.pm_written & PM_PFN));
		CHECK_EQ(mine_s & PM_PFN, rep.pm_shared & PM_PFN);

		/* kpagecount: the shared frame is mapped twice, the copied one once. */
		unsigned long long cnt = 0;
		int fd = open("/proc/kpagecount", O_RDONLY);

		if (CHECK(fd >= 0)) {
			CHECK(pread(fd, &cnt, 8, (off_t)((mine_s & PM_PFN) * 8)) == 8);
			CHECK_EQ(cnt, 2);
			CHECK(pread(fd, &cnt, 8, (off_t)((mine_w & PM_PFN) * 8)) == 8);
			CHECK_EQ(cnt, 1);
			close(fd);
		}
	}
	handshake_send(to_child[1], &go, 1);
	CHECK_EQ(tap_wait_bounded(pid, 30), 0);
	/* The child is gone: the whole buffer is ours alone again. */
	expect_smaps(buf, all, all, 0, all);
	return 0;
}

/* smaps_rollup adds up every mapping of smaps. */
static int rollup_sums_smaps(void)
{
	static char sm[1 << 18];
	char *buf = make_buffer();
	long rss = 0, anon = 0, roll_rss = -1, roll_anon = -1;

	if (!CHECK(buf != NULL))
		return 1;
	/* Read twice so the reading itself has faulted in what it needs. */
	for (int i = 0; i < 2; i++) {
		ssize_t n = tap_read_file("/proc/self/smaps", sm, sizeof(sm) - 1);
		ssize_t m = tap_read_file("/proc/self/smaps_rollup", text, sizeof(text) - 1);

		if (!CHECK(n > 0) || !CHECK(m > 0))
			return 1;
		sm[n] = text[m] = 0;
	}
	for (char *l = sm; l; l = next_line(l)) {
		if (!strncmp(l, "Rss:", 4))
			rss += atol(l + 4);
		if (!strncmp(l, "Anonymous:", 10))
			anon += atol(l + 10);
	}
	for (char *l = text; l; l = next_line(l)) {
		if (!strncmp(l, "Rss:", 4))
			roll_rss = atol(l + 4);
		if (!strncmp(l, "Anonymous:", 10))
			roll_anon = atol(l + 10);
	}
	CHECK(strstr(text, "[rollup]") != NULL);
	CHECK(rss >= (long)(BUF_SIZE >> 10));
	CHECK_EQ(roll_rss, rss);
	CHECK_EQ(roll_anon, anon);
	return 0;
}

/* pagemap: whole entries at aligned offsets only; PFNs hidden from non-root. */
static int pagemap_rules(void)
{
	char *p = mmap(NULL, PAGE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	unsigned long long e[2];
	int fd = open("/proc/self/pagemap", O_RDONLY);

	if (!CHECK(p != MAP_FAILED) || !CHECK(fd >= 0))
		return 1;
	CHECK_EQ(pagemap_entry(p) & PM_PRESENT, 0);	/* not touched yet */
	p[0] = 1;
	CHECK(pagemap_entry(p) & PM_PRESENT);
	CHECK(pagemap_entry(p) & PM_EXCLUSIVE);
	CHECK_ERR(pread(fd, e, 8, (off_t)((unsigned long)p / PAGE * 8 + 4)), EINVAL);
	CHECK_ERR(pread(fd, e, 12, (off_t)((unsigned long)p / PAGE * 8)), EINVAL);
	CHECK_EQ(pread(fd, e, 16, (off_t)((unsigned long)p / PAGE * 8)), 16);
	close(fd);
	if (geteuid() != 0) {
		tap_diag("not root: cannot drop privileges to check the hidden PFN");
		return TAP_SKIP_STATUS;
	}
	CHECK((pagemap_entry(p) & PM_PFN) != 0);
	if (!CHECK(setgid(65534) == 0) || !CHECK(setuid(65534) == 0))
		return 1;
	/* The id change made us non-dumpable (our /proc files root's); undo that. */
	CHECK(prctl(PR_SET_DUMPABLE, 1) == 0);
	unsigned long long ent = pagemap_entry(p);

	CHECK(ent & PM_PRESENT);
	CHECK_EQ(ent & PM_PFN, 0);
	CHECK_ERR(open("/proc/kpagecount", O_RDONLY), EACCES);
	return 0;
}

/* minflt in /proc/self/stat (field 10) counts one fault per COW break. */
static long minflt_self(void)
{
	ssize_t n = tap_read_file("/proc/self/stat", text, sizeof(text) - 1);
	char *p;
	long v = -1;

	if (n <= 0)
		return -1;
	text[n] = 0;
	p = strrchr(text, ')');
	if (!p || sscanf(p + 2, "%*c %*d %*d %*d %*d %*d %*u %ld", &v) != 1)
		return -1;
	return v;
}

static int minflt_counts_cow(void)
{
	enum { PAGES = 64 };
	char *buf = mmap(NULL, PAGES * PAGE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS,
			 -1, 0);

	if (!CHECK(buf != MAP_FAILED))
		return 1;
	memset(buf, 1, PAGES * PAGE);
	pid_t pid = fork();

	if (pid == 0) {
		long before = minflt_self();

		before = minflt_self();	/* the first call may fault itself in */
		for (int i = 0; i < PAGES; i++)
			buf[i * PAGE] = 2;
		long after = minflt_self();

		_exit(before >= 0 && after - before == PAGES ? 0 : 1);
	}
	if (!CHECK(pid > 0))
		return 1;
	CHECK_EQ(tap_wait_bounded(pid, 30), 0);
	return 0;
}

/* wchan and stack of a process sleeping in waitpid() name do_wait. */
static int wchan_names_do_wait(void)
{
	int p[2];
	char c;

	if (!CHECK(pipe(p) == 0))
		return 1;
	pid_t pid = fork();

	if (pid == 0) {
		close(p[1]);
		pid_t g = fork();

		if (g == 0) {
			read(p[0], &c, 1);	/* until the test is done */
			_exit(0);
		}
		waitpid(g, NULL, 0);
		_exit(0);
	}
	if (!CHECK(pid > 0))
		return 1;
	char file[64], w[64] = "";
	ssize_t n = 0;

	/* Until the child has gone to sleep in waitpid(). */
	snprintf(file, sizeof(file), "/proc/%d/wchan", (int)pid);
	for (int i = 0; i < 500; i++) {
		n = tap_read_file(file, w, sizeof(w) - 1);
		w[n > 0 ? n : 0] = 0;
		if (!strcmp(w, "do_wait"))
			break;
		tap_sleep_ms(10);
	}
	CHECK(!strcmp(w, "do_wait"));
	if (geteuid() == 0) {
		snprintf(file, sizeof(file), "/proc/%d/stack", (int)pid);
		n = tap_read_file(file, text, sizeof(text) - 1);
		if (CHECK(n > 0)) {
			text[n] = 0;
			CHECK(strstr(text, "] do_wait+0x") != NULL);
		}
	}
	/* Our own wchan while running is "0". */
	n = tap_read_file("/proc/self/wchan", w, sizeof(w) - 1);
	w[n > 0 ? n : 0] = 0;
	CHECK(!strcmp(w, "0"));
	close(p[1]);
	CHECK_EQ(tap_wait_bounded(pid, 30), 0);
	return 0;
}

int main(void)
{
	tap_plan(5);
	run_case("smaps: fork shares a 64 MiB buffer, a 1 MiB write makes it private in both",
		 fork_then_write);
	run_case("smaps_rollup: the sums of smaps", rollup_sums_smaps);
	run_case("pagemap: aligned whole entries, PFN hidden from non-root", pagemap_rules);
	run_case("stat: minflt counts each copy-on-write fault", minflt_counts_cow);
	run_case("wchan and stack: a waitpid() sleeper is in do_wait", wchan_names_do_wait);
	return tap_done();
}
