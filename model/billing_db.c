/*
 * billing_db.c — issuing the invoices a contract's billing plan calls for, and applying the
 * deposits received before the contract became active.
 */
#include "model/billing.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "model/date.h"
#include "model/db.h"
#include "model/invoice.h"
#include "model/journal.h"
#include "model/posting.h"
#include "model/text.h"
#include "model/xalloc.h"

int posting_apply_deposits(struct book *b, const struct customer *c, int64_t invoice_id,
                           const char *number, int32_t day, struct money due, struct money *applied,
                           struct err *e)
{
    applied->minor = 0;
    if (due.minor <= 0)
        return ERR_OK;
    /* Unapplied deposits of the contracts billed on this invoice, oldest first. */
    struct {
        int64_t id, contract_id;
        struct money left;
    } *dep = NULL;
    size_t n = 0, cap = 0;
    sqlite3_stmt *st = db_prepare(
        b, "SELECT d.id, d.contract_id, d.amount - coalesce((SELECT sum(a.amount) FROM"
           " deposit_applications a WHERE a.deposit_id = d.id), 0) AS left FROM deposits d WHERE"
           " d.contract_id IN (SELECT contract_id FROM invoice_lines WHERE invoice_id = :inv)"
           " AND left > 0 ORDER BY d.id");
    db_bind_int(st, ":inv", invoice_id);
    int step;
    while ((step = db_step(b, st, e)) == SQLITE_ROW) {
        dep = xgrow(dep, &cap, n + 1, sizeof *dep);
        dep[n].id = db_col_int(st, 0);
        dep[n].contract_id = db_col_int(st, 1);
        dep[n].left = db_col_money(st, 2);
        n++;
    }
    if (step < 0) {
        free(dep);
        return e->code;
    }
    if (n == 0) {
        free(dep);
        return ERR_OK;
    }
    char memo[96];
    snprintf(memo, sizeof memo, "deposit applied to invoice %s", number);
    struct journal_entry je;
    journal_init(&je, "deposit_apply", day, c->currency, memo, "invoice", invoice_id, c->id);
    int rc = ERR_OK;
    for (size_t i = 0; i < n && applied->minor < due.minor && rc == ERR_OK; i++) {
        int64_t take = due.minor - applied->minor;
        if (dep[i].left.minor < take)
            take = dep[i].left.minor;
        st = db_prepare(b, "INSERT INTO deposit_applications (deposit_id, invoice_id, on_date,"
                           " amount) VALUES (:d, :inv, :on, :a)");
        db_bind_int(st, ":d", dep[i].id);
        db_bind_int(st, ":inv", invoice_id);
        db_bind_date(st, ":on", day);
        db_bind_int(st, ":a", take);
        rc = db_exec(b, st, e);
        journal_line_contract(&je, "customer_deposits", take, invoice_id, dep[i].contract_id);
        journal_line_contract(&je, "receivable", -take, invoice_id, dep[i].contract_id);
        applied->minor += take;
    }
    free(dep);
    int64_t entry;
    if (rc == ERR_OK)
        rc = journal_post(b, &je, &entry, e);
    return rc;
}

/* Splits an amount across the contract's fixed-price obligations by their allocation and
 * writes the lines; *n gets the count. descs are allocated and freed by the caller. */
static size_t plan_lines(const struct obligations *obs, int64_t contract_id, struct money amount,
                         const char *what, struct invoice_line_input *lines, char **descs)
{
    size_t m = 0;
    int64_t *w = xmalloc((obs->n ? obs->n : 1) * sizeof *w);
    size_t *idx = xmalloc((obs->n ? obs->n : 1) * sizeof *idx);
    int64_t sum = 0;
    for (size_t i = 0; i < obs->n; i++) {
        if (obs->v[i].pattern == PATTERN_USAGE)
            continue;
        idx[m] = i;
        w[m++] = obs->v[i].allocated.minor;
        sum += obs->v[i].allocated.minor;
    }
    if (m > 0 && sum == 0)
        for (size_t k = 0; k < m; k++)
            w[k] = 1;
    struct money *parts = xmalloc((m ? m : 1) * sizeof *parts);
    struct err e;
    size_t n = 0;
    if (m > 0 && money_split(amount, w, m, parts, &e) == ERR_OK) {
        for (size_t k = 0; k < m; k++) {
            const struct obligation *o = &obs->v[idx[k]];
            descs[n] = xasprintf("%s, %s", o->name, what);
            lines[n].description = descs[n];
            lines[n].amount = parts[k];
            lines[n].contract_id = contract_id;
            lines[n].obligation_id = o->id;
            n++;
        }
    }
    free(parts);
    free(w);
    free(idx);
    return n;
}

