/* server/push.h: PUT and DELETE /api/documents/ID, documents pushed over HTTP.
 * Owns: who may push (a key with the write right, at the levels its key grants), which
 * ids are safe, the metadata header (X-Arkivar-Metadata: the sidecar's JSON, read by the
 * sidecar's own parser), the body's limit, checking the body with the indexer's loaders
 * before it is accepted, one source per id (a folder's id is not pushed over: 409), and
 * the answers (202 with the sequence number once the spool holds it durably).
 * Not here: libmicrohttpd (http.c streams the body in here), durability (spool.c),
 * writing the index (writer.c).
 * Why apart from http.c: the route sees a request as headers and chunks, so its rules
 * can be read (and tested) without a socket, as the other routes are.
 *
 * The calls of one request: ark_push_begin when its headers are in; then, for a PUT,
 * ark_push_data for each piece of the body as it arrives (never held in memory); then
 * ark_push_end when it is whole. Any of them may answer instead (r filled, nonzero). */
#ifndef ARKIVAR_SERVER_PUSH_H
#define ARKIVAR_SERVER_PUSH_H

#include <stddef.h>
#include <stdint.h>

#include "reply.h"

#define ARK_PUSH_PREFIX "/api/documents/"
#define ARK_PUSH_META_HEADER "X-Arkivar-Metadata"
/* A body must arrive at this rate on average (and within --request-timeout of its
 * start): a client that drips a 64 MB body cannot hold a connection for hours. */
#define ARK_PUSH_MIN_RATE (256u * 1024) /* bytes per second */

/* Turn the routes on: documents go into the index at index_dir (borrowed: it must outlive
 * the server), bodies of at most max_upload bytes (0: ARK_MAX_FILE_BYTES, which is also
 * the most). Without this call, or without --keys (keys.h), every push is 404. */
void ark_push_init(const char *index_dir, uint64_t max_upload);
/* 1 when the routes are on (init called and keys served). */
int ark_push_enabled(void);

/* 1 when a request of method on url is push.c's: url under ARK_PUSH_PREFIX, method any
 * but GET, HEAD and OPTIONS (those are answered as on every route: routes.c, http.c). */
int ark_push_route(const char *url, const char *method);

/* A request on a push route, as push.c sees it. header(ctx, name) returns a request
 * header's value or NULL; borrowed for the call. */
typedef struct ark_push_req {
    const char *method;
    const char *id;      /* the decoded path after ARK_PUSH_PREFIX */
    const char *(*header)(void *ctx, const char *name);
    void *ctx;
} ark_push_req;

typedef struct ark_push ark_push;

/* The request's headers are in. 0 with *out (transferred: ark_push_free): go on with the
 * body (a DELETE has none). Nonzero: r holds the answer and *out is NULL. The answers:
 * 404 (no --keys), 405 (another method), 401 (no key or a wrong one, with
 * WWW-Authenticate), 403 (a key without write, or a level it does not grant), 400 (an
 * unsafe id, bad metadata naming the member), 413 (Content-Length over the limit), 409
 * (the id is a folder's), 404 (DELETE of an id nobody holds), 503 (the spool is full or
 * cannot be written). */
int ark_push_begin(const ark_push_req *req, ark_push **out, ark_reply *r);
/* The next data[0, n) of the body. 0, or r holds the answer (413 past the limit, 500/507
 * when the spool cannot be written): free p, the rest of the body is not read. */
int ark_push_data(ark_push *p, const char *data, size_t n, ark_reply *r);
/* The request is whole: check the body with the loaders (415 for a format none reads or
 * a body that is not what its name says, 422 for one with no text, 413 for text over the
 * limit), its level again (front matter may set one: 403), make it durable and answer
 * 202 {"id", "status": "accepted", "operation": "put"|"delete", "level", "sequence"}. */
void ark_push_end(ark_push *p, ark_reply *r);
/* The seconds the body may take to arrive (its announced length at ARK_PUSH_MIN_RATE). */
unsigned ark_push_body_seconds(const ark_push *p);
void ark_push_free(ark_push *p); /* accepts NULL; a body not accepted is removed */

/* Why id (as it appears in the URL, decoded) is not a document id a push may use, or
 * NULL when it is one: non-empty, at most ARK_MAX_ID bytes, valid UTF-8, no control
 * byte or backslash, relative, no empty, "." or ".." segment, no trailing '/'. */
const char *ark_push_id_problem(const char *id);

#endif
