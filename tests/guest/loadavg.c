/*
 * What top(1) and uptime(1) read (proc(5)): /proc/stat's cpu lines in
 * USER_HZ ticks -- one line per CPU, a total that is their sum, columns that
 * never go down and that grow with real work -- its intr, ctxt, processes
 * and procs_running counters, and /proc/loadavg: an exponentially damped
 * load that rises above 0 while two children spin, the running/total
 * counts, and the last pid handed out.
 */
#include <tap.h>

#define NCOL	10

struct cpu_line {
	unsigned long long v[NCOL];
};

struct stat_snap {
	struct cpu_line total, cpu[64];
	int ncpu;
	unsigned long long intr, ctxt, processes, running;
	bool has_btime, has_blocked;
};

static bool parse_cpu(const char *line, struct cpu_line *c)
{
	const char *p = strchr(line, ' ');
	char *end;

	if (!p)
		return false;
	for (int i = 0; i < NCOL; i++) {
		c->v[i] = strtoull(p, &end, 10);
		if (end == p)
			return false;
		p = end;
	}
	return *p == '\n' || *p == '\0';
}

static bool read_stat(struct stat_snap *s)
{
	static char buf[16384];
	char *line, *save;
	bool total = false;

	memset(s, 0, sizeof(*s));
	if (tap_read_file("/proc/stat", buf, sizeof(buf)) <= 0)
		return false;
	for (line = strtok_r(buf, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		if (!strncmp(line, "cpu  ", 5)) {
			total = parse_cpu(line, &s->total);
		} else if (!strncmp(line, "cpu", 3)) {
			if (s->ncpu >= 64 || atoi(line + 3) != s->ncpu ||
			    !parse_cpu(line, &s->cpu[s->ncpu]))
				return false;
			s->ncpu++;
		} else if (!strncmp(line, "intr ", 5)) {
			s->intr = strtoull(line + 5, NULL, 10);
		} else if (!strncmp(line, "ctxt ", 5)) {
			s->ctxt = strtoull(line + 5, NULL, 10);
		} else if (!strncmp(line, "processes ", 10)) {
			s->processes = strtoull(line + 10, NULL, 10);
		} else if (!strncmp(line, "procs_running ", 14)) {
			s->running = strtoull(line + 14, NULL, 10);
		} else if (!strncmp(line, "btime ", 6)) {
			s->has_btime = true;
		} else if (!strncmp(line, "procs_blocked ", 14)) {
			s->has_blocked = true;
		}
	}
	return total;
}

struct loadavg {
	double l1, l5, l15;
	int running, total, last;
};

static bool read_loadavg(struct loadavg *l)
{
	char buf[128], tail;

	if (tap_read_file("/proc/loadavg", buf, sizeof(buf)) <= 0)
		return false;
	return sscanf(buf, "%lf %lf %lf %d/%d %d%c", &l->l1, &l->l5, &l->l15, &l->running,
		      &l->total, &l->last, &tail) == 7 && tail == '\n';
}

static int case_stat_format(void)
{
	struct stat_snap s;
	long ncpu = sysconf(_SC_NPROCESSORS_ONLN);
	pid_t pid;

	CHECK(read_stat(&s));
	CHECK_EQ(s.ncpu, ncpu);
	CHECK(s.has_btime);
	CHECK(s.has_blocked);
	CHECK(s.running >= 1);		/* we are running */
	CHECK(s.ctxt > 0);
	CHECK(s.intr > 0);
	/* The total is the sum of the CPUs (counters move between the lines
	 * only by a few ticks each). */
	for (int i = 0; i < NCOL; i++) {
		unsigned long long sum = 0;

		for (int c = 0; c < s.ncpu; c++)
			sum += s.cpu[c].v[i];
		CHECK(sum + 5ULL * s.ncpu >= s.total.v[i] && sum <= s.total.v[i] + 5ULL * s.ncpu);
	}
	/* Time has passed since boot: some user, system and idle ticks. */
	CHECK(s.total.v[0] + s.total.v[2] + s.total.v[3] > 0);
	/* "processes" counts every fork since boot. */
	unsigned long long before = s.processes;

	pid = fork();
	if (pid == 0)
		_exit(0);
	CHECK_EQ(waitpid(pid, NULL, 0), pid);
	CHECK(read_stat(&s));
	CHECK(s.processes >= before + 1);
	return 0;
}

static int case_loadavg_format(void)
{
	struct loadavg l;
	pid_t pid;

	CHECK(read_loadavg(&l));
	CHECK(l.l1 >= 0 && l.l5 >= 0 && l.l15 >= 0);
	CHECK(l.running >= 1 && l.running <= l.total);
	/* The last field is the last pid handed out (in our pid namespace). */
	pid = fork();
	if (pid == 0)
		_exit(0);
	CHECK(read_loadavg(&l));
	CHECK_EQ(l.last, pid);
	CHECK_EQ(waitpid(pid, NULL, 0), pid);
	return 0;
}

static void spin_for(long ms)
{
	long long end = tap_now_ms() + ms;
	volatile unsigned long x = 0;

	while (tap_now_ms() < end)
		for (int i = 0; i < 100000; i++)
			x += i;
}

/* Two busy children: the counters only grow, user time grows by about the
 * work done, and the 1-minute load rises above 0 (sampled every 5 s). */
static int case_busy(void)
{
	struct stat_snap a, b;
	struct loadavg l;
	pid_t kids[2];
	int grew_user = 0, max_running = 0;
	long long t0 = tap_now_ms();

	CHECK(read_stat(&a));
	for (int i = 0; i < 2; i++) {
		kids[i] = fork();
		if (kids[i] == 0) {
			spin_for(12000);
			_exit(0);
		}
		CHECK(kids[i] > 0);
	}
	/* Sample while they run: every column of every line is monotonic. */
	while (tap_now_ms() - t0 < 11000) {
		tap_sleep_ms(500);
		if (!CHECK(read_stat(&b)))
			break;
		for (int i = 0; i < NCOL; i++) {
			if (!CHECK(b.total.v[i] >= a.total.v[i]))
				tap_diag("column %d went down: %llu -> %llu", i, a.total.v[i],
					 b.total.v[i]);
			for (int c = 0; c < b.ncpu && c < a.ncpu; c++)
				CHECK(b.cpu[c].v[i] >= a.cpu[c].v[i]);
		}
		grew_user += b.total.v[0] > a.total.v[0];
		if (read_loadavg(&l) && l.running > max_running)
			max_running = l.running;
		a = b;
	}
	CHECK(grew_user > 0);
	CHECK(max_running >= 2);	/* the two spinners are runnable */
	CHECK(read_loadavg(&l));
	if (!CHECK(l.l1 > 0.0))
		tap_diag("load average after 11 s of two busy tasks: %.2f", l.l1);
	for (int i = 0; i < 2; i++)
		CHECK_EQ(waitpid(kids[i], NULL, 0), kids[i]);
	return 0;
}

/* The user time of the busy children shows in the total: at least one
 * CPU-second out of the ~2 x 3 s they spun. */
static int case_user_ticks(void)
{
	struct stat_snap a, b;
	long hz = sysconf(_SC_CLK_TCK);
	pid_t kids[2];

	CHECK(read_stat(&a));
	for (int i = 0; i < 2; i++) {
		kids[i] = fork();
		if (kids[i] == 0) {
			spin_for(3000);
			_exit(0);
		}
	}
	for (int i = 0; i < 2; i++)
		CHECK_EQ(waitpid(kids[i], NULL, 0), kids[i]);
	CHECK(read_stat(&b));
	if (!CHECK(b.total.v[0] - a.total.v[0] >= (unsigned long long)hz))
		tap_diag("user ticks grew by %llu", b.total.v[0] - a.total.v[0]);
	return 0;
}

int main(void)
{
	tap_plan(4);
	run_case("/proc/stat: a cpu line per CPU, the sum, counters", case_stat_format);
	run_case("/proc/loadavg: format, running/total, last pid", case_loadavg_format);
	run_case("two busy tasks: columns monotonic, load rises", case_busy);
	run_case("busy children's time shows as user ticks", case_user_ticks);
	return tap_done();
}
