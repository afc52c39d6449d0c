/*
 * pack_report.c — the audit pack for a month: one workbook an auditor can work from (a cover
 * with the control totals and the change log's head, the roll-forward, the waterfall, the
 * journal, revenue disaggregated, remaining performance obligations, the modifications and
 * each memo of the month, credit activity and expiries, receivables aging, the month's change
 * log, and a tie-out sheet whose checks are live formulas); and the change log and credit
 * activity reports it is made of.
 */
#include "reports/reports.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "model/check.h"
#include "model/close.h"
#include "model/date.h"
#include "model/ledger.h"
#include "model/memo.h"
#include "model/xalloc.h"

static char *range_days(int32_t from, int32_t to)
{
    char a[DATE_BUF], z[DATE_BUF];
    return xasprintf("%s to %s", date_format(from, a, sizeof a), date_format(to, z, sizeof z));
}

/* The change log's table is a row source over a cursor on the book: its rows, then the total
 * of the rows and of the refused ones, counted as they go by. */
struct changes_source {
    struct change_cursor *cursor;
    struct change_row cur; /* the row handed out */
    int64_t n, refused;
    bool total_given;
    struct cell cells[9];
    char entity_id_text[24];
};

enum { CH_ID, CH_AT, CH_USER, CH_ACTION, CH_ENTITY, CH_ENTITY_ID, CH_REFUSED, CH_DETAIL, CH_HASH };

static int changes_next(struct report_table *t, struct report_row *row)
{
    struct changes_source *s = t->state;
    struct cell *c = s->cells;
    memset(c, 0, sizeof s->cells);
    if (!s->total_given) {
        struct change_row *r = &s->cur;
        struct err e = {0};
        int got = change_cursor_next(s->cursor, r, &e);
        if (got < 0) {
            report_row_source_failed(&e);
            return 0;
        }
        if (got == 1) {
            c[CH_ID] = (struct cell){.type = CELL_COUNT, .v = r->id};
            c[CH_AT] = (struct cell){.type = CELL_TEXT, .text = r->at};
            c[CH_USER] = (struct cell){.type = CELL_TEXT, .text = r->user};
            c[CH_ACTION] = (struct cell){.type = CELL_TEXT, .text = r->action};
            c[CH_ENTITY] = (struct cell){.type = CELL_TEXT, .text = r->entity};
            if (r->entity_id)
                c[CH_ENTITY_ID] = (struct cell){.type = CELL_COUNT, .v = r->entity_id};
            c[CH_REFUSED] = (struct cell){.type = CELL_BOOL, .v = r->refused};
            c[CH_DETAIL] = (struct cell){.type = CELL_TEXT, .text = r->text};
            c[CH_HASH] = (struct cell){.type = CELL_TEXT, .text = r->hash};
            s->n++;
            s->refused += r->refused;
            row->style = ROW_DATA;
            row->cells = c;
            return 1;
        }
        s->total_given = true;
        c[CH_AT] = (struct cell){.type = CELL_TEXT, .text = "Changes"};
        c[CH_ENTITY_ID] =
            (struct cell){.type = CELL_COUNT, .v = s->n, .formula = "=COUNT({id:data})"};
        c[CH_ACTION] = (struct cell){.type = CELL_TEXT, .text = "refused:"};
        c[CH_REFUSED] = (struct cell){
            .type = CELL_COUNT, .v = s->refused, .formula = "=COUNTIF({refused:data},TRUE)"};
        row->style = ROW_TOTAL;
        row->cells = c;
        return 1;
    }
    return 0;
}

static void changes_rewind(struct report_table *t)
{
    struct changes_source *s = t->state;
    change_cursor_rewind(s->cursor);
    s->n = s->refused = 0;
    s->total_given = false;
}

static void changes_free(void *state)
{
    struct changes_source *s = state;
    if (!s)
        return;
    change_cursor_close(s->cursor);
    free(s);
}

