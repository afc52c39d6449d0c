/*
 * fuzz_date.c — date_parse and period_parse over arbitrary text: they never crash, and what they
 * accept formats back to exactly the same text (YYYY-MM-DD and YYYY-MM are canonical). Then from
 * numbers: any day of 0001-01-01 .. 9999-12-31 formats and parses back to itself, and adding
 * months lands on the same day of the month, or the last day of a shorter month.
 */
#include "model/date.h"
#include "tests/fuzz/fuzz.h"

static int32_t first_day, last_day;

static void check_day(int32_t d)
{
    char text[DATE_BUF];
    date_format(d, text, sizeof text);
    int32_t back = 0;
    struct err e = {0};
    FUZZ_CHECK(date_parse(text, &back, &e) == ERR_OK);
    FUZZ_CHECK(back == d);
    char month[PERIOD_BUF];
    int32_t p = period_of(d), pback = 0;
    period_format(p, month, sizeof month);
    FUZZ_CHECK(period_parse(month, &pback, &e) == ERR_OK && pback == p);
    FUZZ_CHECK(period_first_day(p) <= d && d <= period_last_day(p));
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (!first_day) {
        FUZZ_CHECK(date_from_ymd(1, 1, 1, &first_day) && date_from_ymd(9999, 12, 31, &last_day));
    }
    char *s = fuzz_string(data, size);
    int32_t d = 0, p = 0;
    struct err e = {0};
    if (date_parse(s, &d, &e) == ERR_OK) {
        char text[DATE_BUF];
        FUZZ_CHECK(strcmp(date_format(d, text, sizeof text), s) == 0);
        check_day(d);
    } else {
        FUZZ_CHECK(e.msg[0] != '\0');
    }
    if (period_parse(s, &p, &e) == ERR_OK) {
        char text[PERIOD_BUF];
        FUZZ_CHECK(strcmp(period_format(p, text, sizeof text), s) == 0);
    }
    free(s);

    if (size >= 6) {
        uint32_t span = (uint32_t)(last_day - first_day) + 1;
        int32_t day = first_day + (int32_t)(fuzz_take(&data, &size, 4) % span);
        check_day(day);
        int n = (int)(fuzz_take(&data, &size, 2) % 240); /* up to 20 years ahead */
        int32_t later = date_add_months(day, n);
        FUZZ_CHECK(n == 0 ? later == day : later > day);
        int y, m, dd, y2, m2, d2;
        date_to_ymd(day, &y, &m, &dd);
        date_to_ymd(later, &y2, &m2, &d2);
        FUZZ_CHECK((y2 * 12 + m2) - (y * 12 + m) == n);
        FUZZ_CHECK(d2 == dd || (d2 < dd && d2 == date_days_in_month(y2, m2)));
    }
    return 0;
}
