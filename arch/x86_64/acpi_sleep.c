/*
 * Powering off through ACPI (sleep state S5, "soft off"), for a PC without QEMU's
 * isa-debug-exit device: write the \_S5 sleep type with SLP_EN to the PM1 control
 * registers. The registers come from the FADT; the sleep type is the first two elements
 * of the \_S5_ package in the DSDT's AML, found by its name rather than by running an AML
 * interpreter (the package is constant on every firmware that matters here, QEMU's included).
 * Everything is read at boot; power-off itself only writes I/O ports.
 * Source: ACPI 6.4 sections 4.8.3.2 (PM1 control), 5.2.9 (FADT), 7.4.2 (\_Sx objects),
 * 16.2 (AML encoding: NameOp, PackageOp, PkgLength, integer constants).
 */
#include "x86.h"
#include "kernel.h"
#include "lib/cmdline.h"

/* FADT byte offsets. */
#define FADT_DSDT		40
#define FADT_SMI_CMD		48
#define FADT_ACPI_ENABLE	52
#define FADT_PM1A_CNT		64
#define FADT_PM1B_CNT		68
#define FADT_X_DSDT		140
#define FADT_X_PM1A_CNT		172	/* Generic Address Structure, 12 bytes */
#define FADT_X_PM1B_CNT		184
#define ACPI_HEADER_LEN		36

#define GAS_SYSTEM_IO		1

#define PM1_SCI_EN		0x0001
#define PM1_SLP_TYP_SHIFT	10
#define PM1_SLP_TYP_MASK	(7u << PM1_SLP_TYP_SHIFT)
#define PM1_SLP_EN		(1u << 13)

/* AML opcodes (ACPI 6.4 20.2). */
#define AML_ZERO	0x00
#define AML_ONE		0x01
#define AML_NAME	0x08
#define AML_BYTE	0x0a
#define AML_WORD	0x0b
#define AML_DWORD	0x0c
#define AML_PACKAGE	0x12
#define AML_ROOT	'\\'

#define SCI_EN_SPINS	1000000	/* polls of PM1a for SCI_EN after the ACPI-enable SMI */

/* Filled once at boot on the boot CPU, read-only afterwards. */
static u16 pm1a_cnt, pm1b_cnt;		/* I/O ports; 0 = absent */
static u16 smi_cmd;
static u8 acpi_enable_val;
static u8 slp_typa, slp_typb;
static bool s5_found;
bool x86_poweroff_acpi_only;	/* "poweroff=acpi": skip the debug-exit port */

static u32 rd32(const u8 *p)
{
	u32 v;

	memcpy(&v, p, 4);
	return v;
}

/* An I/O port from a 32-bit FADT block field, else from its Generic Address Structure. */
static u16 fadt_port(const u8 *fadt, u32 len, u32 off32, u32 offgas)
{
	u64 addr;

	if (rd32(fadt + off32))
		return (u16)rd32(fadt + off32);
	if (len < offgas + 12 || fadt[offgas] != GAS_SYSTEM_IO)
		return 0;
	memcpy(&addr, fadt + offgas + 4, 8);
	return addr <= 0xffff ? (u16)addr : 0;
}

/* Parse an AML integer constant at *@p (< @end); false if it is something else. */
static bool aml_integer(const u8 **p, const u8 *end, u32 *out)
{
	const u8 *q = *p;
	size_t n;

	if (q >= end)
		return false;
	switch (*q) {
	case AML_ZERO:
		*out = 0;
		*p = q + 1;
		return true;
	case AML_ONE:
		*out = 1;
		*p = q + 1;
		return true;
	case AML_BYTE:
		n = 1;
		break;
	case AML_WORD:
		n = 2;
		break;
	case AML_DWORD:
		n = 4;
		break;
	default:
		return false;
	}
	if ((size_t)(end - q) < 1 + n)
		return false;
	*out = 0;
	memcpy(out, q + 1, n);
	*p = q + 1 + n;
	return true;
}

/*
 * Find Name(_S5_, Package() { SLP_TYPa, SLP_TYPb, ... }) in the AML at [@aml, @end) and
 * store the two sleep types. Returns true when found and well formed.
 */
