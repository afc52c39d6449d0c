/*
 * statement_report.c — the customer statement as a report: the transactions with a running
 * balance, the aging of open invoices, the credit balance and the credit that will expire
 * (ACCOUNTING.md §5). Balances, totals and the aging total are live formulas carrying the
 * figures ratable computed.
 */
#include "reports/reports.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "model/date.h"
#include "model/statement.h"
#include "model/xalloc.h"

static const char *const line_types[] = {"Invoice", "Payment", "Credit applied", "Credit note",
                                         "Deposit applied"};

static void transactions(struct report *r, const struct statement *s)
{
    static const struct report_col cols[] = {
        {"date", "Date", COL_DATE, 10},        {"type", "Type", COL_TEXT, 14},
        {"ref", "Reference", COL_TEXT, 14},    {"description", "Description", COL_TEXT, 40},
        {"charges", "Charges", COL_MONEY, 14}, {"credits", "Payments and credits", COL_MONEY, 14},
        {"balance", "Balance", COL_MONEY, 14},
    };
    struct report_table *t = report_add_table(r, "transactions", "Transactions", cols, 7);
    t->freeze_cols = 1;
    int x = s->exponent;
    struct report_row *row = report_row_add(t, ROW_SUBTOTAL);
    cell_date(row, t, "date", s->from);
    cell_text(t, row, "description", "Opening balance");
    cell_money(row, t, "balance", s->opening, x);
    for (size_t i = 0; i < s->nlines; i++) {
        const struct statement_line *l = &s->lines[i];
        row = report_row_add(t, ROW_DATA);
        cell_date(row, t, "date", l->date);
        cell_text(t, row, "type", line_types[l->kind]);
        cell_text(t, row, "ref", l->ref);
        cell_text(t, row, "description", l->description);
        /* An invoice only charges and a payment only credits: the other cell stays empty. */
        if (l->charge.minor)
            cell_money(row, t, "charges", l->charge, x);
        if (l->credit.minor || l->kind != LINE_INVOICE)
            cell_money(row, t, "credits", l->credit, x);
        cell_money(row, t, "balance", l->balance, x);
        cell_formula(t, row, "balance", "={balance@-1}+{charges}-{credits}");
    }
    row = report_row_add(t, ROW_TOTAL);
    cell_date(row, t, "date", s->to);
    cell_text(t, row, "description", "Closing balance");
    cell_money(row, t, "charges", s->charges, x);
    cell_formula(t, row, "charges", "=SUM({charges:data})");
    cell_money(row, t, "credits", s->credits, x);
    cell_formula(t, row, "credits", "=SUM({credits:data})");
    cell_money(row, t, "balance", s->closing, x);
    cell_formula(t, row, "balance", "={balance@-1}");
}

static void aging(struct report *r, const struct statement *s)
{
    char title[64], day[DATE_BUF];
    snprintf(title, sizeof title, "Open invoices at %s", date_format(s->to, day, sizeof day));
    static const struct report_col cols[] = {
        {"invoice", "Invoice", COL_TEXT, 14}, {"date", "Date", COL_DATE, 10},
        {"due", "Due", COL_DATE, 10},         {"late", "Days past due", COL_COUNT, 8},
        {"bucket", "Aging", COL_TEXT, 12},    {"total", "Invoice total", COL_MONEY, 14},
        {"open", "Open", COL_MONEY, 14},
    };
    int x = s->exponent;
    struct report_table *t = report_add_table(r, "open_invoices", title, cols, 7);
    for (size_t i = 0; i < s->nopen; i++) {
        const struct statement_open *o = &s->open[i];
        struct report_row *row = report_row_add(t, ROW_DATA);
        cell_text(t, row, "invoice", o->number);
        cell_date(row, t, "date", o->issued_on);
        cell_date(row, t, "due", o->due_on);
        cell_count(row, t, "late", o->days_past_due);
        cell_text(t, row, "bucket", aging_bucket_title(o->bucket));
        cell_money(row, t, "total", o->total, x);
        cell_money(row, t, "open", o->open, x);
    }
    struct report_row *row = report_row_add(t, ROW_TOTAL);
    cell_text(t, row, "invoice", "Total open");
    cell_money(row, t, "open", s->aging_total, x);
    cell_formula(t, row, "open", "=SUM({open:data})");

    static const struct report_col bcols[] = {
        {"current", "Current", COL_MONEY, 14},      {"d1_30", "1-30 days", COL_MONEY, 14},
        {"d31_60", "31-60 days", COL_MONEY, 14},    {"d61_90", "61-90 days", COL_MONEY, 14},
        {"over_90", "Over 90 days", COL_MONEY, 14}, {"total", "Total", COL_MONEY, 14},
    };
    snprintf(title, sizeof title, "Aging at %s", day);
    t = report_add_table(r, "aging", title, bcols, 6);
    row = report_row_add(t, ROW_TOTAL);
    for (int k = 0; k < AGING_BUCKETS; k++)
        cell_money(row, t, bcols[k].key, s->aging[k], x);
    cell_money(row, t, "total", s->aging_total, x);
    cell_formula(t, row, "total", "={current}+{d1_30}+{d31_60}+{d61_90}+{over_90}");
}

