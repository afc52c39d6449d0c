/*
 * test_contract.c — contracts through the book: step 1's refusals, activation, schedules,
 * billing plans, posting recognition (twice changes nothing), deposits, trials, usage and
 * progress, combining promises, and the ledger ties. Figures worked out by hand.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "model/billing.h"
#include "model/check.h"
#include "model/contract.h"
#include "model/customer.h"
#include "model/payment.h"
#include "model/schedule.h"
#include "tests/unit/fixture.h"

#define D fixture_date

static void ok(int rc, const struct err *e)
{
    if (rc != ERR_OK)
        fail_msg("%s", e->msg);
}

static int64_t role_balance(struct book *b, const char *role)
{
    sqlite3_stmt *st = db_prepare(b, "SELECT coalesce(sum(l.debit) - sum(l.credit), 0) FROM"
                                     " journal_lines l JOIN accounts a ON a.code = l.account"
                                     " WHERE a.role = :role");
    db_bind_text(st, ":role", role);
    struct err e = {0};
    int64_t v = db_step(b, st, &e) == SQLITE_ROW ? db_col_int(st, 0) : -1;
    sqlite3_reset(st);
    return v;
}

static void all_checks_pass(struct book *b)
{
    struct check_report r = {0};
    struct err e = {0};
    ok(book_check(b, &r, &e), &e);
    for (size_t i = 0; i < r.n; i++)
        if (!r.v[i].passed)
            fail_msg("check failed: %s: %s", r.v[i].name, r.v[i].detail);
    check_report_free(&r);
}

static struct book *with_acme(void)
{
    struct book *b = fixture_book("USD");
    struct customer_input in = {.code = "ACME", .name = "Acme", .terms_days = 30};
    int64_t id;
    struct err e = {0};
    ok(customer_add(b, &in, &id, &e), &e);
    return b;
}

static void add_contract(struct book *b, const char *code, const char *signed_on, const char *start,
                         const char *end, int64_t price, enum billing_plan billing)
{
    struct contract_input in = {.code = code,
                                .customer = "ACME",
                                .signed_on = signed_on ? D(signed_on) : DATE_NONE,
                                .start_on = D(start),
                                .end_on = D(end),
                                .trial_end = DATE_NONE,
                                .payment_terms_days = -1,
                                .price = {.fixed = {price}},
                                .billing = billing};
    int64_t id;
    struct err e = {0};
    ok(contract_add(b, &in, &id, &e), &e);
}

static void add_obligation(struct book *b, const char *contract, const char *name,
                           enum pattern pattern, int64_t ssp, const char *due)
{
    struct obligation_input in = {.contract = contract,
                                  .name = name,
                                  .pattern = pattern,
                                  .ssp = {ssp},
                                  .start_on = DATE_NONE,
                                  .end_on = DATE_NONE,
                                  .due_on = due ? D(due) : DATE_NONE};
    char ref[80];
    struct err e = {0};
    ok(obligation_add(b, &in, ref, sizeof ref, &e), &e);
}

/* Step 1: a draft is not a contract until approved, with terms, substance and collectibility. */
static void test_step_one(void **state)
{
    (void)state;
    struct book *b = with_acme();
    struct err e = {0};
    add_contract(b, "K1", NULL, "2026-01-01", "2026-12-31", 1200000, BILL_UPFRONT);
    assert_int_equal(contract_activate(b, "K1", D("2026-01-01"), &e), ERR_RULE);
    assert_string_equal(e.msg, "contract K1 is not approved: record its signed date");
    struct contract_edit ed = {
        .signed_on = D("2025-12-20"), .collectible = 0, .payment_terms_days = -1};
    ok(contract_edit(b, "K1", &ed, &e), &e);
    assert_int_equal(contract_activate(b, "K1", D("2026-01-01"), &e), ERR_RULE);
    assert_string_equal(e.msg, "contract K1 has no performance obligation");
    add_obligation(b, "K1", "SaaS", PATTERN_RATABLE, 1200000, NULL);
    assert_int_equal(contract_activate(b, "K1", D("2026-01-01"), &e), ERR_RULE);
    assert_string_equal(e.msg, "contract K1: collection is not probable, so it is not yet a"
                               " contract; cash received for it is a deposit");
    /* Not distinct without saying why is refused when entered. */
    struct obligation_input bad = {.contract = "K1",
                                   .name = "Setup",
                                   .pattern = PATTERN_POINT,
                                   .ssp = {100},
                                   .start_on = DATE_NONE,
                                   .end_on = DATE_NONE,
                                   .due_on = DATE_NONE,
                                   .not_distinct_in_context = true};
    char ref[80];
    assert_int_equal(obligation_add(b, &bad, ref, sizeof ref, &e), ERR_INPUT);
    /* Inactive: nothing is recognized and nothing billed; cash is a deposit. */
    struct contract k;
    struct contract_balance bal;
    ok(contract_find(b, "K1", &k, &e), &e);
    ok(contract_balance(b, &k, D("2026-06-30"), &bal, &e), &e);
    assert_true(bal.recognized.minor == 0);
    struct bill_result br;
    assert_int_equal(contract_bill(b, "K1", D("2026-12-31"), &br, &e), ERR_RULE);
    struct payment_input p = {
        .customer = "ACME", .amount = {500000}, .received_on = D("2026-01-05"), .contract = "K1"};
    struct payment_result pr;
    ok(payment_record(b, &p, &pr, &e), &e);
    assert_true(pr.deposit.minor == 500000 && pr.to_credit.minor == 0);
    assert_int_equal(role_balance(b, "customer_deposits"), -500000);
    /* Collection becomes probable: activate, bill up front; the deposit pays part of it. */
    ed = (struct contract_edit){.signed_on = DATE_NONE, .collectible = 1, .payment_terms_days = -1};
    ok(contract_edit(b, "K1", &ed, &e), &e);
    ok(contract_activate(b, "K1", D("2026-01-10"), &e), &e);
    ok(contract_bill(b, "K1", D("2026-01-31"), &br, &e), &e);
    assert_int_equal(br.invoices, 1);
    assert_int_equal(role_balance(b, "customer_deposits"), 0);
    assert_int_equal(role_balance(b, "receivable"), 700000); /* 12,000 billed - 5,000 deposit */
    all_checks_pass(b);
    book_close(b);
}

