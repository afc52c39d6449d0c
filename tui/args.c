/*
 * args.c — a small long-option parser: GNU-style --name VALUE and --name=VALUE, "--" ends
 * options, everything else is positional, in any order.
 */
#include "tui/args.h"

#include <string.h>

int args_parse(int argc, char **argv, const struct opt_spec *specs, struct args *out, struct err *e)
{
    memset(out, 0, sizeof *out);
    bool only_pos = false;
    for (int i = 0; i < argc; i++) {
        const char *a = argv[i];
        /* -o FILE is the conventional short form of --output FILE. */
        if (!only_pos && strcmp(a, "-o") == 0)
            a = "--output";
        if (only_pos || a[0] != '-' || a[1] != '-' || a[2] == '\0') {
            if (!only_pos && strcmp(a, "--") == 0) {
                only_pos = true;
                continue;
            }
            if (out->npos == ARGS_MAX)
                return err_set(e, ERR_INPUT, "too many arguments");
            out->pos[out->npos++] = a;
            continue;
        }
        const char *name = a + 2;
        const char *eq = strchr(name, '=');
        size_t len = eq ? (size_t)(eq - name) : strlen(name);
        const struct opt_spec *s = specs;
        for (; s && s->name; s++)
            if (strlen(s->name) == len && strncmp(s->name, name, len) == 0)
                break;
        if (!s || !s->name)
            return err_set(e, ERR_INPUT, "unknown option --%.*s", (int)len, name);
        const char *value = "";
        if (s->value) {
            if (eq)
                value = eq + 1;
            else if (i + 1 < argc)
                value = argv[++i];
            else
                return err_set(e, ERR_INPUT, "--%s needs a value", s->name);
        } else if (eq) {
            return err_set(e, ERR_INPUT, "--%s takes no value", s->name);
        }
        if (!s->repeat && args_has(out, s->name))
            return err_set(e, ERR_INPUT, "--%s given twice", s->name);
        if (out->nopt == ARGS_MAX)
            return err_set(e, ERR_INPUT, "too many options");
        out->opt[out->nopt].name = s->name;
        out->opt[out->nopt].value = value;
        out->nopt++;
    }
    return ERR_OK;
}

const char *args_get(const struct args *a, const char *name)
{
    const char *v = NULL;
    for (int i = 0; i < a->nopt; i++)
        if (strcmp(a->opt[i].name, name) == 0)
            v = a->opt[i].value;
    return v;
}

bool args_has(const struct args *a, const char *name)
{
    return args_get(a, name) != NULL;
}

const char *args_get_nth(const struct args *a, const char *name, int n)
{
    for (int i = 0; i < a->nopt; i++)
        if (strcmp(a->opt[i].name, name) == 0 && n-- == 0)
            return a->opt[i].value;
    return NULL;
}
