/*
 * System V IPC control commands that report limits and walk the kernel's
 * table by index (msgctl(2), shmctl(2), semctl(2), ipc(5)): IPC_INFO with
 * the /proc/sys limits, MSG_INFO / SHM_INFO / SEM_INFO with what is in use,
 * *_STAT by index returning the object's id with its 64-bit time fields
 * filled, *_STAT_ANY without the permission check, and the errors in the
 * man pages' order (EINVAL for a bad id or index before EACCES or EPERM).
 *
 * The host's IPC objects may exist beside ours (the namespace is shared), so
 * counts are checked as lower bounds, and our objects are found by id.
 */
#define _GNU_SOURCE
#include <tap.h>
#include <sys/ipc.h>
#include <sys/msg.h>
#include <sys/sem.h>
#include <sys/shm.h>

#define OTHER_UID	54321	/* a user no other process runs as */
#define IPCMNI		32768	/* ids are seq * IPCMNI + index */

#ifndef MSG_STAT_ANY
#define MSG_STAT_ANY	13
#endif
#ifndef SHM_STAT_ANY
#define SHM_STAT_ANY	15
#endif
#ifndef SEM_STAT_ANY
#define SEM_STAT_ANY	20
#endif

union semun_ {
	int val;
	struct semid_ds *buf;
	unsigned short *array;
	struct seminfo *__buf;
};

static long long sysctl_num(const char *path)
{
	char buf[64];

	if (tap_read_file(path, buf, sizeof(buf)) <= 0)
		return -1;
	return strtoll(buf, NULL, 10);
}

static unsigned long long sysctl_u64(const char *path)
{
	char buf[64];

	if (tap_read_file(path, buf, sizeof(buf)) <= 0)
		return 0;
	return strtoull(buf, NULL, 10);
}

/* A time stamp the kernel just set: now, give or take a couple of seconds. */
static bool recent(long long t, long long t0)
{
	long long now = time(NULL);

	return t >= t0 - 2 && t <= now + 2;
}

/* Run @fn as OTHER_UID in a child; its exit status (0 = all checks passed). */
static int as_other(int (*fn)(int), int arg)
{
	int st = -1;
	pid_t pid = fork();

	if (pid == 0) {
		if (setgid(OTHER_UID) != 0 || setuid(OTHER_UID) != 0)
			_exit(90);
		tap_case_failed = false;
		_exit(fn(arg) || tap_case_failed ? 1 : 0);
	}
	if (pid < 0 || waitpid(pid, &st, 0) != pid)
		return -1;
	return WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
}

static int case_msg_info(void)
{
	struct msginfo mi;
	struct { long type; char text[32]; } m = { 5, "0123456789abcdefghij" };
	struct msqid_ds ds;
	long long t0 = time(NULL);
	int q, r;

	memset(&mi, 0x55, sizeof(mi));
	r = msgctl(0, IPC_INFO, (struct msqid_ds *)&mi);
	CHECK(r >= 0);
	CHECK_EQ(mi.msgmax, sysctl_num("/proc/sys/kernel/msgmax"));
	CHECK_EQ(mi.msgmnb, sysctl_num("/proc/sys/kernel/msgmnb"));
	CHECK_EQ(mi.msgmni, sysctl_num("/proc/sys/kernel/msgmni"));
	CHECK_EQ(mi.msgssz, 16);
	CHECK_EQ(mi.msgseg, 0xffff);
	CHECK_EQ(mi.msgmap, 16384);
	CHECK_EQ(mi.msgtql, 16384);
	CHECK_EQ(mi.msgpool, 512000);
	q = msgget(IPC_PRIVATE, 0600);
	if (!CHECK(q >= 0))
		return 1;
	CHECK_EQ(msgsnd(q, &m, 10, 0), 0);
	CHECK_EQ(msgsnd(q, &m, 20, 0), 0);
	r = msgctl(0, MSG_INFO, (struct msqid_ds *)&mi);
	CHECK(r >= q % IPCMNI);
	CHECK(mi.msgpool >= 1);		/* queues in use */
	CHECK(mi.msgmap >= 2);		/* messages */
	CHECK(mi.msgtql >= 30);		/* bytes */
	/* MSG_STAT by index: the id comes back, the fields are the queue's. */
	memset(&ds, 0, sizeof(ds));
	CHECK_EQ(msgctl(q % IPCMNI, MSG_STAT, &ds), q);
	CHECK_EQ(ds.msg_qnum, 2);
	CHECK_EQ(ds.__msg_cbytes, 30);
	CHECK_EQ(ds.msg_lspid, getpid());
	CHECK(recent(ds.msg_stime, t0));
	CHECK(recent(ds.msg_ctime, t0));
	CHECK_EQ(ds.msg_rtime, 0);
	CHECK_EQ(msgctl(q % IPCMNI, MSG_STAT_ANY, &ds), q);
	CHECK_ERR(msgctl(q % IPCMNI, MSG_STAT, (struct msqid_ds *)tap_bad_ptr(16)), EFAULT);
	CHECK_EQ(msgctl(q, IPC_RMID, NULL), 0);
	/* The index is free again: EINVAL. */
	CHECK_ERR(msgctl(q % IPCMNI, MSG_STAT, &ds), EINVAL);
	CHECK_ERR(msgctl(-1, MSG_STAT, &ds), EINVAL);
	CHECK_ERR(msgctl(0, IPC_INFO, (struct msqid_ds *)tap_bad_ptr(16)), EFAULT);
	return 0;
}

