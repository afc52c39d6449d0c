#!/bin/sh
# Stress tests of the book: ratable killed at any moment (crash.py). See the head of the script
# for what it asserts.
#
#   sh tests/stress/run.sh            the long form (make stress): 240 random kills, every
#                                     operation swept
#   sh tests/stress/run.sh --smoke    the short form make check runs (a few seconds)
#   RATABLE=path/to/ratable           the binary to test (default ./ratable)
#   RATABLE_KILLSHIM=path             the LD_PRELOAD kill shim (default build/tests/killshim.so)
#   STRESS_SEED=N                     the seed of the random kills (printed by every run)
set -eu
here=$(cd "$(dirname "$0")" && pwd)
py=/usr/bin/python3
status=0
$py "$here/crash.py" "$@" || status=1
[ $status -eq 0 ] && echo "stress: all passed"
exit $status
