/*
 * credit_db.c — the credit ledger in the book: grants, expiry, application to invoices, refunds
 * and adjustments, each with its movements, journal entry and change log in one transaction.
 *
 * Journal entries (ACCOUNTING.md §3):
 *   prepaid grant          Cash / Customer credit balances
 *   refund grant           Sales discounts and credits / Customer credit balances
 *   paid credit applied    Customer credit balances / Accounts receivable
 *   free credit applied    Sales discounts and credits / Accounts receivable
 *   paid credit expires    Customer credit balances / Credit breakage income
 *   paid credit refunded   Customer credit balances / Cash
 *   paid credit adjusted   Sales discounts and credits against Customer credit balances
 * Free credit (promotional, goodwill) is a promise of a discount: granting, expiring or
 * adjusting it posts nothing.
 */
#include "model/credit.h"

#include "model/close.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "model/date.h"
#include "model/db.h"
#include "model/journal.h"
#include "model/posting.h"
#include "model/text.h"
#include "model/xalloc.h"

static enum credit_kind kind_of(const char *s)
{
    enum credit_kind k = CREDIT_PREPAID;
    struct err e;
    credit_kind_parse(s, &k, &e);
    return k;
}

/*
 * The customer's grants with their remaining amount: at the end of as_of, or counting every
 * movement when as_of is DATE_NONE (what is usable now).
 */
static int load_grants(struct book *b, int64_t customer_id, int32_t as_of,
                       struct credit_grants *out, struct err *e)
{
    sqlite3_stmt *st = db_prepare(
        b, "SELECT g.id, g.customer_id, g.kind, g.amount, g.granted_on, g.expires_on, g.reason,"
           " g.granted_by, coalesce((SELECT sum(m.amount) FROM credit_movements m WHERE"
           " m.grant_id = g.id AND (:d IS NULL OR m.on_date <= :d)), 0), EXISTS (SELECT 1 FROM"
           " credit_movements m WHERE m.grant_id = g.id AND m.kind = 'expired' AND (:d IS NULL OR"
           " m.on_date <= :d)) FROM credit_grants g WHERE g.customer_id = :customer AND (:d IS"
           " NULL OR g.granted_on <= :d) ORDER BY g.granted_on, g.id");
    db_bind_int(st, ":customer", customer_id);
    db_bind_date(st, ":d", as_of);
    int rc;
    while ((rc = db_step(b, st, e)) == SQLITE_ROW) {
        out->v = xgrow(out->v, &out->cap, out->n + 1, sizeof *out->v);
        struct credit_grant *g = &out->v[out->n++];
        memset(g, 0, sizeof *g);
        g->id = db_col_int(st, 0);
        g->customer_id = db_col_int(st, 1);
        g->kind = kind_of(db_col_text(st, 2));
        g->amount = db_col_money(st, 3);
        g->granted_on = db_col_date(st, 4);
        g->expires_on = db_col_date(st, 5);
        db_col_copy(st, 6, g->reason, sizeof g->reason);
        db_col_copy(st, 7, g->granted_by, sizeof g->granted_by);
        g->remaining = db_col_money(st, 8);
        g->expired = db_col_int(st, 9) != 0;
    }
    return rc < 0 ? e->code : ERR_OK;
}

int credit_grants_load(struct book *b, int64_t customer_id, int32_t as_of,
                       struct credit_grants *out, struct err *e)
{
    return load_grants(b, customer_id, as_of, out, e);
}

void credit_grants_free(struct credit_grants *g)
{
    free(g->v);
    memset(g, 0, sizeof *g);
}

