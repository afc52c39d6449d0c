#!/bin/sh
# Every suite under valgrind's memcheck: the unit and database tests, the command line on the
# demo book (writes, checks, the XLSX audit pack), and the workstation driven in tmux through
# every screen. Any invalid access, uninitialised use or definite leak fails; ncurses' own
# lifetime allocations are suppressed (tests/valgrind/ncurses.supp). Slow: `make valgrind`.
set -u
here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/../.." && pwd)
bin=${RATABLE:-$top/ratable}
vg="valgrind -q --error-exitcode=9 --leak-check=full --errors-for-leak-kinds=definite --suppressions=$here/ncurses.supp"
export RATABLE_NOW=1795348800 RATABLE_TODAY=2026-11-22 RATABLE_USER=valgrind
unset RATABLE_BOOK
work=$(mktemp -d)
trap 'tmux kill-session -t ratable-vg-$$ 2>/dev/null; rm -rf "$work"' EXIT
fails=0
for t in "$top"/build/tests/test_*; do
    case $t in *.*) continue ;; esac
    [ -x "$t" ] || continue
    if ! (cd "$top" && $vg "$t" >"$work/unit.log" 2>&1); then
        echo "FAIL valgrind: $(basename "$t")"; tail -30 "$work/unit.log"; fails=$((fails + 1))
    fi
done
cd "$work"
run() {
    if ! $vg "$bin" "$@" >"$work/cli.log" 2>&1; then
        echo "FAIL valgrind: ratable $*"; tail -30 "$work/cli.log"; fails=$((fails + 1))
    fi
}
run demo demo.ratable
run -b demo.ratable check
run -b demo.ratable memo new NOVA-Y2 --effective 2026-11-01 --type downgrade --description "x" --consideration -100.00 --preview
run -b demo.ratable close 2026-09 --no-backup
run -b demo.ratable report pack --period 2026-09 -o pack.xlsx
run -b demo.ratable report waterfall --from 2026-01 --to 2026-12 -o waterfall.csv
# The workstation: every screen, a form, the memo preview, the close checklist, the change log.
s=ratable-vg-$$
tmux new-session -d -s $s -x 120 -y 40 \
    "env TERM=screen-256color RATABLE_NOW=$RATABLE_NOW RATABLE_TODAY=$RATABLE_TODAY $vg --log-file=$work/tui.log $bin -b demo.ratable; echo done > $work/tui.done"
step() { tmux send-keys -t $s "$@"; sleep 3; }
sleep 4
step 1; step Enter; step Escape; step 2; step 3; step Enter; step Escape; step 4; step Enter
step Escape; step 5; step 6; step 7; step l; step Escape; step 3; step Q
i=0
while [ ! -e "$work/tui.done" ] && [ $i -lt 120 ]; do sleep 1; i=$((i + 1)); done
if [ ! -e "$work/tui.done" ]; then
    echo "FAIL valgrind: the workstation did not quit"; fails=$((fails + 1))
elif [ -s "$work/tui.log" ]; then
    echo "FAIL valgrind: the workstation"; cat "$work/tui.log"; fails=$((fails + 1))
fi
if [ $fails -ne 0 ]; then
    echo "valgrind: $fails failed"
    exit 1
fi
echo "valgrind: unit tests, the command line and the workstation are clean"
