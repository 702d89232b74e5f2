/* server/reply.h: what every route answers by, the JSON API and the site alike.
 * Owns: the request as a route sees it (path, parameters), the reply it fills, the
 * limits on parameters, the JSON error body and its machine-readable codes (the one
 * table of them, with their HTTP statuses: reply.c), and the mapping of engine error
 * codes to them.
 * Not here: which path runs which route (routes.h), sockets and headers (http.c).
 * Why apart: the routes know nothing of libmicrohttpd, so every response can be read
 * (and tested) without a socket, and the API and the page share one set of rules. */
#ifndef ARKIVAR_SERVER_REPLY_H
#define ARKIVAR_SERVER_REPLY_H

#include <stddef.h>
#include <stdint.h>

#include "arkivar/access.h"
#include "arkivar/buf.h"
#include "arkivar/err.h"
#include "json.h"

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
    const char *authenticate; /* static; when set, a WWW-Authenticate header is sent */
    int keep_open;            /* with retry_after: keep the connection (no Connection: close) */
} ark_reply;

/* The request as the routes see it. get(ctx, name) returns a query parameter, already
 * percent-decoded ('+' read as space), or NULL when absent; borrowed for the call. */
typedef struct ark_api_req {
    const char *path;   /* decoded path without the query string */
    const char *(*get)(void *ctx, const char *name);
    /* The names of the query parameters in the order given, repeats included, at most
     * max of them into out (borrowed for the call); returns how many there are. */
    size_t (*names)(void *ctx, const char **out, size_t max);
    void *ctx;
    uint64_t conns;     /* connections open now, for /metrics */
    const char *base;   /* "http://HOST:PORT" from a valid Host header (else the listen
                         * address): absolute URLs in /opensearch.xml; borrowed */
    ark_level level;    /* what the request's key grants: ARK_LEVEL_PUBLIC without one */
} ark_api_req;

/* The machine-readable reason of an error reply, its "code" (issue 15): integrators
 * branch on it, so a code's name never changes; the message may. Each has one HTTP
 * status (the table in reply.c); README.md and the OpenAPI document list them all. */
typedef enum ark_api_code {
    ARK_API_MISSING_QUERY,     /* 400: no q (or an empty or blank one) where one is needed */
    ARK_API_QUERY_TOO_LONG,    /* 400: q over ARK_API_MAX_Q bytes */
    ARK_API_BAD_LIMIT,         /* 400 */
    ARK_API_BAD_OFFSET,        /* 400 */
    ARK_API_UNKNOWN_PARAMETER, /* 400: a parameter the route does not take */
    ARK_API_BAD_PARAMETER,     /* 400: a value the route cannot use, or one given twice */
    ARK_API_TOO_MANY_PARAMETERS, /* 400: more than ARK_HTTP_MAX_ARGS */
    ARK_API_BAD_PATH,          /* 400: a control byte in the path */
    ARK_API_BAD_DOCUMENT_ID,   /* 400: a pushed document's id that is not safe */
    ARK_API_BAD_METADATA,      /* 400: a pushed document's metadata that the sidecar parser refuses */
    ARK_API_UNAUTHORIZED,      /* 401 */
    ARK_API_FORBIDDEN,         /* 403 */
    ARK_API_NOT_FOUND,         /* 404: no such route, document or file */
    ARK_API_METHOD_NOT_ALLOWED, /* 405 */
    ARK_API_CONFLICT,          /* 409: a pushed id that a folder's document holds */
    ARK_API_PAYLOAD_TOO_LARGE, /* 413 */
    ARK_API_URI_TOO_LONG,      /* 414 */
    ARK_API_UNSUPPORTED_FORMAT, /* 415 */
    ARK_API_NO_TEXT,           /* 422: a pushed document with no text */
    ARK_API_HOST_NOT_ALLOWED,  /* 421: a Host not on --allow-host */
    ARK_API_HEADERS_TOO_LARGE, /* 431 */
    ARK_API_INTERNAL,          /* 500: out of memory, an index that cannot be read */
    ARK_API_OVERLOADED,        /* 503 with Retry-After: too many connections, searches or pushes */
    ARK_API_SHUTTING_DOWN,     /* 503 with Retry-After */
    ARK_API_NOT_READY,         /* 503: /health/ready while the index cannot be read */
    ARK_API_SHARD_UNAVAILABLE, /* 503 with Retry-After: a shard is down, --on-shard-failure fail */
    ARK_API_DISK_FULL,         /* 507 */
    ARK_API_NCODES
} ark_api_code;

/* The code's name ("missing_query") and HTTP status; NULL and 500 outside the table. */
const char *ark_api_code_name(ark_api_code c);
int ark_api_code_status(ark_api_code c);

/* Fill r with {"error": {"status": N, "code": "...", "message": "..."}}, the status
 * the code's. If even that cannot be built, r->body is left empty with status 500 and
 * http.c sends a static body (code "internal"). */
void ark_api_error(ark_reply *r, ark_api_code code, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* Empty r's body and set its status and content type (a static string). */
void ark_reply_reset(ark_reply *r, int status, const char *type);
/* Finish the JSON written into r->body through j: r gets status and type, or a 500
 * when j ran out of memory. */
void ark_reply_json(ark_reply *r, ark_json *j, int status, const char *type);
/* After an ark_worker_* call (worker.h) that returned rc: 0 when rc is 0; else r holds
 * the error (400 bad_parameter for ARK_EINVAL, 404 not_found for ARK_ENOTFOUND, 500
 * internal otherwise, logged on stderr; "cannot open the index" when !opened) and rc is
 * returned. */
int ark_reply_engine_failed(ark_reply *r, const char *what, int rc, int opened, const ark_err *err);

/* Every query parameter of req named in allowed (NULL-terminated), each once: else 400
 * in r, unknown_parameter naming the first other one (and what the route takes), or
 * bad_parameter naming one given twice; -1. A parameter with an empty name ("a=1&&b=2")
 * is no parameter. Issue 15: a misspelt parameter ("limt") must not be ignored in
 * silence, and of two values neither is the obvious one. */
int ark_params_check(const ark_api_req *req, const char *route, const char *const *allowed,
                     ark_reply *r);

/* A strict unsigned decimal in [lo, hi] into *out: 0, or -1 (no sign, spaces or
 * trailing bytes are accepted). */
int ark_parse_uint(const char *s, unsigned long lo, unsigned long hi, unsigned long *out);
/* Whether s holds only ASCII whitespace (or nothing). */
int ark_is_blank(const char *s);
/* The parameter q of req: present, not blank, at most ARK_API_MAX_Q bytes; else NULL
 * with a 400 in r (missing_query, query_too_long). Borrowed from req. */
const char *ark_need_q(const ark_api_req *req, ark_reply *r);

#endif
