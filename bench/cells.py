#!/usr/bin/env python3
"""cells.py FILE.xlsx -- what an export wrote, for `make bench`.

Prints one line: CELLS WIDTH SHAPE
  CELLS  the cells of every worksheet (text, numbers, dates, booleans and formulas)
  WIDTH  the widest row
  SHAPE  a row of WIDTH columns with the export's mix of text, numbers and formulas, in the
         notation of bench/xlsx_baseline.c ("5s39n2f"), so the baseline writes the same number
         and kind of cells as the export: ceil(CELLS / WIDTH) rows of SHAPE.

The worksheets are read in chunks, never whole: a workbook of any size is counted in little
memory.
"""
import re
import sys
import zipfile

CELL = re.compile(rb'<c r="[A-Z]+[0-9]+"([^>]*?)(/>|>(.*?)</c>)', re.S)


def count(path):
    cells = text = formulas = 0
    width = 0
    with zipfile.ZipFile(path) as z:
        for name in z.namelist():
            if not (name.startswith("xl/worksheets/") and name.endswith(".xml")):
                continue
            with z.open(name) as f:
                tail = b""
                row_cells = 0
                while True:
                    chunk = f.read(1 << 22)
                    data = tail + chunk
                    if not chunk:
                        cut = len(data)
                    else:
                        # Leave the last row (it may be incomplete) for the next chunk.
                        cut = data.rfind(b"<row ")
                        if cut <= 0:
                            tail = data
                            continue
                    part, tail = data[:cut], data[cut:]
                    for row in part.split(b"<row ")[1:]:
                        n = 0
                        for m in CELL.finditer(row):
                            if m.group(2) == b"/>":
                                continue  # a blank cell with a format: nothing written
                            n += 1
                            if b'inlineStr' in m.group(1) or b't="s"' in m.group(1):
                                text += 1
                            elif m.group(3) and b"<f>" in m.group(3):
                                formulas += 1
                        cells += n
                        width = max(width, n)
                    if not chunk:
                        break
    return cells, text, formulas, width


def main():
    cells, text, formulas, width = count(sys.argv[1])
    width = max(width, 1)
    s = round(width * text / cells) if cells else 0
    f = round(width * formulas / cells) if cells else 0
    n = max(width - s - f, 0)
    shape = "".join("%d%s" % (k, c) for k, c in ((s, "s"), (n, "n"), (f, "f")) if k)
    print(cells, width, shape or "1n")


if __name__ == "__main__":
    main()
