/*
 * scr_customers.c — the Customers screen (list with search, sort and archived toggle), a
 * customer's detail (what they owe, their credit, open invoices, recent payments), the add and
 * edit form, and the statement preview.
 *
 * The list holds the rows on screen and a screenful either side, and pages by key (customer_page,
 * ui_pager), so a key costs the same at the first customer or the ten-thousandth.
 */
#include <curses.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "model/credit.h"
#include "model/customer.h"
#include "model/date.h"
#include "model/invoice.h"
#include "model/payment.h"
#include "model/xalloc.h"
#include "reports/reports.h"
#include "tui/ui.h"

/* ---- the list ------------------------------------------------------------------------------ */

enum {
    CUS_FILTER = ACT_SCREEN,
    CUS_SORT,
    CUS_REVERSE,
    CUS_ARCHIVED,
    CUS_ADD,
    CUS_EDIT,
    CUS_ARCHIVE,
    CUS_CREDIT,
    CUS_STATEMENT,
    CUS_INVOICE,
    CUS_PAYMENT,
};

struct customers_state {
    char filter[128];
    struct customer_query q;
    struct ui_pager pager;
    struct customer_list window; /* the rows on screen */
    struct customer_list next;   /* a window fetched, before the pager takes it */
    struct ui_counter count;     /* rows in the whole list */
    /* By owed or credit: every customer's balances, kept for sorting (customer_sort_fill) a
     * slice at a time, the first within the key and the rest between keys. The list shows
     * nothing new until they are all kept. */
    struct ui_counter sorter;
    bool sort_stale; /* the book changed since they were kept */
    struct app *app;
    bool fresh; /* the query changed: back to the first row */
};

static bool by_balance(const struct customers_state *st)
{
    return st->q.sort == CUSTOMER_SORT_OWED || st->q.sort == CUSTOMER_SORT_CREDIT;
}

/* Sorted by a balance not yet all kept: no page can be read. */
static bool sorting(const struct customers_state *st)
{
    return by_balance(st) && !st->sorter.done;
}

static const char *const sort_names[] = {"code", "name", "owed", "credit"};

/* Never cut short: a search reads the customers' names, a few milliseconds for ten thousand. */
static long cus_fetch(void *ctx, enum page_seek seek, size_t anchor, size_t limit, bool *cut)
{
    (void)cut;
    struct customers_state *st = ctx;
    customer_list_free(&st->next);
    if (sorting(st))
        return 0;
    struct err e = {0};
    const struct customer_row *from = anchor < st->window.n ? &st->window.rows[anchor] : NULL;
    if (!from && seek != PAGE_FIRST && seek != PAGE_LAST)
        seek = PAGE_FIRST;
    if (customer_page(st->app->book, &st->q, seek, from, limit, &st->next, &e) != ERR_OK) {
        app_message(st->app, true, "%s", e.msg);
        return -1;
    }
    return (long)st->next.n;
}

static void cus_adopt(void *ctx, enum ui_pager_take how)
{
    struct customers_state *st = ctx;
    if (how == PAGER_ALL) {
        customer_list_free(&st->window);
        st->window = st->next;
    } else if (how == PAGER_DROP) {
        customer_list_free(&st->next);
    } else {
        ui_rows_join(&st->window.rows, &st->window.n, &st->window.cap, &st->next.rows, &st->next.n,
                     sizeof *st->next.rows, how == PAGER_BEFORE);
    }
    memset(&st->next, 0, sizeof st->next);
}

static void cus_free_row(void *row)
{
    free(((struct customer_row *)row)->name);
}

static void cus_trim(void *ctx, bool front, size_t k)
{
    struct customers_state *st = ctx;
    ui_rows_cut(&st->window.rows, &st->window.n, sizeof *st->window.rows, front, k, cus_free_row);
}

static int64_t cus_id(void *ctx, size_t i)
{
    struct customers_state *st = ctx;
    return i < st->window.n ? st->window.rows[i].id : 0;
}

static const struct ui_pager_ops cus_pager = {cus_fetch, cus_adopt, cus_trim, cus_id};

/* Rows of the list on a body `height` rows high. */
static int list_rows(int height)
{
    return height - 2 > 1 ? height - 2 : 1;
}

