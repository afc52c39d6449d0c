/*
 * scr_credits.c — the Credit balances screen: every customer holding credit (prepaid and
 * promotional apart, the next expiry), the credit expiring in the next 30 days across customers,
 * and one customer's grants with the append-only movement ledger: who, when, why, which invoice.
 * Grant, adjust and refund are forms; the model writes each as one transaction.
 */
#include <curses.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "model/credit.h"
#include "model/customer.h"
#include "model/date.h"
#include "model/xalloc.h"
#include "tui/ui.h"

#define EXPIRING_WINDOW 30

/* ---- the list of balances and the expiring pane ---------------------------------------------- */

enum { CR_GRANT = ACT_SCREEN, CR_EXPIRE };

struct credits_state {
    struct credit_summaries sums;
    struct credit_expiring_list expiring;
    struct ui_scroll sc, xsc;
    int pane; /* 0 balances, 1 expiring */
};

static void credits_load(struct screen *s)
{
    struct credits_state *st = s->state;
    if (!st)
        st = s->state = xcalloc(1, sizeof *st);
    credit_summaries_free(&st->sums);
    credit_expiring_free(&st->expiring);
    struct err e = {0};
    int32_t today = app_today(s->app);
    if (credit_summaries_load(s->app->book, today, EXPIRING_WINDOW, &st->sums, &e) != ERR_OK ||
        credit_expiring_load(s->app->book, today, today + EXPIRING_WINDOW, &st->expiring, &e) !=
            ERR_OK)
        app_message(s->app, true, "%s", e.msg);
    st->sc.count = st->sums.n;
    st->xsc.count = st->expiring.n;
}

static void credits_draw(struct screen *s, int top, int height, int width)
{
    struct credits_state *st = s->state;
    int y = top;
    int half = (height - 4) * 3 / 5;
    if (half < 3)
        half = 3;
    ui_style(st->pane == 0 ? STYLE_TOTAL : STYLE_DIM);
    ui_putf(y++, 1, width - 2, false, "Credit balances at %s (%zu customer%s)",
            ui_date(app_today(s->app)), st->sums.n, st->sums.n == 1 ? "" : "s");
    ui_style(STYLE_NORMAL);
    struct ui_col cols[] = {{"Customer", 12, false},    {"Name", 0, false},
                            {"Cur", 3, false},          {"Prepaid", 14, true},
                            {"Promotional", 14, true},  {"Total", 14, true},
                            {"Next expiry", 11, false}, {"Expiring 30d", 14, true}};
    ui_table_head(y++, 1, width - 2, cols, 8);
    ui_scroll_fit(&st->sc, half);
    for (int r = 0; r < half; r++, y++) {
        size_t i = st->sc.top + (size_t)r;
        ui_blank(y, 0, width);
        if (i >= st->sums.n)
            continue;
        const struct credit_summary *c = &st->sums.v[i];
        const char *cells[8] = {c->customer,
                                c->name,
                                c->currency,
                                ui_money(c->paid.minor, c->exponent),
                                ui_money(c->free_credit.minor, c->exponent),
                                ui_money(c->total.minor, c->exponent),
                                c->next_expiry == DATE_NONE ? "" : ui_date(c->next_expiry),
                                c->expiring.minor ? ui_money(c->expiring.minor, c->exponent) : ""};
        ui_style(st->pane == 0 && i == st->sc.sel ? STYLE_SELECTED : STYLE_NORMAL);
        ui_blank(y, 0, width);
        ui_table_row(y, 1, cols, 8, cells);
        ui_style(STYLE_NORMAL);
    }
    if (st->sums.n == 0)
        ui_put(top + 3, 2, width - 4, "No customer holds credit.", false);
    y++;
    ui_style(st->pane == 1 ? STYLE_TOTAL : STYLE_DIM);
    ui_putf(y++, 1, width - 2, false,
            "Expiring in the next %d days (%zu grant%s)  - Tab to move here", EXPIRING_WINDOW,
            st->expiring.n, st->expiring.n == 1 ? "" : "s");
    ui_style(STYLE_NORMAL);
    struct ui_col xcols[] = {
        {"Expires", 10, false}, {"Customer", 12, false}, {"Name", 0, false}, {"Grant", 6, true},
        {"Kind", 11, false},    {"Remaining", 14, true}, {"Cur", 3, false}};
    ui_table_head(y++, 1, width - 2, xcols, 7);
    int rows = top + height - y;
    ui_scroll_fit(&st->xsc, rows);
    for (int r = 0; r < rows; r++, y++) {
        size_t i = st->xsc.top + (size_t)r;
        ui_blank(y, 0, width);
        if (i >= st->expiring.n)
            continue;
        const struct credit_expiring *x = &st->expiring.v[i];
        char grant[16];
        snprintf(grant, sizeof grant, "%lld", (long long)x->grant.id);
        const char *cells[7] = {ui_date(x->grant.expires_on),
                                x->customer,
                                x->name,
                                grant,
                                credit_kind_name(x->grant.kind),
                                ui_money(x->grant.remaining.minor, x->exponent),
                                x->currency};
        ui_style(st->pane == 1 && i == st->xsc.sel ? STYLE_SELECTED : STYLE_NORMAL);
        ui_blank(y, 0, width);
        ui_table_row(y, 1, xcols, 7, cells);
        ui_style(STYLE_NORMAL);
    }
}

