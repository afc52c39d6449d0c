/*
 * scr_close.c — the Close screen: the months with their state, the checklist of the first open
 * month (each tie-out with its result and figures, from a dry run of the close), the lock, and
 * reopen with a reason; and the change log viewer with its filters (who, what, when).
 */
#include <curses.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "model/close.h"
#include "model/date.h"
#include "model/db.h"
#include "model/xalloc.h"
#include "tui/ui.h"

enum { CL_CLOSE = ACT_SCREEN, CL_REOPEN, CL_RUN, CL_LOG };

struct close_state {
    struct period_rows rows;
    struct ui_scroll sc;
    int32_t first_open;
    struct close_result dry; /* the checklist of the first open month */
    bool have_dry;
    char dry_error[sizeof(struct err){0}.msg];
};

static void close_load(struct screen *s)
{
    struct close_state *st = s->state;
    if (!st)
        st = s->state = xcalloc(1, sizeof *st);
    struct app *a = s->app;
    period_rows_free(&st->rows);
    if (st->have_dry)
        close_result_free(&st->dry);
    st->have_dry = false;
    st->dry_error[0] = '\0';
    struct err e = {0};
    int32_t now = period_of(app_today(a));
    if (period_first_open(a->book, &st->first_open, &e) != ERR_OK ||
        period_list(a->book, now, &st->rows, &e) != ERR_OK) {
        app_message(a, true, "%s", e.msg);
        return;
    }
    st->sc.count = st->rows.n;
    /* Start on the first open month. */
    for (size_t i = 0; i < st->rows.n; i++)
        if (st->rows.v[i].period == st->first_open)
            st->sc.sel = i;
    /* Its checklist: the close run and undone. */
    if (st->first_open != DATE_NONE && period_last_day(st->first_open) < app_today(a)) {
        int rc = period_close(a->book, st->first_open, app_today(a), true, NULL, &st->dry, &e);
        st->have_dry = true;
        if (rc == ERR_CANCELLED) {
            /* Esc during the dry run (seconds on a large book): what ran is not a checklist. */
            close_result_free(&st->dry);
            st->have_dry = false;
            snprintf(st->dry_error, sizeof st->dry_error,
                     "stopped before every check ran; r runs the checklist again");
        } else if (rc != ERR_OK && st->dry.checks.n == 0) {
            snprintf(st->dry_error, sizeof st->dry_error, "%s", e.msg);
        }
    }
}

