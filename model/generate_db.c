/*
 * generate_db.c — writes a synthetic company month by month through the model (generate.h).
 *
 * Everything is drawn from one seeded generator (splitmix64), in a fixed order, so a seed and a
 * working date always give the same book. The plan of every contract is drawn first and kept in a
 * compact array (no strings); the months are then played in order: contracts start, credit is
 * granted, points are delivered, usage and progress recorded, modifications posted, contracts
 * billed, customers pay, recognition is posted and the month closed. Each month is one
 * transaction, so the work in memory never grows with the book.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "model/billing.h"
#include "model/check.h"
#include "model/close.h"
#include "model/contract.h"
#include "model/credit.h"
#include "model/date.h"
#include "model/db.h"
#include "model/generate.h"
#include "model/memo.h"
#include "model/payment.h"
#include "model/schedule.h"
#include "model/xalloc.h"

/* ---- the seeded generator --------------------------------------------------------------- */

struct rng {
    uint64_t s;
};

static uint64_t rng_next(struct rng *r)
{
    uint64_t z = (r->s += 0x9E3779B97F4A7C15u);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9u;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBu;
    return z ^ (z >> 31);
}

/* A number in [0, n), n > 0. The tiny modulo bias does not matter for a synthetic book. */
static int64_t rng_below(struct rng *r, int64_t n)
{
    return (int64_t)(rng_next(r) % (uint64_t)n);
}

/* True with probability pct / 100. */
static bool rng_pct(struct rng *r, int pct)
{
    return rng_below(r, 100) < pct;
}

/* ---- what the company sells ------------------------------------------------------------- */

enum kind {
    KIND_ANNUAL,  /* platform subscription, onboarding, premium support; billed yearly or upfront */
    KIND_MONTHLY, /* subscription with usage overage, billed monthly */
    KIND_BUNDLE,  /* two-year licence, implementation, services by progress, support, training */
    KIND_USAGE,   /* platform fee and metered usage, billed monthly */
    KIND_TRIAL,   /* a starter plan after a two-week free trial, billed upfront */
};

/* Obligations of each kind, in the order they are added (CODE/1, CODE/2, ...). */
struct ob_plan {
    const char *name;
    enum pattern pattern;
    int ssp_pct;     /* of the contract's base price; 0 for usage */
    int due_months;  /* point: due at the end of the start month + this */
    int term_months; /* progress: months of service from the start; 0: the contract's term */
};

static const struct ob_plan annual_obs[] = {
    {"Platform subscription, 12 months", PATTERN_RATABLE, 100, 0, 0},
    {"Onboarding", PATTERN_POINT, 8, 1, 0},
    {"Premium support, 12 months", PATTERN_RATABLE, 15, 0, 0},
};
static const struct ob_plan monthly_obs[] = {
    {"Subscription, monthly plan", PATTERN_RATABLE, 100, 0, 0},
    {"Usage above the plan", PATTERN_USAGE, 0, 0, 0},
};
static const struct ob_plan bundle_obs[] = {
    {"Enterprise licence, 24 months", PATTERN_RATABLE, 100, 0, 0},
    {"Implementation", PATTERN_POINT, 20, 2, 0},
    {"Professional services", PATTERN_PROGRESS, 25, 0, 6},
    {"Enterprise support, 24 months", PATTERN_RATABLE, 18, 0, 0},
    {"Administrator training", PATTERN_POINT, 4, 3, 0},
};
static const struct ob_plan usage_obs[] = {
    {"Platform fee", PATTERN_RATABLE, 100, 0, 0},
    {"Metered API calls", PATTERN_USAGE, 0, 0, 0},
};
static const struct ob_plan trial_obs[] = {
    {"Starter plan, 12 months", PATTERN_RATABLE, 100, 0, 0},
};

static const struct {
    const struct ob_plan *obs;
    int n;
    int months;
    const char *description;
} kinds[] = {
    [KIND_ANNUAL] = {annual_obs, 3, 12, "Annual platform subscription"},
    [KIND_MONTHLY] = {monthly_obs, 2, 12, "Monthly subscription with overage"},
    [KIND_BUNDLE] = {bundle_obs, 5, 24, "Enterprise bundle, two years"},
    [KIND_USAGE] = {usage_obs, 2, 12, "Usage-priced API plan"},
    [KIND_TRIAL] = {trial_obs, 1, 12, "Starter plan after a free trial"},
};

