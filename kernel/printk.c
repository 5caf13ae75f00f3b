/*
 * The kernel log: printk() formats into a ring buffer and copies each
 * message to the log port (serial 1). The console (serial 0) belongs to user
 * programs and never sees kernel messages. panic() ends here too.
 *
 * Locks: log_lock (spinlock) guards the ring. panic() takes no lock so it
 * works even when the ring's lock is held by a CPU that crashed inside it.
 */
#include "kernel.h"
#include "arch.h"
#include "spinlock.h"
#include "cpu.h"
#include "trace.h"

#define LOG_RING_SIZE	(64 * 1024)

static struct spinlock log_lock = SPINLOCK_INIT("log");
static char log_ring[LOG_RING_SIZE];	/* [log_lock] */
static u64 log_head;			/* [log_lock] bytes ever written */
static bool in_panic;

static void log_put(const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		log_ring[log_head % LOG_RING_SIZE] = s[i];
		log_head++;
		arch_log_putc(s[i]);
	}
}

/* kernel_log_write - see include/kernel.h. */
void kernel_log_write(const char *s, size_t n)
{
	if (in_panic) {
		log_put(s, n);
		return;
	}
	spin_lock(&log_lock);
	log_put(s, n);
	spin_unlock(&log_lock);
}

/* kernel_log_read - see include/kernel.h. */
size_t kernel_log_read(char *buf, size_t len)
{
	spin_lock(&log_lock);
	u64 avail = MIN(log_head, (u64)LOG_RING_SIZE);
	u64 start = log_head - avail;
	size_t n = MIN((u64)len, avail);

	for (size_t i = 0; i < n; i++)
		buf[i] = log_ring[(start + i) % LOG_RING_SIZE];
	spin_unlock(&log_lock);
	return n;
}

/* vprintk - see include/kernel.h. Messages longer than 512 bytes are cut. */
void vprintk(const char *fmt, va_list ap)
{
	char buf[512];
	int n = vsnprintf(buf, sizeof(buf), fmt, ap);

	if (n < 0)
		return;
	kernel_log_write(buf, MIN((size_t)n, sizeof(buf) - 1));
}

/* printk - see include/kernel.h. */
void printk(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vprintk(fmt, ap);
	va_end(ap);
}

/* panic - see include/kernel.h. Status 255 tells the harness it was a panic. */
void panic(const char *fmt, ...)
{
	char buf[512];
	va_list ap;

	arch_irq_disable();
	if (in_panic)
		arch_poweroff(255);	/* a panic inside panic: stop at once */
	in_panic = true;
	va_start(ap, fmt);
	vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	printk("\nPANIC: %s\n", buf);
	arch_backtrace(0);
	trace_dump();	/* the timeline up to the panic, when tracing */
	printk("sprout: power off: status 255\n");
	arch_poweroff(255);
}
