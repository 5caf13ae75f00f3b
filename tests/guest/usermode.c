/*
 * User mode trying what only the kernel may do, and signal delivery with nowhere to go. Each
 * attempt runs in its own child, which must end with the signal Linux sends (or carry on where
 * Linux lets it): int $N for every vector, privileged and system instructions, the trap flag
 * across a syscall, rt_sigreturn with crafted frames (kernel selectors, a non-canonical rip,
 * IOPL and other flags, bad FPU state, no frame at all), non-canonical stack pointers, runaway
 * signal recursion, alternate stacks too small for a frame, FS/GS bases outside user space, and
 * SSE registers across the page faults whose pages the kernel clears or copies.
 * A child that hangs is killed after CHILD_TIMEOUT_S and fails its case.
 */
#define _GNU_SOURCE
#include <tap.h>
#include <setjmp.h>
#include <ucontext.h>
#include <sched.h>
#include <sys/syscall.h>

#define CHILD_TIMEOUT_S	20
#define NONCANONICAL	0x0000800000000000UL
#define KERNEL_ADDR	0xffff800000000000UL
#define TF_FLAG		0x100UL

/*
 * Under QEMU's TCG (CPUID hypervisor signature "TCGTCGTCGTCG") two CPU behaviours differ from
 * hardware, and a kernel sees only what the CPU reports: a non-canonical stack reference
 * raises #GP instead of #SS (SIGSEGV instead of SIGBUS), icebp raises #UD (SIGILL instead
 * of SIGTRAP), and alignment checking (#AC) is not implemented at all.
 */
static bool on_tcg(void)
{
	unsigned a, b, c, d;
	char sig[13];

	__asm__ volatile("cpuid" : "=a"(a), "=b"(b), "=c"(c), "=d"(d) : "a"(1), "c"(0));
	if (!(c & (1u << 31)))
		return false;
	__asm__ volatile("cpuid" : "=a"(a), "=b"(b), "=c"(c), "=d"(d)
			 : "a"(0x40000000), "c"(0));
	memcpy(sig, &b, 4);
	memcpy(sig + 4, &c, 4);
	memcpy(sig + 8, &d, 4);
	sig[12] = '\0';
	return strcmp(sig, "TCGTCGTCGTCG") == 0;
}

static int status_of(void (*fn)(void))
{
	pid_t pid;

	fflush(NULL);
	pid = fork();
	if (pid == 0) {
		fn();
		_exit(0);
	}
	if (pid < 0)
		return -2;
	return tap_wait_bounded(pid, CHILD_TIMEOUT_S);
}

/* fn must end its child by signal @sig (0: exit status 0). */
static bool expect(const char *what, void (*fn)(void), int sig)
{
	char why[64];
	int st = status_of(fn);
	bool ok = sig ? (st >= 0 && WIFSIGNALED(st) && WTERMSIG(st) == sig) :
			(st >= 0 && WIFEXITED(st) && WEXITSTATUS(st) == 0);

	if (!ok) {
		tap_diag("%s: %s, expected %s %d", what, tap_status_str(st, why, sizeof(why)),
			 sig ? "signal" : "exit", sig);
		tap_case_failed = true;
	}
	return ok;
}

/* ---- int $N ---- */

/* 256 entries of 8 bytes: eax = 20 (getpid in the i386 table, harmless if int $0x80 is a
 * system call gate), int $N, ret. */
__asm__(".pushsection .text\n"
	".balign 16\n"
	"int_table:\n"
	".set vec, 0\n"
	".rept 256\n"
	"movl $20, %eax\n"
	".byte 0xcd, vec\n"
	"ret\n"
	".set vec, vec + 1\n"
	".endr\n"
	".popsection\n");
extern char int_table[];
static int int_vector;

static void do_int(void)
{
	((void (*)(void))(int_table + 8 * int_vector))();
}

