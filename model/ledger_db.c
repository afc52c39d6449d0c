/*
 * ledger_db.c — the queries behind the revenue reports.
 */
#include "model/ledger.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "model/date.h"
#include "model/db.h"
#include "model/text.h"
#include "model/xalloc.h"

static int by_obligation(const void *a, const void *b)
{
    const struct obligation_plan *const *x = a, *const *y = b;
    return (*x)->obligation_id < (*y)->obligation_id ? -1
                                                     : (*x)->obligation_id > (*y)->obligation_id;
}

/*
 * A closed month shows what was posted in it, not what the plan says now: a memo or a
 * correction after the close changes the plan of a closed month, but its revenue was booked in
 * the first open month, and that is where the difference shows. So a report for a closed month
 * reads the same however often it is made.
 */
/* Appends to lines (growable) one obligation's lines as a report shows them when months through
 * `last` are closed: its plan after `last`; what was posted for it, by the month the entry was
 * booked in, through `last`; and what the plan now puts in closed months beyond what was posted
 * there, in the first open month. In period order. */
static void closed_as_posted(const struct plan_line *plan, size_t n, const struct plan_line *posted,
                             size_t np, int32_t last, struct plan_line **lines, size_t *nlines,
                             size_t *cap)
{
    int64_t moved = 0;
    size_t first = *nlines;
    for (size_t k = 0; k < n; k++) {
        if (plan[k].period <= last) {
            moved += plan[k].amount.minor;
            continue;
        }
        *lines = xgrow(*lines, cap, *nlines + 1, sizeof **lines);
        (*lines)[(*nlines)++] = plan[k];
    }
    for (size_t k = 0; k < np; k++) {
        moved -= posted[k].amount.minor;
        *lines = xgrow(*lines, cap, *nlines + 1, sizeof **lines);
        (*lines)[(*nlines)++] = posted[k];
    }
    if (moved) {
        size_t k = first;
        while (k < *nlines && (*lines)[k].period != last + 1)
            k++;
        if (k == *nlines) {
            *lines = xgrow(*lines, cap, *nlines + 1, sizeof **lines);
            (*lines)[(*nlines)++] = (struct plan_line){last + 1, money_of(0)};
        }
        (*lines)[k].amount.minor += moved;
    }
    struct plan_line *l = *lines;
    for (size_t a = first + 1; a < *nlines; a++)
        for (size_t z = a; z > first && l[z - 1].period > l[z].period; z--) {
            struct plan_line t = l[z];
            l[z] = l[z - 1];
            l[z - 1] = t;
        }
}

/* The last closed month, DATE_NONE when none is. */
static int last_closed(struct book *b, int32_t *last, struct err *e)
{
    sqlite3_stmt *st = db_prepare(b, "SELECT max(period) FROM periods");
    if (db_step(b, st, e) < 0)
        return e->code;
    *last = DATE_NONE;
    struct err ignore;
    if (!db_col_is_null(st, 0))
        period_parse(db_col_text(st, 0), last, &ignore);
    sqlite3_reset(st);
    return ERR_OK;
}

