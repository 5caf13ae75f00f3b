/*
 * Core files (core(5)): a child that abort()s with RLIMIT_CORE raised leaves
 * "core" in its working directory, an ELF ET_CORE whose notes say who died
 * of what (NT_PRSTATUS, NT_PRPSINFO, NT_SIGINFO, NT_AUXV, NT_FILE) and whose
 * PT_LOAD segments hold its memory: the markers it wrote in .data, on the
 * heap and on the stack are read back from the file. With RLIMIT_CORE 0
 * there is no core file and no core flag; a symlink named core is never
 * followed.
 * (Natively on Linux this needs kernel.core_pattern = "core", checked first.)
 */
#define _GNU_SOURCE
#include <tap.h>
#include <sys/syscall.h>
#include <pthread.h>

#define NT_PRSTATUS	1
#define NT_FPREGSET	2
#define NT_PRPSINFO	3
#define NT_AUXV		6
#define NT_SIGINFO	0x53494749
#define NT_FILE		0x46494c45
#define MARK		0x5350524f5554434fULL	/* "SPROUTCO" */

static volatile unsigned long long data_mark[4] = { 1, 2, 3, 4 };	/* .data */
static char dir[128];

/* The dying child: markers in .data, heap and stack, their addresses to the
 * parent through @fd, then abort(). */
static void die_with_markers(int fd, rlim_t core_limit)
{
	struct rlimit rl = { core_limit, core_limit };
	volatile unsigned long long stack_mark[2];
	unsigned long long *heap = malloc(4096);
	unsigned long long addrs[3];
	unsigned long long pid = (unsigned long long)getpid();

	if (!heap || setrlimit(RLIMIT_CORE, &rl) != 0)
		_exit(2);
	for (int i = 0; i < 4; i++)
		data_mark[i] = MARK ^ pid ^ (unsigned long long)i;
	heap[0] = heap[511] = MARK ^ pid ^ 0x100;
	stack_mark[0] = stack_mark[1] = MARK ^ pid ^ 0x200;
	addrs[0] = (unsigned long long)(uintptr_t)data_mark;
	addrs[1] = (unsigned long long)(uintptr_t)heap;
	addrs[2] = (unsigned long long)(uintptr_t)stack_mark;
	if (write(fd, addrs, sizeof(addrs)) != sizeof(addrs))
		_exit(3);
	abort();
}

/* Fork the dying child with cwd = dir; return its wait status and marker addresses. */
static int run_child(rlim_t core_limit, unsigned long long addrs[3], pid_t *pidp)
{
	int p[2], st = -1;

	if (pipe(p) != 0)
		return -1;
	pid_t pid = fork();

	if (pid == 0) {
		close(p[0]);
		if (chdir(dir) != 0)
			_exit(4);
		die_with_markers(p[1], core_limit);
	}
	close(p[1]);
	if (read(p[0], addrs, 3 * sizeof(addrs[0])) != 3 * (ssize_t)sizeof(addrs[0]))
		addrs[0] = 0;
	close(p[0]);
	waitpid(pid, &st, 0);
	*pidp = pid;
	return st;
}

/* Read @n bytes at @off of the core file. */
static bool core_read(int fd, unsigned long long off, void *buf, size_t n)
{
	return pread(fd, buf, n, (off_t)off) == (ssize_t)n;
}

/* The 8-byte word at user address @addr, from the PT_LOAD that holds it. */
static bool core_word(int fd, const Elf64_Ehdr *eh, unsigned long long addr,
		      unsigned long long *val)
{
	for (int i = 0; i < eh->e_phnum; i++) {
		Elf64_Phdr ph;

		if (!core_read(fd, eh->e_phoff + (unsigned long long)i * sizeof(ph), &ph, sizeof(ph)))
			return false;
		if (ph.p_type != PT_LOAD || addr < ph.p_vaddr || addr + 8 > ph.p_vaddr + ph.p_filesz)
			continue;
		return core_read(fd, ph.p_offset + (addr - ph.p_vaddr), val, 8);
	}
	return false;
}

