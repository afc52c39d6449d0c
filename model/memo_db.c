/*
 * memo_db.c — modification memos in the book: classifying and previewing a change, keeping it
 * as a draft, approving it, and posting it in one transaction (ACCOUNTING.md §6).
 */
#include "model/memo.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "model/close.h"
#include "model/contract.h"
#include "model/date.h"
#include "model/db.h"
#include "model/invoice.h"
#include "model/journal.h"
#include "model/posting.h"
#include "model/schedule.h"
#include "model/text.h"
#include "model/xalloc.h"

void memo_free(struct memo *m)
{
    free(m->lines);
    free(m->months);
    m->lines = NULL;
    m->months = NULL;
    m->nlines = m->nmonths = 0;
}

/* Everything a computation holds while it works. */
struct calc {
    struct contract c;
    struct obligations obs;
    struct recog_source *src; /* per existing obligation */
    struct memo_ob *mo;       /* existing obligations, then the added ones */
    size_t n, nexisting;
    struct memo_terms terms;
    int64_t refund_invoice_id;
    struct obligation_input *adds; /* the added obligations, as they will be written */
    char **names;                  /* names made for renewal obligations */
};

static void calc_free(struct calc *k)
{
    for (size_t i = 0; i < k->nexisting; i++)
        recog_source_free(&k->src[i]);
    for (size_t i = 0; i < k->n; i++)
        if (k->names)
            free(k->names[i]);
    free(k->names);
    free(k->src);
    free(k->mo);
    free(k->adds);
    obligations_free(&k->obs);
    memset(k, 0, sizeof *k);
}

static int text_ok(const char *field, const char *s, size_t max, struct err *e)
{
    if (s && (!utf8_valid(s, strlen(s)) || text_has_control(s, false)))
        return err_set(e, ERR_INPUT, "%s: contains a control character or invalid UTF-8", field);
    if (s && strlen(s) > max)
        return err_set(e, ERR_INPUT, "%s: is longer than %zu bytes", field, max);
    return ERR_OK;
}

/* What the contract has billed up to a day, less what memos credited back. */
static int billed_to(struct book *b, int64_t contract_id, int32_t day, struct money *out,
                     struct err *e)
{
    sqlite3_stmt *st = db_prepare(
        b, "SELECT coalesce((SELECT sum(l.amount) FROM invoice_lines l JOIN invoices i ON i.id ="
           " l.invoice_id WHERE l.contract_id = :k AND i.status = 'issued' AND i.issued_on <= :d),"
           " 0) - coalesce((SELECT sum(n.amount) FROM credit_notes n JOIN memos m ON m.id ="
           " n.memo_id WHERE m.contract_id = :k AND n.issued_on <= :d), 0)");
    db_bind_int(st, ":k", contract_id);
    db_bind_date(st, ":d", day);
    if (db_step(b, st, e) < 0)
        return e->code;
    *out = db_col_money(st, 0);
    sqlite3_reset(st);
    return ERR_OK;
}

static const char *line_action(const struct memo_ob *o)
{
    if (o->added)
        return "added";
    if (o->removed)
        return "removed";
    return o->changed ? "changed" : "kept";
}

/* Revenue of the whole contract by month, before and after, from the obligations' rules. */
static void effect_months(struct calc *k, struct memo *m)
{
    int32_t lo = INT32_MAX, hi = INT32_MIN;
    struct recog_input *before = xcalloc(k->n, sizeof *before);
    struct recog_input *after = xcalloc(k->n, sizeof *after);
    struct recog_segment **room = xcalloc(k->n, sizeof *room);
    for (size_t i = 0; i < k->n; i++) {
        struct memo_ob *o = &k->mo[i];
        if (o->added) {
            /* A new obligation, planned from its own terms. */
            memset(&before[i], 0, sizeof before[i]);
            before[i].pattern = o->pattern;
            before[i].start = before[i].end = before[i].delivered_on = DATE_NONE;
            before[i].pause_start = before[i].pause_end = DATE_NONE;
            after[i] = o->in;
            after[i].allocated = o->new_allocated;
        } else {
            before[i] = o->in;
            room[i] = xcalloc(o->in.nsegments + 1, sizeof *room[i]);
            memo_after_input(o, room[i], &after[i]);
        }
        int32_t a, z;
        if (recognition_span(&before[i], &a, &z)) {
            lo = a < lo ? a : lo;
            hi = z > hi ? z : hi;
        }
        if (recognition_span(&after[i], &a, &z)) {
            lo = a < lo ? a : lo;
            hi = z > hi ? z : hi;
        }
    }
    if (lo <= hi) {
        size_t n = (size_t)(hi - lo + 1);
        m->months = xcalloc(n, sizeof *m->months);
        m->nmonths = n;
        struct money *amounts = xmalloc(n * sizeof *amounts);
        for (size_t p = 0; p < n; p++)
            m->months[p].period = lo + (int32_t)p;
        for (size_t i = 0; i < k->n; i++) {
            recognition_schedule(&before[i], lo, n, amounts);
            for (size_t p = 0; p < n; p++)
                m->months[p].before.minor += amounts[p].minor;
            recognition_schedule(&after[i], lo, n, amounts);
            for (size_t p = 0; p < n; p++)
                m->months[p].after.minor += amounts[p].minor;
        }
        free(amounts);
    }
    for (size_t i = 0; i < k->n; i++)
        free(room[i]);
    free(room);
    free(before);
    free(after);
}

/* Reads the contract, classifies the change and plans it; fills m with the memo's figures. */
static int compute(struct book *b, const struct memo_input *in, struct calc *k, struct memo *m,
                   struct err *e)
{
    memset(k, 0, sizeof *k);
    memset(m, 0, sizeof *m);
    int rc;
    if ((rc = contract_find(b, in->contract, &k->c, e)) != ERR_OK)
        return rc;
    struct contract *c = &k->c;
    if (c->status == CONTRACT_DRAFT)
        return err_set(e, ERR_RULE,
                       "contract %s is a draft: change its terms directly (contract edit); a memo"
                       " is for a contract already active",
                       c->code);
    if (c->status != CONTRACT_ACTIVE)
        return err_set(e, ERR_RULE, "contract %s is %s: it can no longer change", c->code,
                       contract_status_name(c->status));
    if (text_blank(in->description))
        return err_set(e, ERR_INPUT, "description: is empty (say what changes)");
    if ((rc = text_ok("description", in->description, 500, e)) != ERR_OK ||
        (rc = text_ok("ssp-analysis", in->ssp_analysis, 500, e)) != ERR_OK ||
        (rc = text_ok("rationale", in->rationale, 500, e)) != ERR_OK)
        return rc;

    m->contract_id = c->id;
    snprintf(m->contract, sizeof m->contract, "%s", c->code);
    snprintf(m->customer, sizeof m->customer, "%s", c->customer);
    snprintf(m->currency, sizeof m->currency, "%s", c->currency);
    m->exponent = c->exponent;
    m->type = in->type;
    snprintf(m->description, sizeof m->description, "%s", in->description);
    snprintf(m->ssp_analysis, sizeof m->ssp_analysis, "%s",
             in->ssp_analysis ? in->ssp_analysis : "");
    snprintf(m->rationale, sizeof m->rationale, "%s", in->rationale ? in->rationale : "");
    m->status = MEMO_DRAFT;
    m->pause_from = in->pause_from;
    m->pause_to = in->pause_to;
    m->new_end = in->new_end;
    m->refund = in->refund;

