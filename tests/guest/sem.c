/*
 * System V semaphores: semget and semctl (SETVAL, GETVAL, GETALL, SETALL, GETPID, GETNCNT,
 * GETZCNT, IPC_STAT, IPC_RMID), all-or-nothing semop, blocking and waking, semtimedop timeouts,
 * SEM_UNDO applied at exit, EIDRM for sleepers, and the classic bounded-buffer producer/consumer
 * over a shared memory segment.
 */
#define _GNU_SOURCE
#include <tap.h>
#include <sys/ipc.h>
#include <sys/sem.h>
#include <sys/shm.h>

union semun {
	int val;
	struct semid_ds *buf;
	unsigned short *array;
};

static int op(int id, int num, int delta, int flg)
{
	struct sembuf b = { .sem_num = num, .sem_op = delta, .sem_flg = flg };

	return semop(id, &b, 1);
}

static int case_ctl(void)
{
	int id = semget(IPC_PRIVATE, 3, IPC_CREAT | 0600);
	unsigned short all[3] = { 4, 5, 6 }, got[3] = { 0 };
	struct semid_ds ds;
	struct sembuf b = { 0, 1, 0 };

	if (!CHECK(id >= 0))
		return 1;
	CHECK_ERR(semget(IPC_PRIVATE, 0, IPC_CREAT | 0600), EINVAL);
	CHECK_EQ(semctl(id, 1, GETVAL), 0);
	CHECK_EQ(semctl(id, 1, SETVAL, (union semun){ .val = 9 }), 0);
	CHECK_EQ(semctl(id, 1, GETVAL), 9);
	CHECK_ERR(semctl(id, 1, SETVAL, (union semun){ .val = 40000 }), ERANGE);
	CHECK_ERR(semctl(id, 3, GETVAL), EINVAL);
	CHECK_EQ(semctl(id, 0, SETALL, (union semun){ .array = all }), 0);
	CHECK_EQ(semctl(id, 0, GETALL, (union semun){ .array = got }), 0);
	CHECK(got[0] == 4 && got[1] == 5 && got[2] == 6);
	CHECK_EQ(semctl(id, 0, IPC_STAT, (union semun){ .buf = &ds }), 0);
	CHECK_EQ(ds.sem_nsems, 3);
	CHECK_EQ(ds.sem_perm.mode & 0777, 0600);
	CHECK_EQ(op(id, 2, -6, 0), 0);
	CHECK_EQ(semctl(id, 2, GETVAL), 0);
	CHECK_EQ(semctl(id, 2, GETPID), getpid());
	b.sem_num = 3;
	CHECK_ERR(semop(id, &b, 1), EFBIG);
	CHECK_ERR(semop(id, &b, 0), EINVAL);
	CHECK_ERR(semop(id, &b, 501), E2BIG);
	CHECK_ERR(op(id, 0, 32767, 0), ERANGE);
	CHECK_EQ(semctl(id, 0, IPC_RMID), 0);
	CHECK_ERR(semctl(id, 0, GETVAL), EINVAL);
	return 0;
}

static int case_all_or_nothing(void)
{
	int id = semget(IPC_PRIVATE, 2, IPC_CREAT | 0600);
	struct sembuf two[2] = { { 0, -1, IPC_NOWAIT }, { 1, -1, IPC_NOWAIT } };

	if (!CHECK(id >= 0))
		return 1;
	semctl(id, 0, SETVAL, (union semun){ .val = 1 });
	CHECK_ERR(semop(id, two, 2), EAGAIN);
	CHECK_EQ(semctl(id, 0, GETVAL), 1);	/* the first op was not applied */
	semctl(id, 1, SETVAL, (union semun){ .val = 1 });
	CHECK_EQ(semop(id, two, 2), 0);
	CHECK_EQ(semctl(id, 0, GETVAL), 0);
	CHECK_EQ(semctl(id, 1, GETVAL), 0);
	CHECK_EQ(semctl(id, 0, IPC_RMID), 0);
	return 0;
}

static int case_block_and_wake(void)
{
	int id = semget(IPC_PRIVATE, 2, IPC_CREAT | 0600), status;
	pid_t a, z;

	if (!CHECK(id >= 0))
		return 1;
	semctl(id, 1, SETVAL, (union semun){ .val = 1 });
	fflush(NULL);
	a = fork();
	if (a == 0)
		_exit(op(id, 0, -2, 0) == 0 ? 0 : 1);
	z = fork();
	if (z == 0)
		_exit(op(id, 1, 0, 0) == 0 ? 0 : 1);	/* wait for zero */
	for (int i = 0; i < 200 && (semctl(id, 0, GETNCNT) != 1 || semctl(id, 1, GETZCNT) != 1);
	     i++)
		tap_sleep_ms(5);
	CHECK_EQ(semctl(id, 0, GETNCNT), 1);
	CHECK_EQ(semctl(id, 1, GETZCNT), 1);
	CHECK_EQ(op(id, 0, 1, 0), 0);	/* not enough yet */
	tap_sleep_ms(30);
	CHECK_EQ(semctl(id, 0, GETNCNT), 1);
	CHECK_EQ(op(id, 0, 1, 0), 0);
	CHECK_EQ(op(id, 1, -1, 0), 0);
	status = tap_wait_bounded(a, 20);
	CHECK(WIFEXITED(status) && WEXITSTATUS(status) == 0);
	status = tap_wait_bounded(z, 20);
	CHECK(WIFEXITED(status) && WEXITSTATUS(status) == 0);
	CHECK_EQ(semctl(id, 0, GETVAL), 0);
	CHECK_EQ(semctl(id, 0, IPC_RMID), 0);
	return 0;
}