static void credit(struct report *r, const struct statement *s)
{
    static const struct report_col cols[] = {
        {"opening", "Opening credit", COL_MONEY, 14}, {"granted", "Granted", COL_MONEY, 14},
        {"applied", "Applied", COL_MONEY, 14},        {"expired", "Expired", COL_MONEY, 14},
        {"refunded", "Refunded", COL_MONEY, 14},      {"adjusted", "Adjusted", COL_MONEY, 14},
        {"closing", "Closing credit", COL_MONEY, 14},
    };
    int x = s->exponent;
    struct report_table *t = report_add_table(r, "credit", "Credit balance", cols, 7);
    struct report_row *row = report_row_add(t, ROW_TOTAL);
    cell_money(row, t, "opening", s->credit.opening, x);
    cell_money(row, t, "granted", s->credit.granted, x);
    cell_money(row, t, "applied", s->credit.applied, x);
    cell_money(row, t, "expired", s->credit.expired, x);
    cell_money(row, t, "refunded", s->credit.refunded, x);
    cell_money(row, t, "adjusted", s->credit.adjusted, x);
    cell_money(row, t, "closing", s->credit.closing, x);
    cell_formula(t, row, "closing",
                 "={opening}+{granted}+{applied}+{expired}+{refunded}+{adjusted}");

    static const struct report_col ecols[] = {
        {"grant", "Grant", COL_COUNT, 8},          {"kind", "Kind", COL_TEXT, 12},
        {"granted", "Granted", COL_DATE, 10},      {"expires", "Expires", COL_DATE, 10},
        {"remaining", "Remaining", COL_MONEY, 14},
    };
    t = report_add_table(r, "expiring", "Credit that will expire", ecols, 5);
    struct money sum = money_of(0);
    for (size_t i = 0; i < s->nexpiring; i++) {
        const struct statement_expiring *g = &s->expiring[i];
        row = report_row_add(t, ROW_DATA);
        cell_count(row, t, "grant", g->grant_id);
        cell_text(t, row, "kind", credit_kind_name(g->kind));
        cell_date(row, t, "granted", g->granted_on);
        cell_date(row, t, "expires", g->expires_on);
        cell_money(row, t, "remaining", g->remaining, x);
        sum.minor += g->remaining.minor;
    }
    row = report_row_add(t, ROW_TOTAL);
    cell_text(t, row, "kind", "Total");
    cell_money(row, t, "remaining", sum, x);
    cell_formula(t, row, "remaining", "=SUM({remaining:data})");
}

static struct report *build(struct book *b, const struct statement *s, struct err *e)
{
    char from[DATE_BUF], to[DATE_BUF];
    date_format(s->from, from, sizeof from);
    date_format(s->to, to, sizeof to);
    char *sub = xasprintf("%s (%s), %s to %s", s->name, s->customer, from, to);
    struct report *r = report_new("Customer statement", sub);
    free(sub);
    report_set_sheet(r, s->customer);
    char period[32];
    snprintf(period, sizeof period, "%s to %s", from, to);
    report_header(r, "Customer", s->customer);
    report_header(r, "Name", s->name);
    struct customer c;
    struct err ignore = {0};
    if (customer_find(b, s->customer, &c, &ignore) == ERR_OK) {
        if (c.address)
            report_header(r, "Address", c.address);
        if (c.email)
            report_header(r, "Email", c.email);
        customer_clear(&c);
    }
    report_header(r, "Period", period);
    report_header(r, "Currency", s->currency);
    if (report_stamp(r, b, e) != ERR_OK) {
        report_free(r);
        return NULL;
    }
    transactions(r, s);
    aging(r, s);
    credit(r, s);
    return r;
}

struct report *report_statement(struct book *b, const char *customer, int32_t from, int32_t to,
                                struct err *e)
{
    if (book_begin_read(b, e) != ERR_OK)
        return NULL;
    struct statement s;
    struct report *r = NULL;
    if (statement_load(b, customer, from, to, &s, e) == ERR_OK) {
        r = build(b, &s, e);
        statement_free(&s);
    }
    book_end_read(b);
    return r;
}

/* Every customer's statement, built as the renderer asks for the next, inside one read
 * transaction held from the open to the close. In XLSX they are stacked after a contents sheet
 * that lists each customer's balances and where its statement is. */
struct statements_state {
    struct book *b;
    int32_t from, to;
    struct customer_list l; /* the page of customers being read, in code order */
    size_t i;               /* the next in l */
    bool last_page;
    struct report *first;    /* built by the open, to tell whether there is any */
    struct report *contents; /* the contents sheet's title, header block and columns */
};

