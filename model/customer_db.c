/*
 * customer_db.c — customers in the book: add, edit with revision check, archive, find, list.
 */
#include "model/customer.h"

#include <assert.h>
#include <stdlib.h>
#include <string.h>

#include "model/date.h"
#include "model/db.h"
#include "model/text.h"
#include "model/xalloc.h"

#define CUSTOMER_COLS                                                                              \
    "c.id, c.code, c.name, c.currency, cur.exponent, c.email, c.address, c.terms_days,"            \
    " c.archived, c.revision"

static void read_customer(sqlite3_stmt *st, struct customer *c)
{
    c->id = db_col_int(st, 0);
    db_col_copy(st, 1, c->code, sizeof c->code);
    c->name = xstrdup(db_col_text(st, 2));
    db_col_copy(st, 3, c->currency, sizeof c->currency);
    c->exponent = (int)db_col_int(st, 4);
    c->email = db_col_is_null(st, 5) ? NULL : xstrdup(db_col_text(st, 5));
    c->address = db_col_is_null(st, 6) ? NULL : xstrdup(db_col_text(st, 6));
    c->terms_days = (int)db_col_int(st, 7);
    c->archived = db_col_int(st, 8) != 0;
    c->revision = db_col_int(st, 9);
}

int customer_find(struct book *b, const char *code, struct customer *out, struct err *e)
{
    memset(out, 0, sizeof *out);
    sqlite3_stmt *st = db_prepare(b, "SELECT " CUSTOMER_COLS " FROM customers c JOIN currencies cur"
                                     " ON cur.code = c.currency WHERE c.code = :code");
    db_bind_text(st, ":code", code ? code : "");
    int rc = db_step(b, st, e);
    if (rc < 0)
        return e->code;
    if (rc != SQLITE_ROW)
        return err_set(e, ERR_NOTFOUND, "no customer '%s'", code ? code : "");
    read_customer(st, out);
    sqlite3_reset(st);
    return ERR_OK;
}

int customer_get(struct book *b, int64_t id, struct customer *out, struct err *e)
{
    memset(out, 0, sizeof *out);
    sqlite3_stmt *st = db_prepare(b, "SELECT " CUSTOMER_COLS " FROM customers c JOIN currencies cur"
                                     " ON cur.code = c.currency WHERE c.id = :id");
    db_bind_int(st, ":id", id);
    int rc = db_step(b, st, e);
    if (rc < 0)
        return e->code;
    if (rc != SQLITE_ROW)
        return err_set(e, ERR_NOTFOUND, "no customer with id %lld", (long long)id);
    read_customer(st, out);
    sqlite3_reset(st);
    return ERR_OK;
}

/* Validates and resolves the defaults (currency, terms) of an input. */
static int prepare_input(struct book *b, const struct customer_input *in, char currency[4],
                         int *terms, struct err *e)
{
    enum customer_field field;
    if (customer_validate(in, &field, e) != ERR_OK)
        return e->code;
    if (in->currency) {
        memcpy(currency, in->currency, 4);
    } else {
        struct book_settings s;
        if (book_settings_get(b, &s, e) != ERR_OK)
            return e->code;
        memcpy(currency, s.base_currency, 4);
    }
    if (db_currency_exponent(b, currency) < 0)
        return err_set(e, ERR_INPUT, "currency: '%s' is not an ISO 4217 currency ratable knows",
                       currency);
    *terms = in->terms_days < 0 ? 30 : in->terms_days;
    return ERR_OK;
}

static const char *blank_null(const char *s)
{
    return s && *s ? s : NULL;
}

int customer_add(struct book *b, const struct customer_input *in, int64_t *id, struct err *e)
{
    char currency[4];
    int terms;
    if (prepare_input(b, in, currency, &terms, e) != ERR_OK)
        return e->code;
    int rc = book_begin(b, e);
    if (rc != ERR_OK)
        return rc;
    char at[32];
    sqlite3_stmt *st = db_prepare(b, "INSERT INTO customers (code, name, currency, email,"
                                     " terms_days, address, created_at) VALUES (:code, :name,"
                                     " :currency, :email, :terms, :address, :at)");
    db_bind_text(st, ":code", in->code);
    db_bind_text(st, ":name", in->name);
    db_bind_text(st, ":currency", currency);
    db_bind_text(st, ":email", blank_null(in->email));
    db_bind_int(st, ":terms", terms);
    db_bind_text(st, ":address", blank_null(in->address));
    db_bind_text(st, ":at", book_timestamp(b, at, sizeof at));
    if ((rc = db_exec(b, st, e)) != ERR_OK) {
        if (rc == ERR_EXISTS)
            err_set(e, ERR_EXISTS, "code: a customer '%s' already exists", in->code);
        goto fail;
    }
    *id = db_last_id(b);
    if ((rc = db_log(b, "customer.add", "customer", *id, NULL, e)) != ERR_OK)
        goto fail;
    return book_commit(b, e);
fail:
    book_rollback(b);
    return rc;
}

