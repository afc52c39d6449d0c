/*
 * payment_db.c — payments received: settling an invoice, and funding the customer's credit
 * balance with whatever is beyond what is owed (ACCOUNTING.md §3, §4).
 */
#include "model/payment.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "model/date.h"
#include "model/db.h"
#include "model/journal.h"
#include "model/posting.h"
#include "model/text.h"
#include "model/xalloc.h"

struct settle {
    int64_t invoice_id;
    struct money amount;
};

int payment_record(struct book *b, const struct payment_input *in, struct payment_result *out,
                   struct err *e)
{
    memset(out, 0, sizeof *out);
    if (in->amount.minor <= 0)
        return err_set(e, ERR_INPUT, "amount: must be more than zero");
    if (in->number && !code_valid(in->number, CODE_MAX))
        return err_set(e, ERR_INPUT, "number: use 1 to 32 letters, digits, '.', '_' or '-'");
    if (in->reference && (!utf8_valid(in->reference, strlen(in->reference)) ||
                          text_has_control(in->reference, false)))
        return err_set(e, ERR_INPUT, "reference: contains a control character or invalid UTF-8");
    if (in->reference && strlen(in->reference) > TEXT_SHORT_MAX)
        return err_set(e, ERR_INPUT, "reference: is longer than %d bytes", TEXT_SHORT_MAX);
    struct customer c;
    if (customer_find(b, in->customer, &c, e) != ERR_OK)
        return e->code;
    out->exponent = c.exponent;
    int64_t invoice_id = 0, contract_id = 0;
    struct money open = money_of(0);
    struct settle *settle = NULL;
    size_t nsettle = 0, capsettle = 0;
    int rc = book_begin(b, e);
    if (rc != ERR_OK)
        goto out;
    if (in->contract) {
        if (in->invoice) {
            rc = err_set(e, ERR_INPUT,
                         "contract: a payment is either for an invoice or a"
                         " deposit for a contract, not both");
            goto fail;
        }
        sqlite3_stmt *st = db_prepare(b, "SELECT id, customer_id, status FROM contracts WHERE code"
                                         " = :code");
        db_bind_text(st, ":code", in->contract);
        int step = db_step(b, st, e);
        if (step < 0) {
            rc = e->code;
            goto fail;
        }
        if (step != SQLITE_ROW) {
            rc = err_set(e, ERR_NOTFOUND, "contract: no contract '%s'", in->contract);
            goto fail;
        }
        contract_id = db_col_int(st, 0);
        bool mine = db_col_int(st, 1) == c.id, draft = strcmp(db_col_text(st, 2), "draft") == 0;
        sqlite3_reset(st);
        if (!mine) {
            rc = err_set(e, ERR_RULE, "contract: %s belongs to another customer, not %s",
                         in->contract, c.code);
            goto fail;
        }
        if (!draft) {
            rc = err_set(e, ERR_RULE,
                         "contract: %s is active, so cash for it is not a deposit; record the"
                         " payment against its invoice",
                         in->contract);
            goto fail;
        }
    }
    if (in->invoice) {
        sqlite3_stmt *st = db_prepare(b, "SELECT i.id, i.customer_id, i.status, i.issued_on,"
                                         " coalesce(ib.open, 0) FROM invoices i LEFT JOIN"
                                         " invoice_balances ib ON ib.invoice_id = i.id WHERE"
                                         " i.number = :number");
        db_bind_text(st, ":number", in->invoice);
        int step = db_step(b, st, e);
        if (step < 0) {
            rc = e->code;
            goto fail;
        }
        if (step != SQLITE_ROW) {
            rc = err_set(e, ERR_NOTFOUND, "invoice: no invoice '%s'", in->invoice);
            goto fail;
        }
        invoice_id = db_col_int(st, 0);
        int64_t owner = db_col_int(st, 1);
        bool issued = strcmp(db_col_text(st, 2), "issued") == 0;
        int32_t issued_on = db_col_date(st, 3);
        open = db_col_money(st, 4);
        sqlite3_reset(st);
        if (owner != c.id) {
            rc = err_set(e, ERR_RULE, "invoice: %s belongs to another customer, not %s",
                         in->invoice, c.code);
            goto fail;
        }
        if (!issued) {
            rc = err_set(e, ERR_RULE, "invoice: %s is a draft; issue it first", in->invoice);
            goto fail;
        }
        if (in->received_on < issued_on) {
            rc = err_set(e, ERR_RULE,
                         "date: the payment is dated before invoice %s was issued; record it"
                         " without --invoice to hold it as credit",
                         in->invoice);
            goto fail;
        }
    }
    /* What the payment settles: one invoice, or the open ones oldest first. */
    if (invoice_id && open.minor > 0) {
        settle = xgrow(settle, &capsettle, 1, sizeof *settle);
        settle[nsettle++] = (struct settle){invoice_id, open};
    } else if (in->apply_open) {
        if (in->invoice || in->contract) {
            rc = err_set(e, ERR_INPUT,
                         "apply-open: a payment for the open invoices names no"
                         " single invoice or contract");
            goto fail;
        }
        sqlite3_stmt *st = db_prepare(b, "SELECT i.id, ib.open FROM invoices i JOIN"
                                         " invoice_balances ib ON ib.invoice_id = i.id WHERE"
                                         " i.customer_id = :c AND ib.open > 0 AND i.issued_on <="
                                         " :day ORDER BY i.issued_on, i.id");
        db_bind_int(st, ":c", c.id);
        db_bind_date(st, ":day", in->received_on);
        int step;
        while ((step = db_step(b, st, e)) == SQLITE_ROW) {
            settle = xgrow(settle, &capsettle, nsettle + 1, sizeof *settle);
            settle[nsettle++] = (struct settle){db_col_int(st, 0), db_col_money(st, 1)};
        }
        if (step < 0) {
            rc = e->code;
            goto fail;
        }
    }
    struct money applied = money_of(0);
    for (size_t i = 0; i < nsettle; i++) {
        int64_t left = in->amount.minor - applied.minor;
        if (settle[i].amount.minor > left)
            settle[i].amount.minor = left;
        applied.minor += settle[i].amount.minor;
    }
    struct money excess = money_of(in->amount.minor - applied.minor);
    struct money deposit = money_of(0);
    if (contract_id) {
        deposit = excess;
        excess = money_of(0);
    }

