/*
 * /proc in Linux's formats (proc(5)): the fields of /proc/<pid>/stat and
 * status checked against the process's real state (including a zombie's Z),
 * cmdline, the self and exe links, the process directories, fd/, and
 * meminfo agreeing with sysinfo(2).
 */
#include <tap.h>
#include <dirent.h>
#include <sys/sysinfo.h>

static char self_argv0[256];

/* Fields of a stat line: f[1] is the pid, f[2] the comm, f[3].. after it. */
struct stat_line {
	char comm[64];
	char state;
	long f[53];
};

static int read_stat(pid_t pid, struct stat_line *s)
{
	char path[64], buf[1024], *open_p, *close_p, *tok, *save;
	int n = 3;

	snprintf(path, sizeof(path), "/proc/%d/stat", (int)pid);
	if (tap_read_file(path, buf, sizeof(buf)) <= 0)
		return -1;
	open_p = strchr(buf, '(');
	close_p = strrchr(buf, ')');
	if (!open_p || !close_p || close_p < open_p)
		return -1;
	s->f[1] = atol(buf);
	snprintf(s->comm, sizeof(s->comm), "%.*s", (int)(close_p - open_p - 1), open_p + 1);
	tok = strtok_r(close_p + 2, " \n", &save);
	if (!tok)
		return -1;
	s->state = tok[0];
	while ((tok = strtok_r(NULL, " \n", &save)) && n < 52)
		s->f[++n] = strtol(tok, NULL, 10);
	return n;	/* the number of the last field parsed */
}

static int case_self_stat(void)
{
	struct stat_line s;

	CHECK_EQ(read_stat(getpid(), &s), 52);
	CHECK_EQ(s.f[1], getpid());
	CHECK(strcmp(s.comm, "proc") == 0);
	CHECK_EQ(s.state, 'R');
	CHECK_EQ(s.f[4], getppid());
	CHECK_EQ(s.f[5], getpgrp());
	CHECK_EQ(s.f[6], getsid(0));
	CHECK_EQ(s.f[20], 1);		/* num_threads */
	CHECK(s.f[23] > 0);		/* vsize, bytes */
	/* rss, pages: Linux may still show 0 for a tiny program (lazy per-CPU counters). */
	CHECK(tap_on_sprout() ? s.f[24] > 0 : s.f[24] >= 0);
	return 0;
}

static long status_field(const char *text, const char *name);

static int case_zombie(void)
{
	struct stat_line s;
	char path[64];
	pid_t pid = fork();
	int status;

	if (pid == 0)
		_exit(7);
	if (!CHECK(pid > 0))
		return 1;
	/* Wait (bounded) until it is a zombie, without reaping it. */
	for (int i = 0; i < 500; i++) {
		if (read_stat(pid, &s) > 0 && s.state == 'Z')
			break;
		tap_sleep_ms(10);
	}
	CHECK_EQ(s.state, 'Z');
	CHECK_EQ(s.f[4], getpid());
	/* Its leader counts until it is reaped, as on Linux. */
	CHECK_EQ(s.f[20], 1);
	{
		char buf[2048];

		snprintf(path, sizeof(path), "/proc/%d/status", (int)pid);
		CHECK(tap_read_file(path, buf, sizeof(buf)) > 0);
		CHECK_EQ(status_field(buf, "Threads"), 1);
	}
	CHECK_EQ(waitpid(pid, &status, 0), pid);
	CHECK_EQ(WEXITSTATUS(status), 7);
	snprintf(path, sizeof(path), "/proc/%d/stat", (int)pid);
	CHECK_ERR(open(path, O_RDONLY), ENOENT);
	return 0;
}

static long status_field(const char *text, const char *name)
{
	char key[64];
	const char *p;

	snprintf(key, sizeof(key), "\n%s:\t", name);
	p = strstr(text, key);
	return p ? strtol(p + strlen(key), NULL, 10) : -12345;
}

