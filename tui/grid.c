/*
 * grid.c — a report on screen: its header block, then each table with its key columns frozen
 * at the left while the others scroll horizontally, totals in bold, and `w` to export it as
 * XLSX, CSV or text. The same report the command line prints and the workbook holds.
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
    int table; /* index into the report's tables */
    size_t row;
};

struct grid {
    struct report *r;
    char file[256];
    struct line *lines;
    size_t n;
    int **widths; /* per table, per column */
    struct ui_scroll sc;
    int xoff; /* scrollable columns skipped */
};

static void add(struct grid *g, enum line_kind kind, int table, size_t row)
{
    g->lines = xrealloc(g->lines, (g->n + 1) * sizeof *g->lines);
    g->lines[g->n++] = (struct line){kind, table, row};
}

static void layout(struct grid *g)
{
    struct report *r = g->r;
    add(g, L_TITLE, -1, 0);
    if (r->subtitle)
        add(g, L_SUBTITLE, -1, 0);
    for (int i = 0; i < r->nheader; i++)
        add(g, L_HEADER, -1, (size_t)i);
    g->widths = xcalloc((size_t)r->ntables, sizeof *g->widths);
    for (int t = 0; t < r->ntables; t++) {
        struct report_table *tb = r->tables[t];
        add(g, L_BLANK, t, 0);
        if (tb->title)
            add(g, L_TABLE_TITLE, t, 0);
        add(g, L_TABLE_HEAD, t, 0);
        int *w = g->widths[t] = xcalloc((size_t)tb->ncols, sizeof *w);
        for (int c = 0; c < tb->ncols; c++)
            w[c] = utf8_width(tb->cols[c].title);
        /* Screens show filled tables: every row is at hand. */
        for (size_t i = 0; i < tb->nrows; i++) {
            add(g, L_ROW, t, i);
            char buf[MONEY_BUF];
            for (int c = 0; c < tb->ncols; c++) {
                int cw = utf8_width(cell_display(&tb->rows[i].cells[c], buf, sizeof buf));
                if (tb->rows[i].style != ROW_HEADING && cw > w[c])
                    w[c] = cw > 48 ? 48 : cw;
            }
        }
    }
    g->sc.count = g->n;
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

static void grid_draw(struct screen *s, int top, int height, int width)
{
    struct grid *g = s->state;
    ui_scroll_fit(&g->sc, height);
    const struct report *r = g->r;
    for (int i = 0; i < height; i++) {
        size_t k = g->sc.top + (size_t)i;
        int y = top + i;
        ui_style(STYLE_NORMAL);
        ui_blank(y, 0, width);
        if (k >= g->n)
            continue;
        const struct line *l = &g->lines[k];
        bool sel = k == g->sc.sel;
        const struct report_table *t = l->table >= 0 ? r->tables[l->table] : NULL;
        switch (l->kind) {
        case L_TITLE:
            ui_style(STYLE_TOTAL);
            ui_put(y, 1, width - 2, r->title, false);
            break;
        case L_SUBTITLE:
            ui_style(STYLE_DIM);
            ui_put(y, 1, width - 2, r->subtitle, false);
            break;
        case L_HEADER:
            ui_putf(y, 1, width - 2, false, "%-12s %s", r->header[l->row].key,
                    r->header[l->row].value);
            break;
        case L_BLANK:
            break;
        case L_TABLE_TITLE:
            ui_style(STYLE_TOTAL);
            ui_put(y, 1, width - 2, t->title, false);
            break;
        case L_TABLE_HEAD:
            ui_style(STYLE_HEADER);
            draw_row(g, y, width, t, g->widths[l->table], NULL);
            break;
        case L_ROW: {
            const struct report_row *row = &t->rows[l->row];
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
                draw_row(g, y, width, t, g->widths[l->table], row);
            }
            break;
        }
        }
        if (sel && l->kind != L_ROW) {
            ui_style(STYLE_SELECTED);
            ui_put(y, 0, 1, " ", false);
        }
    }
    ui_style(STYLE_NORMAL);
}

enum { GRID_EXPORT = ACT_SCREEN };

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

static enum act_result grid_act(struct screen *s, int action, wint_t key)
{
    (void)key;
    struct grid *g = s->state;
    struct app *a = s->app;
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
        return ACT_HANDLED;
    }
    }
    return ACT_UNHANDLED;
}

static void grid_close(struct screen *s)
{
    struct grid *g = s->state;
    for (int t = 0; t < g->r->ntables; t++)
        free(g->widths[t]);
    free(g->widths);
    free(g->lines);
    report_free(g->r);
    free(g);
}

static const struct key_binding grid_keys[] = {
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
    g->r = r;
    /* The screen pages through rows in any order: streamed tables are filled first (with the
     * status line's progress; Esc stops it, and a report cut short is not shown). */
    for (int i = 0; i < r->ntables; i++)
        if (!report_table_fill(r->tables[i])) {
            const struct err *why = report_failure();
            app_message(a, true, "%s", why ? why->msg : "stopped; the report was not opened");
            report_free(r);
            free(g);
            return;
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