    /* The change in plain terms. */
    int32_t d = in->effective;
    if (in->type == MEMO_PAUSE) {
        if (in->pause_from == DATE_NONE || in->pause_to == DATE_NONE)
            return err_set(e, ERR_INPUT, "pause-from: a pause needs --pause-from and --pause-to");
        if (in->pause_to < in->pause_from)
            return err_set(e, ERR_INPUT, "pause-to: is before --pause-from");
        if (d == DATE_NONE)
            d = in->pause_from;
        if (d != in->pause_from)
            return err_set(e, ERR_INPUT, "effective: a pause takes effect on its first day");
    } else if (in->pause_from != DATE_NONE || in->pause_to != DATE_NONE) {
        return err_set(e, ERR_INPUT, "pause-from: only a memo of type pause pauses the service");
    }
    if (d == DATE_NONE)
        return err_set(e, ERR_INPUT, "effective: give the date the change takes effect");
    /* Only a cancellation can take effect before the service starts (once it was signed). */
    int32_t earliest =
        in->type == MEMO_CANCELLATION && c->signed_on != DATE_NONE ? c->signed_on : c->start_on;
    if (d < earliest)
        return err_set(e, ERR_INPUT, "effective: is before the contract %s (%s)",
                       earliest == c->start_on ? "starts" : "was signed",
                       date_format(earliest, (char[DATE_BUF]){0}, DATE_BUF));
    if (d > c->end_on + 1)
        return err_set(e, ERR_INPUT, "effective: is after the contract ends (%s)",
                       date_format(c->end_on, (char[DATE_BUF]){0}, DATE_BUF));
    m->effective = d;
    int32_t new_end = in->new_end;
    if (in->type == MEMO_TERMINATION && new_end == DATE_NONE)
        new_end = d - 1;
    if (in->type == MEMO_CANCELLATION)
        new_end = d - 1;
    if (in->type == MEMO_EXTENSION && (new_end == DATE_NONE || new_end <= c->end_on))
        return err_set(e, ERR_INPUT, "end: an extension needs a new --end after %s",
                       date_format(c->end_on, (char[DATE_BUF]){0}, DATE_BUF));
    if ((in->type == MEMO_TERMINATION) && new_end >= c->end_on)
        return err_set(e, ERR_INPUT, "end: a termination ends the contract before %s",
                       date_format(c->end_on, (char[DATE_BUF]){0}, DATE_BUF));
    if (new_end != DATE_NONE && in->type != MEMO_EXTENSION && in->type != MEMO_TERMINATION &&
        in->type != MEMO_CANCELLATION && new_end < d - 1)
        return err_set(e, ERR_INPUT, "end: is before the change takes effect");
    m->new_end = new_end;
    if (in->refund.minor < 0)
        return err_set(e, ERR_INPUT, "refund: cannot be negative");
    struct money delta = in->consideration_set ? in->consideration : money_of(-in->refund.minor);
    if (!in->consideration_set && in->refund.minor == 0)
        delta = money_of(0);
    m->consideration = delta;

    /* Memos apply in the order they take effect. */
    sqlite3_stmt *st = db_prepare(b, "SELECT number, effective_on FROM memos WHERE contract_id ="
                                     " :k AND status = 'posted' ORDER BY effective_on DESC, id"
                                     " DESC LIMIT 1");
    db_bind_int(st, ":k", c->id);
    int step = db_step(b, st, e);
    if (step < 0)
        return e->code;
    if (step == SQLITE_ROW) {
        db_col_copy(st, 0, m->supersedes, sizeof m->supersedes);
        int32_t last = db_col_date(st, 1);
        sqlite3_reset(st);
        if (d < last)
            return err_set(e, ERR_RULE,
                           "effective: memo %s already changed the contract from %s; a later"
                           " memo cannot take effect before it",
                           m->supersedes, date_format(last, (char[DATE_BUF]){0}, DATE_BUF));
    }

    /* The refund goes back on one of the contract's invoices. */
    if (in->refund.minor > 0) {
        st = db_prepare(b, "SELECT i.id, i.number, i.total FROM invoices i WHERE i.status ="
                           " 'issued' AND EXISTS (SELECT 1 FROM invoice_lines l WHERE l.invoice_id"
                           " = i.id AND l.contract_id = :k) AND (:number IS NULL OR i.number ="
                           " :number) AND i.issued_on <= :d ORDER BY (i.total >= :amount) DESC,"
                           " i.issued_on DESC, i.id DESC LIMIT 1");
        db_bind_int(st, ":k", c->id);
        db_bind_text(st, ":number", in->refund_invoice);
        db_bind_date(st, ":d", d);
        db_bind_money(st, ":amount", in->refund);
        step = db_step(b, st, e);
        if (step < 0)
            return e->code;
        if (step != SQLITE_ROW)
            return in->refund_invoice
                       ? err_set(e, ERR_INPUT,
                                 "invoice: %s is not an issued invoice of contract %s dated by %s",
                                 in->refund_invoice, c->code,
                                 date_format(d, (char[DATE_BUF]){0}, DATE_BUF))
                       : err_set(e, ERR_RULE,
                                 "refund: contract %s has no invoice issued by %s to credit",
                                 c->code, date_format(d, (char[DATE_BUF]){0}, DATE_BUF));
        k->refund_invoice_id = db_col_int(st, 0);
        db_col_copy(st, 1, m->refund_invoice, sizeof m->refund_invoice);
        sqlite3_reset(st);
    }

    /* The obligations as the rules see them, and the added ones. */
    if ((rc = obligations_load(b, c->id, &k->obs, e)) != ERR_OK)
        return rc;
    enum convention conv = book_convention(b);
    size_t nrenew = 0;
    if (in->type == MEMO_EXTENSION)
        for (size_t i = 0; i < k->obs.n; i++)
            nrenew += k->obs.v[i].pattern == PATTERN_RATABLE && k->obs.v[i].end_on == c->end_on;
    size_t cap = k->obs.n + in->nadds + nrenew;
    k->src = xcalloc(k->obs.n ? k->obs.n : 1, sizeof *k->src);
    k->mo = xcalloc(cap ? cap : 1, sizeof *k->mo);
    k->adds = xcalloc(cap ? cap : 1, sizeof *k->adds);
    k->names = xcalloc(cap ? cap : 1, sizeof *k->names);
    for (size_t i = 0; i < k->obs.n; i++) {
        const struct obligation *o = &k->obs.v[i];
        if ((rc = recog_source_load(b, c, o, conv, &k->src[i], e)) != ERR_OK)
            return rc;
        k->nexisting = i + 1;
        struct memo_ob *x = &k->mo[k->n++];
        x->pattern = o->pattern;
        x->method = o->ssp_method;
        x->ssp = o->ssp;
        x->range_low = o->residual_low;
        x->range_high = o->residual_high;
        x->discount_target = o->discount_target;
        x->allocated = o->allocated;
        x->in = k->src[i].in;
        x->start = k->src[i].in.start;
        x->end = o->end_on;
    }
    for (size_t j = 0; j < in->nchanges; j++) {
        const struct memo_change *ch = &in->changes[j];
        size_t i = 0;
        while (i < k->obs.n && strcasecmp(k->obs.v[i].ref, ch->ref ? ch->ref : "") != 0)
            i++;
        if (i == k->obs.n)
            return err_set(e, ERR_INPUT, "obligation: contract %s has no obligation '%s'", c->code,
                           ch->ref ? ch->ref : "");
        if (k->obs.v[i].pattern == PATTERN_USAGE)
            return err_set(e, ERR_RULE,
                           "obligation: %s is usage-based; its consideration follows usage and a"
                           " memo does not change it",
                           ch->ref);
        if (ch->remove)
            k->mo[i].removed = true;
        if (ch->restate) {
            if (ch->ssp.minor < 0)
                return err_set(e, ERR_INPUT, "ssp: cannot be negative");
            k->mo[i].ssp_restated = true;
            k->mo[i].ssp_new = ch->ssp;
        }
    }
    struct money added_ssp = money_of(0);
    for (size_t j = 0; j < in->nadds; j++) {
        const struct memo_addition *a = &in->adds[j];
        if (text_blank(a->name))
            return err_set(e, ERR_INPUT, "add: the added obligation needs a name");
        if ((rc = text_ok("add", a->name, 200, e)) != ERR_OK)
            return rc;
        if (a->pattern == PATTERN_USAGE)
            return err_set(e, ERR_INPUT,
                           "pattern: add a usage-based obligation as a new contract instead");
        if (a->ssp.minor <= 0)
            return err_set(e, ERR_INPUT, "ssp: the added obligation needs its standalone price");
        struct obligation_input *oi = &k->adds[j];
        oi->name = a->name;
        oi->pattern = a->pattern;
        oi->ssp = a->ssp;
        oi->ssp_method = a->method;
        oi->ssp_evidence = a->evidence;
        oi->start_on = a->start != DATE_NONE ? a->start : d;
        oi->end_on = a->end != DATE_NONE ? a->end : (new_end != DATE_NONE ? new_end : c->end_on);
        oi->due_on = a->due;
        if (a->pattern == PATTERN_POINT && a->due == DATE_NONE)
            return err_set(e, ERR_INPUT, "due: an added point-in-time obligation needs --due");
        if (oi->end_on < oi->start_on)
            return err_set(e, ERR_INPUT, "end: the added obligation ends before it starts");
        money_accumulate(&added_ssp, a->ssp, &(bool){false});
    }
    size_t nadd = in->nadds;
    if (in->type == MEMO_EXTENSION) {
        /* A renewal adds the months beyond the old end, at the SSP of as long a service. */
        for (size_t i = 0; i < k->obs.n; i++) {
            const struct obligation *o = &k->obs.v[i];
            if (o->pattern != PATTERN_RATABLE || o->end_on != c->end_on)
                continue;
            struct obligation_input *oi = &k->adds[nadd];
            k->names[nadd] = xasprintf("%s (renewal)", o->name);
            oi->name = k->names[nadd];
            oi->pattern = PATTERN_RATABLE;
            oi->start_on = c->end_on + 1;
            oi->end_on = new_end;
            oi->ssp_method = o->ssp_method;
            oi->ssp_evidence = o->ssp_evidence;
            int64_t full = term_units(conv, o->start_on, o->end_on);
            int64_t more = term_units(conv, c->end_on + 1, new_end);
            struct err ignore;
            if (money_muldiv(o->ssp, more, full ? full : 1, ROUND_HALF_AWAY, &oi->ssp, &ignore) !=
                ERR_OK)
                oi->ssp = money_of(0);
            money_accumulate(&added_ssp, oi->ssp, &(bool){false});
            nadd++;
        }
    }

