/*
 * The process lifecycle under real concurrency: every CPU forking, exiting and waiting at once.
 * Each case is bounded in time and checks exact outcomes:
 *   - one worker per CPU, each running fork + exit + wait cycles; every status comes back;
 *   - a parent in wait while its children, spread over the CPUs, exit around it;
 *   - children exiting while their parent exits: every orphan is reaped (by init on Sprout, the
 *     namespace's pid 1 on Linux), none is lost;
 *   - two threads of a just-forked process writing the same copy-on-write page: both writes
 *     survive and the parent sees neither;
 *   - on Sprout, free pages and pids in use are back at their baseline afterwards.
 *
 * `stress soak SECONDS` runs the same mix in a loop for that long (the `make soak` target) and
 * ends with "# soak: forks N, pages free at start A, at end B, pids at start P, at end Q"; its
 * exit status is 0 only if every round passed and both counts came back.
 */
#include <tap.h>
#include <pthread.h>

#define MAX_WORKERS	8
#define WORKER_CYCLES	150	/* fork + exit + wait cycles per worker */
#define WAIT_CHILDREN	48	/* children exiting while their parent waits */
#define WAIT_ROUNDS	4
#define ORPHAN_MIDDLES	6	/* parents that exit at once ... */
#define ORPHAN_KIDS	8	/* ... each leaving this many children behind */
#define REAP_WAIT_MS	20000	/* how long orphans may take to be reaped */
#define PAGE		4096

/* Forks made by one successful run of each case (the soak adds them up). */
static int nworkers;
static long forks_done;

/* Busy work that lets siblings on other CPUs overlap: no syscalls, some time. */
static void spin(unsigned n)
{
	for (volatile unsigned i = 0; i < n; i++)
		;
}

/* One worker: cycles of fork + _exit(i) + waitpid, each status checked. Exit 0 if all right. */
static int worker(int id)
{
	for (int i = 0; i < WORKER_CYCLES; i++) {
		int status = -1;
		pid_t pid = fork();

		if (pid == 0)
			_exit((id * 31 + i) & 0x7f);
		if (pid < 0 || waitpid(pid, &status, 0) != pid)
			return 1;
		if (!WIFEXITED(status) || WEXITSTATUS(status) != ((id * 31 + i) & 0x7f))
			return 2;
	}
	return 0;
}

static int case_workers(void)
{
	pid_t pids[MAX_WORKERS];
	int bad = 0;

	fflush(NULL);
	for (int w = 0; w < nworkers; w++) {
		pids[w] = fork();
		if (pids[w] == 0)
			_exit(worker(w));
		if (!CHECK(pids[w] > 0))
			return 1;
	}
	for (int w = 0; w < nworkers; w++) {
		int status = tap_wait_bounded(pids[w], 50);

		if (!(status >= 0 && WIFEXITED(status) && WEXITSTATUS(status) == 0)) {
			tap_diag("worker %d: wait status %d", w, status);
			bad++;
		}
	}
	return bad;
}

/* Children that exit (after a little work of varying length) while the parent sits in wait. */
static int case_wait_while_exiting(void)
{
	for (int round = 0; round < WAIT_ROUNDS; round++) {
		pid_t pids[WAIT_CHILDREN];
		bool seen[WAIT_CHILDREN] = { false };

		fflush(NULL);
		for (int i = 0; i < WAIT_CHILDREN; i++) {
			pids[i] = fork();
			if (pids[i] == 0) {
				spin(((unsigned)i * 7919u) % 20000u);
				_exit(i);
			}
			if (!CHECK(pids[i] > 0))
				return 1;
		}
		for (int n = 0; n < WAIT_CHILDREN; n++) {
			int status = -1;
			pid_t pid = wait(&status);

			if (!CHECK(pid > 0) || !CHECK(WIFEXITED(status)))
				return 1;
			int i = WEXITSTATUS(status);

			if (!CHECK(i < WAIT_CHILDREN && pids[i] == pid && !seen[i]))
				return 1;
			seen[i] = true;
		}
		CHECK_ERR(wait(NULL), ECHILD);
	}
	return 0;
}

/* True once no process @pid exists any more (reaped; a zombie still counts as existing). */
static bool gone(pid_t pid)
{
	return kill(pid, 0) == -1 && errno == ESRCH;
}

/*
 * Middle processes that fork children and exit at once, while those children exit too: some
 * become zombies before their parent dies (reparented as zombies), some after. The middles
 * report their children's pids through a file; every one must disappear, i.e. be reaped.
 */
