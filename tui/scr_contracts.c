/*
 * scr_contracts.c — the Contracts screen: every contract with its position (billed, recognized,
 * deferred), and a contract's detail: its terms, its obligations with the answers of the five
 * steps, the schedule by month (obligations down, months across, the key columns and the total
 * frozen while the months scroll), billed against recognized, and the actions: activate,
 * deliver, record usage or progress, bill, post recognition, and view or export it as a report.
 */
#include <curses.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "model/billing.h"
#include "model/contract.h"
#include "model/date.h"
#include "model/memo.h"
#include "model/schedule.h"
#include "model/xalloc.h"
#include "reports/reports.h"
#include "tui/ui.h"

/* ---- the list ------------------------------------------------------------------------------ */

enum { K_NEW = ACT_SCREEN, K_RECOGNIZE, K_BILL_ALL, K_STATUS };

struct contracts_state {
    struct contract_rows window; /* the rows on screen */
    struct contract_balance *bal;
    bool *bal_known;
    struct contract_rows next; /* a window fetched, before the pager takes it */
    char filter[64];
    int status;              /* -1: all */
    struct ui_counter count; /* of the whole list */
    struct ui_pager pager;
    char stop[2][CODE_MAX + 1]; /* where a fetch forward (backward) stopped short */
    struct app *app;
    bool fresh; /* the query changed: back to the first row */
};

static struct contract_query query_of(const struct contracts_state *st)
{
    return (struct contract_query){.filter = st->filter[0] ? st->filter : NULL,
                                   .status = st->status,
                                   .reach = st->pager.reach};
}

static long con_fetch(void *ctx, enum page_seek seek, size_t anchor, size_t limit, bool *cut)
{
    struct contracts_state *st = ctx;
    contract_rows_free(&st->next);
    struct contract_query q = query_of(st);
    bool backward = page_seek_backward(seek);
    const char *from = anchor == UI_PAGER_STOP ? st->stop[backward]
                       : anchor < st->window.n ? st->window.v[anchor].c.code
                                               : NULL;
    if (!from && seek != PAGE_FIRST && seek != PAGE_LAST)
        seek = PAGE_FIRST;
    struct err e = {0};
    char stop[CODE_MAX + 1];
    if (contract_page(st->app->book, &q, seek, from, limit, &st->next, stop, &e) != ERR_OK) {
        app_message(st->app, true, "%s", e.msg);
        return -1;
    }
    if (*stop) {
        memcpy(st->stop[backward], stop, sizeof stop);
        *cut = true;
    }
    return (long)st->next.n;
}

/* Takes the rows fetched; positions already computed are kept for rows still held. */
static void con_adopt(void *ctx, enum ui_pager_take how)
{
    struct contracts_state *st = ctx;
    if (how == PAGER_DROP) {
        contract_rows_free(&st->next);
        return;
    }
    size_t n = how == PAGER_ALL ? st->next.n : st->window.n + st->next.n;
    struct contract_balance *bal = xcalloc(n + 1, sizeof *bal);
    bool *known = xcalloc(n + 1, sizeof *known);
    if (how == PAGER_ALL) {
        for (size_t i = 0; i < n; i++)
            for (size_t j = 0; j < st->window.n; j++)
                if (st->bal_known[j] && st->window.v[j].c.id == st->next.v[i].c.id) {
                    bal[i] = st->bal[j];
                    known[i] = true;
                    break;
                }
        contract_rows_free(&st->window);
        st->window = st->next;
    } else {
        size_t at = how == PAGER_BEFORE ? st->next.n : 0;
        if (st->window.n) {
            memcpy(bal + at, st->bal, st->window.n * sizeof *bal);
            memcpy(known + at, st->bal_known, st->window.n * sizeof *known);
        }
        ui_rows_join(&st->window.v, &st->window.n, &st->window.cap, &st->next.v, &st->next.n,
                     sizeof *st->next.v, how == PAGER_BEFORE);
    }
    free(st->bal);
    free(st->bal_known);
    st->bal = bal;
    st->bal_known = known;
    memset(&st->next, 0, sizeof st->next);
}

