#!/usr/bin/env python3
"""Sprout's test driver, run by `make test`.

Six groups, one output line per check ("PASS name", "FAIL name: reason" or
"SKIP name: reason"):
  unit   host unit tests (cmocka) through `make -s unit`
  driver this file's counting rules, applied to a made-up two-configuration run
  docs   every function and path that README.md, docs/*.md and kernel/locking.md
         name exists (tools/docs_check.py); docs/syscalls.md is what
         tools/gensyscalldoc.py generates from kernel/syscalls.tbl
  run    `./sprout run` end to end: output, exit status, a signal's status,
         fork + self-exec + wait compared byte for byte with native Linux, the
         --trace timeline (tools/trace_check.py), a scripted GDB session (tools/gdb/),
         a virtio disk (--disk) written by the guest and read back on the host, many
         disk requests in flight, a failing disk write, a virtio network card (--net)
         answering ARP, busybox httpd reached from the host through --forward (500
         requests, a new CGI process each), dynamically linked host programs and --add,
         a bash script on the Debian image (built, and its packages downloaded, the first
         time) compared with the host's bash
  guest  the in-guest TAP suite, /tests/guest/run-all (with a scratch virtio disk),
         in one boot on GUEST_SMP CPUs,
         then again on one CPU, where scheduling is deterministic. A case is one
         check whatever the number of configurations it ran in: it fails if it
         failed in either, and its line says where.
  session  the login shell typed at through a pseudo-terminal (tools/session.py): busybox
         sh on the default image, Debian's bash on the Debian image
The last line is "N passed, N failed, N skipped" (a skip is never counted as a
pass); the exit status is 1 if anything failed.
"""

import difflib
import io
import json
import importlib.machinery
import importlib.util
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile

ROOT = os.path.dirname(os.path.dirname(os.path.realpath(__file__)))
SPROUT = os.path.join(ROOT, "sprout")

UNIT_TIMEOUT = 300          # seconds for building and running the unit tests
GUEST_TIMEOUT = 420         # seconds for the whole in-guest suite
GUEST_SMP = 2               # CPUs for the main in-guest pass
RUN_TIMEOUT = 60            # seconds for each ./sprout run boot
RUN_TIMEOUT_AFTER_HANG = 20  # once one boot has hung, the rest likely will too
DETAIL_LINES = 15
HTTP_FORWARD_TIMEOUT = 90  # seconds for the boot of run/http-forward (500 requests, TCG)
DEBIAN_BUILD_TIMEOUT = 300  # seconds for make debian-image (the first time it downloads ~25 MB)

# Run by Debian's bash on Sprout and by the host's bash; the outputs must be equal.
DEBIAN_SCRIPT = r"""
T=$(mktemp -d) && cd "$T" && mkdir -p d && printf 'x\n' > a && printf 'hello\n' > d/b && chmod 640 a
trap 'cd / && rm -rf "$T"; echo trapped' EXIT
echo "$BASH_VERSION"
seq 3 | sort -r
ls | cat; ls d | cat
find . | sort
stat -c '%n %s %a %F' a d/b
cat a d/b | sha256sum
echo abc | sed s/b/X/ | awk '{print toupper($0)}'
grep -r hello .
date -d @0 -u
diff a d/b; echo "diff: $?"
(exit 3); echo "subshell: $?"
for i in 1 2 3; do printf '%s ' $((i * i)); done; echo
f() { local x=$1; echo "f:$x"; }; f 7
"""


def _load_tool(name):
    """Import tools/NAME.py as a module."""
    spec = importlib.util.spec_from_file_location(name, os.path.join(ROOT, "tools", name + ".py"))
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


def load_sprout():
    """Import the ./sprout script (it has no .py suffix) as a module."""
    sys.dont_write_bytecode = True     # no __pycache__ beside the script
    loader = importlib.machinery.SourceFileLoader("sprout", SPROUT)
    spec = importlib.util.spec_from_loader("sprout", loader)
    mod = importlib.util.module_from_spec(spec)
    loader.exec_module(mod)
    return mod


class Tally:
    """Prints each check as it is decided and keeps the totals."""

    def __init__(self, out=sys.stdout):
        self.out = out
        self.passed = self.failed = self.skipped = 0

    def ok(self, name, note=""):
        self.passed += 1
        self._line("PASS %s%s" % (name, " (%s)" % note if note else ""))

    def skip(self, name, why):
        """A check that did not run: neither a pass nor a failure."""
        self.skipped += 1
        self._line("SKIP %s: %s" % (name, why or "no reason given"))

    def fail(self, name, reason, detail=""):
        self.failed += 1
        self._line("FAIL %s: %s" % (name, reason))
        lines = detail.rstrip("\n").splitlines()[-DETAIL_LINES:] if detail else []
        for line in lines:
            self._line("    " + line)

    def _line(self, s):
        print(s, file=self.out, flush=True)

    def totals(self):
        self._line("%d passed, %d failed, %d skipped" % (self.passed, self.failed, self.skipped))


# ---------------------------------------------------------------------------
# Unit tests: cmocka prints, per test binary,
#   [==========] Running N test(s).   [       OK ] name   [  FAILED  ] name
#   [  PASSED  ] N test(s).           [  FAILED  ] N test(s), listed below:

_CM_RUNNING = re.compile(r"^\[=+\] (?:.*: )?Running (\d+) test\(s\)\.")
_CM_OK = re.compile(r"^\[       OK \] (\S.*)$")
_CM_FAILED_SUMMARY = re.compile(r"^\[  FAILED  \] (\d+) test\(s\),")
_CM_FAILED = re.compile(r"^\[  FAILED  \] (\S.*)$")
_CM_PASSED_SUMMARY = re.compile(r"^\[  PASSED  \] (\d+) test\(s\)\.")


def parse_cmocka(text):
    """Split cmocka output into binaries.

    Returns a list of dicts: planned (tests announced), passed (names),
    failed (names, each once), summary (True once the PASSED/FAILED summary
    was seen).
    """
    blocks = []
    cur = None
    for line in text.splitlines():
        line = line.rstrip("\r")
        m = _CM_RUNNING.match(line)
        if m:
            cur = {"planned": int(m.group(1)), "passed": [], "failed": [], "summary": False}
            blocks.append(cur)
            continue
        if cur is None:
            continue
        if _CM_PASSED_SUMMARY.match(line) or _CM_FAILED_SUMMARY.match(line):
            cur["summary"] = True
            continue
        m = _CM_OK.match(line)
        if m:
            cur["passed"].append(m.group(1).strip())
            continue
        m = _CM_FAILED.match(line)
        if m and m.group(1).strip() not in cur["failed"]:
            cur["failed"].append(m.group(1).strip())
    return blocks


def judge_unit(tally, text, rc):
    """Turn `make -s unit` output and exit code into checks."""
    blocks = parse_cmocka(text)
    failures = 0
    for i, b in enumerate(blocks):
        for name in b["passed"]:
            tally.ok("unit/" + name)
        for name in b["failed"]:
            tally.fail("unit/" + name, "failed", _cmocka_detail(text, name))
            failures += 1
        seen = len(b["passed"]) + len(b["failed"])
        if seen < b["planned"] or not b["summary"]:
            first = (b["passed"] + b["failed"] + ["?"])[0]
            tally.fail("unit/binary-%d" % (i + 1),
                       "ran %d of %d tests (first: %s); did it crash?"
                       % (seen, b["planned"], first))
            failures += 1
    if not blocks:
        tally.fail("unit", "make unit printed no cmocka results (exit %d)" % rc, text)
    elif rc != 0 and failures == 0:
        tally.fail("unit", "make unit exited %d with no failing test reported" % rc, text)


def _cmocka_detail(text, name):
    """The error lines cmocka printed just before "[  FAILED  ] name"."""
    lines = text.splitlines()
    for i, line in enumerate(lines):
        if line.rstrip("\r") == "[  FAILED  ] " + name:
            start = i
            while start > 0 and not lines[start - 1].startswith("[ RUN      ]"):
                start -= 1
            return "\n".join(lines[start:i])
    return ""


def run_unit(tally):
    if not os.path.isfile(os.path.join(ROOT, "tests/unit/unit.mk")):
        tally.fail("unit", "tests/unit/unit.mk is missing, so there is no `make unit`")
        return
    try:
        r = subprocess.run(["make", "-s", "unit"], cwd=ROOT, stdin=subprocess.DEVNULL,
                           stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                           timeout=UNIT_TIMEOUT)
    except subprocess.TimeoutExpired as e:
        out = (e.stdout or b"").decode(errors="replace")
        tally.fail("unit", "make unit took more than %d s" % UNIT_TIMEOUT, out)
        return
    judge_unit(tally, r.stdout.decode(errors="replace"), r.returncode)


# ---------------------------------------------------------------------------
# The in-guest suite: run-all passes each program's TAP through, after a
# "# program: NAME" line, ends with "# run-all: N programs, N failed" and exits
# 0 only if every program did.

_TAP_PLAN = re.compile(r"^1\.\.(\d+)")
_TAP_RESULT = re.compile(r"^(not )?ok\b\s*(\d*)\s*(?:-\s*)?([^#]*?)\s*(?:#\s*(.*))?$")
_TAP_PROGRAM = re.compile(r"^#\s*program:\s*(\S+)")
_TAP_DIAG = re.compile(r"^#\s?(.*)$")
_RUN_ALL_END = re.compile(r"^# run-all: (\d+) programs, (\d+) failed", re.M)
DIAG_KEEP = 8       # diagnostic lines kept per case


def parse_tap(text):
    """Parse run-all's output.

    Returns (results, programs): results is a list of (program, number, name,
    ok, directive, diag) with directive "" or "SKIP ..." / "TODO ..." and diag
    the "# ..." lines printed since the previous result (the case's own
    diagnostics); programs maps a program name to {"plan": N or None,
    "count": results seen, "bail": text}, in the order they were announced.
    """
    results = []
    programs = {}
    prog = "run-all"
    diag = []
    for line in text.splitlines():
        line = line.rstrip("\r")
        m = _TAP_PROGRAM.match(line)
        if m:
            prog = m.group(1)
            programs.setdefault(prog, {"plan": None, "count": 0, "bail": None})
            diag = []
            continue
        info = programs.setdefault(prog, {"plan": None, "count": 0, "bail": None})
        m = _TAP_PLAN.match(line)
        if m:
            info["plan"] = int(m.group(1))
            continue
        if line.startswith("Bail out!"):
            info["bail"] = line[len("Bail out!"):].strip() or "no reason given"
            continue
        m = _TAP_RESULT.match(line)
        if m:
            info["count"] += 1
            number = int(m.group(2)) if m.group(2) else info["count"]
            directive = (m.group(4) or "").strip()
            if not re.match(r"(?i)(skip|todo)", directive):
                directive = ""
            results.append((prog, number, m.group(3).strip(), m.group(1) is None, directive,
                            diag[-DIAG_KEEP:]))
            diag = []
            continue
        m = _TAP_DIAG.match(line)
        if m and not line.startswith("# run-all:"):
            diag.append(m.group(1))
    return results, programs


def skip_reason(directive, diag):
    """The reason of a SKIP directive; "see diagnostics" points at the case's last one."""
    why = directive[4:].strip()
    if (not why or why == "see diagnostics") and diag:
        why = diag[-1]
        why = why[5:].strip() if why.upper().startswith("SKIP") else why
    return why or "no reason given"


