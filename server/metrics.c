/* server/metrics.c: Prometheus counters and histogram.
 * Owns: fixed arrays of relaxed atomics, indexed by route and status.
 * Not here: /metrics routing and the index gauges' source (http.c).
 * Why fixed arrays: every label combination is known at compile time, so observing a
 * request is a handful of atomic adds with no lock and no allocation on the hot path. */
#include "metrics.h"

#include <stdatomic.h>

#include "arkivar/err.h"

/* The statuses the server itself sends; anything else (none today) counts as "other". */
static const int k_status[] = {200, 202, 400, 401, 403, 404, 405, 409, 413, 414, 415, 431, 500, 503};
#define NSTATUS (sizeof k_status / sizeof k_status[0])

/* Upper bounds in microseconds: .001 .005 .01 .025 .05 .1 .25 .5 1 2.5 seconds. */
static const uint64_t k_bucket_us[] = {1000, 5000, 10000, 25000, 50000,
                                       100000, 250000, 500000, 1000000, 2500000};
static const char *const k_bucket_le[] = {"0.001", "0.005", "0.01", "0.025", "0.05",
                                          "0.1", "0.25", "0.5", "1", "2.5"};
#define NBUCKET (sizeof k_bucket_us / sizeof k_bucket_us[0])

static const char *const k_route[ARK_ROUTE_COUNT] = {
    "search", "doc", "suggest", "health", "metrics", "page", "documents", "other"};

static atomic_uint_fast64_t g_requests[ARK_ROUTE_COUNT][NSTATUS + 1];
/* Non-cumulative per bucket (the last one is +Inf); summed when rendered. */
static atomic_uint_fast64_t g_bucket[ARK_ROUTE_COUNT][NBUCKET + 1];
static atomic_uint_fast64_t g_sum_us[ARK_ROUTE_COUNT];

const char *ark_metrics_route_name(ark_route r) {
    return (unsigned)r < ARK_ROUTE_COUNT ? k_route[r] : "other";
}

void ark_metrics_observe(ark_route r, int status, uint64_t micros) {
    if ((unsigned)r >= ARK_ROUTE_COUNT) r = ARK_ROUTE_OTHER;
    size_t si = NSTATUS;
    for (size_t i = 0; i < NSTATUS; i++)
        if (k_status[i] == status) si = i;
    size_t bi = NBUCKET;
    for (size_t i = 0; i < NBUCKET; i++)
        if (micros <= k_bucket_us[i]) {
            bi = i;
            break;
        }
    atomic_fetch_add_explicit(&g_requests[r][si], 1, memory_order_relaxed);
    atomic_fetch_add_explicit(&g_bucket[r][bi], 1, memory_order_relaxed);
    atomic_fetch_add_explicit(&g_sum_us[r], micros, memory_order_relaxed);
}

static uint64_t load(atomic_uint_fast64_t *a) {
    return (uint64_t)atomic_load_explicit(a, memory_order_relaxed);
}

int ark_metrics_render(ark_buf *out, const ark_engine_stats *st, uint64_t conns) {
    int rc = ark_buf_puts(out,
                          "# HELP arkivar_requests_total HTTP requests answered, by route and status.\n"
                          "# TYPE arkivar_requests_total counter\n");
    for (size_t r = 0; rc == 0 && r < ARK_ROUTE_COUNT; r++)
        for (size_t s = 0; rc == 0 && s <= NSTATUS; s++) {
            uint64_t v = load(&g_requests[r][s]);
            /* Zero series are left out: 7 routes x 9 statuses would be mostly noise. */
            if (v == 0) continue;
            if (s < NSTATUS)
                rc = ark_buf_printf(out, "arkivar_requests_total{route=\"%s\",status=\"%d\"} %llu\n",
                                    k_route[r], k_status[s], (unsigned long long)v);
            else
                rc = ark_buf_printf(out, "arkivar_requests_total{route=\"%s\",status=\"other\"} %llu\n",
                                    k_route[r], (unsigned long long)v);
        }
    if (rc == 0)
        rc = ark_buf_puts(out,
                          "# HELP arkivar_request_duration_seconds Time from request line to response queued.\n"
                          "# TYPE arkivar_request_duration_seconds histogram\n");
    for (size_t r = 0; rc == 0 && r < ARK_ROUTE_COUNT; r++) {
        /* Read each bucket once; counts may move while we render, but _count is the sum
         * of what we read, so the series stays internally consistent. */
        uint64_t cum = 0;
        for (size_t b = 0; rc == 0 && b <= NBUCKET; b++) {
            cum += load(&g_bucket[r][b]);
            rc = ark_buf_printf(out, "arkivar_request_duration_seconds_bucket{route=\"%s\",le=\"%s\"} %llu\n",
                                k_route[r], b < NBUCKET ? k_bucket_le[b] : "+Inf",
                                (unsigned long long)cum);
        }
        uint64_t sum = load(&g_sum_us[r]);
        if (rc == 0)
            rc = ark_buf_printf(out,
                                "arkivar_request_duration_seconds_sum{route=\"%s\"} %llu.%06llu\n"
                                "arkivar_request_duration_seconds_count{route=\"%s\"} %llu\n",
                                k_route[r], (unsigned long long)(sum / 1000000),
                                (unsigned long long)(sum % 1000000), k_route[r],
                                (unsigned long long)cum);
    }
    /* The version as a label, the Prometheus way (build_info), so that a dashboard can
     * join it onto any other series and an upgrade shows as a step. */
    if (rc == 0)
        rc = ark_buf_puts(out,
                          "# HELP arkivar_build_info The running server's version.\n"
                          "# TYPE arkivar_build_info gauge\n"
                          "arkivar_build_info{version=\"" ARK_VERSION "\"} 1\n");
    if (rc == 0)
        rc = ark_buf_printf(out,
                            "# HELP arkivar_connections_open HTTP connections open now.\n"
                            "# TYPE arkivar_connections_open gauge\n"
                            "arkivar_connections_open %llu\n",
                            (unsigned long long)conns);
    if (rc == 0 && st)
        rc = ark_buf_printf(out,
                            "# HELP arkivar_index_revision Index revision this server thread reads.\n"
                            "# TYPE arkivar_index_revision gauge\n"
                            "arkivar_index_revision %llu\n"
                            "# HELP arkivar_index_passages Passages in the index.\n"
                            "# TYPE arkivar_index_passages gauge\n"
                            "arkivar_index_passages %llu\n"
                            "# HELP arkivar_index_documents Documents in the index.\n"
                            "# TYPE arkivar_index_documents gauge\n"
                            "arkivar_index_documents %llu\n"
                            "# HELP arkivar_shards Databases searched (each shard of a sharded index, each --shard).\n"
                            "# TYPE arkivar_shards gauge\n"
                            "arkivar_shards %llu\n"
                            "# HELP arkivar_shards_up Of those, the ones answering (a remote one may be down).\n"
                            "# TYPE arkivar_shards_up gauge\n"
                            "arkivar_shards_up %llu\n",
                            (unsigned long long)st->revision, (unsigned long long)st->passages,
                            (unsigned long long)st->documents, (unsigned long long)st->shards,
                            (unsigned long long)st->shards_up);
    return rc ? ARK_ENOMEM : 0;
}
