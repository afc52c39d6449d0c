/*
 * cli_generate.c — `ratable generate FILE --customers N --contracts M --months K [--seed S]`:
 * a large synthetic book for measuring ratable (model/generate.h).
 *
 * The book is written under a temporary name beside FILE and renamed when it is complete, so an
 * interrupted or failed run never leaves something that looks like a finished book; an interrupt
 * stops it at the next tick of its progress and removes the temporary files.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "model/date.h"
#include "model/generate.h"
#include "model/xalloc.h"
#include "tui/cli.h"

/* The temporary book and its WAL and shared-memory files, for cli_abandon. */
static char *volatile abandon_paths[3];

void cli_abandon(void)
{
    for (int i = 0; i < 3; i++) {
        char *p = abandon_paths[i];
        if (p)
            unlink(p); /* async-signal-safe */
    }
}

static void forget_abandon(void)
{
    for (int i = 0; i < 3; i++) {
        char *p = abandon_paths[i];
        abandon_paths[i] = NULL;
        free(p);
    }
}

static int count_arg(const struct args *a, const char *name, int64_t max, int64_t *out,
                     struct err *e)
{
    const char *v = args_get(a, name);
    char *end;
    errno = 0;
    long long n = strtoll(v, &end, 10);
    if (!*v || *end || errno || n < 0 || n > max)
        return err_set(e, ERR_INPUT, "--%s: '%s' is not a whole number from 0 to %lld", name, v,
                       (long long)max);
    *out = n;
    return ERR_OK;
}

static double seconds_since(const struct timespec *t0)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)(t.tv_sec - t0->tv_sec) + (double)(t.tv_nsec - t0->tv_nsec) / 1e9;
}

int cmd_generate(struct cli *c, int argc, char **argv)
{
    static const char usage[] = "generate FILE --customers N --contracts M --months K [--seed S]";
    static const struct opt_spec specs[] = {{"customers", true, false},
                                            {"contracts", true, false},
                                            {"months", true, false},
                                            {"seed", true, false},
                                            {0}};
    struct args a;
    struct err e = {0};
    if (args_parse(argc, argv, specs, &a, &e) != ERR_OK)
        return cli_usage(usage, "%s", e.msg);
    if (a.npos != 1)
        return cli_usage(usage, "generate needs one FILE to write");
    if (!args_has(&a, "customers") || !args_has(&a, "contracts") || !args_has(&a, "months"))
        return cli_usage(usage, "generate needs --customers, --contracts and --months");
    struct generate_input in = {.seed = 1, .today = c->today};
    int64_t months, seed = 1;
    if (count_arg(&a, "customers", 9999999, &in.customers, &e) != ERR_OK ||
        count_arg(&a, "contracts", 99999999, &in.contracts, &e) != ERR_OK ||
        count_arg(&a, "months", 240, &months, &e) != ERR_OK ||
        (args_has(&a, "seed") && count_arg(&a, "seed", INT64_MAX, &seed, &e) != ERR_OK))
        return cli_usage(usage, "%s", e.msg);
    in.months = (int)months;
    in.seed = (uint64_t)seed;
    const char *path = a.pos[0];
    struct stat sb;
    if (stat(path, &sb) == 0) {
        err_set(&e, ERR_EXISTS, "%s already exists; generate writes a new book", path);
        return cli_fail(&e);
    }
    abandon_paths[1] = xasprintf("%s.generating-wal", path);
    abandon_paths[2] = xasprintf("%s.generating-shm", path);
    abandon_paths[0] = xasprintf("%s.generating", path);
    char *tmp = abandon_paths[0];
    cli_abandon(); /* what an earlier interrupted run may have left */
    struct book_init init = {
        .company = "Generated Software Co.", .currency = "USD", .user = "generator"};
    struct book *b;
    struct timespec t0;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    if (book_create(tmp, &init, c->clock, &b, &e) != ERR_OK) {
        forget_abandon();
        return cli_fail(&e);
    }
    progress_bar_init(&c->bar);
    book_set_progress(b, &c->bar.p);
    struct generate_result r;
    progress_cancellable = 1;
    int rc = book_generate(b, &in, &r, &e);
    progress_cancellable = 0;
    progress_bar_end(&c->bar);
    book_close(b);
    if (rc == ERR_OK && rename(tmp, path) != 0)
        rc = err_set(&e, ERR_IO, "%s: %s", path, strerror(errno));
    if (rc != ERR_OK) {
        cli_abandon();
        forget_abandon();
        return cli_fail(&e);
    }
    forget_abandon();
    double secs = seconds_since(&t0);
    char day[DATE_BUF];
    fprintf(c->out,
            "wrote %s as of %s in %.1f s: %" PRId64 " customers, %" PRId64 " contracts, %" PRId64
            " obligations, %" PRId64 " invoices, %" PRId64 " payments, %" PRId64
            " credit grants, %" PRId64 " memos, %" PRId64 " usage and %" PRId64
            " progress records, %" PRId64 " deliveries; %d months closed\n",
            path, date_format(c->today, day, sizeof day), secs, r.customers, r.contracts,
            r.obligations, r.invoices, r.payments, r.grants, r.memos, r.usage, r.progress,
            r.deliveries, r.closed);
    return EXIT_OK;
}