static int issue_lines(struct book *b, const struct contract *c, int32_t on,
                       struct invoice_line_input *lines, char **descs, size_t n,
                       struct bill_result *out, int64_t *invoice_id, struct err *e)
{
    struct invoice_input in = {.customer = c->customer,
                               .issued_on = on,
                               .due_on =
                                   on + (c->payment_terms_days < 0 ? 0 : c->payment_terms_days),
                               .lines = lines,
                               .nlines = n};
    char memo[64];
    snprintf(memo, sizeof memo, "contract %s", c->code);
    in.memo = memo;
    struct invoice_result r;
    int rc = invoice_create(b, &in, &r, e);
    for (size_t i = 0; i < n; i++)
        free(descs[i]);
    if (rc != ERR_OK)
        return rc;
    if (out->invoices++ == 0)
        snprintf(out->first, sizeof out->first, "%s", r.number);
    snprintf(out->last, sizeof out->last, "%s", r.number);
    out->total.minor += r.total.minor;
    if (invoice_id)
        *invoice_id = r.id;
    return ERR_OK;
}

static int bill_usage(struct book *b, const struct contract *c, const struct obligations *obs,
                      int32_t through, struct bill_result *out, struct err *e)
{
    /* Unbilled usage by month, for months that have ended by `through`. */
    struct usage_month {
        int32_t period;
        int64_t obligation_id;
        struct money amount;
        int64_t records;
    } *um = NULL;
    size_t n = 0, cap = 0;
    sqlite3_stmt *st = db_prepare(
        b, "SELECT substr(u.on_date, 1, 7), u.obligation_id, sum(u.amount), count(*) FROM"
           " usage_records u JOIN obligations o ON o.id = u.obligation_id WHERE o.contract_id = :k"
           " AND u.invoice_id IS NULL AND u.on_date <= :through GROUP BY 1, 2 ORDER BY 1, 2");
    db_bind_int(st, ":k", c->id);
    db_bind_date(st, ":through", through);
    int step;
    while ((step = db_step(b, st, e)) == SQLITE_ROW) {
        struct err ignore;
        int32_t p;
        period_parse(db_col_text(st, 0), &p, &ignore);
        if (period_last_day(p) > through)
            continue; /* in arrears: the month is not over */
        um = xgrow(um, &cap, n + 1, sizeof *um);
        um[n].period = p;
        um[n].obligation_id = db_col_int(st, 1);
        um[n].amount = db_col_money(st, 2);
        um[n].records = db_col_int(st, 3);
        n++;
    }
    if (step < 0) {
        free(um);
        return e->code;
    }
    int rc = ERR_OK;
    struct invoice_line_input *lines = xmalloc((obs->n + 1) * sizeof *lines);
    char **descs = xmalloc((obs->n + 1) * sizeof *descs);
    for (size_t i = 0; i < n && rc == ERR_OK;) {
        size_t j = i, k = 0;
        for (; j < n && um[j].period == um[i].period; j++) {
            const struct obligation *o = NULL;
            for (size_t q = 0; q < obs->n; q++)
                if (obs->v[q].id == um[j].obligation_id)
                    o = &obs->v[q];
            char per[PERIOD_BUF];
            descs[k] = xasprintf("%s, usage in %s (%lld record%s)", o ? o->name : "usage",
                                 period_format(um[j].period, per, sizeof per),
                                 (long long)um[j].records, um[j].records == 1 ? "" : "s");
            lines[k] =
                (struct invoice_line_input){descs[k], um[j].amount, c->id, um[j].obligation_id};
            k++;
        }
        int64_t invoice = 0;
        rc = issue_lines(b, c, period_last_day(um[i].period), lines, descs, k, out, &invoice, e);
        for (size_t q = i; q < j && rc == ERR_OK; q++) {
            char per[PERIOD_BUF];
            st = db_prepare(b, "UPDATE usage_records SET invoice_id = :inv WHERE obligation_id ="
                               " :o AND invoice_id IS NULL AND substr(on_date, 1, 7) = :p");
            db_bind_int(st, ":inv", invoice);
            db_bind_int(st, ":o", um[q].obligation_id);
            db_bind_text(st, ":p", period_format(um[q].period, per, sizeof per));
            rc = db_exec(b, st, e);
        }
        i = j;
    }
    free(lines);
    free(descs);
    free(um);
    return rc;
}

