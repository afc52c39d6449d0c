/*
 * cli_contracts.c — commands for contracts under ASC 606: entering a contract and its
 * obligations, activating it, delivery, usage and progress, billing, and posting recognition.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "model/billing.h"
#include "model/contract.h"
#include "model/date.h"
#include "model/schedule.h"
#include "reports/reports.h"
#include "tui/cli.h"

static const char *amt(struct money m, int exponent)
{
    static char bufs[6][MONEY_BUF];
    static int next;
    char *b = bufs[next++ % 6];
    return money_format(m, exponent, MONEY_GROUP, b, MONEY_BUF);
}

/* An optional amount option in a currency: zero when absent. */
static int opt_amount(const struct args *a, const char *name, int exponent, struct money *out,
                      struct err *e)
{
    const char *v = args_get(a, name);
    *out = money_of(0);
    if (!v)
        return ERR_OK;
    if (money_parse(v, exponent, out, e) != ERR_OK) {
        err_prefix(e, "--%s '%s'", name, v);
        return e->code;
    }
    return ERR_OK;
}

static int opt_date(const struct args *a, const char *name, int32_t *out, struct err *e)
{
    const char *v = args_get(a, name);
    *out = DATE_NONE;
    if (!v)
        return ERR_OK;
    char opt[40];
    snprintf(opt, sizeof opt, "--%s", name);
    return cli_date(opt, v, out, e);
}

int cmd_contract_add(struct cli *c, int argc, char **argv)
{
    static const char usage[] =
        "contract add CODE --customer CUST [--signed D] --start D --end D [--price AMOUNT]"
        " [--discount AMOUNT] [--payable AMOUNT] [--variable AMOUNT --variable-method"
        " expected_value|most_likely [--variable-note TEXT]] [--terms DAYS] [--trial-end D]"
        " [--not-probable] [--no-substance] [--billing upfront|monthly|quarterly|annual|milestone]"
        " [--description TEXT]";
    static const struct opt_spec specs[] = {{"customer", true, false},
                                            {"signed", true, false},
                                            {"start", true, false},
                                            {"end", true, false},
                                            {"price", true, false},
                                            {"discount", true, false},
                                            {"payable", true, false},
                                            {"variable", true, false},
                                            {"variable-method", true, false},
                                            {"variable-note", true, false},
                                            {"terms", true, false},
                                            {"trial-end", true, false},
                                            {"not-probable", false, false},
                                            {"no-substance", false, false},
                                            {"billing", true, false},
                                            {"description", true, false},
                                            {0}};
    struct args a;
    struct err e = {0};
    if (args_parse(argc, argv, specs, &a, &e) != ERR_OK)
        return cli_usage(usage, "%s", e.msg);
    if (a.npos != 1 || !args_has(&a, "customer") || !args_has(&a, "start") || !args_has(&a, "end"))
        return cli_usage(usage, "a contract needs a CODE, --customer, --start and --end");
    struct book *b = cli_open(c);
    if (!b)
        return EXIT_FAIL;
    struct customer cu;
    if (customer_find(b, args_get(&a, "customer"), &cu, &e) != ERR_OK)
        return cli_fail(&e);
    struct contract_input in = {
        .code = a.pos[0],
        .customer = cu.code,
        .description = args_get(&a, "description"),
        .not_collectible = args_has(&a, "not-probable"),
        .no_commercial_substance = args_has(&a, "no-substance"),
        .payment_terms_days = -1,
        .variable_method = args_get(&a, "variable-method"),
        .variable_note = args_get(&a, "variable-note"),
        .billing = BILL_UPFRONT,
    };
    int rc = EXIT_OK;
    if (opt_date(&a, "signed", &in.signed_on, &e) != ERR_OK ||
        opt_date(&a, "start", &in.start_on, &e) != ERR_OK ||
        opt_date(&a, "end", &in.end_on, &e) != ERR_OK ||
        opt_date(&a, "trial-end", &in.trial_end, &e) != ERR_OK ||
        opt_amount(&a, "price", cu.exponent, &in.price.fixed, &e) != ERR_OK ||
        opt_amount(&a, "discount", cu.exponent, &in.price.discount, &e) != ERR_OK ||
        opt_amount(&a, "payable", cu.exponent, &in.price.payable, &e) != ERR_OK ||
        opt_amount(&a, "variable", cu.exponent, &in.price.variable, &e) != ERR_OK ||
        (args_has(&a, "billing") &&
         billing_plan_parse(args_get(&a, "billing"), &in.billing, &e) != ERR_OK)) {
        rc = cli_fail(&e);
        goto out;
    }
    if (args_has(&a, "terms")) {
        char *end;
        long t = strtol(args_get(&a, "terms"), &end, 10);
        if (*end || t < 0 || t > 365) {
            rc = cli_usage(usage, "--terms: use 0 to 365 days");
            goto out;
        }
        in.payment_terms_days = (int)t;
    }
    int64_t id;
    if (contract_add(b, &in, &id, &e) != ERR_OK) {
        rc = cli_fail(&e);
        goto out;
    }
    struct money tp;
    transaction_price(&in.price, &tp, &e);
    fprintf(c->out,
            "contract %s for %s drafted: transaction price %s %s; add its obligations,"
            " then activate it\n",
            in.code, cu.code, amt(tp, cu.exponent), cu.currency);
out:
    customer_clear(&cu);
    return rc;
}

