/*
 * test_recognition.c — ACCOUNTING.md §2's worked examples, figures by hand in the comments, and
 * properties over random terms and prices: the periods add up to the allocated amount and to
 * R(t) at every month end.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "model/date.h"
#include "model/recognition.h"
#include "tests/unit/fixture.h"

#define D fixture_date

static struct recog_input ratable(int64_t cents, const char *start, const char *end)
{
    struct recog_input in = {.pattern = PATTERN_RATABLE,
                             .convention = CONVENTION_MONTHLY,
                             .allocated = {cents},
                             .start = D(start),
                             .end = D(end),
                             .delivered_on = DATE_NONE,
                             .pause_start = DATE_NONE,
                             .pause_end = DATE_NONE};
    return in;
}

static int64_t month(const struct recog_input *in, const char *ym)
{
    int32_t p;
    struct err e = {0};
    assert_int_equal(period_parse(ym, &p, &e), ERR_OK);
    return recognized_in(in, p).minor;
}

static void test_transaction_price(void **state)
{
    (void)state;
    /* A 10% discount on a $300,000 licence: $270,000. */
    struct price_terms t = {.fixed = {30000000}, .discount = {3000000}};
    struct money tp;
    struct err e = {0};
    assert_int_equal(transaction_price(&t, &tp, &e), ERR_OK);
    assert_true(tp.minor == 27000000);
    /* Less a rebate payable, plus constrained variable consideration. */
    t.payable = money_of(500000);
    t.variable = money_of(200000);
    assert_int_equal(transaction_price(&t, &tp, &e), ERR_OK);
    assert_true(tp.minor == 26700000);
    t.discount = money_of(40000000);
    assert_int_equal(transaction_price(&t, &tp, &e), ERR_INPUT);
    /* A refusal names the field that causes it, the larger of discount and payable. */
    assert_string_equal(e.msg, "discount: discounts and consideration payable exceed the price");
    t.discount = money_of(0);
    t.payable = money_of(40000000);
    assert_int_equal(transaction_price(&t, &tp, &e), ERR_INPUT);
    assert_string_equal(e.msg, "payable: discounts and consideration payable exceed the price");
    /* Variable consideration can make up for a discount beyond the fixed price. */
    t = (struct price_terms){.fixed = {100000}, .discount = {150000}, .variable = {60000}};
    assert_int_equal(transaction_price(&t, &tp, &e), ERR_OK);
    assert_true(tp.minor == 10000);
    /* Overflow is refused, not wrapped, whichever way it goes. */
    t = (struct price_terms){.fixed = {INT64_MAX}, .variable = {1}};
    assert_int_equal(transaction_price(&t, &tp, &e), ERR_OVERFLOW);
    assert_string_equal(e.msg, "price: is too large (the transaction price overflows)");
    t = (struct price_terms){.fixed = {1}, .variable = {INT64_MAX}};
    assert_int_equal(transaction_price(&t, &tp, &e), ERR_OVERFLOW);
    assert_string_equal(e.msg, "variable: is too large (the transaction price overflows)");
    t = (struct price_terms){.discount = {INT64_MAX}, .payable = {INT64_MAX}};
    assert_int_equal(transaction_price(&t, &tp, &e), ERR_INPUT);
}

static void test_bundle(void **state)
{
    (void)state;
    /* TP $25,000; SSPs $24,000 (SaaS, a year) and $6,000 (implementation): $20,000, $5,000. */
    struct alloc_item it[2] = {{.pattern = PATTERN_RATABLE, .ssp = {2400000}},
                               {.pattern = PATTERN_POINT, .ssp = {600000}}};
    struct err e = {0};
    assert_int_equal(allocate(money_of(2500000), money_of(0), it, 2, &e), ERR_OK);
    assert_true(it[0].allocated.minor == 2000000 && it[1].allocated.minor == 500000);
    /* $20,000 over twelve whole months: R after month k is 20,000 x k / 12, rounded. */
    struct recog_input in = ratable(2000000, "2026-01-01", "2026-12-31");
    static const int64_t want[12] = {166667, 166666, 166667, 166667, 166666, 166667,
                                     166667, 166666, 166667, 166667, 166666, 166667};
    int64_t sum = 0;
    for (int m = 0; m < 12; m++) {
        int32_t p = period_from_ym(2026, m + 1);
        assert_true(recognized_in(&in, p).minor == want[m]);
        sum += want[m];
    }
    assert_true(sum == 2000000);
    /* The $5,000 is recognized when implementation completes, all at once. */
    struct recog_input impl = {.pattern = PATTERN_POINT,
                               .allocated = {500000},
                               .delivered_on = D("2026-03-20"),
                               .pause_start = DATE_NONE};
    assert_true(recognized_to(&impl, D("2026-03-19")).minor == 0);
    assert_true(recognized_to(&impl, D("2026-03-20")).minor == 500000);
    assert_true(month(&impl, "2026-03") == 500000 && month(&impl, "2026-04") == 0);
}

