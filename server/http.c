/* server/http.c: libmicrohttpd daemon, request checks.
 * Owns: the MHD daemon (a thread pool reading requests; searches handed to the fair
 * share, fair.c), the request context from URI to completion, the per-connection
 * deadlines (the reaper).
 * Not here: route logic (api.c), the engines used by routes (worker.c), the client and
 * the listening socket (client.c), the response and its common headers, gzip (send.c),
 * the access log's lines (accesslog.c). */
#include "http.h"

#include <errno.h>
#include <fcntl.h>
#include <microhttpd.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "accesslog.h"
#include "client.h"
#include "fair.h"
#include "keys.h"
#include "routes.h"
#include "json.h"
#include "metrics.h"
#include "push.h"
#include "send.h"

struct ark_http {
    struct MHD_Daemon *d;
    pthread_t reaper;
    int reaper_started;
};


/* One per connection (MHD's socket context), from NOTIFY_STARTED to NOTIFY_CLOSED, in
 * the list the reaper walks. deadline_ms: CLOCK_MONOTONIC time by which the client must
 * have sent its request head (or read its answer); 0 while the server has the turn. */
typedef struct conn_rec {
    struct conn_rec *prev, *next;
    MHD_socket fd;
    _Atomic uint64_t deadline_ms;
} conn_rec;

enum { RQ_NEW, RQ_QUEUED, RQ_ANSWERED }; /* req_ctx.state */

/* One per request: made by the URI callback, freed by the completion callback. */
typedef struct req_ctx {
    uint64_t t0_us;   /* CLOCK_MONOTONIC at the request line */
    size_t uri_len;   /* raw request target, query string included */
    int headers_seen; /* the access handler ran once (headers complete) */
    int args_cut;     /* more than ARK_HTTP_MAX_ARGS parameters: MHD was given none */
    int path_ctl;     /* the path holds a control byte (raw or %XX); 1 + its value */
    char log_path[LOG_PATH_MAX]; /* the raw path, decoded and escaped (ark_log_path_raw) */
    conn_rec *conn;   /* the connection's record; NULL if MHD gave none */
    /* A search handed to the fair share: the worker runs the route into reply and
     * resumes the connection; the next call of on_request sends reply. */
    int state;
    ark_fair_job job;
    struct MHD_Connection *c;
    const char *url;  /* MHD's, valid for the request */
    uint64_t conns;
    ark_level level;  /* what the request's key grants */
    ark_reply reply;
    char base[320];
    /* PUT/DELETE /api/documents/ID (on_push): its state, push.c's request, and how much
     * of a refused body was read past. */
    int push_state;
    ark_push *push;
    size_t discarded;
} req_ctx;

enum { PUSH_NONE, PUSH_READING, PUSH_DISCARD, PUSH_ANSWER, PUSH_ANSWERED }; /* req_ctx.push_state */

static atomic_uint_fast64_t g_conns; /* open connections, all pool threads */
/* Set once before the daemon starts, read-only after. */
static unsigned g_soft_limit;        /* above this many connections: 503 */
static unsigned g_ceiling, g_per_ip;  /* chosen by ark_http_start */
static unsigned g_per_ip_opt, g_fair_queue = ARK_HTTP_FAIR_QUEUE;
static unsigned g_request_timeout_s = ARK_HTTP_REQUEST_TIMEOUT_S;

/* Every open connection, for the reaper; guarded by g_conn_lock, which is taken when a
 * connection opens or closes and by the reaper's scan, never per request. */
static pthread_mutex_t g_conn_lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t g_reaper_cond = PTHREAD_COND_INITIALIZER;
static conn_rec *g_conn_list;
static int g_reaper_stop;

static uint64_t now_us(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000u + (uint64_t)ts.tv_nsec / 1000u;
}

static uint64_t now_ms(void) { return now_us() / 1000u; }

void ark_http_set_limits(unsigned per_address_conns, unsigned request_timeout_s,
                         unsigned per_address_queue) {
    g_per_ip_opt = per_address_conns;
    g_request_timeout_s = request_timeout_s ? request_timeout_s : ARK_HTTP_REQUEST_TIMEOUT_S;
    g_fair_queue = per_address_queue ? per_address_queue : ARK_HTTP_FAIR_QUEUE;
}

