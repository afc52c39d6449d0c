/*
 * scr_memos.c — the Modification memos screen: the list (status, contract, type, treatment,
 * catch-up), a memo in full, approve and post; and the guided memo, which asks the
 * classification questions in plain words, shows the suggested treatment and the effect beside
 * the original schedule before anything is saved, and asks for a rationale when the suggestion
 * is overridden.
 */
#include <curses.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "model/contract.h"
#include "model/date.h"
#include "model/memo.h"
#include "model/xalloc.h"
#include "reports/render.h"
#include "reports/reports.h"
#include "tui/ui.h"

/* ---- a text view of a report, with the keys of a memo ---------------------------------------- */

enum { M_NEW = ACT_SCREEN, M_APPROVE, M_POST, M_SAVE, M_EDIT, M_EXPORT };

struct memo_fields {
    char contract[CODE_MAX + 1];
    char text[FORM_FIELDS][FIELD_MAX];
};

struct text_view {
    char number[CODE_MAX + 1];  /* a saved memo; "" for a preview */
    struct memo_fields *fields; /* a preview: what the form held */
    char **lines;
    size_t n;
    struct ui_scroll sc;
    int xoff;
};

static void text_view_clear(struct text_view *v)
{
    for (size_t i = 0; i < v->n; i++)
        free(v->lines[i]);
    free(v->lines);
    v->lines = NULL;
    v->n = 0;
}

static void text_view_fill(struct text_view *v, struct report *r)
{
    text_view_clear(v);
    char *buf = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&buf, &len);
    struct err e = {0};
    if (!f)
        return;
    render_text(&r, 1, f, 0, &e);
    fclose(f);
    size_t cap = 0;
    for (char *p = buf, *nl; p && *p; p = nl + 1) {
        nl = strchr(p, '\n');
        if (!nl)
            nl = p + strlen(p) - 1;
        v->lines = xgrow(v->lines, &cap, v->n + 1, sizeof *v->lines);
        v->lines[v->n++] = xasprintf("%.*s", (int)(nl - p + (*nl != '\n')), p);
        if (!nl[1])
            break;
    }
    free(buf);
    v->sc.count = v->n;
}

static int memo_input_from(const struct memo_fields *mf, struct memo_input *in,
                           struct memo_addition *add, struct memo_change *ch,
                           char (*refs)[2 * CODE_MAX + 8], int exponent, int *bad, struct err *e);

static void memo_view_load(struct screen *s)
{
    struct text_view *v = s->state;
    struct err e = {0};
    struct report *r = NULL;
    if (v->number[0]) {
        r = report_memo(s->app->book, v->number, &e);
    } else {
        struct contract k;
        struct memo_input in;
        struct memo_addition add;
        struct memo_change ch[8];
        char refs[8][2 * CODE_MAX + 8];
        int bad;
        struct memo m;
        if (contract_find(s->app->book, v->fields->contract, &k, &e) == ERR_OK &&
            memo_input_from(v->fields, &in, &add, ch, refs, k.exponent, &bad, &e) == ERR_OK &&
            memo_preview(s->app->book, &in, &m, &e) == ERR_OK) {
            r = report_memo_of(s->app->book, &m, &e);
            memo_free(&m);
        }
    }
    if (!r) {
        text_view_clear(v);
        app_message(s->app, true, "%s", e.msg);
        return;
    }
    bool first = v->n == 0;
    text_view_fill(v, r);
    report_free(r);
    /* A preview opens on its effect: what the change does, beside the schedule before it. */
    for (size_t i = 0; first && !v->number[0] && i < v->n; i++)
        if (strcmp(v->lines[i], "The effect") == 0) {
            v->sc.sel = v->sc.top = i;
            break;
        }
}

