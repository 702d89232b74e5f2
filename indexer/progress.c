/* indexer/progress.c: the progress line. See progress.h. */
#include "progress.h"

#include <stdio.h>
#include <time.h>

double ark_progress_now(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* "1 min 20 s", "45 s", "2 h 05 min": the time left, as precise as it is worth. */
static void left_text(char *out, size_t cap, double s) {
    if (s < 60) snprintf(out, cap, "%.0f s", s);
    else if (s < 3600) snprintf(out, cap, "%.0f min %02.0f s", (double)(long)(s / 60), s - 60 * (double)(long)(s / 60));
    else snprintf(out, cap, "%ld h %02ld min", (long)(s / 3600), ((long)s % 3600) / 60);
}

void ark_progress_show(ark_progress *p, uint64_t files_done, uint64_t bytes_done, uint64_t passages,
                       int force) {
    if (p->mode == ARK_PROGRESS_OFF) return;
    double now = ark_progress_now();
    double every = p->mode == ARK_PROGRESS_TTY ? ARK_PROGRESS_TTY_S : p->every > 0 ? p->every : ARK_PROGRESS_LOG_S;
    if (!force && now - p->last < every) return;
    p->last = now;
    double secs = now - p->t0, mb = (double)bytes_done / 1e6, total_mb = (double)p->bytes / 1e6;
    double rate = secs > 0 ? mb / secs : 0;
    char left[32] = "?";
    /* By bytes: a file's cost is its size, and the first seconds' rate is a guess. */
    if (rate > 0 && bytes_done > 0 && p->bytes >= bytes_done)
        left_text(left, sizeof left, (total_mb - mb) / rate);
    if (p->mode == ARK_PROGRESS_TTY) {
        fprintf(stderr, "\r\033[K%llu/%llu files, %.1f/%.1f MB, %llu passages, %.1f MB/s, %s left",
                (unsigned long long)files_done, (unsigned long long)p->files, mb, total_mb,
                (unsigned long long)passages, rate, left);
        p->shown = 1;
    } else {
        fprintf(stderr, "arkivar-indexer: progress: %llu of %llu files, %.1f of %.1f MB, %llu "
                "passages, %.1f MB/s, %s left\n",
                (unsigned long long)files_done, (unsigned long long)p->files, mb, total_mb,
                (unsigned long long)passages, rate, left);
    }
    fflush(stderr);
}

void ark_progress_clear(ark_progress *p) {
    if (p->mode == ARK_PROGRESS_TTY && p->shown) fputs("\r\033[K", stderr);
    p->shown = 0;
}
