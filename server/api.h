/* server/api.h: the routes, from a decoded request to a rendered reply.
 * Owns: the URL space (/api/search, /api/doc/ID, /api/suggest, /health, /metrics, and
 * the page routes /, /doc/ID, /opensearch.xml, /static/arkivar.js),
 * parameter validation, and rendering engine results as JSON or terminal text.
 * Not here: sockets, methods, size limits, compression, logging (http.c); the engine
 * itself (lib/search); the HTML page (page.c); JSON syntax (json.c).
 * Why apart from http.c: these routes know nothing of libmicrohttpd, so the contract
 * of every response lives in one file and can be read (and tested) without a socket. */
#ifndef ARKIVAR_SERVER_API_H
#define ARKIVAR_SERVER_API_H

#include <stdint.h>

#include "arkivar/buf.h"
#include "metrics.h"

#define ARK_API_MAX_Q 1000        /* bytes of q; longer is a 400 */
#define ARK_API_MAX_LIMIT 100
#define ARK_API_MAX_OFFSET 10000
#define ARK_API_MAX_SUGGEST 10

extern const char ark_api_json_type[]; /* "application/json; charset=utf-8" */

/* One response, filled by a route, sent and freed by http.c. */
typedef struct ark_reply {
    int status;
    const char *content_type; /* static string */
    ark_buf body;             /* owned; http.c transfers it to MHD */
    const char *allow;        /* static; when set, an Allow header is sent */
    const char *cache;        /* static Cache-Control value; NULL means no-store */
    int retry_after;          /* seconds; when > 0, a Retry-After header is sent */
} ark_reply;

/* The request as the routes see it. get(ctx, name) returns a query parameter, already
 * percent-decoded ('+' read as space), or NULL when absent; borrowed for the call. */
typedef struct ark_api_req {
    const char *path;   /* decoded path without the query string */
    const char *(*get)(void *ctx, const char *name);
    void *ctx;
    uint64_t conns;     /* connections open now, for /metrics */
    const char *base;   /* "http://HOST:PORT" from a valid Host header (else the listen
                         * address): absolute URLs in /opensearch.xml; borrowed */
} ark_api_req;

/* The route a path belongs to (for metrics), without running it. */
ark_route ark_api_route(const char *path);

/* Run the route for req and fill r (status, type, body). Never fails: out of memory or
 * an engine error becomes an error reply; if even that cannot be built, r->body is
 * left empty with status 500 and http.c sends a static body. */
void ark_api_handle(const ark_api_req *req, ark_reply *r);

/* Fill r with {"error": {"status": N, "message": "..."}}. */
void ark_api_error(ark_reply *r, int status, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

#endif
