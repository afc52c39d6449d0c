/*
 * ledger_db.c — the queries behind the revenue reports.
 */
#include "model/ledger.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "model/close.h"
#include "model/date.h"
#include "model/db.h"
#include "model/text.h"
#include "model/xalloc.h"

/*
 * The plans of a currency are read by one query, customer by customer (the customers' index
 * gives the order, so only each customer's own rows are sorted), and what was posted in closed
 * months by another over every currency, in the same order, beside it. The cursors of a
 * report's currencies (its tables, read one after another) share the second, each taking its
 * own currency's rows: the postings are read once however many currencies the book has. A
 * cursor that asks again for rows the queries have passed (a second pass over its table)
 * starts them again.
 */
static struct plan_reader {
    struct book *b;
    int32_t last;      /* the last closed month the queries read for */
    sqlite3_stmt *st;  /* the plans' lines */
    int rc;            /* of its last step: SQLITE_ROW with a row at hand */
    sqlite3_stmt *pst; /* what was posted */
    int prc;           /* of its last step */
    char pused[4];     /* the currency whose postings were read last; "" none */
    bool fresh;        /* at the first row of a currency none has read yet */
    const void *owner; /* the cursor reading */
    struct err err;    /* why the queries failed */
} reader;

struct plan_cursor {
    struct book *b;
    char currency[4];
    int32_t last; /* the last closed month, DATE_NONE when none */
    struct obligation_plan plan;
    struct plan_line *lines;
    size_t cap;
};

/* -1, 0 or 1 as the posting at hand comes before, with or after plan p. */
static int posted_vs_plan(sqlite3_stmt *st, const struct obligation_plan *p)
{
    int c = strcmp(db_col_text(st, 0), p->currency);
    if (!c)
        c = strcmp(db_col_text(st, 1), p->customer);
    if (!c)
        c = strcmp(db_col_text(st, 2), p->contract);
    if (!c) {
        int64_t seq = db_col_int(st, 3);
        c = seq < p->seq ? -1 : seq > p->seq;
    }
    return c < 0 ? -1 : c > 0;
}

static void add_line(struct plan_cursor *c, int32_t period, struct money amount)
{
    c->lines = xgrow(c->lines, &c->cap, c->plan.n + 1, sizeof *c->lines);
    c->lines[c->plan.n].period = period;
    c->lines[c->plan.n++].amount = amount;
}

/*
 * A closed month shows what was posted in it, not what the plan says now: a memo or a
 * correction after the close changes the plan of a closed month, but its revenue was booked in
 * the first open month, and that is where the difference shows. So a report for a closed month
 * reads the same however often it is made. Rebuilds the plan's lines: posted for closed months,
 * the plan after, and what the plan moved in closed months added to the first open one.
 */
static int closed_months_as_posted(struct plan_cursor *c, struct err *e)
{
    struct obligation_plan *p = &c->plan;
    int32_t last = c->last;
    int64_t moved = 0;
    size_t kept = 0;
    for (size_t k = 0; k < p->n; k++) {
        if (c->lines[k].period <= last)
            moved += c->lines[k].amount.minor;
        else
            c->lines[kept++] = c->lines[k];
    }
    p->n = kept;
    struct err ignore;
    snprintf(reader.pused, sizeof reader.pused, "%s", c->currency);
    while (reader.prc == SQLITE_ROW && posted_vs_plan(reader.pst, p) < 0)
        reader.prc = db_step(c->b, reader.pst, e);
    while (reader.prc == SQLITE_ROW && posted_vs_plan(reader.pst, p) == 0) {
        int32_t period;
        period_parse(db_col_text(reader.pst, 4), &period, &ignore);
        struct money amount = db_col_money(reader.pst, 5);
        moved -= amount.minor;
        add_line(c, period, amount);
        reader.prc = db_step(c->b, reader.pst, e);
    }
    if (reader.prc < 0)
        return e->code;
    if (moved) {
        size_t k = 0;
        while (k < p->n && c->lines[k].period != last + 1)
            k++;
        if (k == p->n)
            add_line(c, last + 1, money_of(0));
        c->lines[k].amount.minor += moved;
    }
    /* In period order. */
    struct plan_line *v = c->lines;
    for (size_t a = 1; a < p->n; a++)
        for (size_t z = a; z > 0 && v[z - 1].period > v[z].period; z--) {
            struct plan_line t = v[z];
            v[z] = v[z - 1];
            v[z - 1] = t;
        }
    return ERR_OK;
}

/* The currency of the plans' row at hand. */
static const char *reader_currency(void)
{
    return db_col_text(reader.st, 11);
}

