/*
 * memo.c — the pure rules of contract modifications: classification and the three treatments.
 */
#include "model/memo.h"

#include <stdlib.h>
#include <string.h>

#include "model/date.h"
#include "model/xalloc.h"

static const char *const type_names[] = {"upgrade",      "seat_expansion", "downgrade",
                                         "price_change", "extension",      "termination",
                                         "pause",        "cancellation"};
static const char *const treatment_names[] = {"separate", "prospective", "catch_up", "pause"};
static const char *const treatment_titles[] = {"separate contract", "prospective",
                                               "cumulative catch-up", "pause"};
static const char *const status_names[] = {"draft", "approved", "posted"};

const char *memo_type_name(enum memo_type t)
{
    return type_names[t];
}

static int parse_in(const char *s, const char *const *names, int n, const char *what, int *out,
                    struct err *e)
{
    for (int i = 0; i < n; i++) {
        /* seat-expansion and seat_expansion are the same word */
        const char *a = s ? s : "", *b = names[i];
        while (*a && *b && (*a == *b || (*a == '-' && *b == '_')))
            a++, b++;
        if (!*a && !*b) {
            *out = i;
            return ERR_OK;
        }
    }
    char list[256] = "";
    for (int i = 0; i < n; i++) {
        strncat(list, names[i], sizeof list - strlen(list) - 1);
        if (i + 1 < n)
            strncat(list, ", ", sizeof list - strlen(list) - 1);
    }
    return err_set(e, ERR_INPUT, "%s: '%s' is not one of %s", what, s ? s : "", list);
}

int memo_type_parse(const char *s, enum memo_type *out, struct err *e)
{
    int v;
    if (parse_in(s, type_names, 8, "type", &v, e) != ERR_OK)
        return e->code;
    *out = (enum memo_type)v;
    return ERR_OK;
}

const char *memo_treatment_name(enum memo_treatment t)
{
    return treatment_names[t];
}

const char *memo_treatment_title(enum memo_treatment t)
{
    return treatment_titles[t];
}

int memo_treatment_parse(const char *s, enum memo_treatment *out, struct err *e)
{
    int v;
    if (parse_in(s, treatment_names, 4, "treatment", &v, e) != ERR_OK)
        return e->code;
    *out = (enum memo_treatment)v;
    return ERR_OK;
}

const char *memo_status_name(enum memo_status s)
{
    return status_names[s];
}

bool memo_default_remaining_distinct(enum memo_type t)
{
    return t == MEMO_UPGRADE || t == MEMO_SEAT_EXPANSION || t == MEMO_EXTENSION || t == MEMO_PAUSE;
}

enum memo_treatment memo_suggest(enum memo_type t, bool distinct_added, bool at_ssp,
                                 bool remaining_distinct)
{
    if (t == MEMO_PAUSE)
        return TREAT_PAUSE;
    if (distinct_added && at_ssp)
        return TREAT_SEPARATE;
    return remaining_distinct ? TREAT_PROSPECTIVE : TREAT_CATCH_UP;
}

const char *memo_suggest_reason(enum memo_type t, bool distinct_added, bool at_ssp,
                                bool remaining_distinct)
{
    if (t == MEMO_PAUSE)
        return "service stops for the paused days and the term moves out by as many";
    if (distinct_added && at_ssp)
        return "distinct goods or services are added at their standalone selling price: they are"
               " a new contract and the original is untouched";
    if (remaining_distinct)
        return distinct_added
                   ? "distinct goods or services are added below their standalone selling price"
                     " and what remains is distinct from what was delivered: the original ends"
                     " and a new one begins, prospectively"
                   : "what remains is distinct from what was delivered: the change applies to"
                     " the rest of the contract, prospectively";
    return "the change reaches into an obligation that is partly delivered: it is re-measured"
           " from inception and the difference is booked now (cumulative catch-up)";
}

/* ---- the plan --------------------------------------------------------------------------- */

static struct money muldiv(struct money a, int64_t num, int64_t den)
{
    if (den <= 0 || num <= 0)
        return money_of(0);
    struct money r;
    struct err ignore;
    if (money_muldiv(a, num, den, ROUND_HALF_AWAY, &r, &ignore) != ERR_OK)
        return money_of(0);
    return r;
}

