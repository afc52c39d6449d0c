/*
 * statement.c — building a customer statement from its documents (ACCOUNTING.md §5), and the
 * aging buckets of receivables.
 *
 * "What the customer owed" at the end of a day is the total of the invoices issued by then less
 * everything that settled them by then (payments, credit applied, credit notes). The opening
 * balance is that at the end of the day before `from`; each line in [from, to] moves the running
 * balance; the closing balance equals the sum of the open invoices at `to`, which is checked.
 */
#include "model/statement.h"

#include <assert.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "model/date.h"
#include "model/xalloc.h"

enum aging_bucket aging_bucket_of(int32_t due, int32_t as_of)
{
    int32_t late = as_of - due;
    if (late <= 0)
        return AGING_CURRENT;
    if (late <= 30)
        return AGING_1_30;
    if (late <= 60)
        return AGING_31_60;
    if (late <= 90)
        return AGING_61_90;
    return AGING_OVER_90;
}

const char *aging_bucket_title(enum aging_bucket b)
{
    static const char *const titles[AGING_BUCKETS] = {"Current", "1-30 days", "31-60 days",
                                                      "61-90 days", "Over 90 days"};
    return titles[b];
}

/* A line before it is placed in date order. */
struct pending {
    struct statement_line line;
    int rank; /* invoices before what settles them on the same day */
    int64_t seq;
};

static int pending_cmp(const void *a, const void *b)
{
    const struct pending *x = a, *y = b;
    if (x->line.date != y->line.date)
        return x->line.date < y->line.date ? -1 : 1;
    if (x->rank != y->rank)
        return x->rank < y->rank ? -1 : 1;
    return x->seq < y->seq ? -1 : x->seq > y->seq;
}

static void with_credit_note(char *buf, size_t size, struct money to_credit, int exponent)
{
    if (to_credit.minor <= 0)
        return;
    char m[MONEY_BUF];
    size_t n = strlen(buf);
    snprintf(buf + n, size - n, "; %s to credit balance",
             money_format(to_credit, exponent, MONEY_GROUP, m, sizeof m));
}

static void describe(const struct statement_source *src, const struct statement_settlement *s,
                     struct statement_line *l)
{
    const char *inv = s->invoice >= 0 ? src->invoices[s->invoice].number : NULL;
    switch (s->kind) {
    case SETTLE_PAYMENT: {
        char total[MONEY_BUF];
        money_format(money_of(s->amount.minor + s->to_credit.minor + s->to_deposit.minor),
                     src->exponent, MONEY_GROUP, total, sizeof total);
        if (inv)
            snprintf(l->description, sizeof l->description, "Payment %s received for %s", total,
                     inv);
        else
            snprintf(l->description, sizeof l->description, "Payment %s received", total);
        with_credit_note(l->description, sizeof l->description, s->to_credit, src->exponent);
        if (s->to_deposit.minor > 0) {
            char dep[MONEY_BUF];
            size_t n = strlen(l->description);
            snprintf(l->description + n, sizeof l->description - n,
                     "; %s held as a deposit for a contract not yet active",
                     money_format(s->to_deposit, src->exponent, MONEY_GROUP, dep, sizeof dep));
        }
        l->kind = LINE_PAYMENT;
        break;
    }
    case SETTLE_DEPOSIT:
        snprintf(l->description, sizeof l->description, "Deposit applied to %s", inv ? inv : "");
        l->kind = LINE_DEPOSIT;
        break;
    case SETTLE_CREDIT:
        snprintf(l->description, sizeof l->description, "Credit applied to %s", inv ? inv : "");
        l->kind = LINE_CREDIT;
        break;
    case SETTLE_CREDIT_NOTE:
        snprintf(l->description, sizeof l->description, "Credit note on %s", inv ? inv : "");
        with_credit_note(l->description, sizeof l->description, s->to_credit, src->exponent);
        l->kind = LINE_CREDIT_NOTE;
        break;
    }
}

int statement_build(const struct statement_source *src, int32_t from, int32_t to,
                    struct statement *out, struct err *e)
{
    memset(out, 0, sizeof *out);
    if (to < from)
        return err_set(e, ERR_INPUT, "--to: is before --from");
    memcpy(out->customer, src->customer, sizeof out->customer);
    out->name = xstrdup(src->name ? src->name : "");
    memcpy(out->currency, src->currency, sizeof out->currency);
    out->exponent = src->exponent;
    out->from = from;
    out->to = to;

    bool overflow = false;
    struct pending *p = xmalloc((src->ninvoices + src->nsettlements + 1) * sizeof *p);
    size_t np = 0;
    int64_t *open = xcalloc(src->ninvoices + 1, sizeof *open); /* per invoice, at `to` */

