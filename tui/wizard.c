/*
 * wizard.c — the guided new-contract flow: the five steps of ASC 606 / IFRS 15, one at a time.
 * Each step says in a line what it decides and asks its questions in a form; the allocation and
 * the schedule are computed by the model's rules as the answers come in, and shown before
 * anything is saved. Saving writes the contract and its obligations in one transaction, as a
 * draft or activated.
 */
#include <curses.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "model/contract.h"
#include "model/customer.h"
#include "model/date.h"
#include "model/recognition.h"
#include "model/xalloc.h"
#include "tui/ui.h"

#define WIZ_OBLIGATIONS 5
#define TEXT            256

struct wiz_obligation {
    char name[TEXT];
    enum pattern pattern;
    int32_t start, end, due;
    bool capable, distinct;
    char reason[TEXT];
    struct money ssp, low, high;
    enum ssp_method method;
    char evidence[TEXT];
    bool target;
    bool priced; /* step 4 answered */
};

struct wizard {
    /* step 1 */
    bool have_contract;
    char code[CODE_MAX + 1], customer[CODE_MAX + 1], currency[4];
    int exponent;
    int32_t signed_on, start, end, trial_end;
    int terms;
    bool probable, substance;
    enum billing_plan billing;
    /* step 2 */
    struct wiz_obligation obs[WIZ_OBLIGATIONS];
    int nobs;
    /* step 3 */
    bool have_price;
    struct price_terms price;
    char variable_method[16];
    /* computed */
    struct money tp;
    struct money allocated[WIZ_OBLIGATIONS];
    char problem[sizeof((struct err *)0)->msg]; /* why the allocation cannot be made yet */
    struct ui_scroll sc;                        /* the selected step, 0..4 */
};

static const char *const step_names[5] = {"The contract", "Performance obligations",
                                          "Transaction price", "Allocation", "Recognition"};
static const char *const step_decides[5] = {
    "Step 1 decides whether there is a contract at all: approved, with payment terms, commercial"
    " substance and probable collection.",
    "Step 2 decides what is promised: each distinct good or service is a performance obligation;"
    " promises that are not distinct are combined.",
    "Step 3 decides the transaction price: fixed consideration, less discounts and consideration"
    " payable, plus the constrained variable consideration.",
    "Step 4 allocates the price to the obligations by relative standalone selling price.",
    "Step 5 plans the revenue: over time evenly, at delivery, as used, or by progress.",
};

/* Recomputes the transaction price and the allocation with the model's rules. */
static void compute(struct wizard *w)
{
    w->problem[0] = '\0';
    memset(w->allocated, 0, sizeof w->allocated);
    struct err e = {0};
    if (!w->have_price) {
        snprintf(w->problem, sizeof w->problem, "the price is not given yet (step 3)");
        return;
    }
    if (transaction_price(&w->price, &w->tp, &e) != ERR_OK) {
        snprintf(w->problem, sizeof w->problem, "%s", e.msg);
        return;
    }
    if (w->nobs == 0) {
        snprintf(w->problem, sizeof w->problem, "no obligation yet (step 2)");
        return;
    }
    struct alloc_item items[WIZ_OBLIGATIONS] = {{0}};
    for (int i = 0; i < w->nobs; i++) {
        if (!w->obs[i].priced && w->obs[i].pattern != PATTERN_USAGE) {
            snprintf(w->problem, sizeof w->problem,
                     "obligation %d has no standalone selling"
                     " price yet (step 4)",
                     i + 1);
            return;
        }
        items[i].pattern = w->obs[i].pattern;
        items[i].method = w->obs[i].method;
        items[i].ssp = w->obs[i].ssp;
        items[i].range_low = w->obs[i].low;
        items[i].range_high = w->obs[i].high;
        items[i].discount_target = w->obs[i].target;
    }
    if (allocate(w->tp, w->price.discount, items, (size_t)w->nobs, &e) != ERR_OK) {
        snprintf(w->problem, sizeof w->problem, "%s", e.msg);
        return;
    }
    for (int i = 0; i < w->nobs; i++)
        w->allocated[i] = items[i].allocated;
}

static struct recog_input preview_input(const struct wizard *w, int i, enum convention conv)
{
    const struct wiz_obligation *o = &w->obs[i];
    struct recog_input in = {.pattern = o->pattern,
                             .convention = conv,
                             .allocated = w->allocated[i],
                             .start = o->start,
                             .end = o->end,
                             /* in the preview, delivery is expected on the due date */
                             .delivered_on = o->due,
                             .pause_start = DATE_NONE,
                             .pause_end = DATE_NONE};
    if (w->trial_end != DATE_NONE && in.start != DATE_NONE && in.start <= w->trial_end)
        in.start = w->trial_end + 1;
    return in;
}

/* ---- the hub ----------------------------------------------------------------------------- */

static bool step_done(const struct wizard *w, int step)
{
    switch (step) {
    case 0:
        return w->have_contract;
    case 1:
        return w->nobs > 0;
    case 2:
        return w->have_price;
    case 3:
        return w->have_price && w->nobs > 0 && !w->problem[0];
    default:
        return step_done(w, 3);
    }
}

