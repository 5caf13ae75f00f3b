/*
 * Private declarations of the x86-64 layer: port and MSR access, control
 * registers, CPU feature flags and the functions the arch files call in one
 * another. The core never includes this file (it sees only include/arch.h).
 */
#ifndef SPROUT_X86_H
#define SPROUT_X86_H

#include "types.h"
#include "arch.h"
#include "x86_asm.h"

struct cpu;

#define MSR_APIC_BASE		0x1b
#define MSR_EFER		0xc0000080
#define MSR_STAR		0xc0000081
#define MSR_LSTAR		0xc0000082
#define MSR_CSTAR		0xc0000083
#define MSR_SFMASK		0xc0000084
#define MSR_FS_BASE		0xc0000100
#define MSR_GS_BASE		0xc0000101
#define MSR_KERNEL_GS_BASE	0xc0000102

#define EFER_SCE		(1u << 0)
#define EFER_LME		(1u << 8)
#define EFER_NXE		(1u << 11)

#define CR0_MP			(1ul << 1)
#define CR0_EM			(1ul << 2)
#define CR0_TS			(1ul << 3)
#define CR0_NE			(1ul << 5)
#define CR0_WP			(1ul << 16)
#define CR0_AM			(1ul << 18)
#define CR4_PGE			(1ul << 7)
#define CR4_OSFXSR		(1ul << 9)
#define CR4_OSXSAVE		(1ul << 18)
#define CR4_OSXMMEXCPT		(1ul << 10)
#define CR4_SMEP		(1ul << 20)
#define CR4_SMAP		(1ul << 21)

static inline void outb(u16 port, u8 v) { __asm__ volatile("outb %0, %1" : : "a"(v), "Nd"(port)); }
static inline void outw(u16 port, u16 v) { __asm__ volatile("outw %0, %1" : : "a"(v), "Nd"(port)); }

static inline u8 inb(u16 port)
{
	u8 v;

	__asm__ volatile("inb %1, %0" : "=a"(v) : "Nd"(port));
	return v;
}

static inline u16 inw(u16 port)
{
	u16 v;

	__asm__ volatile("inw %1, %0" : "=a"(v) : "Nd"(port));
	return v;
}

static inline u64 rdmsr(u32 msr)
{
	u32 lo, hi;

	__asm__ volatile("rdmsr" : "=a"(lo), "=d"(hi) : "c"(msr));
	return ((u64)hi << 32) | lo;
}

static inline void wrmsr(u32 msr, u64 v)
{
	__asm__ volatile("wrmsr" : : "c"(msr), "a"((u32)v), "d"((u32)(v >> 32)) : "memory");
}

static inline void cpuid(u32 leaf, u32 sub, u32 *a, u32 *b, u32 *c, u32 *d)
{
	__asm__ volatile("cpuid" : "=a"(*a), "=b"(*b), "=c"(*c), "=d"(*d) : "a"(leaf), "c"(sub));
}

static inline u64 rdtsc(void)
{
	u32 lo, hi;

	__asm__ volatile("rdtsc" : "=a"(lo), "=d"(hi));
	return ((u64)hi << 32) | lo;
}

static inline u64 read_cr0(void) { u64 v; __asm__ volatile("mov %%cr0, %0" : "=r"(v)); return v; }
static inline u64 read_cr2(void) { u64 v; __asm__ volatile("mov %%cr2, %0" : "=r"(v)); return v; }
static inline u64 read_cr3(void) { u64 v; __asm__ volatile("mov %%cr3, %0" : "=r"(v)); return v; }
static inline u64 read_cr4(void) { u64 v; __asm__ volatile("mov %%cr4, %0" : "=r"(v)); return v; }
static inline void write_cr0(u64 v) { __asm__ volatile("mov %0, %%cr0" : : "r"(v) : "memory"); }
static inline void write_cr3(u64 v) { __asm__ volatile("mov %0, %%cr3" : : "r"(v) : "memory"); }
static inline void write_cr4(u64 v) { __asm__ volatile("mov %0, %%cr4" : : "r"(v) : "memory"); }

static inline bool x86_canonical(u64 va)
{
	u64 top = va >> 47;

	return top == 0 || top == 0x1ffff;
}

