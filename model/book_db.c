/*
 * book_db.c — opening, creating and migrating a book; the statement cache, transactions and the
 * change log that every other model/..._db.c file uses.
 */
#include "model/book.h"
#include "model/db.h"
#include "model/date.h"
#include "model/embedded.h"
#include "model/xalloc.h"

#include <assert.h>
#include <errno.h>
#include <openssl/evp.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/vfs.h>
#include <time.h>
#include <unistd.h>

#define BUSY_TIMEOUT_MS 5000
#define TRACE_RUNNING   16 /* statements running at once that book_trace times */

struct stmt_slot {
    const char *sql; /* the literal it was prepared from */
    sqlite3_stmt *st;
};

struct account_role {
    char role[24];
    char code[32];
};

struct book {
    sqlite3 *db;
    char *path;
    char *user;
    int64_t (*clock)(void);
    int depth;      /* nesting of book_begin */
    bool read_only; /* inside book_begin_read */
    struct stmt_slot *slots;
    size_t nslots, capslots;
    struct account_role roles[16];
    int nroles;
    bool chained;                    /* the change log has its hash columns (book version 3 on) */
    const struct progress *progress; /* borrowed; NULL: nobody is watching */
    struct book_slowest slowest;     /* with book_trace on: the slowest statement lately */
    /* Statements started and not yet finished, with when they started: SQLite's own profile
     * time is in whole milliseconds, too coarse to tell a 0.2 ms query from a 0.9 ms one. */
    struct {
        const void *stmt;
        struct timespec at;
    } running[TRACE_RUNNING];
    /* The last verification of the chain, and the book's state it holds for. */
    bool chain_known;
    struct chain_status chain;
    int64_t chain_changes, chain_version;
};

/* Migrations from version N-1 to N, in order. A book older than the first listed version
 * cannot exist: version 1 is the first a book was ever written with. */
static const struct {
    int version;
    const char *file;
} migrations[] = {
    {2, "0002_contracts.sql"}, {3, "0003_memos.sql"},           {4, "0004_scale.sql"},
    {5, "0005_lists.sql"},     {6, "0006_deposits.sql"},        {7, "0007_posting.sql"},
    {8, "0008_balances.sql"},  {9, "0009_period_balances.sql"},
};

/* ---- statements ------------------------------------------------------------------------- */

static size_t slot_hash(const char *sql, size_t cap)
{
    uintptr_t p = (uintptr_t)sql;
    p ^= p >> 17;
    p *= 0x9E3779B97F4A7C15u;
    return (size_t)(p >> 7) & (cap - 1);
}

static void slots_grow(struct book *b)
{
    size_t ncap = b->capslots ? b->capslots * 2 : 256;
    struct stmt_slot *ns = xcalloc(ncap, sizeof *ns);
    for (size_t i = 0; i < b->capslots; i++) {
        if (!b->slots[i].sql)
            continue;
        size_t h = slot_hash(b->slots[i].sql, ncap);
        while (ns[h].sql)
            h = (h + 1) & (ncap - 1);
        ns[h] = b->slots[i];
    }
    free(b->slots);
    b->slots = ns;
    b->capslots = ncap;
}

/* Our SQL is fixed text: failing to prepare it is a bug, not a user error. */
static sqlite3_stmt *prepare_or_abort(struct book *b, const char *sql)
{
    sqlite3_stmt *st = NULL;
    if (sqlite3_prepare_v3(b->db, sql, -1, SQLITE_PREPARE_PERSISTENT, &st, NULL) != SQLITE_OK) {
        fprintf(stderr, "ratable: cannot prepare SQL (%s):\n%s\n", sqlite3_errmsg(b->db), sql);
        abort();
    }
    return st;
}

sqlite3_stmt *db_prepare_owned(struct book *b, const char *sql)
{
    return prepare_or_abort(b, sql);
}

sqlite3_stmt *db_prepare(struct book *b, const char *sql)
{
    if (b->nslots * 2 >= b->capslots)
        slots_grow(b);
    size_t h = slot_hash(sql, b->capslots);
    while (b->slots[h].sql && b->slots[h].sql != sql)
        h = (h + 1) & (b->capslots - 1);
    if (b->slots[h].sql) {
        sqlite3_stmt *st = b->slots[h].st;
        sqlite3_reset(st);
        sqlite3_clear_bindings(st);
        return st;
    }
    sqlite3_stmt *st = prepare_or_abort(b, sql);
    b->slots[h].sql = sql;
    b->slots[h].st = st;
    b->nslots++;
    return st;
}

static int param(sqlite3_stmt *st, const char *name)
{
    int i = sqlite3_bind_parameter_index(st, name);
    if (i <= 0) {
        fprintf(stderr, "ratable: no parameter %s in:\n%s\n", name, sqlite3_sql(st));
        abort();
    }
    return i;
}

void db_bind_int(sqlite3_stmt *st, const char *name, int64_t v)
{
    sqlite3_bind_int64(st, param(st, name), v);
}

void db_bind_money(sqlite3_stmt *st, const char *name, struct money v)
{
    sqlite3_bind_int64(st, param(st, name), v.minor);
}

void db_bind_text(sqlite3_stmt *st, const char *name, const char *v)
{
    if (v)
        sqlite3_bind_text(st, param(st, name), v, -1, SQLITE_TRANSIENT);
    else
        sqlite3_bind_null(st, param(st, name));
}

void db_bind_date(sqlite3_stmt *st, const char *name, int32_t date)
{
    if (date == DATE_NONE) {
        sqlite3_bind_null(st, param(st, name));
        return;
    }
    char buf[DATE_BUF];
    sqlite3_bind_text(st, param(st, name), date_format(date, buf, sizeof buf), -1,
                      SQLITE_TRANSIENT);
}

void db_bind_null(sqlite3_stmt *st, const char *name)
{
    sqlite3_bind_null(st, param(st, name));
}

void db_bind_top(sqlite3_stmt *st, const char *name)
{
    static const unsigned char top[] = {0xFF};
    sqlite3_bind_blob(st, param(st, name), top, sizeof top, SQLITE_STATIC);
}

