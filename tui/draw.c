/*
 * draw.c — drawing text by display width (so UTF-8 names line up whatever their bytes), styles
 * that honour NO_COLOR, a scrolling selection, and simple tables.
 */
#include <curses.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "model/date.h"
#include "model/money.h"
#include "model/text.h"
#include "tui/ui.h"

static bool use_color;

void ui_init_styles(bool color);
void ui_init_styles(bool color)
{
    use_color = color && has_colors();
    if (!use_color)
        return;
    start_color();
    use_default_colors();
    init_pair(1, COLOR_WHITE, COLOR_BLUE);  /* title */
    init_pair(2, COLOR_CYAN, -1);           /* header */
    init_pair(3, COLOR_RED, -1);            /* error */
    init_pair(4, COLOR_BLACK, COLOR_WHITE); /* status */
    init_pair(5, COLOR_GREEN, -1);          /* good */
}

void ui_style(enum ui_style s)
{
    attr_t a = A_NORMAL;
    short pair = 0;
    switch (s) {
    case STYLE_NORMAL:
        break;
    case STYLE_TITLE:
        a = A_BOLD | (use_color ? 0 : A_REVERSE);
        pair = 1;
        break;
    case STYLE_HEADER:
        a = A_BOLD | A_UNDERLINE;
        pair = 2;
        break;
    case STYLE_SELECTED:
        a = A_REVERSE;
        break;
    case STYLE_TOTAL:
        a = A_BOLD;
        break;
    case STYLE_ERROR:
        a = A_BOLD;
        pair = 3;
        break;
    case STYLE_DIM:
        a = A_DIM;
        break;
    case STYLE_STATUS:
        a = use_color ? A_NORMAL : A_REVERSE;
        pair = 4;
        break;
    case STYLE_FIELD:
        a = A_UNDERLINE;
        break;
    case STYLE_GOOD:
        a = A_BOLD;
        pair = 5;
        break;
    }
    attr_set(a, use_color ? pair : 0, NULL);
}

/* Writes the bytes of s that fit in `columns`, as wide characters. */
static int put_fitting(int y, int x, const char *s, int columns)
{
    int used = 0;
    size_t n = strlen(s);
    move(y, x);
    for (size_t i = 0; i < n;) {
        size_t len;
        long cp = utf8_decode(s + i, n - i, &len);
        int w = codepoint_width(cp);
        if (used + w > columns)
            break;
        if (cp < 0x20 || cp == 0x7F || (cp >= 0x80 && cp < 0xA0)) {
            addch(' '); /* control characters never reach the terminal */
            w = 1;
        } else if (cp < 0) {
            addch('?');
            w = 1;
        } else if (w > 0 || used > 0) {
            wchar_t wc[2] = {(wchar_t)cp, 0};
            addnwstr(wc, 1);
        }
        used += w;
        i += len;
    }
    return used;
}

void ui_put(int y, int x, int width, const char *text, bool right)
{
    if (width <= 0)
        return;
    if (!text)
        text = "";
    int w = utf8_width(text);
    if (w > width) {
        int used = put_fitting(y, x, text, width - 1);
        addstr("\xE2\x80\xA6"); /* … */
        for (int i = used + 1; i < width; i++)
            addch(' ');
        return;
    }
    int pad = width - w;
    move(y, x);
    if (right)
        for (int i = 0; i < pad; i++)
            addch(' ');
    put_fitting(y, x + (right ? pad : 0), text, w);
    if (!right)
        for (int i = 0; i < pad; i++)
            addch(' ');
}

void ui_blank(int y, int x, int width)
{
    move(y, x);
    for (int i = 0; i < width; i++)
        addch(' ');
}

void ui_putf(int y, int x, int width, bool right, const char *fmt, ...)
{
    char buf[1024];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(buf, sizeof buf, fmt, ap);
    va_end(ap);
    ui_put(y, x, width, buf, right);
}

