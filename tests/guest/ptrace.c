/*
 * ptrace(2): tracing stops as wait(2) reports them, the requests a debugger or strace makes,
 * and process_vm_readv(2)/process_vm_writev(2). Each case's process is the tracer; its tracees
 * are children (TRACEME, ATTACH, SEIZE) or grandchildren (auto-attached by TRACEFORK). Exact
 * statuses and event messages are asserted, as Linux encodes them: a stop is
 * (code << 8) | 0x7f, with the signal in bits 8-15 (SIGTRAP | 0x80 for syscall stops under
 * TRACESYSGOOD) and a PTRACE_EVENT_* in bits 16-23.
 *
 * Raw system calls throughout (syscall(SYS_ptrace, ...)): PEEK requests store the word at the
 * data address, which is the kernel's interface whatever the libc wrapper makes of it.
 */
#define _GNU_SOURCE
#include <tap.h>
#include <sys/syscall.h>
#include <sys/uio.h>
#include <sys/prctl.h>
#include <pthread.h>

#define PTRACE_TRACEME		0
#define PTRACE_PEEKTEXT		1
#define PTRACE_PEEKDATA		2
#define PTRACE_PEEKUSER		3
#define PTRACE_POKETEXT		4
#define PTRACE_POKEDATA		5
#define PTRACE_POKEUSER		6
#define PTRACE_CONT		7
#define PTRACE_SINGLESTEP	9
#define PTRACE_GETREGS		12
#define PTRACE_SETREGS		13
#define PTRACE_GETFPREGS	14
#define PTRACE_SETFPREGS	15
#define PTRACE_ATTACH		16
#define PTRACE_DETACH		17
#define PTRACE_SYSCALL		24
#define PTRACE_SETOPTIONS	0x4200
#define PTRACE_GETEVENTMSG	0x4201
#define PTRACE_GETSIGINFO	0x4202
#define PTRACE_SETSIGINFO	0x4203
#define PTRACE_GETREGSET	0x4204
#define PTRACE_SETREGSET	0x4205
#define PTRACE_SEIZE		0x4206
#define PTRACE_INTERRUPT	0x4207
#define PTRACE_LISTEN		0x4208
#define PTRACE_GET_SYSCALL_INFO	0x420e

#define O_TRACESYSGOOD		0x01
#define O_TRACEFORK		0x02
#define O_TRACEVFORK		0x04
#define O_TRACECLONE		0x08
#define O_TRACEEXEC		0x10
#define O_TRACEVFORKDONE	0x20
#define O_TRACEEXIT		0x40
#define O_EXITKILL		0x100000

#define EV_FORK		1
#define EV_VFORK	2
#define EV_CLONE	3
#define EV_EXEC		4
#define EV_VFORK_DONE	5
#define EV_EXIT		6
#define EV_STOP		128

/* struct user_regs_struct, word indices */
enum { R15, R14, R13, R12, RBP, RBX, R11, R10, R9, R8, RAX, RCX, RDX, RSI, RDI, ORIG_RAX, RIP,
       CS, EFLAGS, RSP, SS, FS_BASE, GS_BASE, DS, ES, FS, GS, NREGS };
#define USER_DEBUGREG7	(848 + 7 * 8)	/* offsetof(struct user, u_debugreg[7]) */

struct syscall_info {
	uint8_t op;
	uint8_t pad[3];
	uint32_t arch;
	uint64_t ip, sp;
	union {
		struct { uint64_t nr, args[6]; } entry;
		struct { int64_t rval; uint8_t is_error; } exit;
		uint64_t raw[8];
	};
};

static char self_path[256];
static volatile long poke_target = 0x1122334455667788L;

static long pt(long req, pid_t pid, unsigned long addr, unsigned long data)
{
	return syscall(SYS_ptrace, req, pid, addr, data);
}

/* Wait for @pid (any kind of child or tracee); the status, or -1. */
static int wait_for(pid_t pid)
{
	int st = 0;

	if (waitpid(pid, &st, __WALL) != pid)
		return -1;
	return st;
}

static int stop_code(int st)
{
	return WIFSTOPPED(st) ? (st >> 8) & 0xffff : -1;
}

/* A child that stops itself for its tracer (TRACEME, then SIGSTOP) and then runs @fn. */
static pid_t traced_child(int (*fn)(void))
{
	pid_t pid = fork();

	if (pid == 0) {
		if (pt(PTRACE_TRACEME, 0, 0, 0) != 0)
			_exit(90);
		raise(SIGSTOP);
		_exit(fn());
	}
	return pid;
}

static int child_pause(void)
{
	for (;;)
		pause();
	return 0;
}

/* Read /proc/PID/status's field @key into @out (its value). */
static bool proc_status_field(pid_t pid, const char *key, char *out, size_t len)
{
	char path[64], buf[4096];
	ssize_t n;

	snprintf(path, sizeof(path), "/proc/%d/status", (int)pid);
	n = tap_read_file(path, buf, sizeof(buf) - 1);
	if (n <= 0)
		return false;
	buf[n] = '\0';
	char *p = strstr(buf, key);

	if (!p)
		return false;
	p += strlen(key);
	while (*p == '\t' || *p == ' ')
		p++;
	size_t i = 0;

	while (p[i] && p[i] != '\n' && i + 1 < len) {
		out[i] = p[i];
		i++;
	}
	out[i] = '\0';
	return true;
}

static int case_traceme_exec(void)
{
	pid_t pid = fork();

	if (pid == 0) {
		char *argv[] = { self_path, "exit-with", "5", NULL };

		if (pt(PTRACE_TRACEME, 0, 0, 0) != 0)
			_exit(90);
		execv(self_path, argv);
		_exit(91);
	}
	int st = wait_for(pid);

	/* The traditional SIGTRAP after a successful execve. */
	CHECK_EQ(st, (SIGTRAP << 8) | 0x7f);
	siginfo_t si;

	CHECK_EQ(pt(PTRACE_GETSIGINFO, pid, 0, (unsigned long)&si), 0);
	CHECK_EQ(si.si_signo, SIGTRAP);
	CHECK_EQ(si.si_code, SI_USER);
	CHECK_EQ(pt(PTRACE_CONT, pid, 0, 0), 0);
	st = wait_for(pid);
	CHECK(WIFEXITED(st) && WEXITSTATUS(st) == 5);
	return 0;
}

