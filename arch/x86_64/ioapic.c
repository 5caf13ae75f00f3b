/*
 * Device interrupt routing: the legacy 8259 pair is remapped out of the
 * exception range and masked for good, and the IOAPIC delivers COM1 (ISA
 * IRQ 4) and the INTx lines of PCI devices without MSI-X (pci.c) to the
 * boot CPU.
 * Sources: Intel 82093AA IOAPIC datasheet 3.2; 8259A datasheet (ICW1-4).
 */
#include "x86.h"
#include "cpu.h"

#define IOAPIC_PHYS	0xfec00000ul
#define IOREGSEL	0x00
#define IOWIN		0x10
#define IOAPIC_VER	0x01
#define IOREDTBL(n)	(0x10 + 2 * (n))
#define RED_MASKED	(1u << 16)
#define RED_LEVEL	(1u << 15)
#define COM1_GSI	4	/* ISA IRQ 4; QEMU's MADT overrides only IRQ 0 */

#define PIC1_CMD	0x20
#define PIC1_DATA	0x21
#define PIC2_CMD	0xa0
#define PIC2_DATA	0xa1

static volatile u32 *ioapic;

static void ioapic_write(u32 reg, u32 v)
{
	ioapic[IOREGSEL / 4] = reg;
	ioapic[IOWIN / 4] = v;
}

static u32 ioapic_read(u32 reg)
{
	ioapic[IOREGSEL / 4] = reg;
	return ioapic[IOWIN / 4];
}

static void pic_disable(void)
{
	/* Remap first so a spurious IRQ 7/15 cannot look like an exception. */
	outb(PIC1_CMD, 0x11);
	outb(PIC2_CMD, 0x11);
	outb(PIC1_DATA, VEC_PIC_BASE);
	outb(PIC2_DATA, VEC_PIC_BASE + 8);
	outb(PIC1_DATA, 4);
	outb(PIC2_DATA, 2);
	outb(PIC1_DATA, 1);
	outb(PIC2_DATA, 1);
	outb(PIC1_DATA, 0xff);
	outb(PIC2_DATA, 0xff);
}

/*
 * x86_irq_init - park the 8259s and mask every IOAPIC input, then route
 * COM1 to VEC_COM1 on the boot CPU (still masked). Boot CPU, interrupts
 * disabled. Sleeps: no.
 */
void x86_irq_init(void)
{
	u32 nr;

	pic_disable();
	ioapic = phys_to_virt(IOAPIC_PHYS);
	nr = ((ioapic_read(IOAPIC_VER) >> 16) & 0xff) + 1;
	for (u32 i = 0; i < nr; i++) {
		ioapic_write(IOREDTBL(i) + 1, 0);
		ioapic_write(IOREDTBL(i), RED_MASKED);
	}
	/* Edge, active high, fixed delivery, physical destination. */
	ioapic_write(IOREDTBL(COM1_GSI) + 1, cpus[0].arch.lapic_id << 24);
	ioapic_write(IOREDTBL(COM1_GSI), RED_MASKED | VEC_COM1);
}

/* x86_irq_unmask_com1 - let COM1 interrupts through. Sleeps: no. */
void x86_irq_unmask_com1(void)
{
	ioapic_write(IOREDTBL(COM1_GSI), VEC_COM1);
}

/*
 * x86_ioapic_route - deliver IOAPIC input @gsi to @vector on the boot CPU, unmasked:
 * level-triggered active high when @level (PCI INTx as QEMU's chipsets wire it), else edge.
 * Boot CPU, interrupts disabled. Sleeps: no.
 */
void x86_ioapic_route(u32 gsi, u8 vector, bool level)
{
	ioapic_write(IOREDTBL(gsi) + 1, cpus[0].arch.lapic_id << 24);
	ioapic_write(IOREDTBL(gsi), (level ? RED_LEVEL : 0) | vector);
}
