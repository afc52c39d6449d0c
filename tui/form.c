/*
 * form.c — forms and prompts: labelled fields edited in place with a line editor that never
 * allocates (a fixed buffer, a byte cursor that moves a whole UTF-8 character at a time).
 *
 * Saving calls the form's save function, which calls the model; when the model refuses, the
 * form stays with everything that was typed, the message appears beside the field at fault and
 * on the status line, and the cursor goes to that field. Nothing is written until save succeeds,
 * and nothing holds a transaction open while a person types.
 */
#include <curses.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "model/text.h"
#include "model/xalloc.h"
#include "model/db.h"
#include "tui/ui.h"

void ui_draw_frame(struct app *a);
int ui_read_key(wint_t *key, bool *is_code);

/* ---- the line editor ------------------------------------------------------------------------- */

static size_t prev_char(const char *s, size_t at)
{
    if (at == 0)
        return 0;
    at--;
    while (at > 0 && ((unsigned char)s[at] & 0xC0) == 0x80)
        at--;
    return at;
}

static size_t next_char(const char *s, size_t at)
{
    size_t n = strlen(s);
    if (at >= n)
        return n;
    at++;
    while (at < n && ((unsigned char)s[at] & 0xC0) == 0x80)
        at++;
    return at;
}

static size_t encode_utf8(wint_t c, char out[4])
{
    if (c < 0x80) {
        out[0] = (char)c;
        return 1;
    }
    if (c < 0x800) {
        out[0] = (char)(0xC0 | (c >> 6));
        out[1] = (char)(0x80 | (c & 0x3F));
        return 2;
    }
    if (c < 0x10000) {
        if (c >= 0xD800 && c <= 0xDFFF)
            return 0;
        out[0] = (char)(0xE0 | (c >> 12));
        out[1] = (char)(0x80 | ((c >> 6) & 0x3F));
        out[2] = (char)(0x80 | (c & 0x3F));
        return 3;
    }
    if (c > 0x10FFFF)
        return 0;
    out[0] = (char)(0xF0 | (c >> 18));
    out[1] = (char)(0x80 | ((c >> 12) & 0x3F));
    out[2] = (char)(0x80 | ((c >> 6) & 0x3F));
    out[3] = (char)(0x80 | (c & 0x3F));
    return 4;
}

bool field_key(struct form_field *fl, wint_t key, bool is_code)
{
    char *t = fl->text;
    size_t n = strlen(t);
    if (fl->cursor > n)
        fl->cursor = n;
    if (is_code) {
        switch (key) {
        case KEY_LEFT:
            fl->cursor = prev_char(t, fl->cursor);
            return true;
        case KEY_RIGHT:
            fl->cursor = next_char(t, fl->cursor);
            return true;
        case KEY_HOME:
            fl->cursor = 0;
            return true;
        case KEY_END:
            fl->cursor = n;
            return true;
        case KEY_BACKSPACE:
            break;
        case KEY_DC: {
            size_t next = next_char(t, fl->cursor);
            memmove(t + fl->cursor, t + next, n - next + 1);
            return true;
        }
        default:
            return false;
        }
    }
    if (fl->readonly)
        return false;
    if (key == KEY_BACKSPACE || key == 127 || key == UI_CTRL('h')) {
        size_t prev = prev_char(t, fl->cursor);
        memmove(t + prev, t + fl->cursor, n - fl->cursor + 1);
        fl->cursor = prev;
        return true;
    }
    if (key == UI_CTRL('a')) {
        fl->cursor = 0;
        return true;
    }
    if (key == UI_CTRL('e')) {
        fl->cursor = n;
        return true;
    }
    if (key == UI_CTRL('u')) {
        memmove(t, t + fl->cursor, n - fl->cursor + 1);
        fl->cursor = 0;
        return true;
    }
    if (key == UI_CTRL('k')) {
        t[fl->cursor] = '\0';
        return true;
    }
    if (key < 0x20 || key == 0x7F)
        return false;
    char bytes[4];
    size_t len = encode_utf8(key, bytes);
    if (len == 0 || n + len >= FIELD_MAX)
        return true; /* swallowed: the field is full */
    memmove(t + fl->cursor + len, t + fl->cursor, n - fl->cursor + 1);
    memcpy(t + fl->cursor, bytes, len);
    fl->cursor += len;
    return true;
}

/* Draws a field's text in `width` columns, scrolled so the cursor shows; returns the cursor's
 * column. */
