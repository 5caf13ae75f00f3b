/*
 * ptrace(2) requests, options, events and the structures it exchanges, as
 * the Linux x86-64 ABI defines them (<linux/ptrace.h>, <asm/ptrace-abi.h>,
 * <sys/user.h>, <linux/elf.h> for the regset notes).
 */
#ifndef SPROUT_UAPI_PTRACE_H
#define SPROUT_UAPI_PTRACE_H

#include "fcntl.h"	/* struct linux_iovec (regsets) */

#define PTRACE_TRACEME		0
#define PTRACE_PEEKTEXT		1
#define PTRACE_PEEKDATA		2
#define PTRACE_PEEKUSER		3
#define PTRACE_POKETEXT		4
#define PTRACE_POKEDATA		5
#define PTRACE_POKEUSER		6
#define PTRACE_CONT		7
#define PTRACE_KILL		8
#define PTRACE_SINGLESTEP	9
#define PTRACE_GETREGS		12
#define PTRACE_SETREGS		13
#define PTRACE_GETFPREGS	14
#define PTRACE_SETFPREGS	15
#define PTRACE_ATTACH		16
#define PTRACE_DETACH		17
#define PTRACE_SYSCALL		24
#define PTRACE_SETOPTIONS	0x4200
#define PTRACE_GETEVENTMSG	0x4201
#define PTRACE_GETSIGINFO	0x4202
#define PTRACE_SETSIGINFO	0x4203
#define PTRACE_GETREGSET	0x4204
#define PTRACE_SETREGSET	0x4205
#define PTRACE_SEIZE		0x4206
#define PTRACE_INTERRUPT	0x4207
#define PTRACE_LISTEN		0x4208
#define PTRACE_GET_SYSCALL_INFO	0x420e

#define PTRACE_O_TRACESYSGOOD	0x01
#define PTRACE_O_TRACEFORK	0x02
#define PTRACE_O_TRACEVFORK	0x04
#define PTRACE_O_TRACECLONE	0x08
#define PTRACE_O_TRACEEXEC	0x10
#define PTRACE_O_TRACEVFORKDONE	0x20
#define PTRACE_O_TRACEEXIT	0x40
#define PTRACE_O_EXITKILL	0x100000
#define PTRACE_O_MASK		(0x7f | PTRACE_O_EXITKILL)

#define PTRACE_EVENT_FORK	1
#define PTRACE_EVENT_VFORK	2
#define PTRACE_EVENT_CLONE	3
#define PTRACE_EVENT_EXEC	4
#define PTRACE_EVENT_VFORK_DONE	5
#define PTRACE_EVENT_EXIT	6
#define PTRACE_EVENT_STOP	128

/* PTRACE_GET_SYSCALL_INFO ops, and the event messages of syscall stops. */
#define PTRACE_SYSCALL_INFO_NONE	0
#define PTRACE_SYSCALL_INFO_ENTRY	1
#define PTRACE_SYSCALL_INFO_EXIT	2
#define PTRACE_EVENTMSG_SYSCALL_ENTRY	1
#define PTRACE_EVENTMSG_SYSCALL_EXIT	2
#define AUDIT_ARCH_X86_64		0xc000003eu

/* Regset notes (elf(5)). */
#define NT_PRSTATUS	1
#define NT_PRFPREG	2
#define NT_X86_XSTATE	0x202

/* struct ptrace_syscall_info (the parts Sprout fills; 88 bytes). */
struct ptrace_syscall_info {
	unsigned char op;
	unsigned char pad[3];
	unsigned int arch;
	unsigned long instruction_pointer;
	unsigned long stack_pointer;
	union {
		struct {
			unsigned long nr;
			unsigned long args[6];
		} entry;
		struct {
			long rval;
			unsigned char is_error;
		} exit;
		unsigned long _seccomp[8];
	};
};

#endif
