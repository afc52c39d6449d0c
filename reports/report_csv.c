/*
 * report_csv.c — a report as RFC 4180 CSV. One table is written as a plain table (what
 * accounting systems import); several as titled sections after the header block. Numbers are
 * plain (1234.56), dates YYYY-MM-DD; text a spreadsheet would take for a formula is prefixed with
 * a single quote, as OWASP recommends against CSV injection.
 */
#include "reports/render.h"

#include <string.h>

#include "model/money.h"

static void field(FILE *out, const char *s, bool guard)
{
    bool quote = strpbrk(s, ",\"\r\n") != NULL;
    bool prefix = guard && report_text_is_risky(s);
    if (prefix)
        quote = true; /* a quoted field keeps the quote character visible to every reader */
    if (!quote) {
        fputs(s, out);
        return;
    }
    fputc('"', out);
    if (prefix)
        fputc('\'', out);
    for (const char *p = s; *p; p++) {
        if (*p == '"')
            fputc('"', out);
        fputc(*p, out);
    }
    fputc('"', out);
}

static void record(FILE *out, const struct report_row *row, int ncols)
{
    char buf[MONEY_BUF];
    for (int i = 0; i < ncols; i++) {
        if (i)
            fputc(',', out);
        const struct cell *c = &row->cells[i];
        const char *v = cell_plain(c, buf, sizeof buf);
        /* A record of one empty field would be an empty line, which readers (ratable's own,
         * Python's, spreadsheets) take for no record at all: the row would be lost. */
        if (ncols == 1 && !*v)
            fputs("\"\"", out);
        else
            field(out, v, c->type == CELL_TEXT);
    }
    fputc('\n', out);
}

static void table(FILE *out, struct report_table *t)
{
    for (int i = 0; i < t->ncols; i++) {
        if (i)
            fputc(',', out);
        field(out, t->cols[i].title, true);
    }
    fputc('\n', out);
    report_table_rewind(t);
    struct report_row row;
    while (report_table_next(t, &row) == 1) {
        if (row.style == ROW_BLANK)
            continue;
        record(out, &row, t->ncols);
    }
}

static void report_sections(FILE *out, const struct report *r, bool first)
{
    if (!first)
        fputc('\n', out);
    field(out, r->title, true);
    fputc('\n', out);
    for (int i = 0; i < r->nheader; i++) {
        field(out, r->header[i].key, true);
        fputc(',', out);
        field(out, r->header[i].value, true);
        fputc('\n', out);
    }
    for (int i = 0; i < r->ntables; i++) {
        struct report_table *t = r->tables[i];
        fputc('\n', out);
        field(out, t->title ? t->title : t->name, true);
        fputc('\n', out);
        table(out, t);
    }
}

int render_csv_from(struct report_source *src, FILE *out, struct err *e)
{
    /* The layout depends on whether there is a second report: look one ahead. */
    struct report *r, *ahead = NULL;
    int rc = report_source_next(src, &r, e);
    if (rc == ERR_OK && r)
        rc = report_source_next(src, &ahead, e);
    if (rc == ERR_OK && r && !ahead && (r->ntables == 1 || r->csv_plain)) {
        table(out, r->tables[0]);
        report_source_done(src, r);
        r = NULL;
    }
    for (bool first = true; rc == ERR_OK && r; first = false) {
        report_sections(out, r, first);
        report_source_done(src, r);
        r = ahead;
        ahead = NULL;
        if (r && !report_cancelled())
            rc = report_source_next(src, &ahead, e);
        else if (r) {
            report_source_done(src, r);
            r = NULL;
        }
    }
    if (r)
        report_source_done(src, r);
    if (ahead)
        report_source_done(src, ahead);
    if (rc != ERR_OK)
        return rc;
    if (ferror(out))
        return err_set(e, ERR_IO, "cannot write the CSV");
    return ERR_OK;
}