    /* The classification. */
    bool distinct_added = in->distinct_added >= 0 ? in->distinct_added != 0 : nadd > 0;
    bool at_ssp =
        in->at_ssp >= 0 ? in->at_ssp != 0 : distinct_added && delta.minor == added_ssp.minor;
    bool remaining = in->remaining_distinct >= 0 ? in->remaining_distinct != 0
                                                 : memo_default_remaining_distinct(in->type);
    m->distinct_added = distinct_added;
    m->at_ssp = at_ssp;
    m->remaining_distinct = remaining;
    m->suggested = memo_suggest(in->type, distinct_added, at_ssp, remaining);
    m->treatment = in->treatment >= 0 ? (enum memo_treatment)in->treatment : m->suggested;
    if ((m->treatment == TREAT_PAUSE) != (in->type == MEMO_PAUSE))
        return err_set(e, ERR_INPUT,
                       "treatment: pause is the treatment of a pause, and only of it");
    if (m->treatment != m->suggested && text_blank(in->rationale))
        return err_set(e, ERR_INPUT,
                       "rationale: the answers suggest %s; choosing %s needs a written reason",
                       memo_treatment_title(m->suggested), memo_treatment_title(m->treatment));
    if (m->treatment == TREAT_SEPARATE && in->nchanges)
        return err_set(e, ERR_RULE,
                       "separate contract: the original is untouched, so nothing can be removed"
                       " or restated on it");
    if (m->treatment == TREAT_SEPARATE) {
        if (in->new_code)
            snprintf(m->new_code, sizeof m->new_code, "%s", in->new_code);
        else
            snprintf(m->new_code, sizeof m->new_code, "%.28s-M%d", c->code, 1);
        if (!code_valid(m->new_code, CODE_MAX))
            return err_set(e, ERR_INPUT, "new-code: use 1 to 32 letters, digits, '.', '_' or '-'");
        /* Find a free code for the new contract when none was given. */
        for (int tries = 2;; tries++) {
            st = db_prepare(b, "SELECT 1 FROM contracts WHERE code = :code");
            db_bind_text(st, ":code", m->new_code);
            step = db_step(b, st, e);
            sqlite3_reset(st);
            if (step < 0)
                return e->code;
            if (step != SQLITE_ROW)
                break;
            if (in->new_code)
                return err_set(e, ERR_INPUT, "new-code: contract %s already exists", m->new_code);
            snprintf(m->new_code, sizeof m->new_code, "%.24s-M%d", c->code, tries % 10000);
        }
    }
    if (m->treatment != TREAT_SEPARATE && in->type == MEMO_EXTENSION) {
        /* Extended in place: the obligations run on rather than being added. */
        nadd = in->nadds;
    }
    for (size_t j = 0; j < nadd; j++) {
        struct memo_ob *x = &k->mo[k->n++];
        const struct obligation_input *oi = &k->adds[j];
        x->added = true;
        x->pattern = oi->pattern;
        x->method = oi->ssp_method;
        x->ssp = oi->ssp;
        x->start = oi->start_on;
        x->end = oi->end_on;
        x->in.pattern = oi->pattern;
        x->in.convention = conv;
        x->in.start = oi->pattern == PATTERN_POINT ? DATE_NONE : oi->start_on;
        x->in.end = oi->pattern == PATTERN_POINT ? DATE_NONE : oi->end_on;
        x->in.delivered_on = DATE_NONE;
        x->in.pause_start = x->in.pause_end = DATE_NONE;
    }

    /* The plan. */
    struct money tp;
    if ((rc = transaction_price(&c->price, &tp, e)) != ERR_OK)
        return rc;
    k->terms = (struct memo_terms){.type = in->type,
                                   .treatment = m->treatment,
                                   .convention = conv,
                                   .effective = d,
                                   /* In a closed month, the catch-up lands in the first
                                    * open one (ACCOUNTING.md §7). */
                                   .catch_up_from = period_posting_day(b, d),
                                   .consideration = delta,
                                   .discount = c->price.discount,
                                   .tp = tp,
                                   .contract_end = c->end_on,
                                   .new_end = m->treatment == TREAT_SEPARATE ? DATE_NONE : new_end,
                                   .pause_from = in->pause_from,
                                   .pause_to = in->pause_to};
    if ((rc = memo_plan(&k->terms, k->mo, k->n, e)) != ERR_OK)
        return rc;
    m->catch_up_period = period_of(k->terms.catch_up_from);