static int closed_months_as_posted(struct book *b, struct obligation_plans *out, struct err *e)
{
    int32_t last;
    if (last_closed(b, &last, e) != ERR_OK)
        return e->code;
    if (last == DATE_NONE || out->n == 0)
        return ERR_OK;
    struct obligation_plan **idx = xmalloc(out->n * sizeof *idx);
    for (size_t i = 0; i < out->n; i++)
        idx[i] = &out->v[i];
    qsort(idx, out->n, sizeof *idx, by_obligation);
    /* What was posted, by the month it was booked in, for the closed months. */
    int64_t *oids = NULL;
    struct plan_line *ps = NULL;
    size_t np = 0, capo = 0, capp = 0;
    sqlite3_stmt *st = db_prepare(b, "SELECT r.obligation_id, substr(e.entry_date, 1, 7),"
                                     " sum(r.amount) FROM recognition_postings r JOIN"
                                     " journal_entries e ON e.id = r.entry_id WHERE e.entry_date"
                                     " <= :d GROUP BY 1, 2 ORDER BY 1, 2");
    db_bind_date(st, ":d", period_last_day(last));
    int rc;
    struct err ignore;
    while ((rc = db_step(b, st, e)) == SQLITE_ROW) {
        struct obligation_plan key = {.obligation_id = db_col_int(st, 0)}, *kp = &key;
        if (!bsearch(&kp, idx, out->n, sizeof *idx, by_obligation))
            continue;
        oids = xgrow(oids, &capo, np + 1, sizeof *oids);
        ps = xgrow(ps, &capp, np + 1, sizeof *ps);
        oids[np] = key.obligation_id;
        period_parse(db_col_text(st, 1), &ps[np].period, &ignore);
        ps[np].amount = db_col_money(st, 2);
        np++;
    }
    free(idx);
    if (rc < 0) {
        free(oids);
        free(ps);
        return e->code;
    }
    struct plan_line *lines = NULL;
    size_t n = 0, cap = 0;
    for (size_t i = 0; i < out->n; i++) {
        struct obligation_plan *p = &out->v[i];
        size_t lo = 0, hi = np; /* the first posting of this obligation */
        while (lo < hi) {
            size_t mid = lo + (hi - lo) / 2;
            if (oids[mid] < p->obligation_id)
                lo = mid + 1;
            else
                hi = mid;
        }
        size_t k = lo;
        while (k < np && oids[k] == p->obligation_id)
            k++;
        size_t first = n;
        closed_as_posted(&out->lines[p->first], p->n, &ps[lo], k - lo, last, &lines, &n, &cap);
        p->first = first;
        p->n = n - first;
    }
    free(oids);
    free(ps);
    free(out->lines);
    out->lines = lines;
    out->nlines = n;
    out->caplines = cap;
    return ERR_OK;
}

int obligation_plans_load(struct book *b, struct obligation_plans *out, struct err *e)
{
    sqlite3_stmt *st = db_prepare(
        b, "SELECT o.id, k.id, c.code, k.code, o.seq, o.name, c.currency, cur.exponent, o.pattern,"
           " CASE WHEN o.pattern = 'usage' THEN (SELECT coalesce(sum(u.amount), 0) FROM"
           " usage_records u WHERE u.obligation_id = o.id) ELSE o.allocated END, l.period,"
           " l.amount FROM obligations o JOIN contracts k ON k.id = o.contract_id JOIN customers c"
           " ON c.id = k.customer_id JOIN currencies cur ON cur.code = c.currency LEFT JOIN"
           " schedule_lines l ON l.obligation_id = o.id AND l.version = o.schedule_version WHERE"
           " k.status <> 'draft' ORDER BY c.currency, c.code, k.code, o.seq, l.period");
    int rc;
    while ((rc = db_step(b, st, e)) == SQLITE_ROW) {
        int64_t id = db_col_int(st, 0);
        struct obligation_plan *p = out->n ? &out->v[out->n - 1] : NULL;
        if (!p || p->obligation_id != id) {
            out->v = xgrow(out->v, &out->cap, out->n + 1, sizeof *out->v);
            p = &out->v[out->n++];
            memset(p, 0, sizeof *p);
            struct err ignore;
            p->obligation_id = id;
            p->contract_id = db_col_int(st, 1);
            db_col_copy(st, 2, p->customer, sizeof p->customer);
            db_col_copy(st, 3, p->contract, sizeof p->contract);
            snprintf(p->ref, sizeof p->ref, "%s/%lld", p->contract, (long long)db_col_int(st, 4));
            db_col_copy(st, 5, p->name, sizeof p->name);
            db_col_copy(st, 6, p->currency, sizeof p->currency);
            p->exponent = (int)db_col_int(st, 7);
            pattern_parse(db_col_text(st, 8), &p->pattern, &ignore);
            p->allocated = db_col_money(st, 9);
            p->first = out->nlines;
        }
        if (!db_col_is_null(st, 10)) {
            out->lines = xgrow(out->lines, &out->caplines, out->nlines + 1, sizeof *out->lines);
            struct plan_line *l = &out->lines[out->nlines++];
            struct err ignore;
            period_parse(db_col_text(st, 10), &l->period, &ignore);
            l->amount = db_col_money(st, 11);
            p->n++;
        }
    }
    if (rc < 0)
        return e->code;
    return closed_months_as_posted(b, out, e);
}

void obligation_plans_free(struct obligation_plans *p)
{
    free(p->v);
    free(p->lines);
    memset(p, 0, sizeof *p);
}

/* ---- the same, one obligation at a time ------------------------------------------------- */

