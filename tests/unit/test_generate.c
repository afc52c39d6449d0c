/*
 * test_generate.c — the synthetic book: what it holds, that it passes every check, that a seed
 * always gives the same book, that it can be cancelled, and that bad sizes are refused.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "model/check.h"
#include "model/close.h"
#include "model/contract.h"
#include "model/generate.h"
#include "model/schedule.h"
#include "reports/reports.h"
#include "tests/unit/fixture.h"

static struct book *generated(uint64_t seed, struct generate_result *r)
{
    struct book *b = fixture_book("USD");
    struct generate_input in = {.customers = 20,
                                .contracts = 120,
                                .months = 14,
                                .seed = seed,
                                .today = fixture_date("2026-11-22")};
    struct err e = {0};
    int rc = book_generate(b, &in, r, &e);
    if (rc != ERR_OK)
        fail_msg("generate: %s", e.msg);
    return b;
}

/* The business content of a book as one line of figures (not the change log's timestamps). */
static void digest(struct book *b, char *buf, size_t size)
{
    snprintf(buf, size, "%lld %lld %lld %lld %lld %lld %lld %lld",
             (long long)fixture_int(b, "SELECT count(*) FROM invoices"),
             (long long)fixture_int(b, "SELECT sum(total) FROM invoices"),
             (long long)fixture_int(b, "SELECT sum(amount) FROM payments"),
             (long long)fixture_int(b, "SELECT sum(amount) FROM schedule_lines"),
             (long long)fixture_int(b, "SELECT sum(debit) FROM journal_lines"),
             (long long)fixture_int(b, "SELECT count(*) FROM memos"),
             (long long)fixture_int(b, "SELECT sum(ssp) FROM obligations"),
             (long long)fixture_int(b, "SELECT count(*) FROM usage_records"));
}

static void test_generated_book_holds_the_mix_and_passes_every_check(void **state)
{
    (void)state;
    struct generate_result r;
    struct book *b = generated(7, &r);
    assert_int_equal(r.customers, 20);
    assert_int_equal(r.contracts, 120);
    /* Generating lifts SQLite's memory limit for its large page cache, and puts it back. */
    assert_int_equal(sqlite3_soft_heap_limit64(-1), DB_HEAP_LIMIT);
    assert_int_equal(fixture_int(b, "SELECT count(*) FROM customers"), 20);
    assert_int_equal(fixture_int(b, "SELECT count(*) FROM contracts WHERE parent_id IS NULL"), 120);
    assert_int_equal(fixture_int(b, "SELECT count(*) FROM obligations WHERE contract_id IN"
                                    " (SELECT id FROM contracts WHERE parent_id IS NULL) AND"
                                    " seq <= 5"),
                     r.obligations);
    /* Every customer has a contract; every contract was activated. */
    assert_int_equal(fixture_int(b, "SELECT count(*) FROM customers c WHERE NOT EXISTS (SELECT 1"
                                    " FROM contracts k WHERE k.customer_id = c.id)"),
                     0);
    assert_int_equal(fixture_int(b, "SELECT count(*) FROM contracts WHERE status = 'draft'"), 0);
    /* Each of the five kinds appears, with about three obligations a contract. */
    assert_int_equal(fixture_int(b, "SELECT count(DISTINCT description) FROM contracts"), 5);
    assert_true(r.obligations > 120 * 2 && r.obligations < 120 * 4);
    assert_int_equal(fixture_int(b, "SELECT count(DISTINCT currency) > 1 FROM customers"), 1);
    /* Invoices, payments, deliveries, usage and progress, as counted. */
    assert_int_equal(fixture_int(b, "SELECT count(*) FROM invoices"), r.invoices);
    assert_int_equal(fixture_int(b, "SELECT count(*) FROM payments"), r.payments);
    assert_int_equal(fixture_int(b, "SELECT count(*) FROM usage_records"), r.usage);
    assert_int_equal(fixture_int(b, "SELECT count(*) FROM progress_records"), r.progress);
    assert_int_equal(fixture_int(b, "SELECT count(*) FROM obligations WHERE delivered_on IS NOT"
                                    " NULL"),
                     r.deliveries);
    assert_true(r.invoices > 0 && r.payments > 0 && r.usage > 0 && r.progress > 0);
    /* Memos, where there are any, are posted, approved by someone else than who prepared them. */
    assert_int_equal(fixture_int(b, "SELECT count(*) FROM memos WHERE status = 'posted' AND"
                                    " approved_by <> prepared_by"),
                     r.memos);
    /* Twelve of the fourteen months are closed: 2025-10 to 2026-09; October and November are
     * open, October recognized. */
    assert_int_equal(r.closed, 12);
    int32_t first;
    struct err e = {0};
    assert_int_equal(period_first_open(b, &first, &e), ERR_OK);
    assert_int_equal(first, period_of(fixture_date("2026-10-01")));
    assert_true(period_is_closed(b, period_of(fixture_date("2025-10-01"))));
    assert_int_equal(fixture_int(b, "SELECT min(period) || ' ' || max(period) = '2025-10 2026-09'"
                                    " FROM periods"),
                     1);
    struct recognize_result rr;
    assert_int_equal(recognize_through(b, period_of(fixture_date("2026-10-01")), &rr, &e), ERR_OK);
    assert_int_equal(rr.entries, 0); /* nothing was left to post */
    /* Every check passes. */
    struct check_report cr = {0};
    assert_int_equal(book_check(b, &cr, &e), ERR_OK);
    for (size_t i = 0; i < cr.n; i++)
        if (!cr.v[i].passed)
            fail_msg("%s: %s", cr.v[i].name, cr.v[i].detail);
    check_report_free(&cr);
    book_close(b);
}