static void test_calendar_year_and_mid_month(void **state)
{
    (void)state;
    /* $12,000 from 1 January to 31 December: exactly $1,000 a month. */
    struct recog_input in = ratable(1200000, "2026-01-01", "2026-12-31");
    for (int m = 1; m <= 12; m++)
        assert_true(recognized_in(&in, period_from_ym(2026, m)).minor == 100000);
    /* 15 January to 14 January: 17/31 of a month's share, full months, then 14/31. */
    in = ratable(1200000, "2026-01-15", "2027-01-14");
    assert_true(month(&in, "2026-01") == 54839); /* 1,000 x 17/31 = 548.387 */
    assert_true(month(&in, "2026-02") == 100000);
    assert_true(month(&in, "2026-12") == 100000);
    assert_true(month(&in, "2027-01") == 45161); /* 1,000 x 14/31 = 451.613 */
    assert_true(month(&in, "2025-12") == 0 && month(&in, "2027-02") == 0);
    /* Mid-month revenue to date counts the days served the same way: 15..20 Jan is 6/31. */
    assert_true(recognized_to(&in, D("2026-01-20")).minor == 19355); /* 193.548 */
    assert_true(recognized_to(&in, D("2026-01-14")).minor == 0);
    assert_true(recognized_to(&in, D("2030-01-01")).minor == 1200000);
}

static void test_awkward_starts(void **state)
{
    (void)state;
    /* Terms of a year starting on the 28th..31st: the first month holds (days left)/31 of a
     * month's share, the last month the rest; every month between a full 1,000. */
    static const struct {
        const char *start, *end;
        int64_t first, last;
    } cases[] = {
        {"2026-01-28", "2027-01-27", 12903, 87097}, /* 4/31, 27/31 */
        {"2026-01-29", "2027-01-28", 9677, 90323},  /* 3/31, 28/31 */
        {"2026-01-30", "2027-01-29", 6452, 93548},  /* 2/31, 29/31 */
        {"2026-01-31", "2027-01-30", 3226, 96774},  /* 1/31, 30/31 */
        {"2026-02-28", "2027-02-27", 3571, 96429},  /* 1/28, 27/28 */
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        struct recog_input in = ratable(1200000, cases[i].start, cases[i].end);
        int32_t first = period_of(in.start), last = period_of(in.end);
        assert_true(recognized_in(&in, first).minor == cases[i].first);
        assert_true(recognized_in(&in, last).minor == cases[i].last);
        int64_t sum = 0;
        for (int32_t p = first; p <= last; p++) {
            if (p != first && p != last)
                assert_true(recognized_in(&in, p).minor == 100000);
            sum += recognized_in(&in, p).minor;
        }
        assert_true(sum == 1200000);
    }
    /* Starting on 29 February of a leap year: 1/29 of a share, 11 full months, and all 28 days
     * of the next February: 12 + 1/29 shares, each 12,000 x 29 / 349 = 997.13. */
    struct recog_input in = ratable(1200000, "2024-02-29", "2025-02-28");
    assert_true(month(&in, "2024-02") == 3438); /* 997.134 / 29 = 34.38 */
    assert_true(month(&in, "2024-03") == 99714);
    assert_true(month(&in, "2025-02") == 99713);
}

