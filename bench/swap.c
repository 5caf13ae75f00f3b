/*
 * Swap: a working set of twice the machine's RAM, in milliseconds per pass.
 *   swap_touch_2x   write one word to each page of a fresh private anonymous mapping of
 *                   2x RAM (demand-zero faults; about half of it must go to swap);
 *   swap_reread_2x  then read each page again, in the same order (the pages written first
 *                   come back from swap, pushing the later ones out).
 * Each rep maps a fresh region; see bench.h. tools/bench.py boots both kernels for these rows
 * with the same small memory and the same swap disk (/dev/vda, a scratch file): Sprout enables
 * it at boot (swap=/dev/vda); on Linux this program loads the virtio block modules listed in
 * /bench/modules/order (if /dev/vda is not there yet), writes a swap-area header (as
 * mkswap(8)) and calls swapon(2). Every page's word is checked on the reread: a wrong one is
 * an error, not a figure.
 */
#include "bench.h"

#include <fcntl.h>
#include <sys/mman.h>
#include <sys/swap.h>
#include <sys/syscall.h>
#include <sys/sysinfo.h>

#define PAGE		4096ul
#define DISK		"/dev/vda"
#define MODULES		"/bench/modules"

/* Does /proc/swaps list an area? */
static int swap_on(void)
{
	struct sysinfo si;

	return sysinfo(&si) == 0 && si.totalswap > 0;
}

/* Load the modules named in MODULES/order, in that order (Linux: virtio-blk is a module). */
static void load_modules(void)
{
	char list[1024], path[256];
	int fd = open(MODULES "/order", O_RDONLY);
	ssize_t n;

	if (fd < 0)
		return;
	n = read(fd, list, sizeof(list) - 1);
	close(fd);
	if (n <= 0)
		return;
	list[n] = '\0';
	for (char *m = strtok(list, " \n"); m; m = strtok(NULL, " \n")) {
		snprintf(path, sizeof(path), MODULES "/%s.ko", m);
		fd = open(path, O_RDONLY | O_CLOEXEC);
		if (fd < 0)
			continue;
		if (syscall(SYS_finit_module, fd, "", 0) != 0 && errno != EEXIST)
			fprintf(stderr, "swap: finit_module %s: %s\n", m, strerror(errno));
		close(fd);
	}
}

/* mkswap(8): Linux's swap-area header (version 1, no bad pages) on @fd of @bytes. */
static int write_header(int fd, unsigned long bytes)
{
	static unsigned char page[PAGE];
	uint32_t *info = (uint32_t *)(page + 1024);

	memset(page, 0, sizeof(page));
	info[0] = 1;					/* version */
	info[1] = (uint32_t)(bytes / PAGE - 1);		/* last page */
	info[2] = 0;					/* bad pages */
	memcpy(page + PAGE - 10, "SWAPSPACE2", 10);
	if (pwrite(fd, page, PAGE, 0) != (ssize_t)PAGE)
		return -1;
	return fsync(fd);
}

/* Swap on DISK unless the kernel enabled some already. 0 or -1 (errno set). */
static int enable_swap(void)
{
	off_t size;
	int fd;

	/* Sprout enables swap=/dev/vda as kswapd0 starts: give it a moment. */
	for (int i = 0; i < 20 && !swap_on(); i++)
		usleep(100000);
	if (swap_on())
		return 0;
	if (access(DISK, F_OK) != 0) {
		load_modules();
		for (int i = 0; i < 50 && access(DISK, F_OK) != 0; i++)
			usleep(100000);
	}
	fd = open(DISK, O_RDWR);
	if (fd < 0)
		return -1;
	size = lseek(fd, 0, SEEK_END);
	if (size < (off_t)(16 * PAGE) || write_header(fd, (unsigned long)size)) {
		if (size >= 0)
			errno = EINVAL;
		close(fd);
		return -1;
	}
	close(fd);
	return swapon(DISK, 0);
}

static double ms_since(uint64_t t0)
{
	return (bench_now_ns() - t0) / 1e6;
}

int main(int argc, char **argv)
{
	struct bench_opts o;
	struct sysinfo si;
	double touch[BENCH_MAX_REPS], reread[BENCH_MAX_REPS];
	unsigned long bytes, bad = 0;
	int reps;

	bench_parse(argc, argv, &o);
	if (!bench_wanted(&o, "swap"))
		return 0;
	/* Each rep moves twice the RAM through the disk: a few are enough. */
	reps = o.reps > 3 ? 3 : o.reps;
	if (o.quick)
		reps = 1;
	if (enable_swap()) {
		bench_fail("swap_touch_2x", "ms", "swapon", errno);
		bench_fail("swap_reread_2x", "ms", "swapon", errno);
		return 1;
	}
	sysinfo(&si);
	bytes = (unsigned long)si.totalram * si.mem_unit * 2 / PAGE * PAGE;
	for (int r = 0; r < reps; r++) {
		char *p = mmap(NULL, bytes, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS,
			       -1, 0);
		uint64_t t0;
		volatile unsigned long sum = 0;

		if (p == MAP_FAILED) {
			bench_fail("swap_touch_2x", "ms", "mmap", errno);
			bench_fail("swap_reread_2x", "ms", "mmap", errno);
			return 1;
		}
		madvise(p, bytes, MADV_NOHUGEPAGE);
		bench_mark();
		t0 = bench_now_ns();
		for (unsigned long off = 0; off < bytes; off += PAGE)
			*(unsigned long *)(p + off) = off ^ r;
		touch[r] = ms_since(t0);
		bench_mark();
		bench_mark();
		t0 = bench_now_ns();
		for (unsigned long off = 0; off < bytes; off += PAGE) {
			unsigned long w = *(unsigned long *)(p + off);

			bad += w != (off ^ r);
			sum += w;
		}
		reread[r] = ms_since(t0);
		bench_mark();
		munmap(p, bytes);
	}
	if (bad) {
		printf("BENCH swap_touch_2x ms error %lu pages read back wrong\n", bad);
		printf("BENCH swap_reread_2x ms error %lu pages read back wrong\n", bad);
		return 1;
	}
	bench_report("swap_touch_2x", "ms", touch, reps);
	bench_report("swap_reread_2x", "ms", reread, reps);
	return 0;
}