static int32_t progress_at(const struct recog_input *in, int32_t t)
{
    int32_t bp = 0;
    for (size_t i = 0; i < in->nprogress; i++)
        if (in->progress[i].on <= t)
            bp = in->progress[i].basis_points;
    return bp;
}

/* The plain rule of a segment, evaluated as if it governed from inception. */
static struct money segment_value(const struct memo_ob *o, const struct recog_segment *g, int32_t t)
{
    struct recog_segment only = *g;
    only.from = INT32_MIN / 2;
    struct recog_input in = o->in;
    in.segments = &only;
    in.nsegments = 1;
    struct money r = recognized_to(&in, t);
    return money_of(r.minor);
}

/* The end of an obligation's service after the change. */
static int32_t end_after(const struct memo_terms *t, const struct memo_ob *o)
{
    if (o->pattern != PATTERN_RATABLE && o->pattern != PATTERN_PROGRESS)
        return o->end;
    if (o->removed)
        return t->effective - 1;
    if (t->new_end == DATE_NONE)
        return o->end;
    /* A shorter term cuts every obligation serving past it; a longer one carries those that
     * ran to the contract's end. */
    if (t->new_end < o->end || o->end == t->contract_end)
        return t->new_end;
    return o->end;
}

static bool delivered_before(const struct memo_ob *o, int32_t day)
{
    return o->in.delivered_on != DATE_NONE && o->in.delivered_on < day;
}

static int plan_pause(const struct memo_terms *t, struct memo_ob *obs, size_t n, struct err *e)
{
    if (t->pause_from == DATE_NONE || t->pause_to == DATE_NONE || t->pause_to < t->pause_from)
        return err_set(e, ERR_INPUT, "pause: give --pause-from and --pause-to, in order");
    int32_t days = t->pause_to - t->pause_from + 1;
    int paused = 0;
    for (size_t i = 0; i < n; i++) {
        struct memo_ob *o = &obs[i];
        if (o->added || o->pattern != PATTERN_RATABLE || o->start > t->pause_from ||
            o->end < t->pause_from)
            continue;
        struct money base = recognized_to(&o->in, t->pause_from - 1);
        o->changed = true;
        o->seg = (struct recog_segment){.from = t->pause_from,
                                        .base = base,
                                        .allocated = money_of(o->allocated.minor - base.minor),
                                        .start = t->pause_to + 1,
                                        .end = o->end + days};
        o->new_end = o->end + days;
        paused++;
    }
    if (!paused)
        return err_set(e, ERR_RULE, "pause: no obligation recognized over time is serving then");
    return ERR_OK;
}

static int plan_separate(const struct memo_terms *t, struct memo_ob *obs, size_t n, struct err *e)
{
    int64_t *w = xcalloc(n ? n : 1, sizeof *w);
    struct money *parts = xcalloc(n ? n : 1, sizeof *parts);
    size_t added = 0;
    for (size_t i = 0; i < n; i++)
        if (obs[i].added) {
            w[i] = obs[i].ssp.minor;
            added++;
        }
    int rc = ERR_OK;
    if (!added)
        rc = err_set(e, ERR_RULE,
                     "separate contract: the memo adds nothing (give --add or a new --end)");
    else if (t->consideration.minor <= 0)
        rc = err_set(e, ERR_RULE,
                     "separate contract: the added goods or services need a price"
                     " (--consideration)");
    else if (money_split(t->consideration, w, n, parts, e) != ERR_OK)
        rc = e->code;
    for (size_t i = 0; i < n && rc == ERR_OK; i++)
        if (obs[i].added) {
            obs[i].new_allocated = parts[i];
            obs[i].remaining_ssp = obs[i].ssp;
        }
    free(w);
    free(parts);
    return rc;
}

