/*
 * revenue_report.c — the deferred revenue reports auditors ask for: the waterfall, the
 * roll-forward (tied to the ledger), remaining performance obligations, revenue disaggregated
 * by month, and the journal in a layout accounting systems import. Amounts of different
 * currencies are never added: each currency has its own table and totals.
 */
#include "reports/reports.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "model/contract.h"
#include "model/date.h"
#include "model/ledger.h"
#include "model/xalloc.h"

static struct report *begin(struct book *b, const char *title, const char *sub, struct err *e)
{
    struct report *r = report_new(title, sub);
    char p[PERIOD_BUF];
    int32_t posted = recognition_posted_through(b);
    report_header(r, "Recognition posted through",
                  posted == DATE_NONE ? "nothing posted yet" : period_format(posted, p, sizeof p));
    if (report_stamp(r, b, e) != ERR_OK) {
        report_free(r);
        return NULL;
    }
    return r;
}

static char *range_text(int32_t from, int32_t to)
{
    char a[PERIOD_BUF], b[PERIOD_BUF];
    return xasprintf("%s to %s", period_format(from, a, sizeof a), period_format(to, b, sizeof b));
}

/* ---- waterfall ------------------------------------------------------------------------------ */
/*
 * The waterfall has a row per obligation, and a book may hold any number of them: each
 * currency's table is a row source over a cursor on the plans, making each row as a renderer
 * asks for it, so the report holds one plan at a time. The totals are added up as the rows go
 * by and handed out as the last row. The widths of the text columns are read apart when a
 * workbook asks for them (a light pass over the obligations), so it does not read the plans
 * twice to size them.
 */

/* Columns: customer, contract, obligation, name, pattern, allocated, before, a column per month,
 * later, total, check. */
enum { WF_ALLOCATED = 5, WF_BEFORE = 6, WF_FIRST_MONTH = 7 };

/* What the currencies' tables share: the widths of their text columns, measured when first
 * asked for (a workbook asks; CSV does not). */
struct waterfall_shared {
    struct book *b;
    char (*curs)[4];
    int ncur;
    int (*widths)[5];
    bool measured, failed;
    int refs;
};

struct waterfall_source {
    struct waterfall_shared *shared;
    int index; /* this currency's among the shared */
    struct plan_cursor *cursor;
    int32_t from, to;
    int ncols, exponent;
    bool total_given;
    char currency[4];
    char ref[2 * CODE_MAX + 8]; /* the obligation handed out, CONTRACT/seq */
    struct money *sums;         /* per column */
    struct cell *cells;         /* the row handed out */
    char (*formulas)[48];       /* the total row's, per column */
};

static int waterfall_next(struct report_table *t, struct report_row *row)
{
    struct waterfall_source *s = t->state;
    int n = s->ncols, months = n - 10, x = s->exponent;
    struct cell *c = s->cells;
    memset(c, 0, (size_t)n * sizeof *c);
    const struct obligation_plan *p = NULL;
    const struct plan_line *lines = NULL;
    struct err e = {0};
    int got = s->total_given ? 0 : plan_cursor_next(s->cursor, &p, &lines, &e);
    if (got < 0) {
        report_row_source_failed(&e);
        return 0;
    }
    if (got == 1) {
        snprintf(s->ref, sizeof s->ref, "%s/%d", p->contract, p->seq);
        const char *text[] = {p->customer, p->contract, s->ref, p->name, pattern_name(p->pattern)};
        for (int k = 0; k < 5; k++)
            c[k] = (struct cell){.type = CELL_TEXT, .text = text[k]};
        for (int k = WF_ALLOCATED; k < n; k++)
            c[k] = (struct cell){.type = CELL_MONEY, .exponent = x};
        int later = WF_FIRST_MONTH + months, total = later + 1, check = later + 2;
        c[WF_ALLOCATED].v = p->allocated.minor;
        for (size_t k = 0; k < p->n; k++) {
            const struct plan_line *l = &lines[k];
            if (l->period < s->from)
                c[WF_BEFORE].v += l->amount.minor;
            else if (l->period > s->to)
                c[later].v += l->amount.minor;
            else
                c[WF_FIRST_MONTH + (l->period - s->from)].v += l->amount.minor;
            c[total].v += l->amount.minor;
        }
        c[total].formula = "=SUM({before}:{later})";
        /* Everything allocated is scheduled exactly once. */
        c[check].v = p->allocated.minor - c[total].v;
        c[check].formula = "={allocated}-{total}";
        for (int k = WF_ALLOCATED; k < n; k++)
            s->sums[k].minor += c[k].v;
        row->style = ROW_DATA;
    } else if (!s->total_given) {
        s->total_given = true;
        c[0] = (struct cell){.type = CELL_TEXT, .text = "Total"};
        c[1] = (struct cell){.type = CELL_TEXT, .text = s->currency};
        for (int k = WF_ALLOCATED; k < n; k++)
            c[k] = (struct cell){.type = CELL_MONEY,
                                 .v = s->sums[k].minor,
                                 .exponent = x,
                                 .formula = s->formulas[k]};
        row->style = ROW_TOTAL;
    } else {
        return 0;
    }
    row->cells = c;
    return 1;
}

static void waterfall_rewind(struct report_table *t)
{
    struct waterfall_source *s = t->state;
    plan_cursor_rewind(s->cursor);
    s->total_given = false;
    memset(s->sums, 0, (size_t)s->ncols * sizeof *s->sums);
}

/* A table's text widths (text_widths) from those of its nlabels label columns, known: the rest
 * are not text. The first two columns also hold the total row's "Total" and currency. */
