/*
 * test_close.c — the month-end close (ACCOUNTING.md §7) and the change log's hash chain:
 * months close in order and only once over, a closed month refuses postings (in the model and
 * by the book's triggers), corrections land in the first open month, a failing check keeps the
 * month open, reopening needs a reason, backups are verified copies, and an edit of the change
 * log by hand is found and named.
 *
 * The case: ACME-1, 2026-01-01 to 2026-12-31, 12,000.00 billed up front on 2026-01-01, one
 * ratable obligation, 1,000.00 a month.
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

#include "model/billing.h"
#include "model/check.h"
#include "model/close.h"
#include "model/contract.h"
#include "model/credit.h"
#include "model/customer.h"
#include "model/invoice.h"
#include "model/ledger.h"
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

static struct book *with_contract(struct book *b)
{
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
    return b;
}

static void test_close_in_order(void **state)
{
    (void)state;
    struct book *b = with_contract(fixture_book("USD"));
    struct err e = {0};
    struct close_result r;
    int32_t first;
    ok(period_first_open(b, &first, &e), &e);
    assert_int_equal(first, period_from_ym(2026, 1));
    /* February cannot close before January; March has not ended on 2026-03-20. */
    assert_int_equal(period_close(b, period_from_ym(2026, 2), D("2026-03-20"), false, "", &r, &e),
                     ERR_RULE);
    assert_non_null(strstr(e.msg, "first open month is 2026-01"));
    close_result_free(&r);
    /* A dry run shows the checklist and changes nothing. */
    ok(period_close(b, period_from_ym(2026, 1), D("2026-03-20"), true, NULL, &r, &e), &e);
    assert_true(r.checks.n >= 15 && check_report_passed(&r.checks));
    close_result_free(&r);
    assert_int_equal(fixture_int(b, "SELECT count(*) FROM recognition_postings"), 0);
    assert_false(period_is_closed(b, period_from_ym(2026, 1)));
    /* The close posts January's recognition and locks it. */
    ok(period_close(b, period_from_ym(2026, 1), D("2026-03-20"), false, "", &r, &e), &e);
    assert_true(r.locked);
    assert_int_equal(r.entries, 1);
    assert_int_equal(strlen(r.chain_head), 64);
    close_result_free(&r);
    assert_true(period_is_closed(b, period_from_ym(2026, 1)));
    assert_int_equal(fixture_int(b, "SELECT sum(amount) FROM recognition_postings"), 100000);
    ok(period_first_open(b, &first, &e), &e);
    assert_int_equal(first, period_from_ym(2026, 2));
    assert_int_equal(period_close(b, period_from_ym(2026, 1), D("2026-03-20"), false, "", &r, &e),
                     ERR_RULE);
    close_result_free(&r);
    book_close(b);
}

static void test_closed_month_refuses_postings(void **state)
{
    (void)state;
    struct book *b = with_contract(fixture_book("USD"));
    struct err e = {0};
    struct close_result r;
    ok(period_close(b, period_from_ym(2026, 1), D("2026-03-20"), false, "", &r, &e), &e);
    close_result_free(&r);
    /* The model says which month is closed and where to post instead. */
    struct invoice_line_input line = {"Consulting", money_of(50000)};
    struct invoice_input in = {.customer = "ACME",
                               .issued_on = D("2026-01-20"),
                               .due_on = DATE_NONE,
                               .lines = &line,
                               .nlines = 1};
    struct invoice_result ir;
    assert_int_equal(invoice_create(b, &in, &ir, &e), ERR_RULE);
    assert_string_equal(e.msg, "2026-01 is closed: nothing can be posted dated 2026-01-20; date it"
                               " on or after 2026-02-01, in the first open month (or reopen the"
                               " month with a reason)");
    assert_int_equal(fixture_int(b, "SELECT count(*) FROM invoices"), 1);
    /* And the book itself refuses, whatever path a write takes. */
    assert_int_not_equal(fixture_exec(b, "INSERT INTO journal_entries (entry_date, kind, currency,"
                                         " memo, source_type, source_id, posted, open_guard,"
                                         " created_by, created_at) VALUES ('2026-01-31',"
                                         " 'invoice', 'USD', 'x', 'invoice', 1, 0, 1, 'x', 'x')"),
                         SQLITE_OK);
    in.issued_on = D("2026-02-02");
    ok(invoice_create(b, &in, &ir, &e), &e);
    book_close(b);
}

/* A memo taking effect in a closed month: its catch-up is booked in the first open month, and
 * the recognition of the closed months is corrected there too. */
