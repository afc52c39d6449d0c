/*
 * draw.c — drawing text by display width (so UTF-8 names line up whatever their bytes), styles
 * that honour NO_COLOR, a scrolling selection, and simple tables.
 */
#include <curses.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "model/date.h"
#include "model/money.h"
#include "model/text.h"
#include "model/xalloc.h"
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

/* Takes the rows fetched: all of them in place of those held, or joined before or after. */
static void pager_take(struct ui_pager *p, enum ui_pager_take how, long got)
{
    p->ops->adopt(p->ctx, how);
    if (how == PAGER_ALL) {
        p->n = (size_t)got;
        p->top = 0;
        return;
    }
    p->n += (size_t)got;
    if (how == PAGER_BEFORE) {
        p->top += (size_t)got;
        p->sel += (size_t)got;
    }
}

static int64_t now_us(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (int64_t)t.tv_sec * 1000000 + t.tv_nsec / 1000;
}

/* A fetch's reach, sized to take a few milliseconds: shorter ones double, longer ones halve. */
#define REACH_MIN 256
#define REACH_MAX ((size_t)1 << 20)

/* Fetches into the set kept aside; on an error drops it and returns -1. */
static long pager_fetch(struct ui_pager *p, enum page_seek seek, size_t anchor, size_t limit,
                        bool *cut)
{
    *cut = false;
    if (!p->reach)
        p->reach = UI_PAGE_REACH;
    int64_t start = now_us();
    long got = p->ops->fetch(p->ctx, seek, anchor, limit, cut);
    if (got < 0) {
        p->ops->adopt(p->ctx, PAGER_DROP);
        *cut = false;
    } else if (*cut) {
        int64_t took = now_us() - start;
        if (took < 2000 && p->reach < REACH_MAX)
            p->reach *= 2;
        else if (took > 8000 && p->reach > REACH_MIN)
            p->reach /= 2;
    }
    return got;
}

/* A screenful from either end, in place of the rows held. */
static void pager_end(struct ui_pager *p, enum page_seek seek)
{
    bool cut;
    long got = pager_fetch(p, seek, 0, (size_t)p->visible, &cut);
    if (got < 0)
        return;
    pager_take(p, PAGER_ALL, got);
    bool whole = got < p->visible && !cut; /* the list fits on one screen */
    p->at_start = seek == PAGE_FIRST || whole;
    p->at_end = seek == PAGE_LAST || whole;
    p->cut_after = seek == PAGE_FIRST && cut;
    p->cut_before = seek == PAGE_LAST && cut;
    p->sel = seek == PAGE_LAST && p->n ? p->n - 1 : 0;
    if (seek == PAGE_LAST && p->n > (size_t)p->visible)
        p->top = p->n - (size_t)p->visible;
}

/* Up to `want` more rows after (or before) those held, or on from where the last fetch that way
 * stopped short; false when there were none and it read no further. */
static bool pager_grow(struct ui_pager *p, bool after, size_t want)
{
    bool *edge = after ? &p->at_end : &p->at_start;
    bool *cut_edge = after ? &p->cut_after : &p->cut_before;
    if (*edge || !want || (!p->n && !*cut_edge))
        return false;
    size_t anchor = *cut_edge ? UI_PAGER_STOP : after ? p->n - 1 : 0;
    bool cut, was_empty = !p->n;
    long got = pager_fetch(p, after ? PAGE_AFTER : PAGE_BEFORE, anchor, want, &cut);
    if (got < 0)
        return false;
    pager_take(p, after ? PAGER_AFTER : PAGER_BEFORE, got);
    if (was_empty) { /* the first rows found: where the list's end put the selection */
        p->sel = after || !p->n ? 0 : p->n - 1;
        p->top = after || p->n <= (size_t)p->visible ? 0 : p->n - (size_t)p->visible;
    }
    *cut_edge = cut;
    if ((size_t)got < want && !cut)
        *edge = true;
    return got > 0 || cut;
}

