/*
 * test_statement.c — customer statements (ACCOUNTING.md §5) on a book in memory, every figure
 * worked out by hand:
 *
 *   01-10 grant G1 prepaid 600.00, expires 03-31
 *   01-15 INV-000001 200.00          credit 200.00 from G1 (G1 400 left)
 *   02-01 grant G2 prepaid 500.00, no expiry
 *   02-10 INV-000002 1,000.00        credit 400.00 (G1) + 500.00 (G2); 100.00 due 03-12
 *   03-05 PMT-000001 50.00 for INV-000002                 (50.00 open)
 *   03-20 INV-000003 300.00          no credit left; due 04-19
 *   03-25 CN-000001 20.00 on INV-000003                   (280.00 open)
 *   03-28 grant G3 promotional 75.00, expires 06-30
 *   04-10 PMT-000002 400.00 tied to no invoice            (G4 prepaid 400.00)
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <cmocka.h>

#include "model/credit.h"
#include "model/customer.h"
#include "model/invoice.h"
#include "model/payment.h"
#include "model/statement.h"
#include "tests/unit/fixture.h"

#define D fixture_date

static void ok(int rc, const struct err *e)
{
    if (rc != ERR_OK)
        fail_msg("%s", e->msg);
}

static struct book *scenario(void)
{
    struct book *b = fixture_book("USD");
    struct err e = {0};
    int64_t id;
    struct customer_input cu = {.code = "ACME", .name = "Acme Corporation", .terms_days = 30};
    ok(customer_add(b, &cu, &id, &e), &e);
    struct grant_input g1 = {"ACME",          CREDIT_PREPAID,  {60000},
                             D("2026-01-10"), D("2026-03-31"), "prepaid pack"};
    ok(credit_grant(b, &g1, &id, &e), &e);
    struct invoice_line_input l1 = {"Setup", {20000}};
    struct invoice_input i1 = {"ACME", NULL, D("2026-01-15"), DATE_NONE, NULL, &l1, 1, false};
    struct invoice_result r;
    ok(invoice_create(b, &i1, &r, &e), &e);
    struct grant_input g2 = {"ACME", CREDIT_PREPAID, {50000}, D("2026-02-01"), DATE_NONE, "top-up"};
    ok(credit_grant(b, &g2, &id, &e), &e);
    struct invoice_line_input l2[2] = {{"Annual plan", {90000}}, {"Support", {10000}}};
    struct invoice_input i2 = {"ACME", NULL, D("2026-02-10"), DATE_NONE, NULL, l2, 2, false};
    ok(invoice_create(b, &i2, &r, &e), &e);
    assert_true(r.credit_paid.minor == 90000 && r.due.minor == 10000);
    struct payment_input p1 = {"ACME", {5000}, D("2026-03-05"), "INV-000002", NULL, NULL};
    struct payment_result pr;
    ok(payment_record(b, &p1, &pr, &e), &e);
    struct invoice_line_input l3 = {"Consulting", {30000}};
    struct invoice_input i3 = {"ACME", NULL, D("2026-03-20"), DATE_NONE, NULL, &l3, 1, false};
    ok(invoice_create(b, &i3, &r, &e), &e);
    assert_true(r.due.minor == 30000);
    struct credit_note_result cn;
    ok(invoice_credit_note(b, "INV-000003", money_of(2000), D("2026-03-25"), "late start", &cn, &e),
       &e);
    struct grant_input g3 = {"ACME",          CREDIT_PROMOTIONAL, {7500},
                             D("2026-03-28"), D("2026-06-30"),    "spring promotion"};
    ok(credit_grant(b, &g3, &id, &e), &e);
    struct payment_input p2 = {"ACME", {40000}, D("2026-04-10"), NULL, "wire 8812", NULL};
    ok(payment_record(b, &p2, &pr, &e), &e);
    return b;
}

static void test_february_to_march(void **state)
{
    (void)state;
    struct book *b = scenario();
    struct statement s;
    struct err e = {0};
    ok(statement_load(b, "ACME", D("2026-02-01"), D("2026-03-31"), &s, &e), &e);
    assert_true(s.opening.minor == 0);
    assert_int_equal(s.nlines, 5);
    static const struct {
        const char *date, *ref, *description;
        int64_t charge, credit, balance;
    } want[5] = {
        {"2026-02-10", "INV-000002", "Annual plan and 1 more", 100000, 0, 100000},
        {"2026-02-10", "CR-INV-000002", "Credit applied to INV-000002", 0, 90000, 10000},
        {"2026-03-05", "PMT-000001", "Payment 50.00 received for INV-000002", 0, 5000, 5000},
        {"2026-03-20", "INV-000003", "Consulting", 30000, 0, 35000},
        {"2026-03-25", "CN-000001", "Credit note on INV-000003", 0, 2000, 33000},
    };
    for (int i = 0; i < 5; i++) {
        assert_int_equal(s.lines[i].date, D(want[i].date));
        assert_string_equal(s.lines[i].ref, want[i].ref);
        assert_string_equal(s.lines[i].description, want[i].description);
        assert_true(s.lines[i].charge.minor == want[i].charge);
        assert_true(s.lines[i].credit.minor == want[i].credit);
        assert_true(s.lines[i].balance.minor == want[i].balance);
    }
    assert_true(s.closing.minor == 33000);
    assert_true(s.charges.minor == 130000 && s.credits.minor == 97000);
    /* Aging at 03-31: INV-000002 due 03-12 is 19 days late; INV-000003 due 04-19 is current. */
    assert_int_equal(s.nopen, 2);
    assert_string_equal(s.open[0].number, "INV-000002");
    assert_int_equal(s.open[0].days_past_due, 19);
    assert_true(s.aging[AGING_CURRENT].minor == 28000);
    assert_true(s.aging[AGING_1_30].minor == 5000);
    assert_true(s.aging[AGING_31_60].minor == 0);
    assert_true(s.aging_total.minor == 33000);
    /* Credit: 400 left of G1 at the start; G2 500 + G3 75 granted; 900 applied; 75 left. */
    assert_true(s.credit.opening.minor == 40000);
    assert_true(s.credit.granted.minor == 57500);
    assert_true(s.credit.applied.minor == -90000);
    assert_true(s.credit.expired.minor == 0);
    assert_true(s.credit.closing.minor == 7500);
    assert_int_equal(s.nexpiring, 1);
    assert_int_equal(s.expiring[0].expires_on, D("2026-06-30"));
    assert_true(s.expiring[0].remaining.minor == 7500);
    statement_free(&s);
    book_close(b);
}