static int msg_other(int q)
{
	struct msqid_ds ds;

	CHECK_ERR(msgctl(q % IPCMNI, MSG_STAT, &ds), EACCES);
	CHECK_EQ(msgctl(q % IPCMNI, MSG_STAT_ANY, &ds), q);
	CHECK_EQ(ds.msg_perm.mode & 0777, 0600);
	CHECK_ERR(msgctl(q, IPC_STAT, &ds), EACCES);
	CHECK_ERR(msgctl(q, IPC_SET, &ds), EPERM);
	CHECK_ERR(msgctl(q, IPC_RMID, NULL), EPERM);
	/* A bad id is EINVAL before any permission question. */
	CHECK_ERR(msgctl(q + IPCMNI, IPC_RMID, NULL), EINVAL);
	CHECK_ERR(msgctl(q + IPCMNI, IPC_STAT, &ds), EINVAL);
	CHECK_ERR(msgctl(q, 99, &ds), EINVAL);
	/* IPC_INFO needs no permission. */
	CHECK(msgctl(0, IPC_INFO, &ds) >= 0);
	return 0;
}

static int case_msg_perms(void)
{
	int q = msgget(IPC_PRIVATE, 0600);

	if (!CHECK(q >= 0))
		return 1;
	CHECK_EQ(as_other(msg_other, q), 0);
	CHECK_EQ(msgctl(q, IPC_RMID, NULL), 0);
	return 0;
}

static int case_shm_info(void)
{
	struct shminfo si;
	struct shm_info in;
	struct shmid_ds ds;
	long long t0 = time(NULL);
	unsigned long long all = sysctl_u64("/proc/sys/kernel/shmall");
	long page = sysconf(_SC_PAGESIZE);
	char *p;
	int id, r;

	memset(&si, 0x55, sizeof(si));
	r = shmctl(0, IPC_INFO, (struct shmid_ds *)&si);
	CHECK(r >= 0);
	CHECK_EQ(si.shmmax, sysctl_u64("/proc/sys/kernel/shmmax"));
	CHECK(si.shmall == all);
	CHECK_EQ(si.shmmni, sysctl_num("/proc/sys/kernel/shmmni"));
	CHECK_EQ(si.shmseg, si.shmmni);
	CHECK_EQ(si.shmmin, 1);
	id = shmget(IPC_PRIVATE, 3 * page, 0600);
	if (!CHECK(id >= 0))
		return 1;
	p = shmat(id, NULL, 0);
	CHECK(p != (void *)-1);
	if (p != (void *)-1) {
		p[0] = 1;
		p[page] = 2;
	}
	memset(&in, 0x55, sizeof(in));
	r = shmctl(0, SHM_INFO, (struct shmid_ds *)&in);
	CHECK(r >= id % IPCMNI);
	CHECK(in.used_ids >= 1);
	CHECK(in.shm_tot >= 3);
	CHECK(in.shm_rss >= 2);
	CHECK(in.shm_rss <= in.shm_tot);
	memset(&ds, 0, sizeof(ds));
	CHECK_EQ(shmctl(id % IPCMNI, SHM_STAT, &ds), id);
	CHECK_EQ(ds.shm_segsz, 3 * page);
	CHECK_EQ(ds.shm_nattch, 1);
	CHECK_EQ(ds.shm_cpid, getpid());
	CHECK(recent(ds.shm_atime, t0));
	CHECK(recent(ds.shm_ctime, t0));
	CHECK_EQ(ds.shm_dtime, 0);
	CHECK_EQ(shmctl(id % IPCMNI, SHM_STAT_ANY, &ds), id);
	CHECK_EQ(shmdt(p), 0);
	CHECK_EQ(shmctl(id % IPCMNI, SHM_STAT, &ds), id);
	CHECK(recent(ds.shm_dtime, t0));
	CHECK_EQ(shmctl(id, IPC_RMID, NULL), 0);
	CHECK_ERR(shmctl(id % IPCMNI, SHM_STAT, &ds), EINVAL);
	CHECK_ERR(shmctl(-1, IPC_STAT, &ds), EINVAL);
	CHECK_ERR(shmctl(0, SHM_INFO, (struct shmid_ds *)tap_bad_ptr(16)), EFAULT);
	return 0;
}

static int shm_other(int id)
{
	struct shmid_ds ds;

	CHECK_ERR(shmctl(id % IPCMNI, SHM_STAT, &ds), EACCES);
	CHECK_EQ(shmctl(id % IPCMNI, SHM_STAT_ANY, &ds), id);
	CHECK_EQ(ds.shm_segsz, 4096);
	CHECK_ERR(shmctl(id, IPC_STAT, &ds), EACCES);
	CHECK_ERR(shmctl(id, IPC_SET, &ds), EPERM);
	CHECK_ERR(shmctl(id, IPC_RMID, NULL), EPERM);
	CHECK_ERR(shmctl(id + IPCMNI, IPC_RMID, NULL), EINVAL);
	CHECK_ERR(shmctl(id, 99, &ds), EINVAL);
	CHECK(shmctl(0, IPC_INFO, &ds) >= 0);
	return 0;
}

