/*
 * test_render.c — the text and CSV renderers produce exactly the expected bytes; the formula
 * resolver turns every kind of reference into the right address and refuses malformed ones.
 */
#include <locale.h>
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

/* A table read from a row source is written on a thread beside its reading, in batches of rows
 * copied out of the source. The workbook must come out byte for byte as when the same rows are
 * filled first and written in turn: many batches, texts of every length (one longer than a
 * batch's usual room, one longer than a cell holds), formulas, headings, blanks and totals. */
struct counted {
    int n, rows;
    int fail_at; /* a row whose formula names no column: the writer stops there */
    char text[80000];
    struct cell cells[3];
};

static int counted_next(struct report_table *t, struct report_row *row)
{
    struct counted *s = t->state;
    if (s->n >= s->rows)
        return 0;
    int i = s->n++;
    size_t len = i == 1500 ? 70000 : i == 2500 ? 40000 : (size_t)(i * 7) % 90;
    memset(s->text, 'a' + i % 26, len);
    s->text[len] = '\0';
    memset(s->cells, 0, sizeof s->cells);
    s->cells[0] = (struct cell){.type = CELL_TEXT, .text = s->text};
    s->cells[1] = (struct cell){.type = CELL_MONEY, .v = i * 101 - 5000, .exponent = 2};
    s->cells[2] = (struct cell){.type = CELL_MONEY,
                                .v = i,
                                .exponent = 2,
                                .formula = i == s->fail_at ? "={nosuch}"
                                           : i == 0        ? "={amount}"
                                                           : "={running@-1}+{amount}"};
    row->style = i % 500 == 499   ? ROW_SUBTOTAL
                 : i % 700 == 699 ? ROW_BLANK
                 : i % 900 == 899 ? ROW_HEADING
                                  : ROW_DATA;
    row->cells = s->cells;
    return 1;
}

static void counted_rewind(struct report_table *t)
{
    ((struct counted *)t->state)->n = 0;
}

static struct report *counted_report(int rows, int fail_at)
{
    static const struct report_col cols[] = {
        {"name", "Name", COL_TEXT, 0},
        {"amount", "Amount", COL_MONEY, 0},
        {"running", "Running", COL_MONEY, 0},
    };
    struct report *r = report_new("Counted", "rows from a source");
    report_header(r, "Generated", "2026-11-22T10:00:00Z");
    struct report_table *t = report_add_table(r, "counted", "Counted", cols, 3);
    struct counted *s = calloc(1, sizeof *s);
    s->rows = rows;
    s->fail_at = fail_at;
    t->state = s;
    t->next = counted_next;
    t->rewind = counted_rewind;
    t->free_state = free;
    struct report_table *after = report_add_table(r, "after", "After", cols, 3);
    struct report_row *total = report_row_add(after, ROW_TOTAL);
    cell_money(total, after, "amount", money_of(0), 2);
    cell_formula(after, total, "amount", "=SUM({counted.amount:data})");
    return r;
}

static char *slurp(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    assert_non_null(f);
    char *buf = NULL;
    *len = 0;
    size_t cap = 0, got;
    do {
        if (*len == cap)
            buf = realloc(buf, cap = cap ? cap * 2 : 65536);
        got = fread(buf + *len, 1, cap - *len, f);
        *len += got;
    } while (got > 0);
    fclose(f);
    return buf;
}

/* The two files hold the same bytes, at least min of them; both are removed. */
static void assert_same_file(const char *a_path, const char *b_path, size_t min)
{
    size_t na, nb;
    char *a = slurp(a_path, &na), *b = slurp(b_path, &nb);
    assert_true(na >= min);
    assert_int_equal(na, nb);
    assert_memory_equal(a, b, na);
    free(a);
    free(b);
    unlink(a_path);
    unlink(b_path);
}

/* Two paths in a new temporary directory dir (mkdtemp's template). */
static void two_paths(char *dir, const char *a, const char *b, char *a_path, char *b_path,
                      size_t size)
{
    assert_non_null(mkdtemp(dir));
    snprintf(a_path, size, "%s/%s", dir, a);
    snprintf(b_path, size, "%s/%s", dir, b);
}

