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
#                                   The same package's virtio and virtio-net modules go to
#                                   <cache>/linux/net-modules/ (Debian builds them as modules;
#                                   the network rows of the benchmarks load them).
#
# Always: the source of lwIP, the TCP/IP stack built into the kernel (net/lwip/,
# docs/sockets.md), as Debian 12's source package: a deb-src list of its own inside the cache
# (<cache>/lwip/src.list, with its own package lists, so the host's apt configuration is
# untouched), apt-get source --download-only, and the .orig tarball unpacked to
# <cache>/lwip/src. The build directory ($SPROUT_BUILD, else build) gets a link lwip -> that
# tree. Fetched once; never in the repository.
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
check xz xz-utils	# lwIP's source tarball
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

if [ -n "${SPROUT_CACHE:-}" ]; then
	cache=$SPROUT_CACHE
elif [ "$(id -u)" -eq 0 ]; then
	cache=/var/cache/sprout
else
	cache=${XDG_CACHE_HOME:-$HOME/.cache}/sprout
fi

# lwIP's source (see the top): the .orig tarball of Debian's lwip source package.
lwip=$cache/lwip
if [ ! -f "$lwip/src/src/core/tcp.c" ] || [ ! -f "$lwip/src/src/netif/ethernet.c" ]; then
	mkdir -p "$lwip/lists/partial" "$lwip/apt-cache/archives/partial"
	if ! ls "$lwip"/lwip_*.orig.tar.* >/dev/null 2>&1; then
		echo "deb-src http://deb.debian.org/debian bookworm main" > "$lwip/src.list"
		aptsrc() {
			apt-get -q -o Dir::Etc::SourceList="$lwip/src.list" \
				-o Dir::Etc::SourceParts=/dev/null -o Dir::State::Lists="$lwip/lists" \
				-o Dir::Cache="$lwip/apt-cache" -o Debug::NoLocking=1 "$@"
		}
		echo "install-deps: fetching Debian's lwip source package into $lwip" >&2
		aptsrc update >/dev/null 2>&1 || {
			echo "install-deps: apt-get update of $lwip/src.list failed" >&2
			exit 1
		}
		(cd "$lwip" && aptsrc source --download-only lwip >/dev/null 2>&1) || {
			echo "install-deps: apt-get source lwip failed" >&2
			exit 1
		}
	fi
	orig=$(ls -t "$lwip"/lwip_*.orig.tar.* | head -n 1)
	tmp=$(mktemp -d "$lwip/extract.XXXXXX")
	chmod 755 "$tmp"
	tar -xf "$orig" -C "$tmp" --strip-components=1
	rm -rf "$lwip/src"
	mv "$tmp" "$lwip/src"
	basename "$orig" > "$lwip/src/SPROUT-SOURCE"
	[ -f "$lwip/src/src/core/tcp.c" ] || {
		echo "install-deps: no src/core/tcp.c in $orig" >&2
		exit 1
	}
fi
bdir=${SPROUT_BUILD:-build}
mkdir -p "$bdir"
ln -sfn "$lwip/src" "$bdir/lwip"

[ -z "$bench" ] && exit 0

# The Linux kernel the benchmarks compare against: the package linux-image-amd64 depends on
# (linux-image-<version>-amd64), downloaded once and never part of the repository.
mkdir -p "$cache/linux"
# The modules a Linux guest needs for QEMU's virtio-net-pci card, from the kernel's own package.
NET_MODULES="virtio virtio_ring virtio_pci_modern_dev virtio_pci_legacy_dev virtio_pci failover
net_failover virtio_net"
have_net() {
	for m in $NET_MODULES; do
		[ -f "$cache/linux/net-modules/$m.ko" ] || return 1
	done
}
if ls "$cache/linux"/vmlinuz-* >/dev/null 2>&1; then
	# The swap rows also need the kernel's virtio-blk modules (tools/linux-blk-modules.sh).
	have_net && exec sh "$(dirname "$0")/linux-blk-modules.sh" "$cache"
	# A kernel fetched before the modules were wanted: the modules of that same package.
	pkg=$(cut -d' ' -f1 "$cache/linux/PACKAGE" 2>/dev/null)
	ver=$(cut -d' ' -f2 "$cache/linux/PACKAGE" 2>/dev/null)
	if [ -z "$pkg" ]; then
		echo "install-deps: $cache/linux has a kernel but no PACKAGE; remove it to refetch" >&2
		exit 1
	fi
	[ -z "$updated" ] && $SUDO apt-get update -qq >/dev/null
	echo "install-deps: fetching $pkg for its network modules into $cache" >&2
	(cd "$cache" && { apt-get download -q "$pkg=$ver" >/dev/null 2>&1 ||
		apt-get download -q "$pkg" >/dev/null 2>&1; }) || {
		echo "install-deps: apt-get download $pkg failed" >&2
		exit 1
	}
	kernel_too=
else
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
	kernel_too=1
fi
deb=$(ls -t "$cache/${pkg}"_*.deb | head -n 1)
tmp=$(mktemp -d "$cache/extract.XXXXXX")
dpkg-deb --fsys-tarfile "$deb" | tar -x -C "$tmp" --wildcards ./boot \
	'*/kernel/drivers/virtio/*.ko' '*/kernel/drivers/net/virtio_net.ko' \
	'*/kernel/drivers/net/net_failover.ko' '*/kernel/net/core/failover.ko'
if [ -n "$kernel_too" ]; then
	echo "$pkg $(dpkg-deb -f "$deb" Version)" > "$cache/linux/PACKAGE"
	for f in "$tmp"/boot/vmlinuz-* "$tmp"/boot/config-*; do
		[ -f "$f" ] && mv "$f" "$cache/linux/"
	done
fi
mkdir -p "$tmp/net-modules"
for m in $NET_MODULES; do
	f=$(find "$tmp" -name "$m.ko" -path '*/kernel/*' | head -n 1)
	if [ -z "$f" ]; then
		echo "install-deps: no $m.ko in $deb" >&2
		rm -rf "$tmp" "$deb"
		exit 1
	fi
	mv "$f" "$tmp/net-modules/"
done
rm -rf "$cache/linux/net-modules"
mv "$tmp/net-modules" "$cache/linux/net-modules"
rm -rf "$tmp" "$deb"
ls "$cache/linux"/vmlinuz-* >/dev/null 2>&1 || {
	echo "install-deps: no vmlinuz in $deb" >&2
	exit 1
}
exec sh "$(dirname "$0")/linux-blk-modules.sh" "$cache"