static int case_attach_detach(void)
{
	pid_t pid = fork();
	char v[64];

	if (pid == 0)
		_exit(child_pause());
	CHECK_EQ(pt(PTRACE_ATTACH, pid, 0, 0), 0);
	CHECK_EQ(wait_for(pid), (SIGSTOP << 8) | 0x7f);
	CHECK(proc_status_field(pid, "TracerPid:", v, sizeof(v)));
	CHECK_EQ(atoi(v), getpid());
	CHECK(proc_status_field(pid, "State:", v, sizeof(v)));
	CHECK(strcmp(v, "t (tracing stop)") == 0);
	/* Not twice, and requests on a non-tracee fail with ESRCH. */
	CHECK_ERR(pt(PTRACE_ATTACH, pid, 0, 0), EPERM);
	CHECK_ERR(pt(PTRACE_CONT, getpid(), 0, 0), ESRCH);
	CHECK_ERR(pt(PTRACE_ATTACH, getpid(), 0, 0), EPERM);
	CHECK_EQ(pt(PTRACE_DETACH, pid, 0, 0), 0);
	CHECK(proc_status_field(pid, "TracerPid:", v, sizeof(v)));
	CHECK_EQ(atoi(v), 0);
	CHECK_ERR(pt(PTRACE_CONT, pid, 0, 0), ESRCH);
	kill(pid, SIGKILL);
	int st = wait_for(pid);

	CHECK(WIFSIGNALED(st) && WTERMSIG(st) == SIGKILL);
	return 0;
}

static int case_seize_interrupt_listen(void)
{
	pid_t pid = fork();

	if (pid == 0)
		_exit(child_pause());
	CHECK_EQ(pt(PTRACE_SEIZE, pid, 0, O_EXITKILL), 0);
	CHECK_ERR(pt(PTRACE_CONT, pid, 0, 0), ESRCH);	/* running: not stopped */
	CHECK_EQ(pt(PTRACE_INTERRUPT, pid, 0, 0), 0);
	CHECK_EQ(stop_code(wait_for(pid)), SIGTRAP | (EV_STOP << 8));
	CHECK_EQ(pt(PTRACE_CONT, pid, 0, 0), 0);
	kill(pid, SIGSTOP);
	CHECK_EQ(wait_for(pid), (SIGSTOP << 8) | 0x7f);	/* signal-delivery-stop */
	CHECK_EQ(pt(PTRACE_CONT, pid, 0, SIGSTOP), 0);
	CHECK_EQ(stop_code(wait_for(pid)), SIGSTOP | (EV_STOP << 8));	/* group-stop */
	CHECK_EQ(pt(PTRACE_LISTEN, pid, 0, 0), 0);
	kill(pid, SIGCONT);
	CHECK_EQ(stop_code(wait_for(pid)), SIGTRAP | (EV_STOP << 8));
	CHECK_EQ(pt(PTRACE_CONT, pid, 0, 0), 0);
	CHECK_EQ(wait_for(pid), (SIGCONT << 8) | 0x7f);
	/* SIGKILL always works, stopped or not. */
	kill(pid, SIGKILL);
	int st = wait_for(pid);

	CHECK(WIFSIGNALED(st) && WTERMSIG(st) == SIGKILL);
	return 0;
}

static int child_syscalls(void)
{
	long me = syscall(SYS_getpid);
	long skipped = syscall(SYS_getppid);	/* the tracer skips it and makes it 4242 */

	return me == getpid() && skipped == 4242 ? 0 : 1;
}

/* Resume with PTRACE_SYSCALL until the syscall-entry stop of @nr. */
static bool run_to_entry(pid_t pid, long nr)
{
	unsigned long regs[NREGS], msg = 0;

	for (int i = 0; i < 200; i++) {
		if (pt(PTRACE_SYSCALL, pid, 0, 0) != 0)
			return false;
		int st = wait_for(pid);

		if (stop_code(st) != (SIGTRAP | 0x80))
			return false;
		pt(PTRACE_GETEVENTMSG, pid, 0, (unsigned long)&msg);
		pt(PTRACE_GETREGS, pid, 0, (unsigned long)regs);
		if (msg == 1 && (long)regs[ORIG_RAX] == nr)
			return true;
	}
	return false;
}

static int case_syscall_stops(void)
{
	pid_t pid = traced_child(child_syscalls);
	unsigned long regs[NREGS], msg = 0;
	struct syscall_info si;

	CHECK_EQ(wait_for(pid), (SIGSTOP << 8) | 0x7f);
	CHECK_EQ(pt(PTRACE_SETOPTIONS, pid, 0, O_TRACESYSGOOD | O_EXITKILL), 0);
	CHECK_ERR(pt(PTRACE_SETOPTIONS, pid, 0, 0x80000000UL), EINVAL);
	if (!CHECK(run_to_entry(pid, SYS_getpid)))
		return 1;
	CHECK_EQ(pt(PTRACE_GETREGS, pid, 0, (unsigned long)regs), 0);
	CHECK_EQ((long)regs[RAX], -ENOSYS);
	CHECK_EQ(pt(PTRACE_GETEVENTMSG, pid, 0, (unsigned long)&msg), 0);
	CHECK_EQ(msg, 1);
	memset(&si, 0, sizeof(si));
	CHECK_EQ(pt(PTRACE_GET_SYSCALL_INFO, pid, sizeof(si), (unsigned long)&si), 80);
	CHECK_EQ(si.op, 1);
	CHECK_EQ(si.arch, 0xc000003e);
	CHECK_EQ(si.entry.nr, SYS_getpid);
	CHECK_EQ(si.ip, regs[RIP]);
	CHECK_EQ(si.sp, regs[RSP]);
	siginfo_t sig;

	CHECK_EQ(pt(PTRACE_GETSIGINFO, pid, 0, (unsigned long)&sig), 0);
	CHECK_EQ(sig.si_signo, SIGTRAP);
	CHECK_EQ(sig.si_code, SIGTRAP | 0x80);
	/* The exit stop: rax holds the result. */
	CHECK_EQ(pt(PTRACE_SYSCALL, pid, 0, 0), 0);
	CHECK_EQ(wait_for(pid), ((SIGTRAP | 0x80) << 8) | 0x7f);
	CHECK_EQ(pt(PTRACE_GETEVENTMSG, pid, 0, (unsigned long)&msg), 0);
	CHECK_EQ(msg, 2);
	CHECK_EQ(pt(PTRACE_GETREGS, pid, 0, (unsigned long)regs), 0);
	CHECK_EQ((long)regs[RAX], pid);
	CHECK_EQ((long)regs[ORIG_RAX], SYS_getpid);
	memset(&si, 0, sizeof(si));
	CHECK_EQ(pt(PTRACE_GET_SYSCALL_INFO, pid, sizeof(si), (unsigned long)&si), 33);
	CHECK_EQ(si.op, 2);
	CHECK_EQ(si.exit.rval, pid);
	CHECK_EQ(si.exit.is_error, 0);
	/* Skip getppid: orig_rax -1 at entry, the result is whatever rax is then. */
	if (!CHECK(run_to_entry(pid, SYS_getppid)))
		return 1;
	CHECK_EQ(pt(PTRACE_GETREGS, pid, 0, (unsigned long)regs), 0);
	regs[ORIG_RAX] = (unsigned long)-1;
	regs[RAX] = 4242;
	CHECK_EQ(pt(PTRACE_SETREGS, pid, 0, (unsigned long)regs), 0);
	CHECK_EQ(pt(PTRACE_SYSCALL, pid, 0, 0), 0);
	CHECK_EQ(wait_for(pid), ((SIGTRAP | 0x80) << 8) | 0x7f);
	CHECK_EQ(pt(PTRACE_GETREGS, pid, 0, (unsigned long)regs), 0);
	CHECK_EQ((long)regs[RAX], 4242);
	CHECK_EQ(pt(PTRACE_CONT, pid, 0, 0), 0);
	int st = wait_for(pid);

	CHECK(WIFEXITED(st) && WEXITSTATUS(st) == 0);
	return 0;
}