static void memo_view_draw(struct screen *s, int top, int height, int width)
{
    struct text_view *v = s->state;
    ui_scroll_fit(&v->sc, height);
    for (int r = 0; r < height; r++) {
        size_t i = v->sc.top + (size_t)r;
        ui_blank(top + r, 0, width);
        if (i >= v->n)
            continue;
        const char *line = v->lines[i];
        size_t skip = 0;
        while (line[skip] && (int)skip < v->xoff)
            skip++;
        ui_style(i == v->sc.sel ? STYLE_SELECTED : STYLE_NORMAL);
        ui_put(top + r, 1, width - 2, line + skip, false);
        ui_style(STYLE_NORMAL);
    }
}

static enum act_result memo_view_act(struct screen *s, int action, wint_t key)
{
    (void)key;
    struct text_view *v = s->state;
    struct app *a = s->app;
    if (ui_scroll_act(&v->sc, action, 10))
        return ACT_HANDLED;
    struct err e = {0};
    switch (action) {
    case ACT_LEFT:
        v->xoff = v->xoff > 8 ? v->xoff - 8 : 0;
        return ACT_HANDLED;
    case ACT_RIGHT:
        v->xoff += 8;
        return ACT_HANDLED;
    case M_APPROVE: {
        if (!v->number[0])
            return ACT_UNHANDLED;
        char by[64] = "";
        if (!ui_prompt(a, "Approved by (someone other than who prepared it): ", by, sizeof by))
            return ACT_HANDLED;
        if (memo_approve(a->book, v->number, by, &e) != ERR_OK)
            app_message(a, true, "%s", e.msg);
        else {
            app_changed(a);
            app_message(a, false, "%s approved by %s; p posts it", v->number, by);
        }
        return ACT_HANDLED;
    }
    case M_POST: {
        if (!v->number[0])
            return ACT_UNHANDLED;
        char q[96];
        snprintf(q, sizeof q, "Post %s to the books now?", v->number);
        if (!ui_confirm(a, q))
            return ACT_HANDLED;
        struct memo m;
        if (memo_post(a->book, v->number, &m, &e) != ERR_OK)
            app_message(a, true, "%s", e.msg);
        else {
            app_changed(a);
            app_message(a, false, "%s posted: %s on %s", m.number,
                        memo_treatment_title(m.treatment), m.contract);
            memo_free(&m);
        }
        return ACT_HANDLED;
    }
    case M_SAVE: {
        if (v->number[0] || !v->fields)
            return ACT_UNHANDLED;
        struct contract k;
        struct memo_input in;
        struct memo_addition add;
        struct memo_change ch[8];
        char refs[8][2 * CODE_MAX + 8];
        int bad;
        struct memo m;
        if (contract_find(a->book, v->fields->contract, &k, &e) != ERR_OK ||
            memo_input_from(v->fields, &in, &add, ch, refs, k.exponent, &bad, &e) != ERR_OK ||
            memo_new(a->book, &in, &m, &e) != ERR_OK) {
            app_message(a, true, "%s", e.msg);
            return ACT_HANDLED;
        }
        snprintf(v->number, sizeof v->number, "%s", m.number);
        memo_free(&m);
        free(v->fields);
        v->fields = NULL;
        app_changed(a);
        app_title(a, "Memo %s", v->number);
        app_message(a, false, "%s saved as a draft; someone else approves it (a)", v->number);
        return ACT_HANDLED;
    }
    case M_EDIT: {
        if (!v->fields)
            return ACT_UNHANDLED;
        struct memo_fields keep = *v->fields;
        app_pop(a);
        form_memo(a, keep.contract, &keep);
        return ACT_HANDLED;
    }
    case M_EXPORT: {
        if (!v->number[0])
            return ACT_UNHANDLED;
        struct report *r = report_memo(a->book, v->number, &e);
        if (!r) {
            app_message(a, true, "%s", e.msg);
            return ACT_HANDLED;
        }
        char file[64];
        snprintf(file, sizeof file, "memo-%s.xlsx", v->number);
        open_report_view(a, r, file);
        return ACT_HANDLED;
    }
    }
    return ACT_UNHANDLED;
}