/* The $25,000 bundle: allocation, schedules, quarterly billing, and posting through June. */
static void test_bundle_through_june(void **state)
{
    (void)state;
    struct book *b = with_acme();
    struct err e = {0};
    add_contract(b, "B1", "2025-12-20", "2026-01-01", "2026-12-31", 2500000, BILL_QUARTERLY);
    add_obligation(b, "B1", "SaaS, 1 year", PATTERN_RATABLE, 2400000, NULL);
    add_obligation(b, "B1", "Implementation", PATTERN_POINT, 600000, "2026-03-31");
    ok(contract_activate(b, "B1", D("2026-01-01"), &e), &e);
    struct contract k;
    struct obligations obs = {0};
    ok(contract_find(b, "B1", &k, &e), &e);
    ok(obligations_load(b, k.id, &obs, &e), &e);
    assert_true(obs.v[0].allocated.minor == 2000000 && obs.v[1].allocated.minor == 500000);
    struct schedule s;
    ok(schedule_load(b, obs.v[0].id, 0, &s, &e), &e);
    assert_int_equal(s.n, 12);
    assert_true(s.v[0].amount.minor == 166667 && s.v[1].amount.minor == 166666);
    schedule_free(&s);
    /* Undelivered implementation: no schedule yet; delivered on 20 March: all of it then. */
    ok(schedule_load(b, obs.v[1].id, 0, &s, &e), &e);
    assert_int_equal(s.n, 0);
    schedule_free(&s);
    char ref[80];
    snprintf(ref, sizeof ref, "%s", obs.v[1].ref);
    ok(obligation_deliver(b, ref, D("2026-03-20"), &e), &e);
    assert_int_equal(obligation_deliver(b, ref, D("2026-03-21"), &e), ERR_RULE);
    obligations_free(&obs);

    struct bill_result br;
    ok(contract_bill(b, "B1", D("2026-06-30"), &br, &e), &e);
    assert_int_equal(br.invoices, 2); /* 1 January and 1 April, 6,250.00 each */
    assert_true(br.total.minor == 1250000);
    ok(contract_bill(b, "B1", D("2026-06-30"), &br, &e), &e);
    assert_int_equal(br.invoices, 0); /* billing twice changes nothing */

    struct recognize_result rr;
    ok(recognize_through(b, period_of(D("2026-06-01")), &rr, &e), &e);
    assert_int_equal(rr.entries, 6);
    assert_int_equal(role_balance(b, "revenue"), -1500000); /* 10,000 + 5,000 */
    ok(recognize_through(b, period_of(D("2026-06-01")), &rr, &e), &e);
    assert_int_equal(rr.entries, 0); /* posting twice changes nothing */
    assert_int_equal(role_balance(b, "revenue"), -1500000);
    /* Billed 12,500, recognized 15,000: a contract asset of 2,500 at the end of June. */
    struct contract_balance bal;
    ok(contract_balance(b, &k, D("2026-06-30"), &bal, &e), &e);
    assert_true(bal.billed.minor == 1250000 && bal.recognized.minor == 1500000);
    assert_true(bal.contract_asset.minor == 250000 && bal.deferred.minor == 0);
    /* At the end of July: billed 18,750 (third quarter), recognized 16,666.67. */
    ok(contract_bill(b, "B1", D("2026-07-31"), &br, &e), &e);
    ok(contract_balance(b, &k, D("2026-07-31"), &bal, &e), &e);
    assert_true(bal.deferred.minor == 1875000 - 1666667);
    assert_true(bal.deferred_current.minor == bal.deferred.minor);
    all_checks_pass(b);
    book_close(b);
}

