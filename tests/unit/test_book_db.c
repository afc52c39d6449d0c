/*
 * test_book_db.c — the book as a file and its guards: the constraints and triggers of
 * data/schema.sql really refuse bad rows, the journal cannot hold an unbalanced or edited entry,
 * the ledgers are append-only, and opening refuses what is not a current ratable book.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <cmocka.h>

#include "model/check.h"
#include "model/customer.h"
#include "model/invoice.h"
#include "model/journal.h"
#include "tests/unit/fixture.h"

static struct book *with_customer(void)
{
    struct book *b = fixture_book("USD");
    struct customer_input in = {.code = "ACME", .name = "Acme", .terms_days = 30};
    int64_t id;
    struct err e = {0};
    assert_int_equal(customer_add(b, &in, &id, &e), ERR_OK);
    return b;
}

/* Each statement must be refused by the book. */
static void test_constraints_refuse(void **state)
{
    (void)state;
    struct book *b = with_customer();
    static const char *const refused[] = {
        /* STRICT types */
        "INSERT INTO customers (code, name, currency, created_at, terms_days) VALUES ('X', 'X',"
        " 'USD', 'now', 'thirty')",
        /* dates that are not days of the calendar */
        "INSERT INTO invoices (number, customer_id, status, issued_on, due_on, total, created_by,"
        " created_at) VALUES ('I1', 1, 'draft', '2025-02-30', '2025-03-30', 0, 'x', 'x')",
        "INSERT INTO invoices (number, customer_id, status, issued_on, due_on, total, created_by,"
        " created_at) VALUES ('I1', 1, 'draft', '2025-2-3', '2025-03-30', 0, 'x', 'x')",
        /* due before issue */
        "INSERT INTO invoices (number, customer_id, status, issued_on, due_on, total, created_by,"
        " created_at) VALUES ('I1', 1, 'draft', '2026-03-01', '2026-02-01', 0, 'x', 'x')",
        /* unknown currency, bad code */
        "INSERT INTO customers (code, name, currency, created_at) VALUES ('Y', 'Y', 'XXX', 'n')",
        "INSERT INTO customers (code, name, currency, created_at) VALUES ('a b', 'Y', 'USD', 'n')",
        "INSERT INTO customers (code, name, currency, created_at) VALUES ('acme', 'Y', 'USD', 'n')",
        /* customers are never deleted */
        "DELETE FROM customers",
        /* an invoice is never written as issued directly */
        "INSERT INTO invoices (number, customer_id, status, issued_on, due_on, total, created_by,"
        " created_at) VALUES ('I2', 1, 'issued', '2026-03-01', '2026-03-01', 0, 'x', 'x')",
        /* a grant cannot be negative or expire before it starts */
        "INSERT INTO credit_grants (customer_id, kind, amount, granted_on, reason, granted_by,"
        " created_at) VALUES (1, 'prepaid', -5, '2026-01-01', 'r', 'x', 'x')",
        "INSERT INTO credit_grants (customer_id, kind, amount, granted_on, expires_on, reason,"
        " granted_by, created_at) VALUES (1, 'prepaid', 5, '2026-01-01', '2025-12-31', 'r', 'x',"
        " 'x')",
        /* the change log is append-only */
        "UPDATE change_log SET user = 'mallory'",
        "DELETE FROM change_log",
        /* a journal line has one side only */
        "INSERT INTO journal_lines (entry_id, account, debit, credit) VALUES (1, '1000', 5, 5)",
        /* the guard table stays empty */
        "INSERT INTO journal_guard (id) VALUES (1)",
    };
    for (size_t i = 0; i < sizeof refused / sizeof refused[0]; i++) {
        if (fixture_exec(b, refused[i]) == ERR_OK)
            fail_msg("accepted: %s", refused[i]);
    }
    book_close(b);
}

/* The journal: an unbalanced entry cannot be posted; a posted one cannot change; a transaction
 * that leaves an entry unposted cannot commit. */
