/*
 * lwIP's port layer: what the TCP/IP stack (Debian's lwip source package, built in by the
 * Makefile; docs/sockets.md) needs from the kernel, and the one lock that serialises it.
 *
 * lwIP runs without an OS layer (NO_SYS, net/lwip/include/lwipopts.h). Every call into it --
 * from socket calls (net/inet*.c) and from the "lwip" kernel thread below -- holds
 * net_stack_lock, a mutex; lwIP's callbacks into the socket family run under it too. The thread
 * feeds the stack the frames the network card received (queued by the card's receive hook in
 * interrupt context, never processed there) and runs lwIP's timers (retransmission, delayed
 * ACKs, TIME_WAIT, ARP and neighbour ageing). Packets sent to the loopback interface (or to our
 * own address) wait in lwIP's loop queue; net_stack_unlock() delivers them before it lets the
 * lock go, so a connect on 127.0.0.1 has been answered when the caller next looks.
 *
 * Interfaces: lo (lwIP's loopback netif, 127.0.0.1/8 and ::1) and, when the machine has a
 * virtio-net card, eth0 as QEMU's user network expects: 10.0.2.15/24, gateway 10.0.2.2 (the
 * DNS server, 10.0.2.3, is the resolver's business), plus an IPv6 link-local address.
 *
 * Booting with "netcheck" leaves eth0 to the card's ARP self-check (drivers/netcheck.c).
 *
 * Lossy loopback (Sprout's own, for testing retransmission): with /proc/sys/net/core/
 * sprout_lo_drop_every set to N > 0, every Nth packet sent on lo is dropped.
 *
 * Locks:
 *   net_stack_lock (mutex "lwip"): all of lwIP's state and the sockets' [l] fields
 *     (net/inet.h). Taken by socket calls and the thread; never in interrupt context.
 *   rxq_lock (spinlock): the queue of received frames, between the interrupt hook and the
 *     thread. A leaf.
 * Order: net_stack_lock -> socket wait-queue locks; net_stack_lock -> kmalloc's locks.
 */
#include "kernel.h"
#include "kmalloc.h"
#include "mutex.h"
#include "sched.h"
#include "task.h"
#include "arch.h"
#include "list.h"
#include "netdev.h"
#include "../inet.h"
#include "uapi/errno.h"

#include "lwip/init.h"
#include "lwip/netif.h"
#include "lwip/etharp.h"
#include "lwip/ethip6.h"
#include "lwip/timeouts.h"
#include "lwip/pbuf.h"
#include "netif/ethernet.h"
#include <stdarg.h>

#define RXQ_MAX		512	/* frames waiting for the thread; more are dropped */
#define IDLE_WAIT_MS	1000	/* the thread's longest sleep when no timer is due */

static struct mutex net_stack_lock = MUTEX_INIT(net_stack_lock, "lwip");
static bool stack_up;		/* [l] lwip_init() has run */
static u64 thread_wake_at;	/* [l] when the thread next runs lwIP's timers (ns), 0 = soon */
static bool timers_kick;	/* [a] a timer is due before thread_wake_at: wake up */
static struct wait_queue stack_wait = WAIT_QUEUE_INIT(stack_wait, "lwip");

/* ---- what lwIP asks of its platform (net/lwip/include/arch/cc.h) ---- */

void *lwip_port_malloc(size_t size)
{
	return kmalloc(size ? size : 1);
}

void lwip_port_free(void *p)
{
	kfree(p);
}

void *lwip_port_calloc(size_t n, size_t size)
{
	if (size && n > (size_t)-1 / size)
		return NULL;
	return kzalloc(n && size ? n * size : 1);
}

void lwip_port_diag(const char *fmt, ...)
{
	char buf[160];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	printk("lwip: %s", buf);
}

/* An lwIP assertion is a broken invariant of the stack: the kernel's kind of bug. */
void lwip_port_assert(const char *msg, const char *file, int line)
{
	panic("lwip: assertion \"%s\" failed at %s:%d", msg, file, line);
}

