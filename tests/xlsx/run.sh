#!/bin/sh
# XLSX read-back: statements exported as XLSX are read by an independent reader (openpyxl) and
# compared with the CSV of the same statement, also when the process runs under a German locale
# (whose LC_NUMERIC writes 1234,56). Formula-looking text must stay text.
set -eu
here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/../.." && pwd)
bin=${RATABLE:-./ratable}
case $bin in /*) ;; *) bin="$top/$bin" ;; esac
py=/usr/bin/python3
export RATABLE_NOW=1795348800 RATABLE_TODAY=2026-11-22 RATABLE_USER=xlsx
unset RATABLE_BOOK
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cd "$work"
"$bin" demo demo.ratable >/dev/null
# A customer whose name and invoice text look like formulas.
"$bin" -b demo.ratable customer add EVIL --name '=HYPERLINK("http://example.com","click")' >/dev/null
for line in '+SUM(A1:A9)=10.00' '@cmd|calc=5.00' '-2+3=1.00'; do
    "$bin" -b demo.ratable invoice issue EVIL --date 2026-11-02 --line "$line" >/dev/null
done

fails=0
for customer in GLOBEX UMBRELLA SOYLENT EVIL; do
    "$bin" -b demo.ratable report statement --customer $customer --from 2026-01-01 \
        --to 2026-11-22 -o "$customer.csv" 2>/dev/null
    "$bin" -b demo.ratable report statement --customer $customer --from 2026-01-01 \
        --to 2026-11-22 -o "$customer.xlsx" 2>/dev/null
    printf '%s: ' "$customer"
    $py "$here/compare.py" "$customer.xlsx" "$customer.csv" || fails=$((fails + 1))
done

# The deferred revenue reports of the demo's contracts, read back the same way.
"$bin" -b demo.ratable report waterfall --from 2025-12 --to 2026-11 -o waterfall.csv 2>/dev/null
"$bin" -b demo.ratable report waterfall --from 2025-12 --to 2026-11 -o waterfall.xlsx 2>/dev/null
printf 'waterfall: '
$py "$here/compare.py" waterfall.xlsx waterfall.csv || fails=$((fails + 1))
"$bin" -b demo.ratable report rollforward --from 2026-01 --to 2026-10 -o rollforward.csv 2>/dev/null
"$bin" -b demo.ratable report rollforward --from 2026-01 --to 2026-10 -o rollforward.xlsx 2>/dev/null
printf 'rollforward: '
$py "$here/compare.py" rollforward.xlsx rollforward.csv || fails=$((fails + 1))
"$bin" -b demo.ratable contract show QUANTA-BUNDLE --as-of 2026-10-31 -o contract.csv 2>/dev/null
"$bin" -b demo.ratable contract show QUANTA-BUNDLE --as-of 2026-10-31 -o contract.xlsx 2>/dev/null
printf 'contract: '
$py "$here/compare.py" contract.xlsx contract.csv || fails=$((fails + 1))
# A modification memo an auditor files, and the modifications log.
"$bin" -b demo.ratable report memo MOD-000003 -o memo.csv 2>/dev/null
"$bin" -b demo.ratable report memo MOD-000003 -o memo.xlsx 2>/dev/null
printf 'memo: '
$py "$here/compare.py" memo.xlsx memo.csv || fails=$((fails + 1))
# The roll-forward's tie-out is a live formula showing TRUE, referring to the table's total.
$py - rollforward.xlsx <<'PY' || fails=$((fails + 1))
import sys, openpyxl
f = openpyxl.load_workbook(sys.argv[1]).worksheets[0]
v = openpyxl.load_workbook(sys.argv[1], data_only=True).worksheets[0]
checks = [(c.coordinate, c.value) for row in f.iter_rows() for c in row
          if isinstance(c.value, str) and c.value.endswith("=0") and c.value.startswith("=")]
assert checks, "no tie-out formula"
for coord, formula in checks:
    assert v[coord].value in (True, "TRUE"), (coord, v[coord].value)
refs = [c.value for row in f.iter_rows() for c in row
        if isinstance(c.value, str) and c.value.startswith("=") and "!" in c.value]
print("rollforward.xlsx: %d tie-outs TRUE, %d cross-table references" % (len(checks), len(refs)))
PY

# Exports are private files.
mode=$(stat -c %a GLOBEX.xlsx)
[ "$mode" = 600 ] || { echo "GLOBEX.xlsx has mode $mode, not 600"; fails=$((fails + 1)); }

# The CSV guards formula-looking text; the XLSX stores it as a string.
grep -q "\"'=HYPERLINK(\"\"http://example.com\"\",\"\"click\"\")\"" EVIL.csv ||
    { echo "EVIL.csv: the name is not guarded"; fails=$((fails + 1)); }
$py - EVIL.xlsx <<'PY' || fails=$((fails + 1))
import sys, openpyxl
ws = openpyxl.load_workbook(sys.argv[1]).worksheets[0]
wanted = {'=HYPERLINK("http://example.com","click")', "+SUM(A1:A9)", "@cmd|calc", "-2+3"}
found = {c.value: c for row in ws.iter_rows() for c in row if c.value in wanted}
assert set(found) == wanted, "missing: %s" % (wanted - set(found))
bad = [c.coordinate for c in found.values() if c.data_type != "s"]
assert not bad, "written as formulas: %s" % bad
print("EVIL.xlsx: %d formula-looking texts stored as text" % len(found))
PY

# Hostile text survives a round trip: customers imported from CSV with a name of 32,767
# characters (as a spreadsheet counts them: an emoji beyond the BMP is two), emoji, right-to-left
# scripts, combining marks and formula-looking text come back exactly from the customer list, a
# statement and the aging, in CSV (formula-looking text guarded with a quote, as the manual says)
# and in XLSX (stored as text, never a formula); one character more is refused at its cell.
$py - <<'PY' || fails=$((fails + 1))
import csv
def repeat(pattern, n):
    return (pattern * (n // len(pattern) + 1))[:n]
long_name = "\U0001F469\u200d\U0001F4BB" + repeat("Ωmega 名前 اسم שם é ", 32762)
long_addr = "\r" + repeat("شارع\nرقم ٣٢ ", 32766)
assert len(long_name.encode("utf-16-le")) // 2 == 32767 and len(long_addr) == 32767
names = {
    "LONG": long_name,
    "EMOJI": "\U0001F469\u200d\U0001F4BB\U0001F680 Rocket Labs",
    "ARABIC": "شركة الاختبار المحدودة",
    "HEBREW": "חברת בדיקה בע״מ",
    "COMBINING": "Cafe\u0301 Zoe\u0308 Ban\u0303o",
    "HYPER": '=HYPERLINK("x")',
    "PLUS": "+1",
    "MINUS": "-1",
    "AT": "@SUM(A1)",
    "TAB": "\tTabbed Ltd",
}
with open("hostile.csv", "w", newline="", encoding="utf-8") as f:
    w = csv.writer(f)
    w.writerow(["code", "name", "address"])
    for code, name in names.items():
        w.writerow([code, name, long_addr if code == "LONG" else "=1+1" if code == "HYPER" else ""])
with open("too_long.csv", "w", newline="", encoding="utf-8") as f:
    w = csv.writer(f)
    w.writerow(["code", "name"])
    w.writerow(["LONG2", long_name + "x"])
with open("cr_name.csv", "w", newline="", encoding="utf-8") as f:
    w = csv.writer(f)
    w.writerow(["code", "name"])
    w.writerow(["CR", "\rReturn Ltd"])
import json
json.dump({"names": names, "address": long_addr}, open("hostile.json", "w"))
PY
"$bin" -b demo.ratable import customers hostile.csv >/dev/null || {
    echo "hostile names: the import was refused"; fails=$((fails + 1)); }
for f in too_long cr_name; do
    if "$bin" -b demo.ratable import customers $f.csv >/dev/null 2>$f.err; then
        echo "hostile names: $f.csv was accepted"; fails=$((fails + 1))
    fi
done
grep -qx 'too_long.csv:2:2: name: is longer than 32,767 characters' too_long.err ||
    { echo "hostile names: too_long.csv: $(head -c 200 too_long.err)"; fails=$((fails + 1)); }
grep -qx 'cr_name.csv:2:2: name: contains a control character' cr_name.err ||
    { echo "hostile names: cr_name.csv: $(head -c 200 cr_name.err)"; fails=$((fails + 1)); }
"$bin" -b demo.ratable invoice issue LONG --date 2026-11-02 --line "Plan=10.00" >/dev/null
for ext in csv xlsx; do
    "$bin" -b demo.ratable customer list --all -o "hostile-list.$ext" >/dev/null
    "$bin" -b demo.ratable report statement --customer LONG --from 2026-01-01 --to 2026-11-22 \
        -o "hostile-statement.$ext" >/dev/null
    "$bin" -b demo.ratable report aging --as-of 2026-11-22 -o "hostile-aging.$ext" >/dev/null
done
$py - <<'PY' || fails=$((fails + 1))
import csv, json, openpyxl
from openpyxl.utils.escape import unescape  # OOXML writes a carriage return as _x000D_
want = json.load(open("hostile.json"))
names, addr = want["names"], want["address"]
guard = lambda s: "'" + s if s[:1] in ("=", "+", "-", "@", "\t", "\r") else s
def csv_rows(path):
    with open(path, newline="", encoding="utf-8") as f:
        return list(csv.reader(f))
# The customer list: one plain table, code then name.
got = {r[0]: r[1] for r in csv_rows("hostile-list.csv")[1:]}
for code, name in names.items():
    assert got.get(code) == guard(name), "hostile-list.csv: %s: %r" % (code, got.get(code, "")[:60])
wb = openpyxl.load_workbook("hostile-list.xlsx")
ws = wb.worksheets[0]
formulas = [c.coordinate for row in ws.iter_rows() for c in row if c.data_type == "f"]
assert not formulas, "hostile-list.xlsx: formulas in %s" % formulas
got = {r[0].value: r[1] for r in ws.iter_rows() if r[0].value in names}
for code, name in names.items():
    assert code in got and got[code].value == name and got[code].data_type == "s", \
        "hostile-list.xlsx: %s: %r" % (code, got[code].value[:60] if code in got else None)
# The statement's header block: the whole name and the whole address.
heads = {r[0]: r[1] for r in csv_rows("hostile-statement.csv") if len(r) >= 2}
assert heads.get("Name") == guard(names["LONG"]), "hostile-statement.csv: the name differs"
assert heads.get("Address") == guard(addr), "hostile-statement.csv: the address differs"
ws = openpyxl.load_workbook("hostile-statement.xlsx").worksheets[0]
heads = {r[0].value: r[1] for r in ws.iter_rows() if r[0].value in ("Name", "Address")}
for key, value in (("Name", names["LONG"]), ("Address", addr)):
    c = heads.get(key)
    assert c is not None and unescape(c.value) == value and c.data_type == "s", \
        "hostile-statement.xlsx: the %s differs" % key.lower()
# The aging names its customers in full.
rows = [r for r in csv_rows("hostile-aging.csv") if r and r[0] == "LONG"]
assert rows and rows[0][1] == guard(names["LONG"]), "hostile-aging.csv: the name differs"
ws = openpyxl.load_workbook("hostile-aging.xlsx").worksheets[0]
rows = [r for r in ws.iter_rows() if r[0].value == "LONG"]
assert rows and rows[0][1].value == names["LONG"] and rows[0][1].data_type == "s", \
    "hostile-aging.xlsx: the name differs"
print("hostile names: %d customers (a 32,767-character name and address, emoji, right-to-left,"
      " combining, formula-looking) exact in CSV and XLSX; no formula cells" % len(names))
PY

# Under a German locale the numbers must be the same.
if locale -a 2>/dev/null | grep -qi '^de_DE\.utf-\?8$'; then
    LC_ALL=de_DE.UTF-8 "$bin" -b demo.ratable report statement --customer GLOBEX \
        --from 2026-01-01 --to 2026-11-22 -o GLOBEX-de.xlsx 2>/dev/null
    printf 'GLOBEX under de_DE.UTF-8: '
    $py "$here/compare.py" GLOBEX-de.xlsx GLOBEX.csv || fails=$((fails + 1))
else
    echo "xlsx: the de_DE.UTF-8 locale is missing (run make deps)"
    fails=$((fails + 1))
fi

# The audit pack of a closed month: byte-identical when made again with the same stamp, its
# tie-out formulas stored TRUE, and the same figures after later activity (a correction of that
# month lands in the first open month).
stamp=2026-11-22T09:00:00Z
"$bin" -b demo.ratable --stamp $stamp report pack --period 2026-08 -o pack1.xlsx 2>/dev/null
"$bin" -b demo.ratable --stamp $stamp report pack --period 2026-08 -o pack1b.xlsx 2>/dev/null
if cmp -s pack1.xlsx pack1b.xlsx; then echo "pack: the same stamp gives the same file"; else
    echo "pack: made twice with the same stamp, the files differ"; fails=$((fails + 1)); fi
if "$bin" -b demo.ratable invoice issue ACME --date 2026-08-15 --line "Late=10.00" >/dev/null 2>&1; then
    echo "pack: an invoice dated in closed 2026-08 was accepted"; fails=$((fails + 1)); fi
"$bin" -b demo.ratable invoice issue ACME --date 2026-11-03 --line "Advisory=250.00" >/dev/null
"$bin" -b demo.ratable memo new TITAN-2Y --effective 2026-07-01 --type price_change \
    --consideration -12,000.00 --description "Fleet discount from July" >/dev/null
"$bin" -b demo.ratable memo approve MOD-000006 --by Auditor >/dev/null
"$bin" -b demo.ratable memo post MOD-000006 >/dev/null
"$bin" -b demo.ratable recognize --through 2026-10 >/dev/null
"$bin" -b demo.ratable --stamp $stamp report pack --period 2026-08 -o pack2.xlsx 2>/dev/null
$py - pack1.xlsx pack2.xlsx <<'PY' || fails=$((fails + 1))
import sys, openpyxl
a = openpyxl.load_workbook(sys.argv[1], data_only=True)
b = openpyxl.load_workbook(sys.argv[2], data_only=True)
f = openpyxl.load_workbook(sys.argv[1], data_only=False)
def cells(ws, cols=None):
    out = {}
    for row in ws.iter_rows():
        for c in row:
            if c.value is None or (cols and c.column_letter not in cols):
                continue
            if ws.cell(c.row, 1).value == "Chain head now":
                continue
            out[c.coordinate] = c.value
    return out
same = ["Cover", "Roll-forward", "Journal", "Revenue by pattern", "Revenue by customer",
        "Modifications", "Credit activity", "Receivables aging"]
for name in same:
    x, y = cells(a[name]), cells(b[name])
    diff = [k for k in set(x) | set(y) if x.get(k) != y.get(k)]
    assert not diff, "%s changed after later activity: %s" % (name, sorted(diff)[:5])
# The waterfall's closed months: before the range, and 2026-08.
ws = a["Waterfall"]
heads = {c.value: c.column_letter for row in ws.iter_rows() for c in row
         if c.value in ("Before", "2026-08")}
x, y = cells(a["Waterfall"], set(heads.values())), cells(b["Waterfall"], set(heads.values()))
diff = [k for k in set(x) | set(y) if x.get(k) != y.get(k)]
assert not diff, "the waterfall's closed months changed: %s" % sorted(diff)[:5]
# Every tie-out is a formula whose stored result is TRUE.
t, tf = a["Tie-out"], f["Tie-out"]
live = [(r, tf.cell(r, 2).value) for r in range(1, t.max_row + 1)
        if isinstance(tf.cell(r, 2).value, str) and tf.cell(r, 2).value.startswith("=")]
assert len(live) >= 5, live
bad = [r for r, _ in live if t.cell(r, 2).value not in (True, "TRUE")]
assert not bad, "tie-outs not TRUE in rows %s" % bad
print("pack: %d sheets; %d live tie-outs TRUE; %d sheets and the closed months unchanged after later activity"
      % (len(a.sheetnames), len(live), len(same)))
PY

# Every customer's statement in one workbook: a contents sheet, then the statements one after
# another down a sheet, each on its own printed page, its figures and formulas its own.
"$bin" -b demo.ratable report statement --all --from 2026-10-01 --to 2026-11-22 -o all.xlsx 2>/dev/null
"$bin" -b demo.ratable report statement --all --from 2026-10-01 --to 2026-11-22 -o all.csv 2>/dev/null
$py "$here/statements.py" all.xlsx 1 20 all.csv "$bin" demo.ratable 2026-10-01 2026-11-22 ||
    fails=$((fails + 1))

# At scale: 2,500 customers fill three statement sheets of at most 1,000, written with few files
# open (the library keeps a temporary file per sheet until the workbook closes).
"$bin" generate many.ratable --customers 2500 --contracts 2500 --months 3 >/dev/null 2>&1
if (ulimit -n 256 && "$bin" -b many.ratable report statement --all --from 2026-09-01 \
    --to 2026-11-22 -o many.xlsx 2>many.err); then
    "$bin" -b many.ratable report statement --all --from 2026-09-01 --to 2026-11-22 \
        -o many.csv 2>/dev/null
    $py "$here/statements.py" many.xlsx 3 2001 many.csv "$bin" many.ratable 2026-09-01 \
        2026-11-22 || fails=$((fails + 1))
else
    echo "statement --all of 2,500 customers under ulimit -n 256: $(cat many.err)"
    fails=$((fails + 1))
fi

if [ $fails -ne 0 ]; then
    echo "xlsx: $fails checks failed"
    exit 1
fi
echo "xlsx: all checks passed"