struct plan_cursor {
    struct book *b;
    sqlite3_stmt *st; /* the caller's own: it stays on its row while other queries run */
    int32_t last;     /* the last closed month, DATE_NONE */
    bool started, done;
    char currency[4]; /* of the row st is on */
    struct plan_line *plan, *posted, *lines;
    size_t nplan, capplan, nposted, capposted, nlines, caplines;
};

/* Plan lines (kind 0; a row with no period for an obligation without lines) and, for closed
 * months, what was posted by the month it was booked in (kind 1), in the order of the report. */
static const char plan_cursor_sql[] =
    "SELECT o.id, k.id, c.code, k.code, o.seq, o.name, c.currency, cur.exponent, o.pattern,"
    " CASE WHEN o.pattern = 'usage' THEN (SELECT coalesce(sum(u.amount), 0) FROM usage_records u"
    " WHERE u.obligation_id = o.id) ELSE o.allocated END, 0, l.period, l.amount FROM obligations o"
    " JOIN contracts k ON k.id = o.contract_id JOIN customers c ON c.id = k.customer_id JOIN"
    " currencies cur ON cur.code = c.currency LEFT JOIN schedule_lines l ON l.obligation_id = o.id"
    " AND l.version = o.schedule_version WHERE k.status <> 'draft' AND c.currency >= :cur"
    " UNION ALL SELECT o.id, k.id, c.code, k.code, o.seq, o.name, c.currency, 0, o.pattern, 0, 1,"
    " substr(e.entry_date, 1, 7), sum(r.amount) FROM recognition_postings r JOIN journal_entries e"
    " ON e.id = r.entry_id JOIN obligations o ON o.id = r.obligation_id JOIN contracts k ON k.id ="
    " o.contract_id JOIN customers c ON c.id = k.customer_id WHERE k.status <> 'draft' AND"
    " c.currency >= :cur AND e.entry_date <= :d GROUP BY r.obligation_id, substr(e.entry_date, 1,"
    " 7) ORDER BY 7, 3, 4, 5, 11, 12";

static int cursor_step(struct plan_cursor *c, struct err *e)
{
    int rc = db_step(c->b, c->st, e);
    if (rc < 0)
        return -1;
    c->done = rc != SQLITE_ROW;
    c->currency[0] = '\0';
    if (!c->done)
        db_col_copy(c->st, 6, c->currency, sizeof c->currency);
    return 0;
}

int plan_cursor_seek(struct plan_cursor *c, const char *currency, struct err *e)
{
    sqlite3_reset(c->st);
    sqlite3_clear_bindings(c->st);
    db_bind_text(c->st, ":cur", currency);
    db_bind_date(c->st, ":d", c->last == DATE_NONE ? DATE_NONE : period_last_day(c->last));
    c->started = true;
    return cursor_step(c, e) < 0 ? e->code : ERR_OK;
}

int plan_cursor_open(struct book *b, struct plan_cursor **out, struct err *e)
{
    struct plan_cursor *c = xcalloc(1, sizeof *c);
    c->b = b;
    if (last_closed(b, &c->last, e) != ERR_OK) {
        free(c);
        return e->code;
    }
    c->st = db_prepare_own(b, plan_cursor_sql);
    *out = c;
    return ERR_OK;
}

const char *plan_cursor_currency(struct plan_cursor *c)
{
    return c->done ? "" : c->currency;
}

