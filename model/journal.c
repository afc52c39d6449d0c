/*
 * journal.c — assembling a journal entry in memory and checking that it balances.
 */
#include "model/journal.h"

#include <assert.h>
#include <stdlib.h>
#include <string.h>

#include "model/xalloc.h"

void journal_init(struct journal_entry *je, const char *kind, int32_t date, const char *currency,
                  const char *memo, const char *source_type, int64_t source_id, int64_t customer_id)
{
    memset(je, 0, sizeof *je);
    je->kind = kind;
    je->date = date;
    je->currency = currency;
    je->memo = memo;
    je->source_type = source_type;
    je->source_id = source_id;
    je->customer_id = customer_id;
    je->lines = je->small;
    je->cap = JOURNAL_INLINE_LINES;
}

void journal_free(struct journal_entry *je)
{
    if (je->lines != je->small)
        free(je->lines);
    je->lines = je->small;
    je->cap = JOURNAL_INLINE_LINES;
    je->n = 0;
}

static void add(struct journal_entry *je, const char *role, int64_t amount, int64_t invoice_id)
{
    journal_line_contract(je, role, amount, invoice_id, 0);
}

void journal_line_contract(struct journal_entry *je, const char *role, int64_t amount,
                           int64_t invoice_id, int64_t contract_id)
{
    if (amount == 0)
        return;
    /* Lines of the same account, invoice and contract add up into one. */
    for (int i = 0; i < je->n; i++) {
        struct journal_line *l = &je->lines[i];
        if (strcmp(l->role, role) == 0 && l->invoice_id == invoice_id &&
            l->contract_id == contract_id && (l->amount > 0) == (amount > 0)) {
            l->amount += amount;
            return;
        }
    }
    if (je->n == je->cap) {
        size_t cap = (size_t)je->cap * 2;
        struct journal_line *grown = xmalloc(cap * sizeof *grown);
        memcpy(grown, je->lines, (size_t)je->n * sizeof *grown);
        if (je->lines != je->small)
            free(je->lines);
        je->lines = grown;
        je->cap = (int)cap;
    }
    struct journal_line *l = &je->lines[je->n++];
    l->role = role;
    l->amount = amount;
    l->customer_id = je->customer_id;
    l->invoice_id = invoice_id;
    l->contract_id = contract_id;
}

void journal_debit(struct journal_entry *je, const char *role, struct money amount,
                   int64_t invoice_id)
{
    assert(amount.minor >= 0);
    add(je, role, amount.minor, invoice_id);
}

void journal_credit(struct journal_entry *je, const char *role, struct money amount,
                    int64_t invoice_id)
{
    assert(amount.minor >= 0);
    add(je, role, -amount.minor, invoice_id);
}

bool journal_balanced(const struct journal_entry *je)
{
    __int128 sum = 0;
    for (int i = 0; i < je->n; i++)
        sum += je->lines[i].amount;
    return sum == 0;
}

int journal_nonzero_lines(const struct journal_entry *je)
{
    int n = 0;
    for (int i = 0; i < je->n; i++)
        n += je->lines[i].amount != 0;
    return n;
}
