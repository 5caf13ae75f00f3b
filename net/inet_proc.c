/*
 * /proc/net/tcp, tcp6, udp and udp6 (proc(5)): lwIP's control blocks -- listeners,
 * connections, TIME_WAIT, datagram sockets -- in Linux's columns (its tcp4_seq_show,
 * tcp6_seq_show, udp4_format_sock), each row with its socket's inode as /proc/PID/fd shows it
 * (socket:[N]). Rows of IPv4 files are padded as Linux pads them.
 */
#include "inet.h"
#include "kernel.h"

#include "lwip/tcp.h"
#include "lwip/udp.h"
#include "lwip/priv/tcp_priv.h"

/* Linux's TCP state numbers, for /proc/net/tcp. */
enum {
	LTCP_ESTABLISHED = 1, LTCP_SYN_SENT, LTCP_SYN_RECV, LTCP_FIN_WAIT1, LTCP_FIN_WAIT2,
	LTCP_TIME_WAIT, LTCP_CLOSE, LTCP_CLOSE_WAIT, LTCP_LAST_ACK, LTCP_LISTEN, LTCP_CLOSING,
};

/* ---- /proc/net/tcp, /proc/net/tcp6 (proc(5), Linux's tcp4_seq_show/tcp6_seq_show) ---- */

static int linux_state(enum tcp_state st)
{
	switch (st) {
	case LISTEN: return LTCP_LISTEN;
	case SYN_SENT: return LTCP_SYN_SENT;
	case SYN_RCVD: return LTCP_SYN_RECV;
	case ESTABLISHED: return LTCP_ESTABLISHED;
	case FIN_WAIT_1: return LTCP_FIN_WAIT1;
	case FIN_WAIT_2: return LTCP_FIN_WAIT2;
	case CLOSE_WAIT: return LTCP_CLOSE_WAIT;
	case CLOSING: return LTCP_CLOSING;
	case LAST_ACK: return LTCP_LAST_ACK;
	case TIME_WAIT: return LTCP_TIME_WAIT;
	default: return LTCP_CLOSE;
	}
}

/* One address as /proc/net/tcp{,6} print it: the 32-bit words of the network-order
 * address as host integers. */
static void put_addr(struct textbuf *b, const ip_addr_t *ip, u16 port, bool v6)
{
	u32 w[4] = { 0, 0, 0, 0 };

	if (!v6) {
		textbuf_printf(b, "%08X:%04X", IP_IS_V4(ip) ? ip_2_ip4(ip)->addr : 0, port);
		return;
	}
	if (IP_IS_V6(ip)) {
		memcpy(w, ip_2_ip6(ip)->addr, 16);
	} else if (IP_IS_V4(ip) && ip_2_ip4(ip)->addr) {
		w[2] = PP_HTONL(0xffff);
		w[3] = ip_2_ip4(ip)->addr;
	}
	textbuf_printf(b, "%08X%08X%08X%08X:%04X", w[0], w[1], w[2], w[3], port);
}

/* Does a pcb with local address @ip belong in /proc/net/tcp (@family AF_INET) or tcp6? */
static bool in_table(const ip_addr_t *ip, int family)
{
	return family == AF_INET ? IP_IS_V4_VAL(*ip) : !IP_IS_V4_VAL(*ip);
}

static void proc_row(struct textbuf *b, int *sl, int family, const ip_addr_t *lip, u16 lport,
		     const ip_addr_t *rip, u16 rport, int st, u32 txq, u32 rxq, void *arg,
		     u32 rto_ms)
{
	struct inet_sock *isk = arg;
	bool v6 = family == AF_INET6;
	size_t start = b->len;

	textbuf_printf(b, "%4d: ", (*sl)++);
	put_addr(b, lip, lport, v6);
	textbuf_printf(b, " ");
	put_addr(b, rip, rport, v6);
	textbuf_printf(b, " %02X %08X:%08X 00:00000000 00000000 %5u %8d %llu 1 0000000000000000 "
		       "%u 4 0 10 -1", st, txq, rxq, isk ? isk->uid : 0, 0,
		       (unsigned long long)(isk ? isk->ino : 0), rto_ms / 10);
	/* IPv4 rows are padded to 149 characters, as Linux's are. */
	while (!v6 && b->len - start < 149 && b->len + 1 < b->size)
		textbuf_printf(b, " ");
	textbuf_printf(b, "\n");
}

