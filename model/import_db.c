/*
 * import_db.c — CSV imports through the same operations the command line uses, inside one
 * transaction, so an import is either wholly written or not at all.
 */
#include "model/import.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "model/contract.h"
#include "model/credit.h"
#include "model/csv.h"
#include "model/customer.h"
#include "model/date.h"
#include "model/invoice.h"
#include "model/payment.h"
#include "model/text.h"
#include "model/xalloc.h"

#define MAX_COLS 16

struct spec {
    const char *names[MAX_COLS]; /* NULL-terminated */
    unsigned required;           /* bit i: names[i] is required */
    const char *unique;          /* a column no two rows may share (NULL: none) */
    bool unique_nocase;          /* ... compared as the book compares it, without case */
};

static const struct spec specs[] = {
    [IMPORT_CUSTOMERS] = {{"code", "name", "currency", "email", "terms", "address"},
                          0x3,
                          "code",
                          true},
    [IMPORT_CREDITS] = {{"customer", "amount", "date", "reason", "expires", "kind"}, 0xF},
    [IMPORT_INVOICES] = {{"customer", "date", "description", "amount", "number", "due", "memo"},
                         0xF},
    [IMPORT_PAYMENTS] = {{"customer", "amount", "date", "invoice", "reference", "number"},
                         0x7,
                         "number",
                         false},
    [IMPORT_CONTRACTS] = {{"code", "customer", "start", "end", "signed", "price", "discount",
                           "payable", "variable", "variable_method", "terms", "trial_end",
                           "billing", "description", "collectibility"},
                          0xF,
                          "code",
                          true},
    [IMPORT_OBLIGATIONS] = {{"contract", "name", "pattern", "ssp", "ssp_method", "evidence",
                             "start", "end", "due", "capable", "distinct", "combined_reason",
                             "range_low", "range_high", "discount_target"},
                            0x7},
    [IMPORT_USAGE] = {{"obligation", "date", "quantity", "amount"}, 0xF},
};

static const char *const kind_names[] = {"customers", "credits",     "invoices", "payments",
                                         "contracts", "obligations", "usage"};

int import_kind_parse(const char *s, enum import_kind *out, struct err *e)
{
    for (int i = 0; i < 7; i++) {
        if (strcmp(s, kind_names[i]) == 0) {
            *out = (enum import_kind)i;
            return ERR_OK;
        }
    }
    return err_set(e, ERR_INPUT,
                   "'%s' is not customers, credits, invoices, payments, contracts, obligations"
                   " or usage",
                   s);
}

struct ctx {
    struct book *b;
    const struct spec *spec;
    int col[MAX_COLS]; /* spec column -> file column (0-based), -1 when absent */
    int ncols;         /* columns in the header */
    struct import_result *out;
};

/* File order: by row; within a row, the errors that name a column first, in column order, and
 * then those about the whole row. A whole-row error is mostly a consequence of one that names a
 * column: "the header has no 'code' column" follows from "unknown column '\uFEFFcode'". */
static bool error_before(const struct import_error *a, const struct import_error *b)
{
    if (a->row != b->row)
        return a->row < b->row;
    if ((a->column == 0) != (b->column == 0))
        return b->column == 0;
    return a->column < b->column;
}

/* Messages quote what the file holds, and a hostile file may hold newlines, terminal escape
 * sequences, broken UTF-8 or text-reordering characters: the message is escaped so that it stays
 * one line that shows those bytes instead of acting on them. */
