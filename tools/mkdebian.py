#!/usr/bin/env python3
"""Build the Debian userland boot image: Debian 12's own programs on Sprout.

  tools/mkdebian.py BUILD-DIR OUT "PACKAGES" "USER_PROGS"

PACKAGES are Debian package names; with every package they depend on (Depends and
Pre-Depends, the first of each set of alternatives, recursively; package-management
machinery such as dpkg, debconf and perl left out) they are fetched from the Debian
archive the host's apt knows with `apt-get download` into a cache outside the
repository ($SPROUT_CACHE, else /var/cache/sprout as root, ~/.cache/sprout otherwise:
the cache `make bench` uses), unpacked there with `dpkg-deb -x` into one tree per package
list, and never installed on the host. The tree gets Debian's merged-/usr layout
(/bin -> usr/bin, ...), loses the documentation, manual pages and translations, and is
kept: the next build with the same list reuses it without the network.

The image OUT (a cpio "newc" archive, like build/initramfs.cpio) is that tree plus
Sprout's own parts: /sbin/init and the user/ programs from BUILD-DIR/user (into
/usr/local/bin), /etc/passwd with bash as root's login shell, /etc/group, /etc/profile,
/etc/mtab -> /proc/self/mounts, /bin/sh -> bash, awk -> gawk (the links dpkg's
alternatives would make), /dev/fd, /dev/stdin, /dev/stdout, /dev/stderr (the links udev
makes), and the empty /proc, /dev, /dev/shm, /tmp, /run, /root. Progress goes
to stderr.
"""

import hashlib
import os
import re
import shutil
import subprocess
import sys
import tempfile

# Always in the image: the login shell, /etc/os-release and the terminfo database that
# less, top and bash's line editing look up.
BASE_PACKAGES = ["bash", "base-files", "ncurses-base"]
# Depended on for package management and maintainer scripts, never run here.
LEFT_OUT = {"debconf", "cdebconf", "dpkg", "perl", "perl-base", "perl-modules-5.36",
            "libperl5.36", "usrmerge", "usr-is-merged", "init-system-helpers",
            "install-info"}
# Not needed to run programs; most of an unpacked tree's size.
DROPPED = ["usr/share/doc", "usr/share/man", "usr/share/info", "usr/share/locale",
           "usr/share/lintian", "usr/share/bash-completion"]
MERGED = ["bin", "sbin", "lib", "lib64"]


class Error(Exception):
    pass


def say(msg):
    print("mkdebian: " + msg, file=sys.stderr, flush=True)


def cache_dir():
    if os.environ.get("SPROUT_CACHE"):
        base = os.environ["SPROUT_CACHE"]
    elif os.geteuid() == 0:
        base = "/var/cache/sprout"
    else:
        base = os.path.join(os.environ.get("XDG_CACHE_HOME") or
                            os.path.expanduser("~/.cache"), "sprout")
    path = os.path.join(base, "debian")
    os.makedirs(path, exist_ok=True)
    return path


def run(cmd, **kw):
    try:
        return subprocess.run(cmd, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                              stderr=subprocess.PIPE, text=True, **kw)
    except FileNotFoundError:
        raise Error("%s not found (apt and dpkg come with Debian)" % cmd[0])


def apt_update():
    sudo = [] if os.geteuid() == 0 else ["sudo"]
    say("apt-get update (the host has no package lists)")
    r = run(sudo + ["apt-get", "update", "-qq"])
    if r.returncode != 0:
        raise Error("apt-get update failed:\n" + r.stderr)


def resolve(packages):
    """Every package @packages need, themselves included, as a sorted list."""
    have, queue = set(), list(packages)
    while queue:
        batch = sorted(set(p for p in queue if p not in have))
        queue = []
        if not batch:
            break
        have.update(batch)
        r = run(["apt-cache", "depends", "--no-recommends", "--no-suggests",
                 "--no-conflicts", "--no-breaks", "--no-replaces", "--no-enhances"] + batch)
        if r.returncode != 0:
            raise Error("apt-cache depends failed:\n" + r.stderr)
        found = set()
        alternative = False
        for line in r.stdout.splitlines():
            if not line.startswith(" "):
                found.add(line.strip())
                alternative = False
                continue
            m = re.match(r"^\s+(\|)?(Pre)?Depends: (\S+)", line)
            if not m:
                continue
            first = not alternative
            alternative = m.group(1) == "|"
            name = m.group(3)
            if first and not name.startswith("<") and name not in LEFT_OUT:
                queue.append(name)
        missing = [p for p in batch if p not in found]
        if missing:
            raise Error("no such Debian package: %s" % " ".join(missing))
    return sorted(have)


