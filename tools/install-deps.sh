#!/bin/sh
# Install the host tools Sprout builds and tests with, from Debian's packages.
# Idempotent: installs only what is missing. Run as root (or through sudo).
#
#   tools/install-deps.sh           what the build and `make test` need
#   tools/install-deps.sh --bench   also what `make bench` needs: gnuplot, and Debian's
#                                   linux-image-amd64 kernel, fetched with apt-get download
#                                   into a cache outside the repository ($SPROUT_CACHE, else
#                                   /var/cache/sprout as root, ~/.cache/sprout otherwise);
#                                   its vmlinuz is extracted to <cache>/linux/, and the
#                                   package name and version it came from are written to
#                                   <cache>/linux/PACKAGE (tools/bench.py prints them).
#                                   SPROUT_LINUX_PKG=linux-image-<abi>-amd64 pins a package.
set -e

bench=
[ "${1:-}" = "--bench" ] && bench=1

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
check sparse sparse
# The Debian image (tools/mkdebian.py) and `make bench` unpack Debian packages.
check dpkg-deb dpkg
check apt-get apt
check strace strace	# the strace difftest (tools/test.py run_strace_difftest)
if [ -n "$bench" ]; then
	check gnuplot gnuplot-nox
fi

SUDO=""
[ "$(id -u)" -ne 0 ] && SUDO=sudo
export DEBIAN_FRONTEND=noninteractive
updated=
if [ -n "$need" ]; then
	echo "install-deps: installing:$need" >&2
	$SUDO apt-get update -qq >/dev/null
	updated=1
	# shellcheck disable=SC2086
	$SUDO apt-get install -y -qq --no-install-recommends $need >/dev/null
fi
[ -z "$bench" ] && exit 0

# The Linux kernel the benchmarks compare against: the package linux-image-amd64 depends on
# (linux-image-<version>-amd64), downloaded once and never part of the repository.
if [ -n "${SPROUT_CACHE:-}" ]; then
	cache=$SPROUT_CACHE
elif [ "$(id -u)" -eq 0 ]; then
	cache=/var/cache/sprout
else
	cache=${XDG_CACHE_HOME:-$HOME/.cache}/sprout
fi
mkdir -p "$cache/linux"
# The swap rows also need the kernel's virtio-blk modules (tools/linux-blk-modules.sh).
if ls "$cache/linux"/vmlinuz-* >/dev/null 2>&1; then
	exec sh "$(dirname "$0")/linux-blk-modules.sh" "$cache"
fi

[ -z "$updated" ] && $SUDO apt-get update -qq >/dev/null
pkg=${SPROUT_LINUX_PKG:-$(apt-cache depends linux-image-amd64 2>/dev/null |
	sed -n 's/^ *Depends: \(linux-image-[0-9][^ ]*-amd64\)$/\1/p' | head -n 1)}
if [ -z "$pkg" ]; then
	echo "install-deps: cannot tell which package linux-image-amd64 stands for" >&2
	exit 1
fi
echo "install-deps: fetching $pkg into $cache" >&2
(cd "$cache" && apt-get download -q "$pkg" >/dev/null 2>&1) || {
	echo "install-deps: apt-get download $pkg failed" >&2
	exit 1
}
deb=$(ls -t "$cache/${pkg}"_*.deb | head -n 1)
tmp=$(mktemp -d "$cache/extract.XXXXXX")
dpkg-deb --fsys-tarfile "$deb" | tar -x -C "$tmp" ./boot
echo "$pkg $(dpkg-deb -f "$deb" Version)" > "$cache/linux/PACKAGE"
for f in "$tmp"/boot/vmlinuz-* "$tmp"/boot/config-*; do
	[ -f "$f" ] && mv "$f" "$cache/linux/"
done
rm -rf "$tmp" "$deb"
ls "$cache/linux"/vmlinuz-* >/dev/null 2>&1 || {
	echo "install-deps: no vmlinuz in $deb" >&2
	exit 1
}
exec sh "$(dirname "$0")/linux-blk-modules.sh" "$cache"
