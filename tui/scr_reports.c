/*
 * scr_reports.c — the Reports screen: pick a report, give its parameters, see it in the grid,
 * export it with `w`. The list is a table: a new report is one entry.
 */
#include <curses.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "model/contract.h"
#include "model/date.h"
#include "model/xalloc.h"
#include "reports/reports.h"
#include "tui/ui.h"

enum param {
    P_NONE = 0,
    P_CUSTOMER = 1 << 0,
    P_FROM = 1 << 1,
    P_TO = 1 << 2,
    P_AS_OF = 1 << 3,
    P_MONTHS = 1 << 4, /* from and to are months YYYY-MM */
    P_BY = 1 << 5,     /* revenue: pattern, customer or obligation */
};

struct report_params {
    const char *customer;
    int32_t from, to; /* days, or months with P_MONTHS */
    int32_t as_of;
    enum revenue_by by;
};

struct report_kind {
    const char *name;
    const char *description;
    unsigned params;
    const char *file; /* default export name */
    struct report *(*build)(struct app *a, const struct report_params *p, struct err *e);
};

static struct report *build_statement(struct app *a, const struct report_params *p, struct err *e)
{
    return report_statement(a->book, p->customer, p->from, p->to, e);
}

static struct report *build_credits(struct app *a, const struct report_params *p, struct err *e)
{
    return report_credits(a->book, p->as_of, e);
}

static struct report *build_aging(struct app *a, const struct report_params *p, struct err *e)
{
    return report_aging(a->book, p->as_of, e);
}

static struct report *build_contracts(struct app *a, const struct report_params *p, struct err *e)
{
    struct contract_query q = {.status = -1};
    return report_contracts(a->book, &q, p->as_of, e);
}

static struct report *build_waterfall(struct app *a, const struct report_params *p, struct err *e)
{
    return report_waterfall(a->book, p->from, p->to, e);
}

static struct report *build_rollforward(struct app *a, const struct report_params *p, struct err *e)
{
    return report_rollforward(a->book, p->from, p->to, e);
}

static struct report *build_rpo(struct app *a, const struct report_params *p, struct err *e)
{
    return report_rpo(a->book, p->as_of, e);
}

static struct report *build_revenue(struct app *a, const struct report_params *p, struct err *e)
{
    return report_revenue(a->book, p->from, p->to, p->by, e);
}

static struct report *build_journal(struct app *a, const struct report_params *p, struct err *e)
{
    return report_journal(a->book, p->from, p->to, e);
}

static const struct report_kind kinds[] = {
    {"Customer statement", "a customer's invoices, payments, credit and aging for a range of dates",
     P_CUSTOMER | P_FROM | P_TO, "statement.xlsx", build_statement},
    {"Credit balances", "every customer's credit grants and expiries at a date", P_AS_OF,
     "credits.xlsx", build_credits},
    {"Receivables aging", "what every customer owes, by days past due, at a date", P_AS_OF,
     "aging.xlsx", build_aging},
    {"Contracts", "every contract with billed, recognized, deferred at a date", P_AS_OF,
     "contracts.xlsx", build_contracts},
    {"Deferred revenue waterfall", "each obligation's revenue month by month",
     P_FROM | P_TO | P_MONTHS, "waterfall.xlsx", build_waterfall},
    {"Deferred revenue roll-forward",
     "opening + billings - revenue +/- adjustments = closing, tied to the ledger",
     P_FROM | P_TO | P_MONTHS, "rollforward.xlsx", build_rollforward},
    {"Remaining performance obligations", "price not yet recognized, within 12 months and after",
     P_AS_OF, "rpo.xlsx", build_rpo},
    {"Revenue by month", "revenue posted, by pattern, customer or obligation",
     P_FROM | P_TO | P_MONTHS | P_BY, "revenue.xlsx", build_revenue},
    {"Journal entries", "every journal line, as accounting systems import them", P_FROM | P_TO,
     "journal.csv", build_journal},
};
#define NKINDS (sizeof kinds / sizeof kinds[0])

struct reports_state {
    struct ui_scroll sc;
};

static void reports_load(struct screen *s)
{
    if (!s->state)
        s->state = xcalloc(1, sizeof(struct reports_state));
    struct reports_state *st = s->state;
    st->sc.count = NKINDS;
}

static void reports_draw(struct screen *s, int top, int height, int width)
{
    struct reports_state *st = s->state;
    ui_style(STYLE_DIM);
    ui_put(top, 1, width - 2, "Pick a report and press Enter; in the report, w exports it.", false);
    ui_style(STYLE_NORMAL);
    for (size_t i = 0; i < NKINDS && (int)i + 2 < height; i++) {
        int y = top + 2 + (int)i;
        ui_style(i == st->sc.sel ? STYLE_SELECTED : STYLE_NORMAL);
        ui_blank(y, 0, width);
        ui_putf(y, 2, width - 4, false, "%-34s %s", kinds[i].name, kinds[i].description);
        ui_style(STYLE_NORMAL);
    }
}

