# Debian's programs on Sprout against the same programs on Linux (tools/test.py's
# run/debian-difftest): bash runs this on both, and the outputs must be equal byte for
# byte once the pids (on lines starting "ps:" or "pstree:") are numbered P01, P02, ...
# in the order they first appear (and the PID and PPID columns, as wide as pid_max's
# digits, lose their padding). Nothing else may differ: files get fixed times, the
# programs inspected are the image's own, and the process tree is built here.
# Both runs write into a pipe with stderr merged (on Sprout the console is a terminal).
if [ -z "$DIFFTEST_PIPED" ]; then
	DIFFTEST_PIPED=1 bash -c "$BASH_EXECUTION_STRING" </dev/null 2>&1 | cat
	exit "${PIPESTATUS[0]}"
fi
export LC_ALL=C TZ=UTC PATH=/usr/local/bin:/usr/bin:/bin
umask 022
T=$(mktemp -d) && cd "$T" || exit 1
trap 'cd / && rm -rf "$T"; echo "trap: EXIT"' EXIT

echo "== bash $BASH_VERSION"

echo "== coreutils"
mkdir -p d/e && printf 'x\n' > a && printf 'hello\nworld\n' > d/b && seq 1 5000 > big
ln -s a link && ln a hard && mkfifo fifo && : > empty && chmod 640 a && chmod 4755 big
touch -h -d '2021-03-04 05:06:07 UTC' a d d/b d/e big link fifo empty
touch -d '2024-12-31 23:59:59.5 UTC' d/e
ls -l
ls -ln d
ls -lR
ls -ls --full-time d
ls -F; ls -1 -p d
stat -c '%n %s %b %B %h %a %A %F %U %G %u %g %y' a big d d/e link fifo empty
stat -L -c '%n %F %s' link
chown 1234:5678 empty && chown -h 1:5 link && ls -l empty link && ls -ln empty | cut -c1-24
stat -f -c '%T' .
seq 3 | sort -r
printf 'b 2\na 10\nc 1\na 2\n' | sort -k2,2n -k1,1
printf 'x:3\ny:1\nx:2\n' | sort -t: -k2 -u
seq 1 20000 | sort | sha256sum
seq 1 20000 | sort -nr | head -3
sha256sum a d/b big empty
sha256sum a big > sums && sha256sum -c sums
seq 5; seq -w 8 11; seq -s, 1 0.5 3; seq -f '%.3f' 1 2; seq 10 -3 1
date -d @0 -u
date -u -d @1234567890 '+%A %F %T %Z %s %j %U'
date -u -d '2020-02-29 12:00 +1 year' '+%F %T'
wc -l big; head -c 20 big | od -c | head -2; tail -n 2 big; cut -c1-2 d/b; tr a-z A-Z < d/b
printf '%05d|%-4s|%x\n' 42 ab 255; basename /a/b/c.txt .txt; dirname /a/b/c.txt
expr 7 \* 6; factor 360; echo "nproc ok: $(($(nproc) >= 1))"
cat -A <<'EOF'
tab	here
EOF
mkdir -m 2775 sg && touch sg/inherit && mkdir sg/sub && stat -c '%n %a %G' sg/inherit sg/sub
truncate -s 1M sparse && printf x | dd of=sparse bs=1 seek=500000 conv=notrunc 2>/dev/null
du -k sparse; stat -c '%s %b' sparse; ls -ls sparse | cut -d' ' -f1-6
dd if=/dev/zero of=zeros bs=4096 count=3 2>/dev/null; du -k zeros; wc -c zeros
cp -a d copy && cp -p a pa && touch -r big ref && ls -l --full-time copy pa ref
mknod null2 c 1 3 && mknod zero2 c 1 5 && ls -l null2 zero2 | cut -c1-24
mv copy moved && ln moved/b hb && rm -r moved && cat hb && stat -c '%h' hb
(umask 077; mkdir private; : > private/f; stat -c '%n %a' private private/f)
chmod 1777 pa && ls -l pa | cut -c1-10; chmod u=rwx,g=,o=x pa && stat -c %A pa
ln -s nowhere dangling && ls -lL dangling 2>&1; readlink dangling; test -e dangling; echo "-e $?"
find . -maxdepth 1 -newer a -name 'z*' | sort; find . -type l | sort; find . -empty | sort

echo "== binutils"
readelf -lW /usr/bin/true
readelf -hS -W /usr/bin/true | head -30
objdump -d /usr/bin/true | head -40
objdump -d /usr/bin/true | sha256sum
objdump -d /usr/bin/true | wc -l