static void label_widths(int *widths, int ncols, const int *known, int nlabels,
                         const char *currency)
{
    for (int k = 0; k < ncols; k++)
        widths[k] = k < nlabels ? known[k] : 0;
    if (widths[0] < 5)
        widths[0] = 5;
    if (widths[1] < (int)strlen(currency))
        widths[1] = (int)strlen(currency);
}

static bool waterfall_widths(struct report_table *t, int *widths)
{
    struct waterfall_source *s = t->state;
    struct waterfall_shared *sh = s->shared;
    if (!sh->measured && !sh->failed) {
        struct err e = {0};
        sh->failed = plan_label_widths(sh->b, (const char(*)[4])sh->curs, sh->ncur, sh->widths,
                                       &e) != ERR_OK;
        sh->measured = !sh->failed;
    }
    if (!sh->measured)
        return false;
    label_widths(widths, t->ncols, sh->widths[s->index], 5, s->currency);
    return true;
}

static void waterfall_shared_release(struct waterfall_shared *sh)
{
    if (--sh->refs == 0) {
        free(sh->curs);
        free(sh->widths);
        free(sh);
    }
}

static void waterfall_free(void *state)
{
    struct waterfall_source *s = state;
    if (!s)
        return;
    waterfall_shared_release(s->shared);
    plan_cursor_close(s->cursor);
    free(s->sums);
    free(s->cells);
    free(s->formulas);
    free(s);
}

struct report *report_waterfall(struct book *b, int32_t from, int32_t to, struct err *e)
{
    if (to < from) {
        err_set(e, ERR_INPUT, "--to: is before --from");
        return NULL;
    }
    if (book_begin_read(b, e) != ERR_OK)
        return NULL;
    struct report *r = NULL;
    char *range = range_text(from, to);
    struct waterfall_shared *shared = xcalloc(1, sizeof *shared);
    shared->refs = 1; /* this builder's, let go at the end */
    shared->b = b;
    shared->curs = xcalloc(64, sizeof *shared->curs);
    shared->widths = xcalloc(64, sizeof *shared->widths);
    char(*curs)[4] = shared->curs;
    int exps[64], ncur = 0;
    if (plan_currencies(b, curs, exps, 64, &ncur, e) != ERR_OK)
        goto out;
    shared->ncur = ncur;
    r = begin(b, "Deferred revenue waterfall", range, e);
    if (!r)
        goto out;
    report_header(r, "Months", range);
    int months = to - from + 1;
    int ncols = WF_FIRST_MONTH + months + 3;
    struct report_col *cols = xcalloc((size_t)ncols, sizeof *cols);
    char(*keys)[16] = xcalloc((size_t)months, sizeof *keys);
    char(*titles)[PERIOD_BUF] = xcalloc((size_t)months, sizeof *titles);
    int c = 0;
    cols[c++] = (struct report_col){"customer", "Customer", COL_TEXT, 10};
    cols[c++] = (struct report_col){"contract", "Contract", COL_TEXT, 12};
    cols[c++] = (struct report_col){"obligation", "Obligation", COL_TEXT, 14};
    cols[c++] = (struct report_col){"name", "Promise", COL_TEXT, 24};
    cols[c++] = (struct report_col){"pattern", "Pattern", COL_TEXT, 8};
    cols[c++] = (struct report_col){"allocated", "Allocated", COL_MONEY, 14};
    cols[c++] = (struct report_col){"before", "Before", COL_MONEY, 14};
    for (int m = 0; m < months; m++) {
        snprintf(keys[m], sizeof keys[m], "m%d", m);
        period_format(from + m, titles[m], sizeof titles[m]);
        cols[c++] = (struct report_col){keys[m], titles[m], COL_MONEY, 12};
    }
    cols[c++] = (struct report_col){"later", "Later", COL_MONEY, 14};
    cols[c++] = (struct report_col){"total", "Total", COL_MONEY, 14};
    cols[c++] = (struct report_col){"check", "Check", COL_MONEY, 10};
    for (int i = 0; i < ncur && r; i++) {
        const char *cur = curs[i];
        char name[16], title[48];
        snprintf(name, sizeof name, "waterfall_%s", cur);
        snprintf(title, sizeof title, "Waterfall, %s", cur);
        struct report_table *t = report_add_table(r, name, title, cols, ncols);
        t->freeze_cols = 3;
        struct waterfall_source *s = xcalloc(1, sizeof *s);
        s->shared = shared;
        shared->refs++;
        s->index = i;
        t->next = waterfall_next;
        t->rewind = waterfall_rewind;
        t->free_state = waterfall_free;
        t->text_widths = waterfall_widths;
        t->state = s;
        s->from = from;
        s->to = to;
        s->ncols = ncols;
        s->exponent = exps[i];
        snprintf(s->currency, sizeof s->currency, "%s", cur);
        s->sums = xcalloc((size_t)ncols, sizeof *s->sums);
        s->cells = xcalloc((size_t)ncols, sizeof *s->cells);
        s->formulas = xcalloc((size_t)ncols, sizeof *s->formulas);
        for (int k = WF_ALLOCATED; k < ncols; k++)
            snprintf(s->formulas[k], sizeof s->formulas[k], "=SUM({%s:data})", cols[k].key);
        s->cursor = plan_cursor_open(b, cur, e);
        if (!s->cursor) {
            report_free(r);
            r = NULL;
            break;
        }
    }
    if (r && ncur == 0)
        report_add_table(r, "waterfall", "No active contracts", cols, ncols);
    free(cols);
    free(keys);
    free(titles);
out:
    free(range);
    waterfall_shared_release(shared);
    book_end_read(b);
    return r;
}

