/* server/push.c: PUT and DELETE /api/documents/ID. See push.h.
 * The order of the checks answers the cheapest question first and never reads a body
 * that will be refused: who asks (401/403), what id (400), how big (413), what the
 * metadata says (400/403), whose id it is (409/403); only then is the body streamed to
 * the spool, checked by the loaders (415/422) and accepted (202). */
#include "push.h"

#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "arkivar/ingest.h"
#include "arkivar/record.h"
#include "arkivar/text.h"
#include "json.h"
#include "keys.h"
#include "spool.h"

struct ark_push {
    int del;                 /* a DELETE */
    char id[ARK_MAX_ID + 1]; /* CPR numbers masked, as the indexer masks file names */
    ark_level key_level, level;
    char *meta;              /* the metadata header's JSON, or NULL */
    size_t meta_len;
    ark_spool_tmp *tmp;
    uint64_t got, announced;
};

static const char *g_index;
static char g_intern[PATH_MAX];
static uint64_t g_max = ARK_MAX_FILE_BYTES;

void ark_push_init(const char *index_dir, uint64_t max_upload) {
    g_index = index_dir;
    snprintf(g_intern, sizeof g_intern, "%s/%s", index_dir, ark_level_dir(ARK_LEVEL_INTERN));
    g_max = max_upload && max_upload < ARK_MAX_FILE_BYTES ? max_upload : ARK_MAX_FILE_BYTES;
}

int ark_push_enabled(void) { return g_index && ark_keys_served(); }

int ark_push_route(const char *url, const char *method) {
    return strncmp(url, ARK_PUSH_PREFIX, strlen(ARK_PUSH_PREFIX)) == 0 && strcmp(method, "GET") != 0 &&
           strcmp(method, "HEAD") != 0 && strcmp(method, "OPTIONS") != 0;
}

const char *ark_push_id_problem(const char *id) {
    size_t n = strlen(id);
    if (n == 0) return "empty";
    if (n > ARK_MAX_ID) return "longer than 200 bytes";
    if (id[0] == '/') return "absolute (it starts with '/')";
    if (id[n - 1] == '/') return "it ends with '/'";
    for (size_t i = 0; i < n;) {
        unsigned char c = (unsigned char)id[i];
        if (c < 0x20 || c == 0x7F) return "a control character";
        if (c == '\\') return "a backslash";
        size_t len = c < 0x80 ? 1 : (c & 0xE0) == 0xC0 && c >= 0xC2 ? 2 : (c & 0xF0) == 0xE0 ? 3
                   : (c & 0xF8) == 0xF0 && c <= 0xF4 ? 4 : 0;
        if (!len || i + len > n) return "not UTF-8";
        for (size_t k = 1; k < len; k++)
            if (((unsigned char)id[i + k] & 0xC0) != 0x80) return "not UTF-8";
        unsigned char d = len > 1 ? (unsigned char)id[i + 1] : 0;
        if ((c == 0xE0 && d < 0xA0) || (c == 0xED && d >= 0xA0) || (c == 0xF0 && d < 0x90) ||
            (c == 0xF4 && d >= 0x90))
            return "not UTF-8"; /* overlong, a surrogate, past U+10FFFF */
        i += len;
    }
    for (const char *seg = id; seg;) {
        const char *slash = strchr(seg, '/');
        size_t len = slash ? (size_t)(slash - seg) : strlen(seg);
        if (len == 0) return "an empty segment ('//')";
        if ((len == 1 && seg[0] == '.') || (len == 2 && seg[0] == '.' && seg[1] == '.'))
            return "a '.' or '..' segment";
        seg = slash ? slash + 1 : NULL;
    }
    return NULL;
}

/* Who holds an id now: the newest entry waiting in the spool, else the databases. */
typedef struct holder {
    int exists, folder;
    ark_level level;
    char root[PATH_MAX];
} holder;

