/*
 * cli.h — the command line: every action of the workstation as `ratable [-b BOOK] COMMAND ...`.
 *
 * Each group of commands lives in its own cli_*.c file and registers its commands in the table
 * of cli.c. A command parses its arguments, calls the model or a report, prints a short result to
 * standard output, and reports errors on standard error with a non-zero exit status.
 */
#ifndef RATABLE_CLI_H
#define RATABLE_CLI_H

#include <stdint.h>
#include <stdio.h>

#include "model/book.h"
#include "model/err.h"
#include "tui/args.h"
#include "tui/progress_bar.h"

enum {
    EXIT_OK = 0,
    EXIT_FAIL = 1,  /* the action failed or was refused */
    EXIT_USAGE = 2, /* the command line was wrong */
};

struct cli {
    const char *book_path; /* -b, $RATABLE_BOOK or the default book */
    const char *user;      /* --user, or NULL for the book's own */
    int32_t today;         /* --today, $RATABLE_TODAY or the local date */
    int64_t (*clock)(void);
    struct book *book; /* opened by cli_open */
    FILE *out;
    struct progress_bar bar; /* long operations' progress on standard error */
};

/* Removes a book being generated (async-signal-safe; the command line's signal handler). */
void cli_abandon(void);

/* Opens the book named by -b (once); prints the error and returns NULL when it cannot. */
struct book *cli_open(struct cli *c);
/* Prints "ratable: MESSAGE" on standard error and returns EXIT_FAIL (or EXIT_USAGE for input
 * errors of the command line itself). */
int cli_fail(const struct err *e);
int cli_usage(const char *usage, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* Runs COMMAND ARGS... (argv[0] is the command). */
int cli_dispatch(struct cli *c, int argc, char **argv);
/* Prints the list of commands (for --help). */
void cli_print_commands(FILE *f);

/* Parses a date option value, naming the option in the error. */
int cli_date(const char *opt, const char *value, int32_t *out, struct err *e);

/* Commands, grouped by file. */
int cmd_init(struct cli *c, int argc, char **argv);
int cmd_check(struct cli *c, int argc, char **argv);
int cmd_close(struct cli *c, int argc, char **argv);
int cmd_reopen(struct cli *c, int argc, char **argv);
int cmd_backup(struct cli *c, int argc, char **argv);
int cmd_settings(struct cli *c, int argc, char **argv);
int cmd_demo(struct cli *c, int argc, char **argv);
int cmd_generate(struct cli *c, int argc, char **argv);
int cmd_customer_add(struct cli *c, int argc, char **argv);
int cmd_customer_edit(struct cli *c, int argc, char **argv);
int cmd_customer_archive(struct cli *c, int argc, char **argv);
int cmd_customer_unarchive(struct cli *c, int argc, char **argv);
int cmd_customer_list(struct cli *c, int argc, char **argv);
int cmd_credit_grant(struct cli *c, int argc, char **argv);
int cmd_credit_expire(struct cli *c, int argc, char **argv);
int cmd_credit_refund(struct cli *c, int argc, char **argv);
int cmd_credit_adjust(struct cli *c, int argc, char **argv);
int cmd_credit_apply(struct cli *c, int argc, char **argv);
int cmd_invoice_issue(struct cli *c, int argc, char **argv);
int cmd_invoice_draft(struct cli *c, int argc, char **argv);
int cmd_invoice_credit_note(struct cli *c, int argc, char **argv);
int cmd_invoice_list(struct cli *c, int argc, char **argv);
int cmd_invoice_show(struct cli *c, int argc, char **argv);
int cmd_payment_record(struct cli *c, int argc, char **argv);
int cmd_import(struct cli *c, int argc, char **argv);
int cmd_contract_add(struct cli *c, int argc, char **argv);
int cmd_contract_activate(struct cli *c, int argc, char **argv);
int cmd_contract_edit(struct cli *c, int argc, char **argv);
int cmd_contract_show(struct cli *c, int argc, char **argv);
int cmd_contract_list(struct cli *c, int argc, char **argv);
int cmd_contract_milestone(struct cli *c, int argc, char **argv);
int cmd_obligation_add(struct cli *c, int argc, char **argv);
int cmd_obligation_combine(struct cli *c, int argc, char **argv);
int cmd_obligation_deliver(struct cli *c, int argc, char **argv);
int cmd_usage_record(struct cli *c, int argc, char **argv);
int cmd_progress_record(struct cli *c, int argc, char **argv);
int cmd_memo_new(struct cli *c, int argc, char **argv);
int cmd_memo_show(struct cli *c, int argc, char **argv);
int cmd_memo_approve(struct cli *c, int argc, char **argv);
int cmd_memo_post(struct cli *c, int argc, char **argv);
int cmd_memo_list(struct cli *c, int argc, char **argv);
int cmd_report_memos(struct cli *c, int argc, char **argv);
int cmd_report_changes(struct cli *c, int argc, char **argv);
int cmd_report_credit_activity(struct cli *c, int argc, char **argv);
int cmd_report_pack(struct cli *c, int argc, char **argv);
int cmd_report_memo(struct cli *c, int argc, char **argv);
int cmd_bill(struct cli *c, int argc, char **argv);
int cmd_recognize(struct cli *c, int argc, char **argv);
int cmd_report_statement(struct cli *c, int argc, char **argv);
int cmd_report_credits(struct cli *c, int argc, char **argv);
int cmd_report_aging(struct cli *c, int argc, char **argv);
int cmd_report_waterfall(struct cli *c, int argc, char **argv);
int cmd_report_rollforward(struct cli *c, int argc, char **argv);
int cmd_report_rpo(struct cli *c, int argc, char **argv);
int cmd_report_revenue(struct cli *c, int argc, char **argv);
int cmd_report_journal(struct cli *c, int argc, char **argv);

struct report;
/* Writes a report to path (format by extension), or as a text table on standard output when
 * path is NULL; frees the report. */
int cli_emit(struct cli *c, struct report *r, const char *path);

#endif