void ark_http_limits(unsigned *ceiling, unsigned *per_address) {
    *ceiling = g_ceiling;
    *per_address = g_per_ip;
}

typedef struct hdr_sum {
    size_t bytes, fields;
} hdr_sum;

static enum MHD_Result sum_header(void *cls, enum MHD_ValueKind kind, const char *key,
                                  const char *value) {
    hdr_sum *t = cls;
    t->bytes += strlen(key) + (value ? strlen(value) : 0) + 4; /* ": " and CRLF */
    t->fields++;
    return MHD_YES;
}

/* Content-Length as a number; 0 when absent, SIZE_MAX when unreadable. MHD has
 * already refused values it cannot parse at all (its own 400/413). */
static size_t body_length(struct MHD_Connection *c) {
    const char *cl = MHD_lookup_connection_value(c, MHD_HEADER_KIND, MHD_HTTP_HEADER_CONTENT_LENGTH);
    if (!cl) return 0;
    char *end;
    errno = 0;
    unsigned long long v = strtoull(cl, &end, 10);
    if (end == cl || *end || errno || v > SIZE_MAX) return SIZE_MAX;
    return (size_t)v;
}

static const char *get_arg(void *ctx, const char *name) {
    return MHD_lookup_connection_value(ctx, MHD_GET_ARGUMENT_KIND, name);
}

typedef struct arg_names {
    const char **out;
    size_t max, n;
} arg_names;

static enum MHD_Result add_arg_name(void *cls, enum MHD_ValueKind kind, const char *key,
                                    const char *value) {
    arg_names *a = cls;
    if (a->n < a->max) a->out[a->n] = key ? key : "";
    a->n++;
    return MHD_YES;
}

/* MHD keeps every occurrence of a parameter, in order: repeats are seen. */
static size_t arg_names_of(void *ctx, const char **out, size_t max) {
    arg_names a = {out, max, 0};
    MHD_get_connection_values(ctx, MHD_GET_ARGUMENT_KIND, add_arg_name, &a);
    return a.n;
}

/* ---- MHD callbacks ---------------------------------------------------------------- */

/* MHD 0.9.75 stores every query parameter as a 56-byte record in the connection's
 * memory pool, and it parses them only after this callback. When they do not fit
 * (about 450 parameters in 32 KB, and a dense "&&&…" URL outgrows any pool), its
 * parse_initial_message_line() ignores the failure and overwrites the error state: the
 * queued 431 is never sent, the connection hangs until the timeout, and the completion
 * callback never runs (our req_ctx leaked). So beyond ARK_HTTP_MAX_ARGS the query
 * string is cut here, right after the '?', and on_request answers 400. uri points into
 * MHD's own writable read buffer (MHD writes the '\0' over the '?' after this call);
 * the cut is the only write we make to it. */
static void *on_uri(void *cls, const char *uri, struct MHD_Connection *c) {
    req_ctx *rq = malloc(sizeof *rq);
    const char *q = strchr(uri, '?');
    size_t nargs = q && q[1] ? 1 : 0;
    for (const char *p = q; p && *p; p++)
        if (*p == '&') nargs++;
    int cut = nargs > ARK_HTTP_MAX_ARGS;
    if (rq) { /* NULL: on_request answers 500 */
        rq->t0_us = now_us();
        rq->uri_len = strlen(uri);
        rq->headers_seen = 0;
        rq->args_cut = cut;
        rq->path_ctl = ark_path_control(uri);
        ark_log_path_raw(rq->log_path, sizeof rq->log_path, uri);
        const union MHD_ConnectionInfo *ci = MHD_get_connection_info(c, MHD_CONNECTION_INFO_SOCKET_CONTEXT);
        rq->conn = ci ? ci->socket_context : NULL;
        rq->state = RQ_NEW;
        rq->reply = (ark_reply){.status = 200, .content_type = ark_api_json_type, .body = ARK_BUF_INIT};
        rq->push_state = PUSH_NONE;
        rq->push = NULL;
        rq->discarded = 0;
    }
    if (cut) ((char *)(uintptr_t)q)[1] = '\0';
    return rq;
}

/* The client's turn again: it has --request-timeout seconds (see the reaper). */
static void client_turn(conn_rec *cr) {
    if (cr) atomic_store_explicit(&cr->deadline_ms, now_ms() + 1000u * g_request_timeout_s, memory_order_relaxed);
}

