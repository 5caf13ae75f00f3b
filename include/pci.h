/*
 * PCI: the contract between device drivers (drivers/) and the machine's PCI bus. How the
 * configuration space is reached (ports 0xCF8/0xCFC on a PC), where BARs are mapped and how an
 * interrupt reaches a CPU (MSI-X, else legacy INTx through the IOAPIC) is the architecture's
 * business (arch/x86_64/pci.c); a driver sees only what is below.
 *
 * The bus is enumerated once at boot (pci_init()), before the other CPUs start; the list of
 * devices never changes afterwards (no hot-plug), so it needs no lock for reading. Drivers claim
 * devices by vendor/device id from drivers_init() (drivers/drivers.c).
 *
 * Locks:
 *   [c] pci_config_lock (arch): one configuration-space access (address port, then data port).
 *   [b] set at enumeration, read-only afterwards.
 * Sources: PCI Local Bus Specification 3.0 ch. 6 (configuration space, BARs, capabilities,
 * MSI-X), PCI Firmware Specification 3.0 (configuration mechanism #1).
 */
#ifndef SPROUT_PCI_H
#define SPROUT_PCI_H

#include "types.h"
#include "list.h"

/* Configuration-space offsets (type 0 header). */
#define PCI_VENDOR_ID		0x00
#define PCI_DEVICE_ID		0x02
#define PCI_COMMAND		0x04
#define PCI_STATUS		0x06
#define PCI_REVISION		0x08
#define PCI_CLASS_PROG		0x09
#define PCI_HEADER_TYPE		0x0e
#define PCI_BAR0		0x10
#define PCI_SUBSYS_VENDOR	0x2c
#define PCI_SUBSYS_ID		0x2e
#define PCI_CAP_PTR		0x34
#define PCI_INTERRUPT_LINE	0x3c
#define PCI_INTERRUPT_PIN	0x3d

#define PCI_COMMAND_IO		0x0001
#define PCI_COMMAND_MEMORY	0x0002
#define PCI_COMMAND_MASTER	0x0004
#define PCI_COMMAND_INTX_DISABLE 0x0400
#define PCI_STATUS_CAP_LIST	0x0010

/* Capability ids. */
#define PCI_CAP_ID_MSI		0x05
#define PCI_CAP_ID_VNDR		0x09	/* vendor-specific: virtio's structure pointers */
#define PCI_CAP_ID_MSIX		0x11

#define PCI_NUM_BARS		6

struct pci_bar {
	u64 phys;		/* [b] a memory BAR's physical address, or the I/O port base */
	u64 size;		/* [b] bytes; 0: the BAR is not implemented */
	bool io;		/* [b] an I/O-port BAR */
	bool is64;		/* [b] a 64-bit memory BAR (takes this slot and the next) */
	bool prefetch;		/* [b] prefetchable memory */
};

struct pci_dev {
	u8 bus, slot, func;	/* [b] the device's address on the bus */
	u16 vendor, device;	/* [b] ids from the configuration header */
	u16 subsys_vendor, subsys_device;	/* [b] */
	u8 class, subclass, prog_if, revision;	/* [b] */
	u8 irq_line, irq_pin;	/* [b] legacy INTx routing written by the firmware; pin 0: none */
	struct pci_bar bar[PCI_NUM_BARS];	/* [b] */
	bool claimed;		/* [b] a driver took the device (set by the driver at probe) */
	struct list_head link;	/* [b] pci_devices */
	void *arch;		/* interrupt state kept by the architecture */
};

/* Every function found on the bus, in bus/slot/function order. [b] */
extern struct list_head pci_devices;

/*
 * pci_init - enumerate every bus reachable from bus 0 (following PCI-to-PCI bridges), fill
 * pci_devices and log one line per function ("pci 00:03.0 1af4:1042 class 01.00 ..."). Boot CPU,
 * once, after the page allocator and kmalloc exist. Sleeps: no.
 */
void pci_init(void);

/*
 * pci_config_read8/16/32, pci_config_write8/16/32 - read or write the configuration register at
 * byte offset @off (0..255; naturally aligned for its width) of @dev. Locks: takes [c]. Any
 * context. Sleeps: no.
 */
u8 pci_config_read8(const struct pci_dev *dev, u16 off);
u16 pci_config_read16(const struct pci_dev *dev, u16 off);
u32 pci_config_read32(const struct pci_dev *dev, u16 off);
void pci_config_write8(const struct pci_dev *dev, u16 off, u8 v);
void pci_config_write16(const struct pci_dev *dev, u16 off, u16 v);
void pci_config_write32(const struct pci_dev *dev, u16 off, u32 v);

/*
 * pci_find_capability - the configuration offset of the first capability of @dev with id
 * @cap_id found after offset @after (0: from the start of the list), or 0 when there is none.
 * Walking stops after 48 entries so a looped list cannot hang the kernel. Sleeps: no.
 */
u8 pci_find_capability(const struct pci_dev *dev, u8 cap_id, u8 after);

/*
 * pci_enable_device - turn on memory and I/O decoding and bus mastering (the device may then
 * DMA to physical memory) for @dev. Sleeps: no.
 */
void pci_enable_device(struct pci_dev *dev);

/*
 * pci_map_bar - a kernel virtual address for bytes [@off, @off + @len) of memory BAR @bar of
 * @dev, mapped uncached (device registers). The mapping lasts for the life of the kernel.
 * Returns NULL when the BAR is absent, is an I/O BAR, or the range does not fit in it. Boot
 * CPU, from drivers_init() (the kernel half of the page tables must not change afterwards).
 * Sleeps: no.
 */
void *pci_map_bar(struct pci_dev *dev, int bar, u64 off, u64 len);

/* How pci_irq_setup() wired the device's interrupt. */
enum pci_irq_kind {
	PCI_IRQ_MSIX = 1,	/* MSI-X: table entry 0 carries every source of the device */
	PCI_IRQ_INTX = 2,	/* legacy INTx: level-triggered, maybe shared, via the IOAPIC */
};

/*
 * pci_irq_setup - give @dev one interrupt, delivered to CPU 0, that calls @handler(@arg) in
 * interrupt context (interrupts disabled, on the interrupted task's stack; the handler must
 * not sleep). MSI-X is used when the device has it (its table entry 0 is programmed and
 * unmasked; the driver points every event source of the device at entry 0), else INTx (the
 * handler must read the device's status to lower the line; an INTx line may be shared, so the
 * handler must cope with interrupts that are not its device's). Returns PCI_IRQ_MSIX,
 * PCI_IRQ_INTX, or -ENOSPC (no vector left), -ENODEV (no interrupt at all). Boot CPU, from
 * drivers_init(). Sleeps: no.
 */
int pci_irq_setup(struct pci_dev *dev, void (*handler)(void *arg), void *arg);

/* ---- Drivers (drivers/drivers.c) ---- */

/*
 * drivers_init - enumerate the PCI bus and let every driver probe the devices it knows
 * (virtio-blk, virtio-net). Boot CPU, before the other CPUs start and before the file system
 * makes /dev (so /dev/vda exists from the start). Sleeps: no.
 */
void drivers_init(const char *cmdline);

/*
 * drivers_late_init - work that needs a running scheduler (the self-checks asked for on the
 * command line: "netcheck", "blkcheck"). Called once, from kernel_main() after init exists.
 * Sleeps: no (starts kernel threads).
 */
void drivers_late_init(void);

#endif
