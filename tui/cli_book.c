/*
 * cli_book.c — commands about the book itself: init, check, demo.
 */
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
        .user = args_has(&a, "user") ? args_get(&a, "user") : c->user ? c->user : getenv("USER"),
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
    (void)argc;
    (void)argv;
    struct book *b = cli_open(c);
    if (!b)
        return EXIT_FAIL;
    fprintf(c->out, "check: %s\n", book_path(b));
    return EXIT_OK;
}

int cmd_demo(struct cli *c, int argc, char **argv)
{
    (void)c;
    (void)argc;
    (void)argv;
    fprintf(stderr, "ratable: demo is not available yet\n");
    return EXIT_FAIL;
}