struct report *report_changes(struct book *b, int32_t from, int32_t to, struct err *e)
{
    if (book_begin_read(b, e) != ERR_OK)
        return NULL;
    char *range = range_days(from, to);
    struct report *r = report_new("Change log", range);
    report_set_sheet(r, "Change log");
    report_header(r, "Days (UTC)", range);
    free(range);
    struct chain_status cs;
    if (book_chain_verify(b, &cs, e) != ERR_OK || report_stamp(r, b, e) != ERR_OK) {
        report_free(r);
        book_end_read(b);
        return NULL;
    }
    report_header(r, "Hash chain", cs.broken_id ? "BROKEN" : "verifies");
    report_header(r, "Chain head", cs.head);
    static const struct report_col cols[] = {
        {"id", "#", COL_COUNT, 7},           {"at", "When (UTC)", COL_TEXT, 20},
        {"user", "Who", COL_TEXT, 12},       {"action", "What", COL_TEXT, 18},
        {"entity", "Entity", COL_TEXT, 11},  {"entity_id", "Id", COL_COUNT, 7},
        {"refused", "Refused", COL_BOOL, 8}, {"detail", "Detail or the row after", COL_TEXT, 60},
        {"hash", "Hash", COL_TEXT, 18},
    };
    struct report_table *t = report_add_table(r, "changes", NULL, cols, 9);
    t->freeze_cols = 1;
    struct changes_source *s = xcalloc(1, sizeof *s);
    s->cursor = change_cursor_open(b, from, to);
    t->next = changes_next;
    t->rewind = changes_rewind;
    t->free_state = changes_free;
    t->state = s;
    book_end_read(b);
    return r;
}

struct report *report_credit_activity(struct book *b, int32_t from, int32_t to, struct err *e)
{
    if (book_begin_read(b, e) != ERR_OK)
        return NULL;
    struct credit_activity rows = {0};
    struct report *r = NULL;
    char *range = range_days(from, to);
    if (credit_activity_load(b, from, to, &rows, e) != ERR_OK)
        goto out;
    r = report_new("Credit activity", range);
    report_set_sheet(r, "Credit activity");
    report_header(r, "Days", range);
    if (report_stamp(r, b, e) != ERR_OK) {
        report_free(r);
        r = NULL;
        goto out;
    }
    static const struct report_col cols[] = {
        {"on", "Date", COL_DATE, 10},          {"customer", "Customer", COL_TEXT, 10},
        {"grant", "Grant", COL_COUNT, 6},      {"kind", "Kind", COL_TEXT, 11},
        {"movement", "Movement", COL_TEXT, 9}, {"amount", "Amount", COL_MONEY, 14},
        {"invoice", "Invoice", COL_TEXT, 11},  {"reason", "Why", COL_TEXT, 36},
        {"by", "Who", COL_TEXT, 12},
    };
    bool *done = xcalloc(rows.n + 1, sizeof *done);
    for (size_t i = 0; i < rows.n; i++) {
        if (done[i])
            continue;
        const char *cur = rows.v[i].currency;
        int x = rows.v[i].exponent;
        char name[24], title[48];
        snprintf(name, sizeof name, "credit_%s", cur);
        snprintf(title, sizeof title, "Credit movements in %s", cur);
        struct report_table *t = report_add_table(r, name, title, cols, 9);
        struct money sum = money_of(0), expired = money_of(0);
        for (size_t j = i; j < rows.n; j++) {
            const struct credit_activity_row *m = &rows.v[j];
            if (done[j] || strcmp(m->currency, cur) != 0)
                continue;
            done[j] = true;
            struct report_row *row = report_row_add(t, ROW_DATA);
            cell_date(row, t, "on", m->on);
            cell_text(t, row, "customer", m->customer);
            cell_count(row, t, "grant", m->grant_id);
            cell_text(t, row, "kind", m->grant_kind);
            cell_text(t, row, "movement", m->movement);
            cell_money(row, t, "amount", m->amount, x);
            cell_text(t, row, "invoice", m->invoice);
            cell_text(t, row, "reason", m->reason);
            cell_text(t, row, "by", m->by);
            sum.minor += m->amount.minor;
            if (strcmp(m->movement, "expired") == 0)
                expired.minor += m->amount.minor;
        }
        struct report_row *row = report_row_add(t, ROW_SUBTOTAL);
        cell_text(t, row, "customer", "of which expired");
        cell_money(row, t, "amount", expired, x);
        cell_formula(t, row, "amount", "=SUMIF({movement:data},\"expired\",{amount:data})");
        row = report_row_add(t, ROW_TOTAL);
        cell_text(t, row, "customer", "Net change");
        cell_money(row, t, "amount", sum, x);
        cell_formula(t, row, "amount", "=SUM({amount:data})");
    }
    free(done);
    if (rows.n == 0)
        report_add_table(r, "credit", "No credit moved in the range", cols, 9);
out:
    free(range);
    credit_activity_free(&rows);
    book_end_read(b);
    return r;
}

