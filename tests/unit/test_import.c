/*
 * test_import.c — the strict CSV reader and all-or-nothing imports: every bad row is reported
 * with its row and column, and nothing is written.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include "model/contract.h"
#include "model/csv.h"
#include "model/import.h"
#include "tests/unit/fixture.h"

static void test_reader(void **state)
{
    (void)state;
    const char data[] = "\xEF\xBB\xBF"
                        "a,b,c\r\n"
                        "1,\"two, with comma\",\"say \"\"hi\"\"\"\r\n"
                        "\n"
                        "x,\"multi\nline\",\r\n"
                        "last,,z";
    struct csv_reader r;
    struct csv_record rec;
    int row, col;
    struct err e = {0};
    csv_open(&r, data, sizeof data - 1);
    assert_int_equal(csv_next(&r, &rec, &row, &col, &e), 1);
    assert_int_equal(rec.n, 3);
    assert_string_equal(rec.field[0], "a");
    assert_int_equal(csv_next(&r, &rec, &row, &col, &e), 1);
    assert_int_equal(rec.row, 2);
    assert_string_equal(rec.field[1], "two, with comma");
    assert_string_equal(rec.field[2], "say \"hi\"");
    assert_int_equal(csv_next(&r, &rec, &row, &col, &e), 1);
    assert_int_equal(rec.row, 4);
    assert_string_equal(rec.field[1], "multi\nline");
    assert_string_equal(rec.field[2], "");
    assert_int_equal(csv_next(&r, &rec, &row, &col, &e), 1);
    assert_int_equal(rec.row, 6);
    assert_int_equal(rec.n, 3);
    assert_string_equal(rec.field[2], "z");
    assert_int_equal(csv_next(&r, &rec, &row, &col, &e), 0);
    csv_close(&r);
}

static void expect_reader_error(const char *data, size_t len, int want_row, int want_col,
                                const char *msg)
{
    struct csv_reader r;
    struct csv_record rec;
    int row = 0, col = 0, got;
    struct err e = {0};
    csv_open(&r, data, len);
    while ((got = csv_next(&r, &rec, &row, &col, &e)) == 1)
        ;
    csv_close(&r);
    assert_int_equal(got, -1);
    assert_int_equal(row, want_row);
    assert_int_equal(col, want_col);
    assert_string_equal(e.msg, msg);
}

static void test_reader_errors(void **state)
{
    (void)state;
    expect_reader_error("a,b\n1,\"open", 11, 2, 2, "unclosed quote");
    expect_reader_error("a,b\n1,x\"y\n", 10, 2, 2, "a quote inside an unquoted field");
    expect_reader_error("a,b\n1,\"x\"y\n", 11, 2, 2, "text after a closing quote");
    expect_reader_error("a,b\n1,\xff\xfe\n", 9, 2, 2, "is not valid UTF-8");
    expect_reader_error("a,b\n1,\xc0\xaf\n", 9, 2, 2, "is not valid UTF-8"); /* overlong */
    expect_reader_error("a,b\n1,x\0y\n", 10, 2, 2, "contains a NUL byte");
    /* UTF-16, little- and big-endian, is named rather than failing on its first NUL byte. */
    expect_reader_error("\xff\xfe"
                        "a\0,\0b\0",
                        8, 1, 1, "the file is UTF-16, not UTF-8 (save it as CSV UTF-8)");
    expect_reader_error("\xfe\xff\0a\0,\0b", 8, 1, 1,
                        "the file is UTF-16, not UTF-8 (save it as CSV UTF-8)");
    size_t big = CSV_FIELD_MAX + 10;
    char *huge = malloc(big + 8);
    memcpy(huge, "a\n", 2);
    memset(huge + 2, 'x', big);
    expect_reader_error(huge, big + 2, 2, 1, "field is longer than 131072 bytes");
    free(huge);
}

static int import(struct book *b, enum import_kind kind, const char *csv, struct import_result *r)
{
    struct err e = {0};
    return import_csv(b, kind, csv, strlen(csv), r, &e);
}

/* A file that must be refused with exactly one error, and where and what that error is. */
struct one_error {
    enum import_kind kind;
    const char *csv;
    int row, column;
    const char *msg;
};

