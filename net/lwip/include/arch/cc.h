/*
 * lwIP's port header for Sprout: the compiler and platform glue lwIP's arch.h asks for. lwIP
 * is compiled freestanding with the kernel's flags; types come from the compiler's stdint.h,
 * assertions and diagnostics go to the kernel log, randomness to the CPU's generator.
 */
#ifndef SPROUT_LWIP_ARCH_CC_H
#define SPROUT_LWIP_ARCH_CC_H

#include <stdint.h>
#include <stddef.h>

#define LWIP_NO_INTTYPES_H	1
#define LWIP_NO_CTYPE_H		1
#define LWIP_NO_UNISTD_H	1
#define LWIP_ERRNO_STDINCLUDE	0
#define LWIP_PROVIDE_ERRNO	0
#define BYTE_ORDER		LITTLE_ENDIAN

#define X8_F	"02x"
#define U16_F	"u"
#define S16_F	"d"
#define X16_F	"x"
#define U32_F	"u"
#define S32_F	"d"
#define X32_F	"x"
#define SZT_F	"lu"

/* The kernel's ssize_t (include/types.h), not lwIP's int fallback. */
#define LWIP_NO_LIMITS_H	1
#define INT_MAX			0x7fffffff
#define SSIZE_MAX		0x7fffffffffffffffL
typedef long ssize_t;

/* net/lwip/port.c */
void lwip_port_diag(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void lwip_port_assert(const char *msg, const char *file, int line) __attribute__((noreturn));
uint32_t lwip_port_rand(void);
void *lwip_port_malloc(size_t size);
void lwip_port_free(void *p);
void *lwip_port_calloc(size_t n, size_t size);

#define LWIP_PLATFORM_DIAG(x)		do { lwip_port_diag x; } while (0)
#define LWIP_PLATFORM_ASSERT(x)		lwip_port_assert((x), __FILE__, __LINE__)
#define LWIP_RAND()			lwip_port_rand()

#endif
