/*
 * Multiprocessor support: starting the application processors (APs) and the
 * interprocessor interrupts the core uses -- reschedule, TLB shootdown and
 * stop.
 *
 * Start-up (Intel SDM vol. 3A 8.4.4, "MP initialization example"): the CPUs
 * come from the ACPI MADT (acpi.c); for each one the boot CPU fills the
 * trampoline's parameter block (trampoline.S, copied below 1 MiB), sends
 * INIT, waits 10 ms, sends STARTUP (twice if the AP has not arrived), and
 * waits for the AP to report itself online through the core
 * (kernel_ap_main() sets cpu->online). APs are started one at a time, so
 * the single parameter block and page is never shared.
 *
 * TLB shootdown protocol: each CPU has a request counter (tlb_req) and a
 * done counter (tlb_done) in its struct arch_cpu. An initiator bumps the
 * target's tlb_req (its ticket), sends VEC_IPI_TLB and spins until tlb_done
 * reaches the ticket. The target reads tlb_req, flushes, then publishes what
 * it read as tlb_done: every request counted before the flush began is
 * covered by it, since initiators change their PTEs before taking a ticket.
 * A waiting initiator services its own requests while it spins, so two CPUs
 * shooting at each other cannot deadlock even with interrupts off.
 */
#include "x86.h"
#include "cpu.h"
#include "page.h"
#include "kernel.h"

#define ICR_INIT		0x00004500u	/* delivery mode INIT, level assert */
#define ICR_STARTUP		0x00004600u	/* delivery mode STARTUP, level assert */
#define ICR_FIXED		0x00004000u	/* fixed delivery, level assert */
#define AP_ONLINE_TIMEOUT_NS	3000000000ul	/* TCG can take its time */

struct trampoline_params {
	u64 cr3;	/* physical root: identity map of 0..4 GiB + kernel half */
	u64 efer;	/* EFER bits to set: LME, NXE */
	u64 stack;	/* top of the AP's first stack (its idle stack) */
	u64 cpu;	/* struct cpu * handed to x86_ap_entry() in rdi */
	u64 entry;	/* x86_ap_entry */
};

extern pte_t boot_pml4[512];
static void *ap_stacks[MAX_CPUS];	/* idle stacks handed to kernel_ap_main() */
static volatile bool ap_arrived;	/* the AP reached C: no second STARTUP */

static void delay_ns(u64 ns)
{
	u64 end = arch_clock_ns() + ns;

	while (arch_clock_ns() < end)
		arch_cpu_relax();
}

/* First C code of an AP: still on the trampoline's page table. */
__noreturn void x86_ap_entry(struct cpu *c);
__noreturn void x86_ap_entry(struct cpu *c)
{
	/* Leave the identity map before anything else: only the kernel root
	 * stays valid once the boot CPU frees the trampoline's table. */
	write_cr3(arch_pt_kernel_root());
	ap_arrived = true;
	arch_cpu_init(c);
	kernel_ap_main(c, ap_stacks[c->id]);
	/* NOTREACHED */
}

/*
 * A root for the trampoline: the kernel half as everywhere, plus PML4[0]
 * pointing at the direct map's table of the low 4 GiB, executable, so the
 * code at TRAMPOLINE_PHYS keeps running when paging comes on.
 */
static u64 trampoline_root(void)
{
	pte_t *root = page_alloc_va(true);

	if (!root)
		return 0;
	for (int i = 256; i < 512; i++)
		root[i] = boot_pml4[i];
	root[0] = boot_pml4[256] & ~PTE_NX;
	return virt_to_phys(root);
}

static bool start_ap(struct cpu *c, u32 apic_id, u64 root)
{
	struct trampoline_params *tp;
	struct page *stack = page_alloc(KSTACK_ORDER, false);
	size_t len = x86_trampoline_end - x86_trampoline_start;
	u64 deadline;

	if (!stack)
		return false;
	ap_stacks[c->id] = page_address(stack);
	memcpy(phys_to_virt(TRAMPOLINE_PHYS), x86_trampoline_start, len);
	tp = phys_to_virt(TRAMPOLINE_PHYS + (x86_trampoline_params - x86_trampoline_start));
	tp->cr3 = root;
	tp->efer = EFER_LME | (x86_cpu.nx ? EFER_NXE : 0);
	tp->stack = (u64)ap_stacks[c->id] + KSTACK_SIZE;
	tp->cpu = (u64)c;
	tp->entry = (u64)x86_ap_entry;
	ap_arrived = false;
	__atomic_thread_fence(__ATOMIC_SEQ_CST);

	x86_lapic_send_ipi(apic_id, ICR_INIT);
	delay_ns(10000000);
	for (int i = 0; i < 2 && !ap_arrived; i++) {
		x86_lapic_send_ipi(apic_id, ICR_STARTUP | (TRAMPOLINE_PHYS >> 12));
		delay_ns(i == 0 ? 200000 : 1000000);
	}
	deadline = arch_clock_ns() + AP_ONLINE_TIMEOUT_NS;
	while (!__atomic_load_n(&c->online, __ATOMIC_ACQUIRE)) {
		if (arch_clock_ns() > deadline) {
			/* It may still be running the trampoline: its stack
			 * cannot be taken back safely, so it stays allocated. */
			printk("smp: cpu with APIC id %u did not come up\n", apic_id);
			return false;
		}
		arch_cpu_relax();
	}
	return true;
}

