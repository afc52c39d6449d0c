/*
 * date.h — civil dates and calendar-month periods (ACCOUNTING.md §1).
 *
 * A date is a count of days since 1970-01-01 (int32_t), with no time zone: 2026-03-15 is the same
 * day everywhere. A period is a calendar month, counted as year * 12 + (month - 1). A service
 * term [start, end] includes both ends. Dates outside 0001-01-01 .. 9999-12-31 are refused.
 */
#ifndef RATABLE_DATE_H
#define RATABLE_DATE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "model/err.h"

#define DATE_BUF   11        /* "YYYY-MM-DD" and NUL */
#define PERIOD_BUF 8         /* "YYYY-MM" and NUL */
#define DATE_NONE  INT32_MIN /* no date (an open expiry, an unset due date) */

bool date_is_leap(int year);
int date_days_in_month(int year, int month);
/* True and *out set when y-m-d names a real day in years 1..9999. */
bool date_from_ymd(int year, int month, int day, int32_t *out);
void date_to_ymd(int32_t date, int *year, int *month, int *day);

/* Parses exactly YYYY-MM-DD naming a real day: 2025-02-30 and 2025-2-3 are refused. */
int date_parse(const char *s, int32_t *out, struct err *e);
/* Writes YYYY-MM-DD into buf (>= DATE_BUF bytes) and returns buf. */
char *date_format(int32_t date, char *buf, size_t size);

/* The same day n months later (or earlier), clamped to the month's last day: 01-31 + 1 = 02-28.
 * The result may lie beyond 9999-12-31 (or before 0001-01-01): such a day orders correctly after
 * (before) every date of the calendar, so loops over instalments end, but it is not one to show. */
int32_t date_add_months(int32_t date, int n);
/* Day of week, 0 = Monday .. 6 = Sunday. */
int date_weekday(int32_t date);

int32_t period_of(int32_t date);
int32_t period_from_ym(int year, int month);
void period_to_ym(int32_t period, int *year, int *month);
int32_t period_first_day(int32_t period);
int32_t period_last_day(int32_t period);
int period_days(int32_t period);
/* Parses exactly YYYY-MM. */
int period_parse(const char *s, int32_t *out, struct err *e);
/* Writes YYYY-MM into buf (>= PERIOD_BUF bytes) and returns buf. */
char *period_format(int32_t period, char *buf, size_t size);

#endif
