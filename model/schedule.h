/*
 * schedule.h — recognition schedules in the book, and posting them to the journal.
 *
 * An obligation's schedule is its revenue by month as the rules compute it (recognition.h).
 * Re-planning writes a new version only when the figures changed; earlier versions stay as the
 * obligation's history. Posting recognition through a month writes, per contract and month, one
 * journal entry (Deferred revenue / Revenue) for what the schedule says less what was already
 * posted for that month, and records which schedule lines it carried out; posting again changes
 * nothing.
 */
#ifndef RATABLE_SCHEDULE_H
#define RATABLE_SCHEDULE_H

#include <stddef.h>
#include <stdint.h>

#include "model/book.h"
#include "model/contract.h"

/* Re-plans every obligation of the contract; call inside a transaction. */
int schedule_replan_contract(struct book *b, const struct contract *c, struct err *e);

struct schedule_line {
    int32_t period;
    struct money amount;
    struct money posted; /* what recognition entries carried out for that month */
};

struct schedule {
    struct schedule_line *v;
    size_t n, cap;
    int version;
};
/* The obligation's current schedule (version 0: the latest), with what was posted. */
int schedule_load(struct book *b, int64_t obligation_id, int version, struct schedule *out,
                  struct err *e);
void schedule_free(struct schedule *s);

struct recognize_result {
    int entries;      /* journal entries written */
    int contracts;    /* contracts that had something to post */
    int64_t postings; /* obligation-month lines carried out */
};

/* Posts recognition for every contract for every month up to and including `through`. */
int recognize_through(struct book *b, int32_t through, struct recognize_result *out, struct err *e);

#endif
