/*
 * contract.h — contracts with customers under ASC 606 / IFRS 15 (ACCOUNTING.md §2, §3).
 *
 * A contract is entered as a draft with its terms (step 1) and its performance obligations
 * (step 2). Activating it checks that it is a contract at all — approved (signed), with at least
 * one obligation, payment terms, commercial substance and probable collection — computes the
 * transaction price (step 3), allocates it by relative standalone selling price (step 4) and
 * plans every obligation's revenue by month (step 5). A contract that is not active recognizes
 * nothing; cash received for it is a customer deposit.
 *
 * Obligations are named CODE/N: the contract's code and the obligation's number in it.
 */
#ifndef RATABLE_CONTRACT_H
#define RATABLE_CONTRACT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "model/book.h"
#include "model/customer.h"
#include "model/money.h"
#include "model/recognition.h"

enum contract_status {
    CONTRACT_DRAFT,
    CONTRACT_ACTIVE,
    CONTRACT_COMPLETED,
    CONTRACT_TERMINATED,
};

enum billing_plan {
    BILL_UPFRONT,
    BILL_MONTHLY,
    BILL_QUARTERLY,
    BILL_ANNUAL,
    BILL_MILESTONE,
};

const char *contract_status_name(enum contract_status s);
const char *billing_plan_name(enum billing_plan p);
int billing_plan_parse(const char *s, enum billing_plan *out, struct err *e);

struct contract {
    int64_t id;
    char code[CODE_MAX + 1];
    int64_t customer_id;
    char customer[CODE_MAX + 1];
    char customer_name[256]; /* for lists: whole characters of the first 255 bytes */
    char currency[4];
    int exponent;
    char description[256];
    int32_t signed_on; /* DATE_NONE: not approved yet */
    int32_t start_on, end_on;
    int32_t trial_end; /* DATE_NONE: no free trial */
    enum contract_status status;
    bool collectible; /* collection is probable */
    bool commercial_substance;
    int payment_terms_days; /* -1: none stated */
    struct price_terms price;
    char variable_method[16]; /* expected_value, most_likely, or "" */
    char variable_note[256];
    enum billing_plan billing;
    int32_t billed_through; /* DATE_NONE: nothing billed by the plan yet */
    int32_t activated_on, ended_on;
    int64_t parent_id;
    char parent[CODE_MAX + 1];
    int64_t revision;
};

struct obligation {
    int64_t id;
    int64_t contract_id;
    int seq;
    char ref[2 * CODE_MAX + 8]; /* CODE/N */
    char name[256];
    bool capable_distinct, distinct_in_context;
    char combined_reason[256];
    enum pattern pattern;
    struct money ssp;
    enum ssp_method ssp_method;
    char ssp_evidence[256];
    struct money residual_low, residual_high;
    bool discount_target;
    int32_t start_on, end_on; /* ratable and progress: the service term */
    int32_t due_on;           /* point: expected delivery */
    int32_t delivered_on;     /* point: DATE_NONE until delivered */
    int32_t pause_start, pause_end;
    struct money allocated; /* its share of the price now, modifications included */
    int schedule_version;
    struct money initial_allocated; /* as planned before any modification */
    int32_t initial_end;
};

/* ---- entering a contract ---------------------------------------------------------------- */

struct contract_input {
    const char *code;
    const char *customer;
    const char *description;
    int32_t signed_on; /* DATE_NONE: not signed yet */
    int32_t start_on, end_on;
    int32_t trial_end;
    bool not_collectible;
    bool no_commercial_substance;
    int payment_terms_days; /* -1: the customer's terms */
    struct price_terms price;
    const char *variable_method;
    const char *variable_note;
    enum billing_plan billing;
};

int contract_add(struct book *b, const struct contract_input *in, int64_t *id, struct err *e);

struct obligation_input {
    const char *contract; /* code */
    const char *name;
    enum pattern pattern;
    struct money ssp;
    enum ssp_method ssp_method;
    const char *ssp_evidence;
    struct money residual_low, residual_high;
    bool not_capable_distinct, not_distinct_in_context;
    const char *combined_reason;
    bool discount_target;
    int32_t start_on, end_on; /* DATE_NONE: the contract's term */
    int32_t due_on;
};

