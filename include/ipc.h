/*
 * What the rest of the kernel calls in ipc/ (System V IPC, message passing).
 */
#ifndef SPROUT_IPC_H
#define SPROUT_IPC_H

#include "types.h"

struct process;

/*
 * System V IPC limits, proc_sys_kernel(5) and ipc(5): read and written with
 * __atomic loads and stores ([a]); /proc/sys/kernel sets them, ipc/ honours
 * them from the next call on. ipc_sem holds SEMMSL, SEMMNS, SEMOPM, SEMMNI.
 */
extern int ipc_msgmax, ipc_msgmnb, ipc_msgmni;	/* bytes, bytes, queues */
extern u64 ipc_shmmax, ipc_shmall;		/* bytes, pages */
extern int ipc_shmmni;				/* segments */
extern int ipc_sem[4];

/*
 * sem_exit_undo - apply and free @p's SEM_UNDO adjustments; called once by
 * the exit of @p's last thread. Takes the semaphore registry mutex. May
 * sleep. svipc(7).
 */
void sem_exit_undo(struct process *p);

/*
 * clone(CLONE_SYSVSEM): the child shares the creator's SEM_UNDO list.
 * sem_undo_prepare_share - give @p an undo list if it has none yet (the
 * fallible half, before fork's point of no return): 0 or -ENOMEM. Takes
 * the semaphore registry mutex; may sleep. sem_undo_share - @child uses
 * @parent's list (prepared), one more reference. Sleeps: no.
 */
int sem_undo_prepare_share(struct process *p);
void sem_undo_share(struct process *child, struct process *parent);

/*
 * msgpass_exit - @p's last thread has exited: every process blocked sending
 * to @p, receiving from @p or waiting for @p's reply fails with ESRCH
 * (direct message passing, include/uapi/sprout_msg.h). Call after
 * nr_threads reached 0, with no lock held. Takes mp_lock. Sleeps: no.
 */
void msgpass_exit(struct process *p);

#endif