void plan_cursor_rewind(struct plan_cursor *c)
{
    reader.owner = c;
    if (reader.st && reader.b == c->b && reader.last == c->last && reader.fresh &&
        reader.rc == SQLITE_ROW && strcmp(reader_currency(), c->currency) == 0)
        return; /* at this currency's first row already */
    /* The postings go on from where the last currency left them, unless this one's were read. */
    bool keep = reader.pst && reader.b == c->b && reader.last == c->last && reader.prc >= 0 &&
                strcmp(reader.pused, c->currency) < 0;
    if (!keep) {
        reader.prc = SQLITE_DONE;
        reader.pst = NULL;
        reader.pused[0] = '\0';
    }
    reader.b = c->b;
    reader.last = c->last;
    reader.err = (struct err){0};
    if (c->last != DATE_NONE && !keep) {
        reader.pst = db_prepare(
            c->b, "SELECT c.currency, c.code, k.code, o.seq, substr(e.entry_date, 1, 7),"
                  " sum(r.amount) FROM recognition_postings r JOIN journal_entries e ON e.id ="
                  " r.entry_id JOIN obligations o ON o.id = r.obligation_id JOIN contracts k ON"
                  " k.id = o.contract_id JOIN customers c ON c.id = k.customer_id WHERE"
                  " e.entry_date <= :d AND k.status <> 'draft' GROUP BY r.obligation_id, 5"
                  " ORDER BY 1, 2, 3, 4, 5");
        db_bind_date(reader.pst, ":d", period_last_day(c->last));
        reader.prc = db_step(c->b, reader.pst, &reader.err);
    }
    reader.st = db_prepare(
        c->b, "SELECT o.id, k.id, c.code, k.code, o.seq, o.name, cur.exponent, o.pattern, CASE"
              " WHEN o.pattern = 'usage' THEN (SELECT coalesce(sum(u.amount), 0) FROM"
              " usage_records u WHERE u.obligation_id = o.id) ELSE o.allocated END, l.period,"
              " l.amount, c.currency FROM customers c CROSS JOIN contracts k ON k.customer_id ="
              " c.id CROSS JOIN obligations o ON o.contract_id = k.id JOIN currencies cur ON"
              " cur.code = c.currency LEFT JOIN schedule_lines l ON l.obligation_id = o.id AND"
              " l.version = o.schedule_version WHERE c.currency = :currency AND k.status <>"
              " 'draft' ORDER BY c.code, k.code, o.seq, l.period");
    db_bind_text(reader.st, ":currency", c->currency);
    reader.rc = reader.prc < 0 ? -1 : db_step(c->b, reader.st, &reader.err);
    reader.fresh = true;
}

struct plan_cursor *plan_cursor_open(struct book *b, const char *currency, struct err *e)
{
    int32_t last;
    if (period_last_closed(b, &last, e) != ERR_OK)
        return NULL;
    struct plan_cursor *c = xcalloc(1, sizeof *c);
    c->b = b;
    snprintf(c->currency, sizeof c->currency, "%s", currency);
    c->last = last;
    return c;
}

int plan_cursor_next(struct plan_cursor *c, const struct obligation_plan **plan,
                     const struct plan_line **lines, struct err *e)
{
    if (reader.owner != c)
        plan_cursor_rewind(c);
    if (reader.rc < 0) {
        *e = reader.err;
        return -1;
    }
    if (reader.rc != SQLITE_ROW || strcmp(reader_currency(), c->currency) != 0) {
        reader.fresh = true; /* at the next currency's first row, or the end */
        return 0;
    }
    reader.fresh = false;
    sqlite3_stmt *st = reader.st;
    struct obligation_plan *p = &c->plan;
    memset(p, 0, sizeof *p);
    struct err ignore;
    p->obligation_id = db_col_int(st, 0);
    p->contract_id = db_col_int(st, 1);
    db_col_copy(st, 2, p->customer, sizeof p->customer);
    db_col_copy(st, 3, p->contract, sizeof p->contract);
    p->seq = (int)db_col_int(st, 4);
    db_col_copy(st, 5, p->name, sizeof p->name);
    snprintf(p->currency, sizeof p->currency, "%s", c->currency);
    p->exponent = (int)db_col_int(st, 6);
    pattern_parse(db_col_text(st, 7), &p->pattern, &ignore);
    p->allocated = db_col_money(st, 8);
    int64_t id = p->obligation_id;
    do {
        if (!db_col_is_null(st, 9)) {
            int32_t period;
            period_parse(db_col_text(st, 9), &period, &ignore);
            add_line(c, period, db_col_money(st, 10));
        }
        reader.rc = db_step(c->b, st, e);
    } while (reader.rc == SQLITE_ROW && db_col_int(st, 0) == id);
    if (reader.rc < 0) {
        reader.err = *e;
        return -1;
    }
    if (c->last != DATE_NONE && closed_months_as_posted(c, e) != ERR_OK) {
        reader.rc = -1;
        reader.err = *e;
        return -1;
    }
    *plan = p;
    *lines = c->lines;
    return 1;
}

void plan_cursor_close(struct plan_cursor *c)
{
    if (!c)
        return;
    /* The queries hold the book's read open until they are reset. */
    if (reader.b == c->b && reader.st) {
        sqlite3_reset(reader.st);
        if (reader.pst)
            sqlite3_reset(reader.pst);
        memset(&reader, 0, sizeof reader);
    }
    free(c->lines);
    free(c);
}

