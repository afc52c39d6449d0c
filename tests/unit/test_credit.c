/*
 * test_credit.c — customer credit (ACCOUNTING.md §4): the order of application, partial
 * coverage, expiry, refunds and adjustments, with the journal entries of §3, on a book in
 * memory. Figures are worked out by hand in the comments.
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
#include "tests/unit/fixture.h"

#define D fixture_date

/* Balance of an account role in minor units, debit positive. */
static int64_t balance(struct book *b, const char *role)
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

static struct book *book_with_acme(void)
{
    struct book *b = fixture_book("USD");
    struct customer_input in = {.code = "ACME", .name = "Acme Corporation", .terms_days = 30};
    int64_t id;
    struct err e = {0};
    assert_int_equal(customer_add(b, &in, &id, &e), ERR_OK);
    return b;
}

static void grant(struct book *b, int64_t cents, const char *on, const char *expires,
                  enum credit_kind kind)
{
    struct grant_input g = {.customer = "ACME",
                            .kind = kind,
                            .amount = money_of(cents),
                            .granted_on = D(on),
                            .expires_on = expires ? D(expires) : DATE_NONE,
                            .reason = "test grant"};
    int64_t id;
    struct err e = {0};
    assert_int_equal(credit_grant(b, &g, &id, &e), ERR_OK);
}

static struct invoice_result issue(struct book *b, int64_t cents, const char *on)
{
    struct invoice_line_input line = {"Subscription", money_of(cents)};
    struct invoice_input in = {
        .customer = "ACME", .issued_on = D(on), .due_on = DATE_NONE, .lines = &line, .nlines = 1};
    struct invoice_result r;
    struct err e = {0};
    assert_int_equal(invoice_create(b, &in, &r, &e), ERR_OK);
    return r;
}

/* The worked example of §4, issued on 15 March: $600 from the first grant, $400 from the
 * second, the invoice is paid, $100 of credit remains. */
static void test_worked_example_march(void **state)
{
    (void)state;
    struct book *b = book_with_acme();
    grant(b, 60000, "2026-01-10", "2026-03-31", CREDIT_PREPAID);
    grant(b, 50000, "2026-02-01", NULL, CREDIT_PREPAID);
    struct invoice_result r = issue(b, 100000, "2026-03-15");
    assert_true(r.credit_paid.minor == 100000);
    assert_true(r.credit_free.minor == 0);
    assert_true(r.due.minor == 0);
    /* Drawn from grant 1 first (earliest expiry), then grant 2. */
    assert_int_equal(fixture_int(b, "SELECT amount FROM credit_movements WHERE grant_id = 1 AND"
                                    " kind = 'applied'"),
                     -60000);
    assert_int_equal(fixture_int(b, "SELECT amount FROM credit_movements WHERE grant_id = 2 AND"
                                    " kind = 'applied'"),
                     -40000);
    assert_int_equal(fixture_int(b, "SELECT sum(remaining) FROM grant_balances"), 10000);
    assert_int_equal(fixture_int(b, "SELECT open FROM invoice_balances"), 0);
    /* Ledger: cash 1,100 in; revenue 1,000; credit liability 100 left; receivable settled. */
    assert_int_equal(balance(b, "cash"), 110000);
    assert_int_equal(balance(b, "revenue"), -100000);
    assert_int_equal(balance(b, "customer_credit"), -10000);
    assert_int_equal(balance(b, "receivable"), 0);
    /* Later the remaining $100 (no expiry) never expires. */
    int n;
    struct err e = {0};
    assert_int_equal(credit_expire(b, D("2030-01-01"), &n, &e), ERR_OK);
    assert_int_equal(n, 0);
    book_close(b);
}

/* The same invoice issued on 2 April: the first grant expired on 1 April ($600), $500 is
 * applied and $500 is due. */
