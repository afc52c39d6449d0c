/*
 * statement_db.c — reading a customer's documents for its statement, and the receivables aging
 * of every customer.
 */
#include "model/statement.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "model/date.h"
#include "model/db.h"
#include "model/xalloc.h"

struct loaded {
    struct statement_invoice *inv;
    size_t ninv, capinv;
    int64_t *inv_id; /* book ids of inv[] */
    size_t capid;
    struct statement_settlement *set;
    size_t nset, capset;
    struct credit_grants grants;
    struct credit_movements moves;
};

static int index_of(const struct loaded *l, int64_t invoice_id)
{
    for (size_t i = 0; i < l->ninv; i++)
        if (l->inv_id[i] == invoice_id)
            return (int)i;
    return -1;
}

static struct statement_settlement *add_settlement(struct loaded *l)
{
    l->set = xgrow(l->set, &l->capset, l->nset + 1, sizeof *l->set);
    struct statement_settlement *s = &l->set[l->nset++];
    memset(s, 0, sizeof *s);
    s->invoice = -1;
    return s;
}

/* The customer's documents. Every issued invoice counts towards the balances, but only those
 * issued in [from, to] are lines of the statement: only theirs are described (their lines read). */
static int load_documents(struct book *b, const struct customer *c, int32_t from, int32_t to,
                          struct loaded *l, struct err *e)
{
    sqlite3_stmt *st = db_prepare(
        b, "SELECT i.id, i.number, i.issued_on, i.due_on, i.total, CASE WHEN i.issued_on BETWEEN"
           " :from AND :to THEN coalesce((SELECT description FROM invoice_lines WHERE invoice_id ="
           " i.id ORDER BY line_no LIMIT 1), '') ELSE '' END, CASE WHEN i.issued_on BETWEEN :from"
           " AND :to THEN (SELECT count(*) FROM invoice_lines WHERE invoice_id = i.id) ELSE 0 END"
           " FROM invoices i WHERE i.customer_id = :customer AND i.status = 'issued' ORDER BY"
           " i.issued_on, i.id");
    db_bind_int(st, ":customer", c->id);
    db_bind_date(st, ":from", from);
    db_bind_date(st, ":to", to);
    int rc;
    while ((rc = db_step(b, st, e)) == SQLITE_ROW) {
        l->inv = xgrow(l->inv, &l->capinv, l->ninv + 1, sizeof *l->inv);
        l->inv_id = xgrow(l->inv_id, &l->capid, l->ninv + 1, sizeof *l->inv_id);
        struct statement_invoice *v = &l->inv[l->ninv];
        memset(v, 0, sizeof *v);
        l->inv_id[l->ninv] = db_col_int(st, 0);
        db_col_copy(st, 1, v->number, sizeof v->number);
        v->issued_on = db_col_date(st, 2);
        v->due_on = db_col_date(st, 3);
        v->total = db_col_money(st, 4);
        int64_t lines = db_col_int(st, 6);
        if (lines > 1) {
            char first[201]; /* whole characters, with room for " and N more" */
            db_col_copy(st, 5, first, sizeof first);
            snprintf(v->description, sizeof v->description, "%s and %lld more", first,
                     (long long)(lines - 1));
        } else
            db_col_copy(st, 5, v->description, sizeof v->description);
        l->ninv++;
    }
    if (rc < 0)
        return e->code;