static void memo_view_close(struct screen *s)
{
    struct text_view *v = s->state;
    text_view_clear(v);
    free(v->fields);
    free(v);
}

static const struct key_binding memo_view_keys[] = {
    {'S', "S", M_SAVE, "save the previewed memo as a draft"},
    {'e', "e", M_EDIT, "back to the memo's answers to change them"},
    {'a', "a", M_APPROVE, "approve the memo (someone other than who prepared it)"},
    {'p', "p", M_POST, "post the approved memo to the books"},
    {'v', "v", M_EXPORT, "view as a workbook (w there exports it)"},
    {0, NULL, 0, NULL},
};

static const struct screen_ops memo_view_screen = {
    .title = "Memo",
    .load = memo_view_load,
    .draw = memo_view_draw,
    .act = memo_view_act,
    .close = memo_view_close,
    .keys = memo_view_keys,
};

void open_memo(struct app *a, const char *number)
{
    struct text_view *v = xcalloc(1, sizeof *v);
    snprintf(v->number, sizeof v->number, "%s", number);
    app_push(a, &memo_view_screen, v);
    app_title(a, "Memo %s", number);
}

static void open_memo_preview(struct app *a, void *data)
{
    struct text_view *v = xcalloc(1, sizeof *v);
    v->fields = data;
    app_push(a, &memo_view_screen, v);
    app_title(a, "New memo for %s (preview: S saves, e edits)", v->fields->contract);
}

/* ---- the guided memo ----------------------------------------------------------------------- */

enum {
    F_EFFECTIVE,
    F_TYPE,
    F_DESCRIPTION,
    F_CONSIDERATION,
    F_ADD,
    F_ADD_SSP,
    F_REMOVE,
    F_END,
    F_REFUND,
    F_PAUSE,
    F_Q_DISTINCT,
    F_Q_AT_SSP,
    F_Q_REMAINING,
    F_SSP_ANALYSIS,
    F_TREATMENT,
    F_RATIONALE,
    F_COUNT
};

static int answer(const char *s, int *out, struct err *e)
{
    if (!*s)
        *out = -1;
    else if (strcasecmp(s, "yes") == 0 || strcasecmp(s, "y") == 0)
        *out = 1;
    else if (strcasecmp(s, "no") == 0 || strcasecmp(s, "n") == 0)
        *out = 0;
    else
        return err_set(e, ERR_INPUT,
                       "answer yes or no, or leave it blank for what the change says");
    return ERR_OK;
}

static int field_date(const char *s, int32_t *out, struct err *e)
{
    *out = DATE_NONE;
    return *s ? date_parse(s, out, e) : ERR_OK;
}

