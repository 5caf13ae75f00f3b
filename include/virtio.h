/*
 * Virtio 1.0 over PCI (the "modern" transport), shared by every virtio driver
 * (drivers/virtio/blk.c, drivers/virtio/net.c): finding the configuration structures through
 * the vendor capabilities, the status handshake, feature negotiation (VIRTIO_F_VERSION_1 is
 * required: legacy devices are not driven), split virtqueues in physical memory, notifications
 * and the device's interrupt. A driver knows its device type; this layer knows none.
 *
 * Bring-up, in the order the specification requires (virtio 1.0 §3.1.1):
 *   virtio_pci_init (reset, ACKNOWLEDGE, DRIVER) -> virtio_negotiate (FEATURES_OK) ->
 *   virtio_setup_irq -> virtio_setup_queue for each queue -> the driver posts buffers ->
 *   virtio_driver_ok (DRIVER_OK). On any failure: virtio_fail (FAILED, device reset).
 *
 * Locks:
 *   [v] virtq->lock, a spinlock: the queue's descriptor free list, avail index and the
 *       bookkeeping of used entries. Callers of virtq_add/virtq_get/virtq_kick hold it; it is
 *       taken in interrupt context, so it is a leaf below the driver's own locks (and wait-queue
 *       locks may be taken under it).
 *   [i] set during bring-up on the boot CPU, read-only afterwards.
 * Source: Virtual I/O Device (VIRTIO) Version 1.0, OASIS, §2.4 (split virtqueues), §4.1 (PCI).
 */
#ifndef SPROUT_VIRTIO_H
#define SPROUT_VIRTIO_H

#include "types.h"
#include "spinlock.h"

struct pci_dev;

#define VIRTIO_PCI_VENDOR	0x1af4
#define VIRTIO_PCI_MODERN_BASE	0x1040	/* device id = 0x1040 + virtio device type */
#define VIRTIO_ID_NET		1
#define VIRTIO_ID_BLOCK		2

/* Device status bits (§2.1). */
#define VIRTIO_STATUS_ACKNOWLEDGE	1
#define VIRTIO_STATUS_DRIVER		2
#define VIRTIO_STATUS_DRIVER_OK		4
#define VIRTIO_STATUS_FEATURES_OK	8
#define VIRTIO_STATUS_NEEDS_RESET	64
#define VIRTIO_STATUS_FAILED		128

#define VIRTIO_F_VERSION_1	32	/* feature bit numbers */

/* A virtqueue descriptor's flags (§2.4.5). */
#define VIRTQ_DESC_F_NEXT	1
#define VIRTQ_DESC_F_WRITE	2	/* the device writes this buffer */

struct virtq_desc {
	u64 addr;	/* physical */
	u32 len;	/* bytes */
	u16 flags;
	u16 next;
};

struct virtq_avail {
	u16 flags;
	u16 idx;
	u16 ring[];
};

struct virtq_used_elem {
	u32 id;		/* head descriptor of the finished chain */
	u32 len;	/* bytes the device wrote */
};

struct virtq_used {
	u16 flags;
	u16 idx;
	struct virtq_used_elem ring[];
};

/* One buffer of a chain given to virtq_add(). */
struct virtq_buf {
	u64 phys;	/* physical address */
	u32 len;	/* bytes */
	bool device_writes;	/* the device fills it (a "write-only" descriptor) */
};

struct virtq {
	u16 index;			/* [i] queue number in the device */
	u16 size;			/* [i] descriptors (a power of two) */
	struct virtq_desc *desc;	/* [i] */
	struct virtq_avail *avail;	/* [i] the ring we fill */
	struct virtq_used *used;	/* [i] the ring the device fills */
	volatile u16 *notify;		/* [i] where virtq_kick() writes the queue number */
	struct spinlock lock;
	u16 free_head;			/* [v] first free descriptor (chained through next) */
	u16 num_free;			/* [v] */
	u16 last_used;			/* [v] used->idx value seen last */
	u16 added;			/* [v] chains added since the last kick */
	void **cookie;			/* [v] per head descriptor: what virtq_add() was given */
	u32 pages_order;		/* [i] the rings' allocation */
};

struct virtio_dev {
	struct pci_dev *pci;		/* [i] */
	volatile u8 *common;		/* [i] common configuration structure (§4.1.4.3) */
	volatile u8 *isr;		/* [i] ISR status byte (§4.1.4.5) */
	volatile u8 *device_cfg;	/* [i] device-specific configuration, NULL if none */
	volatile u8 *notify_base;	/* [i] */
	u32 notify_mult;		/* [i] notify_off_multiplier */
	u64 features;			/* [i] negotiated */
	int irq_kind;			/* [i] PCI_IRQ_MSIX or PCI_IRQ_INTX */
	const char *name;		/* [i] for log lines: "virtio-blk 00:04.0" */
};

