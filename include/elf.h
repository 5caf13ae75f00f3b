/*
 * ELF image checks for execve. Pure logic (no kernel state), shared with the
 * host unit tests and fuzzers: given the ELF header and program headers of a
 * file, decide whether Sprout can load it and describe what to map.
 */
#ifndef SPROUT_ELF_H
#define SPROUT_ELF_H

#include "types.h"
#include "uapi/elf.h"

#define ELF_MAX_LOAD	16	/* PT_LOAD segments accepted */
#define ELF_MAX_PHNUM	64	/* program headers accepted */
#define ELF_ET_DYN_BASE	0x0000555555554000UL	/* lowest base of an ET_DYN program */
#define ELF_RND_PAGES	(1UL << 28)	/* base randomisation range, pages (Linux's
					 * mmap_rnd_bits = 28 on x86-64): 1 TiB */
#define ELF_INTERP_MAX	4096		/* PT_INTERP bytes accepted (PATH_MAX) */

struct elf_segment {
	u64 vaddr;	/* where the segment starts, bytes (load bias applied) */
	u64 memsz;	/* bytes in memory (>= filesz; the rest is .bss, zeroed) */
	u64 offset;	/* file offset of the first byte */
	u64 filesz;	/* bytes from the file */
	u32 prot;	/* MMU_READ | MMU_WRITE | MMU_EXEC (include/arch.h values) */
};

struct elf_info {
	u16 type;		/* ET_EXEC or ET_DYN */
	u64 load_bias;		/* 0 for ET_EXEC; for ET_DYN its base - lowest page */
	u64 entry;		/* e_entry + load_bias */
	u64 phdr_vaddr;		/* AT_PHDR: user address of the program headers */
	u16 phnum;		/* AT_PHNUM */
	u16 phentsize;		/* AT_PHENT */
	u64 lo, hi;		/* lowest and end address of all PT_LOADs (bias applied) */
	int nseg;
	struct elf_segment seg[ELF_MAX_LOAD];	/* in ascending vaddr order */
	bool exec_stack;	/* PT_GNU_STACK has PF_X */
	u64 interp_off;		/* first PT_INTERP: file offset of the name */
	u64 interp_len;		/* its size in bytes, NUL included; 0: static */
};

/*
 * elf_check_ehdr - validate an ELF header against a file of @file_size bytes:
 * ELF magic, 64-bit little-endian, version 1, x86-64, ET_EXEC or ET_DYN,
 * e_phentsize == sizeof(Elf64_Phdr), 1 <= e_phnum <= ELF_MAX_PHNUM, and the
 * program header table inside the file (no overflow).
 * Returns 0 or -ENOEXEC. @eh must hold sizeof(Elf64_Ehdr) readable bytes;
 * the caller has checked file_size >= sizeof(Elf64_Ehdr).
 */
int elf_check_ehdr(const Elf64_Ehdr *eh, u64 file_size);

/*
 * elf_check_phdrs - validate the e_phnum program headers @ph of an image whose
 * header passed elf_check_ehdr(), and fill @out. Refused with -ENOEXEC: no
 * PT_LOAD, more than ELF_MAX_LOAD, p_filesz > p_memsz, file range outside the
 * file or overflowing, p_vaddr and p_offset not congruent modulo the page
 * size, a segment outside [USER_BASE, USER_TOP) or overflowing, PT_LOADs not
 * in ascending order or overlapping (at page granularity), a PT_INTERP
 * whose size is not 2..ELF_INTERP_MAX bytes or that lies outside the file,
 * an entry point outside every PT_LOAD. The first PT_INTERP names the
 * interpreter (out->interp_off/len; later ones are ignored, as Linux does).
 * AT_PHDR is taken from PT_PHDR, else from the PT_LOAD containing e_phoff.
 * An ET_DYN image is placed with its lowest PT_LOAD page at ELF_ET_DYN_BASE.
 * Returns 0 or -ENOEXEC.
 */
int elf_check_phdrs(const Elf64_Ehdr *eh, const Elf64_Phdr *ph, u64 file_size,
		    struct elf_info *out);

/*
 * elf_check_phdrs_at - elf_check_phdrs() with an ET_DYN image placed at
 * @dyn_base (page-aligned user address) instead of ELF_ET_DYN_BASE; an
 * ET_EXEC image ignores it. Returns 0 or -ENOEXEC.
 */
int elf_check_phdrs_at(const Elf64_Ehdr *eh, const Elf64_Phdr *ph, u64 file_size,
		       u64 dyn_base, struct elf_info *out);

/*
 * elf_check_interp_name - the @len bytes read from a PT_INTERP segment must
 * end with a NUL (Linux's load_elf_binary(): else -ENOEXEC), and the name
 * before the first NUL must not be empty (nothing to open: -ENOENT).
 * Returns 0, -ENOEXEC or -ENOENT.
 */
int elf_check_interp_name(const char *name, u64 len);

/*
 * elf_random_base - the page-aligned address at or below @top (bytes) where
 * an image spanning @span bytes starts when it is moved down by @rnd modulo
 * ELF_RND_PAGES pages, or 0 when it does not fit above @floor. Used for the
 * interpreter, placed below the mmap area's top as Linux places it at
 * mmap_base. Returns the base or 0.
 */
u64 elf_random_base(u64 top, u64 span, u64 rnd, u64 floor);

#endif
