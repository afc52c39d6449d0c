/*
 * cli_memos.c — contract modification memos on the command line: drafting one (the change, the
 * answers, the treatment), showing it with its effect, approving and posting it, and the
 * modifications reports.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "model/contract.h"
#include "model/date.h"
#include "model/memo.h"
#include "reports/reports.h"
#include "tui/cli.h"

static const char memo_new_usage[] =
    "memo new CONTRACT --effective D --type TYPE --description TEXT [--consideration AMOUNT]"
    " [--add NAME --pattern ratable|point|progress --ssp AMOUNT [--ssp-method M] [--evidence"
    " TEXT] [--start D --end D | --due D]] [--remove CONTRACT/N]... [--restate CONTRACT/N=SSP]..."
    " [--end D] [--refund AMOUNT [--invoice INV]] [--pause-from D --pause-to D] [--new-code CODE]"
    " [--distinct yes|no] [--at-ssp yes|no] [--remaining-distinct yes|no] [--ssp-analysis TEXT]"
    " [--treatment separate|prospective|catch_up|pause [--rationale TEXT]] [--preview]";

static int yes_no(const struct args *a, const char *name, int *out, struct err *e)
{
    const char *v = args_get(a, name);
    *out = -1;
    if (!v)
        return ERR_OK;
    if (strcmp(v, "yes") == 0)
        *out = 1;
    else if (strcmp(v, "no") == 0)
        *out = 0;
    else
        return err_set(e, ERR_INPUT, "--%s: answer yes or no", name);
    return ERR_OK;
}

static int date_opt(const struct args *a, const char *name, int32_t *out, struct err *e)
{
    *out = DATE_NONE;
    const char *v = args_get(a, name);
    if (!v)
        return ERR_OK;
    char opt[40];
    snprintf(opt, sizeof opt, "--%s", name);
    return cli_date(opt, v, out, e);
}

static int amount_opt(const struct args *a, const char *name, int x, struct money *out,
                      struct err *e)
{
    *out = money_of(0);
    const char *v = args_get(a, name);
    if (!v)
        return ERR_OK;
    if (money_parse(v, x, out, e) != ERR_OK) {
        err_prefix(e, "--%s '%s'", name, v);
        return e->code;
    }
    return ERR_OK;
}

int cmd_memo_new(struct cli *c, int argc, char **argv)
{
    static const struct opt_spec specs[] = {{"effective", true, false},
                                            {"type", true, false},
                                            {"description", true, false},
                                            {"consideration", true, false},
                                            {"add", true, false},
                                            {"pattern", true, false},
                                            {"ssp", true, false},
                                            {"ssp-method", true, false},
                                            {"evidence", true, false},
                                            {"start", true, false},
                                            {"end", true, false},
                                            {"due", true, false},
                                            {"remove", true, true},
                                            {"restate", true, true},
                                            {"refund", true, false},
                                            {"invoice", true, false},
                                            {"pause-from", true, false},
                                            {"pause-to", true, false},
                                            {"new-code", true, false},
                                            {"distinct", true, false},
                                            {"at-ssp", true, false},
                                            {"remaining-distinct", true, false},
                                            {"ssp-analysis", true, false},
                                            {"treatment", true, false},
                                            {"rationale", true, false},
                                            {"preview", false, false},
                                            {0}};
    struct args a;
    struct err e = {0};
    if (args_parse(argc, argv, specs, &a, &e) != ERR_OK)
        return cli_usage(memo_new_usage, "%s", e.msg);
    if (a.npos != 1 || !args_has(&a, "type") || !args_has(&a, "description"))
        return cli_usage(memo_new_usage, "a memo needs a CONTRACT, --type and --description");
    if (!args_has(&a, "add") && (args_has(&a, "pattern") || args_has(&a, "ssp") ||
                                 args_has(&a, "start") || args_has(&a, "due")))
        return cli_usage(memo_new_usage,
                         "--pattern, --ssp, --start and --due describe an added obligation:"
                         " give --add NAME too");
    struct book *b = cli_open(c);
    if (!b)
        return EXIT_FAIL;
    struct contract k;
    if (contract_find(b, a.pos[0], &k, &e) != ERR_OK)
        return cli_fail(&e);
    struct memo_input in = {.contract = k.code,
                            .description = args_get(&a, "description"),
                            .refund_invoice = args_get(&a, "invoice"),
                            .new_code = args_get(&a, "new-code"),
                            .ssp_analysis = args_get(&a, "ssp-analysis"),
                            .rationale = args_get(&a, "rationale"),
                            .treatment = -1};
    struct memo_addition add = {.name = args_get(&a, "add"),
                                .pattern = PATTERN_RATABLE,
                                .method = SSP_OBSERVABLE,
                                .evidence = args_get(&a, "evidence")};
    struct memo_change changes[ARGS_MAX];
    size_t nchanges = 0;
    char refs[ARGS_MAX][2 * CODE_MAX + 8];
    enum memo_treatment treatment;
    int32_t end_opt;
    if (memo_type_parse(args_get(&a, "type"), &in.type, &e) != ERR_OK ||
        date_opt(&a, "effective", &in.effective, &e) != ERR_OK ||
        date_opt(&a, "end", &end_opt, &e) != ERR_OK ||
        date_opt(&a, "pause-from", &in.pause_from, &e) != ERR_OK ||
        date_opt(&a, "pause-to", &in.pause_to, &e) != ERR_OK ||
        amount_opt(&a, "consideration", k.exponent, &in.consideration, &e) != ERR_OK ||
        amount_opt(&a, "refund", k.exponent, &in.refund, &e) != ERR_OK ||
        yes_no(&a, "distinct", &in.distinct_added, &e) != ERR_OK ||
        yes_no(&a, "at-ssp", &in.at_ssp, &e) != ERR_OK ||
        yes_no(&a, "remaining-distinct", &in.remaining_distinct, &e) != ERR_OK ||
        (args_has(&a, "treatment") &&
         memo_treatment_parse(args_get(&a, "treatment"), &treatment, &e) != ERR_OK))
        return cli_fail(&e);
    if (in.effective == DATE_NONE && in.type != MEMO_PAUSE)
        return cli_usage(memo_new_usage, "--effective: give the date the change takes effect");
    if (args_has(&a, "treatment"))
        in.treatment = (int)treatment;
    in.consideration_set = args_has(&a, "consideration");
    /* --end is the added obligation's end when one is added with --start, else the term's. */
    in.new_end = end_opt;
    if (add.name) {
        if ((args_has(&a, "pattern") &&
             pattern_parse(args_get(&a, "pattern"), &add.pattern, &e) != ERR_OK) ||
            (args_has(&a, "ssp-method") &&
             ssp_method_parse(args_get(&a, "ssp-method"), &add.method, &e) != ERR_OK) ||
            amount_opt(&a, "ssp", k.exponent, &add.ssp, &e) != ERR_OK ||
            date_opt(&a, "start", &add.start, &e) != ERR_OK ||
            date_opt(&a, "due", &add.due, &e) != ERR_OK)
            return cli_fail(&e);
        add.end = args_has(&a, "start") ? end_opt : DATE_NONE;
        if (args_has(&a, "start"))
            in.new_end = DATE_NONE;
        in.adds = &add;
        in.nadds = 1;
    }
    for (int i = 0; args_get_nth(&a, "remove", i) && nchanges < ARGS_MAX; i++)
        changes[nchanges++] =
            (struct memo_change){.ref = args_get_nth(&a, "remove", i), .remove = true};
    for (int i = 0; args_get_nth(&a, "restate", i) && nchanges < ARGS_MAX; i++) {
        const char *v = args_get_nth(&a, "restate", i);
        const char *eq = strchr(v, '=');
        if (!eq)
            return cli_usage(memo_new_usage, "--restate: write CONTRACT/N=SSP");
        snprintf(refs[nchanges], sizeof refs[0], "%.*s", (int)(eq - v), v);
        struct memo_change *ch = &changes[nchanges];
        *ch = (struct memo_change){.ref = refs[nchanges], .restate = true};
        if (money_parse(eq + 1, k.exponent, &ch->ssp, &e) != ERR_OK) {
            err_prefix(&e, "--restate '%s'", v);
            return cli_fail(&e);
        }
        nchanges++;
    }
    in.changes = changes;
    in.nchanges = nchanges;
    struct memo m;
    int rc = args_has(&a, "preview") ? memo_preview(b, &in, &m, &e) : memo_new(b, &in, &m, &e);
    if (rc != ERR_OK)
        return cli_fail(&e);
    struct report *r = report_memo_of(b, &m, &e);
    memo_free(&m);
    if (!r)
        return cli_fail(&e);
    return cli_emit(c, r, NULL);
}