static void test_worked_example_april(void **state)
{
    (void)state;
    struct book *b = book_with_acme();
    grant(b, 60000, "2026-01-10", "2026-03-31", CREDIT_PREPAID);
    grant(b, 50000, "2026-02-01", NULL, CREDIT_PREPAID);
    struct invoice_result r = issue(b, 100000, "2026-04-02");
    assert_true(r.credit_paid.minor == 50000);
    assert_true(r.due.minor == 50000);
    assert_int_equal(fixture_int(b, "SELECT amount FROM credit_movements WHERE grant_id = 1 AND"
                                    " kind = 'expired' AND on_date = '2026-04-01'"),
                     -60000);
    assert_int_equal(fixture_int(b, "SELECT sum(remaining) FROM grant_balances"), 0);
    assert_int_equal(fixture_int(b, "SELECT open FROM invoice_balances"), 50000);
    /* Breakage of the expired prepaid credit; receivable holds what is due. */
    assert_int_equal(balance(b, "breakage"), -60000);
    assert_int_equal(balance(b, "receivable"), 50000);
    assert_int_equal(balance(b, "customer_credit"), 0);
    book_close(b);
}

/* A grant can be used on its expiry date itself. */
static void test_usable_on_expiry_date(void **state)
{
    (void)state;
    struct book *b = book_with_acme();
    grant(b, 60000, "2026-01-10", "2026-03-31", CREDIT_PREPAID);
    struct invoice_result r = issue(b, 25000, "2026-03-31");
    assert_true(r.credit_paid.minor == 25000 && r.due.minor == 0);
    /* Expiring as of 31 March does nothing; as of 1 April the $350 left expires that day. */
    int n;
    struct err e = {0};
    assert_int_equal(credit_expire(b, D("2026-03-31"), &n, &e), ERR_OK);
    assert_int_equal(n, 0);
    assert_int_equal(credit_expire(b, D("2026-04-01"), &n, &e), ERR_OK);
    assert_int_equal(n, 1);
    assert_int_equal(fixture_int(b, "SELECT amount FROM credit_movements WHERE kind = 'expired'"
                                    " AND on_date = '2026-04-01'"),
                     -35000);
    /* Running it again changes nothing. */
    assert_int_equal(credit_expire(b, D("2026-05-01"), &n, &e), ERR_OK);
    assert_int_equal(n, 0);
    book_close(b);
}

/* Ties: same expiry -> the older grant; same grant date too -> the lower id. Promotional credit
 * is free: applying it is a sales discount, and its expiry posts nothing. */
static void test_order_and_free_credit(void **state)
{
    (void)state;
    struct book *b = book_with_acme();
    grant(b, 10000, "2026-02-01", "2026-06-30", CREDIT_PREPAID);     /* id 1 */
    grant(b, 10000, "2026-01-01", "2026-06-30", CREDIT_PROMOTIONAL); /* id 2: older, first */
    grant(b, 10000, "2026-01-01", "2026-06-30", CREDIT_GOODWILL);    /* id 3: same date, after 2 */
    grant(b, 10000, "2026-01-01", "2026-05-31", CREDIT_PREPAID);     /* id 4: earliest expiry */
    struct invoice_result r = issue(b, 25000, "2026-03-01");
    /* Order 4 (100), 2 (100), 3 (50): paid 100, free 150. */
    assert_true(r.credit_paid.minor == 10000);
    assert_true(r.credit_free.minor == 15000);
    assert_true(r.due.minor == 0);
    assert_int_equal(fixture_int(b, "SELECT remaining FROM grant_balances WHERE grant_id = 3"),
                     5000);
    assert_int_equal(fixture_int(b, "SELECT remaining FROM grant_balances WHERE grant_id = 1"),
                     10000);
    assert_int_equal(balance(b, "discounts"), 15000);
    /* Free credit expiring on 1 July posts nothing; paid credit goes to breakage. */
    int n;
    struct err e = {0};
    assert_int_equal(credit_expire(b, D("2026-07-01"), &n, &e), ERR_OK);
    assert_int_equal(n, 2); /* grant 3's 50 and grant 1's 100 */
    assert_int_equal(balance(b, "breakage"), -10000);
    assert_int_equal(balance(b, "discounts"), 15000);
    assert_int_equal(balance(b, "customer_credit"), 0);
    book_close(b);
}