#define MAX_THREADS	8

/* The pr_pid of every NT_PRSTATUS, in file order (check_notes fills them). */
static int prstatus_pids[MAX_THREADS], prstatus_count;

/* Check the notes of the PT_NOTE segment; returns the number of bad things. */
static int check_notes(int fd, const Elf64_Phdr *note, pid_t pid)
{
	char *buf = malloc(note->p_filesz + 1);
	unsigned seen = 0;
	size_t off = 0;

	prstatus_count = 0;

	CHECK(buf != NULL);
	if (!buf || !core_read(fd, note->p_offset, buf, note->p_filesz))
		return 1;
	while (off + 12 <= note->p_filesz) {
		unsigned *h = (unsigned *)(buf + off);
		unsigned namesz = h[0], descsz = h[1], type = h[2];
		const char *name = buf + off + 12;
		const char *desc = name + ((namesz + 3) & ~3u);

		if (desc + descsz > buf + note->p_filesz)
			break;
		if (namesz == 5 && !memcmp(name, "CORE", 5)) {
			switch (type) {
			case NT_PRSTATUS:
				seen |= 1;
				CHECK(descsz >= 112 + 27 * 8);
				CHECK_EQ(*(short *)(desc + 12), SIGABRT);	/* pr_cursig */
				if (prstatus_count < MAX_THREADS)
					prstatus_pids[prstatus_count] = *(int *)(desc + 32);
				prstatus_count++;
				CHECK_EQ(*(int *)(desc + 36), getpid());	/* pr_ppid */
				break;
			case NT_FPREGSET:
				seen |= 32;
				CHECK_EQ(descsz, 512);				/* the FXSAVE image */
				CHECK_EQ(*(unsigned *)(desc + 24) & 0xffc0, 0x1f80);	/* MXCSR */
				break;
			case NT_PRPSINFO:
				seen |= 2;
				CHECK_EQ(descsz, 136);
				CHECK_EQ(*(int *)(desc + 24), pid);
				CHECK(strncmp(desc + 40, "coredump", 16) == 0);	/* pr_fname */
				break;
			case NT_SIGINFO: {
				siginfo_t si;

				seen |= 4;
				CHECK_EQ(descsz, sizeof(si));
				memcpy(&si, desc, sizeof(si));
				CHECK_EQ(si.si_signo, SIGABRT);
				CHECK_EQ(si.si_pid, pid);	/* raise(): sent by itself */
				break;
			}
			case NT_AUXV: {
				const unsigned long long *a = (const void *)desc;
				bool pagesz = false;

				seen |= 8;
				for (size_t i = 0; i + 1 < descsz / 8; i += 2)
					if (a[i] == AT_PAGESZ && a[i + 1] == 4096)
						pagesz = true;
				CHECK(pagesz);
				CHECK_EQ(a[descsz / 8 - 2], AT_NULL);
				break;
			}
			case NT_FILE: {
				const unsigned long long *w = (const void *)desc;
				size_t names = 16 + w[0] * 24;
				bool self = false;

				seen |= 16;
				CHECK(w[0] >= 1);
				CHECK_EQ(w[1], 4096);
				for (size_t i = names; i < descsz; i += strlen(desc + i) + 1)
					if (strstr(desc + i, "coredump"))
						self = true;
				CHECK(self);
				break;
			}
			}
		}
		off = (size_t)(desc - buf) + ((descsz + 3) & ~3u);
	}
	CHECK_EQ(seen, 63);
	CHECK(prstatus_count >= 1);
	CHECK_EQ(prstatus_pids[0], pid);	/* the thread that died first */
	free(buf);
	return seen == 63 ? 0 : 1;
}

/* Can this Linux write core files to "core" for us? Its kernel.core_pattern
 * must be "core", and RLIMIT_CORE must be raisable (a hard limit of 0, as
 * "ulimit -c 0" sets, cannot be raised without CAP_SYS_RESOURCE). On Sprout
 * the answer is always yes: a failure there is a failure. */
