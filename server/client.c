/* server/client.c: who is asking, and what the server tells them about itself.
 * Owns: the listening socket (bound here, so that the operator reads the system's
 * reason), the configuration about clients (CORS origins, the Host allow-list, trusted
 * proxies, frame-ancestors, the fallback host), and reading a request's client: its
 * address key (through a trusted proxy's X-Forwarded-For), its Host, its origin.
 * Not here: the daemon and the request's life (http.c), limits and fairness (fair.c).
 * Why apart: it is the part an operator configures and an attacker forges; all of it is
 * set once before the daemon starts and read-only after. */
#include "client.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <unistd.h>

#define MAX_CORS 32
#define MAX_ORIGIN 200
#define MAX_HOSTS 32
#define MAX_PROXIES 32

static char g_cors[MAX_CORS][MAX_ORIGIN + 1];
static size_t g_ncors;
static int g_cors_any;
static char g_fallback_host[300] = "localhost";
static char g_hosts[MAX_HOSTS][MAX_ORIGIN + 1]; /* --allow-host, lower case */
static size_t g_nhosts;
static unsigned char g_proxies[MAX_PROXIES][ARK_FAIR_KEY]; /* --trusted-proxy */
static size_t g_nproxies;
#define CSP_BASE "default-src 'none'; script-src 'self'; connect-src 'self'; " \
                 "style-src 'self' 'unsafe-inline'; img-src 'self'; form-action 'self'; " \
                 "base-uri 'none'; frame-ancestors "
static char g_csp[sizeof CSP_BASE + 512] = CSP_BASE "'self'";

const char *ark_http_csp(void) { return g_csp; }
int ark_http_have_proxies(void) { return g_nproxies > 0; }
int ark_http_cors_on(void) { return g_ncors || g_cors_any; }

/* ---- listening socket -------------------------------------------------------------- */

int ark_http_listen(const char *spec, int *fd_out, char *shown, size_t shown_cap, ark_err *err) {
    int rc = 0, fd = -1;
    struct addrinfo *ai = NULL;
    char host[256];
    const char *colon = strrchr(spec, ':');
    const char *h = spec;
    size_t hlen;
    if (!colon || colon == spec || !colon[1]) {
        rc = ark_err_set(err, ARK_EINVAL, "bad --listen %s (want HOST:PORT)", spec);
        goto out;
    }
    hlen = (size_t)(colon - spec);
    if (spec[0] == '[') { /* [::1]:8080 */
        if (hlen < 3 || spec[hlen - 1] != ']') {
            rc = ark_err_set(err, ARK_EINVAL, "bad --listen %s (want [ADDR]:PORT)", spec);
            goto out;
        }
        h = spec + 1;
        hlen -= 2;
    }
    if (hlen >= sizeof host) {
        rc = ark_err_set(err, ARK_EINVAL, "bad --listen %s (host too long)", spec);
        goto out;
    }
    memcpy(host, h, hlen);
    host[hlen] = '\0';
    char *end;
    errno = 0;
    long port = strtol(colon + 1, &end, 10);
    if (*end || errno || port < 0 || port > 65535) {
        rc = ark_err_set(err, ARK_EINVAL, "bad port in --listen %s", spec);
        goto out;
    }

    struct addrinfo hints = {0};
    hints.ai_family = AF_UNSPEC;
    hints.ai_socktype = SOCK_STREAM;
    hints.ai_flags = AI_PASSIVE | AI_NUMERICSERV;
    int g = getaddrinfo(host, colon + 1, &hints, &ai);
    if (g != 0) {
        rc = ark_err_set(err, ARK_EIO, "cannot listen on %s: %s", spec, gai_strerror(g));
        goto out;
    }
    /* The first address is the one a user means ("localhost" → 127.0.0.1); report
     * its errno rather than trying the rest, which would hide the real reason. */
    fd = socket(ai->ai_family, ai->ai_socktype | SOCK_CLOEXEC | SOCK_NONBLOCK, ai->ai_protocol);
    if (fd < 0) {
        rc = ark_err_set(err, ARK_EIO, "cannot listen on %s: %s", spec, strerror(errno));
        goto out;
    }
    int one = 1;
    /* SO_REUSEADDR: a restart must not wait out TIME_WAIT of the last run; a port held
     * by a live listener still fails with EADDRINUSE. */
    setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    if (ai->ai_family == AF_INET6) setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &one, sizeof one);
    if (bind(fd, ai->ai_addr, ai->ai_addrlen) != 0 || listen(fd, SOMAXCONN) != 0) {
        rc = ark_err_set(err, ARK_EIO, "cannot listen on %s: %s", spec, strerror(errno));
        goto out;
    }
    struct sockaddr_storage ss;
    socklen_t sl = sizeof ss;
    char addr[INET6_ADDRSTRLEN] = "?";
    unsigned real_port = (unsigned)port;
    if (getsockname(fd, (struct sockaddr *)&ss, &sl) == 0) {
        if (ss.ss_family == AF_INET) {
            struct sockaddr_in *s4 = (struct sockaddr_in *)&ss;
            inet_ntop(AF_INET, &s4->sin_addr, addr, sizeof addr);
            real_port = ntohs(s4->sin_port);
        } else if (ss.ss_family == AF_INET6) {
            struct sockaddr_in6 *s6 = (struct sockaddr_in6 *)&ss;
            inet_ntop(AF_INET6, &s6->sin6_addr, addr, sizeof addr);
            real_port = ntohs(s6->sin6_port);
        }
    }
    snprintf(shown, shown_cap, ss.ss_family == AF_INET6 ? "[%s]:%u" : "%s:%u", addr, real_port);
    *fd_out = fd;
    fd = -1;