echo "== findutils diffutils less"
find . | sort
find . -type f -newer d/b -printf '%p %s %m\n' | sort
find . -name '*b*' -print0 | sort -z | xargs -0 -n1 echo found
printf '1\n2\n3\n' > n1 && printf '1\n3\n4\n' > n2 && touch -d '2022-01-01 UTC' n1 n2
diff n1 n2; echo "diff: $?"
diff -u n1 n2; echo "diff -u: $?"
cmp n1 n2; echo "cmp: $?"
less -FX n1
echo "== gawk sed grep"
gawk 'BEGIN { for (i = 1; i <= 5; i++) s += i * i
	printf "%d %.4f %e %s\n", s, atan2(0, -1), exp(10), 1e6 }'
seq 1 12 | gawk '{ a[$1 % 3] += $1 }
	END { PROCINFO["sorted_in"] = "@ind_num_asc"; for (k in a) print k, a[k] }'
printf 'alpha beta\ngamma delta\n' |
	gawk '{ n = split($0, w, " "); gsub(/a/, "A"); print NR, NF, n, $0, toupper(w[2]), length($1) }'
gawk 'BEGIN { srand(1); print int(rand() * 1000); print strftime("%F %T", 86400 * 365, 1)
	"echo piped" | getline x; print x; system("echo from system") }'
gawk -F: 'BEGIN { OFS = "-" } { $1 = $1; print } END { print NR }' <<< 'a:b:c'
printf 'one\ntwo\nthree\nfour\n' | sed -n '2,3p'
printf 'one\ntwo\nthree\n' | sed -e 's/o/0/g' -e '/three/d' -e '1i\
first' -e '$a\
last'
printf 'a\nb\nc\n' | sed -n 'H;${x;s/\n/,/g;p}'
echo 'hello world' | sed -E 's/(\w+) (\w+)/\2 \1/; y/lo/LO/'
cp d/b edited && sed -i 's/world/there/' edited && cat edited
mkdir -p g/h && echo 'needle one' > g/x && echo 'hay' > g/h/y && echo 'needle two' > g/h/z
grep -r needle g | sort
grep -rn --include='z' needle g; grep -rc needle g | sort; grep -rl needle . | sort
grep -E '^(al|ga)' <<< $'alpha\nbeta\ngamma'; grep -v -c b <<< $'a\nb\nc'
grep -q zzz g/x; echo "grep: $?"

echo "== bash"
for i in 1 2 3; do printf '%s ' $((i * i)); done; echo
i=0
while (( i < 5 )); do (( i++ )); (( i == 2 )) && continue; (( i == 4 )) && break; echo "w$i"; done
until [[ $i -ge 7 ]]; do i=$((i + 1)); done; echo "until: $i"
for ((j = 0; j < 3; j++)); do for k in x y; do printf '%s%s ' $j $k; done; done; echo
printf 'l1\nl2\n' | while read -r line; do echo "read: $line"; done
f() { local x=$1; echo "f:$x"; return 4; }; f 7; echo "f: $?"
(exit 3); echo "subshell: $?"
( ( exit 5 ); echo "inner: $?"; exit 6 ); echo "outer: $?"
x=$(echo "out"; (echo "nested $(echo deep)")); echo "$x"
[[ $$ == $BASHPID ]] && echo "same shell"
( [[ $$ != $BASHPID ]] && echo "subshell has its own pid" )
v=1; ( v=2 ); echo "v: $v"; { v=3; }; echo "v: $v"
false | true | (exit 5); echo "pipestatus: ${PIPESTATUS[*]}"
set -o pipefail; false | true; echo "pipefail: $?"; set +o pipefail
yes | head -2; echo "yes: ${PIPESTATUS[0]}"
arr=(c a b); echo "${#arr[@]} ${arr[1]} ${arr[*]:1}"; declare -A m=([k]=v); echo "${m[k]}"
s="Hello"; echo "${s,,} ${s^^} ${s:1:3} ${s/l/L} ${#s}"
cat <<< "here string"; cat <<EOF
here doc $((6 * 7))
EOF
diff <(seq 3) <(seq 4); echo "procsub: $?"
echo "to fifo" > fifo & read -r got < fifo; wait; echo "fifo: $got"
trap 'echo "trap: USR1"' USR1; kill -USR1 $$; echo "after USR1"
trap 'echo "trap: ERR $?"' ERR; false; trap - ERR
g() { trap 'echo "trap: RETURN"' RETURN; echo "in g"; }; g; trap - RETURN
( trap 'echo "trap: subshell EXIT"' EXIT; echo "in subshell" )
( trap '' INT; bash -c 'kill -INT $$; echo "INT ignored in child"' )
bash -c 'trap "echo trap: TERM; exit 9" TERM; kill -TERM $$; sleep 5'; echo "term: $?"
# A background job is signalled once it runs sleep (before its exec it is a copy of this
# shell, with this shell's traps).
started() { until [ "$(ps -o comm= -p "$1")" = sleep ]; do sleep 0.01; done; }
sleep 100 & started $!; kill $!; wait $!; echo "killed: $? $(kill -l $?)"
# (bash's notes on the killed jobs name their pids: not shown.)
{ sleep 100 & started $!; kill -9 $!; wait $!; } 2>/dev/null; echo "killed: $? $(kill -l $?)"
sleep 100 & p=$!; started $p; kill -STOP $p; kill -CONT $p; kill $p; wait $p
echo "stop-cont-term: $?"
(sleep 1; exit 2) & (exit 1) & wait -n; echo "wait -n: $?"; wait; echo "waited all"
bash -c 'exit 300'; echo "exit 300: $?"
{ bash -c 'kill -SEGV $$'; } 2>/dev/null; echo "segv: $?"
type -t cd ls f; command -v sed
echo "umask $(umask)"
timeout 0.2 sleep 5; echo "timeout: $?"
{ timeout -s KILL 0.2 sleep 5; } 2>/dev/null; echo "timeout KILL: $?"
timeout --preserve-status -s USR1 0.2 sleep 5; echo "preserved: $?"; timeout 5 true; echo "in time: $?"
nice -n 3 nice; nice -n -5 nice; chrt -b 0 chrt -p 0 | sed 's/[0-9]*//g'
prlimit --nofile=100:200 bash -c 'ulimit -n; ulimit -Hn'; (ulimit -Sn 50; ulimit -n)
exec 7< a 9> /dev/null; ls /proc/self/fd | tr '\n' ' '; echo; basename "$(readlink /proc/$$/fd/7)"
exec 7<&- 9>&-
head -c 1000000 /dev/zero | wc -c; yes abc | head -c 300000 | sha256sum; seq 200000 | tail -1
mkfifo ff2 && { seq 50000 > ff2 & } && sha256sum < ff2; wait

