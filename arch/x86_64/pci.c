/*
 * The PC's PCI bus (include/pci.h): configuration mechanism #1 through ports 0xCF8/0xCFC,
 * enumeration with BAR sizing, uncached mappings of memory BARs in the direct map, and device
 * interrupts: MSI-X messages straight to CPU 0's local APIC, or the legacy INTx line through
 * the IOAPIC when the device has no MSI-X.
 * Sources: PCI Local Bus Specification 3.0 (6.1 header, 6.2.5 BARs, 6.7 capabilities, 6.8.2
 * MSI-X), PCI Firmware Specification 3.0 §3.2.2 (mechanism #1), Intel SDM vol. 3A 10.11
 * (MSI message address and data).
 */
#include "x86.h"
#include "cpu.h"
#include "kernel.h"
#include "kmalloc.h"
#include "page.h"
#include "pci.h"
#include "spinlock.h"
#include "uapi/errno.h"

#define PCI_CONFIG_ADDRESS	0xcf8
#define PCI_CONFIG_DATA		0xcfc
#define PCI_MAX_BUS		256
#define PCI_MAX_SLOT		32
#define PCI_MAX_FUNC		8
#define PCI_CAP_WALK_MAX	48

#define MSIX_CTRL_ENABLE	(1u << 15)
#define MSIX_CTRL_MASKALL	(1u << 14)
#define MSIX_ENTRY_SIZE		16
#define MSIX_VECTOR_MASKED	1u
#define MSI_ADDR_BASE		0xfee00000u

#define DEV_VECTORS		(VEC_DEV_LAST - VEC_DEV_BASE + 1)
#define HANDLERS_PER_VECTOR	4	/* INTx lines are shared */

#define PT_ENTRIES		512
#define PML4_SHIFT		39
#define PDPT_SHIFT		30
#define PD_SHIFT		21
#define HUGE_2M			(1ul << PD_SHIFT)

struct list_head pci_devices = LIST_HEAD_INIT(pci_devices);
static struct spinlock pci_config_lock = SPINLOCK_INIT("pci_config");

/* Device vectors: set at boot by pci_irq_setup() (boot CPU, before SMP), read-only after. */
static struct {
	void (*fn)(void *arg);
	void *arg;
} dev_handlers[DEV_VECTORS][HANDLERS_PER_VECTOR];
static int dev_vectors_used;
static int intx_vector[24];	/* GSI -> vector + 1 (0: not routed yet) */

static inline void outl(u16 port, u32 v)
{
	__asm__ volatile("outl %0, %1" : : "a"(v), "Nd"(port));
}

static inline u32 inl(u16 port)
{
	u32 v;

	__asm__ volatile("inl %1, %0" : "=a"(v) : "Nd"(port));
	return v;
}

static u32 cfg_addr(u8 bus, u8 slot, u8 func, u16 off)
{
	return 0x80000000u | (u32)bus << 16 | (u32)slot << 11 | (u32)func << 8 | (off & 0xfc);
}

static u32 cfg_read(u8 bus, u8 slot, u8 func, u16 off)
{
	u32 v;

	spin_lock(&pci_config_lock);
	outl(PCI_CONFIG_ADDRESS, cfg_addr(bus, slot, func, off));
	v = inl(PCI_CONFIG_DATA);
	spin_unlock(&pci_config_lock);
	return v;
}

static void cfg_write(u8 bus, u8 slot, u8 func, u16 off, u32 v)
{
	spin_lock(&pci_config_lock);
	outl(PCI_CONFIG_ADDRESS, cfg_addr(bus, slot, func, off));
	outl(PCI_CONFIG_DATA, v);
	spin_unlock(&pci_config_lock);
}

/* pci_config_read32 - see include/pci.h. */
u32 pci_config_read32(const struct pci_dev *d, u16 off)
{
	return cfg_read(d->bus, d->slot, d->func, off);
}

/* pci_config_read16 - see include/pci.h. */
u16 pci_config_read16(const struct pci_dev *d, u16 off)
{
	return (u16)(cfg_read(d->bus, d->slot, d->func, off) >> ((off & 2) * 8));
}

/* pci_config_read8 - see include/pci.h. */
u8 pci_config_read8(const struct pci_dev *d, u16 off)
{
	return (u8)(cfg_read(d->bus, d->slot, d->func, off) >> ((off & 3) * 8));
}

/* pci_config_write32 - see include/pci.h. */
void pci_config_write32(const struct pci_dev *d, u16 off, u32 v)
{
	cfg_write(d->bus, d->slot, d->func, off, v);
}

