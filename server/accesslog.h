/* server/accesslog.h: the access log's fields and lines (accesslog.c). */
#ifndef ARKIVAR_SERVER_ACCESSLOG_H
#define ARKIVAR_SERVER_ACCESSLOG_H

#include <stddef.h>
#include <stdint.h>

#define LOG_PATH_MAX 600 /* bytes of a path in the access log, escaped */

/* s[0, n) (or NUL-terminated s) as a log field into dst (cap bytes, NUL-terminated):
 * every byte or code point a log reader could be fooled by is written as %XX. */
void ark_log_field_n(char *dst, size_t cap, const char *s, size_t n);
void ark_log_field(char *dst, size_t cap, const char *s);
/* The raw request target's path (no query string), percent-decoded, as a log field. */
void ark_log_path_raw(char *dst, size_t cap, const char *uri);
#define ARK_REQUEST_ID_MAX 64 /* bytes of a request id (ours are 16 hex digits) */

/* One answered request, as the access log writes it. */
typedef struct ark_log_line {
    const char *method, *path; /* path: already a log field */
    int status;
    size_t bytes;
    uint64_t micros;
    const char *client;        /* the client's address (behind a trusted proxy, its X-Forwarded-For) */
    const char *request_id;    /* also sent as X-Request-Id */
    const char *query;         /* the q parameter, decoded (borrowed; NULL: none); only
                                * its keyed hash is logged, and only with --log-query-hash */
} ark_log_line;

/* One line on stderr, with one write(): "TIME CLIENT REQUEST-ID METHOD PATH STATUS BYTES
 * MICROS" (TIME in ISO 8601, UTC, milliseconds), or with ark_log_set_json(1) one JSON
 * object with the same fields. The query string is never in it; with
 * ark_log_set_query_hash(1) a last field QHASH (JSON: "query_hash") is the q
 * parameter's keyed hash, or - (null) without one. */
void ark_access_log(const ark_log_line *l);
void ark_log_set_json(int on);

#define ARK_LOG_QHASH_HEX 16 /* hex digits of a query's hash in the log (64 bits) */
/* Turn the query hash on (a fresh random BLAKE2b key for this process) or off (the key
 * wiped). Call before the server's threads start. 0, or -1 when libsodium cannot start. */
int ark_log_set_query_hash(int on);
int ark_log_query_hash_on(void);
/* q[0, n) hashed with the process's key into out: 16 lowercase hex digits. */
void ark_log_query_hash(const char *q, size_t n, char out[ARK_LOG_QHASH_HEX + 1]);
/* A fresh request id (16 hex digits: a random start for the process, then a count), or
 * the client's own X-Request-Id when it is 1 to 64 of [A-Za-z0-9._-] (a proxy's id keeps
 * one request's lines together across servers). */
void ark_request_id(const char *given, char out[ARK_REQUEST_ID_MAX + 1]);
/* An address key (16 bytes, IPv4 mapped into IPv6) as text: "192.0.2.1", "2001:db8::1". */
void ark_log_addr(const unsigned char key[16], char *out, size_t cap);

/* The first control byte (0x00-0x1F, 0x7F) of the raw path once decoded, plus 1; 0 if
 * none (the routes only see the decoded path, cut at a NUL). */
int ark_path_control(const char *uri);

#endif
