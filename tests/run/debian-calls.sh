# tools/test.py's run/debian-no-enosys: a representative run of each program of the
# Debian image's default packages (Makefile DEBIAN_DEFAULT_PACKAGES), in one boot. The
# check is that the kernel log has no "unimplemented syscall" line afterwards and that
# every command succeeds (their output is thrown away). Left out: what needs /sys
# (lscpu, lsblk), a terminal (tty, stty), and programs of packages outside the list
# (pidof, mount, script, logger, hostname, ...). tail -f must follow a file through
# inotify(7) (an anon_inode:inotify descriptor, nothing on stderr) rather than poll.
export LC_ALL=C PATH=/usr/local/bin:/usr/bin:/bin:/usr/sbin:/sbin
cd "$(mktemp -d)" || exit 1
fails=0
run() {
	"$@" </dev/null >/dev/null 2>&1 || { echo "failed ($?): $*"; fails=$((fails + 1)); }
}
sleep 100 & busy=$!
# procps
run ps aux; run ps -ef; run ps -o pid,ppid,stat,comm,wchan,nice,psr,rss,vsz,lstart
run top -b -n1; run free; run vmstat; run vmstat 1 2; run uptime; run w
run pgrep -l sleep; run pkill -0 sleep; run pmap $busy; run pwdx $busy; run sysctl -a
run slabtop -o
run watch -n 1 -g -t 'echo $RANDOM'
run kill -0 $busy; run /usr/bin/kill -l
# psmisc
run pstree -p; run killall -0 sleep; run killall -l; run fuser -v .; run prtstat $busy
# util-linux
run setsid true; run taskset -p $busy; run taskset -c 0 true; run prlimit --pid $busy
run nice -n 5 true; run chrt -p $busy; run ionice -p $busy
run ionice -c 3 true; run flock lockfile true; run findmnt
run dmesg; run sh -c 'dmesg -c >/dev/null; [ -z "$(dmesg)" ]'; run more /etc/hostname; run getopt -o a -- -a
run whereis ls; run lsipc; run lsns; run ipcs; run flock lockfile lslocks
run rev /etc/hostname; run unshare --help
# binutils
run readelf -a /usr/bin/true; run objdump -d /usr/bin/true; run nm -D /usr/bin/true
run strings /usr/bin/true; run size /usr/bin/true; run addr2line -e /usr/bin/true 0x1000
# findutils, grep, sed, gawk, less, diffutils
run find / -xdev -name hostname; run sh -c 'find /etc -type f | xargs -n 20 cat'
run sh -c 'find /etc -print0 | xargs -0 -P2 -n 30 ls -ld'
run grep -r root /etc; run grep -E 'r(oo)t' /etc/passwd; run sed -n 1p /etc/passwd
run cp /etc/passwd p; run sed -i s/root/ROOT/ p; run gawk 'BEGIN { system("true") }'
run sh -c 'echo x | less -F -X'; run less -FX /etc/hostname
run sh -c 'diff -u /etc/passwd p; [ $? = 1 ]'; run cmp /etc/hostname /etc/hostname
run diff3 p p p; run sdiff /etc/hostname /etc/hostname
# coreutils
run df; run df -i; run du -s /etc; run mkfifo ff; run sh -c '(echo x > ff &); cat ff'
run date; run stat / /etc/passwd; run stat -f /; run sort /etc/passwd; run sha256sum p
run md5sum p; run cksum p; run sh -c 'seq 100000 | sort -S 1M --parallel=2 | tail -1'
run ls -laR --color=always /etc; run cp -a /etc e2; run mv e2 e3; run rm -rf e3
run ln -s p lnk; run readlink -f lnk; run touch -d @0 t; run chmod 600 t; run chown 1:1 t
run truncate -s 1M t; run fallocate -l 64K fa; run dd if=/dev/zero of=t bs=4k count=10; run shred -n1 t; run sync
run sync -f .; run install -m 644 t t2; run split -b 1k t2 s; run tee tt </etc/hostname
run timeout 5 true; run sh -c 'timeout 0.3 sleep 5; [ $? = 124 ]'
run stdbuf -o0 echo x; run nohup true; run id; run groups; run uname -a
run nproc; run env; run mktemp; run realpath /; run sleep 0.1
run users; run who; run b2sum p; run base64 p; run shuf -n1 p; run tac p
run nl p; run od -c p; run fold p; run paste p; run fmt p; run pr p; run ptx p
run chroot / true; run mknod nod p; run link t t3; run unlink t3; run vdir /
run du -ab /etc; run sha512sum p; run cat /proc/self/status; run head -c 100 /dev/urandom
run sh -c 'echo a > tf; tail -f tf > tout 2> terr & t=$!; sleep 1; echo b >> tf; sleep 1
	ls -l /proc/$t/fd | grep -q "anon_inode:inotify"; r=$?; kill $t; wait $t
	grep -qx b tout && [ ! -s terr ] && [ $r = 0 ]'
# bash
run bash -c 'cat <(echo x); coproc { echo co; }; read -r x <&"${COPROC[0]}"; wait'
kill $busy; wait
echo "failures: $fails"
