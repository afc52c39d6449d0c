/*
 * contract_db.c — contracts and their performance obligations in the book: entering them,
 * activating them (steps 1 to 5), delivery, usage and progress, and the recognition schedules
 * kept per obligation as versioned lines.
 */
#include "model/contract.h"

#include <assert.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "model/date.h"
#include "model/db.h"
#include "model/schedule.h"
#include "model/text.h"
#include "model/xalloc.h"

static const char *const status_names[] = {"draft", "active", "completed", "terminated"};
static const char *const billing_names[] = {"upfront", "monthly", "quarterly", "annual",
                                            "milestone"};

const char *contract_status_name(enum contract_status s)
{
    return status_names[s];
}

const char *billing_plan_name(enum billing_plan p)
{
    return billing_names[p];
}

int billing_plan_parse(const char *s, enum billing_plan *out, struct err *e)
{
    for (int i = 0; i < 5; i++) {
        if (s && strcmp(s, billing_names[i]) == 0) {
            *out = (enum billing_plan)i;
            return ERR_OK;
        }
    }
    return err_set(e, ERR_INPUT,
                   "billing: '%s' is not upfront, monthly, quarterly, annual or milestone",
                   s ? s : "");
}

enum convention book_convention(struct book *b)
{
    sqlite3_stmt *st = db_prepare(b, "SELECT convention FROM book WHERE id = 1");
    enum convention c = CONVENTION_MONTHLY;
    if (sqlite3_step(st) == SQLITE_ROW && strcmp(db_col_text(st, 0), "daily") == 0)
        c = CONVENTION_DAILY;
    sqlite3_reset(st);
    return c;
}

struct replan_walk {
    struct book *b;
    uint64_t done, total;
};

static int replan_one(void *ctx, const struct contract_row *row, struct err *e)
{
    struct replan_walk *w = ctx;
    if (row->c.status == CONTRACT_DRAFT)
        return ERR_OK;
    if ((w->done++ & 255) == 0 && book_progress(w->b, "re-plan", w->done - 1, w->total))
        return err_set(e, ERR_CANCELLED, "cancelled; the settings are unchanged");
    return schedule_replan_contract(w->b, &row->c, e);
}

int book_settings_set(struct book *b, const char *company, const char *user, const char *convention,
                      struct err *e)
{
    enum convention conv = CONVENTION_MONTHLY;
    if (convention && convention_parse(convention, &conv, e) != ERR_OK)
        return e->code;
    if (company && (text_blank(company) || !utf8_valid(company, strlen(company)) ||
                    text_has_control(company, false)))
        return err_set(e, ERR_INPUT, "company: is empty or not valid text");
    if (user && (text_blank(user) || text_has_control(user, false)))
        return err_set(e, ERR_INPUT, "user: is empty or not valid text");
    int rc = book_begin(b, e);
    if (rc != ERR_OK)
        return rc;
    bool replan = convention && conv != book_convention(b);
    char *before = db_snapshot(b, "book", 1);
    sqlite3_stmt *st = db_prepare(b, "UPDATE book SET company = coalesce(:company, company), user ="
                                     " coalesce(:user, user), convention = coalesce(:conv,"
                                     " convention), revision = revision + 1 WHERE id = 1");
    db_bind_text(st, ":company", company);
    db_bind_text(st, ":user", user);
    db_bind_text(st, ":conv", convention ? convention_name(conv) : NULL);
    if ((rc = db_exec(b, st, e)) != ERR_OK)
        goto fail;
    if (replan) {
        /* One contract in memory at a time, read in code order by one cursor as its schedules
         * are written: a book of any size re-plans in the same memory. */
        struct replan_walk w = {b, 0, 0};
        st = db_prepare(b, "SELECT count(*) FROM contracts WHERE status <> 'draft'");
        if (db_step(b, st, e) < 0) {
            rc = e->code;
            goto fail;
        }
        w.total = (uint64_t)db_col_int(st, 0);
        sqlite3_reset(st);
        struct contract_query all = {.status = -1};
        if ((rc = contract_list_each(b, &all, replan_one, &w, e)) != ERR_OK)
            goto fail;
    }
    if ((rc = db_log(b, "book.settings", "book", 1, before, e)) != ERR_OK)
        goto fail;
    free(before);
    return book_commit(b, e);
fail:
    free(before);
    book_rollback(b);
    return rc;
}

/* ---- reading ---------------------------------------------------------------------------- */

#define CONTRACT_SELECT                                                                            \
    "SELECT k.id, k.code, k.customer_id, c.code, c.name, c.currency, cur.exponent,"                \
    " coalesce(k.description, ''), k.signed_on, k.start_on, k.end_on, k.trial_end, k.status,"      \
    " k.collectibility, k.commercial_substance, coalesce(k.payment_terms_days, -1), k.price,"      \
    " k.discount, k.payable, k.variable, coalesce(k.variable_method, ''),"                         \
    " coalesce(k.variable_note, ''), k.billing, k.billed_through, k.activated_on, k.ended_on,"     \
    " coalesce(k.parent_id, 0), coalesce(p.code, ''), k.revision, k.modified FROM contracts k"     \
    " JOIN customers c ON c.id = k.customer_id JOIN currencies cur ON cur.code = c.currency"       \
    " LEFT JOIN contracts p ON p.id = k.parent_id"

static void read_contract(sqlite3_stmt *st, struct contract *k)
{
    memset(k, 0, sizeof *k);
    k->id = db_col_int(st, 0);
    db_col_copy(st, 1, k->code, sizeof k->code);
    k->customer_id = db_col_int(st, 2);
    db_col_copy(st, 3, k->customer, sizeof k->customer);
    db_col_copy(st, 4, k->customer_name, sizeof k->customer_name);
    db_col_copy(st, 5, k->currency, sizeof k->currency);
    k->exponent = (int)db_col_int(st, 6);
    db_col_copy(st, 7, k->description, sizeof k->description);
    k->signed_on = db_col_date(st, 8);
    k->start_on = db_col_date(st, 9);
    k->end_on = db_col_date(st, 10);
    k->trial_end = db_col_date(st, 11);
    for (int i = 0; i < 4; i++)
        if (strcmp(db_col_text(st, 12), status_names[i]) == 0)
            k->status = (enum contract_status)i;
    k->collectible = strcmp(db_col_text(st, 13), "probable") == 0;
    k->commercial_substance = db_col_int(st, 14) != 0;
    k->payment_terms_days = (int)db_col_int(st, 15);
    k->price.fixed = db_col_money(st, 16);
    k->price.discount = db_col_money(st, 17);
    k->price.payable = db_col_money(st, 18);
    k->price.variable = db_col_money(st, 19);
    db_col_copy(st, 20, k->variable_method, sizeof k->variable_method);
    db_col_copy(st, 21, k->variable_note, sizeof k->variable_note);
    for (int i = 0; i < 5; i++)
        if (strcmp(db_col_text(st, 22), billing_names[i]) == 0)
            k->billing = (enum billing_plan)i;
    k->billed_through = db_col_date(st, 23);
    k->activated_on = db_col_date(st, 24);
    k->ended_on = db_col_date(st, 25);
    k->parent_id = db_col_int(st, 26);
    db_col_copy(st, 27, k->parent, sizeof k->parent);
    k->revision = db_col_int(st, 28);
    k->price.modified = db_col_money(st, 29);
}