/* Narrow writes go through the dword: read, merge, write, under one hold of the lock. */
static void cfg_write_part(const struct pci_dev *d, u16 off, u32 v, u32 width_mask)
{
	u32 shift = (off & 3) * 8, old;

	spin_lock(&pci_config_lock);
	outl(PCI_CONFIG_ADDRESS, cfg_addr(d->bus, d->slot, d->func, off));
	old = inl(PCI_CONFIG_DATA);
	old = (old & ~(width_mask << shift)) | ((v & width_mask) << shift);
	outl(PCI_CONFIG_DATA, old);
	spin_unlock(&pci_config_lock);
}

/* pci_config_write16 - see include/pci.h. */
void pci_config_write16(const struct pci_dev *d, u16 off, u16 v)
{
	if ((off & ~3u) == PCI_COMMAND) {
		/* Command and status share a dword, and status bits are cleared by writing 1:
		 * a command write must not write back the status bits it read. */
		cfg_write(d->bus, d->slot, d->func, PCI_COMMAND,
			  off == PCI_COMMAND ? v : (u32)v << 16 |
			  (cfg_read(d->bus, d->slot, d->func, PCI_COMMAND) & 0xffff));
		return;
	}
	cfg_write_part(d, off, v, 0xffff);
}

/* pci_config_write8 - see include/pci.h. */
void pci_config_write8(const struct pci_dev *d, u16 off, u8 v)
{
	cfg_write_part(d, off, v, 0xff);
}

/* pci_find_capability - see include/pci.h. */
u8 pci_find_capability(const struct pci_dev *d, u8 cap_id, u8 after)
{
	u8 off;

	if (!(pci_config_read16(d, PCI_STATUS) & PCI_STATUS_CAP_LIST))
		return 0;
	off = after ? pci_config_read8(d, after + 1) : pci_config_read8(d, PCI_CAP_PTR);
	for (int n = 0; n < PCI_CAP_WALK_MAX && off >= 0x40; n++) {
		off &= 0xfc;
		if (pci_config_read8(d, off) == cap_id)
			return off;
		off = pci_config_read8(d, off + 1);
	}
	return 0;
}

/* pci_enable_device - see include/pci.h. */
void pci_enable_device(struct pci_dev *d)
{
	u16 cmd = pci_config_read16(d, PCI_COMMAND);

	cmd |= PCI_COMMAND_MEMORY | PCI_COMMAND_IO | PCI_COMMAND_MASTER;
	pci_config_write16(d, PCI_COMMAND, cmd);
}

/* Size BAR @i of @d by writing all ones (decoding is off meanwhile); returns the slots used. */
static int bar_probe(struct pci_dev *d, int i)
{
	u16 off = PCI_BAR0 + 4 * i;
	u32 lo = pci_config_read32(d, off), mask_lo, hi = 0, mask_hi = 0xffffffff;
	struct pci_bar *b = &d->bar[i];
	u64 mask;

	pci_config_write32(d, off, 0xffffffff);
	mask_lo = pci_config_read32(d, off);
	pci_config_write32(d, off, lo);
	if (lo & 1) {
		b->io = true;
		b->phys = lo & ~3u;
		mask = (mask_lo & ~3u) | 0xffff0000u;
		b->size = mask_lo ? (u32)(~mask + 1) & 0xffff : 0;
		return 1;
	}
	b->is64 = ((lo >> 1) & 3) == 2;
	b->prefetch = lo & 8;
	if (b->is64 && i + 1 < PCI_NUM_BARS) {
		hi = pci_config_read32(d, off + 4);
		pci_config_write32(d, off + 4, 0xffffffff);
		mask_hi = pci_config_read32(d, off + 4);
		pci_config_write32(d, off + 4, hi);
	}
	mask = (u64)mask_hi << 32 | (mask_lo & ~0xfu);
	if (!b->is64)
		mask |= 0xffffffff00000000ull;
	b->phys = (u64)hi << 32 | (lo & ~0xfu);
	b->size = (mask_lo & ~0xfu) ? ~mask + 1 : 0;
	return b->is64 ? 2 : 1;
}