static int insert_movement(struct book *b, int64_t grant_id, const char *kind, struct money amount,
                           int32_t day, int64_t invoice_id, const char *reason, struct err *e)
{
    if (period_is_closed(b, period_of(day))) {
        char d[DATE_BUF], first[DATE_BUF];
        return err_set(e, ERR_RULE,
                       "date: %.7s is closed: no credit can move on %s; date it on or after %s, in"
                       " the first open month (or reopen the month with a reason)",
                       date_format(day, d, sizeof d), d,
                       date_format(period_posting_day(b, day), first, sizeof first));
    }
    char at[32];
    sqlite3_stmt *st =
        db_prepare(b, "INSERT INTO credit_movements (grant_id, kind, amount, on_date,"
                      " invoice_id, reason, by_user, created_at) VALUES (:grant,"
                      " :kind, :amount, :day, :invoice, :reason, :by, :at)");
    db_bind_int(st, ":grant", grant_id);
    db_bind_text(st, ":kind", kind);
    db_bind_money(st, ":amount", amount);
    db_bind_date(st, ":day", day);
    if (invoice_id)
        db_bind_int(st, ":invoice", invoice_id);
    db_bind_text(st, ":reason", reason);
    db_bind_text(st, ":by", book_user(b));
    db_bind_text(st, ":at", book_timestamp(b, at, sizeof at));
    return db_exec(b, st, e);
}

int posting_grant(struct book *b, const struct customer *c, enum credit_kind kind,
                  struct money amount, int32_t granted_on, int32_t expires_on, const char *reason,
                  int64_t payment_id, int64_t credit_note_id, int64_t *grant_id, struct err *e)
{
    char at[32];
    sqlite3_stmt *st = db_prepare(
        b, "INSERT INTO credit_grants (customer_id, kind, amount, granted_on, expires_on, reason,"
           " payment_id, credit_note_id, granted_by, created_at) VALUES (:customer, :kind, :amount,"
           " :granted, :expires, :reason, :payment, :note, :by, :at)");
    db_bind_int(st, ":customer", c->id);
    db_bind_text(st, ":kind", credit_kind_name(kind));
    db_bind_money(st, ":amount", amount);
    db_bind_date(st, ":granted", granted_on);
    db_bind_date(st, ":expires", expires_on);
    db_bind_text(st, ":reason", reason);
    if (payment_id)
        db_bind_int(st, ":payment", payment_id);
    if (credit_note_id)
        db_bind_int(st, ":note", credit_note_id);
    db_bind_text(st, ":by", book_user(b));
    db_bind_text(st, ":at", book_timestamp(b, at, sizeof at));
    int rc = db_exec(b, st, e);
    if (rc != ERR_OK)
        return rc;
    *grant_id = db_last_id(b);
    if ((rc = insert_movement(b, *grant_id, "granted", amount, granted_on, 0, reason, e)) != ERR_OK)
        return rc;
    return db_log(b, "credit.grant", "credit_grant", *grant_id, NULL, e);
}

static int validate_reason(const char *reason, struct err *e)
{
    if (text_blank(reason))
        return err_set(e, ERR_INPUT, "reason: is empty (say why)");
    if (!utf8_valid(reason, strlen(reason)) || text_has_control(reason, false))
        return err_set(e, ERR_INPUT, "reason: contains a control character or invalid UTF-8");
    if (strlen(reason) > TEXT_SHORT_MAX) /* what a grant and a movement record keep */
        return err_set(e, ERR_INPUT, "reason: is longer than %d bytes", TEXT_SHORT_MAX);
    return ERR_OK;
}

int credit_grant(struct book *b, const struct grant_input *in, int64_t *grant_id, struct err *e)
{
    if (in->amount.minor <= 0)
        return err_set(e, ERR_INPUT, "amount: must be more than zero");
    if (in->expires_on != DATE_NONE && in->expires_on < in->granted_on)
        return err_set(e, ERR_INPUT, "expires: is before the grant date");
    if (validate_reason(in->reason, e) != ERR_OK)
        return e->code;
    struct customer c;
    if (customer_find(b, in->customer, &c, e) != ERR_OK)
        return e->code;
    int rc = book_begin(b, e);
    if (rc != ERR_OK)
        goto out;
    if ((rc = posting_grant(b, &c, in->kind, in->amount, in->granted_on, in->expires_on, in->reason,
                            0, 0, grant_id, e)) != ERR_OK)
        goto fail;
    if (credit_kind_is_paid(in->kind)) {
        char memo[320];
        snprintf(memo, sizeof memo, "%s credit granted to %s: %s", credit_kind_name(in->kind),
                 c.code, in->reason);
        struct journal_entry je;
        journal_init(&je, "credit_grant", in->granted_on, c.currency, memo, "credit_grant",
                     *grant_id, c.id);
        /* Prepaid credit is cash received in advance; a refund grant is a concession the
         * company now owes the customer. */
        journal_debit(&je, in->kind == CREDIT_PREPAID ? "cash" : "discounts", in->amount, 0);
        journal_credit(&je, "customer_credit", in->amount, 0);
        int64_t entry;
        if ((rc = journal_post(b, &je, &entry, e)) != ERR_OK)
            goto fail;
    }
    rc = book_commit(b, e);
    goto out;
fail:
    book_rollback(b);
out:
    customer_clear(&c);
    return rc;
}

