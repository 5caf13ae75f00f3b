# Two busy loops on one CPU, seen by busybox top and ps (tools/test.py run/ps-top-busy-loops),
# then two more, and /proc/loadavg's 1-minute figure read every 2 s until it passes 1.5.
# With Linux's formula (a sample every 5 s, 1 - exp(-5/60) of the way each time) two loops
# alone reach only 2 * (1 - 1/e) = 1.26 after a minute; four pass 1.5 after about 30 s.
spin() { while :; do :; done; }
spin & a=$!
spin & b=$!
echo "loops $a $b"
sleep 2
top -b -n 2 -d 2
ps -o pid,ppid,nice,vsz,rss,stat,comm
spin & c=$!
spin & d=$!
i=0
while [ $i -lt 25 ]; do
	read one rest < /proc/loadavg
	echo "loadavg $i $one"
	case $one in 0.*|1.[0-4]*|1.50) ;; *) break ;; esac
	sleep 2
	i=$((i + 1))
done
kill $a $b $c $d
