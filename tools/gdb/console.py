#!/usr/bin/env python3
"""The console of a `make gdb` machine, in this terminal.

  python3 tools/gdb/console.py [SOCKET]      (default build/console.sock)

Connects to the Unix socket QEMU serves the first serial port on, puts the
terminal in raw mode and copies bytes both ways until the machine goes away.
Type ^] to leave (the machine keeps running).
"""

import os
import select
import socket
import sys
import termios
import tty

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.realpath(__file__))))
ESCAPE = b"\x1d"    # ^]


def main():
    path = sys.argv[1] if len(sys.argv) > 1 else os.path.join(ROOT, "build", "console.sock")
    s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    try:
        s.connect(path)
    except OSError as e:
        print("console: %s: %s (is `make gdb` running?)" % (path, e), file=sys.stderr)
        return 1
    fd = sys.stdin.fileno()
    saved = termios.tcgetattr(fd) if os.isatty(fd) else None
    print("console: connected to %s; ^] leaves" % path, file=sys.stderr)
    try:
        if saved:
            tty.setraw(fd)
        while True:
            r, _, _ = select.select([fd, s], [], [])
            if s in r:
                data = s.recv(4096)
                if not data:
                    break
                os.write(sys.stdout.fileno(), data)
            if fd in r:
                data = os.read(fd, 4096)
                if not data or ESCAPE in data:
                    break
                s.sendall(data)
    finally:
        if saved:
            termios.tcsetattr(fd, termios.TCSADRAIN, saved)
        s.close()
    print("\r\nconsole: closed", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
