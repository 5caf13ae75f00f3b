/*
 * What ipc/mqueue.c (names, limits, open, unlink, attributes, the file ops)
 * and ipc/mqueue_msg.c (send, receive, notify) share: the queue and message
 * structures, the emptiness tests and the descriptor lookup. Private to ipc/.
 *
 * Locks:
 *   [n] mq_names_lock (mutex, ipc/mqueue.c): the name list, queue count, per-user charges
 *   [q] mqueue->lock (spinlock): messages, counts, the notification
 *   [I] immutable after creation; [a] atomic
 *   Order: mq_names_lock -> mqueue->lock -> wait-queue lock; tasklist_lock
 *   is taken only with no queue lock held (to signal a notify owner).
 */
#ifndef SPROUT_IPC_MQUEUE_INTERNAL_H
#define SPROUT_IPC_MQUEUE_INTERNAL_H

#include "kernel.h"
#include "fs.h"
#include "sched.h"
#include "spinlock.h"
#include "task.h"

struct mq_msg {
	struct list_head link;		/* [q] in mqueue->messages */
	u32 prio;			/* [I] */
	u64 len;			/* [I] bytes of text */
	char text[];
};

struct mqueue {
	struct spinlock lock;
	struct list_head messages;	/* [q] highest priority first, FIFO within one */
	u64 curmsgs;			/* [q] */
	u64 maxmsg, msgsize;		/* [I] */
	u32 rwaiting;			/* [q] receivers asleep on an empty queue */
	struct process *notify_owner;	/* [q] counted; NULL: no registration */
	int notify_kind;		/* [q] LINUX_SIGEV_SIGNAL or LINUX_SIGEV_NONE */
	int notify_signo;		/* [q] 0: register but send nothing */
	struct wait_queue wait;		/* senders and receivers waiting for a change */
	u32 refcount;			/* [a] the name plus every open description */

	struct list_head name_link;	/* [n] in mq_names while it has a name */
	bool linked;			/* [n] */
	char name[NAME_MAX + 1];	/* [n] */
	uid_t uid;			/* [I] owner (the creator's euid) */
	gid_t gid;			/* [I] */
	u32 mode;			/* [I] permission bits */
	u64 charge;			/* [I] bytes charged to RLIMIT_MSGQUEUE ... */
	uid_t charge_uid;		/* [I] ... of this (real) user */
};

static inline bool mq_has_room(struct mqueue *q)
{
	return __atomic_load_n(&q->curmsgs, __ATOMIC_ACQUIRE) < q->maxmsg;
}

static inline bool mq_has_msg(struct mqueue *q)
{
	return __atomic_load_n(&q->curmsgs, __ATOMIC_ACQUIRE) != 0;
}

/*
 * mq_fd - the queue of descriptor @fd of current: 0 with the file
 * referenced in *@fp (the caller drops it with file_put()) and its queue in
 * *@qp, or -EBADF when @fd is not open or not a message queue. Sleeps: no.
 * mq_overview(7).
 */
int mq_fd(int fd, struct file **fp, struct mqueue **qp);

#endif
