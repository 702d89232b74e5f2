/* scripts/bench_inproc.c: the benchmark's queries run in-process through the engine.
 * Owns: T threads, each with its own ark_engine (search.h: one thread per engine), each
 * walking the query list with ark_search (limit 10, default snippets: what
 * GET /api/search?q=..&limit=10 asks of the engine) or ark_suggest; one latency per call.
 * Not here: HTTP (bench_http.c), tables (bench-load.sh).
 * Why: the same queries with and without the server around the engine; the ratio of the
 * two p50s is what libmicrohttpd, routing and JSON cost per request.
 *
 *   bench_inproc INDEX_DIR QUERIES THREADS SECONDS [LABEL] [--suggest]
 *
 * SECONDS = 0 runs the list once per thread. With BENCH_LOG=FILE set, every call is also
 * written there as "ms<TAB>query" (to find the slow queries). Prints the line bench_http prints:
 *   LABEL threads requests errors seconds req/s p50_ms p90_ms p99_ms mean_ms max_ms
 * Exit status: 0, 1 when any call failed, 2 on bad use or an index that does not open.
 * Build (as bench-load.sh does): cc -std=c11 -Iinclude -c; link with c++ against
 * build/libarkivar.a and the Makefile's DEPS_LIBS. */
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "arkivar/analysis.h"
#include "arkivar/err.h"
#include "arkivar/search.h"

#include "bench_common.h"

typedef struct worker {
    int id;
    pthread_t th;
    ark_engine *e;
    double *lat;
    size_t *qix;        /* which query each latency belongs to (for BENCH_LOG) */
    size_t n, cap, errors;
    char first_error[600];
    double t_end;
} worker;

static char **g_queries;
static size_t g_nq;
static int g_threads, g_suggest;
static double g_seconds, g_t0;
static pthread_barrier_t g_start;

