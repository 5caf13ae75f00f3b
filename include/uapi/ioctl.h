/*
 * Terminal ioctl(2) requests of the Linux x86-64 ABI (asm-generic/ioctls.h)
 * and the structures they exchange: the kernel's struct termios (not the
 * libc one, which adds speed fields and has a larger c_cc) and struct
 * winsize. Flag values are those of asm-generic/termbits.h.
 *
 * Shared with user programs and tests: only <stdint.h> types; names that a
 * libc also defines are guarded.
 */
#ifndef SPROUT_UAPI_IOCTL_H
#define SPROUT_UAPI_IOCTL_H

#include <stdint.h>

#ifndef TCGETS
#define TCGETS		0x5401
#define TCSETS		0x5402
#define TCSETSW		0x5403
#define TCSETSF		0x5404
#define TIOCSCTTY	0x540E
#define TIOCGPGRP	0x540F
#define TIOCSPGRP	0x5410
#define TIOCGWINSZ	0x5413
#define TIOCSWINSZ	0x5414
#define FIONREAD	0x541B
#define TIOCNOTTY	0x5422
#define FIONBIO		0x5421
#define FIONCLEX	0x5450
#define FIOCLEX		0x5451
#endif

#define LINUX_NCCS	19

/* The kernel's struct termios (36 bytes). */
struct linux_termios {
	uint32_t c_iflag;
	uint32_t c_oflag;
	uint32_t c_cflag;
	uint32_t c_lflag;
	uint8_t c_line;
	uint8_t c_cc[LINUX_NCCS];
};

_Static_assert(sizeof(struct linux_termios) == 36, "kernel termios is 36 bytes");

struct linux_winsize {
	uint16_t ws_row;
	uint16_t ws_col;
	uint16_t ws_xpixel;
	uint16_t ws_ypixel;
};

/* c_cc indices. */
#ifndef VINTR
#define VINTR		0
#define VQUIT		1
#define VERASE		2
#define VKILL		3
#define VEOF		4
#define VTIME		5
#define VMIN		6
#define VSWTC		7
#define VSTART		8
#define VSTOP		9
#define VSUSP		10
#define VEOL		11
#define VREPRINT	12
#define VDISCARD	13
#define VWERASE		14
#define VLNEXT		15
#define VEOL2		16
#endif

/* c_iflag */
#ifndef ICRNL
#define IGNBRK		0000001
#define BRKINT		0000002
#define ICRNL		0000400
#define IXON		0002000
#define IUTF8		0040000
#endif
/* c_oflag */
#ifndef OPOST
#define OPOST		0000001
#define ONLCR		0000004
#endif
/* c_cflag */
#ifndef CREAD
#define B38400		0000017
#define CS8		0000060
#define CREAD		0000200
#define HUPCL		0002000
#endif
/* c_lflag */
#ifndef ICANON
#define ISIG		0000001
#define ICANON		0000002
#define ECHO		0000010
#define ECHOE		0000020
#define ECHOK		0000040
#define ECHOCTL		0001000
#define ECHOKE		0004000
#define IEXTEN		0100000
#endif

/* More terminal requests and flags the line discipline understands. */
#ifndef TCFLSH
#define TCXONC		0x540A
#define TCFLSH		0x540B
#define TIOCOUTQ	0x5411
#define TIOCGSID	0x5429
#endif
#ifndef TCIFLUSH
#define TCIFLUSH	0
#define TCOFLUSH	1
#define TCIOFLUSH	2
#endif
#ifndef INLCR
#define INLCR		0000100
#define IGNCR		0000200
#endif
#ifndef ECHONL
#define ECHONL		0000100
#define NOFLSH		0000200
#define TOSTOP		0000400
#endif

#endif
