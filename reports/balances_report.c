/*
 * balances_report.c — the credit balances and expiries of every customer, and the receivables
 * aging, at a date. Amounts of different currencies are never added: each currency gets its own
 * table with its own totals.
 */
#include "reports/reports.h"

#include <stdio.h>
#include <string.h>

#include "model/credit.h"
#include "model/date.h"
#include "model/statement.h"

#define EXPIRING_DAYS 30

static struct report *begin(struct book *b, const char *title, int32_t as_of, struct err *e)
{
    char day[DATE_BUF], sub[64];
    date_format(as_of, day, sizeof day);
    snprintf(sub, sizeof sub, "at %s", day);
    struct report *r = report_new(title, sub);
    report_header(r, "As of", day);
    if (report_stamp(r, b, e) != ERR_OK) {
        report_free(r);
        return NULL;
    }
    return r;
}

static const char *status_of(const struct credit_grant *g, int32_t as_of, char *buf, size_t n)
{
    if (g->expires_on == DATE_NONE)
        return "no expiry";
    int32_t left = g->expires_on - as_of;
    if (left == 0)
        snprintf(buf, n, "expires today");
    else if (left <= EXPIRING_DAYS)
        snprintf(buf, n, "expires in %d day%s", (int)left, left == 1 ? "" : "s");
    else
        snprintf(buf, n, "active");
    return buf;
}

struct report *report_credits(struct book *b, int32_t as_of, struct err *e)
{
    if (book_begin_read(b, e) != ERR_OK)
        return NULL;
    struct credit_expiring_list l = {0};
    struct report *r = NULL;
    if (credit_outstanding_load(b, as_of, &l, e) != ERR_OK)
        goto out;
    r = begin(b, "Credit balances", as_of, e);
    if (!r)
        goto out;
    static const struct report_col cols[] = {
        {"customer", "Customer", COL_TEXT, 10},
        {"name", "Name", COL_TEXT, 28},
        {"grant", "Grant", COL_COUNT, 6},
        {"kind", "Kind", COL_TEXT, 11},
        {"granted", "Granted", COL_DATE, 10},
        {"expires", "Expires", COL_DATE, 10},
        {"amount", "Granted amount", COL_MONEY, 14},
        {"paid", "Prepaid", COL_MONEY, 14},
        {"free", "Promotional", COL_MONEY, 14},
        {"remaining", "Remaining", COL_MONEY, 14},
        {"status", "Status", COL_TEXT, 18},
    };
    size_t i = 0;
    if (l.n == 0) {
        struct report_table *t = report_add_table(r, "grants", "No credit outstanding", cols, 11);
        t->freeze_cols = 2;
    }
    while (i < l.n) {
        const char *cur = l.v[i].currency;
        int x = l.v[i].exponent;
        char name[16], title[64];
        snprintf(name, sizeof name, "grants_%s", cur);
        snprintf(title, sizeof title, "Credit outstanding, %s", cur);
        struct report_table *t = report_add_table(r, name, title, cols, 11);
        t->freeze_cols = 2;
        struct money paid = money_of(0), free_credit = money_of(0), total = money_of(0);
        for (; i < l.n && strcmp(l.v[i].currency, cur) == 0; i++) {
            const struct credit_expiring *g = &l.v[i];
            struct report_row *row = report_row_add(t, ROW_DATA);
            char st[32];
            bool is_paid = credit_kind_is_paid(g->grant.kind);
            cell_text(t, row, "customer", g->customer);
            cell_text(t, row, "name", g->name);
            cell_count(row, t, "grant", g->grant.id);
            cell_text(t, row, "kind", credit_kind_name(g->grant.kind));
            cell_date(row, t, "granted", g->grant.granted_on);
            cell_date(row, t, "expires", g->grant.expires_on);
            cell_money(row, t, "amount", g->grant.amount, x);
            cell_money(row, t, "paid", is_paid ? g->grant.remaining : money_of(0), x);
            cell_money(row, t, "free", is_paid ? money_of(0) : g->grant.remaining, x);
            cell_money(row, t, "remaining", g->grant.remaining, x);
            cell_formula(t, row, "remaining", "={paid}+{free}");
            cell_text(t, row, "status", status_of(&g->grant, as_of, st, sizeof st));
            (is_paid ? &paid : &free_credit)->minor += g->grant.remaining.minor;
            total.minor += g->grant.remaining.minor;
        }
        struct report_row *row = report_row_add(t, ROW_TOTAL);
        cell_text(t, row, "customer", "Total");
        cell_text(t, row, "name", cur);
        cell_money(row, t, "paid", paid, x);
        cell_formula(t, row, "paid", "=SUM({paid:data})");
        cell_money(row, t, "free", free_credit, x);
        cell_formula(t, row, "free", "=SUM({free:data})");
        cell_money(row, t, "remaining", total, x);
        cell_formula(t, row, "remaining", "=SUM({remaining:data})");
    }
out:
    credit_expiring_free(&l);
    book_end_read(b);
    return r;
}