static void server_turn(conn_rec *cr) {
    if (cr) atomic_store_explicit(&cr->deadline_ms, 0, memory_order_relaxed);
}

static void on_completed(void *cls, struct MHD_Connection *c, void **con_cls,
                         enum MHD_RequestTerminationCode toe) {
    req_ctx *rq = *con_cls;
    if (rq) {
        client_turn(rq->conn); /* the next request's head, on a kept-alive connection */
        ark_buf_free(&rq->reply.body);
        ark_push_free(rq->push); /* a body cut off: its file goes */
    }
    free(rq);
    *con_cls = NULL;
}

/* Connections of this MHD thread (MHD tells a connection's start and end on the pool
 * thread that serves it). A search run inline (ark_fair_inline) holds up every other
 * connection of its thread: two clients on one thread of two ran one after the other,
 * at half the throughput, so a thread with more than one connection hands off. */
static _Thread_local int t_conns;

static void on_connection(void *cls, struct MHD_Connection *c, void **socket_context,
                          enum MHD_ConnectionNotificationCode toe) {
    if (toe == MHD_CONNECTION_NOTIFY_STARTED) t_conns++;
    else if (toe == MHD_CONNECTION_NOTIFY_CLOSED) t_conns--;
    if (toe == MHD_CONNECTION_NOTIFY_STARTED) {
        atomic_fetch_add_explicit(&g_conns, 1, memory_order_relaxed);
        conn_rec *cr = malloc(sizeof *cr); /* NULL: this connection has MHD's idle timeout only */
        const union MHD_ConnectionInfo *ci = MHD_get_connection_info(c, MHD_CONNECTION_INFO_CONNECTION_FD);
        if (cr && ci) {
            cr->fd = ci->connect_fd;
            cr->prev = NULL;
            atomic_init(&cr->deadline_ms, 0);
            client_turn(cr);
            pthread_mutex_lock(&g_conn_lock);
            cr->next = g_conn_list;
            if (g_conn_list) g_conn_list->prev = cr;
            g_conn_list = cr;
            pthread_mutex_unlock(&g_conn_lock);
        } else {
            free(cr);
            cr = NULL;
        }
        *socket_context = cr;
    } else if (toe == MHD_CONNECTION_NOTIFY_CLOSED) {
        atomic_fetch_sub_explicit(&g_conns, 1, memory_order_relaxed);
        conn_rec *cr = *socket_context;
        if (cr) { /* before MHD closes the descriptor: the reaper never shuts down a reused one */
            pthread_mutex_lock(&g_conn_lock);
            if (cr->prev) cr->prev->next = cr->next;
            else g_conn_list = cr->next;
            if (cr->next) cr->next->prev = cr->prev;
            pthread_mutex_unlock(&g_conn_lock);
            free(cr);
            *socket_context = NULL;
        }
    }
}

/* MHD_OPTION_CONNECTION_TIMEOUT only closes a connection that has been silent that
 * long: a slowloris client that sends one byte every few seconds keeps its socket for
 * ever, and ~900 of them once made everyone else's requests 503. So every connection
 * has a deadline for its request head (from its accept, or from its last answer) and
 * for reading an answer; the reaper wakes 4 times a second and shuts down (SHUT_RDWR)
 * the sockets past it. MHD then reads the end of the stream and closes the connection
 * itself, on its own thread. A request the server is working on has no deadline. */
static void *reaper_main(void *unused) {
    pthread_mutex_lock(&g_conn_lock);
    while (!g_reaper_stop) {
        struct timespec ts;
        clock_gettime(CLOCK_REALTIME, &ts);
        ts.tv_nsec += 250 * 1000 * 1000;
        if (ts.tv_nsec >= 1000000000L) { ts.tv_sec++; ts.tv_nsec -= 1000000000L; }
        pthread_cond_timedwait(&g_reaper_cond, &g_conn_lock, &ts);
        uint64_t now = now_ms();
        for (conn_rec *cr = g_conn_list; cr; cr = cr->next) {
            uint64_t d = atomic_load_explicit(&cr->deadline_ms, memory_order_relaxed);
            if (d && now > d) {
                shutdown(cr->fd, SHUT_RDWR);
                atomic_store_explicit(&cr->deadline_ms, 0, memory_order_relaxed);
            }
        }
    }
    pthread_mutex_unlock(&g_conn_lock);
    return NULL;
}

