/*
 * poll(2) and select(2) constants and structures of the Linux x86-64 ABI
 * (asm-generic/poll.h, linux/posix_types.h). Shared with user programs:
 * names a libc's <poll.h> also defines are guarded.
 */
#ifndef SPROUT_UAPI_POLL_H
#define SPROUT_UAPI_POLL_H

#include <stdint.h>

#ifndef POLLIN
#define POLLIN		0x0001
#define POLLPRI		0x0002
#define POLLOUT		0x0004
#define POLLERR		0x0008
#define POLLHUP		0x0010
#define POLLNVAL	0x0020
#define POLLRDNORM	0x0040
#define POLLRDBAND	0x0080
#define POLLWRNORM	0x0100
#define POLLWRBAND	0x0200
#define POLLMSG		0x0400
#define POLLRDHUP	0x2000
#endif

struct linux_pollfd {
	int32_t fd;
	int16_t events;
	int16_t revents;
};

/* select(2)'s descriptor sets: FD_SETSIZE bits in 64-bit words. */
#define LINUX_FD_SETSIZE	1024

#endif