out:
    if (fd >= 0) close(fd);
    if (ai) freeaddrinfo(ai);
    return rc;
}

/* ---- configuration ----------------------------------------------------------------- */

/* An origin as browsers send it: scheme "://" host [":" port], nothing after. */
static int origin_ok(const char *o, size_t n) {
    size_t skip;
    if (n > 7 && strncmp(o, "http://", 7) == 0) skip = 7;
    else if (n > 8 && strncmp(o, "https://", 8) == 0) skip = 8;
    else return 0;
    for (size_t i = skip; i < n; i++) {
        char c = o[i];
        if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
              c == '.' || c == '-' || c == ':' || c == '[' || c == ']'))
            return 0;
    }
    return 1;
}

int ark_http_set_cors(const char *origins, ark_err *err) {
    g_ncors = 0;
    g_cors_any = 0;
    for (const char *p = origins; p && *p;) {
        const char *e = strchr(p, ',');
        size_t n = e ? (size_t)(e - p) : strlen(p);
        const char *a = p;
        while (n && (*a == ' ' || *a == '\t')) { a++; n--; }
        while (n && (a[n - 1] == ' ' || a[n - 1] == '\t' || a[n - 1] == '/')) n--;
        if (n == 1 && a[0] == '*') {
            g_cors_any = 1;
        } else if (n) {
            if (n > MAX_ORIGIN || !origin_ok(a, n))
                return ark_err_set(err, ARK_EINVAL, "bad --cors origin '%.*s' (want http(s)://HOST[:PORT] or *)",
                                   (int)(n > MAX_ORIGIN ? MAX_ORIGIN : n), a);
            if (g_ncors == MAX_CORS)
                return ark_err_set(err, ARK_EINVAL, "too many --cors origins (max %d)", MAX_CORS);
            memcpy(g_cors[g_ncors], a, n);
            g_cors[g_ncors][n] = '\0';
            g_ncors++;
        }
        p = e ? e + 1 : p + strlen(p);
    }
    return 0;
}

void ark_http_set_fallback_host(const char *host_port) {
    snprintf(g_fallback_host, sizeof g_fallback_host, "%s", host_port ? host_port : "localhost");
}

/* An address as the fair share's key: IPv6, or IPv4 mapped into it (::ffff:a.b.c.d),
 * so "127.0.0.1" and a peer's AF_INET address give the same key. s[0, n) may be in
 * [brackets]. 0, or -1 when it is not an address. */
static int addr_key(const char *s, size_t n, unsigned char key[ARK_FAIR_KEY]) {
    char tmp[INET6_ADDRSTRLEN + 2];
    while (n && (*s == ' ' || *s == '\t')) { s++; n--; }
    while (n && (s[n - 1] == ' ' || s[n - 1] == '\t')) n--;
    if (n >= 2 && s[0] == '[' && s[n - 1] == ']') { s++; n -= 2; }
    if (n == 0 || n >= sizeof tmp) return -1;
    memcpy(tmp, s, n);
    tmp[n] = '\0';
    struct in_addr a4;
    if (inet_pton(AF_INET, tmp, &a4) == 1) {
        memset(key, 0, 10);
        key[10] = key[11] = 0xff;
        memcpy(key + 12, &a4, 4);
        return 0;
    }
    return inet_pton(AF_INET6, tmp, key) == 1 ? 0 : -1;
}

