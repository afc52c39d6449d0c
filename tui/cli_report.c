/*
 * cli_report.c — `ratable report NAME ...`: build a report and print it as a text table, or
 * write it to -o FILE as .xlsx, .csv or .txt.
 */
#include <stdio.h>
#include <stdlib.h>

#include "model/date.h"
#include "reports/render.h"
#include "reports/reports.h"
#include "tui/cli.h"

/* Prints or writes the reports of a source, one at a time, then closes it. */
static int emit_source(struct cli *c, struct report_source *src, const char *path)
{
    struct err e = {0};
    int rc;
    progress_bar_init(&c->bar);
    report_set_progress(&c->bar.p);
    if (path && *path) {
        rc = render_file_from(src, path, &e);
        progress_bar_end(&c->bar);
        if (rc == ERR_OK)
            fprintf(stderr, "wrote %s\n", path);
    } else {
        rc = render_text_from(src, c->out, 0, &e);
        if (rc == ERR_OK && report_failure()) {
            e = *report_failure();
            rc = e.code;
        } else if (rc == ERR_OK && report_cancelled())
            rc = err_set(&e, ERR_CANCELLED, "cancelled; the report above is incomplete");
    }
    report_set_progress(NULL);
    report_source_close(src);
    return rc == ERR_OK ? EXIT_OK : cli_fail(&e);
}

/* Prints or writes reports, then frees them. */
static int emit_all(struct cli *c, struct report **r, int n, const char *path)
{
    struct report_source src = report_source_of(r, n);
    int rc = emit_source(c, &src, path);
    for (int i = 0; i < n; i++)
        report_free(r[i]);
    return rc;
}

int cli_emit(struct cli *c, struct report *r, const char *path)
{
    return emit_all(c, &r, 1, path);
}

int cmd_report_statement(struct cli *c, int argc, char **argv)
{
    static const char usage[] =
        "report statement (--customer CODE | --all) --from D --to D [-o FILE.xlsx|FILE.csv]";
    static const struct opt_spec specs[] = {{"customer", true, false}, {"all", false, false},
                                            {"from", true, false},     {"to", true, false},
                                            {"output", true, false},   {0}};
    struct args a;
    struct err e = {0};
    if (args_parse(argc, argv, specs, &a, &e) != ERR_OK)
        return cli_usage(usage, "%s", e.msg);
    if (a.npos || args_has(&a, "customer") == args_has(&a, "all") || !args_has(&a, "from") ||
        !args_has(&a, "to"))
        return cli_usage(usage, "a statement needs --customer CODE or --all, --from and --to");
    int32_t from, to;
    if (cli_date("--from", args_get(&a, "from"), &from, &e) != ERR_OK ||
        cli_date("--to", args_get(&a, "to"), &to, &e) != ERR_OK)
        return cli_fail(&e);
    if (to < from)
        return cli_usage(usage, "--to is before --from");
    struct book *b = cli_open(c);
    if (!b)
        return EXIT_FAIL;
    if (args_has(&a, "customer")) {
        struct report *r = report_statement(b, args_get(&a, "customer"), from, to, &e);
        if (!r)
            return cli_fail(&e);
        return emit_all(c, &r, 1, args_get(&a, "output"));
    }
    struct report_source all;
    if (report_statements_open(b, from, to, &all, &e) != ERR_OK)
        return cli_fail(&e);
    if (report_source_empty(&all)) {
        fprintf(stderr, "ratable: no customer has activity or a balance in that range\n");
        return EXIT_FAIL;
    }
    return emit_source(c, &all, args_get(&a, "output"));
}

/* The reports that take only an as-of date. */
static int as_of_report(struct cli *c, int argc, char **argv, const char *usage,
                        struct report *(*build)(struct book *, int32_t, struct err *))
{
    static const struct opt_spec specs[] = {{"as-of", true, false}, {"output", true, false}, {0}};
    struct args a;
    struct err e = {0};
    if (args_parse(argc, argv, specs, &a, &e) != ERR_OK)
        return cli_usage(usage, "%s", e.msg);
    if (a.npos)
        return cli_usage(usage, "unexpected argument '%s'", a.pos[0]);
    int32_t as_of = c->today;
    if (args_has(&a, "as-of") && cli_date("--as-of", args_get(&a, "as-of"), &as_of, &e) != ERR_OK)
        return cli_fail(&e);
    struct book *b = cli_open(c);
    if (!b)
        return EXIT_FAIL;
    struct report *r = build(b, as_of, &e);
    if (!r)
        return cli_fail(&e);
    return emit_all(c, &r, 1, args_get(&a, "output"));
}