static int draw_field(int y, int x, int width, struct form_field *fl, bool focused)
{
    if (fl->cursor < fl->scroll)
        fl->scroll = fl->cursor;
    /* Scroll right until the text before the cursor fits. */
    for (;;) {
        char before[FIELD_MAX];
        size_t len = fl->cursor - fl->scroll;
        memcpy(before, fl->text + fl->scroll, len);
        before[len] = '\0';
        if (utf8_width(before) < width || fl->scroll >= fl->cursor)
            break;
        fl->scroll = next_char(fl->text, fl->scroll);
    }
    ui_style(focused ? STYLE_SELECTED : STYLE_FIELD);
    const char *shown = fl->text + fl->scroll;
    if (!*fl->text && fl->hint && !focused) {
        ui_style(STYLE_DIM);
        shown = fl->hint;
    }
    ui_put(y, x, width, shown, false);
    ui_style(STYLE_NORMAL);
    char before[FIELD_MAX];
    size_t len = fl->cursor - fl->scroll;
    memcpy(before, fl->text + fl->scroll, len);
    before[len] = '\0';
    return x + utf8_width(before);
}

/* ---- the form screen --------------------------------------------------------------------------
 */

struct form *form_new(const char *title, form_save_fn save, void *ctx, bool owns_ctx)
{
    struct form *f = xcalloc(1, sizeof *f);
    snprintf(f->title, sizeof f->title, "%s", title);
    f->save = save;
    f->ctx = ctx;
    f->owns_ctx = owns_ctx;
    return f;
}

int form_field(struct form *f, const char *label, const char *initial, const char *hint)
{
    if (f->n == FORM_FIELDS)
        return -1;
    struct form_field *fl = &f->fields[f->n];
    fl->label = label;
    fl->hint = hint;
    snprintf(fl->text, sizeof fl->text, "%s", initial ? initial : "");
    fl->cursor = strlen(fl->text);
    return f->n++;
}

const char *form_text(const struct form *f, int i)
{
    return f->fields[i].text;
}

static void form_draw(struct screen *s, int top, int height, int width)
{
    struct form *f = s->state;
    int y = top;
    ui_style(STYLE_TOTAL);
    ui_put(y++, 1, width - 2, f->title, false);
    ui_style(STYLE_DIM);
    if (f->note[0] && y < top + height)
        ui_put(y++, 1, width - 2, f->note, false);
    ui_style(STYLE_NORMAL);
    y++;
    int label_w = 0;
    for (int i = 0; i < f->n; i++) {
        int w = utf8_width(f->fields[i].label);
        if (w > label_w)
            label_w = w;
    }
    label_w += 2;
    int field_x = 2 + label_w;
    int field_w = width - field_x - 2;
    if (field_w > 44)
        field_w = 44;
    if (field_w < 8)
        field_w = 8;
    int cursor_y = -1, cursor_x = 0;
    for (int i = 0; i < f->n && y < top + height - 1; i++, y++) {
        struct form_field *fl = &f->fields[i];
        ui_style(i == f->focus ? STYLE_TOTAL : STYLE_NORMAL);
        ui_putf(y, 2, label_w, false, "%s:", fl->label);
        int cx = draw_field(y, field_x, field_w, fl, i == f->focus);
        if (i == f->focus) {
            cursor_y = y;
            cursor_x = cx;
        }
        int ex = field_x + field_w + 2;
        if (fl->error[0] && ex < width) {
            ui_style(STYLE_ERROR);
            ui_put(y, ex, width - ex, fl->error, false);
            ui_style(STYLE_NORMAL);
        }
    }
    y++;
    if (y < top + height) {
        ui_style(STYLE_DIM);
        ui_put(y, 2, width - 4,
               "Tab/Up/Down: field   Enter on the last field, F2 or Ctrl-S: save   Esc: cancel",
               false);
        ui_style(STYLE_NORMAL);
    }
    if (cursor_y >= 0) {
        curs_set(1);
        move(cursor_y, cursor_x);
    }
}

static void form_save(struct screen *s)
{
    struct form *f = s->state;
    struct app *a = s->app;
    for (int i = 0; i < f->n; i++)
        f->fields[i].error[0] = '\0';
    int bad = -1;
    struct err e = {0};
    if (f->save(f, a, f->ctx, &bad, &e) == ERR_OK) {
        char keep[sizeof a->message];
        snprintf(keep, sizeof keep, "%s", a->message);
        bool err = a->message_error;
        void (*then)(struct app *, void *) = f->then;
        void *then_data = f->then_data;
        app_pop(a);
        app_changed(a);
        snprintf(a->message, sizeof a->message, "%s", keep);
        a->message_error = err;
        if (then)
            then(a, then_data);
        return;
    }
    /* Keep everything typed; show the reason beside the field and on the status line. */
    if (bad >= 0 && bad < f->n) {
        /* The field's own message; the status line carries it whole. */
        size_t n = strnlen(e.msg, sizeof f->fields[bad].error - 1);
        memcpy(f->fields[bad].error, e.msg, n);
        f->fields[bad].error[n] = '\0';
        f->focus = bad;
        f->fields[bad].cursor = strlen(f->fields[bad].text);
    }
    app_message(a, true, "%s", e.msg);
    /* A refused write is part of the record too (not a typo the form caught itself). */
    if (e.code != ERR_OK && e.code != ERR_IO && e.code != ERR_BOOK && e.code != ERR_BUSY) {
        char *detail = xasprintf("%s: %s", f->title, e.msg);
        struct err ignore;
        db_log_refused(a->book, "form", detail, &ignore);
        free(detail);
    }
}

