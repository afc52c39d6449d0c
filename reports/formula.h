/*
 * formula.h — resolving the formula templates of report.h into spreadsheet formulas.
 *
 * The renderer knows where every cell landed; the resolver parses the template and asks it, for
 * each reference, for an A1 address or range. A reference the renderer cannot resolve, or a
 * malformed template, is an error.
 */
#ifndef RATABLE_FORMULA_H
#define RATABLE_FORMULA_H

#include <stddef.h>

#include "model/err.h"

enum formula_ref {
    FREF_CELL,  /* {col}: this row */
    FREF_REL,   /* {col@N}: N rows from this one */
    FREF_DATA,  /* {col:data}: the table's data rows in that column */
    FREF_TOTAL, /* {col:total} or {T.col:total}: the table's last total row */
};

/* Writes the address for a reference into out (size bytes); table is NULL for this table.
 * Returns ERR_OK, or an error naming what cannot be resolved. */
typedef int (*formula_lookup)(void *ctx, const char *table, const char *col, enum formula_ref kind,
                              int offset, char *out, size_t size, struct err *e);

int formula_resolve(const char *tmpl, formula_lookup lookup, void *ctx, char *out, size_t size,
                    struct err *e);

/* The A1 name of a 0-based column: 0 -> A, 25 -> Z, 26 -> AA. buf holds at least 4 bytes. */
char *formula_column(int col, char *buf);

#endif
