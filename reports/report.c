/*
 * report.c — building report tables: columns, filled rows, typed cells, and iteration over
 * filled tables and row sources alike.
 */
#include "reports/report.h"

#include "model/date.h"
#include "model/xalloc.h"

#include <assert.h>
#ifdef __GLIBC__
#include <malloc.h>
#endif
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* A chunked bump allocator for the strings of a table, freed all at once. */
struct arena {
    struct arena *prev;
    size_t used, cap;
    char data[];
};

static char *arena_alloc(struct arena **a, size_t n)
{
    if (!*a || (*a)->used + n > (*a)->cap) {
        size_t cap = n > 16384 ? n : 16384;
        struct arena *na = xmalloc(sizeof *na + cap);
        na->prev = *a;
        na->used = 0;
        na->cap = cap;
        *a = na;
    }
    char *p = (*a)->data + (*a)->used;
    (*a)->used += n;
    return p;
}

static void arena_free(struct arena *a)
{
    while (a) {
        struct arena *prev = a->prev;
        free(a);
        a = prev;
    }
}

const char *report_strdup(struct report_table *t, const char *s)
{
    if (!s)
        return NULL;
    size_t n = strlen(s) + 1;
    char *p = arena_alloc(&t->arena, n);
    memcpy(p, s, n);
    return p;
}

struct report *report_new(const char *title, const char *subtitle)
{
    struct report *r = xcalloc(1, sizeof *r);
    r->title = xstrdup(title ? title : "");
    r->subtitle = subtitle ? xstrdup(subtitle) : NULL;
    return r;
}

static void table_free(struct report_table *t)
{
    if (!t)
        return;
    for (int i = 0; i < t->ncols; i++) {
        free((char *)t->cols[i].key);
        free((char *)t->cols[i].title);
    }
    free(t->cols);
    for (size_t i = 0; i < t->nrows; i++)
        free(t->rows[i].cells);
    free(t->rows);
    if (t->free_state)
        t->free_state(t->state);
    arena_free(t->arena);
    free(t->name);
    free(t->title);
    free(t);
}

void report_free(struct report *r)
{
    if (!r)
        return;
    for (int i = 0; i < r->nheader; i++) {
        free(r->header[i].key);
        free(r->header[i].value);
    }
    free(r->header);
    for (int i = 0; i < r->ntables; i++)
        table_free(r->tables[i]);
    free(r->tables);
    table_free(r->entry);
    free(r->sheet);
    free(r->title);
    free(r->subtitle);
    free(r);
}

void report_set_sheet(struct report *r, const char *name)
{
    free(r->sheet);
    r->sheet = name ? xstrdup(name) : NULL;
}

void report_header(struct report *r, const char *key, const char *value)
{
    size_t cap = (size_t)r->capheader;
    r->header = xgrow(r->header, &cap, (size_t)r->nheader + 1, sizeof *r->header);
    r->capheader = (int)cap;
    r->header[r->nheader].key = xstrdup(key);
    r->header[r->nheader].value = xstrdup(value ? value : "");
    r->nheader++;
}

const char *report_header_get(const struct report *r, const char *key)
{
    for (int i = 0; i < r->nheader; i++)
        if (strcmp(r->header[i].key, key) == 0)
            return r->header[i].value;
    return NULL;
}

static struct report_table *table_new(const char *name, const char *title,
                                      const struct report_col *cols, int ncols)
{
    struct report_table *t = xcalloc(1, sizeof *t);
    t->name = xstrdup(name);
    t->title = title ? xstrdup(title) : NULL;
    t->cols = xcalloc((size_t)ncols, sizeof *t->cols);
    for (int i = 0; i < ncols; i++) {
        t->cols[i] = cols[i];
        t->cols[i].key = xstrdup(cols[i].key);
        t->cols[i].title = xstrdup(cols[i].title);
        for (int j = 0; j < i; j++)
            assert(strcmp(t->cols[j].key, cols[i].key) != 0 && "column keys are unique");
    }
    t->ncols = ncols;
    return t;
}