static bool core_pattern_plain(void)
{
	struct rlimit rl = { RLIM_INFINITY, RLIM_INFINITY };
	char pat[256] = "";

	if (tap_on_sprout())
		return true;
	if (tap_read_file("/proc/sys/kernel/core_pattern", pat, sizeof(pat)) <= 0 ||
	    strcmp(pat, "core\n") != 0) {
		tap_diag("this Linux's kernel.core_pattern is not \"core\"");
		return false;
	}
	if (setrlimit(RLIMIT_CORE, &rl) != 0) {
		tap_diag("RLIMIT_CORE cannot be raised here (hard limit set by ulimit -c)");
		return false;
	}
	return true;
}

static void core_path(char *buf, size_t size)
{
	snprintf(buf, size, "%s/core", dir);
}

static int case_abort_core(void)
{
	unsigned long long addrs[3], v;
	char path[160];
	Elf64_Ehdr eh;
	Elf64_Phdr note = { 0 };
	pid_t pid;
	int fd, st, loads = 0;

	if (!core_pattern_plain())
		return TAP_SKIP_STATUS;
	core_path(path, sizeof(path));
	unlink(path);
	st = run_child(RLIM_INFINITY, addrs, &pid);
	CHECK(addrs[0] != 0);
	CHECK(WIFSIGNALED(st));
	CHECK_EQ(WTERMSIG(st), SIGABRT);
	CHECK(WCOREDUMP(st));
	fd = open(path, O_RDONLY);
	CHECK(fd >= 0);
	if (fd < 0)
		return 1;
	CHECK(core_read(fd, 0, &eh, sizeof(eh)));
	CHECK(memcmp(eh.e_ident, ELFMAG, SELFMAG) == 0);
	CHECK_EQ(eh.e_ident[EI_CLASS], ELFCLASS64);
	CHECK_EQ(eh.e_type, ET_CORE);
	CHECK_EQ(eh.e_machine, EM_X86_64);
	CHECK_EQ(eh.e_phentsize, sizeof(Elf64_Phdr));
	for (int i = 0; i < eh.e_phnum; i++) {
		Elf64_Phdr ph;

		CHECK(core_read(fd, eh.e_phoff + (unsigned long long)i * sizeof(ph), &ph, sizeof(ph)));
		if (ph.p_type == PT_NOTE && !note.p_filesz)
			note = ph;
		loads += ph.p_type == PT_LOAD;
	}
	CHECK(note.p_filesz > 0);
	CHECK(loads >= 3);
	CHECK_EQ(check_notes(fd, &note, pid), 0);
	for (int i = 0; i < 4; i++) {
		v = 0;
		CHECK(core_word(fd, &eh, addrs[0] + 8 * (unsigned)i, &v));
		CHECK_EQ(v, MARK ^ (unsigned long long)pid ^ (unsigned)i);
	}
	v = 0;
	CHECK(core_word(fd, &eh, addrs[1], &v));
	CHECK_EQ(v, MARK ^ (unsigned long long)pid ^ 0x100);
	v = 0;
	CHECK(core_word(fd, &eh, addrs[1] + 511 * 8, &v));
	CHECK_EQ(v, MARK ^ (unsigned long long)pid ^ 0x100);
	v = 0;
	CHECK(core_word(fd, &eh, addrs[2], &v));
	CHECK_EQ(v, MARK ^ (unsigned long long)pid ^ 0x200);
	close(fd);
	unlink(path);
	return 0;
}

static void *sleeper(void *arg)
{
	int *tid = arg;

	*tid = (int)syscall(SYS_gettid);
	for (;;)
		pause();
	return NULL;
}

/* A process with three threads: one NT_PRSTATUS per thread, the aborting
 * (main) thread's first, each with its own tid. */
