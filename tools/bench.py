#!/usr/bin/env python3
"""Benchmarks side by side: Sprout and Linux under the same QEMU command.

  python3 tools/bench.py [--quick] [--clock tcg|icount|kvm ...] [--reps N] [--max-mib MIB]
                         [--prog NAME ...] [--only PREFIX]

The swap rows (`--prog swap` alone) boot each kernel once more with 128 MiB of RAM and a
512 MiB scratch disk as virtio-blk /dev/vda (the same for both): bench/swap.c writes and then
reads back a working set of twice the RAM. Sprout swaps to the disk from boot (swap=/dev/vda);
Linux loads Debian's virtio-blk modules (fetched by tools/install-deps.sh --bench) and the
program formats and enables the disk itself. Not under icount (a disk wait is no instructions).

Boots Sprout (build/sprout.elf with its image) and Debian's Linux kernel (fetched by
`tools/install-deps.sh --bench` into the cache outside the repository) with the same QEMU
command line, built by the `sprout` module: same machine, accelerator, CPU model, -smp and
memory; only -kernel, -initrd and -append differ.  Both kernels run the same static binaries
from bench/ (build/bench/bin), as /bench/<name>; on Linux a small init of ours
(bench/linux-init.c) mounts /dev, /proc and /tmp, runs them and powers off.

Clocks: "icount" (the primary column) is TCG with `-icount shift=0,sleep=off`, where guest time advances one nanosecond
per instruction, so its microseconds are thousands of guest instructions and repeat run to
run; "tcg" is wall time under plain TCG, a second view (noisy on a shared host: medians of
repetitions, with the spread); "kvm" is added when the host can run KVM.  The scaling
figures (bench/scale.c: N = 0, 100, 1000, 10000 other processes) run under icount only.

Two machine shapes per clock: one CPU for every figure, and two CPUs for the fork
throughput figures (not under icount, which runs the CPUs in turn in one thread).  Writes build/bench/results.csv, results.md, fork-mem.png (gnuplot)
and the raw console output of every boot; prints the table.

The fork-per-request HTTP rows (boot_http, `--prog http` alone) boot each kernel once more with
a virtio-net card whose port 80 QEMU forwards from a free port on 127.0.0.1: forkserver
(user/demo/forkserver.c, the same binary for both) serves while tools/netrun.py's load generator
on the host counts requests per second and times single connections, in host wall time (so
under the tcg and kvm clocks only).  A kernel without AF_INET shows them as missing.
"""

import argparse
import csv
import importlib.machinery
import importlib.util
import os
import re
import shlex
import shutil
import subprocess
import sys
import time

ROOT = os.path.dirname(os.path.dirname(os.path.realpath(__file__)))
BIN_REL = "build/bench/bin"
OUT_REL = "build/bench"
GUEST_DIR = "/bench"
MEM = "6G"              # room for the 4 GiB parent, the same for both kernels
MIB_POINTS = (1, 16, 256, 1024, 4096)
LINUX_APPEND = "console=ttyS0 quiet panic=-1 no5lvl"
ICOUNT = ["-icount", "shift=0,sleep=off"]
TCG_CPU = "max,-erms"   # the same CPU model for both kernels, ERMS hidden (see above)
SCALE_N = (0, 100, 1000, 10000)

# Programs (bench/<name>.c) run in each machine shape.
PROGS_1CPU = ["proc", "forkmem", "fault", "ipc", "sched"]
PROGS_2CPU = ["sched"]
PROGS_ICOUNT_ONLY = ["scale"]
SHIPPED = ["bench-all", "tiny", "proc", "forkmem", "fault", "ipc", "sched", "scale"]
SCALE_ROWS = [
    ("scale_few", "fork + _exit + waitpid, N sleeping children"),
    ("scale_few_pgrp", "fork + _exit + waitpid, every child in its own group"),
    ("scale_few_nproc", "fork + _exit + waitpid, uid 1000 with RLIMIT_NPROC"),
    ("scale_kill_pgrp", "kill(-pgid, 0), one-member group"),
    ("scale_waitpid", "waitpid(pid), N other zombies"),
    ("scale_exit", "exit with N children in own groups, to waitpid"),
]


# The swap rows (bench/swap.c) boot each kernel once more, with little memory and a swap disk:
# the same -m and the same scratch disk size for both (boot_swap()).
SWAP_MEM = "128M"
SWAP_DISK_MIB = 512
SWAP_ROWS = [
    ("swap_touch_2x", "swap: write a working set of 2x RAM (%s RAM, %d MiB swap disk)"
     % (SWAP_MEM, SWAP_DISK_MIB)),
    ("swap_reread_2x", "swap: read the 2x RAM working set back"),
]
# Debian builds virtio-blk as modules: the Linux side loads these (tools/linux-blk-modules.sh
# puts them beside the cached kernel), in this order, before it can swap to /dev/vda.
SWAP_LINUX_MODULES = ["virtio_ring", "virtio", "virtio_pci_modern_dev", "virtio_pci_legacy_dev",
                      "virtio_pci", "virtio_blk"]


def _load_sprout():
    path = os.path.join(ROOT, "sprout")
    loader = importlib.machinery.SourceFileLoader("sprout", path)
    spec = importlib.util.spec_from_loader("sprout", loader)
    mod = importlib.util.module_from_spec(spec)
    loader.exec_module(mod)
    return mod


sprout = _load_sprout()


def _load_netrun():
    spec = importlib.util.spec_from_file_location(
        "netrun", os.path.join(ROOT, "tools", "netrun.py"))
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


netrun = _load_netrun()


class BenchError(Exception):
    pass


# ---------------------------------------------------------------------------
# Figures: (id, description); the table keeps this order.  Figures of the two-CPU machine
# get SMP2 appended to their id.
SMP2 = "@2cpu"


# Fork-per-request HTTP (boot_http): forkserver in the guest, our load generator on the host
# (tools/netrun.py) through a port QEMU forwards from 127.0.0.1; wall time on the host.
HTTP_WORKERS = 4        # concurrent host clients of the throughput row
HTTP_FIGURES = [
    ("http_fork_rps", "fork-per-request HTTP server, requests/s (%d host clients)"
     % HTTP_WORKERS),
    ("http_fork_latency", "fork-per-request HTTP, one connection: connect to last byte"),
]


