"""The timeline check of `make test` (tools/test.py, "run" group).

check(doc, stdout) takes the trace-event JSON that `./sprout run --trace`
wrote for tests/run/tracecheck.c and that program's output, and returns the
list of problems (empty: the check passes):
  - the file is valid trace-event JSON (the fields each phase needs);
  - causal order and pairing: every fork has a matching reap or reparent,
    exec comes after the fork on the child's track, exit before reap, the
    orphan is reparented to init and reaped by it, each zombie interval
    lies between exit and reap;
  - the copy-on-write faults on the program's buffer are exactly the ones it
    provoked: COPY_PAGES copies in the child before its exec, COPY_PAGES
    reuses in the parent after the reap;
  - the signals: SIGUSR1 sent and delivered to a handler, SIGTERM sent to C
    and delivered with the default action, C's exit "killed by SIGTERM";
  - CPU tracks exist, context switches were recorded, nothing was dropped.
"""

import re

PHASES = {"X", "i", "s", "f", "M"}


def _valid(doc, problems):
    if not isinstance(doc, dict) or not isinstance(doc.get("traceEvents"), list):
        problems.append("not a trace-event document (no traceEvents list)")
        return []
    evs = doc["traceEvents"]
    for n, e in enumerate(evs):
        if not isinstance(e, dict) or e.get("ph") not in PHASES:
            problems.append("event %d: bad or missing ph: %r" % (n, e))
            continue
        if not isinstance(e.get("name"), str) or not isinstance(e.get("pid"), int) \
                or not isinstance(e.get("tid"), int):
            problems.append("event %d: name/pid/tid missing or mistyped: %r" % (n, e))
        if e["ph"] == "M":
            if not isinstance(e.get("args"), dict) or "name" not in e["args"] \
                    and "sort_index" not in e["args"]:
                problems.append("metadata event %d without args: %r" % (n, e))
            continue
        if not isinstance(e.get("ts"), (int, float)) or e["ts"] < 0:
            problems.append("event %d: bad ts: %r" % (n, e))
        if e["ph"] == "X" and (not isinstance(e.get("dur"), (int, float)) or e["dur"] < 0):
            problems.append("event %d: complete event with bad dur: %r" % (n, e))
        if e["ph"] in "sf" and "id" not in e:
            problems.append("event %d: flow event without id: %r" % (n, e))
        if e["ph"] == "i" and e.get("s") not in ("t", "p", "g"):
            problems.append("event %d: instant event without scope: %r" % (n, e))
    return evs


def _instants(evs, name):
    return [e for e in evs if e["ph"] == "i" and e["name"] == name]


