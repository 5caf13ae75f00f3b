/*
 * What a debugger needs besides the ptrace requests themselves (tests/guest/ptrace.c), as
 * gdb uses them: the user code and stack selectors Linux gives 64-bit programs (gdb takes
 * cs 0x33 for x86-64 and 0x23 for i386), hardware watchpoints through struct user's
 * u_debugreg (PTRACE_PEEKUSER/POKEUSER), /proc/PID/mem, and personality(2)'s
 * ADDR_NO_RANDOMIZE (gdb's "disable-randomization", on by default). Passes on Linux too.
 */
#define _GNU_SOURCE
#include <tap.h>
#include <sys/syscall.h>
#include <sys/mman.h>
#include <sys/uio.h>
#include <sys/personality.h>

#define PTRACE_TRACEME		0
#define PTRACE_PEEKUSER		3
#define PTRACE_POKEUSER		6
#define PTRACE_CONT		7
#define PTRACE_GETREGS		12
#define PTRACE_GETSIGINFO	0x4202

#define DEBUGREG(n)	(848 + (n) * 8)	/* offsetof(struct user, u_debugreg[n]) */
#define REG_CS_WORD	17		/* struct user_regs_struct: cs, ss */
#define REG_SS_WORD	20
#define NREGS		27
#define USER_CS		0x33		/* Linux's __USER_CS, __USER_DS */
#define USER_DS		0x2b
#define TRAP_HWBKPT	4
/* DR7: slot 0 on (L0), a write watchpoint (RW0 = 01), 4 bytes long (LEN0 = 11). */
#define DR7_W4_SLOT0	(1UL | 1UL << 16 | 3UL << 18)

static char self_path[256];
volatile int watched;	/* not static: the store below names it */
static volatile long mem_target = 0x1122334455667788L;

static long pt(long req, pid_t pid, unsigned long addr, unsigned long data)
{
	return syscall(SYS_ptrace, req, pid, addr, data);
}