static void expect_each(struct book *b, const struct one_error *cases, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        const struct one_error *c = &cases[i];
        struct import_result r;
        int rc = import(b, c->kind, c->csv, &r);
        if (rc != ERR_INPUT || r.nerrors != 1)
            fail_msg("case %zu: %d, %zu errors, not one", i, rc, r.nerrors);
        const struct import_error *x = &r.errors[0];
        if (x->row != c->row || x->column != c->column || strcmp(x->message, c->msg) != 0)
            fail_msg("case %zu: got %d:%d: %s\nwant %d:%d: %s", i, x->row, x->column, x->message,
                     c->row, c->column, c->msg);
        import_result_free(&r);
    }
}

#define EXPECT_EACH(b, cases) expect_each(b, cases, sizeof cases / sizeof cases[0])

static void test_customers_all_or_nothing(void **state)
{
    (void)state;
    struct book *b = fixture_book("USD");
    struct import_result r;
    /* Three bad rows among good ones: each is named, and nothing is written. */
    const char *bad = "Code,Name,Currency,Terms,Email\n"
                      "ACME,Acme Corporation,USD,30,billing@acme.example\n"
                      "BRAUN,Bräunlich GmbH,XYZ,30,\n"
                      "INIT,Initech,USD,400,\n"
                      "ACME,Acme again,USD,30,\n"
                      "ZOE,Zoë Åberg,EUR,14,not-an-address\n";
    assert_int_equal(import(b, IMPORT_CUSTOMERS, bad, &r), ERR_INPUT);
    assert_int_equal(r.records, 5);
    assert_int_equal(r.written, 0);
    assert_int_equal(r.nerrors, 4);
    assert_int_equal(r.errors[0].row, 3);
    assert_int_equal(r.errors[0].column, 3);
    assert_string_equal(r.errors[0].message,
                        "currency: 'XYZ' is not an ISO 4217 currency ratable knows");
    assert_int_equal(r.errors[1].row, 4);
    assert_int_equal(r.errors[1].column, 4);
    assert_string_equal(r.errors[1].message, "terms: '400' is not a number of days from 0 to 365");
    assert_int_equal(r.errors[2].row, 5);
    assert_int_equal(r.errors[2].column, 1);
    /* ACME is on row 2 of the same file: the book holds no ACME, so "already exists" would
     * mislead. */
    assert_string_equal(r.errors[2].message, "code: 'ACME' is already on row 2 of this file");
    assert_int_equal(r.errors[3].row, 6);
    assert_int_equal(r.errors[3].column, 5);
    import_result_free(&r);
    assert_int_equal(fixture_int(b, "SELECT count(*) FROM customers"), 0);
    assert_int_equal(fixture_int(b, "SELECT count(*) FROM change_log"), 1); /* book.init only */

    const char *good = "code,name,currency,terms\n"
                       "ACME,Acme Corporation,USD,30\n"
                       "BRAUN,Bräunlich GmbH,EUR,30\n"
                       "SAKURA,さくら工業,JPY,60\n";
    assert_int_equal(import(b, IMPORT_CUSTOMERS, good, &r), ERR_OK);
    assert_int_equal(r.written, 3);
    import_result_free(&r);
    assert_int_equal(fixture_int(b, "SELECT count(*) FROM customers"), 3);
    book_close(b);
}