static void step_summary(const struct wizard *w, int step, char *buf, size_t n)
{
    int x = w->exponent;
    switch (step) {
    case 0:
        if (!w->have_contract)
            snprintf(buf, n, "Enter to give the customer, dates and terms");
        else
            snprintf(buf, n, "%s for %s, %s..%s, %s, net %d, collection %s, billed %s", w->code,
                     w->customer, ui_date(w->start), ui_date(w->end),
                     w->signed_on == DATE_NONE ? "not signed" : "signed", w->terms,
                     w->probable ? "probable" : "NOT probable", billing_plan_name(w->billing));
        break;
    case 1:
        snprintf(buf, n, "%d promise%s; a adds one, x removes the last", w->nobs,
                 w->nobs == 1 ? "" : "s");
        break;
    case 2:
        if (!w->have_price)
            snprintf(buf, n, "Enter to give the price");
        else
            snprintf(buf, n, "%s %s", ui_money(w->tp.minor, x), w->currency);
        break;
    case 3:
        snprintf(buf, n, "%.200s", w->problem[0] ? w->problem : "by relative SSP");
        break;
    case 4:
        snprintf(buf, n, "%s",
                 step_done(w, 3) ? "S saves a draft, A saves and activates" : "not yet");
        break;
    }
}

static void wiz_draw(struct screen *s, int top, int height, int width)
{
    struct wizard *w = s->state;
    compute(w);
    int y = top;
    for (int i = 0; i < 5; i++, y++) {
        char summary[256];
        step_summary(w, i, summary, sizeof summary);
        ui_style(i == (int)w->sc.sel ? STYLE_SELECTED : STYLE_NORMAL);
        ui_blank(y, 0, width);
        ui_putf(y, 1, width - 2, false, "%s %d %-24s %s", step_done(w, i) ? "+" : " ", i + 1,
                step_names[i], summary);
        ui_style(STYLE_NORMAL);
    }
    y++;
    int step = (int)w->sc.sel;
    ui_style(STYLE_DIM);
    ui_put(y++, 1, width - 2, step_decides[step], false);
    ui_style(STYLE_NORMAL);
    y++;
    int x = w->exponent;
    if (step == 1 || step == 3) {
        struct ui_col cols[] = {
            {"#", 2, true},        {"Promise", 0, false},     {"Pattern", 8, false},
            {"Capable", 7, false}, {"In context", 10, false}, {"SSP", 12, true},
            {"Method", 15, false}, {"Allocated", 12, true}};
        ui_table_head(y++, 1, width - 2, cols, 8);
        for (int i = 0; i < w->nobs && y < top + height; i++, y++) {
            const struct wiz_obligation *o = &w->obs[i];
            char no[16];
            snprintf(no, sizeof no, "%d", i + 1);
            const char *cells[8] = {no,
                                    o->name,
                                    pattern_name(o->pattern),
                                    o->capable ? "yes" : "no",
                                    o->reason[0]  ? "combined"
                                    : o->distinct ? "yes"
                                                  : "no",
                                    o->priced ? ui_money(o->ssp.minor, x) : "",
                                    o->priced ? ssp_method_name(o->method) : "",
                                    o->pattern == PATTERN_USAGE ? "as used"
                                    : w->problem[0]             ? ""
                                                    : ui_money(w->allocated[i].minor, x)};
            ui_table_row(y, 1, cols, 8, cells);
        }
        if (step == 3 && w->problem[0] && y < top + height) {
            ui_style(STYLE_ERROR);
            ui_put(y++, 1, width - 2, w->problem, false);
            ui_style(STYLE_NORMAL);
        } else if (step == 3 && y < top + height) {
            ui_style(STYLE_TOTAL);
            ui_putf(y++, 1, width - 2, false,
                    "The allocation adds up to the transaction price, %s.",
                    ui_money(w->tp.minor, x));
            ui_style(STYLE_NORMAL);
        }
    } else if (step == 2 && w->have_price) {
        ui_putf(y++, 1, width - 2, false, "  fixed consideration       %14s",
                ui_money(w->price.fixed.minor, x));
        ui_putf(y++, 1, width - 2, false, "- discounts                 %14s",
                ui_money(w->price.discount.minor, x));
        ui_putf(y++, 1, width - 2, false, "- consideration payable     %14s",
                ui_money(w->price.payable.minor, x));
        ui_putf(y++, 1, width - 2, false, "+ variable (%-14s) %14s",
                w->variable_method[0] ? w->variable_method : "none",
                ui_money(w->price.variable.minor, x));
        ui_style(STYLE_TOTAL);
        ui_putf(y++, 1, width - 2, false, "= transaction price         %14s",
                ui_money(w->tp.minor, x));
        ui_style(STYLE_NORMAL);
    } else if (step == 4) {
        if (!step_done(w, 3)) {
            ui_put(y, 1, width - 2, w->problem, false);
            return;
        }
        /* The schedule the rules give, months down, obligations across. */
        enum convention conv = book_convention(s->app->book);
        int32_t first = INT32_MAX, last = INT32_MIN;
        for (int i = 0; i < w->nobs; i++) {
            struct recog_input in = preview_input(w, i, conv);
            int32_t f, l;
            if (recognition_span(&in, &f, &l)) {
                first = f < first ? f : first;
                last = l > last ? l : last;
            }
        }
        ui_style(STYLE_HEADER);
        ui_put(y, 1, 8, "Month", false);
        for (int i = 0; i < w->nobs; i++)
            ui_putf(y, 10 + i * 14, 13, true, "%d %.10s", i + 1, w->obs[i].name);
        ui_put(y, 10 + w->nobs * 14, 13, "Total", true);
        ui_style(STYLE_NORMAL);
        y++;
        if (first > last) {
            ui_put(y, 1, width - 2, "nothing is recognized until usage is recorded", false);
            return;
        }
        int months = last - first + 1;
        struct money(*amounts)[WIZ_OBLIGATIONS] = xcalloc((size_t)months, sizeof *amounts);
        for (int i = 0; i < w->nobs; i++) {
            struct recog_input in = preview_input(w, i, conv);
            struct money *col = xcalloc((size_t)months, sizeof *col);
            recognition_schedule(&in, first, (size_t)months, col);
            for (int m = 0; m < months; m++)
                amounts[m][i] = col[m];
            free(col);
        }
        int room = top + height - y - 1;
        for (int m = 0; m < months && m < room; m++, y++) {
            char p[PERIOD_BUF];
            ui_put(y, 1, 8, period_format(first + m, p, sizeof p), false);
            int64_t tot = 0;
            for (int i = 0; i < w->nobs; i++) {
                ui_put(y, 10 + i * 14, 13, ui_money(amounts[m][i].minor, x), true);
                tot += amounts[m][i].minor;
            }
            ui_put(y, 10 + w->nobs * 14, 13, ui_money(tot, x), true);
        }
        if (months > room && y < top + height)
            ui_putf(y++, 1, width - 2, false, "... and %d months more", months - room);
        free(amounts);
    }
}