int plan_cursor_next(struct plan_cursor *c, const char *currency, struct obligation_plan *p,
                     const struct plan_line **lines, struct err *e)
{
    if (!c->started && plan_cursor_seek(c, currency, e) != ERR_OK)
        return -1;
    if (c->done || strcmp(c->currency, currency) != 0)
        return 0;
    sqlite3_stmt *st = c->st;
    struct err ignore;
    memset(p, 0, sizeof *p);
    p->obligation_id = db_col_int(st, 0);
    p->contract_id = db_col_int(st, 1);
    db_col_copy(st, 2, p->customer, sizeof p->customer);
    db_col_copy(st, 3, p->contract, sizeof p->contract);
    snprintf(p->ref, sizeof p->ref, "%s/%lld", p->contract, (long long)db_col_int(st, 4));
    db_col_copy(st, 5, p->name, sizeof p->name);
    snprintf(p->currency, sizeof p->currency, "%s", c->currency);
    p->exponent = (int)db_col_int(st, 7);
    pattern_parse(db_col_text(st, 8), &p->pattern, &ignore);
    p->allocated = db_col_money(st, 9);
    c->nplan = c->nposted = c->nlines = 0;
    while (!c->done && db_col_int(st, 0) == p->obligation_id) {
        if (!db_col_is_null(st, 11)) {
            struct plan_line l;
            period_parse(db_col_text(st, 11), &l.period, &ignore);
            l.amount = db_col_money(st, 12);
            if (db_col_int(st, 10) == 0) {
                c->plan = xgrow(c->plan, &c->capplan, c->nplan + 1, sizeof *c->plan);
                c->plan[c->nplan++] = l;
            } else {
                c->posted = xgrow(c->posted, &c->capposted, c->nposted + 1, sizeof *c->posted);
                c->posted[c->nposted++] = l;
            }
        }
        if (cursor_step(c, e) < 0)
            return -1;
    }
    if (c->last == DATE_NONE) {
        *lines = c->plan;
        p->n = c->nplan;
    } else {
        closed_as_posted(c->plan, c->nplan, c->posted, c->nposted, c->last, &c->lines, &c->nlines,
                         &c->caplines);
        *lines = c->lines;
        p->n = c->nlines;
    }
    return 1;
}

void plan_cursor_close(struct plan_cursor *c)
{
    if (!c)
        return;
    sqlite3_finalize(c->st);
    free(c->plan);
    free(c->posted);
    free(c->lines);
    free(c);
}

int plan_currencies(struct book *b, char (*out)[4], int *exponents, int max, int *n, struct err *e)
{
    sqlite3_stmt *st = db_prepare(b, "SELECT DISTINCT c.currency, cur.exponent FROM contracts k"
                                     " JOIN customers c ON c.id = k.customer_id JOIN currencies"
                                     " cur ON cur.code = c.currency WHERE k.status <> 'draft'"
                                     " ORDER BY 1");
    int rc;
    *n = 0;
    while ((rc = db_step(b, st, e)) == SQLITE_ROW)
        if (*n < max) {
            exponents[*n] = (int)db_col_int(st, 1);
            db_col_copy(st, 0, out[(*n)++], sizeof out[0]);
        }
    return rc < 0 ? e->code : ERR_OK;
}

int plan_text_widths(struct book *b, const char *currency, int widths[5], struct err *e)
{
    /* Codes are ASCII (letters, digits, '.', '_', '-'): their length is their width. Names can
     * be anything, but a book has few distinct ones. */
    sqlite3_stmt *st = db_prepare(
        b, "SELECT max(length(c.code)), max(length(k.code) + 1 + length(o.seq)),"
           " max(length(o.pattern)) FROM obligations o JOIN contracts k ON k.id = o.contract_id"
           " JOIN customers c ON c.id = k.customer_id WHERE k.status <> 'draft' AND c.currency ="
           " :cur");
    db_bind_text(st, ":cur", currency);
    if (db_step(b, st, e) < 0)
        return e->code;
    widths[0] = (int)db_col_int(st, 0);
    widths[2] = (int)db_col_int(st, 1);
    widths[4] = (int)db_col_int(st, 2);
    sqlite3_reset(st);
    st = db_prepare(b, "SELECT max(length(k.code)) FROM contracts k JOIN customers c ON c.id ="
                       " k.customer_id WHERE k.status <> 'draft' AND c.currency = :cur");
    db_bind_text(st, ":cur", currency);
    if (db_step(b, st, e) < 0)
        return e->code;
    widths[1] = (int)db_col_int(st, 0);
    sqlite3_reset(st);
    widths[3] = 0;
    st = db_prepare(b, "SELECT DISTINCT o.name FROM obligations o JOIN contracts k ON k.id ="
                       " o.contract_id JOIN customers c ON c.id = k.customer_id WHERE k.status <>"
                       " 'draft' AND c.currency = :cur");
    db_bind_text(st, ":cur", currency);
    int rc;
    while ((rc = db_step(b, st, e)) == SQLITE_ROW) {
        int w = utf8_width(db_col_text(st, 0));
        if (w > widths[3])
            widths[3] = w;
    }
    return rc < 0 ? e->code : ERR_OK;
}

