/*
 * The IDT and trap dispatch: exceptions become signals for user mode or a
 * report and panic for the kernel, page faults go to mm_handle_fault() (with
 * the exception table as the last resort for uaccess), interrupts go to the
 * timer, the console UART, a PCI device's handler (pci.c) or nowhere (spurious).
 */
#include "x86.h"
#include "cpu.h"
#include "kernel.h"
#include "task.h"
#include "uapi/errno.h"

_Static_assert(offsetof(struct trapframe, r15) == TF_R15, "trapframe r15");
_Static_assert(offsetof(struct trapframe, r11) == TF_R11, "trapframe r11");
_Static_assert(offsetof(struct trapframe, rbp) == TF_RBP, "trapframe rbp");
_Static_assert(offsetof(struct trapframe, rcx) == TF_RCX, "trapframe rcx");
_Static_assert(offsetof(struct trapframe, rax) == TF_RAX, "trapframe rax");
_Static_assert(offsetof(struct trapframe, vector) == TF_VECTOR, "trapframe vector");
_Static_assert(offsetof(struct trapframe, error) == TF_ERROR, "trapframe error");
_Static_assert(offsetof(struct trapframe, rip) == TF_RIP, "trapframe rip");
_Static_assert(offsetof(struct trapframe, cs) == TF_CS, "trapframe cs");
_Static_assert(offsetof(struct trapframe, rflags) == TF_RFLAGS, "trapframe rflags");
_Static_assert(offsetof(struct trapframe, rsp) == TF_RSP, "trapframe rsp");
_Static_assert(offsetof(struct trapframe, ss) == TF_SS, "trapframe ss");
_Static_assert(sizeof(struct trapframe) == TF_SIZE, "trapframe size");
_Static_assert(TF_SIZE % 16 == 0, "trapframe keeps the stack 16-byte aligned");

/* Linux signal numbers and si_codes (signal(7), sigaction(2)). */
#define SIGILL		4
#define SIGTRAP		5
#define SIGBUS		7
#define SIGFPE		8
#define SIGSEGV		11
#define ILL_ILLOPN	2
#define FPE_INTDIV	1
#define FPE_FLTINV	7
#define SEGV_MAPERR	1
#define SEGV_ACCERR	2
#define BUS_ADRALN	1
#define BUS_ADRERR	2
#define SI_KERNEL	0x80

/* Page-fault error code bits (Intel SDM vol. 3A 4.7). */
#define PF_P		0x1
#define PF_W		0x2
#define PF_U		0x4
#define PF_RSVD		0x8
#define PF_I		0x10

struct idt_gate {
	u16 off_lo;
	u16 sel;
	u8 ist;
	u8 type;
	u16 off_mid;
	u32 off_hi;
	u32 zero;
} __packed;

struct ex_entry {
	u64 insn;
	u64 fixup;
};

static struct idt_gate idt[256] __aligned(16);

static const char *const exc_names[32] = {
	"#DE divide error", "#DB debug", "NMI", "#BP breakpoint", "#OF overflow",
	"#BR bound range", "#UD invalid opcode", "#NM device not available",
	"#DF double fault", "coprocessor segment overrun", "#TS invalid TSS",
	"#NP segment not present", "#SS stack fault", "#GP general protection",
	"#PF page fault", "reserved 15", "#MF x87 error", "#AC alignment check",
	"#MC machine check", "#XM SIMD error", "#VE virtualization",
	"#CP control protection",
};

static void idt_set(int vec, u64 handler, u8 ist, u8 dpl)
{
	struct idt_gate *g = &idt[vec];

	g->off_lo = handler & 0xffff;
	g->sel = GDT_KCODE;
	g->ist = ist;
	g->type = 0x8e | (dpl << 5);	/* present 64-bit interrupt gate: IF cleared */
	g->off_mid = (handler >> 16) & 0xffff;
	g->off_hi = handler >> 32;
	g->zero = 0;
}

/*
 * x86_idt_init - fill the shared IDT: every vector to its stub in entry.S;
 * #BP and #OF callable from ring 3 (int3, into); #DF on IST1. Boot CPU,
 * once, interrupts disabled. Sleeps: no. Source: Intel SDM vol. 3A 6.14.1.
 */
void x86_idt_init(void)
{
	for (int v = 0; v < 256; v++) {
		u8 dpl = (v == 3 || v == 4) ? 3 : 0;

		idt_set(v, (u64)x86_trap_stubs + 16 * v, v == 8 ? 1 : 0, dpl);
	}
}

/* x86_idt_load - lidt the shared IDT on this CPU. Sleeps: no. */
void x86_idt_load(void)
{
	struct {
		u16 limit;
		u64 base;
	} __packed ptr = { sizeof(idt) - 1, (u64)idt };

	__asm__ volatile("lidt %0" : : "m"(ptr));
}

static const struct ex_entry *ex_find(u64 rip)
{
	const struct ex_entry *e = (const struct ex_entry *)__ex_table_start;
	const struct ex_entry *end = (const struct ex_entry *)__ex_table_end;

	for (; e < end; e++)
		if (e->insn == rip)
			return e;
	return NULL;
}

