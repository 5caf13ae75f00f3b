#!/bin/sh
# Run the in-guest test suite natively on this Linux: run-all from the directory given as $1
# (build/tests/guest), inside a fresh pid namespace with its own /proc, under a time limit.
# Prints the suite's TAP and exits with run-all's status (124 on timeout, 125 on set-up errors).
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
TMPDIR=$tmp timeout -k 10 "$limit" unshare $ns -- \
	sh -c 'ulimit -S -c 0; cd "$1" && ./run-all; rc=$?; exit $rc' sh "$dir"
rc=$?
if [ "$rc" -eq 124 ]; then
	echo "test-linux: run-all did not finish within $limit s" >&2
fi
exit "$rc"