int contract_find(struct book *b, const char *code, struct contract *out, struct err *e)
{
    sqlite3_stmt *st = db_prepare(b, CONTRACT_SELECT " WHERE k.code = :code");
    db_bind_text(st, ":code", code ? code : "");
    int rc = db_step(b, st, e);
    if (rc < 0)
        return e->code;
    if (rc != SQLITE_ROW)
        return err_set(e, ERR_NOTFOUND, "no contract '%s'", code ? code : "");
    read_contract(st, out);
    sqlite3_reset(st);
    return ERR_OK;
}

#define OBLIGATION_SELECT                                                                          \
    "SELECT o.id, o.contract_id, o.seq, k.code, o.name, o.capable_distinct,"                       \
    " o.distinct_in_context, coalesce(o.combined_reason, ''), o.pattern, o.ssp, o.ssp_method,"     \
    " coalesce(o.ssp_evidence, ''), coalesce(o.residual_low, 0), coalesce(o.residual_high, 0),"    \
    " o.discount_target, o.start_on, o.end_on, o.due_on, o.delivered_on, o.pause_start,"           \
    " o.pause_end, o.allocated, o.schedule_version, coalesce(o.initial_allocated, o.allocated),"   \
    " coalesce(o.initial_end, o.end_on) FROM obligations o JOIN contracts k ON k.id ="             \
    " o.contract_id"

static void read_obligation(sqlite3_stmt *st, struct obligation *o)
{
    memset(o, 0, sizeof *o);
    struct err ignore;
    o->id = db_col_int(st, 0);
    o->contract_id = db_col_int(st, 1);
    o->seq = (int)db_col_int(st, 2);
    snprintf(o->ref, sizeof o->ref, "%s/%d", db_col_text(st, 3), o->seq);
    db_col_copy(st, 4, o->name, sizeof o->name);
    o->capable_distinct = db_col_int(st, 5) != 0;
    o->distinct_in_context = db_col_int(st, 6) != 0;
    db_col_copy(st, 7, o->combined_reason, sizeof o->combined_reason);
    pattern_parse(db_col_text(st, 8), &o->pattern, &ignore);
    o->ssp = db_col_money(st, 9);
    ssp_method_parse(db_col_text(st, 10), &o->ssp_method, &ignore);
    db_col_copy(st, 11, o->ssp_evidence, sizeof o->ssp_evidence);
    o->residual_low = db_col_money(st, 12);
    o->residual_high = db_col_money(st, 13);
    o->discount_target = db_col_int(st, 14) != 0;
    o->start_on = db_col_date(st, 15);
    o->end_on = db_col_date(st, 16);
    o->due_on = db_col_date(st, 17);
    o->delivered_on = db_col_date(st, 18);
    o->pause_start = db_col_date(st, 19);
    o->pause_end = db_col_date(st, 20);
    o->allocated = db_col_money(st, 21);
    o->schedule_version = (int)db_col_int(st, 22);
    o->initial_allocated = db_col_money(st, 23);
    o->initial_end = db_col_date(st, 24);
}

int obligations_load(struct book *b, int64_t contract_id, struct obligations *out, struct err *e)
{
    sqlite3_stmt *st = db_prepare(b, OBLIGATION_SELECT " WHERE o.contract_id = :k ORDER BY o.seq");
    db_bind_int(st, ":k", contract_id);
    int rc;
    while ((rc = db_step(b, st, e)) == SQLITE_ROW) {
        out->v = xgrow(out->v, &out->cap, out->n + 1, sizeof *out->v);
        read_obligation(st, &out->v[out->n++]);
    }
    return rc < 0 ? e->code : ERR_OK;
}

void obligations_free(struct obligations *o)
{
    free(o->v);
    memset(o, 0, sizeof *o);
}

int obligation_find(struct book *b, const char *ref, struct contract *c, struct obligation *o,
                    struct err *e)
{
    const char *slash = ref ? strrchr(ref, '/') : NULL;
    char *end = NULL;
    long seq = slash ? strtol(slash + 1, &end, 10) : 0;
    if (!slash || slash == ref || !slash[1] || *end || seq <= 0)
        return err_set(e, ERR_INPUT, "obligation: '%s' is not CONTRACT/NUMBER (e.g. ACME-2026/1)",
                       ref ? ref : "");
    /* A code longer than any code can be is no contract; cutting it to CODE_MAX would name
     * another contract, the one whose code is its first CODE_MAX characters. */
    if (slash - ref > CODE_MAX)
        return err_set(e, ERR_NOTFOUND, "no contract '%.*s'", (int)(slash - ref), ref);
    char code[CODE_MAX + 1];
    snprintf(code, sizeof code, "%.*s", (int)(slash - ref), ref);
    if (contract_find(b, code, c, e) != ERR_OK)
        return e->code;
    sqlite3_stmt *st = db_prepare(b, OBLIGATION_SELECT " WHERE o.contract_id = :k AND o.seq = :s");
    db_bind_int(st, ":k", c->id);
    db_bind_int(st, ":s", seq);
    int rc = db_step(b, st, e);
    if (rc < 0)
        return e->code;
    if (rc != SQLITE_ROW)
        return err_set(e, ERR_NOTFOUND, "contract %s has no obligation %ld", c->code, seq);
    read_obligation(st, o);
    sqlite3_reset(st);
    return ERR_OK;
}

int recog_source_load(struct book *b, const struct contract *c, const struct obligation *o,
                      enum convention conv, struct recog_source *out, struct err *e)
{
    memset(out, 0, sizeof *out);
    struct recog_input *in = &out->in;
    in->pattern = o->pattern;
    in->convention = conv;
    /* The terms it was planned with; posted modifications govern from their segments on. */
    in->allocated = o->initial_allocated;
    in->start = o->start_on;
    in->end = o->initial_end;
    in->delivered_on = o->delivered_on;
    in->pause_start = o->pause_start;
    in->pause_end = o->pause_end;
    /* A free trial is not a contract: recognition starts at conversion (ACCOUNTING.md §2). */
    if (c->trial_end != DATE_NONE && in->start != DATE_NONE && in->start <= c->trial_end)
        in->start = c->trial_end + 1;
    /* A contract that is not active recognizes nothing. */
    if (c->status == CONTRACT_DRAFT) {
        in->allocated = money_of(0);
        in->start = in->end = in->delivered_on = DATE_NONE;
        return ERR_OK;
    }
    int rc;
    size_t cap = 0;
    sqlite3_stmt *sg = db_prepare(b, "SELECT from_on, base, allocated, start_on, end_on,"
                                     " progress_base FROM obligation_segments WHERE obligation_id ="
                                     " :o ORDER BY from_on, id");
    db_bind_int(sg, ":o", o->id);
    while ((rc = db_step(b, sg, e)) == SQLITE_ROW) {
        out->segments = xgrow(out->segments, &cap, in->nsegments + 1, sizeof *out->segments);
        struct recog_segment *g = &out->segments[in->nsegments++];
        g->from = db_col_date(sg, 0);
        g->base = db_col_money(sg, 1);
        g->allocated = db_col_money(sg, 2);
        g->start = db_col_date(sg, 3);
        g->end = db_col_date(sg, 4);
        g->progress_base = (int32_t)db_col_int(sg, 5);
        if (c->trial_end != DATE_NONE && g->start != DATE_NONE && g->start <= c->trial_end)
            g->start = c->trial_end + 1;
    }
    if (rc < 0)
        return e->code;
    in->segments = out->segments;
    cap = 0;
    if (o->pattern == PATTERN_USAGE) {
        sqlite3_stmt *st = db_prepare(b, "SELECT on_date, amount FROM usage_records WHERE"
                                         " obligation_id = :o ORDER BY on_date, id");
        db_bind_int(st, ":o", o->id);
        while ((rc = db_step(b, st, e)) == SQLITE_ROW) {
            out->usage = xgrow(out->usage, &cap, in->nusage + 1, sizeof *out->usage);
            out->usage[in->nusage].on = db_col_date(st, 0);
            out->usage[in->nusage].amount = db_col_money(st, 1);
            in->nusage++;
        }
        if (rc < 0)
            return e->code;
        in->usage = out->usage;
    } else if (o->pattern == PATTERN_PROGRESS) {
        sqlite3_stmt *st = db_prepare(b, "SELECT on_date, basis_points FROM progress_records WHERE"
                                         " obligation_id = :o ORDER BY on_date, id");
        db_bind_int(st, ":o", o->id);
        while ((rc = db_step(b, st, e)) == SQLITE_ROW) {
            out->progress = xgrow(out->progress, &cap, in->nprogress + 1, sizeof *out->progress);
            out->progress[in->nprogress].on = db_col_date(st, 0);
            out->progress[in->nprogress].basis_points = (int32_t)db_col_int(st, 1);
            in->nprogress++;
        }
        if (rc < 0)
            return e->code;
        in->progress = out->progress;
    }
    return ERR_OK;
}

