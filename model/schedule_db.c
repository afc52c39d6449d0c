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

/* Binds the obligation, version and lines [i, i + k) of a statement inserting k lines, and runs
 * it. */
static int insert_lines(struct book *b, sqlite3_stmt *st, int64_t obligation, int version,
                        int32_t first, const struct money *amounts, size_t i, int k, struct err *e)
{
    sqlite3_bind_int64(st, 1, obligation);
    sqlite3_bind_int64(st, 2, version);
    for (int j = 0; j < k; j++) {
        char per[PERIOD_BUF];
        period_format(first + (int32_t)(i + (size_t)j), per, sizeof per);
        sqlite3_bind_text(st, 3 + 2 * j, per, -1, SQLITE_TRANSIENT);
        sqlite3_bind_int64(st, 4 + 2 * j, amounts[i + (size_t)j].minor);
    }
    return db_exec(b, st, e);
}

/* Writes amounts[0..n) as version `version` of the obligation's schedule, from month first.
 * Re-planning every schedule of a large book writes millions of lines, and a statement per line
 * spends more on the statement than on the line: they go sixteen, then four, at a time. */
static int write_lines(struct book *b, int64_t obligation, int version, int32_t first,
                       const struct money *amounts, size_t n, struct err *e)
{
    size_t i = 0;
    int rc = ERR_OK;
    for (; i + 16 <= n && rc == ERR_OK; i += 16)
        rc = insert_lines(
            b,
            db_prepare(b, "INSERT INTO schedule_lines (obligation_id, version, period, amount)"
                          " VALUES (?1, ?2, ?3, ?4), (?1, ?2, ?5, ?6), (?1, ?2, ?7, ?8), (?1, ?2,"
                          " ?9, ?10), (?1, ?2, ?11, ?12), (?1, ?2, ?13, ?14), (?1, ?2, ?15, ?16),"
                          " (?1, ?2, ?17, ?18), (?1, ?2, ?19, ?20), (?1, ?2, ?21, ?22), (?1, ?2,"
                          " ?23, ?24), (?1, ?2, ?25, ?26), (?1, ?2, ?27, ?28), (?1, ?2, ?29, ?30),"
                          " (?1, ?2, ?31, ?32), (?1, ?2, ?33, ?34)"),
            obligation, version, first, amounts, i, 16, e);
    for (; i + 4 <= n && rc == ERR_OK; i += 4)
        rc =
            insert_lines(b,
                         db_prepare(b, "INSERT INTO schedule_lines (obligation_id, version, period,"
                                       " amount) VALUES (?1, ?2, ?3, ?4), (?1, ?2, ?5, ?6), (?1,"
                                       " ?2, ?7, ?8), (?1, ?2, ?9, ?10)"),
                         obligation, version, first, amounts, i, 4, e);
    for (; i < n && rc == ERR_OK; i++)
        rc =
            insert_lines(b,
                         db_prepare(b, "INSERT INTO schedule_lines (obligation_id, version, period,"
                                       " amount) VALUES (?1, ?2, ?3, ?4)"),
                         obligation, version, first, amounts, i, 1, e);
    return rc;
}

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

    /* Compare with the current version: same periods, same amounts, nothing to write. The
     * first month whose amount differs is kept with the new version: recognition compares a
     * re-planned obligation from there on (and from the months after its last run), since the
     * months before were posted from figures that did not change. */
    bool same = true, unknown = false;
    int32_t differ = INT32_MAX;
    bool *seen = n ? xcalloc(n, sizeof *seen) : NULL;
    size_t k = 0;
    sqlite3_stmt *st = db_prepare(b, "SELECT period, amount FROM schedule_lines WHERE"
                                     " obligation_id = :o AND version = :v ORDER BY period");
    db_bind_int(st, ":o", o->id);
    db_bind_int(st, ":v", o->schedule_version);
    int step;
    while ((step = db_step(b, st, e)) == SQLITE_ROW) {
        int32_t p;
        struct err ignore;
        int64_t was = db_col_int(st, 1), now = 0;
        if (period_parse(db_col_text(st, 0), &p, &ignore) != ERR_OK) {
            same = false;
            unknown = true;
            k++;
            continue;
        }
        if (k >= n || p != first + (int32_t)k || was != amounts[k].minor)
            same = false;
        if (p >= first && p <= last) {
            now = amounts[p - first].minor;
            seen[p - first] = true;
        }
        if (was != now && p < differ)
            differ = p;
        k++;
    }
    for (size_t i = 0; i < n && step >= 0; i++)
        if (!seen[i] && amounts[i].minor != 0 && first + (int32_t)i < differ)
            differ = first + (int32_t)i;
    free(seen);
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
    rc = write_lines(b, o->id, version, first, amounts, n, e);
    free(amounts);
    if (rc != ERR_OK)
        return rc;
    st = db_prepare(b, "UPDATE obligations SET schedule_version = :v, replan_from = CASE WHEN :p IS"
                       " NULL THEN replan_from WHEN replan_from IS NULL OR :p < replan_from THEN :p"
                       " ELSE replan_from END WHERE id = :o");
    db_bind_int(st, ":v", version);
    char per[PERIOD_BUF];
    if (unknown)
        db_bind_text(st, ":p", "");
    else if (differ != INT32_MAX)
        db_bind_text(st, ":p", period_format(differ, per, sizeof per));
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