bool ui_scroll_act(struct ui_scroll *s, int action, int visible)
{
    if (visible < 1)
        visible = 1;
    size_t last = s->count ? s->count - 1 : 0;
    switch (action) {
    case ACT_UP:
        if (s->sel > 0)
            s->sel--;
        break;
    case ACT_DOWN:
        if (s->sel < last)
            s->sel++;
        break;
    case ACT_PAGE_UP:
        s->sel = s->sel > (size_t)visible ? s->sel - (size_t)visible : 0;
        break;
    case ACT_PAGE_DOWN:
        s->sel = s->sel + (size_t)visible < last ? s->sel + (size_t)visible : last;
        break;
    case ACT_HOME:
        s->sel = 0;
        break;
    case ACT_END:
        s->sel = last;
        break;
    default:
        return false;
    }
    ui_scroll_fit(s, visible);
    return true;
}

void ui_scroll_fit(struct ui_scroll *s, int visible)
{
    if (visible < 1)
        visible = 1;
    if (s->count == 0) {
        s->sel = s->top = 0;
        return;
    }
    if (s->sel >= s->count)
        s->sel = s->count - 1;
    if (s->sel < s->top)
        s->top = s->sel;
    if (s->sel >= s->top + (size_t)visible)
        s->top = s->sel - (size_t)visible + 1;
    if (s->top + (size_t)visible > s->count)
        s->top = s->count > (size_t)visible ? s->count - (size_t)visible : 0;
}

/* ---- the pager ------------------------------------------------------------------------------ */

static long pager_fetch(struct ui_pager *p, enum page_seek seek, size_t anchor)
{
    return p->ops->fetch(p->ctx, seek, anchor, (size_t)p->visible);
}

static void pager_take(struct ui_pager *p, long got)
{
    p->ops->adopt(p->ctx, true);
    p->n = (size_t)got;
    if (p->sel >= p->n)
        p->sel = p->n ? p->n - 1 : 0;
}

static void pager_drop(struct ui_pager *p)
{
    p->ops->adopt(p->ctx, false);
}

static void pager_end(struct ui_pager *p, enum page_seek seek)
{
    long got = pager_fetch(p, seek, 0);
    if (got < 0) {
        pager_drop(p);
        return;
    }
    pager_take(p, got);
    p->sel = seek == PAGE_LAST && p->n ? p->n - 1 : 0;
}

void ui_pager_first(struct ui_pager *p, int visible)
{
    p->visible = visible < 1 ? 1 : visible;
    pager_end(p, PAGE_FIRST);
}

void ui_pager_reload(struct ui_pager *p, int visible)
{
    p->visible = visible < 1 ? 1 : visible;
    if (p->n == 0) {
        pager_end(p, PAGE_FIRST);
        return;
    }
    int64_t keep = p->ops->id(p->ctx, p->sel);
    /* From the first row on screen, or later when the screen shrank below the selection. */
    size_t from = p->sel >= (size_t)p->visible ? p->sel - (size_t)p->visible + 1 : 0;
    long got = pager_fetch(p, PAGE_FROM, from);
    if (got < 0) {
        pager_drop(p);
        return;
    }
    if (got < p->visible) {
        /* Rows went from the end of the list (or the screen grew): show the last screenful. */
        pager_drop(p);
        got = pager_fetch(p, PAGE_LAST, 0);
        if (got < 0) {
            pager_drop(p);
            return;
        }
    }
    pager_take(p, got);
    for (size_t i = 0; i < p->n; i++)
        if (p->ops->id(p->ctx, i) == keep) {
            p->sel = i;
            return;
        }
}