static int case_int_every_vector(void)
{
	for (int v = 0; v < 256; v++) {
		char what[32];
		/* only #BP and #OF are open to ring 3; #OF gives SIGSEGV too */
		int want = v == 3 ? SIGTRAP : SIGSEGV;

		int_vector = v;
		snprintf(what, sizeof(what), "int $%#x", v);
		if (v == 0x80 && !tap_on_sprout()) {
			/* Linux with IA32 emulation runs an i386 system call here; without it,
			 * and on Sprout (no i386 ABI), it is #GP. */
			int st = status_of(do_int);

			if (!((WIFEXITED(st) && WEXITSTATUS(st) == 0) ||
			      (WIFSIGNALED(st) && WTERMSIG(st) == SIGSEGV)))
				expect(what, do_int, SIGSEGV);
			continue;
		}
		expect(what, do_int, want);
	}
	return 0;
}

/* ---- single instructions ---- */

#define INSN(name, text) static void name(void) { __asm__ volatile(text); }
INSN(i_hlt, "hlt")
INSN(i_cli, "cli")
INSN(i_sti, "sti")
INSN(i_in, "inb $0x80, %al")
INSN(i_out, "outb %al, $0x80")
INSN(i_rdmsr, "xor %ecx, %ecx; rdmsr")
INSN(i_wrmsr, "mov $0xc0000100, %ecx; xor %eax, %eax; xor %edx, %edx; wrmsr")
INSN(i_lgdt, "sub $16, %rsp; lgdt (%rsp); add $16, %rsp")
INSN(i_lidt, "sub $16, %rsp; lidt (%rsp); add $16, %rsp")
INSN(i_lldt, "xor %eax, %eax; lldt %ax")
INSN(i_ltr, "xor %eax, %eax; ltr %ax")
INSN(i_lmsw, "xor %eax, %eax; lmsw %ax")
INSN(i_rdcr0, "mov %cr0, %rax")
INSN(i_wrcr3, "xor %eax, %eax; mov %rax, %cr3")
INSN(i_rddr7, "mov %db7, %rax")
INSN(i_invlpg, "invlpg (%rsp)")
INSN(i_wbinvd, "wbinvd")
INSN(i_invd, "invd")
INSN(i_clts, "clts")
INSN(i_swapgs, "swapgs")
INSN(i_sysret, "sysretq")
/* iretq to the kernel's code segment (ring 0) */
INSN(i_iret_ring0, "mov %rsp, %rax; pushq $0x10; pushq %rax; pushfq; pushq $0x08;"
		   "lea 1f(%rip), %rcx; pushq %rcx; iretq; 1:")
INSN(i_ud2, "ud2")
INSN(i_into, ".byte 0xce")
INSN(i_lock_nop, ".byte 0xf0, 0x90")
INSN(i_int3, "int3")
INSN(i_icebp, ".byte 0xf1")
INSN(i_jmp_noncanonical, "movabs $0x0000800000000000, %rax; jmp *%rax")
INSN(i_jmp_kernel, "movabs $0xffffffff80000000, %rax; jmp *%rax")

static int case_privileged(void)
{
	static const struct { const char *what; void (*fn)(void); } gp[] = {
		{ "hlt", i_hlt }, { "cli", i_cli }, { "sti", i_sti }, { "in", i_in },
		{ "out", i_out }, { "rdmsr", i_rdmsr }, { "wrmsr", i_wrmsr },
		{ "lgdt", i_lgdt }, { "lidt", i_lidt }, { "lldt", i_lldt }, { "ltr", i_ltr },
		{ "lmsw", i_lmsw }, { "mov from cr0", i_rdcr0 }, { "mov to cr3", i_wrcr3 },
		{ "mov from dr7", i_rddr7 }, { "invlpg", i_invlpg }, { "wbinvd", i_wbinvd },
		{ "invd", i_invd }, { "clts", i_clts }, { "swapgs", i_swapgs },
		{ "sysretq", i_sysret }, { "iretq to ring 0", i_iret_ring0 },
		{ "jmp to a non-canonical rip", i_jmp_noncanonical },
		{ "jmp to a kernel address", i_jmp_kernel },
	};

	for (size_t i = 0; i < sizeof(gp) / sizeof(gp[0]); i++)
		expect(gp[i].what, gp[i].fn, SIGSEGV);
	return 0;
}

