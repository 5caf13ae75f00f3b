#!/usr/bin/env python3
"""Boot Sprout halted under QEMU's gdbstub and debug it with GDB and tools/gdb/sprout.py.

  python3 tools/gdb/launch.py [--smp N] [--mem SIZE] [PROG ARGS...]       (what `make gdb` runs)
  python3 tools/gdb/launch.py --batch CMDS [--timeout SEC] [PROG ARGS...]

Interactive: GDB runs in this terminal, attached and with the sprout-* commands
loaded; the machine's console is the Unix socket build/console.sock (attach with
`python3 tools/gdb/console.py` in a second terminal). PROG (a path in the boot
image) is what init runs; without it, the default login shell. When GDB exits,
QEMU is stopped.

--batch runs the GDB commands of file CMDS non-interactively and prints GDB's
output (the test driver's scripted session); QEMU's console goes to a file, and
both are stopped after --timeout seconds (default 120) at the latest.
"""

import argparse
import importlib.machinery
import importlib.util
import os
import socket
import subprocess
import sys
import tempfile

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.realpath(__file__))))


def load_sprout():
    sys.dont_write_bytecode = True
    loader = importlib.machinery.SourceFileLoader("sprout", os.path.join(ROOT, "sprout"))
    spec = importlib.util.spec_from_loader("sprout", loader)
    mod = importlib.util.module_from_spec(spec)
    loader.exec_module(mod)
    return mod


def free_port():
    """A TCP port free on 127.0.0.1 now (the machine is shared: never a fixed one)."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def qemu_start(sprout, run_dir, argv, smp, mem, port, console, cmdline=""):
    """Start QEMU halted with its gdbstub on @port; returns the Popen. @console is
    "socket" (build/console.sock, the kernel log in build/kernel.log) or "file"
    (run_dir/console.txt, the log beside it)."""
    initrd = sprout.BASE_IMAGE
    if argv:
        initrd = os.path.join(run_dir, "initrd.cpio")
        with open(os.path.join(ROOT, sprout.BASE_IMAGE), "rb") as f:
            base = f.read()
        extra = {"/run/init.argv": (sprout.init_argv_file(argv), 0o100644)}
        with open(initrd, "wb") as f:
            f.write(base + b"\0" * (-len(base) % 4) + sprout.cpio_newc(extra))
    log = os.path.join(ROOT, sprout.KERNEL_LOG) if console == "socket" else \
        os.path.join(run_dir, "kernel.log")
    cmd = sprout.qemu_command(initrd, log, accel="tcg",
                              smp=smp, mem=mem, gdb=True, gdb_port=port, cmdline=cmdline)
    i = cmd.index("stdio,id=console,signal=off")
    if console == "socket":
        sock = os.path.join(ROOT, "build", "console.sock")
        cmd[i] = "socket,id=console,path=%s,server=on,wait=off" % sock
    else:
        cmd[i] = "file,id=console,path=%s" % os.path.join(run_dir, "console.txt")
    # Batch: QEMU's own messages ("terminated via GDBstub") would only clutter the output.
    return subprocess.Popen(cmd, cwd=ROOT, stdin=subprocess.DEVNULL,
                            stderr=subprocess.DEVNULL if console == "file" else None)


def stop(proc):
    if proc.poll() is None:
        proc.terminate()
        try:
            proc.wait(5)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


def gdb_command(port):
    return ["gdb", "-q", "-nx", os.path.join(ROOT, "build", "sprout.elf"),
            "-ex", "set pagination off", "-ex", "set confirm off",
            "-ex", "source %s" % os.path.join(ROOT, "tools", "gdb", "sprout.py"),
            "-ex", "target remote 127.0.0.1:%d" % port]


def run_batch(cmds_file, argv, timeout=120, smp=1, mem="512M", cmdline=""):
    """Boot with @argv as init's program (kernel command line @cmdline), run GDB's
    commands from @cmds_file in batch mode; returns (GDB's exit code or None on
    timeout, its output text). QEMU is always stopped before returning."""
    sprout = load_sprout()
    with tempfile.TemporaryDirectory(prefix="sprout-gdb-", dir=os.path.join(ROOT, "build")) as d:
        port = free_port()
        qemu = qemu_start(sprout, d, argv, smp, mem, port, "file", cmdline)
        try:
            cmd = gdb_command(port) + ["-batch", "-x", cmds_file]
            try:
                r = subprocess.run(cmd, cwd=ROOT, stdin=subprocess.DEVNULL,
                                   stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                                   timeout=timeout)
                return r.returncode, r.stdout.decode(errors="replace")
            except subprocess.TimeoutExpired as e:
                out = e.stdout.decode(errors="replace") if e.stdout else ""
                return None, out
        finally:
            stop(qemu)


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--smp", type=int, default=1)
    ap.add_argument("--mem", default="512M")
    ap.add_argument("--batch", metavar="CMDS", help="run GDB commands from CMDS, then stop")
    ap.add_argument("--timeout", type=float, default=120)
    ap.add_argument("--append", default="", metavar="CMDLINE", help="kernel command line")
    ap.add_argument("prog", nargs=argparse.REMAINDER)
    opts = ap.parse_args()
    if opts.batch:
        rc, out = run_batch(opts.batch, opts.prog, opts.timeout, opts.smp, opts.mem,
                            opts.append)
        sys.stdout.write(out)
        return 124 if rc is None else rc
    sprout = load_sprout()
    with tempfile.TemporaryDirectory(prefix="sprout-gdb-", dir=os.path.join(ROOT, "build")) as d:
        port = free_port()
        qemu = qemu_start(sprout, d, opts.prog, opts.smp, opts.mem, port, "socket",
                          opts.append)
        print("sprout: QEMU halted, gdbstub on 127.0.0.1:%d; the console: "
              "python3 tools/gdb/console.py (in a second terminal)" % port, flush=True)
        try:
            return subprocess.call(gdb_command(port), cwd=ROOT)
        finally:
            stop(qemu)


if __name__ == "__main__":
    sys.exit(main())