int customer_update(struct book *b, int64_t id, int64_t revision, const struct customer_input *in,
                    struct err *e)
{
    char currency[4];
    int terms;
    if (prepare_input(b, in, currency, &terms, e) != ERR_OK)
        return e->code;
    int rc = book_begin(b, e);
    if (rc != ERR_OK)
        return rc;
    char *before = db_snapshot(b, "customer", id);
    if (!before) {
        rc = err_set(e, ERR_NOTFOUND, "no customer with id %lld", (long long)id);
        goto fail;
    }
    sqlite3_stmt *st = db_prepare(b, "UPDATE customers SET code = :code, name = :name, currency ="
                                     " :currency, email = :email, terms_days = :terms, address ="
                                     " :address, revision = revision + 1"
                                     " WHERE id = :id AND revision = :revision");
    db_bind_text(st, ":code", in->code);
    db_bind_text(st, ":name", in->name);
    db_bind_text(st, ":currency", currency);
    db_bind_text(st, ":email", blank_null(in->email));
    db_bind_int(st, ":terms", terms);
    db_bind_text(st, ":address", blank_null(in->address));
    db_bind_int(st, ":id", id);
    db_bind_int(st, ":revision", revision);
    if ((rc = db_exec(b, st, e)) != ERR_OK) {
        if (rc == ERR_EXISTS)
            err_set(e, ERR_EXISTS, "code: a customer '%s' already exists", in->code);
        else if (rc == ERR_RULE)
            err_prefix(e, "currency");
        goto fail;
    }
    if (db_changes(b) != 1) {
        rc = err_set(e, ERR_CONFLICT,
                     "customer '%s' changed since you opened it (someone else saved it): reload?",
                     in->code);
        goto fail;
    }
    if ((rc = db_log(b, "customer.edit", "customer", id, before, e)) != ERR_OK)
        goto fail;
    free(before);
    return book_commit(b, e);
fail:
    free(before);
    book_rollback(b);
    return rc;
}

int customer_set_archived(struct book *b, int64_t id, int64_t revision, bool archived,
                          struct err *e)
{
    int rc = book_begin(b, e);
    if (rc != ERR_OK)
        return rc;
    char *before = db_snapshot(b, "customer", id);
    sqlite3_stmt *st = db_prepare(b, "UPDATE customers SET archived = :archived, revision ="
                                     " revision + 1 WHERE id = :id AND revision = :revision");
    db_bind_int(st, ":archived", archived);
    db_bind_int(st, ":id", id);
    db_bind_int(st, ":revision", revision);
    if ((rc = db_exec(b, st, e)) != ERR_OK)
        goto fail;
    if (!before) {
        rc = err_set(e, ERR_NOTFOUND, "no customer with id %lld", (long long)id);
        goto fail;
    }
    if (db_changes(b) != 1) {
        rc = err_set(e, ERR_CONFLICT,
                     "the customer changed since you opened it (someone else saved it): reload?");
        goto fail;
    }
    if ((rc = db_log(b, archived ? "customer.archive" : "customer.unarchive", "customer", id,
                     before, e)) != ERR_OK)
        goto fail;
    free(before);
    return book_commit(b, e);
fail:
    free(before);
    book_rollback(b);
    return rc;
}

