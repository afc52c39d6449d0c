/*
 * render.h — drawing a report (report.h) as an aligned text table, CSV or XLSX.
 *
 * Several reports can go to one output: in text and CSV one after another; in XLSX one
 * worksheet each (and one more for every table marked own_sheet), or, when their source asks
 * (report_source.contents), a contents sheet and the reports stacked down shared sheets. Files are
 * written to a temporary name beside the target and renamed into place when complete, mode 0600, so
 * an interrupted export never leaves a partial file.
 *
 * Renderers never format numbers through the C library's locale-dependent paths: the same
 * bytes come out under every LC_NUMERIC.
 */
#ifndef RATABLE_RENDER_H
#define RATABLE_RENDER_H

#include <stdio.h>

#include "model/err.h"
#include "reports/report.h"

enum render_format {
    RENDER_TEXT,
    RENDER_CSV,
    RENDER_XLSX,
};

/* The format named by a file's extension: .xlsx, .csv, or .txt. */
int render_format_of(const char *path, enum render_format *out, struct err *e);

/* An aligned, human-readable table; money with thousands separators. `width` is the line
 * width to aim for (0: no limit). */
int render_text(struct report *const *reports, int n, FILE *out, int width, struct err *e);

/*
 * RFC 4180 CSV. A report with one table (or marked csv_plain: its first table only) is written
 * as a plain table (a header row of column titles, then the rows), the layout accounting
 * systems import; several tables are written as sections, each preceded by its title. Money is
 * plain (1234.56, -5.00), dates YYYY-MM-DD. Text that a spreadsheet would take for a formula is
 * prefixed with a quote (OWASP).
 */
int render_csv(struct report *const *reports, int n, FILE *out, struct err *e);

/*
 * An XLSX workbook for auditors: a header block, frozen header row and key columns, accounting
 * number formats by currency exponent, dates as dates, totals and checks as live formulas with
 * their computed values stored, text always written as text.
 */
int render_xlsx(struct report *const *reports, int n, const char *path, struct err *e);

/* Removes the temporary file of an export in progress; safe to call from a signal handler,
 * which then lets the signal end the process: no partial export is ever left behind. */
void render_abandon(void);

/* Writes to path in the format its extension names (temporary file, then rename). */
int render_file(struct report *const *reports, int n, const char *path, struct err *e);

/* The same, for reports a source builds one at a time: each is written, then handed back
 * (report_source_done) before the next is built, so memory holds one report at a time (two for
 * CSV, which looks one ahead to choose its layout). The source is not closed. */
int render_text_from(struct report_source *src, FILE *out, int width, struct err *e);
int render_csv_from(struct report_source *src, FILE *out, struct err *e);
int render_xlsx_from(struct report_source *src, const char *path, struct err *e);
int render_file_from(struct report_source *src, const char *path, struct err *e);

#endif
