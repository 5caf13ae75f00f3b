/*
 * A dynamically linked glibc program for tests/guest/dynamic.c: built with the host's gcc
 * (no -static), so execve has to map its PT_INTERP (ld-linux-x86-64.so.2), which maps
 * libc.so.6. It prints what the kernel told it through the aux vector and
 * what it sees of itself, one "key=value" line each, for the test to check. The aux vector
 * is read as the kernel left it, after envp on the initial stack: glibc's getauxval(3) answers
 * AT_HWCAP from ld.so's own CPU probe, not from the kernel.
 *   args       its argv[1..], joined by ","
 *   entry_ok   AT_ENTRY is this program's _start (ld.so jumped to it)
 *   phdr_ok    AT_PHDR is this program's own program header table (dl_iterate_phdr)
 *   phnum_ok   AT_PHNUM matches it; phent = AT_PHENT
 *   load       where the program itself was loaded (0 for ET_EXEC), hex
 *   base       AT_BASE, the interpreter's base, hex
 *   base_maps  AT_BASE starts a /proc/self/maps line of ld-linux-x86-64.so.2 at offset 0
 *   maps_prog  /proc/self/maps names the program's own file (/proc/self/exe's target)
 *   maps_libc  /proc/self/maps names libc.so.6
 *   libc_below libc.so.6 lies below the interpreter: ld.so mapped it in the mmap area, whose
 *              top the interpreter occupies (Linux's layout)
 *   pagesz, clktck, flags, secure, platform, execfn   the aux vector values
 *   hwcap_ok   AT_HWCAP is CPUID leaf 1 EDX
 *   minsigstksz_ok   AT_MINSIGSTKSZ is at least 1 KiB and at most MINSIGSTKSZ * 64
 *   random_ok  AT_RANDOM points at 16 readable bytes, not all zero
 */
#define _GNU_SOURCE
#include <cpuid.h>
#include <link.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/auxv.h>
#include <unistd.h>

#ifndef AT_MINSIGSTKSZ
#define AT_MINSIGSTKSZ 51
#endif

extern char _start[];
extern char **environ;

static const ElfW(auxv_t) *auxv;

/* The value of aux vector entry @type, or 0. */
static unsigned long aux(unsigned long type)
{
	for (const ElfW(auxv_t) *a = auxv; a->a_type != AT_NULL; a++) {
		if (a->a_type == type)
			return a->a_un.a_val;
	}
	return 0;
}

/* Find the aux vector: it follows envp's NULL (main has not changed environ). */
static void find_auxv(void)
{
	char **e = environ;

	while (*e)
		e++;
	auxv = (const ElfW(auxv_t) *)(e + 1);
}

struct self {
	unsigned long addr;
	const ElfW(Phdr) *phdr;
	int phnum;
	int seen;
};

static int first_object(struct dl_phdr_info *info, size_t size, void *data)
{
	struct self *s = data;

	/* The first object dl_iterate_phdr reports is the main program. */
	if (s->seen++)
		return 0;
	s->addr = info->dlpi_addr;
	s->phdr = info->dlpi_phdr;
	s->phnum = info->dlpi_phnum;
	return 0;
}

/* Does a maps line name a file whose path ends with @suffix ("/libc.so.6")?
 * With @need_start, it must also begin at @start with file offset 0. The
 * first such line's start goes to *@first when @first is not NULL. */
static int maps_find(const char *suffix, unsigned long start, int need_start,
		     unsigned long *first)
{
	FILE *f = fopen("/proc/self/maps", "r");
	char line[4352];
	int found = 0;

	if (!f)
		return 0;
	while (!found && fgets(line, sizeof(line), f)) {
		unsigned long lo, hi, off;
		char path[4200] = "";
		size_t n, sl = strlen(suffix);

		if (sscanf(line, "%lx-%lx %*s %lx %*s %*s %4199s", &lo, &hi, &off, path) < 3)
			continue;
		n = strlen(path);
		if (n < sl || strcmp(path + n - sl, suffix) != 0)
			continue;
		if (!need_start || (lo == start && off == 0))
			found = 1;
		if (found && first)
			*first = lo;
	}
	fclose(f);
	return found;
}

static int maps_has(const char *suffix, unsigned long start, int need_start)
{
	return maps_find(suffix, start, need_start, NULL);
}

int main(int argc, char **argv)
{
	struct self s = { 0 };
	char exe[PATH_MAX];
	unsigned int a, b, c, d;
	find_auxv();
	const unsigned char *rnd = (const unsigned char *)aux(AT_RANDOM);
	const char *platform = (const char *)aux(AT_PLATFORM);
	const char *execfn = (const char *)aux(AT_EXECFN);
	unsigned long base = aux(AT_BASE), minsig = aux(AT_MINSIGSTKSZ);
	int random_ok = 0;
	ssize_t n;

	printf("args=");
	for (int i = 1; i < argc; i++)
		printf("%s%s", i > 1 ? "," : "", argv[i]);
	printf("\n");

	dl_iterate_phdr(first_object, &s);
	printf("entry_ok=%d\n", aux(AT_ENTRY) == (unsigned long)_start);
	printf("phdr_ok=%d\n", aux(AT_PHDR) == (unsigned long)s.phdr);
	printf("phnum_ok=%d\n", aux(AT_PHNUM) == (unsigned long)s.phnum);
	printf("phent=%lu\n", aux(AT_PHENT));
	printf("load=%lx\n", s.addr);
	printf("base=%lx\n", base);
	printf("base_maps=%d\n", base && maps_has("/ld-linux-x86-64.so.2", base, 1));
	n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
	exe[n > 0 ? n : 0] = '\0';
	printf("maps_prog=%d\n", n > 0 && maps_has(exe, 0, 0));
	unsigned long libc = 0;

	printf("maps_libc=%d\n", maps_find("/libc.so.6", 0, 0, &libc));
	printf("libc_below=%d\n", libc && base && libc < base);
	printf("pagesz=%lu\n", aux(AT_PAGESZ));
	printf("clktck=%lu\n", aux(AT_CLKTCK));
	printf("flags=%lu\n", aux(AT_FLAGS));
	printf("secure=%lu\n", aux(AT_SECURE));
	printf("platform=%s\n", platform ? platform : "(none)");
	printf("execfn=%s\n", execfn ? execfn : "(none)");
	__cpuid(1, a, b, c, d);
	printf("hwcap_ok=%d\n", aux(AT_HWCAP) == d);
	printf("minsigstksz_ok=%d\n", minsig >= 1024 && minsig <= 2048 * 64);
	for (int i = 0; rnd && i < 16; i++)
		random_ok |= rnd[i] != 0;
	printf("random_ok=%d\n", random_ok);
	return 0;
}