static void con_trim(void *ctx, bool front, size_t k)
{
    struct contracts_state *st = ctx;
    size_t n = st->window.n;
    ui_rows_cut(&st->window.v, &st->window.n, sizeof *st->window.v, front, k, NULL);
    if (front) {
        memmove(st->bal, st->bal + k, (n - k) * sizeof *st->bal);
        memmove(st->bal_known, st->bal_known + k, (n - k) * sizeof *st->bal_known);
    }
}

static int64_t con_id(void *ctx, size_t i)
{
    struct contracts_state *st = ctx;
    return i < st->window.n ? st->window.v[i].c.id : 0;
}

static const struct ui_pager_ops con_pager = {con_fetch, con_adopt, con_trim, con_id};

static int con_count(void *ctx, struct id_slice *sl)
{
    struct contracts_state *st = ctx;
    struct contract_query q = query_of(st);
    struct err e = {0};
    if (contract_count(st->app->book, &q, sl, &e) != ERR_OK)
        app_message(st->app, true, "%s", e.msg);
    return e.code;
}

static int list_rows(int height)
{
    return height - 2 > 1 ? height - 2 : 1;
}

static void contracts_load(struct screen *s)
{
    struct contracts_state *st = s->state;
    if (!st) {
        st = s->state = xcalloc(1, sizeof *st);
        st->status = -1;
        st->app = s->app;
        st->pager.ops = &con_pager;
        st->pager.ctx = st;
        st->fresh = true;
        st->count.count = con_count;
        st->count.ctx = st;
    }
    /* Positions are computed again: what changed may have changed them. */
    if (st->bal_known)
        memset(st->bal_known, 0, st->window.n * sizeof *st->bal_known);
    ui_counter_start(&st->count);
    int visible = list_rows(s->height ? s->height : LINES - 2);
    if (st->fresh)
        ui_pager_first(&st->pager, visible);
    else
        ui_pager_reload(&st->pager, visible);
    st->fresh = false;
}

/* Positions are computed for the rows on screen only, once each. */
static const struct contract_balance *position(struct screen *s, size_t i)
{
    struct contracts_state *st = s->state;
    if (!st->bal_known[i]) {
        struct err e = {0};
        contract_balance(s->app->book, &st->window.v[i].c, app_today(s->app), &st->bal[i], &e);
        st->bal_known[i] = true;
    }
    return &st->bal[i];
}

static void contracts_draw(struct screen *s, int top, int height, int width)
{
    struct contracts_state *st = s->state;
    static const char *const statuses[] = {"draft", "active", "completed", "terminated"};
    int visible = list_rows(height);
    if (visible != st->pager.visible)
        ui_pager_reload(&st->pager, visible);
    ui_style(STYLE_DIM);
    char counted[64];
    ui_putf(top, 1, width - 2, false, "%s%s%s%s%s%s, positions at %s",
            ui_counter_text(&st->count, "contract", "contracts", counted, sizeof counted),
            st->status >= 0 ? " " : "", st->status >= 0 ? statuses[st->status] : "",
            st->filter[0] ? " matching \"" : "", st->filter, st->filter[0] ? "\"" : "",
            ui_date(app_today(s->app)));
    ui_style(STYLE_NORMAL);
    struct ui_col cols[] = {
        {"Contract", 14, false},  {"Customer", 10, false}, {"Status", 10, false},
        {"Ends", 10, false},      {"Price", 12, true},     {"Billed", 12, true},
        {"Recognized", 12, true}, {"Deferred", 12, true},  {"Cur", 3, false}};
    ui_table_head(top + 1, 1, width - 2, cols, 9);
    /* Only the rows on screen are drawn; erase() has blanked the rest. */
    for (size_t i = st->pager.top; i < st->window.n && i < st->pager.top + (size_t)visible; i++) {
        int y = top + 2 + (int)(i - st->pager.top);
        const struct contract_row *cr = &st->window.v[i];
        const struct contract_balance *b = position(s, i);
        int x = cr->c.exponent;
        const char *cells[9] = {cr->c.code,
                                cr->c.customer,
                                contract_status_name(cr->c.status),
                                ui_date(cr->c.end_on),
                                ui_money(cr->transaction_price.minor, x),
                                ui_money(b->billed.minor, x),
                                ui_money(b->recognized.minor, x),
                                b->contract_asset.minor ? ui_money(-b->contract_asset.minor, x)
                                                        : ui_money(b->deferred.minor, x),
                                cr->c.currency};
        bool sel = i == st->pager.sel;
        ui_style(sel ? STYLE_SELECTED : STYLE_NORMAL);
        if (sel)
            ui_blank(y, 0, width);
        ui_table_row(y, 1, cols, 9, cells);
        ui_style(STYLE_NORMAL);
    }
    if (!ui_pager_draw_reading(&st->pager, top + 2, 2, width - 4, "contracts") && !st->window.n)
        ui_put(top + 3, 2, width - 4, "No contracts here; press n to enter one step by step",
               false);
}

