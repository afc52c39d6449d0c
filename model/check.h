/*
 * check.h — the book's tie-outs: the journal balances, the subledgers agree with the ledger,
 * the credit ledger agrees with its grants, and SQLite's own checks are clean. Each check
 * reports whether it passed and, when not, names the entry, customer or grant and the amounts.
 * The month-end close runs the same list.
 */
#ifndef RATABLE_CHECK_H
#define RATABLE_CHECK_H

#include <stdbool.h>
#include <stddef.h>

#include "model/book.h"

struct check_item {
    char name[96]; /* what is checked */
    bool passed;
    char detail[1024]; /* the figures: what was compared, or what is off */
};

struct check_report {
    struct check_item *v;
    size_t n, cap;
};

/* Runs every check; ERR_OK even when checks fail (see check_report_passed). */
int book_check(struct book *b, struct check_report *out, struct err *e);
bool check_report_passed(const struct check_report *r);
void check_report_free(struct check_report *r);

#endif
