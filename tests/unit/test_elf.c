/*
 * Host tests for kernel/elf.c (elf_check_ehdr, elf_check_phdrs).
 *
 * Images are built in memory: a static ET_EXEC laid out like musl's (four
 * PT_LOADs), a static-PIE ET_DYN, then one mutation per refusal rule. The
 * real static executables named on the command line (unit.mk passes a musl
 * binary, a glibc static PIE and /bin/busybox) must be accepted. Finally a
 * fixed-seed mutation fuzzer checks that the checks never read out of bounds
 * (every buffer is an exact-size heap copy under AddressSanitizer) and that
 * whatever they accept satisfies the documented guarantees.
 *
 * Headers are copied out of the file the way the kernel's exec does (into
 * their own buffers), so the checks see aligned, exact-size objects.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "arch.h"
#include "elf.h"
#include "uapi/errno.h"

#define IMG_SIZE 0x5000

static int sample_argc;
static char **sample_argv;

/* exec's path: header, then the program header table, from the file bytes. */
static int check_image(const unsigned char *img, u64 size, struct elf_info *out)
{
	Elf64_Ehdr eh;
	Elf64_Phdr *ph;
	int err;

	if (size < sizeof(eh))
		return -ENOEXEC;
	memcpy(&eh, img, sizeof(eh));
	err = elf_check_ehdr(&eh, size);
	if (err)
		return err;
	ph = malloc(eh.e_phnum * sizeof(*ph));
	assert_non_null(ph);
	memcpy(ph, img + eh.e_phoff, eh.e_phnum * sizeof(*ph));
	err = elf_check_phdrs(&eh, ph, size, out);
	free(ph);
	return err;
}

struct image {
	unsigned char buf[IMG_SIZE];
	u64 size;
};

static Elf64_Ehdr *ehdr(struct image *im) { return (Elf64_Ehdr *)im->buf; }
static Elf64_Phdr *phdr(struct image *im, int i)
{
	return (Elf64_Phdr *)(im->buf + ehdr(im)->e_phoff) + i;
}

static void init_ehdr(struct image *im, u16 type, u64 entry, u16 phnum)
{
	Elf64_Ehdr *eh = ehdr(im);

	memset(im, 0, sizeof(*im));
	memcpy(eh->e_ident, "\177ELF", 4);
	eh->e_ident[EI_CLASS] = ELFCLASS64;
	eh->e_ident[EI_DATA] = ELFDATA2LSB;
	eh->e_ident[EI_VERSION] = EV_CURRENT;
	eh->e_type = type;
	eh->e_machine = EM_X86_64;
	eh->e_version = EV_CURRENT;
	eh->e_entry = entry;
	eh->e_phoff = sizeof(Elf64_Ehdr);
	eh->e_ehsize = sizeof(Elf64_Ehdr);
	eh->e_phentsize = sizeof(Elf64_Phdr);
	eh->e_phnum = phnum;
}

static void set_ph(struct image *im, int i, u32 type, u32 flags, u64 off, u64 vaddr,
		   u64 filesz, u64 memsz)
{
	Elf64_Phdr *p = phdr(im, i);

	p->p_type = type;
	p->p_flags = flags;
	p->p_offset = off;
	p->p_vaddr = vaddr;
	p->p_paddr = vaddr;
	p->p_filesz = filesz;
	p->p_memsz = memsz;
	p->p_align = type == PT_LOAD ? 0x1000 : 8;
}

/* The layout `musl-gcc -static` produces (readelf -lW of a hello world). */
static void build_exec(struct image *im)
{
	init_ehdr(im, ET_EXEC, 0x40104b, 6);
	set_ph(im, 0, PT_LOAD, PF_R, 0, 0x400000, 0x190, 0x190);
	set_ph(im, 1, PT_LOAD, PF_R | PF_X, 0x1000, 0x401000, 0x1291, 0x1291);
	set_ph(im, 2, PT_LOAD, PF_R, 0x3000, 0x403000, 0x44, 0x44);
	set_ph(im, 3, PT_LOAD, PF_R | PF_W, 0x3fc0, 0x404fc0, 0x150, 0x1798);
	set_ph(im, 4, PT_GNU_STACK, PF_R | PF_W, 0, 0, 0, 0);
	set_ph(im, 5, PT_GNU_RELRO, PF_R, 0x3fc0, 0x404fc0, 0x40, 0x40);
	im->size = 0x4110;
}