static void form_step1(struct app *a, struct wizard *w);
static void form_step2(struct app *a, struct wizard *w);
static void form_step3(struct app *a, struct wizard *w);
static void form_step4(struct app *a, struct wizard *w);

enum { W_ADD = ACT_SCREEN, W_REMOVE, W_SAVE, W_ACTIVATE };

static int save_wizard(struct app *a, struct wizard *w, bool activate)
{
    compute(w);
    if (!w->have_contract || !w->have_price || w->nobs == 0 || w->problem[0]) {
        app_message(a, true, "not ready to save: %s",
                    !w->have_contract ? "give the contract (step 1)"
                    : w->problem[0]   ? w->problem
                                      : "finish the steps");
        return ERR_INPUT;
    }
    struct contract_input in = {.code = w->code,
                                .customer = w->customer,
                                .signed_on = w->signed_on,
                                .start_on = w->start,
                                .end_on = w->end,
                                .trial_end = w->trial_end,
                                .not_collectible = !w->probable,
                                .no_commercial_substance = !w->substance,
                                .payment_terms_days = w->terms,
                                .price = w->price,
                                .variable_method =
                                    w->variable_method[0] ? w->variable_method : NULL,
                                .billing = w->billing};
    struct obligation_input obs[WIZ_OBLIGATIONS];
    for (int i = 0; i < w->nobs; i++) {
        const struct wiz_obligation *o = &w->obs[i];
        obs[i] = (struct obligation_input){.name = o->name,
                                           .pattern = o->pattern,
                                           .ssp = o->ssp,
                                           .ssp_method = o->method,
                                           .ssp_evidence = o->evidence,
                                           .residual_low = o->low,
                                           .residual_high = o->high,
                                           .not_capable_distinct = !o->capable,
                                           .not_distinct_in_context = !o->distinct,
                                           .combined_reason = o->reason,
                                           .discount_target = o->target,
                                           .start_on = o->start,
                                           .end_on = o->end,
                                           .due_on = o->due};
    }
    struct err e = {0};
    if (contract_create(a->book, &in, obs, (size_t)w->nobs, activate ? app_today(a) : DATE_NONE,
                        &e) != ERR_OK) {
        app_message(a, true, "nothing was saved: %s", e.msg);
        return e.code;
    }
    char code[CODE_MAX + 1];
    snprintf(code, sizeof code, "%s", w->code);
    app_pop(a);
    app_changed(a);
    app_message(a, false, "contract %s saved%s", code, activate ? " and activated" : " as a draft");
    open_contract(a, code);
    return ERR_OK;
}

