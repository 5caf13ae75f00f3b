/*
 * System V IPC of the Linux x86-64 ABI: the flags and commands of msgget(2),
 * msgsnd(2), msgctl(2), shmget(2), shmat(2), shmctl(2), semget(2), semop(2),
 * semctl(2), and the 64-bit structures their IPC_STAT/IPC_SET exchange
 * (struct ipc64_perm, msqid64_ds, shmid64_ds, semid64_ds of asm-generic and
 * arch/x86), plus the default limits of ipc/msg.c, ipc/sem.c, ipc/shm.c.
 */
#ifndef SPROUT_UAPI_IPC_H
#define SPROUT_UAPI_IPC_H

#include <stdint.h>

#define LINUX_IPC_PRIVATE	0
#define LINUX_IPC_CREAT		01000
#define LINUX_IPC_EXCL		02000
#define LINUX_IPC_NOWAIT	04000
#define LINUX_IPC_RMID		0
#define LINUX_IPC_SET		1
#define LINUX_IPC_STAT		2
#define LINUX_IPC_INFO		3
#define LINUX_IPC_64		0x0100	/* version bit some libcs add to cmd */

/* The *ctl commands that report limits and list objects by index (ipc(5)). */
#define LINUX_MSG_STAT		11
#define LINUX_MSG_INFO		12
#define LINUX_MSG_STAT_ANY	13
#define LINUX_SHM_STAT		13
#define LINUX_SHM_INFO		14
#define LINUX_SHM_STAT_ANY	15
#define LINUX_SEM_STAT		18
#define LINUX_SEM_INFO		19
#define LINUX_SEM_STAT_ANY	20

#define LINUX_MSG_NOERROR	010000
#define LINUX_MSG_EXCEPT	020000
#define LINUX_MSG_COPY		040000

#define LINUX_SHM_RDONLY	010000
#define LINUX_SHM_RND		020000
#define LINUX_SHM_REMAP		040000
#define LINUX_SHM_EXEC		0100000
#define LINUX_SHM_DEST		01000	/* shm_perm.mode: removed, awaiting last detach */
#define LINUX_SHM_LOCKED	02000	/* shm_perm.mode: SHM_LOCK in force */
#define LINUX_SHM_LOCK		11	/* shmctl commands */
#define LINUX_SHM_UNLOCK	12

#define LINUX_GETPID		11
#define LINUX_GETVAL		12
#define LINUX_GETALL		13
#define LINUX_GETNCNT		14
#define LINUX_GETZCNT		15
#define LINUX_SETVAL		16
#define LINUX_SETALL		17
#define LINUX_SEM_UNDO		0x1000

/* Default limits (ipc(5) /proc/sys/kernel/{msgmax,msgmnb,msgmni,sem,shm*}). */
#define LINUX_MSGMAX		8192	/* bytes in one message */
#define LINUX_MSGMNB		16384	/* bytes in one queue */
#define LINUX_MSGMNI		32000	/* queues */
#define LINUX_SEMMSL		32000	/* semaphores per set */
#define LINUX_SEMMNS		1024000000	/* semaphores in all sets */
#define LINUX_SEMMNI		32000	/* sets */
#define LINUX_SEMOPM		500	/* operations per semop */
#define LINUX_SEMVMX		32767	/* largest semaphore value */
#define LINUX_SHMMNI		4096	/* segments */
#define LINUX_SHMMIN		1	/* bytes */
#define LINUX_SHMMAX		(~0UL - (1UL << 24))	/* bytes in one segment */
#define LINUX_SHMALL		(~0UL - (1UL << 24))	/* pages in all segments */
#define LINUX_IPCMNI		32768	/* the largest msgmni, shmmni, semmni */

struct linux_ipc64_perm {
	int32_t key;
	uint32_t uid, gid, cuid, cgid;
	uint32_t mode;
	uint16_t seq;
	uint16_t pad2;
	uint64_t unused1, unused2;
};

struct linux_msqid64_ds {
	struct linux_ipc64_perm msg_perm;
	int64_t msg_stime, msg_rtime, msg_ctime;
	uint64_t msg_cbytes, msg_qnum, msg_qbytes;
	int32_t msg_lspid, msg_lrpid;
	uint64_t unused4, unused5;
};

struct linux_shmid64_ds {
	struct linux_ipc64_perm shm_perm;
	uint64_t shm_segsz;
	int64_t shm_atime, shm_dtime, shm_ctime;
	int32_t shm_cpid, shm_lpid;
	uint64_t shm_nattch;
	uint64_t unused4, unused5;
};

struct linux_semid64_ds {
	struct linux_ipc64_perm sem_perm;
	int64_t sem_otime;
	uint64_t unused1;
	int64_t sem_ctime;
	uint64_t unused2;
	uint64_t sem_nsems;
	uint64_t unused3, unused4;
};

/* msgctl(2) IPC_INFO / MSG_INFO */
struct linux_msginfo {
	int32_t msgpool, msgmap, msgmax, msgmnb, msgmni, msgssz, msgtql;
	uint16_t msgseg;
};

/* shmctl(2) IPC_INFO (x86-64 always speaks the IPC_64 version) */
struct linux_shminfo64 {
	uint64_t shmmax, shmmin, shmmni, shmseg, shmall;
	uint64_t unused1, unused2, unused3, unused4;
};

/* shmctl(2) SHM_INFO */
struct linux_shm_info {
	int32_t used_ids;
	uint64_t shm_tot, shm_rss, shm_swp;	/* pages */
	uint64_t swap_attempts, swap_successes;
};

/* semctl(2) IPC_INFO / SEM_INFO */
struct linux_seminfo {
	int32_t semmap, semmni, semmns, semmnu, semmsl, semopm, semume, semusz, semvmx, semaem;
};

struct linux_sembuf {
	uint16_t sem_num;
	int16_t sem_op;
	int16_t sem_flg;
};

_Static_assert(sizeof(struct linux_ipc64_perm) == 48, "ipc64_perm is 48 bytes");
_Static_assert(sizeof(struct linux_msqid64_ds) == 120, "msqid64_ds is 120 bytes");
_Static_assert(sizeof(struct linux_shmid64_ds) == 112, "shmid64_ds is 112 bytes");
_Static_assert(sizeof(struct linux_semid64_ds) == 104, "semid64_ds is 104 bytes");
_Static_assert(sizeof(struct linux_msginfo) == 32, "msginfo is 32 bytes");
_Static_assert(sizeof(struct linux_shminfo64) == 72, "shminfo64 is 72 bytes");
_Static_assert(sizeof(struct linux_shm_info) == 48, "shm_info is 48 bytes");
_Static_assert(sizeof(struct linux_seminfo) == 40, "seminfo is 40 bytes");

#endif