static int case_status(void)
{
	char buf[4096];

	CHECK(tap_read_file("/proc/self/status", buf + 1, sizeof(buf) - 1) > 0);
	buf[0] = '\n';
	CHECK(strncmp(buf + 1, "Name:\tproc\n", 11) == 0);
	CHECK(strstr(buf, "\nState:\tR (running)\n") != NULL);
	CHECK_EQ(status_field(buf, "Tgid"), getpid());
	CHECK_EQ(status_field(buf, "Pid"), getpid());
	CHECK_EQ(status_field(buf, "PPid"), getppid());
	CHECK_EQ(status_field(buf, "Uid"), getuid());
	CHECK_EQ(status_field(buf, "Gid"), getgid());
	CHECK_EQ(status_field(buf, "Threads"), 1);
	return 0;
}

static int case_cmdline_links(void)
{
	char buf[512], want[64], exe[512];
	struct stat a, b;
	ssize_t n;
	int fd = open("/proc/self/cmdline", O_RDONLY);

	CHECK(fd >= 0);
	n = read(fd, buf, sizeof(buf));
	close(fd);
	CHECK_EQ(n, (long long)strlen(self_argv0) + 1);
	CHECK(memcmp(buf, self_argv0, (size_t)n) == 0);
	n = readlink("/proc/self", buf, sizeof(buf) - 1);
	snprintf(want, sizeof(want), "%d", (int)getpid());
	CHECK_EQ(n, (long long)strlen(want));
	CHECK(n > 0 && memcmp(buf, want, (size_t)n) == 0);
	n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
	CHECK(n > 0 && exe[0] == '/');
	if (n > 0)
		exe[n] = '\0';
	CHECK_EQ(stat(exe, &a), 0);
	CHECK_EQ(stat("/proc/self/exe", &b), 0);
	CHECK_EQ(a.st_ino, b.st_ino);
	CHECK_EQ(a.st_dev, b.st_dev);
	return 0;
}

static bool dir_has(const char *dir, const char *name)
{
	DIR *d = opendir(dir);
	struct dirent *e;
	bool found = false;

	if (!d)
		return false;
	while ((e = readdir(d)))
		if (strcmp(e->d_name, name) == 0)
			found = true;
	closedir(d);
	return found;
}

static int case_dirs(void)
{
	char me[32], path[64], link[256];
	int fd;
	ssize_t n;

	snprintf(me, sizeof(me), "%d", (int)getpid());
	CHECK(dir_has("/proc", me));
	CHECK(dir_has("/proc", "1"));
	CHECK(dir_has("/proc", "self"));
	CHECK(dir_has("/proc", "meminfo"));
	CHECK(dir_has("/proc/self/task", me));
	fd = open("/proc/self/status", O_RDONLY);
	CHECK(fd >= 3);
	snprintf(path, sizeof(path), "%d", fd);
	CHECK(dir_has("/proc/self/fd", "0"));
	CHECK(dir_has("/proc/self/fd", path));
	snprintf(path, sizeof(path), "/proc/self/fd/%d", fd);
	n = readlink(path, link, sizeof(link) - 1);
	CHECK(n > 0);
	if (n > 0)
		link[n] = '\0';
	/* The status file was opened through /proc/self, which names this process. */
	snprintf(path, sizeof(path), "/proc/%d/status", (int)getpid());
	CHECK(strcmp(link, path) == 0);
	close(fd);
	CHECK_ERR(open("/proc/self/nonexistent", O_RDONLY), ENOENT);
	CHECK_ERR(mkdir("/proc/newdir", 0755), ENOENT);
	CHECK_ERR(open("/proc/newfile", O_WRONLY | O_CREAT, 0644), ENOENT);
	return 0;
}