/* A two-year prepaid deal: deferred revenue beyond twelve months is non-current. */
static void test_current_split(void **state)
{
    (void)state;
    struct book *b = with_acme();
    struct err e = {0};
    add_contract(b, "T2", "2025-12-20", "2026-01-01", "2027-12-31", 2400000, BILL_UPFRONT);
    add_obligation(b, "T2", "Two years", PATTERN_RATABLE, 2400000, NULL);
    ok(contract_activate(b, "T2", D("2026-01-01"), &e), &e);
    struct bill_result br;
    ok(contract_bill(b, "T2", D("2026-01-01"), &br, &e), &e);
    struct contract k;
    struct contract_balance bal;
    ok(contract_find(b, "T2", &k, &e), &e);
    /* At 31 March: 3,000 recognized of 24,000; 21,000 deferred, 12,000 of it within a year. */
    ok(contract_balance(b, &k, D("2026-03-31"), &bal, &e), &e);
    assert_true(bal.recognized.minor == 300000 && bal.deferred.minor == 2100000);
    assert_true(bal.deferred_current.minor == 1200000);
    assert_true(bal.deferred_noncurrent.minor == 900000);
    assert_true(bal.unrecognized.minor == 2100000 && bal.rpo_12.minor == 1200000);
    book_close(b);
}

/* A free trial moves the start of recognition to conversion. */
static void test_trial(void **state)
{
    (void)state;
    struct book *b = with_acme();
    struct err e = {0};
    struct contract_input in = {.code = "TR",
                                .customer = "ACME",
                                .signed_on = D("2026-01-14"),
                                .start_on = D("2026-01-01"),
                                .end_on = D("2026-12-31"),
                                .trial_end = D("2026-01-14"),
                                .payment_terms_days = -1,
                                .price = {.fixed = {1188000}}};
    int64_t id;
    ok(contract_add(b, &in, &id, &e), &e);
    add_obligation(b, "TR", "Plan", PATTERN_RATABLE, 1188000, NULL);
    ok(contract_activate(b, "TR", D("2026-01-15"), &e), &e);
    struct contract k;
    struct obligations obs = {0};
    ok(contract_find(b, "TR", &k, &e), &e);
    ok(obligations_load(b, k.id, &obs, &e), &e);
    struct schedule s;
    ok(schedule_load(b, obs.v[0].id, 0, &s, &e), &e);
    /* Served 15..31 January: 17/31 of a month; then 11 whole months: 11 + 17/31 months.
     * January = 11,880 x (17/31) / (11 + 17/31) = 11,880 x 17 / 358 = 564.13. */
    assert_true(s.v[0].amount.minor == 56413);
    int64_t sum = 0;
    for (size_t i = 0; i < s.n; i++)
        sum += s.v[i].amount.minor;
    assert_true(sum == 1188000);
    schedule_free(&s);
    obligations_free(&obs);
    book_close(b);
}

