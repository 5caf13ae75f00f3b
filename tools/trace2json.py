#!/usr/bin/env python3
"""Turn Sprout's trace dump into Chrome trace-event JSON (Perfetto, chrome://tracing).

  python3 tools/trace2json.py DUMP OUT.json [--symbols build/sprout.sym]

DUMP is what the kernel wrote to the trace port at power-off (kernel/trace.c
describes the format; `./sprout run --trace OUT.json` runs this for you).

The JSON has
  - one track per CPU (process "CPUs", thread "CPU n"): a slice per stretch
    of time a task ran there, named "comm pid/tid" (idle time is left empty);
  - one track per thread of each process (Chrome pid = Sprout pid, tid = tid),
    from fork to reap, with slices for its state: running, runnable,
    "sleeping: <where>" (the kernel function it sleeps in), stopped, zombie;
  - instant events: fork, exec (the new program), exit (status), reap,
    reparent, signal sent, signal delivered, cow fault (address, copied or
    reused), pt unshare, oom kill; flow arrows from a fork to the child's track and from
    a signal's sending to its delivery.
Timestamps ("ts", microseconds in the format) are guest nanoseconds / 1000,
printed with three decimals, so the nanoseconds are exact. Dropped events
(a full buffer) are reported in otherData and on stderr.
"""

import argparse
import bisect
import json
import struct
import sys

MAGIC, TRAILER = b"SPRTRACE", b"SPRTEND\0"
REC = struct.Struct("<QHHIIIQQQ16s")

SWITCH, WAKE, FORK, EXEC, EXIT, REAP, REPARENT, SIG_SEND, SIG_DELIVER, COW, PT_UNSHARE, \
    OOM_KILL = range(1, 13)
PREV_STATES = {0: "runnable", 1: "sleeping", 2: "stopped", 3: "dead"}
CPU_PID = 1 << 30           # the pseudo-process holding the CPU tracks

SIGNAMES = {1: "SIGHUP", 2: "SIGINT", 3: "SIGQUIT", 4: "SIGILL", 5: "SIGTRAP", 6: "SIGABRT",
            7: "SIGBUS", 8: "SIGFPE", 9: "SIGKILL", 10: "SIGUSR1", 11: "SIGSEGV",
            12: "SIGUSR2", 13: "SIGPIPE", 14: "SIGALRM", 15: "SIGTERM", 16: "SIGSTKFLT",
            17: "SIGCHLD", 18: "SIGCONT", 19: "SIGSTOP", 20: "SIGTSTP", 21: "SIGTTIN",
            22: "SIGTTOU", 23: "SIGURG", 24: "SIGXCPU", 25: "SIGXFSZ", 26: "SIGVTALRM",
            27: "SIGPROF", 28: "SIGWINCH", 29: "SIGIO", 30: "SIGPWR", 31: "SIGSYS"}


class Event:
    __slots__ = ("ts", "type", "cpu", "pid", "tid", "a", "b", "c", "name", "seq")


def parse(data):
    """The dump's events, sorted by time (ties: CPU, then recording order),
    and the dropped count per CPU. Raises ValueError on a malformed dump."""
    if not data.startswith(MAGIC):
        raise ValueError("no trace dump (was the kernel booted with tracing?)")
    version, ncpus, recsize, _ = struct.unpack_from("<IIII", data, 8)
    if version != 1 or recsize != REC.size:
        raise ValueError("unknown trace dump version %d / record size %d" % (version, recsize))
    off, events, dropped = 24, [], {}
    for _ in range(ncpus):
        if off + 16 > len(data):
            raise ValueError("trace dump cut short")
        cpu, count, drop = struct.unpack_from("<IIQ", data, off)
        off += 16
        if off + count * REC.size > len(data):
            raise ValueError("trace dump cut short in CPU %d's records" % cpu)
        dropped[cpu] = drop
        for i in range(count):
            f = REC.unpack_from(data, off)
            off += REC.size
            e = Event()
            e.ts, e.type, e.cpu, e.pid, e.tid, _, e.a, e.b, e.c, name = f
            e.name = name.split(b"\0", 1)[0].decode(errors="replace")
            e.seq = (cpu, i)
            events.append(e)
    if data[off:off + 8] != TRAILER:
        raise ValueError("trace dump has no trailer")
    events.sort(key=lambda e: (e.ts, e.seq))
    return events, dropped


def load_symbols(path):
    """(sorted addresses, names) from an `nm -n` style file, or None."""
    try:
        addrs, names = [], []
        with open(path) as f:
            for line in f:
                parts = line.split()
                if len(parts) == 2:
                    addrs.append(int(parts[0], 16))
                    names.append(parts[1])
        return addrs, names
    except OSError:
        return None


