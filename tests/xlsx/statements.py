#!/usr/bin/python3
"""Reads back a workbook of every customer's statement (report statement --all -o FILE.xlsx).

The layout: a Contents sheet listing each customer (code, name, currency, opening and closing
balance, a link to its statement and the row where it starts), then the statements one after
another down sheets named "Statements", "Statements 2", ..., at most 1,000 a sheet, each
statement beginning a printed page. Checked here, from the file alone:
  - the sheets are Contents and the expected number of statement sheets, in order;
  - every statement is listed once in the contents, in order, and its link and row point at its
    title; the contents' currency and balances are the statement's own;
  - each statement's closing balance is its opening plus its charges less its payments and
    credits (ACCOUNTING.md section 5), every running balance is the one before plus the line's
    charge less its credit, and its totals add up;
  - every formula refers only to rows of its own statement;
  - a manual page break stands before every statement but the first of its sheet.

With the same statements as CSV and the book, also: the contents list exactly the customers
the CSV holds statements for, and a customer left out has nothing to say for the range (no
line, every balance zero), as its own statement shows.

usage: statements.py FILE.xlsx SHEETS MIN_STATEMENTS [ALL.csv RATABLE BOOK FROM TO]
"""
import csv
import os
import re
import shutil
import subprocess
import sys
import tempfile
import zipfile
from decimal import Decimal

import openpyxl

path, want_sheets, min_statements = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
PER_SHEET = 1000

values = openpyxl.load_workbook(path, read_only=True, data_only=True)
formulas = openpyxl.load_workbook(path, read_only=True, data_only=False)
names = values.sheetnames
expect = ["Contents", "Statements"] + ["Statements %d" % k for k in range(2, want_sheets + 1)]
assert names == expect, "sheets %s, expected %s" % (names, expect)


def rows(wb, name):
    return [list(r) for r in wb[name].iter_rows(values_only=True)]


def money(v):
    """A stored figure as an exact decimal (cents), whatever float the reader made of it."""
    return Decimal(0) if v is None else Decimal(repr(v)).quantize(Decimal("0.0001"))


# Where each sheet's manual page breaks stand, read from the sheet's XML.
z = zipfile.ZipFile(path)
book = z.read("xl/workbook.xml").decode()
rels = z.read("xl/_rels/workbook.xml.rels").decode()
targets = dict(re.findall(r'<Relationship Id="([^"]+)"[^>]*Target="([^"]+)"', rels))
breaks = {}
for name, rid in re.findall(r'<sheet name="([^"]+)" sheetId="\d+" r:id="([^"]+)"', book):
    xml = z.read("xl/" + targets[rid]).decode()
    breaks[name] = [int(b) for b in re.findall(r'<brk id="(\d+)"', xml.split("<rowBreaks")[1])] \
        if "<rowBreaks" in xml else []

# The contents: a heading row, then one row per statement.
contents = rows(values, "Contents")
contents_f = rows(formulas, "Contents")
head = next(i for i, r in enumerate(contents) if r[:1] == ["Customer"] and "Sheet" in r)
assert contents[head][:7] == ["Customer", "Name", "Currency", "Opening balance",
                              "Closing balance", "Sheet", "Row"], contents[head]
entries = []
for r, rf in zip(contents[head + 1:], contents_f[head + 1:]):
    if r[0] is None:
        break
    link = re.fullmatch(r"""=HYPERLINK\("#'([^']+)'!A(\d+)","([^"]+)"\)""", rf[5] or "")
    assert link, "contents row of %s: no link to its statement: %r" % (r[0], rf[5])
    assert link.group(1) == link.group(3) == r[5], (r[0], rf[5], r[5])
    assert int(link.group(2)) == r[6], "%s: the link and the row differ" % r[0]
    entries.append({"code": r[0], "name": r[1], "currency": r[2], "opening": money(r[3]),
                    "closing": money(r[4]), "sheet": r[5], "row": r[6]})
codes = [e["code"] for e in entries]
assert len(codes) == len(set(codes)), "a customer is listed twice"
assert codes == sorted(codes), "the contents are not in customer order"
assert len(entries) >= min_statements, "%d statements, expected at least %d" % (
    len(entries), min_statements)