/* A grant dated after the invoice does not apply to it; a draft uses no credit. */
static void test_future_grant_and_draft(void **state)
{
    (void)state;
    struct book *b = book_with_acme();
    grant(b, 50000, "2026-05-01", NULL, CREDIT_PREPAID);
    struct invoice_result r = issue(b, 20000, "2026-04-30");
    assert_true(r.due.minor == 20000);
    struct invoice_line_input line = {"Draft work", money_of(30000)};
    struct invoice_input in = {.customer = "ACME",
                               .issued_on = D("2026-05-02"),
                               .due_on = DATE_NONE,
                               .lines = &line,
                               .nlines = 1,
                               .draft = true};
    struct invoice_result dr;
    struct err e = {0};
    assert_int_equal(invoice_create(b, &in, &dr, &e), ERR_OK);
    assert_int_equal(fixture_int(b, "SELECT count(*) FROM credit_movements WHERE kind ="
                                    " 'applied'"),
                     0);
    assert_int_equal(fixture_int(b, "SELECT count(*) FROM journal_entries WHERE kind ="
                                    " 'invoice'"),
                     1);
    /* Issuing the draft applies credit then. */
    struct invoice_result ir;
    assert_int_equal(invoice_issue_draft(b, dr.number, DATE_NONE, &ir, &e), ERR_OK);
    assert_true(ir.credit_paid.minor == 30000 && ir.due.minor == 0);
    /* Applying the rest to the older open invoice settles it: 500 - 300 = 200 left, all used. */
    struct money applied;
    assert_int_equal(credit_apply_open(b, "ACME", D("2026-05-03"), &applied, &e), ERR_OK);
    assert_true(applied.minor == 20000);
    assert_int_equal(fixture_int(b, "SELECT sum(open) FROM invoice_balances"), 0);
    book_close(b);
}

/* Refunds take only paid credit back in cash; adjustments correct a grant, never below zero. */
static void test_refund_and_adjust(void **state)
{
    (void)state;
    struct book *b = book_with_acme();
    struct err e = {0};
    grant(b, 30000, "2026-01-01", NULL, CREDIT_PREPAID);     /* 1 */
    grant(b, 20000, "2026-01-01", NULL, CREDIT_PROMOTIONAL); /* 2 */
    assert_int_equal(credit_refund(b, "ACME", money_of(35000), D("2026-02-01"), "closing", 0, &e),
                     ERR_RULE);
    assert_string_equal(e.msg, "amount: 350.00 asks for more than the 300.00 of prepaid credit"
                               " ACME can be refunded");
    assert_int_equal(credit_refund(b, "ACME", money_of(10000), D("2026-02-01"), "asked", 2, &e),
                     ERR_RULE);
    assert_int_equal(credit_refund(b, "ACME", money_of(10000), D("2026-02-01"), "asked", 0, &e),
                     ERR_OK);
    assert_int_equal(balance(b, "cash"), 20000); /* 300 in, 100 back */
    assert_int_equal(balance(b, "customer_credit"), -20000);
    assert_int_equal(credit_adjust(b, 1, money_of(-25000), D("2026-02-02"), "typo", &e), ERR_RULE);
    assert_string_equal(e.msg, "amount: the grant holds only 200.00; it cannot go below zero");
    assert_int_equal(credit_adjust(b, 1, money_of(-5000), D("2026-02-02"), "typo", &e), ERR_OK);
    assert_int_equal(credit_adjust(b, 2, money_of(5000), D("2026-02-02"), "goodwill", &e), ERR_OK);
    assert_int_equal(balance(b, "customer_credit"), -15000); /* paid: 200 - 50 */
    assert_int_equal(balance(b, "discounts"), -5000);        /* the paid correction only */
    assert_int_equal(fixture_int(b, "SELECT remaining FROM grant_balances WHERE grant_id = 2"),
                     25000);
    /* Every movement is logged with who did it. */
    assert_int_equal(fixture_int(b, "SELECT count(*) FROM credit_movements WHERE by_user <>"
                                    " 'tester'"),
                     0);
    assert_int_equal(fixture_int(b, "SELECT count(*) FROM change_log WHERE action LIKE"
                                    " 'credit.%'"),
                     5); /* 2 grants, 1 refund, 2 adjustments */
    book_close(b);
}