/* ---- roll-forward --------------------------------------------------------------------------- */
/*
 * A row per contract, read from the book as the rows are written: each currency's table is a
 * row source over one cursor the currencies share in order (the contracts come by currency),
 * with its totals added up as the rows go by. The tie-out below each table compares the
 * contracts' closing total with the ledger: by the time it is read, its table has been read and
 * has added the total up; a reader that comes to it first has it worked out from the book.
 */

struct rollforward_shared {
    struct book *b;
    struct movement_cursor *cursor;
    const struct deferred_movement *at; /* the next row to hand out; NULL at the end */
    bool read;                          /* the cursor has been stepped since it started */
    char last[4]; /* the currency of the last row passed since it started; "" none */
    bool failed;  /* the cursor failed: every table ends */
    char (*curs)[4];
    int ncur;
    int (*widths)[2];
    bool measured;
    int32_t to;
    int refs;
};

struct rollforward_source {
    struct rollforward_shared *shared;
    int index; /* this currency's among the shared */
    int exponent;
    bool started, total_given;
    char currency[4];
    char contract[CODE_MAX + 1], customer[CODE_MAX + 1]; /* of the row handed out */
    struct money sums[9];
    bool closing_known; /* closing: the closing total of the table read to its end */
    struct money closing;
    struct cell cells[11];
};

static void rollforward_shared_release(struct rollforward_shared *sh)
{
    if (--sh->refs > 0)
        return;
    movement_cursor_close(sh->cursor);
    free(sh->curs);
    free(sh->widths);
    free(sh);
}

/* Passes the row at hand (if any) and reads the next. */
static void rollforward_step(struct rollforward_shared *sh)
{
    if (sh->at)
        snprintf(sh->last, sizeof sh->last, "%s", sh->at->currency);
    struct err e = {0};
    int got = movement_cursor_next(sh->cursor, &sh->at, &e);
    sh->read = true;
    if (got != 1)
        sh->at = NULL;
    if (got < 0) {
        sh->failed = true;
        report_row_source_failed(&e);
    }
}

/* The shared cursor at the first row of s's currency, or where it would be: read on when it is
 * before it, read again from the start when it has passed a row of it or of a later one. */
static void rollforward_seek(struct rollforward_source *s)
{
    struct rollforward_shared *sh = s->shared;
    if (sh->read && strcmp(sh->last, s->currency) >= 0) {
        movement_cursor_rewind(sh->cursor);
        sh->read = false;
        sh->last[0] = '\0';
        sh->at = NULL;
    }
    if (!sh->read)
        rollforward_step(sh);
    while (sh->at && strcmp(sh->at->currency, s->currency) < 0)
        rollforward_step(sh);
}

static const char *const rollforward_sums[9] = {
    "=SUM({opening:data})",     "=SUM({billings:data})", "=SUM({revenue:data})",
    "=SUM({adjustments:data})", "=SUM({closing:data})",  "=SUM({current:data})",
    "=SUM({noncurrent:data})",  "=SUM({asset:data})",    "=SUM({from_opening:data})",
};

/* Nothing happened to the contract in the range: it has no row. */
static bool movement_quiet(const struct deferred_movement *m)
{
    return !m->opening.minor && !m->billings.minor && !m->revenue.minor && !m->adjustments.minor &&
           !m->closing.minor;
}

/* A contract's figures: opening, billings, revenue, adjustments, closing, current and
 * non-current deferred revenue, contract asset, revenue from the opening balance. */
static void movement_figures(const struct deferred_movement *m, int64_t v[9])
{
    /* A net liability splits by what the schedules recognize within twelve months; a net asset
     * (revenue ahead of billing) is presented apart (ACCOUNTING.md §3). */
    int64_t liability = m->closing.minor > 0 ? m->closing.minor : 0;
    int64_t current = m->next_12.minor < liability ? m->next_12.minor : liability;
    if (current < 0)
        current = 0;
    int64_t asset = m->closing.minor < 0 ? -m->closing.minor : 0;
    /* ASC 606-10-50-8: revenue of the range that was in the opening liability. */
    int64_t open_liab = m->opening.minor > 0 ? m->opening.minor : 0;
    int64_t from_opening = m->revenue.minor < open_liab ? m->revenue.minor : open_liab;
    if (from_opening < 0)
        from_opening = 0;
    int64_t f[9] = {m->opening.minor, m->billings.minor, m->revenue.minor,    m->adjustments.minor,
                    m->closing.minor, current,           liability - current, asset,
                    from_opening};
    memcpy(v, f, sizeof f);
}

static int rollforward_next(struct report_table *t, struct report_row *row)
{
    struct rollforward_source *s = t->state;
    struct rollforward_shared *sh = s->shared;
    if (!s->started) {
        rollforward_seek(s);
        s->started = true;
    }
    while (!sh->failed && sh->at && strcmp(sh->at->currency, s->currency) == 0 &&
           movement_quiet(sh->at))
        rollforward_step(sh);
    if (sh->failed)
        return 0;
    int x = s->exponent;
    struct cell *c = s->cells;
    memset(s->cells, 0, sizeof s->cells);
    if (sh->at && strcmp(sh->at->currency, s->currency) == 0) {
        const struct deferred_movement *m = sh->at;
        int64_t v[9];
        movement_figures(m, v);
        snprintf(s->contract, sizeof s->contract, "%s", m->contract);
        snprintf(s->customer, sizeof s->customer, "%s", m->customer);
        c[0] = (struct cell){.type = CELL_TEXT, .text = s->contract};
        c[1] = (struct cell){.type = CELL_TEXT, .text = s->customer};
        for (int k = 0; k < 9; k++) {
            c[2 + k] = (struct cell){.type = CELL_MONEY, .v = v[k], .exponent = x};
            s->sums[k].minor += v[k];
        }
        c[6].formula = "={opening}+{billings}-{revenue}+{adjustments}";
        row->style = ROW_DATA;
        row->cells = c;
        rollforward_step(sh);
        return 1;
    }
    if (s->total_given)
        return 0;
    s->total_given = true;
    s->closing = s->sums[4];
    s->closing_known = true;
    c[0] = (struct cell){.type = CELL_TEXT, .text = "Total"};
    c[1] = (struct cell){.type = CELL_TEXT, .text = s->currency};
    for (int k = 0; k < 9; k++)
        c[2 + k] = (struct cell){.type = CELL_MONEY,
                                 .v = s->sums[k].minor,
                                 .exponent = x,
                                 .formula = rollforward_sums[k]};
    row->style = ROW_TOTAL;
    row->cells = c;
    return 1;
}

