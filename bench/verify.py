#!/usr/bin/python3
"""verify.py CSV XLSX: the large exports are right, not only fast.

Reads a report written both as CSV and as XLSX (the same report, the same stamp) and checks
that (1) every cell of every table holds the same value in both files: text equal, numbers
equal to the cent (the XLSX number rounded to the CSV's decimals); and (2) in the CSV, each
table's Total row equals the sum of the rows above it, column by column. Prints one line and
exits 1 on the first difference, naming the row and the column.
"""
import csv
import sys
from decimal import Decimal, InvalidOperation

import openpyxl


def number(text):
    try:
        return Decimal(text)
    except (InvalidOperation, ValueError):
        return None


def tables(rows):
    """Yields (header, body rows, total row or None) for each table of a CSV export."""
    header, body = None, []
    for row in rows:
        if header is None:
            if len(row) > 2 and row[0] in ("Customer", "Contract", "Account", "Period", "Code"):
                header, body = row, []
            continue
        if not any(row):
            yield header, body, None
            header = None
            continue
        if row[0] == "Total":
            yield header, body, row
            header = None
            continue
        body.append(row)
    if header is not None:
        yield header, body, None


def same(text, v):
    """Whether a CSV field and an XLSX cell hold the same value; None when it is no number."""
    if v is None:
        return text == ""
    if isinstance(v, bool):
        return text == ("TRUE" if v else "FALSE")
    if hasattr(v, "date"):
        return text == v.date().isoformat()
    if isinstance(v, (int, float)):
        n = number(text)
        if n is None:
            return False
        places = max(0, -n.as_tuple().exponent)
        return Decimal(repr(v)).quantize(Decimal(1).scaleb(-places)) == n
    return text == v or text == "'" + v  # the CSV's guard before formula-like text


def main():
    csv_path, xlsx_path = sys.argv[1], sys.argv[2]
    with open(csv_path, newline="", encoding="utf-8") as f:
        crow = list(csv.reader(f))
    wb = openpyxl.load_workbook(xlsx_path, read_only=True, data_only=True)
    xrows = []
    for ws in wb.worksheets:
        for r in ws.iter_rows(values_only=True):
            xrows.append(list(r))
    # Rows in the same order: each CSV row of a table is found at or after the last one found,
    # by its first two cells, and then compared cell by cell.
    cells, at = 0, 0
    for i, row in enumerate(crow, 1):
        if len(row) < 3 or not row[0]:
            continue
        j = at
        while j < len(xrows) and j < at + 64 and not (
                len(xrows[j]) >= 2 and same(row[0], xrows[j][0]) and same(row[1], xrows[j][1])):
            j += 1
        if j >= len(xrows) or j >= at + 64:
            print(f"verify: {csv_path} row {i} ({row[0]}, {row[1]}) is not in {xlsx_path}")
            return 1
        at = j + 1
        xr = xrows[j]
        for k, text in enumerate(row):
            v = xr[k] if k < len(xr) else None
            if not same(text, v):
                print(f"verify: {csv_path} row {i} column {k + 1}: CSV {text!r}, XLSX {v!r}")
                return 1
            cells += isinstance(v, (int, float)) and not isinstance(v, bool)
    if cells == 0:
        print(f"verify: {csv_path}: no number to compare")
        return 1
    totals = 0
    for header, body, total in tables(crow):
        if total is None:
            continue
        for j in range(1, len(total)):
            t = number(total[j])
            if t is None or j >= len(header) or header[j] in ("Check",):
                continue
            parts = [number(r[j]) for r in body if j < len(r)]
            if any(p is None for p in parts if p is not None) or not parts:
                continue
            s = sum((p for p in parts if p is not None), Decimal(0))
            if s != t:
                print(f"verify: {csv_path}: the total of {header[j]} is {t}, its rows add up to {s}")
                return 1
            totals += 1
    print(f"verify: {csv_path}: {cells} numbers equal in CSV and XLSX, {totals} totals equal"
          f" the sum of their rows")
    return 0


if __name__ == "__main__":
    sys.exit(main())