/* Turns an SQLite failure into a user-facing error. */
static int db_error(struct book *b, int rc, struct err *e)
{
    const char *msg = sqlite3_errmsg(b->db);
    int base = rc & 0xff;
    if (base == SQLITE_BUSY || base == SQLITE_LOCKED)
        return err_set(e, ERR_BUSY,
                       "the book is busy: another ratable is writing to it; try again in a moment");
    if (base == SQLITE_CONSTRAINT) {
        if (rc == SQLITE_CONSTRAINT_UNIQUE || rc == SQLITE_CONSTRAINT_PRIMARYKEY)
            return err_set(e, ERR_EXISTS, "already exists (%s)", msg);
        if (rc == SQLITE_CONSTRAINT_TRIGGER)
            return err_set(e, strstr(msg, "closed") ? ERR_LOCKED : ERR_RULE, "%s", msg);
        return err_set(e, ERR_RULE, "refused by the book (%s)", msg);
    }
    if (base == SQLITE_INTERRUPT)
        return err_set(e, ERR_CANCELLED, "cancelled; nothing was written");
    if (base == SQLITE_FULL)
        return err_set(e, ERR_IO, "the disk is full; nothing was written");
    if (base == SQLITE_READONLY)
        return err_set(e, ERR_IO, "the book is read-only");
    return err_set(e, ERR_DB, "database error: %s", msg);
}

int db_step(struct book *b, sqlite3_stmt *st, struct err *e)
{
    int rc = sqlite3_step(st);
    if (rc == SQLITE_ROW || rc == SQLITE_DONE)
        return rc;
    db_error(b, sqlite3_extended_errcode(b->db), e);
    sqlite3_reset(st);
    return -1;
}

int db_exec(struct book *b, sqlite3_stmt *st, struct err *e)
{
    int rc;
    while ((rc = db_step(b, st, e)) == SQLITE_ROW)
        ;
    if (rc < 0)
        return e->code;
    sqlite3_reset(st);
    return ERR_OK;
}

int db_count(struct book *b, sqlite3_stmt *st, struct id_slice *s, struct err *e)
{
    db_bind_int(st, ":from", s->from);
    db_bind_int(st, ":to", s->to);
    if (db_step(b, st, e) < 0)
        return e->code;
    s->count = (size_t)db_col_int(st, 0);
    s->last = db_col_int(st, 1);
    sqlite3_reset(st);
    return ERR_OK;
}

int db_exec_script(struct book *b, const char *sql, struct err *e)
{
    char *msg = NULL;
    int rc = sqlite3_exec(b->db, sql, NULL, NULL, &msg);
    if (rc != SQLITE_OK) {
        int code = db_error(b, sqlite3_extended_errcode(b->db), e);
        if (msg)
            err_set(e, code, "%s", msg);
        sqlite3_free(msg);
        return code;
    }
    return ERR_OK;
}

int64_t db_col_int(sqlite3_stmt *st, int col)
{
    return sqlite3_column_int64(st, col);
}

struct money db_col_money(sqlite3_stmt *st, int col)
{
    return money_of(sqlite3_column_int64(st, col));
}

const char *db_col_text(sqlite3_stmt *st, int col)
{
    const unsigned char *t = sqlite3_column_text(st, col);
    return t ? (const char *)t : "";
}

void db_col_copy(sqlite3_stmt *st, int col, char *buf, size_t size)
{
    /* A text longer than the buffer is cut before a whole character, never inside one, so the
     * copy is still valid UTF-8. Fields that must survive whole are validated against their
     * buffer when written, or read into owned strings. */
    const char *t = db_col_text(st, col);
    size_t n = strlen(t);
    if (n >= size) {
        n = size - 1;
        while (n > 0 && ((unsigned char)t[n] & 0xC0) == 0x80)
            n--;
    }
    memcpy(buf, t, n);
    buf[n] = '\0';
}

int32_t db_col_date(sqlite3_stmt *st, int col)
{
    if (sqlite3_column_type(st, col) == SQLITE_NULL)
        return DATE_NONE;
    int32_t d;
    struct err e;
    if (date_parse(db_col_text(st, col), &d, &e) != ERR_OK)
        return DATE_NONE; /* the schema's CHECK makes this unreachable */
    return d;
}

int db_col_is_null(sqlite3_stmt *st, int col)
{
    return sqlite3_column_type(st, col) == SQLITE_NULL;
}

int64_t db_last_id(struct book *b)
{
    return sqlite3_last_insert_rowid(b->db);
}

int db_changes(struct book *b)
{
    return sqlite3_changes(b->db);
}

/* ---- change log ------------------------------------------------------------------------- */

static const struct {
    const char *entity;
    const char *sql;
} snapshot_sql[] = {
    {"customer", "SELECT doc FROM json_customer WHERE id = :id"},
    {"invoice", "SELECT doc FROM json_invoice WHERE id = :id"},
    {"payment", "SELECT doc FROM json_payment WHERE id = :id"},
    {"credit_grant", "SELECT doc FROM json_credit_grant WHERE id = :id"},
    {"credit_note", "SELECT doc FROM json_credit_note WHERE id = :id"},
    {"book", "SELECT doc FROM json_book WHERE id = :id"},
    {"contract", "SELECT doc FROM json_contract WHERE id = :id"},
    {"obligation", "SELECT doc FROM json_obligation WHERE id = :id"},
    {"memo", "SELECT doc FROM json_memo WHERE id = :id"},
};

char *db_snapshot(struct book *b, const char *entity, int64_t id)
{
    for (size_t i = 0; i < sizeof snapshot_sql / sizeof snapshot_sql[0]; i++) {
        if (strcmp(snapshot_sql[i].entity, entity) != 0)
            continue;
        sqlite3_stmt *st = db_prepare(b, snapshot_sql[i].sql);
        db_bind_int(st, ":id", id);
        char *doc = NULL;
        if (sqlite3_step(st) == SQLITE_ROW)
            doc = xstrdup(db_col_text(st, 0));
        sqlite3_reset(st);
        return doc;
    }
    assert(!"no JSON view for this entity");
    return NULL;
}