static int plan_prospective(const struct memo_terms *t, struct memo_ob *obs, size_t n,
                            struct err *e)
{
    int32_t d = t->effective;
    struct money pool = t->consideration;
    int64_t *w = xcalloc(n ? n : 1, sizeof *w);
    struct money *parts = xcalloc(n ? n : 1, sizeof *parts);
    bool *take = xcalloc(n ? n : 1, sizeof *take);
    int32_t *bp0 = xcalloc(n ? n : 1, sizeof *bp0);
    int64_t weights = 0;
    int rc = ERR_OK;
    for (size_t i = 0; i < n && rc == ERR_OK; i++) {
        struct memo_ob *o = &obs[i];
        if (o->pattern == PATTERN_USAGE)
            continue;
        if (o->added) {
            o->remaining_ssp = o->ssp;
            take[i] = true;
            w[i] = o->ssp.minor;
            weights += w[i];
            continue;
        }
        struct money base = recognized_to(&o->in, d - 1);
        struct money left = money_of(o->allocated.minor - base.minor);
        o->new_end = end_after(t, o);
        bool rest = false;
        switch (o->pattern) {
        case PATTERN_RATABLE: {
            rest = o->new_end >= d && o->new_end >= o->start;
            int64_t full = term_units(t->convention, o->start, o->end);
            int64_t more = term_units(t->convention, d > o->start ? d : o->start, o->new_end);
            o->remaining_ssp = muldiv(o->ssp, more, full);
            break;
        }
        case PATTERN_POINT:
            rest = !delivered_before(o, d);
            o->remaining_ssp = rest ? o->ssp : money_of(0);
            break;
        case PATTERN_PROGRESS:
            bp0[i] = progress_at(&o->in, d - 1);
            rest = bp0[i] < 10000;
            o->remaining_ssp = muldiv(o->ssp, 10000 - bp0[i], 10000);
            break;
        case PATTERN_USAGE:
            break;
        }
        if (o->removed)
            rest = false;
        if (rest && o->ssp_restated)
            o->remaining_ssp = o->ssp_new;
        if (!rest)
            o->remaining_ssp = money_of(0);
        money_accumulate(&pool, left, &(bool){false});
        if (rest || o->removed || left.minor != 0) {
            take[i] = true;
            o->changed = true;
            o->seg = (struct recog_segment){.from = d,
                                            .base = base,
                                            .start = o->start > d ? o->start : d,
                                            .end = o->new_end,
                                            .progress_base = bp0[i]};
            if (o->pattern == PATTERN_POINT) {
                o->seg.start = o->start;
                o->seg.end = o->end;
            }
            if (o->pattern == PATTERN_PROGRESS)
                o->seg.start = o->start;
        }
        if (rest) {
            w[i] = o->remaining_ssp.minor;
            weights += w[i];
        }
    }
    if (rc == ERR_OK && pool.minor < 0)
        rc = err_set(e, ERR_RULE,
                     "prospective: the change takes away more than remains to be recognized"
                     " (%lld minor units short); choose the cumulative catch-up or refund less",
                     (long long)-pool.minor);
    if (rc == ERR_OK && pool.minor > 0 && weights == 0)
        rc = err_set(e, ERR_RULE,
                     "prospective: nothing remains to be delivered to carry what is not yet"
                     " recognized; choose the cumulative catch-up");
    if (rc == ERR_OK && weights > 0 && money_split(pool, w, n, parts, e) != ERR_OK)
        rc = e->code;
    for (size_t i = 0; i < n && rc == ERR_OK; i++) {
        struct memo_ob *o = &obs[i];
        if (!take[i])
            continue;
        struct money share = w[i] ? parts[i] : money_of(0);
        if (o->added) {
            o->new_allocated = share;
        } else {
            o->seg.allocated = share;
            o->new_allocated = money_of(o->seg.base.minor + share.minor);
        }
    }
    free(w);
    free(parts);
    free(take);
    free(bp0);
    return rc;
}

