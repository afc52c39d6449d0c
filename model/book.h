/*
 * book.h — a ratable book: one SQLite file per company.
 *
 * Opening checks that the file really is a ratable book (application_id) and not newer than this
 * program (user_version), migrates an older one forward, and turns on what every connection
 * needs: foreign keys, WAL with synchronous=FULL, a busy timeout. Every user action is one short
 * BEGIN IMMEDIATE transaction (book_begin .. book_commit); a nested begin becomes a savepoint, so
 * an import can run many actions as one all-or-nothing transaction.
 *
 * The model has no clock: the program gives the book a function returning "now" (for the change
 * log's timestamps) and says who is working.
 */
#ifndef RATABLE_BOOK_H
#define RATABLE_BOOK_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "model/err.h"
#include "model/progress.h"

#define BOOK_VERSION        9          /* the schema version this program writes */
#define BOOK_APPLICATION_ID 0x52544142 /* "RTAB" in the SQLite header */

struct book;

/*
 * Keyset paging: where a page of a list starts. A list seeks its sort key in an index and reads
 * the rows from there, so a page at the far end of a long list costs what the first one does
 * (an OFFSET would read every row before it). AFTER and FROM read on from an anchor row (FROM
 * includes it), BEFORE and UNTIL read back from it; pages are always in the list's order.
 */
enum page_seek {
    PAGE_FIRST,
    PAGE_LAST,
    PAGE_AFTER,
    PAGE_FROM,
    PAGE_BEFORE,
    PAGE_UNTIL,
};
/* A page read back from its anchor (or from the end): it comes nearest first from the book. */
static inline bool page_seek_backward(enum page_seek seek)
{
    return seek == PAGE_LAST || seek == PAGE_BEFORE || seek == PAGE_UNTIL;
}
/*
 * A page's reach: a filter that few rows match makes a page read on until it is full, the whole
 * list for a text no row holds. A list's query may bound that (its `reach`: the most rows of the
 * list one page reads in the list's order, matching or not). A page that stops there short of
 * full, before the end of the list, gives the row where it stopped, to be the anchor of the next
 * page in the same direction (PAGE_AFTER or PAGE_BEFORE): the workstation shows what it found
 * and reads on between keys.
 */

/*
 * A list's count, a slice of its ids at a time: with a filter, or a balance worked out per row,
 * counting a long list takes longer than a key may wait, so the workstation counts it between
 * keys. The caller sets [from, to) (0 and INT64_MAX: the whole list); the count gives how many
 * rows of the list have an id in it, and the largest id the table holds, where the slices end.
 */
struct id_slice {
    int64_t from, to;
    size_t count;
    int64_t last;
};

struct book_init {
    const char *company;  /* legal name */
    const char *currency; /* base currency, ISO 4217 */
    const char *user;     /* who is working by default */
};

struct book_settings {
    char company[256];
    char base_currency[4];
    char user[128];
    int64_t revision;
};

/*
 * Creates a new book at path (refusing an existing file), mode 0600, with the current schema.
 * On success *out is a book the caller closes with book_close.
 */
int book_create(const char *path, const struct book_init *init, int64_t (*clock)(void),
                struct book **out, struct err *e);
/* Opens an existing book, migrating it forward when it is older than this program. */
int book_open(const char *path, int64_t (*clock)(void), struct book **out, struct err *e);
/* Opens a private in-memory book with the current schema (tests). */
int book_open_memory(const struct book_init *init, int64_t (*clock)(void), struct book **out,
                     struct err *e);
void book_close(struct book *b);
/* Opens the file b has open a second time, for another thread to read beside b (a connection
 * is only ever used by one thread); ERR_BOOK for an in-memory book. Close it with book_close. */
int book_open_again(struct book *b, struct book **out, struct err *e);
/* Makes the statement running on b, on another thread, stop with an error; safe from any thread. */
void book_interrupt(struct book *b);

/* Who is recorded as doing what follows; the string is copied. */
void book_set_user(struct book *b, const char *user);
const char *book_user(const struct book *b);
const char *book_path(const struct book *b);
/* Writes the current time as YYYY-MM-DDTHH:MM:SSZ into buf (>= 21 bytes). */
char *book_timestamp(const struct book *b, char *buf, int size);

int book_settings_get(struct book *b, struct book_settings *out, struct err *e);

/* Starts a write transaction (or a savepoint inside one). */
int book_begin(struct book *b, struct err *e);
int book_commit(struct book *b, struct err *e);
/* Undoes everything since the matching book_begin. */
void book_rollback(struct book *b);
/* A read transaction, so a report sees one consistent state of the book. */
int book_begin_read(struct book *b, struct err *e);
/* Inside book_begin or book_begin_read. */
bool book_in_transaction(const struct book *b);
void book_end_read(struct book *b);

/* SQLite's data_version: it changes when another connection commits to the book, so a screen
 * can tell its data is stale. */
int64_t book_data_version(struct book *b);

/* The change log's hash chain (SHA-256): rows, the head, and the first row that breaks it. */
struct chain_status {
    int64_t rows;
    int64_t filled;    /* rows chained when a book older than the chain was first opened */
    int64_t broken_id; /* 0: the chain verifies */
    char reason[128];
    char head[65]; /* the hash of the last row (of the last good row's chain when broken) */
};
int book_chain_verify(struct book *b, struct chain_status *out, struct err *e);
/* The hash of the change log's last row, unverified ("" for an empty log): for a caller that has
 * just verified the chain, or will. */
int book_chain_head(struct book *b, char head[65], struct err *e);

/* Copies the open book to path with SQLite's backup API (a temporary name, then renamed), and
 * verifies the copy: a ratable book of the same version whose integrity check passes and whose
 * change log ends with the same hash. The copy is 0600; an existing file is never overwritten. */
int book_backup(struct book *b, const char *path, struct err *e);

/* The name of a network filesystem by its statfs magic number, or NULL for a local one. A book
 * on a network filesystem is refused when it is created or opened. */
const char *book_network_fs(unsigned long f_type);

/* The progress of long operations on this book (model/progress.h); NULL: none. The struct is
 * borrowed until it is replaced. */
void book_set_progress(struct book *b, const struct progress *p);
/* Reports progress to the book's callback; true when the person asked to stop. */
bool book_progress(struct book *b, const char *what, uint64_t done, uint64_t total);

/* The slowest statement run since it was last taken (book_trace). */
struct book_slowest {
    int64_t ns;         /* how long it ran, in nanoseconds (SQLite's profile) */
    int64_t statements; /* how many statements ran */
    char sql[160];      /* the start of its SQL text */
};
/* Times every statement the book runs from now on (or stops), to find the slowest; for
 * measuring, it costs a little on each statement. */
void book_trace(struct book *b, bool on);
/* Hands over the slowest statement since the last call and starts counting again. */
void book_trace_take(struct book *b, struct book_slowest *out);

/* The schema version of the open book (after migration, BOOK_VERSION). */
int book_version(struct book *b);

#endif
