/*
 * fuzz_render.c — a small report built from the input (a title, up to six typed columns, rows of
 * every style whose cells are text, money of 0 to 3 decimals, dates, counts, booleans and months)
 * drawn as text, CSV and XLSX. None may crash, leak or fail for text a book can hold (valid UTF-8
 * without control characters). The CSV must read back through ratable's own CSV reader as the
 * same cells, with the quote that guards formula-looking text.
 *
 * Input layout: title length and bytes, column count and types, then per row a style byte and per
 * cell a kind byte and its payload (text: length and bytes; money: exponent and 8 bytes; date,
 * month: 4 bytes; count: 8 bytes; boolean: 1 byte).
 */
#include <stdbool.h>
#include <unistd.h>

#include "model/csv.h"
#include "model/date.h"
#include "model/text.h"
#include "reports/render.h"
#include "reports/report.h"
#include "tests/fuzz/fuzz.h"

#define MAX_ROWS 40

static char xlsx_path[64];
static int32_t first_day, last_day;

static void cleanup(void)
{
    unlink(xlsx_path);
    char dir[sizeof xlsx_path];
    snprintf(dir, sizeof dir, "%s", xlsx_path);
    char *slash = strrchr(dir, '/');
    if (slash) {
        *slash = '\0';
        rmdir(dir);
    }
}

static void setup(void)
{
    /* tmpfs when there is one: every run writes a workbook, which on a busy disk is slow. */
    char dir[64];
    snprintf(dir, sizeof dir, "%s/fuzz_render.XXXXXX",
             access("/dev/shm", W_OK) == 0 ? "/dev/shm" : "/tmp");
    FUZZ_CHECK(mkdtemp(dir));
    snprintf(xlsx_path, sizeof xlsx_path, "%s/out.xlsx", dir);
    FUZZ_CHECK(date_from_ymd(1, 1, 1, &first_day) && date_from_ymd(9999, 12, 31, &last_day));
    atexit(cleanup);
}

/* Text a book can hold: valid UTF-8 without control characters. */
static bool book_text(const char *s)
{
    return utf8_valid(s, strlen(s)) && !text_has_control(s, false);
}

/* Takes a length byte and that many bytes as a NUL-terminated string (truncated at a NUL). */
static char *take_text(const uint8_t **data, size_t *size)
{
    size_t n = (size_t)fuzz_take(data, size, 1);
    if (n > *size)
        n = *size;
    char *s = fuzz_string(*data, n);
    *data += n;
    *size -= n;
    return s;
}

/* What the CSV holds for a cell: cell_plain, behind a quote when it is formula-looking text. */
static void expected_field(const struct cell *c, char *buf, size_t size)
{
    char plain[MONEY_BUF];
    const char *v = c->type == CELL_TEXT ? c->text : cell_plain(c, plain, sizeof plain);
    bool guard = c->type == CELL_TEXT && report_text_is_risky(v);
    snprintf(buf, size, "%s%s", guard ? "'" : "", v);
}

