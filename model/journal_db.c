/*
 * journal_db.c — writing a journal entry and its lines, then posting it, which is when the book
 * checks that it balances (see the triggers of data/schema.sql).
 */
#include "model/journal.h"

#include "model/close.h"
#include "model/date.h"

#include "model/db.h"

#include <assert.h>

static int post_entry(struct book *b, const struct journal_entry *je, int64_t *id, struct err *e)
{
    *id = 0;
    if (journal_nonzero_lines(je) == 0)
        return ERR_OK;
    assert(journal_balanced(je));
    if (period_is_closed(b, period_of(je->date))) {
        char d[DATE_BUF], first[DATE_BUF];
        return err_set(e, ERR_RULE,
                       "%.7s is closed: nothing can be posted dated %s; date it on or after %s, in"
                       " the first open month (or reopen the month with a reason)",
                       date_format(je->date, d, sizeof d), d,
                       date_format(period_posting_day(b, je->date), first, sizeof first));
    }
    char at[32];
    sqlite3_stmt *st = db_prepare(
        b, "INSERT INTO journal_entries (entry_date, kind, currency, memo, source_type, source_id,"
           " customer_id, posted, open_guard, created_by, created_at) VALUES (:date, :kind,"
           " :currency, :memo, :stype, :sid, :customer, 0, 1, :by, :at)");
    db_bind_date(st, ":date", je->date);
    db_bind_text(st, ":kind", je->kind);
    db_bind_text(st, ":currency", je->currency);
    db_bind_text(st, ":memo", je->memo ? je->memo : "");
    db_bind_text(st, ":stype", je->source_type);
    db_bind_int(st, ":sid", je->source_id);
    if (je->customer_id)
        db_bind_int(st, ":customer", je->customer_id);
    db_bind_text(st, ":by", book_user(b));
    db_bind_text(st, ":at", book_timestamp(b, at, sizeof at));
    int rc = db_exec(b, st, e);
    if (rc != ERR_OK)
        return rc;
    int64_t entry = db_last_id(b);
    for (int i = 0; i < je->n; i++) {
        const struct journal_line *l = &je->lines[i];
        if (l->amount == 0)
            continue;
        st = db_prepare(b, "INSERT INTO journal_lines (entry_id, account, debit, credit,"
                           " customer_id, invoice_id, contract_id) VALUES (:entry, :account,"
                           " :debit, :credit, :customer, :invoice, :contract)");
        db_bind_int(st, ":entry", entry);
        db_bind_text(st, ":account", db_account(b, l->role));
        db_bind_int(st, ":debit", l->amount > 0 ? l->amount : 0);
        db_bind_int(st, ":credit", l->amount < 0 ? -l->amount : 0);
        if (l->customer_id)
            db_bind_int(st, ":customer", l->customer_id);
        if (l->invoice_id)
            db_bind_int(st, ":invoice", l->invoice_id);
        int64_t contract = l->contract_id ? l->contract_id : je->contract_id;
        if (contract)
            db_bind_int(st, ":contract", contract);
        if ((rc = db_exec(b, st, e)) != ERR_OK)
            return rc;
    }
    st = db_prepare(b, "UPDATE journal_entries SET posted = 1, open_guard = NULL WHERE id = :id");
    db_bind_int(st, ":id", entry);
    if ((rc = db_exec(b, st, e)) != ERR_OK)
        return rc;
    *id = entry;
    return ERR_OK;
}

int journal_post(struct book *b, struct journal_entry *je, int64_t *id, struct err *e)
{
    int rc = post_entry(b, je, id, e);
    journal_free(je);
    return rc;
}
