/*
 * credit.h — customer credit balances (ACCOUNTING.md §4).
 *
 * Credit is held as grants: an amount, a grant date, an optional expiry date, a kind and a
 * reason. Prepaid and refund credit is the customer's money (a liability in the customer-credit
 * account); promotional and goodwill credit is free and touches the ledger only when applied,
 * as a sales discount. A grant can be used on its expiry date and is expired from the next day.
 * When an invoice is issued, credit applies automatically: grants alive on the issue date,
 * earliest expiry first (no expiry last), then oldest grant, then lowest id.
 *
 * The pure rules come first; then the book operations, each one transaction that writes the
 * movements, the journal entry and the change log together.
 */
#ifndef RATABLE_CREDIT_H
#define RATABLE_CREDIT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "model/book.h"
#include "model/customer.h"
#include "model/money.h"

enum credit_kind {
    CREDIT_PREPAID,
    CREDIT_PROMOTIONAL,
    CREDIT_GOODWILL,
    CREDIT_REFUND,
};

const char *credit_kind_name(enum credit_kind k);
int credit_kind_parse(const char *s, enum credit_kind *out, struct err *e);
/* Prepaid and refund credit is the customer's money; promotional and goodwill is free. */
bool credit_kind_is_paid(enum credit_kind k);

struct credit_grant {
    int64_t id;
    int64_t customer_id;
    enum credit_kind kind;
    struct money amount;    /* as granted */
    struct money remaining; /* at the date it was loaded for */
    int32_t granted_on;
    int32_t expires_on; /* DATE_NONE: never */
    char reason[256];
    char granted_by[64];
    bool expired; /* an expiry movement has been recorded */
};

/* Alive on `day`: granted by then, not past its expiry date, something left. */
bool credit_usable_on(const struct credit_grant *g, int32_t day);
/* The day the remaining amount becomes expired: the day after the expiry date. */
int32_t credit_expiry_day(const struct credit_grant *g);

struct credit_draw {
    size_t grant;        /* index into the grants given to credit_plan */
    struct money amount; /* positive: what is taken from it */
};

/*
 * Plans how credit covers `due` on `day`: usable grants in the order of §4, each drawn as far as
 * it goes. draws has room for n; returns how many were used. The draws add up to at most due.
 */
size_t credit_plan(const struct credit_grant *grants, size_t n, int32_t day, struct money due,
                   struct credit_draw *draws);

enum movement_kind {
    MOVE_GRANTED,
    MOVE_APPLIED,
    MOVE_EXPIRED,
    MOVE_REFUNDED,
    MOVE_ADJUSTED,
};
const char *movement_kind_name(enum movement_kind k);

struct credit_movement {
    int64_t id;
    int64_t grant_id;
    enum credit_kind grant_kind;
    enum movement_kind kind;
    struct money amount; /* signed change of the grant */
    int32_t on_date;
    char invoice[CODE_MAX + 1]; /* "" when not linked */
    char reason[256];
    char by[64];
    char created_at[24];
};

/* ---- book operations -------------------------------------------------------------------- */

struct grant_input {
    const char *customer; /* code */
    enum credit_kind kind;
    struct money amount; /* > 0 */
    int32_t granted_on;
    int32_t expires_on; /* DATE_NONE: never */
    const char *reason;
};

/* Grants credit. A prepaid grant is cash received (Cash / Customer credit balances); a refund
 * grant is a concession owed to the customer (Sales discounts / Customer credit balances);
 * promotional and goodwill grants post nothing until used. */
int credit_grant(struct book *b, const struct grant_input *in, int64_t *grant_id, struct err *e);

/* Records the expiry of every grant, of every customer, whose expiry date is before as_of and
 * that still has credit left, dated the day after its expiry date. */
int credit_expire(struct book *b, int32_t as_of, int *count, struct err *e);

/* Pays prepaid or refund credit back to the customer in cash. grant_id 0: from the customer's
 * paid grants in the order credit is applied. */
int credit_refund(struct book *b, const char *customer, struct money amount, int32_t day,
                  const char *reason, int64_t grant_id, struct err *e);

/* Corrects a grant up (delta > 0) or down (delta < 0), with a reason. */
int credit_adjust(struct book *b, int64_t grant_id, struct money delta, int32_t day,
                  const char *reason, struct err *e);

/* Applies the customer's available credit on `day` to its open invoices, oldest first. */
int credit_apply_open(struct book *b, const char *customer, int32_t day, struct money *applied,
                      struct err *e);

/* The customer a grant belongs to; the caller clears *out. */
int credit_grant_customer(struct book *b, int64_t grant_id, struct customer *out, struct err *e);

struct credit_grants {
    struct credit_grant *v;
    size_t n, cap;
};
/* The customer's grants with what remained at the end of as_of, oldest first. */
int credit_grants_load(struct book *b, int64_t customer_id, int32_t as_of,
                       struct credit_grants *out, struct err *e);
void credit_grants_free(struct credit_grants *g);

struct credit_movements {
    struct credit_movement *v;
    size_t n, cap;
};
/* The customer's movements in date order (grant_id 0), or one grant's. */
int credit_movements_load(struct book *b, int64_t customer_id, int64_t grant_id,
                          struct credit_movements *out, struct err *e);
void credit_movements_free(struct credit_movements *m);

/* A grant that will expire, with its customer. */
struct credit_expiring {
    char customer[CODE_MAX + 1];
    char *name; /* owned by the list: the customer's whole name */
    char currency[4];
    int exponent;
    struct credit_grant grant;
};
struct credit_expiring_list {
    struct credit_expiring *v;
    size_t n, cap;
};
/* Grants of every customer with credit left that expire in [from, to], soonest first. */
int credit_expiring_load(struct book *b, int32_t from, int32_t to, struct credit_expiring_list *out,
                         struct err *e);
void credit_expiring_free(struct credit_expiring_list *l);
/* A customer's credit at a date, for lists. */
struct credit_summary {
    int64_t customer_id;
    char customer[CODE_MAX + 1];
    char *name; /* owned by the list: the customer's whole name */
    char currency[4];
    int exponent;
    struct money paid, free_credit, total;
    int32_t next_expiry;   /* the soonest expiry of a grant with credit left; DATE_NONE */
    struct money expiring; /* credit left in grants expiring within `window` days */
    int grants;            /* grants with credit left */
};
struct credit_summaries {
    struct credit_summary *v;
    size_t n, cap;
};
/* Every customer holding credit at the end of as_of, by code; `window` days ahead for expiring. */
int credit_summaries_load(struct book *b, int32_t as_of, int window, struct credit_summaries *out,
                          struct err *e);
void credit_summaries_free(struct credit_summaries *s);

/* Grants of every customer with credit left at the end of as_of (remaining as of then), by
 * currency, then customer, then grant. */
int credit_outstanding_load(struct book *b, int32_t as_of, struct credit_expiring_list *out,
                            struct err *e);

#endif
