/*
 * ledger_db.c — the queries behind the revenue reports.
 */
#include "model/ledger.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "model/date.h"
#include "model/db.h"
#include "model/xalloc.h"

/* The obligations' names, copied into large blocks freed together: most are a word or two, and
 * a book has as many as it has obligations. */
struct plan_names {
    struct plan_names *prev;
    size_t used, cap;
    char data[];
};

static const char *plan_name(struct obligation_plans *p, const char *s)
{
    size_t n = strlen(s) + 1;
    if (!p->names || p->names->used + n > p->names->cap) {
        size_t cap = n > 65536 ? n : 65536;
        struct plan_names *block = xmalloc(sizeof *block + cap);
        block->prev = p->names;
        block->used = 0;
        block->cap = cap;
        p->names = block;
    }
    char *copy = p->names->data + p->names->used;
    memcpy(copy, s, n);
    p->names->used += n;
    return copy;
}

/* What was posted for the plans' obligations, by the month it was booked in (closed months),
 * read beside the plans in their order. */
struct posted_reader {
    struct book *b;
    sqlite3_stmt *st;
    int rc; /* of the last step: SQLITE_ROW with a row at hand */
};

/* -1, 0 or 1 as the posting at hand comes before, with or after plan p. */
static int posted_vs_plan(sqlite3_stmt *st, const struct obligation_plan *p)
{
    int c = strcmp(db_col_text(st, 0), p->currency);
    if (!c)
        c = strcmp(db_col_text(st, 1), p->customer);
    if (!c)
        c = strcmp(db_col_text(st, 2), p->contract);
    if (!c) {
        int64_t seq = db_col_int(st, 3);
        c = seq < p->seq ? -1 : seq > p->seq;
    }
    return c < 0 ? -1 : c > 0;
}

/*
 * A closed month shows what was posted in it, not what the plan says now: a memo or a
 * correction after the close changes the plan of a closed month, but its revenue was booked in
 * the first open month, and that is where the difference shows. So a report for a closed month
 * reads the same however often it is made. Rebuilds the lines of the last plan (the tail of the
 * lines): posted for closed months, the plan after, and what the plan moved in closed months
 * added to the first open one.
 */
static int closed_months_as_posted(struct obligation_plans *out, struct posted_reader *pr,
                                   int32_t last, struct err *e)
{
    struct obligation_plan *p = &out->v[out->n - 1];
    struct plan_line *l = out->lines + p->first;
    int64_t moved = 0;
    size_t kept = 0;
    for (size_t k = 0; k < p->n; k++) {
        if (l[k].period <= last)
            moved += l[k].amount.minor;
        else
            l[kept++] = l[k];
    }
    out->nlines = p->first + kept;
    struct err ignore;
    while (pr->rc == SQLITE_ROW && posted_vs_plan(pr->st, p) < 0)
        pr->rc = db_step(pr->b, pr->st, e);
    while (pr->rc == SQLITE_ROW && posted_vs_plan(pr->st, p) == 0) {
        out->lines = xgrow(out->lines, &out->caplines, out->nlines + 1, sizeof *out->lines);
        struct plan_line *n = &out->lines[out->nlines++];
        period_parse(db_col_text(pr->st, 4), &n->period, &ignore);
        n->amount = db_col_money(pr->st, 5);
        moved -= n->amount.minor;
        pr->rc = db_step(pr->b, pr->st, e);
    }
    if (pr->rc < 0)
        return e->code;
    size_t first = p->first, end = out->nlines;
    if (moved) {
        size_t k = first;
        while (k < end && out->lines[k].period != last + 1)
            k++;
        if (k == end) {
            out->lines = xgrow(out->lines, &out->caplines, end + 1, sizeof *out->lines);
            out->lines[end] = (struct plan_line){.period = last + 1, .amount = money_of(0)};
            out->nlines = ++end;
        }
        out->lines[k].amount.minor += moved;
    }
    /* In period order. */
    struct plan_line *v = out->lines;
    for (size_t a = first + 1; a < end; a++)
        for (size_t z = a; z > first && v[z - 1].period > v[z].period; z--) {
            struct plan_line t = v[z];
            v[z] = v[z - 1];
            v[z - 1] = t;
        }
    p->n = end - first;
    return ERR_OK;
}

