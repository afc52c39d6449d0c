/*
 * reports.h — the catalogue of reports: each one built once, from the model, into a struct
 * report that the renderers draw as text, CSV or XLSX and the workstation shows on screen.
 *
 * Every report carries a header block: company, book, the parameters, generated when and by
 * whom, and the program version. The builders read the book inside one read transaction, so a
 * report sees one consistent state of the book.
 */
#ifndef RATABLE_REPORTS_H
#define RATABLE_REPORTS_H

#include <stdint.h>

#include "model/book.h"
#include "model/err.h"
#include "reports/report.h"

/* Adds the standard header block (Company, Book, Generated, By, Program) after any
 * report-specific lines already added. */
int report_stamp(struct report *r, struct book *b, struct err *e);

/* A customer's statement for [from, to]. The caller frees the report. */
struct report *report_statement(struct book *b, const char *customer, int32_t from, int32_t to,
                                struct err *e);

/* Statements of every customer with activity or a balance in [from, to], in customer order,
 * built one at a time as *out hands them out (report_source_next), all inside one read
 * transaction; the caller closes the source. In XLSX they are stacked after a contents sheet
 * (customer, name, currency, opening and closing balance, where the statement is). With no such
 * customer *out is empty (report_source_empty). */
int report_statements_open(struct book *b, int32_t from, int32_t to, struct report_source *out,
                           struct err *e);

/* Credit balances and expiries of every customer at as_of. */
struct report *report_credits(struct book *b, int32_t as_of, struct err *e);

/* Receivables aging of every customer at as_of. */
struct report *report_aging(struct book *b, int32_t as_of, struct err *e);

/* A contract: its terms, the five steps' answers, the allocation, the schedule by month and its
 * position (billed, recognized, deferred, contract asset, remaining obligations) at as_of. */
struct report *report_contract(struct book *b, const char *code, int32_t as_of, struct err *e);

struct contract_query;
/* The contracts matching q with their positions at as_of, a table per currency. */
struct report *report_contracts(struct book *b, const struct contract_query *q, int32_t as_of,
                                struct err *e);

/* ---- deferred revenue --------------------------------------------------------------------- */

/* One row per obligation, a column per month of [from, to] (periods), with what came before and
 * later, a total and a check that cross-foots against the allocation. */
struct report *report_waterfall(struct book *b, int32_t from, int32_t to, struct err *e);

/* Per contract from the ledger: opening deferred revenue + billings - revenue +/- adjustments =
 * closing; current and non-current; contract assets apart; revenue recognized that was in the
 * opening balance (ASC 606-10-50-8); a tie-out to the ledger account. */
struct report *report_rollforward(struct book *b, int32_t from, int32_t to, struct err *e);

/* Remaining performance obligations at a date: price not yet recognized, within 12 months and
 * after. */
struct report *report_rpo(struct book *b, int32_t as_of, struct err *e);

enum revenue_by {
    REVENUE_BY_PATTERN,
    REVENUE_BY_CUSTOMER,
    REVENUE_BY_OBLIGATION,
};
int revenue_by_parse(const char *s, enum revenue_by *out, struct err *e);
/* Revenue posted by month over [from, to] (periods), disaggregated as asked. */
struct report *report_revenue(struct book *b, int32_t from, int32_t to, enum revenue_by by,
                              struct err *e);

/* The journal's lines over [from, to] (days), one row per line, with control totals; as CSV
 * only the lines, in the layout journal imports take. */
struct report *report_journal(struct book *b, int32_t from, int32_t to, struct err *e);

/* ---- the audit trail ---------------------------------------------------------------------- */

/* The change log over [from, to] (days, UTC), with each row's hash and the chain's state. */
struct report *report_changes(struct book *b, int32_t from, int32_t to, struct err *e);
/* Every credit movement dated in [from, to]: grants, applications, expiries, refunds. */
struct report *report_credit_activity(struct book *b, int32_t from, int32_t to, struct err *e);
/* The audit pack of month p: the reports of one workbook (a sheet each, the tie-out last),
 * built one at a time as *out hands them out; the caller closes the source. */
int report_pack_open(struct book *b, int32_t p, struct report_source *out, struct err *e);

/* ---- modifications ----------------------------------------------------------------------- */

struct memo;
/* A modification memo: the change, the answers, the treatment and rationale, the effect
 * (summary, by obligation, by month before and after) and sign-off. */
struct report *report_memo(struct book *b, const char *number, struct err *e);
/* The same for a memo in hand (a preview not yet saved). */
struct report *report_memo_of(struct book *b, const struct memo *m, struct err *e);
/* The modifications log: memos effective in [from, to] (DATE_NONE: open ends). */
struct report *report_memos(struct book *b, int32_t from, int32_t to, struct err *e);

#endif
