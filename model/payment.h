/*
 * payment.h — payments received.
 *
 * A payment tied to an invoice settles it up to its open balance; one applied to the open
 * invoices settles them oldest first; whatever is beyond what is
 * owed, and a payment tied to no invoice, funds the customer's credit balance as a prepaid
 * grant that names the payment (ACCOUNTING.md §3, §4). One journal entry: Cash against Accounts
 * receivable and Customer credit balances.
 *
 * Cash for a contract that is not active yet is a deposit, never revenue and never credit: it
 * is held in Customer deposits and applied to the contract's invoices once it is billed.
 */
#ifndef RATABLE_PAYMENT_H
#define RATABLE_PAYMENT_H

#include <stddef.h>
#include <stdint.h>

#include "model/book.h"
#include "model/customer.h"
#include "model/money.h"

struct payment_input {
    const char *customer; /* code */
    struct money amount;  /* > 0 */
    int32_t received_on;
    const char *invoice;   /* NULL: not tied to an invoice */
    const char *reference; /* bank reference, may be NULL */
    const char *number;    /* NULL: the next number of the book's sequence */
    const char *contract;  /* a contract not active yet: the payment is a deposit for it */
    bool apply_open;       /* settle the customer's open invoices, oldest first */
};

struct payment_result {
    int64_t id;
    char number[CODE_MAX + 1];
    int exponent;
    struct money applied;   /* to the invoice */
    struct money to_credit; /* to the customer's credit balance */
    struct money deposit;   /* held as a deposit for the contract */
};

int payment_record(struct book *b, const struct payment_input *in, struct payment_result *out,
                   struct err *e);

struct payment_row {
    int64_t id;
    char number[CODE_MAX + 1];
    char customer[CODE_MAX + 1];
    int exponent;
    int32_t received_on;
    struct money amount, applied, to_credit, deposit;
    char reference[256]; /* TEXT_SHORT_MAX bytes */
    char invoices[128];  /* numbers it settled, comma separated */
};
struct payment_rows {
    struct payment_row *v;
    size_t n, cap;
};
/* Payments of one customer (or all, customer_id 0), newest first. */
int payment_list(struct book *b, int64_t customer_id, struct payment_rows *out, struct err *e);
void payment_rows_free(struct payment_rows *r);

#endif
