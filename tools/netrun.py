#!/usr/bin/env python3
"""Network runs driven from the host: boot a kernel under QEMU with TCP ports forwarded from the
host's loopback address (QEMU's user network, `hostfwd`) and talk HTTP to the guest.

  python3 tools/netrun.py check [--kernel sprout|linux] [--requests N]

runs the fork-per-request web server check (the one `make test` runs on Sprout as
run/http-forward) against Sprout or against Debian's Linux kernel under the same QEMU command:
busybox httpd serving a page and CGI scripts, many requests from the host, every response
checked, every CGI in a process of its own, free pages and processes back where they started.

Used by tools/test.py (that check) and tools/bench.py (the fork-per-request HTTP rows, with
forkserver). For Linux (`make bench` fetched its kernel and virtio modules with
tools/install-deps.sh --bench), the image is built here: bench/linux-init.c as /init, Debian's
static busybox, and a start-up script that loads the virtio-net modules and gives eth0 the
address QEMU's user network expects (10.0.2.15/24, gateway 10.0.2.2), as Sprout's kernel does
by itself.
"""

import concurrent.futures
import http.client
import importlib.machinery
import importlib.util
import os
import re
import shutil
import socket
import struct
import subprocess
import sys
import tempfile
import threading
import time

ROOT = os.path.dirname(os.path.dirname(os.path.realpath(__file__)))
GUEST_HTTP_PORT = 80
BUSYBOX = "/bin/busybox"        # Debian's busybox-static on the host, in both images
LINUX_INIT_REL = "build/bench/bin/linux-init"
NETUP = "/sbin/netup"
MODULE_DIR = "/lib/net-modules"


def load_sprout():
    """Import the ./sprout script (it has no .py suffix) as a module."""
    sys.dont_write_bytecode = True
    loader = importlib.machinery.SourceFileLoader("sprout", os.path.join(ROOT, "sprout"))
    spec = importlib.util.spec_from_loader("sprout", loader)
    mod = importlib.util.module_from_spec(spec)
    loader.exec_module(mod)
    return mod


def free_port():
    """A TCP port on 127.0.0.1 that nothing listens on now (the kernel picks it)."""
    s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    try:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]
    finally:
        s.close()


# ---------------------------------------------------------------------------
# A running guest whose console is read while it runs.

class Guest:
    """One QEMU (or ./sprout run) process: its console (stdout) and stderr are collected by
    threads, so the host can wait for a line while talking to the guest."""

    def __init__(self, cmd, env=None):
        self.cmd = cmd
        self._out, self._err = bytearray(), bytearray()
        self._cond = threading.Condition()
        self.proc = subprocess.Popen(cmd, cwd=ROOT, stdin=subprocess.DEVNULL,
                                     stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env)
        self._readers = [threading.Thread(target=self._read, args=(self.proc.stdout, self._out),
                                          daemon=True),
                         threading.Thread(target=self._read, args=(self.proc.stderr, self._err),
                                          daemon=True)]
        for t in self._readers:
            t.start()

    def _read(self, pipe, buf):
        for chunk in iter(lambda: pipe.read1(4096), b""):
            with self._cond:
                buf += chunk
                self._cond.notify_all()
        with self._cond:
            self._cond.notify_all()

    @property
    def console(self):
        with self._cond:
            return bytes(self._out).replace(b"\r\n", b"\n").decode(errors="replace")

    @property
    def stderr(self):
        with self._cond:
            return bytes(self._err).decode(errors="replace")

    def running(self):
        return self.proc.poll() is None

    def wait_for(self, pattern, timeout):
        """Wait until the console matches regex @pattern (str) or the guest ends; returns the
        match or None."""
        rx = re.compile(pattern)
        end = time.time() + timeout
        with self._cond:
            while True:
                m = rx.search(bytes(self._out).replace(b"\r\n", b"\n").decode(errors="replace"))
                if m or time.time() >= end:
                    return m
                if self.proc.poll() is not None and not any(t.is_alive() for t in self._readers):
                    return None
                self._cond.wait(min(0.5, max(0.01, end - time.time())))

    def finish(self, timeout):
        """Wait up to @timeout seconds for the guest to end by itself, else stop it (SIGTERM
        first: ./sprout then stops its QEMU). Returns (exit code, timed out?)."""
        timed_out = False
        try:
            self.proc.wait(timeout)
        except subprocess.TimeoutExpired:
            timed_out = True
            self.stop()
        for t in self._readers:
            t.join(5)
        return self.proc.returncode, timed_out

    def stop(self):
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()


