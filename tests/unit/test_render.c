/*
 * test_render.c — the text and CSV renderers produce exactly the expected bytes; the formula
 * resolver turns every kind of reference into the right address and refuses malformed ones.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>
#include <unistd.h>

#include "model/csv.h"
#include "model/date.h"
#include "reports/formula.h"
#include "reports/render.h"
#include "reports/report.h"
#include "tests/unit/fixture.h"

static struct report *sample(void)
{
    static const struct report_col cols[] = {
        {"name", "Name", COL_TEXT, 0},
        {"date", "Date", COL_DATE, 0},
        {"amount", "Amount", COL_MONEY, 0},
        {"n", "N", COL_COUNT, 0},
    };
    struct report *r = report_new("Sample", "for tests");
    report_header(r, "Company", "Northwind Ltd");
    struct report_table *t = report_add_table(r, "items", "Items", cols, 4);
    struct report_row *row = report_row_add(t, ROW_DATA);
    cell_text(t, row, "name", "Zoë Åberg");
    cell_date(row, t, "date", fixture_date("2026-03-01"));
    cell_money(row, t, "amount", money_of(123456), 2);
    cell_count(row, t, "n", 3);
    row = report_row_add(t, ROW_DATA);
    cell_text(t, row, "name", "さくら");
    cell_money(row, t, "amount", money_of(-500), 2);
    cell_count(row, t, "n", 12);
    row = report_row_add(t, ROW_DATA);
    cell_text(t, row, "name", "=HYPERLINK(\"x\"),\"y\"");
    cell_money(row, t, "amount", money_of(0), 2);
    row = report_row_add(t, ROW_TOTAL);
    cell_text(t, row, "name", "Total");
    cell_money(row, t, "amount", money_of(122956), 2);
    cell_formula(t, row, "amount", "=SUM({amount:data})");
    cell_count(row, t, "n", 15);
    return r;
}

static char *render(int csv, struct report *r)
{
    char *buf = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&buf, &len);
    struct err e = {0};
    int rc = csv ? render_csv(&r, 1, f, &e) : render_text(&r, 1, f, 0, &e);
    assert_int_equal(rc, ERR_OK);
    fclose(f);
    return buf;
}

static void test_text(void **state)
{
    (void)state;
    struct report *r = sample();
    char *out = render(0, r);
    /* Names line up by display width: "Zoë Åberg" is 9 columns, "さくら" 6, the widest 19. */
    assert_string_equal(out, "Sample\n"
                             "for tests\n"
                             "Company: Northwind Ltd\n"
                             "\n"
                             "Items\n"
                             "Name                 Date          Amount   N\n"
                             "---------------------------------------------\n"
                             "Zoë Åberg            2026-03-01  1,234.56   3\n"
                             "さくら                              -5.00  12\n"
                             "=HYPERLINK(\"x\"),\"y\"                  0.00\n"
                             "---------------------------------------------\n"
                             "Total                            1,229.56  15\n");
    free(out);
    report_free(r);
}

static void test_csv(void **state)
{
    (void)state;
    struct report *r = sample();
    char *out = render(1, r);
    /* One table: a plain table. The formula-looking name is quoted and guarded. */
    assert_string_equal(out, "Name,Date,Amount,N\n"
                             "Zoë Åberg,2026-03-01,1234.56,3\n"
                             "さくら,,-5.00,12\n"
                             "\"'=HYPERLINK(\"\"x\"\"),\"\"y\"\"\",,0.00,\n"
                             "Total,,1229.56,15\n");
    free(out);
    /* Two tables: the header block and titled sections. */
    static const struct report_col cols[] = {{"k", "Key", COL_TEXT, 0}};
    struct report_table *t = report_add_table(r, "more", "More, with a comma", cols, 1);
    struct report_row *row = report_row_add(t, ROW_DATA);
    cell_text(t, row, "k", "+1");
    out = render(1, r);
    assert_string_equal(out, "Sample\n"
                             "Company,Northwind Ltd\n"
                             "\n"
                             "Items\n"
                             "Name,Date,Amount,N\n"
                             "Zoë Åberg,2026-03-01,1234.56,3\n"
                             "さくら,,-5.00,12\n"
                             "\"'=HYPERLINK(\"\"x\"\"),\"\"y\"\"\",,0.00,\n"
                             "Total,,1229.56,15\n"
                             "\n"
                             "\"More, with a comma\"\n"
                             "Key\n"
                             "\"'+1\"\n");
    free(out);
    report_free(r);
}

/* A lookup that places this table's data in rows 10..12 of column B and its total in row 13;
 * another table "other" has its total on sheet "Roll-forward" row 40. */
static int lookup(void *ctx, const char *table, const char *col, enum formula_ref kind, int offset,
                  char *out, size_t size, struct err *e)
{
    (void)ctx;
    if (strcmp(col, "nope") == 0)
        return err_set(e, ERR_INPUT, "no column %s", col);
    const char *letter = strcmp(col, "amount") == 0 ? "B" : "C";
    switch (kind) {
    case FREF_CELL:
        snprintf(out, size, "%s11", letter);
        break;
    case FREF_REL:
        snprintf(out, size, "%s%d", letter, 11 + offset);
        break;
    case FREF_DATA:
        snprintf(out, size, "%s10:%s12", letter, letter);
        break;
    case FREF_TOTAL:
        if (table)
            snprintf(out, size, "'Roll-forward'!$%s$40", letter);
        else
            snprintf(out, size, "%s13", letter);
        break;
    }
    return ERR_OK;
}

