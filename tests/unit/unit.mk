# Host unit tests (cmocka) of the pure kernel logic, included by the top Makefile.
#   make unit    build every tests/unit/test_*.c into build/unit/<name> and run them all;
#                every test runs even after a failure, and the target fails if any did.
# Each test is linked only with the kernel sources named in UNIT_SRC_<name>, built for
# the host under AddressSanitizer and UBSan so an out-of-bounds read fails the test.

UNIT_B := $(B)/unit
UNIT_CFLAGS := -std=gnu11 -g -O1 -fsanitize=address,undefined -fno-sanitize-recover=all \
	-fno-omit-frame-pointer -Wall -Wextra -Wno-unused-parameter -Wno-sign-compare -Werror \
	-Iinclude -Iarch/$(ARCH)/include -DSPROUT_HOST_TEST
UNIT_LDLIBS := -lcmocka
UNIT_ENV := ASAN_OPTIONS=detect_leaks=0:abort_on_error=0 UBSAN_OPTIONS=print_stacktrace=1

UNIT_TESTS := $(sort $(patsubst tests/unit/%.c,%,$(wildcard tests/unit/test_*.c)))
UNIT_HDRS := $(wildcard include/*.h include/*/*.h arch/$(ARCH)/include/*.h)

# Kernel sources under test, per test program.
UNIT_SRC_test_string := lib/string.c
UNIT_SRC_test_fmt := lib/fmt.c
UNIT_SRC_test_cpio := lib/cpio.c
UNIT_SRC_test_inflate := lib/inflate.c
UNIT_SRC_test_idmap := lib/idmap.c
UNIT_SRC_test_corename := lib/corename.c
UNIT_SRC_test_cmdline := lib/cmdline.c
UNIT_SRC_test_swapmap := lib/swapmap.c
UNIT_SRC_test_lockorder := lib/lockorder.c
UNIT_SRC_test_elf := kernel/elf.c
UNIT_SRC_test_buddy := mm/buddy.c
UNIT_SRC_test_vma_tree := mm/vma_tree.c
UNIT_SRC_test_wait_status :=
UNIT_SRC_test_virtq := drivers/virtio/virtq.c
UNIT_SRC_test_tmpfs := fs/inode.c fs/tmpfs.c fs/tmpfs_dir.c fs/vfs.c fs/namespace.c fs/open.c \
	fs/file.c fs/fdtable.c fs/fs_context.c fs/chrdev.c fs/tty.c fs/mount.c fs/initramfs.c \
	fs/sys_path.c fs/sys_attr.c \
	fs/sys_rw.c fs/sys_open.c fs/sys_stat.c fs/sys_dir.c lib/cpio.c lib/inflate.c \
	fs/pipe.c fs/pipe_acct.c fs/poll.c fs/super.c fs/tmpfs_opts.c fs/lock.c fs/inotify.c

# The kernel's string and formatting functions share their names and prototypes with
# the C library's; these tests rename them so both can live in one program.
UNIT_STRING_FNS := memcpy memmove memset memcmp strlen strnlen strcmp strncmp strchr \
	strrchr strlcpy
UNIT_DEFS_test_string := -fno-builtin $(foreach f,$(UNIT_STRING_FNS),-D$(f)=kstr_$(f))
UNIT_DEFS_test_fmt := -Dvsnprintf=kfmt_vsnprintf -Dsnprintf=kfmt_snprintf

# Real executables the ELF checks must accept: a musl static binary, a glibc static PIE
# (ET_DYN), Debian's busybox-static (glibc, ET_EXEC), a glibc dynamic PIE (PT_INTERP)
# and the host's dynamic linker itself.
UNIT_ELF_SAMPLES := $(UNIT_B)/elf-hello-musl $(UNIT_B)/elf-hello-pie /bin/busybox \
	$(UNIT_B)/elf-hello-dyn /lib64/ld-linux-x86-64.so.2
UNIT_ARGS_test_elf := $(UNIT_ELF_SAMPLES)
UNIT_DEPS_test_elf := $(UNIT_B)/elf-hello-musl $(UNIT_B)/elf-hello-pie $(UNIT_B)/elf-hello-dyn

$(UNIT_B)/elf-hello-dyn: tests/unit/elf_hello.c
	@mkdir -p $(dir $@)
	$(CC) -O2 -o $@ $<

$(UNIT_B)/elf-hello-musl: tests/unit/elf_hello.c
	@mkdir -p $(dir $@)
	$(MUSLCC) -static -O2 -o $@ $<

$(UNIT_B)/elf-hello-pie: tests/unit/elf_hello.c
	@mkdir -p $(dir $@)
	$(CC) -static-pie -O2 -o $@ $<

# One link rule per test program (its own sources and extra prerequisites).
define UNIT_RULE
$(UNIT_B)/$(1): tests/unit/$(1).c $(UNIT_SRC_$(1)) $(UNIT_DEPS_$(1)) $(UNIT_HDRS) \
		tests/unit/unit.mk
	@mkdir -p $(UNIT_B)
	$(CC) $(UNIT_CFLAGS) $(UNIT_DEFS_$(1)) -o $$@ tests/unit/$(1).c $(UNIT_SRC_$(1)) \
		$(UNIT_LDLIBS)
endef
$(foreach t,$(UNIT_TESTS),$(eval $(call UNIT_RULE,$(t))))

# Each program is built by its own sub-make so that one that fails to compile
# is reported as a failure without stopping the others.
unit:
	@fail=0; \
	$(foreach t,$(UNIT_TESTS),echo "== $(t)"; ok=0; \
		if $(MAKE) --no-print-directory $(UNIT_B)/$(t); then \
			$(UNIT_ENV) $(UNIT_B)/$(t) $(UNIT_ARGS_$(t)) && ok=1; \
		fi; \
		[ $$ok -eq 1 ] || { fail=1; echo "== $(t) FAILED"; };) \
	if [ $$fail -ne 0 ]; then echo "unit: some tests failed"; exit 1; fi; \
	echo "unit: all $(words $(UNIT_TESTS)) test programs passed"
