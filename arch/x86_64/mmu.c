/*
 * 4-level x86-64 page tables (Intel SDM vol. 3A 4.5): the kernel root built
 * by boot.S, per-process roots sharing its upper half, walks that allocate
 * intermediate tables on demand, hole skipping for fork/munmap, teardown,
 * CR3 loads and TLB flushes.
 *
 * The kernel half (PML4 entries 256..511) is fixed once arch_map_all_ram()
 * has run; roots created afterwards copy it and never need updating.
 */
#include "x86.h"
#include "page.h"
#include "kernel.h"

#define PT_ENTRIES	512
#define PML4_SHIFT	39
#define PDPT_SHIFT	30
#define PD_SHIFT	21
#define USER_HALF	256	/* PML4 entries below this are user space */
#define TABLE_FLAGS_USER	(PTE_P | PTE_W | PTE_U)
#define TABLE_FLAGS_KERNEL	(PTE_P | PTE_W)
#define HUGE_2M		(1ul << PD_SHIFT)

extern pte_t boot_pml4[PT_ENTRIES];
extern pte_t boot_pd[4 * PT_ENTRIES];

static inline unsigned pt_index(u64 va, int shift)
{
	return (va >> shift) & (PT_ENTRIES - 1);
}

static inline pte_t *table_of(pte_t e)
{
	return phys_to_virt(pte_phys(e));
}

/*
 * x86_mmu_boot_finish - tidy the boot page tables once running in the
 * higher half: drop the identity map, make the direct map NX, and map the
 * IOAPIC/LAPIC window uncached. Boot CPU, interrupts off. Sleeps: no.
 */
void x86_mmu_boot_finish(void)
{
	boot_pml4[0] = 0;
	if (x86_cpu.nx)
		boot_pml4[pt_index(DIRECT_MAP_BASE, PML4_SHIFT)] |= PTE_NX;
	/* 0xfec00000 (IOAPIC) and 0xfee00000 (LAPIC) are the last 2 MiB pages
	 * but one below 4 GiB. */
	boot_pd[0xfec00000ul >> PD_SHIFT] |= PTE_PCD | PTE_PWT;
	boot_pd[0xfee00000ul >> PD_SHIFT] |= PTE_PCD | PTE_PWT;
	arch_tlb_flush_all();
}

/* arch_pt_kernel_root - see include/arch.h. Sleeps: no. */
u64 arch_pt_kernel_root(void)
{
	return (u64)boot_pml4 - KERNEL_VIRT_BASE;
}

static u64 bump_alloc(struct boot_info *bi)
{
	u64 phys = PAGE_ALIGN_UP(bi->kernel_phys_end);

	bi->kernel_phys_end = phys + PAGE_SIZE;
	memset(phys_to_virt(phys), 0, PAGE_SIZE);
	return phys;
}

static pte_t *kernel_table_next(pte_t *table, unsigned idx, struct boot_info *bi)
{
	if (!(table[idx] & PTE_P))
		table[idx] = bump_alloc(bi) | TABLE_FLAGS_KERNEL;
	return table_of(table[idx]);
}

static void map_direct_2m(u64 phys, struct boot_info *bi)
{
	u64 va = DIRECT_MAP_BASE + phys;
	pte_t *pdpt = kernel_table_next(boot_pml4, pt_index(va, PML4_SHIFT), bi);
	pte_t *pd = kernel_table_next(pdpt, pt_index(va, PDPT_SHIFT), bi);
	pte_t e = phys | PTE_P | PTE_W | PTE_PS;

	if (x86_cpu.nx)
		e |= PTE_NX;
	pd[pt_index(va, PD_SHIFT)] = e;
}

/*
 * arch_map_all_ram - see include/arch.h. Maps usable RAM above 4 GiB into
 * the direct map with 2 MiB pages; table pages come from physical memory at
 * bi->kernel_phys_end (below 4 GiB, so already mapped), which advances.
 * Boot CPU, before any arch_pt_create(). Sleeps: no.
 */
void arch_map_all_ram(struct boot_info *bi)
{
	const u64 four_g = 1ul << 32;

	for (int i = 0; i < bi->nmem; i++) {
		u64 start = bi->mem[i].base & ~(HUGE_2M - 1);
		u64 end = bi->mem[i].base + bi->mem[i].len;

		if (start < four_g)
			start = four_g;
		for (u64 p = start; p < end; p += HUGE_2M)
			map_direct_2m(p, bi);
	}
	arch_tlb_flush_all();
}

/* arch_pt_create - see include/arch.h. Sleeps: no (page_alloc_va). */
u64 arch_pt_create(void)
{
	pte_t *root = page_alloc_va(true);

	if (!root)
		return 0;
	for (int i = USER_HALF; i < PT_ENTRIES; i++)
		root[i] = boot_pml4[i];
	return virt_to_phys(root);
}

static pte_t *walk_next(pte_t *table, unsigned idx, bool alloc)
{
	pte_t e = table[idx];

	if (e & PTE_P)
		return (e & PTE_PS) ? NULL : table_of(e);
	if (!alloc)
		return NULL;
	pte_t *next = page_alloc_va(true);

	if (!next)
		return NULL;
	table[idx] = virt_to_phys(next) | TABLE_FLAGS_USER;
	return next;
}

