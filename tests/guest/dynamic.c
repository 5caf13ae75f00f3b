/*
 * Dynamically linked programs (PT_INTERP): execve maps the program and the interpreter it
 * names, starts the interpreter and tells it about the program in the aux vector.
 *
 * The first cases run glibc programs built with the host's gcc (tests/guest/glibc/dynprog.c,
 * as a PIE and as a fixed-address ET_EXEC), which the boot image carries with their
 * interpreter and libc; each prints what it got (getauxval(3), /proc/self/maps) and the case
 * checks every value. The other cases build a tiny static image with a PT_INTERP that names
 * something unusable and check that execve fails with Linux's errno and the caller carries on.
 */
#include <tap.h>

#define IMG_VADDR	0x400000UL
#define IMG_CODE_OFF	(sizeof(Elf64_Ehdr) + 2 * sizeof(Elf64_Phdr))
#define IMG_RAN		200

static char selfdir[4096];

/* mov edi, 200; mov eax, 60 (exit); syscall */
static const unsigned char img_code[] = {
	0xbf, IMG_RAN, 0x00, 0x00, 0x00, 0xb8, 0x3c, 0x00, 0x00, 0x00, 0x0f, 0x05,
};

/* Run @path with @argv, collect its stdout into @out (NUL-terminated). Returns the wait
 * status, or -1 when the test itself failed. */
static int run_capture(const char *path, char *const argv[], char *out, size_t len)
{
	int fds[2], status;
	size_t used = 0;
	ssize_t n;
	pid_t pid;

	if (pipe(fds) != 0)
		return -1;
	fflush(NULL);
	pid = fork();
	if (pid == 0) {
		dup2(fds[1], 1);
		close(fds[0]);
		close(fds[1]);
		execv(path, argv);
		printf("execv: %s\n", strerror(errno));
		_exit(127);
	}
	close(fds[1]);
	while (used + 1 < len && (n = read(fds[0], out + used, len - 1 - used)) > 0)
		used += n;
	out[used] = '\0';
	close(fds[0]);
	status = pid > 0 ? tap_wait_bounded(pid, 30) : -1;
	return status;
}

/* The value of "key=" in @out (one line per key), copied into @val; false if absent. */
static bool value_of(const char *out, const char *key, char *val, size_t len)
{
	size_t kl = strlen(key);

	for (const char *p = out; p && *p; p = strchr(p, '\n') ? strchr(p, '\n') + 1 : NULL) {
		if (strncmp(p, key, kl) == 0 && p[kl] == '=') {
			const char *v = p + kl + 1, *e = strchr(v, '\n');
			size_t vl = e ? (size_t)(e - v) : strlen(v);

			snprintf(val, len, "%.*s", (int)(vl < len - 1 ? vl : len - 1), v);
			return true;
		}
	}
	return false;
}

static bool expect_value(const char *out, const char *key, const char *want)
{
	char got[4200];

	if (!value_of(out, key, got, sizeof(got))) {
		tap_diag("no %s= line in the program's output", key);
		return false;
	}
	if (strcmp(got, want) != 0) {
		tap_diag("%s=%s, expected %s", key, got, want);
		return false;
	}
	return true;
}

static unsigned long hex_value(const char *out, const char *key)
{
	char v[64];

	return value_of(out, key, v, sizeof(v)) ? strtoul(v, NULL, 16) : 0;
}

/* Run the helper @name with two arguments and check everything it reports. With @pie the
 * program itself must have been placed at a nonzero page-aligned base; without, at 0. */