int deferred_movements_load(struct book *b, int32_t from, int32_t to,
                            struct deferred_movements *out, struct err *e)
{
    /* Credit positive: a liability grows with credits. */
    sqlite3_stmt *st = db_prepare(
        b, "SELECT k.id, k.code, c.code, c.currency, cur.exponent,"
           " coalesce(sum(CASE WHEN e.entry_date < :from THEN l.credit - l.debit END), 0),"
           " coalesce(sum(CASE WHEN e.entry_date BETWEEN :from AND :to AND e.kind = 'invoice'"
           " THEN l.credit - l.debit END), 0),"
           " coalesce(sum(CASE WHEN e.entry_date BETWEEN :from AND :to AND e.kind ="
           " 'recognition' THEN l.debit - l.credit END), 0),"
           " coalesce(sum(CASE WHEN e.entry_date BETWEEN :from AND :to AND e.kind NOT IN"
           " ('invoice', 'recognition') THEN l.credit - l.debit END), 0),"
           " coalesce(sum(CASE WHEN e.entry_date <= :to THEN l.credit - l.debit END), 0)"
           " FROM contracts k JOIN customers c ON c.id = k.customer_id JOIN currencies cur ON"
           " cur.code = c.currency JOIN journal_lines l ON l.contract_id = k.id JOIN accounts a ON"
           " a.code = l.account AND a.role = 'deferred_revenue' JOIN journal_entries e ON e.id ="
           " l.entry_id WHERE e.entry_date <= :to GROUP BY k.id ORDER BY c.currency, k.code");
    db_bind_date(st, ":from", from);
    db_bind_date(st, ":to", to);
    int rc;
    while ((rc = db_step(b, st, e)) == SQLITE_ROW) {
        out->v = xgrow(out->v, &out->cap, out->n + 1, sizeof *out->v);
        struct deferred_movement *m = &out->v[out->n++];
        memset(m, 0, sizeof *m);
        m->contract_id = db_col_int(st, 0);
        db_col_copy(st, 1, m->contract, sizeof m->contract);
        db_col_copy(st, 2, m->customer, sizeof m->customer);
        db_col_copy(st, 3, m->currency, sizeof m->currency);
        m->exponent = (int)db_col_int(st, 4);
        m->opening = db_col_money(st, 5);
        m->billings = db_col_money(st, 6);
        m->revenue = db_col_money(st, 7);
        m->adjustments = db_col_money(st, 8);
        m->closing = db_col_money(st, 9);
    }
    if (rc < 0)
        return e->code;
    /* What the schedules put in the twelve months after `to`: the current part of the liability. */
    char p0[PERIOD_BUF], p1[PERIOD_BUF];
    period_format(period_of(to) + 1, p0, sizeof p0);
    period_format(period_of(to) + 12, p1, sizeof p1);
    /* At the end of a closed month, the split as it was reported when the month closed. */
    char pto[PERIOD_BUF];
    period_format(period_of(to), pto, sizeof pto);
    st = db_prepare(b, "SELECT 1 FROM periods WHERE period = :p");
    db_bind_text(st, ":p", pto);
    bool kept = to == period_last_day(period_of(to)) && db_step(b, st, e) == SQLITE_ROW;
    sqlite3_reset(st);
    for (size_t i = 0; i < out->n && kept; i++) {
        st = db_prepare(b, "SELECT coalesce((SELECT amount FROM period_next12 WHERE period = :p"
                           " AND contract_id = :k), 0)");
        db_bind_text(st, ":p", pto);
        db_bind_int(st, ":k", out->v[i].contract_id);
        if (db_step(b, st, e) < 0)
            return e->code;
        out->v[i].next_12 = db_col_money(st, 0);
        sqlite3_reset(st);
    }
    for (size_t i = 0; i < out->n && !kept; i++) {
        st = db_prepare(b, "SELECT coalesce(sum(l.amount), 0) FROM schedule_lines l JOIN"
                           " obligations o ON o.id = l.obligation_id AND l.version ="
                           " o.schedule_version WHERE o.contract_id = :k AND l.period BETWEEN :p0"
                           " AND :p1");
        db_bind_int(st, ":k", out->v[i].contract_id);
        db_bind_text(st, ":p0", p0);
        db_bind_text(st, ":p1", p1);
        if (db_step(b, st, e) < 0)
            return e->code;
        out->v[i].next_12 = db_col_money(st, 0);
        sqlite3_reset(st);
    }
    return ERR_OK;
}