int contract_bill(struct book *b, const char *code, int32_t through, struct bill_result *out,
                  struct err *e)
{
    memset(out, 0, sizeof *out);
    /* The contract is read inside the transaction that bills it: read before, another ratable
     * could bill it in between, and this one would bill the same instalments again. */
    struct obligations obs = {0};
    int rc = book_begin(b, e);
    if (rc != ERR_OK)
        return rc;
    struct contract c;
    if ((rc = contract_find(b, code, &c, e)) != ERR_OK)
        goto fail;
    if (c.status == CONTRACT_DRAFT) {
        rc = err_set(e, ERR_RULE,
                     "contract %s is not active: it is not billed; cash received for it is a"
                     " deposit (payment record ... --contract %s)",
                     c.code, c.code);
        goto fail;
    }
    if ((rc = obligations_load(b, c.id, &obs, e)) != ERR_OK)
        goto fail;
    struct invoice_line_input *lines = xmalloc((obs.n + 1) * sizeof *lines);
    char **descs = xmalloc((obs.n + 1) * sizeof *descs);
    /* What the plan bills: the price less its discount, changed by posted modifications. */
    struct money billable =
        money_of(c.price.fixed.minor - c.price.discount.minor + c.price.modified.minor);
    if (c.billing != BILL_MILESTONE && billable.minor > 0) {
        size_t count = billing_count(c.billing, c.start_on, c.end_on);
        struct bill_instalment *inst = xmalloc((count ? count : 1) * sizeof *inst);
        size_t n = billing_plan_instalments(c.billing, c.start_on, c.end_on, billable, inst);
        /* What the plan billed so far, less what memos credited back: after a modification the
         * rest of the price is spread over the instalments still to come (for a contract never
         * modified this gives the plan's own instalments). */
        struct money done = money_of(0);
        sqlite3_stmt *st = db_prepare(
            b, "SELECT coalesce((SELECT sum(l.amount) FROM invoice_lines l JOIN invoices i ON i.id"
               " = l.invoice_id JOIN obligations o ON o.id = l.obligation_id WHERE l.contract_id ="
               " :k AND i.status = 'issued' AND o.pattern <> 'usage'), 0) - coalesce((SELECT"
               " sum(n.amount) FROM credit_notes n JOIN memos m ON m.id = n.memo_id WHERE"
               " m.contract_id = :k), 0), (SELECT max(effective_on) FROM memos WHERE contract_id"
               " = :k AND status = 'posted')");
        db_bind_int(st, ":k", c.id);
        if (db_step(b, st, e) < 0) {
            rc = e->code;
        } else {
            done = db_col_money(st, 0);
        }
        int32_t modified_on = db_col_date(st, 1);
        sqlite3_reset(st);
        size_t first = 0;
        while (first < n && c.billed_through != DATE_NONE && inst[first].on <= c.billed_through)
            first++;
        struct money left = money_of(billable.minor - done.minor);
        if (rc == ERR_OK && first < n) {
            int64_t *w = xmalloc((n - first) * sizeof *w);
            struct money *parts = xmalloc((n - first) * sizeof *parts);
            for (size_t i = first; i < n; i++)
                w[i - first] = 1;
            if (left.minor > 0 && money_split(left, w, n - first, parts, e) == ERR_OK)
                for (size_t i = first; i < n; i++)
                    inst[i].amount = parts[i - first];
            else
                for (size_t i = first; i < n; i++)
                    inst[i].amount = money_of(0);
            free(w);
            free(parts);
        }
        for (size_t i = first; i < n && rc == ERR_OK; i++) {
            if (inst[i].on > through || inst[i].amount.minor <= 0)
                continue;
            char what[64];
            if (n == 1)
                snprintf(what, sizeof what, "billed up front");
            else
                snprintf(what, sizeof what, "%s instalment %zu of %zu",
                         billing_plan_name(c.billing), i + 1, n);
            size_t k = plan_lines(&obs, c.id, inst[i].amount, what, lines, descs);
            if (k)
                rc = issue_lines(b, &c, inst[i].on, lines, descs, k, out, NULL, e);
        }
        /* Every instalment is behind us but a modification raised the price: bill the rest on
         * the day it took effect. */
        if (rc == ERR_OK && first == n && left.minor > 0 && modified_on != DATE_NONE &&
            modified_on <= through) {
            size_t k = plan_lines(&obs, c.id, left, "as modified", lines, descs);
            if (k)
                rc = issue_lines(b, &c, modified_on, lines, descs, k, out, NULL, e);
        }
        free(inst);
    }
    if (rc == ERR_OK && c.billing == BILL_MILESTONE) {
        struct {
            int64_t id, obligation_id;
            int32_t due;
            struct money amount;
            char description[256];
        } *ms = NULL;
        size_t n = 0, cap = 0;
        sqlite3_stmt *st = db_prepare(b, "SELECT id, coalesce(obligation_id, 0), due_on, amount,"
                                         " description FROM billing_milestones WHERE contract_id ="
                                         " :k AND invoice_id IS NULL AND due_on <= :through ORDER"
                                         " BY due_on, id");
        db_bind_int(st, ":k", c.id);
        db_bind_date(st, ":through", through);
        int step;
        while ((step = db_step(b, st, e)) == SQLITE_ROW) {
            ms = xgrow(ms, &cap, n + 1, sizeof *ms);
            ms[n].id = db_col_int(st, 0);
            ms[n].obligation_id = db_col_int(st, 1);
            ms[n].due = db_col_date(st, 2);
            ms[n].amount = db_col_money(st, 3);
            db_col_copy(st, 4, ms[n].description, sizeof ms[n].description);
            n++;
        }
        if (step < 0)
            rc = e->code;
        for (size_t i = 0; i < n && rc == ERR_OK; i++) {
            size_t k;
            if (ms[i].obligation_id) {
                descs[0] = xasprintf("%s (milestone)", ms[i].description);
                lines[0] =
                    (struct invoice_line_input){descs[0], ms[i].amount, c.id, ms[i].obligation_id};
                k = 1;
            } else {
                k = plan_lines(&obs, c.id, ms[i].amount, ms[i].description, lines, descs);
            }
            int64_t invoice = 0;
            rc = issue_lines(b, &c, ms[i].due, lines, descs, k, out, &invoice, e);
            if (rc == ERR_OK) {
                st =
                    db_prepare(b, "UPDATE billing_milestones SET invoice_id = :inv WHERE id = :id");
                db_bind_int(st, ":inv", invoice);
                db_bind_int(st, ":id", ms[i].id);
                rc = db_exec(b, st, e);
            }
        }
        free(ms);
    }
    if (rc == ERR_OK)
        rc = bill_usage(b, &c, &obs, through, out, e);
    free(lines);
    free(descs);
    if (rc == ERR_OK && (c.billed_through == DATE_NONE || through > c.billed_through)) {
        sqlite3_stmt *st = db_prepare(b, "UPDATE contracts SET billed_through = :t WHERE id = :k");
        db_bind_date(st, ":t", through);
        db_bind_int(st, ":k", c.id);
        rc = db_exec(b, st, e);
    }
    if (rc == ERR_OK) {
        rc = book_commit(b, e);
        goto out;
    }
fail:
    book_rollback(b);
out:
    obligations_free(&obs);
    return rc;
}