static int case_meminfo(void)
{
	char buf[4096];
	struct sysinfo si;
	unsigned long total = 0, freek = 0;
	char *p;

	CHECK(tap_read_file("/proc/meminfo", buf, sizeof(buf)) > 0);
	p = strstr(buf, "MemTotal:");
	CHECK(p && sscanf(p, "MemTotal: %lu kB", &total) == 1);
	p = strstr(buf, "MemFree:");
	CHECK(p && sscanf(p, "MemFree: %lu kB", &freek) == 1);
	CHECK_EQ(sysinfo(&si), 0);
	CHECK_EQ(total, (unsigned long long)si.totalram * si.mem_unit / 1024);
	CHECK(freek > 0 && freek <= total);
	CHECK(tap_read_file("/proc/uptime", buf, sizeof(buf)) > 0);
	CHECK(strchr(buf, '.') != NULL);
	CHECK(tap_read_file("/proc/stat", buf, sizeof(buf)) > 0);
	CHECK(strncmp(buf, "cpu  ", 5) == 0);
	CHECK(tap_read_file("/proc/sys/kernel/pid_max", buf, sizeof(buf)) > 0);
	CHECK(atoi(buf) >= 32768);
	return 0;
}

/* A /proc/meminfo field in kB, or -1. */
static long meminfo_kb(const char *name)
{
	char buf[8192], key[64];
	const char *p;

	if (tap_read_file("/proc/meminfo", buf, sizeof(buf)) <= 0)
		return -1;
	snprintf(key, sizeof(key), "\n%s:", name);
	p = strstr(buf, key);
	return p ? strtol(p + strlen(key), NULL, 10) : -1;
}

/* Slab is the kernel heap, SReclaimable + SUnreclaim, and grows with the kernel
 * objects a process makes (400 pipes: their inodes, files and pipe buffers). */
static int case_meminfo_slab(void)
{
	long slab = meminfo_kb("Slab"), rec = meminfo_kb("SReclaimable");
	long unrec = meminfo_kb("SUnreclaim"), after;
	int fds[400][2], n;

	CHECK(slab > 0);
	CHECK(rec >= 0 && unrec > 0);
	CHECK_EQ(slab, rec + unrec);
	for (n = 0; n < 400; n++)
		if (pipe(fds[n]))
			break;
	CHECK_EQ(n, 400);
	after = meminfo_kb("Slab");
	tap_diag("Slab %ld kB, %ld kB with 400 more pipes", slab, after);
	CHECK(after >= slab + 200);
	while (n-- > 0) {
		close(fds[n][0]);
		close(fds[n][1]);
	}
	return 0;
}

/* /proc/slabinfo (what slabtop reads): version 2.1, and a kmalloc-64 cache whose counts
 * agree with themselves; readable by root only. */
static int case_slabinfo(void)
{
	static char buf[65536];
	unsigned long active, num, size, per, pages, aslabs, nslabs;
	struct stat st;
	char *line;
	pid_t pid;

	CHECK(tap_read_file("/proc/slabinfo", buf, sizeof(buf)) > 0);
	CHECK(!strncmp(buf, "slabinfo - version: 2.1\n# name ", 31));
	line = strstr(buf, "\nkmalloc-64 ");
	CHECK(line != NULL);
	if (line) {
		CHECK_EQ(sscanf(line + 1, "kmalloc-64 %lu %lu %lu %lu %lu : tunables %*u %*u %*u "
				": slabdata %lu %lu", &active, &num, &size, &per, &pages, &aslabs,
				&nslabs), 7);
		CHECK_EQ(size, 64);
		CHECK(active > 0 && active <= num);
		CHECK(per > 0 && nslabs > 0 && num <= nslabs * per);
	}
	CHECK_EQ(stat("/proc/slabinfo", &st), 0);
	CHECK_EQ(st.st_mode & 0777, 0400);
	pid = fork();
	if (pid == 0) {
		if (setuid(1000))
			_exit(2);
		_exit(open("/proc/slabinfo", O_RDONLY) == -1 && errno == EACCES ? 0 : 3);
	}
	CHECK_EQ(tap_wait_bounded(pid, 10), 0);
	return 0;
}