static void test_a_seed_gives_the_same_book(void **state)
{
    (void)state;
    struct generate_result r1, r2, r3;
    struct book *a = generated(42, &r1), *b = generated(42, &r2), *c = generated(43, &r3);
    char da[256], db[256], dc[256];
    digest(a, da, sizeof da);
    digest(b, db, sizeof db);
    digest(c, dc, sizeof dc);
    assert_string_equal(da, db);
    assert_string_not_equal(da, dc);
    book_close(a);
    book_close(b);
    book_close(c);
}

static int ticks;
static bool stop_after_three(void *ctx, const char *what, uint64_t done, uint64_t total)
{
    (void)ctx;
    (void)done;
    (void)total;
    return what && ++ticks > 3; /* a month's tick, not SQLite's question from inside a query */
}

static void test_cancel_stops_it(void **state)
{
    (void)state;
    struct book *b = fixture_book("USD");
    struct progress p = {stop_after_three, NULL};
    book_set_progress(b, &p);
    struct generate_input in = {.customers = 5,
                                .contracts = 40,
                                .months = 12,
                                .seed = 1,
                                .today = fixture_date("2026-11-22")};
    struct generate_result r;
    struct err e = {0};
    ticks = 0;
    assert_int_equal(book_generate(b, &in, &r, &e), ERR_CANCELLED);
    assert_string_equal(e.msg, "generate: cancelled");
    /* What was committed is whole months; the month in flight was rolled back. */
    assert_int_equal(fixture_int(b, "SELECT count(*) FROM journal_entries WHERE posted = 0"), 0);
    book_close(b);
}

static void test_bad_sizes_are_refused(void **state)
{
    (void)state;
    struct book *b = fixture_book("USD");
    struct generate_result r;
    struct err e = {0};
    struct generate_input in = {.customers = 5,
                                .contracts = 10,
                                .months = 0,
                                .seed = 1,
                                .today = fixture_date("2026-11-22")};
    assert_int_equal(book_generate(b, &in, &r, &e), ERR_INPUT);
    assert_string_equal(e.msg, "--months: use 1 to 240");
    in.months = 12;
    in.customers = 0;
    assert_int_equal(book_generate(b, &in, &r, &e), ERR_INPUT);
    assert_string_equal(e.msg, "--customers: use 1 to 9,999,999");
    assert_int_equal(fixture_int(b, "SELECT count(*) FROM customers"), 0);
    book_close(b);
}

/* A table's rows as text, read from its start. */
static char *table_text(struct report_table *t)
{
    char *buf = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&buf, &len);
    assert_true(report_table_rewind(t));
    struct report_row row;
    while (report_table_next(t, &row) == 1) {
        fprintf(f, "%d", (int)row.style);
        for (int c = 0; c < t->ncols; c++)
            fprintf(f, " %d:%s:%lld", (int)row.cells[c].type,
                    row.cells[c].text ? row.cells[c].text : "", (long long)row.cells[c].v);
        fputc('\n', f);
    }
    fclose(f);
    return buf;
}

/* The roll-forward's tables read their rows from one cursor the currencies share: read in any
 * order, again, or a tie-out before its table, each table holds the same rows, and each tie-out
 * the closing total of its table. */
