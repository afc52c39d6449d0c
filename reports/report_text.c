/*
 * report_text.c — a report as an aligned text table for the terminal: widths by display width
 * (so accented and CJK names line up), money right-aligned with thousands separators, totals
 * under a rule.
 */
#include "reports/render.h"

#include <stdlib.h>
#include <string.h>

#include "model/money.h"
#include "model/text.h"
#include "model/xalloc.h"

#define GAP      2
#define MIN_TEXT 8

static bool right_aligned(const struct report_col *c)
{
    return c->type == COL_MONEY || c->type == COL_COUNT;
}

/* A cell's text for display on one line: newlines and tabs become spaces. The result is in buf
 * or borrowed from the cell. */
static const char *display(const struct cell *c, char *buf, size_t size)
{
    const char *s = cell_display(c, buf, size);
    if (c->type != CELL_TEXT || !strpbrk(s, "\n\r\t"))
        return s;
    size_t n = strlen(s);
    char *copy = n < size ? buf : NULL;
    if (!copy)
        return s; /* too long to copy; the screen truncates anyway */
    memmove(copy, s, n + 1);
    for (char *p = copy; *p; p++)
        if (*p == '\n' || *p == '\r' || *p == '\t')
            *p = ' ';
    return copy;
}

/* Writes s in exactly `width` columns (truncated with '~' when too wide). */
static void put_cell(FILE *out, const char *s, int width, bool right)
{
    int w = utf8_width(s);
    if (w > width) {
        int used;
        size_t n = utf8_fit(s, width - 1, &used);
        fwrite(s, 1, n, out);
        fputc('~', out);
        for (int i = used + 1; i < width; i++)
            fputc(' ', out);
        return;
    }
    if (right)
        for (int i = w; i < width; i++)
            fputc(' ', out);
    fputs(s, out);
    if (!right)
        for (int i = w; i < width; i++)
            fputc(' ', out);
}

/* Ends a line without trailing blanks: lines are assembled in a memory stream first. */
static void flush_line(FILE *out, char *line, size_t n)
{
    while (n > 0 && line[n - 1] == ' ')
        n--;
    fwrite(line, 1, n, out);
    fputc('\n', out);
}

static void rule(FILE *out, const int *widths, int ncols)
{
    int total = 0;
    for (int i = 0; i < ncols; i++)
        total += widths[i] + (i ? GAP : 0);
    for (int i = 0; i < total; i++)
        fputc('-', out);
    fputc('\n', out);
}

static int render_table(struct report_table *t, FILE *out, int limit)
{
    int *widths = xcalloc((size_t)t->ncols, sizeof *widths);
    for (int i = 0; i < t->ncols; i++)
        widths[i] = utf8_width(t->cols[i].title);
    struct report_row row;
    char buf[MONEY_BUF > 256 ? MONEY_BUF : 256];
    if (report_table_rewind(t)) {
        while (report_table_next(t, &row) == 1) {
            if (row.style == ROW_HEADING || row.style == ROW_BLANK)
                continue;
            for (int i = 0; i < t->ncols; i++) {
                int w = utf8_width(display(&row.cells[i], buf, sizeof buf));
                if (w > widths[i])
                    widths[i] = w;
            }
        }
        report_table_rewind(t);
    } else {
        for (int i = 0; i < t->ncols; i++)
            if (t->cols[i].width > widths[i])
                widths[i] = t->cols[i].width;
    }
    if (limit > 0) {
        /* Narrow the widest text columns until the table fits. */
        for (;;) {
            int total = 0, widest = -1;
            for (int i = 0; i < t->ncols; i++) {
                total += widths[i] + (i ? GAP : 0);
                if (t->cols[i].type == COL_TEXT && widths[i] > MIN_TEXT &&
                    (widest < 0 || widths[i] > widths[widest]))
                    widest = i;
            }
            if (total <= limit || widest < 0)
                break;
            widths[widest]--;
        }
    }
    if (t->title)
        fprintf(out, "%s\n", t->title);
    char *line = NULL;
    size_t len = 0;
    FILE *lf = open_memstream(&line, &len);
    for (int i = 0; i < t->ncols; i++) {
        if (i)
            fprintf(lf, "%*s", GAP, "");
        put_cell(lf, t->cols[i].title, widths[i], right_aligned(&t->cols[i]));
    }
    fflush(lf);
    flush_line(out, line, len);
    rule(out, widths, t->ncols);
    bool any = false; /* a total right under the heading needs no second rule */
    while (report_table_next(t, &row) == 1) {
        if (row.style == ROW_BLANK) {
            fputc('\n', out);
            continue;
        }
        if (row.style == ROW_HEADING) {
            for (int i = 0; i < t->ncols; i++) {
                if (row.cells[i].type != CELL_EMPTY) {
                    fprintf(out, "%s\n", display(&row.cells[i], buf, sizeof buf));
                    break;
                }
            }
            continue;
        }
        if (row.style == ROW_TOTAL && any)
            rule(out, widths, t->ncols);
        any = true;
        rewind(lf);
        for (int i = 0; i < t->ncols; i++) {
            if (i)
                fprintf(lf, "%*s", GAP, "");
            put_cell(lf, display(&row.cells[i], buf, sizeof buf), widths[i],
                     right_aligned(&t->cols[i]));
        }
        fflush(lf);
        flush_line(out, line, (size_t)ftell(lf));
    }
    fclose(lf);
    free(line);
    free(widths);
    return ERR_OK;
}

int render_text_from(struct report_source *src, FILE *out, int width, struct err *e)
{
    struct report *r;
    int rc;
    for (int k = 0; (rc = report_source_next(src, &r, e)) == ERR_OK && r; k++) {
        if (k)
            fputc('\n', out);
        fprintf(out, "%s\n", r->title);
        if (r->subtitle)
            fprintf(out, "%s\n", r->subtitle);
        for (int i = 0; i < r->nheader; i++)
            fprintf(out, "%s: %s\n", r->header[i].key, r->header[i].value);
        for (int i = 0; i < r->ntables; i++) {
            fputc('\n', out);
            render_table(r->tables[i], out, width);
        }
        report_source_done(src, r);
        if (report_cancelled())
            break;
    }
    if (rc != ERR_OK)
        return rc;
    if (ferror(out))
        return err_set(e, ERR_IO, "cannot write the report");
    return ERR_OK;
}