/* Expires one grant's remaining credit, dated the day after its expiry date. */
static int expire_grant(struct book *b, const struct credit_grant *g, const char *currency,
                        const char *customer_code, struct err *e)
{
    int32_t day = credit_expiry_day(g);
    char expires[DATE_BUF], reason[160];
    snprintf(reason, sizeof reason, "expired: the grant could be used until %s",
             date_format(g->expires_on, expires, sizeof expires));
    char *before = db_snapshot(b, "credit_grant", g->id);
    int rc = insert_movement(b, g->id, "expired", money_of(-g->remaining.minor), day, 0, reason, e);
    if (rc == ERR_OK && credit_kind_is_paid(g->kind)) {
        char memo[200];
        snprintf(memo, sizeof memo, "credit expired for %s (grant %lld)", customer_code,
                 (long long)g->id);
        struct journal_entry je;
        journal_init(&je, "credit_expire", day, currency, memo, "credit_grant", g->id,
                     g->customer_id);
        journal_debit(&je, "customer_credit", g->remaining, 0);
        journal_credit(&je, "breakage", g->remaining, 0);
        int64_t entry;
        rc = journal_post(b, &je, &entry, e);
    }
    if (rc == ERR_OK)
        rc = db_log(b, "credit.expire", "credit_grant", g->id, before, e);
    free(before);
    return rc;
}

int posting_expire(struct book *b, int64_t customer_id, int32_t as_of, int *count,
                   struct money *total, struct err *e)
{
    /* Collect first: the statement is reused by the writes below. */
    struct {
        struct credit_grant g;
        char currency[4];
        char code[CODE_MAX + 1];
    } *due = NULL;
    size_t n = 0, cap = 0;
    sqlite3_stmt *st = db_prepare(
        b, "SELECT g.id, g.customer_id, g.kind, g.expires_on, c.currency, c.code,"
           " (SELECT sum(m.amount) FROM credit_movements m WHERE m.grant_id = g.id) AS remaining"
           " FROM credit_grants g JOIN customers c ON c.id = g.customer_id"
           " WHERE g.expires_on < :asof AND (:customer = 0 OR g.customer_id = :customer)"
           " AND NOT EXISTS (SELECT 1 FROM credit_movements m WHERE m.grant_id = g.id"
           " AND m.kind = 'expired') AND remaining > 0 ORDER BY g.expires_on, g.id");
    db_bind_date(st, ":asof", as_of);
    db_bind_int(st, ":customer", customer_id);
    int rc;
    while ((rc = db_step(b, st, e)) == SQLITE_ROW) {
        due = xgrow(due, &cap, n + 1, sizeof *due);
        memset(&due[n], 0, sizeof due[n]);
        due[n].g.id = db_col_int(st, 0);
        due[n].g.customer_id = db_col_int(st, 1);
        due[n].g.kind = kind_of(db_col_text(st, 2));
        due[n].g.expires_on = db_col_date(st, 3);
        db_col_copy(st, 4, due[n].currency, sizeof due[n].currency);
        db_col_copy(st, 5, due[n].code, sizeof due[n].code);
        due[n].g.remaining = db_col_money(st, 6);
        n++;
    }
    if (rc < 0) {
        free(due);
        return e->code;
    }
    rc = ERR_OK;
    for (size_t i = 0; i < n && rc == ERR_OK; i++) {
        rc = expire_grant(b, &due[i].g, due[i].currency, due[i].code, e);
        if (rc == ERR_OK) {
            if (count)
                (*count)++;
            if (total)
                total->minor += due[i].g.remaining.minor;
        }
    }
    free(due);
    return rc;
}