void recog_source_free(struct recog_source *s)
{
    free(s->segments);
    free(s->usage);
    free(s->progress);
    memset(s, 0, sizeof *s);
}

/* ---- entering a contract ---------------------------------------------------------------- */

/* A one-line text of a contract or an obligation: the contract and obligation records hold
 * TEXT_SHORT_MAX bytes of it, so longer is refused rather than cut when read back. */
static int text_ok(const char *field, const char *s, struct err *e)
{
    if (s && (!utf8_valid(s, strlen(s)) || text_has_control(s, false)))
        return err_set(e, ERR_INPUT, "%s: contains a control character or invalid UTF-8", field);
    if (s && strlen(s) > TEXT_SHORT_MAX)
        return err_set(e, ERR_INPUT, "%s: is longer than %d bytes", field, TEXT_SHORT_MAX);
    return ERR_OK;
}

int contract_add(struct book *b, const struct contract_input *in, int64_t *id, struct err *e)
{
    if (!code_valid(in->code, CODE_MAX))
        return err_set(e, ERR_INPUT, "code: use 1 to 32 letters, digits, '.', '_' or '-'");
    if (in->start_on == DATE_NONE || in->end_on == DATE_NONE)
        return err_set(e, ERR_INPUT, "start: a contract needs --start and --end");
    if (in->end_on < in->start_on)
        return err_set(e, ERR_INPUT, "end: is before the start");
    if (in->trial_end != DATE_NONE && (in->trial_end < in->start_on || in->trial_end >= in->end_on))
        return err_set(e, ERR_INPUT, "trial-end: must fall within the term, before its end");
    if (in->price.fixed.minor < 0)
        return err_set(e, ERR_INPUT, "price: cannot be negative");
    struct money tp;
    if (transaction_price(&in->price, &tp, e) != ERR_OK)
        return e->code;
    if (in->price.variable.minor != 0 && !in->variable_method)
        return err_set(e, ERR_INPUT,
                       "variable-method: say how the variable consideration was estimated"
                       " (expected_value or most_likely)");
    if (in->variable_method && strcmp(in->variable_method, "expected_value") != 0 &&
        strcmp(in->variable_method, "most_likely") != 0)
        return err_set(e, ERR_INPUT, "variable-method: '%s' is not expected_value or most_likely",
                       in->variable_method);
    if (in->payment_terms_days < -1 || in->payment_terms_days > 365)
        return err_set(e, ERR_INPUT, "terms: use 0 to 365 days");
    if (text_ok("description", in->description, e) != ERR_OK ||
        text_ok("variable-note", in->variable_note, e) != ERR_OK)
        return e->code;
    struct customer cu;
    if (customer_find(b, in->customer, &cu, e) != ERR_OK)
        return e->code;
    int terms = in->payment_terms_days < 0 ? cu.terms_days : in->payment_terms_days;
    int rc = book_begin(b, e);
    if (rc != ERR_OK)
        goto out;
    char at[32];
    sqlite3_stmt *st = db_prepare(
        b, "INSERT INTO contracts (code, customer_id, description, signed_on, start_on, end_on,"
           " collectibility, commercial_substance, payment_terms_days, trial_end, price, discount,"
           " payable, variable, variable_method, variable_note, billing, created_by, created_at)"
           " VALUES (:code, :customer, :description, :signed, :start, :end, :collect, :substance,"
           " :terms, :trial, :price, :discount, :payable, :variable, :vmethod, :vnote, :billing,"
           " :by, :at)");
    db_bind_text(st, ":code", in->code);
    db_bind_int(st, ":customer", cu.id);
    db_bind_text(st, ":description", in->description && *in->description ? in->description : NULL);
    db_bind_date(st, ":signed", in->signed_on);
    db_bind_date(st, ":start", in->start_on);
    db_bind_date(st, ":end", in->end_on);
    db_bind_text(st, ":collect", in->not_collectible ? "not_probable" : "probable");
    db_bind_int(st, ":substance", !in->no_commercial_substance);
    db_bind_int(st, ":terms", terms);
    db_bind_date(st, ":trial", in->trial_end);
    db_bind_money(st, ":price", in->price.fixed);
    db_bind_money(st, ":discount", in->price.discount);
    db_bind_money(st, ":payable", in->price.payable);
    db_bind_money(st, ":variable", in->price.variable);
    db_bind_text(st, ":vmethod", in->variable_method);
    db_bind_text(st, ":vnote", in->variable_note);
    db_bind_text(st, ":billing", billing_plan_name(in->billing));
    db_bind_text(st, ":by", book_user(b));
    db_bind_text(st, ":at", book_timestamp(b, at, sizeof at));
    if ((rc = db_exec(b, st, e)) != ERR_OK) {
        if (rc == ERR_EXISTS)
            err_set(e, ERR_EXISTS, "code: a contract '%s' already exists", in->code);
        goto fail;
    }
    *id = db_last_id(b);
    if ((rc = db_log(b, "contract.add", "contract", *id, NULL, e)) != ERR_OK)
        goto fail;
    rc = book_commit(b, e);
    goto out;
fail:
    book_rollback(b);
out:
    customer_clear(&cu);
    return rc;
}