static int wait_for(pid_t pid)
{
	int st = 0;

	if (waitpid(pid, &st, __WALL) != pid)
		return -1;
	return st;
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

static int child_selectors(void)
{
	unsigned short cs, ss;

	__asm__ volatile("mov %%cs, %0; mov %%ss, %1" : "=r"(cs), "=r"(ss));
	return cs == USER_CS && ss == USER_DS ? 0 : 1;
}

static int case_selectors(void)
{
	pid_t pid = traced_child(child_selectors);
	unsigned long regs[NREGS];

	CHECK_EQ(wait_for(pid), (SIGSTOP << 8) | 0x7f);
	CHECK_EQ(pt(PTRACE_GETREGS, pid, 0, (unsigned long)regs), 0);
	CHECK_EQ(regs[REG_CS_WORD], USER_CS);
	CHECK_EQ(regs[REG_SS_WORD], USER_DS);
	CHECK_EQ(pt(PTRACE_CONT, pid, 0, 0), 0);
	int st = wait_for(pid);

	CHECK(WIFEXITED(st) && WEXITSTATUS(st) == 0);	/* the child saw them too */
	return 0;
}

static int child_writes_watched(void)
{
	watched = 42;
	watched = 43;
	return 0;
}

static int case_watchpoint(void)
{
	pid_t pid = traced_child(child_writes_watched);
	unsigned long word = 1;
	siginfo_t si;

	CHECK_EQ(wait_for(pid), (SIGSTOP << 8) | 0x7f);
	/* A new tracee has none: addresses 0, DR7 0, DR6 with only its fixed bits. */
	CHECK_EQ(pt(PTRACE_PEEKUSER, pid, DEBUGREG(0), (unsigned long)&word), 0);
	CHECK_EQ(word, 0);
	CHECK_EQ(pt(PTRACE_PEEKUSER, pid, DEBUGREG(7), (unsigned long)&word), 0);
	CHECK_EQ(word, 0);
	CHECK_EQ(pt(PTRACE_PEEKUSER, pid, DEBUGREG(6), (unsigned long)&word), 0);
	CHECK_EQ(word, 0xffff0ff0UL);
	CHECK_EQ(pt(PTRACE_POKEUSER, pid, DEBUGREG(0), (unsigned long)&watched), 0);
	CHECK_EQ(pt(PTRACE_POKEUSER, pid, DEBUGREG(7), DR7_W4_SLOT0), 0);
	CHECK_EQ(pt(PTRACE_PEEKUSER, pid, DEBUGREG(0), (unsigned long)&word), 0);
	CHECK_EQ(word, (unsigned long)&watched);
	CHECK_EQ(pt(PTRACE_PEEKUSER, pid, DEBUGREG(7), (unsigned long)&word), 0);
	CHECK_EQ(word, DR7_W4_SLOT0);
	/* The first write traps after it is done: SIGTRAP, TRAP_HWBKPT, DR6's B0. */
	CHECK_EQ(pt(PTRACE_CONT, pid, 0, 0), 0);
	CHECK_EQ(wait_for(pid), (SIGTRAP << 8) | 0x7f);
	CHECK_EQ(pt(PTRACE_GETSIGINFO, pid, 0, (unsigned long)&si), 0);
	CHECK_EQ(si.si_signo, SIGTRAP);
	CHECK_EQ(si.si_code, TRAP_HWBKPT);
	CHECK_EQ(pt(PTRACE_PEEKUSER, pid, DEBUGREG(6), (unsigned long)&word), 0);
	CHECK_EQ(word, 0xffff0ff1UL);
	CHECK_EQ(pt(2 /* PEEKDATA */, pid, (unsigned long)&watched, (unsigned long)&word), 0);
	CHECK_EQ((int)word, 42);
	/* DR6 is the tracer's to clear; the second write traps again. */
	CHECK_EQ(pt(PTRACE_POKEUSER, pid, DEBUGREG(6), 0), 0);
	CHECK_EQ(pt(PTRACE_PEEKUSER, pid, DEBUGREG(6), (unsigned long)&word), 0);
	CHECK_EQ(word, 0);
	CHECK_EQ(pt(PTRACE_CONT, pid, 0, 0), 0);
	CHECK_EQ(wait_for(pid), (SIGTRAP << 8) | 0x7f);
	CHECK_EQ(pt(2, pid, (unsigned long)&watched, (unsigned long)&word), 0);
	CHECK_EQ((int)word, 43);
	/* Off again: the child runs to its end. */
	CHECK_EQ(pt(PTRACE_POKEUSER, pid, DEBUGREG(7), 0), 0);
	CHECK_EQ(pt(PTRACE_CONT, pid, 0, 0), 0);
	int st = wait_for(pid);

	CHECK(WIFEXITED(st) && WEXITSTATUS(st) == 0);
	return 0;
}

static int child_reads_into_watched(void)
{
	int p[2], v = 0x01020304;

	if (pipe(p) || write(p[1], &v, sizeof(v)) != sizeof(v))
		return 2;
	if (read(p[0], (int *)&watched, sizeof(v)) != sizeof(v))
		return 3;
	return watched == 0x01020304 ? 0 : 1;
}

static int case_kernel_write_to_watched(void)
{
	pid_t pid = traced_child(child_reads_into_watched);

	CHECK_EQ(wait_for(pid), (SIGSTOP << 8) | 0x7f);
	CHECK_EQ(pt(PTRACE_POKEUSER, pid, DEBUGREG(0), (unsigned long)&watched), 0);
	CHECK_EQ(pt(PTRACE_POKEUSER, pid, DEBUGREG(7), DR7_W4_SLOT0), 0);
	CHECK_EQ(pt(PTRACE_CONT, pid, 0, 0), 0);
	int st = wait_for(pid);

	CHECK(WIFEXITED(st) && WEXITSTATUS(st) == 0);
	return 0;
}

static int child_pause(void);

/* Has the kernel turned XSAVE on for user programs (CPUID.1:ECX.OSXSAVE)? */
static bool osxsave(void)
{
	unsigned a = 1, b, c = 0, d;

	__asm__ volatile("cpuid" : "+a"(a), "=b"(b), "+c"(c), "=d"(d));
	return c & (1u << 27);
}

/* gdb asks for the XSAVE area to learn which registers there are: on a kernel that has
 * XSAVE on, the area (longer than the 512-byte FXSAVE image); else ENODEV, as Linux says
 * on a CPU without it. */
static int case_xstate_regset(void)
{
	pid_t pid = traced_child(child_pause);
	unsigned char area[4096] __attribute__((aligned(64)));
	struct iovec iov = { area, sizeof(area) };

	CHECK_EQ(wait_for(pid), (SIGSTOP << 8) | 0x7f);
	if (osxsave()) {
		CHECK_EQ(pt(0x4204 /* GETREGSET */, pid, 0x202, (unsigned long)&iov), 0);
		CHECK(iov.iov_len > 512);
	} else {
		CHECK_ERR(pt(0x4204, pid, 0x202, (unsigned long)&iov), ENODEV);
	}
	kill(pid, SIGKILL);
	wait_for(pid);
	return 0;
}

static int child_pause(void)
{
	for (;;)
		pause();
	return 0;
}

/* One store to the watched word, for a tracer to single-step onto. */
__asm__(".pushsection .text\n"
	".globl dbg_store, dbg_store_end\n"
	"dbg_store: movl $7, watched(%rip)\n"
	"dbg_store_end: ud2\n"
	".popsection\n");
extern char dbg_store[], dbg_store_end[];

static int case_step_onto_watchpoint(void)
{
	pid_t pid = traced_child(child_pause);
	unsigned long word = 0;
	siginfo_t si;

	CHECK_EQ(wait_for(pid), (SIGSTOP << 8) | 0x7f);
	CHECK_EQ(pt(PTRACE_POKEUSER, pid, DEBUGREG(0), (unsigned long)&watched), 0);
	CHECK_EQ(pt(PTRACE_POKEUSER, pid, DEBUGREG(7), DR7_W4_SLOT0), 0);
	CHECK_EQ(pt(PTRACE_POKEUSER, pid, 16 * 8 /* rip */, (unsigned long)dbg_store), 0);
	/* The step and the watchpoint end the same instruction: one stop reports both. */
	CHECK_EQ(pt(9 /* SINGLESTEP */, pid, 0, 0), 0);
	CHECK_EQ(wait_for(pid), (SIGTRAP << 8) | 0x7f);
	CHECK_EQ(pt(PTRACE_GETSIGINFO, pid, 0, (unsigned long)&si), 0);
	CHECK_EQ(si.si_code, 2);	/* TRAP_TRACE */
	CHECK_EQ(pt(PTRACE_PEEKUSER, pid, DEBUGREG(6), (unsigned long)&word), 0);
	CHECK_EQ(word, 0xffff4ff1UL);	/* BS and B0 */
	CHECK_EQ(pt(PTRACE_PEEKUSER, pid, 16 * 8, (unsigned long)&word), 0);
	CHECK_EQ(word, (unsigned long)dbg_store_end);
	CHECK_EQ(pt(2 /* PEEKDATA */, pid, (unsigned long)&watched, (unsigned long)&word), 0);
	CHECK_EQ((int)word, 7);
	kill(pid, SIGKILL);
	int st = wait_for(pid);

	CHECK(WIFSIGNALED(st) && WTERMSIG(st) == SIGKILL);
	return 0;
}

static int case_debugreg_refusals(void)
{
	pid_t pid = traced_child(child_pause);
	unsigned long word = 0;

	CHECK_EQ(wait_for(pid), (SIGSTOP << 8) | 0x7f);
	/* A kernel address, an I/O breakpoint, a misaligned watchpoint, a long execute one. */
	CHECK_ERR(pt(PTRACE_POKEUSER, pid, DEBUGREG(1), 0xffff800000000000UL), EINVAL);
	CHECK_EQ(pt(PTRACE_POKEUSER, pid, DEBUGREG(0), (unsigned long)&watched), 0);
	CHECK_ERR(pt(PTRACE_POKEUSER, pid, DEBUGREG(7), 1UL | 2UL << 16), EINVAL);
	CHECK_ERR(pt(PTRACE_POKEUSER, pid, DEBUGREG(7), 1UL | 3UL << 18), EINVAL);
	CHECK_EQ(pt(PTRACE_POKEUSER, pid, DEBUGREG(2), (unsigned long)&watched + 1), 0);
	CHECK_ERR(pt(PTRACE_POKEUSER, pid, DEBUGREG(7), 0x10UL | 1UL << 24 | 3UL << 26), EINVAL);
	/* Nothing of the refused writes stuck. */
	CHECK_EQ(pt(PTRACE_PEEKUSER, pid, DEBUGREG(7), (unsigned long)&word), 0);
	CHECK_EQ(word, 0);
	/* DR4 and DR5 do not exist to a tracer. */
	CHECK_ERR(pt(PTRACE_POKEUSER, pid, DEBUGREG(4), 0), EIO);
	CHECK_ERR(pt(PTRACE_POKEUSER, pid, DEBUGREG(5), 0), EIO);
	kill(pid, SIGKILL);
	wait_for(pid);
	return 0;
}

static int child_check_mem(void)
{
	/* The tracer rewrote the word through /proc/PID/mem. */
	return mem_target == 0x0102030405060708L ? 0 : 1;
}

static void text_probe(void) __attribute__((noinline));
static void text_probe(void)
{
	__asm__ volatile("nop; nop; nop; nop; nop; nop; nop; nop");
}

static int case_proc_mem(void)
{
	pid_t pid = traced_child(child_check_mem);
	char path[64];
	long word = 0, orig = 0;
	int fd;

	CHECK_EQ(wait_for(pid), (SIGSTOP << 8) | 0x7f);
	snprintf(path, sizeof(path), "/proc/%d/mem", (int)pid);
	fd = open(path, O_RDWR);
	CHECK(fd >= 0);
	CHECK_EQ(pread(fd, &word, sizeof(word), (off_t)&mem_target), sizeof(word));
	CHECK_EQ(word, 0x1122334455667788L);
	word = 0x0102030405060708L;
	CHECK_EQ(pwrite(fd, &word, sizeof(word), (off_t)&mem_target), sizeof(word));
	CHECK_EQ(mem_target, 0x1122334455667788L);	/* ours is untouched */
	/* Read-only text is writable through it (a private copy), as for POKETEXT. */
	off_t at = (off_t)(unsigned long)text_probe;

	CHECK_EQ(pread(fd, &orig, sizeof(orig), at), sizeof(orig));
	word = orig ^ 0xff;
	CHECK_EQ(pwrite(fd, &word, sizeof(word), at), sizeof(word));
	CHECK_EQ(pread(fd, &word, sizeof(word), at), sizeof(word));
	CHECK_EQ(word, orig ^ 0xff);
	CHECK_EQ(*(volatile long *)text_probe, orig);
	CHECK_EQ(pwrite(fd, &orig, sizeof(orig), at), sizeof(orig));
	/* Nothing mapped at 4096: EIO. */
	CHECK_ERR(pread(fd, &word, sizeof(word), 4096), EIO);
	CHECK_ERR(pwrite(fd, &word, sizeof(word), 4096), EIO);
	/* A read that runs off the end of a mapping stops there. */
	char *two = mmap(NULL, 2 * 4096, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS,
			 -1, 0);
	char buf[64];
	int self = open("/proc/self/mem", O_RDONLY);

	CHECK(two != MAP_FAILED && self >= 0);
	CHECK_EQ(munmap(two + 4096, 4096), 0);
	memset(two + 4096 - 16, 'x', 16);
	CHECK_EQ(pread(self, buf, sizeof(buf), (off_t)(two + 4096 - 16)), 16);
	CHECK(memcmp(buf, "xxxxxxxxxxxxxxxx", 16) == 0);
	close(self);
	close(fd);
	CHECK_EQ(pt(PTRACE_CONT, pid, 0, 0), 0);
	int st = wait_for(pid);

	CHECK(WIFEXITED(st) && WEXITSTATUS(st) == 0);
	return 0;
}

/* Run this program with "mmap-addr": the address of its first anonymous mapping. */
static unsigned long exec_mmap_addr(void)
{
	char *argv[] = { self_path, "mmap-addr", NULL };
	unsigned long addr = 0;
	int p[2];

	if (pipe(p))
		return 0;
	pid_t pid = fork();

	if (pid == 0) {
		dup2(p[1], 1);
		execv(self_path, argv);
		_exit(127);
	}
	close(p[1]);
	if (read(p[0], &addr, sizeof(addr)) != sizeof(addr))
		addr = 0;
	close(p[0]);
	wait_for(pid);
	return addr;
}

static int case_personality(void)
{
	CHECK_EQ(personality(0xffffffff), PER_LINUX);
	/* With randomisation two runs differ (by chance alike once in 2^28). */
	unsigned long a = exec_mmap_addr(), b = exec_mmap_addr();

	CHECK(a != 0 && b != 0 && a != b);
	CHECK_EQ(personality(ADDR_NO_RANDOMIZE), PER_LINUX);
	CHECK_EQ(personality(0xffffffff), ADDR_NO_RANDOMIZE);
	/* Inherited by fork, kept by exec: the same address every time. */
	pid_t pid = fork();

	if (pid == 0)
		_exit(personality(0xffffffff) == ADDR_NO_RANDOMIZE ? 0 : 1);
	int st = wait_for(pid);

	CHECK(WIFEXITED(st) && WEXITSTATUS(st) == 0);
	a = exec_mmap_addr();
	b = exec_mmap_addr();
	CHECK(a != 0 && a == b);
	CHECK_EQ(personality(PER_LINUX), ADDR_NO_RANDOMIZE);
	return 0;
}

int main(int argc, char **argv)
{
	if (argc == 2 && strcmp(argv[1], "mmap-addr") == 0) {
		void *m = mmap(NULL, 4096, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
		unsigned long addr = (unsigned long)m;

		return write(1, &addr, sizeof(addr)) == sizeof(addr) ? 0 : 1;
	}
	snprintf(self_path, sizeof(self_path), "%s", argv[0]);
	if (self_path[0] != '/') {
		char cwd[200];

		if (getcwd(cwd, sizeof(cwd)))
			snprintf(self_path, sizeof(self_path), "%s/%s", cwd, argv[0]);
	}
	tap_plan(8);
	run_case("user selectors are Linux's: cs 0x33, ss 0x2b (gdb's x86-64 test)",
		 case_selectors);
	run_case("hardware watchpoint through u_debugreg: SIGTRAP, TRAP_HWBKPT, DR6",
		 case_watchpoint);
	run_case("a watched word written by the kernel (read(2) into it): no stop",
		 case_kernel_write_to_watched);
	run_case("a single step onto a watched store: one SIGTRAP, DR6 has BS and B0",
		 case_step_onto_watchpoint);
	run_case("debug registers refused as on Linux: kernel address, I/O, misaligned, DR4",
		 case_debugreg_refusals);
	run_case("GETREGSET NT_X86_XSTATE: the area when XSAVE is on, else ENODEV",
		 case_xstate_regset);
	run_case("/proc/PID/mem: read, write, read-only text, EIO, a short read",
		 case_proc_mem);
	run_case("personality ADDR_NO_RANDOMIZE: inherited, kept by exec, no random layout",
		 case_personality);
	return tap_done();
}
