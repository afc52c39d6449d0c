/*
 * close_db.c — closing and reopening months, and where postings for closed months land.
 */
#include "model/close.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "model/credit.h"
#include "model/date.h"
#include "model/db.h"
#include "model/posting.h"
#include "model/schedule.h"
#include "model/text.h"
#include "model/xalloc.h"

int period_first_open(struct book *b, int32_t *out, struct err *e)
{
    *out = DATE_NONE;
    sqlite3_stmt *st = db_prepare(b, "SELECT (SELECT max(period) FROM periods), (SELECT"
                                     " min(entry_date) FROM journal_entries)");
    if (db_step(b, st, e) < 0)
        return e->code;
    struct err ignore;
    int32_t p;
    if (!db_col_is_null(st, 0) && period_parse(db_col_text(st, 0), &p, &ignore) == ERR_OK)
        *out = p + 1;
    else if (!db_col_is_null(st, 1))
        *out = period_of(db_col_date(st, 1));
    sqlite3_reset(st);
    return ERR_OK;
}

bool period_is_closed(struct book *b, int32_t period)
{
    char per[PERIOD_BUF];
    sqlite3_stmt *st = db_prepare(b, "SELECT 1 FROM periods WHERE period = :p");
    db_bind_text(st, ":p", period_format(period, per, sizeof per));
    struct err e;
    bool closed = db_step(b, st, &e) == SQLITE_ROW;
    sqlite3_reset(st);
    return closed;
}

int period_last_closed(struct book *b, int32_t *out, struct err *e)
{
    *out = DATE_NONE;
    sqlite3_stmt *st = db_prepare(b, "SELECT max(period) FROM periods");
    if (db_step(b, st, e) < 0)
        return e->code;
    struct err ignore;
    if (!db_col_is_null(st, 0) && period_parse(db_col_text(st, 0), out, &ignore) != ERR_OK)
        *out = DATE_NONE;
    sqlite3_reset(st);
    return ERR_OK;
}

int32_t period_posting_day(struct book *b, int32_t day)
{
    if (day == DATE_NONE || !period_is_closed(b, period_of(day)))
        return day;
    struct err e;
    int32_t last;
    if (period_last_closed(b, &last, &e) != ERR_OK || last == DATE_NONE)
        last = period_of(day);
    return period_first_day(last + 1);
}

void close_result_free(struct close_result *r)
{
    check_report_free(&r->checks);
}

/* A name for the backup beside the book that nothing holds yet. */
static char *backup_name(struct book *b, int32_t p)
{
    char per[PERIOD_BUF];
    period_format(p, per, sizeof per);
    for (int n = 1;; n++) {
        char *path = n == 1 ? xasprintf("%s.close-%s.backup", book_path(b), per)
                            : xasprintf("%s.close-%s-%d.backup", book_path(b), per, n);
        struct stat sb;
        if (lstat(path, &sb) != 0)
            return path;
        free(path);
    }
}

static char *checks_json(const struct check_report *r)
{
    char *out = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&out, &len);
    if (!f)
        return xstrdup("[]");
    fputc('[', f);
    for (size_t i = 0; i < r->n; i++) {
        fprintf(f, "%s{\"check\":\"", i ? "," : "");
        for (const char *s = r->v[i].name; *s; s++)
            fprintf(f, *s == '"' || *s == '\\' ? "\\%c" : "%c", *s);
        fprintf(f, "\",\"passed\":%s}", r->v[i].passed ? "true" : "false");
    }
    fputc(']', f);
    fclose(f);
    return out;
}