int credit_expire(struct book *b, int32_t as_of, int *count, struct err *e)
{
    *count = 0;
    int rc = book_begin(b, e);
    if (rc != ERR_OK)
        return rc;
    if ((rc = posting_expire(b, 0, as_of, count, NULL, e)) != ERR_OK) {
        book_rollback(b);
        return rc;
    }
    return book_commit(b, e);
}

int posting_apply_credit(struct book *b, const struct customer *c, int64_t invoice_id,
                         const char *number, int32_t day, struct money due, struct money *paid,
                         struct money *free_credit, struct err *e)
{
    paid->minor = 0;
    free_credit->minor = 0;
    if (due.minor <= 0)
        return ERR_OK;
    struct credit_grants grants = {0};
    int rc = load_grants(b, c->id, DATE_NONE, &grants, e);
    if (rc != ERR_OK)
        return rc;
    struct credit_draw *draws = xmalloc((grants.n ? grants.n : 1) * sizeof *draws);
    size_t nd = credit_plan(grants.v, grants.n, day, due, draws);
    char reason[96];
    snprintf(reason, sizeof reason, "applied to invoice %s", number);
    for (size_t i = 0; i < nd && rc == ERR_OK; i++) {
        const struct credit_grant *g = &grants.v[draws[i].grant];
        rc = insert_movement(b, g->id, "applied", money_of(-draws[i].amount.minor), day, invoice_id,
                             reason, e);
        if (credit_kind_is_paid(g->kind))
            paid->minor += draws[i].amount.minor;
        else
            free_credit->minor += draws[i].amount.minor;
    }
    if (rc == ERR_OK && nd > 0) {
        char memo[160];
        snprintf(memo, sizeof memo, "credit applied to invoice %s", number);
        struct journal_entry je;
        journal_init(&je, "credit_apply", day, c->currency, memo, "invoice", invoice_id, c->id);
        journal_debit(&je, "customer_credit", *paid, invoice_id);
        journal_debit(&je, "discounts", *free_credit, invoice_id);
        journal_credit(&je, "receivable", money_of(paid->minor + free_credit->minor), invoice_id);
        int64_t entry;
        rc = journal_post(b, &je, &entry, e);
    }
    free(draws);
    credit_grants_free(&grants);
    return rc;
}

int credit_apply_open(struct book *b, const char *customer, int32_t day, struct money *applied,
                      struct err *e)
{
    applied->minor = 0;
    struct customer c;
    if (customer_find(b, customer, &c, e) != ERR_OK)
        return e->code;
    int rc = book_begin(b, e);
    if (rc != ERR_OK)
        goto out;
    if ((rc = posting_expire(b, c.id, day, NULL, NULL, e)) != ERR_OK)
        goto fail;
    struct {
        int64_t id;
        char number[CODE_MAX + 1];
        struct money open;
    } *open = NULL;
    size_t n = 0, cap = 0;
    sqlite3_stmt *st = db_prepare(b, "SELECT i.id, i.number, ib.open FROM invoices i JOIN"
                                     " invoice_balances ib ON ib.invoice_id = i.id WHERE"
                                     " i.customer_id = :customer AND ib.open > 0 AND i.issued_on"
                                     " <= :day ORDER BY i.issued_on, i.id");
    db_bind_int(st, ":customer", c.id);
    db_bind_date(st, ":day", day);
    int step;
    while ((step = db_step(b, st, e)) == SQLITE_ROW) {
        open = xgrow(open, &cap, n + 1, sizeof *open);
        open[n].id = db_col_int(st, 0);
        db_col_copy(st, 1, open[n].number, sizeof open[n].number);
        open[n].open = db_col_money(st, 2);
        n++;
    }
    if (step < 0) {
        free(open);
        rc = e->code;
        goto fail;
    }
    for (size_t i = 0; i < n && rc == ERR_OK; i++) {
        struct money paid, free_credit;
        char *before = db_snapshot(b, "invoice", open[i].id);
        rc = posting_apply_credit(b, &c, open[i].id, open[i].number, day, open[i].open, &paid,
                                  &free_credit, e);
        if (rc == ERR_OK && paid.minor + free_credit.minor > 0) {
            applied->minor += paid.minor + free_credit.minor;
            rc = db_log(b, "credit.apply", "invoice", open[i].id, before, e);
        }
        free(before);
    }
    free(open);
    if (rc != ERR_OK)
        goto fail;
    rc = book_commit(b, e);
    goto out;
fail:
    book_rollback(b);
out:
    customer_clear(&c);
    return rc;
}