static enum act_result credits_act(struct screen *s, int action, wint_t key)
{
    (void)key;
    struct credits_state *st = s->state;
    struct app *a = s->app;
    if (action == ACT_NEXT_PANE) {
        st->pane = !st->pane;
        return ACT_HANDLED;
    }
    if (ui_scroll_act(st->pane ? &st->xsc : &st->sc, action, 5))
        return ACT_HANDLED;
    const char *code = NULL;
    if (st->pane == 0 && st->sums.n)
        code = st->sums.v[st->sc.sel].customer;
    if (st->pane == 1 && st->expiring.n)
        code = st->expiring.v[st->xsc.sel].customer;
    switch (action) {
    case ACT_OPEN:
        if (code)
            open_customer_credit(a, code);
        return ACT_HANDLED;
    case CR_GRANT:
        form_grant(a, code);
        return ACT_HANDLED;
    case CR_EXPIRE: {
        char q[128];
        snprintf(q, sizeof q, "Record every expiry up to %s?", ui_date(app_today(a)));
        if (ui_confirm(a, q)) {
            int n = 0;
            struct err e = {0};
            if (credit_expire(a->book, app_today(a), &n, &e) != ERR_OK)
                app_message(a, true, "%s", e.msg);
            else {
                app_changed(a);
                app_message(a, false, "%d grant%s expired", n, n == 1 ? "" : "s");
            }
        }
        return ACT_HANDLED;
    }
    }
    return ACT_UNHANDLED;
}

static void credits_close(struct screen *s)
{
    struct credits_state *st = s->state;
    if (!st)
        return;
    credit_summaries_free(&st->sums);
    credit_expiring_free(&st->expiring);
    free(st);
}

static const struct key_binding credits_keys[] = {
    {'g', "g", CR_GRANT, "grant credit (to the selected customer)"},
    {'E', "E", CR_EXPIRE, "record the expiries due up to today"},
    {0, NULL, 0, NULL},
};

const struct screen_ops credits_screen = {
    .title = "Credit balances",
    .load = credits_load,
    .draw = credits_draw,
    .act = credits_act,
    .close = credits_close,
    .keys = credits_keys,
};

/* ---- one customer's credit ------------------------------------------------------------------- */

enum { CC_GRANT = ACT_SCREEN, CC_ADJUST, CC_REFUND };

struct customer_credit {
    char code[CODE_MAX + 1];
    struct customer c;
    struct credit_grants grants;
    struct credit_movements moves;
    struct ui_scroll gsc, msc;
    int pane;
    bool loaded;
};

static void cc_load(struct screen *s)
{
    struct customer_credit *v = s->state;
    struct app *a = s->app;
    customer_clear(&v->c);
    credit_grants_free(&v->grants);
    credit_movements_free(&v->moves);
    struct err e = {0};
    v->loaded = false;
    if (customer_find(a->book, v->code, &v->c, &e) != ERR_OK ||
        credit_grants_load(a->book, v->c.id, app_today(a), &v->grants, &e) != ERR_OK ||
        credit_movements_load(a->book, v->c.id, 0, &v->moves, &e) != ERR_OK) {
        app_message(a, true, "%s", e.msg);
        return;
    }
    v->gsc.count = v->grants.n;
    v->msc.count = v->moves.n;
    if (v->moves.n && v->msc.sel == 0)
        v->msc.sel = v->moves.n - 1; /* the latest movement */
    v->loaded = true;
}

