/*
 * billing.h — billing plans of contracts: when invoices fall due and for how much, and issuing
 * them. Billing never drives revenue (ACCOUNTING.md §3): plan invoices credit deferred revenue,
 * and credit applies to them like to any invoice.
 *
 * The plan bills the contract price less its discount: up front on the start date, or in equal
 * monthly, quarterly or annual instalments from the start date (the cents left over by the
 * equal split go to the first instalments), or on the contract's milestones. Usage is billed in
 * arrears, one invoice per month of usage. Variable consideration estimated at inception is
 * billed when it is known, by an ordinary invoice.
 */
#ifndef RATABLE_BILLING_H
#define RATABLE_BILLING_H

#include <stddef.h>
#include <stdint.h>

#include "model/book.h"
#include "model/contract.h"

struct bill_instalment {
    int32_t on;
    struct money amount;
};

/* The instalments of a plan over [start, end] for `amount` (not milestones); out has room for
 * at least billing_count() entries. Returns how many. */
size_t billing_plan_instalments(enum billing_plan plan, int32_t start, int32_t end,
                                struct money amount, struct bill_instalment *out);
size_t billing_count(enum billing_plan plan, int32_t start, int32_t end);

struct bill_result {
    int invoices;
    struct money total;
    char first[CODE_MAX + 1], last[CODE_MAX + 1];
};

/* Issues every invoice the contract's plan (and its usage) calls for up to `through`. */
int contract_bill(struct book *b, const char *code, int32_t through, struct bill_result *out,
                  struct err *e);

/* A billing run: what each active contract was billed. */
struct bill_run_item {
    char code[CODE_MAX + 1];
    struct bill_result r;
};
struct bill_run {
    struct bill_run_item *v; /* every active contract, in code order; owned */
    size_t n, cap;
    int invoices;
};
/*
 * Bills every active contract through `through` in one transaction: a run is one user action,
 * so it is wholly written or not at all (a contract that cannot be billed, a full disk or a
 * killed process leaves no contract half of the run billed). On failure nothing is written and
 * the message names the contract.
 */
int contract_bill_all(struct book *b, int32_t through, struct bill_run *out, struct err *e);
void bill_run_free(struct bill_run *r);

/* Adds a billing milestone to a contract billed on milestones (obligation_ref may be NULL). */
int contract_milestone(struct book *b, const char *code, int32_t due, struct money amount,
                       const char *description, const char *obligation_ref, struct err *e);

#endif
