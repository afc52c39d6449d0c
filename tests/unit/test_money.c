/*
 * test_money.c — exact parsing, formatting, overflow and largest-remainder splitting
 * (ACCOUNTING.md §1).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <string.h>

#include "model/money.h"

static void test_parse_accepts(void **state)
{
    (void)state;
    static const struct {
        const char *in;
        int exp;
        int64_t want;
    } cases[] = {
        {"1000.00", 2, 100000},
        {"1,000.00", 2, 100000},
        {"1000", 2, 100000},
        {"0.5", 2, 50},
        {".5", 2, 50},
        {"-5", 2, -500},
        {"-0.01", 2, -1},
        {" 12.34 ", 2, 1234},
        {"12,345,678.9", 2, 1234567890},
        {"1,000", 0, 1000},
        {"1.234", 3, 1234},
        {"0", 2, 0},
        {"92233720368547758.07", 2, INT64_MAX},
        {"-92233720368547758.08", 2, INT64_MIN},
        {"9223372036854775807", 0, INT64_MAX},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        struct money m;
        struct err e = {0};
        assert_int_equal(money_parse(cases[i].in, cases[i].exp, &m, &e), ERR_OK);
        assert_true(m.minor == cases[i].want);
    }
}

static void test_parse_refuses(void **state)
{
    (void)state;
    static const struct {
        const char *in;
        int exp;
        int code;
        const char *msg;
    } cases[] = {
        {"", 2, ERR_INPUT, "is empty (expected an amount such as 1,000.00)"},
        {"   ", 2, ERR_INPUT, "is empty (expected an amount such as 1,000.00)"},
        {"1.005", 2, ERR_INPUT, "has more than 2 decimals"},
        {"1.5", 0, ERR_INPUT, "has decimals, but the currency has no minor unit"},
        {"1,00", 2, ERR_INPUT, "has misplaced thousands separators"},
        {"1234,567", 2, ERR_INPUT, "has misplaced thousands separators"},
        {",100", 2, ERR_INPUT, "has misplaced thousands separators"},
        {"1e3", 2, ERR_INPUT, "is not an amount ('e' is not a digit)"},
        {"$5", 2, ERR_INPUT, "is not an amount ('$' is not a digit)"},
        /* A character of several bytes is named whole, never by a lone byte of it. */
        {"€5", 2, ERR_INPUT, "is not an amount ('€' is not a digit)"},
        {"１００", 0, ERR_INPUT, "is not an amount ('１' is not a digit)"},
        {"5.0０", 2, ERR_INPUT, "is not an amount ('０' is not a digit)"},
        {"5\xe2\x82", 2, ERR_INPUT, "is not an amount ('\xe2' is not a digit)"},
        {"-", 2, ERR_INPUT, "is not an amount"},
        {".", 2, ERR_INPUT, "is not an amount"},
        {"--5", 2, ERR_INPUT, "is not an amount ('-' is not a digit)"},
        {"92233720368547758.08", 2, ERR_OVERFLOW, "is too large"},
        {"99999999999999999999", 0, ERR_OVERFLOW, "is too large"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        struct money m = {7};
        struct err e = {0};
        assert_int_equal(money_parse(cases[i].in, cases[i].exp, &m, &e), cases[i].code);
        assert_string_equal(e.msg, cases[i].msg);
        assert_true(m.minor == 7); /* untouched on error */
    }
}

static void test_format(void **state)
{
    (void)state;
    char b[MONEY_BUF];
    assert_string_equal(money_format(money_of(100000), 2, MONEY_GROUP, b, sizeof b), "1,000.00");
    assert_string_equal(money_format(money_of(100000), 2, 0, b, sizeof b), "1000.00");
    assert_string_equal(money_format(money_of(-1), 2, 0, b, sizeof b), "-0.01");
    assert_string_equal(money_format(money_of(0), 2, 0, b, sizeof b), "0.00");
    assert_string_equal(money_format(money_of(5), 3, 0, b, sizeof b), "0.005");
    assert_string_equal(money_format(money_of(-1234567), 0, MONEY_GROUP, b, sizeof b),
                        "-1,234,567");
    assert_string_equal(money_format(money_of(INT64_MIN), 2, MONEY_GROUP, b, sizeof b),
                        "-92,233,720,368,547,758.08");
    assert_string_equal(money_format(money_of(INT64_MAX), 0, 0, b, sizeof b),
                        "9223372036854775807");
}