int contract_edit(struct book *b, const char *code, const struct contract_edit *in, struct err *e)
{
    struct contract k;
    if (contract_find(b, code, &k, e) != ERR_OK)
        return e->code;
    if (k.status != CONTRACT_DRAFT)
        return err_set(e, ERR_RULE,
                       "contract %s is %s: its terms change through a modification memo", k.code,
                       contract_status_name(k.status));
    if (in->payment_terms_days < -1 || in->payment_terms_days > 365)
        return err_set(e, ERR_INPUT, "terms: use 0 to 365 days");
    if (text_ok("description", in->description, e) != ERR_OK)
        return e->code;
    int rc = book_begin(b, e);
    if (rc != ERR_OK)
        return rc;
    char *before = db_snapshot(b, "contract", k.id);
    sqlite3_stmt *st = db_prepare(
        b, "UPDATE contracts SET signed_on = coalesce(:signed, signed_on), collectibility ="
           " coalesce(:collect, collectibility), payment_terms_days = coalesce(:terms,"
           " payment_terms_days), description = coalesce(:description, description), revision ="
           " revision + 1 WHERE id = :id");
    db_bind_date(st, ":signed", in->signed_on);
    db_bind_text(st, ":collect",
                 in->collectible < 0 ? NULL
                 : in->collectible   ? "probable"
                                     : "not_probable");
    if (in->payment_terms_days >= 0)
        db_bind_int(st, ":terms", in->payment_terms_days);
    db_bind_text(st, ":description", in->description);
    db_bind_int(st, ":id", k.id);
    if ((rc = db_exec(b, st, e)) == ERR_OK)
        rc = db_log(b, "contract.edit", "contract", k.id, before, e);
    free(before);
    if (rc != ERR_OK) {
        book_rollback(b);
        return rc;
    }
    return book_commit(b, e);
}

int contract_create(struct book *b, const struct contract_input *in,
                    const struct obligation_input *obligations, size_t n, int32_t activate_on,
                    struct err *e)
{
    int rc = book_begin(b, e);
    if (rc != ERR_OK)
        return rc;
    int64_t id;
    if ((rc = contract_add(b, in, &id, e)) != ERR_OK)
        goto fail;
    for (size_t i = 0; i < n; i++) {
        char ref[2 * CODE_MAX + 8];
        struct obligation_input o = obligations[i];
        o.contract = in->code;
        if ((rc = obligation_add(b, &o, ref, sizeof ref, e)) != ERR_OK) {
            err_prefix(e, "obligation %zu", i + 1);
            goto fail;
        }
    }
    if (activate_on != DATE_NONE && (rc = contract_activate(b, in->code, activate_on, e)) != ERR_OK)
        goto fail;
    return book_commit(b, e);
fail:
    book_rollback(b);
    return rc;
}

static int require_draft(const struct contract *c, const char *doing, struct err *e)
{
    if (c->status != CONTRACT_DRAFT)
        return err_set(e, ERR_RULE,
                       "contract %s is %s: %s changes its scope, which goes through a"
                       " modification memo",
                       c->code, contract_status_name(c->status), doing);
    return ERR_OK;
}

int obligation_add(struct book *b, const struct obligation_input *in, char *ref, size_t refsize,
                   struct err *e)
{
    if (!in->name || !*in->name || !utf8_valid(in->name, strlen(in->name)) ||
        text_has_control(in->name, false))
        return err_set(e, ERR_INPUT, "name: say what is promised");
    if (text_ok("name", in->name, e) != ERR_OK)
        return e->code;
    if (in->ssp.minor < 0)
        return err_set(e, ERR_INPUT, "ssp: cannot be negative");
    if (in->ssp_method == SSP_RESIDUAL && in->residual_low.minor > in->residual_high.minor)
        return err_set(e, ERR_INPUT, "range: the low end is above the high end");
    if ((in->not_capable_distinct || in->not_distinct_in_context) &&
        (!in->combined_reason || !*in->combined_reason))
        return err_set(e, ERR_INPUT,
                       "combined-reason: promises that are not distinct form one obligation"
                       " with the others they depend on; say which and why");
    if (text_ok("ssp-evidence", in->ssp_evidence, e) != ERR_OK ||
        text_ok("combined-reason", in->combined_reason, e) != ERR_OK)
        return e->code;
    struct contract c;
    if (contract_find(b, in->contract, &c, e) != ERR_OK)
        return e->code;
    if (require_draft(&c, "adding an obligation", e) != ERR_OK)
        return e->code;
    int32_t start = in->start_on, end = in->end_on;
    if (in->pattern == PATTERN_RATABLE || in->pattern == PATTERN_PROGRESS) {
        if (start == DATE_NONE)
            start = c.start_on;
        if (end == DATE_NONE)
            end = c.end_on;
        if (end < start)
            return err_set(e, ERR_INPUT, "end: is before the start");
    } else {
        start = end = DATE_NONE;
    }
    int rc = book_begin(b, e);
    if (rc != ERR_OK)
        return rc;
    sqlite3_stmt *st = db_prepare(b, "SELECT coalesce(max(seq), 0) + 1 FROM obligations WHERE"
                                     " contract_id = :k");
    db_bind_int(st, ":k", c.id);
    int seq = db_step(b, st, e) == SQLITE_ROW ? (int)db_col_int(st, 0) : 1;
    sqlite3_reset(st);
    st = db_prepare(
        b, "INSERT INTO obligations (contract_id, seq, name, capable_distinct, distinct_in_context,"
           " combined_reason, pattern, ssp, ssp_method, ssp_evidence, residual_low, residual_high,"
           " discount_target, start_on, end_on, due_on) VALUES (:k, :seq, :name, :capable,"
           " :context, :reason, :pattern, :ssp, :method, :evidence, :low, :high, :target, :start,"
           " :end, :due)");
    db_bind_int(st, ":k", c.id);
    db_bind_int(st, ":seq", seq);
    db_bind_text(st, ":name", in->name);
    db_bind_int(st, ":capable", !in->not_capable_distinct);
    db_bind_int(st, ":context", !in->not_distinct_in_context);
    db_bind_text(st, ":reason",
                 in->combined_reason && *in->combined_reason ? in->combined_reason : NULL);
    db_bind_text(st, ":pattern", pattern_name(in->pattern));
    db_bind_money(st, ":ssp", in->ssp);
    db_bind_text(st, ":method", ssp_method_name(in->ssp_method));
    db_bind_text(st, ":evidence", in->ssp_evidence && *in->ssp_evidence ? in->ssp_evidence : NULL);
    if (in->ssp_method == SSP_RESIDUAL && (in->residual_low.minor || in->residual_high.minor)) {
        db_bind_money(st, ":low", in->residual_low);
        db_bind_money(st, ":high", in->residual_high);
    }
    db_bind_int(st, ":target", in->discount_target);
    db_bind_date(st, ":start", start);
    db_bind_date(st, ":end", end);
    db_bind_date(st, ":due", in->pattern == PATTERN_POINT ? in->due_on : DATE_NONE);
    if ((rc = db_exec(b, st, e)) != ERR_OK)
        goto fail;
    int64_t id = db_last_id(b);
    if ((rc = db_log(b, "obligation.add", "obligation", id, NULL, e)) != ERR_OK)
        goto fail;
    snprintf(ref, refsize, "%s/%d", c.code, seq);
    return book_commit(b, e);
fail:
    book_rollback(b);
    return rc;
}