/* ---- the hash chain ---------------------------------------------------------------------- */

#define CHAIN_GENESIS "0000000000000000000000000000000000000000000000000000000000000000"

struct log_fields {
    int64_t id;
    const char *at, *user, *action, *entity;
    int64_t entity_id; /* 0: none */
    const char *before, *after;
    int refused;
    const char *detail, *prev;
};

static void digest_field(EVP_MD_CTX *c, const char *s)
{
    if (!s) {
        EVP_DigestUpdate(c, "-;", 2);
        return;
    }
    char len[32];
    int n = snprintf(len, sizeof len, "%zu:", strlen(s));
    EVP_DigestUpdate(c, len, (size_t)n);
    EVP_DigestUpdate(c, s, strlen(s));
    EVP_DigestUpdate(c, ";", 1);
}

/* SHA-256 of a change log row: every field length-prefixed (NULL distinct from empty), then the
 * hash of the row before. Hex in out[65]. */
static void chain_hash(const struct log_fields *f, char out[65])
{
    char num[32];
    EVP_MD_CTX *c = EVP_MD_CTX_new();
    assert(c);
    EVP_DigestInit_ex(c, EVP_sha256(), NULL);
    snprintf(num, sizeof num, "%lld", (long long)f->id);
    digest_field(c, num);
    digest_field(c, f->at);
    digest_field(c, f->user);
    digest_field(c, f->action);
    digest_field(c, f->entity);
    snprintf(num, sizeof num, "%lld", (long long)f->entity_id);
    digest_field(c, f->entity_id > 0 ? num : NULL);
    digest_field(c, f->before);
    digest_field(c, f->after);
    digest_field(c, f->refused ? "1" : "0");
    digest_field(c, f->detail);
    digest_field(c, f->prev);
    unsigned char md[EVP_MAX_MD_SIZE];
    unsigned int n = 0;
    EVP_DigestFinal_ex(c, md, &n);
    EVP_MD_CTX_free(c);
    for (unsigned int i = 0; i < n && i < 32; i++)
        snprintf(out + 2 * i, 3, "%02x", md[i]);
    out[64] = '\0';
}

static int log_row(struct book *b, const char *action, const char *entity, int64_t id,
                   const char *before, const char *after, const char *detail, int refused,
                   struct err *e)
{
    char at[32];
    book_timestamp(b, at, sizeof at);
    if (!b->chained) {
        /* A book being migrated, before its change log has the chain's columns. */
        sqlite3_stmt *st = db_prepare(b, "INSERT INTO change_log (at, user, action, entity,"
                                         " entity_id, before, after, refused, detail) VALUES (:at,"
                                         " :user, :action, :entity, :id, :before, :after, :refused,"
                                         " :detail)");
        db_bind_text(st, ":at", at);
        db_bind_text(st, ":user", b->user);
        db_bind_text(st, ":action", action);
        db_bind_text(st, ":entity", entity);
        if (id > 0)
            db_bind_int(st, ":id", id);
        db_bind_text(st, ":before", before);
        db_bind_text(st, ":after", after);
        db_bind_int(st, ":refused", refused);
        db_bind_text(st, ":detail", detail);
        return db_exec(b, st, e);
    }
    sqlite3_stmt *st = db_prepare(b, "SELECT coalesce(max(id), 0) + 1, (SELECT hash FROM change_log"
                                     " ORDER BY id DESC LIMIT 1) FROM change_log");
    if (db_step(b, st, e) < 0)
        return e->code;
    struct log_fields f = {.id = db_col_int(st, 0),
                           .at = at,
                           .user = b->user,
                           .action = action,
                           .entity = entity,
                           .entity_id = id,
                           .before = before,
                           .after = after,
                           .refused = refused,
                           .detail = detail};
    char prev[65];
    snprintf(prev, sizeof prev, "%s", db_col_is_null(st, 1) ? CHAIN_GENESIS : db_col_text(st, 1));
    sqlite3_reset(st);
    f.prev = prev;
    char hash[65];
    chain_hash(&f, hash);
    st =
        db_prepare(b, "INSERT INTO change_log (id, at, user, action, entity, entity_id, before,"
                      " after, refused, detail, prev_hash, hash) VALUES (:rid, :at, :user, :action,"
                      " :entity, :id, :before, :after, :refused, :detail, :prev, :hash)");
    db_bind_int(st, ":rid", f.id);
    db_bind_text(st, ":at", at);
    db_bind_text(st, ":user", b->user);
    db_bind_text(st, ":action", action);
    db_bind_text(st, ":entity", entity);
    if (id > 0)
        db_bind_int(st, ":id", id);
    db_bind_text(st, ":before", before);
    db_bind_text(st, ":after", after);
    db_bind_int(st, ":refused", refused);
    db_bind_text(st, ":detail", detail);
    db_bind_text(st, ":prev", prev);
    db_bind_text(st, ":hash", hash);
    return db_exec(b, st, e);
}

/* Walks the change log in order: verifies each row (verify) or sets the hash of rows written
 * before the chain existed (fill). */
