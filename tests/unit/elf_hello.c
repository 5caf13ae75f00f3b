/*
 * A minimal static program for tests/unit/test_elf.c: unit.mk links it with
 * musl-gcc -static and gcc -static-pie, and elf_check_* must accept both.
 * The .bss array gives the RW segment a p_memsz larger than its p_filesz.
 */
#include <stdio.h>

static int counters[4096];

int main(int argc, char **argv)
{
	counters[argc]++;
	printf("hello from %s\n", argv[0]);
	return counters[1] - 1;
}
