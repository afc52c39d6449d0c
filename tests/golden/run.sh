#!/bin/sh
# Golden tests of the command line: each tests/golden/cases/NAME.sh runs ratable commands in a
# fresh directory with a pinned clock and working date; everything it prints (standard output
# and standard error, with exit statuses) must equal tests/golden/expected/NAME.out exactly.
#
#   sh tests/golden/run.sh            run every case
#   sh tests/golden/run.sh --update   rewrite the expected files (review the diff before committing)
#   RATABLE=path/to/ratable           the binary to test (default ./ratable)
set -u
here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/../.." && pwd)
bin=${RATABLE:-./ratable}
case $bin in /*) ;; *) bin="$top/$bin" ;; esac
update=0
[ "${1:-}" = "--update" ] && update=1

export RATABLE_NOW=1795348800 # 2026-11-22T12:00:00Z
export RATABLE_TODAY=2026-11-22
export RATABLE_USER=golden
unset RATABLE_BOOK XDG_DATA_HOME NO_COLOR
export LC_ALL=C.UTF-8

# `r ARGS...` runs ratable and prints its exit status when it is not 0.
r() {
    "$bin" "$@" 2>&1
    rc=$?
    [ $rc -eq 0 ] || echo "[exit $rc]"
    return 0
}

failed=0
total=0
for case_file in "$here"/cases/*.sh; do
    name=$(basename "$case_file" .sh)
    total=$((total + 1))
    work=$(mktemp -d)
    out="$work/output"
    (cd "$work" && . "$case_file") >"$out" 2>&1
    expected="$here/expected/$name.out"
    if [ $update -eq 1 ]; then
        cp "$out" "$expected"
        echo "updated $name"
    elif ! cmp -s "$out" "$expected"; then
        echo "FAIL golden/$name"
        diff -u "$expected" "$out" | head -60
        failed=$((failed + 1))
    fi
    rm -rf "$work"
done
if [ $failed -ne 0 ]; then
    echo "golden: $failed of $total cases failed"
    exit 1
fi
echo "golden: $total cases passed"
