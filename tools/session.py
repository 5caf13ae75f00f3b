#!/usr/bin/env python3
"""Scripted sessions at Sprout's console, typed as a person would.

Boots the default image (`./sprout boot`: init starts a login shell) inside a
pseudo-terminal, waits for the prompt, types each command a key at a time,
and checks what the screen shows, expect-style, with a timeout per step.
Used by tools/test.py (one check per session); run alone it prints a
transcript:  python3 tools/session.py [session-name ...]   (or `debian`: the sessions at
Debian's bash on the Debian image)

A session is a list of steps:
  ("type", text)          type text (a "\\r" at the end presses Enter)
  ("key", bytes)          press a control key (b"\\x03" is ^C, b"\\x1a" is ^Z)
  ("expect", regex)       wait until the output since the last step matches
  ("prompt",)             wait for the next shell prompt
Some sessions need kernel features that other parts of Sprout provide: pipes
(`|`), signal handlers (the shell's own ^C handling) and stopping a process
(`kill -STOP`, for ^Z and job control). The harness probes each at the
prompt first; a session that needs a feature whose probe failed is reported
as failed (naming the feature) without being typed, since it could only hang.
"""

import os
import pty
import re
import select
import signal
import sys
import time

ROOT = os.path.dirname(os.path.dirname(os.path.realpath(__file__)))
PROMPT = re.compile(rb"sprout:[^\r\n]*# ")
BOOT_TIMEOUT = 60      # seconds until the first prompt (TCG)
STEP_TIMEOUT = 30      # seconds for one step
KEY_DELAY = 0.01       # seconds between typed keys


class SessionError(Exception):
    pass


class Console:
    """One boot of Sprout on a pseudo-terminal."""

    def __init__(self, smp=1, image="default"):
        self.pid, self.fd = pty.fork()
        if self.pid == 0:
            os.chdir(ROOT)
            os.execvp("./sprout", ["./sprout", "boot", "--no-build", "--smp", str(smp),
                                   "--image", image])
        self.buf = b""          # output not yet consumed by an expect
        self.log = b""          # the whole transcript

    def _read(self, timeout):
        r, _, _ = select.select([self.fd], [], [], timeout)
        if not r:
            return False
        try:
            data = os.read(self.fd, 4096)
        except OSError:
            data = b""
        if not data:
            raise SessionError("the machine powered off")
        self.buf += data
        self.log += data
        return True

    def expect(self, pattern, timeout=STEP_TIMEOUT):
        rx = re.compile(pattern) if isinstance(pattern, (bytes, str)) else pattern
        if isinstance(pattern, str):
            rx = re.compile(pattern.encode())
        end = time.time() + timeout
        while True:
            m = rx.search(self.buf)
            if m:
                text = self.buf[:m.end()]
                self.buf = self.buf[m.end():]
                return text
            left = end - time.time()
            if left <= 0:
                raise SessionError("timed out waiting for %r" % rx.pattern)
            self._read(min(left, 0.5))

    def type(self, text):
        for ch in text.encode():
            os.write(self.fd, bytes([ch]))
            time.sleep(KEY_DELAY)

    def run(self, cmd, timeout=STEP_TIMEOUT):
        """Type a command line, press Enter, return the output up to the prompt."""
        self.type(cmd + "\r")
        out = self.expect(PROMPT, timeout)
        return out.replace(b"\r", b"").decode(errors="replace")

    def wait_exit(self, timeout=STEP_TIMEOUT):
        end = time.time() + timeout
        while time.time() < end:
            pid, status = os.waitpid(self.pid, os.WNOHANG)
            if pid:
                self.pid = 0
                return os.waitstatus_to_exitcode(status)
            try:
                self._read(0.2)
            except SessionError:
                pass
        raise SessionError("the machine did not power off")

    def close(self):
        if self.pid:
            try:
                os.kill(self.pid, signal.SIGTERM)
                os.waitpid(self.pid, 0)
            except OSError:
                pass
            self.pid = 0
        try:
            os.close(self.fd)
        except OSError:
            pass


def lines_of(out):
    return [l for l in out.split("\n")]


def check(cond, what, out):
    if not cond:
        raise SessionError("%s; the screen showed:\n%s" % (what, out))


# ---- the sessions ----

