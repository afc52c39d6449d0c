/*
 * recognition.h — steps 3 to 5 of ASC 606 / IFRS 15 as pure rules (ACCOUNTING.md §2): the
 * transaction price, its allocation to performance obligations by relative standalone selling
 * price, and the revenue recognized to date, R(t), for each pattern.
 *
 * Revenue of a period is R(end of period) - R(end of previous period), each R rounded to the
 * minor unit half away from zero, so the periods always add up to the allocated amount exactly
 * and revenue to date on any day agrees with the sum of the periods before it.
 */
#ifndef RATABLE_RECOGNITION_H
#define RATABLE_RECOGNITION_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "model/err.h"
#include "model/money.h"

enum pattern {
    PATTERN_RATABLE,  /* over time, evenly across the service term */
    PATTERN_POINT,    /* at a point in time, on delivery */
    PATTERN_USAGE,    /* variable consideration, as usage is recorded */
    PATTERN_PROGRESS, /* over time, by recorded percent complete */
};

enum ssp_method {
    SSP_OBSERVABLE,      /* observable standalone price */
    SSP_ADJUSTED_MARKET, /* adjusted market assessment */
    SSP_COST_PLUS,       /* expected cost plus a margin */
    SSP_RESIDUAL,        /* residual approach (ASC 606-10-32-34c) */
};

enum convention {
    CONVENTION_MONTHLY, /* each calendar month's share in proportion to the days served in it */
    CONVENTION_DAILY,   /* evenly per day of the term */
};

const char *pattern_name(enum pattern p);
int pattern_parse(const char *s, enum pattern *out, struct err *e);
const char *ssp_method_name(enum ssp_method m);
int ssp_method_parse(const char *s, enum ssp_method *out, struct err *e);
const char *convention_name(enum convention c);
int convention_parse(const char *s, enum convention *out, struct err *e);

/* ---- step 3: the transaction price ------------------------------------------------------ */

struct price_terms {
    struct money fixed;    /* fixed consideration */
    struct money discount; /* >= 0 */
    struct money payable;  /* consideration payable to the customer (rebates, credits), >= 0 */
    struct money variable; /* the constrained estimate of variable consideration included */
    struct money modified; /* the change by posted modifications, signed */
};

/* TP = fixed - discount - payable + variable + modified; ERR_OVERFLOW or ERR_INPUT when negative.
 */
int transaction_price(const struct price_terms *t, struct money *out, struct err *e);

/* ---- step 4: allocation ----------------------------------------------------------------- */

struct alloc_item {
    enum pattern pattern;
    enum ssp_method method;
    struct money ssp;       /* standalone selling price (ignored for the residual one) */
    struct money range_low; /* residual: the range it is sold at; 0/0 means no range */
    struct money range_high;
    bool discount_target;   /* the discount belongs wholly to the targets, when any is set */
    struct money allocated; /* out */
};

/*
 * Allocates the transaction price (without usage consideration) to the items:
 * - usage obligations take their own variable consideration: they get 0 here;
 * - with one residual item, every other item gets its SSP (less its share of a discount that
 *   belongs to targets) and the residual item what remains; a remainder <= 0 or outside the
 *   item's range is refused ("the residual approach does not fit");
 * - otherwise by relative SSP, split by largest remainder;
 * - a discount that belongs to targets: the undiscounted price (tp + discount) is split by
 *   relative SSP, then the discount is taken from the targets only, by their relative SSP.
 * On error the message names the obligation by its 1-based index ("obligation 2: ...").
 */
int allocate(struct money tp, struct money discount, struct alloc_item *items, size_t n,
             struct err *e);

/* ---- step 5: recognition ---------------------------------------------------------------- */

struct usage_event {
    int32_t on;
    struct money amount;
};

struct progress_event {
    int32_t on;
    int32_t basis_points; /* percent complete x 100: 0 .. 10000 */
};

struct recog_segment;

struct recog_input {
    enum pattern pattern;
    enum convention convention;
    struct money allocated;
    int32_t start, end;   /* ratable: the service term, both ends included */
    int32_t delivered_on; /* point: DATE_NONE until delivered */
    const struct usage_event *usage;
    size_t nusage;
    const struct progress_event *progress; /* in date order */
    size_t nprogress;
    int32_t pause_start, pause_end;       /* ratable: days not served (DATE_NONE: no pause) */
    const struct recog_segment *segments; /* posted modifications, by `from` ascending */
    size_t nsegments;
};

/*
 * A posted contract modification (ACCOUNTING.md §6) governs an obligation's revenue from the day
 * `from` on: R(t) = base + R'(t), where R' is the pattern's rule with the segment's allocation
 * and term (usage, delivery and progress stay the obligation's own). Before `from`, the earlier
 * terms still hold, so revenue already recognized never moves.
 *  - prospective: from = the effective date, base = revenue to date the day before, R' the
 *    remaining allocation over the rest of the (possibly new) term;
 *  - cumulative catch-up: from = the first day of the period the catch-up lands in, base = 0,
 *    R' the new terms from inception — the difference shows up in that period;
 *  - pause: from = the first paused day, base = revenue to date, R' the rest from the day after
 *    the pause to the end moved out by the paused days.
 * Progress: R'(t) = allocated x (p(t) - progress_base) / (10000 - progress_base), the share of
 * the work that remained at the modification.
 */
struct recog_segment {
    int32_t from;
    struct money base;
    struct money allocated;
    int32_t start, end;    /* ratable and progress: the term from here on */
    int32_t progress_base; /* progress: basis points complete when it began */
};

/* Revenue recognized to the end of day t. */
struct money recognized_to(const struct recog_input *in, int32_t t);

/* Revenue of period p (a month): R(end of p) - R(end of p - 1). */
struct money recognized_in(const struct recog_input *in, int32_t period);

/*
 * Fills amounts[0..n) with the revenue of periods first .. first + n - 1, in one pass: what a
 * recognition schedule holds. Equal to recognized_in() for each period.
 */
void recognition_schedule(const struct recog_input *in, int32_t first, size_t n,
                          struct money *amounts);

/* The weight of the days [a, b] under a convention: days (daily), or each month's share in
 * proportion to its days (monthly, in units where every month weighs the same). */
int64_t term_units(enum convention c, int32_t a, int32_t b);

/* The first and last period in which the obligation can recognize anything; false when there
 * is none yet (an undelivered point obligation, no usage). */
bool recognition_span(const struct recog_input *in, int32_t *first, int32_t *last);

#endif