    /* The lines and the effect. */
    m->lines = xcalloc(k->n ? k->n : 1, sizeof *m->lines);
    m->nlines = k->n;
    m->tp_before = tp;
    m->tp_after = money_of(tp.minor + delta.minor);
    struct money rev_before = money_of(0), rev_after = money_of(0), rpo_b = money_of(0),
                 rpo_a = money_of(0), catch_up = money_of(0);
    for (size_t i = 0; i < k->n; i++) {
        struct memo_ob *o = &k->mo[i];
        struct memo_line *l = &m->lines[i];
        if (o->added) {
            snprintf(l->ref, sizeof l->ref, "%s",
                     m->treatment == TREAT_SEPARATE ? m->new_code : "new");
            snprintf(l->name, sizeof l->name, "%s", k->adds[i - k->nexisting].name);
            l->end_before = DATE_NONE;
        } else {
            snprintf(l->ref, sizeof l->ref, "%s", k->obs.v[i].ref);
            snprintf(l->name, sizeof l->name, "%s", k->obs.v[i].name);
            l->end_before = o->pattern == PATTERN_POINT ? k->obs.v[i].due_on : o->end;
            l->recognized_before = recognized_to(&o->in, d - 1);
        }
        l->pattern = o->pattern;
        snprintf(l->action, sizeof l->action, "%s", line_action(o));
        l->ssp = o->ssp_restated ? o->ssp_new : o->ssp;
        l->remaining_ssp = o->remaining_ssp;
        l->allocated_before = o->added ? money_of(0) : o->allocated;
        l->allocated_after = o->new_allocated;
        l->catch_up = o->catch_up;
        l->end_after = o->pattern == PATTERN_POINT ? l->end_before : o->new_end;
        rev_before.minor += l->recognized_before.minor;
        catch_up.minor += o->catch_up.minor;
        if (o->pattern != PATTERN_USAGE) {
            rpo_b.minor += l->allocated_before.minor - l->recognized_before.minor;
            rpo_a.minor +=
                l->allocated_after.minor - l->recognized_before.minor - o->catch_up.minor;
        }
    }
    rev_after = money_of(rev_before.minor + catch_up.minor);
    m->revenue_before = rev_before;
    m->revenue_after = rev_after;
    m->catch_up = catch_up;
    m->rpo_before = rpo_b;
    m->rpo_after = rpo_a;
    struct money billed;
    if ((rc = billed_to(b, c->id, d, &billed, e)) != ERR_OK)
        return rc;
    m->deferred_before = money_of(billed.minor - rev_before.minor);
    m->deferred_after = money_of(billed.minor - in->refund.minor - rev_after.minor);
    effect_months(k, m);
    return ERR_OK;
}

int memo_preview(struct book *b, const struct memo_input *in, struct memo *out, struct err *e)
{
    struct calc k;
    int rc = compute(b, in, &k, out, e);
    calc_free(&k);
    if (rc != ERR_OK)
        memo_free(out);
    return rc;
}

/* Writes the memo's lines and effect (replacing what a draft held). */
static int write_effect(struct book *b, const struct memo *m, struct err *e)
{
    sqlite3_stmt *st = db_prepare(b, "DELETE FROM memo_lines WHERE memo_id = :m");
    db_bind_int(st, ":m", m->id);
    int rc = db_exec(b, st, e);
    if (rc == ERR_OK) {
        st = db_prepare(b, "DELETE FROM memo_effect WHERE memo_id = :m");
        db_bind_int(st, ":m", m->id);
        rc = db_exec(b, st, e);
    }
    for (size_t i = 0; i < m->nlines && rc == ERR_OK; i++) {
        const struct memo_line *l = &m->lines[i];
        st = db_prepare(b, "INSERT INTO memo_lines (memo_id, seq, ref, name, pattern, action, ssp,"
                           " remaining_ssp, allocated_before, allocated_after, recognized_before,"
                           " catch_up, end_before, end_after) VALUES (:m, :seq, :ref, :name,"
                           " :pattern, :action, :ssp, :rssp, :ab, :aa, :rb, :cu, :eb, :ea)");
        db_bind_int(st, ":m", m->id);
        db_bind_int(st, ":seq", (int64_t)i + 1);
        db_bind_text(st, ":ref", l->ref);
        db_bind_text(st, ":name", l->name);
        db_bind_text(st, ":pattern", pattern_name(l->pattern));
        db_bind_text(st, ":action", l->action);
        db_bind_money(st, ":ssp", l->ssp);
        db_bind_money(st, ":rssp", l->remaining_ssp);
        db_bind_money(st, ":ab", l->allocated_before);
        db_bind_money(st, ":aa", l->allocated_after);
        db_bind_money(st, ":rb", l->recognized_before);
        db_bind_money(st, ":cu", l->catch_up);
        db_bind_date(st, ":eb", l->end_before);
        db_bind_date(st, ":ea", l->end_after);
        rc = db_exec(b, st, e);
    }
    for (size_t i = 0; i < m->nmonths && rc == ERR_OK; i++) {
        char per[PERIOD_BUF];
        st = db_prepare(b, "INSERT INTO memo_effect (memo_id, period, before, after) VALUES (:m,"
                           " :p, :b, :a)");
        db_bind_int(st, ":m", m->id);
        db_bind_text(st, ":p", period_format(m->months[i].period, per, sizeof per));
        db_bind_money(st, ":b", m->months[i].before);
        db_bind_money(st, ":a", m->months[i].after);
        rc = db_exec(b, st, e);
    }
    if (rc == ERR_OK) {
        char per[PERIOD_BUF];
        st = db_prepare(b, "UPDATE memos SET revenue_before = :rb, revenue_after = :ra, catch_up ="
                           " :cu, catch_up_period = :cp, deferred_before = :db, deferred_after ="
                           " :da, rpo_before = :pb, rpo_after = :pa, distinct_added = :q1, at_ssp"
                           " = :q2, remaining_distinct = :q3, suggested = :sug, new_code ="
                           " nullif(:nc, ''), consideration = :cons, new_end = :ne WHERE id = :m");
        db_bind_money(st, ":rb", m->revenue_before);
        db_bind_money(st, ":ra", m->revenue_after);
        db_bind_money(st, ":cu", m->catch_up);
        db_bind_text(st, ":cp", period_format(m->catch_up_period, per, sizeof per));
        db_bind_money(st, ":db", m->deferred_before);
        db_bind_money(st, ":da", m->deferred_after);
        db_bind_money(st, ":pb", m->rpo_before);
        db_bind_money(st, ":pa", m->rpo_after);
        db_bind_int(st, ":q1", m->distinct_added);
        db_bind_int(st, ":q2", m->at_ssp);
        db_bind_int(st, ":q3", m->remaining_distinct);
        db_bind_text(st, ":sug", memo_treatment_name(m->suggested));
        db_bind_text(st, ":nc", m->new_code);
        db_bind_money(st, ":cons", m->consideration);
        db_bind_date(st, ":ne", m->new_end);
        db_bind_int(st, ":m", m->id);
        rc = db_exec(b, st, e);
    }
    return rc;
}