/* Currencies with a customer's share in percent and the price of 100 US cents in minor units. */
static const struct {
    const char *code;
    int pct;
    int64_t per_100_cents;
    int exponent;
} currencies[] = {
    {"USD", 78, 100, 2}, {"EUR", 12, 92, 2}, {"GBP", 6, 79, 2},
    {"JPY", 3, 150, 0},  {"KWD", 1, 307, 3},
};

static const char *const name_first[] = {
    "Northwind", "Bluefin",  "Cedar",    "Harbor", "Summit", "Lumen",     "Granite",  "Aurora",
    "Juniper",   "Meridian", "Copper",   "Falcon", "Silver", "Evergreen", "Orchard",  "Pioneer",
    "Riverside", "Sterling", "Keystone", "Beacon", "Willow", "Atlas",     "Crescent", "Polaris",
};
static const char *const name_second[] = {
    "Analytics", "Logistics", "Health",  "Foods",      "Robotics", "Media",
    "Energy",    "Retail",    "Labs",    "Freight",    "Studios",  "Payments",
    "Learning",  "Biotech",   "Systems", "Capital",    "Software", "Partners",
    "Dynamics",  "Networks",  "Imports", "Foundation", "Works",    "Data",
};
static const char *const suffix_of[] = {"Inc.", "GmbH", "Ltd", "株式会社", "W.L.L."};
static const char *const eur_names[] = {"Bräunlich", "Lumière", "Nordlys", "Zoë Åberg",
                                        "Müller",    "Škoda",   "Ørsted",  "Gärtner"};

/* One planned contract: 24 bytes, so 100,000 of them stay small. */
struct plan {
    int32_t customer; /* index */
    int32_t start;    /* day */
    int32_t base;     /* the base price in US cents / 100 (whole dollars) */
    uint8_t kind;
    uint8_t billing;
    uint8_t memo; /* 0 none, else 1 + enum memo_type of the one modification */
    uint8_t discount_pct;
    int32_t end; /* day */
};

static int plan_by_start(const void *a, const void *b)
{
    const struct plan *x = a, *y = b;
    return (x->start > y->start) - (x->start < y->start);
}

struct gen {
    struct book *b;
    struct rng r;
    const struct generate_input *in;
    struct generate_result *out;
    int64_t *customer_ids;
    uint8_t *customer_currency; /* index into currencies */
    uint8_t *customer_started;  /* has had its first contract (credit granted then) */
    int width;                  /* digits of customer and contract numbers */
};

static void customer_code(const struct gen *g, int64_t i, char *buf, size_t size)
{
    snprintf(buf, size, "C%0*lld", g->width, (long long)(i + 1));
}

static void contract_code(const struct gen *g, int64_t i, char *buf, size_t size)
{
    snprintf(buf, size, "K%0*lld", g->width, (long long)(i + 1));
}

/* US cents converted to the customer's currency, rounded to whole units. */
static struct money price_in(int64_t cents, int cur)
{
    int64_t minor = cents * currencies[cur].per_100_cents / 100;
    int64_t unit = money_scale(currencies[cur].exponent);
    return money_of(minor / unit * unit);
}

/* ---- customers -------------------------------------------------------------------------- */

static int make_customers(struct gen *g, struct err *e)
{
    static const int terms[] = {15, 30, 30, 30, 45, 60};
    for (int64_t i = 0; i < g->in->customers; i++) {
        int cur = 0;
        for (int64_t roll = rng_below(&g->r, 100), acc = 0; cur < 5; cur++) {
            acc += currencies[cur].pct;
            if (roll < acc)
                break;
        }
        g->customer_currency[i] = (uint8_t)cur;
        char code[CODE_MAX + 1], name[160], email[96];
        customer_code(g, i, code, sizeof code);
        const char *first = name_first[rng_below(&g->r, 24)];
        const char *second = name_second[rng_below(&g->r, 24)];
        if (cur == 1 && rng_pct(&g->r, 40))
            first = eur_names[rng_below(&g->r, 8)];
        if (cur == 3)
            snprintf(name, sizeof name, "%s%s %s", suffix_of[3], first, second);
        else
            snprintf(name, sizeof name, "%s %s %s", first, second,
                     suffix_of[cur == 4   ? 4
                               : cur == 0 ? 0
                               : cur == 1 ? 1
                                          : 2]);
        snprintf(email, sizeof email, "ap@%s.example", code);
        for (char *p = email; *p; p++)
            if (*p >= 'A' && *p <= 'Z')
                *p = (char)(*p - 'A' + 'a');
        struct customer_input ci = {.code = code,
                                    .name = name,
                                    .currency = currencies[cur].code,
                                    .email = email,
                                    .terms_days = terms[rng_below(&g->r, 6)]};
        int rc = customer_add(g->b, &ci, &g->customer_ids[i], e);
        if (rc != ERR_OK)
            return rc;
        g->out->customers++;
        if ((i & 1023) == 0 &&
            book_progress(g->b, "customers", (uint64_t)i, (uint64_t)g->in->customers))
            return err_set(e, ERR_CANCELLED, "generate: cancelled");
    }
    return ERR_OK;
}