/* Keeps the selection on screen and at most a screenful held on either side of it. */
static void pager_bound(struct ui_pager *p)
{
    size_t v = (size_t)p->visible;
    /* No blank lines below the rows while rows above them are held (those found before them
     * while the list was read back from its end). */
    if (p->top > 0 && p->n - p->top < v)
        p->top = p->n > v ? p->n - v : 0;
    if (p->sel < p->top)
        p->top = p->sel;
    if (p->sel >= p->top + v)
        p->top = p->sel - v + 1;
    if (p->top > v) {
        size_t k = p->top - v;
        p->ops->trim(p->ctx, true, k);
        p->n -= k;
        p->top -= k;
        p->sel -= k;
        p->at_start = p->cut_before = false;
    }
    if (p->n > p->top + 2 * v) {
        size_t k = p->n - (p->top + 2 * v);
        p->ops->trim(p->ctx, false, k);
        p->n -= k;
        p->at_end = p->cut_after = false;
    }
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
    size_t from = p->sel >= p->top + (size_t)p->visible ? p->sel - (size_t)p->visible + 1 : p->top;
    /* At the top of the list, the top of it again: rows may have come before the first. */
    bool at_start = p->at_start && from == 0, cut;
    long got = pager_fetch(p, at_start ? PAGE_FIRST : PAGE_FROM, from, (size_t)p->visible, &cut);
    if (got < 0)
        return;
    if (got < p->visible && !cut) {
        /* Rows went from the end of the list (or the screen grew): show the last screenful. */
        p->ops->adopt(p->ctx, PAGER_DROP);
        pager_end(p, PAGE_LAST);
    } else {
        pager_take(p, PAGER_ALL, got);
        p->at_start = at_start;
        p->at_end = p->cut_before = false;
        p->cut_after = cut;
        p->sel = 0;
    }
    for (size_t i = 0; i < p->n; i++)
        if (p->ops->id(p->ctx, i) == keep) {
            p->sel = i;
            break;
        }
    pager_bound(p);
}

bool ui_pager_act(struct ui_pager *p, int action)
{
    size_t v = (size_t)p->visible;
    if (!p->n && action != ACT_HOME && action != ACT_END)
        return action == ACT_UP || action == ACT_DOWN || action == ACT_PAGE_UP ||
               action == ACT_PAGE_DOWN;
    switch (action) {
    case ACT_UP:
        /* Past the rows held: the one row above, not a screenful. */
        if (p->sel == 0)
            pager_grow(p, false, 1);
        if (p->sel > 0)
            p->sel--;
        break;
    case ACT_DOWN:
        if (p->sel + 1 >= p->n)
            pager_grow(p, true, 1);
        if (p->sel + 1 < p->n)
            p->sel++;
        break;
    case ACT_PAGE_DOWN:
        /* The next screenful, the selection where it was on screen; the last one at the end. */
        if (p->top + 2 * v > p->n)
            pager_grow(p, true, p->top + 2 * v - p->n);
        if (p->top + 2 * v <= p->n) {
            p->top += v;
            p->sel += v;
        } else {
            p->top = p->n > v ? p->n - v : 0;
            p->sel = p->n - 1;
        }
        break;
    case ACT_PAGE_UP:
        if (p->top < v)
            pager_grow(p, false, v - p->top);
        if (p->top >= v) {
            p->top -= v;
            p->sel -= v;
        } else {
            p->top = 0;
            p->sel = 0;
        }
        break;
    case ACT_HOME:
        if (p->at_start && p->n) {
            p->top = p->sel = 0;
            break;
        }
        pager_end(p, PAGE_FIRST);
        break;
    case ACT_END:
        if (p->at_end && p->n) {
            p->sel = p->n - 1;
            p->top = p->n > v ? p->n - v : 0;
            break;
        }
        pager_end(p, PAGE_LAST);
        break;
    default:
        return false;
    }
    pager_bound(p);
    return true;
}

/* Rows on screen. */
static size_t pager_shown(const struct ui_pager *p)
{
    size_t v = (size_t)p->visible;
    return p->top >= p->n ? 0 : p->n - p->top < v ? p->n - p->top : v;
}

bool ui_pager_reading(const struct ui_pager *p)
{
    return (p->cut_after || p->cut_before) && pager_shown(p) < (size_t)p->visible;
}

