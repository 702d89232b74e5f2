/* scripts/bench/peers/arkivar-inproc/arkivar_bench.c: the peer benchmark's query driver
 * for Arkivar's engine in-process, without the server.
 * Owns: one ark_engine (opened as arkivar-server opens one per thread), the translated
 * query list run PASSES times in order through ark_search with limit 10 and the default
 * snippets (what GET /api/search?q=..&limit=10 asks of the engine), one line per call in
 * the harness's log format (../common/bench_common.h), the top 3 of pass 0 in SHOW.
 * Not here: HTTP (arkivar-http uses ../common/http_bench.c); load for a duration over
 * threads (scripts/bench_inproc.c, scripts/bench-load.sh).
 * Why a second driver: the harness times every query of every pass in order and keeps
 * the per-query figures (percentiles per query class, zero hits); bench_inproc.c samples
 * for a duration and prints one summary line.
 *
 *   arkivar_bench query INDEX_DIR ACRONYMS|- QUERIES PASSES LOG [SHOW]
 *
 * The latency covers ark_search only (parse, match, rerank, 10 passages, snippets and
 * highlights), as bench_inproc.c times it. A failed call is logged with rows -1 and
 * named on stderr. Exit status: 0; 1 when any call failed; 2 on bad use or an index or
 * acronym file that does not open. */
#include "bench_common.h"

#include "arkivar/analysis.h"
#include "arkivar/err.h"
#include "arkivar/search.h"

static void show_results(FILE *show, size_t qi, const char *q, const ark_results *res) {
    fprintf(show, "Q%zu %s -> %zu rows, %llu matches, parsed: %s\n", qi, q, res->n,
            (unsigned long long)res->total, res->parsed ? res->parsed : "");
    for (size_t i = 0; i < res->n && i < 3; i++)
        fprintf(show, "  %u. %s #%u: %.*s\n", res->v[i].rank, res->v[i].doc.id,
                res->v[i].passage.ordinal, (int)res->v[i].snippet_len, res->v[i].snippet);
}

int main(int argc, char **argv) {
    int rc = 2, arc;
    ark_an *an = NULL;
    ark_synonyms *syn = NULL;
    ark_engine *e = NULL;
    FILE *log = NULL, *show = NULL;
    ark_err err = {0, ""};
    size_t errors = 0;
    if (argc < 7 || argc > 8 || strcmp(argv[1], "query") != 0) {
        fprintf(stderr, "usage: %s query INDEX_DIR ACRONYMS|- QUERIES PASSES LOG [SHOW]\n", argv[0]);
        return 2;
    }
    const char *index = argv[2], *acronyms = argv[3];
    int passes = atoi(argv[5]);
    bench_queries qs = bench_read_queries(argv[4]);
    if (qs.n == 0 || passes < 1) {
        fprintf(stderr, "arkivar_bench: no queries in %s, or PASSES < 1\n", argv[4]);
        return 2;
    }
    /* As arkivar-server does: the default word list, the acronyms, then the engine,
     * all before the first clock reading. */
    if ((arc = ark_an_new(NULL, &an, &err)) != 0) goto open_failed;
    if (strcmp(acronyms, "-") != 0 && (arc = ark_synonyms_load(acronyms, &syn, &err)) != 0)
        goto open_failed;
    if ((arc = ark_engine_open(&index, 1, an, &e, &err)) != 0) goto open_failed;
    ark_engine_set_synonyms(e, syn);
    log = bench_open_log(argv[6]);
    if (argc == 8 && !(show = fopen(argv[7], "w"))) { perror(argv[7]); goto out; }
    for (int pass = 0; pass < passes; pass++) {
        for (size_t i = 0; i < qs.n; i++) {
            ark_search_req req = {.q = qs.q[i], .limit = 10};
            ark_results res;
            memset(&res, 0, sizeof res);
            err.msg[0] = '\0';
            double t0 = bench_now_us();
            arc = ark_search(e, &req, &res, &err);
            double us = bench_now_us() - t0;
            if (arc != 0) {
                errors++;
                fprintf(stderr, "arkivar_bench: query %zu '%s': %s\n", i, qs.q[i],
                        err.msg[0] ? err.msg : ark_strerror(arc));
                fprintf(log, "%d\t%zu\t%.1f\t-1\t-1\n", pass, i, us);
                continue;
            }
            fprintf(log, "%d\t%zu\t%.1f\t%zu\t%llu\n", pass, i, us, res.n,
                    (unsigned long long)res.total);
            if (show && pass == 0) show_results(show, i, qs.q[i], &res);
            ark_results_free(&res);
        }
    }
    rc = errors ? 1 : 0;
    goto out;
open_failed:
    fprintf(stderr, "arkivar_bench: %s: %s\n", index, err.msg[0] ? err.msg : ark_strerror(arc));
out:
    if (log) fclose(log);
    if (show) fclose(show);
    ark_engine_close(e);
    ark_synonyms_free(syn);
    ark_an_free(an);
    return rc;
}