/* Payments: beyond what is owed, or tied to no invoice, the money funds credit. */
static void test_payments(void **state)
{
    (void)state;
    struct book *b = book_with_acme();
    struct err e = {0};
    struct invoice_result inv = issue(b, 100000, "2026-03-01");
    struct payment_input p = {.customer = "ACME",
                              .amount = money_of(120000),
                              .received_on = D("2026-03-20"),
                              .invoice = inv.number};
    struct payment_result pr;
    assert_int_equal(payment_record(b, &p, &pr, &e), ERR_OK);
    assert_true(pr.applied.minor == 100000 && pr.to_credit.minor == 20000);
    struct payment_input q = {
        .customer = "ACME", .amount = money_of(5000), .received_on = D("2026-03-21")};
    assert_int_equal(payment_record(b, &q, &pr, &e), ERR_OK);
    assert_true(pr.applied.minor == 0 && pr.to_credit.minor == 5000);
    assert_int_equal(balance(b, "cash"), 125000);
    assert_int_equal(balance(b, "receivable"), 0);
    assert_int_equal(balance(b, "customer_credit"), -25000);
    assert_int_equal(fixture_int(b, "SELECT count(*) FROM credit_grants WHERE kind = 'prepaid'"
                                    " AND payment_id IS NOT NULL"),
                     2);
    /* The next invoice uses that credit. */
    struct invoice_result r2 = issue(b, 30000, "2026-04-01");
    assert_true(r2.credit_paid.minor == 25000 && r2.due.minor == 5000);
    /* A payment dated before its invoice is refused and writes nothing. */
    struct payment_input early = {.customer = "ACME",
                                  .amount = money_of(5000),
                                  .received_on = D("2026-03-31"),
                                  .invoice = r2.number};
    int64_t before = fixture_int(b, "SELECT count(*) FROM payments");
    assert_int_equal(payment_record(b, &early, &pr, &e), ERR_RULE);
    assert_int_equal(fixture_int(b, "SELECT count(*) FROM payments"), before);
    book_close(b);
}

/* Credit notes reduce what an invoice asks for; beyond its open balance they become credit. */
static void test_credit_note(void **state)
{
    (void)state;
    struct book *b = book_with_acme();
    struct err e = {0};
    struct invoice_result inv = issue(b, 100000, "2026-03-01");
    struct payment_input p = {.customer = "ACME",
                              .amount = money_of(70000),
                              .received_on = D("2026-03-10"),
                              .invoice = inv.number};
    struct payment_result pr;
    assert_int_equal(payment_record(b, &p, &pr, &e), ERR_OK);
    struct credit_note_result cn;
    assert_int_equal(
        invoice_credit_note(b, inv.number, money_of(50000), D("2026-03-15"), "outage", &cn, &e),
        ERR_OK);
    /* 300 was open: 300 against the invoice, 200 to refund credit. */
    assert_true(cn.applied.minor == 30000 && cn.to_credit.minor == 20000);
    assert_int_equal(fixture_int(b, "SELECT open FROM invoice_balances"), 0);
    assert_int_equal(fixture_int(b, "SELECT remaining FROM grant_balances g JOIN credit_grants"
                                    " c ON c.id = g.grant_id WHERE c.kind = 'refund'"),
                     20000);
    assert_int_equal(balance(b, "discounts"), 50000);
    assert_int_equal(balance(b, "receivable"), 0);
    assert_int_equal(balance(b, "customer_credit"), -20000);
    book_close(b);
}

/* ---- two people at once ------------------------------------------------------------------ */

static int pay_600(struct book *b, void *arg, struct err *e)
{
    struct payment_input p = {.customer = "ACME",
                              .amount = money_of(60000),
                              .received_on = D("2026-03-10"),
                              .invoice = arg};
    struct payment_result pr;
    return payment_record(b, &p, &pr, e);
}

static int credit_600(struct book *b, void *arg, struct err *e)
{
    struct credit_note_result *cn = arg;
    return invoice_credit_note(b, "INV-000001", money_of(60000), D("2026-03-15"), "outage", cn, e);
}

static int issue_draft(struct book *b, void *arg, struct err *e)
{
    struct invoice_result r;
    return invoice_issue_draft(b, arg, DATE_NONE, &r, e);
}

/* A credit note saved while someone records a payment on the same invoice settles what the
 * payment left open and turns the rest into credit, as it would a moment later. */