int obligation_combine(struct book *b, const char *into, const char *from, const char *reason,
                       struct err *e)
{
    if (!reason || !*reason)
        return err_set(e, ERR_INPUT, "reason: say why the promises are not distinct");
    if (text_ok("reason", reason, e) != ERR_OK)
        return e->code;
    struct contract c1, c2;
    struct obligation a, o;
    if (obligation_find(b, into, &c1, &a, e) != ERR_OK ||
        obligation_find(b, from, &c2, &o, e) != ERR_OK)
        return e->code;
    if (c1.id != c2.id)
        return err_set(e, ERR_INPUT, "obligation: %s and %s belong to different contracts", into,
                       from);
    if (a.id == o.id)
        return err_set(e, ERR_INPUT, "obligation: an obligation cannot be combined with itself");
    if (require_draft(&c1, "combining obligations", e) != ERR_OK)
        return e->code;
    /* The combined obligation is satisfied over the combined period (ACCOUNTING.md §2): when
     * either part is satisfied over time, so is the whole. */
    enum pattern pattern = a.pattern;
    if (pattern == PATTERN_POINT && (o.pattern == PATTERN_RATABLE || o.pattern == PATTERN_PROGRESS))
        pattern = o.pattern;
    if (a.pattern == PATTERN_USAGE || o.pattern == PATTERN_USAGE)
        return err_set(e, ERR_RULE,
                       "obligation: usage is variable consideration of its own and"
                       " is not combined with fixed-price promises");
    int32_t start = a.start_on, end = a.end_on;
    if (o.start_on != DATE_NONE && (start == DATE_NONE || o.start_on < start))
        start = o.start_on;
    if (o.end_on != DATE_NONE && (end == DATE_NONE || o.end_on > end))
        end = o.end_on;
    if (pattern != PATTERN_POINT && start == DATE_NONE) {
        start = c1.start_on;
        end = c1.end_on;
    }
    struct money ssp;
    if (money_add(a.ssp, o.ssp, &ssp, e) != ERR_OK)
        return e->code;
    char name[256];
    snprintf(name, sizeof name, "%.120s + %.120s", a.name, o.name);
    int rc = book_begin(b, e);
    if (rc != ERR_OK)
        return rc;
    char *before = db_snapshot(b, "obligation", a.id);
    sqlite3_stmt *st = db_prepare(
        b, "UPDATE obligations SET name = :name, ssp = :ssp, pattern = :pattern, start_on = :start,"
           " end_on = :end, capable_distinct = 1, distinct_in_context = 1, combined_reason ="
           " :reason, due_on = CASE WHEN :pattern = 'point' THEN due_on END WHERE id = :id");
    db_bind_text(st, ":name", name);
    db_bind_money(st, ":ssp", ssp);
    db_bind_text(st, ":pattern", pattern_name(pattern));
    db_bind_date(st, ":start", pattern == PATTERN_POINT ? DATE_NONE : start);
    db_bind_date(st, ":end", pattern == PATTERN_POINT ? DATE_NONE : end);
    db_bind_text(st, ":reason", reason);
    db_bind_int(st, ":id", a.id);
    if ((rc = db_exec(b, st, e)) != ERR_OK)
        goto fail;
    st = db_prepare(b, "DELETE FROM obligations WHERE id = :id");
    db_bind_int(st, ":id", o.id);
    if ((rc = db_exec(b, st, e)) != ERR_OK ||
        (rc = db_log(b, "obligation.combine", "obligation", a.id, before, e)) != ERR_OK)
        goto fail;
    free(before);
    return book_commit(b, e);
fail:
    free(before);
    book_rollback(b);
    return rc;
}

/* Step 1: is it a contract at all? Names the first criterion that fails, in the order of
 * ACCOUNTING.md §2: approved, with an obligation, with payment terms, collection probable. */
static int contract_criteria(const struct contract *c, const struct obligations *obs, struct err *e)
{
    if (c->signed_on == DATE_NONE)
        return err_set(e, ERR_RULE, "contract %s is not approved: record its signed date", c->code);
    if (obs->n == 0)
        return err_set(e, ERR_RULE, "contract %s has no performance obligation", c->code);
    if (c->payment_terms_days < 0)
        return err_set(e, ERR_RULE, "contract %s states no payment terms", c->code);
    if (!c->collectible)
        return err_set(e, ERR_RULE,
                       "contract %s: collection is not probable, so it is not yet a contract;"
                       " cash received for it is a deposit",
                       c->code);
    if (!c->commercial_substance)
        return err_set(e, ERR_RULE, "contract %s has no commercial substance", c->code);
    for (size_t i = 0; i < obs->n; i++) {
        const struct obligation *o = &obs->v[i];
        if ((!o->capable_distinct || !o->distinct_in_context) && !o->combined_reason[0])
            return err_set(e, ERR_RULE,
                           "obligation %s is not distinct: combine it with the promises it"
                           " depends on",
                           o->ref);
        if ((o->pattern == PATTERN_RATABLE || o->pattern == PATTERN_PROGRESS) &&
            (o->start_on == DATE_NONE || o->end_on == DATE_NONE))
            return err_set(e, ERR_RULE, "obligation %s has no service term", o->ref);
    }
    return ERR_OK;
}

int contract_activate(struct book *b, const char *code, int32_t on, struct err *e)
{
    /* The contract is read inside the transaction that activates it, so two people activating
     * it at once cannot both allocate and schedule it. */
    struct obligations obs = {0};
    struct alloc_item *items = NULL;
    int rc = book_begin(b, e);
    if (rc != ERR_OK)
        return rc;
    struct contract c;
    if ((rc = contract_find(b, code, &c, e)) != ERR_OK)
        goto fail;
    if (c.status != CONTRACT_DRAFT) {
        rc = err_set(e, ERR_RULE, "contract %s is already %s", c.code,
                     contract_status_name(c.status));
        goto fail;
    }
    if ((rc = obligations_load(b, c.id, &obs, e)) != ERR_OK ||
        (rc = contract_criteria(&c, &obs, e)) != ERR_OK)
        goto fail;
    struct money tp;
    if ((rc = transaction_price(&c.price, &tp, e)) != ERR_OK)
        goto fail;
    items = xcalloc(obs.n, sizeof *items);
    for (size_t i = 0; i < obs.n; i++) {
        items[i].pattern = obs.v[i].pattern;
        items[i].method = obs.v[i].ssp_method;
        items[i].ssp = obs.v[i].ssp;
        items[i].range_low = obs.v[i].residual_low;
        items[i].range_high = obs.v[i].residual_high;
        items[i].discount_target = obs.v[i].discount_target;
    }
    if ((rc = allocate(tp, c.price.discount, items, obs.n, e)) != ERR_OK) {
        err_prefix(e, "contract %s", c.code);
        goto fail;
    }
    char *before = db_snapshot(b, "contract", c.id);
    for (size_t i = 0; i < obs.n && rc == ERR_OK; i++) {
        sqlite3_stmt *st = db_prepare(b, "UPDATE obligations SET allocated = :a WHERE id = :id");
        db_bind_money(st, ":a", items[i].allocated);
        db_bind_int(st, ":id", obs.v[i].id);
        rc = db_exec(b, st, e);
    }
    if (rc == ERR_OK) {
        sqlite3_stmt *st = db_prepare(b, "UPDATE contracts SET status = 'active', activated_on ="
                                         " :on, revision = revision + 1 WHERE id = :id");
        db_bind_date(st, ":on", on);
        db_bind_int(st, ":id", c.id);
        rc = db_exec(b, st, e);
    }
    c.status = CONTRACT_ACTIVE;
    if (rc == ERR_OK)
        rc = schedule_replan_contract(b, &c, e);
    if (rc == ERR_OK)
        rc = db_log(b, "contract.activate", "contract", c.id, before, e);
    free(before);
    if (rc == ERR_OK) {
        rc = book_commit(b, e);
        goto out;
    }
fail:
    book_rollback(b);
out:
    free(items);
    obligations_free(&obs);
    return rc;
}