/* ---- the plan --------------------------------------------------------------------------- */

static void plan_contracts(struct gen *g, struct plan *plans, int32_t first_period)
{
    static const int tiers[] = {1200, 2400, 4800, 6000, 12000, 18000, 24000, 36000, 60000};
    int64_t n = g->in->contracts;
    for (int64_t i = 0; i < n; i++) {
        struct plan *p = &plans[i];
        /* Every customer has a contract; beyond that, one contract in five goes to the largest
         * tenth of the customers, the rest to anyone. */
        if (i < g->in->customers)
            p->customer = (int32_t)i;
        else if (rng_pct(&g->r, 20))
            p->customer = (int32_t)rng_below(&g->r, (g->in->customers + 9) / 10);
        else
            p->customer = (int32_t)rng_below(&g->r, g->in->customers);
        int roll = (int)rng_below(&g->r, 100);
        p->kind = roll < 35   ? KIND_ANNUAL
                  : roll < 60 ? KIND_MONTHLY
                  : roll < 80 ? KIND_BUNDLE
                  : roll < 90 ? KIND_USAGE
                              : KIND_TRIAL;
        /* The company grows: later months start more contracts (the month is the book's length
         * times the square root of a uniform draw). */
        int64_t u = rng_below(&g->r, 1 << 16), k = g->in->months;
        int64_t month = 0;
        while (month + 1 < k && (month + 1) * (month + 1) * 65536 <= u * k * k)
            month++;
        int32_t first = period_first_day(first_period + (int32_t)month);
        int day = rng_pct(&g->r, 70) ? 0 : (int)rng_below(&g->r, 27);
        p->start = first + day;
        p->end = date_add_months(p->start, kinds[p->kind].months) - 1;
        int64_t base = tiers[rng_below(&g->r, 9)];
        base = base * (80 + rng_below(&g->r, 41)) / 100 / 10 * 10;
        if (p->kind == KIND_BUNDLE)
            base *= 2;
        p->base = (int32_t)base;
        switch (p->kind) {
        case KIND_ANNUAL:
            p->billing = rng_pct(&g->r, 50) ? BILL_ANNUAL : BILL_UPFRONT;
            break;
        case KIND_BUNDLE:
            p->billing = BILL_QUARTERLY;
            break;
        case KIND_TRIAL:
            p->billing = BILL_UPFRONT;
            break;
        default:
            p->billing = BILL_MONTHLY;
        }
        p->discount_pct = (p->kind == KIND_ANNUAL || p->kind == KIND_BUNDLE) && rng_pct(&g->r, 30)
                              ? (uint8_t)(5 + rng_below(&g->r, 3) * 5)
                              : 0;
        /* About one contract in seventy is modified five months in: more seats, a new price or
         * a pause. */
        p->memo = 0;
        if (p->kind != KIND_TRIAL && rng_pct(&g->r, 2) && rng_pct(&g->r, 70)) {
            int t = (int)rng_below(&g->r, 10);
            p->memo = (uint8_t)(1 + (t < 5   ? MEMO_SEAT_EXPANSION
                                     : t < 8 ? MEMO_PRICE_CHANGE
                                             : MEMO_PAUSE));
        }
    }
    qsort(plans, (size_t)n, sizeof *plans, plan_by_start);
}

/* ---- one contract's life ---------------------------------------------------------------- */

static int32_t month_end_after(int32_t start, int months)
{
    return period_last_day(period_of(date_add_months(start, months)));
}