static int cus_count(void *ctx, struct id_slice *sl)
{
    struct customers_state *st = ctx;
    struct err e = {0};
    if (customer_count(st->app->book, &st->q, sl, &e) != ERR_OK)
        app_message(st->app, true, "%s", e.msg);
    return e.code;
}

static int cus_sort_fill(void *ctx, struct id_slice *sl)
{
    struct customers_state *st = ctx;
    struct err e = {0};
    if (customer_sort_fill(st->app->book, sl, &e) != ERR_OK)
        app_message(st->app, true, "%s", e.msg);
    return e.code;
}

static void customers_load(struct screen *s)
{
    struct customers_state *st = s->state;
    if (!st) {
        st = s->state = xcalloc(1, sizeof *st);
        st->q.sort = CUSTOMER_SORT_CODE;
        st->app = s->app;
        st->pager.ops = &cus_pager;
        st->pager.ctx = st;
        st->fresh = true;
        st->count.count = cus_count;
        st->count.ctx = st;
        st->sorter.count = cus_sort_fill;
        st->sorter.ctx = st;
        st->sorter.first = 16; /* a large book's customers own about 75 invoices each */
        st->sort_stale = true;
    }
    st->q.filter = st->filter[0] ? st->filter : NULL;
    /* A load the screen did not ask for itself follows a change to the book. */
    if (!st->fresh)
        st->sort_stale = true;
    st->q.kept = by_balance(st);
    if (by_balance(st) && st->sort_stale) {
        struct err e = {0};
        st->sort_stale = false;
        if (customer_sort_start(st->app->book, &e) != ERR_OK) {
            app_message(st->app, true, "%s", e.msg);
            st->q.kept = false; /* each page works the balances out itself */
        } else {
            ui_counter_start(&st->sorter);
            if (st->sorter.failed)
                st->q.kept = false;
        }
    }
    ui_counter_start(&st->count);
    int visible = list_rows(s->height ? s->height : LINES - 2);
    if (st->fresh)
        ui_pager_first(&st->pager, visible);
    else if (!sorting(st)) /* else the rows held stay until the balances are kept, as below */
        ui_pager_reload(&st->pager, visible);
    st->fresh = false;
}

static const struct customer_row *selected(struct screen *s)
{
    struct customers_state *st = s->state;
    if (!st || st->pager.sel >= st->window.n)
        return NULL;
    return &st->window.rows[st->pager.sel];
}

static void customers_draw(struct screen *s, int top, int height, int width)
{
    struct customers_state *st = s->state;
    int visible = list_rows(height);
    if (visible != st->pager.visible)
        ui_pager_reload(&st->pager, visible);
    ui_style(STYLE_DIM);
    char counted[64];
    char sorted[64] = "";
    if (sorting(st))
        snprintf(sorted, sizeof sorted, ": sorting, %zu customers' balances worked out",
                 st->sorter.n);
    ui_putf(top, 1, width - 2, false, "%s%s%s%s, by %s%s%s%s",
            ui_counter_text(&st->count, "customer", "customers", counted, sizeof counted),
            st->filter[0] ? " matching \"" : "", st->filter, st->filter[0] ? "\"" : "",
            sort_names[st->q.sort], st->q.descending ? " (reversed)" : "",
            st->q.include_archived ? ", archived shown" : "", sorted);
    ui_style(STYLE_NORMAL);
    struct ui_col cols[] = {{"Code", 12, false}, {"Name", 0, false},   {"Cur", 3, false},
                            {"Owed", 15, true},  {"Credit", 15, true}, {"", 8, false}};
    ui_table_head(top + 1, 1, width - 2, cols, 6);
    /* Only the rows on screen are drawn; erase() has blanked the rest. */
    for (size_t r = st->pager.top; r < st->window.n && r < st->pager.top + (size_t)visible; r++) {
        int y = top + 2 + (int)(r - st->pager.top);
        const struct customer_row *c = &st->window.rows[r];
        const char *cells[6] = {c->code,
                                c->name,
                                c->currency,
                                ui_money(c->owed.minor, c->exponent),
                                ui_money(c->credit.minor, c->exponent),
                                c->archived ? "archived" : ""};
        bool sel = r == st->pager.sel;
        ui_style(sel ? STYLE_SELECTED : STYLE_NORMAL);
        if (sel)
            ui_blank(y, 0, width);
        ui_table_row(y, 1, cols, 6, cells);
        ui_style(STYLE_NORMAL);
    }
    if (st->window.n == 0 && !sorting(st))
        ui_put(top + 3, 2, width - 4,
               st->filter[0] ? "No customer matches; / to change the search"
                             : "No customers yet; press a to add one",
               false);
}