static int memo_input_from(const struct memo_fields *mf, struct memo_input *in,
                           struct memo_addition *add, struct memo_change *ch,
                           char (*refs)[2 * CODE_MAX + 8], int exponent, int *bad, struct err *e)
{
    const char(*t)[FIELD_MAX] = mf->text;
    *in = (struct memo_input){.contract = mf->contract,
                              .description = t[F_DESCRIPTION],
                              .ssp_analysis = t[F_SSP_ANALYSIS],
                              .rationale = t[F_RATIONALE],
                              .treatment = -1,
                              .pause_from = DATE_NONE,
                              .pause_to = DATE_NONE};
#define FIELD_FAIL(i)                                                                              \
    do {                                                                                           \
        *bad = (i);                                                                                \
        return e->code;                                                                            \
    } while (0)
    if (memo_type_parse(t[F_TYPE], &in->type, e) != ERR_OK)
        FIELD_FAIL(F_TYPE);
    if (field_date(t[F_EFFECTIVE], &in->effective, e) != ERR_OK)
        FIELD_FAIL(F_EFFECTIVE);
    if (t[F_CONSIDERATION][0]) {
        in->consideration_set = true;
        if (money_parse(t[F_CONSIDERATION], exponent, &in->consideration, e) != ERR_OK)
            FIELD_FAIL(F_CONSIDERATION);
    }
    if (field_date(t[F_END], &in->new_end, e) != ERR_OK)
        FIELD_FAIL(F_END);
    if (t[F_REFUND][0] && money_parse(t[F_REFUND], exponent, &in->refund, e) != ERR_OK)
        FIELD_FAIL(F_REFUND);
    if (t[F_PAUSE][0]) {
        const char *dots = strstr(t[F_PAUSE], "..");
        char from[32];
        if (!dots || dots - t[F_PAUSE] >= (long)sizeof from) {
            err_set(e, ERR_INPUT, "write FROM..TO, e.g. 2026-07-01..2026-08-31");
            FIELD_FAIL(F_PAUSE);
        }
        snprintf(from, sizeof from, "%.*s", (int)(dots - t[F_PAUSE]), t[F_PAUSE]);
        if (date_parse(from, &in->pause_from, e) != ERR_OK ||
            date_parse(dots + 2, &in->pause_to, e) != ERR_OK)
            FIELD_FAIL(F_PAUSE);
    }
    if (answer(t[F_Q_DISTINCT], &in->distinct_added, e) != ERR_OK)
        FIELD_FAIL(F_Q_DISTINCT);
    if (answer(t[F_Q_AT_SSP], &in->at_ssp, e) != ERR_OK)
        FIELD_FAIL(F_Q_AT_SSP);
    if (answer(t[F_Q_REMAINING], &in->remaining_distinct, e) != ERR_OK)
        FIELD_FAIL(F_Q_REMAINING);
    if (t[F_TREATMENT][0]) {
        enum memo_treatment tr;
        if (memo_treatment_parse(t[F_TREATMENT], &tr, e) != ERR_OK)
            FIELD_FAIL(F_TREATMENT);
        in->treatment = (int)tr;
    }
    if (t[F_ADD][0]) {
        *add = (struct memo_addition){.name = t[F_ADD],
                                      .pattern = PATTERN_RATABLE,
                                      .method = SSP_OBSERVABLE,
                                      .start = DATE_NONE,
                                      .end = DATE_NONE,
                                      .due = DATE_NONE};
        if (money_parse(t[F_ADD_SSP], exponent, &add->ssp, e) != ERR_OK)
            FIELD_FAIL(F_ADD_SSP);
        in->adds = add;
        in->nadds = 1;
    }
    size_t n = 0;
    for (const char *p = t[F_REMOVE]; *p && n < 8;) {
        while (*p == ' ' || *p == ',')
            p++;
        size_t len = strcspn(p, " ,");
        if (!len)
            break;
        snprintf(refs[n], sizeof refs[n], "%.*s", (int)len, p);
        ch[n] = (struct memo_change){.ref = refs[n], .remove = true};
        n++;
        p += len;
    }
    in->changes = ch;
    in->nchanges = n;
#undef FIELD_FAIL
    return ERR_OK;
}

/* Which field an error from the model is about. */
static int field_of(const char *msg)
{
    static const struct {
        const char *prefix;
        int field;
    } map[] = {{"effective", F_EFFECTIVE},
               {"description", F_DESCRIPTION},
               {"end", F_END},
               {"refund", F_REFUND},
               {"invoice", F_REFUND},
               {"pause", F_PAUSE},
               {"rationale", F_RATIONALE},
               {"treatment", F_TREATMENT},
               {"obligation", F_REMOVE},
               {"add", F_ADD},
               {"ssp", F_ADD_SSP},
               {"separate contract", F_TREATMENT},
               {"prospective", F_TREATMENT},
               {"nothing", F_TREATMENT}};
    for (size_t i = 0; i < sizeof map / sizeof map[0]; i++)
        if (strncmp(msg, map[i].prefix, strlen(map[i].prefix)) == 0)
            return map[i].field;
    return -1;
}