/* A static PIE: PT_PHDR, PT_DYNAMIC, linked at 0, executable stack. */
static void build_dyn(struct image *im)
{
	init_ehdr(im, ET_DYN, 0x106b, 6);
	set_ph(im, 0, PT_PHDR, PF_R, 0x40, 0x40, 6 * 56, 6 * 56);
	set_ph(im, 1, PT_LOAD, PF_R, 0, 0, 0x4b8, 0x4b8);
	set_ph(im, 2, PT_LOAD, PF_R | PF_X, 0x1000, 0x1000, 0x17c, 0x17c);
	set_ph(im, 3, PT_LOAD, PF_R | PF_W, 0x2e00, 0x3e00, 0x218, 0x11e0);
	set_ph(im, 4, PT_DYNAMIC, PF_R | PF_W, 0x2e10, 0x3e10, 0x100, 0x100);
	set_ph(im, 5, PT_GNU_STACK, PF_R | PF_W | PF_X, 0, 0, 0, 0);
	im->size = 0x3018;
}

static void expect_ok(struct image *im, struct elf_info *info)
{
	assert_int_equal(check_image(im->buf, im->size, info), 0);
}

static void expect_noexec(struct image *im)
{
	struct elf_info info;

	assert_int_equal(check_image(im->buf, im->size, &info), -ENOEXEC);
}

static void assert_seg(const struct elf_segment *s, u64 vaddr, u64 memsz, u64 off, u64 filesz,
		       u32 prot)
{
	assert_int_equal(s->vaddr, vaddr);
	assert_int_equal(s->memsz, memsz);
	assert_int_equal(s->offset, off);
	assert_int_equal(s->filesz, filesz);
	assert_int_equal(s->prot, prot);
}

static void test_valid_exec(void **state)
{
	struct image im;
	struct elf_info info;

	build_exec(&im);
	expect_ok(&im, &info);
	assert_int_equal(info.type, ET_EXEC);
	assert_int_equal(info.load_bias, 0);
	assert_int_equal(info.entry, 0x40104b);
	assert_int_equal(info.phnum, 6);
	assert_int_equal(info.phentsize, sizeof(Elf64_Phdr));
	/* No PT_PHDR: the first PT_LOAD maps file offset 64. */
	assert_int_equal(info.phdr_vaddr, 0x400040);
	assert_int_equal(info.nseg, 4);
	assert_seg(&info.seg[0], 0x400000, 0x190, 0, 0x190, MMU_USER | MMU_READ);
	assert_seg(&info.seg[1], 0x401000, 0x1291, 0x1000, 0x1291,
		   MMU_USER | MMU_READ | MMU_EXEC);
	assert_seg(&info.seg[2], 0x403000, 0x44, 0x3000, 0x44, MMU_USER | MMU_READ);
	assert_seg(&info.seg[3], 0x404fc0, 0x1798, 0x3fc0, 0x150,
		   MMU_USER | MMU_READ | MMU_WRITE);
	assert_int_equal(info.lo, 0x400000);
	assert_int_equal(info.hi, 0x404fc0 + 0x1798);
	assert_false(info.exec_stack);
}