int customer_balance(struct book *b, int64_t id, int32_t as_of, struct customer_balance *out,
                     struct err *e)
{
    memset(out, 0, sizeof *out);
    /* What each issued invoice still asked for at the end of as_of. */
    sqlite3_stmt *st = db_prepare(
        b, "SELECT count(*), coalesce(sum(open), 0), coalesce(sum(CASE WHEN due_on < :d THEN open"
           " ELSE 0 END), 0) FROM (SELECT i.due_on, i.total"
           " - coalesce((SELECT -sum(m.amount) FROM credit_movements m WHERE m.invoice_id = i.id"
           "   AND m.kind = 'applied' AND m.on_date <= :d), 0)"
           " - coalesce((SELECT sum(a.amount) FROM payment_applications a JOIN payments p ON p.id"
           "   = a.payment_id WHERE a.invoice_id = i.id AND p.received_on <= :d), 0)"
           " - coalesce((SELECT sum(n.applied) FROM credit_notes n WHERE n.invoice_id = i.id"
           "   AND n.issued_on <= :d), 0)"
           " - coalesce((SELECT sum(x.amount) FROM deposit_applications x WHERE x.invoice_id ="
           "   i.id AND x.on_date <= :d), 0) AS open"
           " FROM invoices i WHERE i.customer_id = :id AND i.status = 'issued'"
           " AND i.issued_on <= :d) WHERE open <> 0");
    db_bind_int(st, ":id", id);
    db_bind_date(st, ":d", as_of);
    int rc = db_step(b, st, e);
    if (rc < 0)
        return e->code;
    out->open_invoices = (int)db_col_int(st, 0);
    out->owed = db_col_money(st, 1);
    out->overdue = db_col_money(st, 2);
    sqlite3_reset(st);

    st = db_prepare(b, "SELECT coalesce(sum(CASE WHEN g.kind IN ('prepaid', 'refund') THEN"
                       " m.amount END), 0), coalesce(sum(CASE WHEN g.kind IN ('promotional',"
                       " 'goodwill') THEN m.amount END), 0) FROM credit_movements m JOIN"
                       " credit_grants g ON g.id = m.grant_id WHERE g.customer_id = :id AND"
                       " m.on_date <= :d");
    db_bind_int(st, ":id", id);
    db_bind_date(st, ":d", as_of);
    rc = db_step(b, st, e);
    if (rc < 0)
        return e->code;
    out->credit_paid = db_col_money(st, 0);
    out->credit_free = db_col_money(st, 1);
    sqlite3_reset(st);
    return ERR_OK;
}

/* ---- the list --------------------------------------------------------------------------- */

/* A page of the list computes the balances of its own customers, each with a search per
 * invoice: what an issued invoice still asks for is its total less what settled it, as
 * invoice_balances has it, read from the indexes by customer (status, total) and by invoice
 * (each kind of settlement) without a read of the invoice's row. The whole list (or one sorted
 * by a balance, which needs them all) adds up every invoice, settlement and credit movement
 * once, grouped by customer. */
#define LIST_COLUMNS "SELECT c.id, c.code, c.name, c.currency, cur.exponent, c.archived,"
#define LIST_SELECT                                                                                \
    LIST_COLUMNS                                                                                   \
    " coalesce((SELECT sum(i.total + coalesce((SELECT sum(m.amount) FROM credit_movements m"       \
    " WHERE m.invoice_id = i.id AND m.kind = 'applied'), 0) - coalesce((SELECT sum(a.amount)"      \
    " FROM payment_applications a WHERE a.invoice_id = i.id), 0) - coalesce((SELECT"               \
    " sum(n.applied) FROM credit_notes n WHERE n.invoice_id = i.id), 0) - coalesce((SELECT"        \
    " sum(d.amount) FROM deposit_applications d WHERE d.invoice_id = i.id), 0)) FROM invoices i"   \
    " WHERE i.customer_id = c.id AND i.status = 'issued'), 0) AS owed,"                            \
    " coalesce((SELECT sum(m.amount) FROM credit_grants g JOIN credit_movements m ON m.grant_id"   \
    " = g.id WHERE g.customer_id = c.id), 0) AS credit"                                            \
    " FROM customers c JOIN currencies cur ON cur.code = c.currency"
/* What an issued invoice still asks for is its total less what settled it (invoice_balances):
 * added up by customer over the invoices and each kind of settlement. */