int credit_refund(struct book *b, const char *customer, struct money amount, int32_t day,
                  const char *reason, int64_t grant_id, struct err *e)
{
    if (amount.minor <= 0)
        return err_set(e, ERR_INPUT, "amount: must be more than zero");
    if (validate_reason(reason, e) != ERR_OK)
        return e->code;
    struct customer c;
    if (customer_find(b, customer, &c, e) != ERR_OK)
        return e->code;
    struct credit_grants grants = {0};
    struct credit_draw *draws = NULL;
    int rc = book_begin(b, e);
    if (rc != ERR_OK)
        goto out;
    if ((rc = posting_expire(b, c.id, day, NULL, NULL, e)) != ERR_OK ||
        (rc = load_grants(b, c.id, DATE_NONE, &grants, e)) != ERR_OK)
        goto fail;
    /* Only the customer's own money goes back in cash: keep the paid grants (or the one named). */
    size_t m = 0;
    for (size_t i = 0; i < grants.n; i++) {
        if (grant_id && grants.v[i].id != grant_id)
            continue;
        if (grant_id && !credit_kind_is_paid(grants.v[i].kind)) {
            rc = err_set(e, ERR_RULE, "grant %lld is %s credit, which is never refunded in cash",
                         (long long)grant_id, credit_kind_name(grants.v[i].kind));
            goto fail;
        }
        if (credit_kind_is_paid(grants.v[i].kind))
            grants.v[m++] = grants.v[i];
    }
    grants.n = m;
    if (grant_id && m == 0) {
        rc = err_set(e, ERR_NOTFOUND, "customer %s has no credit grant %lld", c.code,
                     (long long)grant_id);
        goto fail;
    }
    draws = xmalloc((m ? m : 1) * sizeof *draws);
    size_t nd = credit_plan(grants.v, grants.n, day, amount, draws);
    int64_t available = 0;
    for (size_t i = 0; i < nd; i++)
        available += draws[i].amount.minor;
    if (available < amount.minor) {
        char have[MONEY_BUF], want[MONEY_BUF];
        rc = err_set(e, ERR_RULE,
                     "amount: %s asks for more than the %s of prepaid credit %s can be refunded",
                     money_format(amount, c.exponent, MONEY_GROUP, want, sizeof want),
                     money_format(money_of(available), c.exponent, MONEY_GROUP, have, sizeof have),
                     c.code);
        goto fail;
    }
    for (size_t i = 0; i < nd && rc == ERR_OK; i++) {
        const struct credit_grant *g = &grants.v[draws[i].grant];
        char *before = db_snapshot(b, "credit_grant", g->id);
        rc = insert_movement(b, g->id, "refunded", money_of(-draws[i].amount.minor), day, 0, reason,
                             e);
        if (rc == ERR_OK)
            rc = db_log(b, "credit.refund", "credit_grant", g->id, before, e);
        free(before);
    }
    if (rc != ERR_OK)
        goto fail;
    char memo[320];
    snprintf(memo, sizeof memo, "credit refunded to %s: %s", c.code, reason);
    struct journal_entry je;
    journal_init(&je, "credit_refund", day, c.currency, memo, "customer", c.id, c.id);
    journal_debit(&je, "customer_credit", amount, 0);
    journal_credit(&je, "cash", amount, 0);
    int64_t entry;
    if ((rc = journal_post(b, &je, &entry, e)) != ERR_OK)
        goto fail;
    rc = book_commit(b, e);
    goto out;
fail:
    book_rollback(b);
out:
    free(draws);
    credit_grants_free(&grants);
    customer_clear(&c);
    return rc;
}