static int memo_form_save(struct form *f, struct app *a, void *ctx, int *bad, struct err *e)
{
    struct memo_fields *mf = xcalloc(1, sizeof *mf);
    snprintf(mf->contract, sizeof mf->contract, "%s", (const char *)ctx);
    for (int i = 0; i < F_COUNT && i < f->n; i++)
        snprintf(mf->text[i], sizeof mf->text[i], "%s", form_text(f, i));
    struct contract k;
    struct memo_input in;
    struct memo_addition add;
    struct memo_change ch[8];
    char refs[8][2 * CODE_MAX + 8];
    struct memo m;
    int rc = contract_find(a->book, mf->contract, &k, e);
    if (rc == ERR_OK)
        rc = memo_input_from(mf, &in, &add, ch, refs, k.exponent, bad, e);
    if (rc == ERR_OK && (rc = memo_preview(a->book, &in, &m, e)) != ERR_OK)
        *bad = field_of(e->msg);
    if (rc != ERR_OK) {
        free(mf);
        return rc;
    }
    memo_free(&m);
    /* The preview opens once the form has closed; e there brings the answers back. */
    f->then = open_memo_preview;
    f->then_data = mf;
    return ERR_OK;
}

void form_memo(struct app *a, const char *contract, const struct memo_fields *prefill)
{
    char title[96];
    snprintf(title, sizeof title, "New modification memo for %s", contract);
    struct form *f = form_new(title, memo_form_save, xstrdup(contract), true);
    snprintf(f->note, sizeof f->note,
             "Describe the change, answer the three questions (blank: what the change says), and"
             " Enter previews the treatment and its effect; nothing is saved until you press S.");
    static const struct {
        const char *label, *hint;
    } fields[F_COUNT] = {
        {"Effective date", "YYYY-MM-DD (a pause: its first day)"},
        {"Type", "upgrade, seat_expansion, downgrade, price_change, extension, termination, pause,"
                 " cancellation"},
        {"What changes", "in a sentence, for the file"},
        {"Change in price", "+ or - amount; blank: none (a termination: minus the refund)"},
        {"Adds an obligation", "its name (over time, from the effective date to the end)"},
        {"  its standalone price", "amount"},
        {"Removes obligations", "CONTRACT/N, ..."},
        {"New end of the term", "YYYY-MM-DD (extension or termination)"},
        {"Refund", "amount credited back on the contract's invoice"},
        {"Pause", "FROM..TO"},
        {"Adds distinct goods or services?", "yes / no"},
        {"Priced at their standalone price?", "yes / no"},
        {"Is the rest distinct from what was delivered?", "yes / no"},
        {"SSP analysis", "how the standalone prices were judged"},
        {"Treatment", "blank: the suggested one; separate, prospective, catch_up, pause"},
        {"Rationale", "required when the treatment is not the suggested one"},
    };
    for (int i = 0; i < F_COUNT; i++)
        form_field(f, fields[i].label, prefill ? prefill->text[i] : "", fields[i].hint);
    if (!prefill) {
        snprintf(f->fields[F_EFFECTIVE].text, FIELD_MAX, "%s", ui_date(app_today(a)));
        f->fields[F_EFFECTIVE].cursor = strlen(f->fields[F_EFFECTIVE].text);
    }
    form_show(a, f);
}

/* ---- the list ------------------------------------------------------------------------------- */

struct memos_state {
    struct memo_rows rows;
    struct ui_scroll sc;
};

static void memos_load(struct screen *s)
{
    struct memos_state *st = s->state;
    if (!st)
        st = s->state = xcalloc(1, sizeof *st);
    memo_rows_free(&st->rows);
    struct err e = {0};
    if (memo_list(s->app->book, 0, DATE_NONE, DATE_NONE, &st->rows, &e) != ERR_OK)
        app_message(s->app, true, "%s", e.msg);
    st->sc.count = st->rows.n;
}