    for (size_t i = 0; i < src->ninvoices; i++) {
        const struct statement_invoice *inv = &src->invoices[i];
        if (inv->issued_on > to)
            continue;
        open[i] = inv->total.minor;
        if (inv->issued_on < from) {
            money_accumulate(&out->opening, inv->total, &overflow);
            continue;
        }
        struct pending *q = &p[np++];
        memset(q, 0, sizeof *q);
        q->line.date = inv->issued_on;
        q->line.kind = LINE_INVOICE;
        snprintf(q->line.ref, sizeof q->line.ref, "%s", inv->number);
        snprintf(q->line.description, sizeof q->line.description, "%s", inv->description);
        q->line.charge = inv->total;
        q->rank = 0;
        q->seq = (int64_t)i;
    }
    for (size_t i = 0; i < src->nsettlements; i++) {
        const struct statement_settlement *s = &src->settlements[i];
        if (s->date > to)
            continue;
        if (s->invoice >= 0)
            open[s->invoice] -= s->amount.minor;
        if (s->date < from) {
            out->opening.minor -= s->amount.minor;
            continue;
        }
        struct pending *q = &p[np++];
        memset(q, 0, sizeof *q);
        q->line.date = s->date;
        snprintf(q->line.ref, sizeof q->line.ref, "%s", s->ref);
        describe(src, s, &q->line);
        q->line.credit = s->amount;
        q->rank = 1;
        q->seq = s->seq;
    }
    qsort(p, np, sizeof *p, pending_cmp);
    out->lines = xmalloc((np ? np : 1) * sizeof *out->lines);
    struct money running = out->opening;
    for (size_t i = 0; i < np; i++) {
        struct statement_line *l = &out->lines[out->nlines++];
        *l = p[i].line;
        money_accumulate(&running, l->charge, &overflow);
        money_accumulate(&running, money_of(-l->credit.minor), &overflow);
        money_accumulate(&out->charges, l->charge, &overflow);
        money_accumulate(&out->credits, l->credit, &overflow);
        l->balance = running;
    }
    out->closing = running;
    free(p);

    /* Open invoices at `to`, aged; oldest due date first. */
    out->open = xmalloc((src->ninvoices ? src->ninvoices : 1) * sizeof *out->open);
    for (size_t i = 0; i < src->ninvoices; i++) {
        const struct statement_invoice *inv = &src->invoices[i];
        if (inv->issued_on > to || open[i] == 0)
            continue;
        struct statement_open *o = &out->open[out->nopen++];
        memset(o, 0, sizeof *o);
        snprintf(o->number, sizeof o->number, "%s", inv->number);
        o->issued_on = inv->issued_on;
        o->due_on = inv->due_on;
        o->total = inv->total;
        o->open = money_of(open[i]);
        o->days_past_due = to > inv->due_on ? (int)(to - inv->due_on) : 0;
        o->bucket = aging_bucket_of(inv->due_on, to);
        money_accumulate(&out->aging[o->bucket], o->open, &overflow);
        money_accumulate(&out->aging_total, o->open, &overflow);
    }
    for (size_t i = 1; i < out->nopen; i++) {
        struct statement_open v = out->open[i];
        size_t j = i;
        while (j > 0 && out->open[j - 1].due_on > v.due_on) {
            out->open[j] = out->open[j - 1];
            j--;
        }
        out->open[j] = v;
    }
    free(open);

    /* The credit balance: the movements of every grant, by kind, in and before the range. */
    struct statement_credit *cr = &out->credit;
    int64_t *left = xcalloc(src->ngrants + 1, sizeof *left); /* per grant, at `to` */
    for (size_t i = 0; i < src->nmovements; i++) {
        const struct credit_movement *m = &src->movements[i];
        if (m->on_date > to)
            continue;
        for (size_t g = 0; g < src->ngrants; g++)
            if (src->grants[g].id == m->grant_id)
                left[g] += m->amount.minor;
        if (m->on_date < from) {
            money_accumulate(&cr->opening, m->amount, &overflow);
            continue;
        }
        struct money *slot = NULL;
        switch (m->kind) {
        case MOVE_GRANTED:
            slot = &cr->granted;
            break;
        case MOVE_APPLIED:
            slot = &cr->applied;
            break;
        case MOVE_EXPIRED:
            slot = &cr->expired;
            break;
        case MOVE_REFUNDED:
            slot = &cr->refunded;
            break;
        case MOVE_ADJUSTED:
            slot = &cr->adjusted;
            break;
        }
        money_accumulate(slot, m->amount, &overflow);
    }
    cr->closing = cr->opening;
    money_accumulate(&cr->closing, cr->granted, &overflow);
    money_accumulate(&cr->closing, cr->applied, &overflow);
    money_accumulate(&cr->closing, cr->expired, &overflow);
    money_accumulate(&cr->closing, cr->refunded, &overflow);
    money_accumulate(&cr->closing, cr->adjusted, &overflow);

    out->expiring = xmalloc((src->ngrants ? src->ngrants : 1) * sizeof *out->expiring);
    for (size_t g = 0; g < src->ngrants; g++) {
        const struct credit_grant *gr = &src->grants[g];
        if (gr->expires_on == DATE_NONE || gr->granted_on > to || gr->expires_on < to ||
            left[g] <= 0)
            continue;
        struct statement_expiring *x = &out->expiring[out->nexpiring++];
        x->grant_id = gr->id;
        x->kind = gr->kind;
        x->granted_on = gr->granted_on;
        x->expires_on = gr->expires_on;
        x->remaining = money_of(left[g]);
    }
    free(left);
    if (overflow) {
        statement_free(out);
        return err_set(e, ERR_OVERFLOW, "the statement's totals overflow");
    }
    /* The running balance and the open invoices are two views of one figure. */
    assert(out->closing.minor == out->aging_total.minor);
    return ERR_OK;
}

void statement_free(struct statement *s)
{
    free(s->name);
    free(s->lines);
    free(s->open);
    free(s->expiring);
    memset(s, 0, sizeof *s);
}