struct report *report_aging(struct book *b, int32_t as_of, struct err *e)
{
    if (book_begin_read(b, e) != ERR_OK)
        return NULL;
    struct aging_rows rows = {0};
    struct report *r = NULL;
    if (aging_load(b, as_of, &rows, e) != ERR_OK)
        goto out;
    r = begin(b, "Receivables aging", as_of, e);
    if (!r)
        goto out;
    static const struct report_col cols[] = {
        {"customer", "Customer", COL_TEXT, 10},      {"name", "Name", COL_TEXT, 28},
        {"invoices", "Open invoices", COL_COUNT, 8}, {"current", "Current", COL_MONEY, 14},
        {"d1_30", "1-30 days", COL_MONEY, 14},       {"d31_60", "31-60 days", COL_MONEY, 14},
        {"d61_90", "61-90 days", COL_MONEY, 14},     {"over_90", "Over 90 days", COL_MONEY, 14},
        {"total", "Total", COL_MONEY, 14},
    };
    size_t i = 0;
    if (rows.n == 0) {
        struct report_table *t = report_add_table(r, "aging", "Nothing is owed", cols, 9);
        t->freeze_cols = 2;
    }
    while (i < rows.n) {
        const char *cur = rows.v[i].currency;
        int x = rows.v[i].exponent;
        char name[16], title[64];
        snprintf(name, sizeof name, "aging_%s", cur);
        snprintf(title, sizeof title, "Receivables, %s", cur);
        struct report_table *t = report_add_table(r, name, title, cols, 9);
        t->freeze_cols = 2;
        struct money sums[AGING_BUCKETS] = {{0}}, total = money_of(0);
        int64_t count = 0;
        for (; i < rows.n && strcmp(rows.v[i].currency, cur) == 0; i++) {
            const struct aging_row *a = &rows.v[i];
            struct report_row *row = report_row_add(t, ROW_DATA);
            cell_text(t, row, "customer", a->customer);
            cell_text(t, row, "name", a->name);
            cell_count(row, t, "invoices", a->open_invoices);
            for (int k = 0; k < AGING_BUCKETS; k++) {
                cell_money(row, t, cols[3 + k].key, a->bucket[k], x);
                sums[k].minor += a->bucket[k].minor;
            }
            cell_money(row, t, "total", a->total, x);
            cell_formula(t, row, "total", "={current}+{d1_30}+{d31_60}+{d61_90}+{over_90}");
            total.minor += a->total.minor;
            count += a->open_invoices;
        }
        struct report_row *row = report_row_add(t, ROW_TOTAL);
        cell_text(t, row, "customer", "Total");
        cell_text(t, row, "name", cur);
        cell_count(row, t, "invoices", count);
        cell_formula(t, row, "invoices", "=SUM({invoices:data})");
        for (int k = 0; k < AGING_BUCKETS; k++) {
            char f[48];
            snprintf(f, sizeof f, "=SUM({%s:data})", cols[3 + k].key);
            cell_money(row, t, cols[3 + k].key, sums[k], x);
            cell_formula(t, row, cols[3 + k].key, f);
        }
        cell_money(row, t, "total", total, x);
        cell_formula(t, row, "total", "=SUM({total:data})");
    }
out:
    aging_rows_free(&rows);
    book_end_read(b);
    return r;
}