/* Parses LOW..HIGH in a currency. */
static int parse_range(const char *s, int exponent, struct money *low, struct money *high,
                       struct err *e)
{
    const char *dots = strstr(s, "..");
    if (!dots)
        return err_set(e, ERR_INPUT, "--range: '%s' is not LOW..HIGH", s);
    char lo[64];
    snprintf(lo, sizeof lo, "%.*s", (int)(dots - s), s);
    if (money_parse(lo, exponent, low, e) != ERR_OK ||
        money_parse(dots + 2, exponent, high, e) != ERR_OK) {
        err_prefix(e, "--range");
        return e->code;
    }
    return ERR_OK;
}

int cmd_obligation_add(struct cli *c, int argc, char **argv)
{
    static const char usage[] =
        "obligation add CONTRACT --name TEXT --pattern ratable|point|usage|progress --ssp AMOUNT"
        " --ssp-method observable|adjusted-market|cost-plus|residual [--evidence TEXT]"
        " [--range LOW..HIGH] [--start D --end D | --due D] [--not-capable] [--not-distinct]"
        " [--combined-reason TEXT] [--discount-target]";
    static const struct opt_spec specs[] = {{"name", true, false},
                                            {"pattern", true, false},
                                            {"ssp", true, false},
                                            {"ssp-method", true, false},
                                            {"evidence", true, false},
                                            {"range", true, false},
                                            {"start", true, false},
                                            {"end", true, false},
                                            {"due", true, false},
                                            {"not-capable", false, false},
                                            {"not-distinct", false, false},
                                            {"combined-reason", true, false},
                                            {"discount-target", false, false},
                                            {0}};
    struct args a;
    struct err e = {0};
    if (args_parse(argc, argv, specs, &a, &e) != ERR_OK)
        return cli_usage(usage, "%s", e.msg);
    if (a.npos != 1 || !args_has(&a, "name") || !args_has(&a, "pattern"))
        return cli_usage(usage, "an obligation needs a CONTRACT, --name and --pattern");
    struct book *b = cli_open(c);
    if (!b)
        return EXIT_FAIL;
    struct contract k;
    if (contract_find(b, a.pos[0], &k, &e) != ERR_OK)
        return cli_fail(&e);
    struct obligation_input in = {
        .contract = k.code,
        .name = args_get(&a, "name"),
        .ssp_method = SSP_OBSERVABLE,
        .ssp_evidence = args_get(&a, "evidence"),
        .not_capable_distinct = args_has(&a, "not-capable"),
        .not_distinct_in_context = args_has(&a, "not-distinct"),
        .combined_reason = args_get(&a, "combined-reason"),
        .discount_target = args_has(&a, "discount-target"),
    };
    if (pattern_parse(args_get(&a, "pattern"), &in.pattern, &e) != ERR_OK ||
        (args_has(&a, "ssp-method") &&
         ssp_method_parse(args_get(&a, "ssp-method"), &in.ssp_method, &e) != ERR_OK) ||
        opt_amount(&a, "ssp", k.exponent, &in.ssp, &e) != ERR_OK ||
        opt_date(&a, "start", &in.start_on, &e) != ERR_OK ||
        opt_date(&a, "end", &in.end_on, &e) != ERR_OK ||
        opt_date(&a, "due", &in.due_on, &e) != ERR_OK ||
        (args_has(&a, "range") && parse_range(args_get(&a, "range"), k.exponent, &in.residual_low,
                                              &in.residual_high, &e) != ERR_OK))
        return cli_fail(&e);
    if (!args_has(&a, "ssp") && in.ssp_method != SSP_RESIDUAL && in.pattern != PATTERN_USAGE)
        return cli_usage(usage, "--ssp: every obligation has a standalone selling price, even"
                                " one given \"free\"");
    char ref[2 * CODE_MAX + 8];
    if (obligation_add(b, &in, ref, sizeof ref, &e) != ERR_OK)
        return cli_fail(&e);
    fprintf(c->out, "obligation %s: %s (%s, SSP %s by %s)\n", ref, in.name,
            pattern_name(in.pattern), amt(in.ssp, k.exponent), ssp_method_name(in.ssp_method));
    return EXIT_OK;
}