int obligation_add(struct book *b, const struct obligation_input *in, char *ref, size_t refsize,
                   struct err *e);

/*
 * Combines obligation `from` into `into` (both CODE/N of one draft contract) because the
 * promises are not distinct: the standalone prices add up, the service term covers both, and the
 * reason is recorded on the combined obligation.
 */
int obligation_combine(struct book *b, const char *into, const char *from, const char *reason,
                       struct err *e);

/* What can change on a draft before it is activated (NULL or -1 / DATE_NONE: unchanged). */
struct contract_edit {
    int32_t signed_on;
    int collectible;         /* 1 probable, 0 not probable, -1 unchanged */
    int payment_terms_days;  /* -1 unchanged */
    const char *description; /* NULL unchanged */
};
int contract_edit(struct book *b, const char *code, const struct contract_edit *in, struct err *e);

/* Writes a contract and its obligations in one transaction, and activates it when asked (on
 * `activate_on`, DATE_NONE: leave it a draft). Nothing is written unless all of it is. */
int contract_create(struct book *b, const struct contract_input *in,
                    const struct obligation_input *obligations, size_t n, int32_t activate_on,
                    struct err *e);

/* Step 1 to 5: checks the contract can be activated, allocates, plans, and activates it. */
int contract_activate(struct book *b, const char *code, int32_t on, struct err *e);

/* Marks a point obligation delivered; its revenue is recognized on that date. */
int obligation_deliver(struct book *b, const char *ref, int32_t on, struct err *e);
/* Records usage of a usage obligation: the quantity as written and the amount it earns. */
int usage_record(struct book *b, const char *ref, int32_t on, const char *quantity,
                 struct money amount, struct err *e);
/* Records the percent complete (basis points) of a progress obligation. */
int progress_record(struct book *b, const char *ref, int32_t on, int32_t basis_points,
                    struct err *e);

/* ---- reading ---------------------------------------------------------------------------- */

int contract_find(struct book *b, const char *code, struct contract *out, struct err *e);

struct obligations {
    struct obligation *v;
    size_t n, cap;
};
int obligations_load(struct book *b, int64_t contract_id, struct obligations *out, struct err *e);
void obligations_free(struct obligations *o);
/* Finds CODE/N. */
int obligation_find(struct book *b, const char *ref, struct contract *c, struct obligation *o,
                    struct err *e);

/* The rules' view of an obligation, with its usage and progress loaded. */
struct recog_source {
    struct recog_input in;
    struct recog_segment *segments;
    struct usage_event *usage;
    struct progress_event *progress;
};
int recog_source_load(struct book *b, const struct contract *c, const struct obligation *o,
                      enum convention conv, struct recog_source *out, struct err *e);
void recog_source_free(struct recog_source *s);

enum convention book_convention(struct book *b);

/* Changes the book's settings (NULL: unchanged). Changing the convention re-plans every
 * contract's schedules in the same transaction; months already posted are corrected by the
 * next recognition run. */
int book_settings_set(struct book *b, const char *company, const char *user, const char *convention,
                      struct err *e);

/*
 * A contract's position at the end of a day (ACCOUNTING.md §3): billed to date B, recognized to
 * date R (as the schedules compute it), deferred revenue when B > R, split into the part
 * scheduled within the next 12 months (current) and the rest, and a contract asset when R > B.
 */
struct contract_balance {
    struct money billed, recognized;
    struct money deferred, deferred_current, deferred_noncurrent;
    struct money contract_asset;
    struct money unrecognized; /* fixed price allocated but not yet recognized (RPO) */
    struct money rpo_12;       /* of which scheduled within 12 months */
};
int contract_balance(struct book *b, const struct contract *c, int32_t as_of,
                     struct contract_balance *out, struct err *e);

