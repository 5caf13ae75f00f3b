/*
 * The local APIC (xAPIC, memory-mapped): enabling it, end-of-interrupt, and
 * its timer, calibrated against the PIT at boot (time.c) and then run
 * periodically at the scheduler's tick rate. Intel SDM vol. 3A ch. 10.
 */
#include "x86.h"
#include "cpu.h"
#include "kernel.h"

#define LAPIC_ID	0x020
#define LAPIC_TPR	0x080
#define LAPIC_EOI	0x0b0
#define LAPIC_SVR	0x0f0
#define LAPIC_ICR_LOW	0x300
#define LAPIC_ICR_HIGH	0x310
#define LAPIC_LVT_TIMER	0x320
#define LAPIC_TIMER_ICR	0x380
#define LAPIC_TIMER_CCR	0x390
#define LAPIC_TIMER_DCR	0x3e0

#define APIC_BASE_ENABLE	(1u << 11)
#define SVR_ENABLE		(1u << 8)
#define LVT_MASKED		(1u << 16)
#define LVT_PERIODIC		(1u << 17)
#define DCR_DIV16		0x3
#define ICR_DELIVERY_PENDING	(1u << 12)

static volatile u32 *lapic;
static u32 lapic_ticks_per_sec;	/* timer input clock after the divider */

static inline u32 lapic_read(u32 reg) { return lapic[reg / 4]; }
static inline void lapic_write(u32 reg, u32 v) { lapic[reg / 4] = v; }

/*
 * x86_lapic_init_cpu - software-enable this CPU's LAPIC with the spurious
 * vector, accept every priority, leave the timer masked. Interrupts
 * disabled. Sleeps: no.
 */
void x86_lapic_init_cpu(void)
{
	u64 base = rdmsr(MSR_APIC_BASE);

	wrmsr(MSR_APIC_BASE, base | APIC_BASE_ENABLE);
	/* The direct map covers the (sub-4 GiB) APIC page, made uncached by
	 * x86_mmu_boot_finish(). */
	lapic = phys_to_virt(base & 0xfffff000ul);
	lapic_write(LAPIC_SVR, SVR_ENABLE | VEC_SPURIOUS);
	lapic_write(LAPIC_TPR, 0);
	lapic_write(LAPIC_LVT_TIMER, LVT_MASKED | VEC_TIMER);
}

/* x86_lapic_id - this CPU's APIC id. Sleeps: no. */
u32 x86_lapic_id(void)
{
	return lapic_read(LAPIC_ID) >> 24;
}

/* x86_lapic_eoi - acknowledge the interrupt being serviced. Sleeps: no. */
void x86_lapic_eoi(void)
{
	lapic_write(LAPIC_EOI, 0);
}

/* x86_lapic_calibrate_begin - start the masked timer counting down from
 * the top; paired with x86_lapic_calibrate_end(). Boot CPU. */
void x86_lapic_calibrate_begin(void)
{
	lapic_write(LAPIC_TIMER_DCR, DCR_DIV16);
	lapic_write(LAPIC_LVT_TIMER, LVT_MASKED | VEC_TIMER);
	lapic_write(LAPIC_TIMER_ICR, 0xffffffff);
}

/* x86_lapic_calibrate_end - stop the count; returns ticks elapsed since
 * x86_lapic_calibrate_begin(). */
u32 x86_lapic_calibrate_end(void)
{
	u32 left = lapic_read(LAPIC_TIMER_CCR);

	lapic_write(LAPIC_TIMER_ICR, 0);
	return 0xffffffff - left;
}

/* x86_lapic_set_rate - record the calibrated timer clock (ticks/second). */
void x86_lapic_set_rate(u32 ticks_per_sec)
{
	lapic_ticks_per_sec = ticks_per_sec;
}

/*
 * x86_lapic_timer_start - periodic interrupts at @hz on VEC_TIMER on this
 * CPU. Needs the calibration from x86_time_init(). Sleeps: no.
 */
void x86_lapic_timer_start(unsigned hz)
{
	u32 count = lapic_ticks_per_sec / (hz ? hz : 100);

	if (count == 0)
		count = 1;
	lapic_write(LAPIC_TIMER_DCR, DCR_DIV16);
	lapic_write(LAPIC_LVT_TIMER, LVT_PERIODIC | VEC_TIMER);
	lapic_write(LAPIC_TIMER_ICR, count);
}

/*
 * arch_timer_init - see include/arch.h. The clock was calibrated during
 * boot; this starts the tick on the calling CPU and, on the boot CPU, also
 * turns on the console receive interrupt (the core calls this once its
 * tty can take console_rx()). Interrupts stay disabled. Sleeps: no.
 */
void arch_timer_init(unsigned hz)
{
	x86_lapic_timer_start(hz);
	if (this_cpu()->id == 0) {
		x86_irq_unmask_com1();
		x86_uart_enable_rx_irq();
	}
}

/*
 * x86_lapic_send_ipi - send the interprocessor interrupt described by
 * @icr_low (vector, delivery mode, level) to the CPU with APIC id @apic_id.
 * The two ICR writes must not be split by another IPI from this CPU, so
 * interrupts are off across them; waits for the previous IPI to leave.
 * Any context. Sleeps: no. Source: Intel SDM vol. 3A 10.6.1.
 */
void x86_lapic_send_ipi(u32 apic_id, u32 icr_low)
{
	unsigned long flags = arch_irq_save();

	while (lapic_read(LAPIC_ICR_LOW) & ICR_DELIVERY_PENDING)
		arch_cpu_relax();
	lapic_write(LAPIC_ICR_HIGH, apic_id << 24);
	lapic_write(LAPIC_ICR_LOW, icr_low);
	while (lapic_read(LAPIC_ICR_LOW) & ICR_DELIVERY_PENDING)
		arch_cpu_relax();
	arch_irq_restore(flags);
}
