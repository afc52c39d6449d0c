/*
 * invoice_db.c — invoices in the book: drafts, issuing (journal entry and automatic credit
 * application, ACCOUNTING.md §3 and §4), credit notes, lists and details.
 */
#include "model/invoice.h"

#include <assert.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "model/date.h"
#include "model/db.h"
#include "model/journal.h"
#include "model/posting.h"
#include "model/text.h"
#include "model/xalloc.h"

int invoice_line_parse(const char *spec, int exponent, char **description, struct money *amount,
                       struct err *e)
{
    *description = NULL;
    const char *eq = spec ? strrchr(spec, '=') : NULL;
    if (!eq)
        return err_set(e, ERR_INPUT, "'%.60s' is not DESCRIPTION=AMOUNT", spec ? spec : "");
    const char *start = spec, *end = eq;
    while (start < end && (*start == ' ' || *start == '\t'))
        start++;
    while (end > start && (end[-1] == ' ' || end[-1] == '\t'))
        end--;
    if (start == end)
        return err_set(e, ERR_INPUT, "'%.60s' has no description before '='", spec);
    if (money_parse(eq + 1, exponent, amount, e) != ERR_OK) {
        err_prefix(e, "amount '%.40s'", eq + 1);
        return e->code;
    }
    *description = xstrndup(start, (size_t)(end - start));
    return ERR_OK;
}

int posting_next_number(struct book *b, const char *kind, char *out, size_t size, struct err *e)
{
    for (;;) {
        sqlite3_stmt *st = db_prepare(b, "UPDATE sequences SET next = next + 1 WHERE kind = :kind"
                                         " RETURNING prefix, next - 1");
        db_bind_text(st, ":kind", kind);
        int rc = db_step(b, st, e);
        if (rc < 0)
            return e->code;
        snprintf(out, size, "%s%06lld", db_col_text(st, 0), (long long)db_col_int(st, 1));
        sqlite3_reset(st);
        /* A number may have been taken by an import that gave its own; skip it. */
        static const char *const taken_sql[] = {
            "SELECT 1 FROM invoices WHERE number = :n",
            "SELECT 1 FROM payments WHERE number = :n",
            "SELECT 1 FROM credit_notes WHERE number = :n",
        };
        int which = strcmp(kind, "invoice") == 0 ? 0 : strcmp(kind, "payment") == 0 ? 1 : 2;
        st = db_prepare(b, taken_sql[which]);
        db_bind_text(st, ":n", out);
        rc = db_step(b, st, e);
        if (rc < 0)
            return e->code;
        sqlite3_reset(st);
        if (rc == SQLITE_DONE)
            return ERR_OK;
    }
}

