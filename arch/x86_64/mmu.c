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

/* The page directory of the kernel mapped area [KMAP_BASE, KMAP_BASE + KMAP_SIZE): made at
 * boot with its PDPT, so every root shares it; its page tables come on demand. [I] */
static pte_t *kmap_pd;

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
	kmap_pd = kernel_table_next(kernel_table_next(boot_pml4, pt_index(KMAP_BASE, PML4_SHIFT), bi),
				    pt_index(KMAP_BASE, PDPT_SHIFT), bi);
	arch_tlb_flush_all();
}

/*
 * arch_kmap_set - see include/arch.h. A missing page table is installed with a
 * compare-and-swap, so callers mapping different pages need no common lock; table pages
 * are never freed. Sleeps: no.
 */
bool arch_kmap_set(u64 va, u64 phys)
{
	pte_t *pde = &kmap_pd[pt_index(va, PD_SHIFT)];
	pte_t e = __atomic_load_n(pde, __ATOMIC_ACQUIRE);

	KASSERT(va >= KMAP_BASE && va - KMAP_BASE < KMAP_SIZE);
	if (!(e & PTE_P)) {
		pte_t *t;

		if (!phys)
			return true;
		t = page_alloc_va(true);
		if (!t)
			return false;
		pte_t want = virt_to_phys(t) | TABLE_FLAGS_KERNEL;

		if (__atomic_compare_exchange_n(pde, &e, want, false, __ATOMIC_ACQ_REL,
						__ATOMIC_ACQUIRE))
			e = want;
		else
			page_free_va(t);	/* another CPU installed one first */
	}
	pte_t leaf = phys ? phys | PTE_P | PTE_W | (x86_cpu.nx ? PTE_NX : 0) : 0;

	__atomic_store_n(&table_of(e)[pt_index(va, PAGE_SHIFT)], leaf, __ATOMIC_RELEASE);
	return true;
}

/* arch_kmap_phys - see include/arch.h. Sleeps: no. */
u64 arch_kmap_phys(u64 va)
{
	pte_t e = __atomic_load_n(&kmap_pd[pt_index(va, PD_SHIFT)], __ATOMIC_ACQUIRE);

	if (!(e & PTE_P))
		return 0;
	e = __atomic_load_n(&table_of(e)[pt_index(va, PAGE_SHIFT)], __ATOMIC_ACQUIRE);
	return (e & PTE_P) ? pte_phys(e) : 0;
}

/* arch_pt_create - see include/arch.h. Sleeps: no (page_alloc_va). */
u64 arch_pt_create(void)
{
	pte_t *root = page_alloc_va(false);

	if (!root)
		return 0;
	/* Each half written once: the user half cleared, the kernel half copied. */
	memset(root, 0, USER_HALF * sizeof(pte_t));
	memcpy(root + USER_HALF, boot_pml4 + USER_HALF, (PT_ENTRIES - USER_HALF) * sizeof(pte_t));
	return virt_to_phys(root);
}

/*
 * Group summaries of the upper-level tables. Each table page made here keeps
 * in its struct page's priv word a 64-bit summary: bit g is set once entry
 * 8g..8g+7 has been made present, and is only forgotten with the whole table
 * (freed, or the user half of a PML4 cleared). Every PML4 and PDPT entry of a
 * user address space is made by walk_next(), so for those two levels the
 * summary is complete and a sweep visits only the groups it marks; page
 * directories also get entries from mm/ptshare.c, so theirs are not used.
 */
static u64 *summary_of(const pte_t *table)
{
	return (u64 *)&phys_to_page(virt_to_phys(table))->priv;
}

/* The first index in [@i, @n) of PML4 or PDPT @table with a present entry,
 * or @n, looking only at the groups its summary marks. */
static unsigned next_present_upper(const pte_t *table, unsigned i, unsigned n)
{
	u64 sum = *summary_of(table);

	while (i < n) {
		u64 left = sum & (~0ull << (i / 8));

		if (!left)
			return n;
		unsigned g = (unsigned)__builtin_ctzll(left);

		if (g * 8 > i)
			i = g * 8;
		unsigned stop = MIN(g * 8 + 8, n);

		if (i >= stop)
			return n;
		unsigned j = pt_next_present(table, i, stop);

		if (j < stop)
			return j;
		i = stop;
	}
	return n;
}