struct contract_row {
    struct contract c;
    struct money transaction_price;
    int obligations;
};
struct contract_rows {
    struct contract_row *v;
    size_t n, cap;
};
struct contract_query {
    int64_t customer_id; /* 0: all */
    const char *filter;  /* code, customer or description contains */
    int status;          /* -1: any */
    size_t reach;        /* contract_page: the most contracts a page reads (see enum page_seek);
                            0: as many as it takes */
};
int contract_list(struct book *b, const struct contract_query *q, struct contract_rows *out,
                  struct err *e);
/* A page of the list in code order (keyset paging, see enum page_seek): up to `limit` rows from
 * `seek`, relative to the contract coded `anchor` (ignored for PAGE_FIRST and PAGE_LAST),
 * appended to *out. A status alone seeks its own index; a filter reads contracts in code order
 * until the page is full, so a rare word reads all of them, unless q->reach bounds the contracts
 * read. Then `stop` (CODE_MAX + 1 bytes) gets the code where a page stopped short, the anchor to
 * read on from, and is "" when the page is full or the list ended. */
int contract_page(struct book *b, const struct contract_query *q, enum page_seek seek,
                  const char *anchor, size_t limit, struct contract_rows *out, char *stop,
                  struct err *e);
/* How many contracts of the slice the query lists (struct id_slice): from an index alone unless
 * there is a filter or a customer, which count by reading each contract. */
int contract_count(struct book *b, const struct contract_query *q, struct id_slice *s,
                   struct err *e);
void contract_rows_free(struct contract_rows *r);
/* Calls fn for each contract matching q, in the list's order, one at a time: a report over every
 * contract never holds them all. The row (its obligations not counted) lives for the call; fn
 * may read the book, and write to it (re-planning writes each contract's schedules) as long as
 * it changes no contract, customer or currency the walk reads. A return other than ERR_OK stops
 * the walk and is returned. */
int contract_list_each(struct book *b, const struct contract_query *q,
                       int (*fn)(void *ctx, const struct contract_row *row, struct err *e),
                       void *ctx, struct err *e);

/*
 * The position at a date (struct contract_balance) of every contract past draft with something
 * not yet recognized, for a report of them by currency. They are worked out in one pass in code
 * order, which reads the book's pages once, and kept in the connection's temporary storage (on
 * disk beyond SQLite's cache, SQLITE_TEMP_STORE), then read back a currency at a time: a book of
 * any size is never in memory. Reading them back sees the book as it was when they were built.
 */
struct contract_position {
    char contract[CODE_MAX + 1], customer[CODE_MAX + 1];
    int32_t end_on;
    struct money price; /* the transaction price */
    struct money unrecognized, rpo_12;
};
struct contract_positions;
struct contract_positions *contract_positions_build(struct book *b, int32_t as_of, struct err *e);
/* The currencies of the contracts past draft (those with nothing left to recognize too), in the
 * order their first contract comes by code; the positions keep their codes and exponents. */
int contract_positions_currencies(const struct contract_positions *p);
const char *contract_positions_currency(const struct contract_positions *p, int i, int *exponent);
void contract_positions_free(struct contract_positions *p);

/* The positions of currency i, in code order, one at a time. Each cursor has its own statement,
 * so the cursors of several currencies may be read in any order; the positions outlive them. */
struct position_cursor;
struct position_cursor *position_cursor_open(struct contract_positions *p, int currency);
/* 1 with the next position in *out (valid until the next call), 0 at the end, -1 with e set. */
int position_cursor_next(struct position_cursor *c, const struct contract_position **out,
                         struct err *e);
/* Back to the first position. */
void position_cursor_rewind(struct position_cursor *c);
void position_cursor_close(struct position_cursor *c);

/* The codes of every contract past draft (active_only: of the active ones), in code order: a
 * run over a whole book loads one contract at a time from them. */
struct contract_codes {
    char (*v)[CODE_MAX + 1];
    size_t n, cap;
};
int contract_codes(struct book *b, bool active_only, struct contract_codes *out, struct err *e);
void contract_codes_free(struct contract_codes *c);

#endif
