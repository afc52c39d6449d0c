/*
 * test_paging.c — keyset paging of the long lists (customer_page, contract_page, invoice_page):
 * walking a list page by page, forward from the first row or backward from the last, in every order
 * and with every filter, meets exactly the rows of the whole list in the same order; ties of the
 * sort key (equal names, equal balances) are neither lost nor repeated. Each list's count, whole
 * or a few ids at a time as the workstation counts it between keys, is the number of its rows.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <strings.h>

#include <cmocka.h>

#include "model/contract.h"
#include "model/credit.h"
#include "model/customer.h"
#include "model/invoice.h"
#include "tests/unit/fixture.h"

static void ok(int rc, const struct err *e)
{
    if (rc != ERR_OK)
        fail_msg("%s", e->msg);
}

/* 40 customers: names repeat, so do balances; some are archived. */
static struct book *with_customers(void)
{
    struct book *b = fixture_book("USD");
    struct err e = {0};
    static const char *const names[] = {"Acme", "globex", "Initech", "acme", "Zeta", "Beta"};
    for (int i = 0; i < 40; i++) {
        char code[16], name[32];
        snprintf(code, sizeof code, "%c%02d", i % 3 == 0 ? 'c' : 'C', i);
        snprintf(name, sizeof name, "%s", names[(i * 7) % 6]);
        struct customer_input in = {.code = code, .name = name, .terms_days = 30};
        int64_t id;
        ok(customer_add(b, &in, &id, &e), &e);
        if (i % 4 == 1) {
            struct invoice_line_input line = {"Plan", money_of(1000 * (i % 3 + 1))};
            struct invoice_input inv = {.customer = code,
                                        .issued_on = fixture_date("2026-03-01"),
                                        .due_on = DATE_NONE,
                                        .lines = &line,
                                        .nlines = 1};
            struct invoice_result r;
            ok(invoice_create(b, &inv, &r, &e), &e);
        }
        if (i % 5 == 2) {
            struct grant_input g = {.customer = code,
                                    .kind = CREDIT_PREPAID,
                                    .amount = money_of(500 * (i % 2 + 1)),
                                    .granted_on = fixture_date("2026-01-01"),
                                    .expires_on = DATE_NONE,
                                    .reason = "Prepaid"};
            int64_t gid;
            ok(credit_grant(b, &g, &gid, &e), &e);
        }
        if (i % 9 == 4) {
            struct customer c;
            ok(customer_find(b, code, &c, &e), &e);
            ok(customer_set_archived(b, c.id, c.revision, true, &e), &e);
            customer_clear(&c);
        }
    }
    return b;
}

typedef int (*count_fn)(struct book *b, const void *q, struct id_slice *s, struct err *e);

static int count_customers(struct book *b, const void *q, struct id_slice *s, struct err *e)
{
    return customer_count(b, q, s, e);
}

static int count_contracts(struct book *b, const void *q, struct id_slice *s, struct err *e)
{
    return contract_count(b, q, s, e);
}

static int count_invoices(struct book *b, const void *q, struct id_slice *s, struct err *e)
{
    return invoice_count(b, q, s, e);
}

/* The list's count in slices of `span` ids from id 0 until a slice reaches the largest id, as
 * the workstation counts it (every slice naming the same largest id); span 0: in one slice. */
static size_t counted(struct book *b, count_fn fn, const void *q, int64_t span)
{
    struct err e = {0};
    if (span == 0) {
        struct id_slice whole = {.from = 0, .to = INT64_MAX};
        ok(fn(b, q, &whole, &e), &e);
        return whole.count;
    }
    size_t n = 0;
    int64_t last = -1;
    for (int64_t from = 0;; from += span) {
        struct id_slice s = {.from = from, .to = from + span};
        ok(fn(b, q, &s, &e), &e);
        assert_true(last < 0 || s.last == last);
        last = s.last;
        n += s.count;
        if (s.to > s.last)
            return n;
    }
}

/* Whole, one id at a time (no id counted twice or missed at a slice's ends), and five. */
static void count_is(struct book *b, count_fn fn, const void *q, size_t want)
{
    assert_int_equal(counted(b, fn, q, 0), want);
    assert_int_equal(counted(b, fn, q, 1), want);
    assert_int_equal(counted(b, fn, q, 5), want);
}

static void same_ids(const struct customer_list *want, const int64_t *got, size_t n)
{
    assert_int_equal(n, want->n);
    for (size_t i = 0; i < n; i++)
        assert_int_equal(got[i], want->rows[i].id);
}

