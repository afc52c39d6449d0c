/*
 * customer.h — customers: who is billed, in which currency, on what terms.
 *
 * customer_validate is the pure rule (which field is wrong and why); the rest reads and writes
 * the book. An edit carries the revision it was read at, so saving over someone else's change
 * is refused with ERR_CONFLICT instead of losing it. Customers are archived, never deleted.
 */
#ifndef RATABLE_CUSTOMER_H
#define RATABLE_CUSTOMER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "model/book.h"
#include "model/money.h"

#define CODE_MAX 32

struct customer {
    int64_t id;
    char code[CODE_MAX + 1];
    char *name; /* owned */
    char currency[4];
    int exponent;  /* of the currency */
    char *email;   /* owned, NULL when none */
    char *address; /* owned, NULL when none */
    int terms_days;
    bool archived;
    int64_t revision;
};

/* Frees what a struct customer owns; the struct itself may be reused. */
void customer_clear(struct customer *c);

struct customer_input {
    const char *code;
    const char *name;
    const char *currency; /* NULL: the book's base currency */
    const char *email;    /* NULL or "": none */
    const char *address;  /* NULL or "": none */
    int terms_days;       /* -1: 30 days */
};

enum customer_field {
    CUSTOMER_FIELD_NONE,
    CUSTOMER_FIELD_CODE,
    CUSTOMER_FIELD_NAME,
    CUSTOMER_FIELD_CURRENCY,
    CUSTOMER_FIELD_EMAIL,
    CUSTOMER_FIELD_TERMS,
    CUSTOMER_FIELD_ADDRESS,
};

/* Checks the fields one by one; on the first bad one sets *bad and a message naming it. */
int customer_validate(const struct customer_input *in, enum customer_field *bad, struct err *e);

int customer_add(struct book *b, const struct customer_input *in, int64_t *id, struct err *e);
/* Saves an edit made to the row read at `revision`; ERR_CONFLICT when it changed since. */
int customer_update(struct book *b, int64_t id, int64_t revision, const struct customer_input *in,
                    struct err *e);
int customer_set_archived(struct book *b, int64_t id, int64_t revision, bool archived,
                          struct err *e);
/* Finds a customer by code (case-insensitive); ERR_NOTFOUND names the code. The caller clears
 * *out. */
int customer_find(struct book *b, const char *code, struct customer *out, struct err *e);
int customer_get(struct book *b, int64_t id, struct customer *out, struct err *e);

/* What a customer owes and holds at a date. */
struct customer_balance {
    struct money owed;        /* open balance of issued invoices */
    struct money overdue;     /* of which past due */
    struct money credit_paid; /* prepaid and refund credit remaining */
    struct money credit_free; /* promotional and goodwill credit remaining */
    int open_invoices;
};
int customer_balance(struct book *b, int64_t id, int32_t as_of, struct customer_balance *out,
                     struct err *e);

/* One line of the customer list. */
struct customer_row {
    int64_t id;
    char code[CODE_MAX + 1];
    char *name; /* owned by the list */
    char currency[4];
    int exponent;
    struct money owed;
    struct money credit; /* all credit remaining */
    bool archived;
};

enum customer_sort {
    CUSTOMER_SORT_CODE,
    CUSTOMER_SORT_NAME,
    CUSTOMER_SORT_OWED,
    CUSTOMER_SORT_CREDIT,
};

struct customer_query {
    const char *filter; /* substring of code or name, case-insensitive; NULL: all */
    enum customer_sort sort;
    bool descending;
    bool include_archived;
    bool kept; /* customer_page: by owed or credit, from the balances customer_sort_fill kept */
};

struct customer_list {
    struct customer_row *rows;
    size_t n, cap;
};

/* Appends up to `limit` rows starting at `offset` in the query's order. */
int customer_list(struct book *b, const struct customer_query *q, size_t offset, size_t limit,
                  struct customer_list *out, struct err *e);
/* A page of the list (keyset paging, see enum page_seek): up to `limit` rows from `seek`,
 * relative to `anchor` (a row of an earlier page; ignored for PAGE_FIRST and PAGE_LAST), in the
 * query's order, appended to *out. Sorted by code or name, a page reads only its own rows; by
 * owed or credit, which are computed, every customer's balance is computed for each page, unless
 * the query pages by the balances kept (below). */
int customer_page(struct book *b, const struct customer_query *q, enum page_seek seek,
                  const struct customer_row *anchor, size_t limit, struct customer_list *out,
                  struct err *e);
/*
 * Sorting by owed or credit needs every customer's balances: seconds of work on a large book,
 * too long for one key. The workstation keeps them instead, in the connection's temporary
 * storage, filled a slice of customers at a time between keys: customer_sort_start empties what
 * was kept; customer_sort_fill works out the balances of the customers with ids in the slice
 * (struct id_slice: count is how many, last the largest id); then a query with `kept` pages from
 * them by their indexes. They are the book as it was when filled: fill them again after a change.
 */
int customer_sort_start(struct book *b, struct err *e);
int customer_sort_fill(struct book *b, struct id_slice *s, struct err *e);
/* How many customers of the slice the query lists (struct id_slice). */
int customer_count(struct book *b, const struct customer_query *q, struct id_slice *s,
                   struct err *e);
void customer_list_free(struct customer_list *l);

#endif