static enum act_result customers_act(struct screen *s, int action, wint_t key)
{
    (void)key;
    struct customers_state *st = s->state;
    struct app *a = s->app;
    if (ui_pager_act(&st->pager, action))
        return ACT_HANDLED;
    const struct customer_row *c = selected(s);
    switch (action) {
    case ACT_SEARCH:
    case CUS_FILTER: {
        char buf[128];
        snprintf(buf, sizeof buf, "%s", st->filter);
        if (ui_prompt(a, "Search code or name: ", buf, sizeof buf)) {
            snprintf(st->filter, sizeof st->filter, "%s", buf);
            st->fresh = true;
            s->stale = true;
        }
        return ACT_HANDLED;
    }
    case CUS_SORT:
        st->q.sort = (enum customer_sort)((st->q.sort + 1) % 4);
        st->q.descending = st->q.sort >= CUSTOMER_SORT_OWED;
        st->fresh = true;
        s->stale = true;
        return ACT_HANDLED;
    case CUS_REVERSE:
        st->q.descending = !st->q.descending;
        st->fresh = true;
        s->stale = true;
        return ACT_HANDLED;
    case CUS_ARCHIVED:
        st->q.include_archived = !st->q.include_archived;
        st->fresh = true;
        s->stale = true;
        return ACT_HANDLED;
    case CUS_ADD:
        form_customer(a, NULL);
        return ACT_HANDLED;
    default:
        break;
    }
    if (!c)
        return action >= ACT_SCREEN ? ACT_HANDLED : ACT_UNHANDLED;
    switch (action) {
    case ACT_OPEN:
        open_customer(a, c->code);
        return ACT_HANDLED;
    case CUS_EDIT:
        form_customer(a, c->code);
        return ACT_HANDLED;
    case CUS_ARCHIVE: {
        struct customer cu;
        struct err e = {0};
        if (customer_get(a->book, c->id, &cu, &e) != ERR_OK) {
            app_message(a, true, "%s", e.msg);
            return ACT_HANDLED;
        }
        char q[160];
        snprintf(q, sizeof q, "%s customer %s?", cu.archived ? "Restore" : "Archive", cu.code);
        if (ui_confirm(a, q)) {
            if (customer_set_archived(a->book, cu.id, cu.revision, !cu.archived, &e) != ERR_OK)
                app_message(a, true, "%s", e.msg);
            else {
                app_changed(a);
                app_message(a, false, "customer %s %s", cu.code,
                            cu.archived ? "restored" : "archived");
            }
        }
        customer_clear(&cu);
        return ACT_HANDLED;
    }
    case CUS_CREDIT:
        open_customer_credit(a, c->code);
        return ACT_HANDLED;
    case CUS_STATEMENT:
        open_statement_preview(a, c->code);
        return ACT_HANDLED;
    case CUS_INVOICE:
        form_invoice(a, c->code);
        return ACT_HANDLED;
    case CUS_PAYMENT:
        form_payment(a, c->code, NULL);
        return ACT_HANDLED;
    }
    return ACT_UNHANDLED;
}

static bool customers_idle(struct screen *s)
{
    struct customers_state *st = s->state;
    if (!st)
        return false;
    if (sorting(st)) {
        ui_counter_idle(&st->sorter, s);
        if (st->sorter.failed)
            st->q.kept = false; /* each page works the balances out itself */
        if (!sorting(st))       /* all kept: the rows held read again in the new order */
            ui_pager_reload(&st->pager, st->pager.visible);
        s->redraw = true; /* how many are worked out, then the list */
        return true;
    }
    return ui_pager_idle(&st->pager, UI_IDLE_ROWS, s) || ui_counter_idle(&st->count, s);
}

static void customers_close(struct screen *s)
{
    struct customers_state *st = s->state;
    if (!st)
        return;
    customer_list_free(&st->window);
    customer_list_free(&st->next);
    free(st);
}

