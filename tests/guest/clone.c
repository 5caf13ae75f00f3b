/*
 * clone(2) sharing models: each of CLONE_VM, CLONE_FILES, CLONE_FS and CLONE_SIGHAND shown to
 * share its object when given and to copy it when not; CLONE_PARENT, CLONE_PARENT_SETTID,
 * CLONE_CHILD_SETTID, CLONE_CHILD_CLEARTID and CLONE_SETTLS; vfork-style CLONE_VM|CLONE_VFORK;
 * Linux's invalid flag combinations (EINVAL); __WCLONE/__WALL for a child with no exit signal.
 */
#define _GNU_SOURCE
#include <tap.h>
#include <sched.h>
#include <sys/syscall.h>

#define STACK_SIZE	(64 * 1024)

static char child_stack[STACK_SIZE] __attribute__((aligned(16)));
static volatile int shared_var;
static int pipe_fd = -1;

/* Run fn in a clone child with @flags (plus SIGCHLD) and return its exit status (or -1). */
static int clone_run(int (*fn)(void *), int flags, void *arg)
{
	int status = -1;
	pid_t pid;

	fflush(NULL);
	pid = clone(fn, child_stack + STACK_SIZE, flags | SIGCHLD, arg);
	if (pid == -1) {
		tap_diag("clone(%#x): %s", flags, strerror(errno));
		return -1;
	}
	if (waitpid(pid, &status, 0) != pid || !WIFEXITED(status))
		return -1;
	return WEXITSTATUS(status);
}

static int vm_child(void *arg)
{
	shared_var = 42;
	return 0;
}

static int case_vm(void)
{
	shared_var = 1;
	CHECK_EQ(clone_run(vm_child, 0, NULL), 0);
	CHECK_EQ(shared_var, 1);	/* a copy: the child's write stays in the child */
	CHECK_EQ(clone_run(vm_child, CLONE_VM, NULL), 0);
	CHECK_EQ(shared_var, 42);	/* shared: the parent sees it */
	return 0;
}

static int files_child(void *arg)
{
	close(pipe_fd);
	return dup2(0, 100) == 100 ? 0 : 1;
}

static int case_files(void)
{
	pipe_fd = open("/", O_RDONLY);
	if (!CHECK(pipe_fd >= 0))
		return 1;
	close(100);
	CHECK_EQ(clone_run(files_child, 0, NULL), 0);
	CHECK(fcntl(pipe_fd, F_GETFD) >= 0);	/* copy: still open here */
	CHECK_ERR(fcntl(100, F_GETFD), EBADF);
	CHECK_EQ(clone_run(files_child, CLONE_FILES, NULL), 0);
	CHECK_ERR(fcntl(pipe_fd, F_GETFD), EBADF);	/* shared: closed here too */
	CHECK(fcntl(100, F_GETFD) >= 0);
	return 0;
}

static int fs_child(void *arg)
{
	umask(0077);
	return chdir("/tmp") == 0 ? 0 : 1;
}

static int case_fs(void)
{
	char cwd[256];

	mkdir("/tmp", 01777);
	CHECK_EQ(chdir("/"), 0);
	umask(022);
	CHECK_EQ(clone_run(fs_child, 0, NULL), 0);
	CHECK(getcwd(cwd, sizeof(cwd)) && strcmp(cwd, "/") == 0);
	CHECK_EQ(umask(022), 022);
	CHECK_EQ(clone_run(fs_child, CLONE_FS, NULL), 0);
	CHECK(getcwd(cwd, sizeof(cwd)) && strcmp(cwd, "/tmp") == 0);
	CHECK_EQ(umask(022), 0077);
	return 0;
}

static int sighand_child(void *arg)
{
	struct sigaction sa = { .sa_handler = SIG_IGN };

	return sigaction(SIGUSR1, &sa, NULL) == 0 ? 0 : 1;
}

static int case_sighand(void)
{
	struct sigaction sa = { .sa_handler = SIG_DFL }, old;

	sigaction(SIGUSR1, &sa, NULL);
	CHECK_EQ(clone_run(sighand_child, CLONE_VM, NULL), 0);
	sigaction(SIGUSR1, NULL, &old);
	CHECK(old.sa_handler == SIG_DFL);	/* copied */
	CHECK_EQ(clone_run(sighand_child, CLONE_VM | CLONE_SIGHAND, NULL), 0);
	sigaction(SIGUSR1, NULL, &old);
	CHECK(old.sa_handler == SIG_IGN);	/* shared */
	return 0;
}

static pid_t ptid_word, ctid_word;
static int tid_child(void *arg)
{
	return 0;
}

/* PARENT_SETTID writes the parent's word; CHILD_SETTID the child's word (a copy here, so the
 * parent's stays 0); with CLONE_VM, CHILD_CLEARTID zeroes the word at the child's exit. */
