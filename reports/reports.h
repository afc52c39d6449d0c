/*
 * reports.h — the catalogue of reports: each one built once, from the model, into a struct
 * report that the renderers draw as text, CSV or XLSX and the workstation shows on screen.
 *
 * Every report carries a header block: company, book, the parameters, generated when and by
 * whom, and the program version. The builders read the book inside one read transaction, so a
 * report sees one consistent state of the book.
 */
#ifndef RATABLE_REPORTS_H
#define RATABLE_REPORTS_H

#include <stdint.h>

#include "model/book.h"
#include "model/err.h"
#include "reports/report.h"

/* Adds the standard header block (Company, Book, Generated, By, Program) after any
 * report-specific lines already added. */
int report_stamp(struct report *r, struct book *b, struct err *e);

/* A customer's statement for [from, to]. The caller frees the report. */
struct report *report_statement(struct book *b, const char *customer, int32_t from, int32_t to,
                                struct err *e);

/* Statements of every customer with activity or a balance in [from, to]; *out is an array of
 * *n reports the caller frees (each, and the array). */
int report_statements_all(struct book *b, int32_t from, int32_t to, struct report ***out, int *n,
                          struct err *e);

/* Credit balances and expiries of every customer at as_of. */
struct report *report_credits(struct book *b, int32_t as_of, struct err *e);

/* Receivables aging of every customer at as_of. */
struct report *report_aging(struct book *b, int32_t as_of, struct err *e);

#endif
