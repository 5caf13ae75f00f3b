/*
 * x86-64 inline half of include/arch.h: register frames, per-thread and
 * per-CPU arch state, interrupt flag, PTE format. Included only through
 * include/arch.h.
 */
#ifndef SPROUT_ARCH_IMPL_H
#define SPROUT_ARCH_IMPL_H

#define DIRECT_MAP_BASE		0xffff800000000000UL	/* all RAM, kernel RW NX */
#define KERNEL_IMAGE_BASE	0xffffffff80000000UL	/* kernel text/data: phys + this */
#define KMAP_BASE		0xffffc90000000000UL	/* kernel mapped area (vmalloc), 4 KiB pages */
#define KMAP_SIZE		(1UL << 30)		/* one page directory: 1 GiB */
#define USER_BASE		0x0000000000010000UL	/* lowest user mapping (mmap_min_addr) */
#define USER_TOP		0x00007ffffffff000UL	/* one page below the canonical hole */

#define KSTACK_ORDER		2			/* 16 KiB kernel stacks */
#define KSTACK_SIZE		(PAGE_SIZE << KSTACK_ORDER)

/*
 * Saved user (or interrupted kernel) registers, pushed by the trap and
 * syscall entry code; the order matches the pushes in entry.S (offsets are
 * checked with _Static_assert there). For a syscall, rcx holds the user rip
 * and r11 the user rflags, as the syscall instruction left them.
 */
struct trapframe {
	u64 r15, r14, r13, r12, r11, r10, r9, r8;
	u64 rbp, rdi, rsi, rdx, rcx, rbx, rax;
	u64 vector;		/* trap vector; SYSCALL_VECTOR for syscalls */
	u64 error;		/* CPU error code or 0 */
	u64 rip, cs, rflags, rsp, ss;	/* hardware iret frame */
};

#define SYSCALL_VECTOR		0x100

/* ELF core files (kernel/coredump.c): the machine and the pr_reg words. */
#define ARCH_ELF_MACHINE	62	/* EM_X86_64 */
#define ARCH_CORE_NREGS		27	/* struct user_regs_struct */
#define ARCH_CORE_FPREGS_SIZE	512	/* NT_PRFPREG: the FXSAVE image (user_i387_struct) */

/* Bytes of a task's FPU area: room for XSAVE of x87, SSE and AVX (832 bytes on every
 * CPU with AVX; cpu.c turns AVX off should CPUID ask for more). */
#define ARCH_FPU_AREA_SIZE	1024

/* Per-thread machine state kept in struct task. */
struct arch_thread {
	u64 rsp;		/* kernel rsp saved by arch_switch() */
	u64 fs_base;		/* user TLS pointer (arch_prctl ARCH_SET_FS) */
	u64 gs_base;		/* user GS base (ARCH_SET_GS); MSR_KERNEL_GS_BASE holds it */
	/* The FPU, SSE and AVX registers: an XSAVE area (its first 512 bytes the FXSAVE
	 * image, then the XSAVE header, then the upper halves of ymm0-15), or an FXSAVE
	 * image alone when the CPU has no AVX (x86_cpu.xcr0 == 0). */
	u8 fpu[ARCH_FPU_AREA_SIZE] __aligned(64);
	/* Hardware breakpoints (debugreg.c), [c] or the tracer's in a tracing stop. */
	u64 dr[4];		/* DR0-DR3: addresses */
	u64 dr7;		/* DR7 as ptrace wrote it; 0: no breakpoints */
	u64 dr6;		/* virtual DR6 (positive polarity): what fired last */
};

struct tss64 {
	u32 reserved0;
	u64 rsp0, rsp1, rsp2;
	u64 reserved1;
	u64 ist[7];
	u64 reserved2;
	u16 reserved3;
	u16 iomap_base;
} __packed;

/* Per-CPU machine state kept in struct cpu. */
struct arch_cpu {
	u64 gdt[9] __aligned(16);	/* see the selectors below; tss(2) */
	struct tss64 tss __aligned(16);
	u32 lapic_id;
	u64 tlb_req;		/* [a] shootdown tickets handed out (smp.c) */
	u64 tlb_done;		/* [a] highest ticket covered by a flush here */
	u64 dr7_loaded;		/* the DR7 this CPU holds (debugreg.c); 0: off */
};

/*
 * GDT selectors: the order suits syscall/sysret (STAR), and the user ones are
 * Linux's (__USER_DS, __USER_CS), which user programs see in their registers,
 * signal frames and ptrace's views: gdb takes a tracee with cs 0x33 for a
 * 64-bit one, and 0x23 (Linux's 32-bit __USER32_CS) for an i386 one. Entries
 * 3 and 4 (0x18, Linux's kernel data; 0x20, its 32-bit user code) stay null:
 * nothing here runs 32-bit code.
 */
