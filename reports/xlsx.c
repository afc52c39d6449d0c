/*
 * xlsx.c — a report as an XLSX workbook for auditors; the only file that includes
 * xlsxwriter.h.
 *
 * One worksheet per report (plus one per table marked own_sheet): the title, the header block,
 * then each table with a bold heading row, frozen below the first table's heading and right of
 * its key columns. A source of many alike reports (a statement per customer) may ask for them
 * stacked instead: a contents sheet, then the reports one after another down shared sheets,
 * each on its own printed page (see "stacked reports" below).
 *
 * Money is a number (minor / 10^exponent) in an accounting format for its exponent; dates are
 * dates; text is always written as text, so "=HYPERLINK(...)" in a name stays a name. Totals and
 * running balances are live formulas that also store the value ratable computed, so viewers
 * that do not recalculate still show the right figure.
 *
 * The workbook is written in constant-memory mode, row by row, so its size never limits memory.
 * Debian's libxlsxwriter formats numbers with the C library's locale; the whole rendering runs
 * in the C locale whatever the process has set, so 1234.56 is never written as 1234,56.
 */
#include "reports/render.h"

#include <assert.h>
#include <errno.h>
#include <locale.h>
#include <pthread.h>
#ifdef __GLIBC__
#include <malloc.h>
#endif
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <strings.h>
#include <xlsxwriter.h>

#include "model/date.h"
#include "model/text.h"
#include "model/xalloc.h"
#include "reports/formula.h"

#define MAX_EXPONENT   4
#define CELL_MAX_CHARS 32767 /* what one spreadsheet cell holds */
#define SHEET_NAME_MAX 31

/* A table written, for formulas of later tables that refer to it. Its report may be freed by
 * then (reports are written one at a time), so its name and column keys are copied; a table of
 * the same name written later takes the entry over, as a reference means the latest one. */
struct placed {
    char *name;
    char **keys;
    int ncols;
    char sheet[4 * SHEET_NAME_MAX + 1];
    int first_data, last_data; /* sheet rows, -1 when none */
    int last_total;
};

struct xw {
    lxw_workbook *wb;
    const char *path;
    lxw_format *title, *subtitle, *key, *heading, *colhead, *text, *text_bold, *date, *date_bold,
        *count, *count_bold, *boolean, *boolean_bold;
    lxw_format *link; /* a stacked workbook's contents links */
    lxw_format *money[MAX_EXPONENT + 1], *money_bold[MAX_EXPONENT + 1];
    struct placed *placed;
    size_t nplaced, capplaced;
    char (*names)[4 * SHEET_NAME_MAX + 1];
    size_t nnames, capnames;
    /* the row being written, for formula lookups */
    struct placed *cur;
    int row;
    locale_t locale; /* the C locale the workbook is written in, on every thread */
};

static lxw_format *fmt(struct xw *x, bool bold)
{
    lxw_format *f = workbook_add_format(x->wb);
    if (bold) {
        format_set_bold(f);
        format_set_top(f, LXW_BORDER_THIN);
    }
    return f;
}

static void make_formats(struct xw *x)
{
    x->title = workbook_add_format(x->wb);
    format_set_bold(x->title);
    format_set_font_size(x->title, 14);
    x->subtitle = workbook_add_format(x->wb);
    format_set_italic(x->subtitle);
    x->key = workbook_add_format(x->wb);
    format_set_bold(x->key);
    /* One format object per distinct format. The library assigns an index only to the first
     * object it meets with given properties; a second, identical one is looked up in a hash
     * table (a copy and a hash of the whole format) on every cell written with it. */
    x->heading = x->key;
    x->colhead = workbook_add_format(x->wb);
    format_set_bold(x->colhead);
    format_set_bottom(x->colhead, LXW_BORDER_THIN);
    format_set_text_wrap(x->colhead);
    format_set_align(x->colhead, LXW_ALIGN_VERTICAL_TOP);
    x->text = NULL; /* the workbook's default format: plain text needs nothing else */
    x->text_bold = fmt(x, true);
    x->date = fmt(x, false);
    format_set_num_format(x->date, "yyyy-mm-dd");
    x->date_bold = fmt(x, true);
    format_set_num_format(x->date_bold, "yyyy-mm-dd");
    x->count = fmt(x, false);
    format_set_num_format(x->count, "0");
    x->count_bold = fmt(x, true);
    format_set_num_format(x->count_bold, "0");
    x->boolean = fmt(x, false);
    format_set_align(x->boolean, LXW_ALIGN_CENTER);
    x->boolean_bold = fmt(x, true);
    format_set_align(x->boolean_bold, LXW_ALIGN_CENTER);
    for (int exp = 0; exp <= MAX_EXPONENT; exp++) {
        /* Accounting layout: negatives in parentheses, zero as a dash, no currency symbol
         * (the currency is named in the header block and the column heading). */
        char zeros[8] = "";
        for (int i = 0; i < exp; i++)
            zeros[i] = '0';
        char f[160];
        if (exp)
            snprintf(f, sizeof f, "_(#,##0.%s_);(#,##0.%s);_(\"-\"??_);_(@_)", zeros, zeros);
        else
            snprintf(f, sizeof f, "_(#,##0_);(#,##0);_(\"-\"_);_(@_)");
        x->money[exp] = fmt(x, false);
        format_set_num_format(x->money[exp], f);
        x->money_bold[exp] = fmt(x, true);
        format_set_num_format(x->money_bold[exp], f);
    }
}

/* The length in bytes of the first `max` characters of s. Excel counts a sheet name's characters,
 * not the columns they take: zero-width ones count too. */
static size_t chars_prefix(const char *s, size_t max)
{
    size_t n = 0, len = strlen(s);
    for (size_t chars = 0; n < len && chars < max; chars++) {
        size_t k;
        utf8_decode(s + n, len - n, &k);
        n += k;
    }
    return n;
}

/* A valid, unique worksheet name: at most 31 characters, none of []:*?/\, no apostrophe at
 * either end, unique ignoring case. */
