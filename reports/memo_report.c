/*
 * memo_report.c — a modification memo as the workbook an auditor files (the change, the
 * answers, the treatment and its rationale, the effect before and after, sign-off), and the
 * log of modifications over a range.
 */
#include "reports/reports.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "model/date.h"
#include "model/memo.h"
#include "model/xalloc.h"

static const char *yes_no(bool b)
{
    return b ? "yes" : "no";
}

static void header_money(struct report *r, const char *key, struct money m, int x)
{
    char buf[MONEY_BUF];
    report_header(r, key, money_format(m, x, MONEY_GROUP, buf, sizeof buf));
}

static void header_date(struct report *r, const char *key, int32_t d)
{
    char buf[DATE_BUF];
    report_header(r, key, date_format(d, buf, sizeof buf));
}

static void summary_row(struct report_table *t, const char *what, struct money before,
                        struct money after, int x)
{
    struct report_row *row = report_row_add(t, ROW_DATA);
    cell_text(t, row, "item", what);
    cell_money(row, t, "before", before, x);
    cell_money(row, t, "after", after, x);
    cell_money(row, t, "change", money_of(after.minor - before.minor), x);
    cell_formula(t, row, "change", "={after}-{before}");
}

struct report *report_memo_of(struct book *b, const struct memo *m, struct err *e)
{
    char sub[300], d[DATE_BUF];
    snprintf(sub, sizeof sub, "%s: %s (%s), %s effective %s — %s",
             m->number[0] ? m->number : "not saved", m->contract, m->customer,
             memo_type_name(m->type), date_format(m->effective, d, sizeof d),
             memo_status_name(m->status));
    struct report *r = report_new("Contract modification memo", sub);
    report_set_sheet(r, m->number[0] ? m->number : "Memo");
    int x = m->exponent;
    report_header(r, "Memo", m->number[0] ? m->number : "(not saved)");
    report_header(r, "Contract", m->contract);
    report_header(r, "Customer", m->customer);
    report_header(r, "Currency", m->currency);
    report_header(r, "Type", memo_type_name(m->type));
    header_date(r, "Effective", m->effective);
    report_header(r, "Description", m->description);
    report_header(r, "Status", memo_status_name(m->status));
    header_money(r, "Change in consideration", m->consideration, x);
    if (m->refund.minor) {
        char buf[MONEY_BUF + 64], mb[MONEY_BUF];
        snprintf(buf, sizeof buf, "%s on invoice %s",
                 money_format(m->refund, x, MONEY_GROUP, mb, sizeof mb), m->refund_invoice);
        report_header(r, "Refund", buf);
    }
    if (m->new_end != DATE_NONE)
        header_date(r, "New end of term", m->new_end);
    if (m->pause_from != DATE_NONE) {
        char buf[64], d2[DATE_BUF];
        snprintf(buf, sizeof buf, "%s to %s", date_format(m->pause_from, d, sizeof d),
                 date_format(m->pause_to, d2, sizeof d2));
        report_header(r, "Paused", buf);
    }
    if (m->supersedes[0])
        report_header(r, "Follows", m->supersedes);
    report_header(r, "Distinct goods or services added?", yes_no(m->distinct_added));
    report_header(r, "Priced at their standalone selling price?", yes_no(m->at_ssp));
    report_header(r, "Remaining goods or services distinct from those transferred?",
                  yes_no(m->remaining_distinct));
    report_header(r, "SSP analysis", m->ssp_analysis[0] ? m->ssp_analysis : "none recorded");
    char why[400];
    snprintf(why, sizeof why, "%s: %s", memo_treatment_title(m->suggested),
             memo_suggest_reason(m->type, m->distinct_added, m->at_ssp, m->remaining_distinct));
    report_header(r, "Suggested treatment", why);
    report_header(r, "Chosen treatment", memo_treatment_title(m->treatment));
    if (m->rationale[0] || m->treatment != m->suggested)
        report_header(r, "Rationale", m->rationale);
    if (m->treatment == TREAT_SEPARATE)
        report_header(r, "New contract", m->new_contract[0] ? m->new_contract : m->new_code);
    if (m->catch_up.minor) {
        char per[PERIOD_BUF];
        report_header(r, "Catch-up booked in", period_format(m->catch_up_period, per, sizeof per));
    }
    if (report_stamp(r, b, e) != ERR_OK) {
        report_free(r);
        return NULL;
    }

    static const struct report_col scols[] = {
        {"item", "Effect at the effective date", COL_TEXT, 36},
        {"before", "Before", COL_MONEY, 14},
        {"after", "After", COL_MONEY, 14},
        {"change", "Change", COL_MONEY, 14},
    };
    struct report_table *t = report_add_table(r, "effect", "The effect", scols, 4);
    summary_row(t, "Transaction price", m->tp_before, m->tp_after, x);
    summary_row(t, "Revenue recognized to date", m->revenue_before, m->revenue_after, x);
    summary_row(t, "Deferred revenue (- contract asset)", m->deferred_before, m->deferred_after, x);
    summary_row(t, "Remaining performance obligations", m->rpo_before, m->rpo_after, x);
    struct report_row *row = report_row_add(t, ROW_DATA);
    cell_text(t, row, "item", "Cumulative catch-up booked");
    cell_money(row, t, "change", m->catch_up, x);