    if (in->number)
        snprintf(out->number, sizeof out->number, "%s", in->number);
    else if ((rc = posting_next_number(b, "payment", out->number, sizeof out->number, e)) != ERR_OK)
        goto fail;
    char at[32];
    sqlite3_stmt *st = db_prepare(b, "INSERT INTO payments (number, customer_id, received_on,"
                                     " amount, reference, created_by, created_at, contract_id)"
                                     " VALUES (:number, :customer, :day, :amount, :reference, :by,"
                                     " :at, :contract)");
    db_bind_text(st, ":number", out->number);
    db_bind_int(st, ":customer", c.id);
    db_bind_date(st, ":day", in->received_on);
    db_bind_money(st, ":amount", in->amount);
    db_bind_text(st, ":reference", in->reference && *in->reference ? in->reference : NULL);
    db_bind_text(st, ":by", book_user(b));
    db_bind_text(st, ":at", book_timestamp(b, at, sizeof at));
    if (contract_id)
        db_bind_int(st, ":contract", contract_id);
    if ((rc = db_exec(b, st, e)) != ERR_OK) {
        if (rc == ERR_EXISTS)
            err_set(e, ERR_EXISTS, "number: payment %s already exists", out->number);
        goto fail;
    }
    out->id = db_last_id(b);
    if (deposit.minor > 0) {
        st = db_prepare(b, "INSERT INTO deposits (contract_id, payment_id, amount) VALUES (:k,"
                           " :p, :a)");
        db_bind_int(st, ":k", contract_id);
        db_bind_int(st, ":p", out->id);
        db_bind_money(st, ":a", deposit);
        if ((rc = db_exec(b, st, e)) != ERR_OK)
            goto fail;
    }
    for (size_t i = 0; i < nsettle; i++) {
        if (settle[i].amount.minor <= 0)
            continue;
        st = db_prepare(b, "INSERT INTO payment_applications (payment_id, invoice_id, amount)"
                           " VALUES (:payment, :invoice, :amount)");
        db_bind_int(st, ":payment", out->id);
        db_bind_int(st, ":invoice", settle[i].invoice_id);
        db_bind_money(st, ":amount", settle[i].amount);
        if ((rc = db_exec(b, st, e)) != ERR_OK)
            goto fail;
    }
    if (excess.minor > 0) {
        char why[160];
        if (in->invoice)
            snprintf(why, sizeof why, "payment %s beyond what invoice %s asked", out->number,
                     in->invoice);
        else if (in->apply_open)
            snprintf(why, sizeof why, "payment %s beyond what the open invoices asked",
                     out->number);
        else
            snprintf(why, sizeof why, "payment %s not tied to an invoice", out->number);
        int64_t grant;
        if ((rc = posting_grant(b, &c, CREDIT_PREPAID, excess, in->received_on, DATE_NONE, why,
                                out->id, 0, &grant, e)) != ERR_OK)
            goto fail;
    }
    char memo[160];
    snprintf(memo, sizeof memo, "payment %s from %s", out->number, c.code);
    struct journal_entry je;
    journal_init(&je, contract_id ? "deposit" : "payment", in->received_on, c.currency, memo,
                 "payment", out->id, c.id);
    journal_debit(&je, "cash", in->amount, 0);
    for (size_t i = 0; i < nsettle; i++)
        journal_credit(&je, "receivable", settle[i].amount, settle[i].invoice_id);
    journal_credit(&je, "customer_credit", excess, 0);
    journal_line_contract(&je, "customer_deposits", -deposit.minor, 0, contract_id);
    int64_t entry;
    if ((rc = journal_post(b, &je, &entry, e)) != ERR_OK ||
        (rc = db_log(b, "payment.record", "payment", out->id, NULL, e)) != ERR_OK)
        goto fail;
    out->applied = applied;
    out->to_credit = excess;
    out->deposit = deposit;
    rc = book_commit(b, e);
    goto out;
fail:
    book_rollback(b);
out:
    free(settle);
    customer_clear(&c);
    return rc;
}