static const char *sheet_name(struct xw *x, const char *want, char *out, size_t size)
{
    char base[4 * SHEET_NAME_MAX + 1];
    const char *w = want && *want ? want : "Report";
    snprintf(base, sizeof base, "%.*s", (int)chars_prefix(w, SHEET_NAME_MAX), w);
    for (char *p = base; *p; p++)
        if (strchr("[]:*?/\\", *p))
            *p = '_';
    /* Excel refuses a name that starts or ends with an apostrophe. */
    if (base[0] == '\'')
        base[0] = '_';
    if (base[strlen(base) - 1] == '\'')
        base[strlen(base) - 1] = '_';
    for (int k = 1;; k++) {
        if (k == 1) {
            snprintf(out, size, "%s", base);
        } else {
            char suffix[16];
            snprintf(suffix, sizeof suffix, " (%d)", k);
            size_t room = chars_prefix(base, SHEET_NAME_MAX - strlen(suffix));
            snprintf(out, size, "%.*s%s", (int)room, base, suffix);
        }
        bool taken = false;
        for (size_t i = 0; i < x->nnames; i++)
            if (strcasecmp(x->names[i], out) == 0)
                taken = true;
        if (!taken)
            break;
    }
    x->names = xgrow(x->names, &x->capnames, x->nnames + 1, sizeof *x->names);
    snprintf(x->names[x->nnames++], sizeof x->names[0], "%s", out);
    return out;
}

/* ---- formulas ------------------------------------------------------------------------------ */

static struct placed *find_placed(struct xw *x, const char *name)
{
    for (size_t i = 0; i < x->nplaced; i++)
        if (strcmp(x->placed[i].name, name) == 0)
            return &x->placed[i];
    return NULL;
}

static void placed_clear(struct placed *p)
{
    for (int i = 0; i < p->ncols; i++)
        free(p->keys[i]);
    free(p->keys);
    free(p->name);
}

/* The entry of table t about to be written on sheet. */
static struct placed *place(struct xw *x, const struct report_table *t, const char *sheet)
{
    struct placed *p = find_placed(x, t->name);
    if (p) {
        placed_clear(p);
    } else {
        x->placed = xgrow(x->placed, &x->capplaced, x->nplaced + 1, sizeof *x->placed);
        p = &x->placed[x->nplaced++];
    }
    p->name = xstrdup(t->name);
    p->ncols = t->ncols;
    p->keys = xcalloc((size_t)t->ncols + 1, sizeof *p->keys);
    for (int i = 0; i < t->ncols; i++)
        p->keys[i] = xstrdup(t->cols[i].key);
    snprintf(p->sheet, sizeof p->sheet, "%s", sheet);
    p->first_data = p->last_data = p->last_total = -1;
    return p;
}

static int lookup(void *ctx, const char *table, const char *col, enum formula_ref kind, int offset,
                  char *out, size_t size, struct err *e)
{
    struct xw *x = ctx;
    struct placed *p = x->cur;
    if (table) {
        p = find_placed(x, table);
        if (!p)
            return err_set(e, ERR_INPUT, "a formula refers to table '%s', not written yet", table);
    }
    int c = -1;
    for (int i = 0; i < p->ncols && c < 0; i++)
        if (strcmp(p->keys[i], col) == 0)
            c = i;
    if (c < 0)
        return err_set(e, ERR_INPUT, "a formula refers to no column '%s' of table '%s'", col,
                       p->name);
    char letters[8];
    formula_column(c, letters);
    switch (kind) {
    case FREF_CELL:
        snprintf(out, size, "%s%d", letters, x->row + 1);
        return ERR_OK;
    case FREF_REL:
        if (x->row + offset < 0)
            return err_set(e, ERR_INPUT, "a formula refers above the sheet");
        snprintf(out, size, "%s%d", letters, x->row + offset + 1);
        return ERR_OK;
    case FREF_DATA:
        if (p->first_data < 0) {
            snprintf(out, size, "0"); /* no data rows: the sum of nothing */
        } else if (p == x->cur) {
            snprintf(out, size, "%s%d:%s%d", letters, p->first_data + 1, letters, p->last_data + 1);
        } else {
            /* Another sheet: 'Sheet name'!$C$5:$C$40. */
            size_t n = 0;
            out[n++] = '\'';
            for (const char *s = p->sheet; *s && n + 4 < size; s++) {
                if (*s == '\'')
                    out[n++] = '\'';
                out[n++] = *s;
            }
            snprintf(out + n, size - n, "'!$%s$%d:$%s$%d", letters, p->first_data + 1, letters,
                     p->last_data + 1);
        }
        return ERR_OK;
    case FREF_TOTAL:
        if (p->last_total < 0)
            return err_set(e, ERR_INPUT, "a formula refers to the total of '%s', which has none",
                           p->name);
        if (p == x->cur) {
            snprintf(out, size, "%s%d", letters, p->last_total + 1);
        } else {
            /* Another sheet: 'Sheet name'!$C$12, with quotes in the name doubled. */
            size_t n = 0;
            out[n++] = '\'';
            for (const char *s = p->sheet; *s && n + 4 < size; s++) {
                if (*s == '\'')
                    out[n++] = '\'';
                out[n++] = *s;
            }
            snprintf(out + n, size - n, "'!$%s$%d", letters, p->last_total + 1);
        }
        return ERR_OK;
    }
    return err_set(e, ERR_INPUT, "unknown reference");
}

/* ---- cells --------------------------------------------------------------------------------- */

static lxw_error write_text(lxw_worksheet *ws, int row, int col, const char *s, lxw_format *f)
{
    /* A character takes at least one byte: a short string needs no counting. */
    if (strlen(s) <= CELL_MAX_CHARS || utf16_length(s) <= CELL_MAX_CHARS)
        return worksheet_write_string(ws, (lxw_row_t)row, (lxw_col_t)col, s, f);
    /* Longer than a cell holds: keep the first 32,767 characters as a spreadsheet counts them
     * (UTF-16 code units), never half a character. Only a text made of several fields (a title
     * with a name in it) gets here: each field on its own is refused when longer. */
    size_t n = 0, chars = 0;
    while (s[n] && chars + ((unsigned char)s[n] >= 0xF0 ? 2 : 1) <= CELL_MAX_CHARS) {
        chars += (unsigned char)s[n] >= 0xF0 ? 2 : 1;
        n++;
        while (((unsigned char)s[n] & 0xC0) == 0x80)
            n++;
    }
    char *cut = xstrndup(s, n);
    lxw_error rc = worksheet_write_string(ws, (lxw_row_t)row, (lxw_col_t)col, cut, f);
    free(cut);
    return rc;
}