static void test_valid_static_pie(void **state)
{
	struct image im;
	struct elf_info info;

	build_dyn(&im);
	expect_ok(&im, &info);
	assert_int_equal(info.type, ET_DYN);
	assert_int_equal(info.load_bias, ELF_ET_DYN_BASE);
	assert_int_equal(info.entry, ELF_ET_DYN_BASE + 0x106b);
	assert_int_equal(info.phdr_vaddr, ELF_ET_DYN_BASE + 0x40);
	assert_int_equal(info.nseg, 3);
	assert_seg(&info.seg[0], ELF_ET_DYN_BASE, 0x4b8, 0, 0x4b8, MMU_USER | MMU_READ);
	assert_seg(&info.seg[2], ELF_ET_DYN_BASE + 0x3e00, 0x11e0, 0x2e00, 0x218,
		   MMU_USER | MMU_READ | MMU_WRITE);
	assert_int_equal(info.lo, ELF_ET_DYN_BASE);
	assert_int_equal(info.hi, ELF_ET_DYN_BASE + 0x3e00 + 0x11e0);
	assert_true(info.exec_stack);

	/* A PIE linked at a non-zero page still lands at ELF_ET_DYN_BASE. */
	for (int i = 0; i < 6; i++) {
		phdr(&im, i)->p_vaddr += 0x200000;
	}
	ehdr(&im)->e_entry += 0x200000;
	expect_ok(&im, &info);
	assert_int_equal(info.load_bias, ELF_ET_DYN_BASE - 0x200000);
	assert_int_equal(info.seg[0].vaddr, ELF_ET_DYN_BASE);
	assert_int_equal(info.entry, ELF_ET_DYN_BASE + 0x106b);
	assert_int_equal(info.phdr_vaddr, ELF_ET_DYN_BASE + 0x40);
}

static void test_bad_ehdr(void **state)
{
	struct image im;
	Elf64_Ehdr eh;

	build_exec(&im);
	memcpy(&eh, im.buf, sizeof(eh));
	assert_int_equal(elf_check_ehdr(&eh, im.size), 0);
	assert_int_equal(elf_check_ehdr(&eh, sizeof(eh) - 1), -ENOEXEC);	/* truncated */
	/* The header fits but the program header table does not. */
	assert_int_equal(elf_check_ehdr(&eh, 64 + 6 * 56 - 1), -ENOEXEC);
	assert_int_equal(elf_check_ehdr(&eh, 64 + 6 * 56), 0);

#define BAD(stmt)                                                       \
	do {                                                            \
		build_exec(&im);                                        \
		stmt;                                                   \
		expect_noexec(&im);                                     \
	} while (0)

	BAD(ehdr(&im)->e_ident[0] = 0x7e);
	BAD(ehdr(&im)->e_ident[3] = 'f');
	BAD(ehdr(&im)->e_ident[EI_CLASS] = 1);			/* ELFCLASS32 */
	BAD(ehdr(&im)->e_ident[EI_DATA] = 2);			/* big-endian */
	BAD(ehdr(&im)->e_ident[EI_VERSION] = 0);
	BAD(ehdr(&im)->e_version = 2);
	BAD(ehdr(&im)->e_machine = 3);				/* EM_386 */
	BAD(ehdr(&im)->e_machine = 183);			/* EM_AARCH64 */
	BAD(ehdr(&im)->e_type = 1);				/* ET_REL */
	BAD(ehdr(&im)->e_type = 4);				/* ET_CORE */
	BAD(ehdr(&im)->e_phentsize = 32);
	BAD(ehdr(&im)->e_phnum = 0);
	BAD(ehdr(&im)->e_phnum = ELF_MAX_PHNUM + 1);
	BAD(ehdr(&im)->e_phnum = 0xffff);
	BAD(ehdr(&im)->e_phoff = im.size);			/* past EOF */
	BAD(ehdr(&im)->e_phoff = im.size - 6 * 56 + 1);
	BAD(ehdr(&im)->e_phoff = UINT64_MAX - 100);		/* phoff + size wraps */
	BAD(im.size = 63);
}

