/*
 * Constants shared by the x86-64 assembly and C files: struct trapframe
 * offsets (checked against the C layout in trap.c), interrupt vectors and
 * the few MSR and control-register bits the entry code needs.
 */
#ifndef SPROUT_X86_ASM_H
#define SPROUT_X86_ASM_H

/* struct trapframe (arch_impl.h), in bytes from its lowest address. */
#define TF_R15		0
#define TF_R11		32
#define TF_RBP		64
#define TF_RCX		96
#define TF_RAX		112
#define TF_VECTOR	120
#define TF_ERROR	128
#define TF_RIP		136
#define TF_CS		144
#define TF_RFLAGS	152
#define TF_RSP		160
#define TF_SS		168
#define TF_SIZE		176

/* struct cpu (include/cpu.h): fields the syscall entry reads through %gs. */
#define CPU_KSTACK_TOP	8
#define CPU_USER_RSP	16

/* Interrupt vectors. 0-31 are exceptions; the 8259 is parked at 0x30-0x3f. */
#define VEC_TIMER	0x20
#define VEC_COM1	0x24
#define VEC_PIC_BASE	0x30
#define VEC_IPI_RESCHED	0x40	/* another CPU queued work here: look at need_resched */
#define VEC_IPI_TLB	0x41	/* flush this CPU's TLB (smp.c shootdown protocol) */
#define VEC_IPI_STOP	0x42	/* halt for good (a panic elsewhere) */
#define VEC_DEV_BASE	0x50	/* PCI device interrupts (pci.c): MSI-X or IOAPIC INTx */
#define VEC_DEV_LAST	0x6f
#define VEC_SPURIOUS	0xff

/* RFLAGS bits a user frame may carry back: CF PF AF ZF SF TF DF OF RF AC ID. */
#define RFLAGS_USER_MASK	0x250dd5
#define RFLAGS_IF		0x200
#define RFLAGS_FIXED		0x2

#define KERNEL_VIRT_BASE	0xffffffff80000000
#define KERNEL_PHYS_LOAD	0x100000
#define BOOT_STACK_SIZE		16384
#define TRAMPOLINE_PHYS		0x8000	/* AP real-mode start-up code (below 1 MiB) */

#endif