static int write_cell(struct xw *x, lxw_worksheet *ws, int col, const struct cell *c, bool bold,
                      struct err *e)
{
    lxw_row_t r = (lxw_row_t)x->row;
    lxw_col_t k = (lxw_col_t)col;
    char formula[2048];
    if (c->formula && formula_resolve(c->formula, lookup, x, formula, sizeof formula, e) != ERR_OK)
        return e->code;
    lxw_error rc = LXW_NO_ERROR;
    switch (c->type) {
    case CELL_EMPTY:
        return ERR_OK;
    case CELL_TEXT:
        rc = write_text(ws, x->row, col, c->text ? c->text : "", bold ? x->text_bold : x->text);
        break;
    case CELL_PERIOD: {
        char p[PERIOD_BUF];
        rc = worksheet_write_string(ws, r, k, period_format((int32_t)c->v, p, sizeof p),
                                    bold ? x->text_bold : x->text);
        break;
    }
    case CELL_MONEY: {
        int exp = c->exponent < 0 ? 0 : c->exponent > MAX_EXPONENT ? MAX_EXPONENT : c->exponent;
        double v = (double)c->v / (double)money_scale(exp);
        lxw_format *f = bold ? x->money_bold[exp] : x->money[exp];
        rc = c->formula ? worksheet_write_formula_num(ws, r, k, formula, f, v)
                        : worksheet_write_number(ws, r, k, v, f);
        break;
    }
    case CELL_COUNT: {
        lxw_format *f = bold ? x->count_bold : x->count;
        rc = c->formula ? worksheet_write_formula_num(ws, r, k, formula, f, (double)c->v)
                        : worksheet_write_number(ws, r, k, (double)c->v, f);
        break;
    }
    case CELL_BOOL: {
        lxw_format *f = bold ? x->boolean_bold : x->boolean;
        rc = c->formula ? worksheet_write_formula_str(ws, r, k, formula, f, c->v ? "TRUE" : "FALSE")
                        : worksheet_write_boolean(ws, r, k, c->v != 0, f);
        break;
    }
    case CELL_DATE: {
        int y, m, d;
        date_to_ymd((int32_t)c->v, &y, &m, &d);
        lxw_format *f = bold ? x->date_bold : x->date;
        if (y < 1900) {
            char buf[DATE_BUF];
            rc = worksheet_write_string(ws, r, k, date_format((int32_t)c->v, buf, sizeof buf), f);
        } else {
            lxw_datetime dt = {y, m, d, 0, 0, 0};
            rc = worksheet_write_datetime(ws, r, k, &dt, f);
        }
        break;
    }
    }
    if (rc != LXW_NO_ERROR)
        return err_set(e, ERR_IO, "%s: %s", x->path, lxw_strerror(rc));
    return ERR_OK;
}

/* ---- sheets -------------------------------------------------------------------------------- */

static double col_width(const struct report_col *c)
{
    int w = c->width;
    int title = utf8_width(c->title);
    if (c->type == COL_MONEY && w < 14)
        w = 14;
    if (c->type == COL_DATE && w < 11)
        w = 11;
    if (title > w && title <= 24)
        w = title;
    if (w < 8)
        w = 8;
    if (w > 60)
        w = 60;
    return w + 1;
}

#define MAX_COLS 256

/* True on the thread that writes whole reports beside their building (report_writer below): the
 * tables it is given are filled, and it reads them directly, as progress and cancel belong to
 * the building thread. */
static _Thread_local bool on_writer;

static int rows_next(struct report_table *t, struct report_row *row)
{
    if (!on_writer)
        return report_table_next(t, row);
    assert(!t->next && "a writer thread is given filled tables");
    if (t->cursor >= t->nrows)
        return 0;
    *row = t->rows[t->cursor++];
    return 1;
}

/* Column widths come from the sheet's first table, which holds the detail; the tables stacked
 * below it only widen a column enough for their numbers and dates (their text may spill into
 * the empty cell beside it). Widens widths[MAX_COLS] to what the tables need and returns how
 * many columns they use. */
static int measure_widths(struct report_table *const *tables, int n, const struct report *r,
                          double *widths)
{
    /* The header block's labels live in the first column: make room for them. */
    for (int i = 0; r && i < r->nheader; i++) {
        double w = utf8_width(r->header[i].key) + 2;
        if (w > widths[0])
            widths[0] = w > 32 ? 32 : w;
    }
    /* The first table's text columns widen to their content (up to 61): one pass over its rows,
     * filled or streamed, before they are written. */
    double content[MAX_COLS] = {0};
    int *known = n > 0 ? xcalloc((size_t)tables[0]->ncols + 1, sizeof *known) : NULL;
    if (n > 0 && tables[0]->text_widths && tables[0]->text_widths(tables[0], known)) {
        /* A row source that knows its widths spares the pass. */
        const struct report_table *t = tables[0];
        for (int c = 0; c < t->ncols && c < MAX_COLS; c++)
            if (t->cols[c].type == COL_TEXT && known[c] > 0)
                content[c] = known[c] + 1 > 61 ? 61 : known[c] + 1;
    } else if (n > 0 && report_table_rewind(tables[0])) {
        struct report_table *t = tables[0];
        struct report_row row;
        while (rows_next(t, &row) == 1) {
            if (row.style == ROW_HEADING || row.style == ROW_BLANK)
                continue;
            for (int c = 0; c < t->ncols && c < MAX_COLS; c++) {
                const struct cell *cell = &row.cells[c];
                if (t->cols[c].type == COL_TEXT && cell->type == CELL_TEXT && cell->text &&
                    content[c] < 61) {
                    double cw = utf8_width(cell->text) + 1;
                    if (cw > content[c])
                        content[c] = cw > 61 ? 61 : cw;
                }
            }
        }
    }
    free(known);
    int maxcols = 0;
    for (int i = 0; i < n; i++) {
        const struct report_table *t = tables[i];
        for (int c = 0; c < t->ncols && c < MAX_COLS; c++) {
            const struct report_col *col = &t->cols[c];
            double w = i == 0 || col->type != COL_TEXT ? col_width(col) : 8;
            /* A later table's label column widens the first column, within reason. */
            if (i > 0 && c == 0 && col->type == COL_TEXT)
                w = col_width(col) > 42 ? 42 : col_width(col);
            if (i == 0 && col->type == COL_TEXT && content[c] > w)
                w = content[c];
            if (w > widths[c])
                widths[c] = w;
        }
        if (t->ncols > maxcols)
            maxcols = t->ncols;
    }
    return maxcols > MAX_COLS ? MAX_COLS : maxcols;
}

