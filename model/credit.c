/*
 * credit.c — the rules of customer credit (ACCOUNTING.md §4): which grants are alive on a day,
 * and in what order they cover an invoice.
 */
#include "model/credit.h"

#include <stdlib.h>
#include <string.h>

#include "model/date.h"
#include "model/xalloc.h"

static const char *const kind_names[] = {"prepaid", "promotional", "goodwill", "refund"};
static const char *const movement_names[] = {"granted", "applied", "expired", "refunded",
                                             "adjusted"};

const char *credit_kind_name(enum credit_kind k)
{
    return kind_names[k];
}

int credit_kind_parse(const char *s, enum credit_kind *out, struct err *e)
{
    for (int i = 0; i < 4; i++) {
        if (s && strcmp(s, kind_names[i]) == 0) {
            *out = (enum credit_kind)i;
            return ERR_OK;
        }
    }
    return err_set(e, ERR_INPUT, "kind: '%s' is not one of prepaid, promotional, goodwill, refund",
                   s ? s : "");
}

bool credit_kind_is_paid(enum credit_kind k)
{
    return k == CREDIT_PREPAID || k == CREDIT_REFUND;
}

const char *movement_kind_name(enum movement_kind k)
{
    return movement_names[k];
}

bool credit_usable_on(const struct credit_grant *g, int32_t day)
{
    return !g->expired && g->granted_on <= day &&
           (g->expires_on == DATE_NONE || day <= g->expires_on) && g->remaining.minor > 0;
}

int32_t credit_expiry_day(const struct credit_grant *g)
{
    return g->expires_on == DATE_NONE ? DATE_NONE : g->expires_on + 1;
}

/* §4's order: earliest expiry first (no expiry last), then oldest grant, then lowest id. */
static int order_cmp(const struct credit_grant *a, const struct credit_grant *b)
{
    if (a->expires_on != b->expires_on) {
        if (a->expires_on == DATE_NONE)
            return 1;
        if (b->expires_on == DATE_NONE)
            return -1;
        return a->expires_on < b->expires_on ? -1 : 1;
    }
    if (a->granted_on != b->granted_on)
        return a->granted_on < b->granted_on ? -1 : 1;
    return a->id < b->id ? -1 : a->id > b->id;
}

size_t credit_plan(const struct credit_grant *grants, size_t n, int32_t day, struct money due,
                   struct credit_draw *draws)
{
    size_t *order = xmalloc((n ? n : 1) * sizeof *order);
    size_t m = 0;
    for (size_t i = 0; i < n; i++)
        if (credit_usable_on(&grants[i], day))
            order[m++] = i;
    /* Insertion sort: a customer holds a handful of grants, and it is stable. */
    for (size_t i = 1; i < m; i++) {
        size_t v = order[i], j = i;
        while (j > 0 && order_cmp(&grants[order[j - 1]], &grants[v]) > 0) {
            order[j] = order[j - 1];
            j--;
        }
        order[j] = v;
    }
    size_t nd = 0;
    int64_t left = due.minor;
    for (size_t k = 0; k < m && left > 0; k++) {
        const struct credit_grant *g = &grants[order[k]];
        int64_t take = g->remaining.minor < left ? g->remaining.minor : left;
        draws[nd].grant = order[k];
        draws[nd].amount = money_of(take);
        nd++;
        left -= take;
    }
    free(order);
    return nd;
}