static void rollforward_rewind(struct report_table *t)
{
    struct rollforward_source *s = t->state;
    s->started = false;
    s->total_given = false;
    memset(s->sums, 0, sizeof s->sums);
}

static bool rollforward_widths(struct report_table *t, int *widths)
{
    struct rollforward_source *s = t->state;
    struct rollforward_shared *sh = s->shared;
    if (!sh->measured) {
        struct err e = {0};
        if (movement_code_widths(sh->b, (const char(*)[4])sh->curs, sh->ncur, sh->widths, &e) !=
            ERR_OK)
            return false;
        sh->measured = true;
    }
    label_widths(widths, t->ncols, sh->widths[s->index], 2, s->currency);
    return true;
}

static void rollforward_free(void *state)
{
    struct rollforward_source *s = state;
    if (!s)
        return;
    rollforward_shared_release(s->shared);
    free(s);
}

/* The tie-out under a currency's roll-forward: the contracts' closing total, the ledger's
 * deferred revenue, and the difference. */
struct tieout_source {
    struct rollforward_source *rf;
    struct money gl; /* the ledger account's balance, credit positive */
    char name[24];   /* the roll-forward table's */
    int i;
    char what[2][96], ref[64];
    struct cell cells[3];
};

static int tieout_next(struct report_table *t, struct report_row *row)
{
    struct tieout_source *s = t->state;
    struct rollforward_source *rf = s->rf;
    if (s->i >= 3)
        return 0;
    if (!rf->closing_known) {
        struct err e = {0};
        if (movement_closing_total(rf->shared->b, rf->currency, rf->shared->to, &rf->closing, &e) !=
            ERR_OK) {
            report_row_source_failed(&e);
            return 0;
        }
        rf->closing_known = true;
    }
    int x = rf->exponent;
    struct cell *c = s->cells;
    memset(c, 0, sizeof s->cells);
    switch (s->i++) {
    case 0:
        c[0] =
            (struct cell){.type = CELL_TEXT, .text = "Closing deferred revenue, contracts (net)"};
        c[1] = (struct cell){
            .type = CELL_MONEY, .v = rf->closing.minor, .exponent = x, .formula = s->ref};
        row->style = ROW_DATA;
        break;
    case 1:
        c[0] = (struct cell){.type = CELL_TEXT, .text = s->what[1]};
        c[1] = (struct cell){.type = CELL_MONEY, .v = s->gl.minor, .exponent = x};
        row->style = ROW_DATA;
        break;
    default:
        c[0] = (struct cell){.type = CELL_TEXT, .text = "Difference"};
        c[1] = (struct cell){.type = CELL_MONEY,
                             .v = rf->closing.minor - s->gl.minor,
                             .exponent = x,
                             .formula = "={amount@-2}-{amount@-1}"};
        c[2] = (struct cell){
            .type = CELL_BOOL, .v = rf->closing.minor == s->gl.minor, .formula = "={amount}=0"};
        row->style = ROW_TOTAL;
        break;
    }
    row->cells = c;
    return 1;
}

static void tieout_rewind(struct report_table *t)
{
    ((struct tieout_source *)t->state)->i = 0;
}

