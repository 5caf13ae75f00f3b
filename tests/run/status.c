/*
 * Exit status round trip for `./sprout run`: "status N" exits with N,
 * "status segv" dies of SIGSEGV by writing through a null pointer, which
 * init reports as 128 + 11 = 139, as a shell would.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int main(int argc, char **argv)
{
	if (argc != 2) {
		fprintf(stderr, "usage: %s N|segv\n", argv[0]);
		return 2;
	}
	if (strcmp(argv[1], "segv") == 0) {
		/* volatile keeps the compiler from deciding the store cannot happen. */
		*(volatile int *)0 = 1;
		return 1;
	}
	return atoi(argv[1]);
}