int cmd_obligation_combine(struct cli *c, int argc, char **argv)
{
    static const char usage[] = "obligation combine INTO FROM --reason TEXT";
    static const struct opt_spec specs[] = {{"reason", true, false}, {0}};
    struct args a;
    struct err e = {0};
    if (args_parse(argc, argv, specs, &a, &e) != ERR_OK)
        return cli_usage(usage, "%s", e.msg);
    if (a.npos != 2 || !args_has(&a, "reason"))
        return cli_usage(usage, "name two obligations (CONTRACT/N) and give --reason");
    struct book *b = cli_open(c);
    if (!b)
        return EXIT_FAIL;
    if (obligation_combine(b, a.pos[0], a.pos[1], args_get(&a, "reason"), &e) != ERR_OK)
        return cli_fail(&e);
    fprintf(c->out, "%s combined into %s: not distinct (%s)\n", a.pos[1], a.pos[0],
            args_get(&a, "reason"));
    return EXIT_OK;
}

/* The commands that take one thing and a --date. */
static int dated(struct cli *c, int argc, char **argv, const char *usage, bool date_required,
                 const struct opt_spec *extra, struct args *a, int32_t *day, struct err *e)
{
    struct opt_spec specs[12] = {{"date", true, false}};
    int n = 1;
    for (const struct opt_spec *s = extra; s && s->name && n < 11; s++)
        specs[n++] = *s;
    if (args_parse(argc, argv, specs, a, e) != ERR_OK)
        return cli_usage(usage, "%s", e->msg);
    if (a->npos != 1 || (date_required && !args_has(a, "date")))
        return cli_usage(usage, "name one and give --date");
    *day = c->today;
    if (args_has(a, "date") && cli_date("--date", args_get(a, "date"), day, e) != ERR_OK)
        return cli_fail(e);
    return EXIT_OK;
}

