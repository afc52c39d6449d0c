/*
 * cli_book.c — commands about the book itself: init, check, demo.
 */
#include "model/check.h"
#include "model/close.h"
#include "model/contract.h"
#include "model/date.h"
#include "tui/cli.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int cmd_init(struct cli *c, int argc, char **argv)
{
    static const char usage[] = "init --company NAME --currency CUR [--user NAME]";
    static const struct opt_spec specs[] = {
        {"company", true, false}, {"currency", true, false}, {"user", true, false}, {0}};
    struct args a;
    struct err e = {0};
    if (args_parse(argc, argv, specs, &a, &e) != ERR_OK)
        return cli_usage(usage, "%s", e.msg);
    if (a.npos > 0)
        return cli_usage(usage, "init takes no argument '%s'", a.pos[0]);
    if (!args_has(&a, "company") || !args_has(&a, "currency"))
        return cli_usage(usage, "init needs --company and --currency");
    struct book_init init = {
        .company = args_get(&a, "company"),
        .currency = args_get(&a, "currency"),
        .user = args_has(&a, "user") ? args_get(&a, "user")
                : c->user            ? c->user
                                     : getenv("USER"),
    };
    struct book *b;
    if (book_create(c->book_path, &init, c->clock, &b, &e) != ERR_OK)
        return cli_fail(&e);
    fprintf(c->out, "created %s for %s (%s)\n", c->book_path, init.company, init.currency);
    book_close(b);
    return EXIT_OK;
}

int cmd_check(struct cli *c, int argc, char **argv)
{
    (void)argv;
    if (argc != 0)
        return cli_usage("check", "check takes no arguments");
    struct book *b = cli_open(c);
    if (!b)
        return EXIT_FAIL;
    struct check_report r = {0};
    struct err e = {0};
    if (book_check(b, &r, &e) != ERR_OK)
        return cli_fail(&e);
    int failed = 0;
    for (size_t i = 0; i < r.n; i++) {
        const struct check_item *it = &r.v[i];
        fprintf(c->out, "%-4s %s%s%s\n", it->passed ? "ok" : "FAIL", it->name,
                it->detail[0] ? ": " : "", it->detail);
        failed += !it->passed;
    }
    check_report_free(&r);
    if (failed) {
        fprintf(stderr, "ratable: %d check%s failed in %s\n", failed, failed == 1 ? "" : "s",
                book_path(b));
        return EXIT_FAIL;
    }
    fprintf(c->out, "%s: all checks passed\n", book_path(b));
    return EXIT_OK;
}

int cmd_settings(struct cli *c, int argc, char **argv)
{
    static const char usage[] =
        "settings [--company NAME] [--user NAME] [--convention monthly|daily]";
    static const struct opt_spec specs[] = {
        {"company", true, false}, {"user", true, false}, {"convention", true, false}, {0}};
    struct args a;
    struct err e = {0};
    if (args_parse(argc, argv, specs, &a, &e) != ERR_OK)
        return cli_usage(usage, "%s", e.msg);
    if (a.npos)
        return cli_usage(usage, "unexpected argument '%s'", a.pos[0]);
    struct book *b = cli_open(c);
    if (!b)
        return EXIT_FAIL;
    if (a.nopt && book_settings_set(b, args_get(&a, "company"), args_get(&a, "user"),
                                    args_get(&a, "convention"), &e) != ERR_OK)
        return cli_fail(&e);
    struct book_settings s;
    if (book_settings_get(b, &s, &e) != ERR_OK)
        return cli_fail(&e);
    fprintf(c->out,
            "company      %s\nbase currency %s\nuser         %s\nconvention   %s\n"
            "book version %d\n",
            s.company, s.base_currency, s.user, convention_name(book_convention(b)),
            book_version(b));
    return EXIT_OK;
}