/* Issues the invoice already written as a draft: fixes it, posts it, applies credit. */
static int issue(struct book *b, const struct customer *c, int64_t id, const char *number,
                 int32_t issued_on, struct money total, struct invoice_result *out, struct err *e)
{
    /* Credit that expired before the issue date must not be used: record those expiries. */
    int rc = posting_expire(b, c->id, issued_on, NULL, NULL, e);
    if (rc != ERR_OK)
        return rc;
    sqlite3_stmt *st = db_prepare(b, "UPDATE invoices SET status = 'issued', issued_on = :day"
                                     " WHERE id = :id AND status = 'draft'");
    db_bind_int(st, ":id", id);
    db_bind_date(st, ":day", issued_on);
    if ((rc = db_exec(b, st, e)) != ERR_OK)
        return rc;
    char memo[96];
    snprintf(memo, sizeof memo, "invoice %s to %s", number, c->code);
    struct journal_entry je;
    journal_init(&je, "invoice", issued_on, c->currency, memo, "invoice", id, c->id);
    journal_debit(&je, "receivable", total, id);
    /* A contract's lines are billings: deferred revenue until the contract recognizes them.
     * Lines tied to no contract are sales delivered on the invoice date. */
    st = db_prepare(b, "SELECT amount, coalesce(contract_id, 0) FROM invoice_lines WHERE"
                       " invoice_id = :id ORDER BY line_no");
    db_bind_int(st, ":id", id);
    int step;
    while ((step = db_step(b, st, e)) == SQLITE_ROW) {
        int64_t amount = db_col_int(st, 0), contract = db_col_int(st, 1);
        journal_line_contract(&je, contract ? "deferred_revenue" : "revenue", -amount, id,
                              contract);
    }
    if (step < 0) {
        journal_free(&je);
        return e->code;
    }
    int64_t entry;
    if ((rc = journal_post(b, &je, &entry, e)) != ERR_OK)
        return rc;
    struct money deposits;
    if ((rc = posting_apply_deposits(b, c, id, number, issued_on, total, &deposits, e)) != ERR_OK)
        return rc;
    struct money paid, free_credit;
    if ((rc = posting_apply_credit(b, c, id, number, issued_on,
                                   money_of(total.minor - deposits.minor), &paid, &free_credit,
                                   e)) != ERR_OK)
        return rc;
    out->id = id;
    snprintf(out->number, sizeof out->number, "%s", number);
    out->exponent = c->exponent;
    memcpy(out->currency, c->currency, sizeof out->currency);
    out->total = total;
    out->credit_paid = paid;
    out->credit_free = free_credit;
    out->deposits = deposits;
    out->due = money_of(total.minor - deposits.minor - paid.minor - free_credit.minor);
    return db_log(b, "invoice.issue", "invoice", id, NULL, e);
}