static void probe_function(u8 bus, u8 slot, u8 func)
{
	u32 id = cfg_read(bus, slot, func, PCI_VENDOR_ID);
	struct pci_dev *d;
	u16 cmd;

	if ((id & 0xffff) == 0xffff)
		return;
	d = kzalloc(sizeof(*d));
	if (!d) {
		printk("pci %02x:%02x.%x: out of memory, device ignored\n", bus, slot, func);
		return;
	}
	d->bus = bus, d->slot = slot, d->func = func;
	d->vendor = id & 0xffff;
	d->device = id >> 16;
	u32 cls = pci_config_read32(d, PCI_REVISION);

	d->revision = cls & 0xff;
	d->prog_if = (cls >> 8) & 0xff;
	d->subclass = (cls >> 16) & 0xff;
	d->class = cls >> 24;
	d->irq_line = pci_config_read8(d, PCI_INTERRUPT_LINE);
	d->irq_pin = pci_config_read8(d, PCI_INTERRUPT_PIN);
	if ((pci_config_read8(d, PCI_HEADER_TYPE) & 0x7f) == 0) {
		d->subsys_vendor = pci_config_read16(d, PCI_SUBSYS_VENDOR);
		d->subsys_device = pci_config_read16(d, PCI_SUBSYS_ID);
		cmd = pci_config_read16(d, PCI_COMMAND);
		pci_config_write16(d, PCI_COMMAND,
				   cmd & ~(PCI_COMMAND_MEMORY | PCI_COMMAND_IO));
		for (int i = 0; i < PCI_NUM_BARS;)
			i += bar_probe(d, i);
		pci_config_write16(d, PCI_COMMAND, cmd);
	}
	list_add_tail(&d->link, &pci_devices);
	printk("pci %02x:%02x.%x %04x:%04x class %02x.%02x.%02x irq %u pin %u\n", bus, slot,
	       func, d->vendor, d->device, d->class, d->subclass, d->prog_if, d->irq_line,
	       d->irq_pin);
	for (int i = 0; i < PCI_NUM_BARS; i++) {
		struct pci_bar *b = &d->bar[i];

		if (b->size)
			printk("pci %02x:%02x.%x   bar %d: %s 0x%lx, %lu bytes%s\n", bus, slot,
			       func, i, b->io ? "io" : b->is64 ? "mem64" : "mem32", b->phys,
			       b->size, b->prefetch ? ", prefetchable" : "");
	}
}

/* pci_init - see include/pci.h. A brute-force scan of every bus number: 8192 dword reads at
 * most, simpler than following bridges and equally complete. */
void pci_init(void)
{
	int n = 0;
	struct pci_dev *d;

	for (int bus = 0; bus < PCI_MAX_BUS; bus++) {
		for (int slot = 0; slot < PCI_MAX_SLOT; slot++) {
			u32 id = cfg_read(bus, slot, 0, PCI_VENDOR_ID);

			if ((id & 0xffff) == 0xffff)
				continue;
			bool multi = (cfg_read(bus, slot, 0, PCI_HEADER_TYPE & ~3u) >> 16) & 0x80;

			for (int func = 0; func < (multi ? PCI_MAX_FUNC : 1); func++)
				probe_function(bus, slot, func);
		}
	}
	list_for_each_entry(d, &pci_devices, link)
		n++;
	printk("pci: %d functions\n", n);
}

static void *pt_next(pte_t *table, unsigned idx)
{
	if (!(table[idx] & PTE_P)) {
		void *page = page_alloc_va(true);

		if (!page)
			return NULL;
		table[idx] = virt_to_phys(page) | PTE_P | PTE_W;
	}
	return phys_to_virt(pte_phys(table[idx]));
}

/*
 * Map [phys, phys + len) into the direct map uncached (PCD|PWT over 2 MiB pages). Below 4 GiB
 * the boot tables already map the range (write-back): the entries just gain PCD|PWT, which is
 * right because the PCI hole holds no RAM. Above, missing tables are allocated; done before the
 * first user page table copies the kernel half, as include/pci.h requires.
 */
static bool mmio_map(u64 phys, u64 len)
{
	extern pte_t boot_pml4[PT_ENTRIES];
	u64 start = phys & ~(HUGE_2M - 1), end = phys + len;

	for (u64 p = start; p < end; p += HUGE_2M) {
		u64 va = DIRECT_MAP_BASE + p;
		pte_t *pdpt = pt_next(boot_pml4, (va >> PML4_SHIFT) & 511);
		pte_t *pd = pdpt ? pt_next(pdpt, (va >> PDPT_SHIFT) & 511) : NULL;
		pte_t *e;

		if (!pd)
			return false;
		e = &pd[(va >> PD_SHIFT) & 511];
		if (*e & PTE_P)
			*e |= PTE_PCD | PTE_PWT;
		else
			*e = p | PTE_P | PTE_W | PTE_PS | PTE_PCD | PTE_PWT |
			     (x86_cpu.nx ? PTE_NX : 0);
	}
	arch_tlb_flush_all();
	return true;
}

