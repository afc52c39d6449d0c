/*
 * cli_import.c — `ratable import KIND FILE.csv`: all or nothing; every refused row is reported
 * as FILE:ROW:COLUMN: reason.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "model/import.h"
#include "model/xalloc.h"
#include "tui/cli.h"

#define IMPORT_FILE_MAX (256L * 1024 * 1024)

/* Reads a whole file; the caller frees *data. */
static int slurp(const char *path, char **data, size_t *len, struct err *e)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return err_set(e, ERR_IO, "%s: %s", path, strerror(errno));
    size_t cap = 65536, n = 0;
    char *buf = xmalloc(cap);
    for (;;) {
        if (n == cap) {
            if ((long)cap >= IMPORT_FILE_MAX) {
                fclose(f);
                free(buf);
                return err_set(e, ERR_INPUT, "%s: larger than %ld MB", path,
                               IMPORT_FILE_MAX / 1024 / 1024);
            }
            cap *= 2;
            buf = xrealloc(buf, cap);
        }
        size_t got = fread(buf + n, 1, cap - n, f);
        n += got;
        if (got == 0)
            break;
    }
    int failed = ferror(f);
    fclose(f);
    if (failed) {
        free(buf);
        return err_set(e, ERR_IO, "%s: cannot be read", path);
    }
    *data = buf;
    *len = n;
    return ERR_OK;
}

int cmd_import(struct cli *c, int argc, char **argv)
{
    static const char usage[] =
        "import customers|credits|invoices|payments|contracts|obligations|usage FILE.csv";
    if (argc != 2)
        return cli_usage(usage, "import needs a kind and a file");
    enum import_kind kind;
    struct err e = {0};
    if (import_kind_parse(argv[0], &kind, &e) != ERR_OK)
        return cli_usage(usage, "%s", e.msg);
    char *data = NULL;
    size_t len = 0;
    if (slurp(argv[1], &data, &len, &e) != ERR_OK)
        return cli_fail(&e);
    struct book *b = cli_open(c);
    if (!b) {
        free(data);
        return EXIT_FAIL;
    }
    struct import_result r;
    int rc = import_csv(b, kind, data, len, &r, &e);
    free(data);
    for (size_t i = 0; i < r.nerrors; i++)
        fprintf(stderr, "%s:%d:%d: %s\n", argv[1], r.errors[i].row, r.errors[i].column,
                r.errors[i].message);
    if (r.problems > r.nerrors)
        fprintf(stderr, "%s: %zu more problem%s not listed\n", argv[1], r.problems - r.nerrors,
                r.problems - r.nerrors == 1 ? "" : "s");
    if (rc != ERR_OK) {
        import_result_free(&r);
        return cli_fail(&e);
    }
    fprintf(c->out, "imported %d %s from %s (%d row%s)\n", r.written, argv[0], argv[1], r.records,
            r.records == 1 ? "" : "s");
    import_result_free(&r);
    return EXIT_OK;
}