struct report_table *report_add_table(struct report *r, const char *name, const char *title,
                                      const struct report_col *cols, int ncols)
{
    struct report_table *t = table_new(name, title, cols, ncols);
    size_t cap = (size_t)r->captables;
    r->tables = xgrow(r->tables, &cap, (size_t)r->ntables + 1, sizeof *r->tables);
    r->captables = (int)cap;
    r->tables[r->ntables++] = t;
    return t;
}

struct report_row *report_set_entry(struct report *r, const struct report_col *cols, int ncols)
{
    table_free(r->entry);
    r->entry = table_new("entry", NULL, cols, ncols);
    return report_row_add(r->entry, ROW_DATA);
}

int report_col_index(const struct report_table *t, const char *key)
{
    for (int i = 0; i < t->ncols; i++)
        if (strcmp(t->cols[i].key, key) == 0)
            return i;
    return -1;
}

static struct cell *cell_at(struct report_row *row, const struct report_table *t, const char *key)
{
    int i = report_col_index(t, key);
    assert(i >= 0 && "no such column");
    return &row->cells[i];
}

struct report_row *report_row_add(struct report_table *t, enum row_style style)
{
    assert(!t->next && "a sourced table has no filled rows");
    t->rows = xgrow(t->rows, &t->caprows, t->nrows + 1, sizeof *t->rows);
    struct report_row *row = &t->rows[t->nrows++];
    row->style = style;
    row->cells = xcalloc((size_t)t->ncols, sizeof *row->cells);
    return row;
}

void cell_text(struct report_table *t, struct report_row *row, const char *key, const char *text)
{
    struct cell *c = cell_at(row, t, key);
    c->type = text ? CELL_TEXT : CELL_EMPTY;
    c->text = report_strdup(t, text);
}

void cell_money(struct report_row *row, const struct report_table *t, const char *key,
                struct money m, int exponent)
{
    struct cell *c = cell_at(row, t, key);
    c->type = CELL_MONEY;
    c->v = m.minor;
    c->exponent = exponent;
}

void cell_date(struct report_row *row, const struct report_table *t, const char *key, int32_t d)
{
    struct cell *c = cell_at(row, t, key);
    c->type = d == DATE_NONE ? CELL_EMPTY : CELL_DATE;
    c->v = d;
}

void cell_period(struct report_row *row, const struct report_table *t, const char *key, int32_t p)
{
    struct cell *c = cell_at(row, t, key);
    c->type = CELL_PERIOD;
    c->v = p;
}

void cell_count(struct report_row *row, const struct report_table *t, const char *key, int64_t n)
{
    struct cell *c = cell_at(row, t, key);
    c->type = CELL_COUNT;
    c->v = n;
}

void cell_bool(struct report_row *row, const struct report_table *t, const char *key, bool b)
{
    struct cell *c = cell_at(row, t, key);
    c->type = CELL_BOOL;
    c->v = b;
}

void cell_formula(struct report_table *t, struct report_row *row, const char *key,
                  const char *formula)
{
    struct cell *c = cell_at(row, t, key);
    assert(c->type != CELL_EMPTY && "set the computed value before the formula");
    c->formula = report_strdup(t, formula);
}

static const struct progress *rows_progress;
static uint64_t rows_done;
static bool rows_cancelled;

static struct err rows_failure;

void report_set_progress(const struct progress *p)
{
    rows_progress = p;
    rows_done = 0;
    rows_cancelled = false;
    err_clear(&rows_failure);
}

bool report_cancelled(void)
{
    return rows_cancelled;
}

void report_row_source_failed(const struct err *e)
{
    rows_failure = *e;
    rows_cancelled = true;
}

const struct err *report_failure(void)
{
    return rows_failure.code != ERR_OK ? &rows_failure : NULL;
}