static int chain_walk(struct book *b, bool fill, struct chain_status *out, struct err *e)
{
    memset(out, 0, sizeof *out);
    snprintf(out->head, sizeof out->head, "%s", CHAIN_GENESIS);
    sqlite3_stmt *st = db_prepare(b, "SELECT id, at, user, action, entity, coalesce(entity_id, 0),"
                                     " before, after, refused, detail, prev_hash, hash FROM"
                                     " change_log ORDER BY id");
    int step;
    char prev[65] = CHAIN_GENESIS;
    while ((step = db_step(b, st, e)) == SQLITE_ROW) {
#define TXT(i) (db_col_is_null(st, i) ? NULL : db_col_text(st, i))
        struct log_fields f = {.id = db_col_int(st, 0),
                               .at = TXT(1),
                               .user = TXT(2),
                               .action = TXT(3),
                               .entity = TXT(4),
                               .entity_id = db_col_int(st, 5),
                               .before = TXT(6),
                               .after = TXT(7),
                               .refused = (int)db_col_int(st, 8),
                               .detail = TXT(9),
                               .prev = prev};
        const char *stored_prev = TXT(10), *stored = TXT(11);
#undef TXT
        char hash[65];
        chain_hash(&f, hash);
        out->rows++;
        if (fill && !stored) {
            sqlite3_stmt *up = db_prepare(b, "UPDATE change_log SET prev_hash = :p, hash = :h WHERE"
                                             " id = :id AND hash IS NULL");
            db_bind_text(up, ":p", prev);
            db_bind_text(up, ":h", hash);
            db_bind_int(up, ":id", f.id);
            if (db_exec(b, up, e) != ERR_OK) {
                sqlite3_reset(st);
                return e->code;
            }
            out->filled++;
        } else if (!out->broken_id && (!stored || !stored_prev || strcmp(stored_prev, prev) != 0 ||
                                       strcmp(stored, hash) != 0)) {
            out->broken_id = f.id;
            snprintf(out->reason, sizeof out->reason, "%s",
                     !stored ? "has no hash"
                     : !stored_prev || strcmp(stored_prev, prev) != 0
                         ? "does not follow the row before it (a row was removed or inserted)"
                         : "was changed after it was written (its content no longer matches its"
                           " hash)");
        }
        snprintf(prev, sizeof prev, "%s", stored && !fill ? stored : hash);
    }
    snprintf(out->head, sizeof out->head, "%s", prev);
    return step < 0 ? e->code : ERR_OK;
}

int book_chain_verify(struct book *b, struct chain_status *out, struct err *e)
{
    /* Verifying reads and hashes the whole log, and the audit pack asks three times (the cover,
     * the change log, the checks). The answer stands while nothing has written to the book:
     * neither this connection (its count of changed rows) nor another (data_version). */
    sqlite3_stmt *st = db_prepare(b, "PRAGMA data_version");
    if (db_step(b, st, e) < 0)
        return e->code;
    int64_t version = db_col_int(st, 0);
    sqlite3_reset(st);
    int64_t changes = sqlite3_total_changes64(b->db);
    if (b->chain_known && b->chain_version == version && b->chain_changes == changes) {
        *out = b->chain;
        return ERR_OK;
    }
    int rc = chain_walk(b, false, out, e);
    b->chain_known = rc == ERR_OK;
    if (rc == ERR_OK) {
        b->chain = *out;
        b->chain_version = version;
        b->chain_changes = changes;
    }
    return rc;
}

void db_reset_all(struct book *b)
{
    for (size_t i = 0; i < b->capslots; i++)
        if (b->slots[i].sql)
            sqlite3_reset(b->slots[i].st);
}

int book_chain_head(struct book *b, char head[65], struct err *e)
{
    head[0] = '\0';
    sqlite3_stmt *st = db_prepare(b, "SELECT coalesce(hash, '') FROM change_log ORDER BY id DESC"
                                     " LIMIT 1");
    int step = db_step(b, st, e);
    if (step < 0)
        return e->code;
    if (step == SQLITE_ROW)
        db_col_copy(st, 0, head, 65);
    return ERR_OK;
}

/* Chains the rows a book older than the chain wrote, once, when this program first opens it. */
static int chain_fill(struct book *b, struct err *e)
{
    sqlite3_stmt *st = db_prepare(b, "SELECT EXISTS (SELECT 1 FROM change_log WHERE hash IS NULL)");
    if (db_step(b, st, e) < 0)
        return e->code;
    bool any = db_col_int(st, 0) != 0;
    sqlite3_reset(st);
    if (!any)
        return ERR_OK;
    int rc = book_begin(b, e);
    struct chain_status cs;
    if (rc == ERR_OK && (rc = chain_walk(b, true, &cs, e)) == ERR_OK)
        return book_commit(b, e);
    if (b->depth > 0)
        book_rollback(b);
    return rc;
}

int db_log_refused(struct book *b, const char *action, const char *detail, struct err *e)
{
    int rc = book_begin(b, e);
    if (rc != ERR_OK)
        return rc;
    if ((rc = log_row(b, action, "refused", 0, NULL, NULL, detail, 1, e)) != ERR_OK) {
        book_rollback(b);
        return rc;
    }
    return book_commit(b, e);
}

int db_log(struct book *b, const char *action, const char *entity, int64_t id, const char *before,
           struct err *e)
{
    char *after = db_snapshot(b, entity, id);
    int rc = log_row(b, action, entity, id, before, after, NULL, 0, e);
    free(after);
    return rc;
}

int db_log_note(struct book *b, const char *action, const char *entity, const char *detail,
                struct err *e)
{
    return log_row(b, action, entity, 0, NULL, NULL, detail, 0, e);
}

/* ---- lookups ---------------------------------------------------------------------------- */

int db_currency_exponent(struct book *b, const char *code)
{
    sqlite3_stmt *st = db_prepare(b, "SELECT exponent FROM currencies WHERE code = :code");
    db_bind_text(st, ":code", code);
    int exp = -1;
    if (sqlite3_step(st) == SQLITE_ROW)
        exp = (int)db_col_int(st, 0);
    sqlite3_reset(st);
    return exp;
}

static void load_roles(struct book *b)
{
    sqlite3_stmt *st = db_prepare(b, "SELECT role, code FROM accounts ORDER BY role");
    b->nroles = 0;
    while (sqlite3_step(st) == SQLITE_ROW &&
           b->nroles < (int)(sizeof b->roles / sizeof b->roles[0])) {
        db_col_copy(st, 0, b->roles[b->nroles].role, sizeof b->roles[0].role);
        db_col_copy(st, 1, b->roles[b->nroles].code, sizeof b->roles[0].code);
        b->nroles++;
    }
    sqlite3_reset(st);
}

