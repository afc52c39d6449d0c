#!/bin/sh
# Screen tests: the workstation driven in tmux on a fixture book, at a fixed size and date,
# every screen compared with tests/tui/expected/*.txt. `sh tests/tui/run.sh --update` rewrites
# the expected screens (review the diff before committing them).
set -u
HERE=$(cd "$(dirname "$0")" && pwd)
TOP=$(cd "$HERE/../.." && pwd)
BIN=${RATABLE:-./ratable}
case $BIN in /*) ;; *) BIN="$TOP/$BIN" ;; esac
UPDATE=0
[ "${1:-}" = "--update" ] && UPDATE=1
export RATABLE_NOW=1795348800 RATABLE_TODAY=2026-03-20 RATABLE_USER=tester
unset RATABLE_BOOK NO_COLOR
WORK=$(mktemp -d)
. "$HERE/lib.sh"
trap 'tui_stop; rm -rf "$WORK"' EXIT INT TERM

command -v tmux >/dev/null || { echo "tui: tmux is not installed (make deps)"; exit 1; }

# ---- the fixture: names that must align by display width, credit that expires ------------
B=$WORK/t.ratable
r() { "$BIN" -b "$B" "$@" >/dev/null || { echo "fixture failed: $*"; exit 1; }; }
r init --company "Northwind Ltd" --currency USD
r customer add ACME --name "Acme Corporation" --email billing@acme.example --terms 30
r customer add ZOE --name "Zoë Åberg Studio" --currency EUR --terms 14
r customer add SAKURA --name "さくら工業株式会社" --currency JPY --terms 60
r customer add GLOBEX --name "Globex Industries"
r credit grant ACME 600.00 --date 2026-01-10 --expires 2026-03-31 --reason "Prepaid pack"
r credit grant ACME 500 --date 2026-02-01 --reason "Top-up"
r credit grant ZOE 60 --date 2026-02-01 --expires 2026-04-10 --kind promotional --reason "Design partner"
r credit grant ZOE 100 --date 2026-03-10 --expires 2026-04-10 --kind promotional --reason "Spring promotion"
r invoice issue ACME --date 2026-03-15 --line "Analytics Pro=1,000.00"
r invoice issue ZOE --date 2026-03-01 --line "Studio plan=240.00"
r invoice issue SAKURA --date 2026-02-01 --line "月額=180,000"
r payment record SAKURA 100,000 --date 2026-03-05 --invoice INV-000003

# ---- Customers ------------------------------------------------------------------------------
tui_start "$B"
tui_expect customers
tui_keys /
tui_type zo
tui_keys Enter
tui_expect customers-filter
tui_keys / C-u Enter
tui_keys Enter
tui_expect customer-detail
tui_keys q a
tui_type "BAD CODE"
tui_keys Tab
tui_type "Bad Co"
tui_keys F2
tui_expect customer-form-error
tui_keys C-u
tui_type NEWCO
tui_keys F2
tui_expect customer-added
tui_keys s s
tui_expect customers-by-owed

# ---- Credit balances -------------------------------------------------------------------------
tui_keys 2
tui_expect credits
tui_keys Enter
tui_expect credit-detail
tui_keys g
tui_type 250.00
tui_keys Tab Tab
tui_type 2026-06-30
tui_keys Tab Tab
tui_type "Loyalty"
tui_keys F2
tui_expect credit-after-grant
tui_keys Tab
tui_expect credit-movements

# ---- Invoices: credit applies when issued ----------------------------------------------------
tui_keys 5 i BTab C-u
tui_type GLOBEX
tui_keys Tab Tab Tab
tui_type "Consulting=1,500.00"
tui_keys F2
tui_expect invoice-issued

# ---- Resize, help, quit ---------------------------------------------------------------------
tui_keys 1
tmux resize-window -t "$TUI_SESSION" -x 72 -y 18
tui_settle
tui_expect resized
tui_keys "?"
tui_expect help
tui_keys q Q
sleep 0.3
tui_check quit-restores-terminal grep -q "exit=0" "$WORK/exit"
tui_stop

# ---- Wide names: emoji and CJK are cut by display width, right-to-left text kept whole --------
W=$WORK/w.ratable
B=$W
r init --company "Northwind Ltd" --currency USD
r customer add ROCKET --name "🚀🚀 Rocket Labs Interplanetary"
r customer add KANJI --name "東京都港区技術研究開発株式会社"
r customer add ARABIC --name "شركة"
r customer add PLAIN --name "Plain Trading Company Limited"
tui_start "$W" 72 12
tui_expect wide-names
tui_keys Q
tui_stop

# ---- Contracts and the guided new-contract flow ---------------------------------------------
C=$WORK/c.ratable
B=$C
r init --company "Northwind Ltd" --currency USD
r customer add ACME --name "Acme Corporation" --terms 30
r contract add ACME-2026 --customer ACME --signed 2025-12-20 --start 2026-01-01 --end 2026-12-31 --price 25,000 --billing quarterly
r obligation add ACME-2026 --name "Analytics SaaS, 1 year" --pattern ratable --ssp 24,000 --ssp-method observable --evidence "price book"
r obligation add ACME-2026 --name "Implementation" --pattern point --ssp 6,000 --ssp-method cost-plus --due 2026-03-31
r contract activate ACME-2026 --date 2026-01-01
r obligation deliver ACME-2026/2 --date 2026-03-10
r bill ACME-2026 --through 2026-03-20
tui_start "$C" 110 32
tui_keys 3
tui_expect contracts
tui_keys Enter
tui_expect contract-detail
tui_keys Right Right
tui_expect contract-detail-scrolled
tui_keys q n Enter
tui_type ACME-27
tui_keys Tab
tui_type ACME
tui_keys Tab
tui_type 2026-12-15
tui_keys Tab
tui_type 2027-01-01
tui_keys Tab
tui_type 2027-12-31
tui_keys F2 Enter
tui_type "Analytics SaaS, 12 months"
tui_keys F2 a
tui_type Implementation
tui_keys Tab C-u
tui_type point
tui_keys Tab Tab Tab
tui_type 2027-03-31
tui_keys F2 a
tui_type "Data migration"
tui_keys Tab C-u
tui_type point
tui_keys Tab Tab Tab
tui_type 2027-02-28
tui_keys Tab Tab C-u
tui_type no
tui_keys F2
tui_expect wizard-not-distinct-refused
tui_type 2
tui_keys Tab
tui_type "the implementation cannot be done without it"
tui_keys F2
tui_expect wizard-combined
tui_keys j Enter
tui_type 27,000
tui_keys Tab
tui_type 3,000
tui_keys Tab
tui_type 2
tui_keys F2 Enter
tui_type 24,000
tui_keys Tab Tab
tui_type "2026 price book"
tui_keys Tab
tui_type 6,500
tui_keys Tab C-u
tui_type cost-plus
tui_keys F2
tui_expect wizard-schedule
tui_keys A
tui_expect wizard-saved
# Month reports from the Reports screen: the form offers months, the report opens.
tui_keys 6 Down Down Down Down Enter
tui_expect report-waterfall-form
tui_keys F2
tui_expect report-waterfall
tui_keys q Down Down Down Enter
tui_keys F2
tui_expect report-revenue
tui_keys Q
tui_stop

# ---- Modification memos: a downgrade classified, previewed, saved, approved, posted ------------
r contract add NW-1 --customer ACME --signed 2026-01-01 --start 2026-01-01 --end 2026-12-31 --price 12,000.00
r obligation add NW-1 --name "Analytics Pro, 12 months" --pattern ratable --ssp 12,000.00 --ssp-method observable
r contract activate NW-1 --date 2026-01-01
r recognize --through 2026-02
tui_start "$B" 120 40
tui_keys 3 /
tui_type NW-1
tui_keys Enter Enter m
tui_keys C-u
tui_type 2026-03-01
tui_keys Tab
tui_type downgrade
tui_keys Tab
tui_type "Down to the basic tier"
tui_keys Tab
tui_type -1,200.00
tui_keys Tab Tab Tab Tab Tab Tab Tab Tab Tab Tab Tab
tui_type prospective
tui_keys F2
tui_expect memo-rationale-asked
tui_type "the months still to come are a series of distinct services"
tui_keys F2
tui_expect memo-preview
tui_keys S
tui_keys a
tui_type Dana
tui_keys Enter p y
tui_expect memo-posted
tui_keys 4
tui_expect memos-list

# ---- Close: the checklist of the first open month, the lock, reopen, the change log ---------------
tui_keys 7
tui_expect close-checklist
tui_keys c y
tui_expect close-closed
tui_keys o
tui_type "a late credit note for January"
tui_keys Enter
tui_expect close-reopened
tui_keys l a
tui_type period
tui_keys Enter
tui_expect change-log-filtered
tui_keys Q
tui_stop

# ---- Long lists: paged by key, to the far end and back ---------------------------------------
# 300 customers (their names sort the other way round from their codes), 300 contracts and 300
# invoices (newest first); the screen holds 16 rows, so every move past its edge fetches rows from
# the book.
L=$WORK/long.ratable
"$BIN" -b "$L" init --company "Longlist Ltd" --currency USD >/dev/null || exit 1
{
    echo "code,name"
    seq 1 300 | awk '{ printf "L%03d,Name %03d\n", $1, 301 - $1 }'
} >"$WORK/long-customers.csv"
{
    echo "code,customer,start,end,price"
    seq 1 300 | awk '{ printf "K-%04d,L%03d,2026-01-01,2026-12-31,%d.00\n", $1, ($1 * 7) % 300 + 1, $1 * 10 }'
} >"$WORK/long-contracts.csv"
"$BIN" -b "$L" import customers "$WORK/long-customers.csv" >/dev/null || exit 1
"$BIN" -b "$L" import contracts "$WORK/long-contracts.csv" >/dev/null || exit 1
{
    echo "customer,date,description,amount"
    seq 1 300 | awk '{ printf "L%03d,2025-%02d-%02d,Plan,%d.00\n", $1, 1 + int(($1 - 1) / 28), 1 + ($1 - 1) % 28, $1 }'
} >"$WORK/long-invoices.csv"
"$BIN" -b "$L" import invoices "$WORK/long-invoices.csv" >/dev/null || exit 1
keys() { # keys N KEY: the key N times
    i=0
    set -- "$1" "$2"
    while [ $i -lt "$1" ]; do printf '%s ' "$2"; i=$((i + 1)); done
}
tui_start "$L" 100 20
tui_expect long-customers-top
tui_selected long-customers-top-selected "L001  Name 300"
tui_keys G
tui_expect long-customers-end
tui_selected long-customers-end-selected "L300  Name 001"
tui_keys $(keys 20 k)
tui_expect long-customers-up-20
tui_selected long-customers-up-20-selected "L280  Name 021"
tui_keys PPage
tui_expect long-customers-page-up
tui_selected long-customers-page-up-selected "L264  Name 037"
tui_keys g
tui_expect long-customers-top
tui_keys $(keys 20 j)
tui_expect long-customers-down-20
tui_selected long-customers-down-20-selected "L021  Name 280"
tui_keys NPage NPage
tui_expect long-customers-page-down-2
tui_selected long-customers-page-down-2-selected "L053  Name 248"
# Pages held on either side of the screen (fetched between keys) and rows past them agree.
tui_keys $(keys 3 NPage) $(keys 40 k)
tui_expect long-customers-held
tui_selected long-customers-held-selected "L061  Name 240"
tui_keys $(keys 3 PPage) $(keys 3 NPage) G g
tui_selected long-customers-held-top-selected "L001  Name 300"
# A screen two rows high pages two rows at a time and holds two on either side.
tmux resize-window -t "$TUI_SESSION" -x 100 -y 6
tui_settle
tui_keys $(keys 5 j) NPage NPage k
tui_expect long-customers-tiny
tui_selected long-customers-tiny-selected "L009  Name 292"
tui_keys G PPage j
tui_selected long-customers-tiny-end-selected "L299  Name 002"
tmux resize-window -t "$TUI_SESSION" -x 100 -y 20
tui_settle
tui_keys g
tui_keys s G
tui_expect long-customers-by-name-end
tui_selected long-customers-by-name-end-selected "L001  Name 300"
tui_keys PPage k
tui_expect long-customers-by-name-back
tui_selected long-customers-by-name-back-selected "L018  Name 283"
tui_keys 3
tui_expect long-contracts-top
tui_selected long-contracts-top-selected "^ K-0001  Name"
tui_keys G
tui_expect long-contracts-end
tui_selected long-contracts-end-selected "^ K-0300  Name"
tui_keys PPage PPage $(keys 5 k)
tui_expect long-contracts-back
tui_selected long-contracts-back-selected "^ K-0263  Name"
tui_keys End
tui_expect long-contracts-end
tui_keys Home
tui_expect long-contracts-top
tui_keys 5 G
tui_expect long-invoices-end
tui_selected long-invoices-end-selected "INV-000001"
tui_keys PPage PPage $(keys 5 k)
tui_expect long-invoices-back
tui_selected long-invoices-back-selected "INV-000038"
tui_keys g
tui_selected long-invoices-top-selected "INV-000300"
tui_keys Q
tui_stop

# ---- A long report on screen: read as it is shown, to the end, searched ------------------------
# The demo book's journal for the months offered holds 381 lines: the screen reads only what it
# shows, End reads the rest and says how many, a search finds lines not read yet.
D=$WORK/demo.ratable
"$BIN" demo "$D" >/dev/null || exit 1
tui_start "$D" 100 30
tui_keys 6 $(keys 8 Down) Enter F2
tui_expect report-journal-top
tui_keys G
tui_expect report-journal-end
tui_keys PPage PPage
tui_expect report-journal-back
tui_keys g /
tui_type inv-000257
tui_keys Enter $(keys 6 l)
tui_expect report-journal-found
tui_keys n
tui_expect report-journal-found-again
tui_keys / C-u
tui_type "no such text"
tui_keys Enter
tui_expect report-journal-not-found
tui_keys Q
tui_stop

# ---- A list counted and searched between keys ------------------------------------------------
# A generated book holds more invoices than the count's first slice: the line above the list
# says it is counting, then gives the count once the slices after it have run while no key was
# waiting. The counts are the book's own, read with sqlite3.
G=$WORK/generated.ratable
"$BIN" generate "$G" --customers 60 --contracts 700 --months 24 --seed 3 >/dev/null || exit 1
all=$(sqlite3 "$G" "SELECT count(*) FROM invoices")
open=$(sqlite3 "$G" "SELECT count(*) FROM invoice_balances WHERE open > 0")
matching=$(sqlite3 "$G" "SELECT count(*) FROM invoices i JOIN customers c ON c.id = i.customer_id WHERE i.number LIKE '%INV-0001%' OR c.code LIKE '%INV-0001%'")
# eventually CHECK ARGS...: CHECK passes within ten seconds (work between keys may still be
# going on when the screen has looked still for a tenth of a second).
eventually() {
    i=0
    while [ $i -lt 100 ]; do
        "$@" && return 0
        sleep 0.1
        i=$((i + 1))
    done
    return 1
}
shows_now() { tmux capture-pane -p -t "$TUI_SESSION" | grep -q -- "$1"; }
hides_now() { ! shows_now "$1"; }
shows() { eventually shows_now "$1"; }
counted() { shows "^ $1 invoices$2, newest first"; }
tui_start "$G" 100 30
tui_keys 5
tui_check count-all counted "$all" ""
tui_keys o
tui_check count-open counted "$open" " with something open"
tui_keys o /
tui_type INV-0001
tui_keys Enter
tui_check count-matching counted "$matching" ' matching "INV-0001"'
# It holds more invoices than a search's first fetch reads (UI_PAGE_REACH, 4,096): a number only
# the oldest invoice has is found by reading on between keys, and a text no invoice holds says
# so once the whole list is read. The last of the list may be found by a fetch that stops right
# on it, and the next one finds the list ended: "searching" goes a moment later.
oldest=$(sqlite3 "$G" "SELECT number FROM invoices ORDER BY issued_on, id LIMIT 1")
[ "$(sqlite3 "$G" "SELECT count(*) FROM invoices")" -gt 4096 ] || echo "tui: the generated book is too small for a search to read on"
# search TEXT: a new search in place of the last one (Ctrl-U clears the prompt).
search() {
    tui_keys /
    tmux send-keys -t "$TUI_SESSION" C-u
    tui_type "$1"
    tui_keys Enter
}
search "$oldest"
tui_check search-reads-on shows "^ $oldest "
tui_check search-reads-on-count shows "^ 1 invoice matching \"$oldest\", newest first"
tui_check search-reads-on-done eventually hides_now "searching"
search no-such-text
tui_check search-finds-none shows "No invoices here"
tui_check search-finds-none-count shows '^ 0 invoices matching "no-such-text", newest first'
# Sorted by what they owe, the customers' balances are worked out a slice of customers at a
# time (the first slice holds 16), then the list shows in that order: the first four are those
# sqlite3 finds owing the most. An invoice issued meanwhile by another process puts its
# customer first once the balances are worked out again.
top_owing() {
    sqlite3 "$G" "SELECT c.code FROM customers c LEFT JOIN (SELECT i.customer_id AS cid,
        sum(ib.open) AS owed FROM invoices i JOIN invoice_balances ib ON ib.invoice_id = i.id
        WHERE i.status = 'issued' GROUP BY i.customer_id) o ON o.cid = c.id WHERE c.archived = 0
        ORDER BY coalesce(o.owed, 0) DESC, c.code LIMIT 4" | tr '\n' ' '
}
listed_four() { tmux capture-pane -p -t "$TUI_SESSION" | sed -n '4,7p' | awk '{printf "%s ", $1}'; }
top_listed() { [ "$(listed_four)" = "$(top_owing)" ]; }
listed_top() {
    eventually top_listed && return 0
    echo "top owing: want $(top_owing), got $(listed_four)"
    return 1
}
tui_keys 1 s s
tui_check sort-by-owed shows '^ 60 customers, by owed (reversed)$'
tui_check sort-by-owed-top listed_top
last=$(sqlite3 "$G" "SELECT code FROM customers WHERE archived = 0 ORDER BY code DESC LIMIT 1")
"$BIN" -b "$G" invoice issue "$last" --date 2026-11-01 --line "Plan=99999999.00" >/dev/null || exit 1
tui_check sort-by-owed-after-change listed_top
tui_check sort-by-owed-after-change-first shows "^ $last "
tui_keys Q
tui_stop

# ---- The terminal going away while a prompt waits for a key stops the workstation -----------
tui_start "$D" 100 30
tui_keys 5 /
pid=$(pgrep -f -- "-b $D\$" | head -1)
tmux kill-session -t "$TUI_SESSION"
# Exited: no such process, or one that has exited and waits to be reaped (Z), which can take a
# while when its parent went too and the system's first process reaps it.
running() {
    [ -r "/proc/$pid/stat" ] && [ "$(cut -d' ' -f3 "/proc/$pid/stat" 2>/dev/null)" != Z ]
}
gone() {
    i=0
    while running && [ $i -lt 100 ]; do
        sleep 0.1
        i=$((i + 1))
    done
    [ -n "$pid" ] && ! running
}
tui_check prompt-hang-up gone
[ -n "$pid" ] && kill -9 "$pid" 2>/dev/null

if [ $TUI_FAILED -ne 0 ]; then
    echo "tui: $TUI_FAILED of $TUI_CASES screens differ"
    exit 1
fi
echo "tui: $TUI_CASES screens as expected"