static int check_helper(const char *name, bool pie, char *out, size_t len)
{
	char path[4200];
	char *argv[] = { path, "one", "two", NULL };
	static const char *const ones[] = {
		"entry_ok", "phdr_ok", "phnum_ok", "base_maps", "maps_prog", "maps_libc", "libc_below",
		"hwcap_ok", "minsigstksz_ok", "random_ok",
	};
	unsigned long base, load;
	int status;

	snprintf(path, sizeof(path), "%s/%s", selfdir, name);
	status = run_capture(path, argv, out, len);
	if (!CHECK(status >= 0 && WIFEXITED(status) && WEXITSTATUS(status) == 0)) {
		tap_diag("%s: status 0x%x, output:\n%s", path, status, out);
		return 1;
	}
	CHECK(expect_value(out, "args", "one,two"));
	for (size_t i = 0; i < sizeof(ones) / sizeof(ones[0]); i++)
		CHECK(expect_value(out, ones[i], "1"));
	CHECK(expect_value(out, "phent", "56"));
	CHECK(expect_value(out, "pagesz", "4096"));
	CHECK(expect_value(out, "clktck", "100"));
	CHECK(expect_value(out, "flags", "0"));
	CHECK(expect_value(out, "secure", "0"));
	CHECK(expect_value(out, "platform", "x86_64"));
	CHECK(expect_value(out, "execfn", path));
	base = hex_value(out, "base");
	load = hex_value(out, "load");
	CHECK(base != 0 && (base & 0xfff) == 0);
	if (pie)
		CHECK(load != 0 && (load & 0xfff) == 0 && load != base);
	else
		CHECK_EQ(load, 0);
	return 0;
}

static int case_pie(void)
{
	char out[8192];

	return check_helper("dynprog", true, out, sizeof(out));
}

static int case_exec(void)
{
	char out[8192];

	return check_helper("dynprog-exec", false, out, sizeof(out));
}

/* Two runs: both the program's base and the interpreter's differ (28 random bits each). */
static int case_randomised(void)
{
	char a[8192], b[8192];

	if (check_helper("dynprog", true, a, sizeof(a)) || check_helper("dynprog", true, b, sizeof(b)))
		return 1;
	CHECK(hex_value(a, "base") != hex_value(b, "base"));
	CHECK(hex_value(a, "load") != hex_value(b, "load"));
	return 0;
}