int cmd_report_credits(struct cli *c, int argc, char **argv)
{
    return as_of_report(c, argc, argv, "report credits [--as-of D] [-o FILE]", report_credits);
}

int cmd_report_aging(struct cli *c, int argc, char **argv)
{
    return as_of_report(c, argc, argv, "report aging [--as-of D] [-o FILE]", report_aging);
}

/* --from YYYY-MM --to YYYY-MM */
static int month_range(const struct args *a, const char *usage, int32_t *from, int32_t *to,
                       struct err *e)
{
    if (!args_has(a, "from") || !args_has(a, "to"))
        return cli_usage(usage, "give --from YYYY-MM and --to YYYY-MM");
    if (period_parse(args_get(a, "from"), from, e) != ERR_OK) {
        err_prefix(e, "--from");
        return cli_fail(e);
    }
    if (period_parse(args_get(a, "to"), to, e) != ERR_OK) {
        err_prefix(e, "--to");
        return cli_fail(e);
    }
    if (*to < *from)
        return cli_usage(usage, "--to is before --from");
    return EXIT_OK;
}

static int period_report(struct cli *c, int argc, char **argv, const char *usage,
                         struct report *(*build)(struct book *, int32_t, int32_t, struct err *))
{
    static const struct opt_spec specs[] = {
        {"from", true, false}, {"to", true, false}, {"output", true, false}, {0}};
    struct args a;
    struct err e = {0};
    if (args_parse(argc, argv, specs, &a, &e) != ERR_OK)
        return cli_usage(usage, "%s", e.msg);
    if (a.npos)
        return cli_usage(usage, "unexpected argument '%s'", a.pos[0]);
    int32_t from, to;
    int rc = month_range(&a, usage, &from, &to, &e);
    if (rc != EXIT_OK)
        return rc;
    struct book *b = cli_open(c);
    if (!b)
        return EXIT_FAIL;
    struct report *r = build(b, from, to, &e);
    if (!r)
        return cli_fail(&e);
    return emit_all(c, &r, 1, args_get(&a, "output"));
}

int cmd_report_waterfall(struct cli *c, int argc, char **argv)
{
    return period_report(c, argc, argv, "report waterfall --from YYYY-MM --to YYYY-MM [-o FILE]",
                         report_waterfall);
}

int cmd_report_rollforward(struct cli *c, int argc, char **argv)
{
    return period_report(c, argc, argv, "report rollforward --from YYYY-MM --to YYYY-MM [-o FILE]",
                         report_rollforward);
}

int cmd_report_rpo(struct cli *c, int argc, char **argv)
{
    return as_of_report(c, argc, argv, "report rpo [--as-of D] [-o FILE]", report_rpo);
}

int cmd_report_revenue(struct cli *c, int argc, char **argv)
{
    static const char usage[] = "report revenue --from YYYY-MM --to YYYY-MM"
                                " [--by pattern|customer|obligation] [-o FILE]";
    static const struct opt_spec specs[] = {{"from", true, false},
                                            {"to", true, false},
                                            {"by", true, false},
                                            {"output", true, false},
                                            {0}};
    struct args a;
    struct err e = {0};
    if (args_parse(argc, argv, specs, &a, &e) != ERR_OK)
        return cli_usage(usage, "%s", e.msg);
    if (a.npos)
        return cli_usage(usage, "unexpected argument '%s'", a.pos[0]);
    int32_t from, to;
    int rc = month_range(&a, usage, &from, &to, &e);
    if (rc != EXIT_OK)
        return rc;
    enum revenue_by by = REVENUE_BY_PATTERN;
    if (args_has(&a, "by") && revenue_by_parse(args_get(&a, "by"), &by, &e) != ERR_OK)
        return cli_usage(usage, "%s", e.msg);
    struct book *b = cli_open(c);
    if (!b)
        return EXIT_FAIL;
    struct report *r = report_revenue(b, from, to, by, &e);
    if (!r)
        return cli_fail(&e);
    return emit_all(c, &r, 1, args_get(&a, "output"));
}