/* The memo and posting day of the entry for a month: a month already closed is corrected in the
 * first open month (ACCOUNTING.md §7). */
static int32_t posting_memo(struct book *b, const char *code, int32_t period, char *memo,
                            size_t size)
{
    char per[PERIOD_BUF];
    period_format(period, per, sizeof per);
    int32_t day = period_posting_day(b, period_last_day(period));
    if (period_of(day) != period) {
        char on[PERIOD_BUF];
        snprintf(memo, size, "revenue recognized for %s in %s (closed), booked in %s", code, per,
                 period_format(period_of(day), on, sizeof on));
    } else {
        snprintf(memo, size, "revenue recognized for %s in %s", code, per);
    }
    return day;
}

static int insert_posting(struct book *b, int64_t entry, const struct delta *d, struct err *e)
{
    char p[PERIOD_BUF];
    sqlite3_stmt *st = db_prepare(b, "INSERT INTO recognition_postings (entry_id, obligation_id,"
                                     " period, version, amount) VALUES (:e, :o, :p, :v, :a)");
    db_bind_int(st, ":e", entry);
    db_bind_int(st, ":o", d->obligation_id);
    db_bind_text(st, ":p", period_format(d->period, p, sizeof p));
    db_bind_int(st, ":v", d->version);
    db_bind_money(st, ":a", d->amount);
    return db_exec(b, st, e);
}

/* One entry for the obligations of a contract whose changes for a month cancel out is not
 * possible: each obligation is posted on its own entry, so every posting still names the entry
 * that made it. */
static int post_each(struct book *b, const struct delta *d, size_t n, struct err *e)
{
    int rc = ERR_OK;
    for (size_t i = 0; i < n && rc == ERR_OK; i++) {
        if (d[i].amount.minor == 0)
            continue;
        char memo[160];
        int32_t day = posting_memo(b, d[i].code, d[i].period, memo, sizeof memo);
        struct journal_entry je;
        journal_init(&je, "recognition", day, d[i].currency, memo, "contract", d[i].contract_id,
                     d[i].customer_id);
        je.contract_id = d[i].contract_id;
        struct money m = d[i].amount;
        if (m.minor > 0) {
            journal_debit(&je, "deferred_revenue", m, 0);
            journal_credit(&je, "revenue", m, 0);
        } else {
            journal_debit(&je, "revenue", money_of(-m.minor), 0);
            journal_credit(&je, "deferred_revenue", money_of(-m.minor), 0);
        }
        int64_t entry = 0;
        if ((rc = journal_post(b, &je, &entry, e)) == ERR_OK)
            rc = insert_posting(b, entry, &d[i], e);
    }
    return rc;
}

