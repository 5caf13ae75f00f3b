/*
 * Direct message passing between named processes: a Sprout extension (not
 * in Linux), the textbook model of Minix, next to the mailboxes of System V
 * and POSIX message queues. Implemented in ipc/msgpass.c; docs/ipc.md
 * compares the models.
 *
 * A process names its partner by pid. Messages have one fixed size,
 * SPROUT_MSG_SIZE (64) bytes, and are copied by the kernel straight from the
 * sender to the receiver: nothing is buffered, so each transfer is a
 * rendezvous.
 *
 *   sprout_send(dest, &m)      blocks until dest has received m.
 *   sprout_receive(from, &m)   blocks until a process sends to the caller:
 *                              from a given pid, or from anyone with
 *                              SPROUT_ANY (the oldest sender first).
 *                              Returns the sender's pid, also in m.m_source.
 *   sprout_sendrec(dest, &m)   sends m, then waits for dest's reply, which
 *                              replaces m (a client's request to a server).
 *                              The caller is already waiting for the reply
 *                              when dest receives the request, so the
 *                              server's sprout_send() of the reply never
 *                              blocks.
 *
 * The kernel sets m_source to the sender's pid; m_type and m_data are the
 * programs' own. Errors (the wrappers return -1 and set errno):
 *   ESRCH    the partner does not exist or has exited (also when it exits
 *            while the caller is blocked on it)
 *   EDEADLK  blocking would close a cycle of processes each waiting for the
 *            next (A sends to B while B is blocked sending to A, longer
 *            chains, or sending to or receiving from oneself)
 *   EINVAL   dest is not a pid (0, negative, SPROUT_ANY for a send)
 *   EFAULT   the message is not readable/writable memory
 *   EINTR    a signal interrupted the wait; a send or receive that failed
 *            so transferred nothing, and a sendrec whose request had been
 *            received is not restarted (the reply is lost)
 */
#ifndef SPROUT_UAPI_SPROUT_MSG_H
#define SPROUT_UAPI_SPROUT_MSG_H

#include <stdint.h>
#include "sprout.h"

#define SPROUT_MSG_SIZE		64
#define SPROUT_ANY		(-1)	/* sprout_receive() from any process */

struct sprout_msg {
	int32_t m_source;		/* set by the kernel: the sender's pid */
	int32_t m_type;			/* free for the programs: request or reply code */
	union {
		uint8_t m_data[56];
		int64_t m_long[7];
	};
};

_Static_assert(sizeof(struct sprout_msg) == SPROUT_MSG_SIZE, "a message is 64 bytes");

#if __STDC_HOSTED__	/* user programs: the wrappers (the kernel has its own side) */
#include <sys/types.h>
#include <unistd.h>

static inline int sprout_send(pid_t dest, const struct sprout_msg *m)
{
	return (int)syscall(SPROUT_SYS_SEND, (long)dest, m);
}

static inline pid_t sprout_receive(pid_t from, struct sprout_msg *m)
{
	return (pid_t)syscall(SPROUT_SYS_RECEIVE, (long)from, m);
}

static inline int sprout_sendrec(pid_t dest, struct sprout_msg *m)
{
	return (int)syscall(SPROUT_SYS_SENDREC, (long)dest, m);
}
#endif

#endif