def check(doc, stdout):
    problems = []
    evs = _valid(doc, problems)
    if problems:
        return problems[:10]
    m = re.search(r"buf (0x[0-9a-f]+) pages (\d+) copy (\d+)", stdout)
    m2 = re.search(r"parent (\d+) a (\d+) c (\d+)", stdout)
    m3 = re.search(r"orphan (\d+)", stdout)
    if not (m and m2 and m3):
        return ["the program's output lacks its buffer/pid lines: %r" % stdout]
    buf, pages, copy = int(m.group(1), 16), int(m.group(2)), int(m.group(3))
    parent, a, c = (int(x) for x in m2.groups())
    b = int(m3.group(1))

    other = doc.get("otherData", {})
    if other.get("dropped_events", 0):
        problems.append("%s events dropped" % other["dropped_events"])

    forks = {e["args"]["child"]: e for e in _instants(evs, "fork")}
    reaps = {e["args"]["child"]: e for e in _instants(evs, "reap")}
    exits = {e["pid"]: e for e in _instants(evs, "exit")}
    reparents = {e["pid"]: e for e in _instants(evs, "reparent")}
    execs = _instants(evs, "exec")

    for child, f in sorted(forks.items()):
        if child not in reaps and child not in reparents:
            problems.append("fork of %d has no reap and no reparent" % child)
    for child, r in sorted(reaps.items()):
        x = exits.get(child)
        if not x:
            problems.append("%d reaped without an exit event" % child)
        elif x["ts"] > r["ts"]:
            problems.append("%d reaped (%s) before it exited (%s)" % (child, r["ts"], x["ts"]))
        if child in forks and forks[child]["ts"] > r["ts"]:
            problems.append("%d reaped before it was forked" % child)
    for pid in (parent, a, b, c):
        if pid not in forks:
            problems.append("no fork event for pid %d" % pid)
    flows = {(e["ph"], e["id"]): e for e in evs if e["ph"] in "sf" and e["name"] == "fork"}
    for child, f in forks.items():
        ends = [e for (ph, _), e in flows.items() if ph == "f" and e["pid"] == child]
        if not ends:
            problems.append("no fork arrow ends on %d's track" % child)

    a_exec = [e for e in execs if e["pid"] == a]
    if len(a_exec) != 1 or a_exec[0]["args"].get("program") != "tracecheck":
        problems.append("A (%d) should exec tracecheck once: %r" % (a, a_exec))
    elif a in forks and a_exec[0]["ts"] < forks[a]["ts"]:
        problems.append("A's exec precedes its fork")
    elif a_exec[0]["tid"] != a:
        problems.append("A's exec is not on A's own track")

    if exits.get(a, {}).get("args", {}).get("status") != "exited 3":
        problems.append("A's exit should say 'exited 3': %r" % exits.get(a))
    if reaps.get(a, {}).get("pid") != parent:
        problems.append("A should be reaped by the parent %d: %r" % (parent, reaps.get(a)))
    rp = reparents.get(b)
    if not rp or rp["args"].get("new_parent") != 1 or rp["args"].get("old_parent") != a:
        problems.append("the orphan %d should be reparented from %d to init: %r" % (b, a, rp))
    if b in reaps and reaps[b]["pid"] != 1:
        problems.append("the orphan should be reaped by init: %r" % reaps[b])
    if exits.get(c, {}).get("args", {}).get("status") != "killed by SIGTERM":
        problems.append("C's exit should say 'killed by SIGTERM': %r" % exits.get(c))

    zombies = [e for e in evs if e["ph"] == "X" and e["name"] == "zombie" and e["pid"] == a]
    if len(zombies) != 1:
        problems.append("A should have one zombie interval, found %d" % len(zombies))
    elif a in exits and a in reaps:
        z = zombies[0]
        if abs(z["ts"] - exits[a]["ts"]) > 0.0015 or \
                abs(z["ts"] + z["dur"] - reaps[a]["ts"]) > 0.0015:
            problems.append("A's zombie interval %r is not exit..reap" % z)

    cows = [e for e in _instants(evs, "cow fault")
            if buf <= int(e["args"]["address"], 16) < buf + pages * 4096]
    a_end = a_exec[0]["ts"] if a_exec else float("inf")
    a_cow = [e for e in cows if e["pid"] == a and e["ts"] < a_end]
    p_cow = [e for e in cows if e["pid"] == parent]
    if len(a_cow) != copy or any(e["args"]["page"] != "copied" for e in a_cow):
        problems.append("A: expected %d copying COW faults on the buffer, got %r"
                        % (copy, [(e["args"]["address"], e["args"]["page"]) for e in a_cow]))
    if len(p_cow) != copy or any(e["args"]["page"] != "reused" for e in p_cow):
        problems.append("parent: expected %d reusing COW faults on the buffer, got %r"
                        % (copy, [(e["args"]["address"], e["args"]["page"]) for e in p_cow]))
    if len(cows) != len(a_cow) + len(p_cow):
        problems.append("%d COW faults on the buffer by others" % (len(cows) - len(a_cow)
                                                                   - len(p_cow)))

    sent = [(e["pid"], e["args"]["signal"], e["args"]["target"])
            for e in _instants(evs, "signal sent")]
    got = [(e["pid"], e["args"]["signal"], e["args"]["action"])
           for e in _instants(evs, "signal delivered")]
    for want, lst in (((parent, "SIGUSR1", parent), sent), ((parent, "SIGTERM", c), sent),
                      ((parent, "SIGUSR1", "handler"), got), ((c, "SIGTERM", "default"), got)):
        if want not in lst:
            problems.append("missing signal event %r" % (want,))

    cpu_slices = [e for e in evs if e["ph"] == "X" and e["cat"] == "sched"]
    if not cpu_slices:
        problems.append("no context switches on the CPU tracks")
    if not any(e["ph"] == "M" and e["name"] == "thread_name" and
               e["args"].get("name", "").startswith("CPU ") for e in evs):
        problems.append("no CPU track")
    return problems
