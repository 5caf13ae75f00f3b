/*
 * What the rest of the kernel calls in ipc/ (System V IPC, message passing).
 */
#ifndef SPROUT_IPC_H
#define SPROUT_IPC_H

struct process;

/*
 * sem_exit_undo - apply and free @p's SEM_UNDO adjustments; called once by
 * the exit of @p's last thread. Takes the semaphore registry mutex. May
 * sleep. svipc(7).
 */
void sem_exit_undo(struct process *p);

#endif