static int case_timeout_and_rmid(void)
{
	int id = semget(IPC_PRIVATE, 1, IPC_CREAT | 0600), status;
	struct sembuf b = { 0, -1, 0 };
	struct timespec ts = { 0, 50 * 1000000L };
	long long t0;
	pid_t pid;

	if (!CHECK(id >= 0))
		return 1;
	t0 = tap_now_ms();
	CHECK_ERR(semtimedop(id, &b, 1, &ts), EAGAIN);
	CHECK(tap_now_ms() - t0 >= 49);
	fflush(NULL);
	pid = fork();
	if (pid == 0)
		_exit(semop(id, &b, 1) == -1 && errno == EIDRM ? 0 : 1);
	tap_sleep_ms(50);
	CHECK_EQ(semctl(id, 0, IPC_RMID), 0);
	status = tap_wait_bounded(pid, 20);
	CHECK(WIFEXITED(status) && WEXITSTATUS(status) == 0);
	return 0;
}

static int case_undo_on_exit(void)
{
	int id = semget(IPC_PRIVATE, 2, IPC_CREAT | 0600), status;
	pid_t pid;

	if (!CHECK(id >= 0))
		return 1;
	semctl(id, 0, SETVAL, (union semun){ .val = 5 });
	fflush(NULL);
	pid = fork();
	if (pid == 0) {
		if (op(id, 0, -2, SEM_UNDO) || op(id, 1, 3, SEM_UNDO) || op(id, 0, -1, 0))
			_exit(1);
		_exit(semctl(id, 0, GETVAL) == 2 && semctl(id, 1, GETVAL) == 3 ? 0 : 2);
	}
	status = tap_wait_bounded(pid, 20);
	CHECK(WIFEXITED(status) && WEXITSTATUS(status) == 0);
	/* +2 and -3 are undone; the -1 without SEM_UNDO stays. */
	CHECK_EQ(semctl(id, 0, GETVAL), 4);
	CHECK_EQ(semctl(id, 1, GETVAL), 0);
	CHECK_EQ(semctl(id, 0, GETPID), pid);
	CHECK_EQ(semctl(id, 0, IPC_RMID), 0);
	return 0;
}

#define SLOTS	8
#define ITEMS	300

struct ring {
	int head, tail;
	int slot[SLOTS];
};

/* Bounded buffer: semaphores 0 = empty slots, 1 = full slots, 2 = mutex. */
static int case_producer_consumer(void)
{
	int shm = shmget(IPC_PRIVATE, sizeof(struct ring), IPC_CREAT | 0600);
	int id = semget(IPC_PRIVATE, 3, IPC_CREAT | 0600), status;
	unsigned short init[3] = { SLOTS, 0, 1 };
	struct ring *r;
	long sum = 0, bad = 0;
	pid_t pid;

	if (!CHECK(shm >= 0 && id >= 0))
		return 1;
	r = shmat(shm, NULL, 0);
	shmctl(shm, IPC_RMID, NULL);	/* goes away with the last detach */
	CHECK_EQ(semctl(id, 0, SETALL, (union semun){ .array = init }), 0);
	fflush(NULL);
	pid = fork();
	if (pid == 0) {
		for (int i = 1; i <= ITEMS; i++) {
			op(id, 0, -1, 0);
			op(id, 2, -1, SEM_UNDO);
			r->slot[r->tail] = i;
			r->tail = (r->tail + 1) % SLOTS;
			op(id, 2, 1, SEM_UNDO);
			op(id, 1, 1, 0);
		}
		_exit(0);
	}
	for (int i = 1; i <= ITEMS; i++) {
		op(id, 1, -1, 0);
		op(id, 2, -1, SEM_UNDO);
		int v = r->slot[r->head];

		r->head = (r->head + 1) % SLOTS;
		op(id, 2, 1, SEM_UNDO);
		op(id, 0, 1, 0);
		bad += v != i;
		sum += v;
	}
	CHECK_EQ(bad, 0);
	CHECK_EQ(sum, ITEMS * (ITEMS + 1) / 2);
	status = tap_wait_bounded(pid, 50);
	CHECK(WIFEXITED(status) && WEXITSTATUS(status) == 0);
	CHECK_EQ(semctl(id, 2, GETVAL), 1);
	CHECK_EQ(semctl(id, 0, IPC_RMID), 0);
	CHECK_EQ(shmdt(r), 0);
	return 0;
}

/* Entry point: runs every case and prints TAP. */
int main(void)
{
	tap_plan(6);
	run_case("semctl values, IPC_STAT, errors", case_ctl);
	run_case("semop applies all operations or none", case_all_or_nothing);
	run_case("blocked decrement and wait-for-zero wake up", case_block_and_wake);
	run_case("semtimedop timeout; IPC_RMID wakes with EIDRM", case_timeout_and_rmid);
	run_case("SEM_UNDO adjustments applied at exit", case_undo_on_exit);
	run_case("bounded-buffer producer/consumer over shm", case_producer_consumer);
	return tap_done();
}