/* Usage is recognized as recorded and billed in arrears; progress by percent complete. */
static void test_usage_and_progress(void **state)
{
    (void)state;
    struct book *b = with_acme();
    struct err e = {0};
    add_contract(b, "U1", "2025-12-20", "2026-01-01", "2026-12-31", 600000, BILL_MILESTONE);
    add_obligation(b, "U1", "API calls", PATTERN_USAGE, 0, NULL);
    add_obligation(b, "U1", "Project", PATTERN_PROGRESS, 600000, NULL);
    assert_int_equal(usage_record(b, "U1/1", D("2026-01-31"), "1000", money_of(100), &e),
                     ERR_RULE); /* not active yet */
    ok(contract_activate(b, "U1", D("2026-01-01"), &e), &e);
    ok(usage_record(b, "U1/1", D("2026-01-31"), "1500000", money_of(150000), &e), &e);
    ok(usage_record(b, "U1/1", D("2026-02-10"), "200000", money_of(20000), &e), &e);
    assert_int_equal(usage_record(b, "U1/1", D("2026-02-11"), "1,5", money_of(1), &e), ERR_INPUT);
    assert_int_equal(usage_record(b, "U1/2", D("2026-02-11"), "1", money_of(1), &e), ERR_RULE);
    ok(progress_record(b, "U1/2", D("2026-01-31"), 2500, &e), &e);
    ok(progress_record(b, "U1/2", D("2026-03-31"), 6000, &e), &e);
    ok(contract_milestone(b, "U1", D("2026-03-15"), money_of(300000), "Half way", "U1/2", &e), &e);
    struct bill_result br;
    /* Through 20 February: January's usage is billed; February's month is not over. */
    ok(contract_bill(b, "U1", D("2026-02-20"), &br, &e), &e);
    assert_int_equal(br.invoices, 1);
    assert_true(br.total.minor == 150000);
    ok(contract_bill(b, "U1", D("2026-03-31"), &br, &e), &e);
    assert_int_equal(br.invoices, 2); /* the milestone, and February's usage */
    struct recognize_result rr;
    ok(recognize_through(b, period_of(D("2026-03-01")), &rr, &e), &e);
    /* Revenue: usage 1,500 + 200; progress 25% then 60% of 6,000 = 3,600. */
    assert_int_equal(role_balance(b, "revenue"), -(150000 + 20000 + 360000));
    all_checks_pass(b);
    book_close(b);
}

/* Promises that are not distinct become one obligation over the combined period. */
static void test_combine(void **state)
{
    (void)state;
    struct book *b = with_acme();
    struct err e = {0};
    add_contract(b, "C1", "2025-12-20", "2026-01-01", "2026-12-31", 1000000, BILL_UPFRONT);
    add_obligation(b, "C1", "Licence", PATTERN_POINT, 800000, "2026-01-01");
    add_obligation(b, "C1", "Customization", PATTERN_RATABLE, 400000, NULL);
    ok(obligation_combine(b, "C1/1", "C1/2",
                          "the customization significantly modifies the"
                          " licence",
                          &e),
       &e);
    struct contract k;
    struct obligations obs = {0};
    ok(contract_find(b, "C1", &k, &e), &e);
    ok(obligations_load(b, k.id, &obs, &e), &e);
    assert_int_equal(obs.n, 1);
    assert_string_equal(obs.v[0].name, "Licence + Customization");
    assert_int_equal(obs.v[0].pattern, PATTERN_RATABLE);
    assert_true(obs.v[0].ssp.minor == 1200000);
    assert_int_equal(obs.v[0].start_on, D("2026-01-01"));
    obligations_free(&obs);
    ok(contract_activate(b, "C1", D("2026-01-01"), &e), &e);
    assert_int_equal(obligation_combine(b, "C1/1", "C1/2", "late", &e), ERR_NOTFOUND);
    book_close(b);
}

static void test_instalments(void **state)
{
    (void)state;
    struct bill_instalment in[16];
    size_t n = billing_plan_instalments(BILL_QUARTERLY, D("2026-01-31"), D("2026-12-31"),
                                        money_of(100000), in);
    assert_int_equal(n, 4);
    assert_int_equal(in[1].on, D("2026-04-30")); /* the 31st clamps to the month's end */
    assert_true(in[0].amount.minor == 25000 && in[3].amount.minor == 25000);
    n = billing_plan_instalments(BILL_MONTHLY, D("2026-01-01"), D("2026-03-31"), money_of(10000),
                                 in);
    assert_int_equal(n, 3);
    assert_true(in[0].amount.minor == 3334 && in[1].amount.minor == 3333 &&
                in[2].amount.minor == 3333);
    n = billing_plan_instalments(BILL_ANNUAL, D("2026-01-01"), D("2027-12-31"), money_of(2), in);
    assert_int_equal(n, 2);
    assert_int_equal(billing_count(BILL_UPFRONT, D("2026-01-01"), D("2027-12-31")), 1);
}

/* The daily convention is a book setting: switching re-plans and the next run corrects. */
static void test_daily_setting(void **state)
{
    (void)state;
    struct book *b = with_acme();
    struct err e = {0};
    add_contract(b, "Y", "2025-12-20", "2024-01-01", "2024-12-31", 3660000, BILL_UPFRONT);
    add_obligation(b, "Y", "Leap year", PATTERN_RATABLE, 3660000, NULL);
    ok(contract_activate(b, "Y", D("2024-01-01"), &e), &e);
    struct recognize_result rr;
    ok(recognize_through(b, period_of(D("2024-02-01")), &rr, &e), &e);
    assert_int_equal(role_balance(b, "revenue"), -610000); /* 3,050 x 2 */
    ok(book_settings_set(b, NULL, NULL, "daily", &e), &e);
    assert_int_equal(book_convention(b), CONVENTION_DAILY);
    ok(recognize_through(b, period_of(D("2024-02-01")), &rr, &e), &e);
    assert_int_equal(role_balance(b, "revenue"), -600000); /* 100 a day, 60 days */
    all_checks_pass(b);
    book_close(b);
}