static void close_draw(struct screen *s, int top, int height, int width)
{
    struct close_state *st = s->state;
    int y = top;
    char open[PERIOD_BUF] = "none";
    if (st->first_open != DATE_NONE)
        period_format(st->first_open, open, sizeof open);
    ui_style(STYLE_TOTAL);
    ui_putf(y++, 1, width - 2, false, "Months: the first open month is %s", open);
    ui_style(STYLE_NORMAL);
    struct ui_col cols[] = {{"Month", 7, false},       {"State", 8, false},
                            {"Closed by", 14, false},  {"When (UTC)", 20, false},
                            {"Chain head", 16, false}, {"Reopened", 8, true},
                            {"Backup", 0, false}};
    ui_table_head(y++, 1, width - 2, cols, 7);
    int list = (height - 4) / 2;
    if (list < 3)
        list = 3;
    ui_scroll_fit(&st->sc, list);
    for (int r = 0; r < list; r++, y++) {
        size_t i = st->sc.top + (size_t)r;
        ui_blank(y, 0, width);
        if (i >= st->rows.n)
            continue;
        const struct period_row *p = &st->rows.v[i];
        char per[PERIOD_BUF], head[17], reopened[16];
        snprintf(head, sizeof head, "%.16s", p->chain_head);
        snprintf(reopened, sizeof reopened, "%d", p->reopened);
        const char *cells[7] = {period_format(p->period, per, sizeof per),
                                p->closed                     ? "closed"
                                : p->period == st->first_open ? "open *"
                                                              : "open",
                                p->closed_by,
                                p->closed_at,
                                head,
                                p->reopened ? reopened : "",
                                strrchr(p->backup, '/') ? strrchr(p->backup, '/') + 1 : p->backup};
        ui_style(i == st->sc.sel ? STYLE_SELECTED : STYLE_NORMAL);
        ui_blank(y, 0, width);
        ui_table_row(y, 1, cols, 7, cells);
        ui_style(STYLE_NORMAL);
    }
    y++;
    ui_style(STYLE_TOTAL);
    if (st->have_dry && !st->dry_error[0]) {
        bool passed = check_report_passed(&st->dry.checks);
        ui_putf(y++, 1, width - 2, false,
                "Checklist for %s: %s (%d grant%s to expire, %d recognition entr%s to post)", open,
                passed ? "every check passes; c closes it" : "a check fails; the month stays open",
                st->dry.expired, st->dry.expired == 1 ? "" : "s", st->dry.entries,
                st->dry.entries == 1 ? "y" : "ies");
    } else if (st->dry_error[0]) {
        ui_putf(y++, 1, width - 2, false, "Checklist for %s: %s", open, st->dry_error);
    } else {
        ui_putf(y++, 1, width - 2, false, "Checklist for %s: the month has not ended yet", open);
    }
    ui_style(STYLE_NORMAL);
    for (size_t i = 0; st->have_dry && i < st->dry.checks.n && y < top + height; i++, y++) {
        const struct check_item *it = &st->dry.checks.v[i];
        ui_blank(y, 0, width);
        ui_style(it->passed ? STYLE_NORMAL : STYLE_ERROR);
        ui_putf(y, 1, width - 2, false, "%-4s %s%s%s", it->passed ? "ok" : "FAIL", it->name,
                it->detail[0] ? ": " : "", it->detail);
        ui_style(STYLE_NORMAL);
    }
    for (; y < top + height; y++)
        ui_blank(y, 0, width);
}

static enum act_result close_act(struct screen *s, int action, wint_t key)
{
    (void)key;
    struct close_state *st = s->state;
    struct app *a = s->app;
    if (ui_scroll_act(&st->sc, action, 10))
        return ACT_HANDLED;
    struct err e = {0};
    char per[PERIOD_BUF];
    switch (action) {
    case CL_RUN:
        s->stale = true;
        return ACT_HANDLED;
    case CL_CLOSE: {
        if (st->first_open == DATE_NONE) {
            app_message(a, true, "nothing has been posted yet: there is no month to close");
            return ACT_HANDLED;
        }
        period_format(st->first_open, per, sizeof per);
        char q[128];
        snprintf(q, sizeof q, "Close %s (a verified backup first, then the lock)?", per);
        if (!ui_confirm(a, q))
            return ACT_HANDLED;
        struct close_result r;
        int rc = period_close(a->book, st->first_open, app_today(a), false, NULL, &r, &e);
        if (rc != ERR_OK)
            app_message(a, true, "%s", e.msg);
        else
            app_message(a, false, "%s closed; backup %s; chain head %.16s", per,
                        strrchr(r.backup, '/') ? strrchr(r.backup, '/') + 1 : r.backup,
                        r.chain_head);
        close_result_free(&r);
        app_changed(a);
        return ACT_HANDLED;
    }
    case CL_REOPEN: {
        struct period_row *last = NULL;
        for (size_t i = 0; i < st->rows.n; i++)
            if (st->rows.v[i].closed)
                last = &st->rows.v[i];
        if (!last) {
            app_message(a, true, "no month is closed");
            return ACT_HANDLED;
        }
        period_format(last->period, per, sizeof per);
        char label[64], reason[256] = "";
        snprintf(label, sizeof label, "Reopen %s because: ", per);
        if (!ui_prompt(a, label, reason, sizeof reason))
            return ACT_HANDLED;
        if (period_reopen(a->book, last->period, reason, &e) != ERR_OK)
            app_message(a, true, "%s", e.msg);
        else {
            app_changed(a);
            app_message(a, false, "%s reopened: %s", per, reason);
        }
        return ACT_HANDLED;
    }
    case CL_LOG:
        open_change_log(a);
        return ACT_HANDLED;
    }
    return ACT_UNHANDLED;
}

