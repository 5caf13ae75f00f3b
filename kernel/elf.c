/*
 * ELF executable checks for execve(2): decide from the ELF header and the
 * program headers whether an image can be loaded, and describe the PT_LOAD
 * segments to map (struct elf_info, include/elf.h).
 *
 * Everything here comes from a user-supplied file and is fuzzed on the host
 * (tests/unit/test_elf.c), so every sum of two file-controlled numbers is
 * checked for overflow before it is compared with anything.
 *
 * Sources: System V gABI "Program Loading", the x86-64 psABI, and Linux's
 * load_elf_binary() for the choices the specifications leave open.
 */
#include "kernel.h"
#include "arch.h"
#include "elf.h"
#include "uapi/errno.h"

_Static_assert(sizeof(Elf64_Ehdr) == 64, "Elf64_Ehdr layout");
_Static_assert(sizeof(Elf64_Phdr) == 56, "Elf64_Phdr layout");

/*
 * elf_check_ehdr - validate the ELF header @eh of a @file_size-byte file:
 * magic, ELFCLASS64, ELFDATA2LSB, EV_CURRENT (in e_ident and e_version),
 * EM_X86_64, ET_EXEC or ET_DYN, e_phentsize == sizeof(Elf64_Phdr),
 * 1 <= e_phnum <= ELF_MAX_PHNUM, program header table inside the file.
 * Returns 0 or -ENOEXEC. Locks: none. Sleeps: no.
 * Semantics: System V gABI "ELF Header"; execve(2) ENOEXEC.
 */
int elf_check_ehdr(const Elf64_Ehdr *eh, u64 file_size)
{
	u64 table_size;

	if (file_size < sizeof(*eh))
		return -ENOEXEC;
	if (eh->e_ident[0] != 0x7f || eh->e_ident[1] != 'E' || eh->e_ident[2] != 'L' ||
	    eh->e_ident[3] != 'F')
		return -ENOEXEC;
	if (eh->e_ident[EI_CLASS] != ELFCLASS64 || eh->e_ident[EI_DATA] != ELFDATA2LSB ||
	    eh->e_ident[EI_VERSION] != EV_CURRENT || eh->e_version != EV_CURRENT)
		return -ENOEXEC;
	if (eh->e_machine != EM_X86_64)
		return -ENOEXEC;
	if (eh->e_type != ET_EXEC && eh->e_type != ET_DYN)
		return -ENOEXEC;
	if (eh->e_phentsize != sizeof(Elf64_Phdr))
		return -ENOEXEC;
	if (eh->e_phnum < 1 || eh->e_phnum > ELF_MAX_PHNUM)
		return -ENOEXEC;
	/* e_phnum <= 64, so the product cannot overflow. */
	table_size = (u64)eh->e_phnum * sizeof(Elf64_Phdr);
	if (eh->e_phoff > file_size || table_size > file_size - eh->e_phoff)
		return -ENOEXEC;
	return 0;
}

static u32 elf_prot(u32 p_flags)
{
	u32 prot = MMU_USER;

	if (p_flags & PF_R)
		prot |= MMU_READ;
	if (p_flags & PF_W)
		prot |= MMU_WRITE;
	if (p_flags & PF_X)
		prot |= MMU_EXEC;
	return prot;
}

/*
 * Check one PT_LOAD and append it to @out. @lo_page is the page of the first
 * PT_LOAD's p_vaddr (before biasing); out->load_bias is already set.
 */
static int elf_add_load(const Elf64_Phdr *ph, u64 file_size, u64 lo_page, u64 dyn_base,
			struct elf_info *out)
{
	struct elf_segment *seg;
	u64 vaddr, end;