static void add_error(struct import_result *r, int row, int column, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
static void add_error(struct import_result *r, int row, int column, const char *fmt, ...)
{
    struct import_error x = {.row = row, .column = column};
    char raw[sizeof x.message];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(raw, sizeof raw, fmt, ap);
    va_end(ap);
    text_escape(raw, x.message, sizeof x.message);
    r->problems++;
    if (r->nerrors < IMPORT_ERRORS_MAX) {
        r->errors = xgrow(r->errors, &r->cap, r->nerrors + 1, sizeof *r->errors);
        r->errors[r->nerrors++] = x;
        return;
    }
    /* Full: keep the first ones in file order. x takes the place of the last one kept when it
     * comes before it. */
    size_t last = 0;
    for (size_t i = 1; i < r->nerrors; i++)
        if (error_before(&r->errors[last], &r->errors[i]))
            last = i;
    if (error_before(&x, &r->errors[last]))
        r->errors[last] = x;
}

static int spec_index(const struct spec *s, const char *name)
{
    for (int i = 0; i < MAX_COLS && s->names[i]; i++)
        if (strcmp(s->names[i], name) == 0)
            return i;
    return -1;
}

/* The 1-based file column of a spec column, 0 when absent. */
static int file_col(const struct ctx *c, const char *name)
{
    int i = spec_index(c->spec, name);
    return i >= 0 && c->col[i] >= 0 ? c->col[i] + 1 : 0;
}

/* The value of a column in a record; NULL when the column is absent or the field empty. */
static const char *get(const struct ctx *c, const struct csv_record *rec, const char *name)
{
    int i = spec_index(c->spec, name);
    if (i < 0 || c->col[i] < 0)
        return NULL;
    const char *v = rec->field[c->col[i]];
    return *v ? v : NULL;
}

/* The value of a column that must not be empty; NULL, with the error reported at the column,
 * when it is. Without this an empty reference reads as "no customer ''". */
static const char *required(struct ctx *c, const struct csv_record *rec, const char *name,
                            const char *hint)
{
    const char *v = get(c, rec, name);
    if (!v)
        add_error(c->out, rec->row, file_col(c, name), "%s: is empty (%s)", name, hint);
    return v;
}

/* The model's messages start with the field they are about, spelled as the command line spells
 * it ("trial-end: ..."), or with the document they are about ("contract K1 is active: ...",
 * "obligation K1/1 is a ratable obligation, not usage", "no customer 'X'"). These are the import
 * columns such a name means, tried in order. */
static const struct {
    const char *said;
    const char *columns[2];
} aliases[] = {
    {"trial-end", {"trial_end"}},
    {"variable-method", {"variable_method"}},
    {"combined-reason", {"combined_reason"}},
    {"ssp-evidence", {"evidence"}},
    {"range", {"range_low"}},                 /* the low end is above the high end */
    {"line", {"amount"}},                     /* the lines add up to less than zero */
    {"contract", {"contract", "obligation"}}, /* usage: the obligation's contract */
    {"obligation", {"obligation"}},
};

/* The 1-based file column that a field or document name in a message means, 0 when none. */
static int column_named(const struct ctx *c, const char *name, size_t n)
{
    char word[32];
    if (n == 0 || n >= sizeof word)
        return 0;
    memcpy(word, name, n);
    word[n] = '\0';
    int column = file_col(c, word);
    for (size_t i = 0; !column && i < sizeof aliases / sizeof aliases[0]; i++)
        if (strcmp(aliases[i].said, word) == 0)
            for (int k = 0; !column && k < 2 && aliases[i].columns[k]; k++)
                column = file_col(c, aliases[i].columns[k]);
    return column;
}

/* Reports an operation's error at the column its message names, else at the row. */
static void op_error(struct ctx *c, int row, const struct err *e)
{
    const char *m = e->msg;
    int column = 0;
    const char *colon = strchr(m, ':');
    if (colon)
        column = column_named(c, m, (size_t)(colon - m));
    if (!column && strncmp(m, "no ", 3) == 0) /* "no customer 'X'", "no contract 'X'" */
        column = column_named(c, m + 3, strcspn(m + 3, " :"));
    if (!column)
        column = column_named(c, m, strcspn(m, " :"));
    add_error(c->out, row, column, "%s", m);
}

static bool date_field(struct ctx *c, const struct csv_record *rec, const char *name, int32_t *out)
{
    const char *v = get(c, rec, name);
    struct err e = {0};
    if (!v) {
        *out = DATE_NONE;
        return true;
    }
    if (date_parse(v, out, &e) != ERR_OK) {
        add_error(c->out, rec->row, file_col(c, name), "%s: %s", name, e.msg);
        return false;
    }
    return true;
}

/* A date that must be there: without this check an empty one reached the book as NULL and was
 * refused there, as "NOT NULL constraint failed", at no column. */
static bool required_date(struct ctx *c, const struct csv_record *rec, const char *name,
                          int32_t *out)
{
    if (!get(c, rec, name)) {
        *out = DATE_NONE;
        add_error(c->out, rec->row, file_col(c, name), "%s: is empty (expected a date YYYY-MM-DD)",
                  name);
        return false;
    }
    return date_field(c, rec, name, out);
}

/* The customer's currency exponent, reporting an unknown customer at its column. */
static bool customer_exponent(struct ctx *c, const struct csv_record *rec, int *exponent)
{
    struct customer cu;
    struct err e = {0};
    const char *code = required(c, rec, "customer", "name the customer by its code");
    if (!code)
        return false;
    if (customer_find(c->b, code, &cu, &e) != ERR_OK) {
        add_error(c->out, rec->row, file_col(c, "customer"), "customer: %s", e.msg);
        return false;
    }
    *exponent = cu.exponent;
    customer_clear(&cu);
    return true;
}

static bool amount_field(struct ctx *c, const struct csv_record *rec, const char *name,
                         int exponent, struct money *out)
{
    struct err e = {0};
    const char *v = get(c, rec, name);
    if (money_parse(v ? v : "", exponent, out, &e) != ERR_OK) {
        if (v)
            add_error(c->out, rec->row, file_col(c, name), "%s: '%.40s' %s", name, v, e.msg);
        else
            add_error(c->out, rec->row, file_col(c, name), "%s: %s", name, e.msg);
        return false;
    }
    return true;
}

static void import_customer(struct ctx *c, const struct csv_record *rec)
{
    struct customer_input in = {
        .code = get(c, rec, "code"),
        .name = get(c, rec, "name"),
        .currency = get(c, rec, "currency"),
        .email = get(c, rec, "email"),
        .address = get(c, rec, "address"),
        .terms_days = -1,
    };
    if (!in.code)
        in.code = "";
    if (!in.name)
        in.name = "";
    const char *terms = get(c, rec, "terms");
    if (terms) {
        char *end;
        long v = strtol(terms, &end, 10);
        if (*end || v < 0 || v > 365) {
            add_error(c->out, rec->row, file_col(c, "terms"),
                      "terms: '%.20s' is not a number of days from 0 to 365", terms);
            return;
        }
        in.terms_days = (int)v;
    }
    struct err e = {0};
    enum customer_field field;
    if (customer_validate(&in, &field, &e) != ERR_OK) {
        op_error(c, rec->row, &e);
        return;
    }
    int64_t id;
    if (customer_add(c->b, &in, &id, &e) != ERR_OK)
        op_error(c, rec->row, &e);
    else
        c->out->written++;
}

static void import_credit(struct ctx *c, const struct csv_record *rec)
{
    int exponent;
    if (!customer_exponent(c, rec, &exponent))
        return;
    struct grant_input in = {.customer = get(c, rec, "customer"),
                             .kind = CREDIT_PREPAID,
                             .reason = get(c, rec, "reason")};
    bool good = amount_field(c, rec, "amount", exponent, &in.amount);
    good = required_date(c, rec, "date", &in.granted_on) && good;
    good = date_field(c, rec, "expires", &in.expires_on) && good;
    struct err e = {0};
    if (get(c, rec, "kind") && credit_kind_parse(get(c, rec, "kind"), &in.kind, &e) != ERR_OK) {
        op_error(c, rec->row, &e);
        good = false;
    }
    if (!good)
        return;
    int64_t id;
    if (credit_grant(c->b, &in, &id, &e) != ERR_OK)
        op_error(c, rec->row, &e);
    else
        c->out->written++;
}

static void import_payment(struct ctx *c, const struct csv_record *rec)
{
    int exponent;
    if (!customer_exponent(c, rec, &exponent))
        return;
    struct payment_input in = {.customer = get(c, rec, "customer"),
                               .invoice = get(c, rec, "invoice"),
                               .reference = get(c, rec, "reference"),
                               .number = get(c, rec, "number")};
    bool good = amount_field(c, rec, "amount", exponent, &in.amount);
    good = required_date(c, rec, "date", &in.received_on) && good;
    if (!good)
        return;
    struct err e = {0};
    struct payment_result r;
    if (payment_record(c->b, &in, &r, &e) != ERR_OK)
        op_error(c, rec->row, &e);
    else
        c->out->written++;
}

static bool yes_no(struct ctx *c, const struct csv_record *rec, const char *name, bool dflt,
                   bool *out)
{
    const char *v = get(c, rec, name);
    if (!v) {
        *out = dflt;
        return true;
    }
    if (strcasecmp(v, "yes") == 0 || strcasecmp(v, "y") == 0 || strcmp(v, "1") == 0) {
        *out = true;
        return true;
    }
    if (strcasecmp(v, "no") == 0 || strcasecmp(v, "n") == 0 || strcmp(v, "0") == 0) {
        *out = false;
        return true;
    }
    add_error(c->out, rec->row, file_col(c, name), "%s: '%.20s' is not yes or no", name, v);
    return false;
}

static bool optional_amount(struct ctx *c, const struct csv_record *rec, const char *name,
                            int exponent, struct money *out)
{
    *out = money_of(0);
    return !get(c, rec, name) || amount_field(c, rec, name, exponent, out);
}

static void import_contract(struct ctx *c, const struct csv_record *rec)
{
    int exponent;
    if (!customer_exponent(c, rec, &exponent))
        return;
    struct contract_input in = {.code = get(c, rec, "code"),
                                .customer = get(c, rec, "customer"),
                                .description = get(c, rec, "description"),
                                .payment_terms_days = -1,
                                .variable_method = get(c, rec, "variable_method")};
    if (!in.code)
        in.code = "";
    bool good = required_date(c, rec, "start", &in.start_on);
    good = required_date(c, rec, "end", &in.end_on) && good;
    good = date_field(c, rec, "signed", &in.signed_on) && good;
    good = date_field(c, rec, "trial_end", &in.trial_end) && good;
    good = optional_amount(c, rec, "price", exponent, &in.price.fixed) && good;
    good = optional_amount(c, rec, "discount", exponent, &in.price.discount) && good;
    good = optional_amount(c, rec, "payable", exponent, &in.price.payable) && good;
    good = optional_amount(c, rec, "variable", exponent, &in.price.variable) && good;
    struct err e = {0};
    const char *terms = get(c, rec, "terms");
    if (terms) {
        char *end;
        long v = strtol(terms, &end, 10);
        if (*end || v < 0 || v > 365) {
            add_error(c->out, rec->row, file_col(c, "terms"),
                      "terms: '%.20s' is not a number of days from 0 to 365", terms);
            good = false;
        } else {
            in.payment_terms_days = (int)v;
        }
    }
    if (get(c, rec, "billing") &&
        billing_plan_parse(get(c, rec, "billing"), &in.billing, &e) != ERR_OK) {
        op_error(c, rec->row, &e);
        good = false;
    }
    const char *coll = get(c, rec, "collectibility");
    if (coll && strcmp(coll, "probable") != 0 && strcmp(coll, "not_probable") != 0) {
        add_error(c->out, rec->row, file_col(c, "collectibility"),
                  "collectibility: '%.20s' is not probable or not_probable", coll);
        good = false;
    }
    in.not_collectible = coll && strcmp(coll, "not_probable") == 0;
    if (!good)
        return;
    int64_t id;
    if (contract_add(c->b, &in, &id, &e) != ERR_OK)
        op_error(c, rec->row, &e);
    else
        c->out->written++;
}

static void import_obligation(struct ctx *c, const struct csv_record *rec)
{
    struct contract k;
    struct err e = {0};
    const char *code = required(c, rec, "contract", "name the contract by its code");
    if (!code)
        return;
    if (contract_find(c->b, code, &k, &e) != ERR_OK) {
        add_error(c->out, rec->row, file_col(c, "contract"), "contract: %s", e.msg);
        return;
    }
    struct obligation_input in = {.contract = k.code,
                                  .name = get(c, rec, "name"),
                                  .ssp_method = SSP_OBSERVABLE,
                                  .ssp_evidence = get(c, rec, "evidence"),
                                  .combined_reason = get(c, rec, "combined_reason")};
    bool good = true;
    const char *pattern = required(c, rec, "pattern", "ratable, point, usage or progress");
    if (!pattern) {
        good = false;
    } else if (pattern_parse(pattern, &in.pattern, &e) != ERR_OK) {
        op_error(c, rec->row, &e);
        good = false;
    }
    if (get(c, rec, "ssp_method") &&
        ssp_method_parse(get(c, rec, "ssp_method"), &in.ssp_method, &e) != ERR_OK) {
        add_error(c->out, rec->row, file_col(c, "ssp_method"), "%s", e.msg);
        good = false;
    }
    good = optional_amount(c, rec, "ssp", k.exponent, &in.ssp) && good;
    good = optional_amount(c, rec, "range_low", k.exponent, &in.residual_low) && good;
    good = optional_amount(c, rec, "range_high", k.exponent, &in.residual_high) && good;
    good = date_field(c, rec, "start", &in.start_on) && good;
    good = date_field(c, rec, "end", &in.end_on) && good;
    good = date_field(c, rec, "due", &in.due_on) && good;
    bool capable, distinct;
    good = yes_no(c, rec, "capable", true, &capable) && good;
    good = yes_no(c, rec, "distinct", true, &distinct) && good;
    good = yes_no(c, rec, "discount_target", false, &in.discount_target) && good;
    in.not_capable_distinct = !capable;
    in.not_distinct_in_context = !distinct;
    if (!in.name)
        in.name = "";
    if (!good)
        return;
    char ref[2 * CODE_MAX + 8];
    if (obligation_add(c->b, &in, ref, sizeof ref, &e) != ERR_OK)
        op_error(c, rec->row, &e);
    else
        c->out->written++;
}

static void import_usage(struct ctx *c, const struct csv_record *rec)
{
    struct contract k;
    struct obligation o;
    struct err e = {0};
    const char *ref = required(c, rec, "obligation", "name it CONTRACT/NUMBER, e.g. ACME-2026/1");
    if (!ref)
        return;
    if (obligation_find(c->b, ref, &k, &o, &e) != ERR_OK) {
        add_error(c->out, rec->row, file_col(c, "obligation"), "%s", e.msg);
        return;
    }
    int32_t day;
    struct money amount;
    bool good = required_date(c, rec, "date", &day);
    good = amount_field(c, rec, "amount", k.exponent, &amount) && good;
    const char *q = required(c, rec, "quantity", "a number such as 1500 or 12.5");
    if (!good || !q)
        return;
    if (usage_record(c->b, o.ref, day, q, amount, &e) != ERR_OK)
        op_error(c, rec->row, &e);
    else
        c->out->written++;
}

/* The records of a file, kept compactly until the import runs: the text of every field in one
 * buffer, NUL-separated, with the offset of each field and the row of each record. A csv_record
 * (CSV_COLUMNS_MAX pointers) per record cost some 500 bytes for a row of four, so a 10 MB file of
 * short rows took gigabytes. */
struct records {
    char *text;
    size_t len, cap;
    size_t *start; /* n * ncols offsets into text */
    size_t capstart;
    int *row;
    size_t n, caprow;
    int ncols;
};

static void records_add(struct records *t, const struct csv_record *rec)
{
    t->start = xgrow(t->start, &t->capstart, (t->n + 1) * (size_t)t->ncols, sizeof *t->start);
    t->row = xgrow(t->row, &t->caprow, t->n + 1, sizeof *t->row);
    for (int j = 0; j < t->ncols; j++) {
        size_t flen = strlen(rec->field[j]) + 1;
        t->text = xgrow(t->text, &t->cap, t->len + flen, 1);
        memcpy(t->text + t->len, rec->field[j], flen);
        t->start[t->n * (size_t)t->ncols + (size_t)j] = t->len;
        t->len += flen;
    }
    t->row[t->n++] = rec->row;
}

/* Record i as a csv_record whose fields point into t (valid until t changes). */
static void records_get(const struct records *t, size_t i, struct csv_record *out)
{
    out->row = t->row[i];
    out->n = t->ncols;
    for (int j = 0; j < t->ncols; j++)
        out->field[j] = t->text + t->start[i * (size_t)t->ncols + (size_t)j];
}

static void records_free(struct records *t)
{
    free(t->text);
    free(t->start);
    free(t->row);
    memset(t, 0, sizeof *t);
}

struct keyed {
    const char *key;
    size_t index;
    bool nocase;
};

static int key_cmp(const struct keyed *x, const struct keyed *y)
{
    return x->nocase ? strcasecmp(x->key, y->key) : strcmp(x->key, y->key);
}

/* By key, then by position in the file, so the first of equal keys comes first. */
static int keyed_cmp(const void *a, const void *b)
{
    const struct keyed *x = a, *y = b;
    int d = key_cmp(x, y);
    if (d)
        return d;
    return x->index < y->index ? -1 : x->index > y->index;
}

/* For each record, the index of the first record with the same value in `column`: its own index
 * when it is the first, or when the value is empty. Sorting makes this n log n; comparing each
 * row with those before it took a minute for 50,000 invoices. The caller frees the array. */
static size_t *first_with_same(const struct ctx *c, const struct records *recs, const char *column,
                               bool nocase)
{
    size_t n = recs->n;
    size_t *first = xmalloc((n ? n : 1) * sizeof *first);
    struct keyed *k = xmalloc((n ? n : 1) * sizeof *k);
    size_t m = 0;
    for (size_t i = 0; i < n; i++) {
        first[i] = i;
        struct csv_record rec;
        records_get(recs, i, &rec);
        const char *v = get(c, &rec, column);
        if (v)
            k[m++] = (struct keyed){v, i, nocase};
    }
    qsort(k, m, sizeof *k, keyed_cmp);
    for (size_t j = 1, f = 0; j < m; j++) {
        if (key_cmp(&k[f], &k[j]) != 0)
            f = j;
        else
            first[k[j].index] = k[f].index;
    }
    free(k);
    return first;
}

/* Invoice rows are gathered first: rows sharing a number are one invoice's lines. */
struct invoice_group {
    char *number; /* NULL: a single-row invoice */
    int first_row;
    char *customer, *memo;
    int32_t date, due;
    struct invoice_line_input *lines;
    char **descs;
    int *rows;
    size_t n, cap, capd, capr;
    bool bad;
};

static void import_invoices(struct ctx *c, const struct records *recs)
{
    struct invoice_group *g = NULL;
    size_t ng = 0, capg = 0;
    size_t *first = first_with_same(c, recs, "number", false);
    size_t *group = xmalloc((recs->n ? recs->n : 1) * sizeof *group); /* of the first rows */
    for (size_t i = 0; i < recs->n; i++) {
        struct csv_record one;
        records_get(recs, i, &one);
        const struct csv_record *rec = &one;
        const char *number = get(c, rec, "number");
        struct invoice_group *grp = first[i] != i ? &g[group[first[i]]] : NULL;
        int32_t date = DATE_NONE, due = DATE_NONE;
        bool good = required_date(c, rec, "date", &date);
        good = date_field(c, rec, "due", &due) && good;
        const char *customer = get(c, rec, "customer");
        int exponent = 2;
        good = customer_exponent(c, rec, &exponent) && good;
        struct money amount = {0};
        good = amount_field(c, rec, "amount", exponent, &amount) && good;
        if (!grp) {
            g = xgrow(g, &capg, ng + 1, sizeof *g);
            group[i] = ng;
            grp = &g[ng++];
            memset(grp, 0, sizeof *grp);
            grp->number = number ? xstrdup(number) : NULL;
            grp->first_row = rec->row;
            grp->customer = xstrdup(customer ? customer : "");
            grp->memo = get(c, rec, "memo") ? xstrdup(get(c, rec, "memo")) : NULL;
            grp->date = date;
            grp->due = due;
        } else if (good) {
            if (strcasecmp(grp->customer, customer ? customer : "") != 0) {
                add_error(c->out, rec->row, file_col(c, "customer"),
                          "customer: differs from the earlier lines of invoice %s", number);
                good = false;
            } else if (grp->date != date || grp->due != due) {
                add_error(c->out, rec->row, file_col(c, "date"),
                          "date: differs from the earlier lines of invoice %s", number);
                good = false;
            }
        }
        const char *desc = get(c, rec, "description");
        grp->lines = xgrow(grp->lines, &grp->cap, grp->n + 1, sizeof *grp->lines);
        grp->descs = xgrow(grp->descs, &grp->capd, grp->n + 1, sizeof *grp->descs);
        grp->rows = xgrow(grp->rows, &grp->capr, grp->n + 1, sizeof *grp->rows);
        grp->descs[grp->n] = xstrdup(desc ? desc : "");
        grp->lines[grp->n] = (struct invoice_line_input){.amount = amount};
        grp->rows[grp->n] = rec->row;
        grp->n++;
        grp->bad |= !good;
    }
    for (size_t k = 0; k < ng; k++) {
        struct invoice_group *grp = &g[k];
        for (size_t i = 0; i < grp->n; i++)
            grp->lines[i].description = grp->descs[i];
        if (!grp->bad) {
            struct invoice_input in = {.customer = grp->customer,
                                       .number = grp->number,
                                       .issued_on = grp->date,
                                       .due_on = grp->due,
                                       .memo = grp->memo,
                                       .lines = grp->lines,
                                       .nlines = grp->n};
            struct invoice_result r;
            struct err e = {0};
            if (invoice_create(c->b, &in, &r, &e) != ERR_OK) {
                /* "line N: ..." names the row of that line. */
                int row = grp->first_row;
                unsigned long line;
                int at = 0;
                if (sscanf(e.msg, "line %lu: %n", &line, &at) == 1 && at > 0 && line >= 1 &&
                    line <= grp->n) {
                    row = grp->rows[line - 1];
                    bool amount = strncmp(e.msg + at, "amount", 6) == 0;
                    add_error(c->out, row, file_col(c, amount ? "amount" : "description"), "%s",
                              e.msg);
                } else {
                    op_error(c, row, &e);
                }
            } else {
                c->out->written++;
            }
        }
        for (size_t i = 0; i < grp->n; i++)
            free(grp->descs[i]);
        free(grp->descs);
        free(grp->lines);
        free(grp->rows);
        free(grp->number);
        free(grp->customer);
        free(grp->memo);
    }
    free(g);
    free(group);
    free(first);
}

/* For each record, the row of an earlier record with the same value in the spec's unique column,
 * else 0. Without it the second of two rows would be refused with "already exists", which reads
 * as if the book held it, when the import is rolled back and the book holds neither. The caller
 * frees the array. */
static int *earlier_rows(const struct ctx *c, const struct records *recs)
{
    int *earlier = xcalloc(recs->n ? recs->n : 1, sizeof *earlier);
    if (!c->spec->unique)
        return earlier;
    size_t *first = first_with_same(c, recs, c->spec->unique, c->spec->unique_nocase);
    for (size_t i = 0; i < recs->n; i++)
        if (first[i] != i)
            earlier[i] = recs->row[first[i]];
    free(first);
    return earlier;
}

static bool read_header(struct ctx *c, const struct csv_record *h)
{
    for (int i = 0; i < MAX_COLS; i++)
        c->col[i] = -1;
    c->ncols = h->n;
    bool good = true;
    for (int j = 0; j < h->n; j++) {
        char name[32];
        snprintf(name, sizeof name, "%s", h->field[j]);
        for (char *p = name; *p; p++)
            if (*p >= 'A' && *p <= 'Z')
                *p = (char)(*p - 'A' + 'a');
        int i = spec_index(c->spec, name);
        if (i < 0) {
            char expected[160] = "";
            for (int k = 0; k < MAX_COLS && c->spec->names[k]; k++) {
                strcat(expected, k ? ", " : "");
                strcat(expected, c->spec->names[k]);
            }
            add_error(c->out, h->row, j + 1, "unknown column '%.40s' (expected %s)", h->field[j],
                      expected);
            good = false;
        } else if (c->col[i] >= 0) {
            add_error(c->out, h->row, j + 1, "column '%s' appears twice", name);
            good = false;
        } else {
            c->col[i] = j;
        }
    }
    for (int i = 0; i < MAX_COLS && c->spec->names[i]; i++) {
        if ((c->spec->required & (1u << i)) && c->col[i] < 0) {
            add_error(c->out, h->row, 0, "the header has no '%s' column", c->spec->names[i]);
            good = false;
        }
    }
    return good;
}

int import_csv(struct book *b, enum import_kind kind, const char *data, size_t len,
               struct import_result *out, struct err *e)
{
    memset(out, 0, sizeof *out);
    struct ctx c = {.b = b, .spec = &specs[kind], .out = out};
    struct csv_reader r;
    csv_open(&r, data, len);
    struct csv_record rec;
    int row, col;
    int got = csv_next(&r, &rec, &row, &col, e);
    if (got <= 0) {
        if (got == 0)
            add_error(out, 1, 0, "the file is empty (it needs a header row)");
        else
            add_error(out, row, col, "%s", e->msg);
        csv_close(&r);
        return err_set(e, ERR_INPUT, "nothing was imported");
    }
    bool header_ok = read_header(&c, &rec);
    int header_row = rec.row;

    /* Read every record first: a malformed file is reported before anything is tried. Record
     * fields are copied, since the reader reuses its buffer. */
    struct records recs = {.ncols = c.ncols};
    while ((got = csv_next(&r, &rec, &row, &col, e)) == 1) {
        out->records++;
        if ((out->records & 1023) == 0 && book_progress(b, "reading", out->records, 0)) {
            csv_close(&r);
            records_free(&recs);
            return err_set(e, ERR_CANCELLED, "import cancelled; nothing was imported");
        }
        if (rec.n != c.ncols) {
            add_error(out, rec.row, (rec.n < c.ncols ? rec.n : c.ncols) + 1,
                      "has %d field%s; the header has %d", rec.n, rec.n == 1 ? "" : "s", c.ncols);
            continue;
        }
        records_add(&recs, &rec);
    }
    if (got < 0)
        add_error(out, row, col, "%s", e->msg);
    csv_close(&r);
    /* A header and nothing under it is more likely the wrong file, or a cut-off export, than a
     * wish to import nothing; saying "imported 0" would hide that. */
    if (got == 0 && out->records == 0 && out->nerrors == 0)
        add_error(out, header_row, 0, "the file has a header but no rows to import");

    int rc = ERR_OK;
    bool cancelled = false;
    if (header_ok && out->nerrors == 0) {
        if ((rc = book_begin(b, e)) == ERR_OK) {
            int *earlier = earlier_rows(&c, &recs);
            if (kind == IMPORT_INVOICES)
                import_invoices(&c, &recs);
            else
                for (size_t i = 0; i < recs.n && !cancelled; i++) {
                    if ((i & 255) == 0 && book_progress(b, "import", i, recs.n)) {
                        cancelled = true;
                        break;
                    }
                    records_get(&recs, i, &rec);
                    if (earlier[i]) {
                        const char *u = c.spec->unique;
                        add_error(out, rec.row, file_col(&c, u),
                                  "%s: '%s' is already on row %d of this file", u, get(&c, &rec, u),
                                  earlier[i]);
                    } else if (kind == IMPORT_CUSTOMERS)
                        import_customer(&c, &rec);
                    else if (kind == IMPORT_CREDITS)
                        import_credit(&c, &rec);
                    else if (kind == IMPORT_PAYMENTS)
                        import_payment(&c, &rec);
                    else if (kind == IMPORT_CONTRACTS)
                        import_contract(&c, &rec);
                    else if (kind == IMPORT_OBLIGATIONS)
                        import_obligation(&c, &rec);
                    else
                        import_usage(&c, &rec);
                }
            free(earlier);
            if (cancelled) {
                book_rollback(b);
                rc = err_set(e, ERR_CANCELLED, "import cancelled; nothing was imported");
            } else if (out->nerrors)
                book_rollback(b);
            else
                rc = book_commit(b, e);
        }
    }
    records_free(&recs);
    if (rc != ERR_OK)
        return rc;
    if (out->nerrors) {
        out->written = 0;
        /* Report in file order. */
        for (size_t i = 1; i < out->nerrors; i++) {
            struct import_error v = out->errors[i];
            size_t j = i;
            while (j > 0 && error_before(&v, &out->errors[j - 1])) {
                out->errors[j] = out->errors[j - 1];
                j--;
            }
            out->errors[j] = v;
        }
        return err_set(e, ERR_INPUT, "%zu problem%s found; nothing was imported", out->problems,
                       out->problems == 1 ? "" : "s");
    }
    return ERR_OK;
}

void import_result_free(struct import_result *r)
{
    free(r->errors);
    memset(r, 0, sizeof *r);
}