/* pci_map_bar - see include/pci.h. */
void *pci_map_bar(struct pci_dev *d, int bar, u64 off, u64 len)
{
	struct pci_bar *b;

	if (bar < 0 || bar >= PCI_NUM_BARS)
		return NULL;
	b = &d->bar[bar];
	if (!b->size || b->io || off > b->size || len > b->size - off || !b->phys)
		return NULL;
	if (!mmio_map(b->phys + off, len))
		return NULL;
	return phys_to_virt(b->phys + off);
}

/* A free device vector, or -ENOSPC. */
static int vector_alloc(void)
{
	if (dev_vectors_used >= DEV_VECTORS)
		return -ENOSPC;
	return VEC_DEV_BASE + dev_vectors_used++;
}

static int handler_add(int vec, void (*fn)(void *), void *arg)
{
	for (int i = 0; i < HANDLERS_PER_VECTOR; i++) {
		if (!dev_handlers[vec - VEC_DEV_BASE][i].fn) {
			dev_handlers[vec - VEC_DEV_BASE][i].arg = arg;
			__atomic_store_n(&dev_handlers[vec - VEC_DEV_BASE][i].fn, fn,
					 __ATOMIC_RELEASE);
			return 0;
		}
	}
	return -ENOSPC;
}

static int msix_setup(struct pci_dev *d, u8 cap, void (*fn)(void *), void *arg)
{
	u16 ctrl = pci_config_read16(d, cap + 2);
	u32 table = pci_config_read32(d, cap + 4);
	u32 nr = (ctrl & 0x7ff) + 1;
	volatile u32 *t;
	int vec;

	t = pci_map_bar(d, table & 7, table & ~7u, (u64)nr * MSIX_ENTRY_SIZE);
	if (!t)
		return -ENODEV;
	vec = vector_alloc();
	if (vec < 0)
		return vec;
	handler_add(vec, fn, arg);
	/* Mask the whole function while the table is written. */
	pci_config_write16(d, cap + 2, ctrl | MSIX_CTRL_MASKALL | MSIX_CTRL_ENABLE);
	for (u32 i = 0; i < nr; i++)
		t[i * 4 + 3] = MSIX_VECTOR_MASKED;
	/* Fixed delivery, edge, physical destination: CPU 0's APIC id. */
	t[0] = MSI_ADDR_BASE | cpus[0].arch.lapic_id << 12;
	t[1] = 0;
	t[2] = (u32)vec;
	t[3] = 0;
	pci_config_write16(d, PCI_COMMAND,
			   pci_config_read16(d, PCI_COMMAND) | PCI_COMMAND_INTX_DISABLE);
	pci_config_write16(d, cap + 2, (ctrl & ~MSIX_CTRL_MASKALL) | MSIX_CTRL_ENABLE);
	return PCI_IRQ_MSIX;
}

static int intx_setup(struct pci_dev *d, void (*fn)(void *), void *arg)
{
	u8 gsi = d->irq_line;
	int vec, err;

	if (!d->irq_pin || gsi >= ARRAY_SIZE(intx_vector))
		return -ENODEV;
	vec = intx_vector[gsi] - 1;
	if (vec < 0) {
		vec = vector_alloc();
		if (vec < 0)
			return vec;
		intx_vector[gsi] = vec + 1;
		/* QEMU's PIIX/ICH routing: PCI links are level-triggered, active high. */
		x86_ioapic_route(gsi, (u8)vec, true);
	}
	err = handler_add(vec, fn, arg);
	if (err)
		return err;
	pci_config_write16(d, PCI_COMMAND,
			   pci_config_read16(d, PCI_COMMAND) & ~PCI_COMMAND_INTX_DISABLE);
	return PCI_IRQ_INTX;
}

/* pci_irq_setup - see include/pci.h. */
int pci_irq_setup(struct pci_dev *d, void (*fn)(void *arg), void *arg)
{
	u8 cap = pci_find_capability(d, PCI_CAP_ID_MSIX, 0);
	int r = -ENODEV;

	if (cap)
		r = msix_setup(d, cap, fn, arg);
	if (r < 0)
		r = intx_setup(d, fn, arg);
	return r;
}

/*
 * x86_dev_irq - a device vector fired (trap.c, interrupts disabled): run its handlers, then
 * acknowledge. For a level-triggered INTx line the EOI goes after the handlers, which have
 * lowered the line by reading their device's status. Sleeps: no.
 */
void x86_dev_irq(u64 vec)
{
	for (int i = 0; i < HANDLERS_PER_VECTOR; i++) {
		void (*fn)(void *) = __atomic_load_n(&dev_handlers[vec - VEC_DEV_BASE][i].fn,
						     __ATOMIC_ACQUIRE);

		if (!fn)
			break;
		fn(dev_handlers[vec - VEC_DEV_BASE][i].arg);
	}
	x86_lapic_eoi();
}