static void close_close(struct screen *s)
{
    struct close_state *st = s->state;
    if (!st)
        return;
    period_rows_free(&st->rows);
    if (st->have_dry)
        close_result_free(&st->dry);
    free(st);
}

static const struct key_binding close_keys[] = {
    {'c', "c", CL_CLOSE, "close the first open month (backup, checks, lock)"},
    {'o', "o", CL_REOPEN, "reopen the last closed month, with a reason"},
    {'r', "r", CL_RUN, "run the checklist again"},
    {'l', "l", CL_LOG, "the change log"},
    {0, NULL, 0, NULL},
};

const struct screen_ops close_screen = {
    .title = "Close",
    .load = close_load,
    .draw = close_draw,
    .act = close_act,
    .close = close_close,
    .keys = close_keys,
};

/* ---- the change log ------------------------------------------------------------------------ */

#define LOG_PAGE 500

enum { LG_WHO = ACT_SCREEN, LG_WHAT, LG_WHEN, LG_REFUSED };

struct log_row {
    int64_t id;
    char at[24], user[40], action[40], entity[24];
    bool refused;
    char *text; /* detail, or the row after the change */
};

struct log_state {
    struct log_row *v;
    size_t n, cap;
    int64_t total; /* rows matching */
    struct ui_scroll sc;
    char who[64], what[64], when[64];
    bool refused_only;
};

static void log_clear(struct log_state *st)
{
    for (size_t i = 0; i < st->n; i++)
        free(st->v[i].text);
    st->n = 0;
}

static void log_load(struct screen *s)
{
    struct log_state *st = s->state;
    struct app *a = s->app;
    log_clear(st);
    char from[64] = "", to[64] = "";
    const char *dots = strstr(st->when, "..");
    if (dots) {
        snprintf(from, sizeof from, "%.*s", (int)(dots - st->when), st->when);
        snprintf(to, sizeof to, "%s", dots + 2);
    } else {
        snprintf(from, sizeof from, "%s", st->when);
        snprintf(to, sizeof to, "%s", st->when);
    }
    char *who = xasprintf("%%%s%%", st->who), *what = xasprintf("%%%s%%", st->what);
    /* The newest first, a page at a time: a large book's log is never all in memory. */
    sqlite3_stmt *q = db_prepare(
        a->book, "SELECT id, at, user, action, entity, refused, coalesce(detail, after, before, '')"
                 " FROM change_log WHERE user LIKE :who AND (action LIKE :what OR entity LIKE"
                 " :what) AND (:from = '' OR substr(at, 1, 10) >= :from) AND (:to = '' OR"
                 " substr(at, 1, 10) <= :to) AND (:refused = 0 OR refused = 1) ORDER BY id DESC"
                 " LIMIT :page");
    db_bind_text(q, ":who", who);
    db_bind_text(q, ":what", what);
    db_bind_text(q, ":from", from);
    db_bind_text(q, ":to", to);
    db_bind_int(q, ":refused", st->refused_only);
    db_bind_int(q, ":page", LOG_PAGE);
    struct err e = {0};
    int rc;
    while ((rc = db_step(a->book, q, &e)) == SQLITE_ROW) {
        st->v = xgrow(st->v, &st->cap, st->n + 1, sizeof *st->v);
        struct log_row *r = &st->v[st->n++];
        r->id = db_col_int(q, 0);
        db_col_copy(q, 1, r->at, sizeof r->at);
        db_col_copy(q, 2, r->user, sizeof r->user);
        db_col_copy(q, 3, r->action, sizeof r->action);
        db_col_copy(q, 4, r->entity, sizeof r->entity);
        r->refused = db_col_int(q, 5) != 0;
        r->text = xstrdup(db_col_text(q, 6));
    }
    if (rc < 0)
        app_message(a, true, "%s", e.msg);
    q = db_prepare(a->book, "SELECT count(*) FROM change_log");
    st->total = db_step(a->book, q, &e) == SQLITE_ROW ? db_col_int(q, 0) : 0;
    sqlite3_reset(q);
    free(who);
    free(what);
    st->sc.count = st->n;
}

