/*
 * Swap on a small machine: tools/test.py boots this with --mem 48M --swap 256M (a scratch
 * disk the kernel formats and enables at boot, swap=/dev/vda) and expects exit 0.
 *   - 4x the machine's RAM is written with a pattern and read back intact, and
 *     /proc/vmstat counts pages out and in; VmSwap shows the process's swapped pages;
 *   - pages shared copy-on-write by a parent and child survive swap-out and swap-in, and
 *     each then sees its own writes only;
 *   - fork of a process with most of its memory swapped out: the child sees it all;
 *   - MAP_SHARED memory written by a child survives the pressure, seen by the parent;
 *   - swapoff brings every page back (the data intact, /proc/swaps empty), swapon again;
 *   - at the end the free swap and (nearly) the free memory are back at their start.
 * Sprout only (it needs the scratch disk): elsewhere it refuses with 77.
 * `swap soak SECONDS [WORKERS]` is make soak's memory-pressure mode (tools/soak.sh swap): WORKERS
 * processes (2) repeat the first four parts at once until the time is up, then swapoff/swapon
 * runs and the same end checks apply.
 */
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/swap.h>
#include <sys/sysinfo.h>
#include <sys/utsname.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define PAGE	4096UL
#define MiB	(1UL << 20)

static int failures;
static char report[4096];	/* the failures, printed together at the end */

#define EXPECT(cond, ...) do { \
	if (!(cond)) { \
		size_t n_ = strlen(report); \
		n_ += snprintf(report + n_, sizeof(report) - n_, "swap: FAIL line %d: ", __LINE__); \
		if (n_ < sizeof(report)) \
			n_ += snprintf(report + n_, sizeof(report) - n_, __VA_ARGS__); \
		if (n_ < sizeof(report) - 1) \
			strcat(report, "\n"); \
		failures++; \
	} \
} while (0)

/* The value of @key in /proc/@file ("pswpout" in vmstat, "VmSwap:" in self/status). */
static long proc_value(const char *file, const char *key)
{
	char path[64], line[256];
	size_t n = strlen(key);
	long v = -1;
	FILE *f;

	snprintf(path, sizeof(path), "/proc/%s", file);
	f = fopen(path, "r");
	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f))
		if (!strncmp(line, key, n) && (line[n] == ' ' || line[n] == '\t' || line[n] == ':'))
			v = strtol(line + n + 1, NULL, 10);
	fclose(f);
	return v;
}

static unsigned long free_pages(void)
{
	struct sysinfo si;

	sysinfo(&si);
	return si.freeram * si.mem_unit / PAGE;
}

static unsigned long free_swap_pages(void)
{
	struct sysinfo si;

	sysinfo(&si);
	return si.freeswap * si.mem_unit / PAGE;
}

static unsigned long ram_pages(void)
{
	struct sysinfo si;

	sysinfo(&si);
	return si.totalram * si.mem_unit / PAGE;
}

static char *map_anon(unsigned long bytes, bool shared)
{
	char *p = mmap(NULL, bytes, PROT_READ | PROT_WRITE,
		       (shared ? MAP_SHARED : MAP_PRIVATE) | MAP_ANONYMOUS, -1, 0);

	if (p == MAP_FAILED) {
		perror("swap: mmap");
		exit(1);
	}
	return p;
}

/* One word per page: @seed mixed with the page number. */
static void fill(char *p, unsigned long bytes, unsigned long seed)
{
	for (unsigned long off = 0; off < bytes; off += PAGE)
		*(unsigned long *)(p + off) = (off / PAGE) * 2654435761UL ^ seed;
}

/* The pages of [@from, @to) whose word is not what fill(@p, ..., @seed) wrote. */
static unsigned long check_range(const char *p, unsigned long from, unsigned long to,
				 unsigned long seed)
{
	unsigned long bad = 0;

	for (unsigned long off = from; off < to; off += PAGE)
		bad += *(const unsigned long *)(p + off) != ((off / PAGE) * 2654435761UL ^ seed);
	return bad;
}

static unsigned long check(const char *p, unsigned long bytes, unsigned long seed)
{
	return check_range(p, 0, bytes, seed);
}

/* Touch @bytes of fresh memory once (pushes others out), then let it go. */
static void pressure(unsigned long bytes)
{
	char *h = map_anon(bytes, false);

	fill(h, bytes, 7);
	munmap(h, bytes);
}