static void test_daily_convention(void **state)
{
    (void)state;
    /* Evenly per day across 29 February: 1 Feb to 31 Mar 2024 is 60 days, $600 is $10 a day. */
    struct recog_input in = ratable(60000, "2024-02-01", "2024-03-31");
    in.convention = CONVENTION_DAILY;
    assert_true(month(&in, "2024-02") == 29000);
    assert_true(month(&in, "2024-03") == 31000);
    /* A leap year of $36,600 is $100 a day: February is $2,900, while monthly gives $3,050. */
    in = ratable(3660000, "2024-01-01", "2024-12-31");
    in.convention = CONVENTION_DAILY;
    assert_true(month(&in, "2024-02") == 290000);
    in.convention = CONVENTION_MONTHLY;
    assert_true(month(&in, "2024-02") == 305000);
}

static void test_residual(void **state)
{
    (void)state;
    /* SSPs A $40, B+C $60; D sold between $15 and $45 by the residual approach. At $105 the
     * $5 left for D is outside its range: refused. At $130 D gets $30. */
    struct alloc_item it[3] = {
        {.pattern = PATTERN_POINT, .method = SSP_OBSERVABLE, .ssp = {4000}},
        {.pattern = PATTERN_RATABLE, .method = SSP_ADJUSTED_MARKET, .ssp = {6000}},
        {.pattern = PATTERN_POINT,
         .method = SSP_RESIDUAL,
         .range_low = {1500},
         .range_high = {4500}},
    };
    struct err e = {0};
    assert_int_equal(allocate(money_of(10500), money_of(0), it, 3, &e), ERR_RULE);
    assert_string_equal(e.msg, "obligation 3: the residual approach does not fit (what remains"
                               " for it is outside the range of prices it is sold at)");
    assert_int_equal(allocate(money_of(13000), money_of(0), it, 3, &e), ERR_OK);
    assert_true(it[0].allocated.minor == 4000 && it[1].allocated.minor == 6000 &&
                it[2].allocated.minor == 3000);
    /* Nothing left at all is refused even without a range. */
    it[2].range_low = it[2].range_high = money_of(0);
    assert_int_equal(allocate(money_of(10000), money_of(0), it, 3, &e), ERR_RULE);
}

static void test_equal_and_free_and_usage(void **state)
{
    (void)state;
    /* $100.00 over three equal SSPs: 33.34, 33.33, 33.33. */
    struct alloc_item eq[3] = {{.ssp = {5000}}, {.ssp = {5000}}, {.ssp = {5000}}};
    struct err e = {0};
    assert_int_equal(allocate(money_of(10000), money_of(0), eq, 3, &e), ERR_OK);
    assert_true(eq[0].allocated.minor == 3334 && eq[1].allocated.minor == 3333 &&
                eq[2].allocated.minor == 3333);
    /* "Free" onboarding has an SSP and takes its share: $12,000 for SaaS (SSP 12,000) and
     * onboarding (SSP 1,500) gives 10,666.67 and 1,333.33. A usage plan takes nothing here. */
    struct alloc_item it[3] = {{.pattern = PATTERN_RATABLE, .ssp = {1200000}},
                               {.pattern = PATTERN_POINT, .ssp = {150000}},
                               {.pattern = PATTERN_USAGE, .ssp = {999999}}};
    assert_int_equal(allocate(money_of(1200000), money_of(0), it, 3, &e), ERR_OK);
    assert_true(it[0].allocated.minor == 1066667 && it[1].allocated.minor == 133333);
    assert_true(it[2].allocated.minor == 0);
}

static void test_discount_targets(void **state)
{
    (void)state;
    /* SaaS SSP 24,000 and implementation SSP 6,000 sold for 27,000: a 3,000 discount. Spread by
     * SSP it gives 21,600 and 5,400; belonging wholly to implementation, 24,000 and 3,000. */
    struct alloc_item it[2] = {{.pattern = PATTERN_RATABLE, .ssp = {2400000}},
                               {.pattern = PATTERN_POINT, .ssp = {600000}}};
    struct err e = {0};
    assert_int_equal(allocate(money_of(2700000), money_of(300000), it, 2, &e), ERR_OK);
    assert_true(it[0].allocated.minor == 2160000 && it[1].allocated.minor == 540000);
    it[1].discount_target = true;
    assert_int_equal(allocate(money_of(2700000), money_of(300000), it, 2, &e), ERR_OK);
    assert_true(it[0].allocated.minor == 2400000 && it[1].allocated.minor == 300000);
    /* A discount larger than the targets' share is refused. */
    assert_int_equal(allocate(money_of(2300000), money_of(700000), it, 2, &e), ERR_INPUT);
}