static int case_registers(void)
{
	pid_t pid = traced_child(child_pause);
	unsigned long regs[NREGS], again[NREGS], bad[NREGS], word = 1;

	CHECK_EQ(wait_for(pid), (SIGSTOP << 8) | 0x7f);
	CHECK_EQ(pt(PTRACE_SETOPTIONS, pid, 0, O_EXITKILL), 0);
	CHECK_EQ(pt(PTRACE_GETREGS, pid, 0, (unsigned long)regs), 0);
	CHECK_EQ(pt(PTRACE_SETREGS, pid, 0, (unsigned long)regs), 0);
	CHECK_EQ(pt(PTRACE_GETREGS, pid, 0, (unsigned long)again), 0);
	CHECK(memcmp(regs, again, sizeof(regs)) == 0);
	/* PEEKUSER/POKEUSER on struct user: the registers, and debug registers read 0. */
	CHECK_EQ(pt(PTRACE_PEEKUSER, pid, RIP * 8, (unsigned long)&word), 0);
	CHECK_EQ(word, regs[RIP]);
	CHECK_EQ(pt(PTRACE_PEEKUSER, pid, USER_DEBUGREG7, (unsigned long)&word), 0);
	CHECK_EQ(word, 0);
	CHECK_ERR(pt(PTRACE_PEEKUSER, pid, 3, (unsigned long)&word), EIO);
	CHECK_EQ(pt(PTRACE_POKEUSER, pid, R12 * 8, 0x5a5a5a5aUL), 0);
	CHECK_EQ(pt(PTRACE_GETREGS, pid, 0, (unsigned long)again), 0);
	CHECK_EQ(again[R12], 0x5a5a5a5aUL);
	/* Refused as on Linux: bases outside user space, kernel selectors. */
	memcpy(bad, regs, sizeof(bad));
	bad[FS_BASE] = 0x800000000000UL;
	CHECK_ERR(pt(PTRACE_SETREGS, pid, 0, (unsigned long)bad), EIO);
	memcpy(bad, regs, sizeof(bad));
	bad[GS_BASE] = 0xffff800000000000UL;
	CHECK_ERR(pt(PTRACE_SETREGS, pid, 0, (unsigned long)bad), EIO);
	memcpy(bad, regs, sizeof(bad));
	bad[CS] = 0x10;
	CHECK_ERR(pt(PTRACE_SETREGS, pid, 0, (unsigned long)bad), EIO);
	memcpy(bad, regs, sizeof(bad));
	bad[SS] = 0x10;
	CHECK_ERR(pt(PTRACE_SETREGS, pid, 0, (unsigned long)bad), EIO);
	CHECK_ERR(pt(PTRACE_POKEUSER, pid, FS_BASE * 8, 0x800000000000UL), EIO);
	/* A valid FS base goes through and reads back. */
	CHECK_EQ(pt(PTRACE_POKEUSER, pid, GS_BASE * 8, 0x10000UL), 0);
	CHECK_EQ(pt(PTRACE_PEEKUSER, pid, GS_BASE * 8, (unsigned long)&word), 0);
	CHECK_EQ(word, 0x10000UL);
	/* Regsets: NT_PRSTATUS is user_regs_struct, NT_PRFPREG the FXSAVE image. */
	unsigned long rs[NREGS + 4];
	struct iovec iov = { rs, sizeof(rs) };

	CHECK_EQ(pt(PTRACE_GETREGSET, pid, 1, (unsigned long)&iov), 0);
	CHECK_EQ(iov.iov_len, NREGS * 8);
	CHECK_EQ(rs[RIP], regs[RIP]);
	iov.iov_len = 8;
	CHECK_EQ(pt(PTRACE_GETREGSET, pid, 1, (unsigned long)&iov), 0);
	CHECK_EQ(iov.iov_len, 8);
	unsigned char fp[512] __attribute__((aligned(16))), fp2[512] __attribute__((aligned(16)));

	CHECK_EQ(pt(PTRACE_GETFPREGS, pid, 0, (unsigned long)fp), 0);
	memset(fp + 160, 0xab, 16);	/* xmm0 */
	CHECK_EQ(pt(PTRACE_SETFPREGS, pid, 0, (unsigned long)fp), 0);
	iov.iov_base = fp2;
	iov.iov_len = sizeof(fp2);
	CHECK_EQ(pt(PTRACE_GETREGSET, pid, 2, (unsigned long)&iov), 0);
	CHECK_EQ(iov.iov_len, 512);
	CHECK(memcmp(fp + 160, fp2 + 160, 16) == 0);
	CHECK_ERR(pt(PTRACE_GETREGSET, pid, 0x4711, (unsigned long)&iov), EINVAL);
	/* SETREGSET NT_PRSTATUS round trip. */
	iov.iov_base = regs;
	iov.iov_len = sizeof(regs);
	CHECK_EQ(pt(PTRACE_SETREGSET, pid, 1, (unsigned long)&iov), 0);
	CHECK_EQ(pt(PTRACE_GETREGS, pid, 0, (unsigned long)again), 0);
	CHECK_EQ(again[R12], regs[R12]);
	kill(pid, SIGKILL);
	wait_for(pid);
	return 0;
}

static int child_check_poked(void)
{
	/* The tracer rewrote the word; exit 0 when we see what it wrote. */
	return poke_target == 0x0102030405060708L ? 0 : 1;
}

static void text_probe(void) __attribute__((noinline));
static void text_probe(void)
{
	__asm__ volatile("nop; nop; nop; nop; nop; nop; nop; nop");
}