def _figures():
    f = [
        ("null_syscall", "null system call (getppid)"),
        ("fork_exit_wait", "fork + _exit + waitpid"),
        ("fork_exec_wait", "fork + execve(tiny) + waitpid"),
        ("vfork_exec_wait", "vfork + execve(tiny) + waitpid"),
        ("posix_spawn_wait", "posix_spawn(tiny) + waitpid"),
    ]
    for m in MIB_POINTS:
        f.append(("fork_mem_%dM" % m, "fork() alone, parent touched %d MiB" % m))
    for m in MIB_POINTS:
        f.append(("fork_exit_wait_mem_%dM" % m, "fork + _exit + waitpid, parent %d MiB" % m))
    f += [
        ("zero_fault", "demand-zero fault, per page"),
        ("cow_fault", "copy-on-write fault, per page"),
        ("pipe_rtt", "pipe round trip (1 byte)"),
        ("pipe_bw", "pipe bandwidth (64 KiB writes)"),
        ("unix_rtt", "AF_UNIX stream round trip (1 byte)"),
        ("unix_bw", "AF_UNIX stream bandwidth (64 KiB writes)"),
    ] + HTTP_FIGURES + [
        ("sysv_msg_rtt", "System V message round trip"),
        ("direct_msg_rtt", "direct message round trip (Sprout only)"),
        ("ctx_switch", "context switch (sched_yield, 2 processes)"),
        ("fork_tput_1", "fork+exit+wait throughput, 1 spawner, 1 CPU"),
        ("fork_tput_2", "fork+exit+wait throughput, 2 spawners, 1 CPU"),
        ("fork_tput_1" + SMP2, "fork+exit+wait throughput, 1 spawner, 2 CPUs"),
        ("fork_tput_2" + SMP2, "fork+exit+wait throughput, 2 spawners, 2 CPUs"),
    ]
    for fid, desc in SCALE_ROWS:
        for n in SCALE_N:
            f.append(("%s_%d" % (fid, n), "%s, N = %d" % (desc, n)))
    f += SWAP_ROWS
    return f


FIGURES = _figures()
HTTP_IDS = {fid for fid, _ in HTTP_FIGURES}
HIGHER_IS_BETTER = {"MiB/s", "forks/s", "req/s"}


# ---------------------------------------------------------------------------
# Where the Linux kernel is.

def cache_dir():
    """The download cache, outside the repository; the same rule as tools/install-deps.sh."""
    if os.environ.get("SPROUT_CACHE"):
        return os.environ["SPROUT_CACHE"]
    if os.geteuid() == 0:
        return "/var/cache/sprout"
    base = os.environ.get("XDG_CACHE_HOME") or os.path.expanduser("~/.cache")
    return os.path.join(base, "sprout")


def find_linux_kernel(explicit=None):
    """Path of the Linux bzImage: @explicit, $SPROUT_LINUX_KERNEL or the cache's newest."""
    path = explicit or os.environ.get("SPROUT_LINUX_KERNEL")
    if path:
        if not os.path.isfile(path):
            raise BenchError("Linux kernel %s does not exist" % path)
        return os.path.abspath(path)
    d = os.path.join(cache_dir(), "linux")
    try:
        names = sorted(n for n in os.listdir(d) if n.startswith("vmlinuz-"))
    except OSError:
        names = []
    if not names:
        raise BenchError("no Linux kernel in %s; run: sh tools/install-deps.sh --bench" % d)
    return os.path.join(d, names[-1])


# ---------------------------------------------------------------------------
# Booting.

def qemu_cmd(kernel, initrd, log, clock, smp, append, net=False):
    """The shared QEMU command for @clock ("tcg", "icount" or "kvm"), then this kernel's
    -kernel, -initrd and -append.  Everything else comes from sprout.qemu_command(), also
    the network card (@net: see there)."""
    accel = "kvm" if clock == "kvm" else "tcg"
    cmd = sprout.qemu_command(initrd, log, accel=accel, smp=smp, mem=MEM, cmdline=append,
                              net=net)
    cmd[cmd.index("-kernel") + 1] = kernel
    if accel == "tcg":
        cmd[cmd.index("-cpu") + 1] = TCG_CPU
    if clock == "icount":
        # Instruction counting runs all CPUs in one thread: multi-threaded TCG is refused.
        i = cmd.index("-accel") + 1
        cmd[i] = "tcg"
        cmd += ICOUNT
    return cmd


def guest_files(bin_dir):
    files = {}
    for name in SHIPPED:
        path = os.path.join(bin_dir, name)
        if not os.path.isfile(path):
            raise BenchError("%s is missing (make bench builds it)" % path)
        with open(path, "rb") as f:
            files[GUEST_DIR + "/" + name] = f.read()
    return files


def linux_package(kernel):
    """The Debian package (name and version) the Linux kernel came from, as
    tools/install-deps.sh recorded it beside the vmlinuz; None if unknown."""
    try:
        with open(os.path.join(os.path.dirname(kernel), "PACKAGE")) as f:
            return f.read().strip() or None
    except OSError:
        return None


def bench_argv(progs, quick, reps, max_mib, only=None):
    argv = [GUEST_DIR + "/bench-all"]
    if quick:
        argv.append("-q")
    if reps:
        argv += ["-r", str(reps)]
    argv += ["-m", str(max_mib)]
    if only:
        argv += ["-o", only]
    return argv + list(progs)


class Run:
    """One boot: its command, console text, parsed figures and the kernel's version."""

    def __init__(self, kernel_name, clock, smp, cmd):
        self.kernel_name, self.clock, self.smp, self.cmd = kernel_name, clock, smp, cmd
        self.console = ""
        self.figures = {}       # id -> dict(unit, median, min, max, n) or dict(unit, note)
        self.prog_status = {}
        self.uname = ""
        self.ended = False
        self.seconds = 0.0
        self.problem = None
        self.figure_ids = None  # the figures this boot measures; None: all but HTTP_FIGURES


