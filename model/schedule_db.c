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

/*
 * A month's recognition is an entry per contract and month, two lines each, and a posting per
 * obligation: for a book of 100,000 contracts, hundreds of thousands of rows. They are worked
 * out and written by a few statements over temporary tables, each row going through the same
 * constraints and triggers as an entry posted on its own: the entry is written open, its lines
 * added, then it is posted, when the book checks that it balances.
 */

/* The temporary tables, empty. */
static int work_tables(struct book *b, struct err *e)
{
    return db_exec_script(
        b,
        "CREATE TEMP TABLE IF NOT EXISTS recognize_deltas (contract_id INTEGER, customer_id"
        " INTEGER, code TEXT, currency TEXT, obligation_id INTEGER, period TEXT, version INTEGER,"
        " delta INTEGER);"
        " CREATE TEMP TABLE IF NOT EXISTS recognize_entries (n INTEGER PRIMARY KEY, contract_id"
        " INTEGER, customer_id INTEGER, code TEXT, currency TEXT, period TEXT, obligation_id"
        " INTEGER, total INTEGER);"
        " CREATE TEMP TABLE IF NOT EXISTS recognize_days (period TEXT PRIMARY KEY, entry_date"
        " TEXT, booked TEXT);"
        " DELETE FROM temp.recognize_deltas; DELETE FROM temp.recognize_entries;"
        " DELETE FROM temp.recognize_days",
        e);
}

/* The day each month's entries are dated: a month already closed is corrected in the first open
 * month (ACCOUNTING.md §7), and its memo says so. */
