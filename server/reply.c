/* server/reply.c: the conventions every route answers by. See reply.h. */
#include "reply.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "arkivar/err.h"
#include "json.h"

const char ark_api_json_type[] = "application/json; charset=utf-8";

void ark_reply_reset(ark_reply *r, int status, const char *type) {
    ark_buf_reset(&r->body);
    r->status = status;
    r->content_type = type;
}

void ark_api_error(ark_reply *r, int status, const char *fmt, ...) {
    char msg[600];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    ark_reply_reset(r, status, ark_api_json_type);
    ark_json j;
    ark_json_init(&j, &r->body);
    ark_json_obj_begin(&j);
    ark_json_key(&j, "error");
    ark_json_obj_begin(&j);
    ark_json_key(&j, "status");
    ark_json_i64(&j, status);
    ark_json_kstr(&j, "message", msg);
    ark_json_obj_end(&j);
    ark_json_obj_end(&j);
    if (ark_json_finish(&j) != 0) {
        /* http.c sends a static body for an empty 500 */
        ark_buf_free(&r->body);
        r->status = 500;
    }
}

/* An engine call failed: the code decides the status, err says why. */
static void engine_error(ark_reply *r, const char *what, int rc, const ark_err *err) {
    const char *msg = err->msg[0] ? err->msg : ark_strerror(rc);
    switch (rc) {
    case ARK_EINVAL: ark_api_error(r, 400, "%s", msg); break;
    case ARK_ENOTFOUND: ark_api_error(r, 404, "%s", msg); break;
    case ARK_EUNAVAIL: /* a shard is down and --on-shard-failure is fail (issue 16) */
        fprintf(stderr, "arkivar-server: %s: %s\n", what, msg);
        ark_api_error(r, 503, "%s: %s", what, msg);
        r->retry_after = 2;
        break;
    default:
        /* The client gets the message too, but the operator must see it in the log. */
        fprintf(stderr, "arkivar-server: %s: %s (%s)\n", what, msg, ark_strerror(rc));
        ark_api_error(r, 500, "%s: %s", what, msg);
    }
}

void ark_reply_json(ark_reply *r, ark_json *j, int status, const char *type) {
    if (ark_json_finish(j) != 0) {
        ark_api_error(r, 500, "out of memory while rendering the response");
        return;
    }
    r->status = status;
    r->content_type = type;
}

/* A strict unsigned decimal in [lo, hi]: no sign, no spaces, no trailing bytes. */
int ark_parse_uint(const char *s, unsigned long lo, unsigned long hi, unsigned long *out) {
    if (!s || !*s) return -1;
    unsigned long v = 0;
    for (const char *p = s; *p; p++) {
        if (*p < '0' || *p > '9') return -1;
        v = v * 10 + (unsigned long)(*p - '0');
        if (v > hi) return -1; /* also stops overflow */
    }
    if (v < lo) return -1;
    *out = v;
    return 0;
}

int ark_is_blank(const char *s) {
    for (; *s; s++)
        if (*s != ' ' && *s != '\t' && *s != '\n' && *s != '\r' && *s != '\f' && *s != '\v')
            return 0;
    return 1;
}

/* q for search: present, not blank, at most ARK_API_MAX_Q bytes; else a 400 in r. */
const char *ark_need_q(const ark_api_req *req, ark_reply *r) {
    const char *q = req->get(req->ctx, "q");
    if (!q || !*q) {
        ark_api_error(r, 400, "missing parameter q (the search text)");
        return NULL;
    }
    if (strlen(q) > ARK_API_MAX_Q) {
        ark_api_error(r, 400, "parameter q is longer than %d bytes", ARK_API_MAX_Q);
        return NULL;
    }
    if (ark_is_blank(q)) {
        ark_api_error(r, 400, "parameter q holds only whitespace");
        return NULL;
    }
    return q;
}

/* After an ark_worker_* call: on failure fill r with the error for what (or for opening
 * the index) and return non-zero. */
int ark_reply_engine_failed(ark_reply *r, const char *what, int rc, int opened,
                            const ark_err *err) {
    if (rc) engine_error(r, opened ? what : "cannot open the index", rc, err);
    return rc;
}