	if (ph->p_filesz > ph->p_memsz)
		return -ENOEXEC;
	if (ph->p_offset > file_size || ph->p_filesz > file_size - ph->p_offset)
		return -ENOEXEC;
	/* mmap needs file offset and address to share their offset in the page. */
	if ((ph->p_vaddr ^ ph->p_offset) & (PAGE_SIZE - 1))
		return -ENOEXEC;
	if (__builtin_add_overflow(ph->p_vaddr, ph->p_memsz, &end))
		return -ENOEXEC;
	/* An empty PT_LOAD maps nothing; Linux skips it as well. */
	if (ph->p_memsz == 0)
		return 0;

	/* Below the first segment's page means out of order (bias would wrap). */
	if (ph->p_vaddr < lo_page)
		return -ENOEXEC;
	if (out->type == ET_DYN) {
		if (__builtin_add_overflow(dyn_base, ph->p_vaddr - lo_page, &vaddr))
			return -ENOEXEC;
	} else {
		vaddr = ph->p_vaddr;
	}
	if (__builtin_add_overflow(vaddr, ph->p_memsz, &end))
		return -ENOEXEC;
	if (PAGE_ALIGN_DOWN(vaddr) < USER_BASE || end > USER_TOP)
		return -ENOEXEC;

	/*
	 * Ascending and disjoint as byte ranges. A segment may begin in the page
	 * where the previous one ends (linkers place RW data right after RO data
	 * in the same page when it saves file space); the loader maps such a
	 * shared page with the union of both protections.
	 */
	if (out->nseg > 0 && vaddr < out->hi)
		return -ENOEXEC;
	if (out->nseg >= ELF_MAX_LOAD)
		return -ENOEXEC;

	seg = &out->seg[out->nseg++];
	seg->vaddr = vaddr;
	seg->memsz = ph->p_memsz;
	seg->offset = ph->p_offset;
	seg->filesz = ph->p_filesz;
	seg->prot = elf_prot(ph->p_flags);
	if (out->nseg == 1)
		out->lo = vaddr;
	out->hi = end;
	return 0;
}

/* AT_PHDR without PT_PHDR: the PT_LOAD whose file bytes hold the table. */
static u64 elf_phdr_from_loads(const Elf64_Ehdr *eh, const struct elf_info *out)
{
	u64 size = (u64)eh->e_phnum * sizeof(Elf64_Phdr);

	for (int i = 0; i < out->nseg; i++) {
		const struct elf_segment *s = &out->seg[i];

		if (eh->e_phoff >= s->offset && eh->e_phoff - s->offset <= s->filesz &&
		    size <= s->filesz - (eh->e_phoff - s->offset))
			return s->vaddr + (eh->e_phoff - s->offset);
	}
	/* Linux passes 0 as well; a static libc that needs it will fail loudly. */
	return 0;
}

static bool elf_entry_mapped(const struct elf_info *out)
{
	for (int i = 0; i < out->nseg; i++) {
		const struct elf_segment *s = &out->seg[i];

		if (out->entry >= s->vaddr && out->entry - s->vaddr < s->memsz)
			return true;
	}
	return false;
}

/*
 * elf_check_phdrs_at - validate the program headers @ph (eh->e_phnum
 * entries, kernel memory) of a @file_size-byte image whose header @eh passed
 * elf_check_ehdr(), and describe it in @out (see include/elf.h for the
 * checks). For ET_DYN the image is placed so that its lowest PT_LOAD page
 * lands at @dyn_base. out->lo is the first PT_LOAD's start and out->hi the
 * last one's end, bytes, not page-rounded.
 * Returns 0 or -ENOEXEC (@out is then unspecified). Locks: none. Sleeps: no.
 * Semantics: System V gABI "Program Header"; Linux load_elf_binary().
 */