struct params_ctx {
    const struct report_kind *kind;
    int field[5]; /* customer, from, to, as-of, by: field indexes or -1 */
};

static int save_params(struct form *f, struct app *a, void *ctx, int *bad, struct err *e)
{
    struct params_ctx *p = ctx;
    bool months = p->kind->params & P_MONTHS;
    int32_t d[3] = {DATE_NONE, DATE_NONE, DATE_NONE};
    static const char *const names[3] = {"from", "to", "as of"};
    for (int i = 0; i < 3; i++) {
        int k = p->field[i + 1];
        if (k < 0)
            continue;
        int rc = months && i < 2 ? period_parse(form_text(f, k), &d[i], e)
                                 : date_parse(form_text(f, k), &d[i], e);
        if (rc != ERR_OK) {
            *bad = k;
            err_prefix(e, "%s", names[i]);
            return e->code;
        }
    }
    if (d[0] != DATE_NONE && d[1] != DATE_NONE && d[1] < d[0]) {
        *bad = p->field[2];
        return err_set(e, ERR_INPUT, "to: is before from");
    }
    struct report_params rp = {.customer = p->field[0] >= 0 ? form_text(f, p->field[0]) : NULL,
                               .from = d[0],
                               .to = d[1],
                               .as_of = d[2]};
    if (p->field[4] >= 0 && revenue_by_parse(form_text(f, p->field[4]), &rp.by, e) != ERR_OK) {
        *bad = p->field[4];
        return e->code;
    }
    struct report *r = p->kind->build(a, &rp, e);
    if (!r) {
        *bad = p->field[0] >= 0 && strncmp(e->msg, "no customer", 11) == 0 ? p->field[0] : -1;
        return e->code;
    }
    struct pending_view *pv = xcalloc(1, sizeof *pv);
    pv->report = r;
    if (rp.customer)
        snprintf(pv->file, sizeof pv->file, "%s-%s", rp.customer, p->kind->file);
    else
        snprintf(pv->file, sizeof pv->file, "%s", p->kind->file);
    f->then = open_pending_view;
    f->then_data = pv;
    return ERR_OK;
}

static enum act_result reports_act(struct screen *s, int action, wint_t key)
{
    (void)key;
    struct reports_state *st = s->state;
    struct app *a = s->app;
    if (ui_scroll_act(&st->sc, action, s->height - 2))
        return ACT_HANDLED;
    if (action != ACT_OPEN)
        return ACT_UNHANDLED;
    const struct report_kind *k = &kinds[st->sc.sel];
    struct params_ctx *p = xcalloc(1, sizeof *p);
    p->kind = k;
    struct form *f = form_new(k->name, save_params, p, true);
    int32_t today = app_today(a);
    p->field[0] = k->params & P_CUSTOMER ? form_field(f, "Customer", NULL, "ACME") : -1;
    /* Month reports (waterfall, roll-forward, revenue) take months, the others days. */
    char from[DATE_BUF], to[DATE_BUF];
    bool months = k->params & P_MONTHS;
    if (months) {
        period_format(period_of(today) - 3, from, sizeof from);
        period_format(period_of(today), to, sizeof to);
    } else {
        snprintf(from, sizeof from, "%s", ui_date(period_first_day(period_of(today) - 3)));
        snprintf(to, sizeof to, "%s", ui_date(today));
    }
    const char *hint = months ? "YYYY-MM" : "YYYY-MM-DD";
    p->field[1] = k->params & P_FROM ? form_field(f, "From", from, hint) : -1;
    p->field[2] = k->params & P_TO ? form_field(f, "To", to, hint) : -1;
    p->field[3] = k->params & P_AS_OF ? form_field(f, "As of", ui_date(today), "YYYY-MM-DD") : -1;
    p->field[4] =
        k->params & P_BY ? form_field(f, "By", "pattern", "pattern, customer or obligation") : -1;
    snprintf(f->note, sizeof f->note, "%s", k->description);
    form_show(a, f);
    return ACT_HANDLED;
}

static void reports_close(struct screen *s)
{
    free(s->state);
}

static const struct key_binding reports_keys[] = {{0, NULL, 0, NULL}};

const struct screen_ops reports_screen = {
    .title = "Reports",
    .load = reports_load,
    .draw = reports_draw,
    .act = reports_act,
    .close = reports_close,
    .keys = reports_keys,
};
