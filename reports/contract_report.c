/*
 * contract_report.c — a contract as a report (its terms, the five steps' answers, the
 * allocation, the schedule by month, and its position at a date) and the list of contracts
 * with their positions.
 */
#include "reports/reports.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "model/contract.h"
#include "model/customer.h"
#include "model/date.h"
#include "model/schedule.h"
#include "model/xalloc.h"

static const char *yes_no(bool b)
{
    return b ? "yes" : "no";
}

/* `customer` is the customer's whole name: contract.customer_name is only its start. */
static void terms(struct report *r, const struct contract *k, const char *customer, struct money tp)
{
    char buf[640], m[MONEY_BUF], d1[DATE_BUF], d2[DATE_BUF];
    int x = k->exponent;
    report_header(r, "Contract", k->code);
    char *who = xasprintf("%s (%s)", customer, k->customer);
    report_header(r, "Customer", who);
    free(who);
    if (k->description[0])
        report_header(r, "Description", k->description);
    report_header(r, "Status", contract_status_name(k->status));
    report_header(r, "Signed",
                  k->signed_on == DATE_NONE ? "not yet" : date_format(k->signed_on, d1, sizeof d1));
    snprintf(buf, sizeof buf, "%s to %s", date_format(k->start_on, d1, sizeof d1),
             date_format(k->end_on, d2, sizeof d2));
    report_header(r, "Term", buf);
    if (k->trial_end != DATE_NONE)
        report_header(r, "Free trial until", date_format(k->trial_end, d1, sizeof d1));
    report_header(r, "Collection probable", yes_no(k->collectible));
    report_header(r, "Commercial substance", yes_no(k->commercial_substance));
    if (k->payment_terms_days >= 0)
        snprintf(buf, sizeof buf, "net %d days", k->payment_terms_days);
    else
        snprintf(buf, sizeof buf, "none stated");
    report_header(r, "Payment terms", buf);
    report_header(r, "Billing", billing_plan_name(k->billing));
    report_header(r, "Currency", k->currency);
    report_header(r, "Price", money_format(k->price.fixed, x, MONEY_GROUP, m, sizeof m));
    report_header(r, "Discount", money_format(k->price.discount, x, MONEY_GROUP, m, sizeof m));
    report_header(r, "Consideration payable",
                  money_format(k->price.payable, x, MONEY_GROUP, m, sizeof m));
    if (k->price.variable.minor) {
        snprintf(buf, sizeof buf, "%s (%s%s%s)",
                 money_format(k->price.variable, x, MONEY_GROUP, m, sizeof m), k->variable_method,
                 k->variable_note[0] ? ": " : "", k->variable_note);
        report_header(r, "Variable consideration", buf);
    }
    if (k->price.modified.minor)
        report_header(r, "Changed by modifications",
                      money_format(k->price.modified, x, MONEY_GROUP, m, sizeof m));
    report_header(r, "Transaction price", money_format(tp, x, MONEY_GROUP, m, sizeof m));
    if (k->parent[0])
        report_header(r, "Split from", k->parent);
}