static void check_csv(struct report *r, const char *csv, size_t len)
{
    struct report_table *t = r->tables[0];
    struct csv_reader rd;
    csv_open(&rd, csv, len);
    struct csv_record rec;
    int row, col;
    struct err e = {0};
    FUZZ_CHECK(csv_next(&rd, &rec, &row, &col, &e) == 1);
    FUZZ_CHECK(rec.n == t->ncols);
    for (int i = 0; i < t->ncols; i++)
        FUZZ_CHECK(strcmp(rec.field[i], t->cols[i].title) == 0);
    static char want[4 * 256 + 2];
    for (size_t k = 0; k < t->nrows; k++) {
        const struct report_row *rr = &t->rows[k];
        if (rr->style == ROW_BLANK)
            continue;
        int got = csv_next(&rd, &rec, &row, &col, &e);
        if (got != 1)
            fprintf(stderr, "row %zu: %s\n", k, got < 0 ? e.msg : "missing");
        FUZZ_CHECK(got == 1);
        FUZZ_CHECK(rec.n == t->ncols);
        for (int i = 0; i < t->ncols; i++) {
            expected_field(&rr->cells[i], want, sizeof want);
            FUZZ_CHECK(strcmp(rec.field[i], want) == 0);
        }
    }
    FUZZ_CHECK(csv_next(&rd, &rec, &row, &col, &e) == 0);
    csv_close(&rd);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (!xlsx_path[0])
        setup();
    static const char *keys[] = {"c0", "c1", "c2", "c3", "c4", "c5"};
    static const char *titles[] = {"Customer", "Amount", "Date", "Count", "Paid", "Month"};
    bool clean = true; /* every text is text a book can hold */
    char *title = take_text(&data, &size);
    clean &= book_text(title);
    struct report *r = report_new(*title ? title : "Report", "fuzzed");
    report_set_sheet(r, title);
    report_header(r, "Company", "Northwind Ltd");
    free(title);
    int ncols = 1 + (int)(fuzz_take(&data, &size, 1) % 6);
    struct report_col cols[6];
    for (int i = 0; i < ncols; i++)
        cols[i] = (struct report_col){keys[i], titles[i],
                                      (enum col_type)(fuzz_take(&data, &size, 1) % 6), 0};
    struct report_table *t = report_add_table(r, "items", "Items", cols, ncols);
    t->freeze_cols = ncols > 1;
    for (int n = 0; n < MAX_ROWS && size > 0; n++) {
        struct report_row *row =
            report_row_add(t, (enum row_style)(fuzz_take(&data, &size, 1) % 5));
        for (int i = 0; i < ncols && size > 0; i++) {
            switch (fuzz_take(&data, &size, 1) % 7) {
            case 0: {
                char *s = take_text(&data, &size);
                clean &= book_text(s);
                cell_text(t, row, keys[i], s);
                free(s);
                break;
            }
            case 1: {
                int exponent = (int)(fuzz_take(&data, &size, 1) % 4);
                cell_money(row, t, keys[i], money_of((int64_t)fuzz_take(&data, &size, 8)),
                           exponent);
                break;
            }
            case 2: {
                uint32_t span = (uint32_t)(last_day - first_day) + 1;
                int32_t d = first_day + (int32_t)(fuzz_take(&data, &size, 4) % span);
                cell_date(row, t, keys[i], d);
                break;
            }
            case 3:
                cell_count(row, t, keys[i], (int64_t)fuzz_take(&data, &size, 8));
                break;
            case 4:
                cell_bool(row, t, keys[i], fuzz_take(&data, &size, 1) & 1);
                break;
            case 5: {
                uint32_t span = (uint32_t)(last_day - first_day) + 1;
                int32_t d = first_day + (int32_t)(fuzz_take(&data, &size, 4) % span);
                cell_period(row, t, keys[i], period_of(d));
                break;
            }
            default:
                break; /* left empty */
            }
        }
    }

    struct err e = {0};
    FILE *devnull = fopen("/dev/null", "w");
    FUZZ_CHECK(devnull);
    FUZZ_CHECK(render_text(&r, 1, devnull, 100, &e) == ERR_OK);
    FUZZ_CHECK(render_text(&r, 1, devnull, 0, &e) == ERR_OK);
    fclose(devnull);

    char *csv = NULL;
    size_t len = 0;
    FILE *mem = open_memstream(&csv, &len);
    FUZZ_CHECK(mem);
    FUZZ_CHECK(render_csv(&r, 1, mem, &e) == ERR_OK);
    fclose(mem);
    if (clean)
        check_csv(r, csv, len);
    free(csv);

    int rc = render_xlsx(&r, 1, xlsx_path, &e);
    if (clean && rc != ERR_OK)
        fprintf(stderr, "render_xlsx: %s\n", e.msg);
    FUZZ_CHECK(!clean || rc == ERR_OK);
    report_free(r);
    return 0;
}