static enum act_result wiz_act(struct screen *s, int action, wint_t key)
{
    (void)key;
    struct wizard *w = s->state;
    struct app *a = s->app;
    if (action == ACT_UP || action == ACT_DOWN || action == ACT_HOME || action == ACT_END) {
        w->sc.count = 5;
        ui_scroll_act(&w->sc, action, 5);
        return ACT_HANDLED;
    }
    switch (action) {
    case ACT_OPEN:
        if (w->sc.sel == 0)
            form_step1(a, w);
        else if (!w->have_contract)
            app_message(a, true, "start with step 1: the customer's currency prices the rest");
        else if (w->sc.sel == 1)
            form_step2(a, w);
        else if (w->sc.sel == 2)
            form_step3(a, w);
        else if (w->sc.sel == 3)
            form_step4(a, w);
        else
            app_message(a, false, "S saves a draft, A saves and activates");
        return ACT_HANDLED;
    case W_ADD:
        if (!w->have_contract)
            app_message(a, true, "start with step 1");
        else if (w->nobs == WIZ_OBLIGATIONS)
            app_message(a, true, "at most %d obligations here; add more to the draft later",
                        WIZ_OBLIGATIONS);
        else
            form_step2(a, w);
        return ACT_HANDLED;
    case W_REMOVE:
        if (w->nobs > 0)
            w->nobs--;
        return ACT_HANDLED;
    case W_SAVE:
        save_wizard(a, w, false);
        return ACT_HANDLED;
    case W_ACTIVATE:
        save_wizard(a, w, true);
        return ACT_HANDLED;
    case ACT_BACK:
        if ((w->have_contract || w->nobs) && !ui_confirm(a, "Leave without saving the contract?"))
            return ACT_HANDLED;
        app_pop(a);
        return ACT_HANDLED;
    }
    return ACT_UNHANDLED;
}

static void wiz_close(struct screen *s)
{
    free(s->state);
}

static const struct key_binding wiz_keys[] = {
    {'a', "a", W_ADD, "add a performance obligation (step 2)"},
    {'x', "x", W_REMOVE, "remove the last obligation"},
    {'S', "S", W_SAVE, "save as a draft (nothing is saved before)"},
    {'A', "A", W_ACTIVATE, "save and activate"},
    {0, NULL, 0, NULL},
};

static const struct screen_ops wiz_screen = {
    .title = "New contract",
    .draw = wiz_draw,
    .act = wiz_act,
    .close = wiz_close,
    .keys = wiz_keys,
};

void open_contract_wizard(struct app *a, const char *customer)
{
    struct wizard *w = xcalloc(1, sizeof *w);
    w->probable = w->substance = true;
    w->terms = -1;
    w->trial_end = w->signed_on = DATE_NONE;
    w->sc.count = 5;
    if (customer)
        snprintf(w->customer, sizeof w->customer, "%s", customer);
    app_push(a, &wiz_screen, w);
    a->stack[a->depth - 1]->stale = false;
}

/* ---- the forms of the steps -------------------------------------------------------------------
 */

static int yes_no(const char *s, bool *out)
{
    if (strcasecmp(s, "yes") == 0 || strcasecmp(s, "y") == 0) {
        *out = true;
        return ERR_OK;
    }
    if (strcasecmp(s, "no") == 0 || strcasecmp(s, "n") == 0) {
        *out = false;
        return ERR_OK;
    }
    return ERR_INPUT;
}

static int date_or_none(const char *s, const char *name, int32_t *out, struct err *e)
{
    *out = DATE_NONE;
    if (!*s)
        return ERR_OK;
    if (date_parse(s, out, e) != ERR_OK) {
        err_prefix(e, "%s", name);
        return e->code;
    }
    return ERR_OK;
}

enum {
    S1_CODE,
    S1_CUSTOMER,
    S1_SIGNED,
    S1_START,
    S1_END,
    S1_TERMS,
    S1_PROBABLE,
    S1_SUBSTANCE,
    S1_TRIAL,
    S1_BILLING
};

