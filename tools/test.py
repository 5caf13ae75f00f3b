#!/usr/bin/env python3
"""Sprout's test driver, run by `make test`.

Six groups, one output line per check ("PASS name", "FAIL name: reason" or
"SKIP name: reason"):
  unit   host unit tests (cmocka) through `make -s unit`
  driver this file's counting rules, applied to a made-up two-configuration run
  docs   every function and path that README.md, docs/*.md and kernel/locking.md
         name exists (tools/docs_check.py)
  run    `./sprout run` end to end: output, exit status, a signal's status,
         fork + self-exec + wait compared byte for byte with native Linux, a virtio
         disk (--disk) written by the guest and read back on the host, many disk
         requests in flight, a failing disk write, a virtio network card (--net)
         answering ARP
  guest  the in-guest TAP suite, /tests/guest/run-all (with a scratch virtio disk),
         in one boot on GUEST_SMP CPUs,
         then again on one CPU, where scheduling is deterministic. A case is one
         check whatever the number of configurations it ran in: it fails if it
         failed in either, and its line says where.
  session  the login shell typed at through a pseudo-terminal (tools/session.py)
The last line is "N passed, N failed, N skipped" (a skip is never counted as a
pass); the exit status is 1 if anything failed.
"""

import difflib
import io
import importlib.machinery
import importlib.util
import os
import re
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

    def sprout_run(self, prog, *args, qemu_extra=None):
        """Run `./sprout run PROG ARGS` (with SPROUT_QEMU_EXTRA=qemu_extra when given); returns
        (exit code, stdout bytes, stderr text)."""
        cmd = [sys.executable, SPROUT, "run", "--no-build", "--timeout", str(self.timeout),
               prog] + list(args)
        env = None
        if qemu_extra is not None:
            env = dict(os.environ, SPROUT_QEMU_EXTRA=qemu_extra)
        p = subprocess.Popen(cmd, cwd=ROOT, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                             stderr=subprocess.PIPE, env=env)
        try:
            out, err = p.communicate(timeout=self.timeout + 60)
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
        self.swap()
        self.blkdev_disk()
        self.blkdev_queue()
        self.blkdev_write_error()
        self.netcheck()

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
        try:
            with open(os.path.join(ROOT, "build", "kernel.log"), errors="replace") as f:
                log = f.read()
        except OSError:
            log = ""
        named = len(re.findall(r"Out of memory: Killed process \d+ \(oom\) total-vm:\d+kB, "
                               r"anon-rss:\d+kB, file-rss:\d+kB, shmem-rss:\d+kB, UID:\d+ "
                               r"pgtables:\d+kB oom_score_adj:-?\d+\n", log)) == 3
        if rc != 0 or not named:
            self.tally.fail(name, "exit %s, kernel log %s the killed process"
                            % (rc, "names" if named else "does not name"),
                            out.decode(errors="replace") + err + log[-2000:])
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
        try:
            with open(os.path.join(ROOT, "build", "kernel.log"), errors="replace") as f:
                log = f.read()
        except OSError:
            log = ""
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
        try:
            with open(os.path.join(ROOT, "build", "kernel.log"), errors="replace") as f:
                log = f.read()
        except OSError:
            log = ""
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
        try:
            with open(os.path.join(ROOT, "build", "kernel.log"), errors="replace") as f:
                log = f.read()
        except OSError:
            log = ""
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

    def swap(self):
        """Swap on a small machine with a scratch disk (./sprout run --swap): tests/run/swap.c
        writes 4x RAM and reads it back, keeps copy-on-write pages apart across swap, forks a
        swapped process, swaps off and on again, and ends with memory and swap as they began;
        the kernel log must show the area enabled at boot."""
        name = "run/swap"
        try:
            prog = self.compile("tests/run/swap.c")
        except (OSError, RuntimeError) as e:
            self.tally.fail(name, "musl-gcc failed", str(e))
            return
        rc, out, err = self.sprout_run("--mem", "48M", "--swap", "256M", prog)
        try:
            with open(os.path.join(ROOT, "build", "kernel.log"), errors="replace") as f:
                log = f.read()
        except OSError:
            log = ""
        enabled = re.search(r"Adding \d+k swap on vda\.  Priority:-2", log)
        if rc != 0 or not enabled:
            self.tally.fail(name, "exit %s, swap %s" % (rc, "enabled" if enabled else
                                                         "never enabled"),
                            out.decode(errors="replace") + err + log[-2000:])
        else:
            self.tally.ok(name)

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
        try:
            with open(os.path.join(ROOT, "build", "kernel.log"), errors="replace") as f:
                log = f.read()
        except OSError:
            log = ""
        if rc != 125 or want not in log:
            self.tally.fail(name, "exit %s, expected a panic reporting the inversion" % rc,
                            err + log[-2000:])
        else:
            self.tally.ok(name)


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


def main():
    tally = Tally()
    sprout = load_sprout()
    print("== unit tests (make unit)", flush=True)
    run_unit(tally)

    print("== the driver's own counting rules, on a made-up run", flush=True)
    check_counting(tally)
    print("== functions and paths named by the documentation (tools/docs_check.py)", flush=True)
    run_docs_check(tally)

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