#define LIST_SELECT_ALL                                                                            \
    LIST_COLUMNS                                                                                   \
    " coalesce(o.owed, 0) AS owed, coalesce(k.credit, 0) AS credit"                                \
    " FROM customers c JOIN currencies cur ON cur.code = c.currency LEFT JOIN (SELECT cid,"        \
    " sum(amt) AS owed FROM (SELECT customer_id AS cid, total AS amt FROM invoices WHERE status"   \
    " = 'issued' UNION ALL SELECT i.customer_id, m.amount FROM credit_movements m JOIN invoices"   \
    " i ON i.id = m.invoice_id AND i.status = 'issued' WHERE m.kind = 'applied' UNION ALL"         \
    " SELECT i.customer_id, -a.amount FROM payment_applications a JOIN invoices i ON i.id ="       \
    " a.invoice_id AND i.status = 'issued' UNION ALL SELECT i.customer_id, -n.applied FROM"        \
    " credit_notes n JOIN invoices i ON i.id = n.invoice_id AND i.status = 'issued' UNION ALL"     \
    " SELECT i.customer_id, -d.amount FROM deposit_applications d JOIN invoices i ON i.id ="       \
    " d.invoice_id AND i.status = 'issued') GROUP BY cid) o ON o.cid = c.id LEFT JOIN (SELECT"     \
    " g.customer_id AS cid, sum(m.amount) AS credit FROM credit_grants g JOIN credit_movements m"  \
    " ON m.grant_id = g.id GROUP BY g.customer_id) k ON k.cid = c.id"
#define LIST_WHERE                                                                                 \
    " WHERE (:archived OR c.archived = 0) AND (:pattern IS NULL OR c.code LIKE :pattern"           \
    " ESCAPE '\\' OR c.name LIKE :pattern ESCAPE '\\')"
#define LIST_PAGE " LIMIT :limit OFFSET :offset"

#define LIST_ORDERS(SELECT)                                                                        \
    {                                                                                              \
        {SELECT LIST_WHERE " ORDER BY c.code COLLATE NOCASE" LIST_PAGE,                            \
         SELECT LIST_WHERE " ORDER BY c.code COLLATE NOCASE DESC" LIST_PAGE},                      \
            {SELECT LIST_WHERE " ORDER BY c.name COLLATE NOCASE, c.code" LIST_PAGE,                \
             SELECT LIST_WHERE " ORDER BY c.name COLLATE NOCASE DESC, c.code" LIST_PAGE},          \
            {SELECT LIST_WHERE " ORDER BY owed, c.code" LIST_PAGE,                                 \
             SELECT LIST_WHERE " ORDER BY owed DESC, c.code" LIST_PAGE},                           \
            {SELECT LIST_WHERE " ORDER BY credit, c.code" LIST_PAGE,                               \
             SELECT LIST_WHERE " ORDER BY credit DESC, c.code" LIST_PAGE},                         \
    }

/* One statement per order: ORDER BY cannot be a bound parameter. */
static const char *const list_sql[4][2] = LIST_ORDERS(LIST_SELECT);
static const char *const list_all_sql[4][2] = LIST_ORDERS(LIST_SELECT_ALL);

/* Pages up to this long compute their own customers' balances. */
#define LIST_PAGE_MAX 500

/*
 * Keyset paging: the rows after (or before) an anchor in the list's order, found by seeking the
 * sort key. :k is the anchor's sort key and :code its code; :incl takes the anchor itself too.
 * The leading `k >= :k` (or `<=`) is what lets SQLite seek the index; the rest settles ties by
 * code, ascending within a descending key as customer_list orders them. Backward pages come
 * nearest first and are turned round by customer_page.
 */
#define SEEK_FWD_ASC(k, code)                                                                      \
    " AND " k " >= :k AND (" k " > :k OR " code " > :code OR (:incl AND " code " = :code))"        \
    " ORDER BY " k ", " code " LIMIT :limit"
#define SEEK_BWD_ASC(k, code)                                                                      \
    " AND " k " <= :k AND (" k " < :k OR " code " < :code OR (:incl AND " code " = :code))"        \
    " ORDER BY " k " DESC, " code " DESC LIMIT :limit"
#define SEEK_FWD_DESC(k, code)                                                                     \
    " AND " k " <= :k AND (" k " < :k OR " code " > :code OR (:incl AND " code " = :code))"        \
    " ORDER BY " k " DESC, " code " LIMIT :limit"
#define SEEK_BWD_DESC(k, code)                                                                     \
    " AND " k " >= :k AND (" k " > :k OR " code " < :code OR (:incl AND " code " = :code))"        \
    " ORDER BY " k ", " code " DESC LIMIT :limit"