int plan_currencies(struct book *b, char (*out)[4], int *exponents, int max, int *n, struct err *e)
{
    *n = 0;
    sqlite3_stmt *st = db_prepare(
        b, "SELECT DISTINCT c.currency, cur.exponent FROM obligations o JOIN contracts k ON k.id ="
           " o.contract_id JOIN customers c ON c.id = k.customer_id JOIN currencies cur ON"
           " cur.code = c.currency WHERE k.status <> 'draft' ORDER BY c.currency");
    int rc;
    while ((rc = db_step(b, st, e)) == SQLITE_ROW) {
        if (*n < max) {
            db_col_copy(st, 0, out[*n], 4);
            exponents[*n] = (int)db_col_int(st, 1);
            (*n)++;
        }
    }
    return rc < 0 ? e->code : ERR_OK;
}

int plan_label_widths(struct book *b, const char (*currencies)[4], int n, int (*widths)[5],
                      struct err *e)
{
    for (int i = 0; i < n; i++)
        for (int k = 0; k < 5; k++)
            widths[i][k] = 0;
    sqlite3_stmt *st = db_prepare(
        b, "SELECT c.currency, c.code, k.code, o.seq, o.name, o.pattern FROM obligations o JOIN"
           " contracts k ON k.id = o.contract_id JOIN customers c ON c.id = k.customer_id WHERE"
           " k.status <> 'draft'");
    int rc;
    while ((rc = db_step(b, st, e)) == SQLITE_ROW) {
        int i = 0;
        while (i < n && strcmp(currencies[i], db_col_text(st, 0)) != 0)
            i++;
        if (i == n)
            continue;
        char customer[CODE_MAX + 1], contract[CODE_MAX + 1], ref[2 * CODE_MAX + 8], name[256];
        db_col_copy(st, 1, customer, sizeof customer);
        db_col_copy(st, 2, contract, sizeof contract);
        snprintf(ref, sizeof ref, "%s/%d", contract, (int)db_col_int(st, 3));
        db_col_copy(st, 4, name, sizeof name);
        enum pattern pattern;
        struct err ignore;
        pattern_parse(db_col_text(st, 5), &pattern, &ignore);
        const char *text[5] = {customer, contract, ref, name, pattern_name(pattern)};
        for (int k = 0; k < 5; k++) {
            int w = utf8_width(text[k]);
            if (w > widths[i][k])
                widths[i][k] = w;
        }
    }
    return rc < 0 ? e->code : ERR_OK;
}

struct movement_cursor {
    struct book *b;
    sqlite3_stmt *st;
    int32_t from, to;
    bool kept; /* `to` ends a closed month: its split as reported at the close */
    char p0[PERIOD_BUF], p1[PERIOD_BUF], pto[PERIOD_BUF];
    struct deferred_movement row;
};

/* Credit positive: a liability grows with credits. The twelve months after `to` are what the
 * schedules put there (the current part of the liability); at the end of a closed month, what
 * was reported when the month closed. */
#define MOVEMENTS_SELECT(NEXT_12)                                                                  \
    "SELECT k.id, k.code, c.code, c.currency, cur.exponent,"                                       \
    " coalesce(sum(CASE WHEN e.entry_date < :from THEN l.credit - l.debit END), 0),"               \
    " coalesce(sum(CASE WHEN e.entry_date BETWEEN :from AND :to AND e.kind = 'invoice'"            \
    " THEN l.credit - l.debit END), 0),"                                                           \
    " coalesce(sum(CASE WHEN e.entry_date BETWEEN :from AND :to AND e.kind ="                      \
    " 'recognition' THEN l.debit - l.credit END), 0),"                                             \
    " coalesce(sum(CASE WHEN e.entry_date BETWEEN :from AND :to AND e.kind NOT IN"                 \
    " ('invoice', 'recognition') THEN l.credit - l.debit END), 0),"                                \
    " coalesce(sum(CASE WHEN e.entry_date <= :to THEN l.credit - l.debit END), 0), " NEXT_12       \
    " FROM contracts k JOIN customers c ON c.id = k.customer_id JOIN currencies cur ON"            \
    " cur.code = c.currency JOIN journal_lines l ON l.contract_id = k.id JOIN accounts a ON"       \
    " a.code = l.account AND a.role = 'deferred_revenue' JOIN journal_entries e ON e.id ="         \
    " l.entry_id WHERE e.entry_date <= :to GROUP BY k.id ORDER BY c.currency, k.code"

void movement_cursor_rewind(struct movement_cursor *c)
{
    if (c->kept) {
        c->st = db_prepare(c->b, MOVEMENTS_SELECT("coalesce((SELECT amount FROM period_next12 WHERE"
                                                  " period = :p AND contract_id = k.id), 0)"));
        db_bind_text(c->st, ":p", c->pto);
    } else {
        c->st = db_prepare(
            c->b, MOVEMENTS_SELECT("(SELECT coalesce(sum(s.amount), 0) FROM obligations o JOIN"
                                   " schedule_lines s ON s.obligation_id = o.id AND s.version ="
                                   " o.schedule_version WHERE o.contract_id = k.id AND s.period"
                                   " BETWEEN :p0 AND :p1)"));
        db_bind_text(c->st, ":p0", c->p0);
        db_bind_text(c->st, ":p1", c->p1);
    }
    db_bind_date(c->st, ":from", c->from);
    db_bind_date(c->st, ":to", c->to);
}
#undef MOVEMENTS_SELECT

