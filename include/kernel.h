/*
 * printk, panic and assertions.
 *
 * printk() writes to the kernel log: an in-memory ring buffer (read back by
 * `dmesg`-like tools later) and the log serial port. Kernel messages never go
 * to the console, so user programs' output stays byte-exact.
 */
#ifndef SPROUT_KERNEL_H
#define SPROUT_KERNEL_H

#include "types.h"

/*
 * printk - format and append a message to the kernel log.
 * @fmt: printf-style format (%d %i %u %x %lx %llx %p %s %c %ld %lu %zu %%, with
 *       width, zero padding and '-').
 * Locks: takes the log spinlock (interrupts disabled inside). Sleeps: no.
 * Safe from any context, including interrupt handlers and panic.
 */
__attribute__((format(printf, 1, 2))) void printk(const char *fmt, ...);

/* vprintk - printk with a va_list. Same contract as printk(). */
void vprintk(const char *fmt, va_list ap);

/*
 * panic - report a broken kernel invariant and stop the machine.
 * Prints the message and a backtrace to the log, then powers the machine off
 * with a distinctive status so test harnesses see the failure at once.
 * Never used for anything a user program can cause.
 */
__attribute__((format(printf, 1, 2))) __noreturn void panic(const char *fmt, ...);

/*
 * kernel/kmsg.c: the log as records for syslog(2) and /dev/kmsg.
 * kmsg_feed - cut @n bytes of log text into records at newlines; caller
 * holds printk's log_lock (or is panicking). kmsg_wake - wake readers
 * waiting for a record, when the caller holds no spinlock and has
 * interrupts on (else a no-op). Sleep: no.
 */
void kmsg_feed(const char *s, size_t n);
void kmsg_wake(void);

/* kernel_log_write - copy raw bytes into the log ring and the log port. */
void kernel_log_write(const char *s, size_t n);

/*
 * kernel_log_read - copy up to @len bytes of the ring buffer, oldest first,
 * into @buf (kernel memory). Returns the number of bytes copied.
 */
size_t kernel_log_read(char *buf, size_t len);

/* ksym_lookup - symbol containing a kernel text address (kernel/ksyms.c). */
bool ksym_lookup(u64 addr, const char **name, u64 *off);
/* ksym_size - bytes of the text symbol containing @addr, 0 if unknown. */
u64 ksym_size(u64 addr);

#define KASSERT(cond)                                                              \
	do {                                                                       \
		if (unlikely(!(cond)))                                             \
			panic("assertion failed: %s (%s:%d)", #cond, __FILE__,      \
			      __LINE__);                                           \
	} while (0)

/* Log a message once per call site (used for unimplemented syscalls). */
#define printk_once(...)                                                           \
	do {                                                                       \
		static bool __printed;                                             \
		if (!__printed) {                                                  \
			__printed = true;                                          \
			printk(__VA_ARGS__);                                       \
		}                                                                  \
	} while (0)

/* lib/string.c */
void *memcpy(void *dst, const void *src, size_t n);
void *memmove(void *dst, const void *src, size_t n);
void *memset(void *dst, int c, size_t n);
int memcmp(const void *a, const void *b, size_t n);
size_t strlen(const char *s);
size_t strnlen(const char *s, size_t max);
int strcmp(const char *a, const char *b);
int strncmp(const char *a, const char *b, size_t n);
char *strchr(const char *s, int c);
char *strrchr(const char *s, int c);
size_t strlcpy(char *dst, const char *src, size_t size);

/* lib/fmt.c: bounded formatting; returns the length the full output needs. */
int vsnprintf(char *buf, size_t size, const char *fmt, va_list ap);
__attribute__((format(printf, 3, 4))) int snprintf(char *buf, size_t size, const char *fmt, ...);

/* Text built up in a fixed buffer of @size bytes (a /proc file's body): @len bytes so far,
 * always NUL-terminated; output past the end is cut. */
struct textbuf {
	char *buf;
	size_t size, len;
};

/* textbuf_printf - append formatted text to @b, cut at its end. Any context; no lock. */
__attribute__((format(printf, 2, 3))) void textbuf_printf(struct textbuf *b, const char *fmt,
							  ...);

#endif
