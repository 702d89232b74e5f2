/* server/send.c: an ark_reply onto the wire. See send.h. */
#include "send.h"

#include <microhttpd.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <zlib.h>

#include "accesslog.h"
#include "client.h"
#include "http.h"
#include "metrics.h"

static const char k_oom_body[] = "{\"error\":{\"status\":500,\"code\":\"internal\",\"message\":\"out of memory\"}}";

uint64_t ark_now_us(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000u + (uint64_t)ts.tv_nsec / 1000u;
}

/* Accept-Encoding per RFC 9110 12.5.3: gzip (or x-gzip) with q > 0, or "*" with q > 0
 * when gzip is not named. "gzip;q=0" refuses it. */
static int accepts_gzip(const char *ae) {
    double gzip_q = -1, star_q = -1;
    const char *p = ae;
    while (p && *p) {
        while (*p == ' ' || *p == '\t' || *p == ',') p++;
        const char *name = p;
        while (*p && *p != ',' && *p != ';' && *p != ' ' && *p != '\t') p++;
        size_t nlen = (size_t)(p - name);
        double q = 1;
        while (*p && *p != ',') { /* parameters */
            while (*p == ' ' || *p == '\t' || *p == ';') p++;
            if ((p[0] == 'q' || p[0] == 'Q') && p[1] == '=') {
                char *end;
                q = strtod(p + 2, &end); /* the server never calls setlocale: '.' is the point */
                if (end == p + 2 || q < 0 || q > 1) q = 0; /* unreadable weight: do not assume yes */
                p = end;
            }
            while (*p && *p != ',' && *p != ';') p++;
        }
        if ((nlen == 4 && strncasecmp(name, "gzip", 4) == 0) ||
            (nlen == 6 && strncasecmp(name, "x-gzip", 6) == 0))
            gzip_q = q;
        else if (nlen == 1 && name[0] == '*')
            star_q = q;
    }
    if (gzip_q >= 0) return gzip_q > 0;
    return star_q > 0;
}

/* gzip in[0, n) into a malloc'ed block; 0 on success. */
static int gzip_body(const char *in, size_t n, char **out, size_t *outn) {
    z_stream zs;
    memset(&zs, 0, sizeof zs);
    /* 15+16: a gzip wrapper, not zlib's; level 6 is zlib's default speed/size point. */
    if (deflateInit2(&zs, 6, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY) != Z_OK) return -1;
    uLong cap = deflateBound(&zs, (uLong)n);
    char *buf = malloc(cap);
    if (!buf) {
        deflateEnd(&zs);
        return -1;
    }
    zs.next_in = (Bytef *)(uintptr_t)in;
    zs.avail_in = (uInt)n;
    zs.next_out = (Bytef *)buf;
    zs.avail_out = (uInt)cap;
    int z = deflate(&zs, Z_FINISH);
    size_t got = zs.total_out;
    deflateEnd(&zs);
    if (z != Z_STREAM_END) {
        free(buf);
        return -1;
    }
    *out = buf;
    *outn = got;
    return 0;
}