static void big_working_set(void)
{
	unsigned long bytes = ram_pages() * PAGE * 4;
	long out0 = proc_value("vmstat", "pswpout"), in0 = proc_value("vmstat", "pswpin");
	char *p = map_anon(bytes, false);
	long swapped_kb;

	fill(p, bytes, 1);
	swapped_kb = proc_value("self/status", "VmSwap");
	EXPECT(check(p, bytes, 1) == 0, "%lu MiB: pages differ after swap", bytes / MiB);
	EXPECT(proc_value("vmstat", "pswpout") > out0, "pswpout did not grow");
	EXPECT(proc_value("vmstat", "pswpin") > in0, "pswpin did not grow");
	EXPECT(swapped_kb > 0, "VmSwap %ld kB after writing 4x RAM", swapped_kb);
	munmap(p, bytes);
	printf("swap: %lu MiB written and read back (VmSwap reached %ld kB)\n", bytes / MiB,
	       swapped_kb);
}

static void cow_across_swap(void)
{
	unsigned long bytes = ram_pages() / 4 * 2 * PAGE;	/* two whole halves */
	char *p = map_anon(bytes, false);
	int st;
	pid_t pid;

	fill(p, bytes, 2);
	pid = fork();
	if (pid == 0) {
		pressure(ram_pages() * PAGE * 2);	/* the shared pages go out */
		if (check(p, bytes, 2))
			_exit(1);
		fill(p, bytes / 2, 3);			/* the child's own copy of half */
		pressure(ram_pages() * PAGE * 2);
		unsigned long own = check(p, bytes / 2, 3), other = check_range(p, bytes / 2, bytes, 2);

		if (own || other)
			printf("swap: child: %lu of its own pages and %lu shared ones differ\n", own,
			       other);
		_exit(own || other ? 2 : 0);
	}
	waitpid(pid, &st, 0);
	EXPECT(WIFEXITED(st) && WEXITSTATUS(st) == 0, "COW child status 0x%x", st);
	EXPECT(check(p, bytes, 2) == 0, "the parent sees the child's writes or lost pages");
	munmap(p, bytes);
	printf("swap: copy-on-write pages kept apart across swap-out and swap-in\n");
}

static void fork_swapped(void)
{
	unsigned long bytes = ram_pages() * PAGE * 2;
	char *p = map_anon(bytes, false);
	int st;
	pid_t pid;

	fill(p, bytes, 4);			/* most of it is on disk now */
	pid = fork();
	if (pid == 0)
		_exit(check(p, bytes, 4) ? 1 : 0);
	waitpid(pid, &st, 0);
	EXPECT(WIFEXITED(st) && WEXITSTATUS(st) == 0, "child of a swapped process: 0x%x", st);
	EXPECT(check(p, bytes, 4) == 0, "the parent lost pages after its child ran");
	munmap(p, bytes);
	printf("swap: fork of a swapped-out process sees all its memory\n");
}

static void shared_survives(void)
{
	unsigned long bytes = 4 * MiB;
	char *s = map_anon(bytes, true);
	int st;
	pid_t pid = fork();

	if (pid == 0) {
		fill(s, bytes, 5);
		_exit(0);
	}
	waitpid(pid, &st, 0);
	pressure(ram_pages() * PAGE * 2);
	EXPECT(check(s, bytes, 5) == 0, "MAP_SHARED pages lost under pressure");
	munmap(s, bytes);
	printf("swap: MAP_SHARED memory survives the pressure\n");
}

/* The text of /proc/swaps. */
static void read_swaps(char *buf, size_t size)
{
	FILE *f = fopen("/proc/swaps", "r");
	size_t n = f ? fread(buf, 1, size - 1, f) : 0;

	buf[n] = '\0';
	if (f)
		fclose(f);
}

