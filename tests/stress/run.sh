#!/bin/sh
# Stress tests of the book: ratable killed at any moment (crash.py), two people writing to one
# book at once (concurrent.py), and SIGINT/SIGTERM/SIGHUP during exports and writes (signals.sh).
# See the head of each script for what they assert.
#
#   sh tests/stress/run.sh            the long form (make stress): 240 random kills, every
#                                     operation swept, 2 x 500 concurrent edits
#   sh tests/stress/run.sh --smoke    the short form make check runs (a few seconds)
#   RATABLE=path/to/ratable           the binary to test (default ./ratable)
#   RATABLE_KILLSHIM=path             the LD_PRELOAD kill shim (default build/tests/killshim.so)
#   STRESS_SEED=N                     the seed of the random kills (printed by every run)
set -eu
here=$(cd "$(dirname "$0")" && pwd)
py=/usr/bin/python3
status=0
$py "$here/crash.py" "$@" || status=1
$py "$here/concurrent.py" "$@" || status=1
case " $* " in *" --smoke "*) rounds=12 ;; *) rounds=60 ;; esac
sh "$here/signals.sh" $rounds || status=1
[ $status -eq 0 ] && echo "stress: all passed"
exit $status
