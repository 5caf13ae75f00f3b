/*
 * Orphans are reparented: when a process exits, its children get a new parent (init, pid 1, on
 * Sprout; on Linux the nearest subreaper or the pid namespace's init). The test cannot wait for
 * a grandchild, and neither can the middle process once it is gone, so each grandchild reports
 * through a file: it writes "<new ppid> <old ppid>" to a temporary name and renames it into
 * place, and the test polls (bounded) for the final name.
 */
#include <tap.h>

#define ORPHANS		20
#define ADOPT_WAIT_MS	10000	/* how long a grandchild waits for its new parent */
#define REPORT_WAIT_MS	20000	/* how long the test waits for the reports */

/* In the grandchild: wait until the parent is no longer old_ppid, then report. Never returns. */
static void orphan_report(const char *path, pid_t old_ppid)
{
	char tmp[4400], buf[64];
	long waited = 0;
	pid_t now;
	int n;

	while ((now = getppid()) == old_ppid && waited < ADOPT_WAIT_MS) {
		tap_sleep_ms(2);
		waited += 2;
	}
	n = snprintf(buf, sizeof(buf), "%d %d\n", (int)now, (int)old_ppid);
	snprintf(tmp, sizeof(tmp), "%s.part", path);
	if (tap_write_file(tmp, buf, n, 0644) != 0 || rename(tmp, path) != 0)
		_exit(1);
	_exit(0);
}

/*
 * Fork a middle process that forks count grandchildren and exits at once, orphaning them; then
 * check each grandchild's report. Returns the number of bad reports.
 */
static int orphan_run(int count)
{
	char base[4200], path[4300], buf[64];
	bool sprout = tap_on_sprout();
	int status, bad = 0;
	pid_t mid;

	tap_tmppath(base, sizeof(base), "orphan");
	fflush(NULL);
	mid = fork();
	if (mid == 0) {
		pid_t me = getpid();	/* recorded now: the grandchildren may outlive us */

		for (int i = 0; i < count; i++) {
			pid_t g = fork();

			if (g == 0) {
				snprintf(path, sizeof(path), "%s.%d", base, i);
				orphan_report(path, me);
			}
			if (g < 0)
				_exit(2);
		}
		_exit(0);
	}
	if (!CHECK(mid > 0))
		return count;
	CHECK_EQ(waitpid(mid, &status, 0), mid);
	CHECK_EQ(status, 0);
	for (int i = 0; i < count; i++) {
		int now = -1, old = -1;

		snprintf(path, sizeof(path), "%s.%d", base, i);
		if (!tap_wait_for_file(path, REPORT_WAIT_MS)) {
			tap_diag("grandchild %d: no report within %d ms", i, REPORT_WAIT_MS);
			bad++;
			continue;
		}
		if (tap_read_file(path, buf, sizeof(buf)) <= 0 ||
		    sscanf(buf, "%d %d", &now, &old) != 2) {
			tap_diag("grandchild %d: unreadable report", i);
			bad++;
		} else if (old != mid) {
			tap_diag("grandchild %d: its first parent was %d, not %d", i, old,
				 (int)mid);
			bad++;
		} else if (sprout ? now != 1 : now == old) {
			tap_diag("grandchild %d: parent is %d after its parent %d exited", i, now,
				 old);
			bad++;
		} else if (!sprout && i == 0) {
			tap_diag("on Linux the orphan went to pid %d (its reaper); "
				 "Sprout requires 1", now);
		}
		unlink(path);
	}
	return bad;
}

static int case_one_orphan(void)
{
	return orphan_run(1);
}

static int case_many_orphans(void)
{
	return orphan_run(ORPHANS);
}

/* Entry point: runs every case and prints TAP. Returns 0 only if all passed. */
int main(void)
{
	tap_plan(2);
	run_case("an orphan is adopted by init", case_one_orphan);
	run_case("20 orphans of one parent are all adopted", case_many_orphans);
	return tap_done();
}
