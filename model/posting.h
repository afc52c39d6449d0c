/*
 * posting.h — steps that several document modules share inside one transaction: numbering,
 * credit expiry and application, and grants funded by a payment or a credit note. Each runs in
 * the caller's transaction and writes its own journal entry and change log rows; none of them
 * commits.
 */
#ifndef RATABLE_POSTING_H
#define RATABLE_POSTING_H

#include <stddef.h>
#include <stdint.h>

#include "model/book.h"
#include "model/credit.h"
#include "model/customer.h"
#include "model/money.h"

/* Hands out the next number of a sequence (invoice, payment, credit_note): INV-000001. */
int posting_next_number(struct book *b, const char *kind, char *out, size_t size, struct err *e);

/* Records the expiry of the grants (of one customer, or all when customer_id is 0) whose expiry
 * date is before as_of and that still hold credit. */
int posting_expire(struct book *b, int64_t customer_id, int32_t as_of, int *count,
                   struct money *total, struct err *e);

/* Applies the customer's credit alive on `day` to an issued invoice, up to `due`. */
int posting_apply_credit(struct book *b, const struct customer *c, int64_t invoice_id,
                         const char *number, int32_t day, struct money due, struct money *paid,
                         struct money *free_credit, struct err *e);

/* Applies the unapplied deposits of the contracts on the invoice's lines to it, up to `due`
 * (Customer deposits / Accounts receivable). */
int posting_apply_deposits(struct book *b, const struct customer *c, int64_t invoice_id,
                           const char *number, int32_t day, struct money due, struct money *applied,
                           struct err *e);

/* Writes a grant and its `granted` movement, without a journal entry (the caller's entry covers
 * it: a payment's or a credit note's). */
int posting_grant(struct book *b, const struct customer *c, enum credit_kind kind,
                  struct money amount, int32_t granted_on, int32_t expires_on, const char *reason,
                  int64_t payment_id, int64_t credit_note_id, int64_t *grant_id, struct err *e);

#endif