static char misaligned[64] __attribute__((aligned(16)));

/* With EFLAGS.AC set, a misaligned access raises #AC: SIGBUS. */
static void ac_misaligned(void)
{
	volatile int *q = (volatile int *)(misaligned + 1);

	__asm__ volatile("pushfq; orq $0x40000, (%%rsp); popfq" ::: "memory", "cc");
	*q = 5;
	__asm__ volatile("pushfq; andq $~0x40000, (%%rsp); popfq" ::: "memory", "cc");
}

static int case_traps_and_invalid(void)
{
	expect("misaligned store with EFLAGS.AC", ac_misaligned, on_tcg() ? 0 : SIGBUS);
	expect("ud2", i_ud2, SIGILL);
	expect("into (invalid in 64-bit mode)", i_into, SIGILL);
	expect("lock nop", i_lock_nop, SIGILL);
	expect("int3", i_int3, SIGTRAP);
	expect("icebp", i_icebp, on_tcg() ? SIGILL : SIGTRAP);
	return 0;
}

/* ---- the trap flag across a syscall ---- */

static void tf_syscall(void)
{
	/* The trap flag set by popfq takes effect after the syscall. */
	__asm__ volatile("movl $39, %%eax; pushfq; orq $0x100, (%%rsp); popfq; syscall; nop; nop"
			 ::: "rax", "rcx", "r11", "memory", "cc");
}

/* step_region: single-stepped from popfq to step_end, through a getpid syscall. */
__asm__(".pushsection .text\n"
	"step_region:\n"
	"movl $39, %eax\n"
	"pushfq\n"
	"orq $0x100, (%rsp)\n"
	"popfq\n"
	"syscall\n"
	"step_after_syscall:\n"
	"nop\n"
	"nop\n"
	"movq %rcx, %rcx\n"
	"step_end:\n"
	"nop\n"
	"ret\n"
	".popsection\n");
extern char step_region[], step_after_syscall[], step_end[];

#define MAX_STEPS	64
static volatile int steps, repeats;
static volatile uintptr_t step_rip[MAX_STEPS];

static void on_step(int sig, siginfo_t *si, void *ucv)
{
	ucontext_t *uc = ucv;
	uintptr_t rip = uc->uc_mcontext.gregs[REG_RIP];

	if (steps > 0 && step_rip[steps - 1] == rip)
		repeats++;
	if (steps < MAX_STEPS)
		step_rip[steps++] = rip;
	if (rip == (uintptr_t)step_end || steps >= MAX_STEPS || repeats > 3)
		uc->uc_mcontext.gregs[REG_EFL] &= ~TF_FLAG;
}

static void tf_step_handler(void)
{
	struct sigaction sa;

	memset(&sa, 0, sizeof(sa));
	sa.sa_sigaction = on_step;
	sa.sa_flags = SA_SIGINFO;
	sigaction(SIGTRAP, &sa, NULL);
	((void (*)(void))step_region)();
	bool past = false;

	for (int i = 0; i < steps; i++)
		if (step_rip[i] > (uintptr_t)step_after_syscall)
			past = true;
	if (repeats || steps >= MAX_STEPS || !past) {
		printf("# %d steps, %d repeats:", steps, repeats);
		for (int i = 0; i < steps && i < 12; i++)
			printf(" +%ld", (long)(step_rip[i] - (uintptr_t)step_region));
		printf("\n");
		_exit(1);
	}
	_exit(0);
}

static int case_trap_flag_syscall(void)
{
	expect("syscall with TF set, no handler", tf_syscall, SIGTRAP);
	expect("single-stepping through a syscall with a SIGTRAP handler", tf_step_handler, 0);
	return 0;
}

/* ---- rt_sigreturn with crafted frames ---- */