enum { FORM_SAVE = ACT_SCREEN, FORM_NEXT, FORM_PREV };

static enum act_result form_act(struct screen *s, int action, wint_t key)
{
    struct form *f = s->state;
    struct app *a = s->app;
    bool code = a->key_is_code;
    struct form_field *fl = &f->fields[f->focus];
    if (action == FORM_SAVE) {
        form_save(s);
        return ACT_HANDLED;
    }
    if (action == FORM_NEXT || (code && key == KEY_DOWN)) {
        f->focus = (f->focus + 1) % f->n;
        return ACT_HANDLED;
    }
    if (action == FORM_PREV || (code && key == KEY_UP)) {
        f->focus = (f->focus + f->n - 1) % f->n;
        return ACT_HANDLED;
    }
    if (!code && (key == '\n' || key == '\r')) {
        if (f->focus == f->n - 1)
            form_save(s);
        else
            f->focus++;
        return ACT_HANDLED;
    }
    if (!code && key == UI_KEY_ESC) {
        if (f->dirty && !ui_confirm(a, "Discard what you typed?"))
            return ACT_HANDLED;
        app_pop(a);
        return ACT_HANDLED;
    }
    if (field_key(fl, key, code)) {
        fl->error[0] = '\0';
        f->dirty = true;
        return ACT_HANDLED;
    }
    return ACT_UNHANDLED;
}

static void form_close(struct screen *s)
{
    struct form *f = s->state;
    if (f->owns_ctx)
        free(f->ctx);
    free(f);
}

static const struct key_binding form_keys[] = {
    {KEY_F(2), "F2", FORM_SAVE, "save"},
    {UI_CTRL('s'), "Ctrl-S", FORM_SAVE, NULL},
    {'\t', "Tab", FORM_NEXT, "next field (also Down, Enter)"},
    {KEY_BTAB, "Shift-Tab", FORM_PREV, "previous field (also Up)"},
    {0, NULL, 0, NULL},
};

static const struct screen_ops form_screen = {
    .title = "Form",
    .draw = form_draw,
    .act = form_act,
    .close = form_close,
    .keys = form_keys,
    .raw_keys = true,
};

void form_show(struct app *a, struct form *f)
{
    app_push(a, &form_screen, f);
    a->stack[a->depth - 1]->stale = false;
    app_title(a, "%s", f->title);
}

/* ---- prompts on the status line ----------------------------------------------------------- */

bool ui_prompt(struct app *a, const char *label, char *buf, size_t size)
{
    struct form_field fl = {0};
    snprintf(fl.text, sizeof fl.text, "%s", buf);
    fl.cursor = strlen(fl.text);
    for (;;) {
        erase();
        ui_draw_frame(a);
        int y = LINES - 1, lw = utf8_width(label) + 1;
        ui_style(STYLE_STATUS);
        ui_put(y, 0, lw, label, false);
        ui_style(STYLE_NORMAL);
        curs_set(1);
        int cx = draw_field(y, lw, COLS - lw, &fl, true);
        move(y, cx);
        refresh();
        wint_t key;
        bool code = false;
        if (ui_read_key(&key, &code) == ERR)
            continue;
        if (!code && (key == '\n' || key == '\r')) {
            snprintf(buf, size, "%s", fl.text);
            curs_set(0);
            return true;
        }
        if (!code && (key == UI_KEY_ESC || key == UI_CTRL('c') || key == UI_CTRL('g'))) {
            curs_set(0);
            return false;
        }
        field_key(&fl, key, code);
    }
}

bool ui_confirm(struct app *a, const char *question)
{
    for (;;) {
        erase();
        ui_draw_frame(a);
        char q[512];
        snprintf(q, sizeof q, "%s (y/n)", question);
        ui_style(STYLE_ERROR);
        ui_put(LINES - 1, 0, COLS, q, false);
        ui_style(STYLE_NORMAL);
        refresh();
        wint_t key;
        bool code = false;
        if (ui_read_key(&key, &code) == ERR)
            continue;
        if (code)
            continue;
        if (key == 'y' || key == 'Y')
            return true;
        if (key == 'n' || key == 'N' || key == UI_KEY_ESC || key == 'q')
            return false;
    }
}
