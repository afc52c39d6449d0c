/*
 * fuzz_money.c — money_parse over arbitrary text, for currencies of 0, 2 and 3 decimals: it never
 * crashes, and every amount it accepts formats (plain and grouped) to text that parses back to
 * the same number of minor units. Then the other way: any int64 formats and parses back exactly,
 * INT64_MIN included.
 */
#include "model/money.h"
#include "tests/fuzz/fuzz.h"

static const int exponents[] = {0, 2, 3};

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
        if (rc == ERR_OK)
            round_trip(m, exponents[i]);
        else
            FUZZ_CHECK((rc == ERR_INPUT || rc == ERR_OVERFLOW) && e.msg[0] != '\0');
    }
    free(s);
    if (size >= 8) {
        struct money m = {(int64_t)fuzz_take(&data, &size, 8)};
        for (size_t i = 0; i < sizeof exponents / sizeof exponents[0]; i++)
            round_trip(m, exponents[i]);
    }
    return 0;
}
