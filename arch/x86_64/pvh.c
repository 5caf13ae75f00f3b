/*
 * The C half of boot: turn QEMU's PVH start-of-day structure into struct
 * boot_info, bring up CPU 0 (UARTs, GDT/IDT, interrupt routing, clocks) and
 * enter the core's kernel_main(). Source for the structures: Xen public
 * header arch-x86/hvm/start_info.h (version 1).
 */
#include "x86.h"
#include "cpu.h"
#include "kernel.h"

#define HVM_START_MAGIC	0x336ec578
#define E820_RAM	1

struct hvm_start_info {
	u32 magic;
	u32 version;
	u32 flags;
	u32 nr_modules;
	u64 modlist_paddr;
	u64 cmdline_paddr;
	u64 rsdp_paddr;
	u64 memmap_paddr;	/* version >= 1 */
	u32 memmap_entries;
	u32 reserved;
};

struct hvm_modlist_entry {
	u64 paddr;
	u64 size;
	u64 cmdline_paddr;
	u64 reserved;
};

struct hvm_memmap_entry {
	u64 addr;
	u64 size;
	u32 type;
	u32 reserved;
};

__noreturn void x86_boot_main(u32 start_info_phys);

static struct boot_info boot_info;

static void parse_memmap(const struct hvm_start_info *si, struct boot_info *bi)
{
	const struct hvm_memmap_entry *e;

	if (si->version < 1 || !si->memmap_paddr)
		return;
	e = phys_to_virt(si->memmap_paddr);
	for (u32 i = 0; i < si->memmap_entries && bi->nmem < BOOT_MAX_MEM_REGIONS; i++) {
		/* Whole pages only; page 0 stays out (real-mode IVT/BDA). */
		u64 start = PAGE_ALIGN_UP(e[i].addr);
		u64 end = PAGE_ALIGN_DOWN(e[i].addr + e[i].size);

		if (e[i].type != E820_RAM)
			continue;
		if (start < PAGE_SIZE)
			start = PAGE_SIZE;
		if (end <= start)
			continue;
		bi->mem[bi->nmem].base = start;
		bi->mem[bi->nmem].len = end - start;
		bi->nmem++;
	}
}

static void parse_modules(const struct hvm_start_info *si, struct boot_info *bi)
{
	const struct hvm_modlist_entry *m;

	if (!si->nr_modules || !si->modlist_paddr)
		return;
	m = phys_to_virt(si->modlist_paddr);
	bi->initrd_phys = m[0].paddr;
	bi->initrd_len = m[0].size;
	/* Further archives count only when they directly follow (cpio
	 * archives concatenate); anything else cannot be passed on. */
	for (u32 i = 1; i < si->nr_modules; i++) {
		if (m[i].paddr != bi->initrd_phys + bi->initrd_len)
			break;
		bi->initrd_len += m[i].size;
	}
}

static void parse_start_info(u32 phys, struct boot_info *bi)
{
	const struct hvm_start_info *si = phys_to_virt(phys);

	if (si->magic != HVM_START_MAGIC) {
		printk("boot: bad hvm_start_info magic 0x%x at 0x%x\n", si->magic, phys);
		arch_poweroff(0x7f);
	}
	parse_memmap(si, bi);
	parse_modules(si, bi);
	x86_rsdp_phys = si->rsdp_paddr;
	if (si->cmdline_paddr)
		strlcpy(bi->cmdline, phys_to_virt(si->cmdline_paddr), sizeof(bi->cmdline));
	bi->kernel_phys_start = (u64)__boot_phys_start;
	bi->kernel_phys_end = (u64)__image_end - KERNEL_VIRT_BASE;
}

/*
 * x86_boot_main - called by boot.S on the boot stack in the higher half,
 * interrupts disabled, identity map still present. @start_info_phys: the
 * physical address QEMU passed in %ebx. Never returns.
 */
__noreturn void x86_boot_main(u32 start_info_phys)
{
	x86_uart_init();
	x86_cpu_probe();
	parse_start_info(start_info_phys, &boot_info);
	arch_cpu_init(&cpus[0]);
	/* Nothing low is referenced any more: GDT, IDT, stack and start_info
	 * are all reached through the higher half now. */
	x86_mmu_boot_finish();
	x86_irq_init();
	x86_time_init();
	printk("boot: cpu features:%s%s%s%s\n", x86_cpu.nx ? " nx" : "",
	       x86_cpu.smep ? " smep" : "", x86_cpu.smap ? " smap" : "",
	       x86_cpu.rdrand ? " rdrand" : "");
	printk("boot: %d RAM regions, initrd %lu bytes, cmdline \"%s\"\n",
	       boot_info.nmem, boot_info.initrd_len, boot_info.cmdline);
	x86_acpi_sleep_init(boot_info.cmdline);
	kernel_main(&boot_info);
	/* NOTREACHED */
}