void deferred_movements_free(struct deferred_movements *m)
{
    free(m->v);
    memset(m, 0, sizeof *m);
}

int account_balance(struct book *b, const char *role, const char *currency, int32_t through,
                    struct money *out, struct err *e)
{
    sqlite3_stmt *st = db_prepare(
        b, "SELECT coalesce(sum(l.debit) - sum(l.credit), 0) FROM journal_lines l JOIN accounts a"
           " ON a.code = l.account JOIN journal_entries e ON e.id = l.entry_id WHERE a.role ="
           " :role AND e.currency = :cur AND e.entry_date <= :d");
    db_bind_text(st, ":role", role);
    db_bind_text(st, ":cur", currency);
    db_bind_date(st, ":d", through);
    if (db_step(b, st, e) < 0)
        return e->code;
    *out = db_col_money(st, 0);
    sqlite3_reset(st);
    return ERR_OK;
}

int revenue_lines_load(struct book *b, int32_t from_period, int32_t to_period,
                       struct revenue_lines *out, struct err *e)
{
    char p0[PERIOD_BUF], p1[PERIOD_BUF];
    period_format(from_period, p0, sizeof p0);
    period_format(to_period, p1, sizeof p1);
    /* Recognized revenue by obligation, and invoiced sales tied to no contract. */
    sqlite3_stmt *st = db_prepare(
        b, "SELECT p.period, c.currency, cur.exponent, c.code, k.code || '/' || o.seq, o.name,"
           " o.pattern, sum(p.amount) FROM recognition_postings p JOIN obligations o ON o.id ="
           " p.obligation_id JOIN contracts k ON k.id = o.contract_id JOIN customers c ON c.id ="
           " k.customer_id JOIN currencies cur ON cur.code = c.currency WHERE p.period BETWEEN"
           " :p0 AND :p1 GROUP BY p.period, o.id"
           " UNION ALL SELECT substr(e.entry_date, 1, 7), e.currency, cur.exponent, c.code, 'INV',"
           " 'invoiced sales', 'invoiced', sum(l.credit - l.debit) FROM journal_lines l JOIN"
           " accounts a ON a.code = l.account AND a.role = 'revenue' JOIN journal_entries e ON"
           " e.id = l.entry_id JOIN customers c ON c.id = e.customer_id JOIN currencies cur ON"
           " cur.code = e.currency WHERE e.kind <> 'recognition' AND substr(e.entry_date, 1, 7)"
           " BETWEEN :p0 AND :p1 GROUP BY 1, c.id ORDER BY 2, 4, 5, 1");
    db_bind_text(st, ":p0", p0);
    db_bind_text(st, ":p1", p1);
    int rc;
    while ((rc = db_step(b, st, e)) == SQLITE_ROW) {
        out->v = xgrow(out->v, &out->cap, out->n + 1, sizeof *out->v);
        struct revenue_line *r = &out->v[out->n++];
        memset(r, 0, sizeof *r);
        struct err ignore;
        period_parse(db_col_text(st, 0), &r->period, &ignore);
        db_col_copy(st, 1, r->currency, sizeof r->currency);
        r->exponent = (int)db_col_int(st, 2);
        db_col_copy(st, 3, r->customer, sizeof r->customer);
        db_col_copy(st, 4, r->key, sizeof r->key);
        db_col_copy(st, 5, r->name, sizeof r->name);
        static const char *const patterns[] = {"ratable", "point", "usage", "progress", "invoiced"};
        r->pattern = patterns[4];
        for (int k = 0; k < 4; k++)
            if (strcmp(db_col_text(st, 6), patterns[k]) == 0)
                r->pattern = patterns[k];
        r->amount = db_col_money(st, 7);
    }
    return rc < 0 ? e->code : ERR_OK;
}

void revenue_lines_free(struct revenue_lines *r)
{
    free(r->v);
    memset(r, 0, sizeof *r);
}