int memo_new(struct book *b, const struct memo_input *in, struct memo *out, struct err *e)
{
    struct calc k;
    int rc = compute(b, in, &k, out, e);
    if (rc != ERR_OK)
        goto done;
    if ((rc = book_begin(b, e)) != ERR_OK)
        goto done;
    if ((rc = posting_next_number(b, "memo", out->number, sizeof out->number, e)) != ERR_OK)
        goto fail;
    char at[32];
    book_timestamp(b, at, sizeof at);
    char *original = db_snapshot(b, "contract", k.c.id);
    sqlite3_stmt *st = db_prepare(
        b, "INSERT INTO memos (number, contract_id, effective_on, type, description, refund,"
           " refund_invoice_id, pause_from, pause_to, distinct_added, at_ssp, remaining_distinct,"
           " ssp_analysis, suggested, treatment, rationale, original, prepared_by, prepared_at,"
           " supersedes_id) VALUES (:number, :k, :eff, :type, :desc, :refund, nullif(:inv, 0),"
           " :pf, :pt, :q1, :q2, :q3, nullif(:ssp, ''), :sug, :treat, nullif(:why, ''), :orig,"
           " :by, :at, (SELECT id FROM memos WHERE number = :sup))");
    db_bind_text(st, ":number", out->number);
    db_bind_int(st, ":k", k.c.id);
    db_bind_date(st, ":eff", out->effective);
    db_bind_text(st, ":type", memo_type_name(out->type));
    db_bind_text(st, ":desc", out->description);
    db_bind_money(st, ":refund", out->refund);
    db_bind_int(st, ":inv", k.refund_invoice_id);
    db_bind_date(st, ":pf", out->pause_from);
    db_bind_date(st, ":pt", out->pause_to);
    db_bind_int(st, ":q1", out->distinct_added);
    db_bind_int(st, ":q2", out->at_ssp);
    db_bind_int(st, ":q3", out->remaining_distinct);
    db_bind_text(st, ":ssp", out->ssp_analysis);
    db_bind_text(st, ":sug", memo_treatment_name(out->suggested));
    db_bind_text(st, ":treat", memo_treatment_name(out->treatment));
    db_bind_text(st, ":why", out->rationale);
    db_bind_text(st, ":orig", original ? original : "{}");
    db_bind_text(st, ":by", book_user(b));
    db_bind_text(st, ":at", at);
    db_bind_text(st, ":sup", out->supersedes);
    rc = db_exec(b, st, e);
    free(original);
    if (rc != ERR_OK)
        goto fail;
    out->id = db_last_id(b);
    snprintf(out->prepared_by, sizeof out->prepared_by, "%s", book_user(b));
    snprintf(out->prepared_at, sizeof out->prepared_at, "%s", at);
    for (size_t j = 0; j < in->nadds && rc == ERR_OK; j++) {
        const struct memo_addition *a = &in->adds[j];
        st = db_prepare(b, "INSERT INTO memo_additions (memo_id, seq, name, pattern, ssp,"
                           " ssp_method, ssp_evidence, start_on, end_on, due_on) VALUES (:m, :seq,"
                           " :name, :pattern, :ssp, :method, nullif(:ev, ''), :start, :end, :due)");
        db_bind_int(st, ":m", out->id);
        db_bind_int(st, ":seq", (int64_t)j + 1);
        db_bind_text(st, ":name", a->name);
        db_bind_text(st, ":pattern", pattern_name(a->pattern));
        db_bind_money(st, ":ssp", a->ssp);
        db_bind_text(st, ":method", ssp_method_name(a->method));
        db_bind_text(st, ":ev", a->evidence ? a->evidence : "");
        db_bind_date(st, ":start", a->start);
        db_bind_date(st, ":end", a->end);
        db_bind_date(st, ":due", a->due);
        rc = db_exec(b, st, e);
    }
    for (size_t j = 0; j < in->nchanges && rc == ERR_OK; j++) {
        const struct memo_change *ch = &in->changes[j];
        size_t i = 0;
        while (i < k.obs.n && strcasecmp(k.obs.v[i].ref, ch->ref) != 0)
            i++;
        if (ch->remove) {
            st = db_prepare(b, "INSERT INTO memo_changes (memo_id, obligation_id, action) VALUES"
                               " (:m, :o, 'remove')");
            db_bind_int(st, ":m", out->id);
            db_bind_int(st, ":o", k.obs.v[i].id);
            rc = db_exec(b, st, e);
        }
        if (rc == ERR_OK && ch->restate) {
            st = db_prepare(b, "INSERT INTO memo_changes (memo_id, obligation_id, action, ssp)"
                               " VALUES (:m, :o, 'ssp', :ssp)");
            db_bind_int(st, ":m", out->id);
            db_bind_int(st, ":o", k.obs.v[i].id);
            db_bind_money(st, ":ssp", ch->ssp);
            rc = db_exec(b, st, e);
        }
    }
    if (rc == ERR_OK)
        rc = write_effect(b, out, e);
    if (rc == ERR_OK)
        rc = db_log(b, "memo.new", "memo", out->id, NULL, e);
    if (rc != ERR_OK)
        goto fail;
    rc = book_commit(b, e);
    goto done;
fail:
    book_rollback(b);
done:
    calc_free(&k);
    if (rc != ERR_OK)
        memo_free(out);
    return rc;
}

/* ---- reading ---------------------------------------------------------------------------- */

#define MEMO_SELECT                                                                                \
    "SELECT m.id, m.number, m.contract_id, k.code, c.code, c.currency, cur.exponent,"              \
    " m.effective_on, m.type, m.description, m.consideration, m.refund, coalesce(i.number, ''),"   \
    " m.new_end, m.pause_from, m.pause_to, coalesce(m.new_code, ''), m.distinct_added,"            \
    " m.at_ssp, m.remaining_distinct, coalesce(m.ssp_analysis, ''), m.suggested, m.treatment,"     \
    " coalesce(m.rationale, ''), m.status, m.revenue_before, m.revenue_after, m.catch_up,"         \
    " m.catch_up_period, m.deferred_before, m.deferred_after, m.rpo_before, m.rpo_after,"          \
    " m.prepared_by, m.prepared_at, coalesce(m.approved_by, ''), coalesce(m.approved_at, ''),"     \
    " coalesce(m.posted_by, ''), coalesce(m.posted_at, ''), coalesce(n.code, ''),"                 \
    " coalesce(s.number, ''), m.revision FROM memos m JOIN contracts k ON k.id = m.contract_id"    \
    " JOIN customers c ON c.id = k.customer_id JOIN currencies cur ON cur.code = c.currency"       \
    " LEFT JOIN invoices i ON i.id = m.refund_invoice_id LEFT JOIN contracts n ON n.id ="          \
    " m.new_contract_id LEFT JOIN memos s ON s.id = m.supersedes_id"

static void read_memo(sqlite3_stmt *st, struct memo *m)
{
    memset(m, 0, sizeof *m);
    struct err ignore;
    m->id = db_col_int(st, 0);
    db_col_copy(st, 1, m->number, sizeof m->number);
    m->contract_id = db_col_int(st, 2);
    db_col_copy(st, 3, m->contract, sizeof m->contract);
    db_col_copy(st, 4, m->customer, sizeof m->customer);
    db_col_copy(st, 5, m->currency, sizeof m->currency);
    m->exponent = (int)db_col_int(st, 6);
    m->effective = db_col_date(st, 7);
    memo_type_parse(db_col_text(st, 8), &m->type, &ignore);
    db_col_copy(st, 9, m->description, sizeof m->description);
    m->consideration = db_col_money(st, 10);
    m->refund = db_col_money(st, 11);
    db_col_copy(st, 12, m->refund_invoice, sizeof m->refund_invoice);
    m->new_end = db_col_date(st, 13);
    m->pause_from = db_col_date(st, 14);
    m->pause_to = db_col_date(st, 15);
    db_col_copy(st, 16, m->new_code, sizeof m->new_code);
    m->distinct_added = db_col_int(st, 17) != 0;
    m->at_ssp = db_col_int(st, 18) != 0;
    m->remaining_distinct = db_col_int(st, 19) != 0;
    db_col_copy(st, 20, m->ssp_analysis, sizeof m->ssp_analysis);
    memo_treatment_parse(db_col_text(st, 21), &m->suggested, &ignore);
    memo_treatment_parse(db_col_text(st, 22), &m->treatment, &ignore);
    db_col_copy(st, 23, m->rationale, sizeof m->rationale);
    const char *s = db_col_text(st, 24);
    m->status = strcmp(s, "posted") == 0     ? MEMO_POSTED
                : strcmp(s, "approved") == 0 ? MEMO_APPROVED
                                             : MEMO_DRAFT;
    m->revenue_before = db_col_money(st, 25);
    m->revenue_after = db_col_money(st, 26);
    m->catch_up = db_col_money(st, 27);
    if (period_parse(db_col_text(st, 28), &m->catch_up_period, &ignore) != ERR_OK)
        m->catch_up_period = period_of(m->effective);
    m->deferred_before = db_col_money(st, 29);
    m->deferred_after = db_col_money(st, 30);
    m->rpo_before = db_col_money(st, 31);
    m->rpo_after = db_col_money(st, 32);
    db_col_copy(st, 33, m->prepared_by, sizeof m->prepared_by);
    db_col_copy(st, 34, m->prepared_at, sizeof m->prepared_at);
    db_col_copy(st, 35, m->approved_by, sizeof m->approved_by);
    db_col_copy(st, 36, m->approved_at, sizeof m->approved_at);
    db_col_copy(st, 37, m->posted_by, sizeof m->posted_by);
    db_col_copy(st, 38, m->posted_at, sizeof m->posted_at);
    db_col_copy(st, 39, m->new_contract, sizeof m->new_contract);
    db_col_copy(st, 40, m->supersedes, sizeof m->supersedes);
    m->revision = db_col_int(st, 41);
}