static void walk_customers(struct book *b, const struct customer_query *q, size_t limit)
{
    struct err e = {0};
    struct customer_list all = {0};
    ok(customer_list(b, q, 0, 1000, &all, &e), &e);
    count_is(b, count_customers, q, all.n);
    int64_t *ids = calloc(all.n + 1, sizeof *ids);

    /* Forward from the first row. */
    size_t n = 0;
    struct customer_list page = {0};
    ok(customer_page(b, q, PAGE_FIRST, NULL, limit, &page, &e), &e);
    while (page.n) {
        assert_true(n + page.n <= all.n);
        for (size_t i = 0; i < page.n; i++)
            ids[n++] = page.rows[i].id;
        struct customer_list next = {0};
        ok(customer_page(b, q, PAGE_AFTER, &page.rows[page.n - 1], limit, &next, &e), &e);
        customer_list_free(&page);
        page = next;
    }
    same_ids(&all, ids, n);

    /* Backward from the last row. */
    n = 0;
    ok(customer_page(b, q, PAGE_LAST, NULL, limit, &page, &e), &e);
    while (page.n) {
        assert_true(n + page.n <= all.n);
        for (size_t i = page.n; i-- > 0;)
            ids[all.n - 1 - n++] = page.rows[i].id;
        struct customer_list prev = {0};
        ok(customer_page(b, q, PAGE_BEFORE, &page.rows[0], limit, &prev, &e), &e);
        customer_list_free(&page);
        page = prev;
    }
    same_ids(&all, ids, n);

    /* From and until a row take the row itself. */
    for (size_t k = 0; k < all.n; k += 5) {
        struct customer_list from = {0}, until = {0};
        ok(customer_page(b, q, PAGE_FROM, &all.rows[k], 3, &from, &e), &e);
        ok(customer_page(b, q, PAGE_UNTIL, &all.rows[k], 3, &until, &e), &e);
        assert_int_equal(from.rows[0].id, all.rows[k].id);
        assert_int_equal(until.rows[until.n - 1].id, all.rows[k].id);
        assert_int_equal(until.n, k + 1 < 3 ? k + 1 : 3);
        customer_list_free(&from);
        customer_list_free(&until);
    }
    free(ids);
    customer_list_free(&all);
}

static void test_customer_pages(void **state)
{
    (void)state;
    struct book *b = with_customers();
    struct err e = {0};
    /* The balances kept for sorting, filled seven ids at a time as the workstation fills them
     * between keys; the pages from them meet the rows of the list worked out whole. Filled
     * twice: starting again empties what was kept. */
    for (int again = 0; again < 2; again++) {
        ok(customer_sort_start(b, &e), &e);
        struct customer_query owed = {.sort = CUSTOMER_SORT_OWED, .kept = true};
        struct customer_list none = {0};
        ok(customer_page(b, &owed, PAGE_FIRST, NULL, 50, &none, &e), &e);
        assert_int_equal(none.n, 0);
        size_t kept = 0;
        for (int64_t from = 0;; from += 7) {
            struct id_slice sl = {.from = from, .to = from + 7};
            ok(customer_sort_fill(b, &sl, &e), &e);
            kept += sl.count;
            if (sl.to > sl.last)
                break;
        }
        assert_int_equal(kept, 40);
    }
    static const char *const filters[] = {NULL, "acme", "C1", "nothing"};
    for (int sort = 0; sort < 4; sort++)
        for (int desc = 0; desc < 2; desc++)
            for (int f = 0; f < 4; f++)
                for (int arch = 0; arch < 4; arch++) {
                    struct customer_query q = {.filter = filters[f],
                                               .sort = (enum customer_sort)sort,
                                               .descending = desc,
                                               .include_archived = arch & 1,
                                               .kept = arch & 2};
                    walk_customers(b, &q, 1);
                    walk_customers(b, &q, 7);
                }
    book_close(b);
}

/* Walks the list forward page by page, then backward, each meeting the rows of *all in order;
 * a page stopped short by the query's reach goes on from where it stopped. Returns how many
 * pages the walk forward took. */