static void cc_draw(struct screen *s, int top, int height, int width)
{
    struct customer_credit *v = s->state;
    if (!v->loaded)
        return;
    int x = v->c.exponent, y = top;
    int64_t paid = 0, free_credit = 0;
    for (size_t i = 0; i < v->grants.n; i++) {
        if (credit_kind_is_paid(v->grants.v[i].kind))
            paid += v->grants.v[i].remaining.minor;
        else
            free_credit += v->grants.v[i].remaining.minor;
    }
    ui_style(STYLE_TOTAL);
    ui_putf(y++, 1, width - 2, false, "%s  %s  credit balance %s %s", v->c.code, v->c.name,
            ui_money(paid + free_credit, x), v->c.currency);
    ui_style(STYLE_NORMAL);
    ui_putf(y++, 1, width - 2, false, "prepaid and refund %s   promotional and goodwill %s",
            ui_money(paid, x), ui_money(free_credit, x));
    y++;
    ui_style(v->pane == 0 ? STYLE_TOTAL : STYLE_DIM);
    ui_putf(y++, 1, width - 2, false, "Grants (%zu)", v->grants.n);
    ui_style(STYLE_NORMAL);
    struct ui_col gcols[] = {{"Grant", 6, true},     {"Kind", 11, false},  {"Granted", 10, false},
                             {"Expires", 10, false}, {"Amount", 14, true}, {"Remaining", 14, true},
                             {"Reason", 0, false}};
    ui_table_head(y++, 1, width - 2, gcols, 7);
    int grows = (height - 7) / 2;
    if (grows < 2)
        grows = 2;
    ui_scroll_fit(&v->gsc, grows);
    for (int r = 0; r < grows; r++, y++) {
        size_t i = v->gsc.top + (size_t)r;
        ui_blank(y, 0, width);
        if (i >= v->grants.n)
            continue;
        const struct credit_grant *g = &v->grants.v[i];
        char id[16], expires[32];
        snprintf(id, sizeof id, "%lld", (long long)g->id);
        if (g->expires_on == DATE_NONE)
            snprintf(expires, sizeof expires, "never");
        else
            snprintf(expires, sizeof expires, "%s", ui_date(g->expires_on));
        const char *cells[7] = {id,
                                credit_kind_name(g->kind),
                                ui_date(g->granted_on),
                                g->expired ? "expired" : expires,
                                ui_money(g->amount.minor, x),
                                ui_money(g->remaining.minor, x),
                                g->reason};
        ui_style(v->pane == 0 && i == v->gsc.sel ? STYLE_SELECTED : STYLE_NORMAL);
        ui_blank(y, 0, width);
        ui_table_row(y, 1, gcols, 7, cells);
        ui_style(STYLE_NORMAL);
    }
    y++;
    ui_style(v->pane == 1 ? STYLE_TOTAL : STYLE_DIM);
    ui_putf(y++, 1, width - 2, false, "Movements (%zu), append-only - Tab to move here",
            v->moves.n);
    ui_style(STYLE_NORMAL);
    struct ui_col mcols[] = {{"Date", 10, false},  {"Grant", 6, true},     {"Movement", 9, false},
                             {"Amount", 14, true}, {"Invoice", 11, false}, {"Who", 8, false},
                             {"Why", 0, false}};
    ui_table_head(y++, 1, width - 2, mcols, 7);
    int mrows = top + height - y;
    ui_scroll_fit(&v->msc, mrows);
    for (int r = 0; r < mrows; r++, y++) {
        size_t i = v->msc.top + (size_t)r;
        ui_blank(y, 0, width);
        if (i >= v->moves.n)
            continue;
        const struct credit_movement *m = &v->moves.v[i];
        char id[16];
        snprintf(id, sizeof id, "%lld", (long long)m->grant_id);
        const char *cells[7] = {ui_date(m->on_date),
                                id,
                                movement_kind_name(m->kind),
                                ui_money(m->amount.minor, x),
                                m->invoice,
                                m->by,
                                m->reason};
        ui_style(v->pane == 1 && i == v->msc.sel ? STYLE_SELECTED : STYLE_NORMAL);
        ui_blank(y, 0, width);
        ui_table_row(y, 1, mcols, 7, cells);
        ui_style(STYLE_NORMAL);
    }
}

static void form_adjust(struct app *a, const struct credit_grant *g, const struct customer *c);
static void form_refund(struct app *a, const struct customer *c);