static int save_step1(struct form *f, struct app *a, void *ctx, int *bad, struct err *e)
{
    struct wizard *w = ctx;
    struct wizard n = *w;
    if (!*form_text(f, S1_CODE)) {
        *bad = S1_CODE;
        return err_set(e, ERR_INPUT, "code: name the contract (e.g. ACME-2027)");
    }
    snprintf(n.code, sizeof n.code, "%s", form_text(f, S1_CODE));
    struct customer c;
    if (customer_find(a->book, form_text(f, S1_CUSTOMER), &c, e) != ERR_OK) {
        *bad = S1_CUSTOMER;
        return e->code;
    }
    snprintf(n.customer, sizeof n.customer, "%s", c.code);
    snprintf(n.currency, sizeof n.currency, "%s", c.currency);
    n.exponent = c.exponent;
    int cust_terms = c.terms_days;
    customer_clear(&c);
    if (date_or_none(form_text(f, S1_SIGNED), "signed", &n.signed_on, e) != ERR_OK) {
        *bad = S1_SIGNED;
        return e->code;
    }
    if (date_parse(form_text(f, S1_START), &n.start, e) != ERR_OK) {
        *bad = S1_START;
        err_prefix(e, "start");
        return e->code;
    }
    if (date_parse(form_text(f, S1_END), &n.end, e) != ERR_OK || n.end < n.start) {
        *bad = S1_END;
        if (e->code == ERR_OK || n.end < n.start)
            return err_set(e, ERR_INPUT, "end: is before the start");
        err_prefix(e, "end");
        return e->code;
    }
    const char *terms = form_text(f, S1_TERMS);
    n.terms = cust_terms;
    if (*terms) {
        char *end;
        long t = strtol(terms, &end, 10);
        if (*end || t < 0 || t > 365) {
            *bad = S1_TERMS;
            return err_set(e, ERR_INPUT, "terms: use 0 to 365 days");
        }
        n.terms = (int)t;
    }
    if (yes_no(form_text(f, S1_PROBABLE), &n.probable) != ERR_OK) {
        *bad = S1_PROBABLE;
        return err_set(e, ERR_INPUT, "collection: answer yes or no");
    }
    if (yes_no(form_text(f, S1_SUBSTANCE), &n.substance) != ERR_OK) {
        *bad = S1_SUBSTANCE;
        return err_set(e, ERR_INPUT, "substance: answer yes or no");
    }
    if (date_or_none(form_text(f, S1_TRIAL), "trial", &n.trial_end, e) != ERR_OK) {
        *bad = S1_TRIAL;
        return e->code;
    }
    if (billing_plan_parse(form_text(f, S1_BILLING), &n.billing, e) != ERR_OK) {
        *bad = S1_BILLING;
        return e->code;
    }
    n.have_contract = true;
    /* Obligations that follow the contract's term follow a changed term too. */
    for (int i = 0; i < n.nobs; i++)
        if (n.obs[i].start == w->start && n.obs[i].end == w->end) {
            n.obs[i].start = n.start;
            n.obs[i].end = n.end;
        }
    *w = n;
    w->sc.sel = 1;
    return ERR_OK;
}

static void form_step1(struct app *a, struct wizard *w)
{
    struct form *f = form_new("Step 1: the contract", save_step1, w, false);
    snprintf(f->note, sizeof f->note, "%s", step_decides[0]);
    char terms[16] = "";
    if (w->terms >= 0)
        snprintf(terms, sizeof terms, "%d", w->terms);
    form_field(f, "Code", w->code, "ACME-2027");
    form_field(f, "Customer", w->customer, "ACME");
    form_field(f, "Signed (approved) on", w->signed_on != DATE_NONE ? ui_date(w->signed_on) : NULL,
               "blank: not signed yet");
    form_field(f, "Start", w->have_contract ? ui_date(w->start) : NULL, "YYYY-MM-DD");
    form_field(f, "End", w->have_contract ? ui_date(w->end) : NULL, "YYYY-MM-DD");
    form_field(f, "Payment terms (days)", terms, "blank: the customer's");
    form_field(f, "Collection probable?", w->probable ? "yes" : "no", "yes or no");
    form_field(f, "Commercial substance?", w->substance ? "yes" : "no", "yes or no");
    form_field(f, "Free trial ends", w->trial_end != DATE_NONE ? ui_date(w->trial_end) : NULL,
               "blank: no trial");
    form_field(f, "Billing plan", billing_plan_name(w->billing),
               "upfront, monthly, quarterly, annual, milestone");
    form_show(a, f);
}

enum { S2_NAME, S2_PATTERN, S2_START, S2_END, S2_DUE, S2_CAPABLE, S2_CONTEXT, S2_WITH, S2_REASON };

/* A promise that is not distinct joins the obligation it depends on: one obligation, satisfied
 * over the combined period, with the reason recorded (ACCOUNTING.md §2). */
static void combine_into(struct wiz_obligation *into, const struct wiz_obligation *o)
{
    char name[TEXT];
    snprintf(name, sizeof name, "%.120s + %.120s", into->name, o->name);
    snprintf(into->name, sizeof into->name, "%s", name);
    if (into->pattern == PATTERN_POINT &&
        (o->pattern == PATTERN_RATABLE || o->pattern == PATTERN_PROGRESS))
        into->pattern = o->pattern;
    if (o->start != DATE_NONE && (into->start == DATE_NONE || o->start < into->start))
        into->start = o->start;
    if (o->end != DATE_NONE && (into->end == DATE_NONE || o->end > into->end))
        into->end = o->end;
    if (into->pattern == PATTERN_POINT && o->due != DATE_NONE &&
        (into->due == DATE_NONE || o->due > into->due))
        into->due = o->due;
    snprintf(into->reason, sizeof into->reason, "%s", o->reason);
    into->priced = false; /* the combined obligation needs its own SSP */
}