static int posting_days(struct book *b, struct err *e)
{
    sqlite3_stmt *st = db_prepare(b, "SELECT DISTINCT period FROM temp.recognize_deltas WHERE"
                                     " period NOT IN (SELECT period FROM temp.recognize_days)");
    int32_t periods[64];
    int n = 0, step;
    bool more = false;
    while ((step = db_step(b, st, e)) == SQLITE_ROW) {
        if (n == 64) {
            more = true;
            break;
        }
        if (period_parse(db_col_text(st, 0), &periods[n++], e) != ERR_OK) {
            sqlite3_reset(st);
            err_prefix(e, "recognition");
            return e->code;
        }
    }
    sqlite3_reset(st);
    if (step < 0)
        return e->code;
    for (int i = 0; i < n; i++) {
        char per[PERIOD_BUF], day[DATE_BUF], booked[PERIOD_BUF];
        int32_t on = period_posting_day(b, period_last_day(periods[i]));
        st = db_prepare(b, "INSERT INTO temp.recognize_days (period, entry_date, booked) VALUES"
                           " (:p, :d, :b)");
        db_bind_text(st, ":p", period_format(periods[i], per, sizeof per));
        db_bind_text(st, ":d", date_format(on, day, sizeof day));
        if (period_of(on) != periods[i])
            db_bind_text(st, ":b", period_format(period_of(on), booked, sizeof booked));
        int rc = db_exec(b, st, e);
        if (rc != ERR_OK)
            return rc;
    }
    /* More months than that at once is a book recognized for the first time in years: the
     * rest are dated by the same rule, in turns. */
    return more ? posting_days(b, e) : ERR_OK;
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
     * compared. One re-planned since is compared from the first month its schedule changed,
     * when that is earlier; one never posted in full, or changed by a memo's catch-up, in full
     * (o.first is the first month compared). The obligations lead each join: the planner,
     * knowing no better, would read every schedule line instead. */
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
    if ((rc = work_tables(b, e)) != ERR_OK)
        goto fail;
    st = db_prepare(
        b,
        "INSERT INTO temp.recognize_deltas (contract_id, customer_id, code, currency,"
        " obligation_id, period, version, delta)"
        " WITH o AS (SELECT id, schedule_version AS version, CASE WHEN recon_version IS"
        " schedule_version THEN :next WHEN recon_version IS NULL OR replan_from IS NULL OR :from"
        " = '' THEN '' WHEN replan_from < :next THEN replan_from ELSE :next END AS first FROM"
        " obligations),"
        " d AS (SELECT obligation_id, period, sum(amount) AS delta, max(version) AS version FROM"
        " (SELECT l.obligation_id, l.period, l.amount, l.version FROM o CROSS JOIN schedule_lines"
        " l ON l.obligation_id = o.id AND l.version = o.version AND l.period >= o.first AND"
        " l.period <= :through UNION ALL SELECT r.obligation_id, r.period, -r.amount, 0 FROM o"
        " CROSS JOIN recognition_postings r ON r.obligation_id = o.id AND r.period >= o.first"
        " AND r.period <= :through)"
        " GROUP BY obligation_id, period)"
        " SELECT k.id, k.customer_id, k.code, c.currency, d.obligation_id, d.period, d.version,"
        " d.delta FROM d JOIN obligations o ON o.id = d.obligation_id JOIN contracts k ON k.id"
        " = o.contract_id JOIN customers c ON c.id = k.customer_id WHERE d.delta <> 0");
    db_bind_text(st, ":from", from);
    char next[PERIOD_BUF] = "";
    int32_t last_run;
    struct err unparsed;
    if (from[0] && period_parse(from, &last_run, &unparsed) == ERR_OK)
        period_format(last_run + 1, next, sizeof next);
    db_bind_text(st, ":next", next);
    db_bind_text(st, ":through", per);
    if ((rc = db_exec(b, st, e)) != ERR_OK)
        goto fail;
    /* An entry per contract and month; when its obligations' changes cancel out there is no
     * entry to carry them, so each obligation gets its own and every posting still names the
     * entry that made it. Numbered in the order of the contracts, months and obligations. */
    st = db_prepare(
        b, "INSERT INTO temp.recognize_entries (n, contract_id, customer_id, code, currency,"
           " period, obligation_id, total) SELECT row_number() OVER (ORDER BY contract_id, period,"
           " coalesce(obligation_id, 0)), * FROM (SELECT contract_id, customer_id, code, currency,"
           " period, NULL AS obligation_id, sum(delta) AS total FROM temp.recognize_deltas GROUP"
           " BY contract_id, period HAVING sum(delta) <> 0 UNION ALL SELECT d.contract_id,"
           " d.customer_id, d.code, d.currency, d.period, d.obligation_id, d.delta FROM"
           " temp.recognize_deltas d JOIN (SELECT contract_id, period FROM temp.recognize_deltas"
           " GROUP BY contract_id, period HAVING sum(delta) = 0) z ON z.contract_id ="
           " d.contract_id AND z.period = d.period)");
    if ((rc = db_exec(b, st, e)) != ERR_OK || (rc = posting_days(b, e)) != ERR_OK)
        goto fail;
    st = db_prepare(b, "SELECT (SELECT count(*) FROM temp.recognize_entries), (SELECT count(*)"
                       " FROM temp.recognize_deltas), (SELECT count(DISTINCT contract_id) FROM"
                       " temp.recognize_deltas), (SELECT coalesce(max(id), 0) FROM"
                       " journal_entries)");
    if (db_step(b, st, e) != SQLITE_ROW) {
        rc = e->code;
        goto fail;
    }
    out->entries = (int)db_col_int(st, 0);
    out->postings = db_col_int(st, 1);
    out->contracts = (int)db_col_int(st, 2);
    int64_t base = db_col_int(st, 3);
    sqlite3_reset(st);
    /* What follows is four statements; SQLite asks from inside them whether to stop. */
    if (out->entries > 0 && book_progress(b, "recognize", 0, (uint64_t)out->entries)) {
        rc = err_set(e, ERR_CANCELLED, "recognition cancelled; nothing was posted");
        goto fail;
    }
    /* The entries after the journal's last, open; their lines, debit first (deferred revenue
     * for revenue earned, revenue for revenue given back); then each is posted. */
    char at[32];
    st = db_prepare(b, "INSERT INTO journal_entries (id, entry_date, kind, currency, memo,"
                       " source_type, source_id, customer_id, posted, open_guard, created_by,"
                       " created_at) SELECT :base + x.n, y.entry_date, 'recognition', x.currency,"
                       " 'revenue recognized for ' || x.code || ' in ' || x.period || CASE WHEN"
                       " y.booked IS NULL THEN '' ELSE ' (closed), booked in ' || y.booked END,"
                       " 'contract', x.contract_id, x.customer_id, 0, 1, :by, :at FROM"
                       " temp.recognize_entries x JOIN temp.recognize_days y ON y.period ="
                       " x.period ORDER BY x.n");
    db_bind_int(st, ":base", base);
    db_bind_text(st, ":by", book_user(b));
    db_bind_text(st, ":at", book_timestamp(b, at, sizeof at));
    if ((rc = db_exec(b, st, e)) != ERR_OK)
        goto fail;
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
        goto fail;
    st = db_prepare(b, "UPDATE journal_entries SET posted = 1, open_guard = NULL WHERE id > :base");
    db_bind_int(st, ":base", base);
    if ((rc = db_exec(b, st, e)) != ERR_OK)
        goto fail;
    st = db_prepare(b, "INSERT INTO recognition_postings (entry_id, obligation_id, period, version,"
                       " amount) SELECT :base + x.n, d.obligation_id, d.period, d.version, d.delta"
                       " FROM temp.recognize_deltas d JOIN temp.recognize_entries x ON"
                       " x.contract_id = d.contract_id AND x.period = d.period AND"
                       " (x.obligation_id IS NULL OR x.obligation_id = d.obligation_id) ORDER BY"
                       " x.n, d.obligation_id");
    db_bind_int(st, ":base", base);
    if ((rc = db_exec(b, st, e)) != ERR_OK || (rc = work_tables(b, e)) != ERR_OK)
        goto fail;
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
    return book_commit(b, e);
fail:
    book_rollback(b);
    return rc;
}