static int close_month(struct book *b, int32_t p, int32_t today, bool dry_run, const char *backup,
                       bool checked, struct close_result *out, struct err *e)
{
    memset(out, 0, sizeof *out);
    out->period = p;
    char per[PERIOD_BUF];
    period_format(p, per, sizeof per);
    int32_t first;
    int rc = period_first_open(b, &first, e);
    if (rc != ERR_OK)
        return rc;
    if (period_is_closed(b, p))
        return err_set(e, ERR_RULE, "%s is already closed", per);
    if (first != DATE_NONE && p != first) {
        char f[PERIOD_BUF];
        return err_set(e, ERR_RULE,
                       "%s: every earlier month is closed first; the first open month"
                       " is %s",
                       per, period_format(first, f, sizeof f));
    }
    if (today != DATE_NONE && period_last_day(p) >= today)
        return err_set(e, ERR_RULE, "%s has not ended yet (today is %s)", per,
                       date_format(today, (char[DATE_BUF]){0}, DATE_BUF));
    if (!dry_run && !(backup && !*backup)) {
        char *path = backup ? xstrdup(backup) : backup_name(b, p);
        rc = book_backup(b, path, e);
        snprintf(out->backup, sizeof out->backup, "%s", path);
        free(path);
        if (rc != ERR_OK) {
            err_prefix(e, "the backup before closing %s", per);
            return rc;
        }
    }
    if ((rc = book_begin(b, e)) != ERR_OK)
        return rc;
    /* 1. Credit that expired by the month's end; 2. recognition through the month. */
    struct money total;
    if ((rc = posting_expire(b, 0, period_last_day(p), &out->expired, &total, e)) != ERR_OK)
        goto fail;
    struct recognize_result rr;
    if ((rc = recognize_through(b, p, &rr, e)) != ERR_OK)
        goto fail;
    out->entries = rr.entries;
    /* 3. Every tie-out, on the book as it now stands. */
    if (checked && (rc = book_check(b, &out->checks, e)) != ERR_OK)
        goto fail;
    if (!check_report_passed(&out->checks)) {
        size_t failed = 0;
        for (size_t i = 0; i < out->checks.n; i++)
            failed += !out->checks.v[i].passed;
        book_rollback(b);
        return err_set(e, ERR_RULE, "%s is not closed: %zu check%s failed", per, failed,
                       failed == 1 ? "" : "s");
    }
    if (dry_run) {
        book_rollback(b);
        return ERR_OK;
    }
    /* 4. The lock, with the change log's head as it stands once the close is logged. */
    char note[1200];
    /* The backup by its name when it sits beside the book (the log reads the same wherever the
     * book is kept), by its path otherwise. */
    const char *shown = out->backup[0] ? out->backup : "none taken";
    const char *slash = strrchr(out->backup, '/'), *bslash = strrchr(book_path(b), '/');
    size_t dir = slash ? (size_t)(slash - out->backup) : 0;
    if ((!slash && !bslash) || (slash && bslash && dir == (size_t)(bslash - book_path(b)) &&
                                strncmp(out->backup, book_path(b), dir) == 0))
        shown = slash ? slash + 1 : out->backup;
    snprintf(note, sizeof note, "closed %s: %d grants expired, %d recognition entries; backup %s%s",
             per, out->expired, out->entries, shown,
             checked ? "" : "; a generated book, checked once when complete");
    char at[32];
    char *json = checks_json(&out->checks);
    /* The checks have just verified the chain (a generated book's are run when it is complete),
     * so the head is the hash of the row this close logs. */
    if ((rc = db_log_note(b, "period.close", "period", note, e)) != ERR_OK ||
        (rc = book_chain_head(b, out->chain_head, e)) != ERR_OK) {
        free(json);
        goto fail;
    }
    sqlite3_stmt *st = db_prepare(b, "INSERT INTO periods (period, closed_at, closed_by,"
                                     " chain_head, backup, checks) VALUES (:p, :at, :by, :head,"
                                     " :backup, :checks)");
    db_bind_text(st, ":p", per);
    db_bind_text(st, ":at", book_timestamp(b, at, sizeof at));
    db_bind_text(st, ":by", book_user(b));
    db_bind_text(st, ":head", out->chain_head);
    db_bind_text(st, ":backup", out->backup);
    db_bind_text(st, ":checks", json);
    rc = db_exec(b, st, e);
    free(json);
    if (rc == ERR_OK) {
        /* The current part of deferred revenue at the month's end, as reported now. */
        char p1[PERIOD_BUF], p12[PERIOD_BUF];
        st = db_prepare(b, "INSERT INTO period_next12 (period, contract_id, amount) SELECT :p,"
                           " o.contract_id, sum(l.amount) FROM schedule_lines l JOIN obligations o"
                           " ON o.id = l.obligation_id AND l.version = o.schedule_version WHERE"
                           " l.period BETWEEN :p1 AND :p12 GROUP BY o.contract_id");
        db_bind_text(st, ":p", per);
        db_bind_text(st, ":p1", period_format(p + 1, p1, sizeof p1));
        db_bind_text(st, ":p12", period_format(p + 12, p12, sizeof p12));
        rc = db_exec(b, st, e);
    }
    if (rc == ERR_OK) {
        /* What the month's lines add up to, by account and currency: they can change no more. */
        st = db_prepare(b, "INSERT INTO period_balances (period, account, currency, debit, credit)"
                           " SELECT :p, l.account, e.currency, sum(l.debit), sum(l.credit) FROM"
                           " journal_entries e JOIN journal_lines l ON l.entry_id = e.id WHERE"
                           " e.entry_date BETWEEN :d0 AND :d1 GROUP BY l.account, e.currency");
        db_bind_text(st, ":p", per);
        db_bind_date(st, ":d0", period_first_day(p));
        db_bind_date(st, ":d1", period_last_day(p));
        rc = db_exec(b, st, e);
    }
    if (rc == ERR_OK) {
        st = db_prepare(b, "INSERT INTO period_events (period, action, at, user, chain_head) VALUES"
                           " (:p, 'close', :at, :by, :head)");
        db_bind_text(st, ":p", per);
        db_bind_text(st, ":at", at);
        db_bind_text(st, ":by", book_user(b));
        db_bind_text(st, ":head", out->chain_head);
        rc = db_exec(b, st, e);
    }
    if (rc != ERR_OK)
        goto fail;
    out->locked = true;
    return book_commit(b, e);
fail:
    book_rollback(b);
    return rc;
}

