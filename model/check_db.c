/*
 * check_db.c — the tie-outs of check.h, as queries over the book. A failing check lists the
 * first few offenders with their figures (amounts in the currency's minor-unit notation).
 */
#include "model/check.h"

#include <pthread.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "model/close.h"
#include "model/date.h"
#include "model/db.h"
#include "model/money.h"
#include "model/xalloc.h"

#define MAX_NAMED 5 /* offenders named per failing check */

static struct check_item *item(struct check_report *r, const char *name)
{
    r->v = xgrow(r->v, &r->cap, r->n + 1, sizeof *r->v);
    struct check_item *it = &r->v[r->n++];
    memset(it, 0, sizeof *it);
    snprintf(it->name, sizeof it->name, "%s", name);
    it->passed = true;
    return it;
}

static void detail(struct check_item *it, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
static void detail(struct check_item *it, const char *fmt, ...)
{
    size_t n = strlen(it->detail);
    if (n + 2 >= sizeof it->detail)
        return;
    if (n) {
        memcpy(it->detail + n, "; ", 3);
        n += 2;
    }
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(it->detail + n, sizeof it->detail - n, fmt, ap);
    va_end(ap);
}

static const char *fmt_amount(int64_t v, int exponent, char *buf)
{
    return money_format(money_of(v), exponent < 0 ? 2 : exponent, MONEY_GROUP, buf, MONEY_BUF);
}

/* Runs a query whose rows are offenders: (label, currency exponent, left, right). */
static int offenders(struct book *b, struct check_item *it, const char *sql, const char *left,
                     const char *right, struct err *e)
{
    sqlite3_stmt *st = db_prepare(b, sql);
    int rc, count = 0;
    while ((rc = db_step(b, st, e)) == SQLITE_ROW) {
        it->passed = false;
        if (count++ < MAX_NAMED) {
            char l[MONEY_BUF], r[MONEY_BUF];
            int x = (int)db_col_int(st, 1);
            detail(it, "%s: %s %s, %s %s", db_col_text(st, 0), left,
                   fmt_amount(db_col_int(st, 2), x, l), right, fmt_amount(db_col_int(st, 3), x, r));
        }
    }
    if (rc < 0)
        return e->code;
    if (count > MAX_NAMED)
        detail(it, "and %d more", count - MAX_NAMED);
    return ERR_OK;
}

static int count_of(struct book *b, const char *sql, int64_t *out, struct err *e)
{
    sqlite3_stmt *st = db_prepare(b, sql);
    int rc = db_step(b, st, e);
    if (rc < 0)
        return e->code;
    *out = rc == SQLITE_ROW ? db_col_int(st, 0) : 0;
    sqlite3_reset(st);
    return ERR_OK;
}

static int sqlite_checks(struct book *b, struct check_report *r, struct err *e)
{
    struct check_item *it = item(r, "SQLite integrity_check is clean");
    sqlite3_stmt *st = db_prepare(b, "PRAGMA integrity_check");
    int rc;
    while ((rc = db_step(b, st, e)) == SQLITE_ROW) {
        if (strcmp(db_col_text(st, 0), "ok") != 0) {
            it->passed = false;
            detail(it, "%s", db_col_text(st, 0));
        }
    }
    if (rc < 0)
        return e->code;
    it = item(r, "SQLite foreign_key_check is clean");
    st = db_prepare(b, "PRAGMA foreign_key_check");
    while ((rc = db_step(b, st, e)) == SQLITE_ROW) {
        it->passed = false;
        detail(it, "%s row %lld refers to a missing %s", db_col_text(st, 0),
               (long long)db_col_int(st, 1), db_col_text(st, 2));
    }
    return rc < 0 ? e->code : ERR_OK;
}

/* A month's lines, or what a closed month kept, for one account and currency. */
struct month_total {
    char period[8], account[16], currency[4];
    int exponent;
    int64_t debit, credit;
};

static int month_totals(struct book *b, const char *sql, struct month_total **out, size_t *n,
                        struct err *e)
{
    size_t cap = 0;
    *out = NULL;
    *n = 0;
    sqlite3_stmt *st = db_prepare(b, sql);
    int rc;
    while ((rc = db_step(b, st, e)) == SQLITE_ROW) {
        *out = xgrow(*out, &cap, *n + 1, sizeof **out);
        struct month_total *t = &(*out)[(*n)++];
        db_col_copy(st, 0, t->period, sizeof t->period);
        db_col_copy(st, 1, t->account, sizeof t->account);
        db_col_copy(st, 2, t->currency, sizeof t->currency);
        t->exponent = (int)db_col_int(st, 3);
        t->debit = db_col_int(st, 4);
        t->credit = db_col_int(st, 5);
    }
    return rc < 0 ? e->code : ERR_OK;
}

static int month_order(const struct month_total *a, const struct month_total *b)
{
    int c = strcmp(a->period, b->period);
    if (!c)
        c = strcmp(a->account, b->account);
    return c ? c : strcmp(a->currency, b->currency);
}

static int currency_order(const void *a, const void *b)
{
    return strcmp(((const struct month_total *)a)->currency,
                  ((const struct month_total *)b)->currency);
}

/* One pass over the journal, each month's lines by account and currency (in that order), for
 * two checks: the trial balance adds them up by currency, and each closed month's are what it
 * kept (period_balances, read for the balances through a day). */
static int ledger_totals_checks(struct book *b, struct check_report *r, struct err *e)
{
    struct month_total *lines = NULL, *kept = NULL;
    size_t nlines = 0, nkept = 0;
    int rc = month_totals(b,
                          "SELECT substr(e.entry_date, 1, 7), l.account, e.currency, cur.exponent,"
                          " sum(l.debit), sum(l.credit) FROM journal_lines l JOIN journal_entries"
                          " e ON e.id = l.entry_id JOIN currencies cur ON cur.code = e.currency"
                          " GROUP BY 1, 2, 3 ORDER BY 1, 2, 3",
                          &lines, &nlines, e);
    if (rc == ERR_OK)
        rc = month_totals(b,
                          "SELECT p.period, p.account, p.currency, cur.exponent, p.debit,"
                          " p.credit FROM period_balances p JOIN currencies cur ON cur.code ="
                          " p.currency ORDER BY 1, 2, 3",
                          &kept, &nkept, e);
    if (rc != ERR_OK)
        goto out;

    struct check_item *it = item(r, "the trial balance is zero in each currency");
    struct month_total *cur = xcalloc(nlines + 1, sizeof *cur);
    size_t ncur = 0;
    for (size_t i = 0; i < nlines; i++) {
        size_t k = 0;
        while (k < ncur && strcmp(cur[k].currency, lines[i].currency) != 0)
            k++;
        if (k == ncur) {
            snprintf(cur[ncur].currency, sizeof cur[ncur].currency, "%s", lines[i].currency);
            cur[ncur++].exponent = lines[i].exponent;
        }
        cur[k].debit += lines[i].debit;
        cur[k].credit += lines[i].credit;
    }
    qsort(cur, ncur, sizeof *cur, currency_order);
    int named = 0;
    for (size_t k = 0; k < ncur; k++)
        if (cur[k].debit != cur[k].credit && named++ < MAX_NAMED) {
            char l[MONEY_BUF], rr[MONEY_BUF];
            it->passed = false;
            detail(it, "%s: debits %s, credits %s", cur[k].currency,
                   fmt_amount(cur[k].debit, cur[k].exponent, l),
                   fmt_amount(cur[k].credit, cur[k].exponent, rr));
        }
    if (named > MAX_NAMED)
        detail(it, "and %d more", named - MAX_NAMED);
    free(cur);

    /* The closed months are those in periods, one after another: every line of theirs is kept. */
    it = item(r, "each closed month's totals equal its journal lines");
    named = 0;
    size_t i = 0, k = 0;
    while (i < nlines || k < nkept) {
        int c = i == nlines ? 1 : k == nkept ? -1 : month_order(&lines[i], &kept[k]);
        const struct month_total *t = c <= 0 ? &lines[i] : &kept[k];
        int64_t dr = c <= 0 ? t->debit : 0, cr = c <= 0 ? t->credit : 0;
        int64_t kdr = c >= 0 ? kept[k].debit : 0, kcr = c >= 0 ? kept[k].credit : 0;
        bool closed = c >= 0;
        if (c < 0) { /* lines nothing kept: off only if the month is closed */
            int32_t p;
            struct err ignore;
            closed = period_parse(t->period, &p, &ignore) == ERR_OK && period_is_closed(b, p);
        }
        if (closed && (dr != kdr || cr != kcr) && named++ < MAX_NAMED) {
            char l[MONEY_BUF], rr[MONEY_BUF];
            it->passed = false;
            detail(it, "%s, account %s, %s: kept %s, lines %s", t->period, t->account, t->currency,
                   fmt_amount(kdr - kcr, t->exponent, l), fmt_amount(dr - cr, t->exponent, rr));
        }
        if (c <= 0)
            i++;
        if (c >= 0)
            k++;
    }
    if (named > MAX_NAMED)
        detail(it, "and %d more", named - MAX_NAMED);
out:
    free(lines);
    free(kept);
    return rc;
}

static int journal_checks(struct book *b, struct check_report *r, struct err *e)
{
    int64_t entries = 0, unposted = 0;
    if (count_of(b, "SELECT count(*) FROM journal_entries", &entries, e) != ERR_OK ||
        count_of(b, "SELECT count(*) FROM journal_entries WHERE posted = 0", &unposted, e) !=
            ERR_OK)
        return e->code;
    struct check_item *it = item(r, "every journal entry balances");
    if (unposted) {
        it->passed = false;
        detail(it, "%lld entries were never posted", (long long)unposted);
    }
    int rc = offenders(
        b, it,
        "SELECT 'entry ' || e.id || ' (' || e.kind || ', ' || e.entry_date || ')', cur.exponent,"
        " coalesce(sum(l.debit), 0), coalesce(sum(l.credit), 0) FROM journal_entries e JOIN"
        " currencies cur ON cur.code = e.currency LEFT JOIN journal_lines l ON l.entry_id = e.id"
        " GROUP BY e.id HAVING coalesce(sum(l.debit), 0) <> coalesce(sum(l.credit), 0)"
        " OR count(l.id) < 2 ORDER BY e.id",
        "debits", "credits", e);
    if (rc != ERR_OK)
        return rc;
    if (it->passed)
        detail(it, "%lld entries", (long long)entries);

    return ledger_totals_checks(b, r, e);
}

static int subledger_checks(struct book *b, struct check_report *r, struct err *e)
{
    /* What the issued invoices still ask for (invoice_balances), added up by customer over the
     * invoices and each kind of settlement: four searches per invoice read the book at random. */
    struct check_item *it = item(r, "receivables tie to open invoices");
    int rc = offenders(
        b, it,
        "WITH gl AS (SELECT l.customer_id AS id, sum(l.debit) - sum(l.credit) AS bal FROM"
        " journal_lines l JOIN accounts a ON a.code = l.account WHERE a.role = 'receivable'"
        " GROUP BY l.customer_id), sub AS (SELECT id, sum(amt) AS bal FROM (SELECT customer_id"
        " AS id, total AS amt FROM invoices WHERE status = 'issued' UNION ALL SELECT"
        " i.customer_id, m.amount FROM credit_movements m JOIN invoices i ON i.id = m.invoice_id"
        " AND i.status = 'issued' WHERE m.kind = 'applied' UNION ALL SELECT i.customer_id,"
        " -a.amount FROM payment_applications a JOIN invoices i ON i.id = a.invoice_id AND"
        " i.status = 'issued' UNION ALL SELECT i.customer_id, -n.applied FROM credit_notes n JOIN"
        " invoices i ON i.id = n.invoice_id AND i.status = 'issued' UNION ALL SELECT"
        " i.customer_id, -d.amount FROM deposit_applications d JOIN invoices i ON i.id ="
        " d.invoice_id AND i.status = 'issued') GROUP BY id)"
        " SELECT c.code, cur.exponent, coalesce(gl.bal, 0), coalesce(sub.bal, 0) FROM customers c"
        " JOIN currencies cur ON cur.code = c.currency LEFT JOIN gl ON gl.id = c.id LEFT JOIN sub"
        " ON sub.id = c.id WHERE coalesce(gl.bal, 0) <> coalesce(sub.bal, 0) ORDER BY c.code",
        "ledger", "open invoices", e);
    if (rc != ERR_OK)
        return rc;
    int64_t orphans = 0;
    if ((rc = count_of(b,
                       "SELECT count(*) FROM journal_lines l JOIN accounts a ON a.code ="
                       " l.account WHERE a.role IN ('receivable', 'customer_credit') AND"
                       " l.customer_id IS NULL",
                       &orphans, e)) != ERR_OK)
        return rc;
    if (orphans) {
        it->passed = false;
        detail(it, "%lld receivable or credit lines name no customer", (long long)orphans);
    }

    it = item(r, "the customer-credit account ties to the credit ledger");
    rc = offenders(
        b, it,
        "WITH gl AS (SELECT l.customer_id AS id, sum(l.credit) - sum(l.debit) AS bal FROM"
        " journal_lines l JOIN accounts a ON a.code = l.account WHERE a.role = 'customer_credit'"
        " GROUP BY l.customer_id), sub AS (SELECT g.customer_id AS id, sum(b.remaining) AS bal"
        " FROM credit_grants g JOIN grant_balances b ON b.grant_id = g.id WHERE g.kind IN"
        " ('prepaid', 'refund') GROUP BY g.customer_id) SELECT c.code, cur.exponent,"
        " coalesce(gl.bal, 0), coalesce(sub.bal, 0) FROM customers c JOIN currencies cur ON"
        " cur.code = c.currency LEFT JOIN gl ON gl.id = c.id LEFT JOIN sub ON sub.id = c.id WHERE"
        " coalesce(gl.bal, 0) <> coalesce(sub.bal, 0) ORDER BY c.code",
        "ledger", "prepaid grants", e);
    if (rc != ERR_OK)
        return rc;

    it = item(r, "every credit grant is non-negative and matches its movements");
    rc = offenders(
        b, it,
        "SELECT 'grant ' || g.id || ' of ' || c.code, cur.exponent, g.amount, coalesce((SELECT"
        " m.amount FROM credit_movements m WHERE m.grant_id = g.id AND m.kind = 'granted'), 0)"
        " FROM credit_grants g JOIN customers c ON c.id = g.customer_id JOIN currencies cur ON"
        " cur.code = c.currency WHERE g.amount IS NOT (SELECT m.amount FROM credit_movements m"
        " WHERE m.grant_id = g.id AND m.kind = 'granted') UNION ALL SELECT 'grant ' || g.id || '"
        " of ' || c.code || ' is below zero', cur.exponent, b.remaining, 0 FROM credit_grants g"
        " JOIN grant_balances b ON b.grant_id = g.id JOIN customers c ON c.id = g.customer_id"
        " JOIN currencies cur ON cur.code = c.currency WHERE b.remaining < 0",
        "granted", "its granted movement", e);
    if (rc != ERR_OK)
        return rc;

    it = item(r, "invoices add up and are not settled beyond their totals");
    rc = offenders(
        b, it,
        "SELECT i.number, cur.exponent, i.total, (SELECT coalesce(sum(amount), 0) FROM"
        " invoice_lines WHERE invoice_id = i.id) FROM invoices i JOIN customers c ON c.id ="
        " i.customer_id JOIN currencies cur ON cur.code = c.currency WHERE i.total <> (SELECT"
        " coalesce(sum(amount), 0) FROM invoice_lines WHERE invoice_id = i.id) UNION ALL SELECT"
        " i.number || ' is settled beyond its total', cur.exponent, ib.total, ib.total - ib.open"
        " FROM invoices i JOIN invoice_balances ib ON ib.invoice_id = i.id JOIN customers c ON"
        " c.id = i.customer_id JOIN currencies cur ON cur.code = c.currency WHERE ib.open < 0",
        "total", "lines or settlements", e);
    if (rc != ERR_OK)
        return rc;

    /* Grants and deposits are added up by payment once: neither is indexed by its payment, and
     * a sum per payment read every grant and every deposit for each. */
    it = item(r, "each payment is applied, held as credit or as a deposit, exactly");
    return offenders(
        b, it,
        "WITH g AS (SELECT payment_id AS id, sum(amount) AS amt FROM credit_grants WHERE"
        " payment_id IS NOT NULL GROUP BY payment_id), d AS (SELECT payment_id AS id, sum(amount)"
        " AS amt FROM deposits GROUP BY payment_id) SELECT p.number, cur.exponent, p.amount,"
        " coalesce((SELECT sum(a.amount) FROM payment_applications a WHERE a.payment_id = p.id),"
        " 0) + coalesce(g.amt, 0) + coalesce(d.amt, 0) AS held FROM payments p JOIN customers c"
        " ON c.id = p.customer_id JOIN currencies cur ON cur.code = c.currency LEFT JOIN g ON"
        " g.id = p.id LEFT JOIN d ON d.id = p.id WHERE p.amount <> held ORDER BY p.id",
        "received", "applied, held as credit or as a deposit", e);
}

static int contract_checks(struct book *b, struct check_report *r, struct err *e)
{
    struct check_item *it = item(r, "allocations add up to each contract's transaction price");
    int rc = offenders(
        b, it,
        "SELECT k.code, cur.exponent, k.price - k.discount - k.payable + k.variable + k.modified,"
        " (SELECT"
        " coalesce(sum(o.allocated), 0) FROM obligations o WHERE o.contract_id = k.id) FROM"
        " contracts k JOIN customers c ON c.id = k.customer_id JOIN currencies cur ON cur.code ="
        " c.currency WHERE k.status <> 'draft' AND EXISTS (SELECT 1 FROM obligations o WHERE"
        " o.contract_id = k.id AND o.pattern <> 'usage') AND k.price - k.discount - k.payable +"
        " k.variable + k.modified <> (SELECT coalesce(sum(o.allocated), 0) FROM obligations o WHERE"
        " o.contract_id = k.id) ORDER BY k.code",
        "transaction price", "allocated", e);
    if (rc != ERR_OK)
        return rc;

    /* A finished plan recognizes exactly what was allocated: ratable and progress obligations
     * whose term is planned, and delivered point obligations. */
    it = item(r, "schedules add up to the allocations");
    rc = offenders(
        b, it,
        "SELECT k.code || '/' || o.seq, cur.exponent, o.allocated, (SELECT coalesce(sum(l.amount),"
        " 0) FROM schedule_lines l WHERE l.obligation_id = o.id AND l.version ="
        " o.schedule_version) AS planned FROM obligations o JOIN contracts k ON k.id ="
        " o.contract_id JOIN customers c ON c.id = k.customer_id JOIN currencies cur ON cur.code"
        " = c.currency WHERE k.status <> 'draft' AND (o.pattern = 'ratable' OR (o.pattern ="
        " 'point' AND o.delivered_on IS NOT NULL) OR (o.pattern = 'progress' AND (SELECT"
        " basis_points FROM progress_records p WHERE p.obligation_id = o.id ORDER BY on_date"
        " DESC, id DESC LIMIT 1) = 10000)) AND planned <> o.allocated ORDER BY k.code, o.seq",
        "allocated", "scheduled", e);
    if (rc != ERR_OK)
        return rc;

    it = item(r, "deferred revenue ties to billings less recognition, contract by contract");
    rc = offenders(
        b, it,
        "WITH gl AS (SELECT l.contract_id AS id, sum(l.credit) - sum(l.debit) AS bal FROM"
        " journal_lines l JOIN accounts a ON a.code = l.account WHERE a.role = 'deferred_revenue'"
        " GROUP BY l.contract_id), billed AS (SELECT id, sum(amt) AS amt FROM (SELECT"
        " l.contract_id AS id, l.amount AS amt FROM invoice_lines l JOIN invoices i ON i.id ="
        " l.invoice_id WHERE i.status = 'issued' AND l.contract_id IS NOT NULL UNION ALL SELECT"
        " m.contract_id, -n.amount FROM credit_notes n JOIN memos m ON m.id = n.memo_id) GROUP BY"
        " id), recognized AS (SELECT"
        " o.contract_id AS id, sum(p.amount) AS amt FROM recognition_postings p JOIN obligations o"
        " ON o.id = p.obligation_id GROUP BY o.contract_id) SELECT coalesce(k.code, 'no"
        " contract'), coalesce(cur.exponent, 2), coalesce(gl.bal, 0), coalesce(billed.amt, 0) -"
        " coalesce(recognized.amt, 0) FROM gl LEFT JOIN contracts k ON k.id = gl.id LEFT JOIN"
        " customers c ON c.id = k.customer_id LEFT JOIN currencies cur ON cur.code = c.currency"
        " LEFT JOIN billed ON billed.id = gl.id LEFT JOIN recognized ON recognized.id = gl.id"
        " WHERE coalesce(gl.bal, 0) <> coalesce(billed.amt, 0) - coalesce(recognized.amt, 0)"
        " UNION ALL SELECT k.code, cur.exponent, 0, billed.amt - coalesce(recognized.amt, 0) FROM"
        " billed JOIN contracts k ON k.id = billed.id JOIN customers c ON c.id = k.customer_id"
        " JOIN currencies cur ON cur.code = c.currency LEFT JOIN recognized ON recognized.id ="
        " billed.id WHERE billed.id NOT IN (SELECT id FROM gl WHERE id IS NOT NULL) AND"
        " billed.amt <> coalesce(recognized.amt, 0)",
        "ledger", "billed less recognized", e);
    if (rc != ERR_OK)
        return rc;

    it = item(r, "every recognition entry carries out schedule lines it names");
    rc = offenders(
        b, it,
        "SELECT 'entry ' || e.id, cur.exponent, (SELECT coalesce(sum(l.credit) - sum(l.debit), 0)"
        " FROM journal_lines l JOIN accounts a ON a.code = l.account WHERE l.entry_id = e.id AND"
        " a.role = 'revenue'), (SELECT coalesce(sum(p.amount), 0) FROM recognition_postings p"
        " WHERE p.entry_id = e.id) FROM journal_entries e JOIN currencies cur ON cur.code ="
        " e.currency WHERE e.kind IN ('recognition', 'modification') AND (SELECT "
        "coalesce(sum(l.credit) -"
        " sum(l.debit), 0) FROM journal_lines l JOIN accounts a ON a.code = l.account WHERE"
        " l.entry_id = e.id AND a.role = 'revenue') <> (SELECT coalesce(sum(p.amount), 0) FROM"
        " recognition_postings p WHERE p.entry_id = e.id)",
        "revenue posted", "schedule lines carried out", e);
    if (rc != ERR_OK)
        return rc;

    it = item(r, "customer deposits tie to deposits not yet applied");
    return offenders(
        b, it,
        "WITH gl AS (SELECT l.customer_id AS id, sum(l.credit) - sum(l.debit) AS bal FROM"
        " journal_lines l JOIN accounts a ON a.code = l.account WHERE a.role ="
        " 'customer_deposits' GROUP BY l.customer_id), sub AS (SELECT k.customer_id AS id,"
        " sum(d.amount - coalesce((SELECT sum(x.amount) FROM deposit_applications x WHERE"
        " x.deposit_id = d.id), 0)) AS bal FROM deposits d JOIN contracts k ON k.id ="
        " d.contract_id GROUP BY k.customer_id) SELECT c.code, cur.exponent, coalesce(gl.bal, 0),"
        " coalesce(sub.bal, 0) FROM customers c JOIN currencies cur ON cur.code = c.currency LEFT"
        " JOIN gl ON gl.id = c.id LEFT JOIN sub ON sub.id = c.id WHERE coalesce(gl.bal, 0) <>"
        " coalesce(sub.bal, 0) ORDER BY c.code",
        "ledger", "deposits unapplied", e);
}

/* The change log's hash chain, and the heads recorded when months were closed. */
static int chain_checks(struct book *b, struct check_report *r, struct err *e)
{
    struct check_item *it = item(r, "the change log's hash chain verifies");
    struct chain_status cs;
    int rc = book_chain_verify(b, &cs, e);
    if (rc != ERR_OK)
        return rc;
    if (cs.broken_id) {
        it->passed = false;
        detail(it, "row %lld %s", (long long)cs.broken_id, cs.reason);
    } else {
        detail(it, "%lld rows, head %.16s", (long long)cs.rows, cs.head);
    }
    it = item(r, "each closed month's chain head is in the change log");
    /* One pass over the log for every month's head (the hash column has no index). */
    sqlite3_stmt *st = db_prepare(b, "SELECT p.period, p.chain_head FROM periods p WHERE"
                                     " p.chain_head NOT IN (SELECT c.hash FROM change_log c WHERE"
                                     " c.hash IN (SELECT chain_head FROM periods))"
                                     " ORDER BY p.period");
    while ((rc = db_step(b, st, e)) == SQLITE_ROW) {
        it->passed = false;
        detail(it, "%s closed at head %.16s, which the change log no longer holds",
               db_col_text(st, 0), db_col_text(st, 1));
    }
    return rc < 0 ? e->code : ERR_OK;
}

/* SQLite's own checks read every page of the book and take half the time of all the checks: on
 * a book file, outside a write, they run on a second connection on a thread of their own while
 * the tie-outs run here. */
struct side_checks {
    struct book *b;
    struct check_report r;
    struct err e;
    int rc;
    atomic_bool done;
    pthread_t thread;
};

static void *side_run(void *arg)
{
    struct side_checks *s = arg;
    s->rc = book_begin_read(s->b, &s->e);
    if (s->rc == ERR_OK) {
        s->rc = sqlite_checks(s->b, &s->r, &s->e);
        book_end_read(s->b);
    }
    atomic_store(&s->done, true);
    return NULL;
}

/* Starts SQLite's checks beside b; NULL (they are to run here) when they cannot be. */
static struct side_checks *side_start(struct book *b)
{
    struct side_checks *s = xcalloc(1, sizeof *s);
    struct err ignore;
    if (book_open_again(b, &s->b, &ignore) == ERR_OK) {
        if (pthread_create(&s->thread, NULL, side_run, s) == 0)
            return s;
        book_close(s->b);
    }
    free(s);
    return NULL;
}

/* Waits for the checks beside (asking b's watcher meanwhile whether to stop, and stopping them
 * when told or when rc already failed), then puts their items first in out. */
static int side_finish(struct side_checks *s, struct book *b, struct check_report *out, int rc,
                       struct err *e)
{
    while (!atomic_load(&s->done)) {
        if (rc == ERR_OK && book_progress(b, "checking", 0, 0))
            rc = err_set(e, ERR_CANCELLED, "the checks were cancelled");
        if (rc != ERR_OK)
            book_interrupt(s->b);
        nanosleep(&(struct timespec){.tv_nsec = 20 * 1000 * 1000}, NULL);
    }
    pthread_join(s->thread, NULL);
    book_close(s->b);
    if (rc == ERR_OK && s->rc != ERR_OK) {
        *e = s->e;
        rc = s->rc;
    }
    if (rc == ERR_OK) {
        for (size_t i = 0; i < out->n; i++)
            *item(&s->r, "") = out->v[i];
        check_report_free(out);
        *out = s->r;
    } else {
        check_report_free(&s->r);
    }
    free(s);
    return rc;
}

int book_check(struct book *b, struct check_report *out, struct err *e)
{
    /* Inside the close's own transaction, the checks see what it has just posted. */
    bool own = !book_in_transaction(b);
    struct side_checks *side = own ? side_start(b) : NULL;
    int rc = own ? book_begin_read(b, e) : ERR_OK;
    static int (*const groups[])(struct book *, struct check_report *, struct err *) = {
        sqlite_checks, journal_checks, subledger_checks, contract_checks, chain_checks};
    enum { NGROUPS = sizeof groups / sizeof groups[0] };
    for (size_t i = side ? 1 : 0; rc == ERR_OK && i < NGROUPS; i++) {
        if (book_progress(b, "checking", i, NGROUPS))
            rc = err_set(e, ERR_CANCELLED, "the checks were cancelled");
        else
            rc = groups[i](b, out, e);
    }
    if (own && book_in_transaction(b))
        book_end_read(b);
    return side ? side_finish(side, b, out, rc, e) : rc;
}

bool check_report_passed(const struct check_report *r)
{
    for (size_t i = 0; i < r->n; i++)
        if (!r->v[i].passed)
            return false;
    return true;
}

void check_report_free(struct check_report *r)
{
    free(r->v);
    memset(r, 0, sizeof *r);
}
