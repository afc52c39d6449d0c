/*
 * test_generate.c — the synthetic book: what it holds, that it passes every check, that a seed
 * always gives the same book, that it can be cancelled, and that bad sizes are refused.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "model/check.h"
#include "model/close.h"
#include "model/generate.h"
#include "model/schedule.h"
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
    (void)what;
    (void)done;
    (void)total;
    return ++ticks > 3;
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

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_generated_book_holds_the_mix_and_passes_every_check),
        cmocka_unit_test(test_a_seed_gives_the_same_book),
        cmocka_unit_test(test_cancel_stops_it),
        cmocka_unit_test(test_bad_sizes_are_refused),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
