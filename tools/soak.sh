#!/bin/sh
# The SMP soak: boot Sprout on several CPUs and run the stress mix of tests/guest/stress.c in a
# loop for the given number of minutes, then check that free pages and pids are back where they
# started. Prints the guest's progress lines and its final "# soak: ..." summary; the kernel log
# is kept in build/soak-kernel.log. Exits 0 only on a clean run (no failed round, no leak, no
# panic, no hang).
# With MODE "swap": memory pressure instead, on a 64 MiB machine with 1 GiB of swap on a scratch
# disk: tests/run/swap.c's soak mode (two processes writing and checking 4x RAM, copy-on-write
# across swap, fork of swapped processes, MAP_SHARED), then swapoff and swapon, ending with
# free memory and swap slots at their start values.
#   usage: tools/soak.sh MINUTES [CPUS] [swap]
set -u

minutes=${1:?usage: soak.sh MINUTES [CPUS]}
cpus=${2:-4}
mode=${3:-}
secs=$((minutes * 60))
# A round takes seconds; allow a generous margin past the end before calling it a hang.
limit=$((secs + 300))

cd "$(dirname "$0")/.." || exit 125
echo "soak: $minutes min on $cpus CPUs${mode:+ ($mode)} (time limit ${limit} s)"
if [ "$mode" = swap ]; then
	./sprout run --no-build --smp "$cpus" --mem 64M --swap 1G --timeout "$limit" \
		tests/run/swap.c soak "$secs"
else
	./sprout run --no-build --smp "$cpus" --timeout "$limit" /tests/guest/stress soak "$secs"
fi
rc=$?
cp build/kernel.log build/soak-kernel.log 2>/dev/null
case $rc in
0) echo "soak: clean" ;;
124) echo "soak: HANG (no power-off within ${limit} s); kernel log in build/soak-kernel.log" ;;
125) echo "soak: PANIC; kernel log in build/soak-kernel.log"
     grep -A40 "PANIC" build/soak-kernel.log | head -60 ;;
*) echo "soak: FAILED (exit status $rc)" ;;
esac
exit $rc