/*
 * virtio_pci_init - map the virtio structures of @pci (vendor capabilities, §4.1.4), enable it
 * on the bus, reset the device and set ACKNOWLEDGE and DRIVER. @name labels log lines. Returns
 * 0, -ENODEV (not a modern virtio device, or a structure is missing or unmappable). Boot CPU,
 * from a driver's probe. Sleeps: no.
 */
int virtio_pci_init(struct virtio_dev *vd, struct pci_dev *pci, const char *name);

/*
 * virtio_negotiate - accept the device's features that are in @wanted (bit numbers as in the
 * specification; VIRTIO_F_VERSION_1 is always asked for and must be offered) and set
 * FEATURES_OK; vd->features holds the result. Returns 0 or -ENODEV (no VERSION_1, or the
 * device refused). Sleeps: no.
 */
int virtio_negotiate(struct virtio_dev *vd, u64 wanted);

/* virtio_has_feature - was feature bit @bit negotiated? */
static inline bool virtio_has_feature(const struct virtio_dev *vd, unsigned bit)
{
	return vd->features & (1ull << bit);
}

/*
 * virtio_setup_irq - route the device's interrupt to @handler(@arg) (interrupt context; see
 * pci_irq_setup()). With MSI-X, configuration changes and every queue set up afterwards use
 * table entry 0. Before virtio_setup_queue(). Returns 0 or a negative errno. Sleeps: no.
 */
int virtio_setup_irq(struct virtio_dev *vd, void (*handler)(void *arg), void *arg);

/*
 * virtio_setup_queue - allocate queue @index with at most @max_size descriptors (fewer if the
 * device offers fewer) in zeroed physical pages and give it to the device. Returns 0, -ENOENT
 * (no such queue), -ENOMEM. Sleeps: no.
 */
int virtio_setup_queue(struct virtio_dev *vd, struct virtq *vq, u16 index, u16 max_size);

/* virtio_driver_ok - set DRIVER_OK: the device may now use the queues. Sleeps: no. */
void virtio_driver_ok(struct virtio_dev *vd);

/* virtio_fail - give up on the device: set FAILED and reset it. Sleeps: no. */
void virtio_fail(struct virtio_dev *vd);

/*
 * virtio_isr_ack - read (and so clear) the ISR status: bit 0 a queue interrupt, bit 1 a
 * configuration change. With INTx this also lowers the interrupt line. Sleeps: no.
 */
u8 virtio_isr_ack(struct virtio_dev *vd);

/*
 * virtio_cfg_read8/16/32/64 - a field at byte offset @off of the device-specific configuration,
 * read consistently (re-read while the configuration generation changes, §4.1.4.3.1).
 * Sleeps: no.
 */
u8 virtio_cfg_read8(struct virtio_dev *vd, u32 off);
u16 virtio_cfg_read16(struct virtio_dev *vd, u32 off);
u32 virtio_cfg_read32(struct virtio_dev *vd, u32 off);
u64 virtio_cfg_read64(struct virtio_dev *vd, u32 off);

/* virtq_ring_bytes - bytes of zeroed, physically contiguous memory that the rings of a queue of
 * @size descriptors need (the used ring starts on a page of its own). */
size_t virtq_ring_bytes(u16 size);

/*
 * virtq_init - lay out a queue of @size descriptors (a power of two) in zeroed memory @mem of
 * virtq_ring_bytes(@size) bytes, with @cookie an array of @size pointers, all free. The caller
 * then gives the rings' physical addresses to the device and sets vq->notify. Sleeps: no.
 */
void virtq_init(struct virtq *vq, u16 index, u16 size, void *mem, void **cookie);

/*
 * virtq_add - put the chain @bufs[0..@n) (device-readable buffers first, then device-writable
 * ones) on the available ring, remembering @cookie for virtq_get(). The device sees it at the
 * next virtq_kick(). Returns the head descriptor index (>= 0) or -ENOSPC (fewer than @n
 * descriptors free). Caller holds vq->lock. Sleeps: no.
 */
int virtq_add(struct virtq *vq, const struct virtq_buf *bufs, int n, void *cookie);

/*
 * virtq_kick - notify the device of the chains added since the last kick (nothing when none).
 * Caller holds vq->lock. Sleeps: no.
 */
void virtq_kick(struct virtio_dev *vd, struct virtq *vq);

/*
 * virtq_get - the next chain the device has finished: returns its cookie and stores the bytes
 * written in *@len and the head index in *@head (either may be NULL), freeing its descriptors;
 * NULL when the device has finished nothing new. Caller holds vq->lock. Sleeps: no.
 */
void *virtq_get(struct virtq *vq, u32 *len, u16 *head);

/*
 * virtio_blk_probe_all, virtio_net_probe_all - the drivers' entry points (drivers/virtio/blk.c,
 * net.c): bring up every unclaimed device of their type on the PCI bus. From drivers_init().
 */
void virtio_blk_probe_all(void);
void virtio_net_probe_all(void);

/* virt_to_dma - the physical address of kernel buffer @p (direct map or kernel image). */
u64 virt_to_dma(const void *p);

#endif