static int save_step2(struct form *f, struct app *a, void *ctx, int *bad, struct err *e)
{
    struct wizard *w = ctx;
    struct wiz_obligation o = {0};
    snprintf(o.name, sizeof o.name, "%s", form_text(f, S2_NAME));
    if (!o.name[0]) {
        *bad = S2_NAME;
        return err_set(e, ERR_INPUT, "promise: say what is promised");
    }
    if (pattern_parse(form_text(f, S2_PATTERN), &o.pattern, e) != ERR_OK) {
        *bad = S2_PATTERN;
        return e->code;
    }
    if (date_or_none(form_text(f, S2_START), "start", &o.start, e) != ERR_OK) {
        *bad = S2_START;
        return e->code;
    }
    if (date_or_none(form_text(f, S2_END), "end", &o.end, e) != ERR_OK) {
        *bad = S2_END;
        return e->code;
    }
    if (date_or_none(form_text(f, S2_DUE), "due", &o.due, e) != ERR_OK) {
        *bad = S2_DUE;
        return e->code;
    }
    if (o.pattern == PATTERN_RATABLE || o.pattern == PATTERN_PROGRESS) {
        if (o.start == DATE_NONE)
            o.start = w->start;
        if (o.end == DATE_NONE)
            o.end = w->end;
        if (o.end < o.start) {
            *bad = S2_END;
            return err_set(e, ERR_INPUT, "end: is before the start");
        }
    } else {
        o.start = o.end = DATE_NONE;
    }
    if (yes_no(form_text(f, S2_CAPABLE), &o.capable) != ERR_OK) {
        *bad = S2_CAPABLE;
        return err_set(e, ERR_INPUT, "capable: answer yes or no");
    }
    if (yes_no(form_text(f, S2_CONTEXT), &o.distinct) != ERR_OK) {
        *bad = S2_CONTEXT;
        return err_set(e, ERR_INPUT, "distinct: answer yes or no");
    }
    snprintf(o.reason, sizeof o.reason, "%s", form_text(f, S2_REASON));
    o.method = SSP_OBSERVABLE;
    if (o.capable && o.distinct) {
        w->obs[w->nobs++] = o;
        w->sc.sel = 1;
        return ERR_OK;
    }
    char *end;
    long with = strtol(form_text(f, S2_WITH), &end, 10);
    if (*end || with < 1 || with > w->nobs) {
        *bad = S2_WITH;
        return err_set(e, ERR_INPUT,
                       w->nobs ? "with: a promise that is not distinct is combined with the one it"
                                 " depends on; give its number"
                               : "with: enter first the promise this one depends on");
    }
    if (!o.reason[0]) {
        *bad = S2_REASON;
        return err_set(e, ERR_INPUT, "why: say why the promises are not distinct");
    }
    if (o.pattern == PATTERN_USAGE || w->obs[with - 1].pattern == PATTERN_USAGE) {
        *bad = S2_PATTERN;
        return err_set(e, ERR_INPUT,
                       "pattern: usage is variable consideration of its own and is"
                       " not combined");
    }
    combine_into(&w->obs[with - 1], &o);
    app_message(a, false, "combined with promise %ld: one obligation", with);
    w->sc.sel = 1;
    return ERR_OK;
}

static void form_step2(struct app *a, struct wizard *w)
{
    char title[64];
    snprintf(title, sizeof title, "Step 2: promise %d", w->nobs + 1);
    struct form *f = form_new(title, save_step2, w, false);
    snprintf(f->note, sizeof f->note, "%s", step_decides[1]);
    form_field(f, "Promise", NULL, "Analytics SaaS, 12 months");
    form_field(f, "Pattern", "ratable", "ratable, point, usage or progress");
    form_field(f, "Service starts", NULL, "blank: the contract's start");
    form_field(f, "Service ends", NULL, "blank: the contract's end");
    form_field(f, "Delivery due (point)", NULL, "YYYY-MM-DD");
    form_field(f, "Capable of being distinct?", "yes", "can the customer benefit from it alone?");
    form_field(f, "Distinct in the contract?", "yes", "separately identifiable from the rest?");
    form_field(f, "If not: combine with #", NULL, "the number of the promise it depends on");
    form_field(f, "Why not distinct", NULL, "e.g. it significantly modifies the software");
    form_show(a, f);
}

enum { S3_PRICE, S3_DISCOUNT, S3_TARGETS, S3_PAYABLE, S3_VARIABLE, S3_METHOD };

static int money_field(struct form *f, int i, const char *name, int exponent, struct money *out,
                       int *bad, struct err *e)
{
    const char *t = form_text(f, i);
    *out = money_of(0);
    if (!*t)
        return ERR_OK;
    if (money_parse(t, exponent, out, e) != ERR_OK) {
        *bad = i;
        err_prefix(e, "%s", name);
        return e->code;
    }
    return ERR_OK;
}

