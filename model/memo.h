/*
 * memo.h — contract modifications (ACCOUNTING.md §6).
 *
 * Every change of scope or price goes through a memo: the change, the answers to the
 * classification questions, the treatment they suggest and the one chosen (with a rationale
 * when they differ), and the effect — computed before anything is posted. A memo goes draft →
 * approved → posted; posting applies the treatment in one transaction and a posted memo is never
 * edited: a later memo supersedes it.
 *
 * The rules here are pure: memo_plan() takes the contract's obligations as the recognition rules
 * see them and the change, and says how each obligation's revenue is governed from then on (a
 * recog_segment), what it is allocated, and the catch-up. memo_db.c reads and writes the book.
 */
#ifndef RATABLE_MEMO_H
#define RATABLE_MEMO_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "model/book.h"
#include "model/customer.h"
#include "model/err.h"
#include "model/money.h"
#include "model/recognition.h"

enum memo_type {
    MEMO_UPGRADE,        /* a higher tier or an add-on: obligations added */
    MEMO_SEAT_EXPANSION, /* more of the same service: obligations added */
    MEMO_DOWNGRADE,      /* less for less: price down, obligations removed */
    MEMO_PRICE_CHANGE,   /* the price changes, the scope does not */
    MEMO_EXTENSION,      /* the term is extended or renewed */
    MEMO_TERMINATION,    /* ended early, with or without a refund */
    MEMO_PAUSE,          /* service stops for a while; the term moves out by as long */
    MEMO_CANCELLATION,   /* cancelled before or as service starts */
};

enum memo_treatment {
    TREAT_SEPARATE,    /* a new contract; the original untouched */
    TREAT_PROSPECTIVE, /* what is not yet recognized, plus the change, over what remains */
    TREAT_CATCH_UP,    /* re-measured from inception; the difference booked now */
    TREAT_PAUSE,       /* recognition stops for the paused days */
};

enum memo_status { MEMO_DRAFT, MEMO_APPROVED, MEMO_POSTED };

const char *memo_type_name(enum memo_type t);
int memo_type_parse(const char *s, enum memo_type *out, struct err *e);
const char *memo_treatment_name(enum memo_treatment t);
const char *memo_treatment_title(enum memo_treatment t); /* "cumulative catch-up" */
int memo_treatment_parse(const char *s, enum memo_treatment *out, struct err *e);
const char *memo_status_name(enum memo_status s);

/* The answers' defaults for a type: whether the rest of the service is distinct from what has
 * been transferred (a series of distinct months: yes for additions and renewals; no when the
 * change reaches into a partly delivered obligation). */
bool memo_default_remaining_distinct(enum memo_type t);

/* The treatment the answers call for (the table of ACCOUNTING.md §6), and why, in words. */
enum memo_treatment memo_suggest(enum memo_type t, bool distinct_added, bool at_ssp,
                                 bool remaining_distinct);
const char *memo_suggest_reason(enum memo_type t, bool distinct_added, bool at_ssp,
                                bool remaining_distinct);

/* One obligation as memo_plan sees it. The caller fills the inputs; memo_plan the outputs. */
struct memo_ob {
    /* in */
    enum pattern pattern;
    enum ssp_method method;
    struct money ssp, range_low, range_high;
    bool discount_target;
    struct money allocated; /* its share now, earlier modifications included */
    struct recog_input in;  /* its revenue rule now (segments included); unused when added */
    int32_t start, end;     /* its term now (ratable, progress) */
    bool added;             /* the memo adds it: pattern, ssp, start/end or due are its terms */
    bool removed;           /* the memo removes it: its service stops the day before */
    bool ssp_restated;      /* the memo restates its standalone price */
    struct money ssp_new;
    /* out */
    bool changed; /* a segment governs it from seg.from on */
    struct recog_segment seg;
    struct money remaining_ssp; /* the weight it was given (prospective, catch-up) */
    struct money new_allocated; /* its share over its whole life after the memo */
    int32_t new_end;
    struct money catch_up; /* R after - R before, at the day before seg.from */
};

struct memo_terms {
    enum memo_type type;
    enum memo_treatment treatment;
    enum convention convention;
    int32_t effective;
    int32_t catch_up_from;      /* the first day the catch-up can land on (an open period) */
    struct money consideration; /* the change in the transaction price */
    struct money discount;      /* the contract's discount (for targeted discounts) */
    struct money tp;            /* the transaction price now */
    int32_t contract_end;       /* the term's end now */
    int32_t new_end;            /* DATE_NONE: unchanged */
    int32_t pause_from, pause_to;
};