bool ui_pager_act(struct ui_pager *p, int action)
{
    long got;
    size_t n = p->n;
    switch (action) {
    case ACT_UP:
        if (p->sel > 0) {
            p->sel--;
        } else if (n) {
            /* The rows before the last one on screen: one more above the first, if any. */
            got = pager_fetch(p, PAGE_BEFORE, n - 1);
            if (got >= (long)n) {
                pager_take(p, got);
                p->sel = (size_t)got - n;
            } else {
                pager_drop(p);
            }
        }
        return true;
    case ACT_DOWN:
        if (p->sel + 1 < n) {
            p->sel++;
        } else if (n) {
            got = pager_fetch(p, PAGE_AFTER, 0);
            if (got >= (long)n) {
                pager_take(p, got);
                p->sel = n - 1;
            } else {
                pager_drop(p);
            }
        }
        return true;
    case ACT_PAGE_DOWN:
        if (!n)
            return true;
        got = pager_fetch(p, PAGE_AFTER, n - 1);
        if (got >= p->visible) {
            pager_take(p, got);
        } else {
            pager_drop(p);
            if (got > 0)
                pager_end(p, PAGE_LAST);
            p->sel = p->n ? p->n - 1 : 0;
        }
        return true;
    case ACT_PAGE_UP:
        if (!n)
            return true;
        got = pager_fetch(p, PAGE_BEFORE, 0);
        if (got >= p->visible) {
            pager_take(p, got);
        } else {
            pager_drop(p);
            if (got > 0)
                pager_end(p, PAGE_FIRST);
            p->sel = 0;
        }
        return true;
    case ACT_HOME:
        pager_end(p, PAGE_FIRST);
        return true;
    case ACT_END:
        pager_end(p, PAGE_LAST);
        return true;
    default:
        return false;
    }
}

void ui_table_head(int y, int x, int width, struct ui_col *cols, int ncols)
{
    int fixed = 0, flex = 0;
    for (int i = 0; i < ncols; i++) {
        if (cols[i].width > 0)
            fixed += cols[i].width;
        else
            flex++;
        fixed += i ? 1 : 0;
    }
    int left = width - fixed;
    for (int i = 0; i < ncols; i++) {
        if (cols[i].width <= 0) {
            int share = flex ? left / flex : 0;
            cols[i].width = -(share < 4 ? 4 : share); /* negative: laid out from flexible */
            left -= share;
            flex--;
        }
    }
    ui_style(STYLE_HEADER);
    int cx = x;
    for (int i = 0; i < ncols; i++) {
        int w = cols[i].width < 0 ? -cols[i].width : cols[i].width;
        if (cx + w > x + width)
            w = x + width - cx;
        if (w <= 0)
            break;
        ui_put(y, cx, w, cols[i].title, cols[i].right);
        cx += w;
        if (i + 1 < ncols && cx < x + width) {
            ui_put(y, cx, 1, " ", false);
            cx++;
        }
    }
    ui_style(STYLE_NORMAL);
    if (cx < x + width)
        ui_blank(y, cx, x + width - cx);
}

void ui_table_row(int y, int x, const struct ui_col *cols, int ncols, const char *const *cells)
{
    int cx = x, maxx = getmaxx(stdscr);
    for (int i = 0; i < ncols; i++) {
        int w = cols[i].width < 0 ? -cols[i].width : cols[i].width;
        if (cx + w > maxx)
            w = maxx - cx;
        if (w <= 0)
            break;
        ui_put(y, cx, w, cells[i], cols[i].right);
        cx += w;
        if (i + 1 < ncols && cx < maxx) {
            addch(' ');
            cx++;
        }
    }
}

const char *ui_money(int64_t minor, int exponent)
{
    static char bufs[16][MONEY_BUF];
    static int next;
    char *b = bufs[next++ % 16];
    return money_format(money_of(minor), exponent, MONEY_GROUP, b, MONEY_BUF);
}

const char *ui_date(int32_t d)
{
    static char bufs[16][DATE_BUF];
    static int next;
    char *b = bufs[next++ % 16];
    return date_format(d, b, DATE_BUF);
}
