/*
 * invoice.h — invoices, their lines and credit notes.
 *
 * An invoice is written as a draft and then issued. Issuing fixes it for good, posts it to the
 * journal (Accounts receivable against Deferred revenue for lines of a contract, against Revenue
 * for lines tied to none: billing never drives a contract's revenue), applies the contract's
 * deposits, and
 * applies the customer's available credit at once (ACCOUNTING.md §4): if credit covers the
 * invoice it is paid, otherwise only the remainder is due. A draft neither uses nor shows credit.
 * A credit note reduces what an issued invoice asks for; what exceeds its open balance becomes
 * refund credit for the customer.
 */
#ifndef RATABLE_INVOICE_H
#define RATABLE_INVOICE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "model/book.h"
#include "model/customer.h"
#include "model/money.h"

struct invoice_line_input {
    const char *description;
    struct money amount;
    int64_t contract_id;   /* 0: not tied to a contract (a sale delivered on the invoice date) */
    int64_t obligation_id; /* 0: the contract as a whole */
};

/* Parses "DESCRIPTION=AMOUNT" (split at the last '='); *description is newly allocated. */
int invoice_line_parse(const char *spec, int exponent, char **description, struct money *amount,
                       struct err *e);

struct invoice_input {
    const char *customer; /* code */
    const char *number;   /* NULL: the next number of the book's sequence */
    int32_t issued_on;
    int32_t due_on; /* DATE_NONE: issued_on + the customer's terms */
    const char *memo;
    const struct invoice_line_input *lines;
    size_t nlines;
    bool draft; /* only write the draft */
};

struct invoice_result {
    int64_t id;
    char number[CODE_MAX + 1];
    int exponent;
    char currency[4];
    struct money total;
    struct money deposits;    /* contract deposits applied */
    struct money credit_paid; /* prepaid/refund credit applied */
    struct money credit_free; /* promotional/goodwill credit applied */
    struct money due;         /* what remains to be paid */
};

int invoice_create(struct book *b, const struct invoice_input *in, struct invoice_result *out,
                   struct err *e);
/* Issues a draft, on issued_on (DATE_NONE: its own date). */
int invoice_issue_draft(struct book *b, const char *number, int32_t issued_on,
                        struct invoice_result *out, struct err *e);

struct credit_note_result {
    int64_t id;
    char number[CODE_MAX + 1];
    struct money applied;   /* against the invoice */
    struct money to_credit; /* beyond its open balance, as refund credit */
};
/* Refused for an invoice that bills a contract: that goes through a modification memo. */
int invoice_credit_note(struct book *b, const char *invoice, struct money amount, int32_t day,
                        const char *reason, struct credit_note_result *out, struct err *e);
/* The memo's own credit note on a contract's invoice: it comes off the contract's deferred
 * revenue. Runs in the caller's transaction. */
int invoice_credit_note_for_memo(struct book *b, const char *invoice, struct money amount,
                                 int32_t day, const char *reason, int64_t memo_id,
                                 int64_t contract_id, struct credit_note_result *out,
                                 struct err *e);

/* An invoice with what has settled it. */
struct invoice_row {
    int64_t id;
    char number[CODE_MAX + 1];
    int64_t customer_id;
    char customer[CODE_MAX + 1];
    char currency[4];
    int exponent;
    bool draft;
    int32_t issued_on, due_on;
    struct money total, credit_applied, paid, credited, open;
};

struct invoice_rows {
    struct invoice_row *v;
    size_t n, cap;
};

struct invoice_query {
    int64_t customer_id; /* 0: every customer */
    bool open_only;      /* issued with something still due */
    bool include_drafts;
    const char *filter; /* invoice_page and invoice_count: number or customer code contains,
                           case-insensitive; NULL: all */
    size_t reach;       /* invoice_page: the most invoices a page reads (see enum page_seek);
                           0: as many as it takes */
};
int invoice_list(struct book *b, const struct invoice_query *q, struct invoice_rows *out,
                 struct err *e);
/* A page of the list newest first (by date, then by number of entry; keyset paging, see enum
 * page_seek): up to `limit` rows from `seek`, relative to the row `anchor` (ignored for
 * PAGE_FIRST and PAGE_LAST; only its date and id are read), appended to *out. Open only or a
 * filter read invoices newest first until the page is full, computing each one's balance: a rare
 * match reads them all, unless q->reach bounds the invoices read. Then *stop gets the invoice
 * where a page stopped short (its date and id, the anchor to read on from), and stop->id is 0
 * when the page is full or the list ended. */
int invoice_page(struct book *b, const struct invoice_query *q, enum page_seek seek,
                 const struct invoice_row *anchor, size_t limit, struct invoice_rows *out,
                 struct invoice_row *stop, struct err *e);
/* How many invoices of the slice the query lists (struct id_slice); open only computes each
 * invoice's balance. */
int invoice_count(struct book *b, const struct invoice_query *q, struct id_slice *s, struct err *e);
void invoice_rows_free(struct invoice_rows *r);

struct invoice_line {
    int line_no;
    char *description; /* owned */
    struct money amount;
};
struct invoice_detail {
    struct invoice_row head;
    char *memo; /* owned, NULL when none */
    struct invoice_line *lines;
    size_t nlines;
};
int invoice_get(struct book *b, const char *number, struct invoice_detail *out, struct err *e);

/* What settled an invoice, in date order. */
struct invoice_settlement {
    int32_t on;
    const char *kind; /* "credit", "payment", "credit note", "deposit" */
    char ref[CODE_MAX + 8];
    struct money amount;
};
struct invoice_settlements {
    struct invoice_settlement *v;
    size_t n, cap;
};
int invoice_settlements_load(struct book *b, int64_t invoice_id, struct invoice_settlements *out,
                             struct err *e);
void invoice_settlements_free(struct invoice_settlements *s);
void invoice_detail_free(struct invoice_detail *d);

#endif
