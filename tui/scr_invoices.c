/*
 * scr_invoices.c — the Invoices and payments screen: every invoice with what settled it, an
 * invoice's lines and settlements, and the forms to issue an invoice (credit applies at once and
 * the status line says how much), record a payment (what is beyond what is owed goes to the
 * credit balance) and issue a credit note. The list holds the rows on screen and a screenful
 * either side, and pages by key (invoice_page, ui_pager).
 */
#include <curses.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "model/customer.h"
#include "model/date.h"
#include "model/invoice.h"
#include "model/payment.h"
#include "model/xalloc.h"
#include "tui/ui.h"

enum {
    INV_ISSUE = ACT_SCREEN,
    INV_PAY,
    INV_OPEN_ONLY,
    INV_CREDIT_NOTE,
};

struct invoices_state {
    struct invoice_rows window; /* the rows on screen, newest first */
    struct invoice_rows next;   /* a window fetched, before the pager takes it */
    struct ui_counter count;    /* of the whole list */
    char filter[64];
    bool open_only;
    struct ui_pager pager;
    struct invoice_row stop[2]; /* where a fetch forward (backward) stopped short */
    struct app *app;
    bool fresh; /* the query changed: back to the newest */
};

static struct invoice_query query_of(const struct invoices_state *st)
{
    return (struct invoice_query){.open_only = st->open_only,
                                  .include_drafts = !st->open_only,
                                  .filter = st->filter[0] ? st->filter : NULL,
                                  .reach = st->pager.reach};
}

static long inv_fetch(void *ctx, enum page_seek seek, size_t anchor, size_t limit, bool *cut)
{
    struct invoices_state *st = ctx;
    invoice_rows_free(&st->next);
    struct invoice_query q = query_of(st);
    bool backward = page_seek_backward(seek);
    const struct invoice_row *from = anchor == UI_PAGER_STOP ? &st->stop[backward]
                                     : anchor < st->window.n ? &st->window.v[anchor]
                                                             : NULL;
    if (!from && seek != PAGE_FIRST && seek != PAGE_LAST)
        seek = PAGE_FIRST;
    struct err e = {0};
    struct invoice_row stop;
    if (invoice_page(st->app->book, &q, seek, from, limit, &st->next, &stop, &e) != ERR_OK) {
        app_message(st->app, true, "%s", e.msg);
        return -1;
    }
    if (stop.id) {
        st->stop[backward] = stop;
        *cut = true;
    }
    return (long)st->next.n;
}

static void inv_adopt(void *ctx, enum ui_pager_take how)
{
    struct invoices_state *st = ctx;
    if (how == PAGER_ALL) {
        invoice_rows_free(&st->window);
        st->window = st->next;
    } else if (how == PAGER_DROP) {
        invoice_rows_free(&st->next);
    } else {
        ui_rows_join(&st->window.v, &st->window.n, &st->window.cap, &st->next.v, &st->next.n,
                     sizeof *st->next.v, how == PAGER_BEFORE);
    }
    memset(&st->next, 0, sizeof st->next);
}

static void inv_trim(void *ctx, bool front, size_t k)
{
    struct invoices_state *st = ctx;
    ui_rows_cut(&st->window.v, &st->window.n, sizeof *st->window.v, front, k, NULL);
}

static int64_t inv_id(void *ctx, size_t i)
{
    struct invoices_state *st = ctx;
    return i < st->window.n ? st->window.v[i].id : 0;
}

static const struct ui_pager_ops inv_pager = {inv_fetch, inv_adopt, inv_trim, inv_id};

static int inv_count(void *ctx, struct id_slice *sl)
{
    struct invoices_state *st = ctx;
    struct invoice_query q = query_of(st);
    struct err e = {0};
    if (invoice_count(st->app->book, &q, sl, &e) != ERR_OK)
        app_message(st->app, true, "%s", e.msg);
    return e.code;
}

static int list_rows(int height)
{
    return height - 2 > 1 ? height - 2 : 1;
}

static void invoices_load(struct screen *s)
{
    struct invoices_state *st = s->state;
    if (!st) {
        st = s->state = xcalloc(1, sizeof *st);
        st->app = s->app;
        st->pager.ops = &inv_pager;
        st->pager.ctx = st;
        st->fresh = true;
        st->count.count = inv_count;
        st->count.ctx = st;
    }
    ui_counter_start(&st->count);
    int visible = list_rows(s->height ? s->height : LINES - 2);
    if (st->fresh)
        ui_pager_first(&st->pager, visible);
    else
        ui_pager_reload(&st->pager, visible);
    st->fresh = false;
}