int elf_check_phdrs_at(const Elf64_Ehdr *eh, const Elf64_Phdr *ph, u64 file_size,
		       u64 dyn_base, struct elf_info *out)
{
	bool have_phdr = false, have_load = false;
	u64 phdr_vaddr = 0, lo_page = 0;
	int err;

	memset(out, 0, sizeof(*out));
	out->type = eh->e_type;
	out->phnum = eh->e_phnum;
	out->phentsize = eh->e_phentsize;
	if (eh->e_phnum < 1 || eh->e_phnum > ELF_MAX_PHNUM)
		return -ENOEXEC;
	if (eh->e_type == ET_DYN && (dyn_base & (PAGE_SIZE - 1)))
		return -ENOEXEC;

	for (int i = 0; i < eh->e_phnum; i++) {
		switch (ph[i].p_type) {
		case PT_INTERP:
			if (out->interp_len)
				break;	/* the first one counts (Linux) */
			/* Linux's bounds: a name and its NUL, at most PATH_MAX. */
			if (ph[i].p_filesz < 2 || ph[i].p_filesz > ELF_INTERP_MAX)
				return -ENOEXEC;
			if (ph[i].p_offset > file_size ||
			    ph[i].p_filesz > file_size - ph[i].p_offset)
				return -ENOEXEC;
			out->interp_off = ph[i].p_offset;
			out->interp_len = ph[i].p_filesz;
			break;
		case PT_PHDR:
			have_phdr = true;
			phdr_vaddr = ph[i].p_vaddr;
			break;
		case PT_GNU_STACK:
			out->exec_stack = ph[i].p_flags & PF_X;
			break;
		case PT_LOAD:
			if (!have_load && ph[i].p_memsz != 0) {
				have_load = true;
				lo_page = PAGE_ALIGN_DOWN(ph[i].p_vaddr);
				if (eh->e_type == ET_DYN)
					out->load_bias = dyn_base - lo_page;
			}
			err = elf_add_load(&ph[i], file_size, lo_page, dyn_base, out);
			if (err)
				return err;
			break;
		}
	}
	if (out->nseg == 0)
		return -ENOEXEC;

	/* Unsigned wrap-around is the intended arithmetic for a negative bias. */
	out->entry = eh->e_entry + out->load_bias;
	if (!elf_entry_mapped(out))
		return -ENOEXEC;
	out->phdr_vaddr = have_phdr ? phdr_vaddr + out->load_bias
				    : elf_phdr_from_loads(eh, out);
	return 0;
}

/*
 * elf_check_phdrs - elf_check_phdrs_at() with an ET_DYN image at
 * ELF_ET_DYN_BASE. Returns 0 or -ENOEXEC. Locks: none. Sleeps: no.
 */
int elf_check_phdrs(const Elf64_Ehdr *eh, const Elf64_Phdr *ph, u64 file_size,
		    struct elf_info *out)
{
	return elf_check_phdrs_at(eh, ph, file_size, ELF_ET_DYN_BASE, out);
}

/*
 * elf_check_interp_name - the bytes of a PT_INTERP segment (@len, as
 * elf_check_phdrs() accepted it) end with a NUL and name something.
 * Returns 0, -ENOEXEC (no NUL at the end, as Linux's load_elf_binary()) or
 * -ENOENT (an empty name: there is no such file). Locks: none. Sleeps: no.
 */
int elf_check_interp_name(const char *name, u64 len)
{
	if (len < 1 || name[len - 1] != '\0')
		return -ENOEXEC;
	if (name[0] == '\0')
		return -ENOENT;
	return 0;
}

/*
 * elf_random_base - see include/elf.h: the highest page-aligned base with
 * [base, base + @span) ending at or below @top, lowered by @rnd modulo
 * ELF_RND_PAGES pages; 0 when that base would be below @floor (or wrap).
 * Locks: none. Sleeps: no. Semantics: Linux's mmap_base() and
 * arch_mmap_rnd() (28 random bits of page number on x86-64).
 */
u64 elf_random_base(u64 top, u64 span, u64 rnd, u64 floor)
{
	u64 shift = (rnd % ELF_RND_PAGES) * PAGE_SIZE;
	u64 len = PAGE_ALIGN_UP(span);

	if (span == 0 || len < span || len > top || shift > top - len)
		return 0;
	top = PAGE_ALIGN_DOWN(top - len - shift);
	return top >= floor ? top : 0;
}