static void obligations_table(struct report *r, const struct contract *k,
                              const struct obligations *obs, struct money tp)
{
    static const struct report_col cols[] = {
        {"ref", "Obligation", COL_TEXT, 12},
        {"name", "Promise", COL_TEXT, 30},
        {"capable", "Capable of being distinct", COL_TEXT, 9},
        {"context", "Distinct in the contract", COL_TEXT, 9},
        {"pattern", "Pattern", COL_TEXT, 9},
        {"ssp", "SSP", COL_MONEY, 14},
        {"method", "SSP method", COL_TEXT, 15},
        {"evidence", "SSP evidence", COL_TEXT, 24},
        {"when", "Term or delivery", COL_TEXT, 23},
        {"allocated", "Allocated", COL_MONEY, 14},
        {"combined", "Combined because", COL_TEXT, 24},
    };
    struct report_table *t =
        report_add_table(r, "obligations", "Performance obligations", cols, 11);
    t->freeze_cols = 1;
    int x = k->exponent;
    struct money ssp = money_of(0), alloc = money_of(0);
    for (size_t i = 0; i < obs->n; i++) {
        const struct obligation *o = &obs->v[i];
        struct report_row *row = report_row_add(t, ROW_DATA);
        char when[64], d1[DATE_BUF], d2[DATE_BUF];
        if (o->pattern == PATTERN_POINT)
            snprintf(when, sizeof when, "%s %s", o->delivered_on != DATE_NONE ? "delivered" : "due",
                     date_format(o->delivered_on != DATE_NONE ? o->delivered_on : o->due_on, d1,
                                 sizeof d1));
        else if (o->pattern == PATTERN_USAGE)
            snprintf(when, sizeof when, "as used");
        else
            snprintf(when, sizeof when, "%s to %s", date_format(o->start_on, d1, sizeof d1),
                     date_format(o->end_on, d2, sizeof d2));
        cell_text(t, row, "ref", o->ref);
        cell_text(t, row, "name", o->name);
        cell_text(t, row, "capable", yes_no(o->capable_distinct));
        cell_text(t, row, "context", yes_no(o->distinct_in_context));
        cell_text(t, row, "pattern", pattern_name(o->pattern));
        cell_money(row, t, "ssp", o->ssp, x);
        cell_text(t, row, "method", ssp_method_name(o->ssp_method));
        cell_text(t, row, "evidence", o->ssp_evidence);
        cell_text(t, row, "when", when);
        cell_money(row, t, "allocated", o->allocated, x);
        cell_text(t, row, "combined", o->combined_reason);
        ssp.minor += o->ssp.minor;
        alloc.minor += o->allocated.minor;
    }
    struct report_row *row = report_row_add(t, ROW_TOTAL);
    cell_text(t, row, "ref", "Total");
    cell_money(row, t, "ssp", ssp, x);
    cell_formula(t, row, "ssp", "=SUM({ssp:data})");
    cell_money(row, t, "allocated", alloc, x);
    cell_formula(t, row, "allocated", "=SUM({allocated:data})");
    cell_text(t, row, "when",
              k->status == CONTRACT_DRAFT ? "allocated when activated" : "transaction price");
    (void)tp;
}

static void schedule_table(struct report *r, struct book *b, const struct contract *k,
                           const struct obligations *obs, int32_t as_of, struct err *e)
{
    int n = (int)obs->n;
    struct report_col *cols = xcalloc((size_t)n + 4, sizeof *cols);
    char(*keys)[16] = xcalloc((size_t)n + 1, sizeof *keys);
    cols[0] = (struct report_col){"month", "Month", COL_PERIOD, 8};
    for (int i = 0; i < n; i++) {
        snprintf(keys[i], sizeof keys[i], "o%d", obs->v[i].seq);
        cols[i + 1] = (struct report_col){keys[i], obs->v[i].ref, COL_MONEY, 14};
    }
    cols[n + 1] = (struct report_col){"total", "Revenue", COL_MONEY, 14};
    cols[n + 2] = (struct report_col){"cumulative", "Cumulative", COL_MONEY, 14};
    cols[n + 3] = (struct report_col){"posted", "Posted", COL_MONEY, 14};
    struct report_table *t =
        report_add_table(r, "schedule", "Recognition schedule by month", cols, n + 4);
    t->freeze_cols = 1;
    /* Each obligation's current schedule; months are the union of theirs. */
    struct schedule *s = xcalloc((size_t)n + 1, sizeof *s);
    int32_t first = INT32_MAX, last = INT32_MIN;
    for (int i = 0; i < n; i++) {
        if (schedule_load(b, obs->v[i].id, 0, &s[i], e) != ERR_OK)
            break;
        for (size_t j = 0; j < s[i].n; j++) {
            if (s[i].v[j].period < first)
                first = s[i].v[j].period;
            if (s[i].v[j].period > last)
                last = s[i].v[j].period;
        }
    }
    int x = k->exponent;
    struct money cumulative = money_of(0), posted_total = money_of(0);
    struct money *sums = xcalloc((size_t)n + 1, sizeof *sums);
    for (int32_t p = first; first <= last && p <= last; p++) {
        struct report_row *row = report_row_add(t, ROW_DATA);
        cell_period(row, t, "month", p);
        struct money total = money_of(0), posted = money_of(0);
        for (int i = 0; i < n; i++) {
            struct money m = money_of(0);
            for (size_t j = 0; j < s[i].n; j++)
                if (s[i].v[j].period == p) {
                    m = s[i].v[j].amount;
                    posted.minor += s[i].v[j].posted.minor;
                }
            cell_money(row, t, keys[i], m, x);
            total.minor += m.minor;
            sums[i].minor += m.minor;
        }
        cumulative.minor += total.minor;
        posted_total.minor += posted.minor;
        cell_money(row, t, "total", total, x);
        char f[64];
        if (n > 0) {
            snprintf(f, sizeof f, "=SUM({o%d}:{o%d})", obs->v[0].seq, obs->v[n - 1].seq);
            cell_formula(t, row, "total", f);
        }
        cell_money(row, t, "cumulative", cumulative, x);
        cell_formula(t, row, "cumulative", p == first ? "={total}" : "={cumulative@-1}+{total}");
        cell_money(row, t, "posted", posted, x);
    }
    struct report_row *row = report_row_add(t, ROW_TOTAL);
    cell_text(t, row, "month", "Total");
    for (int i = 0; i < n; i++) {
        char f[48];
        snprintf(f, sizeof f, "=SUM({%s:data})", keys[i]);
        cell_money(row, t, keys[i], sums[i], x);
        cell_formula(t, row, keys[i], f);
    }
    cell_money(row, t, "total", cumulative, x);
    cell_formula(t, row, "total", "=SUM({total:data})");
    cell_money(row, t, "posted", posted_total, x);
    cell_formula(t, row, "posted", "=SUM({posted:data})");
    (void)as_of;
    for (int i = 0; i < n; i++)
        schedule_free(&s[i]);
    free(s);
    free(sums);
    free(keys);
    free(cols);
}

