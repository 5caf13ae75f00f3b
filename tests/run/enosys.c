/*
 * Calls an unimplemented system call many times under two program names:
 * the kernel log must name each (call, program) pair once, with the pid
 * and the name (tools/test.py reads build/kernel.log after the run).
 */
#include <errno.h>
#include <stdio.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <unistd.h>

#define UNKNOWN_NR	99999L

int main(void)
{
	int bad = 0;

	for (int round = 0; round < 2; round++) {
		prctl(PR_SET_NAME, round ? "enosys-two" : "enosys-one");
		for (int i = 0; i < 500; i++) {
			errno = 0;
			if (syscall(UNKNOWN_NR) != -1 || errno != ENOSYS)
				bad++;
		}
	}
	printf("pid %d bad %d\n", (int)getpid(), bad);
	return bad != 0;
}
