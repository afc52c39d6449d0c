/*
 * scr_reports.c — the Reports screen: pick a report, give its parameters, see it in the grid,
 * export it with `w`. The list is a table: a new report is one entry.
 */
#include <curses.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

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
};

struct report_kind {
    const char *name;
    const char *description;
    unsigned params;
    const char *file; /* default export name */
    struct report *(*build)(struct app *a, const char *customer, int32_t from, int32_t to,
                            int32_t as_of, struct err *e);
};

static struct report *build_statement(struct app *a, const char *customer, int32_t from, int32_t to,
                                      int32_t as_of, struct err *e)
{
    (void)as_of;
    return report_statement(a->book, customer, from, to, e);
}

static struct report *build_credits(struct app *a, const char *customer, int32_t from, int32_t to,
                                    int32_t as_of, struct err *e)
{
    (void)customer, (void)from, (void)to;
    return report_credits(a->book, as_of, e);
}

static struct report *build_aging(struct app *a, const char *customer, int32_t from, int32_t to,
                                  int32_t as_of, struct err *e)
{
    (void)customer, (void)from, (void)to;
    return report_aging(a->book, as_of, e);
}

static const struct report_kind kinds[] = {
    {"Customer statement", "a customer's invoices, payments, credit and aging for a range of dates",
     P_CUSTOMER | P_FROM | P_TO, "statement.xlsx", build_statement},
    {"Credit balances", "every customer's credit grants and expiries at a date", P_AS_OF,
     "credits.xlsx", build_credits},
    {"Receivables aging", "what every customer owes, by days past due, at a date", P_AS_OF,
     "aging.xlsx", build_aging},
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
        ui_putf(y, 2, width - 4, false, "%-22s %s", kinds[i].name, kinds[i].description);
        ui_style(STYLE_NORMAL);
    }
}

struct params_ctx {
    const struct report_kind *kind;
    int field[4]; /* customer, from, to, as-of: field indexes or -1 */
};

static int save_params(struct form *f, struct app *a, void *ctx, int *bad, struct err *e)
{
    struct params_ctx *p = ctx;
    int32_t d[3] = {DATE_NONE, DATE_NONE, DATE_NONE};
    static const char *const names[3] = {"from", "to", "as of"};
    for (int i = 0; i < 3; i++) {
        int k = p->field[i + 1];
        if (k < 0)
            continue;
        if (date_parse(form_text(f, k), &d[i], e) != ERR_OK) {
            *bad = k;
            err_prefix(e, "%s", names[i]);
            return e->code;
        }
    }
    if (d[0] != DATE_NONE && d[1] != DATE_NONE && d[1] < d[0]) {
        *bad = p->field[2];
        return err_set(e, ERR_INPUT, "to: is before from");
    }
    const char *customer = p->field[0] >= 0 ? form_text(f, p->field[0]) : NULL;
    struct report *r = p->kind->build(a, customer, d[0], d[1], d[2], e);
    if (!r) {
        *bad = p->field[0] >= 0 && strncmp(e->msg, "no customer", 11) == 0 ? p->field[0] : -1;
        return e->code;
    }
    struct pending_view *pv = xcalloc(1, sizeof *pv);
    pv->report = r;
    if (customer)
        snprintf(pv->file, sizeof pv->file, "%s-%s", customer, p->kind->file);
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
    p->field[1] =
        k->params & P_FROM
            ? form_field(f, "From", ui_date(period_first_day(period_of(today) - 3)), "YYYY-MM-DD")
            : -1;
    p->field[2] = k->params & P_TO ? form_field(f, "To", ui_date(today), "YYYY-MM-DD") : -1;
    p->field[3] = k->params & P_AS_OF ? form_field(f, "As of", ui_date(today), "YYYY-MM-DD") : -1;
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
