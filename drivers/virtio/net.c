/*
 * virtio-net: a virtio 1.0 network card as a struct netdev (include/netdev.h), named eth0,
 * eth1, ... in probe order. Receive queue 0 is kept full of 2 KiB buffers, each holding the
 * 12-byte virtio_net_hdr and one frame; the interrupt handler hands every frame to the stack
 * and posts its buffer again. Transmit queue 1 takes one descriptor per frame, copied with a
 * zeroed header into a buffer owned by that descriptor, so xmit never waits and never
 * allocates. No offloads are negotiated: frames are plain Ethernet, at most 1514 bytes.
 * Source: VIRTIO 1.0 §5.1 (network device).
 */
#include "virtio.h"
#include "netdev.h"
#include "pci.h"
#include "kernel.h"
#include "kmalloc.h"
#include "page.h"
#include "uapi/errno.h"

#define VIRTIO_NET_F_MAC	5
#define VIRTIO_NET_F_STATUS	16
#define VIRTIO_NET_S_LINK_UP	1

#define VNET_CFG_MAC		0
#define VNET_CFG_STATUS		6

#define VNET_RXQ		0
#define VNET_TXQ		1
#define VNET_QUEUE_MAX		128
#define VNET_BUF_SIZE		2048
#define VNET_HDR_LEN		12	/* struct virtio_net_hdr with num_buffers (VERSION_1) */
#define VNET_MTU		1500

struct vnet {
	struct virtio_dev vd;
	struct virtq rxq, txq;		/* each guarded by its own lock */
	u8 **rx_buf;			/* [i] buffer of each receive descriptor */
	u8 **tx_buf;			/* [i] buffer of each transmit descriptor */
	u32 *tx_len;			/* [txq.lock] frame length per descriptor in flight */
	struct netdev dev;
	char label[32];
};

static int nr_cards;

/* Carve @n buffers of VNET_BUF_SIZE from whole pages; NULL when out of memory. */
static u8 **bufs_alloc(u16 n)
{
	u8 **v = kzalloc(sizeof(*v) * n);
	const u32 per_page = PAGE_SIZE / VNET_BUF_SIZE;

	if (!v)
		return NULL;
	for (u16 i = 0; i < n; i += per_page) {
		u8 *page = page_alloc_va(true);

		if (!page)
			return NULL;	/* boot-time only: what was taken stays taken */
		for (u32 k = 0; k < per_page && i + k < n; k++)
			v[i + k] = page + k * VNET_BUF_SIZE;
	}
	return v;
}

/* Post receive buffer @buf. Caller holds rxq.lock. */
static void rx_post(struct vnet *vn, u8 *buf)
{
	struct virtq_buf b = { virt_to_dma(buf), VNET_BUF_SIZE, true };

	virtq_add(&vn->rxq, &b, 1, buf);
}

/* Count and free what the card has sent. Caller holds txq.lock. */
static void tx_reap(struct vnet *vn)
{
	u16 head;

	while (virtq_get(&vn->txq, NULL, &head))
		netdev_count_tx(&vn->dev, vn->tx_len[head], true);
}

static int vnet_xmit(struct netdev *dev, const void *frame, size_t len)
{
	struct vnet *vn = dev->priv;
	struct virtq_buf b;
	u8 *buf;
	u16 head;

	if (len < ETH_HLEN || len > ETH_HLEN + dev->mtu)
		return -EINVAL;
	if (!__atomic_load_n(&dev->link_up, __ATOMIC_RELAXED))
		return -ENETDOWN;
	spin_lock(&vn->txq.lock);
	tx_reap(vn);
	if (!vn->txq.num_free) {
		spin_unlock(&vn->txq.lock);
		spin_lock(&dev->stats_lock);
		dev->stats.tx_dropped++;
		spin_unlock(&dev->stats_lock);
		return -ENOBUFS;
	}
	/* One descriptor per frame: the free head is the descriptor this frame will use. */
	head = vn->txq.free_head;
	buf = vn->tx_buf[head];
	memset(buf, 0, VNET_HDR_LEN);
	memcpy(buf + VNET_HDR_LEN, frame, len);
	vn->tx_len[head] = (u32)len;
	b = (struct virtq_buf){ virt_to_dma(buf), (u32)(VNET_HDR_LEN + len), false };
	virtq_add(&vn->txq, &b, 1, buf);
	virtq_kick(&vn->vd, &vn->txq);
	spin_unlock(&vn->txq.lock);
	return 0;
}

static const struct netdev_ops vnet_ops = {
	.xmit = vnet_xmit,
};

static void link_update(struct vnet *vn)
{
	bool up = true;

	if (virtio_has_feature(&vn->vd, VIRTIO_NET_F_STATUS))
		up = virtio_cfg_read16(&vn->vd, VNET_CFG_STATUS) & VIRTIO_NET_S_LINK_UP;
	if (up != __atomic_load_n(&vn->dev.link_up, __ATOMIC_RELAXED)) {
		__atomic_store_n(&vn->dev.link_up, up, __ATOMIC_RELAXED);
		if (vn->dev.ifindex)
			printk("net: %s: link %s\n", vn->dev.name, up ? "up" : "down");
	}
}