static int start_contract(struct gen *g, const struct plan *p, int64_t i, struct err *e)
{
    char code[CODE_MAX + 1], customer[CODE_MAX + 1];
    contract_code(g, i, code, sizeof code);
    customer_code(g, p->customer, customer, sizeof customer);
    int cur = g->customer_currency[p->customer];
    const struct ob_plan *obs = kinds[p->kind].obs;
    int n = kinds[p->kind].n;
    struct obligation_input oi[5];
    struct money sum = money_of(0);
    int64_t base_cents = (int64_t)p->base * 100;
    if (p->kind == KIND_MONTHLY || p->kind == KIND_USAGE)
        base_cents = base_cents / 12 * 12; /* a round monthly fee */
    for (int k = 0; k < n; k++) {
        memset(&oi[k], 0, sizeof oi[k]);
        oi[k].contract = code;
        oi[k].name = obs[k].name;
        oi[k].pattern = obs[k].pattern;
        oi[k].ssp = price_in(base_cents * obs[k].ssp_pct / 100, cur);
        oi[k].ssp_method = obs[k].pattern == PATTERN_POINT ? SSP_COST_PLUS : SSP_OBSERVABLE;
        oi[k].ssp_evidence =
            obs[k].pattern == PATTERN_POINT ? "cost plus a 40% margin" : "price book";
        oi[k].start_on = DATE_NONE;
        oi[k].end_on = DATE_NONE;
        oi[k].due_on = DATE_NONE;
        if (obs[k].pattern == PATTERN_POINT)
            oi[k].due_on = month_end_after(p->start, obs[k].due_months);
        if (obs[k].term_months) {
            oi[k].start_on = p->start;
            oi[k].end_on = date_add_months(p->start, obs[k].term_months) - 1;
        }
        sum.minor += oi[k].ssp.minor;
    }
    struct money discount = money_of(0);
    if (p->discount_pct) {
        int64_t unit = money_scale(currencies[cur].exponent);
        discount = money_of(sum.minor * p->discount_pct / 100 / unit * unit);
    }
    bool trial = p->kind == KIND_TRIAL;
    int32_t trial_end = trial ? p->start + 13 : DATE_NONE;
    struct contract_input ci = {
        .code = code,
        .customer = customer,
        .description = kinds[p->kind].description,
        .signed_on = trial ? trial_end : p->start - 1 - (int32_t)rng_below(&g->r, 20),
        .start_on = p->start,
        .end_on = p->end,
        .trial_end = trial_end,
        .payment_terms_days = -1,
        .price = {.fixed = sum, .discount = discount},
        .billing = (enum billing_plan)p->billing,
    };
    int rc = contract_create(g->b, &ci, oi, (size_t)n, trial ? trial_end + 1 : p->start, e);
    if (rc != ERR_OK) {
        err_prefix(e, "generate: contract %s", code);
        return rc;
    }
    g->out->contracts++;
    g->out->obligations += n;
    /* A customer's first contract: some buy prepaid credit, some are given a promotion. */
    if (!g->customer_started[p->customer]) {
        g->customer_started[p->customer] = 1;
        int roll = (int)rng_below(&g->r, 100);
        if (roll < 13) {
            bool prepaid = roll < 8;
            struct grant_input gi = {
                .customer = customer,
                .kind = prepaid ? CREDIT_PREPAID : CREDIT_PROMOTIONAL,
                .amount = price_in(base_cents / (prepaid ? 4 : 20), cur),
                .granted_on = p->start,
                .expires_on = date_add_months(p->start, prepaid ? 12 : 6) - 1,
                .reason = prepaid ? "Prepaid credit pack" : "Launch promotion",
            };
            if (gi.amount.minor > 0) {
                int64_t id;
                if ((rc = credit_grant(g->b, &gi, &id, e)) != ERR_OK) {
                    err_prefix(e, "generate: credit for %s", customer);
                    return rc;
                }
                g->out->grants++;
            }
        }
    }
    return ERR_OK;
}

