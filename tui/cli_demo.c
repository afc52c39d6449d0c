/*
 * cli_demo.c — `ratable demo [FILE]`: writes a believable company by running the script
 * data/demo.txt, a list of ordinary ratable commands, so the demo exercises exactly what a
 * person would type.
 *
 * The script's dates are relative to the working date (--today), so the demo always looks
 * current:
 *   @T, @T+10, @T-3      today, and days from it
 *   @M-3/15              the 15th of the month three months before this one (clamped to the
 *                        month's last day, so @M-1/31 is the end of last month)
 *   @M/15                inside a `month A..B` block: the 15th of the block's month
 *   @P-1                 the month (YYYY-MM) one before this one; @P inside a block: its month
 *   $inv:CODE            the number of the last invoice issued to CODE by the script
 * A `month A..B` line starts a block (A, B month offsets, e.g. -11..0) that runs once per month,
 * in order, up to `end`. Inside a block a line may start with a guard: `[A..B]` runs it only in
 * months A to B, `[A..B/S]` every S-th month from A, `[A]` only in month A. Lines starting with
 * # are comments. The whole script runs in one transaction.
 */
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "model/date.h"
#include "model/embedded.h"
#include "model/invoice.h"
#include "model/xalloc.h"
#include "tui/cli.h"

#define MAX_TOKENS 48

struct demo {
    struct cli *c;
    int32_t this_month; /* period of today */
    int32_t block;      /* period of the running month block */
    struct {
        char code[CODE_MAX + 1];
        char number[CODE_MAX + 1];
    } last[64];
    int nlast;
};

static const char *last_invoice(const struct demo *d, const char *code)
{
    for (int i = 0; i < d->nlast; i++)
        if (strcmp(d->last[i].code, code) == 0)
            return d->last[i].number;
    return NULL;
}

static void remember_invoice(struct demo *d, const char *code, const char *number)
{
    int i = 0;
    while (i < d->nlast && strcmp(d->last[i].code, code) != 0)
        i++;
    if (i == d->nlast) {
        if (d->nlast == (int)(sizeof d->last / sizeof d->last[0]))
            return;
        d->nlast++;
    }
    snprintf(d->last[i].code, sizeof d->last[i].code, "%s", code);
    snprintf(d->last[i].number, sizeof d->last[i].number, "%s", number);
}

/* Expands the date and invoice references in one token; returns a new string. */
static char *expand(const struct demo *d, const char *tok, int lineno, int *bad)
{
    size_t cap = strlen(tok) + 64, n = 0;
    char *out = xmalloc(cap);
    for (const char *p = tok; *p;) {
        char piece[64] = "";
        const char *q = p;
        if (p[0] == '@' && p[1] == 'T') {
            long off = strtol(p + 2, (char **)&q, 10);
            date_format(d->c->today + (int32_t)off, piece, sizeof piece);
        } else if (p[0] == '@' && p[1] == 'M') {
            long off = 0;
            q = p + 2;
            if (*q == '+' || *q == '-')
                off = strtol(q, (char **)&q, 10);
            int32_t month = (d->block != INT32_MIN ? d->block : d->this_month) + (int32_t)off;
            long day = 1;
            if (*q == '/')
                day = strtol(q + 1, (char **)&q, 10);
            int dim = period_days(month);
            date_format(period_first_day(month) + (int32_t)((day > dim ? dim : day) - 1), piece,
                        sizeof piece);
        } else if (p[0] == '@' && p[1] == 'P') {
            long off = 0;
            q = p + 2;
            if (*q == '+' || *q == '-')
                off = strtol(q, (char **)&q, 10);
            int32_t month = (d->block != INT32_MIN ? d->block : d->this_month) + (int32_t)off;
            period_format(month, piece, sizeof piece);
        } else if (strncmp(p, "$inv:", 5) == 0) {
            q = p + 5;
            while (*q && *q != ' ' && *q != '"')
                q++;
            char code[CODE_MAX + 1];
            snprintf(code, sizeof code, "%.*s", (int)(q - p - 5), p + 5);
            const char *num = last_invoice(d, code);
            if (!num) {
                fprintf(stderr, "ratable: demo.txt:%d: no invoice issued to %s yet\n", lineno,
                        code);
                *bad = 1;
            }
            snprintf(piece, sizeof piece, "%s", num ? num : "");
        } else {
            piece[0] = *p;
            piece[1] = '\0';
            q = p + 1;
        }
        size_t k = strlen(piece);
        out = xgrow(out, &cap, n + k + 1, 1);
        memcpy(out + n, piece, k);
        n += k;
        p = q;
    }
    out[n] = '\0';
    return out;
}

/* Splits a line into words; "double quotes" group words. Returns the count, -1 if malformed. */
static int split(char *line, char **tok)
{
    int n = 0;
    char *p = line;
    while (*p) {
        while (*p == ' ' || *p == '\t')
            p++;
        if (!*p)
            break;
        if (n == MAX_TOKENS)
            return -1;
        char *w = p, *o = p;
        while (*p && *p != ' ' && *p != '\t') {
            if (*p == '"') {
                p++;
                while (*p && *p != '"')
                    *o++ = *p++;
                if (*p != '"')
                    return -1;
                p++;
            } else {
                *o++ = *p++;
            }
        }
        if (*p)
            p++;
        *o = '\0';
        tok[n++] = w;
    }
    return n;
}