enum craft { CS_KERNEL8, CS_KERNEL10, SS_KERNEL8, SS_KERNEL10, RIP_NONCANONICAL,
	     RIP_KERNEL, EFLAGS_IOPL, FP_UNMAPPED, FP_MISALIGNED, FP_BAD_MXCSR,
	     RSP_NONCANONICAL, RSP_KERNEL };
static enum craft craft;

/* Where a crafted frame with a bad rsp returns to: the push uses the stack. */
__asm__(".pushsection .text\n"
	"push_stub:\n"
	"pushq $1\n"
	"ud2\n"
	".popsection\n");
extern char push_stub[];

/* greg REG_CSGSFS packs cs, gs, fs and ss (16 bits each, low to high). */
static void set_selector(ucontext_t *uc, int shift, unsigned sel)
{
	unsigned long long v = uc->uc_mcontext.gregs[REG_CSGSFS];

	v &= ~(0xffffULL << shift);
	v |= (unsigned long long)sel << shift;
	uc->uc_mcontext.gregs[REG_CSGSFS] = v;
}

static void on_craft(int sig, siginfo_t *si, void *ucv)
{
	ucontext_t *uc = ucv;
	unsigned char *fp = (unsigned char *)uc->uc_mcontext.fpregs;

	switch (craft) {
	case CS_KERNEL8: set_selector(uc, 0, 0x08); break;
	case CS_KERNEL10: set_selector(uc, 0, 0x10); break;
	case SS_KERNEL8: set_selector(uc, 48, 0x08); break;
	case SS_KERNEL10: set_selector(uc, 48, 0x10); break;
	case RIP_NONCANONICAL: uc->uc_mcontext.gregs[REG_RIP] = NONCANONICAL; break;
	case RIP_KERNEL: uc->uc_mcontext.gregs[REG_RIP] = 0xffffffff80000000UL; break;
	case EFLAGS_IOPL:
		/* IOPL 3, NT, VM, VIF, VIP: none of these may come back from a frame */
		uc->uc_mcontext.gregs[REG_EFL] |= 0x3000 | 0x4000 | 0x20000 | 0x80000 | 0x100000;
		break;
	case FP_UNMAPPED: uc->uc_mcontext.fpregs = tap_bad_ptr(0x1000); break;
	case FP_MISALIGNED: uc->uc_mcontext.fpregs = (void *)(fp + 8); break;
	case FP_BAD_MXCSR: *(unsigned *)(fp + 24) = 0xffffffffu; break;
	case RSP_NONCANONICAL:
	case RSP_KERNEL:
		uc->uc_mcontext.gregs[REG_RSP] =
			(craft == RSP_KERNEL ? KERNEL_ADDR : NONCANONICAL) + 8;
		uc->uc_mcontext.gregs[REG_RIP] = (greg_t)(uintptr_t)push_stub;
		break;
	}
}

static void crafted_return(void)
{
	struct sigaction sa;

	memset(&sa, 0, sizeof(sa));
	sa.sa_sigaction = on_craft;
	sa.sa_flags = SA_SIGINFO;
	sigaction(SIGUSR1, &sa, NULL);
	raise(SIGUSR1);
	if (craft == EFLAGS_IOPL) {
		unsigned long fl;

		__asm__ volatile("pushfq; popq %0" : "=r"(fl));
		if (fl & (0x3000 | 0x4000 | 0x20000 | 0x80000 | 0x100000))
			_exit(2);
		i_cli();	/* still not allowed: SIGSEGV */
	}
	_exit(0);
}

static void run_crafted(const char *what, enum craft c, int sig)
{
	craft = c;
	expect(what, crafted_return, sig);
}

/* rt_sigreturn with nothing valid where the frame should be. */
static char zero_frame[4096] __attribute__((aligned(64)));

static void sigreturn_unmapped(void)
{
	__asm__ volatile("movq $0x1000, %rsp; movl $15, %eax; syscall; ud2");
}

static void sigreturn_zero(void)
{
	__asm__ volatile("movq %0, %%rsp; movl $15, %%eax; syscall; ud2"
			 : : "r"(zero_frame + 2048) : "memory");
}