    /* Payments, each with what it settled (at most one invoice) and what went to credit. */
    st = db_prepare(b, "SELECT p.id, p.number, p.received_on, p.amount, a.invoice_id,"
                       " coalesce(a.amount, 0), coalesce((SELECT sum(g.amount) FROM credit_grants"
                       " g WHERE g.customer_id = p.customer_id AND g.payment_id = p.id), 0) FROM "
                       "payments p LEFT JOIN"
                       " payment_applications a ON a.payment_id = p.id WHERE p.customer_id ="
                       " :customer ORDER BY p.received_on, p.id");
    db_bind_int(st, ":customer", c->id);
    while ((rc = db_step(b, st, e)) == SQLITE_ROW) {
        struct statement_settlement *s = add_settlement(l);
        s->kind = SETTLE_PAYMENT;
        s->seq = db_col_int(st, 0);
        db_col_copy(st, 1, s->ref, sizeof s->ref);
        s->date = db_col_date(st, 2);
        struct money total = db_col_money(st, 3);
        s->invoice = db_col_is_null(st, 4) ? -1 : index_of(l, db_col_int(st, 4));
        s->amount = db_col_money(st, 5);
        s->to_credit = db_col_money(st, 6);
        s->to_deposit = money_of(total.minor - s->amount.minor - s->to_credit.minor);
    }
    if (rc < 0)
        return e->code;

    /* Credit applied, one line per invoice and day. */
    st = db_prepare(b, "SELECT m.invoice_id, m.on_date, -sum(m.amount), min(m.id), i.number FROM"
                       " credit_movements m JOIN credit_grants g ON g.id = m.grant_id JOIN"
                       " invoices i ON i.id = m.invoice_id WHERE g.customer_id = :customer AND"
                       " m.kind = 'applied' GROUP BY m.invoice_id, m.on_date ORDER BY m.on_date,"
                       " min(m.id)");
    db_bind_int(st, ":customer", c->id);
    while ((rc = db_step(b, st, e)) == SQLITE_ROW) {
        struct statement_settlement *s = add_settlement(l);
        s->kind = SETTLE_CREDIT;
        s->invoice = index_of(l, db_col_int(st, 0));
        s->date = db_col_date(st, 1);
        s->amount = db_col_money(st, 2);
        s->seq = db_col_int(st, 3);
        snprintf(s->ref, sizeof s->ref, "CR-%s", db_col_text(st, 4));
    }
    if (rc < 0)
        return e->code;

    st = db_prepare(b, "SELECT n.id, n.number, n.issued_on, n.amount, n.applied, n.invoice_id FROM"
                       " credit_notes n JOIN invoices i ON i.id = n.invoice_id WHERE"
                       " i.customer_id = :customer ORDER BY n.issued_on, n.id");
    db_bind_int(st, ":customer", c->id);
    while ((rc = db_step(b, st, e)) == SQLITE_ROW) {
        struct statement_settlement *s = add_settlement(l);
        s->kind = SETTLE_CREDIT_NOTE;
        s->seq = db_col_int(st, 0);
        db_col_copy(st, 1, s->ref, sizeof s->ref);
        s->date = db_col_date(st, 2);
        s->amount = db_col_money(st, 4);
        s->to_credit = money_of(db_col_int(st, 3) - s->amount.minor);
        s->invoice = index_of(l, db_col_int(st, 5));
    }
    if (rc < 0)
        return e->code;
    /* Deposits applied to invoices. */
    st = db_prepare(b, "SELECT a.id, a.invoice_id, a.on_date, a.amount, k.code FROM"
                       " deposit_applications a JOIN deposits d ON d.id = a.deposit_id JOIN"
                       " contracts k ON k.id = d.contract_id WHERE k.customer_id = :customer"
                       " ORDER BY a.on_date, a.id");
    db_bind_int(st, ":customer", c->id);
    while ((rc = db_step(b, st, e)) == SQLITE_ROW) {
        struct statement_settlement *s = add_settlement(l);
        s->kind = SETTLE_DEPOSIT;
        s->seq = db_col_int(st, 0);
        s->invoice = index_of(l, db_col_int(st, 1));
        s->date = db_col_date(st, 2);
        s->amount = db_col_money(st, 3);
        snprintf(s->ref, sizeof s->ref, "DEP-%s", db_col_text(st, 4));
    }
    if (rc < 0)
        return e->code;
    if ((rc = credit_grants_load(b, c->id, DATE_NONE, &l->grants, e)) != ERR_OK)
        return rc;
    return credit_movements_load(b, c->id, 0, &l->moves, e);
}

static void loaded_free(struct loaded *l)
{
    free(l->inv);
    free(l->inv_id);
    free(l->set);
    credit_grants_free(&l->grants);
    credit_movements_free(&l->moves);
}

