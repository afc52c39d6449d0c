/*
 * args.h — parsing a command's arguments: positionals and long options (--name VALUE or
 * --name=VALUE), some repeatable; -o is short for --output. Errors name the option.
 */
#ifndef RATABLE_ARGS_H
#define RATABLE_ARGS_H

#include <stdbool.h>

#include "model/err.h"

#define ARGS_MAX 64

struct opt_spec {
    const char *name; /* without dashes: "date" for --date */
    bool value;       /* takes a value */
    bool repeat;      /* may be given more than once */
};

struct args {
    const char *pos[ARGS_MAX]; /* positionals, borrowed from argv */
    int npos;
    struct {
        const char *name;
        const char *value; /* "" for a flag */
    } opt[ARGS_MAX];
    int nopt;
};

/* Parses argv[0..argc) against specs (terminated by a NULL name). */
int args_parse(int argc, char **argv, const struct opt_spec *specs, struct args *out,
               struct err *e);
/* The value of --name, or NULL when absent (the last one when repeated). */
const char *args_get(const struct args *a, const char *name);
bool args_has(const struct args *a, const char *name);
/* The i-th value of a repeatable option, NULL past the end. */
const char *args_get_nth(const struct args *a, const char *name, int i);

#endif