def run_qemu(cmd, timeout):
    """Run QEMU in ROOT, capturing the console; returns (console text, timed out?)."""
    proc = subprocess.Popen(cmd, cwd=ROOT, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE)
    try:
        out, _ = proc.communicate(timeout=timeout)
        return out.decode(errors="replace"), False
    except subprocess.TimeoutExpired:
        proc.terminate()
        try:
            out, _ = proc.communicate(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
            out, _ = proc.communicate()
        return out.decode(errors="replace"), True


LINE = re.compile(r"^BENCH (\S+) (\S+) (.*)$")


def parse_console(run, text):
    run.console = text
    for raw in text.splitlines():
        line = raw.strip("\r")
        if line.startswith("BENCH-UNAME "):
            run.uname = line[len("BENCH-UNAME "):].strip()
            continue
        if line.startswith("BENCH-PROG "):
            parts = line.split(None, 2)
            if len(parts) == 3:
                run.prog_status[parts[1]] = parts[2]
            continue
        if line == "BENCH-END":
            run.ended = True
            continue
        m = LINE.match(line)
        if not m:
            continue
        fid, unit, rest = m.groups()
        vals = rest.split()
        if vals and vals[0] in ("missing", "error"):
            run.figures[fid] = {"unit": unit, "note": " ".join(vals)}
            continue
        try:
            med, lo, hi, n = float(vals[0]), float(vals[1]), float(vals[2]), int(vals[3])
        except (IndexError, ValueError):
            continue
        run.figures[fid] = {"unit": unit, "median": med, "min": lo, "max": hi, "n": n}


def boot_one(kernel_name, clock, smp, progs, opts, linux_kernel, bin_dir, run_dir,
             extra_args=None):
    """Boot one kernel once with the bench programs; returns a Run.  @extra_args go at
    the end of the QEMU command (tools/profile.py adds its plugin there)."""
    files = guest_files(bin_dir)
    argv = bench_argv(progs, opts.quick, opts.reps, opts.max_mib, opts.only)
    argv_bytes = sprout.init_argv_file(argv)
    tag = "%s-%dcpu-%s" % (clock, smp, kernel_name)
    initrd = os.path.join(run_dir, tag + ".cpio")
    log = os.path.join(run_dir, tag + "-ttyS1.log")
    if kernel_name == "sprout":
        files["/run/init.argv"] = (argv_bytes, 0o100644)
        with open(os.path.join(ROOT, sprout.BASE_IMAGE), "rb") as f:
            base = f.read()
        image = base + b"\0" * (-len(base) % 4) + sprout.cpio_newc(files)
        kernel, append = sprout.KERNEL, ""
    else:
        with open(os.path.join(ROOT, bin_dir, "linux-init"), "rb") as f:
            files["/init"] = f.read()
        for d in ("/dev", "/proc", "/tmp", "/run"):
            files[d] = (b"", 0o040755)
        files["/run/init.argv"] = (argv_bytes, 0o100644)
        image = sprout.cpio_newc(files)
        kernel, append = linux_kernel, LINUX_APPEND
    with open(os.path.join(ROOT, initrd), "wb") as f:
        f.write(image)
    cmd = qemu_cmd(kernel, initrd, log, clock, smp, append) + list(extra_args or [])
    run = Run(kernel_name, clock, smp, cmd)
    t0 = time.time()
    text, timed_out = run_qemu(cmd, opts.timeout)
    run.seconds = time.time() - t0
    with open(os.path.join(ROOT, run_dir, "..", tag + ".console"), "w") as f:
        f.write(text)
    parse_console(run, text)
    if kernel_name == "sprout":
        try:
            with open(os.path.join(ROOT, log), errors="replace") as f:
                klog = f.read()
            shutil.copyfile(os.path.join(ROOT, log),
                            os.path.join(ROOT, run_dir, "..", tag + ".klog"))
        except OSError:
            klog = ""
        if "PANIC:" in klog:
            run.problem = "kernel panic (see %s/%s.klog)" % (OUT_REL, tag)
    if timed_out and not run.problem:
        run.problem = "timed out after %d s" % opts.timeout
    elif not run.ended and not run.problem:
        run.problem = "ended before the benchmarks finished"
    # A program that died takes the figures it had not printed with it.
    for prog, st in run.prog_status.items():
        if st != "ok":
            sys.stderr.write("bench: %s on %s: program %s: %s\n" % (clock, kernel_name, prog, st))
    return run


# Fork-per-request HTTP.  Batches of requests: (throughput reps x batch, latency reps x batch).
HTTP_BATCHES = {False: (5, 200, 5, 20), True: (3, 100, 3, 10)}     # by --quick
HTTP_WARMUP = 10
HTTP_REQUEST_TIMEOUT = 30       # seconds for one request
HTTP_START_TIMEOUT = 180        # seconds from QEMU's start to the server's first answer
FORKSERVER_REL = "build/user/forkserver"
# forkserver's words (user/demo/forkserver.c) when it listens, or when socket(AF_INET) fails
# and it would fall back to AF_UNIX.
HTTP_LISTENING = r"listening on TCP port"
HTTP_NO_INET = r"has no TCP/IP yet \(socket\(AF_INET\): ([^)]*)\)"


def _http_figure(unit, values):
    vals = sorted(values)
    return {"unit": unit, "median": vals[len(vals) // 2], "min": vals[0], "max": vals[-1],
            "n": len(vals)}


def boot_http(kernel_name, clock, opts, linux_kernel, run_dir):
    """Boot one kernel with user/demo/forkserver on the guest's port 80, forwarded from a
    free port on the host's loopback address, and measure it from the host with
    tools/netrun.py's load generator: requests per second from HTTP_WORKERS clients, and the
    latency of one connection at a time (connect, request, the whole answer, close).  Both
    kernels get the same binary, the same QEMU command and the same network options; Linux
    loads its virtio-net modules and configures eth0 first (netrun.linux_image).  A kernel
    without AF_INET (forkserver says so) gives "missing".  Returns a Run."""
    reps, batch, lreps, lbatch = HTTP_BATCHES[bool(opts.quick)]
    if opts.reps:
        reps = lreps = opts.reps
    total = 1 + HTTP_WARMUP + reps * batch + lreps * lbatch
    port = netrun.free_port()
    with open(os.path.join(ROOT, FORKSERVER_REL), "rb") as f:
        files = {"/bin/forkserver": f.read()}
    # The kernel's name first, as bench-all prints it; then the server, exactly for the
    # connections the host will make, so that it ends by itself having reaped them all.
    argv = [netrun.BUSYBOX, "sh", "-c", "echo BENCH-UNAME $(uname -s -r -v); "
            "exec /bin/forkserver -p %d -n %d" % (netrun.GUEST_HTTP_PORT, total)]
    tag = "%s-http-%s" % (clock, kernel_name)
    initrd = os.path.join(run_dir, tag + ".cpio")
    log = os.path.join(run_dir, tag + "-ttyS1.log")
    if kernel_name == "sprout":
        files["/run/init.argv"] = (sprout.init_argv_file(argv), 0o100644)
        with open(os.path.join(ROOT, sprout.BASE_IMAGE), "rb") as f:
            base = f.read()
        image = base + b"\0" * (-len(base) % 4) + sprout.cpio_newc(files)
        kernel, append = sprout.KERNEL, ""
    else:
        mod_dir = os.path.join(os.path.dirname(linux_kernel), "net-modules")
        try:
            image = netrun.linux_image(sprout, files, argv, mod_dir)
        except RuntimeError as e:
            raise BenchError(str(e))
        kernel, append = linux_kernel, LINUX_APPEND
    with open(os.path.join(ROOT, initrd), "wb") as f:
        f.write(image)
    cmd = qemu_cmd(kernel, initrd, log, clock, 1, append,
                   net=[(port, netrun.GUEST_HTTP_PORT)])
    run = Run(kernel_name, clock, 1, cmd)
    run.figure_ids = set(HTTP_IDS)
    t0 = time.time()
    guest = netrun.Guest(cmd)
    note = None
    try:
        m = guest.wait_for(HTTP_LISTENING + "|" + HTTP_NO_INET, HTTP_START_TIMEOUT)
        if m is None:
            note = "error: the server did not start"
        elif m.group(1) is not None:
            note = "missing: no AF_INET (%s)" % m.group(1)
        else:
            note = _http_measure(run, guest, port, reps, batch, lreps, lbatch)
        if note:
            guest.stop()
        else:
            rc, timed_out = guest.finish(max(10, opts.timeout - (time.time() - t0)))
            if timed_out:
                run.problem = "timed out after %d s" % opts.timeout
    finally:
        guest.stop()
    run.seconds = time.time() - t0
    text = guest.console
    with open(os.path.join(ROOT, run_dir, "..", tag + ".console"), "w") as f:
        f.write(text)
    for line in text.splitlines():
        if line.startswith("BENCH-UNAME "):
            run.uname = line[len("BENCH-UNAME "):].strip()
    if note:
        for fid in HTTP_IDS:
            run.figures.setdefault(fid, {"unit": dict(HTTP_UNITS)[fid], "note": note})
        if note.startswith("error"):
            run.problem = "%s (see %s/%s.console)" % (note[len("error: "):], OUT_REL, tag)
    elif not run.problem:
        if re.search(r"forkserver: served %d connections" % total, text):
            run.ended = True
        else:
            run.problem = "forkserver did not end after %d connections" % total
    return run


HTTP_UNITS = [("http_fork_rps", "req/s"), ("http_fork_latency", "us")]


def _http_measure(run, guest, port, reps, batch, lreps, lbatch):
    """The requests of boot_http; fills run.figures. Returns None, or an "error: ..." note
    for the figures not measured."""
    # The first answer. forkserver says it listens only after listen(2), but retry anyway: a
    # refused connection never reaches accept, so it is not counted against -n.
    end = time.time() + 30
    while True:
        try:
            if netrun.raw_request(port, HTTP_REQUEST_TIMEOUT).startswith(b"HTTP/1.0 200"):
                break
        except OSError:
            pass
        if time.time() > end or not guest.running():
            return "error: no answer from the server"
        time.sleep(0.2)
    secs, bad = netrun.http_load(port, HTTP_WARMUP, HTTP_WORKERS, HTTP_REQUEST_TIMEOUT)
    rps = []
    for _ in range(reps):
        if bad:
            return "error: %s" % bad[0]
        secs, bad = netrun.http_load(port, batch, HTTP_WORKERS, HTTP_REQUEST_TIMEOUT)
        rps.append(batch / secs)
    if bad:
        return "error: %s" % bad[0]
    run.figures["http_fork_rps"] = _http_figure("req/s", rps)
    lat = []
    for _ in range(lreps):
        times, bad = netrun.http_latency(port, lbatch, HTTP_REQUEST_TIMEOUT)
        if bad:
            return "error: %s" % bad[0]
        lat.append(sum(times) / len(times) * 1e6)
    run.figures["http_fork_latency"] = _http_figure("us", lat)
    return None


def run_http_shape(clock, kernels, opts, linux_kernel, run_rel):
    """The HTTP boots of one clock, each kernel once (unless --prog or --only leave them
    out); returns the Runs, or None after a setup error.  Wall time is measured on the host,
    so the instruction-counting clock, whose guest time is not the host's, has no HTTP
    figures."""
    if clock == "icount" or (opts.prog and "http" not in opts.prog):
        return []
    if opts.only and not any(fid.startswith(opts.only) for fid in HTTP_IDS):
        return []
    runs = []
    for k in kernels:
        print("bench: %s, 1 CPU, %s, fork-per-request HTTP ..." % (clock_title(clock), k),
              file=sys.stderr, flush=True)
        try:
            r = boot_http(k, clock, opts, linux_kernel, run_rel)
        except (BenchError, OSError) as e:
            print("bench: %s" % e, file=sys.stderr)
            return None
        print("bench:   %.0f s%s" % (r.seconds, "; " + r.problem if r.problem else ""),
              file=sys.stderr, flush=True)
        runs.append(r)
    return runs


def boot_swap(kernel_name, clock, opts, linux_kernel, bin_dir, run_dir):
    """Boot one kernel for the swap rows: the bench command of @clock with -m SWAP_MEM and a
    sparse scratch disk of SWAP_DISK_MIB as /dev/vda (virtio-blk, as ./sprout run --swap),
    running bench/swap.c.  Sprout enables the disk at boot (swap=/dev/vda); Linux gets the
    virtio-blk modules in its initramfs and the program itself formats and enables the disk.
    Returns a Run."""
    files = guest_files(bin_dir)
    path = os.path.join(bin_dir, "swap")
    if not os.path.isfile(path):
        raise BenchError("%s is missing (make bench builds it)" % path)
    with open(path, "rb") as f:
        files[GUEST_DIR + "/swap"] = f.read()
    argv = bench_argv(["swap"], opts.quick, opts.reps, opts.max_mib, opts.only)
    argv_bytes = sprout.init_argv_file(argv)
    tag = "%s-swap-%s" % (clock, kernel_name)
    initrd = os.path.join(run_dir, tag + ".cpio")
    log = os.path.join(run_dir, tag + "-ttyS1.log")
    disk = os.path.join(run_dir, tag + ".disk")
    problem = None
    if kernel_name == "sprout":
        files["/run/init.argv"] = (argv_bytes, 0o100644)
        with open(os.path.join(ROOT, sprout.BASE_IMAGE), "rb") as f:
            base = f.read()
        image = base + b"\0" * (-len(base) % 4) + sprout.cpio_newc(files)
        kernel, append = sprout.KERNEL, "swap=/dev/vda"
    else:
        with open(os.path.join(ROOT, bin_dir, "linux-init"), "rb") as f:
            files["/init"] = f.read()
        for d in ("/dev", "/proc", "/tmp", "/run", GUEST_DIR + "/modules"):
            files[d] = (b"", 0o040755)
        mod_dir = os.path.join(os.path.dirname(linux_kernel), "blk-modules")
        for m in SWAP_LINUX_MODULES:
            try:
                with open(os.path.join(mod_dir, m + ".ko"), "rb") as f:
                    files["%s/modules/%s.ko" % (GUEST_DIR, m)] = (f.read(), 0o100644)
            except OSError:
                problem = ("no %s.ko in %s (sh tools/install-deps.sh --bench)" % (m, mod_dir))
        files[GUEST_DIR + "/modules/order"] = (" ".join(SWAP_LINUX_MODULES).encode() + b"\n",
                                               0o100644)
        files["/run/init.argv"] = (argv_bytes, 0o100644)
        image = sprout.cpio_newc(files)
        kernel, append = linux_kernel, LINUX_APPEND
    with open(os.path.join(ROOT, initrd), "wb") as f:
        f.write(image)
    with open(os.path.join(ROOT, disk), "wb") as f:
        f.truncate(SWAP_DISK_MIB << 20)
    cmd = qemu_cmd(kernel, initrd, log, clock, 1, append)
    cmd[cmd.index("-m") + 1] = SWAP_MEM
    cmd += ["-drive", "file=%s,if=none,id=vda,format=raw" % disk.replace(",", ",,"),
            "-device", "virtio-blk-pci,disable-legacy=on,drive=vda"]
    run = Run(kernel_name, clock, 1, cmd)
    run.swap = True
    if problem:
        run.problem = problem
        os.unlink(os.path.join(ROOT, disk))
        return run
    t0 = time.time()
    try:
        text, timed_out = run_qemu(cmd, opts.timeout)
    finally:
        os.unlink(os.path.join(ROOT, disk))
    run.seconds = time.time() - t0
    with open(os.path.join(ROOT, run_dir, "..", tag + ".console"), "w") as f:
        f.write(text)
    parse_console(run, text)
    if timed_out:
        run.problem = "timed out after %d s" % opts.timeout
    elif not run.ended:
        run.problem = "ended before the benchmarks finished"
    for prog, st in run.prog_status.items():
        if st != "ok":
            sys.stderr.write("bench: %s on %s: program %s: %s\n" % (clock, kernel_name, prog, st))
    return run


def run_swap_shape(clocks, kernels, opts, linux_kernel, run_rel):
    """The swap rows on every clock but icount (a disk wait is no instructions: the figure
    would only count the CPU's part); returns the Runs."""
    runs = []
    for clock in clocks:
        if clock == "icount":
            continue
        for k in kernels:
            print("bench: %s, swap (%s RAM, %d MiB disk), %s ..."
                  % (clock_title(clock), SWAP_MEM, SWAP_DISK_MIB, k), file=sys.stderr, flush=True)
            r = boot_swap(k, clock, opts, linux_kernel, BIN_REL, run_rel)
            print("bench:   %.0f s%s" % (r.seconds, "; " + r.problem if r.problem else ""),
                  file=sys.stderr, flush=True)
            runs.append(r)
    return runs


# ---------------------------------------------------------------------------
# The table.

def fmt_value(fig):
    if fig is None:
        return "not run"
    if "note" in fig:
        return "missing" if fig["note"].startswith("missing") else "error"
    med = fig["median"]
    spread = (fig["max"] - fig["min"]) / 2 / med * 100 if med else 0.0
    if med >= 1000:
        s = "%.0f" % med
    elif med >= 10:
        s = "%.1f" % med
    else:
        s = "%.2f" % med
    return "%s ±%.0f%%" % (s, spread)


def ratio(a, b):
    if not a or not b or "median" not in a or "median" not in b or not b["median"]:
        return None
    return a["median"] / b["median"]


def collect(runs):
    """Merge the runs into rows: one per (figure, clock)."""
    by = {}
    for r in runs:
        for fid, fig in r.figures.items():
            by[(fid + (SMP2 if r.smp == 2 else ""), r.clock, r.kernel_name)] = fig
    return by


def table_rows(by, clocks):
    rows = []
    for fid, desc in FIGURES:
        unit = None
        cells = []
        for clock in clocks:
            s, l = by.get((fid, clock, "sprout")), by.get((fid, clock, "linux"))
            unit = unit or (s or l or {}).get("unit")
            q = ratio(s, l)
            cells.append((s, l, q))
        if fid == "direct_msg_rtt":
            cells = [(s, {"note": "n/a"} if l is None or "note" in l else l, q)
                     for s, l, q in cells]
        rows.append((fid, desc, unit or "", cells))
    return rows


def clock_title(clock):
    return {"tcg": "TCG wall", "icount": "icount", "kvm": "KVM wall"}[clock]


def source_version():
    """The commit the Sprout tree was built from (git describe), "unknown" outside git."""
    try:
        r = subprocess.run(["git", "describe", "--always", "--dirty"], cwd=ROOT,
                           stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
        return r.stdout.strip() or "unknown"
    except OSError:
        return "unknown"


def write_outputs(rows, runs, clocks, out_dir, versions, quick):
    hdr = ["figure", "unit"]
    for c in clocks:
        t = clock_title(c)
        hdr += ["Sprout (%s)" % t, "Linux (%s)" % t, "Sprout/Linux (%s)" % t]
    text_rows = []
    for fid, desc, unit, cells in rows:
        u = unit + (" (higher is better)" if unit in HIGHER_IS_BETTER else "")
        row = [desc, u]
        for s, l, q in cells:
            row += [fmt_value(s), "n/a" if l and l.get("note") == "n/a" else fmt_value(l),
                    "%.2f" % q if q is not None else "-"]
        text_rows.append(row)

    # CSV: raw numbers.
    with open(os.path.join(out_dir, "results.csv"), "w", newline="") as f:
        w = csv.writer(f)
        w.writerow(["figure", "description", "unit", "clock", "kernel", "median", "min", "max",
                    "reps", "note"])
        for fid, desc, unit, cells in rows:
            for clock, (s, l, q) in zip(clocks, cells):
                for kname, fig in (("sprout", s), ("linux", l)):
                    fig = fig or {}
                    w.writerow([fid, desc, unit, clock, kname, fig.get("median", ""),
                                fig.get("min", ""), fig.get("max", ""), fig.get("n", ""),
                                fig.get("note", "")])

    md = []
    md.append("| " + " | ".join(hdr) + " |")
    md.append("|" + "---|" * len(hdr))
    for row in text_rows:
        md.append("| " + " | ".join(row) + " |")
    md.append("")
    md.append("Values are medians over repetitions, ±half the min-max spread in percent. "
              "icount figures are guest time at one nanosecond per instruction "
              "(1 us = 1000 guest instructions).%s" % (" QUICK run." if quick else ""))
    md.append("")
    md.append("Kernels: Sprout `%s`; Linux `%s`." % (versions.get("sprout", "?"),
                                                      versions.get("linux", "?")))
    md.append("")
    md.append("CPU model under TCG: `-cpu %s` for both kernels (ERMS hidden, so neither "
              "kernel's page clears and copies run as byte-wise `rep stosb`/`rep movsb`, "
              "which the instruction counter counts once per repetition)." % TCG_CPU)
    md.append("")
    md.append("QEMU command lines (Sprout's; Linux's differs only in -kernel, -initrd, -append "
              "`%s`):" % LINUX_APPEND)
    md.append("")
    for r in runs:
        if r.kernel_name == "sprout":
            md.append("    " + shlex.join(r.cmd))
    md.append("")
    with open(os.path.join(out_dir, "results.md"), "w") as f:
        f.write("\n".join(md))

    # Terminal: aligned columns.
    widths = [max(len(str(x[i])) for x in [hdr] + text_rows) for i in range(len(hdr))]
    lines = ["  ".join(str(c).ljust(widths[i]) for i, c in enumerate(row)).rstrip()
             for row in [hdr] + text_rows]
    lines.insert(1, "  ".join("-" * w for w in widths))
    return "\n".join(lines)


def write_plot(by, clocks, out_dir):
    """fork latency against parent memory, both kernels, one panel per clock (gnuplot)."""
    gnuplot = shutil.which("gnuplot")
    if not gnuplot:
        return "gnuplot is not installed (sh tools/install-deps.sh --bench)"
    dat = os.path.join(out_dir, "fork-mem.dat")
    with open(dat, "w") as f:
        f.write("# MiB clock fork_sprout fork_linux few_sprout few_linux (microseconds)\n")
        for ci, clock in enumerate(clocks):
            f.write("# clock %s\n" % clock)
            for m in MIB_POINTS:
                vals = []
                for fid in ("fork_mem_%dM" % m, "fork_exit_wait_mem_%dM" % m):
                    for k in ("sprout", "linux"):
                        fig = by.get((fid, clock, k))
                        vals.append("%g" % fig["median"] if fig and "median" in fig else "NaN")
                f.write("%d %s\n" % (m, " ".join([vals[0], vals[1], vals[2], vals[3]])))
            f.write("\n\n")
    png = os.path.join(out_dir, "fork-mem.png")
    script = ['set terminal pngcairo size %d,480 noenhanced' % (560 * len(clocks)),
              'set output "%s"' % png, 'set datafile missing "NaN"',
              'set multiplot layout 1,%d' % len(clocks),
              'set logscale xy', 'set grid', 'set key top left',
              'set xlabel "parent memory touched (MiB)"',
              'set xtics ("1" 1, "16" 16, "256" 256, "1024" 1024, "4096" 4096)']
    for ci, clock in enumerate(clocks):
        ylabel = ("guest microseconds (= k instructions)" if clock == "icount"
                  else "microseconds")
        script += ['set title "fork latency vs parent size (%s)"' % clock_title(clock),
                   'set ylabel "%s"' % ylabel,
                   'plot "%s" index %d using 1:2 with linespoints lw 2 title "Sprout fork()", '
                   '"" index %d using 1:3 with linespoints lw 2 title "Linux fork()", '
                   '"" index %d using 1:4 with linespoints dt 2 title "Sprout fork+exit+wait", '
                   '"" index %d using 1:5 with linespoints dt 2 title "Linux fork+exit+wait"'
                   % (dat, ci, ci, ci, ci)]
    script.append("unset multiplot")
    r = subprocess.run([gnuplot], input="\n".join(script) + "\n", text=True,
                       stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    if r.returncode != 0:
        return "gnuplot failed: %s" % r.stdout.strip()
    return None


def write_scale_plot(by, out_dir):
    """Each scaling figure against N, both kernels, under icount (gnuplot): scale.png."""
    gnuplot = shutil.which("gnuplot")
    if not gnuplot:
        return "gnuplot is not installed (sh tools/install-deps.sh --bench)"
    dat = os.path.join(out_dir, "scale.dat")
    with open(dat, "w") as f:
        f.write("# N sprout linux (icount microseconds = k instructions), one block per row\n")
        for fid, desc in SCALE_ROWS:
            f.write("# %s\n" % fid)
            for n in SCALE_N:
                vals = []
                for k in ("sprout", "linux"):
                    fig = by.get(("%s_%d" % (fid, n), "icount", k))
                    vals.append("%g" % fig["median"] if fig and "median" in fig else "NaN")
                f.write("%d %s %s\n" % (n, vals[0], vals[1]))
            f.write("\n\n")
    png = os.path.join(out_dir, "scale.png")
    script = ['set terminal pngcairo size 1500,900 noenhanced font ",10"', 'set output "%s"' % png,
              'set datafile missing "NaN"', 'set multiplot layout 2,3', 'set grid',
              'set key top left', 'set xlabel "N (other processes)"',
              'set ylabel "guest microseconds (= k instructions)"',
              'set xtics ("0" 0, "100" 1, "1000" 2, "10000" 3)', 'set yrange [0:*]']
    for i, (fid, desc) in enumerate(SCALE_ROWS):
        script += ['set title "%s"' % desc,
                   'plot "%s" index %d using ($0):2 with linespoints lw 2 title "Sprout", '
                   '"" index %d using ($0):3 with linespoints lw 2 title "Linux"'
                   % (dat, i, i)]
    script.append("unset multiplot")
    r = subprocess.run([gnuplot], input="\n".join(script) + "\n", text=True,
                       stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    if r.returncode != 0:
        return "gnuplot failed: %s" % r.stdout.strip()
    return None


# ---------------------------------------------------------------------------
# What the trace hooks cost when tracing is off (include/trace.h: each hook is one load and
# a branch never taken).  The same proc figures on the default kernel and on one built
# without the hooks (make notrace-kernel: TRACEPOINTS=0 in build/notrace), under icount, one
# boot each with the same image, back to back; the rows are the kernel without hooks and
# the difference in guest instructions per operation.  Sprout only: Linux's column is n/a.
# `--prog traceoff` runs these rows alone.

NOTRACE_KERNEL = "build/notrace/sprout.elf"
TRACE_OFF_PROG = "traceoff"
TRACE_OFF_FIGS = [("null_syscall", "null system call (getppid)"),
                  ("fork_exit_wait", "fork + _exit + waitpid")]
TRACE_OFF_ROWS = ([("trace_off_" + f, d + ", kernel without trace hooks")
                   for f, d in TRACE_OFF_FIGS] +
                  [("trace_off_cost_" + f, d + ": trace hooks when off (default minus "
                    "without hooks)") for f, d in TRACE_OFF_FIGS])
FIGURES += TRACE_OFF_ROWS


def trace_off_wanted(opts, clocks, kernels):
    if "icount" not in clocks or "sprout" not in kernels:
        return False
    if opts.prog and TRACE_OFF_PROG not in opts.prog:
        return False
    return not opts.only or any(fid.startswith(opts.only) for fid, _ in TRACE_OFF_ROWS)


def trace_off_cost(opts, run_rel):
    """Boot the default kernel and the one without trace hooks under icount with bench/proc;
    returns (runs, figures), figures keyed like collect()'s: (id, "icount", kernel)."""
    kernels = [("default", sprout.KERNEL), ("nohooks", NOTRACE_KERNEL)]
    for _, k in kernels:
        if not os.path.isfile(os.path.join(ROOT, k)):
            raise BenchError("%s is missing (make notrace-kernel builds it)" % k)
    files = guest_files(BIN_REL)
    files["/run/init.argv"] = (sprout.init_argv_file(
        bench_argv(["proc"], opts.quick, opts.reps, opts.max_mib)), 0o100644)
    with open(os.path.join(ROOT, sprout.BASE_IMAGE), "rb") as f:
        base = f.read()
    initrd = os.path.join(run_rel, "traceoff.cpio")
    with open(os.path.join(ROOT, initrd), "wb") as f:
        f.write(base + b"\0" * (-len(base) % 4) + sprout.cpio_newc(files))
    runs, got = [], {}
    for name, kernel in kernels:
        print("bench: icount, 1 CPU, sprout %s kernel (trace hooks) ..." % name,
              file=sys.stderr, flush=True)
        log = os.path.join(run_rel, "traceoff-%s-ttyS1.log" % name)
        cmd = qemu_cmd(kernel, initrd, log, "icount", 1, "")
        run = Run("sprout", "icount", 1, cmd)
        t0 = time.time()
        text, timed_out = run_qemu(cmd, opts.timeout)
        run.seconds = time.time() - t0
        with open(os.path.join(ROOT, OUT_REL, "traceoff-%s.console" % name), "w") as f:
            f.write(text)
        parse_console(run, text)
        if timed_out or not run.ended:
            run.problem = "trace hooks, %s kernel: %s" % (
                name, "timed out" if timed_out else "ended before the benchmarks finished")
        print("bench:   %.0f s%s" % (run.seconds, "; " + run.problem if run.problem else ""),
              file=sys.stderr, flush=True)
        runs.append(run)
        got[name] = run.figures
    figs = {}
    for fid, _ in TRACE_OFF_FIGS:
        d, n = got["default"].get(fid), got["nohooks"].get(fid)
        figs[("trace_off_" + fid, "icount", "sprout")] = n or {"note": "error: not measured"}
        if d and n and "median" in d and "median" in n:
            # Microseconds under icount are thousands of instructions.
            figs[("trace_off_cost_" + fid, "icount", "sprout")] = {
                "unit": "insns", "median": (d["median"] - n["median"]) * 1000,
                "min": (d["min"] - n["max"]) * 1000, "max": (d["max"] - n["min"]) * 1000,
                "n": min(d["n"], n["n"])}
        else:
            figs[("trace_off_cost_" + fid, "icount", "sprout")] = {
                "note": "error: not measured"}
    for fid, _ in TRACE_OFF_ROWS:
        figs[(fid, "icount", "linux")] = {"note": "n/a"}
    return runs, figs


# ---------------------------------------------------------------------------

def main(argv=None):
    p = argparse.ArgumentParser(description="Sprout and Linux benchmarks, side by side.")
    p.add_argument("--quick", action="store_true",
                   help="fewer repetitions, smaller batches, memory sweep up to 1024 MiB")
    p.add_argument("--clock", action="append", choices=("tcg", "icount", "kvm"),
                   help="clocks to run (repeatable); default tcg and icount, plus kvm "
                        "when the host has it")
    p.add_argument("--reps", type=int, default=0, help="repetitions per figure")
    p.add_argument("--max-mib", type=int, default=0,
                   help="largest parent size of the memory sweep (default 4096, quick 1024)")
    p.add_argument("--kernel", choices=("sprout", "linux"), action="append",
                   help="only these kernels (default both)")
    p.add_argument("--linux-kernel", metavar="BZIMAGE", help="Linux kernel image to boot")
    p.add_argument("--timeout", type=int, default=900, help="seconds per boot")
    p.add_argument("--prog", action="append", metavar="NAME",
                   help="only these bench/ programs (repeatable), e.g. proc or scale; "
                   "http: the fork-per-request HTTP rows; "
                   "swap: the swap rows (a boot of their own per kernel and clock)")
    p.add_argument("--only", metavar="PREFIX",
                   help="only figures whose id starts with PREFIX (proc and scale honour it)")
    opts = p.parse_args(argv)
    opts.max_mib = opts.max_mib or (1024 if opts.quick else 4096)
    clocks = opts.clock or (["icount", "tcg"] + (["kvm"] if sprout.kvm_usable() else []))
    # icount first: the primary column.
    clocks = sorted(set(clocks), key=["icount", "tcg", "kvm"].index)
    kernels = opts.kernel or ["sprout", "linux"]

    out_dir = os.path.join(ROOT, OUT_REL)
    run_rel = os.path.join(OUT_REL, "run")
    os.makedirs(os.path.join(ROOT, run_rel), exist_ok=True)
    try:
        linux_kernel = find_linux_kernel(opts.linux_kernel) if "linux" in kernels else None
    except BenchError as e:
        print("bench: %s" % e, file=sys.stderr)
        return 2

    runs = []
    t_start = time.time()
    for clock in clocks:
        shapes = ((1, PROGS_1CPU + (PROGS_ICOUNT_ONLY if clock == "icount" else [])),
                  (2, PROGS_2CPU))
        for smp, progs in shapes:
            if opts.prog:
                progs = [x for x in progs if x in opts.prog]
            if not progs:
                continue
            if smp == 2 and clock == "icount":
                # Instruction counting runs the CPUs in turn in one thread, so two CPUs
                # measure nothing the one-CPU machine does not (and Linux's SMP boot
                # stalls there).
                continue
            for k in kernels:
                print("bench: %s, %d CPU%s, %s ..." % (clock_title(clock), smp,
                                                       "s" if smp > 1 else "", k),
                      file=sys.stderr, flush=True)
                try:
                    r = boot_one(k, clock, smp, progs, opts, linux_kernel, BIN_REL, run_rel)
                except BenchError as e:
                    print("bench: %s" % e, file=sys.stderr)
                    return 2
                print("bench:   %.0f s%s" % (r.seconds, "; " + r.problem if r.problem else ""),
                      file=sys.stderr, flush=True)
                runs.append(r)
        r = run_http_shape(clock, kernels, opts, linux_kernel, run_rel)
        if r is None:
            return 2
        runs += r
    trace_off_figs = {}
    if trace_off_wanted(opts, clocks, kernels):
        try:
            more, trace_off_figs = trace_off_cost(opts, run_rel)
        except BenchError as e:
            print("bench: %s" % e, file=sys.stderr)
            return 2
        runs += more
    if not opts.prog or "swap" in opts.prog:
        try:
            runs += run_swap_shape(clocks, kernels, opts, linux_kernel, run_rel)
        except BenchError as e:
            print("bench: %s" % e, file=sys.stderr)
            return 2
    versions = {}
    for r in runs:
        if r.uname and r.kernel_name not in versions:
            versions[r.kernel_name] = r.uname
    if "sprout" in versions:
        versions["sprout"] += " (tree %s)" % source_version()
    if linux_kernel:
        versions["linux"] = "%s; package %s" % (versions.get("linux", "?"),
                                                 linux_package(linux_kernel) or "unknown")
    by = collect(runs)
    by.update(trace_off_figs)
    # A figure that a failed boot never printed is an error, not a blank.
    swap_ids = set(fid for fid, _ in SWAP_ROWS)
    for r in runs:
        if r.problem:
            for fid, _ in FIGURES:
                key = (fid, r.clock, r.kernel_name)
                # A swap boot answers for the swap rows only, and only it does.
                if (fid in swap_ids) != getattr(r, "swap", False):
                    continue
                meant = (fid in r.figure_ids if r.figure_ids is not None
                         else fid not in HTTP_IDS)
                if fid.endswith(SMP2) == (r.smp == 2) and key not in by and meant:
                    by[key] = {"note": "error: " + r.problem}
    rows = table_rows(by, clocks)
    table = write_outputs(rows, runs, clocks, out_dir, versions, opts.quick)
    # A plot with no figure measured (a run of some programs only) is not drawn.
    plots = []
    if any(by.get(("fork_mem_%dM" % m, c, k)) for m in MIB_POINTS for c in clocks
           for k in ("sprout", "linux")):
        plots.append(("fork-mem.png", write_plot(by, clocks, out_dir)))
    if any(by.get(("%s_%d" % (f, n), "icount", k)) for f, _ in SCALE_ROWS for n in SCALE_N
           for k in ("sprout", "linux")):
        plots.append(("scale.png", write_scale_plot(by, out_dir)))
    plot_problem = "; ".join(p for _, p in plots if p)
    drawn = [name for name, p in plots if not p]
    print(table)
    print()
    print("Sprout: %s" % versions.get("sprout", "?"))
    print("Linux:  %s" % versions.get("linux", "?"))
    print("QEMU (Sprout's command; Linux's differs only in -kernel/-initrd/-append):")
    seen = set()
    for r in runs:
        key = (r.clock, r.smp)
        if r.kernel_name == "sprout" and key not in seen:
            seen.add(key)
            print("  " + shlex.join(r.cmd))
    for r in runs:
        if r.kernel_name == "linux":
            print("  Linux -append: %s" % LINUX_APPEND)
            break
    print("Medians ±half the min-max spread; icount: 1 us = 1000 guest instructions.")
    print("CPU model under TCG: %s (the same for both kernels)" % TCG_CPU)
    print("Wrote %s/results.csv, results.md%s (%.0f s)"
          % (OUT_REL, "".join(", " + n for n in drawn), time.time() - t_start))
    if plot_problem:
        print("bench: no plot: %s" % plot_problem, file=sys.stderr)
    bad = [r for r in runs if r.problem]
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