# ---------------------------------------------------------------------------
# The Linux image.

def _modinfo_depends(path):
    """The module names in the `depends=` field of the .modinfo section of kernel module
    @path (an ELF relocatable file), or [] if it names none."""
    with open(path, "rb") as f:
        data = f.read()
    shoff, = struct.unpack_from("<Q", data, 0x28)
    shentsize, shnum, shstrndx = struct.unpack_from("<HHH", data, 0x3a)

    def section(i):
        name, _, _, _, off, size = struct.unpack_from("<IIQQQQ", data, shoff + i * shentsize)
        return name, off, size
    _, stroff, _ = section(shstrndx)
    for i in range(shnum):
        name, off, size = section(i)
        end = data.index(b"\0", stroff + name)
        if data[stroff + name:end] == b".modinfo":
            for field in data[off:off + size].split(b"\0"):
                if field.startswith(b"depends="):
                    return [d for d in field[8:].decode().split(",") if d]
    return []


def module_order(mod_dir):
    """The modules in @mod_dir (*.ko) in an order that loads each after those it depends
    on. Raises RuntimeError when a dependency is not there."""
    mods = {n[:-3]: os.path.join(mod_dir, n) for n in os.listdir(mod_dir) if n.endswith(".ko")}
    deps = {m: [d.replace("-", "_") for d in _modinfo_depends(p)] for m, p in mods.items()}
    order, seen = [], set()

    def visit(m, chain):
        if m in seen:
            return
        if m not in mods:
            raise RuntimeError("module %s (needed by %s) is not in %s" % (m, chain[-1], mod_dir))
        for d in deps[m]:
            visit(d, chain + [m])
        seen.add(m)
        order.append(m)
    for m in sorted(mods):
        visit(m, [m])
    return order


# Loads the virtio-net modules, brings lo and eth0 up as QEMU's user network expects, then
# runs its arguments.
NETUP_SCRIPT = """#!/bin/sh
/bin/busybox --install -s /bin
for m in %(modules)s; do
	insmod %(dir)s/$m.ko || { echo "netup: insmod $m failed"; exit 1; }
done
i=0
while ! ifconfig eth0 >/dev/null 2>&1; do
	i=$((i + 1)); [ $i -gt 50 ] && { echo "netup: no eth0"; exit 1; }; sleep 0.1
done
ifconfig lo 127.0.0.1 up && ifconfig eth0 10.0.2.15 netmask 255.255.255.0 up &&
	route add default gw 10.0.2.2 || { echo "netup: configuring eth0 failed"; exit 1; }
exec "$@"
"""


