/*
 * test_memo.c — contract modifications (ACCOUNTING.md §6), each treatment on a hand-worked case:
 *
 * The base case: ACME-1, 2026-01-01 to 2026-12-31, 12,000.00 up front, one ratable obligation
 * with an SSP of 12,000.00, so 1,000.00 a month (monthly convention).
 *  - upgrade at SSP: an add-on for July to December at its SSP of 3,000.00 is a separate
 *    contract, 500.00 a month; the original is untouched;
 *  - seat expansion below SSP on 2026-07-01: 5 seats worth 3,000.00 for 2,400.00. What is not
 *    yet recognized (6,000.00) plus 2,400.00 = 8,400.00 goes 6,000 : 3,000 to the rest of the
 *    platform (5,600.00) and the seats (2,800.00): 933.33 / 933.34 and 466.67 / 466.66 a month,
 *    1,400.00 together;
 *  - downgrade by 1,200.00 on 2026-04-01: re-measured from inception, 10,800.00 over the year
 *    is 2,700.00 by March against 3,000.00 recognized: a catch-up of -300.00 in April, so April
 *    shows 600.00 and every later month 900.00; had April been closed and June the first open
 *    month, the catch-up would be 4,500.00 - 5,000.00 = -500.00, landing in June;
 *  - termination on 2026-07-01 with 2,000.00 refunded: 10,000.00 over January to June is all
 *    recognized by June 30 against 6,000.00: a catch-up of 4,000.00 in July; the refund comes
 *    off deferred revenue and, the invoice being paid, becomes refund credit;
 *  - pause for April and May (61 days): 3,000.00 recognized by March, the other 9,000.00 from
 *    June 1 to 2027-03-02 (the end moved 61 days): 9 + 2/31 months, so June is
 *    9,000 x 31 / 281 = 992.88 and March 2027 9,000 x 2 / 281 = 64.06.
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
#include "model/invoice.h"
#include "model/memo.h"
#include "model/payment.h"
#include "model/schedule.h"
#include "tests/unit/fixture.h"

#define D fixture_date

static void ok(int rc, const struct err *e)
{
    if (rc != ERR_OK)
        fail_msg("%s", e->msg);
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

/* The base case, billed up front and paid, recognized through `through`. */
static struct book *base(const char *through)
{
    struct book *b = fixture_book("USD");
    struct err e = {0};
    struct customer_input cu = {.code = "ACME", .name = "Acme", .terms_days = 30};
    int64_t id;
    ok(customer_add(b, &cu, &id, &e), &e);
    struct contract_input in = {.code = "ACME-1",
                                .customer = "ACME",
                                .signed_on = D("2026-01-01"),
                                .start_on = D("2026-01-01"),
                                .end_on = D("2026-12-31"),
                                .trial_end = DATE_NONE,
                                .payment_terms_days = -1,
                                .price = {.fixed = {1200000}},
                                .billing = BILL_UPFRONT};
    struct obligation_input ob = {.name = "Platform",
                                  .pattern = PATTERN_RATABLE,
                                  .ssp = {1200000},
                                  .start_on = DATE_NONE,
                                  .end_on = DATE_NONE,
                                  .due_on = DATE_NONE};
    ok(contract_create(b, &in, &ob, 1, D("2026-01-01"), &e), &e);
    struct bill_result br;
    ok(contract_bill(b, "ACME-1", D("2026-01-31"), &br, &e), &e);
    struct payment_input p = {.customer = "ACME",
                              .amount = {1200000},
                              .received_on = D("2026-01-20"),
                              .invoice = "INV-000001"};
    struct payment_result pr;
    ok(payment_record(b, &p, &pr, &e), &e);
    struct recognize_result rr;
    if (through) {
        int32_t per;
        ok(period_parse(through, &per, &e), &e);
        ok(recognize_through(b, per, &rr, &e), &e);
    }
    return b;
}

static struct memo_input input(enum memo_type type, const char *effective, const char *what)
{
    return (struct memo_input){.contract = "ACME-1",
                               .effective = effective ? D(effective) : DATE_NONE,
                               .type = type,
                               .description = what,
                               .new_end = DATE_NONE,
                               .pause_from = DATE_NONE,
                               .pause_to = DATE_NONE,
                               .distinct_added = -1,
                               .at_ssp = -1,
                               .remaining_distinct = -1,
                               .treatment = -1};
}