static int case_shm_perms(void)
{
	int id = shmget(IPC_PRIVATE, 4096, 0600);

	if (!CHECK(id >= 0))
		return 1;
	CHECK_EQ(as_other(shm_other, id), 0);
	CHECK_EQ(shmctl(id, IPC_RMID, NULL), 0);
	return 0;
}

static int case_sem_info(void)
{
	struct seminfo si;
	struct semid_ds ds;
	struct sembuf op = { 1, 1, 0 };
	long long t0 = time(NULL);
	union semun_ a;
	int v[4], id, r;
	char buf[128];

	CHECK(tap_read_file("/proc/sys/kernel/sem", buf, sizeof(buf)) > 0);
	CHECK_EQ(sscanf(buf, "%d %d %d %d", &v[0], &v[1], &v[2], &v[3]), 4);
	memset(&si, 0x55, sizeof(si));
	a.__buf = &si;
	r = semctl(0, 0, IPC_INFO, a);
	CHECK(r >= 0);
	CHECK_EQ(si.semmsl, v[0]);
	CHECK_EQ(si.semmns, v[1]);
	CHECK_EQ(si.semopm, v[2]);
	CHECK_EQ(si.semmni, v[3]);
	CHECK_EQ(si.semvmx, 32767);
	CHECK_EQ(si.semusz, 20);
	CHECK_EQ(si.semaem, 32767);
	CHECK_EQ(si.semume, 500);
	id = semget(IPC_PRIVATE, 3, 0600);
	if (!CHECK(id >= 0))
		return 1;
	CHECK_EQ(semop(id, &op, 1), 0);
	r = semctl(0, 0, SEM_INFO, a);
	CHECK(r >= id % IPCMNI);
	CHECK(si.semusz >= 1);		/* sets in use */
	CHECK(si.semaem >= 3);		/* semaphores in use */
	memset(&ds, 0, sizeof(ds));
	a.buf = &ds;
	CHECK_EQ(semctl(id % IPCMNI, 0, SEM_STAT, a), id);
	CHECK_EQ(ds.sem_nsems, 3);
	CHECK(recent(ds.sem_otime, t0));
	CHECK(recent(ds.sem_ctime, t0));
	CHECK_EQ(semctl(id % IPCMNI, 0, SEM_STAT_ANY, a), id);
	CHECK_EQ(semctl(id, 0, IPC_RMID), 0);
	CHECK_ERR(semctl(id % IPCMNI, 0, SEM_STAT, a), EINVAL);
	CHECK_ERR(semctl(-1, 0, IPC_STAT, a), EINVAL);
	a.__buf = tap_bad_ptr(16);
	CHECK_ERR(semctl(0, 0, IPC_INFO, a), EFAULT);
	return 0;
}

static int sem_other(int id)
{
	struct semid_ds ds;
	union semun_ a = { .buf = &ds };

	CHECK_ERR(semctl(id % IPCMNI, 0, SEM_STAT, a), EACCES);
	CHECK_EQ(semctl(id % IPCMNI, 0, SEM_STAT_ANY, a), id);
	CHECK_EQ(ds.sem_nsems, 2);
	CHECK_ERR(semctl(id, 0, IPC_STAT, a), EACCES);
	CHECK_ERR(semctl(id, 0, IPC_SET, a), EPERM);
	CHECK_ERR(semctl(id, 0, IPC_RMID), EPERM);
	CHECK_ERR(semctl(id + IPCMNI, 0, IPC_RMID), EINVAL);
	CHECK_ERR(semctl(id, 0, 99, a), EINVAL);
	return 0;
}

static int case_sem_perms(void)
{
	int id = semget(IPC_PRIVATE, 2, 0600);

	if (!CHECK(id >= 0))
		return 1;
	CHECK_EQ(as_other(sem_other, id), 0);
	CHECK_EQ(semctl(id, 0, IPC_RMID), 0);
	return 0;
}

int main(void)
{
	tap_plan(6);
	run_case("msgctl IPC_INFO, MSG_INFO, MSG_STAT(_ANY)", case_msg_info);
	run_case("msgctl: EINVAL, EACCES, EPERM in order; MSG_STAT_ANY", case_msg_perms);
	run_case("shmctl IPC_INFO, SHM_INFO, SHM_STAT(_ANY)", case_shm_info);
	run_case("shmctl: EINVAL, EACCES, EPERM in order; SHM_STAT_ANY", case_shm_perms);
	run_case("semctl IPC_INFO, SEM_INFO, SEM_STAT(_ANY)", case_sem_info);
	run_case("semctl: EINVAL, EACCES, EPERM in order; SEM_STAT_ANY", case_sem_perms);
	return tap_done();
}