static enum act_result contracts_act(struct screen *s, int action, wint_t key)
{
    (void)key;
    struct contracts_state *st = s->state;
    struct app *a = s->app;
    if (ui_pager_act(&st->pager, action))
        return ACT_HANDLED;
    switch (action) {
    case ACT_SEARCH: {
        char buf[64];
        snprintf(buf, sizeof buf, "%s", st->filter);
        if (ui_prompt(a, "Contract, customer or description: ", buf, sizeof buf)) {
            snprintf(st->filter, sizeof st->filter, "%s", buf);
            st->fresh = true;
            s->stale = true;
        }
        return ACT_HANDLED;
    }
    case K_STATUS:
        st->status = st->status >= 3 ? -1 : st->status + 1;
        st->fresh = true;
        s->stale = true;
        return ACT_HANDLED;
    case K_NEW:
        open_contract_wizard(a, NULL);
        return ACT_HANDLED;
    case ACT_OPEN:
        if (st->pager.sel < st->window.n)
            open_contract(a, st->window.v[st->pager.sel].c.code);
        return ACT_HANDLED;
    case K_RECOGNIZE: {
        char month[16];
        period_format(period_of(app_today(a)) - 1, month, sizeof month);
        if (!ui_prompt(a, "Post recognition through month (YYYY-MM): ", month, sizeof month))
            return ACT_HANDLED;
        int32_t p;
        struct err e = {0};
        struct recognize_result r;
        if (period_parse(month, &p, &e) != ERR_OK ||
            recognize_through(a->book, p, &r, &e) != ERR_OK) {
            app_message(a, true, "%s", e.msg);
            return ACT_HANDLED;
        }
        app_changed(a);
        app_message(a, false, "posted %d recognition entries for %d contracts through %s",
                    r.entries, r.contracts, month);
        return ACT_HANDLED;
    }
    case K_BILL_ALL: {
        char through[DATE_BUF];
        snprintf(through, sizeof through, "%s", ui_date(app_today(a)));
        if (!ui_prompt(a, "Bill every active contract through (YYYY-MM-DD): ", through,
                       sizeof through))
            return ACT_HANDLED;
        int32_t d;
        struct err e = {0};
        if (date_parse(through, &d, &e) != ERR_OK) {
            app_message(a, true, "%s", e.msg);
            return ACT_HANDLED;
        }
        struct bill_run run;
        if (contract_bill_all(a->book, d, &run, &e) != ERR_OK) {
            app_message(a, true, "%s", e.msg);
            return ACT_HANDLED;
        }
        app_changed(a);
        app_message(a, false, "%d invoice%s issued", run.invoices, run.invoices == 1 ? "" : "s");
        bill_run_free(&run);
        return ACT_HANDLED;
    }
    }
    return ACT_UNHANDLED;
}