/* Features probed once on the boot CPU (cpu.c). */
struct x86_features {
	bool nx, smep, smap, rdrand, rdseed;
	u64 xcr0;	/* XSAVE components on (x87, SSE, AVX); 0: FXSAVE only, no AVX */
	u32 xsave_size;	/* bytes XSAVE writes for xcr0's components (set with it) */
};
extern struct x86_features x86_cpu;

#define XSTATE_FP_SSE_AVX	0x7ull	/* XCR0 bits: x87, SSE, AVX */
#define XSAVE_HEADER		512	/* offset of the XSAVE header (XSTATE_BV first) */

static inline void xsetbv(u32 reg, u64 v)
{
	__asm__ volatile("xsetbv" : : "c"(reg), "a"((u32)v), "d"((u32)(v >> 32)));
}
extern u8 x86_smap_enabled;	/* read by entry.S and uaccess.S */

/* Linker-script symbols (linker.ld). */
extern char __image_end[], __bss_start[], __bss_end[];
extern char __ex_table_start[], __ex_table_end[];
extern char __boot_phys_start[];
extern char boot_stack_top[];

/* cpu.c */
void x86_cpu_probe(void);
void x86_set_kernel_stack(struct cpu *c, u64 top);

/* SIGTRAP's si_code values (Linux's uapi asm-generic/siginfo.h). */
#define TRAP_BRKPT	1
#define TRAP_TRACE	2
#define TRAP_HWBKPT	4

/*
 * debugreg.c. x86_debugreg_switch - load @next's hardware breakpoints into
 * this CPU (@c), or clear DR7 when it has none; arch_switch() calls it when
 * either side has any. Interrupts disabled. Sleeps: no.
 * x86_debug_trap - the #DB at @tf: reads and clears DR6, records in the
 * current task's virtual DR6 which breakpoints fired. Returns -1 when no
 * signal is owed (a watched user address touched in kernel mode, or a stale
 * breakpoint), else the si_code of the SIGTRAP to send (TRAP_TRACE for a
 * single step, TRAP_HWBKPT for a breakpoint); -2 for a #DB in kernel mode
 * that no breakpoint explains. Interrupts disabled. Sleeps: no.
 */
struct trapframe;
struct task;
void x86_debugreg_switch(struct cpu *c, struct task *next);
int x86_debug_trap(struct trapframe *tf);

/* entry.S */
extern char x86_trap_stubs[];	/* 256 stubs of 16 bytes, vector i at +16*i */
void x86_syscall_entry(void);
void x86_switch_stack(u64 *save_rsp, u64 new_rsp);
void x86_kthread_start(void);
void x86_uthread_start(void);

/* trap.c */
void trap_dispatch(struct trapframe *tf);
void x86_idt_init(void);
void x86_idt_load(void);

/* mmu.c */
void x86_mmu_boot_finish(void);

/* uart.c */
void x86_uart_init(void);
void x86_uart_enable_rx_irq(void);
void x86_uart_rx_irq(void);

/* lapic.c */
void x86_lapic_init_cpu(void);
void x86_lapic_eoi(void);
u32 x86_lapic_id(void);
void x86_lapic_timer_start(unsigned hz);
void x86_lapic_calibrate_begin(void);
u32 x86_lapic_calibrate_end(void);
void x86_lapic_set_rate(u32 ticks_per_sec);

/* ioapic.c */
void x86_irq_init(void);
void x86_irq_unmask_com1(void);
void x86_ioapic_route(u32 gsi, u8 vector, bool level);

/* pci.c */
void x86_dev_irq(u64 vec);

/* acpi.c */
extern u64 x86_rsdp_phys;
int x86_acpi_cpus(u32 *ids, int max);
const void *x86_acpi_table(const char *sig);
const void *x86_acpi_table_at(u64 phys);

/* acpi_sleep.c */
void x86_acpi_sleep_init(const char *cmdline);
void x86_acpi_poweroff(void);
extern bool x86_poweroff_acpi_only;

/* smp.c */
extern char x86_trampoline_start[], x86_trampoline_params[], x86_trampoline_end[];
void x86_ipi_tlb(void);

/* lapic.c: interprocessor interrupts */
void x86_lapic_send_ipi(u32 apic_id, u32 icr_low);

/* time.c */
void x86_time_init(void);

#endif