static enum act_result cc_act(struct screen *s, int action, wint_t key)
{
    (void)key;
    struct customer_credit *v = s->state;
    struct app *a = s->app;
    if (!v->loaded)
        return ACT_UNHANDLED;
    if (action == ACT_NEXT_PANE) {
        v->pane = !v->pane;
        return ACT_HANDLED;
    }
    if (ui_scroll_act(v->pane ? &v->msc : &v->gsc, action, 5))
        return ACT_HANDLED;
    switch (action) {
    case CC_GRANT:
        form_grant(a, v->code);
        return ACT_HANDLED;
    case CC_ADJUST:
        if (v->grants.n == 0)
            app_message(a, true, "no grant to adjust");
        else
            form_adjust(a, &v->grants.v[v->gsc.sel], &v->c);
        return ACT_HANDLED;
    case CC_REFUND:
        form_refund(a, &v->c);
        return ACT_HANDLED;
    }
    return ACT_UNHANDLED;
}

static void cc_close(struct screen *s)
{
    struct customer_credit *v = s->state;
    customer_clear(&v->c);
    credit_grants_free(&v->grants);
    credit_movements_free(&v->moves);
    free(v);
}

static const struct key_binding cc_keys[] = {
    {'g', "g", CC_GRANT, "grant credit"},
    {'a', "a", CC_ADJUST, "adjust the selected grant"},
    {'r', "r", CC_REFUND, "refund prepaid credit in cash"},
    {0, NULL, 0, NULL},
};

static const struct screen_ops cc_screen = {
    .title = "Customer credit",
    .load = cc_load,
    .draw = cc_draw,
    .act = cc_act,
    .close = cc_close,
    .keys = cc_keys,
};

void open_customer_credit(struct app *a, const char *code)
{
    struct customer c;
    struct err e = {0};
    if (customer_find(a->book, code, &c, &e) != ERR_OK) {
        app_message(a, true, "%s", e.msg);
        return;
    }
    struct customer_credit *v = xcalloc(1, sizeof *v);
    snprintf(v->code, sizeof v->code, "%s", c.code);
    app_push(a, &cc_screen, v);
    app_title(a, "Credit of %s", c.code);
    customer_clear(&c);
}

/* ---- forms ---------------------------------------------------------------------------------- */

/* Parses an amount field in a customer's currency, naming the field. */
static int amount_field(struct form *f, int i, const char *name, int exponent, struct money *out,
                        int *bad, struct err *e)
{
    if (money_parse(form_text(f, i), exponent, out, e) != ERR_OK) {
        *bad = i;
        err_prefix(e, "%s", name);
        return e->code;
    }
    return ERR_OK;
}

static int date_field(struct form *f, int i, const char *name, bool optional, int32_t *out,
                      int *bad, struct err *e)
{
    if (optional && !*form_text(f, i)) {
        *out = DATE_NONE;
        return ERR_OK;
    }
    if (date_parse(form_text(f, i), out, e) != ERR_OK) {
        *bad = i;
        err_prefix(e, "%s", name);
        return e->code;
    }
    return ERR_OK;
}

/* Sends a model error to the field its message names ("amount: ..."). */
static void blame(struct form *f, const struct err *e, int *bad)
{
    for (int i = 0; i < f->n; i++) {
        size_t n = strlen(f->fields[i].label);
        if (strncasecmp(e->msg, f->fields[i].label, n) == 0 && e->msg[n] == ':') {
            *bad = i;
            return;
        }
    }
}

enum { G_CUSTOMER, G_AMOUNT, G_DATE, G_EXPIRES, G_KIND, G_REASON };

static int save_grant(struct form *f, struct app *a, void *ctx, int *bad, struct err *e)
{
    (void)ctx;
    struct customer c;
    if (customer_find(a->book, form_text(f, G_CUSTOMER), &c, e) != ERR_OK) {
        *bad = G_CUSTOMER;
        return e->code;
    }
    struct grant_input in = {.customer = c.code, .reason = form_text(f, G_REASON)};
    int rc = ERR_OK;
    if ((rc = amount_field(f, G_AMOUNT, "amount", c.exponent, &in.amount, bad, e)) != ERR_OK ||
        (rc = date_field(f, G_DATE, "date", false, &in.granted_on, bad, e)) != ERR_OK ||
        (rc = date_field(f, G_EXPIRES, "expires", true, &in.expires_on, bad, e)) != ERR_OK)
        goto out;
    if ((rc = credit_kind_parse(form_text(f, G_KIND), &in.kind, e)) != ERR_OK) {
        *bad = G_KIND;
        goto out;
    }
    int64_t id;
    if ((rc = credit_grant(a->book, &in, &id, e)) != ERR_OK) {
        blame(f, e, bad);
        goto out;
    }
    app_message(a, false, "credit grant %lld: %s %s %s credit to %s", (long long)id,
                ui_money(in.amount.minor, c.exponent), c.currency, credit_kind_name(in.kind),
                c.code);
out:
    customer_clear(&c);
    return rc;
}

