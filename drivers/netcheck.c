/*
 * The network card's self-check ("netcheck" on the kernel command line): with no IP stack in
 * the kernel, the smallest proof that frames go out and come back is ARP. A kernel thread asks
 * on eth0 who has 10.0.2.2 (the gateway of QEMU's user-mode network, which answers for itself)
 * from 10.0.2.15 (the address that network gives the guest), waits for the reply and logs it.
 * It borrows the interface's receive hook only while no stack has set one.
 * Source: RFC 826 (ARP), QEMU's user networking defaults (10.0.2.0/24).
 */
#include "netdev.h"
#include "kernel.h"
#include "arch.h"
#include "sched.h"
#include "task.h"
#include "uapi/errno.h"

#define ARP_HTYPE_ETHER		1
#define ARP_OP_REQUEST		1
#define ARP_OP_REPLY		2
#define ARP_FRAME_LEN		60	/* the Ethernet minimum, padding included */
#define NETCHECK_TRIES		5
#define NETCHECK_WAIT_NS	1000000000ull

static const u8 our_ip[4] = { 10, 0, 2, 15 };
static const u8 gw_ip[4] = { 10, 0, 2, 2 };

static struct wait_queue reply_wait;
static u8 reply_mac[ETH_ALEN];	/* written by the hook before reply_seen is set */
static bool reply_seen;		/* [a] */

static u16 get16(const u8 *p) { return (u16)(p[0] << 8 | p[1]); }

static void put16(u8 *p, u16 v)
{
	p[0] = (u8)(v >> 8);
	p[1] = (u8)v;
}

/* The receive hook (interrupt context): keep an ARP reply from the gateway to us. */
static void netcheck_rx(struct netdev *dev, const void *frame, size_t len)
{
	const u8 *f = frame, *arp = f + ETH_HLEN;

	if (len < ETH_HLEN + 28 || get16(f + 12) != ETH_P_ARP)
		return;
	if (get16(arp) != ARP_HTYPE_ETHER || get16(arp + 2) != ETH_P_IP || arp[4] != ETH_ALEN ||
	    arp[5] != 4 || get16(arp + 6) != ARP_OP_REPLY)
		return;
	if (memcmp(arp + 14, gw_ip, 4) || memcmp(arp + 24, our_ip, 4))
		return;
	if (__atomic_load_n(&reply_seen, __ATOMIC_ACQUIRE))
		return;
	memcpy(reply_mac, arp + 8, ETH_ALEN);
	__atomic_store_n(&reply_seen, true, __ATOMIC_RELEASE);
	wake_up(&reply_wait);
}

static void build_request(struct netdev *dev, u8 *f)
{
	u8 *arp = f + ETH_HLEN;

	memset(f, 0, ARP_FRAME_LEN);
	memset(f, 0xff, ETH_ALEN);			/* broadcast */
	memcpy(f + ETH_ALEN, dev->mac, ETH_ALEN);
	put16(f + 12, ETH_P_ARP);
	put16(arp, ARP_HTYPE_ETHER);
	put16(arp + 2, ETH_P_IP);
	arp[4] = ETH_ALEN;
	arp[5] = 4;
	put16(arp + 6, ARP_OP_REQUEST);
	memcpy(arp + 8, dev->mac, ETH_ALEN);		/* sender hardware address */
	memcpy(arp + 14, our_ip, 4);			/* sender protocol address */
	memcpy(arp + 24, gw_ip, 4);			/* target protocol address */
}

static void netcheck_main(void *arg)
{
	struct netdev *dev = netdev_find("eth0");
	u8 frame[ARP_FRAME_LEN];
	int err = 0;

	if (!dev) {
		printk("netcheck: no eth0\n");
		return;
	}
	if (__atomic_load_n(&dev->rx, __ATOMIC_ACQUIRE)) {
		printk("netcheck: eth0 already has a network stack; not checked\n");
		return;
	}
	netdev_set_rx(dev, netcheck_rx);
	build_request(dev, frame);
	for (int i = 0; i < NETCHECK_TRIES && !__atomic_load_n(&reply_seen, __ATOMIC_ACQUIRE);
	     i++) {
		err = dev->ops->xmit(dev, frame, sizeof(frame));
		if (err && err != -ENOBUFS)
			break;
		wait_event_interruptible_deadline(&reply_wait,
						  __atomic_load_n(&reply_seen, __ATOMIC_ACQUIRE),
						  arch_clock_ns() + NETCHECK_WAIT_NS);
	}
	netdev_set_rx(dev, NULL);
	if (__atomic_load_n(&reply_seen, __ATOMIC_ACQUIRE))
		printk("netcheck: %s: 10.0.2.2 is at %02x:%02x:%02x:%02x:%02x:%02x\n", dev->name,
		       reply_mac[0], reply_mac[1], reply_mac[2], reply_mac[3], reply_mac[4],
		       reply_mac[5]);
	else
		printk("netcheck: %s: no ARP reply from 10.0.2.2 (error %d)\n", dev->name, err);
}

/* netdev_selftest_start - see include/netdev.h. */
void netdev_selftest_start(void)
{
	wait_queue_init(&reply_wait, "netcheck");
	if (!task_create_kernel("netcheck", netcheck_main, NULL))
		printk("netcheck: cannot start its thread\n");
}
