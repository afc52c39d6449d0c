/*
 * money.h — amounts as exact integer counts of a currency's minor unit (ACCOUNTING.md §1).
 *
 * No floating point ever touches an amount. Additions report overflow, every division names its
 * rounding, and splitting uses the largest-remainder method so the parts add up to the whole.
 * The exponent (2 for USD, 0 for JPY, 3 for KWD) always travels beside the amount: a struct money
 * does not know its currency; the customer, contract or report column does.
 */
#ifndef RATABLE_MONEY_H
#define RATABLE_MONEY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "model/err.h"

struct money {
    int64_t minor;
};

#define MONEY_BUF 40 /* enough for INT64_MIN with grouping, sign and decimal point */

enum money_flags {
    MONEY_GROUP = 1, /* thousands separators: 1,234.56 */
};

enum rounding {
    ROUND_HALF_AWAY, /* nearest, halves away from zero: 0.5 -> 1, -0.5 -> -1 */
    ROUND_FLOOR,     /* toward minus infinity */
    ROUND_TRUNC,     /* toward zero */
};

static inline struct money money_of(int64_t minor)
{
    return (struct money){minor};
}

/* *out = a + b; ERR_OVERFLOW (and *out untouched) when the result does not fit. */
int money_add(struct money a, struct money b, struct money *out, struct err *e);
/* *out = a - b; ERR_OVERFLOW when the result does not fit. */
int money_sub(struct money a, struct money b, struct money *out, struct err *e);
/* *acc += b, remembering overflow in *acc_err so a loop can check once at the end. */
void money_accumulate(struct money *acc, struct money b, bool *overflowed);
/* *out = a * num / den rounded as named; den > 0. ERR_OVERFLOW when the result does not fit. */
int money_muldiv(struct money a, int64_t num, int64_t den, enum rounding r, struct money *out,
                 struct err *e);

/*
 * Splits total into n parts in proportion to weights (all >= 0, sum > 0) by the largest-remainder
 * method: each part gets floor(total * w / W); the minor units left over go one each to the parts
 * with the largest remainders, ties to the earlier part. A negative total is split as its
 * magnitude and negated, so the split is symmetric. parts has room for n. The parts always add
 * up to total exactly.
 */
int money_split(struct money total, const int64_t *weights, size_t n, struct money *parts,
                struct err *e);

/*
 * Parses an amount written for a currency of the given exponent: an optional '-', digits with
 * optional thousands commas in groups of three, and at most `exponent` decimals after a '.'.
 * "1000.00", "1,000.00", "-5", "0.5" are amounts; "1,00", "1.005" (USD), "1e3", "" are not.
 * Leading and trailing blanks are ignored. The message says what is wrong, not where: callers
 * prefix it with the field, or the file, row and column.
 */
int money_parse(const char *s, int exponent, struct money *out, struct err *e);

/* Writes m as a decimal with exactly `exponent` decimals into buf (>= MONEY_BUF bytes). */
char *money_format(struct money m, int exponent, unsigned flags, char *buf, size_t size);

/* 10^exponent for exponents 0..9. */
int64_t money_scale(int exponent);

#endif
