"""GDB commands that speak Sprout's processes (loaded by `make gdb`; docs/fork-cow.md).

  sprout-ps              the process tree: pid, state (what a sleeper waits in), threads, name
  sprout-current         what each CPU is running
  sprout-vmas PID        the VMAs of a process's address space
  sprout-pte PID ADDR    walk one user address: each page-table level, COW state, refcounts
  sprout-trace [N]       the last N (20) events of each CPU's trace buffer (boot with trace)

They read kernel memory through the symbols of build/sprout.elf, so they work
wherever the machine is stopped (a breakpoint, ^C). Layouts come from the
debug information; the only constants are the x86-64 ones below.
"""

import gdb

# arch/x86_64/include/arch_impl.h
DIRECT_MAP_BASE = 0xffff800000000000
PAGE_SHIFT = 12
PTE_BITS = [(0, "P"), (1, "W"), (2, "U"), (5, "A"), (6, "D"), (7, "PS"), (9, "COW"), (63, "NX")]
PTE_ADDR_MASK = 0x000ffffffffff000

# include/task.h, include/trace.h
TASK_STATES = {0: "R", 1: "S", 2: "X", 3: "T"}
PROC_STATES = {0: "alive", 1: "zombie", 2: "dead"}
TRACE_TYPES = {1: "switch", 2: "wake", 3: "fork", 4: "exec", 5: "exit", 6: "reap",
               7: "reparent", 8: "signal-send", 9: "signal-deliver", 10: "cow-fault",
               11: "pt-unshare", 12: "oom-kill"}


def _sym(name):
    return gdb.parse_and_eval(name)


def _offset(typename, field):
    t = gdb.lookup_type(typename)
    for f in t.fields():
        if f.name == field:
            return f.bitpos // 8
    raise gdb.GdbError("%s has no field %s" % (typename, field))


def list_entries(head, typename, member):
    """The structs of @typename linked through list_head @member from list_head value @head."""
    off = _offset(typename, member)
    ptype = gdb.lookup_type(typename).pointer()
    first = head.address
    node = head["next"]
    seen = 0
    while int(node) != int(first) and int(node) != 0 and seen < 100000:
        yield gdb.Value(int(node) - off).cast(ptype).dereference()
        node = node["next"]
        seen += 1


def cstr(arr):
    try:
        return arr.string(length=16).split("\0", 1)[0]
    except (gdb.error, UnicodeDecodeError):
        return "?"


def symbol_at(addr):
    try:
        b = gdb.block_for_pc(int(addr))
        while b is not None and b.function is None:
            b = b.superblock
        if b is not None:
            return b.function.name
    except (RuntimeError, gdb.error):
        pass
    out = gdb.execute("info symbol %#x" % int(addr), to_string=True)
    return out.split()[0] if out and not out.startswith("No symbol") else "%#x" % int(addr)


def running_tasks():
    """{task address: cpu id} for the tasks on a CPU now."""
    out = {}
    for i in range(int(_sym("ncpus"))):
        t = _sym("cpus")[i]["running"]
        if int(t):
            out[int(t)] = i
    return out


def task_state(t, oncpu):
    st = int(t["state"])
    if st == 0:
        cpu = oncpu.get(int(t.address))
        return "running on CPU %d" % cpu if cpu is not None else "runnable"
    if st == 1:
        return "sleeping in %s" % symbol_at(t["wchan"]) if int(t["wchan"]) else "sleeping"
    if st == 3:
        return "stopped"
    return "dead"


def all_processes():
    """(process, depth) in tree order from the kernel process (pid 0) down."""
    root = _sym("'kernel/task.c'::kernel_process")
    out, seen = [], set()

    def walk(p, depth):
        if int(p.address) in seen:
            return
        seen.add(int(p.address))
        out.append((p, depth))
        for c in list_entries(p["children"], "struct process", "sibling"):
            walk(c, depth + 1)
    walk(root, 0)
    init = _sym("init_process")
    if int(init) and int(init) not in seen:
        walk(init.dereference(), 0)
    return out


