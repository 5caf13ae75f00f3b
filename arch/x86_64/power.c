/*
 * Stopping the machine. QEMU's isa-debug-exit device (port 0xf4) ends the
 * emulator with exit status (value << 1) | 1, which is how test runs report
 * their result to the host. Where there is no such device (any other PC, or
 * QEMU without it), ACPI's S5 state turns the machine off (acpi_sleep.c);
 * "poweroff=acpi" on the command line goes straight there.
 */
#include "x86.h"
#include "cpu.h"

#define DEBUG_EXIT_PORT	0xf4

/* arch_poweroff - see include/arch.h. Sleeps: no. Never returns. */
__noreturn void arch_poweroff(int status)
{
	arch_irq_disable();
	/* Quiet the other CPUs first (they may be mid-panic too). */
	if (__atomic_load_n(&ncpus, __ATOMIC_ACQUIRE) > 1)
		arch_stop_other_cpus();
	if (!x86_poweroff_acpi_only)
		outb(DEBUG_EXIT_PORT, (u8)status);
	/* Still here: no debug-exit device. */
	x86_acpi_poweroff();
	/* Nothing turned the machine off: park the CPU with interrupts off. */
	for (;;)
		__asm__ volatile("hlt");
}