static int holder_of(const char *id, holder *h, ark_err *err) {
    memset(h, 0, sizeof *h);
    ark_spool_entry e;
    if (ark_spool_latest(id, &e)) { /* accepted, not yet committed: it decides */
        h->exists = e.op == ARK_SPOOL_PUT;
        h->level = e.level;
        return 0;
    }
    for (int l = 0; l < ARK_NLEVELS; l++) {
        int ex = 0;
        char root[PATH_MAX];
        int rc = ark_owner_of(l == ARK_LEVEL_PUBLIC ? g_index : g_intern, id, &ex, root, sizeof root, err);
        if (rc) return rc;
        if (!ex) continue;
        h->exists = 1;
        h->level = (ark_level)l; /* the highest level that holds it */
        if (strcmp(root, ARK_ROOT_PUSH) != 0) {
            h->folder = 1;
            snprintf(h->root, sizeof h->root, "%s", root);
        }
    }
    return 0;
}

/* 403 or 409 when the id is not the key's to write: held at a level above the key's
 * (said before anything about a folder, which would name it), or from a folder. */
static int check_holder(const ark_push *p, ark_reply *r) {
    holder h;
    ark_err err = {0, ""};
    if (holder_of(p->id, &h, &err)) {
        ark_api_error(r, ARK_API_INTERNAL, "cannot read the index: %s", err.msg);
        return -1;
    }
    if (h.exists && h.level > p->key_level) {
        ark_api_error(r, ARK_API_FORBIDDEN, "document %s is at a level this key does not grant", p->id);
        return -1;
    }
    if (h.folder) {
        ark_api_error(r, ARK_API_CONFLICT, "document %s is indexed from the folder %s (arkivar-indexer), "
                      "which stays its source: change or remove it there", p->id, h.root);
        return -1;
    }
    if (p->del && !h.exists) {
        ark_api_error(r, ARK_API_NOT_FOUND, "no document %s", p->id);
        return -1;
    }
    return 0;
}

static void spool_error(ark_reply *r, int rc, const ark_err *err) {
    if (rc == ARK_ETOOBIG) {
        ark_api_error(r, ARK_API_OVERLOADED, "too many documents wait for the index (%s); retry in a second", err->msg);
        r->retry_after = 1;
    } else if (strstr(err->msg, strerror(ENOSPC))) {
        ark_api_error(r, ARK_API_DISK_FULL, "the index's disk is full: %s", err->msg);
    } else {
        fprintf(stderr, "arkivar-server: push: %s\n", err->msg);
        ark_api_error(r, rc == ARK_ENOMEM ? ARK_API_INTERNAL : ARK_API_OVERLOADED, "cannot keep the document: %s", err->msg);
    }
}

