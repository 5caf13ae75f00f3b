/*
 * Internet socket addresses and options as Linux's ABI has them (ip(7), ipv6(7), tcp(7),
 * udp(7)). Written from the manual pages; port and address fields are in network byte order.
 */
#ifndef SPROUT_UAPI_IN_H
#define SPROUT_UAPI_IN_H

#include <stdint.h>

#define IPPROTO_IP		0
#define IPPROTO_TCP		6
#define IPPROTO_UDP		17
#define IPPROTO_IPV6		41

/* IPPROTO_IP */
#define IP_TOS			1
#define IP_TTL			2

/* IPPROTO_TCP */
#define TCP_NODELAY		1
#define TCP_MAXSEG		2
#define TCP_KEEPIDLE		4
#define TCP_KEEPINTVL		5
#define TCP_KEEPCNT		6

/* IPPROTO_IPV6 */
#define IPV6_UNICAST_HOPS	16
#define IPV6_V6ONLY		26

struct linux_sockaddr_in {
	uint16_t sin_family;
	uint16_t sin_port;
	uint32_t sin_addr;
	uint8_t sin_zero[8];
};

struct linux_sockaddr_in6 {
	uint16_t sin6_family;
	uint16_t sin6_port;
	uint32_t sin6_flowinfo;
	uint8_t sin6_addr[16];
	uint32_t sin6_scope_id;
};

#endif