/* Runs one change to an obligation of an active contract, then re-plans the contract. */
static int obligation_event(struct book *b, const char *ref, enum pattern want, const char *action,
                            const char *sql, int32_t on, int64_t value, const char *text,
                            struct err *e)
{
    struct contract c;
    struct obligation o;
    if (obligation_find(b, ref, &c, &o, e) != ERR_OK)
        return e->code;
    if (o.pattern != want)
        return err_set(e, ERR_RULE, "obligation %s is a %s obligation, not %s", o.ref,
                       pattern_name(o.pattern), pattern_name(want));
    if (c.status == CONTRACT_DRAFT)
        return err_set(e, ERR_RULE,
                       "contract %s is not active yet: activate it before recording delivery,"
                       " usage or progress",
                       c.code);
    if (want == PATTERN_POINT && o.delivered_on != DATE_NONE)
        return err_set(e, ERR_RULE, "obligation %s was already delivered", o.ref);
    int rc = book_begin(b, e);
    if (rc != ERR_OK)
        return rc;
    char at[32];
    sqlite3_stmt *st = db_prepare(b, sql);
    db_bind_int(st, ":o", o.id);
    db_bind_date(st, ":on", on);
    if (want == PATTERN_USAGE) {
        db_bind_int(st, ":value", value);
        db_bind_text(st, ":quantity", text);
    } else if (want == PATTERN_PROGRESS) {
        db_bind_int(st, ":value", value);
    }
    if (want != PATTERN_POINT) {
        db_bind_text(st, ":by", book_user(b));
        db_bind_text(st, ":at", book_timestamp(b, at, sizeof at));
    }
    if ((rc = db_exec(b, st, e)) == ERR_OK && (rc = schedule_replan_contract(b, &c, e)) == ERR_OK)
        rc = db_log(b, action, "obligation", o.id, NULL, e);
    if (rc != ERR_OK) {
        book_rollback(b);
        return rc;
    }
    return book_commit(b, e);
}

int obligation_deliver(struct book *b, const char *ref, int32_t on, struct err *e)
{
    return obligation_event(b, ref, PATTERN_POINT, "obligation.deliver",
                            "UPDATE obligations SET delivered_on = :on WHERE id = :o", on, 0, NULL,
                            e);
}

int usage_record(struct book *b, const char *ref, int32_t on, const char *quantity,
                 struct money amount, struct err *e)
{
    if (!quantity || !*quantity || strspn(quantity, "0123456789.") != strlen(quantity) ||
        strchr(quantity, '.') != strrchr(quantity, '.'))
        return err_set(e, ERR_INPUT, "quantity: '%s' is not a number such as 1500 or 12.5",
                       quantity ? quantity : "");
    return obligation_event(b, ref, PATTERN_USAGE, "usage.record",
                            "INSERT INTO usage_records (obligation_id, on_date, quantity, amount,"
                            " created_by, created_at) VALUES (:o, :on, :quantity, :value, :by,"
                            " :at)",
                            on, amount.minor, quantity, e);
}

int progress_record(struct book *b, const char *ref, int32_t on, int32_t basis_points,
                    struct err *e)
{
    if (basis_points < 0 || basis_points > 10000)
        return err_set(e, ERR_INPUT, "percent: use 0 to 100");
    return obligation_event(b, ref, PATTERN_PROGRESS, "progress.record",
                            "INSERT INTO progress_records (obligation_id, on_date, basis_points,"
                            " created_by, created_at) VALUES (:o, :on, :value, :by, :at)",
                            on, basis_points, NULL, e);
}

/* ---- balances and lists ----------------------------------------------------------------- */

int contract_balance(struct book *b, const struct contract *c, int32_t as_of,
                     struct contract_balance *out, struct err *e)
{
    memset(out, 0, sizeof *out);
    /* Billed: its invoices' lines, less what modification memos credited back. */
    sqlite3_stmt *st = db_prepare(
        b, "SELECT coalesce((SELECT sum(l.amount) FROM invoice_lines l JOIN invoices i ON i.id ="
           " l.invoice_id WHERE l.contract_id = :k AND i.status = 'issued' AND i.issued_on <= :d),"
           " 0) - coalesce((SELECT sum(n.amount) FROM credit_notes n JOIN memos m ON m.id ="
           " n.memo_id WHERE m.contract_id = :k AND n.issued_on <= :d), 0)");
    db_bind_int(st, ":k", c->id);
    db_bind_date(st, ":d", as_of);
    if (db_step(b, st, e) < 0)
        return e->code;
    out->billed = db_col_money(st, 0);
    sqlite3_reset(st);
    struct obligations obs = {0};
    int rc = obligations_load(b, c->id, &obs, e);
    enum convention conv = book_convention(b);
    int32_t ahead = date_add_months(as_of, 12);
    struct money next12 = money_of(0);
    for (size_t i = 0; i < obs.n && rc == ERR_OK; i++) {
        struct recog_source src;
        if ((rc = recog_source_load(b, c, &obs.v[i], conv, &src, e)) != ERR_OK)
            break;
        struct money now = recognized_to(&src.in, as_of);
        struct money later = recognized_to(&src.in, ahead);
        out->recognized.minor += now.minor;
        next12.minor += later.minor - now.minor;
        if (obs.v[i].pattern != PATTERN_USAGE) {
            out->unrecognized.minor += obs.v[i].allocated.minor - now.minor;
            out->rpo_12.minor += later.minor - now.minor;
        }
        recog_source_free(&src);
    }
    obligations_free(&obs);
    int64_t net = out->billed.minor - out->recognized.minor;
    if (net > 0) {
        out->deferred = money_of(net);
        out->deferred_current = money_of(next12.minor < net ? next12.minor : net);
        if (out->deferred_current.minor < 0)
            out->deferred_current = money_of(0);
        out->deferred_noncurrent = money_of(net - out->deferred_current.minor);
    } else {
        out->contract_asset = money_of(-net);
    }
    return rc;
}

/* The contracts a query lists, but for their status: the pattern is text_like_pattern's. */
#define PAGE_WHERE                                                                                 \
    " WHERE (:customer = 0 OR k.customer_id = :customer) AND (:pattern IS NULL OR k.code LIKE"     \
    " :pattern ESCAPE '\\' OR c.code LIKE :pattern ESCAPE '\\' OR c.name LIKE :pattern ESCAPE"     \
    " '\\' OR k.description LIKE :pattern ESCAPE '\\')"

int contract_list_each(struct book *b, const struct contract_query *q,
                       int (*fn)(void *ctx, const struct contract_row *row, struct err *e),
                       void *ctx, struct err *e)
{
    char *pattern = text_like_pattern(q->filter);
    sqlite3_stmt *st = db_prepare(b, CONTRACT_SELECT PAGE_WHERE
                                  " AND (:status < 0 OR k.status = :status_name) ORDER BY"
                                  " k.code COLLATE NOCASE");
    db_bind_int(st, ":customer", q->customer_id);
    db_bind_int(st, ":status", q->status);
    db_bind_text(st, ":status_name", q->status >= 0 ? status_names[q->status] : "");
    db_bind_text(st, ":pattern", pattern);
    free(pattern);
    struct contract_row *r = xmalloc(sizeof *r);
    int rc, out = ERR_OK;
    while (out == ERR_OK && (rc = db_step(b, st, e)) == SQLITE_ROW) {
        memset(r, 0, sizeof *r);
        read_contract(st, &r->c);
        struct err ignore;
        if (transaction_price(&r->c.price, &r->transaction_price, &ignore) != ERR_OK)
            r->transaction_price = money_of(0);
        out = fn(ctx, r, e);
    }
    free(r);
    if (out != ERR_OK) {
        sqlite3_reset(st);
        return out;
    }
    return rc < 0 ? e->code : ERR_OK;
}