int ark_push_begin(const ark_push_req *req, ark_push **out, ark_reply *r) {
    *out = NULL;
    if (!ark_push_enabled()) {
        ark_api_error(r, ARK_API_NOT_FOUND, "no such route: pushing documents needs the server started with --keys");
        return -1;
    }
    int del = strcmp(req->method, "DELETE") == 0;
    if (!del && strcmp(req->method, "PUT") != 0) {
        ark_api_error(r, ARK_API_METHOD_NOT_ALLOWED, "method %.32s not allowed here; use PUT or DELETE", req->method);
        r->allow = "PUT, DELETE";
        return -1;
    }
    ark_level klv;
    unsigned rights;
    int g = ark_keys_grant(req->header(req->ctx, "Authorization"), &klv, &rights);
    if (g <= 0) {
        ark_api_error(r, ARK_API_UNAUTHORIZED, g < 0 ? "the key is not valid (wrong or revoked)"
                                    : "pushing documents needs a key with the write right "
                                      "(Authorization: Bearer KEY)");
        r->authenticate = "Bearer realm=\"arkivar\"";
        return -1;
    }
    if (!(rights & ARK_RIGHT_WRITE)) {
        ark_api_error(r, ARK_API_FORBIDDEN, "this key may search, not write documents (arkivar-keys add FILE "
                              "NAME LEVEL --write makes one that may)");
        return -1;
    }
    const char *why = ark_push_id_problem(req->id);
    if (why) {
        ark_api_error(r, ARK_API_BAD_DOCUMENT_ID, "not a document id: %s", why);
        return -1;
    }
    ark_push *p = calloc(1, sizeof *p);
    if (!p) {
        ark_api_error(r, ARK_API_INTERNAL, "out of memory");
        return -1;
    }
    p->del = del;
    p->key_level = klv;
    snprintf(p->id, sizeof p->id, "%s", req->id);
    ark_mask_pii(p->id, strlen(p->id), 0); /* a CPR number is never an id (DOMAIN.md) */

    if (!del) {
        const char *cl = req->header(req->ctx, "Content-Length");
        if (cl) {
            char *end;
            errno = 0;
            unsigned long long v = strtoull(cl, &end, 10);
            p->announced = end == cl || *end || errno ? UINT64_MAX : v;
        }
        if (p->announced > g_max) {
            ark_api_error(r, ARK_API_PAYLOAD_TOO_LARGE, "the document is larger than %llu bytes", (unsigned long long)g_max);
            goto refuse;
        }
        const char *meta = req->header(req->ctx, ARK_PUSH_META_HEADER);
        if (meta) {
            ark_sidecar sc = {0};
            ark_err perr = {0, ""};
            size_t ml = strlen(meta);
            if (ml > ARK_SIDECAR_MAX || ark_sidecar_parse(meta, ml, &sc, &perr) != 0) {
                if (perr.code == ARK_ENOMEM) ark_api_error(r, ARK_API_INTERNAL, "out of memory");
                else ark_api_error(r, ARK_API_BAD_METADATA, ARK_PUSH_META_HEADER ": %s", ml > ARK_SIDECAR_MAX
                                   ? "more than 65536 bytes" : perr.msg);
                goto refuse;
            }
            p->level = sc.has_level ? sc.level : ARK_LEVEL_PUBLIC;
            ark_sidecar_free(&sc);
            if (!(p->meta = malloc(ml))) {
                ark_api_error(r, ARK_API_INTERNAL, "out of memory");
                goto refuse;
            }
            memcpy(p->meta, meta, ml);
            p->meta_len = ml;
        }
        if (p->level > klv) {
            ark_api_error(r, ARK_API_FORBIDDEN, "this key may write up to %s, not %s documents",
                          ark_level_name(klv), ark_level_name(p->level));
            goto refuse;
        }
    }
    if (check_holder(p, r)) goto refuse;
    if (!del) {
        ark_err err = {0, ""};
        int rc = ark_spool_tmp_new(p->id, &p->tmp, &err);
        if (rc) {
            spool_error(r, rc, &err);
            goto refuse;
        }
    }
    *out = p;
    return 0;
refuse:
    ark_push_free(p);
    return -1;
}

int ark_push_data(ark_push *p, const char *data, size_t n, ark_reply *r) {
    if (p->del) return 0; /* a DELETE's body means nothing: not kept */
    p->got += n;
    if (p->got > g_max) {
        ark_api_error(r, ARK_API_PAYLOAD_TOO_LARGE, "the document is larger than %llu bytes", (unsigned long long)g_max);
        return -1;
    }
    ark_err err = {0, ""};
    int rc = ark_spool_tmp_write(p->tmp, data, n, &err);
    if (rc) spool_error(r, rc, &err);
    return rc;
}

unsigned ark_push_body_seconds(const ark_push *p) {
    uint64_t n = p->announced && p->announced != UINT64_MAX ? p->announced : g_max;
    return (unsigned)(n / ARK_PUSH_MIN_RATE) + 1;
}

/* The loader's message about the spool's file, with the document's id for its path. */
static void loader_message(const ark_push *p, const char *msg, char *out, size_t cap) {
    const char *path = ark_spool_tmp_path(p->tmp), *at = strstr(msg, path);
    if (at) snprintf(out, cap, "%.*s%s%s", (int)(at - msg), msg, p->id, at + strlen(path));
    else snprintf(out, cap, "%s", msg);
}

