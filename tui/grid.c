/*
 * grid.c — a report on screen: its header block, then each table with its key columns frozen
 * at the left while the others scroll horizontally, totals in bold, and `w` to export it as
 * XLSX, CSV or text. The same report the command line prints and the workbook holds. Tables
 * with a row source are read as they are shown (struct view), `/` finds text in any row.
 */
#include <curses.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "model/money.h"
#include "model/text.h"
#include "model/xalloc.h"
#include "reports/render.h"
#include "reports/report.h"
#include "tui/ui.h"

enum line_kind {
    L_TITLE,
    L_SUBTITLE,
    L_HEADER, /* a key: value line of the header block */
    L_BLANK,
    L_TABLE_TITLE,
    L_TABLE_HEAD,
    L_ROW,
};

struct line {
    enum line_kind kind;
    int table; /* index into the report's tables, -1 for the report's own lines */
    size_t row;
};

/*
 * A table on screen. Filled rows are at hand. A table with a row source that can rewind is read
 * as the screen needs it: the view holds a window of the rows read last (at most WINDOW_ROWS),
 * reads on from the source to move forward, and rewinds and reads again from the start to go
 * back before the window (landing in the middle of a new window, so paging on back is free).
 * How many rows it has is known once it has been read to the end; until then the screen shows
 * the rows read so far and reads a little further whenever the selection comes near the end.
 */
#define WINDOW_ROWS 1024

struct view {
    struct report_table *t;
    bool streamed;
    size_t seen;            /* rows known to exist */
    bool counted;           /* seen is every row */
    bool pos_known;         /* the source is at row `pos` (it was rewound by this view) */
    size_t pos;             /* the source's next row */
    struct report_row *win; /* rows [wstart, wstart + wn) */
    size_t wstart, wn;
    int *widths; /* per column */
};

struct grid {
    struct app *app;
    struct report *r;
    char file[256];
    int nlead; /* the title, subtitle and header lines */
    struct view *v;
    struct ui_scroll sc;
    int xoff; /* scrollable columns skipped */
    char find[128];
    bool stopped; /* a read was stopped (Esc) or failed: the message says so */
    int reading;  /* the table read last: the tables of a report may share one reader */
};

/* Reading table v after another may have moved a reader they share: v starts again. */
static void claim(struct grid *g, struct view *v)
{
    int t = (int)(v - g->v);
    if (g->reading != t)
        v->pos_known = false;
    g->reading = t;
}

static void measure(struct view *v, const struct report_row *row)
{
    if (row->style == ROW_HEADING)
        return;
    char buf[MONEY_BUF];
    for (int c = 0; c < v->t->ncols; c++) {
        int cw = utf8_width(cell_display(&row->cells[c], buf, sizeof buf));
        if (cw > v->widths[c])
            v->widths[c] = cw > 48 ? 48 : cw;
    }
}

static void row_free(struct view *v, struct report_row *row)
{
    for (int c = 0; c < v->t->ncols; c++) {
        free((char *)row->cells[c].text);
        free((char *)row->cells[c].formula);
    }
    free(row->cells);
}

static void window_clear(struct view *v)
{
    for (size_t i = 0; i < v->wn; i++)
        row_free(v, &v->win[i]);
    v->wn = 0;
    v->wstart = v->pos;
}

/* Keeps a copy of the row just read (row pos - 1) at the end of the window. */
static void window_push(struct view *v, const struct report_row *row)
{
    if (v->wn == WINDOW_ROWS) {
        row_free(v, &v->win[0]);
        memmove(v->win, v->win + 1, (WINDOW_ROWS - 1) * sizeof *v->win);
        v->wn--;
        v->wstart++;
    }
    struct report_row *to = &v->win[v->wn++];
    to->style = row->style;
    to->cells = xcalloc((size_t)v->t->ncols, sizeof *to->cells);
    for (int c = 0; c < v->t->ncols; c++) {
        to->cells[c] = row->cells[c];
        to->cells[c].text = row->cells[c].text ? xstrdup(row->cells[c].text) : NULL;
        to->cells[c].formula = row->cells[c].formula ? xstrdup(row->cells[c].formula) : NULL;
    }
}

/* Reads the next row from the source; rows before `keep_from` are only counted and measured.
 * False at the end (then the table is counted) or when reading stopped. */