static size_t walk_contracts(struct book *b, const struct contract_query *q, size_t limit,
                             const struct contract_rows *all)
{
    struct err e = {0};
    struct contract_rows page = {0};
    char stop[CODE_MAX + 1], at[CODE_MAX + 1];
    size_t n = 0, pages = 1;
    ok(contract_page(b, q, PAGE_FIRST, NULL, limit, &page, stop, &e), &e);
    for (;;) {
        assert_true(page.n <= limit);
        for (size_t i = 0; i < page.n; i++, n++) {
            assert_true(n < all->n);
            assert_string_equal(page.v[i].c.code, all->v[n].c.code);
            assert_int_equal(page.v[i].obligations, all->v[n].obligations);
        }
        if (!q->reach)
            assert_string_equal(stop, "");
        if (page.n < limit && !*stop)
            break;
        snprintf(at, sizeof at, "%s", *stop ? stop : page.v[page.n - 1].c.code);
        contract_rows_free(&page);
        assert_true(++pages < 64);
        ok(contract_page(b, q, PAGE_AFTER, at, limit, &page, stop, &e), &e);
    }
    contract_rows_free(&page);
    assert_int_equal(n, all->n);
    ok(contract_page(b, q, PAGE_LAST, NULL, limit, &page, stop, &e), &e);
    for (;;) {
        for (size_t i = page.n; i-- > 0;) {
            assert_true(n > 0);
            assert_string_equal(page.v[i].c.code, all->v[--n].c.code);
        }
        if (page.n < limit && !*stop)
            break;
        snprintf(at, sizeof at, "%s", *stop ? stop : page.v[0].c.code);
        contract_rows_free(&page);
        ok(contract_page(b, q, PAGE_BEFORE, at, limit, &page, stop, &e), &e);
    }
    contract_rows_free(&page);
    assert_int_equal(n, 0);
    return pages;
}

static void test_contract_pages(void **state)
{
    (void)state;
    struct book *b = with_customers();
    struct err e = {0};
    for (int i = 0; i < 30; i++) {
        char code[16], customer[16];
        snprintf(code, sizeof code, "%c-%02d", i % 2 ? 'k' : 'K', 29 - i);
        snprintf(customer, sizeof customer, "%c%02d", i % 3 == 0 ? 'c' : 'C', i);
        struct contract_input in = {.code = code,
                                    .customer = customer,
                                    .description = i % 4 ? "Hosting" : "Support",
                                    .signed_on = DATE_NONE,
                                    .start_on = fixture_date("2026-01-01"),
                                    .end_on = fixture_date("2026-12-31"),
                                    .trial_end = DATE_NONE,
                                    .payment_terms_days = -1,
                                    .price = {.fixed = {12000}},
                                    .billing = BILL_MONTHLY};
        int64_t id;
        ok(contract_add(b, &in, &id, &e), &e);
        if (i == 0) { /* and K_2X, whose code holds a _ */
            in.code = "K_2X";
            ok(contract_add(b, &in, &id, &e), &e);
        }
    }
    static const char *const filters[] = {NULL, "Support", "C1", "nothing"};
    static const size_t reaches[] = {0, 1, 4};
    for (int f = 0; f < 4; f++)
        for (int status = -1; status < 2; status++)
            for (size_t limit = 1; limit < 9; limit += 7)
                for (size_t r = 0; r < 3; r++) {
                    struct contract_query q = {
                        .filter = filters[f], .status = status, .reach = reaches[r]};
                    struct contract_rows all = {0};
                    ok(contract_list(b, &q, &all, &e), &e);
                    if (r == 0)
                        count_is(b, count_contracts, &q, all.n);
                    walk_contracts(b, &q, limit, &all);
                    contract_rows_free(&all);
                }
    /* With a reach of 4, a search nothing matches reads the 31 contracts four at a time: seven
     * pages stop short, the eighth reads the last three and ends the list. */
    struct contract_query none = {.filter = "nothing", .status = -1, .reach = 4};
    struct contract_rows empty = {0};
    assert_int_equal(walk_contracts(b, &none, 8, &empty), 8);
    /* A search takes % and _ as themselves: "K_2" is only in K_2X, "K-2" in K-20 to K-29. */
    static const struct {
        const char *filter;
        size_t n;
    } literal[] = {{"K_2", 1}, {"k_2x", 1}, {"K%2", 0}, {"K-2", 10}, {"k-2", 10}};
    for (size_t i = 0; i < sizeof literal / sizeof *literal; i++) {
        struct contract_query q = {.filter = literal[i].filter, .status = -1};
        struct contract_rows page = {0};
        ok(contract_page(b, &q, PAGE_FIRST, NULL, 40, &page, NULL, &e), &e);
        assert_int_equal(page.n, literal[i].n);
        for (size_t k = 0; k < page.n; k++)
            assert_true(strncasecmp(page.v[k].c.code, literal[i].filter, 3) == 0);
        count_is(b, count_contracts, &q, literal[i].n);
        contract_rows_free(&page);
    }
    book_close(b);
}

static bool contains(const char *hay, const char *needle)
{
    for (size_t n = strlen(needle); *hay; hay++)
        if (strncasecmp(hay, needle, n) == 0)
            return true;
    return false;
}

