#!/bin/sh
# Check with sparse that no kernel source dereferences a user address or turns one into a kernel
# pointer without saying so (__force): include/types.h makes __user an address space of its own
# under sparse. Prints each finding and exits 1 if there is any, 0 if none.
#   usage: tools/check-uaccess.sh [FILE.c ...]   (default: every kernel C file)
set -u
cd "$(dirname "$0")/.." || exit 2
command -v sparse >/dev/null 2>&1 || { echo "check-uaccess: sparse is not installed" >&2; exit 2; }
[ -f build/gen/syscall_table.h ] || { echo "check-uaccess: build the kernel first" >&2; exit 2; }
[ $# -gt 0 ] || set -- arch/x86_64/*.c kernel/*.c mm/*.c fs/*.c ipc/*.c lib/*.c
inc=$(gcc -print-file-name=include)
found=0
for f in "$@"; do
	out=$(sparse -std=gnu11 -ffreestanding -m64 -D__x86_64__ -Iinclude -Iarch/x86_64/include \
		-Ibuild/gen -nostdinc -isystem "$inc" -Wno-decl "$f" 2>&1 |
		grep -A2 -E "address space|noderef")
	if [ -n "$out" ]; then
		printf '%s\n' "$out"
		found=1
	fi
done
[ "$found" -eq 0 ] && echo "check-uaccess: no user-address misuse in $# files"
exit "$found"
