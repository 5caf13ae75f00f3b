/*
 * Per-CPU machine set-up: feature probing, GDT and TSS, control registers,
 * the syscall MSRs and the per-CPU GS base. Owns the cpus[] array (CPU 0 is
 * set up by the boot path before kernel_main()).
 */
#include "x86.h"
#include "cpu.h"
#include "kernel.h"

struct cpu cpus[MAX_CPUS];
int ncpus = 1;

struct x86_features x86_cpu;
u8 x86_smap_enabled;

/* The entry code reads these fields through %gs at fixed offsets. */
_Static_assert(offsetof(struct cpu, self) == 0, "this_cpu() reads %gs:0");
_Static_assert(offsetof(struct cpu, kstack_top) == CPU_KSTACK_TOP, "entry.S kstack_top");
_Static_assert(offsetof(struct cpu, user_rsp) == CPU_USER_RSP, "entry.S user_rsp");
_Static_assert(offsetof(struct cpu, running) == 24, "arch_running_task() reads %gs:24");

/* A stack for #DF (IST1) so a kernel stack overflow still gets a report. */
#define DF_STACK_SIZE	4096
static u8 df_stacks[MAX_CPUS][DF_STACK_SIZE] __aligned(16);

#define SFMASK_BITS	(0x100u | 0x200u | 0x400u | 0x40000u)	/* TF IF DF AC */

/*
 * x86_cpu_probe - read the CPUID feature bits the kernel cares about into
 * x86_cpu. Boot CPU, before arch_cpu_init(). Sleeps: no. Source: Intel SDM
 * vol. 2A, CPUID leaves 1, 7 and 0x80000001.
 */
void x86_cpu_probe(void)
{
	u32 a, b, c, d, max, maxext;

	cpuid(0, 0, &max, &b, &c, &d);
	cpuid(1, 0, &a, &b, &c, &d);
	x86_cpu.rdrand = c & (1u << 30);
	/* XSAVE and AVX: the kernel turns AVX's register state on (XCR0), as Linux does, so
	 * that programs which test CPUID's AVX bit alone (not OSXSAVE) may use it. */
	if ((c & (1u << 26)) && (c & (1u << 28)) && max >= 0xd) {
		u32 xa, xb, xc, xd;

		cpuid(0xd, 0, &xa, &xb, &xc, &xd);
		if ((xa & XSTATE_FP_SSE_AVX) == XSTATE_FP_SSE_AVX)
			x86_cpu.xcr0 = XSTATE_FP_SSE_AVX;
	}
	if (max >= 7) {
		cpuid(7, 0, &a, &b, &c, &d);
		x86_cpu.smep = b & (1u << 7);
		x86_cpu.rdseed = b & (1u << 18);
		x86_cpu.smap = b & (1u << 20);
	}
	cpuid(0x80000000, 0, &maxext, &b, &c, &d);
	if (maxext >= 0x80000001) {
		cpuid(0x80000001, 0, &a, &b, &c, &d);
		x86_cpu.nx = d & (1u << 20);
	}
}

static u64 gdt_tss_low(u64 base, u32 limit)
{
	return (limit & 0xffff) | ((base & 0xffffff) << 16) | (0x89ul << 40) |
	       ((u64)((limit >> 16) & 0xf) << 48) | (((base >> 24) & 0xff) << 56);
}

static void gdt_load(struct cpu *c)
{
	struct arch_cpu *ac = &c->arch;
	u64 tss = (u64)&ac->tss;
	struct {
		u16 limit;
		u64 base;
	} __packed ptr = { sizeof(ac->gdt) - 1, (u64)ac->gdt };

	ac->gdt[0] = 0;
	ac->gdt[1] = 0x00af9a000000ffff;	/* kernel code, L */
	ac->gdt[2] = 0x00cf92000000ffff;	/* kernel data */
	ac->gdt[3] = 0;
	ac->gdt[4] = 0;
	ac->gdt[5] = 0x00cff2000000ffff;	/* user data, DPL 3 */
	ac->gdt[6] = 0x00affa000000ffff;	/* user code, L, DPL 3 */
	ac->gdt[7] = gdt_tss_low(tss, sizeof(ac->tss) - 1);
	ac->gdt[8] = tss >> 32;

	memset(&ac->tss, 0, sizeof(ac->tss));
	ac->tss.ist[0] = (u64)df_stacks[c->id] + DF_STACK_SIZE;
	ac->tss.iomap_base = sizeof(ac->tss);	/* no I/O bitmap: ports stay ring 0 */

	/* Reload CS with a far return; data segments are ignored in long mode
	 * but must hold valid selectors for iret to ring 0. */
	__asm__ volatile("lgdt %0\n\t"
			 "pushq %1\n\t"
			 "leaq 1f(%%rip), %%rax\n\t"
			 "pushq %%rax\n\t"
			 "lretq\n"
			 "1:\n\t"
			 "movl %2, %%eax\n\t"
			 "movl %%eax, %%ds\n\t"
			 "movl %%eax, %%es\n\t"
			 "movl %%eax, %%ss\n\t"
			 "xorl %%eax, %%eax\n\t"
			 "movl %%eax, %%fs\n\t"
			 "movl %%eax, %%gs\n\t"
			 "ltr %w3"
			 : : "m"(ptr), "i"(GDT_KCODE), "i"(GDT_KDATA), "r"(GDT_TSS)
			 : "rax", "memory");
}

