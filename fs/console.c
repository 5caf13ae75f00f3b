/*
 * The console device (serial 0): user programs' stdin, stdout and stderr
 * until the tty line discipline exists. Output goes to the UART byte by
 * byte with no translation, so it is byte-exact. Input arrives from the UART
 * interrupt through console_rx() into a 4 KiB ring; reads block until at
 * least one byte is there, turn CR into NL and return what is available.
 * No echo and no line editing: those belong to the line discipline.
 */
#include "internal.h"
#include "arch.h"
#include "sched.h"
#include "uaccess.h"
#include "uapi/ioctl.h"
#include "uapi/poll.h"

#define RX_SIZE		4096	/* bytes; a power of two */
#define CHUNK		256	/* bytes moved per copy to or from user memory */

/* Input ring, filled in interrupt context. Lock order: rx_lock -> wait queue. */
static struct spinlock rx_lock = SPINLOCK_INIT("console_rx");
static char rx_buf[RX_SIZE];	/* [rx_lock] */
static u32 rx_head;		/* [rx_lock] index of the oldest byte */
static u32 rx_count;		/* [rx_lock] bytes in the ring; racy reads as a hint */
static struct wait_queue rx_wait = {
	.lock = SPINLOCK_INIT("console_rx_wait"),
	.sleepers = LIST_HEAD_INIT(rx_wait.sleepers),
};

/* Serialises writers so that one write(2) is not interleaved with another's. */
static struct mutex tx_mutex = {
	.lock = SPINLOCK_INIT("console_tx"),
	.waiters = {
		.lock = SPINLOCK_INIT("console_tx_wait"),
		.sleepers = LIST_HEAD_INIT(tx_mutex.waiters.sleepers),
	},
	.name = "console_tx",
};

/* Terminal settings reported by TCGETS ([term_lock]); a conventional cooked tty. */
static struct spinlock term_lock = SPINLOCK_INIT("console_term");
static struct linux_termios termios = {
	.c_iflag = ICRNL | IXON,
	.c_oflag = OPOST | ONLCR,
	.c_cflag = B38400 | CS8 | CREAD | HUPCL,
	.c_lflag = ISIG | ICANON | ECHO | ECHOE | ECHOK | ECHOCTL | ECHOKE | IEXTEN,
	.c_cc = {
		[VINTR] = 3, [VQUIT] = 034, [VERASE] = 0177, [VKILL] = 025, [VEOF] = 4,
		[VTIME] = 0, [VMIN] = 1, [VSTART] = 021, [VSTOP] = 023, [VSUSP] = 032,
		[VREPRINT] = 022, [VDISCARD] = 017, [VWERASE] = 027, [VLNEXT] = 026,
	},
};
static struct linux_winsize winsize = { .ws_row = 24, .ws_col = 80 };

/*
 * console_rx - see include/arch.h: queue one received byte (CR becomes NL;
 * dropped when the ring is full) and wake readers. Interrupt context.
 * Locks: takes rx_lock, then the wait queue's. Sleeps: no.
 */
void console_rx(char c)
{
	spin_lock(&rx_lock);
	if (rx_count < RX_SIZE) {
		rx_buf[(rx_head + rx_count) & (RX_SIZE - 1)] = c == '\r' ? '\n' : c;
		rx_count++;
	}
	spin_unlock(&rx_lock);
	wake_up(&rx_wait);
}

static u32 rx_available(void)
{
	return __atomic_load_n(&rx_count, __ATOMIC_ACQUIRE);
}

/* Take up to @n bytes out of the ring into @dst. */
static size_t rx_take(char *dst, size_t n)
{
	size_t got = 0;

	spin_lock(&rx_lock);
	while (got < n && rx_count) {
		dst[got++] = rx_buf[rx_head];
		rx_head = (rx_head + 1) & (RX_SIZE - 1);
		rx_count--;
	}
	spin_unlock(&rx_lock);
	return got;
}

static ssize_t console_read(struct file *f, void __user *buf, size_t n, u64 *pos)
{
	char kbuf[CHUNK];
	size_t done = 0, got;
	int err;

	if (!n)
		return 0;
	for (;;) {
		if (!rx_available() && (file_flags(f) & O_NONBLOCK))
			return -EAGAIN;
		err = wait_event_interruptible(&rx_wait, rx_available() > 0);
		if (err)
			return err;
		got = rx_take(kbuf, MIN(n, sizeof(kbuf)));
		if (got)
			break;	/* else another reader was faster: wait again */
	}
	/* Hand over what is there now, without waiting for more. */
	for (;;) {
		if (copy_to_user((char *)buf + done, kbuf, got))
			return done ? (ssize_t)done : -EFAULT;
		done += got;
		if (done == n)
			break;
		got = rx_take(kbuf, MIN(n - done, sizeof(kbuf)));
		if (!got)
			break;
	}
	return (ssize_t)done;
}

static ssize_t console_write(struct file *f, const void __user *buf, size_t n, u64 *pos)
{
	char kbuf[CHUNK];
	size_t done = 0, chunk, i;

	mutex_lock(&tx_mutex);
	while (done < n) {
		chunk = MIN(n - done, sizeof(kbuf));
		if (copy_from_user(kbuf, (const char *)buf + done, chunk))
			break;
		for (i = 0; i < chunk; i++)
			arch_console_putc(kbuf[i]);
		done += chunk;
	}
	mutex_unlock(&tx_mutex);
	return done || !n ? (ssize_t)done : -EFAULT;
}

static long console_ioctl(struct file *f, unsigned cmd, u64 arg)
{
	struct linux_termios t;
	struct linux_winsize ws;

	switch (cmd) {
	case TCGETS:
		spin_lock(&term_lock);
		t = termios;
		spin_unlock(&term_lock);
		return copy_to_user((void __user *)arg, &t, sizeof(t)) ? -EFAULT : 0;
	case TCSETS:
	case TCSETSW:
	case TCSETSF:
		/* Remembered for TCGETS; the console itself stays raw. */
		if (copy_from_user(&t, (const void __user *)arg, sizeof(t)))
			return -EFAULT;
		spin_lock(&term_lock);
		termios = t;
		spin_unlock(&term_lock);
		return 0;
	case TIOCGWINSZ:
		spin_lock(&term_lock);
		ws = winsize;
		spin_unlock(&term_lock);
		return copy_to_user((void __user *)arg, &ws, sizeof(ws)) ? -EFAULT : 0;
	case FIONREAD:
		return put_user_u32((void __user *)arg, rx_available()) ? -EFAULT : 0;
	default:
		return -ENOTTY;
	}
}

/* Readable when input is queued; output never waits for long. */
static unsigned console_poll(struct file *f, struct poll_table *pt)
{
	poll_wait(pt, &rx_wait);
	return (rx_available() ? POLLIN | POLLRDNORM : 0) | POLLOUT | POLLWRNORM;
}

const struct file_ops console_file_ops = {
	.read = console_read,
	.write = console_write,
	.ioctl = console_ioctl,
	.seekable = false,
	.poll = console_poll,
};