int payment_list(struct book *b, int64_t customer_id, struct payment_rows *out, struct err *e)
{
#define PAYMENT_SELECT                                                                             \
    "SELECT p.id, p.number, c.code, cur.exponent, p.received_on, p.amount,"                        \
    " coalesce((SELECT sum(a.amount) FROM payment_applications a WHERE a.payment_id = p.id), 0),"  \
    " coalesce(p.reference, ''), coalesce((SELECT group_concat(i.number, ', ') FROM"               \
    " payment_applications a JOIN invoices i ON i.id = a.invoice_id WHERE a.payment_id = p.id),"   \
    " ''), coalesce((SELECT sum(g.amount) FROM credit_grants g WHERE g.customer_id ="              \
    " p.customer_id AND g.payment_id = p.id), 0) FROM payments p JOIN customers c ON c.id ="       \
    " p.customer_id JOIN currencies cur ON cur.code = c.currency"
    /* One customer's are read from its index: `:customer = 0 OR ...` would read every one. */
    static const char *const list_sql[2] = {
        PAYMENT_SELECT " ORDER BY p.received_on DESC, p.id DESC",
        PAYMENT_SELECT " WHERE p.customer_id = :customer ORDER BY p.received_on DESC, p.id DESC",
    };
#undef PAYMENT_SELECT
    sqlite3_stmt *st = db_prepare(b, list_sql[customer_id != 0]);
    if (customer_id)
        db_bind_int(st, ":customer", customer_id);
    int rc;
    while ((rc = db_step(b, st, e)) == SQLITE_ROW) {
        out->v = xgrow(out->v, &out->cap, out->n + 1, sizeof *out->v);
        struct payment_row *r = &out->v[out->n++];
        memset(r, 0, sizeof *r);
        r->id = db_col_int(st, 0);
        db_col_copy(st, 1, r->number, sizeof r->number);
        db_col_copy(st, 2, r->customer, sizeof r->customer);
        r->exponent = (int)db_col_int(st, 3);
        r->received_on = db_col_date(st, 4);
        r->amount = db_col_money(st, 5);
        r->applied = db_col_money(st, 6);
        r->to_credit = db_col_money(st, 9);
        r->deposit = money_of(r->amount.minor - r->applied.minor - r->to_credit.minor);
        db_col_copy(st, 7, r->reference, sizeof r->reference);
        db_col_copy(st, 8, r->invoices, sizeof r->invoices);
    }
    return rc < 0 ? e->code : ERR_OK;
}

void payment_rows_free(struct payment_rows *r)
{
    free(r->v);
    memset(r, 0, sizeof *r);
}