int cmd_memo_show(struct cli *c, int argc, char **argv)
{
    static const char usage[] = "memo show MEMO [-o FILE]";
    static const struct opt_spec specs[] = {{"output", true, false}, {0}};
    struct args a;
    struct err e = {0};
    if (args_parse(argc, argv, specs, &a, &e) != ERR_OK)
        return cli_usage(usage, "%s", e.msg);
    if (a.npos != 1)
        return cli_usage(usage, "name one memo");
    struct book *b = cli_open(c);
    if (!b)
        return EXIT_FAIL;
    struct report *r = report_memo(b, a.pos[0], &e);
    if (!r)
        return cli_fail(&e);
    return cli_emit(c, r, args_get(&a, "output"));
}

int cmd_memo_approve(struct cli *c, int argc, char **argv)
{
    static const char usage[] = "memo approve MEMO --by NAME";
    static const struct opt_spec specs[] = {{"by", true, false}, {0}};
    struct args a;
    struct err e = {0};
    if (args_parse(argc, argv, specs, &a, &e) != ERR_OK)
        return cli_usage(usage, "%s", e.msg);
    if (a.npos != 1 || !args_has(&a, "by"))
        return cli_usage(usage, "name one memo and who approves it (--by)");
    struct book *b = cli_open(c);
    if (!b)
        return EXIT_FAIL;
    if (memo_approve(b, a.pos[0], args_get(&a, "by"), &e) != ERR_OK)
        return cli_fail(&e);
    fprintf(c->out, "memo %s approved by %s; post it with: memo post %s\n", a.pos[0],
            args_get(&a, "by"), a.pos[0]);
    return EXIT_OK;
}