/* ---- the month's entries, written together ------------------------------------------------
 *
 * A month's recognition is an entry per contract and month, two lines each, and a posting per
 * obligation: for a book of 100,000 contracts, hundreds of thousands of rows. They are gathered
 * in temporary tables and written by a few statements, each row going through the same
 * constraints and triggers as an entry posted on its own: the entry is written open, its lines
 * added, then it is posted, when the book checks that it balances. */

static int batch_prepare(struct book *b, struct err *e)
{
    return db_exec_script(
        b,
        "CREATE TEMP TABLE IF NOT EXISTS recognize_entries (n INTEGER PRIMARY"
        " KEY, entry_date TEXT, currency TEXT, memo TEXT, contract_id INTEGER,"
        " customer_id INTEGER, total INTEGER);"
        " CREATE TEMP TABLE IF NOT EXISTS recognize_postings (n INTEGER,"
        " obligation_id INTEGER, period TEXT, version INTEGER, amount INTEGER);"
        " DELETE FROM temp.recognize_entries; DELETE FROM temp.recognize_postings",
        e);
}

/* Adds the entry for a contract's month, d[0..n), to the batch as its n-th. */
static int batch_add(struct book *b, int64_t n, const struct delta *d, size_t nd,
                     struct money total, struct err *e)
{
    char memo[160], day[DATE_BUF];
    int32_t on = posting_memo(b, d[0].code, d[0].period, memo, sizeof memo);
    sqlite3_stmt *st = db_prepare(b, "INSERT INTO temp.recognize_entries (n, entry_date, currency,"
                                     " memo, contract_id, customer_id, total) VALUES (:n, :d, :c,"
                                     " :m, :k, :u, :t)");
    db_bind_int(st, ":n", n);
    db_bind_text(st, ":d", date_format(on, day, sizeof day));
    db_bind_text(st, ":c", d[0].currency);
    db_bind_text(st, ":m", memo);
    db_bind_int(st, ":k", d[0].contract_id);
    if (d[0].customer_id)
        db_bind_int(st, ":u", d[0].customer_id);
    db_bind_money(st, ":t", total);
    int rc = db_exec(b, st, e);
    for (size_t i = 0; i < nd && rc == ERR_OK; i++) {
        char p[PERIOD_BUF];
        st = db_prepare(b, "INSERT INTO temp.recognize_postings (n, obligation_id, period,"
                           " version, amount) VALUES (:n, :o, :p, :v, :a)");
        db_bind_int(st, ":n", n);
        db_bind_int(st, ":o", d[i].obligation_id);
        db_bind_text(st, ":p", period_format(d[i].period, p, sizeof p));
        db_bind_int(st, ":v", d[i].version);
        db_bind_money(st, ":a", d[i].amount);
        rc = db_exec(b, st, e);
    }
    return rc;
}