int journal_rows_load(struct book *b, int32_t from, int32_t to, struct journal_rows *out,
                      struct err *e)
{
    sqlite3_stmt *st = db_prepare(
        b, "SELECT e.id, e.entry_date, e.kind, l.account, a.name, e.currency, cur.exponent,"
           " l.debit, l.credit, e.memo, e.source_type || ' ' || e.source_id, coalesce(c.code, ''),"
           " coalesce(k.code, ''), e.created_by, e.created_at FROM journal_entries e JOIN"
           " journal_lines l ON l.entry_id = e.id JOIN accounts a ON a.code = l.account JOIN"
           " currencies cur ON cur.code = e.currency LEFT JOIN customers c ON c.id ="
           " coalesce(l.customer_id, e.customer_id) LEFT JOIN contracts k ON k.id = l.contract_id"
           " WHERE e.entry_date BETWEEN :from AND :to ORDER BY e.entry_date, e.id, l.id");
    db_bind_date(st, ":from", from);
    db_bind_date(st, ":to", to);
    int rc;
    while ((rc = db_step(b, st, e)) == SQLITE_ROW) {
        out->v = xgrow(out->v, &out->cap, out->n + 1, sizeof *out->v);
        struct journal_row *r = &out->v[out->n++];
        memset(r, 0, sizeof *r);
        r->entry = db_col_int(st, 0);
        r->date = db_col_date(st, 1);
        db_col_copy(st, 2, r->kind, sizeof r->kind);
        db_col_copy(st, 3, r->account, sizeof r->account);
        db_col_copy(st, 4, r->account_name, sizeof r->account_name);
        db_col_copy(st, 5, r->currency, sizeof r->currency);
        r->exponent = (int)db_col_int(st, 6);
        r->debit = db_col_money(st, 7);
        r->credit = db_col_money(st, 8);
        db_col_copy(st, 9, r->memo, sizeof r->memo);
        db_col_copy(st, 10, r->source, sizeof r->source);
        db_col_copy(st, 11, r->customer, sizeof r->customer);
        db_col_copy(st, 12, r->contract, sizeof r->contract);
        db_col_copy(st, 13, r->created_by, sizeof r->created_by);
        db_col_copy(st, 14, r->created_at, sizeof r->created_at);
    }
    return rc < 0 ? e->code : ERR_OK;
}

void journal_rows_free(struct journal_rows *r)
{
    free(r->v);
    memset(r, 0, sizeof *r);
}

int32_t recognition_posted_through(struct book *b)
{
    /* The month the last recognition run went through; a book whose recognition has not run
     * since version 4 knows only its latest posting. (A memo's catch-up posted in a later
     * month is not a recognition run.) */
    sqlite3_stmt *st = db_prepare(b, "SELECT coalesce((SELECT recon_through FROM book), (SELECT"
                                     " max(period) FROM recognition_postings))");
    int32_t p = DATE_NONE;
    if (sqlite3_step(st) == SQLITE_ROW && !db_col_is_null(st, 0)) {
        struct err ignore;
        if (period_parse(db_col_text(st, 0), &p, &ignore) != ERR_OK)
            p = DATE_NONE;
    }
    sqlite3_reset(st);
    return p;
}

int change_rows_load(struct book *b, int32_t from, int32_t to, struct change_rows *out,
                     struct err *e)
{
    char d0[DATE_BUF] = "", d1[DATE_BUF] = "";
    if (from != DATE_NONE)
        date_format(from, d0, sizeof d0);
    if (to != DATE_NONE)
        date_format(to, d1, sizeof d1);
    sqlite3_stmt *st = db_prepare(
        b,
        "SELECT id, at, user, action, entity, coalesce(entity_id, 0), refused, coalesce(detail,"
        " after, before, ''), coalesce(hash, '') FROM change_log WHERE (:d0 = '' OR substr(at, 1,"
        " 10) >= :d0) AND (:d1 = '' OR substr(at, 1, 10) <= :d1) ORDER BY id");
    db_bind_text(st, ":d0", d0);
    db_bind_text(st, ":d1", d1);
    int rc;
    while ((rc = db_step(b, st, e)) == SQLITE_ROW) {
        out->v = xgrow(out->v, &out->cap, out->n + 1, sizeof *out->v);
        struct change_row *r = &out->v[out->n++];
        memset(r, 0, sizeof *r);
        r->id = db_col_int(st, 0);
        db_col_copy(st, 1, r->at, sizeof r->at);
        db_col_copy(st, 2, r->user, sizeof r->user);
        db_col_copy(st, 3, r->action, sizeof r->action);
        db_col_copy(st, 4, r->entity, sizeof r->entity);
        r->entity_id = db_col_int(st, 5);
        r->refused = db_col_int(st, 6) != 0;
        r->text = xstrdup(db_col_text(st, 7));
        db_col_copy(st, 8, r->hash, sizeof r->hash);
    }
    return rc < 0 ? e->code : ERR_OK;
}