struct movement_cursor *movement_cursor_open(struct book *b, int32_t from, int32_t to,
                                             struct err *e)
{
    struct movement_cursor *c = xcalloc(1, sizeof *c);
    c->b = b;
    c->from = from;
    c->to = to;
    period_format(period_of(to) + 1, c->p0, sizeof c->p0);
    period_format(period_of(to) + 12, c->p1, sizeof c->p1);
    period_format(period_of(to), c->pto, sizeof c->pto);
    sqlite3_stmt *st = db_prepare(b, "SELECT 1 FROM periods WHERE period = :p");
    db_bind_text(st, ":p", c->pto);
    int rc = db_step(b, st, e);
    sqlite3_reset(st);
    if (rc < 0) {
        free(c);
        return NULL;
    }
    c->kept = to == period_last_day(period_of(to)) && rc == SQLITE_ROW;
    movement_cursor_rewind(c);
    return c;
}

int movement_cursor_next(struct movement_cursor *c, const struct deferred_movement **out,
                         struct err *e)
{
    sqlite3_stmt *st = c->st;
    int rc = db_step(c->b, st, e);
    if (rc != SQLITE_ROW)
        return rc < 0 ? -1 : 0;
    struct deferred_movement *m = &c->row;
    memset(m, 0, sizeof *m);
    m->contract_id = db_col_int(st, 0);
    db_col_copy(st, 1, m->contract, sizeof m->contract);
    db_col_copy(st, 2, m->customer, sizeof m->customer);
    db_col_copy(st, 3, m->currency, sizeof m->currency);
    m->exponent = (int)db_col_int(st, 4);
    m->opening = db_col_money(st, 5);
    m->billings = db_col_money(st, 6);
    m->revenue = db_col_money(st, 7);
    m->adjustments = db_col_money(st, 8);
    m->closing = db_col_money(st, 9);
    m->next_12 = db_col_money(st, 10);
    *out = m;
    return 1;
}

void movement_cursor_close(struct movement_cursor *c)
{
    if (!c)
        return;
    sqlite3_reset(c->st);
    free(c);
}

int movement_code_widths(struct book *b, const char (*currencies)[4], int n, int (*widths)[2],
                         struct err *e)
{
    for (int i = 0; i < n; i++)
        widths[i][0] = widths[i][1] = 0;
    /* Codes are ASCII letters, digits and ._- (the schema checks): a byte is a column. */
    sqlite3_stmt *st = db_prepare(b, "SELECT c.currency, max(length(k.code)), max(length(c.code))"
                                     " FROM contracts k JOIN customers c ON c.id = k.customer_id"
                                     " GROUP BY c.currency");
    int rc;
    while ((rc = db_step(b, st, e)) == SQLITE_ROW)
        for (int i = 0; i < n; i++)
            if (strcmp(currencies[i], db_col_text(st, 0)) == 0) {
                widths[i][0] = (int)db_col_int(st, 1);
                widths[i][1] = (int)db_col_int(st, 2);
            }
    return rc < 0 ? e->code : ERR_OK;
}

int movement_closing_total(struct book *b, const char *currency, int32_t to, struct money *out,
                           struct err *e)
{
    sqlite3_stmt *st = db_prepare(
        b, "SELECT coalesce(sum(l.credit - l.debit), 0) FROM journal_lines l JOIN accounts a ON"
           " a.code = l.account AND a.role = 'deferred_revenue' JOIN journal_entries e ON e.id ="
           " l.entry_id JOIN contracts k ON k.id = l.contract_id JOIN customers c ON c.id ="
           " k.customer_id WHERE e.entry_date <= :to AND c.currency = :cur");
    db_bind_date(st, ":to", to);
    db_bind_text(st, ":cur", currency);
    int rc = db_step(b, st, e);
    if (rc < 0)
        return e->code;
    *out = db_col_money(st, 0);
    sqlite3_reset(st);
    return ERR_OK;
}

int account_balance(struct book *b, const char *role, const char *currency, int32_t through,
                    struct money *out, struct err *e)
{
    sqlite3_stmt *st = db_prepare(
        b, "SELECT coalesce(sum(l.debit) - sum(l.credit), 0) FROM journal_lines l JOIN accounts a"
           " ON a.code = l.account JOIN journal_entries e ON e.id = l.entry_id WHERE a.role ="
           " :role AND e.currency = :cur AND e.entry_date <= :d");
    db_bind_text(st, ":role", role);
    db_bind_text(st, ":cur", currency);
    db_bind_date(st, ":d", through);
    if (db_step(b, st, e) < 0)
        return e->code;
    *out = db_col_money(st, 0);
    sqlite3_reset(st);
    return ERR_OK;
}