static void test_header_and_shape(void **state)
{
    (void)state;
    struct book *b = fixture_book("USD");
    struct import_result r;
    assert_int_equal(import(b, IMPORT_CUSTOMERS, "", &r), ERR_INPUT);
    assert_string_equal(r.errors[0].message, "the file is empty (it needs a header row)");
    import_result_free(&r);
    /* A header alone, even after blank lines and followed by some, imports nothing: refused. */
    static const struct one_error header_only[] = {
        {IMPORT_CUSTOMERS, "code,name\n", 1, 0, "the file has a header but no rows to import"},
        {IMPORT_CUSTOMERS, "\r\n\ncode,name\r\n\r\n\n", 3, 0,
         "the file has a header but no rows to import"},
    };
    EXPECT_EACH(b, header_only);
    /* The misspelt column comes first; the missing one it causes, about the whole row, next. */
    assert_int_equal(import(b, IMPORT_CUSTOMERS, "code,nom\nA,B\n", &r), ERR_INPUT);
    assert_int_equal(r.nerrors, 2);
    assert_int_equal(r.errors[0].row, 1);
    assert_int_equal(r.errors[0].column, 2);
    assert_string_equal(r.errors[0].message,
                        "unknown column 'nom' (expected code, name, currency, email, terms,"
                        " address)");
    assert_int_equal(r.errors[1].column, 0);
    assert_string_equal(r.errors[1].message, "the header has no 'name' column");
    import_result_free(&r);
    /* A second byte-order mark is not skipped: it is shown in the name it spoils. */
    assert_int_equal(import(b, IMPORT_CUSTOMERS, "\357\273\277\357\273\277code,name\nA,B\n", &r),
                     ERR_INPUT);
    assert_int_equal(r.nerrors, 2);
    assert_int_equal(r.errors[0].column, 1);
    assert_string_equal(r.errors[0].message,
                        "unknown column '\\u{FEFF}code' (expected code, name, currency, email,"
                        " terms, address)");
    assert_string_equal(r.errors[1].message, "the header has no 'code' column");
    import_result_free(&r);
    assert_int_equal(import(b, IMPORT_CUSTOMERS, "code,name\nA,B,C\nD\n", &r), ERR_INPUT);
    assert_int_equal(r.nerrors, 2);
    assert_string_equal(r.errors[0].message, "has 3 fields; the header has 2");
    assert_int_equal(r.errors[0].column, 3);
    assert_string_equal(r.errors[1].message, "has 1 field; the header has 2");
    assert_int_equal(r.errors[1].column, 2);
    import_result_free(&r);
    book_close(b);
}

static void test_invoices_and_payments(void **state)
{
    (void)state;
    struct book *b = fixture_book("USD");
    struct import_result r;
    assert_int_equal(
        import(b, IMPORT_CUSTOMERS, "code,name,currency\nACME,Acme,USD\nSAK,Sakura,JPY\n", &r),
        ERR_OK);
    import_result_free(&r);
    assert_int_equal(import(b, IMPORT_CREDITS,
                            "customer,amount,date,expires,kind,reason\n"
                            "ACME,100.00,2026-01-01,2026-12-31,promotional,welcome\n",
                            &r),
                     ERR_OK);
    import_result_free(&r);
    /* Lines sharing a number form one invoice; JPY has no decimals. */
    const char *inv = "number,customer,date,description,amount\n"
                      "A-1,ACME,2026-02-01,Plan,900.00\n"
                      "A-1,ACME,2026-02-01,Support,100.00\n"
                      "S-1,SAK,2026-02-01,Plan,\"120,000\"\n";
    assert_int_equal(import(b, IMPORT_INVOICES, inv, &r), ERR_OK);
    assert_int_equal(r.written, 2);
    import_result_free(&r);
    assert_int_equal(fixture_int(b, "SELECT total FROM invoices WHERE number = 'A-1'"), 100000);
    assert_int_equal(fixture_int(b, "SELECT open FROM invoice_balances ib JOIN invoices i ON"
                                    " i.id = ib.invoice_id WHERE i.number = 'A-1'"),
                     90000); /* 100.00 of promotional credit applied */
    assert_int_equal(fixture_int(b, "SELECT total FROM invoices WHERE number = 'S-1'"), 120000);

    const char *bad = "customer,amount,date,invoice\n"
                      "ACME,50.005,2026-02-10,A-1\n"
                      "ACME,50.00,2026-02-30,A-1\n"
                      "NOBODY,5.00,2026-02-10,\n"
                      "SAK,10.5,2026-02-10,S-1\n"
                      "ACME,900.00,2026-02-10,A-1\n";
    assert_int_equal(import(b, IMPORT_PAYMENTS, bad, &r), ERR_INPUT);
    assert_int_equal(r.nerrors, 4);
    assert_string_equal(r.errors[0].message, "amount: '50.005' has more than 2 decimals");
    assert_int_equal(r.errors[0].column, 2);
    assert_string_equal(r.errors[1].message, "date: '2026-02-30' is not a day of the calendar");
    assert_int_equal(r.errors[1].column, 3);
    assert_string_equal(r.errors[2].message, "customer: no customer 'NOBODY'");
    assert_int_equal(r.errors[2].column, 1);
    assert_string_equal(r.errors[3].message,
                        "amount: '10.5' has decimals, but the currency has no minor unit");
    import_result_free(&r);
    /* The good row among them was rolled back too. */
    assert_int_equal(fixture_int(b, "SELECT count(*) FROM payments"), 0);
    book_close(b);
}