static bool read_one(struct grid *g, struct view *v, size_t keep_from)
{
    struct report_row row;
    if (report_table_next(v->t, &row) != 1) {
        if (report_cancelled()) {
            const struct err *why = report_failure();
            app_message(g->app, true, "%s", why ? why->msg : "stopped reading the report");
            v->pos_known = false;
            g->stopped = true;
        } else {
            v->counted = true;
            v->seen = v->pos;
        }
        return false;
    }
    v->pos++;
    if (v->pos > v->seen) {
        v->seen = v->pos;
        measure(v, &row);
    }
    if (v->pos > keep_from)
        window_push(v, &row);
    else
        v->wstart = v->pos;
    return true;
}

/* Row k of a table, read from the source if the window does not hold it; NULL past the end or
 * when reading stopped. */
static const struct report_row *row_at(struct grid *g, struct view *v, size_t k)
{
    if (!v->streamed)
        return k < v->t->nrows ? &v->t->rows[k] : NULL;
    if (k >= v->wstart && k < v->wstart + v->wn)
        return &v->win[k - v->wstart];
    if (g->stopped || (v->counted && k >= v->seen))
        return NULL;
    claim(g, v);
    size_t keep_from = 0;
    if (!v->pos_known || k < v->pos) {
        /* Back before the window: from the start again, keeping the rows around k. */
        report_table_rewind(v->t);
        v->pos = 0;
        v->pos_known = true;
        window_clear(v);
        keep_from = k > WINDOW_ROWS / 2 ? k - WINDOW_ROWS / 2 : 0;
    } else if (k >= v->pos + WINDOW_ROWS || v->wstart + v->wn != v->pos) {
        /* Far ahead: no use keeping the rows between. */
        window_clear(v);
        keep_from = k > WINDOW_ROWS / 2 ? k - WINDOW_ROWS / 2 : 0;
        if (keep_from < v->pos)
            keep_from = v->pos;
    }
    while (v->pos <= k)
        if (!read_one(g, v, keep_from))
            return NULL;
    return &v->win[k - v->wstart];
}

/* The tables shown: every one up to the first not yet read to its end (those after it come
 * once it has been). */
static int tables_shown(const struct grid *g)
{
    int n = 0;
    while (n < g->r->ntables) {
        n++;
        if (!g->v[n - 1].counted)
            break;
    }
    return n;
}

/* A blank line, the title (a table read as shown has one for its count of rows), the heading. */
static bool has_title(const struct view *v)
{
    return v->t->title || v->streamed;
}

static size_t table_lead(const struct view *v)
{
    return has_title(v) ? 3 : 2;
}

static size_t count_lines(const struct grid *g)
{
    size_t n = (size_t)g->nlead;
    for (int t = 0; t < tables_shown(g); t++)
        n += table_lead(&g->v[t]) + g->v[t].seen;
    return n;
}

static struct line line_at(const struct grid *g, size_t k)
{
    const struct report *r = g->r;
    if (k == 0)
        return (struct line){L_TITLE, -1, 0};
    k--;
    if (r->subtitle) {
        if (k == 0)
            return (struct line){L_SUBTITLE, -1, 0};
        k--;
    }
    if (k < (size_t)r->nheader)
        return (struct line){L_HEADER, -1, k};
    k -= (size_t)r->nheader;
    for (int t = 0; t < r->ntables; t++) {
        if (k == 0)
            return (struct line){L_BLANK, t, 0};
        k--;
        if (has_title(&g->v[t])) {
            if (k == 0)
                return (struct line){L_TABLE_TITLE, t, 0};
            k--;
        }
        if (k == 0)
            return (struct line){L_TABLE_HEAD, t, 0};
        k--;
        if (k < g->v[t].seen)
            return (struct line){L_ROW, t, k};
        k -= g->v[t].seen;
    }
    return (struct line){L_BLANK, -1, 0};
}

/* Reads on until the screen has `want` lines, or every table has been read to its end. */
static void extend(struct grid *g, size_t want)
{
    while (!g->stopped && g->sc.count < want) {
        int t = tables_shown(g) - 1;
        struct view *v = &g->v[t];
        if (v->counted)
            break;
        size_t need = want - g->sc.count;
        row_at(g, v, v->seen + need - 1);
        g->sc.count = count_lines(g);
    }
    g->sc.count = count_lines(g);
}

/* Every table read to its end (End, a search that reaches the end); the window keeps the last
 * rows of the last table. */
static void extend_all(struct grid *g)
{
    for (int t = 0; t < g->r->ntables && !g->stopped; t++) {
        struct view *v = &g->v[t];
        if (v->counted)
            continue;
        claim(g, v);
        if (!v->pos_known || v->wstart + v->wn != v->pos) {
            report_table_rewind(v->t);
            v->pos = 0;
            v->pos_known = true;
            window_clear(v);
        }
        while (read_one(g, v, 0))
            ;
    }
    g->sc.count = count_lines(g);
}