static const struct report_col contents_cols[] = {
    {"customer", "Customer", COL_TEXT, 12},        {"name", "Name", COL_TEXT, 30},
    {"currency", "Currency", COL_TEXT, 8},         {"opening", "Opening balance", COL_MONEY, 14},
    {"closing", "Closing balance", COL_MONEY, 14},
};
#define CONTENTS_COLS ((int)(sizeof contents_cols / sizeof contents_cols[0]))

static struct report *contents_new(struct book *b, int32_t from, int32_t to, struct err *e)
{
    char f[DATE_BUF], t[DATE_BUF], period[32];
    date_format(from, f, sizeof f);
    date_format(to, t, sizeof t);
    snprintf(period, sizeof period, "%s to %s", f, t);
    struct report *r = report_new("Customer statements", period);
    report_set_sheet(r, "Contents");
    report_header(r, "Period", period);
    if (report_stamp(r, b, e) != ERR_OK) {
        report_free(r);
        return NULL;
    }
    report_add_table(r, "contents", NULL, contents_cols, CONTENTS_COLS);
    return r;
}

/* The statement's line in the contents: who, in which currency, owing what at either end. */
static void contents_entry(struct report *r, const struct statement *s)
{
    struct report_row *row = report_set_entry(r, contents_cols, CONTENTS_COLS);
    struct report_table *t = r->entry;
    cell_text(t, row, "customer", s->customer);
    cell_text(t, row, "name", s->name);
    cell_text(t, row, "currency", s->currency);
    cell_money(row, t, "opening", s->opening, s->exponent);
    cell_money(row, t, "closing", s->closing, s->exponent);
}

/* Customers are read a page at a time, so memory holds a page whatever the book's size. */
#define STATEMENTS_PAGE 256

static int next_page(struct statements_state *st, struct err *e)
{
    struct customer_query q = {.include_archived = true, .sort = CUSTOMER_SORT_CODE};
    struct customer_row anchor = {0};
    bool first = st->l.n == 0;
    if (!first)
        anchor = st->l.rows[st->l.n - 1];
    struct customer_list page = {0};
    int rc = customer_page(st->b, &q, first ? PAGE_FIRST : PAGE_AFTER, first ? NULL : &anchor,
                           STATEMENTS_PAGE, &page, e);
    customer_list_free(&st->l); /* the anchor's name is not needed past the query */
    st->l = page;
    st->i = 0;
    st->last_page = rc != ERR_OK || page.n < STATEMENTS_PAGE;
    return rc;
}

static int statements_next(void *state, struct report **out, struct err *e)
{
    struct statements_state *st = state;
    *out = NULL;
    if (st->first) {
        *out = st->first;
        st->first = NULL;
        return ERR_OK;
    }
    for (;;) {
        if (st->i == st->l.n && !st->last_page && next_page(st, e) != ERR_OK)
            return e->code;
        if (st->i == st->l.n)
            break;
        struct statement s;
        if (statement_load(st->b, st->l.rows[st->i++].code, st->from, st->to, &s, e) != ERR_OK)
            return e->code;
        /* A customer with nothing to say for the range gets no statement. */
        bool quiet = s.nlines == 0 && s.opening.minor == 0 && s.closing.minor == 0 &&
                     s.credit.opening.minor == 0 && s.credit.closing.minor == 0;
        struct report *r = quiet ? NULL : build(st->b, &s, e);
        if (r)
            contents_entry(r, &s);
        statement_free(&s);
        if (!quiet && !r)
            return e->code;
        if (r) {
            *out = r;
            return ERR_OK;
        }
    }
    return ERR_OK;
}

static void statements_close(void *state)
{
    struct statements_state *st = state;
    if (!st)
        return;
    report_free(st->first);
    report_free(st->contents);
    customer_list_free(&st->l);
    book_end_read(st->b);
    free(st);
}

int report_statements_open(struct book *b, int32_t from, int32_t to, struct report_source *out,
                           struct err *e)
{
    *out = report_source_of(NULL, 0);
    if (book_begin_read(b, e) != ERR_OK)
        return e->code;
    struct statements_state *st = xcalloc(1, sizeof *st);
    st->b = b;
    st->from = from;
    st->to = to;
    int rc = statements_next(st, &st->first, e);
    if (rc == ERR_OK && st->first) {
        st->contents = contents_new(b, from, to, e);
        if (!st->contents)
            rc = e->code;
    }
    if (rc != ERR_OK || !st->first) {
        statements_close(st);
        return rc;
    }
    *out = (struct report_source){.next = statements_next,
                                  .close = statements_close,
                                  .state = st,
                                  .contents = st->contents,
                                  .stack = "Statements"};
    return ERR_OK;
}