int revenue_lines_each(struct book *b, int32_t from_period, int32_t to_period,
                       int (*fn)(void *ctx, const struct revenue_line *line, struct err *e),
                       void *ctx, struct err *e)
{
    char p0[PERIOD_BUF], p1[PERIOD_BUF];
    period_format(from_period, p0, sizeof p0);
    period_format(to_period, p1, sizeof p1);
    /* Recognized revenue by obligation, and invoiced sales tied to no contract. The entries'
     * months are a range of their dates, which the index on the date finds. */
    sqlite3_stmt *st = db_prepare(
        b, "SELECT p.period, c.currency, cur.exponent, c.code, k.code || '/' || o.seq, o.name,"
           " o.pattern, sum(p.amount) FROM recognition_postings p JOIN obligations o ON o.id ="
           " p.obligation_id JOIN contracts k ON k.id = o.contract_id JOIN customers c ON c.id ="
           " k.customer_id JOIN currencies cur ON cur.code = c.currency WHERE p.period BETWEEN"
           " :p0 AND :p1 GROUP BY p.period, o.id"
           " UNION ALL SELECT substr(e.entry_date, 1, 7), e.currency, cur.exponent, c.code, 'INV',"
           " 'invoiced sales', 'invoiced', sum(l.credit - l.debit) FROM journal_lines l JOIN"
           " accounts a ON a.code = l.account AND a.role = 'revenue' JOIN journal_entries e ON"
           " e.id = l.entry_id JOIN customers c ON c.id = e.customer_id JOIN currencies cur ON"
           " cur.code = e.currency WHERE e.kind <> 'recognition' AND e.entry_date BETWEEN :d0 AND"
           " :d1 GROUP BY 1, c.id ORDER BY 2, 4, 5, 1");
    db_bind_text(st, ":p0", p0);
    db_bind_text(st, ":p1", p1);
    db_bind_date(st, ":d0", period_first_day(from_period));
    db_bind_date(st, ":d1", period_last_day(to_period));
    static const char *const patterns[] = {"ratable", "point", "usage", "progress", "invoiced"};
    struct revenue_line line;
    int rc, stop = 0;
    while (!stop && (rc = db_step(b, st, e)) == SQLITE_ROW) {
        struct revenue_line *r = &line;
        memset(r, 0, sizeof *r);
        struct err ignore;
        period_parse(db_col_text(st, 0), &r->period, &ignore);
        db_col_copy(st, 1, r->currency, sizeof r->currency);
        r->exponent = (int)db_col_int(st, 2);
        db_col_copy(st, 3, r->customer, sizeof r->customer);
        db_col_copy(st, 4, r->key, sizeof r->key);
        db_col_copy(st, 5, r->name, sizeof r->name);
        r->pattern = patterns[4];
        for (int k = 0; k < 4; k++)
            if (strcmp(db_col_text(st, 6), patterns[k]) == 0)
                r->pattern = patterns[k];
        r->amount = db_col_money(st, 7);
        stop = fn(ctx, r, e);
    }
    sqlite3_reset(st);
    if (stop)
        return stop;
    return rc < 0 ? e->code : ERR_OK;
}

struct journal_cursor {
    struct book *b;
    sqlite3_stmt *st;
    int32_t from, to;
    int64_t last; /* the last entry when opened */
};

void journal_cursor_rewind(struct journal_cursor *c)
{
    c->st = db_prepare(
        c->b, "SELECT e.id, e.entry_date, e.kind, l.account, a.name, e.currency, cur.exponent,"
              " l.debit, l.credit, e.memo, e.source_type || ' ' || e.source_id, coalesce(c.code,"
              " ''), coalesce(k.code, ''), e.created_by, e.created_at FROM journal_entries e JOIN"
              " journal_lines l ON l.entry_id = e.id JOIN accounts a ON a.code = l.account JOIN"
              " currencies cur ON cur.code = e.currency LEFT JOIN customers c ON c.id ="
              " coalesce(l.customer_id, e.customer_id) LEFT JOIN contracts k ON k.id ="
              " l.contract_id WHERE e.entry_date BETWEEN :from AND :to AND e.id <= :last"
              " ORDER BY e.entry_date, e.id, l.id");
    db_bind_date(c->st, ":from", c->from);
    db_bind_date(c->st, ":to", c->to);
    db_bind_int(c->st, ":last", c->last);
}

struct journal_cursor *journal_cursor_open(struct book *b, int32_t from, int32_t to)
{
    struct journal_cursor *c = xcalloc(1, sizeof *c);
    c->b = b;
    c->from = from;
    c->to = to;
    sqlite3_stmt *st = db_prepare(b, "SELECT coalesce(max(id), 0) FROM journal_entries");
    if (sqlite3_step(st) == SQLITE_ROW)
        c->last = db_col_int(st, 0);
    sqlite3_reset(st);
    journal_cursor_rewind(c);
    return c;
}

int journal_cursor_next(struct journal_cursor *c, struct journal_row *r, struct err *e)
{
    sqlite3_stmt *st = c->st;
    int rc = db_step(c->b, st, e);
    if (rc != SQLITE_ROW)
        return rc < 0 ? -1 : 0;
    memset(r, 0, sizeof *r);
    r->entry = db_col_int(st, 0);
    r->date = db_col_date(st, 1);
    db_col_copy(st, 2, r->kind, sizeof r->kind);
    db_col_copy(st, 3, r->account, sizeof r->account);
    db_col_copy(st, 4, r->account_name, sizeof r->account_name);
    db_col_copy(st, 5, r->currency, sizeof r->currency);
    r->exponent = (int)db_col_int(st, 6);
    r->debit = db_col_money(st, 7);
    r->credit = db_col_money(st, 8);
    db_col_copy(st, 9, r->memo, sizeof r->memo);
    db_col_copy(st, 10, r->source, sizeof r->source);
    db_col_copy(st, 11, r->customer, sizeof r->customer);
    db_col_copy(st, 12, r->contract, sizeof r->contract);
    db_col_copy(st, 13, r->created_by, sizeof r->created_by);
    db_col_copy(st, 14, r->created_at, sizeof r->created_at);
    return 1;
}

