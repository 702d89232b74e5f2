/* scripts/bench_http.c: closed-loop HTTP load driver for arkivar-server.
 * Owns: N keep-alive connections, one thread each; every connection walks the query
 * list (each from its own starting point), sends one GET per query with {q} in the path
 * template replaced by the URL-encoded query, reads the whole response (Content-Length
 * or chunked) and records the latency from the first byte sent to the last byte read.
 * Not here: starting the server or printing tables (scripts/bench-load.sh).
 * Why closed-loop, one request in flight per connection: that is what a browser or a
 * script does, and every latency is then one real request, not a pipelining artefact.
 *
 *   bench_http HOST PORT PATH_TEMPLATE QUERIES CONNS SECONDS [LABEL]
 *
 * SECONDS > 0 runs for that long; SECONDS = 0 runs the query list exactly once per
 * connection (a warm-up or a check). Prints one line:
 *   LABEL conns requests errors seconds req/s p50_ms p90_ms p99_ms mean_ms max_ms
 * Exit status: 0, or 1 when any request failed (non-200, reset, timeout), 2 on bad use.
 * Build: cc -O2 -std=c11 -D_POSIX_C_SOURCE=200809L -pthread -o bench_http bench_http.c */
#include <errno.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>

#include "bench_common.h"

#define IO_TIMEOUT_S 10  /* a request slower than this is a failure, not a hang */
#define MAX_HEADER 16384

typedef struct conn_stats {
    double *lat;        /* ms, one per completed request */
    size_t n, cap;
    size_t errors;
    char first_error[256];
} conn_stats;

typedef struct worker {
    int id;
    pthread_t th;
    conn_stats st;
    double t_end;       /* when this connection's last request finished */
} worker;

static const char *g_host, *g_port, *g_tpl;
static char **g_queries;
static size_t g_nq;
static int g_conns;
static double g_seconds, g_t0;
static pthread_barrier_t g_start;
static struct addrinfo *g_addr;

static double now_ms(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

static void note_error(conn_stats *st, const char *fmt, const char *arg) {
    if (st->errors++ == 0) snprintf(st->first_error, sizeof st->first_error, fmt, arg);
}

static int push_lat(conn_stats *st, double ms) {
    if (st->n == st->cap) {
        size_t cap = st->cap ? st->cap * 2 : 4096;
        double *v = realloc(st->lat, cap * sizeof *v);
        if (!v) return -1;
        st->lat = v;
        st->cap = cap;
    }
    st->lat[st->n++] = ms;
    return 0;
}

static int dial(void) {
    int fd = socket(g_addr->ai_family, g_addr->ai_socktype, g_addr->ai_protocol);
    if (fd < 0) return -1;
    struct timeval tv = {IO_TIMEOUT_S, 0};
    int one = 1;
    setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
    setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv);
    setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    if (connect(fd, g_addr->ai_addr, g_addr->ai_addrlen) != 0) {
        close(fd);
        return -1;
    }
    return fd;
}

/* Path template with {q} replaced by the percent-encoded query (RFC 3986 unreserved
 * characters kept as they are). Returns the request length, or -1 if it does not fit. */
static int build_request(char *out, size_t cap, const char *q) {
    static const char hex[] = "0123456789ABCDEF";
    char path[4096];
    size_t n = 0;
    for (const char *t = g_tpl; *t; t++) {
        if (t[0] == '{' && t[1] == 'q' && t[2] == '}') {
            for (const unsigned char *s = (const unsigned char *)q; *s; s++) {
                if (n + 3 >= sizeof path) return -1;
                if ((*s >= 'A' && *s <= 'Z') || (*s >= 'a' && *s <= 'z') ||
                    (*s >= '0' && *s <= '9') || *s == '-' || *s == '.' || *s == '_' || *s == '~') {
                    path[n++] = (char)*s;
                } else {
                    path[n++] = '%';
                    path[n++] = hex[*s >> 4];
                    path[n++] = hex[*s & 15];
                }
            }
            t += 2;
        } else {
            if (n + 1 >= sizeof path) return -1;
            path[n++] = *t;
        }
    }
    path[n] = '\0';
    int len = snprintf(out, cap, "GET %s HTTP/1.1\r\nHost: %s:%s\r\nUser-Agent: arkivar-bench\r\n"
                       "Accept: application/json\r\n\r\n", path, g_host, g_port);
    return len > 0 && (size_t)len < cap ? len : -1;
}

/* A receive buffer that keeps what was read past the end of one response. */
typedef struct rbuf {
    char d[65536];
    size_t len, at;
} rbuf;