static int case_threads(void)
{
	static volatile int tids[2];
	char path[160];
	Elf64_Ehdr eh;
	Elf64_Phdr note = { 0 };
	int p[2], st, fd, got[2];

	if (!core_pattern_plain())
		return TAP_SKIP_STATUS;
	core_path(path, sizeof(path));
	unlink(path);
	CHECK_EQ(pipe(p), 0);
	pid_t pid = fork();

	if (pid == 0) {
		struct rlimit rl = { RLIM_INFINITY, RLIM_INFINITY };
		pthread_t th;

		if (chdir(dir) || setrlimit(RLIMIT_CORE, &rl))
			_exit(2);
		for (int i = 0; i < 2; i++)
			if (pthread_create(&th, NULL, sleeper, (void *)&tids[i]))
				_exit(3);
		while (!tids[0] || !tids[1])
			tap_sleep_ms(1);
		got[0] = tids[0];
		got[1] = tids[1];
		if (write(p[1], got, sizeof(got)) != sizeof(got))
			_exit(4);
		tap_sleep_ms(50);	/* let both block in pause() */
		abort();
	}
	close(p[1]);
	CHECK_EQ(read(p[0], got, sizeof(got)), (ssize_t)sizeof(got));
	close(p[0]);
	CHECK_EQ(waitpid(pid, &st, 0), pid);
	CHECK(WIFSIGNALED(st) && WTERMSIG(st) == SIGABRT);
	CHECK(WCOREDUMP(st));
	fd = open(path, O_RDONLY);
	CHECK(fd >= 0);
	if (fd < 0)
		return 1;
	CHECK(core_read(fd, 0, &eh, sizeof(eh)));
	for (int i = 0; i < eh.e_phnum; i++) {
		Elf64_Phdr ph;

		CHECK(core_read(fd, eh.e_phoff + (unsigned long long)i * sizeof(ph), &ph, sizeof(ph)));
		if (ph.p_type == PT_NOTE && !note.p_filesz)
			note = ph;
	}
	CHECK_EQ(check_notes(fd, &note, pid), 0);
	CHECK_EQ(prstatus_count, 3);
	CHECK((prstatus_pids[1] == got[0] && prstatus_pids[2] == got[1]) ||
	      (prstatus_pids[1] == got[1] && prstatus_pids[2] == got[0]));
	close(fd);
	unlink(path);
	return 0;
}

/* RLIMIT_CORE 0: no file, no core flag. */
static int case_no_limit(void)
{
	unsigned long long addrs[3];
	char path[160];
	pid_t pid;
	int st;

	core_path(path, sizeof(path));
	unlink(path);
	st = run_child(0, addrs, &pid);
	CHECK(WIFSIGNALED(st));
	CHECK_EQ(WTERMSIG(st), SIGABRT);
	CHECK(!WCOREDUMP(st));
	CHECK_ERR(access(path, F_OK), ENOENT);
	return 0;
}

/* A symlink named core is never followed. */
static int case_symlink(void)
{
	unsigned long long addrs[3];
	char path[160], target[160];
	struct stat sb;
	pid_t pid;
	int st;

	if (!core_pattern_plain())
		return TAP_SKIP_STATUS;
	core_path(path, sizeof(path));
	snprintf(target, sizeof(target), "%s/target", dir);
	unlink(path);
	unlink(target);
	CHECK_EQ(symlink(target, path), 0);
	st = run_child(RLIM_INFINITY, addrs, &pid);
	CHECK(WIFSIGNALED(st));
	CHECK_ERR(stat(target, &sb), ENOENT);
	/* Sprout refuses the name; recent Linux replaces the link by a new
	 * file. Either way the link's target is never written. */
	if (tap_on_sprout())
		CHECK(!WCOREDUMP(st));
	if (WCOREDUMP(st))
		CHECK(lstat(path, &sb) == 0 && S_ISREG(sb.st_mode));
	unlink(path);
	return 0;
}

int main(void)
{
	tap_tmppath(dir, sizeof(dir), "coredump");
	mkdir(dir, 0755);
	tap_plan(4);
	run_case("abort with RLIMIT_CORE: an ELF core with notes and the memory", case_abort_core);
	run_case("a core of three threads: one NT_PRSTATUS each", case_threads);
	run_case("RLIMIT_CORE 0: no core file, no core flag", case_no_limit);
	run_case("a symlink named core is not followed", case_symlink);
	rmdir(dir);
	return tap_done();
}