static const struct key_binding customers_keys[] = {
    {'a', "a", CUS_ADD, "add a customer"},
    {'e', "e", CUS_EDIT, "edit the selected customer"},
    {'x', "x", CUS_ARCHIVE, "archive or restore the selected customer"},
    {'s', "s", CUS_SORT, "sort by code, name, owed, credit"},
    {'r', "r", CUS_REVERSE, "reverse the order"},
    {'A', "A", CUS_ARCHIVED, "show or hide archived customers"},
    {'c', "c", CUS_CREDIT, "the customer's credit balance"},
    {'v', "v", CUS_STATEMENT, "preview the customer's statement"},
    {'i', "i", CUS_INVOICE, "issue an invoice to the customer"},
    {'p', "p", CUS_PAYMENT, "record a payment from the customer"},
    {0, NULL, 0, NULL},
};

const struct screen_ops customers_screen = {
    .title = "Customers",
    .load = customers_load,
    .draw = customers_draw,
    .act = customers_act,
    .close = customers_close,
    .idle = customers_idle,
    .keys = customers_keys,
};

/* ---- the detail ------------------------------------------------------------------------------ */

struct customer_view {
    char code[CODE_MAX + 1];
    struct customer c;
    struct customer_balance bal;
    struct invoice_rows open;
    struct payment_rows payments;
    struct ui_scroll sc; /* over the open invoices */
    bool loaded;
};

static void detail_load(struct screen *s)
{
    struct customer_view *v = s->state;
    struct app *a = s->app;
    customer_clear(&v->c);
    invoice_rows_free(&v->open);
    payment_rows_free(&v->payments);
    struct err e = {0};
    v->loaded = false;
    if (customer_find(a->book, v->code, &v->c, &e) != ERR_OK) {
        app_message(a, true, "%s", e.msg);
        return;
    }
    struct invoice_query q = {.customer_id = v->c.id, .open_only = true};
    if (customer_balance(a->book, v->c.id, app_today(a), &v->bal, &e) != ERR_OK ||
        invoice_list(a->book, &q, &v->open, &e) != ERR_OK ||
        payment_list(a->book, v->c.id, &v->payments, &e) != ERR_OK) {
        app_message(a, true, "%s", e.msg);
        return;
    }
    snprintf(v->code, sizeof v->code, "%s", v->c.code);
    v->sc.count = v->open.n;
    v->loaded = true;
}

static void detail_draw(struct screen *s, int top, int height, int width)
{
    struct customer_view *v = s->state;
    if (!v->loaded)
        return;
    const struct customer *c = &v->c;
    int x = c->exponent, y = top;
    ui_style(STYLE_TOTAL);
    ui_putf(y, 1, width - 2, false, "%s  %s", c->code, c->name);
    ui_style(STYLE_NORMAL);
    y++;
    ui_putf(y++, 1, width - 2, false, "%s, net %d days%s%s%s%s%s", c->currency, c->terms_days,
            c->email ? "  " : "", c->email ? c->email : "", c->address ? "  " : "",
            c->address ? c->address : "", c->archived ? "  (archived)" : "");
    y++;
    ui_putf(y++, 1, width - 2, false, "Owed %s   of which overdue %s   open invoices %d",
            ui_money(v->bal.owed.minor, x), ui_money(v->bal.overdue.minor, x),
            v->bal.open_invoices);
    ui_putf(y++, 1, width - 2, false, "Credit balance %s   prepaid %s   promotional %s",
            ui_money(v->bal.credit_paid.minor + v->bal.credit_free.minor, x),
            ui_money(v->bal.credit_paid.minor, x), ui_money(v->bal.credit_free.minor, x));
    y++;
    ui_style(STYLE_TOTAL);
    ui_putf(y++, 1, width - 2, false, "Open invoices (%zu)", v->open.n);
    ui_style(STYLE_NORMAL);
    struct ui_col cols[] = {{"Invoice", 12, false}, {"Date", 10, false},    {"Due", 10, false},
                            {"Total", 14, true},    {"Credit", 14, true},   {"Paid", 14, true},
                            {"Open", 14, true},     {"Days late", 9, true}, {"", 0, false}};
    ui_table_head(y++, 1, width - 2, cols, 9);
    int room = (top + height) - y - 3;
    if (room < 3)
        room = 3;
    int rows = (int)v->open.n < room ? (int)v->open.n : room;
    ui_scroll_fit(&v->sc, rows);
    for (int r = 0; r < rows; r++) {
        const struct invoice_row *i = &v->open.v[v->sc.top + (size_t)r];
        char late[16] = "";
        int32_t d = app_today(s->app) - i->due_on;
        if (d > 0)
            snprintf(late, sizeof late, "%d", (int)d);
        const char *cells[9] = {i->number,
                                ui_date(i->issued_on),
                                ui_date(i->due_on),
                                ui_money(i->total.minor, x),
                                ui_money(i->credit_applied.minor, x),
                                ui_money(i->paid.minor, x),
                                ui_money(i->open.minor, x),
                                late,
                                ""};
        ui_style(v->sc.top + (size_t)r == v->sc.sel ? STYLE_SELECTED : STYLE_NORMAL);
        ui_blank(y, 0, width);
        ui_table_row(y++, 1, cols, 9, cells);
        ui_style(STYLE_NORMAL);
    }
    if (v->open.n == 0)
        ui_put(y++, 2, width - 4, "Nothing is open.", false);
    y++;
    if (y < top + height - 1) {
        ui_style(STYLE_TOTAL);
        ui_put(y++, 1, width - 2, "Recent payments", false);
        ui_style(STYLE_NORMAL);
    }
    for (size_t i = 0; i < v->payments.n && y < top + height; i++, y++) {
        const struct payment_row *p = &v->payments.v[i];
        ui_putf(y, 2, width - 4, false, "%s  %s  %14s  %s%s%s", ui_date(p->received_on), p->number,
                ui_money(p->amount.minor, x), p->invoices[0] ? "for " : "to credit", p->invoices,
                p->reference[0] ? "  " : "");
    }
}

