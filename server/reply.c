/* server/reply.c: the conventions every route answers by. See reply.h. */
#include "reply.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "arkivar/err.h"
#include "json.h"

const char ark_api_json_type[] = "application/json; charset=utf-8";

/* The one table of error codes: the name integrators branch on, and its status. In the
 * order of ark_api_code; test_routes.c checks that README.md and the OpenAPI document
 * name every one. */
static const struct {
    const char *name;
    int status;
} k_codes[ARK_API_NCODES] = {
    [ARK_API_MISSING_QUERY] = {"missing_query", 400},
    [ARK_API_QUERY_TOO_LONG] = {"query_too_long", 400},
    [ARK_API_BAD_LIMIT] = {"bad_limit", 400},
    [ARK_API_BAD_OFFSET] = {"bad_offset", 400},
    [ARK_API_UNKNOWN_PARAMETER] = {"unknown_parameter", 400},
    [ARK_API_BAD_PARAMETER] = {"bad_parameter", 400},
    [ARK_API_TOO_MANY_PARAMETERS] = {"too_many_parameters", 400},
    [ARK_API_BAD_PATH] = {"bad_path", 400},
    [ARK_API_BAD_DOCUMENT_ID] = {"bad_document_id", 400},
    [ARK_API_BAD_METADATA] = {"bad_metadata", 400},
    [ARK_API_UNAUTHORIZED] = {"unauthorized", 401},
    [ARK_API_FORBIDDEN] = {"forbidden", 403},
    [ARK_API_NOT_FOUND] = {"not_found", 404},
    [ARK_API_METHOD_NOT_ALLOWED] = {"method_not_allowed", 405},
    [ARK_API_CONFLICT] = {"conflict", 409},
    [ARK_API_PAYLOAD_TOO_LARGE] = {"payload_too_large", 413},
    [ARK_API_URI_TOO_LONG] = {"uri_too_long", 414},
    [ARK_API_UNSUPPORTED_FORMAT] = {"unsupported_format", 415},
    [ARK_API_HOST_NOT_ALLOWED] = {"host_not_allowed", 421},
    [ARK_API_NO_TEXT] = {"no_text", 422},
    [ARK_API_HEADERS_TOO_LARGE] = {"headers_too_large", 431},
    [ARK_API_INTERNAL] = {"internal", 500},
    [ARK_API_OVERLOADED] = {"overloaded", 503},
    [ARK_API_SHUTTING_DOWN] = {"shutting_down", 503},
    [ARK_API_NOT_READY] = {"not_ready", 503},
    [ARK_API_SHARD_UNAVAILABLE] = {"shard_unavailable", 503},
    [ARK_API_DISK_FULL] = {"disk_full", 507},
};

const char *ark_api_code_name(ark_api_code c) {
    return (unsigned)c < ARK_API_NCODES ? k_codes[c].name : NULL;
}

int ark_api_code_status(ark_api_code c) {
    return (unsigned)c < ARK_API_NCODES ? k_codes[c].status : 500;
}

void ark_reply_reset(ark_reply *r, int status, const char *type) {
    ark_buf_reset(&r->body);
    r->status = status;
    r->content_type = type;
}

void ark_api_error(ark_reply *r, ark_api_code code, const char *fmt, ...) {
    char msg[600];
    if ((unsigned)code >= ARK_API_NCODES) code = ARK_API_INTERNAL; /* our bug: still an answer */
    int status = k_codes[code].status;
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
    ark_json_kstr(&j, "code", k_codes[code].name);
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
    case ARK_EINVAL: ark_api_error(r, ARK_API_BAD_PARAMETER, "%s", msg); break;
    case ARK_ENOTFOUND: ark_api_error(r, ARK_API_NOT_FOUND, "%s", msg); break;
    case ARK_EUNAVAIL: /* a shard is down and --on-shard-failure is fail (issue 16) */
        fprintf(stderr, "arkivar-server: %s: %s\n", what, msg);
        ark_api_error(r, ARK_API_SHARD_UNAVAILABLE, "%s: %s", what, msg);
        r->retry_after = 2;
        break;
    default:
        /* The client gets the message too, but the operator must see it in the log. */
        fprintf(stderr, "arkivar-server: %s: %s (%s)\n", what, msg, ark_strerror(rc));
        ark_api_error(r, ARK_API_INTERNAL, "%s: %s", what, msg);
    }
}

void ark_reply_json(ark_reply *r, ark_json *j, int status, const char *type) {
    if (ark_json_finish(j) != 0) {
        ark_api_error(r, ARK_API_INTERNAL, "out of memory while rendering the response");
        return;
    }
    r->status = status;
    r->content_type = type;
}

/* At most ARK_HTTP_MAX_ARGS (64) parameters reach a route (http.c refuses more); a
 * few more slots only so that a caller without that limit is still checked whole. */
#define MAX_PARAMS 128

int ark_params_check(const ark_api_req *req, const char *route, const char *const *allowed,
                     ark_reply *r) {
    const char *v[MAX_PARAMS];
    size_t n = req->names ? req->names(req->ctx, v, MAX_PARAMS) : 0;
    if (n > MAX_PARAMS) {
        ark_api_error(r, ARK_API_TOO_MANY_PARAMETERS, "more than %d query parameters", MAX_PARAMS);
        return -1;
    }
    for (size_t i = 0; i < n; i++) {
        if (!*v[i]) continue;
        size_t k = 0;
        while (allowed[k] && strcmp(allowed[k], v[i]) != 0) k++;
        if (!allowed[k]) {
            char list[300] = "";
            for (size_t a = 0; allowed[a]; a++)
                snprintf(list + strlen(list), sizeof list - strlen(list), "%s%s", a ? ", " : "",
                         allowed[a]);
            ark_api_error(r, ARK_API_UNKNOWN_PARAMETER, "unknown parameter %.100s: %s takes %s",
                          v[i], route, *list ? list : "no parameters");
            return -1;
        }
        for (size_t j = 0; j < i; j++)
            if (strcmp(v[j], v[i]) == 0) {
                ark_api_error(r, ARK_API_BAD_PARAMETER, "parameter %s is given twice", v[i]);
                return -1;
            }
    }
    return 0;
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
        ark_api_error(r, ARK_API_MISSING_QUERY, "missing parameter q (the search text)");
        return NULL;
    }
    if (strlen(q) > ARK_API_MAX_Q) {
        ark_api_error(r, ARK_API_QUERY_TOO_LONG, "parameter q is longer than %d bytes", ARK_API_MAX_Q);
        return NULL;
    }
    if (ark_is_blank(q)) {
        ark_api_error(r, ARK_API_MISSING_QUERY, "parameter q holds only whitespace");
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

