/*
 * err.h — the one error channel of ratable.
 *
 * Everything a user or a file can cause (bad input, a missing customer, a busy book) is reported
 * through a caller-owned `struct err`: a code and a one-line message that names the field, file,
 * row or column. Broken invariants are asserts instead; out of memory aborts (see xalloc.h).
 */
#ifndef RATABLE_ERR_H
#define RATABLE_ERR_H

enum err_code {
    ERR_OK = 0,
    ERR_INPUT,    /* a value the user typed or a file held is not acceptable */
    ERR_NOTFOUND, /* a code or number names nothing in the book */
    ERR_EXISTS,   /* a code or number is already taken */
    ERR_CONFLICT, /* the row changed since it was read (revision mismatch) */
    ERR_RULE,     /* the accounting rules refuse the operation */
    ERR_OVERFLOW, /* an amount does not fit in 64 bits */
    ERR_BUSY,     /* another process holds the book past the busy timeout */
    ERR_LOCKED,   /* the period is closed */
    ERR_BOOK,     /* the file is not a ratable book, or is newer than this program */
    ERR_DB,       /* SQLite reported an error we did not expect */
    ERR_IO,       /* a file could not be read or written */
    ERR_CANCELLED /* the user interrupted a long operation */
};

struct err {
    enum err_code code;
    char msg[512];
};

/* Sets code and message (printf format). Returns code, so `return err_set(e, ...)` reads well. */
int err_set(struct err *e, enum err_code code, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* Prepends "prefix: " to the message already in e, keeping the code. */
void err_prefix(struct err *e, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static inline void err_clear(struct err *e)
{
    e->code = ERR_OK;
    e->msg[0] = '\0';
}

#endif