int memo_load(struct book *b, const char *number, struct memo *out, struct err *e)
{
    memset(out, 0, sizeof *out);
    sqlite3_stmt *st = db_prepare(b, MEMO_SELECT " WHERE m.number = :n COLLATE NOCASE");
    db_bind_text(st, ":n", number ? number : "");
    int step = db_step(b, st, e);
    if (step < 0)
        return e->code;
    if (step != SQLITE_ROW)
        return err_set(e, ERR_NOTFOUND, "no memo '%s'", number ? number : "");
    read_memo(st, out);
    sqlite3_reset(st);
    st = db_prepare(b, "SELECT ref, name, pattern, action, ssp, remaining_ssp, allocated_before,"
                       " allocated_after, recognized_before, catch_up, end_before, end_after FROM"
                       " memo_lines WHERE memo_id = :m ORDER BY seq");
    db_bind_int(st, ":m", out->id);
    size_t cap = 0;
    while ((step = db_step(b, st, e)) == SQLITE_ROW) {
        out->lines = xgrow(out->lines, &cap, out->nlines + 1, sizeof *out->lines);
        struct memo_line *l = &out->lines[out->nlines++];
        struct err ignore;
        db_col_copy(st, 0, l->ref, sizeof l->ref);
        db_col_copy(st, 1, l->name, sizeof l->name);
        pattern_parse(db_col_text(st, 2), &l->pattern, &ignore);
        db_col_copy(st, 3, l->action, sizeof l->action);
        l->ssp = db_col_money(st, 4);
        l->remaining_ssp = db_col_money(st, 5);
        l->allocated_before = db_col_money(st, 6);
        l->allocated_after = db_col_money(st, 7);
        l->recognized_before = db_col_money(st, 8);
        l->catch_up = db_col_money(st, 9);
        l->end_before = db_col_date(st, 10);
        l->end_after = db_col_date(st, 11);
    }
    if (step < 0)
        goto fail;
    st = db_prepare(b, "SELECT period, before, after FROM memo_effect WHERE memo_id = :m ORDER BY"
                       " period");
    db_bind_int(st, ":m", out->id);
    cap = 0;
    while ((step = db_step(b, st, e)) == SQLITE_ROW) {
        out->months = xgrow(out->months, &cap, out->nmonths + 1, sizeof *out->months);
        struct memo_month *mm = &out->months[out->nmonths++];
        struct err ignore;
        period_parse(db_col_text(st, 0), &mm->period, &ignore);
        mm->before = db_col_money(st, 1);
        mm->after = db_col_money(st, 2);
    }
    if (step < 0)
        goto fail;
    for (size_t i = 0; i < out->nlines; i++)
        if (strcmp(out->lines[i].action, "added") != 0)
            out->tp_before.minor += out->lines[i].allocated_before.minor;
    out->tp_after = money_of(out->tp_before.minor + out->consideration.minor);
    return ERR_OK;
fail:
    memo_free(out);
    return e->code;
}

int memo_approve(struct book *b, const char *number, const char *by, struct err *e)
{
    if (text_blank(by))
        return err_set(e, ERR_INPUT, "by: say who approves the memo");
    int rc = text_ok("by", by, 60, e);
    if (rc != ERR_OK)
        return rc;
    struct memo m;
    if ((rc = memo_load(b, number, &m, e)) != ERR_OK)
        return rc;
    if (m.status != MEMO_DRAFT)
        rc = err_set(e, ERR_RULE, "memo %s is already %s", m.number, memo_status_name(m.status));
    else if (strcasecmp(by, m.prepared_by) == 0)
        rc = err_set(e, ERR_RULE,
                     "by: %s prepared memo %s; someone else approves it (segregation of duties)",
                     by, m.number);
    if (rc == ERR_OK && (rc = book_begin(b, e)) == ERR_OK) {
        char *before = db_snapshot(b, "memo", m.id);
        char at[32];
        sqlite3_stmt *st = db_prepare(b, "UPDATE memos SET status = 'approved', approved_by = :by,"
                                         " approved_at = :at, revision = revision + 1 WHERE id ="
                                         " :m AND status = 'draft'");
        db_bind_text(st, ":by", by);
        db_bind_text(st, ":at", book_timestamp(b, at, sizeof at));
        db_bind_int(st, ":m", m.id);
        rc = db_exec(b, st, e);
        if (rc == ERR_OK)
            rc = db_log(b, "memo.approve", "memo", m.id, before, e);
        free(before);
        if (rc == ERR_OK)
            rc = book_commit(b, e);
        else
            book_rollback(b);
    }
    memo_free(&m);
    return rc;
}

/* ---- posting ---------------------------------------------------------------------------- */

/* The memo's input, read back from the book. */
struct stored_input {
    struct memo_input in;
    struct memo_addition *adds;
    struct memo_change *changes;
    char (*refs)[2 * CODE_MAX + 8];
    char (*names)[256];
    char (*evidence)[256];
};

static void stored_free(struct stored_input *s)
{
    free(s->adds);
    free(s->changes);
    free(s->refs);
    free(s->names);
    free(s->evidence);
}

static int stored_load(struct book *b, const struct memo *m, struct stored_input *s, struct err *e)
{
    memset(s, 0, sizeof *s);
    struct memo_input *in = &s->in;
    in->contract = m->contract;
    in->effective = m->effective;
    in->type = m->type;
    in->description = m->description;
    in->consideration_set = true;
    in->consideration = m->consideration;
    in->new_end = m->new_end;
    in->refund = m->refund;
    in->refund_invoice = m->refund_invoice[0] ? m->refund_invoice : NULL;
    in->pause_from = m->pause_from;
    in->pause_to = m->pause_to;
    in->new_code = m->new_code[0] ? m->new_code : NULL;
    in->distinct_added = m->distinct_added;
    in->at_ssp = m->at_ssp;
    in->remaining_distinct = m->remaining_distinct;
    in->ssp_analysis = m->ssp_analysis;
    in->treatment = (int)m->treatment;
    in->rationale = m->rationale;
    sqlite3_stmt *st = db_prepare(b, "SELECT name, pattern, ssp, ssp_method, coalesce(ssp_evidence,"
                                     " ''), start_on, end_on, due_on FROM memo_additions WHERE"
                                     " memo_id = :m ORDER BY seq");
    db_bind_int(st, ":m", m->id);
    size_t cap = 0, cap2 = 0, cap3 = 0;
    int step;
    while ((step = db_step(b, st, e)) == SQLITE_ROW) {
        s->adds = xgrow(s->adds, &cap, in->nadds + 1, sizeof *s->adds);
        s->names = xgrow(s->names, &cap2, in->nadds + 1, sizeof *s->names);
        s->evidence = xgrow(s->evidence, &cap3, in->nadds + 1, sizeof *s->evidence);
        struct memo_addition *a = &s->adds[in->nadds];
        struct err ignore;
        db_col_copy(st, 0, s->names[in->nadds], sizeof s->names[0]);
        db_col_copy(st, 4, s->evidence[in->nadds], sizeof s->evidence[0]);
        pattern_parse(db_col_text(st, 1), &a->pattern, &ignore);
        a->ssp = db_col_money(st, 2);
        ssp_method_parse(db_col_text(st, 3), &a->method, &ignore);
        a->start = db_col_date(st, 5);
        a->end = db_col_date(st, 6);
        a->due = db_col_date(st, 7);
        in->nadds++;
    }
    if (step < 0)
        return e->code;
    for (size_t j = 0; j < in->nadds; j++) {
        s->adds[j].name = s->names[j];
        s->adds[j].evidence = s->evidence[j];
    }
    st = db_prepare(b, "SELECT k.code || '/' || o.seq, c.action, c.ssp FROM memo_changes c JOIN"
                       " obligations o ON o.id = c.obligation_id JOIN contracts k ON k.id ="
                       " o.contract_id WHERE c.memo_id = :m ORDER BY o.seq, c.action");
    db_bind_int(st, ":m", m->id);
    cap = cap2 = 0;
    while ((step = db_step(b, st, e)) == SQLITE_ROW) {
        s->changes = xgrow(s->changes, &cap, in->nchanges + 1, sizeof *s->changes);
        s->refs = xgrow(s->refs, &cap2, in->nchanges + 1, sizeof *s->refs);
        struct memo_change *ch = &s->changes[in->nchanges];
        memset(ch, 0, sizeof *ch);
        db_col_copy(st, 0, s->refs[in->nchanges], sizeof s->refs[0]);
        ch->remove = strcmp(db_col_text(st, 1), "remove") == 0;
        ch->restate = !ch->remove;
        ch->ssp = db_col_money(st, 2);
        in->nchanges++;
    }
    if (step < 0)
        return e->code;
    for (size_t j = 0; j < in->nchanges; j++)
        s->changes[j].ref = s->refs[j];
    in->adds = s->adds;
    in->changes = s->changes;
    return ERR_OK;
}