/* Recognition compares only the months after the last run for an obligation whose schedule has
 * not changed, and the whole schedule of one that was re-planned: posting an earlier month again,
 * then a later one, then re-planning, always leaves postings equal to the schedule. */
static void test_recognition_is_incremental(void **state)
{
    (void)state;
    struct book *b = with_acme();
    struct err e = {0};
    add_contract(b, "Y", "2025-12-20", "2024-01-01", "2024-12-31", 3660000, BILL_UPFRONT);
    add_obligation(b, "Y", "Leap year", PATTERN_RATABLE, 3660000, NULL);
    ok(contract_activate(b, "Y", D("2024-01-01"), &e), &e);
    struct recognize_result rr;
    ok(recognize_through(b, period_of(D("2024-03-01")), &rr, &e), &e);
    assert_int_equal(rr.entries, 3);
    assert_int_equal(role_balance(b, "revenue"), -915000); /* 3,050 x 3 */
    assert_int_equal(fixture_int(b, "SELECT recon_through = '2024-03' FROM book"), 1);
    assert_int_equal(fixture_int(b, "SELECT count(*) FROM obligations WHERE recon_version IS NOT"
                                    " schedule_version"),
                     0);
    /* An earlier month again: nothing to post, and the marker stays. */
    ok(recognize_through(b, period_of(D("2024-02-01")), &rr, &e), &e);
    assert_int_equal(rr.entries, 0);
    assert_int_equal(fixture_int(b, "SELECT recon_through = '2024-03' FROM book"), 1);
    /* Two more months: only April and May are compared and posted. */
    ok(recognize_through(b, period_of(D("2024-05-01")), &rr, &e), &e);
    assert_int_equal(rr.entries, 2);
    assert_int_equal(role_balance(b, "revenue"), -1525000); /* 3,050 x 5 */
    /* Re-planned by day: the obligation is compared in full and January to May corrected to
     * 100 a day (152 days), even though they were posted before. */
    ok(book_settings_set(b, NULL, NULL, "daily", &e), &e);
    assert_int_equal(fixture_int(b, "SELECT count(*) FROM obligations WHERE recon_version IS NOT"
                                    " schedule_version"),
                     1);
    /* First through February only: January and February are corrected (3,100 and 2,900 a day
     * basis: 31 + 29 days), and the obligation stays to be compared in full... */
    ok(recognize_through(b, period_of(D("2024-02-01")), &rr, &e), &e);
    assert_int_equal(rr.entries, 2);
    assert_int_equal(role_balance(b, "revenue"), -1525000 + 610000 - 600000);
    assert_int_equal(fixture_int(b, "SELECT count(*) FROM obligations WHERE recon_version IS NOT"
                                    " schedule_version"),
                     1);
    /* ...so that March to May are corrected too when May is posted again. */
    ok(recognize_through(b, period_of(D("2024-05-01")), &rr, &e), &e);
    assert_int_equal(rr.entries, 3);
    assert_int_equal(role_balance(b, "revenue"), -1520000);
    ok(recognize_through(b, period_of(D("2024-05-01")), &rr, &e), &e);
    assert_int_equal(rr.entries, 0);
    all_checks_pass(b);
    book_close(b);
}

/* An obligation re-planned after recognition posted it is compared from the first month its
 * schedule changed (from the months after the last run, when that is earlier), and what changed
 * in a month already posted is caught up. */
