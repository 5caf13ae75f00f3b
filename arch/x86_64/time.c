/*
 * Time: the TSC gives monotonic nanoseconds since boot, the CMOS RTC read
 * once at boot gives the wall-clock epoch. Both the TSC and the LAPIC timer
 * are calibrated against PIT channel 2 over about 10 ms.
 * Sources: Intel 8254 datasheet (mode 0, gate via port 0x61); Motorola
 * MC146818 RTC registers as on PCs (0x70/0x71).
 */
#include "x86.h"
#include "kernel.h"

#define PIT_HZ		1193182u
#define PIT_LATCH	11932u		/* ~10 ms */
#define PIT_CH2		0x42
#define PIT_CMD		0x43
#define PIT_GATE_PORT	0x61

#define CMOS_INDEX	0x70
#define CMOS_DATA	0x71

static u64 tsc_at_boot;
static u64 tsc_mult;		/* ns per TSC tick, 32.32 fixed point */
static u64 rtc_epoch_at_boot;

static void calibrate(void)
{
	u8 gate = inb(PIT_GATE_PORT);
	u64 t0, t1;
	u32 apic_ticks, spins = 0;

	/* Gate low and speaker off while channel 2 is loaded in mode 0. */
	outb(PIT_GATE_PORT, gate & ~0x03);
	outb(PIT_CMD, 0xb0);		/* channel 2, lo/hi byte, mode 0, binary */
	outb(PIT_CH2, PIT_LATCH & 0xff);
	outb(PIT_CH2, PIT_LATCH >> 8);

	x86_lapic_calibrate_begin();
	t0 = rdtsc();
	outb(PIT_GATE_PORT, (gate & ~0x02) | 0x01);	/* gate high: count */
	while (!(inb(PIT_GATE_PORT) & 0x20) && ++spins < 100000000)
		;
	t1 = rdtsc();
	apic_ticks = x86_lapic_calibrate_end();
	outb(PIT_GATE_PORT, gate);

	u64 tsc_hz = (t1 - t0) * PIT_HZ / PIT_LATCH;
	u64 apic_hz = (u64)apic_ticks * PIT_HZ / PIT_LATCH;

	if (tsc_hz == 0)
		tsc_hz = 1000000000;	/* absurd, but keeps the clock moving */
	tsc_mult = (1000000000ull << 32) / tsc_hz;
	x86_lapic_set_rate(apic_hz ? (u32)apic_hz : 1000000);
	printk("time: TSC %lu kHz, LAPIC timer %lu kHz\n", tsc_hz / 1000, apic_hz / 1000);
}

static u8 cmos_read(u8 reg)
{
	outb(CMOS_INDEX, reg);
	return inb(CMOS_DATA);
}

static unsigned bcd(u8 v, bool binary)
{
	return binary ? v : (v & 0x0f) + (v >> 4) * 10;
}

/* Days from 1970-01-01 to y-m-d (proleptic Gregorian), by counting years
 * as starting in March so the leap day ends the year. */
static u64 days_since_epoch(unsigned y, unsigned m, unsigned d)
{
	if (m <= 2)
		y--;
	unsigned era_year = y % 400;
	unsigned mp = (m + 9) % 12;			/* March = 0 */
	unsigned doy = (153 * mp + 2) / 5 + d - 1;
	unsigned doe = era_year * 365 + era_year / 4 - era_year / 100 + doy;
	u64 eras = y / 400;

	return eras * 146097 + doe - 719468;
}

struct rtc_time {
	u8 sec, min, hour, day, mon, year, century;
};

static void rtc_sample(struct rtc_time *t)
{
	int spins = 0;

	/* Wait out an update in progress so the fields belong together. */
	while ((cmos_read(0x0a) & 0x80) && ++spins < 1000000)
		;
	t->sec = cmos_read(0x00);
	t->min = cmos_read(0x02);
	t->hour = cmos_read(0x04);
	t->day = cmos_read(0x07);
	t->mon = cmos_read(0x08);
	t->year = cmos_read(0x09);
	t->century = cmos_read(0x32);
}

static void rtc_read(void)
{
	struct rtc_time a, b;
	int tries = 0;

	do {
		rtc_sample(&a);
		rtc_sample(&b);
	} while (memcmp(&a, &b, sizeof(a)) != 0 && ++tries < 5);

	u8 status_b = cmos_read(0x0b);
	bool binary = status_b & 0x04, h24 = status_b & 0x02;
	unsigned hour = bcd(a.hour & 0x7f, binary);

	if (!h24 && (a.hour & 0x80))
		hour = (hour % 12) + 12;
	else if (!h24 && hour == 12)
		hour = 0;
	unsigned year = bcd(a.year, binary);
	unsigned century = bcd(a.century, binary);

	year += (century >= 19 && century <= 30) ? century * 100 : 2000;
	u64 days = days_since_epoch(year, bcd(a.mon, binary), bcd(a.day, binary));

	rtc_epoch_at_boot = days * 86400 + hour * 3600 + bcd(a.min, binary) * 60 +
			    bcd(a.sec, binary);
}

/*
 * x86_time_init - read the RTC and calibrate the TSC and LAPIC timer. Boot
 * CPU, after arch_cpu_init(), interrupts disabled; busy-waits ~10 ms.
 */
void x86_time_init(void)
{
	rtc_read();
	tsc_at_boot = rdtsc();
	calibrate();
}

/* arch_clock_ns - see include/arch.h. Any context. Sleeps: no. */
u64 arch_clock_ns(void)
{
	if (!tsc_mult)
		return 0;
	return (u64)(((unsigned __int128)(rdtsc() - tsc_at_boot) * tsc_mult) >> 32);
}

/* arch_rtc_seconds - see include/arch.h. Any context. Sleeps: no. */
u64 arch_rtc_seconds(void)
{
	return rtc_epoch_at_boot + arch_clock_ns() / 1000000000ull;
}
