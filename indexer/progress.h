/* indexer/progress.h: how far a run is, as operators expect to see it.
 * Owns: the progress line: files and MB done of the run's total, the rate, the time left.
 * On a terminal one line redrawn twice a second; elsewhere (cron, a systemd unit's journal)
 * a whole line every ARK_PROGRESS_LOG_S seconds, so a log shows a long run moving without
 * filling up; nothing with --quiet.
 * Not here: what is counted (main.c's one writer, fresh.c's parts count their own). */
#ifndef ARK_INDEXER_PROGRESS_H
#define ARK_INDEXER_PROGRESS_H

#include <stdint.h>

#define ARK_PROGRESS_TTY_S 0.5
#define ARK_PROGRESS_LOG_S 5.0 /* the default of --progress */

typedef enum { ARK_PROGRESS_OFF, ARK_PROGRESS_TTY, ARK_PROGRESS_LOG } ark_progress_mode;

typedef struct ark_progress {
    ark_progress_mode mode;
    double t0, last;       /* the run's start; the last line's time */
    uint64_t files, bytes; /* the run's totals: files to index, and their bytes */
    int shown;             /* a terminal line is on screen */
    double every;          /* log lines' interval (0: ARK_PROGRESS_LOG_S) */
} ark_progress;

/* Seconds on CLOCK_MONOTONIC. */
double ark_progress_now(void);
/* A line when one is due (force: now), from what is done so far. */
void ark_progress_show(ark_progress *p, uint64_t files_done, uint64_t bytes_done, uint64_t passages,
                       int force);
/* Erase the terminal line, before a message or the summary. */
void ark_progress_clear(ark_progress *p);

#endif