/* Deliveries, usage and progress of contract i in the month p (first..last day). */
static int contract_month(struct gen *g, const struct plan *p, int64_t i, int32_t first,
                          int32_t last, struct err *e)
{
    char code[CODE_MAX + 1], ref[2 * CODE_MAX + 8];
    contract_code(g, i, code, sizeof code);
    const struct ob_plan *obs = kinds[p->kind].obs;
    int cur = g->customer_currency[p->customer];
    int rc = ERR_OK;
    for (int k = 0; k < kinds[p->kind].n && rc == ERR_OK; k++) {
        snprintf(ref, sizeof ref, "%s/%d", code, k + 1);
        if (obs[k].pattern == PATTERN_POINT) {
            int32_t due = month_end_after(p->start, obs[k].due_months);
            if (due >= first && due <= last) {
                rc = obligation_deliver(g->b, ref, due - (int32_t)rng_below(&g->r, 10), e);
                g->out->deliveries++;
            }
        } else if (obs[k].pattern == PATTERN_USAGE) {
            int32_t on = first + 27 <= last ? first + 27 : last;
            if (on < p->start || on > p->end)
                continue;
            int64_t calls = 10000 + rng_below(&g->r, 500000);
            char qty[32];
            snprintf(qty, sizeof qty, "%lld", (long long)calls);
            /* 0.10 per 100 calls, in US cents. */
            struct money amount = price_in(calls / 100 * 10, cur);
            if (amount.minor <= 0)
                continue;
            rc = usage_record(g->b, ref, on, qty, amount, e);
            g->out->usage++;
        } else if (obs[k].pattern == PATTERN_PROGRESS) {
            int32_t end = date_add_months(p->start, obs[k].term_months) - 1;
            if (last < p->start || first > end)
                continue;
            /* Percent complete by the end of this month, in basis points, reaching 100%. */
            int64_t span = end - p->start + 1;
            int64_t done = (last < end ? last : end) - p->start + 1;
            int32_t bp = (int32_t)(done * 10000 / span);
            rc = progress_record(g->b, ref, last < end ? last : end, bp, e);
            g->out->progress++;
        }
    }
    if (rc != ERR_OK)
        err_prefix(e, "generate: contract %s", code);
    return rc;
}

/* The one modification of a contract, five months in, prepared, approved and posted. */
static int modify(struct gen *g, const struct plan *p, int64_t i, int32_t effective, struct err *e)
{
    char code[CODE_MAX + 1];
    contract_code(g, i, code, sizeof code);
    int cur = g->customer_currency[p->customer];
    enum memo_type type = (enum memo_type)(p->memo - 1);
    struct memo_addition add = {.name = "Additional seats",
                                .pattern = PATTERN_RATABLE,
                                .ssp = price_in((int64_t)p->base * 100 / 5, cur),
                                .method = SSP_OBSERVABLE,
                                .evidence = "price book, per seat",
                                .start = DATE_NONE,
                                .end = DATE_NONE,
                                .due = DATE_NONE};
    struct memo_input mi = {.contract = code,
                            .effective = effective,
                            .type = type,
                            .new_end = DATE_NONE,
                            .pause_from = DATE_NONE,
                            .pause_to = DATE_NONE,
                            .distinct_added = -1,
                            .at_ssp = -1,
                            .remaining_distinct = -1,
                            .treatment = -1};
    switch (type) {
    case MEMO_SEAT_EXPANSION:
        mi.description = "More seats for the rest of the term, at a volume price";
        mi.consideration_set = true;
        /* Below the seats' standalone price, so not a separate contract. */
        mi.consideration = money_of(add.ssp.minor * 9 / 10);
        mi.adds = &add;
        mi.nadds = 1;
        break;
    case MEMO_PRICE_CHANGE:
        mi.description = "Price raised for the rest of the term";
        mi.consideration_set = true;
        mi.consideration = price_in((int64_t)p->base * 100 / 20, cur);
        break;
    default:
        mi.description = "Service paused for a month at the customer's request";
        mi.pause_from = effective;
        mi.pause_to = date_add_months(effective, 1) - 1;
        break;
    }
    if (mi.consideration_set && mi.consideration.minor <= 0)
        return ERR_OK;
    struct memo m = {0};
    int rc = memo_new(g->b, &mi, &m, e);
    if (rc == ERR_OK)
        rc = memo_approve(g->b, m.number, "controller", e);
    char number[CODE_MAX + 1];
    snprintf(number, sizeof number, "%s", m.number);
    memo_free(&m);
    memset(&m, 0, sizeof m);
    if (rc == ERR_OK)
        rc = memo_post(g->b, number, &m, e);
    memo_free(&m);
    if (rc != ERR_OK) {
        err_prefix(e, "generate: modification of %s", code);
        return rc;
    }
    g->out->memos++;
    return ERR_OK;
}

