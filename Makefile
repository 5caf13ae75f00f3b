# Sprout: build the kernel, the user programs and the boot image; run and test.
#   make            kernel + initramfs
#   make run        boot the default image (SMP=N, MEM=SIZE, ACCEL=tcg|kvm; IMAGE=debian:
#                   Debian 12's bash, coreutils, procps, ... plus DEBIAN_PACKAGES; SWAP=SIZE:
#                   swap on a scratch disk; NET=1: a virtio-net card on QEMU's user network;
#                   FORWARD="8080:80 ...": host 127.0.0.1:8080 reaches the guest's port 80)
#   make test       every test; ends with "N passed, N failed, N skipped"
#   make test-linux the in-guest test binaries, run natively on this Linux
#   make check-uaccess  sparse: user addresses only through include/uaccess.h
#   make run TRACE=out.json   ... and write a timeline of the run (docs/tracing.md)
#   make gdb        boot halted with QEMU's gdbstub and attach GDB (DEBUG=1: build with -Og)
#   make bench      benchmarks, Sprout and Linux side by side (QUICK=1: the short run;
#                   PROGS="proc scale" only those bench/ programs, PROGS=http the
#                   fork-per-request HTTP rows; ONLY=PREFIX only those rows)
#   make profile ROW=fork_exit_wait   guest instructions of one bench row by kernel function
#   make notrace-kernel  build/notrace/sprout.elf: no timeline hooks (bench's trace_off rows)
#   make soak       the SMP stress mix for SOAK_MINUTES (30) on SOAK_CPUS (4); not part of test
#                   (SOAK_SWAP=1: memory pressure with swap instead, tests/run/swap.c soak)

ARCH ?= x86_64
B := build
SMP ?= 1
MEM ?= 512M
ACCEL ?=
SWAP ?=
NET ?=
FORWARD ?=
SOAK_MINUTES ?= 30
SOAK_CPUS ?= 4

CC := gcc
MUSLCC := musl-gcc
AWK := awk

# DEBUG=1 (make gdb DEBUG=1): -Og instead of -O2, so GDB sees arguments and locals instead of
# <optimized out>; changing the setting rebuilds the kernel. Unwind tables go to .debug_frame
# (for GDB's backtraces), not into the kernel image.
DEBUG ?= 0
KOPT := $(if $(filter 1,$(DEBUG)),-Og,-O2)
KCFLAGS := -std=gnu11 $(KOPT) -g -fno-asynchronous-unwind-tables -Wall -Wextra -Wno-unused-parameter -Wno-sign-compare \
	-Wno-missing-field-initializers -Werror \
	-ffreestanding -fno-builtin -fno-stack-protector -fno-pic -fno-pie -mno-red-zone \
	-mno-sse -mno-sse2 -mno-mmx -mno-80387 -mcmodel=kernel -fno-omit-frame-pointer \
	-fno-strict-aliasing -fno-common -nostdinc -isystem $(shell $(CC) -print-file-name=include) \
	-Iinclude -Iarch/$(ARCH)/include -I$(B)/gen -MMD -MP
# LOCKDEP=1: the lock-order checker covers every spinlock and mutex acquisition
# (kernel/spinlock.c, kernel/locking.md). It is a debugging aid that costs instructions on
# every lock, so the default build (and make bench) leaves it off; make test turns it on.
# Changing the setting rebuilds the kernel.
ifneq ($(filter test soak,$(MAKECMDGOALS)),)
LOCKDEP ?= 1
endif
LOCKDEP ?= 0
ifeq ($(LOCKDEP),0)
# Without LOCKDEP the other lock debugging goes too (SPROUT_NDEBUG: the per-CPU stack of held
# spinlocks and per-task stack of held mutexes that name the culprit in a panic).
KCFLAGS += -DSPROUT_NO_LOCKDEP -DSPROUT_NDEBUG
endif
# SELFCHECK=1 (on with LOCKDEP, so in make test): structures kept for speed are recounted
# the slow way where they are used and the kernel panics if the two disagree (process
# groups' member and orphan-link counts, kernel/pgrp.c). Off in the default and bench build.
SELFCHECK ?= $(LOCKDEP)
ifneq ($(SELFCHECK),0)
KCFLAGS += -DSPROUT_SELFCHECK
endif
# TRACEPOINTS=0: a kernel without the timeline's hooks (include/trace.h), so --trace records
# nothing; make bench builds one in $(B)/notrace to show what the hooks cost when off.
TRACEPOINTS ?= 1
ifeq ($(TRACEPOINTS),0)
KCFLAGS += -DSPROUT_NO_TRACEPOINTS
endif
# Named by a hash of the compiler flags: any change of them (these options) rebuilds the kernel.
LOCKDEP_STAMP := $(B)/k/.kcflags-$(shell echo '$(KCFLAGS)' | cksum | cut -d' ' -f1)
KASFLAGS := -g -Iinclude -Iarch/$(ARCH)/include -I$(B)/gen -MMD -MP -D__ASSEMBLY__
KLDFLAGS := -nostdlib -static -no-pie -z max-page-size=0x1000 -z noexecstack \
	-T arch/$(ARCH)/linker.ld