static void position_table(struct report *r, const struct contract *k,
                           const struct contract_balance *bal, int32_t as_of)
{
    char title[64], d[DATE_BUF];
    snprintf(title, sizeof title, "Position at %s", date_format(as_of, d, sizeof d));
    static const struct report_col cols[] = {
        {"billed", "Billed", COL_MONEY, 14},
        {"recognized", "Recognized", COL_MONEY, 14},
        {"deferred", "Deferred revenue", COL_MONEY, 14},
        {"current", "of which current", COL_MONEY, 14},
        {"noncurrent", "non-current", COL_MONEY, 14},
        {"asset", "Contract asset", COL_MONEY, 14},
        {"rpo", "Remaining obligations", COL_MONEY, 14},
        {"rpo12", "within 12 months", COL_MONEY, 14},
    };
    struct report_table *t = report_add_table(r, "position", title, cols, 8);
    struct report_row *row = report_row_add(t, ROW_TOTAL);
    int x = k->exponent;
    cell_money(row, t, "billed", bal->billed, x);
    cell_money(row, t, "recognized", bal->recognized, x);
    cell_money(row, t, "deferred", bal->deferred, x);
    cell_money(row, t, "current", bal->deferred_current, x);
    cell_money(row, t, "noncurrent", bal->deferred_noncurrent, x);
    cell_formula(t, row, "noncurrent", "={deferred}-{current}");
    cell_money(row, t, "asset", bal->contract_asset, x);
    cell_money(row, t, "rpo", bal->unrecognized, x);
    cell_money(row, t, "rpo12", bal->rpo_12, x);
}

struct report *report_contract(struct book *b, const char *code, int32_t as_of, struct err *e)
{
    if (book_begin_read(b, e) != ERR_OK)
        return NULL;
    struct contract k;
    struct obligations obs = {0};
    struct report *r = NULL;
    struct contract_balance bal;
    struct money tp;
    struct customer cu = {0};
    if (contract_find(b, code, &k, e) != ERR_OK || obligations_load(b, k.id, &obs, e) != ERR_OK ||
        contract_balance(b, &k, as_of, &bal, e) != ERR_OK ||
        transaction_price(&k.price, &tp, e) != ERR_OK ||
        customer_get(b, k.customer_id, &cu, e) != ERR_OK)
        goto out;
    char *sub = xasprintf("%s for %s (%s), %s", k.code, cu.name, k.customer,
                          contract_status_name(k.status));
    r = report_new("Contract", sub);
    free(sub);
    report_set_sheet(r, k.code);
    terms(r, &k, cu.name, tp);
    char d[DATE_BUF];
    report_header(r, "As of", date_format(as_of, d, sizeof d));
    if (report_stamp(r, b, e) != ERR_OK) {
        report_free(r);
        r = NULL;
        goto out;
    }
    obligations_table(r, &k, &obs, tp);
    schedule_table(r, b, &k, &obs, as_of, e);
    position_table(r, &k, &bal, as_of);
out:
    customer_clear(&cu);
    obligations_free(&obs);
    book_end_read(b);
    return r;
}

