/*
 * The CPU description execve(2) puts in a new program's aux vector:
 * AT_HWCAP, AT_HWCAP2 and AT_PLATFORM, as Linux's x86-64 ELF_HWCAP,
 * ELF_HWCAP2 and ELF_PLATFORM define them. glibc's dynamic linker reads
 * them (and CPUID itself) to pick library variants.
 */
#include "kernel.h"
#include "arch.h"
#include "x86.h"

/* arch_elf_hwcap - see include/arch.h: CPUID.1:EDX of the boot CPU. */
u64 arch_elf_hwcap(void)
{
	u32 a, b, c, d;

	cpuid(1, 0, &a, &b, &c, &d);
	return d;
}

/* arch_elf_hwcap2 - see include/arch.h. HWCAP2_RING3MWAIT (bit 0) and
 * HWCAP2_FSGSBASE (bit 1) both need kernel support Sprout does not enable
 * (CR4.FSGSBASE stays clear), so no bit is set. */
u64 arch_elf_hwcap2(void)
{
	return 0;
}

/* arch_elf_platform - see include/arch.h. */
const char *arch_elf_platform(void)
{
	return "x86_64";
}