static void test_xlsx_rows_beside(void **state)
{
    (void)state;
    char dir[] = "/tmp/test_render.XXXXXX", streamed[64], filled[64];
    two_paths(dir, "streamed.xlsx", "filled.xlsx", streamed, filled, sizeof streamed);
    struct err e = {0};
    struct report *r = counted_report(6000, -1);
    /* The writer thread renders numbers in the C locale too, whatever the process has set
     * (Debian's libxlsxwriter formats them with the thread's locale: 1234,56 in German). */
    bool german = setlocale(LC_NUMERIC, "de_DE.UTF-8") != NULL;
    assert_int_equal(render_xlsx(&r, 1, streamed, &e), ERR_OK);
    if (german)
        setlocale(LC_NUMERIC, "C");
    report_free(r);
    r = counted_report(6000, -1);
    assert_true(report_table_fill(r->tables[0]));
    assert_int_equal(r->tables[0]->nrows, 6000);
    assert_int_equal(render_xlsx(&r, 1, filled, &e), ERR_OK);
    report_free(r);
    assert_same_file(streamed, filled, 100000);

    /* The writer stops at a faulty row; the export fails with its message and leaves no file. */
    r = counted_report(6000, 3000);
    assert_int_equal(render_file(&r, 1, streamed, &e), ERR_INPUT);
    assert_string_equal(e.msg, "a formula refers to no column 'nosuch' of table 'counted'");
    assert_int_equal(access(streamed, F_OK), -1);
    report_free(r);
    rmdir(dir);
}

/* A source of many reports: those of filled tables are written on a thread beside the building
 * of the next; one whose rows come from a source is written in turn once that thread has caught
 * up. The workbook is the same, byte for byte, as the same reports written one by one. */
struct many {
    int i, n;
    int streamed_at; /* this one reads its rows from a source */
    int faulty_at;   /* this one's total refers to a table never written */
};

static struct report *many_report(const struct many *m, int i)
{
    struct report *r = i == m->streamed_at ? counted_report(3000, -1) : sample();
    if (i >= m->streamed_at - 3 && i < m->streamed_at) {
        /* Long ones just before: the writer is still at them when the streamed one comes. */
        report_free(r);
        r = counted_report(4000, -1);
        report_table_fill(r->tables[0]);
    }
    char sheet[32];
    snprintf(sheet, sizeof sheet, "Report %d", i);
    report_set_sheet(r, sheet);
    report_header(r, "Generated", "2026-11-22T10:00:00Z");
    if (i == m->faulty_at) {
        struct report_table *t = r->tables[0];
        struct report_row *row = report_row_add(t, ROW_TOTAL);
        cell_money(row, t, "amount", money_of(1), 2);
        cell_formula(t, row, "amount", "={missing.amount:total}");
    }
    return r;
}

static int many_next(void *state, struct report **out, struct err *e)
{
    (void)e;
    struct many *m = state;
    *out = m->i < m->n ? many_report(m, m->i++) : NULL;
    return ERR_OK;
}

static void test_xlsx_reports_beside(void **state)
{
    (void)state;
    char dir[] = "/tmp/test_render.XXXXXX", beside[64], inturn[64];
    two_paths(dir, "beside.xlsx", "inturn.xlsx", beside, inturn, sizeof beside);
    struct err e = {0};
    struct many m = {.n = 40, .streamed_at = 17, .faulty_at = -1};
    struct report_source src = {.next = many_next, .state = &m};
    bool german = setlocale(LC_NUMERIC, "de_DE.UTF-8") != NULL; /* as above */
    assert_int_equal(render_file_from(&src, beside, &e), ERR_OK);
    if (german)
        setlocale(LC_NUMERIC, "C");
    assert_int_equal(m.i, 40);
    struct report *r[40];
    for (int i = 0; i < 40; i++)
        r[i] = many_report(&m, i);
    assert_int_equal(render_file(r, 40, inturn, &e), ERR_OK);
    for (int i = 0; i < 40; i++)
        report_free(r[i]);
    assert_same_file(beside, inturn, 20000);

    /* A report the writer cannot write stops the export with its message; no file is left. */
    m = (struct many){.n = 40, .streamed_at = -1, .faulty_at = 25};
    src = (struct report_source){.next = many_next, .state = &m};
    assert_int_equal(render_file_from(&src, beside, &e), ERR_INPUT);
    assert_string_equal(e.msg, "a formula refers to table 'missing', not written yet");
    assert_int_equal(access(beside, F_OK), -1);
    rmdir(dir);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_text),
        cmocka_unit_test(test_csv),
        cmocka_unit_test(test_csv_single_empty_field),
        cmocka_unit_test(test_xlsx_sheet_names),
        cmocka_unit_test(test_xlsx_rows_beside),
        cmocka_unit_test(test_xlsx_reports_beside),
        cmocka_unit_test(test_formula),
        cmocka_unit_test(test_format_of),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