#define PAGE_SQL(SELECT, k, code)                                                                  \
    {                                                                                              \
        {SELECT LIST_WHERE SEEK_FWD_ASC(k, code), SELECT LIST_WHERE SEEK_BWD_ASC(k, code)},        \
        {                                                                                          \
            SELECT LIST_WHERE SEEK_FWD_DESC(k, code), SELECT LIST_WHERE SEEK_BWD_DESC(k, code)     \
        }                                                                                          \
    }

/* By sort, descending, backward. */
static const char *const page_sql[4][2][2] = {
    PAGE_SQL(LIST_SELECT, "c.code", "c.code"),
    PAGE_SQL(LIST_SELECT, "c.name COLLATE NOCASE", "c.code"),
    PAGE_SQL(LIST_SELECT, "owed", "c.code"),
    PAGE_SQL(LIST_SELECT, "credit", "c.code"),
};

/* The balances kept by customer_sort_fill, in the connection's temporary storage: the seek runs
 * on their indexes (owed or credit, then code). */
#define KEPT_SELECT                                                                                \
    LIST_COLUMNS " s.owed, s.credit FROM temp.customer_sort s JOIN customers c ON c.id = s.id"     \
                 " JOIN currencies cur ON cur.code = c.currency"
static const char *const kept_sql[2][2][2] = {
    PAGE_SQL(KEPT_SELECT, "s.owed", "s.code"),
    PAGE_SQL(KEPT_SELECT, "s.credit", "s.code"),
};

static void read_row(sqlite3_stmt *st, struct customer_row *r)
{
    r->id = db_col_int(st, 0);
    db_col_copy(st, 1, r->code, sizeof r->code);
    r->name = xstrdup(db_col_text(st, 2));
    db_col_copy(st, 3, r->currency, sizeof r->currency);
    r->exponent = (int)db_col_int(st, 4);
    r->archived = db_col_int(st, 5) != 0;
    r->owed = db_col_money(st, 6);
    r->credit = db_col_money(st, 7);
}

int customer_list(struct book *b, const struct customer_query *q, size_t offset, size_t limit,
                  struct customer_list *out, struct err *e)
{
    bool all =
        limit > LIST_PAGE_MAX || q->sort == CUSTOMER_SORT_OWED || q->sort == CUSTOMER_SORT_CREDIT;
    sqlite3_stmt *st = db_prepare(b, (all ? list_all_sql : list_sql)[q->sort][q->descending]);
    char *pattern = text_like_pattern(q->filter);
    db_bind_int(st, ":archived", q->include_archived);
    db_bind_text(st, ":pattern", pattern);
    db_bind_int(st, ":limit", (int64_t)limit);
    db_bind_int(st, ":offset", (int64_t)offset);
    free(pattern);
    int rc;
    while ((rc = db_step(b, st, e)) == SQLITE_ROW) {
        out->rows = xgrow(out->rows, &out->cap, out->n + 1, sizeof *out->rows);
        read_row(st, &out->rows[out->n++]);
    }
    return rc < 0 ? e->code : ERR_OK;
}