/* Activates every draft that meets step 1; those that do not stay drafts, each with its reason. */
static int activate_all(struct cli *c, struct book *b, int32_t day)
{
    struct contract_query q = {.status = CONTRACT_DRAFT};
    struct contract_rows rows = {0};
    struct err e = {0};
    if (contract_list(b, &q, &rows, &e) != ERR_OK)
        return cli_fail(&e);
    size_t done = 0;
    for (size_t i = 0; i < rows.n; i++) {
        if (contract_activate(b, rows.v[i].c.code, day, &e) == ERR_OK)
            done++;
        else
            fprintf(c->out, "left as a draft: %s\n", e.msg);
    }
    fprintf(c->out, "activated %zu of %zu draft contract%s\n", done, rows.n,
            rows.n == 1 ? "" : "s");
    contract_rows_free(&rows);
    return EXIT_OK;
}

int cmd_contract_activate(struct cli *c, int argc, char **argv)
{
    static const char usage[] = "contract activate (CONTRACT | --all) [--date D]";
    static const struct opt_spec specs[] = {{"date", true, false}, {"all", false, false}, {0}};
    struct args a;
    struct err e = {0};
    if (args_parse(argc, argv, specs, &a, &e) != ERR_OK)
        return cli_usage(usage, "%s", e.msg);
    if ((a.npos == 1) == args_has(&a, "all") || a.npos > 1)
        return cli_usage(usage, "name one contract, or --all");
    int32_t day = c->today;
    if (args_has(&a, "date") && cli_date("--date", args_get(&a, "date"), &day, &e) != ERR_OK)
        return cli_fail(&e);
    struct book *b = cli_open(c);
    if (!b)
        return EXIT_FAIL;
    if (args_has(&a, "all"))
        return activate_all(c, b, day);
    if (contract_activate(b, a.pos[0], day, &e) != ERR_OK)
        return cli_fail(&e);
    struct contract k;
    struct obligations obs = {0};
    if (contract_find(b, a.pos[0], &k, &e) != ERR_OK ||
        obligations_load(b, k.id, &obs, &e) != ERR_OK)
        return cli_fail(&e);
    struct money tp;
    transaction_price(&k.price, &tp, &e);
    fprintf(c->out, "contract %s is active: transaction price %s %s allocated as\n", k.code,
            amt(tp, k.exponent), k.currency);
    for (size_t i = 0; i < obs.n; i++)
        fprintf(c->out, "  %-16s %-40s %16s  %s\n", obs.v[i].ref, obs.v[i].name,
                obs.v[i].pattern == PATTERN_USAGE ? "as used" : amt(obs.v[i].allocated, k.exponent),
                pattern_name(obs.v[i].pattern));
    obligations_free(&obs);
    return EXIT_OK;
}

int cmd_obligation_deliver(struct cli *c, int argc, char **argv)
{
    struct args a;
    struct err e = {0};
    int32_t day;
    int rc =
        dated(c, argc, argv, "obligation deliver OBLIGATION --date D", true, NULL, &a, &day, &e);
    if (rc != EXIT_OK)
        return rc;
    struct book *b = cli_open(c);
    if (!b)
        return EXIT_FAIL;
    if (obligation_deliver(b, a.pos[0], day, &e) != ERR_OK)
        return cli_fail(&e);
    fprintf(c->out, "%s delivered on %s: its revenue is recognized that day\n", a.pos[0],
            args_get(&a, "date"));
    return EXIT_OK;
}

