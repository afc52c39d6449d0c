/*
 * progress.h — how a long operation (import, billing, recognition, close, generate, an export)
 * tells its caller how far it has come, and learns that the person wants it stopped.
 *
 * The model never prints: it calls the caller's tick function now and then with a short label,
 * the units done and the units to do (0: not known). The tick decides what to show and how often
 * (a bar on the screen, or on standard error when that is a terminal) and returns true to cancel.
 * A cancelled operation stops, undoes what it wrote (the transaction rolls back, an export's
 * temporary file is removed) and fails with ERR_CANCELLED; nothing is half-written.
 */
#ifndef RATABLE_PROGRESS_H
#define RATABLE_PROGRESS_H

#include <stdbool.h>
#include <stdint.h>

struct progress {
    /* what NULL: no news, only the question whether to stop (asked often, from inside long
     * queries too). */
    bool (*tick)(void *ctx, const char *what, uint64_t done, uint64_t total);
    void *ctx;
};

/* Calls p's tick when there is one; true when the operation is to stop. p may be NULL. */
static inline bool progress_tick(const struct progress *p, const char *what, uint64_t done,
                                 uint64_t total)
{
    return p && p->tick && p->tick(p->ctx, what, done, total);
}

#endif