static void test_messages_are_one_escaped_line(void **state)
{
    (void)state;
    struct book *b = fixture_book("USD");
    struct import_result r;
    assert_int_equal(import(b, IMPORT_CUSTOMERS, "code,name\nACME,Acme\n", &r), ERR_OK);
    import_result_free(&r);
    /* A quoted newline, a terminal escape sequence and a right-to-left override, each quoted
     * back by a message: every message stays one line and shows the bytes. */
    const char *bad = "customer,amount,date\n"
                      "ACME,\"1\n2\",2026-01-01\n"
                      "\x1b]0;owned\x07,5.00,2026-01-01\n"
                      "ACME,5.00,\"2026\xe2\x80\xae-01-01\"\n";
    assert_int_equal(import(b, IMPORT_PAYMENTS, bad, &r), ERR_INPUT);
    assert_int_equal(r.nerrors, 3);
    assert_string_equal(r.errors[0].message,
                        "amount: '1\\n2' is not an amount ('\\n' is not a digit)");
    assert_string_equal(r.errors[1].message, "customer: no customer '\\x1B]0;owned\\x07'");
    assert_string_equal(r.errors[2].message,
                        "date: '2026\\u{202E}-01-01' is not a date YYYY-MM-DD");
    import_result_free(&r);
    /* An 8-bit CSI (U+009B) in a name is a control character like ESC. */
    assert_int_equal(import(b, IMPORT_CUSTOMERS, "code,name\nC1,Acme\xc2\x9b[2J\n", &r), ERR_INPUT);
    assert_int_equal(r.errors[0].column, 2);
    assert_string_equal(r.errors[0].message, "name: contains a control character");
    import_result_free(&r);
    book_close(b);
}

/* A book with customer ACME and contract K1, active, whose obligation K1/1 is ratable and K1/2
 * usage; and K2, a draft, whose K2/1 is usage. */
static struct book *contract_book(void)
{
    struct book *b = fixture_book("USD");
    struct import_result r;
    assert_int_equal(import(b, IMPORT_CUSTOMERS, "code,name\nACME,Acme\n", &r), ERR_OK);
    import_result_free(&r);
    assert_int_equal(import(b, IMPORT_CONTRACTS,
                            "code,customer,signed,start,end,price\n"
                            "K1,ACME,2026-01-01,2026-01-01,2026-12-31,1200.00\n"
                            "K2,ACME,2026-01-01,2026-01-01,2026-12-31,1200.00\n",
                            &r),
                     ERR_OK);
    import_result_free(&r);
    assert_int_equal(import(b, IMPORT_OBLIGATIONS,
                            "contract,name,pattern,ssp\n"
                            "K1,Platform,ratable,1200.00\n"
                            "K1,API calls,usage,\n"
                            "K2,API calls,usage,\n",
                            &r),
                     ERR_OK);
    import_result_free(&r);
    struct err e = {0};
    assert_int_equal(contract_activate(b, "K1", fixture_date("2026-01-01"), &e), ERR_OK);
    return b;
}

static void test_empty_references(void **state)
{
    (void)state;
    static const struct one_error cases[] = {
        {IMPORT_CREDITS, "amount,customer,date,reason\n5.00,,2026-01-01,x\n", 2, 2,
         "customer: is empty (name the customer by its code)"},
        {IMPORT_PAYMENTS, "customer,amount,date\n\"\",5.00,2026-01-01\n", 2, 1,
         "customer: is empty (name the customer by its code)"},
        {IMPORT_OBLIGATIONS, "name,contract,pattern\nSupport,,ratable\n", 2, 2,
         "contract: is empty (name the contract by its code)"},
        {IMPORT_OBLIGATIONS, "contract,name,pattern\nK2,Support,\n", 2, 3,
         "pattern: is empty (ratable, point, usage or progress)"},
        {IMPORT_USAGE, "date,obligation,quantity,amount\n2026-02-01,,5,1.00\n", 2, 2,
         "obligation: is empty (name it CONTRACT/NUMBER, e.g. ACME-2026/1)"},
        {IMPORT_USAGE, "obligation,date,quantity,amount\nK1/2,2026-02-01,,1.00\n", 2, 3,
         "quantity: is empty (a number such as 1500 or 12.5)"},
    };
    struct book *b = contract_book();
    EXPECT_EACH(b, cases);
    book_close(b);
}

