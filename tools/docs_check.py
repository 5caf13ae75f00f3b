#!/usr/bin/env python3
"""Every function and path the documentation names must exist.

Reads README.md, docs/*.md and kernel/locking.md, and collects
  functions  written as `name()` (empty parentheses), and
  paths      into the tree, such as kernel/fork.c, include/mm.h, tests/guest/
             (globs like tests/guest/*.c and generated files under build/ are
             left alone).
A path must exist. A function must be defined somewhere in the tree -- a C
function or function-like macro, an assembly label, a Python or shell
function -- or be a Linux system call Sprout implements (kernel/syscalls.tbl,
with a handler), a libc function of musl's headers (the C library the user
programs are built with), or a linker-script function used in a *.ld file.
A name that is only declared, never defined, does not count.

Used by tools/test.py (one check per document); run alone it prints each
stale reference as "FILE:LINE: what" and exits 1 if there is any:
  python3 tools/docs_check.py
"""

import glob
import os
import re
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.realpath(__file__)))
MUSL_INCLUDE = ["/usr/include/x86_64-linux-musl", "/usr/lib/musl/include",
                "/usr/local/musl/include"]
TOP_DIRS = ("arch", "bench", "docs", "drivers", "fs", "include", "ipc", "kernel", "lib", "mm",
            "net", "tests", "tools", "user", ".ci")
SOURCE_EXT = (".c", ".h", ".S", ".py", ".sh", ".ld")

_FUNC_REF = re.compile(r"(?<![\w.>-])([A-Za-z_]\w*)\(\)")
_PATH_REF = re.compile(r"(?<![\w/.~-])((?:%s)/[\w./*+-]*)" % "|".join(re.escape(d)
                                                                      for d in TOP_DIRS))
# A definition: at the start of a line, a C return type and the name, an opening
# parenthesis and no ';' at the end (a prototype is not a definition).
_C_DEF = re.compile(r"^[A-Za-z_][\w \t*]*?\b([A-Za-z_]\w*)\s*\((?:[^;]*|.*\)\s*\{.*)$")
_MACRO_DEF = re.compile(r"^\s*#\s*define\s+([A-Za-z_]\w*)\(")
_ASM_LABEL = re.compile(r"^([A-Za-z_]\w*):")
_PY_DEF = re.compile(r"^\s*def\s+([A-Za-z_]\w*)\s*\(")
_SH_DEF = re.compile(r"^([A-Za-z_]\w*)\s*\(\)\s*\{?")
_CALL = re.compile(r"\b([A-Za-z_]\w*)\s*\(")
_C_KEYWORDS = {"if", "for", "while", "switch", "return", "sizeof", "do", "else", "case"}


def doc_files(root=ROOT):
    files = [os.path.join(root, "README.md"), os.path.join(root, "kernel", "locking.md")]
    files += sorted(glob.glob(os.path.join(root, "docs", "*.md")))
    return [f for f in files if os.path.isfile(f)]


def _tree_files(root):
    for top in TOP_DIRS + ("",):
        base = os.path.join(root, top)
        if top == "":
            for name in ("sprout", "Makefile"):
                if os.path.isfile(os.path.join(root, name)):
                    yield os.path.join(root, name)
            continue
        for dirpath, dirnames, filenames in os.walk(base):
            dirnames[:] = [d for d in dirnames if not d.startswith(".") or d == ".ci"]
            for fn in filenames:
                if fn.endswith(SOURCE_EXT) or top == ".ci":
                    yield os.path.join(dirpath, fn)


def defined_names(root=ROOT):
    """Every function-like name the tree defines."""
    names = set()
    for path in _tree_files(root):
        try:
            with open(path, errors="replace") as f:
                text = f.read()
        except OSError:
            continue
        is_py = path.endswith(".py") or os.path.basename(path) == "sprout"
        is_sh = path.endswith(".sh") or "/.ci/" in path
        for line in text.splitlines():
            if is_py:
                m = _PY_DEF.match(line)
            elif is_sh:
                m = _SH_DEF.match(line)
            elif path.endswith(".ld"):
                names.update(_CALL.findall(line))
                continue
            else:
                m = _MACRO_DEF.match(line) or _ASM_LABEL.match(line)
                if not m and not line.rstrip().endswith(";"):
                    m = _C_DEF.match(line)
            if m and m.group(1) not in _C_KEYWORDS:
                names.add(m.group(1))
    # lwIP's API, which docs/sockets.md names: its headers, fetched at build time (build/lwip).
    lwip_inc = os.path.join(root, "build", "lwip", "src", "include")
    for dirpath, _, filenames in os.walk(lwip_inc):
        for fn in filenames:
            if fn.endswith(".h"):
                with open(os.path.join(dirpath, fn), errors="replace") as f:
                    names.update(_CALL.findall(f.read()))
    return names


def syscall_names(root=ROOT):
    names = set()
    try:
        with open(os.path.join(root, "kernel", "syscalls.tbl")) as f:
            for line in f:
                fields = line.split("#", 1)[0].split()
                if len(fields) >= 3:
                    names.add(fields[1])
    except OSError:
        pass
    return names


def libc_names():
    """Names musl's headers declare or define as functions (empty if musl is missing)."""
    names = set()
    for inc in MUSL_INCLUDE:
        for dirpath, _, filenames in os.walk(inc):
            for fn in filenames:
                if fn.endswith(".h"):
                    with open(os.path.join(dirpath, fn), errors="replace") as f:
                        names.update(_CALL.findall(f.read()))
        if names:
            break
    return names


def references(path):
    """(line number, kind, name) of each function or path the document names."""
    refs = []
    with open(path, errors="replace") as f:
        for n, line in enumerate(f, 1):
            for m in _FUNC_REF.finditer(line):
                refs.append((n, "function", m.group(1)))
            for m in _PATH_REF.finditer(line):
                p = m.group(1).rstrip(".,:;)")
                if "*" in p or p.startswith("build/"):
                    continue
                refs.append((n, "path", p))
    return refs


def check(root=ROOT):
    """Returns {document (relative path): [problem, ...]} for every document."""
    known = defined_names(root) | syscall_names(root) | libc_names()
    result = {}
    for doc in doc_files(root):
        problems = []
        for n, kind, name in references(doc):
            if kind == "path" and not os.path.exists(os.path.join(root, name)):
                problems.append("line %d: no such file or directory: %s" % (n, name))
            elif kind == "function" and name not in known:
                problems.append("line %d: no such function: %s()" % (n, name))
        result[os.path.relpath(doc, root)] = problems
    return result


def main():
    bad = 0
    for doc, problems in check().items():
        for p in problems:
            print("%s: %s" % (doc, p))
            bad += 1
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
