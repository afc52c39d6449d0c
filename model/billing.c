/*
 * billing.c — the instalments of a billing plan.
 */
#include "model/billing.h"

#include <stdlib.h>

#include "model/date.h"
#include "model/xalloc.h"

static int step_months(enum billing_plan plan)
{
    switch (plan) {
    case BILL_MONTHLY:
        return 1;
    case BILL_QUARTERLY:
        return 3;
    case BILL_ANNUAL:
        return 12;
    default:
        return 0;
    }
}

size_t billing_count(enum billing_plan plan, int32_t start, int32_t end)
{
    int step = step_months(plan);
    if (plan == BILL_UPFRONT)
        return 1;
    if (step == 0)
        return 0;
    size_t n = 0;
    while (date_add_months(start, (int)n * step) <= end)
        n++;
    return n;
}

size_t billing_plan_instalments(enum billing_plan plan, int32_t start, int32_t end,
                                struct money amount, struct bill_instalment *out)
{
    size_t n = billing_count(plan, start, end);
    if (n == 0)
        return 0;
    int64_t *weights = xmalloc(n * sizeof *weights);
    struct money *parts = xmalloc(n * sizeof *parts);
    for (size_t i = 0; i < n; i++)
        weights[i] = 1;
    struct err e;
    if (money_split(amount, weights, n, parts, &e) != ERR_OK)
        for (size_t i = 0; i < n; i++)
            parts[i] = money_of(0);
    int step = step_months(plan);
    for (size_t i = 0; i < n; i++) {
        out[i].on = plan == BILL_UPFRONT ? start : date_add_months(start, (int)i * step);
        out[i].amount = parts[i];
    }
    free(weights);
    free(parts);
    return n;
}