const char *db_account(struct book *b, const char *role)
{
    for (int i = 0; i < b->nroles; i++)
        if (strcmp(b->roles[i].role, role) == 0)
            return b->roles[i].code;
    assert(!"the chart of accounts lacks a role");
    return "";
}

/* ---- transactions ----------------------------------------------------------------------- */

static int run(struct book *b, const char *sql, struct err *e)
{
    int rc = sqlite3_exec(b->db, sql, NULL, NULL, NULL);
    if (rc != SQLITE_OK)
        return db_error(b, sqlite3_extended_errcode(b->db), e);
    return ERR_OK;
}

int book_begin(struct book *b, struct err *e)
{
    assert(!b->read_only);
    char sql[64];
    if (b->depth == 0)
        snprintf(sql, sizeof sql, "BEGIN IMMEDIATE");
    else
        snprintf(sql, sizeof sql, "SAVEPOINT sp%d", b->depth);
    int rc = run(b, sql, e);
    if (rc == ERR_OK)
        b->depth++;
    return rc;
}

int book_commit(struct book *b, struct err *e)
{
    assert(b->depth > 0);
    char sql[64];
    /* A cached statement left on a row keeps a read open after the commit, and with a reader
     * open the WAL cannot be checkpointed: over a long run (a generated book, a session in the
     * workstation) it grows without end and every read searches it. None is still needed. */
    if (b->depth == 1)
        db_reset_all(b);
    if (b->depth == 1)
        snprintf(sql, sizeof sql, "COMMIT");
    else
        snprintf(sql, sizeof sql, "RELEASE sp%d", b->depth - 1);
    int rc = run(b, sql, e);
    if (rc != ERR_OK) {
        /* A failed COMMIT (a deferred constraint, a full disk) leaves the transaction open:
         * undo it, so nothing is half-written. */
        book_rollback(b);
        return rc;
    }
    b->depth--;
    return ERR_OK;
}

void book_rollback(struct book *b)
{
    assert(b->depth > 0);
    char sql[96];
    if (b->depth == 1)
        snprintf(sql, sizeof sql, "ROLLBACK");
    else
        snprintf(sql, sizeof sql, "ROLLBACK TO sp%d; RELEASE sp%d", b->depth - 1, b->depth - 1);
    sqlite3_exec(b->db, sql, NULL, NULL, NULL);
    b->depth--;
}

bool book_in_transaction(const struct book *b)
{
    return b->depth > 0 || b->read_only;
}

int book_begin_read(struct book *b, struct err *e)
{
    assert(b->depth == 0 && !b->read_only);
    int rc = run(b, "BEGIN DEFERRED", e);
    if (rc == ERR_OK)
        b->read_only = true;
    return rc;
}

void book_end_read(struct book *b)
{
    assert(b->read_only);
    sqlite3_exec(b->db, "COMMIT", NULL, NULL, NULL);
    b->read_only = false;
}

/* ---- open, create, migrate -------------------------------------------------------------- */

/* SQLite calls this every few thousand steps of a statement: a long query (a report over the
 * whole book) can then be cancelled too, not only between the rows a loop writes. */
static int progress_handler(void *arg)
{
    struct book *b = arg;
    return progress_tick(b->progress, NULL, 0, 0);
}

void book_set_progress(struct book *b, const struct progress *p)
{
    b->progress = p;
    sqlite3_progress_handler(b->db, p ? 20000 : 0, p ? progress_handler : NULL, b);
}

bool book_progress(struct book *b, const char *what, uint64_t done, uint64_t total)
{
    return progress_tick(b->progress, what, done, total);
}

void book_set_user(struct book *b, const char *user)
{
    free(b->user);
    b->user = xstrdup(user && *user ? user : "unknown");
}

const char *book_user(const struct book *b)
{
    return b->user;
}

const char *book_path(const struct book *b)
{
    return b->path;
}

char *book_timestamp(const struct book *b, char *buf, int size)
{
    time_t t = (time_t)(b->clock ? b->clock() : 0);
    struct tm tm;
    gmtime_r(&t, &tm);
    strftime(buf, (size_t)size, "%Y-%m-%dT%H:%M:%SZ", &tm);
    return buf;
}

int64_t book_data_version(struct book *b)
{
    sqlite3_stmt *st = db_prepare(b, "PRAGMA data_version");
    int64_t v = sqlite3_step(st) == SQLITE_ROW ? db_col_int(st, 0) : -1;
    sqlite3_reset(st);
    return v;
}

/* SQLITE_TRACE_STMT when a statement starts, SQLITE_TRACE_PROFILE when it ends (p is the
 * statement; x its time by SQLite, in nanoseconds). */
static int on_trace(unsigned type, void *ctx, void *p, void *x)
{
    struct book *b = ctx;
    struct timespec now;
    clock_gettime(CLOCK_MONOTONIC, &now);
    int free_slot = -1;
    int64_t ns = type == SQLITE_TRACE_PROFILE ? (int64_t) * (sqlite3_int64 *)x : 0;
    for (int i = 0; i < TRACE_RUNNING; i++) {
        if (b->running[i].stmt == p) {
            if (type == SQLITE_TRACE_STMT)
                return 0; /* a trigger of a statement already running */
            ns = (int64_t)(now.tv_sec - b->running[i].at.tv_sec) * 1000000000 +
                 (now.tv_nsec - b->running[i].at.tv_nsec);
            b->running[i].stmt = NULL;
            break;
        }
        if (!b->running[i].stmt && free_slot < 0)
            free_slot = i;
    }
    if (type == SQLITE_TRACE_STMT) {
        if (free_slot >= 0) {
            b->running[free_slot].stmt = p;
            b->running[free_slot].at = now;
        }
        return 0;
    }
    b->slowest.statements++;
    if (ns >= b->slowest.ns) {
        b->slowest.ns = ns;
        const char *sql = sqlite3_sql((sqlite3_stmt *)p);
        snprintf(b->slowest.sql, sizeof b->slowest.sql, "%s", sql ? sql : "");
    }
    return 0;
}