static int case_peek_poke(void)
{
	pid_t pid = traced_child(child_check_poked);
	unsigned long word = 0, orig = 0;

	CHECK_EQ(wait_for(pid), (SIGSTOP << 8) | 0x7f);
	CHECK_EQ(pt(PTRACE_PEEKDATA, pid, (unsigned long)&poke_target, (unsigned long)&word), 0);
	CHECK_EQ(word, 0x1122334455667788UL);
	CHECK_EQ(pt(PTRACE_POKEDATA, pid, (unsigned long)&poke_target, 0x0102030405060708UL), 0);
	CHECK_EQ(poke_target, 0x1122334455667788L);	/* ours is untouched */
	/* Text is read-only to the program but not to its debugger; the file's page and
	 * ours stay as they were (a private copy). */
	unsigned long at = (unsigned long)text_probe;

	CHECK_EQ(pt(PTRACE_PEEKTEXT, pid, at, (unsigned long)&orig), 0);
	CHECK_EQ(pt(PTRACE_POKETEXT, pid, at, orig ^ 0xff), 0);
	CHECK_EQ(pt(PTRACE_PEEKTEXT, pid, at, (unsigned long)&word), 0);
	CHECK_EQ(word, orig ^ 0xff);
	CHECK_EQ(*(volatile unsigned long *)at, orig);
	CHECK_EQ(pt(PTRACE_POKETEXT, pid, at, orig), 0);
	CHECK_ERR(pt(PTRACE_PEEKDATA, pid, 0, (unsigned long)&word), EIO);
	CHECK_ERR(pt(PTRACE_POKEDATA, pid, 16, 0), EIO);
	CHECK_EQ(pt(PTRACE_CONT, pid, 0, 0), 0);
	int st = wait_for(pid);

	CHECK(WIFEXITED(st) && WEXITSTATUS(st) == 0);
	return 0;
}

static int case_process_vm(void)
{
	pid_t pid = fork();

	if (pid == 0) {
		poke_target = 0x0a0b0c0d0e0f1011L;
		for (int i = 0; i < 2000 && poke_target != 0x0102030405060708L; i++)
			tap_sleep_ms(5);
		_exit(poke_target == 0x0102030405060708L ? 0 : 1);
	}
	long got = 0, want = 0x0a0b0c0d0e0f1011L, put = 0x0102030405060708L;
	struct iovec local = { &got, sizeof(got) }, remote = { (void *)&poke_target, sizeof(got) };

	for (int i = 0; i < 400 && got != want; i++) {
		CHECK_EQ(process_vm_readv(pid, &local, 1, &remote, 1, 0), sizeof(got));
		if (got != want)
			tap_sleep_ms(5);
	}
	CHECK_EQ(got, want);
	CHECK_ERR(process_vm_readv(pid, &local, 1, &remote, 1, 1), EINVAL);
	struct iovec nowhere = { (void *)16, 8 };

	CHECK_ERR(process_vm_readv(pid, &local, 1, &nowhere, 1, 0), EFAULT);
	local.iov_base = &put;
	CHECK_EQ(process_vm_writev(pid, &local, 1, &remote, 1, 0), sizeof(put));
	int st = wait_for(pid);

	CHECK(WIFEXITED(st) && WEXITSTATUS(st) == 0);
	return 0;
}

static int child_forks(void)
{
	pid_t gc = fork();
	int st;

	if (gc == 0)
		_exit(3);
	if (waitpid(gc, &st, 0) != gc || !WIFEXITED(st))
		return 50;
	return WEXITSTATUS(st);
}

static int case_fork_events(void)
{
	pid_t pid = traced_child(child_forks);
	unsigned long msg = 0;

	CHECK_EQ(wait_for(pid), (SIGSTOP << 8) | 0x7f);
	CHECK_EQ(pt(PTRACE_SETOPTIONS, pid, 0, O_TRACEFORK | O_TRACEEXIT | O_EXITKILL), 0);
	CHECK_EQ(pt(PTRACE_CONT, pid, 0, 0), 0);
	CHECK_EQ(wait_for(pid), ((SIGTRAP | (EV_FORK << 8)) << 8) | 0x7f);
	CHECK_EQ(pt(PTRACE_GETEVENTMSG, pid, 0, (unsigned long)&msg), 0);
	pid_t gc = (pid_t)msg;

	CHECK(gc > 0);
	/* The new child is traced from its start: it stops with SIGSTOP. */
	CHECK_EQ(wait_for(gc), (SIGSTOP << 8) | 0x7f);
	CHECK_EQ(pt(PTRACE_CONT, gc, 0, 0), 0);
	CHECK_EQ(wait_for(gc), ((SIGTRAP | (EV_EXIT << 8)) << 8) | 0x7f);
	CHECK_EQ(pt(PTRACE_GETEVENTMSG, gc, 0, (unsigned long)&msg), 0);
	CHECK_EQ(msg, 3 << 8);
	CHECK_EQ(pt(PTRACE_CONT, gc, 0, 0), 0);
	/* The tracer, not the parent, collects the exit first... */
	int st = wait_for(gc);

	CHECK(WIFEXITED(st) && WEXITSTATUS(st) == 3);
	/* ...and the real parent still gets it: SIGCHLD (a tracee's signals, even those
	 * ignored by default, stop it first), then it exits with what it reaped. */
	CHECK_EQ(pt(PTRACE_CONT, pid, 0, 0), 0);
	CHECK_EQ(wait_for(pid), (SIGCHLD << 8) | 0x7f);
	CHECK_EQ(pt(PTRACE_CONT, pid, 0, 0), 0);
	CHECK_EQ(wait_for(pid), ((SIGTRAP | (EV_EXIT << 8)) << 8) | 0x7f);
	CHECK_EQ(pt(PTRACE_GETEVENTMSG, pid, 0, (unsigned long)&msg), 0);
	CHECK_EQ(msg, 3 << 8);
	CHECK_EQ(pt(PTRACE_CONT, pid, 0, 0), 0);
	st = wait_for(pid);
	CHECK(WIFEXITED(st) && WEXITSTATUS(st) == 3);
	return 0;
}

static int child_vfork_exec(void)
{
	pid_t gc = vfork();
	int st;

	if (gc == 0) {
		char *argv[] = { self_path, "exit-with", "4", NULL };

		execv(self_path, argv);
		_exit(60);
	}
	if (waitpid(gc, &st, 0) != gc || !WIFEXITED(st))
		return 50;
	return WEXITSTATUS(st);
}