int cmd_usage_record(struct cli *c, int argc, char **argv)
{
    static const char usage[] = "usage record OBLIGATION --date D --quantity Q --amount AMOUNT";
    static const struct opt_spec extra[] = {
        {"quantity", true, false}, {"amount", true, false}, {0}};
    struct args a;
    struct err e = {0};
    int32_t day;
    int rc = dated(c, argc, argv, usage, true, extra, &a, &day, &e);
    if (rc != EXIT_OK)
        return rc;
    if (!args_has(&a, "quantity") || !args_has(&a, "amount"))
        return cli_usage(usage, "usage needs --quantity and --amount");
    struct book *b = cli_open(c);
    if (!b)
        return EXIT_FAIL;
    struct contract k;
    struct obligation o;
    if (obligation_find(b, a.pos[0], &k, &o, &e) != ERR_OK)
        return cli_fail(&e);
    struct money m;
    if (opt_amount(&a, "amount", k.exponent, &m, &e) != ERR_OK ||
        usage_record(b, o.ref, day, args_get(&a, "quantity"), m, &e) != ERR_OK)
        return cli_fail(&e);
    fprintf(c->out, "usage of %s on %s: %s for %s %s\n", o.ref, args_get(&a, "date"),
            args_get(&a, "quantity"), amt(m, k.exponent), k.currency);
    return EXIT_OK;
}

int cmd_progress_record(struct cli *c, int argc, char **argv)
{
    static const char usage[] = "progress record OBLIGATION --date D --percent P";
    static const struct opt_spec extra[] = {{"percent", true, false}, {0}};
    struct args a;
    struct err e = {0};
    int32_t day;
    int rc = dated(c, argc, argv, usage, true, extra, &a, &day, &e);
    if (rc != EXIT_OK)
        return rc;
    if (!args_has(&a, "percent"))
        return cli_usage(usage, "progress needs --percent");
    /* Percent with up to two decimals, kept as basis points. */
    struct money bp;
    if (money_parse(args_get(&a, "percent"), 2, &bp, &e) != ERR_OK) {
        err_prefix(&e, "--percent '%s'", args_get(&a, "percent"));
        return cli_fail(&e);
    }
    struct book *b = cli_open(c);
    if (!b)
        return EXIT_FAIL;
    if (bp.minor < 0 || bp.minor > 10000)
        return cli_usage(usage, "--percent: use 0 to 100");
    if (progress_record(b, a.pos[0], day, (int32_t)bp.minor, &e) != ERR_OK)
        return cli_fail(&e);
    fprintf(c->out, "%s is %s%% complete on %s\n", a.pos[0], args_get(&a, "percent"),
            args_get(&a, "date"));
    return EXIT_OK;
}

int cmd_bill(struct cli *c, int argc, char **argv)
{
    static const char usage[] = "bill (CONTRACT | --all) --through D";
    static const struct opt_spec specs[] = {{"through", true, false}, {"all", false, false}, {0}};
    struct args a;
    struct err e = {0};
    if (args_parse(argc, argv, specs, &a, &e) != ERR_OK)
        return cli_usage(usage, "%s", e.msg);
    if ((a.npos == 1) == args_has(&a, "all") || !args_has(&a, "through"))
        return cli_usage(usage, "name a contract or --all, and give --through");
    int32_t through;
    if (cli_date("--through", args_get(&a, "through"), &through, &e) != ERR_OK)
        return cli_fail(&e);
    struct book *b = cli_open(c);
    if (!b)
        return EXIT_FAIL;
    if (args_has(&a, "all")) {
        struct bill_run run;
        if (contract_bill_all(b, through, &run, &e) != ERR_OK)
            return cli_fail(&e);
        for (size_t i = 0; i < run.n; i++) {
            const struct bill_result *r = &run.v[i].r;
            if (r->invoices)
                fprintf(c->out, "%s: %d invoice%s, %s to %s\n", run.v[i].code, r->invoices,
                        r->invoices == 1 ? "" : "s", r->first, r->last);
        }
        fprintf(c->out, "%d invoice%s issued for %zu active contract%s\n", run.invoices,
                run.invoices == 1 ? "" : "s", run.n, run.n == 1 ? "" : "s");
        bill_run_free(&run);
        return EXIT_OK;
    }
    struct bill_result r;
    if (contract_bill(b, a.pos[0], through, &r, &e) != ERR_OK)
        return cli_fail(&e);
    if (r.invoices)
        fprintf(c->out, "%s: %d invoice%s, %s to %s\n", a.pos[0], r.invoices,
                r.invoices == 1 ? "" : "s", r.first, r.last);
    else
        fprintf(c->out, "%s: nothing to bill through %s\n", a.pos[0], args_get(&a, "through"));
    return EXIT_OK;
}