static const char *vector_name(u64 v)
{
	if (v < 32 && exc_names[v])
		return exc_names[v];
	return "interrupt";
}

static void trap_report(const struct trapframe *tf, u64 cr2)
{
	printk("trap: %s (vector %lu) error 0x%lx in %s mode, cpu %d\n",
	       vector_name(tf->vector), tf->vector, tf->error,
	       tf_user_mode(tf) ? "user" : "kernel", this_cpu()->id);
	printk("  rip %016lx cs %04lx rflags %016lx cr2 %016lx\n",
	       tf->rip, tf->cs, tf->rflags, cr2);
	printk("  rsp %016lx ss %04lx cr3 %016lx\n", tf->rsp, tf->ss, read_cr3());
	printk("  rax %016lx rbx %016lx rcx %016lx rdx %016lx\n",
	       tf->rax, tf->rbx, tf->rcx, tf->rdx);
	printk("  rsi %016lx rdi %016lx rbp %016lx r8  %016lx\n",
	       tf->rsi, tf->rdi, tf->rbp, tf->r8);
	printk("  r9  %016lx r10 %016lx r11 %016lx r12 %016lx\n",
	       tf->r9, tf->r10, tf->r11, tf->r12);
	printk("  r13 %016lx r14 %016lx r15 %016lx\n", tf->r13, tf->r14, tf->r15);
	if (!tf_user_mode(tf)) {
		printk("  [<%016lx>] (faulting rip)\n", tf->rip);
		arch_backtrace(tf->rbp);
	}
}

static __noreturn void trap_kernel_fatal(const struct trapframe *tf, u64 cr2)
{
	trap_report(tf, cr2);
	panic("%s in kernel mode at 0x%lx", vector_name(tf->vector), tf->rip);
}

/* Re-enable interrupts if the trapped context had them on (sleeping is then allowed). */
static void irq_restore_from(const struct trapframe *tf)
{
	if (tf->rflags & RFLAGS_IF)
		arch_irq_enable();
}

static void trap_page_fault(struct trapframe *tf)
{
	u64 addr = read_cr2();	/* before anything can fault again */
	u64 err = tf->error;
	bool user = tf_user_mode(tf);
	const struct ex_entry *fix = user ? NULL : ex_find(tf->rip);
	unsigned flags = 0;

	if (err & PF_W)
		flags |= FAULT_WRITE;
	if (err & PF_U)
		flags |= FAULT_USER;
	if (err & PF_I)
		flags |= FAULT_EXEC;
	if (err & PF_P)
		flags |= FAULT_PRESENT;

	/*
	 * From user mode without PF_U: a supervisor-mode access made for the
	 * user's instruction (QEMU's TCG reads an iretq frame from the user
	 * stack that way, and SMAP refuses it). Mapping the page cannot help --
	 * the same access would fault forever -- so it is the program's fault.
	 */
	if (user && !(err & PF_U)) {
		arch_irq_enable();
		trap_user_fault(tf, SIGSEGV, SEGV_ACCERR, addr);
		arch_irq_disable();
		return;
	}
	/* A reserved-bit fault means a corrupt page table: never "resolvable". */
	if (!(err & PF_RSVD) && (user || (fix && addr < USER_TOP))) {
		irq_restore_from(tf);
		int r = mm_handle_fault(addr, flags);

		arch_irq_disable();
		if (r == 0)
			return;
		if (r == -EIO && user) {
			/* Past the end of a mapped file: SIGBUS (mmap(2)). */
			arch_irq_enable();
			trap_user_fault(tf, SIGBUS, BUS_ADRERR, addr);
			arch_irq_disable();
			return;
		}
	}
	if (user) {
		if (err & PF_RSVD)
			trap_report(tf, addr);
		arch_irq_enable();
		trap_user_fault(tf, SIGSEGV, (err & PF_P) ? SEGV_ACCERR : SEGV_MAPERR, addr);
		arch_irq_disable();
		return;
	}
	if (fix) {
		tf->rip = fix->fixup;
		return;
	}
	trap_kernel_fatal(tf, addr);
}

static void trap_user_exception(struct trapframe *tf)
{
	int signo = SIGSEGV, code = SI_KERNEL;
	u64 addr = 0;

	switch (tf->vector) {
	case 0:
		signo = SIGFPE, code = FPE_INTDIV, addr = tf->rip;
		break;
	case 3:
		signo = SIGTRAP, code = SI_KERNEL;
		break;
	case 6:
		signo = SIGILL, code = ILL_ILLOPN, addr = tf->rip;
		break;
	case 16:
	case 19:
		signo = SIGFPE, code = FPE_FLTINV, addr = tf->rip;
		break;
	case 11:	/* #NP */
	case 12:	/* #SS: e.g. a push with a non-canonical rsp */
		signo = SIGBUS, code = SI_KERNEL;
		break;
	case 17:
		signo = SIGBUS, code = BUS_ADRALN;
		break;
	default:	/* #GP, #TS, #OF, #BR, ...: SIGSEGV as Linux sends it */
		break;
	}
	arch_irq_enable();
	trap_user_fault(tf, signo, code, addr);
	arch_irq_disable();
}