static int case_vfork_exec_events(void)
{
	pid_t pid = traced_child(child_vfork_exec);
	unsigned long msg = 0;

	CHECK_EQ(wait_for(pid), (SIGSTOP << 8) | 0x7f);
	CHECK_EQ(pt(PTRACE_SETOPTIONS, pid, 0,
		    O_TRACEVFORK | O_TRACEVFORKDONE | O_TRACEEXEC | O_EXITKILL), 0);
	CHECK_EQ(pt(PTRACE_CONT, pid, 0, 0), 0);
	CHECK_EQ(wait_for(pid), ((SIGTRAP | (EV_VFORK << 8)) << 8) | 0x7f);
	CHECK_EQ(pt(PTRACE_GETEVENTMSG, pid, 0, (unsigned long)&msg), 0);
	pid_t gc = (pid_t)msg;

	CHECK_EQ(wait_for(gc), (SIGSTOP << 8) | 0x7f);
	CHECK_EQ(pt(PTRACE_CONT, gc, 0, 0), 0);
	CHECK_EQ(wait_for(gc), ((SIGTRAP | (EV_EXEC << 8)) << 8) | 0x7f);
	CHECK_EQ(pt(PTRACE_GETEVENTMSG, gc, 0, (unsigned long)&msg), 0);
	CHECK_EQ(msg, gc);
	CHECK_EQ(pt(PTRACE_CONT, pid, 0, 0), 0);
	CHECK_EQ(wait_for(pid), ((SIGTRAP | (EV_VFORK_DONE << 8)) << 8) | 0x7f);
	CHECK_EQ(pt(PTRACE_GETEVENTMSG, pid, 0, (unsigned long)&msg), 0);
	CHECK_EQ(msg, gc);
	CHECK_EQ(pt(PTRACE_CONT, gc, 0, 0), 0);
	int st = wait_for(gc);

	CHECK(WIFEXITED(st) && WEXITSTATUS(st) == 4);
	CHECK_EQ(pt(PTRACE_CONT, pid, 0, 0), 0);
	CHECK_EQ(wait_for(pid), (SIGCHLD << 8) | 0x7f);
	CHECK_EQ(pt(PTRACE_CONT, pid, 0, 0), 0);
	st = wait_for(pid);
	CHECK(WIFEXITED(st) && WEXITSTATUS(st) == 4);
	return 0;
}

static volatile sig_atomic_t got_usr1, got_usr2;

static void on_usr(int sig)
{
	if (sig == SIGUSR1)
		got_usr1 = 1;
	else
		got_usr2 = 1;
}

static int child_signals(void)
{
	/* Handlers installed before the stop (traced_child raised it after TRACEME). */
	for (int i = 0; i < 2000 && !got_usr2; i++)
		tap_sleep_ms(5);
	return got_usr2 && !got_usr1 ? 0 : 1;
}

static int case_signal_injection(void)
{
	signal(SIGUSR1, on_usr);
	signal(SIGUSR2, on_usr);
	pid_t pid = traced_child(child_signals);
	siginfo_t si;

	CHECK_EQ(wait_for(pid), (SIGSTOP << 8) | 0x7f);
	CHECK_EQ(pt(PTRACE_SETOPTIONS, pid, 0, O_EXITKILL), 0);
	CHECK_EQ(pt(PTRACE_CONT, pid, 0, 0), 0);
	kill(pid, SIGUSR1);
	CHECK_EQ(wait_for(pid), (SIGUSR1 << 8) | 0x7f);
	CHECK_EQ(pt(PTRACE_GETSIGINFO, pid, 0, (unsigned long)&si), 0);
	CHECK_EQ(si.si_signo, SIGUSR1);
	CHECK_EQ(si.si_code, SI_USER);
	CHECK_EQ(si.si_pid, getpid());
	si.si_errno = 7;
	CHECK_EQ(pt(PTRACE_SETSIGINFO, pid, 0, (unsigned long)&si), 0);
	memset(&si, 0, sizeof(si));
	CHECK_EQ(pt(PTRACE_GETSIGINFO, pid, 0, (unsigned long)&si), 0);
	CHECK_EQ(si.si_errno, 7);
	/* Resume with another signal: SIGUSR2 is delivered instead of SIGUSR1. */
	CHECK_EQ(pt(PTRACE_CONT, pid, 0, SIGUSR2), 0);
	CHECK_ERR(pt(PTRACE_CONT, pid, 0, 1000), ESRCH);	/* running again */
	int st = wait_for(pid);

	CHECK(WIFEXITED(st) && WEXITSTATUS(st) == 0);
	return 0;
}

static int case_singlestep(void)
{
	pid_t pid = traced_child(child_pause);
	unsigned long regs[NREGS], last;
	siginfo_t si;

	CHECK_EQ(wait_for(pid), (SIGSTOP << 8) | 0x7f);
	CHECK_EQ(pt(PTRACE_SETOPTIONS, pid, 0, O_EXITKILL), 0);
	CHECK_EQ(pt(PTRACE_GETREGS, pid, 0, (unsigned long)regs), 0);
	last = regs[RIP];
	for (int i = 0; i < 3; i++) {
		CHECK_EQ(pt(PTRACE_SINGLESTEP, pid, 0, 0), 0);
		CHECK_EQ(wait_for(pid), (SIGTRAP << 8) | 0x7f);
		CHECK_EQ(pt(PTRACE_GETSIGINFO, pid, 0, (unsigned long)&si), 0);
		CHECK_EQ(si.si_signo, SIGTRAP);
		CHECK_EQ(si.si_code, 2);	/* TRAP_TRACE */
		CHECK_EQ(pt(PTRACE_GETREGS, pid, 0, (unsigned long)regs), 0);
		CHECK(regs[RIP] != last);
		last = regs[RIP];
	}
	kill(pid, SIGKILL);
	int st = wait_for(pid);

	CHECK(WIFSIGNALED(st) && WTERMSIG(st) == SIGKILL);
	return 0;
}

static int case_permissions(void)
{
	pid_t victim = fork();

	if (victim == 0) {
		if (setresuid(1000, 1000, 1000) != 0)
			_exit(2);
		_exit(child_pause());
	}
	pid_t tracer = fork();

	if (tracer == 0) {
		int rc = 0;

		if (setresuid(1001, 1001, 1001) != 0)
			_exit(2);
		if (pt(PTRACE_ATTACH, victim, 0, 0) != -1 || errno != EPERM)
			rc |= 4;
		if (pt(PTRACE_SEIZE, victim, 0, 0) != -1 || errno != EPERM)
			rc |= 8;
		long w;
		struct iovec l = { &w, 8 }, r = { &w, 8 };

		if (process_vm_readv(victim, &l, 1, &r, 1, 0) != -1 || errno != EPERM)
			rc |= 16;
		/* Same uid, but not dumpable: refused; dumpable again: allowed. */
		pid_t own = fork();

		if (own == 0) {
			prctl(PR_SET_DUMPABLE, 0);
			kill(getpid(), SIGSTOP);
			prctl(PR_SET_DUMPABLE, 1);
			_exit(child_pause());
		}
		int st;

		waitpid(own, &st, WUNTRACED);
		if (pt(PTRACE_SEIZE, own, 0, O_EXITKILL) != -1 || errno != EPERM)
			rc |= 32;
		kill(own, SIGCONT);
		for (int i = 0; i < 200; i++) {
			if (pt(PTRACE_SEIZE, own, 0, O_EXITKILL) == 0)
				break;
			if (i == 199)
				rc |= 64;
			tap_sleep_ms(5);
		}
		kill(own, SIGKILL);
		_exit(rc);
	}
	int st = wait_for(tracer);

	CHECK(WIFEXITED(st));
	CHECK_EQ(WEXITSTATUS(st), 0);
	kill(victim, SIGKILL);
	wait_for(victim);
	return 0;
}