static void test_replan_is_compared_from_the_change(void **state)
{
    (void)state;
    struct book *b = with_acme();
    struct err e = {0};
    add_contract(b, "U2", "2025-12-20", "2026-01-01", "2026-12-31", 600000, BILL_MILESTONE);
    add_obligation(b, "U2", "API calls", PATTERN_USAGE, 0, NULL);
    add_obligation(b, "U2", "Project", PATTERN_PROGRESS, 600000, NULL);
    ok(contract_activate(b, "U2", D("2026-01-01"), &e), &e);
    ok(usage_record(b, "U2/1", D("2026-01-31"), "100", money_of(100000), &e), &e);
    ok(usage_record(b, "U2/1", D("2026-02-10"), "20", money_of(20000), &e), &e);
    struct recognize_result rr;
    ok(recognize_through(b, period_of(D("2026-03-01")), &rr, &e), &e);
    assert_int_equal(rr.entries, 2);
    assert_int_equal(role_balance(b, "revenue"), -120000);
    assert_int_equal(fixture_int(b, "SELECT count(*) FROM obligations WHERE replan_from IS NOT"
                                    " NULL OR recon_version IS NOT schedule_version"),
                     0);
    /* April's usage changes April; February's, recorded late, February: kept is the earlier. */
    ok(usage_record(b, "U2/1", D("2026-04-15"), "30", money_of(30000), &e), &e);
    assert_int_equal(
        fixture_int(b, "SELECT replan_from = '2026-04' FROM obligations WHERE seq = 1"), 1);
    ok(usage_record(b, "U2/1", D("2026-02-20"), "5", money_of(5000), &e), &e);
    assert_int_equal(
        fixture_int(b, "SELECT replan_from = '2026-02' FROM obligations WHERE seq = 1"), 1);
    /* Through April: February's 50.00 in February, April's 300.00 in April. */
    ok(recognize_through(b, period_of(D("2026-04-01")), &rr, &e), &e);
    assert_int_equal(rr.entries, 2);
    assert_int_equal(role_balance(b, "revenue"), -155000);
    assert_int_equal(fixture_int(b, "SELECT sum(amount) FROM recognition_postings WHERE period ="
                                    " '2026-02'"),
                     25000);
    assert_int_equal(fixture_int(b, "SELECT count(*) FROM obligations WHERE replan_from IS NOT"
                                    " NULL OR recon_version IS NOT schedule_version"),
                     0);
    /* May's usage, then a run through an earlier month: nothing to post, and the change is
     * still to be compared when May is posted. */
    ok(usage_record(b, "U2/1", D("2026-05-05"), "1", money_of(1000), &e), &e);
    ok(recognize_through(b, period_of(D("2026-03-01")), &rr, &e), &e);
    assert_int_equal(rr.entries, 0);
    assert_int_equal(
        fixture_int(b, "SELECT replan_from = '2026-05' FROM obligations WHERE seq = 1"), 1);
    ok(recognize_through(b, period_of(D("2026-05-01")), &rr, &e), &e);
    assert_int_equal(rr.entries, 1);
    assert_int_equal(role_balance(b, "revenue"), -156000);
    all_checks_pass(b);
    book_close(b);
}

static bool stop_at_once(void *ctx, const char *what, uint64_t done, uint64_t total)
{
    (void)ctx;
    (void)done;
    (void)total;
    return what != NULL;
}

/* Recognition stopped before it writes leaves the book as it was; when the changes of a
 * contract's obligations for a month cancel out, each is posted on its own entry. */
static void test_recognition_cancels_and_offsets(void **state)
{
    (void)state;
    struct book *b = with_acme();
    struct err e = {0};
    add_contract(b, "T", "2025-12-20", "2026-01-01", "2026-12-31", 2400000, BILL_UPFRONT);
    add_obligation(b, "T", "Licence", PATTERN_RATABLE, 1200000, NULL);
    add_obligation(b, "T", "Support", PATTERN_RATABLE, 1200000, NULL);
    ok(contract_activate(b, "T", D("2026-01-01"), &e), &e);
    struct recognize_result rr;
    struct progress p = {stop_at_once, NULL};
    book_set_progress(b, &p);
    assert_int_equal(recognize_through(b, period_of(D("2026-02-01")), &rr, &e), ERR_CANCELLED);
    book_set_progress(b, NULL);
    assert_int_equal(fixture_int(b, "SELECT count(*) FROM journal_entries WHERE kind ="
                                    " 'recognition'"),
                     0);
    assert_int_equal(fixture_int(b, "SELECT count(*) FROM recognition_postings"), 0);
    assert_int_equal(fixture_int(b, "SELECT recon_through IS NULL FROM book"), 1);
    /* January and February: 1,000 + 1,000 a month. */
    ok(recognize_through(b, period_of(D("2026-02-01")), &rr, &e), &e);
    assert_int_equal(rr.entries, 2);
    assert_int_equal(rr.postings, 4);
    assert_int_equal(role_balance(b, "revenue"), -400000);
    /* A new version of both schedules moving 250.00 of January from the licence to the
     * support (and of December back): the contract's January changes by nothing, so no one
     * entry can carry it. */
    assert_int_equal(fixture_exec(b, "INSERT INTO schedule_lines (obligation_id, version, period,"
                                     " amount) SELECT l.obligation_id, l.version + 1, l.period,"
                                     " l.amount + CASE l.period WHEN '2026-01' THEN 1 WHEN"
                                     " '2026-12' THEN -1 ELSE 0 END * CASE o.seq WHEN 1 THEN"
                                     " -25000 ELSE 25000 END FROM schedule_lines l"
                                     " JOIN obligations o ON o.id = l.obligation_id AND l.version ="
                                     " o.schedule_version;"
                                     " UPDATE obligations SET schedule_version = schedule_version"
                                     " + 1"),
                     ERR_OK);
    ok(recognize_through(b, period_of(D("2026-02-01")), &rr, &e), &e);
    assert_int_equal(rr.entries, 2);
    assert_int_equal(rr.postings, 2);
    assert_int_equal(role_balance(b, "revenue"), -400000);
    assert_int_equal(fixture_int(b, "SELECT count(*) FROM journal_entries e JOIN"
                                    " recognition_postings r ON r.entry_id = e.id WHERE r.period ="
                                    " '2026-01' AND r.amount = 25000 AND e.memo = 'revenue"
                                    " recognized for T in 2026-01' AND (SELECT credit FROM"
                                    " journal_lines WHERE entry_id = e.id AND account = '4000') ="
                                    " 25000"),
                     1);
    assert_int_equal(fixture_int(b, "SELECT count(*) FROM journal_entries e JOIN"
                                    " recognition_postings r ON r.entry_id = e.id WHERE r.period ="
                                    " '2026-01' AND r.amount = -25000 AND (SELECT debit FROM"
                                    " journal_lines WHERE entry_id = e.id AND account = '4000') ="
                                    " 25000"),
                     1);
    all_checks_pass(b);
    book_close(b);
}