def find_process(pid):
    for p, _ in all_processes():
        if int(p["pid"]) == pid:
            return p
    raise gdb.GdbError("no process %d" % pid)


def process_mm(p):
    for t in list_entries(p["threads"], "struct task", "thread_link"):
        if int(t["mm"]):
            return t["mm"].dereference()
    raise gdb.GdbError("process %d has no address space (zombie or kernel thread)"
                       % int(p["pid"]))


class SproutPs(gdb.Command):
    """sprout-ps: the process tree with each process's state and threads."""

    def __init__(self):
        super().__init__("sprout-ps", gdb.COMMAND_DATA)

    def invoke(self, arg, from_tty):
        oncpu = running_tasks()
        print("%-7s %-7s %-8s %-16s %s" % ("PID", "PPID", "STATE", "COMM", "THREADS"))
        for p, depth in all_processes():
            threads = list(list_entries(p["threads"], "struct task", "thread_link"))
            pstate = PROC_STATES.get(int(p["state"]), "?")
            if pstate == "alive" and bool(p["stopped"]):
                pstate = "stopped"
            name = cstr(threads[0]["comm"]) if threads else cstr(p["comm"])
            ppid = int(p["parent"]["pid"]) if int(p["parent"]) else 0
            desc = ", ".join("%d %s" % (int(t["tid"]), task_state(t, oncpu)) for t in threads)
            if pstate == "zombie":
                desc = "exit status %#x, waiting to be reaped" % int(p["exit_code"])
            print("%-7d %-7d %-8s %-16s %s" % (int(p["pid"]), ppid, pstate,
                                               "  " * depth + name, desc))


class SproutCurrent(gdb.Command):
    """sprout-current: the task each CPU is running (current)."""

    def __init__(self):
        super().__init__("sprout-current", gdb.COMMAND_DATA)

    def invoke(self, arg, from_tty):
        for i in range(int(_sym("ncpus"))):
            c = _sym("cpus")[i]
            t = c["running"]
            if not int(t):
                print("CPU %d: nothing yet" % i)
                continue
            t = t.dereference()
            pid = int(t["proc"]["pid"]) if int(t["proc"]) else 0
            idle = " (idle)" if int(c["idle"]) == int(t.address) else ""
            print("CPU %d: pid %d tid %d %s%s" % (i, pid, int(t["tid"]), cstr(t["comm"]), idle))


class SproutVmas(gdb.Command):
    """sprout-vmas PID: the VMAs of process PID's address space."""

    def __init__(self):
        super().__init__("sprout-vmas", gdb.COMMAND_DATA)

    def invoke(self, arg, from_tty):
        if not arg.strip():
            raise gdb.GdbError("usage: sprout-vmas PID")
        mm = process_mm(find_process(int(gdb.parse_and_eval(arg))))
        flags = [(0x1, "shared"), (0x2, "stack"), (0x4, "heap"), (0x2000, "locked"),
                 (0x8000, "growsdown")]
        print("mm %#x, page-table root at physical %#x, %d VMAs"
              % (int(mm.address), int(mm["pt_root"]), int(mm["map_count"])))
        for v in list_entries(mm["vmas"], "struct vma", "link"):
            prot = int(v["prot"])
            perms = "".join(c if prot & b else "-" for b, c in ((1, "r"), (2, "w"), (4, "x")))
            fl = [n for b, n in flags if int(v["flags"]) & b]
            what = ("file inode %d off %#x" % (int(v["file"]["ino"]), int(v["file_off"]))
                    if int(v["file"]) else "anonymous")
            print("  %016x-%016x %s %7d pages  %s %s" % (
                int(v["start"]), int(v["end"]), perms,
                (int(v["end"]) - int(v["start"])) >> PAGE_SHIFT, what, " ".join(fl)))