/* The tracer's end: with EXITKILL its tracee dies; without, the tracee is let go. */
static int case_tracer_exit(void)
{
	pid_t v1 = fork(), v2;
	char st_buf[64];

	if (v1 == 0)
		_exit(child_pause());
	v2 = fork();
	if (v2 == 0)
		_exit(child_pause());
	pid_t t = fork();

	if (t == 0) {
		if (pt(PTRACE_SEIZE, v1, 0, O_EXITKILL) != 0 || pt(PTRACE_SEIZE, v2, 0, 0) != 0)
			_exit(1);
		if (pt(PTRACE_INTERRUPT, v2, 0, 0) != 0 ||
		    stop_code(wait_for(v2)) != (SIGTRAP | (EV_STOP << 8)))
			_exit(2);
		_exit(0);
	}
	int st = wait_for(t);

	CHECK(WIFEXITED(st) && WEXITSTATUS(st) == 0);
	st = wait_for(v1);
	CHECK(WIFSIGNALED(st) && WTERMSIG(st) == SIGKILL);
	/* v2 runs on, untraced (back in its pause). */
	bool free = false;

	for (int i = 0; i < 400 && !free; i++) {
		free = proc_status_field(v2, "TracerPid:", st_buf, sizeof(st_buf)) &&
		       atoi(st_buf) == 0 &&
		       proc_status_field(v2, "State:", st_buf, sizeof(st_buf)) && st_buf[0] == 'S';
		if (!free)
			tap_sleep_ms(5);
	}
	CHECK(free);
	CHECK_EQ(waitpid(v2, &st, WNOHANG), 0);
	kill(v2, SIGTERM);
	st = wait_for(v2);
	CHECK(WIFSIGNALED(st) && WTERMSIG(st) == SIGTERM);
	return 0;
}

/* Run @path (set-user-ID to uid 1000) as uid 1001, traced by the caller or not; its
 * effective uid's low byte comes back as the exit status. */
static int setid_run(const char *path, bool traced)
{
	pid_t pid = fork();

	if (pid == 0) {
		char *argv[] = { (char *)path, "euid", NULL };

		if (traced && pt(PTRACE_TRACEME, 0, 0, 0) != 0)
			_exit(90);
		execv(path, argv);
		_exit(91);
	}
	int st = wait_for(pid);

	if (traced) {
		if (st != ((SIGTRAP << 8) | 0x7f))
			return -1;
		pt(PTRACE_CONT, pid, 0, 0);
		st = wait_for(pid);
	}
	return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}

static int case_setid_exec(void)
{
	char path[256], buf[1 << 16];
	int fd = open(self_path, O_RDONLY), out;
	ssize_t n;

	tap_tmppath(path, sizeof(path), "ptrace-setuid");
	unlink(path);
	out = open(path, O_WRONLY | O_CREAT | O_EXCL, 0755);
	if (!CHECK(fd >= 0 && out >= 0))
		return 1;
	while ((n = read(fd, buf, sizeof(buf))) > 0)
		CHECK_EQ(write(out, buf, n), n);
	close(fd);
	close(out);
	CHECK_EQ(chown(path, 1000, 1000), 0);
	CHECK_EQ(chmod(path, 04755), 0);
	pid_t c = fork();

	if (c == 0) {
		if (setresuid(1001, 1001, 1001) != 0)
			_exit(2);
		int plain = setid_run(path, false), traced = setid_run(path, true);

		if (plain != (1000 & 0xff))
			_exit(plain == (1001 & 0xff) ? TAP_SKIP_STATUS : 3);
		_exit(traced == (1001 & 0xff) ? 0 : 4);
	}
	int st = wait_for(c);

	unlink(path);
	if (WIFEXITED(st) && WEXITSTATUS(st) == TAP_SKIP_STATUS) {
		tap_diag("set-user-ID bits have no effect in %s here (nosuid)", tap_tmpdir());
		return TAP_SKIP_STATUS;
	}
	CHECK(WIFEXITED(st));
	CHECK_EQ(WEXITSTATUS(st), 0);
	return 0;
}

/* Hostile pointers and sizes to every request on a stopped tracee: errors, never a crash. */
static int case_hostile(void)
{
	static const unsigned long bad[] = {
		0, 1, 16, 0xffff800000000000UL, 0x800000000000UL, 0xfffffffffffff000UL,
		0x7ffffffff000UL, ~0UL,
	};
	static const long reqs[] = {
		PTRACE_PEEKTEXT, PTRACE_PEEKDATA, PTRACE_PEEKUSER, PTRACE_POKETEXT, PTRACE_POKEDATA,
		PTRACE_POKEUSER, PTRACE_GETREGS, PTRACE_SETREGS, PTRACE_GETFPREGS, PTRACE_SETFPREGS,
		PTRACE_GETSIGINFO, PTRACE_SETSIGINFO, PTRACE_GETREGSET, PTRACE_SETREGSET,
		PTRACE_GETEVENTMSG, PTRACE_GET_SYSCALL_INFO, 0x4242, -1,
	};
	pid_t pid = traced_child(child_pause);

	CHECK_EQ(wait_for(pid), (SIGSTOP << 8) | 0x7f);
	CHECK_EQ(pt(PTRACE_SETOPTIONS, pid, 0, O_EXITKILL), 0);
	CHECK_ERR(pt(PTRACE_GETREGS, pid, 0, bad[3]), EFAULT);
	CHECK_ERR(pt(PTRACE_GETFPREGS, pid, 0, bad[4]), EFAULT);
	CHECK_ERR(pt(PTRACE_PEEKDATA, pid, (unsigned long)&poke_target, bad[3]), EFAULT);
	CHECK_ERR(pt(PTRACE_GETREGSET, pid, 1, bad[5]), EFAULT);
	CHECK_ERR(pt(PTRACE_GET_SYSCALL_INFO, pid, 88, bad[3]), EFAULT);
	CHECK_ERR(pt(PTRACE_GETEVENTMSG, pid, 0, bad[4]), EFAULT);
	for (size_t r = 0; r < sizeof(reqs) / sizeof(reqs[0]); r++)
		for (size_t a = 0; a < sizeof(bad) / sizeof(bad[0]); a++)
			for (size_t d = 0; d < sizeof(bad) / sizeof(bad[0]); d++)
				pt(reqs[r], pid, bad[a], bad[d]);
	/* Still our stopped tracee, and SIGKILL still ends it. */
	CHECK_EQ(pt(PTRACE_GETEVENTMSG, pid, 0, (unsigned long)&poke_target), 0);
	kill(pid, SIGKILL);
	int st = wait_for(pid);

	CHECK(WIFSIGNALED(st) && WTERMSIG(st) == SIGKILL);
	return 0;
}