static int case_sigreturn_crafted(void)
{
	run_crafted("cs 0x08", CS_KERNEL8, SIGSEGV);
	run_crafted("cs 0x10", CS_KERNEL10, SIGSEGV);
	run_crafted("ss 0x08", SS_KERNEL8, SIGSEGV);
	run_crafted("ss 0x10", SS_KERNEL10, SIGSEGV);
	run_crafted("non-canonical rip", RIP_NONCANONICAL, SIGSEGV);
	run_crafted("kernel rip", RIP_KERNEL, SIGSEGV);
	run_crafted("IOPL/NT/VM/VIF/VIP are not restored", EFLAGS_IOPL, SIGSEGV);
	run_crafted("fpstate unmapped", FP_UNMAPPED, SIGSEGV);
	run_crafted("fpstate misaligned", FP_MISALIGNED, SIGSEGV);
	run_crafted("MXCSR reserved bits", FP_BAD_MXCSR, SIGSEGV);
	run_crafted("non-canonical rsp", RSP_NONCANONICAL, on_tcg() ? SIGSEGV : SIGBUS);
	run_crafted("kernel rsp", RSP_KERNEL, SIGSEGV);
	expect("rt_sigreturn with an unmapped frame", sigreturn_unmapped, SIGSEGV);
	expect("rt_sigreturn with a zeroed frame", sigreturn_zero, SIGSEGV);
	return 0;
}

/* ---- stack pointers ---- */

static sigjmp_buf jump;
static void on_jump(int sig) { siglongjmp(jump, sig); }

static void *guarded_stack(size_t usable, size_t *size_out)
{
	/* [guard page][usable bytes, rounded up to pages]; returns the start of usable */
	size_t len = (usable + 4095) & ~4095UL;
	char *m = mmap(NULL, len + 4096, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS,
		       -1, 0);

	if (m == MAP_FAILED)
		_exit(90);
	mprotect(m, 4096, PROT_NONE);
	if (size_out)
		*size_out = len;
	return m + 4096;
}

static void use_altstack(size_t size)
{
	size_t len;
	stack_t ss;

	ss.ss_sp = guarded_stack(size, &len);
	ss.ss_size = len;
	ss.ss_flags = 0;
	if (sigaltstack(&ss, NULL) != 0)
		_exit(91);
}

static void handle(int sig, void (*fn)(int), int flags)
{
	struct sigaction sa;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = fn;
	sa.sa_flags = flags;
	sigaction(sig, &sa, NULL);
}

/* push with rsp = @sp + 8, so that the store itself goes to @sp */
static void push_at(unsigned long sp)
{
	sp += 8;
	__asm__ volatile("mov %%rsp, %%rbx; mov %0, %%rsp; pushq $1; mov %%rbx, %%rsp"
			 : : "r"(sp) : "rbx", "memory");
}

static void rsp_noncanonical(void) { push_at(NONCANONICAL); }
static void rsp_kernel(void) { push_at(KERNEL_ADDR); }
static void rsp_noncanonical_bus_handler(void)
{
	handle(SIGBUS, on_jump, 0);
	push_at(NONCANONICAL);
}
static void rsp_noncanonical_all_handlers(void)
{
	handle(SIGBUS, on_jump, 0);
	handle(SIGSEGV, on_jump, 0);
	push_at(NONCANONICAL);
}
static void rsp_noncanonical_altstack(void)
{
	use_altstack(65536);
	handle(SIGBUS, on_jump, SA_ONSTACK);
	handle(SIGSEGV, on_jump, SA_ONSTACK);
	if (sigsetjmp(jump, 1) == (on_tcg() ? SIGSEGV : SIGBUS))
		_exit(0);
	push_at(NONCANONICAL);
	_exit(3);
}
static void rsp_noncanonical_syscall(void)
{
	/* the system call itself returns; the push after it faults */
	__asm__ volatile("mov %%rsp, %%rbx; movabs $0x0000800000000008, %%rsp; movl $39, %%eax;"
			 "syscall; pushq $1; mov %%rbx, %%rsp"
			 ::: "rax", "rbx", "rcx", "r11", "memory");
}