/*
 * Applies the treatment to the obligations (ACCOUNTING.md §6):
 *  - separate: only the added obligations, allocated the change by relative SSP;
 *  - prospective: every obligation with something left to deliver on the effective date gets a
 *    segment from that date: what was recognized stays (base), and what is not yet recognized
 *    of all of them plus the change is allocated across them and the added ones by their
 *    standalone prices for what remains (a ratable one's SSP for the rest of its term);
 *  - catch-up: the new price is allocated from inception by SSP over the new terms (an
 *    obligation cut short keeps the SSP of the part it serves) and each obligation is
 *    re-measured from catch_up_from on; catch_up is the difference at the day before;
 *  - pause: ratable obligations serving on pause_from stop until pause_to and end as many
 *    days later.
 * Usage obligations keep their own variable consideration and are never changed.
 */
int memo_plan(const struct memo_terms *t, struct memo_ob *obs, size_t n, struct err *e);

/* The revenue rule of an obligation after the plan (its segment appended), for effects. The
 * caller provides room for in->nsegments + 1 segments. */
void memo_after_input(const struct memo_ob *o, struct recog_segment *room, struct recog_input *out);

/* ---- memos in the book ------------------------------------------------------------------ */

struct memo_addition {
    const char *name;
    enum pattern pattern; /* ratable, point or progress */
    struct money ssp;
    enum ssp_method method;
    const char *evidence;
    int32_t start, end; /* DATE_NONE: from the effective date to the contract's end */
    int32_t due;        /* point */
};

struct memo_change {
    const char *ref; /* CODE/N */
    bool remove;     /* the memo removes it */
    bool restate;    /* its standalone price is restated as ssp */
    struct money ssp;
};

struct memo_input {
    const char *contract;
    int32_t effective; /* DATE_NONE with a pause: the first paused day */
    enum memo_type type;
    const char *description;
    bool consideration_set;     /* else: none, or minus the refund for a termination */
    struct money consideration; /* the change in the transaction price, signed */
    int32_t new_end;            /* DATE_NONE: unchanged (a termination: the day before) */
    struct money refund;        /* credited back on one of the contract's invoices */
    const char *refund_invoice; /* NULL: the contract's latest invoice that covers it */
    int32_t pause_from, pause_to;
    const char *new_code;                           /* a separate contract's code; NULL: CODE-Mn */
    int distinct_added, at_ssp, remaining_distinct; /* 1 yes, 0 no, -1 as the change says */
    const char *ssp_analysis;
    int treatment; /* enum memo_treatment, or -1: the suggested one */
    const char *rationale;
    const struct memo_addition *adds;
    size_t nadds;
    const struct memo_change *changes;
    size_t nchanges;
};

struct memo_line {
    char ref[2 * CODE_MAX + 8];
    char name[256];
    enum pattern pattern;
    char action[8]; /* kept, changed, removed, added */
    struct money ssp, remaining_ssp, allocated_before, allocated_after, recognized_before, catch_up;
    int32_t end_before, end_after;
};

struct memo_month {
    int32_t period;
    struct money before, after;
};

struct memo {
    int64_t id;
    char number[CODE_MAX + 1];
    int64_t contract_id;
    char contract[CODE_MAX + 1];
    char customer[CODE_MAX + 1];
    char currency[4];
    int exponent;
    int32_t effective;
    enum memo_type type;
    char description[512];
    struct money consideration, refund;
    char refund_invoice[CODE_MAX + 1];
    int32_t new_end, pause_from, pause_to;
    char new_code[CODE_MAX + 1];
    bool distinct_added, at_ssp, remaining_distinct;
    char ssp_analysis[512];
    enum memo_treatment suggested, treatment;
    char rationale[512];
    enum memo_status status;
    struct money tp_before, tp_after;
    struct money revenue_before, revenue_after, catch_up;
    int32_t catch_up_period;
    struct money deferred_before, deferred_after, rpo_before, rpo_after;
    char prepared_by[64], prepared_at[32], approved_by[64], approved_at[32], posted_by[64],
        posted_at[32];
    char new_contract[CODE_MAX + 1];
    char supersedes[CODE_MAX + 1];
    int64_t revision;
    struct memo_line *lines;
    size_t nlines;
    struct memo_month *months;
    size_t nmonths;
};

void memo_free(struct memo *m);

/* Classifies the change and computes its effect on the book as it stands; writes nothing. */
int memo_preview(struct book *b, const struct memo_input *in, struct memo *out, struct err *e);
/* The same, kept as a draft memo (MOD-000001). */
int memo_new(struct book *b, const struct memo_input *in, struct memo *out, struct err *e);
int memo_load(struct book *b, const char *number, struct memo *out, struct err *e);
/* Approval by someone other than who prepared it. */
int memo_approve(struct book *b, const char *number, const char *by, struct err *e);
/* Applies an approved memo in one transaction: its effect is computed again on the book as it is
 * now and kept with it. */
int memo_post(struct book *b, const char *number, struct memo *out, struct err *e);

struct memo_rows {
    struct memo *v; /* without lines and months */
    size_t n, cap;
};
/* Memos effective in [from, to] (DATE_NONE: open), of one contract (0: all), by number. */
int memo_list(struct book *b, int64_t contract_id, int32_t from, int32_t to, struct memo_rows *out,
              struct err *e);
void memo_rows_free(struct memo_rows *r);

#endif