int credit_grant_customer(struct book *b, int64_t grant_id, struct customer *out, struct err *e)
{
    memset(out, 0, sizeof *out);
    sqlite3_stmt *st = db_prepare(b, "SELECT customer_id FROM credit_grants WHERE id = :id");
    db_bind_int(st, ":id", grant_id);
    int step = db_step(b, st, e);
    if (step < 0)
        return e->code;
    if (step != SQLITE_ROW)
        return err_set(e, ERR_NOTFOUND, "no credit grant %lld", (long long)grant_id);
    int64_t customer_id = db_col_int(st, 0);
    sqlite3_reset(st);
    return customer_get(b, customer_id, out, e);
}

int credit_adjust(struct book *b, int64_t grant_id, struct money delta, int32_t day,
                  const char *reason, struct err *e)
{
    if (delta.minor == 0)
        return err_set(e, ERR_INPUT, "amount: an adjustment of zero changes nothing");
    if (validate_reason(reason, e) != ERR_OK)
        return e->code;
    struct customer c;
    if (credit_grant_customer(b, grant_id, &c, e) != ERR_OK)
        return e->code;
    struct credit_grants grants = {0};
    char *before = NULL;
    int rc = book_begin(b, e);
    if (rc != ERR_OK)
        goto out;
    if ((rc = posting_expire(b, c.id, day, NULL, NULL, e)) != ERR_OK ||
        (rc = load_grants(b, c.id, DATE_NONE, &grants, e)) != ERR_OK)
        goto fail;
    const struct credit_grant *g = NULL;
    for (size_t i = 0; i < grants.n; i++)
        if (grants.v[i].id == grant_id)
            g = &grants.v[i];
    if (!g || g->expired || day < g->granted_on ||
        (g->expires_on != DATE_NONE && day > g->expires_on)) {
        rc = err_set(e, ERR_RULE, "grant %lld is not alive on that date (granted %s, %s)",
                     (long long)grant_id, g ? "later" : "never",
                     g && g->expired ? "expired" : "or past its expiry");
        goto fail;
    }
    if (g->remaining.minor + delta.minor < 0) {
        char have[MONEY_BUF];
        rc = err_set(e, ERR_RULE, "amount: the grant holds only %s; it cannot go below zero",
                     money_format(g->remaining, c.exponent, MONEY_GROUP, have, sizeof have));
        goto fail;
    }
    before = db_snapshot(b, "credit_grant", grant_id);
    if ((rc = insert_movement(b, grant_id, "adjusted", delta, day, 0, reason, e)) != ERR_OK)
        goto fail;
    if (credit_kind_is_paid(g->kind)) {
        char memo[320];
        snprintf(memo, sizeof memo, "credit adjusted for %s (grant %lld): %s", c.code,
                 (long long)grant_id, reason);
        struct journal_entry je;
        journal_init(&je, "credit_adjust", day, c.currency, memo, "credit_grant", grant_id, c.id);
        struct money abs = money_of(delta.minor < 0 ? -delta.minor : delta.minor);
        if (delta.minor > 0) {
            journal_debit(&je, "discounts", abs, 0);
            journal_credit(&je, "customer_credit", abs, 0);
        } else {
            journal_debit(&je, "customer_credit", abs, 0);
            journal_credit(&je, "discounts", abs, 0);
        }
        int64_t entry;
        if ((rc = journal_post(b, &je, &entry, e)) != ERR_OK)
            goto fail;
    }
    if ((rc = db_log(b, "credit.adjust", "credit_grant", grant_id, before, e)) != ERR_OK)
        goto fail;
    rc = book_commit(b, e);
    goto out;
fail:
    book_rollback(b);
out:
    free(before);
    credit_grants_free(&grants);
    customer_clear(&c);
    return rc;
}

static enum movement_kind movement_of(const char *s)
{
    for (int k = MOVE_GRANTED; k <= MOVE_ADJUSTED; k++)
        if (strcmp(s, movement_kind_name((enum movement_kind)k)) == 0)
            return (enum movement_kind)k;
    return MOVE_ADJUSTED;
}