/* The interrupt handler (CPU 0, interrupts disabled): frames in, sent frames reaped. */
static void vnet_irq(void *arg)
{
	struct vnet *vn = arg;
	u8 *buf;
	u32 len;

	if (vn->vd.irq_kind == PCI_IRQ_INTX) {
		u8 isr = virtio_isr_ack(&vn->vd);

		if (!isr)
			return;	/* a shared line: not ours */
		if (isr & 2)
			link_update(vn);
	} else if (virtio_has_feature(&vn->vd, VIRTIO_NET_F_STATUS)) {
		/* MSI-X: configuration changes share the vector; the status says if one came. */
		link_update(vn);
	}
	for (;;) {
		spin_lock(&vn->rxq.lock);
		buf = virtq_get(&vn->rxq, &len, NULL);
		spin_unlock(&vn->rxq.lock);
		if (!buf)
			break;
		/* Deliver without the queue lock: the hook may transmit. */
		if (len < VNET_HDR_LEN + ETH_HLEN || len > VNET_BUF_SIZE)
			netdev_count_rx_error(&vn->dev);
		else
			netdev_rx(&vn->dev, buf + VNET_HDR_LEN, len - VNET_HDR_LEN);
		spin_lock(&vn->rxq.lock);
		rx_post(vn, buf);
		spin_unlock(&vn->rxq.lock);
	}
	spin_lock(&vn->rxq.lock);
	virtq_kick(&vn->vd, &vn->rxq);
	spin_unlock(&vn->rxq.lock);
	spin_lock(&vn->txq.lock);
	tx_reap(vn);
	spin_unlock(&vn->txq.lock);
}

static int vnet_probe(struct pci_dev *pci)
{
	struct vnet *vn;
	bool irq_wired = false;
	int err;

	vn = kzalloc(sizeof(*vn));
	if (!vn)
		return -ENOMEM;
	snprintf(vn->label, sizeof(vn->label), "virtio-net %02x:%02x.%x", pci->bus, pci->slot,
		 pci->func);
	err = virtio_pci_init(&vn->vd, pci, vn->label);
	if (err)
		goto out_free;
	err = virtio_negotiate(&vn->vd, 1ull << VIRTIO_NET_F_MAC | 1ull << VIRTIO_NET_F_STATUS);
	if (err)
		goto out_fail;
	err = virtio_setup_irq(&vn->vd, vnet_irq, vn);
	if (err)
		goto out_fail;
	irq_wired = true;
	err = virtio_setup_queue(&vn->vd, &vn->rxq, VNET_RXQ, VNET_QUEUE_MAX);
	if (!err)
		err = virtio_setup_queue(&vn->vd, &vn->txq, VNET_TXQ, VNET_QUEUE_MAX);
	if (err)
		goto out_fail;
	err = -ENOMEM;
	vn->rx_buf = bufs_alloc(vn->rxq.size);
	vn->tx_buf = bufs_alloc(vn->txq.size);
	vn->tx_len = kzalloc(sizeof(*vn->tx_len) * vn->txq.size);
	if (!vn->rx_buf || !vn->tx_buf || !vn->tx_len)
		goto out_fail;

	struct netdev *d = &vn->dev;

	snprintf(d->name, sizeof(d->name), "eth%d", nr_cards);
	if (virtio_has_feature(&vn->vd, VIRTIO_NET_F_MAC)) {
		for (int i = 0; i < ETH_ALEN; i++)
			d->mac[i] = virtio_cfg_read8(&vn->vd, VNET_CFG_MAC + i);
	} else {
		/* A locally administered address of our own (QEMU always offers one). */
		u8 mac[ETH_ALEN] = { 0x02, 0x53, 0x50, 0x52, 0x54, (u8)nr_cards };

		memcpy(d->mac, mac, ETH_ALEN);
	}
	d->mtu = VNET_MTU;
	d->ops = &vnet_ops;
	d->priv = vn;
	spin_lock(&vn->rxq.lock);
	for (u16 i = 0; i < vn->rxq.size; i++)
		rx_post(vn, vn->rx_buf[i]);
	spin_unlock(&vn->rxq.lock);
	virtio_driver_ok(&vn->vd);
	link_update(vn);
	spin_lock(&vn->rxq.lock);
	virtq_kick(&vn->vd, &vn->rxq);
	spin_unlock(&vn->rxq.lock);
	err = netdev_register(d);
	if (err)
		goto out_fail;
	nr_cards++;
	pci->claimed = true;
	printk("%s: %s, queues of %u/%u, %s interrupt\n", vn->label, d->name, vn->rxq.size,
	       vn->txq.size, vn->vd.irq_kind == PCI_IRQ_MSIX ? "MSI-X" : "INTx");
	return 0;
out_fail:
	virtio_fail(&vn->vd);
out_free:
	printk("%s: not used (error %d)\n", vn->label, err);
	/* Once the handler is wired the state stays (a shared INTx line still calls it). */
	if (!irq_wired)
		kfree(vn);
	return err;
}

/* virtio_net_probe_all - see include/virtio.h. */
void virtio_net_probe_all(void)
{
	struct pci_dev *pci;

	list_for_each_entry(pci, &pci_devices, link) {
		if (pci->vendor != VIRTIO_PCI_VENDOR || pci->claimed)
			continue;
		if (pci->device == VIRTIO_PCI_MODERN_BASE + VIRTIO_ID_NET ||
		    (pci->device == 0x1000 && pci->subsys_device == VIRTIO_ID_NET))
			vnet_probe(pci);
	}
}