static void test_bad_segments(void **state)
{
	struct image im;

	/* p_filesz > p_memsz */
	BAD(phdr(&im, 3)->p_memsz = 0x100);
	/* File range past EOF, and overflowing 2^64. */
	BAD(phdr(&im, 3)->p_filesz = 0x151);
	BAD(phdr(&im, 1)->p_offset = im.size + 0x1000);
	BAD({ phdr(&im, 1)->p_filesz = UINT64_MAX - 0x800;
	      phdr(&im, 1)->p_memsz = UINT64_MAX; });
	BAD({ phdr(&im, 1)->p_filesz = 0x1000;
	      phdr(&im, 1)->p_offset = UINT64_MAX - 0xfff; });
	/* Overlapping byte ranges (same page offset so only the overlap is wrong). */
	BAD(phdr(&im, 2)->p_vaddr = 0x402000);
	BAD(phdr(&im, 3)->p_vaddr = 0x402fc0);
	/* Unsorted: RX and second R segment swapped. */
	BAD({ Elf64_Phdr t = *phdr(&im, 1); *phdr(&im, 1) = *phdr(&im, 2);
	      *phdr(&im, 2) = t; });
	/* Kernel half, non-canonical, and right at/over the top of user space. */
	BAD(phdr(&im, 3)->p_vaddr = 0xffff800000404fc0UL);
	BAD(phdr(&im, 3)->p_vaddr = 0x0000800000004fc0UL);
	BAD(phdr(&im, 3)->p_vaddr = (USER_TOP - 0x1000) | 0xfc0);
	/* Below USER_BASE (a NULL-page mapping). */
	BAD({ phdr(&im, 0)->p_vaddr = 0; ehdr(&im)->e_entry = 0x10; });
	/* vaddr + memsz overflows. */
	BAD({ phdr(&im, 3)->p_vaddr = 0xfffffffffffff000UL + 0xfc0;
	      phdr(&im, 3)->p_memsz = 0x2000; });
	/* PT_INTERP: an empty name, one past PATH_MAX, outside the file. */
	BAD(set_ph(&im, 5, PT_INTERP, PF_R, 0x190, 0x400190, 0, 0));
	BAD(set_ph(&im, 5, PT_INTERP, PF_R, 0x190, 0x400190, 1, 1));
	BAD(set_ph(&im, 5, PT_INTERP, PF_R, 0x0, 0x400000, ELF_INTERP_MAX + 1, 0x1000));
	BAD(set_ph(&im, 5, PT_INTERP, PF_R, 0x4100, 0x404100, 0x11, 0x11));
	BAD(set_ph(&im, 5, PT_INTERP, PF_R, UINT64_MAX - 4, 0x400190, 0x19, 0x19));
	/* p_vaddr and p_offset not congruent modulo the page size. */
	BAD(phdr(&im, 1)->p_offset = 0x1001);
	BAD(phdr(&im, 3)->p_vaddr = 0x404fc8);
	/* Entry point outside every PT_LOAD (in a gap, at the very end, far off). */
	BAD(ehdr(&im)->e_entry = 0x402800);
	BAD(ehdr(&im)->e_entry = 0x404fc0 + 0x1798);
	BAD(ehdr(&im)->e_entry = 0);
	/* No PT_LOAD at all. */
	BAD({ for (int i = 0; i < 4; i++) phdr(&im, i)->p_type = PT_NOTE; });
}

/* A dynamic program: PT_INTERP is recorded (the first one), nothing else changes. */
static void test_interp(void **state)
{
	struct image im;
	struct elf_info info;
	static const char name[] = "/lib64/ld-linux-x86-64.so.2";

	build_exec(&im);
	set_ph(&im, 5, PT_INTERP, PF_R, 0x190, 0x400190, sizeof(name), sizeof(name));
	memcpy(im.buf + 0x190, name, sizeof(name));
	expect_ok(&im, &info);
	assert_int_equal(info.interp_off, 0x190);
	assert_int_equal(info.interp_len, sizeof(name));
	assert_int_equal(info.nseg, 4);
	assert_int_equal(elf_check_interp_name((const char *)im.buf + 0x190, info.interp_len), 0);
	/* The largest name accepted: PATH_MAX bytes with the NUL. */
	set_ph(&im, 5, PT_INTERP, PF_R, 0, 0x400000, ELF_INTERP_MAX, ELF_INTERP_MAX);
	expect_ok(&im, &info);
	assert_int_equal(info.interp_len, ELF_INTERP_MAX);

	/* Two PT_INTERPs: the first counts, even if the second is bad. */
	build_dyn(&im);
	set_ph(&im, 4, PT_INTERP, PF_R, 0x238, 0x238, 0x1c, 0x1c);
	set_ph(&im, 5, PT_INTERP, PF_R, 0, 0, 0, 0);
	expect_ok(&im, &info);
	assert_int_equal(info.interp_off, 0x238);
	assert_int_equal(info.interp_len, 0x1c);

	/* A static image has none. */
	build_exec(&im);
	expect_ok(&im, &info);
	assert_int_equal(info.interp_len, 0);

	/* The name must end with its NUL and must not be empty. */
	assert_int_equal(elf_check_interp_name("/lib/ld.so", 11), 0);
	assert_int_equal(elf_check_interp_name("/lib/ld.so", 10), -ENOEXEC);
	assert_int_equal(elf_check_interp_name("ab", 2), -ENOEXEC);
	assert_int_equal(elf_check_interp_name("\0\0", 2), -ENOENT);
	assert_int_equal(elf_check_interp_name("a\0b\0", 4), 0);	/* up to the first NUL */
}