int statement_load(struct book *b, const char *customer, int32_t from, int32_t to,
                   struct statement *out, struct err *e)
{
    memset(out, 0, sizeof *out);
    struct customer c;
    if (customer_find(b, customer, &c, e) != ERR_OK)
        return e->code;
    struct loaded l = {0};
    int rc = load_documents(b, &c, from, to, &l, e);
    if (rc == ERR_OK) {
        struct statement_source src = {
            .exponent = c.exponent,
            .invoices = l.inv,
            .ninvoices = l.ninv,
            .settlements = l.set,
            .nsettlements = l.nset,
            .movements = l.moves.v,
            .nmovements = l.moves.n,
            .grants = l.grants.v,
            .ngrants = l.grants.n,
        };
        memcpy(src.customer, c.code, sizeof src.customer);
        src.name = c.name;
        memcpy(src.currency, c.currency, sizeof src.currency);
        rc = statement_build(&src, from, to, out, e);
    }
    loaded_free(&l);
    customer_clear(&c);
    return rc;
}

int aging_load(struct book *b, int32_t as_of, struct aging_rows *out, struct err *e)
{
    /* What each issued invoice still asked for at the end of as_of, oldest customers first. */
    sqlite3_stmt *st = db_prepare(
        b, "SELECT c.code, c.name, c.currency, cur.exponent, o.due_on, o.open FROM (SELECT"
           " i.customer_id, i.due_on, i.total"
           " - coalesce((SELECT -sum(m.amount) FROM credit_movements m WHERE m.invoice_id = i.id"
           "   AND m.kind = 'applied' AND m.on_date <= :d), 0)"
           " - coalesce((SELECT sum(a.amount) FROM payment_applications a JOIN payments p ON p.id"
           "   = a.payment_id WHERE a.invoice_id = i.id AND p.received_on <= :d), 0)"
           " - coalesce((SELECT sum(n.applied) FROM credit_notes n WHERE n.invoice_id = i.id"
           "   AND n.issued_on <= :d), 0)"
           " - coalesce((SELECT sum(x.amount) FROM deposit_applications x WHERE x.invoice_id ="
           "   i.id AND x.on_date <= :d), 0) AS open"
           " FROM invoices i WHERE i.status = 'issued' AND i.issued_on <= :d) o"
           " JOIN customers c ON c.id = o.customer_id JOIN currencies cur ON cur.code ="
           " c.currency WHERE o.open <> 0 ORDER BY c.currency, c.code");
    db_bind_date(st, ":d", as_of);
    int rc;
    bool overflow = false;
    while ((rc = db_step(b, st, e)) == SQLITE_ROW) {
        const char *code = db_col_text(st, 0);
        struct aging_row *r = out->n ? &out->v[out->n - 1] : NULL;
        if (!r || strcmp(r->customer, code) != 0) {
            out->v = xgrow(out->v, &out->cap, out->n + 1, sizeof *out->v);
            r = &out->v[out->n++];
            memset(r, 0, sizeof *r);
            db_col_copy(st, 0, r->customer, sizeof r->customer);
            r->name = xstrdup(db_col_text(st, 1));
            db_col_copy(st, 2, r->currency, sizeof r->currency);
            r->exponent = (int)db_col_int(st, 3);
        }
        struct money open = db_col_money(st, 5);
        enum aging_bucket k = aging_bucket_of(db_col_date(st, 4), as_of);
        money_accumulate(&r->bucket[k], open, &overflow);
        money_accumulate(&r->total, open, &overflow);
        r->open_invoices++;
    }
    if (rc < 0)
        return e->code;
    if (overflow)
        return err_set(e, ERR_OVERFLOW, "the aging totals overflow");
    return ERR_OK;
}

void aging_rows_free(struct aging_rows *r)
{
    for (size_t i = 0; i < r->n; i++)
        free(r->v[i].name);
    free(r->v);
    memset(r, 0, sizeof *r);
}