static int rb_fill(int fd, rbuf *b) {
    if (b->at > 0) {
        memmove(b->d, b->d + b->at, b->len - b->at);
        b->len -= b->at;
        b->at = 0;
    }
    if (b->len == sizeof b->d) return -1;
    ssize_t r;
    do r = recv(fd, b->d + b->len, sizeof b->d - b->len, 0);
    while (r < 0 && errno == EINTR);
    if (r <= 0) return -1;
    b->len += (size_t)r;
    return 0;
}

/* Index just past the first "\r\n" at or after b->at, or 0 if none is buffered yet. */
static size_t rb_line_end(const rbuf *b) {
    for (size_t i = b->at; i + 1 < b->len; i++)
        if (b->d[i] == '\r' && b->d[i + 1] == '\n') return i + 2;
    return 0;
}

/* Skip n body bytes (reading as needed). */
static int rb_skip(int fd, rbuf *b, size_t n) {
    while (n > 0) {
        if (b->at == b->len && rb_fill(fd, b) != 0) return -1;
        size_t k = b->len - b->at < n ? b->len - b->at : n;
        b->at += k;
        n -= k;
    }
    return 0;
}

/* Read one response. *status is the HTTP status; *close_after is set when the server
 * said "Connection: close". Returns 0, or -1 on a broken or timed-out connection. */
static int read_response(int fd, rbuf *b, int *status, int *close_after) {
    size_t hdr_end = 0;
    for (;;) {
        for (size_t i = b->at; i + 3 < b->len; i++)
            if (memcmp(b->d + i, "\r\n\r\n", 4) == 0) { hdr_end = i + 4; break; }
        if (hdr_end) break;
        if (b->len - b->at > MAX_HEADER || rb_fill(fd, b) != 0) return -1;
    }
    const char *h = b->d + b->at;
    size_t hlen = hdr_end - b->at;
    if (hlen < 12 || strncmp(h, "HTTP/1.", 7) != 0) return -1;
    *status = atoi(h + 9);
    long long clen = -1;
    int chunked = 0;
    *close_after = 0;
    for (const char *p = memchr(h, '\n', hlen); p && p < h + hlen; p = memchr(p, '\n', (size_t)(h + hlen - p))) {
        p++;
        if (strncasecmp(p, "Content-Length:", 15) == 0) clen = atoll(p + 15);
        else if (strncasecmp(p, "Transfer-Encoding:", 18) == 0) chunked = strncasecmp(p + 18, " chunked", 8) == 0;
        else if (strncasecmp(p, "Connection:", 11) == 0) *close_after = strncasecmp(p + 11, " close", 6) == 0;
    }
    b->at = hdr_end;
    if (chunked) {
        for (;;) {
            size_t e;
            while ((e = rb_line_end(b)) == 0)
                if (rb_fill(fd, b) != 0) return -1;
            unsigned long size = strtoul(b->d + b->at, NULL, 16);
            b->at = e;
            if (size == 0) {  /* trailers, then an empty line */
                for (;;) {
                    while ((e = rb_line_end(b)) == 0)
                        if (rb_fill(fd, b) != 0) return -1;
                    int empty = e == b->at + 2;
                    b->at = e;
                    if (empty) return 0;
                }
            }
            if (rb_skip(fd, b, size + 2) != 0) return -1;
        }
    }
    if (clen < 0) return -1;  /* no length: we could only read to EOF; the server never does this */
    return rb_skip(fd, b, (size_t)clen);
}

static void *run_conn(void *arg) {
    worker *w = arg;
    conn_stats *st = &w->st;
    static _Thread_local rbuf b;
    char req[8192];
    int fd = -1;
    size_t qi = (size_t)w->id * g_nq / (size_t)g_conns; /* spread the connections over the list */
    size_t done = 0;
    pthread_barrier_wait(&g_start);
    double deadline = g_t0 + g_seconds * 1e3;
    for (;;) {
        if (g_seconds > 0 ? now_ms() >= deadline : done == g_nq) break;
        const char *q = g_queries[qi];
        qi = (qi + 1) % g_nq;
        done++;
        int len = build_request(req, sizeof req, q);
        if (len < 0) { note_error(st, "query too long: %s", q); continue; }
        double t = now_ms();
        if (fd < 0) {
            /* A (re)connect is part of this request's latency: a client would pay it. */
            if ((fd = dial()) < 0) { note_error(st, "connect: %s", strerror(errno)); usleep(1000); continue; }
            b.len = b.at = 0;
        }
        int status = 0, close_after = 0;
        ssize_t sent = 0;
        while (sent < len) {
            ssize_t r = send(fd, req + sent, (size_t)(len - sent), MSG_NOSIGNAL);
            if (r < 0 && errno == EINTR) continue;
            if (r <= 0) break;
            sent += r;
        }
        if (sent < len || read_response(fd, &b, &status, &close_after) != 0) {
            note_error(st, "connection broken or timed out on query: %s", q);
            close(fd);
            fd = -1;
            continue;
        }
        double ms = now_ms() - t;
        if (status != 200) {
            char msg[64];
            snprintf(msg, sizeof msg, "%d", status);
            note_error(st, "HTTP status %s", msg);
        } else if (push_lat(st, ms) != 0) {
            note_error(st, "%s", "out of memory");
            break;
        }
        if (close_after) { close(fd); fd = -1; }
    }
    w->t_end = now_ms();
    if (fd >= 0) close(fd);
    return NULL;
}