/* Customers settle what they owed at the end of last month, most of them by the 20th. */
static int collect(struct gen *g, int32_t period, struct err *e)
{
    int32_t owed_at = period_first_day(period) - 1;
    int32_t paid_on = period_first_day(period) + 19;
    for (int64_t c = 0; c < g->in->customers; c++) {
        if (!g->customer_started[c] || !rng_pct(&g->r, 93))
            continue;
        struct customer_balance cb;
        int rc = customer_balance(g->b, g->customer_ids[c], owed_at, &cb, e);
        if (rc != ERR_OK)
            return rc;
        if (cb.owed.minor <= 0)
            continue;
        char code[CODE_MAX + 1];
        customer_code(g, c, code, sizeof code);
        struct payment_input pi = {.customer = code,
                                   .amount = cb.owed,
                                   .received_on = paid_on,
                                   .reference = "bank transfer",
                                   .apply_open = true};
        struct payment_result pr;
        if ((rc = payment_record(g->b, &pi, &pr, e)) != ERR_OK) {
            err_prefix(e, "generate: payment from %s", code);
            return rc;
        }
        g->out->payments++;
    }
    return ERR_OK;
}

/* Whether the contract's plan (or its usage, or its modification) bills anything in the month:
 * billing a contract with nothing due finds nothing, so only these are billed. The instalments
 * are the billing rules' own (model/billing.h). */
static bool bill_due(const struct plan *p, int32_t period)
{
    int32_t start = period_of(p->start), end = period_of(p->end);
    if (period < start || period > end + 1)
        return false;
    if (p->kind == KIND_MONTHLY || p->kind == KIND_USAGE)
        return true; /* monthly instalments, and usage every month */
    if (p->memo && period >= period_of(date_add_months(p->start, 5)))
        return true; /* the modified price is spread over what is left */
    enum billing_plan plan = (enum billing_plan)p->billing;
    struct bill_instalment inst[64];
    if (billing_count(plan, p->start, p->end) > sizeof inst / sizeof inst[0])
        return true;
    size_t n = billing_plan_instalments(plan, p->start, p->end, money_of(100), inst);
    for (size_t i = 0; i < n; i++)
        if (period_of(inst[i].on) == period)
            return true;
    return false;
}

static int play_month(struct gen *g, const struct plan *plans, int64_t *next, int32_t period,
                      int32_t first_period, int32_t last_period, struct err *e)
{
    int32_t first = period_first_day(period), last = period_last_day(period);
    int64_t n = g->in->contracts;
    int rc;
    /* Contracts that start this month. */
    while (*next < n && plans[*next].start <= last) {
        if ((rc = start_contract(g, &plans[*next], *next, e)) != ERR_OK)
            return rc;
        ++*next;
    }
    if ((rc = collect(g, period, e)) != ERR_OK)
        return rc;
    /* The month's events, then billing, for every contract serving in it (or just ended). */
    for (int64_t i = 0; i < *next; i++) {
        const struct plan *p = &plans[i];
        if (p->end < first - 31)
            continue;
        if (p->end >= first && (rc = contract_month(g, p, i, first, last, e)) != ERR_OK)
            return rc;
        if (p->memo && period_of(date_add_months(p->start, 5)) == period && p->end > last &&
            (rc = modify(g, p, i, period_first_day(period_of(date_add_months(p->start, 5))), e)) !=
                ERR_OK)
            return rc;
        if (!bill_due(p, period))
            continue;
        char code[CODE_MAX + 1];
        contract_code(g, i, code, sizeof code);
        struct bill_result br;
        if ((rc = contract_bill(g->b, code, last, &br, e)) != ERR_OK) {
            err_prefix(e, "generate: billing %s", code);
            return rc;
        }
        g->out->invoices += br.invoices;
        if ((i & 511) == 0 && book_progress(g->b, "generate", (uint64_t)(period - first_period),
                                            (uint64_t)g->in->months))
            return err_set(e, ERR_CANCELLED, "generate: cancelled");
    }
    /* Every month but the last two is closed (which posts its recognition), as a controller a
     * few days into a month would have it; the month before is recognized but still open. */
    if (period == last_period - 1) {
        struct recognize_result rr;
        if ((rc = recognize_through(g->b, period, &rr, e)) != ERR_OK)
            return rc;
    }
    if (period <= last_period - 2) {
        struct close_result cr = {0};
        rc = period_close_generated(g->b, period, g->in->today, &cr, e);
        close_result_free(&cr);
        if (rc != ERR_OK)
            return rc;
        g->out->closed++;
    }
    return ERR_OK;
}