struct report *report_rollforward(struct book *b, int32_t from, int32_t to, struct err *e)
{
    if (to < from) {
        err_set(e, ERR_INPUT, "--to: is before --from");
        return NULL;
    }
    if (book_begin_read(b, e) != ERR_OK)
        return NULL;
    struct report *r = NULL;
    char *range = range_text(from, to);
    int32_t d0 = period_first_day(from), d1 = period_last_day(to);
    struct rollforward_shared *sh = xcalloc(1, sizeof *sh);
    sh->refs = 1; /* this builder's, let go at the end */
    sh->b = b;
    sh->to = d1;
    sh->curs = xcalloc(64, sizeof *sh->curs);
    sh->widths = xcalloc(64, sizeof *sh->widths);
    /* The ledger's deferred revenue at the end, every currency in one pass: a currency whose
     * ledger has deferred revenue has a table, so none goes untied. */
    struct role_totals gl_totals[64];
    int ngl = 0;
    if (ledger_role_totals(b, "deferred_revenue", d1, d1, gl_totals, 64, &ngl, e) != ERR_OK)
        goto out;
    int exps[64];
    for (int i = 0; i < ngl; i++) { /* in the order of their codes, as the contracts come */
        int k = sh->ncur++;
        for (; k > 0 && strcmp(sh->curs[k - 1], gl_totals[i].currency) > 0; k--) {
            memcpy(sh->curs[k], sh->curs[k - 1], sizeof sh->curs[k]);
            exps[k] = exps[k - 1];
        }
        snprintf(sh->curs[k], sizeof sh->curs[k], "%s", gl_totals[i].currency);
        exps[k] = gl_totals[i].exponent;
    }
    if (!(sh->cursor = movement_cursor_open(b, d0, d1, e)))
        goto out;
    r = begin(b, "Deferred revenue roll-forward", range, e);
    if (!r)
        goto out;
    report_header(r, "Months", range);
    static const struct report_col cols[] = {
        {"contract", "Contract", COL_TEXT, 12},
        {"customer", "Customer", COL_TEXT, 10},
        {"opening", "Opening", COL_MONEY, 14},
        {"billings", "Billings", COL_MONEY, 14},
        {"revenue", "Revenue recognized", COL_MONEY, 14},
        {"adjustments", "Adjustments", COL_MONEY, 14},
        {"closing", "Closing", COL_MONEY, 14},
        {"current", "Deferred, current", COL_MONEY, 14},
        {"noncurrent", "Deferred, non-current", COL_MONEY, 14},
        {"asset", "Contract asset", COL_MONEY, 14},
        {"from_opening", "Revenue from opening balance", COL_MONEY, 14},
    };
    static const struct report_col tcols[] = {
        {"what", "Tie-out", COL_TEXT, 40},
        {"amount", "Amount", COL_MONEY, 14},
        {"ties", "Ties", COL_BOOL, 6},
    };
    for (int i = 0; i < sh->ncur; i++) {
        const char *cur = sh->curs[i];
        char title[64];
        struct rollforward_source *s = xcalloc(1, sizeof *s);
        s->shared = sh;
        sh->refs++;
        s->index = i;
        s->exponent = exps[i];
        snprintf(s->currency, sizeof s->currency, "%s", cur);
        struct tieout_source *ts = xcalloc(1, sizeof *ts);
        ts->rf = s;
        snprintf(ts->name, sizeof ts->name, "rollforward_%s", cur);
        snprintf(title, sizeof title, "Roll-forward, %s", cur);
        struct report_table *t = report_add_table(r, ts->name, title, cols, 11);
        t->freeze_cols = 1;
        t->next = rollforward_next;
        t->rewind = rollforward_rewind;
        t->free_state = rollforward_free;
        t->text_widths = rollforward_widths;
        t->state = s;
        /* The tie-out: the subledger's closing against the ledger's deferred revenue account. */
        ts->gl = money_of(-role_totals_of(gl_totals, ngl, "deferred_revenue", cur).balance.minor);
        snprintf(ts->ref, sizeof ts->ref, "={%s.closing:total}", ts->name);
        char dd[DATE_BUF], tname[24], ttitle[64];
        snprintf(ts->what[1], sizeof ts->what[1], "Ledger account Deferred revenue at %s",
                 date_format(d1, dd, sizeof dd));
        snprintf(tname, sizeof tname, "tieout_%s", cur);
        snprintf(ttitle, sizeof ttitle, "Tie-out to the ledger, %s", cur);
        struct report_table *tt = report_add_table(r, tname, ttitle, tcols, 3);
        tt->next = tieout_next;
        tt->rewind = tieout_rewind;
        tt->free_state = free;
        tt->state = ts;
    }
    if (sh->ncur == 0)
        report_add_table(r, "rollforward", "No deferred revenue in the range", cols, 11);
out:
    free(range);
    rollforward_shared_release(sh);
    book_end_read(b);
    return r;
}

/* ---- remaining performance obligations ------------------------------------------------------ */
/*
 * A table per currency, a row per contract with something left to recognize: the positions are
 * worked out once when the report is built (contract_positions_build) and each table reads its
 * currency's back as its rows are asked for, adding up its totals as they go by.
 */

struct rpo_shared {
    struct contract_positions *positions;
    int refs; /* the tables that read them */
};

struct rpo_source {
    struct rpo_shared *shared;
    int currency;
    int exponent;
    const char *code;
    struct position_cursor *cursor; /* opened at the first row */
    bool total_given;
    struct money sums[4];
    struct cell cells[7];
};

static int rpo_next(struct report_table *t, struct report_row *row)
{
    struct rpo_source *s = t->state;
    int x = s->exponent;
    struct cell *c = s->cells;
    memset(s->cells, 0, sizeof s->cells);
    if (!s->cursor)
        s->cursor = position_cursor_open(s->shared->positions, s->currency);
    const struct contract_position *k = NULL;
    struct err e = {0};
    int got = s->total_given ? 0 : position_cursor_next(s->cursor, &k, &e);
    if (got < 0) {
        report_row_source_failed(&e);
        return 0;
    }
    if (got == 1) {
        int64_t v[4] = {k->price.minor, k->unrecognized.minor, k->rpo_12.minor,
                        k->unrecognized.minor - k->rpo_12.minor};
        c[0] = (struct cell){.type = CELL_TEXT, .text = k->contract};
        c[1] = (struct cell){.type = CELL_TEXT, .text = k->customer};
        c[2] =
            (struct cell){.type = k->end_on == DATE_NONE ? CELL_EMPTY : CELL_DATE, .v = k->end_on};
        for (int i = 0; i < 4; i++) {
            c[3 + i] = (struct cell){.type = CELL_MONEY, .v = v[i], .exponent = x};
            s->sums[i].minor += v[i];
        }
        c[6].formula = "={rpo}-{within}";
        row->style = ROW_DATA;
    } else if (!s->total_given) {
        s->total_given = true;
        c[0] = (struct cell){.type = CELL_TEXT, .text = "Total"};
        c[1] = (struct cell){.type = CELL_TEXT, .text = s->code};
        static const char *const sums[4] = {"=SUM({price:data})", "=SUM({rpo:data})",
                                            "=SUM({within:data})", "=SUM({after:data})"};
        for (int i = 0; i < 4; i++)
            c[3 + i] = (struct cell){
                .type = CELL_MONEY, .v = s->sums[i].minor, .exponent = x, .formula = sums[i]};
        row->style = ROW_TOTAL;
    } else {
        return 0;
    }
    row->cells = c;
    return 1;
}