int obligation_plans_load(struct book *b, struct obligation_plans *out, struct err *e)
{
    sqlite3_stmt *st = db_prepare(b, "SELECT max(period) FROM periods");
    if (db_step(b, st, e) < 0)
        return e->code;
    int32_t last = DATE_NONE;
    struct err ignore;
    if (!db_col_is_null(st, 0))
        period_parse(db_col_text(st, 0), &last, &ignore);
    sqlite3_reset(st);
    struct posted_reader pr = {.b = b, .rc = SQLITE_DONE};
    if (last != DATE_NONE) {
        pr.st = db_prepare(
            b, "SELECT c.currency, c.code, k.code, o.seq, substr(e.entry_date, 1, 7),"
               " sum(r.amount) FROM recognition_postings r JOIN journal_entries e ON e.id ="
               " r.entry_id JOIN obligations o ON o.id = r.obligation_id JOIN contracts k ON k.id"
               " = o.contract_id JOIN customers c ON c.id = k.customer_id WHERE e.entry_date <= :d"
               " AND k.status <> 'draft' GROUP BY r.obligation_id, 5 ORDER BY 1, 2, 3, 4, 5");
        db_bind_date(pr.st, ":d", period_last_day(last));
        pr.rc = db_step(b, pr.st, e);
        if (pr.rc < 0)
            return e->code;
    }
    st = db_prepare(
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
            if (p && last != DATE_NONE && closed_months_as_posted(out, &pr, last, e) != ERR_OK) {
                sqlite3_reset(st);
                rc = -1;
                break;
            }
            out->v = xgrow(out->v, &out->cap, out->n + 1, sizeof *out->v);
            p = &out->v[out->n++];
            memset(p, 0, sizeof *p);
            p->obligation_id = id;
            p->contract_id = db_col_int(st, 1);
            db_col_copy(st, 2, p->customer, sizeof p->customer);
            db_col_copy(st, 3, p->contract, sizeof p->contract);
            p->seq = (int)db_col_int(st, 4);
            /* A name is at most 255 bytes (what the plans held before they pooled names). */
            char name[256];
            db_col_copy(st, 5, name, sizeof name);
            p->name = plan_name(out, name);
            db_col_copy(st, 6, p->currency, sizeof p->currency);
            p->exponent = (int)db_col_int(st, 7);
            pattern_parse(db_col_text(st, 8), &p->pattern, &ignore);
            p->allocated = db_col_money(st, 9);
            p->first = out->nlines;
        }
        if (!db_col_is_null(st, 10)) {
            out->lines = xgrow(out->lines, &out->caplines, out->nlines + 1, sizeof *out->lines);
            struct plan_line *l = &out->lines[out->nlines++];
            period_parse(db_col_text(st, 10), &l->period, &ignore);
            l->amount = db_col_money(st, 11);
            out->v[out->n - 1].n++;
        }
    }
    if (rc == SQLITE_DONE && out->n && last != DATE_NONE &&
        closed_months_as_posted(out, &pr, last, e) != ERR_OK)
        rc = -1;
    if (rc == SQLITE_ROW)
        sqlite3_reset(st);
    if (pr.st)
        sqlite3_reset(pr.st);
    return rc < 0 ? e->code : ERR_OK;
}

