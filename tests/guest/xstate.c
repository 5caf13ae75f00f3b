/*
 * The AVX register state a process owns: the kernel turns it on where the CPU has AVX (CPUID's
 * OSXSAVE bit and XCR0 say so), keeps each process's ymm registers across context switches,
 * and saves them in a signal frame in Linux's format (UC_FP_XSTATE, FP_XSTATE_MAGIC1 in the
 * FXSAVE image's software bytes, FP_XSTATE_MAGIC2 after the XSAVE image), restoring what the
 * handler left there at sigreturn. Debian's coreutils (cksum) run AVX code whenever CPUID
 * lists AVX. On a CPU without AVX the cases skip: there is nothing to keep.
 */
#define _GNU_SOURCE
#include <tap.h>
#include <sched.h>
#include <ucontext.h>

#define FP_XSTATE_MAGIC1	0x46505853u
#define FP_XSTATE_MAGIC2	0x46505845u
#define UC_FP_XSTATE		0x1
#define YMM_HI_OFFSET		576	/* XSAVE standard form: the upper halves of ymm0-15 */

struct ymm {
	uint64_t q[4];
} __attribute__((aligned(32)));

static void cpuid(uint32_t leaf, uint32_t *a, uint32_t *b, uint32_t *c, uint32_t *d)
{
	__asm__ volatile("cpuid" : "=a"(*a), "=b"(*b), "=c"(*c), "=d"(*d) : "a"(leaf), "c"(0));
}

static bool cpu_has_avx(void)
{
	uint32_t a, b, c, d;

	cpuid(1, &a, &b, &c, &d);
	return c & (1u << 28);
}

/* Skip (the CPU has no AVX) or go on. */
#define NEED_AVX()                                                                         \
	do {                                                                               \
		if (!cpu_has_avx()) {                                                      \
			tap_diag("this CPU has no AVX");                                   \
			return TAP_SKIP_STATUS;                                            \
		}                                                                          \
	} while (0)

static void ymm_load(const struct ymm *v)
{
	__asm__ volatile("vmovdqa 0(%0), %%ymm0\n\tvmovdqa 32(%0), %%ymm1\n\t"
			 "vmovdqa 64(%0), %%ymm2\n\tvmovdqa 96(%0), %%ymm3\n\t"
			 "vmovdqa 128(%0), %%ymm15"
			 : : "r"(v) : "memory", "xmm0", "xmm1", "xmm2", "xmm3", "xmm15");
}

static void ymm_store(struct ymm *v)
{
	__asm__ volatile("vmovdqa %%ymm0, 0(%0)\n\tvmovdqa %%ymm1, 32(%0)\n\t"
			 "vmovdqa %%ymm2, 64(%0)\n\tvmovdqa %%ymm3, 96(%0)\n\t"
			 "vmovdqa %%ymm15, 128(%0)"
			 : : "r"(v) : "memory");
}

static void pattern(struct ymm *v, uint64_t seed)
{
	for (int i = 0; i < 5; i++)
		for (int j = 0; j < 4; j++)
			v[i].q[j] = seed * 0x9e3779b97f4a7c15ull + (uint64_t)(i * 4 + j);
}

/* CPUID says AVX: the kernel has turned its state on (OSXSAVE, XCR0 with SSE and AVX). */
static int avx_enabled(void)
{
	uint32_t a, b, c, d, lo, hi;

	NEED_AVX();
	cpuid(1, &a, &b, &c, &d);
	if (!CHECK(c & (1u << 27)))
		return 0;
	__asm__ volatile("xgetbv" : "=a"(lo), "=d"(hi) : "c"(0));
	CHECK_EQ(lo & 6, 6);
	return 0;
}

/* Two processes on one CPU with different ymm values, yielding to each other: neither sees
 * the other's, whole 256-bit registers. */
static int kept_across_switches(void)
{
	struct ymm mine[5], back[5];
	cpu_set_t one;
	pid_t pid;
	int bad = 0;

	NEED_AVX();
	CPU_ZERO(&one);
	CPU_SET(0, &one);
	CHECK_EQ(sched_setaffinity(0, sizeof(one), &one), 0);
	fflush(NULL);
	pid = fork();
	pattern(mine, pid == 0 ? 2 : 1);
	for (int n = 0; n < 300; n++) {
		ymm_load(mine);
		sched_yield();
		ymm_store(back);
		bad += memcmp(mine, back, sizeof(mine)) != 0;
	}
	if (pid == 0)
		_exit(bad ? 1 : 0);
	CHECK_EQ(bad, 0);
	CHECK_EQ(tap_wait_bounded(pid, 30), 0);
	return 0;
}

static volatile int handler_saw_xstate, handler_magic2;

static void clobber_handler(int sig, siginfo_t *si, void *ucv)
{
	ucontext_t *uc = ucv;
	struct ymm junk[5];
	const uint8_t *fp = (const uint8_t *)uc->uc_mcontext.fpregs;
	uint32_t magic1, size, magic2;

	(void)sig, (void)si;
	pattern(junk, 99);
	ymm_load(junk);		/* the interrupted code must not see these */
	memcpy(&magic1, fp + 464, 4);
	memcpy(&size, fp + 464 + 16, 4);	/* xstate_size */
	memcpy(&magic2, fp + size, 4);
	handler_saw_xstate = (uc->uc_flags & UC_FP_XSTATE) && magic1 == FP_XSTATE_MAGIC1;
	handler_magic2 = magic2 == FP_XSTATE_MAGIC2;
	/* What the handler writes into the frame's image comes back at sigreturn: the upper
	 * half of ymm1 (the second 16 bytes of the upper halves). */
	if (handler_saw_xstate)
		memset((uint8_t *)fp + YMM_HI_OFFSET + 16, 0x5a, 16);
}

/* A signal handler that uses ymm registers: the interrupted code's values come back from
 * the frame, in Linux's layout, with what the handler changed in it. */
static int kept_across_signals(void)
{
	struct sigaction sa = { .sa_sigaction = clobber_handler, .sa_flags = SA_SIGINFO };
	struct ymm mine[5], back[5];

	NEED_AVX();
	CHECK_EQ(sigaction(SIGUSR1, &sa, NULL), 0);
	pattern(mine, 7);
	ymm_load(mine);
	__asm__ volatile("syscall" : : "a"(62L), "D"((long)getpid()), "S"((long)SIGUSR1)
			 : "rcx", "r11", "memory");	/* kill() without touching ymm */
	ymm_store(back);
	CHECK(handler_saw_xstate);
	CHECK(handler_magic2);
	memset(&mine[1].q[2], 0x5a, 16);	/* the handler's change to ymm1 */
	CHECK(memcmp(mine, back, sizeof(mine)) == 0);
	return 0;
}

/* Entry point: runs every case and prints TAP. */
int main(void)
{
	tap_plan(3);
	run_case("CPUID lists AVX: OSXSAVE and XCR0 have its state on", avx_enabled);
	run_case("ymm registers kept across context switches, per process", kept_across_switches);
	run_case("signal frames carry the XSAVE image (Linux's magic), restored at sigreturn",
		 kept_across_signals);
	return tap_done();
}
