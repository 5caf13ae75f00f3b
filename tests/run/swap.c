/*
 * Swap on a small machine: tools/test.py boots this with --mem 48M --swap 256M (a scratch
 * disk the kernel formats and enables at boot, swap=/dev/vda) and expects exit 0.
 *   - 4x the machine's RAM is written with a pattern and read back intact, and
 *     /proc/vmstat counts pages out and in; VmSwap shows the process's swapped pages;
 *   - pages shared copy-on-write by a parent and child survive swap-out and swap-in, and
 *     each then sees its own writes only;
 *   - fork of a process with most of its memory swapped out: the child sees it all;
 *   - pages shared copy-on-write by 12 processes (one leaf page table shared by all) still
 *     go to swap (the children's smaps count them as Swap) and come back intact;
 *   - MAP_SHARED memory written by a child survives the pressure, seen by the parent;
 *   - MAP_SHARED anonymous memory (tmpfs pages, as Linux's shmem) goes to swap itself
 *     (Shmem falls, pswpout grows) and stays shared after it comes back: the parent's and
 *     the child's writes after swap-in meet in one page;
 *   - a tmpfs file of 2x RAM is written and read back with read(2) and through a mapping;
 *   - swapoff brings every page back, a tmpfs file's too (the data intact, /proc/swaps
 *     empty), swapon again;
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
#include <fcntl.h>
#include <sys/mman.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/swap.h>
#include <sys/sysinfo.h>
#include <sys/utsname.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define PAGE	4096UL
#define MiB	(1UL << 20)

static int failures;
static bool soaking;		/* workers run at once: global counters move under a part */
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
	if (!f) {
		printf("swap: %s: %s\n", path, strerror(errno));
		return -1;
	}
	while (fgets(line, sizeof(line), f))
		if (!strncmp(line, key, n) && (line[n] == ' ' || line[n] == '\t' || line[n] == ':'))
			v = strtol(line + n + 1, NULL, 10);
	if (ferror(f))
		printf("swap: reading %s: %s\n", path, strerror(errno));
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

/* The "Swap:" kB of the mapping at @addr in /proc/@pid/smaps, or -1. */
static long smaps_swap_kb(pid_t pid, const void *addr)
{
	char path[64], line[256], start[32];
	bool in = false;
	long v = -1;
	FILE *f;

	snprintf(path, sizeof(path), "/proc/%d/smaps", (int)pid);
	snprintf(start, sizeof(start), "%lx-", (unsigned long)addr);
	f = fopen(path, "r");
	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f)) {
		if (strchr(line, '-') && strchr(line, ' ') > strchr(line, '-') && line[0] != ' ' &&
		    strncmp(line, "Swap", 4))
			in = !strncmp(line, start, strlen(start));
		if (in && !strncmp(line, "Swap:", 5)) {
			v = strtol(line + 5, NULL, 10);
			break;
		}
	}
	fclose(f);
	return v;
}

/* Pages of [@addr, @addr + @bytes) of @pid whose /proc/PID/pagemap entry has the swapped bit
 * (62) and a nonzero slot (bits 5-54; we are root), or -1. */
static long pagemap_swapped(pid_t pid, const void *addr, unsigned long bytes)
{
	char path[64];
	unsigned long long e;
	long n = 0;
	int fd;

	snprintf(path, sizeof(path), "/proc/%d/pagemap", (int)pid);
	fd = open(path, O_RDONLY);
	if (fd < 0)
		return -1;
	for (unsigned long off = 0; off < bytes; off += PAGE) {
		if (pread(fd, &e, sizeof(e), (off_t)(((unsigned long)addr + off) / PAGE * 8)) !=
		    sizeof(e)) {
			n = -1;
			break;
		}
		n += (e >> 62 & 1) && (e & ((1ULL << 55) - 1)) >> 5;
	}
	close(fd);
	return n;
}

#define SHARERS	12	/* processes sharing the pages: more than reclaim once locked */

