/*
 * progress_bar.c — a one-line progress bar on standard error (progress_bar.h).
 */
#include "tui/progress_bar.h"

#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

volatile int progress_cancellable;
volatile int progress_interrupted;

static int64_t now_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

void progress_bar_cells(char *out, int width, uint64_t done, uint64_t total)
{
    uint64_t fill = total == 0      ? 0
                    : done >= total ? (uint64_t)width
                                    : done * (uint64_t)width / total;
    for (int i = 0; i < width; i++)
        out[i] = (uint64_t)i < fill ? '#' : '.';
    out[width] = '\0';
}

void progress_bar_init(struct progress_bar *bar)
{
    memset(bar, 0, sizeof *bar);
    bar->p.tick = progress_bar_tick;
    bar->p.ctx = bar;
    bar->tty = isatty(STDERR_FILENO) == 1;
    bar->started_ns = now_ns();
}

bool progress_bar_tick(void *ctx, const char *what, uint64_t done, uint64_t total)
{
    struct progress_bar *bar = ctx;
    if (!what || !bar->tty)
        return progress_interrupted != 0;
    int64_t t = now_ns();
    /* Quiet for the first half second (a quick command shows nothing), then ten times a second. */
    if (t - bar->started_ns < 500000000 || (bar->shown && t - bar->drawn_ns < 100000000))
        return progress_interrupted != 0;
    bar->drawn_ns = t;
    bar->shown = true;
    int64_t secs = (t - bar->started_ns) / 1000000000;
    char line[128];
    if (total > 0) {
        char bars[31];
        progress_bar_cells(bars, 30, done, total);
        snprintf(line, sizeof line, "%-10.10s [%s] %llu/%llu  %lld:%02lld", what, bars,
                 (unsigned long long)done, (unsigned long long)total, (long long)secs / 60,
                 (long long)secs % 60);
    } else {
        snprintf(line, sizeof line, "%-10.10s %llu  %lld:%02lld", what, (unsigned long long)done,
                 (long long)secs / 60, (long long)secs % 60);
    }
    fprintf(stderr, "\r%s\033[K", line);
    fflush(stderr);
    return progress_interrupted != 0;
}

void progress_bar_end(struct progress_bar *bar)
{
    if (bar->shown) {
        fputs("\r\033[K", stderr);
        fflush(stderr);
        bar->shown = false;
    }
}