static void test_journal_guards(void **state)
{
    (void)state;
    struct book *b = with_customer();
    struct err e = {0};
    assert_int_equal(fixture_exec(b, "INSERT INTO journal_entries (entry_date, kind, currency,"
                                     " memo, source_type, source_id, posted, open_guard,"
                                     " created_by, created_at) VALUES ('2026-01-01', 'invoice',"
                                     " 'USD', 'm', 'test', 1, 0, 1, 'x', 'x');"
                                     "INSERT INTO journal_lines (entry_id, account, debit) VALUES"
                                     " (1, '1100', 500);"
                                     "INSERT INTO journal_lines (entry_id, account, credit) VALUES"
                                     " (1, '4000', 400);"),
                     ERR_RULE); /* autocommit: the deferred guard refuses the unposted entry */
    assert_int_equal(fixture_int(b, "SELECT count(*) FROM journal_entries"), 0);

    assert_int_equal(book_begin(b, &e), ERR_OK);
    assert_int_equal(fixture_exec(b, "INSERT INTO journal_entries (entry_date, kind, currency,"
                                     " memo, source_type, source_id, posted, open_guard,"
                                     " created_by, created_at) VALUES ('2026-01-01', 'invoice',"
                                     " 'USD', 'm', 'test', 1, 0, 1, 'x', 'x');"
                                     "INSERT INTO journal_lines (entry_id, account, debit) VALUES"
                                     " (1, '1100', 500);"
                                     "INSERT INTO journal_lines (entry_id, account, credit) VALUES"
                                     " (1, '4000', 400);"),
                     ERR_OK);
    assert_int_equal(fixture_exec(b, "UPDATE journal_entries SET posted = 1, open_guard = NULL"),
                     ERR_RULE);
    book_rollback(b);

    /* A balanced entry through the model posts; afterwards nothing about it can change. */
    assert_int_equal(book_begin(b, &e), ERR_OK);
    struct journal_entry je;
    journal_init(&je, "invoice", fixture_date("2026-01-01"), "USD", "test", "test", 1, 1);
    journal_debit(&je, "receivable", money_of(500), 0);
    journal_credit(&je, "revenue", money_of(500), 0);
    int64_t id;
    assert_int_equal(journal_post(b, &je, &id, &e), ERR_OK);
    assert_int_equal(book_commit(b, &e), ERR_OK);
    assert_true(id > 0);
    assert_int_not_equal(fixture_exec(b, "UPDATE journal_entries SET memo = 'changed'"), ERR_OK);
    assert_int_not_equal(fixture_exec(b, "DELETE FROM journal_entries"), ERR_OK);
    assert_int_not_equal(fixture_exec(b, "UPDATE journal_lines SET debit = 1"), ERR_OK);
    assert_int_not_equal(fixture_exec(b, "DELETE FROM journal_lines"), ERR_OK);
    assert_int_not_equal(
        fixture_exec(b, "INSERT INTO journal_lines (entry_id, account, debit) VALUES (1, '1000',"
                        " 1)"),
        ERR_OK);
    book_close(b);
}

/* Issued invoices and the credit ledger cannot be edited by hand either. */
static void test_documents_fixed(void **state)
{
    (void)state;
    struct book *b = with_customer();
    struct err e = {0};
    struct invoice_line_input line = {"Plan", money_of(10000)};
    struct invoice_input in = {.customer = "ACME",
                               .issued_on = fixture_date("2026-03-01"),
                               .due_on = DATE_NONE,
                               .lines = &line,
                               .nlines = 1};
    struct invoice_result r;
    assert_int_equal(invoice_create(b, &in, &r, &e), ERR_OK);
    assert_int_not_equal(fixture_exec(b, "UPDATE invoices SET total = 1"), ERR_OK);
    assert_int_not_equal(fixture_exec(b, "UPDATE invoice_lines SET amount = 1"), ERR_OK);
    assert_int_not_equal(fixture_exec(b, "DELETE FROM invoices"), ERR_OK);
    assert_int_equal(fixture_exec(b,
                                  "INSERT INTO credit_grants (customer_id, kind, amount,"
                                  " granted_on, reason, granted_by, created_at) VALUES (1,"
                                  " 'prepaid', 500, '2026-01-01', 'r', 'x', 'x');"
                                  "INSERT INTO credit_movements (grant_id, kind, amount, on_date,"
                                  " reason, by_user, created_at) VALUES (1, 'granted', 500,"
                                  " '2026-01-01', 'r', 'x', 'x')"),
                     ERR_OK);
    static const char *const refused[] = {
        "UPDATE credit_movements SET amount = 1000",
        "DELETE FROM credit_movements",
        "UPDATE credit_grants SET amount = 1000",
        /* below zero */
        "INSERT INTO credit_movements (grant_id, kind, amount, on_date, reason, by_user,"
        " created_at) VALUES (1, 'refunded', -600, '2026-01-02', 'r', 'x', 'x')",
        /* before the grant */
        "INSERT INTO credit_movements (grant_id, kind, amount, on_date, reason, by_user,"
        " created_at) VALUES (1, 'refunded', -1, '2025-12-31', 'r', 'x', 'x')",
        /* a second grant movement */
        "INSERT INTO credit_movements (grant_id, kind, amount, on_date, reason, by_user,"
        " created_at) VALUES (1, 'granted', 500, '2026-01-02', 'r', 'x', 'x')",
        /* applied with no invoice */
        "INSERT INTO credit_movements (grant_id, kind, amount, on_date, reason, by_user,"
        " created_at) VALUES (1, 'applied', -1, '2026-03-02', 'r', 'x', 'x')",
        /* applied beyond the invoice's total */
        "INSERT INTO credit_movements (grant_id, kind, amount, on_date, invoice_id, reason,"
        " by_user, created_at) VALUES (1, 'applied', -10001, '2026-03-02', 1, 'r', 'x', 'x')",
        /* an expiry on any day but the one after the expiry date (none here) */
        "INSERT INTO credit_movements (grant_id, kind, amount, on_date, reason, by_user,"
        " created_at) VALUES (1, 'expired', -500, '2026-03-02', 'r', 'x', 'x')",
    };
    for (size_t i = 0; i < sizeof refused / sizeof refused[0]; i++)
        if (fixture_exec(b, refused[i]) == ERR_OK)
            fail_msg("accepted: %s", refused[i]);
    book_close(b);
}

