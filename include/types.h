/*
 * Fixed-width integer types and small helpers shared by the whole kernel.
 * The kernel is freestanding: nothing here comes from a libc.
 */
#ifndef SPROUT_TYPES_H
#define SPROUT_TYPES_H

#include <stdint.h>
#include <stddef.h>
#include <stdbool.h>
#include <stdarg.h>

typedef uint8_t u8;
typedef uint16_t u16;
typedef uint32_t u32;
typedef uint64_t u64;
typedef int8_t s8;
typedef int16_t s16;
typedef int32_t s32;
typedef int64_t s64;
typedef long ssize_t;
typedef int pid_t;
typedef unsigned int uid_t;
typedef unsigned int gid_t;
typedef long off_t;
typedef unsigned int mode_t;

#define PAGE_SHIFT	12
#define PAGE_SIZE	4096UL
#define PAGE_MASK	(~(PAGE_SIZE - 1))
#define PAGE_ALIGN_UP(x)	(((u64)(x) + PAGE_SIZE - 1) & PAGE_MASK)
#define PAGE_ALIGN_DOWN(x)	((u64)(x) & PAGE_MASK)

#define ARRAY_SIZE(a)	(sizeof(a) / sizeof((a)[0]))
#define MIN(a, b)	((a) < (b) ? (a) : (b))
#define MAX(a, b)	((a) > (b) ? (a) : (b))
#define ALIGN_UP(x, a)	(((x) + (a) - 1) & ~((__typeof__(x))(a) - 1))

#define container_of(ptr, type, member) \
	((type *)((char *)(ptr) - offsetof(type, member)))

#define __noreturn	__attribute__((noreturn))
#define __packed	__attribute__((packed))
#define __aligned(n)	__attribute__((aligned(n)))
#define likely(x)	__builtin_expect(!!(x), 1)
#define unlikely(x)	__builtin_expect(!!(x), 0)

/*
 * A user-space address: never dereferenced directly, only through uaccess.h.
 * Under sparse (`make check-uaccess`) it is a separate address space, so a
 * dereference or a silent conversion to a kernel pointer is reported;
 * __force marks the few conversions that are meant.
 */
#ifdef __CHECKER__
#define __user		__attribute__((noderef, address_space(__user)))
#define __force	__attribute__((force))
#else
#define __user
#define __force
#endif

#endif
