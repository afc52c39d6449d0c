/*
 * app.c — the workstation: the app loop, the screen stack, the global keys and the generated
 * help, the status line, the `:` command line, signals and resizing.
 *
 * The loop draws the top screen, waits for a key (waking twice a second to notice commits made
 * by another process), and hands the key to the screen's table, then to the global one.
 * KEY_RESIZE is an ordinary key; signals only set a flag the loop reads, so no curses call ever
 * runs in a signal handler. No transaction is held open while a person types.
 */
#include <curses.h>
#include <errno.h>
#include <locale.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "model/date.h"
#include "model/xalloc.h"
#include "model/close.h"
#include "reports/report.h"
#include "tui/progress_bar.h"
#include "tui/ui.h"

void ui_init_styles(bool color);
int workstation_run(struct cli *c);

/* ---- measuring (RATABLE_KEYTIME) -------------------------------------------------------------
 *
 * With RATABLE_KEYTIME=FILE the workstation appends to FILE one line when the first screen is
 * drawn and one per key handled: the CPU time (CLOCK_PROCESS_CPUTIME_ID) and the wall time spent
 * handling the key and drawing the screen that follows, and the slowest SQL statement run
 * meanwhile. Lines are tab-separated:
 *   first  pid  cpu_ms  wall_ms  query_ms  statements  sql   (from the start of the process)
 *   key    NAME cpu_ms  wall_ms  query_ms  statements  sql
 *   idle   SCREEN cpu_ms wall_ms query_ms statements  sql  (a step of work done between keys)
 */
struct stamp {
    struct timespec cpu, wall;
};

static struct stamp process_start;
static FILE *keytime;

static struct stamp stamp_now(void)
{
    struct stamp t;
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &t.cpu);
    clock_gettime(CLOCK_MONOTONIC, &t.wall);
    return t;
}

static double ms_between(struct timespec a, struct timespec b)
{
    return (double)(b.tv_sec - a.tv_sec) * 1e3 + (double)(b.tv_nsec - a.tv_nsec) / 1e6;
}

void workstation_clock_start(void);
void workstation_clock_start(void)
{
    process_start = stamp_now();
}

static void keytime_open(struct book *b)
{
    const char *path = getenv("RATABLE_KEYTIME");
    if (!path || !*path)
        return;
    keytime = fopen(path, "a");
    if (keytime)
        book_trace(b, true);
}

static void keytime_write(struct book *b, const char *what, const char *name, struct stamp from)
{
    if (!keytime)
        return;
    struct stamp to = stamp_now();
    struct book_slowest q;
    book_trace_take(b, &q);
    for (char *p = q.sql; *p; p++)
        if (*p == '\t' || *p == '\n')
            *p = ' ';
    fprintf(keytime, "%s\t%s\t%.3f\t%.3f\t%.3f\t%lld\t%s\n", what, name,
            ms_between(from.cpu, to.cpu), ms_between(from.wall, to.wall), (double)q.ns / 1e6,
            (long long)q.statements, q.sql);
    fflush(keytime);
}

/* A key's name for the measurements: curses' name for it ("KEY_NPAGE", "^L") or the key. */
static void key_label(wint_t key, bool is_code, char *buf, size_t size)
{
    const char *n = is_code ? keyname((int)key) : NULL;
    if (n)
        snprintf(buf, size, "%s", n);
    else if (!is_code && key > 0x20 && key < 0x7f)
        snprintf(buf, size, "%c", (int)key);
    else
        snprintf(buf, size, "0x%lx", (unsigned long)key);
}

static volatile sig_atomic_t got_signal;
static bool curses_active;

static void on_signal(int sig)
{
    got_signal = sig;
}

static void end_curses(void)
{
    if (curses_active) {
        endwin();
        curses_active = false;
    }
}