/*
 * arch_smp_boot - see include/arch.h. Boot CPU, interrupts disabled, after
 * the page allocator and CPU 0's scheduler are up. Sleeps: no (busy-waits
 * about 10 ms per AP).
 */
void arch_smp_boot(void)
{
	u32 ids[MAX_CPUS * 4];
	int n = x86_acpi_cpus(ids, (int)(sizeof(ids) / sizeof(ids[0])));
	u32 self = cpus[0].arch.lapic_id;
	u64 root;

	if (n <= 1)
		goto out;
	root = trampoline_root();
	if (!root)
		goto out;
	for (int i = 0; i < n; i++) {
		if (ids[i] == self)
			continue;
		if (ncpus == MAX_CPUS) {
			printk("smp: more than %d CPUs; the rest stay parked\n", MAX_CPUS);
			break;
		}
		struct cpu *c = &cpus[ncpus];

		c->id = ncpus;
		if (!start_ap(c, ids[i], root))
			break;
		/* Published only once the AP's run queue exists. */
		__atomic_store_n(&ncpus, ncpus + 1, __ATOMIC_RELEASE);
	}
	page_free_va(phys_to_virt(root));
out:
	printk("smp: %d CPU%s online\n", ncpus, ncpus == 1 ? "" : "s");
}

/* arch_send_resched - see include/arch.h. Any context. Sleeps: no. */
void arch_send_resched(int cpu)
{
	if (cpu != this_cpu()->id)
		x86_lapic_send_ipi(cpus[cpu].arch.lapic_id, ICR_FIXED | VEC_IPI_RESCHED);
}

/* Flush if a request is outstanding; runs in the IPI and in waiting initiators. */
static void tlb_service(struct arch_cpu *ac)
{
	u64 req = __atomic_load_n(&ac->tlb_req, __ATOMIC_ACQUIRE);

	if (req == __atomic_load_n(&ac->tlb_done, __ATOMIC_RELAXED))
		return;
	arch_tlb_flush_all();
	__atomic_store_n(&ac->tlb_done, req, __ATOMIC_RELEASE);
}

/* x86_ipi_tlb - VEC_IPI_TLB handler. Interrupts disabled. Sleeps: no. */
void x86_ipi_tlb(void)
{
	tlb_service(&this_cpu()->arch);
}

/*
 * arch_tlb_shootdown - see include/arch.h. A remote request always flushes
 * the whole TLB (a CR3 reload): cheaper to reason about than queues of
 * addresses, and the kernel uses no global user mappings. Sleeps: no.
 */
void arch_tlb_shootdown(u64 cpumask)
{
	struct cpu *me = this_cpu();
	u64 ticket[MAX_CPUS];
	int n = __atomic_load_n(&ncpus, __ATOMIC_ACQUIRE);

	cpumask &= ~(1ul << me->id);
	if (!cpumask)
		return;
	/* The caller's PTE stores must be visible before any ticket is. */
	__atomic_thread_fence(__ATOMIC_SEQ_CST);
	for (int i = 0; i < n; i++) {
		if (!(cpumask & (1ul << i)))
			continue;
		ticket[i] = __atomic_add_fetch(&cpus[i].arch.tlb_req, 1, __ATOMIC_SEQ_CST);
		x86_lapic_send_ipi(cpus[i].arch.lapic_id, ICR_FIXED | VEC_IPI_TLB);
	}
	for (int i = 0; i < n; i++) {
		if (!(cpumask & (1ul << i)))
			continue;
		while (__atomic_load_n(&cpus[i].arch.tlb_done, __ATOMIC_ACQUIRE) < ticket[i]) {
			tlb_service(&me->arch);
			arch_cpu_relax();
		}
	}
}

/*
 * arch_stop_other_cpus - see include/arch.h. Does not wait: the caller is
 * about to stop the machine and only wants the others quiet. Sleeps: no.
 */
void arch_stop_other_cpus(void)
{
	int n = __atomic_load_n(&ncpus, __ATOMIC_ACQUIRE);
	int self = this_cpu()->id;

	for (int i = 0; i < n; i++)
		if (i != self)
			x86_lapic_send_ipi(cpus[i].arch.lapic_id, ICR_FIXED | VEC_IPI_STOP);
}
