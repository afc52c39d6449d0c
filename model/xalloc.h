/*
 * xalloc.h — allocation that cannot fail.
 *
 * Out of memory is not an error a user can act on: the handler installed by the program restores
 * the terminal, then ratable aborts. Every allocation in ratable goes through these.
 */
#ifndef RATABLE_XALLOC_H
#define RATABLE_XALLOC_H

#include <stddef.h>

/* Called once before aborting on out of memory; tui/ installs one that ends curses. */
void xalloc_set_oom_hook(void (*hook)(void));

void *xmalloc(size_t n);
void *xcalloc(size_t count, size_t size);
void *xrealloc(void *p, size_t n);
/* Grows an array of `size`-byte elements to hold at least `need`; *cap is updated. */
void *xgrow(void *p, size_t *cap, size_t need, size_t size);
char *xstrdup(const char *s);
char *xstrndup(const char *s, size_t n);
/* Returns a newly allocated formatted string; the caller frees it. */
char *xasprintf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

#endif
