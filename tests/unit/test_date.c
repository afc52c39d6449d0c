/*
 * test_date.c — civil dates: strict ISO parsing, month arithmetic, periods (ACCOUNTING.md §1).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "model/date.h"

static int32_t d(const char *s)
{
    int32_t v;
    struct err e = {0};
    assert_int_equal(date_parse(s, &v, &e), ERR_OK);
    return v;
}

static void test_parse(void **state)
{
    (void)state;
    assert_int_equal(d("1970-01-01"), 0);
    assert_int_equal(d("1970-01-02"), 1);
    assert_int_equal(d("1969-12-31"), -1);
    assert_int_equal(d("2000-03-01") - d("2000-02-28"), 2); /* 2000 is a leap year */
    assert_int_equal(d("1900-03-01") - d("1900-02-28"), 1); /* 1900 is not */
    assert_int_equal(d("2024-02-29") + 1, d("2024-03-01"));
    static const struct {
        const char *in;
        const char *msg;
    } bad[] = {
        {"2025-02-30", "'2025-02-30' is not a day of the calendar"},
        {"2025-02-29", "'2025-02-29' is not a day of the calendar"},
        {"2026-04-31", "'2026-04-31' is not a day of the calendar"},
        {"2026-13-01", "'2026-13-01' has no month 13"},
        {"2026-00-10", "'2026-00-10' has no month 00"},
        {"2026-1-01", "'2026-1-01' is not a date YYYY-MM-DD"},
        {"2026-01-01T00", "'2026-01-01T00' is not a date YYYY-MM-DD"},
        {"26-01-01", "'26-01-01' is not a date YYYY-MM-DD"},
        {"2026/01/01", "'2026/01/01' is not a date YYYY-MM-DD"},
        {"0000-01-01", "'0000-01-01' is not a day of the calendar"},
        {"", "is empty (expected a date YYYY-MM-DD)"},
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        int32_t v;
        struct err e = {0};
        assert_int_equal(date_parse(bad[i].in, &v, &e), ERR_INPUT);
        assert_string_equal(e.msg, bad[i].msg);
    }
}

static void test_format_round_trip(void **state)
{
    (void)state;
    char b[DATE_BUF];
    for (int32_t x = d("0001-01-01"); x <= d("9999-12-31"); x += 97) {
        int32_t back;
        struct err e = {0};
        assert_int_equal(date_parse(date_format(x, b, sizeof b), &back, &e), ERR_OK);
        assert_int_equal(back, x);
    }
    assert_string_equal(date_format(d("2026-03-05"), b, sizeof b), "2026-03-05");
}

static void test_add_months(void **state)
{
    (void)state;
    char b[DATE_BUF];
    assert_string_equal(date_format(date_add_months(d("2026-01-31"), 1), b, sizeof b),
                        "2026-02-28");
    assert_string_equal(date_format(date_add_months(d("2024-01-31"), 1), b, sizeof b),
                        "2024-02-29");
    assert_string_equal(date_format(date_add_months(d("2024-02-29"), 12), b, sizeof b),
                        "2025-02-28");
    assert_string_equal(date_format(date_add_months(d("2026-03-31"), -1), b, sizeof b),
                        "2026-02-28");
    assert_string_equal(date_format(date_add_months(d("2026-11-15"), 3), b, sizeof b),
                        "2027-02-15");
    assert_string_equal(date_format(date_add_months(d("2026-01-15"), -13), b, sizeof b),
                        "2024-12-15");
    /* Past the end of the calendar (a monthly plan over 9999, a report as of 9999-06-01 looking
     * 12 months ahead) the day is beyond 9999-12-31, in order; this used to abort. */
    int32_t last = d("9999-12-31");
    assert_true(date_add_months(d("9999-12-01"), 1) > last);
    assert_true(date_add_months(d("9999-06-01"), 12) == date_add_months(d("9999-06-01"), 13) - 30);
    assert_int_equal(date_add_months(d("9999-01-31"), 1), d("9999-02-28"));
    int y, m, dd;
    date_to_ymd(date_add_months(d("9999-01-31"), 13), &y, &m, &dd);
    assert_true(y == 10000 && m == 2 && dd == 29); /* 10000 is a leap year */
    /* ... and before its start, months stay months. */
    assert_true(date_add_months(d("0001-01-15"), -1) < d("0001-01-01"));
    date_to_ymd(date_add_months(d("0001-01-15"), -13), &y, &m, &dd);
    assert_true(y == -1 && m == 12 && dd == 15);
    assert_int_equal(date_add_months(date_add_months(d("0001-03-15"), -40), 40), d("0001-03-15"));
}

static void test_periods(void **state)
{
    (void)state;
    char b[PERIOD_BUF];
    int32_t p;
    struct err e = {0};
    assert_int_equal(period_parse("2024-02", &p, &e), ERR_OK);
    assert_int_equal(period_days(p), 29);
    assert_int_equal(period_first_day(p), d("2024-02-01"));
    assert_int_equal(period_last_day(p), d("2024-02-29"));
    assert_int_equal(period_of(d("2024-02-17")), p);
    assert_string_equal(period_format(p + 11, b, sizeof b), "2025-01");
    assert_int_equal(period_parse("2024-13", &p, &e), ERR_INPUT);
    assert_int_equal(period_parse("2024-2", &p, &e), ERR_INPUT);
    assert_int_equal(date_weekday(d("2026-11-22")), 6); /* a Sunday */
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_parse),
        cmocka_unit_test(test_format_round_trip),
        cmocka_unit_test(test_add_months),
        cmocka_unit_test(test_periods),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