static void test_rollforward_tables_read_in_any_order(void **state)
{
    (void)state;
    struct generate_result g;
    struct book *b = generated(11, &g);
    struct err e = {0};
    int32_t to = period_of(fixture_date("2026-10-01"));
    struct report *a = report_rollforward(b, to - 11, to, &e);
    struct report *z = report_rollforward(b, to - 11, to, &e);
    assert_non_null(a);
    assert_non_null(z);
    int n = a->ntables;
    assert_true(n >= 4); /* a roll-forward and a tie-out for each of two currencies or more */
    assert_int_equal(z->ntables, n);
    char **in_order = calloc((size_t)n, sizeof *in_order);
    for (int i = 0; i < n; i++)
        in_order[i] = table_text(a->tables[i]);
    /* Backwards, each tie-out before its table; then the first table twice. */
    for (int i = n - 1; i >= 0; i--) {
        char *text = table_text(z->tables[i]);
        assert_string_equal(text, in_order[i]);
        free(text);
    }
    char *again = table_text(z->tables[0]);
    assert_string_equal(again, in_order[0]);
    free(again);
    again = table_text(z->tables[2]);
    assert_string_equal(again, in_order[2]);
    free(again);
    /* Each tie-out: the contracts' closing is the table's closing total, and it ties. */
    for (int i = 0; i + 1 < n; i += 2) {
        struct report_table *rf = a->tables[i], *tie = a->tables[i + 1];
        assert_true(strncmp(rf->name, "rollforward_", 12) == 0);
        assert_true(strncmp(tie->name, "tieout_", 7) == 0);
        struct report_row row;
        int64_t closing = 0, tied = -1, first = 0;
        int k = report_col_index(rf, "closing");
        report_table_rewind(rf);
        while (report_table_next(rf, &row) == 1)
            if (row.style == ROW_TOTAL)
                closing = row.cells[k].v;
        report_table_rewind(tie);
        for (int r = 0; report_table_next(tie, &row) == 1; r++) {
            if (r == 0)
                first = row.cells[1].v;
            if (row.style == ROW_TOTAL)
                tied = row.cells[2].v;
        }
        assert_int_equal(first, closing);
        assert_int_equal(tied, 1);
    }
    for (int i = 0; i < n; i++)
        free(in_order[i]);
    free(in_order);
    report_free(a);
    report_free(z);
    book_close(b);
}

/* Each table of the remaining performance obligations reads its currency's contracts as its
 * rows are asked for: read part-way and then after another table, or again, it holds the same
 * rows, and its totals are each contract's position added up. */
static void test_rpo_tables_read_as_they_are_written(void **state)
{
    (void)state;
    struct generate_result g;
    struct book *b = generated(11, &g);
    struct err e = {0};
    int32_t as_of = fixture_date("2026-10-31");
    struct report *a = report_rpo(b, as_of, &e);
    struct report *z = report_rpo(b, as_of, &e);
    assert_non_null(a);
    assert_non_null(z);
    int n = a->ntables;
    assert_true(n >= 2);
    assert_int_equal(z->ntables, n);
    /* Three rows of the first table, then the second whole, then the first from the start. */
    struct report_row row;
    for (int i = 0; i < 3; i++)
        assert_int_equal(report_table_next(z->tables[0], &row), 1);
    char *second = table_text(z->tables[1]), *first = table_text(z->tables[0]);
    char *want = table_text(a->tables[1]);
    assert_string_equal(second, want);
    free(want);
    want = table_text(a->tables[0]);
    assert_string_equal(first, want);
    free(want);
    free(first);
    free(second);
    /* Every contract past draft, its position worked out on its own, by currency. */
    struct contract_query q = {.status = -1};
    struct contract_rows all = {0};
    assert_int_equal(contract_list(b, &q, &all, &e), ERR_OK);
    for (int t = 0; t < n; t++) {
        struct report_table *tab = a->tables[t];
        const char *cur = tab->name + strlen("rpo_");
        int64_t rpo = 0, within = 0;
        size_t rows = 0;
        for (size_t i = 0; i < all.n; i++) {
            struct contract_balance bal;
            if (all.v[i].c.status == CONTRACT_DRAFT || strcmp(all.v[i].c.currency, cur) != 0)
                continue;
            assert_int_equal(contract_balance(b, &all.v[i].c, as_of, &bal, &e), ERR_OK);
            rpo += bal.unrecognized.minor;
            within += bal.rpo_12.minor;
            rows += bal.unrecognized.minor != 0;
        }
        int kr = report_col_index(tab, "rpo"), kw = report_col_index(tab, "within");
        int64_t sum = 0, total = -1, total_within = -1;
        size_t data = 0;
        report_table_rewind(tab);
        while (report_table_next(tab, &row) == 1) {
            if (row.style == ROW_DATA) {
                sum += row.cells[kr].v;
                data++;
            } else if (row.style == ROW_TOTAL) {
                total = row.cells[kr].v;
                total_within = row.cells[kw].v;
            }
        }
        assert_true(rows > 0);
        assert_int_equal(data, rows);
        assert_int_equal(sum, rpo);
        assert_int_equal(total, rpo);
        assert_int_equal(total_within, within);
    }
    contract_rows_free(&all);
    assert_true(
        fixture_int(b, "SELECT count(*) FROM temp.sqlite_master WHERE name LIKE 'positions%'") >=
        2);
    report_free(a);
    report_free(z);
    /* Freed, the reports leave nothing in the temporary storage. */
    assert_int_equal(
        fixture_int(b, "SELECT count(*) FROM temp.sqlite_master WHERE name LIKE 'positions%'"), 0);
    book_close(b);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_generated_book_holds_the_mix_and_passes_every_check),
        cmocka_unit_test(test_a_seed_gives_the_same_book),
        cmocka_unit_test(test_cancel_stops_it),
        cmocka_unit_test(test_bad_sizes_are_refused),
        cmocka_unit_test(test_rollforward_tables_read_in_any_order),
        cmocka_unit_test(test_rpo_tables_read_as_they_are_written),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