static const struct invoice_row *sel_row(const struct invoices_state *st)
{
    return st->pager.sel < st->window.n ? &st->window.v[st->pager.sel] : NULL;
}

static void invoices_draw(struct screen *s, int top, int height, int width)
{
    struct invoices_state *st = s->state;
    int visible = list_rows(height);
    if (visible != st->pager.visible)
        ui_pager_reload(&st->pager, visible);
    ui_style(STYLE_DIM);
    char counted[64];
    ui_putf(top, 1, width - 2, false, "%s%s%s%s%s, newest first",
            ui_counter_text(&st->count, "invoice", "invoices", counted, sizeof counted),
            st->open_only ? " with something open" : "", st->filter[0] ? " matching \"" : "",
            st->filter, st->filter[0] ? "\"" : "");
    ui_style(STYLE_NORMAL);
    struct ui_col cols[] = {{"Invoice", 12, false}, {"Customer", 10, false}, {"Date", 10, false},
                            {"Due", 10, false},     {"Total", 13, true},     {"Credit", 12, true},
                            {"Paid", 12, true},     {"Open", 13, true},      {"Cur", 3, false},
                            {"Status", 0, false}};
    ui_table_head(top + 1, 1, width - 2, cols, 10);
    /* Only the rows on screen are drawn; erase() has blanked the rest. */
    for (size_t i = st->pager.top; i < st->window.n && i < st->pager.top + (size_t)visible; i++) {
        int y = top + 2 + (int)(i - st->pager.top);
        const struct invoice_row *v = &st->window.v[i];
        int x = v->exponent;
        const char *status = v->draft                        ? "draft"
                             : v->open.minor == 0            ? "settled"
                             : app_today(s->app) > v->due_on ? "overdue"
                                                             : "open";
        const char *cells[10] = {v->number,
                                 v->customer,
                                 ui_date(v->issued_on),
                                 ui_date(v->due_on),
                                 ui_money(v->total.minor, x),
                                 ui_money(v->credit_applied.minor, x),
                                 ui_money(v->paid.minor, x),
                                 ui_money(v->open.minor, x),
                                 v->currency,
                                 status};
        bool sel = i == st->pager.sel;
        ui_style(sel ? STYLE_SELECTED : STYLE_NORMAL);
        if (sel)
            ui_blank(y, 0, width);
        ui_table_row(y, 1, cols, 10, cells);
        ui_style(STYLE_NORMAL);
    }
    if (!ui_pager_draw_reading(&st->pager, top + 2, 2, width - 4, "invoices") && !st->window.n)
        ui_put(top + 3, 2, width - 4, "No invoices here; press i to issue one", false);
}

static void form_credit_note(struct app *a, const struct invoice_row *r);

static enum act_result invoices_act(struct screen *s, int action, wint_t key)
{
    (void)key;
    struct invoices_state *st = s->state;
    struct app *a = s->app;
    if (ui_pager_act(&st->pager, action))
        return ACT_HANDLED;
    const struct invoice_row *r = sel_row(st);
    switch (action) {
    case ACT_SEARCH: {
        char buf[64];
        snprintf(buf, sizeof buf, "%s", st->filter);
        if (ui_prompt(a, "Invoice number or customer: ", buf, sizeof buf)) {
            snprintf(st->filter, sizeof st->filter, "%s", buf);
            st->fresh = true;
            s->stale = true;
        }
        return ACT_HANDLED;
    }
    case INV_OPEN_ONLY:
        st->open_only = !st->open_only;
        st->fresh = true;
        s->stale = true;
        return ACT_HANDLED;
    case INV_ISSUE:
        form_invoice(a, r ? r->customer : NULL);
        return ACT_HANDLED;
    case INV_PAY:
        form_payment(a, r ? r->customer : NULL, r && r->open.minor ? r->number : NULL);
        return ACT_HANDLED;
    case INV_CREDIT_NOTE:
        if (r && !r->draft)
            form_credit_note(a, r);
        return ACT_HANDLED;
    case ACT_OPEN:
        if (r)
            open_invoice(a, r->number);
        return ACT_HANDLED;
    }
    return ACT_UNHANDLED;
}

static bool invoices_idle(struct screen *s)
{
    struct invoices_state *st = s->state;
    return st && (ui_pager_idle(&st->pager, UI_IDLE_ROWS, s) || ui_counter_idle(&st->count, s));
}

