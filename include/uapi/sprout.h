/*
 * Sprout's own additions to the Linux ABI. Private syscall numbers live in
 * [SPROUT_SYSCALL_BASE, SPROUT_SYSCALL_BASE + 64), far above Linux's table,
 * so they can never collide with a Linux system call.
 */
#ifndef SPROUT_UAPI_SPROUT_H
#define SPROUT_UAPI_SPROUT_H

#define SPROUT_SYSCALL_BASE	0x5000

/* uname(2) sysname reported by Sprout: user programs and tests test it. */
#define SPROUT_SYSNAME		"Sprout"

#endif
