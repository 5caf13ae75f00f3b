/*
 * The hooks Sprout sets in lwIP (LWIP_HOOK_FILENAME, net/lwip/include/lwipopts.h): ICMP's
 * "port unreachable" for a datagram a connected UDP socket sent becomes that socket's
 * ECONNREFUSED, as on Linux (net/inet_udp.c). Called with the stack lock held, the packet
 * at its IP header; they look and return 0 (lwIP goes on with the packet). Before them,
 * lwip_port_lo_count() counts a packet that lo delivers in its /proc/net/dev line
 * (net/lwip/port.c).
 */
#ifndef SPROUT_LWIP_HOOKS_H
#define SPROUT_LWIP_HOOKS_H

struct pbuf;
struct netif;

int inet_udp_icmp4_hook(struct pbuf *p, struct netif *inp);
int inet_udp_icmp6_hook(struct pbuf *p, struct netif *inp);
void lwip_port_lo_count(struct pbuf *p, struct netif *inp);

#endif
