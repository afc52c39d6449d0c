/*
 * schedule_db.c — writing recognition schedules as versioned lines, and posting them to the
 * journal month by month.
 */
#include "model/schedule.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "model/close.h"
#include "model/date.h"
#include "model/db.h"
#include "model/journal.h"
#include "model/xalloc.h"

/* Writes a new version of the obligation's schedule when the rules now give other figures. */
static int replan(struct book *b, const struct contract *c, const struct obligation *o,
                  enum convention conv, struct err *e)
{
    struct recog_source src;
    int rc = recog_source_load(b, c, o, conv, &src, e);
    if (rc != ERR_OK)
        return rc;
    int32_t first = 0, last = -1;
    struct money *amounts = NULL;
    size_t n = 0;
    if (recognition_span(&src.in, &first, &last)) {
        n = (size_t)(last - first + 1);
        amounts = xmalloc(n * sizeof *amounts);
        recognition_schedule(&src.in, first, n, amounts);
    }
    recog_source_free(&src);

    /* Compare with the current version: same periods, same amounts, nothing to write. */
    bool same = true;
    size_t k = 0;
    sqlite3_stmt *st = db_prepare(b, "SELECT period, amount FROM schedule_lines WHERE"
                                     " obligation_id = :o AND version = :v ORDER BY period");
    db_bind_int(st, ":o", o->id);
    db_bind_int(st, ":v", o->schedule_version);
    int step;
    while ((step = db_step(b, st, e)) == SQLITE_ROW) {
        int32_t p;
        struct err ignore;
        if (k >= n || period_parse(db_col_text(st, 0), &p, &ignore) != ERR_OK ||
            p != first + (int32_t)k || db_col_int(st, 1) != amounts[k].minor)
            same = false;
        k++;
    }
    if (step < 0) {
        free(amounts);
        return e->code;
    }
    if (k != n)
        same = false;
    if (same && o->schedule_version > 0) {
        free(amounts);
        return ERR_OK;
    }
    int version = o->schedule_version + 1;
    for (size_t i = 0; i < n && rc == ERR_OK; i++) {
        char per[PERIOD_BUF];
        st = db_prepare(b, "INSERT INTO schedule_lines (obligation_id, version, period, amount)"
                           " VALUES (:o, :v, :p, :a)");
        db_bind_int(st, ":o", o->id);
        db_bind_int(st, ":v", version);
        db_bind_text(st, ":p", period_format(first + (int32_t)i, per, sizeof per));
        db_bind_money(st, ":a", amounts[i]);
        rc = db_exec(b, st, e);
    }
    free(amounts);
    if (rc != ERR_OK)
        return rc;
    st = db_prepare(b, "UPDATE obligations SET schedule_version = :v WHERE id = :o");
    db_bind_int(st, ":v", version);
    db_bind_int(st, ":o", o->id);
    return db_exec(b, st, e);
}

int schedule_replan_contract(struct book *b, const struct contract *c, struct err *e)
{
    struct obligations obs = {0};
    int rc = obligations_load(b, c->id, &obs, e);
    enum convention conv = book_convention(b);
    for (size_t i = 0; i < obs.n && rc == ERR_OK; i++)
        rc = replan(b, c, &obs.v[i], conv, e);
    obligations_free(&obs);
    return rc;
}

int schedule_load(struct book *b, int64_t obligation_id, int version, struct schedule *out,
                  struct err *e)
{
    memset(out, 0, sizeof *out);
    sqlite3_stmt *st = db_prepare(
        b, "WITH v AS (SELECT CASE WHEN :v > 0 THEN :v ELSE schedule_version END AS version FROM"
           " obligations WHERE id = :o), s AS (SELECT l.period, l.amount FROM schedule_lines l, v"
           " WHERE l.obligation_id = :o AND l.version = v.version), p AS (SELECT period,"
           " sum(amount) AS amount FROM recognition_postings WHERE obligation_id = :o GROUP BY"
           " period) SELECT coalesce(s.period, p.period), coalesce(s.amount, 0),"
           " coalesce(p.amount, 0), (SELECT version FROM v) FROM s FULL OUTER JOIN p ON p.period"
           " = s.period ORDER BY 1");
    db_bind_int(st, ":o", obligation_id);
    db_bind_int(st, ":v", version);
    int rc;
    while ((rc = db_step(b, st, e)) == SQLITE_ROW) {
        out->v = xgrow(out->v, &out->cap, out->n + 1, sizeof *out->v);
        struct schedule_line *l = &out->v[out->n++];
        struct err ignore;
        period_parse(db_col_text(st, 0), &l->period, &ignore);
        l->amount = db_col_money(st, 1);
        l->posted = db_col_money(st, 2);
        out->version = (int)db_col_int(st, 3);
    }
    return rc < 0 ? e->code : ERR_OK;
}

void schedule_free(struct schedule *s)
{
    free(s->v);
    memset(s, 0, sizeof *s);
}

/* ---- posting ---------------------------------------------------------------------------- */

struct delta {
    int64_t contract_id, customer_id, obligation_id;
    char code[CODE_MAX + 1];
    char currency[4];
    int32_t period;
    int version;
    struct money amount;
};

