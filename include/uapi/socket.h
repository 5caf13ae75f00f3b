/*
 * Socket constants and structures of the Linux x86-64 ABI (socket(7),
 * unix(7), sendmsg(2), cmsg(3); linux/socket.h, asm-generic/socket.h,
 * linux/un.h), plus epoll(7), eventfd(2), signalfd(2) and timerfd_create(2),
 * which servers use with them. Written from the manual pages; the
 * structures carry a linux_ prefix so that they never meet a libc's.
 */
#ifndef SPROUT_UAPI_SOCKET_H
#define SPROUT_UAPI_SOCKET_H

#include <stdint.h>

/* Address families (socket(2)). */
#define AF_UNSPEC	0
#define AF_UNIX		1
#define AF_INET		2
#define AF_INET6	10
#define AF_NETLINK	16
#define AF_PACKET	17
#define AF_MAX		46

/* Socket types, and the flags socket(2)/socketpair(2)/accept4(2) take with them. */
#define SOCK_STREAM	1
#define SOCK_DGRAM	2
#define SOCK_RAW	3
#define SOCK_RDM	4
#define SOCK_SEQPACKET	5
#define SOCK_TYPE_MASK	0xf
#define SOCK_NONBLOCK	00004000	/* O_NONBLOCK */
#define SOCK_CLOEXEC	02000000	/* O_CLOEXEC */

/* shutdown(2) */
#define SHUT_RD		0
#define SHUT_WR		1
#define SHUT_RDWR	2

/* send/recv flags (send(2), recv(2)) */
#define MSG_OOB		0x1
#define MSG_PEEK	0x2
#define MSG_DONTROUTE	0x4
#define MSG_CTRUNC	0x8
#define MSG_TRUNC	0x20
#define MSG_DONTWAIT	0x40
#define MSG_EOR		0x80
#define MSG_WAITALL	0x100
#define MSG_NOSIGNAL	0x4000
#define MSG_MORE	0x8000
#define MSG_WAITFORONE	0x10000
#define MSG_CMSG_CLOEXEC	0x40000000

/* Socket options at SOL_SOCKET (socket(7)). */
#define SOL_SOCKET	1
#define SO_DEBUG	1
#define SO_REUSEADDR	2
#define SO_TYPE		3
#define SO_ERROR	4
#define SO_DONTROUTE	5
#define SO_BROADCAST	6
#define SO_SNDBUF	7
#define SO_RCVBUF	8
#define SO_KEEPALIVE	9
#define SO_OOBINLINE	10
#define SO_LINGER	13
#define SO_REUSEPORT	15
#define SO_PASSCRED	16
#define SO_PEERCRED	17
#define SO_RCVLOWAT	18
#define SO_SNDLOWAT	19
#define SO_RCVTIMEO	20
#define SO_SNDTIMEO	21
#define SO_ACCEPTCONN	30
#define SO_SNDBUFFORCE	32
#define SO_RCVBUFFORCE	33
#define SO_PROTOCOL	38
#define SO_DOMAIN	39

/* Control messages at SOL_SOCKET (unix(7)). */
#define SCM_RIGHTS	1
#define SCM_CREDENTIALS	2

#define SOMAXCONN	4096	/* net.core.somaxconn's default */

struct linux_sockaddr {
	uint16_t sa_family;
	char sa_data[14];
};

#define UNIX_PATH_MAX	108
struct linux_sockaddr_un {
	uint16_t sun_family;
	char sun_path[UNIX_PATH_MAX];
};

/* The largest address any family uses (struct sockaddr_storage). */
#define SOCKADDR_MAX	128

struct linux_msghdr {
	uint64_t msg_name;		/* user address */
	uint32_t msg_namelen;
	uint32_t pad0;
	uint64_t msg_iov;		/* user struct linux_iovec[] */
	uint64_t msg_iovlen;
	uint64_t msg_control;		/* user address */
	uint64_t msg_controllen;
	int32_t msg_flags;
	uint32_t pad1;
};

struct linux_mmsghdr {
	struct linux_msghdr msg_hdr;
	uint32_t msg_len;
	uint32_t pad;
};

struct linux_cmsghdr {
	uint64_t cmsg_len;		/* bytes, header included */
	int32_t cmsg_level;
	int32_t cmsg_type;
};

#define CMSG_ALIGN_K(len)	(((len) + 7) & ~(uint64_t)7)
#define CMSG_HDR_K		sizeof(struct linux_cmsghdr)
#define CMSG_SPACE_K(len)	(CMSG_HDR_K + CMSG_ALIGN_K(len))
#define CMSG_LEN_K(len)		(CMSG_HDR_K + (len))

struct linux_ucred {
	int32_t pid;
	uint32_t uid;
	uint32_t gid;
};

struct linux_linger {
	int32_t l_onoff;
	int32_t l_linger;
};

#define SCM_MAX_FD	253	/* descriptors in one SCM_RIGHTS message */

/* ---- epoll(7) ---- */
#define EPOLL_CTL_ADD	1
#define EPOLL_CTL_DEL	2
#define EPOLL_CTL_MOD	3
#define EPOLL_CLOEXEC	02000000
#define EPOLLIN		0x001
#define EPOLLPRI	0x002
#define EPOLLOUT	0x004
#define EPOLLERR	0x008
#define EPOLLHUP	0x010
#define EPOLLRDNORM	0x040
#define EPOLLRDBAND	0x080
#define EPOLLWRNORM	0x100
#define EPOLLWRBAND	0x200
#define EPOLLMSG	0x400
#define EPOLLRDHUP	0x2000
#define EPOLLEXCLUSIVE	(1U << 28)
#define EPOLLWAKEUP	(1U << 29)
#define EPOLLONESHOT	(1U << 30)
#define EPOLLET		(1U << 31)

/* x86-64 packs struct epoll_event: 12 bytes. */
struct linux_epoll_event {
	uint32_t events;
	uint64_t data;
} __attribute__((packed));

/* ---- eventfd(2), signalfd(2), timerfd_create(2) ---- */
#define EFD_SEMAPHORE	1
#define EFD_NONBLOCK	00004000
#define EFD_CLOEXEC	02000000
#define SFD_NONBLOCK	00004000
#define SFD_CLOEXEC	02000000
#define TFD_NONBLOCK	00004000
#define TFD_CLOEXEC	02000000
#define TFD_TIMER_ABSTIME	1
#define TFD_TIMER_CANCEL_ON_SET	2

struct linux_signalfd_siginfo {
	uint32_t ssi_signo;
	int32_t ssi_errno;
	int32_t ssi_code;
	uint32_t ssi_pid;
	uint32_t ssi_uid;
	int32_t ssi_fd;
	uint32_t ssi_tid;
	uint32_t ssi_band;
	uint32_t ssi_overrun;
	uint32_t ssi_trapno;
	int32_t ssi_status;
	int32_t ssi_int;
	uint64_t ssi_ptr;
	uint64_t ssi_utime;
	uint64_t ssi_stime;
	uint64_t ssi_addr;
	uint16_t ssi_addr_lsb;
	uint16_t pad2;
	int32_t ssi_syscall;
	uint64_t ssi_call_addr;
	uint32_t ssi_arch;
	uint8_t pad[28];
};

#endif
