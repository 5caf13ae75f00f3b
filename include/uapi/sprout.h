/*
 * Sprout's own additions to the Linux ABI. Private syscall numbers live in
 * [SPROUT_SYSCALL_BASE, SPROUT_SYSCALL_BASE + 64), far above Linux's table,
 * so they can never collide with a Linux system call.
 */
#ifndef SPROUT_UAPI_SPROUT_H
#define SPROUT_UAPI_SPROUT_H

#define SPROUT_SYSCALL_BASE	0x5000
#define SPROUT_SYSCALL_COUNT	64

/*
 * The private system calls, one line each (kernel/syscall.c dispatches them
 * through its sprout_syscall_table). Direct message passing, ipc/msgpass.c;
 * user programs call them through "uapi/sprout_msg.h".
 */
#define SPROUT_SYS_SEND		(SPROUT_SYSCALL_BASE + 0)
#define SPROUT_SYS_RECEIVE	(SPROUT_SYSCALL_BASE + 1)
#define SPROUT_SYS_SENDREC	(SPROUT_SYSCALL_BASE + 2)

/* uname(2) sysname reported by Sprout: user programs and tests test it. */
#define SPROUT_SYSNAME		"Sprout"

#endif
