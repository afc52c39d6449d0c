/*
 * csv.c — a strict RFC 4180 reader over a buffer.
 */
#include "model/csv.h"

#include <stdlib.h>
#include <string.h>

#include "model/text.h"
#include "model/xalloc.h"

void csv_open(struct csv_reader *r, const char *data, size_t len)
{
    memset(r, 0, sizeof *r);
    r->p = data;
    r->end = data + len;
    r->line = 1;
    if (len >= 3 && memcmp(data, "\xEF\xBB\xBF", 3) == 0)
        r->p += 3;
    /* Spreadsheets offer "Unicode text", which is UTF-16: little-endian FF FE or big-endian
     * FE FF. Read as UTF-8 it fails on its first NUL byte, which would not say what is wrong. */
    r->utf16 = len >= 2 && (memcmp(data, "\xFF\xFE", 2) == 0 || memcmp(data, "\xFE\xFF", 2) == 0);
}

void csv_close(struct csv_reader *r)
{
    free(r->buf);
    r->buf = NULL;
}

static void put(struct csv_reader *r, size_t *len, char c)
{
    r->buf = xgrow(r->buf, &r->cap, *len + 1, 1);
    r->buf[(*len)++] = c;
}

int csv_next(struct csv_reader *r, struct csv_record *out, int *row, int *col, struct err *e)
{
    if (r->utf16) {
        *row = 1;
        *col = 1;
        err_set(e, ERR_INPUT, "the file is UTF-16, not UTF-8 (save it as CSV UTF-8)");
        return -1;
    }
    /* Skip empty lines between records. */
    while (r->p < r->end && (*r->p == '\n' || *r->p == '\r')) {
        if (*r->p == '\r' && r->p + 1 < r->end && r->p[1] == '\n')
            r->p++;
        r->p++;
        r->line++;
    }
    if (r->p >= r->end)
        return 0;
    out->row = r->line;
    out->n = 0;
    size_t len = 0;
    size_t starts[CSV_COLUMNS_MAX];
    *row = r->line;
    for (;;) {
        if (out->n == CSV_COLUMNS_MAX) {
            *col = out->n + 1;
            err_set(e, ERR_INPUT, "more than %d columns", CSV_COLUMNS_MAX);
            return -1;
        }
        *col = out->n + 1;
        starts[out->n] = len;
        size_t field_start = len;
        if (r->p < r->end && *r->p == '"') {
            r->p++;
            for (;;) {
                if (r->p >= r->end) {
                    *row = out->row;
                    err_set(e, ERR_INPUT, "unclosed quote");
                    return -1;
                }
                char c = *r->p++;
                if (c == '"') {
                    if (r->p < r->end && *r->p == '"') {
                        r->p++;
                        put(r, &len, '"');
                        continue;
                    }
                    break;
                }
                if (c == '\n')
                    r->line++;
                if (c == '\0') {
                    err_set(e, ERR_INPUT, "contains a NUL byte");
                    return -1;
                }
                put(r, &len, c);
                if (len - field_start > CSV_FIELD_MAX) {
                    err_set(e, ERR_INPUT, "field is longer than %d bytes", CSV_FIELD_MAX);
                    return -1;
                }
            }
            if (r->p < r->end && *r->p != ',' && *r->p != '\n' && *r->p != '\r') {
                err_set(e, ERR_INPUT, "text after a closing quote");
                return -1;
            }
        } else {
            while (r->p < r->end && *r->p != ',' && *r->p != '\n' && *r->p != '\r') {
                char c = *r->p++;
                if (c == '"') {
                    err_set(e, ERR_INPUT, "a quote inside an unquoted field");
                    return -1;
                }
                if (c == '\0') {
                    err_set(e, ERR_INPUT, "contains a NUL byte");
                    return -1;
                }
                put(r, &len, c);
                if (len - field_start > CSV_FIELD_MAX) {
                    err_set(e, ERR_INPUT, "field is longer than %d bytes", CSV_FIELD_MAX);
                    return -1;
                }
            }
        }
        if (!utf8_valid(r->buf ? r->buf + field_start : "", len - field_start)) {
            err_set(e, ERR_INPUT, "is not valid UTF-8");
            return -1;
        }
        put(r, &len, '\0');
        out->n++;
        if (r->p < r->end && *r->p == ',') {
            r->p++;
            continue;
        }
        /* End of record: CRLF, LF, a lone CR, or the end of the data. */
        if (r->p < r->end && *r->p == '\r')
            r->p++;
        if (r->p < r->end && *r->p == '\n')
            r->p++;
        r->line++;
        break;
    }
    for (int i = 0; i < out->n; i++)
        out->field[i] = r->buf + starts[i];
    return 1;
}