/* Drafts, approves (by someone else) and posts; returns the posted memo. */
static void post(struct book *b, const struct memo_input *in, struct memo *out)
{
    struct err e = {0};
    struct memo draft;
    ok(memo_new(b, in, &draft, &e), &e);
    char number[CODE_MAX + 1];
    snprintf(number, sizeof number, "%s", draft.number);
    memo_free(&draft);
    ok(memo_approve(b, number, "Controller", &e), &e);
    ok(memo_post(b, number, out, &e), &e);
}

/* The revenue an obligation's current schedule puts in a month. */
static int64_t scheduled(struct book *b, const char *ref, const char *period)
{
    sqlite3_stmt *st = db_prepare(
        b, "SELECT coalesce((SELECT l.amount FROM schedule_lines l JOIN obligations o ON o.id ="
           " l.obligation_id AND l.version = o.schedule_version JOIN contracts k ON k.id ="
           " o.contract_id WHERE k.code || '/' || o.seq = :ref AND l.period = :p), 0)");
    db_bind_text(st, ":ref", ref);
    db_bind_text(st, ":p", period);
    struct err e = {0};
    int64_t v = db_step(b, st, &e) == SQLITE_ROW ? db_col_int(st, 0) : -1;
    sqlite3_reset(st);
    return v;
}

static int64_t month_of(const struct memo *m, const char *period)
{
    int32_t p;
    struct err e;
    period_parse(period, &p, &e);
    for (size_t i = 0; i < m->nmonths; i++)
        if (m->months[i].period == p)
            return m->months[i].after.minor;
    return -1;
}

static void test_separate(void **state)
{
    (void)state;
    struct book *b = base("2026-06");
    struct memo_input in = input(MEMO_UPGRADE, "2026-07-01", "Analytics add-on at list price");
    struct memo_addition add = {.name = "Analytics",
                                .pattern = PATTERN_RATABLE,
                                .ssp = {300000},
                                .start = D("2026-07-01"),
                                .end = D("2026-12-31"),
                                .due = DATE_NONE};
    in.adds = &add;
    in.nadds = 1;
    in.consideration_set = true;
    in.consideration = money_of(300000);
    struct memo m;
    post(b, &in, &m);
    assert_int_equal(m.suggested, TREAT_SEPARATE);
    assert_true(m.at_ssp && m.distinct_added);
    assert_string_equal(m.new_contract, "ACME-1-M1");
    memo_free(&m);
    assert_int_equal(scheduled(b, "ACME-1-M1/1", "2026-07"), 50000);
    assert_int_equal(scheduled(b, "ACME-1-M1/1", "2026-12"), 50000);
    assert_int_equal(scheduled(b, "ACME-1/1", "2026-07"), 100000);
    assert_int_equal(fixture_int(b, "SELECT count(*) FROM obligation_segments"), 0);
    assert_int_equal(fixture_int(b, "SELECT parent_id FROM contracts WHERE code = 'ACME-1-M1'"),
                     fixture_int(b, "SELECT id FROM contracts WHERE code = 'ACME-1'"));
    all_checks_pass(b);
    book_close(b);
}

static void test_prospective_seat_expansion(void **state)
{
    (void)state;
    struct book *b = base("2026-06");
    struct memo_input in = input(MEMO_SEAT_EXPANSION, "2026-07-01", "Five more seats");
    struct memo_addition add = {.name = "5 more seats",
                                .pattern = PATTERN_RATABLE,
                                .ssp = {300000},
                                .start = D("2026-07-01"),
                                .end = D("2026-12-31"),
                                .due = DATE_NONE};
    in.adds = &add;
    in.nadds = 1;
    in.consideration_set = true;
    in.consideration = money_of(240000);
    struct memo m;
    post(b, &in, &m);
    assert_int_equal(m.suggested, TREAT_PROSPECTIVE);
    assert_false(m.at_ssp);
    assert_true(m.catch_up.minor == 0);
    assert_int_equal(m.lines[0].allocated_after.minor, 1160000);
    assert_int_equal(m.lines[0].remaining_ssp.minor, 600000);
    assert_int_equal(m.lines[1].allocated_after.minor, 280000);
    assert_int_equal(month_of(&m, "2026-06"), 100000);
    assert_int_equal(month_of(&m, "2026-07"), 140000);
    memo_free(&m);
    assert_int_equal(scheduled(b, "ACME-1/1", "2026-06"), 100000);
    assert_int_equal(scheduled(b, "ACME-1/1", "2026-07"), 93333);
    assert_int_equal(scheduled(b, "ACME-1/1", "2026-08"), 93334);
    assert_int_equal(scheduled(b, "ACME-1/2", "2026-07"), 46667);
    assert_int_equal(scheduled(b, "ACME-1/2", "2026-08"), 46666);
    /* The price went up after the up-front invoice: the rest is billed on the effective date. */
    struct bill_result br;
    struct err e = {0};
    ok(contract_bill(b, "ACME-1", D("2026-07-31"), &br, &e), &e);
    assert_int_equal(br.invoices, 1);
    assert_true(br.total.minor == 240000);
    struct recognize_result rr;
    ok(recognize_through(b, period_from_ym(2026, 12), &rr, &e), &e);
    all_checks_pass(b);
    book_close(b);
}