static int child_stop_then_pause(void)
{
	raise(SIGSTOP);
	return child_pause();
}

/* strace starts its command this way: the child stops itself, the tracer seizes it while
 * it is stopped (the stop is reported at once), sends SIGCONT and resumes it. */
static int case_seize_stopped(void)
{
	pid_t pid = fork();
	int st = 0;

	if (pid == 0)
		_exit(child_stop_then_pause());
	CHECK_EQ(waitpid(pid, &st, WUNTRACED), pid);
	CHECK_EQ(st, (SIGSTOP << 8) | 0x7f);
	CHECK_EQ(pt(PTRACE_SEIZE, pid, 0, O_TRACESYSGOOD | O_EXITKILL), 0);
	CHECK_EQ(stop_code(wait_for(pid)), SIGSTOP | (EV_STOP << 8));
	kill(pid, SIGCONT);
	CHECK_EQ(pt(PTRACE_SYSCALL, pid, 0, 0), 0);
	/* SIGCONT makes a seized tracee trap to say so, then it is delivered. */
	CHECK_EQ(stop_code(wait_for(pid)), SIGTRAP | (EV_STOP << 8));
	/* raise() still has every signal blocked: SIGCONT waits for its sigprocmask, then
	 * the program goes on into pause(). */
	unsigned long regs[NREGS];
	bool cont_seen = false, at_pause = false;

	for (int i = 0; i < 20 && !at_pause; i++) {
		CHECK_EQ(pt(PTRACE_SYSCALL, pid, 0, 0), 0);
		st = wait_for(pid);
		if (st == ((SIGCONT << 8) | 0x7f)) {
			cont_seen = true;
			continue;
		}
		if (!CHECK_EQ(st, ((SIGTRAP | 0x80) << 8) | 0x7f))
			break;
		CHECK_EQ(pt(PTRACE_GETREGS, pid, 0, (unsigned long)regs), 0);
		at_pause = (long)regs[ORIG_RAX] == SYS_pause;
	}
	CHECK(cont_seen);
	CHECK(at_pause);
	kill(pid, SIGKILL);
	st = wait_for(pid);
	CHECK(WIFSIGNALED(st) && WTERMSIG(st) == SIGKILL);
	/* PTRACE_ATTACH to a stopped process: its stop is reported as SIGSTOP. */
	pid = fork();
	if (pid == 0)
		_exit(child_stop_then_pause());
	CHECK_EQ(waitpid(pid, &st, WUNTRACED), pid);
	CHECK_EQ(pt(PTRACE_ATTACH, pid, 0, 0), 0);
	CHECK_EQ(wait_for(pid), (SIGSTOP << 8) | 0x7f);
	kill(pid, SIGKILL);
	st = wait_for(pid);
	CHECK(WIFSIGNALED(st) && WTERMSIG(st) == SIGKILL);
	return 0;
}

static void *thread_body(void *arg)
{
	return arg;
}

static int child_thread(void)
{
	pthread_t th;
	void *ret = NULL;

	if (pthread_create(&th, NULL, thread_body, (void *)42) != 0)
		return 1;
	if (pthread_join(th, &ret) != 0 || ret != (void *)42)
		return 2;
	return 0;
}

/* TRACECLONE: a new thread is traced from its start, and its exit reaches the tracer. */
static int case_threads(void)
{
	pid_t pid = traced_child(child_thread);
	unsigned long msg = 0;

	CHECK_EQ(wait_for(pid), (SIGSTOP << 8) | 0x7f);
	CHECK_EQ(pt(PTRACE_SETOPTIONS, pid, 0, O_TRACECLONE | O_EXITKILL), 0);
	CHECK_EQ(pt(PTRACE_CONT, pid, 0, 0), 0);
	CHECK_EQ(wait_for(pid), ((SIGTRAP | (EV_CLONE << 8)) << 8) | 0x7f);
	CHECK_EQ(pt(PTRACE_GETEVENTMSG, pid, 0, (unsigned long)&msg), 0);
	pid_t tid = (pid_t)msg;

	CHECK(tid > 0 && tid != pid);
	CHECK_EQ(wait_for(tid), (SIGSTOP << 8) | 0x7f);
	CHECK_EQ(pt(PTRACE_CONT, tid, 0, 0), 0);
	CHECK_EQ(pt(PTRACE_CONT, pid, 0, 0), 0);
	int st = wait_for(tid);

	CHECK(WIFEXITED(st) && WEXITSTATUS(st) == 0);
	st = wait_for(pid);
	CHECK(WIFEXITED(st) && WEXITSTATUS(st) == 0);
	return 0;
}

/* The attach check uses the caller's real ids (PTRACE_MODE_ATTACH_REALCREDS). */
static int case_realcreds(void)
{
	pid_t victim = fork();

	if (victim == 0) {
		if (setresuid(1000, 1000, 1000) != 0)
			_exit(2);
		prctl(PR_SET_DUMPABLE, 1);	/* the uid change cleared it */
		_exit(child_pause());
	}
	int rc[2];

	for (int i = 0; i < 2; i++) {
		pid_t t = fork();

		if (t == 0) {
			if (setresuid(i ? 1000 : 1001, 1000, 1000) != 0)
				_exit(2);
			for (int k = 0; k < 200; k++) {
				if (pt(PTRACE_SEIZE, victim, 0, 0) == 0)
					_exit(0);
				if (errno != EPERM)
					_exit(3);
				tap_sleep_ms(5);	/* until the victim's prctl */
			}
			_exit(1);
		}
		int st = wait_for(t);

		rc[i] = WIFEXITED(st) ? WEXITSTATUS(st) : -1;
	}
	CHECK_EQ(rc[0], 1);	/* real uid 1001: refused though the effective uid is 1000 */
	CHECK_EQ(rc[1], 0);
	kill(victim, SIGKILL);
	wait_for(victim);
	return 0;
}

static volatile pid_t worker_tid;

static void *worker(void *arg)
{
	worker_tid = (pid_t)syscall(SYS_gettid);
	for (;;)
		pause();
	return arg;
}

