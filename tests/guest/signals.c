/*
 * Signals inside one process: how each fatal signal shows in the wait status (with and without
 * the core flag), faults with their si_addr and si_code, handlers that run once with the right
 * siginfo and return with every register and the FPU/SSE state intact, masks and pending sets,
 * SA_* flags, sigaltstack, sigsuspend, sigtimedwait, EINTR versus SA_RESTART, timers.
 */
#include <tap.h>
#include <setjmp.h>
#include <stddef.h>
#include <sys/syscall.h>
#include <sys/time.h>
#include <poll.h>

static volatile sig_atomic_t hits;
static volatile int last_sig;
static siginfo_t last_info;
static sigjmp_buf jump;

static int rt_values[8], rt_count;

static void on_info(int sig, siginfo_t *si, void *uc)
{
	if (sig == SIGRTMIN && rt_count < 8)
		rt_values[rt_count++] = si->si_value.sival_int;
	hits++;
	last_sig = sig;
	last_info = *si;
}

static void on_fault_jump(int sig, siginfo_t *si, void *uc)
{
	last_sig = sig;
	last_info = *si;
	siglongjmp(jump, 1);
}

static int set_handler(int sig, void (*fn)(int, siginfo_t *, void *), int flags)
{
	struct sigaction sa;

	memset(&sa, 0, sizeof(sa));
	sa.sa_sigaction = fn;
	sa.sa_flags = SA_SIGINFO | flags;
	sigemptyset(&sa.sa_mask);
	return sigaction(sig, &sa, NULL);
}

/* Fork, run fn in the child, return its wait status. */
static int status_of(void (*fn)(void))
{
	int status = -1;
	pid_t pid = fork();

	if (pid == 0) {
		fn();
		_exit(0);
	}
	if (waitpid(pid, &status, 0) != pid)
		return -1;
	return status;
}

static void die_term(void) { raise(SIGTERM); }
static void die_abort(void) { abort(); }
static void die_kill(void) { kill(getpid(), SIGKILL); pause(); }
static void die_segv(void) { *(volatile int *)tap_bad_ptr(0x1000) = 1; }
static void die_fpe(void) { volatile int z = 0; volatile int x = 7 / z; (void)x; }
static void die_ill(void) { __asm__ volatile("ud2"); }
static void die_usr1_blocked_then_unblock(void)
{
	sigset_t s;

	sigemptyset(&s);
	sigaddset(&s, SIGUSR1);
	sigprocmask(SIG_BLOCK, &s, NULL);
	raise(SIGUSR1);
	sigprocmask(SIG_UNBLOCK, &s, NULL);
	_exit(3);	/* not reached: the unblocked signal kills first */
}

static void core_limit(rlim_t v)
{
	struct rlimit rl = { v, v };

	setrlimit(RLIMIT_CORE, &rl);
}

static void die_abort_core(void)
{
	char dir[4200];

	/* A plain core_pattern on Linux writes "core" here; it is removed by the parent. */
	tap_tmppath(dir, sizeof(dir), "core");
	mkdir(dir, 0700);
	if (chdir(dir) != 0)
		_exit(90);
	core_limit(RLIM_INFINITY);
	abort();
}

static int case_fatal_status(void)
{
	int s;

	s = status_of(die_term);
	CHECK(WIFSIGNALED(s) && WTERMSIG(s) == SIGTERM && !WCOREDUMP(s));
	s = status_of(die_kill);
	CHECK(WIFSIGNALED(s) && WTERMSIG(s) == SIGKILL && !WCOREDUMP(s));
	core_limit(0);
	s = status_of(die_abort);
	CHECK(WIFSIGNALED(s) && WTERMSIG(s) == SIGABRT && !WCOREDUMP(s));
	s = status_of(die_segv);
	CHECK(WIFSIGNALED(s) && WTERMSIG(s) == SIGSEGV && !WCOREDUMP(s));
	s = status_of(die_fpe);
	CHECK(WIFSIGNALED(s) && WTERMSIG(s) == SIGFPE);
	s = status_of(die_ill);
	CHECK(WIFSIGNALED(s) && WTERMSIG(s) == SIGILL);
	s = status_of(die_usr1_blocked_then_unblock);
	CHECK(WIFSIGNALED(s) && WTERMSIG(s) == SIGUSR1);
	return 0;
}