static const struct key_binding global_keys[] = {
    {'?', "?", ACT_HELP, "help for this screen"},
    {'q', "q", ACT_BACK, "back (quit from the first screen)"},
    {UI_KEY_ESC, "Esc", ACT_BACK, NULL},
    {KEY_UP, "Up", ACT_UP, "move up"},
    {'k', "k", ACT_UP, NULL},
    {KEY_DOWN, "Down", ACT_DOWN, "move down"},
    {'j', "j", ACT_DOWN, NULL},
    {KEY_PPAGE, "PgUp", ACT_PAGE_UP, "page up"},
    {KEY_NPAGE, "PgDn", ACT_PAGE_DOWN, "page down"},
    {' ', "Space", ACT_PAGE_DOWN, NULL},
    {KEY_HOME, "Home", ACT_HOME, "first row"},
    {'g', "g", ACT_HOME, NULL},
    {KEY_END, "End", ACT_END, "last row"},
    {'G', "G", ACT_END, NULL},
    {KEY_LEFT, "Left", ACT_LEFT, "scroll left"},
    {'h', "h", ACT_LEFT, NULL},
    {KEY_RIGHT, "Right", ACT_RIGHT, "scroll right"},
    {'l', "l", ACT_RIGHT, NULL},
    {'\n', "Enter", ACT_OPEN, "open the selected row"},
    {KEY_ENTER, "keypad Enter", ACT_OPEN, NULL},
    {'/', "/", ACT_SEARCH, "search or filter"},
    {':', ":", ACT_COMMAND, "command line (:q, :customer CODE, :help)"},
    {'\t', "Tab", ACT_NEXT_PANE, "next pane"},
    {UI_CTRL('l'), "Ctrl-L", ACT_REDRAW, "redraw the screen"},
    {'1', "1", ACT_GOTO_CUSTOMERS, "Customers"},
    {'2', "2", ACT_GOTO_CREDITS, "Credit balances"},
    {'3', "3", ACT_GOTO_CONTRACTS, "Contracts"},
    {'4', "4", ACT_GOTO_MEMOS, "Modification memos"},
    {'5', "5", ACT_GOTO_INVOICES, "Invoices and payments"},
    {'6', "6", ACT_GOTO_REPORTS, "Reports"},
    {'7', "7", ACT_GOTO_CLOSE, "Close"},
    {'Q', "Q", ACT_QUIT, "quit the workstation"},
    {0, NULL, 0, NULL},
};

/* ---- the stack ---------------------------------------------------------------------------- */

void app_push(struct app *a, const struct screen_ops *ops, void *state)
{
    if (a->depth == (int)(sizeof a->stack / sizeof a->stack[0])) {
        app_message(a, true, "too many screens open; press q to go back");
        if (ops->close) {
            struct screen tmp = {.ops = ops, .state = state, .app = a};
            ops->close(&tmp);
        }
        return;
    }
    struct screen *s = xcalloc(1, sizeof *s);
    s->ops = ops;
    s->state = state;
    s->app = a;
    s->stale = true;
    snprintf(s->title, sizeof s->title, "%s", ops->title);
    a->stack[a->depth++] = s;
}

void app_title(struct app *a, const char *fmt, ...)
{
    if (a->depth == 0)
        return;
    struct screen *s = a->stack[a->depth - 1];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(s->title, sizeof s->title, fmt, ap);
    va_end(ap);
}

void app_pop(struct app *a)
{
    if (a->depth == 0)
        return;
    struct screen *s = a->stack[--a->depth];
    if (s->ops->close)
        s->ops->close(s);
    free(s);
}

void app_root(struct app *a, const struct screen_ops *ops, void *state)
{
    while (a->depth > 0)
        app_pop(a);
    app_push(a, ops, state);
}

void app_message(struct app *a, bool error, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(a->message, sizeof a->message, fmt, ap);
    va_end(ap);
    a->message_error = error;
}

void app_changed(struct app *a)
{
    for (int i = 0; i < a->depth; i++)
        a->stack[i]->stale = true;
    struct err e = {0};
    book_settings_get(a->book, &a->settings, &e);
    period_first_open(a->book, &a->first_open, &e);
    a->data_version = book_data_version(a->book);
}

int32_t app_today(const struct app *a)
{
    return a->cli->today;
}

/* ---- help ----------------------------------------------------------------------------------- */

struct help_state {
    const struct key_binding *screen_keys;
    const char *screen_title;
    struct ui_scroll scroll;
    char **lines;
    size_t n;
};