#define GDT_KCODE	0x08
#define GDT_KDATA	0x10
#define GDT_UDATA	0x2b	/* 0x28 | RPL 3 */
#define GDT_UCODE	0x33	/* 0x30 | RPL 3 */
#define GDT_TSS		0x38

static inline struct cpu *this_cpu(void)
{
	struct cpu *c;

	__asm__ volatile("movq %%gs:0, %0" : "=r"(c));
	return c;
}

/* The running task of this CPU (struct cpu's field at offset 24, checked in cpu.c) in one
 * load. Not volatile: whichever CPU a task runs on, it is the task running there, so the
 * compiler may reuse the value within a function. */
static inline void *arch_running_task(void)
{
	void *t;

	__asm__("movq %%gs:24, %0" : "=r"(t));
	return t;
}

static inline unsigned long arch_irq_save(void)
{
	unsigned long flags;

	__asm__ volatile("pushfq; popq %0; cli" : "=r"(flags) : : "memory");
	return flags;
}

static inline void arch_irq_restore(unsigned long flags)
{
	if (flags & 0x200)
		__asm__ volatile("sti" : : : "memory");
}

static inline void arch_irq_enable(void) { __asm__ volatile("sti" : : : "memory"); }
static inline void arch_irq_disable(void) { __asm__ volatile("cli" : : : "memory"); }

static inline bool arch_irq_enabled(void)
{
	unsigned long flags;

	__asm__ volatile("pushfq; popq %0" : "=r"(flags));
	return flags & 0x200;
}

static inline void arch_cpu_relax(void) { __asm__ volatile("pause"); }

/* ---- trapframe accessors ---- */
static inline long tf_syscall_nr(const struct trapframe *tf) { return (long)tf->rax; }

static inline u64 tf_syscall_arg(const struct trapframe *tf, int i)
{
	switch (i) {
	case 0: return tf->rdi;
	case 1: return tf->rsi;
	case 2: return tf->rdx;
	case 3: return tf->r10;
	case 4: return tf->r8;
	default: return tf->r9;
	}
}

static inline void tf_set_return(struct trapframe *tf, long v) { tf->rax = (u64)v; }
static inline long tf_get_return(const struct trapframe *tf) { return (long)tf->rax; }
static inline bool tf_user_mode(const struct trapframe *tf) { return (tf->cs & 3) == 3; }
static inline u64 tf_ip(const struct trapframe *tf) { return tf->rip; }
static inline void tf_set_ip(struct trapframe *tf, u64 ip) { tf->rip = ip; }
static inline u64 tf_sp(const struct trapframe *tf) { return tf->rsp; }

/* ---- PTEs ---- */
typedef u64 pte_t;

/* arch.h defines the MMU_* permission bits only after including this file;
 * pte_mk() needs them first. Token-identical copies, so both may stand. */
#define MMU_READ	0x1u
#define MMU_WRITE	0x2u
#define MMU_EXEC	0x4u
#define MMU_USER	0x8u

#define PTE_P		(1UL << 0)
#define PTE_W		(1UL << 1)
#define PTE_U		(1UL << 2)
#define PTE_PWT		(1UL << 3)
#define PTE_PCD		(1UL << 4)
#define PTE_A		(1UL << 5)
#define PTE_D		(1UL << 6)
#define PTE_PS		(1UL << 7)
#define PTE_G		(1UL << 8)
#define PTE_SW_COW	(1UL << 9)	/* software: write-protected for copy-on-write */
#define PTE_SW_SWAP	(1UL << 10)	/* software, with P clear: a swap entry in bits 12.. */
#define PTE_NX		(1UL << 63)
#define PTE_ADDR_MASK	0x000ffffffffff000UL

static inline bool pte_present(pte_t p) { return p & PTE_P; }

/*
 * pt_next_present - the first index in [@i, @n) of table @t (PTEs, or the
 * entries of any level) whose entry is present, or @n. Page tables are
 * mostly empty: eight entries are tested with one OR, so a sweep over an
 * empty table costs about a quarter of testing entry by entry.
 */
static inline unsigned pt_next_present(const pte_t *t, unsigned i, unsigned n)
{
	while (i < n && (i & 7)) {
		if (t[i] & PTE_P)
			return i;
		i++;
	}
	while (i + 8 <= n && !((t[i] | t[i + 1] | t[i + 2] | t[i + 3] | t[i + 4] | t[i + 5] |
				t[i + 6] | t[i + 7]) & PTE_P))
		i += 8;
	while (i < n && !(t[i] & PTE_P))
		i++;
	return i;
}