def read_u64(phys):
    mem = gdb.selected_inferior().read_memory(DIRECT_MAP_BASE + phys, 8)
    return int.from_bytes(bytes(mem), "little")


def page_refcount(phys):
    zone = _sym("'mm/page.c'::zone")
    pfn = phys >> PAGE_SHIFT
    base, n = int(zone["buddy"]["base_pfn"]), int(zone["buddy"]["npages"])
    if not base <= pfn < base + n:
        return None
    return int(zone["buddy"]["pages"][pfn - base]["refcount"])


def bits(e):
    return " ".join(n for b, n in PTE_BITS if e >> b & 1)


class SproutPte(gdb.Command):
    """sprout-pte PID ADDR: walk ADDR in PID's page tables; COW state and refcounts."""

    def __init__(self):
        super().__init__("sprout-pte", gdb.COMMAND_DATA)

    def invoke(self, arg, from_tty):
        args = gdb.string_to_argv(arg)
        if len(args) != 2:
            raise gdb.GdbError("usage: sprout-pte PID ADDR")
        pid, addr = int(gdb.parse_and_eval(args[0])), int(gdb.parse_and_eval(args[1]))
        mm = process_mm(find_process(pid))
        table = int(mm["pt_root"])
        names = ("PML4", "PDPT", "PD", "PT")
        for level, shift in enumerate((39, 30, 21, 12)):
            idx = (addr >> shift) & 511
            e = read_u64(table + idx * 8)
            print("%-4s[%3d] = %#018x  %s" % (names[level], idx, e, bits(e)))
            if not e & 1:
                print("  not present: the next touch is a demand fault")
                return
            nxt = e & PTE_ADDR_MASK
            if level == 2:
                refs = page_refcount(nxt)
                share = ("shared by %d address spaces" % refs if refs and refs > 1
                         else "private to this address space")
                print("  leaf table at %#x: %s; directory entry %s" % (
                    nxt, share, "writable" if e & 2 else
                    "read-only (shared since a fork: a write unshares it, mm/ptshare.c)"))
            if level == 3:
                refs = page_refcount(nxt)
                print("  page frame %#x, refcount %s" % (nxt, refs))
                if e & (1 << 9) and not e & 2:
                    if refs and refs > 1:
                        print("  COW: shared; the next write copies it (mm/fault.c cow_break)")
                    else:
                        print("  COW: last sharer; the next write takes it back without a copy")
                elif e & 2:
                    print("  writable: private to the tables that map it")
                else:
                    print("  read-only mapping")
            table = nxt


class SproutTrace(gdb.Command):
    """sprout-trace [N]: the last N (default 20) events of each CPU's trace buffer."""

    def __init__(self):
        super().__init__("sprout-trace", gdb.COMMAND_DATA)

    def invoke(self, arg, from_tty):
        n = int(gdb.parse_and_eval(arg)) if arg.strip() else 20
        if not bool(_sym("trace_enabled")):
            print("tracing is off: boot with \"trace\" on the kernel command line "
                  "(./sprout run --trace FILE)")
            return
        bufs = _sym("'kernel/trace.c'::bufs")
        for i in range(int(_sym("ncpus"))):
            b = bufs[i]
            count, dropped = int(b["count"]), int(b["dropped"])
            print("CPU %d: %d events, %d dropped" % (i, count, dropped))
            if not int(b["ev"]):
                continue
            for k in range(max(0, count - n), count):
                e = b["ev"][k]
                name = cstr(e["name"])
                print("  %14.3f us  %-14s pid %-5d tid %-5d a=%#x b=%#x c=%#x %s" % (
                    int(e["ts_ns"]) / 1000.0, TRACE_TYPES.get(int(e["type"]), "?"),
                    int(e["pid"]), int(e["tid"]), int(e["a"]), int(e["b"]), int(e["c"]),
                    name))


SproutPs()
SproutCurrent()
SproutVmas()
SproutPte()
SproutTrace()