static void help_add(struct help_state *h, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
static void help_add(struct help_state *h, const char *fmt, ...)
{
    h->lines = xrealloc(h->lines, (h->n + 1) * sizeof *h->lines);
    char buf[256];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(buf, sizeof buf, fmt, ap);
    va_end(ap);
    h->lines[h->n++] = xstrdup(buf);
}

/* Lists a key table: each action once, with all its keys. */
static void help_table(struct help_state *h, const struct key_binding *keys)
{
    for (const struct key_binding *k = keys; k && k->key; k++) {
        if (!k->help)
            continue;
        char names[64];
        snprintf(names, sizeof names, "%s", k->name);
        for (const struct key_binding *x = k + 1; x->key && !x->help; x++)
            if (x->action == k->action && strlen(names) + strlen(x->name) + 3 < sizeof names) {
                strcat(names, ", ");
                strcat(names, x->name);
            }
        help_add(h, "  %-14s %s", names, k->help);
    }
}

static void help_load(struct screen *s)
{
    struct help_state *h = s->state;
    if (h->n)
        return;
    help_add(h, "%s", h->screen_title);
    help_table(h, h->screen_keys);
    help_add(h, "%s", "");
    help_add(h, "%s", "Everywhere");
    help_table(h, global_keys);
    h->scroll.count = h->n;
}

static void help_draw(struct screen *s, int top, int height, int width)
{
    struct help_state *h = s->state;
    ui_scroll_fit(&h->scroll, height);
    for (int r = 0; r < height; r++) {
        size_t i = h->scroll.top + (size_t)r;
        bool heading = i < h->n && h->lines[i][0] && h->lines[i][0] != ' ';
        ui_style(heading ? STYLE_TOTAL : STYLE_NORMAL);
        ui_put(top + r, 0, width, i < h->n ? h->lines[i] : "", false);
    }
    ui_style(STYLE_NORMAL);
}

static enum act_result help_act(struct screen *s, int action, wint_t key)
{
    (void)key;
    struct help_state *h = s->state;
    if (action == ACT_UP || action == ACT_PAGE_UP || action == ACT_HOME) {
        h->scroll.sel = h->scroll.top;
    } else if (action == ACT_DOWN || action == ACT_PAGE_DOWN || action == ACT_END) {
        h->scroll.sel = h->scroll.top + (size_t)s->height - 1;
    }
    return ui_scroll_act(&h->scroll, action, s->height) ? ACT_HANDLED : ACT_UNHANDLED;
}

static void help_close(struct screen *s)
{
    struct help_state *h = s->state;
    for (size_t i = 0; i < h->n; i++)
        free(h->lines[i]);
    free(h->lines);
    free(h);
}

static const struct key_binding help_keys[] = {{0, NULL, 0, NULL}};
static const struct screen_ops help_screen = {
    .title = "Help",
    .load = help_load,
    .draw = help_draw,
    .act = help_act,
    .close = help_close,
    .keys = help_keys,
};

/* ---- the command line ------------------------------------------------------------------------ */

static void run_command(struct app *a, char *line)
{
    char *cmd = strtok(line, " ");
    char *arg = strtok(NULL, " ");
    if (!cmd)
        return;
    if (strcmp(cmd, "q") == 0 || strcmp(cmd, "quit") == 0) {
        a->quit = true;
    } else if (strcmp(cmd, "help") == 0) {
        const struct screen *top = a->stack[a->depth - 1];
        struct help_state *h = xcalloc(1, sizeof *h);
        h->screen_keys = top->ops->keys;
        h->screen_title = top->ops->title;
        app_push(a, &help_screen, h);
    } else if (strcmp(cmd, "customer") == 0 && arg) {
        open_customer(a, arg);
    } else if (strcmp(cmd, "credit") == 0 && arg) {
        open_customer_credit(a, arg);
    } else if (strcmp(cmd, "statement") == 0 && arg) {
        open_statement_preview(a, arg);
    } else {
        app_message(a, true,
                    "unknown command ':%s' (try :q, :help, :customer CODE, :credit CODE,"
                    " :statement CODE)",
                    cmd);
    }
}

/* ---- frame ---------------------------------------------------------------------------------- */

static const struct {
    char key;
    const char *name;
} tabs[] = {{'1', "Customers"}, {'2', "Credit"},  {'3', "Contracts"}, {'4', "Memos"},
            {'5', "Invoices"},  {'6', "Reports"}, {'7', "Close"}};

void ui_draw_frame(struct app *a);
void ui_draw_frame(struct app *a)
{
    int rows = LINES, cols = COLS;
    struct screen *s = a->stack[a->depth - 1];
    /* Title bar: where we are, and the screens a key away. */
    ui_style(STYLE_TITLE);
    char title[256];
    snprintf(title, sizeof title, " %s", s->title);
    char right[256] = "";
    for (size_t i = 0; i < sizeof tabs / sizeof tabs[0]; i++) {
        size_t n = strlen(right);
        snprintf(right + n, sizeof right - n, "%c %s  ", tabs[i].key, tabs[i].name);
    }
    strncat(right, "? help ", sizeof right - strlen(right) - 1);
    int rw = (int)strlen(right);
    if (cols - rw < (int)strlen(title) + 2)
        rw = 0; /* too narrow: the screen's name matters more than the hints */
    ui_put(0, 0, cols - rw, title, false);
    if (rw)
        ui_put(0, cols - rw, rw, right, true);
    ui_style(STYLE_NORMAL);

    /* Status line: the book, the company, the working date, who; then the message. */
    ui_style(STYLE_STATUS);
    const char *path = book_path(a->book);
    const char *base = strrchr(path, '/');
    char status[512], open[PERIOD_BUF] = "-";
    if (a->first_open != DATE_NONE)
        period_format(a->first_open, open, sizeof open);
    snprintf(status, sizeof status, " %s | %s | %s | open %s | %s ", base ? base + 1 : path,
             a->settings.company, ui_date(a->cli->today), open, book_user(a->book));
    int sw = (int)strlen(status);
    if (sw > cols)
        sw = cols;
    ui_put(rows - 1, 0, sw, status, false);
    ui_style(a->message_error ? STYLE_ERROR : STYLE_NORMAL);
    ui_put(rows - 1, sw, cols - sw, a->message[0] ? a->message : "", false);
    ui_style(STYLE_NORMAL);
    /* The body last: a form leaves the cursor in its field. */
    curs_set(0);
    int height = rows - 2;
    if (height > 0) {
        s->height = height;
        s->width = cols;
        s->ops->draw(s, 1, height, cols);
    }
}

/* ---- keys ----------------------------------------------------------------------------------- */

/* The action bound to a key; a curses KEY_ code never matches a character of the same value. */
static int action_of(const struct key_binding *keys, wint_t key, bool is_code)
{
    for (const struct key_binding *k = keys; k && k->key; k++)
        if ((wint_t)k->key == key && (k->key >= KEY_MIN) == is_code)
            return k->action;
    return ACT_NONE;
}

static void global_action(struct app *a, int action)
{
    switch (action) {
    case ACT_BACK:
        if (a->depth > 1)
            app_pop(a);
        else if (ui_confirm(a, "Quit the workstation?"))
            a->quit = true;
        break;
    case ACT_QUIT:
        a->quit = true;
        break;
    case ACT_HELP: {
        const struct screen *top = a->stack[a->depth - 1];
        if (top->ops == &help_screen)
            break;
        struct help_state *h = xcalloc(1, sizeof *h);
        h->screen_keys = top->ops->keys;
        h->screen_title = top->ops->title;
        app_push(a, &help_screen, h);
        break;
    }
    case ACT_COMMAND: {
        char line[256] = "";
        if (ui_prompt(a, ":", line, sizeof line))
            run_command(a, line);
        break;
    }
    case ACT_REDRAW:
        clearok(curscr, TRUE);
        break;
    case ACT_GOTO_CUSTOMERS:
        app_root(a, &customers_screen, NULL);
        break;
    case ACT_GOTO_CREDITS:
        app_root(a, &credits_screen, NULL);
        break;
    case ACT_GOTO_INVOICES:
        app_root(a, &invoices_screen, NULL);
        break;
    case ACT_GOTO_CONTRACTS:
        app_root(a, &contracts_screen, NULL);
        break;
    case ACT_GOTO_MEMOS:
        app_root(a, &memos_screen, NULL);
        break;
    case ACT_GOTO_REPORTS:
        app_root(a, &reports_screen, NULL);
        break;
    case ACT_GOTO_CLOSE:
        app_root(a, &close_screen, NULL);
        break;
    default:
        break;
    }
}

/* Reads one key, waking every half second; ERR when none came. */
int ui_read_key(wint_t *key, bool *is_code);
int ui_read_key(wint_t *key, bool *is_code)
{
    int rc = got_signal ? ERR : get_wch(key);
    if (rc == ERR && !got_signal) {
        /* No key in time, or no terminal any more (a dropped connection): reading would fail
         * at once, for ever. */
        struct pollfd fd = {.fd = STDIN_FILENO, .events = POLLIN};
        if (poll(&fd, 1, 0) > 0 && (fd.revents & (POLLHUP | POLLERR | POLLNVAL)))
            got_signal = SIGHUP;
    }
    if (got_signal) {
        /* Stopping: a prompt, a question or a form waiting for a key is left as Esc leaves it
         * (nothing written), and the loop ends. */
        *key = UI_KEY_ESC;
        *is_code = false;
        return OK;
    }
    if (rc == ERR)
        return ERR;
    *is_code = rc == KEY_CODE_YES;
    return OK;
}

/* A key is waiting to be read (or the terminal went away: reading will tell): on the terminal,
 * or already read by curses and put back (keys typed ahead during a long query). */
static bool key_waiting(void)
{
    struct pollfd fd = {.fd = STDIN_FILENO, .events = POLLIN};
    if (poll(&fd, 1, 0) != 0)
        return true;
    timeout(0);
    wint_t ch;
    int rc = get_wch(&ch);
    timeout(500);
    if (rc == ERR)
        return false;
    if (rc == KEY_CODE_YES)
        ungetch((int)ch);
    else
        unget_wch((wchar_t)ch);
    return true;
}

static void dispatch(struct app *a, wint_t key, bool is_code)
{
    struct screen *s = a->stack[a->depth - 1];
    a->key_is_code = is_code;
    if (s->ops->raw_keys) {
        int own = is_code || key < 0x20 ? action_of(s->ops->keys, key, is_code) : ACT_NONE;
        if (s->ops->act(s, own, key) == ACT_HANDLED)
            return;
        int action = is_code || key < 0x20 ? action_of(global_keys, key, is_code) : ACT_NONE;
        if (action == ACT_BACK || action == ACT_HELP || action == ACT_REDRAW)
            global_action(a, action);
        return;
    }
    int action = action_of(s->ops->keys, key, is_code);
    if (action == ACT_NONE)
        action = action_of(global_keys, key, is_code);
    if (!is_code && key == '\r')
        action = ACT_OPEN;
    if (action == ACT_NONE && !(is_code && key == KEY_RESIZE)) {
        if (!is_code && key >= 0x20 && key < 0x7f)
            app_message(a, true, "'%lc' does nothing here; press ? for the keys of this screen",
                        (wint_t)key);
        return;
    }
    a->message[0] = '\0';
    a->message_error = false;
    if (s->ops->act && s->ops->act(s, action, key) == ACT_HANDLED)
        return;
    global_action(a, action);
}

static void on_oom(void)
{
    end_curses();
}

/* ---- long operations ------------------------------------------------------------------------
 * A close, a billing run or an export reports its progress (model/progress.h) to this one tick:
 * after a third of a second it draws a bar on the status line, and it watches the keyboard, so
 * Esc (or Ctrl-C) stops the operation, which then undoes what it wrote. Every key the loop
 * dispatches starts a new operation. */
static struct {
    struct progress p;
    int64_t started, polled, drawn;
    bool cancel;
    const char *what; /* the last step named, shown while a long query runs */
    uint64_t done, total;
} busy;

static int64_t mono_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

static bool busy_tick(void *ctx, const char *what, uint64_t done, uint64_t total)
{
    (void)ctx;
    if (got_signal)
        return true;
    int64_t t = mono_ns();
    if (t - busy.polled >= 50000000) {
        busy.polled = t;
        /* Esc or Ctrl-C stops; other keys typed ahead are put back, in order, for the loop. */
        timeout(0);
        wint_t keys[64];
        bool codes[64];
        int n = 0, rc;
        wint_t ch;
        while ((rc = get_wch(&ch)) != ERR) {
            if (rc != KEY_CODE_YES && (ch == UI_KEY_ESC || ch == 3))
                busy.cancel = true;
            else if (n < 64) {
                keys[n] = ch;
                codes[n++] = rc == KEY_CODE_YES;
            }
        }
        timeout(500);
        while (!busy.cancel && n-- > 0) {
            if (codes[n])
                ungetch((int)keys[n]);
            else
                unget_wch((wchar_t)keys[n]);
        }
    }
    if (what) {
        busy.what = what;
        busy.done = done;
        busy.total = total;
    } else {
        what = busy.what ? busy.what : "working";
        done = busy.done;
        total = busy.total;
    }
    if (!busy.cancel && t - busy.started > 300000000 && t - busy.drawn > 100000000) {
        busy.drawn = t;
        char bar[21];
        progress_bar_cells(bar, 20, done, total);
        ui_style(STYLE_STATUS);
        if (total > 0)
            ui_putf(LINES - 1, 0, COLS, false, " %s [%s] %llu of %llu   Esc stops", what, bar,
                    (unsigned long long)done, (unsigned long long)total);
        else
            ui_putf(LINES - 1, 0, COLS, false, " %s %llu   Esc stops", what,
                    (unsigned long long)done);
        ui_style(STYLE_NORMAL);
        refresh();
    }
    return busy.cancel;
}

int workstation_run(struct cli *c)
{
    struct book *b = cli_open(c);
    if (!b)
        return EXIT_FAIL;
    if (!isatty(STDIN_FILENO) || !isatty(STDOUT_FILENO)) {
        fprintf(stderr, "ratable: the workstation needs a terminal; see ratable --help for the"
                        " command line\n");
        return EXIT_USAGE;
    }
    struct app a = {.cli = c, .book = b};
    struct err e = {0};
    if (book_settings_get(b, &a.settings, &e) != ERR_OK)
        return cli_fail(&e);
    period_first_open(b, &a.first_open, &e);
    a.data_version = book_data_version(b);
    const char *no_color = getenv("NO_COLOR");
    a.color = !(no_color && *no_color);

    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_signal;
    sigemptyset(&sa.sa_mask);
    sa.sa_flags = 0; /* no SA_RESTART: a pending read returns so the loop sees the flag */
    sigaction(SIGINT, &sa, NULL);
    sigaction(SIGTERM, &sa, NULL);
    sigaction(SIGHUP, &sa, NULL);
    xalloc_set_oom_hook(on_oom);
    atexit(end_curses);

    initscr();
    curses_active = true;
    raw();
    noecho();
    keypad(stdscr, TRUE);
    set_escdelay(25);
    curs_set(0);
    ui_init_styles(a.color);
    timeout(500);

    /* Progress goes to the status line, never to standard error under the screen. */
    busy.p.tick = busy_tick;
    book_set_progress(b, &busy.p);
    report_set_progress(&busy.p);
    keytime_open(b);
    bool first = true;
    struct stamp key_start = process_start;
    char key_name[32] = "";

    app_push(&a, &customers_screen, NULL);
    while (!a.quit && a.depth > 0 && !got_signal) {
        /* Another process committed: everything on screen may be out of date. */
        int64_t v = book_data_version(b);
        if (v != a.data_version) {
            app_changed(&a);
            app_message(&a, false, "the book changed in another window; reloaded");
        }
        struct screen *s = a.stack[a.depth - 1];
        if (s->stale) {
            s->stale = false;
            if (s->ops->load)
                s->ops->load(s);
            if (a.depth == 0 || a.stack[a.depth - 1] != s)
                continue; /* loading pushed or popped a screen */
        }
        /* erase() only clears the buffer: curses sends the terminal what changed. */
        s->redraw = false;
        erase();
        ui_draw_frame(&a);
        wnoutrefresh(stdscr);
        doupdate();
        if (first) {
            char pid[24];
            snprintf(pid, sizeof pid, "%ld", (long)getpid());
            keytime_write(b, "first", pid, key_start);
            first = false;
        } else if (key_name[0]) {
            keytime_write(b, "key", key_name, key_start);
        }
        key_name[0] = '\0';
        /* Rows ahead are fetched while no key is waiting, a few at a time, and without the
         * progress hook: it would read (and drop) the keys typed meanwhile. */
        book_set_progress(b, NULL);
        while (s->ops->idle && !key_waiting()) {
            struct stamp idle_start = keytime ? stamp_now() : process_start;
            if (keytime) {
                struct book_slowest ignore;
                book_trace_take(b, &ignore);
            }
            if (!s->ops->idle(s))
                break;
            keytime_write(b, "idle", s->ops->title, idle_start);
        }
        if (s->redraw && !key_waiting()) {
            s->redraw = false;
            continue;
        }
        book_set_progress(b, &busy.p);
        wint_t key;
        bool is_code = false;
        if (ui_read_key(&key, &is_code) == ERR || got_signal)
            continue;
        busy.started = mono_ns();
        busy.cancel = false;
        busy.what = NULL;
        report_set_progress(&busy.p); /* and clears an earlier export's cancel */
        if (keytime) {
            key_label(key, is_code, key_name, sizeof key_name);
            struct book_slowest ignore;
            book_trace_take(b, &ignore);
            key_start = stamp_now();
        }
        dispatch(&a, key, is_code);
    }
    if (keytime)
        fclose(keytime);
    while (a.depth > 0)
        app_pop(&a);
    end_curses();
    if (got_signal) {
        fprintf(stderr, "ratable: stopped by signal %d; nothing was left half-written\n",
                (int)got_signal);
        return 128 + (int)got_signal;
    }
    return EXIT_OK;
}