int period_close(struct book *b, int32_t p, int32_t today, bool dry_run, const char *backup,
                 struct close_result *out, struct err *e)
{
    return close_month(b, p, today, dry_run, backup, true, out, e);
}

int period_close_generated(struct book *b, int32_t p, int32_t today, struct close_result *out,
                           struct err *e)
{
    return close_month(b, p, today, false, "", false, out, e);
}

int period_reopen(struct book *b, int32_t p, const char *reason, struct err *e)
{
    char per[PERIOD_BUF];
    period_format(p, per, sizeof per);
    if (text_blank(reason))
        return err_set(e, ERR_INPUT, "reason: say why %s is reopened", per);
    if (!utf8_valid(reason, strlen(reason)) || text_has_control(reason, false))
        return err_set(e, ERR_INPUT, "reason: contains a control character or invalid UTF-8");
    int rc = book_begin(b, e);
    if (rc != ERR_OK)
        return rc;
    int32_t last;
    if ((rc = period_last_closed(b, &last, e)) != ERR_OK)
        goto fail;
    if (last == DATE_NONE) {
        rc = err_set(e, ERR_RULE, "no month is closed");
        goto fail;
    }
    if (last != p) {
        char l[PERIOD_BUF];
        rc = err_set(e, ERR_RULE, "%s is %s: only the last closed month (%s) can be reopened", per,
                     p < last ? "not the last closed month" : "not closed",
                     period_format(last, l, sizeof l));
        goto fail;
    }
    sqlite3_stmt *st = db_prepare(b, "DELETE FROM period_next12 WHERE period = :p");
    db_bind_text(st, ":p", per);
    if ((rc = db_exec(b, st, e)) != ERR_OK)
        goto fail;
    st = db_prepare(b, "DELETE FROM period_balances WHERE period = :p");
    db_bind_text(st, ":p", per);
    if ((rc = db_exec(b, st, e)) != ERR_OK)
        goto fail;
    st = db_prepare(b, "DELETE FROM periods WHERE period = :p");
    db_bind_text(st, ":p", per);
    if ((rc = db_exec(b, st, e)) != ERR_OK)
        goto fail;
    char note[600];
    snprintf(note, sizeof note, "reopened %s: %s", per, reason);
    struct chain_status cs;
    if ((rc = db_log_note(b, "period.reopen", "period", note, e)) != ERR_OK ||
        (rc = book_chain_verify(b, &cs, e)) != ERR_OK)
        goto fail;
    char at[32];
    st = db_prepare(b, "INSERT INTO period_events (period, action, at, user, reason, chain_head)"
                       " VALUES (:p, 'reopen', :at, :by, :why, :head)");
    db_bind_text(st, ":p", per);
    db_bind_text(st, ":at", book_timestamp(b, at, sizeof at));
    db_bind_text(st, ":by", book_user(b));
    db_bind_text(st, ":why", reason);
    db_bind_text(st, ":head", cs.head);
    if ((rc = db_exec(b, st, e)) != ERR_OK)
        goto fail;
    return book_commit(b, e);
fail:
    book_rollback(b);
    return rc;
}

int period_list(struct book *b, int32_t through, struct period_rows *out, struct err *e)
{
    sqlite3_stmt *st = db_prepare(b, "SELECT min(p) FROM (SELECT min(period) AS p FROM periods"
                                     " UNION ALL SELECT substr(min(entry_date), 1, 7) FROM"
                                     " journal_entries)");
    if (db_step(b, st, e) < 0)
        return e->code;
    int32_t first = through;
    struct err ignore;
    if (!db_col_is_null(st, 0))
        period_parse(db_col_text(st, 0), &first, &ignore);
    sqlite3_reset(st);
    for (int32_t p = first; p <= through; p++) {
        out->v = xgrow(out->v, &out->cap, out->n + 1, sizeof *out->v);
        struct period_row *r = &out->v[out->n++];
        memset(r, 0, sizeof *r);
        r->period = p;
        char per[PERIOD_BUF];
        st = db_prepare(b, "SELECT p.closed_at, p.closed_by, p.chain_head, coalesce(p.backup, ''),"
                           " (SELECT count(*) FROM period_events v WHERE v.period = :p AND v.action"
                           " = 'reopen') FROM (SELECT :p AS period) x LEFT JOIN periods p ON"
                           " p.period = x.period");
        db_bind_text(st, ":p", period_format(p, per, sizeof per));
        if (db_step(b, st, e) < 0)
            return e->code;
        r->closed = !db_col_is_null(st, 0);
        if (r->closed) {
            db_col_copy(st, 0, r->closed_at, sizeof r->closed_at);
            db_col_copy(st, 1, r->closed_by, sizeof r->closed_by);
            db_col_copy(st, 2, r->chain_head, sizeof r->chain_head);
            db_col_copy(st, 3, r->backup, sizeof r->backup);
        }
        r->reopened = (int)db_col_int(st, 4);
        sqlite3_reset(st);
    }
    return ERR_OK;
}

void period_rows_free(struct period_rows *r)
{
    free(r->v);
    memset(r, 0, sizeof *r);
}
