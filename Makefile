# Sprout: build the kernel, the user programs and the boot image; run and test.
#   make            kernel + initramfs
#   make run        boot the default image (SMP=N, MEM=SIZE, ACCEL=tcg|kvm, SWAP=SIZE: swap
#                   on a scratch disk)
#   make test       every test; ends with "N passed, N failed, N skipped"
#   make test-linux the in-guest test binaries, run natively on this Linux
#   make check-uaccess  sparse: user addresses only through include/uaccess.h
#   make gdb        boot halted with QEMU's gdbstub and attach GDB
#   make bench      benchmarks, Sprout and Linux side by side (QUICK=1: the short run)
#   make soak       the SMP stress mix for SOAK_MINUTES (30) on SOAK_CPUS (4); not part of test
#                   (SOAK_SWAP=1: memory pressure with swap instead, tests/run/swap.c soak)

ARCH ?= x86_64
B := build
SMP ?= 1
MEM ?= 512M
ACCEL ?=
SWAP ?=
SOAK_MINUTES ?= 30
SOAK_CPUS ?= 4

CC := gcc
MUSLCC := musl-gcc
AWK := awk

KCFLAGS := -std=gnu11 -O2 -g -Wall -Wextra -Wno-unused-parameter -Wno-sign-compare \
	-Wno-missing-field-initializers -Werror \
	-ffreestanding -fno-builtin -fno-stack-protector -fno-pic -fno-pie -mno-red-zone \
	-mno-sse -mno-sse2 -mno-mmx -mno-80387 -mcmodel=kernel -fno-omit-frame-pointer \
	-fno-strict-aliasing -fno-common -nostdinc -isystem $(shell $(CC) -print-file-name=include) \
	-Iinclude -Iarch/$(ARCH)/include -I$(B)/gen -MMD -MP
# LOCKDEP=1 (the default, and what make test runs): the lock-order checker covers every
# spinlock and mutex acquisition (kernel/spinlock.c, kernel/locking.md). LOCKDEP=0 builds the
# kernel without it; changing the setting rebuilds the kernel.
LOCKDEP ?= 1
ifeq ($(LOCKDEP),0)
KCFLAGS += -DSPROUT_NO_LOCKDEP
endif
LOCKDEP_STAMP := $(B)/k/.lockdep-$(LOCKDEP)
KASFLAGS := -g -Iinclude -Iarch/$(ARCH)/include -I$(B)/gen -MMD -MP -D__ASSEMBLY__
KLDFLAGS := -nostdlib -static -no-pie -z max-page-size=0x1000 -z noexecstack \
	-T arch/$(ARCH)/linker.ld