static void apply_widths(lxw_worksheet *ws, const double *widths, int ncols)
{
    for (int c = 0; c < ncols; c++)
        worksheet_set_column(ws, (lxw_col_t)c, (lxw_col_t)c, widths[c], NULL);
    /* Printed, a report fits the page's width, in landscape. */
    worksheet_set_landscape(ws);
    worksheet_fit_to_pages(ws, 1, 0);
}

static void set_widths(lxw_worksheet *ws, struct report_table *const *tables, int n,
                       const struct report *r)
{
    double widths[MAX_COLS] = {0};
    apply_widths(ws, widths, measure_widths(tables, n, r, widths));
}

/* Writes one row of a table at x->row (x->cur is the table's entry) and moves x->row on. */
static int write_row(struct xw *x, lxw_worksheet *ws, int ncols, enum row_style style,
                     const struct cell *cells, struct err *e)
{
    struct placed *p = x->cur;
    if (style == ROW_BLANK) {
        x->row++;
        return ERR_OK;
    }
    bool bold = style == ROW_TOTAL || style == ROW_SUBTOTAL;
    for (int c = 0; c < ncols; c++) {
        const struct cell *cell = &cells[c];
        if (style == ROW_HEADING && cell->type == CELL_TEXT) {
            lxw_error rc = write_text(ws, x->row, c, cell->text ? cell->text : "", x->heading);
            if (rc != LXW_NO_ERROR)
                return err_set(e, ERR_IO, "%s: %s", x->path, lxw_strerror(rc));
        } else if (write_cell(x, ws, c, cell, bold, e) != ERR_OK) {
            return e->code;
        }
    }
    if (style == ROW_DATA) {
        if (p->first_data < 0)
            p->first_data = x->row;
        p->last_data = x->row;
    } else if (style == ROW_TOTAL) {
        p->last_total = x->row;
    }
    x->row++;
    return ERR_OK;
}

/*
 * A table read from the book is written beside its reading: this thread reads the rows (the
 * book, progress and cancel stay with it) and copies them into batches; a writer thread turns
 * them into cells. Either alone took most of an export's time, so on two cores the export takes
 * about as long as the slower of the two. The writer touches only the workbook and x, which the
 * reading side leaves alone until the writer is joined.
 */
#define BATCH_ROWS 256
#define BATCHES    4

struct batch {
    int n;
    enum row_style style[BATCH_ROWS];
    struct cell *cells; /* BATCH_ROWS * ncols */
    char *text;         /* the rows' strings, copied; never moved while the batch holds rows */
    size_t used, cap;
};

struct pipe {
    struct xw *x;
    lxw_worksheet *ws;
    int ncols;
    struct batch batches[BATCHES];
    pthread_mutex_t lock;
    pthread_cond_t changed;
    int full[BATCHES]; /* batches handed to the writer, oldest first */
    int nfull;
    int free_[BATCHES]; /* batches the reader may fill */
    int nfree;
    bool ended;  /* the reader has handed over the last batch */
    bool failed; /* the writer stopped on an error (err) */
    struct err err;
};

static void *pipe_writer(void *arg)
{
    struct pipe *q = arg;
    if (q->x->locale)
        uselocale(q->x->locale);
    pthread_mutex_lock(&q->lock);
    for (;;) {
        while (q->nfull == 0 && !q->ended)
            pthread_cond_wait(&q->changed, &q->lock);
        if (q->nfull == 0)
            break;
        int i = q->full[0];
        memmove(q->full, q->full + 1, (size_t)--q->nfull * sizeof *q->full);
        pthread_mutex_unlock(&q->lock);
        struct batch *b = &q->batches[i];
        int rc = ERR_OK;
        for (int r = 0; r < b->n && rc == ERR_OK; r++)
            rc = write_row(q->x, q->ws, q->ncols, b->style[r],
                           b->cells + (size_t)r * (size_t)q->ncols, &q->err);
        b->n = 0;
        b->used = 0;
        pthread_mutex_lock(&q->lock);
        q->free_[q->nfree++] = i;
        if (rc != ERR_OK)
            q->failed = true;
        pthread_cond_broadcast(&q->changed);
        if (q->failed)
            break;
    }
    pthread_mutex_unlock(&q->lock);
    return NULL;
}

/* Hands batch i to the writer (the reader no longer touches it). */
static void pipe_send(struct pipe *q, int i)
{
    pthread_mutex_lock(&q->lock);
    q->full[q->nfull++] = i;
    pthread_cond_broadcast(&q->changed);
    pthread_mutex_unlock(&q->lock);
}

/* A batch to fill, waiting for the writer to give one back; -1 when the writer failed. */
static int pipe_take(struct pipe *q)
{
    pthread_mutex_lock(&q->lock);
    while (q->nfree == 0 && !q->failed)
        pthread_cond_wait(&q->changed, &q->lock);
    int i = q->failed ? -1 : q->free_[--q->nfree];
    pthread_mutex_unlock(&q->lock);
    return i;
}

static size_t text_size(const char *s)
{
    return s ? strlen(s) + 1 : 0;
}

static const char *batch_copy(struct batch *b, const char *s)
{
    if (!s)
        return NULL;
    size_t n = strlen(s) + 1;
    char *to = memcpy(b->text + b->used, s, n);
    b->used += n;
    return to;
}

/* Writes table t's rows (a row source, rewound) on a writer thread as they are read. Returns
 * -1, having read nothing, when no thread can be started: the caller writes them itself. */