    static const struct report_col ocols[] = {
        {"ref", "Obligation", COL_TEXT, 12},
        {"name", "Promise", COL_TEXT, 28},
        {"pattern", "Pattern", COL_TEXT, 9},
        {"action", "Change", COL_TEXT, 8},
        {"ssp", "SSP", COL_MONEY, 13},
        {"weight", "SSP weighed", COL_MONEY, 13},
        {"before", "Allocated before", COL_MONEY, 14},
        {"after", "Allocated after", COL_MONEY, 14},
        {"diff", "Difference", COL_MONEY, 13},
        {"recognized", "Recognized before", COL_MONEY, 14},
        {"catchup", "Catch-up", COL_MONEY, 12},
        {"end_before", "Ends before", COL_DATE, 10},
        {"end_after", "Ends after", COL_DATE, 10},
    };
    t = report_add_table(r, "obligations", "Obligations before and after", ocols, 13);
    t->freeze_cols = 1;
    struct money sum[6] = {{0}};
    for (size_t i = 0; i < m->nlines; i++) {
        const struct memo_line *l = &m->lines[i];
        row = report_row_add(t, ROW_DATA);
        cell_text(t, row, "ref", l->ref);
        cell_text(t, row, "name", l->name);
        cell_text(t, row, "pattern", pattern_name(l->pattern));
        cell_text(t, row, "action", l->action);
        cell_money(row, t, "ssp", l->ssp, x);
        cell_money(row, t, "weight", l->remaining_ssp, x);
        cell_money(row, t, "before", l->allocated_before, x);
        cell_money(row, t, "after", l->allocated_after, x);
        cell_money(row, t, "diff", money_of(l->allocated_after.minor - l->allocated_before.minor),
                   x);
        cell_formula(t, row, "diff", "={after}-{before}");
        cell_money(row, t, "recognized", l->recognized_before, x);
        cell_money(row, t, "catchup", l->catch_up, x);
        if (l->end_before != DATE_NONE)
            cell_date(row, t, "end_before", l->end_before);
        if (l->end_after != DATE_NONE)
            cell_date(row, t, "end_after", l->end_after);
        sum[0].minor += l->allocated_before.minor;
        sum[1].minor += l->allocated_after.minor;
        sum[2].minor += l->allocated_after.minor - l->allocated_before.minor;
        sum[3].minor += l->recognized_before.minor;
        sum[4].minor += l->catch_up.minor;
    }
    row = report_row_add(t, ROW_TOTAL);
    cell_text(t, row, "ref", "Total");
    static const char *const keys[] = {"before", "after", "diff", "recognized", "catchup"};
    for (int k = 0; k < 5; k++) {
        char f[40];
        cell_money(row, t, keys[k], sum[k], x);
        snprintf(f, sizeof f, "=SUM({%s:data})", keys[k]);
        cell_formula(t, row, keys[k], f);
    }

    static const struct report_col mcols[] = {
        {"period", "Month", COL_PERIOD, 9},
        {"before", "Revenue before", COL_MONEY, 14},
        {"after", "Revenue after", COL_MONEY, 14},
        {"diff", "Difference", COL_MONEY, 14},
    };
    t = report_add_table(r, "months", "Revenue by month, before and after", mcols, 4);
    struct money mb = money_of(0), ma = money_of(0);
    for (size_t i = 0; i < m->nmonths; i++) {
        const struct memo_month *mm = &m->months[i];
        row = report_row_add(t, ROW_DATA);
        cell_period(row, t, "period", mm->period);
        cell_money(row, t, "before", mm->before, x);
        cell_money(row, t, "after", mm->after, x);
        cell_money(row, t, "diff", money_of(mm->after.minor - mm->before.minor), x);
        cell_formula(t, row, "diff", "={after}-{before}");
        mb.minor += mm->before.minor;
        ma.minor += mm->after.minor;
    }
    row = report_row_add(t, ROW_TOTAL);
    cell_text(t, row, "period", "Total");
    cell_money(row, t, "before", mb, x);
    cell_formula(t, row, "before", "=SUM({before:data})");
    cell_money(row, t, "after", ma, x);
    cell_formula(t, row, "after", "=SUM({after:data})");
    cell_money(row, t, "diff", money_of(ma.minor - mb.minor), x);
    cell_formula(t, row, "diff", "=SUM({diff:data})");

    static const struct report_col fcols[] = {
        {"role", "Sign-off", COL_TEXT, 12},
        {"who", "By", COL_TEXT, 20},
        {"when", "When (UTC)", COL_TEXT, 22},
    };
    t = report_add_table(r, "signoff", "Sign-off", fcols, 3);
    const char *roles[3][3] = {{"Prepared", m->prepared_by, m->prepared_at},
                               {"Approved", m->approved_by, m->approved_at},
                               {"Posted", m->posted_by, m->posted_at}};
    for (int i = 0; i < 3; i++) {
        row = report_row_add(t, ROW_DATA);
        cell_text(t, row, "role", roles[i][0]);
        cell_text(t, row, "who", roles[i][1][0] ? roles[i][1] : "—");
        cell_text(t, row, "when", roles[i][2]);
    }
    return r;
}

