/*
 * A working set larger than the machine: allocate MIB megabytes (argument 1) in 4 MiB pieces,
 * write a pattern into every page, read it all back, then run busybox `free` while the memory
 * is still held, so that its Swap line shows what went to disk. Exits 0 when every page read
 * back right, 1 when one did not, 2 when an allocation failed. Without enough memory and swap
 * the OOM killer ends it with SIGKILL instead. tools/test.py runs it with --mem 64M, with and
 * without --swap 512M.
 */
#include <stdio.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <unistd.h>

#define PIECE	(4UL << 20)
#define PAGE	4096UL

int main(int argc, char **argv)
{
	unsigned long mib = argc > 1 ? strtoul(argv[1], NULL, 10) : 256;
	unsigned long pieces = mib * (1UL << 20) / PIECE, bad = 0;
	char **piece = calloc(pieces, sizeof(*piece));
	int status = -1;
	pid_t pid;

	if (!piece)
		return 2;
	for (unsigned long i = 0; i < pieces; i++) {
		piece[i] = malloc(PIECE);
		if (!piece[i]) {
			printf("touch: malloc of piece %lu failed\n", i);
			return 2;
		}
		for (unsigned long off = 0; off < PIECE; off += PAGE)
			*(unsigned long *)(piece[i] + off) = (i * PIECE + off) * 2654435761UL;
	}
	for (unsigned long i = 0; i < pieces; i++)
		for (unsigned long off = 0; off < PIECE; off += PAGE)
			bad += *(unsigned long *)(piece[i] + off) != (i * PIECE + off) * 2654435761UL;
	printf("touch: %lu MiB written, %lu pages wrong\n", mib, bad);
	fflush(stdout);
	pid = fork();
	if (pid == 0) {
		execl("/usr/bin/free", "free", "-k", (char *)NULL);
		_exit(127);
	}
	if (pid < 0 || waitpid(pid, &status, 0) != pid || status != 0)
		printf("touch: free did not run (status %d)\n", status);
	return bad ? 1 : 0;
}
