/*
 * progress_bar.h — the progress of a long command on standard error, when that is a terminal:
 * one line redrawn at most ten times a second, `generate  [#######.......]  12/36  0:05`, erased
 * when the command ends. Nothing is written when standard error is a file or a pipe, so scripts
 * and logs see only the command's result.
 */
#ifndef RATABLE_PROGRESS_BAR_H
#define RATABLE_PROGRESS_BAR_H

#include <stdbool.h>
#include <stdint.h>

#include "model/progress.h"

struct progress_bar {
    struct progress p; /* what the book is given (book_set_progress) */
    bool tty;
    bool shown;
    int64_t started_ns, drawn_ns;
};

/* Writes width cells of '#' (done) and '.' (to do) into out (width + 1 bytes). */
void progress_bar_cells(char *out, int width, uint64_t done, uint64_t total);

/* Sets up bar (its p calls progress_bar_tick). */
void progress_bar_init(struct progress_bar *bar);
/* The tick: draws, and returns true when an interrupt (SIGINT, SIGTERM, SIGHUP) asked the
 * command to stop. */
bool progress_bar_tick(void *ctx, const char *what, uint64_t done, uint64_t total);
/* Erases the line if it was drawn. */
void progress_bar_end(struct progress_bar *bar);

/* While a command runs an operation that polls its progress, progress_cancellable is set: the
 * first interrupt then only sets progress_interrupted, and the operation stops at its next tick,
 * undoing what it wrote. Otherwise (or at a second interrupt) the process ends at once. */
extern volatile int progress_cancellable;
extern volatile int progress_interrupted;

#endif