/* elf_check_phdrs_at: an ET_DYN image at a chosen base; ET_EXEC ignores it. */
static void test_dyn_base(void **state)
{
	struct image im;
	struct elf_info info;
	u64 base = 0x7f0000000000UL;

	build_dyn(&im);
	assert_int_equal(elf_check_phdrs_at(ehdr(&im), phdr(&im, 0), im.size, base, &info), 0);
	assert_int_equal(info.load_bias, base);
	assert_int_equal(info.entry, base + 0x106b);
	assert_int_equal(info.phdr_vaddr, base + 0x40);
	assert_int_equal(info.seg[0].vaddr, base);
	assert_int_equal(info.hi, base + 0x3e00 + 0x11e0);
	/* Unaligned, too high for the image, or below user space. */
	assert_int_equal(elf_check_phdrs_at(ehdr(&im), phdr(&im, 0), im.size, base + 8, &info),
			 -ENOEXEC);
	assert_int_equal(elf_check_phdrs_at(ehdr(&im), phdr(&im, 0), im.size, USER_TOP - 0x1000,
					    &info), -ENOEXEC);
	assert_int_equal(elf_check_phdrs_at(ehdr(&im), phdr(&im, 0), im.size, 0, &info),
			 -ENOEXEC);
	assert_int_equal(elf_check_phdrs_at(ehdr(&im), phdr(&im, 0), im.size,
					    0xfffffffffffff000UL, &info), -ENOEXEC);

	build_exec(&im);
	assert_int_equal(elf_check_phdrs_at(ehdr(&im), phdr(&im, 0), im.size, base, &info), 0);
	assert_int_equal(info.load_bias, 0);
	assert_int_equal(info.seg[0].vaddr, 0x400000);
}

/* elf_random_base: page-aligned, at most ELF_RND_PAGES pages below the top. */
static void test_random_base(void **state)
{
	u64 top = 0x7fffef000000UL, floor = 0x600000UL;

	assert_int_equal(elf_random_base(top, 0x2a000, 0, floor), top - 0x2a000);
	assert_int_equal(elf_random_base(top, 0x29001, 0, floor), top - 0x2a000);
	assert_int_equal(elf_random_base(top, 0x2a000, 5, floor), top - 0x2a000 - 5 * 0x1000);
	/* The random number is taken modulo the range. */
	assert_int_equal(elf_random_base(top, 0x1000, ELF_RND_PAGES + 3, floor),
			 top - 0x1000 - 3 * 0x1000);
	assert_int_equal(elf_random_base(top, 0x1000, ELF_RND_PAGES - 1, floor),
			 top - 0x1000 - (ELF_RND_PAGES - 1) * 0x1000);
	/* An unaligned top rounds down. */
	assert_int_equal(elf_random_base(top + 0x123, 0x1000, 0, floor), top - 0x1000);
	for (u64 r = 1; r < 1000000; r = r * 7 + 13) {
		u64 b = elf_random_base(top, 0x2a000, r * 0x9e3779b97f4a7c15UL, floor);

		assert_int_equal(b & 0xfff, 0);
		assert_true(b + 0x2a000 <= top);
		assert_true(b >= top - 0x2a000 - ELF_RND_PAGES * 0x1000);
	}
	/* No room: above the floor, empty, wrapping. */
	assert_int_equal(elf_random_base(0x620000, 0x2a000, 0, floor), 0);
	assert_int_equal(elf_random_base(top, 0, 0, floor), 0);
	assert_int_equal(elf_random_base(top, UINT64_MAX - 10, 0, floor), 0);
	assert_int_equal(elf_random_base(top, top + 0x1000, 0, 0), 0);
}