static double now_ms(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

static void fail(worker *w, const char *q, const ark_err *err, int rc) {
    if (w->errors++ == 0)
        snprintf(w->first_error, sizeof w->first_error, "%s: %s", q,
                 err->msg[0] ? err->msg : ark_strerror(rc));
}

static void *run(void *arg) {
    worker *w = arg;
    size_t qi = (size_t)w->id * g_nq / (size_t)g_threads, done = 0;
    pthread_barrier_wait(&g_start);
    double deadline = g_t0 + g_seconds * 1e3;
    for (;;) {
        if (g_seconds > 0 ? now_ms() >= deadline : done == g_nq) break;
        size_t this_q = qi;
        const char *q = g_queries[qi];
        qi = (qi + 1) % g_nq;
        done++;
        ark_err err = {0, ""};
        double t = now_ms();
        int rc;
        if (g_suggest) {
            char **v = NULL;
            size_t n = 0;
            rc = ark_suggest(w->e, q, 10, &v, &n, &err); /* ARK_API_MAX_SUGGEST */
            if (rc == 0) ark_strings_free(v, n);
        } else {
            ark_search_req req = {.q = q, .limit = 10};
            ark_results res;
            memset(&res, 0, sizeof res);
            rc = ark_search(w->e, &req, &res, &err);
            if (rc == 0) ark_results_free(&res);
        }
        double ms = now_ms() - t;
        if (rc != 0) {
            fail(w, q, &err, rc);
            continue;
        }
        if (w->n == w->cap) {
            size_t cap = w->cap ? w->cap * 2 : 4096;
            double *v = realloc(w->lat, cap * sizeof *v);
            if (v) w->lat = v;
            size_t *x = realloc(w->qix, cap * sizeof *x);
            if (x) w->qix = x;
            if (!v || !x) { fail(w, q, &err, ARK_ENOMEM); break; }
            w->cap = cap;
        }
        w->qix[w->n] = this_q;
        w->lat[w->n++] = ms;
    }
    w->t_end = now_ms();
    return NULL;
}

int main(int argc, char **argv) {
    int rc = 2;
    ark_an *an = NULL;
    worker *ws = NULL;
    if (argc < 5) {
        fprintf(stderr, "usage: bench_inproc INDEX_DIR QUERIES THREADS SECONDS [LABEL] [--suggest]\n");
        return 2;
    }
    const char *index = argv[1];
    g_threads = atoi(argv[3]);
    g_seconds = atof(argv[4]);
    const char *label = argc > 5 ? argv[5] : "inproc";
    g_suggest = argc > 6 && strcmp(argv[6], "--suggest") == 0;
    if (g_threads < 1 || g_threads > 256 || g_seconds < 0) {
        fprintf(stderr, "bench_inproc: THREADS must be 1..256 and SECONDS >= 0\n");
        return 2;
    }
    if (!(g_queries = read_lines(argv[2], &g_nq)) || g_nq == 0) {
        fprintf(stderr, "bench_inproc: no queries in %s\n", argv[2]);
        return 2;
    }
    ark_err err = {0, ""};
    int arc;
    /* As arkivar-server does: one analyzer prototype (default word list), one engine per
     * thread, opened before the clock starts. */
    if ((arc = ark_an_new(NULL, &an, &err)) != 0) {
        fprintf(stderr, "bench_inproc: analyzer: %s\n", err.msg[0] ? err.msg : ark_strerror(arc));
        goto out;
    }
    if (!(ws = calloc((size_t)g_threads, sizeof *ws))) goto out;
    for (int i = 0; i < g_threads; i++) {
        ws[i].id = i;
        if ((arc = ark_engine_open(&index, 1, an, &ws[i].e, &err)) != 0) {
            fprintf(stderr, "bench_inproc: %s: %s\n", index, err.msg[0] ? err.msg : ark_strerror(arc));
            goto out;
        }
    }
    pthread_barrier_init(&g_start, NULL, (unsigned)g_threads + 1);
    for (int i = 0; i < g_threads; i++)
        if (pthread_create(&ws[i].th, NULL, run, &ws[i]) != 0) {
            fprintf(stderr, "bench_inproc: cannot start thread %d\n", i);
            exit(2);  /* threads already started wait on the barrier forever */
        }
    g_t0 = now_ms();
    pthread_barrier_wait(&g_start);
    size_t total = 0, errors = 0;
    double t_end = g_t0;
    const char *first_error = NULL;
    for (int i = 0; i < g_threads; i++) {
        pthread_join(ws[i].th, NULL);
        total += ws[i].n;
        errors += ws[i].errors;
        if (ws[i].errors && !first_error) first_error = ws[i].first_error;
        if (ws[i].t_end > t_end) t_end = ws[i].t_end;
    }
    const char *log = getenv("BENCH_LOG");
    FILE *lf = log && *log ? fopen(log, "w") : NULL;
    for (int i = 0; lf && i < g_threads; i++)
        for (size_t j = 0; j < ws[i].n; j++)
            fprintf(lf, "%.3f\t%s\n", ws[i].lat[j], g_queries[ws[i].qix[j]]);
    if (lf) fclose(lf);
    double *all = malloc((total ? total : 1) * sizeof *all), sum = 0;
    if (!all) goto out;
    for (size_t k = 0, i = 0; i < (size_t)g_threads; k += ws[i].n, i++)
        memcpy(all + k, ws[i].lat, ws[i].n * sizeof *all);
    for (size_t i = 0; i < total; i++) sum += all[i];
    qsort(all, total, sizeof *all, cmp_double);
    double secs = (t_end - g_t0) / 1e3;
    printf("%s %d %zu %zu %.2f %.1f %.3f %.3f %.3f %.3f %.3f\n", label, g_threads, total, errors,
           secs, secs > 0 ? (double)total / secs : 0, pct(all, total, 0.50), pct(all, total, 0.90),
           pct(all, total, 0.99), total ? sum / (double)total : 0, total ? all[total - 1] : 0);
    if (first_error) fprintf(stderr, "bench_inproc: %zu failed calls; first: %s\n", errors, first_error);
    free(all);
    rc = errors ? 1 : 0;
out:
    for (int i = 0; ws && i < g_threads; i++) {
        ark_engine_close(ws[i].e);
        free(ws[i].lat);
        free(ws[i].qix);
    }
    free(ws);
    ark_an_free(an);
    return rc;
}