int main(int argc, char **argv) {
    if (argc < 7) {
        fprintf(stderr, "usage: bench_http HOST PORT PATH_TEMPLATE QUERIES CONNS SECONDS [LABEL]\n");
        return 2;
    }
    g_host = argv[1];
    g_port = argv[2];
    g_tpl = argv[3];
    g_conns = atoi(argv[5]);
    g_seconds = atof(argv[6]);
    const char *label = argc > 7 ? argv[7] : "http";
    if (g_conns < 1 || g_conns > 4096 || g_seconds < 0) {
        fprintf(stderr, "bench_http: CONNS must be 1..4096 and SECONDS >= 0\n");
        return 2;
    }
    if (!(g_queries = read_lines(argv[4], &g_nq)) || g_nq == 0) {
        fprintf(stderr, "bench_http: no queries in %s\n", argv[4]);
        return 2;
    }
    struct addrinfo hints = {.ai_family = AF_UNSPEC, .ai_socktype = SOCK_STREAM};
    int gai = getaddrinfo(g_host, g_port, &hints, &g_addr);
    if (gai != 0) {
        fprintf(stderr, "bench_http: %s:%s: %s\n", g_host, g_port, gai_strerror(gai));
        return 2;
    }
    worker *ws = calloc((size_t)g_conns, sizeof *ws);
    if (!ws) return 2;
    pthread_barrier_init(&g_start, NULL, (unsigned)g_conns + 1);
    for (int i = 0; i < g_conns; i++) {
        ws[i].id = i;
        pthread_attr_t at;
        pthread_attr_init(&at);
        pthread_attr_setstacksize(&at, 256 * 1024);
        if (pthread_create(&ws[i].th, &at, run_conn, &ws[i]) != 0) {
            fprintf(stderr, "bench_http: cannot start thread %d\n", i);
            return 2;
        }
        pthread_attr_destroy(&at);
    }
    g_t0 = now_ms();  /* written before the barrier releases the threads */
    pthread_barrier_wait(&g_start);
    size_t total = 0, errors = 0;
    double t_end = g_t0;
    const char *first_error = NULL;
    for (int i = 0; i < g_conns; i++) {
        pthread_join(ws[i].th, NULL);
        total += ws[i].st.n;
        errors += ws[i].st.errors;
        if (ws[i].st.errors && !first_error) first_error = ws[i].st.first_error;
        if (ws[i].t_end > t_end) t_end = ws[i].t_end;
    }
    double *all = malloc((total ? total : 1) * sizeof *all);
    if (!all) return 2;
    size_t k = 0;
    double sum = 0;
    for (int i = 0; i < g_conns; i++) {
        memcpy(all + k, ws[i].st.lat, ws[i].st.n * sizeof *all);
        k += ws[i].st.n;
    }
    for (size_t i = 0; i < total; i++) sum += all[i];
    qsort(all, total, sizeof *all, cmp_double);
    double secs = (t_end - g_t0) / 1e3;
    printf("%s %d %zu %zu %.2f %.1f %.3f %.3f %.3f %.3f %.3f\n", label, g_conns, total, errors,
           secs, secs > 0 ? (double)total / secs : 0, pct(all, total, 0.50), pct(all, total, 0.90),
           pct(all, total, 0.99), total ? sum / (double)total : 0, total ? all[total - 1] : 0);
    if (first_error) fprintf(stderr, "bench_http: %zu failed requests; first: %s\n", errors, first_error);
    freeaddrinfo(g_addr);
    return errors ? 1 : 0;
}
