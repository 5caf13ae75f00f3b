/*
 * The ELF loader refuses malformed executables with ENOEXEC and the caller carries on. Each case
 * builds a tiny static x86-64 ELF in memory (one PT_LOAD whose code exits with status 200),
 * breaks one thing in it, writes it to the temp directory and execve's it in a child, which
 * reports the errno as its exit status. A control case first checks that the unbroken image
 * runs, so every refusal is due to the one defect.
 *
 * Sprout's rule is ENOEXEC for every malformed image. Where Linux does something else (it
 * does not check some of these), the case accepts Linux's exact behaviour when not on Sprout
 * and says so in a diagnostic.
 */
#include <tap.h>

#define IMG_VADDR	0x400000UL
#define IMG_CODE_OFF	(sizeof(Elf64_Ehdr) + 2 * sizeof(Elf64_Phdr))
#define IMG_RAN		200		/* exit status of the image's code */
#define OUT_SIGNAL	1000		/* outcome: killed by signal (OUT_SIGNAL + signal) */

/*
 * What Linux (6.x, checked natively) does where it differs from Sprout's ENOEXEC: it does not
 * look at EI_CLASS on x86-64 nor at overlaps, and it maps segments only after the point of no
 * return, so a mapping that cannot be made kills the new image instead of failing execve.
 */
#define LINUX_CLASS32	IMG_RAN
#define LINUX_OVERLAP	IMG_RAN
#define LINUX_FILESZ	IMG_RAN
#define LINUX_WRAP	(OUT_SIGNAL + SIGSEGV)

/* mov edi, 200; mov eax, 60 (exit); syscall */
static const unsigned char img_code[] = {
	0xbf, IMG_RAN, 0x00, 0x00, 0x00, 0xb8, 0x3c, 0x00, 0x00, 0x00, 0x0f, 0x05,
};

struct img {
	unsigned char bytes[512];
	size_t len;			/* bytes of the file */
};

static inline Elf64_Ehdr *img_ehdr(struct img *im)
{
	return (Elf64_Ehdr *)im->bytes;
}

static inline Elf64_Phdr *img_phdr(struct img *im, int i)
{
	return (Elf64_Phdr *)(im->bytes + sizeof(Elf64_Ehdr)) + i;
}

/* A well-formed ET_EXEC image: room for two program headers, one used. */
static void img_build(struct img *im)
{
	Elf64_Ehdr *eh = img_ehdr(im);
	Elf64_Phdr *ph = img_phdr(im, 0);

	memset(im, 0, sizeof(*im));
	im->len = IMG_CODE_OFF + sizeof(img_code);
	memcpy(im->bytes + IMG_CODE_OFF, img_code, sizeof(img_code));
	memcpy(eh->e_ident, "\x7f" "ELF", 4);
	eh->e_ident[EI_CLASS] = ELFCLASS64;
	eh->e_ident[EI_DATA] = ELFDATA2LSB;
	eh->e_ident[EI_VERSION] = EV_CURRENT;
	eh->e_type = ET_EXEC;
	eh->e_machine = EM_X86_64;
	eh->e_version = EV_CURRENT;
	eh->e_entry = IMG_VADDR + IMG_CODE_OFF;
	eh->e_phoff = sizeof(Elf64_Ehdr);
	eh->e_ehsize = sizeof(Elf64_Ehdr);
	eh->e_phentsize = sizeof(Elf64_Phdr);
	eh->e_phnum = 1;
	ph->p_type = PT_LOAD;
	ph->p_flags = PF_R | PF_X;
	ph->p_offset = 0;
	ph->p_vaddr = IMG_VADDR;
	ph->p_paddr = IMG_VADDR;
	ph->p_filesz = im->len;
	ph->p_memsz = im->len;
	ph->p_align = 0x1000;
}

/*
 * Write the image to a temp file and execve it in a child. Returns the outcome: the errno of a
 * refused execve, IMG_RAN if the image ran, OUT_SIGNAL + n if the child was killed by signal n,
 * or -1 on a failure of the test itself.
 */
static int img_exec(struct img *im, const char *tag)
{
	char path[4200], why[64];
	char *argv[] = { "malformed", NULL }, *envp[] = { NULL };
	pid_t pid;
	int status;

	tap_tmppath(path, sizeof(path), tag);
	if (tap_write_file(path, im->bytes, im->len, 0755) != 0) {
		tap_diag("writing %s: %s", path, strerror(errno));
		return -1;
	}
	fflush(NULL);
	pid = fork();
	if (pid == 0) {
		execve(path, argv, envp);
		_exit(errno);
	}
	status = pid > 0 ? tap_wait_bounded(pid, 30) : -2;
	unlink(path);
	if (status >= 0 && WIFEXITED(status))
		return WEXITSTATUS(status);
	if (status >= 0 && WIFSIGNALED(status))
		return OUT_SIGNAL + WTERMSIG(status);
	tap_diag("exec child %s", tap_status_str(status, why, sizeof(why)));
	return -1;
}

static const char *outcome_str(int out, char *buf, size_t len)
{
	if (out == IMG_RAN)
		snprintf(buf, len, "the image ran");
	else if (out >= OUT_SIGNAL)
		snprintf(buf, len, "the image was killed by signal %d", out - OUT_SIGNAL);
	else if (out > 0)
		snprintf(buf, len, "errno %d (%s)", out, strerror(out));
	else
		snprintf(buf, len, "test failure");
	return buf;
}

/*
 * Judge an outcome: ENOEXEC always passes; linux_out (when not ENOEXEC) passes only when not on
 * Sprout, with a diagnostic naming the difference.
 */