/* Rows held first, then the positions of those not on screen yet, a few at a time. */
static bool contracts_idle(struct screen *s)
{
    struct contracts_state *st = s->state;
    if (!st)
        return false;
    if (ui_pager_idle(&st->pager, UI_IDLE_ROWS, s) || ui_counter_idle(&st->count, s))
        return true;
    int done = 0;
    for (size_t i = 0; i < st->window.n && done < UI_IDLE_ROWS; i++)
        if (!st->bal_known[i]) {
            position(s, i);
            done++;
        }
    return done > 0;
}

static void contracts_close(struct screen *s)
{
    struct contracts_state *st = s->state;
    if (!st)
        return;
    contract_rows_free(&st->window);
    contract_rows_free(&st->next);
    free(st->bal);
    free(st->bal_known);
    free(st);
}

static const struct key_binding contracts_keys[] = {
    {'n', "n", K_NEW, "enter a new contract, step by step through the five steps"},
    {'f', "f", K_STATUS, "show drafts, active, completed, terminated or all"},
    {'B', "B", K_BILL_ALL, "bill every active contract through a date"},
    {'R', "R", K_RECOGNIZE, "post recognition through a month"},
    {0, NULL, 0, NULL},
};

const struct screen_ops contracts_screen = {
    .title = "Contracts",
    .load = contracts_load,
    .draw = contracts_draw,
    .act = contracts_act,
    .close = contracts_close,
    .idle = contracts_idle,
    .keys = contracts_keys,
};

/* ---- a contract ------------------------------------------------------------------------------ */

enum {
    C_ACTIVATE = ACT_SCREEN,
    C_DELIVER,
    C_USAGE,
    C_PROGRESS,
    C_BILL,
    C_ADD,
    C_REPORT,
    C_MEMO,
};

struct contract_view {
    char code[CODE_MAX + 1];
    struct contract k;
    struct obligations obs;
    struct schedule *sched; /* per obligation */
    int32_t first, last;    /* months of the schedule */
    struct contract_balance bal;
    struct money tp;
    struct ui_scroll sc; /* the selected obligation */
    int xoff;            /* months scrolled */
    bool loaded;
    struct memo_rows memos; /* its history of modifications */
};

static void view_free_data(struct contract_view *v)
{
    for (size_t i = 0; v->sched && i < v->obs.n; i++)
        schedule_free(&v->sched[i]);
    free(v->sched);
    v->sched = NULL;
    obligations_free(&v->obs);
    memo_rows_free(&v->memos);
}

static void view_load(struct screen *s)
{
    struct contract_view *v = s->state;
    struct app *a = s->app;
    view_free_data(v);
    struct err e = {0};
    v->loaded = false;
    if (contract_find(a->book, v->code, &v->k, &e) != ERR_OK ||
        obligations_load(a->book, v->k.id, &v->obs, &e) != ERR_OK ||
        contract_balance(a->book, &v->k, app_today(a), &v->bal, &e) != ERR_OK ||
        memo_list(a->book, v->k.id, DATE_NONE, DATE_NONE, &v->memos, &e) != ERR_OK) {
        app_message(a, true, "%s", e.msg);
        return;
    }
    transaction_price(&v->k.price, &v->tp, &e);
    v->sched = xcalloc(v->obs.n + 1, sizeof *v->sched);
    v->first = INT32_MAX;
    v->last = INT32_MIN;
    for (size_t i = 0; i < v->obs.n; i++) {
        if (schedule_load(a->book, v->obs.v[i].id, 0, &v->sched[i], &e) != ERR_OK) {
            app_message(a, true, "%s", e.msg);
            return;
        }
        for (size_t j = 0; j < v->sched[i].n; j++) {
            if (v->sched[i].v[j].period < v->first)
                v->first = v->sched[i].v[j].period;
            if (v->sched[i].v[j].period > v->last)
                v->last = v->sched[i].v[j].period;
        }
    }
    v->sc.count = v->obs.n;
    v->loaded = true;
}

