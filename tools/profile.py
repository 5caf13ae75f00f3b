#!/usr/bin/env python3
"""Where one benchmark row spends its guest instructions, by kernel function.

  python3 tools/profile.py ROW [--plugin SO] [--top N] [--reps N] [--quick]

Boots Sprout as `make bench` does under icount (the same QEMU command, `-cpu max,-erms`,
one CPU) with the TCG plugin tools/profile/insn-profile.c loaded, and runs the one bench
program that measures ROW (bench/proc.c or bench/scale.c) with `-o ROW`, so only that row
runs (bench/sched.c for ctx_switch, bench/fault.c for the faults,
bench/ipc.c for the round trips). The program marks each repetition's measured loop (bench_mark() in bench/bench.h);
the plugin counts the instructions of every translated block executed inside the marks.
Here the block addresses are mapped to kernel functions through build/sprout.sym (user-mode
addresses are one line, "[user]"), and the functions are listed by instructions, with the
share of the total and the count per operation of the row (the row's batch size times its
repetitions). Writes build/profile/ROW.txt (the table) and ROW.tbs (the plugin's raw
output). See docs/profile.md.
"""

import argparse
import bisect
import importlib.util
import os
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.realpath(__file__)))
OUT_REL = "build/profile"
PLUGIN_REL = "build/profile/insn-profile.so"
SYM_REL = "build/sprout.sym"

# The program measuring each row, and its operations per repetition (full, quick).
PROC_ROWS = {"null_syscall": 20000, "fork_exit_wait": 40, "fork_exec_wait": 40,
             "vfork_exec_wait": 40, "posix_spawn_wait": 40}


def _load_bench():
    path = os.path.join(ROOT, "tools", "bench.py")
    spec = importlib.util.spec_from_file_location("bench", path)
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


def row_program(row):
    if row in PROC_ROWS:
        return "proc", PROC_ROWS[row]
    if row == "ctx_switch":
        return "sched", 2 * 4000    # both processes' yields, as the figure counts them
    if row in ("zero_fault", "cow_fault"):
        return "fault", 4096
    if row in ("pipe_rtt", "sysv_msg_rtt", "direct_msg_rtt"):
        return "ipc", 2000
    if row.startswith("scale_") and not row.startswith("scale_exit"):
        return "scale", 2000 if row.startswith("scale_kill_pgrp") else 40
    if row.startswith("scale_exit"):
        return "scale", 1
    raise SystemExit("profile: no profile for row %r; rows: %s, ctx_switch, zero_fault, "
                     "cow_fault, pipe_rtt, sysv_msg_rtt, direct_msg_rtt, scale_*"
                     % (row, ", ".join(PROC_ROWS)))


def load_symbols(path):
    addrs, names = [], []
    with open(path) as f:
        for line in f:
            parts = line.split()
            if len(parts) == 2:
                addrs.append(int(parts[0], 16))
                names.append(parts[1])
    return addrs, names


def attribute(tbs_path, addrs, names):
    by_fn, total, windows = {}, 0, 0
    with open(tbs_path) as f:
        for line in f:
            if line.startswith("# total"):
                parts = line.split()
                total, windows = int(parts[2]), int(parts[4])
                continue
            va, n = line.split()
            va, n = int(va, 16), int(n)
            if va < (1 << 63):
                name = "[user]"
            else:
                i = bisect.bisect_right(addrs, va) - 1
                name = names[i] if i >= 0 else "[kernel ?]"
            by_fn[name] = by_fn.get(name, 0) + n
    return by_fn, total, windows


def main(argv=None):
    p = argparse.ArgumentParser(description="Guest instructions of one bench row, by "
                                            "kernel function (Sprout, icount).")
    p.add_argument("row", help="a bench row id, e.g. fork_exit_wait or scale_kill_pgrp_1000")
    p.add_argument("--plugin", default=os.path.join(ROOT, PLUGIN_REL))
    p.add_argument("--top", type=int, default=40, help="functions listed (default 40)")
    p.add_argument("--reps", type=int, default=3, help="repetitions of the row (default 3)")
    p.add_argument("--quick", action="store_true", help="the bench's quick batch sizes")
    p.add_argument("--timeout", type=int, default=900)
    opts = p.parse_args(argv)

    bench = _load_bench()
    prog, per_rep = row_program(opts.row)
    if opts.quick:
        per_rep = max(1, per_rep // 4)
    if opts.row.startswith("scale_exit"):
        opts.reps = 2 if opts.quick else 3
    out_dir = os.path.join(ROOT, OUT_REL)
    run_rel = os.path.join(OUT_REL, "run")
    os.makedirs(os.path.join(ROOT, run_rel), exist_ok=True)
    tbs = os.path.join(out_dir, opts.row + ".tbs")
    if os.path.exists(tbs):
        os.unlink(tbs)
    bench_opts = argparse.Namespace(quick=opts.quick, reps=opts.reps, max_mib=1024,
                                    only=opts.row, timeout=opts.timeout)
    extra = ["-plugin", "%s,out=%s" % (opts.plugin, tbs)]
    print("profile: %s (bench/%s.c), %d repetitions under icount ..." % (opts.row, prog,
                                                                       opts.reps),
          file=sys.stderr, flush=True)
    run = bench.boot_one("sprout", "icount", 1, [prog], bench_opts, None, bench.BIN_REL,
                         run_rel, extra_args=extra)
    if run.problem:
        raise SystemExit("profile: the boot failed: %s" % run.problem)
    fig = run.figures.get(opts.row)
    if not fig or "median" not in fig:
        raise SystemExit("profile: the row %s printed no figure (%s)"
                         % (opts.row, (fig or {}).get("note", "not run")))
    if not os.path.exists(tbs):
        raise SystemExit("profile: the plugin wrote no %s" % tbs)
    addrs, names = load_symbols(os.path.join(ROOT, SYM_REL))
    by_fn, total, windows = attribute(tbs, addrs, names)
    ops = per_rep * opts.reps
    lines = ["Profile of %s: %d instructions in %d measured windows, %d operations "
             "(%.0f instructions each; the bench's icount figure: %.0f)"
             % (opts.row, total, windows, ops, total / max(ops, 1), fig["median"] * 1000),
             "",
             "%-36s %14s %7s %12s" % ("function", "instructions", "share", "per op")]
    kernel = sum(n for f, n in by_fn.items() if f != "[user]")
    for name, n in sorted(by_fn.items(), key=lambda x: -x[1])[:opts.top]:
        lines.append("%-36s %14d %6.1f%% %12.1f" % (name, n, 100.0 * n / max(total, 1),
                                                    n / max(ops, 1)))
    lines.append("")
    lines.append("kernel %.1f%%, user %.1f%%; %d functions seen"
                 % (100.0 * kernel / max(total, 1), 100.0 * (total - kernel) / max(total, 1),
                    len(by_fn)))
    text = "\n".join(lines)
    with open(os.path.join(out_dir, opts.row + ".txt"), "w") as f:
        f.write(text + "\n")
    print(text)
    print("Wrote %s/%s.txt and %s.tbs" % (OUT_REL, opts.row, opts.row))
    return 0


if __name__ == "__main__":
    sys.exit(main())