/* Routes that search (or read documents) run on the fair share's threads; the rest are
 * cheap and bounded (a suggestion is one prefix lookup) and answer on MHD's thread. */
static int fair_route(const char *url) {
    return strcmp(url, "/api/search") == 0 || strncmp(url, "/api/doc/", 9) == 0 ||
           strcmp(url, "/") == 0 || strncmp(url, "/doc/", 5) == 0;
}

/* On a search thread (fair.c): run the route, then give the connection back to MHD,
 * which calls on_request again to send the reply. */
static void run_job(ark_fair_job *job, int ran) {
    req_ctx *rq = (req_ctx *)(void *)((char *)job - offsetof(req_ctx, job));
    if (ran) {
        ark_api_req req = {.path = rq->url, .get = get_arg, .names = arg_names_of, .ctx = rq->c, .conns = rq->conns,
                           .base = rq->base, .level = rq->level};
        ark_route_run(&req, &rq->reply);
    } else {
        ark_api_error(&rq->reply, ARK_API_SHUTTING_DOWN, "server shutting down; retry in a second");
        rq->reply.retry_after = 1;
    }
    rq->state = RQ_ANSWERED;
    MHD_resume_connection(rq->c);
}

/* Suspend the connection and queue the route on the fair share; when the address's
 * queue is full (or the server stops), a 503 for this address alone. */
static void hand_off(req_ctx *rq, struct MHD_Connection *c, const char *url, uint64_t conns,
                     const unsigned char *key, void (*run)(ark_fair_job *, int)) {
    rq->c = c;
    rq->url = url;
    rq->conns = conns;
    rq->job.run = run;
    rq->state = RQ_QUEUED;
    /* Suspended before it is queued: a worker's resume must never come first. */
    MHD_suspend_connection(c);
    int rc = ark_fair_submit(key, &rq->job);
    if (rc == 0) return;
    if (rc == ARK_ETOOBIG)
        ark_api_error(&rq->reply, ARK_API_OVERLOADED, "too many searches from your address at once; retry in a second");
    else if (rc == ARK_ENOMEM)
        ark_api_error(&rq->reply, ARK_API_INTERNAL, "out of memory");
    else
        ark_api_error(&rq->reply, ARK_API_SHUTTING_DOWN, "server shutting down; retry in a second");
    if (rq->reply.status == 503) rq->reply.retry_after = 1;
    /* Closing would not slow the address down, it reconnects at once: 200 flooding
     * connections then cost the server (and 127.0.0.1's connects) a TCP handshake per
     * 503, and 127.0.0.1 waited up to 5.5 s. Kept open, a 503 is one parsed request. */
    rq->reply.keep_open = rc == ARK_ETOOBIG;
    rq->state = RQ_ANSWERED;
    MHD_resume_connection(c);
}

/* The checks of every request's head (before its method is looked at): 1 with the
 * answer in r, else 0. */
static int head_problem(const req_ctx *rq, struct MHD_Connection *c, size_t uri_len, ark_reply *r) {
    hdr_sum hdr = {0, 0};
    MHD_get_connection_values(c, MHD_HEADER_KIND, sum_header, &hdr);
    if (uri_len > ARK_HTTP_MAX_URL) {
        ark_api_error(r, ARK_API_URI_TOO_LONG, "URL longer than %d bytes", ARK_HTTP_MAX_URL);
    } else if (rq && rq->args_cut) {
        ark_api_error(r, ARK_API_TOO_MANY_PARAMETERS, "more than %d query parameters", ARK_HTTP_MAX_ARGS);
    } else if (!rq) {
        /* Without the context the raw-URI checks above could not run. */
        ark_api_error(r, ARK_API_INTERNAL, "out of memory");
    } else if (rq->path_ctl) {
        ark_api_error(r, ARK_API_BAD_PATH, "control character (byte 0x%02X) in the path", rq->path_ctl - 1);
    } else if (hdr.bytes > ARK_HTTP_MAX_HEADERS) {
        ark_api_error(r, ARK_API_HEADERS_TOO_LARGE, "request headers larger than %d bytes", ARK_HTTP_MAX_HEADERS);
    } else if (hdr.fields > ARK_HTTP_MAX_FIELDS) {
        ark_api_error(r, ARK_API_HEADERS_TOO_LARGE, "more than %d request header fields", ARK_HTTP_MAX_FIELDS);
    } else {
        return 0;
    }
    return 1;
}

