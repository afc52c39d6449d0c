#!/bin/sh
# bench/tui.sh BOOK — how fast the workstation is on BOOK, measured by the workstation itself
# (RATABLE_KEYTIME, see ratable(1)) while tmux drives it like a person would:
#   the first screen (from the start of the process to the Customers list drawn);
#   Customers (1), Contracts (3) and Invoices (5): go to the far end (G), then 50 keys there (Up,
#   PgUp, PgDn, Down), and report the median and the slowest CPU time per key, the slowest SQL
#   statement and the process's peak resident memory (VmHWM); in Invoices, only those with
#   something open (o) and back, and a search for a number (/); in Contracts a search for a
#   code; Customers sorted by what they owe and to the far end; a customer opened (Enter); then
#   the work done between keys
#   (rows fetched ahead, counts, searches read on and balances worked out for sorting while no
#   key waits: its CPU in all and its slowest step, which is the longest a key arriving
#   meanwhile can wait).
# Not a test: nothing here passes or fails on a time. RATABLE=path picks the binary.
set -u
[ $# -eq 1 ] || { echo "usage: bench/tui.sh BOOK" >&2; exit 2; }
BOOK=$1
[ -f "$BOOK" ] || { echo "bench/tui.sh: no book $BOOK" >&2; exit 1; }
command -v tmux >/dev/null || { echo "bench/tui.sh: tmux is not installed" >&2; exit 1; }
HERE=$(cd "$(dirname "$0")" && pwd)
BIN=${RATABLE:-$HERE/../ratable}
case $BIN in /*) ;; *) BIN="$(pwd)/$BIN" ;; esac
case $BOOK in /*) ;; *) BOOK="$(pwd)/$BOOK" ;; esac
WORK=$(mktemp -d)
LOG=$WORK/keytime
SESSION=ratable-bench-$$
trap 'tmux kill-session -t "$SESSION" 2>/dev/null; rm -rf "$WORK"' EXIT INT TERM
: >"$LOG"

lines() { grep -vc '^idle' "$LOG"; }
# Waits until the workstation has logged `want` lines (it logs one per key, after drawing).
wait_for() {
    i=0
    while [ "$(lines)" -lt "$1" ] && [ $i -lt 1200 ]; do
        sleep 0.05
        i=$((i + 1))
    done
    [ "$(lines)" -ge "$1" ] || { echo "bench/tui.sh: the workstation stopped answering" >&2; cut -c1-80 "$LOG" >&2; exit 1; }
}
# Waits until the work between keys is done: no step logged for half a second.
settle() {
    prev=-1
    while [ "$(wc -l <"$LOG")" -ne "$prev" ]; do
        prev=$(wc -l <"$LOG")
        sleep 0.5
    done
}
# key PHASE KEY...: sends the keys (one key, or a prompt's keys ending in Enter), waits for the
# line logged when they are handled, and tags the line with the phase.
key() {
    n=$(($(lines) + 1))
    phase=$1
    shift
    tmux send-keys -t "$SESSION" "$@"
    wait_for $n
    echo "$phase" >>"$WORK/phases"
}

tmux new-session -d -s "$SESSION" -x 120 -y 40 \
    "env TERM=screen-256color NO_COLOR=1 LC_ALL=C.UTF-8 RATABLE_KEYTIME=$LOG $BIN -b $BOOK; sleep 5"
wait_for 1
echo first >"$WORK/phases"
PID=$(head -1 "$LOG" | cut -f2)

for list in 1:customers 3:contracts 5:invoices; do
    k=${list%%:*}
    name=${list#*:}
    key "$name-open" "$k"
    key "$name-end" G
    for i in $(seq 20); do key "$name" Up; done
    for i in $(seq 5); do key "$name" PPage; done
    for i in $(seq 5); do key "$name" NPage; done
    for i in $(seq 20); do key "$name" Down; done
done
# Still in Invoices: those with something open, all again, then a search typed into its prompt
# (one line for the whole of it: the prompt reads its own keys), and its end; then the first
# customer opened.
key invoices-open-only o
key invoices-all o
key invoices-search / I N V - 1 2 3 4 5 Enter
key invoices-search-end G
key contracts-list 3
key contracts-search / K 0 4 2 1 2 3 4 Enter
key customers-list 1
key customers-by-name s
key customers-by-owed s
settle
key customers-owed-end G
key customers-by-credit s
key customers-by-code s
key customer-detail Enter
HWM=$(awk '/^VmHWM/ {print $2}' "/proc/$PID/status" 2>/dev/null)
tmux send-keys -t "$SESSION" Q

grep -v '^idle' "$LOG" | paste "$WORK/phases" - >"$WORK/tagged"
echo "book: $BOOK"
awk -F'\t' -v hwm="${HWM:-?}" '
    function median(a, n,   i, j, t) {
        for (i = 2; i <= n; i++) { t = a[i]; for (j = i - 1; j >= 1 && a[j] > t; j--) a[j + 1] = a[j]; a[j + 1] = t }
        return n % 2 ? a[(n + 1) / 2] : (a[n / 2] + a[n / 2 + 1]) / 2
    }
    $1 == "first" { printf "first screen: %.1f ms wall, %.1f ms CPU, slowest query %.1f ms\n", $5, $4, $6; next }
    $1 != "customers" && $1 != "contracts" && $1 != "invoices" { printf "%-16s %8.1f ms CPU %8.1f ms wall, slowest query %.1f ms\n", $1 " (" $3 ")", $4, $5, $6; next }
    { p = $1; n[p]++; cpu[p, n[p]] = $4; if ($4 > maxc[p]) maxc[p] = $4; if ($5 > maxw[p]) maxw[p] = $5
      if ($6 > maxq[p]) { maxq[p] = $6; sql[p] = $8 } }
    END {
        printf "\n%-10s %5s %12s %10s %11s %12s\n", "list", "keys", "median CPU", "max CPU", "max wall", "max query"
        split("customers contracts invoices", order, " ")
        for (o = 1; o <= 3; o++) {
            p = order[o]
            if (!(p in n)) continue
            for (i = 1; i <= n[p]; i++) a[i] = cpu[p, i]
            printf "%-10s %5d %9.3f ms %7.3f ms %8.3f ms %9.3f ms\n", p, n[p], median(a, n[p]), maxc[p], maxw[p], maxq[p]
        }
        for (o = 1; o <= 3; o++) if (sql[order[o]] != "") printf "slowest in %s: %s\n", order[o], substr(sql[order[o]], 1, 100)
        printf "\npeak RSS (VmHWM): %s kB\n", hwm
    }' "$WORK/tagged"
awk -F'\t' '$1 == "idle" { n++; cpu += $3; if ($3 > max) max = $3; if ($5 > maxq) maxq = $5 }
    END { printf "between keys: %d steps, %.1f ms CPU in all, slowest step %.3f ms CPU, slowest query %.3f ms\n", n, cpu, max, maxq }' "$LOG"