ref = re.compile(r"(?<![A-Z$])\$?([A-Z]{1,3})\$?(\d+)")
seen = 0
for name in names[1:]:
    cells, cells_f = rows(values, name), rows(formulas, name)
    starts = [i for i, r in enumerate(cells) if r and r[0] == "Customer statement"]
    mine = [e for e in entries if e["sheet"] == name]
    assert 0 < len(starts) <= PER_SHEET, "%s holds %d statements" % (name, len(starts))
    assert [e["row"] for e in mine] == [s + 1 for s in starts], \
        "%s: the contents' rows are not where the statements start" % name
    assert breaks[name] == [s for s in starts[1:]], \
        "%s: page breaks %s, statements start at %s" % (name, breaks[name][:5], starts[:5])
    bounds = starts + [len(cells)]
    for k, e in enumerate(mine):
        lo, hi = bounds[k], bounds[k + 1]
        block, block_f = cells[lo:hi], cells_f[lo:hi]
        header = {r[0]: r[1] for r in block[2:] if r and r[0] and len(r) > 1 and r[1]}
        assert header.get("Customer") == e["code"], (e["code"], header.get("Customer"))
        assert header.get("Name") == e["name"], e["code"]
        assert header.get("Currency") == e["currency"], e["code"]
        # The transactions: opening, the lines with their running balance, closing.
        t = next(i for i, r in enumerate(block) if r[0] == "Transactions") + 2
        assert block[t][3] == "Opening balance", (e["code"], block[t])
        opening = balance = money(block[t][6])
        charges = credits = Decimal(0)
        i = t + 1
        while block[i][3] != "Closing balance":
            charge, credit = money(block[i][4]), money(block[i][5])
            balance += charge - credit
            charges += charge
            credits += credit
            assert money(block[i][6]) == balance, "%s row %d: running balance" % (e["code"], lo + i + 1)
            i += 1
        closing = money(block[i][6])
        assert closing == opening + charges - credits, "%s: closing %s != %s + %s - %s" % (
            e["code"], closing, opening, charges, credits)
        assert (money(block[i][4]), money(block[i][5])) == (charges, credits), e["code"]
        assert (opening, closing) == (e["opening"], e["closing"]), \
            "%s: contents %s/%s, statement %s/%s" % (e["code"], e["opening"], e["closing"],
                                                     opening, closing)
        # Every formula of the statement refers to its own rows, and there are some.
        nformulas = 0
        for r in block_f:
            for v in r:
                if isinstance(v, str) and v.startswith("="):
                    nformulas += 1
                    for _, row in ref.findall(v):
                        assert lo < int(row) <= hi, "%s: %s refers outside rows %d-%d" % (
                            e["code"], v, lo + 1, hi)
        assert nformulas >= 5, "%s: %d formulas" % (e["code"], nformulas)
        seen += 1
assert seen == len(entries), "%d statements on the sheets, %d in the contents" % (seen, len(entries))
if len(sys.argv) > 4:
    all_csv, ratable, book, start, end = sys.argv[4:9]
    with open(all_csv, newline="") as f:
        in_csv = [r[1] for r in csv.reader(f) if len(r) == 2 and r[0] == "Customer"]
    assert in_csv == codes, "the CSV holds %d statements, the contents %d" % (
        len(in_csv), len(codes))
    tmp = tempfile.mkdtemp()

    def csv_of(*args):
        out = os.path.join(tmp, "out.csv")
        subprocess.run([ratable, "-b", book] + list(args) + ["-o", out], check=True,
                       capture_output=True)
        with open(out, newline="") as f:
            return list(csv.reader(f))

    everyone = [r[0] for r in csv_of("customer", "list", "--all")[1:]]
    left_out = sorted(set(everyone) - set(codes))
    assert set(codes) <= set(everyone)
    for code in left_out[:3]:
        lines = csv_of("report", "statement", "--customer", code, "--from", start, "--to", end)
        head = next(i for i, r in enumerate(lines) if r[:1] == ["Date"])
        opening, closing = lines[head + 1], lines[head + 2]
        assert opening[3] == "Opening balance" and closing[3] == "Closing balance", \
            "%s was left out but has lines" % code
        assert Decimal(opening[6]) == Decimal(closing[6]) == 0, "%s was left out with a balance" % code
        credit = next(i for i, r in enumerate(lines) if r[:1] == ["Opening credit"])
        assert all(Decimal(v or 0) == 0 for v in lines[credit + 1]), "%s has credit" % code
    shutil.rmtree(tmp)
    print("%s: the %d customers of the CSV, in order; %d with nothing in the range left out"
          % (path, len(codes), len(left_out)))
print("%s: %d statements on %d sheets after the contents; contents match, closing = opening + "
      "charges - credits, formulas in their own statement, a page break before each"
      % (path, seen, len(names) - 1))