static int save_step3(struct form *f, struct app *a, void *ctx, int *bad, struct err *e)
{
    (void)a;
    struct wizard *w = ctx;
    struct price_terms p = {0};
    if (money_field(f, S3_PRICE, "price", w->exponent, &p.fixed, bad, e) != ERR_OK ||
        money_field(f, S3_DISCOUNT, "discount", w->exponent, &p.discount, bad, e) != ERR_OK ||
        money_field(f, S3_PAYABLE, "payable", w->exponent, &p.payable, bad, e) != ERR_OK ||
        money_field(f, S3_VARIABLE, "variable", w->exponent, &p.variable, bad, e) != ERR_OK)
        return e->code;
    struct money tp;
    if (transaction_price(&p, &tp, e) != ERR_OK) {
        *bad = S3_DISCOUNT;
        return e->code;
    }
    const char *method = form_text(f, S3_METHOD);
    if (p.variable.minor && strcmp(method, "expected_value") != 0 &&
        strcmp(method, "most_likely") != 0) {
        *bad = S3_METHOD;
        return err_set(e, ERR_INPUT, "method: expected_value or most_likely");
    }
    /* The discount belongs to the obligations named, else it is spread by SSP. */
    bool targets[WIZ_OBLIGATIONS] = {false};
    char list[FIELD_MAX];
    snprintf(list, sizeof list, "%s", form_text(f, S3_TARGETS));
    for (char *save = NULL, *t = strtok_r(list, " ,", &save); t; t = strtok_r(NULL, " ,", &save)) {
        char *end;
        long k = strtol(t, &end, 10);
        if (*end || k < 1 || k > w->nobs) {
            *bad = S3_TARGETS;
            return err_set(e, ERR_INPUT, "belongs: '%s' is not an obligation number 1..%d", t,
                           w->nobs);
        }
        targets[k - 1] = true;
    }
    w->price = p;
    snprintf(w->variable_method, sizeof w->variable_method, "%s", p.variable.minor ? method : "");
    for (int i = 0; i < w->nobs; i++)
        w->obs[i].target = targets[i];
    w->have_price = true;
    w->sc.sel = 3; /* on to the allocation */
    return ERR_OK;
}

static void form_step3(struct app *a, struct wizard *w)
{
    struct form *f = form_new("Step 3: the transaction price", save_step3, w, false);
    snprintf(f->note, sizeof f->note, "%s Amounts in %s.", step_decides[2], w->currency);
    char price[MONEY_BUF] = "", disc[MONEY_BUF] = "", pay[MONEY_BUF] = "", var[MONEY_BUF] = "";
    char targets[64] = "";
    if (w->have_price) {
        money_format(w->price.fixed, w->exponent, MONEY_GROUP, price, sizeof price);
        money_format(w->price.discount, w->exponent, MONEY_GROUP, disc, sizeof disc);
        money_format(w->price.payable, w->exponent, MONEY_GROUP, pay, sizeof pay);
        money_format(w->price.variable, w->exponent, MONEY_GROUP, var, sizeof var);
        for (int i = 0; i < w->nobs; i++)
            if (w->obs[i].target) {
                size_t n = strlen(targets);
                snprintf(targets + n, sizeof targets - n, "%s%d", n ? "," : "", i + 1);
            }
    }
    form_field(f, "Price (fixed)", price, "25,000.00");
    form_field(f, "Discount", disc, "0");
    form_field(f, "Discount belongs to", targets, "obligation numbers; blank: spread by SSP");
    form_field(f, "Payable to customer", pay, "rebates, referral fees, credits");
    form_field(f, "Variable (constrained)", var, "0");
    form_field(f, "Estimated by", w->variable_method, "expected_value or most_likely");
    form_show(a, f);
}

static int save_step4(struct form *f, struct app *a, void *ctx, int *bad, struct err *e)
{
    (void)a;
    struct wizard *w = ctx;
    struct wiz_obligation next[WIZ_OBLIGATIONS];
    memcpy(next, w->obs, sizeof next);
    for (int i = 0; i < w->nobs; i++) {
        int base = i * 3;
        struct wiz_obligation *o = &next[i];
        if (o->pattern == PATTERN_USAGE) {
            o->priced = true;
            continue;
        }
        if (ssp_method_parse(form_text(f, base + 1), &o->method, e) != ERR_OK) {
            *bad = base + 1;
            return e->code;
        }
        const char *ssp = form_text(f, base);
        o->low = o->high = o->ssp = money_of(0);
        const char *dots = strstr(ssp, "..");
        if (o->method == SSP_RESIDUAL && dots) {
            char lo[64];
            snprintf(lo, sizeof lo, "%.*s", (int)(dots - ssp), ssp);
            if (money_parse(lo, w->exponent, &o->low, e) != ERR_OK ||
                money_parse(dots + 2, w->exponent, &o->high, e) != ERR_OK) {
                *bad = base;
                err_prefix(e, "range");
                return e->code;
            }
        } else if (o->method != SSP_RESIDUAL || *ssp) {
            if (money_parse(ssp, w->exponent, &o->ssp, e) != ERR_OK) {
                *bad = base;
                err_prefix(e, "ssp");
                return e->code;
            }
        }
        snprintf(o->evidence, sizeof o->evidence, "%s", form_text(f, base + 2));
        o->priced = true;
    }
    memcpy(w->obs, next, sizeof next);
    compute(w);
    if (w->problem[0]) {
        *bad = -1;
        return err_set(e, ERR_RULE, "%s", w->problem);
    }
    w->sc.sel = 4;
    return ERR_OK;
}

