/*
 * fork(2): the return values in parent and child, getpid/getppid in the child, many children
 * alive at once, increasing pids, exit statuses, shared open file descriptions, and a chain of
 * nested forks. Children answer through exit statuses and files (there are no pipes yet).
 */
#include <tap.h>

#define MANY_CHILDREN	50
#define SEQ_FORKS	20
#define CHAIN_DEPTH	8

static int case_return_values(void)
{
	char path[4200], buf[64];
	pid_t parent = getpid(), pid;
	int status;

	tap_tmppath(path, sizeof(path), "fork-ids");
	fflush(NULL);
	pid = fork();
	if (pid == 0) {
		int n = snprintf(buf, sizeof(buf), "%d %d", (int)getpid(), (int)getppid());

		_exit(tap_write_file(path, buf, n, 0644) == 0 ? 0 : 1);
	}
	if (!CHECK(pid > 0))
		return 1;
	CHECK(pid != parent);
	CHECK_EQ(waitpid(pid, &status, 0), pid);
	CHECK_EQ(status, 0);
	CHECK_EQ(getpid(), parent);
	if (CHECK(tap_read_file(path, buf, sizeof(buf)) > 0)) {
		int cpid = -1, cppid = -1;

		CHECK_EQ(sscanf(buf, "%d %d", &cpid, &cppid), 2);
		CHECK_EQ(cpid, pid);		/* the child's getpid() is what fork returned */
		CHECK_EQ(cppid, parent);	/* and its getppid() is us */
	}
	unlink(path);
	return 0;
}

static int case_child_ids(void)
{
	pid_t parent = getpid(), pid;
	int status;

	fflush(NULL);
	pid = fork();
	if (pid == 0) {
		if (getppid() != parent)
			_exit(1);
		if (getpid() == parent || getpid() <= 1)
			_exit(2);
		_exit(0);
	}
	CHECK(pid > 0);
	CHECK_EQ(waitpid(pid, &status, 0), pid);
	CHECK(WIFEXITED(status));
	CHECK_EQ(WEXITSTATUS(status), 0);	/* 1: wrong ppid, 2: wrong pid */
	return 0;
}

/* All children stay alive until a flag file appears, so they coexist; each exits with its index. */
static int case_many_children(void)
{
	char flag[4200];
	pid_t pids[MANY_CHILDREN];
	int seen[MANY_CHILDREN] = { 0 };

	tap_tmppath(flag, sizeof(flag), "fork-many");
	unlink(flag);
	for (int i = 0; i < MANY_CHILDREN; i++) {
		fflush(NULL);
		pids[i] = fork();
		if (pids[i] == 0)
			_exit(tap_wait_for_file(flag, 30000) ? i : 255);
		if (!CHECK(pids[i] > 0))
			return 1;
		for (int j = 0; j < i; j++)
			CHECK(pids[j] != pids[i]);
	}
	CHECK_EQ(tap_write_file(flag, "go", 2, 0644), 0);
	for (int n = 0; n < MANY_CHILDREN; n++) {
		int status, i;
		pid_t pid = waitpid(-1, &status, 0);

		for (i = 0; i < MANY_CHILDREN && pids[i] != pid; i++)
			;
		if (!CHECK(i < MANY_CHILDREN))
			break;
		CHECK(WIFEXITED(status));
		CHECK_EQ(WEXITSTATUS(status), i);
		seen[i]++;
	}
	for (int i = 0; i < MANY_CHILDREN; i++)
		CHECK_EQ(seen[i], 1);
	CHECK_ERR(waitpid(-1, NULL, 0), ECHILD);
	unlink(flag);
	return 0;
}

/* Successive forks get increasing pids (one wrap of the pid space is tolerated on Linux). */
static int case_pids_increase(void)
{
	pid_t prev = getpid();
	int wraps = 0;

	for (int i = 0; i < SEQ_FORKS; i++) {
		int status;
		pid_t pid;

		fflush(NULL);
		pid = fork();
		if (pid == 0)
			_exit(0);
		if (!CHECK(pid > 0))
			return 1;
		CHECK_EQ(waitpid(pid, &status, 0), pid);
		if (pid <= prev) {
			tap_diag("pid %d after %d", (int)pid, (int)prev);
			wraps++;
		}
		prev = pid;
	}
	CHECK(wraps == 0 || (wraps == 1 && !tap_on_sprout()));
	return 0;
}

static int case_exit_status(void)
{
	static const int codes[] = { 0, 1, 42, 127, 128, 255 };

	for (size_t i = 0; i < sizeof(codes) / sizeof(codes[0]); i++) {
		int status;
		pid_t pid;

		fflush(NULL);
		pid = fork();
		if (pid == 0)
			_exit(codes[i]);
		CHECK_EQ(waitpid(pid, &status, 0), pid);
		CHECK(WIFEXITED(status));
		CHECK_EQ(WEXITSTATUS(status), codes[i]);
	}
	return 0;
}

/* fork(2): the child's descriptors refer to the same open file descriptions (shared offset). */
static int case_shared_offset(void)
{
	char path[4200], buf[16];
	int fd, status;
	pid_t pid;

	tap_tmppath(path, sizeof(path), "fork-offset");
	fd = open(path, O_CREAT | O_RDWR | O_TRUNC, 0644);
	if (!CHECK(fd >= 0))
		return 1;
	CHECK_EQ(write(fd, "ab", 2), 2);
	fflush(NULL);
	pid = fork();
	if (pid == 0)
		_exit(write(fd, "cd", 2) == 2 ? 0 : 1);
	CHECK_EQ(waitpid(pid, &status, 0), pid);
	CHECK_EQ(status, 0);
	CHECK_EQ(lseek(fd, 0, SEEK_CUR), 4);	/* the child's write moved our offset */
	CHECK_EQ(write(fd, "ef", 2), 2);
	close(fd);
	CHECK_EQ(tap_read_file(path, buf, sizeof(buf)), 6);
	CHECK(strcmp(buf, "abcdef") == 0);
	unlink(path);
	return 0;
}

/* Each level forks the next and exits with its child's status + 1. */
static int chain(int depth)
{
	int status;
	pid_t pid;

	if (depth == 0)
		return 0;
	fflush(NULL);
	pid = fork();
	if (pid == -1)
		return 100;
	if (pid == 0)
		_exit(chain(depth - 1));
	if (waitpid(pid, &status, 0) != pid || !WIFEXITED(status))
		return 101;
	return WEXITSTATUS(status) + 1;
}

static int case_chain(void)
{
	CHECK_EQ(chain(CHAIN_DEPTH), CHAIN_DEPTH);
	return 0;
}

/* Entry point: runs every case and prints TAP. Returns 0 only if all passed. */
int main(void)
{
	tap_plan(7);
	run_case("fork returns the child's pid to the parent and 0 to the child",
		 case_return_values);
	run_case("getpid and getppid in the child", case_child_ids);
	run_case("50 children alive at once, all reaped with their statuses", case_many_children);
	run_case("successive children get increasing pids", case_pids_increase);
	run_case("a child's exit status round-trips", case_exit_status);
	run_case("parent and child share the open file description", case_shared_offset);
	run_case("a chain of 8 nested forks", case_chain);
	return tap_done();
}