int book_generate(struct book *b, const struct generate_input *in, struct generate_result *out,
                  struct err *e)
{
    memset(out, 0, sizeof *out);
    if (in->customers < 1 || in->customers > 9999999)
        return err_set(e, ERR_INPUT, "--customers: use 1 to 9,999,999");
    if (in->contracts < 0 || in->contracts > 99999999)
        return err_set(e, ERR_INPUT, "--contracts: use 0 to 99,999,999");
    if (in->months < 1 || in->months > 240)
        return err_set(e, ERR_INPUT, "--months: use 1 to 240");
    struct gen g = {.b = b, .r = {in->seed}, .in = in, .out = out};
    int64_t widest = in->customers > in->contracts ? in->customers : in->contracts;
    g.width = 5;
    for (int64_t w = 100000; w <= widest; w *= 10)
        g.width++;
    g.customer_ids = xcalloc((size_t)in->customers, sizeof *g.customer_ids);
    g.customer_currency = xcalloc((size_t)in->customers, 1);
    g.customer_started = xcalloc((size_t)in->customers, 1);
    struct plan *plans = xcalloc((size_t)(in->contracts ? in->contracts : 1), sizeof *plans);
    int32_t last_period = period_of(in->today);
    int32_t first_period = last_period - (in->months - 1);
    /* The book is new and private to this run, and a run that fails or is interrupted removes
     * it: so no syncing while it is written, and a large page cache so pages are not read from
     * the file again and again. (A rollback journal kept in memory instead of the WAL was
     * measured: 2.7 times the time on 20,000 contracts.) When it is complete it is synced like
     * every book. The cache is beyond the memory SQLite is held to otherwise (DB_HEAP_LIMIT):
     * held to it, a run took 5 % longer. */
    sqlite3_soft_heap_limit64(0);
    int rc = db_exec_script(b, "PRAGMA synchronous = OFF; PRAGMA cache_size = -262144", e);
    if (rc == ERR_OK)
        rc = book_begin(b, e);
    if (rc == ERR_OK) {
        rc = make_customers(&g, e);
        if (rc == ERR_OK)
            rc = book_commit(b, e);
        else
            book_rollback(b);
    }
    if (rc == ERR_OK)
        plan_contracts(&g, plans, first_period);
    int64_t next = 0;
    for (int32_t p = first_period; rc == ERR_OK && p <= last_period; p++) {
        if (book_progress(b, "generate", (uint64_t)(p - first_period), (uint64_t)in->months)) {
            rc = err_set(e, ERR_CANCELLED, "generate: cancelled");
            break;
        }
        if ((rc = book_begin(b, e)) != ERR_OK)
            break;
        rc = play_month(&g, plans, &next, p, first_period, last_period, e);
        if (rc == ERR_OK)
            rc = book_commit(b, e);
        else
            book_rollback(b);
    }
    if (rc == ERR_OK) {
        /* Every check the closes would have run, once, on the finished book. */
        book_progress(b, "checking", 0, 0);
        struct check_report cr = {0};
        rc = book_check(b, &cr, e);
        for (size_t i = 0; rc == ERR_OK && i < cr.n; i++)
            if (!cr.v[i].passed)
                rc = err_set(e, ERR_RULE, "generate: the book fails a check: %s: %s", cr.v[i].name,
                             cr.v[i].detail);
        check_report_free(&cr);
    }
    db_reset_all(b);
    if (rc == ERR_OK)
        rc = db_exec_script(b,
                            "PRAGMA synchronous = FULL; PRAGMA cache_size = -2000;"
                            " PRAGMA wal_checkpoint(TRUNCATE)",
                            e);
    sqlite3_soft_heap_limit64(DB_HEAP_LIMIT);
    free(plans);
    free(g.customer_ids);
    free(g.customer_currency);
    free(g.customer_started);
    return rc;
}
