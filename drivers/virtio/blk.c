/*
 * virtio-blk: a virtio 1.0 block device as a struct blkdev (include/blkdev.h), named vda, vdb,
 * ... in probe order, device numbers 254:0, 254:16, ... as on Linux. Every request is a chain
 * of three descriptors (header, data, status byte); as many requests are in flight as the
 * queue has room for, the rest wait on the device's list and go out as completions free
 * descriptors. Completion runs in the interrupt handler.
 * Source: VIRTIO 1.0 §5.2 (block device).
 */
#include "virtio.h"
#include "blkdev.h"
#include "pci.h"
#include "kernel.h"
#include "kmalloc.h"
#include "page.h"
#include "mutex.h"
#include "uapi/errno.h"

#define VIRTIO_BLK_F_RO		5
#define VIRTIO_BLK_F_FLUSH	9

#define VIRTIO_BLK_T_IN		0
#define VIRTIO_BLK_T_OUT	1
#define VIRTIO_BLK_T_FLUSH	4

#define VIRTIO_BLK_S_OK		0

#define VBLK_QUEUE_MAX		128	/* descriptors: up to 42 requests in flight */
#define VBLK_MAJOR		254	/* Linux's virtblk major (dynamic, 254 on a plain system) */
#define VBLK_MINORS		16	/* minors per disk: the disk and 15 partitions */
#define VBLK_MAX_DISKS		26

/* What the device reads before the data and writes after it; one per head descriptor. */
struct vblk_slot {
	u32 type;
	u32 reserved;
	u64 sector;
	u8 status;
} __packed;

struct vblk {
	struct virtio_dev vd;
	struct virtq vq;		/* requests; vq.lock also guards pending */
	struct vblk_slot *slots;	/* [v] indexed by head descriptor */
	struct list_head pending;	/* [v] blk_requests waiting for descriptors */
	struct blkdev disk;
	char label[32];
	/* flush: one at a time (flush_mutex), through its own request */
	struct mutex flush_mutex;
	struct blk_request flush_rq;	/* [flush_mutex] */
};

static int nr_disks;

/* Start @rq on the queue; false when the queue is full. Caller holds vq.lock. */
static bool vblk_start(struct vblk *vb, struct blk_request *rq, u32 type)
{
	struct virtq_buf bufs[3];
	int n = 0, head;

	if (vb->vq.num_free < 3)
		return false;
	/* The slot of the head descriptor carries header and status: it is known after the
	 * add, but the head is always the first free descriptor. */
	struct vblk_slot *s = &vb->slots[vb->vq.free_head];

	s->type = type;
	s->reserved = 0;
	s->sector = rq->sector;
	s->status = 0xff;
	bufs[n++] = (struct virtq_buf){ virt_to_dma(s), 16, false };
	if (type != VIRTIO_BLK_T_FLUSH)
		bufs[n++] = (struct virtq_buf){ virt_to_dma(rq->buf),
						rq->nsect * BLK_SECTOR_SIZE, !rq->write };
	bufs[n++] = (struct virtq_buf){ virt_to_dma(&s->status), 1, true };
	head = virtq_add(&vb->vq, bufs, n, rq);
	if (head < 0)
		return false;
	return true;
}

static void vblk_submit(struct blkdev *dev, struct blk_request *rq)
{
	struct vblk *vb = dev->priv;

	spin_lock(&vb->vq.lock);
	if (!list_empty(&vb->pending) ||
	    !vblk_start(vb, rq, rq->write ? VIRTIO_BLK_T_OUT : VIRTIO_BLK_T_IN))
		list_add_tail(&rq->link, &vb->pending);
	virtq_kick(&vb->vd, &vb->vq);
	spin_unlock(&vb->vq.lock);
}

/* The interrupt handler: complete what the device finished, then start what waited. */
static void vblk_irq(void *arg)
{
	struct vblk *vb = arg;
	struct blk_request *done_list[VBLK_QUEUE_MAX];
	int status[VBLK_QUEUE_MAX], ndone = 0;
	struct blk_request *rq;
	u16 head;

	if (vb->vd.irq_kind == PCI_IRQ_INTX && !(virtio_isr_ack(&vb->vd) & 1))
		return;	/* a shared line: not ours */
	spin_lock(&vb->vq.lock);
	while (ndone < VBLK_QUEUE_MAX && (rq = virtq_get(&vb->vq, NULL, &head))) {
		done_list[ndone] = rq;
		status[ndone++] = vb->slots[head].status == VIRTIO_BLK_S_OK ? 0 : -EIO;
	}
	while (!list_empty(&vb->pending)) {
		rq = list_first_entry(&vb->pending, struct blk_request, link);
		if (!vblk_start(vb, rq, rq == &vb->flush_rq ? VIRTIO_BLK_T_FLUSH :
				rq->write ? VIRTIO_BLK_T_OUT : VIRTIO_BLK_T_IN))
			break;
		list_del(&rq->link);
	}
	virtq_kick(&vb->vd, &vb->vq);
	spin_unlock(&vb->vq.lock);
	/* Completion wakes the submitter, outside the queue lock. */
	for (int i = 0; i < ndone; i++) {
		if (done_list[i] == &vb->flush_rq) {
			vb->flush_rq.status = status[i];
			__atomic_store_n(&vb->flush_rq.done, true, __ATOMIC_RELEASE);
			wake_up(&vb->flush_rq.wait);
		} else {
			blk_request_done(done_list[i], status[i]);
		}
	}
}