static int64_t fixed_clock(void)
{
    return 1795348800;
}

/* A book on disk: 0600, WAL, marked as ours; foreign and newer files are refused. */
static void test_file_refusals(void **state)
{
    (void)state;
    char dir[] = "/tmp/ratable-test-XXXXXX";
    assert_non_null(mkdtemp(dir));
    char path[128], other[128];
    snprintf(path, sizeof path, "%s/book.ratable", dir);
    snprintf(other, sizeof other, "%s/other.db", dir);
    struct book *b;
    struct err e = {0};
    struct book_init init = {.company = "Northwind", .currency = "USD", .user = "t"};
    assert_int_equal(book_create(path, &init, fixed_clock, &b, &e), ERR_OK);
    assert_int_equal(book_version(b), BOOK_VERSION);
    assert_int_equal(fixture_int(b, "PRAGMA application_id"), BOOK_APPLICATION_ID);
    book_close(b);
    struct stat sb;
    assert_int_equal(stat(path, &sb), 0);
    assert_int_equal(sb.st_mode & 0777, 0600);
    assert_int_equal(book_create(path, &init, fixed_clock, &b, &e), ERR_EXISTS);

    assert_int_equal(book_open(path, fixed_clock, &b, &e), ERR_OK);
    sqlite3_stmt *st = db_prepare(b, "PRAGMA journal_mode");
    assert_int_equal(db_step(b, st, &e), SQLITE_ROW);
    assert_string_equal(db_col_text(st, 0), "wal");
    sqlite3_reset(st);
    assert_int_equal(fixture_int(b, "PRAGMA foreign_keys"), 1);
    assert_int_equal(fixture_int(b, "PRAGMA synchronous"), 2); /* FULL */
    assert_int_equal(fixture_exec(b, "PRAGMA user_version = 99"), ERR_OK);
    book_close(b);
    assert_int_equal(book_open(path, fixed_clock, &b, &e), ERR_BOOK);
    char want[512];
    snprintf(want, sizeof want,
             "%s was written by a newer ratable (book version 99; this program reads up to"
             " version %d): upgrade ratable to open it",
             path, BOOK_VERSION);
    assert_string_equal(e.msg, want);

    sqlite3 *db;
    assert_int_equal(sqlite3_open(other, &db), SQLITE_OK);
    assert_int_equal(sqlite3_exec(db, "CREATE TABLE t (x)", NULL, NULL, NULL), SQLITE_OK);
    sqlite3_close(db);
    assert_int_equal(book_open(other, fixed_clock, &b, &e), ERR_BOOK);
    snprintf(want, sizeof want, "%s is not a ratable book (an SQLite database of another program)",
             other);
    assert_string_equal(e.msg, want);
    FILE *f = fopen(other, "w");
    fputs("code,name\nACME,Acme\n", f);
    fclose(f);
    assert_int_equal(book_open(other, fixed_clock, &b, &e), ERR_BOOK);
    snprintf(want, sizeof want, "%s is not a ratable book (not an SQLite database)", other);
    assert_string_equal(e.msg, want);
    remove(other);
    remove(path);
    rmdir(dir);
}