void journal_cursor_close(struct journal_cursor *c)
{
    if (!c)
        return;
    sqlite3_reset(c->st);
    free(c);
}

int journal_totals_load(struct book *b, int32_t from, int32_t to, struct journal_total *out,
                        int max, int *n, struct err *e)
{
    *n = 0;
    /* A currency's first line is the least (date, entry, line) of its lines. */
    sqlite3_stmt *st = db_prepare(
        b, "SELECT e.currency, cur.exponent, count(*), sum(l.debit), sum(l.credit) FROM"
           " journal_entries e JOIN journal_lines l ON l.entry_id = e.id JOIN accounts a ON a.code"
           " = l.account JOIN currencies cur ON cur.code = e.currency WHERE e.entry_date BETWEEN"
           " :from AND :to GROUP BY e.currency ORDER BY min(e.entry_date || printf(' %020d %020d',"
           " e.id, l.id))");
    db_bind_date(st, ":from", from);
    db_bind_date(st, ":to", to);
    int rc;
    while ((rc = db_step(b, st, e)) == SQLITE_ROW && *n < max) {
        struct journal_total *t = &out[(*n)++];
        db_col_copy(st, 0, t->currency, sizeof t->currency);
        t->exponent = (int)db_col_int(st, 1);
        t->lines = db_col_int(st, 2);
        t->debit = db_col_money(st, 3);
        t->credit = db_col_money(st, 4);
    }
    if (rc == SQLITE_ROW)
        sqlite3_reset(st);
    return rc < 0 ? e->code : ERR_OK;
}

int32_t recognition_posted_through(struct book *b)
{
    /* The month the last recognition run went through; a book whose recognition has not run
     * since version 4 knows only its latest posting. (A memo's catch-up posted in a later
     * month is not a recognition run.) */
    sqlite3_stmt *st = db_prepare(b, "SELECT coalesce((SELECT recon_through FROM book), (SELECT"
                                     " max(period) FROM recognition_postings))");
    int32_t p = DATE_NONE;
    if (sqlite3_step(st) == SQLITE_ROW && !db_col_is_null(st, 0)) {
        struct err ignore;
        if (period_parse(db_col_text(st, 0), &p, &ignore) != ERR_OK)
            p = DATE_NONE;
    }
    sqlite3_reset(st);
    return p;
}

struct change_cursor {
    struct book *b;
    sqlite3_stmt *st;
    char d0[DATE_BUF], d1[DATE_BUF];
    int64_t last; /* the last row when opened: rows appended later are not read */
};

void change_cursor_rewind(struct change_cursor *c)
{
    c->st = db_prepare(
        c->b,
        "SELECT id, at, user, action, entity, coalesce(entity_id, 0), refused, coalesce(detail,"
        " after, before, ''), coalesce(hash, '') FROM change_log WHERE (:d0 = '' OR substr(at, 1,"
        " 10) >= :d0) AND (:d1 = '' OR substr(at, 1, 10) <= :d1) AND id <= :last ORDER BY id");
    db_bind_text(c->st, ":d0", c->d0);
    db_bind_text(c->st, ":d1", c->d1);
    db_bind_int(c->st, ":last", c->last);
}

struct change_cursor *change_cursor_open(struct book *b, int32_t from, int32_t to)
{
    struct change_cursor *c = xcalloc(1, sizeof *c);
    c->b = b;
    sqlite3_stmt *st = db_prepare(b, "SELECT coalesce(max(id), 0) FROM change_log");
    if (sqlite3_step(st) == SQLITE_ROW)
        c->last = db_col_int(st, 0);
    sqlite3_reset(st);
    if (from != DATE_NONE)
        date_format(from, c->d0, sizeof c->d0);
    if (to != DATE_NONE)
        date_format(to, c->d1, sizeof c->d1);
    change_cursor_rewind(c);
    return c;
}

int change_cursor_next(struct change_cursor *c, struct change_row *row, struct err *e)
{
    sqlite3_stmt *st = c->st;
    int rc = db_step(c->b, st, e);
    if (rc != SQLITE_ROW)
        return rc < 0 ? -1 : 0;
    memset(row, 0, sizeof *row);
    row->id = db_col_int(st, 0);
    db_col_copy(st, 1, row->at, sizeof row->at);
    db_col_copy(st, 2, row->user, sizeof row->user);
    db_col_copy(st, 3, row->action, sizeof row->action);
    db_col_copy(st, 4, row->entity, sizeof row->entity);
    row->entity_id = db_col_int(st, 5);
    row->refused = db_col_int(st, 6) != 0;
    row->text = db_col_text(st, 7);
    db_col_copy(st, 8, row->hash, sizeof row->hash);
    return 1;
}