def judge_guest(res):
    """Verdicts from one boot of /tests/guest/run-all (a sprout.BootResult).

    Returns a list of (check name, verdict, reason, detail), verdict "pass",
    "fail" or "skip"; the names do not depend on the configuration, so that
    verdicts of several boots can be merged (merge_guest)."""
    text = (res.stdout or b"").decode(errors="replace")
    results, programs = parse_tap(text)
    verdicts = []
    explained = False
    for prog, num, name, ok, directive, diag in results:
        label = "guest/%s %d%s" % (prog, num, " - " + name if name else "")
        kind = directive[:4].upper()
        detail = "\n".join(diag)
        if kind == "SKIP":
            verdicts.append((label, "skip", skip_reason(directive, diag), ""))
        elif kind == "TODO" and ok:
            verdicts.append((label, "pass", "TODO case passes", ""))
        elif kind == "TODO":
            verdicts.append((label, "fail", "not ok (a TODO case that fails)", detail))
            explained = True
        elif ok:
            verdicts.append((label, "pass", "", ""))
        else:
            verdicts.append((label, "fail", "not ok", detail))
            explained = True
    for prog, info in programs.items():
        if info["bail"]:
            verdicts.append(("guest/" + prog, "fail", "bailed out: " + info["bail"], ""))
            explained = True
        elif info["plan"] is not None and info["plan"] != info["count"]:
            verdicts.append(("guest/" + prog, "fail", "planned %d tests, reported %d"
                             % (info["plan"], info["count"]), ""))
            explained = True

    if res.reason == "panic":
        verdicts.append(("guest/boot", "fail", "kernel panic", res.log_tail()))
    elif res.reason == "timeout":
        verdicts.append(("guest/boot", "fail", "no power-off within %d s" % GUEST_TIMEOUT,
                         res.log_tail()))
    elif res.reason != "poweroff":
        verdicts.append(("guest/boot", "fail", "QEMU exited (code %s) without powering off"
                         % res.qemu_rc, res.log_tail()))
    elif res.status != 0 and not explained:
        verdicts.append(("guest/run-all", "fail", "exit status %d with no failing test reported"
                         % res.status, text))
    elif not results:
        verdicts.append(("guest/run-all", "fail", "printed no TAP results (exit status %d)"
                         % res.status, text))
    return verdicts


_CASE_NAME = re.compile(r"^guest/\S+ \d+")


def _configs(names):
    return " and ".join(names)


def merge_guest(tally, runs):
    """Report each guest check once, from the verdicts of every configuration.

    runs is a list of (configuration, verdicts). A check fails if it failed in
    any configuration, passes if it passed in one and failed in none, and is
    skipped only if it was skipped wherever it ran."""
    order = []
    seen = {}
    for config, verdicts in runs:
        for name, verdict, reason, detail in verdicts:
            if name not in seen:
                seen[name] = []
                order.append(name)
            seen[name].append((config, verdict, reason, detail))
    all_configs = [config for config, _ in runs]
    for name in order:
        got = seen[name]
        by = {v: [c for c, vv, _, _ in got if vv == v] for v in ("pass", "fail", "skip")}
        ran = [c for c, _, _, _ in got]
        missing = [c for c in all_configs if c not in ran]
        notes = []
        # A case missing from a configuration did not run there; a check of the boot or of a
        # whole program is only reported when it fails.
        if missing and _CASE_NAME.match(name):
            notes.append("not reported on %s" % _configs(missing))
        if by["fail"]:
            reasons = []
            for config, verdict, reason, _ in got:
                if verdict == "fail":
                    reasons.append("%s on %s" % (reason, config))
            if by["pass"]:
                reasons.append("passed on %s" % _configs(by["pass"]))
            if by["skip"]:
                reasons.append("skipped on %s" % _configs(by["skip"]))
            detail = ""
            for config, verdict, _, d in got:
                if verdict == "fail" and d:
                    detail += "[%s]\n%s\n" % (config, d.rstrip("\n"))
            tally.fail(name, "; ".join(reasons + notes), detail)
        elif by["pass"]:
            for config, verdict, reason, _ in got:
                if verdict == "pass" and reason and reason not in notes:
                    notes.insert(0, reason)
            for config, verdict, reason, _ in got:
                if verdict == "skip":
                    notes.append("skipped on %s: %s" % (config, reason))
            tally.ok(name, "; ".join(notes))
        else:
            reasons = sorted(set(reason for _, _, reason, _ in got))
            tally.skip(name, "; ".join(reasons + notes))


class _FakeBoot:
    """A BootResult stand-in for check_counting()."""

    def __init__(self, out, status):
        self.stdout, self.status = out.encode(), status
        self.reason, self.qemu_rc = "poweroff", 0

    def log_tail(self):
        return ""


def check_counting(tally):
    """driver/counting: the rules of this file on a made-up suite run in two configurations,
    so that a change that counts a skip as a pass, or a case twice, fails here at once."""
    two = ("# program: p\n1..5\nok 1 - a\nnot ok 2 - b\nok 3 - c # SKIP see diagnostics\n"
           "not ok 4 - d # TODO later\nok 5 - e # SKIP why\n")
    one = ("# program: p\n1..5\nok 1 - a\nok 2 - b\nok 3 - c\nok 4 - d # TODO later\n"
           "ok 5 - e # SKIP why\n# program: q\n1..1\nok 1 - f\n")
    out = io.StringIO()
    t = Tally(out)
    merge_guest(t, [("2 CPUs", judge_guest(_FakeBoot(two, 1))),
                    ("1 CPU", judge_guest(_FakeBoot(one, 0)))])
    t.totals()
    lines = out.getvalue().splitlines()
    # a and c (skipped on one, passed on the other) and f (one configuration) pass once;
    # b (failed on 2 CPUs) and d (a failing TODO) fail once; e skipped everywhere.
    want = "3 passed, 2 failed, 1 skipped"
    if lines[-1] != want or not any(l.startswith("FAIL guest/p 2 - b: not ok on 2 CPUs")
                                    for l in lines):
        tally.fail("driver/counting", "made-up run counted as %r, expected %r"
                   % (lines[-1], want), out.getvalue())
    else:
        tally.ok("driver/counting")


def guest_programs():
    """The programs run-all runs (its programs[] list), and the test programs in
    tests/guest (sources that declare a TAP plan), from the source tree."""
    with open(os.path.join(ROOT, "tests/guest/run-all.c")) as f:
        src = f.read()
    m = re.search(r"programs\[\]\s*=\s*\{(.*?)\};", src, re.S)
    listed = re.findall(r'"([^"]+)"', m.group(1)) if m else []
    tests = []
    gdir = os.path.join(ROOT, "tests/guest")
    for fn in sorted(os.listdir(gdir)):
        if fn.endswith(".c") and fn != "run-all.c":
            with open(os.path.join(gdir, fn), errors="replace") as f:
                if "tap_plan(" in f.read():
                    tests.append(fn[:-2])
    return listed, tests


def check_guest_path(tally, res):
    """run/guest-path: `/tests/guest/run-all`, a path inside the boot image, is the
    suite built from this tree and ran every program of it to the end."""
    name = "run/guest-path"
    text = (res.stdout or b"").decode(errors="replace")
    _, programs = parse_tap(text)
    listed, tests = guest_programs()
    problems = []
    if not listed:
        problems.append("no programs[] list found in tests/guest/run-all.c")
    unlisted = [t for t in tests if t not in listed]
    if unlisted:
        problems.append("test programs missing from run-all.c's programs[]: %s"
                        % " ".join(unlisted))
    announced = [p for p in programs if p != "run-all"]
    if announced != listed:
        problems.append("ran programs %s, expected %s" % (" ".join(announced) or "none",
                                                             " ".join(listed)))
    noplan = [p for p in announced if programs[p]["plan"] is None]
    if noplan:
        problems.append("no TAP plan from %s (did they start?)" % " ".join(noplan))
    m = _RUN_ALL_END.search(text)
    if not m:
        problems.append("no closing \"# run-all:\" line (run-all did not finish)")
    elif int(m.group(1)) != len(listed):
        problems.append("run-all says it ran %s programs, expected %d"
                        % (m.group(1), len(listed)))
    if problems:
        tally.fail(name, "; ".join(problems), "" if announced else text)
    else:
        tally.ok(name, "/tests/guest/run-all from the image ran its %d programs"
                 % len(listed))


GUEST_DISK_BYTES = 8 << 20  # a scratch virtio disk for tests/guest/blkdev.c


def run_guest(sprout, smp):
    """Boot once with run-all on @smp CPUs, with a fresh scratch disk as /dev/vda; returns
    (BootResult or None, verdicts)."""
    try:
        with tempfile.TemporaryDirectory(prefix="sprout-disk-") as tmp:
            disk = os.path.join(tmp, "vda.img")
            with open(disk, "wb") as f:
                f.truncate(GUEST_DISK_BYTES)
            res = sprout.boot(None, ["/tests/guest/run-all"], timeout=GUEST_TIMEOUT,
                              capture=True, smp=smp, disk=disk)
    except sprout.SproutError as e:
        return None, [("guest/boot", "fail", str(e), "")]
    return res, judge_guest(res)


def cpus(n):
    return "%d CPU%s" % (n, "" if n == 1 else "s")


# ---------------------------------------------------------------------------
# ./sprout run, end to end through its command line.

def _default_signals():
    """In a child before exec: every signal's disposition back to the default and none
    blocked, as init starts a process on Sprout; what this process inherited (a signal its
    caller ignores) would otherwise show in /proc/PID/status on the Linux side only."""
    for sig in range(1, signal.NSIG):
        if sig in (signal.SIGKILL, signal.SIGSTOP):
            continue
        try:
            signal.signal(sig, signal.SIG_DFL)
        except (OSError, ValueError):
            pass
    signal.pthread_sigmask(signal.SIG_SETMASK, [])


def _diff(want, got):
    """A short unified diff of expected and actual output (bytes), as text."""
    w = want.decode(errors="replace").splitlines(keepends=True)
    g = got.decode(errors="replace").splitlines(keepends=True)
    lines = difflib.unified_diff(w, g, "expected", "got", n=1)
    out = []
    for line in lines:
        # Make CRs and a missing final newline visible.
        body = line[:-1] if line.endswith("\n") else line + "\\ (no newline at end)"
        out.append(body.replace("\r", "\\r") + "\n")
    return "".join(out)