/* The cover: who, when, what state the month is in, the chain head, and the control totals. */
static struct report *pack_cover(struct book *b, int32_t p, struct err *e)
{
    if (book_begin_read(b, e) != ERR_OK)
        return NULL;
    struct report *r = NULL;
    struct book_settings s;
    struct period_rows pr = {0};
    char per[PERIOD_BUF];
    period_format(p, per, sizeof per);
    int32_t d0 = period_first_day(p), d1 = period_last_day(p);
    if (book_settings_get(b, &s, e) != ERR_OK || period_list(b, p, &pr, e) != ERR_OK)
        goto out;
    char sub[400];
    snprintf(sub, sizeof sub, "%s, %s", s.company, per);
    r = report_new("Audit pack", sub);
    report_set_sheet(r, "Cover");
    report_header(r, "Period", per);
    const struct period_row *row0 = pr.n ? &pr.v[pr.n - 1] : NULL;
    char state[160];
    if (row0 && row0->period == p && row0->closed)
        snprintf(state, sizeof state, "closed by %s at %s", row0->closed_by, row0->closed_at);
    else
        snprintf(state, sizeof state, "OPEN: its figures can still change");
    report_header(r, "State", state);
    if (row0 && row0->period == p && row0->closed)
        report_header(r, "Chain head at the close", row0->chain_head);
    struct chain_status cs;
    if (book_chain_verify(b, &cs, e) != ERR_OK || report_stamp(r, b, e) != ERR_OK) {
        report_free(r);
        r = NULL;
        goto out;
    }
    report_header(r, "Chain head now", cs.head);
    report_header(r, "Hash chain", cs.broken_id ? cs.reason : "verifies");
    static const struct report_col cols[] = {
        {"currency", "Currency", COL_TEXT, 9},
        {"revenue", "Revenue in the month", COL_MONEY, 16},
        {"billed", "Billed to contracts", COL_MONEY, 16},
        {"deferred", "Deferred revenue at the end", COL_MONEY, 16},
        {"receivable", "Receivables at the end", COL_MONEY, 16},
        {"credit", "Customer credit at the end", COL_MONEY, 16},
        {"journal_debits", "Journal debits in the month", COL_MONEY, 16},
    };
    struct report_table *t = report_add_table(r, "control", "Control totals", cols, 7);
    char curs[16][4];
    int exps[16], n = 0;
    if (ledger_currencies(b, d1, curs, exps, 16, &n, e) != ERR_OK) {
        report_free(r);
        r = NULL;
        goto out;
    }
    /* Every role's movements of the month and balances at its end, in one pass. */
    struct role_totals rt[256];
    int nrt = 0;
    if (ledger_role_totals(b, NULL, d0, d1, rt, 256, &nrt, e) != ERR_OK) {
        report_free(r);
        r = NULL;
        goto out;
    }
    for (int i = 0; i < n; i++) {
        struct role_totals rev = role_totals_of(rt, nrt, "revenue", curs[i]);
        struct role_totals def = role_totals_of(rt, nrt, "deferred_revenue", curs[i]);
        struct money rd = rev.debits, rc = rev.credits, dc = def.credits, deferred = def.balance;
        struct money recv = role_totals_of(rt, nrt, "receivable", curs[i]).balance;
        struct money credit = role_totals_of(rt, nrt, "customer_credit", curs[i]).balance;
        /* Journal debits: every account's debits of the month. */
        struct money td = money_of(0), tc = money_of(0);
        static const char *const roles[] = {"cash",
                                            "receivable",
                                            "contract_asset",
                                            "deferred_revenue",
                                            "customer_credit",
                                            "customer_deposits",
                                            "revenue",
                                            "breakage",
                                            "discounts"};
        for (size_t k = 0; k < sizeof roles / sizeof roles[0]; k++) {
            struct role_totals j = role_totals_of(rt, nrt, roles[k], curs[i]);
            td.minor += j.debits.minor;
            tc.minor += j.credits.minor;
        }
        struct report_row *row = report_row_add(t, ROW_DATA);
        int x = exps[i];
        cell_text(t, row, "currency", curs[i]);
        cell_money(row, t, "revenue", money_of(rc.minor - rd.minor), x);
        cell_money(row, t, "billed", dc, x);
        cell_money(row, t, "deferred", money_of(-deferred.minor), x);
        cell_money(row, t, "receivable", recv, x);
        cell_money(row, t, "credit", money_of(-credit.minor), x);
        cell_money(row, t, "journal_debits", td, x);
    }
out:
    period_rows_free(&pr);
    book_end_read(b);
    return r;
}

/* The tie-out sheet: each check a live formula over the other sheets that shows TRUE, then the
 * book's own checks as they ran when the pack was made. */