static void form_step4(struct app *a, struct wizard *w)
{
    if (w->nobs == 0) {
        app_message(a, true, "add the promises first (step 2)");
        return;
    }
    struct form *f = form_new("Step 4: standalone selling prices", save_step4, w, false);
    snprintf(f->note, sizeof f->note,
             "%s Residual: give the range it is sold at as LOW..HIGH in place of its SSP.",
             step_decides[3]);
    static char labels[WIZ_OBLIGATIONS][3][64];
    for (int i = 0; i < w->nobs; i++) {
        const struct wiz_obligation *o = &w->obs[i];
        snprintf(labels[i][0], sizeof labels[i][0], "%d %.24s: SSP", i + 1, o->name);
        snprintf(labels[i][1], sizeof labels[i][1], "%d method", i + 1);
        snprintf(labels[i][2], sizeof labels[i][2], "%d evidence", i + 1);
        char ssp[MONEY_BUF] = "";
        if (o->priced && o->method == SSP_RESIDUAL && (o->low.minor || o->high.minor)) {
            char lo[MONEY_BUF], hi[MONEY_BUF];
            snprintf(ssp, sizeof ssp, "%s..%s", money_format(o->low, w->exponent, 0, lo, sizeof lo),
                     money_format(o->high, w->exponent, 0, hi, sizeof hi));
        } else if (o->priced) {
            money_format(o->ssp, w->exponent, MONEY_GROUP, ssp, sizeof ssp);
        }
        form_field(f, labels[i][0], o->pattern == PATTERN_USAGE ? "(usage: its own)" : ssp,
                   "6,000.00");
        form_field(f, labels[i][1], ssp_method_name(o->method),
                   "observable, adjusted-market, cost-plus, residual");
        form_field(f, labels[i][2], o->evidence, "where the price comes from");
        if (o->pattern == PATTERN_USAGE)
            f->fields[i * 3].readonly = f->fields[i * 3 + 1].readonly = true;
    }
    form_show(a, f);
}

/* ---- an obligation added to a draft contract ----------------------------------------------- */

struct obligation_ctx {
    char contract[CODE_MAX + 1];
    int exponent;
};

static int save_obligation(struct form *f, struct app *a, void *ctx, int *bad, struct err *e)
{
    struct obligation_ctx *x = ctx;
    struct obligation_input in = {.contract = x->contract, .name = form_text(f, 0)};
    if (pattern_parse(form_text(f, 1), &in.pattern, e) != ERR_OK) {
        *bad = 1;
        return e->code;
    }
    if (money_field(f, 2, "ssp", x->exponent, &in.ssp, bad, e) != ERR_OK)
        return e->code;
    if (ssp_method_parse(form_text(f, 3), &in.ssp_method, e) != ERR_OK) {
        *bad = 3;
        return e->code;
    }
    in.ssp_evidence = form_text(f, 4);
    if (date_or_none(form_text(f, 5), "start", &in.start_on, e) != ERR_OK ||
        date_or_none(form_text(f, 6), "end", &in.end_on, e) != ERR_OK ||
        date_or_none(form_text(f, 7), "due", &in.due_on, e) != ERR_OK) {
        *bad = strncmp(e->msg, "start", 5) == 0 ? 5 : strncmp(e->msg, "end", 3) == 0 ? 6 : 7;
        return e->code;
    }
    char ref[2 * CODE_MAX + 8];
    if (obligation_add(a->book, &in, ref, sizeof ref, e) != ERR_OK) {
        *bad = strncmp(e->msg, "name", 4) == 0 ? 0 : -1;
        return e->code;
    }
    app_message(a, false, "obligation %s added", ref);
    return ERR_OK;
}

void form_obligation(struct app *a, const char *code)
{
    struct contract k;
    struct err e = {0};
    if (contract_find(a->book, code, &k, &e) != ERR_OK) {
        app_message(a, true, "%s", e.msg);
        return;
    }
    if (k.status != CONTRACT_DRAFT) {
        app_message(a, true,
                    "%s is %s: a new promise changes its scope, which goes through a"
                    " modification memo",
                    k.code, contract_status_name(k.status));
        return;
    }
    struct obligation_ctx *x = xcalloc(1, sizeof *x);
    snprintf(x->contract, sizeof x->contract, "%s", k.code);
    x->exponent = k.exponent;
    char title[96];
    snprintf(title, sizeof title, "Add an obligation to %s", k.code);
    struct form *f = form_new(title, save_obligation, x, true);
    form_field(f, "Promise", NULL, "Premium support, 12 months");
    form_field(f, "Pattern", "ratable", "ratable, point, usage or progress");
    form_field(f, "SSP", NULL, "6,000.00");
    form_field(f, "SSP method", "observable", "observable, adjusted-market, cost-plus, residual");
    form_field(f, "SSP evidence", NULL, "where the price comes from");
    form_field(f, "Service starts", NULL, "blank: the contract's start");
    form_field(f, "Service ends", NULL, "blank: the contract's end");
    form_field(f, "Delivery due (point)", NULL, "YYYY-MM-DD");
    form_show(a, f);
}