/* ---- positions of every contract, kept in temporary storage ------------------------------- */

struct contract_positions {
    struct book *b;
    char table[32]; /* temp.<table>: one per build, so two reports may be open at once */
    char curs[64][4];
    int exps[64], ncur;
};

struct position_cursor {
    struct contract_positions *p;
    sqlite3_stmt *st;
    struct contract_position row;
};

struct positions_pass {
    struct contract_positions *p;
    sqlite3_stmt *insert;
    int32_t as_of;
};

static int position_add(void *ctx, const struct contract_row *row, struct err *e)
{
    struct positions_pass *pass = ctx;
    struct contract_positions *p = pass->p;
    const struct contract *k = &row->c;
    if (k->status == CONTRACT_DRAFT)
        return ERR_OK;
    int cur = 0;
    while (cur < p->ncur && strcmp(p->curs[cur], k->currency) != 0)
        cur++;
    if (cur == p->ncur) {
        if (p->ncur == 64)
            return err_set(e, ERR_INPUT, "more than 64 currencies");
        snprintf(p->curs[cur], sizeof p->curs[cur], "%s", k->currency);
        p->exps[cur] = k->exponent;
        p->ncur++;
    }
    struct contract_balance bal;
    if (contract_balance(p->b, k, pass->as_of, &bal, e) != ERR_OK)
        return e->code;
    if (bal.unrecognized.minor == 0)
        return ERR_OK;
    sqlite3_stmt *st = pass->insert;
    db_bind_int(st, ":cur", cur);
    db_bind_text(st, ":contract", k->code);
    db_bind_text(st, ":customer", k->customer);
    db_bind_date(st, ":end", k->end_on);
    db_bind_money(st, ":price", row->transaction_price);
    db_bind_money(st, ":unrecognized", bal.unrecognized);
    db_bind_money(st, ":rpo12", bal.rpo_12);
    return db_exec(p->b, st, e);
}

struct contract_positions *contract_positions_build(struct book *b, int32_t as_of, struct err *e)
{
    static atomic_int built;
    struct contract_positions *p = xcalloc(1, sizeof *p);
    p->b = b;
    snprintf(p->table, sizeof p->table, "positions_%d", atomic_fetch_add(&built, 1));
    char *sql = xasprintf("CREATE TEMP TABLE %s (cur INTEGER, contract TEXT, customer TEXT,"
                          " end_on TEXT, price INTEGER, unrecognized INTEGER, rpo12 INTEGER)",
                          p->table);
    int rc = db_exec_script(b, sql, e);
    free(sql);
    if (rc != ERR_OK) {
        free(p);
        return NULL;
    }
    sql = xasprintf("INSERT INTO temp.%s VALUES (:cur, :contract, :customer, :end, :price,"
                    " :unrecognized, :rpo12)",
                    p->table);
    struct positions_pass pass = {p, db_prepare_owned(b, sql), as_of};
    free(sql);
    struct contract_query q = {.status = -1};
    if ((rc = book_begin_read(b, e)) == ERR_OK) {
        rc = contract_list_each(b, &q, position_add, &pass, e);
        book_end_read(b);
    }
    sqlite3_finalize(pass.insert);
    if (rc != ERR_OK) {
        contract_positions_free(p);
        return NULL;
    }
    return p;
}

int contract_positions_currencies(const struct contract_positions *p)
{
    return p->ncur;
}

const char *contract_positions_currency(const struct contract_positions *p, int i, int *exponent)
{
    *exponent = p->exps[i];
    return p->curs[i];
}

void contract_positions_free(struct contract_positions *p)
{
    if (!p)
        return;
    /* SQLite refuses to drop a table while another statement of the connection is part-way
     * (a list on screen): the rows go, the empty table stays until the book is closed. */
    char *sql = xasprintf("DROP TABLE IF EXISTS temp.%s", p->table);
    struct err ignore;
    if (db_exec_script(p->b, sql, &ignore) != ERR_OK) {
        free(sql);
        sql = xasprintf("DELETE FROM temp.%s", p->table);
        db_exec_script(p->b, sql, &ignore);
    }
    free(sql);
    free(p);
}

struct position_cursor *position_cursor_open(struct contract_positions *p, int currency)
{
    struct position_cursor *c = xcalloc(1, sizeof *c);
    c->p = p;
    char *sql = xasprintf("SELECT contract, customer, end_on, price, unrecognized, rpo12 FROM"
                          " temp.%s WHERE cur = :cur ORDER BY rowid",
                          p->table);
    c->st = db_prepare_owned(p->b, sql);
    free(sql);
    db_bind_int(c->st, ":cur", currency);
    return c;
}

int position_cursor_next(struct position_cursor *c, const struct contract_position **out,
                         struct err *e)
{
    sqlite3_stmt *st = c->st;
    int rc = db_step(c->p->b, st, e);
    if (rc != SQLITE_ROW)
        return rc < 0 ? -1 : 0;
    struct contract_position *r = &c->row;
    db_col_copy(st, 0, r->contract, sizeof r->contract);
    db_col_copy(st, 1, r->customer, sizeof r->customer);
    r->end_on = db_col_date(st, 2);
    r->price = db_col_money(st, 3);
    r->unrecognized = db_col_money(st, 4);
    r->rpo_12 = db_col_money(st, 5);
    *out = r;
    return 1;
}

void position_cursor_rewind(struct position_cursor *c)
{
    sqlite3_reset(c->st);
}

void position_cursor_close(struct position_cursor *c)
{
    if (!c)
        return;
    sqlite3_finalize(c->st);
    free(c);
}

static int append_row(void *ctx, const struct contract_row *row, struct err *e)
{
    (void)e;
    struct contract_rows *out = ctx;
    out->v = xgrow(out->v, &out->cap, out->n + 1, sizeof *out->v);
    out->v[out->n++] = *row;
    return ERR_OK;
}

int contract_list(struct book *b, const struct contract_query *q, struct contract_rows *out,
                  struct err *e)
{
    if (contract_list_each(b, q, append_row, out, e) != ERR_OK)
        return e->code;
    sqlite3_stmt *st;
    for (size_t i = 0; i < out->n; i++) {
        st = db_prepare(b, "SELECT count(*) FROM obligations WHERE contract_id = :k");
        db_bind_int(st, ":k", out->v[i].c.id);
        if (db_step(b, st, e) == SQLITE_ROW)
            out->v[i].obligations = (int)db_col_int(st, 0);
        sqlite3_reset(st);
    }
    return ERR_OK;
}

/* Keyset paging over contracts in code order (the code is unique, case-insensitively). The
 * leading `k.code >= :code` lets SQLite seek the code index, or contracts_status(status, code) for
 * one status; :incl takes the anchor itself too. Backward pages come nearest first. */
