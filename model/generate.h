/*
 * generate.h — a believable synthetic book of any size, for measuring ratable at scale.
 *
 * The book is written the way a company would have written it, month after month, through the
 * model's own functions: customers in five currencies; annual and monthly subscriptions, bundles
 * with implementation and services, usage-priced plans and free trials; prepaid and promotional
 * credit; invoices from every contract's billing plan and the payments that settle most of them;
 * deliveries, usage and progress; modifications with their approved and posted memos; recognition
 * posted and every month closed but the last two. Because nothing bypasses the rules, `check`
 * passes on the result. The same seed and working date give the same book.
 */
#ifndef RATABLE_GENERATE_H
#define RATABLE_GENERATE_H

#include <stdint.h>

#include "model/book.h"
#include "model/err.h"

struct generate_input {
    int64_t customers; /* >= 1 */
    int64_t contracts; /* >= 0 */
    int months;        /* 1 .. 240: the book's history, ending with the month of `today` */
    uint64_t seed;
    int32_t today;
};

struct generate_result {
    int64_t customers, contracts, obligations;
    int64_t grants, invoices, payments, memos;
    int64_t usage, progress, deliveries;
    int closed; /* months closed */
};

/*
 * Fills a new, empty book (its own transactions: one per month of history, so memory stays
 * bounded). Progress is reported through book_progress as "generate" with months done of months;
 * a cancel stops it with ERR_CANCELLED. On any failure the book is left partly written: the
 * caller created it and removes it.
 */
int book_generate(struct book *b, const struct generate_input *in, struct generate_result *out,
                  struct err *e);

#endif