echo "== ps pstree"
# The pids start at 100 or more on both sides, so each takes three digits and the names
# P01, P02, ... leave the columns where they were.
while [ "$(exec sh -c 'echo $$')" -lt 100 ]; do :; done
# A subshell forked after that is the tree's parent, so every pid shown has three digits.
(
export -f started
# Each process is made once the one before it is in place: the pids' order is fixed.
setsid bash -c '
	until_ps() { until [ "$(ps -o "$1" "${@:3}" | tr -d " " | tr "\n" " ")" = "$2" ]; do
		sleep 0.01; done; }
	nice -n 5 sleep 1000 & started $!
	# The child ends once its parent has become sleep, which never reaps it: a zombie.
	bash -c "(until [ -e go ]; do sleep 0.01; done) & exec sleep 1001" & p=$!
	until_ps comm= "sleep " -p $p; : > go; until_ps stat= "Z " --ppid $p
	sleep 1002 & p=$!; started $p; kill -STOP $p; until_ps stat= "T " -p $p
	bash -c "sleep 1003 & sleep 1004 & wait" & until_ps comm= "sleep sleep " --ppid $!
	wait' &
L=$!
ready() {
	local states
	states=$(ps -o stat= --sid "$L" | tr -d ' ' | sort | tr '\n' ' ')
	[ "$states" = "S S S S SN Ss T Z " ]
}
for n in $(seq 1200); do ready && break; sleep 0.05; done
ready || echo "the process tree is not as expected"
ps -o pid,ppid,stat,comm --sid "$L" | sed 's/^/ps: /'
ps -o pid,ppid,stat,comm,args --forest --sid "$L" | sed 's/^/ps: /'
ps -o pid,ppid,pgid,sid,tpgid,stat,ni,pri,nlwp,cls,tty,comm --sid "$L" | sed 's/^/ps: /'
for p in $(pgrep -s "$L"); do
	grep -E '^(Name|State|Threads|SigPnd|ShdPnd|SigBlk|SigIgn|SigCgt)' /proc/$p/status |
		tr '\n\t' '  '; echo
done
pstree -p "$L" | sed 's/^/pstree: /'
pstree -pA "$L" | sed 's/^/pstree: /'
pgrep -s "$L" -l sleep | sed 's/^/ps: /'
kill -CONT -- -"$L"; kill -- -"$L"; wait "$L"; echo "tree: $?"
)