static void rpo_rewind(struct report_table *t)
{
    struct rpo_source *s = t->state;
    if (s->cursor)
        position_cursor_rewind(s->cursor);
    s->total_given = false;
    memset(s->sums, 0, sizeof s->sums);
}

static void rpo_shared_release(struct rpo_shared *sh)
{
    if (--sh->refs > 0)
        return;
    contract_positions_free(sh->positions);
    free(sh);
}

static void rpo_free(void *state)
{
    struct rpo_source *s = state;
    if (!s)
        return;
    position_cursor_close(s->cursor);
    rpo_shared_release(s->shared);
    free(s);
}

struct report *report_rpo(struct book *b, int32_t as_of, struct err *e)
{
    struct contract_positions *positions = contract_positions_build(b, as_of, e);
    if (!positions)
        return NULL;
    char d[DATE_BUF], sub[64];
    snprintf(sub, sizeof sub, "at %s", date_format(as_of, d, sizeof d));
    struct report *r = begin(b, "Remaining performance obligations", sub, e);
    if (!r) {
        contract_positions_free(positions);
        return NULL;
    }
    report_header(r, "As of", d);
    report_header(r, "Excludes", "usage, recognized as it is used (ASC 606-10-50-14)");
    static const struct report_col cols[] = {
        {"contract", "Contract", COL_TEXT, 12},
        {"customer", "Customer", COL_TEXT, 10},
        {"end", "Ends", COL_DATE, 10},
        {"price", "Transaction price", COL_MONEY, 14},
        {"rpo", "Not yet recognized", COL_MONEY, 14},
        {"within", "Within 12 months", COL_MONEY, 14},
        {"after", "After 12 months", COL_MONEY, 14},
    };
    struct rpo_shared *sh = xcalloc(1, sizeof *sh);
    sh->positions = positions;
    sh->refs = 1; /* this function's, until the tables hold theirs */
    for (int i = 0; i < contract_positions_currencies(positions); i++) {
        int x;
        const char *code = contract_positions_currency(positions, i, &x);
        char name[16], title[48];
        snprintf(name, sizeof name, "rpo_%s", code);
        snprintf(title, sizeof title, "Remaining obligations, %s", code);
        struct report_table *t = report_add_table(r, name, title, cols, 7);
        t->freeze_cols = 1;
        struct rpo_source *s = xcalloc(1, sizeof *s);
        s->shared = sh;
        sh->refs++;
        s->currency = i;
        s->exponent = x;
        s->code = code;
        t->next = rpo_next;
        t->rewind = rpo_rewind;
        t->free_state = rpo_free;
        t->state = s;
    }
    if (r->ntables == 0)
        report_add_table(r, "rpo", "No remaining performance obligations", cols, 7);
    rpo_shared_release(sh);
    return r;
}

/* ---- revenue disaggregated ------------------------------------------------------------------ */

int revenue_by_parse(const char *s, enum revenue_by *out, struct err *e)
{
    static const char *const names[] = {"pattern", "customer", "obligation"};
    for (int i = 0; i < 3; i++)
        if (strcmp(s, names[i]) == 0) {
            *out = (enum revenue_by)i;
            return ERR_OK;
        }
    return err_set(e, ERR_INPUT, "--by: '%s' is not pattern, customer or obligation", s);
}

/* Revenue disaggregated is made in one pass over the book's lines, which come in order of
 * currency, customer, key and month: a table per currency, and a row per group of lines in the
 * order its first line comes. The lines of a customer or an obligation come together, so only
 * the group being added up is held; a pattern's lines are spread over the customers, so the
 * currency's few patterns are added up side by side and written when its lines end. */
struct revenue_group {
    char key[2 * CODE_MAX + 16];
    char name[256];
    char customer[CODE_MAX + 1];
    struct money *amt; /* a month each */
    struct money total;
};

struct revenue_build {
    struct report *r;
    enum revenue_by by;
    int32_t from;
    int months, ncols;
    const struct report_col *cols;
    const char (*keys)[16];
    char currency[4];
    int exponent;
    struct report_table *t; /* the currency's table; NULL before the first line */
    struct money *tot;      /* its totals, a month each and the total */
    struct revenue_group *groups;
    size_t ngroups, capgroups;
};

/* A line's group: its pattern, its customer, or its obligation (invoiced sales kept per
 * customer). */
static const char *revenue_key(enum revenue_by by, const struct revenue_line *l)
{
    if (by == REVENUE_BY_PATTERN)
        return l->pattern;
    if (by == REVENUE_BY_CUSTOMER)
        return l->customer;
    return strcmp(l->key, "INV") == 0 ? "invoiced sales" : l->key;
}

static void revenue_flush_groups(struct revenue_build *rb)
{
    struct report_table *t = rb->t;
    for (size_t g = 0; g < rb->ngroups; g++) {
        struct revenue_group *gr = &rb->groups[g];
        struct report_row *row = report_row_add(t, ROW_DATA);
        cell_text(t, row, "key", gr->key);
        if (rb->by == REVENUE_BY_OBLIGATION)
            cell_text(t, row, "name", gr->name);
        for (int m = 0; m < rb->months; m++) {
            cell_money(row, t, rb->keys[m], gr->amt[m], rb->exponent);
            rb->tot[m].minor += gr->amt[m].minor;
        }
        cell_money(row, t, "total", gr->total, rb->exponent);
        char f[64];
        snprintf(f, sizeof f, "=SUM({m0}:{m%d})", rb->months - 1);
        cell_formula(t, row, "total", f);
        rb->tot[rb->months].minor += gr->total.minor;
        free(gr->amt);
    }
    rb->ngroups = 0;
}