static int case_stack_pointers(void)
{
	int ss_sig = on_tcg() ? SIGSEGV : SIGBUS;	/* #SS */

	expect("push with a non-canonical rsp", rsp_noncanonical, ss_sig);
	expect("push with a kernel rsp", rsp_kernel, SIGSEGV);
	expect("non-canonical rsp, SIGBUS handler, no altstack", rsp_noncanonical_bus_handler,
	       SIGSEGV);
	expect("non-canonical rsp, SIGBUS and SIGSEGV handlers, no altstack",
	       rsp_noncanonical_all_handlers, SIGSEGV);
	expect("non-canonical rsp, handler on an altstack", rsp_noncanonical_altstack, 0);
	expect("syscall with a non-canonical rsp", rsp_noncanonical_syscall, ss_sig);
	return 0;
}

/* ---- runaway recursion and small alternate stacks ---- */

static void on_usr1_recurse(int sig) { raise(SIGUSR1); }
static void on_segv_fault_again(int sig) { *(volatile int *)tap_bad_ptr(8) = 1; }
static void on_segv_return(int sig) { }

static void small_stack_limit(void)
{
	struct rlimit rl = { 1 << 20, 1 << 20 };

	setrlimit(RLIMIT_STACK, &rl);
}

static void recurse_plain(void)
{
	small_stack_limit();
	handle(SIGUSR1, on_usr1_recurse, SA_NODEFER);
	raise(SIGUSR1);
}
static void recurse_with_segv_handler(void)
{
	small_stack_limit();
	handle(SIGSEGV, on_segv_return, 0);
	handle(SIGUSR1, on_usr1_recurse, SA_NODEFER);
	raise(SIGUSR1);
}
/* Where the recursion ends depends on the frame size: either the kernel finds no room for
 * a frame (SIGSEGV, whose own frame fails too: killed), or a handler's own stack use runs
 * past the bottom of the alternate stack; its stack pointer is then off that stack, so the
 * SIGSEGV handler starts again at its top, as on Linux. This one then lets the fault kill. */
static void on_segv_default(int sig)
{
	signal(SIGSEGV, SIG_DFL);
}
static void recurse_on_altstack(void)
{
	use_altstack(128 * 1024);
	handle(SIGSEGV, on_segv_default, SA_ONSTACK);
	handle(SIGUSR1, on_usr1_recurse, SA_NODEFER | SA_ONSTACK);
	raise(SIGUSR1);
}
static void segv_handler_faults(void)
{
	handle(SIGSEGV, on_segv_fault_again, 0);
	*(volatile int *)tap_bad_ptr(8) = 1;
}
static void segv_handler_faults_nodefer(void)
{
	small_stack_limit();
	handle(SIGSEGV, on_segv_fault_again, SA_NODEFER);
	*(volatile int *)tap_bad_ptr(8) = 1;
}

/* An alternate stack of MINSIGSTKSZ whose lowest part is unmapped: no frame fits. */
static void tiny_altstack(void)
{
	char *top = (char *)guarded_stack(4096, NULL) + 256;
	stack_t ss = { .ss_sp = top - MINSIGSTKSZ, .ss_size = MINSIGSTKSZ, .ss_flags = 0 };

	if (sigaltstack(&ss, NULL) != 0)
		_exit(91);
}
static void on_usr1_plain(int sig) { }
static void altstack_too_small(void)
{
	tiny_altstack();
	handle(SIGUSR1, on_usr1_plain, SA_ONSTACK);
	raise(SIGUSR1);
	_exit(3);
}
static void altstack_too_small_segv_handler(void)
{
	tiny_altstack();
	handle(SIGSEGV, on_segv_return, SA_ONSTACK);
	handle(SIGUSR1, on_usr1_plain, SA_ONSTACK);
	raise(SIGUSR1);
	_exit(3);
}
static int case_runaway(void)
{
	expect("runaway handler recursion", recurse_plain, SIGSEGV);
	expect("runaway handler recursion with a SIGSEGV handler", recurse_with_segv_handler,
	       SIGSEGV);
	expect("runaway handler recursion on an altstack", recurse_on_altstack, SIGSEGV);
	expect("a SIGSEGV handler that faults", segv_handler_faults, SIGSEGV);
	expect("a SA_NODEFER SIGSEGV handler that faults", segv_handler_faults_nodefer, SIGSEGV);
	return 0;
}

