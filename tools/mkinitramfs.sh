#!/bin/sh
# Build Sprout's boot image: a cpio "newc" archive that the kernel unpacks into
# its root tmpfs.  Called by the Makefile:
#
#   tools/mkinitramfs.sh B OUT "USER_PROGS" "GUEST_TESTS" ["GUEST_DYN"]
#
# B is the build directory holding B/user/<prog> and B/tests/guest/<test>.
# GUEST_DYN are dynamically linked test helpers in B/tests/guest; each comes
# with its interpreter and every library ldd resolves, at the host's paths.
# The tree is staged under B/root (recreated each time):
#   /sbin/init          B/user/init
#   /bin/<prog>         B/user/<prog>, every other user program
#   /tests/guest/<t>    B/tests/guest/<t> (GUEST_TESTS and GUEST_DYN)
#   /lib64/ld-linux-x86-64.so.2, /lib/x86_64-linux-gnu/libc.so.6, ...
#                       what the GUEST_DYN programs need, copied from the host
#   /tmp (1777), /run, /dev (with the fd, stdin, stdout, stderr links), /proc,
#   /etc, /root; /etc/passwd, /etc/group,
#   /etc/profile
#   /bin/busybox        Debian's busybox-static, with a symlink for each applet
#                       (busybox --list-full) where no program of ours sits
# Entries are sorted, owned by 0:0 and carry a fixed mtime, so the same inputs
# give the same archive byte for byte.
set -eu

if [ $# -ne 4 ] && [ $# -ne 5 ]; then
	echo "usage: $0 BUILD-DIR OUT USER_PROGS GUEST_TESTS [GUEST_DYN]" >&2
	exit 2
fi
b=$1
out=$2
user_progs=$3
guest_tests=$4
guest_dyn=${5:-}

case $out in
/*) ;;
*) out=$(pwd)/$out ;;
esac

root=$b/root
rm -rf "$root"
mkdir -p "$root/sbin" "$root/bin" "$root/tests/guest" \
	"$root/tmp" "$root/run" "$root/dev" "$root/proc" "$root/etc" "$root/root"
chmod 1777 "$root/tmp"
# POSIX shared memory: shm_open(3) creates its objects in /dev/shm.
mkdir -p "$root/dev/shm"
chmod 1777 "$root/dev/shm"
# The links udev makes on Linux: bash's process substitution <(...) opens /dev/fd/N.
ln -s /proc/self/fd "$root/dev/fd"
for n in 0:stdin 1:stdout 2:stderr; do ln -s "/proc/self/fd/${n%%:*}" "$root/dev/${n#*:}"; done
chmod 0755 "$root/sbin" "$root/bin" "$root/tests" "$root/tests/guest" \
	"$root/run" "$root/dev" "$root/proc" "$root/etc"
chmod 0700 "$root/root"

# install SRC DST: copy one program in as an executable.
install_prog() {
	if [ ! -f "$1" ]; then
		echo "mkinitramfs: missing $1" >&2
		exit 1
	fi
	cp "$1" "$2"
	chmod 0755 "$2"
}

for p in $user_progs; do
	if [ "$p" = init ]; then
		install_prog "$b/user/init" "$root/sbin/init"
	else
		install_prog "$b/user/$p" "$root/bin/$p"
	fi
done
for t in $guest_tests; do
	install_prog "$b/tests/guest/$t" "$root/tests/guest/$t"
done

# install_libs PROG: the interpreter and the libraries of a dynamic PROG, at the
# paths ldd prints ("libc.so.6 => /lib/.../libc.so.6 (0x...)", "/lib64/ld-... (0x...)"),
# as regular files (the host's symlinks followed).
install_libs() {
	ldd "$1" | sed -n -e 's|.*=> \(/[^ ]*\) (0x.*|\1|p' -e 's|^[[:space:]]*\(/[^ ]*\) (0x.*|\1|p' |
	while read -r lib; do
		[ -e "$root$lib" ] && continue
		mkdir -p "$root$(dirname "$lib")"
		cp -L "$lib" "$root$lib"
		chmod 0755 "$root$lib"
	done
}
for t in $guest_dyn; do
	install_prog "$b/tests/guest/$t" "$root/tests/guest/$t"
	install_libs "$b/tests/guest/$t"
done

# Debian's static busybox: the shell and the utilities of the login session.
busybox=${BUSYBOX:-/bin/busybox}
install_prog "$busybox" "$root/bin/busybox"
mkdir -p "$root/usr/bin" "$root/usr/sbin"
"$busybox" --list-full | while read -r applet; do
	case $applet in
	*/busybox | "") continue ;;
	esac
	dst=$root/$applet
	[ -e "$dst" ] || [ -L "$dst" ] && continue
	mkdir -p "$(dirname "$dst")"
	ln -s /bin/busybox "$dst"
done

printf '%s\n' 'root:x:0:0:root:/root:/bin/sh' 'daemon:x:1:1:daemon:/usr/sbin:/bin/false' \
	'nobody:x:65534:65534:nobody:/nonexistent:/bin/false' > "$root/etc/passwd"
printf '%s\n' 'root:x:0:' 'daemon:x:1:' 'tty:x:5:' 'nogroup:x:65534:' > "$root/etc/group"
cat > "$root/etc/profile" <<'PROFILE'
# Read by the login shell init starts on the console.
export PATH=/bin:/sbin:/usr/bin:/usr/sbin
export HOME=/root
export PS1='sprout:\w\$ '
umask 022
PROFILE
chmod 0644 "$root/etc/passwd" "$root/etc/group" "$root/etc/profile"

# A fixed time stamp keeps the archive reproducible.
find "$root" -exec touch -h -d "@${SOURCE_DATE_EPOCH:-0}" {} +

# Names are stored relative to the root ("bin/init", not "./bin/init").
reproducible=
if cpio --help 2>/dev/null | grep -q -- --reproducible; then
	reproducible=--reproducible
fi
(
	cd "$root"
	find . -mindepth 1 | sed 's|^\./||' | LC_ALL=C sort |
		cpio --quiet -o -H newc --owner=0:0 $reproducible > "$out.tmp"
)
mv "$out.tmp" "$out"