struct report *report_contracts(struct book *b, const struct contract_query *q, int32_t as_of,
                                struct err *e)
{
    if (book_begin_read(b, e) != ERR_OK)
        return NULL;
    struct contract_rows rows = {0};
    struct report *r = NULL;
    if (contract_list(b, q, &rows, e) != ERR_OK)
        goto out;
    char d[DATE_BUF], sub[64];
    snprintf(sub, sizeof sub, "at %s", date_format(as_of, d, sizeof d));
    r = report_new("Contracts", sub);
    report_header(r, "As of", d);
    if (report_stamp(r, b, e) != ERR_OK) {
        report_free(r);
        r = NULL;
        goto out;
    }
    static const struct report_col cols[] = {
        {"code", "Contract", COL_TEXT, 12},
        {"customer", "Customer", COL_TEXT, 10},
        {"status", "Status", COL_TEXT, 10},
        {"start", "Start", COL_DATE, 10},
        {"end", "End", COL_DATE, 10},
        {"billing", "Billing", COL_TEXT, 9},
        {"obligations", "Obligations", COL_COUNT, 4},
        {"tp", "Transaction price", COL_MONEY, 14},
        {"billed", "Billed", COL_MONEY, 14},
        {"recognized", "Recognized", COL_MONEY, 14},
        {"deferred", "Deferred", COL_MONEY, 14},
        {"asset", "Contract asset", COL_MONEY, 14},
    };
    /* One table per currency: amounts of different currencies are never added. */
    bool *done = xcalloc(rows.n + 1, sizeof *done);
    for (size_t i = 0; i < rows.n; i++) {
        if (done[i])
            continue;
        const char *cur = rows.v[i].c.currency;
        int x = rows.v[i].c.exponent;
        char name[16], title[48];
        snprintf(name, sizeof name, "contracts_%s", cur);
        snprintf(title, sizeof title, "Contracts in %s", cur);
        struct report_table *t = report_add_table(r, name, title, cols, 12);
        t->freeze_cols = 1;
        struct money sums[5] = {{0}};
        for (size_t j = i; j < rows.n; j++) {
            const struct contract_row *cr = &rows.v[j];
            if (done[j] || strcmp(cr->c.currency, cur) != 0)
                continue;
            done[j] = true;
            struct contract_balance bal;
            if (contract_balance(b, &cr->c, as_of, &bal, e) != ERR_OK) {
                report_free(r);
                r = NULL;
                free(done);
                goto out;
            }
            struct report_row *row = report_row_add(t, ROW_DATA);
            cell_text(t, row, "code", cr->c.code);
            cell_text(t, row, "customer", cr->c.customer);
            cell_text(t, row, "status", contract_status_name(cr->c.status));
            cell_date(row, t, "start", cr->c.start_on);
            cell_date(row, t, "end", cr->c.end_on);
            cell_text(t, row, "billing", billing_plan_name(cr->c.billing));
            cell_count(row, t, "obligations", cr->obligations);
            cell_money(row, t, "tp", cr->transaction_price, x);
            cell_money(row, t, "billed", bal.billed, x);
            cell_money(row, t, "recognized", bal.recognized, x);
            cell_money(row, t, "deferred", bal.deferred, x);
            cell_money(row, t, "asset", bal.contract_asset, x);
            struct money v[5] = {cr->transaction_price, bal.billed, bal.recognized, bal.deferred,
                                 bal.contract_asset};
            for (int k = 0; k < 5; k++)
                sums[k].minor += v[k].minor;
        }
        struct report_row *row = report_row_add(t, ROW_TOTAL);
        cell_text(t, row, "code", "Total");
        static const char *const keys[5] = {"tp", "billed", "recognized", "deferred", "asset"};
        for (int k = 0; k < 5; k++) {
            char f[40];
            snprintf(f, sizeof f, "=SUM({%s:data})", keys[k]);
            cell_money(row, t, keys[k], sums[k], x);
            cell_formula(t, row, keys[k], f);
        }
    }
    free(done);
    if (rows.n == 0)
        report_add_table(r, "contracts", "No contracts", cols, 12);
out:
    contract_rows_free(&rows);
    book_end_read(b);
    return r;
}