static void test_catch_up_downgrade(void **state)
{
    (void)state;
    struct book *b = base("2026-06");
    struct memo_input in = input(MEMO_DOWNGRADE, "2026-04-01", "Down to the basic tier");
    in.consideration_set = true;
    in.consideration = money_of(-120000);
    in.refund = money_of(120000);
    struct memo m;
    post(b, &in, &m);
    assert_int_equal(m.suggested, TREAT_CATCH_UP);
    assert_true(m.catch_up.minor == -30000);
    assert_int_equal(m.catch_up_period, period_from_ym(2026, 4));
    assert_true(m.revenue_before.minor == 300000 && m.revenue_after.minor == 270000);
    assert_int_equal(month_of(&m, "2026-03"), 100000);
    assert_int_equal(month_of(&m, "2026-04"), 60000);
    assert_int_equal(month_of(&m, "2026-05"), 90000);
    memo_free(&m);
    /* The catch-up's own entry, dated in April, with the memo as source. */
    assert_int_equal(fixture_int(b, "SELECT sum(l.debit) FROM journal_lines l JOIN journal_entries"
                                    " e ON e.id = l.entry_id WHERE e.kind = 'modification' AND"
                                    " e.source_type = 'memo' AND e.entry_date = '2026-04-01' AND"
                                    " l.account = '4000'"),
                     30000);
    struct err e = {0};
    struct recognize_result rr;
    ok(recognize_through(b, period_from_ym(2026, 12), &rr, &e), &e);
    /* April to June were posted at 1,000.00 before: April now nets to 600.00 in all. */
    assert_int_equal(fixture_int(b, "SELECT sum(amount) FROM recognition_postings WHERE period ="
                                    " '2026-04'"),
                     60000);
    assert_int_equal(fixture_int(b, "SELECT sum(amount) FROM recognition_postings"), 1080000);
    all_checks_pass(b);
    book_close(b);
}

/* The rule itself when the effective period is closed: the catch-up lands in the first open
 * period, measured there. */
static void test_catch_up_in_first_open_period(void **state)
{
    (void)state;
    struct memo_ob o = {.pattern = PATTERN_RATABLE,
                        .method = SSP_OBSERVABLE,
                        .ssp = {1200000},
                        .allocated = {1200000},
                        .start = D("2026-01-01"),
                        .end = D("2026-12-31")};
    o.in = (struct recog_input){.pattern = PATTERN_RATABLE,
                                .convention = CONVENTION_MONTHLY,
                                .allocated = {1200000},
                                .start = D("2026-01-01"),
                                .end = D("2026-12-31"),
                                .delivered_on = DATE_NONE,
                                .pause_start = DATE_NONE,
                                .pause_end = DATE_NONE};
    struct memo_terms t = {.type = MEMO_DOWNGRADE,
                           .treatment = TREAT_CATCH_UP,
                           .convention = CONVENTION_MONTHLY,
                           .effective = D("2026-04-01"),
                           .catch_up_from = D("2026-06-01"),
                           .consideration = {-120000},
                           .tp = {1200000},
                           .contract_end = D("2026-12-31"),
                           .new_end = DATE_NONE,
                           .pause_from = DATE_NONE,
                           .pause_to = DATE_NONE};
    struct err e = {0};
    ok(memo_plan(&t, &o, 1, &e), &e);
    assert_true(o.catch_up.minor == -50000);
    struct recog_segment room[1];
    struct recog_input after;
    memo_after_input(&o, room, &after);
    assert_int_equal(recognized_in(&after, period_from_ym(2026, 5)).minor, 100000);
    assert_int_equal(recognized_in(&after, period_from_ym(2026, 6)).minor, 40000);
    assert_int_equal(recognized_in(&after, period_from_ym(2026, 7)).minor, 90000);
}