static int post_separate(struct book *b, struct calc *k, struct memo *m, struct err *e)
{
    struct contract *c = &k->c;
    size_t nadd = k->n - k->nexisting;
    int32_t start = INT32_MAX, end = INT32_MIN;
    struct obligation_input *obs = xcalloc(nadd ? nadd : 1, sizeof *obs);
    for (size_t j = 0; j < nadd; j++) {
        obs[j] = k->adds[j];
        obs[j].contract = m->new_code;
        int32_t a = obs[j].pattern == PATTERN_POINT ? obs[j].due_on : obs[j].start_on;
        int32_t z = obs[j].pattern == PATTERN_POINT ? obs[j].due_on : obs[j].end_on;
        start = a < start ? a : start;
        end = z > end ? z : end;
    }
    if (m->effective < start)
        start = m->effective;
    char *desc = xasprintf("%s (from memo %s)", m->description, m->number);
    struct contract_input in = {.code = m->new_code,
                                .customer = c->customer,
                                .description = desc,
                                .signed_on = m->effective,
                                .start_on = start,
                                .end_on = end,
                                .trial_end = DATE_NONE,
                                .payment_terms_days = c->payment_terms_days,
                                .price = {.fixed = m->consideration},
                                .billing =
                                    c->billing == BILL_MILESTONE ? BILL_UPFRONT : c->billing};
    int rc = contract_create(b, &in, obs, nadd, m->effective, e);
    free(desc);
    free(obs);
    if (rc != ERR_OK)
        return rc;
    sqlite3_stmt *st = db_prepare(b, "UPDATE contracts SET parent_id = :p WHERE code = :code");
    db_bind_int(st, ":p", c->id);
    db_bind_text(st, ":code", m->new_code);
    if ((rc = db_exec(b, st, e)) != ERR_OK)
        return rc;
    st = db_prepare(b, "UPDATE memos SET new_contract_id = (SELECT id FROM contracts WHERE code ="
                       " :code) WHERE id = :m");
    db_bind_text(st, ":code", m->new_code);
    db_bind_int(st, ":m", m->id);
    if ((rc = db_exec(b, st, e)) != ERR_OK)
        return rc;
    snprintf(m->new_contract, sizeof m->new_contract, "%s", m->new_code);
    return ERR_OK;
}

static int post_in_place(struct book *b, struct calc *k, struct memo *m, struct err *e)
{
    struct contract *c = &k->c;
    int rc = ERR_OK;
    int32_t end = c->end_on;
    for (size_t i = 0; i < k->nexisting && rc == ERR_OK; i++) {
        const struct memo_ob *o = &k->mo[i];
        const struct obligation *ob = &k->obs.v[i];
        if (!o->changed)
            continue;
        char *before = db_snapshot(b, "obligation", ob->id);
        sqlite3_stmt *st = db_prepare(
            b, "UPDATE obligations SET initial_allocated = coalesce(initial_allocated, allocated),"
               " initial_end = coalesce(initial_end, end_on), allocated = :a, end_on = CASE WHEN"
               " end_on IS NULL THEN NULL WHEN :end < start_on THEN start_on ELSE :end END WHERE"
               " id = :o");
        db_bind_money(st, ":a", o->new_allocated);
        db_bind_date(st, ":end", o->new_end);
        db_bind_int(st, ":o", ob->id);
        rc = db_exec(b, st, e);
        if (rc == ERR_OK) {
            st = db_prepare(b, "INSERT INTO obligation_segments (obligation_id, memo_id, from_on,"
                               " base, allocated, start_on, end_on, progress_base) VALUES (:o, :m,"
                               " :from, :base, :a, :start, :end, :bp)");
            db_bind_int(st, ":o", ob->id);
            db_bind_int(st, ":m", m->id);
            db_bind_date(st, ":from", o->seg.from);
            db_bind_money(st, ":base", o->seg.base);
            db_bind_money(st, ":a", o->seg.allocated);
            db_bind_date(st, ":start", o->seg.start);
            db_bind_date(st, ":end", o->seg.end);
            db_bind_int(st, ":bp", o->seg.progress_base);
            rc = db_exec(b, st, e);
        }
        if (rc == ERR_OK)
            rc = db_log(b, "obligation.modify", "obligation", ob->id, before, e);
        free(before);
        if (o->pattern == PATTERN_RATABLE && o->new_end > end && !o->removed)
            end = o->new_end;
    }
    /* Added obligations join the contract. */
    for (size_t i = k->nexisting; i < k->n && rc == ERR_OK; i++) {
        const struct memo_ob *o = &k->mo[i];
        const struct obligation_input *oi = &k->adds[i - k->nexisting];
        sqlite3_stmt *st = db_prepare(
            b, "INSERT INTO obligations (contract_id, seq, name, pattern, ssp, ssp_method,"
               " ssp_evidence, start_on, end_on, due_on, allocated) VALUES (:k, (SELECT"
               " coalesce(max(seq), 0) + 1 FROM obligations WHERE contract_id = :k), :name,"
               " :pattern, :ssp, :method, nullif(:ev, ''), :start, :end, :due, :a)");
        db_bind_int(st, ":k", c->id);
        db_bind_text(st, ":name", oi->name);
        db_bind_text(st, ":pattern", pattern_name(oi->pattern));
        db_bind_money(st, ":ssp", oi->ssp);
        db_bind_text(st, ":method", ssp_method_name(oi->ssp_method));
        db_bind_text(st, ":ev", oi->ssp_evidence ? oi->ssp_evidence : "");
        db_bind_date(st, ":start", oi->pattern == PATTERN_POINT ? DATE_NONE : oi->start_on);
        db_bind_date(st, ":end", oi->pattern == PATTERN_POINT ? DATE_NONE : oi->end_on);
        db_bind_date(st, ":due", oi->pattern == PATTERN_POINT ? oi->due_on : DATE_NONE);
        db_bind_money(st, ":a", o->new_allocated);
        rc = db_exec(b, st, e);
        if (rc == ERR_OK) {
            int64_t id = db_last_id(b);
            /* The memo names the obligation it added by its reference from now on. */
            st = db_prepare(b, "SELECT seq FROM obligations WHERE id = :o");
            db_bind_int(st, ":o", id);
            if (db_step(b, st, e) == SQLITE_ROW && i < m->nlines)
                snprintf(m->lines[i].ref, sizeof m->lines[i].ref, "%s/%d", c->code,
                         (int)db_col_int(st, 0));
            sqlite3_reset(st);
            rc = db_log(b, "obligation.add", "obligation", id, NULL, e);
        }
        if (oi->pattern != PATTERN_POINT && oi->end_on > end)
            end = oi->end_on;
    }
    if (rc != ERR_OK)
        return rc;
    /* The contract's price, term and status. */
    bool ends = m->type == MEMO_TERMINATION || m->type == MEMO_CANCELLATION;
    if (ends)
        end = m->new_end;
    else if (m->type == MEMO_PAUSE || m->type == MEMO_EXTENSION || m->new_end != DATE_NONE)
        end = end > c->end_on || m->new_end == DATE_NONE ? end : m->new_end;
    else
        end = c->end_on > end ? c->end_on : end;
    char *before = db_snapshot(b, "contract", c->id);
    sqlite3_stmt *st = db_prepare(
        b, "UPDATE contracts SET modified = modified + :delta, end_on = CASE WHEN :end < start_on"
           " THEN end_on ELSE :end END, status = CASE WHEN :ends THEN 'terminated' ELSE status END,"
           " ended_on = CASE WHEN :ends THEN :eff ELSE ended_on END, revision = revision + 1"
           " WHERE id = :k");
    db_bind_money(st, ":delta", m->consideration);
    db_bind_date(st, ":end", end);
    db_bind_int(st, ":ends", ends);
    db_bind_date(st, ":eff", m->effective);
    db_bind_int(st, ":k", c->id);
    rc = db_exec(b, st, e);
    if (rc == ERR_OK)
        rc = db_log(b, "contract.modify", "contract", c->id, before, e);
    free(before);
    if (rc != ERR_OK)
        return rc;
    /* Re-plan the schedules from the new segments. */
    struct contract now;
    if ((rc = contract_find(b, c->code, &now, e)) != ERR_OK ||
        (rc = schedule_replan_contract(b, &now, e)) != ERR_OK)
        return rc;
    /* The catch-up is booked now, in the period it lands in, with the memo as its source. */
    if (m->catch_up.minor != 0) {
        char memo_text[160];
        snprintf(memo_text, sizeof memo_text, "cumulative catch-up of memo %s on %s", m->number,
                 c->code);
        struct journal_entry je;
        journal_init(&je, "modification", k->terms.catch_up_from, c->currency, memo_text, "memo",
                     m->id, c->customer_id);
        je.contract_id = c->id;
        if (m->catch_up.minor > 0) {
            journal_debit(&je, "deferred_revenue", m->catch_up, 0);
            journal_credit(&je, "revenue", m->catch_up, 0);
        } else {
            journal_debit(&je, "revenue", money_of(-m->catch_up.minor), 0);
            journal_credit(&je, "deferred_revenue", money_of(-m->catch_up.minor), 0);
        }
        int64_t entry = 0;
        if ((rc = journal_post(b, &je, &entry, e)) != ERR_OK)
            return rc;
        for (size_t i = 0; i < k->nexisting && rc == ERR_OK; i++) {
            if (k->mo[i].catch_up.minor == 0)
                continue;
            char per[PERIOD_BUF];
            st = db_prepare(b, "INSERT INTO recognition_postings (entry_id, obligation_id, period,"
                               " version, amount) VALUES (:e, :o, :p, (SELECT schedule_version FROM"
                               " obligations WHERE id = :o), :a)");
            db_bind_int(st, ":e", entry);
            db_bind_int(st, ":o", k->obs.v[i].id);
            db_bind_text(st, ":p",
                         period_format(period_of(k->terms.catch_up_from), per, sizeof per));
            db_bind_money(st, ":a", k->mo[i].catch_up);
            rc = db_exec(b, st, e);
            /* Postings made outside a recognition run: the next run compares this obligation's
             * whole schedule with what is posted. */
            if (rc == ERR_OK) {
                st = db_prepare(b, "UPDATE obligations SET recon_version = NULL WHERE id = :o");
                db_bind_int(st, ":o", k->obs.v[i].id);
                rc = db_exec(b, st, e);
            }
        }
    }
    return rc;
}