static void log_draw(struct screen *s, int top, int height, int width)
{
    struct log_state *st = s->state;
    int y = top;
    ui_style(STYLE_TOTAL);
    ui_putf(y++, 1, width - 2, false,
            "Change log: %zu shown%s of %lld  who: %s  what: %s  when: %s%s", st->n,
            st->n == LOG_PAGE ? " (the newest)" : "", (long long)st->total,
            st->who[0] ? st->who : "anyone", st->what[0] ? st->what : "anything",
            st->when[0] ? st->when : "any time", st->refused_only ? "  refused only" : "");
    ui_style(STYLE_NORMAL);
    struct ui_col cols[] = {{"#", 6, true},        {"When (UTC)", 20, false},
                            {"Who", 12, false},    {"What", 20, false},
                            {"Refused", 7, false}, {"Detail or the row after", 0, false}};
    ui_table_head(y++, 1, width - 2, cols, 6);
    int rows = top + height - y;
    ui_scroll_fit(&st->sc, rows);
    for (int r = 0; r < rows; r++, y++) {
        size_t i = st->sc.top + (size_t)r;
        ui_blank(y, 0, width);
        if (i >= st->n)
            continue;
        const struct log_row *l = &st->v[i];
        char id[24];
        snprintf(id, sizeof id, "%lld", (long long)l->id);
        const char *cells[6] = {id,     l->at, l->user, l->action, l->refused ? "refused" : "",
                                l->text};
        ui_style(i == st->sc.sel ? STYLE_SELECTED : l->refused ? STYLE_ERROR : STYLE_NORMAL);
        ui_blank(y, 0, width);
        ui_table_row(y, 1, cols, 6, cells);
        ui_style(STYLE_NORMAL);
    }
}

static enum act_result log_act(struct screen *s, int action, wint_t key)
{
    (void)key;
    struct log_state *st = s->state;
    struct app *a = s->app;
    if (ui_scroll_act(&st->sc, action, 10))
        return ACT_HANDLED;
    switch (action) {
    case LG_WHO:
        if (ui_prompt(a, "Who (part of a name, blank: anyone): ", st->who, sizeof st->who))
            s->stale = true;
        return ACT_HANDLED;
    case LG_WHAT:
        if (ui_prompt(a, "What (action or entity, e.g. memo, credit.grant): ", st->what,
                      sizeof st->what))
            s->stale = true;
        return ACT_HANDLED;
    case LG_WHEN:
        if (ui_prompt(a, "When (YYYY-MM-DD or FROM..TO, blank: any time): ", st->when,
                      sizeof st->when))
            s->stale = true;
        return ACT_HANDLED;
    case LG_REFUSED:
        st->refused_only = !st->refused_only;
        s->stale = true;
        return ACT_HANDLED;
    case ACT_OPEN:
        if (st->n)
            app_message(a, false, "#%lld %s", (long long)st->v[st->sc.sel].id,
                        st->v[st->sc.sel].text);
        return ACT_HANDLED;
    }
    return ACT_UNHANDLED;
}

static void log_close(struct screen *s)
{
    struct log_state *st = s->state;
    log_clear(st);
    free(st->v);
    free(st);
}

static const struct key_binding log_keys[] = {
    {'w', "w", LG_WHO, "filter by who"},
    {'a', "a", LG_WHAT, "filter by what (action or entity)"},
    {'d', "d", LG_WHEN, "filter by when (a day or FROM..TO)"},
    {'x', "x", LG_REFUSED, "only refused writes, or all"},
    {0, NULL, 0, NULL},
};

static const struct screen_ops log_screen = {
    .title = "Change log",
    .load = log_load,
    .draw = log_draw,
    .act = log_act,
    .close = log_close,
    .keys = log_keys,
};

void open_change_log(struct app *a)
{
    app_push(a, &log_screen, xcalloc(1, sizeof(struct log_state)));
}