static void test_termination_with_refund(void **state)
{
    (void)state;
    struct book *b = base("2026-06");
    struct memo_input in = input(MEMO_TERMINATION, "2026-07-01", "Leaves at mid-year");
    in.refund = money_of(200000);
    struct memo m;
    post(b, &in, &m);
    assert_int_equal(m.treatment, TREAT_CATCH_UP);
    assert_true(m.consideration.minor == -200000);
    assert_true(m.catch_up.minor == 400000);
    assert_true(m.deferred_after.minor == 0);
    assert_string_equal(m.refund_invoice, "INV-000001");
    memo_free(&m);
    assert_int_equal(fixture_int(b, "SELECT status = 'terminated' AND end_on = '2026-06-30' FROM"
                                    " contracts WHERE code = 'ACME-1'"),
                     1);
    /* The refund: off deferred revenue, and refund credit as the invoice was paid. */
    assert_int_equal(fixture_int(b, "SELECT count(*) FROM credit_notes WHERE memo_id IS NOT NULL"
                                    " AND amount = 200000 AND applied = 0"),
                     1);
    assert_int_equal(fixture_int(b, "SELECT coalesce(sum(credit) - sum(debit), 0) FROM"
                                    " journal_lines WHERE account = '2100'"),
                     0);
    assert_int_equal(fixture_int(b, "SELECT coalesce(sum(credit) - sum(debit), 0) FROM"
                                    " journal_lines WHERE account = '2200'"),
                     200000);
    struct err e = {0};
    struct contract k;
    struct contract_balance bal;
    ok(contract_find(b, "ACME-1", &k, &e), &e);
    ok(contract_balance(b, &k, D("2026-12-31"), &bal, &e), &e);
    assert_true(bal.billed.minor == 1000000 && bal.recognized.minor == 1000000);
    assert_true(bal.deferred.minor == 0 && bal.contract_asset.minor == 0);
    all_checks_pass(b);
    book_close(b);
}

static void test_pause(void **state)
{
    (void)state;
    struct book *b = base("2026-03");
    struct memo_input in = input(MEMO_PAUSE, NULL, "Seasonal pause");
    in.pause_from = D("2026-04-01");
    in.pause_to = D("2026-05-31");
    struct memo m;
    post(b, &in, &m);
    assert_int_equal(m.treatment, TREAT_PAUSE);
    assert_int_equal(m.effective, D("2026-04-01"));
    memo_free(&m);
    assert_int_equal(scheduled(b, "ACME-1/1", "2026-03"), 100000);
    assert_int_equal(scheduled(b, "ACME-1/1", "2026-04"), 0);
    assert_int_equal(scheduled(b, "ACME-1/1", "2026-05"), 0);
    assert_int_equal(scheduled(b, "ACME-1/1", "2026-06"), 99288);
    assert_int_equal(scheduled(b, "ACME-1/1", "2027-03"), 6406);
    assert_int_equal(fixture_int(b, "SELECT end_on = '2027-03-02' FROM contracts"), 1);
    assert_int_equal(fixture_int(b, "SELECT sum(l.amount) FROM schedule_lines l JOIN obligations o"
                                    " ON o.id = l.obligation_id AND l.version ="
                                    " o.schedule_version"),
                     1200000);
    all_checks_pass(b);
    book_close(b);
}

static void test_refusals(void **state)
{
    (void)state;
    struct book *b = base("2026-06");
    struct err e = {0};
    /* A credit note on a contract's invoice goes through a memo. */
    struct credit_note_result cn;
    assert_int_equal(
        invoice_credit_note(b, "INV-000001", money_of(10000), D("2026-07-01"), "goodwill", &cn, &e),
        ERR_RULE);
    assert_non_null(strstr(e.msg, "modification memo"));
    /* Another treatment than the suggested one needs a rationale. */
    struct memo_input in = input(MEMO_PRICE_CHANGE, "2026-07-01", "Price down");
    in.consideration_set = true;
    in.consideration = money_of(-60000);
    in.treatment = TREAT_PROSPECTIVE;
    struct memo m;
    assert_int_equal(memo_new(b, &in, &m, &e), ERR_INPUT);
    assert_non_null(strstr(e.msg, "rationale"));
    in.rationale = "each remaining month is a distinct service";
    ok(memo_new(b, &in, &m, &e), &e);
    char number[CODE_MAX + 1];
    snprintf(number, sizeof number, "%s", m.number);
    memo_free(&m);
    /* Not posted before approval; not approved by who prepared it. */
    assert_int_equal(memo_post(b, number, &m, &e), ERR_RULE);
    assert_int_equal(memo_approve(b, number, "tester", &e), ERR_RULE);
    ok(memo_approve(b, number, "Controller", &e), &e);
    ok(memo_post(b, number, &m, &e), &e);
    /* Prospective: 6,000.00 left less 600.00 over July to December: 900.00 a month. */
    assert_int_equal(scheduled(b, "ACME-1/1", "2026-07"), 90000);
    memo_free(&m);
    /* A posted memo is never edited, not even by hand. */
    assert_int_not_equal(fixture_exec(b, "UPDATE memos SET description = 'x'"), SQLITE_OK);
    assert_int_not_equal(fixture_exec(b, "DELETE FROM obligation_segments"), SQLITE_OK);
    /* A later memo cannot take effect before it. */
    in = input(MEMO_PRICE_CHANGE, "2026-05-01", "Earlier change");
    assert_int_equal(memo_preview(b, &in, &m, &e), ERR_RULE);
    all_checks_pass(b);
    book_close(b);
}