static void invoices_close(struct screen *s)
{
    struct invoices_state *st = s->state;
    if (!st)
        return;
    invoice_rows_free(&st->window);
    invoice_rows_free(&st->next);
    free(st);
}

static const struct key_binding invoices_keys[] = {
    {'i', "i", INV_ISSUE, "issue an invoice (credit applies at once)"},
    {'p', "p", INV_PAY, "record a payment (for the selected invoice)"},
    {'n', "n", INV_CREDIT_NOTE, "issue a credit note on the selected invoice"},
    {'o', "o", INV_OPEN_ONLY, "show only invoices with something open, or all"},
    {0, NULL, 0, NULL},
};

const struct screen_ops invoices_screen = {
    .title = "Invoices and payments",
    .load = invoices_load,
    .draw = invoices_draw,
    .act = invoices_act,
    .close = invoices_close,
    .idle = invoices_idle,
    .keys = invoices_keys,
};

/* ---- an invoice ------------------------------------------------------------------------------ */

struct invoice_view {
    char number[CODE_MAX + 1];
    struct invoice_detail d;
    struct invoice_settlements set;
    bool loaded;
};

static void inv_load(struct screen *s)
{
    struct invoice_view *v = s->state;
    invoice_detail_free(&v->d);
    invoice_settlements_free(&v->set);
    struct err e = {0};
    v->loaded = invoice_get(s->app->book, v->number, &v->d, &e) == ERR_OK &&
                invoice_settlements_load(s->app->book, v->d.head.id, &v->set, &e) == ERR_OK;
    if (!v->loaded)
        app_message(s->app, true, "%s", e.msg);
}

static void inv_draw(struct screen *s, int top, int height, int width)
{
    struct invoice_view *v = s->state;
    if (!v->loaded)
        return;
    const struct invoice_row *h = &v->d.head;
    int x = h->exponent, y = top;
    ui_style(STYLE_TOTAL);
    ui_putf(y++, 1, width - 2, false, "%s  to %s  %s", h->number, h->customer,
            h->draft ? "(draft: uses no credit until issued)" : "");
    ui_style(STYLE_NORMAL);
    ui_putf(y++, 1, width - 2, false, "dated %s, due %s, in %s%s%s", ui_date(h->issued_on),
            ui_date(h->due_on), h->currency, v->d.memo ? "  " : "", v->d.memo ? v->d.memo : "");
    y++;
    struct ui_col cols[] = {{"#", 3, true}, {"Description", 0, false}, {"Amount", 15, true}};
    ui_table_head(y++, 1, width - 2, cols, 3);
    for (size_t i = 0; i < v->d.nlines && y < top + height - 8; i++) {
        char no[8];
        snprintf(no, sizeof no, "%d", v->d.lines[i].line_no);
        const char *cells[3] = {no, v->d.lines[i].description,
                                ui_money(v->d.lines[i].amount.minor, x)};
        ui_table_row(y++, 1, cols, 3, cells);
    }
    ui_style(STYLE_TOTAL);
    const char *tot[3] = {"", "Total", ui_money(h->total.minor, x)};
    ui_table_row(y++, 1, cols, 3, tot);
    ui_style(STYLE_NORMAL);
    y++;
    ui_style(STYLE_TOTAL);
    ui_put(y++, 1, width - 2, "Settled by", false);
    ui_style(STYLE_NORMAL);
    for (size_t i = 0; i < v->set.n && y < top + height - 1; i++) {
        const struct invoice_settlement *st = &v->set.v[i];
        ui_putf(y++, 2, width - 4, false, "%s  %-12s %-14s %15s", ui_date(st->on), st->kind,
                st->ref, ui_money(st->amount.minor, x));
    }
    if (v->set.n == 0)
        ui_put(y++, 2, width - 4, "nothing yet", false);
    ui_style(STYLE_TOTAL);
    if (y < top + height)
        ui_putf(y, 1, width - 2, false, "Open %s", ui_money(h->open.minor, x));
    ui_style(STYLE_NORMAL);
}

static enum act_result inv_act(struct screen *s, int action, wint_t key)
{
    (void)key;
    struct invoice_view *v = s->state;
    if (!v->loaded)
        return ACT_UNHANDLED;
    if (action == INV_PAY) {
        form_payment(s->app, v->d.head.customer, v->d.head.number);
        return ACT_HANDLED;
    }
    if (action == INV_CREDIT_NOTE && !v->d.head.draft) {
        form_credit_note(s->app, &v->d.head);
        return ACT_HANDLED;
    }
    return ACT_UNHANDLED;
}