int invoice_create(struct book *b, const struct invoice_input *in, struct invoice_result *out,
                   struct err *e)
{
    memset(out, 0, sizeof *out);
    if (in->nlines == 0)
        return err_set(e, ERR_INPUT, "line: an invoice needs at least one line");
    struct money total = money_of(0);
    for (size_t i = 0; i < in->nlines; i++) {
        const char *d = in->lines[i].description;
        if (text_blank(d))
            return err_set(e, ERR_INPUT, "line %zu: the description is empty", i + 1);
        if (!utf8_valid(d, strlen(d)) || text_has_control(d, false))
            return err_set(e, ERR_INPUT,
                           "line %zu: the description has a control character or invalid UTF-8",
                           i + 1);
        if (strlen(d) > TEXT_SHORT_MAX) /* what a statement line keeps */
            return err_set(e, ERR_INPUT, "description: line %zu is longer than %d bytes", i + 1,
                           TEXT_SHORT_MAX);
        if (money_add(total, in->lines[i].amount, &total, e) != ERR_OK) {
            err_prefix(e, "line %zu", i + 1);
            return e->code;
        }
    }
    if (total.minor < 0)
        return err_set(e, ERR_INPUT, "line: the lines add up to less than zero; use a credit note");
    if (in->number && !code_valid(in->number, CODE_MAX))
        return err_set(e, ERR_INPUT, "number: use 1 to 32 letters, digits, '.', '_' or '-'");
    if (in->memo && (!utf8_valid(in->memo, strlen(in->memo)) || text_has_control(in->memo, true)))
        return err_set(e, ERR_INPUT, "memo: contains a control character or invalid UTF-8");
    struct customer c;
    if (customer_find(b, in->customer, &c, e) != ERR_OK)
        return e->code;
    int32_t due = in->due_on == DATE_NONE ? in->issued_on + c.terms_days : in->due_on;
    int rc;
    if (due < in->issued_on) {
        rc = err_set(e, ERR_INPUT, "due: is before the invoice date");
        goto out;
    }
    if ((rc = book_begin(b, e)) != ERR_OK)
        goto out;
    char number[CODE_MAX + 1];
    if (in->number)
        snprintf(number, sizeof number, "%s", in->number);
    else if ((rc = posting_next_number(b, "invoice", number, sizeof number, e)) != ERR_OK)
        goto fail;
    char at[32];
    sqlite3_stmt *st =
        db_prepare(b, "INSERT INTO invoices (number, customer_id, status, issued_on,"
                      " due_on, total, memo, created_by, created_at) VALUES (:number,"
                      " :customer, 'draft', :issued, :due, :total, :memo, :by, :at)");
    db_bind_text(st, ":number", number);
    db_bind_int(st, ":customer", c.id);
    db_bind_date(st, ":issued", in->issued_on);
    db_bind_date(st, ":due", due);
    db_bind_money(st, ":total", total);
    db_bind_text(st, ":memo", in->memo && *in->memo ? in->memo : NULL);
    db_bind_text(st, ":by", book_user(b));
    db_bind_text(st, ":at", book_timestamp(b, at, sizeof at));
    if ((rc = db_exec(b, st, e)) != ERR_OK) {
        if (rc == ERR_EXISTS)
            err_set(e, ERR_EXISTS, "number: invoice %s already exists", number);
        goto fail;
    }
    int64_t id = db_last_id(b);
    for (size_t i = 0; i < in->nlines; i++) {
        st = db_prepare(b, "INSERT INTO invoice_lines (invoice_id, line_no, description, amount,"
                           " contract_id, obligation_id) VALUES (:invoice, :no, :description,"
                           " :amount, :contract, :obligation)");
        db_bind_int(st, ":invoice", id);
        db_bind_int(st, ":no", (int64_t)i + 1);
        db_bind_text(st, ":description", in->lines[i].description);
        db_bind_money(st, ":amount", in->lines[i].amount);
        if (in->lines[i].contract_id)
            db_bind_int(st, ":contract", in->lines[i].contract_id);
        if (in->lines[i].obligation_id)
            db_bind_int(st, ":obligation", in->lines[i].obligation_id);
        if ((rc = db_exec(b, st, e)) != ERR_OK)
            goto fail;
    }
    if (in->draft) {
        out->id = id;
        snprintf(out->number, sizeof out->number, "%s", number);
        out->exponent = c.exponent;
        memcpy(out->currency, c.currency, sizeof out->currency);
        out->total = total;
        out->due = total;
        rc = db_log(b, "invoice.draft", "invoice", id, NULL, e);
    } else {
        rc = issue(b, &c, id, number, in->issued_on, total, out, e);
    }
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

int invoice_issue_draft(struct book *b, const char *number, int32_t issued_on,
                        struct invoice_result *out, struct err *e)
{
    memset(out, 0, sizeof *out);
    /* The draft is read inside the transaction that issues it, so two people issuing it at once
     * cannot both issue it: the second is told it is already issued. */
    struct customer c = {0};
    int rc = book_begin(b, e);
    if (rc != ERR_OK)
        return rc;
    sqlite3_stmt *st = db_prepare(b, "SELECT id, customer_id, status, issued_on, due_on, total"
                                     " FROM invoices WHERE number = :number");
    db_bind_text(st, ":number", number);
    int step = db_step(b, st, e);
    if (step < 0) {
        rc = e->code;
        goto fail;
    }
    if (step != SQLITE_ROW) {
        rc = err_set(e, ERR_NOTFOUND, "no invoice '%s'", number);
        goto fail;
    }
    int64_t id = db_col_int(st, 0), customer_id = db_col_int(st, 1);
    bool draft = strcmp(db_col_text(st, 2), "draft") == 0;
    int32_t draft_date = db_col_date(st, 3), draft_due = db_col_date(st, 4);
    struct money total = db_col_money(st, 5);
    sqlite3_reset(st);
    if (!draft) {
        rc = err_set(e, ERR_RULE, "invoice %s is already issued", number);
        goto fail;
    }
    if ((rc = customer_get(b, customer_id, &c, e)) != ERR_OK)
        goto fail;
    int32_t day = issued_on == DATE_NONE ? draft_date : issued_on;
    /* Keep the draft's payment terms when the date moves. */
    int32_t due = draft_due + (day - draft_date);
    st = db_prepare(b, "UPDATE invoices SET due_on = :due WHERE id = :id");
    db_bind_date(st, ":due", due);
    db_bind_int(st, ":id", id);
    if ((rc = db_exec(b, st, e)) != ERR_OK ||
        (rc = issue(b, &c, id, number, day, total, out, e)) != ERR_OK)
        goto fail;
    rc = book_commit(b, e);
    goto out;
fail:
    book_rollback(b);
out:
    customer_clear(&c);
    return rc;
}

static int credit_note(struct book *b, const char *invoice, struct money amount, int32_t day,
                       const char *reason, int64_t memo_id, int64_t contract_id,
                       struct credit_note_result *out, struct err *e)
{
    memset(out, 0, sizeof *out);
    if (amount.minor <= 0)
        return err_set(e, ERR_INPUT, "amount: must be more than zero");
    if (text_blank(reason))
        return err_set(e, ERR_INPUT, "reason: is empty (say why)");
    if (!utf8_valid(reason, strlen(reason)) || text_has_control(reason, false))
        return err_set(e, ERR_INPUT, "reason: contains a control character or invalid UTF-8");
    /* The open balance is read inside the transaction that settles against it: read before,
     * a payment or credit note saved in between would make it stale. */
    struct customer c = {0};
    char *before = NULL;
    int rc = book_begin(b, e);
    if (rc != ERR_OK)
        return rc;
    sqlite3_stmt *st = db_prepare(b, "SELECT i.id, i.customer_id, i.status, i.issued_on,"
                                     " coalesce(ib.open, 0) FROM invoices i LEFT JOIN"
                                     " invoice_balances ib ON ib.invoice_id = i.id WHERE i.number"
                                     " = :number");
    db_bind_text(st, ":number", invoice);
    int step = db_step(b, st, e);
    if (step < 0) {
        rc = e->code;
        goto fail;
    }
    if (step != SQLITE_ROW) {
        rc = err_set(e, ERR_NOTFOUND, "no invoice '%s'", invoice);
        goto fail;
    }
    int64_t invoice_id = db_col_int(st, 0), customer_id = db_col_int(st, 1);
    bool issued = strcmp(db_col_text(st, 2), "issued") == 0;
    int32_t issued_on = db_col_date(st, 3);
    struct money open = db_col_money(st, 4);
    sqlite3_reset(st);
    if (!issued) {
        rc = err_set(e, ERR_RULE, "invoice %s is a draft: change the draft instead", invoice);
        goto fail;
    }
    if (day < issued_on) {
        rc = err_set(e, ERR_INPUT, "date: is before invoice %s was issued", invoice);
        goto fail;
    }
    if ((rc = customer_get(b, customer_id, &c, e)) != ERR_OK)
        goto fail;
    before = db_snapshot(b, "invoice", invoice_id);
    struct money applied = money_of(amount.minor < open.minor ? amount.minor : open.minor);
    struct money excess = money_of(amount.minor - applied.minor);
    if ((rc = posting_next_number(b, "credit_note", out->number, sizeof out->number, e)) != ERR_OK)
        goto fail;
    char at[32];
    st = db_prepare(b, "INSERT INTO credit_notes (number, invoice_id, issued_on, amount, applied,"
                       " reason, created_by, created_at, memo_id) VALUES (:number, :invoice, :day,"
                       " :amount, :applied, :reason, :by, :at, nullif(:memo, 0))");
    db_bind_int(st, ":memo", memo_id);
    db_bind_text(st, ":number", out->number);
    db_bind_int(st, ":invoice", invoice_id);
    db_bind_date(st, ":day", day);
    db_bind_money(st, ":amount", amount);
    db_bind_money(st, ":applied", applied);
    db_bind_text(st, ":reason", reason);
    db_bind_text(st, ":by", book_user(b));
    db_bind_text(st, ":at", book_timestamp(b, at, sizeof at));
    if ((rc = db_exec(b, st, e)) != ERR_OK)
        goto fail;
    out->id = db_last_id(b);
    out->applied = applied;
    out->to_credit = excess;
    if (excess.minor > 0) {
        char why[160];
        snprintf(why, sizeof why, "credit note %s on invoice %s beyond its open balance",
                 out->number, invoice);
        int64_t grant;
        if ((rc = posting_grant(b, &c, CREDIT_REFUND, excess, day, DATE_NONE, why, 0, out->id,
                                &grant, e)) != ERR_OK)
            goto fail;
    }
    char memo[200];
    snprintf(memo, sizeof memo, "credit note %s on invoice %s: %s", out->number, invoice, reason);
    struct journal_entry je;
    journal_init(&je, "credit_note", day, c.currency, memo, "credit_note", out->id, c.id);
    if (contract_id)
        /* A contract's billing comes back off its deferred revenue (ACCOUNTING.md §6). */
        journal_line_contract(&je, "deferred_revenue", amount.minor, invoice_id, contract_id);
    else
        journal_debit(&je, "discounts", amount, invoice_id);
    journal_credit(&je, "receivable", applied, invoice_id);
    journal_credit(&je, "customer_credit", excess, 0);
    int64_t entry;
    if ((rc = journal_post(b, &je, &entry, e)) != ERR_OK ||
        (rc = db_log(b, "credit_note.issue", "credit_note", out->id, NULL, e)) != ERR_OK ||
        (rc = db_log(b, "invoice.credit", "invoice", invoice_id, before, e)) != ERR_OK)
        goto fail;
    free(before);
    rc = book_commit(b, e);
    goto out;
fail:
    free(before);
    book_rollback(b);
out:
    customer_clear(&c);
    return rc;
}

int invoice_credit_note(struct book *b, const char *invoice, struct money amount, int32_t day,
                        const char *reason, struct credit_note_result *out, struct err *e)
{
    memset(out, 0, sizeof *out);
    sqlite3_stmt *st = db_prepare(b, "SELECT k.code FROM invoices i JOIN invoice_lines l ON"
                                     " l.invoice_id = i.id JOIN contracts k ON k.id = l.contract_id"
                                     " WHERE i.number = :number LIMIT 1");
    db_bind_text(st, ":number", invoice);
    int step = db_step(b, st, e);
    if (step < 0)
        return e->code;
    if (step == SQLITE_ROW) {
        char code[CODE_MAX + 1];
        db_col_copy(st, 0, code, sizeof code);
        sqlite3_reset(st);
        return err_set(e, ERR_RULE,
                       "invoice %s bills contract %s: a credit note on it changes the contract,"
                       " so it goes through a modification memo (memo new %s --type price_change"
                       " --refund AMOUNT --invoice %s)",
                       invoice, code, code, invoice);
    }
    return credit_note(b, invoice, amount, day, reason, 0, 0, out, e);
}

int invoice_credit_note_for_memo(struct book *b, const char *invoice, struct money amount,
                                 int32_t day, const char *reason, int64_t memo_id,
                                 int64_t contract_id, struct credit_note_result *out, struct err *e)
{
    return credit_note(b, invoice, amount, day, reason, memo_id, contract_id, out, e);
}

#define ROW_SELECT                                                                                 \
    "SELECT i.id, i.number, i.customer_id, c.code, c.currency, cur.exponent, i.status,"            \
    " i.issued_on, i.due_on, i.total, coalesce(ib.credit_applied, 0), coalesce(ib.paid, 0),"       \
    " coalesce(ib.credited, 0), coalesce(ib.open, 0) FROM invoices i JOIN customers c ON c.id ="   \
    " i.customer_id JOIN currencies cur ON cur.code = c.currency LEFT JOIN invoice_balances ib"    \
    " ON ib.invoice_id = i.id"

static void read_row(sqlite3_stmt *st, struct invoice_row *r)
{
    memset(r, 0, sizeof *r);
    r->id = db_col_int(st, 0);
    db_col_copy(st, 1, r->number, sizeof r->number);
    r->customer_id = db_col_int(st, 2);
    db_col_copy(st, 3, r->customer, sizeof r->customer);
    db_col_copy(st, 4, r->currency, sizeof r->currency);
    r->exponent = (int)db_col_int(st, 5);
    r->draft = strcmp(db_col_text(st, 6), "draft") == 0;
    r->issued_on = db_col_date(st, 7);
    r->due_on = db_col_date(st, 8);
    r->total = db_col_money(st, 9);
    r->credit_applied = db_col_money(st, 10);
    r->paid = db_col_money(st, 11);
    r->credited = db_col_money(st, 12);
    r->open = db_col_money(st, 13);
}

int invoice_list(struct book *b, const struct invoice_query *q, struct invoice_rows *out,
                 struct err *e)
{
    /* One customer's are read from its index: `:customer = 0 OR ...` would read every one. */
    static const char *const list_sql[2] = {
        ROW_SELECT " WHERE (:drafts OR i.status = 'issued') AND (NOT :open OR ib.open > 0)"
                   " ORDER BY i.issued_on, i.id",
        ROW_SELECT " WHERE i.customer_id = :customer AND (:drafts OR i.status = 'issued') AND"
                   " (NOT :open OR ib.open > 0) ORDER BY i.issued_on, i.id",
    };
    sqlite3_stmt *st = db_prepare(b, list_sql[q->customer_id != 0]);
    if (q->customer_id)
        db_bind_int(st, ":customer", q->customer_id);
    db_bind_int(st, ":drafts", q->include_drafts);
    db_bind_int(st, ":open", q->open_only);
    int rc;
    while ((rc = db_step(b, st, e)) == SQLITE_ROW) {
        out->v = xgrow(out->v, &out->cap, out->n + 1, sizeof *out->v);
        read_row(st, &out->v[out->n++]);
    }
    return rc < 0 ? e->code : ERR_OK;
}

/* Keyset paging, newest first: forward goes to older invoices, backward to newer ones. The
 * leading `i.issued_on <= :d` (or `>=`) lets SQLite seek invoices_date; the id settles ties.
 * :incl takes the anchor itself too. */
#define PAGE_WHERE                                                                                 \
    " WHERE (:customer = 0 OR i.customer_id = :customer) AND (:drafts OR i.status = 'issued')"     \
    " AND (NOT :open OR ib.open > 0) AND (:pattern IS NULL OR i.number LIKE :pattern ESCAPE '\\'"  \
    " OR c.code LIKE :pattern ESCAPE '\\')"

/* :bd and :bid end the range a page may read (its reach): up to the invoice of that date and id,
 * itself included. */
static const char *const page_sql[2] = {
    ROW_SELECT PAGE_WHERE " AND i.issued_on <= :d AND (i.issued_on < :d OR i.id < :id OR (:incl"
                          " AND i.id = :id)) AND i.issued_on >= :bd AND (i.issued_on > :bd OR"
                          " i.id >= :bid) ORDER BY i.issued_on DESC, i.id DESC LIMIT :limit",
    ROW_SELECT PAGE_WHERE " AND i.issued_on >= :d AND (i.issued_on > :d OR i.id > :id OR (:incl"
                          " AND i.id = :id)) AND i.issued_on <= :bd AND (i.issued_on < :bd OR"
                          " i.id <= :bid) ORDER BY i.issued_on, i.id LIMIT :limit",
};

/* The invoice `skip` past the anchor in the page's direction, filter or none. */
static const char *const reach_sql[2] = {
    "SELECT i.issued_on, i.id FROM invoices i WHERE i.issued_on <= :d AND (i.issued_on < :d OR"
    " i.id < :id OR (:incl AND i.id = :id)) ORDER BY i.issued_on DESC, i.id DESC LIMIT 1"
    " OFFSET :skip",
    "SELECT i.issued_on, i.id FROM invoices i WHERE i.issued_on >= :d AND (i.issued_on > :d OR"
    " i.id > :id OR (:incl AND i.id = :id)) ORDER BY i.issued_on, i.id LIMIT 1 OFFSET :skip",
};

static void bind_query(sqlite3_stmt *st, const struct invoice_query *q)
{
    char *pattern = text_like_pattern(q->filter);
    db_bind_int(st, ":customer", q->customer_id);
    db_bind_int(st, ":drafts", q->include_drafts);
    db_bind_int(st, ":open", q->open_only);
    db_bind_text(st, ":pattern", pattern);
    free(pattern);
}

static void bind_anchor(sqlite3_stmt *st, enum page_seek seek, const struct invoice_row *anchor)
{
    db_bind_int(st, ":incl", seek == PAGE_FROM || seek == PAGE_UNTIL);
    if (seek == PAGE_FIRST) {
        db_bind_top(st, ":d"); /* after every date: the newest first */
        db_bind_int(st, ":id", INT64_MAX);
    } else if (seek == PAGE_LAST) {
        db_bind_text(st, ":d", ""); /* before every date */
        db_bind_int(st, ":id", 0);
    } else {
        assert(anchor);
        db_bind_date(st, ":d", anchor->issued_on);
        db_bind_int(st, ":id", anchor->id);
    }
}

int invoice_page(struct book *b, const struct invoice_query *q, enum page_seek seek,
                 const struct invoice_row *anchor, size_t limit, struct invoice_rows *out,
                 struct invoice_row *stop, struct err *e)
{
    bool backward = page_seek_backward(seek);
    assert(!q->reach || stop);
    struct invoice_row bound = {0};
    if (stop)
        memset(stop, 0, sizeof *stop);
    /* Only a query that may pass rows by needs a reach: else the page is full or the list ends. */
    if (q->reach &&
        (q->open_only || (q->filter && *q->filter) || q->customer_id || !q->include_drafts)) {
        sqlite3_stmt *st = db_prepare(b, reach_sql[backward]);
        bind_anchor(st, seek, anchor);
        db_bind_int(st, ":skip", (int64_t)q->reach - 1);
        int rc = db_step(b, st, e);
        if (rc < 0)
            return e->code;
        if (rc == SQLITE_ROW) {
            bound.issued_on = db_col_date(st, 0);
            bound.id = db_col_int(st, 1);
        }
        sqlite3_reset(st);
    }
    sqlite3_stmt *st = db_prepare(b, page_sql[backward]);
    bind_query(st, q);
    bind_anchor(st, seek, anchor);
    db_bind_int(st, ":limit", (int64_t)limit);
    if (bound.id) {
        db_bind_date(st, ":bd", bound.issued_on);
        db_bind_int(st, ":bid", bound.id);
    } else if (backward) {
        db_bind_top(st, ":bd");
        db_bind_int(st, ":bid", INT64_MAX);
    } else {
        db_bind_text(st, ":bd", "");
        db_bind_int(st, ":bid", 0);
    }
    size_t first = out->n;
    int rc;
    while ((rc = db_step(b, st, e)) == SQLITE_ROW) {
        out->v = xgrow(out->v, &out->cap, out->n + 1, sizeof *out->v);
        read_row(st, &out->v[out->n++]);
    }
    if (rc < 0)
        return e->code;
    if (bound.id && out->n - first < limit)
        *stop = bound;
    if (backward)
        for (size_t i = first, j = out->n; i + 1 < j; i++, j--) {
            struct invoice_row t = out->v[i];
            out->v[i] = out->v[j - 1];
            out->v[j - 1] = t;
        }
    return ERR_OK;
}

int invoice_count(struct book *b, const struct invoice_query *q, struct id_slice *s, struct err *e)
{
    sqlite3_stmt *st;
    if (q->open_only || (q->filter && *q->filter)) {
        st = db_prepare(b, "SELECT count(*), (SELECT coalesce(max(id), 0) FROM invoices) FROM"
                           " invoices i JOIN customers c ON c.id = i.customer_id LEFT JOIN"
                           " invoice_balances ib ON ib.invoice_id = i.id" PAGE_WHERE
                           " AND i.id >= :from AND i.id < :to");
        bind_query(st, q);
    } else {
        st = db_prepare(b, "SELECT count(*), (SELECT coalesce(max(id), 0) FROM invoices) FROM"
                           " invoices i WHERE (:customer = 0 OR i.customer_id = :customer) AND"
                           " (:drafts OR i.status = 'issued') AND i.id >= :from AND i.id < :to");
        db_bind_int(st, ":customer", q->customer_id);
        db_bind_int(st, ":drafts", q->include_drafts);
    }
    return db_count(b, st, s, e);
}

void invoice_rows_free(struct invoice_rows *r)
{
    free(r->v);
    memset(r, 0, sizeof *r);
}

int invoice_get(struct book *b, const char *number, struct invoice_detail *out, struct err *e)
{
    memset(out, 0, sizeof *out);
    sqlite3_stmt *st = db_prepare(b, ROW_SELECT " WHERE i.number = :number");
    db_bind_text(st, ":number", number);
    int rc = db_step(b, st, e);
    if (rc < 0)
        return e->code;
    if (rc != SQLITE_ROW)
        return err_set(e, ERR_NOTFOUND, "no invoice '%s'", number);
    read_row(st, &out->head);
    sqlite3_reset(st);
    st = db_prepare(b, "SELECT memo FROM invoices WHERE id = :id");
    db_bind_int(st, ":id", out->head.id);
    if (db_step(b, st, e) == SQLITE_ROW && !db_col_is_null(st, 0))
        out->memo = xstrdup(db_col_text(st, 0));
    sqlite3_reset(st);
    st = db_prepare(b, "SELECT line_no, description, amount FROM invoice_lines WHERE invoice_id ="
                       " :id ORDER BY line_no");
    db_bind_int(st, ":id", out->head.id);
    size_t cap = 0;
    while ((rc = db_step(b, st, e)) == SQLITE_ROW) {
        out->lines = xgrow(out->lines, &cap, out->nlines + 1, sizeof *out->lines);
        struct invoice_line *l = &out->lines[out->nlines++];
        l->line_no = (int)db_col_int(st, 0);
        l->description = xstrdup(db_col_text(st, 1));
        l->amount = db_col_money(st, 2);
    }
    if (rc < 0) {
        invoice_detail_free(out);
        return e->code;
    }
    return ERR_OK;
}

void invoice_detail_free(struct invoice_detail *d)
{
    for (size_t i = 0; i < d->nlines; i++)
        free(d->lines[i].description);
    free(d->lines);
    free(d->memo);
    memset(d, 0, sizeof *d);
}

int invoice_settlements_load(struct book *b, int64_t invoice_id, struct invoice_settlements *out,
                             struct err *e)
{
    static const char *const kinds[] = {"credit", "payment", "credit note", "deposit"};
    sqlite3_stmt *st = db_prepare(
        b, "SELECT 0, m.on_date, 'grant ' || m.grant_id, -m.amount, m.id FROM credit_movements m"
           " WHERE m.invoice_id = :i AND m.kind = 'applied' UNION ALL SELECT 1, p.received_on,"
           " p.number, a.amount, a.id FROM payment_applications a JOIN payments p ON p.id ="
           " a.payment_id WHERE a.invoice_id = :i UNION ALL SELECT 2, n.issued_on, n.number,"
           " n.applied, n.id FROM credit_notes n WHERE n.invoice_id = :i AND n.applied > 0 UNION"
           " ALL SELECT 3, d.on_date, 'deposit ' || d.deposit_id, d.amount, d.id FROM"
           " deposit_applications d WHERE d.invoice_id = :i ORDER BY 2, 1, 5");
    db_bind_int(st, ":i", invoice_id);
    int rc;
    while ((rc = db_step(b, st, e)) == SQLITE_ROW) {
        out->v = xgrow(out->v, &out->cap, out->n + 1, sizeof *out->v);
        struct invoice_settlement *x = &out->v[out->n++];
        x->kind = kinds[db_col_int(st, 0)];
        x->on = db_col_date(st, 1);
        db_col_copy(st, 2, x->ref, sizeof x->ref);
        x->amount = db_col_money(st, 3);
    }
    return rc < 0 ? e->code : ERR_OK;
}

void invoice_settlements_free(struct invoice_settlements *s)
{
    free(s->v);
    memset(s, 0, sizeof *s);
}