#define PAGE_FWD    " AND k.code >= :code AND (k.code > :code OR :incl)"
#define PAGE_BWD    " AND k.code <= :code AND (k.code < :code OR :incl)"
#define PAGE_STATUS " AND k.status = :status_name"
/* :bound ends the range a page may read (a reach). */
#define PAGE_FWD_END " AND k.code <= :bound ORDER BY k.code LIMIT :limit"
#define PAGE_BWD_END " AND k.code >= :bound ORDER BY k.code DESC LIMIT :limit"

/* By status given, backward. */
static const char *const page_sql[2][2] = {
    {CONTRACT_SELECT PAGE_WHERE PAGE_FWD PAGE_FWD_END,
     CONTRACT_SELECT PAGE_WHERE PAGE_BWD PAGE_BWD_END},
    {CONTRACT_SELECT PAGE_WHERE PAGE_STATUS PAGE_FWD PAGE_FWD_END,
     CONTRACT_SELECT PAGE_WHERE PAGE_STATUS PAGE_BWD PAGE_BWD_END},
};

/* The contract `skip` past the anchor in the page's direction, of the status given. */
#define REACH_SELECT                                                                               \
    "SELECT k.code FROM contracts k WHERE (:status_name IS NULL OR k.status = :status_name)"
static const char *const reach_sql[2] = {
    REACH_SELECT PAGE_FWD " ORDER BY k.code LIMIT 1 OFFSET :skip",
    REACH_SELECT PAGE_BWD " ORDER BY k.code DESC LIMIT 1 OFFSET :skip",
};

static void bind_anchor(sqlite3_stmt *st, enum page_seek seek, const char *anchor)
{
    db_bind_int(st, ":incl", seek == PAGE_FROM || seek == PAGE_UNTIL);
    if (seek == PAGE_FIRST)
        db_bind_text(st, ":code", ""); /* before every code */
    else if (seek == PAGE_LAST)
        db_bind_top(st, ":code");
    else
        db_bind_text(st, ":code", anchor ? anchor : "");
}

static void read_row(sqlite3_stmt *st, struct contract_row *r)
{
    memset(r, 0, sizeof *r);
    read_contract(st, &r->c);
    struct err ignore;
    if (transaction_price(&r->c.price, &r->transaction_price, &ignore) != ERR_OK)
        r->transaction_price = money_of(0);
}

int contract_page(struct book *b, const struct contract_query *q, enum page_seek seek,
                  const char *anchor, size_t limit, struct contract_rows *out, char *stop,
                  struct err *e)
{
    bool backward = page_seek_backward(seek);
    assert(!q->reach || stop);
    const char *status = q->status >= 0 ? status_names[q->status] : NULL;
    char bound[CODE_MAX + 1] = "";
    if (stop)
        *stop = '\0';
    /* A status alone seeks its index: only a filter or a customer may pass rows by. */
    if (q->reach && ((q->filter && *q->filter) || q->customer_id)) {
        sqlite3_stmt *st = db_prepare(b, reach_sql[backward]);
        bind_anchor(st, seek, anchor);
        db_bind_text(st, ":status_name", status);
        db_bind_int(st, ":skip", (int64_t)q->reach - 1);
        int rc = db_step(b, st, e);
        if (rc < 0)
            return e->code;
        if (rc == SQLITE_ROW)
            db_col_copy(st, 0, bound, sizeof bound);
        sqlite3_reset(st);
    }
    char *pattern = text_like_pattern(q->filter);
    sqlite3_stmt *st = db_prepare(b, page_sql[status != NULL][backward]);
    db_bind_int(st, ":customer", q->customer_id);
    if (status)
        db_bind_text(st, ":status_name", status);
    db_bind_text(st, ":pattern", pattern);
    db_bind_int(st, ":limit", (int64_t)limit);
    free(pattern);
    bind_anchor(st, seek, anchor);
    if (*bound)
        db_bind_text(st, ":bound", bound);
    else if (backward)
        db_bind_text(st, ":bound", "");
    else
        db_bind_top(st, ":bound");
    size_t first = out->n;
    int rc;
    while ((rc = db_step(b, st, e)) == SQLITE_ROW) {
        out->v = xgrow(out->v, &out->cap, out->n + 1, sizeof *out->v);
        read_row(st, &out->v[out->n++]);
    }
    if (rc < 0)
        return e->code;
    if (*bound && out->n - first < limit)
        memcpy(stop, bound, sizeof bound);
    if (backward)
        for (size_t i = first, j = out->n; i + 1 < j; i++, j--) {
            struct contract_row t = out->v[i];
            out->v[i] = out->v[j - 1];
            out->v[j - 1] = t;
        }
    for (size_t i = first; i < out->n; i++) {
        st = db_prepare(b, "SELECT count(*) FROM obligations WHERE contract_id = :k");
        db_bind_int(st, ":k", out->v[i].c.id);
        if (db_step(b, st, e) == SQLITE_ROW)
            out->v[i].obligations = (int)db_col_int(st, 0);
        sqlite3_reset(st);
    }
    return ERR_OK;
}

int contract_count(struct book *b, const struct contract_query *q, struct id_slice *s,
                   struct err *e)
{
    sqlite3_stmt *st;
    if ((q->filter && *q->filter) || q->customer_id) {
        st = db_prepare(b, "SELECT count(*), (SELECT coalesce(max(id), 0) FROM contracts) FROM"
                           " contracts k JOIN customers c ON c.id = k.customer_id" PAGE_WHERE
                           " AND (:status < 0 OR k.status = :status_name) AND k.id >= :from AND"
                           " k.id < :to");
        char *pattern = text_like_pattern(q->filter);
        db_bind_int(st, ":customer", q->customer_id);
        db_bind_text(st, ":pattern", pattern);
        db_bind_int(st, ":status", q->status);
        db_bind_text(st, ":status_name", q->status >= 0 ? status_names[q->status] : "");
        free(pattern);
    } else if (q->status >= 0) {
        /* The slice of ids, not the status's index: that would read all of the status's
         * contracts for each slice. */
        st = db_prepare(b, "SELECT count(*), (SELECT coalesce(max(id), 0) FROM contracts) FROM"
                           " contracts WHERE +status = :status_name AND id >= :from AND id < :to");
        db_bind_text(st, ":status_name", status_names[q->status]);
    } else {
        st = db_prepare(b, "SELECT count(*), (SELECT coalesce(max(id), 0) FROM contracts) FROM"
                           " contracts WHERE id >= :from AND id < :to");
    }
    return db_count(b, st, s, e);
}

void contract_rows_free(struct contract_rows *r)
{
    free(r->v);
    memset(r, 0, sizeof *r);
}

int contract_codes(struct book *b, bool active_only, struct contract_codes *out, struct err *e)
{
    memset(out, 0, sizeof *out);
    sqlite3_stmt *st = db_prepare(b, "SELECT code FROM contracts WHERE CASE WHEN :active THEN"
                                     " status = 'active' ELSE status <> 'draft' END ORDER BY code"
                                     " COLLATE NOCASE");
    db_bind_int(st, ":active", active_only);
    int rc;
    while ((rc = db_step(b, st, e)) == SQLITE_ROW) {
        out->v = xgrow(out->v, &out->cap, out->n + 1, sizeof *out->v);
        db_col_copy(st, 0, out->v[out->n++], sizeof out->v[0]);
    }
    if (rc < 0) {
        contract_codes_free(out);
        return e->code;
    }
    return ERR_OK;
}

void contract_codes_free(struct contract_codes *c)
{
    free(c->v);
    memset(c, 0, sizeof *c);
}