def symbolise(syms, addr):
    if not addr:
        return "?"
    if syms:
        i = bisect.bisect_right(syms[0], addr) - 1
        if i >= 0:
            return syms[1][i]
    return "%#x" % addr


def us(ns):
    """Trace-event time (microseconds) with exact nanoseconds."""
    return round(ns / 1000.0, 3)


def status_text(ws):
    if ws & 0x7f == 0:
        return "exited %d" % ((ws >> 8) & 0xff)
    if ws & 0xff == 0x7f:
        return "stopped"
    return "killed by %s%s" % (SIGNAMES.get(ws & 0x7f, str(ws & 0x7f)),
                               " (core dumped)" if ws & 0x80 else "")


class Builder:
    def __init__(self, syms):
        self.syms = syms
        self.out = []
        self.state = {}         # (pid, tid) -> (state name, since ns)
        self.names = {}         # pid -> program name
        self.tnames = {}        # (pid, tid) -> thread name
        self.zombie = set()     # pids between exit and reap
        self.oncpu = {}         # cpu -> (pid, tid, name, since)
        self.flow_id = 0
        self.sig_pending = {}   # (target pid, signal) -> [flow ids]

    def slice(self, pid, tid, name, start, end, cat, args=None):
        ev = {"ph": "X", "name": name, "cat": cat, "pid": pid, "tid": tid,
              "ts": us(start), "dur": round(us(end) - us(start), 3)}
        if args:
            ev["args"] = args
        self.out.append(ev)

    def instant(self, pid, tid, name, ts, cat, args):
        self.out.append({"ph": "i", "s": "t", "name": name, "cat": cat, "pid": pid,
                         "tid": tid, "ts": us(ts), "args": args})

    def flow(self, ph, fid, pid, tid, ts, name):
        ev = {"ph": ph, "id": fid, "name": name, "cat": name, "pid": pid, "tid": tid,
              "ts": us(ts)}
        if ph == "f":
            ev["bp"] = "e"
        self.out.append(ev)

    def set_state(self, pid, tid, name, ts):
        """Close the thread's current state slice and open @name (None: the track ends)."""
        if pid == 0:
            return
        key = (pid, tid)
        old = self.state.pop(key, None)
        if old and old[0] is not None:
            self.slice(pid, tid, old[0], old[1], ts, "state")
        if name is not None:
            self.state[key] = (name, ts)
        self.tnames.setdefault(key, self.names.get(pid, "?"))

    def cpu_switch(self, cpu, ts, nxt):
        cur = self.oncpu.pop(cpu, None)
        if cur:
            pid, tid, name, since = cur
            self.slice(CPU_PID, cpu, "%s %d/%d" % (name, pid, tid), since, ts, "sched",
                       {"pid": pid, "tid": tid})
        if nxt and nxt[0] != 0:
            self.oncpu[cpu] = nxt + (ts,)

    def event(self, e):
        pid, tid, ts = e.pid, e.tid, e.ts
        if e.type == SWITCH:
            st = PREV_STATES.get(e.a, "runnable")
            if st == "sleeping":
                st = "sleeping: " + symbolise(self.syms, e.b)
            if st == "dead":
                # The last thread of a zombie stays "zombie" until it is reaped.
                st = "zombie" if pid in self.zombie and tid == pid else None
            if not (pid in self.zombie and tid == pid):
                self.set_state(pid, tid, st, ts)
            npid, ntid = e.c >> 32, e.c & 0xffffffff
            if npid:
                self.names.setdefault(npid, e.name)
                self.set_state(npid, ntid, "running", ts)
            self.cpu_switch(e.cpu, ts, (npid, ntid, e.name))
        elif e.type == WAKE:
            cur = self.state.get((pid, tid), (None, 0))[0]
            if cur not in ("running", "runnable") and pid not in self.zombie:
                self.set_state(pid, tid, "runnable", ts)
        elif e.type == FORK:
            child = e.a
            self.names[child] = e.name or self.names.get(pid, "?")
            self.tnames[(child, child)] = self.names[child]
            self.instant(pid, tid, "fork", ts, "lifecycle", {"child": child})
            self.set_state(child, child, "runnable", ts)
            self.flow_id += 1
            self.flow("s", self.flow_id, pid, tid, ts, "fork")
            self.flow("f", self.flow_id, child, child, ts, "fork")
        elif e.type == EXEC:
            self.names[pid] = e.name
            self.tnames[(pid, tid)] = e.name
            self.instant(pid, tid, "exec", ts, "lifecycle", {"program": e.name})
        elif e.type == EXIT:
            self.instant(pid, pid, "exit", ts, "lifecycle",
                         {"status": status_text(e.a), "wait_status": "%#x" % e.a})
            self.zombie.add(pid)
            self.set_state(pid, pid, "zombie", ts)
        elif e.type == REAP:
            child = e.a
            self.instant(pid, pid, "reap", ts, "lifecycle", {"child": child})
            self.zombie.discard(child)
            self.set_state(child, child, None, ts)
        elif e.type == REPARENT:
            self.instant(pid, pid, "reparent", ts, "lifecycle",
                         {"new_parent": e.a, "old_parent": e.b})
        elif e.type == SIG_SEND:
            sig = SIGNAMES.get(e.b, str(e.b))
            args = {"signal": sig, "target": e.a}
            if e.c:
                args["target_tid"] = e.c
            spid, stid = (pid, tid) if pid else (CPU_PID, e.cpu)
            self.instant(spid, stid, "signal sent", ts, "signal", args)
            self.flow_id += 1
            self.flow("s", self.flow_id, spid, stid, ts, "signal")
            self.sig_pending.setdefault((e.a, e.b), []).append(self.flow_id)
        elif e.type == SIG_DELIVER:
            sig = SIGNAMES.get(e.a, str(e.a))
            self.instant(pid, tid, "signal delivered", ts, "signal",
                         {"signal": sig, "action": "handler" if e.b else "default"})
            q = self.sig_pending.get((pid, e.a))
            if q:
                self.flow("f", q.pop(0), pid, tid, ts, "signal")
        elif e.type == COW:
            self.instant(pid, tid, "cow fault", ts, "memory",
                         {"address": "%#x" % e.a, "page": "copied" if e.b else "reused"})
        elif e.type == OOM_KILL:
            self.instant(pid, tid, "oom kill", ts, "memory",
                         {"address": "%#x" % e.a, "rss_kb": e.b, "comm": e.name})
        elif e.type == PT_UNSHARE:
            self.instant(pid, tid, "pt unshare", ts, "memory",
                         {"address": "%#x" % e.a, "table": "copied" if e.b else "reused"})

    def finish(self, end):
        for (pid, tid), (name, since) in list(self.state.items()):
            if name is not None:
                self.slice(pid, tid, name, since, end, "state")
        for cpu in list(self.oncpu):
            self.cpu_switch(cpu, end, None)
        meta = [{"ph": "M", "name": "process_name", "pid": CPU_PID, "tid": 0,
                 "args": {"name": "CPUs"}},
                {"ph": "M", "name": "process_sort_index", "pid": CPU_PID, "tid": 0,
                 "args": {"sort_index": -1}}]
        cpus = sorted({ev["tid"] for ev in self.out if ev["pid"] == CPU_PID})
        for c in cpus:
            meta.append({"ph": "M", "name": "thread_name", "pid": CPU_PID, "tid": c,
                         "args": {"name": "CPU %d" % c}})
        pids = sorted({ev["pid"] for ev in self.out if ev["pid"] != CPU_PID})
        for p in pids:
            meta.append({"ph": "M", "name": "process_name", "pid": p, "tid": p,
                         "args": {"name": "%s %d" % (self.names.get(p, "?"), p)}})
        for (p, t), n in sorted(self.tnames.items()):
            meta.append({"ph": "M", "name": "thread_name", "pid": p, "tid": t,
                         "args": {"name": "%s %d" % (n, t)}})
        return meta + self.out