static int case_small_altstack(void)
{
	expect("altstack too small for the frame", altstack_too_small, SIGSEGV);
	expect("altstack too small, SIGSEGV handler on it", altstack_too_small_segv_handler,
	       SIGSEGV);
	return 0;
}

/* ---- FS base ---- */

#define ARCH_SET_GS	0x1001
#define ARCH_SET_FS	0x1002
#define ARCH_GET_FS	0x1003
#define ARCH_GET_GS	0x1004

static unsigned long gs_word;

static unsigned long read_gs0(void)
{
	unsigned long v;

	__asm__ volatile("mov %%gs:0, %0" : "=r"(v));
	return v;
}

static int case_fs_base(void)
{
	static const unsigned long bad[] = {
		NONCANONICAL, KERNEL_ADDR, 0xfffffffffffff000UL, 0x00007ffffffff000UL,
	};

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		unsigned long base = 0;

		fflush(NULL);
		long r = syscall(SYS_clone, CLONE_SETTLS | SIGCHLD, 0, NULL, NULL, bad[i]);

		if (r == 0)
			_exit(0);	/* must not happen; nothing here may touch TLS */
		if (r > 0) {
			waitpid(r, NULL, 0);
			tap_diag("clone(CLONE_SETTLS, %#lx) succeeded", bad[i]);
			tap_case_failed = true;
		} else {
			CHECK_EQ(errno, EPERM);
		}
		CHECK_ERR(syscall(SYS_arch_prctl, ARCH_SET_FS, bad[i]), EPERM);
		CHECK_EQ(syscall(SYS_arch_prctl, ARCH_GET_FS, &base), 0);
		CHECK(base != bad[i] && base != 0);
		CHECK_ERR(syscall(SYS_arch_prctl, ARCH_SET_GS, bad[i]), EPERM);
		CHECK_EQ(syscall(SYS_arch_prctl, ARCH_GET_GS, &base), 0);
		CHECK(base != bad[i]);
	}
	/* A good GS base holds across sleeps (context switches) and into a fork. */
	unsigned long base = 0;
	int st = -1;

	gs_word = 0x5a5a1234;
	CHECK_EQ(syscall(SYS_arch_prctl, ARCH_SET_GS, &gs_word), 0);
	CHECK_EQ(syscall(SYS_arch_prctl, ARCH_GET_GS, &base), 0);
	CHECK_EQ(base, (unsigned long)&gs_word);
	CHECK_EQ(read_gs0(), 0x5a5a1234);
	tap_sleep_ms(30);
	CHECK_EQ(read_gs0(), 0x5a5a1234);
	fflush(NULL);
	pid_t pid = fork();

	if (pid == 0)
		_exit(read_gs0() == 0x5a5a1234 ? 0 : 1);
	CHECK_EQ(waitpid(pid, &st, 0), pid);
	CHECK(WIFEXITED(st) && WEXITSTATUS(st) == 0);
	return 0;
}

/* Faults that make the kernel clear or copy a page (demand-zero, copy-on-write) leave every
 * SSE register as user mode had it: the kernel's page clearing uses xmm0 and must restore it. */