int report_table_next(struct report_table *t, struct report_row *row)
{
    if (rows_cancelled ||
        ((++rows_done & 4095) == 0 && progress_tick(rows_progress, "rows", rows_done, 0))) {
        rows_cancelled = true;
        return 0;
    }
    if (t->next)
        return t->next(t, row);
    if (t->cursor >= t->nrows)
        return 0;
    *row = t->rows[t->cursor++];
    return 1;
}

bool report_table_rewind(struct report_table *t)
{
    if (!t->next) {
        t->cursor = 0;
        return true;
    }
    if (!t->rewind)
        return false;
    t->rewind(t);
    return true;
}

bool report_table_fill(struct report_table *t)
{
    if (!t->next)
        return true;
    struct report_row *rows = NULL;
    size_t n = 0, cap = 0;
    report_table_rewind(t);
    struct report_row row;
    while (report_table_next(t, &row) == 1) {
        rows = xgrow(rows, &cap, n + 1, sizeof *rows);
        struct cell *cells = xcalloc((size_t)t->ncols, sizeof *cells);
        for (int c = 0; c < t->ncols; c++) {
            cells[c] = row.cells[c];
            cells[c].text = report_strdup(t, row.cells[c].text);
            cells[c].formula = report_strdup(t, row.cells[c].formula);
        }
        rows[n].style = row.style;
        rows[n++].cells = cells;
    }
    if (t->free_state)
        t->free_state(t->state);
    t->next = NULL;
    t->rewind = NULL;
    t->free_state = NULL;
    t->state = NULL;
    t->rows = rows;
    t->nrows = n;
    t->caprows = cap;
    t->cursor = 0;
    return !report_cancelled();
}

struct report_source report_source_of(struct report *const *reports, int n)
{
    return (struct report_source){.v = reports, .n = n};
}

int report_source_next(struct report_source *s, struct report **out, struct err *e)
{
    *out = NULL;
    if (s->next)
        return s->next(s->state, out, e);
    if (s->i < s->n)
        *out = s->v[s->i++];
    return ERR_OK;
}

void report_source_done(struct report_source *s, struct report *r)
{
    if (!s->next)
        return;
    report_free(r);
#ifdef __GLIBC__
    /* A report is many small blocks; freed, they would stay with the process as holes that the
     * next report's larger blocks do not fit. Give the free pages back before it is built. */
    malloc_trim(0);
#endif
}

bool report_source_empty(const struct report_source *s)
{
    return !s->next && s->n == 0;
}

void report_source_close(struct report_source *s)
{
    if (s->close)
        s->close(s->state);
    s->close = NULL;
    s->state = NULL;
}

static const char *cell_format(const struct cell *c, char *buf, size_t size, unsigned money_flags)
{
    assert(size >= MONEY_BUF);
    switch (c->type) {
    case CELL_EMPTY:
        buf[0] = '\0';
        return buf;
    case CELL_TEXT:
        return c->text ? c->text : "";
    case CELL_MONEY:
        return money_format(money_of(c->v), c->exponent, money_flags, buf, size);
    case CELL_DATE:
        return date_format((int32_t)c->v, buf, size);
    case CELL_PERIOD:
        return period_format((int32_t)c->v, buf, size);
    case CELL_COUNT:
        snprintf(buf, size, "%lld", (long long)c->v);
        return buf;
    case CELL_BOOL:
        return c->v ? "TRUE" : "FALSE";
    }
    assert(!"unknown cell type");
    return "";
}

const char *cell_plain(const struct cell *c, char *buf, size_t size)
{
    return cell_format(c, buf, size, 0);
}

const char *cell_display(const struct cell *c, char *buf, size_t size)
{
    return cell_format(c, buf, size, MONEY_GROUP);
}

bool report_text_is_risky(const char *s)
{
    return s && (s[0] == '=' || s[0] == '+' || s[0] == '-' || s[0] == '@' || s[0] == '\t' ||
                 s[0] == '\r');
}
