/*
 * money.c — exact arithmetic, parsing and formatting of amounts (ACCOUNTING.md §1).
 *
 * Products go through 128-bit integers so a price times a day count cannot overflow before it is
 * divided; only a final result outside int64 is an error.
 */
#include "model/money.h"

#include <assert.h>
#include <stdlib.h>
#include <string.h>

#include "model/text.h"
#include "model/xalloc.h"

int64_t money_scale(int exponent)
{
    assert(exponent >= 0 && exponent <= 9);
    int64_t s = 1;
    for (int i = 0; i < exponent; i++)
        s *= 10;
    return s;
}

int money_add(struct money a, struct money b, struct money *out, struct err *e)
{
    int64_t r;
    if (__builtin_add_overflow(a.minor, b.minor, &r))
        return err_set(e, ERR_OVERFLOW, "amount is too large (the sum overflows)");
    out->minor = r;
    return ERR_OK;
}

int money_sub(struct money a, struct money b, struct money *out, struct err *e)
{
    int64_t r;
    if (__builtin_sub_overflow(a.minor, b.minor, &r))
        return err_set(e, ERR_OVERFLOW, "amount is too large (the difference overflows)");
    out->minor = r;
    return ERR_OK;
}

void money_accumulate(struct money *acc, struct money b, bool *overflowed)
{
    int64_t r;
    if (__builtin_add_overflow(acc->minor, b.minor, &r))
        *overflowed = true;
    else
        acc->minor = r;
}

/* Divides a 128-bit numerator by a positive denominator with the named rounding. */
static __int128 div_round(__int128 n, __int128 d, enum rounding r)
{
    assert(d > 0);
    __int128 q = n / d; /* C truncates toward zero */
    __int128 rem = n % d;
    if (rem == 0)
        return q;
    switch (r) {
    case ROUND_TRUNC:
        return q;
    case ROUND_FLOOR:
        return n < 0 ? q - 1 : q;
    case ROUND_HALF_AWAY: {
        __int128 twice = rem < 0 ? -2 * rem : 2 * rem;
        if (twice >= d)
            return n < 0 ? q - 1 : q + 1;
        return q;
    }
    }
    assert(!"unknown rounding");
    return q;
}

int money_muldiv(struct money a, int64_t num, int64_t den, enum rounding r, struct money *out,
                 struct err *e)
{
    assert(den > 0);
    __int128 q = div_round((__int128)a.minor * num, den, r);
    if (q > INT64_MAX || q < INT64_MIN)
        return err_set(e, ERR_OVERFLOW, "amount is too large (the product overflows)");
    out->minor = (int64_t)q;
    return ERR_OK;
}

struct split_rank {
    __int128 rem;
    size_t index;
};

/* Largest remainder first; among equal remainders the earlier part first. */
static int rank_cmp(const void *a, const void *b)
{
    const struct split_rank *x = a, *y = b;
    if (x->rem != y->rem)
        return x->rem > y->rem ? -1 : 1;
    return x->index < y->index ? -1 : x->index > y->index;
}

int money_split(struct money total, const int64_t *weights, size_t n, struct money *parts,
                struct err *e)
{
    __int128 sum = 0;
    for (size_t i = 0; i < n; i++) {
        if (weights[i] < 0)
            return err_set(e, ERR_INPUT, "a weight is negative");
        sum += weights[i];
    }
    if (n == 0 || sum == 0)
        return err_set(e, ERR_INPUT, "nothing to split across (the weights add up to zero)");
    if (total.minor == INT64_MIN)
        return err_set(e, ERR_OVERFLOW, "amount is too large to split");

    bool negative = total.minor < 0;
    __int128 t = negative ? -(__int128)total.minor : total.minor;
    struct split_rank *rank = xmalloc(n * sizeof *rank);
    __int128 given = 0;
    for (size_t i = 0; i < n; i++) {
        __int128 p = t * weights[i];
        parts[i].minor = (int64_t)(p / sum);
        rank[i].rem = p % sum;
        rank[i].index = i;
        given += parts[i].minor;
    }
    /* floor() left fewer than n minor units over; one each to the largest remainders. */
    size_t left = (size_t)(t - given);
    assert(left < n);
    if (left > 0) {
        qsort(rank, n, sizeof *rank, rank_cmp);
        for (size_t k = 0; k < left; k++)
            parts[rank[k].index].minor += 1;
    }
    free(rank);
    if (negative)
        for (size_t i = 0; i < n; i++)
            parts[i].minor = -parts[i].minor;
    return ERR_OK;
}