static int expect_enoexec(int out, int linux_out, const char *what)
{
	char got[80], lin[80];

	if (out == ENOEXEC)
		return 0;
	if (out == linux_out && !tap_on_sprout()) {
		tap_diag("%s: on Linux %s (Sprout requires ENOEXEC)", what,
			 outcome_str(out, lin, sizeof(lin)));
		return 0;
	}
	tap_diag("%s: %s, expected errno %d (ENOEXEC)", what, outcome_str(out, got, sizeof(got)),
		 ENOEXEC);
	return 1;
}

static int case_control(void)
{
	struct img im;
	char got[80];
	int out;

	img_build(&im);
	out = img_exec(&im, "elf-good");
	if (out != IMG_RAN)
		tap_diag("well-formed image: %s", outcome_str(out, got, sizeof(got)));
	return out != IMG_RAN;
}

static int case_truncated(void)
{
	struct img im;

	img_build(&im);
	im.len = 20;
	return expect_enoexec(img_exec(&im, "elf-trunc"), ENOEXEC, "truncated to 20 bytes");
}

static int case_empty(void)
{
	struct img im;

	img_build(&im);
	im.len = 0;
	return expect_enoexec(img_exec(&im, "elf-empty"), ENOEXEC, "empty file");
}

static int case_bad_magic(void)
{
	struct img im;

	img_build(&im);
	im.bytes[1] = 'X';
	return expect_enoexec(img_exec(&im, "elf-magic"), ENOEXEC, "bad magic");
}

static int case_machine(void)
{
	struct img im;

	img_build(&im);
	img_ehdr(&im)->e_machine = 3;
	return expect_enoexec(img_exec(&im, "elf-machine"), ENOEXEC, "e_machine 3");
}

static int case_class32(void)
{
	struct img im;

	img_build(&im);
	img_ehdr(&im)->e_ident[EI_CLASS] = 1;
	return expect_enoexec(img_exec(&im, "elf-class"), LINUX_CLASS32, "ELFCLASS32");
}

static int case_type_rel(void)
{
	struct img im;

	img_build(&im);
	img_ehdr(&im)->e_type = 1;
	return expect_enoexec(img_exec(&im, "elf-rel"), ENOEXEC, "e_type ET_REL");
}

static int case_zero_phnum(void)
{
	struct img im;

	img_build(&im);
	img_ehdr(&im)->e_phnum = 0;
	return expect_enoexec(img_exec(&im, "elf-phnum"), ENOEXEC, "e_phnum 0");
}

static int case_phentsize(void)
{
	struct img im;

	img_build(&im);
	img_ehdr(&im)->e_phentsize = 32;
	return expect_enoexec(img_exec(&im, "elf-phent"), ENOEXEC, "e_phentsize 32");
}

static int case_phoff_eof(void)
{
	struct img im;

	img_build(&im);
	img_ehdr(&im)->e_phoff = 0x10000;
	return expect_enoexec(img_exec(&im, "elf-phoff"), ENOEXEC, "e_phoff past EOF");
}

static int case_overlap(void)
{
	struct img im;
	Elf64_Phdr *ph;

	img_build(&im);
	img_ehdr(&im)->e_phnum = 2;
	img_phdr(&im, 0)->p_memsz = 0x2000;
	ph = img_phdr(&im, 1);
	*ph = *img_phdr(&im, 0);
	ph->p_vaddr = ph->p_paddr = IMG_VADDR + 0x1000;
	ph->p_memsz = 0x1000;
	return expect_enoexec(img_exec(&im, "elf-overlap"), LINUX_OVERLAP, "overlapping PT_LOADs");
}

static int case_huge_filesz(void)
{
	struct img im;

	img_build(&im);
	img_phdr(&im, 0)->p_filesz = 1UL << 40;
	img_phdr(&im, 0)->p_memsz = 1UL << 40;
	return expect_enoexec(img_exec(&im, "elf-filesz"), LINUX_FILESZ, "p_filesz 1 TiB");
}

static int case_wrapping_segment(void)
{
	struct img im;

	img_build(&im);
	img_phdr(&im, 0)->p_filesz = 0xfffffffffff00000UL;
	img_phdr(&im, 0)->p_memsz = 0xfffffffffff00000UL;
	return expect_enoexec(img_exec(&im, "elf-wrap"), LINUX_WRAP,
			      "p_vaddr + p_memsz wraps around");
}

/* Entry point: runs every case and prints TAP. Returns 0 only if all passed. */
int main(void)
{
	tap_plan(13);
	run_case("a well-formed minimal image runs", case_control);
	run_case("truncated to 20 bytes -> ENOEXEC", case_truncated);
	run_case("empty file -> ENOEXEC", case_empty);
	run_case("bad magic -> ENOEXEC", case_bad_magic);
	run_case("wrong machine -> ENOEXEC", case_machine);
	run_case("32-bit class -> ENOEXEC", case_class32);
	run_case("relocatable object -> ENOEXEC", case_type_rel);
	run_case("no program headers -> ENOEXEC", case_zero_phnum);
	run_case("wrong e_phentsize -> ENOEXEC", case_phentsize);
	run_case("program headers past EOF -> ENOEXEC", case_phoff_eof);
	run_case("overlapping PT_LOAD segments -> ENOEXEC", case_overlap);
	run_case("p_filesz far past EOF -> ENOEXEC", case_huge_filesz);
	run_case("segment wrapping the address space -> ENOEXEC", case_wrapping_segment);
	return tap_done();
}
