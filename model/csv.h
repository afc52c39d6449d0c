/*
 * csv.h — reading RFC 4180 CSV from a buffer, strictly: a quote may only open a field or
 * close it, quoted fields may span lines, CRLF and LF both end a record, a UTF-8 byte-order mark
 * at the start is skipped, and invalid UTF-8, NUL bytes and fields longer than CSV_FIELD_MAX
 * bytes are errors; so is a file that starts with a UTF-16 byte-order mark, said as such.
 * Errors carry the row (the line the record starts on) and the column.
 */
#ifndef RATABLE_CSV_H
#define RATABLE_CSV_H

#include <stdbool.h>
#include <stddef.h>

#include "model/err.h"

/* Room for the longest text a book keeps, a customer's name of 32,767 characters, when every
 * character takes four bytes. */
#define CSV_FIELD_MAX   131072
#define CSV_COLUMNS_MAX 64

struct csv_reader {
    const char *p, *end;
    int line;  /* the line the reader is on, from 1 */
    char *buf; /* the unquoted fields of the current record, NUL-separated (owned) */
    size_t cap;
    bool utf16; /* starts with a UTF-16 byte-order mark: nothing can be read */
};

struct csv_record {
    int row;                            /* the line the record starts on */
    int n;                              /* number of fields */
    const char *field[CSV_COLUMNS_MAX]; /* borrowed from the reader until the next record */
};

void csv_open(struct csv_reader *r, const char *data, size_t len);
void csv_close(struct csv_reader *r);

/* Reads the next record: 1 with a record, 0 at the end, -1 with e set and *row, *col naming
 * where. A line that is entirely empty is skipped. */
int csv_next(struct csv_reader *r, struct csv_record *out, int *row, int *col, struct err *e);

#endif