/* The Host allow-list and the overload refusal, after the method: 1 with r, else 0. */
static int load_problem(struct MHD_Connection *c, uint64_t conns, ark_reply *r) {
    if (!ark_host_allowed(c)) {
        /* DNS rebinding: a page of another site whose name now resolves to this
         * server must not read it through the visitor's browser. */
        ark_api_error(r, ARK_API_HOST_NOT_ALLOWED, "this server does not answer for that Host");
    } else if (conns > g_soft_limit) {
        /* Refuse cheaply while connections pile up, so the requests already accepted
         * still finish in time, instead of everyone timing out together. */
        ark_api_error(r, ARK_API_OVERLOADED, "server overloaded; retry in a second");
        r->retry_after = 1;
    } else {
        return 0;
    }
    return 1;
}

static const char *get_header(void *ctx, const char *name) {
    return MHD_lookup_connection_value(ctx, MHD_HEADER_KIND, name);
}

/* On a search thread: check a whole push body and make it durable (push.c), then give
 * the connection back to MHD to send the answer, as run_job does. */
static void run_push(ark_fair_job *job, int ran) {
    req_ctx *rq = (req_ctx *)(void *)((char *)job - offsetof(req_ctx, job));
    if (ran) {
        ark_push_end(rq->push, &rq->reply);
    } else {
        ark_api_error(&rq->reply, ARK_API_SHUTTING_DOWN, "server shutting down; retry in a second");
        rq->reply.retry_after = 1;
    }
    ark_push_free(rq->push);
    rq->push = NULL;
    rq->push_state = PUSH_ANSWERED;
    rq->state = RQ_ANSWERED;
    MHD_resume_connection(rq->c);
}

/* A body past the limit, or one the spool cannot take, is read to its end and thrown
 * away, so that its answer can be sent (MHD 0.9.75 queues none while a body is read);
 * beyond this much more the connection is closed instead. */
#define PUSH_DISCARD_MAX (1u << 20)

/* PUT and DELETE /api/documents/ID (push.c): the checks of every request, then push.c
 * takes the body piece by piece as MHD reads it, and answers once it is whole. */
static enum MHD_Result on_push(req_ctx *rq, struct MHD_Connection *c, const char *url,
                               const char *method, const char *data, size_t *size) {
    if (rq->push_state == PUSH_NONE) { /* the head is in */
        server_turn(rq->conn);
        rq->push_state = PUSH_ANSWER;
        uint64_t conns = (uint64_t)atomic_load_explicit(&g_conns, memory_order_relaxed);
        if (!head_problem(rq, c, rq->uri_len, &rq->reply) && !load_problem(c, conns, &rq->reply)) {
            ark_push_req req = {method, url + strlen(ARK_PUSH_PREFIX), get_header, c};
            if (ark_push_begin(&req, &rq->push, &rq->reply) == 0) {
                rq->push_state = PUSH_READING;
                if (rq->conn) /* the body's own deadline, from its length (see the reaper) */
                    atomic_store_explicit(&rq->conn->deadline_ms, now_ms() + 1000u *
                                          (g_request_timeout_s + ark_push_body_seconds(rq->push)),
                                          memory_order_relaxed);
                return MHD_YES;
            }
        }
    } else if (*size) {
        if (rq->push_state == PUSH_READING &&
            ark_push_data(rq->push, data, *size, &rq->reply) != 0) {
            ark_push_free(rq->push);
            rq->push = NULL;
            rq->push_state = PUSH_DISCARD;
        } else if (rq->push_state == PUSH_DISCARD && (rq->discarded += *size) > PUSH_DISCARD_MAX) {
            return MHD_NO;
        }
        *size = 0;
        return MHD_YES;
    } else if (rq->push_state == PUSH_READING) {
        /* The whole body is in. Its check (a 64 MB PDF loads for seconds) and its fsyncs
         * run on a search thread, taking turns by address as searches do, so that this
         * MHD thread's other connections are not held up. */
        unsigned char key[ARK_FAIR_KEY];
        int trusted;
        server_turn(rq->conn);
        ark_client_key(c, key, &trusted);
        hand_off(rq, c, url, (uint64_t)atomic_load_explicit(&g_conns, memory_order_relaxed), key,
                 run_push);
        return MHD_YES;
    }
    rq->push_state = PUSH_ANSWERED;
    enum MHD_Result ok = ark_send_reply(c, method, url, rq->log_path, ARK_ROUTE_DOCUMENTS,
                                        rq->t0_us, &rq->reply);
    ark_buf_free(&rq->reply.body);
    client_turn(rq->conn);
    return ok;
}

