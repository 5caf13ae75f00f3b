#!/usr/bin/env python3
"""Generate docs/syscalls.md, the table of every Linux x86-64 system call number and
what Sprout does with it, from kernel/syscalls.tbl (the table the kernel's dispatch is
generated from, by tools/gensyscalls.sh), so the document cannot drift from the kernel.

  tools/gensyscalldoc.py [TABLE]            print the document on stdout
  tools/gensyscalldoc.py --check [TABLE]    exit 1 if docs/syscalls.md differs from it
  tools/gensyscalldoc.py --write [TABLE]    rewrite docs/syscalls.md

A table line is "<number> <name> [<handler>] [# partial: <what is missing>]": with a
handler the call is implemented (or partial, when the comment says what is missing);
without one it returns -ENOSYS and the kernel logs "unimplemented syscall".
"""

import os
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.realpath(__file__)))
TABLE = os.path.join(ROOT, "kernel", "syscalls.tbl")
DOC = os.path.join(ROOT, "docs", "syscalls.md")


def parse(text):
    """[(number, name, handler or None, partial note or None)], sorted by number."""
    rows = []
    for line in text.splitlines():
        body, _, comment = line.partition("#")
        fields = body.split()
        if len(fields) < 2:
            continue
        note = None
        comment = comment.strip()
        if comment.startswith("partial:"):
            note = comment[len("partial:"):].strip()
        rows.append((int(fields[0]), fields[1], fields[2] if len(fields) > 2 else None, note))
    return sorted(rows)


def render(rows):
    impl = sum(1 for r in rows if r[2] and not r[3])
    part = sum(1 for r in rows if r[2] and r[3])
    nosys = sum(1 for r in rows if not r[2])
    out = [
        "# System calls",
        "",
        "<!-- Generated from kernel/syscalls.tbl by tools/gensyscalldoc.py: do not edit. -->",
        "",
        "Every number of the Linux x86-64 system call ABI that Sprout knows, and what it does",
        "with it. The kernel's dispatch table is generated from the same file,",
        "`kernel/syscalls.tbl` (by `tools/gensyscalls.sh`), and `make test` checks that this page",
        "matches it; after changing the table, regenerate the page with",
        "`python3 tools/gensyscalldoc.py --write`.",
        "",
        "- **implemented**: the handler named does the call's work with Linux's errors.",
        "- **partial**: implemented, with what is missing said in the table's `# partial:` note.",
        "- **ENOSYS**: not implemented; the call returns `-ENOSYS` and the kernel log says",
        "  `unimplemented syscall NAME (NUMBER)`.",
        "",
        "Numbers 335 to 423 are not assigned on x86-64 (and return `-ENOSYS` as any number",
        "outside the table does).",
        "",
        "%d numbers: %d implemented, %d partial, %d ENOSYS." % (len(rows), impl, part, nosys),
        "",
        "| number | name | status | handler |",
        "| --- | --- | --- | --- |",
    ]
    for nr, name, handler, note in rows:
        if not handler:
            status, h = "ENOSYS", ""
        elif note:
            status, h = "partial: " + note.replace("|", "\\|"), "`%s`" % handler
        else:
            status, h = "implemented", "`%s`" % handler
        out.append("| %d | %s | %s | %s |" % (nr, name, status, h))
    return "\n".join(out) + "\n"


def main(argv):
    mode = None
    if argv and argv[0] in ("--check", "--write"):
        mode, argv = argv[0], argv[1:]
    table = argv[0] if argv else TABLE
    with open(table) as f:
        doc = render(parse(f.read()))
    if mode is None:
        sys.stdout.write(doc)
        return 0
    if mode == "--write":
        with open(DOC, "w") as f:
            f.write(doc)
        return 0
    try:
        with open(DOC) as f:
            have = f.read()
    except OSError:
        have = None
    if have != doc:
        print("docs/syscalls.md is not what tools/gensyscalldoc.py generates from %s; "
              "run python3 tools/gensyscalldoc.py --write" % os.path.relpath(table, ROOT),
              file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