static void sockaddr_key(const struct sockaddr *sa, unsigned char key[ARK_FAIR_KEY]) {
    memset(key, 0, ARK_FAIR_KEY);
    if (!sa) return;
    if (sa->sa_family == AF_INET) {
        key[10] = key[11] = 0xff;
        memcpy(key + 12, &((const struct sockaddr_in *)(const void *)sa)->sin_addr, 4);
    } else if (sa->sa_family == AF_INET6) {
        memcpy(key, &((const struct sockaddr_in6 *)(const void *)sa)->sin6_addr, 16);
    }
}

/* Split a comma-separated list; call each(item, len) for every non-empty item after
 * trimming spaces. Stops at the first non-zero return. */
static int each_item(const char *list, int (*each)(const char *, size_t, ark_err *), ark_err *err) {
    for (const char *p = list; p && *p;) {
        const char *e = strchr(p, ',');
        size_t n = e ? (size_t)(e - p) : strlen(p);
        const char *a = p;
        while (n && (*a == ' ' || *a == '\t')) { a++; n--; }
        while (n && (a[n - 1] == ' ' || a[n - 1] == '\t')) n--;
        int rc = n ? each(a, n, err) : 0;
        if (rc) return rc;
        p = e ? e + 1 : p + strlen(p);
    }
    return 0;
}