static void memos_draw(struct screen *s, int top, int height, int width)
{
    struct memos_state *st = s->state;
    int y = top;
    size_t pending = 0;
    for (size_t i = 0; i < st->rows.n; i++)
        pending += st->rows.v[i].status != MEMO_POSTED;
    ui_style(STYLE_TOTAL);
    ui_putf(y++, 1, width - 2, false, "Modification memos: %zu, %zu not yet posted", st->rows.n,
            pending);
    ui_style(STYLE_NORMAL);
    struct ui_col cols[] = {
        {"Memo", 10, false},        {"Status", 8, false},     {"Contract", 14, false},
        {"Type", 14, false},        {"Effective", 10, false}, {"Treatment", 19, false},
        {"Price change", 13, true}, {"Catch-up", 12, true},   {"Description", 0, false}};
    ui_table_head(y++, 1, width - 2, cols, 9);
    int rows = top + height - y;
    ui_scroll_fit(&st->sc, rows);
    for (int r = 0; r < rows; r++, y++) {
        size_t i = st->sc.top + (size_t)r;
        ui_blank(y, 0, width);
        if (i >= st->rows.n)
            continue;
        const struct memo *m = &st->rows.v[i];
        const char *cells[9] = {m->number,
                                memo_status_name(m->status),
                                m->contract,
                                memo_type_name(m->type),
                                ui_date(m->effective),
                                memo_treatment_title(m->treatment),
                                ui_money(m->consideration.minor, m->exponent),
                                ui_money(m->catch_up.minor, m->exponent),
                                m->description};
        ui_style(i == st->sc.sel ? STYLE_SELECTED : STYLE_NORMAL);
        ui_blank(y, 0, width);
        ui_table_row(y, 1, cols, 9, cells);
        ui_style(STYLE_NORMAL);
    }
    if (st->rows.n == 0)
        ui_put(top + 3, 2, width - 4, "No memo yet. n starts one (or m on a contract's screen).",
               false);
}

static enum act_result memos_act(struct screen *s, int action, wint_t key)
{
    (void)key;
    struct memos_state *st = s->state;
    struct app *a = s->app;
    if (ui_scroll_act(&st->sc, action, 10))
        return ACT_HANDLED;
    const struct memo *m = st->rows.n ? &st->rows.v[st->sc.sel] : NULL;
    switch (action) {
    case ACT_OPEN:
        if (m)
            open_memo(a, m->number);
        return ACT_HANDLED;
    case M_NEW: {
        char code[CODE_MAX + 1] = "";
        if (m)
            snprintf(code, sizeof code, "%s", m->contract);
        if (!ui_prompt(a, "Memo for contract: ", code, sizeof code))
            return ACT_HANDLED;
        struct contract k;
        struct err e = {0};
        if (contract_find(a->book, code, &k, &e) != ERR_OK)
            app_message(a, true, "%s", e.msg);
        else
            form_memo(a, k.code, NULL);
        return ACT_HANDLED;
    }
    case M_APPROVE:
    case M_POST:
        if (!m)
            return ACT_HANDLED;
        open_memo(a, m->number);
        return memo_view_act(a->stack[a->depth - 1], action, key);
    }
    return ACT_UNHANDLED;
}

static void memos_close(struct screen *s)
{
    struct memos_state *st = s->state;
    if (!st)
        return;
    memo_rows_free(&st->rows);
    free(st);
}

static const struct key_binding memos_keys[] = {
    {'n', "n", M_NEW, "new memo for a contract"},
    {'a', "a", M_APPROVE, "approve the selected memo"},
    {'p', "p", M_POST, "post the selected memo"},
    {0, NULL, 0, NULL},
};

const struct screen_ops memos_screen = {
    .title = "Modification memos",
    .load = memos_load,
    .draw = memos_draw,
    .act = memos_act,
    .close = memos_close,
    .keys = memos_keys,
};