void book_trace(struct book *b, bool on)
{
    memset(&b->slowest, 0, sizeof b->slowest);
    memset(b->running, 0, sizeof b->running);
    sqlite3_trace_v2(b->db, on ? SQLITE_TRACE_STMT | SQLITE_TRACE_PROFILE : 0, on ? on_trace : NULL,
                     b);
}

void book_trace_take(struct book *b, struct book_slowest *out)
{
    *out = b->slowest;
    memset(&b->slowest, 0, sizeof b->slowest);
}

int book_version(struct book *b)
{
    sqlite3_stmt *st = db_prepare(b, "PRAGMA user_version");
    int v = sqlite3_step(st) == SQLITE_ROW ? (int)db_col_int(st, 0) : -1;
    sqlite3_reset(st);
    return v;
}

static int pragma_int(struct book *b, const char *sql)
{
    sqlite3_stmt *st = NULL;
    int v = -1;
    if (sqlite3_prepare_v2(b->db, sql, -1, &st, NULL) == SQLITE_OK &&
        sqlite3_step(st) == SQLITE_ROW)
        v = sqlite3_column_int(st, 0);
    sqlite3_finalize(st);
    return v;
}

int book_settings_get(struct book *b, struct book_settings *out, struct err *e)
{
    sqlite3_stmt *st =
        db_prepare(b, "SELECT company, base_currency, user, revision FROM book WHERE id = 1");
    int rc = db_step(b, st, e);
    if (rc < 0)
        return e->code;
    if (rc != SQLITE_ROW)
        return err_set(e, ERR_BOOK, "the book has no settings row");
    db_col_copy(st, 0, out->company, sizeof out->company);
    db_col_copy(st, 1, out->base_currency, sizeof out->base_currency);
    db_col_copy(st, 2, out->user, sizeof out->user);
    out->revision = db_col_int(st, 3);
    sqlite3_reset(st);
    return ERR_OK;
}

static struct book *book_alloc(const char *path, int64_t (*clock)(void))
{
    struct book *b = xcalloc(1, sizeof *b);
    b->path = xstrdup(path);
    b->clock = clock;
    b->user = xstrdup("unknown");
    return b;
}

void book_close(struct book *b)
{
    if (!b)
        return;
    for (size_t i = 0; i < b->capslots; i++)
        if (b->slots[i].st)
            sqlite3_finalize(b->slots[i].st);
    free(b->slots);
    if (b->db)
        sqlite3_close(b->db);
    free(b->path);
    free(b->user);
    free(b);
}

/* A book's connection is only ever used by one thread at a time (a second connection, opened
 * with book_open_again, is handed to another thread and given back when it has finished), so
 * SQLite need not take a lock around every call (a tenth of the time of a run of many small
 * statements). book_interrupt is the one call made from another thread, and SQLite allows it. */
#define BOOK_OPEN_FLAGS (SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOFOLLOW | SQLITE_OPEN_NOMUTEX)

static void limit_heap(void)
{
    sqlite3_soft_heap_limit64(DB_HEAP_LIMIT);
}

/* What every connection needs, whatever opened it. */
static int configure(struct book *b, bool memory, struct err *e)
{
    static pthread_once_t heap_once = PTHREAD_ONCE_INIT;
    pthread_once(&heap_once, limit_heap);
    sqlite3_busy_timeout(b->db, BUSY_TIMEOUT_MS);
    sqlite3_extended_result_codes(b->db, 1);
    int rc = run(b, "PRAGMA foreign_keys = ON", e);
    if (rc != ERR_OK)
        return rc;
    if (!memory) {
        rc = run(b, "PRAGMA journal_mode = WAL; PRAGMA synchronous = FULL", e);
        if (rc != ERR_OK)
            return rc;
    }
    return ERR_OK;
}

static int create_schema(struct book *b, const struct book_init *init, struct err *e)
{
    b->chained = true;
    if (!init->company || !*init->company)
        return err_set(e, ERR_INPUT, "--company: is empty");
    int rc = book_begin(b, e);
    if (rc != ERR_OK)
        return rc;
    if ((rc = db_exec_script(b, embedded_get("schema.sql"), e)) != ERR_OK ||
        (rc = db_exec_script(b, embedded_get("currencies.sql"), e)) != ERR_OK ||
        (rc = db_exec_script(b, embedded_get("seed.sql"), e)) != ERR_OK)
        goto fail;
    if (db_currency_exponent(b, init->currency) < 0) {
        rc = err_set(e, ERR_INPUT, "--currency: '%s' is not an ISO 4217 currency ratable knows",
                     init->currency);
        goto fail;
    }
    char at[32];
    sqlite3_stmt *st =
        db_prepare(b, "INSERT INTO book (id, company, base_currency, user, created_at)"
                      " VALUES (1, :company, :currency, :user, :at)");
    db_bind_text(st, ":company", init->company);
    db_bind_text(st, ":currency", init->currency);
    db_bind_text(st, ":user", init->user && *init->user ? init->user : "unknown");
    db_bind_text(st, ":at", book_timestamp(b, at, sizeof at));
    if ((rc = db_exec(b, st, e)) != ERR_OK)
        goto fail;
    char pragmas[128];
    snprintf(pragmas, sizeof pragmas, "PRAGMA application_id = %d; PRAGMA user_version = %d",
             BOOK_APPLICATION_ID, BOOK_VERSION);
    if ((rc = run(b, pragmas, e)) != ERR_OK)
        goto fail;
    if ((rc = db_log(b, "book.init", "book", 1, NULL, e)) != ERR_OK)
        goto fail;
    rc = book_commit(b, e);
    if (rc == ERR_OK)
        load_roles(b);
    return rc;
fail:
    book_rollback(b);
    return rc;
}

static int refuse_network_fs(const char *path, struct err *e);

