/*
 * recognition.c — the transaction price, allocation by relative standalone selling price, and
 * the cumulative revenue R(t) of each pattern (ACCOUNTING.md §2).
 *
 * The monthly convention gives each calendar month the weight (days served in it / days in it).
 * To keep that exact in integers every weight is scaled by 377,580, the least common multiple
 * of 28, 29, 30 and 31, so a day of any month is a whole number of units.
 */
#include "model/recognition.h"

#include <assert.h>
#include <stdlib.h>
#include <string.h>

#include "model/date.h"
#include "model/xalloc.h"

#define MONTH_UNITS 377580 /* lcm(28, 29, 30, 31) */

static const char *const pattern_names[] = {"ratable", "point", "usage", "progress"};
static const char *const method_names[] = {"observable", "adjusted-market", "cost-plus",
                                           "residual"};
static const char *const convention_names[] = {"monthly", "daily"};

static int parse_name(const char *s, const char *const *names, int n, const char *what, int *out,
                      struct err *e)
{
    for (int i = 0; i < n; i++) {
        if (s && strcmp(s, names[i]) == 0) {
            *out = i;
            return ERR_OK;
        }
    }
    char expected[128] = "";
    for (int i = 0; i < n; i++) {
        strcat(expected, i ? (i == n - 1 ? " or " : ", ") : "");
        strcat(expected, names[i]);
    }
    return err_set(e, ERR_INPUT, "%s: '%s' is not %s", what, s ? s : "", expected);
}

const char *pattern_name(enum pattern p)
{
    return pattern_names[p];
}

int pattern_parse(const char *s, enum pattern *out, struct err *e)
{
    int v;
    if (parse_name(s, pattern_names, 4, "pattern", &v, e) != ERR_OK)
        return e->code;
    *out = (enum pattern)v;
    return ERR_OK;
}

const char *ssp_method_name(enum ssp_method m)
{
    return method_names[m];
}

int ssp_method_parse(const char *s, enum ssp_method *out, struct err *e)
{
    int v;
    if (parse_name(s, method_names, 4, "ssp-method", &v, e) != ERR_OK)
        return e->code;
    *out = (enum ssp_method)v;
    return ERR_OK;
}

const char *convention_name(enum convention c)
{
    return convention_names[c];
}

int convention_parse(const char *s, enum convention *out, struct err *e)
{
    int v;
    if (parse_name(s, convention_names, 2, "convention", &v, e) != ERR_OK)
        return e->code;
    *out = (enum convention)v;
    return ERR_OK;
}

/* ---- step 3 ----------------------------------------------------------------------------- */

int transaction_price(const struct price_terms *t, struct money *out, struct err *e)
{
    if (t->discount.minor < 0)
        return err_set(e, ERR_INPUT, "discount: cannot be negative");
    if (t->payable.minor < 0)
        return err_set(e, ERR_INPUT, "payable: cannot be negative");
    /* In 128 bits nothing overflows on the way; only the result may not fit. Each refusal names
     * the field that causes it, so an import can point at its column. */
    __int128 tp = (__int128)t->fixed.minor - t->discount.minor - t->payable.minor +
                  t->variable.minor + t->modified.minor;
    if (tp > INT64_MAX)
        return err_set(e, ERR_OVERFLOW, "%s: is too large (the transaction price overflows)",
                       t->variable.minor > t->fixed.minor ? "variable" : "price");
    if (tp < 0)
        return err_set(e, ERR_INPUT, "%s: discounts and consideration payable exceed the price",
                       t->payable.minor > t->discount.minor ? "payable" : "discount");
    out->minor = (int64_t)tp;
    return ERR_OK;
}

/* ---- step 4 ----------------------------------------------------------------------------- */

/* Splits amount across the items selected by `pick` in proportion to their SSPs, adding each
 * share to `allocated` (sign of amount kept). */
static int split_by_ssp(struct money amount, struct alloc_item *items, size_t n,
                        bool (*pick)(const struct alloc_item *), int sign, struct err *e)
{
    int64_t *w = xmalloc((n ? n : 1) * sizeof *w);
    struct money *parts = xmalloc((n ? n : 1) * sizeof *parts);
    size_t m = 0;
    size_t *idx = xmalloc((n ? n : 1) * sizeof *idx);
    for (size_t i = 0; i < n; i++) {
        if (pick(&items[i])) {
            idx[m] = i;
            w[m++] = items[i].ssp.minor;
        }
    }
    int rc = ERR_OK;
    if (m == 0) {
        rc = amount.minor ? err_set(e, ERR_INPUT, "no obligation can take the price") : ERR_OK;
    } else if (money_split(amount, w, m, parts, e) != ERR_OK) {
        rc = err_set(e, ERR_INPUT, "the obligations' standalone selling prices add up to zero");
    } else {
        for (size_t k = 0; k < m; k++)
            items[idx[k]].allocated.minor += sign * parts[k].minor;
    }
    free(w);
    free(parts);
    free(idx);
    return rc;
}