void obligation_plans_free(struct obligation_plans *p)
{
    free(p->v);
    free(p->lines);
    while (p->names) {
        struct plan_names *prev = p->names->prev;
        free(p->names);
        p->names = prev;
    }
    memset(p, 0, sizeof *p);
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

struct journal_cursor {
    struct book *b;
    sqlite3_stmt *st;
    int32_t from, to;
    int64_t last; /* the last entry when opened */
};

void journal_cursor_rewind(struct journal_cursor *c)
{
    c->st = db_prepare(
        c->b, "SELECT e.id, e.entry_date, e.kind, l.account, a.name, e.currency, cur.exponent,"
              " l.debit, l.credit, e.memo, e.source_type || ' ' || e.source_id, coalesce(c.code,"
              " ''), coalesce(k.code, ''), e.created_by, e.created_at FROM journal_entries e JOIN"
              " journal_lines l ON l.entry_id = e.id JOIN accounts a ON a.code = l.account JOIN"
              " currencies cur ON cur.code = e.currency LEFT JOIN customers c ON c.id ="
              " coalesce(l.customer_id, e.customer_id) LEFT JOIN contracts k ON k.id ="
              " l.contract_id WHERE e.entry_date BETWEEN :from AND :to AND e.id <= :last"
              " ORDER BY e.entry_date, e.id, l.id");
    db_bind_date(c->st, ":from", c->from);
    db_bind_date(c->st, ":to", c->to);
    db_bind_int(c->st, ":last", c->last);
}

struct journal_cursor *journal_cursor_open(struct book *b, int32_t from, int32_t to)
{
    struct journal_cursor *c = xcalloc(1, sizeof *c);
    c->b = b;
    c->from = from;
    c->to = to;
    sqlite3_stmt *st = db_prepare(b, "SELECT coalesce(max(id), 0) FROM journal_entries");
    if (sqlite3_step(st) == SQLITE_ROW)
        c->last = db_col_int(st, 0);
    sqlite3_reset(st);
    journal_cursor_rewind(c);
    return c;
}

int journal_cursor_next(struct journal_cursor *c, struct journal_row *r, struct err *e)
{
    sqlite3_stmt *st = c->st;
    int rc = db_step(c->b, st, e);
    if (rc != SQLITE_ROW)
        return rc < 0 ? -1 : 0;
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
    return 1;
}

void journal_cursor_close(struct journal_cursor *c)
{
    if (!c)
        return;
    sqlite3_reset(c->st);
    free(c);
}

int journal_totals_load(struct book *b, int32_t from, int32_t to, struct journal_total *out,
                        int max, int *n, struct err *e)
{
    *n = 0;
    /* A currency's first line is the least (date, entry, line) of its lines. */
    sqlite3_stmt *st = db_prepare(
        b, "SELECT e.currency, cur.exponent, count(*), sum(l.debit), sum(l.credit) FROM"
           " journal_entries e JOIN journal_lines l ON l.entry_id = e.id JOIN accounts a ON a.code"
           " = l.account JOIN currencies cur ON cur.code = e.currency WHERE e.entry_date BETWEEN"
           " :from AND :to GROUP BY e.currency ORDER BY min(e.entry_date || printf(' %020d %020d',"
           " e.id, l.id))");
    db_bind_date(st, ":from", from);
    db_bind_date(st, ":to", to);
    int rc;
    while ((rc = db_step(b, st, e)) == SQLITE_ROW && *n < max) {
        struct journal_total *t = &out[(*n)++];
        db_col_copy(st, 0, t->currency, sizeof t->currency);
        t->exponent = (int)db_col_int(st, 1);
        t->lines = db_col_int(st, 2);
        t->debit = db_col_money(st, 3);
        t->credit = db_col_money(st, 4);
    }
    if (rc == SQLITE_ROW)
        sqlite3_reset(st);
    return rc < 0 ? e->code : ERR_OK;
}

int32_t recognition_posted_through(struct book *b)
{
    sqlite3_stmt *st = db_prepare(b, "SELECT max(period) FROM recognition_postings");
    int32_t p = DATE_NONE;
    if (sqlite3_step(st) == SQLITE_ROW && !db_col_is_null(st, 0)) {
        struct err ignore;
        if (period_parse(db_col_text(st, 0), &p, &ignore) != ERR_OK)
            p = DATE_NONE;
    }
    sqlite3_reset(st);
    return p;
}

struct change_cursor {
    struct book *b;
    sqlite3_stmt *st;
    char d0[DATE_BUF], d1[DATE_BUF];
    int64_t last; /* the last row when opened: rows appended later are not read */
};

void change_cursor_rewind(struct change_cursor *c)
{
    c->st = db_prepare(
        c->b,
        "SELECT id, at, user, action, entity, coalesce(entity_id, 0), refused, coalesce(detail,"
        " after, before, ''), coalesce(hash, '') FROM change_log WHERE (:d0 = '' OR substr(at, 1,"
        " 10) >= :d0) AND (:d1 = '' OR substr(at, 1, 10) <= :d1) AND id <= :last ORDER BY id");
    db_bind_text(c->st, ":d0", c->d0);
    db_bind_text(c->st, ":d1", c->d1);
    db_bind_int(c->st, ":last", c->last);
}

struct change_cursor *change_cursor_open(struct book *b, int32_t from, int32_t to)
{
    struct change_cursor *c = xcalloc(1, sizeof *c);
    c->b = b;
    sqlite3_stmt *st = db_prepare(b, "SELECT coalesce(max(id), 0) FROM change_log");
    if (sqlite3_step(st) == SQLITE_ROW)
        c->last = db_col_int(st, 0);
    sqlite3_reset(st);
    if (from != DATE_NONE)
        date_format(from, c->d0, sizeof c->d0);
    if (to != DATE_NONE)
        date_format(to, c->d1, sizeof c->d1);
    change_cursor_rewind(c);
    return c;
}

int change_cursor_next(struct change_cursor *c, struct change_row *row, struct err *e)
{
    sqlite3_stmt *st = c->st;
    int rc = db_step(c->b, st, e);
    if (rc != SQLITE_ROW)
        return rc < 0 ? -1 : 0;
    memset(row, 0, sizeof *row);
    row->id = db_col_int(st, 0);
    db_col_copy(st, 1, row->at, sizeof row->at);
    db_col_copy(st, 2, row->user, sizeof row->user);
    db_col_copy(st, 3, row->action, sizeof row->action);
    db_col_copy(st, 4, row->entity, sizeof row->entity);
    row->entity_id = db_col_int(st, 5);
    row->refused = db_col_int(st, 6) != 0;
    row->text = db_col_text(st, 7);
    db_col_copy(st, 8, row->hash, sizeof row->hash);
    return 1;
}

void change_cursor_close(struct change_cursor *c)
{
    if (!c)
        return;
    sqlite3_reset(c->st);
    free(c);
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

int ledger_role_totals(struct book *b, const char *role, int32_t from, int32_t to,
                       struct role_totals *out, int max, int *n, struct err *e)
{
    *n = 0;
    sqlite3_stmt *st = db_prepare(
        b, "SELECT a.role, e.currency, coalesce(sum(CASE WHEN e.entry_date >= :d0 THEN l.debit"
           " END), 0), coalesce(sum(CASE WHEN e.entry_date >= :d0 THEN l.credit END), 0),"
           " coalesce(sum(l.debit) - sum(l.credit), 0) FROM journal_lines l JOIN accounts a ON"
           " a.code = l.account JOIN journal_entries e ON e.id = l.entry_id WHERE (:role IS NULL"
           " OR a.role = :role) AND e.entry_date <= :d1 GROUP BY a.role, e.currency");
    db_bind_text(st, ":role", role);
    db_bind_date(st, ":d0", from);
    db_bind_date(st, ":d1", to);
    int rc;
    while ((rc = db_step(b, st, e)) == SQLITE_ROW) {
        if (*n == max) {
            sqlite3_reset(st);
            return err_set(e, ERR_INPUT, "more than %d account roles and currencies", max);
        }
        struct role_totals *t = &out[(*n)++];
        db_col_copy(st, 0, t->role, sizeof t->role);
        db_col_copy(st, 1, t->currency, sizeof t->currency);
        t->debits = db_col_money(st, 2);
        t->credits = db_col_money(st, 3);
        t->balance = db_col_money(st, 4);
    }
    return rc < 0 ? e->code : ERR_OK;
}

struct role_totals role_totals_of(const struct role_totals *v, int n, const char *role,
                                  const char *currency)
{
    for (int i = 0; i < n; i++)
        if (strcmp(v[i].role, role) == 0 && strcmp(v[i].currency, currency) == 0)
            return v[i];
    struct role_totals none = {
        .debits = money_of(0), .credits = money_of(0), .balance = money_of(0)};
    return none;
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
