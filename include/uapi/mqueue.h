/*
 * POSIX message queues of the Linux x86-64 ABI: struct mq_attr as mq_open(2)
 * and mq_getsetattr(2) exchange it, struct sigevent as mq_notify(2) reads it,
 * and the default and hard limits of mq_overview(7) (/proc/sys/fs/mqueue/).
 * Names carry a linux_ prefix where a libc's <mqueue.h> or <signal.h>
 * defines the same thing.
 */
#ifndef SPROUT_UAPI_MQUEUE_H
#define SPROUT_UAPI_MQUEUE_H

#include <stdint.h>

struct linux_mq_attr {
	int64_t mq_flags;	/* 0 or O_NONBLOCK (a property of the descriptor) */
	int64_t mq_maxmsg;	/* messages the queue holds */
	int64_t mq_msgsize;	/* bytes in one message */
	int64_t mq_curmsgs;	/* messages queued now */
	int64_t reserved[4];
};

/* struct sigevent: 64 bytes; mq_notify(2) reads the first three fields. */
struct linux_sigevent {
	uint64_t sigev_value;	/* union sigval */
	int32_t sigev_signo;
	int32_t sigev_notify;
	int32_t pad[12];	/* SIGEV_THREAD's function and attributes, or a tid */
};

#define LINUX_SIGEV_SIGNAL	0
#define LINUX_SIGEV_NONE	1
#define LINUX_SIGEV_THREAD	2

#define LINUX_MQ_PRIO_MAX	32768	/* priorities are 0 .. MQ_PRIO_MAX - 1 */

/* mq_overview(7): the defaults of /proc/sys/fs/mqueue and the ceilings a
 * privileged process (CAP_SYS_RESOURCE; root on Sprout) may go up to. */
#define LINUX_MQ_MSG_DEFAULT		10
#define LINUX_MQ_MSGSIZE_DEFAULT	8192
#define LINUX_MQ_MSG_MAX		10	/* msg_max */
#define LINUX_MQ_MSGSIZE_MAX		8192	/* msgsize_max */
#define LINUX_MQ_QUEUES_MAX		256	/* queues_max */
#define LINUX_MQ_HARD_MSGMAX		65536
#define LINUX_MQ_HARD_MSGSIZEMAX	(16 * 1024 * 1024)
#define LINUX_RLIMIT_MSGQUEUE_DEFAULT	819200	/* bytes per user, getrlimit(2) */

_Static_assert(sizeof(struct linux_mq_attr) == 64, "mq_attr is 64 bytes");
_Static_assert(sizeof(struct linux_sigevent) == 64, "sigevent is 64 bytes");

#endif