enum { DET_EDIT = ACT_SCREEN, DET_ARCHIVE, DET_CREDIT, DET_STATEMENT, DET_INVOICE, DET_PAYMENT };

static enum act_result detail_act(struct screen *s, int action, wint_t key)
{
    (void)key;
    struct customer_view *v = s->state;
    struct app *a = s->app;
    if (!v->loaded)
        return ACT_UNHANDLED;
    if (ui_scroll_act(&v->sc, action, 5))
        return ACT_HANDLED;
    switch (action) {
    case ACT_OPEN:
        if (v->open.n)
            open_invoice(a, v->open.v[v->sc.sel].number);
        return ACT_HANDLED;
    case DET_EDIT:
        form_customer(a, v->code);
        return ACT_HANDLED;
    case DET_CREDIT:
        open_customer_credit(a, v->code);
        return ACT_HANDLED;
    case DET_STATEMENT:
        open_statement_preview(a, v->code);
        return ACT_HANDLED;
    case DET_INVOICE:
        form_invoice(a, v->code);
        return ACT_HANDLED;
    case DET_PAYMENT:
        form_payment(a, v->code, v->open.n ? v->open.v[v->sc.sel].number : NULL);
        return ACT_HANDLED;
    case DET_ARCHIVE: {
        char q[160];
        snprintf(q, sizeof q, "%s customer %s?", v->c.archived ? "Restore" : "Archive", v->code);
        struct err e = {0};
        if (ui_confirm(a, q)) {
            if (customer_set_archived(a->book, v->c.id, v->c.revision, !v->c.archived, &e) !=
                ERR_OK)
                app_message(a, true, "%s", e.msg);
            else
                app_changed(a);
        }
        return ACT_HANDLED;
    }
    }
    return ACT_UNHANDLED;
}

static void detail_close(struct screen *s)
{
    struct customer_view *v = s->state;
    customer_clear(&v->c);
    invoice_rows_free(&v->open);
    payment_rows_free(&v->payments);
    free(v);
}

static const struct key_binding detail_keys[] = {
    {'e', "e", DET_EDIT, "edit the customer"},
    {'x', "x", DET_ARCHIVE, "archive or restore the customer"},
    {'c', "c", DET_CREDIT, "credit balance: grants and movements"},
    {'v', "v", DET_STATEMENT, "preview the statement"},
    {'i', "i", DET_INVOICE, "issue an invoice"},
    {'p', "p", DET_PAYMENT, "record a payment (for the selected invoice)"},
    {0, NULL, 0, NULL},
};