uint32_t lwip_port_rand(void)
{
	return (uint32_t)arch_random_u64();
}

/* atoi(3), for lwIP's interface names ("lo0"). */
int atoi(const char *s)
{
	int v = 0, neg = 0;

	while (*s == ' ' || *s == '\t')
		s++;
	if (*s == '-' || *s == '+')
		neg = *s++ == '-';
	while (*s >= '0' && *s <= '9')
		v = v * 10 + (*s++ - '0');
	return neg ? -v : v;
}

/* sys_now - lwIP's clock: milliseconds, monotonic (wraps after 49 days, as lwIP expects). */
u32_t sys_now(void)
{
	return (u32_t)(arch_clock_ns() / 1000000ull);
}

/* ---- the lock ---- */

/* net_stack_lock_take - see net/inet.h. */
void net_stack_lock_take(void)
{
	mutex_lock(&net_stack_lock);
}

/* net_stack_lock_drop - see net/inet.h. */
void net_stack_lock_drop(void)
{
	/* Deliver what went to the loopback (and the replies it causes) first. */
	if (stack_up) {
		u32 ms;

		netif_poll_all();
		/* A timer armed sooner than the thread means to wake (a retransmission, a
		 * delayed ACK): wake it now. */
		ms = sys_timeouts_sleeptime();
		if (ms != SYS_TIMEOUTS_SLEEPTIME_INFINITE && thread_wake_at &&
		    arch_clock_ns() + (u64)ms * 1000000ull < thread_wake_at) {
			thread_wake_at = 0;
			__atomic_store_n(&timers_kick, true, __ATOMIC_RELEASE);
			wake_up(&stack_wait);
		}
	}
	mutex_unlock(&net_stack_lock);
}

/* ---- the loopback: its counters and its losses ---- */

/* lo in /proc/net/dev: what is sent on it is also what it receives, as Linux counts. It has
 * no card: its ops are empty and nothing finds it to transmit (the stack keeps its netif). */
static const struct netdev_ops lo_ops;
static struct netif *lo_netif;	/* [l] */
static struct netdev lo_dev = {
	.name = "lo", .mtu = 65536, .link_up = true, .ops = &lo_ops,
};

/* lwip_port_lo_count - see net/lwip/include/lwip_hooks.h. Every packet lo delivers passes
 * here, whether it went out through lo's output function or straight onto its loop queue (a
 * packet to 127.0.0.1 itself does). [l] */
void lwip_port_lo_count(struct pbuf *p, struct netif *inp)
{
	if (inp != lo_netif)
		return;
	spin_lock(&lo_dev.stats_lock);
	lo_dev.stats.tx_packets++;
	lo_dev.stats.tx_bytes += p->tot_len;
	lo_dev.stats.rx_packets++;
	lo_dev.stats.rx_bytes += p->tot_len;
	spin_unlock(&lo_dev.stats_lock);
}

static int lo_drop_every;	/* [a] 0 = lose nothing */
static u32 lo_sent;		/* [l] packets sent on lo */
static netif_output_fn lo_output4;	/* [l] lwIP's own output functions of lo */
static netif_output_ip6_fn lo_output6;

static bool lo_lose(void)
{
	int n = __atomic_load_n(&lo_drop_every, __ATOMIC_RELAXED);
	bool lost = n > 0 && ++lo_sent % (u32)n == 0;

	if (lost) {
		spin_lock(&lo_dev.stats_lock);
		lo_dev.stats.tx_dropped++;
		spin_unlock(&lo_dev.stats_lock);
	}
	return lost;
}

static err_t lo_lossy_output4(struct netif *netif, struct pbuf *p, const ip4_addr_t *dst)
{
	return lo_lose() ? ERR_OK : lo_output4(netif, p, dst);
}