/* statm's third field, shared: the resident pages backed by a file or shared
 * memory (RssFile + RssShmem); touching a MAP_SHARED mapping adds to it. */
static int case_statm_shared(void)
{
	unsigned long size, rss, shared, shared2;
	char buf[256];
	char *m;

	CHECK(tap_read_file("/proc/self/statm", buf, sizeof(buf)) > 0);
	CHECK_EQ(sscanf(buf, "%lu %lu %lu", &size, &rss, &shared), 3);
	CHECK(shared > 0);	/* the program's own text, at least */
	CHECK(shared <= rss);
	m = mmap(NULL, 256 * 4096, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	CHECK(m != MAP_FAILED);
	for (int i = 0; i < 256; i++)
		m[i * 4096] = 1;
	CHECK(tap_read_file("/proc/self/statm", buf, sizeof(buf)) > 0);
	CHECK_EQ(sscanf(buf, "%lu %lu %lu", &size, &rss, &shared2), 3);
	tap_diag("shared %lu pages, %lu after touching 256 shared pages", shared, shared2);
	CHECK(shared2 >= shared + 200 && shared2 <= shared + 300);
	CHECK(shared2 <= rss);
	return 0;
}

/* kthreadd: pid 2, parent 0, a kernel thread (PF_KTHREAD) with an empty cmdline. */
static int case_kthreadd(void)
{
	struct stat_line s;
	char buf[64];

	if (!tap_on_sprout()) {
		tap_diag("pid 2 of a fresh pid namespace is not kthreadd");
		return TAP_SKIP_STATUS;
	}
	CHECK_EQ(read_stat(2, &s), 52);
	CHECK(strcmp(s.comm, "kthreadd") == 0);
	CHECK_EQ(s.state, 'S');
	CHECK_EQ(s.f[4], 0);			/* ppid */
	CHECK(s.f[9] & 0x00200000);		/* flags: PF_KTHREAD */
	CHECK_EQ(s.f[23], 0);			/* vsize: no memory of its own */
	CHECK_EQ(tap_read_file("/proc/2/cmdline", buf, sizeof(buf)), 0);
	CHECK_EQ(read_stat(1, &s), 52);
	CHECK_EQ(s.f[4], 0);			/* init's parent is 0 too */
	CHECK_EQ(kill(2, 0), 0);
	CHECK_EQ(kill(2, SIGKILL), 0);		/* discarded: kernel threads take no signals */
	tap_sleep_ms(20);
	CHECK_EQ(read_stat(2, &s), 52);
	CHECK_EQ(s.state, 'S');
	return 0;
}

int main(int argc, char **argv)
{
	snprintf(self_argv0, sizeof(self_argv0), "%s", argc > 0 ? argv[0] : "");
	tap_plan(10);
	run_case("/proc/self/stat: 52 fields matching the process", case_self_stat);
	run_case("a zombie shows Z and its parent; gone once reaped", case_zombie);
	run_case("/proc/self/status: Name, State, ids, Threads", case_status);
	run_case("cmdline, the self and exe links", case_cmdline_links);
	run_case("/proc lists processes; task/ and fd/ list threads and descriptors",
		 case_dirs);
	run_case("meminfo agrees with sysinfo; uptime, stat, pid_max", case_meminfo);
	run_case("kthreadd is pid 2 under pid 0, in brackets, deaf to signals", case_kthreadd);
	run_case("meminfo Slab = SReclaimable + SUnreclaim, grows with kernel objects",
		 case_meminfo_slab);
	run_case("statm shared: resident file and shared-memory pages", case_statm_shared);
	run_case("/proc/slabinfo: the kernel heap's caches, for root", case_slabinfo);
	return tap_done();
}