static void inv_close(struct screen *s)
{
    struct invoice_view *v = s->state;
    invoice_detail_free(&v->d);
    invoice_settlements_free(&v->set);
    free(v);
}

static const struct key_binding inv_keys[] = {
    {'p', "p", INV_PAY, "record a payment for this invoice"},
    {'n', "n", INV_CREDIT_NOTE, "issue a credit note on this invoice"},
    {0, NULL, 0, NULL},
};

static const struct screen_ops invoice_screen = {
    .title = "Invoice",
    .load = inv_load,
    .draw = inv_draw,
    .act = inv_act,
    .close = inv_close,
    .keys = inv_keys,
};

void open_invoice(struct app *a, const char *number)
{
    struct invoice_view *v = xcalloc(1, sizeof *v);
    snprintf(v->number, sizeof v->number, "%s", number);
    app_push(a, &invoice_screen, v);
    app_title(a, "Invoice %s", number);
}

/* ---- forms ---------------------------------------------------------------------------------- */

#define INVOICE_LINES 5

enum { I_CUSTOMER, I_DATE, I_DUE, I_LINE1, I_MEMO = I_LINE1 + INVOICE_LINES };

static int save_invoice(struct form *f, struct app *a, void *ctx, int *bad, struct err *e)
{
    (void)ctx;
    struct customer c;
    if (customer_find(a->book, form_text(f, I_CUSTOMER), &c, e) != ERR_OK) {
        *bad = I_CUSTOMER;
        return e->code;
    }
    struct invoice_input in = {
        .customer = c.code, .due_on = DATE_NONE, .memo = form_text(f, I_MEMO)};
    struct invoice_line_input lines[INVOICE_LINES] = {{0}};
    char *descs[INVOICE_LINES] = {0};
    int rc = ERR_OK;
    if (date_parse(form_text(f, I_DATE), &in.issued_on, e) != ERR_OK) {
        *bad = I_DATE;
        err_prefix(e, "date");
        rc = e->code;
        goto out;
    }
    if (*form_text(f, I_DUE) && date_parse(form_text(f, I_DUE), &in.due_on, e) != ERR_OK) {
        *bad = I_DUE;
        err_prefix(e, "due");
        rc = e->code;
        goto out;
    }
    for (int i = 0; i < INVOICE_LINES; i++) {
        const char *spec = form_text(f, I_LINE1 + i);
        if (!*spec)
            continue;
        if (invoice_line_parse(spec, c.exponent, &descs[in.nlines], &lines[in.nlines].amount, e) !=
            ERR_OK) {
            *bad = I_LINE1 + i;
            rc = e->code;
            goto out;
        }
        lines[in.nlines].description = descs[in.nlines];
        in.nlines++;
    }
    in.lines = lines;
    struct invoice_result r;
    if ((rc = invoice_create(a->book, &in, &r, e)) != ERR_OK) {
        *bad = strncmp(e->msg, "due", 3) == 0    ? I_DUE
               : strncmp(e->msg, "line", 4) == 0 ? I_LINE1
                                                 : -1;
        goto out;
    }
    app_message(a, false, "%s issued: %s %s; credit applied %s; due %s", r.number,
                ui_money(r.total.minor, r.exponent), r.currency,
                ui_money(r.credit_paid.minor + r.credit_free.minor + r.deposits.minor, r.exponent),
                ui_money(r.due.minor, r.exponent));
out:
    for (int i = 0; i < INVOICE_LINES; i++)
        free(descs[i]);
    customer_clear(&c);
    return rc;
}

void form_invoice(struct app *a, const char *customer)
{
    struct form *f = form_new("Issue an invoice", save_invoice, NULL, false);
    form_field(f, "Customer", customer, "ACME");
    form_field(f, "Date", ui_date(app_today(a)), "YYYY-MM-DD");
    form_field(f, "Due", NULL, "blank: the customer's terms");
    static const char *const labels[INVOICE_LINES] = {"Line 1", "Line 2", "Line 3", "Line 4",
                                                      "Line 5"};
    for (int i = 0; i < INVOICE_LINES; i++)
        form_field(f, labels[i], NULL, i == 0 ? "Description=1,000.00" : "");
    form_field(f, "Memo", NULL, "");
    if (customer)
        f->focus = I_DATE;
    snprintf(f->note, sizeof f->note,
             "Each line is DESCRIPTION=AMOUNT. The customer's available credit applies as soon as"
             " it is issued.");
    form_show(a, f);
}

enum { P_CUSTOMER, P_AMOUNT, P_DATE, P_INVOICE, P_REFERENCE };