static void test_round_trip(void **state)
{
    (void)state;
    /* Every formatted amount parses back to itself, grouped or not, in every exponent. */
    int64_t samples[] = {0, 1, -1, 99, 100, 101, 123456789, -987654321, INT64_MAX, INT64_MIN};
    for (int exp = 0; exp <= 3; exp++) {
        for (size_t i = 0; i < sizeof samples / sizeof samples[0]; i++) {
            for (unsigned flags = 0; flags <= MONEY_GROUP; flags++) {
                char b[MONEY_BUF];
                struct money m;
                struct err e = {0};
                money_format(money_of(samples[i]), exp, flags, b, sizeof b);
                assert_int_equal(money_parse(b, exp, &m, &e), ERR_OK);
                assert_true(m.minor == samples[i]);
            }
        }
    }
}

static void test_overflow(void **state)
{
    (void)state;
    struct money r = {0};
    struct err e = {0};
    assert_int_equal(money_add(money_of(INT64_MAX), money_of(1), &r, &e), ERR_OVERFLOW);
    assert_int_equal(money_sub(money_of(INT64_MIN), money_of(1), &r, &e), ERR_OVERFLOW);
    assert_int_equal(money_add(money_of(INT64_MAX - 1), money_of(1), &r, &e), ERR_OK);
    assert_true(r.minor == INT64_MAX);
    assert_int_equal(money_muldiv(money_of(INT64_MAX), 2, 1, ROUND_HALF_AWAY, &r, &e),
                     ERR_OVERFLOW);
    /* The product may exceed 64 bits as long as the quotient fits. */
    assert_int_equal(money_muldiv(money_of(INT64_MAX), 365, 365, ROUND_HALF_AWAY, &r, &e), ERR_OK);
    assert_true(r.minor == INT64_MAX);
    bool over = false;
    struct money acc = money_of(INT64_MAX);
    money_accumulate(&acc, money_of(1), &over);
    assert_true(over);
}

static void test_muldiv_rounding(void **state)
{
    (void)state;
    struct money r;
    struct err e = {0};
    /* 20,000.00 x 1/12 = 1,666.666.. -> 1,666.67; x 2/12 = 3,333.33; half away from zero. */
    money_muldiv(money_of(2000000), 1, 12, ROUND_HALF_AWAY, &r, &e);
    assert_true(r.minor == 166667);
    money_muldiv(money_of(2000000), 2, 12, ROUND_HALF_AWAY, &r, &e);
    assert_true(r.minor == 333333);
    money_muldiv(money_of(5), 1, 2, ROUND_HALF_AWAY, &r, &e); /* 2.5 -> 3 */
    assert_true(r.minor == 3);
    money_muldiv(money_of(-5), 1, 2, ROUND_HALF_AWAY, &r, &e); /* -2.5 -> -3 */
    assert_true(r.minor == -3);
    money_muldiv(money_of(-5), 1, 2, ROUND_FLOOR, &r, &e); /* -2.5 -> -3 */
    assert_true(r.minor == -3);
    money_muldiv(money_of(-5), 1, 2, ROUND_TRUNC, &r, &e); /* -2.5 -> -2 */
    assert_true(r.minor == -2);
    money_muldiv(money_of(7), 1, 3, ROUND_HALF_AWAY, &r, &e); /* 2.33 -> 2 */
    assert_true(r.minor == 2);
}