static void test_segment_edges_accepted(void **state)
{
	struct image im;
	struct elf_info info;

	/* Entry in the .bss part of a segment is inside it. */
	build_exec(&im);
	ehdr(&im)->e_entry = 0x404fc0 + 0x1797;
	expect_ok(&im, &info);

	/* Top of user space exactly reached. */
	build_exec(&im);
	phdr(&im, 3)->p_vaddr = (USER_TOP - 0x2000) | 0xfc0;
	phdr(&im, 3)->p_memsz = USER_TOP - phdr(&im, 3)->p_vaddr;
	expect_ok(&im, &info);
	assert_int_equal(info.hi, USER_TOP);
	phdr(&im, 3)->p_memsz++;
	expect_noexec(&im);

	/*
	 * glibc's layout: the RW segment starts mid-page in the page where the
	 * previous segment ends (prev ends 0x4a06d0, next starts 0x4a06d8).
	 */
	build_exec(&im);
	set_ph(&im, 2, PT_LOAD, PF_R, 0x3000, 0x403000, 0x6d0, 0x6d0);
	set_ph(&im, 3, PT_LOAD, PF_R | PF_W, 0x36d8, 0x4036d8, 0x150, 0x1798);
	im.size = 0x36d8 + 0x150;
	expect_ok(&im, &info);
	assert_int_equal(info.nseg, 4);
	assert_int_equal(info.seg[3].vaddr, 0x4036d8);
	/* ... and touching exactly (end == start) is fine too. */
	set_ph(&im, 3, PT_LOAD, PF_R | PF_W, 0x36d0, 0x4036d0, 0x150, 0x1798);
	expect_ok(&im, &info);
	/* ... but one byte of overlap is not. */
	set_ph(&im, 3, PT_LOAD, PF_R | PF_W, 0x36c8, 0x4036c8, 0x150, 0x1798);
	expect_noexec(&im);

	/* An empty PT_LOAD is skipped, wherever it points. */
	build_exec(&im);
	set_ph(&im, 5, PT_LOAD, PF_R, 0x10, 0x10, 0, 0);
	expect_ok(&im, &info);
	assert_int_equal(info.nseg, 4);

	/* PT_PHDR wins over the PT_LOAD search. */
	build_exec(&im);
	set_ph(&im, 5, PT_PHDR, PF_R, 0x40, 0x400040 + 0x1000, 6 * 56, 6 * 56);
	expect_ok(&im, &info);
	assert_int_equal(info.phdr_vaddr, 0x401040);

	/* Table outside every PT_LOAD's file bytes: AT_PHDR is 0, as in Linux. */
	build_exec(&im);
	phdr(&im, 0)->p_filesz = phdr(&im, 0)->p_memsz = 0x100;
	expect_ok(&im, &info);
	assert_int_equal(info.phdr_vaddr, 0);
}

static void test_load_count_limit(void **state)
{
	struct image im;
	struct elf_info info;
	int n = ELF_MAX_LOAD;

	init_ehdr(&im, ET_EXEC, 0x400000, (u16)(n + 1));
	for (int i = 0; i < n + 1; i++)
		set_ph(&im, i, PT_LOAD, PF_R | PF_X, 0, 0x400000 + 0x1000 * (u64)i, 0x100, 0x100);
	im.size = 0x1000;
	expect_noexec(&im);
	ehdr(&im)->e_phnum = (u16)n;
	expect_ok(&im, &info);
	assert_int_equal(info.nseg, n);
}