void change_cursor_close(struct change_cursor *c)
{
    if (!c)
        return;
    sqlite3_reset(c->st);
    free(c);
}

int credit_activity_load(struct book *b, int32_t from, int32_t to, struct credit_activity *out,
                         struct err *e)
{
    sqlite3_stmt *st = db_prepare(
        b, "SELECT m.on_date, c.currency, cur.exponent, c.code, g.id, g.kind, m.kind, m.amount,"
           " coalesce(i.number, ''), m.reason, m.by_user FROM credit_movements m JOIN credit_grants"
           " g ON g.id = m.grant_id JOIN customers c ON c.id = g.customer_id JOIN currencies cur ON"
           " cur.code = c.currency LEFT JOIN invoices i ON i.id = m.invoice_id WHERE m.on_date"
           " BETWEEN :d0 AND :d1 ORDER BY c.currency, c.code, m.on_date, m.id");
    db_bind_date(st, ":d0", from);
    db_bind_date(st, ":d1", to);
    int rc;
    while ((rc = db_step(b, st, e)) == SQLITE_ROW) {
        out->v = xgrow(out->v, &out->cap, out->n + 1, sizeof *out->v);
        struct credit_activity_row *r = &out->v[out->n++];
        memset(r, 0, sizeof *r);
        r->on = db_col_date(st, 0);
        db_col_copy(st, 1, r->currency, sizeof r->currency);
        r->exponent = (int)db_col_int(st, 2);
        db_col_copy(st, 3, r->customer, sizeof r->customer);
        r->grant_id = db_col_int(st, 4);
        db_col_copy(st, 5, r->grant_kind, sizeof r->grant_kind);
        db_col_copy(st, 6, r->movement, sizeof r->movement);
        r->amount = db_col_money(st, 7);
        db_col_copy(st, 8, r->invoice, sizeof r->invoice);
        db_col_copy(st, 9, r->reason, sizeof r->reason);
        db_col_copy(st, 10, r->by, sizeof r->by);
    }
    return rc < 0 ? e->code : ERR_OK;
}

void credit_activity_free(struct credit_activity *a)
{
    free(a->v);
    memset(a, 0, sizeof *a);
}

int account_activity(struct book *b, const char *role, const char *currency, int32_t from,
                     int32_t to, struct money *debits, struct money *credits, struct err *e)
{
    sqlite3_stmt *st = db_prepare(
        b, "SELECT coalesce(sum(l.debit), 0), coalesce(sum(l.credit), 0) FROM journal_lines l JOIN"
           " accounts a ON a.code = l.account JOIN journal_entries e ON e.id = l.entry_id WHERE"
           " a.role = :role AND e.currency = :cur AND e.entry_date BETWEEN :d0 AND :d1");
    db_bind_text(st, ":role", role);
    db_bind_text(st, ":cur", currency);
    db_bind_date(st, ":d0", from);
    db_bind_date(st, ":d1", to);
    if (db_step(b, st, e) < 0)
        return e->code;
    *debits = db_col_money(st, 0);
    *credits = db_col_money(st, 1);
    sqlite3_reset(st);
    return ERR_OK;
}

/* Adds a row's debits and credits (role, currency, exponent, debits, credits) to its role and
 * currency among out (a new one when it has none): to its balance, or to its activity. */
static int role_add(sqlite3_stmt *st, bool balance, struct role_totals *out, int max, int *n,
                    struct err *e)
{
    const char *role = db_col_text(st, 0), *currency = db_col_text(st, 1);
    struct role_totals *t = NULL;
    for (int i = 0; i < *n && !t; i++)
        if (strcmp(out[i].role, role) == 0 && strcmp(out[i].currency, currency) == 0)
            t = &out[i];
    if (!t) {
        if (*n == max)
            return err_set(e, ERR_INPUT, "more than %d account roles and currencies", max);
        t = &out[(*n)++];
        memset(t, 0, sizeof *t);
        snprintf(t->role, sizeof t->role, "%s", role);
        snprintf(t->currency, sizeof t->currency, "%s", currency);
        t->exponent = (int)db_col_int(st, 2);
    }
    struct money dr = db_col_money(st, 3), cr = db_col_money(st, 4);
    if (!balance) {
        int rc = money_add(t->debits, dr, &t->debits, e);
        return rc == ERR_OK ? money_add(t->credits, cr, &t->credits, e) : rc;
    }
    int rc = money_add(t->balance, dr, &t->balance, e);
    return rc == ERR_OK ? money_add(t->balance, money_of(-cr.minor), &t->balance, e) : rc;
}

static int role_order(const void *a, const void *b)
{
    const struct role_totals *x = a, *y = b;
    int c = strcmp(x->role, y->role);
    return c ? c : strcmp(x->currency, y->currency);
}

/* Runs a totals statement into out (role_add). */
static int role_rows(struct book *b, sqlite3_stmt *st, bool balance, struct role_totals *out,
                     int max, int *n, struct err *e)
{
    int rc;
    while ((rc = db_step(b, st, e)) == SQLITE_ROW)
        if (role_add(st, balance, out, max, n, e) != ERR_OK) {
            sqlite3_reset(st);
            return e->code;
        }
    return rc < 0 ? e->code : ERR_OK;
}