/* After any memo, schedules still add up to allocations and the ledger ties out. */
static void test_property_any_memo(void **state)
{
    (void)state;
    uint32_t seed = 12345;
    for (int round = 0; round < 24; round++) {
        seed = seed * 1103515245u + 12345u;
        struct book *b = base("2026-05");
        int month = 2 + (int)(seed >> 8) % 9; /* effective on the 1st or 15th of Feb..Oct */
        char eff[16];
        snprintf(eff, sizeof eff, "2026-%02d-%s", month, (seed >> 4) & 1 ? "15" : "01");
        enum memo_type types[] = {MEMO_SEAT_EXPANSION, MEMO_DOWNGRADE, MEMO_PRICE_CHANGE,
                                  MEMO_TERMINATION,    MEMO_PAUSE,     MEMO_EXTENSION};
        enum memo_type type = types[round % 6];
        struct memo_input in = input(type, eff, "a change");
        struct memo_addition add = {.name = "More",
                                    .pattern = PATTERN_RATABLE,
                                    .ssp = {100000 + (int64_t)(seed % 300000)},
                                    .start = DATE_NONE,
                                    .end = DATE_NONE,
                                    .due = DATE_NONE};
        int64_t amount = 1000 + (int64_t)((seed >> 3) % 200000);
        switch (type) {
        case MEMO_SEAT_EXPANSION:
            in.adds = &add;
            in.nadds = 1;
            in.consideration_set = true;
            in.consideration = money_of(amount);
            break;
        case MEMO_DOWNGRADE:
        case MEMO_PRICE_CHANGE:
            in.consideration_set = true;
            in.consideration = money_of(-amount);
            in.refund = money_of(amount);
            break;
        case MEMO_TERMINATION:
            in.refund = money_of(amount);
            break;
        case MEMO_PAUSE:
            in.effective = DATE_NONE;
            in.pause_from = D(eff);
            in.pause_to = D(eff) + 20 + (int32_t)(seed % 40);
            break;
        case MEMO_EXTENSION:
            in.new_end = D("2027-06-30");
            in.consideration_set = true;
            in.consideration = money_of(amount * 3);
            break;
        default:
            break;
        }
        struct memo m;
        post(b, &in, &m);
        memo_free(&m);
        struct err e = {0};
        struct recognize_result rr;
        ok(recognize_through(b, period_from_ym(2027, 12), &rr, &e), &e);
        all_checks_pass(b);
        /* Everything allocated is scheduled, and the ledger recognized all of it. */
        int64_t allocated = fixture_int(b, "SELECT sum(allocated) FROM obligations");
        assert_int_equal(fixture_int(b, "SELECT sum(l.amount) FROM schedule_lines l JOIN"
                                        " obligations o ON o.id = l.obligation_id AND l.version ="
                                        " o.schedule_version"),
                         allocated);
        assert_int_equal(fixture_int(b, "SELECT sum(amount) FROM recognition_postings"), allocated);
        book_close(b);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_separate),
        cmocka_unit_test(test_prospective_seat_expansion),
        cmocka_unit_test(test_catch_up_downgrade),
        cmocka_unit_test(test_catch_up_in_first_open_period),
        cmocka_unit_test(test_termination_with_refund),
        cmocka_unit_test(test_pause),
        cmocka_unit_test(test_refusals),
        cmocka_unit_test(test_property_any_memo),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
