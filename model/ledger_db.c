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
    return rc < 0 ? e->code : ERR_OK;
}

void obligation_plans_free(struct obligation_plans *p)
{
    free(p->v);
    free(p->lines);
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
    for (size_t i = 0; i < out->n; i++) {
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