static void test_corrections_land_in_first_open_month(void **state)
{
    (void)state;
    struct book *b = with_contract(fixture_book("USD"));
    struct err e = {0};
    struct close_result r;
    ok(period_close(b, period_from_ym(2026, 1), D("2026-04-20"), false, "", &r, &e), &e);
    close_result_free(&r);
    ok(period_close(b, period_from_ym(2026, 2), D("2026-04-20"), false, "", &r, &e), &e);
    close_result_free(&r);
    /* A downgrade by 1,200.00 effective 2026-02-01, in a closed month: re-measured, 10,800.00
     * over the year is 1,800.00 by February against 2,000.00 recognized: -200.00, in March. */
    struct memo_input in = {.contract = "ACME-1",
                            .effective = D("2026-02-01"),
                            .type = MEMO_DOWNGRADE,
                            .description = "Down a tier from February",
                            .consideration_set = true,
                            .consideration = {-120000},
                            .new_end = DATE_NONE,
                            .pause_from = DATE_NONE,
                            .pause_to = DATE_NONE,
                            .distinct_added = -1,
                            .at_ssp = -1,
                            .remaining_distinct = -1,
                            .treatment = -1};
    struct memo m;
    ok(memo_new(b, &in, &m, &e), &e);
    char number[CODE_MAX + 1];
    snprintf(number, sizeof number, "%s", m.number);
    memo_free(&m);
    ok(memo_approve(b, number, "Controller", &e), &e);
    ok(memo_post(b, number, &m, &e), &e);
    assert_int_equal(m.catch_up_period, period_from_ym(2026, 3));
    assert_true(m.catch_up.minor == -20000);
    memo_free(&m);
    assert_int_equal(fixture_int(b, "SELECT count(*) FROM journal_entries WHERE kind ="
                                    " 'modification' AND entry_date = '2026-03-01'"),
                     1);
    struct recognize_result rr;
    ok(recognize_through(b, period_from_ym(2026, 3), &rr, &e), &e);
    /* Nothing was posted into January or February after they closed. */
    assert_int_equal(fixture_int(b, "SELECT count(*) FROM journal_entries WHERE entry_date <"
                                    " '2026-03-01' AND kind IN ('recognition', 'modification')"),
                     2);
    /* March carries everything since: 900.00 of its own and the -200.00 catch-up. */
    assert_int_equal(fixture_int(b, "SELECT sum(amount) FROM recognition_postings"), 270000);
    book_close(b);
}

static void test_failing_check_keeps_month_open(void **state)
{
    (void)state;
    struct book *b = with_contract(fixture_book("USD"));
    struct err e = {0};
    /* Someone edits the change log by hand. */
    assert_int_equal(fixture_exec(b, "DROP TRIGGER change_log_fixed"), SQLITE_OK);
    assert_int_equal(fixture_exec(b, "UPDATE change_log SET user = 'mallory' WHERE id = 3"),
                     SQLITE_OK);
    struct chain_status cs;
    ok(book_chain_verify(b, &cs, &e), &e);
    assert_int_equal(cs.broken_id, 3);
    assert_non_null(strstr(cs.reason, "changed after it was written"));
    struct close_result r;
    assert_int_equal(period_close(b, period_from_ym(2026, 1), D("2026-03-20"), false, "", &r, &e),
                     ERR_RULE);
    assert_string_equal(e.msg, "2026-01 is not closed: 1 check failed");
    bool named = false;
    for (size_t i = 0; i < r.checks.n; i++)
        if (!r.checks.v[i].passed && strstr(r.checks.v[i].detail, "row 3"))
            named = true;
    assert_true(named);
    close_result_free(&r);
    assert_false(period_is_closed(b, period_from_ym(2026, 1)));
    /* Nothing of the close stayed: no recognition was posted. */
    assert_int_equal(fixture_int(b, "SELECT count(*) FROM recognition_postings"), 0);
    /* A row removed is found too. */
    assert_int_equal(fixture_exec(b, "DROP TRIGGER change_log_no_delete"), SQLITE_OK);
    assert_int_equal(fixture_exec(b, "DELETE FROM change_log WHERE id = 2"), SQLITE_OK);
    ok(book_chain_verify(b, &cs, &e), &e);
    assert_int_equal(cs.broken_id, 3);
    book_close(b);
}