static int64_t planned(const struct schedule *s, int32_t period)
{
    for (size_t j = 0; j < s->n; j++)
        if (s->v[j].period == period)
            return s->v[j].amount.minor;
    return 0;
}

static void view_draw(struct screen *s, int top, int height, int width)
{
    struct contract_view *v = s->state;
    if (!v->loaded)
        return;
    const struct contract *k = &v->k;
    int x = k->exponent, y = top;
    ui_style(STYLE_TOTAL);
    ui_putf(y++, 1, width - 2, false, "%s  %s (%s)  %s", k->code, k->customer_name, k->customer,
            contract_status_name(k->status));
    ui_style(STYLE_NORMAL);
    char terms[64] = "no payment terms";
    if (k->payment_terms_days >= 0)
        snprintf(terms, sizeof terms, "net %d", k->payment_terms_days);
    ui_putf(y++, 1, width - 2, false, "%s to %s, signed %s, %s, billed %s, collection %s%s%s",
            ui_date(k->start_on), ui_date(k->end_on),
            k->signed_on == DATE_NONE ? "not yet" : ui_date(k->signed_on), terms,
            billing_plan_name(k->billing), k->collectible ? "probable" : "NOT probable",
            k->trial_end != DATE_NONE ? ", trial until " : "",
            k->trial_end != DATE_NONE ? ui_date(k->trial_end) : "");
    ui_putf(y++, 1, width - 2, false,
            "Transaction price %s %s = price %s - discount %s - payable %s + variable %s%s%s",
            ui_money(v->tp.minor, x), k->currency, ui_money(k->price.fixed.minor, x),
            ui_money(k->price.discount.minor, x), ui_money(k->price.payable.minor, x),
            ui_money(k->price.variable.minor, x), k->price.modified.minor ? " + modified " : "",
            k->price.modified.minor ? ui_money(k->price.modified.minor, x) : "");
    if (v->memos.n || k->parent[0]) {
        /* The history: every memo, newest last (4 lists them; m starts another). */
        char line[512] = "";
        size_t used = 0;
        if (k->parent[0])
            used += (size_t)snprintf(line, sizeof line, "Split from %s by a memo. ", k->parent);
        for (size_t i = 0; i < v->memos.n && used < sizeof line; i++) {
            const struct memo *m = &v->memos.v[i];
            used += (size_t)snprintf(line + used, sizeof line - used, "%s%s %s %s %s (%s)",
                                     i ? "; " : "Memos: ", m->number, ui_date(m->effective),
                                     memo_type_name(m->type), memo_treatment_name(m->treatment),
                                     memo_status_name(m->status));
        }
        ui_put(y++, 1, width - 2, line, false);
    }
    ui_putf(y++, 1, width - 2, false,
            "At %s: billed %s, recognized %s, deferred %s (current %s), contract asset %s",
            ui_date(app_today(s->app)), ui_money(v->bal.billed.minor, x),
            ui_money(v->bal.recognized.minor, x), ui_money(v->bal.deferred.minor, x),
            ui_money(v->bal.deferred_current.minor, x), ui_money(v->bal.contract_asset.minor, x));
    y++;
    struct ui_col cols[] = {{"Obligation", 15, false}, {"Promise", 0, false},
                            {"Pattern", 8, false},     {"Distinct", 8, false},
                            {"SSP", 11, true},         {"Method", 11, false},
                            {"Allocated", 11, true},   {"Term or delivery", 22, false}};
    ui_table_head(y++, 1, width - 2, cols, 8);
    int rows = (int)v->obs.n;
    if (rows > (height - 10) / 2)
        rows = (height - 10) / 2;
    if (rows < 1)
        rows = 1;
    ui_scroll_fit(&v->sc, rows);
    for (int r = 0; r < rows; r++, y++) {
        size_t i = v->sc.top + (size_t)r;
        ui_blank(y, 0, width);
        if (i >= v->obs.n)
            continue;
        const struct obligation *o = &v->obs.v[i];
        char when[48];
        if (o->pattern == PATTERN_POINT)
            snprintf(when, sizeof when, "%s %s", o->delivered_on != DATE_NONE ? "delivered" : "due",
                     ui_date(o->delivered_on != DATE_NONE ? o->delivered_on : o->due_on));
        else if (o->pattern == PATTERN_USAGE)
            snprintf(when, sizeof when, "as used");
        else
            snprintf(when, sizeof when, "%s..%s", ui_date(o->start_on), ui_date(o->end_on));
        char distinct[16];
        snprintf(distinct, sizeof distinct, "%s/%s", o->capable_distinct ? "yes" : "no",
                 o->distinct_in_context ? "yes" : "no");
        const char *cells[8] = {o->ref,
                                o->name,
                                pattern_name(o->pattern),
                                o->combined_reason[0] ? "combined" : distinct,
                                ui_money(o->ssp.minor, x),
                                ssp_method_name(o->ssp_method),
                                o->pattern == PATTERN_USAGE ? "as used"
                                                            : ui_money(o->allocated.minor, x),
                                when};
        ui_style(i == v->sc.sel ? STYLE_SELECTED : STYLE_NORMAL);
        ui_blank(y, 0, width);
        ui_table_row(y, 1, cols, 8, cells);
        ui_style(STYLE_NORMAL);
    }
    y++;
    /* The schedule: obligations down, months across; the ref and the total stay in view. */
    ui_style(STYLE_TOTAL);
    ui_putf(y++, 1, width - 2, false, "Revenue by month%s",
            v->first <= v->last ? "  (Left/Right scroll the months)" : ": nothing planned yet");
    ui_style(STYLE_NORMAL);
    if (v->first > v->last)
        return;
    int months = v->last - v->first + 1;
    int key_w = 18, total_w = 12, month_w = 11;
    int fit = (width - 2 - key_w - total_w - 2) / (month_w + 1);
    if (fit < 1)
        fit = 1;
    if (v->xoff > months - fit)
        v->xoff = months - fit > 0 ? months - fit : 0;
    ui_style(STYLE_HEADER);
    ui_put(y, 1, key_w, "Obligation", false);
    ui_put(y, 1 + key_w + 1, total_w, "Total", true);
    for (int m = 0; m < fit && v->xoff + m < months; m++) {
        char p[PERIOD_BUF];
        ui_put(y, 1 + key_w + 1 + total_w + 2 + m * (month_w + 1), month_w,
               period_format(v->first + v->xoff + m, p, sizeof p), true);
    }
    ui_style(STYLE_NORMAL);
    y++;
    int64_t *col_tot = xcalloc((size_t)months + 1, sizeof *col_tot);
    int64_t grand = 0;
    for (size_t i = 0; i < v->obs.n; i++) {
        int64_t tot = 0;
        for (int m = 0; m < months; m++) {
            int64_t a = planned(&v->sched[i], v->first + m);
            tot += a;
            col_tot[m] += a;
        }
        grand += tot;
        if (y >= top + height - 1)
            continue;
        ui_put(y, 1, key_w, v->obs.v[i].ref, false);
        ui_put(y, 1 + key_w + 1, total_w, ui_money(tot, x), true);
        for (int m = 0; m < fit && v->xoff + m < months; m++)
            ui_put(y, 1 + key_w + 1 + total_w + 2 + m * (month_w + 1), month_w,
                   ui_money(planned(&v->sched[i], v->first + v->xoff + m), x), true);
        y++;
    }
    if (y < top + height) {
        ui_style(STYLE_TOTAL);
        ui_put(y, 1, key_w, "Total", false);
        ui_put(y, 1 + key_w + 1, total_w, ui_money(grand, x), true);
        for (int m = 0; m < fit && v->xoff + m < months; m++)
            ui_put(y, 1 + key_w + 1 + total_w + 2 + m * (month_w + 1), month_w,
                   ui_money(col_tot[v->xoff + m], x), true);
        ui_style(STYLE_NORMAL);
    }
    free(col_tot);
}