static int write_rows_beside(struct xw *x, lxw_worksheet *ws, struct report_table *t, struct err *e)
{
    struct pipe *q = xcalloc(1, sizeof *q);
    q->x = x;
    q->ws = ws;
    q->ncols = t->ncols;
    for (int i = 0; i < BATCHES; i++) {
        q->batches[i].cells = xcalloc((size_t)BATCH_ROWS * (size_t)t->ncols, sizeof(struct cell));
        q->free_[q->nfree++] = BATCHES - 1 - i;
    }
    pthread_mutex_init(&q->lock, NULL);
    pthread_cond_init(&q->changed, NULL);
    pthread_t writer;
    bool started = pthread_create(&writer, NULL, pipe_writer, q) == 0;
    int cur = -1;
    struct report_row row;
    while (started && report_table_next(t, &row) == 1) {
        size_t need = 0;
        for (int c = 0; c < t->ncols; c++)
            need += text_size(row.cells[c].text) + text_size(row.cells[c].formula);
        struct batch *b = cur >= 0 ? &q->batches[cur] : NULL;
        if (b && (b->n == BATCH_ROWS || b->used + need > b->cap)) {
            pipe_send(q, cur);
            b = NULL;
        }
        if (!b) {
            cur = pipe_take(q);
            if (cur < 0)
                break;
            b = &q->batches[cur];
            if (need > b->cap) { /* empty: nothing points into it yet */
                b->cap = need > 64 * 1024 ? need : 64 * 1024;
                free(b->text);
                b->text = xmalloc(b->cap);
            }
        }
        b->style[b->n] = row.style;
        struct cell *to = b->cells + (size_t)b->n++ * (size_t)t->ncols;
        for (int c = 0; c < t->ncols; c++) {
            to[c] = row.cells[c];
            to[c].text = batch_copy(b, row.cells[c].text);
            to[c].formula = batch_copy(b, row.cells[c].formula);
        }
    }
    int rc = -1;
    if (started) {
        if (cur >= 0 && q->batches[cur].n > 0)
            pipe_send(q, cur);
        pthread_mutex_lock(&q->lock);
        q->ended = true;
        pthread_cond_broadcast(&q->changed);
        pthread_mutex_unlock(&q->lock);
        pthread_join(writer, NULL);
        rc = ERR_OK;
        if (q->failed) {
            *e = q->err;
            rc = e->code;
        }
    }
    for (int i = 0; i < BATCHES; i++) {
        free(q->batches[i].cells);
        free(q->batches[i].text);
    }
    pthread_mutex_destroy(&q->lock);
    pthread_cond_destroy(&q->changed);
    free(q);
    return rc;
}

static int write_table(struct xw *x, lxw_worksheet *ws, const char *sheet, struct report_table *t,
                       bool freeze, bool with_title, struct err *e)
{
    lxw_error rc;
    if (t->title && with_title) {
        rc = write_text(ws, x->row, 0, t->title, x->heading);
        if (rc != LXW_NO_ERROR)
            return err_set(e, ERR_IO, "%s: %s", x->path, lxw_strerror(rc));
        x->row++;
    }
    /* Headings wrap; streaming rows are not measured by the library, so give a heading that
     * wraps the height of two lines. */
    bool wraps = false;
    for (int c = 0; c < t->ncols; c++)
        if (utf8_width(t->cols[c].title) > (int)col_width(&t->cols[c]) - 1)
            wraps = true;
    if (wraps)
        worksheet_set_row(ws, (lxw_row_t)x->row, 30, NULL);
    for (int c = 0; c < t->ncols; c++)
        worksheet_write_string(ws, (lxw_row_t)x->row, (lxw_col_t)c, t->cols[c].title, x->colhead);
    if (freeze)
        worksheet_freeze_panes(ws, (lxw_row_t)(x->row + 1), (lxw_col_t)t->freeze_cols);
    x->row++;
    x->cur = place(x, t, sheet);
    report_table_rewind(t);
    int done = t->next && !on_writer ? write_rows_beside(x, ws, t, e) : -1;
    if (done < 0) {
        /* Filled rows, or no thread to be had: read and write them in turn. */
        struct report_row row;
        done = ERR_OK;
        while (done == ERR_OK && rows_next(t, &row) == 1)
            done = write_row(x, ws, t->ncols, row.style, row.cells, e);
    }
    x->row++; /* a blank row after each table */
    return done;
}

/* The report's title, subtitle and header block from x->row on, then a blank row. */
static int write_top(struct xw *x, lxw_worksheet *ws, const struct report *r, struct err *e)
{
    lxw_error rc = write_text(ws, x->row++, 0, r->title, x->title);
    if (rc == LXW_NO_ERROR && r->subtitle)
        rc = write_text(ws, x->row++, 0, r->subtitle, x->subtitle);
    for (int i = 0; i < r->nheader && rc == LXW_NO_ERROR; i++) {
        rc = write_text(ws, x->row, 0, r->header[i].key, x->key);
        if (rc == LXW_NO_ERROR)
            rc = write_text(ws, x->row, 1, r->header[i].value, x->text);
        x->row++;
    }
    x->row++;
    if (rc != LXW_NO_ERROR)
        return err_set(e, ERR_IO, "%s: %s", x->path, lxw_strerror(rc));
    return ERR_OK;
}

static int write_report(struct xw *x, const struct report *r, struct err *e)
{
    char name[4 * SHEET_NAME_MAX + 1];
    sheet_name(x, r->sheet ? r->sheet : r->title, name, sizeof name);
    lxw_worksheet *ws = workbook_add_worksheet(x->wb, name);
    if (!ws)
        return err_set(e, ERR_IO, "%s: cannot add the worksheet '%s'", x->path, name);
    struct report_table **mine = xmalloc(((size_t)r->ntables + 1) * sizeof *mine);
    int nmine = 0;
    for (int i = 0; i < r->ntables; i++)
        if (!r->tables[i]->own_sheet)
            mine[nmine++] = r->tables[i];
    set_widths(ws, mine, nmine, r);
    x->row = 0;
    int rc = write_top(x, ws, r, e);
    for (int i = 0; i < nmine && rc == ERR_OK; i++)
        rc = write_table(x, ws, name, mine[i], i == 0, true, e);
    free(mine);
    for (int i = 0; i < r->ntables && rc == ERR_OK; i++) {
        struct report_table *t = r->tables[i];
        if (!t->own_sheet)
            continue;
        char own[4 * SHEET_NAME_MAX + 1];
        sheet_name(x, t->title ? t->title : t->name, own, sizeof own);
        lxw_worksheet *ows = workbook_add_worksheet(x->wb, own);
        if (!ows)
            return err_set(e, ERR_IO, "%s: cannot add the worksheet '%s'", x->path, own);
        set_widths(ows, &t, 1, NULL);
        x->row = 0;
        write_text(ows, x->row++, 0, t->title ? t->title : t->name, x->title);
        x->row++;
        rc = write_table(x, ows, own, t, true, false, e);
    }
    return rc;
}