static void layout(struct grid *g)
{
    struct report *r = g->r;
    g->nlead = 1 + (r->subtitle ? 1 : 0) + r->nheader;
    g->v = xcalloc((size_t)r->ntables, sizeof *g->v);
    for (int t = 0; t < r->ntables; t++) {
        struct report_table *tb = r->tables[t];
        struct view *v = &g->v[t];
        v->t = tb;
        v->streamed = tb->next != NULL;
        int *w = v->widths = xcalloc((size_t)tb->ncols, sizeof *w);
        for (int c = 0; c < tb->ncols; c++)
            w[c] = utf8_width(tb->cols[c].title);
        if (v->streamed) {
            /* The source's own measure of its text when it has one; otherwise (and for the
             * figures) columns widen as rows are read. */
            int *tw = xcalloc((size_t)tb->ncols, sizeof *tw);
            if (tb->text_widths && tb->text_widths(tb, tw))
                for (int c = 0; c < tb->ncols; c++) {
                    int hint = tb->cols[c].type == COL_TEXT ? tw[c] : 0;
                    if (hint > 48)
                        hint = 48;
                    if (hint > w[c])
                        w[c] = hint;
                }
            free(tw);
            v->win = xcalloc(WINDOW_ROWS, sizeof *v->win);
            continue;
        }
        /* Filled tables: every row is at hand. */
        v->seen = tb->nrows;
        v->counted = true;
        for (size_t i = 0; i < tb->nrows; i++)
            measure(v, &tb->rows[i]);
    }
    g->sc.count = count_lines(g);
}

static void draw_row(struct grid *g, int y, int width, const struct report_table *t, const int *w,
                     const struct report_row *row)
{
    int x = 1;
    char buf[MONEY_BUF];
    for (int c = 0; c < t->ncols && x < width; c++) {
        if (c >= t->freeze_cols && c < t->freeze_cols + g->xoff)
            continue;
        int cw = w[c];
        if (x + cw > width)
            cw = width - x;
        const char *text;
        if (!row) {
            text = t->cols[c].title;
        } else {
            text = cell_display(&row->cells[c], buf, sizeof buf);
        }
        bool right = t->cols[c].type == COL_MONEY || t->cols[c].type == COL_COUNT;
        ui_put(y, x, cw, text, right);
        x += cw;
        if (x < width) {
            /* A bar after the frozen columns shows where scrolling starts. */
            ui_put(y, x, 1, c + 1 == t->freeze_cols && g->xoff ? "|" : " ", false);
            x++;
        }
    }
}

/* A table's title, with how many rows it has when they are read as needed. */
static void table_title(const struct grid *g, int t, char *buf, size_t size)
{
    const struct view *v = &g->v[t];
    if (!v->streamed) {
        snprintf(buf, size, "%s", v->t->title);
        return;
    }
    char n[32];
    snprintf(n, sizeof n, "%zu", v->seen);
    char grouped[48];
    size_t len = strlen(n), o = 0;
    for (size_t i = 0; i < len; i++) {
        if (i && (len - i) % 3 == 0)
            grouped[o++] = ',';
        grouped[o++] = n[i];
    }
    grouped[o] = '\0';
    snprintf(buf, size, "%s%s(%s row%s%s)", v->t->title ? v->t->title : "", v->t->title ? "  " : "",
             grouped, v->seen == 1 ? "" : "s",
             v->counted ? "" : " read so far; End reads them all");
}