int cmd_report_journal(struct cli *c, int argc, char **argv)
{
    static const char usage[] = "report journal --from D --to D [-o FILE]";
    static const struct opt_spec specs[] = {
        {"from", true, false}, {"to", true, false}, {"output", true, false}, {0}};
    struct args a;
    struct err e = {0};
    if (args_parse(argc, argv, specs, &a, &e) != ERR_OK)
        return cli_usage(usage, "%s", e.msg);
    if (a.npos || !args_has(&a, "from") || !args_has(&a, "to"))
        return cli_usage(usage, "give --from and --to");
    int32_t from, to;
    if (cli_date("--from", args_get(&a, "from"), &from, &e) != ERR_OK ||
        cli_date("--to", args_get(&a, "to"), &to, &e) != ERR_OK)
        return cli_fail(&e);
    struct book *b = cli_open(c);
    if (!b)
        return EXIT_FAIL;
    struct report *r = report_journal(b, from, to, &e);
    if (!r)
        return cli_fail(&e);
    return emit_all(c, &r, 1, args_get(&a, "output"));
}

/* Reports over a range of days: the change log and credit activity. */
static int days_report(struct cli *c, int argc, char **argv, const char *usage,
                       struct report *(*build)(struct book *, int32_t, int32_t, struct err *))
{
    static const struct opt_spec specs[] = {
        {"from", true, false}, {"to", true, false}, {"output", true, false}, {0}};
    struct args a;
    struct err e = {0};
    if (args_parse(argc, argv, specs, &a, &e) != ERR_OK)
        return cli_usage(usage, "%s", e.msg);
    if (a.npos || !args_has(&a, "from") || !args_has(&a, "to"))
        return cli_usage(usage, "give --from and --to");
    int32_t from, to;
    if (cli_date("--from", args_get(&a, "from"), &from, &e) != ERR_OK ||
        cli_date("--to", args_get(&a, "to"), &to, &e) != ERR_OK)
        return cli_fail(&e);
    struct book *b = cli_open(c);
    if (!b)
        return EXIT_FAIL;
    struct report *r = build(b, from, to, &e);
    if (!r)
        return cli_fail(&e);
    return emit_all(c, &r, 1, args_get(&a, "output"));
}

int cmd_report_changes(struct cli *c, int argc, char **argv)
{
    return days_report(c, argc, argv, "report changes --from D --to D [-o FILE]", report_changes);
}

int cmd_report_credit_activity(struct cli *c, int argc, char **argv)
{
    return days_report(c, argc, argv, "report credit-activity --from D --to D [-o FILE]",
                       report_credit_activity);
}

int cmd_report_pack(struct cli *c, int argc, char **argv)
{
    static const char usage[] = "report pack --period YYYY-MM -o FILE.xlsx";
    static const struct opt_spec specs[] = {{"period", true, false}, {"output", true, false}, {0}};
    struct args a;
    struct err e = {0};
    if (args_parse(argc, argv, specs, &a, &e) != ERR_OK)
        return cli_usage(usage, "%s", e.msg);
    if (a.npos || !args_has(&a, "period") || !args_has(&a, "output"))
        return cli_usage(usage, "give --period and -o FILE.xlsx");
    enum render_format f;
    if (render_format_of(args_get(&a, "output"), &f, &e) != ERR_OK || f != RENDER_XLSX)
        return cli_usage(usage, "the audit pack is a workbook: -o FILE.xlsx");
    int32_t p;
    if (period_parse(args_get(&a, "period"), &p, &e) != ERR_OK) {
        err_prefix(&e, "--period");
        return cli_fail(&e);
    }
    struct book *b = cli_open(c);
    if (!b)
        return EXIT_FAIL;
    struct report_source pack;
    if (report_pack_open(b, p, &pack, &e) != ERR_OK)
        return cli_fail(&e);
    return emit_source(c, &pack, args_get(&a, "output"));
}