/* inet_tcp_proc_show - see net/inet.h. */
void inet_tcp_proc_show(struct textbuf *b, int family)
{
	struct tcp_pcb_listen *l;
	struct tcp_pcb *p;
	int sl = 0;

	if (family == AF_INET)
		textbuf_printf(b, "%-149s\n", "  sl  local_address rem_address   st tx_queue "
			       "rx_queue tr tm->when retrnsmt   uid  timeout inode");
	else
		textbuf_printf(b, "  sl  local_address                         remote_address"
			       "                        st tx_queue rx_queue tr tm->when retrnsmt"
			       "   uid  timeout inode\n");
	net_stack_lock_take();
	for (l = tcp_listen_pcbs.listen_pcbs; l; l = l->next) {
		struct inet_sock *isk = l->callback_arg;

		if (in_table(&l->local_ip, family))
			proc_row(b, &sl, family, &l->local_ip, l->local_port, IP_ANY_TYPE, 0,
				 LTCP_LISTEN, 0, isk ? isk->nr_accept : 0, isk, 0);
	}
	for (p = tcp_active_pcbs; p; p = p->next) {
		struct inet_sock *isk = p->callback_arg;

		if (in_table(&p->local_ip, family))
			proc_row(b, &sl, family, &p->local_ip, p->local_port, &p->remote_ip,
				 p->remote_port, linux_state(p->state),
				 TCP_SND_BUF - tcp_sndbuf(p), isk ? isk->rx_bytes : 0, isk,
				 (u32)p->rto * TCP_SLOW_INTERVAL);
	}
	for (p = tcp_tw_pcbs; p; p = p->next) {
		if (in_table(&p->local_ip, family))
			proc_row(b, &sl, family, &p->local_ip, p->local_port, &p->remote_ip,
				 p->remote_port, LTCP_TIME_WAIT, 0, 0, NULL, 0);
	}
	net_stack_lock_drop();
}

/* ---- /proc/net/udp, /proc/net/udp6 (proc(5), Linux's udp4_format_sock) ---- */

/* inet_udp_proc_show - see net/inet.h. */
void inet_udp_proc_show(struct textbuf *b, int family)
{
	bool v6 = family == AF_INET6;
	struct udp_pcb *p;
	int sl = 0;

	if (!v6)
		textbuf_printf(b, "%-127s\n", "   sl  local_address rem_address   st tx_queue "
			       "rx_queue tr tm->when retrnsmt   uid  timeout inode ref pointer drops");
	else
		textbuf_printf(b, "   sl  local_address                         remote_address"
			       "                        st tx_queue rx_queue tr tm->when retrnsmt"
			       "   uid  timeout inode ref pointer drops\n");
	net_stack_lock_take();
	for (p = udp_pcbs; p; p = p->next) {
		struct inet_sock *isk = p->recv_arg;
		size_t start = b->len;

		if (v6 == IP_IS_V4_VAL(p->local_ip))
			continue;
		textbuf_printf(b, "%5d: ", sl++);
		put_addr(b, &p->local_ip, p->local_port, v6);
		textbuf_printf(b, " ");
		put_addr(b, &p->remote_ip, p->remote_port, v6);
		textbuf_printf(b, " %02X %08X:%08X 00:00000000 00000000 %5u %8d %llu 2 "
			       "0000000000000000 0", (p->flags & UDP_FLAGS_CONNECTED) ? 1 : 7, 0,
			       isk ? isk->rx_bytes : 0, isk ? isk->uid : 0, 0,
			       (unsigned long long)(isk ? isk->ino : 0));
		while (!v6 && b->len - start < 127 && b->len + 1 < b->size)
			textbuf_printf(b, " ");
		textbuf_printf(b, "\n");
	}
	net_stack_lock_drop();
}

/* inet_proc_show - see include/net.h. */
size_t inet_proc_show(char *buf, size_t size, int family, int type)
{
	struct textbuf b = { .buf = buf, .size = size };

	if (size)
		buf[0] = 0;
	if (type == SOCK_STREAM)
		inet_tcp_proc_show(&b, family);
	else
		inet_udp_proc_show(&b, family);
	return b.len;
}
