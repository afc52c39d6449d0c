#!/bin/sh
# make bench: how fast ratable posts and exports on a large generated book, beside a bare
# libxlsxwriter loop writing the same cells (bench/xlsx_baseline.c).
#
# Each command runs BENCH_RUNS times (default 3) on a fresh copy of the book; the table shows the
# median wall time, the cells written per second where the command exports, the peak resident
# memory of all its runs (from /usr/bin/time -v), and for XLSX exports the ratio of the time per
# cell to the baseline's for the same number and mix of cells. The same table is written to
# build/bench/results.txt. Speed is measured here, never by a timed test in `make check`.
#
#   BENCH_CUSTOMERS  customers of the generated book (default 10000)
#   BENCH_CONTRACTS  contracts (default 100000)
#   BENCH_MONTHS     months of history, and the months of the waterfall (default 36)
#   BENCH_SEED       the generator's seed (default 1)
#   BENCH_RUNS       runs of each command (default 3)
#   BENCH_DIR        where the book and the outputs go (default build/bench); a book generated
#                    with the same parameters is kept there and used again
#   BENCH_SKIP       measurements to leave out, among: post regenerate waterfall rollforward
#                    customers statements pack (e.g. BENCH_SKIP="post statements")
#   RATABLE          the binary (default ./ratable)
set -eu
top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top"
bin=${RATABLE:-./ratable}
case $bin in /*) ;; *) bin="$top/$bin" ;; esac
baseline=${BENCH_BASELINE:-$top/build/xlsx_baseline}
customers=${BENCH_CUSTOMERS:-10000}
contracts=${BENCH_CONTRACTS:-100000}
months=${BENCH_MONTHS:-36}
seed=${BENCH_SEED:-1}
runs=${BENCH_RUNS:-3}
dir=${BENCH_DIR:-$top/build/bench}
case $dir in /*) ;; *) dir="$top/$dir" ;; esac
py=/usr/bin/python3 # the Debian one, with python3-openpyxl

[ -x /usr/bin/time ] || { echo "bench: /usr/bin/time is missing (Debian: apt-get install time)"; exit 1; }
[ -x "$bin" ] || { echo "bench: $bin is not built (make)"; exit 1; }
[ -x "$baseline" ] || { echo "bench: $baseline is not built (make build/xlsx_baseline)"; exit 1; }

# A fixed working date and clock: the same book and the same reports on every run.
export RATABLE_TODAY=${BENCH_TODAY:-2026-11-22}
export RATABLE_NOW=1795348800 RATABLE_USER=bench LC_ALL=C
unset RATABLE_BOOK

# Month arithmetic on YYYY-MM: add_months 2026-11 -3 prints 2026-08.
add_months() {
    echo "$1" | awk -F- -v d="$2" '{ n = $1 * 12 + ($2 - 1) + d;
        printf "%04d-%02d\n", int(n / 12), n % 12 + 1 }'
}
this_month=$(echo "$RATABLE_TODAY" | cut -c1-7)

mkdir -p "$dir/out"
book="$dir/book-$customers-$contracts-$months-$seed.ratable"
work="$dir/work.ratable"

# ---- the book ---------------------------------------------------------------------------------

# The book, generated once for these parameters and kept; how long that took (and the rows it
# wrote) is kept beside it, so the table shows it on every run.
if [ ! -f "$book" ]; then
    rm -f "$book.tmp" "$book.tmp-wal" "$book.tmp-shm" "$book.generated"
    echo "bench: generating $book ($customers customers, $contracts contracts, $months months)"
    r=$(timed "$bin" generate "$book.tmp" --customers "$customers" --contracts "$contracts" \
        --months "$months" --seed "$seed") || exit 1
    rows=0
    for t in $(sqlite3 "$book.tmp" "SELECT name FROM sqlite_schema WHERE type = 'table' AND"\
" name NOT LIKE 'sqlite_%'"); do
        rows=$((rows + $(sqlite3 "$book.tmp" "SELECT count(*) FROM \"$t\"")))
    done
    echo "$r $rows" >"$book.generated"
    mv "$book.tmp" "$book"
fi

# The month recognition is posted through, from any revenue report's header block.
"$bin" -b "$book" report rpo -o "$dir/out/rpo.csv" 2>/dev/null
posted=$(grep '^Recognition posted through,' "$dir/out/rpo.csv" | cut -d, -f2)
case $posted in
[0-9][0-9][0-9][0-9]-[0-9][0-9]) ;;
*) posted=$(add_months "$this_month" -2) ;;
esac
post_next=$(add_months "$posted" 1)
wf_to=$this_month
wf_from=$(add_months "$this_month" $((1 - months)))
rf_to=$posted
rf_from=$(add_months "$posted" -11)
st_from="$(add_months "$this_month" -11)-01"

skip() {
    case " ${BENCH_SKIP:-} " in *" $1 "*) return 0 ;; esac
    return 1
}

# ---- measuring ----------------------------------------------------------------------------------

results="$dir/results.txt"
: >"$results"
line() { printf '%s\n' "$*" | tee -a "$results"; }

median() { sort -n | awk '{ v[NR] = $1 } END { if (NR % 2) print v[(NR + 1) / 2];
                                               else printf "%.3f\n", (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }

# wall seconds and peak KiB of one run of "$@", from /usr/bin/time -v
timed() {
    /usr/bin/time -v "$@" >/dev/null 2>"$dir/time.txt" || {
        echo "bench: failed: $*" >&2
        cat "$dir/time.txt" >&2
        return 1
    }
    awk -F': ' '/Elapsed \(wall clock\)/ { n = split($2, t, ":"); s = 0;
                    for (i = 1; i <= n; i++) s = s * 60 + t[i]; wall = s }
                /Maximum resident set size/ { rss = $2 }
                END { printf "%.3f %d\n", wall, rss }' "$dir/time.txt"
}

# measure copy|read COMMAND...: runs ratable COMMAND BENCH_RUNS times, on a fresh copy of the
# book (copy: the command writes) or on the book itself (read). Sets $secs to the median seconds
# and $rss to the peak KiB.
measure() {
    mode=$1
    shift
    : >"$dir/runs.txt"
    rss=0
    i=0
    while [ $i -lt "$runs" ]; do
        target=$book
        if [ "$mode" = copy ]; then
            rm -f "$work" "$work-wal" "$work-shm"
            cp "$book" "$work"
            target=$work
        fi
        r=$(timed "$bin" -b "$target" "$@") || return 1
        echo "$r" | cut -d' ' -f1 >>"$dir/runs.txt"
        k=$(echo "$r" | cut -d' ' -f2)
        [ "$k" -gt "$rss" ] && rss=$k
        i=$((i + 1))
    done
    secs=$(median <"$dir/runs.txt")
}

row() { # NAME SECONDS CELLS KIB RATIO
    if [ "$3" = - ]; then rate=-; else
        rate=$(awk -v c="$3" -v s="$2" 'BEGIN { if (s > 0) printf "%.0f", c / s; else print "-" }')
    fi
    line "$(printf '%-40s %8s %10s %11s %8s %7s' "$1" "$2" "$3" "$rate" \
        "$(awk -v k="$4" 'BEGIN { printf "%.1f", k / 1024 }')" "$5")"
}

# baseline_for FILE.xlsx: runs the bare library on the export's number and mix of cells and
# prints the baseline's seconds per cell.
baseline_for() {
    set -- $($py "$top/bench/cells.py" "$1")
    cells=$1 width=$2 shape=$3
    rows=$(((cells + width - 1) / width))
    : >"$dir/runs.txt"
    brss=0
    i=0
    while [ $i -lt "$runs" ]; do
        r=$(cd "$dir/out" && timed "$baseline" baseline.xlsx "$rows" "$shape") || return 1
        echo "$r" | cut -d' ' -f1 >>"$dir/runs.txt"
        k=$(echo "$r" | cut -d' ' -f2)
        [ "$k" -gt "$brss" ] && brss=$k
        i=$((i + 1))
    done
    bsecs=$(median <"$dir/runs.txt")
    bcells=$((rows * width))
}

# export NAME FILE ARGS...: an export measured, then its baseline when it is a workbook.
export_row() {
    name=$1 file=$2
    shift 2
    measure read "$@" -o "$dir/out/$file" || { line "$(printf '%-40s failed' "$name")"; return 0; }
    case $file in
    *.xlsx)
        set -- $($py "$top/bench/cells.py" "$dir/out/$file")
        ecells=$1
        esecs=$secs erss=$rss
        baseline_for "$dir/out/$file"
        ratio=$(awk -v s="$esecs" -v c="$ecells" -v bs="$bsecs" -v bc="$bcells" \
            'BEGIN { printf "%.2f", (s / c) / (bs / bc) }')
        row "$name" "$esecs" "$ecells" "$erss" "$ratio"
        row "  bare libxlsxwriter, $shape" "$bsecs" "$bcells" "$brss" 1.00
        xlsx_cells=$ecells
        ;;
    *.csv) row "$name" "$secs" "${xlsx_cells:--}" "$rss" "" ;;
    esac
}

line "ratable bench: $customers customers, $contracts contracts, $months months, seed $seed;" \
    "$runs runs each, median; working date $RATABLE_TODAY"
line "book: $(du -h "$book" | cut -f1) ($book), recognition posted through $posted"
line ""
line "$(printf '%-40s %8s %10s %11s %8s %7s' command seconds cells cells/s 'peak MiB' ratio)"
if [ -f "$book.generated" ]; then
    read -r gsecs grss grows <"$book.generated"
    row "generate (one run; cells: rows written)" "$gsecs" "$grows" "$grss" ""
fi

if skip post; then
    line "recognize: skipped (BENCH_SKIP)"
else
    # A book posted through the working month posts the next one as of a day in it.
    today=
    if [ "$(echo "$post_next $this_month" | awk '{ print ($1 > $2) }')" = 1 ]; then
        today="--today $post_next-28"
    fi
    # shellcheck disable=SC2086
    measure copy $today recognize --through "$post_next" || true
    row "recognize --through $post_next" "$secs" - "$rss" ""
fi

if skip regenerate; then
    line "regenerating every schedule: skipped (BENCH_SKIP)"
else
    # Changing the convention re-plans every contract: a new version of every ratable
    # obligation's schedule is computed and written (the cells column counts the lines written).
    measure copy settings --convention daily || true
    lines=$(($(sqlite3 "$work" "SELECT count(*) FROM schedule_lines") - \
        $(sqlite3 "$book" "SELECT count(*) FROM schedule_lines")))
    row "regenerate schedules (convention daily)" "$secs" "$lines" "$rss" ""
fi

if ! skip waterfall; then
    xlsx_cells=-
    export_row "waterfall $months months, XLSX" waterfall.xlsx report waterfall \
        --from "$wf_from" --to "$wf_to"
    export_row "waterfall $months months, CSV" waterfall.csv report waterfall \
        --from "$wf_from" --to "$wf_to"
fi
if ! skip rollforward; then
    xlsx_cells=-
    export_row "rollforward 12 months, XLSX" rollforward.xlsx report rollforward \
        --from "$rf_from" --to "$rf_to"
    export_row "rollforward 12 months, CSV" rollforward.csv report rollforward \
        --from "$rf_from" --to "$rf_to"
fi
if ! skip customers; then
    xlsx_cells=-
    export_row "customer list, XLSX" customers.xlsx customer list
    export_row "customer list, CSV" customers.csv customer list
fi
if ! skip statements; then
    xlsx_cells=-
    export_row "statement --all 12 months, XLSX" statements.xlsx report statement --all \
        --from "$st_from" --to "$RATABLE_TODAY"
fi
if ! skip pack; then
    xlsx_cells=-
    export_row "pack --period $posted, XLSX" pack.xlsx report pack --period "$posted"
fi

# Correct at scale: what was exported is checked (not timed): the XLSX holds the CSV's numbers,
# every total equals the sum of its rows, and the book passes every check.
line ""
for n in waterfall rollforward customers; do
    if [ -f "$dir/out/$n.csv" ] && [ -f "$dir/out/$n.xlsx" ]; then
        line "$($py "$top/bench/verify.py" "$dir/out/$n.csv" "$dir/out/$n.xlsx")" || true
    fi
done
if "$bin" -b "$book" check >"$dir/check.txt" 2>&1; then
    line "check: $(tail -1 "$dir/check.txt")"
else
    line "check FAILED: $(grep FAIL "$dir/check.txt" | head -3)"
fi

line ""
line "seconds: median wall time; cells/s: cells written (counted in the workbook) per second;"
line "peak MiB: the largest maximum resident set size of the runs; ratio: time per cell over the"
line "bare library's for the same number and mix of cells (1.00 is the library alone)."
rm -f "$work" "$work-wal" "$work-shm" "$dir/time.txt" "$dir/runs.txt"

if [ -x "$top/bench/tui.sh" ]; then
    BENCH_BOOK="$book" RATABLE="$bin" "$top/bench/tui.sh" "$book"
fi
