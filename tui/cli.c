/*
 * cli.c — the table of commands and the helpers every command shares.
 */
#include "tui/cli.h"

#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "model/date.h"
#include "model/db.h"
#include "model/xalloc.h"

struct command {
    const char *name;
    const char *sub; /* NULL: the command takes no subcommand */
    int (*fn)(struct cli *c, int argc, char **argv);
    const char *usage;
};

static const struct command commands[] = {
    {"init", NULL, cmd_init, "init --company NAME --currency CUR [--user NAME]"},
    {"demo", NULL, cmd_demo, "demo [FILE]"},
    {"generate", NULL, cmd_generate,
     "generate FILE --customers N --contracts M --months K [--seed S]"},
    {"settings", NULL, cmd_settings,
     "settings [--company NAME] [--user NAME] [--convention monthly|daily]"},
    {"customer", "add", cmd_customer_add,
     "customer add CODE --name NAME [--currency CUR] [--email ADDR] [--terms DAYS]"
     " [--address TEXT]"},
    {"customer", "edit", cmd_customer_edit,
     "customer edit CODE [--code NEW] [--name NAME] [--currency CUR] [--email ADDR]"
     " [--terms DAYS] [--address TEXT]"},
    {"customer", "archive", cmd_customer_archive, "customer archive CODE"},
    {"customer", "unarchive", cmd_customer_unarchive, "customer unarchive CODE"},
    {"customer", "list", cmd_customer_list,
     "customer list [--filter TEXT] [--sort code|name|owed|credit] [--all] [-o FILE]"},
    {"credit", "grant", cmd_credit_grant,
     "credit grant CODE AMOUNT --date D [--expires D]"
     " [--kind prepaid|promotional|goodwill|refund] --reason TEXT"},
    {"credit", "expire", cmd_credit_expire, "credit expire --as-of D"},
    {"credit", "refund", cmd_credit_refund,
     "credit refund CODE AMOUNT --date D --reason TEXT [--grant ID]"},
    {"credit", "adjust", cmd_credit_adjust, "credit adjust GRANT AMOUNT --date D --reason TEXT"},
    {"credit", "apply", cmd_credit_apply, "credit apply CODE --date D"},
    {"invoice", "issue", cmd_invoice_issue,
     "invoice issue CODE --date D [--due D] --line \"DESCRIPTION=AMOUNT\" [--line ...]"
     " [--number N] [--memo TEXT]"},
    {"invoice", "issue", cmd_invoice_issue, "invoice issue NUMBER [--date D]   (a draft)"},
    {"invoice", "draft", cmd_invoice_draft,
     "invoice draft CODE --date D [--due D] --line \"DESCRIPTION=AMOUNT\" [--line ...]"},
    {"invoice", "credit-note", cmd_invoice_credit_note,
     "invoice credit-note NUMBER AMOUNT --date D --reason TEXT"},
    {"invoice", "list", cmd_invoice_list,
     "invoice list [--customer CODE] [--open] [--drafts] [-o FILE]"},
    {"invoice", "show", cmd_invoice_show, "invoice show NUMBER"},
    {"payment", "record", cmd_payment_record,
     "payment record CODE AMOUNT --date D [--invoice NUMBER | --apply-open |"
     " --contract CONTRACT] [--reference TEXT]"},
    {"contract", "add", cmd_contract_add,
     "contract add CODE --customer CUST [--signed D] --start D --end D [--price AMOUNT]"
     " [--discount AMOUNT] [--payable AMOUNT] [--variable AMOUNT --variable-method M"
     " [--variable-note TEXT]] [--terms DAYS] [--trial-end D] [--not-probable] [--no-substance]"
     " [--billing upfront|monthly|quarterly|annual|milestone] [--description TEXT]"},
    {"contract", "edit", cmd_contract_edit,
     "contract edit CONTRACT [--signed D] [--collectibility probable|not_probable]"
     " [--terms DAYS] [--description TEXT]"},
    {"contract", "activate", cmd_contract_activate,
     "contract activate (CONTRACT | --all) [--date D]"},
    {"contract", "show", cmd_contract_show, "contract show CONTRACT [--as-of D] [-o FILE]"},
    {"contract", "list", cmd_contract_list,
     "contract list [--customer CODE] [--status S] [--filter TEXT] [--as-of D] [-o FILE]"},
    {"contract", "milestone", cmd_contract_milestone,
     "contract milestone CONTRACT --date D --amount AMOUNT --description TEXT"
     " [--obligation CONTRACT/N]"},
    {"obligation", "add", cmd_obligation_add,
     "obligation add CONTRACT --name TEXT --pattern ratable|point|usage|progress --ssp AMOUNT"
     " --ssp-method observable|adjusted-market|cost-plus|residual [--evidence TEXT]"
     " [--range LOW..HIGH] [--start D --end D | --due D] [--not-capable] [--not-distinct]"
     " [--combined-reason TEXT] [--discount-target]"},
    {"obligation", "combine", cmd_obligation_combine, "obligation combine INTO FROM --reason TEXT"},
    {"obligation", "deliver", cmd_obligation_deliver, "obligation deliver OBLIGATION --date D"},
    {"usage", "record", cmd_usage_record,
     "usage record OBLIGATION --date D --quantity Q --amount AMOUNT"},
    {"progress", "record", cmd_progress_record, "progress record OBLIGATION --date D --percent P"},
    {"memo", "new", cmd_memo_new,
     "memo new CONTRACT --effective D --type TYPE --description TEXT [change options]"
     " [--treatment T --rationale TEXT] [--preview]"},
    {"memo", "show", cmd_memo_show, "memo show MEMO [-o FILE]"},
    {"memo", "approve", cmd_memo_approve, "memo approve MEMO --by NAME"},
    {"memo", "post", cmd_memo_post, "memo post MEMO"},
    {"memo", "list", cmd_memo_list, "memo list [--from D] [--to D] [-o FILE]"},
    {"bill", NULL, cmd_bill, "bill (CONTRACT | --all) --through D"},
    {"recognize", NULL, cmd_recognize, "recognize --through YYYY-MM"},
    {"import", NULL, cmd_import,
     "import customers|credits|invoices|payments|contracts|obligations|usage FILE.csv"},
    {"report", "statement", cmd_report_statement,
     "report statement (--customer CODE | --all) --from D --to D [-o FILE.xlsx|FILE.csv]"},
    {"report", "credits", cmd_report_credits, "report credits [--as-of D] [-o FILE]"},
    {"report", "aging", cmd_report_aging, "report aging [--as-of D] [-o FILE]"},
    {"report", "waterfall", cmd_report_waterfall,
     "report waterfall --from YYYY-MM --to YYYY-MM [-o FILE]"},
    {"report", "rollforward", cmd_report_rollforward,
     "report rollforward --from YYYY-MM --to YYYY-MM [-o FILE]"},
    {"report", "rpo", cmd_report_rpo, "report rpo [--as-of D] [-o FILE]"},
    {"report", "revenue", cmd_report_revenue,
     "report revenue --from YYYY-MM --to YYYY-MM [--by pattern|customer|obligation] [-o FILE]"},
    {"report", "journal", cmd_report_journal, "report journal --from D --to D [-o FILE]"},
    {"report", "memos", cmd_report_memos, "report memos [--from D] [--to D] [-o FILE]"},
    {"report", "memo", cmd_report_memo, "report memo MEMO -o FILE.xlsx"},
    {"report", "changes", cmd_report_changes, "report changes --from D --to D [-o FILE]"},
    {"report", "credit-activity", cmd_report_credit_activity,
     "report credit-activity --from D --to D [-o FILE]"},
    {"report", "pack", cmd_report_pack, "report pack --period YYYY-MM -o FILE.xlsx"},
    {"close", NULL, cmd_close, "close YYYY-MM [--dry-run] [--backup FILE | --no-backup]"},
    {"reopen", NULL, cmd_reopen, "reopen YYYY-MM --reason TEXT"},
    {"backup", NULL, cmd_backup, "backup FILE"},
    {"check", NULL, cmd_check, "check"},
};

