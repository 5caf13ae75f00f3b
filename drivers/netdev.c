/*
 * Network interfaces (include/netdev.h): the list of cards, the hand-off of received frames to
 * the network stack, the counters and /proc/net/dev. Knows no card and no protocol.
 */
#include "netdev.h"
#include "kernel.h"
#include "uapi/errno.h"

static struct spinlock netdev_list_lock = SPINLOCK_INIT("netdev_list");
static struct list_head netdev_list = LIST_HEAD_INIT(netdev_list);	/* [n] */
static u32 next_ifindex = 2;	/* [n] 1 is the loopback's, as on Linux (LOOPBACK_IFINDEX) */

/* netdev_register - see include/netdev.h. */
int netdev_register(struct netdev *dev)
{
	struct netdev *d;
	int err = 0;

	spin_init(&dev->stats_lock, "netdev_stats");
	spin_lock(&netdev_list_lock);
	list_for_each_entry(d, &netdev_list, link) {
		if (!strcmp(d->name, dev->name)) {
			err = -EEXIST;
			break;
		}
	}
	if (!err && !strcmp(dev->name, "lo")) {
		/* Registered after the cards (the stack starts last) but listed first. */
		dev->ifindex = 1;
		list_add(&dev->link, &netdev_list);
	} else if (!err) {
		dev->ifindex = next_ifindex++;
		list_add_tail(&dev->link, &netdev_list);
	}
	spin_unlock(&netdev_list_lock);
	if (!err)
		printk("net: %s: MAC %02x:%02x:%02x:%02x:%02x:%02x, MTU %u, link %s\n", dev->name,
		       dev->mac[0], dev->mac[1], dev->mac[2], dev->mac[3], dev->mac[4],
		       dev->mac[5], dev->mtu,
		       __atomic_load_n(&dev->link_up, __ATOMIC_RELAXED) ? "up" : "down");
	return err;
}

/* netdev_find - see include/netdev.h. */
struct netdev *netdev_find(const char *name)
{
	struct netdev *d, *found = NULL;

	spin_lock(&netdev_list_lock);
	list_for_each_entry(d, &netdev_list, link) {
		if (!strcmp(d->name, name)) {
			found = d;
			break;
		}
	}
	spin_unlock(&netdev_list_lock);
	return found;
}

/* netdev_for_each - see include/netdev.h. */
void netdev_for_each(void (*fn)(struct netdev *dev, void *arg), void *arg)
{
	struct netdev *d;

	spin_lock(&netdev_list_lock);
	list_for_each_entry(d, &netdev_list, link)
		fn(d, arg);
	spin_unlock(&netdev_list_lock);
}

/* netdev_set_rx - see include/netdev.h. */
void netdev_set_rx(struct netdev *dev, void (*rx)(struct netdev *, const void *, size_t))
{
	__atomic_store_n(&dev->rx, rx, __ATOMIC_RELEASE);
}

/* netdev_rx - see include/netdev.h. */
void netdev_rx(struct netdev *dev, const void *frame, size_t len)
{
	void (*rx)(struct netdev *, const void *, size_t) =
		__atomic_load_n(&dev->rx, __ATOMIC_ACQUIRE);
	const u8 *f = frame;

	spin_lock(&dev->stats_lock);
	if (rx) {
		dev->stats.rx_packets++;
		dev->stats.rx_bytes += len;
		if (f[0] & 1)	/* the group bit of the destination address */
			dev->stats.multicast++;
	} else {
		dev->stats.rx_dropped++;
	}
	spin_unlock(&dev->stats_lock);
	if (rx)
		rx(dev, frame, len);
}

/* netdev_count_tx - see include/netdev.h. */
void netdev_count_tx(struct netdev *dev, size_t len, bool ok)
{
	spin_lock(&dev->stats_lock);
	if (ok) {
		dev->stats.tx_packets++;
		dev->stats.tx_bytes += len;
	} else {
		dev->stats.tx_errors++;
	}
	spin_unlock(&dev->stats_lock);
}

/* netdev_count_rx_error - see include/netdev.h. */
void netdev_count_rx_error(struct netdev *dev)
{
	spin_lock(&dev->stats_lock);
	dev->stats.rx_errors++;
	spin_unlock(&dev->stats_lock);
}

static void show_one(struct netdev *dev, void *arg)
{
	struct netdev_stats s;

	spin_lock(&dev->stats_lock);
	s = dev->stats;
	spin_unlock(&dev->stats_lock);
	/* Columns of Linux's dev_seq_printf_stats(); fifo, frame, compressed, colls and carrier
	 * are errors a virtual card never has. */
	textbuf_printf(arg, "%6s: %7llu %7llu %4llu %4llu %4u %5u %10u %9llu %8llu %7llu %4llu %4llu "
		 "%4u %5u %7u %10u\n", dev->name, (unsigned long long)s.rx_bytes,
		 (unsigned long long)s.rx_packets, (unsigned long long)s.rx_errors,
		 (unsigned long long)s.rx_dropped, 0u, 0u, 0u, (unsigned long long)s.multicast,
		 (unsigned long long)s.tx_bytes, (unsigned long long)s.tx_packets,
		 (unsigned long long)s.tx_errors, (unsigned long long)s.tx_dropped, 0u, 0u, 0u,
		 0u);
}

/* netdev_proc_show - see include/netdev.h. */
size_t netdev_proc_show(char *buf, size_t size)
{
	struct textbuf b = { buf, size, 0 };

	if (!size)
		return 0;
	buf[0] = '\0';
	textbuf_printf(&b, "Inter-|   Receive                            "
		 "                    |  Transmit\n"
		 " face |bytes    packets errs drop fifo frame compressed multicast|"
		 "bytes    packets errs drop fifo colls carrier compressed\n");
	netdev_for_each(show_one, &b);
	return b.len;
}