static void test_split_worked_examples(void **state)
{
    (void)state;
    struct err e = {0};
    struct money p[3];
    /* $100.00 over three equal SSPs -> 33.34, 33.33, 33.33 (ties to the earlier part). */
    int64_t eq[3] = {1, 1, 1};
    assert_int_equal(money_split(money_of(10000), eq, 3, p, &e), ERR_OK);
    assert_true(p[0].minor == 3334 && p[1].minor == 3333 && p[2].minor == 3333);
    /* TP 25,000 by SSPs 24,000 and 6,000 -> 20,000 and 5,000. */
    int64_t ssp[2] = {2400000, 600000};
    assert_int_equal(money_split(money_of(2500000), ssp, 2, p, &e), ERR_OK);
    assert_true(p[0].minor == 2000000 && p[1].minor == 500000);
    /* 0.02 over three: the two largest remainders (all equal) go to the first two. */
    assert_int_equal(money_split(money_of(2), eq, 3, p, &e), ERR_OK);
    assert_true(p[0].minor == 1 && p[1].minor == 1 && p[2].minor == 0);
    /* Largest remainder, not first: 10 over weights 1, 2, 3 -> 1.67, 3.33, 5 -> 2, 3, 5. */
    int64_t w[3] = {1, 2, 3};
    assert_int_equal(money_split(money_of(10), w, 3, p, &e), ERR_OK);
    assert_true(p[0].minor == 2 && p[1].minor == 3 && p[2].minor == 5);
    /* A negative total splits symmetrically. */
    assert_int_equal(money_split(money_of(-10000), eq, 3, p, &e), ERR_OK);
    assert_true(p[0].minor == -3334 && p[1].minor == -3333 && p[2].minor == -3333);
    /* A zero weight gets nothing. */
    int64_t z[3] = {0, 1, 1};
    assert_int_equal(money_split(money_of(101), z, 3, p, &e), ERR_OK);
    assert_true(p[0].minor == 0 && p[1].minor == 51 && p[2].minor == 50);
    int64_t none[2] = {0, 0};
    assert_int_equal(money_split(money_of(1), none, 2, p, &e), ERR_INPUT);
}

/* Property: for pseudo-random totals and weights the parts add up to the total exactly and no
 * part is more than one minor unit from its exact share. */
static void test_split_property(void **state)
{
    (void)state;
    uint64_t seed = 0x9E3779B97F4A7C15u;
    for (int round = 0; round < 2000; round++) {
        seed = seed * 6364136223846793005u + 1442695040888963407u;
        size_t n = 1 + (seed >> 60) % 9;
        int64_t w[16];
        __int128 wsum = 0;
        for (size_t i = 0; i < n; i++) {
            seed = seed * 6364136223846793005u + 1442695040888963407u;
            w[i] = (int64_t)((seed >> 20) % 5000000);
            wsum += w[i];
        }
        if (wsum == 0)
            continue;
        seed = seed * 6364136223846793005u + 1442695040888963407u;
        int64_t total = (int64_t)(seed >> 8) - (int64_t)(1ull << 55);
        struct money p[16];
        struct err e = {0};
        assert_int_equal(money_split(money_of(total), w, n, p, &e), ERR_OK);
        __int128 sum = 0;
        for (size_t i = 0; i < n; i++) {
            sum += p[i].minor;
            __int128 exact_num = (__int128)total * w[i]; /* share = exact_num / wsum */
            __int128 diff = (__int128)p[i].minor * wsum - exact_num;
            if (diff < 0)
                diff = -diff;
            assert_true(diff < wsum); /* within one minor unit */
        }
        assert_true(sum == total);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_parse_accepts),
        cmocka_unit_test(test_parse_refuses),
        cmocka_unit_test(test_format),
        cmocka_unit_test(test_round_trip),
        cmocka_unit_test(test_overflow),
        cmocka_unit_test(test_muldiv_rounding),
        cmocka_unit_test(test_split_worked_examples),
        cmocka_unit_test(test_split_property),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
