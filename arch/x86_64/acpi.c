/*
 * Just enough ACPI to find the CPUs and the tables acpi_sleep.c reads: the
 * RSDP (handed over by the PVH start-of-day structure, else searched for in
 * the BIOS area), the RSDT or XSDT it points to, and the MADT's processor
 * entries. Tables are read in place through the direct map; nothing is kept
 * after boot.
 * Source: ACPI 6.4 sections 5.2.5 (RSDP), 5.2.7-8 (RSDT/XSDT), 5.2.12 (MADT).
 */
#include "x86.h"
#include "kernel.h"

struct acpi_rsdp {
	char signature[8];	/* "RSD PTR " */
	u8 checksum;
	char oem_id[6];
	u8 revision;		/* 0: ACPI 1.0 (RSDT only); >= 2: XSDT valid */
	u32 rsdt_phys;
	u32 length;
	u64 xsdt_phys;
	u8 ext_checksum;
	u8 reserved[3];
} __packed;

struct acpi_header {
	char signature[4];
	u32 length;		/* bytes, header included */
	u8 revision;
	u8 checksum;
	char oem_id[6];
	char oem_table_id[8];
	u32 oem_revision;
	u32 creator_id;
	u32 creator_revision;
} __packed;

#define MADT_LAPIC		0	/* Processor Local APIC */
#define MADT_X2APIC		9	/* Processor Local x2APIC */
#define MADT_ENABLED		0x1
#define MADT_ONLINE_CAPABLE	0x2
#define ACPI_MAX_TABLE		(1u << 20)	/* sanity bound on a table's length */

u64 x86_rsdp_phys;	/* from hvm_start_info (pvh.c); 0 = search */

static bool checksum_ok(const void *p, u32 len)
{
	const u8 *b = p;
	u8 sum = 0;

	for (u32 i = 0; i < len; i++)
		sum += b[i];
	return sum == 0;
}

static const struct acpi_rsdp *rsdp_at(u64 phys)
{
	const struct acpi_rsdp *r = phys_to_virt(phys);

	if (memcmp(r->signature, "RSD PTR ", 8) || !checksum_ok(r, 20))
		return NULL;
	return r;
}

/* The RSDP lies on a 16-byte boundary in 0xe0000..0xfffff on PC firmware. */
static const struct acpi_rsdp *rsdp_find(void)
{
	if (x86_rsdp_phys)
		return rsdp_at(x86_rsdp_phys);
	for (u64 a = 0xe0000; a < 0x100000; a += 16) {
		const struct acpi_rsdp *r = rsdp_at(a);

		if (r)
			return r;
	}
	return NULL;
}

static const struct acpi_header *table_at(u64 phys)
{
	const struct acpi_header *h;

	if (!phys || phys >= (1ul << 32))	/* beyond what the boot map covers */
		return NULL;
	h = phys_to_virt(phys);
	if (h->length < sizeof(*h) || h->length > ACPI_MAX_TABLE || !checksum_ok(h, h->length))
		return NULL;
	return h;
}

/* The table with @sig listed in the RSDT (4-byte entries) or XSDT (8-byte). */
static const struct acpi_header *table_find(const struct acpi_rsdp *r, const char *sig)
{
	bool x = r->revision >= 2 && r->xsdt_phys;
	const struct acpi_header *root = table_at(x ? r->xsdt_phys : r->rsdt_phys);
	u32 esz = x ? 8 : 4;

	if (!root)
		return NULL;
	u32 n = (root->length - sizeof(*root)) / esz;
	const u8 *ents = (const u8 *)(root + 1);

	for (u32 i = 0; i < n; i++) {
		u64 phys = 0;

		memcpy(&phys, ents + i * esz, esz);
		const struct acpi_header *h = table_at(phys);

		if (h && !memcmp(h->signature, sig, 4))
			return h;
	}
	return NULL;
}

/*
 * x86_acpi_table - the ACPI table with signature @sig (4 characters, e.g. "FACP") listed in
 * the RSDT/XSDT, checksum verified, or NULL. Read in place through the direct map (below
 * 4 GiB). Boot CPU at start-up. Sleeps: no. ACPI 6.4 5.2.7-8.
 */
const void *x86_acpi_table(const char *sig)
{
	const struct acpi_rsdp *r = rsdp_find();

	return r ? table_find(r, sig) : NULL;
}

/*
 * x86_acpi_table_at - the table at physical address @phys (one not listed in the RSDT,
 * such as the DSDT the FADT names) if its length and checksum are sane, else NULL.
 * Sleeps: no.
 */
const void *x86_acpi_table_at(u64 phys)
{
	return table_at(phys);
}

/*
 * x86_acpi_cpus - the APIC ids of the usable processors listed in the MADT,
 * in table order, at most @max of them into @ids. Returns how many were
 * stored; 0 when there is no (valid) MADT, in which case only the boot CPU
 * runs. Boot CPU, before SMP start-up. Sleeps: no.
 */
int x86_acpi_cpus(u32 *ids, int max)
{
	const struct acpi_rsdp *r = rsdp_find();
	const struct acpi_header *madt = r ? table_find(r, "APIC") : NULL;
	int n = 0;

	if (!madt)
		return 0;
	/* Entries follow the header, the LAPIC address and the flags. */
	const u8 *p = (const u8 *)madt + sizeof(*madt) + 8;
	const u8 *end = (const u8 *)madt + madt->length;

	while (p + 2 <= end && p[1] >= 2 && p + p[1] <= end && n < max) {
		u32 flags, id;

		if (p[0] == MADT_LAPIC && p[1] >= 8) {
			memcpy(&flags, p + 4, 4);
			id = p[3];
		} else if (p[0] == MADT_X2APIC && p[1] >= 16) {
			memcpy(&id, p + 4, 4);
			memcpy(&flags, p + 8, 4);
			if (id > 0xff)	/* not reachable in xAPIC mode */
				flags = 0;
		} else {
			p += p[1];
			continue;
		}
		/* Online-capable but disabled entries are hot-plug slots: no CPU. */
		if (flags & MADT_ENABLED)
			ids[n++] = id;
		p += p[1];
	}
	return n;
}