static void shared_by_many(void)
{
	unsigned long bytes = 2 * MiB;
	char *p = map_anon(bytes, false);
	pid_t kids[SHARERS - 1];
	int go[2], st, bad = 0;
	long swap_kb, swapped;

	fill(p, bytes, 15);
	if (pipe(go)) {
		EXPECT(0, "pipe: %s", strerror(errno));
		return;
	}
	for (int i = 0; i < SHARERS - 1; i++) {
		kids[i] = fork();
		if (kids[i] == 0) {
			char c;

			close(go[1]);
			_exit(read(go[0], &c, 1) == 1 && check(p, bytes, 15) == 0 ? 0 : 1);
		}
	}
	close(go[0]);
	pressure(ram_pages() * PAGE * 2);
	swap_kb = smaps_swap_kb(kids[0], p);
	EXPECT(soaking || swap_kb > 0, "pages shared by %d processes: child's Swap %ld kB",
	       SHARERS, swap_kb);
	swapped = pagemap_swapped(kids[0], p, bytes);
	/* kswapd0 may take more between the two reads, never fewer. */
	EXPECT(soaking || (swapped > 0 && swapped >= swap_kb / 4),
	       "child's pagemap: %ld pages swapped, smaps %ld kB", swapped, swap_kb);
	for (int i = 0; i < SHARERS - 1; i++)
		EXPECT(write(go[1], "g", 1) == 1, "pipe write");
	close(go[1]);
	for (int i = 0; i < SHARERS - 1; i++) {
		waitpid(kids[i], &st, 0);
		bad += !(WIFEXITED(st) && WEXITSTATUS(st) == 0);
	}
	EXPECT(bad == 0, "%d of %d sharers saw wrong pages after swap", bad, SHARERS - 1);
	EXPECT(check(p, bytes, 15) == 0, "the parent lost shared pages");
	munmap(p, bytes);
	printf("swap: pages shared by %d processes swapped out (%ld kB) and back\n", SHARERS,
	       swap_kb);
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

/* MAP_SHARED anonymous memory is swapped as tmpfs pages and stays one page per offset
 * for every process that maps it, across swap-out and swap-in. */
static void shmem_swapped(void)
{
	unsigned long bytes = ram_pages() / 4 * 2 * PAGE;	/* two whole halves */
	char *s = map_anon(bytes, true);
	long out0 = proc_value("vmstat", "pswpout"), shmem0, shmem1;
	int st, pipe_go[2], pipe_done[2];
	char c = 0;
	pid_t pid;

	if (pipe(pipe_go) || pipe(pipe_done)) {
		perror("swap: pipe");
		exit(1);
	}
	fill(s, bytes, 11);
	shmem0 = proc_value("meminfo", "Shmem");
	pid = fork();
	if (pid == 0) {
		/* After the parent's pressure: read what it wrote, write our own. */
		if (read(pipe_go[0], &c, 1) != 1)
			_exit(3);
		if (check(s, bytes, 11))
			_exit(1);
		fill(s, bytes / 2, 12);
		_exit(write(pipe_done[1], &c, 1) == 1 ? 0 : 4);
	}
	pressure(ram_pages() * PAGE * 2);	/* the shared pages go out */
	shmem1 = proc_value("meminfo", "Shmem");
	EXPECT(soaking || shmem1 < shmem0 - (long)(bytes / 1024 / 2),
	       "Shmem %ld kB after the pressure, %ld kB before: shared pages not swapped", shmem1,
	       shmem0);
	EXPECT(soaking || proc_value("vmstat", "pswpout") > out0, "pswpout did not grow");
	EXPECT(write(pipe_go[1], &c, 1) == 1, "pipe");
	EXPECT(read(pipe_done[0], &c, 1) == 1, "the child did not finish");
	waitpid(pid, &st, 0);
	EXPECT(WIFEXITED(st) && WEXITSTATUS(st) == 0, "shmem child status 0x%x", st);
	/* The child's writes after swap-in are the parent's. */
	EXPECT(check(s, bytes / 2, 12) == 0, "the child's writes after swap-in are not shared");
	EXPECT(check_range(s, bytes / 2, bytes, 11) == 0, "shared pages lost across swap");
	munmap(s, bytes);
	close(pipe_go[0]);
	close(pipe_go[1]);
	close(pipe_done[0]);
	close(pipe_done[1]);
	printf("swap: MAP_SHARED anonymous memory swapped (Shmem %ld -> %ld kB) and still shared\n",
	       shmem0, shmem1);
}

#define TMPFS_DIR	"/tmp/swap-tmpfs"

/* Write @bytes of pattern @seed to @path with write(2), a page at a time. */
static int write_file(const char *path, unsigned long bytes, unsigned long seed)
{
	int fd = open(path, O_RDWR | O_CREAT | O_TRUNC, 0600);
	char page[PAGE];

	if (fd < 0)
		return -1;
	for (unsigned long off = 0; off < bytes; off += PAGE) {
		memset(page, (int)(off / PAGE), sizeof(page));
		*(unsigned long *)page = (off / PAGE) * 2654435761UL ^ seed;
		if (write(fd, page, PAGE) != (ssize_t)PAGE) {
			close(fd);
			return -1;
		}
	}
	return fd;
}

/* The pages of @fd (@bytes of write_file(@seed)) that read(2) finds wrong. */
static unsigned long read_file_bad(int fd, unsigned long bytes, unsigned long seed)
{
	unsigned long bad = 0;
	char page[PAGE];

	for (unsigned long off = 0; off < bytes; off += PAGE) {
		if (pread(fd, page, PAGE, (off_t)off) != (ssize_t)PAGE)
			return bytes / PAGE;
		bad += *(unsigned long *)page != ((off / PAGE) * 2654435761UL ^ seed) ||
		       page[PAGE - 1] != (char)(off / PAGE);
	}
	return bad;
}

/* A tmpfs file twice the size of RAM: written, read back with read(2) and through
 * a shared mapping, truncated and removed; its swap goes back. */
static void tmpfs_file(void)
{
	unsigned long bytes = ram_pages() / 4 * 8 * PAGE;	/* whole quarters */
	long out0 = proc_value("vmstat", "pswpout");
	int fd;
	char *m;

	mkdir(TMPFS_DIR, 0700);
	EXPECT(mount("tmpfs", TMPFS_DIR, "tmpfs", 0, "size=1g") == 0, "mount tmpfs: %s",
	       strerror(errno));
	fd = write_file(TMPFS_DIR "/big", bytes, 13);
	EXPECT(fd >= 0, "writing a %lu MiB tmpfs file: %s", bytes / MiB, strerror(errno));
	if (fd < 0) {
		umount(TMPFS_DIR);
		return;
	}
	EXPECT(proc_value("vmstat", "pswpout") > out0, "pswpout did not grow");
	EXPECT(proc_value("meminfo", "Shmem") < (long)(bytes / 1024),
	       "Shmem %ld kB holds the whole %lu kB file", proc_value("meminfo", "Shmem"),
	       bytes / 1024);
	EXPECT(read_file_bad(fd, bytes, 13) == 0, "tmpfs file pages differ after swap (read)");
	m = mmap(NULL, bytes, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	EXPECT(m != MAP_FAILED, "mmap of the tmpfs file: %s", strerror(errno));
	if (m != MAP_FAILED) {
		unsigned long bad = 0;

		for (unsigned long off = 0; off < bytes; off += PAGE)
			bad += *(unsigned long *)(m + off) != ((off / PAGE) * 2654435761UL ^ 13);
		EXPECT(bad == 0, "%lu tmpfs file pages differ after swap (mapping)", bad);
		/* A store through the mapping reaches the file after the page is back. */
		*(unsigned long *)m = 42;
		pressure(ram_pages() * PAGE * 2);
		unsigned long first = 0;

		EXPECT(pread(fd, &first, sizeof(first), 0) == sizeof(first) && first == 42,
		       "a store through the mapping is lost across swap (%lu)", first);
		munmap(m, bytes);
	}
	/* Truncation frees the slots of pages in swap too. */
	EXPECT(ftruncate(fd, (off_t)bytes / 4) == 0, "ftruncate: %s", strerror(errno));
	EXPECT(read_file_bad(fd, bytes / 4, 13) <= 1, "pages differ after truncation");
	close(fd);
	EXPECT(unlink(TMPFS_DIR "/big") == 0, "unlink: %s", strerror(errno));
	EXPECT(umount(TMPFS_DIR) == 0, "umount: %s", strerror(errno));
	rmdir(TMPFS_DIR);
	printf("swap: a %lu MiB tmpfs file written, read back and removed\n", bytes / MiB);
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
	/* What comes back must fit beside the root file system's files (tmpfs pages, which
	 * may be in swap too): a quarter of RAM, and an eighth in a file. */
	unsigned long big = ram_pages() * PAGE * 3 / 2, bytes = ram_pages() * PAGE / 4;
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
	/* A tmpfs file's pages are brought back too. */
	int fd = write_file("/dev/shm/swapoff", bytes / 2, 14);	/* an eighth of RAM */

	EXPECT(fd >= 0, "writing /dev/shm/swapoff: %s", strerror(errno));
	pressure(ram_pages() * PAGE * 2);	/* p goes out */
	EXPECT(proc_value("self/status", "VmSwap") > 0, "nothing swapped before swapoff");
	EXPECT(swapoff("/dev/vda") == 0, "swapoff: %s", strerror(errno));
	EXPECT(proc_value("self/status", "VmSwap") == 0, "VmSwap %ld kB after swapoff",
	       proc_value("self/status", "VmSwap"));
	EXPECT(check(p, bytes, 8) == 0, "pages differ after swapoff");
	EXPECT(fd < 0 || read_file_bad(fd, bytes / 2, 14) == 0, "file pages differ after swapoff");
	if (fd >= 0)
		close(fd);
	unlink("/dev/shm/swapoff");
	read_swaps(buf, sizeof(buf));
	EXPECT(!strstr(buf, "/dev/vda"), "/proc/swaps still lists the disk:\n%s", buf);
	EXPECT(swapoff("/dev/vda") == -1 && errno == EINVAL, "second swapoff: %s",
	       strerror(errno));
	munmap(p, bytes);
	EXPECT(swapon("/dev/vda", 0) == 0, "swapon again: %s", strerror(errno));
	printf("swap: swapoff brought every page back (ENOMEM when they do not fit); "
	       "swapon again\n");
}

/* Soak: @workers processes repeat parts b c f s m until @secs have passed. */
static void soak(long secs, int workers)
{
	time_t end = time(NULL) + secs;
	int st, rounds_failed = 0;

	soaking = true;
	for (int w = 0; w < workers; w++) {
		if (fork() == 0) {
			long rounds = 0;

			while (time(NULL) < end && !failures) {
				big_working_set();
				cow_across_swap();
				fork_swapped();
				shared_by_many();
				shared_survives();
				shmem_swapped();
				rounds++;
			}
			fputs(report, stdout);
			printf("# soak: worker %d: %ld rounds, %s\n", w, rounds,
			       failures ? "FAILED" : "clean");
			_exit(failures ? 1 : 0);
		}
	}
	for (pid_t pid; (pid = wait(&st)) > 0;) {
		if (WIFEXITED(st) && WEXITSTATUS(st) == 0)
			continue;
		rounds_failed++;
		/* A worker killed before its report: say how it ended. */
		if (WIFSIGNALED(st))
			printf("# soak: worker pid %d killed by signal %d\n", (int)pid, WTERMSIG(st));
		else
			printf("# soak: worker pid %d exit status %d\n", (int)pid, WEXITSTATUS(st));
	}
	EXPECT(!rounds_failed, "%d soak workers failed", rounds_failed);
}

/* Which parts run: all, or those whose letters are in argv[1] (b c f s m t o). */
static const char *parts = "bcfnsmto";

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
	if (strchr(parts, 'n'))
		shared_by_many();
	if (strchr(parts, 's'))
		shared_survives();
	if (strchr(parts, 'm'))
		shmem_swapped();
	if (strchr(parts, 't'))
		tmpfs_file();
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