/* ---- actions on an obligation -----------------------------------------------------------------
 */

struct event_ctx {
    char ref[2 * CODE_MAX + 8];
    int exponent;
    enum pattern pattern;
};

static int save_event(struct form *f, struct app *a, void *ctx, int *bad, struct err *e)
{
    struct event_ctx *x = ctx;
    int32_t day;
    if (date_parse(form_text(f, 0), &day, e) != ERR_OK) {
        *bad = 0;
        err_prefix(e, "date");
        return e->code;
    }
    int rc;
    if (x->pattern == PATTERN_USAGE) {
        struct money amount;
        if (money_parse(form_text(f, 2), x->exponent, &amount, e) != ERR_OK) {
            *bad = 2;
            err_prefix(e, "amount");
            return e->code;
        }
        rc = usage_record(a->book, x->ref, day, form_text(f, 1), amount, e);
        if (rc != ERR_OK)
            *bad = strncmp(e->msg, "quantity", 8) == 0 ? 1 : -1;
        else
            app_message(a, false, "usage of %s recorded: %s", x->ref,
                        ui_money(amount.minor, x->exponent));
    } else if (x->pattern == PATTERN_PROGRESS) {
        struct money bp;
        if (money_parse(form_text(f, 1), 2, &bp, e) != ERR_OK || bp.minor < 0 || bp.minor > 10000) {
            *bad = 1;
            return err_set(e, ERR_INPUT, "percent: use 0 to 100, with at most two decimals");
        }
        rc = progress_record(a->book, x->ref, day, (int32_t)bp.minor, e);
        if (rc == ERR_OK)
            app_message(a, false, "%s is %s%% complete", x->ref, form_text(f, 1));
    } else {
        rc = obligation_deliver(a->book, x->ref, day, e);
        if (rc == ERR_OK)
            app_message(a, false, "%s delivered on %s", x->ref, ui_date(day));
    }
    return rc;
}