/* pt_next_used - pt_next_present() for entries that are not zero: present
 * ones, swap entries and any other kept value, eight tested at a time. */
static inline unsigned pt_next_used(const pte_t *t, unsigned i, unsigned n)
{
	while (i < n && (i & 7)) {
		if (t[i])
			return i;
		i++;
	}
	while (i + 8 <= n && !(t[i] | t[i + 1] | t[i + 2] | t[i + 3] | t[i + 4] | t[i + 5] |
			       t[i + 6] | t[i + 7]))
		i += 8;
	while (i < n && !t[i])
		i++;
	return i;
}
static inline bool pte_write(pte_t p) { return p & PTE_W; }
static inline bool pte_user(pte_t p) { return p & PTE_U; }
static inline bool pte_cow(pte_t p) { return p & PTE_SW_COW; }
static inline bool pte_dirty(pte_t p) { return p & PTE_D; }
static inline bool pte_young(pte_t p) { return p & PTE_A; }
static inline u64 pte_phys(pte_t p) { return p & PTE_ADDR_MASK; }

/* pte_mk - a present leaf PTE for @phys with MMU_* permissions @prot. */
static inline pte_t pte_mk(u64 phys, unsigned prot)
{
	pte_t p = (phys & PTE_ADDR_MASK) | PTE_P;

	if (prot & MMU_WRITE)
		p |= PTE_W;
	if (prot & MMU_USER)
		p |= PTE_U;
	if (!(prot & MMU_EXEC))
		p |= PTE_NX;
	return p;
}

/*
 * Page-directory entries naming a leaf table: one covers PT_REGION_SIZE
 * bytes. A leaf table shared by several address spaces after fork() is
 * referenced by write-protected entries (the write bit of an upper level
 * applies to every page below it, Intel SDM vol. 3A 4.6).
 */
#define PT_REGION_SIZE	(1UL << 21)
#define PT_ENTRIES_PER_TABLE	512
static inline bool pde_table_present(pte_t p) { return (p & PTE_P) && !(p & PTE_PS); }
static inline bool pde_write(pte_t p) { return p & PTE_W; }
static inline u64 pde_table_phys(pte_t p) { return p & PTE_ADDR_MASK; }
static inline pte_t pde_wrprotect(pte_t p) { return p & ~PTE_W; }
static inline pte_t pde_mkwrite(pte_t p) { return p | PTE_W; }
static inline pte_t pde_mk_table(u64 phys) { return (phys & PTE_ADDR_MASK) | PTE_P | PTE_W | PTE_U; }

/*
 * Swap entries: a non-present PTE (the MMU ignores every other bit when P
 * is clear, Intel SDM vol. 3A 4.5) that names a swap slot. @entry is the
 * core's number for it, below 2^51. pte_none: no page and no entry.
 */
static inline bool pte_none(pte_t p) { return p == 0; }
static inline bool pte_is_swap(pte_t p) { return !(p & PTE_P) && (p & PTE_SW_SWAP); }
static inline pte_t pte_mk_swap(u64 entry) { return (entry << 12) | PTE_SW_SWAP; }
static inline u64 pte_swap_entry(pte_t p) { return (p >> 12) & ((1UL << 51) - 1); }

/* The accessed bit, set by the MMU on every use of the entry: the clock of
 * reclaim reads and clears it (a stale TLB entry may keep it clear a while
 * longer, which only makes the page look older). */
static inline pte_t pte_mkold(pte_t p) { return p & ~PTE_A; }
/* Clear the accessed bit of *@p atomically (no other bit of a concurrent
 * change is lost, even in a table shared with address spaces whose locks
 * the caller does not hold); whether it was set. */
static inline bool pte_test_and_clear_young(pte_t *p)
{
	return __atomic_fetch_and(p, ~PTE_A, __ATOMIC_RELAXED) & PTE_A;
}
/* Write-protect without the COW mark (a page being written to swap). */
static inline pte_t pte_wrprotect(pte_t p) { return p & ~PTE_W; }

/* Write-protect a PTE and mark it copy-on-write. */
static inline pte_t pte_wrprotect_cow(pte_t p) { return (p & ~PTE_W) | PTE_SW_COW; }
/* Make a COW PTE writable again (the page is now private). */
static inline pte_t pte_mkwrite(pte_t p) { return (p | PTE_W | PTE_D) & ~PTE_SW_COW; }

#endif
