#!/bin/sh
# Signals on the command line: SIGINT, SIGTERM and SIGHUP at any moment of an export leave either
# the whole file or none (never a temporary or partial one), and at any moment of a write leave the
# book whole (what was in flight is rolled back). Runs N rounds (default 24) at rising delays.
set -u
here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/../.." && pwd)
bin=${RATABLE:-./ratable}
case $bin in /*) ;; *) bin="$top/$bin" ;; esac
py=/usr/bin/python3
rounds=${1:-24}
export RATABLE_NOW=1795348800 RATABLE_TODAY=2026-11-22 RATABLE_USER=signals
unset RATABLE_BOOK
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cd "$work"
"$bin" demo demo.ratable >/dev/null || { echo "signals: the demo failed"; exit 1; }
fails=0 whole=0 none=0
i=0
while [ $i -lt "$rounds" ]; do
    sig=TERM
    case $((i % 3)) in 1) sig=INT ;; 2) sig=HUP ;; esac
    delay=$(awk "BEGIN { printf \"%.3f\", $i * 0.7 / $rounds }")
    rm -f pack.xlsx
    "$bin" -b demo.ratable report pack --period 2026-08 -o pack.xlsx 2>/dev/null &
    pid=$!
    sleep "$delay"
    kill -s $sig $pid 2>/dev/null
    wait $pid 2>/dev/null
    if ls -a | grep -q '^\.pack\.xlsx\.'; then
        echo "FAIL signals: SIG$sig after ${delay}s left a temporary file: $(ls -a | grep '^\.pack')"
        fails=$((fails + 1))
    fi
    if [ -e pack.xlsx ]; then
        if $py -c "import sys, openpyxl; openpyxl.load_workbook(sys.argv[1])" pack.xlsx 2>/dev/null; then
            whole=$((whole + 1))
        else
            echo "FAIL signals: SIG$sig after ${delay}s left a partial pack.xlsx"
            fails=$((fails + 1))
        fi
    else
        none=$((none + 1))
    fi
    i=$((i + 1))
done
# A write interrupted: the book stays whole, the change wholly there or absent.
"$bin" -b demo.ratable customer add SIGNAL --name "Signal Test" >/dev/null &
pid=$!
sleep 0.05
kill -s INT $pid 2>/dev/null
wait $pid 2>/dev/null
if [ "$(sqlite3 demo.ratable 'PRAGMA integrity_check')" != ok ] ||
    ! "$bin" -b demo.ratable check >/dev/null 2>&1; then
    echo "FAIL signals: an interrupted write left the book damaged"
    fails=$((fails + 1))
fi
# A generated book interrupted: the run stops at its next step, says so, and leaves no book and
# none of its temporary files.
"$bin" generate gen.ratable --customers 200 --contracts 3000 --months 36 >gen.out 2>gen.err &
pid=$!
sleep 1
kill -s INT $pid 2>/dev/null
wait $pid
status=$?
if [ $status -ne 1 ] || ! grep -q cancelled gen.err || ls -a | grep -q '^gen\.ratable'; then
    echo "FAIL signals: an interrupted generate (exit $status): $(cat gen.err) $(ls -a | grep gen)"
    fails=$((fails + 1))
fi
if [ $fails -ne 0 ]; then
    echo "signals: $fails failures"
    exit 1
fi
echo "signals: $rounds exports interrupted: $whole left the whole file, $none none, no temporary or partial file; an interrupted generate left nothing"