enum MHD_Result ark_send_reply(struct MHD_Connection *c, const char *method, const char *url,
                               const char *log_path, ark_route route, uint64_t t0,
                               ark_reply *r) {
    struct MHD_Response *resp = NULL;
    size_t len = r->body.len;
    int gz = 0, vary = 0;
    char *body = NULL;

    if (r->body.data == NULL && r->status == 500) { /* could not even render the error */
        r->content_type = ark_api_json_type;
        resp = MHD_create_response_from_buffer(sizeof k_oom_body - 1, (void *)k_oom_body,
                                               MHD_RESPMEM_PERSISTENT);
        len = sizeof k_oom_body - 1;
    } else {
        body = ark_buf_take(&r->body); /* never NULL unless out of memory */
        if (!body) {
            resp = MHD_create_response_from_buffer(sizeof k_oom_body - 1, (void *)k_oom_body,
                                                   MHD_RESPMEM_PERSISTENT);
            r->status = 500;
            r->content_type = ark_api_json_type;
            len = sizeof k_oom_body - 1;
        } else {
            if (len > ARK_HTTP_GZIP_MIN) {
                vary = 1;
                const char *ae = MHD_lookup_connection_value(c, MHD_HEADER_KIND,
                                                             MHD_HTTP_HEADER_ACCEPT_ENCODING);
                char *z;
                size_t zn;
                if (ae && accepts_gzip(ae) && gzip_body(body, len, &z, &zn) == 0) {
                    free(body);
                    body = z;
                    len = zn;
                    gz = 1;
                }
            }
            resp = MHD_create_response_from_buffer(len, body, MHD_RESPMEM_MUST_FREE);
            if (!resp) free(body);
        }
    }
    char rid[ARK_REQUEST_ID_MAX + 1], client[64];
    ark_request_id(MHD_lookup_connection_value(c, MHD_HEADER_KIND, "X-Request-Id"), rid);
    unsigned char key[ARK_FAIR_KEY];
    int trusted = 0;
    ark_client_key(c, key, &trusted);
    ark_log_addr(key, client, sizeof client);
    ark_log_line line = {method, log_path, 500, 0, 0, client, rid, NULL};
    if (ark_log_query_hash_on()) line.query = MHD_lookup_connection_value(c, MHD_GET_ARGUMENT_KIND, "q");
    if (!resp) {
        line.micros = ark_now_us() - t0;
        ark_access_log(&line);
        return MHD_NO; /* MHD closes the connection; nothing better is possible */
    }
    MHD_add_response_header(resp, "X-Request-Id", rid);
    if (r->status != 204) MHD_add_response_header(resp, MHD_HTTP_HEADER_CONTENT_TYPE, r->content_type);
    MHD_add_response_header(resp, "X-Content-Type-Options", "nosniff");
    /* Every answer reflects one index revision at one moment: never cache it. Only the
     * script (page.c) says otherwise. */
    MHD_add_response_header(resp, MHD_HTTP_HEADER_CACHE_CONTROL, r->cache ? r->cache : "no-store");
    if (route == ARK_ROUTE_PAGE) {
        /* No inline script at all: the one script is /static/arkivar.js. The inline
         * <style> needs 'unsafe-inline' for styles only, and a theme's style sheet
         * 'self' (/theme/theme.css, theme.h); everything put into the page
         * is escaped, so no markup (style or other) can come from a query or document.
         * frame-ancestors (--frame-ancestors) keeps other sites from framing the pages
         * under a visitor's clicks. */
        MHD_add_response_header(resp, "Content-Security-Policy", ark_http_csp());
        MHD_add_response_header(resp, "Referrer-Policy", "same-origin");
    }
    /* CORS: only /api/… is for other sites' scripts; pages and /metrics are not. */
    int api = ark_is_api(url), cors = api && ark_http_cors_on();
    if (cors) {
        const char *allow = ark_cors_allow(MHD_lookup_connection_value(c, MHD_HEADER_KIND, "Origin"));
        if (allow) MHD_add_response_header(resp, "Access-Control-Allow-Origin", allow);
    }
    if (r->status == 204 && api) { /* preflight */
        MHD_add_response_header(resp, "Access-Control-Allow-Methods", "GET, HEAD, OPTIONS");
        MHD_add_response_header(resp, "Access-Control-Allow-Headers", ark_preflight_headers(c));
        MHD_add_response_header(resp, "Access-Control-Max-Age", "600");
    }
    if (gz) MHD_add_response_header(resp, MHD_HTTP_HEADER_CONTENT_ENCODING, "gzip");
    if (vary || cors)
        MHD_add_response_header(resp, MHD_HTTP_HEADER_VARY,
                                vary && cors ? "Accept-Encoding, Origin" : vary ? "Accept-Encoding" : "Origin");
    if (r->allow) MHD_add_response_header(resp, MHD_HTTP_HEADER_ALLOW, r->allow);
    if (r->authenticate) MHD_add_response_header(resp, MHD_HTTP_HEADER_WWW_AUTHENTICATE, r->authenticate);
    if (r->retry_after > 0) {
        char ra[16];
        snprintf(ra, sizeof ra, "%d", r->retry_after);
        MHD_add_response_header(resp, MHD_HTTP_HEADER_RETRY_AFTER, ra);
        if (!r->keep_open) MHD_add_response_header(resp, MHD_HTTP_HEADER_CONNECTION, "close");
    }
    enum MHD_Result ok = MHD_queue_response(c, (unsigned)r->status, resp);
    MHD_destroy_response(resp);
    uint64_t us = ark_now_us() - t0;
    size_t sent = strcmp(method, MHD_HTTP_METHOD_HEAD) == 0 ? 0 : len;
    line.status = r->status;
    line.bytes = sent;
    line.micros = us;
    ark_access_log(&line);
    ark_metrics_observe(route, r->status, us);
    return ok;
}