int contract_bill_all(struct book *b, int32_t through, struct bill_run *out, struct err *e)
{
    memset(out, 0, sizeof *out);
    int rc = book_begin(b, e);
    if (rc != ERR_OK)
        return rc;
    struct contract_codes rows = {0};
    if ((rc = contract_codes(b, true, &rows, e)) != ERR_OK)
        goto fail;
    for (size_t i = 0; i < rows.n; i++) {
        if ((i & 255) == 0 && book_progress(b, "billing", i, rows.n)) {
            rc = err_set(e, ERR_CANCELLED, "billing cancelled; the run billed nothing");
            goto fail;
        }
        out->v = xgrow(out->v, &out->cap, out->n + 1, sizeof *out->v);
        struct bill_run_item *it = &out->v[out->n++];
        snprintf(it->code, sizeof it->code, "%s", rows.v[i]);
        if ((rc = contract_bill(b, it->code, through, &it->r, e)) != ERR_OK) {
            char why[sizeof e->msg];
            snprintf(why, sizeof why, "%s", e->msg);
            err_set(e, rc, "%s: %s; the run billed nothing", it->code, why);
            goto fail;
        }
        out->invoices += it->r.invoices;
    }
    contract_codes_free(&rows);
    if ((rc = book_commit(b, e)) != ERR_OK)
        bill_run_free(out);
    return rc;
fail:
    contract_codes_free(&rows);
    book_rollback(b);
    bill_run_free(out);
    return rc;
}

