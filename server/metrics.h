/* server/metrics.h: request counters and latency histogram in Prometheus text format.
 * Owns: the process-wide counters (lock-free atomics, written by every pool thread)
 * and their rendering for GET /metrics.
 * Not here: timing a request and choosing its route (http.c), index numbers
 * (the caller passes them in).
 * Why: operators need rates, error ratios and latency per route without a log parser. */
#ifndef ARKIVAR_SERVER_METRICS_H
#define ARKIVAR_SERVER_METRICS_H

#include <stdint.h>

#include "arkivar/buf.h"
#include "arkivar/search.h"

typedef enum ark_route {
    ARK_ROUTE_SEARCH = 0,
    ARK_ROUTE_DOC,
    ARK_ROUTE_SUGGEST,
    ARK_ROUTE_HEALTH,
    ARK_ROUTE_METRICS,
    ARK_ROUTE_PAGE,
    ARK_ROUTE_DOCUMENTS, /* PUT/DELETE /api/documents/ID */
    ARK_ROUTE_OTHER,
    ARK_ROUTE_COUNT
} ark_route;

/* The label value of a route ("search", "doc", …); static. */
const char *ark_metrics_route_name(ark_route r);

/* Count one finished request. Thread-safe, never fails, never blocks. */
void ark_metrics_observe(ark_route r, int status, uint64_t micros);

/* Append the exposition text to out. st may be NULL when no engine could be opened
 * (the index gauges are then left out). conns: connections open now. 0 or ARK_ENOMEM. */
int ark_metrics_render(ark_buf *out, const ark_engine_stats *st, uint64_t conns);

#endif