int book_create(const char *path, const struct book_init *init, int64_t (*clock)(void),
                struct book **out, struct err *e)
{
    *out = NULL;
    /* Create the file ourselves so it is 0600 from the first byte; SQLite gives the -wal and
     * -shm files the same mode. O_EXCL refuses to overwrite anything. */
    if (refuse_network_fs(path, e) != ERR_OK)
        return e->code;
    int fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
    if (fd < 0) {
        if (errno == EEXIST)
            return err_set(e, ERR_EXISTS, "%s already exists; a book is never overwritten", path);
        return err_set(e, ERR_IO, "cannot create %s: %s", path, strerror(errno));
    }
    close(fd);
    struct book *b = book_alloc(path, clock);
    book_set_user(b, init->user);
    int rc = sqlite3_open_v2(path, &b->db, BOOK_OPEN_FLAGS, NULL);
    if (rc != SQLITE_OK) {
        err_set(e, ERR_IO, "cannot open %s: %s", path, b->db ? sqlite3_errmsg(b->db) : "no memory");
        goto fail;
    }
    if (configure(b, false, e) != ERR_OK || create_schema(b, init, e) != ERR_OK)
        goto fail;
    *out = b;
    return ERR_OK;
fail:
    book_close(b);
    unlink(path);
    return e->code;
}

int book_open_memory(const struct book_init *init, int64_t (*clock)(void), struct book **out,
                     struct err *e)
{
    struct book *b = book_alloc(":memory:", clock);
    book_set_user(b, init->user);
    if (sqlite3_open_v2(":memory:", &b->db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, NULL) !=
            SQLITE_OK ||
        configure(b, true, e) != ERR_OK || create_schema(b, init, e) != ERR_OK) {
        if (e->code == ERR_OK)
            err_set(e, ERR_DB, "cannot open an in-memory book");
        book_close(b);
        return e->code;
    }
    *out = b;
    return ERR_OK;
}

int book_open_again(struct book *b, struct book **out, struct err *e)
{
    *out = NULL;
    if (strcmp(b->path, ":memory:") == 0)
        return err_set(e, ERR_BOOK, "an in-memory book cannot be opened twice");
    int rc = book_open(b->path, b->clock, out, e);
    if (rc == ERR_OK)
        book_set_user(*out, b->user);
    return rc;
}

void book_interrupt(struct book *b)
{
    sqlite3_interrupt(b->db);
}

/* Refuses anything that is not an SQLite file before SQLite is asked to open it. */
const char *book_network_fs(unsigned long f_type)
{
    static const struct {
        unsigned long magic;
        const char *name;
    } nets[] = {
        {0x6969UL, "NFS"},      {0x517BUL, "SMB"},        {0xFF534D42UL, "CIFS"},
        {0xFE534D42UL, "SMB2"}, {0x73757245UL, "Coda"},   {0x5346414FUL, "AFS"},
        {0x01021997UL, "9P"},   {0x00C36400UL, "Ceph"},   {0x564CUL, "NCP"},
        {0x47504653UL, "GPFS"}, {0x0BD00BD0UL, "Lustre"}, {0x013111A8UL, "IBRIX"},
    };
    for (size_t i = 0; i < sizeof nets / sizeof nets[0]; i++)
        if (nets[i].magic == (f_type & 0xFFFFFFFFUL))
            return nets[i].name;
    return NULL;
}

/* SQLite's locking is unreliable on network filesystems: two people on one book there could
 * corrupt it, so a book is kept on a local disk. */
static int refuse_network_fs(const char *path, struct err *e)
{
    char *dir = xstrdup(path);
    char *slash = strrchr(dir, '/');
    if (slash)
        slash[slash == dir ? 1 : 0] = '\0';
    struct statfs fs;
    int rc = ERR_OK;
    if (statfs(slash ? dir : ".", &fs) == 0) {
        const char *net = book_network_fs((unsigned long)fs.f_type);
        if (net)
            rc = err_set(e, ERR_BOOK,
                         "%s is on a network filesystem (%s): SQLite cannot lock a book reliably"
                         " there, so two people could corrupt it; keep the book on a local disk",
                         path, net);
    }
    free(dir);
    return rc;
}

static int check_header(const char *path, struct err *e)
{
    struct stat sb;
    if (stat(path, &sb) != 0) {
        if (errno == ENOENT)
            return err_set(e, ERR_BOOK, "%s: no such book (create one with 'ratable -b %s init')",
                           path, path);
        return err_set(e, ERR_IO, "%s: %s", path, strerror(errno));
    }
    if (!S_ISREG(sb.st_mode))
        return err_set(e, ERR_BOOK, "%s is not a ratable book (not a regular file)", path);
    FILE *f = fopen(path, "rb");
    if (!f)
        return err_set(e, ERR_IO, "cannot read %s: %s", path, strerror(errno));
    char head[16] = {0};
    size_t n = fread(head, 1, sizeof head, f);
    fclose(f);
    if (n < sizeof head || memcmp(head, "SQLite format 3", 16) != 0)
        return err_set(e, ERR_BOOK, "%s is not a ratable book (not an SQLite database)", path);
    return ERR_OK;
}

static int migrate(struct book *b, int from, struct err *e)
{
    for (size_t i = 0; i < sizeof migrations / sizeof migrations[0]; i++) {
        if (migrations[i].version <= from || !migrations[i].file)
            continue;
        int rc = book_begin(b, e);
        if (rc != ERR_OK)
            return rc;
        char pragma[64];
        snprintf(pragma, sizeof pragma, "PRAGMA user_version = %d", migrations[i].version);
        if ((rc = db_exec_script(b, embedded_get(migrations[i].file), e)) != ERR_OK ||
            (rc = run(b, pragma, e)) != ERR_OK) {
            book_rollback(b);
            err_prefix(e, "migrating %s to version %d", b->path, migrations[i].version);
            return rc;
        }
        b->chained = migrations[i].version >= 3;
        char note[64];
        snprintf(note, sizeof note, "migrated to book version %d", migrations[i].version);
        if ((rc = db_log_note(b, "book.migrate", "book", note, e)) != ERR_OK ||
            (rc = book_commit(b, e)) != ERR_OK) {
            if (rc != ERR_OK && b->depth > 0)
                book_rollback(b);
            return rc;
        }
    }
    return ERR_OK;
}

