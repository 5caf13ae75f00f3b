# The scripted GDB session of `make test` (tools/test.py, run group): init runs
# /bin/lifecycle; stop in do_fork when lifecycle forks, then show the
# processes, the CPUs, the backtrace down to the user/kernel boundary, the
# forking process's VMAs, one page-table walk and the newest trace events
# (booted with "trace").
hbreak do_fork
python
for i in range(8):
    gdb.execute("continue")
    if "lifecycle" in gdb.execute("sprout-current", to_string=True):
        break
end
echo === sprout-current\n
sprout-current
echo === sprout-ps\n
sprout-ps
echo === bt\n
bt
python
import re
cur = gdb.execute("sprout-current", to_string=True)
pid = int(re.search(r"CPU \d+: pid (\d+) tid \d+ lifecycle", cur).group(1))
print("=== sprout-vmas %d" % pid)
vmas = gdb.execute("sprout-vmas %d" % pid, to_string=True)
print(vmas, end="")
stack = [l for l in vmas.splitlines() if " stack" in l]
addr = int(stack[0].split("-")[1].split()[0], 16) - 8 if stack else 0
print("=== sprout-pte %d %#x" % (pid, addr))
gdb.execute("sprout-pte %d %#x" % (pid, addr))
end
echo === sprout-trace\n
sprout-trace 20
kill