void cli_print_commands(FILE *f)
{
    for (size_t i = 0; i < sizeof commands / sizeof commands[0]; i++)
        fprintf(f, "  ratable [-b BOOK] %s\n", commands[i].usage);
}

static int run_command(struct cli *c, int (*fn)(struct cli *, int, char **), int skip, int argc,
                       char **argv);

int cli_dispatch(struct cli *c, int argc, char **argv)
{
    const char *name = argv[0];
    const char *sub = argc > 1 ? argv[1] : NULL;
    bool known = false;
    for (size_t i = 0; i < sizeof commands / sizeof commands[0]; i++) {
        const struct command *k = &commands[i];
        if (strcmp(k->name, name) != 0)
            continue;
        known = true;
        if (!k->sub)
            return run_command(c, k->fn, 1, argc, argv);
        if (sub && strcmp(k->sub, sub) == 0)
            return run_command(c, k->fn, 2, argc, argv);
    }
    if (known) {
        fprintf(stderr, "ratable: '%s' needs one of:\n", name);
        for (size_t i = 0; i < sizeof commands / sizeof commands[0]; i++)
            if (strcmp(commands[i].name, name) == 0)
                fprintf(stderr, "  ratable [-b BOOK] %s\n", commands[i].usage);
        return EXIT_USAGE;
    }
    fprintf(stderr, "ratable: unknown command '%s' (see ratable --help)\n", name);
    return EXIT_USAGE;
}