static const struct screen_ops detail_screen = {
    .title = "Customer",
    .load = detail_load,
    .draw = detail_draw,
    .act = detail_act,
    .close = detail_close,
    .keys = detail_keys,
};

void open_customer(struct app *a, const char *code)
{
    struct customer c;
    struct err e = {0};
    if (customer_find(a->book, code, &c, &e) != ERR_OK) {
        app_message(a, true, "%s", e.msg);
        return;
    }
    struct customer_view *v = xcalloc(1, sizeof *v);
    snprintf(v->code, sizeof v->code, "%s", c.code);
    app_push(a, &detail_screen, v);
    app_title(a, "Customer %s", c.code);
    customer_clear(&c);
}

/* ---- the form ------------------------------------------------------------------------------ */

struct customer_form {
    int64_t id; /* 0: a new customer */
    int64_t revision;
};

enum { F_CODE, F_NAME, F_CURRENCY, F_EMAIL, F_TERMS, F_ADDRESS };

static int field_of(enum customer_field f)
{
    switch (f) {
    case CUSTOMER_FIELD_CODE:
        return F_CODE;
    case CUSTOMER_FIELD_NAME:
        return F_NAME;
    case CUSTOMER_FIELD_CURRENCY:
        return F_CURRENCY;
    case CUSTOMER_FIELD_EMAIL:
        return F_EMAIL;
    case CUSTOMER_FIELD_TERMS:
        return F_TERMS;
    case CUSTOMER_FIELD_ADDRESS:
        return F_ADDRESS;
    default:
        return -1;
    }
}

static void fill_customer_form(struct form *f, const struct customer *c)
{
    char terms[16];
    snprintf(terms, sizeof terms, "%d", c->terms_days);
    snprintf(f->fields[F_CODE].text, FIELD_MAX, "%s", c->code);
    snprintf(f->fields[F_NAME].text, FIELD_MAX, "%s", c->name);
    snprintf(f->fields[F_CURRENCY].text, FIELD_MAX, "%s", c->currency);
    snprintf(f->fields[F_EMAIL].text, FIELD_MAX, "%s", c->email ? c->email : "");
    snprintf(f->fields[F_TERMS].text, FIELD_MAX, "%s", terms);
    snprintf(f->fields[F_ADDRESS].text, FIELD_MAX, "%s", c->address ? c->address : "");
    for (int i = 0; i < f->n; i++)
        f->fields[i].cursor = strlen(f->fields[i].text);
}

static int save_customer(struct form *f, struct app *a, void *ctx, int *bad, struct err *e)
{
    struct customer_form *cf = ctx;
    const char *terms = form_text(f, F_TERMS);
    struct customer_input in = {
        .code = form_text(f, F_CODE),
        .name = form_text(f, F_NAME),
        .currency = *form_text(f, F_CURRENCY) ? form_text(f, F_CURRENCY) : NULL,
        .email = form_text(f, F_EMAIL),
        .address = form_text(f, F_ADDRESS),
        .terms_days = -1,
    };
    if (*terms) {
        char *end;
        long t = strtol(terms, &end, 10);
        if (*end || t < 0 || t > 365) {
            *bad = F_TERMS;
            return err_set(e, ERR_INPUT, "terms: use 0 to 365 days");
        }
        in.terms_days = (int)t;
    }
    enum customer_field field;
    if (customer_validate(&in, &field, e) != ERR_OK) {
        *bad = field_of(field);
        return e->code;
    }
    int rc;
    if (cf->id) {
        rc = customer_update(a->book, cf->id, cf->revision, &in, e);
        if (rc == ERR_CONFLICT) {
            /* Someone saved this customer meanwhile: never overwrite, offer their version. */
            if (ui_confirm(a, "Changed since you opened it. Reload it (what you typed is lost)?")) {
                struct customer c;
                struct err e2 = {0};
                if (customer_get(a->book, cf->id, &c, &e2) == ERR_OK) {
                    fill_customer_form(f, &c);
                    cf->revision = c.revision;
                    customer_clear(&c);
                    err_set(e, ERR_CONFLICT, "reloaded: this is the customer as saved now");
                }
            }
            *bad = -1;
            return rc;
        }
    } else {
        int64_t id;
        rc = customer_add(a->book, &in, &id, e);
    }
    if (rc != ERR_OK) {
        const char *colon = strchr(e->msg, ':');
        *bad = F_CODE;
        if (colon && strncmp(e->msg, "currency", 8) == 0)
            *bad = F_CURRENCY;
        return rc;
    }
    app_message(a, false, "customer %s saved", in.code);
    return ERR_OK;
}

