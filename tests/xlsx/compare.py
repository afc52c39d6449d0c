"""Compares a ratable XLSX export with the CSV of the same report, cell by cell.

usage: /usr/bin/python3 compare.py FILE.xlsx FILE.csv

The CSV is multi-section (title, header block, then titled tables). For every table the XLSX
must hold the same heading row and the same values: money as numbers equal to the CSV's exact
decimals, dates as dates, text as text (never a formula), and every total or running balance
that is a formula must store the value the CSV shows. Exits 1 with a message on a difference.
"""
import csv
import datetime
import sys
from decimal import Decimal

import openpyxl


def fail(msg):
    print("compare: " + msg)
    sys.exit(1)


def csv_sections(path):
    """Returns [(title, header, rows)] of the CSV's tables."""
    with open(path, newline="", encoding="utf-8") as f:
        lines = list(csv.reader(f))
    sections, i = [], 0
    # Skip the report title and header block up to the first blank line.
    while i < len(lines) and lines[i]:
        i += 1
    while i < len(lines):
        if not lines[i]:
            i += 1
            continue
        title = lines[i][0]
        header = lines[i + 1]
        rows, i = [], i + 2
        while i < len(lines) and lines[i]:
            rows.append(lines[i])
            i += 1
        sections.append((title, header, rows))
    return sections


def unguard(text):
    # CSV guards formula-looking text with a leading quote; the XLSX keeps the text as it is.
    if text.startswith("'") and len(text) > 1 and text[1] in "=+-@\t\r":
        return text[1:]
    return text


def same(xv, cv, where):
    if cv == "":
        if xv not in (None, ""):
            fail("%s: XLSX has %r where the CSV is empty" % (where, xv))
        return
    if isinstance(xv, bool):
        if cv != ("TRUE" if xv else "FALSE"):
            fail("%s: XLSX %r, CSV %r" % (where, xv, cv))
    elif isinstance(xv, (int, float)):
        want = Decimal(cv)
        got = Decimal(repr(xv)).quantize(want) if want.as_tuple().exponent < 0 else Decimal(int(round(xv)))
        if got != want:
            fail("%s: XLSX %r, CSV %s" % (where, xv, cv))
    elif isinstance(xv, datetime.datetime):
        if xv.strftime("%Y-%m-%d") != cv:
            fail("%s: XLSX %s, CSV %s" % (where, xv, cv))
    else:
        if xv != unguard(cv):
            fail("%s: XLSX %r, CSV %r" % (where, xv, cv))


def main():
    xlsx, csv_path = sys.argv[1], sys.argv[2]
    values = openpyxl.load_workbook(xlsx, data_only=True)
    formulas = openpyxl.load_workbook(xlsx, data_only=False)
    ws = values.worksheets[0]
    wf = formulas.worksheets[0]
    if not ws.freeze_panes:
        fail("the first sheet has no frozen panes")
    col_a = {}
    for r in range(1, ws.max_row + 1):
        v = ws.cell(r, 1).value
        if isinstance(v, str):
            col_a.setdefault(v, r)
    checked = 0
    nformulas = 0
    for title, header, rows in csv_sections(csv_path):
        if title not in col_a:
            fail("table %r is not in the workbook" % title)
        r0 = col_a[title] + 1
        got_header = [ws.cell(r0, c + 1).value for c in range(len(header))]
        if got_header != header:
            fail("table %r: heading %r, CSV %r" % (title, got_header, header))
        for i, row in enumerate(rows):
            r = r0 + 1 + i
            for c, cv in enumerate(row):
                cell = ws.cell(r, c + 1)
                fcell = wf.cell(r, c + 1)
                where = "%s!%s" % (ws.title, cell.coordinate)
                same(cell.value, cv, where)
                # A check's formula stores TRUE or FALSE as its result; any other text under a
                # formula would be text written as a formula.
                if (isinstance(cell.value, str) and fcell.data_type == "f"
                        and cell.value not in ("TRUE", "FALSE")):
                    fail("%s: text was written as a formula" % where)
                if fcell.data_type == "f":
                    nformulas += 1
                checked += 1
    if nformulas == 0:
        fail("no live formulas found")
    print("compare: %d cells agree, %d of them formulas with stored values" % (checked, nformulas))


main()