static int post_group(struct book *b, const struct delta *d, size_t n, struct err *e)
{
    struct money total = money_of(0);
    for (size_t i = 0; i < n; i++)
        total.minor += d[i].amount.minor;
    char memo[160], per[PERIOD_BUF];
    period_format(d[0].period, per, sizeof per);
    /* A month already closed is corrected in the first open month (ACCOUNTING.md §7). */
    int32_t day = period_posting_day(b, period_last_day(d[0].period));
    if (period_of(day) != d[0].period) {
        char on[PERIOD_BUF];
        snprintf(memo, sizeof memo, "revenue recognized for %s in %s (closed), booked in %s",
                 d[0].code, per, period_format(period_of(day), on, sizeof on));
    } else {
        snprintf(memo, sizeof memo, "revenue recognized for %s in %s", d[0].code, per);
    }
    struct journal_entry je;
    journal_init(&je, "recognition", day, d[0].currency, memo, "contract", d[0].contract_id,
                 d[0].customer_id);
    je.contract_id = d[0].contract_id;
    if (total.minor >= 0) {
        journal_debit(&je, "deferred_revenue", total, 0);
        journal_credit(&je, "revenue", total, 0);
    } else {
        journal_debit(&je, "revenue", money_of(-total.minor), 0);
        journal_credit(&je, "deferred_revenue", money_of(-total.minor), 0);
    }
    int64_t entry = 0;
    int rc = ERR_OK;
    if (total.minor != 0)
        rc = journal_post(b, &je, &entry, e);
    if (rc != ERR_OK)
        return rc;
    if (entry == 0) {
        /* The obligations' changes cancel out: there is no entry to carry them, so post each
         * obligation on its own entry and every posting still names the entry that made it. */
        for (size_t i = 0; i < n && rc == ERR_OK; i++)
            if (d[i].amount.minor)
                rc = post_group(b, &d[i], 1, e);
        return rc;
    }
    for (size_t i = 0; i < n && rc == ERR_OK; i++) {
        char p[PERIOD_BUF];
        sqlite3_stmt *st =
            db_prepare(b, "INSERT INTO recognition_postings (entry_id, obligation_id,"
                          " period, version, amount) VALUES (:e, :o, :p, :v, :a)");
        db_bind_int(st, ":e", entry);
        db_bind_int(st, ":o", d[i].obligation_id);
        db_bind_text(st, ":p", period_format(d[i].period, p, sizeof p));
        db_bind_int(st, ":v", d[i].version);
        db_bind_money(st, ":a", d[i].amount);
        rc = db_exec(b, st, e);
    }
    return rc;
}

int recognize_through(struct book *b, int32_t through, struct recognize_result *out, struct err *e)
{
    memset(out, 0, sizeof *out);
    char per[PERIOD_BUF];
    period_format(through, per, sizeof per);
    int rc = book_begin(b, e);
    if (rc != ERR_OK)
        return rc;
    /* What each obligation's current schedule says for each month, less what was posted: one
     * pass over both tables grouped by obligation and month (a full outer join of the two would
     * compare every line with every posting). */
    sqlite3_stmt *st = db_prepare(
        b, "WITH d AS (SELECT obligation_id, period, sum(amount) AS delta, max(version) AS"
           " version FROM (SELECT l.obligation_id, l.period, l.amount, l.version FROM"
           " schedule_lines l JOIN obligations o ON o.id = l.obligation_id AND l.version ="
           " o.schedule_version WHERE l.period <= :through UNION ALL SELECT obligation_id, period,"
           " -amount, 0 FROM recognition_postings WHERE period <= :through) GROUP BY"
           " obligation_id, period)"
           " SELECT k.id, k.customer_id, d.obligation_id, k.code, c.currency, d.period, d.version,"
           " d.delta FROM d JOIN obligations o ON o.id = d.obligation_id JOIN contracts k ON k.id"
           " = o.contract_id JOIN customers c ON c.id = k.customer_id WHERE d.delta <> 0"
           " ORDER BY k.id, d.period, d.obligation_id");
    db_bind_text(st, ":through", per);
    struct delta *d = NULL;
    size_t n = 0, cap = 0;
    int step;
    while ((step = db_step(b, st, e)) == SQLITE_ROW) {
        d = xgrow(d, &cap, n + 1, sizeof *d);
        struct delta *x = &d[n++];
        struct err ignore;
        x->contract_id = db_col_int(st, 0);
        x->customer_id = db_col_int(st, 1);
        x->obligation_id = db_col_int(st, 2);
        db_col_copy(st, 3, x->code, sizeof x->code);
        db_col_copy(st, 4, x->currency, sizeof x->currency);
        period_parse(db_col_text(st, 5), &x->period, &ignore);
        x->version = (int)db_col_int(st, 6);
        x->amount = db_col_money(st, 7);
    }
    if (step < 0) {
        rc = e->code;
        goto fail;
    }
    int64_t last_contract = 0;
    for (size_t i = 0; i < n && rc == ERR_OK;) {
        size_t j = i;
        while (j < n && d[j].contract_id == d[i].contract_id && d[j].period == d[i].period)
            j++;
        rc = post_group(b, &d[i], j - i, e);
        out->entries++;
        out->postings += (int64_t)(j - i);
        if (d[i].contract_id != last_contract) {
            out->contracts++;
            last_contract = d[i].contract_id;
        }
        i = j;
    }
    if (rc != ERR_OK)
        goto fail;
    char note[96];
    snprintf(note, sizeof note, "recognized through %s: %d entries for %d contracts", per,
             out->entries, out->contracts);
    if ((rc = db_log_note(b, "recognize", "journal", note, e)) != ERR_OK)
        goto fail;
    free(d);
    return book_commit(b, e);
fail:
    free(d);
    book_rollback(b);
    return rc;
}