void form_grant(struct app *a, const char *customer)
{
    struct form *f = form_new("Grant credit", save_grant, NULL, false);
    form_field(f, "Customer", customer, "ACME");
    form_field(f, "Amount", NULL, "500.00");
    form_field(f, "Date", ui_date(app_today(a)), "YYYY-MM-DD");
    form_field(f, "Expires", NULL, "blank: never");
    form_field(f, "Kind", "prepaid", "prepaid, promotional, goodwill, refund");
    form_field(f, "Reason", NULL, "why the credit is granted");
    if (customer) {
        f->fields[G_CUSTOMER].readonly = true;
        f->focus = G_AMOUNT;
    }
    snprintf(f->note, sizeof f->note,
             "Prepaid credit is cash received (it posts to the ledger); promotional and goodwill"
             " credit posts only when used.");
    form_show(a, f);
}

struct adjust_ctx {
    int64_t grant;
    int exponent;
    char customer[CODE_MAX + 1];
};

enum { A_AMOUNT, A_DATE, A_REASON };

static int save_adjust(struct form *f, struct app *a, void *ctx, int *bad, struct err *e)
{
    struct adjust_ctx *x = ctx;
    struct money delta;
    int32_t day;
    if (amount_field(f, A_AMOUNT, "amount", x->exponent, &delta, bad, e) != ERR_OK ||
        date_field(f, A_DATE, "date", false, &day, bad, e) != ERR_OK)
        return e->code;
    if (credit_adjust(a->book, x->grant, delta, day, form_text(f, A_REASON), e) != ERR_OK) {
        blame(f, e, bad);
        return e->code;
    }
    app_message(a, false, "credit grant %lld adjusted by %s", (long long)x->grant,
                ui_money(delta.minor, x->exponent));
    return ERR_OK;
}

static void form_adjust(struct app *a, const struct credit_grant *g, const struct customer *c)
{
    struct adjust_ctx *x = xcalloc(1, sizeof *x);
    x->grant = g->id;
    x->exponent = c->exponent;
    snprintf(x->customer, sizeof x->customer, "%s", c->code);
    char title[96];
    snprintf(title, sizeof title, "Adjust grant %lld of %s (%s left)", (long long)g->id, c->code,
             ui_money(g->remaining.minor, c->exponent));
    struct form *f = form_new(title, save_adjust, x, true);
    form_field(f, "Amount", NULL, "+50.00 or -50.00");
    form_field(f, "Date", ui_date(app_today(a)), "YYYY-MM-DD");
    form_field(f, "Reason", NULL, "why");
    form_show(a, f);
}

enum { R_AMOUNT, R_DATE, R_REASON };

static int save_refund(struct form *f, struct app *a, void *ctx, int *bad, struct err *e)
{
    struct adjust_ctx *x = ctx;
    struct money amount;
    int32_t day;
    if (amount_field(f, R_AMOUNT, "amount", x->exponent, &amount, bad, e) != ERR_OK ||
        date_field(f, R_DATE, "date", false, &day, bad, e) != ERR_OK)
        return e->code;
    if (credit_refund(a->book, x->customer, amount, day, form_text(f, R_REASON), 0, e) != ERR_OK) {
        blame(f, e, bad);
        return e->code;
    }
    app_message(a, false, "refunded %s of credit to %s", ui_money(amount.minor, x->exponent),
                x->customer);
    return ERR_OK;
}

static void form_refund(struct app *a, const struct customer *c)
{
    struct adjust_ctx *x = xcalloc(1, sizeof *x);
    x->exponent = c->exponent;
    snprintf(x->customer, sizeof x->customer, "%s", c->code);
    char title[96];
    snprintf(title, sizeof title, "Refund prepaid credit to %s", c->code);
    struct form *f = form_new(title, save_refund, x, true);
    form_field(f, "Amount", NULL, "100.00");
    form_field(f, "Date", ui_date(app_today(a)), "YYYY-MM-DD");
    form_field(f, "Reason", NULL, "why");
    form_show(a, f);
}