def deb_of(debs, pkg):
    """The downloaded .deb of @pkg in @debs, or None."""
    prefix = pkg + "_"
    for name in sorted(os.listdir(debs)):
        if name.startswith(prefix) and name.endswith(".deb") and \
                "_" not in name[len(prefix):].split("_", 1)[0]:
            return os.path.join(debs, name)
    return None


def download(debs, pkgs):
    """apt-get download what is not in @debs yet."""
    need = [p for p in pkgs if not deb_of(debs, p)]
    if not need:
        return
    say("downloading %d of %d packages from the Debian archive into %s"
        % (len(need), len(pkgs), debs))
    for attempt in (1, 2):
        r = run(["apt-get", "download", "-q"] + need, cwd=debs)
        if r.returncode == 0:
            break
        if attempt == 1 and "Unable to locate package" in r.stderr + r.stdout:
            apt_update()
            continue
        raise Error("apt-get download failed:\n" + r.stderr)
    missing = [p for p in need if not deb_of(debs, p)]
    if missing:
        raise Error("apt-get download did not give: %s" % " ".join(missing))


def merge_usr(root):
    """Debian 12's layout: /bin, /sbin, /lib, /lib64 are links into /usr."""
    for d in MERGED:
        top, usr = os.path.join(root, d), os.path.join(root, "usr", d)
        os.makedirs(usr, exist_ok=True)
        if os.path.islink(top):
            continue
        if os.path.isdir(top):
            for name in os.listdir(top):
                src, dst = os.path.join(top, name), os.path.join(usr, name)
                if os.path.isdir(dst) and not os.path.islink(dst) and \
                        os.path.isdir(src) and not os.path.islink(src):
                    subprocess.run(["cp", "-a", src + "/.", dst], check=True)
                    shutil.rmtree(src)
                else:
                    if os.path.lexists(dst):
                        os.remove(dst) if not os.path.isdir(dst) or os.path.islink(dst) \
                            else shutil.rmtree(dst)
                    os.rename(src, dst)
            os.rmdir(top)
        os.symlink("usr/" + d, top)


def build_tree(cache, pkgs):
    """The unpacked tree for @pkgs (cached by the list); returns its path."""
    key = hashlib.sha256(" ".join(pkgs).encode()).hexdigest()[:16]
    tree = os.path.join(cache, "tree-" + key)
    if os.path.isfile(os.path.join(tree, ".complete")):
        say("using the unpacked packages in %s" % tree)
        return tree
    debs = os.path.join(cache, "debs")
    os.makedirs(debs, exist_ok=True)
    download(debs, pkgs)
    tmp = tempfile.mkdtemp(prefix="tree-", dir=cache)
    root = os.path.join(tmp, "root")
    os.makedirs(root)
    for i, p in enumerate(pkgs, 1):
        say("unpacking %d/%d %s" % (i, len(pkgs), os.path.basename(deb_of(debs, p))))
        r = run(["dpkg-deb", "-x", deb_of(debs, p), root])
        if r.returncode != 0:
            shutil.rmtree(tmp)
            raise Error("dpkg-deb -x %s failed:\n%s" % (p, r.stderr))
    merge_usr(root)
    for d in DROPPED:
        shutil.rmtree(os.path.join(root, d), ignore_errors=True)
    with open(os.path.join(root, ".complete"), "w") as f:
        f.write(" ".join(pkgs) + "\n")
    shutil.rmtree(tree, ignore_errors=True)
    os.rename(root, tree)
    os.rmdir(tmp)
    return tree


PASSWD = ("root:x:0:0:root:/root:/bin/bash\n"
          "daemon:x:1:1:daemon:/usr/sbin:/usr/sbin/nologin\n"
          "nobody:x:65534:65534:nobody:/nonexistent:/usr/sbin/nologin\n")
GROUP = "root:x:0:\ndaemon:x:1:\ntty:x:5:\nnogroup:x:65534:\n"
PROFILE = """# Read by the login shell init starts on the console (Debian's bash).
export PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin
export HOME=/root
export TERM=${TERM:-vt100}
PS1='sprout:\\w\\$ '
umask 022
"""


