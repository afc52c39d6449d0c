/*
 * date.c — civil calendar arithmetic on day counts.
 *
 * The conversions are the classic era-based algorithms for the proleptic Gregorian calendar
 * (400-year eras of 146097 days), written out so that no time zone or C library clock is involved.
 */
#include "model/date.h"

#include <assert.h>
#include <stdio.h>

bool date_is_leap(int year)
{
    return (year % 4 == 0 && year % 100 != 0) || year % 400 == 0;
}

int date_days_in_month(int year, int month)
{
    static const int days[12] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    assert(month >= 1 && month <= 12);
    return month == 2 && date_is_leap(year) ? 29 : days[month - 1];
}

/* Days from 1970-01-01 to y-m-d, for any valid date. */
static int32_t days_from_civil(int y, int m, int d)
{
    y -= m <= 2;
    int era = (y >= 0 ? y : y - 399) / 400;
    int yoe = y - era * 400;                                  /* [0, 399] */
    int doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1; /* [0, 365] */
    int doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;          /* [0, 146096] */
    return era * 146097 + doe - 719468;
}

bool date_from_ymd(int year, int month, int day, int32_t *out)
{
    if (year < 1 || year > 9999 || month < 1 || month > 12 || day < 1 ||
        day > date_days_in_month(year, month))
        return false;
    *out = days_from_civil(year, month, day);
    return true;
}

void date_to_ymd(int32_t date, int *year, int *month, int *day)
{
    int z = date + 719468;
    int era = (z >= 0 ? z : z - 146096) / 146097;
    int doe = z - era * 146097;
    int yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    int y = yoe + era * 400;
    int doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    int mp = (5 * doy + 2) / 153;
    int d = doy - (153 * mp + 2) / 5 + 1;
    int m = mp < 10 ? mp + 3 : mp - 9;
    *year = y + (m <= 2);
    *month = m;
    *day = d;
}

/* Reads exactly n ASCII digits. */
static bool read_digits(const char *s, int n, int *out)
{
    int v = 0;
    for (int i = 0; i < n; i++) {
        if (s[i] < '0' || s[i] > '9')
            return false;
        v = v * 10 + (s[i] - '0');
    }
    *out = v;
    return true;
}

int date_parse(const char *s, int32_t *out, struct err *e)
{
    int y, m, d;
    if (!s || !*s)
        return err_set(e, ERR_INPUT, "is empty (expected a date YYYY-MM-DD)");
    if (!read_digits(s, 4, &y) || s[4] != '-' || !read_digits(s + 5, 2, &m) || s[7] != '-' ||
        !read_digits(s + 8, 2, &d) || s[10] != '\0')
        return err_set(e, ERR_INPUT, "'%.40s' is not a date YYYY-MM-DD", s);
    if (m < 1 || m > 12)
        return err_set(e, ERR_INPUT, "'%s' has no month %02d", s, m);
    if (!date_from_ymd(y, m, d, out))
        return err_set(e, ERR_INPUT, "'%s' is not a day of the calendar", s);
    return ERR_OK;
}

char *date_format(int32_t date, char *buf, size_t size)
{
    assert(size >= DATE_BUF);
    if (date == DATE_NONE) {
        buf[0] = '\0';
        return buf;
    }
    int y, m, d;
    date_to_ymd(date, &y, &m, &d);
    snprintf(buf, size, "%04d-%02d-%02d", y % 10000, m % 100, d % 100);
    return buf;
}

int32_t date_add_months(int32_t date, int n)
{
    int y, m, d;
    date_to_ymd(date, &y, &m, &d);
    int32_t p = period_from_ym(y, m) + n;
    period_to_ym(p, &y, &m);
    int dim = date_days_in_month(y, m);
    /* Not date_from_ymd: the day may lie beyond 9999-12-31, where a billing plan that runs to
     * the end of the calendar looks for its next instalment, and it must still compare. */
    return days_from_civil(y, m, d > dim ? dim : d);
}

int date_weekday(int32_t date)
{
    /* 1970-01-01 was a Thursday (3 when Monday is 0). */
    int w = (int)((date % 7 + 7 + 3) % 7);
    return w;
}

int32_t period_from_ym(int year, int month)
{
    return year * 12 + (month - 1);
}

void period_to_ym(int32_t period, int *year, int *month)
{
    /* Floor division, so the months of years before year 0 are 1..12 too. */
    int32_t y = period >= 0 ? period / 12 : -((-period + 11) / 12);
    *year = (int)y;
    *month = (int)(period - y * 12) + 1;
}

int32_t period_of(int32_t date)
{
    int y, m, d;
    date_to_ymd(date, &y, &m, &d);
    return period_from_ym(y, m);
}

int32_t period_first_day(int32_t period)
{
    int y, m;
    period_to_ym(period, &y, &m);
    return days_from_civil(y, m, 1);
}

int32_t period_last_day(int32_t period)
{
    int y, m;
    period_to_ym(period, &y, &m);
    return days_from_civil(y, m, date_days_in_month(y, m));
}

int period_days(int32_t period)
{
    int y, m;
    period_to_ym(period, &y, &m);
    return date_days_in_month(y, m);
}

int period_parse(const char *s, int32_t *out, struct err *e)
{
    int y, m;
    if (!s || !*s)
        return err_set(e, ERR_INPUT, "is empty (expected a month YYYY-MM)");
    if (!read_digits(s, 4, &y) || s[4] != '-' || !read_digits(s + 5, 2, &m) || s[7] != '\0')
        return err_set(e, ERR_INPUT, "'%.40s' is not a month YYYY-MM", s);
    if (y < 1 || m < 1 || m > 12)
        return err_set(e, ERR_INPUT, "'%s' is not a month of the calendar", s);
    *out = period_from_ym(y, m);
    return ERR_OK;
}

char *period_format(int32_t period, char *buf, size_t size)
{
    assert(size >= PERIOD_BUF);
    int y, m;
    period_to_ym(period, &y, &m);
    snprintf(buf, size, "%04d-%02d", y % 10000, m % 100);
    return buf;
}
