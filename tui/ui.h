/*
 * ui.h — the workstation's framework: the app, its stack of screens, key tables, drawing
 * helpers, forms and the widgets the screens share. Only tui/ includes curses.
 *
 * A screen is a table of operations over private state. Keys map to named actions through one
 * table per screen plus a global one; the `?` help screen is generated from those same tables,
 * so it cannot drift from the bindings. A screen handles its own actions and returns the rest to
 * the generic handler. Data flows one way: key -> screen -> model call (one transaction) ->
 * app_changed() marks every screen stale -> each reloads before it is drawn again. Commits made
 * by another process are noticed through PRAGMA data_version and reload the screens too.
 */
#ifndef RATABLE_UI_H
#define RATABLE_UI_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <wchar.h>

#include "model/book.h"
#include "tui/cli.h"

#define UI_KEY_ESC 27
#define UI_CTRL(c) ((c)&0x1f)

/* Actions shared by every screen; screens number their own from ACT_SCREEN. */
enum ui_action {
    ACT_NONE,
    ACT_UP,
    ACT_DOWN,
    ACT_PAGE_UP,
    ACT_PAGE_DOWN,
    ACT_HOME,
    ACT_END,
    ACT_LEFT,
    ACT_RIGHT,
    ACT_OPEN,
    ACT_BACK,
    ACT_HELP,
    ACT_SEARCH,
    ACT_COMMAND,
    ACT_NEXT_PANE,
    ACT_REDRAW,
    ACT_QUIT,
    ACT_GOTO_CUSTOMERS,
    ACT_GOTO_CREDITS,
    ACT_GOTO_CONTRACTS,
    ACT_GOTO_MEMOS,
    ACT_GOTO_INVOICES,
    ACT_GOTO_REPORTS,
    ACT_GOTO_CLOSE,
    ACT_SCREEN = 100,
};

struct key_binding {
    int key;          /* a character or a curses KEY_ code */
    const char *name; /* as shown in help: "j", "Enter", "PgDn" */
    int action;
    const char *help; /* NULL: not listed (an alias of the line above) */
};

enum act_result {
    ACT_UNHANDLED,
    ACT_HANDLED,
};

struct app;
struct screen;

struct screen_ops {
    const char *title;
    /* Loads the screen's data; called when it opens and whenever it is stale. */
    void (*load)(struct screen *s);
    /* Draws the body in rows [top, top + height) of the terminal, width columns. */
    void (*draw)(struct screen *s, int top, int height, int width);
    enum act_result (*act)(struct screen *s, int action, wint_t key);
    void (*close)(struct screen *s); /* frees the state */
    const struct key_binding *keys;  /* terminated by key 0 */
    bool raw_keys;                   /* typing screen (a form): every key goes to act first */
    /* Work to do while no key is waiting (fetching rows ahead); true while there is more. */
    bool (*idle)(struct screen *s);
};

struct screen {
    const struct screen_ops *ops;
    void *state;
    struct app *app;
    bool stale;
    bool redraw;       /* work done between keys changed what it shows: draw it again */
    int height, width; /* of the body at the last draw */
    char title[128];   /* the title bar; ops->title unless the screen names itself */
};

/* ---- the app ------------------------------------------------------------------------------ */

struct app {
    struct cli *cli;
    struct book *book;
    struct book_settings settings;
    struct screen *stack[16];
    int depth;
    char message[512];
    bool message_error;
    bool quit;
    bool color;
    bool key_is_code; /* the key being handled is a curses KEY_ code, not a character */
    int64_t data_version;
    int32_t first_open; /* the first month not closed (status line) */
};