int memo_post(struct book *b, const char *number, struct memo *out, struct err *e)
{
    memset(out, 0, sizeof *out);
    struct memo stored;
    int rc = memo_load(b, number, &stored, e);
    if (rc != ERR_OK)
        return rc;
    if (stored.status != MEMO_APPROVED) {
        rc = err_set(e, ERR_RULE, "memo %s is %s: %s", stored.number,
                     memo_status_name(stored.status),
                     stored.status == MEMO_DRAFT ? "it is posted only once approved (memo approve)"
                                                 : "a posted memo is never posted again");
        memo_free(&stored);
        return rc;
    }
    struct stored_input si;
    struct calc k;
    memset(&k, 0, sizeof k);
    if ((rc = stored_load(b, &stored, &si, e)) != ERR_OK)
        goto done;
    if ((rc = book_begin(b, e)) != ERR_OK)
        goto done;
    if ((rc = compute(b, &si.in, &k, out, e)) != ERR_OK)
        goto fail;
    out->id = stored.id;
    snprintf(out->number, sizeof out->number, "%s", stored.number);
    snprintf(out->prepared_by, sizeof out->prepared_by, "%s", stored.prepared_by);
    snprintf(out->prepared_at, sizeof out->prepared_at, "%s", stored.prepared_at);
    snprintf(out->approved_by, sizeof out->approved_by, "%s", stored.approved_by);
    snprintf(out->approved_at, sizeof out->approved_at, "%s", stored.approved_at);
    char *before = db_snapshot(b, "memo", stored.id);
    rc = out->treatment == TREAT_SEPARATE ? post_separate(b, &k, out, e)
                                          : post_in_place(b, &k, out, e);
    if (rc == ERR_OK && out->refund.minor > 0) {
        char why[200];
        snprintf(why, sizeof why, "memo %s: %.150s", out->number, out->description);
        struct credit_note_result cn;
        rc = invoice_credit_note_for_memo(b, out->refund_invoice, out->refund, out->effective, why,
                                          out->id, k.c.id, &cn, e);
    }
    if (rc == ERR_OK)
        rc = write_effect(b, out, e);
    if (rc == ERR_OK) {
        char at[32];
        char *terms = db_snapshot(b, "contract", k.c.id);
        sqlite3_stmt *st = db_prepare(b, "UPDATE memos SET status = 'posted', posted_by = :by,"
                                         " posted_at = :at, terms = :terms, revision = revision +"
                                         " 1 WHERE id = :m");
        db_bind_text(st, ":by", book_user(b));
        db_bind_text(st, ":at", book_timestamp(b, at, sizeof at));
        db_bind_text(st, ":terms", terms ? terms : "{}");
        db_bind_int(st, ":m", stored.id);
        rc = db_exec(b, st, e);
        free(terms);
        out->status = MEMO_POSTED;
        snprintf(out->posted_by, sizeof out->posted_by, "%s", book_user(b));
        snprintf(out->posted_at, sizeof out->posted_at, "%s", at);
    }
    if (rc == ERR_OK)
        rc = db_log(b, "memo.post", "memo", stored.id, before, e);
    free(before);
    if (rc != ERR_OK)
        goto fail;
    rc = book_commit(b, e);
    goto done;
fail:
    book_rollback(b);
    memo_free(out);
done:
    calc_free(&k);
    stored_free(&si);
    memo_free(&stored);
    return rc;
}

int memo_list(struct book *b, int64_t contract_id, int32_t from, int32_t to, struct memo_rows *out,
              struct err *e)
{
    sqlite3_stmt *st = db_prepare(b, MEMO_SELECT " WHERE (:k = 0 OR m.contract_id = :k) AND (:from"
                                                 " IS NULL OR m.effective_on >= :from) AND (:to IS"
                                                 " NULL OR m.effective_on <= :to) ORDER BY m.id");
    db_bind_int(st, ":k", contract_id);
    db_bind_date(st, ":from", from);
    db_bind_date(st, ":to", to);
    int step;
    while ((step = db_step(b, st, e)) == SQLITE_ROW) {
        out->v = xgrow(out->v, &out->cap, out->n + 1, sizeof *out->v);
        read_memo(st, &out->v[out->n++]);
    }
    return step < 0 ? e->code : ERR_OK;
}

void memo_rows_free(struct memo_rows *r)
{
    free(r->v);
    memset(r, 0, sizeof *r);
}
