/*
 * main.c — ratable's entry point: global options, the book's location, then either a command
 * (the command line) or the workstation.
 */
#include <fcntl.h>
#include <locale.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "model/date.h"
#include "model/xalloc.h"
#include "reports/render.h"
#include "tui/cli.h"
#include "tui/progress_bar.h"

static const char help_text[] =
    "ratable " RATABLE_VERSION " - a month-end revenue workstation\n"
    "\n"
    "usage: ratable [-b BOOK] [--user NAME] [--today YYYY-MM-DD] [--stamp TIME] [COMMAND [ARGS]]\n"
    "\n"
    "Without a command, opens the workstation on the book.\n"
    "\n"
    "options:\n"
    "  -b, --book BOOK     the book (default $RATABLE_BOOK, else\n"
    "                      $XDG_DATA_HOME/ratable/book.ratable)\n"
    "  --user NAME         who is working (default: the book's user)\n"
    "  --today DATE        the date to work as of (default $RATABLE_TODAY, else today)\n"
    "  --stamp TIME        record TIME (2026-10-05T09:00:00Z) as now: a report generated again\n"
    "                      with the same stamp is the same file, byte for byte\n"
    "  -h, --help          this help\n"
    "  --version           the version\n"
    "\n"
    "commands:\n";

/* Reopens 0, 1 and 2 on /dev/null when closed, so a book opened next never gets one of them. */
static void guard_std_fds(void)
{
    for (int fd = 0; fd <= 2; fd++) {
        if (fcntl(fd, F_GETFD) == -1) {
            int n = open("/dev/null", fd == 0 ? O_RDONLY : O_WRONLY);
            if (n != fd) {
                fputs("ratable: cannot reopen standard descriptors\n", stderr);
                exit(EXIT_FAIL);
            }
        }
    }
}

/* --stamp: the time to record as now, seconds since 1970 (-1: not given). */
static int64_t stamp = -1;

/* The change log's clock: --stamp or $RATABLE_NOW (seconds since 1970) pins it, for reports
 * that regenerate byte for byte and for reproducible tests. */
static int64_t clock_now(void)
{
    if (stamp >= 0)
        return stamp;
    const char *fixed = getenv("RATABLE_NOW");
    if (fixed && *fixed)
        return strtoll(fixed, NULL, 10);
    return (int64_t)time(NULL);
}

static int32_t local_today(void)
{
    time_t t = (time_t)clock_now();
    struct tm tm;
    localtime_r(&t, &tm);
    int32_t d;
    if (!date_from_ymd(tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday, &d))
        d = 0;
    return d;
}

static char *default_book(void)
{
    const char *xdg = getenv("XDG_DATA_HOME");
    const char *home = getenv("HOME");
    char *dir;
    if (xdg && *xdg)
        dir = xasprintf("%s/ratable", xdg);
    else
        dir = xasprintf("%s/.local/share/ratable", home && *home ? home : ".");
    /* Create the directory (and .local/share) as a user's data directory would be. */
    for (char *p = dir + 1; *p; p++) {
        if (*p == '/') {
            *p = '\0';
            mkdir(dir, 0700);
            *p = '/';
        }
    }
    mkdir(dir, 0700);
    char *path = xasprintf("%s/book.ratable", dir);
    free(dir);
    return path;
}

int workstation_run(struct cli *c);
void workstation_clock_start(void);

/* On the command line, SIGINT, SIGTERM and SIGHUP end the process as they would, after removing
 * an export's temporary file or a book being generated; a transaction in flight is never
 * committed, so SQLite rolls it back. An operation that reports progress is asked to stop
 * instead, and ends cleanly. (The workstation installs its own handlers.) */
static void on_fatal_signal(int sig)
{
    if (progress_cancellable && !progress_interrupted) {
        progress_interrupted = 1; /* the operation stops at its next tick and rolls back */
        return;
    }
    render_abandon();
    cli_abandon();
    signal(sig, SIG_DFL);
    raise(sig);
}

int main(int argc, char **argv)
{
    workstation_clock_start();
    guard_std_fds();
    umask(077);
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_fatal_signal;
    sigemptyset(&sa.sa_mask);
    sigaction(SIGINT, &sa, NULL);
    sigaction(SIGTERM, &sa, NULL);
    sigaction(SIGHUP, &sa, NULL);
    /* Only LC_CTYPE comes from the environment (ncursesw needs it for UTF-8); numbers stay in
     * the C locale so exports never write 1234,56. */
    setlocale(LC_CTYPE, "");

    struct cli c = {.clock = clock_now, .out = stdout};
    char *book_default = NULL;
    const char *today = getenv("RATABLE_TODAY");
    int i = 1;
    for (; i < argc && argv[i][0] == '-'; i++) {
        const char *a = argv[i];
        if (strcmp(a, "-h") == 0 || strcmp(a, "--help") == 0) {
            fputs(help_text, stdout);
            cli_print_commands(stdout);
            puts("\nSee ratable(1) for the keys, the reports and the accounting rules.");
            return EXIT_OK;
        } else if (strcmp(a, "--version") == 0) {
            puts("ratable " RATABLE_VERSION);
            return EXIT_OK;
        } else if ((strcmp(a, "-b") == 0 || strcmp(a, "--book") == 0) && i + 1 < argc) {
            c.book_path = argv[++i];
        } else if (strncmp(a, "--book=", 7) == 0) {
            c.book_path = a + 7;
        } else if (strcmp(a, "--user") == 0 && i + 1 < argc) {
            c.user = argv[++i];
        } else if (strcmp(a, "--today") == 0 && i + 1 < argc) {
            today = argv[++i];
        } else if (strcmp(a, "--stamp") == 0 && i + 1 < argc) {
            struct tm tm = {0};
            char z = 0;
            const char *v = argv[++i];
            if (sscanf(v, "%4d-%2d-%2dT%2d:%2d:%2d%c", &tm.tm_year, &tm.tm_mon, &tm.tm_mday,
                       &tm.tm_hour, &tm.tm_min, &tm.tm_sec, &z) != 7 ||
                z != 'Z') {
                fprintf(stderr,
                        "ratable: --stamp: '%s' is not a UTC time like"
                        " 2026-10-05T09:00:00Z\n",
                        v);
                return EXIT_USAGE;
            }
            tm.tm_year -= 1900;
            tm.tm_mon -= 1;
            stamp = (int64_t)timegm(&tm);
        } else {
            fprintf(stderr, "ratable: unknown or incomplete option %s (see ratable --help)\n", a);
            return EXIT_USAGE;
        }
    }
    if (today && *today) {
        struct err e = {0};
        if (cli_date("--today", today, &c.today, &e) != ERR_OK)
            return cli_fail(&e);
    } else {
        c.today = local_today();
    }
    if (!c.book_path) {
        const char *env = getenv("RATABLE_BOOK");
        if (env && *env)
            c.book_path = env;
        else
            c.book_path = book_default = default_book();
    }
    if (!c.user) {
        const char *env = getenv("RATABLE_USER");
        if (env && *env)
            c.user = env;
    }

    int rc;
    if (i < argc)
        rc = cli_dispatch(&c, argc - i, argv + i);
    else
        rc = workstation_run(&c);
    book_close(c.book);
    free(book_default);
    return rc;
}
