/*
 * ledger.h — what the revenue reports read: schedules of every obligation, deferred revenue
 * movements by contract from the journal, revenue posted by month, account balances, and the
 * journal itself. Loaders only; the reports decide the layout.
 */
#ifndef RATABLE_LEDGER_H
#define RATABLE_LEDGER_H

#include <stddef.h>
#include <stdint.h>

#include "model/book.h"
#include "model/customer.h"
#include "model/money.h"
#include "model/recognition.h"

/* An obligation with its current schedule (months and amounts). */
struct obligation_plan {
    int64_t obligation_id, contract_id;
    char customer[CODE_MAX + 1];
    char contract[CODE_MAX + 1];
    int seq;        /* the obligation's number in its contract: CONTRACT/seq */
    char name[256]; /* its first 255 bytes */
    char currency[4];
    int exponent;
    enum pattern pattern;
    struct money allocated; /* usage: what usage has earned so far */
    size_t n;               /* lines */
};
struct plan_line {
    int32_t period;
    struct money amount;
};
/*
 * The plans of a currency's obligations (of contracts that are not drafts), by customer,
 * contract and obligation, read one at a time from the book: a book of any size is never in
 * memory. A closed month shows what was posted in it (see closed months in ledger_db.c).
 */
struct plan_cursor;
/* A cursor on the first plan; it reads the book as it is when the rows are read. The caller
 * closes it. The cursors of one report's currencies share the book's queries, read one after
 * another; closing one ends the reading of all. */
struct plan_cursor *plan_cursor_open(struct book *b, const char *currency, struct err *e);
/* 1 with the next plan in *plan and its lines in *lines (plan->n of them, in period order),
 * both valid until the next call; 0 at the end; -1 with e set. */
int plan_cursor_next(struct plan_cursor *c, const struct obligation_plan **plan,
                     const struct plan_line **lines, struct err *e);
void plan_cursor_rewind(struct plan_cursor *c);
void plan_cursor_close(struct plan_cursor *c);
/* The currencies that have plans, in order, with their exponents (at most max). */
int plan_currencies(struct book *b, char (*out)[4], int *exponents, int max, int *n, struct err *e);
/* For each of n currencies, the display widths of the widest customer code, contract code,
 * obligation reference (CONTRACT/seq), name and pattern name among its plans. */
int plan_label_widths(struct book *b, const char (*currencies)[4], int n, int (*widths)[5],
                      struct err *e);

/* A contract's deferred revenue in the ledger over [from, to] (days). */
struct deferred_movement {
    int64_t contract_id;
    char contract[CODE_MAX + 1];
    char customer[CODE_MAX + 1];
    char currency[4];
    int exponent;
    struct money opening;     /* balance at the end of the day before from (credit positive) */
    struct money billings;    /* invoices */
    struct money revenue;     /* recognition (positive: revenue recognized) */
    struct money adjustments; /* everything else: credit notes, modifications */
    struct money closing;
    struct money next_12; /* revenue scheduled in the 12 months after `to` */
};
/*
 * The movements of every contract with deferred revenue in the ledger up to `to`, by currency
 * and contract code, read one at a time: a book of any size is never in memory. The book is
 * read as it is when the rows are read. The cursor reads the book's one statement for it: one
 * cursor at a time.
 */
struct movement_cursor;
struct movement_cursor *movement_cursor_open(struct book *b, int32_t from, int32_t to,
                                             struct err *e);
/* 1 with the next contract's movement in *out (valid until the next call), 0 at the end, -1
 * with e set. */
int movement_cursor_next(struct movement_cursor *c, const struct deferred_movement **out,
                         struct err *e);
/* Back to the first contract: the query runs again. */
void movement_cursor_rewind(struct movement_cursor *c);
void movement_cursor_close(struct movement_cursor *c);
/* For each of n currencies, the longest contract code and customer code of its contracts. */
int movement_code_widths(struct book *b, const char (*currencies)[4], int n, int (*widths)[2],
                         struct err *e);
/* The sum of the contracts' deferred revenue closing balances in a currency at the end of a day
 * (credit positive): what the movements' closing figures add up to. */
int movement_closing_total(struct book *b, const char *currency, int32_t to, struct money *out,
                           struct err *e);

/* An account's balance (debits less credits) in a currency at the end of a day. */
int account_balance(struct book *b, const char *role, const char *currency, int32_t through,
                    struct money *out, struct err *e);

/* Revenue posted to the revenue account, by month: a line per obligation and month, and per
 * customer and month for invoiced sales tied to no contract. */