static int save_payment(struct form *f, struct app *a, void *ctx, int *bad, struct err *e)
{
    (void)ctx;
    struct customer c;
    if (customer_find(a->book, form_text(f, P_CUSTOMER), &c, e) != ERR_OK) {
        *bad = P_CUSTOMER;
        return e->code;
    }
    struct payment_input in = {.customer = c.code,
                               .invoice = *form_text(f, P_INVOICE) ? form_text(f, P_INVOICE) : NULL,
                               .reference = form_text(f, P_REFERENCE)};
    int rc = ERR_OK;
    if (money_parse(form_text(f, P_AMOUNT), c.exponent, &in.amount, e) != ERR_OK) {
        *bad = P_AMOUNT;
        err_prefix(e, "amount");
        rc = e->code;
    } else if (date_parse(form_text(f, P_DATE), &in.received_on, e) != ERR_OK) {
        *bad = P_DATE;
        err_prefix(e, "date");
        rc = e->code;
    } else {
        struct payment_result r;
        if ((rc = payment_record(a->book, &in, &r, e)) != ERR_OK) {
            *bad = strncmp(e->msg, "invoice", 7) == 0  ? P_INVOICE
                   : strncmp(e->msg, "amount", 6) == 0 ? P_AMOUNT
                   : strncmp(e->msg, "date", 4) == 0   ? P_DATE
                                                       : -1;
        } else {
            app_message(a, false, "%s recorded: %s applied%s%s; %s to the credit balance", r.number,
                        ui_money(r.applied.minor, c.exponent), in.invoice ? " to " : "",
                        in.invoice ? in.invoice : "", ui_money(r.to_credit.minor, c.exponent));
        }
    }
    customer_clear(&c);
    return rc;
}

void form_payment(struct app *a, const char *customer, const char *invoice)
{
    struct form *f = form_new("Record a payment", save_payment, NULL, false);
    form_field(f, "Customer", customer, "ACME");
    form_field(f, "Amount", NULL, "1,000.00");
    form_field(f, "Date", ui_date(app_today(a)), "YYYY-MM-DD");
    form_field(f, "Invoice", invoice, "blank: the payment funds the credit balance");
    form_field(f, "Reference", NULL, "bank reference");
    f->focus = customer ? P_AMOUNT : P_CUSTOMER;
    snprintf(f->note, sizeof f->note,
             "What is beyond what the invoice asks, or a payment tied to no invoice, funds the"
             " customer's credit balance.");
    form_show(a, f);
}

struct note_ctx {
    char number[CODE_MAX + 1];
    int exponent;
};

enum { N_AMOUNT, N_DATE, N_REASON };

static int save_note(struct form *f, struct app *a, void *ctx, int *bad, struct err *e)
{
    struct note_ctx *x = ctx;
    struct money amount;
    int32_t day;
    if (money_parse(form_text(f, N_AMOUNT), x->exponent, &amount, e) != ERR_OK) {
        *bad = N_AMOUNT;
        err_prefix(e, "amount");
        return e->code;
    }
    if (date_parse(form_text(f, N_DATE), &day, e) != ERR_OK) {
        *bad = N_DATE;
        err_prefix(e, "date");
        return e->code;
    }
    struct credit_note_result r;
    if (invoice_credit_note(a->book, x->number, amount, day, form_text(f, N_REASON), &r, e) !=
        ERR_OK) {
        *bad = strncmp(e->msg, "reason", 6) == 0 ? N_REASON
               : strncmp(e->msg, "date", 4) == 0 ? N_DATE
                                                 : N_AMOUNT;
        return e->code;
    }
    app_message(a, false, "%s on %s: %s against the invoice, %s to credit", r.number, x->number,
                ui_money(r.applied.minor, x->exponent), ui_money(r.to_credit.minor, x->exponent));
    return ERR_OK;
}

static void form_credit_note(struct app *a, const struct invoice_row *r)
{
    struct note_ctx *x = xcalloc(1, sizeof *x);
    snprintf(x->number, sizeof x->number, "%s", r->number);
    x->exponent = r->exponent;
    char title[96];
    snprintf(title, sizeof title, "Credit note on %s (%s open)", r->number,
             ui_money(r->open.minor, r->exponent));
    struct form *f = form_new(title, save_note, x, true);
    form_field(f, "Amount", NULL, "100.00");
    form_field(f, "Date", ui_date(app_today(a)), "YYYY-MM-DD");
    form_field(f, "Reason", NULL, "why");
    form_show(a, f);
}