/* A save over a row someone else changed is refused, not lost. */
static void test_revision_conflict(void **state)
{
    (void)state;
    struct book *b = with_customer();
    struct err e = {0};
    struct customer c1, c2;
    assert_int_equal(customer_find(b, "ACME", &c1, &e), ERR_OK);
    assert_int_equal(customer_find(b, "ACME", &c2, &e), ERR_OK);
    struct customer_input in = {.code = "ACME", .name = "Acme One", .terms_days = 30};
    assert_int_equal(customer_update(b, c1.id, c1.revision, &in, &e), ERR_OK);
    in.name = "Acme Two";
    assert_int_equal(customer_update(b, c2.id, c2.revision, &in, &e), ERR_CONFLICT);
    customer_clear(&c1);
    customer_clear(&c2);
    assert_int_equal(customer_find(b, "acme", &c1, &e), ERR_OK); /* codes ignore case */
    assert_string_equal(c1.name, "Acme One");
    customer_clear(&c1);
    /* The change log holds the before and after of the edit. */
    sqlite3_stmt *st = db_prepare(b, "SELECT json_extract(before, '$.name'), json_extract(after,"
                                     " '$.name'), user FROM change_log WHERE action ="
                                     " 'customer.edit'");
    assert_int_equal(db_step(b, st, &e), SQLITE_ROW);
    assert_string_equal(db_col_text(st, 0), "Acme");
    assert_string_equal(db_col_text(st, 1), "Acme One");
    assert_string_equal(db_col_text(st, 2), "tester");
    sqlite3_reset(st);
    book_close(b);
}

/* Two people, two connections: both open ACME, both save; the second save is refused with the
 * reason, and the first one's edit is what the book holds. */
static void test_revision_conflict_two_connections(void **state)
{
    (void)state;
    char path[64];
    struct book *one = fixture_file_book("USD", path), *two;
    struct err e = {0};
    struct customer_input in = {.code = "ACME", .name = "Acme", .terms_days = 30};
    int64_t id;
    assert_int_equal(customer_add(one, &in, &id, &e), ERR_OK);
    assert_int_equal(book_open(path, fixture_clock, &two, &e), ERR_OK);
    struct customer c1, c2;
    assert_int_equal(customer_find(one, "ACME", &c1, &e), ERR_OK);
    assert_int_equal(customer_find(two, "ACME", &c2, &e), ERR_OK);
    assert_true(c1.revision == c2.revision);
    in.name = "Acme One";
    assert_int_equal(customer_update(one, c1.id, c1.revision, &in, &e), ERR_OK);
    struct customer_input other = {
        .code = "ACME", .name = "Acme", .email = "ap@acme.example", .terms_days = 45};
    assert_int_equal(customer_update(two, c2.id, c2.revision, &other, &e), ERR_CONFLICT);
    assert_string_equal(e.msg,
                        "customer 'ACME' changed since you opened it (someone else saved it):"
                        " reload?");
    /* Archiving from the stale copy is refused the same way. */
    assert_int_equal(customer_set_archived(two, c2.id, c2.revision, true, &e), ERR_CONFLICT);
    assert_string_equal(
        e.msg, "the customer changed since you opened it (someone else saved it): reload?");
    customer_clear(&c2);
    /* The second connection sees the first one's save, and saves over it once reloaded. */
    assert_int_equal(customer_find(two, "ACME", &c2, &e), ERR_OK);
    assert_string_equal(c2.name, "Acme One");
    assert_null(c2.email);
    assert_int_equal(c2.revision, c1.revision + 1);
    assert_int_equal(customer_update(two, c2.id, c2.revision, &other, &e), ERR_OK);
    customer_clear(&c1);
    customer_clear(&c2);
    assert_int_equal(customer_find(one, "ACME", &c1, &e), ERR_OK);
    assert_string_equal(c1.email, "ap@acme.example");
    assert_int_equal(c1.terms_days, 45);
    customer_clear(&c1);
    assert_int_equal(fixture_int(one, "SELECT count(*) FROM change_log WHERE action ="
                                      " 'customer.edit'"),
                     2);
    book_close(two);
    book_close(one);
    fixture_file_remove(path);
}