int customer_page(struct book *b, const struct customer_query *q, enum page_seek seek,
                  const struct customer_row *anchor, size_t limit, struct customer_list *out,
                  struct err *e)
{
    bool backward = page_seek_backward(seek);
    bool ends = seek == PAGE_FIRST || seek == PAGE_LAST;
    assert(ends || anchor);
    bool kept = q->kept && (q->sort == CUSTOMER_SORT_OWED || q->sort == CUSTOMER_SORT_CREDIT);
    sqlite3_stmt *st =
        db_prepare(b, kept ? kept_sql[q->sort == CUSTOMER_SORT_CREDIT][q->descending][backward]
                           : page_sql[q->sort][q->descending][backward]);
    char *pattern = text_like_pattern(q->filter);
    db_bind_int(st, ":archived", q->include_archived);
    db_bind_text(st, ":pattern", pattern);
    db_bind_int(st, ":limit", (int64_t)limit);
    db_bind_int(st, ":incl", seek == PAGE_FROM || seek == PAGE_UNTIL);
    free(pattern);
    bool text_key = q->sort == CUSTOMER_SORT_CODE || q->sort == CUSTOMER_SORT_NAME;
    if (ends) {
        /* From the first row: a key before every key (the code only breaks ties); from the last,
         * one after every key. Descending keys start from the top. */
        bool high = backward != q->descending;
        if (high && text_key)
            db_bind_top(st, ":k");
        else if (text_key)
            db_bind_text(st, ":k", "");
        else
            db_bind_int(st, ":k", high ? INT64_MAX : INT64_MIN);
        if (backward)
            db_bind_top(st, ":code");
        else
            db_bind_text(st, ":code", "");
    } else {
        switch (q->sort) {
        case CUSTOMER_SORT_CODE:
            db_bind_text(st, ":k", anchor->code);
            break;
        case CUSTOMER_SORT_NAME:
            db_bind_text(st, ":k", anchor->name);
            break;
        case CUSTOMER_SORT_OWED:
            db_bind_int(st, ":k", anchor->owed.minor);
            break;
        case CUSTOMER_SORT_CREDIT:
            db_bind_int(st, ":k", anchor->credit.minor);
            break;
        }
        db_bind_text(st, ":code", anchor->code);
    }
    size_t first = out->n;
    int rc;
    while ((rc = db_step(b, st, e)) == SQLITE_ROW) {
        out->rows = xgrow(out->rows, &out->cap, out->n + 1, sizeof *out->rows);
        read_row(st, &out->rows[out->n++]);
    }
    if (backward)
        for (size_t i = first, j = out->n; i + 1 < j; i++, j--) {
            struct customer_row t = out->rows[i];
            out->rows[i] = out->rows[j - 1];
            out->rows[j - 1] = t;
        }
    return rc < 0 ? e->code : ERR_OK;
}

int customer_sort_start(struct book *b, struct err *e)
{
    static const char *const steps[] = {
        ("CREATE TEMP TABLE IF NOT EXISTS customer_sort (id INTEGER PRIMARY KEY, code TEXT NOT"
         " NULL COLLATE NOCASE, owed INTEGER NOT NULL, credit INTEGER NOT NULL)"),
        "CREATE INDEX IF NOT EXISTS temp.customer_sort_owed ON customer_sort(owed, code)",
        "CREATE INDEX IF NOT EXISTS temp.customer_sort_credit ON customer_sort(credit, code)",
        "DELETE FROM temp.customer_sort",
    };
    for (size_t i = 0; i < sizeof steps / sizeof *steps; i++) {
        sqlite3_stmt *st = db_prepare(b, steps[i]);
        if (db_step(b, st, e) < 0)
            return e->code;
        sqlite3_reset(st);
    }
    return ERR_OK;
}

int customer_sort_fill(struct book *b, struct id_slice *s, struct err *e)
{
    /* Each customer's balances as a page works them out, from its own invoices and credit. */
    sqlite3_stmt *st = db_prepare(b, "INSERT OR REPLACE INTO temp.customer_sort (id, code, owed,"
                                     " credit) SELECT id, code, owed, credit FROM (" LIST_SELECT
                                     " WHERE c.id >= :from AND c.id < :to)");
    db_bind_int(st, ":from", s->from);
    db_bind_int(st, ":to", s->to);
    if (db_step(b, st, e) < 0)
        return e->code;
    sqlite3_reset(st);
    s->count = (size_t)db_changes(b);
    st = db_prepare(b, "SELECT coalesce(max(id), 0) FROM customers");
    if (db_step(b, st, e) < 0)
        return e->code;
    s->last = db_col_int(st, 0);
    sqlite3_reset(st);
    return ERR_OK;
}

int customer_count(struct book *b, const struct customer_query *q, struct id_slice *s,
                   struct err *e)
{
    sqlite3_stmt *st = db_prepare(b, "SELECT count(*), (SELECT coalesce(max(id), 0) FROM"
                                     " customers) FROM customers c" LIST_WHERE
                                     " AND c.id >= :from AND c.id < :to");
    char *pattern = text_like_pattern(q->filter);
    db_bind_int(st, ":archived", q->include_archived);
    db_bind_text(st, ":pattern", pattern);
    free(pattern);
    return db_count(b, st, s, e);
}

void customer_list_free(struct customer_list *l)
{
    for (size_t i = 0; i < l->n; i++)
        free(l->rows[i].name);
    free(l->rows);
    memset(l, 0, sizeof *l);
}