/* The body as the writer will read it: loaded by the indexer's loaders, and its level. */
static int check_body(ark_push *p, ark_reply *r) {
    ark_source src = {0};
    ark_err lerr = {0, ""};
    char msg[600];
    const char *path = ark_spool_tmp_path(p->tmp);
    int rc = ark_source_load(path, &src, &lerr);
    ark_source_free(&src);
    loader_message(p, lerr.msg, msg, sizeof msg);
    if (rc == ARK_EINVAL) {
        char list[200] = "";
        for (size_t i = 0; ark_loader_ext(i); i++)
            snprintf(list + strlen(list), sizeof list - strlen(list), "%s%s", i ? ", " : "", ark_loader_ext(i));
        ark_api_error(r, ARK_API_UNSUPPORTED_FORMAT, "%s: no reader for this format (read are %s)", p->id, list);
    } else if (rc == ARK_EFORMAT || rc == ARK_EBINARY) {
        ark_api_error(r, ARK_API_UNSUPPORTED_FORMAT, "%s (%s)", msg, ark_strerror(rc));
    } else if (rc == ARK_EEMPTY) {
        ark_api_error(r, ARK_API_NO_TEXT, "%s: %s", p->id, ark_strerror(rc));
    } else if (rc == ARK_ETOOBIG) {
        ark_api_error(r, ARK_API_PAYLOAD_TOO_LARGE, "%s", msg);
    } else if (rc) {
        ark_api_error(r, ARK_API_INTERNAL, "cannot read the document: %s", msg);
    }
    if (rc) return rc;
    /* Its level as the writer reads it: the metadata's, else its front matter's. */
    ark_level lv;
    if ((rc = ark_level_of(path, ark_spool_dir(), &lv, &lerr)) != 0) {
        loader_message(p, lerr.msg, msg, sizeof msg);
        ark_api_error(r, rc == ARK_ENOMEM ? ARK_API_INTERNAL : ARK_API_BAD_METADATA, "%s", msg);
        return rc;
    }
    p->level = lv;
    if (lv > p->key_level) {
        ark_api_error(r, ARK_API_FORBIDDEN, "this key may write up to %s, not %s documents",
                      ark_level_name(p->key_level), ark_level_name(lv));
        return -1;
    }
    return 0;
}

void ark_push_end(ark_push *p, ark_reply *r) {
    ark_err err = {0, ""};
    uint64_t seq = 0;
    int rc;
    if (!p->del) {
        if ((rc = ark_spool_tmp_finish(p->tmp, p->meta, p->meta_len, &err))) {
            spool_error(r, rc, &err);
            return;
        }
        /* Again: the id may have changed hands while the body came. */
        if (check_body(p, r) || check_holder(p, r)) return;
        rc = ark_spool_put(p->tmp, p->level, &seq, &err);
    } else {
        rc = ark_spool_delete(p->id, &seq, &err);
    }
    if (rc) {
        spool_error(r, rc, &err);
        return;
    }
    ark_reply_reset(r, 202, ark_api_json_type);
    ark_json j;
    ark_json_init(&j, &r->body);
    ark_json_obj_begin(&j);
    ark_json_kstr(&j, "id", p->id);
    ark_json_kstr(&j, "status", "accepted");
    ark_json_kstr(&j, "operation", p->del ? "delete" : "put");
    if (!p->del) ark_json_kstr(&j, "level", ark_level_name(p->level));
    ark_json_ku64(&j, "sequence", seq);
    ark_json_obj_end(&j);
    ark_reply_json(r, &j, 202, ark_api_json_type);
}

void ark_push_free(ark_push *p) {
    if (!p) return;
    ark_spool_tmp_free(p->tmp);
    free(p->meta);
    free(p);
}