static void test_dyn_bias_overflow(void **state)
{
	struct image im;

	/* A segment far above the first one: its biased address wraps 2^64. */
	build_dyn(&im);
	phdr(&im, 3)->p_vaddr = 0xffffffff00000e00UL;
	expect_noexec(&im);
	/* Or leaves user space. */
	build_dyn(&im);
	phdr(&im, 3)->p_vaddr = 0x7fff00000e00UL;
	expect_noexec(&im);
	/* A PIE whose first PT_LOAD is not the lowest. */
	build_dyn(&im);
	phdr(&im, 2)->p_vaddr = 0x5000;
	phdr(&im, 3)->p_vaddr = 0x2e00;
	expect_noexec(&im);
}

static unsigned char *read_file(const char *path, u64 *size)
{
	FILE *f = fopen(path, "rb");
	unsigned char *buf;
	long n;

	if (!f)
		fail_msg("cannot open %s", path);
	fseek(f, 0, SEEK_END);
	n = ftell(f);
	fseek(f, 0, SEEK_SET);
	buf = malloc((size_t)n);
	assert_non_null(buf);
	assert_int_equal(fread(buf, 1, (size_t)n, f), (size_t)n);
	fclose(f);
	*size = (u64)n;
	return buf;
}

/* The executables unit.mk passes: all must be accepted as they are. */
static void test_real_binaries(void **state)
{
	assert_true(sample_argc >= 1);
	for (int a = 0; a < sample_argc; a++) {
		struct elf_info info;
		const Elf64_Ehdr *eh;
		u64 size;
		unsigned char *img = read_file(sample_argv[a], &size);
		int err = check_image(img, size, &info);

		if (err)
			fail_msg("%s refused: %d", sample_argv[a], err);
		eh = (const Elf64_Ehdr *)img;
		assert_int_equal(info.type, eh->e_type);
		assert_true(info.nseg >= 2);
		assert_int_equal(info.entry, eh->e_entry + info.load_bias);
		assert_true(info.lo >= USER_BASE && info.hi <= USER_TOP);
		assert_true(info.phdr_vaddr >= info.lo && info.phdr_vaddr < info.hi);
		if (info.type == ET_DYN)
			assert_int_equal(PAGE_ALIGN_DOWN(info.lo), ELF_ET_DYN_BASE);
		else
			assert_int_equal(info.load_bias, 0);
		if (info.interp_len)
			assert_int_equal(elf_check_interp_name((const char *)img + info.interp_off,
							       info.interp_len), 0);
		print_message("  %s: %s, %d PT_LOADs, entry 0x%llx\n", sample_argv[a],
			      info.type == ET_DYN ? "ET_DYN" : "ET_EXEC", info.nseg,
			      (unsigned long long)info.entry);
		free(img);
	}
}

/* What an accepted image guarantees to the loader (include/elf.h). */
static void assert_accepted_invariants(const struct elf_info *info, u64 size)
{
	bool entry_ok = false;

	assert_true(info->nseg >= 1 && info->nseg <= ELF_MAX_LOAD);
	for (int i = 0; i < info->nseg; i++) {
		const struct elf_segment *s = &info->seg[i];

		assert_true(s->filesz <= s->memsz);
		assert_true(s->offset <= size && s->filesz <= size - s->offset);
		assert_true(s->vaddr >= PAGE_ALIGN_DOWN(USER_BASE));
		assert_true(s->memsz <= USER_TOP - s->vaddr);
		assert_int_equal((s->vaddr ^ s->offset) & (PAGE_SIZE - 1), 0);
		assert_true(s->prot & MMU_USER);
		if (i > 0)
			assert_true(s->vaddr >= info->seg[i - 1].vaddr + info->seg[i - 1].memsz);
		if (info->entry >= s->vaddr && info->entry - s->vaddr < s->memsz)
			entry_ok = true;
	}
	assert_true(entry_ok);
	assert_int_equal(info->lo, info->seg[0].vaddr);
	assert_int_equal(info->hi, info->seg[info->nseg - 1].vaddr +
				   info->seg[info->nseg - 1].memsz);
}

