/*
 * Host tests for the wait status encoding of include/uapi/wait.h: every
 * status the kernel builds is decoded with the host C library's
 * <sys/wait.h> macros, which proves the encoding is the one Linux programs
 * expect. The option flags are compared with the host's values too.
 *
 * Our header and <sys/wait.h> define the same names, so ours is read first,
 * its flag values are saved, and its macros are removed before the host's
 * header comes in.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <signal.h>
#include <cmocka.h>

#include "uapi/wait.h"

static const long sp_wnohang = WNOHANG, sp_wuntraced = WUNTRACED, sp_wstopped = WSTOPPED;
static const long sp_wexited = WEXITED, sp_wcontinued = WCONTINUED, sp_wnowait = WNOWAIT;
static const long sp_wnothread = __WNOTHREAD, sp_wall = __WALL;
static const unsigned long sp_wclone = __WCLONE;
static const int sp_p_all = P_ALL, sp_p_pid = P_PID, sp_p_pgid = P_PGID;

#undef WNOHANG
#undef WUNTRACED
#undef WSTOPPED
#undef WEXITED
#undef WCONTINUED
#undef WNOWAIT
#undef __WNOTHREAD
#undef __WALL
#undef __WCLONE
#undef P_ALL
#undef P_PID
#undef P_PGID
#undef P_PIDFD

#include <sys/wait.h>

static void test_exited(void **state)
{
	for (int code = 0; code <= 255; code++) {
		int st = wait_status_exited(code);

		assert_true(WIFEXITED(st));
		assert_false(WIFSIGNALED(st));
		assert_false(WIFSTOPPED(st));
		assert_false(WIFCONTINUED(st));
		assert_int_equal(WEXITSTATUS(st), code);
	}
	/* exit(2): only the low 8 bits reach the parent. */
	assert_int_equal(WEXITSTATUS(wait_status_exited(256 + 7)), 7);
	assert_true(WIFEXITED(wait_status_exited(256 + 7)));
	assert_int_equal(WEXITSTATUS(wait_status_exited(-1)), 255);
	assert_int_equal(wait_status_exited(1), 0x100);
}

static void test_signaled(void **state)
{
	for (int sig = 1; sig < 65; sig++) {
		for (int core = 0; core <= 1; core++) {
			int st = wait_status_signaled(sig, core);

			assert_true(WIFSIGNALED(st));
			assert_false(WIFEXITED(st));
			assert_false(WIFSTOPPED(st));
			assert_false(WIFCONTINUED(st));
			assert_int_equal(WTERMSIG(st), sig);
			assert_int_equal(!!WCOREDUMP(st), core);
		}
	}
	assert_int_equal(wait_status_signaled(SIGKILL, 0), 9);
	assert_int_equal(wait_status_signaled(SIGSEGV, 1), 0x8b);
}

static void test_stopped(void **state)
{
	static const int sigs[] = { SIGSTOP, SIGTSTP, SIGTTIN, SIGTTOU, SIGTRAP, SIGUSR1, 64 };

	for (size_t i = 0; i < sizeof(sigs) / sizeof(sigs[0]); i++) {
		int st = wait_status_stopped(sigs[i]);

		assert_true(WIFSTOPPED(st));
		assert_false(WIFEXITED(st));
		assert_false(WIFSIGNALED(st));
		assert_false(WIFCONTINUED(st));
		assert_int_equal(WSTOPSIG(st), sigs[i]);
	}
	assert_int_equal(wait_status_stopped(SIGSTOP), 0x137f);
}

static void test_continued(void **state)
{
	int st = wait_status_continued();

	assert_true(WIFCONTINUED(st));
	assert_false(WIFEXITED(st));
	assert_false(WIFSIGNALED(st));
	assert_false(WIFSTOPPED(st));
	assert_int_equal(st, 0xffff);
}

static void test_flags_match_host(void **state)
{
	assert_int_equal(sp_wnohang, WNOHANG);
	assert_int_equal(sp_wuntraced, WUNTRACED);
	assert_int_equal(sp_wstopped, WSTOPPED);
	assert_int_equal(sp_wexited, WEXITED);
	assert_int_equal(sp_wcontinued, WCONTINUED);
	assert_int_equal(sp_wnowait, WNOWAIT);
	assert_int_equal(sp_wnothread, __WNOTHREAD);
	assert_int_equal(sp_wall, __WALL);
	assert_int_equal(sp_wclone, (unsigned long)(unsigned)__WCLONE);
	assert_int_equal(sp_p_all, P_ALL);
	assert_int_equal(sp_p_pid, P_PID);
	assert_int_equal(sp_p_pgid, P_PGID);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_exited),
		cmocka_unit_test(test_signaled),
		cmocka_unit_test(test_stopped),
		cmocka_unit_test(test_continued),
		cmocka_unit_test(test_flags_match_host),
	};

	return cmocka_run_group_tests_name("uapi/wait", tests, NULL, NULL);
}