static void swapoff_brings_back(void)
{
	unsigned long big = ram_pages() * PAGE * 3 / 2, bytes = ram_pages() * PAGE / 2;
	char *p = map_anon(big, false);
	char buf[512];

	/* More than fits in memory cannot come back: ENOMEM, the area stays. */
	fill(p, big, 6);
	EXPECT(swapoff("/dev/vda") == -1 && errno == ENOMEM, "swapoff of too much: %s",
	       strerror(errno));
	read_swaps(buf, sizeof(buf));
	EXPECT(strstr(buf, "/dev/vda"), "/proc/swaps lost the disk after ENOMEM:\n%s", buf);
	EXPECT(check(p, big, 6) == 0, "pages differ after a failed swapoff");
	munmap(p, big);

	p = map_anon(bytes, false);
	fill(p, bytes, 8);
	pressure(ram_pages() * PAGE * 2);	/* p goes out */
	EXPECT(proc_value("self/status", "VmSwap") > 0, "nothing swapped before swapoff");
	EXPECT(swapoff("/dev/vda") == 0, "swapoff: %s", strerror(errno));
	EXPECT(proc_value("self/status", "VmSwap") == 0, "VmSwap %ld kB after swapoff",
	       proc_value("self/status", "VmSwap"));
	EXPECT(check(p, bytes, 8) == 0, "pages differ after swapoff");
	read_swaps(buf, sizeof(buf));
	EXPECT(!strstr(buf, "/dev/vda"), "/proc/swaps still lists the disk:\n%s", buf);
	EXPECT(swapoff("/dev/vda") == -1 && errno == EINVAL, "second swapoff: %s",
	       strerror(errno));
	munmap(p, bytes);
	EXPECT(swapon("/dev/vda", 0) == 0, "swapon again: %s", strerror(errno));
	printf("swap: swapoff brought every page back (ENOMEM when they do not fit); "
	       "swapon again\n");
}

/* Soak: @workers processes repeat parts b c f s until @secs have passed. */
static void soak(long secs, int workers)
{
	time_t end = time(NULL) + secs;
	int st, rounds_failed = 0;

	for (int w = 0; w < workers; w++) {
		if (fork() == 0) {
			long rounds = 0;

			while (time(NULL) < end && !failures) {
				big_working_set();
				cow_across_swap();
				fork_swapped();
				shared_survives();
				rounds++;
			}
			fputs(report, stdout);
			printf("# soak: worker %d: %ld rounds, %s\n", w, rounds,
			       failures ? "FAILED" : "clean");
			_exit(failures ? 1 : 0);
		}
	}
	while (wait(&st) > 0)
		rounds_failed += !(WIFEXITED(st) && WEXITSTATUS(st) == 0);
	EXPECT(!rounds_failed, "%d soak workers failed", rounds_failed);
}

/* Which parts run: all, or those whose letters are in argv[1] (b c f s o). */
static const char *parts = "bcfso";

int main(int argc, char **argv)
{
	struct utsname u;
	unsigned long free0, swap0;

	setvbuf(stdout, NULL, _IONBF, 0);
	if (uname(&u) != 0 || strcmp(u.sysname, "Sprout") != 0) {
		printf("swap: skipped on %s: it needs Sprout's scratch swap disk\n", u.sysname);
		return 77;
	}
	/* kswapd0 enables the disk as it starts: wait for it a little. */
	for (int i = 0; i < 50 && free_swap_pages() == 0; i++)
		usleep(100000);
	swap0 = free_swap_pages();
	free0 = free_pages();
	if (!swap0) {
		printf("swap: no swap space: was the machine booted with --swap?\n");
		return 1;
	}
	printf("swap: %lu MiB RAM, %lu MiB swap\n", ram_pages() * PAGE / MiB, swap0 * PAGE / MiB);
	if (argc > 2 && !strcmp(argv[1], "soak")) {
		soak(atol(argv[2]), argc > 3 ? atoi(argv[3]) : 2);
		parts = "o";
	} else if (argc > 1) {
		parts = argv[1];
	}
	if (strchr(parts, 'b'))
		big_working_set();
	if (strchr(parts, 'c'))
		cow_across_swap();
	if (strchr(parts, 'f'))
		fork_swapped();
	if (strchr(parts, 's'))
		shared_survives();
	if (strchr(parts, 'o'))
		swapoff_brings_back();
	EXPECT(free_swap_pages() == swap0, "free swap %lu pages at the end, %lu at the start",
	       free_swap_pages(), swap0);
	/* Freed pages come back; kernel caches may keep a few. */
	EXPECT(free_pages() + 256 >= free0, "free memory %lu pages at the end, %lu at the start",
	       free_pages(), free0);
	fputs(report, stdout);
	printf("swap: %s\n", failures ? "FAILED" : "all checks passed");
	return failures ? 1 : 0;
}
