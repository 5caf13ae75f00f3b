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
#define ELF_ET_DYN_BASE	0x0000555555554000UL	/* where a static PIE is placed */

struct elf_segment {
	u64 vaddr;	/* where the segment starts, bytes (load bias applied) */
	u64 memsz;	/* bytes in memory (>= filesz; the rest is .bss, zeroed) */
	u64 offset;	/* file offset of the first byte */
	u64 filesz;	/* bytes from the file */
	u32 prot;	/* MMU_READ | MMU_WRITE | MMU_EXEC (include/arch.h values) */
};

struct elf_info {
	u16 type;		/* ET_EXEC or ET_DYN */
	u64 load_bias;		/* 0 for ET_EXEC, ELF_ET_DYN_BASE - lowest page for ET_DYN */
	u64 entry;		/* e_entry + load_bias */
	u64 phdr_vaddr;		/* AT_PHDR: user address of the program headers */
	u16 phnum;		/* AT_PHNUM */
	u16 phentsize;		/* AT_PHENT */
	u64 lo, hi;		/* lowest and end address of all PT_LOADs (bias applied) */
	int nseg;
	struct elf_segment seg[ELF_MAX_LOAD];	/* in ascending vaddr order */
	bool exec_stack;	/* PT_GNU_STACK has PF_X */
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
 * (dynamic executables are not supported yet), an entry point outside every
 * PT_LOAD. AT_PHDR is taken from PT_PHDR, else from the PT_LOAD containing
 * e_phoff. Returns 0 or -ENOEXEC.
 */
int elf_check_phdrs(const Elf64_Ehdr *eh, const Elf64_Phdr *ph, u64 file_size,
		    struct elf_info *out);

#endif