int credit_movements_load(struct book *b, int64_t customer_id, int64_t grant_id,
                          struct credit_movements *out, struct err *e)
{
    sqlite3_stmt *st = db_prepare(
        b, "SELECT m.id, m.grant_id, g.kind, m.kind, m.amount, m.on_date, coalesce(i.number, ''),"
           " m.reason, m.by_user, m.created_at FROM credit_movements m JOIN credit_grants g ON"
           " g.id = m.grant_id LEFT JOIN invoices i ON i.id = m.invoice_id WHERE"
           " g.customer_id = :customer AND (:grant = 0 OR m.grant_id = :grant)"
           " ORDER BY m.on_date, m.id");
    db_bind_int(st, ":customer", customer_id);
    db_bind_int(st, ":grant", grant_id);
    int rc;
    while ((rc = db_step(b, st, e)) == SQLITE_ROW) {
        out->v = xgrow(out->v, &out->cap, out->n + 1, sizeof *out->v);
        struct credit_movement *m = &out->v[out->n++];
        memset(m, 0, sizeof *m);
        m->id = db_col_int(st, 0);
        m->grant_id = db_col_int(st, 1);
        m->grant_kind = kind_of(db_col_text(st, 2));
        m->kind = movement_of(db_col_text(st, 3));
        m->amount = db_col_money(st, 4);
        m->on_date = db_col_date(st, 5);
        db_col_copy(st, 6, m->invoice, sizeof m->invoice);
        db_col_copy(st, 7, m->reason, sizeof m->reason);
        db_col_copy(st, 8, m->by, sizeof m->by);
        db_col_copy(st, 9, m->created_at, sizeof m->created_at);
    }
    return rc < 0 ? e->code : ERR_OK;
}

void credit_movements_free(struct credit_movements *m)
{
    free(m->v);
    memset(m, 0, sizeof *m);
}

int credit_expiring_load(struct book *b, int32_t from, int32_t to, struct credit_expiring_list *out,
                         struct err *e)
{
    sqlite3_stmt *st = db_prepare(
        b, "SELECT c.code, c.name, c.currency, cur.exponent, g.id, g.kind, g.amount, g.granted_on,"
           " g.expires_on, g.reason, g.granted_by, (SELECT sum(m.amount) FROM credit_movements m"
           " WHERE m.grant_id = g.id) AS remaining FROM credit_grants g JOIN customers c ON c.id ="
           " g.customer_id JOIN currencies cur ON cur.code = c.currency WHERE g.expires_on BETWEEN"
           " :from AND :to AND remaining > 0 AND NOT EXISTS (SELECT 1 FROM credit_movements m"
           " WHERE m.grant_id = g.id AND m.kind = 'expired') ORDER BY g.expires_on, c.code, g.id");
    db_bind_date(st, ":from", from);
    db_bind_date(st, ":to", to);
    int rc;
    while ((rc = db_step(b, st, e)) == SQLITE_ROW) {
        out->v = xgrow(out->v, &out->cap, out->n + 1, sizeof *out->v);
        struct credit_expiring *x = &out->v[out->n++];
        memset(x, 0, sizeof *x);
        db_col_copy(st, 0, x->customer, sizeof x->customer);
        x->name = xstrdup(db_col_text(st, 1));
        db_col_copy(st, 2, x->currency, sizeof x->currency);
        x->exponent = (int)db_col_int(st, 3);
        x->grant.id = db_col_int(st, 4);
        x->grant.kind = kind_of(db_col_text(st, 5));
        x->grant.amount = db_col_money(st, 6);
        x->grant.granted_on = db_col_date(st, 7);
        x->grant.expires_on = db_col_date(st, 8);
        db_col_copy(st, 9, x->grant.reason, sizeof x->grant.reason);
        db_col_copy(st, 10, x->grant.granted_by, sizeof x->grant.granted_by);
        x->grant.remaining = db_col_money(st, 11);
    }
    return rc < 0 ? e->code : ERR_OK;
}