static int case_sse_across_faults(void)
{
	const long pages = 64;
	unsigned long long in[32] __attribute__((aligned(16))), out[32] __attribute__((aligned(16)));
	char *p = mmap(NULL, pages * 4096, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS,
		       -1, 0);
	pid_t pid = -1;
	int st, bad = 0;

	if (!CHECK(p != MAP_FAILED))
		return 0;
	for (int i = 0; i < 32; i++)
		in[i] = 0x0123456789abcdefULL * (i + 1);
	for (int round = 0; round < 2; round++) {
		/* Round 0: each write is a demand-zero fault; round 1, after a fork that shares
		 * every page, a copy-on-write fault. */
		if (round == 1) {
			fflush(NULL);
			pid = fork();
			if (pid == 0) {
				pause();
				_exit(0);
			}
			if (!CHECK(pid > 0))
				return 0;
		}
		for (long i = 0; i < pages; i++) {
			memset(out, 0, sizeof(out));
			__asm__ volatile(
				"movdqa 0(%0), %%xmm0\n\tmovdqa 16(%0), %%xmm1\n\t"
				"movdqa 32(%0), %%xmm2\n\tmovdqa 48(%0), %%xmm3\n\t"
				"movdqa 64(%0), %%xmm4\n\tmovdqa 80(%0), %%xmm5\n\t"
				"movdqa 96(%0), %%xmm6\n\tmovdqa 112(%0), %%xmm7\n\t"
				"movdqa 128(%0), %%xmm8\n\tmovdqa 144(%0), %%xmm9\n\t"
				"movdqa 160(%0), %%xmm10\n\tmovdqa 176(%0), %%xmm11\n\t"
				"movdqa 192(%0), %%xmm12\n\tmovdqa 208(%0), %%xmm13\n\t"
				"movdqa 224(%0), %%xmm14\n\tmovdqa 240(%0), %%xmm15\n\t"
				"movb $1, (%2)\n\t"
				"movdqa %%xmm0, 0(%1)\n\tmovdqa %%xmm1, 16(%1)\n\t"
				"movdqa %%xmm2, 32(%1)\n\tmovdqa %%xmm3, 48(%1)\n\t"
				"movdqa %%xmm4, 64(%1)\n\tmovdqa %%xmm5, 80(%1)\n\t"
				"movdqa %%xmm6, 96(%1)\n\tmovdqa %%xmm7, 112(%1)\n\t"
				"movdqa %%xmm8, 128(%1)\n\tmovdqa %%xmm9, 144(%1)\n\t"
				"movdqa %%xmm10, 160(%1)\n\tmovdqa %%xmm11, 176(%1)\n\t"
				"movdqa %%xmm12, 192(%1)\n\tmovdqa %%xmm13, 208(%1)\n\t"
				"movdqa %%xmm14, 224(%1)\n\tmovdqa %%xmm15, 240(%1)"
				:
				: "r"(in), "r"(out), "r"(p + i * 4096)
				: "memory", "xmm0", "xmm1", "xmm2", "xmm3", "xmm4", "xmm5", "xmm6",
				  "xmm7", "xmm8", "xmm9", "xmm10", "xmm11", "xmm12", "xmm13", "xmm14",
				  "xmm15");
			if (memcmp(in, out, sizeof(in)) && !bad++)
				tap_diag("round %d, page %ld: an SSE register changed", round, i);
		}
	}
	CHECK_EQ(bad, 0);
	kill(pid, SIGKILL);
	CHECK_EQ(waitpid(pid, &st, 0), pid);
	return 0;
}

int main(void)
{
	tap_plan(10);
	run_case("int $N for every vector", case_int_every_vector);
	run_case("privileged and system instructions give SIGSEGV", case_privileged);
	run_case("ud2, into, lock nop: SIGILL; int3, icebp: SIGTRAP; #AC: SIGBUS",
		 case_traps_and_invalid);
	run_case("the trap flag across a syscall", case_trap_flag_syscall);
	run_case("rt_sigreturn with crafted frames", case_sigreturn_crafted);
	run_case("non-canonical and kernel stack pointers", case_stack_pointers);
	run_case("runaway signal recursion ends in SIGSEGV", case_runaway);
	run_case("alternate stacks too small for the frame", case_small_altstack);
	run_case("FS and GS bases outside user space are refused with EPERM", case_fs_base);
	run_case("demand-zero and copy-on-write faults keep every SSE register",
		 case_sse_across_faults);
	return tap_done();
}
