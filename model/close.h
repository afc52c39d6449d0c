/*
 * close.h — the month-end close (ACCOUNTING.md §7).
 *
 * Closing month p (every earlier month closed first): a verified backup of the book, then in one
 * transaction: expire credit through the end of p, post recognition through p, run every
 * tie-out (check.h) and, only when all pass, lock p. A locked month refuses any posting dated
 * in it — here and by triggers in the book — and a correction lands in the first open month.
 * Reopening the last closed month needs a reason; every close and reopen is kept, with the
 * change log's head at that moment.
 */
#ifndef RATABLE_CLOSE_H
#define RATABLE_CLOSE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "model/book.h"
#include "model/check.h"
#include "model/money.h"

/* The first month not closed: the one after the last closed month; when none is closed, the
 * month of the book's first posting, or DATE_NONE when there is none yet. */
int period_first_open(struct book *b, int32_t *out, struct err *e);
/* Whether a month is closed (false on any error). */
bool period_is_closed(struct book *b, int32_t period);
/* The last closed month in *out, DATE_NONE when none is. */
int period_last_closed(struct book *b, int32_t *out, struct err *e);
/* The day a posting meant for `day` is booked on: `day` itself in an open month, else the first
 * day of the first open month (a correction of a closed month). */
int32_t period_posting_day(struct book *b, int32_t day);

struct close_result {
    int32_t period;
    bool locked; /* every check passed and the month is closed */
    int expired; /* grants expired through the month's end */
    int entries; /* recognition entries posted */
    struct check_report checks;
    char backup[1024]; /* the verified backup taken before */
    char chain_head[65];
};
void close_result_free(struct close_result *r);

/*
 * Closes month p as of `today` (the month must have ended). With dry_run, runs the same steps and
 * checks and then undoes them: the checklist of a month not yet closed. Returns ERR_OK when the
 * month is locked (or, for a dry run, would be); ERR_RULE when a check fails, with every check's
 * result in out->checks. backup: where to copy the book first (NULL: BOOK.close-YYYY-MM[-N];
 * "": no backup, for a book being generated in one transaction).
 */
int period_close(struct book *b, int32_t p, int32_t today, bool dry_run, const char *backup,
                 struct close_result *out, struct err *e);

/*
 * Closes month p of a book being generated (model/generate.h): the same steps and lock, with no
 * backup, and with the checks left to the generator, which runs them once on the finished book
 * and discards it if any fails. Never for a book in use.
 */
int period_close_generated(struct book *b, int32_t p, int32_t today, struct close_result *out,
                           struct err *e);

/* Reopens the last closed month, for a reason. */
int period_reopen(struct book *b, int32_t p, const char *reason, struct err *e);

struct period_row {
    int32_t period;
    bool closed;
    char closed_at[32], closed_by[64];
    char chain_head[65];
    char backup[1024];
    int reopened; /* times it was reopened */
};
struct period_rows {
    struct period_row *v;
    size_t n, cap;
};
/* Every month from the book's first posting (or first closed month) to `through`, with its state.
 */
int period_list(struct book *b, int32_t through, struct period_rows *out, struct err *e);
void period_rows_free(struct period_rows *r);

#endif