/* A contract recognized for the first time years after it began: every month gets its entry,
 * dated on its last day (more months than the run dates at once). */
static void test_recognition_of_many_months(void **state)
{
    (void)state;
    struct book *b = with_acme();
    struct err e = {0};
    add_contract(b, "L", "2019-12-20", "2020-01-01", "2026-12-31", 8400000, BILL_UPFRONT);
    add_obligation(b, "L", "Licence", PATTERN_RATABLE, 8400000, NULL);
    ok(contract_activate(b, "L", D("2020-01-01"), &e), &e);
    struct recognize_result rr;
    ok(recognize_through(b, period_of(D("2026-12-01")), &rr, &e), &e);
    assert_int_equal(rr.entries, 84);
    assert_int_equal(role_balance(b, "revenue"), -8400000); /* 1,000.00 a month */
    assert_int_equal(fixture_int(b, "SELECT count(*) FROM journal_entries WHERE kind ="
                                    " 'recognition' AND entry_date = date(substr(memo, -7) ||"
                                    " '-01', '+1 month', '-1 day')"),
                     84);
    all_checks_pass(b);
    book_close(b);
}

/* A billing run is one action: when one contract cannot be billed, no contract is. */
static void test_bill_all_is_one_transaction(void **state)
{
    (void)state;
    struct book *b = with_acme();
    struct err e = {0};
    static const char *const codes[] = {"A1", "A2", "A3"};
    for (size_t i = 0; i < 3; i++) {
        add_contract(b, codes[i], "2025-12-20", "2026-01-01", "2026-12-31", 1200000, BILL_MONTHLY);
        add_obligation(b, codes[i], "SaaS", PATTERN_RATABLE, 1200000, NULL);
        ok(contract_activate(b, codes[i], D("2026-01-01"), &e), &e);
    }
    /* The second contract's invoices are refused half way through the run. */
    assert_int_equal(fixture_exec(b, "CREATE TEMP TRIGGER refuse_a2 BEFORE INSERT ON"
                                     " invoice_lines WHEN NEW.contract_id = (SELECT id FROM"
                                     " contracts WHERE code = 'A2') BEGIN SELECT RAISE(ABORT,"
                                     " 'refused by the test'); END"),
                     ERR_OK);
    struct bill_run run;
    assert_int_not_equal(contract_bill_all(b, D("2026-03-31"), &run, &e), ERR_OK);
    assert_non_null(strstr(e.msg, "A2: "));
    assert_non_null(strstr(e.msg, "the run billed nothing"));
    assert_int_equal(run.n, 0);
    assert_int_equal(fixture_int(b, "SELECT count(*) FROM invoices"), 0);
    assert_int_equal(fixture_int(b, "SELECT count(*) FROM contracts WHERE billed_through IS NOT"
                                    " NULL"),
                     0);
    assert_int_equal(role_balance(b, "receivable"), 0);
    assert_int_equal(fixture_exec(b, "DROP TRIGGER refuse_a2"), ERR_OK);
    ok(contract_bill_all(b, D("2026-03-31"), &run, &e), &e);
    assert_int_equal(run.n, 3);
    assert_int_equal(run.invoices, 9);
    assert_string_equal(run.v[1].code, "A2");
    assert_int_equal(run.v[1].r.invoices, 3);
    bill_run_free(&run);
    ok(contract_bill_all(b, D("2026-03-31"), &run, &e), &e);
    assert_int_equal(run.invoices, 0); /* billing twice changes nothing */
    bill_run_free(&run);
    all_checks_pass(b);
    book_close(b);
}