static void test_errors_name_the_import_column(void **state)
{
    (void)state;
    static const struct one_error cases[] = {
        /* The model spells fields as the command line does (trial-end, variable-method,
         * combined-reason, ssp-evidence, range); the import names the column of the file. */
        {IMPORT_CONTRACTS,
         "code,customer,start,end,price,variable,variable_method,trial_end\n"
         "K9,ACME,2026-01-01,2026-06-30,10.00,,,2026-07-01\n",
         2, 8, "trial-end: must fall within the term, before its end"},
        {IMPORT_CONTRACTS,
         "code,customer,start,end,price,variable,variable_method,trial_end\n"
         "K9,ACME,2026-01-01,2026-06-30,10.00,5.00,,\n",
         2, 7,
         "variable-method: say how the variable consideration was estimated (expected_value or"
         " most_likely)"},
        {IMPORT_OBLIGATIONS, "contract,name,pattern,distinct,combined_reason\nK2,Setup,point,no,\n",
         2, 5,
         "combined-reason: promises that are not distinct form one obligation with the others"
         " they depend on; say which and why"},
        {IMPORT_OBLIGATIONS,
         "contract,name,pattern,ssp_method,range_high,range_low\n"
         "K2,Setup,point,residual,1.00,5.00\n",
         2, 6, "range: the low end is above the high end"},
        {IMPORT_OBLIGATIONS, "contract,name,pattern,evidence\nK2,Setup,point,a\x07\n", 2, 4,
         "ssp-evidence: contains a control character or invalid UTF-8"},
        /* Messages about a document rather than a field name the column that names it. */
        {IMPORT_OBLIGATIONS, "name,pattern,contract\nSupport,ratable,K1\n", 2, 3,
         "contract K1 is active: adding an obligation changes its scope, which goes through a"
         " modification memo"},
        {IMPORT_USAGE, "date,quantity,amount,obligation\n2026-02-01,5,1.00,K1/1\n", 2, 4,
         "obligation K1/1 is a ratable obligation, not usage"},
        {IMPORT_USAGE, "date,quantity,amount,obligation\n2026-02-01,5,1.00,K2/1\n", 2, 4,
         "contract K2 is not active yet: activate it before recording delivery, usage or"
         " progress"},
        /* An invoice whose lines overflow is refused at the amount of the line that overflows. */
        {IMPORT_INVOICES,
         "customer,date,description,amount,number\n"
         "ACME,2026-02-01,Plan,92233720368547758.07,X-1\n"
         "ACME,2026-02-01,Extra,0.01,X-1\n",
         3, 4, "line 2: amount is too large (the sum overflows)"},
        {IMPORT_INVOICES, "customer,date,description,amount\nACME,2026-02-01,Refund,-5.00\n", 2, 4,
         "line: the lines add up to less than zero; use a credit note"},
    };
    struct book *b = contract_book();
    EXPECT_EACH(b, cases);
    book_close(b);
}

