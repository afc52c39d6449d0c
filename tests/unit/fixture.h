/*
 * fixture.h — an in-memory book with a fixed clock, and small helpers for the database tests;
 * a book in a file, and two connections to it racing for the same row.
 */
#ifndef RATABLE_TEST_FIXTURE_H
#define RATABLE_TEST_FIXTURE_H

#include <pthread.h>
#include <sqlite3.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

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

/* A new book in a file of its own, in a new directory; path receives the file name.
 * fixture_file_remove removes the book, its -wal and -shm files and the directory. */
static inline struct book *fixture_file_book(const char *currency, char path[64])
{
    char dir[] = "/tmp/ratable-test-XXXXXX";
    if (!mkdtemp(dir))
        abort();
    snprintf(path, 64, "%s/b.ratable", dir);
    struct book *b = NULL;
    struct err e = {0};
    struct book_init init = {.company = "Northwind Ltd", .currency = currency, .user = "tester"};
    if (book_create(path, &init, fixture_clock, &b, &e) != ERR_OK) {
        fprintf(stderr, "fixture: %s\n", e.msg);
        abort();
    }
    return b;
}

static inline void fixture_file_remove(const char *path)
{
    char p[80];
    snprintf(p, sizeof p, "%s-wal", path);
    remove(p);
    snprintf(p, sizeof p, "%s-shm", path);
    remove(p);
    remove(path);
    snprintf(p, sizeof p, "%s", path);
    char *slash = strrchr(p, '/');
    if (slash) {
        *slash = '\0';
        rmdir(p);
    }
}

/* What one side of a race does, on its own connection. */
typedef int (*fixture_act)(struct book *b, void *arg, struct err *e);

struct fixture_other {
    const char *path;
    fixture_act act;
    void *arg;
    int rc;
    struct err e;
};

static inline void *fixture_other_thread(void *p)
{
    struct fixture_other *o = p;
    struct book *b;
    o->rc = book_open(o->path, fixture_clock, &b, &o->e);
    if (o->rc == ERR_OK) {
        o->rc = o->act(b, o->arg, &o->e);
        book_close(b);
    }
    return NULL;
}

/*
 * Two people at once. While b holds the write lock, a second connection to the book file starts
 * `other` in its own thread: it reads what it needs and waits for the lock. Then `mine` runs on
 * b and b commits. Once the second has the lock it must act on what b committed, not on what
 * it read before. Returns what `other` returned, with its message in *e.
 */
static inline int fixture_race(struct book *b, const char *path, fixture_act mine, void *mine_arg,
                               fixture_act other, void *other_arg, struct err *e)
{
    struct fixture_other o = {.path = path, .act = other, .arg = other_arg};
    struct err me = {0};
    pthread_t t;
    if (book_begin(b, &me) != ERR_OK || pthread_create(&t, NULL, fixture_other_thread, &o) != 0)
        abort();
    /* Time for the other to open the book, read it and start waiting for the lock. */
    struct timespec pause = {.tv_sec = 0, .tv_nsec = 300 * 1000 * 1000};
    nanosleep(&pause, NULL);
    if (mine(b, mine_arg, &me) != ERR_OK || book_commit(b, &me) != ERR_OK) {
        fprintf(stderr, "fixture: %s\n", me.msg);
        abort();
    }
    if (pthread_join(t, NULL) != 0)
        abort();
    *e = o.e;
    return o.rc;
}

#endif