/* The names of a sheet's tables, kept once the sheet is written and freed. */
#define PACK_TABLES 32
struct table_names {
    char v[PACK_TABLES][32];
    int n;
};

static void keep_names(struct table_names *names, const struct report *r)
{
    names->n = 0;
    for (int i = 0; i < r->ntables && names->n < PACK_TABLES; i++)
        snprintf(names->v[names->n++], sizeof names->v[0], "%s", r->tables[i]->name);
}

static bool has_table(const struct table_names *names, const char *name)
{
    for (int i = 0; i < names->n; i++)
        if (strcmp(names->v[i], name) == 0)
            return true;
    return false;
}

static struct report *pack_tieout(struct book *b, int32_t p, char (*curs)[4], int ncur,
                                  const struct table_names *rollforward,
                                  const struct table_names *waterfall, struct err *e)
{
    struct report *r = report_new("Tie-out", NULL);
    report_set_sheet(r, "Tie-out");
    char per[PERIOD_BUF];
    report_header(r, "Period", period_format(p, per, sizeof per));
    if (report_stamp(r, b, e) != ERR_OK) {
        report_free(r);
        return NULL;
    }
    static const struct report_col cols[] = {
        {"what", "Check", COL_TEXT, 64},
        {"ties", "Ties", COL_BOOL, 8},
    };
    struct report_table *t =
        report_add_table(r, "tieout", "Live checks across the sheets", cols, 2);
    struct report_row *row = report_row_add(t, ROW_DATA);
    cell_text(t, row, "what", "Journal: debits equal credits");
    cell_bool(row, t, "ties", true);
    cell_formula(t, row, "ties", "=SUM({journal.debit:data})=SUM({journal.credit:data})");
    for (int i = 0; i < ncur; i++) {
        char what[160], f[600], name[48];
        snprintf(name, sizeof name, "rollforward_%.3s", curs[i]);
        if (!has_table(rollforward, name))
            continue;
        row = report_row_add(t, ROW_DATA);
        snprintf(what, sizeof what,
                 "Roll-forward %.3s: opening + billings - revenue + adjustments ="
                 " closing",
                 curs[i]);
        cell_text(t, row, "what", what);
        cell_bool(row, t, "ties", true);
        snprintf(f, sizeof f,
                 "=ROUND({rollforward_%.3s.opening:total}+{rollforward_%.3s.billings:total}"
                 "-{rollforward_%.3s.revenue:total}+{rollforward_%.3s.adjustments:total}"
                 "-{rollforward_%.3s.closing:total},6)=0",
                 curs[i], curs[i], curs[i], curs[i], curs[i]);
        cell_formula(t, row, "ties", f);
        row = report_row_add(t, ROW_DATA);
        snprintf(what, sizeof what, "Roll-forward %.3s: closing ties to the ledger", curs[i]);
        cell_text(t, row, "what", what);
        cell_bool(row, t, "ties", true);
        snprintf(f, sizeof f, "={tieout_%.3s.ties:total}", curs[i]);
        cell_formula(t, row, "ties", f);
    }
    for (int i = 0; i < ncur; i++) {
        char what[160], f[600], name[48];
        snprintf(name, sizeof name, "waterfall_%.3s", curs[i]);
        if (!has_table(waterfall, name))
            continue;
        row = report_row_add(t, ROW_DATA);
        snprintf(what, sizeof what,
                 "Waterfall %.3s: every obligation cross-foots to its allocation", curs[i]);
        cell_text(t, row, "what", what);
        cell_bool(row, t, "ties", true);
        snprintf(f, sizeof f, "=ROUND({waterfall_%.3s.check:total},6)=0", curs[i]);
        cell_formula(t, row, "ties", f);
    }
    struct check_report cr = {0};
    if (book_check(b, &cr, e) != ERR_OK) {
        report_free(r);
        return NULL;
    }
    static const struct report_col ccols[] = {
        {"what", "The book's checks when the pack was made", COL_TEXT, 64},
        {"passed", "Passed", COL_BOOL, 8},
        {"detail", "Figures", COL_TEXT, 60},
    };
    struct report_table *c = report_add_table(r, "book_checks", NULL, ccols, 3);
    for (size_t i = 0; i < cr.n; i++) {
        row = report_row_add(c, ROW_DATA);
        cell_text(c, row, "what", cr.v[i].name);
        cell_bool(row, c, "passed", cr.v[i].passed);
        cell_text(c, row, "detail", cr.v[i].detail);
    }
    check_report_free(&cr);
    return r;
}