/* As walk_contracts, for invoices newest first. */
static size_t walk_invoices(struct book *b, const struct invoice_query *q, size_t limit,
                            const struct invoice_rows *want)
{
    struct err e = {0};
    struct invoice_rows page = {0};
    struct invoice_row stop, at;
    size_t n = 0, pages = 1;
    ok(invoice_page(b, q, PAGE_FIRST, NULL, limit, &page, &stop, &e), &e);
    for (;;) {
        assert_true(page.n <= limit);
        for (size_t i = 0; i < page.n; i++, n++) {
            assert_true(n < want->n);
            assert_string_equal(page.v[i].number, want->v[n].number);
            assert_int_equal(page.v[i].open.minor, want->v[n].open.minor);
        }
        if (!q->reach)
            assert_int_equal(stop.id, 0);
        if (page.n < limit && !stop.id)
            break;
        at = stop.id ? stop : page.v[page.n - 1];
        invoice_rows_free(&page);
        assert_true(++pages < 64);
        ok(invoice_page(b, q, PAGE_AFTER, &at, limit, &page, &stop, &e), &e);
    }
    invoice_rows_free(&page);
    assert_int_equal(n, want->n);
    ok(invoice_page(b, q, PAGE_LAST, NULL, limit, &page, &stop, &e), &e);
    for (;;) {
        for (size_t i = page.n; i-- > 0;) {
            assert_true(n > 0);
            assert_string_equal(page.v[i].number, want->v[--n].number);
        }
        if (page.n < limit && !stop.id)
            break;
        at = stop.id ? stop : page.v[0];
        invoice_rows_free(&page);
        ok(invoice_page(b, q, PAGE_BEFORE, &at, limit, &page, &stop, &e), &e);
    }
    invoice_rows_free(&page);
    assert_int_equal(n, 0);
    return pages;
}

static void test_invoice_pages(void **state)
{
    (void)state;
    struct book *b = with_customers();
    struct err e = {0};
    /* Credit settles C02's invoices as they are issued. */
    struct grant_input g = {.customer = "C02",
                            .kind = CREDIT_PREPAID,
                            .amount = money_of(100000),
                            .granted_on = fixture_date("2026-01-01"),
                            .expires_on = DATE_NONE,
                            .reason = "Prepaid"};
    int64_t gid;
    ok(credit_grant(b, &g, &gid, &e), &e);
    for (int k = 0; k < 25; k++) {
        char customer[16], day[16];
        snprintf(customer, sizeof customer, "%c%02d", (k % 5) % 3 == 0 ? 'c' : 'C', k % 5);
        snprintf(day, sizeof day, "2026-0%d-1%d", 1 + k % 3, k % 4);
        struct invoice_line_input line = {"Plan", money_of(100 * (k + 1))};
        struct invoice_input inv = {.customer = customer,
                                    .issued_on = fixture_date(day),
                                    .due_on = DATE_NONE,
                                    .lines = &line,
                                    .nlines = 1,
                                    .draft = k % 6 == 0};
        struct invoice_result r;
        ok(invoice_create(b, &inv, &r, &e), &e);
    }
    static const char *const filters[] = {NULL, "c02", "INV-00001", "nothing"};
    for (int f = 0; f < 4; f++)
        for (int open = 0; open < 2; open++)
            for (size_t limit = 1; limit < 9; limit += 7) {
                struct invoice_query q = {
                    .open_only = open, .include_drafts = !open, .filter = filters[f]};
                struct invoice_rows all = {0}, want = {0};
                ok(invoice_list(b, &q, &all, &e), &e);
                /* Newest first, filtered as the page filters. */
                for (size_t i = all.n; i-- > 0;)
                    if (!filters[f] || contains(all.v[i].number, filters[f]) ||
                        contains(all.v[i].customer, filters[f])) {
                        want.v = realloc(want.v, (want.n + 1) * sizeof *want.v);
                        want.v[want.n++] = all.v[i];
                    }
                count_is(b, count_invoices, &q, want.n);
                for (size_t r = 0; r < 3; r++) {
                    q.reach = r * 3;
                    walk_invoices(b, &q, limit, &want);
                }
                invoice_rows_free(&all);
                free(want.v);
            }
    /* With a reach of 4, a search nothing matches reads the 35 invoices four at a time: eight
     * pages stop short, the ninth reads the last three and ends the list. */
    struct invoice_query none = {.filter = "nothing", .include_drafts = true, .reach = 4};
    struct invoice_rows empty = {0};
    assert_int_equal(walk_invoices(b, &none, 8, &empty), 9);
    book_close(b);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_customer_pages),
        cmocka_unit_test(test_contract_pages),
        cmocka_unit_test(test_invoice_pages),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