def linux_image(sprout, files, argv, mod_dir, bench_init=None):
    """A newc archive (bytes) booting Linux into @argv with a configured eth0: @files
    ({guest path: bytes | (bytes, mode)}) plus /init (bench/linux-init.c), Debian's static
    busybox with its applets, the virtio-net modules of @mod_dir and /sbin/netup."""
    init = bench_init or os.path.join(ROOT, LINUX_INIT_REL)
    if not os.path.isfile(init):
        r = subprocess.run(["make", "-s", LINUX_INIT_REL], cwd=ROOT, stdin=subprocess.DEVNULL,
                           stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
        if r.returncode != 0:
            raise RuntimeError("make %s failed:\n%s" % (LINUX_INIT_REL, r.stdout.decode()))
    try:
        order = module_order(mod_dir)
    except OSError as e:
        raise RuntimeError("no virtio-net modules in %s (sh tools/install-deps.sh --bench): %s"
                           % (mod_dir, e))
    out = dict(files)
    with open(init, "rb") as f:
        out["/init"] = f.read()
    with open(BUSYBOX, "rb") as f:
        out[BUSYBOX] = f.read()
    out["/bin/sh"] = (b"busybox", 0o120777)
    for d in ("/dev", "/proc", "/tmp", "/run", "/sys"):
        out[d] = (b"", 0o040755)
    for m in order:
        with open(os.path.join(mod_dir, m + ".ko"), "rb") as f:
            out["%s/%s.ko" % (MODULE_DIR, m)] = (f.read(), 0o100644)
    out[NETUP] = (NETUP_SCRIPT % {"modules": " ".join(order), "dir": MODULE_DIR}).encode()
    out["/run/init.argv"] = (sprout.init_argv_file(["/bin/sh", NETUP] + list(argv)), 0o100644)
    return sprout.cpio_newc(out)


# ---------------------------------------------------------------------------
# HTTP from the host.

def http_get(port, path, timeout):
    """GET @path from 127.0.0.1:@port with http.client, one connection; returns (status,
    body bytes). Raises OSError or http.client.HTTPException."""
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
    try:
        conn.request("GET", path, headers={"Connection": "close"})
        r = conn.getresponse()
        return r.status, r.read()
    finally:
        conn.close()


def wait_http(guest, port, path, timeout):
    """Retry GET @path until it answers 200 (the server may not listen yet: QEMU takes the
    host's connection and the guest refuses it), the guest ends or @timeout seconds pass.
    Returns (body, None) or (None, why not)."""
    end = time.time() + timeout
    last = "no answer"
    while time.time() < end:
        if not guest.running():
            return None, "the guest ended before the server answered"
        try:
            status, body = http_get(port, path, timeout=min(10, max(1, end - time.time())))
            if status == 200:
                return body, None
            last = "status %d" % status
        except (OSError, http.client.HTTPException) as e:
            last = "%s: %s" % (type(e).__name__, e)
        time.sleep(0.3)
    return None, "no 200 from %s within %d s (last: %s)" % (path, timeout, last)


def raw_request(port, timeout):
    """One HTTP/1.0 GET / over a fresh connection with plain sockets (the load generator:
    less client work than http.client); returns the whole answer (bytes)."""
    with socket.create_connection(("127.0.0.1", port), timeout=timeout) as s:
        s.sendall(b"GET / HTTP/1.0\r\n\r\n")
        parts = []
        while True:
            b = s.recv(4096)
            if not b:
                break
            parts.append(b)
    return b"".join(parts)


# ---------------------------------------------------------------------------
# The fork-per-request web server check.

INDEX_HTML = b"<html><body><p>Sprout serves this page from /www/index.html.</p></body></html>\n"
CGI_PID = b"""#!/bin/sh
echo "Content-Type: text/plain"
echo
echo "pid $$ ppid $PPID"
"""
# Free memory and the processes that are not kernel threads (neither kthreadd, pid 2, nor
# its children).
CGI_STATE = b"""#!/bin/sh
echo "Content-Type: text/plain"
echo
# Where TIME_WAIT is short (Sprout's sprout_tcp_msl_ms, set by HTTPD_SCRIPT), wait until the
# only TCP sockets left are the listener and this request's, so that the free memory of one
# call compares exactly with another's.
if [ -e /proc/sys/net/sprout_tcp_msl_ms ]; then
	i=0
	while [ "$(cat /proc/net/tcp /proc/net/tcp6 | grep -c '^ *[0-9]*: ')" -gt 2 ] &&
	      [ $i -lt 20 ]; do
		sleep 1
		i=$((i + 1))
	done
fi
grep MemFree: /proc/meminfo
n=0
for s in /proc/[0-9]*/stat; do
	read -r p c st pp rest < "$s" 2>/dev/null || continue
	[ "$p" = 2 ] || [ "$pp" = 2 ] || n=$((n + 1))
done
echo "processes $n"
"""
# Stops the server a second later, once this answer is out.
CGI_STOP = b"""#!/bin/sh
echo "Content-Type: text/plain"
echo
(sleep 1; kill $(cat /tmp/httpd.pid)) </dev/null >/dev/null 2>&1 &
echo stopping
"""
# The guest's program: the server in the background, its pid where stop.sh finds it.
# Sprout's TIME_WAIT is cut to half a second (2 x 250 ms) so that state.sh can wait for it.
HTTPD_SCRIPT = ("if [ -e /proc/sys/net/sprout_tcp_msl_ms ]; then "
                "echo 250 > /proc/sys/net/sprout_tcp_msl_ms; fi; "
                "/bin/busybox httpd -f -p %d -h /www & echo $! > /tmp/httpd.pid; "
                "echo \"httpd: started, pid $!\"; wait; echo 'httpd: stopped'" % GUEST_HTTP_PORT)
PID_LINE = re.compile(rb"^pid (\d+) ppid (\d+)\n$")


def www_tree(base):
    """Write the server's files under @base/www; returns that directory."""
    www = os.path.join(base, "www")
    os.makedirs(os.path.join(www, "cgi-bin"), exist_ok=True)
    for rel, data, mode in (("index.html", INDEX_HTML, 0o644), ("cgi-bin/pid.sh", CGI_PID, 0o755),
                            ("cgi-bin/state.sh", CGI_STATE, 0o755),
                            ("cgi-bin/stop.sh", CGI_STOP, 0o755)):
        path = os.path.join(www, rel)
        with open(path, "wb") as f:
            f.write(data)
        os.chmod(path, mode)
    return www


def _state(port, timeout):
    status, body = http_get(port, "/cgi-bin/state.sh", timeout)
    m = re.search(rb"MemFree:\s+(\d+) kB\nprocesses (\d+)\n", body)
    if status != 200 or not m:
        raise RuntimeError("state.sh answered %d: %r" % (status, body[:200]))
    return int(m.group(1)), int(m.group(2))


def http_forward_check(guest, port, requests=500, workers=4, mem_slack_kib=0, time_limit=80,
                       log=None):
    """Drive the fork-per-request check against @guest, whose busybox httpd (HTTPD_SCRIPT
    over www_tree()) is reachable at 127.0.0.1:@port: wait for it (bounded), take the free
    memory and process count (state.sh), make @requests GETs from @workers threads (every
    fifth the page, the others cgi-bin/pid.sh), check each answer and that no CGI pid or
    parent pid repeats, then wait (10 s at most) for the free memory to come back to no
    less than @mem_slack_kib below the start and the process count to come back exactly,
    and stop the server.
    Returns (problems: list of str, summary str). The guest is left to power off."""
    t0 = time.time()
    problems = []
    say = log or (lambda s: None)
    body, why = wait_http(guest, port, "/index.html", min(60, time_limit))
    if body is None:
        return [why], ""
    if body != INDEX_HTML:
        problems.append("/index.html differs: %r" % body[:200])
    say("server answered after %.1f s" % (time.time() - t0))
    left = lambda: max(1.0, time_limit - (time.time() - t0))
    try:
        # Warm up the caches a first connection and CGI fill, then the baseline.
        for _ in range(5):
            http_get(port, "/cgi-bin/pid.sh", 20)
        mem0, procs0 = _state(port, 20)
    except (OSError, http.client.HTTPException, RuntimeError) as e:
        return problems + ["before the requests: %s" % e], ""

    def one(i):
        path = "/index.html" if i % 5 == 0 else "/cgi-bin/pid.sh"
        try:
            status, body = http_get(port, path, min(20, left()))
        except (OSError, http.client.HTTPException) as e:
            return i, path, None, "%s: %s" % (type(e).__name__, e)
        return i, path, status, body

    pids, ppids, bad = {}, {}, []
    t1 = time.time()
    with concurrent.futures.ThreadPoolExecutor(workers) as pool:
        for i, path, status, body in pool.map(one, range(requests)):
            if status is None:
                bad.append("request %d (%s): %s" % (i, path, body))
            elif status != 200:
                bad.append("request %d (%s): status %d" % (i, path, status))
            elif path == "/index.html":
                if body != INDEX_HTML:
                    bad.append("request %d: /index.html differs: %r" % (i, body[:100]))
            else:
                m = PID_LINE.match(body)
                if not m:
                    bad.append("request %d: pid.sh answered %r" % (i, body[:100]))
                    continue
                pid, ppid = int(m.group(1)), int(m.group(2))
                if pid in pids:
                    bad.append("requests %d and %d were both served by pid %d"
                               % (pids[pid], i, pid))
                if ppid in ppids:
                    bad.append("requests %d and %d both had parent pid %d"
                               % (ppids[ppid], i, ppid))
                pids.setdefault(pid, i)
                ppids.setdefault(ppid, i)
    secs = time.time() - t1
    if bad:
        problems.append("%d of %d requests wrong; first: %s" % (len(bad), requests, bad[0]))
    say("%d requests in %.1f s (%.0f/s), %d CGI processes" % (requests, secs, requests / secs,
                                                              len(pids)))
    mem1 = procs1 = None
    try:
        end = time.time() + min(10, left())
        while True:
            mem1, procs1 = _state(port, 20)
            if mem0 - mem1 <= mem_slack_kib and procs1 == procs0 or time.time() > end:
                break
            time.sleep(0.5)
    except (OSError, http.client.HTTPException, RuntimeError) as e:
        problems.append("after the requests: %s" % e)
    summary = ""
    if mem1 is not None:
        summary = ("MemFree %d kB before, %d kB after (%+d pages); %d processes before, %d after"
                   % (mem0, mem1, (mem1 - mem0) // 4, procs0, procs1))
        say(summary)
        # Less free memory than at the start is a leak; more (a page the kernel held at
        # the baseline and has let go since) is not.
        if mem0 - mem1 > mem_slack_kib:
            problems.append("free memory not back: %s" % summary)
        elif procs1 != procs0:
            problems.append("processes left over: %s" % summary)
    try:
        status, body = http_get(port, "/cgi-bin/stop.sh", 20)
        if status != 200 or body != b"stopping\n":
            problems.append("stop.sh answered %d: %r" % (status, body[:100]))
    except (OSError, http.client.HTTPException) as e:
        problems.append("stop.sh: %s" % e)
    return problems, summary


# ---------------------------------------------------------------------------
# The load generator of the HTTP benchmark rows.

def http_load(port, count, workers, timeout):
    """@count GET / requests over fresh connections from @workers threads; returns (seconds,
    list of problems). Each answer must be forkserver's 200 page."""
    bad = []

    def one(_):
        try:
            r = raw_request(port, timeout)
        except OSError as e:
            return "%s: %s" % (type(e).__name__, e)
        if not r.startswith(b"HTTP/1.0 200") or b"Hello from pid" not in r:
            return "answer %r" % r[:80]
        return None
    t = time.time()
    with concurrent.futures.ThreadPoolExecutor(workers) as pool:
        for p in pool.map(one, range(count)):
            if p:
                bad.append(p)
    return time.time() - t, bad


def http_latency(port, count, timeout):
    """@count requests one after the other; returns (list of seconds each, problems)."""
    times, bad = [], []
    for _ in range(count):
        t = time.time()
        try:
            r = raw_request(port, timeout)
        except OSError as e:
            bad.append("%s: %s" % (type(e).__name__, e))
            continue
        times.append(time.time() - t)
        if not r.startswith(b"HTTP/1.0 200"):
            bad.append("answer %r" % r[:80])
    return times, bad


# ---------------------------------------------------------------------------
# Command line: the check against either kernel.

def _linux_guest(sprout, port, www, mem):
    bench = _load_tool("bench")
    kernel = bench.find_linux_kernel()
    mod_dir = os.path.join(os.path.dirname(kernel), "net-modules")
    files = sprout.added_files(["%s:/www" % www])
    image = linux_image(sprout, files, [BUSYBOX, "sh", "-c", HTTPD_SCRIPT], mod_dir)
    run_dir = tempfile.mkdtemp(prefix="netrun-", dir=os.path.join(ROOT, "build"))
    initrd = os.path.join(run_dir, "linux.cpio")
    with open(initrd, "wb") as f:
        f.write(image)
    cmd = sprout.qemu_command(initrd, os.path.join(run_dir, "ttyS1.log"), accel="tcg", mem=mem,
                              cmdline=bench.LINUX_APPEND, net=[(port, GUEST_HTTP_PORT)])
    cmd[cmd.index("-kernel") + 1] = kernel
    return Guest(cmd), run_dir


def _load_tool(name):
    path = os.path.join(ROOT, "tools", name + ".py")
    spec = importlib.util.spec_from_file_location(name, path)
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


# The free memory after the requests must be back within this many kB of the baseline: on
# Sprout exactly (its free-page count is exact, mm/kmalloc.c); Linux keeps caches and per-CPU
# page lists whose size wanders, so there the check only shows that nothing grows per request.
MEM_SLACK_KIB = {"sprout": 0, "linux": 4096}


def run_check(kernel="sprout", requests=500, timeout=90, log=None):
    """Boot @kernel with busybox httpd serving www_tree() on the guest's port 80, forwarded
    from a free host port, and run http_forward_check() against it; the whole boot is
    bounded by @timeout seconds. Returns (problems, summary, guest): no problems means the
    check passed; guest.console and guest.stderr are there for a report."""
    sprout = load_sprout()
    port = free_port()
    t0 = time.time()
    run_dir = None
    with tempfile.TemporaryDirectory(prefix="netrun-") as tmp:
        www = www_tree(tmp)
        if kernel == "linux":
            guest, run_dir = _linux_guest(sprout, port, www, sprout.DEFAULT_MEM)
        else:
            guest = Guest([sys.executable, os.path.join(ROOT, "sprout"), "run", "--no-build",
                           "--timeout", str(timeout), "--forward",
                           "%d:%d" % (port, GUEST_HTTP_PORT), "--add", www + ":/www",
                           BUSYBOX, "sh", "-c", HTTPD_SCRIPT])
        try:
            problems, summary = http_forward_check(guest, port, requests,
                                                   mem_slack_kib=MEM_SLACK_KIB[kernel],
                                                   time_limit=timeout - 10, log=log)
            rc, timed_out = guest.finish(max(1, timeout + 10 - (time.time() - t0)))
        finally:
            guest.stop()
            if run_dir:
                shutil.rmtree(run_dir, ignore_errors=True)
    if timed_out or rc != 0:
        problems.append("the guest did not end cleanly (exit %s%s)"
                        % (rc, ", timed out" if timed_out else ""))
    elif "httpd: stopped" not in guest.console:
        problems.append("the console lacks 'httpd: stopped'")
    return problems, summary, guest


def main(argv=None):
    import argparse
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("what", choices=("check",))
    p.add_argument("--kernel", choices=("sprout", "linux"), default="sprout")
    p.add_argument("--requests", type=int, default=500)
    p.add_argument("--timeout", type=int, default=90, help="seconds for the whole boot")
    opts = p.parse_args(argv)
    t0 = time.time()
    problems, _, guest = run_check(opts.kernel, opts.requests, opts.timeout,
                                   log=lambda s: print("netrun: " + s, flush=True))
    print("netrun: %s, %.0f s: %s" % (opts.kernel, time.time() - t0,
                                      "FAIL" if problems else "PASS"))
    for pr in problems:
        print("netrun: FAIL: " + pr)
    if problems:
        print("--- console\n" + guest.console[-3000:] + "\n--- stderr\n" + guest.stderr[-2000:])
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