void change_rows_free(struct change_rows *r)
{
    for (size_t i = 0; i < r->n; i++)
        free(r->v[i].text);
    free(r->v);
    memset(r, 0, sizeof *r);
}

int credit_activity_load(struct book *b, int32_t from, int32_t to, struct credit_activity *out,
                         struct err *e)
{
    sqlite3_stmt *st = db_prepare(
        b, "SELECT m.on_date, c.currency, cur.exponent, c.code, g.id, g.kind, m.kind, m.amount,"
           " coalesce(i.number, ''), m.reason, m.by_user FROM credit_movements m JOIN credit_grants"
           " g ON g.id = m.grant_id JOIN customers c ON c.id = g.customer_id JOIN currencies cur ON"
           " cur.code = c.currency LEFT JOIN invoices i ON i.id = m.invoice_id WHERE m.on_date"
           " BETWEEN :d0 AND :d1 ORDER BY c.currency, c.code, m.on_date, m.id");
    db_bind_date(st, ":d0", from);
    db_bind_date(st, ":d1", to);
    int rc;
    while ((rc = db_step(b, st, e)) == SQLITE_ROW) {
        out->v = xgrow(out->v, &out->cap, out->n + 1, sizeof *out->v);
        struct credit_activity_row *r = &out->v[out->n++];
        memset(r, 0, sizeof *r);
        r->on = db_col_date(st, 0);
        db_col_copy(st, 1, r->currency, sizeof r->currency);
        r->exponent = (int)db_col_int(st, 2);
        db_col_copy(st, 3, r->customer, sizeof r->customer);
        r->grant_id = db_col_int(st, 4);
        db_col_copy(st, 5, r->grant_kind, sizeof r->grant_kind);
        db_col_copy(st, 6, r->movement, sizeof r->movement);
        r->amount = db_col_money(st, 7);
        db_col_copy(st, 8, r->invoice, sizeof r->invoice);
        db_col_copy(st, 9, r->reason, sizeof r->reason);
        db_col_copy(st, 10, r->by, sizeof r->by);
    }
    return rc < 0 ? e->code : ERR_OK;
}

void credit_activity_free(struct credit_activity *a)
{
    free(a->v);
    memset(a, 0, sizeof *a);
}

int account_activity(struct book *b, const char *role, const char *currency, int32_t from,
                     int32_t to, struct money *debits, struct money *credits, struct err *e)
{
    sqlite3_stmt *st = db_prepare(
        b, "SELECT coalesce(sum(l.debit), 0), coalesce(sum(l.credit), 0) FROM journal_lines l JOIN"
           " accounts a ON a.code = l.account JOIN journal_entries e ON e.id = l.entry_id WHERE"
           " a.role = :role AND e.currency = :cur AND e.entry_date BETWEEN :d0 AND :d1");
    db_bind_text(st, ":role", role);
    db_bind_text(st, ":cur", currency);
    db_bind_date(st, ":d0", from);
    db_bind_date(st, ":d1", to);
    if (db_step(b, st, e) < 0)
        return e->code;
    *debits = db_col_money(st, 0);
    *credits = db_col_money(st, 1);
    sqlite3_reset(st);
    return ERR_OK;
}

int ledger_currencies(struct book *b, int32_t through, char (*out)[4], int *exponents, int max,
                      int *n, struct err *e)
{
    *n = 0;
    sqlite3_stmt *st = db_prepare(b, "SELECT DISTINCT e.currency, cur.exponent FROM journal_entries"
                                     " e JOIN currencies cur ON cur.code = e.currency WHERE"
                                     " e.entry_date <= :d ORDER BY e.currency");
    db_bind_date(st, ":d", through);
    int rc;
    while ((rc = db_step(b, st, e)) == SQLITE_ROW) {
        if (*n < max) {
            db_col_copy(st, 0, out[*n], 4);
            exponents[*n] = (int)db_col_int(st, 1);
            (*n)++;
        }
    }
    return rc < 0 ? e->code : ERR_OK;
}
