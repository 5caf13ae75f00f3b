/*
 * The virtio 1.0 PCI transport (include/virtio.h): the configuration structures named by the
 * device's vendor capabilities, the status handshake and feature negotiation, and the set-up
 * of virtqueues (drivers/virtio/virtq.c) whose rings live in pages of the page allocator,
 * handed to the device by physical address. Source: VIRTIO 1.0 §2 (basic facilities), §3.1
 * (initialisation), §4.1 (PCI).
 */
#include "virtio.h"
#include "pci.h"
#include "kernel.h"
#include "page.h"
#include "kmalloc.h"
#include "arch.h"
#include "uapi/errno.h"

/* virtio_pci_cap cfg_type values (§4.1.4). */
#define CAP_COMMON	1
#define CAP_NOTIFY	2
#define CAP_ISR		3
#define CAP_DEVICE	4

/* Offsets in the common configuration structure (§4.1.4.3). */
#define COMMON_DFSELECT		0x00
#define COMMON_DF		0x04
#define COMMON_GFSELECT		0x08
#define COMMON_GF		0x0c
#define COMMON_MSIX		0x10
#define COMMON_NUMQ		0x12
#define COMMON_STATUS		0x14
#define COMMON_CFGGEN		0x15
#define COMMON_Q_SELECT		0x16
#define COMMON_Q_SIZE		0x18
#define COMMON_Q_MSIX		0x1a
#define COMMON_Q_ENABLE		0x1c
#define COMMON_Q_NOFF		0x1e
#define COMMON_Q_DESCLO		0x20
#define COMMON_Q_DESCHI		0x24
#define COMMON_Q_AVAILLO	0x28
#define COMMON_Q_AVAILHI	0x2c
#define COMMON_Q_USEDLO		0x30
#define COMMON_Q_USEDHI		0x34

#define VIRTIO_MSI_NO_VECTOR	0xffff
#define RESET_SPINS		1000000

static inline void w8(volatile u8 *base, u32 off, u8 v) { *(volatile u8 *)(base + off) = v; }
static inline void w16(volatile u8 *base, u32 off, u16 v) { *(volatile u16 *)(base + off) = v; }
static inline void w32(volatile u8 *base, u32 off, u32 v) { *(volatile u32 *)(base + off) = v; }
static inline u8 r8(volatile u8 *base, u32 off) { return *(volatile u8 *)(base + off); }
static inline u16 r16(volatile u8 *base, u32 off) { return *(volatile u16 *)(base + off); }
static inline u32 r32(volatile u8 *base, u32 off) { return *(volatile u32 *)(base + off); }

/* virt_to_dma - see include/virtio.h. */
u64 virt_to_dma(const void *p)
{
	u64 v = (u64)p;

	if (v >= KERNEL_IMAGE_BASE)
		return v - KERNEL_IMAGE_BASE;
	/* Only the direct map and the image are physically contiguous. */
	KASSERT(v >= DIRECT_MAP_BASE && v < KMAP_BASE);
	return virt_to_phys(p);
}

static void status_set(struct virtio_dev *vd, u8 bits)
{
	w8(vd->common, COMMON_STATUS, r8(vd->common, COMMON_STATUS) | bits);
}

/* Writing 0 resets the device; it is done when the status reads back 0 (§4.1.4.3.2). */
static void device_reset(struct virtio_dev *vd)
{
	w8(vd->common, COMMON_STATUS, 0);
	for (int i = 0; i < RESET_SPINS && r8(vd->common, COMMON_STATUS); i++)
		arch_cpu_relax();
}

/* Map the structure described by the virtio capability at @cap; NULL when it cannot be. */
static volatile u8 *cap_map(struct pci_dev *pci, u8 cap, u32 *len_out)
{
	u8 bar = pci_config_read8(pci, cap + 4);
	u32 off = pci_config_read32(pci, cap + 8);
	u32 len = pci_config_read32(pci, cap + 12);

	if (len_out)
		*len_out = len;
	return pci_map_bar(pci, bar, off, len);
}

/* virtio_pci_init - see include/virtio.h. */
int virtio_pci_init(struct virtio_dev *vd, struct pci_dev *pci, const char *name)
{
	u8 cap = 0;

	vd->pci = pci;
	vd->name = name;
	while ((cap = pci_find_capability(pci, PCI_CAP_ID_VNDR, cap))) {
		u8 type = pci_config_read8(pci, cap + 3);
		volatile u8 *p;

		if (type < CAP_COMMON || type > CAP_DEVICE)
			continue;
		/* The first structure of each type is the one to use (§4.1.4). */
		if ((type == CAP_COMMON && vd->common) || (type == CAP_NOTIFY && vd->notify_base) ||
		    (type == CAP_ISR && vd->isr) || (type == CAP_DEVICE && vd->device_cfg))
			continue;
		p = cap_map(pci, cap, NULL);
		if (!p)
			continue;
		switch (type) {
		case CAP_COMMON: vd->common = p; break;
		case CAP_ISR: vd->isr = p; break;
		case CAP_DEVICE: vd->device_cfg = p; break;
		case CAP_NOTIFY:
			vd->notify_base = p;
			vd->notify_mult = pci_config_read32(pci, cap + 16);
			break;
		}
	}
	if (!vd->common || !vd->notify_base || !vd->isr) {
		printk("%s: not a virtio 1.0 device (structures missing), ignored\n", name);
		return -ENODEV;
	}
	pci_enable_device(pci);
	device_reset(vd);
	status_set(vd, VIRTIO_STATUS_ACKNOWLEDGE);
	status_set(vd, VIRTIO_STATUS_DRIVER);
	return 0;
}