int cmd_memo_post(struct cli *c, int argc, char **argv)
{
    static const char usage[] = "memo post MEMO";
    static const struct opt_spec specs[] = {{0}};
    struct args a;
    struct err e = {0};
    if (args_parse(argc, argv, specs, &a, &e) != ERR_OK)
        return cli_usage(usage, "%s", e.msg);
    if (a.npos != 1)
        return cli_usage(usage, "name one memo");
    struct book *b = cli_open(c);
    if (!b)
        return EXIT_FAIL;
    struct memo m;
    if (memo_post(b, a.pos[0], &m, &e) != ERR_OK)
        return cli_fail(&e);
    char amt[MONEY_BUF], per[PERIOD_BUF];
    fprintf(c->out, "memo %s posted: %s on %s", m.number, memo_treatment_title(m.treatment),
            m.contract);
    if (m.treatment == TREAT_SEPARATE)
        fprintf(c->out, "; new contract %s", m.new_contract);
    if (m.catch_up.minor)
        fprintf(c->out, "; catch-up %s booked in %s",
                money_format(m.catch_up, m.exponent, MONEY_GROUP, amt, sizeof amt),
                period_format(m.catch_up_period, per, sizeof per));
    if (m.refund.minor)
        fprintf(c->out, "; %s credited on %s",
                money_format(m.refund, m.exponent, MONEY_GROUP, amt, sizeof amt), m.refund_invoice);
    fprintf(c->out, "\n");
    memo_free(&m);
    return EXIT_OK;
}

int cmd_memo_list(struct cli *c, int argc, char **argv)
{
    return cmd_report_memos(c, argc, argv);
}

int cmd_report_memos(struct cli *c, int argc, char **argv)
{
    static const char usage[] = "report memos [--from D] [--to D] [-o FILE]";
    static const struct opt_spec specs[] = {
        {"from", true, false}, {"to", true, false}, {"output", true, false}, {0}};
    struct args a;
    struct err e = {0};
    if (args_parse(argc, argv, specs, &a, &e) != ERR_OK)
        return cli_usage(usage, "%s", e.msg);
    if (a.npos != 0)
        return cli_usage(usage, "no positional arguments");
    int32_t from, to;
    if (date_opt(&a, "from", &from, &e) != ERR_OK || date_opt(&a, "to", &to, &e) != ERR_OK)
        return cli_fail(&e);
    struct book *b = cli_open(c);
    if (!b)
        return EXIT_FAIL;
    struct report *r = report_memos(b, from, to, &e);
    if (!r)
        return cli_fail(&e);
    return cli_emit(c, r, args_get(&a, "output"));
}

int cmd_report_memo(struct cli *c, int argc, char **argv)
{
    return cmd_memo_show(c, argc, argv);
}