static int case_tid_words(void)
{
	pid_t pid;
	int status;

	ptid_word = 0;
	ctid_word = -5;
	fflush(NULL);
	pid = clone(tid_child, child_stack + STACK_SIZE,
		    CLONE_PARENT_SETTID | CLONE_CHILD_SETTID | SIGCHLD, NULL, &ptid_word, NULL,
		    &ctid_word);
	CHECK(pid > 0);
	CHECK_EQ(waitpid(pid, &status, 0), pid);
	CHECK_EQ(ptid_word, pid);
	CHECK_EQ(ctid_word, -5);

	ctid_word = -5;
	pid = clone(tid_child, child_stack + STACK_SIZE,
		    CLONE_VM | CLONE_CHILD_SETTID | CLONE_CHILD_CLEARTID | SIGCHLD, NULL, NULL,
		    NULL, &ctid_word);
	CHECK(pid > 0);
	CHECK_EQ(waitpid(pid, &status, 0), pid);
	CHECK_EQ(ctid_word, 0);	/* set to the tid at start, cleared at exit */
	return 0;
}

static int tls_child(void *arg)
{
	unsigned long fs = 0;

	__asm__ volatile("mov %%fs:0, %0" : "=r"(fs));
	return fs == (unsigned long)arg ? 0 : 1;
}

static int case_settls(void)
{
	static unsigned long tls_block[4] __attribute__((aligned(64)));
	pid_t pid;
	int status = -1;

	tls_block[0] = (unsigned long)tls_block;	/* %fs:0 points to itself, as the ABI wants */
	fflush(NULL);
	pid = clone(tls_child, child_stack + STACK_SIZE, CLONE_SETTLS | SIGCHLD, tls_block, NULL,
		    tls_block, NULL);
	CHECK(pid > 0);
	CHECK_EQ(waitpid(pid, &status, 0), pid);
	CHECK(WIFEXITED(status) && WEXITSTATUS(status) == 0);
	return 0;
}

static int parent_child(void *arg)
{
	return 0;
}

/* CLONE_PARENT: the new process is our sibling, a child of our parent. */
static int case_parent(void)
{
	pid_t mid, sib = -1;
	int status = -1;

	fflush(NULL);
	mid = fork();
	if (mid == 0) {
		pid_t s = clone(parent_child, child_stack + STACK_SIZE, CLONE_PARENT | SIGCHLD,
				NULL);

		if (s < 0)
			_exit(99);
		/* Not our child: waitpid cannot see it. */
		_exit(waitpid(s, NULL, WNOHANG) == -1 && errno == ECHILD ? 0 : 98);
	}
	CHECK_EQ(waitpid(mid, &status, 0), mid);
	CHECK(WIFEXITED(status) && WEXITSTATUS(status) == 0);
	sib = waitpid(-1, &status, 0);	/* the sibling is ours to reap */
	CHECK(sib > 0 && sib != mid);
	CHECK(WIFEXITED(status) && WEXITSTATUS(status) == 0);
	return 0;
}

static long raw_clone(unsigned long flags)
{
	return syscall(SYS_clone, flags, child_stack + STACK_SIZE, NULL, NULL, 0);
}

static int case_invalid(void)
{
	CHECK_ERR(raw_clone(CLONE_THREAD | SIGCHLD), EINVAL);		/* needs CLONE_SIGHAND */
	CHECK_ERR(raw_clone(CLONE_SIGHAND | SIGCHLD), EINVAL);		/* needs CLONE_VM */
	CHECK_ERR(raw_clone(CLONE_THREAD | CLONE_SIGHAND), EINVAL);	/* ... and CLONE_VM */
	CHECK_ERR(raw_clone(CLONE_NEWNS | CLONE_FS | SIGCHLD), EINVAL);
	return 0;
}

static int quiet_child(void *arg)
{
	return 5;
}

/* A child with no exit signal is a "clone" child: only __WCLONE or __WALL waits see it. */
static int case_wclone(void)
{
	pid_t pid;
	int status = -1;

	fflush(NULL);
	pid = clone(quiet_child, child_stack + STACK_SIZE, 0, NULL);
	if (!CHECK(pid > 0))
		return 1;
	CHECK_ERR(waitpid(pid, &status, 0), ECHILD);
	CHECK_EQ(waitpid(pid, &status, __WALL), pid);
	CHECK(WIFEXITED(status) && WEXITSTATUS(status) == 5);
	pid = clone(quiet_child, child_stack + STACK_SIZE, 0, NULL);
	CHECK_EQ(waitpid(pid, &status, __WCLONE), pid);
	pid = fork();
	if (pid == 0)
		_exit(6);
	CHECK_ERR(waitpid(pid, &status, __WCLONE), ECHILD);
	CHECK_EQ(waitpid(pid, &status, 0), pid);
	return 0;
}

int main(void)
{
	tap_plan(9);
	run_case("CLONE_VM shares memory; without it the child has a copy", case_vm);
	run_case("CLONE_FILES shares the descriptor table", case_files);
	run_case("CLONE_FS shares cwd and umask", case_fs);
	run_case("CLONE_SIGHAND shares signal actions", case_sighand);
	run_case("PARENT_SETTID, CHILD_SETTID, CHILD_CLEARTID", case_tid_words);
	run_case("CLONE_SETTLS sets the child's FS base", case_settls);
	run_case("CLONE_PARENT makes a sibling", case_parent);
	run_case("invalid flag combinations give EINVAL", case_invalid);
	run_case("__WCLONE and __WALL for a child without exit signal", case_wclone);
	return tap_done();
}
