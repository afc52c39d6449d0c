/*
 * statement.h — customer statements and receivables aging (ACCOUNTING.md §5).
 *
 * A statement for [from, to]: the opening balance (what the customer owed at the end of the day
 * before `from`), every invoice, payment, credit application and credit note in date order with
 * a running balance, the closing balance, the aging of open invoices at `to`, and the credit
 * balance: opening, granted, applied, expired, refunded, adjusted, closing, with the grants that
 * will expire.
 *
 * statement_build is the pure rule over the customer's documents (struct statement_source);
 * statement_load reads those documents from the book and builds.
 */
#ifndef RATABLE_STATEMENT_H
#define RATABLE_STATEMENT_H

#include <stddef.h>
#include <stdint.h>

#include "model/book.h"
#include "model/credit.h"
#include "model/customer.h"
#include "model/money.h"

enum aging_bucket {
    AGING_CURRENT, /* not yet due */
    AGING_1_30,
    AGING_31_60,
    AGING_61_90,
    AGING_OVER_90,
    AGING_BUCKETS
};

/* Which bucket an invoice due on `due` falls in on `as_of`, by days past due. */
enum aging_bucket aging_bucket_of(int32_t due, int32_t as_of);
const char *aging_bucket_title(enum aging_bucket b); /* "Current", "1-30 days", ... */

/* ---- the documents a statement is built from -------------------------------------------- */

struct statement_invoice {
    char number[CODE_MAX + 1];
    int32_t issued_on, due_on;
    struct money total;
    char description[256]; /* first line, for the statement */
};

enum settlement_kind {
    SETTLE_PAYMENT,
    SETTLE_CREDIT, /* credit applied */
    SETTLE_CREDIT_NOTE,
    SETTLE_DEPOSIT, /* a contract's deposit applied */
};

/* Something that reduced what the customer owes, or a payment that funded credit. */
struct statement_settlement {
    enum settlement_kind kind;
    int32_t date;
    char ref[CODE_MAX + 1];  /* payment or credit note number, or the grant for credit */
    int invoice;             /* index into invoices, or -1 for a payment tied to none */
    struct money amount;     /* applied to that invoice (0 for a payment tied to none) */
    struct money to_credit;  /* payments and credit notes: what went to the credit balance */
    struct money to_deposit; /* payments: what was held as a deposit for a contract */
    int64_t seq;             /* order among documents of the same date */
};

struct statement_source {
    char customer[CODE_MAX + 1];
    const char *name; /* borrowed: the customer's whole name */
    char currency[4];
    int exponent;
    const struct statement_invoice *invoices;
    size_t ninvoices;
    const struct statement_settlement *settlements;
    size_t nsettlements;
    const struct credit_movement *movements; /* every movement of the customer's grants */
    size_t nmovements;
    const struct credit_grant *grants; /* every grant; `remaining` is ignored */
    size_t ngrants;
};

/* ---- the statement ---------------------------------------------------------------------- */

enum statement_line_kind {
    LINE_INVOICE,
    LINE_PAYMENT,
    LINE_CREDIT,
    LINE_CREDIT_NOTE,
    LINE_DEPOSIT,
};

struct statement_line {
    int32_t date;
    enum statement_line_kind kind;
    char ref[CODE_MAX + 1];
    char description[320];
    struct money charge;  /* invoices */
    struct money credit;  /* what reduced the balance */
    struct money balance; /* running balance after this line */
};

struct statement_open {
    char number[CODE_MAX + 1];
    int32_t issued_on, due_on;
    struct money total, open;
    int days_past_due; /* 0 when not yet due */
    enum aging_bucket bucket;
};

struct statement_credit {
    struct money opening, granted, applied, expired, refunded, adjusted, closing;
};

struct statement_expiring {
    int64_t grant_id;
    enum credit_kind kind;
    int32_t granted_on, expires_on;
    struct money remaining;
};

struct statement {
    char customer[CODE_MAX + 1];
    char *name; /* owned: the whole name, up to the 32,767 characters a customer's name may be */
    char currency[4];
    int exponent;
    int32_t from, to;
    struct money opening, charges, credits, closing;
    struct statement_line *lines;
    size_t nlines;
    struct statement_open *open; /* open invoices at `to`, oldest due first */
    size_t nopen;
    struct money aging[AGING_BUCKETS];
    struct money aging_total;
    struct statement_credit credit;
    struct statement_expiring *expiring; /* grants alive at `to` with an expiry date */
    size_t nexpiring;
};

/* Builds the statement for [from, to] from the customer's documents. */
int statement_build(const struct statement_source *src, int32_t from, int32_t to,
                    struct statement *out, struct err *e);
/* Reads the customer's documents from the book and builds its statement. */
int statement_load(struct book *b, const char *customer, int32_t from, int32_t to,
                   struct statement *out, struct err *e);
void statement_free(struct statement *s);

/* Receivables aging of every customer at a date: one row per customer with something open. */
struct aging_row {
    char customer[CODE_MAX + 1];
    char *name; /* owned by the rows: the whole name */
    char currency[4];
    int exponent;
    struct money bucket[AGING_BUCKETS];
    struct money total;
    int open_invoices;
};
struct aging_rows {
    struct aging_row *v;
    size_t n, cap;
};
int aging_load(struct book *b, int32_t as_of, struct aging_rows *out, struct err *e);
void aging_rows_free(struct aging_rows *r);

#endif