static void test_credit_note_while_paid(void **state)
{
    (void)state;
    char path[64];
    struct book *b = fixture_file_book("USD", path);
    struct customer_input cu = {.code = "ACME", .name = "Acme Corporation", .terms_days = 30};
    int64_t id;
    struct err e = {0};
    assert_int_equal(customer_add(b, &cu, &id, &e), ERR_OK);
    struct invoice_result inv = issue(b, 100000, "2026-03-01");
    assert_string_equal(inv.number, "INV-000001");
    struct credit_note_result cn = {0};
    assert_int_equal(fixture_race(b, path, pay_600, inv.number, credit_600, &cn, &e), ERR_OK);
    assert_true(cn.applied.minor == 40000 && cn.to_credit.minor == 20000);
    assert_int_equal(fixture_int(b, "SELECT open FROM invoice_balances"), 0);
    assert_int_equal(balance(b, "customer_credit"), -20000);
    book_close(b);
    fixture_file_remove(path);
}

/* Two people issuing the same draft at once: it is issued once, the second is told so. */
static void test_issue_draft_twice_at_once(void **state)
{
    (void)state;
    char path[64];
    struct book *b = fixture_file_book("USD", path);
    struct customer_input cu = {.code = "ACME", .name = "Acme Corporation", .terms_days = 30};
    int64_t id;
    struct err e = {0};
    assert_int_equal(customer_add(b, &cu, &id, &e), ERR_OK);
    struct invoice_line_input line = {"Draft work", money_of(30000)};
    struct invoice_input in = {.customer = "ACME",
                               .issued_on = D("2026-05-02"),
                               .due_on = DATE_NONE,
                               .lines = &line,
                               .nlines = 1,
                               .draft = true};
    struct invoice_result dr;
    assert_int_equal(invoice_create(b, &in, &dr, &e), ERR_OK);
    assert_int_equal(fixture_race(b, path, issue_draft, dr.number, issue_draft, dr.number, &e),
                     ERR_RULE);
    char want[96];
    snprintf(want, sizeof want, "invoice %s is already issued", dr.number);
    assert_string_equal(e.msg, want);
    assert_int_equal(fixture_int(b, "SELECT count(*) FROM journal_entries WHERE kind ="
                                    " 'invoice'"),
                     1);
    assert_int_equal(balance(b, "receivable"), 30000);
    book_close(b);
    fixture_file_remove(path);
}

static void test_plan_is_pure(void **state)
{
    (void)state;
    struct credit_grant g[3] = {
        {.id = 7, .remaining = {500}, .granted_on = 10, .expires_on = DATE_NONE},
        {.id = 3, .remaining = {500}, .granted_on = 10, .expires_on = 100},
        {.id = 5, .remaining = {500}, .granted_on = 5, .expires_on = 100},
    };
    struct credit_draw dr[3];
    size_t n = credit_plan(g, 3, 50, money_of(1200), dr);
    assert_int_equal(n, 3);
    assert_int_equal(dr[0].grant, 2); /* expiry 100, granted 5 */
    assert_int_equal(dr[1].grant, 1); /* expiry 100, granted 10 */
    assert_int_equal(dr[2].grant, 0); /* no expiry: last */
    assert_true(dr[2].amount.minor == 200);
    /* Past the expiry date only the open-ended grant is usable. */
    n = credit_plan(g, 3, 101, money_of(1200), dr);
    assert_int_equal(n, 1);
    assert_int_equal(dr[0].grant, 0);
    /* Before any grant date nothing is usable. */
    assert_int_equal(credit_plan(g, 3, 4, money_of(1200), dr), 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_worked_example_march),
        cmocka_unit_test(test_worked_example_april),
        cmocka_unit_test(test_usable_on_expiry_date),
        cmocka_unit_test(test_order_and_free_credit),
        cmocka_unit_test(test_future_grant_and_draft),
        cmocka_unit_test(test_refund_and_adjust),
        cmocka_unit_test(test_payments),
        cmocka_unit_test(test_credit_note),
        cmocka_unit_test(test_credit_note_while_paid),
        cmocka_unit_test(test_issue_draft_twice_at_once),
        cmocka_unit_test(test_plan_is_pure),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