static void test_formula(void **state)
{
    (void)state;
    char out[256];
    struct err e = {0};
    assert_int_equal(formula_resolve("=SUM({amount:data})", lookup, NULL, out, sizeof out, &e),
                     ERR_OK);
    assert_string_equal(out, "=SUM(B10:B12)");
    assert_int_equal(
        formula_resolve("={amount@-1}+{charges}-{x}", lookup, NULL, out, sizeof out, &e), ERR_OK);
    assert_string_equal(out, "=B10+C11-C11");
    assert_int_equal(
        formula_resolve("={amount:total}={other.amount:total}", lookup, NULL, out, sizeof out, &e),
        ERR_OK);
    assert_string_equal(out, "=B13='Roll-forward'!$B$40");
    static const char *const bad[] = {
        "={amount",    "=amount}",    "={}",     "={amount:sum}",
        "={amount@x}", "={amount@0}", "={nope}", "={.x:total}",
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
        if (formula_resolve(bad[i], lookup, NULL, out, sizeof out, &e) == ERR_OK)
            fail_msg("accepted %s", bad[i]);
    char col[8];
    assert_string_equal(formula_column(0, col), "A");
    assert_string_equal(formula_column(25, col), "Z");
    assert_string_equal(formula_column(26, col), "AA");
    assert_string_equal(formula_column(701, col), "ZZ");
    assert_string_equal(formula_column(702, col), "AAA");
}

static void test_format_of(void **state)
{
    (void)state;
    enum render_format f;
    struct err e = {0};
    assert_int_equal(render_format_of("a.XLSX", &f, &e), ERR_OK);
    assert_int_equal(f, RENDER_XLSX);
    assert_int_equal(render_format_of("dir.csv/out.txt", &f, &e), ERR_OK);
    assert_int_equal(f, RENDER_TEXT);
    assert_int_equal(render_format_of("report.pdf", &f, &e), ERR_INPUT);
    assert_string_equal(e.msg, "report.pdf: name the file .xlsx, .csv or .txt");
    assert_int_equal(render_format_of("dir.csv/noext", &f, &e), ERR_INPUT);
}

/* A one-column table with an empty cell: the empty record is written as "", not as an empty
 * line that a reader would skip, and reads back as the same rows. */
static void test_csv_single_empty_field(void **state)
{
    (void)state;
    static const struct report_col cols[] = {{"note", "Note", COL_TEXT, 0}};
    struct report *r = report_new("Notes", NULL);
    struct report_table *t = report_add_table(r, "notes", "Notes", cols, 1);
    cell_text(t, report_row_add(t, ROW_DATA), "note", "first");
    report_row_add(t, ROW_DATA); /* empty */
    cell_text(t, report_row_add(t, ROW_DATA), "note", "");
    cell_text(t, report_row_add(t, ROW_DATA), "note", "last");
    char *out = render(1, r);
    assert_string_equal(out, "Note\nfirst\n\"\"\n\"\"\nlast\n");
    struct csv_reader rd;
    struct csv_record rec;
    int row, col, n = 0;
    struct err e = {0};
    csv_open(&rd, out, strlen(out));
    while (csv_next(&rd, &rec, &row, &col, &e) == 1) {
        assert_int_equal(rec.n, 1);
        n++;
    }
    csv_close(&rd);
    assert_int_equal(n, 5);
    free(out);
    report_free(r);
}

/* Worksheet names come from report sheets and titles; whatever text they hold, the workbook is
 * written: Excel refuses a name that ends with an apostrophe, or of more than 31 characters
 * (counted as characters: 40 letters with combining accents are 80 characters but 40 columns). */
static void test_xlsx_sheet_names(void **state)
{
    (void)state;
    char dir[] = "/tmp/test_render.XXXXXX";
    assert_non_null(mkdtemp(dir));
    char path[64];
    snprintf(path, sizeof path, "%s/names.xlsx", dir);
    char accents[128] = "";
    for (int i = 0; i < 40; i++)
        strcat(accents, "e\xcc\x81");
    const char *names[] = {"Farmers'", "'quoted'", "'",       "a[b]:c*d?e/f\\g",
                           accents,    accents,    "Farmers'"};
    struct report *r[7];
    for (int i = 0; i < 7; i++) {
        r[i] = sample();
        report_set_sheet(r[i], names[i]);
    }
    struct err e = {0};
    assert_int_equal(render_xlsx(r, 7, path, &e), ERR_OK);
    for (int i = 0; i < 7; i++)
        report_free(r[i]);
    unlink(path);
    rmdir(dir);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_text),
        cmocka_unit_test(test_csv),
        cmocka_unit_test(test_csv_single_empty_field),
        cmocka_unit_test(test_xlsx_sheet_names),
        cmocka_unit_test(test_formula),
        cmocka_unit_test(test_format_of),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