/* Writes the batch's entries, numbered from 1, as the entries after the journal's last. */
static int batch_flush(struct book *b, int64_t count, struct err *e)
{
    if (count == 0)
        return ERR_OK;
    sqlite3_stmt *st = db_prepare(b, "SELECT coalesce(max(id), 0) FROM journal_entries");
    if (db_step(b, st, e) != SQLITE_ROW)
        return e->code;
    int64_t base = db_col_int(st, 0);
    sqlite3_reset(st);
    char at[32];
    st = db_prepare(b, "INSERT INTO journal_entries (id, entry_date, kind, currency, memo,"
                       " source_type, source_id, customer_id, posted, open_guard, created_by,"
                       " created_at) SELECT :base + n, entry_date, 'recognition', currency, memo,"
                       " 'contract', contract_id, customer_id, 0, 1, :by, :at FROM"
                       " temp.recognize_entries ORDER BY n");
    db_bind_int(st, ":base", base);
    db_bind_text(st, ":by", book_user(b));
    db_bind_text(st, ":at", book_timestamp(b, at, sizeof at));
    int rc = db_exec(b, st, e);
    if (rc != ERR_OK)
        return rc;
    /* Debit first: deferred revenue for revenue earned, revenue for revenue given back. */
    st = db_prepare(b, "INSERT INTO journal_lines (entry_id, account, debit, credit, customer_id,"
                       " contract_id) SELECT :base + x.n, CASE WHEN (x.total > 0) = (s.side = 0)"
                       " THEN :deferred ELSE :revenue END, CASE s.side WHEN 0 THEN abs(x.total)"
                       " ELSE 0 END, CASE s.side WHEN 1 THEN abs(x.total) ELSE 0 END,"
                       " x.customer_id, x.contract_id FROM temp.recognize_entries x, (SELECT 0"
                       " AS side UNION ALL SELECT 1) s ORDER BY x.n, s.side");
    db_bind_int(st, ":base", base);
    db_bind_text(st, ":deferred", db_account(b, "deferred_revenue"));
    db_bind_text(st, ":revenue", db_account(b, "revenue"));
    if ((rc = db_exec(b, st, e)) != ERR_OK)
        return rc;
    st = db_prepare(b, "UPDATE journal_entries SET posted = 1, open_guard = NULL WHERE id > :base");
    db_bind_int(st, ":base", base);
    if ((rc = db_exec(b, st, e)) != ERR_OK)
        return rc;
    st = db_prepare(b, "INSERT INTO recognition_postings (entry_id, obligation_id, period, version,"
                       " amount) SELECT :base + n, obligation_id, period, version, amount FROM"
                       " temp.recognize_postings ORDER BY rowid");
    db_bind_int(st, ":base", base);
    if ((rc = db_exec(b, st, e)) != ERR_OK)
        return rc;
    return batch_prepare(b, e);
}