/* ---- stacked reports ----------------------------------------------------------------------- */

/*
 * A source's reports one after another down shared sheets, after a contents sheet
 * (report_source.contents). Each sheet is written in step with the contents, row by row, so
 * the workbook holds a dozen sheets for ten thousand reports and memory stays the same however
 * many there are: what is kept is the page breaks and column widths of the sheet being filled.
 * A worksheet hyperlink would be kept in memory until the workbook closes (and a sheet takes
 * at most 65,530), so the contents link with a HYPERLINK formula, which is written as a cell.
 */
struct stack {
    const struct report *contents;
    const struct report_table *ct; /* the contents' columns */
    lxw_worksheet *cws;
    int crow; /* the contents' next row */
    double cwidths[MAX_COLS];
    int cncols;
    const char *base;  /* the stacked sheets' name */
    lxw_worksheet *ws; /* the sheet being filled; NULL before the first */
    char name[4 * SHEET_NAME_MAX + 1];
    int sheets, count, row; /* sheets opened, reports on this one, its next row */
    lxw_row_t breaks[REPORT_STACK_MAX + 1];
    double widths[MAX_COLS];
    int ncols;
};

/* The sheet rows a report of filled tables takes; 0 when a table streams its rows. */
static long rows_needed(const struct report *r)
{
    long n = 2 + (r->subtitle != NULL) + r->nheader;
    for (int i = 0; i < r->ntables; i++) {
        const struct report_table *t = r->tables[i];
        if (t->next)
            return 0;
        n += (t->title != NULL) + 2 + (long)(t->nrows > LXW_ROW_MAX ? LXW_ROW_MAX : t->nrows);
    }
    return n;
}

/* The sheet being filled is complete: its page breaks (one before each report after the first)
 * and its columns. */
static void stack_finish_sheet(struct stack *st)
{
    if (!st->ws)
        return;
    if (st->count > 1) {
        st->breaks[st->count - 1] = 0;
        worksheet_set_h_pagebreaks(st->ws, st->breaks);
    }
    apply_widths(st->ws, st->widths, st->ncols);
    st->ws = NULL;
}

static int stack_new_sheet(struct xw *x, struct stack *st, struct err *e)
{
    stack_finish_sheet(st);
    char want[4 * SHEET_NAME_MAX + 1];
    if (st->sheets++ == 0)
        snprintf(want, sizeof want, "%s", st->base);
    else
        snprintf(want, sizeof want, "%.*s %d", (int)chars_prefix(st->base, SHEET_NAME_MAX - 8),
                 st->base, st->sheets);
    sheet_name(x, want, st->name, sizeof st->name);
    st->ws = workbook_add_worksheet(x->wb, st->name);
    if (!st->ws)
        return err_set(e, ERR_IO, "%s: cannot add the worksheet '%s'", x->path, st->name);
    st->count = st->row = st->ncols = 0;
    memset(st->widths, 0, sizeof st->widths);
    return ERR_OK;
}

static const char *const stack_link_title = "Sheet";
static const char *const stack_row_title = "Row";

/* The contents sheet, first in the workbook: its title and header block, then the headings of
 * its columns, frozen and repeated on every printed page. */
static int stack_open(struct xw *x, struct stack *st, const struct report_source *src,
                      struct err *e)
{
    st->contents = src->contents;
    st->base = src->stack && *src->stack ? src->stack : "Reports";
    assert(st->contents->ntables > 0 && "the contents name their columns");
    st->ct = st->contents->tables[0];
    char name[4 * SHEET_NAME_MAX + 1];
    sheet_name(x, st->contents->sheet ? st->contents->sheet : "Contents", name, sizeof name);
    st->cws = workbook_add_worksheet(x->wb, name);
    if (!st->cws)
        return err_set(e, ERR_IO, "%s: cannot add the worksheet '%s'", x->path, name);
    x->link = workbook_add_format(x->wb);
    format_set_underline(x->link, LXW_UNDERLINE_SINGLE);
    format_set_font_color(x->link, LXW_COLOR_BLUE);
    x->row = 0;
    if (write_top(x, st->cws, st->contents, e) != ERR_OK)
        return e->code;
    struct report_table *ct = st->contents->tables[0];
    st->cncols = measure_widths(&ct, 1, st->contents, st->cwidths);
    int nc = st->ct->ncols;
    for (int c = 0; c < nc; c++)
        worksheet_write_string(st->cws, (lxw_row_t)x->row, (lxw_col_t)c, st->ct->cols[c].title,
                               x->colhead);
    worksheet_write_string(st->cws, (lxw_row_t)x->row, (lxw_col_t)nc, stack_link_title, x->colhead);
    worksheet_write_string(st->cws, (lxw_row_t)x->row, (lxw_col_t)(nc + 1), stack_row_title,
                           x->colhead);
    if (nc + 2 <= MAX_COLS) {
        double link = utf8_width(st->base) + 6;
        st->cwidths[nc] = link < 12 ? 12 : link;
        st->cwidths[nc + 1] = 9;
        st->cncols = nc + 2;
    }
    worksheet_freeze_panes(st->cws, (lxw_row_t)(x->row + 1), 1);
    worksheet_repeat_rows(st->cws, (lxw_row_t)x->row, (lxw_row_t)x->row);
    st->crow = x->row + 1;
    return ERR_OK;
}

/* The text of a formula string literal: quotes doubled. */
static void formula_string(char *out, size_t size, const char *s)
{
    size_t n = 0;
    for (; *s && n + 3 < size; s++) {
        if (*s == '"')
            out[n++] = '"';
        out[n++] = *s;
    }
    out[n] = '\0';
}