/* The currency's table is complete: its groups, then its total row. */
static void revenue_finish_table(struct revenue_build *rb)
{
    if (!rb->t)
        return;
    revenue_flush_groups(rb);
    struct report_table *t = rb->t;
    struct report_row *row = report_row_add(t, ROW_TOTAL);
    cell_text(t, row, "key", "Total");
    for (int m = 0; m <= rb->months; m++) {
        const char *k = m < rb->months ? rb->keys[m] : "total";
        char f[40];
        snprintf(f, sizeof f, "=SUM({%s:data})", k);
        cell_money(row, t, k, rb->tot[m], rb->exponent);
        cell_formula(t, row, k, f);
    }
    free(rb->tot);
    rb->tot = NULL;
    rb->t = NULL;
}

static int revenue_add_line(void *ctx, const struct revenue_line *l, struct err *e)
{
    (void)e;
    struct revenue_build *rb = ctx;
    if (!rb->t || strcmp(rb->currency, l->currency) != 0) {
        revenue_finish_table(rb);
        snprintf(rb->currency, sizeof rb->currency, "%s", l->currency);
        rb->exponent = l->exponent;
        char name[16], title[48];
        snprintf(name, sizeof name, "revenue_%s", l->currency);
        snprintf(title, sizeof title, "Revenue, %s", l->currency);
        rb->t = report_add_table(rb->r, name, title, rb->cols, rb->ncols);
        rb->t->freeze_cols = 1;
        rb->tot = xcalloc((size_t)rb->months + 1, sizeof *rb->tot);
    }
    const char *key = revenue_key(rb->by, l);
    bool inv = rb->by == REVENUE_BY_OBLIGATION && strcmp(l->key, "INV") == 0;
    struct revenue_group *gr = NULL;
    for (size_t g = 0; g < rb->ngroups && !gr; g++)
        if (strcmp(rb->groups[g].key, key) == 0 &&
            (!inv || strcmp(rb->groups[g].customer, l->customer) == 0))
            gr = &rb->groups[g];
    if (!gr) {
        /* A customer's or an obligation's lines have ended when another's begin. */
        if (rb->by != REVENUE_BY_PATTERN)
            revenue_flush_groups(rb);
        rb->groups = xgrow(rb->groups, &rb->capgroups, rb->ngroups + 1, sizeof *rb->groups);
        gr = &rb->groups[rb->ngroups++];
        memset(gr, 0, sizeof *gr);
        snprintf(gr->key, sizeof gr->key, "%s", key);
        snprintf(gr->name, sizeof gr->name, "%s", inv ? l->customer : l->name);
        snprintf(gr->customer, sizeof gr->customer, "%s", l->customer);
        gr->amt = xcalloc((size_t)rb->months, sizeof *gr->amt);
    }
    gr->amt[l->period - rb->from].minor += l->amount.minor;
    gr->total.minor += l->amount.minor;
    return 0;
}

struct report *report_revenue(struct book *b, int32_t from, int32_t to, enum revenue_by by,
                              struct err *e)
{
    if (to < from) {
        err_set(e, ERR_INPUT, "--to: is before --from");
        return NULL;
    }
    if (book_begin_read(b, e) != ERR_OK)
        return NULL;
    struct report *r = NULL;
    char *range = range_text(from, to);
    static const char *const by_names[] = {"pattern", "customer", "obligation"};
    r = begin(b, "Revenue by month", range, e);
    if (!r)
        goto out;
    report_header(r, "Months", range);
    report_header(r, "By", by_names[by]);
    int months = to - from + 1;
    int ncols = 2 + months + 1;
    struct report_col *cols = xcalloc((size_t)ncols, sizeof *cols);
    char(*keys)[16] = xcalloc((size_t)months, sizeof *keys);
    char(*titles)[PERIOD_BUF] = xcalloc((size_t)months, sizeof *titles);
    cols[0] = (struct report_col){"key",
                                  by == REVENUE_BY_PATTERN    ? "Pattern"
                                  : by == REVENUE_BY_CUSTOMER ? "Customer"
                                                              : "Obligation",
                                  COL_TEXT, 14};
    cols[1] =
        (struct report_col){"name", by == REVENUE_BY_OBLIGATION ? "Promise" : "", COL_TEXT, 20};
    for (int m = 0; m < months; m++) {
        snprintf(keys[m], sizeof keys[m], "m%d", m);
        period_format(from + m, titles[m], sizeof titles[m]);
        cols[2 + m] = (struct report_col){keys[m], titles[m], COL_MONEY, 12};
    }
    cols[ncols - 1] = (struct report_col){"total", "Total", COL_MONEY, 14};
    struct revenue_build rb = {
        .r = r,
        .by = by,
        .from = from,
        .months = months,
        .ncols = ncols,
        .cols = cols,
        .keys = (const char(*)[16])keys,
    };
    int rc = revenue_lines_each(b, from, to, revenue_add_line, &rb, e);
    if (rc == ERR_OK) {
        revenue_finish_table(&rb);
        if (r->ntables == 0)
            report_add_table(r, "revenue", "No revenue posted in the range", cols, ncols);
    } else {
        for (size_t g = 0; g < rb.ngroups; g++)
            free(rb.groups[g].amt);
        free(rb.tot);
        report_free(r);
        r = NULL;
    }
    free(rb.groups);
    free(cols);
    free(keys);
    free(titles);
out:
    free(range);
    book_end_read(b);
    return r;
}