def s_ps(c):
    out = c.run("ps aux | more")
    check(re.search(r"^\s*1 root\s+/sbin/init", out, re.M), "ps shows init as pid 1", out)
    check(re.search(r"-sh", out), "ps shows the login shell", out)
    # ps's own line ("PID USER COMMAND"), not the command line echoed after the prompt: busybox
    # runs ps in the shell's forked child without an exec, so it shows as "{ps} -sh -l" (its
    # comm, then the cmdline it inherited); an exec'd ps would show "ps aux".
    check(re.search(r"^\s*\d+\s+root\s+(\{ps\} .*|(/bin/)?ps aux)$", out, re.M),
          "ps shows itself", out)
    out = c.run("ps -o pid,ppid,stat,comm")
    sh = re.search(r"^\s*(\d+)\s+1\s+S\s+sh$", out, re.M)
    check(sh, "the shell is init's child", out)
    check(re.search(r"^\s*\d+\s+%s\s+R\s+ps$" % sh.group(1), out, re.M),
          "ps is the shell's running child", out)


def s_proc(c):
    out = c.run("cat /proc/1/status")
    check(re.search(r"^Name:\tinit$", out, re.M), "Name: init", out)
    check(re.search(r"^PPid:\t0$", out, re.M), "PPid: 0", out)
    out = c.run("free")
    check(re.search(r"^Mem:\s+\d+\s+\d+\s+\d+", out, re.M), "free shows memory", out)
    out = c.run("top -bn1")
    check("Load average" in out and "/sbin/init" in out, "top lists processes", out)
    out = c.run("uptime")
    check("load average" in out, "uptime", out)


def s_pipeline(c):
    out = c.run("echo one two three | tr a-z A-Z | wc -w")
    check(re.search(r"^\s*3$", out, re.M), "a three-command pipeline counts 3 words", out)


def s_ctrl_c(c):
    c.type("sleep 100\r")
    time.sleep(1.0)
    c.type("\x03")
    out = c.expect(PROMPT, 15).replace(b"\r", b"").decode(errors="replace")
    out = c.run("echo status=$?")
    check("status=130" in out, "^C ended sleep with SIGINT", out)


def s_jobs(c):
    c.run("sleep 100 &")
    out = c.run("jobs")
    check(re.search(r"\[1\]\+?\s+Running\s+sleep 100", out), "jobs lists the sleep", out)
    c.run("kill %1")
    out = c.run("jobs")
    out += c.run("jobs")
    check("Running" not in out, "kill %1 ended the job", out)


def s_ctrl_z(c):
    c.type("sleep 100\r")
    time.sleep(1.0)
    c.type("\x1a")
    out = c.expect(PROMPT, 15).replace(b"\r", b"").decode(errors="replace")
    check(re.search(r"Stopped", out), "^Z stopped the sleep", out)
    c.type("fg\r")
    time.sleep(1.0)
    c.type("\x03")
    c.expect(PROMPT, 15)


SESSIONS = [
    ("proc-top-free", s_proc, ()),
    ("ps-more", s_ps, ("pipe",)),
    ("pipeline", s_pipeline, ("pipe",)),
    ("ctrl-c", s_ctrl_c, ("handlers",)),
    ("jobs-kill", s_jobs, ("handlers", "stop")),
    ("ctrl-z-fg", s_ctrl_z, ("handlers", "stop")),
]


def probe(c):
    """Which of the features the sessions rely on work on this kernel."""
    have = {}
    out = c.run("echo probe-pipe | cat")
    have["pipe"] = bool(re.search(r"^probe-pipe$", out, re.M))
    # In a child shell: without handlers the signal kills it, not the login shell.
    out = c.run("sh -c 'trap \"echo probe-trapped\" USR1; kill -USR1 $$; echo probe-after'")
    have["handlers"] = bool(re.search(r"^probe-trapped$", out, re.M))
    out = c.run("sleep 30 & p=$!; kill -STOP $p; sleep 0.3; "
                "cut -d' ' -f3 /proc/$p/stat; kill -KILL $p")
    have["stop"] = bool(re.search(r"^T$", out, re.M))
    return have


def run_all(report, names=None):
    """Boot once and run the sessions; report(name, ok, note) for each.
    Then `exit` at the prompt, which must power the machine off."""
    c = Console()
    try:
        try:
            c.expect(PROMPT, BOOT_TIMEOUT)
        except SessionError as e:
            report("session/boot-prompt", False, "%s\n%s" % (e, c.log.decode(errors="replace")))
            return
        report("session/boot-prompt", True, "")
        have = probe(c)
        for name, fn, needs in SESSIONS:
            if names and name not in names:
                continue
            missing = [n for n in needs if not have[n]]
            if missing:
                report("session/" + name, False, "needs %s, whose probe at the prompt failed"
                       % ", ".join(missing))
                continue
            try:
                fn(c)
                report("session/" + name, True, "")
            except SessionError as e:
                report("session/" + name, False, str(e))
                if have["handlers"]:
                    c.type("\x03")	# back to a prompt; the shell survives ^C
                try:
                    c.expect(PROMPT, 10)
                except SessionError:
                    pass
        try:
            # exit reports the last command's status: make it a known 0 first
            # (an earlier session may have left 130 from a ^C).
            c.run("true")
            c.type("exit\r")
            status = c.wait_exit(30)
            report("session/exit-powers-off", status == 0, "exit status %d" % status)
        except SessionError as e:
            report("session/exit-powers-off", False, str(e))
    finally:
        c.close()