static int run_line(struct demo *d, const char *text, int lineno)
{
    char *line = xstrdup(text);
    char *raw[MAX_TOKENS];
    int n = split(line, raw);
    if (n < 0) {
        fprintf(stderr, "ratable: demo.txt:%d: malformed line\n", lineno);
        free(line);
        return EXIT_FAIL;
    }
    char *argv[MAX_TOKENS + 1];
    int bad = 0;
    for (int i = 0; i < n; i++)
        argv[i] = expand(d, raw[i], lineno, &bad);
    argv[n] = NULL;
    int rc = bad ? EXIT_FAIL : n ? cli_dispatch(d->c, n, argv) : EXIT_OK;
    if (rc != EXIT_OK) {
        fprintf(stderr, "ratable: demo.txt:%d: failed:", lineno);
        for (int i = 0; i < n; i++)
            fprintf(stderr, " %s", argv[i]);
        fputc('\n', stderr);
    } else if (n >= 3 && strcmp(argv[0], "invoice") == 0 && strcmp(argv[1], "issue") == 0) {
        /* Remember the number just handed out for $inv:CODE. */
        struct invoice_rows rows = {0};
        struct invoice_query q = {0};
        struct err e = {0};
        if (invoice_list(d->c->book, &q, &rows, &e) == ERR_OK && rows.n) {
            const struct invoice_row *last = &rows.v[0];
            for (size_t i = 1; i < rows.n; i++)
                if (rows.v[i].id > last->id)
                    last = &rows.v[i];
            remember_invoice(d, last->customer, last->number);
        }
        invoice_rows_free(&rows);
    }
    for (int i = 0; i < n; i++)
        free(argv[i]);
    free(line);
    return rc;
}

/* Consumes a leading [A..B/S] guard of a block line; true when month m passes it. */
static bool guard_admits(const char **line, int m)
{
    const char *p = *line;
    if (*p != '[')
        return true;
    char *q;
    long a = strtol(p + 1, &q, 10), b = a, step = 1;
    if (q[0] == '.' && q[1] == '.')
        b = strtol(q + 2, &q, 10);
    if (*q == '/')
        step = strtol(q + 1, &q, 10);
    if (*q == ']')
        q++;
    while (*q == ' ')
        q++;
    *line = q;
    return m >= a && m <= b && step > 0 && (m - a) % step == 0;
}

static int run_script(struct demo *d, const char *script)
{
    /* Collect the lines first so a month block can be replayed. */
    char *copy = xstrdup(script);
    char **lines = NULL;
    size_t n = 0, cap = 0;
    for (char *save = NULL, *l = strtok_r(copy, "\n", &save); l; l = strtok_r(NULL, "\n", &save)) {
        lines = xgrow(lines, &cap, n + 1, sizeof *lines);
        lines[n++] = l;
    }
    /* strtok_r drops empty lines, so recount line numbers from the original text. */
    int *numbers = xmalloc((n ? n : 1) * sizeof *numbers);
    {
        int no = 1;
        size_t k = 0;
        const char *p = script;
        while (*p && k < n) {
            if (*p != '\n')
                numbers[k++] = no;
            while (*p && *p != '\n')
                p++;
            while (*p == '\n') {
                p++;
                no++;
            }
        }
    }
    int rc = EXIT_OK;
    for (size_t i = 0; i < n && rc == EXIT_OK; i++) {
        const char *l = lines[i];
        while (*l == ' ')
            l++;
        if (*l == '#' || *l == '\0')
            continue;
        int a, b;
        if (sscanf(l, "month %d..%d", &a, &b) == 2) {
            size_t end = i + 1;
            while (end < n && strncmp(lines[end], "end", 3) != 0)
                end++;
            for (int m = a; m <= b && rc == EXIT_OK; m++) {
                d->block = d->this_month + m;
                for (size_t k = i + 1; k < end && rc == EXIT_OK; k++) {
                    const char *bl = lines[k];
                    while (*bl == ' ')
                        bl++;
                    if (*bl == '#' || !*bl || !guard_admits(&bl, m))
                        continue;
                    rc = run_line(d, bl, numbers[k]);
                }
            }
            d->block = INT32_MIN;
            i = end;
            continue;
        }
        rc = run_line(d, l, numbers[i]);
    }
    free(numbers);
    free(lines);
    free(copy);
    return rc;
}

int cmd_demo(struct cli *c, int argc, char **argv)
{
    if (argc > 1)
        return cli_usage("demo [FILE]", "demo takes at most a file name");
    if (argc == 1)
        c->book_path = argv[0];
    struct book_init init = {
        .company = "Lumen Cloud Software, Inc.", .currency = "USD", .user = "demo"};
    struct err e = {0};
    struct book *b;
    if (book_create(c->book_path, &init, c->clock, &b, &e) != ERR_OK)
        return cli_fail(&e);
    c->book = b;
    FILE *out = c->out;
    FILE *quiet = fopen("/dev/null", "w");
    c->out = quiet ? quiet : out;
    struct demo d = {.c = c, .this_month = period_of(c->today), .block = INT32_MIN};
    int rc = book_begin(b, &e) == ERR_OK ? run_script(&d, embedded_get("demo.txt")) : EXIT_FAIL;
    if (rc == EXIT_OK && book_commit(b, &e) != ERR_OK)
        rc = cli_fail(&e);
    else if (rc != EXIT_OK)
        book_rollback(b);
    c->out = out;
    if (quiet)
        fclose(quiet);
    if (rc != EXIT_OK) {
        book_close(b);
        c->book = NULL;
        remove(c->book_path);
        return rc;
    }
    char day[DATE_BUF];
    fprintf(c->out, "wrote the demo book %s (%s, as of %s)\n", c->book_path, init.company,
            date_format(c->today, day, sizeof day));
    return EXIT_OK;
}