static void test_duplicates_within_the_file(void **state)
{
    (void)state;
    static const struct one_error cases[] = {
        /* Codes compare without case, as the book compares them; the first row is not at
         * fault. */
        {IMPORT_CUSTOMERS, "name,code\nOne,NEW1\nTwo,NEW2\nThree,new1\n", 4, 2,
         "code: 'new1' is already on row 2 of this file"},
        {IMPORT_CONTRACTS,
         "code,customer,start,end\n"
         "K7,ACME,2026-01-01,2026-12-31\n"
         "\n"
         "K7,ACME,2026-01-01,2026-12-31\n",
         4, 1, "code: 'K7' is already on row 2 of this file"},
        /* Payment numbers are compared exactly; empty ones are numbered by the book. */
        {IMPORT_PAYMENTS,
         "customer,amount,date,number\n"
         "ACME,1.00,2026-02-01,P-1\n"
         "ACME,1.00,2026-02-01,\n"
         "ACME,1.00,2026-02-01,\n"
         "ACME,1.00,2026-02-01,p-1\n"
         "ACME,1.00,2026-02-01,P-1\n",
         6, 4, "number: 'P-1' is already on row 2 of this file"},
        /* A code that is in the book already is still said to exist. */
        {IMPORT_CONTRACTS, "code,customer,start,end\nk1,ACME,2026-01-01,2026-12-31\n", 2, 1,
         "code: a contract 'k1' already exists"},
    };
    struct book *b = contract_book();
    EXPECT_EACH(b, cases);
    book_close(b);
}

static void test_empty_dates_and_amounts(void **state)
{
    (void)state;
    static const struct one_error cases[] = {
        /* Each used to reach the book as NULL and come back as a SQLite constraint at no
         * column... */
        {IMPORT_CREDITS, "customer,amount,date,reason\nACME,5.00,,Pack\n", 2, 3,
         "date: is empty (expected a date YYYY-MM-DD)"},
        {IMPORT_PAYMENTS, "customer,amount,date\nACME,5.00,\n", 2, 3,
         "date: is empty (expected a date YYYY-MM-DD)"},
        /* ... or as advice about command-line options. */
        {IMPORT_CONTRACTS, "code,customer,start,end\nK9,ACME,,2026-12-31\n", 2, 3,
         "start: is empty (expected a date YYYY-MM-DD)"},
        {IMPORT_CONTRACTS, "code,customer,start,end\nK9,ACME,2026-01-01,\n", 2, 4,
         "end: is empty (expected a date YYYY-MM-DD)"},
        {IMPORT_INVOICES, "customer,date,description,amount,due\nACME,,Plan,5.00,2026-01-01\n", 2,
         2, "date: is empty (expected a date YYYY-MM-DD)"},
        /* An empty amount is not quoted as ''. */
        {IMPORT_INVOICES, "customer,date,description,amount\nACME,2026-02-01,Plan,\n", 2, 4,
         "amount: is empty (expected an amount such as 1,000.00)"},
    };
    struct book *b = contract_book();
    EXPECT_EACH(b, cases);
    /* An empty date is named even when another field of the row is also wrong. */
    struct import_result r;
    assert_int_equal(
        import(b, IMPORT_USAGE, "obligation,date,quantity,amount\nK1/2,,5,1.005\n", &r), ERR_INPUT);
    assert_int_equal(r.nerrors, 2);
    assert_string_equal(r.errors[0].message, "date: is empty (expected a date YYYY-MM-DD)");
    assert_string_equal(r.errors[1].message, "amount: '1.005' has more than 2 decimals");
    import_result_free(&r);
    book_close(b);
}

static void test_problems_listed_are_the_first(void **state)
{
    (void)state;
    struct book *b = contract_book();
    /* Row 2 is refused when its invoice is created, after every row has been read and rows 3 to
     * 152 refused for their dates: the list still holds the first 100 in file order. */
    size_t cap = 8192, len = 0;
    char *csv = malloc(cap);
    len += (size_t)snprintf(csv + len, cap - len,
                            "customer,date,description,amount\n"
                            "ACME,2026-02-01,Refund,-5.00\n");
    for (int i = 0; i < 150; i++)
        len += (size_t)snprintf(csv + len, cap - len, "ACME,2026-02-30,Plan,1.00\n");
    struct import_result r;
    assert_int_equal(import(b, IMPORT_INVOICES, csv, &r), ERR_INPUT);
    free(csv);
    assert_int_equal(r.problems, 151);
    assert_int_equal(r.nerrors, IMPORT_ERRORS_MAX);
    assert_int_equal(r.errors[0].row, 2);
    assert_string_equal(r.errors[0].message,
                        "line: the lines add up to less than zero; use a credit note");
    for (size_t i = 1; i < r.nerrors; i++)
        assert_int_equal(r.errors[i].row, (int)i + 2);
    import_result_free(&r);
    book_close(b);
}