def stage(tree, build, user_progs, stage_dir):
    """The image's tree: the packages (hard links to the cache) and Sprout's parts."""
    shutil.rmtree(stage_dir, ignore_errors=True)
    # Hard links cost nothing; across file systems they cannot be made, so copy.
    if subprocess.run(["cp", "-al", tree, stage_dir], stderr=subprocess.DEVNULL).returncode:
        shutil.rmtree(stage_dir, ignore_errors=True)
        subprocess.run(["cp", "-a", tree, stage_dir], check=True)
    os.remove(os.path.join(stage_dir, ".complete"))
    for d, mode in (("proc", 0o555), ("dev", 0o755), ("dev/shm", 0o1777), ("tmp", 0o1777),
                    ("run", 0o755), ("root", 0o700), ("etc", 0o755), ("usr/local/bin", 0o755),
                    ("usr/sbin", 0o755)):
        p = os.path.join(stage_dir, d)
        os.makedirs(p, exist_ok=True)
        os.chmod(p, mode)
    for name, text, mode in (("etc/passwd", PASSWD, 0o644), ("etc/group", GROUP, 0o644),
                             ("etc/profile", PROFILE, 0o644), ("etc/hostname", "sprout\n",
                                                               0o644)):
        p = os.path.join(stage_dir, name)
        if os.path.lexists(p):
            os.remove(p)    # a hard link into the cache: never write through it
        with open(p, "w") as f:
            f.write(text)
        os.chmod(p, mode)
    sh = os.path.join(stage_dir, "usr/bin/sh")
    if not os.path.lexists(sh):
        os.symlink("bash", sh)
    # What dpkg's alternatives would link (update-alternatives is not run here).
    for name, choices in (("awk", ("gawk", "mawk", "original-awk")), ("nawk", ("gawk", "mawk")),
                          ("pager", ("less", "more"))):
        link = os.path.join(stage_dir, "usr/bin", name)
        for c in choices:
            if not os.path.lexists(link) and os.path.exists(os.path.join(stage_dir, "usr/bin", c)):
                os.symlink(c, link)
    # The links udev makes on Debian: bash's process substitution <(...) opens /dev/fd/N.
    for name, target in (("fd", "/proc/self/fd"), ("stdin", "/proc/self/fd/0"),
                         ("stdout", "/proc/self/fd/1"), ("stderr", "/proc/self/fd/2")):
        if not os.path.lexists(os.path.join(stage_dir, "dev", name)):
            os.symlink(target, os.path.join(stage_dir, "dev", name))
    # df and mount read the mount table here, as on any Debian system.
    mtab = os.path.join(stage_dir, "etc/mtab")
    if not os.path.lexists(mtab):
        os.symlink("../proc/self/mounts", mtab)
    for prog in user_progs:
        src = os.path.join(build, "user", prog)
        dst = os.path.join(stage_dir, "usr/sbin/init" if prog == "init"
                           else "usr/local/bin/" + prog)
        if os.path.lexists(dst):
            os.remove(dst)
        shutil.copyfile(src, dst)
        os.chmod(dst, 0o755)


def write_cpio(stage_dir, out):
    names = []
    for dirpath, dirnames, filenames in os.walk(stage_dir):
        rel = os.path.relpath(dirpath, stage_dir)
        for n in dirnames + filenames:
            names.append(n if rel == "." else os.path.join(rel, n))
    names.sort()
    tmp = out + ".tmp"
    with open(tmp, "wb") as f:
        r = subprocess.run(["cpio", "--quiet", "-o", "-H", "newc", "--owner=0:0"],
                           cwd=stage_dir, input=("\n".join(names) + "\n").encode(),
                           stdout=f, stderr=subprocess.PIPE)
    if r.returncode != 0:
        raise Error("cpio failed: " + r.stderr.decode(errors="replace"))
    os.replace(tmp, out)


def main(argv):
    if len(argv) != 4:
        print(__doc__.split("\n\n")[1], file=sys.stderr)
        return 2
    build, out, packages, user_progs = argv
    try:
        wanted = BASE_PACKAGES + [p for p in packages.split() if p not in BASE_PACKAGES]
        say("resolving the dependencies of: %s" % " ".join(wanted))
        pkgs = resolve(wanted)
        tree = build_tree(cache_dir(), pkgs)
        stage_dir = os.path.join(build, "debian-root")
        stage(tree, build, user_progs.split(), stage_dir)
        write_cpio(stage_dir, out)
        say("%s: %d packages, %d MB" % (out, len(pkgs), os.path.getsize(out) >> 20))
    except (Error, OSError, subprocess.CalledProcessError) as e:
        say("error: %s" % e)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
