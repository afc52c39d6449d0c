#!/bin/sh
# Hostile CSV imports. Each tests/hostile/cases/KIND/NAME.csv holds one fault (a date that is not
# in the calendar, an amount finer than its currency, an overflow, broken UTF-8, a NUL byte, an
# unclosed quote, a repeated code...), and a few more that are too big to keep in the tree are
# written here at run time. Every one is imported into a fresh demo book with
# `ratable import KIND FILE`, and must
#   - exit with a non-zero status,
#   - print as its first line on standard error exactly the line tests/hostile/expected holds for
#     it (FILE:ROW:COLUMN: reason, FILE being KIND/NAME.csv), and
#   - leave the book's content (sqlite3 .dump, user_version and application_id) unchanged, but for
#     the change log's record of the refusal.
# Each tests/hostile/valid/KIND/NAME.csv is an encoding the reader accepts (a UTF-8 byte-order
# mark, CRLF or CR line ends); it must import into a copy of the book and leave it passing
# `ratable check`.
#
#   sh tests/hostile/run.sh            run every case
#   sh tests/hostile/run.sh --update   rewrite tests/hostile/expected (review every changed line:
#                                      the row and column must point at the fault)
#   RATABLE=path/to/ratable            the binary to test (default ./ratable)
set -u
here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/../.." && pwd)
bin=${RATABLE:-./ratable}
case $bin in /*) ;; *) bin="$top/$bin" ;; esac
update=0
[ "${1:-}" = "--update" ] && update=1

export RATABLE_NOW=1795348800 # 2026-11-22T12:00:00Z
export RATABLE_TODAY=2026-11-22
export RATABLE_USER=hostile
unset RATABLE_BOOK XDG_DATA_HOME NO_COLOR
export LC_ALL=C.UTF-8

if ! command -v sqlite3 >/dev/null 2>&1; then
    echo "hostile: sqlite3 is needed to compare the book before and after (make deps)"
    exit 1
fi

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
book="$work/demo.ratable"
if ! "$bin" -b "$book" demo >/dev/null; then
    echo "hostile: cannot write the demo book"
    exit 1
fi

# The book's content, independent of how SQLite lays out its pages. A refused import is itself
# recorded in the change log (who asked for what, and why it was refused); that record is the
# one row a refusal adds, so the comparison leaves refused rows out.
content() {
    {
        sqlite3 "$1" .dump | grep -v '^INSERT INTO change_log VALUES'
        sqlite3 "$1" 'SELECT * FROM change_log WHERE refused = 0 ORDER BY id;'
        sqlite3 "$1" 'PRAGMA user_version; PRAGMA application_id;'
    } | sha256sum | cut -d' ' -f1
}
# The demo closes its past months; the corpus's dates fall in them, and each case is about its
# own fault, so the months are reopened first (a closed month is tested elsewhere).
for p in $(sqlite3 "$book" 'SELECT period FROM periods ORDER BY period DESC'); do
    "$bin" -b "$book" reopen "$p" --reason "the hostile corpus is dated in this month" >/dev/null
done
before=$(content "$book")
# A pristine copy, put back whenever a case that should have been refused changed the book, so
# one failure does not make every later case fail too.
mkdir -p "$work/pristine"
cp "$book"* "$work/pristine/"
restore() {
    rm -f "$book" "$book-wal" "$book-shm"
    cp "$work/pristine/"* "$work/"
}

# Cases too big for the tree, written under $work/big with the same KIND/NAME.csv layout.
big="$work/big"
mkdir -p "$big/customers" "$big/credits" "$big/invoices" "$big/payments"
repeat() { # repeat COUNT CHAR: COUNT copies of one ASCII character
    head -c "$1" /dev/zero | tr '\0' "$2"
}
{ # A 10 MB quoted field.
    printf 'code,name\nBIG1,"'
    repeat 10485760 x
    printf '"\n'
} >"$big/customers/name_10mb_quoted.csv"
{ # A 10 MB unquoted field at the end of a row, with no line end after it.
    printf 'customer,amount,date,reason\nACME,5.00,2026-01-05,'
    repeat 10485760 y
} >"$big/credits/reason_10mb_unquoted.csv"
{ # One byte beyond the longest field the reader takes (131072 bytes).
    printf 'customer,amount,date,reference\nACME,5.00,2026-11-02,'
    repeat 131073 z
    printf '\n'
} >"$big/payments/reference_one_byte_too_long.csv"
{ # A very long line whose fields all fit: a name of 40,000 characters.
    printf 'code,name\nLONG1,'
    repeat 40000 n
    printf '\n'
} >"$big/customers/name_40000_characters.csv"
{ # An address one character longer than a spreadsheet cell holds, in a two-byte script.
    printf 'code,name,address\nLONG2,Long Address,'
    i=0
    while [ $i -lt 4096 ]; do
        printf 'عنوانعنوان'
        i=$((i + 1))
    done
    printf 'ع\n'
} >"$big/customers/address_32768_characters.csv"
{ # A line of a million commas.
    printf 'customer,date,description,amount\nACME,2026-11-01,Plan,1.00\n'
    repeat 1000000 ,
    printf '\n'
} >"$big/invoices/line_of_a_million_commas.csv"
{ # A million rows that are one field short: the first is named, the rest are counted.
    printf 'code,name\n'
    yes x | head -n 1000000
} >"$big/customers/a_million_short_rows.csv"
{ # 5,000 good one-line invoices, then one with a date not in the calendar.
    printf 'customer,date,description,amount,number\n'
    i=0
    while [ $i -lt 5000 ]; do
        printf 'ACME,2026-11-01,Plan,1.00,G-%d\n' $i
        i=$((i + 1))
    done
    printf 'ACME,2026-11-31,Plan,1.00,G-last\n'
} >"$big/invoices/bad_date_after_5000_invoices.csv"
{ # 20,000 good customers, then one bad code: the row count holds at scale and all roll back.
    printf 'code,name\n'
    i=0
    while [ $i -lt 20000 ]; do
        printf 'G%05d,Generated %d\n' $i $i
        i=$((i + 1))
    done
    printf 'BAD CODE,The last one\n'
} >"$big/customers/bad_code_after_20000_rows.csv"

failed=0
faults=0
got_lines="$work/got"
: >"$got_lines"

# check DIR REL: imports DIR/REL (REL is KIND/NAME.csv) and checks it is refused as expected.
check() {
    dir=$1
    rel=$2
    kind=${rel%%/*}
    faults=$((faults + 1))
    printf '%s\n' "$rel" >>"$work/cases"
    (cd "$dir" && "$bin" -b "$book" import "$kind" "$rel") >"$work/out" 2>"$work/err"
    rc=$?
    first=$(head -n 1 "$work/err")
    printf '%s\n' "$first" >>"$got_lines"
    if [ $rc -eq 0 ]; then
        echo "FAIL hostile/$rel: imported (exit 0): $(head -n 1 "$work/out")"
        failed=$((failed + 1))
    fi
    if [ "$(content "$book")" != "$before" ]; then
        echo "FAIL hostile/$rel: the book changed"
        failed=$((failed + 1))
        restore
    fi
    if [ $update -eq 0 ]; then
        want=$(awk -v p="$rel:" 'index($0, p) == 1' "$here/expected")
        if [ -z "$want" ]; then
            echo "FAIL hostile/$rel: no line for it in tests/hostile/expected"
            echo "  got:      $first"
            failed=$((failed + 1))
        elif [ "$first" != "$want" ]; then
            echo "FAIL hostile/$rel"
            echo "  expected: $want"
            echo "  got:      $first"
            failed=$((failed + 1))
        fi
    fi
}

for f in $(cd "$here/cases" && find . -name '*.csv' | sed 's|^\./||' | LC_ALL=C sort); do
    check "$here/cases" "$f"
done
for f in $(cd "$big" && find . -name '*.csv' | sed 's|^\./||' | LC_ALL=C sort); do
    check "$big" "$f"
done

if [ $update -eq 1 ]; then
    LC_ALL=C sort "$got_lines" >"$here/expected"
    echo "hostile: wrote $faults lines to tests/hostile/expected; review the diff"
else
    # Every expectation belongs to a case that still exists.
    cut -d: -f1 "$here/expected" | while read -r rel; do
        grep -qxF "$rel" "$work/cases" || echo "$rel"
    done >"$work/stale"
    if [ -s "$work/stale" ]; then
        echo "FAIL hostile: tests/hostile/expected names cases that do not exist:"
        sed 's/^/  /' "$work/stale"
        failed=$((failed + 1))
    fi
fi

valid=0
for f in $(cd "$here/valid" && find . -name '*.csv' | sed 's|^\./||' | LC_ALL=C sort); do
    valid=$((valid + 1))
    kind=${f%%/*}
    cp "$book" "$work/valid.ratable"
    if ! (cd "$here/valid" && "$bin" -b "$work/valid.ratable" import "$kind" "$f") \
        >"$work/out" 2>"$work/err"; then
        echo "FAIL hostile/valid/$f: refused"
        sed 's/^/  /' "$work/err"
        failed=$((failed + 1))
    elif [ "$(content "$work/valid.ratable")" = "$before" ]; then
        echo "FAIL hostile/valid/$f: exit 0 but nothing was written"
        failed=$((failed + 1))
    elif ! "$bin" -b "$work/valid.ratable" check >"$work/out" 2>&1; then
        echo "FAIL hostile/valid/$f: the book fails its checks after the import"
        sed 's/^/  /' "$work/out"
        failed=$((failed + 1))
    fi
    rm -f "$work/valid.ratable" "$work/valid.ratable-wal" "$work/valid.ratable-shm"
done

if [ $failed -ne 0 ]; then
    echo "hostile: $failed failures in $faults hostile files and $valid valid ones"
    exit 1
fi
echo "hostile: $faults hostile files refused exactly with the book unchanged; $valid valid files imported"
