/*
 * No page leaks across the process lifecycle: after 1000 fork + exit + wait cycles, and after
 * 100 cycles in which the child dirties 1 MiB of copy-on-write memory, the free memory that
 * sysinfo(2) reports (freeram * mem_unit) is exactly what it was before. Only Sprout promises
 * an exact count; on Linux (caches, other processes) the cases are skipped.
 */
#include <tap.h>

#define WARMUP		20
#define CYCLES		1000
#define COW_CYCLES	100
#define COW_BYTES	(1UL << 20)
#define PAGE		4096UL

/* Free memory in bytes, or 0 with a diagnostic if sysinfo failed. */
static unsigned long long free_bytes(void)
{
	struct sysinfo si;

	if (sysinfo(&si) != 0) {
		tap_diag("sysinfo: %s", strerror(errno));
		return 0;
	}
	return (unsigned long long)si.freeram * (si.mem_unit ? si.mem_unit : 1);
}

/* One fork + exit + wait; the child writes to every page of buf (len bytes) first. */
static bool cycle(volatile unsigned char *buf, size_t len, int n)
{
	int status;
	pid_t pid = fork();

	if (pid == 0) {
		for (size_t i = 0; i < len; i += PAGE)
			buf[i] = (unsigned char)n;
		_exit(0);
	}
	return pid > 0 && waitpid(pid, &status, 0) == pid && status == 0;
}

/* Cycles after a warm-up; true if free memory came back to exactly its baseline. */
static int cycles_keep_free_memory(volatile unsigned char *buf, size_t len, int count)
{
	unsigned long long before, after;

	fflush(NULL);
	for (int i = 0; i < WARMUP; i++)
		if (!CHECK(cycle(buf, len, i)))
			return 1;
	before = free_bytes();
	for (int i = 0; i < count; i++)
		if (!CHECK(cycle(buf, len, i)))
			return 1;
	after = free_bytes();
	if (!CHECK(before != 0) || before == after)
		return before == 0;
	tap_diag("free memory %llu bytes before %d cycles, %llu after (%lld pages)", before,
		 count, after, ((long long)after - (long long)before) / (long long)PAGE);
	return 1;
}

static int case_fork_exit(void)
{
	return cycles_keep_free_memory(NULL, 0, CYCLES);
}

static int case_cow_copies(void)
{
	volatile unsigned char *buf = malloc(COW_BYTES);

	if (!CHECK(buf != NULL))
		return 1;
	for (size_t i = 0; i < COW_BYTES; i += PAGE)
		buf[i] = 1;	/* present in the parent, so the child's writes copy */
	return cycles_keep_free_memory(buf, COW_BYTES, COW_CYCLES);
}

/* Entry point: runs every case and prints TAP. Returns 0 only if all passed. */
int main(void)
{
	bool sprout = tap_on_sprout();

	tap_plan(2);
	if (sprout)
		run_case("free memory unchanged after 1000 fork/exit/wait cycles", case_fork_exit);
	else
		tap_skip("free memory unchanged after 1000 fork/exit/wait cycles", "not Sprout");
	if (sprout)
		run_case("free memory unchanged after 100 cycles with 1 MiB of COW copies",
			 case_cow_copies);
	else
		tap_skip("free memory unchanged after 100 cycles with 1 MiB of COW copies",
			 "not Sprout");
	return tap_done();
}