int cmd_recognize(struct cli *c, int argc, char **argv)
{
    static const char usage[] = "recognize --through YYYY-MM";
    static const struct opt_spec specs[] = {{"through", true, false}, {0}};
    struct args a;
    struct err e = {0};
    if (args_parse(argc, argv, specs, &a, &e) != ERR_OK)
        return cli_usage(usage, "%s", e.msg);
    if (a.npos || !args_has(&a, "through"))
        return cli_usage(usage, "recognize needs --through YYYY-MM");
    int32_t period;
    if (period_parse(args_get(&a, "through"), &period, &e) != ERR_OK) {
        err_prefix(&e, "--through");
        return cli_fail(&e);
    }
    struct book *b = cli_open(c);
    if (!b)
        return EXIT_FAIL;
    struct recognize_result r;
    if (recognize_through(b, period, &r, &e) != ERR_OK)
        return cli_fail(&e);
    if (r.entries == 0)
        fprintf(c->out, "recognition is already posted through %s\n", args_get(&a, "through"));
    else
        fprintf(c->out, "posted %d recognition entr%s for %d contract%s through %s\n", r.entries,
                r.entries == 1 ? "y" : "ies", r.contracts, r.contracts == 1 ? "" : "s",
                args_get(&a, "through"));
    return EXIT_OK;
}

int cmd_contract_milestone(struct cli *c, int argc, char **argv)
{
    static const char usage[] = "contract milestone CONTRACT --date D --amount AMOUNT"
                                " --description TEXT [--obligation CONTRACT/N]";
    static const struct opt_spec extra[] = {
        {"amount", true, false}, {"description", true, false}, {"obligation", true, false}, {0}};
    struct args a;
    struct err e = {0};
    int32_t day;
    int rc = dated(c, argc, argv, usage, true, extra, &a, &day, &e);
    if (rc != EXIT_OK)
        return rc;
    if (!args_has(&a, "amount") || !args_has(&a, "description"))
        return cli_usage(usage, "a milestone needs --amount and --description");
    struct book *b = cli_open(c);
    if (!b)
        return EXIT_FAIL;
    struct contract k;
    if (contract_find(b, a.pos[0], &k, &e) != ERR_OK)
        return cli_fail(&e);
    struct money m;
    if (opt_amount(&a, "amount", k.exponent, &m, &e) != ERR_OK ||
        contract_milestone(b, k.code, day, m, args_get(&a, "description"),
                           args_get(&a, "obligation"), &e) != ERR_OK)
        return cli_fail(&e);
    fprintf(c->out, "milestone of %s on %s: %s %s\n", k.code, args_get(&a, "date"),
            amt(m, k.exponent), k.currency);
    return EXIT_OK;
}

int cmd_contract_show(struct cli *c, int argc, char **argv)
{
    static const char usage[] = "contract show CONTRACT [--as-of D] [-o FILE]";
    static const struct opt_spec specs[] = {{"as-of", true, false}, {"output", true, false}, {0}};
    struct args a;
    struct err e = {0};
    if (args_parse(argc, argv, specs, &a, &e) != ERR_OK)
        return cli_usage(usage, "%s", e.msg);
    if (a.npos != 1)
        return cli_usage(usage, "name one contract");
    int32_t as_of = c->today;
    if (args_has(&a, "as-of") && cli_date("--as-of", args_get(&a, "as-of"), &as_of, &e) != ERR_OK)
        return cli_fail(&e);
    struct book *b = cli_open(c);
    if (!b)
        return EXIT_FAIL;
    struct report *r = report_contract(b, a.pos[0], as_of, &e);
    if (!r)
        return cli_fail(&e);
    return cli_emit(c, r, args_get(&a, "output"));
}

