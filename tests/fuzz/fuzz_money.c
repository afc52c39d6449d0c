/*
 * fuzz_money.c — money_parse over arbitrary text, for currencies of 0, 2 and 3 decimals: it never
 * crashes, it accepts exactly what a plain second reading of the rule accepts, with the same
 * value, and every amount it accepts formats (plain and grouped) to text that parses back to the
 * same number of minor units. Then the other way: any int64 formats and parses back exactly,
 * INT64_MIN included.
 */
#include <stdbool.h>

#include "model/money.h"
#include "tests/fuzz/fuzz.h"

static const int exponents[] = {0, 2, 3};

/*
 * A second reading of the rule in money.h, written plainly and independently: blanks around,
 * an optional '-', digits with optional thousands commas (a first group of 1 to 3 digits, then
 * groups of exactly 3), an optional '.' with at most `exponent` decimals, at least one digit.
 * The value is computed in 128 bits and must fit in int64. money_parse must agree with it on
 * every input: what to accept, and the number of minor units.
 */
static bool reference(const char *s, int exponent, int64_t *out)
{
    size_t b = 0, e = strlen(s);
    while (b < e && (s[b] == ' ' || s[b] == '\t'))
        b++;
    while (e > b && (s[e - 1] == ' ' || s[e - 1] == '\t'))
        e--;
    bool negative = b < e && s[b] == '-';
    if (negative)
        b++;
    __int128 v = 0;
    int digits = 0, group = 0, groups = 0;
    for (; b < e && s[b] != '.'; b++) {
        if (s[b] == ',') {
            if ((groups == 0 && (group < 1 || group > 3)) || (groups > 0 && group != 3))
                return false;
            groups++;
            group = 0;
        } else if (s[b] >= '0' && s[b] <= '9') {
            v = v * 10 + (s[b] - '0');
            if (v > ((__int128)1 << 80))
                return false; /* far beyond int64: refused either way */
            digits++;
            group++;
        } else {
            return false;
        }
    }
    if (groups > 0 && group != 3)
        return false;
    int decimals = 0;
    if (b < e) { /* at the '.' */
        for (b++; b < e; b++) {
            if (s[b] < '0' || s[b] > '9' || decimals == exponent)
                return false;
            v = v * 10 + (s[b] - '0');
            decimals++;
        }
    }
    if (digits + decimals == 0)
        return false;
    for (; decimals < exponent; decimals++)
        v *= 10;
    if (negative)
        v = -v;
    if (v > INT64_MAX || v < INT64_MIN)
        return false;
    *out = (int64_t)v;
    return true;
}

static void round_trip(struct money m, int exponent)
{
    for (unsigned flags = 0; flags <= MONEY_GROUP; flags += MONEY_GROUP) {
        char text[MONEY_BUF];
        money_format(m, exponent, flags, text, sizeof text);
        FUZZ_CHECK(strlen(text) < MONEY_BUF);
        struct money back = {0};
        struct err e = {0};
        FUZZ_CHECK(money_parse(text, exponent, &back, &e) == ERR_OK);
        FUZZ_CHECK(back.minor == m.minor);
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *s = fuzz_string(data, size);
    for (size_t i = 0; i < sizeof exponents / sizeof exponents[0]; i++) {
        struct money m = {0};
        struct err e = {0};
        int rc = money_parse(s, exponents[i], &m, &e);
        int64_t want = 0;
        bool ok = reference(s, exponents[i], &want);
        if (ok != (rc == ERR_OK) || (ok && m.minor != want))
            fprintf(stderr, "'%s' exponent %d: money_parse %d (%lld, %s), reference %d (%lld)\n", s,
                    exponents[i], rc, (long long)m.minor, e.msg, ok, (long long)want);
        FUZZ_CHECK(ok == (rc == ERR_OK));
        if (rc == ERR_OK) {
            FUZZ_CHECK(m.minor == want);
            round_trip(m, exponents[i]);
        } else {
            FUZZ_CHECK((rc == ERR_INPUT || rc == ERR_OVERFLOW) && e.msg[0] != '\0');
        }
    }
    free(s);
    if (size >= 8) {
        struct money m = {(int64_t)fuzz_take(&data, &size, 8)};
        for (size_t i = 0; i < sizeof exponents / sizeof exponents[0]; i++)
            round_trip(m, exponents[i]);
    }
    return 0;
}