int recognize_through(struct book *b, int32_t through, struct recognize_result *out, struct err *e)
{
    memset(out, 0, sizeof *out);
    char per[PERIOD_BUF];
    period_format(through, per, sizeof per);
    int rc = book_begin(b, e);
    if (rc != ERR_OK)
        return rc;
    /* What each obligation's current schedule says for each month, less what was posted,
     * grouped by obligation and month in one pass (a full outer join of the two tables would
     * compare every line with every posting). An obligation whose schedule is unchanged since
     * the last run was posted in full through book.recon_through: only the months after it are
     * compared. One re-planned since (the partial index finds them) is compared from the first
     * month its schedule changed, when that is earlier; one never posted in full, or changed by
     * a memo's catch-up, in full. The obligations lead each join: the planner, knowing no
     * better, would read every schedule line instead. */
    char from[PERIOD_BUF] = "";
    sqlite3_stmt *st = db_prepare(b, "SELECT coalesce(recon_through, '') FROM book");
    int step = db_step(b, st, e);
    if (step < 0) {
        book_rollback(b);
        return e->code;
    }
    if (step == SQLITE_ROW)
        db_col_copy(st, 0, from, sizeof from);
    bool advance = !from[0] || strcmp(per, from) >= 0;
    st = db_prepare(
        b,
        "WITH d AS (SELECT obligation_id, period, sum(amount) AS delta, max(version) AS"
        " version FROM (SELECT l.obligation_id, l.period, l.amount, l.version FROM obligations"
        " o INDEXED BY obligations_unreconciled CROSS JOIN schedule_lines l ON l.obligation_id"
        " = o.id AND l.version = o.schedule_version AND l.period >= CASE WHEN o.recon_version IS"
        " NULL OR o.replan_from IS NULL OR :from = '' THEN '' WHEN o.replan_from < :next THEN"
        " o.replan_from ELSE :next END WHERE o.recon_version IS NOT o.schedule_version AND"
        " l.period <= :through UNION ALL SELECT r.obligation_id, r.period, -r.amount, 0 FROM"
        " obligations o INDEXED BY obligations_unreconciled CROSS JOIN recognition_postings r ON"
        " r.obligation_id = o.id AND r.period >= CASE WHEN o.recon_version IS NULL OR"
        " o.replan_from IS NULL OR :from = '' THEN '' WHEN o.replan_from < :next THEN"
        " o.replan_from ELSE :next END WHERE o.recon_version IS NOT o.schedule_version AND"
        " r.period <= :through"
        " UNION ALL SELECT l.obligation_id, l.period, l.amount, l.version FROM obligations o"
        " CROSS JOIN schedule_lines l ON l.obligation_id = o.id AND l.version = o.schedule_version"
        " AND l.period > :from AND l.period <= :through WHERE o.recon_version IS"
        " o.schedule_version AND :from <> ''"
        " UNION ALL SELECT r.obligation_id, r.period, -r.amount, 0 FROM obligations o CROSS"
        " JOIN recognition_postings r ON r.obligation_id = o.id AND r.period > :from AND r.period"
        " <= :through WHERE o.recon_version IS o.schedule_version AND :from <> '')"
        " GROUP BY obligation_id, period)"
        " SELECT k.id, k.customer_id, d.obligation_id, k.code, c.currency, d.period, d.version,"
        " d.delta FROM d JOIN obligations o ON o.id = d.obligation_id JOIN contracts k ON k.id"
        " = o.contract_id JOIN customers c ON c.id = k.customer_id WHERE d.delta <> 0"
        " ORDER BY k.id, d.period, d.obligation_id");
    db_bind_text(st, ":from", from);
    char next[PERIOD_BUF] = "";
    int32_t last_run;
    struct err unparsed;
    if (from[0] && period_parse(from, &last_run, &unparsed) == ERR_OK)
        period_format(last_run + 1, next, sizeof next);
    db_bind_text(st, ":next", next);
    db_bind_text(st, ":through", per);
    struct delta *d = NULL;
    size_t n = 0, cap = 0;
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
    if ((rc = batch_prepare(b, e)) != ERR_OK)
        goto fail;
    int64_t last_contract = 0, batched = 0;
    for (size_t i = 0; i < n && rc == ERR_OK;) {
        if ((out->entries & 255) == 0 && book_progress(b, "recognize", i, n)) {
            rc = err_set(e, ERR_CANCELLED, "recognition cancelled; nothing was posted");
            break;
        }
        size_t j = i;
        struct money total = money_of(0);
        while (j < n && d[j].contract_id == d[i].contract_id && d[j].period == d[i].period)
            total.minor += d[j++].amount.minor;
        if (total.minor != 0) {
            rc = batch_add(b, ++batched, &d[i], j - i, total, e);
        } else if ((rc = batch_flush(b, batched, e)) == ERR_OK) {
            /* Entries keep the order of the contracts and months they are for. */
            batched = 0;
            rc = post_each(b, &d[i], j - i, e);
        }
        out->entries++;
        out->postings += (int64_t)(j - i);
        if (d[i].contract_id != last_contract) {
            out->contracts++;
            last_contract = d[i].contract_id;
        }
        i = j;
    }
    if (rc == ERR_OK)
        rc = batch_flush(b, batched, e);
    /* Every obligation is now posted in full through this month (when it is not before the
     * last run's: then the obligations compared in full stay to be compared in full). */
    if (advance) {
        st = db_prepare(b, "UPDATE obligations SET recon_version = schedule_version,"
                           " replan_from = NULL WHERE recon_version IS NOT schedule_version");
        if ((rc = db_exec(b, st, e)) != ERR_OK)
            goto fail;
        st = db_prepare(b, "UPDATE book SET recon_through = :p");
        db_bind_text(st, ":p", per);
        if ((rc = db_exec(b, st, e)) != ERR_OK)
            goto fail;
    }
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