def convert(data, syms=None):
    """The trace-event JSON document (a dict) for dump bytes @data."""
    events, dropped = parse(data)
    b = Builder(syms)
    for e in events:
        b.event(e)
    end = events[-1].ts if events else 0
    total = sum(dropped.values())
    doc = {"traceEvents": b.finish(end), "displayTimeUnit": "ns",
           "otherData": {"source": "Sprout kernel trace", "events": len(events),
                         "dropped_events": total,
                         "dropped_per_cpu": {str(c): n for c, n in sorted(dropped.items())}}}
    if total:
        print("trace2json: warning: the kernel dropped %d events (a trace buffer was full); "
              "the timeline stops early on those CPUs" % total, file=sys.stderr)
    return doc


def write_json(doc, path):
    with open(path, "w") as f:
        json.dump(doc, f, separators=(",", ":"))
        f.write("\n")


def main(argv=None):
    ap = argparse.ArgumentParser(description="Sprout trace dump -> trace-event JSON")
    ap.add_argument("dump")
    ap.add_argument("out")
    ap.add_argument("--symbols", default="build/sprout.sym",
                    help="kernel text symbols, `nm -n` format (default build/sprout.sym)")
    opts = ap.parse_args(argv)
    try:
        with open(opts.dump, "rb") as f:
            doc = convert(f.read(), load_symbols(opts.symbols))
        write_json(doc, opts.out)
    except (OSError, ValueError) as e:
        print("trace2json: %s" % e, file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
