/*
 * journal.h — double-entry journal entries (ACCOUNTING.md §3).
 *
 * An entry is assembled in memory (journal_init, journal_debit, journal_credit), checked with
 * journal_balanced, and posted with journal_post in the caller's transaction. Lines name the
 * account by its role ("receivable", "deferred_revenue", ...); the book maps roles to the
 * company's own account codes. Zero lines are dropped; an entry with nothing left is not
 * written at all. The book itself refuses to post an entry that does not balance.
 */
#ifndef RATABLE_JOURNAL_H
#define RATABLE_JOURNAL_H

#include <stdbool.h>
#include <stdint.h>

#include "model/book.h"
#include "model/money.h"

/* Lines kept inside the entry; more (a payment settling many invoices, an invoice of many lines)
 * move to the heap. */
#define JOURNAL_INLINE_LINES 16

struct journal_line {
    const char *role;    /* account role */
    int64_t amount;      /* > 0 debit, < 0 credit */
    int64_t customer_id; /* 0: none */
    int64_t invoice_id;  /* 0: none */
    int64_t contract_id; /* 0: the entry's */
};

struct journal_entry {
    int32_t date;
    const char *kind;        /* a row of entry_kinds: invoice, payment, ... */
    const char *currency;    /* ISO code; one currency per entry */
    const char *memo;        /* shown in the journal */
    const char *source_type; /* the table of the document: invoice, payment, credit_grant ... */
    int64_t source_id;
    int64_t customer_id;        /* 0: none */
    int64_t contract_id;        /* 0: none; set on every line */
    struct journal_line *lines; /* `small`, or owned heap memory once it outgrows it */
    int n, cap;
    struct journal_line small[JOURNAL_INLINE_LINES];
};

void journal_init(struct journal_entry *je, const char *kind, int32_t date, const char *currency,
                  const char *memo, const char *source_type, int64_t source_id,
                  int64_t customer_id);
void journal_debit(struct journal_entry *je, const char *role, struct money amount,
                   int64_t invoice_id);
void journal_credit(struct journal_entry *je, const char *role, struct money amount,
                    int64_t invoice_id);
/* A line for one contract: amount > 0 debits, < 0 credits. */
void journal_line_contract(struct journal_entry *je, const char *role, int64_t amount,
                           int64_t invoice_id, int64_t contract_id);
/* Debits equal credits (zero lines aside). */
bool journal_balanced(const struct journal_entry *je);
/* Lines with a non-zero amount. */
int journal_nonzero_lines(const struct journal_entry *je);

/* Releases the entry's lines (journal_post does it; call it for an entry never posted). */
void journal_free(struct journal_entry *je);

/* Writes and posts the entry, then releases it (journal_free) whatever the outcome; *id is 0
 * when the entry had nothing to post. */
int journal_post(struct book *b, struct journal_entry *je, int64_t *id, struct err *e);

#endif