static void test_reopen(void **state)
{
    (void)state;
    struct book *b = with_contract(fixture_book("USD"));
    struct err e = {0};
    struct close_result r;
    ok(period_close(b, period_from_ym(2026, 1), D("2026-03-20"), false, "", &r, &e), &e);
    close_result_free(&r);
    ok(period_close(b, period_from_ym(2026, 2), D("2026-03-20"), false, "", &r, &e), &e);
    close_result_free(&r);
    assert_int_equal(period_reopen(b, period_from_ym(2026, 2), "  ", &e), ERR_INPUT);
    assert_int_equal(period_reopen(b, period_from_ym(2026, 1), "late invoice", &e), ERR_RULE);
    assert_non_null(strstr(e.msg, "only the last closed month (2026-02)"));
    ok(period_reopen(b, period_from_ym(2026, 2), "a late invoice for February", &e), &e);
    assert_false(period_is_closed(b, period_from_ym(2026, 2)));
    assert_int_equal(fixture_int(b, "SELECT count(*) FROM period_events WHERE action = 'reopen'"
                                    " AND reason = 'a late invoice for February'"),
                     1);
    assert_int_equal(fixture_int(b, "SELECT count(*) FROM change_log WHERE action ="
                                    " 'period.reopen'"),
                     1);
    struct period_rows rows = {0};
    ok(period_list(b, period_from_ym(2026, 3), &rows, &e), &e);
    assert_int_equal(rows.n, 3);
    assert_true(rows.v[0].closed && !rows.v[1].closed && rows.v[1].reopened == 1);
    period_rows_free(&rows);
    book_close(b);
}

/* Every role's totals for a stretch of days, as one pass gives them (adding up what the closed
 * months keep, and reading the other months' lines), equal each role's lines read one at a time. */
static void totals_tie_out(struct book *b, int32_t from, int32_t to)
{
    static const char *const roles[] = {"cash",
                                        "receivable",
                                        "contract_asset",
                                        "deferred_revenue",
                                        "customer_credit",
                                        "customer_deposits",
                                        "revenue",
                                        "breakage",
                                        "discounts"};
    struct err e = {0};
    struct role_totals all[32], one[4];
    int nall, none;
    ok(ledger_role_totals(b, NULL, from, to, all, 32, &nall, &e), &e);
    for (size_t k = 0; k < sizeof roles / sizeof *roles; k++) {
        struct money dr, cr, bal;
        ok(account_activity(b, roles[k], "USD", from, to, &dr, &cr, &e), &e);
        ok(account_balance(b, roles[k], "USD", to, &bal, &e), &e);
        ok(ledger_role_totals(b, roles[k], from, to, one, 4, &none, &e), &e);
        assert_true(none <= 1);
        struct role_totals t[2] = {role_totals_of(all, nall, roles[k], "USD"),
                                   role_totals_of(one, none, roles[k], "USD")};
        for (int i = 0; i < 2; i++) {
            if (t[i].debits.minor != dr.minor || t[i].credits.minor != cr.minor ||
                t[i].balance.minor != bal.minor)
                fail_msg("%s from %d to %d: %lld/%lld/%lld, its lines %lld/%lld/%lld", roles[k],
                         from, to, (long long)t[i].debits.minor, (long long)t[i].credits.minor,
                         (long long)t[i].balance.minor, (long long)dr.minor, (long long)cr.minor,
                         (long long)bal.minor);
        }
    }
}