KSRC_C := $(sort $(wildcard arch/$(ARCH)/*.c kernel/*.c mm/*.c fs/*.c ipc/*.c lib/*.c \
	drivers/*.c drivers/*/*.c net/*.c))
KSRC_S := $(sort $(wildcard arch/$(ARCH)/*.S))
KOBJS := $(KSRC_C:%.c=$(B)/k/%.o) $(KSRC_S:%.S=$(B)/k/%.o)

UCFLAGS := -static -O2 -g -Wall -Wextra -Wno-unused-parameter -Werror -idirafter include
USER_PROGS := $(patsubst user/%.c,%,$(wildcard user/*.c)) \
	$(patsubst user/demo/%.c,%,$(wildcard user/demo/*.c))
GUEST_TESTS := $(patsubst tests/guest/%.c,%,$(wildcard tests/guest/*.c))

DEPS_STAMP := $(B)/.deps-ok

.PHONY: all kernel initramfs run test test-linux unit gdb clean deps bench soak check-uaccess
all: kernel initramfs

# Install missing host tools from Debian's packages (once; again if the script changes).
$(DEPS_STAMP): tools/install-deps.sh
	@mkdir -p $(B)
	@sh tools/install-deps.sh
	@touch $@
deps: $(DEPS_STAMP)

kernel: $(B)/sprout.elf

$(B)/gen/syscall_table.h: kernel/syscalls.tbl tools/gensyscalls.sh | $(DEPS_STAMP)
	@mkdir -p $(dir $@)
	sh tools/gensyscalls.sh $< > $@.tmp && mv $@.tmp $@

$(LOCKDEP_STAMP):
	@mkdir -p $(dir $@)
	@rm -f $(B)/k/.lockdep-*
	@touch $@

$(B)/k/%.o: %.c $(B)/gen/syscall_table.h $(LOCKDEP_STAMP) | $(DEPS_STAMP)
	@mkdir -p $(dir $@)
	@echo "  CC      $<"
	@$(CC) $(KCFLAGS) -c $< -o $@

$(B)/k/%.o: %.S $(LOCKDEP_STAMP) | $(DEPS_STAMP)
	@mkdir -p $(dir $@)
	@echo "  AS      $<"
	@$(CC) $(KASFLAGS) -c $< -o $@

# Two links: the first gives the text symbols, which become a table linked
# into the second after all of the text (so no text address moves; checked).
$(B)/sprout.elf: $(KOBJS) arch/$(ARCH)/linker.ld tools/genksyms.sh
	@echo "  LD      $@"
	@$(CC) $(KLDFLAGS) -o $(B)/sprout.pass1.elf $(KOBJS) -lgcc
	@nm -n $(B)/sprout.pass1.elf | $(AWK) '$$2 ~ /^[tT]$$/ {print $$1, $$3}' > $(B)/sprout.sym
	@sh tools/genksyms.sh $(B)/sprout.sym > $(B)/gen/ksyms_table.c
	@$(CC) $(KCFLAGS) -c $(B)/gen/ksyms_table.c -o $(B)/k/ksyms_table.o
	@$(CC) $(KLDFLAGS) -o $@ $(KOBJS) $(B)/k/ksyms_table.o -lgcc
	@nm -n $@ | $(AWK) '$$2 ~ /^[tT]$$/ {print $$1, $$3}' | cmp -s - $(B)/sprout.sym || \
		{ echo "ksyms: text moved between links" >&2; exit 1; }

# ---- user programs (static musl) ----
$(B)/user/%: user/%.c | $(DEPS_STAMP)
	@mkdir -p $(dir $@)
	$(MUSLCC) $(UCFLAGS) -o $@ $<

$(B)/user/%: user/demo/%.c | $(DEPS_STAMP)
	@mkdir -p $(dir $@)
	$(MUSLCC) $(UCFLAGS) -o $@ $<

$(B)/tests/guest/%: tests/guest/%.c $(wildcard tests/guest/*.h) | $(DEPS_STAMP)
	@mkdir -p $(dir $@)
	$(MUSLCC) $(UCFLAGS) -Itests/guest -o $@ $<

USER_BINS := $(USER_PROGS:%=$(B)/user/%)
GUEST_BINS := $(GUEST_TESTS:%=$(B)/tests/guest/%)

# ---- the boot image: a cpio "newc" archive unpacked into the root tmpfs ----
initramfs: $(B)/initramfs.cpio
$(B)/initramfs.cpio: $(USER_BINS) $(GUEST_BINS) tools/mkinitramfs.sh | $(DEPS_STAMP)
	sh tools/mkinitramfs.sh $(B) $@ "$(USER_PROGS)" "$(GUEST_TESTS)"

run: all
	./sprout boot --smp $(SMP) --mem $(MEM) $(if $(ACCEL),--accel $(ACCEL)) \
		$(if $(SWAP),--swap $(SWAP))

gdb: all
	./sprout boot --gdb --smp $(SMP) --mem $(MEM)

-include tests/unit/unit.mk

test: all
	python3 tools/test.py

soak: all
	sh tools/soak.sh $(SOAK_MINUTES) $(SOAK_CPUS) $(if $(SOAK_SWAP),swap)

# sparse: no kernel source dereferences a user address or converts one silently (__user).
check-uaccess: $(B)/gen/syscall_table.h
	sh tools/check-uaccess.sh

test-linux: $(GUEST_BINS)
	sh tools/test-linux.sh $(B)/tests/guest

# ---- benchmarks (bench/): static musl, libc only, the same binaries on Sprout and Linux ----
BENCH_PROGS := $(patsubst bench/%.c,%,$(wildcard bench/*.c))
BENCH_BINS := $(BENCH_PROGS:%=$(B)/bench/bin/%)

$(B)/bench/bin/%: bench/%.c bench/bench.h | $(DEPS_STAMP)
	@mkdir -p $(dir $@)
	$(MUSLCC) $(UCFLAGS) -o $@ $<

bench: all $(BENCH_BINS)
	sh tools/install-deps.sh --bench
	python3 tools/bench.py $(if $(QUICK),--quick)

clean:
	rm -rf $(B)

-include $(KOBJS:.o=.d)