/* A file of a million short rows is held in a few dozen megabytes: refused here within an
 * address space of 512 MB, where a record of CSV_COLUMNS_MAX pointers a row needed more than
 * 500 MB. The limit is set in a child process; AddressSanitizer needs far more address space
 * for itself, so under it only the answer is checked. */
static void test_short_rows_take_little_memory(void **state)
{
    (void)state;
    enum { ROWS = 1000000 };
    size_t len = 10 + (size_t)ROWS * 4;
    char *csv = malloc(len + 1);
    memcpy(csv, "code,name\n", 10);
    for (size_t i = 0; i < ROWS; i++)
        memcpy(csv + 10 + i * 4, "A,b\n", 4);
    csv[len] = '\0';
    struct book *b = fixture_book("USD");
    pid_t pid = fork();
    assert_true(pid >= 0);
    if (pid == 0) {
#if !defined(__SANITIZE_ADDRESS__)
        struct rlimit lim = {512L << 20, 512L << 20};
        setrlimit(RLIMIT_AS, &lim);
#endif
        struct import_result r;
        struct err e = {0};
        int rc = import_csv(b, IMPORT_CUSTOMERS, csv, len, &r, &e);
        bool right = rc == ERR_INPUT && r.problems == ROWS - 1 && r.errors[0].row == 3 &&
                     strcmp(r.errors[0].message, "code: 'A' is already on row 2 of this file") == 0;
        /* The child's copies are its own: freed, so a leak checker sees no leak at its exit. */
        import_result_free(&r);
        book_close(b);
        free(csv);
        _exit(right ? 0 : 1);
    }
    int status = 0;
    assert_int_equal(waitpid(pid, &status, 0), pid);
    assert_true(WIFEXITED(status));
    assert_int_equal(WEXITSTATUS(status), 0);
    free(csv);
    book_close(b);
}

static void test_invoice_lines_found_by_number(void **state)
{
    (void)state;
    struct book *b = contract_book();
    /* Lines of one invoice need not be adjacent; numbers compare exactly; thousands of invoices
     * are grouped by sorting, not by comparing each row with every one before it. */
    size_t cap = 200000, len = 0;
    char *csv = malloc(cap);
    len += (size_t)snprintf(csv + len, cap - len,
                            "number,customer,date,description,amount\n"
                            "A-1,ACME,2026-02-01,Plan,1.00\n"
                            "a-1,ACME,2026-02-01,Plan,2.00\n"
                            "A-1,ACME,2026-02-01,Support,3.00\n");
    for (int i = 0; i < 3000; i++)
        len += (size_t)snprintf(csv + len, cap - len, "N-%d,ACME,2026-02-01,Plan,1.00\n", i);
    len += (size_t)snprintf(csv + len, cap - len, "A-1,ACME,2026-02-01,Setup,5.00\n");
    struct import_result r;
    assert_int_equal(import(b, IMPORT_INVOICES, csv, &r), ERR_OK);
    free(csv);
    assert_int_equal(r.written, 3002);
    import_result_free(&r);
    assert_int_equal(fixture_int(b, "SELECT total FROM invoices WHERE number = 'A-1'"), 900);
    assert_int_equal(fixture_int(b, "SELECT total FROM invoices WHERE number = 'a-1'"), 200);
    assert_int_equal(fixture_int(b, "SELECT count(*) FROM invoice_lines l JOIN invoices i ON"
                                    " i.id = l.invoice_id WHERE i.number = 'A-1'"),
                     3);
    book_close(b);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_reader),
        cmocka_unit_test(test_reader_errors),
        cmocka_unit_test(test_customers_all_or_nothing),
        cmocka_unit_test(test_header_and_shape),
        cmocka_unit_test(test_invoices_and_payments),
        cmocka_unit_test(test_messages_are_one_escaped_line),
        cmocka_unit_test(test_empty_references),
        cmocka_unit_test(test_errors_name_the_import_column),
        cmocka_unit_test(test_duplicates_within_the_file),
        cmocka_unit_test(test_empty_dates_and_amounts),
        cmocka_unit_test(test_problems_listed_are_the_first),
        cmocka_unit_test(test_short_rows_take_little_memory),
        cmocka_unit_test(test_invoice_lines_found_by_number),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