/* A thread other than the leader is attached by its tid and reports by it. */
static int case_seize_thread(void)
{
	int fds[2];

	CHECK_EQ(pipe(fds), 0);
	pid_t pid = fork();

	if (pid == 0) {
		pthread_t th;

		if (pthread_create(&th, NULL, worker, NULL) != 0)
			_exit(1);
		while (!worker_tid)
			tap_sleep_ms(1);
		pid_t tid = worker_tid;

		if (write(fds[1], &tid, sizeof(tid)) != sizeof(tid))
			_exit(1);
		_exit(child_pause());
	}
	pid_t tid = 0;

	CHECK_EQ(read(fds[0], &tid, sizeof(tid)), sizeof(tid));
	CHECK(tid > 0 && tid != pid);
	CHECK_EQ(pt(PTRACE_SEIZE, tid, 0, O_EXITKILL), 0);
	CHECK_EQ(pt(PTRACE_INTERRUPT, tid, 0, 0), 0);
	int st = wait_for(tid);

	CHECK_EQ(stop_code(st), SIGTRAP | (EV_STOP << 8));
	char v[64];

	CHECK(proc_status_field(pid, "TracerPid:", v, sizeof(v)));
	CHECK_EQ(atoi(v), 0);	/* the leader is not traced */
	kill(pid, SIGKILL);
	/* The tracer collects the thread's end first, then the parent the process's. */
	st = wait_for(tid);
	CHECK(WIFSIGNALED(st) && WTERMSIG(st) == SIGKILL);
	st = wait_for(pid);
	CHECK(WIFSIGNALED(st) && WTERMSIG(st) == SIGKILL);
	return 0;
}

/* Detached in a group stop, a process stays stopped until SIGCONT. */
static int case_detach_in_group_stop(void)
{
	pid_t pid = fork();
	char v[64];

	if (pid == 0)
		_exit(child_pause());
	CHECK_EQ(pt(PTRACE_SEIZE, pid, 0, O_EXITKILL), 0);
	kill(pid, SIGSTOP);
	CHECK_EQ(wait_for(pid), (SIGSTOP << 8) | 0x7f);
	CHECK_EQ(pt(PTRACE_CONT, pid, 0, SIGSTOP), 0);
	CHECK_EQ(stop_code(wait_for(pid)), SIGSTOP | (EV_STOP << 8));
	CHECK_EQ(pt(PTRACE_DETACH, pid, 0, 0), 0);
	tap_sleep_ms(50);
	CHECK(proc_status_field(pid, "State:", v, sizeof(v)));
	CHECK(strcmp(v, "T (stopped)") == 0);
	kill(pid, SIGCONT);
	bool running = false;

	for (int i = 0; i < 400 && !running; i++) {
		running = proc_status_field(pid, "State:", v, sizeof(v)) && v[0] == 'S';
		if (!running)
			tap_sleep_ms(5);
	}
	CHECK(running);
	kill(pid, SIGKILL);
	int st = wait_for(pid);

	CHECK(WIFSIGNALED(st) && WTERMSIG(st) == SIGKILL);
	return 0;
}

int main(int argc, char **argv)
{
	if (argc == 3 && strcmp(argv[1], "exit-with") == 0)
		return atoi(argv[2]);
	if (argc == 2 && strcmp(argv[1], "euid") == 0)
		return (int)(geteuid() & 0xff);
	/* What tools/test.py's strace check traces (on Sprout and on Linux): fork, exec of
	 * this file, exit 7, wait. */
	if (argc == 2 && strcmp(argv[1], "fork-exec-wait") == 0) {
		char *args[] = { argv[0], "exit-with", "7", NULL };
		int st = 0;
		sigset_t chld;
		pid_t pid;

		/*
		 * SIGCHLD blocked: under strace its delivery would land before or after the
		 * wait4 line depending on who runs first, and the strace difftest compares
		 * the lines in order.
		 */
		sigemptyset(&chld);
		sigaddset(&chld, SIGCHLD);
		sigprocmask(SIG_BLOCK, &chld, NULL);
		pid = fork();

		if (pid == 0) {
			execv(argv[0], args);
			_exit(127);
		}
		return waitpid(pid, &st, 0) == pid && WIFEXITED(st) && WEXITSTATUS(st) == 7 ? 0 : 1;
	}
	snprintf(self_path, sizeof(self_path), "%s", argv[0]);
	if (self_path[0] != '/') {
		char cwd[200];

		if (getcwd(cwd, sizeof(cwd)))
			snprintf(self_path, sizeof(self_path), "%s/%s", cwd, argv[0]);
	}
	tap_plan(20);
	run_case("TRACEME: SIGTRAP after execve, then the exit", case_traceme_exec);
	run_case("ATTACH stops with SIGSTOP; TracerPid, state t; DETACH", case_attach_detach);
	run_case("SEIZE, INTERRUPT, group-stop, LISTEN, SIGKILL", case_seize_interrupt_listen);
	run_case("PTRACE_SYSCALL: entry/exit stops, GET_SYSCALL_INFO, skipping a call",
		 case_syscall_stops);
	run_case("GETREGS/SETREGS/PEEKUSER/POKEUSER/regsets/FP round trips and refusals",
		 case_registers);
	run_case("PEEKDATA/POKEDATA, POKETEXT into read-only text", case_peek_poke);
	run_case("process_vm_readv/process_vm_writev", case_process_vm);
	run_case("TRACEFORK/TRACEEXIT: events, auto-attach, tracer reaps before parent",
		 case_fork_events);
	run_case("TRACEVFORK/VFORKDONE/TRACEEXEC events and messages", case_vfork_exec_events);
	run_case("signal-delivery-stop: GETSIGINFO, SETSIGINFO, another signal injected",
		 case_signal_injection);
	run_case("SINGLESTEP: one SIGTRAP (TRAP_TRACE) per instruction", case_singlestep);
	run_case("permission: other uid, non-dumpable refused; same uid allowed",
		 case_permissions);
	run_case("the tracer's exit: EXITKILL kills, otherwise the tracee runs on",
		 case_tracer_exit);
	run_case("a set-user-ID program exec'd under a non-root tracer: no privilege",
		 case_setid_exec);
	run_case("hostile pointers to every request: errors, the tracee still stopped",
		 case_hostile);
	run_case("SEIZE/ATTACH of a stopped process, SIGCONT's trap (strace's start)",
		 case_seize_stopped);
	run_case("TRACECLONE: a new thread traced from its start; its exit reported",
		 case_threads);
	run_case("permission: the caller's real uid counts, not its effective one",
		 case_realcreds);
	run_case("SEIZE and INTERRUPT of a thread by its tid", case_seize_thread);
	run_case("DETACH in a group stop: the process stays stopped until SIGCONT",
		 case_detach_in_group_stop);
	return tap_done();
}