static void cpu_control_regs(void)
{
	u64 cr0 = read_cr0(), cr4 = read_cr4();
	u64 efer = rdmsr(MSR_EFER);

	/* WP: kernel writes to read-only user pages must fault (COW). No TS/EM:
	 * the FPU is switched eagerly with FXSAVE. AM: a program that sets
	 * EFLAGS.AC gets #AC (SIGBUS) for misaligned accesses, as on Linux;
	 * it never applies in ring 0, so stac/clac are unaffected. */
	cr0 = (cr0 | CR0_WP | CR0_NE | CR0_MP | CR0_AM) & ~(CR0_EM | CR0_TS);
	write_cr0(cr0);
	cr4 |= CR4_OSFXSR | CR4_OSXMMEXCPT;
	if (x86_cpu.smep)
		cr4 |= CR4_SMEP;
	if (x86_cpu.smap)
		cr4 |= CR4_SMAP;
	if (x86_cpu.xcr0)
		cr4 |= CR4_OSXSAVE;
	write_cr4(cr4);
	if (x86_cpu.xcr0) {
		u32 a, size, c, d;

		xsetbv(0, x86_cpu.xcr0);
		cpuid(0xd, 0, &a, &size, &c, &d);	/* EBX: the area for what XCR0 has on */
		if (size > ARCH_FPU_AREA_SIZE)
			panic("cpu: XSAVE area of %u bytes for x87/SSE/AVX", size);
		x86_cpu.xsave_size = size;
	}
	x86_smap_enabled = x86_cpu.smap;

	efer |= EFER_SCE;
	if (x86_cpu.nx)
		efer |= EFER_NXE;
	wrmsr(MSR_EFER, efer);
	__asm__ volatile("fninit");
}

static void cpu_syscall_msrs(void)
{
	/* sysret: CS = STAR[63:48] + 16, SS = STAR[63:48] + 8, both RPL 3;
	 * syscall: CS = STAR[47:32], SS = + 8 (Intel SDM vol. 2B SYSRET). */
	wrmsr(MSR_STAR, ((u64)(GDT_UDATA - 8 - 3) << 48) | ((u64)GDT_KCODE << 32));
	wrmsr(MSR_LSTAR, (u64)x86_syscall_entry);
	wrmsr(MSR_CSTAR, 0);
	wrmsr(MSR_SFMASK, SFMASK_BITS);
}

/*
 * arch_cpu_init - see include/arch.h. Loads GDT/TSS/IDT, sets CR0/CR4/EFER
 * and the syscall MSRs, GS base = @c (KERNEL_GS_BASE = 0 for the first
 * swapgs to user mode) and enables the local APIC. Interrupts disabled.
 * Sleeps: no. Source: Intel SDM vol. 3A 2.5, 5.8.8, 7.2.3.
 */
void arch_cpu_init(struct cpu *c)
{
	c->self = c;
	c->id = (int)(c - cpus);
	if (c->id == 0)
		x86_idt_init();
	cpu_control_regs();
	gdt_load(c);
	x86_idt_load();
	cpu_syscall_msrs();
	wrmsr(MSR_GS_BASE, (u64)c);
	wrmsr(MSR_KERNEL_GS_BASE, 0);
	wrmsr(MSR_FS_BASE, 0);
	x86_lapic_init_cpu();
	c->arch.lapic_id = x86_lapic_id();
}

/*
 * x86_set_kernel_stack - make @top (virtual, exclusive end of a kernel
 * stack) the stack for entries from user mode on CPU @c: TSS.rsp0 for
 * interrupts, kstack_top for syscall. Interrupts disabled. Sleeps: no.
 */
void x86_set_kernel_stack(struct cpu *c, u64 top)
{
	c->arch.tss.rsp0 = top;
	c->kstack_top = top;
}

/* arch_idle - see include/arch.h. sti's one-instruction shadow makes the
 * pair atomic: no wake-up interrupt can land between them and be missed. */
void arch_idle(void)
{
	__asm__ volatile("sti; hlt" : : : "memory");
}