/* The shape of a book, as the pragmas see it: tables with their columns in order, indexes,
 * views and triggers. */
static char *shape(struct book *b)
{
    char *out = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&out, &len);
    sqlite3_stmt *st = db_prepare(b, "SELECT type, name, tbl_name FROM sqlite_schema WHERE name NOT"
                                     " LIKE 'sqlite_%' ORDER BY type, name");
    struct err e = {0};
    struct {
        char type[16], name[64];
    } objs[256];
    int n = 0;
    while (db_step(b, st, &e) == SQLITE_ROW && n < 256) {
        db_col_copy(st, 0, objs[n].type, sizeof objs[n].type);
        db_col_copy(st, 1, objs[n].name, sizeof objs[n].name);
        n++;
    }
    for (int i = 0; i < n; i++) {
        fprintf(f, "%s %s\n", objs[i].type, objs[i].name);
        if (strcmp(objs[i].type, "table") != 0)
            continue;
        sqlite3_stmt *cols =
            db_prepare(b, "SELECT cid, name, type, \"notnull\", dflt_value, pk FROM"
                          " pragma_table_info(:t) ORDER BY cid");
        db_bind_text(cols, ":t", objs[i].name);
        while (db_step(b, cols, &e) == SQLITE_ROW)
            fprintf(f, "  %lld %s %s %lld %s %lld\n", (long long)db_col_int(cols, 0),
                    db_col_text(cols, 1), db_col_text(cols, 2), (long long)db_col_int(cols, 3),
                    db_col_text(cols, 4), (long long)db_col_int(cols, 5));
    }
    fclose(f);
    return out;
}

static char *slurp(const char *path)
{
    FILE *f = fopen(path, "rb");
    assert_non_null(f);
    char *buf = calloc(1, 1 << 20);
    size_t n = fread(buf, 1, (1 << 20) - 1, f);
    buf[n] = '\0';
    fclose(f);
    return buf;
}

/* A book written by an earlier version (its schema kept in tests/data) migrates to exactly the
 * shape a new book has, keeps its data, and still ties out. */
static void migrate_from(int version)
{
    char dir[] = "/tmp/ratable-migrate-XXXXXX";
    assert_non_null(mkdtemp(dir));
    char path[128];
    snprintf(path, sizeof path, "%s/old.ratable", dir);
    sqlite3 *db;
    assert_int_equal(sqlite3_open(path, &db), SQLITE_OK);
    char file[64];
    snprintf(file, sizeof file, "tests/data/schema-v%d.sql", version);
    char *schema = slurp(file);
    snprintf(file, sizeof file, "tests/data/seed-v%d.sql", version);
    char *seed = slurp(file);
    char pragma[64];
    snprintf(pragma, sizeof pragma, "PRAGMA user_version = %d;", version);
    const char *currencies = "INSERT INTO currencies VALUES ('USD', 2, 'US Dollar');";
    assert_int_equal(sqlite3_exec(db, "PRAGMA foreign_keys = ON", NULL, NULL, NULL), SQLITE_OK);
    assert_int_equal(sqlite3_exec(db, schema, NULL, NULL, NULL), SQLITE_OK);
    assert_int_equal(sqlite3_exec(db, currencies, NULL, NULL, NULL), SQLITE_OK);
    assert_int_equal(sqlite3_exec(db, seed, NULL, NULL, NULL), SQLITE_OK);
    assert_int_equal(sqlite3_exec(db,
                                  "INSERT INTO book (id, company, base_currency, user, created_at)"
                                  " VALUES (1, 'Old Co', 'USD', 'old', 'then');"
                                  "INSERT INTO customers (code, name, currency, created_at) VALUES"
                                  " ('ACME', 'Acme', 'USD', 'then');"
                                  "PRAGMA application_id = 1381253442;",
                                  NULL, NULL, NULL),
                     SQLITE_OK);
    assert_int_equal(sqlite3_exec(db, pragma, NULL, NULL, NULL), SQLITE_OK);
    sqlite3_close(db);
    free(schema);
    free(seed);

    struct book *old;
    struct err e = {0};
    assert_int_equal(book_open(path, fixed_clock, &old, &e), ERR_OK);
    assert_int_equal(book_version(old), BOOK_VERSION);
    /* The data survived and the new parts work on it. */
    struct invoice_line_input line = {"Plan", money_of(10000)};
    struct invoice_input in = {.customer = "ACME",
                               .issued_on = fixture_date("2026-03-01"),
                               .due_on = DATE_NONE,
                               .lines = &line,
                               .nlines = 1};
    struct invoice_result r;
    assert_int_equal(invoice_create(old, &in, &r, &e), ERR_OK);
    assert_int_equal(fixture_int(old, "SELECT count(*) FROM change_log WHERE action ="
                                      " 'book.migrate'"),
                     BOOK_VERSION - version);
    struct book *fresh = with_customer();
    char *a = shape(old), *want = shape(fresh);
    assert_string_equal(a, want);
    free(a);
    free(want);
    book_close(old);
    book_close(fresh);
    remove(path);
    rmdir(dir);
}