static const char *single_text(sqlite3 *db, const char *sql, char *buf, size_t size)
{
    sqlite3_stmt *st = NULL;
    buf[0] = '\0';
    if (sqlite3_prepare_v2(db, sql, -1, &st, NULL) == SQLITE_OK && sqlite3_step(st) == SQLITE_ROW &&
        sqlite3_column_text(st, 0))
        snprintf(buf, size, "%s", (const char *)sqlite3_column_text(st, 0));
    sqlite3_finalize(st);
    return buf;
}

int book_backup(struct book *b, const char *path, struct err *e)
{
    struct stat sb;
    if (lstat(path, &sb) == 0)
        return err_set(e, ERR_EXISTS, "%s already exists; a backup never overwrites a file", path);
    char *tmp = xasprintf("%s.tmp-%ld", path, (long)getpid());
    int fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
    if (fd < 0) {
        err_set(e, ERR_IO, "cannot create %s: %s", tmp, strerror(errno));
        free(tmp);
        return e->code;
    }
    close(fd);
    sqlite3 *dst = NULL;
    int rc = ERR_OK;
    if (sqlite3_open_v2(tmp, &dst, SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOFOLLOW, NULL) !=
        SQLITE_OK) {
        rc = err_set(e, ERR_IO, "cannot open %s: %s", tmp, dst ? sqlite3_errmsg(dst) : "no memory");
        goto out;
    }
    sqlite3_busy_timeout(dst, BUSY_TIMEOUT_MS);
    sqlite3_backup *bk = sqlite3_backup_init(dst, "main", b->db, "main");
    int step = bk ? sqlite3_backup_step(bk, -1) : SQLITE_ERROR;
    if (bk)
        sqlite3_backup_finish(bk);
    if (step != SQLITE_DONE) {
        rc = err_set(e, step == SQLITE_BUSY || step == SQLITE_LOCKED ? ERR_BUSY : ERR_IO,
                     "backing up to %s: %s", path, sqlite3_errmsg(dst));
        goto out;
    }
    /* Verify the copy before it takes its name. */
    char a[80], want[80];
    if (strcmp(single_text(dst, "PRAGMA integrity_check", a, sizeof a), "ok") != 0) {
        rc = err_set(e, ERR_IO, "the backup %s fails its integrity check: %s", path, a);
        goto out;
    }
    if (strcmp(single_text(dst, "PRAGMA user_version", a, sizeof a),
               single_text(b->db, "PRAGMA user_version", want, sizeof want)) != 0 ||
        strcmp(single_text(dst, "PRAGMA application_id", a, sizeof a),
               single_text(b->db, "PRAGMA application_id", want, sizeof want)) != 0) {
        rc = err_set(e, ERR_IO, "the backup %s is not the same book", path);
        goto out;
    }
    const char *head_sql = b->chained ? "SELECT hash FROM change_log ORDER BY id DESC LIMIT 1"
                                      : "SELECT count(*) FROM change_log";
    if (strcmp(single_text(dst, head_sql, a, sizeof a),
               single_text(b->db, head_sql, want, sizeof want)) != 0) {
        rc =
            err_set(e, ERR_IO, "the backup %s does not end where the book's change log does", path);
        goto out;
    }
    sqlite3_close(dst);
    dst = NULL;
    if (rename(tmp, path) != 0)
        rc = err_set(e, ERR_IO, "cannot name the backup %s: %s", path, strerror(errno));
out:
    if (dst)
        sqlite3_close(dst);
    if (rc != ERR_OK)
        unlink(tmp);
    free(tmp);
    return rc;
}

int book_open(const char *path, int64_t (*clock)(void), struct book **out, struct err *e)
{
    *out = NULL;
    int rc = check_header(path, e);
    if (rc == ERR_OK)
        rc = refuse_network_fs(path, e);
    if (rc != ERR_OK)
        return rc;
    struct book *b = book_alloc(path, clock);
    if (sqlite3_open_v2(path, &b->db, BOOK_OPEN_FLAGS, NULL) != SQLITE_OK) {
        err_set(e, ERR_IO, "cannot open %s: %s", path, b->db ? sqlite3_errmsg(b->db) : "no memory");
        book_close(b);
        return e->code;
    }
    sqlite3_busy_timeout(b->db, BUSY_TIMEOUT_MS);
    int app = pragma_int(b, "PRAGMA application_id");
    if (app != BOOK_APPLICATION_ID) {
        err_set(e, ERR_BOOK, "%s is not a ratable book (an SQLite database of another program)",
                path);
        book_close(b);
        return e->code;
    }
    int version = pragma_int(b, "PRAGMA user_version");
    if (version > BOOK_VERSION) {
        err_set(e, ERR_BOOK,
                "%s was written by a newer ratable (book version %d; this program reads up to "
                "version %d): upgrade ratable to open it",
                path, version, BOOK_VERSION);
        book_close(b);
        return e->code;
    }
    if (version < 1) {
        err_set(e, ERR_BOOK, "%s is not a ratable book (it has no schema version)", path);
        book_close(b);
        return e->code;
    }
    b->chained = version >= 3;
    if (version < BOOK_VERSION) {
        /* A verified copy of the book as it was, before anything changes it. */
        char *copy = xasprintf("%s.v%d.backup", path, version);
        struct stat sb;
        if (stat(copy, &sb) != 0)
            rc = book_backup(b, copy, e);
        free(copy);
        if (rc != ERR_OK) {
            err_prefix(e, "before migrating %s", path);
            book_close(b);
            return rc;
        }
    }
    if ((rc = configure(b, false, e)) != ERR_OK || (rc = migrate(b, version, e)) != ERR_OK ||
        (rc = chain_fill(b, e)) != ERR_OK) {
        book_close(b);
        return rc;
    }
    struct book_settings s;
    if ((rc = book_settings_get(b, &s, e)) != ERR_OK) {
        book_close(b);
        return rc;
    }
    book_set_user(b, s.user);
    load_roles(b);
    *out = b;
    return ERR_OK;
}