/* The pack's sheets in order, each built when the renderer asks for it and freed once written:
 * the cover, then the reports below, a sheet for each memo of the month (at most PACK_MEMO_SHEETS),
 * credit activity, credit balances, aging, the change log, and the tie-out. */
enum pack_step {
    PACK_COVER,
    PACK_ROLLFORWARD,
    PACK_WATERFALL,
    PACK_JOURNAL,
    PACK_REVENUE_PATTERN,
    PACK_REVENUE_CUSTOMER,
    PACK_RPO,
    PACK_MEMOS,
    PACK_MEMO, /* one per memo */
    PACK_CREDIT_ACTIVITY,
    PACK_CREDITS,
    PACK_AGING,
    PACK_CHANGES,
    PACK_TIEOUT,
    PACK_END,
};
#define PACK_MEMO_SHEETS 47

struct pack_state {
    struct book *b;
    int32_t p;
    enum pack_step step;
    struct memo_rows memos;
    size_t memo;
    char curs[16][4];
    int exps[16], ncur;
    struct table_names rollforward, waterfall;
};

static int pack_next(void *state, struct report **out, struct err *e)
{
    struct pack_state *s = state;
    struct book *b = s->b;
    int32_t p = s->p, d0 = period_first_day(p), d1 = period_last_day(p);
    struct report *r = NULL;
    *out = NULL;
    if (s->step == PACK_MEMO && (s->memo >= s->memos.n || s->memo >= PACK_MEMO_SHEETS))
        s->step++;
    /* Sheet names an auditor can find their way by. */
    static const char *const sheets[] = {NULL,      "Roll-forward",       "Waterfall",
                                         "Journal", "Revenue by pattern", "Revenue by customer",
                                         "RPO",     "Modifications"};
    switch (s->step) {
    case PACK_COVER:
        r = pack_cover(b, p, e);
        break;
    case PACK_ROLLFORWARD:
        if ((r = report_rollforward(b, p, p, e)))
            keep_names(&s->rollforward, r);
        break;
    case PACK_WATERFALL:
        if ((r = report_waterfall(b, p, p + 11, e)))
            keep_names(&s->waterfall, r);
        break;
    case PACK_JOURNAL:
        r = report_journal(b, d0, d1, e);
        break;
    case PACK_REVENUE_PATTERN:
        r = report_revenue(b, p, p, REVENUE_BY_PATTERN, e);
        break;
    case PACK_REVENUE_CUSTOMER:
        r = report_revenue(b, p, p, REVENUE_BY_CUSTOMER, e);
        break;
    case PACK_RPO:
        r = report_rpo(b, d1, e);
        break;
    case PACK_MEMOS:
        if (!(r = report_memos(b, d0, d1, e)))
            break;
        if (book_begin_read(b, e) != ERR_OK) {
            report_free(r);
            return e->code;
        }
        int rc = memo_list(b, 0, d0, d1, &s->memos, e);
        if (rc == ERR_OK)
            rc = ledger_currencies(b, d1, s->curs, s->exps, 16, &s->ncur, e);
        book_end_read(b);
        if (rc != ERR_OK) {
            report_free(r);
            return rc;
        }
        break;
    case PACK_MEMO:
        r = report_memo(b, s->memos.v[s->memo++].number, e);
        break;
    case PACK_CREDIT_ACTIVITY:
        r = report_credit_activity(b, d0, d1, e);
        break;
    case PACK_CREDITS:
        r = report_credits(b, d1, e);
        break;
    case PACK_AGING:
        r = report_aging(b, d1, e);
        break;
    case PACK_CHANGES:
        r = report_changes(b, d0, d1, e);
        break;
    case PACK_TIEOUT:
        r = pack_tieout(b, p, s->curs, s->ncur, &s->rollforward, &s->waterfall, e);
        break;
    case PACK_END:
        return ERR_OK;
    }
    if (!r)
        return e->code;
    if (s->step > PACK_COVER && s->step <= PACK_MEMOS)
        report_set_sheet(r, sheets[s->step]);
    if (s->step != PACK_MEMO)
        s->step++;
    *out = r;
    return ERR_OK;
}

static void pack_close(void *state)
{
    struct pack_state *s = state;
    if (!s)
        return;
    memo_rows_free(&s->memos);
    free(s);
}

int report_pack_open(struct book *b, int32_t p, struct report_source *out, struct err *e)
{
    (void)e;
    struct pack_state *s = xcalloc(1, sizeof *s);
    s->b = b;
    s->p = p;
    *out = (struct report_source){.next = pack_next, .close = pack_close, .state = s};
    return ERR_OK;
}