static bool fixed_part(const struct alloc_item *it)
{
    return it->pattern != PATTERN_USAGE;
}

static bool fixed_non_residual(const struct alloc_item *it)
{
    return it->pattern != PATTERN_USAGE && it->method != SSP_RESIDUAL;
}

static bool target(const struct alloc_item *it)
{
    return it->pattern != PATTERN_USAGE && it->discount_target;
}

int allocate(struct money tp, struct money discount, struct alloc_item *items, size_t n,
             struct err *e)
{
    size_t residual = n, nresidual = 0, ntargets = 0;
    for (size_t i = 0; i < n; i++) {
        items[i].allocated = money_of(0);
        if (items[i].pattern == PATTERN_USAGE)
            continue;
        if (items[i].ssp.minor < 0)
            return err_set(e, ERR_INPUT, "obligation %zu: ssp cannot be negative", i + 1);
        if (items[i].method == SSP_RESIDUAL) {
            residual = i;
            nresidual++;
        }
        ntargets += items[i].discount_target;
    }
    if (nresidual > 1)
        return err_set(e, ERR_INPUT,
                       "only one obligation of a contract can use the residual approach");
    if (ntargets && discount.minor > 0) {
        /* The undiscounted price is spread by SSP, then the discount comes off the targets. */
        struct money undiscounted;
        if (money_add(tp, discount, &undiscounted, e) != ERR_OK)
            return e->code;
        if (nresidual) {
            /* Residual items are priced by what is left, so "undiscounted" means SSPs. */
            for (size_t i = 0; i < n; i++)
                if (fixed_non_residual(&items[i]))
                    items[i].allocated = items[i].ssp;
        } else if (split_by_ssp(undiscounted, items, n, fixed_part, 1, e) != ERR_OK) {
            return e->code;
        }
        if (split_by_ssp(discount, items, n, target, -1, e) != ERR_OK)
            return e->code;
        for (size_t i = 0; i < n; i++)
            if (items[i].allocated.minor < 0)
                return err_set(e, ERR_INPUT,
                               "obligation %zu: the discount allocated to it exceeds its price",
                               i + 1);
    } else if (nresidual) {
        for (size_t i = 0; i < n; i++)
            if (fixed_non_residual(&items[i]))
                items[i].allocated = items[i].ssp;
    } else {
        if (split_by_ssp(tp, items, n, fixed_part, 1, e) != ERR_OK)
            return e->code;
    }
    if (nresidual) {
        struct money others = money_of(0), rest;
        for (size_t i = 0; i < n; i++)
            if (i != residual && money_add(others, items[i].allocated, &others, e) != ERR_OK)
                return e->code;
        if (money_sub(tp, others, &rest, e) != ERR_OK)
            return e->code;
        const struct alloc_item *r = &items[residual];
        bool ranged = r->range_low.minor || r->range_high.minor;
        if (rest.minor <= 0 ||
            (ranged && (rest.minor < r->range_low.minor || rest.minor > r->range_high.minor)))
            return err_set(e, ERR_RULE,
                           "obligation %zu: the residual approach does not fit (what remains"
                           " for it is outside the range of prices it is sold at)",
                           residual + 1);
        items[residual].allocated = rest;
    }
    return ERR_OK;
}

/* ---- step 5 ----------------------------------------------------------------------------- */

static int32_t max32(int32_t a, int32_t b)
{
    return a > b ? a : b;
}

static int32_t min32(int32_t a, int32_t b)
{
    return a < b ? a : b;
}

/* Days of [a, b] within the term and outside the pause. */
static int64_t served(const struct recog_input *in, int32_t a, int32_t b)
{
    a = max32(a, in->start);
    b = min32(b, in->end);
    if (b < a)
        return 0;
    int64_t days = (int64_t)b - a + 1;
    if (in->pause_start != DATE_NONE) {
        int32_t pa = max32(a, in->pause_start), pb = min32(b, in->pause_end);
        if (pb >= pa)
            days -= (int64_t)pb - pa + 1;
    }
    return days;
}