static int add_host(const char *a, size_t n, ark_err *err) {
    int ok = n <= MAX_ORIGIN;
    for (size_t i = 0; ok && i < n; i++) {
        char ch = a[i];
        ok = (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') || (ch >= '0' && ch <= '9') ||
             ch == '.' || ch == '-' || ch == ':' || ch == '[' || ch == ']';
    }
    if (!ok)
        return ark_err_set(err, ARK_EINVAL, "bad --allow-host '%.*s' (want HOST or HOST:PORT)",
                           (int)(n > MAX_ORIGIN ? MAX_ORIGIN : n), a);
    if (g_nhosts == MAX_HOSTS)
        return ark_err_set(err, ARK_EINVAL, "too many --allow-host entries (max %d)", MAX_HOSTS);
    for (size_t i = 0; i < n; i++) g_hosts[g_nhosts][i] = (char)(a[i] >= 'A' && a[i] <= 'Z' ? a[i] + 32 : a[i]);
    g_hosts[g_nhosts][n] = '\0';
    g_nhosts++;
    return 0;
}

int ark_http_set_allow_hosts(const char *hosts, ark_err *err) {
    g_nhosts = 0;
    return each_item(hosts, add_host, err);
}

static int add_proxy(const char *a, size_t n, ark_err *err) {
    if (g_nproxies == MAX_PROXIES)
        return ark_err_set(err, ARK_EINVAL, "too many --trusted-proxy addresses (max %d)", MAX_PROXIES);
    if (addr_key(a, n, g_proxies[g_nproxies]) != 0)
        return ark_err_set(err, ARK_EINVAL, "bad --trusted-proxy '%.*s' (want an IPv4 or IPv6 address)",
                           (int)(n > 64 ? 64 : n), a);
    g_nproxies++;
    return 0;
}

int ark_http_set_trusted_proxies(const char *addrs, ark_err *err) {
    g_nproxies = 0;
    return each_item(addrs, add_proxy, err);
}

/* Each source: 'self' or 'none' (quoted), or a host source without ';' ',' quotes or
 * spaces inside, so the value can only ever be the one directive. */
int ark_http_set_frame_ancestors(const char *sources, ark_err *err) {
    size_t n = strlen(sources);
    if (n == 0 || n > 500) return ark_err_set(err, ARK_EINVAL, "bad --frame-ancestors (1 to 500 bytes)");
    for (const char *p = sources; *p;) {
        while (*p == ' ') p++;
        const char *w = p;
        while (*p && *p != ' ') p++;
        size_t k = (size_t)(p - w);
        if (!k) break;
        if ((k == 6 && strncmp(w, "'self'", 6) == 0) || (k == 6 && strncmp(w, "'none'", 6) == 0)) continue;
        for (size_t i = 0; i < k; i++) {
            char ch = w[i];
            if (!((ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') || (ch >= '0' && ch <= '9') ||
                  ch == '.' || ch == '-' || ch == ':' || ch == '/' || ch == '*' || ch == '[' || ch == ']'))
                return ark_err_set(err, ARK_EINVAL,
                                   "bad --frame-ancestors source '%.*s' (want 'self', 'none' or https://HOST[:PORT])",
                                   (int)(k > 100 ? 100 : k), w);
        }
    }
    snprintf(g_csp, sizeof g_csp, "%s%s", CSP_BASE, sources);
    return 0;
}

/* ---- request helpers ------------------------------------------------------------------- */

int ark_is_api(const char *url) { return strncmp(url, "/api/", 5) == 0; }

static const struct sockaddr *peer_of(struct MHD_Connection *c) {
    const union MHD_ConnectionInfo *ci = MHD_get_connection_info(c, MHD_CONNECTION_INFO_CLIENT_ADDRESS);
    return ci ? ci->client_addr : NULL;
}

static int is_proxy(const unsigned char *key) {
    for (size_t i = 0; i < g_nproxies; i++)
        if (memcmp(g_proxies[i], key, ARK_FAIR_KEY) == 0) return 1;
    return 0;
}

/* The client's address: the peer's, or behind a trusted proxy the last address in
 * X-Forwarded-For that is not a trusted proxy itself (each proxy appends the address
 * it was called from, so what lies left of an untrusted hop is the client's to forge).
 * *trusted tells whether the peer is a trusted proxy. */
void ark_client_key(struct MHD_Connection *c, unsigned char key[ARK_FAIR_KEY], int *trusted) {
    sockaddr_key(peer_of(c), key);
    *trusted = g_nproxies && is_proxy(key);
    if (!*trusted) return;
    const char *xff = MHD_lookup_connection_value(c, MHD_HEADER_KIND, "X-Forwarded-For");
    if (!xff) return;
    const char *end = xff + strlen(xff);
    while (end > xff) {
        const char *start = end;
        while (start > xff && start[-1] != ',') start--;
        unsigned char k[ARK_FAIR_KEY];
        if (addr_key(start, (size_t)(end - start), k) != 0) return; /* garbage: the proxy's */
        memcpy(key, k, ARK_FAIR_KEY);
        if (!is_proxy(k)) return;
        end = start > xff ? start - 1 : start;
    }
}

/* Whether Host is on the --allow-host list: the name (case-insensitive) with any port,
 * or the exact "name:port" entry. No list: any Host. */
int ark_host_allowed(struct MHD_Connection *c) {
    if (!g_nhosts) return 1;
    const char *host = MHD_lookup_connection_value(c, MHD_HEADER_KIND, MHD_HTTP_HEADER_HOST);
    if (!host) return 0;
    size_t n = strlen(host), name = n;
    const char *colon = strrchr(host, ':');
    if (colon && (host[0] != '[' || colon > strchr(host, ']'))) name = (size_t)(colon - host);
    for (size_t i = 0; i < g_nhosts; i++) {
        size_t k = strlen(g_hosts[i]);
        if ((k == n && strncasecmp(host, g_hosts[i], n) == 0) ||
            (k == name && strncasecmp(host, g_hosts[i], name) == 0))
            return 1;
    }
    return 0;
}

/* The value for Access-Control-Allow-Origin, or NULL when origin is not allowed. */
const char *ark_cors_allow(const char *origin) {
    if (!origin || !*origin) return NULL;
    if (g_cors_any) return "*";
    for (size_t i = 0; i < g_ncors; i++)
        if (strcasecmp(origin, g_cors[i]) == 0) return g_cors[i];
    return NULL;
}

/* "http://HOST" for absolute URLs. The Host header is the client's to choose, so only
 * [A-Za-z0-9.:-] and [] pass (no quotes, slashes or spaces that could reach markup or
 * change the URL); anything else falls back to the listen address. */
void ark_request_base(struct MHD_Connection *c, int trusted, char *out, size_t cap) {
    const char *host = MHD_lookup_connection_value(c, MHD_HEADER_KIND, MHD_HTTP_HEADER_HOST);
    /* Only a trusted proxy says how the client reached it. */
    const char *proto = trusted ? MHD_lookup_connection_value(c, MHD_HEADER_KIND, "X-Forwarded-Proto") : NULL;
    int ok = host && *host && strlen(host) <= 255;
    for (const char *p = host; ok && *p; p++)
        if (!((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') || (*p >= '0' && *p <= '9') ||
              *p == '.' || *p == ':' || *p == '-' || *p == '[' || *p == ']'))
            ok = 0;
    snprintf(out, cap, "%s://%s", proto && strcasecmp(proto, "https") == 0 ? "https" : "http",
             ok ? host : g_fallback_host);
}

/* Access-Control-Request-Headers echoed back when it is a plain list of header names,
 * so a page's fetch() with e.g. "X-Requested-With" passes the preflight. */
const char *ark_preflight_headers(struct MHD_Connection *c) {
    const char *h = MHD_lookup_connection_value(c, MHD_HEADER_KIND, "Access-Control-Request-Headers");
    if (!h || !*h || strlen(h) > 200) return "Accept, Accept-Language, Content-Language, Content-Type";
    for (const char *p = h; *p; p++)
        if (!((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') || (*p >= '0' && *p <= '9') ||
              *p == '-' || *p == ',' || *p == ' '))
            return "Accept, Accept-Language, Content-Language, Content-Type";
    return h;
}