static u64 rng_state = 0x0123456789abcdefULL;

static u64 rng(void)
{
	rng_state ^= rng_state << 13;
	rng_state ^= rng_state >> 7;
	rng_state ^= rng_state << 17;
	return rng_state;
}

static u64 interesting(void)
{
	static const u64 vals[] = {
		0, 1, 0x40, 0xfff, 0x1000, 0x1001, 0x400000, USER_BASE, USER_TOP,
		USER_TOP - 1, USER_TOP + 1, 0x7fffffffffffULL, 0x800000000000ULL,
		0xffff800000000000ULL, UINT64_MAX, UINT64_MAX - 0xfff, INT64_MAX,
		ELF_ET_DYN_BASE, 0x100000000ULL,
	};

	return vals[rng() % (sizeof(vals) / sizeof(vals[0]))] + (rng() % 4 == 0 ? rng() % 8 : 0);
}

static void mutate(unsigned char *buf, u64 size)
{
	u64 hdr_end = 64 + 6 * 56;
	u64 pos;

	switch (rng() % 4) {
	case 0:	/* one random byte in the headers */
		buf[rng() % hdr_end] = (unsigned char)rng();
		break;
	case 1:	/* a bit flip */
		pos = rng() % hdr_end;
		buf[pos] ^= (unsigned char)(1u << (rng() % 8));
		break;
	case 2:	/* an interesting value in an 8-byte-aligned header word */
		pos = (rng() % (hdr_end / 8)) * 8;
		{
			u64 v = interesting();

			memcpy(buf + pos, &v, 8);
		}
		break;
	default:	/* a small field: e_phnum or a p_type */
		pos = (rng() % 2) ? 56 : 64 + (rng() % 6) * 56;
		{
			u16 v = (u16)(rng() % 3 ? rng() % 80 : rng());

			memcpy(buf + pos, &v, 2);
		}
		break;
	}
	(void)size;
}

static void fuzz_from(void (*build)(struct image *), int iterations, int *accepted)
{
	struct image base;

	build(&base);
	for (int it = 0; it < iterations; it++) {
		u64 size = base.size;
		unsigned char *copy;
		struct elf_info info;
		int nmut = 1 + (int)(rng() % 6);

		if (rng() % 8 == 0)
			size = rng() % (base.size + 1);
		copy = malloc(size ? size : 1);
		memcpy(copy, base.buf, size);
		for (int m = 0; m < nmut; m++)
			if (size >= 64 + 6 * 56)
				mutate(copy, size);
		int err = check_image(copy, size, &info);

		assert_true(err == 0 || err == -ENOEXEC);
		if (err == 0) {
			assert_accepted_invariants(&info, size);
			(*accepted)++;
		}
		free(copy);
	}
}

static void test_fuzz(void **state)
{
	int accepted = 0;

	fuzz_from(build_exec, 4000, &accepted);
	fuzz_from(build_dyn, 4000, &accepted);
	/* Some mutants are harmless: the accepting paths ran too. */
	assert_true(accepted > 100);
	print_message("  fuzz: %d of 8000 mutants accepted\n", accepted);
}

int main(int argc, char **argv)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_valid_exec),
		cmocka_unit_test(test_valid_static_pie),
		cmocka_unit_test(test_bad_ehdr),
		cmocka_unit_test(test_bad_segments),
		cmocka_unit_test(test_segment_edges_accepted),
		cmocka_unit_test(test_interp),
		cmocka_unit_test(test_dyn_base),
		cmocka_unit_test(test_random_base),
		cmocka_unit_test(test_load_count_limit),
		cmocka_unit_test(test_dyn_bias_overflow),
		cmocka_unit_test(test_real_binaries),
		cmocka_unit_test(test_fuzz),
	};

	sample_argc = argc - 1;
	sample_argv = argv + 1;
	return cmocka_run_group_tests_name("kernel/elf", tests, NULL, NULL);
}