static int case_core_flag(void)
{
	char path[4300], dir[4200];
	pid_t pid = fork();
	int s = -1;

	if (pid == 0)
		die_abort_core();
	CHECK_EQ(waitpid(pid, &s, 0), pid);
	CHECK(WIFSIGNALED(s) && WTERMSIG(s) == SIGABRT);
	/* Clean up what Linux wrote ("core" or "core.<pid>"); Sprout writes nothing. */
	bool wrote = false;

	snprintf(dir, sizeof(dir), "%s/sprout-core-%d", tap_tmpdir(), (int)pid);
	snprintf(path, sizeof(path), "%s/core", dir);
	wrote |= unlink(path) == 0;
	snprintf(path, sizeof(path), "%s/core.%d", dir, (int)pid);
	wrote |= unlink(path) == 0;
	rmdir(dir);
	/* Sprout sets the flag whenever RLIMIT_CORE allows a dump; Linux only when
	 * its dump worked, which depends on the host's core_pattern. */
	if (tap_on_sprout())
		CHECK(WCOREDUMP(s));
	else
		CHECK_EQ(!!WCOREDUMP(s), wrote);
	return 0;
}

static int case_segv_info(void)
{
	CHECK_EQ(set_handler(SIGSEGV, on_fault_jump, 0), 0);
	if (sigsetjmp(jump, 1) == 0)
		*(volatile int *)tap_bad_ptr(0x1000) = 5;
	CHECK_EQ(last_sig, SIGSEGV);
	CHECK_EQ((uintptr_t)last_info.si_addr, 0x1000);
	CHECK_EQ(last_info.si_code, SEGV_MAPERR);

	char *ro = mmap(NULL, 4096, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

	CHECK(ro != MAP_FAILED);
	last_sig = 0;
	if (sigsetjmp(jump, 1) == 0)
		ro[100] = 1;
	CHECK_EQ(last_sig, SIGSEGV);
	CHECK_EQ((uintptr_t)last_info.si_addr, (uintptr_t)ro + 100);
	CHECK_EQ(last_info.si_code, SEGV_ACCERR);

	/* The handler ran with SIGSEGV blocked; siglongjmp restored the mask. */
	sigset_t now;

	sigprocmask(SIG_BLOCK, NULL, &now);
	CHECK(!sigismember(&now, SIGSEGV));

	CHECK_EQ(set_handler(SIGFPE, on_fault_jump, 0), 0);
	if (sigsetjmp(jump, 1) == 0)
		die_fpe();
	CHECK_EQ(last_sig, SIGFPE);
	CHECK_EQ(last_info.si_code, FPE_INTDIV);
	CHECK_EQ(set_handler(SIGILL, on_fault_jump, 0), 0);
	if (sigsetjmp(jump, 1) == 0)
		die_ill();
	CHECK_EQ(last_sig, SIGILL);
	CHECK_EQ(last_info.si_code, ILL_ILLOPN);
	return 0;
}

static int case_handler_info(void)
{
	union sigval v = { .sival_int = 4242 };

	CHECK_EQ(set_handler(SIGUSR1, on_info, 0), 0);
	CHECK_EQ(kill(getpid(), SIGUSR1), 0);
	CHECK_EQ(hits, 1);
	CHECK_EQ(last_info.si_signo, SIGUSR1);
	CHECK_EQ(last_info.si_code, SI_USER);
	CHECK_EQ(last_info.si_pid, getpid());
	CHECK_EQ(last_info.si_uid, getuid());
	CHECK_EQ(sigqueue(getpid(), SIGUSR1, v), 0);
	CHECK_EQ(hits, 2);
	CHECK_EQ(last_info.si_code, SI_QUEUE);
	CHECK_EQ(last_info.si_value.sival_int, 4242);
	CHECK_EQ(syscall(SYS_tgkill, getpid(), (pid_t)syscall(SYS_gettid), SIGUSR1), 0);
	CHECK_EQ(hits, 3);
	CHECK_EQ(last_info.si_code, SI_TKILL);
	CHECK_ERR(kill(getpid(), 65), EINVAL);
	CHECK_ERR(sigaction(SIGKILL, &(struct sigaction){ .sa_handler = SIG_IGN }, NULL), EINVAL);
	CHECK_ERR(sigaction(SIGSTOP, &(struct sigaction){ .sa_handler = SIG_IGN }, NULL), EINVAL);
	return 0;
}

/* ---- registers across an asynchronous handler ---- */

static volatile int reg_flag;

static void clobber_handler(int sig)
{
	/* Trash every caller-saved register and the SSE/x87 control state. */
	__asm__ volatile("pcmpeqd %%xmm0, %%xmm0\n\tpxor %%xmm7, %%xmm7\n\t"
			 "pcmpeqd %%xmm15, %%xmm15\n\tmovq $-1, %%r8\n\tmovq $-1, %%r9\n\t"
			 "movq $-1, %%r10\n\tmovq $-1, %%r11\n\tmovq $-1, %%rsi\n\t"
			 "movq $-1, %%rdi\n\tmovq $-1, %%rdx\n\tmovq $-1, %%rcx\n\t"
			 "fninit\n\t"
			 : : : "xmm0", "xmm7", "xmm15", "r8", "r9", "r10", "r11", "rsi", "rdi",
			   "rdx", "rcx", "memory");
	unsigned m = 0x1f80;

	__asm__ volatile("ldmxcsr %0" : : "m"(m));
	reg_flag = 1;
}

struct reg_block {
	uint64_t pat[3][2];	/* loaded into xmm0, xmm7, xmm15 */
	uint64_t out[9];	/* r8 r9 r10 r11 rsi rdi rdx rcx rax after the handler */
	uint64_t xout[3][2];
};

_Static_assert(offsetof(struct reg_block, out) == 48, "asm offsets");
_Static_assert(offsetof(struct reg_block, xout) == 120, "asm offsets");

static int case_registers_intact(void)
{
	static struct reg_block b = { .pat = {
		{ 0x0123456789abcdefULL, 0xfedcba9876543210ULL },
		{ 0x1111222233334444ULL, 0x5555666677778888ULL },
		{ 0x9999aaaabbbbccccULL, 0xddddeeeeffff0001ULL },
	} };
	static const uint64_t want[9] = {
		0x1000000000000008ULL, 0x1000000000000009ULL, 0x100000000000000aULL,
		0x100000000000000bULL, 0x1000000000000051ULL, 0x1000000000000052ULL,
		0x1000000000000053ULL, 0x1000000000000054ULL, 0x1000000000000055ULL,
	};
	unsigned mx_in = 0x1f80 | 0x6000, mx_out = 0;	/* SSE: round toward zero */
	unsigned short cw_in = 0x0c7f, cw_out = 0;	/* x87: round toward zero */
	struct itimerval it = { { 0, 0 }, { 0, 20000 } };

	signal(SIGALRM, clobber_handler);
	reg_flag = 0;
	CHECK_EQ(setitimer(ITIMER_REAL, &it, NULL), 0);
	/* The timer fires while this loop spins: the signal arrives between two
	 * arbitrary instructions, not at a system call. */
	__asm__ volatile(
		"ldmxcsr %[mxi]\n\t"
		"fldcw %[cwi]\n\t"
		"movdqu 0(%%rbx), %%xmm0\n\t"
		"movdqu 16(%%rbx), %%xmm7\n\t"
		"movdqu 32(%%rbx), %%xmm15\n\t"
		"movabsq $0x1000000000000008, %%r8\n\t"
		"movabsq $0x1000000000000009, %%r9\n\t"
		"movabsq $0x100000000000000a, %%r10\n\t"
		"movabsq $0x100000000000000b, %%r11\n\t"
		"movabsq $0x1000000000000051, %%rsi\n\t"
		"movabsq $0x1000000000000052, %%rdi\n\t"
		"movabsq $0x1000000000000053, %%rdx\n\t"
		"movabsq $0x1000000000000054, %%rcx\n\t"
		"movabsq $0x1000000000000055, %%rax\n\t"
		"1:\n\t"
		"cmpl $0, %[flag]\n\t"
		"je 1b\n\t"
		"movq %%r8, 48(%%rbx)\n\t"
		"movq %%r9, 56(%%rbx)\n\t"
		"movq %%r10, 64(%%rbx)\n\t"
		"movq %%r11, 72(%%rbx)\n\t"
		"movq %%rsi, 80(%%rbx)\n\t"
		"movq %%rdi, 88(%%rbx)\n\t"
		"movq %%rdx, 96(%%rbx)\n\t"
		"movq %%rcx, 104(%%rbx)\n\t"
		"movq %%rax, 112(%%rbx)\n\t"
		"movdqu %%xmm0, 120(%%rbx)\n\t"
		"movdqu %%xmm7, 136(%%rbx)\n\t"
		"movdqu %%xmm15, 152(%%rbx)\n\t"
		"stmxcsr %[mxo]\n\t"
		"fnstcw %[cwo]\n\t"
		: [mxo] "=m"(mx_out), [cwo] "=m"(cw_out)
		: "b"(&b), [flag] "m"(reg_flag), [mxi] "m"(mx_in), [cwi] "m"(cw_in)
		: "xmm0", "xmm7", "xmm15", "r8", "r9", "r10", "r11", "rsi", "rdi", "rdx", "rcx",
		  "rax", "memory", "cc");
	for (int i = 0; i < 9; i++)
		CHECK_EQ(b.out[i], want[i]);
	CHECK(memcmp(b.xout, b.pat, sizeof(b.pat)) == 0);
	CHECK_EQ(mx_out & 0xffc0, mx_in & 0xffc0);
	CHECK_EQ(cw_out, cw_in);
	return 0;
}

/* ---- masks, pending, flags ---- */

static int case_mask_pending(void)
{
	sigset_t s, pend, old;

	CHECK_EQ(set_handler(SIGUSR1, on_info, 0), 0);
	CHECK_EQ(set_handler(SIGRTMIN, on_info, 0), 0);
	sigemptyset(&s);
	sigaddset(&s, SIGUSR1);
	sigaddset(&s, SIGRTMIN);
	CHECK_EQ(sigprocmask(SIG_BLOCK, &s, &old), 0);
	raise(SIGUSR1);
	raise(SIGUSR1);
	for (int i = 0; i < 3; i++)
		sigqueue(getpid(), SIGRTMIN, (union sigval){ .sival_int = i });
	CHECK_EQ(hits, 0);
	CHECK_EQ(sigpending(&pend), 0);
	CHECK(sigismember(&pend, SIGUSR1) && sigismember(&pend, SIGRTMIN));
	CHECK(!sigismember(&pend, SIGUSR2));
	CHECK_EQ(sigprocmask(SIG_SETMASK, &old, NULL), 0);
	/* One SIGUSR1 (standard signals do not queue), three SIGRTMIN. */
	CHECK_EQ(hits, 4);
	CHECK_EQ(rt_count, 3);
	CHECK(rt_values[0] == 0 && rt_values[1] == 1 && rt_values[2] == 2);
	sigpending(&pend);
	CHECK(!sigismember(&pend, SIGUSR1));

	/* SIGKILL and SIGSTOP cannot be blocked. */
	sigfillset(&s);
	sigprocmask(SIG_SETMASK, &s, NULL);
	sigprocmask(SIG_SETMASK, NULL, &pend);
	CHECK(!sigismember(&pend, SIGKILL) && !sigismember(&pend, SIGSTOP));
	CHECK(sigismember(&pend, SIGTERM));
	sigprocmask(SIG_SETMASK, &old, NULL);

	/* Ignoring a pending signal discards it. */
	sigprocmask(SIG_BLOCK, &s, NULL);
	raise(SIGUSR2);
	signal(SIGUSR2, SIG_IGN);
	sigpending(&pend);
	CHECK(!sigismember(&pend, SIGUSR2));
	sigprocmask(SIG_SETMASK, &old, NULL);
	return 0;
}

static volatile int in_handler_blocked = -1, nested;

static void check_self_blocked(int sig)
{
	sigset_t now;

	sigprocmask(SIG_BLOCK, NULL, &now);
	in_handler_blocked = sigismember(&now, sig);
	hits++;
	if (nested++ == 0)
		raise(sig);	/* with SA_NODEFER this nests at once */
}

static void check_usr2_blocked(int sig)
{
	sigset_t now;

	sigprocmask(SIG_BLOCK, NULL, &now);
	in_handler_blocked = sigismember(&now, SIGUSR2);
}

static void die_usr2(void) { raise(SIGUSR2); }

static int case_sa_flags(void)
{
	struct sigaction sa, cur;
	int s;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = check_self_blocked;
	sigaction(SIGUSR1, &sa, NULL);
	raise(SIGUSR1);
	CHECK_EQ(in_handler_blocked, 1);	/* deferred: the second run followed the first */
	CHECK_EQ(hits, 2);

	hits = 0, nested = 0;
	sa.sa_flags = SA_NODEFER;
	sigaction(SIGUSR1, &sa, NULL);
	raise(SIGUSR1);
	CHECK_EQ(hits, 2);
	CHECK_EQ(in_handler_blocked, 0);

	/* SA_RESETHAND: the action is back to SIG_DFL after one delivery. */
	hits = 0;
	sa.sa_handler = SIG_DFL;
	sa.sa_sigaction = on_info;
	sa.sa_flags = SA_SIGINFO | SA_RESETHAND;
	sigaction(SIGUSR2, &sa, NULL);
	raise(SIGUSR2);
	CHECK_EQ(hits, 1);
	sigaction(SIGUSR2, NULL, &cur);
	CHECK(cur.sa_handler == SIG_DFL);
	s = status_of(die_usr2);
	CHECK(WIFSIGNALED(s) && WTERMSIG(s) == SIGUSR2);

	/* sa_mask is added while the handler runs, and removed after. */
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = check_usr2_blocked;
	sigaddset(&sa.sa_mask, SIGUSR2);
	sigaction(SIGTERM, &sa, NULL);
	raise(SIGTERM);
	CHECK_EQ(in_handler_blocked, 1);
	sigset_t now;

	sigprocmask(SIG_BLOCK, NULL, &now);
	CHECK(!sigismember(&now, SIGUSR2));
	return 0;
}

static char altstack[65536] __attribute__((aligned(16)));
static volatile uintptr_t handler_sp;
static volatile int handler_onstack;

static void on_alt(int sig)
{
	stack_t now;
	int local;

	handler_sp = (uintptr_t)&local;
	sigaltstack(NULL, &now);
	handler_onstack = now.ss_flags;
}

static int case_altstack(void)
{
	stack_t ss = { .ss_sp = altstack, .ss_size = sizeof(altstack), .ss_flags = 0 }, old;
	struct sigaction sa;

	CHECK_EQ(sigaltstack(&ss, &old), 0);
	CHECK_EQ(old.ss_flags, SS_DISABLE);
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_alt;
	sa.sa_flags = SA_ONSTACK;
	sigaction(SIGUSR1, &sa, NULL);
	raise(SIGUSR1);
	CHECK(handler_sp > (uintptr_t)altstack && handler_sp < (uintptr_t)altstack + sizeof(altstack));
	CHECK_EQ(handler_onstack, SS_ONSTACK);
	sigaltstack(NULL, &old);
	CHECK_EQ(old.ss_flags, 0);
	ss.ss_size = 100;
	CHECK_ERR(sigaltstack(&ss, NULL), ENOMEM);
	ss.ss_flags = 77;
	ss.ss_size = sizeof(altstack);
	CHECK_ERR(sigaltstack(&ss, NULL), EINVAL);
	return 0;
}

static void on_plain(int sig) { hits++; last_sig = sig; }

static int case_suspend_wait(void)
{
	sigset_t s, empty, now;
	siginfo_t si;
	struct timespec ts = { 0, 20 * 1000 * 1000 };

	signal(SIGUSR1, on_plain);
	sigemptyset(&s);
	sigaddset(&s, SIGUSR1);
	sigprocmask(SIG_BLOCK, &s, NULL);
	raise(SIGUSR1);
	CHECK_EQ(hits, 0);
	sigemptyset(&empty);
	CHECK_ERR(sigsuspend(&empty), EINTR);
	CHECK_EQ(hits, 1);
	sigprocmask(SIG_BLOCK, NULL, &now);
	CHECK(sigismember(&now, SIGUSR1));	/* the old mask is back */

	/* sigtimedwait takes a blocked signal without running the handler. */
	sigqueue(getpid(), SIGUSR1, (union sigval){ .sival_int = 9 });
	CHECK_EQ(sigtimedwait(&s, &si, &ts), SIGUSR1);
	CHECK_EQ(si.si_code, SI_QUEUE);
	CHECK_EQ(si.si_value.sival_int, 9);
	CHECK_EQ(hits, 1);
	CHECK_ERR(sigtimedwait(&s, &si, &ts), EAGAIN);
	return 0;
}

/* ---- interrupted calls ---- */

static void arm_ms(long ms)
{
	struct itimerval it = { { 0, 0 }, { ms / 1000, (ms % 1000) * 1000 } };

	setitimer(ITIMER_REAL, &it, NULL);
}

static int case_eintr_restart(void)
{
	struct sigaction sa;
	int status;
	pid_t kid;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_plain;
	sigaction(SIGALRM, &sa, NULL);

	/* Without SA_RESTART wait is interrupted... */
	kid = fork();
	if (kid == 0) {
		tap_sleep_ms(300);
		_exit(7);
	}
	arm_ms(30);
	CHECK_ERR(waitpid(kid, &status, 0), EINTR);
	CHECK_EQ(hits, 1);

	/* ...with SA_RESTART it goes on and collects the child. */
	sa.sa_flags = SA_RESTART;
	sigaction(SIGALRM, &sa, NULL);
	arm_ms(30);
	CHECK_EQ(waitpid(kid, &status, 0), kid);
	CHECK_EQ(hits, 2);
	CHECK(WIFEXITED(status) && WEXITSTATUS(status) == 7);

	/* nanosleep is never restarted after a handler: EINTR with the time left. */
	struct timespec req = { 2, 0 }, rem = { 0, 0 };

	arm_ms(30);
	CHECK_ERR(nanosleep(&req, &rem), EINTR);
	CHECK(rem.tv_sec == 1 || rem.tv_sec == 0);
	CHECK(rem.tv_sec * 1000000000L + rem.tv_nsec > 1000000000L);
	CHECK_EQ(hits, 3);

	/* pause returns on a handled signal. */
	arm_ms(20);
	CHECK_ERR(pause(), EINTR);
	CHECK_EQ(hits, 4);
	return 0;
}

/* A stop and continue in the middle of a nanosleep: no handler, so it resumes. */
static int case_sleep_survives_stop(void)
{
	pid_t kid = fork();
	int status;

	if (kid == 0) {
		struct timespec req = { 0, 300 * 1000 * 1000 };
		long long t0 = tap_now_ms();

		if (nanosleep(&req, NULL) != 0)
			_exit(1);
		_exit(tap_now_ms() - t0 >= 290 ? 0 : 2);
	}
	tap_sleep_ms(50);
	CHECK_EQ(kill(kid, SIGSTOP), 0);
	CHECK_EQ(waitpid(kid, &status, WUNTRACED), kid);
	CHECK(WIFSTOPPED(status) && WSTOPSIG(status) == SIGSTOP);
	CHECK_EQ(kill(kid, SIGCONT), 0);
	CHECK_EQ(waitpid(kid, &status, 0), kid);
	CHECK(WIFEXITED(status) && WEXITSTATUS(status) == 0);
	return 0;
}

/* ---- timers ---- */

static int case_timers(void)
{
	struct itimerval it = { { 0, 0 }, { 5, 0 } }, got;

	alarm(0);	/* the harness's per-case alarm */
	CHECK_EQ(alarm(10), 0);
	CHECK_EQ(alarm(0), 10);
	CHECK_EQ(setitimer(ITIMER_REAL, &it, NULL), 0);
	CHECK_EQ(getitimer(ITIMER_REAL, &got), 0);
	CHECK(got.it_value.tv_sec == 4 || got.it_value.tv_sec == 5);
	memset(&it, 0, sizeof(it));
	CHECK_EQ(setitimer(ITIMER_REAL, &it, &got), 0);
	CHECK(got.it_value.tv_sec >= 4);
	CHECK_ERR(setitimer(7, &it, NULL), EINVAL);

	/* ITIMER_VIRTUAL runs on user CPU time only. */
	signal(SIGVTALRM, on_plain);
	it.it_value.tv_usec = 50000;
	CHECK_EQ(setitimer(ITIMER_VIRTUAL, &it, NULL), 0);
	long long t0 = tap_now_ms();

	while (!hits && tap_now_ms() - t0 < 20000)
		;
	CHECK_EQ(hits, 1);
	CHECK_EQ(last_sig, SIGVTALRM);
	return 0;
}

#define WAKE_ROUNDS	5000

static void on_usr1(int sig)
{
	(void)sig;
}

/* A signal sent just as its target goes to sleep in sigsuspend(2) wakes it:
 * none is lost between the kernel's look for pending signals and the sleep.
 * The child acknowledges each SIGUSR1 and suspends again; the sender waits
 * a different short while each round, so that some sends land in that
 * moment. SIGUSR1 stays blocked outside sigsuspend, so an early one waits. */
static int case_wake_at_sleep(void)
{
	sigset_t usr1, none;
	int ack[2], lost = -1;
	pid_t pid;

	sigemptyset(&usr1);
	sigaddset(&usr1, SIGUSR1);
	sigemptyset(&none);
	CHECK_EQ(pipe(ack), 0);
	CHECK_EQ(sigprocmask(SIG_BLOCK, &usr1, NULL), 0);
	pid = fork();
	if (pid == 0) {
		struct sigaction sa = { .sa_handler = on_usr1 };

		if (sigaction(SIGUSR1, &sa, NULL) != 0)
			_exit(1);
		for (;;) {
			if (write(ack[1], "a", 1) != 1)
				_exit(1);
			sigsuspend(&none);
		}
	}
	CHECK(pid > 0);
	for (int i = 0; i < WAKE_ROUNDS; i++) {
		struct pollfd pfd = { .fd = ack[0], .events = POLLIN };
		char c;

		/* The previous round's signal was taken, or it was lost. */
		if (poll(&pfd, 1, 2000) != 1 || read(ack[0], &c, 1) != 1) {
			lost = i;
			break;
		}
		for (volatile int d = 0; d < (i * 37) % 4000; d++)
			;
		if (kill(pid, SIGUSR1) != 0) {
			lost = i;
			break;
		}
	}
	kill(pid, SIGKILL);
	CHECK_EQ(waitpid(pid, NULL, 0), pid);
	if (lost >= 0)
		tap_diag("round %d: SIGUSR1 not taken within 2 s", lost);
	CHECK_EQ(lost, -1);
	return 0;
}

int main(void)
{
	tap_plan(13);
	run_case("fatal signals in the wait status", case_fatal_status);
	run_case("core flag with RLIMIT_CORE", case_core_flag);
	run_case("SIGSEGV/SIGFPE/SIGILL handlers see si_addr and si_code", case_segv_info);
	run_case("handler siginfo for kill, sigqueue, tgkill", case_handler_info);
	run_case("registers and FPU state survive an async handler", case_registers_intact);
	run_case("masks, pending sets, queued real-time signals", case_mask_pending);
	run_case("SA_NODEFER, SA_RESETHAND, sa_mask", case_sa_flags);
	run_case("sigaltstack and SA_ONSTACK", case_altstack);
	run_case("sigsuspend and sigtimedwait", case_suspend_wait);
	run_case("EINTR versus SA_RESTART; nanosleep and pause", case_eintr_restart);
	run_case("a stopped nanosleep resumes after SIGCONT", case_sleep_survives_stop);
	run_case("alarm, setitimer, getitimer, ITIMER_VIRTUAL", case_timers);
	run_case("a signal sent as sigsuspend goes to sleep wakes it", case_wake_at_sleep);
	return tap_done();
}
