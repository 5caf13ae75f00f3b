#!/bin/sh
# Install the host tools Sprout builds and tests with, from Debian's packages.
# Idempotent: installs only what is missing. Run as root (or through sudo).
set -e

need=""
check() {	# check COMMAND-OR-FILE PACKAGE
	case "$1" in
	/*) [ -e "$1" ] || need="$need $2" ;;
	*) command -v "$1" >/dev/null 2>&1 || need="$need $2" ;;
	esac
}

check qemu-system-x86_64 qemu-system-x86
check musl-gcc musl-tools
check cpio cpio
check gcc gcc
check make make
check /usr/include/cmocka.h libcmocka-dev
check /bin/busybox busybox-static
check gdb gdb
check python3 python3
check unshare util-linux

[ -z "$need" ] && exit 0

echo "install-deps: installing:$need" >&2
SUDO=""
[ "$(id -u)" -ne 0 ] && SUDO=sudo
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq >/dev/null
# shellcheck disable=SC2086
$SUDO apt-get install -y -qq --no-install-recommends $need >/dev/null