void bill_run_free(struct bill_run *r)
{
    free(r->v);
    memset(r, 0, sizeof *r);
}

int contract_milestone(struct book *b, const char *code, int32_t due, struct money amount,
                       const char *description, const char *obligation_ref, struct err *e)
{
    if (amount.minor <= 0)
        return err_set(e, ERR_INPUT, "amount: must be more than zero");
    if (text_blank(description) || !utf8_valid(description, strlen(description)) ||
        text_has_control(description, false))
        return err_set(e, ERR_INPUT, "description: say what the milestone is");
    struct contract c;
    struct obligation o = {0};
    if (obligation_ref) {
        if (obligation_find(b, obligation_ref, &c, &o, e) != ERR_OK)
            return e->code;
        if (strcmp(c.code, code) != 0)
            return err_set(e, ERR_INPUT, "obligation: %s is not an obligation of %s",
                           obligation_ref, code);
    } else if (contract_find(b, code, &c, e) != ERR_OK) {
        return e->code;
    }
    if (c.billing != BILL_MILESTONE)
        return err_set(e, ERR_RULE, "contract %s is billed %s, not on milestones", c.code,
                       billing_plan_name(c.billing));
    int rc = book_begin(b, e);
    if (rc != ERR_OK)
        return rc;
    sqlite3_stmt *st = db_prepare(b, "INSERT INTO billing_milestones (contract_id, obligation_id,"
                                     " due_on, amount, description) VALUES (:k, :o, :due, :a,"
                                     " :d)");
    db_bind_int(st, ":k", c.id);
    if (o.id)
        db_bind_int(st, ":o", o.id);
    db_bind_date(st, ":due", due);
    db_bind_money(st, ":a", amount);
    db_bind_text(st, ":d", description);
    if ((rc = db_exec(b, st, e)) == ERR_OK)
        rc = db_log(b, "contract.milestone", "contract", c.id, NULL, e);
    if (rc != ERR_OK) {
        book_rollback(b);
        return rc;
    }
    return book_commit(b, e);
}