bool ui_pager_draw_reading(const struct ui_pager *p, int y, int x, int width, const char *many)
{
    if (!ui_pager_reading(p))
        return false;
    ui_style(STYLE_DIM);
    if (p->n)
        ui_put(y + (int)pager_shown(p), x, width, "searching for more", false);
    else
        ui_putf(y, x, width, false, "searching %s", many);
    ui_style(STYLE_NORMAL);
    return true;
}

bool ui_pager_idle(struct ui_pager *p, size_t chunk, struct screen *s)
{
    size_t v = (size_t)p->visible;
    if (!p->ops || (!p->n && !p->cut_after && !p->cut_before))
        return false;
    size_t shown = pager_shown(p);
    bool reading = ui_pager_reading(p), did = false;
    size_t after = p->n - (p->top + shown);
    /* No more than pager_bound keeps: what it cut would be fetched again. */
    size_t room = p->top + 2 * v - p->n, want = v - after < room ? v - after : room;
    if (!p->at_end && after < v)
        did = pager_grow(p, true, want < chunk ? want : chunk) || p->at_end;
    else if (!p->at_start && p->top < v)
        did = pager_grow(p, false, v - p->top < chunk ? v - p->top : chunk) || p->at_start;
    pager_bound(p);
    if (pager_shown(p) != shown || ui_pager_reading(p) != reading)
        s->redraw = true;
    return did;
}

/* A slice to take a few milliseconds: shorter ones double, longer ones halve. */
#define COUNTER_FIRST 1024
#define COUNTER_MIN   16
#define COUNTER_MAX   ((int64_t)1 << 24)

/* Counts [next, next + span): done when that reached the largest id. */
static void counter_slice(struct ui_counter *c)
{
    struct id_slice sl = {.from = c->next, .to = c->next + c->span};
    if (c->count(c->ctx, &sl) != 0) {
        c->done = c->failed = true;
        return;
    }
    c->n += sl.count;
    c->next = sl.to;
    c->done = sl.to > sl.last;
}

void ui_counter_start(struct ui_counter *c)
{
    c->next = 0;
    c->n = 0;
    c->span = c->first ? c->first : COUNTER_FIRST;
    c->done = c->failed = false;
    counter_slice(c);
}

bool ui_counter_idle(struct ui_counter *c, struct screen *s)
{
    if (c->done)
        return false;
    int64_t start = now_us();
    counter_slice(c);
    int64_t took = now_us() - start;
    if (took < 2000 && c->span < COUNTER_MAX)
        c->span *= 2;
    else if (took > 8000 && c->span > COUNTER_MIN)
        c->span /= 2;
    if (c->done)
        s->redraw = true;
    return true;
}

const char *ui_counter_text(const struct ui_counter *c, const char *one, const char *many,
                            char *buf, size_t size)
{
    if (!c->done)
        snprintf(buf, size, "counting %s", many);
    else if (c->failed)
        snprintf(buf, size, "%s", many);
    else
        snprintf(buf, size, "%zu %s", c->n, c->n == 1 ? one : many);
    return buf;
}

void ui_rows_join(void *rows, size_t *n, size_t *cap, void *more, size_t *more_n, size_t size,
                  bool front)
{
    char **to = rows, **from = more;
    size_t m = *more_n;
    if (*n + m > *cap) {
        *cap = *n + m;
        *to = xrealloc(*to, *cap * size);
    }
    if (front) {
        memmove(*to + m * size, *to, *n * size);
        if (m)
            memcpy(*to, *from, m * size);
    } else if (m) {
        memcpy(*to + *n * size, *from, m * size);
    }
    *n += m;
    free(*from);
    *from = NULL;
    *more_n = 0;
}

void ui_rows_cut(void *rows, size_t *n, size_t size, bool front, size_t k, void (*free_row)(void *))
{
    char *v = *(char **)rows;
    if (k > *n)
        k = *n;
    size_t from = front ? 0 : *n - k;
    if (free_row)
        for (size_t i = 0; i < k; i++)
            free_row(v + (from + i) * size);
    if (front)
        memmove(v, v + k * size, (*n - k) * size);
    *n -= k;
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
