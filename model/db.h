/*
 * db.h — the statement helpers shared by the model/..._db.c files, the only code that talks SQL.
 *
 * Statements are prepared once per connection and cached by their SQL text, which must be a
 * string literal. Parameters are bound by name only, and a name the statement does not have is a
 * broken invariant (assert), so a typo cannot silently bind nothing. SQLite's errors become
 * struct err codes: constraint and trigger refusals are ERR_RULE with SQLite's message, a busy
 * book is ERR_BUSY.
 */
#ifndef RATABLE_DB_H
#define RATABLE_DB_H

#include <sqlite3.h>
#include <stdint.h>

#include "model/book.h"
#include "model/money.h"

/* How much memory SQLite holds before it reuses the memory of its page caches rather than
 * allocate more (sqlite3_soft_heap_limit64, for the whole process; set when the first book is
 * opened). A check of the whole book groups by contract in temporary tables, each with a page
 * cache of its own: 20 MB on a book of 100,000 contracts, 8 MiB held to this, in the same time. */
#define DB_HEAP_LIMIT (8 * 1024 * 1024)

/* The cached statement for sql, reset and with its bindings cleared. Borrowed from the book. */
sqlite3_stmt *db_prepare(struct book *b, const char *sql);
void db_bind_int(sqlite3_stmt *st, const char *name, int64_t v);
void db_bind_money(sqlite3_stmt *st, const char *name, struct money v);
/* NULL binds SQL NULL. The text is copied by SQLite. */
void db_bind_text(sqlite3_stmt *st, const char *name, const char *v);
/* DATE_NONE binds SQL NULL. */
void db_bind_date(sqlite3_stmt *st, const char *name, int32_t date);
void db_bind_null(sqlite3_stmt *st, const char *name);
/* Binds a value that sorts after every number and every text (an empty blob is not: it is the
 * smallest blob, yet blobs come after all text in SQLite's order): the far end of a keyset. */
void db_bind_top(sqlite3_stmt *st, const char *name);

/* A statement of its own, not shared with other callers of the same SQL (a cursor that may be
 * read beside another on the same query); the caller finalizes it. */
sqlite3_stmt *db_prepare_owned(struct book *b, const char *sql);

/* Steps once: SQLITE_ROW, SQLITE_DONE, or -1 with e set. */
int db_step(struct book *b, sqlite3_stmt *st, struct err *e);
/* Steps a statement that returns no rows; ERR_OK or the error. */
int db_exec(struct book *b, sqlite3_stmt *st, struct err *e);
/* Binds the slice's :from and :to to a count whose row is (count, largest id), runs it, and sets
 * the slice's count and last (struct id_slice). */
int db_count(struct book *b, sqlite3_stmt *st, struct id_slice *s, struct err *e);
/* Resets every cached statement, so none holds a read open (before a commit, so the WAL can be
 * checkpointed). */
void db_reset_all(struct book *b);
/* Runs a script of statements (schema, migrations); no parameters. */
int db_exec_script(struct book *b, const char *sql, struct err *e);

int64_t db_col_int(sqlite3_stmt *st, int col);
struct money db_col_money(sqlite3_stmt *st, int col);
/* Borrowed until the next step or reset; "" for NULL. */
const char *db_col_text(sqlite3_stmt *st, int col);
/* Copies the column into buf, truncating; "" for NULL. */
void db_col_copy(sqlite3_stmt *st, int col, char *buf, size_t size);
/* DATE_NONE for NULL. */
int32_t db_col_date(sqlite3_stmt *st, int col);
int db_col_is_null(sqlite3_stmt *st, int col);

/* The row id of the last insert. */
int64_t db_last_id(struct book *b);
/* The number of rows the last statement changed. */
int db_changes(struct book *b);

/*
 * The change log (ARCHITECTURE.md): every business write records who, when, what, and the
 * document before and after as JSON. `entity` names a json_<entity> view of the schema.
 */
/* The document as JSON now, or NULL when it does not exist. The caller frees. */
char *db_snapshot(struct book *b, const char *entity, int64_t id);
/* Logs action on entity id: before is what db_snapshot returned earlier (may be NULL); after is
 * read now. */
int db_log(struct book *b, const char *action, const char *entity, int64_t id, const char *before,
           struct err *e);
/* Logs an action with an explicit detail and no document (bulk actions such as expiry runs). */
/* Records a write that was refused: what was asked and why (its own small transaction). */
int db_log_refused(struct book *b, const char *action, const char *detail, struct err *e);
int db_log_note(struct book *b, const char *action, const char *entity, const char *detail,
                struct err *e);

/* The exponent of a currency code; -1 when unknown. */
int db_currency_exponent(struct book *b, const char *code);
/* The account code for a role ('receivable', 'cash', ...). Asserts the chart has it. */
const char *db_account(struct book *b, const char *role);

#endif