static int case_orphans_race(void)
{
	char path[4300], buf[ORPHAN_KIDS * 16 + 16];
	pid_t mids[ORPHAN_MIDDLES];
	int bad = 0;

	fflush(NULL);
	for (int m = 0; m < ORPHAN_MIDDLES; m++) {
		tap_tmppath(path, sizeof(path), "stress-orphans");
		snprintf(path + strlen(path), sizeof(path) - strlen(path), ".%d", m);
		mids[m] = fork();
		if (mids[m] == 0) {
			int len = 0;

			for (int k = 0; k < ORPHAN_KIDS; k++) {
				pid_t g = fork();

				if (g == 0) {
					spin(((unsigned)k * 104729u) % 30000u);
					_exit(0);
				}
				if (g < 0)
					_exit(2);
				len += snprintf(buf + len, sizeof(buf) - len, "%d\n", (int)g);
			}
			_exit(tap_write_file(path, buf, len, 0644) == 0 ? 0 : 3);
		}
		if (!CHECK(mids[m] > 0))
			return 1;
	}
	for (int m = 0; m < ORPHAN_MIDDLES; m++) {
		int status = tap_wait_bounded(mids[m], 30);
		char *p = buf;
		ssize_t n;

		if (!CHECK(status >= 0 && WIFEXITED(status) && WEXITSTATUS(status) == 0)) {
			bad++;
			continue;
		}
		tap_tmppath(path, sizeof(path), "stress-orphans");
		snprintf(path + strlen(path), sizeof(path) - strlen(path), ".%d", m);
		n = tap_read_file(path, buf, sizeof(buf) - 1);
		unlink(path);
		if (!CHECK(n > 0)) {
			bad++;
			continue;
		}
		buf[n] = '\0';
		for (int k = 0; k < ORPHAN_KIDS; k++) {
			long long start = tap_now_ms();
			pid_t g = (pid_t)strtol(p, &p, 10);

			while (!gone(g) && tap_now_ms() - start < REAP_WAIT_MS)
				tap_sleep_ms(2);
			if (!gone(g)) {
				tap_diag("orphan %d of middle %d was never reaped", (int)g,
					 (int)mids[m]);
				bad++;
			}
		}
	}
	return bad;
}

/* ---- two threads and one copy-on-write page ---- */

static unsigned char cow_page[PAGE] __attribute__((aligned(PAGE)));
static volatile int cow_go;

static void *cow_writer(void *arg)
{
	while (!cow_go)
		;
	cow_page[(size_t)arg] = 0xb2;
	return NULL;
}

/* In the forked child: two threads write two bytes of the shared page at the same moment. */
static int cow_child(void)
{
	pthread_t th;
	int err = pthread_create(&th, NULL, cow_writer, (void *)64);

	if (err) {
		printf("# pthread_create: %s\n", strerror(err));
		return 10;
	}
	cow_go = 1;
	cow_page[0] = 0xa1;
	pthread_join(th, NULL);
	return cow_page[0] == 0xa1 && cow_page[64] == 0xb2 ? 0 : 11;
}

static int case_threads_cow(void)
{
	for (int round = 0; round < 20; round++) {
		int status;
		pid_t pid;

		memset(cow_page, 0x55, sizeof(cow_page));	/* present before the fork */
		fflush(NULL);
		pid = fork();
		if (pid == 0)
			_exit(cow_child());
		if (!CHECK(pid > 0))
			return 1;
		status = tap_wait_bounded(pid, 30);
		if (!CHECK(status >= 0 && WIFEXITED(status)))
			return 1;
		if (!CHECK_EQ(WEXITSTATUS(status), 0))
			return 1;
		if (!CHECK(cow_page[0] == 0x55 && cow_page[64] == 0x55))
			return 1;
	}
	return 0;
}

/* ---- baseline counts (Sprout: exact) ---- */

struct counts {
	unsigned long long free_bytes;
	unsigned procs;
};

static bool counts_read(struct counts *c)
{
	struct sysinfo si;

	if (sysinfo(&si) != 0)
		return false;
	c->free_bytes = (unsigned long long)si.freeram * (si.mem_unit ? si.mem_unit : 1);
	c->procs = si.procs;
	return true;
}

static struct counts baseline, after;	/* read by the main process, judged in a case */

static int case_counts_back(void)
{
	struct counts now = after;

	if (!CHECK(baseline.free_bytes != 0 && now.free_bytes != 0))
		return 1;
	CHECK_EQ(now.procs, baseline.procs);
	if (now.free_bytes != baseline.free_bytes)
		tap_diag("free memory %llu bytes before the stress, %llu after (%lld pages)",
			 baseline.free_bytes, now.free_bytes,
			 ((long long)now.free_bytes - (long long)baseline.free_bytes) / PAGE);
	return now.free_bytes != baseline.free_bytes;
}