# ---- the Debian image: Debian's bash as the login shell ----

def _plain(out):
    """Without bash's bracketed-paste switches (ESC [ ? 2004 h/l) around each command."""
    return re.sub(r"\x1b\[\?2004[hl]", "", out)


def d_login(c):
    out = _plain(c.run('echo "$0 ${BASH_VERSION%%.*}"; shopt -q login_shell && echo login; '
                       'case $- in *m*) echo monitor;; esac'))
    check(re.search(r"^-bash 5$", out, re.M), "the login shell is bash, started as -bash", out)
    check(re.search(r"^login$", out, re.M), "bash knows it is a login shell", out)
    check(re.search(r"^monitor$", out, re.M), "job control is on", out)
    out = _plain(c.run("ps -o pid,ppid,stat,comm"))
    sh = re.search(r"^\s*(\d+)\s+1\s+Ss\s+bash$", out, re.M)
    check(sh, "bash is init's child and leads its session", out)
    check(re.search(r"^\s*\d+\s+%s\s+R\+\s+ps$" % sh.group(1), out, re.M),
          "ps runs in the foreground process group", out)


def d_jobs(c):
    c.run("sleep 100 &")
    out = _plain(c.run("jobs"))
    check(re.search(r"\[1\]\+\s+Running\s+sleep 100 &", out), "jobs lists the sleep", out)
    c.type("sleep 100\r")
    time.sleep(1.0)
    c.type("\x1a")
    out = _plain(c.expect(PROMPT, 15).replace(b"\r", b"").decode(errors="replace"))
    check(re.search(r"\[2\]\+\s+Stopped\s+sleep 100", out), "^Z stopped the second sleep", out)
    c.type("fg %2\r")
    time.sleep(1.0)
    c.type("\x03")
    c.expect(PROMPT, 15)
    out = _plain(c.run("echo status=$?; kill %1; wait; jobs; echo done"))
    check("status=130" in out, "fg brought it back and ^C ended it", out)
    check("Running" not in out and "Stopped" not in out, "no job left", out)


DEBIAN_SESSIONS = [("login-bash", d_login), ("jobs-ctrl-z-fg", d_jobs)]


def run_debian(report):
    """Boot the Debian image (build/debian.cpio, made by make debian-image) and run
    DEBIAN_SESSIONS at Debian's bash; then `exit` must power off."""
    if not os.path.isfile(os.path.join(ROOT, "build", "debian.cpio")):
        report("session/debian-boot-prompt", False, "build/debian.cpio is missing "
               "(make debian-image)")
        return
    c = Console(image="debian")
    try:
        try:
            c.expect(PROMPT, BOOT_TIMEOUT)
        except SessionError as e:
            report("session/debian-boot-prompt", False,
                   "%s\n%s" % (e, c.log.decode(errors="replace")))
            return
        report("session/debian-boot-prompt", True, "")
        for name, fn in DEBIAN_SESSIONS:
            try:
                fn(c)
                report("session/debian-" + name, True, "")
            except SessionError as e:
                report("session/debian-" + name, False, str(e))
                c.type("\x03")
                try:
                    c.expect(PROMPT, 10)
                except SessionError:
                    pass
        try:
            c.run("true")
            c.type("exit\r")
            status = c.wait_exit(30)
            report("session/debian-exit-powers-off", status == 0, "exit status %d" % status)
        except SessionError as e:
            report("session/debian-exit-powers-off", False, str(e))
    finally:
        c.close()


def main(argv):
    def report(name, ok, note):
        word = "SKIP" if ok is None else "PASS" if ok else "FAIL"
        print("%s %s%s" % (word, name, (": " + note) if note else ""), flush=True)

    if argv[1:] == ["debian"]:
        run_debian(report)
    else:
        run_all(report, argv[1:] or None)


if __name__ == "__main__":
    main(sys.argv)
