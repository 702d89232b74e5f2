/* server/http.h: the HTTP side of the server, on libmicrohttpd.
 * Owns: the listening socket, the MHD daemon and its thread pool, per-request limits
 * (method, URL and header size, overload, Host), per-connection limits (per address,
 * the time to send a request), the hand-off of searches to the fair share (fair.h),
 * preflight OPTIONS; the response itself goes out through send.h (gzip, the common
 * headers, the access log and metrics).
 * Not here: what a route answers (api.c), flags and signals (main.c), engines
 * (worker.c).
 * Why: everything a client can do to the server before a route runs is checked in
 * one place, so a route only ever sees a well-formed GET or HEAD. */
#ifndef ARKIVAR_SERVER_HTTP_H
#define ARKIVAR_SERVER_HTTP_H

#include <stddef.h>

#include "arkivar/err.h"

#define ARK_HTTP_MAX_URL 8192       /* request target bytes; longer is a 414 */
#define ARK_HTTP_MAX_HEADERS 16384  /* header bytes; more is a 431 */
#define ARK_HTTP_MAX_ARGS 64        /* query parameters; more is a 400 */
#define ARK_HTTP_MAX_FIELDS 100     /* header fields; more is a 431 */
#define ARK_HTTP_MAX_BODY 1024      /* announced body bytes (Content-Length); more is a 413 */
/* Each connection's libmicrohttpd memory pool. Far above the limits above, so that our
 * checks answer (in JSON) before MHD runs out of room and answers by itself (HTML). */
#define ARK_HTTP_CONN_MEMORY (64 * 1024)
#define ARK_HTTP_GZIP_MIN 256       /* bodies at most this big are sent as they are */
#define ARK_HTTP_TIMEOUT_S 30       /* idle connections are closed after this (MHD) */
#define ARK_HTTP_REQUEST_TIMEOUT_S 10 /* default --request-timeout */
#define ARK_HTTP_FAIR_QUEUE 64      /* default --per-address-queue */
#define ARK_HTTP_PER_ADDRESS_MIN 128 /* the default --per-address-connections is at least this */

typedef struct ark_http ark_http;

/* Create, bind and listen on spec ("HOST:PORT", "[V6]:PORT"; port 0 picks a free one).
 * On success *fd is the listening socket and shown holds "HOST:PORT" with the real
 * port. ARK_EINVAL for a malformed spec, ARK_EIO when the address cannot be used; err
 * then reads "cannot listen on SPEC: REASON". */
int ark_http_listen(const char *spec, int *fd, char *shown, size_t shown_cap, ark_err *err);

/* Origins allowed to call /api/… from other sites (--cors): a comma-separated list of
 * "http(s)://HOST[:PORT]" or "*" for any; NULL or "" allows none. Call before
 * ark_http_start(). ARK_EINVAL naming the bad entry. */
int ark_http_set_cors(const char *origins, ark_err *err);

/* The address to use in absolute URLs (/opensearch.xml) when a request has no usable
 * Host header: the shown listen address. Copied. Call before ark_http_start(). */
void ark_http_set_fallback_host(const char *host_port);

/* The --allow-host list: comma-separated host names or addresses, each with or without
 * ":PORT" (without, any port matches); a request whose Host header is not listed gets
 * 421. NULL or "" allows any Host. Copied. ARK_EINVAL naming the bad entry. */
int ark_http_set_allow_hosts(const char *hosts, ark_err *err);

/* The frame-ancestors sources of the pages' Content-Security-Policy (--frame-ancestors,
 * default "'self'"): space-separated 'self', 'none', or scheme://host[:port] sources.
 * Copied. ARK_EINVAL for a value that could change the rest of the policy. */
int ark_http_set_frame_ancestors(const char *sources, ark_err *err);

/* The --trusted-proxy list: comma-separated IPv4 or IPv6 addresses. Only a request
 * whose peer is listed has its X-Forwarded-For (the client's address, for the fair
 * share and its 503s) and X-Forwarded-Proto (absolute URLs) read. Copied. ARK_EINVAL. */
int ark_http_set_trusted_proxies(const char *addrs, ark_err *err);

/* Limits per client address and per request; 0 keeps a default. per_address_conns:
 * connections one peer address may hold (default a quarter of the connection ceiling,
 * at least ARK_HTTP_PER_ADDRESS_MIN); request_timeout_s: seconds a connection has to
 * send a request head, counted from its accept or its last answer, and as long again
 * to read each answer (default ARK_HTTP_REQUEST_TIMEOUT_S); per_address_queue: searches
 * one address may have waiting for a search thread before it gets 503 (default
 * ARK_HTTP_FAIR_QUEUE). Call before ark_http_start(). */
void ark_http_set_limits(unsigned per_address_conns, unsigned request_timeout_s,
                         unsigned per_address_queue);

/* Serve on fd with a pool of threads (>= 1). fd is transferred: it is closed by
 * ark_http_stop(), or by this call if it fails. *out is freed by ark_http_stop(). */
int ark_http_start(int fd, unsigned threads, ark_http **out, ark_err *err);

/* The connection ceiling and the per-address connection limit ark_http_start() chose
 * (0 before it ran). */
void ark_http_limits(unsigned *ceiling, unsigned *per_address);

/* Stop accepting, let requests in flight finish for a moment, then stop the pool.
 * After this returns no pool thread runs. NULL is accepted. */
void ark_http_stop(ark_http *h);

#endif