static enum MHD_Result on_request(void *cls, struct MHD_Connection *c, const char *url,
                                  const char *method, const char *version,
                                  const char *upload_data, size_t *upload_size,
                                  void **con_cls) {
    req_ctx *rq = *con_cls;
    if (rq && rq->state == RQ_ANSWERED) { /* back from the fair share (hand_off) */
        rq->state = RQ_NEW;
        enum MHD_Result done = ark_send_reply(c, method, url, rq->log_path, ark_route_of(url), rq->t0_us,
                                          &rq->reply);
        ark_buf_free(&rq->reply.body);
        client_turn(rq->conn); /* to read the answer */
        return done;
    }
    if (rq && rq->state == RQ_QUEUED) return MHD_YES; /* cannot happen: suspended */
    if (rq && rq->push_state == PUSH_ANSWERED) return MHD_YES; /* MHD sends it */
    if (rq && (rq->push_state || ark_push_route(url, method)))
        return on_push(rq, c, url, method, upload_data, upload_size);
    int get_or_head = strcmp(method, MHD_HTTP_METHOD_GET) == 0 ||
                      strcmp(method, MHD_HTTP_METHOD_HEAD) == 0;
    int options = strcmp(method, MHD_HTTP_METHOD_OPTIONS) == 0;
    /* A body-less GET/HEAD is answered on the second call, once MHD has read the whole
     * request: a response queued on the first call makes MHD 0.9.75 close the
     * connection ("Connection: close"), which would cost every client a new TCP
     * handshake per request. Anything with a body (and every other method) is answered
     * on the first call, before the body is read: MHD then sends the reply and closes
     * the connection instead of reading an upload we would discard anyway. */
    if (rq && !rq->headers_seen && (get_or_head || options) &&
        !MHD_lookup_connection_value(c, MHD_HEADER_KIND, MHD_HTTP_HEADER_CONTENT_LENGTH) &&
        !MHD_lookup_connection_value(c, MHD_HEADER_KIND, MHD_HTTP_HEADER_TRANSFER_ENCODING)) {
        rq->headers_seen = 1;
        server_turn(rq->conn);
        return MHD_YES;
    }
    if (rq) server_turn(rq->conn);
    if (rq && rq->headers_seen && *upload_size != 0) { /* cannot happen without a body header */
        *upload_size = 0;
        return MHD_YES;
    }
    uint64_t t0 = rq ? rq->t0_us : now_us();
    size_t uri_len = rq ? rq->uri_len : strlen(url);
    ark_route route = ark_route_of(url);
    ark_reply r = {.status = 200, .content_type = ark_api_json_type, .body = ARK_BUF_INIT};
    ark_level level = ARK_LEVEL_PUBLIC;
    uint64_t conns = (uint64_t)atomic_load_explicit(&g_conns, memory_order_relaxed);

    size_t body = body_length(c);
    if (head_problem(rq, c, uri_len, &r)) {
        /* r holds the answer */
    } else if (body > ARK_HTTP_MAX_BODY) {
        /* Answered before the body is read (first call); MHD then closes the
         * connection rather than read the upload. */
        ark_api_error(&r, ARK_API_PAYLOAD_TOO_LARGE, "request body larger than %d bytes", ARK_HTTP_MAX_BODY);
    } else if (options && ark_is_api(url)) {
        /* A CORS preflight (or a plain OPTIONS): what /api/… allows, no body. */
        r.status = 204;
        r.allow = "GET, HEAD, OPTIONS";
        if (ark_buf_puts(&r.body, "") != 0) r.status = 500;
    } else if (!get_or_head) {
        ark_api_error(&r, ARK_API_METHOD_NOT_ALLOWED, "method %.32s not allowed; use GET or HEAD", method);
        r.allow = "GET, HEAD";
    } else if (load_problem(c, conns, &r)) {
        /* r holds the answer */
    } else if (ark_keys_level(MHD_lookup_connection_value(c, MHD_HEADER_KIND,
                                                          MHD_HTTP_HEADER_AUTHORIZATION),
                              &level) != 0) {
        /* A key that is wrong or revoked is refused, never read as anonymous: the
         * client must learn that its key no longer works. */
        ark_api_error(&r, ARK_API_UNAUTHORIZED, "the key is not valid (wrong or revoked); send no "
                               "Authorization header to search the public records");
        r.authenticate = "Bearer realm=\"arkivar\"";
    } else if (fair_route(url)) {
        unsigned char key[ARK_FAIR_KEY];
        int trusted;
        ark_client_key(c, key, &trusted);
        ark_request_base(c, trusted, rq->base, sizeof rq->base);
        rq->level = level;
        if (t_conns > 1 || !ark_fair_inline(key)) {
            hand_off(rq, c, url, conns, key, run_job);
            return MHD_YES;
        }
        uint64_t t1 = now_us();
        ark_api_req req = {.path = url, .get = get_arg, .names = arg_names_of, .ctx = c, .conns = conns, .base = rq->base,
                           .level = level};
        ark_route_run(&req, &r);
        ark_fair_charge(key, now_us() - t1);
    } else {
        char base[320];
        unsigned char key[ARK_FAIR_KEY];
        int trusted = 0;
        if (ark_http_have_proxies()) ark_client_key(c, key, &trusted);
        ark_request_base(c, trusted, base, sizeof base);
        ark_api_req req = {.path = url, .get = get_arg, .names = arg_names_of, .ctx = c, .conns = conns, .base = base,
                           .level = level};
        ark_route_run(&req, &r);
    }
    char fallback[LOG_PATH_MAX];
    if (!rq) ark_log_field(fallback, sizeof fallback, url);
    enum MHD_Result ok = ark_send_reply(c, method, url, rq ? rq->log_path : fallback, route, t0, &r);
    ark_buf_free(&r.body);
    if (rq) client_turn(rq->conn);
    return ok;
}