/* The report's row in the contents: its entry, then a link to where it starts. */
static int stack_entry(struct xw *x, struct stack *st, const struct report *r, int start,
                       struct err *e)
{
    x->row = st->crow;
    x->cur = NULL;
    int nc = st->ct->ncols;
    if (r->entry && r->entry->nrows > 0) {
        const struct report_table *t = r->entry;
        for (int c = 0; c < t->ncols && c < nc; c++) {
            struct cell cell = t->rows[0].cells[c];
            cell.formula = NULL; /* an entry holds values */
            if (write_cell(x, st->cws, c, &cell, false, e) != ERR_OK)
                return e->code;
            if (c < MAX_COLS && t->cols[c].type == COL_TEXT && cell.type == CELL_TEXT &&
                cell.text) {
                double w = utf8_width(cell.text) + 1;
                if (w > 42)
                    w = 42;
                if (w > st->cwidths[c])
                    st->cwidths[c] = w;
            }
        }
    }
    /* =HYPERLINK("#'Statements 2'!A1001","Statements 2"): the sheet's name quoted for a
     * reference (apostrophes doubled), then for a string literal (quotes doubled). */
    char ref[8 * SHEET_NAME_MAX + 32], lit[2 * sizeof ref], shown[8 * SHEET_NAME_MAX + 8];
    size_t n = 0;
    ref[n++] = '#';
    ref[n++] = '\'';
    for (const char *p = st->name; *p && n + 4 < sizeof ref; p++) {
        if (*p == '\'')
            ref[n++] = '\'';
        ref[n++] = *p;
    }
    snprintf(ref + n, sizeof ref - n, "'!A%d", start + 1);
    formula_string(lit, sizeof lit, ref);
    formula_string(shown, sizeof shown, st->name);
    char formula[sizeof lit + sizeof shown + 32];
    snprintf(formula, sizeof formula, "=HYPERLINK(\"%s\",\"%s\")", lit, shown);
    lxw_error rc = worksheet_write_formula_str(st->cws, (lxw_row_t)st->crow, (lxw_col_t)nc, formula,
                                               x->link, st->name);
    if (rc == LXW_NO_ERROR)
        rc = worksheet_write_number(st->cws, (lxw_row_t)st->crow, (lxw_col_t)(nc + 1),
                                    (double)(start + 1), x->count);
    if (rc != LXW_NO_ERROR)
        return err_set(e, ERR_IO, "%s: %s", x->path, lxw_strerror(rc));
    st->crow++;
    return ERR_OK;
}

static void placed_reset(struct xw *x)
{
    for (size_t i = 0; i < x->nplaced; i++)
        placed_clear(&x->placed[i]);
    x->nplaced = 0;
    x->cur = NULL;
}

/* The next report, below the last on the sheet being filled and on a new printed page, or at
 * the top of a new sheet when this one is full. Its formulas refer to its own rows: what the
 * reports before it placed is forgotten. */
static int stack_add(struct xw *x, struct stack *st, const struct report *r, struct err *e)
{
    long need = rows_needed(r);
    if (!st->ws || st->count >= REPORT_STACK_MAX ||
        (st->count > 0 && need > 0 && st->row + need > LXW_ROW_MAX)) {
        if (stack_new_sheet(x, st, e) != ERR_OK)
            return e->code;
    }
    if (st->count > 0)
        st->breaks[st->count - 1] = (lxw_row_t)st->row;
    int start = st->row;
    placed_reset(x);
    x->row = start;
    int rc = write_top(x, st->ws, r, e);
    for (int i = 0; i < r->ntables && rc == ERR_OK; i++)
        rc = write_table(x, st->ws, st->name, r->tables[i], false, true, e);
    if (rc != ERR_OK)
        return rc;
    int nc = measure_widths(r->tables, r->ntables, r, st->widths);
    if (nc > st->ncols)
        st->ncols = nc;
    st->row = x->row;
    st->count++;
    return stack_entry(x, st, r, start, e);
}

static void stack_close(struct stack *st)
{
    stack_finish_sheet(st);
    if (st->cws)
        apply_widths(st->cws, st->cwidths, st->cncols);
}

/*
 * Reports of filled tables (a statement per customer) are written the same way, a whole report
 * at a time: this thread builds the next from the book while a writer thread writes those
 * handed to it and frees them. A report whose rows still come from the book is written by this
 * thread, once the writer has caught up, as the workbook is then its own again.
 */
#define REPORTS_AHEAD 4

struct report_writer {
    struct xw *x;
    struct stack *st; /* NULL: a sheet per report */
    pthread_t thread;
    pthread_mutex_t lock;
    pthread_cond_t changed;
    struct report *queue[REPORTS_AHEAD];
    int head, n;
    bool busy;   /* writing one taken off the queue */
    bool ended;  /* no more will come */
    bool failed; /* stopped on an error (err) */
    struct err err;
};

static bool report_filled(const struct report *r)
{
    for (int i = 0; i < r->ntables; i++)
        if (r->tables[i]->next)
            return false;
    return !r->entry || !r->entry->next;
}

static void *report_writer_run(void *arg)
{
    struct report_writer *w = arg;
    on_writer = true;
    if (w->x->locale)
        uselocale(w->x->locale);
    pthread_mutex_lock(&w->lock);
    while (!w->failed) {
        while (w->n == 0 && !w->ended)
            pthread_cond_wait(&w->changed, &w->lock);
        if (w->n == 0)
            break;
        struct report *r = w->queue[w->head];
        w->head = (w->head + 1) % REPORTS_AHEAD;
        w->n--;
        w->busy = true;
        pthread_mutex_unlock(&w->lock);
        struct err e = {0};
        int rc = w->st ? stack_add(w->x, w->st, r, &e) : write_report(w->x, r, &e);
        /* Freed without giving the pages back (report_source_done): with two threads that took
         * longer than writing the report, and the next report reuses the blocks. */
        report_free(r);
        pthread_mutex_lock(&w->lock);
        w->busy = false;
        if (rc != ERR_OK) {
            w->failed = true;
            w->err = e;
        }
        pthread_cond_broadcast(&w->changed);
    }
    pthread_mutex_unlock(&w->lock);
    return NULL;
}

/* A writer of reports handed to it (it frees them), or NULL when no thread can be started. */
static struct report_writer *report_writer_start(struct xw *x, struct stack *st)
{
    struct report_writer *w = xcalloc(1, sizeof *w);
    w->x = x;
    w->st = st;
    pthread_mutex_init(&w->lock, NULL);
    pthread_cond_init(&w->changed, NULL);
    if (pthread_create(&w->thread, NULL, report_writer_run, w) != 0) {
        pthread_mutex_destroy(&w->lock);
        pthread_cond_destroy(&w->changed);
        free(w);
        return NULL;
    }
    return w;
}

