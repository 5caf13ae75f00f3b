/*
 * A page fault that finds no memory kills the process with SIGKILL, never
 * SIGSEGV: a child maps far more than the machine has (MAP_NORESERVE, so the
 * mapping itself is allowed) and writes every page until memory runs out.
 * The parent must see it die of SIGKILL (even with a SIGSEGV handler
 * installed, which must never run), survive, and get the child's pages back.
 * tools/test.py boots this with little memory (--mem 64M) and also checks
 * that the kernel log names the killed process. Exits 0 when all holds.
 * Sprout only: on Linux it would run the host out of memory, so it refuses.
 */
#include <signal.h>
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
	return 0;
}