/* Inline: every walk (each page fault's) takes two or three steps. The allocation is the
 * rare branch, out of line. */
static __attribute__((noinline)) pte_t *walk_alloc(pte_t *table, unsigned idx)
{
	pte_t *next = page_alloc_va(true);

	if (!next)
		return NULL;
	table[idx] = virt_to_phys(next) | TABLE_FLAGS_USER;
	*summary_of(table) |= 1ull << (idx / 8);
	return next;
}

static inline __attribute__((always_inline)) pte_t *walk_next(pte_t *table, unsigned idx,
							      bool alloc)
{
	pte_t e = table[idx];

	if (e & PTE_P)
		return (e & PTE_PS) ? NULL : table_of(e);
	if (!alloc)
		return NULL;
	return walk_alloc(table, idx);
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

/* The first index >= @i of @table with a present entry, or PT_ENTRIES. */
static inline unsigned next_present(const pte_t *table, unsigned i)
{
	return pt_next_present(table, i, PT_ENTRIES);
}

/*
 * arch_pt_next_populated - see include/arch.h. From the page after @va, scans
 * each level's table in place for its next present entry (rather than walking
 * from the top once per absent entry), descending into present ones; the
 * first address whose leaf table exists (or @end) is returned. Caller holds
 * the mm lock. Sleeps: no.
 */
u64 arch_pt_next_populated(u64 root, u64 va, u64 end)
{
	pte_t *pml4 = phys_to_virt(root);
	u64 a = (va & PAGE_MASK) + PAGE_SIZE;

	if (end > USER_TOP)
		end = USER_TOP;
	if (a <= va || a >= end)
		return end;
	/* The indices of @a; once a level moves past @a's entry, the levels
	 * below it start from their first entry. */
	unsigned i4 = pt_index(a, PML4_SHIFT), i3 = pt_index(a, PDPT_SHIFT);
	unsigned i2 = pt_index(a, PD_SHIFT);

	for (i4 = next_present_upper(pml4, i4, USER_HALF); i4 < USER_HALF;
	     i4 = next_present_upper(pml4, i4 + 1, USER_HALF)) {
		u64 base4 = (u64)i4 << PML4_SHIFT;

		if (base4 >= end)
			return end;
		if (base4 > a)
			i3 = i2 = 0;
		pte_t *pdpt = table_of(pml4[i4]);

		for (i3 = next_present_upper(pdpt, i3, PT_ENTRIES); i3 < PT_ENTRIES;
		     i3 = next_present_upper(pdpt, i3 + 1, PT_ENTRIES)) {
			u64 base3 = base4 | ((u64)i3 << PDPT_SHIFT);

			if (base3 >= end)
				return end;
			if (base3 > a)
				i2 = 0;
			unsigned j = next_present(table_of(pdpt[i3]), i2);

			if (j < PT_ENTRIES) {
				u64 hit = base3 | ((u64)j << PD_SHIFT);

				hit = hit > a ? hit : a;
				return hit < end ? hit : end;
			}
			i2 = 0;
		}
		i3 = i2 = 0;
	}
	return end;
}

static void free_level(pte_t *table, int level)
{
	/* level 3: PDPT, 2: PD, 1: PT (whose entries map pages, not tables) */
	if (level == 3) {
		for (unsigned i = next_present_upper(table, 0, PT_ENTRIES); i < PT_ENTRIES;
		     i = next_present_upper(table, i + 1, PT_ENTRIES))
			if (!(table[i] & PTE_PS))
				free_level(table_of(table[i]), level - 1);
	} else if (level > 1) {
		for (unsigned i = next_present(table, 0); i < PT_ENTRIES;
		     i = next_present(table, i + 1))
			if (!(table[i] & PTE_PS))
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

	for (unsigned i = next_present_upper(pml4, 0, USER_HALF); i < USER_HALF;
	     i = next_present_upper(pml4, i + 1, USER_HALF)) {
		free_level(table_of(pml4[i]), 3);
		pml4[i] = 0;	/* the absent ones are 0 already */
	}
	/* The kernel half (groups 32..63) is never swept: the summary can go. */
	*summary_of(pml4) = 0;
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