/* ---- two people at once ------------------------------------------------------------------ */

static int bill_k1(struct book *b, void *arg, struct err *e)
{
    return contract_bill(b, "K1", D("2026-03-31"), arg, e);
}

static int activate_k1(struct book *b, void *arg, struct err *e)
{
    (void)arg;
    return contract_activate(b, "K1", D("2026-01-01"), e);
}

/* A book file with contract K1, active or not. */
static struct book *file_with_k1(char path[64], bool active)
{
    struct book *b = fixture_file_book("USD", path);
    struct customer_input cu = {.code = "ACME", .name = "Acme", .terms_days = 30};
    int64_t id;
    struct err e = {0};
    ok(customer_add(b, &cu, &id, &e), &e);
    add_contract(b, "K1", "2025-12-20", "2026-01-01", "2026-12-31", 1200000, BILL_MONTHLY);
    add_obligation(b, "K1", "SaaS", PATTERN_RATABLE, 1200000, NULL);
    if (active)
        ok(contract_activate(b, "K1", D("2026-01-01"), &e), &e);
    return b;
}

/* Two people billing the same contract at once bill its instalments once. */
static void test_bill_twice_at_once(void **state)
{
    (void)state;
    char path[64];
    struct book *b = file_with_k1(path, true);
    struct bill_result mine = {0}, other = {0};
    struct err e = {0};
    ok(fixture_race(b, path, bill_k1, &mine, bill_k1, &other, &e), &e);
    assert_int_equal(mine.invoices, 3);
    assert_int_equal(other.invoices, 0); /* the second found the quarter billed */
    assert_int_equal(fixture_int(b, "SELECT count(*) FROM invoices"), 3);
    all_checks_pass(b);
    book_close(b);
    fixture_file_remove(path);
}

/* Two people activating the same contract at once: the second is told it is already active. */
static void test_activate_twice_at_once(void **state)
{
    (void)state;
    char path[64];
    struct book *b = file_with_k1(path, false);
    struct err e = {0};
    assert_int_equal(fixture_race(b, path, activate_k1, NULL, activate_k1, NULL, &e), ERR_RULE);
    assert_string_equal(e.msg, "contract K1 is already active");
    assert_int_equal(fixture_int(b, "SELECT count(*) FROM change_log WHERE action ="
                                    " 'contract.activate'"),
                     1);
    all_checks_pass(b);
    book_close(b);
    fixture_file_remove(path);
}

/* An obligation reference names its contract in full: a code one character longer than the
 * longest code is no contract, never the contract whose code it begins with. */
static void test_obligation_reference_is_exact(void **state)
{
    (void)state;
    struct book *b = with_acme();
    const char *code = "K2345678901234567890123456789012"; /* 32 characters, the most */
    add_contract(b, code, NULL, "2026-01-01", "2026-12-31", 120000, BILL_UPFRONT);
    add_obligation(b, code, "Platform", PATTERN_RATABLE, 120000, NULL);
    struct contract c;
    struct obligation o;
    struct err e = {0};
    ok(obligation_find(b, "K2345678901234567890123456789012/1", &c, &o, &e), &e);
    assert_int_equal(obligation_find(b, "K2345678901234567890123456789012X/1", &c, &o, &e),
                     ERR_NOTFOUND);
    assert_string_equal(e.msg, "no contract 'K2345678901234567890123456789012X'");
    book_close(b);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_step_one),
        cmocka_unit_test(test_bundle_through_june),
        cmocka_unit_test(test_current_split),
        cmocka_unit_test(test_trial),
        cmocka_unit_test(test_usage_and_progress),
        cmocka_unit_test(test_combine),
        cmocka_unit_test(test_instalments),
        cmocka_unit_test(test_daily_setting),
        cmocka_unit_test(test_recognition_is_incremental),
        cmocka_unit_test(test_replan_is_compared_from_the_change),
        cmocka_unit_test(test_recognition_cancels_and_offsets),
        cmocka_unit_test(test_recognition_of_many_months),
        cmocka_unit_test(test_bill_all_is_one_transaction),
        cmocka_unit_test(test_bill_twice_at_once),
        cmocka_unit_test(test_activate_twice_at_once),
        cmocka_unit_test(test_obligation_reference_is_exact),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