/*
 * trap_dispatch - C half of every IDT entry (entry.S). @tf: the frame on
 * the current kernel stack. Called with interrupts disabled; returns with
 * them disabled. May sleep (page faults, signals) when the trap came from
 * user mode or from uaccess code. Source: Intel SDM vol. 3A ch. 6.
 */
void trap_dispatch(struct trapframe *tf)
{
	u64 v = tf->vector;

	/* The page fault first: it is by far the most frequent trap. */
	if (v == 14) {
		trap_page_fault(tf);
		return;
	}
	if (v >= 32) {	/* /proc/stat "intr": every interrupt, IPIs included */
		struct cpu *c = this_cpu();

		__atomic_store_n(&c->nr_irqs, c->nr_irqs + 1, __ATOMIC_RELAXED);
	}
	if (v == VEC_TIMER) {
		x86_lapic_eoi();
		sched_timer_tick(tf_user_mode(tf));
		return;
	}
	if (v == VEC_IPI_RESCHED) {
		/* The sender set need_resched; the return path acts on it. */
		x86_lapic_eoi();
		return;
	}
	if (v == VEC_IPI_TLB) {
		x86_ipi_tlb();
		x86_lapic_eoi();
		return;
	}
	if (v == VEC_IPI_STOP) {
		for (;;)
			__asm__ volatile("cli; hlt");
	}
	if (v >= VEC_DEV_BASE && v <= VEC_DEV_LAST) {
		x86_dev_irq(v);	/* acknowledges the LAPIC itself */
		return;
	}
	if (v == VEC_COM1) {
		x86_uart_rx_irq();
		x86_lapic_eoi();
		return;
	}
	/* Spurious LAPIC vector and the parked 8259: no EOI is owed. */
	if (v == VEC_SPURIOUS || (v >= VEC_PIC_BASE && v < VEC_PIC_BASE + 16))
		return;
	if (v == 2) {
		printk("trap: NMI at 0x%lx ignored\n", tf->rip);
		return;
	}
	if (v == 1) {
		int code = x86_debug_trap(tf);

		if (code == -1)
			return;
		if (code >= 0) {
			arch_irq_enable();
			trap_user_fault(tf, SIGTRAP, code, tf->rip);
			arch_irq_disable();
			return;
		}
	}
	if (v < 32) {
		if (tf_user_mode(tf))
			trap_user_exception(tf);
		else
			trap_kernel_fatal(tf, read_cr2());
		return;
	}
	printk("trap: unexpected interrupt vector %lu\n", v);
	x86_lapic_eoi();
}

static bool frame_ok(u64 rbp, u64 prev)
{
	/* Only kernel addresses, aligned, moving up the same stack. */
	if (rbp < DIRECT_MAP_BASE || (rbp & 7))
		return false;
	return prev == 0 || (rbp > prev && rbp - prev < KSTACK_SIZE);
}

/*
 * arch_backtrace - see include/arch.h. Follows the frame-pointer chain
 * (the kernel is built with -fno-omit-frame-pointer) and prints raw return
 * addresses as "[<addr>] symbol+offset" (kernel/ksyms.c).
 * Sleeps: no. Any context.
 */
void arch_backtrace(u64 rbp)
{
	u64 prev = 0;

	if (rbp == 0)
		rbp = (u64)__builtin_frame_address(0);
	printk("  backtrace:\n");
	for (int depth = 0; depth < 32 && frame_ok(rbp, prev); depth++) {
		u64 ret = ((u64 *)rbp)[1];

		if (ret < KERNEL_VIRT_BASE)
			break;
		const char *name;
		u64 off;

		if (ksym_lookup(ret, &name, &off))
			printk("  [<%016lx>] %s+0x%lx\n", ret, name, off);
		else
			printk("  [<%016lx>]\n", ret);
		prev = rbp;
		rbp = ((u64 *)rbp)[0];
	}
}

/* arch_task_stack - see include/arch.h. arch_switch() left the callee-saved
 * registers at t->arch.rsp (x86_switch_stack in entry.S): r15, r14, r13,
 * r12, rbx, rbp, then the return address into arch_switch(). */
int arch_task_stack(struct task *t, u64 *pcs, int max)
{
	u64 lo = (u64)t->kstack, hi = lo + KSTACK_SIZE;
	u64 sp = __atomic_load_n(&t->arch.rsp, __ATOMIC_RELAXED);
	u64 rbp, prev = 0;
	int n = 0;

	if (!t->kstack || sp < lo || sp + 7 * sizeof(u64) > hi)
		return 0;
	rbp = ((u64 *)sp)[5];
	while (n < max && rbp >= lo && rbp + 2 * sizeof(u64) <= hi && !(rbp & 7) &&
	       rbp > prev) {
		u64 ret = ((u64 *)rbp)[1];

		if (ret < KERNEL_VIRT_BASE)
			break;
		pcs[n++] = ret;
		prev = rbp;
		rbp = ((u64 *)rbp)[0];
	}
	return n;
}