static void grid_draw(struct screen *s, int top, int height, int width)
{
    struct grid *g = s->state;
    /* A screenful beyond the selection is read, so moving down finds its rows. */
    extend(g, g->sc.sel + 2 * (size_t)(height > 0 ? height : 1) + 1);
    ui_scroll_fit(&g->sc, height);
    const struct report *r = g->r;
    for (int i = 0; i < height; i++) {
        size_t k = g->sc.top + (size_t)i;
        int y = top + i;
        ui_style(STYLE_NORMAL);
        ui_blank(y, 0, width);
        if (k >= g->sc.count)
            continue;
        struct line l = line_at(g, k);
        bool sel = k == g->sc.sel;
        const struct report_table *t = l.table >= 0 ? r->tables[l.table] : NULL;
        switch (l.kind) {
        case L_TITLE:
            ui_style(STYLE_TOTAL);
            ui_put(y, 1, width - 2, r->title, false);
            break;
        case L_SUBTITLE:
            ui_style(STYLE_DIM);
            ui_put(y, 1, width - 2, r->subtitle, false);
            break;
        case L_HEADER:
            ui_putf(y, 1, width - 2, false, "%-12s %s", r->header[l.row].key,
                    r->header[l.row].value);
            break;
        case L_BLANK:
            break;
        case L_TABLE_TITLE: {
            char title[256];
            table_title(g, l.table, title, sizeof title);
            ui_style(STYLE_TOTAL);
            ui_put(y, 1, width - 2, title, false);
            break;
        }
        case L_TABLE_HEAD:
            ui_style(STYLE_HEADER);
            draw_row(g, y, width, t, g->v[l.table].widths, NULL);
            break;
        case L_ROW: {
            const struct report_row *row = row_at(g, &g->v[l.table], l.row);
            if (!row)
                break;
            ui_style(sel ? STYLE_SELECTED
                     : row->style == ROW_TOTAL || row->style == ROW_SUBTOTAL ||
                             row->style == ROW_HEADING
                         ? STYLE_TOTAL
                         : STYLE_NORMAL);
            if (sel)
                ui_blank(y, 0, width);
            if (row->style == ROW_HEADING) {
                char buf[MONEY_BUF];
                for (int c = 0; c < t->ncols; c++)
                    if (row->cells[c].type != CELL_EMPTY) {
                        ui_put(y, 1, width - 2, cell_display(&row->cells[c], buf, sizeof buf),
                               false);
                        break;
                    }
            } else {
                draw_row(g, y, width, t, g->v[l.table].widths, row);
            }
            break;
        }
        }
        if (sel && l.kind != L_ROW) {
            ui_style(STYLE_SELECTED);
            ui_put(y, 0, 1, " ", false);
        }
    }
    ui_style(STYLE_NORMAL);
}

enum { GRID_EXPORT = ACT_SCREEN, GRID_FIND_NEXT };

static int max_xoff(const struct grid *g)
{
    int m = 0;
    for (int t = 0; t < g->r->ntables; t++) {
        int scrollable = g->r->tables[t]->ncols - g->r->tables[t]->freeze_cols - 1;
        if (scrollable > m)
            m = scrollable;
    }
    return m;
}

static int fold(int c)
{
    return c >= 'A' && c <= 'Z' ? c - 'A' + 'a' : c;
}

/* Whether `hay` holds `needle`, ignoring the case of ASCII letters. */
static bool contains(const char *hay, const char *needle)
{
    size_t n = strlen(needle);
    for (; hay && *hay; hay++) {
        size_t i = 0;
        while (i < n && hay[i] && fold((unsigned char)hay[i]) == fold((unsigned char)needle[i]))
            i++;
        if (i == n)
            return true;
    }
    return false;
}

static bool line_matches(struct grid *g, size_t k)
{
    struct line l = line_at(g, k);
    const struct report *r = g->r;
    char buf[MONEY_BUF > 256 ? MONEY_BUF : 256];
    switch (l.kind) {
    case L_TITLE:
        return contains(r->title, g->find);
    case L_SUBTITLE:
        return contains(r->subtitle, g->find);
    case L_HEADER:
        return contains(r->header[l.row].key, g->find) || contains(r->header[l.row].value, g->find);
    case L_TABLE_TITLE:
        return contains(r->tables[l.table]->title, g->find);
    case L_ROW: {
        const struct report_row *row = row_at(g, &g->v[l.table], l.row);
        for (int c = 0; row && c < r->tables[l.table]->ncols; c++)
            if (contains(cell_display(&row->cells[c], buf, sizeof buf), g->find))
                return true;
        return false;
    }
    default:
        return false;
    }
}

/* The next line holding the text after the selection, reading rows not yet read, then from the
 * top again; the selection stays when nothing holds it. */
static void find_next(struct grid *g)
{
    size_t from = g->sc.sel;
    for (size_t k = from + 1;; k++) {
        if (k >= g->sc.count)
            extend(g, k + 256);
        if (g->stopped)
            return;
        if (k >= g->sc.count)
            break;
        if (line_matches(g, k)) {
            g->sc.sel = k;
            return;
        }
    }
    for (size_t k = 0; k <= from && k < g->sc.count && !g->stopped; k++)
        if (line_matches(g, k)) {
            g->sc.sel = k;
            if (k == from)
                app_message(g->app, false, "\"%s\" is only here", g->find);
            else
                app_message(g->app, false, "from the top: \"%s\"", g->find);
            return;
        }
    if (!g->stopped)
        app_message(g->app, true, "\"%s\" is not in the report", g->find);
}