/* virtio_negotiate - see include/virtio.h. */
int virtio_negotiate(struct virtio_dev *vd, u64 wanted)
{
	u64 offered;

	w32(vd->common, COMMON_DFSELECT, 0);
	offered = r32(vd->common, COMMON_DF);
	w32(vd->common, COMMON_DFSELECT, 1);
	offered |= (u64)r32(vd->common, COMMON_DF) << 32;
	wanted |= 1ull << VIRTIO_F_VERSION_1;
	if (!(offered & (1ull << VIRTIO_F_VERSION_1))) {
		printk("%s: device lacks VIRTIO_F_VERSION_1 (legacy only), ignored\n", vd->name);
		return -ENODEV;
	}
	vd->features = offered & wanted;
	w32(vd->common, COMMON_GFSELECT, 0);
	w32(vd->common, COMMON_GF, (u32)vd->features);
	w32(vd->common, COMMON_GFSELECT, 1);
	w32(vd->common, COMMON_GF, (u32)(vd->features >> 32));
	status_set(vd, VIRTIO_STATUS_FEATURES_OK);
	if (!(r8(vd->common, COMMON_STATUS) & VIRTIO_STATUS_FEATURES_OK)) {
		printk("%s: device refused features 0x%lx\n", vd->name, vd->features);
		return -ENODEV;
	}
	return 0;
}

/* virtio_setup_irq - see include/virtio.h. */
int virtio_setup_irq(struct virtio_dev *vd, void (*handler)(void *arg), void *arg)
{
	int r = pci_irq_setup(vd->pci, handler, arg);

	if (r < 0)
		return r;
	vd->irq_kind = r;
	if (r == PCI_IRQ_MSIX) {
		w16(vd->common, COMMON_MSIX, 0);
		if (r16(vd->common, COMMON_MSIX) == VIRTIO_MSI_NO_VECTOR)
			return -ENOSPC;
	}
	return 0;
}

/* virtio_setup_queue - see include/virtio.h. */
int virtio_setup_queue(struct virtio_dev *vd, struct virtq *vq, u16 index, u16 max_size)
{
	unsigned order = 0;
	struct page *pg;
	void **cookie;
	u16 size;

	if (index >= r16(vd->common, COMMON_NUMQ))
		return -ENOENT;
	w16(vd->common, COMMON_Q_SELECT, index);
	size = r16(vd->common, COMMON_Q_SIZE);
	if (!size)
		return -ENOENT;
	while (size > max_size)
		size >>= 1;	/* queue sizes are powers of two */
	while ((PAGE_SIZE << order) < virtq_ring_bytes(size))
		order++;
	pg = page_alloc(order, true);
	if (!pg)
		return -ENOMEM;
	cookie = kzalloc(sizeof(void *) * size);
	if (!cookie) {
		page_put_order(pg, order);
		return -ENOMEM;
	}
	virtq_init(vq, index, size, page_address(pg), cookie);
	vq->pages_order = order;

	w16(vd->common, COMMON_Q_SIZE, size);
	if (vd->irq_kind == PCI_IRQ_MSIX)
		w16(vd->common, COMMON_Q_MSIX, 0);
	u64 pd = virt_to_dma(vq->desc), pa = virt_to_dma(vq->avail), pu = virt_to_dma(vq->used);

	w32(vd->common, COMMON_Q_DESCLO, (u32)pd);
	w32(vd->common, COMMON_Q_DESCHI, (u32)(pd >> 32));
	w32(vd->common, COMMON_Q_AVAILLO, (u32)pa);
	w32(vd->common, COMMON_Q_AVAILHI, (u32)(pa >> 32));
	w32(vd->common, COMMON_Q_USEDLO, (u32)pu);
	w32(vd->common, COMMON_Q_USEDHI, (u32)(pu >> 32));
	vq->notify = (volatile u16 *)(vd->notify_base +
				      (u32)r16(vd->common, COMMON_Q_NOFF) * vd->notify_mult);
	w16(vd->common, COMMON_Q_ENABLE, 1);
	return 0;
}

/* virtio_driver_ok - see include/virtio.h. */
void virtio_driver_ok(struct virtio_dev *vd)
{
	status_set(vd, VIRTIO_STATUS_DRIVER_OK);
}

/* virtio_fail - see include/virtio.h. */
void virtio_fail(struct virtio_dev *vd)
{
	if (!vd->common)
		return;
	status_set(vd, VIRTIO_STATUS_FAILED);
	device_reset(vd);
}

/* virtio_isr_ack - see include/virtio.h. */
u8 virtio_isr_ack(struct virtio_dev *vd)
{
	return *vd->isr;
}

static u64 cfg_read(struct virtio_dev *vd, u32 off, int width)
{
	u8 gen;
	u64 v;

	if (!vd->device_cfg)
		return 0;
	do {
		gen = r8(vd->common, COMMON_CFGGEN);
		switch (width) {
		case 1: v = r8(vd->device_cfg, off); break;
		case 2: v = r16(vd->device_cfg, off); break;
		case 4: v = r32(vd->device_cfg, off); break;
		default:
			v = r32(vd->device_cfg, off) | (u64)r32(vd->device_cfg, off + 4) << 32;
			break;
		}
	} while (gen != r8(vd->common, COMMON_CFGGEN));
	return v;
}

/* virtio_cfg_read8/16/32/64 - see include/virtio.h. */
u8 virtio_cfg_read8(struct virtio_dev *vd, u32 off) { return (u8)cfg_read(vd, off, 1); }
u16 virtio_cfg_read16(struct virtio_dev *vd, u32 off) { return (u16)cfg_read(vd, off, 2); }
u32 virtio_cfg_read32(struct virtio_dev *vd, u32 off) { return (u32)cfg_read(vd, off, 4); }
u64 virtio_cfg_read64(struct virtio_dev *vd, u32 off) { return cfg_read(vd, off, 8); }