static void test_april(void **state)
{
    (void)state;
    struct book *b = scenario();
    struct statement s;
    struct err e = {0};
    ok(statement_load(b, "ACME", D("2026-04-01"), D("2026-04-30"), &s, &e), &e);
    assert_true(s.opening.minor == 33000);
    assert_int_equal(s.nlines, 1);
    assert_string_equal(s.lines[0].description,
                        "Payment 400.00 received; 400.00 to credit balance");
    assert_true(s.lines[0].credit.minor == 0 && s.lines[0].balance.minor == 33000);
    assert_true(s.closing.minor == 33000);
    /* At 04-30: INV-000002 is 49 days late, INV-000003 11 days. */
    assert_true(s.aging[AGING_31_60].minor == 5000);
    assert_true(s.aging[AGING_1_30].minor == 28000);
    assert_true(s.credit.opening.minor == 7500 && s.credit.granted.minor == 40000);
    assert_true(s.credit.closing.minor == 47500);
    statement_free(&s);

    /* The aging report of every customer agrees with the statement. */
    struct aging_rows rows = {0};
    ok(aging_load(b, D("2026-04-30"), &rows, &e), &e);
    assert_int_equal(rows.n, 1);
    assert_true(rows.v[0].bucket[AGING_31_60].minor == 5000);
    assert_true(rows.v[0].bucket[AGING_1_30].minor == 28000);
    assert_true(rows.v[0].total.minor == 33000);
    assert_int_equal(rows.v[0].open_invoices, 2);
    aging_rows_free(&rows);
    book_close(b);
}

static void test_buckets(void **state)
{
    (void)state;
    int32_t due = D("2026-03-31");
    assert_int_equal(aging_bucket_of(due, due), AGING_CURRENT);
    assert_int_equal(aging_bucket_of(due, due + 1), AGING_1_30);
    assert_int_equal(aging_bucket_of(due, due + 30), AGING_1_30);
    assert_int_equal(aging_bucket_of(due, due + 31), AGING_31_60);
    assert_int_equal(aging_bucket_of(due, due + 60), AGING_31_60);
    assert_int_equal(aging_bucket_of(due, due + 61), AGING_61_90);
    assert_int_equal(aging_bucket_of(due, due + 90), AGING_61_90);
    assert_int_equal(aging_bucket_of(due, due + 91), AGING_OVER_90);
    assert_int_equal(aging_bucket_of(due, due - 10), AGING_CURRENT);
}

static void test_range_refused(void **state)
{
    (void)state;
    struct book *b = scenario();
    struct statement s;
    struct err e = {0};
    assert_int_equal(statement_load(b, "ACME", D("2026-04-01"), D("2026-03-01"), &s, &e),
                     ERR_INPUT);
    assert_int_equal(statement_load(b, "NOPE", D("2026-03-01"), D("2026-04-01"), &s, &e),
                     ERR_NOTFOUND);
    assert_string_equal(e.msg, "no customer 'NOPE'");
    book_close(b);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_february_to_march),
        cmocka_unit_test(test_april),
        cmocka_unit_test(test_buckets),
        cmocka_unit_test(test_range_refused),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