/* A static image whose PT_INTERP holds @name (@len bytes, NUL included or not). */
static int interp_exec(const char *name, size_t len, const char *tag)
{
	unsigned char bytes[4096 + 512] = { 0 };
	Elf64_Ehdr *eh = (Elf64_Ehdr *)bytes;
	Elf64_Phdr *ph = (Elf64_Phdr *)(bytes + sizeof(*eh));
	size_t name_off = IMG_CODE_OFF + sizeof(img_code), size = name_off + len;
	char path[4200], why[64];
	char *argv[] = { "dynamic", NULL }, *envp[] = { NULL };
	int status;
	pid_t pid;

	memcpy(bytes + IMG_CODE_OFF, img_code, sizeof(img_code));
	memcpy(bytes + name_off, name, len);
	memcpy(eh->e_ident, "\x7f" "ELF", 4);
	eh->e_ident[EI_CLASS] = ELFCLASS64;
	eh->e_ident[EI_DATA] = ELFDATA2LSB;
	eh->e_ident[EI_VERSION] = EV_CURRENT;
	eh->e_type = ET_EXEC;
	eh->e_machine = EM_X86_64;
	eh->e_version = EV_CURRENT;
	eh->e_entry = IMG_VADDR + IMG_CODE_OFF;
	eh->e_phoff = sizeof(*eh);
	eh->e_ehsize = sizeof(*eh);
	eh->e_phentsize = sizeof(*ph);
	eh->e_phnum = 2;
	ph[0].p_type = PT_INTERP;
	ph[0].p_flags = PF_R;
	ph[0].p_offset = name_off;
	ph[0].p_vaddr = IMG_VADDR + name_off;
	ph[0].p_filesz = ph[0].p_memsz = len;
	ph[0].p_align = 1;
	ph[1].p_type = PT_LOAD;
	ph[1].p_flags = PF_R | PF_X;
	ph[1].p_vaddr = ph[1].p_paddr = IMG_VADDR;
	ph[1].p_filesz = ph[1].p_memsz = size;
	ph[1].p_align = 0x1000;

	tap_tmppath(path, sizeof(path), tag);
	if (tap_write_file(path, bytes, size, 0755) != 0) {
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
	tap_diag("exec child %s", tap_status_str(status, why, sizeof(why)));
	return -1;
}

static int interp_file_exec(const void *data, size_t len, mode_t mode, const char *tag)
{
	char ipath[4200];
	int out;

	tap_tmppath(ipath, sizeof(ipath), tag);
	if (tap_write_file(ipath, data, len, mode) != 0) {
		tap_diag("writing %s: %s", ipath, strerror(errno));
		return -1;
	}
	out = interp_exec(ipath, strlen(ipath) + 1, "dyn-prog");
	unlink(ipath);
	return out;
}

static int case_missing(void)
{
	static const char name[] = "/nonexistent/ld-linux-x86-64.so.2";

	CHECK_EQ(interp_exec(name, sizeof(name), "dyn-missing"), ENOENT);
	return 0;
}

static int case_not_elf(void)
{
	/* Longer than an ELF header: Linux reads that much first (a shorter file is EIO). */
	static const char text[] = "#!/bin/sh\n# a shell script is no ELF interpreter, whatever "
				   "its length or its permissions say\necho no\n";

	CHECK_EQ(interp_file_exec(text, sizeof(text) - 1, 0755, "dyn-text"), ELIBBAD);
	return 0;
}

static int case_no_nul(void)
{
	static const char name[] = "/lib64/ld-linux-x86-64.so.2";

	CHECK_EQ(interp_exec(name, sizeof(name) - 1, "dyn-nonul"), ENOEXEC);
	return 0;
}

static int case_directory(void)
{
	static const char name[] = "/tmp";

	CHECK_EQ(interp_exec(name, sizeof(name), "dyn-dir"), EACCES);
	return 0;
}

/* The real interpreter, copied without execute permission. */
static int case_not_executable(void)
{
	static const char ld[] = "/lib64/ld-linux-x86-64.so.2";
	char *buf = malloc(4 << 20);
	int fd = open(ld, O_RDONLY);
	ssize_t n = fd >= 0 && buf ? read(fd, buf, 4 << 20) : -1;

	if (!CHECK(n > 0))
		return 1;
	close(fd);
	/* As root the check is on any execute bit (execve(2) EACCES). */
	CHECK_EQ(interp_file_exec(buf, n, 0644, "dyn-noexec"), EACCES);
	free(buf);
	return 0;
}

/* An interpreter that is itself dynamic: Sprout refuses it with ELIBBAD. Linux does not
 * look at an interpreter's own PT_INTERP and jumps into it unrelocated. */
static int case_dynamic_interp(void)
{
	char path[4200];

	if (!tap_on_sprout()) {
		tap_diag("Linux loads such an interpreter anyway; Sprout's ELIBBAD rule only");
		return TAP_SKIP_STATUS;
	}
	snprintf(path, sizeof(path), "%s/dynprog", selfdir);
	CHECK_EQ(interp_exec(path, strlen(path) + 1, "dyn-dynint"), ELIBBAD);
	return 0;
}

int main(int argc, char **argv)
{
	tap_selfdir(selfdir, sizeof(selfdir), argc > 0 ? argv[0] : "");
	tap_plan(9);
	run_case("dynamic PIE runs through ld.so with a full aux vector", case_pie);
	run_case("dynamic ET_EXEC runs through ld.so with a full aux vector", case_exec);
	run_case("program and interpreter bases are randomised", case_randomised);
	run_case("missing interpreter -> ENOENT", case_missing);
	run_case("interpreter not ELF -> ELIBBAD", case_not_elf);
	run_case("PT_INTERP without its NUL -> ENOEXEC", case_no_nul);
	run_case("interpreter is a directory -> EACCES", case_directory);
	run_case("interpreter not executable -> EACCES", case_not_executable);
	run_case("interpreter that is itself dynamic -> ELIBBAD", case_dynamic_interp);
	return tap_done();
}