static void form_event(struct app *a, const struct contract *k, const struct obligation *o)
{
    struct event_ctx *x = xcalloc(1, sizeof *x);
    snprintf(x->ref, sizeof x->ref, "%s", o->ref);
    x->exponent = k->exponent;
    x->pattern = o->pattern;
    char title[128];
    const char *what = o->pattern == PATTERN_USAGE      ? "Record usage of"
                       : o->pattern == PATTERN_PROGRESS ? "Record progress of"
                                                        : "Mark delivered:";
    snprintf(title, sizeof title, "%s %s", what, o->ref);
    struct form *f = form_new(title, save_event, x, true);
    form_field(f, "Date", ui_date(app_today(a)), "YYYY-MM-DD");
    if (o->pattern == PATTERN_USAGE) {
        form_field(f, "Quantity", NULL, "1500000");
        form_field(f, "Amount", NULL, "1,500.00");
    } else if (o->pattern == PATTERN_PROGRESS) {
        form_field(f, "Percent", NULL, "45");
    }
    snprintf(f->note, sizeof f->note, "%s",
             o->pattern == PATTERN_POINT ? "Its whole allocation is recognized on that date."
             : o->pattern == PATTERN_USAGE
                 ? "Usage is recognized as it is recorded, never estimated up front."
                 : "Revenue to date follows the percent complete.");
    form_show(a, f);
}