static void test_migrate_from_v1(void **state)
{
    (void)state;
    migrate_from(1);
}

static void test_migrate_from_v2(void **state)
{
    (void)state;
    migrate_from(2);
}

static void test_migrate_from_v3(void **state)
{
    (void)state;
    migrate_from(3);
}

static void test_migrate_from_v4(void **state)
{
    (void)state;
    migrate_from(4);
}

static void test_migrate_from_v5(void **state)
{
    (void)state;
    migrate_from(5);
}

static void test_migrate_from_v6(void **state)
{
    (void)state;
    migrate_from(6);
}

static void test_migrate_from_v7(void **state)
{
    (void)state;
    migrate_from(7);
}

static void test_migrate_from_v8(void **state)
{
    (void)state;
    migrate_from(8);
}

/* Books on network filesystems are refused; local ones are not. */
static void test_network_filesystems(void **state)
{
    (void)state;
    assert_string_equal(book_network_fs(0x6969), "NFS");
    assert_string_equal(book_network_fs(0xFF534D42UL), "CIFS");
    assert_string_equal(book_network_fs(0xFE534D42UL), "SMB2");
    assert_null(book_network_fs(0xEF53));     /* ext4 */
    assert_null(book_network_fs(0x01021994)); /* tmpfs */
    assert_null(book_network_fs(0x58465342)); /* xfs */
}

/* On a book file, SQLite's own checks run on a second connection beside the tie-outs: the list
 * comes out in the same order as when they all run on one connection (an in-memory book), and a
 * fault the second connection finds is reported. */
static void test_checks_beside_the_book(void **state)
{
    (void)state;
    struct err e = {0};
    struct check_report one = {0}, two = {0};
    struct book *m = fixture_book("EUR");
    assert_int_equal(book_check(m, &one, &e), ERR_OK);
    book_close(m);
    char path[64];
    struct book *b = fixture_file_book("EUR", path);
    assert_int_equal(fixture_exec(b, "PRAGMA foreign_keys = OFF; INSERT INTO customers (code, name,"
                                     " currency, created_at) VALUES ('LOST', 'Lost Ltd', 'ZZZ',"
                                     " '2026-01-01T00:00:00Z'); PRAGMA foreign_keys = ON"),
                     SQLITE_OK);
    assert_int_equal(book_check(b, &two, &e), ERR_OK);
    assert_true(one.n > 10);
    assert_int_equal(two.n, one.n);
    for (size_t i = 0; i < one.n; i++)
        assert_string_equal(two.v[i].name, one.v[i].name);
    assert_string_equal(two.v[1].name, "SQLite foreign_key_check is clean");
    assert_false(two.v[1].passed);
    assert_string_equal(two.v[1].detail, "customers row 1 refers to a missing currencies");
    assert_true(two.v[0].passed);
    check_report_free(&one);
    check_report_free(&two);
    book_close(b);
    fixture_file_remove(path);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_constraints_refuse),
        cmocka_unit_test(test_journal_guards),
        cmocka_unit_test(test_documents_fixed),
        cmocka_unit_test(test_file_refusals),
        cmocka_unit_test(test_revision_conflict),
        cmocka_unit_test(test_migrate_from_v1),
        cmocka_unit_test(test_migrate_from_v2),
        cmocka_unit_test(test_migrate_from_v3),
        cmocka_unit_test(test_migrate_from_v4),
        cmocka_unit_test(test_migrate_from_v5),
        cmocka_unit_test(test_migrate_from_v6),
        cmocka_unit_test(test_migrate_from_v7),
        cmocka_unit_test(test_migrate_from_v8),
        cmocka_unit_test(test_revision_conflict_two_connections),
        cmocka_unit_test(test_network_filesystems),
        cmocka_unit_test(test_checks_beside_the_book),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