int credit_outstanding_load(struct book *b, int32_t as_of, struct credit_expiring_list *out,
                            struct err *e)
{
    sqlite3_stmt *st = db_prepare(
        b, "SELECT c.code, c.name, c.currency, cur.exponent, g.id, g.kind, g.amount, g.granted_on,"
           " g.expires_on, g.reason, g.granted_by, (SELECT sum(m.amount) FROM credit_movements m"
           " WHERE m.grant_id = g.id AND m.on_date <= :d) AS remaining FROM credit_grants g JOIN"
           " customers c ON c.id = g.customer_id JOIN currencies cur ON cur.code = c.currency"
           " WHERE g.granted_on <= :d AND remaining > 0 ORDER BY c.currency, c.code, g.id");
    db_bind_date(st, ":d", as_of);
    int rc;
    while ((rc = db_step(b, st, e)) == SQLITE_ROW) {
        out->v = xgrow(out->v, &out->cap, out->n + 1, sizeof *out->v);
        struct credit_expiring *x = &out->v[out->n++];
        memset(x, 0, sizeof *x);
        db_col_copy(st, 0, x->customer, sizeof x->customer);
        x->name = xstrdup(db_col_text(st, 1));
        db_col_copy(st, 2, x->currency, sizeof x->currency);
        x->exponent = (int)db_col_int(st, 3);
        x->grant.id = db_col_int(st, 4);
        x->grant.kind = kind_of(db_col_text(st, 5));
        x->grant.amount = db_col_money(st, 6);
        x->grant.granted_on = db_col_date(st, 7);
        x->grant.expires_on = db_col_date(st, 8);
        db_col_copy(st, 9, x->grant.reason, sizeof x->grant.reason);
        db_col_copy(st, 10, x->grant.granted_by, sizeof x->grant.granted_by);
        x->grant.remaining = db_col_money(st, 11);
    }
    return rc < 0 ? e->code : ERR_OK;
}

void credit_expiring_free(struct credit_expiring_list *l)
{
    for (size_t i = 0; i < l->n; i++)
        free(l->v[i].name);
    free(l->v);
    memset(l, 0, sizeof *l);
}

int credit_summaries_load(struct book *b, int32_t as_of, int window, struct credit_summaries *out,
                          struct err *e)
{
    sqlite3_stmt *st = db_prepare(
        b, "WITH g AS (SELECT g.id, g.customer_id, g.kind, g.expires_on, (SELECT sum(m.amount) FROM"
           " credit_movements m WHERE m.grant_id = g.id AND m.on_date <= :d) AS left FROM"
           " credit_grants g WHERE g.granted_on <= :d) SELECT c.id, c.code, c.name, c.currency,"
           " cur.exponent, sum(CASE WHEN g.kind IN ('prepaid', 'refund') THEN g.left ELSE 0 END),"
           " sum(CASE WHEN g.kind IN ('promotional', 'goodwill') THEN g.left ELSE 0 END),"
           " sum(g.left), min(CASE WHEN g.expires_on >= :d THEN g.expires_on END),"
           " sum(CASE WHEN g.expires_on BETWEEN :d AND :until THEN g.left ELSE 0 END), count(*)"
           " FROM g JOIN customers c ON c.id = g.customer_id JOIN currencies cur ON cur.code ="
           " c.currency WHERE g.left > 0 GROUP BY c.id ORDER BY c.code COLLATE NOCASE");
    db_bind_date(st, ":d", as_of);
    db_bind_date(st, ":until", as_of + window);
    int rc;
    while ((rc = db_step(b, st, e)) == SQLITE_ROW) {
        out->v = xgrow(out->v, &out->cap, out->n + 1, sizeof *out->v);
        struct credit_summary *x = &out->v[out->n++];
        memset(x, 0, sizeof *x);
        x->customer_id = db_col_int(st, 0);
        db_col_copy(st, 1, x->customer, sizeof x->customer);
        x->name = xstrdup(db_col_text(st, 2));
        db_col_copy(st, 3, x->currency, sizeof x->currency);
        x->exponent = (int)db_col_int(st, 4);
        x->paid = db_col_money(st, 5);
        x->free_credit = db_col_money(st, 6);
        x->total = db_col_money(st, 7);
        x->next_expiry = db_col_date(st, 8);
        x->expiring = db_col_money(st, 9);
        x->grants = (int)db_col_int(st, 10);
    }
    return rc < 0 ? e->code : ERR_OK;
}

void credit_summaries_free(struct credit_summaries *s)
{
    for (size_t i = 0; i < s->n; i++)
        free(s->v[i].name);
    free(s->v);
    memset(s, 0, sizeof *s);
}