static enum act_result view_act(struct screen *s, int action, wint_t key)
{
    (void)key;
    struct contract_view *v = s->state;
    struct app *a = s->app;
    if (!v->loaded)
        return ACT_UNHANDLED;
    if (ui_scroll_act(&v->sc, action, 3))
        return ACT_HANDLED;
    struct err e = {0};
    const struct obligation *o = v->obs.n ? &v->obs.v[v->sc.sel] : NULL;
    switch (action) {
    case ACT_LEFT:
        if (v->xoff > 0)
            v->xoff--;
        return ACT_HANDLED;
    case ACT_RIGHT:
        v->xoff++;
        return ACT_HANDLED;
    case C_ACTIVATE: {
        char q[96];
        snprintf(q, sizeof q, "Activate %s as of %s?", v->code, ui_date(app_today(a)));
        if (!ui_confirm(a, q))
            return ACT_HANDLED;
        if (contract_activate(a->book, v->code, app_today(a), &e) != ERR_OK)
            app_message(a, true, "%s", e.msg);
        else {
            app_changed(a);
            app_message(a, false, "%s is active: allocated and planned", v->code);
        }
        return ACT_HANDLED;
    }
    case C_DELIVER:
    case C_USAGE:
    case C_PROGRESS: {
        enum pattern want = action == C_DELIVER ? PATTERN_POINT
                            : action == C_USAGE ? PATTERN_USAGE
                                                : PATTERN_PROGRESS;
        if (!o || o->pattern != want)
            app_message(a, true, "select a %s obligation first", pattern_name(want));
        else
            form_event(a, &v->k, o);
        return ACT_HANDLED;
    }
    case C_BILL: {
        char through[DATE_BUF];
        snprintf(through, sizeof through, "%s", ui_date(app_today(a)));
        if (!ui_prompt(a, "Bill through (YYYY-MM-DD): ", through, sizeof through))
            return ACT_HANDLED;
        int32_t d;
        struct bill_result r;
        if (date_parse(through, &d, &e) != ERR_OK ||
            contract_bill(a->book, v->code, d, &r, &e) != ERR_OK)
            app_message(a, true, "%s", e.msg);
        else {
            app_changed(a);
            if (r.invoices)
                app_message(a, false, "%d invoice%s issued, %s to %s", r.invoices,
                            r.invoices == 1 ? "" : "s", r.first, r.last);
            else
                app_message(a, false, "nothing to bill through %s", through);
        }
        return ACT_HANDLED;
    }
    case C_ADD:
        form_obligation(a, v->code);
        return ACT_HANDLED;
    case C_MEMO:
        if (v->k.status != CONTRACT_ACTIVE)
            app_message(a, true, "%s is %s: a memo changes an active contract", v->code,
                        contract_status_name(v->k.status));
        else
            form_memo(a, v->code, NULL);
        return ACT_HANDLED;
    case C_REPORT: {
        struct report *r = report_contract(a->book, v->code, app_today(a), &e);
        if (!r) {
            app_message(a, true, "%s", e.msg);
            return ACT_HANDLED;
        }
        char file[96];
        snprintf(file, sizeof file, "contract-%s.xlsx", v->code);
        open_report_view(a, r, file);
        return ACT_HANDLED;
    }
    }
    return ACT_UNHANDLED;
}

static void view_close(struct screen *s)
{
    struct contract_view *v = s->state;
    view_free_data(v);
    free(v);
}

static const struct key_binding view_keys[] = {
    {'A', "A", C_ACTIVATE, "activate: check step 1, allocate, plan"},
    {'d', "d", C_DELIVER, "mark the selected point obligation delivered"},
    {'u', "u", C_USAGE, "record usage of the selected usage obligation"},
    {'%', "%", C_PROGRESS, "record progress of the selected progress obligation"},
    {'b', "b", C_BILL, "bill the contract's plan through a date"},
    {'o', "o", C_ADD, "add an obligation (drafts only)"},
    {'m', "m", C_MEMO, "start a modification memo for this contract"},
    {'v', "v", C_REPORT, "view as a report (w there exports it)"},
    {0, NULL, 0, NULL},
};

static const struct screen_ops view_screen = {
    .title = "Contract",
    .load = view_load,
    .draw = view_draw,
    .act = view_act,
    .close = view_close,
    .keys = view_keys,
};

void open_contract(struct app *a, const char *code)
{
    struct contract_view *v = xcalloc(1, sizeof *v);
    snprintf(v->code, sizeof v->code, "%s", code);
    app_push(a, &view_screen, v);
    app_title(a, "Contract %s", code);
}
