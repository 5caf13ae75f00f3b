/*
 * A page fault that finds no memory kills the process with SIGKILL, never
 * SIGSEGV: a child maps far more than the machine has (MAP_NORESERVE, so the
 * mapping itself is allowed) and writes every page until memory runs out.
 * The parent must see it die of SIGKILL (even with a SIGSEGV handler
 * installed, which must never run), survive, and get the child's pages back.
 * Then the choice of the victim: a big idle child (60% of free memory) and a
 * hog that stops at 50% make the machine run out in the hog's fault; the
 * OOM killer must kill the big one (the largest), and the hog finishes. With
 * the big one at oom_score_adj -1000 it must be spared and the hog killed.
 * tools/test.py boots this with little memory (--mem 64M) and also checks
 * that the kernel log names the killed process. Exits 0 when all holds.
 * Sprout only: on Linux it would run the host out of memory, so it refuses.
 */
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/sysinfo.h>
#include <sys/utsname.h>
#include <sys/wait.h>
#include <unistd.h>

#define MAP_BYTES	(4UL << 30)	/* far beyond the guest's memory */
#define PAGE		4096UL

static unsigned long free_pages(void)
{
	struct sysinfo si;

	if (sysinfo(&si) != 0)
		return 0;
	return si.freeram * (si.mem_unit ? si.mem_unit : 1) / PAGE;
}

static void segv_handler(int sig)
{
	(void)sig;
	_exit(11);	/* the fault became SIGSEGV: wrong */
}

/* A child touching @pages pages, then: idle until killed (@idle), or exit 0. */
static pid_t toucher(unsigned long pages, bool idle, const char *adj, int ready_fd)
{
	pid_t pid = fork();

	if (pid == 0) {
		char *p;

		if (adj) {
			FILE *f = fopen("/proc/self/oom_score_adj", "w");

			if (!f || fputs(adj, f) < 0 || fclose(f) != 0)
				_exit(4);
		}
		p = mmap(NULL, pages * PAGE, PROT_READ | PROT_WRITE,
			 MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
		if (p == MAP_FAILED)
			_exit(2);
		for (unsigned long i = 0; i < pages; i++)
			p[i * PAGE] = (char)i;
		if (ready_fd >= 0 && write(ready_fd, "r", 1) != 1)
			_exit(5);
		if (!idle)
			_exit(0);
		for (;;)
			pause();
	}
	return pid;
}

/* The big idle child and the bounded hog; returns 0 when the right one died. */
static int choice(bool protect_big)
{
	unsigned long free0 = free_pages();
	int fds[2], st_big, st_hog;
	pid_t big, hog;
	char c;

	if (pipe(fds) != 0)
		return 1;
	big = toucher(free0 * 6 / 10, true, protect_big ? "-1000" : NULL, fds[1]);
	if (big < 0 || read(fds[0], &c, 1) != 1) {
		printf("oom: the big child did not get ready\n");
		return 1;
	}
	hog = toucher(free0 * 5 / 10, false, NULL, -1);
	if (hog < 0 || waitpid(hog, &st_hog, 0) != hog) {
		perror("oom: hog");
		return 1;
	}
	if (protect_big) {
		/* The big one survived: it still answers, and dies of our SIGTERM. */
		kill(big, SIGTERM);
	}
	if (waitpid(big, &st_big, 0) != big) {
		perror("oom: waitpid big");
		return 1;
	}
	close(fds[0]);
	close(fds[1]);
	if (!protect_big && !(WIFSIGNALED(st_big) && WTERMSIG(st_big) == SIGKILL &&
			      WIFEXITED(st_hog) && WEXITSTATUS(st_hog) == 0)) {
		printf("oom: big 0x%x hog 0x%x: expected the big child killed, the hog done\n",
		       st_big, st_hog);
		return 1;
	}
	if (protect_big && !(WIFSIGNALED(st_big) && WTERMSIG(st_big) == SIGTERM &&
			     WIFSIGNALED(st_hog) && WTERMSIG(st_hog) == SIGKILL)) {
		printf("oom: big 0x%x hog 0x%x: expected the -1000 child spared, the hog killed\n",
		       st_big, st_hog);
		return 1;
	}
	printf("oom: %s\n", protect_big ? "oom_score_adj -1000 spared, the hog killed"
					: "the largest process killed, not the faulting one");
	return 0;
}

int main(void)
{
	struct utsname u;
	unsigned long before, after;
	int status;
	pid_t pid;

	if (uname(&u) != 0 || strcmp(u.sysname, "Sprout") != 0) {
		printf("oom: skipped on %s: it would run this machine out of memory\n",
		       u.sysname);
		return 77;
	}
	before = free_pages();
	pid = fork();
	if (pid == 0) {
		struct sigaction sa;
		char *p;

		memset(&sa, 0, sizeof(sa));
		sa.sa_handler = segv_handler;
		sigaction(SIGSEGV, &sa, NULL);
		p = mmap(NULL, MAP_BYTES, PROT_READ | PROT_WRITE,
			 MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
		if (p == MAP_FAILED) {
			perror("oom: mmap");
			_exit(2);
		}
		for (unsigned long off = 0; off < MAP_BYTES; off += PAGE)
			p[off] = 1;
		_exit(3);	/* memory never ran out: wrong */
	}
	if (pid < 0 || waitpid(pid, &status, 0) != pid) {
		perror("oom: fork/waitpid");
		return 1;
	}
	after = free_pages();
	if (!WIFSIGNALED(status) || WTERMSIG(status) != SIGKILL) {
		printf("oom: child status 0x%x, expected death by SIGKILL\n", status);
		return 1;
	}
	/* Every page the child held comes back (a few may stay in kernel caches). */
	if (after + 64 < before) {
		printf("oom: %lu free pages before, %lu after the child died\n", before, after);
		return 1;
	}
	printf("oom: child %d killed by SIGKILL, %lu of %lu free pages back\n", (int)pid, after,
	       before);
	if (choice(false) || choice(true))
		return 1;
	after = free_pages();
	if (after + 64 < before) {
		printf("oom: %lu free pages before, %lu at the end\n", before, after);
		return 1;
	}
	return 0;
}