/* Names the whole character at p, not its first byte: a full-width digit or a currency sign such
 * as '€' is several bytes of UTF-8, and one of them alone is not text. */
static int not_a_digit(const char *p, const char *end, struct err *e)
{
    size_t len;
    utf8_decode(p, (size_t)(end - p), &len);
    return err_set(e, ERR_INPUT, "is not an amount ('%.*s' is not a digit)", (int)len, p);
}

int money_parse(const char *s, int exponent, struct money *out, struct err *e)
{
    assert(exponent >= 0 && exponent <= 9);
    const char *p = s;
    while (*p == ' ' || *p == '\t')
        p++;
    const char *end = p + strlen(p);
    while (end > p && (end[-1] == ' ' || end[-1] == '\t'))
        end--;
    if (p == end)
        return err_set(e, ERR_INPUT, "is empty (expected an amount such as 1,000.00)");

    bool negative = false;
    if (*p == '-') {
        negative = true;
        p++;
    }
    /* Accumulate as a negative number so INT64_MIN is reachable and overflow checks are uniform. */
    int64_t v = 0;
    int digits = 0; /* digits in the integer part */
    int group = -1; /* digits since the last comma, or -1 before any comma */
    bool grouped = false;
    for (; p < end && *p != '.'; p++) {
        if (*p == ',') {
            if (digits == 0 || (grouped && group != 3) || (!grouped && digits > 3))
                return err_set(e, ERR_INPUT, "has misplaced thousands separators");
            grouped = true;
            group = 0;
            continue;
        }
        if (*p < '0' || *p > '9')
            return not_a_digit(p, end, e);
        if (__builtin_mul_overflow(v, 10, &v) || __builtin_sub_overflow(v, *p - '0', &v))
            return err_set(e, ERR_OVERFLOW, "is too large");
        digits++;
        if (grouped)
            group++;
    }
    if (grouped && group != 3)
        return err_set(e, ERR_INPUT, "has misplaced thousands separators");
    int decimals = 0;
    if (p < end && *p == '.') {
        p++;
        if (p == end && digits == 0)
            return err_set(e, ERR_INPUT, "is not an amount");
        for (; p < end; p++) {
            if (*p < '0' || *p > '9')
                return not_a_digit(p, end, e);
            if (decimals == exponent) {
                if (exponent == 0)
                    return err_set(e, ERR_INPUT,
                                   "has decimals, but the currency has no minor unit");
                return err_set(e, ERR_INPUT, "has more than %d decimal%s", exponent,
                               exponent == 1 ? "" : "s");
            }
            if (__builtin_mul_overflow(v, 10, &v) || __builtin_sub_overflow(v, *p - '0', &v))
                return err_set(e, ERR_OVERFLOW, "is too large");
            decimals++;
        }
    } else if (digits == 0) {
        return err_set(e, ERR_INPUT, "is not an amount");
    }
    for (; decimals < exponent; decimals++)
        if (__builtin_mul_overflow(v, 10, &v))
            return err_set(e, ERR_OVERFLOW, "is too large");
    if (!negative) {
        if (v == INT64_MIN)
            return err_set(e, ERR_OVERFLOW, "is too large");
        v = -v;
    }
    out->minor = v;
    return ERR_OK;
}

char *money_format(struct money m, int exponent, unsigned flags, char *buf, size_t size)
{
    assert(size >= MONEY_BUF);
    assert(exponent >= 0 && exponent <= 9);
    char tmp[MONEY_BUF];
    size_t n = 0;
    uint64_t u = m.minor < 0 ? (uint64_t)0 - (uint64_t)m.minor : (uint64_t)m.minor;
    /* Digits come out least significant first into tmp, then get reversed into buf. */
    int pos = 0;
    do {
        if (pos == exponent && exponent > 0)
            tmp[n++] = '.';
        else if (pos > exponent && (flags & MONEY_GROUP) && (pos - exponent) % 3 == 0)
            tmp[n++] = ',';
        tmp[n++] = (char)('0' + u % 10);
        u /= 10;
        pos++;
    } while (u > 0 || pos <= exponent);
    if (m.minor < 0)
        tmp[n++] = '-';
    for (size_t i = 0; i < n; i++)
        buf[i] = tmp[n - 1 - i];
    buf[n] = '\0';
    return buf;
}
