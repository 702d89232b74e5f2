/* scripts/bench_extract.c: how fast the loaders turn a file into text.
 * Owns: loading FILE REPS times through ark_source_load (the indexer's loader, chosen by
 *   content) and printing one tab-separated line: format, file bytes, text bytes, pages
 *   (0 for formats without), the median and the fastest load in milliseconds.
 * Not here: making the files and the table (scripts/bench-extract.sh).
 * Why: the README's extraction figure; arkivar-indexer's own rate is mostly analysis
 *   and Xapian, and would hide a slow loader.
 *   bench_extract FILE [REPS]      (default 5) */
#include "arkivar/text.h"

#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <time.h>

static double now_ms(void) {
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return t.tv_sec * 1e3 + t.tv_nsec / 1e6;
}

static int cmp(const void *a, const void *b) {
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}

int main(int argc, char **argv) {
    if (argc < 2) {
        fprintf(stderr, "usage: bench_extract FILE [REPS]\n");
        return 2;
    }
    int reps = argc > 2 ? atoi(argv[2]) : 5;
    if (reps < 1 || reps > 1000) reps = 5;
    double *ms = calloc((size_t)reps, sizeof *ms);
    struct stat st;
    if (!ms || stat(argv[1], &st) != 0) return 1;
    ark_source s = {0};
    ark_err e = {0, ""};
    size_t text = 0, pages = 0;
    const char *format = "";
    for (int i = 0; i < reps; i++) {
        double t0 = now_ms();
        int rc = ark_source_load(argv[1], &s, &e);
        ms[i] = now_ms() - t0;
        if (rc) {
            fprintf(stderr, "bench_extract: %s\n", e.msg);
            return 1;
        }
        text = s.len;
        pages = s.npages;
        format = s.format; /* static */
        ark_source_free(&s);
    }
    qsort(ms, (size_t)reps, sizeof *ms, cmp);
    printf("%s\t%lld\t%zu\t%zu\t%.2f\t%.2f\n", format, (long long)st.st_size, text, pages,
           ms[reps / 2], ms[0]);
    free(ms);
    return 0;
}
