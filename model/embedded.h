/*
 * embedded.h — the files of data/ compiled into the binary (by tools/embed.sh), so ratable needs
 * no data files at run time.
 */
#ifndef RATABLE_EMBEDDED_H
#define RATABLE_EMBEDDED_H

#include <stddef.h>

struct embedded_file {
    const char *name; /* base name, e.g. "schema.sql" */
    const char *data; /* NUL-terminated contents */
    size_t size;      /* without the NUL */
};

/* Terminated by an entry whose name is NULL. */
extern const struct embedded_file embedded_files[];

/* The contents of data/NAME, or NULL when there is no such file. Borrowed; never freed. */
const char *embedded_get(const char *name);

#endif
