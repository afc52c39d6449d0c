/*
 * import.h — importing customers, credit grants, invoices and payments from CSV, all or
 * nothing: every row is checked and written inside one transaction; if any row is bad, every bad
 * row is reported (row, column, reason) and nothing is written. A file with a header and no rows
 * is refused: it is more likely the wrong file than a wish to import nothing.
 *
 * Columns are found by their header names, in any order (case does not matter):
 *   customers: code, name [, currency, email, terms, address]
 *   credits:   customer, amount, date, reason [, expires, kind]
 *   invoices:  customer, date, description, amount [, number, due, memo]
 *              rows that share a number are the lines of one invoice
 *   payments:  customer, amount, date [, invoice, reference, number]
 *   contracts: code, customer, start, end [, signed, price, discount, payable, variable,
 *              variable_method, terms, trial_end, billing, description, collectibility]
 *   obligations: contract, name, pattern [, ssp, ssp_method, evidence, start, end, due,
 *              capable, distinct, combined_reason, range_low, range_high, discount_target]
 *   usage:     obligation, date, quantity, amount
 * Amounts are in the customer's currency, dates YYYY-MM-DD, yes/no answers yes or no.
 */
#ifndef RATABLE_IMPORT_H
#define RATABLE_IMPORT_H

#include <stddef.h>

#include "model/book.h"

enum import_kind {
    IMPORT_CUSTOMERS,
    IMPORT_CREDITS,
    IMPORT_INVOICES,
    IMPORT_PAYMENTS,
    IMPORT_CONTRACTS,
    IMPORT_OBLIGATIONS,
    IMPORT_USAGE,
};

int import_kind_parse(const char *s, enum import_kind *out, struct err *e);

struct import_error {
    int row;           /* line in the file, the header being line 1 */
    int column;        /* from 1; 0 when the whole row is at fault */
    char message[400]; /* one line: what it quotes from the file is escaped (text_escape) */
};

/* The problems listed at most: a file of a million bad rows would otherwise take hundreds of
 * megabytes of messages and print a million lines. All are counted. */
#define IMPORT_ERRORS_MAX 100

struct import_result {
    int records;                 /* data rows read */
    int written;                 /* documents written (0 when anything failed) */
    struct import_error *errors; /* the first IMPORT_ERRORS_MAX problems, in file order */
    size_t nerrors, cap;
    size_t problems; /* every problem found; more than nerrors when some are not listed */
};

/* Imports data (the file's bytes). ERR_OK when everything was written; ERR_INPUT when rows
 * were refused (see out->errors; nothing was written); another code when the book failed. */
int import_csv(struct book *b, enum import_kind kind, const char *data, size_t len,
               struct import_result *out, struct err *e);
void import_result_free(struct import_result *r);

#endif