class RunChecks:
    def __init__(self, tally, tmp):
        self.tally, self.tmp = tally, tmp
        self.timeout = RUN_TIMEOUT

    @staticmethod
    def kernel_log():
        """The kernel log of the last ./sprout run (build/kernel.log), or "" if it is missing."""
        try:
            with open(os.path.join(ROOT, "build", "kernel.log"), errors="replace") as f:
                return f.read()
        except OSError:
            return ""

    def sprout_run(self, prog, *args, qemu_extra=None, timeout=None):
        """Run `./sprout run PROG ARGS` (with SPROUT_QEMU_EXTRA=qemu_extra when given; the
        boot bounded by @timeout seconds, default self.timeout); returns (exit code, stdout
        bytes, stderr text)."""
        timeout = timeout or self.timeout
        cmd = [sys.executable, SPROUT, "run", "--no-build", "--timeout", str(timeout),
               prog] + list(args)
        env = None
        if qemu_extra is not None:
            env = dict(os.environ, SPROUT_QEMU_EXTRA=qemu_extra)
        p = subprocess.Popen(cmd, cwd=ROOT, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                             stderr=subprocess.PIPE, env=env)
        try:
            out, err = p.communicate(timeout=timeout + 60)
        except subprocess.TimeoutExpired:
            # SIGTERM lets ./sprout stop its QEMU on the way out.
            p.terminate()
            p.communicate()
            self.timeout = RUN_TIMEOUT_AFTER_HANG
            return None, b"", "./sprout did not return in time"
        if p.returncode == 124:
            self.timeout = RUN_TIMEOUT_AFTER_HANG
        return p.returncode, out, err.decode(errors="replace")

    def expect(self, name, prog, args, want_rc, want_out=None):
        rc, out, err = self.sprout_run(prog, *args)
        if rc != want_rc:
            why = {124: "timed out", 125: "kernel panic or no power-off", 2: "setup failed"}
            reason = "exit %s, expected %d" % (rc, want_rc)
            if rc in why:
                reason += " (%s)" % why[rc]
            self.tally.fail(name, reason, err)
        elif want_out is not None and out != want_out:
            reason = "stdout differs from the expected output"
            if out.replace(b"\r\n", b"\n") == want_out:
                reason = "stdout has CR LF line ends; expected bare LF"
            self.tally.fail(name, reason, _diff(want_out, out) + err)
        else:
            self.tally.ok(name)

    def compile(self, src):
        out = os.path.join(self.tmp, os.path.basename(src)[:-2])
        r = subprocess.run(["musl-gcc", "-static", "-O2", "-o", out, src], cwd=ROOT,
                           stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                           stderr=subprocess.STDOUT)
        if r.returncode != 0:
            raise RuntimeError(r.stdout.decode(errors="replace"))
        return out

    def run(self):
        t = self.tally
        self.expect("run/hello", "tests/run/hello.c", [], 0, b"hello, world\n")
        try:
            status = self.compile("tests/run/status.c")
            selfexec = self.compile("tests/run/selfexec.c")
        except (OSError, RuntimeError) as e:
            t.fail("run/compile", "musl-gcc failed", str(e))
            return
        self.expect("run/exit-status-42", status, ["42"], 42)
        self.expect("run/null-deref-139", status, ["segv"], 139)
        # Producer/consumer by direct messages (Sprout only): the expected output.
        self.expect("run/msgdemo", "/bin/msgdemo", [], 0,
                    b"consumer: 300 items in order, sum 45150\n"
                    b"client: 12 squared is 144\nclient: 99 squared is 9801\n")

        try:
            native = subprocess.run([selfexec], stdin=subprocess.DEVNULL,
                                    stdout=subprocess.PIPE, timeout=30)
        except subprocess.TimeoutExpired:
            t.fail("run/selfexec", "the native run on this Linux hung")
            return
        if native.returncode != 0:
            t.fail("run/selfexec", "the native run on this Linux exited %d" % native.returncode,
                   native.stdout.decode(errors="replace"))
            return
        self.expect("run/selfexec", selfexec, [], native.returncode, native.stdout)
        self.lock_order_selftest()
        self.oom_kill()
        self.enosys_logged_once()
        self.trace_timeline()
        self.gdb_session()
        self.swap()
        self.swap_working_set()
        self.blkdev_disk()
        self.blkdev_queue()
        self.blkdev_write_error()
        self.netcheck()
        self.http_forward()
        self.dynamic_host_programs()
        self.debian_image()
        self.debian_difftest()
        self.debian_no_enosys()
        self.debian_strace()
        self.debian_gdb()
        self.ps_top_busy_loops()

    def enosys_logged_once(self):
        """An unimplemented syscall called 500 times under each of two program names is
        logged once per (call, program), with the pid and the name."""
        name = "run/enosys-logged-once"
        rc, out, err = self.sprout_run("tests/run/enosys.c")
        log = self.kernel_log()
        m = re.search(rb"pid (\d+) bad 0", out)
        lines = [l for l in log.splitlines() if "unimplemented syscall ? (99999)" in l]
        want = ["by pid %s (enosys-one)" % (m.group(1).decode() if m else "?"),
                "by pid %s (enosys-two)" % (m.group(1).decode() if m else "?")]
        if rc != 0 or not m or len(lines) != 2 or not all(
                any(w in l for l in lines) for w in want):
            self.tally.fail(name, "exit %s, %d log lines, expected one per program" %
                            (rc, len(lines)), "\n".join(lines[:10]))
        else:
            self.tally.ok(name)

    def ps_top_busy_loops(self):
        """busybox top and ps on one CPU while two shell loops spin (tests/run/psload.sh):
        top's second frame, over 2 s, gives each loop 40-60 %CPU, ps shows both running (R),
        and with two more loops /proc/loadavg's 1-minute average passes 1.5 within 50 s."""
        name = "run/ps-top-busy-loops"
        with open(os.path.join(ROOT, "tests/run/psload.sh")) as f:
            script = f.read()
        # About a minute of guest time: the load average needs ~30 s to pass 1.5.
        rc, out, err = self.sprout_run("--smp", "1", "--guest", "/bin/sh", "-c", script,
                                       timeout=180)
        text = out.decode(errors="replace")
        problems = []
        m = re.search(r"^loops (\d+) (\d+)$", text, re.M)
        loops = m.groups() if m else ()
        frames = re.split(r"^\s*PID\s+PPID\s+USER.*$", text, flags=re.M)
        if rc != 0 or not loops or len(frames) < 3:
            problems.append("exit %s, loops %s, %d top frames" % (rc, loops, len(frames) - 1))
        else:
            last = frames[2].split("\n\n")[0]
            for pid in loops:
                row = re.search(r"^\s*%s\s+\d+\s+\S+\s+\S+\s+\d+\s+\S+\s+(\d+)%%" % pid,
                                last, re.M)
                cpu = int(row.group(1)) if row else None
                if cpu is None or not 40 <= cpu <= 60:
                    problems.append("loop %s at %s %%CPU in top" % (pid, cpu))
                if not re.search(r"^\s*%s\s+\d+\s+0\s+\d+\s+\d+\s+R" % pid, frames[-1], re.M):
                    problems.append("ps does not show loop %s running at nice 0" % pid)
            loads = [float(v) for v in re.findall(r"^loadavg \d+ ([\d.]+)$", text, re.M)]
            if not loads or loads[-1] <= 1.5:
                problems.append("load average reached only %s" % (loads[-1] if loads else None))
        if problems:
            self.tally.fail(name, "; ".join(problems), text[-3000:] + err)
        else:
            self.tally.ok(name)

    def oom_kill(self):
        """A page fault that finds no memory kills a process with SIGKILL, never SIGSEGV, and
        the kernel log names it in Linux's format: tests/run/oom.c on a small machine, so memory
        runs out fast; it also checks the choice of the victim (the largest process, never one
        at oom_score_adj -1000), so three kills are logged."""
        name = "run/oom-sigkill"
        try:
            prog = self.compile("tests/run/oom.c")
        except (OSError, RuntimeError) as e:
            self.tally.fail(name, "musl-gcc failed", str(e))
            return
        rc, out, err = self.sprout_run("--mem", "64M", prog)
        log = self.kernel_log()
        named = len(re.findall(r"Out of memory: Killed process \d+ \(oom\) total-vm:\d+kB, "
                               r"anon-rss:\d+kB, file-rss:\d+kB, shmem-rss:\d+kB, UID:\d+ "
                               r"pgtables:\d+kB oom_score_adj:-?\d+\n", log)) == 3
        if rc != 0 or not named:
            self.tally.fail(name, "exit %s, kernel log %s the killed process"
                            % (rc, "names" if named else "does not name"),
                            out.decode(errors="replace") + err + log[-2000:])
        else:
            self.tally.ok(name)

    def trace_timeline(self):
        """`./sprout run --trace` of tests/run/tracecheck.c (fork, exec, exit, wait, an orphan,
        signals, COW writes) on 2 CPUs: the JSON is valid trace-event JSON, and its events are
        in causal order, paired, and exactly what the program provoked (tools/trace_check.py)."""
        name = "run/trace-timeline"
        spec = importlib.util.spec_from_file_location(
            "trace_check", os.path.join(ROOT, "tools", "trace_check.py"))
        trace_check = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(trace_check)
        out_json = os.path.join(self.tmp, "trace.json")
        rc, out, err = self.sprout_run("--smp", "2", "--trace", out_json, "tests/run/tracecheck.c")
        if rc != 0:
            self.tally.fail(name, "exit %s, expected 0" % rc, out.decode(errors="replace") + err)
            return
        try:
            with open(out_json) as f:
                doc = json.load(f)
        except (OSError, ValueError) as e:
            self.tally.fail(name, "no valid JSON written: %s" % e, err)
            return
        problems = trace_check.check(doc, out.decode(errors="replace"))
        if problems:
            self.tally.fail(name, problems[0], "\n".join(problems))
        else:
            self.tally.ok(name)

    def gdb_session(self):
        """The scripted GDB session (tools/gdb/selftest.gdb, batch mode, bounded): boot halted
        with the gdbstub, stop in do_fork when /bin/lifecycle forks, and check that sprout-ps
        names init and the forking program, that the backtrace reaches the syscall entry and
        stops there (the user/kernel boundary), and that sprout-pte and sprout-trace (booted with
        tracing on) show what they should."""
        name = "run/gdb-sprout-ps"
        spec = importlib.util.spec_from_file_location(
            "launch", os.path.join(ROOT, "tools", "gdb", "launch.py"))
        launch = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(launch)
        rc, out = launch.run_batch(os.path.join(ROOT, "tools", "gdb", "selftest.gdb"),
                                   ["/bin/lifecycle"], timeout=self.timeout + 60,
                                   cmdline="trace")
        problems = gdb_session_problems(rc, out)
        if problems:
            self.tally.fail(name, problems[0], out)
        else:
            self.tally.ok(name)

    # The regions tests/guest/blkdev.c writes (offset, negative from the end; length) and the
    # byte it writes at disk offset p: kept in step with that program.
    BLKDEV_REGIONS = ((0, 4096), (4096 + 100, 1000), ((1 << 20) - 3, 10),
                      (3 * (1 << 20) + 511, 70000), (-512, 512))

    @staticmethod
    def _blkdev_pattern(p):
        return ((p * 131 + 7) ^ (p >> 9)) & 0xff

    def blkdev_disk(self):
        """A virtio-blk disk backed by a fresh 8 MiB file: the guest program's cases all pass
        (none may skip), and afterwards the host file holds the pattern it wrote, with the
        bytes beside its unaligned regions still zero."""
        name = "run/blkdev-disk"
        disk = os.path.join(self.tmp, "blkdev.img")
        with open(disk, "wb") as f:
            f.truncate(8 << 20)
        rc, out, err = self.sprout_run("--disk", disk, "/tests/guest/blkdev", "--require-disk")
        text = out.decode(errors="replace")
        if rc != 0 or "not ok" in text or "# SKIP" in text:
            self.tally.fail(name, "exit %s, or a case failed or skipped" % rc, text + err)
            return
        with open(disk, "rb") as f:
            data = f.read()
        size = len(data)
        for off, length in self.BLKDEV_REGIONS:
            start = size + off if off < 0 else off
            for p in range(start, start + length):
                if data[p] != self._blkdev_pattern(p):
                    self.tally.fail(name, "disk byte %d is 0x%02x, the guest wrote 0x%02x"
                                    % (p, data[p], self._blkdev_pattern(p)))
                    return
            for p in (start - 1, start + length):
                if 0 <= p < size and p % 512 and data[p] != 0:
                    self.tally.fail(name, "disk byte %d beside a written region changed" % p)
                    return
        self.tally.ok(name)

    # Waits (10 s at most) until vda has completed 201 reads (the self-check's), then a moment.
    BLKCHECK_WAIT = ("i=0; while [ $i -lt 100 ]; do set -- $(grep ' vda ' /proc/diskstats); "
                     "[ \"$4\" -ge 201 ] && break; sleep 0.1; i=$((i+1)); done; sleep 0.5")

    def blkdev_queue(self):
        """Many requests in flight: 'blkcheck' submits 200 one-sector reads at once (more than
        the virtqueue holds) and compares them with one long read of a disk of random bytes."""
        name = "run/blkdev-queue"
        disk = os.path.join(self.tmp, "random.img")
        with open(disk, "wb") as f:
            f.write(os.urandom(1 << 20))
        rc, out, err = self.sprout_run("--disk", disk, "--append", "blkcheck", "/bin/busybox",
                                       "sh", "-c", self.BLKCHECK_WAIT)
        log = self.kernel_log()
        if rc != 0 or not re.search(r"blkcheck: vda: 200 requests, \d+ in flight, "
                                    r"data matches", log):
            self.tally.fail(name, "exit %s, no matching blkcheck line" % rc, err + log[-2000:])
        else:
            self.tally.ok(name)

    # Writes fail, reads succeed: QEMU's blkdebug driver fails every write with EIO.
    BLKDEBUG_CONFIG = '[inject-error]\nevent = "none"\niotype = "write"\nerrno = "5"\n'
    BLKDEV_WRITE_ERROR = ("dd if=/dev/zero of=/dev/vda bs=4096 count=1 2>/dev/null; "
                          "echo write=$?; dd if=/dev/vda of=/dev/null bs=4096 count=1 "
                          "2>/dev/null; echo read=$?")

    def blkdev_write_error(self):
        """A disk whose writes fail (QEMU's blkdebug): the write reaches user space as EIO
        (dd fails) and the kernel log names the failed request; reads still work."""
        name = "run/blkdev-write-error"
        disk = os.path.join(self.tmp, "blkdebug.img")
        config = os.path.join(self.tmp, "blkdebug.cfg")
        with open(disk, "wb") as f:
            f.truncate(1 << 20)
        with open(config, "w") as f:
            f.write(self.BLKDEBUG_CONFIG)
        extra = ("-drive driver=raw,file.driver=blkdebug,file.config=%s,"
                 "file.image.filename=%s,if=none,id=vdx "
                 "-device virtio-blk-pci,disable-legacy=on,drive=vdx" % (config, disk))
        rc, out, err = self.sprout_run("/bin/busybox", "sh", "-c", self.BLKDEV_WRITE_ERROR,
                                       qemu_extra=extra)
        log = self.kernel_log()
        text = out.decode(errors="replace")
        logged = re.search(r"blk: vda: write of 8 sectors at 0 failed \(-5\)", log)
        if rc != 0 or text != "write=1\nread=0\n" or not logged:
            self.tally.fail(name, "exit %s, output %r, failure %s" %
                            (rc, text, "logged" if logged else "not logged"),
                            err + log[-2000:])
        else:
            self.tally.ok(name)

    # Waits (10 s at most) until eth0 has received a frame, then shows its /proc/net/dev line.
    NETCHECK_WAIT = ("i=0; while [ $i -lt 100 ]; do set -- $(grep eth0: /proc/net/dev); "
                     "[ \"$3\" -ge 1 ] && break; sleep 0.1; i=$((i+1)); done; sleep 0.5; "
                     "grep eth0: /proc/net/dev")

    def netcheck(self):
        """A virtio-net card on QEMU's user network: the boot-time self-check ('netcheck')
        sends an ARP request for the gateway 10.0.2.2 and logs its reply; /proc/net/dev
        counts the frame sent and the one received."""
        name = "run/virtio-net-arp"
        rc, out, err = self.sprout_run("--net", "--append", "netcheck", "/bin/busybox", "sh",
                                       "-c", self.NETCHECK_WAIT)
        log = self.kernel_log()
        fields = out.decode(errors="replace").split()
        counted = (len(fields) == 17 and fields[0] == "eth0:" and int(fields[2]) >= 1
                   and int(fields[10]) >= 1)
        if rc != 0 or not re.search(r"netcheck: eth0: 10\.0\.2\.2 is at "
                                    r"[0-9a-f]{2}(:[0-9a-f]{2}){5}", log):
            self.tally.fail(name, "exit %s, no ARP reply logged" % rc,
                            out.decode(errors="replace") + err + log[-2000:])
        elif not counted:
            self.tally.fail(name, "/proc/net/dev does not count the frames",
                            out.decode(errors="replace"))
        else:
            self.tally.ok(name)

    def http_forward(self):
        """The fork-per-request web server reached from the host: ./sprout run --forward to a
        free host port, busybox httpd with a page and CGI scripts, 500 requests from the host
        (tools/netrun.py), every answer right, every CGI in a new process, free pages and
        processes back to their start. Needs AF_INET; the same check passes on Linux
        (python3 tools/netrun.py check --kernel linux)."""
        name = "run/http-forward"
        netrun = _load_tool("netrun")
        try:
            problems, summary, guest = netrun.run_check("sprout", requests=500,
                                                        timeout=HTTP_FORWARD_TIMEOUT)
        except (OSError, RuntimeError) as e:
            self.tally.fail(name, "the check could not run: %s" % e)
            return
        if problems:
            self.tally.fail(name, problems[0], "\n".join(problems[1:]) + "\n--- console\n" +
                            guest.console[-2000:] + "\n--- stderr\n" + guest.stderr[-1000:])
        else:
            self.tally.ok(name, summary)

    def dynamic_host_programs(self):
        """Dynamically linked host programs through ./sprout run, which adds each with its
        interpreter and libraries: the host's readelf -h of a static program (added with
        --add) prints on Sprout what it prints on the host; cat reads files and a directory
        tree given with --add (HOST:GUEST, and HOST alone at its own path)."""
        t = self.tally
        try:
            hello = self.compile("tests/run/hello.c")
        except (OSError, RuntimeError) as e:
            t.fail("run/dynamic-readelf", "musl-gcc failed", str(e))
            return
        readelf = "/usr/bin/readelf"
        if not os.path.isfile(readelf):
            t.fail("run/dynamic-readelf", "%s is missing on this host (binutils)" % readelf)
        else:
            host = subprocess.run([readelf, "-h", hello], stdin=subprocess.DEVNULL,
                                  stdout=subprocess.PIPE)
            self.expect("run/dynamic-readelf", "--add",
                        [hello + ":/run/hello", readelf, "-h", "/run/hello"],
                        host.returncode, host.stdout)

        tree = os.path.join(self.tmp, "tree")
        os.makedirs(os.path.join(tree, "sub"))
        with open(os.path.join(tree, "a"), "w") as f:
            f.write("first file\n")
        with open(os.path.join(tree, "sub", "b"), "w") as f:
            f.write("second file, one level down\n")
        os.symlink("sub/b", os.path.join(tree, "link"))
        lone = os.path.join(self.tmp, "lone.txt")
        with open(lone, "w") as f:
            f.write("a file at its host path\n")
        self.expect("run/add-files", "--add",
                    [tree + ":/data", "--add", lone, "/usr/bin/cat", "/data/a", "/data/sub/b",
                     "/data/link", lone],
                    0, b"first file\nsecond file, one level down\n"
                    b"second file, one level down\na file at its host path\n")

    def debian_image(self):
        """The Debian image (make debian-image: packages downloaded once into the cache,
        then reused) runs Debian's bash with coreutils, findutils, grep, sed and gawk: a
        script's output on Sprout is byte for byte what the host's bash prints."""
        name = "run/debian-bash"
        try:
            r = subprocess.run(["make", "-s", "debian-image"], cwd=ROOT,
                               stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                               stderr=subprocess.STDOUT, timeout=DEBIAN_BUILD_TIMEOUT)
        except subprocess.TimeoutExpired:
            self.tally.fail(name, "make debian-image took over %d s" % DEBIAN_BUILD_TIMEOUT)
            return
        if r.returncode != 0:
            self.tally.fail(name, "make debian-image failed", r.stdout.decode(errors="replace"))
            return
        env = {"PATH": "/usr/bin:/bin", "HOME": "/root", "LC_ALL": "C"}
        host = subprocess.run(["bash", "-c", DEBIAN_SCRIPT], stdin=subprocess.DEVNULL,
                              stdout=subprocess.PIPE, env=env, cwd="/")
        self.expect(name, "--image", ["debian", "/bin/bash", "-c", DEBIAN_SCRIPT],
                    host.returncode, host.stdout)

    def debian_strace(self):
        """Debian's strace in the Debian image (one boot): `strace -f -e trace=process` of
        the pipeline `bash -c 'ls | wc -l'` shows the same fork/exec/exit/wait events per
        process as the host's strace of the same command, and `strace -f` of a fixed static
        program (tests/run/stracefixed.c) prints, per process, Linux's lines apart from
        addresses and pids (ptrace(2), kernel/ptrace.c)."""
        name = "run/debian-strace"
        strace = shutil.which("strace")
        if not strace:
            self.tally.fail(name, "no strace on the host (tools/install-deps.sh installs it)")
            return
        try:
            prog = self.compile("tests/run/stracefixed.c")
        except (OSError, RuntimeError) as e:
            self.tally.fail(name, "musl-gcc failed", str(e))
            return
        r = subprocess.run(["make", "-s", "debian-image"], cwd=ROOT, stdin=subprocess.DEVNULL,
                           stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
        if r.returncode != 0:
            self.tally.fail(name, "make debian-image failed", r.stdout.decode(errors="replace"))
            return
        pipeline = ["bash", "-c", "ls | wc -l"]
        native = {}
        for key, args, extra in (("pipeline", pipeline, ["-e", "trace=process"]),
                                 ("fixed", [prog], [])):
            out = os.path.join(self.tmp, key + ".st")
            env = {"PATH": "/bin:/usr/bin"} if key == "pipeline" else {}
            try:
                n = subprocess.run([strace, "-f", "-o", out] + extra + args, cwd=self.tmp,
                                   env=env, stdin=subprocess.DEVNULL,
                                   stdout=subprocess.DEVNULL, timeout=60)
            except subprocess.TimeoutExpired:
                self.tally.fail(name, "the native strace run hung")
                return
            with open(out, errors="replace") as f:
                native[key] = (n.returncode, f.read())
        script = ("cd /tmp && env -i PATH=/bin:/usr/bin strace -f -o /tmp/pipeline.st "
                  "-e trace=process bash -c 'ls | wc -l' >/dev/null; echo \"pipeline: $?\"; "
                  "env -i strace -f -o /tmp/fixed.st %s >/dev/null; echo \"fixed: $?\"; "
                  "echo '=== pipeline'; cat /tmp/pipeline.st; echo '=== fixed'; "
                  "cat /tmp/fixed.st" % ("'" + prog + "'"))
        rc, out, err = self.sprout_run("--image", "debian", "--add", prog, "/bin/bash", "-c",
                                       script)
        text = out.decode(errors="replace").replace("\r\n", "\n")
        m = re.search(r"pipeline: (\d+)\nfixed: (\d+)\n=== pipeline\n(.*)=== fixed\n(.*)",
                      text, re.S)
        if rc != 0 or not m:
            self.tally.fail(name, "exit %s, no strace output" % rc, text[-3000:] + err)
            return
        # With -o, strace -f starts every line with the pid; strace_events() reads the
        # "[pid N] " prefix of the terminal output.
        # A CPU time strace explains in a comment is normalised away with the time.
        pidded = lambda t: re.sub(r" /\* [\d.]+ s \*/", "",
                                  re.sub(r"(?m)^(\d+) +", r"[pid \1] ", t))
        fmt = lambda ev: "".join("%s: %s\n" % (p, l) for p, ls in ev for l in ls)
        problems = []
        for i, key in enumerate(("pipeline", "fixed")):
            guest_rc, guest_text = int(m.group(1 + i)), m.group(3 + i)
            want = strace_events(pidded(native[key][1]), prog)
            got = strace_events(pidded(guest_text), prog)
            if key == "pipeline":
                want, got = _reap_order_free(want), _reap_order_free(got)
            if guest_rc != native[key][0]:
                problems.append("%s: strace exit %d, natively %d\n" % (key, guest_rc,
                                                                       native[key][0]))
            if got != want:
                problems.append("%s: the traced events differ from Linux's\n%s"
                                % (key, _diff(fmt(want).encode(), fmt(got).encode())))
        if problems:
            self.tally.fail(name, "strace in the Debian image differs from Linux",
                            "".join(problems))
        else:
            self.tally.ok(name)

    def debian_gdb(self):
        """Debian's gdb (gdb-minimal, added to the Debian image for this check) debugs a
        static program inside Sprout in one boot: a breakpoint, a backtrace, a register and
        an argument, a hardware watchpoint, the run to the end; gdb's output is exactly
        what it prints on Linux, apart from addresses and the pid (tests/run/gdbtarget.c;
        ptrace(2), /proc/PID/mem, personality(2), arch/x86_64/debugreg.c)."""
        name = "run/debian-gdb"
        image = os.path.join(self.tmp, "debian-gdb.cpio")
        for extra in ("gdb-minimal", None):
            # The image with gdb is kept aside; then the default one is built again.
            args = ["make", "-s", "debian-image"]
            if extra:
                args.append("DEBIAN_PACKAGES=" + extra)
            try:
                r = subprocess.run(args, cwd=ROOT, stdin=subprocess.DEVNULL,
                                   stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                                   timeout=DEBIAN_BUILD_TIMEOUT)
            except subprocess.TimeoutExpired:
                self.tally.fail(name, "%s took over %d s" % (" ".join(args),
                                                            DEBIAN_BUILD_TIMEOUT))
                return
            if r.returncode != 0:
                self.tally.fail(name, "%s failed" % " ".join(args),
                                r.stdout.decode(errors="replace"))
                return
            if extra:
                shutil.copyfile(os.path.join(ROOT, "build", "debian.cpio"), image)
        src = "tests/run/gdbtarget.c"
        prog = os.path.join(self.tmp, "gdbtarget")
        r = subprocess.run(["musl-gcc", "-static", "-O1", "-g", "-o", prog, src], cwd=ROOT,
                           stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                           stderr=subprocess.STDOUT)
        if r.returncode != 0:
            self.tally.fail(name, "musl-gcc failed", r.stdout.decode(errors="replace"))
            return
        cmds = ["break leaf", "run", "bt", "info registers rip", "p x", "watch counter",
                "continue", "delete", "continue"]
        gdb = ["/usr/bin/gdb", "-nx", "-batch"]
        for c in cmds:
            gdb += ["-ex", c]
        # The source at its host path, where the debug information names it.
        rc, out, err = self.sprout_run("--initrd", image, "--guest", "--add", prog, "--add",
                                       os.path.join(ROOT, src), *(gdb + [prog]))
        got = re.sub(r"0x[0-9a-f]+", "0xADDR", out.decode(errors="replace"))
        got = re.sub(r"\(process \d+\)", "(process N)", got.replace("\r\n", "\n"))
        want = (
            "Breakpoint 1 at 0xADDR: file tests/run/gdbtarget.c, line 13.\n"
            "\n"
            "Breakpoint 1, leaf (x=x@entry=5) at tests/run/gdbtarget.c:13\n"
            "13\t\tcounter += x;\n"
            "#0  leaf (x=x@entry=5) at tests/run/gdbtarget.c:13\n"
            "#1  0xADDR in middle (x=x@entry=4) at tests/run/gdbtarget.c:19\n"
            "#2  0xADDR in main () at tests/run/gdbtarget.c:24\n"
            "rip            0xADDR            0xADDR <leaf>\n"
            "$1 = 5\n"
            "Hardware watchpoint 2: counter\n"
            "\n"
            "Hardware watchpoint 2: counter\n"
            "\n"
            "Old value = 0\n"
            "New value = 5\n"
            "leaf (x=x@entry=5) at tests/run/gdbtarget.c:14\n"
            "14\t\treturn x * 3 + 1;\n"
            "result 18, counter 5\n"
            "[Inferior 1 (process N) exited normally]\n")
        if rc != 0:
            self.tally.fail(name, "exit %s" % rc, got[-3000:] + err)
        elif got != want:
            self.tally.fail(name, "gdb's output differs from Linux's",
                            _diff(want.encode(), got.encode()))
        else:
            self.tally.ok(name)
    # The Linux side of run/debian-difftest: the same image unpacked into a tmpfs (Sprout's
    # root is one too) in a mount and pid namespace of its own, with a fresh /proc and the
    # host's /dev, and the script run in it by the image's bash through chroot. $1: the
    # image; $2: the empty mount point; $3: the script. bash is not the namespace's pid 1.
    DEBIAN_LINUX_SIDE = r"""set -e
mount -t tmpfs -o mode=755 tmpfs "$2"
cd "$2"
cpio -idm --quiet --no-absolute-filenames < "$1"
mount -t proc proc proc
mount --rbind /dev dev
chroot . /bin/bash -c "$3"
"""

    @staticmethod
    def debian_pids(text):
        """@text (bytes) with the pids of its "ps:" and "pstree:" lines named P01, P02, ...
        in the order they first appear: in "ps:" lines, the leading columns of numbers
        (pids, parent pids, groups, sessions) and their headers, which lose their
        padding; in "pstree:" lines, each "(pid)"."""
        names = {}

        def name(pid):
            if pid not in names:
                names[pid] = b"P%02d" % (len(names) + 1)
            return names[pid]

        def ps_row(m):
            cols = m.group(1).split()
            return b"ps:" + b"".join(b" " + (c if not c.isdigit() else name(c)) for c in cols)

        out = []
        for line in text.split(b"\n"):
            if line.startswith(b"ps:"):
                line = re.sub(rb"^ps:((?: +(?:-?\d+|PID|PPID|PGID|SID|TPGID))+)(?= )", ps_row,
                              line)
            elif line.startswith(b"pstree:"):
                line = re.sub(rb"\((\d+)\)", lambda m: b"(" + name(m.group(1)) + b")", line)
            out.append(line)
        return b"\n".join(out)

    def debian_difftest(self):
        """Debian's programs on Sprout and on Linux, byte for byte (tests/run/debian-difftest.sh:
        coreutils' ls -l, sort, sha256sum, seq and date, readelf -lW and objdump -d, find,
        diff, less, gawk, sed, grep -r, bash's loops, subshells and traps, and ps and pstree of
        a process tree it builds). Linux runs the same image (DEBIAN_LINUX_SIDE), so only
        the kernels differ; pids are numbered in order of appearance on both sides."""
        name = "run/debian-difftest"
        if not os.path.isfile(os.path.join(ROOT, "build", "debian.cpio")):
            self.tally.fail(name, "no build/debian.cpio (make debian-image failed)")
            return
        if os.geteuid() != 0:
            self.tally.skip(name, "the Linux side needs root (mount and pid namespaces)")
            return
        with open(os.path.join(ROOT, "tests/run/debian-difftest.sh")) as f:
            script = f.read()
        mnt = os.path.join(self.tmp, "debian-root")
        os.makedirs(mnt, exist_ok=True)
        try:
            host = subprocess.run(["unshare", "--mount", "--pid", "--fork", "--kill-child",
                                   "--propagation", "private", "sh", "-c",
                                   self.DEBIAN_LINUX_SIDE, "sh",
                                   os.path.join(ROOT, "build", "debian.cpio"), mnt, script],
                                  stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                                  stderr=subprocess.PIPE, cwd="/", timeout=120,
                                  env={"PATH": "/usr/sbin:/usr/bin:/sbin:/bin"},
                                  preexec_fn=_default_signals)
        except subprocess.TimeoutExpired:
            self.tally.fail(name, "the Linux run took over 120 s")
            return
        if host.returncode != 0 or b"\n== ps pstree\n" not in host.stdout:
            self.tally.fail(name, "the Linux run failed (exit %d)" % host.returncode,
                            (host.stdout[-1500:] + host.stderr).decode(errors="replace"))
            return
        rc, out, err = self.sprout_run("--image", "debian", "/bin/bash", "-c", script,
                                       timeout=240)
        want, got = self.debian_pids(host.stdout), self.debian_pids(out)
        # Signals 32 and 33 are the C library's own (no program can set them through it), so
        # a disposition the Linux side inherited for them from its caller stays: not compared.
        def lib_signals_out(text):
            return re.sub(rb"(SigIgn: )([0-9a-f]{16})", lambda m: m.group(1) + b"%016x" % (
                int(m.group(2), 16) & ~0x180000000), text)
        want, got = lib_signals_out(want), lib_signals_out(got)
        if rc != 0 or got != want:
            self.tally.fail(name, "exit %s; %s" % (rc, "output differs from Linux's" if
                                                    got != want else "output equal"),
                            _diff(want, got) + err)
        else:
            self.tally.ok(name)

    def debian_no_enosys(self):
        """The programs of the Debian image's default packages, each run in a representative
        way in one boot (tests/run/debian-calls.sh): every one succeeds, and the kernel log has
        no "unimplemented syscall" line from any of them."""
        name = "run/debian-no-enosys"
        if not os.path.isfile(os.path.join(ROOT, "build", "debian.cpio")):
            self.tally.fail(name, "no build/debian.cpio (make debian-image failed)")
            return
        with open(os.path.join(ROOT, "tests/run/debian-calls.sh")) as f:
            script = f.read()
        rc, out, err = self.sprout_run("--image", "debian", "/bin/bash", "-c", script,
                                       timeout=180)
        log = self.kernel_log()
        text = out.decode(errors="replace")
        enosys = [l for l in log.splitlines() if "unimplemented syscall" in l]
        if rc != 0 or "failures: 0\n" not in text or enosys:
            self.tally.fail(name, "exit %s, %d unimplemented-syscall lines, %s" %
                            (rc, len(enosys), "all commands succeeded" if "failures: 0\n"
                             in text else "a command failed"),
                            "\n".join(enosys[:10]) + "\n" + text[-2000:] + err)
        else:
            self.tally.ok(name)

    def swap(self):
        """Swap on a small machine with a scratch disk (./sprout run --swap): tests/run/swap.c
        writes 4x RAM and reads it back, keeps copy-on-write pages apart across swap, forks a
        swapped process, swaps MAP_SHARED memory and a tmpfs file of 2x RAM out and back,
        swaps off and on again, and ends with memory and swap as they began; the kernel log
        must show the area enabled at boot."""
        name = "run/swap"
        try:
            prog = self.compile("tests/run/swap.c")
        except (OSError, RuntimeError) as e:
            self.tally.fail(name, "musl-gcc failed", str(e))
            return
        rc, out, err = self.sprout_run("--mem", "48M", "--swap", "256M", prog)
        log = self.kernel_log()
        enabled = re.search(r"Adding \d+k swap on vda\.  Priority:-2", log)
        if rc != 0 or not enabled:
            self.tally.fail(name, "exit %s, swap %s" % (rc, "enabled" if enabled else
                                                         "never enabled"),
                            out.decode(errors="replace") + err + log[-2000:])
        else:
            self.tally.ok(name)

    def swap_working_set(self):
        """The swap issue's own measure: on 64 MiB of RAM, tests/run/touch.c writes 256 MiB in
        4 MiB pieces and reads every page back. With a 512 MiB swap disk it succeeds and
        busybox `free`, run while the memory is held, shows swap in use; without one the OOM
        killer ends it with SIGKILL (exit 137) and the kernel log names it."""
        try:
            prog = self.compile("tests/run/touch.c")
        except (OSError, RuntimeError) as e:
            self.tally.fail("run/swap-256m-on-64m", "musl-gcc failed", str(e))
            return
        rc, out, err = self.sprout_run("--mem", "64M", "--swap", "512M", prog, "256")
        text = out.decode(errors="replace")
        m = re.search(r"^Swap:\s+(\d+)\s+(\d+)\s+(\d+)", text, re.M)
        used_kb = int(m.group(2)) if m else 0
        if rc != 0 or "touch: 256 MiB written, 0 pages wrong" not in text or used_kb <= 0:
            self.tally.fail("run/swap-256m-on-64m", "exit %s, swap used %d kB" % (rc, used_kb),
                            text[-2000:] + err)
        else:
            self.tally.ok("run/swap-256m-on-64m")
        rc, out, err = self.sprout_run("--mem", "64M", prog, "256")
        log = self.kernel_log()
        named = re.search(r"Out of memory: Killed process \d+ \(touch\) total-vm:", log)
        if rc != 137 or not named:
            self.tally.fail("run/oom-256m-on-64m", "exit %s, kernel log %s the killed process"
                            % (rc, "names" if named else "does not name"),
                            out.decode(errors="replace") + err + log[-2000:])
        else:
            self.tally.ok("run/oom-256m-on-64m")

    def lock_order_selftest(self):
        """The boot options lockorder-selftest (two spinlocks) and lockorder-mutex-selftest
        (two mutexes) take two locks in both orders, lockorder-mutex-documented an inode mutex
        before an mm one: the lock-order checker must panic at the inverted acquisition,
        naming it."""
        self._order_selftest("run/lock-order-checker", "lockorder-selftest",
                             "lock order inversion: selftest-a taken while holding selftest-b")
        self._order_selftest("run/lock-order-checker-mutex", "lockorder-mutex-selftest",
                             "lock order inversion: mutex selftest-mutex-a taken while holding "
                             "mutex selftest-mutex-b")
        # The documented mutex order (mm before inode) holds from the first acquisition.
        self._order_selftest("run/lock-order-checker-mutex-documented",
                             "lockorder-mutex-documented",
                             "lock order inversion: mutex mm taken while holding mutex inode")

    def _order_selftest(self, name, option, want):
        rc, _, err = self.sprout_run("--append", option, "tests/run/hello.c")
        log = self.kernel_log()
        if rc != 125 or want not in log:
            self.tally.fail(name, "exit %s, expected a panic reporting the inversion" % rc,
                            err + log[-2000:])
        else:
            self.tally.ok(name)


# ---- strace difftest ----
#
# The host's /usr/bin/strace, dynamically linked, runs inside Sprout through
# `./sprout run` (which adds its interpreter and libraries) and natively.

STRACE_PROG_GUEST = "/tests/guest/ptrace"   # its "fork-exec-wait" mode: fork, exec self, wait


def strace_events(text, prog):
    """The per-process event lists of `strace -f -e trace=process` output @text (str), with
    pids, addresses, CPU times, environment sizes and the traced program's path @prog
    normalised, and each "<unfinished ...>" call joined to its "<... resumed>" rest.
    Returns [(process index, [lines])] in the order processes first appear, so output
    interleaved differently by scheduling compares equal."""
    # strace names itself by its argv[0] ("/usr/bin/strace: Process 8 attached").
    text = re.sub(r"(?:(?:/[\w.+-]+)*/)?strace: Process \d+ (?:at|de)tached\n?", "", text)
    names, order, per, pending = {}, [], {}, {}

    def who(pid):
        if pid not in names:
            names[pid] = "P%d" % (len(names) + 1)
            order.append(pid)
            per[pid] = []
        return names[pid]

    # strace prefixes "[pid N]" only while it traces more than one process: an
    # unprefixed line is the first process's until a child appears, later the
    # one process left. The first process is the prefixed pid no fork returned.
    lines = text.splitlines()
    forked = re.findall(r"(?:fork|clone3?)\(.*\) += (\d+)$", text, re.M)
    children = set(forked)
    prefixed = [m.group(1) for m in (re.match(r"\[pid\s+(\d+)\]", x) for x in lines) if m]
    main = next((p for p in prefixed if p not in children), "main")
    # Children are numbered in the order their forks returned, not in the order of their
    # first lines, which depends on scheduling.
    if main != "main":
        who(main)
        for pid in forked:
            who(pid)
    live, exited = [main], set()
    for raw in lines:
        m = re.match(r"\[pid\s+(\d+)\] (.*)", raw)
        if m:
            pid, line = m.group(1), m.group(2)
            if pid not in live:
                live.append(pid)
        else:
            left = [p for p in live if p not in exited]
            pid, line = (left[0] if len(left) == 1 else main), raw
        if line.startswith("+++ "):
            exited.add(pid)
        if not line.strip():
            continue
        who(pid)
        if line.endswith("<unfinished ...>"):
            pending[pid] = line[:-len("<unfinished ...>")]
            continue
        r = re.match(r"<\.\.\. \w+ resumed>(.*)", line)
        if r and pid in pending:
            line = pending.pop(pid) + r.group(1)
        per[pid].append(line)
    # Pids become P1, P2... in order of appearance (numbers only where pids stand).
    def norm(line):
        line = line.replace(prog, "PROG")
        line = re.sub(r"0x[0-9a-f]+", "0xADDR", line)
        line = re.sub(r"/\* \d+ vars \*/", "/* N vars */", line)
        line = re.sub(r"si_(u|s)time=\d+", r"si_\1time=T", line)
        for pid in order:
            if pid.isdigit():
                # Only where a pid stands: a call's result, a pid argument, si_pid; an exit
                # status or other number equal to a pid stays.
                for pat in (r"(= )%s$", r"(si_pid=)%s\b",
                            r"(\b(?:wait4|waitpid|kill|tkill|tgkill)\()%s\b",
                            r"(waitid\(P_PID, )%s\b"):
                    line = re.sub(pat % pid, lambda m: m.group(1) + names[pid], line)
        line = re.sub(r"\s+\)", ")", line)
        # A call split by "<unfinished ...>" keeps the space before its resumed rest.
        line = re.sub(r"\s+,", ",", line)
        return re.sub(r"\s+", " ", line).strip()
    return [(names[p], [norm(x) for x in per[p]]) for p in order]


def _reap_order_free(events):
    """@events (strace_events()) with the order of the children's reaping left out: the
    results of consecutive wait4(-1, ...) lines sorted, and the pid in SIGCHLD's siginfo
    (the first child to exit) made anonymous. Which child of a pipeline exits, and so is
    reaped, first is up to the scheduler on Linux as on Sprout: `ls | wc` ends with ls
    closing the pipe, and wc may finish before ls's exit is reported."""
    out = []
    for proc, lines in events:
        lines = [re.sub(r"si_pid=P\d+", "si_pid=P?", x) for x in lines]
        settled, run = [], []
        for x in lines + [None]:
            if x is not None and x.startswith("wait4(-1, [") and not x.endswith("ECHILD"):
                run.append(x)
                continue
            settled += sorted(run)
            run = []
            if x is not None:
                settled.append(x)
        out.append((proc, settled))
    return out


def run_strace_difftest(tally):
    """Debian's strace (the host's /usr/bin/strace, dynamically linked) with
    -f -e trace=process on a static fork/exec/wait program, inside Sprout and
    natively on this Linux: the same events per process, apart from pids and
    addresses (ptrace(2), kernel/ptrace.c)."""
    name = "run/strace-difftest"
    strace = shutil.which("strace")
    if not strace:
        tally.fail(name, "no strace on the host (tools/install-deps.sh installs it)")
        return
    host_prog = os.path.join(ROOT, "build", "tests", "guest", "ptrace")
    args = ["-f", "-s", "256", "-e", "trace=process"]
    try:
        native = subprocess.run([strace] + args + [host_prog, "fork-exec-wait"],
                                stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                                stderr=subprocess.PIPE, timeout=60)
    except subprocess.TimeoutExpired:
        tally.fail(name, "the native strace run hung")
        return
    cmd = [sys.executable, SPROUT, "run", "--no-build", "--timeout", str(RUN_TIMEOUT),
           strace] + args + [STRACE_PROG_GUEST, "fork-exec-wait"]
    try:
        guest = subprocess.run(cmd, cwd=ROOT, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                               stderr=subprocess.PIPE, timeout=RUN_TIMEOUT + 60)
    except subprocess.TimeoutExpired:
        tally.fail(name, "./sprout run did not return in time")
        return
    want = strace_events(native.stderr.decode(errors="replace"), host_prog)
    # In the guest, strace's stderr reaches the console with the program's stdout.
    got = strace_events(guest.stdout.decode(errors="replace").replace("\r\n", "\n"),
                        STRACE_PROG_GUEST)
    if guest.returncode != native.returncode:
        tally.fail(name, "exit %s, natively %s" % (guest.returncode, native.returncode),
                   guest.stderr.decode(errors="replace"))
    elif got != want:
        fmt = lambda ev: "".join("%s: %s\n" % (p, l) for p, ls in ev for l in ls)
        tally.fail(name, "the traced events differ from Linux's",
                   _diff(fmt(want).encode(), fmt(got).encode()))
    else:
        tally.ok(name)


def run_uaccess_check(tally):
    """tools/check-uaccess.sh: sparse finds no kernel source using a user address as a kernel
    pointer (include/types.h's __user address space)."""
    name = "build/user-addresses-only-through-uaccess"
    try:
        r = subprocess.run(["sh", "tools/check-uaccess.sh"], cwd=ROOT, stdin=subprocess.DEVNULL,
                           stdout=subprocess.PIPE, stderr=subprocess.STDOUT, timeout=300)
    except subprocess.TimeoutExpired:
        tally.fail(name, "sparse took more than 300 s")
        return
    out = r.stdout.decode(errors="replace")
    if r.returncode != 0:
        tally.fail(name, "sparse reports user addresses used as kernel pointers", out)
    else:
        tally.ok(name)


def run_syscall_doc_check(tally):
    """docs/syscalls.md is exactly what tools/gensyscalldoc.py generates from
    kernel/syscalls.tbl."""
    name = "docs/syscalls.md generated from kernel/syscalls.tbl"
    r = subprocess.run([sys.executable, os.path.join(ROOT, "tools", "gensyscalldoc.py"),
                        "--check"], cwd=ROOT, stdin=subprocess.DEVNULL,
                       stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    if r.returncode != 0:
        tally.fail(name, "it differs; run python3 tools/gensyscalldoc.py --write",
                   r.stdout.decode(errors="replace"))
    else:
        tally.ok(name)


def gdb_session_problems(rc, out):
    """What is wrong with the output of tools/gdb/selftest.gdb (empty list: nothing)."""
    if rc is None:
        return ["the GDB session did not finish in time"]
    sections = dict(re.findall(r"^=== (sprout-ps|bt)\n(.*?)(?=^=== |\Z)", out, re.S | re.M))
    ps, bt = sections.get("sprout-ps", ""), sections.get("bt", "")
    problems = []
    if rc != 0:
        problems.append("gdb exited %d" % rc)
    if "Breakpoint 1, do_fork" not in out:
        problems.append("never stopped in do_fork")
    if not re.search(r"^1\s+0\s+alive\s+init\s", ps, re.M):
        problems.append("sprout-ps does not show init as pid 1")
    if not re.search(r"^\d+\s+1\s+alive\s+lifecycle\s+\d+ running on CPU", ps, re.M):
        problems.append("sprout-ps does not show the forking program lifecycle running")
    frames = re.findall(r"^#\d+\s.*$", bt, re.M)
    if not frames or "do_fork" not in frames[0]:
        problems.append("the backtrace does not start in do_fork")
    elif "x86_syscall_entry" not in frames[-1]:
        problems.append("the backtrace does not end at the syscall entry: %r" % frames[-1])
    if "PT  [" not in out:
        problems.append("sprout-pte did not walk to a leaf PTE")
    m = re.search(r"^CPU 0: (\d+) events, (\d+) dropped", out, re.M)
    if not m or int(m.group(1)) == 0 or not re.search(r"us  fork ", out):
        problems.append("sprout-trace shows no events or no fork")
    return problems


def run_docs_check(tally):
    """tools/docs_check.py: one check per document, failing on each function or path it
    names that does not exist."""
    spec = importlib.util.spec_from_file_location(
        "docs_check", os.path.join(ROOT, "tools", "docs_check.py"))
    docs_check = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(docs_check)
    try:
        results = docs_check.check(ROOT)
    except OSError as e:
        tally.fail("docs", "docs_check failed: %s" % e)
        return
    if not docs_check.libc_names():
        tally.fail("docs", "musl's headers not found: libc names cannot be checked")
    for doc, problems in sorted(results.items()):
        name = "docs/references " + doc
        if problems:
            tally.fail(name, "%d stale reference(s): %s" % (len(problems), problems[0]),
                       "\n".join(problems))
        else:
            tally.ok(name)


class InitramfsChecks:
    """Images made the way a Linux user makes an initramfs (gzip'ed newc cpio, /init a static
    program), booted with ./sprout's initrd= instead of Sprout's own image: which init runs,
    compressed and plain archives in one image, and power-off through ACPI S5."""

    def __init__(self, tally, sprout, tmp):
        self.tally, self.sprout, self.tmp = tally, sprout, tmp
        self.count = 0

    def _boot(self, image, cmdline=""):
        self.count += 1
        path = os.path.join(self.tmp, "initramfs-%d.img" % self.count)
        with open(path, "wb") as f:
            f.write(image)
        return self.sprout.boot(None, None, capture=True, timeout=RUN_TIMEOUT,
                                cmdline=cmdline, initrd=path)

    def _expect(self, name, res, want, qemu_rc=None):
        """@want: lines the console must show; @qemu_rc: QEMU's own exit code, if it matters."""
        out = (res.stdout or b"").replace(b"\r\n", b"\n")
        missing = [w for w in want if w not in out]
        detail = out.decode(errors="replace") + "\n--- kernel log\n" + res.log_tail()
        if res.reason != "poweroff" or res.status != 0:
            self.tally.fail(name, "no clean power-off (%s, status %s)" % (res.reason, res.status),
                            detail)
        elif missing:
            self.tally.fail(name, "console lacks %r" % missing[0], detail)
        elif res.timed_out or (qemu_rc is not None and res.qemu_rc != qemu_rc):
            self.tally.fail(name, "QEMU exit code %s%s, expected %s" % (
                res.qemu_rc, " after a timeout" if res.timed_out else "", qemu_rc), detail)
        else:
            self.tally.ok(name)

    def run(self):
        import gzip
        cpio = self.sprout.cpio_newc
        init = os.path.join(self.tmp, "linux-init")
        r = subprocess.run(["musl-gcc", "-static", "-O2", "-o", init, "tests/run/linux-init.c"],
                           cwd=ROOT, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                           stderr=subprocess.STDOUT)
        if r.returncode != 0:
            self.tally.fail("initramfs/compile", "musl-gcc failed", r.stdout.decode())
            return
        with open(init, "rb") as f:
            prog = f.read()

        def gz(files):
            return gzip.compress(cpio(files), 9)

        # /init wins over /sbin/init; the image is one gzip member.
        both = {"/init": prog, "/sbin/init": prog, "/etc/packed": b"from the gzip part\n"}
        res = self._boot(gz(both))
        self._expect("initramfs/gzip-runs-/init", res,
                     [b"linux-init: argv0=/init pid=1 argc=1 HOME=/\n",
                      b"/etc/packed: from the gzip part\n"])
        # init= overrides /init.
        res = self._boot(gz(both), "init=/sbin/init")
        self._expect("initramfs/init=-overrides", res, [b"linux-init: argv0=/sbin/init pid=1"])
        # rdinit= names another program to look for instead of /init.
        res = self._boot(gz(both), "rdinit=/sbin/init")
        self._expect("initramfs/rdinit=", res, [b"linux-init: argv0=/sbin/init pid=1"])
        # No /init: /sbin/init, from a plain archive.
        res = self._boot(cpio({"/sbin/init": prog}))
        self._expect("initramfs/plain-falls-back-to-/sbin/init", res,
                     [b"linux-init: argv0=/sbin/init pid=1", b"/etc/packed: missing\n"])
        # gzip, plain and gzip again, concatenated with NUL padding between them; later
        # archives add files and replace earlier ones.
        first = gz({"/init": prog, "/etc/packed": b"replaced later\n"})
        plain = cpio({"/etc/plain": b"from the plain part\n"})
        plain += b"\0" * (-len(plain) % 512)
        last = gz({"/etc/packed": b"from the last gzip part\n"})
        res = self._boot(first + b"\0" * 8 + plain + last)
        self._expect("initramfs/gzip+plain+gzip", res,
                     [b"linux-init: argv0=/init pid=1", b"/etc/plain: from the plain part\n",
                      b"/etc/packed: from the last gzip part\n"])
        # A shell-script /init with busybox, as most Linux initramfs images have.
        if os.path.isfile("/bin/busybox") and self.sprout._elf_kind("/bin/busybox") == "static":
            with open("/bin/busybox", "rb") as f:
                bb = f.read()
            script = (b"#!/bin/sh\necho \"script init as pid $$\"\n"
                      b"cat /etc/packed\nexec /bin/busybox poweroff -f\n")
            res = self._boot(gz({"/init": script, "/bin/busybox": bb,
                                 "/bin/sh": (b"busybox", 0o120777),
                                 "/etc/packed": b"busybox reads it\n"}))
            self._expect("initramfs/busybox-script-init", res,
                         [b"script init as pid 1\n", b"busybox reads it\n"])
        else:
            self.tally.fail("initramfs/busybox-script-init",
                            "needs Debian's busybox-static as /bin/busybox (make deps)")
        # reboot(POWER_OFF) without the debug-exit port: ACPI S5 must turn QEMU off, which
        # then exits 0 itself (through port 0xf4 it would exit (status << 1) | 1).
        res = self._boot(gz(both), "poweroff=acpi")
        self._expect("initramfs/acpi-s5-poweroff", res, [b"linux-init: argv0=/init"], qemu_rc=0)
        self._no_debug_exit(gz(both))

    def _no_debug_exit(self, image):
        """A standard QEMU PC, without the isa-debug-exit device at all: reboot(POWER_OFF)
        must end QEMU (exit 0) through ACPI."""
        name = "initramfs/acpi-s5-without-debug-exit"
        path = os.path.join(self.tmp, "initramfs-pc.img")
        log = os.path.join(self.tmp, "pc-kernel.log")
        with open(path, "wb") as f:
            f.write(image)
        cmd = self.sprout.qemu_command(path, log, accel="tcg")
        i = cmd.index("-device")
        if not cmd[i + 1].startswith("isa-debug-exit"):
            self.tally.fail(name, "the QEMU command line has changed: %s" % " ".join(cmd))
            return
        del cmd[i:i + 2]
        try:
            p = subprocess.run(cmd, cwd=ROOT, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                               stderr=subprocess.STDOUT, timeout=RUN_TIMEOUT)
        except subprocess.TimeoutExpired:
            self.tally.fail(name, "QEMU did not turn off within %d s" % RUN_TIMEOUT)
            return
        out = p.stdout.replace(b"\r\n", b"\n")
        if p.returncode != 0 or b"linux-init: argv0=/init pid=1" not in out:
            self.tally.fail(name, "QEMU exit code %d" % p.returncode, out.decode(errors="replace"))
        else:
            self.tally.ok(name)


class ConsoleInputChecks:
    """What `./sprout run` does with its standard input: piped bytes all arrive (the first
    too, and exactly, even to a slow reader) and their end reaches the program as end of
    file; at a terminal the program leads a session with the console as its controlling
    terminal, so ^C and ^Z reach it and a shell has job control."""

    def __init__(self, tally):
        self.tally = tally

    def _piped(self, name, args, data, want):
        cmd = [sys.executable, SPROUT, "run", "--no-build", "--timeout", str(RUN_TIMEOUT)] + args
        try:
            p = subprocess.run(cmd, cwd=ROOT, input=data, stdout=subprocess.PIPE,
                               stderr=subprocess.PIPE, timeout=RUN_TIMEOUT + 60)
        except subprocess.TimeoutExpired:
            self.tally.fail(name, "./sprout did not return in time")
            return
        err = p.stderr.decode(errors="replace")
        if p.returncode != 0:
            self.tally.fail(name, "exit %d, expected 0%s" % (
                p.returncode, " (timed out: no end of file?)" if p.returncode == 124 else ""),
                err)
        elif p.stdout != want:
            self.tally.fail(name, "stdout differs (%d bytes, expected %d)" % (
                len(p.stdout), len(want)), _diff(want[:400], p.stdout[:400]))
        else:
            self.tally.ok(name)

    def _pty_session(self):
        """`./sprout run /bin/busybox sh` on a pseudo-terminal. Returns None or what failed."""
        import pty
        import select
        import time
        pid, fd = pty.fork()
        if pid == 0:
            os.chdir(ROOT)
            os.execv(sys.executable, [sys.executable, SPROUT, "run", "--no-build", "--timeout",
                                      str(RUN_TIMEOUT), "/bin/busybox", "sh"])
        buf = [b""]

        def until(rx, secs):
            """The output up to the first match of @rx, or None after @secs."""
            end = time.time() + secs
            while True:
                m = re.search(rx, buf[0])
                if m:
                    text, buf[0] = buf[0][:m.end()], buf[0][m.end():]
                    return text
                if time.time() > end:
                    return None
                r, _, _ = select.select([fd], [], [], 0.2)
                if r:
                    try:
                        data = os.read(fd, 4096)
                    except OSError:
                        data = b""
                    if not data:
                        return None
                    buf[0] += data

        def typed(text):
            for c in text:
                os.write(fd, c.encode())
                time.sleep(0.01)

        why = None
        try:
            # Typed while the machine boots: all of it must reach the shell.
            time.sleep(0.05)
            os.write(fd, b"echo typed-ahead-$((6*7))\r")
            banner = until(rb"# ", 60)
            if banner is None:
                why = "no shell prompt"
            elif b"job control turned off" in banner or b"can't access tty" in banner:
                why = "the shell has no controlling terminal"
            elif until(rb"\ntyped-ahead-42\r", 10) is None:
                why = "a command typed during boot did not arrive whole"
            else:
                typed("sleep 1000\r")
                time.sleep(1.5)
                os.write(fd, b"\x03")
                if until(rb"\^C\r*\n[^\n]*# ", 10) is None:
                    why = "^C did not stop sleep 1000"
                else:
                    typed("sleep 1000\r")
                    time.sleep(1.5)
                    os.write(fd, b"\x1a")
                    if until(rb"Stopped\s+sleep 1000[^\n]*\n[^\n]*# ", 10) is None:
                        why = "^Z did not stop sleep 1000 as a job"
                    else:
                        # ash refuses an exit while it still counts a job as stopped: the
                        # killed job must have died (and ash heard of it) first.
                        typed("kill -9 %1\r")
                        until(rb"# ", 10)
                        for _ in range(20):
                            typed("jobs\r")
                            listing = until(rb"jobs\r*\n(.*\n)*?[^\n]*# ", 10) or b""
                            if b"Stopped" not in listing:
                                break
                            time.sleep(0.3)
                        typed("exit 7\r")
            deadline = time.time() + 30
            while time.time() < deadline:
                done, st = os.waitpid(pid, os.WNOHANG)
                if done:
                    rc = os.waitstatus_to_exitcode(st)
                    if why is None and rc != 7:
                        why = "exit status %d, expected 7 from the shell's exit 7" % rc
                    return why
                until(rb"$^", 0.2)
            return why or "./sprout did not end after the shell's exit"
        finally:
            try:
                os.kill(pid, 15)        # our own ./sprout, if it is still there
                os.waitpid(pid, 0)
            except (OSError, ChildProcessError):
                pass
            os.close(fd)

    def run(self):
        self._piped("run/stdin-first-byte-and-eof", ["/bin/cat"], b"abc\n", b"abc\n")
        data = bytes((i * 7 + (i >> 8)) & 0xff for i in range(200000))
        self._piped("run/stdin-exact-to-a-slow-reader",
                    ["/bin/busybox", "sh", "-c", "sleep 2; cat"], data, data)
        self._piped("run/stdin-empty-is-eof", ["/bin/busybox", "wc", "-c"], b"", b"0\n")
        why = self._pty_session()
        if why:
            self.tally.fail("run/tty-job-control", why)
        else:
            self.tally.ok("run/tty-job-control")


class PathChecks:
    """What ./sprout says about what it is asked to run: host files that cannot run (a dynamic
    ELF, a directory, a text file), a host path the image's file shadows, a --mem below the
    minimum, --accel kvm where KVM cannot run the guest, a .c file using Sprout's uapi, and
    --forward pairs that cannot be forwarded."""

    def __init__(self, tally, tmp):
        self.tally, self.tmp = tally, tmp

    def _run(self, args, data=b"", wrap=None):
        cmd = [sys.executable, SPROUT, "run", "--no-build", "--timeout", str(RUN_TIMEOUT)] + args
        if wrap:
            cmd = wrap + cmd
        try:
            p = subprocess.run(cmd, cwd=ROOT, input=data, stdout=subprocess.PIPE,
                               stderr=subprocess.PIPE, timeout=RUN_TIMEOUT + 120)
        except subprocess.TimeoutExpired:
            return None, b"", "./sprout did not return in time"
        return p.returncode, p.stdout, p.stderr.decode(errors="replace")

    def _expect(self, name, args, rc, stderr_has, out=None, data=b"", wrap=None):
        got_rc, got_out, err = self._run(args, data, wrap)
        missing = [w for w in stderr_has if w not in err]
        if got_rc != rc:
            self.tally.fail(name, "exit %s, expected %d" % (got_rc, rc), err)
        elif missing:
            self.tally.fail(name, "stderr lacks %r" % missing[0], err)
        elif out is not None and got_out != out:
            self.tally.fail(name, "stdout differs", _diff(out, got_out))
        elif "Traceback" in err or "PANIC" in err:
            self.tally.fail(name, "./sprout crashed or the kernel panicked", err)
        else:
            self.tally.ok(name)

    def run(self):
        dyn = os.path.join(self.tmp, "hello-dynamic")
        r = subprocess.run(["cc", "-O2", "-o", dyn, "tests/run/hello.c"], cwd=ROOT,
                           stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                           stderr=subprocess.STDOUT)
        if r.returncode != 0:
            self.tally.fail("run/path-dynamic-elf", "cc failed", r.stdout.decode())
        else:
            # A dynamic host program runs, with its interpreter and libraries beside it.
            self._expect("run/path-dynamic-elf", [dyn], 0, [], out=b"hello, world\n")
        self._expect("run/path-directory", [self.tmp], 2, ["is a directory"])
        text = os.path.join(self.tmp, "notes.txt")
        with open(text, "w") as f:
            f.write("not a program\n")
        self._expect("run/path-text-file", [text], 2, ["is a text file"])
        self._expect("run/path-not-anywhere", ["/no/such/program"], 2, ["not in the image"])
        # /bin/cat: dynamic on the host, busybox's applet in the image: the host's runs, and
        # ./sprout says the image has one too; --guest runs the image's.
        self._expect("run/path-image-shadows-host", ["/bin/cat"], 0,
                     ["/bin/cat is also in the image", "--guest"], out=b"x\n", data=b"x\n")
        self._expect("run/path-guest-runs-image-file", ["--guest", "/bin/cat"], 0, [],
                     out=b"x\n", data=b"x\n")
        self._expect("run/mem-below-minimum", ["--mem", "8M", "tests/run/hello.c"], 2,
                     ["minimum of 32M"])
        self._expect("run/uapi-include", ["user/demo/msgdemo.c"], 0, [],
                     out=b"consumer: 300 items in order, sum 45150\n"
                         b"client: 12 squared is 144\nclient: 99 squared is 9801\n")
        # KVM that cannot run the guest (or is absent): TCG runs it, and ./sprout says so.
        rc, out, err = self._run(["--accel", "kvm", "tests/run/hello.c"])
        kvm_failed = "KVM" in err
        if rc != 0 or out != b"hello, world\n":
            self.tally.fail("run/accel-kvm-falls-back", "exit %s, output %r" % (rc, out), err)
        elif kvm_failed and "TCG" not in err:
            self.tally.fail("run/accel-kvm-falls-back", "KVM failed without a word of TCG", err)
        else:
            self.tally.ok("run/accel-kvm-falls-back",
                          "fell back to TCG" if kvm_failed else "KVM ran it")
        # A /dev/kvm that is not KVM (QEMU cannot start it): as root, in a mount namespace.
        if os.geteuid() != 0 or not shutil.which("unshare") or not os.path.exists("/dev/kvm"):
            self.tally.fail("run/accel-kvm-broken-device",
                            "needs root, unshare(1) and /dev/kvm to stage a broken KVM")
        else:
            self._expect("run/accel-kvm-broken-device", ["--accel", "kvm", "tests/run/hello.c"],
                         0, ["TCG"], out=b"hello, world\n",
                         wrap=["unshare", "--mount", "--", "sh", "-c",
                               'mount --bind /dev/null /dev/kvm && exec "$@"', "sh"])
        self.forward_options()

    def forward_options(self):
        """--forward's refusals, before any boot: a malformed pair, and a host port that
        something on the host already listens on."""
        self._expect("run/forward-bad-pair", ["--forward", "8080", "/bin/true"], 2,
                     ["want HOSTPORT:GUESTPORT"])
        with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
            s.bind(("127.0.0.1", 0))
            s.listen(1)
            port = s.getsockname()[1]
            self._expect("run/forward-port-taken", ["--forward", "%d:80" % port, "/bin/true"],
                         2, ["127.0.0.1:%d is not free" % port])


def run_sessions(tally):
    """The login shell typed at through a pseudo-terminal, one check per session."""
    spec = importlib.util.spec_from_file_location(
        "session", os.path.join(ROOT, "tools", "session.py"))
    session = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(session)

    def report(name, ok, note):
        if ok is None:
            tally.skip(name, note)
        elif ok:
            tally.ok(name, note)
        else:
            tally.fail(name, note.splitlines()[0] if note else "failed", note)

    try:
        session.run_all(report)
    except (OSError, session.SessionError) as e:
        tally.fail("session", str(e))
    try:
        session.run_debian(report)
    except (OSError, session.SessionError) as e:
        tally.fail("session/debian", str(e))


def main():
    tally = Tally()
    sprout = load_sprout()
    print("== unit tests (make unit)", flush=True)
    run_unit(tally)

    print("== the driver's own counting rules, on a made-up run", flush=True)
    check_counting(tally)
    print("== functions and paths named by the documentation (tools/docs_check.py)", flush=True)
    run_docs_check(tally)
    run_syscall_doc_check(tally)

    print("== ./sprout run", flush=True)
    built = True
    try:
        sprout.ensure_built()
    except sprout.SproutError as e:
        tally.fail("build", str(e))
        built = False
    if built:
        with tempfile.TemporaryDirectory(prefix="sprout-test-") as tmp:
            RunChecks(tally, tmp).run()
            run_uaccess_check(tally)
            run_strace_difftest(tally)
            InitramfsChecks(tally, sprout, tmp).run()
            ConsoleInputChecks(tally).run()
            PathChecks(tally, tmp).run()
        print("== in-guest suite (/tests/guest/run-all) on %s, then on 1 CPU" % cpus(GUEST_SMP),
              flush=True)
        runs = []
        res, verdicts = run_guest(sprout, GUEST_SMP)
        runs.append((cpus(GUEST_SMP), verdicts))
        if res is not None:
            check_guest_path(tally, res)
        else:
            tally.fail("run/guest-path", "the boot did not start")
        runs.append((cpus(1), run_guest(sprout, 1)[1]))
        merge_guest(tally, runs)
        print("== scripted sessions at the console (tools/session.py)", flush=True)
        run_sessions(tally)

    tally.totals()
    return 1 if tally.failed else 0


if __name__ == "__main__":
    sys.exit(main())