int ledger_role_totals(struct book *b, const char *role, int32_t from, int32_t to,
                       struct role_totals *out, int max, int *n, struct err *e)
{
    *n = 0;
    /* The closed months that end by `to` (closes go in order, so they follow one another): their
     * lines are added up in period_balances, so only the other months' lines are read. */
    int32_t first = DATE_NONE, last = DATE_NONE;
    sqlite3_stmt *st = db_prepare(b, "SELECT min(period), max(period) FROM periods");
    if (db_step(b, st, e) < 0)
        return e->code;
    struct err ignore;
    if (db_col_is_null(st, 0) || period_parse(db_col_text(st, 0), &first, &ignore) != ERR_OK ||
        period_parse(db_col_text(st, 1), &last, &ignore) != ERR_OK)
        first = last = DATE_NONE;
    sqlite3_reset(st);
    int32_t ended = period_last_day(period_of(to)) == to ? period_of(to) : period_of(to) - 1;
    if (last != DATE_NONE && last > ended)
        last = ended;
    bool closed = first != DATE_NONE && last >= first;
    /* The lines dated in a stretch, entries first by date (the role's accounts' index would read
     * all of its lines): the activity from `from`, and the balance of the days no closed month
     * adds up, before the first and after the last. */
    struct stretch {
        bool balance;
        int32_t d0, d1; /* d0 DATE_NONE: from the first day */
    } stretch[3] = {{false, from, to}, {true, DATE_NONE, to}};
    int nstretch = 2;
    if (closed) {
        stretch[1].d1 = period_first_day(first) - 1;
        stretch[nstretch++] = (struct stretch){true, period_last_day(last) + 1, to};
    }
    int rc = ERR_OK;
    for (int i = 0; i < nstretch && rc == ERR_OK; i++) {
        if (stretch[i].d0 != DATE_NONE && stretch[i].d0 > stretch[i].d1)
            continue;
        st = db_prepare(b,
                        "SELECT a.role, e.currency, cur.exponent, sum(l.debit), sum(l.credit) FROM"
                        " journal_entries e CROSS JOIN journal_lines l ON l.entry_id = e.id JOIN"
                        " accounts a ON a.code = l.account JOIN currencies cur ON cur.code ="
                        " e.currency WHERE e.entry_date BETWEEN :d0 AND :d1 AND (:role IS NULL OR"
                        " a.role = :role) GROUP BY a.role, e.currency");
        db_bind_text(st, ":role", role);
        if (stretch[i].d0 == DATE_NONE)
            db_bind_text(st, ":d0", ""); /* before every day */
        else
            db_bind_date(st, ":d0", stretch[i].d0);
        db_bind_date(st, ":d1", stretch[i].d1);
        rc = role_rows(b, st, stretch[i].balance, out, max, n, e);
    }
    if (rc != ERR_OK || !closed)
        goto out;
    char p0[PERIOD_BUF], p1[PERIOD_BUF];
    st = db_prepare(b, "SELECT a.role, p.currency, cur.exponent, sum(p.debit), sum(p.credit) FROM"
                       " period_balances p JOIN accounts a ON a.code = p.account JOIN currencies"
                       " cur ON cur.code = p.currency WHERE p.period BETWEEN :p0 AND :p1 AND"
                       " (:role IS NULL OR a.role = :role) GROUP BY a.role, p.currency");
    db_bind_text(st, ":role", role);
    db_bind_text(st, ":p0", period_format(first, p0, sizeof p0));
    db_bind_text(st, ":p1", period_format(last, p1, sizeof p1));
    rc = role_rows(b, st, true, out, max, n, e);
out:
    if (rc == ERR_OK) /* by role, then currency */
        qsort(out, (size_t)*n, sizeof *out, role_order);
    return rc;
}

struct role_totals role_totals_of(const struct role_totals *v, int n, const char *role,
                                  const char *currency)
{
    for (int i = 0; i < n; i++)
        if (strcmp(v[i].role, role) == 0 && strcmp(v[i].currency, currency) == 0)
            return v[i];
    struct role_totals none = {
        .debits = money_of(0), .credits = money_of(0), .balance = money_of(0)};
    return none;
}

int ledger_currencies(struct book *b, int32_t through, char (*out)[4], int *exponents, int max,
                      int *n, struct err *e)
{
    *n = 0;
    sqlite3_stmt *st = db_prepare(b, "SELECT DISTINCT e.currency, cur.exponent FROM journal_entries"
                                     " e JOIN currencies cur ON cur.code = e.currency WHERE"
                                     " e.entry_date <= :d ORDER BY e.currency");
    db_bind_date(st, ":d", through);
    int rc;
    while ((rc = db_step(b, st, e)) == SQLITE_ROW) {
        if (*n < max) {
            db_col_copy(st, 0, out[*n], 4);
            exponents[*n] = (int)db_col_int(st, 1);
            (*n)++;
        }
    }
    return rc < 0 ? e->code : ERR_OK;
}