/* flush: VIRTIO_BLK_T_FLUSH when the device has a write cache to flush (§5.2.6.2). */
static int vblk_flush(struct blkdev *dev)
{
	struct vblk *vb = dev->priv;
	struct blk_request *rq = &vb->flush_rq;

	if (!virtio_has_feature(&vb->vd, VIRTIO_BLK_F_FLUSH))
		return 0;	/* no cache: completed writes are already durable */
	mutex_lock(&vb->flush_mutex);
	rq->done = false;
	rq->status = 0;
	spin_lock(&vb->vq.lock);
	if (!list_empty(&vb->pending) || !vblk_start(vb, rq, VIRTIO_BLK_T_FLUSH))
		list_add_tail(&rq->link, &vb->pending);
	virtq_kick(&vb->vd, &vb->vq);
	spin_unlock(&vb->vq.lock);
	blk_request_wait(rq);
	int status = rq->status;

	mutex_unlock(&vb->flush_mutex);
	return status;
}

static const struct blkdev_ops vblk_ops = {
	.submit = vblk_submit,
	.flush = vblk_flush,
};

/* Bring up one device; 0 or a negative errno (the device is then reset and left alone). */
static int vblk_probe(struct pci_dev *pci)
{
	struct vblk *vb;
	bool irq_wired = false;
	int err;

	if (nr_disks >= VBLK_MAX_DISKS)
		return -ENOSPC;
	vb = kzalloc(sizeof(*vb));
	if (!vb)
		return -ENOMEM;
	snprintf(vb->label, sizeof(vb->label), "virtio-blk %02x:%02x.%x", pci->bus, pci->slot,
		 pci->func);
	list_init(&vb->pending);
	wait_queue_init(&vb->flush_rq.wait, "vblk_flush");
	mutex_init(&vb->flush_mutex, "vblk_flush");
	vb->flush_rq.dev = &vb->disk;
	err = virtio_pci_init(&vb->vd, pci, vb->label);
	if (err)
		goto out_free;
	err = virtio_negotiate(&vb->vd, 1ull << VIRTIO_BLK_F_RO | 1ull << VIRTIO_BLK_F_FLUSH);
	if (err)
		goto out_fail;
	err = virtio_setup_irq(&vb->vd, vblk_irq, vb);
	if (err)
		goto out_fail;
	irq_wired = true;
	err = virtio_setup_queue(&vb->vd, &vb->vq, 0, VBLK_QUEUE_MAX);
	if (err)
		goto out_fail;
	err = -ENOMEM;
	vb->slots = kzalloc(sizeof(*vb->slots) * vb->vq.size);
	if (!vb->slots)
		goto out_fail;

	struct blkdev *d = &vb->disk;

	snprintf(d->name, sizeof(d->name), "vd%c", 'a' + nr_disks);
	d->major = VBLK_MAJOR;
	d->minor = nr_disks * VBLK_MINORS;
	d->nr_sectors = virtio_cfg_read64(&vb->vd, 0);	/* capacity, in 512-byte sectors */
	d->read_only = virtio_has_feature(&vb->vd, VIRTIO_BLK_F_RO);
	d->ops = &vblk_ops;
	d->priv = vb;
	spin_init(&d->lock, "blkdev");
	virtio_driver_ok(&vb->vd);
	err = blkdev_register(d);
	if (err)
		goto out_fail;
	nr_disks++;
	pci->claimed = true;
	printk("%s: %s, queue of %u, %s interrupt%s\n", vb->label, d->name, vb->vq.size,
	       vb->vd.irq_kind == PCI_IRQ_MSIX ? "MSI-X" : "INTx",
	       virtio_has_feature(&vb->vd, VIRTIO_BLK_F_FLUSH) ? ", write cache" : "");
	return 0;
out_fail:
	virtio_fail(&vb->vd);
out_free:
	printk("%s: not used (error %d)\n", vb->label, err);
	/* Once its interrupt handler is wired, the device's state stays allocated (reset, it
	 * raises no more interrupts, but a shared INTx line still calls the handler). */
	if (!irq_wired) {
		kfree(vb->slots);
		kfree(vb);
	}
	return err;
}

/* virtio_blk_probe_all - see drivers/drivers.c. */
void virtio_blk_probe_all(void)
{
	struct pci_dev *pci;

	list_for_each_entry(pci, &pci_devices, link) {
		if (pci->vendor != VIRTIO_PCI_VENDOR || pci->claimed)
			continue;
		if (pci->device == VIRTIO_PCI_MODERN_BASE + VIRTIO_ID_BLOCK ||
		    (pci->device == 0x1001 && pci->subsys_device == VIRTIO_ID_BLOCK))
			vblk_probe(pci);
	}
}