static err_t lo_lossy_output6(struct netif *netif, struct pbuf *p, const ip6_addr_t *dst)
{
	return lo_lose() ? ERR_OK : lo_output6(netif, p, dst);
}

/* net_lo_drop_every / net_lo_set_drop_every - see include/net.h. */
long net_lo_drop_every(void)
{
	return __atomic_load_n(&lo_drop_every, __ATOMIC_RELAXED);
}

int net_lo_set_drop_every(long n)
{
	if (n < 0 || n > 1000000)
		return -EINVAL;
	__atomic_store_n(&lo_drop_every, (int)n, __ATOMIC_RELAXED);
	return 0;
}

/* ---- TIME_WAIT's length ---- */

/* [a] TCP_MSL of lwipopts.h: 30 s, so TIME_WAIT lasts Linux's 60 s. */
unsigned int lwip_port_tcp_msl_ms = 30000;

/* net_tcp_msl_ms / net_set_tcp_msl_ms - see include/net.h. */
long net_tcp_msl_ms(void)
{
	return __atomic_load_n(&lwip_port_tcp_msl_ms, __ATOMIC_RELAXED);
}

int net_set_tcp_msl_ms(long ms)
{
	if (ms < 1 || ms > 600000)
		return -EINVAL;
	__atomic_store_n(&lwip_port_tcp_msl_ms, (unsigned int)ms, __ATOMIC_RELAXED);
	return 0;
}

/* ---- eth0: the virtio-net card ---- */

struct rx_frame {
	struct list_head link;
	u32 len;
	u8 data[];
};

static struct spinlock rxq_lock = SPINLOCK_INIT("net_rxq");
static LIST_HEAD(rxq);			/* [rxq_lock] struct rx_frame, oldest first */
static u32 rxq_len;			/* [rxq_lock] */
static struct netif eth_netif;		/* [l] */
static struct netdev *eth_dev;		/* [I] after net_stack_init */

/* The card's receive hook (interrupt context): queue a copy for the thread. */
static void eth_rx(struct netdev *dev, const void *frame, size_t len)
{
	struct rx_frame *f;

	if (__atomic_load_n(&rxq_len, __ATOMIC_RELAXED) >= RXQ_MAX)
		goto drop;
	f = kmalloc(sizeof(*f) + len);
	if (!f)
		goto drop;
	f->len = (u32)len;
	memcpy(f->data, frame, len);
	spin_lock(&rxq_lock);
	list_add_tail(&f->link, &rxq);
	rxq_len++;
	spin_unlock(&rxq_lock);
	wake_up(&stack_wait);
	return;
drop:
	spin_lock(&dev->stats_lock);
	dev->stats.rx_dropped++;
	spin_unlock(&dev->stats_lock);
}

/* lwIP's link output: one Ethernet frame, flattened, to the card. */
static err_t eth_linkoutput(struct netif *netif, struct pbuf *p)
{
	u8 frame[ETH_FRAME_MAX];
	int err;

	if (p->tot_len > sizeof(frame))
		return ERR_ARG;
	pbuf_copy_partial(p, frame, p->tot_len, 0);
	err = eth_dev->ops->xmit(eth_dev, frame, p->tot_len);
	/* A full transmit queue loses the frame, as a busy wire would: TCP sends it again. */
	return err && err != -ENOBUFS ? ERR_IF : ERR_OK;
}

static err_t eth_netif_init(struct netif *netif)
{
	netif->name[0] = 'e';
	netif->name[1] = 't';
	netif->hwaddr_len = ETH_ALEN;
	memcpy(netif->hwaddr, eth_dev->mac, ETH_ALEN);
	netif->mtu = eth_dev->mtu;
	netif->flags = NETIF_FLAG_BROADCAST | NETIF_FLAG_ETHARP | NETIF_FLAG_ETHERNET;
	netif->output = etharp_output;
	netif->output_ip6 = ethip6_output;
	netif->linkoutput = eth_linkoutput;
	return ERR_OK;
}