static enum act_result grid_act(struct screen *s, int action, wint_t key)
{
    (void)key;
    struct grid *g = s->state;
    struct app *a = s->app;
    g->stopped = false;
    switch (action) {
    case ACT_END:
        extend_all(g);
        if (!g->stopped) {
            size_t rows = 0;
            for (int t = 0; t < g->r->ntables; t++)
                rows += g->v[t].seen;
            app_message(a, false, "%zu row%s in all", rows, rows == 1 ? "" : "s");
        }
        break;
    case ACT_DOWN:
    case ACT_PAGE_DOWN:
        extend(g, g->sc.sel + 2 * (size_t)(s->height > 0 ? s->height : 1) + 1);
        break;
    }
    if (ui_scroll_act(&g->sc, action, s->height))
        return ACT_HANDLED;
    switch (action) {
    case ACT_LEFT:
        if (g->xoff > 0)
            g->xoff--;
        return ACT_HANDLED;
    case ACT_RIGHT:
        if (g->xoff < max_xoff(g))
            g->xoff++;
        return ACT_HANDLED;
    case ACT_SEARCH: {
        char buf[sizeof g->find];
        snprintf(buf, sizeof buf, "%s", g->find);
        if (ui_prompt(a, "Find: ", buf, sizeof buf) && buf[0]) {
            snprintf(g->find, sizeof g->find, "%s", buf);
            find_next(g);
        }
        return ACT_HANDLED;
    }
    case GRID_FIND_NEXT:
        if (g->find[0])
            find_next(g);
        else
            app_message(a, true, "nothing to find yet; / to give the text");
        return ACT_HANDLED;
    case GRID_EXPORT: {
        char path[256];
        snprintf(path, sizeof path, "%s", g->file);
        if (!ui_prompt(a, "Export to (.xlsx, .csv or .txt): ", path, sizeof path) || !path[0])
            return ACT_HANDLED;
        struct err e = {0};
        if (render_file(&g->r, 1, path, &e) != ERR_OK)
            app_message(a, true, "%s", e.msg);
        else {
            app_message(a, false, "wrote %s", path);
            snprintf(g->file, sizeof g->file, "%s", path);
        }
        /* Writing read the row sources from the start: where they stand is not known now. */
        for (int t = 0; t < g->r->ntables; t++)
            g->v[t].pos_known = false;
        g->reading = -1;
        return ACT_HANDLED;
    }
    }
    return ACT_UNHANDLED;
}

static void grid_close(struct screen *s)
{
    struct grid *g = s->state;
    for (int t = 0; t < g->r->ntables; t++) {
        struct view *v = &g->v[t];
        window_clear(v);
        free(v->win);
        free(v->widths);
    }
    free(g->v);
    report_free(g->r);
    free(g);
}

static const struct key_binding grid_keys[] = {
    {'/', "/", ACT_SEARCH, "find text in the report, reading rows not yet read"},
    {'n', "n", GRID_FIND_NEXT, "find the same text again"},
    {'w', "w", GRID_EXPORT, "export to a file: .xlsx, .csv or .txt"},
    {0, NULL, 0, NULL},
};

static const struct screen_ops grid_screen = {
    .title = "Report",
    .draw = grid_draw,
    .act = grid_act,
    .close = grid_close,
    .keys = grid_keys,
};

void open_report_view(struct app *a, struct report *r, const char *default_file)
{
    struct grid *g = xcalloc(1, sizeof *g);
    g->app = a;
    g->r = r;
    g->reading = -1;
    /* Tables whose rows come from a source that can start again are read as the screen needs
     * them; any other source is read whole first (with the status line's progress; Esc stops
     * it, and a report cut short is not shown). */
    for (int i = 0; i < r->ntables; i++) {
        struct report_table *t = r->tables[i];
        if (t->next && t->rewind)
            continue;
        if (!report_table_fill(t)) {
            const struct err *why = report_failure();
            app_message(a, true, "%s", why ? why->msg : "stopped; the report was not opened");
            report_free(r);
            free(g);
            return;
        }
    }
    snprintf(g->file, sizeof g->file, "%s", default_file ? default_file : "report.xlsx");
    layout(g);
    app_push(a, &grid_screen, g);
    a->stack[a->depth - 1]->stale = false;
    app_title(a, "%s", r->title);
}

void open_pending_view(struct app *a, void *data)
{
    struct pending_view *pv = data;
    open_report_view(a, pv->report, pv->file);
    free(pv);
}
