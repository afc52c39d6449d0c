/*
 * formula.c — parsing {col}, {col@N}, {col:data}, {col:total} and {T.col:total}, {T.col:data}
 * references in a formula template and substituting the addresses the renderer gives.
 */
#include "reports/formula.h"

#include <stdlib.h>
#include <string.h>

char *formula_column(int col, char *buf)
{
    char tmp[8];
    int n = 0;
    col++;
    while (col > 0 && n < 7) {
        int r = (col - 1) % 26;
        tmp[n++] = (char)('A' + r);
        col = (col - 1) / 26;
    }
    for (int i = 0; i < n; i++)
        buf[i] = tmp[n - 1 - i];
    buf[n] = '\0';
    return buf;
}

static int append(char *out, size_t size, size_t *len, const char *s, size_t n, struct err *e)
{
    if (*len + n + 1 > size)
        return err_set(e, ERR_INPUT, "formula is too long");
    memcpy(out + *len, s, n);
    *len += n;
    out[*len] = '\0';
    return ERR_OK;
}

int formula_resolve(const char *tmpl, formula_lookup lookup, void *ctx, char *out, size_t size,
                    struct err *e)
{
    size_t len = 0;
    out[0] = '\0';
    for (const char *p = tmpl; *p;) {
        if (*p != '{') {
            const char *q = strchr(p, '{');
            size_t n = q ? (size_t)(q - p) : strlen(p);
            if (memchr(p, '}', n))
                return err_set(e, ERR_INPUT, "formula '%s': '}' without '{'", tmpl);
            if (append(out, size, &len, p, n, e) != ERR_OK)
                return e->code;
            p += n;
            continue;
        }
        const char *close = strchr(p, '}');
        if (!close)
            return err_set(e, ERR_INPUT, "formula '%s': '{' without '}'", tmpl);
        char ref[128];
        size_t rn = (size_t)(close - p - 1);
        if (rn == 0 || rn >= sizeof ref)
            return err_set(e, ERR_INPUT, "formula '%s': an empty or overlong reference", tmpl);
        memcpy(ref, p + 1, rn);
        ref[rn] = '\0';
        char *table = NULL, *col = ref;
        enum formula_ref kind = FREF_CELL;
        int offset = 0;
        char *colon = strchr(ref, ':');
        char *at = strchr(ref, '@');
        if (colon) {
            *colon = '\0';
            if (strcmp(colon + 1, "data") == 0)
                kind = FREF_DATA;
            else if (strcmp(colon + 1, "total") == 0)
                kind = FREF_TOTAL;
            else
                return err_set(e, ERR_INPUT, "formula '%s': unknown selector ':%s'", tmpl,
                               colon + 1);
            char *dot = strchr(ref, '.');
            if (dot) {
                *dot = '\0';
                table = ref;
                col = dot + 1;
            }
        } else if (at) {
            *at = '\0';
            char *end;
            long v = strtol(at + 1, &end, 10);
            if (*end || at[1] == '\0' || v == 0)
                return err_set(e, ERR_INPUT, "formula '%s': '@%s' is not a row offset", tmpl,
                               at + 1);
            kind = FREF_REL;
            offset = (int)v;
        }
        if (!*col || (table && !*table))
            return err_set(e, ERR_INPUT, "formula '%s': a reference names no column", tmpl);
        char addr[160];
        if (lookup(ctx, table, col, kind, offset, addr, sizeof addr, e) != ERR_OK)
            return e->code;
        if (append(out, size, &len, addr, strlen(addr), e) != ERR_OK)
            return e->code;
        p = close + 1;
    }
    return ERR_OK;
}