/* The monthly weight of [first day of t's month .. t], in units. */
static int64_t month_units(const struct recog_input *in, int32_t period, int32_t through)
{
    return served(in, period_first_day(period), through) * (MONTH_UNITS / period_days(period));
}

/* Units served through t and in the whole term, monthly convention. */
static void monthly_units(const struct recog_input *in, int32_t t, int64_t *through, int64_t *total)
{
    int32_t first = period_of(in->start), last = period_of(in->end);
    *through = *total = 0;
    for (int32_t p = first; p <= last; p++) {
        int64_t u = month_units(in, p, period_last_day(p));
        *total += u;
        if (period_last_day(p) <= t)
            *through += u;
        else if (period_first_day(p) <= t)
            *through += month_units(in, p, t);
    }
}

static struct money scale(struct money a, int64_t num, int64_t den)
{
    if (den <= 0 || num <= 0)
        return money_of(0);
    if (num >= den)
        return a;
    struct money r;
    struct err e;
    /* a fits in int64 and num < den, so the result always fits. */
    money_muldiv(a, num, den, ROUND_HALF_AWAY, &r, &e);
    return r;
}

int64_t term_units(enum convention c, int32_t a, int32_t b)
{
    if (a == DATE_NONE || b == DATE_NONE || b < a)
        return 0;
    if (c == CONVENTION_DAILY)
        return (int64_t)b - a + 1;
    int64_t units = 0;
    for (int32_t p = period_of(a); p <= period_of(b); p++) {
        int32_t lo = max32(a, period_first_day(p)), hi = min32(b, period_last_day(p));
        units += ((int64_t)hi - lo + 1) * (MONTH_UNITS / period_days(p));
    }
    return units;
}

static struct money recognized_plain(const struct recog_input *in, int32_t t);

/* The segment that governs day t, or NULL for the original terms. */
static const struct recog_segment *segment_at(const struct recog_input *in, int32_t t)
{
    const struct recog_segment *g = NULL;
    for (size_t i = 0; i < in->nsegments && in->segments[i].from <= t; i++)
        g = &in->segments[i];
    return g;
}

struct money recognized_to(const struct recog_input *in, int32_t t)
{
    const struct recog_segment *g = segment_at(in, t);
    if (!g)
        return recognized_plain(in, t);
    struct recog_input seg = *in;
    seg.segments = NULL;
    seg.nsegments = 0;
    seg.allocated = g->allocated;
    seg.start = g->start;
    seg.end = g->end;
    seg.pause_start = seg.pause_end = DATE_NONE;
    struct money r;
    if (in->pattern == PATTERN_PROGRESS) {
        int32_t bp = 0;
        for (size_t i = 0; i < in->nprogress; i++)
            if (in->progress[i].on <= t)
                bp = in->progress[i].basis_points;
        r = g->progress_base >= 10000
                ? money_of(0)
                : scale(g->allocated, bp - g->progress_base, 10000 - g->progress_base);
    } else {
        r = recognized_plain(&seg, t);
    }
    return money_of(g->base.minor + r.minor);
}

static struct money recognized_plain(const struct recog_input *in, int32_t t)
{
    switch (in->pattern) {
    case PATTERN_RATABLE:
        if (in->start == DATE_NONE || in->end == DATE_NONE || in->end < in->start || t < in->start)
            return money_of(0);
        if (in->convention == CONVENTION_DAILY)
            return scale(in->allocated, served(in, in->start, t), served(in, in->start, in->end));
        {
            int64_t through, total;
            monthly_units(in, t, &through, &total);
            return scale(in->allocated, through, total);
        }
    case PATTERN_POINT:
        return in->delivered_on != DATE_NONE && t >= in->delivered_on ? in->allocated : money_of(0);
    case PATTERN_USAGE: {
        struct money sum = money_of(0);
        for (size_t i = 0; i < in->nusage; i++)
            if (in->usage[i].on <= t)
                sum.minor += in->usage[i].amount.minor;
        return sum;
    }
    case PATTERN_PROGRESS: {
        int32_t bp = 0;
        for (size_t i = 0; i < in->nprogress; i++)
            if (in->progress[i].on <= t)
                bp = in->progress[i].basis_points;
        return scale(in->allocated, bp, 10000);
    }
    }
    assert(!"unknown pattern");
    return money_of(0);
}