/* Opens a screen on top of the stack; the state is the screen's own (freed by its close). */
void app_push(struct app *a, const struct screen_ops *ops, void *state);
/* Names the top screen in the title bar ("Customer ACME"). */
void app_title(struct app *a, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Closes the top screen. */
void app_pop(struct app *a);
/* Replaces the whole stack by one root screen (the 1..7 keys). */
void app_root(struct app *a, const struct screen_ops *ops, void *state);
/* The status line message; errors are shown as such. */
void app_message(struct app *a, bool error, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
/* After a write: every screen reloads before it is drawn again. */
void app_changed(struct app *a);
int32_t app_today(const struct app *a);

/* ---- drawing ------------------------------------------------------------------------------ */

enum ui_style {
    STYLE_NORMAL,
    STYLE_TITLE,    /* screen title bar */
    STYLE_HEADER,   /* column headings */
    STYLE_SELECTED, /* the selected row */
    STYLE_TOTAL,    /* totals */
    STYLE_ERROR,    /* error text */
    STYLE_DIM,      /* secondary text */
    STYLE_STATUS,   /* the status line */
    STYLE_FIELD,    /* an input field */
    STYLE_GOOD,     /* a passed check */
};

void ui_style(enum ui_style s);
/* Writes text at (y, x) in exactly `width` columns: truncated by display width (with a final
 * ellipsis when it does not fit) or padded with blanks; right-aligned when `right`. */
void ui_put(int y, int x, int width, const char *text, bool right);
/* Fills a row with blanks in the current style. */
void ui_blank(int y, int x, int width);
/* printf into ui_put. */
void ui_putf(int y, int x, int width, bool right, const char *fmt, ...)
    __attribute__((format(printf, 5, 6)));

/* ---- a scrolling selection ------------------------------------------------------------------ */

struct ui_scroll {
    size_t count; /* rows in all */
    size_t sel;   /* selected row */
    size_t top;   /* first visible row */
};
/* Moves the selection for a navigation action within `visible` rows; true when it handled it. */
bool ui_scroll_act(struct ui_scroll *s, int action, int visible);
/* Keeps the selection visible. */
void ui_scroll_fit(struct ui_scroll *s, int visible);

/* ---- a list paged from the book ------------------------------------------------------------
 *
 * A long list holds the rows on screen and at most a screenful on either side of them (its
 * rows held), and fetches others by keyset paging (enum page_seek): moving within the rows held
 * costs no query; moving a row past them costs a query of one row; a page past them, or to an
 * end not held, a query of a screenful. While no key is waiting, ui_pager_idle fetches the
 * screenful on either side a few rows at a time, so paging usually finds its rows held. The
 * screen owns the rows; the pager decides what to fetch and where the selection goes. */
enum ui_pager_take {
    PAGER_DROP,   /* frees the rows fetched */
    PAGER_ALL,    /* they replace the rows held */
    PAGER_BEFORE, /* they go before the rows held */
    PAGER_AFTER,  /* after */
};
/* The anchor of a fetch that reads on from where the last one in its direction stopped short. */
#define UI_PAGER_STOP SIZE_MAX
struct ui_pager_ops {
    /* Fetches up to `limit` rows from `seek`, relative to row `anchor` of the rows held (or
     * UI_PAGER_STOP), into a new set kept aside; returns how many, or -1 (the screen shows the
     * error). With a filter, a fetch may stop short at its reach (see enum page_seek) before the
     * end of the list: it sets *cut, and the screen keeps where it stopped, for UI_PAGER_STOP. */
    long (*fetch)(void *ctx, enum page_seek seek, size_t anchor, size_t limit, bool *cut);
    /* Takes the rows kept aside as `how` says. */
    void (*adopt)(void *ctx, enum ui_pager_take how);
    /* Frees k rows held, from the front or the back. */
    void (*trim)(void *ctx, bool front, size_t k);
    /* The id of row i of the rows held. */
    int64_t (*id)(void *ctx, size_t i);
};

struct ui_pager {
    const struct ui_pager_ops *ops;
    void *ctx;
    size_t n;              /* rows held */
    size_t top;            /* the first row on screen, in the rows held */
    size_t sel;            /* the selected row, in the rows held */
    int visible;           /* rows on screen when full */
    bool at_start, at_end; /* the rows held begin (end) the list */
    /* Past the rows held (before them) the list was read up to where a fetch stopped short: the
     * next fetch that way reads on from there (UI_PAGER_STOP). */
    bool cut_after, cut_before;
    /* The most rows of the list a fetch reads for a filter (the query's reach): UI_PAGE_REACH at
     * first, then sized to take a few milliseconds. */
    size_t reach;
};

/* Rows fetched at a time while no key is waiting: a key that comes meanwhile waits for no more
 * than these. */
#define UI_IDLE_ROWS 8

/* The first rows. */
void ui_pager_first(struct ui_pager *p, int visible);
/* The rows on screen again (after a change, or when the screen's height changed), keeping the
 * selected row selected when it is still there. */
void ui_pager_reload(struct ui_pager *p, int visible);
/* Moves the selection for a navigation action; true when it handled it. */
bool ui_pager_act(struct ui_pager *p, int action);
/* Fetches up to `chunk` rows of the screenful before or after those on screen, or reads on
 * where a fetch stopped short; true when it did (call again while no key is waiting), false when
 * both are held. Sets the screen to be drawn again when what it shows changed. */
bool ui_pager_idle(struct ui_pager *p, size_t chunk, struct screen *s);
/* The rows on screen do not fill it and the list is still being read for more. */
bool ui_pager_reading(const struct ui_pager *p);
/* Says so below the rows on screen, the first of them on line y ("searching `many`" while none
 * is found yet); true when it did, false when the screen shows all there is. */
bool ui_pager_draw_reading(const struct ui_pager *p, int y, int x, int width, const char *many);
/* The most rows of a long list the first fetch reads for a filter (its query's reach; see
 * struct ui_pager), so a key never waits long on a search that few rows match. */
#define UI_PAGE_REACH 4096

/* ---- a list's count, worked out between keys ------------------------------------------------
 *
 * Counting a long list with a filter, or with a balance worked out per row, takes longer than a
 * key may wait. The count goes a slice of ids at a time (struct id_slice): one when the list
 * loads, which counts all of a small book's, and the rest while no key is waiting, each slice
 * sized to take a few milliseconds. Until it is done the screen says it is counting. */
struct ui_counter {
    /* Counts the slice for the screen's query; on an error it shows it and returns it. */
    int (*count)(void *ctx, struct id_slice *s);
    void *ctx;
    int64_t first; /* ids in the first slice (counted within the key); 0: 1,024 */
    int64_t next;  /* the first id not yet counted */
    int64_t span;  /* ids in the next slice */
    size_t n;      /* rows counted so far */
    bool done;     /* n is the count (or counting failed: then `failed`) */
    bool failed;
};

/* Starts the count over and counts its first slice. */
void ui_counter_start(struct ui_counter *c);
/* Counts the next slice; true when it did (call again while no key is waiting), false when the
 * count is done. Sets the screen to be drawn again when it finishes. */
bool ui_counter_idle(struct ui_counter *c, struct screen *s);
/* "5588 invoices" once counted, else "counting invoices": `one` and `many` name a row. */
const char *ui_counter_text(const struct ui_counter *c, const char *one, const char *many,
                            char *buf, size_t size);

/* For screens' adopt and trim: joins the `more_n` rows at *more (freed) before or after the *n
 * rows at *rows; cuts k rows from the front or back, each freed by free_row if not NULL. The
 * arrays are pointers to arrays of elements of `size` bytes. */
void ui_rows_join(void *rows, size_t *n, size_t *cap, void *more, size_t *more_n, size_t size,
                  bool front);
void ui_rows_cut(void *rows, size_t *n, size_t size, bool front, size_t k,
                 void (*free_row)(void *));

/* ---- tables on screen ----------------------------------------------------------------------- */

struct ui_col {
    const char *title;
    int width; /* columns; 0: takes what is left */
    bool right;
};
/* Lays out the columns in `width` (flexible ones share what is left) and draws the heading. */
void ui_table_head(int y, int x, int width, struct ui_col *cols, int ncols);
/* Draws one row of cells (already formatted) under the heading laid out by ui_table_head. */
void ui_table_row(int y, int x, const struct ui_col *cols, int ncols, const char *const *cells);

/* ---- prompts and forms ---------------------------------------------------------------------- */

#define FIELD_MAX   512
#define FORM_FIELDS 16

struct form_field {
    const char *label;
    const char *hint;     /* shown dimmed when the field is empty */
    char text[FIELD_MAX]; /* UTF-8, NUL-terminated; never allocated */
    size_t cursor;        /* byte offset */
    size_t scroll;        /* first byte shown */
    char error[160];      /* shown beside the field */
    bool readonly;
};

struct form;
/* Saves the form: returns ERR_OK to close it, or an error with *bad set to the field at fault
 * (or -1 for none) so the form stays, keeps what was typed, and shows the message beside it. */
typedef int (*form_save_fn)(struct form *f, struct app *a, void *ctx, int *bad, struct err *e);

struct form {
    char title[128];
    struct form_field fields[FORM_FIELDS];
    int n;
    int focus;
    form_save_fn save;
    void *ctx; /* passed to save; freed with free() when the form closes if owned */
    bool owns_ctx;
    bool dirty;
    char note[256]; /* a line of explanation above the fields */
    /* Set by save to run once the form has closed (to open what was asked for). */
    void (*then)(struct app *a, void *data);
    void *then_data;
};

/* Opens a form screen. Fields are added with form_field before it is shown. */
struct form *form_new(const char *title, form_save_fn save, void *ctx, bool owns_ctx);
int form_field(struct form *f, const char *label, const char *initial, const char *hint);
void form_show(struct app *a, struct form *f);
const char *form_text(const struct form *f, int i);

/* The line editor: applies a key to a field; true when the key was an editing key. */
bool field_key(struct form_field *fl, wint_t key, bool is_key_code);

/* A yes/no question on the status line; returns true for yes. */
bool ui_confirm(struct app *a, const char *question);
/* A one-line prompt on the status line; false when cancelled. buf keeps what is typed. */
bool ui_prompt(struct app *a, const char *label, char *buf, size_t size);

/* ---- screens ------------------------------------------------------------------------------ */

extern const struct screen_ops customers_screen;
extern const struct screen_ops contracts_screen;
extern const struct screen_ops credits_screen;
extern const struct screen_ops invoices_screen;
extern const struct screen_ops reports_screen;
extern const struct screen_ops memos_screen;
extern const struct screen_ops close_screen;
/* The change log, newest first, with filters by who, what and when. */
void open_change_log(struct app *a);

/* A modification memo in full (approve, post), and the guided memo for a contract (prefill: the
 * answers of a preview being edited again, or NULL). */
struct memo_fields;
void open_memo(struct app *a, const char *number);
void form_memo(struct app *a, const char *contract, const struct memo_fields *prefill);

/* Opens a contract, the guided new-contract flow, an invoice. */
void open_contract(struct app *a, const char *code);
void open_contract_wizard(struct app *a, const char *customer);
void form_obligation(struct app *a, const char *contract);
void open_invoice(struct app *a, const char *number);
/* Opens a customer's detail, credit, statement preview. */
void open_customer(struct app *a, const char *code);
void open_customer_credit(struct app *a, const char *code);
void open_statement_preview(struct app *a, const char *code);
/* Shows a built report in the grid viewer (takes ownership of it). */
struct report;
void open_report_view(struct app *a, struct report *r, const char *default_file);
/* A report to show once a form has closed (form.then = open_pending_view). */
struct pending_view {
    struct report *report;
    char file[256];
};
void open_pending_view(struct app *a, void *pending_view);
/* Forms that several screens open. */
void form_customer(struct app *a, const char *code);
void form_invoice(struct app *a, const char *customer);
void form_payment(struct app *a, const char *customer, const char *invoice);
void form_grant(struct app *a, const char *customer);

/* Formats money with grouping into a rotating buffer, for screens. */
const char *ui_money(int64_t minor, int exponent);
const char *ui_date(int32_t d);

#endif