static void test_closed_months_keep_their_totals(void **state)
{
    (void)state;
    struct book *b = with_contract(fixture_book("USD"));
    struct err e = {0};
    struct invoice_line_input line = {"Setup", money_of(50000)};
    struct invoice_input inv = {.customer = "ACME",
                                .issued_on = D("2026-02-10"),
                                .due_on = DATE_NONE,
                                .lines = &line,
                                .nlines = 1};
    struct invoice_result ir;
    ok(invoice_create(b, &inv, &ir, &e), &e);
    struct payment_input pay = {.customer = "ACME",
                                .amount = money_of(700000),
                                .received_on = D("2026-03-05"),
                                .apply_open = true};
    struct payment_result pr;
    ok(payment_record(b, &pay, &pr, &e), &e);
    struct close_result r;
    for (int m = 1; m <= 3; m++) {
        ok(period_close(b, period_from_ym(2026, m), D("2026-04-20"), false, "", &r, &e), &e);
        close_result_free(&r);
    }
    assert_true(fixture_int(b, "SELECT count(*) FROM period_balances WHERE period = '2026-01'") >
                0);
    /* Postings after the closes: one in April, one in December before (no month before January
     * is closed, so it is posted on its own day). */
    inv.issued_on = D("2026-04-05");
    ok(invoice_create(b, &inv, &ir, &e), &e);
    inv.issued_on = D("2025-12-15");
    ok(invoice_create(b, &inv, &ir, &e), &e);
    static const char *const days[][2] = {
        {"2025-12-01", "2025-12-31"}, {"2026-01-01", "2026-01-15"}, {"2026-01-01", "2026-01-31"},
        {"2026-02-01", "2026-02-27"}, {"2026-02-01", "2026-02-28"}, {"2026-03-01", "2026-03-31"},
        {"2026-04-01", "2026-04-10"}, {"2026-01-01", "2026-04-30"}, {"2026-05-01", "2026-05-31"}};
    for (size_t i = 0; i < sizeof days / sizeof *days; i++)
        totals_tie_out(b, D(days[i][0]), D(days[i][1]));
    /* Reopening March lets go of what it kept; its lines are read again. */
    ok(period_reopen(b, period_from_ym(2026, 3), "a late credit note", &e), &e);
    assert_int_equal(
        fixture_int(b, "SELECT count(*) FROM period_balances WHERE period = '2026-03'"), 0);
    for (size_t i = 0; i < sizeof days / sizeof *days; i++)
        totals_tie_out(b, D(days[i][0]), D(days[i][1]));
    /* The book's check ties what the closed months keep to their lines, and names a month that
     * no longer does. */
    struct check_report cr = {0};
    ok(book_check(b, &cr, &e), &e);
    assert_true(check_report_passed(&cr));
    check_report_free(&cr);
    memset(&cr, 0, sizeof cr);
    assert_int_equal(fixture_exec(b, "UPDATE period_balances SET debit = debit + 1 WHERE period ="
                                     " '2026-02' AND account = '1100'"),
                     0);
    ok(book_check(b, &cr, &e), &e);
    assert_false(check_report_passed(&cr));
    bool named = false;
    for (size_t i = 0; i < cr.n; i++)
        named = named || strstr(cr.v[i].detail, "2026-02, account 1100, USD") != NULL;
    assert_true(named);
    check_report_free(&cr);
    /* A line changed by hand (past the book's own guard): its month no longer ties, nor does the
     * trial balance. The first line is January's invoice, 12,000.00 receivable. */
    memset(&cr, 0, sizeof cr);
    assert_int_equal(fixture_exec(b, "DROP TRIGGER journal_lines_fixed; UPDATE journal_lines SET"
                                     " debit = debit + 1 WHERE id = (SELECT min(id) FROM"
                                     " journal_lines)"),
                     0);
    ok(book_check(b, &cr, &e), &e);
    const char *want[][2] = {{"the trial balance is zero in each currency", "USD: debits "},
                             {"each closed month's totals equal its journal lines",
                              "2026-01, account 1100, USD: kept 12,000.00, lines 12,000.01"}};
    for (size_t w = 0; w < 2; w++) {
        bool found = false;
        for (size_t i = 0; i < cr.n; i++)
            if (strcmp(cr.v[i].name, want[w][0]) == 0) {
                found = true;
                assert_false(cr.v[i].passed);
                if (!strstr(cr.v[i].detail, want[w][1]))
                    fail_msg("%s: %s", cr.v[i].name, cr.v[i].detail);
            }
        assert_true(found);
    }
    check_report_free(&cr);
    book_close(b);
}

static void test_backup_is_verified(void **state)
{
    (void)state;
    char dir[] = "/tmp/ratable-close-XXXXXX";
    assert_non_null(mkdtemp(dir));
    char path[128], copy[160];
    snprintf(path, sizeof path, "%s/book.ratable", dir);
    snprintf(copy, sizeof copy, "%s/copy.ratable", dir);
    struct book_init init = {.company = "Northwind Ltd", .currency = "USD", .user = "tester"};
    struct book *b;
    struct err e = {0};
    ok(book_create(path, &init, fixture_clock, &b, &e), &e);
    with_contract(b);
    ok(book_backup(b, copy, &e), &e);
    struct stat sb;
    assert_int_equal(stat(copy, &sb), 0);
    assert_int_equal(sb.st_mode & 0777, 0600);
    assert_int_equal(book_backup(b, copy, &e), ERR_EXISTS);
    /* The copy is the same book: it opens, and its chain ends where the book's does. */
    struct book *c;
    ok(book_open(copy, fixture_clock, &c, &e), &e);
    struct chain_status a, z;
    ok(book_chain_verify(b, &a, &e), &e);
    ok(book_chain_verify(c, &z, &e), &e);
    assert_string_equal(a.head, z.head);
    assert_int_equal(z.broken_id, 0);
    book_close(c);
    /* A close takes its own backup beside the book. */
    struct close_result r;
    ok(period_close(b, period_from_ym(2026, 1), D("2026-03-20"), false, NULL, &r, &e), &e);
    char want[200];
    snprintf(want, sizeof want, "%s.close-2026-01.backup", path);
    assert_string_equal(r.backup, want);
    assert_int_equal(stat(want, &sb), 0);
    close_result_free(&r);
    book_close(b);
    remove(want);
    remove(copy);
    remove(path);
    char wal[160];
    snprintf(wal, sizeof wal, "%s-wal", path);
    remove(wal);
    snprintf(wal, sizeof wal, "%s-shm", path);
    remove(wal);
    rmdir(dir);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_close_in_order),
        cmocka_unit_test(test_closed_month_refuses_postings),
        cmocka_unit_test(test_corrections_land_in_first_open_month),
        cmocka_unit_test(test_failing_check_keeps_month_open),
        cmocka_unit_test(test_reopen),
        cmocka_unit_test(test_closed_months_keep_their_totals),
        cmocka_unit_test(test_backup_is_verified),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