KSRC_C := $(sort $(wildcard arch/$(ARCH)/*.c kernel/*.c mm/*.c fs/*.c ipc/*.c lib/*.c \
	drivers/*.c drivers/*/*.c net/*.c net/lwip/*.c))
KSRC_S := $(sort $(wildcard arch/$(ARCH)/*.S))
KOBJS := $(KSRC_C:%.c=$(B)/k/%.o) $(KSRC_S:%.S=$(B)/k/%.o)

# lwIP, the TCP/IP stack under AF_INET/AF_INET6 (docs/sockets.md): Debian's source package,
# fetched and unpacked by tools/install-deps.sh into its cache and linked as $(B)/lwip (never
# committed), compiled with Sprout's port layer (net/lwip/). Its own code is not held to our
# warning rules (-Werror off there); the port and the socket family are.
LWIP := $(B)/lwip/src
LWIP_FILES := core/init core/def core/inet_chksum core/ip core/mem core/memp core/netif \
	core/pbuf core/tcp core/tcp_in core/tcp_out core/timeouts core/udp \
	core/ipv4/etharp core/ipv4/icmp core/ipv4/ip4 core/ipv4/ip4_addr core/ipv4/ip4_frag \
	core/ipv6/ethip6 core/ipv6/icmp6 core/ipv6/inet6 core/ipv6/ip6 core/ipv6/ip6_addr \
	core/ipv6/ip6_frag core/ipv6/mld6 core/ipv6/nd6 netif/ethernet
LWIP_INC := -Inet/lwip/include -I$(LWIP)/include
KOBJS += $(LWIP_FILES:%=$(B)/k/lwip/%.o)
$(B)/k/net/%.o: KCFLAGS += $(LWIP_INC)

UCFLAGS := -static -O2 -g -Wall -Wextra -Wno-unused-parameter -Werror -idirafter include
USER_PROGS := $(patsubst user/%.c,%,$(wildcard user/*.c)) \
	$(patsubst user/demo/%.c,%,$(wildcard user/demo/*.c))
GUEST_TESTS := $(patsubst tests/guest/%.c,%,$(wildcard tests/guest/*.c))

DEPS_STAMP := $(B)/.deps-ok

.PHONY: all kernel initramfs debian-image run test test-linux unit gdb clean deps bench soak \
	check-uaccess profile notrace-kernel
all: kernel initramfs

# Install missing host tools from Debian's packages (once; again if the script changes).
$(DEPS_STAMP): tools/install-deps.sh
	@mkdir -p $(B)
	@SPROUT_BUILD=$(B) sh tools/install-deps.sh
	@touch $@
deps: $(DEPS_STAMP)

kernel: $(B)/sprout.elf

$(B)/gen/syscall_table.h: kernel/syscalls.tbl tools/gensyscalls.sh | $(DEPS_STAMP)
	@mkdir -p $(dir $@)
	sh tools/gensyscalls.sh $< > $@.tmp && mv $@.tmp $@

$(LOCKDEP_STAMP):
	@mkdir -p $(dir $@)
	@rm -f $(B)/k/.kcflags-* $(B)/k/.lockdep-*
	@touch $@

$(B)/k/%.o: %.c $(B)/gen/syscall_table.h $(LOCKDEP_STAMP) | $(DEPS_STAMP)
	@mkdir -p $(dir $@)
	@echo "  CC      $<"
	@$(CC) $(KCFLAGS) -c $< -o $@

$(B)/k/%.o: %.S $(LOCKDEP_STAMP) | $(DEPS_STAMP)
	@mkdir -p $(dir $@)
	@echo "  AS      $<"
	@$(CC) $(KASFLAGS) -c $< -o $@

# The sources are made by install-deps.sh (through the stamp), never deleted by make. Static
# pattern rules only: no implicit chain may reach into the lwIP tree.
LWIP_SRCS := $(LWIP_FILES:%=$(LWIP)/%.c)
.SECONDARY: $(LWIP_SRCS)
$(LWIP_SRCS): | $(DEPS_STAMP)
	@test -f $@ || SPROUT_BUILD=$(B) sh tools/install-deps.sh

$(LWIP_FILES:%=$(B)/k/lwip/%.o): $(B)/k/lwip/%.o: $(LWIP)/%.c $(LOCKDEP_STAMP) | $(DEPS_STAMP)
	@mkdir -p $(dir $@)
	@echo "  CC      lwip/$*.c"
	@$(CC) $(filter-out -Werror -Wextra,$(KCFLAGS)) $(LWIP_INC) -c $< -o $@

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

# Dynamically linked helpers of the guest tests (host gcc, glibc, not static): the image
# gets each with its interpreter and libraries at the host's paths (tools/mkinitramfs.sh).
GUEST_DYN := $(patsubst tests/guest/glibc/%.c,%,$(wildcard tests/guest/glibc/*.c))

$(B)/tests/guest/%: tests/guest/glibc/%.c | $(DEPS_STAMP)
	@mkdir -p $(dir $@)
	$(CC) -O2 -Wall -Wextra -Wno-unused-parameter -Werror $(GLIBC_CFLAGS) -o $@ $<

# dynprog-exec: the same program linked at fixed addresses (ET_EXEC, not PIE).
$(B)/tests/guest/dynprog-exec: GLIBC_CFLAGS := -no-pie
$(B)/tests/guest/dynprog-exec: tests/guest/glibc/dynprog.c

USER_BINS := $(USER_PROGS:%=$(B)/user/%)
GUEST_BINS := $(GUEST_TESTS:%=$(B)/tests/guest/%) $(GUEST_DYN:%=$(B)/tests/guest/%)

# ---- the boot image: a cpio "newc" archive unpacked into the root tmpfs ----
initramfs: $(B)/initramfs.cpio
$(B)/initramfs.cpio: $(USER_BINS) $(GUEST_BINS) tools/mkinitramfs.sh | $(DEPS_STAMP)
	sh tools/mkinitramfs.sh $(B) $@ "$(USER_PROGS)" "$(GUEST_TESTS)" "$(GUEST_DYN)"

# IMAGE=debian: Debian 12's own programs (tools/mkdebian.py); DEBIAN_PACKAGES adds to the
# default list, e.g. make run IMAGE=debian DEBIAN_PACKAGES="strace".
IMAGE ?= default
DEBIAN_DEFAULT_PACKAGES := bash coreutils procps psmisc util-linux binutils findutils grep \
	sed gawk less diffutils strace
DEBIAN_PACKAGES ?= $(DEBIAN_DEFAULT_PACKAGES)
DEBIAN_LIST := $(DEBIAN_DEFAULT_PACKAGES) \
	$(filter-out $(DEBIAN_DEFAULT_PACKAGES),$(DEBIAN_PACKAGES))
DEBIAN_LIST_STAMP := $(B)/debian-packages.$(shell echo '$(DEBIAN_LIST)' | cksum | cut -d' ' -f1)

$(DEBIAN_LIST_STAMP):
	@mkdir -p $(B)
	@rm -f $(B)/debian-packages.*
	@echo '$(DEBIAN_LIST)' > $@

debian-image: $(B)/debian.cpio
$(B)/debian.cpio: $(USER_BINS) tools/mkdebian.py $(DEBIAN_LIST_STAMP) | $(DEPS_STAMP)
	python3 tools/mkdebian.py $(B) $@ "$(DEBIAN_LIST)" "$(USER_PROGS)"

run: all
	./sprout boot --no-build --image $(IMAGE) --smp $(SMP) --mem $(MEM) \
		$(if $(ACCEL),--accel $(ACCEL)) $(if $(TRACE),--trace $(TRACE)) \
		$(if $(SWAP),--swap $(SWAP)) $(if $(NET),--net) \
		$(foreach f,$(FORWARD),--forward $(f))

# GDB attached to a halted boot, with tools/gdb/sprout.py's commands (sprout-ps, ...);
# the console is build/console.sock (docs/fork-cow.md).
gdb: all
	python3 tools/gdb/launch.py --smp $(SMP) --mem $(MEM)

-include tests/unit/unit.mk

test: all
	LOCKDEP=$(LOCKDEP) SELFCHECK=$(SELFCHECK) python3 tools/test.py

soak: all
	LOCKDEP=$(LOCKDEP) sh tools/soak.sh $(SOAK_MINUTES) $(SOAK_CPUS) $(if $(SOAK_SWAP),swap)

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

# The kernel without trace hooks, in a build tree of its own (the bench's trace_off rows).
notrace-kernel: | $(DEPS_STAMP)
	@mkdir -p $(B)/notrace && ln -sfn "$$(readlink -f $(B)/lwip)" $(B)/notrace/lwip
	@$(MAKE) --no-print-directory B=$(B)/notrace TRACEPOINTS=0 DEPS_STAMP=$(DEPS_STAMP) kernel

bench: all $(BENCH_BINS) notrace-kernel
	sh tools/install-deps.sh --bench
	python3 tools/bench.py $(if $(QUICK),--quick) $(foreach p,$(PROGS),--prog $(p)) \
		$(if $(ONLY),--only $(ONLY))

# The instruction profile of one bench row (tools/profile.py, docs/profile.md): a QEMU TCG
# plugin, built here against the plugin API it declares itself, counts guest instructions
# per translated block; they are attributed to the kernel functions of build/sprout.sym.
ROW ?= fork_exit_wait
$(B)/profile/insn-profile.so: tools/profile/insn-profile.c | $(DEPS_STAMP)
	@mkdir -p $(dir $@)
	$(CC) -O2 -Wall -Wextra -Wno-unused-parameter -Werror -shared -fPIC -fvisibility=hidden \
		-o $@ $<

profile: all $(BENCH_BINS) $(B)/profile/insn-profile.so
	python3 tools/profile.py $(ROW) $(if $(QUICK),--quick)

clean:
	rm -rf $(B)

-include $(KOBJS:.o=.d)
