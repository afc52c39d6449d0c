/*
 * fuzz_csv.c — the CSV reader over arbitrary bytes, record by record until the end or an error:
 * it never crashes or reads out of bounds, every record it hands out is well formed (valid UTF-8
 * fields without NUL, none longer than CSV_FIELD_MAX, rows that only go forward), an error names
 * a row and column, and the end stays the end. Every field is also passed through text_escape,
 * as an import message would be, which must give one line of valid UTF-8 without control
 * characters.
 */
#include "model/csv.h"
#include "model/text.h"
#include "tests/fuzz/fuzz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    /* A copy of exactly `size` bytes, so reading one byte too far is caught by ASan. */
    char *copy = malloc(size ? size : 1);
    FUZZ_CHECK(copy);
    memcpy(copy, data, size);
    struct csv_reader r;
    csv_open(&r, copy, size);
    struct csv_record rec;
    int row = 0, col = 0, got, last_row = 0;
    struct err e = {0};
    while ((got = csv_next(&r, &rec, &row, &col, &e)) == 1) {
        FUZZ_CHECK(rec.n >= 1 && rec.n <= CSV_COLUMNS_MAX);
        FUZZ_CHECK(rec.row > last_row);
        last_row = rec.row;
        for (int i = 0; i < rec.n; i++) {
            size_t n = strlen(rec.field[i]);
            FUZZ_CHECK(n <= CSV_FIELD_MAX);
            FUZZ_CHECK(utf8_valid(rec.field[i], n));
            char shown[400];
            text_escape(rec.field[i], shown, sizeof shown);
            FUZZ_CHECK(utf8_valid(shown, strlen(shown)));
            FUZZ_CHECK(!text_has_control(shown, false));
        }
    }
    if (got < 0) {
        FUZZ_CHECK(row >= 1 && col >= 1 && col <= CSV_COLUMNS_MAX + 1);
        FUZZ_CHECK(e.msg[0] != '\0');
    } else {
        FUZZ_CHECK(got == 0);
        FUZZ_CHECK(csv_next(&r, &rec, &row, &col, &e) == 0);
    }
    csv_close(&r);
    free(copy);
    return 0;
}