/*
 * arch_pt_walk - see include/arch.h. Only user addresses (below USER_TOP)
 * are walked; intermediate entries get P|W|U so the leaf alone decides the
 * permissions. Caller holds the mm lock. Sleeps: no.
 */
pte_t *arch_pt_walk(u64 root, u64 va, bool alloc)
{
	pte_t *t = phys_to_virt(root);

	if (va >= USER_TOP)
		return NULL;
	t = walk_next(t, pt_index(va, PML4_SHIFT), alloc);
	if (t)
		t = walk_next(t, pt_index(va, PDPT_SHIFT), alloc);
	if (t)
		t = walk_next(t, pt_index(va, PD_SHIFT), alloc);
	if (!t)
		return NULL;
	return &t[pt_index(va, PAGE_SHIFT)];
}

/*
 * arch_pt_walk_pde - see include/arch.h: the page-directory entry covering
 * @va, allocating the PML4/PDPT levels when @alloc. Caller holds the mm
 * lock. Sleeps: no.
 */
pte_t *arch_pt_walk_pde(u64 root, u64 va, bool alloc)
{
	pte_t *t = phys_to_virt(root);

	if (va >= USER_TOP)
		return NULL;
	t = walk_next(t, pt_index(va, PML4_SHIFT), alloc);
	if (t)
		t = walk_next(t, pt_index(va, PDPT_SHIFT), alloc);
	if (!t)
		return NULL;
	return &t[pt_index(va, PD_SHIFT)];
}

/*
 * arch_pt_next_populated - see include/arch.h. Steps from the page after
 * @va over whole absent PML4/PDPT/PD entries; the first address whose leaf
 * table exists (or @end) is returned. Caller holds the mm lock. Sleeps: no.
 */
u64 arch_pt_next_populated(u64 root, u64 va, u64 end)
{
	pte_t *pml4 = phys_to_virt(root);
	u64 a = (va & PAGE_MASK) + PAGE_SIZE;

	if (end > USER_TOP)
		end = USER_TOP;
	while (a > va && a < end) {
		pte_t e = pml4[pt_index(a, PML4_SHIFT)];
		int shift = PML4_SHIFT;

		if (e & PTE_P) {
			e = table_of(e)[pt_index(a, PDPT_SHIFT)];
			shift = PDPT_SHIFT;
			if (e & PTE_P) {
				e = table_of(e)[pt_index(a, PD_SHIFT)];
				shift = PD_SHIFT;
				if (e & PTE_P)
					return a;
			}
		}
		a = (a & ~((1ul << shift) - 1)) + (1ul << shift);
	}
	return end;
}

static void free_level(pte_t *table, int level)
{
	/* level 3: PDPT, 2: PD, 1: PT (whose entries map pages, not tables) */
	if (level > 1) {
		for (int i = 0; i < PT_ENTRIES; i++)
			if ((table[i] & PTE_P) && !(table[i] & PTE_PS))
				free_level(table_of(table[i]), level - 1);
	}
	page_free_va(table);
}

/*
 * arch_pt_free_user - see include/arch.h. Frees the table pages of PML4
 * entries 0..255 and clears them; the kernel half is shared and untouched.
 * Caller owns @root exclusively (not loaded on any CPU). Sleeps: no.
 */
void arch_pt_free_user(u64 root, bool free_root)
{
	pte_t *pml4 = phys_to_virt(root);

	for (int i = 0; i < USER_HALF; i++) {
		if (pml4[i] & PTE_P)
			free_level(table_of(pml4[i]), 3);
		pml4[i] = 0;
	}
	if (free_root)
		page_free_va(pml4);
}

static u64 count_level(const pte_t *table, int level)
{
	u64 n = 1;

	if (level > 1) {
		for (int i = 0; i < PT_ENTRIES; i++)
			if ((table[i] & PTE_P) && !(table[i] & PTE_PS))
				n += count_level(table_of(table[i]), level - 1);
	}
	return n;
}

/* arch_pt_count_user - see include/arch.h. Caller holds the mm lock. Sleeps: no. */
u64 arch_pt_count_user(u64 root)
{
	const pte_t *pml4 = phys_to_virt(root);
	u64 n = 0;

	for (int i = 0; i < USER_HALF; i++)
		if (pml4[i] & PTE_P)
			n += count_level(table_of(pml4[i]), 3);
	return n;
}

/* arch_pt_activate - see include/arch.h. Skips the CR3 write (and its full
 * TLB flush) when @root is already loaded. Sleeps: no. */
void arch_pt_activate(u64 root)
{
	if ((read_cr3() & PTE_ADDR_MASK) != root)
		write_cr3(root);
}

/* arch_tlb_flush_page - see include/arch.h (invlpg, Intel SDM vol. 2A). */
void arch_tlb_flush_page(u64 va)
{
	__asm__ volatile("invlpg (%0)" : : "r"(va) : "memory");
}

/* arch_tlb_flush_all - see include/arch.h. No global pages are used, so a
 * CR3 reload drops everything. */
void arch_tlb_flush_all(void)
{
	write_cr3(read_cr3());
}
