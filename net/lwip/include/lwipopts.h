/*
 * lwIP's configuration for Sprout (the options of lwIP's opt.h that differ from its defaults).
 * The stack runs without an OS layer (NO_SYS): every call into it is made with the one lwIP
 * lock held (net/lwip/port.c), by socket calls and by the "lwip" kernel thread that feeds it
 * received frames and runs its timers. Memory comes from the kernel heap (kmalloc), pools
 * included, so closed sockets give every page back. Only the raw (callback) API is used; the
 * socket semantics are Sprout's own (net/inet*.c).
 */
#ifndef SPROUT_LWIPOPTS_H
#define SPROUT_LWIPOPTS_H

#define NO_SYS				1
#define SYS_LIGHTWEIGHT_PROT		0	/* the lwIP lock covers everything */
#define LWIP_SOCKET			0
#define LWIP_NETCONN			0
#define LWIP_TIMERS			1

/* Memory: the kernel heap for the heap and for every pool. */
#define MEM_LIBC_MALLOC			1
#define MEMP_MEM_MALLOC			1
#define MEM_ALIGNMENT			8
/* Not a heap size (the kernel heap is used): above 64000 it makes lwIP's allocation sizes
 * 32-bit, so that a 64 KiB datagram with its headers can be allocated. */
#define MEM_SIZE			(1024 * 1024)
#define mem_clib_malloc			lwip_port_malloc
#define mem_clib_free			lwip_port_free
#define mem_clib_calloc			lwip_port_calloc

/* Protocols. */
#define LWIP_IPV4			1
#define LWIP_IPV6			1
#define LWIP_ARP			1
#define LWIP_ETHERNET			1
#define LWIP_ICMP			1
#define LWIP_RAW			0
#define LWIP_UDP			1
#define LWIP_TCP			1
#define LWIP_DHCP			0
#define LWIP_AUTOIP			0
#define LWIP_IGMP			0
#define LWIP_DNS			0
#define LWIP_IPV6_DHCP6			0
#define LWIP_IPV6_AUTOCONFIG		1
#define LWIP_IPV6_MLD			0	/* the card takes all multicast; no 100 ms timer */
#define IP_REASSEMBLY			1
#define IP_FRAG				1
#define LWIP_IPV6_FRAG			1
#define LWIP_IPV6_REASS			1
#define IPV6_FRAG_COPYHEADER		1	/* 64-bit pointers do not fit in the header */
#define IP_DEFAULT_TTL			64	/* Linux's net.ipv4.ip_default_ttl */
#define SO_REUSE			1	/* SO_REUSEADDR */
#define LWIP_TCP_KEEPALIVE		1	/* SO_KEEPALIVE with per-socket times */
#define TCP_LISTEN_BACKLOG		1
#define DEFAULT_ACCEPTMBOX_SIZE		8

/* TCP: Linux-like times (TIME_WAIT 2 * MSL = 60 s by default) and a full 16-bit window. */
#define TCP_MSS				1460
#define TCP_WND				0xffff
#define TCP_SND_BUF			0xffff
#define TCP_SND_QUEUELEN		((4 * TCP_SND_BUF + TCP_MSS - 1) / TCP_MSS)
#define TCP_SNDLOWAT			(TCP_SND_BUF / 2)
/* The maximum segment lifetime in ms, a variable: /proc/sys/net/sprout_tcp_msl_ms
 * (net/lwip/port.c); TIME_WAIT lasts twice this. */
extern unsigned int lwip_port_tcp_msl_ms;
#define TCP_MSL				((unsigned long)__atomic_load_n(&lwip_port_tcp_msl_ms, \
					__ATOMIC_RELAXED))
#define TCP_OVERSIZE			TCP_MSS
#define LWIP_TCP_TIMESTAMPS		0
#define TCP_QUEUE_OOSEQ			1
#define TCP_OOSEQ_MAX_PBUFS		64

/* Ephemeral ports: Linux's default net.ipv4.ip_local_port_range, 32768 to 60999. */
#define LOCAL_PORT_FIRST		32768
#define LOCAL_PORT_LAST			60999
#define TCP_LOCAL_PORT_RANGE_START	LOCAL_PORT_FIRST
#define TCP_LOCAL_PORT_RANGE_END	LOCAL_PORT_LAST
#define TCP_ENSURE_LOCAL_PORT_RANGE(port) \
	((u16_t)(LOCAL_PORT_FIRST + (port) % (LOCAL_PORT_LAST - LOCAL_PORT_FIRST)))
#define UDP_LOCAL_PORT_RANGE_START	LOCAL_PORT_FIRST
#define UDP_LOCAL_PORT_RANGE_END	LOCAL_PORT_LAST
#define UDP_ENSURE_LOCAL_PORT_RANGE(port) \
	((u16_t)(LOCAL_PORT_FIRST + (port) % (LOCAL_PORT_LAST - LOCAL_PORT_FIRST)))

/* Interfaces: the loopback (lo, 127.0.0.1 and ::1) and virtio-net's eth0. */
#define LWIP_NETIF_LOOPBACK		1
#define LWIP_HAVE_LOOPIF		1
#define LWIP_LOOPBACK_MAX_PBUFS		0
#define LWIP_NETIF_LINK_CALLBACK	0
#define LWIP_NETIF_STATUS_CALLBACK	0
#define LWIP_SINGLE_NETIF		0
#define LWIP_CHECKSUM_CTRL_PER_NETIF	1	/* none on the loopback: nothing corrupts there */
#define ETHARP_SUPPORT_STATIC_ENTRIES	0
#define LWIP_NETIF_HOSTNAME		0
#define PBUF_LINK_HLEN			14
#define ETH_PAD_SIZE			0

/* ICMP errors for connected UDP sockets (net/lwip/include/lwip_hooks.h). */
#define LWIP_HOOK_FILENAME		"lwip_hooks.h"
#define LWIP_HOOK_IP4_INPUT(p, inp)	(lwip_port_lo_count((p), (inp)), \
					 inet_udp_icmp4_hook((p), (inp)))
#define LWIP_HOOK_IP6_INPUT(p, inp)	(lwip_port_lo_count((p), (inp)), \
					 inet_udp_icmp6_hook((p), (inp)))

/* Nothing counted or logged by lwIP itself. */
#define LWIP_STATS			0
#define LWIP_STATS_DISPLAY		0

#endif
