/*
 * Hardware randomness for AT_RANDOM, stack canaries of new programs and the
 * like: RDRAND when the CPU has it, otherwise a mix of the TSC (good enough
 * to differ between runs, not cryptographic).
 */
#include "x86.h"

#define RDRAND_RETRIES	10

static bool rdrand64(u64 *v)
{
	for (int i = 0; i < RDRAND_RETRIES; i++) {
		u8 ok;

		__asm__ volatile("rdrand %0; setc %1" : "=r"(*v), "=qm"(ok));
		if (ok)
			return true;
	}
	return false;
}

/* A 64-bit finaliser (splitmix64's constants): spreads TSC low bits over
 * the whole word. */
static u64 mix64(u64 z)
{
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ul;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebul;
	return z ^ (z >> 31);
}

/* arch_random_u64 - see include/arch.h. Any context. Sleeps: no. */
u64 arch_random_u64(void)
{
	static u64 counter;
	u64 v;

	if (x86_cpu.rdrand && rdrand64(&v))
		return v;
	counter += 0x9e3779b97f4a7c15ul;
	return mix64(rdtsc() + counter);
}