static int case_warmup(void)
{
	return worker(0);
}

/* Run @fn in a child, bounded; true if it passed. Counts forks on success. */
static bool soak_step(int (*fn)(void), long forks)
{
	int status;
	pid_t pid = fork();

	if (pid == 0)
		_exit(fn());
	if (pid < 0)
		return false;
	status = tap_wait_bounded(pid, 120);
	if (status >= 0 && WIFEXITED(status) && WEXITSTATUS(status) == 0) {
		forks_done += forks + 1;
		return true;
	}
	printf("# soak: a round failed (wait status %d)\n", status);
	return false;
}

/* Fault in the next 64 KiB of our stack now, so that a deeper call later does not count as a
 * page lost between the two readings of the free memory. */
static void __attribute__((noinline)) stack_prefault(void)
{
	volatile char pad[64 * 1024];

	for (size_t i = 0; i < sizeof(pad); i += PAGE / 2)
		pad[i] = 0;
}

/* One round of the whole mix; false if any part failed. */
static bool soak_round(void)
{
	return soak_step(case_workers, nworkers * (WORKER_CYCLES + 1L)) &&
	       soak_step(case_wait_while_exiting, (long)WAIT_ROUNDS * WAIT_CHILDREN) &&
	       soak_step(case_orphans_race, ORPHAN_MIDDLES * (ORPHAN_KIDS + 1L)) &&
	       soak_step(case_threads_cow, 20);
}

static int soak(long seconds)
{
	long long start = tap_now_ms(), last = start;
	struct counts end;
	bool ok = true;

	setvbuf(stdout, NULL, _IONBF, 0);
	/* The readings are stored in pages that must be present before the
	 * first reading, or their first touch would count as a lost page. */
	stack_prefault();
	counts_read(&end);
	counts_read(&baseline);
	/* One round first: tmpfs directories and kmalloc slabs reach their
	 * working size, which later rounds reuse; then the baseline. */
	if (!soak_round())
		return 1;
	/* printf's first deep call grows our stack: let it happen now too. */
	printf("# soak: %lld s, forks %ld\n", 0LL, 0L);
	if (!counts_read(&baseline))
		return 1;
	forks_done = 0;
	while (ok && tap_now_ms() - start < seconds * 1000LL) {
		ok = soak_round();
		if (tap_now_ms() - last >= 60000) {
			last = tap_now_ms();
			printf("# soak: %lld s, forks %ld\n", (last - start) / 1000, forks_done);
		}
	}
	if (!counts_read(&end))
		return 1;
	printf("# soak: %s after %lld s: forks %ld, pages free at start %llu, at end %llu, "
	       "pids at start %u, at end %u\n", ok ? "done" : "FAILED",
	       (tap_now_ms() - start) / 1000, forks_done, baseline.free_bytes / PAGE,
	       end.free_bytes / PAGE, baseline.procs, end.procs);
	return ok && end.free_bytes == baseline.free_bytes && end.procs == baseline.procs ? 0 : 1;
}

/* Entry point: the TAP suite, or `stress soak SECONDS`. Returns 0 only if all passed. */
int main(int argc, char **argv)
{
	bool sprout = tap_on_sprout();
	long n = sysconf(_SC_NPROCESSORS_ONLN);

	nworkers = n < 2 ? 2 : n > MAX_WORKERS ? MAX_WORKERS : (int)n;
	if (argc == 3 && !strcmp(argv[1], "soak"))
		return soak(atol(argv[2]));

	tap_plan(6);
	/* Touch everything the baseline reads are stored in before the baseline. */
	stack_prefault();
	counts_read(&after);
	counts_read(&baseline);
	run_case("warm-up: fork + exit + wait cycles", case_warmup);
	if (!counts_read(&baseline))
		baseline.free_bytes = 0;
	run_case("one worker per CPU, each 150 fork/exit/wait cycles, every status exact",
		 case_workers);
	run_case("children exit on other CPUs while their parent waits; each reaped once",
		 case_wait_while_exiting);
	run_case("children exit while their parent exits; every orphan is reaped",
		 case_orphans_race);
	run_case("two threads write one COW page after fork; both writes kept, parent sees none",
		 case_threads_cow);
	if (!counts_read(&after))
		after.free_bytes = 0;
	if (sprout)
		run_case("free pages and pids back to baseline after the stress", case_counts_back);
	else
		tap_skip("free pages and pids back to baseline after the stress", "not Sprout");
	return tap_done();
}
