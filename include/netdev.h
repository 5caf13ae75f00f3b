/*
 * Network interfaces: the contract between a network card's driver (drivers/virtio/net.c) and
 * the network stack above it (net/). A driver fills in a struct netdev and registers it; the
 * stack finds it by name ("eth0"), sets its receive hook, and sends Ethernet frames with
 * ops->xmit. Frames are whole Ethernet II frames (destination MAC, source MAC, EtherType,
 * payload) without the frame check sequence; the driver adds and strips nothing else.
 *
 * Contexts:
 *   - ops->xmit may be called from any context (process, interrupt, with spinlocks held); it
 *     never sleeps. It copies the frame, so the caller's buffer is free when it returns.
 *   - rx is called from the driver's interrupt handler: interrupt context, interrupts
 *     disabled, on CPU 0, one frame at a time in arrival order. It must not sleep and should be
 *     short (copy the frame into the stack's own queue and return); @frame is valid only
 *     during the call. It may call ops->xmit of any device.
 *   - Frames arriving while rx is NULL are counted as rx_dropped and discarded.
 *
 * Locks:
 *   [n] netdev_list_lock (drivers/netdev.c): the list of registered interfaces.
 *   [s] dev->stats_lock: the counters.
 *   [i] set by the driver before netdev_register(), constant afterwards.
 *   [a] atomic.
 *   The stack sets rx (with netdev_set_rx) before it expects frames; the driver reads it with
 *   an acquire load in the interrupt handler.
 */
#ifndef SPROUT_NETDEV_H
#define SPROUT_NETDEV_H

#include "types.h"
#include "list.h"
#include "spinlock.h"

#define NETDEV_NAME_MAX		16
#define ETH_ALEN		6
#define ETH_HLEN		14	/* destination, source, EtherType */
#define ETH_FRAME_MAX		1514	/* ETH_HLEN + the 1500-byte MTU, no FCS */
#define ETH_P_IP		0x0800
#define ETH_P_ARP		0x0806
#define ETH_P_IPV6		0x86dd

struct netdev;

struct netdev_ops {
	/*
	 * xmit - send one Ethernet frame of @len bytes (ETH_HLEN..ETH_HLEN + mtu) from kernel
	 * buffer @frame. Returns 0 when the frame was queued on the card (it is then counted in
	 * tx_packets when sent), -EINVAL (bad length), -ENOBUFS (the card's transmit queue is
	 * full: the caller drops or retries later), -ENETDOWN (link down). Never sleeps; any
	 * context.
	 */
	int (*xmit)(struct netdev *dev, const void *frame, size_t len);
};

/* Interface counters, as /proc/net/dev shows them. [s] */
struct netdev_stats {
	u64 rx_bytes, rx_packets, rx_errors, rx_dropped;
	u64 tx_bytes, tx_packets, tx_errors, tx_dropped;
	u64 multicast;		/* received frames with a group destination address */
};

struct netdev {
	char name[NETDEV_NAME_MAX];	/* [i] "eth0" */
	u8 mac[ETH_ALEN];		/* [i] the card's address */
	u32 mtu;			/* [i] bytes of payload per frame (1500) */
	u32 ifindex;			/* set by netdev_register(): 1, 2, ... */
	bool link_up;			/* [a] carrier, as the card reports it */
	const struct netdev_ops *ops;	/* [i] */
	/* rx - the stack's receive hook (see the contexts above); NULL: frames are dropped. */
	void (*rx)(struct netdev *dev, const void *frame, size_t len);	/* [a] */
	void *stack_priv;		/* the stack's own per-interface state */
	void *priv;			/* [i] the driver's */
	struct spinlock stats_lock;
	struct netdev_stats stats;	/* [s] */
	struct list_head link;		/* [n] */
};

/*
 * netdev_register - add @dev (filled in by its driver, stats zero) to the interfaces: it can
 * then be found by name and shows in /proc/net/dev. Assigns dev->ifindex. Returns 0 or -EEXIST
 * (the name is taken). "lo", the network stack's loopback, gets ifindex 1 and the head of the
 * list, as on Linux; cards get 2, 3, ... Sleeps: no.
 */
int netdev_register(struct netdev *dev);

/* netdev_find - the interface named @name ("eth0"), or NULL. Interfaces are never unregistered,
 * so the pointer stays valid. Sleeps: no. */
struct netdev *netdev_find(const char *name);

/* netdev_for_each - call @fn(dev, @arg) for every interface in registration order, with [n]
 * held (@fn must not sleep). */
void netdev_for_each(void (*fn)(struct netdev *dev, void *arg), void *arg);

/*
 * netdev_set_rx - install (or with NULL remove) the receive hook of @dev. After it returns,
 * new frames go to @rx; a frame being delivered on CPU 0 at that moment may still reach the old
 * hook. Sleeps: no.
 */
void netdev_set_rx(struct netdev *dev, void (*rx)(struct netdev *, const void *, size_t));

/*
 * netdev_rx - for drivers: deliver a received frame to the stack (or count it dropped) and
 * count it. Interrupt context. Sleeps: no.
 */
void netdev_rx(struct netdev *dev, const void *frame, size_t len);

/* netdev_count_tx - for drivers: count a frame the card has sent (@ok) or failed to. */
void netdev_count_tx(struct netdev *dev, size_t len, bool ok);

/* netdev_count_rx_error - for drivers: a frame came in broken (too short, too long). */
void netdev_count_rx_error(struct netdev *dev);

/*
 * netdev_proc_show - the text of /proc/net/dev (Linux's format, proc(5)) into @buf of @size
 * bytes; returns the length (truncated at @size - 1). Takes [n] and each [s]. Sleeps: no.
 */
size_t netdev_proc_show(char *buf, size_t size);

/*
 * netdev_selftest_start - the boot-time self-check asked for with "netcheck" on the kernel
 * command line (drivers/netcheck.c): a kernel thread that asks for 10.0.2.2 (QEMU's user-mode
 * gateway) by ARP on eth0 and logs "netcheck: eth0: 10.0.2.2 is at <mac>" or why not.
 * Sleeps: no.
 */
void netdev_selftest_start(void);

/* netdev_selftest_requested - was "netcheck" on the command line? The network stack then
 * leaves eth0 to the self-check. Valid after drivers_init(). Sleeps: no. */
bool netdev_selftest_requested(void);

#endif
