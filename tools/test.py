#!/usr/bin/env python3
"""Sprout's test driver, run by `make test`.

Four groups, one output line per check ("PASS name" / "FAIL name: reason"):
  unit   host unit tests (cmocka) through `make -s unit`
  run    `./sprout run` end to end: output, exit status, a signal's status,
         fork + self-exec + wait compared byte for byte with native Linux
  guest  the in-guest TAP suite, /tests/guest/run-all, in one boot on GUEST_SMP CPUs,
         then again on one CPU ("guest-1cpu/"), where scheduling is deterministic
  session  the login shell typed at through a pseudo-terminal (tools/session.py)
The last line is "N passed, N failed"; the exit status is 1 if anything failed.
"""

import difflib
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
        self.passed += 1
        self.skipped += 1
        self._line("PASS %s # SKIP %s" % (name, why))

    def fail(self, name, reason, detail=""):
        self.failed += 1
        self._line("FAIL %s: %s" % (name, reason))
        lines = detail.rstrip("\n").splitlines()[-DETAIL_LINES:] if detail else []
        for line in lines:
            self._line("    " + line)

    def _line(self, s):
        print(s, file=self.out, flush=True)

    def totals(self):
        if self.skipped:
            self._line("(%d skipped, counted as passed)" % self.skipped)
        self._line("%d passed, %d failed" % (self.passed, self.failed))


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
# "# program: NAME" line, and exits 0 only if every program did.

_TAP_PLAN = re.compile(r"^1\.\.(\d+)")
_TAP_RESULT = re.compile(r"^(not )?ok\b\s*(\d*)\s*(?:-\s*)?([^#]*?)\s*(?:#\s*(.*))?$")
_TAP_PROGRAM = re.compile(r"^#\s*program:\s*(\S+)")


def parse_tap(text):
    """Parse run-all's output.

    Returns (results, programs): results is a list of (program, number, name,
    ok, directive) with directive "" or "SKIP ..." / "TODO ..."; programs maps
    a program name to {"plan": N or None, "count": results seen, "bail": text}.
    """
    results = []
    programs = {}
    prog = "run-all"
    for line in text.splitlines():
        line = line.rstrip("\r")
        m = _TAP_PROGRAM.match(line)
        if m:
            prog = m.group(1)
            programs.setdefault(prog, {"plan": None, "count": 0, "bail": None})
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
            results.append((prog, number, m.group(3).strip(), m.group(1) is None, directive))
    return results, programs


def judge_guest(tally, res, prefix="guest", report_path=True):
    """Checks from one boot of /tests/guest/run-all (a sprout.BootResult)."""
    text = (res.stdout or b"").decode(errors="replace")
    results, programs = parse_tap(text)
    explained = False
    for prog, num, name, ok, directive in results:
        label = "%s/%s %d%s" % (prefix, prog, num, " - " + name if name else "")
        if directive[:4].upper() == "SKIP":
            tally.skip(label, directive[4:].strip() or "no reason given")
        elif directive[:4].upper() == "TODO":
            tally.ok(label, "TODO, " + ("passes" if ok else "not ok"))
        elif ok:
            tally.ok(label)
        else:
            tally.fail(label, "not ok")
            explained = True
    for prog, info in sorted(programs.items()):
        if info["bail"]:
            tally.fail(prefix + "/" + prog, "bailed out: " + info["bail"])
            explained = True
        elif info["plan"] is not None and info["plan"] != info["count"]:
            tally.fail(prefix + "/" + prog, "planned %d tests, reported %d"
                       % (info["plan"], info["count"]))
            explained = True

    if res.reason == "panic":
        tally.fail(prefix + "/boot", "kernel panic", res.log_tail())
    elif res.reason == "timeout":
        tally.fail(prefix + "/boot", "no power-off within %d s" % GUEST_TIMEOUT, res.log_tail())
    elif res.reason != "poweroff":
        tally.fail(prefix + "/boot", "QEMU exited (code %s) without powering off" % res.qemu_rc,
                   res.log_tail())
    elif res.status != 0 and not explained:
        tally.fail(prefix + "/run-all", "exit status %d with no failing test reported"
                   % res.status, text)

    # run-all is started by its path inside the image: it ran if it said anything.
    if not report_path:
        return
    if results:
        tally.ok("run/guest-path", "/tests/guest/run-all started from the image")
    elif res.reason == "poweroff":
        tally.fail(prefix + "/run-all", "printed no TAP results (exit status %d)" % res.status,
                   text)


def run_guest(tally, sprout, smp=GUEST_SMP, prefix="guest", report_path=True):
    try:
        res = sprout.boot(None, ["/tests/guest/run-all"], timeout=GUEST_TIMEOUT, capture=True,
                          smp=smp)
    except sprout.SproutError as e:
        tally.fail(prefix + "/boot", str(e))
        return
    judge_guest(tally, res, prefix, report_path)


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

    def sprout_run(self, prog, *args):
        """Run `./sprout run PROG ARGS`; returns (exit code, stdout bytes, stderr text)."""
        cmd = [sys.executable, SPROUT, "run", "--no-build", "--timeout", str(self.timeout),
               prog] + list(args)
        p = subprocess.Popen(cmd, cwd=ROOT, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                             stderr=subprocess.PIPE)
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
        self.enosys_logged_once()

    def enosys_logged_once(self):
        """An unimplemented syscall called 500 times under each of two program names is
        logged once per (call, program), with the pid and the name."""
        name = "run/enosys-logged-once"
        rc, out, err = self.sprout_run("tests/run/enosys.c")
        try:
            with open(os.path.join(ROOT, "build", "kernel.log"), errors="replace") as f:
                log = f.read()
        except OSError:
            log = ""
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

    def lock_order_selftest(self):
        """The boot option lockorder-selftest takes two locks in both orders: the lock-order
        checker must panic at the second order, naming it."""
        name = "run/lock-order-checker"
        rc, _, err = self.sprout_run("--append", "lockorder-selftest", "tests/run/hello.c")
        try:
            with open(os.path.join(ROOT, "build", "kernel.log"), errors="replace") as f:
                log = f.read()
        except OSError:
            log = ""
        if rc != 125 or "lock order inversion: selftest-a taken while holding selftest-b" \
                not in log:
            self.tally.fail(name, "exit %s, expected a panic reporting the inversion" % rc,
                            err + log[-2000:])
        else:
            self.tally.ok(name)


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
        print("== in-guest suite (/tests/guest/run-all) on %d CPUs" % GUEST_SMP, flush=True)
        run_guest(tally, sprout)
        print("== in-guest suite again on 1 CPU", flush=True)
        run_guest(tally, sprout, smp=1, prefix="guest-1cpu", report_path=False)
        print("== scripted sessions at the console (tools/session.py)", flush=True)
        run_sessions(tally)

    tally.totals()
    return 1 if tally.failed else 0


if __name__ == "__main__":
    sys.exit(main())