/* MHD's messages, one write() per line like the access log; they may quote the
 * request, so control bytes become '?'. */
static void on_mhd_log(void *cls, const char *fmt, va_list ap) {
    char msg[512], line[600];
    vsnprintf(msg, sizeof msg, fmt, ap);
    size_t n = strlen(msg);
    while (n && msg[n - 1] == '\n') msg[--n] = '\0';
    for (size_t i = 0; i < n; i++)
        if ((unsigned char)msg[i] < 0x20 || msg[i] == 0x7F) msg[i] = '?';
    int k = snprintf(line, sizeof line, "arkivar-server: http: %s\n", msg);
    if (k > 0) {
        ssize_t w = write(2, line, (size_t)k < sizeof line ? (size_t)k : sizeof line - 1);
        (void)w;
    }
}

/* ---- daemon ----------------------------------------------------------------------- */

static void stop_reaper(ark_http *h);

int ark_http_start(int fd, unsigned threads, ark_http **out, ark_err *err) {
    int rc = 0;
    ark_http *h = calloc(1, sizeof *h);
    if (!h) {
        rc = ark_err_set(err, ARK_ENOMEM, "out of memory");
        goto out;
    }
    /* The connection cap follows the descriptor limit: each connection is one fd, and
     * the engines (Xapian) need descriptors too. */
    unsigned limit = 1024;
    struct rlimit rl;
    if (getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur != RLIM_INFINITY && rl.rlim_cur > 128) {
        rlim_t avail = rl.rlim_cur - 64 - 16 * (rlim_t)threads;
        if (avail < limit) limit = (unsigned)(avail > 32 ? avail : 32);
    }
    if (limit < threads * 4) limit = threads * 4;
    g_soft_limit = limit - limit / 8;
    g_ceiling = limit;
    /* One address may hold a quarter of the ceiling: ~900 slowloris sockets from one
     * address made everyone else's requests 503 (the soft limit), and past the ceiling
     * new clients hung in the listen backlog. At least 128, so that the benchmark's 64
     * keep-alive connections (and an office behind one NAT address) fit; when that is
     * the ceiling or more (a low descriptor limit), only the soft limit applies. */
    g_per_ip = g_per_ip_opt ? g_per_ip_opt : limit / 4 > ARK_HTTP_PER_ADDRESS_MIN ? limit / 4
                                                                                 : ARK_HTTP_PER_ADDRESS_MIN;
    atomic_store(&g_conns, 0);
    if ((rc = ark_fair_start(threads, g_fair_queue, err)) != 0) {
        close(fd);
        goto out;
    }
    g_reaper_stop = 0;
    int e = pthread_create(&h->reaper, NULL, reaper_main, NULL);
    if (e != 0) {
        rc = ark_err_set(err, ARK_EIO, "cannot start the connection reaper: %s", strerror(e));
        ark_fair_stop();
        close(fd);
        goto out;
    }
    h->reaper_started = 1;

    /* MHD_USE_ERROR_LOG: MHD's own reasons (a request it refused, a failed accept) go
     * through on_mhd_log to stderr, next to the access log. MHD_ALLOW_SUSPEND_RESUME:
     * a search waits for a fair-share thread with its connection suspended (hand_off). */
    unsigned flags = MHD_USE_AUTO_INTERNAL_THREAD | MHD_USE_ITC | MHD_USE_ERROR_LOG |
                     MHD_ALLOW_SUSPEND_RESUME;
    h->d = MHD_start_daemon(
        flags, 0, NULL, NULL, on_request, NULL,
        MHD_OPTION_EXTERNAL_LOGGER, on_mhd_log, NULL,
        MHD_OPTION_LISTEN_SOCKET, (MHD_socket)fd,
        MHD_OPTION_THREAD_POOL_SIZE, threads,
        MHD_OPTION_CONNECTION_LIMIT, limit,
        MHD_OPTION_PER_IP_CONNECTION_LIMIT, g_per_ip,
        MHD_OPTION_CONNECTION_TIMEOUT, (unsigned)ARK_HTTP_TIMEOUT_S,
        /* MHD's default 32 KB made MHD answer (HTML, no JSON) just past our 8 KB URL
         * and 16 KB header limits. But MHD zeroes the whole pool for every request of a
         * connection: at 256 KB that memset was most of the server's own cost (96 M of
         * 163 M instructions over 210 queries). 64 KB answers URLs and headers up to
         * ~50 KB in JSON; beyond it MHD answers 414/431 itself. */
        MHD_OPTION_CONNECTION_MEMORY_LIMIT, (size_t)ARK_HTTP_CONN_MEMORY,
        MHD_OPTION_URI_LOG_CALLBACK, on_uri, NULL,
        MHD_OPTION_NOTIFY_COMPLETED, on_completed, NULL,
        MHD_OPTION_NOTIFY_CONNECTION, on_connection, NULL,
        MHD_OPTION_END);
    if (!h->d) {
        rc = ark_err_set(err, ARK_EIO, "cannot start the HTTP daemon (%u threads): %s", threads,
                         errno ? strerror(errno) : "libmicrohttpd refused the options");
        close(fd);
        goto out;
    }
    *out = h;
    h = NULL;
out:
    if (h && h->reaper_started) {
        stop_reaper(h);
        ark_fair_stop();
    }
    free(h);
    return rc;
}

static void stop_reaper(ark_http *h) {
    pthread_mutex_lock(&g_conn_lock);
    g_reaper_stop = 1;
    pthread_cond_signal(&g_reaper_cond);
    pthread_mutex_unlock(&g_conn_lock);
    pthread_join(h->reaper, NULL);
    h->reaper_started = 0;
}

void ark_http_stop(ark_http *h) {
    if (!h) return;
    /* Stop accepting first, then give requests in flight up to half a second: a
     * deploy's SIGTERM should not cut off an answer being written. Idle keep-alive
     * connections would hold us the whole half second, so it is bounded. */
    MHD_socket lfd = MHD_quiesce_daemon(h->d);
    if (lfd != MHD_INVALID_SOCKET) close(lfd);
    for (int i = 0; i < 50 && atomic_load(&g_conns) > 0; i++) {
        struct timespec ts = {0, 10 * 1000 * 1000};
        nanosleep(&ts, NULL);
    }
    /* Searches still waiting get 503 and their connections back, since MHD must not
     * be stopped with a connection suspended; the running ones finish. */
    ark_fair_stop();
    stop_reaper(h);
    MHD_stop_daemon(h->d);
    free(h);
}