/* ---- the journal ---------------------------------------------------------------------------- */
/*
 * The journal has a row per journal line of the range, any number of them: its table is a row
 * source over a cursor on the book. The control totals beside it are added up by the book.
 */

struct journal_source {
    struct journal_cursor *cursor;
    struct journal_row cur; /* the line handed out */
    struct cell cells[14];
};

static int journal_next(struct report_table *t, struct report_row *row)
{
    struct journal_source *s = t->state;
    struct journal_row *j = &s->cur;
    struct err e = {0};
    int got = journal_cursor_next(s->cursor, j, &e);
    if (got < 0)
        report_row_source_failed(&e);
    if (got != 1)
        return 0;
    struct cell *c = s->cells;
    memset(s->cells, 0, sizeof s->cells);
    c[0] = (struct cell){.type = CELL_COUNT, .v = j->entry};
    c[1] = (struct cell){.type = CELL_DATE, .v = j->date};
    const char *text[] = {j->currency, j->account, j->account_name};
    for (int k = 0; k < 3; k++)
        c[2 + k] = (struct cell){.type = CELL_TEXT, .text = text[k]};
    /* A line only debits or only credits: the other cell stays empty. */
    if (j->debit.minor)
        c[5] = (struct cell){.type = CELL_MONEY, .v = j->debit.minor, .exponent = j->exponent};
    if (j->credit.minor)
        c[6] = (struct cell){.type = CELL_MONEY, .v = j->credit.minor, .exponent = j->exponent};
    const char *more[] = {j->memo,   j->customer,   j->contract,  j->kind,
                          j->source, j->created_by, j->created_at};
    for (int k = 0; k < 7; k++)
        c[7 + k] = (struct cell){.type = CELL_TEXT, .text = more[k]};
    row->style = ROW_DATA;
    row->cells = c;
    return 1;
}

static void journal_rewind(struct report_table *t)
{
    struct journal_source *s = t->state;
    journal_cursor_rewind(s->cursor);
}

static void journal_free(void *state)
{
    struct journal_source *s = state;
    if (!s)
        return;
    journal_cursor_close(s->cursor);
    free(s);
}

struct report *report_journal(struct book *b, int32_t from, int32_t to, struct err *e)
{
    if (to < from) {
        err_set(e, ERR_INPUT, "--to: is before --from");
        return NULL;
    }
    if (book_begin_read(b, e) != ERR_OK)
        return NULL;
    struct journal_total totals[64];
    int ntotals = 0;
    struct report *r = NULL;
    if (journal_totals_load(b, from, to, totals, 64, &ntotals, e) != ERR_OK)
        goto out;
    char d0[DATE_BUF], d1[DATE_BUF], sub[64];
    snprintf(sub, sizeof sub, "%s to %s", date_format(from, d0, sizeof d0),
             date_format(to, d1, sizeof d1));
    r = begin(b, "Journal entries", sub, e);
    if (!r)
        goto out;
    report_header(r, "Dates", sub);
    /* One line per journal line, the columns journal imports map: an entry number shared by
     * its lines, the date, the account code and name, debit and credit. */
    static const struct report_col cols[] = {
        {"entry", "JournalNo", COL_COUNT, 6},
        {"date", "Date", COL_DATE, 10},
        {"currency", "Currency", COL_TEXT, 3},
        {"account", "AccountCode", COL_TEXT, 6},
        {"account_name", "AccountName", COL_TEXT, 24},
        {"debit", "Debit", COL_MONEY, 14},
        {"credit", "Credit", COL_MONEY, 14},
        {"memo", "Memo", COL_TEXT, 36},
        {"name", "Name", COL_TEXT, 10},
        {"contract", "Contract", COL_TEXT, 12},
        {"kind", "Kind", COL_TEXT, 12},
        {"source", "Source", COL_TEXT, 14},
        {"created_by", "CreatedBy", COL_TEXT, 8},
        {"created_at", "CreatedAt", COL_TEXT, 20},
    };
    struct report_table *t = report_add_table(r, "journal", NULL, cols, 14);
    t->freeze_cols = 2;
    r->csv_plain = true;
    struct journal_source *s = xcalloc(1, sizeof *s);
    s->cursor = journal_cursor_open(b, from, to);
    t->next = journal_next;
    t->rewind = journal_rewind;
    t->free_state = journal_free;
    t->state = s;
    /* Debits equal credits in every currency: the control total beside the lines. */
    static const struct report_col tcols[] = {
        {"currency", "Currency", COL_TEXT, 8}, {"lines", "Lines", COL_COUNT, 8},
        {"debit", "Debits", COL_MONEY, 16},    {"credit", "Credits", COL_MONEY, 16},
        {"balanced", "Balanced", COL_BOOL, 8},
    };
    struct report_table *tt = report_add_table(r, "journal_totals", "Control totals", tcols, 5);
    for (int i = 0; i < ntotals; i++) {
        const struct journal_total *jt = &totals[i];
        struct report_row *row = report_row_add(tt, ROW_TOTAL);
        cell_text(tt, row, "currency", jt->currency);
        cell_count(row, tt, "lines", jt->lines);
        cell_money(row, tt, "debit", jt->debit, jt->exponent);
        cell_money(row, tt, "credit", jt->credit, jt->exponent);
        cell_bool(row, tt, "balanced", jt->debit.minor == jt->credit.minor);
        cell_formula(tt, row, "balanced", "={debit}={credit}");
    }
out:
    book_end_read(b);
    return r;
}