void form_customer(struct app *a, const char *code)
{
    struct customer_form *cf = xcalloc(1, sizeof *cf);
    struct customer c = {0};
    if (code) {
        struct err e = {0};
        if (customer_find(a->book, code, &c, &e) != ERR_OK) {
            app_message(a, true, "%s", e.msg);
            free(cf);
            return;
        }
        /* A form field holds FIELD_MAX - 1 bytes; a longer name or address shown cut would be
         * saved cut. Such a customer is edited on the command line, which takes it whole. */
        const char *longer = strlen(c.name) >= FIELD_MAX                   ? "name"
                             : c.address && strlen(c.address) >= FIELD_MAX ? "address"
                                                                           : NULL;
        if (longer) {
            app_message(a, true,
                        "%s: the %s is longer than the form holds (%d bytes); change it with"
                        " ratable customer edit",
                        c.code, longer, FIELD_MAX - 1);
            customer_clear(&c);
            free(cf);
            return;
        }
        cf->id = c.id;
        cf->revision = c.revision;
    }
    struct form *f = form_new(code ? "Edit customer" : "New customer", save_customer, cf, true);
    form_field(f, "Code", NULL, "ACME");
    form_field(f, "Name", NULL, "Acme Corporation");
    form_field(f, "Currency", NULL, a->settings.base_currency);
    form_field(f, "Email", NULL, "billing@example.com");
    form_field(f, "Terms (days)", NULL, "30");
    form_field(f, "Address", NULL, "");
    if (code) {
        fill_customer_form(f, &c);
        customer_clear(&c);
    }
    form_show(a, f);
}

/* ---- the statement preview ------------------------------------------------------------------ */

struct statement_form {
    char code[CODE_MAX + 1];
};

static int save_statement(struct form *f, struct app *a, void *ctx, int *bad, struct err *e)
{
    struct statement_form *sf = ctx;
    int32_t from, to;
    if (date_parse(form_text(f, 0), &from, e) != ERR_OK) {
        *bad = 0;
        err_prefix(e, "from");
        return e->code;
    }
    if (date_parse(form_text(f, 1), &to, e) != ERR_OK) {
        *bad = 1;
        err_prefix(e, "to");
        return e->code;
    }
    if (to < from) {
        *bad = 1;
        return err_set(e, ERR_INPUT, "to: is before from");
    }
    struct report *r = report_statement(a->book, sf->code, from, to, e);
    if (!r) {
        *bad = -1;
        return e->code;
    }
    char d1[DATE_BUF], d2[DATE_BUF];
    struct pending_view *pv = xcalloc(1, sizeof *pv);
    pv->report = r;
    snprintf(pv->file, sizeof pv->file, "statement-%s-%s-%s.xlsx", sf->code,
             date_format(from, d1, sizeof d1), date_format(to, d2, sizeof d2));
    /* The preview opens once the form has closed. */
    f->then = open_pending_view;
    f->then_data = pv;
    return ERR_OK;
}

void open_statement_preview(struct app *a, const char *code)
{
    struct customer c;
    struct err e = {0};
    if (customer_find(a->book, code, &c, &e) != ERR_OK) {
        app_message(a, true, "%s", e.msg);
        return;
    }
    struct statement_form *sf = xcalloc(1, sizeof *sf);
    snprintf(sf->code, sizeof sf->code, "%s", c.code);
    char title[128];
    snprintf(title, sizeof title, "Statement for %s", c.code);
    customer_clear(&c);
    struct form *f = form_new(title, save_statement, sf, true);
    int32_t today = app_today(a);
    int32_t from = period_first_day(period_of(today) - 3);
    form_field(f, "From", ui_date(from), "YYYY-MM-DD");
    form_field(f, "To", ui_date(today), "YYYY-MM-DD");
    snprintf(f->note, sizeof f->note, "The statement's range; Enter shows it.");
    form_show(a, f);
}
