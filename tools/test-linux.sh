#!/bin/sh
# Run the in-guest test suite natively on this Linux: run-all from the directory given as $1
# (build/tests/guest), inside a fresh pid namespace with its own /proc, under a time limit.
# Prints the suite's TAP, then the list of cases skipped on Linux with each one's reason, and
# exits with run-all's status (124 on timeout, 125 on set-up errors).
#   usage: tools/test-linux.sh DIR
set -u

dir=${1:?usage: test-linux.sh DIR}
limit=${TEST_LINUX_TIMEOUT:-600}

if [ ! -x "$dir/run-all" ]; then
	echo "test-linux: $dir/run-all is missing (make test-linux builds it)" >&2
	exit 125
fi
dir=$(cd "$dir" && pwd)

# A private temp directory, removed afterwards whatever happens.
tmp=$(mktemp -d "${TMPDIR:-/tmp}/sprout-guest.XXXXXX") || exit 125
# Like /tmp (sticky, writable by all): cases that drop to another uid open files they were
# given by path or make their own.
chmod 1777 "$tmp"
trap 'rm -rf "$tmp"' EXIT
trap 'exit 143' INT TERM

# --kill-child: if the time limit kills unshare, the namespace's pid 1 and with it every test
# process go too.
ns="--pid --fork --kill-child --mount-proc"
[ "$(id -u)" -ne 0 ] && ns="--map-root-user $ns"

# Inside the namespace a shell is pid 1 (the reaper of the suite's orphans, as init is on
# Sprout) and run-all its child. No core files from the tests that crash a child on purpose:
# the soft limit only, so that the core file tests may raise it again.
# shellcheck disable=SC2086,SC2016
{
	TMPDIR=$tmp timeout -k 10 "$limit" unshare $ns -- \
		sh -c 'ulimit -S -c 0; cd "$1" && ./run-all; rc=$?; exit $rc' sh "$dir"
	echo $? > "$tmp/rc"
} | tee "$tmp/tap"
rc=$(cat "$tmp/rc" 2>/dev/null || echo 125)

# The skips, each with its reason: the directive's text, or for "see diagnostics" the case's
# last diagnostic line before its result.
awk '
	/^# program: / { prog = $3; diag = ""; next }
	/^(not )?ok / {
		if (match($0, / # SKIP ?/)) {
			name = substr($0, 1, RSTART - 1)
			sub(/^(not )?ok /, "", name)
			why = substr($0, RSTART + RLENGTH)
			if ((why == "" || why == "see diagnostics") && diag != "")
				why = diag
			sub(/^SKIP:? */, "", why)
			list[n++] = "  " prog " " name ": " why
		}
		diag = ""
		next
	}
	/^# / { diag = substr($0, 3) }
	END {
		printf "test-linux: %d case(s) skipped on Linux%s\n", n, n ? ":" : ""
		for (i = 0; i < n; i++)
			print list[i]
	}
' "$tmp/tap"
if [ "$rc" -eq 124 ]; then
	echo "test-linux: run-all did not finish within $limit s" >&2
fi
exit "$rc"