static int parse_period_arg(const char *s, int32_t *out, struct err *e)
{
    if (period_parse(s, out, e) != ERR_OK) {
        err_prefix(e, "month '%s'", s);
        return e->code;
    }
    return ERR_OK;
}

static void print_checks(FILE *f, const struct check_report *r)
{
    for (size_t i = 0; i < r->n; i++) {
        const struct check_item *it = &r->v[i];
        fprintf(f, "%-4s %s%s%s\n", it->passed ? "ok" : "FAIL", it->name, it->detail[0] ? ": " : "",
                it->detail);
    }
}

int cmd_close(struct cli *c, int argc, char **argv)
{
    static const char usage[] = "close YYYY-MM [--dry-run] [--backup FILE | --no-backup]";
    static const struct opt_spec specs[] = {
        {"dry-run", false, false}, {"backup", true, false}, {"no-backup", false, false}, {0}};
    struct args a;
    struct err e = {0};
    if (args_parse(argc, argv, specs, &a, &e) != ERR_OK)
        return cli_usage(usage, "%s", e.msg);
    if (a.npos != 1)
        return cli_usage(usage, "name the month to close");
    int32_t p;
    if (parse_period_arg(a.pos[0], &p, &e) != ERR_OK)
        return cli_fail(&e);
    struct book *b = cli_open(c);
    if (!b)
        return EXIT_FAIL;
    struct close_result r;
    bool dry = args_has(&a, "dry-run");
    const char *backup = args_has(&a, "no-backup") ? "" : args_get(&a, "backup");
    int rc = period_close(b, p, c->today, dry, backup, &r, &e);
    print_checks(c->out, &r.checks);
    close_result_free(&r);
    if (rc != ERR_OK)
        return cli_fail(&e);
    if (dry)
        fprintf(c->out, "%s would close: every check passes (nothing was changed)\n", a.pos[0]);
    else
        fprintf(c->out,
                "%s closed: %d grant%s expired, %d recognition entr%s; backup %s; change log head"
                " %.16s\n",
                a.pos[0], r.expired, r.expired == 1 ? "" : "s", r.entries,
                r.entries == 1 ? "y" : "ies", r.backup[0] ? r.backup : "none taken", r.chain_head);
    return EXIT_OK;
}

int cmd_reopen(struct cli *c, int argc, char **argv)
{
    static const char usage[] = "reopen YYYY-MM --reason TEXT";
    static const struct opt_spec specs[] = {{"reason", true, false}, {0}};
    struct args a;
    struct err e = {0};
    if (args_parse(argc, argv, specs, &a, &e) != ERR_OK)
        return cli_usage(usage, "%s", e.msg);
    if (a.npos != 1 || !args_has(&a, "reason"))
        return cli_usage(usage, "name the month and give --reason");
    int32_t p;
    if (parse_period_arg(a.pos[0], &p, &e) != ERR_OK)
        return cli_fail(&e);
    struct book *b = cli_open(c);
    if (!b)
        return EXIT_FAIL;
    if (period_reopen(b, p, args_get(&a, "reason"), &e) != ERR_OK)
        return cli_fail(&e);
    fprintf(c->out, "%s reopened: %s\n", a.pos[0], args_get(&a, "reason"));
    return EXIT_OK;
}

int cmd_backup(struct cli *c, int argc, char **argv)
{
    static const char usage[] = "backup FILE";
    static const struct opt_spec specs[] = {{0}};
    struct args a;
    struct err e = {0};
    if (args_parse(argc, argv, specs, &a, &e) != ERR_OK)
        return cli_usage(usage, "%s", e.msg);
    if (a.npos != 1)
        return cli_usage(usage, "name the file to write");
    struct book *b = cli_open(c);
    if (!b)
        return EXIT_FAIL;
    if (book_backup(b, a.pos[0], &e) != ERR_OK)
        return cli_fail(&e);
    fprintf(c->out, "backed up %s to %s (verified)\n", book_path(b), a.pos[0]);
    return EXIT_OK;
}