struct revenue_line {
    int32_t period;
    char currency[4];
    int exponent;
    char customer[CODE_MAX + 1];
    char key[2 * CODE_MAX + 8]; /* obligation ref, or "INV" for invoiced sales */
    char name[256];
    const char *pattern; /* ratable, point, usage, progress, or "invoiced" */
    struct money amount;
};
/* Calls fn with each line of [from_period, to_period] in turn, ordered by currency, customer,
 * key and month, so a line per obligation is never all in memory; the line is valid during the
 * call. A non-zero return from fn stops the lines and is returned. */
int revenue_lines_each(struct book *b, int32_t from_period, int32_t to_period,
                       int (*fn)(void *ctx, const struct revenue_line *line, struct err *e),
                       void *ctx, struct err *e);

/* The journal's lines over [from, to], read line by line from the book: a journal of any length
 * is never in memory. */
struct journal_row {
    int64_t entry;
    int32_t date;
    char kind[24];
    char account[32], account_name[64];
    char currency[4];
    int exponent;
    struct money debit, credit;
    char memo[256];
    char source[48];
    char customer[CODE_MAX + 1];
    char contract[CODE_MAX + 1];
    char created_by[64];
    char created_at[24];
};
struct journal_cursor;
/* A cursor at the first line; the caller closes it. It reads the entries there are when it is
 * opened (inside the caller's read transaction), never one added later; one cursor at a time. */
struct journal_cursor *journal_cursor_open(struct book *b, int32_t from, int32_t to);
/* 1 with the next line in *row, 0 at the end, -1 with e set. */
int journal_cursor_next(struct journal_cursor *c, struct journal_row *row, struct err *e);
void journal_cursor_rewind(struct journal_cursor *c);
void journal_cursor_close(struct journal_cursor *c);

/* The journal's control totals over [from, to] by currency, in the order the currencies first
 * appear in the lines. */
struct journal_total {
    char currency[4];
    int exponent;
    int64_t lines;
    struct money debit, credit;
};
int journal_totals_load(struct book *b, int32_t from, int32_t to, struct journal_total *out,
                        int max, int *n, struct err *e);

/* The change log over [from, to] (days of its UTC timestamps), read row by row from the book:
 * a log of any length is never in memory. */
struct change_row {
    int64_t id;
    char at[24], user[64], action[48], entity[32];
    int64_t entity_id;
    bool refused;
    const char *text; /* the note or the row after the change; valid until the next row */
    char hash[65];
};
struct change_cursor;
/* A cursor at the first row; the caller closes it. It reads the rows there are when it is opened
 * (inside the caller's read transaction), never one appended later; one cursor at a time. */
struct change_cursor *change_cursor_open(struct book *b, int32_t from, int32_t to);
/* 1 with the next row in *row, 0 at the end, -1 with e set. */
int change_cursor_next(struct change_cursor *c, struct change_row *row, struct err *e);
/* Back to the first row. */
void change_cursor_rewind(struct change_cursor *c);
void change_cursor_close(struct change_cursor *c);

/* Every credit movement dated in [from, to], by currency, customer and date. */
struct credit_activity_row {
    int32_t on;
    char currency[4];
    int exponent;
    char customer[CODE_MAX + 1];
    int64_t grant_id;
    char grant_kind[16], movement[16];
    struct money amount;
    char invoice[CODE_MAX + 1];
    char reason[256], by[64];
};
struct credit_activity {
    struct credit_activity_row *v;
    size_t n, cap;
};
int credit_activity_load(struct book *b, int32_t from, int32_t to, struct credit_activity *out,
                         struct err *e);
void credit_activity_free(struct credit_activity *a);

/* Debits and credits of an account role in a currency over [from, to]. */
int account_activity(struct book *b, const char *role, const char *currency, int32_t from,
                     int32_t to, struct money *debits, struct money *credits, struct err *e);
/* An account role's movements in a currency: debits and credits dated in [from, to], and the
 * balance (debits less credits) at the end of `to`. */
struct role_totals {
    char role[24];
    char currency[4];
    int exponent; /* of the currency */
    struct money debits, credits, balance;
};
/* The totals of every role (role NULL) or of one, in every currency, in one pass over the
 * journal: what account_activity and account_balance give one role and currency at a time. At
 * most max; *n of them. */
int ledger_role_totals(struct book *b, const char *role, int32_t from, int32_t to,
                       struct role_totals *out, int max, int *n, struct err *e);
/* The totals of role in currency among v, or all zero when it has none. */
struct role_totals role_totals_of(const struct role_totals *v, int n, const char *role,
                                  const char *currency);
/* The currencies with journal entries dated up to a day, in order (at most max). */
int ledger_currencies(struct book *b, int32_t through, char (*out)[4], int *exponents, int max,
                      int *n, struct err *e);

/* The last month whose recognition is fully posted, for report headers; DATE_NONE if none. */
int32_t recognition_posted_through(struct book *b);

#endif
