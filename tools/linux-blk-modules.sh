#!/bin/sh
# The virtio block modules of the Linux kernel tools/install-deps.sh --bench cached (Debian
# builds virtio-blk as modules), for the swap rows of make bench (tools/bench.py boot_swap()):
# taken from the same package and version as the cached vmlinuz (<cache>/linux/PACKAGE),
# fetched with apt-get download, into <cache>/linux/blk-modules/. Idempotent.
#   usage: tools/linux-blk-modules.sh CACHE
set -e

cache=${1:?usage: linux-blk-modules.sh CACHE}
MODULES="virtio_ring virtio virtio_pci_modern_dev virtio_pci_legacy_dev virtio_pci virtio_blk"
have() {
	for m in $MODULES; do
		[ -f "$cache/linux/blk-modules/$m.ko" ] || return 1
	done
}
have && exit 0
pkg=$(cut -d' ' -f1 "$cache/linux/PACKAGE" 2>/dev/null)
ver=$(cut -d' ' -f2 "$cache/linux/PACKAGE" 2>/dev/null)
if [ -z "$pkg" ] || [ -z "$ver" ]; then
	echo "linux-blk-modules: $cache/linux/PACKAGE names no package" >&2
	exit 1
fi
echo "linux-blk-modules: fetching $pkg $ver for its virtio-blk modules into $cache" >&2
tmp=$(mktemp -d "$cache/blk.XXXXXX")
(cd "$tmp" && apt-get download -q "$pkg=$ver" >/dev/null 2>&1) || {
	echo "linux-blk-modules: apt-get download $pkg=$ver failed" >&2
	rm -rf "$tmp"
	exit 1
}
mkdir -p "$tmp/x" "$tmp/blk-modules"
dpkg-deb --fsys-tarfile "$tmp"/*.deb | tar -x -C "$tmp/x" --wildcards './lib/modules/*'
for m in $MODULES; do
	f=$(find "$tmp/x" -name "$m.ko" -path '*/kernel/*' | head -n 1)
	if [ -z "$f" ]; then
		echo "linux-blk-modules: no $m.ko in $pkg" >&2
		rm -rf "$tmp"
		exit 1
	fi
	mv "$f" "$tmp/blk-modules/"
done
rm -rf "$cache/linux/blk-modules"
mv "$tmp/blk-modules" "$cache/linux/blk-modules"
rm -rf "$tmp"