struct report *report_memo(struct book *b, const char *number, struct err *e)
{
    if (book_begin_read(b, e) != ERR_OK)
        return NULL;
    struct memo m;
    struct report *r = NULL;
    if (memo_load(b, number, &m, e) == ERR_OK) {
        r = report_memo_of(b, &m, e);
        memo_free(&m);
    }
    book_end_read(b);
    return r;
}

struct report *report_memos(struct book *b, int32_t from, int32_t to, struct err *e)
{
    if (book_begin_read(b, e) != ERR_OK)
        return NULL;
    struct memo_rows rows = {0};
    struct report *r = NULL;
    if (memo_list(b, 0, from, to, &rows, e) != ERR_OK)
        goto out;
    char d1[DATE_BUF], d2[DATE_BUF], sub[80];
    snprintf(sub, sizeof sub, "effective %s to %s",
             from == DATE_NONE ? "any time" : date_format(from, d1, sizeof d1),
             to == DATE_NONE ? "any time" : date_format(to, d2, sizeof d2));
    r = report_new("Contract modifications", sub);
    report_set_sheet(r, "Modifications");
    report_header(r, "From", from == DATE_NONE ? "the first memo" : d1);
    report_header(r, "To", to == DATE_NONE ? "the last memo" : d2);
    if (report_stamp(r, b, e) != ERR_OK) {
        report_free(r);
        r = NULL;
        goto out;
    }
    static const struct report_col cols[] = {
        {"memo", "Memo", COL_TEXT, 11},
        {"contract", "Contract", COL_TEXT, 12},
        {"customer", "Customer", COL_TEXT, 10},
        {"type", "Type", COL_TEXT, 14},
        {"effective", "Effective", COL_DATE, 10},
        {"status", "Status", COL_TEXT, 8},
        {"suggested", "Suggested", COL_TEXT, 12},
        {"treatment", "Treatment", COL_TEXT, 12},
        {"consideration", "Change in price", COL_MONEY, 14},
        {"catchup", "Catch-up", COL_MONEY, 13},
        {"new", "New contract", COL_TEXT, 12},
        {"prepared", "Prepared by", COL_TEXT, 12},
        {"approved", "Approved by", COL_TEXT, 12},
        {"posted", "Posted", COL_TEXT, 20},
        {"description", "Description", COL_TEXT, 36},
    };
    bool *done = xcalloc(rows.n + 1, sizeof *done);
    for (size_t i = 0; i < rows.n; i++) {
        if (done[i])
            continue;
        const char *cur = rows.v[i].currency;
        int x = rows.v[i].exponent;
        char name[16], title[48];
        snprintf(name, sizeof name, "memos_%s", cur);
        snprintf(title, sizeof title, "Modifications in %s", cur);
        struct report_table *t = report_add_table(r, name, title, cols, 15);
        t->freeze_cols = 1;
        struct money cons = money_of(0), cu = money_of(0);
        for (size_t j = i; j < rows.n; j++) {
            const struct memo *m = &rows.v[j];
            if (done[j] || strcmp(m->currency, cur) != 0)
                continue;
            done[j] = true;
            struct report_row *row = report_row_add(t, ROW_DATA);
            cell_text(t, row, "memo", m->number);
            cell_text(t, row, "contract", m->contract);
            cell_text(t, row, "customer", m->customer);
            cell_text(t, row, "type", memo_type_name(m->type));
            cell_date(row, t, "effective", m->effective);
            cell_text(t, row, "status", memo_status_name(m->status));
            cell_text(t, row, "suggested", memo_treatment_name(m->suggested));
            cell_text(t, row, "treatment", memo_treatment_name(m->treatment));
            cell_money(row, t, "consideration", m->consideration, x);
            cell_money(row, t, "catchup", m->catch_up, x);
            cell_text(t, row, "new", m->new_contract);
            cell_text(t, row, "prepared", m->prepared_by);
            cell_text(t, row, "approved", m->approved_by);
            cell_text(t, row, "posted", m->posted_at);
            cell_text(t, row, "description", m->description);
            cons.minor += m->consideration.minor;
            cu.minor += m->catch_up.minor;
        }
        struct report_row *row = report_row_add(t, ROW_TOTAL);
        cell_text(t, row, "memo", "Total");
        cell_money(row, t, "consideration", cons, x);
        cell_formula(t, row, "consideration", "=SUM({consideration:data})");
        cell_money(row, t, "catchup", cu, x);
        cell_formula(t, row, "catchup", "=SUM({catchup:data})");
    }
    free(done);
    if (rows.n == 0) {
        struct report_table *t = report_add_table(r, "memos", "Modifications", cols, 15);
        struct report_row *row = report_row_add(t, ROW_HEADING);
        cell_text(t, row, "memo", "No modification in the range");
    }
out:
    memo_rows_free(&rows);
    book_end_read(b);
    return r;
}