static void test_usage_progress_pause(void **state)
{
    (void)state;
    struct usage_event u[3] = {
        {D("2026-01-31"), {12345}}, {D("2026-02-28"), {20000}}, {D("2026-02-01"), {5}}};
    struct recog_input in = {
        .pattern = PATTERN_USAGE, .usage = u, .nusage = 3, .pause_start = DATE_NONE};
    assert_true(month(&in, "2026-01") == 12345);
    assert_true(month(&in, "2026-02") == 20005);
    struct progress_event pr[2] = {{D("2026-01-31"), 4000}, {D("2026-03-31"), 10000}};
    struct recog_input pg = {.pattern = PATTERN_PROGRESS,
                             .allocated = {1000001},
                             .progress = pr,
                             .nprogress = 2,
                             .pause_start = DATE_NONE};
    assert_true(month(&pg, "2026-01") == 400000); /* 40% of 10,000.01 = 4,000.004 */
    assert_true(month(&pg, "2026-02") == 0);
    assert_true(month(&pg, "2026-03") == 600001);
    /* A pause of all of April in a calendar year extended to 31 January: 12 months served,
     * $1,000 each, April nothing. */
    struct recog_input ps = ratable(1200000, "2026-01-01", "2027-01-31");
    ps.pause_start = D("2026-04-01");
    ps.pause_end = D("2026-04-30");
    assert_true(month(&ps, "2026-03") == 100000);
    assert_true(month(&ps, "2026-04") == 0);
    assert_true(month(&ps, "2026-05") == 100000);
    assert_true(month(&ps, "2027-01") == 100000);
}

static int64_t served_days_total(const struct recog_input *in)
{
    int64_t n = 0;
    for (int32_t d = in->start; d <= in->end; d++)
        n += !(in->pause_start != DATE_NONE && d >= in->pause_start && d <= in->pause_end);
    return n;
}

static void test_properties(void **state)
{
    (void)state;
    uint64_t seed = 42;
    for (int round = 0; round < 3000; round++) {
        seed = seed * 6364136223846793005u + 1442695040888963407u;
        int32_t start = D("2020-01-01") + (int32_t)((seed >> 33) % 2500);
        seed = seed * 6364136223846793005u + 1442695040888963407u;
        int32_t end = start + (int32_t)((seed >> 33) % 1200);
        seed = seed * 6364136223846793005u + 1442695040888963407u;
        int64_t cents = (int64_t)((seed >> 20) % 500000000000ull) - 1000;
        struct recog_input in = {.pattern = PATTERN_RATABLE,
                                 .convention = round % 2 ? CONVENTION_DAILY : CONVENTION_MONTHLY,
                                 .allocated = {cents},
                                 .start = start,
                                 .end = end,
                                 .delivered_on = DATE_NONE,
                                 .pause_start = DATE_NONE};
        if (round % 3 == 0) {
            in.pause_start = start + (int32_t)((seed >> 40) % 200);
            in.pause_end = in.pause_start + (int32_t)((seed >> 50) % 40);
        }
        int32_t first = period_of(start) - 1, last = period_of(end) + 1;
        struct money sched[64];
        size_t n = (size_t)(last - first + 1);
        assert_true(n <= 64);
        recognition_schedule(&in, first, n, sched);
        int64_t sum = 0;
        for (int32_t p = first; p <= last; p++) {
            sum += recognized_in(&in, p).minor;
            /* periods sum to R at each month end, and the one-pass schedule agrees */
            assert_true(sum == recognized_to(&in, period_last_day(p)).minor);
            assert_true(sched[p - first].minor == recognized_in(&in, p).minor);
        }
        /* all of it, unless the pause swallowed the whole term */
        if (served_days_total(&in) > 0)
            assert_true(sum == cents);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_transaction_price),
        cmocka_unit_test(test_bundle),
        cmocka_unit_test(test_calendar_year_and_mid_month),
        cmocka_unit_test(test_awkward_starts),
        cmocka_unit_test(test_daily_convention),
        cmocka_unit_test(test_residual),
        cmocka_unit_test(test_equal_and_free_and_usage),
        cmocka_unit_test(test_discount_targets),
        cmocka_unit_test(test_usage_progress_pause),
        cmocka_unit_test(test_properties),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