/* Hands r to the writer, which frees it; false (r freed) when the writer has failed. */
static bool report_writer_give(struct report_writer *w, struct report *r)
{
    pthread_mutex_lock(&w->lock);
    while (w->n == REPORTS_AHEAD && !w->failed)
        pthread_cond_wait(&w->changed, &w->lock);
    bool ok = !w->failed;
    if (ok) {
        w->queue[(w->head + w->n) % REPORTS_AHEAD] = r;
        w->n++;
        pthread_cond_broadcast(&w->changed);
    }
    pthread_mutex_unlock(&w->lock);
    if (!ok)
        report_free(r);
    return ok;
}

/* Waits until the writer has written all it was given; its error, if it stopped on one. */
static int report_writer_wait(struct report_writer *w, struct err *e)
{
    pthread_mutex_lock(&w->lock);
    while ((w->n > 0 || w->busy) && !w->failed)
        pthread_cond_wait(&w->changed, &w->lock);
    int rc = w->failed ? (*e = w->err, e->code) : ERR_OK;
    pthread_mutex_unlock(&w->lock);
    return rc;
}

/* Ends the writer (after what it was given, unless it failed) and frees the reports it left. */
static int report_writer_stop(struct report_writer *w, struct err *e)
{
    pthread_mutex_lock(&w->lock);
    w->ended = true;
    pthread_cond_broadcast(&w->changed);
    pthread_mutex_unlock(&w->lock);
    pthread_join(w->thread, NULL);
    for (; w->n > 0; w->n--, w->head = (w->head + 1) % REPORTS_AHEAD)
        report_free(w->queue[w->head]);
    int rc = w->failed ? (*e = w->err, e->code) : ERR_OK;
    pthread_mutex_destroy(&w->lock);
    pthread_cond_destroy(&w->changed);
    free(w);
    return rc;
}

/* The workbook's properties from the first report: its title, company and author, and the
 * report's stamp as the creation time. */
static void set_properties(struct xw *x, const struct report *r)
{
    lxw_doc_properties props = {.title = r->title, .company = NULL};
    const char *company = report_header_get(r, "Company");
    const char *by = report_header_get(r, "By");
    props.company = (char *)company;
    props.author = (char *)by;
    /* The file's creation time is the report's stamp, not the clock: the same report with the
     * same stamp is the same file, byte for byte. */
    const char *stamp = report_header_get(r, "Generated");
    struct tm tm = {0};
    if (stamp && sscanf(stamp, "%d-%d-%dT%d:%d:%d", &tm.tm_year, &tm.tm_mon, &tm.tm_mday,
                        &tm.tm_hour, &tm.tm_min, &tm.tm_sec) == 6) {
        tm.tm_year -= 1900;
        tm.tm_mon -= 1;
        props.created = timegm(&tm);
    }
    workbook_set_properties(x->wb, &props);
}

int render_xlsx_from(struct report_source *src, const char *path, struct err *e)
{
#ifdef __GLIBC__
    /* The library keeps every worksheet's state until the workbook closes, among it a 128 KiB
     * row array (a pointer per possible column) of which a sheet touches one page. Reports are
     * built and freed between those long-lived blocks. With glibc's threshold for mapping
     * blocks on its own (it grows as large blocks are freed) the arrays came from the heap,
     * cleared, and the freed reports left holes: a workbook of a statement per customer took
     * 128 KiB and more per customer. Blocks of 16 KiB and up mapped apart are given back whole
     * and never cleared by hand. */
    mallopt(M_MMAP_THRESHOLD, 16 * 1024);
#endif
    /* Numbers must not depend on LC_NUMERIC: render in the C locale on this thread, and on the
     * writer threads (x.locale). */
    locale_t c_locale = newlocale(LC_ALL_MASK, "C", (locale_t)0);
    locale_t previous = c_locale ? uselocale(c_locale) : (locale_t)0;

    char *dir = xstrdup(path);
    char *slash = strrchr(dir, '/');
    if (slash)
        *slash = '\0';
    else
        strcpy(dir, ".");
    lxw_workbook_options options = {.constant_memory = LXW_TRUE, .tmpdir = dir};
    struct xw x = {.path = path, .locale = c_locale};
    x.wb = workbook_new_opt(path, &options);
    int rc = ERR_OK;
    if (!x.wb) {
        rc = err_set(e, ERR_IO, "cannot create %s: %s", path, strerror(errno));
    } else {
        make_formats(&x);
        struct stack *st = src->contents ? xcalloc(1, sizeof *st) : NULL;
        struct report *r;
        rc = report_source_next(src, &r, e);
        if (rc == ERR_OK && r)
            set_properties(&x, st ? src->contents : r);
        if (rc == ERR_OK && st && r)
            rc = stack_open(&x, st, src, e);
        /* Only a source of many reports gains from a writer beside it. */
        struct report_writer *w =
            rc == ERR_OK && r && src->next ? report_writer_start(&x, st) : NULL;
        while (rc == ERR_OK && r) {
            if (w && report_filled(r)) {
                if (!report_writer_give(w, r))
                    rc = report_writer_wait(w, e);
            } else {
                if (w)
                    rc = report_writer_wait(w, e);
                if (rc == ERR_OK)
                    rc = st ? stack_add(&x, st, r, e) : write_report(&x, r, e);
                report_source_done(src, r);
            }
            r = NULL;
            if (rc == ERR_OK && !report_cancelled())
                rc = report_source_next(src, &r, e);
        }
        if (w) {
            struct err we = {0};
            int wrc = report_writer_stop(w, &we);
            if (rc == ERR_OK && wrc != ERR_OK) {
                *e = we;
                rc = wrc;
            }
        }
        if (st)
            stack_close(st);
        free(st);
        if (r)
            report_source_done(src, r);
        lxw_error closed = workbook_close(x.wb);
        if (rc == ERR_OK && closed != LXW_NO_ERROR)
            rc = err_set(e, ERR_IO, "%s: %s", path, lxw_strerror(closed));
    }
    for (size_t i = 0; i < x.nplaced; i++)
        placed_clear(&x.placed[i]);
    free(x.placed);
    free(x.names);
    free(dir);
    if (c_locale) {
        uselocale(previous);
        freelocale(c_locale);
    }
    return rc;
}