struct book *cli_open(struct cli *c)
{
    if (c->book)
        return c->book;
    struct err e = {0};
    if (book_open(c->book_path, c->clock, &c->book, &e) != ERR_OK) {
        cli_fail(&e);
        return NULL;
    }
    if (c->user)
        book_set_user(c->book, c->user);
    progress_bar_init(&c->bar);
    book_set_progress(c->book, &c->bar.p);
    return c->book;
}

/* The last refusal, for the change log (a refused write is recorded too). */
static struct err last_refusal;

int cli_fail(const struct err *e)
{
    fprintf(stderr, "ratable: %s\n", e->msg);
    last_refusal = *e;
    return EXIT_FAIL;
}

/* Commands that only read the book. */
static bool reads_only(const char *name, const char *sub)
{
    return strcmp(name, "report") == 0 || strcmp(name, "check") == 0 ||
           strcmp(name, "backup") == 0 || strcmp(name, "demo") == 0 || strcmp(name, "init") == 0 ||
           strcmp(name, "generate") == 0 ||
           (sub && (strcmp(sub, "list") == 0 || strcmp(sub, "show") == 0));
}

/* Records a write the model refused: what was asked (the command line) and why. */
static void log_refusal(struct cli *c, int argc, char **argv)
{
    if (!c->book || last_refusal.code == ERR_OK || last_refusal.code == ERR_IO ||
        last_refusal.code == ERR_BOOK || last_refusal.code == ERR_BUSY)
        return;
    char line[600];
    size_t n = 0;
    for (int i = 0; i < argc && n < sizeof line - 1; i++)
        n += (size_t)snprintf(line + n, sizeof line - n, "%s%s", i ? " " : "", argv[i]);
    char *detail = xasprintf("%s: %s", line, last_refusal.msg);
    char action[64];
    snprintf(action, sizeof action, "%s%s%s", argv[0], argc > 1 && argv[1][0] != '-' ? "." : "",
             argc > 1 && argv[1][0] != '-' ? argv[1] : "");
    struct err ignore;
    db_log_refused(c->book, action, detail, &ignore);
    free(detail);
}

static int run_command(struct cli *c, int (*fn)(struct cli *, int, char **), int skip, int argc,
                       char **argv)
{
    memset(&last_refusal, 0, sizeof last_refusal);
    int rc = fn(c, argc - skip, argv + skip);
    progress_bar_end(&c->bar);
    if (rc == EXIT_FAIL && !reads_only(argv[0], argc > 1 ? argv[1] : NULL))
        log_refusal(c, argc, argv);
    return rc;
}

int cli_usage(const char *usage, const char *fmt, ...)
{
    va_list ap;
    fputs("ratable: ", stderr);
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fputc('\n', stderr);
    if (usage)
        fprintf(stderr, "usage: ratable [-b BOOK] %s\n", usage);
    return EXIT_USAGE;
}

int cli_date(const char *opt, const char *value, int32_t *out, struct err *e)
{
    if (date_parse(value, out, e) != ERR_OK) {
        err_prefix(e, "%s", opt);
        return e->code;
    }
    return ERR_OK;
}
