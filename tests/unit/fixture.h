/*
 * fixture.h — an in-memory book with a fixed clock, and small helpers for the database tests.
 */
#ifndef RATABLE_TEST_FIXTURE_H
#define RATABLE_TEST_FIXTURE_H

#include <sqlite3.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#include "model/book.h"
#include "model/date.h"
#include "model/db.h"

/* 2026-11-22T12:00:00Z */
static inline int64_t fixture_clock(void)
{
    return 1795348800;
}

static inline struct book *fixture_book(const char *currency)
{
    struct book *b = NULL;
    struct err e = {0};
    struct book_init init = {.company = "Northwind Ltd", .currency = currency, .user = "tester"};
    if (book_open_memory(&init, fixture_clock, &b, &e) != ERR_OK) {
        fprintf(stderr, "fixture: %s\n", e.msg);
        abort();
    }
    return b;
}

static inline int32_t fixture_date(const char *s)
{
    int32_t v = 0;
    struct err e = {0};
    if (date_parse(s, &v, &e) != ERR_OK) {
        fprintf(stderr, "fixture: %s\n", e.msg);
        abort();
    }
    return v;
}

/* One integer from a query with no parameters (test SQL only). */
static inline int64_t fixture_int(struct book *b, const char *sql)
{
    sqlite3_stmt *st = db_prepare(b, sql);
    struct err e = {0};
    int64_t v = db_step(b, st, &e) == SQLITE_ROW ? db_col_int(st, 0) : -999999;
    sqlite3_reset(st);
    return v;
}

/* Runs raw SQL and returns the SQLite result code (for constraint tests). */
static inline int fixture_exec(struct book *b, const char *sql)
{
    struct err e = {0};
    return db_exec_script(b, sql, &e);
}

#endif
