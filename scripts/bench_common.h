/* scripts/bench_common.h: what the two benchmark drivers share (bench_http.c and
 * bench_inproc.c): sorting latencies, nearest-rank percentiles, reading the query list.
 * Header-only: each driver is one file compiled by bench-load.sh. */
#ifndef ARK_BENCH_COMMON_H
#define ARK_BENCH_COMMON_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/types.h>

static inline int cmp_double(const void *a, const void *b) {
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}

/* Nearest-rank percentile of a sorted array. */
static inline double pct(const double *v, size_t n, double p) {
    if (n == 0) return 0;
    size_t k = (size_t)(p * (double)n + 0.999999);
    if (k < 1) k = 1;
    return v[(k > n ? n : k) - 1];
}

static inline char **read_lines(const char *path, size_t *n) {
    FILE *f = fopen(path, "r");
    if (!f) return NULL;
    char **v = NULL, *line = NULL;
    size_t cap = 0, lcap = 0;
    ssize_t len;
    *n = 0;
    while ((len = getline(&line, &lcap, f)) >= 0) {
        while (len > 0 && (line[len - 1] == '\n' || line[len - 1] == '\r')) line[--len] = '\0';
        if (len == 0) continue;
        if (*n == cap) {
            cap = cap ? cap * 2 : 256;
            char **nv = realloc(v, cap * sizeof *nv);
            if (!nv) exit(2);
            v = nv;
        }
        if (!(v[(*n)++] = strdup(line))) exit(2);
    }
    free(line);
    fclose(f);
    return v;
}

#endif