static int plan_catch_up(const struct memo_terms *t, struct memo_ob *obs, size_t n, struct err *e)
{
    int32_t d = t->effective, from = t->catch_up_from;
    struct money tp;
    if (money_add(t->tp, t->consideration, &tp, e) != ERR_OK)
        return e->code;
    if (tp.minor < 0)
        return err_set(e, ERR_RULE, "the change takes the transaction price below zero");
    struct alloc_item *items = xcalloc(n ? n : 1, sizeof *items);
    int64_t weights = 0;
    for (size_t i = 0; i < n; i++) {
        struct memo_ob *o = &obs[i];
        struct alloc_item *it = &items[i];
        it->pattern = o->pattern;
        it->method = o->method;
        it->range_low = o->range_low;
        it->range_high = o->range_high;
        it->discount_target = o->discount_target;
        it->ssp = o->ssp_restated ? o->ssp_new : o->ssp;
        if (o->pattern == PATTERN_USAGE || o->added) {
            o->new_end = o->end;
        } else {
            o->new_end = end_after(t, o);
            switch (o->pattern) {
            case PATTERN_RATABLE:
                if (o->new_end != o->end)
                    it->ssp = muldiv(it->ssp, term_units(t->convention, o->start, o->new_end),
                                     term_units(t->convention, o->start, o->end));
                break;
            case PATTERN_POINT:
                if (o->removed && !delivered_before(o, d))
                    it->ssp = money_of(0);
                break;
            case PATTERN_PROGRESS:
                if (o->removed)
                    it->ssp = muldiv(it->ssp, progress_at(&o->in, d - 1), 10000);
                break;
            case PATTERN_USAGE:
                break;
            }
        }
        o->remaining_ssp = it->ssp;
        if (o->pattern != PATTERN_USAGE)
            weights += it->ssp.minor + (it->method == SSP_RESIDUAL);
    }
    int rc = ERR_OK;
    if (tp.minor > 0 && weights == 0)
        rc = err_set(e, ERR_RULE,
                     "nothing was or will be delivered to carry the %lld minor units the customer"
                     " keeps: refund them (--refund) or treat the change otherwise",
                     (long long)tp.minor);
    else if (allocate(tp, t->discount, items, n, e) != ERR_OK)
        rc = e->code;
    for (size_t i = 0; i < n && rc == ERR_OK; i++) {
        struct memo_ob *o = &obs[i];
        if (o->pattern == PATTERN_USAGE)
            continue;
        o->new_allocated = items[i].allocated;
        if (o->added)
            continue;
        o->changed = true;
        o->seg = (struct recog_segment){.from = from,
                                        .base = money_of(0),
                                        .allocated = items[i].allocated,
                                        .start = o->start,
                                        .end = o->new_end};
        if (o->pattern == PATTERN_POINT)
            o->seg.end = o->end;
        struct money now = recognized_to(&o->in, from - 1);
        struct money then = segment_value(o, &o->seg, from - 1);
        o->catch_up = money_of(then.minor - now.minor);
    }
    free(items);
    return rc;
}

int memo_plan(const struct memo_terms *t, struct memo_ob *obs, size_t n, struct err *e)
{
    for (size_t i = 0; i < n; i++) {
        struct memo_ob *o = &obs[i];
        o->changed = false;
        memset(&o->seg, 0, sizeof o->seg);
        o->remaining_ssp = money_of(0);
        o->new_allocated = o->added ? money_of(0) : o->allocated;
        o->new_end = o->end;
        o->catch_up = money_of(0);
    }
    switch (t->treatment) {
    case TREAT_PAUSE:
        return plan_pause(t, obs, n, e);
    case TREAT_SEPARATE:
        return plan_separate(t, obs, n, e);
    case TREAT_PROSPECTIVE:
        return plan_prospective(t, obs, n, e);
    case TREAT_CATCH_UP:
        return plan_catch_up(t, obs, n, e);
    }
    return err_set(e, ERR_INPUT, "treatment: unknown");
}

void memo_after_input(const struct memo_ob *o, struct recog_segment *room, struct recog_input *out)
{
    *out = o->in;
    if (!o->changed)
        return;
    size_t k = 0;
    for (size_t i = 0; i < o->in.nsegments; i++)
        if (o->in.segments[i].from < o->seg.from)
            room[k++] = o->in.segments[i];
    room[k++] = o->seg;
    out->segments = room;
    out->nsegments = k;
}