int cmd_contract_list(struct cli *c, int argc, char **argv)
{
    static const char usage[] = "contract list [--customer CODE] [--status S] [--filter TEXT]"
                                " [--as-of D] [-o FILE]";
    static const struct opt_spec specs[] = {{"customer", true, false}, {"status", true, false},
                                            {"filter", true, false},   {"as-of", true, false},
                                            {"output", true, false},   {0}};
    struct args a;
    struct err e = {0};
    if (args_parse(argc, argv, specs, &a, &e) != ERR_OK)
        return cli_usage(usage, "%s", e.msg);
    int32_t as_of = c->today;
    if (args_has(&a, "as-of") && cli_date("--as-of", args_get(&a, "as-of"), &as_of, &e) != ERR_OK)
        return cli_fail(&e);
    struct contract_query q = {.filter = args_get(&a, "filter"), .status = -1};
    if (args_has(&a, "status")) {
        static const char *const names[] = {"draft", "active", "completed", "terminated"};
        for (int i = 0; i < 4; i++)
            if (strcmp(args_get(&a, "status"), names[i]) == 0)
                q.status = i;
        if (q.status < 0)
            return cli_usage(usage,
                             "--status: '%s' is not draft, active, completed or"
                             " terminated",
                             args_get(&a, "status"));
    }
    struct book *b = cli_open(c);
    if (!b)
        return EXIT_FAIL;
    if (args_has(&a, "customer")) {
        struct customer cu;
        if (customer_find(b, args_get(&a, "customer"), &cu, &e) != ERR_OK)
            return cli_fail(&e);
        q.customer_id = cu.id;
        customer_clear(&cu);
    }
    struct report *r = report_contracts(b, &q, as_of, &e);
    if (!r)
        return cli_fail(&e);
    return cli_emit(c, r, args_get(&a, "output"));
}

int cmd_contract_edit(struct cli *c, int argc, char **argv)
{
    static const char usage[] = "contract edit CONTRACT [--signed D] [--collectibility"
                                " probable|not_probable] [--terms DAYS] [--description TEXT]";
    static const struct opt_spec specs[] = {{"signed", true, false},
                                            {"collectibility", true, false},
                                            {"terms", true, false},
                                            {"description", true, false},
                                            {0}};
    struct args a;
    struct err e = {0};
    if (args_parse(argc, argv, specs, &a, &e) != ERR_OK)
        return cli_usage(usage, "%s", e.msg);
    if (a.npos != 1 || a.nopt == 0)
        return cli_usage(usage, "name a contract and what changes");
    struct contract_edit in = {.signed_on = DATE_NONE,
                               .collectible = -1,
                               .payment_terms_days = -1,
                               .description = args_get(&a, "description")};
    if (opt_date(&a, "signed", &in.signed_on, &e) != ERR_OK)
        return cli_fail(&e);
    const char *coll = args_get(&a, "collectibility");
    if (coll) {
        if (strcmp(coll, "probable") == 0)
            in.collectible = 1;
        else if (strcmp(coll, "not_probable") == 0)
            in.collectible = 0;
        else
            return cli_usage(usage, "--collectibility: probable or not_probable");
    }
    if (args_has(&a, "terms")) {
        char *end;
        long t = strtol(args_get(&a, "terms"), &end, 10);
        if (*end || t < 0 || t > 365)
            return cli_usage(usage, "--terms: use 0 to 365 days");
        in.payment_terms_days = (int)t;
    }
    struct book *b = cli_open(c);
    if (!b)
        return EXIT_FAIL;
    if (contract_edit(b, a.pos[0], &in, &e) != ERR_OK)
        return cli_fail(&e);
    fprintf(c->out, "contract %s saved\n", a.pos[0]);
    return EXIT_OK;
}