struct money recognized_in(const struct recog_input *in, int32_t period)
{
    struct money now = recognized_to(in, period_last_day(period));
    struct money before = recognized_to(in, period_first_day(period) - 1);
    return money_of(now.minor - before.minor);
}

void recognition_schedule(const struct recog_input *in, int32_t first, size_t n,
                          struct money *amounts)
{
    if (n == 0)
        return;
    if (in->nsegments || in->pattern != PATTERN_RATABLE || in->start == DATE_NONE ||
        in->end == DATE_NONE || in->end < in->start) {
        struct money before = recognized_to(in, period_first_day(first) - 1);
        for (size_t i = 0; i < n; i++) {
            struct money now = recognized_to(in, period_last_day(first + (int32_t)i));
            amounts[i] = money_of(now.minor - before.minor);
            before = now;
        }
        return;
    }
    /* Ratable: the weight of every month of the term once, then cumulative sums. */
    bool daily = in->convention == CONVENTION_DAILY;
    int32_t p0 = period_of(in->start), p1 = period_of(in->end);
    int64_t total = 0;
    for (int32_t p = p0; p <= p1; p++) {
        int64_t days = served(in, period_first_day(p), period_last_day(p));
        total += daily ? days : days * (MONTH_UNITS / period_days(p));
    }
    int64_t through = 0;
    for (int32_t p = p0; p < first && p <= p1; p++) {
        int64_t days = served(in, period_first_day(p), period_last_day(p));
        through += daily ? days : days * (MONTH_UNITS / period_days(p));
    }
    struct money before = scale(in->allocated, through, total);
    for (size_t i = 0; i < n; i++) {
        int32_t p = first + (int32_t)i;
        if (p >= p0 && p <= p1) {
            int64_t days = served(in, period_first_day(p), period_last_day(p));
            through += daily ? days : days * (MONTH_UNITS / period_days(p));
        }
        struct money now = scale(in->allocated, through, total);
        amounts[i] = money_of(now.minor - before.minor);
        before = now;
    }
}

static bool span_plain(const struct recog_input *in, int32_t *first, int32_t *last);

bool recognition_span(const struct recog_input *in, int32_t *first, int32_t *last)
{
    bool any = span_plain(in, first, last);
    if (in->nsegments == 0)
        return any;
    /* The original terms up to the first segment, then each segment's own term; the period a
     * segment begins in always belongs (a catch-up lands there). */
    if (any && *first >= period_of(in->segments[0].from)) {
        any = false;
    } else if (any && *last >= period_of(in->segments[0].from)) {
        *last = period_of(in->segments[0].from);
    }
    for (size_t i = 0; i < in->nsegments; i++) {
        const struct recog_segment *g = &in->segments[i];
        int32_t lo = period_of(g->from), hi = lo;
        struct recog_input seg = *in;
        seg.segments = NULL;
        seg.nsegments = 0;
        seg.start = g->start;
        seg.end = g->end;
        seg.pause_start = seg.pause_end = DATE_NONE;
        int32_t a, z;
        if (span_plain(&seg, &a, &z)) {
            hi = max32(hi, z);
            lo = min32(lo, max32(a, period_of(g->from)));
        }
        if (!any) {
            *first = lo;
            *last = hi;
            any = true;
        } else {
            *first = min32(*first, lo);
            *last = max32(*last, hi);
        }
    }
    return any;
}

static bool span_plain(const struct recog_input *in, int32_t *first, int32_t *last)
{
    switch (in->pattern) {
    case PATTERN_RATABLE:
        if (in->start == DATE_NONE || in->end == DATE_NONE || in->end < in->start)
            return false;
        *first = period_of(in->start);
        *last = period_of(in->end);
        return true;
    case PATTERN_POINT:
        if (in->delivered_on == DATE_NONE)
            return false;
        *first = *last = period_of(in->delivered_on);
        return true;
    case PATTERN_USAGE:
    case PATTERN_PROGRESS: {
        size_t n = in->pattern == PATTERN_USAGE ? in->nusage : in->nprogress;
        if (n == 0)
            return false;
        int32_t lo = INT32_MAX, hi = INT32_MIN;
        for (size_t i = 0; i < n; i++) {
            int32_t d = in->pattern == PATTERN_USAGE ? in->usage[i].on : in->progress[i].on;
            lo = min32(lo, d);
            hi = max32(hi, d);
        }
        *first = period_of(lo);
        *last = period_of(hi);
        return true;
    }
    }
    return false;
}