static void eth_attach(struct netdev *dev)
{
	ip4_addr_t ip, mask, gw;

	eth_dev = dev;
	IP4_ADDR(&ip, 10, 0, 2, 15);
	IP4_ADDR(&mask, 255, 255, 255, 0);
	IP4_ADDR(&gw, 10, 0, 2, 2);
	if (!netif_add(&eth_netif, &ip, &mask, &gw, NULL, eth_netif_init, ethernet_input)) {
		printk("net: cannot add %s to the stack\n", dev->name);
		eth_dev = NULL;
		return;
	}
	netif_create_ip6_linklocal_address(&eth_netif, 1);
	eth_netif.ip6_autoconfig_enabled = 1;
	netif_set_default(&eth_netif);
	netif_set_up(&eth_netif);
	netif_set_link_up(&eth_netif);
	netdev_set_rx(dev, eth_rx);
	printk("net: %s is 10.0.2.15/24, gateway 10.0.2.2\n", dev->name);
}

/* ---- the thread ---- */

static bool thread_has_work(void)
{
	return __atomic_load_n(&rxq_len, __ATOMIC_RELAXED) != 0 ||
	       __atomic_load_n(&timers_kick, __ATOMIC_ACQUIRE);
}

/* Hand the queued frames to lwIP. Called with the stack lock. */
static void rx_drain(void)
{
	for (;;) {
		struct rx_frame *f = NULL;
		struct pbuf *p;

		spin_lock(&rxq_lock);
		if (!list_empty(&rxq)) {
			f = list_first_entry(&rxq, struct rx_frame, link);
			list_del(&f->link);
			rxq_len--;
		}
		spin_unlock(&rxq_lock);
		if (!f)
			return;
		p = pbuf_alloc(PBUF_RAW, (u16_t)f->len, PBUF_RAM);
		if (p) {
			pbuf_take(p, f->data, (u16_t)f->len);
			if (eth_netif.input(p, &eth_netif) != ERR_OK)
				pbuf_free(p);
		}
		kfree(f);
	}
}

static void stack_thread(void *arg)
{
	for (;;) {
		u64 wake;
		u32 ms;

		net_stack_lock_take();
		__atomic_store_n(&timers_kick, false, __ATOMIC_RELAXED);
		rx_drain();
		sys_check_timeouts();
		netif_poll_all();
		ms = sys_timeouts_sleeptime();
		if (ms > IDLE_WAIT_MS)
			ms = IDLE_WAIT_MS;
		wake = arch_clock_ns() + ms * 1000000ull;
		thread_wake_at = ms ? wake : 0;
		net_stack_lock_drop();
		if (ms)
			wait_event_interruptible_deadline(&stack_wait, thread_has_work(), wake);
	}
}

/* net_stack_init - see net/inet.h. */
void net_stack_init(void)
{
	struct netif *n;
	struct netdev *dev;

	net_stack_lock_take();
	lwip_init();
	stack_up = true;
	NETIF_FOREACH(n) {
		if (n->name[0] == 'l' && n->name[1] == 'o')
			lo_netif = n;
	}
	if (lo_netif) {
		if (netdev_register(&lo_dev))
			printk("net: lo not listed in /proc/net/dev (a device took its name)\n");
		lo_output4 = lo_netif->output;
		lo_output6 = lo_netif->output_ip6;
		lo_netif->output = lo_lossy_output4;
		lo_netif->output_ip6 = lo_lossy_output6;
	}
	dev = netdev_find("eth0");
	if (dev && netdev_selftest_requested())
		printk("net: %s left to the netcheck self-check\n", dev->name);
	else if (dev)
		eth_attach(dev);
	net_stack_lock_drop();
	if (!task_create_kernel("lwip", stack_thread, NULL))
		panic("net: cannot start the lwip thread");
}