static bool find_s5(const u8 *aml, const u8 *end)
{
	for (const u8 *p = aml; p + 4 <= end; p++) {
		u32 a, b;

		if (memcmp(p, "_S5_", 4))
			continue;
		/* NameOp, optionally with the root prefix, right before the name. */
		bool named = (p - aml >= 1 && p[-1] == AML_NAME) ||
			     (p - aml >= 2 && p[-1] == AML_ROOT && p[-2] == AML_NAME);
		const u8 *q = p + 4;

		if (!named || q >= end || *q != AML_PACKAGE)
			continue;
		q++;
		if (q >= end)
			return false;
		q += 1 + (*q >> 6);	/* PkgLength: the top two bits count the extra bytes */
		if (q >= end)
			return false;
		q++;			/* NumElements */
		if (!aml_integer(&q, end, &a) || !aml_integer(&q, end, &b))
			return false;
		slp_typa = (u8)(a & 7);
		slp_typb = (u8)(b & 7);
		return true;
	}
	return false;
}


/*
 * x86_acpi_sleep_init - read the PM1 control ports and the \_S5 sleep types from the FADT
 * and DSDT, and the "poweroff=acpi" switch from @cmdline. Boot CPU, before SMP start-up,
 * direct map of the low 4 GiB in place. Sleeps: no. Logs what it found.
 */
void x86_acpi_sleep_init(const char *cmdline)
{
	const u8 *fadt = x86_acpi_table("FACP");
	const struct { char sig[4]; u32 length; } *dsdt;
	u32 len;
	u64 dsdt_phys;

	x86_poweroff_acpi_only = cmdline_has(cmdline, "poweroff=acpi");
	if (!fadt) {
		printk("acpi: no FADT; power-off only through the debug-exit device\n");
		return;
	}
	memcpy(&len, fadt + 4, 4);
	if (len < FADT_PM1B_CNT + 4)
		return;
	pm1a_cnt = fadt_port(fadt, len, FADT_PM1A_CNT, FADT_X_PM1A_CNT);
	pm1b_cnt = fadt_port(fadt, len, FADT_PM1B_CNT, FADT_X_PM1B_CNT);
	smi_cmd = (u16)rd32(fadt + FADT_SMI_CMD);
	acpi_enable_val = fadt[FADT_ACPI_ENABLE];
	dsdt_phys = rd32(fadt + FADT_DSDT);
	if (!dsdt_phys && len >= FADT_X_DSDT + 8)
		memcpy(&dsdt_phys, fadt + FADT_X_DSDT, 8);
	dsdt = x86_acpi_table_at(dsdt_phys);
	if (dsdt && !memcmp(dsdt->sig, "DSDT", 4))
		s5_found = find_s5((const u8 *)dsdt + ACPI_HEADER_LEN,
				   (const u8 *)dsdt + dsdt->length);
	if (pm1a_cnt && s5_found)
		printk("acpi: S5 power-off via PM1a 0x%x, SLP_TYP %u/%u\n", pm1a_cnt, slp_typa,
		       slp_typb);
	else
		printk("acpi: no usable \\_S5 (PM1a 0x%x); power-off only through debug-exit\n",
		       pm1a_cnt);
}

/*
 * x86_acpi_poweroff - enter S5 if x86_acpi_sleep_init() found how; returns if it could not
 * (or the machine did not turn off). Interrupts off, other CPUs stopped. Sleeps: no.
 */
void x86_acpi_poweroff(void)
{
	if (!pm1a_cnt || !s5_found)
		return;
	/* Hand the PM registers from the firmware (SMM) to the OS first, as ACPI asks. */
	if (smi_cmd && acpi_enable_val && !(inw(pm1a_cnt) & PM1_SCI_EN)) {
		outb(smi_cmd, acpi_enable_val);
		for (int i = 0; i < SCI_EN_SPINS && !(inw(pm1a_cnt) & PM1_SCI_EN); i++)
			__asm__ volatile("pause");
	}
	outw(pm1a_cnt, (u16)((inw(pm1a_cnt) & ~PM1_SLP_TYP_MASK) |
			     ((u32)slp_typa << PM1_SLP_TYP_SHIFT) | PM1_SLP_EN));
	if (pm1b_cnt)
		outw(pm1b_cnt, (u16)((inw(pm1b_cnt) & ~PM1_SLP_TYP_MASK) |
				     ((u32)slp_typb << PM1_SLP_TYP_SHIFT) | PM1_SLP_EN));
	/* The write takes effect at once on QEMU; real hardware may take a moment. */
	for (int i = 0; i < SCI_EN_SPINS; i++)
		__asm__ volatile("pause");
}
