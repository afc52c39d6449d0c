/*
 * xlsx_baseline.c — the bare-library yardstick of `make bench`: a plain libxlsxwriter loop that
 * writes the same shape of cells as a ratable export (the same rows and columns, the same mix of
 * text, numbers, dates and formulas), with the formats created once and the workbook in
 * constant-memory mode. An export's speed is reported as a ratio to this program's: what ratable
 * adds on top of what the library alone needs.
 *
 *   xlsx_baseline OUT.xlsx ROWS SHAPE
 *
 * SHAPE lists the columns, each a letter with an optional count before it:
 *   s  text (a code or a name, 8 to 20 characters)
 *   n  a number with an accounting format (money)
 *   i  a whole number (a count)
 *   d  a date
 *   f  a formula over the row's numbers, with its value stored
 * e.g. "5s39nff" for a 36-month waterfall. A heading row of column titles comes first, as in a
 * report. Prints the number of cells written.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <xlsxwriter.h>

#define MAX_COLS 1024

static int parse_shape(const char *s, char *cols)
{
    int n = 0;
    while (*s) {
        int count = 0;
        while (*s >= '0' && *s <= '9')
            count = count * 10 + (*s++ - '0');
        if (!count)
            count = 1;
        if (!strchr("snidf", *s) || !*s)
            return -1;
        for (int i = 0; i < count; i++) {
            if (n >= MAX_COLS)
                return -1;
            cols[n++] = *s;
        }
        s++;
    }
    return n;
}

/* The spreadsheet name of column c (0: A). */
static void column_name(int c, char *buf)
{
    char tmp[8];
    int n = 0;
    for (c++; c > 0; c = (c - 1) / 26)
        tmp[n++] = (char)('A' + (c - 1) % 26);
    for (int i = 0; i < n; i++)
        buf[i] = tmp[n - 1 - i];
    buf[n] = '\0';
}

int main(int argc, char **argv)
{
    if (argc != 4) {
        fprintf(stderr, "usage: xlsx_baseline OUT.xlsx ROWS SHAPE\n");
        return 2;
    }
    long rows = strtol(argv[2], NULL, 10);
    char cols[MAX_COLS];
    int ncols = parse_shape(argv[3], cols);
    if (rows < 0 || ncols <= 0) {
        fprintf(stderr, "xlsx_baseline: bad ROWS or SHAPE\n");
        return 2;
    }
    /* The first and last number columns, which the formulas add up. */
    int first_num = -1, last_num = -1;
    for (int c = 0; c < ncols; c++)
        if (cols[c] == 'n') {
            if (first_num < 0)
                first_num = c;
            last_num = c;
        }
    char from[8] = "A", to[8] = "A";
    if (first_num >= 0) {
        column_name(first_num, from);
        column_name(last_num, to);
    }

    lxw_workbook_options opt = {.constant_memory = LXW_TRUE, .tmpdir = "."};
    lxw_workbook *wb = workbook_new_opt(argv[1], &opt);
    if (!wb) {
        fprintf(stderr, "xlsx_baseline: cannot create %s\n", argv[1]);
        return 1;
    }
    lxw_worksheet *ws = workbook_add_worksheet(wb, "Baseline");
    lxw_format *head = workbook_add_format(wb);
    format_set_bold(head);
    format_set_bottom(head, LXW_BORDER_THIN);
    lxw_format *money = workbook_add_format(wb);
    format_set_num_format(money, "_(#,##0.00_);(#,##0.00);_(\"-\"??_);_(@_)");
    lxw_format *count = workbook_add_format(wb);
    format_set_num_format(count, "0");
    lxw_format *date = workbook_add_format(wb);
    format_set_num_format(date, "yyyy-mm-dd");

    long cells = 0;
    char text[64];
    for (int c = 0; c < ncols; c++) {
        snprintf(text, sizeof text, "Column %d", c + 1);
        worksheet_write_string(ws, 0, (lxw_col_t)c, text, head);
        cells++;
    }
    char formula[64];
    for (long r = 1; r <= rows; r++) {
        double sum = 0;
        for (int c = 0; c < ncols; c++) {
            lxw_row_t row = (lxw_row_t)r;
            lxw_col_t col = (lxw_col_t)c;
            switch (cols[c]) {
            case 's':
                snprintf(text, sizeof text, c % 2 ? "Customer %ld Holdings" : "K%07ld", r);
                worksheet_write_string(ws, row, col, text, NULL);
                break;
            case 'n': {
                double v = (double)((r * 7919 + c * 104729) % 10000000) / 100.0;
                sum += v;
                worksheet_write_number(ws, row, col, v, money);
                break;
            }
            case 'i':
                worksheet_write_number(ws, row, col, (double)(r % 1000), count);
                break;
            case 'd': {
                lxw_datetime dt = {
                    2024 + (int)(r % 3), 1 + (int)(r % 12), 1 + (int)(r % 28), 0, 0, 0};
                worksheet_write_datetime(ws, row, col, &dt, date);
                break;
            }
            case 'f':
                snprintf(formula, sizeof formula, "=SUM(%s%ld:%s%ld)", from, r + 1, to, r + 1);
                worksheet_write_formula_num(ws, row, col, formula, money, sum);
                break;
            }
            cells++;
        }
    }
    lxw_error rc = workbook_close(wb);
    if (rc != LXW_NO_ERROR) {
        fprintf(stderr, "xlsx_baseline: %s\n", lxw_strerror(rc));
        return 1;
    }
    printf("%ld\n", cells);
    return 0;
}
